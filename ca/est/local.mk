# ca/est/local.mk: the EST handlers (RFC 7030): enrollment, re-enrollment,
# server key generation, csrattrs, cacerts, pending polls and the
# directory publication of issued certificates. Only the router includes est.h.
libentca_ca_a_SOURCES += \
	ca/est/est.c ca/est/est.h ca/est/est_int.h ca/est/enroll.h ca/est/est_reply.c \
	ca/est/est_pending.c ca/est/est_csrattrs.c ca/est/est_publish.c \
	ca/est/est_link.c ca/est/est_keypool.c ca/est/est_keypool.h

# Issue 18: the serverkeygen key pool.
check_PROGRAMS += tests/unit/ca/est/test_keypool
TESTS += tests/unit/ca/est/test_keypool

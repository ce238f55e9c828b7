# ca/signer/local.mk: the signer process (CA key holder) and its tests.
libentca_ca_a_SOURCES += \
	ca/signer/signer.c ca/signer/signer.h \
	ca/signer/signer_child.c ca/signer/signer_wire.h \
	ca/signer/signer_seccomp.c \
	ca/signer/secrets.c ca/signer/secrets.h \
	ca/signer/keyfile.c ca/signer/keyfile.h \
	ca/signer/signer_ocsp.c ca/signer/signer_ocsp_child.c \
	ca/signer/signer_reply.c \
	ca/signer/signer_scep.c ca/signer/signer_scep.h \
	ca/signer/signer_ext.c ca/signer/signer_ext.h

check_PROGRAMS += tests/unit/ca/signer/test_signer
TESTS += tests/unit/ca/signer/test_signer
# test_signer_issue.h: a certificate issued through the signer, shared
# with tests/unit/ca/identity/test_identity_tool.
noinst_HEADERS += tests/unit/ca/signer/test_signer_issue.h
# The external keys' GnuTLS callbacks, over an in-process round trip.
check_PROGRAMS += tests/unit/ca/signer/test_signer_ext
TESTS += tests/unit/ca/signer/test_signer_ext

# entcad with test hooks (ENTCA_TEST_HOOKS): its signer can be told by the
# environment to make one forbidden system call, so a test watches seccomp
# kill it. Built for `make check` only, never installed.
check_PROGRAMS += tests/entcad-testhooks
tests_entcad_testhooks_SOURCES = ca/daemon/entcad.c ca/signer/signer_child.c
tests_entcad_testhooks_CPPFLAGS = $(AM_CPPFLAGS) -DENTCA_TEST_HOOKS
tests_entcad_testhooks_LDADD = $(ENTCA_LIBS)

# Key isolation, seccomp, secret files and core dumps against a real entcad.
TESTS += tests/integration/signer_isolation.sh
EXTRA_DIST += tests/integration/signer_isolation.sh

# Issue 18: the crypto floor for tests/bench/run (not part of make check).
noinst_PROGRAMS += tests/bench/crypto_floor
tests_bench_crypto_floor_SOURCES = tests/bench/crypto_floor.c
tests_bench_crypto_floor_LDADD = $(GNUTLS_LIBS) -lpthread

# ca/scep/local.mk: SCEP (RFC 8894) with NDES-style one-time challenges:
# routing (scep.c) and PKIOperation (scep_op.c), the pkiMessage (scep_msg.c), CMS
# EnvelopedData with libtasn1 (scep_cms.c), the RA certificate (scep_ra.c)
# and the challenges (scep_challenge.c). ca/scep/scep-cms.asn is compiled
# by asn1Parser into ca/scep/scep-cms.asn.h, included by scep_cms.c only.
libentca_ca_a_SOURCES += \
	ca/scep/scep.c ca/scep/scep.h ca/scep/scep_int.h \
	ca/scep/scep_op.c \
	ca/scep/scep_msg.c ca/scep/scep_msg.h \
	ca/scep/scep_cms.c ca/scep/scep_cms.h \
	ca/scep/scep_ra.c ca/scep/scep_ra.h \
	ca/scep/scep_challenge.c
nodist_libentca_ca_a_SOURCES += ca/scep/scep-cms.asn.h
BUILT_SOURCES += ca/scep/scep-cms.asn.h
CLEANFILES += ca/scep/scep-cms.asn.h
EXTRA_DIST += ca/scep/scep-cms.asn

ca/scep/scep-cms.asn.h: $(srcdir)/ca/scep/scep-cms.asn
	$(AM_V_GEN)$(MKDIR_P) ca/scep && \
	$(ASN1PARSER) -o $@.tmp -n scep_cms_asn1_tab $(srcdir)/ca/scep/scep-cms.asn >/dev/null && \
	mv $@.tmp $@

ca/scep/scep_cms.$(OBJEXT): ca/scep/scep-cms.asn.h

# Integration: micromdm's scepclient and certmonger against entcad, and the
# branches no real client takes through tests/integration/scep_msgtool.
check_PROGRAMS += tests/integration/scep_msgtool
TESTS += tests/integration/scep_enroll.sh
EXTRA_DIST += tests/integration/scep_enroll.sh

# Unit: envelopes and pkiMessages on hostile input (no daemon).
check_PROGRAMS += tests/unit/ca/scep/test_scep
TESTS += tests/unit/ca/scep/test_scep

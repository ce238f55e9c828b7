# ca/ocsp/local.mk: the OCSP responder (issue 16). ca/ocsp/ocsp.asn is
# compiled by asn1Parser into ca/ocsp/ocsp.asn.h, included by
# ca/ocsp/ocsp_codec.c only.
libentca_ca_a_SOURCES += ca/ocsp/ocsp.c ca/ocsp/ocsp.h ca/ocsp/ocsp_int.h \
	ca/ocsp/ocsp_codec.c ca/ocsp/ocsp_codec.h ca/ocsp/ocsp_cache.c \
	ca/ocsp/ocsp_key.c ca/ocsp/ocsp_serve.c
nodist_libentca_ca_a_SOURCES += ca/ocsp/ocsp.asn.h
BUILT_SOURCES += ca/ocsp/ocsp.asn.h
CLEANFILES += ca/ocsp/ocsp.asn.h
EXTRA_DIST += ca/ocsp/ocsp.asn

ca/ocsp/ocsp.asn.h: $(srcdir)/ca/ocsp/ocsp.asn
	$(AM_V_GEN)$(MKDIR_P) ca/ocsp && \
	$(ASN1PARSER) -o $@.tmp -n ocsp_asn1_tab $(srcdir)/ca/ocsp/ocsp.asn >/dev/null && \
	mv $@.tmp $@

ca/ocsp/ocsp_codec.$(OBJEXT): ca/ocsp/ocsp.asn.h

OCSP_UNIT_TESTS = tests/unit/ca/ocsp/test_ocsp_codec tests/unit/ca/ocsp/test_ocsp_cache
check_PROGRAMS += $(OCSP_UNIT_TESTS)
TESTS += $(OCSP_UNIT_TESTS)

# Integration: openssl ocsp, GnuTLS ocsptool and Python cryptography
# against a running entcad.
TESTS += tests/integration/ocsp.sh tests/integration/ocsp_signer.sh
EXTRA_DIST += tests/integration/ocsp.sh tests/integration/ocsp_signer.sh \
	tests/integration/ocsp_check.py \
	tests/integration/ocsp_race.py tests/bench/ocsp.sh tests/bench/ocsp_load.py

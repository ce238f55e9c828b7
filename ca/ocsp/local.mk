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

check_PROGRAMS += tests/unit/ca/ocsp/test_ocsp_codec
TESTS += tests/unit/ca/ocsp/test_ocsp_codec
tests_unit_ca_ocsp_test_ocsp_codec_SOURCES = tests/unit/ca/ocsp/test_ocsp_codec.c
tests_unit_ca_ocsp_test_ocsp_codec_CFLAGS = $(TEST_CFLAGS)
tests_unit_ca_ocsp_test_ocsp_codec_LDADD = $(TEST_LDADD)
check_PROGRAMS += tests/unit/ca/ocsp/test_ocsp_cache
TESTS += tests/unit/ca/ocsp/test_ocsp_cache
tests_unit_ca_ocsp_test_ocsp_cache_SOURCES = tests/unit/ca/ocsp/test_ocsp_cache.c
tests_unit_ca_ocsp_test_ocsp_cache_CFLAGS = $(TEST_CFLAGS)
tests_unit_ca_ocsp_test_ocsp_cache_LDADD = $(TEST_LDADD)

# Integration: openssl ocsp, GnuTLS ocsptool and Python cryptography
# against a running entcad.
TESTS += tests/integration/ocsp.sh tests/integration/ocsp_signer.sh
EXTRA_DIST += tests/integration/ocsp.sh tests/integration/ocsp_signer.sh \
	tests/integration/ocsp_check.py \
	tests/integration/ocsp_race.py tests/bench/ocsp.sh tests/bench/ocsp_load.py

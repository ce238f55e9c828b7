# crl/: the streaming X.509 v2 CRL encoder (crl.h), its DER writer (der.h),
# signature algorithm choice (sigalg.h), reason names (reason.h) and the
# schedule rules (schedule.h). Depends on common/ only.
noinst_LIBRARIES += libentca_crl.a
libentca_crl_a_SOURCES = \
	crl/crl.c crl/crl.h \
	crl/der.c crl/der.h \
	crl/sigalg.c crl/sigalg.h \
	crl/reason.c crl/reason.h \
	crl/schedule.c crl/schedule.h \
	crl/parse.c crl/parse.h

# Unit tests (cmocka). They link only crl/ and common/ (all crl/ uses), so
# a half-built library elsewhere never breaks them; the tool and the bench
# below link CRL_LIBS alone.
CRL_LIBS = libentca_crl.a libentca_common.a $(GNUTLS_LIBS)
CRL_TEST_LDADD = $(CRL_LIBS) $(CMOCKA_LIBS)
CRL_UNIT_TESTS = tests/unit/crl/test_crl_der tests/unit/crl/test_crl_schedule \
	tests/unit/crl/test_crl_build tests/unit/crl/test_crl_stream
check_PROGRAMS += $(CRL_UNIT_TESTS)
TESTS += $(CRL_UNIT_TESTS)
tests_unit_crl_test_crl_der_LDADD = $(CRL_TEST_LDADD)
tests_unit_crl_test_crl_schedule_LDADD = $(CRL_TEST_LDADD)
tests_unit_crl_test_crl_build_LDADD = $(CRL_TEST_LDADD)
tests_unit_crl_test_crl_stream_LDADD = $(CRL_TEST_LDADD)
# The test CA and its external-key signer, shared by the tests, and the
# PEM issuer loader of the tool and the bench.
noinst_HEADERS += tests/unit/crl/crl_extkey.h tests/unit/crl/crl_testca.h \
	tests/unit/crl/crl_pemca.h

# crl_tool: builds a CRL from a key, a CA certificate and an entry list, for
# the integration script that checks it with openssl and Python.
check_PROGRAMS += tests/unit/crl/crl_tool
tests_unit_crl_crl_tool_LDADD = $(CRL_LIBS)
TESTS += tests/integration/crl_encode.sh
EXTRA_DIST += tests/integration/crl_encode.sh

# Benchmark (built by `make`, never run by `make check`): run
# tests/bench/bench_crl.sh.
noinst_PROGRAMS += tests/bench/bench_crl
tests_bench_bench_crl_LDADD = $(CRL_LIBS)
EXTRA_DIST += tests/bench/bench_crl.sh tests/bench/README.md

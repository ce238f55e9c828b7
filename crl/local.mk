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
# a half-built library elsewhere never breaks them.
CRL_TEST_LDADD = libentca_crl.a libentca_common.a $(GNUTLS_LIBS) \
	$(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/crl/test_crl_der tests/unit/crl/test_crl_schedule \
	tests/unit/crl/test_crl_build tests/unit/crl/test_crl_stream
TESTS += tests/unit/crl/test_crl_der tests/unit/crl/test_crl_schedule \
	tests/unit/crl/test_crl_build tests/unit/crl/test_crl_stream
tests_unit_crl_test_crl_der_SOURCES = tests/unit/crl/test_crl_der.c
tests_unit_crl_test_crl_der_CFLAGS = $(TEST_CFLAGS)
tests_unit_crl_test_crl_der_LDADD = $(CRL_TEST_LDADD)
tests_unit_crl_test_crl_schedule_SOURCES = tests/unit/crl/test_crl_schedule.c
tests_unit_crl_test_crl_schedule_CFLAGS = $(TEST_CFLAGS)
tests_unit_crl_test_crl_schedule_LDADD = $(CRL_TEST_LDADD)
tests_unit_crl_test_crl_build_SOURCES = tests/unit/crl/test_crl_build.c \
	tests/unit/crl/crl_extkey.h tests/unit/crl/crl_testca.h
tests_unit_crl_test_crl_build_CFLAGS = $(TEST_CFLAGS)
tests_unit_crl_test_crl_build_LDADD = $(CRL_TEST_LDADD)
tests_unit_crl_test_crl_stream_SOURCES = tests/unit/crl/test_crl_stream.c \
	tests/unit/crl/crl_testca.h
tests_unit_crl_test_crl_stream_CFLAGS = $(TEST_CFLAGS)
tests_unit_crl_test_crl_stream_LDADD = $(CRL_TEST_LDADD)

# crl_tool: builds a CRL from a key, a CA certificate and an entry list, for
# the integration script that checks it with openssl and Python.
check_PROGRAMS += tests/unit/crl/crl_tool
tests_unit_crl_crl_tool_SOURCES = tests/unit/crl/crl_tool.c tests/unit/crl/crl_extkey.h
tests_unit_crl_crl_tool_SOURCES += tests/unit/crl/crl_pemca.h
tests_unit_crl_crl_tool_LDADD = libentca_crl.a libentca_common.a $(GNUTLS_LIBS)
TESTS += tests/integration/crl_encode.sh
EXTRA_DIST += tests/integration/crl_encode.sh

# Benchmark (built by `make`, never run by `make check`): run
# tests/bench/bench_crl.sh.
noinst_PROGRAMS += tests/bench/bench_crl
tests_bench_bench_crl_SOURCES = tests/bench/bench_crl.c tests/unit/crl/crl_extkey.h
tests_bench_bench_crl_LDADD = libentca_crl.a libentca_common.a $(GNUTLS_LIBS)
EXTRA_DIST += tests/bench/bench_crl.sh tests/bench/README.md

# common/: what every folder shares and that depends on nothing of ours:
# the error enum, hex, base64, the clock seam and the log writer.
noinst_LIBRARIES += libentca_common.a
libentca_common_a_SOURCES = common/error.c common/error.h common/hex.c common/hex.h \
	common/base64.c common/base64.h common/clock.c common/clock.h \
	common/log.c common/log.h

check_PROGRAMS += tests/unit/common/test_error
TESTS += tests/unit/common/test_error
tests_unit_common_test_error_SOURCES = tests/unit/common/test_error.c
tests_unit_common_test_error_CFLAGS = $(TEST_CFLAGS)
tests_unit_common_test_error_LDADD = $(TEST_LDADD)
# Operation counters and latency histograms for /metrics (issue 14).
libentca_common_a_SOURCES += common/opstats.c common/opstats.h

# common/: what every folder shares and that depends on nothing of ours:
# the error enum, hex, base64, the clock seam, the log writer, and the one
# DER reader/writer with its libtasn1 OID codec.
noinst_LIBRARIES += libentca_common.a
libentca_common_a_SOURCES = common/error.c common/error.h common/hex.c common/hex.h \
	common/base64.c common/base64.h common/clock.c common/clock.h \
	common/log.c common/log.h \
	common/der.c common/der.h common/oid.c \
	common/utf8.c common/utf8.h common/value.c common/value.h

check_PROGRAMS += tests/unit/common/test_error
TESTS += tests/unit/common/test_error
tests_unit_common_test_error_SOURCES = tests/unit/common/test_error.c
tests_unit_common_test_error_CFLAGS = $(TEST_CFLAGS)
tests_unit_common_test_error_LDADD = $(TEST_LDADD)
# Operation counters and latency histograms for /metrics (issue 14).
libentca_common_a_SOURCES += common/opstats.c common/opstats.h

check_PROGRAMS += tests/unit/common/test_der
TESTS += tests/unit/common/test_der
tests_unit_common_test_der_SOURCES = tests/unit/common/test_der.c
tests_unit_common_test_der_CFLAGS = $(TEST_CFLAGS)
tests_unit_common_test_der_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/common/test_value
TESTS += tests/unit/common/test_value
tests_unit_common_test_value_SOURCES = tests/unit/common/test_value.c
tests_unit_common_test_value_CFLAGS = $(TEST_CFLAGS)
tests_unit_common_test_value_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/common/test_base64
TESTS += tests/unit/common/test_base64
tests_unit_common_test_base64_SOURCES = tests/unit/common/test_base64.c
tests_unit_common_test_base64_CFLAGS = $(TEST_CFLAGS)
tests_unit_common_test_base64_LDADD = $(TEST_LDADD)

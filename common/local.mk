# common/: what every folder shares and that depends on nothing of ours:
# the error enum, hex, base64, the clock seam, the log writer, and the one
# DER reader/writer with its libtasn1 OID codec.
noinst_LIBRARIES += libentca_common.a
libentca_common_a_SOURCES = common/error.c common/error.h common/hex.c common/hex.h \
	common/base64.c common/base64.h common/clock.c common/clock.h \
	common/log.c common/log.h \
	common/der.c common/der.h common/oid.c \
	common/utf8.c common/utf8.h common/value.c common/value.h

# Operation counters and latency histograms for /metrics (issue 14).
libentca_common_a_SOURCES += common/opstats.c common/opstats.h

COMMON_UNIT_TESTS = tests/unit/common/test_error tests/unit/common/test_der \
	tests/unit/common/test_value tests/unit/common/test_base64 \
	tests/unit/common/test_log
check_PROGRAMS += $(COMMON_UNIT_TESTS)
TESTS += $(COMMON_UNIT_TESTS)

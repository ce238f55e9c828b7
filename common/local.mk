# common/: the error enum every folder shares (no dependencies of ours).
noinst_LIBRARIES += libentca_common.a
libentca_common_a_SOURCES = common/error.c common/error.h common/hex.c common/hex.h

check_PROGRAMS += tests/unit/test_error
TESTS += tests/unit/test_error
tests_unit_test_error_SOURCES = tests/unit/test_error.c
tests_unit_test_error_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_error_LDADD = $(TEST_LDADD)

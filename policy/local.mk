# policy/: rights, DNs, request parsing and the issuance decision (no I/O).
noinst_LIBRARIES += libentca_policy.a
libentca_policy_a_SOURCES = policy/principal.c policy/principal.h \
	policy/der.c policy/der.h policy/dn.c policy/dn_der.c policy/dn.h \
	policy/dn_int.h policy/rights.c policy/rights.h \
	policy/request.c policy/request.h policy/decide.c policy/decide.h \
	policy/decide_int.h policy/profile.c policy/names.c

check_PROGRAMS += tests/unit/policy/test_dn tests/unit/policy/test_policy_rights
TESTS += tests/unit/policy/test_dn tests/unit/policy/test_policy_rights
tests_unit_policy_test_dn_SOURCES = tests/unit/policy/test_dn.c
tests_unit_policy_test_dn_CFLAGS = $(TEST_CFLAGS)
tests_unit_policy_test_dn_LDADD = $(TEST_LDADD)
tests_unit_policy_test_policy_rights_SOURCES = tests/unit/policy/test_policy_rights.c \
	tests/unit/policy/test_policy_util.c tests/unit/policy/test_policy_util.h
tests_unit_policy_test_policy_rights_CFLAGS = $(TEST_CFLAGS)
tests_unit_policy_test_policy_rights_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/policy/test_policy_request
TESTS += tests/unit/policy/test_policy_request
tests_unit_policy_test_policy_request_SOURCES = tests/unit/policy/test_policy_request.c \
	tests/unit/policy/test_policy_util.c tests/unit/policy/test_policy_util.h
tests_unit_policy_test_policy_request_CFLAGS = $(TEST_CFLAGS)
tests_unit_policy_test_policy_request_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/policy/test_policy_matrix
TESTS += tests/unit/policy/test_policy_matrix
tests_unit_policy_test_policy_matrix_SOURCES = tests/unit/policy/test_policy_matrix.c \
	tests/unit/policy/test_policy_util.c tests/unit/policy/test_policy_util.h
tests_unit_policy_test_policy_matrix_CFLAGS = $(TEST_CFLAGS)
tests_unit_policy_test_policy_matrix_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/policy/test_policy_fixtures
TESTS += tests/unit/policy/test_policy_fixtures
EXTRA_DIST += tests/fixtures/policy/escaped-multivalued.csr.pem \
	tests/fixtures/policy/bmp-subject.csr.pem \
	tests/fixtures/policy/p521-ip-san.csr.pem \
	tests/fixtures/policy/ed25519.csr.pem
tests_unit_policy_test_policy_fixtures_SOURCES = tests/unit/policy/test_policy_fixtures.c \
	tests/unit/policy/test_policy_util.c tests/unit/policy/test_policy_util.h
tests_unit_policy_test_policy_fixtures_CFLAGS = $(TEST_CFLAGS)
tests_unit_policy_test_policy_fixtures_LDADD = $(TEST_LDADD)

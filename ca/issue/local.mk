# ca/issue/local.mk: the certificate builder and the Microsoft extensions.
# The Microsoft ASN.1 module is policy/ms-pki.asn (policy/local.mk), shared
# with the SID extension codec there.
libentca_ca_a_SOURCES += ca/issue/issue.c ca/issue/issue.h ca/issue/msext.c ca/issue/msext.h \
	ca/issue/pkcs7.c ca/issue/pkcs7.h \
	ca/issue/revoke.c ca/issue/revoke.h \
	ca/issue/crl_publish.c ca/issue/crl_publish.h
check_PROGRAMS += tests/unit/ca/issue/test_issue_msext tests/unit/ca/issue/test_issue
TESTS += tests/unit/ca/issue/test_issue_msext tests/unit/ca/issue/test_issue
tests_unit_ca_issue_test_issue_msext_SOURCES = tests/unit/ca/issue/test_issue_msext.c
tests_unit_ca_issue_test_issue_msext_CFLAGS = $(TEST_CFLAGS)
tests_unit_ca_issue_test_issue_msext_LDADD = $(TEST_LDADD)
tests_unit_ca_issue_test_issue_SOURCES = tests/unit/ca/issue/test_issue.c \
	tests/unit/policy/test_policy_util.c tests/unit/policy/test_policy_util.h
tests_unit_ca_issue_test_issue_CFLAGS = $(TEST_CFLAGS)
tests_unit_ca_issue_test_issue_LDADD = $(TEST_LDADD)

# Integration: certificates read back by openssl and Python cryptography.
check_PROGRAMS += tests/integration/profile_issue
tests_integration_profile_issue_SOURCES = tests/integration/profile_issue.c \
	tests/unit/policy/test_policy_util.c tests/unit/policy/test_policy_util.h
tests_integration_profile_issue_CFLAGS = $(TEST_CFLAGS)
tests_integration_profile_issue_LDADD = $(TEST_LDADD)
TESTS += tests/integration/profile_check.sh
EXTRA_DIST += tests/integration/profile_check.sh

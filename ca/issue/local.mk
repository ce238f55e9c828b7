# ca/issue/local.mk: the certificate builder and the Microsoft extensions.
# ca/issue/ms-pki.asn is compiled by asn1Parser into ca/issue/ms-pki.asn.h (a C array
# of libtasn1 definitions), included by ca/issue/msext.c only.
libentca_ca_a_SOURCES += ca/issue/issue.c ca/issue/issue.h ca/issue/msext.c ca/issue/msext.h \
	ca/issue/pkcs7.c ca/issue/pkcs7.h \
	ca/issue/revoke.c ca/issue/revoke.h \
	ca/issue/crl_publish.c ca/issue/crl_publish.h
nodist_libentca_ca_a_SOURCES = ca/issue/ms-pki.asn.h
BUILT_SOURCES += ca/issue/ms-pki.asn.h
CLEANFILES += ca/issue/ms-pki.asn.h
EXTRA_DIST += ca/issue/ms-pki.asn

ca/issue/ms-pki.asn.h: $(srcdir)/ca/issue/ms-pki.asn
	$(AM_V_GEN)$(MKDIR_P) ca && \
	$(ASN1PARSER) -o $@.tmp -n ms_pki_asn1_tab $(srcdir)/ca/issue/ms-pki.asn >/dev/null && \
	mv $@.tmp $@

# Make the generated header exist before msext.c compiles, even when only
# a test target is asked for (BUILT_SOURCES is honoured by all/check only).
ca/issue/msext.$(OBJEXT): ca/issue/ms-pki.asn.h

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

# ca/issue.mk: the certificate builder and the Microsoft extensions.
# ca/ms-pki.asn is compiled by asn1Parser into ca/ms-pki.asn.h (a C array
# of libtasn1 definitions), included by ca/msext.c only.
libentca_ca_a_SOURCES += ca/issue.c ca/issue.h ca/msext.c ca/msext.h
nodist_libentca_ca_a_SOURCES = ca/ms-pki.asn.h
BUILT_SOURCES += ca/ms-pki.asn.h
CLEANFILES += ca/ms-pki.asn.h
EXTRA_DIST += ca/ms-pki.asn

ca/ms-pki.asn.h: $(srcdir)/ca/ms-pki.asn
	$(AM_V_GEN)$(MKDIR_P) ca && \
	$(ASN1PARSER) -o $@.tmp -n ms_pki_asn1_tab $(srcdir)/ca/ms-pki.asn >/dev/null && \
	mv $@.tmp $@

# Make the generated header exist before msext.c compiles, even when only
# a test target is asked for (BUILT_SOURCES is honoured by all/check only).
ca/msext.$(OBJEXT): ca/ms-pki.asn.h

check_PROGRAMS += tests/unit/test_issue_msext tests/unit/test_issue
TESTS += tests/unit/test_issue_msext tests/unit/test_issue
tests_unit_test_issue_msext_SOURCES = tests/unit/test_issue_msext.c
tests_unit_test_issue_msext_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_issue_msext_LDADD = $(TEST_LDADD)
tests_unit_test_issue_SOURCES = tests/unit/test_issue.c \
	tests/unit/test_policy_util.c tests/unit/test_policy_util.h
tests_unit_test_issue_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_issue_LDADD = $(TEST_LDADD)

# Integration: certificates read back by openssl and Python cryptography.
check_PROGRAMS += tests/integration/profile_issue
tests_integration_profile_issue_SOURCES = tests/integration/profile_issue.c \
	tests/unit/test_policy_util.c tests/unit/test_policy_util.h
tests_integration_profile_issue_CFLAGS = $(TEST_CFLAGS)
tests_integration_profile_issue_LDADD = $(TEST_LDADD)
TESTS += tests/integration/profile_check.sh
EXTRA_DIST += tests/integration/profile_check.sh

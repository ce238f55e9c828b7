# ca/issue/local.mk: the certificate builder and the Microsoft extensions.
# The Microsoft ASN.1 module is policy/ms-pki.asn (policy/local.mk), shared
# with the SID extension codec there.
libentca_ca_a_SOURCES += ca/issue/issue.c ca/issue/issue.h ca/issue/msext.c ca/issue/msext.h \
	ca/issue/pkcs7.c ca/issue/pkcs7.h \
	ca/issue/revoke.c ca/issue/revoke.h \
	ca/issue/crl_publish.c ca/issue/crl_publish.h \
	ca/issue/crl_directory.c
check_PROGRAMS += tests/unit/ca/issue/test_issue_msext tests/unit/ca/issue/test_issue
TESTS += tests/unit/ca/issue/test_issue_msext tests/unit/ca/issue/test_issue

# Integration: certificates read back by openssl and Python cryptography.
check_PROGRAMS += tests/integration/profile_issue
TESTS += tests/integration/profile_check.sh
EXTRA_DIST += tests/integration/profile_check.sh

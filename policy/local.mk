# policy/: rights, DNs, request parsing and the issuance decision (no I/O).
noinst_LIBRARIES += libentca_policy.a
libentca_policy_a_SOURCES = policy/principal.c policy/principal.h \
	policy/dn.c policy/dn_der.c policy/dn.h \
	policy/dn_int.h policy/rights.c policy/rights.h \
	policy/request.c policy/request.h policy/decide.c policy/decide.h \
	policy/decide_int.h policy/decision.c policy/profile.c policy/names.c \
	policy/mspki.c policy/mspki.h

# policy/ms-pki.asn is compiled by asn1Parser into policy/ms-pki.asn.h (a C
# array of libtasn1 definitions), included by policy/mspki.c only.
nodist_libentca_policy_a_SOURCES = policy/ms-pki.asn.h
BUILT_SOURCES += policy/ms-pki.asn.h
CLEANFILES += policy/ms-pki.asn.h
EXTRA_DIST += policy/ms-pki.asn

policy/ms-pki.asn.h: $(srcdir)/policy/ms-pki.asn
	$(AM_V_GEN)$(MKDIR_P) policy && \
	$(ASN1PARSER) -o $@.tmp -n ms_pki_asn1_tab $(srcdir)/policy/ms-pki.asn >/dev/null && \
	mv $@.tmp $@

# Make the generated header exist before mspki.c compiles, even when only
# a test target is asked for (BUILT_SOURCES is honoured by all/check only).
policy/mspki.$(OBJEXT): policy/ms-pki.asn.h

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

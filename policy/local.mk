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

POLICY_UNIT_TESTS = tests/unit/policy/test_dn tests/unit/policy/test_policy_rights \
	tests/unit/policy/test_policy_request tests/unit/policy/test_policy_matrix \
	tests/unit/policy/test_policy_fixtures
check_PROGRAMS += $(POLICY_UNIT_TESTS)
TESTS += $(POLICY_UNIT_TESTS)
EXTRA_DIST += tests/fixtures/policy/escaped-multivalued.csr.pem \
	tests/fixtures/policy/bmp-subject.csr.pem \
	tests/fixtures/policy/p521-ip-san.csr.pem \
	tests/fixtures/policy/ed25519.csr.pem

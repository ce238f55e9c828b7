# ldap/: the directory (binds, lookups, groups, certificate mapping, CRL
# publication) and the throwaway test slapd in tests/slapd/. See
# ldap/directory.h for what the module owns.
noinst_LIBRARIES += libentca_ldap.a
libentca_ldap_a_SOURCES = ldap/directory.h ldap/dir_int.h ldap/directory.c \
	ldap/pool.c ldap/domain.c \
	ldap/bind.c ldap/entry.c ldap/lookup.c ldap/groups.c ldap/certmap.h ldap/certmap.c \
	ldap/publish.c ldap/sid.h ldap/sid.c ldap/escape.h ldap/escape.c \
	ldap/cache.h ldap/cache.c ldap/tlsdiag.c ldap/publish_user.c

# ldap/ tests link only what ldap/ uses (ldap -> policy -> common), so
# they build while other folders are in flux.
DIRECTORY_TEST_LDADD = libentca_ldap.a libentca_policy.a libentca_common.a \
	$(LDAP_LIBS) $(GNUTLS_LIBS) $(TASN1_LIBS) $(PTHREAD_LIBS) $(CMOCKA_LIBS)

# Pure parts: SID/GUID codecs, escaping, cache, SID extension parser.
# Live parts against a real slapd: those programs are driven by the
# script, and share directory_live.c (the slapd's environment, helpers).
LDAP_UNIT_TESTS = tests/unit/ldap/test_directory
LDAP_LIVE_DRIVERS = tests/unit/ldap/test_directory_live \
	tests/unit/ldap/test_directory_live_ops
check_PROGRAMS += $(LDAP_UNIT_TESTS) $(LDAP_LIVE_DRIVERS)
TESTS += $(LDAP_UNIT_TESTS)
LDAP_LIVE_SOURCES = tests/unit/ldap/directory_live.c tests/unit/ldap/directory_live.h
tests_unit_ldap_test_directory_LDADD = $(DIRECTORY_TEST_LDADD)
tests_unit_ldap_test_directory_live_SOURCES = tests/unit/ldap/test_directory_live.c \
	$(LDAP_LIVE_SOURCES)
tests_unit_ldap_test_directory_live_LDADD = $(DIRECTORY_TEST_LDADD)
tests_unit_ldap_test_directory_live_ops_SOURCES = tests/unit/ldap/test_directory_live_ops.c \
	$(LDAP_LIVE_SOURCES)
tests_unit_ldap_test_directory_live_ops_LDADD = $(DIRECTORY_TEST_LDADD)
TESTS += tests/integration/directory_live.sh

# The test directory: started by tests and by the README demo.
EXTRA_DIST += tests/slapd/slapd-start.sh tests/slapd/slapd-stop.sh \
	tests/slapd/adapt-msuser.py tests/slapd/fixture.py \
	tests/slapd/ad-extra.ldif tests/integration/directory_live.sh

# Start-up checks: allow/deny names resolved, service account access probed.
libentca_ldap_a_SOURCES += ldap/resolve.c

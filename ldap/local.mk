# ldap/: the directory (binds, lookups, groups, certificate mapping, CRL
# publication) and the throwaway test slapd in tests/slapd/. See
# ldap/directory.h for what the module owns.
noinst_LIBRARIES += libentca_ldap.a
libentca_ldap_a_SOURCES = ldap/directory.h ldap/dir_int.h ldap/directory.c \
	ldap/pool.c ldap/search.c ldap/domain.c ldap/recheck.c ldap/recheck.h \
	ldap/bind.c ldap/entry.c ldap/lookup.c ldap/groups.c ldap/certmap.h ldap/certmap.c \
	ldap/publish.c ldap/sid.h ldap/sid.c ldap/escape.h ldap/escape.c \
	ldap/cache.h ldap/cache.c ldap/tlsdiag.c ldap/publish_user.c

# ldap/ tests link only what ldap/ uses (ldap -> policy -> common), so
# they build while other folders are in flux. test_directory checks the pure
# parts (SID/GUID codecs, escaping, cache, SID extension parser); the live
# programs run against a real slapd, driven by directory_live.sh.
DIRECTORY_TEST_LDADD = libentca_test.a libentca_ldap.a libentca_policy.a \
	libentca_common.a $(LDAP_LIBS) $(GNUTLS_LIBS) $(TASN1_LIBS) \
	$(PTHREAD_LIBS) $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/ldap/test_directory \
	tests/unit/ldap/test_directory_live tests/unit/ldap/test_directory_live_ops
TESTS += tests/unit/ldap/test_directory tests/integration/directory_live.sh
tests_unit_ldap_test_directory_LDADD = $(DIRECTORY_TEST_LDADD)
# The shared re-read gate, with a fake directory read (exact interleavings).
check_PROGRAMS += tests/unit/ldap/test_recheck
TESTS += tests/unit/ldap/test_recheck
tests_unit_ldap_test_recheck_LDADD = $(DIRECTORY_TEST_LDADD)
tests_unit_ldap_test_directory_live_LDADD = $(DIRECTORY_TEST_LDADD)
tests_unit_ldap_test_directory_live_ops_LDADD = $(DIRECTORY_TEST_LDADD)

# The test directory: started by tests and by the README demo.
EXTRA_DIST += tests/slapd/slapd-start.sh tests/slapd/slapd-stop.sh \
	tests/slapd/adapt-msuser.py tests/slapd/fixture.py \
	tests/slapd/ad-extra.ldif tests/integration/directory_live.sh

# Start-up checks: allow/deny names resolved, service account access probed.
libentca_ldap_a_SOURCES += ldap/resolve.c

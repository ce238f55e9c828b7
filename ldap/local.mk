# ldap/: the directory (binds, lookups, groups, certificate mapping, CRL
# publication) and the throwaway test slapd in tests/slapd/. See
# ldap/directory.h for what the module owns.
noinst_LIBRARIES += libentca_ldap.a
libentca_ldap_a_SOURCES =

# The test directory: started by tests and by the README demo.
EXTRA_DIST += tests/slapd/slapd-start.sh tests/slapd/slapd-stop.sh \
	tests/slapd/adapt-msuser.py tests/slapd/fixture.py \
	tests/slapd/ad-extra.ldif

# ldap/: see ldap's header files for what it owns.
noinst_LIBRARIES += libentca_ldap.a
libentca_ldap_a_SOURCES =

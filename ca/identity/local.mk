# ca/identity/local.mk: the CA identity (state folder, key location, profiles,
# init / import / install-cert / ca-cert) and its tests.
libentca_ca_a_SOURCES += \
	ca/identity/identity.c ca/identity/identity.h \
	ca/identity/identity_build.c ca/identity/identity_build.h \
	ca/identity/identity_new.c ca/identity/identity_renew.c

check_PROGRAMS += tests/unit/ca/identity/test_identity
TESTS += tests/unit/ca/identity/test_identity

# A small driver that runs the tool subcommands (and a signer round trip)
# so the integration scripts do not depend on the entca main.
check_PROGRAMS += tests/unit/ca/identity/test_identity_tool

TESTS += tests/integration/identity_init.sh \
	tests/integration/identity_import.sh \
	tests/integration/identity_pkcs11.sh
EXTRA_DIST += tests/integration/identity_init.sh \
	tests/integration/identity_import.sh \
	tests/integration/identity_pkcs11.sh

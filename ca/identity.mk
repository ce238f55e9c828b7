# ca/identity.mk: the CA identity (state folder, key location, profiles,
# init / import / install-cert / ca-cert) and its tests.
libentca_ca_a_SOURCES += \
	ca/keyfile.c ca/keyfile.h \
	ca/identity.c ca/identity.h \
	ca/identity_build.c ca/identity_build.h \
	ca/identity_new.c \
	ca/tool_ca.c ca/tool_ca.h

check_PROGRAMS += tests/unit/test_identity
TESTS += tests/unit/test_identity
tests_unit_test_identity_SOURCES = tests/unit/test_identity.c
tests_unit_test_identity_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_identity_LDADD = $(TEST_LDADD)

# A small driver that runs the tool subcommands (and a signer round trip)
# so the integration scripts do not depend on the entca main.
check_PROGRAMS += tests/unit/test_identity_tool
tests_unit_test_identity_tool_SOURCES = tests/unit/test_identity_tool.c \
	tests/unit/test_signer_issue.h
tests_unit_test_identity_tool_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_identity_tool_LDADD = $(TEST_LDADD)

TESTS += tests/integration/identity_init.sh \
	tests/integration/identity_import.sh \
	tests/integration/identity_pkcs11.sh
EXTRA_DIST += tests/integration/identity_init.sh \
	tests/integration/identity_import.sh \
	tests/integration/identity_pkcs11.sh

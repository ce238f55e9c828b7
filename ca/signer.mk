# ca/signer.mk: the signer process (CA key holder) and its tests.
libentca_ca_a_SOURCES += \
	ca/signer.c ca/signer.h \
	ca/signer_child.c ca/signer_wire.h

check_PROGRAMS += tests/unit/test_signer
TESTS += tests/unit/test_signer
tests_unit_test_signer_SOURCES = tests/unit/test_signer.c \
	tests/unit/test_signer_issue.h
tests_unit_test_signer_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_signer_LDADD = $(TEST_LDADD)

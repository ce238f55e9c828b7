# ca/signer.mk: the signer process (CA key holder) and its tests.
libentca_ca_a_SOURCES += \
	ca/signer.c ca/signer.h \
	ca/signer_child.c ca/signer_wire.h


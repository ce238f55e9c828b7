# ca/identity.mk: owned by the identity work; adds to libentca_ca.a and its tests.

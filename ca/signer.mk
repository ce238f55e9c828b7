# ca/signer.mk: owned by the signer work; adds to libentca_ca.a and its tests.

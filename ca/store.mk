# ca/store.mk: owned by the store work; adds to libentca_ca.a and its tests.

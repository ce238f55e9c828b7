# ca/http.mk: owned by the http work; adds to libentca_ca.a and its tests.

# ca/issue.mk: owned by the issue work; adds to libentca_ca.a and its tests.

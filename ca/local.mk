# ca/: see ca's header files for what it owns.
noinst_LIBRARIES += libentca_ca.a
libentca_ca_a_SOURCES =

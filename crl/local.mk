# crl/: see crl's header files for what it owns.
noinst_LIBRARIES += libentca_crl.a
libentca_crl_a_SOURCES =

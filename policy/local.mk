# policy/: see policy's header files for what it owns.
noinst_LIBRARIES += libentca_policy.a
libentca_policy_a_SOURCES = policy/principal.c policy/principal.h

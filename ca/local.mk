# ca/: the daemon and the admin tool, one subfolder per part (see README's
# code map); each subfolder's local.mk adds to libentca_ca.a.
noinst_LIBRARIES += libentca_ca.a
libentca_ca_a_SOURCES =
nodist_libentca_ca_a_SOURCES =
include ca/store/local.mk
include ca/signer/local.mk
include ca/identity/local.mk
include ca/http/local.mk
include ca/issue/local.mk
include ca/tool/local.mk
include ca/est/local.mk
include ca/api/local.mk
include ca/daemon/local.mk
include ca/ocsp/local.mk
include ca/scep/local.mk

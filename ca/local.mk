# ca/: the daemon and the admin tool. Sub-areas keep their own .mk file so
# they can grow independently; all add to libentca_ca.a.
noinst_LIBRARIES += libentca_ca.a
libentca_ca_a_SOURCES =
include ca/store.mk
include ca/signer.mk
include ca/identity.mk
include ca/http.mk
include ca/issue.mk
include ca/template_tool.mk
include ca/daemon.mk

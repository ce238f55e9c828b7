# ca/tool/local.mk: `entca template ...` commands (owned by the templates
# work). Included from ca/local.mk; adds to libentca_ca.a.
libentca_ca_a_SOURCES += ca/tool/tool_template.c ca/tool/tool_template.h \
	ca/tool/tool_admin.c ca/tool/tool_admin.h \
	ca/tool/tool_ca.c ca/tool/tool_ca.h \
	ca/tool/tool_api.c ca/tool/tool_api.h ca/tool/tool_https.c ca/tool/tool_https.h
libentca_ca_a_SOURCES += ca/tool/tool_restore.c ca/tool/tool_restore.h \
	ca/tool/tool_x509.c ca/tool/tool_x509.h ca/tool/tool_dump.c ca/tool/tool_dump.h \
	ca/tool/tool_verify.c ca/tool/tool_verify.h ca/tool/tool_db.c ca/tool/tool_db.h \
	ca/tool/tool_renew.c ca/tool/tool_renew.h
# entca scep challenge (issue 17).
libentca_ca_a_SOURCES += ca/tool/tool_scep.c ca/tool/tool_scep.h

bin_PROGRAMS += entca
entca_SOURCES = ca/tool/entca.c
entca_LDADD = $(ENTCA_LIBS)
# entca's side of entcad's control socket (issue 14).
libentca_ca_a_SOURCES += ca/tool/tool_control.c ca/tool/tool_control.h

# entca restore / verify / dump / db cleanup / ca renew (issue 15).
TESTS += tests/integration/ca_restore.sh tests/integration/ca_verify_dump.sh \
	tests/integration/db_cleanup.sh tests/integration/ca_renew.sh \
	tests/integration/ca_restore_pkcs11.sh
EXTRA_DIST += tests/integration/ca_restore.sh tests/integration/ca_verify_dump.sh \
	tests/integration/db_cleanup.sh tests/integration/ca_renew.sh \
	tests/integration/ca_restore_pkcs11.sh

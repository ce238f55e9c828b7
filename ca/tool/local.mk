# ca/tool/local.mk: `entca template ...` commands (owned by the templates
# work). Included from ca/local.mk; adds to libentca_ca.a.
libentca_ca_a_SOURCES += ca/tool/tool_template.c ca/tool/tool_template.h \
	ca/tool/tool_admin.c ca/tool/tool_admin.h \
	ca/tool/tool_ca.c ca/tool/tool_ca.h \
	ca/tool/tool_api.c ca/tool/tool_api.h ca/tool/tool_https.c ca/tool/tool_https.h

bin_PROGRAMS += entca
entca_SOURCES = ca/tool/entca.c
entca_LDADD = $(ENTCA_LIBS)
# entca's side of entcad's control socket (issue 14).
libentca_ca_a_SOURCES += ca/tool/tool_control.c ca/tool/tool_control.h

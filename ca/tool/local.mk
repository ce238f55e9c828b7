# ca/tool/local.mk: `entca template ...` commands (owned by the templates
# work). Included from ca/local.mk; adds to libentca_ca.a.
libentca_ca_a_SOURCES += ca/tool/tool_template.c ca/tool/tool_template.h \
	ca/tool/tool_admin.c ca/tool/tool_admin.h \
	ca/tool/tool_ca.c ca/tool/tool_ca.h
# entca scep challenge (issue 17).
libentca_ca_a_SOURCES += ca/tool/tool_scep.c ca/tool/tool_scep.h

bin_PROGRAMS += entca
entca_SOURCES = ca/tool/entca.c
entca_LDADD = $(ENTCA_LIBS)

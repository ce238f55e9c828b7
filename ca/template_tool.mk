# ca/template_tool.mk: `entca template ...` commands (owned by the templates
# work). Included from ca/local.mk; adds to libentca_ca.a.
libentca_ca_a_SOURCES += ca/tool_template.c ca/tool_template.h

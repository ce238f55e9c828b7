# templates/: see templates's header files for what it owns.
noinst_LIBRARIES += libentca_templates.a
libentca_templates_a_SOURCES =

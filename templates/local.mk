# templates/: the certificate template model (template.h), the file parser
# and writer, built-ins, lint rules, folder loading and the AD LDIF import.
noinst_LIBRARIES += libentca_templates.a
libentca_templates_a_SOURCES = \
	templates/template.h \
	templates/template_names.c templates/template_names.h \
	templates/template_value.c templates/template_value.h \
	templates/template_keys.c templates/template_keys.h \
	templates/template_parse.c \
	templates/template_write.c \
	templates/template_lint.c \
	templates/template_builtin.c templates/template_dup.c \
	templates/template_set.c templates/template_set.h \
	templates/template_ldif.c templates/template_ldif.h \
	templates/template_sd.c templates/template_sd.h \
	templates/template_import.c templates/template_import.h

TEMPLATES_UNIT_TESTS = tests/unit/templates/test_template_parse \
	tests/unit/templates/test_template_lint tests/unit/templates/test_template_set \
	tests/unit/templates/test_template_ldif
check_PROGRAMS += $(TEMPLATES_UNIT_TESTS)
TESTS += $(TEMPLATES_UNIT_TESTS)
tests_unit_templates_test_template_ldif_CFLAGS = $(TEST_CFLAGS) -DTOP_SRCDIR='"$(abs_top_srcdir)"'
EXTRA_DIST += tests/fixtures/templates/ad-export.ldif \
	tests/fixtures/templates/make-ad-export.py

# The `entca template` commands live in ca/ (ca/tool/local.mk, in
# libentca_ca.a). The walkthrough script runs them through `entca`, or
# through this driver when `entca` is not built.
check_PROGRAMS += tests/unit/templates/test_template_tooldrv

TESTS += tests/integration/template_walkthrough.sh
EXTRA_DIST += tests/integration/template_walkthrough.sh \
	etc/templates/PKCSIntune.tmpl

TESTS += tests/integration/template_ldif_slapd.sh
EXTRA_DIST += tests/integration/template_ldif_slapd.sh

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

check_PROGRAMS += tests/unit/templates/test_template_parse
TESTS += tests/unit/templates/test_template_parse
tests_unit_templates_test_template_parse_SOURCES = tests/unit/templates/test_template_parse.c
tests_unit_templates_test_template_parse_CFLAGS = $(TEST_CFLAGS)
tests_unit_templates_test_template_parse_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/templates/test_template_lint
TESTS += tests/unit/templates/test_template_lint
tests_unit_templates_test_template_lint_SOURCES = tests/unit/templates/test_template_lint.c
tests_unit_templates_test_template_lint_CFLAGS = $(TEST_CFLAGS)
tests_unit_templates_test_template_lint_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/templates/test_template_set
TESTS += tests/unit/templates/test_template_set
tests_unit_templates_test_template_set_SOURCES = tests/unit/templates/test_template_set.c \
	tests/unit/test_tmpdir.c tests/unit/test_tmpdir.h
tests_unit_templates_test_template_set_CFLAGS = $(TEST_CFLAGS)
tests_unit_templates_test_template_set_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/templates/test_template_ldif
TESTS += tests/unit/templates/test_template_ldif
tests_unit_templates_test_template_ldif_SOURCES = tests/unit/templates/test_template_ldif.c \
	tests/unit/test_tmpdir.c tests/unit/test_tmpdir.h
tests_unit_templates_test_template_ldif_CFLAGS = $(TEST_CFLAGS) -DTOP_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_templates_test_template_ldif_LDADD = $(TEST_LDADD)
EXTRA_DIST += tests/fixtures/templates/ad-export.ldif \
	tests/fixtures/templates/make-ad-export.py

# The `entca template` commands live in ca/ (ca/tool/local.mk, in
# libentca_ca.a). The walkthrough script runs them through `entca`, or
# through this driver when `entca` is not built.
check_PROGRAMS += tests/unit/templates/test_template_tooldrv
tests_unit_templates_test_template_tooldrv_SOURCES = tests/unit/templates/test_template_tooldrv.c
tests_unit_templates_test_template_tooldrv_CFLAGS = $(TEST_CFLAGS)
tests_unit_templates_test_template_tooldrv_LDADD = $(TEST_LDADD)

TESTS += tests/integration/template_walkthrough.sh
EXTRA_DIST += tests/integration/template_walkthrough.sh \
	etc/templates/PKCSIntune.tmpl

TESTS += tests/integration/template_ldif_slapd.sh
EXTRA_DIST += tests/integration/template_ldif_slapd.sh

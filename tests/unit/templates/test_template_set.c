/*
 * Unit tests for templates/template_set.c: loading a folder of template
 * files (sorted, linted, duplicates refused, each error naming its file)
 * and the SHA-256 of each file, checked against sha256sum.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/error.h"
#include "templates/template.h"
#include "templates/template_set.h"
#include "tests/unit/test_tmpdir.h"

static char dir[64];

/* Write one file with mode 0644 into the test folder. */
static void
put(const char *name, const char *text)
{
	char path[256];

	assert_int_equal(t_tmpdir_put(dir, name, text), CA_OK);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(chmod(path, 0644), 0);
}

/* Remove one file of the test folder. */
static void
del(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

/* A fresh 0755 folder per test. */
static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/entca-set.XXXXXX");
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) != 0)
		return -1;
	return 0;
}

/* Remove the folder and what the test left in it. */
static int
teardown(void **state)
{
	(void)state;
	return t_tmpdir_remove(dir) == CA_OK ? 0 : -1;
}

#define GOOD(dn) "[template]\ndisplay-name = " dn "\n" \
	"application-policies = client-auth\n[security]\nallow = CONN$ : read, enroll\n"

/* Sorted load, find, hashes equal to sha256sum's, other files ignored. */
static void
test_load(void **state)
{
	struct template_set *s = NULL;
	char why[CA_WHY_MAX], cmd[256], line[128], hex[65];
	FILE *p;

	(void)state;
	put("b.tmpl", GOOD("Beta"));
	put("a.tmpl", GOOD("Alpha One"));
	put("notes.txt", "not a template");
	put(".hidden.tmpl", "garbage");
	put("c.tmpl.bak", "garbage");
	assert_int_equal(template_set_load(dir, &s, why, sizeof(why)), CA_OK);
	assert_int_equal(template_set_count(s), 2);
	assert_string_equal(template_set_at(s, 0)->file, "a.tmpl");
	assert_string_equal(template_set_at(s, 0)->t.name, "AlphaOne");
	assert_string_equal(template_set_at(s, 1)->file, "b.tmpl");
	assert_null(template_set_at(s, 2));
	assert_ptr_equal(template_set_find(s, "alphaone"), &template_set_at(s, 0)->t);
	assert_null(template_set_find(s, "Gamma"));
	snprintf(cmd, sizeof(cmd), "sha256sum '%s/a.tmpl'", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof(line), p));
	pclose(p);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", template_set_at(s, 0)->sha256[i]);
	assert_int_equal(strncmp(line, hex, 64), 0);
	template_set_free(s);
	template_set_free(NULL);
	assert_int_equal(template_set_count(NULL), 0);
}

/* An empty folder is an empty set; a missing one is an I/O error. */
static void
test_empty_missing(void **state)
{
	struct template_set *s = NULL;
	char why[CA_WHY_MAX];

	(void)state;
	assert_int_equal(template_set_load(dir, &s, why, sizeof(why)), CA_OK);
	assert_int_equal(template_set_count(s), 0);
	template_set_free(s);
	assert_int_equal(template_set_load("/nonexistent/entca", &s, why,
	    sizeof(why)), CA_EIO);
	assert_null(s);
	assert_string_equal(why, "templates folder /nonexistent/entca: No such "
	    "file or directory");
}

/* Each refusal names the file that caused it. */
static void
test_refusals(void **state)
{
	struct template_set *s = NULL;
	char why[CA_WHY_MAX], path[256];

	(void)state;
	put("a.tmpl", GOOD("Alpha"));
	put("b.tmpl", "[template]\ndisplay-name = Other\nname = ALPHA\n"
	    "application-policies = client-auth\n");
	assert_int_equal(template_set_load(dir, &s, why, sizeof(why)), CA_EEXIST);
	assert_null(s);
	assert_string_equal(why, "template b.tmpl: duplicate template name "
	    "\"ALPHA\" (also in a.tmpl)");
	put("b.tmpl", "[template]\ndisplay-name = Other\noid = 1.2.3\n");
	put("c.tmpl", "[template]\ndisplay-name = Third\noid = 1.2.3\n");
	assert_int_equal(template_set_load(dir, &s, why, sizeof(why)), CA_EEXIST);
	assert_string_equal(why, "template c.tmpl: duplicate template OID 1.2.3 "
	    "(also in b.tmpl)");
	del("c.tmpl");
	put("b.tmpl", "[template]\ndisplay-name = Other\nmin-key-size = 512\n");
	assert_int_equal(template_set_load(dir, &s, why, sizeof(why)), CA_EPARSE);
	assert_string_equal(why, "template b.tmpl line 3: min-key-size: expected "
	    "1024..16384, got \"512\"");
	put("b.tmpl", "[template]\ndisplay-name = Other\nsubject = "
	    "supply-in-request\napplication-policies = client-auth\n"
	    "[security]\nallow = Domain Users : enroll\n");
	assert_int_equal(template_set_load(dir, &s, why, sizeof(why)), CA_EPOLICY);
	assert_non_null(strstr(why, "template Other: ESC1:"));
	put("b.tmpl", GOOD("Other"));
	snprintf(path, sizeof(path), "%s/b.tmpl", dir);
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(template_set_load(dir, &s, why, sizeof(why)), CA_EPOLICY);
	assert_non_null(strstr(why, "ESC4: file "));
	assert_non_null(strstr(why, "b.tmpl is writable"));
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(template_set_load(dir, &s, why, sizeof(why)), CA_OK);
	assert_int_equal(template_set_count(s), 2);
	template_set_free(s);
	/* A directory named *.tmpl is not a template file. */
	snprintf(path, sizeof(path), "%s/d.tmpl", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(template_set_load(dir, &s, why, sizeof(why)), CA_EIO);
	assert_string_equal(why, "template d.tmpl: not a regular file");
	rmdir(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

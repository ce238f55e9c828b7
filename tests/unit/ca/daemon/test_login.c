/*
 * Unit tests for the pure parts of "who is logged in": log_escape() (the
 * one rendering of untrusted text in log lines and tables), the account
 * state rules every login shares (directory_account_usable), and the
 * [http] login-templates / certificate-admin keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/error.h"
#include "common/log.h"
#include "ca/daemon/settings.h"
#include "ldap/certmap.h"

/* Escape a C string into a fresh static buffer. */
static const char *
esc(const char *s, size_t len)
{
	static char out[512];

	log_escape(s, len, out, sizeof(out));
	return out;
}

/* Newlines, escapes, C1 controls, bidi overrides and stray bytes. */
static void
test_escape(void **state)
{
	char small[8];

	(void)state;
	assert_string_equal(esc("alice", 5), "alice");
	assert_string_equal(esc("a\nb\r\tc", 6), "a\\nb\\r\\tc");
	assert_string_equal(esc("\x1b[2J\x07\x7f", 6), "\\x1b[2J\\x07\\x7f");
	/* U+009B (CSI as one C1 character), U+2028, U+202E. */
	assert_string_equal(esc("x\xc2\x9by", 4), "x\\x9by");
	assert_string_equal(esc("\xe2\x80\xa8", 3), "\\u2028");
	assert_string_equal(esc("\xe2\x80\xae", 3), "\\u202e");
	/* Valid UTF-8 and backslashes (RFC 4514 DNs) are kept. */
	assert_string_equal(esc("J\xc3\xb6rg CN=a\\,b", 13), "J\xc3\xb6rg CN=a\\,b");
	/* Not UTF-8: lone bytes, overlong forms, surrogates, truncation. */
	assert_string_equal(esc("\xff\xfe" "bad", 5), "\\xff\\xfebad");
	assert_string_equal(esc("\xc0\xaf", 2), "\\xc0\\xaf");
	assert_string_equal(esc("\xed\xa0\x80", 3), "\\xed\\xa0\\x80");
	assert_string_equal(esc("\xe2\x80", 2), "\\xe2\\x80");
	/* Truncation happens at a whole escape, never inside one. */
	assert_int_equal(log_escape("ab\ncd", 5, small, 5), 4);
	assert_string_equal(small, "ab\\n");
	assert_int_equal(log_escape("abc\x1b", 4, small, 6), 3);
	assert_string_equal(small, "abc");
}

/* Disabled, locked, expired, password expired, groups: refused. */
static void
test_account_state(void **state)
{
	struct principal p;
	char why[CA_WHY_MAX];

	(void)state;
	memset(&p, 0, sizeof(p));
	snprintf(p.sid, sizeof(p.sid), "S-1-5-21-1-2-3-1108");
	snprintf(p.dn, sizeof(p.dn), "cn=pkiadmin,dc=demo");
	p.uac = PRINCIPAL_UAC_NORMAL_ACCOUNT;
	assert_int_equal(directory_account_usable(&p, why, sizeof(why)), CA_OK);
	p.uac |= PRINCIPAL_UAC_ACCOUNTDISABLE;
	assert_int_equal(directory_account_usable(&p, why, sizeof(why)), CA_EAUTH);
	assert_non_null(strstr(why, "disabled"));
	p.uac = PRINCIPAL_UAC_NORMAL_ACCOUNT | PRINCIPAL_UAC_LOCKOUT;
	assert_int_equal(directory_account_usable(&p, why, sizeof(why)), CA_EAUTH);
	assert_non_null(strstr(why, "locked"));
	p.uac = PRINCIPAL_UAC_NORMAL_ACCOUNT | PRINCIPAL_UAC_PASSWORD_EXPIRED;
	assert_int_equal(directory_account_usable(&p, why, sizeof(why)), CA_EAUTH);
	p.uac = PRINCIPAL_UAC_NORMAL_ACCOUNT;
	p.expired = true;
	assert_int_equal(directory_account_usable(&p, why, sizeof(why)), CA_EAUTH);
	assert_non_null(strstr(why, "expired"));
	p.expired = false;
	p.kind = PRINCIPAL_GROUP;
	assert_int_equal(directory_account_usable(&p, why, sizeof(why)), CA_EAUTH);
	memset(&p, 0, sizeof(p));
	assert_int_equal(directory_account_usable(&p, why, sizeof(why)), CA_EAUTH);
}

/* Load a configuration text; return the code. */
static int
load(const char *text, struct ca_config *c, char *why, size_t len)
{
	char path[64];
	int fd, rc;

	snprintf(path, sizeof(path), "/tmp/entca-login.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	rc = config_load(path, c, why, len);
	unlink(path);
	return rc;
}

/* The two keys, their defaults and their errors. */
static void
test_config_keys(void **state)
{
	struct ca_config *c = calloc(1, sizeof(*c));
	char why[CA_WHY_MAX];

	(void)state;
	assert_non_null(c);
	assert_int_equal(load("[ca]\nstate-dir = /tmp/x\n", c, why, sizeof(why)), CA_OK);
	assert_int_equal(c->n_login_templates, 0);
	assert_false(c->certificate_admin);
	assert_false(config_login_template(c, "PKCSIntune"));
	assert_int_equal(load("[ca]\nstate-dir = /tmp/x\n[http]\n"
	    "login-templates = ConnectorAuth, Admins\ncertificate-admin = yes\n",
	    c, why, sizeof(why)), CA_OK);
	assert_true(config_login_template(c, "connectorauth"));
	assert_true(config_login_template(c, "Admins"));
	assert_false(config_login_template(c, "PKCSIntune"));
	assert_true(c->certificate_admin);
	assert_int_equal(load("[ca]\nstate-dir = /tmp/x\n[http]\ncertificate-admin = maybe\n",
	    c, why, sizeof(why)), CA_ECONFIG);
	assert_non_null(strstr(why, "certificate-admin"));
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_account_state),
		cmocka_unit_test(test_config_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

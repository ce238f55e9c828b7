/*
 * Unit tests for ca/daemon/config.c: every section's keys, the messages for bad
 * values (file, line and key named), cross-key rules and derived defaults.
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
#include "ca/daemon/settings.h"
#include "policy/rights.h"

static char conf_path[64];

/* Write text to a fresh temporary file; its path is conf_path. */
static void
write_conf(const char *text)
{
	int fd;

	snprintf(conf_path, sizeof(conf_path), "/tmp/entca-conf.XXXXXX");
	fd = mkstemp(conf_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Load text; return the code, the message in why. */
static int
load(const char *text, struct ca_config *c, char *why, size_t len)
{
	int rc;

	write_conf(text);
	rc = config_load(conf_path, c, why, len);
	unlink(conf_path);
	return rc;
}

/* A complete file sets every section and derives CDP/AIA from public-url. */
static void
test_good_file(void **state)
{
	static struct ca_config c;
	char why[CA_WHY_MAX] = "";

	(void)state;
	assert_int_equal(load(
	    "[ca]\nname = Corp-CA\nstate-dir = /var/lib/x\ntemplates-dir = /etc/x\n"
	    "issue-templates = PKCSIntune, User\ndefault-template = PKCSIntune\n"
	    "workers = 8\n"
	    "[http]\nlisten = 127.0.0.1:9443\ncrl-listen = 127.0.0.1:9080\n"
	    "[directory]\nuri = ldap://127.0.0.1:389\nbase = dc=demo,dc=example\n"
	    "tls = none-loopback-only\ntimeout = 500\ncache-ttl = 0\n"
	    "[crl]\nperiod = 2w\ndelta-period = 12h\n"
	    "[security]\nallow = INTUNECONN$ : read, request, officer\n"
	    "deny = Denied Users : request\n"
	    "[log]\nlevel = debug\n", &c, why, sizeof(why)), CA_OK);
	assert_string_equal(c.name, "Corp-CA");
	assert_int_equal(c.n_issue, 2);
	assert_true(config_issues_template(&c, "pkcsintune"));
	assert_false(config_issues_template(&c, "WebServer"));
	assert_int_equal(c.workers, 8);
	assert_true(c.directory_enabled);
	assert_int_equal(c.dir_tls, CONFIG_DIR_TLS_NONE_LOOPBACK_ONLY);
	assert_int_equal(c.dir_cache_ttl_s, 0);
	assert_int_equal(c.crl_period_s, 14 * 86400);
	assert_int_equal(c.delta_period_s, 12 * 3600);
	assert_int_equal(c.n_aces, 2);
	assert_false(c.aces[0].deny);
	assert_int_equal(c.aces[0].rights, CA_RIGHT_READ | CA_RIGHT_REQUEST | CA_RIGHT_OFFICER);
	assert_true(c.aces[1].deny);
	assert_string_equal(c.aces[1].principal, "Denied Users");
	/* CDP and AIA over plain http on the CRL listener. */
	assert_string_equal(c.cdp_urls[0], "http://127.0.0.1:9080/crl/Corp-CA.crl");
	assert_string_equal(c.aia_urls[0], "http://127.0.0.1:9080/aia/Corp-CA.crt");
	assert_string_equal(c.tls_cert, "/var/lib/x/tls.crt");
}

/* Each bad line gives its own message with the line number and the key. */
static void
test_bad_values(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} rows[] = {
		{ "[ca]\nworkers = 0\n", "line 2: [ca] workers: expected 1..64" },
		{ "[ca]\nstate-dir = relative\n", "line 2: [ca] state-dir: expected an absolute path" },
		{ "[ca]\nname = a b\n", "line 2: [ca] name: expected a CA name" },
		{ "[http]\nlisten = 8443\n", "line 2: [http] listen: expected ADDRESS:PORT" },
		{ "[http]\nmax-body = 10\n", "line 2: [http] max-body: expected 1024..16777216" },
		{ "[http]\npublic-url = ftp://x\n", "line 2: [http] public-url: expected an http" },
		{ "[directory]\nuri = http://x\n", "line 2: [directory] uri: expected ldap://" },
		{ "[directory]\ntls = maybe\n", "line 2: [directory] tls: expected starttls" },
		{ "[directory]\ndomain-sid = S-1-1-0\n", "line 2: [directory] domain-sid: expected S-1-5-21-" },
		{ "[crl]\nperiod = soon\n", "line 2: [crl] period: expected a duration" },
		{ "[crl]\ncdp-url = file:///x\n", "line 2: [crl] cdp-url: expected an http:// or ldap:// URL" },
		{ "[security]\nallow = INTUNECONN$ : fly\n", "line 2: [security] allow:" },
		{ "[security]\npermit = x : read\n", "line 2: [security] permit: unknown key" },
		{ "[log]\nlevel = loud\n", "line 2: [log] level: expected error" },
		{ "[est]\npfx-min-password-length = 0\n", "line 2: [est] pfx-min-password-length: expected 1..128" },
		{ "[est]\npfx-password = x\n", "line 2: [est] pfx-password: unknown key" },
		{ "[ca]\n\ncolour = blue\n", "line 3: [ca] colour: unknown key" },
		{ "[dns]\nx = 1\n", "line 2: [dns]: unknown section" },
		{ "name = x\n", "line 1: name: key outside any section" },
		{ "[ca\n", "line 1: syntax error" },
	};
	static struct ca_config c;
	char why[CA_WHY_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		why[0] = '\0';
		assert_int_equal(load(rows[i].text, &c, why, sizeof(why)), CA_ECONFIG);
		if (strstr(why, rows[i].want) == NULL || strstr(why, conf_path) == NULL)
			fail_msg("row %zu: \"%s\" lacks \"%s\" or the file name", i, why, rows[i].want);
	}
}

/* Rules that need the whole file. */
static void
test_cross_rules(void **state)
{
	static struct ca_config c;
	char why[CA_WHY_MAX];

	(void)state;
	assert_int_equal(load("[crl]\nperiod = 1d\ndelta-period = 1d\n", &c, why, sizeof(why)), CA_ECONFIG);
	assert_non_null(strstr(why, "delta-period must be shorter than period"));
	assert_int_equal(load("[directory]\nbase = dc=x\n", &c, why, sizeof(why)), CA_ECONFIG);
	assert_non_null(strstr(why, "[directory] needs uri and base"));
	assert_int_equal(load("[ca]\nissue-templates = A\ndefault-template = B\n", &c, why, sizeof(why)), CA_ECONFIG);
	assert_non_null(strstr(why, "default-template \"B\" is not in issue-templates"));
	/* Without a CRL listener the derived URLs point at the HTTPS listener. */
	assert_int_equal(load("[ca]\nname = X\n", &c, why, sizeof(why)), CA_OK);
	assert_string_equal(c.cdp_urls[0], "https://127.0.0.1:8443/crl/X.crl");
	assert_int_equal(config_load("/nonexistent/entcad.conf", &c, why, sizeof(why)), CA_EIO);
	assert_non_null(strstr(why, "/nonexistent/entcad.conf"));
}

/* [crl] durations use common/value.h's grammar ("m" is minutes); refusals. */
static void
test_durations(void **state)
{
	struct ca_config c;
	char why[CA_WHY_MAX];

	(void)state;
	assert_int_equal(load("[crl]\nperiod = 1w\ndelta-period = 30m\n"
	    "overlap = 90s\n", &c, why, sizeof(why)), CA_OK);
	assert_int_equal(c.crl_period_s, 604800);
	assert_int_equal(c.delta_period_s, 1800);
	assert_int_equal(c.crl_overlap_s, 90);
	assert_int_equal(load("[crl]\nperiod = 1d 12h\n", &c, why, sizeof(why)),
	    CA_OK);
	assert_int_equal(c.crl_period_s, 129600);
	for (const char *const *v = (const char *const[]){ "0d", "-1d", "1x",
	    "90", "99999999999999999999y", NULL }; *v != NULL; v++) {
		char conf[128];

		snprintf(conf, sizeof(conf), "[crl]\nperiod = %s\n", *v);
		assert_int_equal(load(conf, &c, why, sizeof(why)), CA_ECONFIG);
		assert_non_null(strstr(why, "[crl] period: expected a duration"));
	}
}

/* [ca] signer-user and pkcs11-pin-file: defaults, refusals, the cross rule. */
static void
test_signer_keys(void **state)
{
	static struct ca_config c;
	char why[CA_WHY_MAX];

	(void)state;
	assert_int_equal(load("[ca]\nname = X\n", &c, why, sizeof(why)), CA_OK);
	assert_string_equal(c.signer_user, "entca-signer");
	assert_string_equal(c.pkcs11_pin_file, "");
	assert_int_equal(load("[ca]\nsigner-user = hsm\npkcs11-pin-file = /etc/entca/pin\n",
	    &c, why, sizeof(why)), CA_OK);
	assert_string_equal(c.signer_user, "hsm");
	assert_string_equal(c.pkcs11_pin_file, "/etc/entca/pin");
	assert_int_equal(load("[ca]\nsigner-user =\n", &c, why, sizeof(why)), CA_ECONFIG);
	assert_non_null(strstr(why, "line 2: [ca] signer-user: expected a user name"));
	assert_int_equal(load("[ca]\npkcs11-pin-file = pin\n", &c, why, sizeof(why)), CA_ECONFIG);
	assert_non_null(strstr(why, "[ca] pkcs11-pin-file: expected an absolute path"));
	assert_int_equal(load("[ca]\nuser = entca\nsigner-user = entca\n", &c, why, sizeof(why)),
	    CA_ECONFIG);
	assert_non_null(strstr(why, "[ca] signer-user must differ from [ca] user (entca)"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_cross_rules),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_signer_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

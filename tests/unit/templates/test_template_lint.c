/*
 * Unit tests for templates/template_lint.c and template_builtin.c: every
 * lint rule fires on its pattern (table-driven over principals and EKUs),
 * stays quiet on near misses and yields to its override; ESC4 with chmod
 * in a temp folder; every built-in lints clean and round-trips.
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
#include "templates/template_keys.h"

/* Parse a template made of a [template] body and a [security] body. */
static void
make(struct template *t, const char *body, const char *security)
{
	char text[2048], why[CA_WHY_MAX];

	snprintf(text, sizeof(text), "[template]\ndisplay-name = Lint Me\n%s"
	    "[security]\n%s", body, security);
	if (template_parse_buf("lint.tmpl", text, strlen(text), t, why,
	    sizeof(why)) != CA_OK)
		fail_msg("%s\n%s", why, text);
}

/* Lint and return the code; why keeps the sentence. */
static int
lint(const char *body, const char *security, char *why)
{
	struct template t;

	make(&t, body, security);
	why[0] = '\0';
	return template_lint(&t, NULL, why, CA_WHY_MAX);
}

static const char *const broad[] = {
	"Domain Users", "domain users", "CORP\\Domain Users",
	"CN=Domain Users,CN=Users,DC=corp,DC=example",
	"S-1-5-21-1004336348-1177238915-682003330-513",
	"S-1-5-21-1-2-3-515", "Domain Computers", "S-1-5-21-1-2-3-514",
	"S-1-5-11", "NT AUTHORITY\\Authenticated Users", "Authenticated Users",
	"S-1-1-0", "Everyone", "S-1-5-32-545", "BUILTIN\\Users",
	"S-1-5-7", "Anonymous Logon",
};
static const char *const narrow[] = {
	"INTUNECONN$", "CORP\\INTUNECONN$", "Domain Admins",
	"S-1-5-21-1-2-3-512", "S-1-5-21-1-2-3-5130", "CN=Connector,OU=Srv,DC=x",
	"S-1-5-21-1-2-3-1106", "Users-Of-Finance", "S-1-5-32-544",
};
static const char *const auth_ekus[] = {
	"client-auth", "smartcard-logon", "any-purpose", "pkinit-client",
	"server-auth, 1.3.6.1.5.5.7.3.2", "",
};

/* ESC1 fires for every broad group spelling and every client-auth EKU. */
static void
test_esc1_fires(void **state)
{
	char body[256], sec[256], why[CA_WHY_MAX];

	(void)state;
	for (size_t p = 0; p < sizeof(broad) / sizeof(broad[0]); p++)
		for (size_t e = 0; e < sizeof(auth_ekus) / sizeof(auth_ekus[0]); e++) {
			snprintf(body, sizeof(body), "subject = supply-in-request\n"
			    "application-policies = %s\n", auth_ekus[e]);
			snprintf(sec, sizeof(sec), "allow = %s : read, %s\n",
			    broad[p], e % 2 ? "autoenroll" : "enroll");
			if (lint(body, sec, why) != CA_EPOLICY ||
			    strstr(why, "ESC1: client authentication") == NULL ||
			    strstr(why, broad[p]) == NULL)
				fail_msg("%s / %s: %s", broad[p], auth_ekus[e], why);
		}
	assert_string_equal(why, "template LintMe: ESC1: client authentication "
	    "(no EKU) + subject supply-in-request + enroll for Anonymous Logon "
	    "without require-approval: any member can get a logon certificate "
	    "naming anyone; narrow [security], set require-approval, or set "
	    "allow-dangerous = esc1");
}

/* Near misses: a narrow principal, approval, agents, directory subject, ... */
static void
test_esc1_quiet(void **state)
{
	static const char *const bodies[] = {
		"subject = supply-in-request\napplication-policies = client-auth\n"
		    "require-approval = yes\n",
		"subject = supply-in-request\napplication-policies = client-auth\n"
		    "authorized-signatures = 1\n",
		"subject = from-directory\napplication-policies = client-auth\n",
		"subject = supply-in-request\napplication-policies = server-auth, "
		    "secure-email, efs\n",
		"subject = supply-in-request\napplication-policies = client-auth\n"
		    "allow-dangerous = esc1\n",
	};
	char sec[256], why[CA_WHY_MAX];

	(void)state;
	for (size_t p = 0; p < sizeof(narrow) / sizeof(narrow[0]); p++) {
		snprintf(sec, sizeof(sec), "allow = %s : read, enroll, autoenroll\n",
		    narrow[p]);
		if (lint("subject = supply-in-request\napplication-policies = "
		    "client-auth\n", sec, why) != CA_OK)
			fail_msg("%s: %s", narrow[p], why);
	}
	for (size_t b = 0; b < sizeof(bodies) / sizeof(bodies[0]); b++)
		if (lint(bodies[b], "allow = Domain Users : enroll\n", why) != CA_OK)
			fail_msg("%s: %s", bodies[b], why);
	/* Read alone is not enroll; a deny for the same group takes it back. */
	assert_int_equal(lint("subject = supply-in-request\napplication-policies = "
	    "client-auth\n", "allow = Domain Users : read\n", why), CA_OK);
	assert_int_equal(lint("subject = supply-in-request\napplication-policies = "
	    "client-auth\n", "allow = Everyone : read, enroll\n"
	    "deny = everyone : enroll\n", why), CA_OK);
}

/* ESC2: any-purpose or no EKU with anyone enrolling; override and approval. */
static void
test_esc2(void **state)
{
	char why[CA_WHY_MAX];

	(void)state;
	assert_int_equal(lint("application-policies =\n",
	    "allow = CONN$ : enroll\n", why), CA_EPOLICY);
	assert_string_equal(why, "template LintMe: ESC2: no application policy "
	    "(EKU) on a template that CONN$ may enroll in: the certificate is "
	    "good for any purpose, enrollment agent included; list the "
	    "application policies or set allow-dangerous = esc2");
	assert_int_equal(lint("application-policies = secure-email, any-purpose\n",
	    "allow = Domain Admins : autoenroll\n", why), CA_EPOLICY);
	assert_non_null(strstr(why, "ESC2: any-purpose on a template that "
	    "Domain Admins may enroll in"));
	assert_int_equal(lint("application-policies =\n",
	    "allow = CONN$ : read\n", why), CA_OK);
	assert_int_equal(lint("application-policies =\nallow-dangerous = esc2\n",
	    "allow = CONN$ : enroll\n", why), CA_OK);
	assert_int_equal(lint("application-policies =\nrequire-approval = yes\n",
	    "allow = CONN$ : enroll\n", why), CA_OK);
	/* any-purpose is not lifted by approval or agent signatures. */
	assert_int_equal(lint("application-policies = any-purpose\n"
	    "require-approval = yes\n", "allow = CONN$ : enroll\n", why),
	    CA_EPOLICY);
	assert_non_null(strstr(why, "ESC2: any-purpose"));
	assert_int_equal(lint("application-policies = any-purpose\n"
	    "require-approval = yes\nallow-dangerous = esc2\n",
	    "allow = CONN$ : enroll\n", why), CA_OK);
	/* any-purpose for a broad group with supply-in-request is ESC1 first. */
	assert_int_equal(lint("subject = supply-in-request\napplication-policies = "
	    "any-purpose\nallow-dangerous = esc1\n", "allow = Everyone : enroll\n",
	    why), CA_EPOLICY);
	assert_non_null(strstr(why, "ESC2"));
}

/* ESC3: certificate request agent for broad groups. */
static void
test_esc3(void **state)
{
	char sec[256], why[CA_WHY_MAX];

	(void)state;
	for (size_t p = 0; p < sizeof(broad) / sizeof(broad[0]); p++) {
		snprintf(sec, sizeof(sec), "allow = %s : enroll\n", broad[p]);
		if (lint("application-policies = certificate-request-agent\n", sec,
		    why) != CA_EPOLICY || strstr(why, "ESC3") == NULL)
			fail_msg("%s: %s", broad[p], why);
	}
	assert_string_equal(why, "template LintMe: ESC3: certificate-request-agent "
	    "with enroll for Anonymous Logon: any member can enroll on behalf "
	    "of anyone; narrow [security], set require-approval, or set "
	    "allow-dangerous = esc3");
	assert_int_equal(lint("application-policies = 1.3.6.1.4.1.311.20.2.1\n",
	    "allow = Enrollment Agents : enroll\n", why), CA_OK);
	assert_int_equal(lint("application-policies = certificate-request-agent\n"
	    "allow-dangerous = esc3\n", "allow = Domain Users : enroll\n", why),
	    CA_OK);
	assert_int_equal(lint("application-policies = certificate-request-agent\n"
	    "require-approval = yes\n", "allow = Domain Users : enroll\n", why),
	    CA_OK);
}

/*
 * A setting whose certificates map only weakly to accounts: with
 * client-auth it is refused with exactly want, with server-auth it
 * passes, and allow-dangerous = override lifts the refusal.
 */
static void
expect_weak_mapping(const char *setting, const char *override,
    const char *want)
{
	char body[256], why[CA_WHY_MAX];

	snprintf(body, sizeof(body), "%s\napplication-policies = client-auth\n",
	    setting);
	assert_int_equal(lint(body, "", why), CA_EPOLICY);
	assert_string_equal(why, want);
	snprintf(body, sizeof(body), "%s\napplication-policies = server-auth\n",
	    setting);
	assert_int_equal(lint(body, "", why), CA_OK);
	snprintf(body, sizeof(body), "%s\napplication-policies = client-auth\n"
	    "allow-dangerous = %s\n", setting, override);
	assert_int_equal(lint(body, "", why), CA_OK);
}

/* NO_SID: sid-extension off on client-auth templates, whoever enrolls. */
static void
test_no_sid(void **state)
{
	char body[256], why[CA_WHY_MAX];

	(void)state;
	for (size_t e = 0; e < sizeof(auth_ekus) / sizeof(auth_ekus[0]); e++) {
		snprintf(body, sizeof(body), "sid-extension = no\n"
		    "application-policies = %s\nallow-dangerous = esc2\n",
		    auth_ekus[e]);
		if (lint(body, "allow = CONN$ : enroll\n", why) != CA_EPOLICY ||
		    strstr(why, "no-sid:") == NULL)
			fail_msg("%s: %s", auth_ekus[e], why);
	}
	expect_weak_mapping("sid-extension = no", "no-sid",
	    "template LintMe: no-sid: sid-extension = no on "
	    "a client authentication template (client-auth): its certificates "
	    "map only weakly to accounts (KB5014754, ESC9); set sid-extension = "
	    "yes or allow-dangerous = no-sid");
}

/* UNRESOLVED: names outside the directory on client-auth templates. */
static void
test_unresolved_names(void **state)
{
	(void)state;
	expect_weak_mapping("allow-unresolved-names = yes", "unresolved-names",
	    "template LintMe: unresolved-names: "
	    "allow-unresolved-names = yes on a client authentication template "
	    "(client-auth): its certificates may name accounts nobody owns and "
	    "carry no SID, so they map only weakly (KB5014754); set "
	    "allow-unresolved-names = no or allow-dangerous = unresolved-names");
	assert_string_equal(template_lint_name(TMPL_LINT_UNRESOLVED),
	    "unresolved-names");
}

/* Bounds no override lifts, on structs that did not come through the parser. */
static void
test_bounds(void **state)
{
	struct template t;
	char why[CA_WHY_MAX];

	(void)state;
	make(&t, "application-policies = server-auth\n", "");
	t.key_algorithms = TMPL_KEY_ECDSA_P256;
	t.lint_overrides = 0x1f;
	assert_int_equal(template_lint(&t, NULL, why, sizeof(why)), CA_EPOLICY);
	assert_string_equal(why, "template LintMe: ECDSA keys need "
	    "compatibility-ca and compatibility-recipient 2008 or later");
	t.compat_ca = t.compat_recipient = TMPL_COMPAT_2008;
	assert_int_equal(template_lint(&t, NULL, why, sizeof(why)), CA_OK);
	t.schema_version = 4;
	assert_int_equal(template_lint(&t, NULL, why, sizeof(why)), CA_EPOLICY);
	assert_string_equal(why, "template LintMe: schema version 4 is above "
	    "what compatibility-ca 2008 allows (3)");
	t.schema_version = 3;
	t.server_key_generation = true;
	assert_int_equal(template_lint(&t, NULL, why, sizeof(why)), CA_EPOLICY);
	assert_string_equal(why, "template LintMe: server-key-generation needs "
	    "allow-private-key-export");
	assert_string_equal(template_lint_name(TMPL_LINT_NO_SID), "no-sid");
	assert_null(template_lint_name(TMPL_LINT_COUNT));
}

/* ESC4: group/other-writable file or folder, found with stat after chmod. */
static void
test_esc4(void **state)
{
	/* Folder and file modes, what template_lint says, and fragments of
	 * its reason. */
	static const struct {
		mode_t dir, file;
		int rc;
		const char *says[2];
	} modes[] = {
		{ 0755, 0644, CA_OK, { NULL, NULL } },
		{ 0755, 0664, CA_EPOLICY, { "ESC4: file ", "(mode 0664)" } },
		{ 0755, 0646, CA_EPOLICY, { NULL, NULL } },
		{ 0777, 0600, CA_EPOLICY, { "ESC4: folder ", "(mode 0777)" } },
		{ 0775, 0600, CA_EPOLICY, { NULL, NULL } },
	};
	char dir[] = "/tmp/entca-lint.XXXXXX", path[256], why[CA_WHY_MAX];
	struct template t;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.tmpl", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("x\n", f);
	fclose(f);
	make(&t, "application-policies = server-auth\n", "");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(chmod(dir, modes[i].dir), 0);
		assert_int_equal(chmod(path, modes[i].file), 0);
		if (template_lint(&t, path, why, sizeof(why)) != modes[i].rc)
			fail_msg("folder %o, file %o: %s", modes[i].dir,
			    modes[i].file, why);
		for (size_t k = 0; k < 2; k++)
			if (modes[i].says[k] != NULL)
				assert_non_null(strstr(why, modes[i].says[k]));
	}
	/* The override, and NULL path skipping the check. */
	assert_int_equal(template_lint(&t, NULL, why, sizeof(why)), CA_OK);
	t.lint_overrides = 1u << TMPL_LINT_ESC4;
	assert_int_equal(template_lint(&t, path, why, sizeof(why)), CA_OK);
	t.lint_overrides = 0;
	assert_int_equal(chmod(dir, 0700), 0);
	unlink(path);
	assert_int_equal(template_lint(&t, path, why, sizeof(why)), CA_EIO);
	rmdir(dir);
}

/* Every built-in lints clean and survives write -> parse exactly. */
static void
test_builtins(void **state)
{
	char why[CA_WHY_MAX], *text = NULL, *text2 = NULL;
	struct template t;

	(void)state;
	assert_int_equal(template_builtin_count(), 8);
	for (size_t i = 0; i < template_builtin_count(); i++) {
		const struct template *b = template_builtin_at(i);

		if (template_lint(b, NULL, why, sizeof(why)) != CA_OK)
			fail_msg("%s: %s", b->name, why);
		assert_int_equal(template_write(b, &text), CA_OK);
		if (template_parse_buf(b->name, text, strlen(text), &t, why,
		    sizeof(why)) != CA_OK)
			fail_msg("%s: %s\n%s", b->name, why, text);
		if (memcmp(&t, b, sizeof(t)) != 0)
			fail_msg("%s does not round-trip:\n%s", b->name, text);
		assert_int_equal(template_write(&t, &text2), CA_OK);
		assert_string_equal(text, text2);
		free(text);
		free(text2);
	}
	assert_null(template_builtin_at(8));
	assert_string_equal(template_builtin_get("Computer")->name, "Machine");
	assert_string_equal(template_builtin_get("user")->name, "User");
	assert_string_equal(template_builtin_get("Exchange Signature Only")->name,
	    "ExchangeUserSignature");
	assert_null(template_builtin_get("DomainController"));
	/* AD CS values (AD CS's defaults). */
	assert_int_equal(template_builtin_get("WebServer")->validity_seconds,
	    2 * 365 * 86400LL);
	assert_int_equal(template_builtin_get("SubCA")->key_usage, 0x86);
	assert_int_equal(template_builtin_get("ExchangeUser")->key_usage, 0x20);
	assert_int_equal(template_builtin_get("User")->n_policies, 3);
	assert_true(template_builtin_get("User")->allow_private_key_export);
	assert_int_equal(template_builtin_get("Machine")->san, TMPL_SAN_DNS);
}

/* Duplicate as AD CS does: new name, OID and version; the rest kept. */
static void
test_duplicate(void **state)
{
	const struct template *user = template_builtin_get("User");
	struct template d;
	char why[CA_WHY_MAX];

	(void)state;
	assert_int_equal(template_duplicate(user, "PKCS Intune", &d, why,
	    sizeof(why)), CA_OK);
	assert_string_equal(d.name, "PKCSIntune");
	assert_string_equal(d.display_name, "PKCS Intune");
	assert_string_not_equal(d.oid, user->oid);
	assert_int_equal(strncmp(d.oid, TMPL_OID_ARC ".", strlen(TMPL_OID_ARC) + 1), 0);
	assert_int_equal(d.major_version, 100);
	assert_int_equal(d.minor_version, 0);
	assert_int_equal(d.schema_version, 2);	/* v1 becomes v2 */
	assert_int_equal(d.n_aces, user->n_aces);
	assert_int_equal(d.n_policies, 3);
	assert_int_equal(d.san, user->san);
	assert_int_equal(template_duplicate(template_builtin_get("SubCA"), "My CA",
	    &d, why, sizeof(why)), CA_OK);
	assert_int_equal(d.lint_overrides, 1u << TMPL_LINT_ESC2);
	assert_true(d.ca);
	assert_int_equal(template_duplicate(user, "A/B", &d, why, sizeof(why)),
	    CA_EINVAL);
	assert_string_equal(why, "display name \"A/B\" gives the template name "
	    "\"A/B\", which is not valid (no / \\ : * ? \" < > | , ; =)");
	assert_int_equal(template_duplicate(user, " Lead", &d, why, sizeof(why)),
	    CA_EINVAL);
	assert_int_equal(template_duplicate(user, "", &d, why, sizeof(why)),
	    CA_EINVAL);
}

/* The broad-group test on its own. */
static void
test_broad(void **state)
{
	(void)state;
	for (size_t p = 0; p < sizeof(broad) / sizeof(broad[0]); p++)
		if (!tmpl_principal_broad(broad[p]))
			fail_msg("%s", broad[p]);
	for (size_t p = 0; p < sizeof(narrow) / sizeof(narrow[0]); p++)
		if (tmpl_principal_broad(narrow[p]))
			fail_msg("%s", narrow[p]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_broad),
		cmocka_unit_test(test_esc1_fires),
		cmocka_unit_test(test_esc1_quiet),
		cmocka_unit_test(test_esc2),
		cmocka_unit_test(test_esc3),
		cmocka_unit_test(test_no_sid),
		cmocka_unit_test(test_unresolved_names),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_esc4),
		cmocka_unit_test(test_builtins),
		cmocka_unit_test(test_duplicate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

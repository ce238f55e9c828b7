/*
 * Unit tests for the template file parser and writer (templates/
 * template_parse.c, template_keys.c, template_value.c, template_write.c):
 * every key with good and bad values, table-driven; each kind of bad file
 * with its own message; parse -> write -> parse identity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/error.h"
#include "templates/template.h"

#define HEAD "[template]\ndisplay-name = Test T\n"

enum field {
	F_SCHEMA, F_MAJOR, F_MINOR, F_VALIDITY, F_RENEWAL, F_PUBLISH, F_COMPAT_CA,
	F_COMPAT_RCPT, F_PURPOSE, F_EXPORT, F_SKG, F_KEYALGS, F_MINKEY, F_HASH,
	F_SUBJECT, F_SUBJFMT, F_SAN, F_NPOL, F_EKU_CRIT, F_KU, F_KU_CRIT, F_SID,
	F_CA, F_PATHLEN, F_APPROVAL, F_SIGS, F_NSUP, F_OVERRIDES, F_NACES,
	F_UNRESOLVED,
};

/* One field of t as a number, for table checks. */
static int64_t
field(const struct template *t, enum field f)
{
	switch (f) {
	case F_SCHEMA: return t->schema_version;
	case F_MAJOR: return t->major_version;
	case F_MINOR: return t->minor_version;
	case F_VALIDITY: return t->validity_seconds;
	case F_RENEWAL: return t->renewal_seconds;
	case F_PUBLISH: return t->publish_to_directory;
	case F_COMPAT_CA: return t->compat_ca;
	case F_COMPAT_RCPT: return t->compat_recipient;
	case F_PURPOSE: return t->purpose;
	case F_EXPORT: return t->allow_private_key_export;
	case F_SKG: return t->server_key_generation;
	case F_KEYALGS: return t->key_algorithms;
	case F_MINKEY: return t->min_key_size;
	case F_HASH: return t->hash;
	case F_SUBJECT: return t->subject;
	case F_SUBJFMT: return t->subject_format;
	case F_SAN: return t->san;
	case F_NPOL: return (int64_t)t->n_policies;
	case F_EKU_CRIT: return t->eku_critical;
	case F_KU: return t->key_usage;
	case F_KU_CRIT: return t->key_usage_critical;
	case F_SID: return t->sid_extension;
	case F_CA: return t->ca;
	case F_PATHLEN: return t->path_len;
	case F_APPROVAL: return t->require_approval;
	case F_SIGS: return t->authorized_signatures;
	case F_NSUP: return (int64_t)t->n_supersedes;
	case F_OVERRIDES: return t->lint_overrides;
	case F_NACES: return (int64_t)t->n_aces;
	case F_UNRESOLVED: return t->allow_unresolved_names;
	}
	return -999;
}

#define D 86400LL
static const struct {
	const char *lines;
	enum field f;
	int64_t want;
} good[] = {
	{ "schema-version = 1\n", F_SCHEMA, 1 },
	{ "schema-version = 2\n", F_SCHEMA, 2 },
	{ "compatibility-ca = 2008R2\n", F_SCHEMA, 3 },
	{ "compatibility-ca = 2012\n", F_SCHEMA, 4 },
	{ "compatibility-ca = 2016\nschema-version = 3\n", F_SCHEMA, 3 },
	{ "version = 100.7\n", F_MAJOR, 100 },
	{ "version = 3.2147483647\n", F_MINOR, 2147483647 },
	{ "validity = 1y\n", F_VALIDITY, 365 * D },
	{ "validity = 2 years\n", F_VALIDITY, 730 * D },
	{ "validity = 6months\n", F_VALIDITY, 180 * D },
	{ "validity = 5d\nrenewal-period = 1d\n", F_VALIDITY, 5 * D },
	{ "validity = 2w\nrenewal-period = 0s\n", F_VALIDITY, 14 * D },
	{ "validity = 12h\nrenewal-period = 0s\n", F_VALIDITY, 12 * 3600 },
	{ "validity = 90min\nrenewal-period = 0s\n", F_VALIDITY, 5400 },
	{ "validity = 7200s\nrenewal-period = 0s\n", F_VALIDITY, 7200 },
	{ "renewal-period = 0d\n", F_RENEWAL, 0 },
	{ "renewal-period = 6 weeks\n", F_RENEWAL, 42 * D },
	/* "m" is minutes, as in entcad.conf (common/value.h). */
	{ "validity = 90m\nrenewal-period = 5m\n", F_RENEWAL, 300 },
	{ "publish-to-directory = yes\n", F_PUBLISH, 1 },
	{ "publish-to-directory = Off\n", F_PUBLISH, 0 },
	{ "compatibility-ca = 2008r2\n", F_COMPAT_CA, TMPL_COMPAT_2008R2 },
	{ "compatibility-recipient = 2012R2\n", F_COMPAT_RCPT, TMPL_COMPAT_2012R2 },
	{ "purpose = signature\n", F_PURPOSE, TMPL_PURPOSE_SIGNATURE },
	{ "purpose = encryption\n", F_PURPOSE, TMPL_PURPOSE_ENCRYPTION },
	{ "allow-private-key-export = true\n", F_EXPORT, 1 },
	{ "allow-private-key-export = yes\nserver-key-generation = yes\n", F_SKG, 1 },
	{ "key-algorithms = rsa\n", F_KEYALGS, TMPL_KEY_RSA },
	{ "compatibility-ca = 2008\ncompatibility-recipient = 2008\n"
	  "key-algorithms = rsa, ecdsa-p256, ecdsa-p384\n", F_KEYALGS, 7 },
	{ "min-key-size = 1024\n", F_MINKEY, 1024 },
	{ "min-key-size = 4096\n", F_MINKEY, 4096 },
	{ "min-key-size = 16384\n", F_MINKEY, 16384 },
	{ "hash = sha384\n", F_HASH, TMPL_HASH_SHA384 },
	{ "hash = SHA512\n", F_HASH, TMPL_HASH_SHA512 },
	{ "subject = supply-in-request\n", F_SUBJECT, TMPL_SUBJECT_SUPPLY_IN_REQUEST },
	{ "subject = supply-in-request\n", F_SUBJFMT, TMPL_SUBJFMT_NONE },
	{ "subject = supply-in-request\n", F_SAN, 0 },
	{ "subject = from-directory\nsubject-format = dn\n", F_SUBJFMT, TMPL_SUBJFMT_DN },
	{ "subject-format = device-id\n", F_SUBJFMT, TMPL_SUBJFMT_DEVICE_ID },
	{ "subject-format = none\nsan = upn\n", F_SUBJFMT, TMPL_SUBJFMT_NONE },
	{ "san = upn, email, dns, sid-url\n", F_SAN, 15 },
	{ "san = dns,\n  sid-url\n", F_SAN, TMPL_SAN_DNS | TMPL_SAN_SID_URL },
	{ "application-policies = client-auth, efs, secure-email\n", F_NPOL, 3 },
	{ "application-policies = 1.2.3.4, 2.25.329800735698586629295641978511506172918\n", F_NPOL, 2 },
	{ "application-policies =\n", F_NPOL, 0 },
	{ "application-policies = client-auth,\n    server-auth\n", F_NPOL, 2 },
	{ "eku-critical = yes\n", F_EKU_CRIT, 1 },
	{ "key-usage = digital-signature\n", F_KU, TMPL_KU_DIGITAL_SIGNATURE },
	{ "key-usage = non-repudiation, data-encipherment, key-agreement\n", F_KU, 64 | 16 | 8 },
	{ "key-usage =\n", F_KU, 0 },
	{ "key-usage-critical = no\n", F_KU_CRIT, 0 },
	{ "sid-extension = no\n", F_SID, 0 },
	{ "ca = yes\nkey-usage = key-cert-sign, crl-sign\n", F_CA, 1 },
	{ "ca = yes\nkey-usage = key-cert-sign\npath-length = 0\n", F_PATHLEN, 0 },
	{ "ca = yes\nkey-usage = key-cert-sign\npath-length = unlimited\n", F_PATHLEN, -1 },
	{ "require-approval = yes\n", F_APPROVAL, 1 },
	{ "authorized-signatures = 1\nra-policy = certificate-request-agent\n", F_SIGS, 1 },
	{ "supersedes = User, Machine\n", F_NSUP, 2 },
	{ "allow-dangerous = esc1, no-sid\n", F_OVERRIDES, 1 | 16 },
	{ "allow-dangerous = unresolved-names\n", F_OVERRIDES, 32 },
	{ "allow-unresolved-names = yes\n", F_UNRESOLVED, 1 },
	{ "allow-unresolved-names = no\n", F_UNRESOLVED, 0 },
	{ "[security]\nallow = INTUNECONN$ : read, enroll\n"
	  "deny = S-1-5-21-1-2-3-513 : enroll\n", F_NACES, 2 },
};

/* Every good value of every key lands in its field. */
static void
test_good_values(void **state)
{
	char text[1024], why[CA_WHY_MAX];
	struct template t;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), HEAD "%s", good[i].lines);
		why[0] = '\0';
		if (template_parse_buf("good.tmpl", text, strlen(text), &t, why,
		    sizeof(why)) != CA_OK)
			fail_msg("row %zu (%s): %s", i, good[i].lines, why);
		if (field(&t, good[i].f) != good[i].want)
			fail_msg("row %zu (%s): got %lld want %lld", i, good[i].lines,
			    (long long)field(&t, good[i].f), (long long)good[i].want);
	}
}

static const struct {
	const char *lines;
	const char *why;	/* exact message */
} bad[] = {
	{ "schema-version = 5\n", "template b.tmpl line 3: schema-version: expected 1..4, got \"5\"" },
	{ "schema-version = 3\n", "template b.tmpl line 3: schema-version: expected 1..2 with compatibility-ca 2003 (v3 needs 2008, v4 needs 2012), got 3" },
	{ "version = 100\n", "template b.tmpl line 3: version: expected major.minor such as 100.2, got \"100\"" },
	{ "version = 1.x\n", "template b.tmpl line 3: version: expected major.minor such as 100.2, got \"1.x\"" },
	{ "oid = 1.3.6.01\n", "template b.tmpl line 3: oid: expected a dotted OID such as 1.3.6.1.4.1.311.21.8.1.2, got \"1.3.6.01\"" },
	{ "oid = 3.1\n", "template b.tmpl line 3: oid: expected a dotted OID such as 1.3.6.1.4.1.311.21.8.1.2, got \"3.1\"" },
	{ "validity = 6m\n", "template b.tmpl line 3: validity: expected a period of at least 1h such as 1y, 6months, 2w, 5d (units s, m, h, d, w, months, y), got \"6m\"" },
	{ "validity = 1 fortnight\n", "template b.tmpl line 3: validity: expected a period of at least 1h such as 1y, 6months, 2w, 5d (units s, m, h, d, w, months, y), got \"1 fortnight\"" },
	{ "validity = 30min\n", "template b.tmpl line 3: validity: expected a period of at least 1h such as 1y, 6months, 2w, 5d (units s, m, h, d, w, months, y), got \"30min\"" },
	{ "validity = 101y\n", "template b.tmpl line 3: validity: expected a period of at least 1h such as 1y, 6months, 2w, 5d (units s, m, h, d, w, months, y), got \"101y\"" },
	{ "renewal-period = -1d\n", "template b.tmpl line 3: renewal-period: expected a period such as 6w, 5d or 0d (units s, m, h, d, w, months, y), got \"-1d\"" },
	{ "validity = 5d\n", "template b.tmpl line 3: renewal-period 6w is longer than validity 5d" },
	{ "validity = 5d\nrenewal-period = 1w\n", "template b.tmpl line 4: renewal-period 1w is longer than validity 5d" },
	{ "publish-to-directory = maybe\n", "template b.tmpl line 3: publish-to-directory: expected yes or no, got \"maybe\"" },
	{ "compatibility-ca = 2019\n", "template b.tmpl line 3: compatibility-ca: expected one of 2003, 2008, 2008R2, 2012, 2012R2, 2016, got \"2019\"" },
	{ "compatibility-recipient = XP\n", "template b.tmpl line 3: compatibility-recipient: expected one of 2003, 2008, 2008R2, 2012, 2012R2, 2016, got \"XP\"" },
	{ "purpose = both\n", "template b.tmpl line 3: purpose: expected one of signature, encryption, signature-and-encryption, got \"both\"" },
	{ "allow-private-key-export = 2\n", "template b.tmpl line 3: allow-private-key-export: expected yes or no, got \"2\"" },
	{ "server-key-generation = yes\n", "template b.tmpl line 3: server-key-generation: needs allow-private-key-export = yes (the key leaves entca)" },
	{ "key-algorithms = dsa\n", "template b.tmpl line 3: key-algorithms: expected one of rsa, ecdsa-p256, ecdsa-p384, got \"dsa\"" },
	{ "key-algorithms =\n", "template b.tmpl line 3: key-algorithms: expected at least one of rsa, ecdsa-p256, ecdsa-p384" },
	{ "key-algorithms = ecdsa-p256\n", "template b.tmpl line 3: key-algorithms: ECDSA keys need compatibility-ca and compatibility-recipient 2008 or later (CNG), have 2003/2003" },
	{ "compatibility-ca = 2016\nkey-algorithms = ecdsa-p384\n", "template b.tmpl line 4: key-algorithms: ECDSA keys need compatibility-ca and compatibility-recipient 2008 or later (CNG), have 2016/2003" },
	{ "key-algorithms = rsa, rsa\n", "template b.tmpl line 3: key-algorithms: \"rsa\" listed twice" },
	{ "key-algorithms = rsa,,ecdsa-p256\n", NULL },
	{ "min-key-size = 512\n", "template b.tmpl line 3: min-key-size: expected 1024..16384, got \"512\"" },
	{ "min-key-size = 32768\n", "template b.tmpl line 3: min-key-size: expected 1024..16384, got \"32768\"" },
	{ "min-key-size = 2048 bits\n", "template b.tmpl line 3: min-key-size: expected 1024..16384, got \"2048 bits\"" },
	{ "hash = md5\n", "template b.tmpl line 3: hash: expected one of sha256, sha384, sha512, got \"md5\"" },
	{ "subject = from-request\n", "template b.tmpl line 3: subject: expected one of supply-in-request, from-directory, got \"from-request\"" },
	{ "subject-format = cn\n", "template b.tmpl line 3: subject-format: expected one of none, common-name, upn, dn, email, dns, device-id, got \"cn\"" },
	{ "subject = supply-in-request\nsubject-format = dn\n", "template b.tmpl line 4: subject-format: expected none with subject = supply-in-request (the request names the subject)" },
	{ "subject = supply-in-request\nsan = upn\n", "template b.tmpl line 4: san: expected an empty list with subject = supply-in-request (the request names the SAN)" },
	{ "subject-format = none\nsan =\n", "template b.tmpl line 3: subject = from-directory needs a subject-format or at least one san entry" },
	{ "san = ip\n", "template b.tmpl line 3: san: expected one of upn, email, dns, sid-url, got \"ip\"" },
	{ "application-policies = client-auth, frobnicate\n", "template b.tmpl line 3: application-policies: expected a friendly name (client-auth, server-auth, secure-email, efs, smartcard-logon, ...) or a dotted OID, got \"frobnicate\"" },
	{ "application-policies = client-auth, 1.3.6.1.5.5.7.3.2\n", "template b.tmpl line 3: application-policies: \"1.3.6.1.5.5.7.3.2\" listed twice" },
	{ "eku-critical = 1x\n", "template b.tmpl line 3: eku-critical: expected yes or no, got \"1x\"" },
	{ "key-usage = signature\n", "template b.tmpl line 3: key-usage: expected one of digital-signature, non-repudiation, key-encipherment, data-encipherment, key-agreement, key-cert-sign, crl-sign, got \"signature\"" },
	{ "key-usage = key-cert-sign\n", "template b.tmpl line 3: key-usage: key-cert-sign and crl-sign need ca = yes (RFC 5280 4.2.1.3)" },
	{ "ca = yes\n", "template b.tmpl line 3: ca = yes needs key-cert-sign in key-usage (RFC 5280 4.2.1.3)" },
	{ "key-usage-critical = perhaps\n", "template b.tmpl line 3: key-usage-critical: expected yes or no, got \"perhaps\"" },
	{ "sid-extension = none\n", "template b.tmpl line 3: sid-extension: expected yes or no, got \"none\"" },
	{ "path-length = 2\n", "template b.tmpl line 3: path-length: only for ca = yes" },
	{ "path-length = 300\n", "template b.tmpl line 3: path-length: expected unlimited or 0..255, got \"300\"" },
	{ "require-approval = y\n", "template b.tmpl line 3: require-approval: expected yes or no, got \"y\"" },
	{ "authorized-signatures = 17\n", "template b.tmpl line 3: authorized-signatures: expected 0..16, got \"17\"" },
	{ "ra-policy = client-auth\n", "template b.tmpl line 3: ra-policy: only with authorized-signatures of 1 or more" },
	{ "authorized-signatures = 1\nra-policy = agent\n", "template b.tmpl line 4: ra-policy: expected an application policy name or dotted OID (e.g. certificate-request-agent), or nothing, got \"agent\"" },
	{ "supersedes = Old Template\n", "template b.tmpl line 3: supersedes: expected template names without blanks, got \"Old Template\"" },
	{ "allow-dangerous = esc8\n", "template b.tmpl line 3: allow-dangerous: expected one of esc1, esc2, esc3, esc4, no-sid, unresolved-names, got \"esc8\"" },
	{ "name = My Template\n", "template b.tmpl line 3: name: expected a name under 128 bytes without blanks or / \\ : * ? \" < > | , ; =, got \"My Template\"" },
	{ "frobnicate = 1\n", "template b.tmpl line 3: unknown key \"frobnicate\" in [template]" },
	{ "min-key-size = 2048\nmin-key-size = 4096\n", "template b.tmpl line 4: duplicate key min-key-size (first set on line 3)" },
	{ "hash = sha256\n  sha384\n", "template b.tmpl line 4: hash: an indented line continues only a list key; \"hash\" takes one value" },
	{ "[template]\n  hash = md5\n", "template b.tmpl line 4: hash: expected one of sha256, sha384, sha512, got \"md5\"" },
	{ "[policy]\nx = 1\n", "template b.tmpl line 4: unknown section [policy]: expected [template] or [security]" },
	{ "[security]\npermit = X : read\n", "template b.tmpl line 4: unknown key \"permit\" in [security]: expected allow or deny" },
	{ "[security]\nallow = INTUNECONN$\n", "template b.tmpl line 4: allow: expected \"PRINCIPAL : right, right\", got \"INTUNECONN$\" (no ':' before the rights)" },
	{ "[security]\nallow = INTUNECONN$ : read, write\n", "template b.tmpl line 4: allow: expected rights from {read, enroll, autoenroll}, got \"write\"" },
	{ "[security]\nallow = : read\n", "template b.tmpl line 4: allow: expected a principal (SID, DN or account name) before ':'" },
	{ "[security]\nallow = S-1-5-x : read\n", "template b.tmpl line 4: allow: expected a SID S-1-<authority>-<subauthority>..., got \"S-1-5-x\"" },
	{ "[security]\ndeny = Everyone :\n", "template b.tmpl line 4: deny: expected rights after ':' for Everyone" },
	{ "this line has no equals sign\n", "template b.tmpl line 3: syntax error: expected \"key = value\", \"[section]\" or a comment" },
	{ "[secur", "template b.tmpl line 3: file ends in the middle of a line (truncated?)" },
	{ "min-key-si", "template b.tmpl line 3: file ends in the middle of a line (truncated?)" },
};

/* Each bad value or bad file gives its own exact sentence. */
static void
test_bad_values(void **state)
{
	char text[1024], why[CA_WHY_MAX];
	struct template t;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;

		snprintf(text, sizeof(text), HEAD "%s", bad[i].lines);
		why[0] = '\0';
		rc = template_parse_buf("b.tmpl", text, strlen(text), &t, why,
		    sizeof(why));
		if (bad[i].why == NULL) {	/* empty list item */
			assert_int_equal(rc, CA_EPARSE);
			assert_string_equal(why, "template b.tmpl line 3: "
			    "key-algorithms: empty item in the list");
			continue;
		}
		if (rc != CA_EPARSE)
			fail_msg("row %zu (%s): accepted", i, bad[i].lines);
		if (strcmp(why, bad[i].why) != 0)
			fail_msg("row %zu:\n got: %s\nwant: %s", i, why, bad[i].why);
	}
}

/* Whole-file problems: missing key, encoding, NUL, long line, key outside a section. */
static void
test_bad_files(void **state)
{
	char why[CA_WHY_MAX], longline[400];
	struct template t;
	static const char nonutf8[] = "[template]\ndisplay-name = Caf\xe9\n";
	static const char overlong[] = "[template]\ndisplay-name = \xc0\xaf\n";
	static const char nul[] = "[template]\ndisp\0lay-name = x\n";
	static const char missing[] = "# nothing but a comment\n[template]\nname = X\n";
	static const char outside[] = "display-name = X\n[template]\n";
	static const char bom[] = "\xef\xbb\xbf[template]\n"
	    "display-name = Caf\xc3\xa9 \xe2\x82\xac\n";

	(void)state;
	assert_int_equal(template_parse_buf("n.tmpl", nonutf8, strlen(nonutf8), &t,
	    why, sizeof(why)), CA_EPARSE);
	assert_string_equal(why, "template n.tmpl line 2: not valid UTF-8 "
	    "(byte 0xE9 at column 19)");
	assert_int_equal(template_parse_buf("n.tmpl", overlong, strlen(overlong), &t,
	    why, sizeof(why)), CA_EPARSE);
	assert_string_equal(why, "template n.tmpl line 2: not valid UTF-8 "
	    "(byte 0xC0 at column 16)");
	assert_int_equal(template_parse_buf("n.tmpl", nul, sizeof(nul) - 1, &t,
	    why, sizeof(why)), CA_EPARSE);
	assert_string_equal(why, "template n.tmpl line 2: NUL byte at column 5 "
	    "(a template file is UTF-8 text)");
	assert_int_equal(template_parse_buf("m.tmpl", missing, strlen(missing), &t,
	    why, sizeof(why)), CA_EPARSE);
	assert_string_equal(why, "template m.tmpl: missing required key "
	    "display-name in [template]");
	assert_int_equal(template_parse_buf("e.tmpl", "", 0, &t, why,
	    sizeof(why)), CA_EPARSE);
	assert_string_equal(why, "template e.tmpl: missing required key "
	    "display-name in [template]");
	assert_int_equal(template_parse_buf("o.tmpl", outside, strlen(outside), &t,
	    why, sizeof(why)), CA_EPARSE);
	assert_string_equal(why, "template o.tmpl line 1: key \"display-name\" "
	    "outside a section: expected [template] or [security] first");
	snprintf(longline, sizeof(longline), "[template]\ndisplay-name = %0250d\n", 7);
	assert_int_equal(template_parse_buf("l.tmpl", longline, strlen(longline), &t,
	    why, sizeof(why)), CA_EPARSE);
	assert_string_equal(why, "template l.tmpl line 2: line longer than 199 bytes");
	/* Valid UTF-8 in a display name is fine; UTF-8 BOM too. */
	assert_int_equal(template_parse_buf("u.tmpl", bom, strlen(bom), &t, why,
	    sizeof(why)), CA_OK);
	assert_string_equal(t.display_name, "Caf\xc3\xa9 \xe2\x82\xac");
}

/* Derived values: name without spaces, OID from the name, quotes stripped. */
static void
test_derived(void **state)
{
	static const char a[] = HEAD;
	static const char b[] = "[template]\ndisplay-name = \"PKCS Intune\"\n";
	static const char c[] = "[template]\r\ndisplay-name = Other\r\n"
	    "oid = 1.2.3.4\r\n";
	char why[CA_WHY_MAX];
	struct template t, u;

	(void)state;
	assert_int_equal(template_parse_buf("a", a, strlen(a), &t, why,
	    sizeof(why)), CA_OK);
	assert_string_equal(t.name, "TestT");
	assert_string_equal(t.display_name, "Test T");
	assert_int_equal(strncmp(t.oid, TMPL_OID_ARC ".", strlen(TMPL_OID_ARC) + 1), 0);
	assert_int_equal(template_parse_buf("b", b, strlen(b), &u, why,
	    sizeof(why)), CA_OK);
	assert_string_equal(u.name, "PKCSIntune");
	assert_string_equal(u.display_name, "PKCS Intune");
	assert_string_not_equal(t.oid, u.oid);
	/* Deterministic: the same name gives the same OID. */
	assert_int_equal(template_parse_buf("b", b, strlen(b), &t, why,
	    sizeof(why)), CA_OK);
	assert_string_equal(t.oid, u.oid);
	assert_int_equal(template_parse_buf("c", c, strlen(c), &t, why,
	    sizeof(why)), CA_OK);
	assert_string_equal(t.oid, "1.2.3.4");
	assert_int_equal(t.schema_version, 2);
	assert_int_equal(t.major_version, 100);
}

/* A rich template survives parse -> write -> parse exactly. */
static void
test_roundtrip(void **state)
{
	static const char text[] =
	    "[template]\n"
	    "display-name = Round Trip\n"
	    "compatibility-ca = 2012R2\ncompatibility-recipient = 2016\n"
	    "key-algorithms = ecdsa-p384, rsa\nmin-key-size = 3072\n"
	    "validity = 400d\nrenewal-period = 90min\nversion = 101.3\n"
	    "application-policies = client-auth, server-auth, secure-email, efs, "
	    "smartcard-logon,\n  1.2.840.113556.1.4.1, 1.3.6.1.4.1.99999.1.2.3.4.5.6.7.8.9,"
	    " 1.3.6.1.4.1.99999.1.2.3.4.5.6.7.8.10\n"
	    "subject = from-directory\nsubject-format = email\nsan = email, sid-url\n"
	    "supersedes = User, Old\nallow-dangerous = esc2, esc4\n"
	    "allow-unresolved-names = yes\n"
	    "require-approval = yes\nauthorized-signatures = 2\n"
	    "ra-policy = 1.3.6.1.4.1.311.20.2.1\nhash = sha512\n"
	    "[security]\n"
	    "allow = CN=Connector,OU=Servers,DC=corp,DC=example : read, enroll\n"
	    "deny = \"Domain Users\" : enroll, autoenroll\n"
	    "allow = S-1-5-11 : read\n";
	char why[CA_WHY_MAX], *out = NULL, *out2 = NULL;
	struct template t, u;

	(void)state;
	assert_int_equal(template_parse_buf("r", text, strlen(text), &t, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(t.n_policies, 8);
	assert_true(t.allow_unresolved_names);
	assert_string_equal(t.aces[1].principal, "Domain Users");
	assert_int_equal(template_write(&t, &out), CA_OK);
	if (template_parse_buf("r2", out, strlen(out), &u, why, sizeof(why)) != CA_OK)
		fail_msg("%s\n%s", why, out);
	assert_memory_equal(&t, &u, sizeof(t));
	assert_int_equal(template_write(&u, &out2), CA_OK);
	assert_string_equal(out, out2);
	free(out);
	free(out2);
}

/* The writer refuses what the syntax cannot carry. */
static void
test_write_refuses(void **state)
{
	struct template t;
	char *out = NULL;

	(void)state;
	template_defaults(&t);
	snprintf(t.display_name, sizeof(t.display_name), "A\nB");
	snprintf(t.name, sizeof(t.name), "AB");
	assert_int_equal(template_write(&t, &out), CA_EINVAL);
	assert_null(out);
	snprintf(t.display_name, sizeof(t.display_name), "x ; comment");
	assert_int_equal(template_write(&t, &out), CA_EINVAL);
	snprintf(t.display_name, sizeof(t.display_name), "ok");
	t.n_aces = 1;
	memset(t.aces[0].principal, 'a', 300);
	t.aces[0].principal[300] = '\0';
	t.aces[0].rights = TMPL_RIGHT_READ;
	assert_int_equal(template_write(&t, &out), CA_EINVAL);
	/* An enum outside its name table is refused, not read past. */
	template_defaults(&t);
	snprintf(t.display_name, sizeof(t.display_name), "ok");
	t.renewal = TMPL_RENEWAL_COUNT;
	assert_int_equal(template_write(&t, &out), CA_EINVAL);
	assert_null(out);
	t.renewal = 0;
	t.hash = TMPL_HASH_COUNT;
	assert_int_equal(template_write(&t, &out), CA_EINVAL);
}

/* The exported ACE parser with another names table (the CA's rights). */
static void
test_parse_ace(void **state)
{
	static const char *const ca_rights[] = { "read", "request", "officer",
	    "admin", "auditor" };
	struct tmpl_ace a;
	char why[CA_WHY_MAX];

	(void)state;
	assert_int_equal(template_parse_ace("CONN$ : request, officer", false,
	    ca_rights, 5, &a, why, sizeof(why)), CA_OK);
	assert_string_equal(a.principal, "CONN$");
	assert_int_equal(a.rights, (1u << 1) | (1u << 2));
	assert_false(a.deny);
	/* Split at the last ':' so principals may hold one. */
	assert_int_equal(template_parse_ace("urn:x:y : ADMIN", true, ca_rights, 5,
	    &a, why, sizeof(why)), CA_OK);
	assert_string_equal(a.principal, "urn:x:y");
	assert_int_equal(a.rights, 1u << 3);
	assert_true(a.deny);
	/* Authorities of 2^32 and more are hex (MS-DTYP 2.4.2.1). */
	assert_int_equal(template_parse_ace("S-1-0x010203040506-7 : read", false,
	    ca_rights, 5, &a, why, sizeof(why)), CA_OK);
	assert_int_equal(template_parse_ace("S-1-0x0102-7 : read", false,
	    ca_rights, 5, &a, why, sizeof(why)), CA_EPARSE);
	assert_int_equal(template_parse_ace("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-"
	    "14-15 : read", false, ca_rights, 5, &a, why, sizeof(why)), CA_OK);
	assert_int_equal(template_parse_ace("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-"
	    "14-15-16 : read", false, ca_rights, 5, &a, why, sizeof(why)), CA_EPARSE);
	assert_int_equal(template_parse_ace("S-1-5-4294967296 : read", false,
	    ca_rights, 5, &a, why, sizeof(why)), CA_EPARSE);
	assert_int_equal(template_parse_ace("x : enroll", false, ca_rights, 5,
	    &a, why, sizeof(why)), CA_EPARSE);
	assert_string_equal(why, "expected rights from {read, request, officer, "
	    "admin, auditor}, got \"enroll\"");
}

/* Tiny deterministic PRNG (xorshift32) for the hostile-input test. */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * Hostile input: 20000 mutations (byte flips, cuts, inserted bytes) of a
 * complete written template never crash the parser (run under ASan) and
 * every refusal is one sentence naming the file.
 */
static void
test_mutations(void **state)
{
	const struct template *b = template_builtin_get("User");
	char *text = NULL, *m, why[CA_WHY_MAX];
	struct template t;
	uint32_t seed = 0x5eed1234u;
	size_t len, ok = 0;

	(void)state;
	assert_int_equal(template_write(b, &text), CA_OK);
	len = strlen(text);
	m = malloc(len + 64);
	assert_non_null(m);
	for (int i = 0; i < 20000; i++) {
		size_t n = len, k = 1 + rnd(&seed) % 4;
		int rc;

		memcpy(m, text, len);
		while (k-- > 0) {
			size_t at = rnd(&seed) % n;

			switch (rnd(&seed) % 4) {
			case 0: m[at] = (char)rnd(&seed); break;
			case 1: n = at; break;
			case 2: m[at] = "=[]:,;#\n \t\"\\"[rnd(&seed) % 12]; break;
			default:
				memmove(m + at + 1, m + at, n - at);
				m[at] = (char)(0x80 | rnd(&seed));
				n++;
			}
			if (n == 0)
				break;
		}
		why[0] = '\0';
		rc = template_parse_buf("mut.tmpl", m, n, &t, why, sizeof(why));
		if (rc == CA_OK) {
			ok++;
			continue;
		}
		assert_int_equal(rc, CA_EPARSE);
		assert_int_equal(strncmp(why, "template mut.tmpl", 17), 0);
	}
	assert_true(ok > 0 && ok < 20000);
	free(m);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_values),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_derived),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_write_refuses),
		cmocka_unit_test(test_parse_ace),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

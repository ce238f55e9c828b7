/*
 * The [template] keys of a template file: one handler per key that checks
 * the value and stores it, and the cross-key rules that run after the last
 * line (required keys, derived name, OID and schema version, compatibility
 * bounds). Messages say the key and what was expected. Per-parse state
 * only; any thread.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"
#include "common/value.h"
#include "templates/template.h"
#include "templates/template_keys.h"
#include "templates/template_names.h"
#include "templates/template_value.h"

const char *const tmpl_key_names[TK_COUNT] = {
	[TK_DISPLAY_NAME] = "display-name",
	[TK_NAME] = "name",
	[TK_SCHEMA_VERSION] = "schema-version",
	[TK_VERSION] = "version",
	[TK_OID] = "oid",
	[TK_VALIDITY] = "validity",
	[TK_RENEWAL] = "renewal-period",
	[TK_PUBLISH] = "publish-to-directory",
	[TK_COMPAT_CA] = "compatibility-ca",
	[TK_COMPAT_RECIPIENT] = "compatibility-recipient",
	[TK_PURPOSE] = "purpose",
	[TK_EXPORT] = "allow-private-key-export",
	[TK_SERVER_KEYGEN] = "server-key-generation",
	[TK_KEY_ALGORITHMS] = "key-algorithms",
	[TK_MIN_KEY_SIZE] = "min-key-size",
	[TK_HASH] = "hash",
	[TK_SUBJECT] = "subject",
	[TK_SUBJECT_FORMAT] = "subject-format",
	[TK_SAN] = "san",
	[TK_POLICIES] = "application-policies",
	[TK_EKU_CRITICAL] = "eku-critical",
	[TK_KEY_USAGE] = "key-usage",
	[TK_KU_CRITICAL] = "key-usage-critical",
	[TK_SID_EXTENSION] = "sid-extension",
	[TK_CA] = "ca",
	[TK_PATH_LENGTH] = "path-length",
	[TK_REQUIRE_APPROVAL] = "require-approval",
	[TK_AUTHORIZED_SIGNATURES] = "authorized-signatures",
	[TK_RA_POLICY] = "ra-policy",
	[TK_SUPERSEDES] = "supersedes",
	[TK_ALLOW_DANGEROUS] = "allow-dangerous",
	[TK_RENEWAL_MODE] = "renewal",
	[TK_CHANNEL_BINDING] = "require-channel-binding",
	[TK_ALLOW_UNRESOLVED] = "allow-unresolved-names",
	[TK_SUBJECT_EMAIL] = "subject-email",
};

#define VALIDITY_MIN	3600	/* one hour */
#define MIN_KEY_LO	1024
#define MIN_KEY_HI	16384
#define PATH_LEN_MAX	255
#define SIGNATURES_MAX	16
#define VERSION_MAX	0x7fffffffu	/* msPKI-Template-Minor-Revision bound */

/* Keys whose value is a comma-separated list (may continue on indented lines). */
static bool
key_is_list(enum tmpl_key k)
{
	return k == TK_KEY_ALGORITHMS || k == TK_SAN || k == TK_POLICIES ||
	    k == TK_KEY_USAGE || k == TK_SUPERSEDES || k == TK_ALLOW_DANGEROUS;
}

/* Report a bad value: "KEY: expected WHAT, got "VALUE"" (value shortened). */
static void
bad(struct tmpl_pctx *c, const char *key, const char *what, const char *got)
{
	char g[72];
	size_t i;

	for (i = 0; got[i] != '\0' && i < 64; i++)
		g[i] = (unsigned char)got[i] < ' ' ? '?' : got[i];
	g[i] = '\0';
	if (got[i] != '\0')
		snprintf(g + 60, sizeof(g) - 60, "...");
	tmpl_perr(c, "%s: expected %s, got \"%s\"", key, what, g);
}

/* "one of a, b, c" from a name table. */
static void
names_expect(char *buf, size_t len, const char *const *tab, size_t n)
{
	snprintf(buf, len, "one of ");
	for (size_t i = 0; i < n; i++) {
		strncat(buf, tab[i], len - strlen(buf) - 1);
		if (i + 1 < n)
			strncat(buf, ", ", len - strlen(buf) - 1);
	}
}

/* The same for a mask table. */
static void
bits_expect(char *buf, size_t len, const struct tmpl_bitname *tab, size_t n)
{
	const char *names[16];

	for (size_t i = 0; i < n && i < 16; i++)
		names[i] = tab[i].name;
	names_expect(buf, len, names, n < 16 ? n : 16);
}

/* Look a word up in an enum table, or report the choices. */
static int
enum_value(struct tmpl_pctx *c, const char *key, const char *const *tab,
    size_t n, const char *v)
{
	char exp[256];
	int i = tmpl_name_index(tab, n, v);

	if (i < 0) {
		names_expect(exp, sizeof(exp), tab, n);
		bad(c, key, exp, v);
	}
	return i;
}

/* Remove one pair of surrounding double quotes. */
static char *
unquote(char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v[n - 1] = '\0';
		return tmpl_trim(v + 1);
	}
	return v;
}

/* One list item of key k; duplicates are refused so the writer's list is exact. */
static void
list_item(struct tmpl_pctx *c, enum tmpl_key k, const char *key, char *item)
{
	struct template *t = c->t;
	char exp[384];
	uint32_t bit, *mask = NULL;
	const struct tmpl_bitname *tab = NULL;
	size_t n = 0;

	switch (k) {
	case TK_KEY_ALGORITHMS:
		mask = &t->key_algorithms; tab = tmpl_keyalg_names; n = tmpl_keyalg_count;
		break;
	case TK_SAN:
		mask = &t->san; tab = tmpl_san_names; n = tmpl_san_count;
		break;
	case TK_KEY_USAGE:
		mask = &t->key_usage; tab = tmpl_ku_names; n = tmpl_ku_count;
		break;
	case TK_ALLOW_DANGEROUS: {
		int r = enum_value(c, key, tmpl_lint_names, TMPL_LINT_COUNT, item);

		if (r < 0)
			return;
		if (t->lint_overrides & (1u << r)) {
			tmpl_perr(c, "%s: \"%s\" listed twice", key, item);
			return;
		}
		t->lint_overrides |= 1u << r;
		return;
	}
	case TK_POLICIES: {
		const char *oid = tmpl_eku_oid(item);

		if (oid == NULL) {
			bad(c, key, "a friendly name (client-auth, server-auth, "
			    "secure-email, efs, smartcard-logon, ...) or a dotted OID",
			    item);
			return;
		}
		for (size_t i = 0; i < t->n_policies; i++)
			if (strcmp(t->policies[i], oid) == 0) {
				tmpl_perr(c, "%s: \"%s\" listed twice", key, item);
				return;
			}
		if (t->n_policies >= TMPL_EKU_MAX) {
			tmpl_perr(c, "%s: more than %d policies", key, TMPL_EKU_MAX);
			return;
		}
		snprintf(t->policies[t->n_policies++], TMPL_OID_MAX, "%s", oid);
		return;
	}
	case TK_SUPERSEDES:
		if (!tmpl_name_valid(item)) {
			bad(c, key, "template names without blanks", item);
			return;
		}
		for (size_t i = 0; i < t->n_supersedes; i++)
			if (strcmp(t->supersedes[i], item) == 0) {
				tmpl_perr(c, "%s: \"%s\" listed twice", key, item);
				return;
			}
		if (t->n_supersedes >= TMPL_SUPERSEDE_MAX) {
			tmpl_perr(c, "%s: more than %d templates", key,
			    TMPL_SUPERSEDE_MAX);
			return;
		}
		snprintf(t->supersedes[t->n_supersedes++], TMPL_NAME_MAX, "%s", item);
		return;
	default:
		return;
	}
	bit = tmpl_bit_lookup(tab, n, item);
	if (bit == 0) {
		bits_expect(exp, sizeof(exp), tab, n);
		bad(c, key, exp, item);
	} else if (*mask & bit)
		tmpl_perr(c, "%s: \"%s\" listed twice", key, item);
	else
		*mask |= bit;
}

/* Split a list value at commas; an empty value is an empty list and a
 * trailing comma may end a line that an indented line continues. */
static void
list_value(struct tmpl_pctx *c, enum tmpl_key k, const char *key, char *v,
    bool cont)
{
	char *rest = v, *item;

	if (!cont) {
		switch (k) {
		case TK_KEY_ALGORITHMS: c->t->key_algorithms = 0; break;
		case TK_SAN: c->t->san = 0; break;
		case TK_KEY_USAGE: c->t->key_usage = 0; break;
		case TK_POLICIES: c->t->n_policies = 0; break;
		case TK_SUPERSEDES: c->t->n_supersedes = 0; break;
		case TK_ALLOW_DANGEROUS: c->t->lint_overrides = 0; break;
		default: break;
		}
	}
	if (*v == '\0')
		return;
	while (rest != NULL && c->rc == CA_OK) {
		item = tmpl_trim(strsep(&rest, ","));
		if (*item == '\0') {
			if (rest == NULL && item != v)
				return;		/* trailing comma */
			tmpl_perr(c, "%s: empty item in the list", key);
			return;
		}
		list_item(c, k, key, item);
	}
}

/* A yes/no key. */
static void
bool_value(struct tmpl_pctx *c, const char *key, const char *v, bool *out)
{
	if (value_bool_parse(v, out) != CA_OK)
		bad(c, key, "yes or no", v);
}

/* A period key: validity or renewal-period. */
static void
period_value(struct tmpl_pctx *c, const char *key, const char *v, int64_t lo,
    int64_t *out)
{
	/* common/value.h's grammar, as entcad.conf: "m" is minutes. */
	if (value_duration_parse(v, TMPL_PERIOD_MAX, out) != CA_OK || *out < lo)
		bad(c, key, lo > 0 ? "a period of at least 1h such as 1y, "
		    "6months, 2w, 5d (units s, m, h, d, w, months, y)" :
		    "a period such as 6w, 5d or 0d (units s, m, h, d, w, "
		    "months, y)", v);
}

/* "major.minor", each 0..0x7fffffff. */
static void
version_value(struct tmpl_pctx *c, const char *key, char *v)
{
	char *dot = strchr(v, '.');

	if (dot == NULL)
		goto bad;
	*dot = '\0';
	if (tmpl_u32_parse(v, 0, VERSION_MAX, &c->t->major_version) != 0 ||
	    tmpl_u32_parse(dot + 1, 0, VERSION_MAX, &c->t->minor_version) != 0) {
		*dot = '.';
		goto bad;
	}
	return;
bad:
	bad(c, key, "major.minor such as 100.2", v);
}

/* See template_keys.h. */
void
tmpl_key_set(struct tmpl_pctx *c, const char *name, char *v)
{
	struct template *t = c->t;
	int k = tmpl_name_index(tmpl_key_names, TK_COUNT, name);
	const char *key;
	int r;

	if (k < 0) {
		tmpl_perr(c, "unknown key \"%s\" in [template]", name);
		return;
	}
	key = tmpl_key_names[k];
	if (c->continuation) {
		if (!key_is_list((enum tmpl_key)k))
			tmpl_perr(c, "%s: an indented line continues only a list "
			    "key; \"%s\" takes one value", key, key);
		else
			list_value(c, (enum tmpl_key)k, key, v, true);
		return;
	}
	if (c->key_line[k] != 0) {
		tmpl_perr(c, "duplicate key %s (first set on line %u)", key,
		    c->key_line[k]);
		return;
	}
	c->key_line[k] = c->line;
	c->last_key = (enum tmpl_key)k;
	if (key_is_list((enum tmpl_key)k)) {
		list_value(c, (enum tmpl_key)k, key, v, false);
		return;
	}
	switch ((enum tmpl_key)k) {
	case TK_DISPLAY_NAME:
		v = unquote(v);
		if (*v == '\0' || strlen(v) >= TMPL_NAME_MAX || !tmpl_text_valid(v))
			bad(c, key, "a non-empty name under 128 bytes", v);
		else
			snprintf(t->display_name, sizeof(t->display_name), "%s", v);
		break;
	case TK_NAME:
		v = unquote(v);
		if (!tmpl_name_valid(v))
			bad(c, key, "a name under 128 bytes without blanks or "
			    "/ \\ : * ? \" < > | , ; =", v);
		else
			snprintf(t->name, sizeof(t->name), "%s", v);
		break;
	case TK_SCHEMA_VERSION:
		if (tmpl_u32_parse(v, 1, 4, &t->schema_version) != 0)
			bad(c, key, "1..4", v);
		break;
	case TK_VERSION:
		version_value(c, key, v);
		break;
	case TK_OID:
		if (!tmpl_oid_valid(v))
			bad(c, key, "a dotted OID such as 1.3.6.1.4.1.311.21.8.1.2", v);
		else
			snprintf(t->oid, sizeof(t->oid), "%s", v);
		break;
	case TK_VALIDITY:
		period_value(c, key, v, VALIDITY_MIN, &t->validity_seconds);
		break;
	case TK_RENEWAL:
		period_value(c, key, v, 0, &t->renewal_seconds);
		break;
	case TK_PUBLISH:
		bool_value(c, key, v, &t->publish_to_directory);
		break;
	case TK_COMPAT_CA:
	case TK_COMPAT_RECIPIENT:
		r = enum_value(c, key, tmpl_compat_names, TMPL_COMPAT_COUNT, v);
		if (r >= 0 && k == TK_COMPAT_CA)
			t->compat_ca = (enum tmpl_compat)r;
		else if (r >= 0)
			t->compat_recipient = (enum tmpl_compat)r;
		break;
	case TK_PURPOSE:
		r = enum_value(c, key, tmpl_purpose_names, TMPL_PURPOSE_COUNT, v);
		if (r >= 0)
			t->purpose = (enum tmpl_purpose)r;
		break;
	case TK_EXPORT:
		bool_value(c, key, v, &t->allow_private_key_export);
		break;
	case TK_SERVER_KEYGEN:
		bool_value(c, key, v, &t->server_key_generation);
		break;
	case TK_MIN_KEY_SIZE:
		if (tmpl_u32_parse(v, MIN_KEY_LO, MIN_KEY_HI, &t->min_key_size) != 0)
			bad(c, key, "1024..16384", v);
		break;
	case TK_HASH:
		r = enum_value(c, key, tmpl_hash_names, TMPL_HASH_COUNT, v);
		if (r >= 0)
			t->hash = (enum tmpl_hash)r;
		break;
	case TK_SUBJECT:
		r = enum_value(c, key, tmpl_subject_names, TMPL_SUBJECT_COUNT, v);
		if (r >= 0)
			t->subject = (enum tmpl_subject)r;
		break;
	case TK_SUBJECT_FORMAT:
		r = enum_value(c, key, tmpl_subjfmt_names, TMPL_SUBJFMT_COUNT, v);
		if (r >= 0)
			t->subject_format = (enum tmpl_subject_format)r;
		break;
	case TK_EKU_CRITICAL:
		bool_value(c, key, v, &t->eku_critical);
		break;
	case TK_SUBJECT_EMAIL:
		bool_value(c, key, v, &t->subject_email);
		break;
	case TK_KU_CRITICAL:
		bool_value(c, key, v, &t->key_usage_critical);
		break;
	case TK_SID_EXTENSION:
		bool_value(c, key, v, &t->sid_extension);
		break;
	case TK_CA:
		bool_value(c, key, v, &t->ca);
		break;
	case TK_PATH_LENGTH: {
		uint32_t n;

		if (strcasecmp(v, "unlimited") == 0 || strcmp(v, "-1") == 0)
			t->path_len = -1;
		else if (tmpl_u32_parse(v, 0, PATH_LEN_MAX, &n) == CA_OK)
			t->path_len = (int)n;
		else
			bad(c, key, "unlimited or 0..255", v);
		break;
	}
	case TK_REQUIRE_APPROVAL:
		bool_value(c, key, v, &t->require_approval);
		break;
	case TK_ALLOW_UNRESOLVED:
		bool_value(c, key, v, &t->allow_unresolved_names);
		break;
	case TK_AUTHORIZED_SIGNATURES:
		if (tmpl_u32_parse(v, 0, SIGNATURES_MAX, &t->authorized_signatures) != 0)
			bad(c, key, "0..16", v);
		break;
	case TK_RA_POLICY: {
		const char *oid;

		if (*v == '\0') {
			t->ra_policy[0] = '\0';
			break;
		}
		oid = tmpl_eku_oid(v);
		if (oid == NULL)
			bad(c, key, "an application policy name or dotted OID "
			    "(e.g. certificate-request-agent), or nothing", v);
		else
			snprintf(t->ra_policy, sizeof(t->ra_policy), "%s", oid);
		break;
	}
	case TK_RENEWAL_MODE:
		r = enum_value(c, key, tmpl_renewal_names, TMPL_RENEWAL_COUNT, v);
		if (r >= 0)
			t->renewal = (enum tmpl_renewal)r;
		break;
	case TK_CHANNEL_BINDING:
		bool_value(c, key, v, &t->require_channel_binding);
		break;
	default:
		break;
	}
}

/* Point messages at key k's line (no line when the key was not in the file). */
static void
at_key(struct tmpl_pctx *c, enum tmpl_key k)
{
	c->line = c->key_line[k];
}

/* See template_keys.h. */
int
tmpl_finish(struct tmpl_pctx *c)
{
	struct template *t = c->t;
	uint32_t schema;
	char a[TMPL_PERIOD_TEXT_MAX], b[TMPL_PERIOD_TEXT_MAX];

	if (c->key_line[TK_DISPLAY_NAME] == 0) {
		c->line = 0;
		tmpl_perr(c, "missing required key display-name in [template]");
		return c->rc;
	}
	if (c->key_line[TK_NAME] == 0) {
		/* AD CS: the template name is the display name without spaces. */
		size_t j = 0;

		for (const char *p = t->display_name; *p != '\0'; p++)
			if (*p != ' ')
				t->name[j++] = *p;
		t->name[j] = '\0';
		if (!tmpl_name_valid(t->name)) {
			at_key(c, TK_DISPLAY_NAME);
			tmpl_perr(c, "display-name: the template name made from it "
			    "(\"%s\") is not valid; set name explicitly", t->name);
			return c->rc;
		}
	}
	schema = tmpl_schema_for_compat(t->compat_ca);
	if (c->key_line[TK_SCHEMA_VERSION] == 0)
		t->schema_version = schema;
	else if (t->schema_version > schema) {
		at_key(c, TK_SCHEMA_VERSION);
		tmpl_perr(c, "schema-version: expected 1..%u with "
		    "compatibility-ca %s (v3 needs 2008, v4 needs 2012), got %u",
		    schema, tmpl_compat_names[t->compat_ca], t->schema_version);
		return c->rc;
	}
	if (t->key_algorithms == 0) {
		at_key(c, TK_KEY_ALGORITHMS);
		tmpl_perr(c, "key-algorithms: expected at least one of rsa, "
		    "ecdsa-p256, ecdsa-p384");
		return c->rc;
	}
	if ((t->key_algorithms & (TMPL_KEY_ECDSA_P256 | TMPL_KEY_ECDSA_P384)) &&
	    (t->compat_ca < TMPL_COMPAT_2008 ||
	    t->compat_recipient < TMPL_COMPAT_2008)) {
		at_key(c, TK_KEY_ALGORITHMS);
		tmpl_perr(c, "key-algorithms: ECDSA keys need compatibility-ca and "
		    "compatibility-recipient 2008 or later (CNG), have %s/%s",
		    tmpl_compat_names[t->compat_ca],
		    tmpl_compat_names[t->compat_recipient]);
		return c->rc;
	}
	if (t->server_key_generation && !t->allow_private_key_export) {
		at_key(c, TK_SERVER_KEYGEN);
		tmpl_perr(c, "server-key-generation: needs "
		    "allow-private-key-export = yes (the key leaves entca)");
		return c->rc;
	}
	if (t->subject == TMPL_SUBJECT_SUPPLY_IN_REQUEST) {
		if (c->key_line[TK_SUBJECT_FORMAT] != 0 &&
		    t->subject_format != TMPL_SUBJFMT_NONE) {
			at_key(c, TK_SUBJECT_FORMAT);
			tmpl_perr(c, "subject-format: expected none with subject = "
			    "supply-in-request (the request names the subject)");
			return c->rc;
		}
		if (c->key_line[TK_SAN] != 0 && t->san != 0) {
			at_key(c, TK_SAN);
			tmpl_perr(c, "san: expected an empty list with subject = "
			    "supply-in-request (the request names the SAN)");
			return c->rc;
		}
		if (c->key_line[TK_SUBJECT_EMAIL] != 0 && t->subject_email) {
			at_key(c, TK_SUBJECT_EMAIL);
			tmpl_perr(c, "subject-email: only with subject = "
			    "from-directory (the request names the subject)");
			return c->rc;
		}
		t->subject_format = TMPL_SUBJFMT_NONE;
		t->san = 0;
		t->subject_email = false;
	} else if (t->subject_format == TMPL_SUBJFMT_NONE && t->san == 0) {
		at_key(c, c->key_line[TK_SUBJECT_FORMAT] ? TK_SUBJECT_FORMAT : TK_SUBJECT);
		tmpl_perr(c, "subject = from-directory needs a subject-format or "
		    "at least one san entry");
		return c->rc;
	}
	if (!t->ca && c->key_line[TK_PATH_LENGTH] != 0 && t->path_len != -1) {
		at_key(c, TK_PATH_LENGTH);
		tmpl_perr(c, "path-length: only for ca = yes");
		return c->rc;
	}
	if (!t->ca && (t->key_usage & (TMPL_KU_KEY_CERT_SIGN | TMPL_KU_CRL_SIGN))) {
		at_key(c, TK_KEY_USAGE);
		tmpl_perr(c, "key-usage: key-cert-sign and crl-sign need ca = yes "
		    "(RFC 5280 4.2.1.3)");
		return c->rc;
	}
	if (t->ca && !(t->key_usage & TMPL_KU_KEY_CERT_SIGN)) {
		at_key(c, c->key_line[TK_KEY_USAGE] ? TK_KEY_USAGE : TK_CA);
		tmpl_perr(c, "ca = yes needs key-cert-sign in key-usage "
		    "(RFC 5280 4.2.1.3)");
		return c->rc;
	}
	if (t->ra_policy[0] != '\0' && t->authorized_signatures == 0) {
		at_key(c, TK_RA_POLICY);
		tmpl_perr(c, "ra-policy: only with authorized-signatures of 1 or more");
		return c->rc;
	}
	if (t->renewal_seconds > t->validity_seconds) {
		at_key(c, c->key_line[TK_RENEWAL] ? TK_RENEWAL : TK_VALIDITY);
		tmpl_period_format(t->renewal_seconds, a, sizeof(a));
		tmpl_period_format(t->validity_seconds, b, sizeof(b));
		tmpl_perr(c, "renewal-period %s is longer than validity %s", a, b);
		return c->rc;
	}
	if (t->oid[0] == '\0' && tmpl_oid_derive(t->name, t->oid,
	    sizeof(t->oid)) != CA_OK) {
		c->line = 0;
		tmpl_perr(c, "cannot derive an OID for \"%s\"", t->name);
		return c->rc;
	}
	return c->rc;
}

/* Record the first error only, prefixed with file and line. */
void
tmpl_perr(struct tmpl_pctx *c, const char *fmt, ...)
{
	char msg[CA_WHY_MAX];
	va_list ap;

	if (c->err_line != 0 || c->rc != CA_OK)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->err_line = c->line != 0 ? c->line : 1;
	c->rc = CA_EPARSE;
	if (c->line != 0)
		ca_why(c->why, c->whylen, CA_EPARSE, "template %s line %u: %s",
		    c->file, c->line, msg);
	else
		ca_why(c->why, c->whylen, CA_EPARSE, "template %s: %s",
		    c->file, msg);
}

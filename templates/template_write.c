/*
 * The template file writer: every property written out with a comment
 * that says what it means in AD CS terms, so `entca template duplicate`
 * hands the administrator a complete file to edit and parse(write(t))
 * gives t back. Values the file syntax cannot carry are refused. No state;
 * any thread.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "templates/template.h"
#include "templates/template_keys.h"
#include "templates/template_names.h"
#include "templates/template_value.h"

#define WRAP_AT 96	/* list lines wrap onto indented continuation lines */

struct wbuf {
	char *p;
	size_t len, cap;
	int rc;
};

/* Append formatted text; the first failure sticks. */
static void
wb_printf(struct wbuf *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
wb_printf(struct wbuf *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->rc != CA_OK)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(w->p + w->len, w->cap - w->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			w->rc = CA_EINVAL;
			return;
		}
		if ((size_t)n < w->cap - w->len) {
			w->len += (size_t)n;
			return;
		}
		{
			size_t cap = w->cap * 2 + (size_t)n;
			char *np = realloc(w->p, cap);

			if (np == NULL) {
				w->rc = CA_ENOMEM;
				return;
			}
			w->p = np;
			w->cap = cap;
		}
	}
}

/* True when the parser reads s back unchanged as a value. */
static bool
representable(const char *s)
{
	size_t n = strlen(s);

	if (!tmpl_text_valid(s) || n > TMPL_LINE_MAX - 40)
		return false;
	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' ' || s[0] == ';'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (s[i] == ';' && (s[i - 1] == ' ' || s[i - 1] == '\t'))
			return false;
	return true;
}

/* A string value; quoted when it would otherwise lose its own quotes. */
static void
w_str(struct wbuf *w, const char *key, const char *v)
{
	size_t n = strlen(v);

	if (!representable(v)) {
		w->rc = CA_EINVAL;
		return;
	}
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
		wb_printf(w, "%s = \"%s\"\n", key, v);
	else
		wb_printf(w, "%s = %s\n", key, v);
}

/* A list, wrapped onto indented lines that the parser joins back. */
static void
w_list(struct wbuf *w, const char *key, const char *const *items, size_t n)
{
	size_t col;

	wb_printf(w, "%s =", key);
	col = strlen(key) + 2;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(items[i]);

		if (i > 0 && col + len + 2 > WRAP_AT) {
			wb_printf(w, ",\n   ");
			col = 3;
		} else if (i > 0) {
			wb_printf(w, ",");
			col++;
		}
		wb_printf(w, " %s", items[i]);
		col += len + 1;
	}
	wb_printf(w, "\n");
}

/* A mask as the words of its table, in table order. */
static void
w_mask(struct wbuf *w, const char *key, uint32_t mask,
    const struct tmpl_bitname *tab, size_t n)
{
	const char *items[32];
	size_t k = 0;

	for (size_t i = 0; i < n && k < 32; i++)
		if (mask & tab[i].bit)
			items[k++] = tab[i].name;
	w_list(w, key, items, k);
}

/* How a [template] key's value is written. */
enum w_kind {
	W_STR,		/* char[] field, quoted when it needs it */
	W_UINT,		/* uint32_t field */
	W_BOOL,		/* bool field: yes / no */
	W_BOOL_SET,	/* bool field written only when set (newer keys) */
	W_PERIOD,	/* int64_t seconds as a period */
	W_ENUM,		/* enum field by its name table */
	W_MASK,		/* uint32_t mask as the words of its bit table */
	W_VERSION,	/* major.minor */
	W_EKUS,		/* application policies, friendly names where known */
	W_PATH_LENGTH,	/* unlimited or the number */
	W_RA_POLICY,	/* the agent's policy, friendly where known, or empty */
	W_SUPERSEDES,	/* list of template names */
	W_LINT		/* lint overrides by rule name */
};

/* One [template] key as the writer emits it (nginx's command tables). */
struct w_key {
	enum tmpl_key key;
	enum w_kind kind;
	size_t off;			/* offsetof the field (plain kinds) */
	const char *const *names;	/* W_ENUM: n_names names */
	size_t n_names;
	const struct tmpl_bitname *bits;	/* W_MASK: *n_bits of them */
	const size_t *n_bits;
};

#define OFF(field) offsetof(struct template, field)
#define PLAIN(k, field) .kind = (k), .off = OFF(field)
/* An enum field and its name table (tmpl_names.h, sized by _COUNT). */
#define ENUM(field, tab) .kind = W_ENUM, .off = OFF(field), \
	.names = (tab), .n_names = sizeof(tab) / sizeof((tab)[0])
/* A mask field and its bit table, tmpl_<b>_names with tmpl_<b>_count. */
#define MASK(field, b) .kind = W_MASK, .off = OFF(field), \
	.bits = tmpl_##b##_names, .n_bits = &tmpl_##b##_count

/* The [template] keys in the order they are written. */
static const struct w_key w_keys[] = {
	{ TK_DISPLAY_NAME, PLAIN(W_STR, display_name) },
	{ TK_NAME, PLAIN(W_STR, name) },
	{ TK_SCHEMA_VERSION, PLAIN(W_UINT, schema_version) },
	{ TK_VERSION, .kind = W_VERSION },
	{ TK_OID, PLAIN(W_STR, oid) },
	{ TK_VALIDITY, PLAIN(W_PERIOD, validity_seconds) },
	{ TK_RENEWAL, PLAIN(W_PERIOD, renewal_seconds) },
	{ TK_PUBLISH, PLAIN(W_BOOL, publish_to_directory) },
	{ TK_COMPAT_CA, ENUM(compat_ca, tmpl_compat_names) },
	{ TK_COMPAT_RECIPIENT, ENUM(compat_recipient, tmpl_compat_names) },
	{ TK_PURPOSE, ENUM(purpose, tmpl_purpose_names) },
	{ TK_EXPORT, PLAIN(W_BOOL, allow_private_key_export) },
	{ TK_SERVER_KEYGEN, PLAIN(W_BOOL, server_key_generation) },
	{ TK_KEY_ALGORITHMS, MASK(key_algorithms, keyalg) },
	{ TK_MIN_KEY_SIZE, PLAIN(W_UINT, min_key_size) },
	{ TK_HASH, ENUM(hash, tmpl_hash_names) },
	{ TK_SUBJECT, ENUM(subject, tmpl_subject_names) },
	{ TK_SUBJECT_FORMAT, ENUM(subject_format, tmpl_subjfmt_names) },
	{ TK_SUBJECT_EMAIL, PLAIN(W_BOOL, subject_email) },
	{ TK_SAN, MASK(san, san) },
	/* Written only when set, so files of earlier versions read back
	 * byte for byte. */
	{ TK_ALLOW_UNRESOLVED, PLAIN(W_BOOL_SET, allow_unresolved_names) },
	{ TK_POLICIES, .kind = W_EKUS },
	{ TK_EKU_CRITICAL, PLAIN(W_BOOL, eku_critical) },
	{ TK_KEY_USAGE, MASK(key_usage, ku) },
	{ TK_KU_CRITICAL, PLAIN(W_BOOL, key_usage_critical) },
	{ TK_SID_EXTENSION, PLAIN(W_BOOL, sid_extension) },
	{ TK_CA, PLAIN(W_BOOL, ca) },
	{ TK_PATH_LENGTH, .kind = W_PATH_LENGTH },
	{ TK_REQUIRE_APPROVAL, PLAIN(W_BOOL, require_approval) },
	{ TK_AUTHORIZED_SIGNATURES, PLAIN(W_UINT, authorized_signatures) },
	{ TK_RA_POLICY, .kind = W_RA_POLICY },
	{ TK_RENEWAL_MODE, ENUM(renewal, tmpl_renewal_names) },
	{ TK_CHANNEL_BINDING, PLAIN(W_BOOL, require_channel_binding) },
	{ TK_SUPERSEDES, .kind = W_SUPERSEDES },
	{ TK_ALLOW_DANGEROUS, .kind = W_LINT },
};

/*
 * What is written above a key: the section heading where a section starts,
 * and what the key means in AD CS terms. Keys without an entry follow the
 * previous key's comment.
 */
static const char *const w_before[TK_COUNT] = {
	[TK_DISPLAY_NAME] = "[template]\n\n# --- General ---\n"
	    "# Name shown to administrators (AD CS \"Template display name\").\n",
	[TK_NAME] = "# Template name (cn) that requests and profiles use; "
	    "defaults to the\n# display name without spaces.\n",
	[TK_SCHEMA_VERSION] = "# msPKI-Template-Schema-Version: 2 (CA 2003), "
	    "3 (2008, 2008R2), 4 (2012+).\n",
	[TK_VERSION] = "# Template version major.minor (AD CS revision and "
	    "minor revision).\n",
	[TK_OID] = "# Template OID (msPKI-Cert-Template-OID); put in "
	    "certificates as 1.3.6.1.4.1.311.21.7.\n",
	[TK_VALIDITY] = "# Validity and renewal periods: units s, m (minutes), "
	    "h, d, w, months (30 d), y (365 d).\n",
	[TK_PUBLISH] = "# Publish certificate in the directory "
	    "(userCertificate).\n",
	[TK_COMPAT_CA] = "\n# --- Compatibility: 2003, 2008, 2008R2, 2012, "
	    "2012R2, 2016 ---\n",
	[TK_PURPOSE] = "\n# --- Request handling ---\n"
	    "# Purpose: signature, encryption, signature-and-encryption.\n",
	[TK_EXPORT] = "# Allow private key to be exported.\n",
	[TK_SERVER_KEYGEN] = "# May entca generate the key and return it "
	    "(needs export allowed).\n",
	[TK_KEY_ALGORITHMS] = "\n# --- Cryptography ---\n# Key algorithms: "
	    "rsa, ecdsa-p256, ecdsa-p384 (ECDSA needs 2008+).\n",
	[TK_MIN_KEY_SIZE] = "# Minimum RSA key size in bits (1024..16384).\n",
	[TK_HASH] = "# Request hash: sha256, sha384, sha512.\n",
	[TK_SUBJECT] = "\n# --- Subject name ---\n"
	    "# supply-in-request, or from-directory with a format and SANs.\n",
	[TK_SUBJECT_FORMAT] = "# none, common-name, upn, dn, email, dns, "
	    "device-id.\n",
	[TK_SUBJECT_EMAIL] = "# Also put E=<mail> in a subject built from the "
	    "directory.\n",
	[TK_SAN] = "# Subject alternative names: upn, email, dns, sid-url.\n",
	[TK_ALLOW_UNRESOLVED] = "# Names the directory does not resolve may be "
	    "certified (officers only;\n# no SID in such certificates).\n",
	[TK_POLICIES] = "\n# --- Extensions ---\n"
	    "# Application policies (EKU) by friendly name or dotted OID.\n",
	[TK_KEY_USAGE] = "# Key usage: digital-signature, non-repudiation "
	    "(\"signature is proof of\n# origin\"), key-encipherment, "
	    "data-encipherment, key-agreement,\n# key-cert-sign, crl-sign.\n",
	[TK_SID_EXTENSION] = "# SID extension 1.3.6.1.4.1.311.25.2 for strong "
	    "mapping (KB5014754).\n",
	[TK_CA] = "# Basic constraints: a CA certificate, and its path length "
	    "(unlimited or 0..255).\n",
	[TK_REQUIRE_APPROVAL] = "\n# --- Issuance requirements ---\n"
	    "# CA certificate manager approval.\n",
	[TK_AUTHORIZED_SIGNATURES] = "# Enrollment-agent signatures required, "
	    "and the agent's application policy.\n",
	[TK_RENEWAL_MODE] = "# Re-enrollment (simplereenroll): "
	    "same-as-enrollment (approval, enroll right\n# of the renewing "
	    "account) or valid-certificate-suffices (AD CS's\n# \"valid "
	    "existing certificate\" option).\n",
	[TK_CHANNEL_BINDING] = "# RFC 7030 §3.5: the CSR's challengePassword "
	    "must be the TLS channel\n# binding (tls-unique on TLS 1.2, "
	    "tls-exporter on TLS 1.3).\n",
	[TK_SUPERSEDES] = "\n# --- Superseded templates ---\n",
	[TK_ALLOW_DANGEROUS] = "\n# --- Lint overrides: esc1, esc2, esc3, "
	    "esc4, no-sid, unresolved-names (each one a known risk) ---\n",
};

/* A list of the EKU, supersedes or lint kind. */
static void
w_key_list(struct wbuf *w, const char *key, enum w_kind kind,
    const struct template *t)
{
	const char *items[TMPL_EKU_MAX + TMPL_SUPERSEDE_MAX + TMPL_LINT_COUNT];
	size_t k = 0;

	if (kind == W_EKUS)
		for (; k < t->n_policies && k < TMPL_EKU_MAX; k++) {
			const char *f = tmpl_eku_friendly(t->policies[k]);

			items[k] = f != NULL ? f : t->policies[k];
		}
	else if (kind == W_SUPERSEDES)
		for (; k < t->n_supersedes && k < TMPL_SUPERSEDE_MAX; k++)
			items[k] = t->supersedes[k];
	else
		for (int i = 0; i < TMPL_LINT_COUNT; i++)
			if (t->lint_overrides & (1u << i))
				items[k++] = tmpl_lint_names[i];
	w_list(w, key, items, k);
}

/*
 * One key: its comment lines, then key = value. An enum value outside its
 * table makes the write fail (CA_EINVAL) instead of reading past it.
 */
static void
w_key(struct wbuf *w, const struct template *t, const struct w_key *k)
{
	const char *field = (const char *)t + k->off;
	const char *key = tmpl_key_names[k->key];
	char per[TMPL_PERIOD_TEXT_MAX];
	unsigned e;

	if (k->kind == W_BOOL_SET && !*(const bool *)field)
		return;
	if (w_before[k->key] != NULL)
		wb_printf(w, "%s", w_before[k->key]);
	switch (k->kind) {
	case W_STR:
		w_str(w, key, field);
		break;
	case W_UINT:
		wb_printf(w, "%s = %u\n", key, *(const uint32_t *)field);
		break;
	case W_BOOL:
	case W_BOOL_SET:
		wb_printf(w, "%s = %s\n", key,
		    *(const bool *)field ? "yes" : "no");
		break;
	case W_PERIOD:
		tmpl_period_format(*(const int64_t *)field, per, sizeof(per));
		wb_printf(w, "%s = %s\n", key, per);
		break;
	case W_ENUM:
		e = *(const unsigned *)field;
		if (e >= k->n_names) {
			w->rc = CA_EINVAL;
			return;
		}
		wb_printf(w, "%s = %s\n", key, k->names[e]);
		break;
	case W_MASK:
		w_mask(w, key, *(const uint32_t *)field, k->bits, *k->n_bits);
		break;
	case W_VERSION:
		wb_printf(w, "%s = %u.%u\n", key, t->major_version,
		    t->minor_version);
		break;
	case W_PATH_LENGTH:
		if (t->path_len < 0)
			wb_printf(w, "%s = unlimited\n", key);
		else
			wb_printf(w, "%s = %d\n", key, t->path_len);
		break;
	case W_RA_POLICY:
		if (t->ra_policy[0] != '\0') {
			const char *f = tmpl_eku_friendly(t->ra_policy);

			w_str(w, key, f != NULL ? f : t->ra_policy);
		} else
			wb_printf(w, "%s =\n", key);
		break;
	case W_EKUS:
	case W_SUPERSEDES:
	case W_LINT:
		w_key_list(w, key, k->kind, t);
		break;
	}
}

/* The [template] section. */
static void
w_template(struct wbuf *w, const struct template *t)
{
	for (size_t i = 0; i < sizeof(w_keys) / sizeof(w_keys[0]); i++)
		w_key(w, t, &w_keys[i]);
}

/* The [security] section. */
static void
w_security(struct wbuf *w, const struct template *t)
{
	wb_printf(w, "\n[security]\n"
	    "# allow|deny = PRINCIPAL : rights. PRINCIPAL is a SID, a DN or an "
	    "account name;\n# rights are read, enroll, autoenroll. Deny wins "
	    "over allow; no entry, no right.\n");
	for (size_t i = 0; i < t->n_aces && i < TMPL_ACE_MAX; i++) {
		const struct tmpl_ace *a = &t->aces[i];
		const char *sep = "";
		size_t n = strlen(a->principal);

		if (!representable(a->principal) || n == 0 || a->rights == 0 ||
		    (a->rights & ~7u) != 0) {
			w->rc = CA_EINVAL;
			return;
		}
		if (n >= 2 && a->principal[0] == '"' && a->principal[n - 1] == '"')
			wb_printf(w, "%s = \"%s\" :", a->deny ? "deny" : "allow",
			    a->principal);
		else
			wb_printf(w, "%s = %s :", a->deny ? "deny" : "allow",
			    a->principal);
		for (int b = 0; b < 3; b++)
			if (a->rights & (1u << b)) {
				wb_printf(w, "%s %s", sep, tmpl_right_names[b]);
				sep = ",";
			}
		wb_printf(w, "\n");
	}
}

/* Every line must fit the parser's line bound. */
static int
check_lines(const char *s)
{
	while (*s != '\0') {
		const char *nl = strchr(s, '\n');
		size_t n = nl != NULL ? (size_t)(nl - s) : strlen(s);

		if (n > TMPL_LINE_MAX)
			return CA_EINVAL;
		s += n + (nl != NULL);
	}
	return CA_OK;
}

/* See template.h. */
int
template_write(const struct template *t, char **out_text)
{
	struct wbuf w = { NULL, 0, 4096, CA_OK };

	*out_text = NULL;
	w.p = malloc(w.cap);
	if (w.p == NULL)
		return CA_ENOMEM;
	w.p[0] = '\0';
	wb_printf(&w, "# entca certificate template \"%s\".\n"
	    "# One template per file, INI syntax: [template] holds AD CS's "
	    "properties,\n# [security] who may read, enroll and autoenroll. "
	    "Every property is written\n# out; `entca template validate` checks "
	    "the file after an edit.\n\n", t->display_name);
	w_template(&w, t);
	w_security(&w, t);
	if (w.rc == CA_OK)
		w.rc = check_lines(w.p);
	if (w.rc != CA_OK) {
		free(w.p);
		return w.rc;
	}
	*out_text = w.p;
	return CA_OK;
}

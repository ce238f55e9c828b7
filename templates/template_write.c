/*
 * The template file writer: every property written out with a comment
 * that says what it means in AD CS terms, so `entca template duplicate`
 * hands the administrator a complete file to edit and parse(write(t))
 * gives t back. Values the file syntax cannot carry are refused. No state;
 * any thread.
 */
#include <stdarg.h>
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

/* Comment lines, then key = value. */
#define W_YESNO(w, key, b) wb_printf(w, "%s = %s\n", key, (b) ? "yes" : "no")

/* The [template] section. */
static void
w_template(struct wbuf *w, const struct template *t)
{
	char per[TMPL_PERIOD_TEXT_MAX];
	const char *items[TMPL_EKU_MAX + TMPL_SUPERSEDE_MAX + TMPL_LINT_COUNT];
	size_t k;

	wb_printf(w, "[template]\n\n# --- General ---\n"
	    "# Name shown to administrators (AD CS \"Template display name\").\n");
	w_str(w, "display-name", t->display_name);
	wb_printf(w, "# Template name (cn) that requests and profiles use; "
	    "defaults to the\n# display name without spaces.\n");
	w_str(w, "name", t->name);
	wb_printf(w, "# msPKI-Template-Schema-Version: 2 (CA 2003), 3 (2008, "
	    "2008R2), 4 (2012+).\n");
	wb_printf(w, "schema-version = %u\n", t->schema_version);
	wb_printf(w, "# Template version major.minor (AD CS revision and minor "
	    "revision).\n");
	wb_printf(w, "version = %u.%u\n", t->major_version, t->minor_version);
	wb_printf(w, "# Template OID (msPKI-Cert-Template-OID); put in "
	    "certificates as 1.3.6.1.4.1.311.21.7.\n");
	w_str(w, "oid", t->oid);
	wb_printf(w, "# Validity and renewal periods: units s, m (minutes), h, d, w, "
	    "months (30 d), y (365 d).\n");
	tmpl_period_format(t->validity_seconds, per, sizeof(per));
	wb_printf(w, "validity = %s\n", per);
	tmpl_period_format(t->renewal_seconds, per, sizeof(per));
	wb_printf(w, "renewal-period = %s\n", per);
	wb_printf(w, "# Publish certificate in the directory (userCertificate).\n");
	W_YESNO(w, "publish-to-directory", t->publish_to_directory);

	wb_printf(w, "\n# --- Compatibility: 2003, 2008, 2008R2, 2012, 2012R2, "
	    "2016 ---\n");
	wb_printf(w, "compatibility-ca = %s\n", tmpl_compat_names[t->compat_ca]);
	wb_printf(w, "compatibility-recipient = %s\n",
	    tmpl_compat_names[t->compat_recipient]);

	wb_printf(w, "\n# --- Request handling ---\n"
	    "# Purpose: signature, encryption, signature-and-encryption.\n");
	wb_printf(w, "purpose = %s\n", tmpl_purpose_names[t->purpose]);
	wb_printf(w, "# Allow private key to be exported.\n");
	W_YESNO(w, "allow-private-key-export", t->allow_private_key_export);
	wb_printf(w, "# May entca generate the key and return it "
	    "(needs export allowed).\n");
	W_YESNO(w, "server-key-generation", t->server_key_generation);

	wb_printf(w, "\n# --- Cryptography ---\n"
	    "# Key algorithms: rsa, ecdsa-p256, ecdsa-p384 (ECDSA needs 2008+).\n");
	w_mask(w, "key-algorithms", t->key_algorithms, tmpl_keyalg_names,
	    tmpl_keyalg_count);
	wb_printf(w, "# Minimum RSA key size in bits (1024..16384).\n");
	wb_printf(w, "min-key-size = %u\n", t->min_key_size);
	wb_printf(w, "# Request hash: sha256, sha384, sha512.\n");
	wb_printf(w, "hash = %s\n", tmpl_hash_names[t->hash]);

	wb_printf(w, "\n# --- Subject name ---\n"
	    "# supply-in-request, or from-directory with a format and SANs.\n");
	wb_printf(w, "subject = %s\n", tmpl_subject_names[t->subject]);
	wb_printf(w, "# none, common-name, upn, dn, email, dns, device-id.\n");
	wb_printf(w, "subject-format = %s\n", tmpl_subjfmt_names[t->subject_format]);
	wb_printf(w, "# Also put E=<mail> in a subject built from the directory.\n");
	wb_printf(w, "subject-email = %s\n", t->subject_email ? "yes" : "no");
	wb_printf(w, "# Subject alternative names: upn, email, dns, sid-url.\n");
	w_mask(w, "san", t->san, tmpl_san_names, tmpl_san_count);
	/* Written only when set, so files of earlier versions read back
	 * byte for byte. */
	if (t->allow_unresolved_names)
		wb_printf(w, "# Names the directory does not resolve may be "
		    "certified (officers only;\n# no SID in such "
		    "certificates).\nallow-unresolved-names = yes\n");

	wb_printf(w, "\n# --- Extensions ---\n"
	    "# Application policies (EKU) by friendly name or dotted OID.\n");
	for (k = 0; k < t->n_policies && k < TMPL_EKU_MAX; k++) {
		const char *f = tmpl_eku_friendly(t->policies[k]);

		items[k] = f != NULL ? f : t->policies[k];
	}
	w_list(w, "application-policies", items, k);
	W_YESNO(w, "eku-critical", t->eku_critical);
	wb_printf(w, "# Key usage: digital-signature, non-repudiation "
	    "(\"signature is proof of\n# origin\"), key-encipherment, "
	    "data-encipherment, key-agreement,\n# key-cert-sign, crl-sign.\n");
	w_mask(w, "key-usage", t->key_usage, tmpl_ku_names, tmpl_ku_count);
	W_YESNO(w, "key-usage-critical", t->key_usage_critical);
	wb_printf(w, "# SID extension 1.3.6.1.4.1.311.25.2 for strong mapping "
	    "(KB5014754).\n");
	W_YESNO(w, "sid-extension", t->sid_extension);
	wb_printf(w, "# Basic constraints: a CA certificate, and its path "
	    "length (unlimited or 0..255).\n");
	W_YESNO(w, "ca", t->ca);
	if (t->path_len < 0)
		wb_printf(w, "path-length = unlimited\n");
	else
		wb_printf(w, "path-length = %d\n", t->path_len);

	wb_printf(w, "\n# --- Issuance requirements ---\n"
	    "# CA certificate manager approval.\n");
	W_YESNO(w, "require-approval", t->require_approval);
	wb_printf(w, "# Enrollment-agent signatures required, and the agent's "
	    "application policy.\n");
	wb_printf(w, "authorized-signatures = %u\n", t->authorized_signatures);
	if (t->ra_policy[0] != '\0') {
		const char *f = tmpl_eku_friendly(t->ra_policy);

		w_str(w, "ra-policy", f != NULL ? f : t->ra_policy);
	} else
		wb_printf(w, "ra-policy =\n");
	wb_printf(w, "# Re-enrollment (simplereenroll): same-as-enrollment (approval, "
	    "enroll right\n# of the renewing account) or valid-certificate-suffices "
	    "(AD CS's\n# \"valid existing certificate\" option).\n");
	wb_printf(w, "renewal = %s\n", tmpl_renewal_names[t->renewal]);
	wb_printf(w, "# RFC 7030 §3.5: the CSR's challengePassword must be the TLS "
	    "channel\n# binding (tls-unique on TLS 1.2, tls-exporter on TLS 1.3).\n");
	W_YESNO(w, "require-channel-binding", t->require_channel_binding);

	wb_printf(w, "\n# --- Superseded templates ---\n");
	for (k = 0; k < t->n_supersedes && k < TMPL_SUPERSEDE_MAX; k++)
		items[k] = t->supersedes[k];
	w_list(w, "supersedes", items, k);

	wb_printf(w, "\n# --- Lint overrides: esc1, esc2, esc3, esc4, no-sid, "
	    "unresolved-names "
	    "(each one a known risk) ---\n");
	k = 0;
	for (int i = 0; i < TMPL_LINT_COUNT; i++)
		if (t->lint_overrides & (1u << i))
			items[k++] = tmpl_lint_names[i];
	w_list(w, "allow-dangerous", items, k);
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
	if ((unsigned)t->compat_ca >= TMPL_COMPAT_COUNT ||
	    (unsigned)t->compat_recipient >= TMPL_COMPAT_COUNT ||
	    (unsigned)t->purpose >= TMPL_PURPOSE_COUNT ||
	    (unsigned)t->hash >= TMPL_HASH_COUNT ||
	    (unsigned)t->subject >= TMPL_SUBJECT_COUNT ||
	    (unsigned)t->subject_format >= TMPL_SUBJFMT_COUNT)
		return CA_EINVAL;
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

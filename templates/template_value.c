/*
 * Value syntax of template files (see template_value.h) and the [security]
 * entry parser template_parse_ace, which the CA configuration reuses for
 * its own rights. Pure functions; any thread.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "common/error.h"
#include "common/utf8.h"
#include "templates/template.h"
#include "templates/template_names.h"
#include "templates/template_value.h"

struct period_unit {
	const char *name;
	int64_t seconds;
};

/* Units the writer may choose, largest first. */
static const struct period_unit format_units[] = {
	{ "y", TMPL_SECONDS_YEAR }, { "w", TMPL_SECONDS_WEEK },
	{ "d", TMPL_SECONDS_DAY }, { "h", 3600 }, { "min", 60 }, { "s", 1 },
};

/* Exact: the text parses back to the same number of seconds. */
void
tmpl_period_format(int64_t seconds, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(format_units) / sizeof(format_units[0]); i++) {
		if (seconds != 0 && seconds % format_units[i].seconds == 0) {
			snprintf(buf, len, "%" PRId64 "%s",
			    seconds / format_units[i].seconds, format_units[i].name);
			return;
		}
	}
	snprintf(buf, len, "%" PRId64 "s", seconds);
}

/* Digits only (no sign, no blanks), at most 10 of them, within range. */
int
tmpl_u32_parse(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!isdigit((unsigned char)s[i]) || i >= 10)
			return CA_EPARSE;
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0 || n < lo || n > hi)
		return CA_EPARSE;
	*out = (uint32_t)n;
	return CA_OK;
}

/* NUL refused, then the one UTF-8 validator; position as line:column. */
int
tmpl_utf8_check(const char *buf, size_t len, unsigned *line, unsigned *col,
    unsigned char *byte)
{
	const char *nul = memchr(buf, '\0', len);
	size_t bad = len, i;
	unsigned ln = 1, cl = 1;

	if (utf8_check(buf, len, &bad) != CA_OK || nul != NULL) {
		if (nul != NULL && (size_t)(nul - buf) < bad)
			bad = (size_t)(nul - buf);
	} else {
		return CA_OK;
	}
	/* Columns count characters: continuation bytes do not advance. */
	for (i = 0; i < bad; i++) {
		if (buf[i] == '\n') {
			ln++;
			cl = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
			cl++;
		}
	}
	*line = ln;
	*col = cl;
	*byte = (unsigned char)buf[bad];
	return CA_EPARSE;
}

/* In place; the string keeps its storage. */
char *
tmpl_trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

/* AD CS's cn is also a file name for `entca template duplicate`. */
bool
tmpl_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= TMPL_NAME_MAX || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == 0x7f || strchr("/\\:*?\"<>|,;=", c) != NULL)
			return false;
	}
	return true;
}

/* No control characters; UTF-8 has been checked already. */
bool
tmpl_text_valid(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return false;
	return true;
}

/* See template.h. The value is copied so it can be split in place. */
int
template_parse_ace(const char *value, bool deny,
    const char *const *right_names, size_t n_right_names,
    struct tmpl_ace *out, char *why, size_t whylen)
{
	char buf[TMPL_PRINCIPAL_MAX + 256];
	char *colon, *principal, *rights, *item, *save = NULL;
	size_t plen;

	if (strlen(value) >= sizeof(buf))
		return ca_why(why, whylen, CA_EPARSE,
		    "expected \"PRINCIPAL : rights\" under %zu bytes",
		    sizeof(buf));
	strcpy(buf, value);
	colon = strrchr(buf, ':');
	if (colon == NULL)
		return ca_why(why, whylen, CA_EPARSE,
		    "expected \"PRINCIPAL : right, right\", got \"%s\" "
		    "(no ':' before the rights)", value);
	*colon = '\0';
	principal = tmpl_trim(buf);
	rights = tmpl_trim(colon + 1);
	plen = strlen(principal);
	if (plen >= 2 && principal[0] == '"' && principal[plen - 1] == '"') {
		principal[plen - 1] = '\0';
		principal = tmpl_trim(principal + 1);
		plen = strlen(principal);
	}
	if (plen == 0)
		return ca_why(why, whylen, CA_EPARSE,
		    "expected a principal (SID, DN or account name) before ':'");
	if (plen >= TMPL_PRINCIPAL_MAX || !tmpl_text_valid(principal))
		return ca_why(why, whylen, CA_EPARSE,
		    "expected a principal of printable text under %d bytes",
		    TMPL_PRINCIPAL_MAX);
	if (strncasecmp(principal, "S-1-", 4) == 0 && !tmpl_sid_valid(principal))
		return ca_why(why, whylen, CA_EPARSE,
		    "expected a SID S-1-<authority>-<subauthority>..., got \"%s\"",
		    principal);
	memset(out, 0, sizeof(*out));
	out->deny = deny;
	memcpy(out->principal, principal, plen + 1);
	if (*rights == '\0')
		return ca_why(why, whylen, CA_EPARSE,
		    "expected rights after ':' for %s", principal);
	for (item = strtok_r(rights, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		int idx;

		item = tmpl_trim(item);
		idx = tmpl_name_index(right_names, n_right_names, item);
		if (idx < 0 || idx >= 32) {
			char list[256] = "";

			for (size_t i = 0; i < n_right_names; i++) {
				if (i > 0)
					strncat(list, ", ", sizeof(list) - strlen(list) - 1);
				strncat(list, right_names[i], sizeof(list) - strlen(list) - 1);
			}
			return ca_why(why, whylen, CA_EPARSE,
			    "expected rights from {%s}, got \"%s\"", list, item);
		}
		out->rights |= 1u << idx;
	}
	if (out->rights == 0)
		return ca_why(why, whylen, CA_EPARSE,
		    "expected rights after ':' for %s", principal);
	return CA_OK;
}

/* Schema version AD CS gives a template for its CA compatibility. */
uint32_t
tmpl_schema_for_compat(enum tmpl_compat ca)
{
	if (ca >= TMPL_COMPAT_2012)
		return 4;
	if (ca >= TMPL_COMPAT_2008)
		return 3;
	return 2;
}

/* TMPL_OID_ARC.<a>.<b> from SHA-256("entca-template:" || name). */
int
tmpl_oid_derive(const char *name, char *oid, size_t len)
{
	char in[TMPL_NAME_MAX + 32];
	unsigned char d[32];
	unsigned long a, b;
	int n;

	n = snprintf(in, sizeof(in), "entca-template:%s", name);
	if (n < 0 || (size_t)n >= sizeof(in))
		return CA_EINVAL;
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, in, (size_t)n, d) < 0)
		return CA_ECRYPTO;
	/* a starts at 1000 so derived OIDs never meet the built-ins' .1.<n>. */
	a = 1000 + (((unsigned long)d[0] << 24 | (unsigned long)d[1] << 16 |
	    (unsigned long)d[2] << 8 | d[3]) & 0x3fffffffUL);
	b = ((unsigned long)d[4] << 24 | (unsigned long)d[5] << 16 |
	    (unsigned long)d[6] << 8 | d[7]) & 0x3fffffffUL;
	n = snprintf(oid, len, "%s.%lu.%lu", TMPL_OID_ARC, a, b);
	return (n < 0 || (size_t)n >= len) ? CA_EINVAL : CA_OK;
}

/*
 * Evaluation of allow/deny lists (rights.h). Matching is by SID, DN or
 * account name against the principal and every group it belongs to; the
 * group list ldap/ fills is already transitive. Pure; any thread.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/dn.h"
#include "policy/rights.h"

const char *const ca_right_names[CA_RIGHT_COUNT] = {
	"read", "request", "officer", "admin", "auditor"
};

/* Bit for a right name. */
uint32_t
policy_right_by_name(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(names[i], name) == 0)
			return 1u << i;
	return 0;
}

/* Text between leading and trailing spaces, copied into buf. */
static const char *
trim(const char *s, char *buf, size_t len)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

/*
 * Does the parsed ACE name ace equal the DN string b? A cheap exact
 * comparison first; otherwise through the RFC 4514 parser.
 */
static bool
dn_match(const struct dn *ace, const char *ace_text, const char *b)
{
	struct dn *y;
	bool eq = false;

	if (ace == NULL || *b == '\0')
		return false;
	if (strcasecmp(ace_text, b) == 0)
		return true;
	if ((y = malloc(sizeof(*y))) == NULL)
		return false;
	if (dn_parse_string(b, y, NULL, 0) == 0)
		eq = dn_equal(ace, y);
	free(y);
	return eq;
}

/* The DC labels of a DN joined by dots ("example.com"), or "". */
static void
dn_realm(const char *dnstr, char *out, size_t len)
{
	struct dn *d = malloc(sizeof(*d));
	size_t o = 0;

	out[0] = '\0';
	if (d == NULL)
		return;
	if (dn_parse_string(dnstr, d, NULL, 0) == 0) {
		/* DER order: least specific first, so walk backwards. */
		for (size_t i = d->n; i-- > 0;) {
			const struct dn_ava *a = &d->ava[i];
			if (strcmp(a->oid, DN_OID_DC) != 0 || a->raw)
				continue;
			int w = snprintf(out + o, len - o, "%s%.*s",
			    o ? "." : "", (int)a->len, a->value);
			if (w < 0 || (size_t)w >= len - o)
				break;
			o += (size_t)w;
		}
	}
	free(d);
}

/* An account name matches sam, DOMAIN\sam, name@realm or the UPN. */
static bool
name_match(const char *who, const char *sam, const char *upn,
    const char *dnstr)
{
	char realm[PRINCIPAL_NAME_MAX];
	const char *bs = strchr(who, '\\'), *at = strrchr(who, '@');

	if (*who == '\0')
		return false;
	if (sam != NULL && *sam != '\0' && strcasecmp(who, sam) == 0)
		return true;
	if (upn != NULL && *upn != '\0' && strcasecmp(who, upn) == 0)
		return true;
	if (bs != NULL && sam != NULL && strcasecmp(bs + 1, sam) == 0) {
		/* DOMAIN\name: NetBIOS domain is the first DC label here. */
		size_t dl = (size_t)(bs - who);
		dn_realm(dnstr, realm, sizeof(realm));
		if (realm[0] == '\0')
			return true;	/* well-known: no DN to check */
		return strncasecmp(realm, who, dl) == 0 &&
		    (realm[dl] == '.' || realm[dl] == '\0');
	}
	if (at != NULL && sam != NULL && dnstr != NULL &&
	    strlen(sam) == (size_t)(at - who) &&
	    strncasecmp(who, sam, (size_t)(at - who)) == 0) {
		dn_realm(dnstr, realm, sizeof(realm));
		return realm[0] != '\0' && strcasecmp(at + 1, realm) == 0;
	}
	return false;
}

/* Does an entry's principal text name this SID / DN / account? */
static bool
entry_match(const char *who, const struct dn *who_dn, const char *sid,
    const char *dnstr, const char *sam, const char *upn)
{
	if (strncasecmp(who, "S-1-", 4) == 0)
		return sid != NULL && *sid != '\0' && strcasecmp(who, sid) == 0;
	if (strchr(who, '=') != NULL)
		return dnstr != NULL && dn_match(who_dn, who, dnstr);
	return name_match(who, sam, upn, dnstr);
}

/* The entry's DN, parsed once per entry (NULL if it is not a DN). */
static struct dn *
entry_dn(const char *who)
{
	struct dn *d;

	if (strncasecmp(who, "S-1-", 4) == 0 || strchr(who, '=') == NULL)
		return NULL;
	if ((d = malloc(sizeof(*d))) != NULL &&
	    dn_parse_string(who, d, NULL, 0) != 0) {
		free(d);
		d = NULL;
	}
	return d;
}

/* The principal itself, not its groups. */
bool
policy_ace_names(const char *who, const struct principal *p)
{
	char buf[TMPL_PRINCIPAL_MAX];
	struct dn *d;
	bool m;

	if (p == NULL)
		return false;
	trim(who, buf, sizeof(buf));
	d = entry_dn(buf);
	m = entry_match(buf, d, p->sid, p->dn, p->sam, p->upn);
	free(d);
	return m;
}

/* The principal or any of its (transitive) groups. */
static bool
ace_matches(const char *who, const struct principal *p)
{
	char buf[TMPL_PRINCIPAL_MAX];
	struct dn *d;
	bool m;

	trim(who, buf, sizeof(buf));
	d = entry_dn(buf);
	m = entry_match(buf, d, p->sid, p->dn, p->sam, p->upn);
	for (size_t i = 0; i < p->n_groups && !m; i++) {
		const struct principal_group *g = &p->groups[i];
		m = entry_match(buf, d, g->sid, g->dn, g->name, NULL);
	}
	free(d);
	return m;
}

/* Allow union minus deny union. */
uint32_t
policy_rights(const struct principal *p, const struct tmpl_ace *aces,
    size_t n)
{
	uint32_t allow = 0, deny = 0;

	if (p == NULL || aces == NULL)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!ace_matches(aces[i].principal, p))
			continue;
		if (aces[i].deny)
			deny |= aces[i].rights;
		else
			allow |= aces[i].rights;
	}
	return allow & ~deny;
}

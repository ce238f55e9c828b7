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

/* Well-known principals with a fixed SID (MS-DTYP §2.4.2.4). */
static const struct {
	const char *name;
	const char *sid;
} wk_fixed[] = {
	{ "Everyone", "S-1-1-0" }, { "World", "S-1-1-0" },
	{ "Authenticated Users", "S-1-5-11" },
	{ "NT AUTHORITY\\Authenticated Users", "S-1-5-11" },
	{ "NT AUTHORITY\\Enterprise Domain Controllers", "S-1-5-9" },
	{ "Enterprise Domain Controllers", "S-1-5-9" },
	{ "NT AUTHORITY\\SYSTEM", "S-1-5-18" },
	{ "NT AUTHORITY\\NETWORK", "S-1-5-2" },
	{ "NT AUTHORITY\\INTERACTIVE", "S-1-5-4" },
	{ "NT AUTHORITY\\Anonymous Logon", "S-1-5-7" },
	{ "BUILTIN\\Administrators", "S-1-5-32-544" },
	{ "BUILTIN\\Users", "S-1-5-32-545" },
	{ "BUILTIN\\Guests", "S-1-5-32-546" },
	{ "BUILTIN\\Account Operators", "S-1-5-32-548" },
	{ "BUILTIN\\Server Operators", "S-1-5-32-549" },
	{ "BUILTIN\\Print Operators", "S-1-5-32-550" },
	{ "BUILTIN\\Backup Operators", "S-1-5-32-551" },
	{ "BUILTIN\\Remote Desktop Users", "S-1-5-32-555" },
	{ "BUILTIN\\Certificate Service DCOM Access", "S-1-5-32-574" },
};

/* Groups every AD domain has, by RID on the domain SID (MS-DTYP §2.4.2.4). */
static const struct {
	const char *name;
	unsigned rid;
} wk_domain[] = {
	{ "Domain Admins", 512 }, { "Domain Users", 513 },
	{ "Domain Guests", 514 }, { "Domain Computers", 515 },
	{ "Domain Controllers", 516 }, { "Cert Publishers", 517 },
	{ "Schema Admins", 518 }, { "Enterprise Admins", 519 },
	{ "Group Policy Creator Owners", 520 },
	{ "Read-only Domain Controllers", 521 },
	{ "Protected Users", 525 },
};

/* Map a well-known name to its SID (see rights.h). */
int
policy_wellknown_sid(const char *name, const char *netbios,
    const char *domain_sid, char *out, size_t outlen)
{
	const char *bs = strchr(name, '\\'), *local = name;

	for (size_t i = 0; i < sizeof(wk_fixed) / sizeof(wk_fixed[0]); i++)
		if (strcasecmp(name, wk_fixed[i].name) == 0) {
			snprintf(out, outlen, "%s", wk_fixed[i].sid);
			return 1;
		}
	/* A reserved prefix never falls back to account names. */
	if (bs != NULL && ((bs - name == 7 && strncasecmp(name, "BUILTIN", 7) == 0) ||
	    (bs - name == 12 && strncasecmp(name, "NT AUTHORITY", 12) == 0)))
		return -1;
	if (bs != NULL) {
		if (netbios == NULL || *netbios == '\0' ||
		    strlen(netbios) != (size_t)(bs - name) ||
		    strncasecmp(name, netbios, (size_t)(bs - name)) != 0)
			return 0;
		local = bs + 1;
	}
	for (size_t i = 0; i < sizeof(wk_domain) / sizeof(wk_domain[0]); i++)
		if (strcasecmp(local, wk_domain[i].name) == 0) {
			if (domain_sid == NULL || *domain_sid == '\0')
				return -1;
			snprintf(out, outlen, "%s-%u", domain_sid, wk_domain[i].rid);
			return 1;
		}
	return 0;
}

/* Strip the RID of a domain account SID. */
bool
policy_domain_of_sid(const char *sid, char *out, size_t outlen)
{
	const char *dash = strrchr(sid, '-');

	out[0] = '\0';
	if (strncasecmp(sid, "S-1-5-21-", 9) != 0 || dash == NULL ||
	    dash - sid <= 9 || (size_t)(dash - sid) >= outlen)
		return false;
	memcpy(out, sid, (size_t)(dash - sid));
	out[dash - sid] = '\0';
	return true;
}

/*
 * An account name matches sam, DOMAIN\sam, name@realm or the UPN. DOMAIN
 * is the NetBIOS name of the principal's domain (netbios, from the
 * directory), or the whole DNS name of the DN; a first label alone never.
 */
static bool
name_match(const char *who, const char *sam, const char *upn,
    const char *dnstr, const char *netbios)
{
	char realm[PRINCIPAL_NAME_MAX];
	const char *bs = strchr(who, '\\'), *at = strrchr(who, '@');

	if (*who == '\0')
		return false;
	if (bs == NULL && sam != NULL && *sam != '\0' && strcasecmp(who, sam) == 0)
		return true;
	if (upn != NULL && *upn != '\0' && strcasecmp(who, upn) == 0)
		return true;
	if (bs != NULL && sam != NULL && *sam != '\0' &&
	    strcasecmp(bs + 1, sam) == 0) {
		size_t dl = (size_t)(bs - who);

		if (netbios != NULL && strlen(netbios) == dl && dl > 0 &&
		    strncasecmp(who, netbios, dl) == 0)
			return true;
		if (dnstr == NULL || *dnstr == '\0')
			return false;
		dn_realm(dnstr, realm, sizeof(realm));
		return realm[0] != '\0' && strchr(realm, '.') != NULL &&
		    strlen(realm) == dl && strncasecmp(realm, who, dl) == 0;
	}
	if (at != NULL && sam != NULL && dnstr != NULL &&
	    strlen(sam) == (size_t)(at - who) &&
	    strncasecmp(who, sam, (size_t)(at - who)) == 0) {
		dn_realm(dnstr, realm, sizeof(realm));
		return realm[0] != '\0' && strcasecmp(at + 1, realm) == 0;
	}
	return false;
}

/* DOMAIN\\name or name@realm against p (rights.h). */
bool
policy_account_name_is(const char *who, const struct principal *p)
{
	return p != NULL && name_match(who, p->sam, p->upn, p->dn, p->domain);
}

/* Does an entry's principal text name this SID / DN / account? */
static bool
entry_match(const char *who, const struct dn *who_dn, const char *sid,
    const char *dnstr, const char *sam, const char *upn, const char *netbios)
{
	if (strncasecmp(who, "S-1-", 4) == 0)
		return sid != NULL && *sid != '\0' && strcasecmp(who, sid) == 0;
	if (strchr(who, '=') != NULL)
		return dnstr != NULL && dn_match(who_dn, who, dnstr);
	return name_match(who, sam, upn, dnstr, netbios);
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

/*
 * A well-known name in the entry becomes its SID (1), is a reserved name
 * that cannot match (-1), or is an ordinary name (0). The domain SID comes
 * from the principal's own SID.
 */
static int
entry_wellknown(const char *who, const struct principal *p, char *sid,
    size_t sidlen)
{
	char dom[PRINCIPAL_SID_MAX];

	if (strncasecmp(who, "S-1-", 4) == 0 || strchr(who, '=') != NULL)
		return 0;
	policy_domain_of_sid(p->sid, dom, sizeof(dom));
	return policy_wellknown_sid(who, p->domain, dom, sid, sidlen);
}

/* The principal itself, not its groups. */
bool
policy_ace_names(const char *who, const struct principal *p)
{
	char buf[TMPL_PRINCIPAL_MAX], sid[PRINCIPAL_SID_MAX];
	struct dn *d;
	bool m;
	int wk;

	if (p == NULL)
		return false;
	trim(who, buf, sizeof(buf));
	if ((wk = entry_wellknown(buf, p, sid, sizeof(sid))) != 0)
		return wk > 0 && strcasecmp(p->sid, sid) == 0;
	d = entry_dn(buf);
	m = entry_match(buf, d, p->sid, p->dn, p->sam, p->upn, p->domain);
	free(d);
	return m;
}

/* The principal or any of its (transitive) groups. */
static bool
ace_matches(const char *who, const struct principal *p)
{
	char buf[TMPL_PRINCIPAL_MAX], sid[PRINCIPAL_SID_MAX];
	struct dn *d;
	bool m;
	int wk;

	trim(who, buf, sizeof(buf));
	/* Well-known names match by SID only: a group merely called
	 * "Domain Admins" somewhere else is not the domain's. */
	if ((wk = entry_wellknown(buf, p, sid, sizeof(sid))) != 0) {
		if (wk < 0)
			return false;
		m = strcasecmp(p->sid, sid) == 0;
		for (size_t i = 0; i < p->n_groups && !m; i++)
			m = strcasecmp(p->groups[i].sid, sid) == 0;
		return m;
	}
	d = entry_dn(buf);
	m = entry_match(buf, d, p->sid, p->dn, p->sam, p->upn, p->domain);
	for (size_t i = 0; i < p->n_groups && !m; i++) {
		const struct principal_group *g = &p->groups[i];
		m = entry_match(buf, d, g->sid, g->dn, g->name, NULL,
		    g->dn[0] != '\0' ? p->domain : NULL);
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

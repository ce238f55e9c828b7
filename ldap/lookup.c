/*
 * Principal lookup: turning a name as typed (NAME, DOMAIN\NAME,
 * name@realm, UPN, DN, SID, DNS name) into exactly one directory entry,
 * and an entry into a struct principal (identifiers and account flags;
 * groups come from groups.c). Runs on the worker thread that leased the
 * connection; every value from outside is escaped (ldap/escape.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ldap/dir_int.h"
#include "ldap/escape.h"
#include "ldap/sid.h"

#define NAME_MATCH_MAX 3	/* entries read to detect an ambiguous name */
#define FILETIME_NEVER INT64_MAX
#define FILETIME_UNIX_OFFSET 11644473600LL /* seconds 1601-01-01 .. 1970-01-01 */
#define CLASS_PRINCIPAL "(|(objectClass=user)(objectClass=computer)(objectClass=group))"
#define CLASS_ACCOUNT "(|(objectClass=user)(objectClass=computer))"

char *dir_principal_attrs[] = {
	"objectClass", "objectSid", "objectGUID", "sAMAccountName",
	"userPrincipalName", "mail", "dNSHostName", "userAccountControl",
	"msDS-User-Account-Control-Computed", "primaryGroupID",
	"accountExpires", "lockoutTime", "memberOf", "cn", NULL
};

/* A decimal attribute as int64; false if absent or not a number. */
static bool
attr_i64(LDAP *ld, LDAPMessage *e, const char *attr, int64_t *out)
{
	char buf[32], *end;
	long long v;

	if (!dir_attr_str(ld, e, attr, buf, sizeof(buf)))
		return false;
	v = strtoll(buf, &end, 10);
	if (end == buf || *end != '\0')
		return false;
	*out = (int64_t)v;
	return true;
}

/* dn equals the base or ends in ",<base>" (compared normalised). */
bool
dir_dn_under_base(struct directory *d, const char *dn)
{
	char n[PRINCIPAL_DN_MAX], b[PRINCIPAL_DN_MAX];
	size_t ln, lb;

	if (!dir_dn_norm(dn, n, sizeof(n)) || !dir_dn_norm(d->base, b, sizeof(b)))
		return false;
	ln = strlen(n);
	lb = strlen(b);
	if (ln < lb || strcasecmp(n + ln - lb, b) != 0)
		return false;
	return ln == lb || n[ln - lb - 1] == ',';
}

/* Identifiers, kind and account state of one entry (no groups). */
static int
fill_scalars(struct dir_ctx *x, LDAPMessage *e, struct principal *p,
    char *why, size_t whylen)
{
	struct berval **v;
	char *dn;
	int64_t n;
	int rc;

	if ((dn = ldap_get_dn(x->ld, e)) == NULL)
		return ca_why(why, whylen, CA_EIO, "directory: entry without a DN");
	if (strlen(dn) >= sizeof(p->dn)) {
		ldap_memfree(dn);
		return ca_why(why, whylen, CA_ETOOBIG,
		    "directory: DN longer than %d bytes", PRINCIPAL_DN_MAX - 1);
	}
	strcpy(p->dn, dn);
	ldap_memfree(dn);
	p->kind = PRINCIPAL_USER;
	if ((v = ldap_get_values_len(x->ld, e, "objectClass")) != NULL) {
		for (size_t i = 0; v[i] != NULL; i++) {
			if (v[i]->bv_len == 8 &&
			    strncasecmp(v[i]->bv_val, "computer", 8) == 0)
				p->kind = PRINCIPAL_COMPUTER;
			else if (v[i]->bv_len == 5 && p->kind == PRINCIPAL_USER &&
			    strncasecmp(v[i]->bv_val, "group", 5) == 0)
				p->kind = PRINCIPAL_GROUP;
		}
		ldap_value_free_len(v);
	}
	if ((v = ldap_get_values_len(x->ld, e, "objectSid")) != NULL) {
		if (v[0] != NULL && directory_sid_to_text(
		    (unsigned char *)v[0]->bv_val, v[0]->bv_len, p->sid,
		    sizeof(p->sid)) != CA_OK)
			p->sid[0] = '\0';
		ldap_value_free_len(v);
	}
	if ((v = ldap_get_values_len(x->ld, e, "objectGUID")) != NULL) {
		if (v[0] != NULL && directory_guid_to_text(
		    (unsigned char *)v[0]->bv_val, v[0]->bv_len, p->guid,
		    sizeof(p->guid)) != CA_OK)
			p->guid[0] = '\0';
		ldap_value_free_len(v);
	}
	dir_attr_str(x->ld, e, "sAMAccountName", p->sam, sizeof(p->sam));
	dir_attr_str(x->ld, e, "userPrincipalName", p->upn, sizeof(p->upn));
	dir_attr_str(x->ld, e, "mail", p->mail, sizeof(p->mail));
	dir_attr_str(x->ld, e, "dNSHostName", p->dns, sizeof(p->dns));
	/*
	 * Security data the CA decides on: without a readable objectSid no
	 * SID-based entry can match, and without userAccountControl a
	 * disabled account would look enabled. Missing means hidden from the
	 * service account (AD and the fixture always set both), so it is an
	 * error, never a default.
	 */
	if (p->sid[0] == '\0')
		return ca_why(why, whylen, CA_EDENIED, "directory: the objectSid "
		    "of %s cannot be read (hidden from the service account?)",
		    p->dn);
	rc = dir_domain_netbios(x, p->domain, sizeof(p->domain), why, whylen);
	if (rc != CA_OK)
		return rc;
	if (attr_i64(x->ld, e, "userAccountControl", &n))
		p->uac = (uint32_t)n;
	else if (p->kind != PRINCIPAL_GROUP)
		return ca_why(why, whylen, CA_EDENIED, "directory: the "
		    "userAccountControl of %s cannot be read (hidden from the "
		    "service account?); account state unknown", p->dn);
	/*
	 * AD keeps lockout and password expiry out of userAccountControl, in
	 * the constructed msDS-User-Account-Control-Computed, which it returns
	 * to base-scope reads only (groups.c reads it with tokenGroups). Its
	 * lockoutTime stays set after the lockout ran out, so it means
	 * "locked" only where nothing better exists: OpenLDAP. Both are folded
	 * into p->uac so that policy has one place to look.
	 */
	if (attr_i64(x->ld, e, "msDS-User-Account-Control-Computed", &n))
		dir_apply_computed_uac(p, n);
	else if (!dir_is_ad(x->d) && attr_i64(x->ld, e, "lockoutTime", &n) &&
	    n > 0)
		p->uac |= PRINCIPAL_UAC_LOCKOUT;
	if (attr_i64(x->ld, e, "accountExpires", &n) && n > 0 &&
	    n != FILETIME_NEVER) {
		int64_t now = x->d->now ? x->d->now() : (int64_t)time(NULL);

		p->expired = n / 10000000 - FILETIME_UNIX_OFFSET <= now;
	}
	return CA_OK;
}

/* Identifiers, flags and transitive groups of one entry. */
int
dir_principal_fill(struct dir_ctx *x, LDAPMessage *e, struct principal *p,
    char *why, size_t whylen)
{
	int rc;

	memset(p, 0, sizeof(*p));
	if ((rc = fill_scalars(x, e, p, why, whylen)) == CA_OK)
		rc = dir_groups_fill(x, e, p, why, whylen);
	if (rc != CA_OK)
		principal_clear(p);
	return rc;
}

/*
 * Build the filter for a name as typed. A DN is reported through *is_dn.
 * For name@realm the implicit UPN (sAMAccountName@realm) is accepted too
 * and upn_pref gets the full name, which wins if both forms match.
 */
static int
name_filter(struct directory *d, const char *netbios, const char *name,
    const char *classes, char *filter, size_t flen, char *upn_pref,
    size_t upnlen, bool *is_dn, char *why, size_t whylen)
{
	char e1[3 * DIRECTORY_USER_MAX + 1], e2[3 * DIRECTORY_USER_MAX + 1];
	char local[DIRECTORY_USER_MAX + 1];
	const char *bs = strchr(name, '\\'), *at = strrchr(name, '@');
	int n;

	*is_dn = false;
	upn_pref[0] = '\0';
	if (*name == '\0' || strlen(name) > DIRECTORY_USER_MAX)
		return ca_why(why, whylen, CA_EPARSE,
		    "directory: name empty or longer than %d bytes",
		    DIRECTORY_USER_MAX);
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return ca_why(why, whylen, CA_EPARSE,
			    "directory: name contains a control character");
	if (strchr(name, '=') != NULL) {
		*is_dn = true;
		return CA_OK;
	}
	/* name@suffix first: a backslash there is part of the name. */
	if (at != NULL) {
		if (directory_escape_filter(name, e1, sizeof(e1)) != CA_OK)
			return CA_ETOOBIG;
		if (d->realm != NULL && strcasecmp(at + 1, d->realm) == 0 &&
		    at != name) {
			snprintf(local, sizeof(local), "%.*s", (int)(at - name), name);
			directory_escape_filter(local, e2, sizeof(e2));
			snprintf(upn_pref, upnlen, "%s", name);
			n = snprintf(filter, flen, "(&%s(|(userPrincipalName=%s)"
			    "(sAMAccountName=%s)))", classes, e1, e2);
		} else {
			n = snprintf(filter, flen, "(&%s(userPrincipalName=%s))",
			    classes, e1);
		}
	} else if (bs != NULL) {
		size_t dl = (size_t)(bs - name);

		if (*netbios == '\0' || strlen(netbios) != dl ||
		    strncasecmp(name, netbios, dl) != 0)
			return ca_why(why, whylen, CA_EPARSE,
			    "directory: name '%s' is not in domain %s", name,
			    *netbios ? netbios : "(none configured or found)");
		if (directory_escape_filter(bs + 1, e1, sizeof(e1)) != CA_OK ||
		    bs[1] == '\0')
			return ca_why(why, whylen, CA_EPARSE,
			    "directory: name '%s' has no account part", name);
		n = snprintf(filter, flen, "(&%s(sAMAccountName=%s))", classes, e1);
	} else {
		if (directory_escape_filter(name, e1, sizeof(e1)) != CA_OK)
			return CA_ETOOBIG;
		n = snprintf(filter, flen, "(&%s(sAMAccountName=%s))", classes, e1);
	}
	if (n < 0 || (size_t)n >= flen)
		return ca_why(why, whylen, CA_ETOOBIG, "directory: filter too long");
	return CA_OK;
}

/*
 * Run filter under the base and pick exactly one entry. With upn_pref,
 * an entry whose userPrincipalName equals it wins over sAMAccountName
 * matches. Returns CA_OK (*res to free, *entry inside it), CA_ENOTFOUND,
 * CA_ETOOBIG (ambiguous), or a search error.
 */
static int
pick_one(struct dir_ctx *x, const char *filter, const char *upn_pref,
    LDAPMessage **res, LDAPMessage **entry, char *why, size_t whylen)
{
	char upn[PRINCIPAL_NAME_MAX];
	LDAPMessage *e, *hit = NULL;
	int rc, count, nhit = 0;

	*entry = NULL;
	rc = dir_search(x, x->d->base, LDAP_SCOPE_SUBTREE, filter,
	    dir_principal_attrs, NAME_MATCH_MAX, res, why, whylen);
	if (rc == CA_ETOOBIG)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "directory: %s matches several entries", filter);
	if (rc != CA_OK)
		return rc;
	count = ldap_count_entries(x->ld, *res);
	if (count == 1) {
		*entry = ldap_first_entry(x->ld, *res);
		return CA_OK;
	}
	if (count > 1 && *upn_pref != '\0') {
		for (e = ldap_first_entry(x->ld, *res); e != NULL;
		    e = ldap_next_entry(x->ld, e))
			if (dir_attr_str(x->ld, e, "userPrincipalName", upn,
			    sizeof(upn)) && strcasecmp(upn, upn_pref) == 0) {
				hit = e;
				nhit++;
			}
		if (nhit == 1) {
			*entry = hit;
			return CA_OK;
		}
	}
	ldap_msgfree(*res);
	*res = NULL;
	if (count == 0)
		return ca_why(why, whylen, CA_ENOTFOUND,
		    "directory: no entry matches %s", filter);
	return ca_why(why, whylen, CA_ETOOBIG,
	    "directory: %s matches %d entries", filter, count);
}

/* Base-scope read of a DN under the base, restricted to classes. */
static int
read_dn(struct dir_ctx *x, const char *dn, const char *classes,
    LDAPMessage **res, LDAPMessage **entry, char *why, size_t whylen)
{
	int rc;

	*entry = NULL;
	if (strlen(dn) >= PRINCIPAL_DN_MAX || !dir_dn_under_base(x->d, dn))
		return ca_why(why, whylen, CA_EPARSE,
		    "directory: '%s' is not a DN under %s", dn, x->d->base);
	rc = dir_search(x, dn, LDAP_SCOPE_BASE, classes, dir_principal_attrs, 1,
	    res, why, whylen);
	if (rc == CA_ENOTFOUND || (rc == CA_OK &&
	    (*entry = ldap_first_entry(x->ld, *res)) == NULL)) {
		ldap_msgfree(*res);
		*res = NULL;
		return ca_why(why, whylen, CA_ENOTFOUND,
		    "directory: no principal at '%s'", dn);
	}
	return rc;
}

/* Resolve a name as typed to one account entry (see dir_int.h). */
int
dir_resolve(struct dir_ctx *x, const char *name, bool accounts_only,
    LDAPMessage **res, LDAPMessage **entry, char *why, size_t whylen)
{
	const char *classes = accounts_only ? CLASS_ACCOUNT : CLASS_PRINCIPAL;
	char filter[DIR_FILTER_MAX], upn_pref[DIRECTORY_USER_MAX + 1];
	char netbios[PRINCIPAL_DOMAIN_MAX] = "";
	bool is_dn;
	int rc;

	*res = NULL;
	*entry = NULL;
	/* DOMAIN\name: the NetBIOS name configured, or the crossRef's. */
	if (strchr(name, '\\') != NULL && strchr(name, '@') == NULL &&
	    strchr(name, '=') == NULL &&
	    (rc = dir_domain_netbios(x, netbios, sizeof(netbios), why,
	    whylen)) != CA_OK)
		return rc;
	rc = name_filter(x->d, netbios, name, classes, filter, sizeof(filter),
	    upn_pref, sizeof(upn_pref), &is_dn, why, whylen);
	if (rc != CA_OK)
		return rc == CA_ETOOBIG ? CA_EPARSE : rc;
	if (is_dn)
		return read_dn(x, name, classes, res, entry, why, whylen);
	return pick_one(x, filter, upn_pref, res, entry, why, whylen);
}

/* Exactly one principal for filter, filled into p. */
int
dir_find_one(struct dir_ctx *x, const char *filter, struct principal *p,
    char *why, size_t whylen)
{
	LDAPMessage *res = NULL, *e;
	int rc;

	rc = pick_one(x, filter, "", &res, &e, why, whylen);
	if (rc == CA_ETOOBIG)
		rc = CA_ENOTFOUND;	/* several: no single principal */
	if (rc == CA_OK)
		rc = dir_principal_fill(x, e, p, why, whylen);
	ldap_msgfree(res);
	return rc;
}

/*
 * The one account with a dNSHostName. Two accounts with the same one
 * (the Certifried set-up) are CA_ETOOBIG "ambiguous: N accounts have it",
 * not "nobody": the caller refuses the name and says why.
 */
static int
find_dns(struct dir_ctx *x, const char *filter, struct principal *p,
    char *why, size_t whylen)
{
	LDAPMessage *res = NULL;
	int rc, count;

	rc = dir_search(x, x->d->base, LDAP_SCOPE_SUBTREE, filter,
	    dir_principal_attrs, NAME_MATCH_MAX, &res, why, whylen);
	if (rc == CA_ETOOBIG)
		return ca_why(why, whylen, CA_ETOOBIG, "ambiguous: more "
		    "than %d accounts have it", NAME_MATCH_MAX);
	if (rc != CA_OK)
		return rc;
	count = ldap_count_entries(x->ld, res);
	if (count == 1)
		rc = dir_principal_fill(x, ldap_first_entry(x->ld, res), p,
		    why, whylen);
	else if (count == 0)
		rc = ca_why(why, whylen, CA_ENOTFOUND, "directory: no entry "
		    "matches %s", filter);
	else
		rc = ca_why(why, whylen, CA_ETOOBIG, "ambiguous: %d accounts "
		    "have it", count);
	ldap_msgfree(res);
	return rc;
}

struct lookup_arg {
	enum directory_key key;
	const char *value;
	struct principal *p;
};

/* Guess the key from the form of the value. */
static enum directory_key
guess_key(const char *v)
{
	if (strncasecmp(v, "S-1-", 4) == 0)
		return DIRECTORY_BY_SID;
	if (strchr(v, '=') != NULL)
		return DIRECTORY_BY_DN;
	if (strchr(v, '@') != NULL)
		return DIRECTORY_BY_UPN;
	if (strchr(v, '\\') == NULL && strchr(v, '.') != NULL)
		return DIRECTORY_BY_DNS;
	return DIRECTORY_BY_SAM;
}

/* The lookup operation, run on a leased connection. */
static int
lookup_op(struct dir_ctx *x, void *argp, char *why, size_t whylen)
{
	struct lookup_arg *a = argp;
	unsigned char bin[DIRECTORY_SID_BIN_MAX];
	char filter[DIR_FILTER_MAX], esc[3 * DIRECTORY_USER_MAX + 1];
	LDAPMessage *res = NULL, *e = NULL;
	size_t binlen;
	int rc;

	switch (a->key) {
	case DIRECTORY_BY_SID:
		if (directory_sid_from_text(a->value, bin, sizeof(bin), &binlen) !=
		    CA_OK)
			return ca_why(why, whylen, CA_EPARSE,
			    "directory: '%s' is not a SID", a->value);
		directory_escape_filter_bytes(bin, binlen, esc, sizeof(esc));
		snprintf(filter, sizeof(filter), "(&%s(objectSid=%s))",
		    CLASS_PRINCIPAL, esc);
		return dir_find_one(x, filter, a->p, why, whylen);
	case DIRECTORY_BY_DNS:
		if (directory_escape_filter(a->value, esc, sizeof(esc)) != CA_OK)
			return ca_why(why, whylen, CA_EPARSE,
			    "directory: DNS name too long");
		snprintf(filter, sizeof(filter), "(&%s(dNSHostName=%s))",
		    CLASS_ACCOUNT, esc);
		return find_dns(x, filter, a->p, why, whylen);
	case DIRECTORY_BY_DN:
		if (strchr(a->value, '=') == NULL)
			return ca_why(why, whylen, CA_EPARSE,
			    "directory: '%s' is not a DN", a->value);
		break;
	case DIRECTORY_BY_UPN:
		if (strchr(a->value, '@') == NULL)
			return ca_why(why, whylen, CA_EPARSE,
			    "directory: '%s' is not a UPN", a->value);
		break;
	case DIRECTORY_BY_SAM:
		if (strchr(a->value, '@') != NULL || strchr(a->value, '=') != NULL)
			return ca_why(why, whylen, CA_EPARSE,
			    "directory: '%s' is not an account name", a->value);
		break;
	default:
		return ca_why(why, whylen, CA_EINVAL, "directory: bad lookup key");
	}
	rc = dir_resolve(x, a->value, false, &res, &e, why, whylen);
	if (rc == CA_ETOOBIG)
		rc = CA_ENOTFOUND;
	if (rc == CA_OK)
		rc = dir_principal_fill(x, e, a->p, why, whylen);
	ldap_msgfree(res);
	return rc;
}

/* Public lookup: cache, then the directory. */
int
directory_lookup(struct directory *d, enum directory_key key,
    const char *value, struct principal *out, char *why, size_t whylen)
{
	unsigned char ck[DIRECTORY_CACHE_KEY_LEN];
	struct lookup_arg a;
	char k;
	int rc;

	memset(out, 0, sizeof(*out));	/* output only: never freed here */
	if (value == NULL || *value == '\0' || strlen(value) > DIRECTORY_USER_MAX)
		return ca_why(why, whylen, CA_EPARSE,
		    "directory: lookup value empty or longer than %d bytes",
		    DIRECTORY_USER_MAX);
	if ((unsigned)key >= DIRECTORY_KEY_COUNT)
		return ca_why(why, whylen, CA_EINVAL, "directory: bad lookup key");
	if (key == DIRECTORY_BY_ANY)
		key = guess_key(value);
	k = (char)('0' + key);
	/* Names compare case-insensitively in the directory: so does the key. */
	directory_cache_name_key(d->cache, 'L', value, &k, 1, ck);
	if (directory_cache_get_ref(d->cache, ck, dir_monotonic(), out) == CA_OK)
		return CA_OK;
	a.key = key;
	a.value = value;
	a.p = out;
	rc = dir_run(d, lookup_op, &a, why, whylen);
	if (rc == CA_OK)
		directory_cache_put_ref(d->cache, ck, dir_monotonic(), out);
	else
		principal_clear(out);
	return rc;
}

/* The mail lookup operation, run on a leased connection. */
static int
lookup_mail_op(struct dir_ctx *x, void *argp, char *why, size_t whylen)
{
	struct lookup_arg *a = argp;
	char filter[DIR_FILTER_MAX], esc[3 * DIRECTORY_USER_MAX + 1];

	if (strchr(a->value, '@') == NULL ||
	    directory_escape_filter(a->value, esc, sizeof(esc)) != CA_OK)
		return ca_why(why, whylen, CA_EPARSE,
		    "directory: '%s' is not an e-mail address", a->value);
	snprintf(filter, sizeof(filter), "(&%s(mail=%s))", CLASS_ACCOUNT, esc);
	return dir_find_one(x, filter, a->p, why, whylen);
}

/*
 * Public: the one account whose mail is value. Returns CA_OK,
 * CA_ENOTFOUND (none or several), CA_EPARSE (not an address, control
 * characters), CA_EUNAVAIL, CA_ETIMEOUT, CA_ENOMEM. Cached like lookups.
 */
int
directory_lookup_mail(struct directory *d, const char *value,
    struct principal *out, char *why, size_t whylen)
{
	unsigned char ck[DIRECTORY_CACHE_KEY_LEN];
	struct lookup_arg a;
	int rc;

	memset(out, 0, sizeof(*out));	/* output only: never freed here */
	if (value == NULL || *value == '\0' || strlen(value) > DIRECTORY_USER_MAX)
		return ca_why(why, whylen, CA_EPARSE,
		    "directory: mail empty or longer than %d bytes",
		    DIRECTORY_USER_MAX);
	for (const char *p = value; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return ca_why(why, whylen, CA_EPARSE,
			    "directory: mail contains a control character");
	directory_cache_key(d->cache, 'M', "m", 1, value, strlen(value), ck);
	if (directory_cache_get(d->cache, ck, dir_monotonic(), out) == CA_OK)
		return CA_OK;
	a.key = DIRECTORY_KEY_COUNT;
	a.value = value;
	a.p = out;
	rc = dir_run(d, lookup_mail_op, &a, why, whylen);
	if (rc == CA_OK)
		directory_cache_put(d->cache, ck, dir_monotonic(), out);
	else
		principal_clear(out);
	return rc;
}

struct recheck_arg {
	const struct principal *p;
};

/*
 * What a re-read checks (fill_scalars' identity and state), nothing more:
 * it runs at every cached login, and an AD account's memberOf alone can
 * be kilobytes of group DNs that the re-read never looks at.
 */
static char *recheck_attrs[] = {
	"objectClass", "objectSid", "userAccountControl",
	"msDS-User-Account-Control-Computed", "accountExpires", "lockoutTime",
	NULL
};

/* Base read of the cached principal's entry: still there, same SID, usable. */
static int
recheck_op(struct dir_ctx *x, void *argp, char *why, size_t whylen)
{
	struct recheck_arg *a = argp;
	const struct principal *p = a->p;
	struct principal now;
	LDAPMessage *res = NULL, *e;
	int rc;

	rc = dir_search(x, p->dn, LDAP_SCOPE_BASE, CLASS_ACCOUNT,
	    recheck_attrs, 1, &res, why, whylen);
	if (rc == CA_ENOTFOUND || (rc == CA_OK &&
	    (e = ldap_first_entry(x->ld, res)) == NULL)) {
		ldap_msgfree(res);
		return ca_why(why, whylen, CA_EAUTH, "account '%s' is gone", p->dn);
	}
	if (rc != CA_OK)
		return rc;
	memset(&now, 0, sizeof(now));
	rc = fill_scalars(x, e, &now, why, whylen);
	ldap_msgfree(res);
	if (rc != CA_OK)
		return rc;
	if (strcmp(now.sid, p->sid) != 0)
		return ca_why(why, whylen, CA_EAUTH, "'%s' is another account now",
		    p->dn);
	if ((now.uac & (PRINCIPAL_UAC_ACCOUNTDISABLE | PRINCIPAL_UAC_LOCKOUT |
	    PRINCIPAL_UAC_PASSWORD_EXPIRED)) || now.expired)
		return ca_why(why, whylen, CA_EAUTH, "account '%s' is disabled, "
		    "locked or expired now (userAccountControl 0x%x)", p->dn,
		    now.uac);
	return CA_OK;
}

/* See dir_int.h. */
int
dir_account_recheck(struct directory *d, const struct principal *p, char *why,
    size_t whylen)
{
	struct recheck_arg a = { p };

	return dir_run(d, recheck_op, &a, why, whylen);
}

/*
 * Start-up checks of the directory as a source of security data: resolving
 * the principal text of allow/deny lines the way policy/rights.c matches
 * it (so a deny that names nothing can stop the start instead of failing
 * open), and probing what the service account may read (objectSid,
 * userAccountControl, memberOf back links). Blocking; worker or start-up
 * thread, like every directory call.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ldap/dir_int.h"
#include "ldap/escape.h"
#include "ldap/sid.h"
#include "policy/rights.h"

#define PROBE_ACCOUNTS 16	/* accounts sampled for readable attributes */
#define PROBE_GROUPS 8		/* groups sampled for memberOf back links */

struct resolve_arg {
	const char *text;
	char *sid;
	size_t sidlen;
};

/* The objectSid of an entry as text; false if it cannot be read. */
static bool
entry_sid(struct dir_ctx *x, LDAPMessage *e, char *sid, size_t sidlen)
{
	struct berval **v = ldap_get_values_len(x->ld, e, "objectSid");
	bool ok = v != NULL && v[0] != NULL &&
	    directory_sid_to_text((unsigned char *)v[0]->bv_val, v[0]->bv_len,
	    sid, sidlen) == CA_OK;

	ldap_value_free_len(v);
	return ok;
}

/*
 * A group's members must show it in their memberOf, or the service
 * account cannot read memberOf and a deny on this group would be lost.
 * Only the first readable member is tried (one search).
 */
static int
check_group_links(struct dir_ctx *x, LDAPMessage *e, const char *text,
    char *why, size_t whylen)
{
	char *attrs[] = { "1.1", NULL };
	char filter[DIR_FILTER_MAX], esc[3 * PRINCIPAL_DN_MAX + 1];
	struct berval **m = ldap_get_values_len(x->ld, e, "member");
	LDAPMessage *res = NULL;
	char *dn = ldap_get_dn(x->ld, e);
	int rc = CA_OK;

	if (m != NULL && m[0] != NULL && dn != NULL &&
	    directory_escape_filter(dn, esc, sizeof(esc)) == CA_OK) {
		snprintf(filter, sizeof(filter), "(memberOf=%s)", esc);
		rc = dir_search(x, x->d->base, LDAP_SCOPE_SUBTREE, filter, attrs,
		    0, &res, why, whylen);
		if (rc == CA_OK && ldap_count_entries(x->ld, res) == 0)
			rc = ca_why(why, whylen, CA_EDENIED, "'%s' (%s) has members "
			    "but none of them shows it in memberOf: the service "
			    "account cannot read memberOf", text, dn);
		ldap_msgfree(res);
	}
	ldap_value_free_len(m);
	ldap_memfree(dn);
	return rc;
}

/* Resolve one principal text on a leased connection (see directory.h). */
static int
resolve_op(struct dir_ctx *x, void *argp, char *why, size_t whylen)
{
	struct resolve_arg *a = argp;
	char netbios[PRINCIPAL_DOMAIN_MAX], dom[PRINCIPAL_SID_MAX] = "";
	char inner[CA_WHY_MAX];
	unsigned char bin[DIRECTORY_SID_BIN_MAX];
	const char *text = a->text, *bs = strchr(text, '\\'), *name = text;
	LDAPMessage *res = NULL, *e = NULL;
	size_t binlen;
	int rc, wk;

	if (strncasecmp(text, "S-1-", 4) == 0) {
		if (directory_sid_from_text(text, bin, sizeof(bin), &binlen) != CA_OK)
			return ca_why(why, whylen, CA_ENOTFOUND, "'%s' is not a "
			    "valid SID", text);
		snprintf(a->sid, a->sidlen, "%s", text);
		return CA_OK;
	}
	if ((rc = dir_domain_netbios(x, netbios, sizeof(netbios), why,
	    whylen)) != CA_OK)
		return rc;
	if (strchr(text, '=') == NULL) {
		rc = dir_domain_sid(x, dom, sizeof(dom), inner, sizeof(inner));
		if (rc != CA_OK && rc != CA_ENOTFOUND)
			return ca_why(why, whylen, rc, "%s", inner);
		wk = policy_wellknown_sid(text, netbios, dom, a->sid, a->sidlen);
		if (wk > 0)
			return CA_OK;
		if (wk < 0)
			return ca_why(why, whylen, CA_ENOTFOUND, "'%s' is a "
			    "reserved name this CA does not know%s", text,
			    dom[0] ? "" : ", or the domain SID is unknown");
	}
	if (bs != NULL && strchr(text, '@') == NULL && strchr(text, '=') == NULL) {
		size_t dl = (size_t)(bs - text);
		bool ok = (strlen(netbios) == dl && dl > 0 &&
		    strncasecmp(text, netbios, dl) == 0) ||
		    (x->d->realm != NULL && strlen(x->d->realm) == dl &&
		    strncasecmp(text, x->d->realm, dl) == 0);

		if (!ok)
			return ca_why(why, whylen, CA_ENOTFOUND, "'%.*s' is not "
			    "the domain's NetBIOS name (%s)", (int)dl, text,
			    netbios[0] ? netbios : "none known: set [directory] "
			    "domain");
		name = bs + 1;
		if (*name == '\0' || strchr(name, '\\') != NULL)
			return ca_why(why, whylen, CA_ENOTFOUND, "'%s' has no "
			    "account part", text);
	}
	rc = dir_resolve(x, name, false, &res, &e, inner, sizeof(inner));
	if (rc == CA_ENOTFOUND || rc == CA_ETOOBIG || rc == CA_EPARSE)
		return ca_why(why, whylen, CA_ENOTFOUND, "%s (missing, ambiguous "
		    "or hidden from the service account)", inner);
	if (rc != CA_OK)
		return ca_why(why, whylen, rc, "%s", inner);
	if (!entry_sid(x, e, a->sid, a->sidlen))
		rc = ca_why(why, whylen, CA_EDENIED, "the objectSid of '%s' "
		    "cannot be read by the service account", text);
	else
		rc = check_group_links(x, e, text, why, whylen);
	ldap_msgfree(res);
	return rc;
}

/* Public: one dir_run per principal text. */
int
directory_resolve_principal(struct directory *d, const char *text, char *sid,
    size_t sidlen, char *why, size_t whylen)
{
	struct resolve_arg a = { text, sid, sidlen };

	sid[0] = '\0';
	if (text == NULL || *text == '\0' || strlen(text) > DIRECTORY_USER_MAX)
		return ca_why(why, whylen, CA_ENOTFOUND, "empty or overlong name");
	return dir_run(d, resolve_op, &a, why, whylen);
}

/* Search that keeps a partial answer when the size limit is reached. */
static int
sample(struct dir_ctx *x, const char *filter, char **attrs, int limit,
    LDAPMessage **res, char *why, size_t whylen)
{
	struct timeval tv = { x->d->op_timeout_ms / 1000,
	    (x->d->op_timeout_ms % 1000) * 1000 };
	int lrc;

	*res = NULL;
	lrc = ldap_search_ext_s(x->ld, x->d->base, LDAP_SCOPE_SUBTREE, filter,
	    attrs, 0, NULL, NULL, &tv, limit, res);
	if (lrc == LDAP_SUCCESS || lrc == LDAP_SIZELIMIT_EXCEEDED)
		return CA_OK;
	ldap_msgfree(*res);
	*res = NULL;
	lrc = dir_ldap_code(lrc);
	if (lrc == CA_EUNAVAIL)
		x->lost = true;
	return ca_why(why, whylen, lrc, "directory: search (%s) failed", filter);
}

/* Append ", what (of dn)" to the list of missing items. */
static void
missing(char *list, size_t len, const char *what, const char *dn)
{
	size_t n = strlen(list);

	if (strstr(list, what) == NULL && n + 1 < len)
		snprintf(list + n, len - n, "%s%s (e.g. of %s)", n ? ", " : "",
		    what, dn);
}

/* The probes of directory_check_access on one connection. */
static int
access_op(struct dir_ctx *x, void *argp, char *why, size_t whylen)
{
	char *acct_attrs[] = { "objectSid", "userAccountControl", NULL };
	char *grp_attrs[] = { "member", NULL };
	char *mo_attrs[] = { "memberOf", NULL };
	char list[CA_WHY_MAX / 2] = "", sid[PRINCIPAL_SID_MAX], num[32];
	char norm[PRINCIPAL_DN_MAX], gnorm[PRINCIPAL_DN_MAX], mdn[PRINCIPAL_DN_MAX];
	LDAPMessage *res = NULL, *mres = NULL, *e, *me;
	int rc, accounts = 0;

	(void)argp;
	rc = sample(x, "(|(objectClass=user)(objectClass=computer))", acct_attrs,
	    PROBE_ACCOUNTS, &res, why, whylen);
	if (rc != CA_OK)
		return rc;
	for (e = ldap_first_entry(x->ld, res); e != NULL;
	    e = ldap_next_entry(x->ld, e)) {
		char *dn = ldap_get_dn(x->ld, e);

		/* The service account may read itself through "self". */
		if (dn == NULL || (x->d->bind_dn != NULL &&
		    dir_dn_norm(dn, norm, sizeof(norm)) &&
		    dir_dn_norm(x->d->bind_dn, gnorm, sizeof(gnorm)) &&
		    strcasecmp(norm, gnorm) == 0)) {
			ldap_memfree(dn);
			continue;
		}
		accounts++;
		if (!entry_sid(x, e, sid, sizeof(sid)))
			missing(list, sizeof(list), "objectSid", dn);
		if (!dir_attr_str(x->ld, e, "userAccountControl", num, sizeof(num)))
			missing(list, sizeof(list), "userAccountControl", dn);
		ldap_memfree(dn);
	}
	ldap_msgfree(res);
	if (accounts == 0)
		missing(list, sizeof(list), "accounts", x->d->base);
	rc = sample(x, "(&(objectClass=group)(member=*))", grp_attrs,
	    PROBE_GROUPS, &res, why, whylen);
	if (rc != CA_OK)
		return rc;
	for (e = ldap_first_entry(x->ld, res); e != NULL && rc == CA_OK;
	    e = ldap_next_entry(x->ld, e)) {
		struct berval **m = ldap_get_values_len(x->ld, e, "member");
		char *gdn = ldap_get_dn(x->ld, e);
		bool seen = false, readable = false;

		if (m != NULL && m[0] != NULL && m[0]->bv_len < sizeof(mdn) &&
		    gdn != NULL && dir_dn_norm(gdn, gnorm, sizeof(gnorm))) {
			memcpy(mdn, m[0]->bv_val, m[0]->bv_len);
			mdn[m[0]->bv_len] = '\0';
			/*
			 * A foreign security principal (a SID of another
			 * domain or a well-known one, e.g. S-1-5-9 on Samba AD)
			 * never logs in here and Samba keeps no memberOf on
			 * it: it proves nothing about the service account.
			 */
			if (strcasestr(mdn, ",CN=ForeignSecurityPrincipals,") != NULL)
				goto next;
			if (dir_search(x, mdn, LDAP_SCOPE_BASE, "(objectClass=*)",
			    mo_attrs, 1, &mres, why, whylen) == CA_OK &&
			    (me = ldap_first_entry(x->ld, mres)) != NULL) {
				struct berval **v = ldap_get_values_len(x->ld,
				    me, "memberOf");

				readable = true;
				for (size_t i = 0; v != NULL && v[i] != NULL &&
				    !seen; i++) {
					char val[PRINCIPAL_DN_MAX];

					if (v[i]->bv_len >= sizeof(val))
						continue;
					memcpy(val, v[i]->bv_val, v[i]->bv_len);
					val[v[i]->bv_len] = '\0';
					seen = dir_dn_norm(val, norm, sizeof(norm)) &&
					    strcasecmp(norm, gnorm) == 0;
				}
				ldap_value_free_len(v);
			}
			ldap_msgfree(mres);
			mres = NULL;
			if (readable && !seen)
				missing(list, sizeof(list), "memberOf", mdn);
		}
next:
		ldap_value_free_len(m);
		ldap_memfree(gdn);
		if (x->lost || x->broken)
			rc = CA_EUNAVAIL;
	}
	ldap_msgfree(res);
	if (rc != CA_OK)
		return rc;
	if (list[0] != '\0')
		return ca_why(why, whylen, CA_EDENIED, "directory: the service "
		    "account cannot read %s: give it read access (entca decides "
		    "on them and refuses what it cannot read)", list);
	return CA_OK;
}

/* Public: the probes on a leased connection. */
int
directory_check_access(struct directory *d, char *why, size_t whylen)
{
	return dir_run(d, access_op, NULL, why, whylen);
}

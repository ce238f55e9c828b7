/*
 * Transitive group membership of a principal, the way Windows builds a
 * token: on Active Directory the computed tokenGroups (base-scope read on
 * the object; absent without a global catalog, then as elsewhere);
 * elsewhere memberOf expanded breadth-first with a visited
 * set (cycles such as GroupA > GroupB > GroupA end), bounded by
 * PRINCIPAL_GROUPS_MAX. Both add the primary group (primaryGroupID on the
 * domain SID; absent from memberOf) and the well-known SIDs Everyone
 * (S-1-1-0), Authenticated Users (S-1-5-11) and, for accounts, BUILTIN\Users
 * (S-1-5-32-545: Domain Users and Authenticated Users are members of it on
 * every domain controller). Runs on the worker thread that leased the
 * connection.
 *
 * Fail closed: a deny names a group, so a group the service account cannot
 * see must never count as "not a member". A group named in memberOf that
 * cannot be read, a group without a readable objectSid, a domain SID in
 * tokenGroups without a readable entry, and a group that lists the account
 * as member while memberOf does not (memberOf hidden) are errors
 * (CA_EDENIED, why says what is missing), never a shorter group list.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ldap/dir_int.h"
#include "ldap/escape.h"
#include "ldap/sid.h"

#define SID_OR_CHUNK 16		/* SIDs per (|(objectSid=..)...) search */

/* Primary groups Windows creates in every domain (MS-SAMR §2.2.1.14). */
static const struct {
	uint32_t rid;
	const char *name;
} known_rids[] = {
	{ 512, "Domain Admins" }, { 513, "Domain Users" },
	{ 514, "Domain Guests" }, { 515, "Domain Computers" },
	{ 516, "Domain Controllers" },
};

static char *group_attrs[] = {
	"objectSid", "sAMAccountName", "cn", "memberOf", NULL
};

/* DNs seen so far (normalised) and the queue position. */
struct walk {
	char **dn;
	size_t n, cap, head;
};

/* Enqueue dn unless seen; CA_ETOOBIG past the bound. */
static int
walk_push(struct walk *w, const char *dn)
{
	char norm[PRINCIPAL_DN_MAX];

	if (!dir_dn_norm(dn, norm, sizeof(norm)))
		return CA_OK;	/* unparsable DN from the server: skip it */
	for (size_t i = 0; i < w->n; i++)
		if (strcasecmp(w->dn[i], norm) == 0)
			return CA_OK;
	if (w->n == PRINCIPAL_GROUPS_MAX)
		return CA_ETOOBIG;
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;
		char **grown = realloc(w->dn, cap * sizeof(*grown));

		if (grown == NULL)
			return CA_ENOMEM;
		w->dn = grown;
		w->cap = cap;
	}
	if ((w->dn[w->n] = strdup(norm)) == NULL)
		return CA_ENOMEM;
	w->n++;
	return CA_OK;
}

/* Enqueue every memberOf value of e. */
static int
push_member_of(struct dir_ctx *x, LDAPMessage *e, struct walk *w)
{
	struct berval **v = ldap_get_values_len(x->ld, e, "memberOf");
	char dn[PRINCIPAL_DN_MAX];
	int rc = CA_OK;

	for (size_t i = 0; v != NULL && v[i] != NULL && rc == CA_OK; i++) {
		if (v[i]->bv_len >= sizeof(dn))
			continue;
		memcpy(dn, v[i]->bv_val, v[i]->bv_len);
		dn[v[i]->bv_len] = '\0';
		rc = walk_push(w, dn);
	}
	ldap_value_free_len(v);
	return rc;
}

/* sid text, and sAMAccountName (else cn) of a group entry. */
static void
group_ids(struct dir_ctx *x, LDAPMessage *e, char *sid, size_t sidlen,
    char *name, size_t namelen)
{
	struct berval **v = ldap_get_values_len(x->ld, e, "objectSid");

	sid[0] = '\0';
	if (v != NULL && v[0] != NULL &&
	    directory_sid_to_text((unsigned char *)v[0]->bv_val, v[0]->bv_len,
	    sid, sidlen) != CA_OK)
		sid[0] = '\0';
	ldap_value_free_len(v);
	if (!dir_attr_str(x->ld, e, "sAMAccountName", name, namelen))
		dir_attr_str(x->ld, e, "cn", name, namelen);
}

/* Add a group to p, turning the bound into a sentence. */
static int
add_group(struct principal *p, const char *sid, const char *dn,
    const char *name, char *why, size_t whylen)
{
	int rc = principal_add_group(p, sid, dn, name);

	if (rc == CA_ETOOBIG)
		return ca_why(why, whylen, rc, "directory: %s is in more than %d "
		    "groups", p->dn, PRINCIPAL_GROUPS_MAX);
	return rc;
}

/* The sentence for a group of p that the service account cannot read. */
static int
unreadable_group(const char *dn, const struct principal *p, char *why,
    size_t whylen)
{
	return ca_why(why, whylen, CA_EDENIED, "directory: group %s (in memberOf "
	    "of %s) cannot be read: missing or hidden from the service account; "
	    "group data incomplete", dn, p->dn);
}

/*
 * memberOf is a back link the server computes; an ACL can hide it while
 * member stays readable. Every group whose member names p must therefore
 * be among the memberOf values already queued in w, else memberOf is
 * unreadable (or stale) and the group list cannot be trusted.
 */
static int
check_member_back_links(struct dir_ctx *x, struct walk *w,
    const struct principal *p, char *why, size_t whylen)
{
	char *attrs[] = { "1.1", NULL };
	char filter[DIR_FILTER_MAX], esc[3 * PRINCIPAL_DN_MAX + 1];
	char norm[PRINCIPAL_DN_MAX];
	LDAPMessage *res = NULL, *e;
	int rc;

	if (directory_escape_filter(p->dn, esc, sizeof(esc)) != CA_OK)
		return ca_why(why, whylen, CA_ETOOBIG, "directory: DN too long");
	snprintf(filter, sizeof(filter), "(&(objectClass=group)(member=%s))", esc);
	rc = dir_search(x, x->d->base, LDAP_SCOPE_SUBTREE, filter, attrs,
	    PRINCIPAL_GROUPS_MAX, &res, why, whylen);
	if (rc != CA_OK)
		return rc;
	for (e = ldap_first_entry(x->ld, res); e != NULL && rc == CA_OK;
	    e = ldap_next_entry(x->ld, e)) {
		char *dn = ldap_get_dn(x->ld, e);
		bool seen = false;

		if (dn != NULL && dir_dn_norm(dn, norm, sizeof(norm)))
			for (size_t i = 0; i < w->n && !seen; i++)
				seen = strcasecmp(w->dn[i], norm) == 0;
		if (dn != NULL && !seen)
			rc = ca_why(why, whylen, CA_EDENIED, "directory: group %s "
			    "lists %s as member but its memberOf does not: the "
			    "service account cannot read memberOf; group data "
			    "incomplete", dn, p->dn);
		ldap_memfree(dn);
	}
	ldap_msgfree(res);
	return rc;
}

/* Breadth-first walk of memberOf from the queued DNs. */
static int
walk_member_of(struct dir_ctx *x, struct walk *w, struct principal *p,
    char *why, size_t whylen)
{
	char sid[PRINCIPAL_SID_MAX], name[PRINCIPAL_NAME_MAX];
	LDAPMessage *res, *e;
	int rc;

	while (w->head < w->n) {
		const char *dn = w->dn[w->head++];

		rc = dir_search(x, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
		    group_attrs, 1, &res, why, whylen);
		/*
		 * AD and the memberof overlay keep memberOf consistent, so a
		 * group that does not answer is hidden from the service account
		 * (or being deleted): it may carry a deny, so it is an error.
		 */
		if (rc == CA_ENOTFOUND || rc == CA_EDENIED)
			return unreadable_group(dn, p, why, whylen);
		if (rc != CA_OK)
			return rc;
		if ((e = ldap_first_entry(x->ld, res)) == NULL) {
			ldap_msgfree(res);
			return unreadable_group(dn, p, why, whylen);
		}
		group_ids(x, e, sid, sizeof(sid), name, sizeof(name));
		if (sid[0] == '\0') {
			ldap_msgfree(res);
			return ca_why(why, whylen, CA_EDENIED, "directory: the "
			    "objectSid of group %s (a group of %s) cannot be read; "
			    "group data incomplete", dn, p->dn);
		}
		rc = add_group(p, sid, dn, name, why, whylen);
		if (rc == CA_OK)
			rc = push_member_of(x, e, w);
		ldap_msgfree(res);
		if (rc == CA_ETOOBIG)
			return ca_why(why, whylen, rc, "directory: %s is in more "
			    "than %d groups", p->dn, PRINCIPAL_GROUPS_MAX);
		if (rc != CA_OK)
			return rc;
	}
	return CA_OK;
}

/*
 * Find the entry of a SID; fills dn and name when found. Returns CA_OK,
 * CA_ENOTFOUND or a search error.
 */
static int
find_sid(struct dir_ctx *x, const char *sid, char *dn, size_t dnlen,
    char *name, size_t namelen, char *why, size_t whylen)
{
	unsigned char bin[DIRECTORY_SID_BIN_MAX];
	char esc[3 * DIRECTORY_SID_BIN_MAX + 1], filter[256], s[PRINCIPAL_SID_MAX];
	LDAPMessage *res = NULL, *e;
	size_t binlen;
	char *d;
	int rc;

	if (directory_sid_from_text(sid, bin, sizeof(bin), &binlen) != CA_OK)
		return CA_ENOTFOUND;
	directory_escape_filter_bytes(bin, binlen, esc, sizeof(esc));
	snprintf(filter, sizeof(filter), "(objectSid=%s)", esc);
	rc = dir_search(x, x->d->base, LDAP_SCOPE_SUBTREE, filter, group_attrs,
	    2, &res, why, whylen);
	if (rc == CA_ETOOBIG)
		return CA_ENOTFOUND;	/* duplicate SIDs: trust neither name */
	if (rc != CA_OK)
		return rc;
	rc = CA_ENOTFOUND;
	if ((e = ldap_first_entry(x->ld, res)) != NULL &&
	    (d = ldap_get_dn(x->ld, e)) != NULL) {
		snprintf(dn, dnlen, "%s", d);
		ldap_memfree(d);
		group_ids(x, e, s, sizeof(s), name, namelen);
		rc = CA_OK;
	}
	ldap_msgfree(res);
	return rc;
}

/*
 * The primary group: domain SID + primaryGroupID. If an entry carries
 * that SID it joins the walk (so its own nesting counts); otherwise it is
 * added with its well-known name.
 */
static int
primary_group(struct dir_ctx *x, LDAPMessage *e, struct walk *w,
    struct principal *p, char *why, size_t whylen)
{
	char dom[PRINCIPAL_SID_MAX], sid[PRINCIPAL_SID_MAX];
	char dn[PRINCIPAL_DN_MAX] = "", name[PRINCIPAL_NAME_MAX] = "";
	char buf[16], *end;
	unsigned long rid;
	int rc;

	if (!dir_attr_str(x->ld, e, "primaryGroupID", buf, sizeof(buf)))
		return CA_OK;
	rid = strtoul(buf, &end, 10);
	if (end == buf || *end != '\0' || rid == 0 || rid > UINT32_MAX)
		return CA_OK;
	if ((rc = dir_domain_sid(x, dom, sizeof(dom), why, whylen)) != CA_OK)
		return rc;
	snprintf(sid, sizeof(sid), "%.150s-%lu", dom, rid);
	rc = find_sid(x, sid, dn, sizeof(dn), name, sizeof(name), why, whylen);
	if (rc == CA_OK) {
		if ((rc = add_group(p, sid, dn, name, why, whylen)) != CA_OK)
			return rc;
		return walk_push(w, dn);
	}
	if (rc != CA_ENOTFOUND)
		return rc;
	for (size_t i = 0; i < sizeof(known_rids) / sizeof(known_rids[0]); i++)
		if (known_rids[i].rid == rid)
			snprintf(name, sizeof(name), "%s", known_rids[i].name);
	/*
	 * A well-known group matches by SID without its entry. Any other
	 * primary group must be readable: a deny may name it.
	 */
	if (name[0] == '\0')
		return ca_why(why, whylen, CA_EDENIED, "directory: the primary "
		    "group %s of %s cannot be read (missing or hidden from the "
		    "service account); group data incomplete", sid, p->dn);
	return add_group(p, sid, "", name, why, whylen);
}

/* True when p already lists a group with this SID. */
static bool
have_sid(const struct principal *p, const char *sid)
{
	for (size_t i = 0; i < p->n_groups; i++)
		if (strcmp(p->groups[i].sid, sid) == 0)
			return true;
	return false;
}

/*
 * AD: tokenGroups (base scope on the object), names resolved in chunks;
 * the same read brings msDS-User-Account-Control-Computed.
 */
static int
token_groups(struct dir_ctx *x, struct principal *p, size_t *count, char *why,
    size_t whylen)
{
	char *attrs[] = { "tokenGroups", "msDS-User-Account-Control-Computed",
	    NULL };
	char num[32], *end;
	char filter[DIR_FILTER_MAX], esc[3 * DIRECTORY_SID_BIN_MAX + 1];
	char sid[PRINCIPAL_SID_MAX], name[PRINCIPAL_NAME_MAX];
	char dom[PRINCIPAL_SID_MAX] = "";
	struct berval **v = NULL;
	LDAPMessage *res = NULL, *gres = NULL, *e;
	size_t n = 0, pos;
	int rc;

	rc = dir_search(x, p->dn, LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 1,
	    &res, why, whylen);
	if (rc != CA_OK)
		return rc;
	if ((e = ldap_first_entry(x->ld, res)) != NULL) {
		v = ldap_get_values_len(x->ld, e, "tokenGroups");
		/* Constructed, so only this base-scope read returns it. */
		if (dir_attr_str(x->ld, e, attrs[1], num, sizeof(num))) {
			long long c = strtoll(num, &end, 10);

			if (end != num && *end == '\0')
				dir_apply_computed_uac(p, (int64_t)c);
		}
	}
	while (v != NULL && v[n] != NULL)
		n++;
	*count = n;
	for (size_t i = 0; i < n && rc == CA_OK; i += SID_OR_CHUNK) {
		size_t terms = 0;

		pos = (size_t)snprintf(filter, sizeof(filter), "(|");
		for (size_t j = i; j < n && j < i + SID_OR_CHUNK; j++) {
			if (v[j]->bv_len > DIRECTORY_SID_BIN_MAX)
				continue;
			directory_escape_filter_bytes((unsigned char *)v[j]->bv_val,
			    v[j]->bv_len, esc, sizeof(esc));
			pos += (size_t)snprintf(filter + pos, sizeof(filter) - pos,
			    "(objectSid=%s)", esc);
			terms++;
		}
		if (terms == 0)
			continue;	/* "(|)" is no filter */
		snprintf(filter + pos, sizeof(filter) - pos, ")");
		rc = dir_search(x, x->d->base, LDAP_SCOPE_SUBTREE, filter,
		    group_attrs, SID_OR_CHUNK * 2, &gres, why, whylen);
		for (e = rc == CA_OK ? ldap_first_entry(x->ld, gres) : NULL;
		    e != NULL && rc == CA_OK; e = ldap_next_entry(x->ld, e)) {
			char *dn = ldap_get_dn(x->ld, e);

			group_ids(x, e, sid, sizeof(sid), name, sizeof(name));
			rc = add_group(p, sid, dn ? dn : "", name, why, whylen);
			ldap_memfree(dn);
		}
		ldap_msgfree(gres);
		gres = NULL;
	}
	/*
	 * SIDs with no entry here (other domains, builtins) by SID alone; a
	 * SID of this domain must have had a readable entry, else a deny that
	 * names that group by name would be lost.
	 */
	if (rc == CA_OK && n > 0)
		rc = dir_domain_sid(x, dom, sizeof(dom), why, whylen);
	for (size_t j = 0; j < n && rc == CA_OK; j++) {
		size_t dl = strlen(dom);

		if (directory_sid_to_text((unsigned char *)v[j]->bv_val,
		    v[j]->bv_len, sid, sizeof(sid)) != CA_OK)
			continue;
		if (strncmp(sid, dom, dl) == 0 && sid[dl] == '-' &&
		    !have_sid(p, sid))
			rc = ca_why(why, whylen, CA_EDENIED, "directory: group %s "
			    "in the tokenGroups of %s has no readable entry "
			    "(hidden from the service account); group data "
			    "incomplete", sid, p->dn);
		else
			rc = add_group(p, sid, "", "", why, whylen);
	}
	ldap_value_free_len(v);
	ldap_msgfree(res);
	return rc;
}

/* All groups of e into p (see the file comment). */
int
dir_groups_fill(struct dir_ctx *x, LDAPMessage *e, struct principal *p,
    char *why, size_t whylen)
{
	struct walk w = { NULL, 0, 0, 0 };
	size_t ntoken = 0;
	int rc = CA_OK, is_ad;

	is_ad = dir_is_ad(x->d);
	if (is_ad)
		rc = token_groups(x, p, &ntoken, why, whylen);
	if (is_ad && rc == CA_OK && ntoken > 0) {
		x->groups_path = "tokenGroups";
		rc = primary_group(x, e, &w, p, why, whylen);
	} else if (rc == CA_OK) {
		/* Not AD, or AD without tokenGroups (no global catalog). */
		x->groups_path = is_ad ? "memberOf walk (AD returned no tokenGroups)" :
		    "memberOf walk";
		rc = push_member_of(x, e, &w);
		if (rc == CA_OK)
			rc = check_member_back_links(x, &w, p, why, whylen);
		if (rc == CA_OK)
			rc = primary_group(x, e, &w, p, why, whylen);
		/* The primary group was added already; walk from it too. */
		if (rc == CA_OK)
			rc = walk_member_of(x, &w, p, why, whylen);
	}
	if (rc == CA_ETOOBIG)
		ca_why(why, whylen, rc, "directory: %s is in more than %d groups",
		    p->dn, PRINCIPAL_GROUPS_MAX);
	for (size_t i = 0; i < w.n; i++)
		free(w.dn[i]);
	free(w.dn);
	if (rc == CA_OK)
		rc = add_group(p, "S-1-1-0", "", "Everyone", why, whylen);
	if (rc == CA_OK)
		rc = add_group(p, "S-1-5-11", "", "Authenticated Users", why,
		    whylen);
	if (rc == CA_OK && p->kind != PRINCIPAL_GROUP)
		rc = add_group(p, "S-1-5-32-545", "", "Users", why, whylen);
	return rc;
}

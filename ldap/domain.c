/*
 * What the directory says about its domain, learned once and kept in the
 * directory object: whether the server is Active Directory, the domain
 * SID and the NetBIOS name (each configured, else read from the directory).
 *
 * Threads: any worker thread, on a connection it leased through dir_run;
 * d->mu guards is_ad, the domain SID and the NetBIOS name, and is never
 * held across network I/O.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/clock.h"
#include "ldap/dir_int.h"
#include "ldap/sid.h"

/* Learn once whether the server is Active Directory (LDAP_CAP_ACTIVE_DIRECTORY). */
static void
detect_ad(struct directory *d, LDAP *ld)
{
	char *attrs[] = { "supportedCapabilities", NULL };
	struct timeval tv = dir_timeval(d->op_timeout_ms);
	struct berval **vals;
	LDAPMessage *res = NULL, *e;
	int is_ad = 0;

	if (ldap_search_ext_s(ld, "", LDAP_SCOPE_BASE, "(objectClass=*)", attrs,
	    0, NULL, NULL, &tv, 1, &res) != LDAP_SUCCESS) {
		ldap_msgfree(res);
		return;
	}
	if ((e = ldap_first_entry(ld, res)) != NULL &&
	    (vals = ldap_get_values_len(ld, e, attrs[0])) != NULL) {
		for (size_t i = 0; vals[i] != NULL; i++)
			if (vals[i]->bv_len == 22 &&
			    memcmp(vals[i]->bv_val, "1.2.840.113556.1.4.800", 22) == 0)
				is_ad = 1;
		ldap_value_free_len(vals);
	}
	ldap_msgfree(res);
	pthread_mutex_lock(&d->mu);
	d->is_ad = is_ad;
	pthread_mutex_unlock(&d->mu);
}

/*
 * See dir_int.h. The domain's NetBIOS name and SID, which every principal
 * needs, are read here, outside the budget of the call that happens to
 * come first; a failure leaves them to be read on demand.
 */
void
dir_learn_domain(struct directory *d, LDAP *ld, int uri)
{
	struct dir_ctx px;
	char buf[PRINCIPAL_SID_MAX], why[CA_WHY_MAX];

	detect_ad(d, ld);
	memset(&px, 0, sizeof(px));
	px.d = d;
	px.ld = ld;
	px.uri = uri;
	px.deadline_ms = ca_monotonic_ms() + 4 * (int64_t)d->op_timeout_ms;
	dir_domain_netbios(&px, buf, sizeof(buf), why, sizeof(why));
	dir_domain_sid(&px, buf, sizeof(buf), why, sizeof(why));
}

/* The domain SID: configured, or objectSid of the base entry (cached). */
int
dir_domain_sid(struct dir_ctx *x, char *out, size_t outlen, char *why,
    size_t whylen)
{
	struct directory *d = x->d;
	char *attrs[] = { "objectSid", NULL };
	struct berval **vals = NULL;
	LDAPMessage *res = NULL, *e;
	char sid[PRINCIPAL_SID_MAX] = "";
	int rc;

	pthread_mutex_lock(&d->mu);
	snprintf(out, outlen, "%s", d->domain_sid);
	pthread_mutex_unlock(&d->mu);
	if (*out != '\0')
		return CA_OK;
	rc = dir_search(x, d->base, LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 1,
	    &res, why, whylen);
	if (rc != CA_OK)
		return rc;
	if ((e = ldap_first_entry(x->ld, res)) != NULL &&
	    (vals = ldap_get_values_len(x->ld, e, "objectSid")) != NULL &&
	    vals[0] != NULL)
		rc = directory_sid_to_text((unsigned char *)vals[0]->bv_val,
		    vals[0]->bv_len, sid, sizeof(sid));
	else
		rc = CA_ENOTFOUND;
	ldap_value_free_len(vals);
	ldap_msgfree(res);
	if (rc != CA_OK)
		return ca_why(why, whylen, CA_ENOTFOUND,
		    "directory: base '%s' carries no usable objectSid (set the "
		    "domain SID in the configuration)", d->base);
	pthread_mutex_lock(&d->mu);
	snprintf(d->domain_sid, sizeof(d->domain_sid), "%s", sid);
	pthread_mutex_unlock(&d->mu);
	snprintf(out, outlen, "%s", sid);
	return CA_OK;
}

/* True once a connection found the server to be Active Directory. */
bool
dir_is_ad(struct directory *d)
{
	bool ad;

	pthread_mutex_lock(&d->mu);
	ad = d->is_ad == 1;
	pthread_mutex_unlock(&d->mu);
	return ad;
}

/* The configuration naming context from the rootDSE, else CN=Configuration,<base>. */
static void
config_nc(struct dir_ctx *x, char *out, size_t outlen)
{
	char *attrs[] = { "configurationNamingContext", NULL };
	LDAPMessage *res = NULL, *e;
	char why[CA_WHY_MAX];

	out[0] = '\0';
	if (dir_search(x, "", LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 1, &res,
	    why, sizeof(why)) == CA_OK &&
	    (e = ldap_first_entry(x->ld, res)) != NULL)
		dir_attr_str(x->ld, e, attrs[0], out, outlen);
	ldap_msgfree(res);
	if (out[0] == '\0')
		snprintf(out, outlen, "CN=Configuration,%s", x->d->base);
}

/* See dir_int.h: configured, else the crossRef of the base's partition. */
int
dir_domain_netbios(struct dir_ctx *x, char *out, size_t outlen, char *why,
    size_t whylen)
{
	struct directory *d = x->d;
	char *attrs[] = { "nCName", "nETBIOSName", NULL };
	char conf[PRINCIPAL_DN_MAX], parts[PRINCIPAL_DN_MAX + 16];
	char base[PRINCIPAL_DN_MAX], nc[PRINCIPAL_DN_MAX], ncn[PRINCIPAL_DN_MAX];
	char name[PRINCIPAL_DOMAIN_MAX] = "";
	LDAPMessage *res = NULL, *e;
	bool known;
	int rc;

	if (d->domain != NULL && *d->domain != '\0') {
		snprintf(out, outlen, "%s", d->domain);
		return CA_OK;
	}
	pthread_mutex_lock(&d->mu);
	known = d->netbios_known;
	snprintf(out, outlen, "%s", d->netbios);
	pthread_mutex_unlock(&d->mu);
	if (known)
		return CA_OK;
	/*
	 * A single-domain forest keeps its configuration under the base: try
	 * that first (one search), the rootDSE's configurationNamingContext
	 * only if it is not there. nCName has no equality rule everywhere,
	 * so it is compared here, not in the filter.
	 */
	snprintf(conf, sizeof(conf), "CN=Configuration,%s", d->base);
	snprintf(parts, sizeof(parts), "CN=Partitions,%s", conf);
	rc = dir_search(x, parts, LDAP_SCOPE_ONELEVEL, "(objectClass=crossRef)",
	    attrs, 64, &res, why, whylen);
	if (rc == CA_ENOTFOUND) {
		config_nc(x, conf, sizeof(conf));
		snprintf(parts, sizeof(parts), "CN=Partitions,%s", conf);
		rc = dir_search(x, parts, LDAP_SCOPE_ONELEVEL,
		    "(objectClass=crossRef)", attrs, 64, &res, why, whylen);
	}
	if (rc == CA_ENOTFOUND || rc == CA_ETOOBIG)
		rc = CA_OK;	/* no partitions container: no NetBIOS name */
	if (rc != CA_OK)
		return rc;
	if (dir_dn_norm(d->base, base, sizeof(base)))
		for (e = ldap_first_entry(x->ld, res); e != NULL;
		    e = ldap_next_entry(x->ld, e))
			if (dir_attr_str(x->ld, e, "nCName", nc, sizeof(nc)) &&
			    dir_dn_norm(nc, ncn, sizeof(ncn)) &&
			    strcasecmp(ncn, base) == 0 &&
			    dir_attr_str(x->ld, e, "nETBIOSName", name, sizeof(name)))
				break;
	ldap_msgfree(res);
	pthread_mutex_lock(&d->mu);
	snprintf(d->netbios, sizeof(d->netbios), "%s", name);
	d->netbios_known = true;
	pthread_mutex_unlock(&d->mu);
	snprintf(out, outlen, "%s", name);
	return CA_OK;
}

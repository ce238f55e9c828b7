/*
 * CRL publication into the directory: replace certificateRevocationList
 * (or deltaRevocationList) ;binary on a CDP entry, as AD CS does under
 * CN=CDP,CN=Public Key Services,CN=Services,CN=Configuration. Runs on a
 * worker thread with the pooled service connection.
 */
#include "config.h"

#include <string.h>

#include "ldap/dir_int.h"

struct publish_arg {
	const char *dn;
	char *attr;
	const unsigned char *der;
	size_t len;
};

/* One modify/replace on the leased connection. */
static int
publish_op(struct dir_ctx *x, void *argp, char *why, size_t whylen)
{
	struct publish_arg *a = argp;
	struct berval bv = { (ber_len_t)a->len, (char *)a->der };
	struct berval *vals[] = { &bv, NULL };
	LDAPMod mod, *mods[] = { &mod, NULL };
	int lrc, rc;

	memset(&mod, 0, sizeof(mod));
	mod.mod_op = LDAP_MOD_REPLACE | LDAP_MOD_BVALUES;
	mod.mod_type = a->attr;
	mod.mod_bvalues = vals;
	lrc = ldap_modify_ext_s(x->ld, a->dn, mods, NULL, NULL);
	if (lrc == LDAP_SUCCESS)
		return CA_OK;
	rc = dir_ldap_code(lrc);
	if (rc == CA_EUNAVAIL)
		x->lost = true;
	if (rc == CA_ETIMEOUT)
		x->broken = true;
	if (rc == CA_ETOOBIG || rc == CA_EAUTH)
		rc = CA_EIO;
	return ca_why(why, whylen, rc, "directory: publishing %s to '%s' failed: %s",
	    a->attr, a->dn, ldap_err2string(lrc));
}

/* Replace the (delta) CRL attribute of dn with der. */
int
directory_publish_crl(struct directory *d, const char *dn, int delta,
    const unsigned char *der, size_t len, char *why, size_t whylen)
{
	struct publish_arg a;
	LDAPDN parsed = NULL;

	if (dn == NULL || strlen(dn) >= PRINCIPAL_DN_MAX ||
	    ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAP) != LDAP_SUCCESS)
		return ca_why(why, whylen, CA_EINVAL,
		    "directory: CRL entry '%s' is not a DN", dn ? dn : "(null)");
	ldap_dnfree(parsed);
	if (delta != 0 && delta != 1)
		return ca_why(why, whylen, CA_EINVAL, "directory: delta must be 0 or 1");
	if (der == NULL || len == 0 || len > DIRECTORY_CRL_MAX)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "directory: CRL empty or larger than %d bytes", DIRECTORY_CRL_MAX);
	a.dn = dn;
	a.attr = delta ? "deltaRevocationList;binary"
	    : "certificateRevocationList;binary";
	a.der = der;
	a.len = len;
	return dir_run(d, publish_op, &a, why, whylen);
}

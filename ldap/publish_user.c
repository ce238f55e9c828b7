/*
 * Certificate publication into the subject's directory entry, as AD CS
 * does for templates with CT_FLAG_PUBLISH_TO_DS: add the certificate to
 * userCertificate. Active Directory's schema has no ;binary option for it
 * (a write naming userCertificate;binary is refused there); OpenLDAP's
 * certificate syntax requires it (RFC 4523 §2.1). Worker threads, with
 * the pooled service connection.
 */
#include "config.h"

#include <string.h>

#include "ldap/dir_int.h"

struct publish_user_arg {
	const char *dn;
	const unsigned char *der;
	size_t len;
};

/* One modify/add of the value; a value already there is success. */
static int
publish_user_op(struct dir_ctx *x, void *argp, char *why, size_t whylen)
{
	struct publish_user_arg *a = argp;
	struct berval bv = { (ber_len_t)a->len, (char *)a->der };
	struct berval *vals[] = { &bv, NULL };
	LDAPMod mod, *mods[] = { &mod, NULL };
	char *attr = dir_is_ad(x->d) ? "userCertificate" :
	    "userCertificate;binary";
	int lrc, rc;

	memset(&mod, 0, sizeof(mod));
	mod.mod_op = LDAP_MOD_ADD | LDAP_MOD_BVALUES;
	mod.mod_type = attr;
	mod.mod_bvalues = vals;
	lrc = ldap_modify_ext_s(x->ld, a->dn, mods, NULL, NULL);
	if (lrc == LDAP_SUCCESS || lrc == LDAP_TYPE_OR_VALUE_EXISTS)
		return CA_OK;
	rc = dir_write_code(x, lrc);
	return ca_why(why, whylen, rc, "directory: adding %s to '%s' failed: %s",
	    attr, a->dn, ldap_err2string(lrc));
}

/* Check the DN and size, then add the value on a pooled connection. */
int
directory_publish_user_cert(struct directory *d, const char *dn,
    const unsigned char *der, size_t len, char *why, size_t whylen)
{
	struct publish_user_arg a;
	LDAPDN parsed = NULL;

	if (dn == NULL || *dn == '\0' || strlen(dn) >= PRINCIPAL_DN_MAX ||
	    ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAP) != LDAP_SUCCESS)
		return ca_why(why, whylen, CA_EINVAL,
		    "directory: subject entry '%s' is not a DN", dn ? dn : "(null)");
	ldap_dnfree(parsed);
	if (der == NULL || len == 0 || len > DIRECTORY_CERT_MAX)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "directory: certificate empty or larger than %d bytes",
		    DIRECTORY_CERT_MAX);
	a.dn = dn;
	a.der = der;
	a.len = len;
	return dir_run(d, publish_user_op, &a, why, whylen);
}

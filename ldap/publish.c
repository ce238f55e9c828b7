/*
 * Binary attributes written into the directory: CRLs and delta CRLs on a
 * CDP entry (as AD CS does under CN=CDP,CN=Public Key Services,
 * CN=Services,CN=Configuration), and any other certificate-valued
 * attribute (cACertificate, userCertificate). The attribute description
 * follows the server's schema: Active Directory and Samba AD define these
 * attributes without the ;binary option and refuse it ("No such
 * attribute"), while OpenLDAP's certificate syntaxes require it (RFC 4523
 * §2.1). The server is told apart by its rootDSE (supportedCapabilities
 * 1.2.840.113556.1.4.800, read when a connection opens: dir_is_ad). Runs
 * on a worker thread with the pooled service connection.
 *
 * Also the entry's change stamp (uSNChanged on AD and Samba, entryCSN on
 * OpenLDAP): a caller that recorded the stamp after its own write can
 * tell, on its next start, that nobody has written the entry since, and
 * spare the directory (and its replication) a CRL of tens of megabytes.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ldap/dir_int.h"

#define PUBLISH_ATTR_MAX 128	/* bytes of an attribute description */
#define PUBLISH_BIG (1024 * 1024) /* a write this large may meet a size limit */

struct publish_arg {
	const char *dn;
	const char *attr;	/* without options */
	const unsigned char *der;
	size_t len;
};

/* Whether libldap's result says the attribute description is unknown. */
static bool
attr_unknown(int lrc)
{
	return lrc == LDAP_UNDEFINED_TYPE || lrc == LDAP_NO_SUCH_ATTRIBUTE;
}

/* One modify/replace of attr (with or without ;binary) on the connection. */
static int
replace_once(struct dir_ctx *x, const struct publish_arg *a, bool binary)
{
	char desc[PUBLISH_ATTR_MAX];
	struct berval bv = { (ber_len_t)a->len, (char *)a->der };
	struct berval *vals[] = { &bv, NULL };
	LDAPMod mod, *mods[] = { &mod, NULL };

	snprintf(desc, sizeof(desc), "%s%s", a->attr, binary ? ";binary" : "");
	memset(&mod, 0, sizeof(mod));
	mod.mod_op = LDAP_MOD_REPLACE | LDAP_MOD_BVALUES;
	mod.mod_type = desc;
	mod.mod_bvalues = vals;
	return ldap_modify_ext_s(x->ld, a->dn, mods, NULL, NULL);
}

/*
 * Replace the attribute in the form the server's schema wants. Should the
 * rootDSE have misled us (a proxy, a directory that mimics AD), an
 * "undefined attribute" answer is retried once in the other form, so the
 * write never fails on the option alone.
 */
static int
publish_op(struct dir_ctx *x, void *argp, char *why, size_t whylen)
{
	struct publish_arg *a = argp;
	bool binary = !dir_is_ad(x->d);
	char first[PUBLISH_ATTR_MAX + 160] = "";
	int lrc, rc;

	lrc = replace_once(x, a, binary);
	if (attr_unknown(lrc)) {
		snprintf(first, sizeof(first), " (after %s%s was refused: %s)",
		    a->attr, binary ? ";binary" : "", ldap_err2string(lrc));
		binary = !binary;
		lrc = replace_once(x, a, binary);
	}
	if (lrc == LDAP_SUCCESS)
		return CA_OK;
	rc = dir_write_code(x, lrc);
	/*
	 * A server drops the connection, without a result, on a request above
	 * its size limit: say so, or "Can't contact LDAP server" sends the
	 * operator looking for a network fault.
	 */
	if (lrc == LDAP_SERVER_DOWN && a->len >= PUBLISH_BIG)
		return ca_why(why, whylen, rc, "directory: publishing %s%s "
		    "(%zu bytes) to '%s' failed: %s: the server closed the "
		    "connection during the write; directories drop requests "
		    "above their size limit this way (OpenLDAP: "
		    "olcSockbufMaxIncomingAuth, 16 MB in slapd 2.5; Active "
		    "Directory: the LDAP policy MaxReceiveBuffer, 10 MB)%s",
		    a->attr, binary ? ";binary" : "", a->len, a->dn,
		    ldap_err2string(lrc), first);
	return ca_why(why, whylen, rc, "directory: publishing %s%s to '%s' failed: %s%s",
	    a->attr, binary ? ";binary" : "", a->dn, ldap_err2string(lrc), first);
}

/* Replace one certificate-syntax attribute of dn with der; see directory.h. */
int
directory_publish_binary(struct directory *d, const char *dn, const char *attr,
    const unsigned char *der, size_t len, char *why, size_t whylen)
{
	struct publish_arg a;
	LDAPDN parsed = NULL;

	if (dn == NULL || strlen(dn) >= PRINCIPAL_DN_MAX ||
	    ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAP) != LDAP_SUCCESS)
		return ca_why(why, whylen, CA_EINVAL,
		    "directory: entry '%s' is not a DN", dn ? dn : "(null)");
	ldap_dnfree(parsed);
	if (attr == NULL || attr[0] == '\0' || strlen(attr) + 8 >= PUBLISH_ATTR_MAX ||
	    strchr(attr, ';') != NULL)
		return ca_why(why, whylen, CA_EINVAL,
		    "directory: attribute '%s': expected a name without options",
		    attr ? attr : "(null)");
	if (der == NULL || len == 0 || len > DIRECTORY_CRL_MAX)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "directory: %s value empty or larger than %d bytes", attr,
		    DIRECTORY_CRL_MAX);
	a.dn = dn;
	a.attr = attr;
	a.der = der;
	a.len = len;
	return dir_run(d, publish_op, &a, why, whylen);
}

/* Replace the (delta) CRL attribute of dn with der. */
int
directory_publish_crl(struct directory *d, const char *dn, int delta,
    const unsigned char *der, size_t len, char *why, size_t whylen)
{
	if (delta != 0 && delta != 1)
		return ca_why(why, whylen, CA_EINVAL, "directory: delta must be 0 or 1");
	return directory_publish_binary(d, dn, delta ? "deltaRevocationList" :
	    "certificateRevocationList", der, len, why, whylen);
}

/* The attribute description this directory stores attr under. */
int
directory_binary_attr(struct directory *d, const char *attr, char *out,
    size_t outlen)
{
	int n = snprintf(out, outlen, "%s%s", attr, dir_is_ad(d) ? "" : ";binary");

	return n > 0 && (size_t)n < outlen ? CA_OK : CA_ETOOBIG;
}

/* Arguments of stamp_op. */
struct stamp_arg {
	const char *dn;
	char *out;
	size_t outlen;
};

/*
 * Read the entry's change stamp. Only stamps that change on every write
 * count: uSNChanged (a per-server counter) and entryCSN (microseconds and
 * a counter); modifyTimestamp has one-second steps, so a write in the same
 * second as ours would pass for ours, and is not used.
 */
static int
stamp_op(struct dir_ctx *x, void *argp, char *why, size_t whylen)
{
	static const char *const names[] = { "uSNChanged", "entryCSN" };
	char *attrs[] = { "uSNChanged", "entryCSN", NULL };
	struct stamp_arg *a = argp;
	LDAPMessage *res = NULL, *e;
	int rc;

	a->out[0] = '\0';
	rc = dir_search(x, a->dn, LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 1,
	    &res, why, whylen);
	if (rc != CA_OK)
		return rc;
	if ((e = ldap_first_entry(x->ld, res)) == NULL) {
		ldap_msgfree(res);
		return ca_why(why, whylen, CA_ENOTFOUND,
		    "directory: entry '%s' not found", a->dn);
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct berval **v = ldap_get_values_len(x->ld, e, names[i]);

		/* One value, printable: anything else is no stamp we trust. */
		if (v != NULL && v[0] != NULL && v[1] == NULL &&
		    v[0]->bv_len > 0 && v[0]->bv_len < 128 &&
		    memchr(v[0]->bv_val, '\0', v[0]->bv_len) == NULL) {
			int n = snprintf(a->out, a->outlen, "%s %s=%.*s",
			    x->d->uris[x->uri], names[i], (int)v[0]->bv_len,
			    v[0]->bv_val);

			if (n < 0 || (size_t)n >= a->outlen)
				a->out[0] = '\0';
			ldap_value_free_len(v);
			break;
		}
		ldap_value_free_len(v);
	}
	ldap_msgfree(res);
	return CA_OK;
}

/* The entry's change stamp; see directory.h. */
int
directory_entry_stamp(struct directory *d, const char *dn, char *out,
    size_t outlen, char *why, size_t whylen)
{
	struct stamp_arg a = { dn, out, outlen };

	if (outlen == 0)
		return ca_why(why, whylen, CA_EINVAL, "directory: no room for a stamp");
	out[0] = '\0';
	return dir_run(d, stamp_op, &a, why, whylen);
}

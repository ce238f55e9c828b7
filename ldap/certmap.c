/*
 * Certificate-to-account mapping for TLS client authentication. The SID
 * security extension 1.3.6.1.4.1.311.25.2 (KB5014754: a
 * GeneralNames with one otherName 1.3.6.1.4.1.311.25.2.1 whose [0] value
 * is an OCTET STRING with the SID as ASCII) is authoritative when
 * present; otherwise the strong altSecurityIdentities forms of §1.5:
 * X509:<I>issuer<SR>serial (issuer RDNs most significant first, serial
 * bytes reversed), X509:<SKI>hex and X509:<SHA1-PUKEY>hex. Weak forms
 * (subject, e-mail) are never used. The account state rules that every
 * login shares (directory_account_usable) live here too, so that a
 * certificate login answers to the same rules as a password bind.
 * Runs on worker threads.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ldap/certmap.h"
#include "ldap/dir_int.h"
#include "ldap/escape.h"
#include "ldap/sid.h"
#include "policy/mspki.h"

#define CERT_ISSUER_MAX 1024	/* bytes of the issuer DN we accept */
#define CERT_SERIAL_MAX 32	/* bytes of a serial number (RFC 5280: 20) */
#define CERT_KEYID_MAX 64	/* bytes of a key identifier */
#define ALTSEC_MAX (CERT_ISSUER_MAX + 2 * CERT_SERIAL_MAX + 32)

/* The SID extension through its one codec; the SID must also convert. */
int
directory_sid_ext_parse(const unsigned char *der, size_t len, char *sid,
    size_t sidlen)
{
	unsigned char bin[DIRECTORY_SID_BIN_MAX];
	size_t binlen;
	int rc;

	if ((rc = mspki_sid_parse(der, len, sid, sidlen)) != CA_OK)
		return rc;
	if (directory_sid_from_text(sid, bin, sizeof(bin), &binlen) != CA_OK) {
		sid[0] = '\0';
		return CA_EPARSE;
	}
	return CA_OK;
}

/* Upper-case hex of len bytes, optionally reversed. */
static void
hex(const unsigned char *b, size_t len, int reverse, char *out)
{
	static const char digits[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		unsigned char c = b[reverse ? len - 1 - i : i];

		out[2 * i] = digits[c >> 4];
		out[2 * i + 1] = digits[c & 0xf];
	}
	out[2 * len] = '\0';
}

/* Issuer DN with RDNs most significant first, as altSecurityIdentities has it. */
static int
issuer_reversed(gnutls_x509_crt_t crt, char *out, size_t outlen)
{
	gnutls_datum_t dn = { NULL, 0 };
	LDAPDN ldn = NULL;
	size_t n = 0, pos = 0;
	int rc = CA_EPARSE;

	out[0] = '\0';
	if (gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0) < 0)
		return CA_EPARSE;
	if (dn.size >= CERT_ISSUER_MAX ||
	    ldap_str2dn((char *)dn.data, &ldn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		goto out;
	while (ldn[n] != NULL)
		n++;
	for (size_t i = n; i > 0; i--) {
		char *s = NULL;
		int w;

		if (ldap_rdn2str(ldn[i - 1], &s, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
			goto out;
		w = snprintf(out + pos, outlen - pos, "%s%s", i < n ? "," : "", s);
		ldap_memfree(s);
		if (w < 0 || (size_t)w >= outlen - pos)
			goto out;
		pos += (size_t)w;
	}
	rc = CA_OK;
out:
	if (ldn != NULL)
		ldap_dnfree(ldn);
	gnutls_free(dn.data);
	return rc;
}

/* Compute the strong altSecurityIdentities strings of a certificate. */
int
directory_altsec_strings(const unsigned char *der, size_t len,
    struct directory_altsec *out)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };
	unsigned char buf[CERT_KEYID_MAX > CERT_SERIAL_MAX ? CERT_KEYID_MAX :
	    CERT_SERIAL_MAX];
	char issuer[CERT_ISSUER_MAX], hx[2 * CERT_KEYID_MAX + 1];
	unsigned int crit;
	size_t sz;
	int rc = CA_EPARSE;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > DIRECTORY_CERT_MAX)
		return CA_EPARSE;
	if (gnutls_x509_crt_init(&crt) < 0)
		return CA_ENOMEM;
	if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0)
		goto out;
	sz = CERT_SERIAL_MAX;
	if (issuer_reversed(crt, issuer, sizeof(issuer)) != CA_OK ||
	    gnutls_x509_crt_get_serial(crt, buf, &sz) < 0)
		goto out;
	/*
	 * XXX: the serial's DER content bytes as GnuTLS returns them (a
	 * leading 00 kept when the high bit is set), reversed; the published
	 * examples never show such a serial.
	 */
	hex(buf, sz, 1, hx);
	snprintf(out->issuer_serial, sizeof(out->issuer_serial),
	    "X509:<I>%s<SR>%s", issuer, hx);
	sz = CERT_KEYID_MAX;
	if (gnutls_x509_crt_get_subject_key_id(crt, buf, &sz, &crit) >= 0) {
		hex(buf, sz, 0, hx);
		snprintf(out->ski, sizeof(out->ski), "X509:<SKI>%s", hx);
	}
	/*
	 * XXX: SHA-1 over the DER SubjectPublicKeyInfo. Microsoft's pages
	 * do not say which bytes "SHA1-PUKEY" hashes; check against a real
	 * AD mapping before relying on this form.
	 */
	sz = CERT_KEYID_MAX;
	if (gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, buf, &sz) >= 0) {
		hex(buf, sz, 0, hx);
		snprintf(out->sha1_pukey, sizeof(out->sha1_pukey),
		    "X509:<SHA1-PUKEY>%s", hx);
	}
	rc = CA_OK;
out:
	gnutls_x509_crt_deinit(crt);
	return rc;
}

struct map_arg {
	const char *filter;
	struct principal *p;
};

/* Find the one account carrying one of the strings. */
static int
map_op(struct dir_ctx *x, void *argp, char *why, size_t whylen)
{
	struct map_arg *a = argp;

	return dir_find_one(x, a->filter, a->p, why, whylen);
}

/* Append "(altSecurityIdentities=<escaped s>)" when s is set. */
static size_t
add_term(char *f, size_t flen, size_t pos, const char *s)
{
	char esc[3 * ALTSEC_MAX + 1];
	int n;

	if (*s == '\0' || directory_escape_filter(s, esc, sizeof(esc)) != CA_OK)
		return pos;
	n = snprintf(f + pos, flen - pos, "(altSecurityIdentities=%s)", esc);
	return n < 0 || (size_t)n >= flen - pos ? pos : pos + (size_t)n;
}

/* SID extension first, then the strong altSecurityIdentities forms. */
int
directory_map_certificate(struct directory *d, const unsigned char *der,
    size_t der_len, struct principal *out, char *why, size_t whylen)
{
	char sid[PRINCIPAL_SID_MAX], filter[DIR_FILTER_MAX];
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t dat = { (unsigned char *)der, (unsigned)der_len };
	gnutls_datum_t ext = { NULL, 0 };
	struct directory_altsec alt;
	struct map_arg a;
	unsigned int critical;
	size_t pos;
	int rc, has_sid;

	memset(out, 0, sizeof(*out));	/* output only: never freed here */
	if (der_len == 0 || der_len > DIRECTORY_CERT_MAX)
		return ca_why(why, whylen, CA_EPARSE,
		    "certificate: empty or longer than %d bytes", DIRECTORY_CERT_MAX);
	if (gnutls_x509_crt_init(&crt) < 0)
		return CA_ENOMEM;
	if (gnutls_x509_crt_import(crt, &dat, GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(crt);
		return ca_why(why, whylen, CA_EPARSE,
		    "certificate: RFC 5280: does not parse");
	}
	has_sid = gnutls_x509_crt_get_extension_by_oid2(crt,
	    MSPKI_OID_SID_EXT, 0, &ext, &critical) >= 0;
	rc = has_sid ? directory_sid_ext_parse(ext.data, ext.size, sid,
	    sizeof(sid)) : CA_OK;
	gnutls_free(ext.data);
	gnutls_x509_crt_deinit(crt);
	if (rc != CA_OK)
		return ca_why(why, whylen, CA_EPARSE, "certificate: SID extension "
		    "1.3.6.1.4.1.311.25.2 is not one otherName with an ASCII SID");
	if (has_sid) {
		rc = directory_lookup(d, DIRECTORY_BY_SID, sid, out, why, whylen);
		if (rc == CA_OK && out->kind == PRINCIPAL_GROUP) {
			principal_clear(out);
			rc = ca_why(why, whylen, CA_ENOTFOUND, "certificate: SID %s "
			    "is a group, not an account", sid);
		}
		return rc;
	}
	if ((rc = directory_altsec_strings(der, der_len, &alt)) != CA_OK)
		return ca_why(why, whylen, rc, "certificate: issuer or serial "
		    "unusable for altSecurityIdentities");
	pos = (size_t)snprintf(filter, sizeof(filter),
	    "(&(|(objectClass=user)(objectClass=computer))(|");
	pos = add_term(filter, sizeof(filter), pos, alt.issuer_serial);
	pos = add_term(filter, sizeof(filter), pos, alt.ski);
	pos = add_term(filter, sizeof(filter), pos, alt.sha1_pukey);
	if (pos + 3 > sizeof(filter))
		return ca_why(why, whylen, CA_ETOOBIG, "certificate: names too long");
	strcpy(filter + pos, "))");
	a.filter = filter;
	a.p = out;
	rc = dir_run(d, map_op, &a, why, whylen);
	if (rc == CA_ENOTFOUND)
		ca_why(why, whylen, rc, "certificate: no single account has a "
		    "strong altSecurityIdentities mapping (%s)", alt.issuer_serial);
	return rc;
}

/* Disabled, locked, expired: the same order and rules as bind.c's auth_op. */
int
directory_account_usable(const struct principal *p, char *why, size_t whylen)
{
	const char *name = p->dn[0] ? p->dn : p->sam[0] ? p->sam : p->sid;

	if (p->sid[0] == '\0' && p->dn[0] == '\0')
		return ca_why(why, whylen, CA_EAUTH, "no account");
	if (p->kind == PRINCIPAL_GROUP)
		return ca_why(why, whylen, CA_EAUTH, "'%s' is a group, not an "
		    "account", name);
	if (p->uac & PRINCIPAL_UAC_ACCOUNTDISABLE)
		return ca_why(why, whylen, CA_EAUTH, "account '%s' is disabled "
		    "(userAccountControl 0x%x)", name, p->uac);
	if (p->uac & PRINCIPAL_UAC_LOCKOUT)
		return ca_why(why, whylen, CA_EAUTH, "account '%s' is locked out",
		    name);
	if (p->expired)
		return ca_why(why, whylen, CA_EAUTH, "account '%s' expired "
		    "(accountExpires)", name);
	if (p->uac & PRINCIPAL_UAC_PASSWORD_EXPIRED)
		return ca_why(why, whylen, CA_EAUTH, "the password of '%s' "
		    "expired", name);
	return CA_OK;
}

/*
 * libtasn1 encoders for the Microsoft extensions (msext.h), built on the
 * definitions policy/mspki.c parses once from policy/ms-pki.asn (where the
 * SID extension codec also lives, shared with policy/ and ldap/). Each call
 * creates its own element, so calls from several workers at once are safe.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libtasn1.h>
#include <gnutls/gnutls.h>

#include "common/error.h"
#include "ca/issue/msext.h"
#include "policy/mspki.h"

/* CertificateTemplate; INTEGERs written from decimal text. */
int
msext_template(const char *oid, uint32_t major, uint32_t minor,
    unsigned char *out, size_t cap, size_t *len)
{
	char num[16];
	asn1_node n;
	int w;

	if (oid == NULL || *oid == '\0')
		return CA_EINVAL;
	if ((n = mspki_new("MS-PKI.CertificateTemplate")) == NULL)
		return CA_ENOMEM;
	w = asn1_write_value(n, "templateID", oid, 1);
	snprintf(num, sizeof(num), "%u", major);
	if (w == ASN1_SUCCESS)
		w = asn1_write_value(n, "templateMajorVersion", num, 0);
	snprintf(num, sizeof(num), "%u", minor);
	if (w == ASN1_SUCCESS)
		w = asn1_write_value(n, "templateMinorVersion", num, 0);
	return mspki_der(&n, w, out, cap, len);
}

/* UTF-8 to UTF-16BE for the Basic Multilingual Plane only. */
int
msext_template_v1(const char *name, unsigned char *out, size_t cap,
    size_t *len)
{
	unsigned char bmp[512];
	const unsigned char *p = (const unsigned char *)name;
	size_t o = 0;
	asn1_node n;
	unsigned cp;

	if (name == NULL || *name == '\0')
		return CA_EINVAL;
	while (*p != '\0') {
		if (*p < 0x80) {
			cp = *p++;
		} else if ((*p & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
			cp = (unsigned)(*p & 0x1f) << 6 | (p[1] & 0x3f);
			p += 2;
		} else if ((*p & 0xf0) == 0xe0 && (p[1] & 0xc0) == 0x80 &&
		    (p[2] & 0xc0) == 0x80) {
			cp = (unsigned)(*p & 0x0f) << 12 |
			    (unsigned)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
			p += 3;
		} else {
			return CA_EINVAL;
		}
		if (o + 2 > sizeof(bmp))
			return CA_ETOOBIG;
		bmp[o++] = (unsigned char)(cp >> 8);
		bmp[o++] = (unsigned char)cp;
	}
	if ((n = mspki_new("MS-PKI.TemplateNameV1")) == NULL)
		return CA_ENOMEM;
	return mspki_der(&n, asn1_write_value(n, "", bmp, (int)o), out, cap,
	    len);
}

/* One AppPolicyInformation per OID, in the template's order. */
int
msext_app_policies(const char *oids, size_t stride, size_t n_oids,
    unsigned char *out, size_t cap, size_t *len)
{
	asn1_node n;
	int w = ASN1_SUCCESS;

	if (n_oids == 0)
		return CA_EINVAL;
	if ((n = mspki_new("MS-PKI.ApplicationPolicies")) == NULL)
		return CA_ENOMEM;
	for (size_t i = 0; i < n_oids && w == ASN1_SUCCESS; i++) {
		w = asn1_write_value(n, "", "NEW", 1);
		if (w == ASN1_SUCCESS)
			w = asn1_write_value(n, "?LAST.policyIdentifier",
			    oids + i * stride, 1);
	}
	return mspki_der(&n, w, out, cap, len);
}

/* UTF8String TLV of the UPN. */
int
msext_upn(const char *upn, unsigned char *out, size_t cap, size_t *len)
{
	asn1_node n;

	if (upn == NULL || *upn == '\0')
		return CA_EINVAL;
	if ((n = mspki_new("MS-PKI.UserPrincipalName")) == NULL)
		return CA_ENOMEM;
	return mspki_der(&n, asn1_write_value(n, "", upn, (int)strlen(upn)),
	    out, cap, len);
}

/* Decode der as type name into a fresh element (*n), strict DER. */
static int
msext_decode(const char *name, const unsigned char *der, size_t len,
    asn1_node *n)
{
	int l = (int)len;

	if ((*n = mspki_new(name)) == NULL)
		return CA_ENOMEM;
	if (len == 0 || len > MSEXT_DER_MAX || asn1_der_decoding2(n, der, &l,
	    ASN1_DECODE_FLAG_STRICT_DER, NULL) != ASN1_SUCCESS ||
	    l != (int)len) {
		asn1_delete_structure(n);
		return CA_EPARSE;
	}
	return CA_OK;
}

/* An INTEGER field (big-endian two's complement) as a long; false if absent. */
static bool
msext_read_int(asn1_node n, const char *field, long *v)
{
	unsigned char b[8];
	int l = (int)sizeof(b);

	if (asn1_read_value(n, field, b, &l) != ASN1_SUCCESS || l <= 0)
		return false;
	*v = (b[0] & 0x80) ? -1 : 0;
	for (int i = 0; i < l; i++)
		*v = (long)((unsigned long)*v << 8 | b[i]);
	return true;
}

/* BMPString (UTF-16BE, BMP only) to UTF-8. */
int
msext_template_v1_parse(const unsigned char *der, size_t len, char *name,
    size_t namelen)
{
	unsigned char bmp[512];
	asn1_node n = NULL;
	int l = (int)sizeof(bmp), rc;
	size_t o = 0;

	if ((rc = msext_decode("MS-PKI.TemplateNameV1", der, len, &n)) != CA_OK)
		return rc;
	if (asn1_read_value(n, "", bmp, &l) != ASN1_SUCCESS || (l & 1)) {
		asn1_delete_structure(&n);
		return CA_EPARSE;
	}
	asn1_delete_structure(&n);
	for (int i = 0; i < l; i += 2) {
		unsigned cp = (unsigned)bmp[i] << 8 | bmp[i + 1];

		if (o + 4 > namelen)
			return CA_ETOOBIG;
		if (cp >= 0xd800 && cp <= 0xdfff)
			return CA_EPARSE;	/* surrogates: not the BMP */
		if (cp < 0x80) {
			name[o++] = (char)cp;
		} else if (cp < 0x800) {
			name[o++] = (char)(0xc0 | cp >> 6);
			name[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			name[o++] = (char)(0xe0 | cp >> 12);
			name[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			name[o++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	if (namelen == 0)
		return CA_ETOOBIG;
	name[o] = '\0';
	return CA_OK;
}

/* ApplicationPolicies back to the list of OIDs. */
int
msext_app_policies_parse(const unsigned char *der, size_t len,
    char (*oids)[MSEXT_OID_TEXT_MAX], size_t max, size_t *n_out)
{
	asn1_node n = NULL;
	char field[64];
	int count = 0, rc;

	*n_out = 0;
	if ((rc = msext_decode("MS-PKI.ApplicationPolicies", der, len, &n)) != CA_OK)
		return rc;
	if (asn1_number_of_elements(n, "", &count) != ASN1_SUCCESS || count < 1)
		rc = CA_EPARSE;
	for (int i = 0; rc == CA_OK && i < count; i++) {
		int l = MSEXT_OID_TEXT_MAX;

		if ((size_t)i >= max) {
			rc = CA_ETOOBIG;
			break;
		}
		snprintf(field, sizeof(field), "?%d.policyIdentifier", i + 1);
		if (asn1_read_value(n, field, oids[i], &l) != ASN1_SUCCESS)
			rc = CA_EPARSE;
		else
			*n_out = (size_t)i + 1;
	}
	asn1_delete_structure(&n);
	return rc;
}

/* CAVersion: key index << 16 | certificate index, as AD CS writes it. */
int
msext_ca_version(unsigned cert_index, unsigned key_index, unsigned char *out,
    size_t cap, size_t *len)
{
	char num[16];
	asn1_node n;

	if (cert_index > 0xffff || key_index > 0xffff)
		return CA_EINVAL;
	if ((n = mspki_new("MS-PKI.CAVersion")) == NULL)
		return CA_ENOMEM;
	snprintf(num, sizeof(num), "%lu", (unsigned long)key_index << 16 |
	    cert_index);
	return mspki_der(&n, asn1_write_value(n, "", num, 0), out, cap, len);
}

/* CAVersion back into its two indexes. */
int
msext_ca_version_parse(const unsigned char *der, size_t len,
    unsigned *cert_index, unsigned *key_index)
{
	asn1_node n = NULL;
	long v;
	int rc;

	if ((rc = msext_decode("MS-PKI.CAVersion", der, len, &n)) != CA_OK)
		return rc;
	if (!msext_read_int(n, "", &v) || v < 0 || v > 0xffffffffL)
		rc = CA_EPARSE;
	else {
		*cert_index = (unsigned)(v & 0xffff);
		*key_index = (unsigned)((unsigned long)v >> 16);
	}
	asn1_delete_structure(&n);
	return rc;
}

/* PreviousCAHash as an OCTET STRING. */
int
msext_prev_ca_hash(const unsigned char *hash, size_t hlen, unsigned char *out,
    size_t cap, size_t *len)
{
	asn1_node n;

	if (hlen == 0 || hlen > 64)
		return CA_EINVAL;
	if ((n = mspki_new("MS-PKI.PreviousCAHash")) == NULL)
		return CA_ENOMEM;
	return mspki_der(&n, asn1_write_value(n, "", hash, (int)hlen), out, cap,
	    len);
}

/* PreviousCAHash back into hash. */
int
msext_prev_ca_hash_parse(const unsigned char *der, size_t len,
    unsigned char *hash, size_t cap, size_t *hlen)
{
	asn1_node n = NULL;
	int l = (int)cap, rc;

	if ((rc = msext_decode("MS-PKI.PreviousCAHash", der, len, &n)) != CA_OK)
		return rc;
	if (asn1_read_value(n, "", hash, &l) != ASN1_SUCCESS)
		rc = CA_ETOOBIG;
	else
		*hlen = (size_t)l;
	asn1_delete_structure(&n);
	return rc;
}

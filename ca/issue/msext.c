/*
 * libtasn1 encoders for the Microsoft extensions (msext.h), built on the
 * definitions policy/mspki.c parses once from policy/ms-pki.asn (where the
 * SID extension codec also lives, shared with policy/ and ldap/). Each call
 * creates its own element, so calls from several workers at once are safe.
 */
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

/* ContentInfo { signedData, SignedData { 1, {}, { id-data }, certs, {} } }. */
int
msext_certs_only(const gnutls_datum_t *certs, size_t n, unsigned char **out,
    size_t *out_len)
{
	asn1_node node;
	unsigned char *buf = NULL;
	int w, l = 0, rc;

	if (n == 0)
		return CA_EINVAL;
	if ((node = mspki_new("MS-PKI.CertsOnlyContentInfo")) == NULL)
		return CA_ENOMEM;
	w = asn1_write_value(node, "contentType", "1.2.840.113549.1.7.2", 1);
	if (w == ASN1_SUCCESS)
		w = asn1_write_value(node, "content.version", "1", 0);
	if (w == ASN1_SUCCESS)
		w = asn1_write_value(node, "content.encapContentInfo.eContentType",
		    "1.2.840.113549.1.7.1", 1);
	if (w == ASN1_SUCCESS)
		w = asn1_write_value(node, "content.encapContentInfo.eContent",
		    NULL, 0);
	for (size_t i = 0; i < n && w == ASN1_SUCCESS; i++) {
		if (certs[i].size == 0 || certs[i].size > INT32_MAX) {
			w = ASN1_VALUE_NOT_VALID;
			break;
		}
		w = asn1_write_value(node, "content.certificates", "NEW", 1);
		if (w == ASN1_SUCCESS)
			w = asn1_write_value(node, "content.certificates.?LAST",
			    certs[i].data, (int)certs[i].size);
	}
	if (w != ASN1_SUCCESS) {
		rc = w == ASN1_MEM_ERROR ? CA_ENOMEM : CA_EINVAL;
		goto out;
	}
	/* First call sizes the encoding, the second writes it. */
	rc = asn1_der_coding(node, "", NULL, &l, NULL);
	if (rc != ASN1_MEM_ERROR || l <= 0) {
		rc = CA_EINVAL;
		goto out;
	}
	if ((buf = gnutls_malloc((size_t)l)) == NULL) {
		rc = CA_ENOMEM;
		goto out;
	}
	if (asn1_der_coding(node, "", buf, &l, NULL) != ASN1_SUCCESS) {
		gnutls_free(buf);
		rc = CA_EINVAL;
		goto out;
	}
	*out = buf;
	*out_len = (size_t)l;
	rc = CA_OK;
out:
	asn1_delete_structure(&node);
	return rc;
}

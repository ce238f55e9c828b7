/*
 * libtasn1 encoders for the Microsoft extensions (msext.h). The definitions
 * from ms-pki.asn are parsed once; each call creates its own element, so
 * calls from several workers at once are safe.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libtasn1.h>
#include <gnutls/gnutls.h>

#include "common/error.h"
#include "ca/issue/msext.h"
#include "ca/issue/ms-pki.asn.h"

static asn1_node msext_defs;
static int msext_defs_rc = CA_OK;
static pthread_once_t msext_once = PTHREAD_ONCE_INIT;

/* Parse ms_pki_asn1_tab once for the life of the process. */
static void
msext_init(void)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE];

	if (asn1_array2tree(ms_pki_asn1_tab, &msext_defs, err) != ASN1_SUCCESS)
		msext_defs_rc = CA_EINVAL;
}

/* A fresh element of type name ("MS-PKI.X"), or NULL. */
static asn1_node
msext_new(const char *name)
{
	asn1_node n = NULL;

	pthread_once(&msext_once, msext_init);
	if (msext_defs_rc != CA_OK)
		return NULL;
	if (asn1_create_element(msext_defs, name, &n) != ASN1_SUCCESS)
		return NULL;
	return n;
}

/* DER-encode n into out and free it; translate libtasn1 codes once. */
static int
msext_der(asn1_node *n, int wrc, unsigned char *out, size_t cap,
    size_t *len)
{
	int l = cap > (size_t)MSEXT_DER_MAX ? MSEXT_DER_MAX : (int)cap;
	int rc;

	if (wrc != ASN1_SUCCESS) {
		asn1_delete_structure(n);
		return wrc == ASN1_MEM_ERROR ? CA_ENOMEM : CA_EINVAL;
	}
	rc = asn1_der_coding(*n, "", out, &l, NULL);
	asn1_delete_structure(n);
	if (rc == ASN1_MEM_ERROR)
		return CA_ETOOBIG;
	if (rc != ASN1_SUCCESS)
		return CA_EINVAL;
	*len = (size_t)l;
	return CA_OK;
}

/* GeneralNames { [0] { 1.3.6.1.4.1.311.25.2.1, [0] { OCTET STRING } } }. */
int
msext_sid(const char *sid, unsigned char *out, size_t cap, size_t *len)
{
	asn1_node n;
	int w;

	if (sid == NULL || strncmp(sid, "S-1-", 4) != 0 || strlen(sid) > 256)
		return CA_EINVAL;
	if ((n = msext_new("MS-PKI.SidExtValue")) == NULL)
		return CA_ENOMEM;
	w = asn1_write_value(n, "", "NEW", 1);
	if (w == ASN1_SUCCESS)
		w = asn1_write_value(n, "?LAST", "otherName", 1);
	if (w == ASN1_SUCCESS)
		w = asn1_write_value(n, "?LAST.otherName.type-id",
		    MSEXT_OID_SID_OTHER, 1);
	if (w == ASN1_SUCCESS)
		w = asn1_write_value(n, "?LAST.otherName.value", sid,
		    (int)strlen(sid));
	return msext_der(&n, w, out, cap, len);
}

/* Decode with the same definition and check the otherName type. */
int
msext_sid_parse(const unsigned char *der, size_t len, char *sid,
    size_t sidlen)
{
	char oid[128];
	asn1_node n;
	int l = (int)sizeof(oid), rc = CA_EPARSE, count = 0;

	if ((n = msext_new("MS-PKI.SidExtValue")) == NULL)
		return CA_ENOMEM;
	if (len > MSEXT_DER_MAX ||
	    asn1_der_decoding2(&n, der, &(int){ (int)len },
	    ASN1_DECODE_FLAG_STRICT_DER, NULL) != ASN1_SUCCESS ||
	    asn1_number_of_elements(n, "", &count) != ASN1_SUCCESS ||
	    count != 1 ||
	    asn1_read_value(n, "?1.otherName.type-id", oid, &l) !=
	    ASN1_SUCCESS || strcmp(oid, MSEXT_OID_SID_OTHER) != 0)
		goto out;
	l = (int)sidlen - 1;
	if (sidlen == 0 || asn1_read_value(n, "?1.otherName.value", sid, &l) !=
	    ASN1_SUCCESS)
		goto out;
	sid[l] = '\0';
	rc = CA_OK;
out:
	asn1_delete_structure(&n);
	return rc;
}

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
	if ((n = msext_new("MS-PKI.CertificateTemplate")) == NULL)
		return CA_ENOMEM;
	w = asn1_write_value(n, "templateID", oid, 1);
	snprintf(num, sizeof(num), "%u", major);
	if (w == ASN1_SUCCESS)
		w = asn1_write_value(n, "templateMajorVersion", num, 0);
	snprintf(num, sizeof(num), "%u", minor);
	if (w == ASN1_SUCCESS)
		w = asn1_write_value(n, "templateMinorVersion", num, 0);
	return msext_der(&n, w, out, cap, len);
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
	if ((n = msext_new("MS-PKI.TemplateNameV1")) == NULL)
		return CA_ENOMEM;
	return msext_der(&n, asn1_write_value(n, "", bmp, (int)o), out, cap,
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
	if ((n = msext_new("MS-PKI.ApplicationPolicies")) == NULL)
		return CA_ENOMEM;
	for (size_t i = 0; i < n_oids && w == ASN1_SUCCESS; i++) {
		w = asn1_write_value(n, "", "NEW", 1);
		if (w == ASN1_SUCCESS)
			w = asn1_write_value(n, "?LAST.policyIdentifier",
			    oids + i * stride, 1);
	}
	return msext_der(&n, w, out, cap, len);
}

/* UTF8String TLV of the UPN. */
int
msext_upn(const char *upn, unsigned char *out, size_t cap, size_t *len)
{
	asn1_node n;

	if (upn == NULL || *upn == '\0')
		return CA_EINVAL;
	if ((n = msext_new("MS-PKI.UserPrincipalName")) == NULL)
		return CA_ENOMEM;
	return msext_der(&n, asn1_write_value(n, "", upn, (int)strlen(upn)),
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
	if ((node = msext_new("MS-PKI.CertsOnlyContentInfo")) == NULL)
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

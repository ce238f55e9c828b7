/*
 * libtasn1 definitions of policy/ms-pki.asn and the SID extension codec
 * (mspki.h). Each call creates its own element, so calls from several
 * workers at once are safe.
 */
#include <pthread.h>
#include <string.h>

#include <libtasn1.h>

#include "common/error.h"
#include "policy/mspki.h"
#include "policy/ms-pki.asn.h"

static asn1_node mspki_defs;
static int mspki_defs_rc = CA_OK;
static pthread_once_t mspki_once = PTHREAD_ONCE_INIT;

/* Parse ms_pki_asn1_tab once for the life of the process. */
static void
mspki_init(void)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE];

	if (asn1_array2tree(ms_pki_asn1_tab, &mspki_defs, err) != ASN1_SUCCESS)
		mspki_defs_rc = CA_EINVAL;
}

/* A fresh element of the named type; NULL on failure. */
asn1_node
mspki_new(const char *name)
{
	asn1_node n = NULL;

	pthread_once(&mspki_once, mspki_init);
	if (mspki_defs_rc != CA_OK)
		return NULL;
	if (asn1_create_element(mspki_defs, name, &n) != ASN1_SUCCESS)
		return NULL;
	return n;
}

/* Encode and free; libtasn1 codes are translated here, once. */
int
mspki_der(asn1_node *n, int wrc, unsigned char *out, size_t cap,
    size_t *len)
{
	int l = cap > (size_t)MSPKI_DER_MAX ? MSPKI_DER_MAX : (int)cap;
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
mspki_sid_encode(const char *sid, unsigned char *out, size_t cap,
    size_t *len)
{
	asn1_node n;
	int w;

	if (sid == NULL || strncmp(sid, "S-1-", 4) != 0 ||
	    strlen(sid) > MSPKI_SID_TEXT_MAX)
		return CA_EINVAL;
	if ((n = mspki_new("MS-PKI.SidExtValue")) == NULL)
		return CA_ENOMEM;
	w = asn1_write_value(n, "", "NEW", 1);
	if (w == ASN1_SUCCESS)
		w = asn1_write_value(n, "?LAST", "otherName", 1);
	if (w == ASN1_SUCCESS)
		w = asn1_write_value(n, "?LAST.otherName.type-id",
		    MSPKI_OID_SID_OTHER, 1);
	if (w == ASN1_SUCCESS)
		w = asn1_write_value(n, "?LAST.otherName.value", sid,
		    (int)strlen(sid));
	return mspki_der(&n, w, out, cap, len);
}

/* Decode with the definition the encoder uses; check what it cannot. */
int
mspki_sid_parse(const unsigned char *der, size_t len, char *sid,
    size_t sidlen)
{
	char oid[128];
	asn1_node n;
	int l = (int)sizeof(oid), rc = CA_EPARSE, count = 0, dlen;

	if (sidlen < 2)
		return CA_EPARSE;
	sid[0] = '\0';
	if (len == 0 || len > MSPKI_DER_MAX)
		return CA_EPARSE;
	if ((n = mspki_new("MS-PKI.SidExtValue")) == NULL)
		return CA_ENOMEM;
	dlen = (int)len;
	/* STRICT_DER: definite minimal lengths, and the whole input used. */
	if (asn1_der_decoding2(&n, der, &dlen, ASN1_DECODE_FLAG_STRICT_DER,
	    NULL) != ASN1_SUCCESS || dlen != (int)len ||
	    asn1_number_of_elements(n, "", &count) != ASN1_SUCCESS ||
	    count != 1 ||
	    asn1_read_value(n, "?1.otherName.type-id", oid, &l) !=
	    ASN1_SUCCESS || strcmp(oid, MSPKI_OID_SID_OTHER) != 0)
		goto out;
	l = (int)sidlen - 1;
	if (asn1_read_value(n, "?1.otherName.value", sid, &l) != ASN1_SUCCESS ||
	    l <= 0 || memchr(sid, '\0', (size_t)l) != NULL) {
		sid[0] = '\0';
		goto out;
	}
	sid[l] = '\0';
	rc = CA_OK;
out:
	asn1_delete_structure(&n);
	return rc;
}

/* A non-negative INTEGER of at most 32 bits; absent reads as 0. */
static int
mspki_read_u32(asn1_node n, const char *name, uint32_t *v)
{
	unsigned char b[8];
	int l = (int)sizeof(b), rc;

	*v = 0;
	rc = asn1_read_value(n, name, b, &l);
	if (rc == ASN1_ELEMENT_NOT_FOUND || rc == ASN1_VALUE_NOT_FOUND)
		return CA_OK;
	/* Two's complement: a set top bit is negative; 5 octets need a 0 lead. */
	if (rc != ASN1_SUCCESS || l <= 0 || l > 5 || (b[0] & 0x80) ||
	    (l == 5 && b[0] != 0))
		return CA_EPARSE;
	for (int k = 0; k < l; k++)
		*v = *v << 8 | b[k];
	return CA_OK;
}

/* Decode, then read the three fields; nothing is written on failure. */
int
mspki_template_parse(const unsigned char *der, size_t len, char *oid,
    size_t oidlen, uint32_t *major, uint32_t *minor)
{
	char id[128];
	uint32_t ma, mi;
	asn1_node n;
	int l = (int)sizeof(id), rc = CA_EPARSE, dlen;

	if (len == 0 || len > MSPKI_DER_MAX)
		return CA_EPARSE;
	if ((n = mspki_new("MS-PKI.CertificateTemplate")) == NULL)
		return CA_ENOMEM;
	dlen = (int)len;
	if (asn1_der_decoding2(&n, der, &dlen, ASN1_DECODE_FLAG_STRICT_DER,
	    NULL) != ASN1_SUCCESS || dlen != (int)len ||
	    asn1_read_value(n, "templateID", id, &l) != ASN1_SUCCESS ||
	    (size_t)l >= oidlen || strlen(id) >= oidlen ||
	    mspki_read_u32(n, "templateMajorVersion", &ma) != CA_OK ||
	    mspki_read_u32(n, "templateMinorVersion", &mi) != CA_OK)
		goto out;
	memcpy(oid, id, strlen(id) + 1);
	*major = ma;
	*minor = mi;
	rc = CA_OK;
out:
	asn1_delete_structure(&n);
	return rc;
}

/*
 * pkiMessage parsing and building (see scep_msg.h) on GnuTLS's PKCS#7:
 * gnutls_pkcs7_get_signature_info and gnutls_pkcs7_get_attr read the
 * signed attributes, gnutls_pkcs7_verify_direct checks the signature with
 * the certificate the message carries, gnutls_pkcs7_sign builds replies.
 * Attribute values are simple DER types, wrapped and unwrapped with
 * libtasn1's asn1_encode/decode_simple_der. Any thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/pkcs7.h>
#include <libtasn1.h>

#include "common/error.h"
#include "ca/scep/scep_cms.h"
#include "ca/scep/scep_msg.h"

/* RFC 8894 §3.2.1 attribute OIDs (id-VeriSign 1.2.840.113549... 9.x). */
#define OID_MESSAGE_TYPE "2.16.840.1.113733.1.9.2"
#define OID_PKI_STATUS "2.16.840.1.113733.1.9.3"
#define OID_FAIL_INFO "2.16.840.1.113733.1.9.4"
#define OID_SENDER_NONCE "2.16.840.1.113733.1.9.5"
#define OID_RECIPIENT_NONCE "2.16.840.1.113733.1.9.6"
#define OID_TRANSACTION_ID "2.16.840.1.113733.1.9.7"
#define OID_FAIL_INFO_TEXT "1.3.6.1.5.5.7.24.1"

#define SCEP_ATTRS_READ_MAX 32		/* signed attributes we look at */

const char *const scep_fail_names[SCEP_FAIL_COUNT] = {
	"badAlg", "badMessageCheck", "badRequest", "badTime", "badCertId",
};

/* The value of a string attribute (PrintableString, UTF8String...). */
static bool
attr_string(const gnutls_datum_t *v, char *out, size_t cap)
{
	static const unsigned types[] = { ASN1_ETYPE_PRINTABLE_STRING,
	    ASN1_ETYPE_UTF8_STRING, ASN1_ETYPE_IA5_STRING, ASN1_ETYPE_OCTET_STRING };
	const unsigned char *p;
	unsigned n;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (asn1_decode_simple_der(types[i], v->data, v->size, &p, &n) != ASN1_SUCCESS)
			continue;
		if (n == 0 || n >= cap || memchr(p, '\0', n) != NULL)
			return false;
		memcpy(out, p, n);
		out[n] = '\0';
		return true;
	}
	return false;
}

/* A small decimal string attribute (messageType, pkiStatus, failInfo). */
static bool
attr_number(const gnutls_datum_t *v, int *out)
{
	char s[12], *end;
	long n;

	if (!attr_string(v, s, sizeof(s)))
		return false;
	n = strtol(s, &end, 10);
	if (*end != '\0' || end == s || n < 0 || n > 9999)
		return false;
	*out = (int)n;
	return true;
}

/* A nonce: an OCTET STRING of exactly SCEP_NONCE_LEN bytes. */
static bool
attr_nonce(const gnutls_datum_t *v, unsigned char *out)
{
	const unsigned char *p;
	unsigned n;

	if (asn1_decode_simple_der(ASN1_ETYPE_OCTET_STRING, v->data, v->size, &p, &n) !=
	    ASN1_SUCCESS || n != SCEP_NONCE_LEN)
		return false;
	memcpy(out, p, n);
	return true;
}

/* Read the SCEP attributes of one signer into m. */
static int
msg_attrs(gnutls_pkcs7_attrs_t attrs, struct scep_msg *m, char *why, size_t whylen)
{
	bool have_type = false;

	for (unsigned i = 0; i < SCEP_ATTRS_READ_MAX; i++) {
		char *oid = NULL;
		gnutls_datum_t v = { NULL, 0 };
		bool ok = true;

		if (gnutls_pkcs7_get_attr(attrs, i, &oid, &v, 0) < 0)
			break;
		if (strcmp(oid, OID_MESSAGE_TYPE) == 0)
			ok = have_type = attr_number(&v, &m->type);
		else if (strcmp(oid, OID_TRANSACTION_ID) == 0)
			ok = attr_string(&v, m->txid, sizeof(m->txid));
		else if (strcmp(oid, OID_SENDER_NONCE) == 0)
			ok = m->have_sender_nonce = attr_nonce(&v, m->sender_nonce);
		else if (strcmp(oid, OID_RECIPIENT_NONCE) == 0)
			ok = m->have_recipient_nonce = attr_nonce(&v, m->recipient_nonce);
		else if (strcmp(oid, OID_PKI_STATUS) == 0)
			ok = attr_number(&v, &m->status);
		else if (strcmp(oid, OID_FAIL_INFO) == 0)
			ok = attr_number(&v, &m->fail_info);
		else if (strcmp(oid, OID_FAIL_INFO_TEXT) == 0)
			attr_string(&v, m->fail_text, sizeof(m->fail_text));
		gnutls_free(v.data);
		/* The OID is the list's own (read only). */
		if (!ok)
			return ca_why(why, whylen, CA_EPARSE, "pkiMessage: signed "
			    "attribute %s is malformed (RFC 8894 §3.2.1)", oid);
	}
	if (!have_type || m->txid[0] == '\0')
		return ca_why(why, whylen, CA_EPARSE, "pkiMessage: %s attribute is "
		    "missing (RFC 8894 §3.2.1)", !have_type ? "messageType" : "transactionID");
	return CA_OK;
}

/* Is crt the signer named by info (issuer and serial)? */
static bool
is_signer(gnutls_x509_crt_t crt, const gnutls_pkcs7_signature_info_st *info)
{
	unsigned char sn[SCEP_SERIAL_MAX];
	size_t snlen = sizeof(sn);
	gnutls_datum_t iss = { NULL, 0 };
	bool ok;

	if (info->signer_serial.size == 0)
		return true;	/* named by key id: the only certificate */
	if (gnutls_x509_crt_get_serial(crt, sn, &snlen) < 0 ||
	    gnutls_x509_crt_get_raw_issuer_dn(crt, &iss) < 0)
		return false;
	ok = snlen == info->signer_serial.size &&
	    memcmp(sn, info->signer_serial.data, snlen) == 0 &&
	    (info->issuer_dn.size == 0 || (iss.size == info->issuer_dn.size &&
	    memcmp(iss.data, info->issuer_dn.data, iss.size) == 0));
	gnutls_free(iss.data);
	return ok;
}

/* Parse and verify a pkiMessage; see scep_msg.h. */
int
scep_msg_parse(const unsigned char *der, size_t len, bool allow_sha1,
    struct scep_msg *m, char *why, size_t whylen)
{
	gnutls_pkcs7_t p7 = NULL;
	gnutls_pkcs7_signature_info_st info;
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len }, content = { NULL, 0 };
	gnutls_x509_crt_t crt = NULL;
	int rc, r, n;

	memset(m, 0, sizeof(*m));
	memset(&info, 0, sizeof(info));
	m->status = m->fail_info = -1;
	m->type = -1;
	if (len == 0 || len > SCEP_CMS_MAX)
		return ca_why(why, whylen, CA_EPARSE, "pkiMessage: %s",
		    len == 0 ? "empty" : "too big");
	if (gnutls_pkcs7_init(&p7) < 0)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	r = gnutls_pkcs7_import(p7, &d, GNUTLS_X509_FMT_DER);
	if (r < 0) {
		rc = ca_why(why, whylen, CA_EPARSE, "pkiMessage: not a CMS SignedData: %s",
		    gnutls_strerror(r));
		goto out;
	}
	if (gnutls_pkcs7_get_signature_count(p7) != 1) {
		rc = ca_why(why, whylen, CA_EPARSE, "pkiMessage: expected one signer, "
		    "found %d", gnutls_pkcs7_get_signature_count(p7));
		goto out;
	}
	r = gnutls_pkcs7_get_signature_info(p7, 0, &info);
	if (r < 0) {
		rc = ca_why(why, whylen, CA_EPARSE, "pkiMessage: signer info: %s",
		    gnutls_strerror(r));
		goto out;
	}
	rc = msg_attrs(info.signed_attrs, m, why, whylen);
	if (rc != CA_OK)
		goto out;
	m->digest = gnutls_sign_get_hash_algorithm(info.algo);
	m->signing_time = info.signing_time > 0 ? (int64_t)info.signing_time : 0;
	if (m->digest != GNUTLS_DIG_SHA256 && m->digest != GNUTLS_DIG_SHA384 &&
	    m->digest != GNUTLS_DIG_SHA512 &&
	    !(allow_sha1 && m->digest == GNUTLS_DIG_SHA1)) {
		rc = ca_why(why, whylen, CA_EPOLICY, "pkiMessage: signature algorithm "
		    "%s is not accepted (GetCACaps: SHA-256, SHA-512)",
		    gnutls_sign_get_name(info.algo) ? gnutls_sign_get_name(info.algo) : "unknown");
		goto out;
	}
	n = gnutls_pkcs7_get_crt_count(p7);
	for (int i = 0; i < n && crt == NULL; i++) {
		gnutls_datum_t raw = { NULL, 0 };

		if (gnutls_pkcs7_get_crt_raw2(p7, (unsigned)i, &raw) < 0)
			continue;
		if (gnutls_x509_crt_init(&crt) < 0 ||
		    gnutls_x509_crt_import(crt, &raw, GNUTLS_X509_FMT_DER) < 0 ||
		    !is_signer(crt, &info)) {
			gnutls_x509_crt_deinit(crt);
			crt = NULL;
		}
		gnutls_free(raw.data);
	}
	if (crt == NULL) {
		rc = ca_why(why, whylen, CA_EPARSE, "pkiMessage: the signer's "
		    "certificate is not in the message (RFC 8894 §3.2)");
		goto out;
	}
	{
		/* No content (FAILURE, PENDING): the signature covers nothing. */
		static unsigned char none[1];
		gnutls_datum_t empty = { none, 0 }, probe = { NULL, 0 };
		bool embedded = gnutls_pkcs7_get_embedded_data(p7, 0, &probe) >= 0;

		gnutls_free(probe.data);
		r = gnutls_pkcs7_verify_direct(p7, crt, 0, embedded ? NULL : &empty,
		    m->digest == GNUTLS_DIG_SHA1 ? GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 : 0);
	}
	if (r < 0) {
		rc = ca_why(why, whylen, CA_ECRYPTO, "pkiMessage: the signature does "
		    "not verify with the signer's certificate: %s", gnutls_strerror(r));
		gnutls_x509_crt_deinit(crt);
		goto out;
	}
	m->signer = crt;
	if (gnutls_pkcs7_get_embedded_data_oid(p7) != NULL &&
	    strcmp(gnutls_pkcs7_get_embedded_data_oid(p7), SCEP_OID_DATA) != 0) {
		rc = ca_why(why, whylen, CA_EPARSE, "pkiMessage: content type is not id-data");
		goto out;
	}
	r = gnutls_pkcs7_get_embedded_data(p7, 0, &content);
	if (r >= 0 && content.size > 0) {
		m->content = malloc(content.size);
		if (m->content == NULL) {
			rc = ca_why(why, whylen, CA_ENOMEM, "out of memory");
			goto out;
		}
		memcpy(m->content, content.data, content.size);
		m->content_len = content.size;
	}
	rc = CA_OK;
out:
	gnutls_free(content.data);
	gnutls_pkcs7_signature_info_deinit(&info);
	gnutls_pkcs7_deinit(p7);
	return rc;
}

/* Room for the DER of one attribute value. */
#define SCEP_ATTR_DER_MAX (SCEP_FAIL_TEXT_MAX + ASN1_MAX_TL_SIZE)

/* The DER values of a message's attributes, built before signing. */
struct attr_set {
	struct scep_attr a[SCEP_ATTRS_MAX];
	unsigned char der[SCEP_ATTRS_MAX][SCEP_ATTR_DER_MAX];
	size_t n;
};

/* Add one attribute of a simple type (PrintableString, OCTET STRING...). */
static bool
attr_add(struct attr_set *s, const char *oid, unsigned etype,
    const void *v, size_t len)
{
	unsigned char tl[ASN1_MAX_TL_SIZE];
	unsigned tl_len = sizeof(tl);

	if (s->n >= SCEP_ATTRS_MAX || len + ASN1_MAX_TL_SIZE > SCEP_ATTR_DER_MAX ||
	    asn1_encode_simple_der(etype, v, (unsigned)len, tl, &tl_len) != ASN1_SUCCESS)
		return false;
	memcpy(s->der[s->n], tl, tl_len);
	memcpy(s->der[s->n] + tl_len, v, len);
	s->a[s->n].oid = oid;
	s->a[s->n].der = s->der[s->n];
	s->a[s->n].len = tl_len + len;
	s->n++;
	return true;
}

/* A decimal number as a PrintableString attribute. */
static bool
attr_add_number(struct attr_set *s, const char *oid, int v)
{
	char num[12];

	snprintf(num, sizeof(num), "%d", v);
	return attr_add(s, oid, ASN1_ETYPE_PRINTABLE_STRING, num, strlen(num));
}

/* Build and sign a pkiMessage; see scep_msg.h. */
int
scep_msg_build(const struct scep_msg *m, const unsigned char *content,
    size_t content_len, gnutls_x509_crt_t cert, gnutls_privkey_t key,
    gnutls_digest_algorithm_t dig, unsigned char **out, size_t *outlen,
    char *why, size_t whylen)
{
	static struct attr_set zero;
	struct attr_set *as = malloc(sizeof(*as));
	gnutls_pkcs7_t p7 = NULL;
	gnutls_pkcs7_attrs_t attrs = NULL;
	gnutls_datum_t data = { (unsigned char *)content, (unsigned)content_len },
	    der = { NULL, 0 };
	bool ok;
	int r = 0, rc;

	*out = NULL;
	if (as == NULL)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	*as = zero;
	ok = attr_add_number(as, OID_MESSAGE_TYPE, m->type) &&
	    attr_add(as, OID_TRANSACTION_ID, ASN1_ETYPE_PRINTABLE_STRING, m->txid,
	    strlen(m->txid));
	if (ok && m->have_sender_nonce)
		ok = attr_add(as, OID_SENDER_NONCE, ASN1_ETYPE_OCTET_STRING,
		    m->sender_nonce, SCEP_NONCE_LEN);
	if (ok && m->have_recipient_nonce)
		ok = attr_add(as, OID_RECIPIENT_NONCE, ASN1_ETYPE_OCTET_STRING,
		    m->recipient_nonce, SCEP_NONCE_LEN);
	if (ok && m->status >= 0)
		ok = attr_add_number(as, OID_PKI_STATUS, m->status);
	if (ok && m->fail_info >= 0)
		ok = attr_add_number(as, OID_FAIL_INFO, m->fail_info);
	/* RFC 8894 §3.2.1.4.1: failInfoText says why in words. */
	if (ok && m->fail_info >= 0 && m->fail_text[0] != '\0')
		ok = attr_add(as, OID_FAIL_INFO_TEXT, ASN1_ETYPE_UTF8_STRING, m->fail_text,
		    strnlen(m->fail_text, SCEP_FAIL_TEXT_MAX - 1));
	if (!ok) {
		rc = ca_why(why, whylen, CA_EINVAL, "pkiMessage attributes: a value "
		    "is too long");
		goto out;
	}
	/* PENDING and FAILURE carry no content (§3.3.2), which GnuTLS cannot sign. */
	if (content_len == 0) {
		rc = scep_cms_sign_empty(as->a, as->n, cert, key, dig, out, outlen, why,
		    whylen);
		goto out;
	}
	for (size_t i = 0; i < as->n && r >= 0; i++) {
		gnutls_datum_t v = { (unsigned char *)as->a[i].der, (unsigned)as->a[i].len };

		r = gnutls_pkcs7_add_attr(&attrs, as->a[i].oid, &v, 0);
	}
	if (r >= 0)
		r = gnutls_pkcs7_init(&p7);
	if (r >= 0)
		r = gnutls_pkcs7_sign(p7, cert, key, &data, attrs, NULL, dig,
		    GNUTLS_PKCS7_INCLUDE_TIME | GNUTLS_PKCS7_INCLUDE_CERT |
		    GNUTLS_PKCS7_EMBED_DATA);
	if (r >= 0)
		r = gnutls_pkcs7_export2(p7, GNUTLS_X509_FMT_DER, &der);
	if (r < 0) {
		rc = ca_why(why, whylen, r == GNUTLS_E_PK_SIGN_FAILED ? CA_EUNAVAIL :
		    CA_ECRYPTO, "pkiMessage signing: %s", gnutls_strerror(r));
		goto out;
	}
	*out = malloc(der.size);
	if (*out == NULL) {
		rc = ca_why(why, whylen, CA_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(*out, der.data, der.size);
	*outlen = der.size;
	rc = CA_OK;
out:
	free(as);
	gnutls_free(der.data);
	gnutls_pkcs7_attrs_deinit(attrs);
	gnutls_pkcs7_deinit(p7);
	return rc;
}

/* Free a parsed message's certificate and content. */
void
scep_msg_clear(struct scep_msg *m)
{
	if (m == NULL)
		return;
	if (m->signer != NULL)
		gnutls_x509_crt_deinit(m->signer);
	m->signer = NULL;
	if (m->content != NULL) {
		gnutls_memset(m->content, 0, m->content_len);
		free(m->content);
	}
	m->content = NULL;
	m->content_len = 0;
}

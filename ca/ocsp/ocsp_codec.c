/*
 * OCSP request parsing and response encoding with libtasn1 (see
 * ocsp_codec.h). Any thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <libtasn1.h>

#include "common/error.h"
#include "ca/ocsp/ocsp_codec.h"
#include "ca/ocsp/ocsp.asn.h"

#define OID_OCSP_BASIC "1.3.6.1.5.5.7.48.1.1"
#define OID_OCSP_NONCE "1.3.6.1.5.5.7.48.1.2"
#define OCSP_PATH_MAX 96	/* libtasn1 element names we build */

static asn1_node ocsp_defs;
static int ocsp_defs_rc = ASN1_SUCCESS;
static pthread_once_t ocsp_defs_once = PTHREAD_ONCE_INIT;

/* Parse ocsp_asn1_tab once for the life of the process. */
static void
ocsp_defs_init(void)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE];

	ocsp_defs_rc = asn1_array2tree(ocsp_asn1_tab, &ocsp_defs, err);
}

/* A new empty node of type name ("OCSP.CertID"), or NULL. */
static asn1_node
ocsp_node(const char *name)
{
	asn1_node n = NULL;

	pthread_once(&ocsp_defs_once, ocsp_defs_init);
	if (ocsp_defs_rc != ASN1_SUCCESS ||
	    asn1_create_element(ocsp_defs, name, &n) != ASN1_SUCCESS)
		return NULL;
	return n;
}

/*
 * DER of node n, which the writes before gave the libtasn1 result wrc,
 * into a malloc'd buffer; CA_OK or CA_ECRYPTO naming what failed.
 */
static int
ocsp_der(asn1_node n, int wrc, unsigned char **out, size_t *outlen,
    char *why, size_t whylen, const char *what)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE] = "";
	int l = 0;

	*out = NULL;
	if (wrc != ASN1_SUCCESS)
		return ca_why(why, whylen, CA_ECRYPTO, "OCSP: cannot build %s: %s",
		    what, asn1_strerror(wrc));
	if (asn1_der_coding(n, "", NULL, &l, err) != ASN1_MEM_ERROR || l <= 0)
		return ca_why(why, whylen, CA_ECRYPTO, "OCSP: cannot encode %s: %s",
		    what, err);
	if ((*out = malloc((size_t)l)) == NULL)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	if (asn1_der_coding(n, "", *out, &l, err) != ASN1_SUCCESS) {
		free(*out);
		*out = NULL;
		return ca_why(why, whylen, CA_ECRYPTO, "OCSP: cannot encode %s: %s",
		    what, err);
	}
	*outlen = (size_t)l;
	return CA_OK;
}

/* OCSPResponseStatus's wire values and names (§4.2.1), by enum. */
static const struct {
	unsigned char value;
	const char *name;
} resp_statuses[OCSP_RESP_COUNT] = {
	{ 0, "successful" }, { 1, "malformedRequest" }, { 2, "internalError" },
	{ 3, "tryLater" }, { 5, "sigRequired" }, { 6, "unauthorized" },
};

/* Status names of §4.2.1; "?" for a value outside the enum. */
const char *
ocsp_resp_status_name(int s)
{
	return s >= 0 && s < OCSP_RESP_COUNT ? resp_statuses[s].name : "?";
}

/* CertStatus names. */
const char *
ocsp_cert_status_name(int s)
{
	static const char *const names[OCSP_CERT_COUNT] = { "good", "revoked", "unknown" };

	return s >= 0 && s < OCSP_CERT_COUNT ? names[s] : "?";
}

/* The hash a CertID's AlgorithmIdentifier names (§4.1.1), or UNKNOWN. */
static gnutls_digest_algorithm_t
ocsp_hash_of_oid(const char *oid)
{
	static const struct { const char *oid; gnutls_digest_algorithm_t d; } map[] = {
		{ "1.3.14.3.2.26", GNUTLS_DIG_SHA1 },
		{ "2.16.840.1.101.3.4.2.1", GNUTLS_DIG_SHA256 },
		{ "2.16.840.1.101.3.4.2.2", GNUTLS_DIG_SHA384 },
		{ "2.16.840.1.101.3.4.2.3", GNUTLS_DIG_SHA512 },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(oid, map[i].oid) == 0)
			return map[i].d;
	return GNUTLS_DIG_UNKNOWN;
}

/* Read one CertID at path of the request node n (DER der) into id. */
static int
ocsp_read_certid(asn1_node n, const unsigned char *der, size_t len,
    const char *path, struct ocsp_certid *id, char *why, size_t whylen)
{
	char name[2 * OCSP_PATH_MAX], oid[128];
	int start, end, l;

	if (asn1_der_decoding_startEnd(n, der, (int)len, path, &start, &end) !=
	    ASN1_SUCCESS || end < start || (size_t)(end - start + 1) > sizeof(id->der))
		return ca_why(why, whylen, CA_EPARSE, "OCSP request: %s: bad CertID", path);
	id->der_len = (size_t)(end - start + 1);
	memcpy(id->der, der + start, id->der_len);
	snprintf(name, sizeof(name), "%s.hashAlgorithm.algorithm", path);
	l = sizeof(oid);
	if (asn1_read_value(n, name, oid, &l) != ASN1_SUCCESS)
		return ca_why(why, whylen, CA_EPARSE, "OCSP request: CertID without a hash algorithm");
	id->hash = ocsp_hash_of_oid(oid);
	snprintf(name, sizeof(name), "%s.issuerNameHash", path);
	l = sizeof(id->name_hash);
	if (asn1_read_value(n, name, id->name_hash, &l) != ASN1_SUCCESS)
		return ca_why(why, whylen, CA_EPARSE, "OCSP request: CertID: issuerNameHash longer than %d bytes", OCSP_HASH_MAX);
	id->name_hash_len = (size_t)l;
	snprintf(name, sizeof(name), "%s.issuerKeyHash", path);
	l = sizeof(id->key_hash);
	if (asn1_read_value(n, name, id->key_hash, &l) != ASN1_SUCCESS)
		return ca_why(why, whylen, CA_EPARSE, "OCSP request: CertID: issuerKeyHash longer than %d bytes", OCSP_HASH_MAX);
	id->key_hash_len = (size_t)l;
	snprintf(name, sizeof(name), "%s.serialNumber", path);
	l = sizeof(id->serial);
	switch (asn1_read_value(n, name, id->serial, &l)) {
	case ASN1_SUCCESS:
		id->serial_len = (size_t)l;
		break;
	case ASN1_MEM_ERROR:
		/* Longer than anything RFC 5280 allows us to issue: unknown. */
		id->serial_len = 0;
		break;
	default:
		return ca_why(why, whylen, CA_EPARSE, "OCSP request: CertID without a serialNumber");
	}
	if (id->hash != GNUTLS_DIG_UNKNOWN && (id->name_hash_len != gnutls_hash_get_len(id->hash) ||
	    id->key_hash_len != gnutls_hash_get_len(id->hash)))
		return ca_why(why, whylen, CA_EPARSE, "OCSP request: CertID: hash lengths do not match %s",
		    gnutls_digest_get_name(id->hash));
	return CA_OK;
}

/* Find the nonce (RFC 8954) among the requestExtensions of n. */
static int
ocsp_read_nonce(asn1_node n, size_t nonce_max, struct ocsp_request *r,
    char *why, size_t whylen)
{
	char name[OCSP_PATH_MAX], oid[128];
	int count = 0, l;

	if (asn1_number_of_elements(n, "tbsRequest.requestExtensions", &count) != ASN1_SUCCESS)
		return CA_OK;	/* none */
	for (int i = 1; i <= count; i++) {
		snprintf(name, sizeof(name), "tbsRequest.requestExtensions.?%d.extnID", i);
		l = sizeof(oid);
		if (asn1_read_value(n, name, oid, &l) != ASN1_SUCCESS)
			return ca_why(why, whylen, CA_EPARSE, "OCSP request: extension without an OID");
		if (strcmp(oid, OID_OCSP_NONCE) != 0)
			continue;	/* §4.4: unrecognised extensions are ignored */
		if (r->has_nonce)
			return ca_why(why, whylen, CA_EPARSE, "OCSP request: two nonce extensions");
		snprintf(name, sizeof(name), "tbsRequest.requestExtensions.?%d.extnValue", i);
		l = sizeof(r->nonce_ext);
		if (asn1_read_value(n, name, r->nonce_ext, &l) != ASN1_SUCCESS)
			return ca_why(why, whylen, CA_EPOLICY,
			    "OCSP request: nonce longer than %zu bytes (RFC 8954 §2.1)", nonce_max);
		r->nonce_ext_len = (size_t)l;
		r->has_nonce = true;
		/* RFC 8954 §2.1: the value is an OCTET STRING of 1..32 bytes;
		 * clients that send the bare bytes are measured as they are. */
		{
			asn1_node v = ocsp_node("OCSP.Nonce");
			int vl = (int)r->nonce_ext_len, inner = 0;

			if (v != NULL && asn1_der_decoding2(&v, r->nonce_ext, &vl,
			    ASN1_DECODE_FLAG_STRICT_DER, NULL) == ASN1_SUCCESS &&
			    (size_t)vl == r->nonce_ext_len &&
			    asn1_read_value(v, "", NULL, &inner) == ASN1_MEM_ERROR)
				r->nonce_len = (size_t)inner;
			else
				r->nonce_len = r->nonce_ext_len;
			asn1_delete_structure(&v);
		}
		if (r->nonce_len == 0)
			return ca_why(why, whylen, CA_EPARSE, "OCSP request: empty nonce (RFC 8954 §2.1)");
		if (r->nonce_len > nonce_max)
			return ca_why(why, whylen, CA_EPOLICY,
			    "OCSP request: nonce of %zu bytes, longer than %zu (RFC 8954 §2.1)",
			    r->nonce_len, nonce_max);
	}
	return CA_OK;
}

/* Parse a DER OCSPRequest (see ocsp_codec.h). */
int
ocsp_request_parse(const unsigned char *der, size_t len, size_t max_ids,
    size_t nonce_max, struct ocsp_request *r, char *why, size_t whylen)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE] = "";
	char path[OCSP_PATH_MAX];
	asn1_node n = NULL;
	int count = 0, l = (int)len, rc;

	memset(r, 0, sizeof(*r));
	if (len == 0)
		return ca_why(why, whylen, CA_EPARSE, "OCSP request: empty");
	if (len > OCSP_REQUEST_HARD_MAX)
		return ca_why(why, whylen, CA_ETOOBIG, "OCSP request: %zu bytes, more than %d",
		    len, OCSP_REQUEST_HARD_MAX);
	if ((n = ocsp_node("OCSP.OCSPRequest")) == NULL)
		return ca_why(why, whylen, CA_ENOMEM, "OCSP: ASN.1 definitions unavailable");
	if (asn1_der_decoding2(&n, der, &l, ASN1_DECODE_FLAG_STRICT_DER, err) != ASN1_SUCCESS) {
		rc = ca_why(why, whylen, CA_EPARSE, "OCSP request: not a DER OCSPRequest (RFC 6960 §4.1.1): %s", err);
		goto out;
	}
	if ((size_t)l != len) {
		rc = ca_why(why, whylen, CA_EPARSE, "OCSP request: %zu bytes after the OCSPRequest", len - (size_t)l);
		goto out;
	}
	{
		unsigned char v[8];
		int vl = sizeof(v);

		/* Only v1 exists (§4.1.1). */
		if (asn1_read_value(n, "tbsRequest.version", v, &vl) == ASN1_SUCCESS &&
		    !(vl == 1 && v[0] == 0)) {
			rc = ca_why(why, whylen, CA_EPARSE, "OCSP request: version is not v1");
			goto out;
		}
	}
	if (asn1_number_of_elements(n, "tbsRequest.requestList", &count) != ASN1_SUCCESS ||
	    count <= 0) {
		rc = ca_why(why, whylen, CA_EPARSE, "OCSP request: no CertID in requestList");
		goto out;
	}
	if ((size_t)count > max_ids || count > OCSP_CERTS_HARD_MAX) {
		rc = ca_why(why, whylen, CA_ETOOBIG, "OCSP request: %d certificates asked, more than %zu",
		    count, max_ids < OCSP_CERTS_HARD_MAX ? max_ids : (size_t)OCSP_CERTS_HARD_MAX);
		goto out;
	}
	if ((r->ids = calloc((size_t)count, sizeof(*r->ids))) == NULL) {
		rc = ca_why(why, whylen, CA_ENOMEM, "out of memory");
		goto out;
	}
	for (int i = 1; i <= count; i++) {
		snprintf(path, sizeof(path), "tbsRequest.requestList.?%d.reqCert", i);
		rc = ocsp_read_certid(n, der, len, path, &r->ids[r->n], why, whylen);
		if (rc != CA_OK)
			goto out;
		r->n++;
	}
	rc = ocsp_read_nonce(n, nonce_max, r, why, whylen);
out:
	asn1_delete_structure(&n);
	if (rc != CA_OK)
		ocsp_request_clear(r);
	return rc;
}

/* Free a parsed request. */
void
ocsp_request_clear(struct ocsp_request *r)
{
	if (r == NULL)
		return;
	free(r->ids);
	memset(r, 0, sizeof(*r));
}

/* GeneralizedTime text of t, UTC. */
void
ocsp_time(int64_t t, char out[OCSP_TIME_LEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, OCSP_TIME_LEN, "%Y%m%d%H%M%SZ", &tm);
}

#define W(n, name, val, len) do { \
	if (rc == ASN1_SUCCESS) rc = asn1_write_value((n), (name), (val), (len)); \
} while (0)

/* Write the i-th SingleResponse of s into the ResponseData node n. */
static int
ocsp_write_single(asn1_node n, const struct ocsp_single *s)
{
	char t[OCSP_TIME_LEN];
	int rc = ASN1_SUCCESS;

	W(n, "responses", "NEW", 1);
	W(n, "responses.?LAST.certID", s->certid_der, (int)s->certid_len);
	switch (s->status) {
	case OCSP_CERT_GOOD:
		W(n, "responses.?LAST.certStatus", "good", 1);
		break;
	case OCSP_CERT_REVOKED: {
		unsigned char reason = (unsigned char)s->reason;

		W(n, "responses.?LAST.certStatus", "revoked", 1);
		ocsp_time(s->revoked_at, t);
		W(n, "responses.?LAST.certStatus.revoked.revocationTime", t, (int)strlen(t));
		if (s->reason >= 0)
			W(n, "responses.?LAST.certStatus.revoked.revocationReason", &reason, 1);
		else
			W(n, "responses.?LAST.certStatus.revoked.revocationReason", NULL, 0);
		break;
	}
	default:
		W(n, "responses.?LAST.certStatus", "unknown", 1);
		break;
	}
	ocsp_time(s->this_update, t);
	W(n, "responses.?LAST.thisUpdate", t, (int)strlen(t));
	if (s->next_update > 0) {
		char nt[OCSP_TIME_LEN];

		ocsp_time(s->next_update, nt);
		W(n, "responses.?LAST.nextUpdate", nt, (int)strlen(nt));
	} else {
		W(n, "responses.?LAST.nextUpdate", NULL, 0);
	}
	W(n, "responses.?LAST.singleExtensions", NULL, 0);
	return rc;
}

/* Encode and sign a BasicOCSPResponse inside an OCSPResponse. */
int
ocsp_response_sign(const struct ocsp_responder *rs, int64_t produced_at,
    const struct ocsp_single *s, size_t n, const unsigned char *nonce_ext,
    size_t nonce_ext_len, unsigned char **out, size_t *outlen, char *why,
    size_t whylen)
{
	asn1_node rd = NULL, basic = NULL, resp = NULL;
	unsigned char *tbs = NULL, *bder = NULL;
	size_t tbs_len = 0, bder_len = 0;
	gnutls_datum_t data, sig = { NULL, 0 };
	char t[OCSP_TIME_LEN];
	const char *oid;
	int rc = ASN1_SUCCESS, ret;

	*out = NULL;
	rd = ocsp_node("OCSP.ResponseData");
	basic = ocsp_node("OCSP.BasicOCSPResponse");
	resp = ocsp_node("OCSP.OCSPResponse");
	if (rd == NULL || basic == NULL || resp == NULL) {
		ret = ca_why(why, whylen, CA_ENOMEM, "OCSP: ASN.1 definitions unavailable");
		goto out;
	}
	/* §4.2.2.3: by key hash, which needs no Name and fits every signer. */
	W(rd, "responderID", "byKey", 1);
	W(rd, "responderID.byKey", rs->key_hash, OCSP_KEY_HASH_LEN);
	ocsp_time(produced_at, t);
	W(rd, "producedAt", t, (int)strlen(t));
	for (size_t i = 0; i < n && rc == ASN1_SUCCESS; i++)
		rc = ocsp_write_single(rd, &s[i]);
	if (nonce_ext != NULL && nonce_ext_len > 0) {
		/* RFC 8954 §2.1: echo the client's value unchanged. */
		W(rd, "responseExtensions", "NEW", 1);
		W(rd, "responseExtensions.?LAST.extnID", OID_OCSP_NONCE, 1);
		W(rd, "responseExtensions.?LAST.critical", NULL, 0);
		W(rd, "responseExtensions.?LAST.extnValue", nonce_ext, (int)nonce_ext_len);
	} else {
		W(rd, "responseExtensions", NULL, 0);
	}
	ret = ocsp_der(rd, rc, &tbs, &tbs_len, why, whylen, "ResponseData");
	if (ret != CA_OK)
		goto out;
	data.data = tbs;
	data.size = (unsigned)tbs_len;
	if ((ret = gnutls_privkey_sign_data2(rs->key, rs->sign_algo, 0, &data, &sig)) < 0) {
		ret = ca_why(why, whylen, CA_ECRYPTO, "OCSP: signing failed: %s", gnutls_strerror(ret));
		goto out;
	}
	oid = gnutls_sign_get_oid(rs->sign_algo);
	if (oid == NULL) {
		ret = ca_why(why, whylen, CA_ECRYPTO, "OCSP: no OID for %s",
		    gnutls_sign_get_name(rs->sign_algo));
		goto out;
	}
	W(basic, "tbsResponseData", tbs, (int)tbs_len);
	W(basic, "signatureAlgorithm.algorithm", oid, 1);
	/* RFC 4055 §5: RSA PKCS#1 v1.5 has NULL parameters; RFC 5758 §3.2:
	 * ECDSA has none. */
	if (gnutls_sign_get_pk_algorithm(rs->sign_algo) == GNUTLS_PK_RSA)
		W(basic, "signatureAlgorithm.parameters", "\x05\x00", 2);
	else
		W(basic, "signatureAlgorithm.parameters", NULL, 0);
	W(basic, "signature", sig.data, (int)sig.size * 8);
	if (rs->cert_der != NULL) {
		W(basic, "certs", "NEW", 1);
		W(basic, "certs.?LAST", rs->cert_der, (int)rs->cert_len);
	} else {
		W(basic, "certs", NULL, 0);
	}
	ret = ocsp_der(basic, rc, &bder, &bder_len, why, whylen, "BasicOCSPResponse");
	if (ret != CA_OK)
		goto out;
	W(resp, "responseStatus", &resp_statuses[OCSP_RESP_SUCCESSFUL].value, 1);
	W(resp, "responseBytes.responseType", OID_OCSP_BASIC, 1);
	W(resp, "responseBytes.response", bder, (int)bder_len);
	ret = ocsp_der(resp, rc, out, outlen, why, whylen, "OCSPResponse");
out:
	asn1_delete_structure(&rd);
	asn1_delete_structure(&basic);
	asn1_delete_structure(&resp);
	free(tbs);
	free(bder);
	gnutls_free(sig.data);
	return ret;
}

/* The unsigned error responses: SEQUENCE { ENUMERATED status }. */
size_t
ocsp_response_error(int status, unsigned char out[OCSP_ERROR_LEN])
{
	static const unsigned char head[OCSP_ERROR_LEN - 1] = {
		0x30, 0x03, 0x0a, 0x01
	};

	if (status <= OCSP_RESP_SUCCESSFUL || status >= OCSP_RESP_COUNT)
		status = OCSP_RESP_INTERNAL;
	memcpy(out, head, sizeof(head));
	out[sizeof(head)] = resp_statuses[status].value;
	return OCSP_ERROR_LEN;
}

/* Hash of the subjectPublicKey bits of a DER SubjectPublicKeyInfo. */
int
ocsp_spki_key_hash(const unsigned char *spki, size_t len,
    gnutls_digest_algorithm_t dig, unsigned char *out, size_t *outlen,
    char *why, size_t whylen)
{
	asn1_node n = ocsp_node("OCSP.SubjectPublicKeyInfo");
	unsigned char *bits = NULL;
	int l = (int)len, bl = 0, rc;

	if (n == NULL)
		return ca_why(why, whylen, CA_ENOMEM, "OCSP: ASN.1 definitions unavailable");
	if (asn1_der_decoding2(&n, spki, &l, 0, NULL) != ASN1_SUCCESS ||
	    asn1_read_value(n, "subjectPublicKey", NULL, &bl) != ASN1_MEM_ERROR ||
	    bl <= 0 || (bits = malloc((size_t)(bl + 7) / 8)) == NULL ||
	    asn1_read_value(n, "subjectPublicKey", bits, &bl) != ASN1_SUCCESS) {
		rc = ca_why(why, whylen, CA_EPARSE, "OCSP: cannot read a SubjectPublicKeyInfo");
		goto out;
	}
	if (gnutls_hash_fast(dig, bits, (size_t)(bl + 7) / 8, out) < 0) {
		rc = ca_why(why, whylen, CA_ECRYPTO, "OCSP: hash failed");
		goto out;
	}
	*outlen = gnutls_hash_get_len(dig);
	rc = CA_OK;
out:
	free(bits);
	asn1_delete_structure(&n);
	return rc;
}

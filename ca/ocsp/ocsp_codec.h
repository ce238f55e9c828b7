/*
 * The OCSP codec (RFC 6960, RFC 8954's nonce): parse an OCSPRequest into
 * its CertIDs and nonce, and encode signed BasicOCSPResponses and the
 * unsigned error responses. libtasn1 with ca/ocsp/ocsp.asn is the one DER
 * codec; GnuTLS computes hashes and signs through whatever gnutls_privkey_t
 * it is handed (the signer process's external key).
 *
 * Threads: any. The ASN.1 definitions are parsed once (thread-safe
 * initialisation); every call works on its own nodes. Nothing logs: the
 * functions return a code and a why sentence.
 */
#ifndef ENTCA_CA_OCSP_CODEC_H
#define ENTCA_CA_OCSP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "ca/store/store.h"

#define OCSP_CERTS_HARD_MAX 256	/* CertIDs ever parsed from one request */
#define OCSP_CERTID_DER_MAX 256	/* one CertID as sent (SHA-512: ~160) */
#define OCSP_HASH_MAX 64	/* SHA-512 */
#define OCSP_NONCE_HARD_MAX 128	/* nonce bytes ever accepted */
#define OCSP_REQUEST_HARD_MAX (64 * 1024) /* request DER ever decoded */
#define OCSP_KEY_HASH_LEN 20	/* ResponderID byKey: SHA-1 (§4.2.1) */
#define OCSP_TIME_LEN 16	/* "YYYYMMDDHHMMSSZ" + NUL */
#define OCSP_ERROR_LEN 5	/* an error OCSPResponse (ocsp_response_error) */

/*
 * OCSPResponseStatus (RFC 6960 §4.2.1). Numbered densely so that it sizes
 * the name and counter tables; the value each has on the wire (4 is not
 * used) is in ocsp_codec.c's table, next to its name.
 */
enum ocsp_resp_status {
	OCSP_RESP_SUCCESSFUL,
	OCSP_RESP_MALFORMED,
	OCSP_RESP_INTERNAL,
	OCSP_RESP_TRY_LATER,
	OCSP_RESP_SIG_REQUIRED,
	OCSP_RESP_UNAUTHORIZED,
	OCSP_RESP_COUNT
};

/* CertStatus of one SingleResponse. */
enum ocsp_cert_status {
	OCSP_CERT_GOOD = 0,
	OCSP_CERT_REVOKED,
	OCSP_CERT_UNKNOWN,
	OCSP_CERT_COUNT
};

/* One CertID of a request. */
struct ocsp_certid {
	unsigned char der[OCSP_CERTID_DER_MAX];	/* as the client sent it */
	size_t der_len;
	gnutls_digest_algorithm_t hash;		/* GNUTLS_DIG_UNKNOWN: not one we know */
	unsigned char name_hash[OCSP_HASH_MAX];
	size_t name_hash_len;
	unsigned char key_hash[OCSP_HASH_MAX];
	size_t key_hash_len;
	unsigned char serial[STORE_SERIAL_MAX + 2]; /* INTEGER content as sent */
	size_t serial_len;			/* 0: longer than any we issue */
};

/* A parsed request; ids is malloc'd (ocsp_request_clear). */
struct ocsp_request {
	size_t n;
	struct ocsp_certid *ids;
	bool has_nonce;
	unsigned char nonce_ext[OCSP_NONCE_HARD_MAX + 8]; /* extnValue as sent */
	size_t nonce_ext_len;
	size_t nonce_len;			/* the nonce itself (RFC 8954 §2.1) */
};

/* What one SingleResponse says. */
struct ocsp_single {
	const unsigned char *certid_der;	/* echoed exactly */
	size_t certid_len;
	int status;				/* enum ocsp_cert_status */
	int64_t revoked_at;
	int reason;				/* CRLReason, -1: none */
	int64_t this_update;
	int64_t next_update;			/* 0: none */
};

/* Who signs: key, its ResponderID, and a certificate to include. */
struct ocsp_responder {
	gnutls_privkey_t key;
	gnutls_sign_algorithm_t sign_algo;
	unsigned char key_hash[OCSP_KEY_HASH_LEN];
	const unsigned char *cert_der;		/* NULL: the CA signs itself */
	size_t cert_len;
};

/* Name of a response status ("malformedRequest"), for logs and metrics. */
const char *ocsp_resp_status_name(int s);
/* Name of a cert status ("good", "revoked", "unknown"). */
const char *ocsp_cert_status_name(int s);

/*
 * Parse an OCSPRequest (DER, strictly) into *r. More than max_ids CertIDs
 * gives CA_ETOOBIG; anything else that is not a well-formed request,
 * CA_EPARSE; a nonce longer than nonce_max, CA_EPOLICY. why names the
 * problem. On success r->ids is owned by r: ocsp_request_clear.
 */
int ocsp_request_parse(const unsigned char *der, size_t len, size_t max_ids,
    size_t nonce_max, struct ocsp_request *r, char *why, size_t whylen);

/* Free what a parse put into r and zero it; NULL is accepted. */
void ocsp_request_clear(struct ocsp_request *r);

/*
 * Encode a successful BasicOCSPResponse for n singles, produced at
 * produced_at, echoing nonce_ext (the request's extnValue, may be NULL),
 * signed by rs. *out is malloc'd (free). CA_OK, CA_ECRYPTO, CA_ENOMEM.
 */
int ocsp_response_sign(const struct ocsp_responder *rs, int64_t produced_at,
    const struct ocsp_single *s, size_t n, const unsigned char *nonce_ext,
    size_t nonce_ext_len, unsigned char **out, size_t *outlen, char *why,
    size_t whylen);

/*
 * Write the OCSPResponse with error status (enum ocsp_resp_status) and no
 * responseBytes (§4.2.1) into out; returns its length, OCSP_ERROR_LEN.
 * A status that is not an error (successful, out of range) gives
 * internalError.
 */
size_t ocsp_response_error(int status, unsigned char out[OCSP_ERROR_LEN]);

/*
 * The SHA-1 or other hash (dig) of the subjectPublicKey BIT STRING value
 * of an SPKI in DER: issuerKeyHash and ResponderID byKey (§4.1.1, §4.2.1).
 * CA_OK or CA_EPARSE / CA_ECRYPTO.
 */
int ocsp_spki_key_hash(const unsigned char *spki, size_t len,
    gnutls_digest_algorithm_t dig, unsigned char *out, size_t *outlen,
    char *why, size_t whylen);

/* "YYYYMMDDHHMMSSZ" of t (GeneralizedTime, RFC 5280 §4.1.2.5.2). */
void ocsp_time(int64_t t, char out[OCSP_TIME_LEN]);

#endif

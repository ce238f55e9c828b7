/*
 * SCEP pkiMessage (RFC 8894 §3.2): a CMS SignedData whose signed
 * attributes say what the message is (messageType, transactionID, nonces,
 * pkiStatus, failInfo) and whose content is the pkcsPKIEnvelope. Parsing
 * verifies the signature against the signer certificate the message
 * carries; building signs with any gnutls_privkey_t (the RA key through
 * the signer process on the server, a client's key in tests). GnuTLS's
 * gnutls_pkcs7_* do the CMS work. No I/O, no logging; any thread.
 */
#ifndef ENTCA_CA_SCEP_MSG_H
#define ENTCA_CA_SCEP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#define SCEP_TXID_MAX 128		/* transactionID characters + NUL */
#define SCEP_NONCE_LEN 16		/* RFC 8894 §3.2.1.5: 16 bytes */
#define SCEP_FAIL_TEXT_MAX 256

/* messageType values (RFC 8894 §3.2.1.2). */
enum scep_type {
	SCEP_CERTREP = 3,
	SCEP_RENEWALREQ = 17,
	SCEP_PKCSREQ = 19,
	SCEP_CERTPOLL = 20,
	SCEP_GETCERT = 21,
	SCEP_GETCRL = 22,
};

/* pkiStatus values (§3.2.1.3). */
enum scep_status {
	SCEP_SUCCESS = 0,
	SCEP_FAILURE = 2,
	SCEP_PENDING = 3,
};

/* failInfo values (§3.2.1.4). */
enum scep_fail {
	SCEP_BAD_ALG = 0,
	SCEP_BAD_MESSAGE_CHECK,
	SCEP_BAD_REQUEST,
	SCEP_BAD_TIME,
	SCEP_BAD_CERT_ID,
	SCEP_FAIL_COUNT
};

extern const char *const scep_fail_names[SCEP_FAIL_COUNT];

/* One message's attributes, and for a parsed one its signer and content. */
struct scep_msg {
	int type;			/* enum scep_type, or what was sent */
	char txid[SCEP_TXID_MAX];
	unsigned char sender_nonce[SCEP_NONCE_LEN];
	bool have_sender_nonce;
	unsigned char recipient_nonce[SCEP_NONCE_LEN];
	bool have_recipient_nonce;
	int status;			/* -1 when absent */
	int fail_info;			/* -1 when absent */
	char fail_text[SCEP_FAIL_TEXT_MAX];	/* failInfoText, "" if none */

	/* parsed messages only (scep_msg_clear frees) */
	gnutls_x509_crt_t signer;	/* the signing certificate */
	gnutls_digest_algorithm_t digest;
	int64_t signing_time;		/* signingTime attribute, 0 if absent */
	unsigned char *content;		/* the signed content (an envelope) */
	size_t content_len;
};

/*
 * Parse and verify a pkiMessage. On CA_OK m is filled (scep_msg_clear).
 * CA_EPARSE: not a SignedData or attributes missing (badRequest /
 * badMessageCheck); CA_EPOLICY: digest or signature algorithm not offered
 * (badAlg; SHA-1 only when allow_sha1, for clients such as micromdm's
 * scepclient that sign with it whatever GetCACaps says); CA_ECRYPTO: the
 * signature does not verify (badMessageCheck).
 * A message whose attributes parsed but whose signature fails still has
 * m->type, txid and nonces set, so that the reply can echo them.
 */
int scep_msg_parse(const unsigned char *der, size_t len, bool allow_sha1,
    struct scep_msg *m, char *why, size_t whylen);

/*
 * Build a pkiMessage carrying m's attributes (type, txid, nonces, status,
 * failInfo and its text when set) and content (may be NULL: no content),
 * signed by key with digest dig, cert included. *out malloc'd.
 */
int scep_msg_build(const struct scep_msg *m, const unsigned char *content,
    size_t content_len, gnutls_x509_crt_t cert, gnutls_privkey_t key,
    gnutls_digest_algorithm_t dig, unsigned char **out, size_t *outlen,
    char *why, size_t whylen);

/* Free what scep_msg_parse allocated; m may be partly filled. */
void scep_msg_clear(struct scep_msg *m);

#endif

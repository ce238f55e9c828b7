/*
 * The CMS pieces of SCEP (RFC 8894 §3) that GnuTLS lacks: opening and
 * sealing EnvelopedData with RSA key transport (RFC 5652 §6) and
 * AES-128/256-CBC or 3DES-CBC content encryption, and the small bodies of
 * CertPoll, GetCert and GetCRL. Encoded and decoded with libtasn1 from
 * ca/scep/scep-cms.asn. No I/O, no logging: reasons come back as text.
 * Any thread.
 */
#ifndef ENTCA_CA_SCEP_CMS_H
#define ENTCA_CA_SCEP_CMS_H

#include <stdbool.h>
#include <stddef.h>

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#define SCEP_CMS_MAX (256 * 1024)	/* largest envelope we open or make */
#define SCEP_NAME_MAX 1024		/* DER Name in a message body */
#define SCEP_SERIAL_MAX 32		/* serial bytes incl. a sign byte */

#define SCEP_OID_DATA "1.2.840.113549.1.7.1"
#define SCEP_OID_SIGNED_DATA "1.2.840.113549.1.7.2"
#define SCEP_OID_ENVELOPED_DATA "1.2.840.113549.1.7.3"

/* Content-encryption algorithms, in the order GetCACaps prefers them. */
enum scep_cipher {
	SCEP_CIPHER_AES128 = 0,
	SCEP_CIPHER_AES256,
	SCEP_CIPHER_3DES,
	SCEP_CIPHER_DES,		/* single DES: legacy clients only */
	SCEP_CIPHER_COUNT
};

extern const char *const scep_cipher_names[SCEP_CIPHER_COUNT];

/*
 * Open a ContentInfo(EnvelopedData) addressed to the RA (by issuer and
 * serial or subject key identifier of ra_cert), decrypting the content
 * key with ra_key. 3DES only when allow_3des, single DES only when
 * allow_des (both off: AES only). *out (malloc, caller frees)
 * gets the content; *cipher the algorithm used, for the reply.
 * CA_EPARSE (not an envelope), CA_ENOTFOUND (not for our RA certificate),
 * CA_EPOLICY (algorithm not offered: badAlg), CA_ECRYPTO (does not
 * decrypt: badMessageCheck), CA_ETOOBIG.
 */
int scep_envelope_open(const unsigned char *der, size_t len,
    gnutls_x509_crt_t ra_cert, gnutls_privkey_t ra_key, bool allow_3des,
    bool allow_des, unsigned char **out, size_t *outlen, enum scep_cipher *cipher,
    char *why, size_t whylen);

/*
 * Seal content for the holder of cert's key: a ContentInfo(EnvelopedData)
 * with one key-transport recipient (issuer and serial of cert). *out is
 * malloc'd (caller frees). CA_EPOLICY when cert's key is not RSA.
 */
int scep_envelope_seal(const unsigned char *content, size_t len,
    gnutls_x509_crt_t cert, enum scep_cipher cipher, unsigned char **out,
    size_t *outlen, char *why, size_t whylen);

/*
 * Parse IssuerAndSerialNumber (GetCert, GetCRL bodies): issuer Name DER
 * into issuer (at most SCEP_NAME_MAX), serial without leading zero bytes.
 */
int scep_issuer_serial_parse(const unsigned char *der, size_t len,
    unsigned char *issuer, size_t *issuer_len, unsigned char *serial,
    size_t *serial_len, char *why, size_t whylen);

/* Parse IssuerAndSubject (CertPoll body): two DER Names. */
int scep_issuer_subject_parse(const unsigned char *der, size_t len,
    unsigned char *issuer, size_t *issuer_len, unsigned char *subject,
    size_t *subject_len, char *why, size_t whylen);

/*
 * Encode IssuerAndSerialNumber or IssuerAndSubject (second is a Name when
 * subject is true, else serial bytes). *out malloc'd. For clients and tests.
 */
int scep_issuer_pair_build(const unsigned char *issuer, size_t issuer_len,
    const unsigned char *second, size_t second_len, bool subject,
    unsigned char **out, size_t *outlen, char *why, size_t whylen);

/* One signed attribute: its OID and the DER of its single value. */
struct scep_attr {
	const char *oid;
	const unsigned char *der;
	size_t len;
};

#define SCEP_ATTRS_MAX 16	/* signed attributes of one message */

/*
 * A ContentInfo(SignedData) with an empty eContent (RFC 8894 §3.3.2 omits
 * the pkcsPKIEnvelope; an empty content is what OpenSSL-based clients such
 * as certmonger can verify, and others read the same) and these signed
 * attributes besides
 * contentType and messageDigest, signed by key (RSA) for cert: the CertRep
 * PENDING and FAILURE of RFC 8894 §3.3.2, which GnuTLS cannot make.
 * *out malloc'd.
 */
int scep_cms_sign_empty(const struct scep_attr *attrs, size_t n_attrs,
    gnutls_x509_crt_t cert, gnutls_privkey_t key, gnutls_digest_algorithm_t dig,
    unsigned char **out, size_t *outlen, char *why, size_t whylen);

#endif

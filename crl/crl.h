/*
 * crl/: the X.509 v2 CRL encoder (RFC 5280 §5), full and delta, streaming.
 *
 * The caller (ca/) hands the revoked entries through an iterator that can
 * be rewound, and a gnutls_privkey_t to sign with. crl_build() walks the
 * entries twice: the first pass checks them and adds up their exact DER
 * sizes, the second writes them straight into one buffer of the final size.
 * Time and memory are linear in the entry count; no allocation per entry;
 * peak memory is the CRL itself plus the signature.
 *
 * The key is only used through gnutls_privkey_sign_data2(), so an external
 * key (gnutls_privkey_import_ext4, whose callbacks ask the signer process)
 * works: GnuTLS hashes the TBSCertList here and hands the signer only the
 * digest (or, for Ed25519, the data).
 *
 * No global state; crl_build() may run on any worker thread, several at
 * once with different outputs (the key object must then be safe to share,
 * which GnuTLS keys are for signing). Depends on nothing of ours but
 * common/error.h.
 */
#ifndef ENTCA_CRL_CRL_H
#define ENTCA_CRL_CRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "crl/reason.h"

/* Longest serial magnitude accepted (RFC 5280 §4.1.2.2: 20 octets). */
#define CRL_SERIAL_MAX 20
/* Most entries one CRL may hold: a bound on what the iterator can feed. */
#define CRL_ENTRIES_MAX 20000000u
/* Largest CRL the encoder writes (DER octets). */
#define CRL_DER_MAX ((size_t)1 << 31)
/* Largest issuer Name (DER octets), authority key id, and URL list. */
#define CRL_ISSUER_MAX 65536
#define CRL_AKI_MAX 64
#define CRL_URLS_MAX 16
#define CRL_URL_MAX 2048

/* One revoked certificate as the iterator fills it. */
struct crl_entry {
	/* Serial as unsigned big-endian bytes; leading zero octets are
	 * dropped and a 0x00 is added when needed to keep the DER INTEGER
	 * positive, so both a certificate's DER content (with its pad) and
	 * the bare magnitude work. Must not be zero. */
	unsigned char serial[CRL_SERIAL_MAX + 1];
	size_t serial_len;	/* 1..CRL_SERIAL_MAX + 1 */
	int64_t revoked_at;	/* seconds since the epoch, UTC */
	int reason;		/* enum crl_reason; UNSPECIFIED = no reasonCode
				 * extension (RFC 5280 §5.3.1); REMOVE_FROM_CRL
				 * only in delta CRLs */
	int64_t invalidity_date;	/* 0 = none (RFC 5280 §5.3.2) */
};

/*
 * Entry iterator: fill *out (zeroed by crl_build() before each call) with
 * the next entry and return 1, return 0 at the end, or a negative CA_*
 * code to abort the build (which returns that code). Called on the thread
 * that called crl_build().
 */
typedef int (*crl_entry_cb)(void *arg, struct crl_entry *out);

/*
 * Rewind the iterator to the first entry; return CA_OK or a negative code.
 * crl_build() rewinds once before its second pass, which must yield the
 * same entries in the same order (a change is refused with CA_ESTATE).
 */
typedef int (*crl_rewind_cb)(void *arg);

/* What goes into the CRL besides the entries. */
struct crl_params {
	/* Issuer Name: the DER of the CA certificate's subject (a SEQUENCE),
	 * copied byte for byte. Borrowed for the call. */
	const unsigned char *issuer_der;
	size_t issuer_len;
	/* authorityKeyIdentifier keyIdentifier: the CA certificate's subject
	 * key identifier (RFC 5280 §5.2.1 requires it). Borrowed. */
	const unsigned char *aki;
	size_t aki_len;
	int64_t this_update;	/* seconds since the epoch, UTC */
	int64_t next_update;	/* > this_update */
	uint64_t crl_number;	/* cRLNumber (RFC 5280 §5.2.3) */
	bool delta;		/* a delta CRL (RFC 5280 §5.2.4) */
	uint64_t base_crl_number; /* delta only: deltaCRLIndicator, critical;
				 * must be <= crl_number */
	/* Full CRL only: freshestCRL (RFC 5280 §5.2.6) URIs of the delta CRL,
	 * all in one DistributionPoint as AD CS writes them. NULL/0 = none.
	 * Borrowed; each a NUL-terminated ASCII string. */
	const char *const *freshest_urls;
	size_t n_freshest;
	/* When the next CRL of this kind will be published (0 = omit): the
	 * non-critical Microsoft CRL Next Publish extension
	 * 1.3.6.1.4.1.311.21.4 that AD CS writes and Windows uses to fetch
	 * ahead (MS-CSRA §3.1.4.1.6); crl_schedule_times() gives it. */
	int64_t next_publish;
	/* Digest for the signature: GNUTLS_DIG_SHA256/384/512;
	 * GNUTLS_DIG_UNKNOWN means SHA-256. Ed25519 keys sign without a
	 * separate digest, but the value must still be one of these. */
	gnutls_digest_algorithm_t hash;
	/* RSA keys only: sign RSASSA-PSS (salt = digest length, MGF1 with
	 * the same digest) instead of PKCS#1 v1.5. RSA-PSS keys always sign
	 * PSS. */
	bool rsa_pss;
};

/*
 * Build and sign a CRL. Extensions, in order: authorityKeyIdentifier,
 * cRLNumber, deltaCRLIndicator (delta), CRL Next Publish (if set),
 * freshestCRL (if URLs). Entries are written in the iterator's order; the
 * caller must not repeat a serial (not checked: it would cost a set).
 *
 * p: contents (borrowed). next/rewind/arg: the entry iterator (both
 * callbacks required), walked twice. key: signs the TBSCertList with the
 * algorithm picked from gnutls_privkey_get_pk_algorithm(key) (RSA PKCS#1
 * v1.5 or PSS, ECDSA, Ed25519) and p->hash.
 *
 * On CA_OK, *der (allocated with malloc; free it with free()) holds the
 * CertificateList and *der_len its length. On failure *der is NULL and why
 * (may be NULL) says which field or entry broke which rule:
 * CA_EINVAL (bad parameter or entry), CA_ETOOBIG (a named bound),
 * CA_ESTATE (the entries changed between the passes), CA_ENOMEM,
 * CA_ECRYPTO (signing failed), or the iterator's own negative code.
 * Thread: any; see the file comment.
 */
int crl_build(const struct crl_params *p, crl_entry_cb next,
    crl_rewind_cb rewind, void *arg, gnutls_privkey_t key,
    unsigned char **der, size_t *der_len, char *why, size_t whylen);

/*
 * crl_build() over an array of n entries (borrowed). Same ownership and
 * return codes.
 */
int crl_build_array(const struct crl_params *p,
    const struct crl_entry *entries, size_t n, gnutls_privkey_t key,
    unsigned char **der, size_t *der_len, char *why, size_t whylen);

/*
 * Pick the signature algorithm crl_build() uses for key and the given
 * contents (p->hash, p->rsa_pss). Returns the GnuTLS algorithm, or
 * GNUTLS_SIGN_UNKNOWN with a sentence in why when the key type or digest
 * is not supported. Thread: any.
 */
gnutls_sign_algorithm_t crl_sign_algorithm(const struct crl_params *p,
    gnutls_privkey_t key, char *why, size_t whylen);

#endif

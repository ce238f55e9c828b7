/*
 * Signature algorithm choice for CRLs: from the key's public-key algorithm
 * and the requested digest, the GnuTLS signature algorithm to sign with and
 * the DER AlgorithmIdentifier that goes twice into the CRL (RFC 5280
 * §5.1.1.2, §5.1.2.2; RFC 4055 for RSA-PSS; RFC 5758 for ECDSA; RFC 8410
 * for Ed25519). Pure; safe from any thread.
 */
#include <string.h>

#include "common/error.h"
#include "crl/crl.h"
#include "crl/sigalg.h"

/* OID bodies (no tag/length). */
static const unsigned char oid_rsa_sha256[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b };
static const unsigned char oid_rsa_sha384[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c };
static const unsigned char oid_rsa_sha512[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d };
static const unsigned char oid_rsa_pss[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a };
static const unsigned char oid_mgf1[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08 };
static const unsigned char oid_ecdsa_sha256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 };
static const unsigned char oid_ecdsa_sha384[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03 };
static const unsigned char oid_ecdsa_sha512[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04 };
static const unsigned char oid_ed25519[] = { 0x2b, 0x65, 0x70 };
static const unsigned char oid_sha256[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 };
static const unsigned char oid_sha384[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02 };
static const unsigned char oid_sha512[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03 };

/* Append bytes to an AlgorithmIdentifier under construction. */
static unsigned char *
sig_put(unsigned char *p, const void *src, size_t n)
{
	memcpy(p, src, n);
	return p + n;
}

/* Write "SEQUENCE { OID, NULL }" for a digest (RSASSA-PSS-params parts). */
static unsigned char *
sig_put_hash_algid(unsigned char *p, const unsigned char *oid, size_t n)
{
	*p++ = 0x30;
	*p++ = (unsigned char)(n + 4);
	*p++ = 0x06;
	*p++ = (unsigned char)n;
	p = sig_put(p, oid, n);
	*p++ = 0x05;
	*p++ = 0x00;
	return p;
}

/*
 * Write the RSASSA-PSS AlgorithmIdentifier with explicit parameters
 * (RFC 4055 §3.1): hashAlgorithm [0], maskGenAlgorithm [1] MGF1 with the
 * same hash, saltLength [2] = digest length, trailerField default.
 */
static size_t
sig_put_pss(unsigned char *out, const unsigned char *hoid, size_t hlen,
    unsigned salt)
{
	unsigned char params[80], *p = params, *q = out;
	size_t halg = hlen + 6, plen;

	*p++ = 0xa0;
	*p++ = (unsigned char)halg;
	p = sig_put_hash_algid(p, hoid, hlen);
	*p++ = 0xa1;
	*p++ = (unsigned char)(2 + 2 + sizeof(oid_mgf1) + halg);
	*p++ = 0x30;
	*p++ = (unsigned char)(2 + sizeof(oid_mgf1) + halg);
	*p++ = 0x06;
	*p++ = (unsigned char)sizeof(oid_mgf1);
	p = sig_put(p, oid_mgf1, sizeof(oid_mgf1));
	p = sig_put_hash_algid(p, hoid, hlen);
	*p++ = 0xa2;
	*p++ = 0x03;
	*p++ = 0x02;
	*p++ = 0x01;
	*p++ = (unsigned char)salt;
	plen = (size_t)(p - params);

	*q++ = 0x30;
	*q++ = (unsigned char)(2 + sizeof(oid_rsa_pss) + 2 + plen);
	*q++ = 0x06;
	*q++ = (unsigned char)sizeof(oid_rsa_pss);
	q = sig_put(q, oid_rsa_pss, sizeof(oid_rsa_pss));
	*q++ = 0x30;
	*q++ = (unsigned char)plen;
	q = sig_put(q, params, plen);
	return (size_t)(q - out);
}

/* Write "SEQUENCE { OID [, NULL] }". */
static size_t
sig_put_simple(unsigned char *out, const unsigned char *oid, size_t n,
    int with_null)
{
	unsigned char *q = out;

	*q++ = 0x30;
	*q++ = (unsigned char)(2 + n + (with_null ? 2 : 0));
	*q++ = 0x06;
	*q++ = (unsigned char)n;
	q = sig_put(q, oid, n);
	if (with_null) {
		*q++ = 0x05;
		*q++ = 0x00;
	}
	return (size_t)(q - out);
}

/* Fill *s for key and p; CA_OK or CA_EINVAL with a reason. */
int
crl_sigalg_pick(const struct crl_params *p, gnutls_privkey_t key,
    struct crl_sigalg *s, char *why, size_t whylen)
{
	gnutls_digest_algorithm_t dig = p->hash;
	const unsigned char *hoid;
	int pk, idx;
	unsigned salt;

	memset(s, 0, sizeof(*s));
	if (key == NULL)
		return ca_why(why, whylen, CA_EINVAL, "CRL: no signing key");
	if (dig == GNUTLS_DIG_UNKNOWN)
		dig = GNUTLS_DIG_SHA256;
	switch (dig) {
	case GNUTLS_DIG_SHA256:
		idx = 0; hoid = oid_sha256; salt = 32;
		break;
	case GNUTLS_DIG_SHA384:
		idx = 1; hoid = oid_sha384; salt = 48;
		break;
	case GNUTLS_DIG_SHA512:
		idx = 2; hoid = oid_sha512; salt = 64;
		break;
	default:
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL: digest %s not supported (SHA-256, SHA-384, SHA-512)",
		    gnutls_digest_get_name(dig) ? gnutls_digest_get_name(dig) : "?");
	}
	pk = gnutls_privkey_get_pk_algorithm(key, NULL);
	switch (pk) {
	case GNUTLS_PK_RSA:
		if (p->rsa_pss) {
			static const gnutls_sign_algorithm_t a[] = {
				GNUTLS_SIGN_RSA_PSS_RSAE_SHA256,
				GNUTLS_SIGN_RSA_PSS_RSAE_SHA384,
				GNUTLS_SIGN_RSA_PSS_RSAE_SHA512 };
			s->algo = a[idx];
			s->len = sig_put_pss(s->der, hoid, 9, salt);
		} else {
			static const gnutls_sign_algorithm_t a[] = {
				GNUTLS_SIGN_RSA_SHA256, GNUTLS_SIGN_RSA_SHA384,
				GNUTLS_SIGN_RSA_SHA512 };
			static const unsigned char *const o[] = {
				oid_rsa_sha256, oid_rsa_sha384, oid_rsa_sha512 };
			s->algo = a[idx];
			s->len = sig_put_simple(s->der, o[idx], 9, 1);
		}
		break;
	case GNUTLS_PK_RSA_PSS: {
		static const gnutls_sign_algorithm_t a[] = {
			GNUTLS_SIGN_RSA_PSS_SHA256, GNUTLS_SIGN_RSA_PSS_SHA384,
			GNUTLS_SIGN_RSA_PSS_SHA512 };
		s->algo = a[idx];
		s->len = sig_put_pss(s->der, hoid, 9, salt);
		break;
	}
	case GNUTLS_PK_ECDSA: {
		static const gnutls_sign_algorithm_t a[] = {
			GNUTLS_SIGN_ECDSA_SHA256, GNUTLS_SIGN_ECDSA_SHA384,
			GNUTLS_SIGN_ECDSA_SHA512 };
		static const unsigned char *const o[] = {
			oid_ecdsa_sha256, oid_ecdsa_sha384, oid_ecdsa_sha512 };
		s->algo = a[idx];
		s->len = sig_put_simple(s->der, o[idx], 8, 0);
		break;
	}
	case GNUTLS_PK_EDDSA_ED25519:
		s->algo = GNUTLS_SIGN_EDDSA_ED25519;
		s->len = sig_put_simple(s->der, oid_ed25519,
		    sizeof(oid_ed25519), 0);
		break;
	default:
		return ca_why(why, whylen, CA_EINVAL,
		    "CRL: signing key type %s not supported (RSA, RSA-PSS, "
		    "ECDSA, Ed25519)", pk < 0 ? "unknown" :
		    (gnutls_pk_get_name(pk) ? gnutls_pk_get_name(pk) : "?"));
	}
	return CA_OK;
}

/* Public wrapper: the GnuTLS algorithm crl_build() signs with. */
gnutls_sign_algorithm_t
crl_sign_algorithm(const struct crl_params *p, gnutls_privkey_t key,
    char *why, size_t whylen)
{
	struct crl_sigalg s;

	if (p == NULL) {
		ca_why(why, whylen, CA_EINVAL, "CRL: no parameters");
		return GNUTLS_SIGN_UNKNOWN;
	}
	if (crl_sigalg_pick(p, key, &s, why, whylen) != CA_OK)
		return GNUTLS_SIGN_UNKNOWN;
	return s.algo;
}

/*
 * Certificate and request profiles of the CA identity (internal to
 * ca/identity/identity*.c): the self-signed root, the subordinate's PKCS#10 request,
 * entcad's TLS server certificate, random serials and checks on imported
 * CA certificates. Tool thread; no files are touched here.
 */
#ifndef ENTCA_CA_IDENTITY_BUILD_H
#define ENTCA_CA_IDENTITY_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "ca/identity/identity.h"

/* Bytes of a certificate serial we generate (positive, 127 random bits). */
#define IDENTITY_SERIAL_LEN 16

/*
 * Start a certificate of the CA identity: version 3, a new random positive
 * serial of IDENTITY_SERIAL_LEN bytes, notBefore now less
 * CA_IDENTITY_BACKDATE, notAfter not_after. A GnuTLS code (< 0 failed).
 */
int identity_cert_start(gnutls_x509_crt_t crt, int64_t now,
    int64_t not_after);

/* Digest used with a key: SHA-384 for P-384, SHA-512 for P-521, else SHA-256. */
gnutls_digest_algorithm_t identity_digest_for(gnutls_privkey_t key);

/* Generate a new key of type t in memory. *out: gnutls_x509_privkey_deinit. */
int identity_generate_key(enum ca_key_type t, gnutls_x509_privkey_t *out,
    char *why, size_t whylen);

/* GnuTLS algorithm and bits of a key type. */
void identity_key_params(enum ca_key_type t, gnutls_pk_algorithm_t *pk,
    unsigned *bits);

/*
 * Build and self-sign the root CA certificate (v3, random serial,
 * basicConstraints CA:TRUE critical, keyUsage keyCertSign + cRLSign +
 * digitalSignature critical, SKI, AKI = SKI). *out: gnutls_x509_crt_deinit.
 */
int identity_make_root(gnutls_privkey_t key, const char *subject,
    unsigned days, gnutls_x509_crt_t *out, char *why, size_t whylen);

/* Build the subordinate's PKCS#10 request as PEM (gnutls_free out->data). */
int identity_make_csr(gnutls_privkey_t key, const char *subject,
    gnutls_datum_t *out, char *why, size_t whylen);

/*
 * Issue entcad's TLS server certificate with a new P-256 key, signed by
 * ca/cakey: SAN DNS:localhost, IP:127.0.0.1 and o->tls_names, EKU
 * serverAuth. key_pem and crt_pem (leaf only) are gnutls_malloc'ed.
 */
int identity_make_tls(gnutls_x509_crt_t ca, gnutls_privkey_t cakey,
    const struct ca_init_opts *o, gnutls_datum_t *key_pem,
    gnutls_datum_t *crt_pem, char *why, size_t whylen);

/* CA_OK when crt says CA:TRUE in basicConstraints, else CA_EPOLICY. */
int identity_check_is_ca(gnutls_x509_crt_t crt, const char *what, char *why,
    size_t whylen);

/*
 * Verify crt against the parent certificates (all treated as trust
 * anchors, so crt's issuer must be among them). CA_EPOLICY with the
 * verification status when it does not chain.
 */
int identity_verify_chain(gnutls_x509_crt_t crt, gnutls_x509_crt_t *parents,
    unsigned n, char *why, size_t whylen);

#endif

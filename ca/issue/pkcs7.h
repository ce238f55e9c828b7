/*
 * Certs-only PKCS#7 (RFC 7030 §4.1.3, RFC 5652 degenerate SignedData) and
 * PKCS#12 (PFX) assembly with GnuTLS. Pure functions, any thread.
 */
#ifndef ENTCA_CA_PKCS7_H
#define ENTCA_CA_PKCS7_H

#include <stddef.h>

#include <gnutls/x509.h>

/*
 * Wrap n DER certificates into a certs-only PKCS#7 (DER). *out is
 * gnutls_malloc'd: release with gnutls_free. CA_OK or CA_ECRYPTO/CA_ENOMEM.
 */
int pkcs7_certs_only(const gnutls_datum_t *certs, size_t n,
    unsigned char **out, size_t *out_len);

/*
 * Build a password-protected PKCS#12 with key, its certificate and the CA
 * chain (PBES2 AES-256, HMAC-SHA256). *out is gnutls_malloc'd.
 */
int pkcs7_pkcs12(gnutls_x509_privkey_t key, const gnutls_datum_t *cert,
    const gnutls_datum_t *chain, size_t n_chain, const char *password,
    const char *friendly_name, unsigned char **out, size_t *out_len);

/*
 * Base64 for EST bodies (RFC 7030 §4.1.3 via RFC 2045): 64-character lines
 * ending in LF, which every client and `base64 -d` accept. *out is
 * malloc'd, NUL-terminated; free(). CA_OK or CA_ENOMEM/CA_ETOOBIG.
 */
int pkcs7_base64(const void *der, size_t len, char **out, size_t *out_len);

#endif

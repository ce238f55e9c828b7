/*
 * The certificate builder: turns a policy profile (policy/decide.h) and a
 * subject public key into a certificate signed by the CA key. It writes
 * the DER itself (common/der.h) and signs once through GnuTLS; the
 * Microsoft extensions come from ca/issue/msext.c. The subject DER and the
 * SubjectPublicKeyInfo are used byte for byte. The CA key is any
 * gnutls_privkey_t (in entcad an external key whose signing happens in the
 * signer process). Runs on a worker thread; no shared state.
 */
#ifndef ENTCA_CA_ISSUE_H
#define ENTCA_CA_ISSUE_H

#include <stdbool.h>
#include <stddef.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "policy/decide.h"

#define ISSUE_SERIAL_LEN 20	/* bytes of a serial we make */
#define ISSUE_SERIAL_TIME 6	/* of them, the time prefix */
#define ISSUE_SERIAL_MAX 20	/* RFC 5280 §4.1.2.2 */

/*
 * A new serial of ISSUE_SERIAL_LEN bytes: the wall clock in milliseconds
 * (6 bytes, big-endian) then 14 random bytes (GNUTLS_RND_NONCE): 112
 * random bits, where the CA/Browser Forum asks for 64 and RFC 5280 for
 * unpredictable; time first so that the store's certificates, keyed by
 * serial, are written in order (issue.c). Positive, first byte non-zero:
 * the DER INTEGER is always 20 bytes. *len is in: the size of out (at
 * least ISSUE_SERIAL_LEN), out: the serial's length. Returns CA_OK,
 * CA_ETOOBIG (out too small) or CA_ECRYPTO. Any thread. Uniqueness in
 * the store is the caller's check.
 */
int issue_serial_new(unsigned char *out, size_t *len);

/*
 * Build and sign the certificate described by pr for the subject key spki
 * (a DER SubjectPublicKeyInfo, copied as it is) with serial (DER INTEGER
 * contents, positive, 1..ISSUE_SERIAL_MAX bytes), issued by ca_cert and
 * signed with ca_key (RSA or ECDSA) using pr->hash. On CA_OK *out is the
 * certificate's DER (*out_len bytes), malloc'd: the caller frees it.
 * Returns CA_EINVAL (bad profile/serial/key), CA_ETOOBIG (names and
 * extensions too large), CA_ECRYPTO (the signature failed; why names
 * which step), CA_EUNAVAIL when the external key's signer is gone, or
 * CA_ENOMEM. Worker threads.
 *
 * Extensions, in this order: SKI (SHA-1 of the key), AKI (the CA's SKI),
 * CRL distribution points, AIA (caIssuers, OCSP), template information
 * (v2+) or template name (v1), key usage, EKU, application policies, basic
 * constraints (CA templates), SAN (critical when the subject is empty),
 * SID. For EC subject keys keyEncipherment/dataEncipherment are dropped
 * (they mean nothing for ECDSA keys). notBefore/notAfter come from pr.
 */
int issue_build(const struct policy_profile *pr, const gnutls_datum_t *spki,
    const unsigned char *serial, size_t serial_len, gnutls_x509_crt_t ca_cert,
    gnutls_privkey_t ca_key, unsigned char **out, size_t *out_len, char *why,
    size_t whylen);

/*
 * AD CS's renewal suffix for a CDP (ext ".crl", index: the CA key index)
 * or AIA (ext ".crt", the CA certificate index) URL: "x.crl" becomes
 * "x(k).crl" for index k > 0 (a delta's "x+.crl" is left alone). out has
 * POLICY_URL_LEN bytes; false when the result does not fit. Any thread.
 */
bool issue_url_suffix(const char *url, const char *ext, unsigned index,
    char *out);

#endif

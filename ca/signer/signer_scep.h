/*
 * The SCEP RA key in the signer process (RFC 8894 §2.2: the RA signs
 * CertRep messages and decrypts pkcsPKIEnvelopes addressed to it, as
 * NDES's two RA certificates do; entca uses one certificate with both key
 * usages). The child opens STATE/scep-ra.key at start beside the CA key
 * and answers the wire operations SIGNER_OP_SCEP_* (0x50..0x5f); the CA
 * key never decrypts anything. Workers hold a gnutls_privkey_t from
 * signer_scep_privkey whose sign and decrypt callbacks ask the child.
 *
 * Threads: signer_scep_privkey and the key it makes: any thread (the
 * signer's lock serialises calls). The child_* functions run in the
 * single-threaded signer child only.
 */
#ifndef ENTCA_CA_SIGNER_SCEP_H
#define ENTCA_CA_SIGNER_SCEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#define SIGNER_SCEP_KEY_FILE "scep-ra.key"

/* Wire operations of the RA key (the OCSP ones use 0x40..0x4f). */
enum signer_scep_op {
	SIGNER_OP_SCEP_SIGN_HASH = 0x50,	/* gnutls_privkey_sign_hash2 */
	SIGNER_OP_SCEP_DECRYPT = 0x51,		/* gnutls_privkey_decrypt_data */
	SIGNER_OP_SCEP_LAST = 0x5f
};

struct signer;

/*
 * An external private key for the RA key held by s's child; ra_cert says
 * its algorithm and size. *out is the caller's (gnutls_privkey_deinit,
 * before signer_stop). CA_OK, CA_ENOMEM, CA_ECRYPTO.
 */
int signer_scep_privkey(struct signer *s, gnutls_x509_crt_t ra_cert,
    gnutls_privkey_t *out, char *why, size_t whylen);

/*
 * Child, before dropping privileges: open STATE/scep-ra.key when it
 * exists (no file: SCEP is off, and its operations answer CA_ENOTFOUND).
 * CA_OK, or the reason the file that exists cannot be used.
 */
int signer_scep_child_open(const char *state_dir, char *why, size_t whylen);

/*
 * Child: answer op when it is an RA operation; false when op is not ours.
 * *status gets CA_OK with *out (gnutls_malloc) or an error with why.
 */
bool signer_scep_child_serve(uint32_t op, int algo, unsigned flags,
    const gnutls_datum_t *data, int *status, gnutls_datum_t *out,
    char *why, size_t whylen);

#endif

/*
 * External private keys whose operations the signer child performs: the
 * CA key (signer.c), the OCSP signing keys (signer_ocsp.c) and the SCEP RA
 * key (signer_scep.c). One set of GnuTLS callbacks
 * (gnutls_privkey_import_ext4) over each family's round trip, so the
 * three keys describe themselves and map failures alike. Only the
 * ca/signer/ files include this. Any thread: the callbacks run in the
 * thread that signs or decrypts.
 */
#ifndef ENTCA_CA_SIGNER_EXT_H
#define ENTCA_CA_SIGNER_EXT_H

#include <stdint.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

struct signer;
struct signer_ext;

/*
 * One round trip of a family: op with algo and flags on in, the answer in
 * out (gnutls_malloc'd). CA_OK or the code; the sentence stays where the
 * family keeps it (a thread-local of its file, read after a failure).
 */
typedef int (*signer_ext_call_cb)(const struct signer_ext *x, uint32_t op,
    int algo, unsigned flags, const gnutls_datum_t *in, gnutls_datum_t *out);

/* An external key: what it is, and which operations it offers. */
struct signer_ext {
	struct signer *s;
	int pk_algo;			/* gnutls_pk_algorithm_t */
	unsigned bits;
	unsigned slot;			/* the family's own use (OCSP slot) */
	uint32_t op_sign_hash;		/* SIGNER_OP_* */
	uint32_t op_sign_data;		/* 0: hashes only */
	uint32_t op_decrypt;		/* 0: no decryption */
	signer_ext_call_cb call;
};

/*
 * Make *out a GnuTLS key over a copy of x (freed with the key). CA_OK, or
 * CA_ENOMEM / CA_ECRYPTO with why naming what ("the OCSP key").
 */
int signer_ext_privkey(const struct signer_ext *x, const char *what,
    gnutls_privkey_t *out, char *why, size_t whylen);

#endif

/*
 * The GnuTLS side of the signer's external keys (see signer_ext.h): the
 * sign, decrypt, info and deinit callbacks, written once for the CA key,
 * the OCSP keys and the SCEP RA key. Any thread.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "common/error.h"
#include "ca/signer/signer_ext.h"

/*
 * Whether a signature of algo is made over the message itself: PureEdDSA
 * (RFC 8032 section 5.1.6) hashes inside the scheme, every other one here
 * signs a hash (or DigestInfo). GnuTLS picks the sign-data callback by
 * this rule and the sign-hash callback otherwise.
 */
static bool
ext_signs_message(gnutls_sign_algorithm_t algo)
{
	gnutls_pk_algorithm_t pk = gnutls_sign_get_pk_algorithm(algo);

	return pk == GNUTLS_PK_EDDSA_ED25519 || pk == GNUTLS_PK_EDDSA_ED448;
}

/*
 * GnuTLS sign-hash and sign-data callback: the child signs what GnuTLS
 * hands over (a hash, DigestInfo, or for EdDSA the message) with the op
 * for it, through the family's round trip. GnuTLS wants only a code.
 */
static int
ext_sign_cb(gnutls_privkey_t key, gnutls_sign_algorithm_t algo,
    void *userdata, unsigned flags, const gnutls_datum_t *in,
    gnutls_datum_t *sig)
{
	const struct signer_ext *x = userdata;
	uint32_t op = ext_signs_message(algo) ? x->op_sign_data : x->op_sign_hash;

	(void)key;
	if (op == 0)
		return GNUTLS_E_PK_SIGN_FAILED;	/* the family signs hashes only */
	return x->call(x, op, (int)algo, flags, in, sig) == CA_OK ? 0 :
	    GNUTLS_E_PK_SIGN_FAILED;
}

/* GnuTLS decrypt callback: RSA decryption of a content key by the child. */
static int
ext_decrypt_cb(gnutls_privkey_t key, void *userdata,
    const gnutls_datum_t *ciphertext, gnutls_datum_t *plaintext)
{
	const struct signer_ext *x = userdata;
	int rc;

	(void)key;
	rc = x->call(x, x->op_decrypt, 0, 0, ciphertext, plaintext);
	if (rc == CA_ECRYPTO)
		return GNUTLS_E_DECRYPTION_FAILED;	/* a bad envelope */
	return rc == CA_OK ? 0 : GNUTLS_E_INTERNAL_ERROR;	/* signer down */
}

/* GnuTLS info callback: algorithm, bits and supported signatures. */
static int
ext_info_cb(gnutls_privkey_t key, unsigned flags, void *userdata)
{
	const struct signer_ext *x = userdata;

	(void)key;
	if (flags & GNUTLS_PRIVKEY_INFO_PK_ALGO)
		return x->pk_algo;
	if (flags & GNUTLS_PRIVKEY_INFO_PK_ALGO_BITS)
		return (int)x->bits;
	if (flags & GNUTLS_PRIVKEY_INFO_HAVE_SIGN_ALGO)
		return gnutls_sign_supports_pk_algorithm(
		    GNUTLS_FLAGS_TO_SIGN_ALGO(flags),
		    (gnutls_pk_algorithm_t)x->pk_algo) ? 1 : 0;
	return -1;
}

/* GnuTLS deinit callback: the copy of the description goes with the key. */
static void
ext_deinit_cb(gnutls_privkey_t key, void *userdata)
{
	(void)key;
	free(userdata);
}

/* An external key over x; see signer_ext.h. */
int
signer_ext_privkey(const struct signer_ext *x, const char *what,
    gnutls_privkey_t *out, char *why, size_t whylen)
{
	struct signer_ext *copy = malloc(sizeof(*copy));
	gnutls_privkey_t k = NULL;
	int ret;

	*out = NULL;
	if (copy == NULL || gnutls_privkey_init(&k) < 0) {
		free(copy);
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	}
	*copy = *x;
	ret = gnutls_privkey_import_ext4(k, copy,
	    x->op_sign_data != 0 ? ext_sign_cb : NULL, ext_sign_cb,
	    x->op_decrypt != 0 ? ext_decrypt_cb : NULL, ext_deinit_cb,
	    ext_info_cb, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE);
	if (ret < 0) {
		free(copy);
		gnutls_privkey_deinit(k);
		return ca_why(why, whylen, CA_ECRYPTO, "signer: cannot make %s: %s",
		    what, gnutls_strerror(ret));
	}
	*out = k;
	return CA_OK;
}

/*
 * The OCSP response signing keys (AD CS's "OCSP Response Signing"
 * template, issue 16): short-lived keys made inside the signer process,
 * which never leave it, like the CA key. Two slots, so that a new key is
 * made and certified while the current one keeps signing.
 *
 * Child side (signer_ocsp_child_op, in signer_ocsp_child.c): runs in the
 * signer child, single threaded, after privileges are dropped and seccomp is on (key
 * generation needs only getrandom and memory). The keys live only in the
 * child's memory: a restarted child has none, and the parent's next
 * signature fails with CA_ENOTFOUND, which tells the OCSP responder to
 * make a new one.
 *
 * Parent side (signer_ocsp_keygen, signer_ocsp_privkey): any thread;
 * requests go to the first signer child only (signer_call_primary): the
 * keys exist in that process alone, not in the other lanes.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "common/error.h"
#include "ca/signer/signer.h"
#include "ca/signer/signer_wire.h"

/* What an external OCSP key's callbacks need. */
struct ocsp_ext {
	struct signer *s;
	unsigned slot;
	int pk_algo;
	unsigned bits;
};

static __thread char ocsp_why[CA_WHY_MAX];
static __thread int ocsp_rc;

/* Prefix the slot byte and call the child. */
static int
ocsp_call(struct ocsp_ext *x, uint32_t op, int algo, unsigned flags,
    const gnutls_datum_t *in, gnutls_datum_t *out, char *why, size_t whylen)
{
	unsigned char buf[SIGNER_DATA_MAX];
	gnutls_datum_t d;

	if (in->size + 1 > sizeof(buf))
		return ca_why(why, whylen, CA_ETOOBIG, "signer: OCSP data too long");
	buf[0] = (unsigned char)x->slot;
	if (in->size > 0)
		memcpy(buf + 1, in->data, in->size);
	d.data = buf;
	d.size = in->size + 1;
	return signer_call_primary(x->s, op, algo, flags, &d, out, why, whylen);
}

/* GnuTLS sign-hash callback of an OCSP key. */
static int
ocsp_sign_hash_cb(gnutls_privkey_t key, gnutls_sign_algorithm_t algo,
    void *userdata, unsigned flags, const gnutls_datum_t *hash,
    gnutls_datum_t *sig)
{
	(void)key;
	ocsp_rc = ocsp_call(userdata, SIGNER_OP_OCSP_SIGN_HASH, (int)algo, flags,
	    hash, sig, ocsp_why, sizeof(ocsp_why));
	return ocsp_rc == CA_OK ? 0 : GNUTLS_E_PK_SIGN_FAILED;
}

/* GnuTLS sign-data callback of an OCSP key. */
static int
ocsp_sign_data_cb(gnutls_privkey_t key, gnutls_sign_algorithm_t algo,
    void *userdata, unsigned flags, const gnutls_datum_t *data,
    gnutls_datum_t *sig)
{
	(void)key;
	ocsp_rc = ocsp_call(userdata, SIGNER_OP_OCSP_SIGN_DATA, (int)algo, flags,
	    data, sig, ocsp_why, sizeof(ocsp_why));
	return ocsp_rc == CA_OK ? 0 : GNUTLS_E_PK_SIGN_FAILED;
}

/* GnuTLS info callback of an OCSP key. */
static int
ocsp_info_cb(gnutls_privkey_t key, unsigned flags, void *userdata)
{
	struct ocsp_ext *x = userdata;

	(void)key;
	if (flags & GNUTLS_PRIVKEY_INFO_PK_ALGO)
		return x->pk_algo;
	if (flags & GNUTLS_PRIVKEY_INFO_PK_ALGO_BITS)
		return (int)x->bits;
	if (flags & GNUTLS_PRIVKEY_INFO_HAVE_SIGN_ALGO)
		return gnutls_sign_supports_pk_algorithm(GNUTLS_FLAGS_TO_SIGN_ALGO(flags),
		    (gnutls_pk_algorithm_t)x->pk_algo) ? 1 : 0;
	return -1;
}

/* Free the callbacks' state with the key. */
static void
ocsp_deinit_cb(gnutls_privkey_t key, void *userdata)
{
	(void)key;
	free(userdata);
}

/* Make a new OCSP key in slot; *spki gets its public key (gnutls_free). */
int
signer_ocsp_keygen(struct signer *s, unsigned slot, int pk_algo,
    unsigned bits, gnutls_datum_t *spki, char *why, size_t whylen)
{
	struct ocsp_ext x = { s, slot, pk_algo, bits };
	gnutls_datum_t none = { NULL, 0 };

	if (slot >= SIGNER_OCSP_SLOTS)
		return ca_why(why, whylen, CA_EINVAL, "signer: OCSP slot %u", slot);
	return ocsp_call(&x, SIGNER_OP_OCSP_KEYGEN, pk_algo, bits, &none, spki,
	    why, whylen);
}

/* An external private key that signs with the OCSP key in slot. */
int
signer_ocsp_privkey(struct signer *s, unsigned slot, int pk_algo,
    unsigned bits, gnutls_privkey_t *out, char *why, size_t whylen)
{
	struct ocsp_ext *x;
	gnutls_privkey_t k = NULL;
	int ret;

	*out = NULL;
	if ((x = calloc(1, sizeof(*x))) == NULL || gnutls_privkey_init(&k) < 0) {
		free(x);
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	}
	*x = (struct ocsp_ext){ s, slot, pk_algo, bits };
	ret = gnutls_privkey_import_ext4(k, x, ocsp_sign_data_cb, ocsp_sign_hash_cb,
	    NULL, ocsp_deinit_cb, ocsp_info_cb, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE);
	if (ret < 0) {
		free(x);
		gnutls_privkey_deinit(k);
		return ca_why(why, whylen, CA_ECRYPTO, "signer: cannot make the OCSP key: %s",
		    gnutls_strerror(ret));
	}
	*out = k;
	return CA_OK;
}

/* Why this thread's last OCSP signature failed, and its code. */
int
signer_ocsp_last_error(const char **why)
{
	*why = ocsp_why;
	return ocsp_rc;
}

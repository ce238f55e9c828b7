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
#include "ca/signer/signer_ext.h"
#include "ca/signer/signer_wire.h"

static __thread char ocsp_why[CA_WHY_MAX];
static __thread int ocsp_rc;

/* Prefix the slot byte and call the first child (where the keys are). */
static int
ocsp_call(const struct signer_ext *x, uint32_t op, int algo, unsigned flags,
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

/* An OCSP key's round trip: the failure kept for signer_ocsp_last_error. */
static int
ocsp_key_call(const struct signer_ext *x, uint32_t op, int algo,
    unsigned flags, const gnutls_datum_t *in, gnutls_datum_t *out)
{
	ocsp_rc = ocsp_call(x, op, algo, flags, in, out, ocsp_why,
	    sizeof(ocsp_why));
	return ocsp_rc;
}

/* Make a new OCSP key in slot; *spki gets its public key (gnutls_free). */
int
signer_ocsp_keygen(struct signer *s, unsigned slot, int pk_algo,
    unsigned bits, gnutls_datum_t *spki, char *why, size_t whylen)
{
	struct signer_ext x = { .s = s, .slot = slot };
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
	struct signer_ext x = {
		.s = s, .pk_algo = pk_algo, .bits = bits, .slot = slot,
		.op_sign_hash = SIGNER_OP_OCSP_SIGN_HASH,
		.op_sign_data = SIGNER_OP_OCSP_SIGN_DATA,
		.call = ocsp_key_call,
	};

	return signer_ext_privkey(&x, "the OCSP key", out, why, whylen);
}

/* Why this thread's last OCSP signature failed, and its code. */
int
signer_ocsp_last_error(const char **why)
{
	*why = ocsp_why;
	return ocsp_rc;
}

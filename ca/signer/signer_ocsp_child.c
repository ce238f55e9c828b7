/*
 * The signer child's side of the OCSP signing keys (see signer_ocsp.c for
 * the whole story): make a key in one of two slots and answer its
 * SubjectPublicKeyInfo, sign with it. The keys live only in this
 * process's memory.
 *
 * Threads: the signer child (single threaded), after privileges are
 * dropped and seccomp is on.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "common/error.h"
#include "ca/signer/signer.h"
#include "ca/signer/signer_wire.h"

static gnutls_privkey_t ocsp_keys[SIGNER_OCSP_SLOTS];

/* Make a key in a slot and answer its SubjectPublicKeyInfo. */
static void
ocsp_child_keygen(int fd, const struct signer_wire_req *req, unsigned slot)
{
	gnutls_privkey_t k = NULL;
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t spki = { NULL, 0 };
	gnutls_pk_algorithm_t pk = (gnutls_pk_algorithm_t)req->algo;
	char why[CA_WHY_MAX];
	int ret;

	if (pk != GNUTLS_PK_RSA && pk != GNUTLS_PK_ECDSA) {
		snprintf(why, sizeof(why), "signer: OCSP key: RSA or ECDSA only");
		signer_child_reply(fd, req->id, CA_EINVAL, why, strlen(why));
		return;
	}
	if ((ret = gnutls_privkey_init(&k)) < 0 ||
	    (ret = gnutls_privkey_generate2(k, pk, req->flags, 0, NULL, 0)) < 0 ||
	    (ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_privkey(pub, k, 0, 0)) < 0 ||
	    (ret = gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &spki)) < 0) {
		snprintf(why, sizeof(why), "signer: OCSP key generation failed: %s",
		    gnutls_strerror(ret));
		signer_child_reply(fd, req->id, CA_ECRYPTO, why, strlen(why));
		gnutls_privkey_deinit(k);
		gnutls_pubkey_deinit(pub);
		return;
	}
	gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(ocsp_keys[slot]);	/* GnuTLS wipes it */
	ocsp_keys[slot] = k;
	signer_child_reply(fd, req->id, CA_OK, spki.data, spki.size);
	gnutls_free(spki.data);
}

/* Answer an OCSP op; false when req is not one. */
bool
signer_ocsp_child_op(int fd, const struct signer_wire_req *req,
    const gnutls_datum_t *data)
{
	gnutls_datum_t in, sig = { NULL, 0 };
	char why[CA_WHY_MAX];
	unsigned slot;
	int ret;

	if (req->op < 0x40 || req->op > 0x4f)
		return false;
	if (data->size < 1 || data->data[0] >= SIGNER_OCSP_SLOTS) {
		snprintf(why, sizeof(why), "signer: OCSP request without a valid key slot");
		signer_child_reply(fd, req->id, CA_EINVAL, why, strlen(why));
		return true;
	}
	slot = data->data[0];
	in.data = data->data + 1;
	in.size = data->size - 1;
	switch (req->op) {
	case SIGNER_OP_OCSP_KEYGEN:
		ocsp_child_keygen(fd, req, slot);
		return true;
	case SIGNER_OP_OCSP_SIGN_HASH:
	case SIGNER_OP_OCSP_SIGN_DATA:
		if (ocsp_keys[slot] == NULL) {
			snprintf(why, sizeof(why), "signer: no OCSP key in slot %u "
			    "(the signer restarted)", slot);
			signer_child_reply(fd, req->id, CA_ENOTFOUND, why, strlen(why));
			return true;
		}
		if (req->op == SIGNER_OP_OCSP_SIGN_DATA)
			ret = gnutls_privkey_sign_data2(ocsp_keys[slot],
			    (gnutls_sign_algorithm_t)req->algo, req->flags, &in, &sig);
		else if (req->algo == GNUTLS_SIGN_RSA_RAW)
			ret = gnutls_privkey_sign_hash2(ocsp_keys[slot], GNUTLS_SIGN_RSA_RAW,
			    GNUTLS_PRIVKEY_SIGN_FLAG_TLS1_RSA, &in, &sig);
		else
			ret = gnutls_privkey_sign_hash2(ocsp_keys[slot],
			    (gnutls_sign_algorithm_t)req->algo, req->flags, &in, &sig);
		if (ret < 0) {
			snprintf(why, sizeof(why), "signer: OCSP signature failed: %s",
			    gnutls_strerror(ret));
			signer_child_reply(fd, req->id, CA_ECRYPTO, why, strlen(why));
			return true;
		}
		signer_child_reply(fd, req->id, CA_OK, sig.data, sig.size);
		gnutls_free(sig.data);
		return true;
	default:
		snprintf(why, sizeof(why), "signer: unknown OCSP request %u", req->op);
		signer_child_reply(fd, req->id, CA_EINVAL, why, strlen(why));
		return true;
	}
}

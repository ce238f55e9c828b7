/*
 * The SCEP RA key (see signer_scep.h): the child side opens and uses it,
 * the parent side is a GnuTLS external key whose callbacks go over the
 * signer's socket with the SIGNER_OP_SCEP_* operations.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "common/error.h"
#include "ca/signer/keyfile.h"
#include "ca/signer/signer.h"
#include "ca/signer/signer_ext.h"
#include "ca/signer/signer_scep.h"
#include "ca/signer/signer_wire.h"

/* Child only: the RA key, or NULL when SCEP has none. */
static gnutls_privkey_t child_ra_key;

/* Parent: why this thread's last RA key operation failed. */
static __thread char scep_why[CA_WHY_MAX];

/* Child: open STATE/scep-ra.key if there is one. */
int
signer_scep_child_open(const char *state_dir, char *why, size_t whylen)
{
	char path[KEYFILE_PATH_MAX + 32];
	gnutls_datum_t d = { NULL, 0 };
	gnutls_x509_privkey_t xk = NULL;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", state_dir, SIGNER_SCEP_KEY_FILE);
	if (access(path, F_OK) != 0)
		return CA_OK;	/* SCEP not set up: nothing to hold */
	rc = keyfile_read(path, &d, why, whylen);
	if (rc == CA_OK)
		rc = keyfile_parse_key(&d, path, NULL, &xk, why, whylen);
	if (d.data != NULL) {
		gnutls_memset(d.data, 0, d.size);
		gnutls_free(d.data);
	}
	if (rc != CA_OK)
		return rc;
	if (gnutls_privkey_init(&child_ra_key) < 0 ||
	    gnutls_privkey_import_x509(child_ra_key, xk,
	    GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE) < 0) {
		gnutls_x509_privkey_deinit(xk);
		gnutls_privkey_deinit(child_ra_key);
		child_ra_key = NULL;
		return ca_why(why, whylen, CA_ECRYPTO, "%s: cannot load the key", path);
	}
	return CA_OK;
}

/* Child: sign a hash or decrypt a key-transport block with the RA key. */
bool
signer_scep_child_serve(uint32_t op, int algo, unsigned flags,
    const gnutls_datum_t *data, int *status, gnutls_datum_t *out,
    char *why, size_t whylen)
{
	int r;

	if (op < SIGNER_OP_SCEP_SIGN_HASH || op > SIGNER_OP_SCEP_LAST)
		return false;
	if (child_ra_key == NULL) {
		*status = ca_why(why, whylen, CA_ENOTFOUND, "signer: no SCEP RA "
		    "key (%s)", SIGNER_SCEP_KEY_FILE);
		return true;
	}
	switch (op) {
	case SIGNER_OP_SCEP_SIGN_HASH:
		/* As the CA key: RSA PKCS#1 v1.5 comes as RSA_RAW + DigestInfo. */
		if (algo == GNUTLS_SIGN_RSA_RAW)
			r = gnutls_privkey_sign_hash2(child_ra_key, GNUTLS_SIGN_RSA_RAW,
			    GNUTLS_PRIVKEY_SIGN_FLAG_TLS1_RSA, data, out);
		else
			r = gnutls_privkey_sign_hash2(child_ra_key,
			    (gnutls_sign_algorithm_t)algo, flags, data, out);
		break;
	case SIGNER_OP_SCEP_DECRYPT:
		r = gnutls_privkey_decrypt_data(child_ra_key, 0, data, out);
		break;
	default:
		*status = ca_why(why, whylen, CA_EINVAL, "signer: unknown SCEP "
		    "request %u", op);
		return true;
	}
	*status = r < 0 ? ca_why(why, whylen, CA_ECRYPTO, "signer: SCEP RA key: %s",
	    gnutls_strerror(r)) : CA_OK;
	return true;
}

/* The RA key's round trip over the signer's socket. */
static int
scep_key_call(const struct signer_ext *x, uint32_t op, int algo,
    unsigned flags, const gnutls_datum_t *in, gnutls_datum_t *out)
{
	return signer_call(x->s, op, algo, flags, in, out, scep_why,
	    sizeof(scep_why));
}

/* Build the RA's external key; see signer_scep.h. */
int
signer_scep_privkey(struct signer *s, gnutls_x509_crt_t ra_cert,
    gnutls_privkey_t *out, char *why, size_t whylen)
{
	struct signer_ext x = {
		.s = s,
		.op_sign_hash = SIGNER_OP_SCEP_SIGN_HASH,
		.op_decrypt = SIGNER_OP_SCEP_DECRYPT,
		.call = scep_key_call,
	};

	x.pk_algo = gnutls_x509_crt_get_pk_algorithm(ra_cert, &x.bits);
	return signer_ext_privkey(&x, "the SCEP RA key", out, why, whylen);
}

/*
 * Test helper shared by test_signer and the identity tool driver: issue a
 * throw-away end-entity certificate under the CA with a given private key
 * (normally the signer's external key), so that independent verifiers
 * (GnuTLS, openssl) can check the signature the signer made.
 */
#ifndef ENTCA_TEST_SIGNER_ISSUE_H
#define ENTCA_TEST_SIGNER_ISSUE_H

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>

/* Digest for an issuer key: SHA-384 for P-384 keys, SHA-256 otherwise. */
static inline gnutls_digest_algorithm_t
test_digest_for(gnutls_privkey_t key)
{
	unsigned bits = 0;
	int pk = gnutls_privkey_get_pk_algorithm(key, &bits);

	return pk == GNUTLS_PK_ECDSA && bits > 256 ? GNUTLS_DIG_SHA384 :
	    GNUTLS_DIG_SHA256;
}

/* Issue a leaf signed by ca/cakey; *out is PEM (gnutls_free). GnuTLS code. */
static inline int
test_issue_leaf(gnutls_x509_crt_t ca, gnutls_privkey_t cakey, const char *cn,
    gnutls_x509_crt_t *crt_out, gnutls_datum_t *out)
{
	gnutls_x509_privkey_t xk = NULL;
	gnutls_x509_crt_t crt = NULL;
	unsigned char serial[12];
	char dn[128];
	time_t now = time(NULL);
	int ret;

	ret = gnutls_x509_privkey_init(&xk);
	if (ret >= 0)
		ret = gnutls_x509_privkey_generate(xk, GNUTLS_PK_ECDSA,
		    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
	if (ret >= 0)
		ret = gnutls_x509_crt_init(&crt);
	if (ret < 0)
		goto out;
	snprintf(dn, sizeof(dn), "CN=%s", cn);
	gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial));
	serial[0] = (serial[0] & 0x7f) | 0x40;
	ret = gnutls_x509_crt_set_dn(crt, dn, NULL);
	if (ret >= 0)
		ret = gnutls_x509_crt_set_version(crt, 3);
	if (ret >= 0)
		ret = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
	if (ret >= 0)
		ret = gnutls_x509_crt_set_activation_time(crt, now - 60);
	if (ret >= 0)
		ret = gnutls_x509_crt_set_expiration_time(crt, now + 86400);
	if (ret >= 0)
		ret = gnutls_x509_crt_set_key(crt, xk);
	if (ret >= 0)
		ret = gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
	if (ret >= 0)
		ret = gnutls_x509_crt_set_key_purpose_oid(crt,
		    GNUTLS_KP_TLS_WWW_CLIENT, 0);
	if (ret >= 0)
		ret = gnutls_x509_crt_privkey_sign(crt, ca, cakey,
		    test_digest_for(cakey), 0);
	if (ret >= 0 && out != NULL)
		ret = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, out);
	if (ret >= 0 && crt_out != NULL) {
		/* A parsed copy: GnuTLS verifies cached DER, not edits. */
		gnutls_datum_t der = { NULL, 0 };

		ret = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der);
		if (ret >= 0)
			ret = gnutls_x509_crt_init(crt_out);
		if (ret >= 0)
			ret = gnutls_x509_crt_import(*crt_out, &der,
			    GNUTLS_X509_FMT_DER);
		gnutls_free(der.data);
	}
out:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	if (xk != NULL)
		gnutls_x509_privkey_deinit(xk);
	return ret;
}

#endif

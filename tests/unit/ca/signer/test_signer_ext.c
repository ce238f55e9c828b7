/*
 * Tests of ca/signer/signer_ext.c: the one GnuTLS sign callback of the
 * external keys asks the family for the right operation. Here the
 * family's round trip signs in this process with a key of its own, as
 * the signer child does with the CA key, so every signature algorithm
 * (RSA PKCS#1 v1.5, RSA-PSS, ECDSA, Ed25519) is checked end to end: the
 * operation the callback chose, and that the signature verifies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "common/error.h"
#include "ca/signer/signer_ext.h"

#define OP_HASH 1	/* what a family calls its sign-hash op */
#define OP_DATA 2	/* and its sign-data op */

static gnutls_privkey_t family_key;	/* the key the round trip signs with */
static uint32_t family_op;		/* the op of the last round trip */

/* The family's round trip: sign in here, as the child would. */
static int
family_call(const struct signer_ext *x, uint32_t op, int algo, unsigned flags,
    const gnutls_datum_t *in, gnutls_datum_t *out)
{
	int ret;

	(void)x;
	family_op = op;
	if (op == OP_DATA)
		ret = gnutls_privkey_sign_data2(family_key,
		    (gnutls_sign_algorithm_t)algo, flags, in, out);
	else if (algo == GNUTLS_SIGN_RSA_RAW)
		ret = gnutls_privkey_sign_hash2(family_key, GNUTLS_SIGN_RSA_RAW,
		    GNUTLS_PRIVKEY_SIGN_FLAG_TLS1_RSA, in, out);
	else
		ret = gnutls_privkey_sign_hash2(family_key,
		    (gnutls_sign_algorithm_t)algo, flags, in, out);
	return ret < 0 ? CA_ECRYPTO : CA_OK;
}

/*
 * Make a family key of pk and bits, sign a message with algo through an
 * external key over it (data ops offered when with_data), and return the
 * op the callback chose; the signature must verify.
 */
static uint32_t
sign_through_ext(gnutls_pk_algorithm_t pk, unsigned bits,
    gnutls_sign_algorithm_t algo, bool with_data)
{
	struct signer_ext x = {
		.pk_algo = pk, .bits = bits, .op_sign_hash = OP_HASH,
		.op_sign_data = with_data ? OP_DATA : 0, .call = family_call,
	};
	gnutls_datum_t msg = { (unsigned char *)"to be signed", 12 };
	gnutls_datum_t sig = { NULL, 0 };
	gnutls_privkey_t ext = NULL;
	gnutls_pubkey_t pub = NULL;
	char why[CA_WHY_MAX] = "";

	assert_int_equal(gnutls_privkey_init(&family_key), 0);
	assert_int_equal(gnutls_privkey_generate2(family_key, pk, bits, 0,
	    NULL, 0), 0);
	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	assert_int_equal(gnutls_pubkey_import_privkey(pub, family_key, 0, 0), 0);
	if (signer_ext_privkey(&x, "the test key", &ext, why, sizeof(why)) != CA_OK)
		fail_msg("%s", why);
	family_op = 0;
	assert_int_equal(gnutls_privkey_sign_data2(ext, algo, 0, &msg, &sig), 0);
	assert_int_equal(gnutls_pubkey_verify_data2(pub, algo, 0, &msg, &sig), 0);
	gnutls_free(sig.data);
	gnutls_privkey_deinit(ext);
	gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(family_key);
	family_key = NULL;
	return family_op;
}

/* Hashing schemes reach the family as its sign-hash op. */
static void
test_hash_schemes(void **state)
{
	(void)state;
	assert_int_equal(sign_through_ext(GNUTLS_PK_RSA, 2048,
	    GNUTLS_SIGN_RSA_SHA256, true), OP_HASH);
	assert_int_equal(sign_through_ext(GNUTLS_PK_RSA, 2048,
	    GNUTLS_SIGN_RSA_PSS_RSAE_SHA256, true), OP_HASH);
	assert_int_equal(sign_through_ext(GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
	    GNUTLS_SIGN_ECDSA_SHA256, true), OP_HASH);
}

/* A family that signs hashes only (the SCEP RA key) still signs them. */
static void
test_hash_only_family(void **state)
{
	(void)state;
	assert_int_equal(sign_through_ext(GNUTLS_PK_RSA, 2048,
	    GNUTLS_SIGN_RSA_SHA256, false), OP_HASH);
}

/* EdDSA signs the message itself: the family's sign-data op. */
static void
test_eddsa_signs_message(void **state)
{
	(void)state;
	assert_int_equal(sign_through_ext(GNUTLS_PK_EDDSA_ED25519, 256,
	    GNUTLS_SIGN_EDDSA_ED25519, true), OP_DATA);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_schemes),
		cmocka_unit_test(test_hash_only_family),
		cmocka_unit_test(test_eddsa_signs_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

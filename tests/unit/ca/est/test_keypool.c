/*
 * Tests of ca/est/est_keypool.c: keys made ahead for serverkeygen. Driven
 * without the filler thread (est_keypool_fill_one runs its step here) so
 * nothing depends on timing, plus one run with the real thread that waits
 * for the key itself. keypool_hands_each_key_once, keypool_fills_only_
 * asked_kinds, keypool_bounded_kinds, keypool_filler_thread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/error.h"
#include "ca/est/est_keypool.h"

#define P256_BITS GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1)
#define P384_BITS GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1)

/* The DER of a key, to tell two keys apart. */
static void
key_der(gnutls_x509_privkey_t k, unsigned char *buf, size_t *len)
{
	assert_int_equal(gnutls_x509_privkey_export(k, GNUTLS_X509_FMT_DER,
	    buf, len), 0);
}

/* A kind is remembered at the first take, filled to its count, handed once. */
static void
test_hands_each_key_once(void **state)
{
	struct est_keypool *p = NULL;
	gnutls_x509_privkey_t a, b;
	unsigned char da[4096], db[4096];
	size_t la = sizeof(da), lb = sizeof(db);
	unsigned bits = 0;

	(void)state;
	assert_int_equal(est_keypool_new(0, false, &p), CA_EINVAL);
	assert_int_equal(est_keypool_new(EST_KEYPOOL_MAX + 1, false, &p), CA_EINVAL);
	assert_int_equal(est_keypool_new(2, false, &p), CA_OK);
	assert_false(est_keypool_fill_one(p));	/* nothing asked for yet */
	assert_null(est_keypool_take(p, GNUTLS_PK_RSA, 2048));
	assert_true(est_keypool_fill_one(p));
	assert_true(est_keypool_fill_one(p));
	assert_false(est_keypool_fill_one(p));	/* full at its count */
	assert_int_equal(est_keypool_ready(p, GNUTLS_PK_RSA, 2048), 2);
	a = est_keypool_take(p, GNUTLS_PK_RSA, 2048);
	b = est_keypool_take(p, GNUTLS_PK_RSA, 2048);
	assert_non_null(a);
	assert_non_null(b);
	assert_null(est_keypool_take(p, GNUTLS_PK_RSA, 2048));
	assert_int_equal(gnutls_x509_privkey_get_pk_algorithm2(a, &bits), GNUTLS_PK_RSA);
	assert_int_equal(bits, 2048);
	key_der(a, da, &la);
	key_der(b, db, &lb);
	assert_false(la == lb && memcmp(da, db, la) == 0);
	gnutls_x509_privkey_deinit(a);
	gnutls_x509_privkey_deinit(b);
	est_keypool_free(p);
}

/* Only kinds asked for are made, of the kind asked for. */
static void
test_fills_only_asked_kinds(void **state)
{
	struct est_keypool *p = NULL;
	gnutls_x509_privkey_t k;
	unsigned bits = 0;

	(void)state;
	assert_int_equal(est_keypool_new(1, false, &p), CA_OK);
	assert_null(est_keypool_take(p, GNUTLS_PK_ECDSA, P256_BITS));
	assert_true(est_keypool_fill_one(p));
	assert_false(est_keypool_fill_one(p));
	assert_int_equal(est_keypool_ready(p, GNUTLS_PK_ECDSA, P384_BITS), 0);
	assert_int_equal(est_keypool_ready(p, GNUTLS_PK_RSA, 2048), 0);
	assert_null(est_keypool_take(p, GNUTLS_PK_ECDSA, P384_BITS));
	k = est_keypool_take(p, GNUTLS_PK_ECDSA, P256_BITS);
	assert_non_null(k);
	assert_int_equal(gnutls_x509_privkey_get_pk_algorithm2(k, &bits), GNUTLS_PK_ECDSA);
	assert_int_equal(bits, 256);
	gnutls_x509_privkey_deinit(k);
	/* P-384 was asked for meanwhile: both kinds are refilled, no more. */
	assert_true(est_keypool_fill_one(p));
	assert_true(est_keypool_fill_one(p));
	assert_false(est_keypool_fill_one(p));
	assert_int_equal(est_keypool_ready(p, GNUTLS_PK_ECDSA, P384_BITS), 1);
	assert_int_equal(est_keypool_ready(p, GNUTLS_PK_ECDSA, P256_BITS), 1);
	est_keypool_free(p);	/* frees the keys still held */
}

/* At most EST_KEYPOOL_KINDS kinds are kept; more are made at request time. */
static void
test_bounded_kinds(void **state)
{
	struct est_keypool *p = NULL;
	unsigned made = 0;

	(void)state;
	assert_int_equal(est_keypool_new(1, false, &p), CA_OK);
	for (unsigned i = 0; i < EST_KEYPOOL_KINDS + 2; i++)
		assert_null(est_keypool_take(p, GNUTLS_PK_ECDSA, 100 + i));
	/* The unknown sizes fail to generate; count the attempts instead. */
	assert_null(est_keypool_take(p, GNUTLS_PK_ECDSA, P256_BITS));
	while (est_keypool_fill_one(p) && made < 16)
		made++;
	assert_int_equal(est_keypool_ready(p, GNUTLS_PK_ECDSA, P256_BITS), 0);
	est_keypool_free(p);
}

/* The real filler thread makes the key a take asked for. */
static void
test_filler_thread(void **state)
{
	struct est_keypool *p = NULL;
	gnutls_x509_privkey_t k;

	(void)state;
	assert_int_equal(est_keypool_new(1, true, &p), CA_OK);
	assert_null(est_keypool_take(p, GNUTLS_PK_ECDSA, P256_BITS));
	/* Wait for the key itself; the bound only ends a hang (60 s). */
	for (int i = 0; i < 6000 && est_keypool_ready(p, GNUTLS_PK_ECDSA, P256_BITS) == 0; i++)
		usleep(10000);
	k = est_keypool_take(p, GNUTLS_PK_ECDSA, P256_BITS);
	assert_non_null(k);
	gnutls_x509_privkey_deinit(k);
	est_keypool_free(p);	/* joins the thread */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hands_each_key_once),
		cmocka_unit_test(test_fills_only_asked_kinds),
		cmocka_unit_test(test_bounded_kinds),
		cmocka_unit_test(test_filler_thread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Test helper shared by test_crl_build.c, crl_tool.c and the benchmark: an
 * external GnuTLS private key (gnutls_privkey_import_ext4) whose callbacks
 * forward to a real key, the way ca/'s signer client forwards to the signer
 * process. GnuTLS 3.7.9 needs both sign callbacks and an info callback that
 * answers algorithm, bits and supported signature algorithms (a NULL
 * hash callback crashes its certificate signer). Counts the calls so tests can see which path GnuTLS took.
 * Header-only (static functions); one key per struct; not thread-safe.
 */
#ifndef ENTCA_TESTS_CRL_EXTKEY_H
#define ENTCA_TESTS_CRL_EXTKEY_H

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

/* The real key behind an external key, and call counters. */
struct test_extkey {
	gnutls_privkey_t real;
	int pk;
	unsigned bits;
	unsigned sign_data_calls;
	unsigned sign_hash_calls;
	size_t last_input_len;	/* octets handed to the "signer" last */
};

/* Count one call of the "signer" and the size of what it was handed. */
static void
test_extkey_count(struct test_extkey *x, unsigned *calls,
    const gnutls_datum_t *in)
{
	(*calls)++;
	x->last_input_len = in->size;
}

/* Sign whole data with the real key (Ed25519 and friends). */
static int
test_extkey_sign_data(gnutls_privkey_t key, gnutls_sign_algorithm_t algo,
    void *userdata, unsigned int flags, const gnutls_datum_t *data,
    gnutls_datum_t *sig)
{
	struct test_extkey *x = userdata;

	(void)key;
	test_extkey_count(x, &x->sign_data_calls, data);
	return gnutls_privkey_sign_data2(x->real, algo, flags, data, sig);
}

/* Sign a digest with the real key; RSA_RAW means a DigestInfo. */
static int
test_extkey_sign_hash(gnutls_privkey_t key, gnutls_sign_algorithm_t algo,
    void *userdata, unsigned int flags, const gnutls_datum_t *hash,
    gnutls_datum_t *sig)
{
	struct test_extkey *x = userdata;
	/* A DigestInfo is signed as TLS 1.0 RSA signs one: PKCS#1 v1.5. */
	unsigned int raw = algo == GNUTLS_SIGN_RSA_RAW ?
	    GNUTLS_PRIVKEY_SIGN_FLAG_TLS1_RSA : 0;

	(void)key;
	test_extkey_count(x, &x->sign_hash_calls, hash);
	return gnutls_privkey_sign_hash2(x->real, algo, flags | raw, hash, sig);
}

/* Answer the algorithm, the bits and which signature algorithms work. */
static int
test_extkey_info(gnutls_privkey_t key, unsigned int flags, void *userdata)
{
	struct test_extkey *x = userdata;
	gnutls_sign_algorithm_t algo;

	(void)key;
	if (flags & GNUTLS_PRIVKEY_INFO_PK_ALGO)
		return x->pk;
	if (flags & GNUTLS_PRIVKEY_INFO_PK_ALGO_BITS)
		return (int)x->bits;
	if (flags & GNUTLS_PRIVKEY_INFO_HAVE_SIGN_ALGO) {
		algo = GNUTLS_FLAGS_TO_SIGN_ALGO(flags);
		return gnutls_sign_supports_pk_algorithm(algo,
		    (gnutls_pk_algorithm_t)x->pk) ? 1 : 0;
	}
	return -1;
}

/*
 * Wrap x->real (set by the caller) in a new external key in *out.
 * Returns a GnuTLS code; free *out with gnutls_privkey_deinit() before
 * x->real.
 */
static int
test_extkey_wrap(struct test_extkey *x, gnutls_privkey_t *out)
{
	int ret;

	x->pk = gnutls_privkey_get_pk_algorithm(x->real, &x->bits);
	if (x->pk < 0)
		return x->pk;
	if ((ret = gnutls_privkey_init(out)) < 0)
		return ret;
	ret = gnutls_privkey_import_ext4(*out, x, test_extkey_sign_data,
	    test_extkey_sign_hash, NULL, NULL, test_extkey_info, 0);
	if (ret < 0) {
		gnutls_privkey_deinit(*out);
		*out = NULL;
	}
	return ret;
}

#endif

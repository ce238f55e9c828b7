/*
 * SCEP's CMS code (ca/scep/scep_cms.c, scep_msg.c) on hostile input:
 * envelopes sealed and opened with every cipher, refused when for another
 * recipient, with an algorithm not allowed, truncated or with a flipped
 * byte; pkiMessages built and parsed back, refused when their signature
 * is broken or their attributes are missing; content-less CertReps.
 * Keys are made here; no daemon, no signer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "common/error.h"
#include "ca/scep/scep_cms.h"
#include "ca/scep/scep_msg.h"

/* One RSA key and a self-signed certificate for it. */
struct party {
	gnutls_x509_privkey_t xk;
	gnutls_privkey_t key;
	gnutls_x509_crt_t crt;
};

static struct party ra, client, other;
static char why[CA_WHY_MAX];

/* Make a party with a 2048-bit key (SCEP's key transport is RSA). */
static void
party_make(struct party *p, const char *dn)
{
	unsigned char serial[] = { 0x01, 0x23 };

	assert_int_equal(gnutls_x509_privkey_init(&p->xk), 0);
	assert_int_equal(gnutls_x509_privkey_generate(p->xk, GNUTLS_PK_RSA, 2048, 0), 0);
	assert_int_equal(gnutls_privkey_init(&p->key), 0);
	assert_int_equal(gnutls_privkey_import_x509(p->key, p->xk, 0), 0);
	assert_int_equal(gnutls_x509_crt_init(&p->crt), 0);
	gnutls_x509_crt_set_version(p->crt, 3);
	assert_int_equal(gnutls_x509_crt_set_dn(p->crt, dn, NULL), 0);
	gnutls_x509_crt_set_serial(p->crt, serial, sizeof(serial));
	gnutls_x509_crt_set_activation_time(p->crt, time(NULL) - 60);
	gnutls_x509_crt_set_expiration_time(p->crt, time(NULL) + 86400);
	gnutls_x509_crt_set_key(p->crt, p->xk);
	assert_int_equal(gnutls_x509_crt_sign2(p->crt, p->crt, p->xk, GNUTLS_DIG_SHA256, 0), 0);
}

/* Group set-up: three parties. */
static int
setup(void **state)
{
	(void)state;
	party_make(&ra, "CN=test RA");
	party_make(&client, "CN=scep client");
	party_make(&other, "CN=someone else");
	return 0;
}

static const char secret[] = "a PKCS#10 would be here; any bytes do for the envelope";

/* Seal to the RA, open with its key, for every cipher. */
static void
test_envelope_roundtrip(void **state)
{
	(void)state;
	for (int c = 0; c < SCEP_CIPHER_COUNT; c++) {
		unsigned char *env = NULL, *pt = NULL;
		size_t envlen, ptlen;
		enum scep_cipher got;

		assert_int_equal(scep_envelope_seal((const unsigned char *)secret,
		    sizeof(secret), ra.crt, c, &env, &envlen, why, sizeof(why)), CA_OK);
		assert_int_equal(scep_envelope_open(env, envlen, ra.crt, ra.key, true, true,
		    &pt, &ptlen, &got, why, sizeof(why)), CA_OK);
		assert_int_equal(got, c);
		assert_int_equal(ptlen, sizeof(secret));
		assert_memory_equal(pt, secret, ptlen);
		free(env);
		free(pt);
	}
}

/* What is not for us, not allowed, cut short or tampered is refused. */
static void
test_envelope_hostile(void **state)
{
	unsigned char *env = NULL, *pt = NULL, *bad;
	size_t envlen, ptlen;
	enum scep_cipher got;
	int rc;

	(void)state;
	/* For another recipient: the RA does not find itself. */
	assert_int_equal(scep_envelope_seal((const unsigned char *)secret, sizeof(secret),
	    other.crt, SCEP_CIPHER_AES128, &env, &envlen, why, sizeof(why)), CA_OK);
	assert_int_equal(scep_envelope_open(env, envlen, ra.crt, ra.key, false, false,
	    &pt, &ptlen, &got, why, sizeof(why)), CA_ENOTFOUND);
	assert_non_null(strstr(why, "RA certificate"));
	free(env);
	/* 3DES and DES only when allowed: badAlg. */
	assert_int_equal(scep_envelope_seal((const unsigned char *)secret, sizeof(secret),
	    ra.crt, SCEP_CIPHER_3DES, &env, &envlen, why, sizeof(why)), CA_OK);
	assert_int_equal(scep_envelope_open(env, envlen, ra.crt, ra.key, false, true,
	    &pt, &ptlen, &got, why, sizeof(why)), CA_EPOLICY);
	assert_non_null(strstr(why, "allow-3des"));
	free(env);
	assert_int_equal(scep_envelope_seal((const unsigned char *)secret, sizeof(secret),
	    ra.crt, SCEP_CIPHER_DES, &env, &envlen, why, sizeof(why)), CA_OK);
	assert_int_equal(scep_envelope_open(env, envlen, ra.crt, ra.key, true, false,
	    &pt, &ptlen, &got, why, sizeof(why)), CA_EPOLICY);
	free(env);
	/* Truncated at every length: refused, never a crash. */
	assert_int_equal(scep_envelope_seal((const unsigned char *)secret, sizeof(secret),
	    ra.crt, SCEP_CIPHER_AES256, &env, &envlen, why, sizeof(why)), CA_OK);
	for (size_t n = 0; n < envlen; n++)
		assert_int_not_equal(scep_envelope_open(env, n, ra.crt, ra.key, false, false,
		    &pt, &ptlen, &got, why, sizeof(why)), CA_OK);
	/*
	 * The padding byte changed: the padding check fails. In CBC a byte of
	 * the next-to-last ciphertext block flips the same bit of the last
	 * plaintext block, so the padding byte (1..16) becomes 0x4b..0x5a,
	 * never valid. (Flipping a byte of the last block instead garbles that
	 * block at random: valid padding one time in ~250, a flaky test.)
	 */
	bad = malloc(envlen);
	memcpy(bad, env, envlen);
	bad[envlen - 1 - 16] ^= 0x5a;
	assert_int_equal(scep_envelope_open(bad, envlen, ra.crt, ra.key, false, false,
	    &pt, &ptlen, &got, why, sizeof(why)), CA_ECRYPTO);
	/* The encrypted key tampered: the same answer (no padding oracle). */
	memcpy(bad, env, envlen);
	for (size_t i = 0; i + 4 < envlen; i++)
		if (bad[i] == 0x04 && bad[i + 1] == 0x82 && bad[i + 2] == 0x01 && bad[i + 3] == 0x00) {
			bad[i + 40] ^= 0xff;	/* inside the 256-byte encryptedKey */
			break;
		}
	/*
	 * The key unwrap failed silently and a random key went on
	 * (Bleichenbacher): the content's padding then fails as above, except
	 * one time in ~250 when the garbled last block happens to end in
	 * valid padding; never is the secret recovered.
	 */
	pt = NULL;
	rc = scep_envelope_open(bad, envlen, ra.crt, ra.key, false, false,
	    &pt, &ptlen, &got, why, sizeof(why));
	if (rc == CA_OK)
		assert_false(ptlen == sizeof(secret) &&
		    memcmp(pt, secret, ptlen) == 0);
	else
		assert_int_equal(rc, CA_ECRYPTO);
	free(pt);
	free(bad);
	free(env);
	assert_int_equal(scep_envelope_open((const unsigned char *)"garbage", 7, ra.crt,
	    ra.key, false, false, &pt, &ptlen, &got, why, sizeof(why)), CA_EPARSE);
}

/* A PKCSReq built and parsed back: attributes, signer and content. */
static void
test_msg_roundtrip(void **state)
{
	struct scep_msg m, p;
	unsigned char *der = NULL;
	size_t len;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = SCEP_PKCSREQ;
	snprintf(m.txid, sizeof(m.txid), "tx-1");
	m.have_sender_nonce = true;
	memset(m.sender_nonce, 7, sizeof(m.sender_nonce));
	m.status = m.fail_info = -1;
	assert_int_equal(scep_msg_build(&m, (const unsigned char *)secret, sizeof(secret),
	    client.crt, client.key, GNUTLS_DIG_SHA256, &der, &len, why, sizeof(why)), CA_OK);
	assert_int_equal(scep_msg_parse(der, len, false, &p, why, sizeof(why)), CA_OK);
	assert_int_equal(p.type, SCEP_PKCSREQ);
	assert_string_equal(p.txid, "tx-1");
	assert_true(p.have_sender_nonce);
	assert_memory_equal(p.sender_nonce, m.sender_nonce, SCEP_NONCE_LEN);
	assert_int_equal(p.content_len, sizeof(secret));
	assert_memory_equal(p.content, secret, sizeof(secret));
	assert_non_null(p.signer);
	scep_msg_clear(&p);
	/* A flipped byte in the signature: badMessageCheck, attributes kept. */
	der[len - 10] ^= 1;
	assert_int_equal(scep_msg_parse(der, len, false, &p, why, sizeof(why)), CA_ECRYPTO);
	assert_string_equal(p.txid, "tx-1");
	scep_msg_clear(&p);
	free(der);
	/* SHA-1 only when allowed: badAlg. */
	assert_int_equal(scep_msg_build(&m, (const unsigned char *)secret, sizeof(secret),
	    client.crt, client.key, GNUTLS_DIG_SHA1, &der, &len, why, sizeof(why)), CA_OK);
	assert_int_equal(scep_msg_parse(der, len, false, &p, why, sizeof(why)), CA_EPOLICY);
	scep_msg_clear(&p);
	assert_int_equal(scep_msg_parse(der, len, true, &p, why, sizeof(why)), CA_OK);
	scep_msg_clear(&p);
	free(der);
	/* Not a pkiMessage at all, and nothing. */
	assert_int_equal(scep_msg_parse((const unsigned char *)"\x30\x03\x02\x01\x00", 5,
	    false, &p, why, sizeof(why)), CA_EPARSE);
	assert_int_equal(scep_msg_parse(NULL, 0, false, &p, why, sizeof(why)), CA_EPARSE);
}

/* A FAILURE CertRep has no envelope and carries failInfo and its text. */
static void
test_certrep_failure(void **state)
{
	struct scep_msg m, p;
	unsigned char *der = NULL;
	size_t len;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = SCEP_CERTREP;
	snprintf(m.txid, sizeof(m.txid), "tx-2");
	m.status = SCEP_FAILURE;
	m.fail_info = SCEP_BAD_REQUEST;
	snprintf(m.fail_text, sizeof(m.fail_text), "challengePassword: already used");
	assert_int_equal(scep_msg_build(&m, NULL, 0, ra.crt, ra.key, GNUTLS_DIG_SHA256,
	    &der, &len, why, sizeof(why)), CA_OK);
	(void)scep_msg_parse(der, len, false, &p, why, sizeof(why));
	assert_int_equal(p.type, SCEP_CERTREP);
	assert_int_equal(p.status, SCEP_FAILURE);
	assert_int_equal(p.fail_info, SCEP_BAD_REQUEST);
	assert_string_equal(p.fail_text, "challengePassword: already used");
	assert_null(p.content);
	scep_msg_clear(&p);
	free(der);
}

/* The small bodies: CertPoll's IssuerAndSubject, GetCert's serial. */
static void
test_bodies(void **state)
{
	unsigned char name[] = { 0x30, 0x00 }, sn[] = { 0x00, 0x80, 0x01 };
	unsigned char a[SCEP_NAME_MAX], b[SCEP_NAME_MAX], *der = NULL;
	size_t alen, blen, len;

	(void)state;
	assert_int_equal(scep_issuer_pair_build(name, 2, sn, 3, false, &der, &len, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(scep_issuer_serial_parse(der, len, a, &alen, b, &blen, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(blen, 2);	/* the sign byte is not part of the serial */
	assert_int_equal(b[0], 0x80);
	free(der);
	assert_int_equal(scep_issuer_pair_build(name, 2, name, 2, true, &der, &len, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(scep_issuer_subject_parse(der, len, a, &alen, b, &blen, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(scep_issuer_subject_parse(der, len - 1, a, &alen, b, &blen, why,
	    sizeof(why)), CA_EPARSE);
	free(der);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_envelope_roundtrip),
		cmocka_unit_test(test_envelope_hostile),
		cmocka_unit_test(test_msg_roundtrip),
		cmocka_unit_test(test_certrep_failure),
		cmocka_unit_test(test_bodies),
	};

	gnutls_global_init();
	return cmocka_run_group_tests(tests, setup, NULL);
}

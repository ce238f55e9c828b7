/*
 * Unit tests for crl/der.c, crl/reason.c and crl/sigalg.c: DER length and
 * INTEGER edge cases (high-bit pad, leading zeros, 20-octet serials), the
 * UTCTime/GeneralizedTime switch at 2050, reason names, and the exact
 * AlgorithmIdentifier bytes for each key type.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "common/error.h"
#include "crl/crl.h"
#include "crl/der.h"
#include "crl/reason.h"
#include "crl/sigalg.h"

/* Encode mag as an INTEGER and compare with the expected TLV. */
static void
check_uint(const unsigned char *mag, size_t n, const unsigned char *want,
    size_t wlen)
{
	unsigned char buf[64], *end;

	memset(buf, 0xee, sizeof(buf));
	end = crl_der_put_uint(buf, mag, n);
	assert_int_equal((size_t)(end - buf), wlen);
	assert_memory_equal(buf, want, wlen);
	assert_int_equal(der_tlv_size(crl_der_uint_content_size(mag, n)),
	    wlen);
	assert_int_equal(buf[wlen], 0xee);	/* nothing written past */
}

/* Length fields: short form to 127, then 0x81, 0x82, 0x83, 0x84. */
static void
test_lengths(void **state)
{
	static const struct {
		size_t len;
		unsigned char hdr[6];
		size_t hlen;
	} cases[] = {
		{ 0, { 0x30, 0x00 }, 2 },
		{ 127, { 0x30, 0x7f }, 2 },
		{ 128, { 0x30, 0x81, 0x80 }, 3 },
		{ 255, { 0x30, 0x81, 0xff }, 3 },
		{ 256, { 0x30, 0x82, 0x01, 0x00 }, 4 },
		{ 65535, { 0x30, 0x82, 0xff, 0xff }, 4 },
		{ 65536, { 0x30, 0x83, 0x01, 0x00, 0x00 }, 5 },
		{ 16777216, { 0x30, 0x84, 0x01, 0x00, 0x00, 0x00 }, 6 },
	};
	unsigned char buf[8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char *e = der_put_header(buf, 0x30, cases[i].len);

		assert_int_equal((size_t)(e - buf), cases[i].hlen);
		assert_memory_equal(buf, cases[i].hdr, cases[i].hlen);
		assert_int_equal(der_len_size(cases[i].len),
		    cases[i].hlen - 1);
		assert_int_equal(der_tlv_size(cases[i].len),
		    cases[i].hlen + cases[i].len);
	}
}

/* Serial numbers: pad, strip, zero, 20 octets with and without top bit. */
static void
test_uint(void **state)
{
	unsigned char mag[21], want[32];

	(void)state;
	check_uint((const unsigned char[]){ 0x01 }, 1,
	    (const unsigned char[]){ 0x02, 0x01, 0x01 }, 3);
	/* Top bit set: one 0x00 pad keeps it positive. */
	check_uint((const unsigned char[]){ 0x80 }, 1,
	    (const unsigned char[]){ 0x02, 0x02, 0x00, 0x80 }, 4);
	check_uint((const unsigned char[]){ 0xff, 0x01 }, 2,
	    (const unsigned char[]){ 0x02, 0x03, 0x00, 0xff, 0x01 }, 5);
	/* Leading zeros dropped, but one kept when the next has the top bit. */
	check_uint((const unsigned char[]){ 0x00, 0x00, 0x7f }, 3,
	    (const unsigned char[]){ 0x02, 0x01, 0x7f }, 3);
	check_uint((const unsigned char[]){ 0x00, 0x00, 0x80, 0x00 }, 4,
	    (const unsigned char[]){ 0x02, 0x03, 0x00, 0x80, 0x00 }, 5);
	/* Zero is one 0x00 octet. */
	check_uint((const unsigned char[]){ 0x00, 0x00 }, 2,
	    (const unsigned char[]){ 0x02, 0x01, 0x00 }, 3);
	check_uint(NULL, 0, (const unsigned char[]){ 0x02, 0x01, 0x00 }, 3);
	/* 20 octets, top bit clear: 20 content octets. */
	memset(mag, 0x7f, 20);
	want[0] = 0x02; want[1] = 20;
	memcpy(want + 2, mag, 20);
	check_uint(mag, 20, want, 22);
	/* 20 octets, top bit set: 21 content octets. */
	memset(mag, 0xa5, 20);
	want[0] = 0x02; want[1] = 21; want[2] = 0x00;
	memcpy(want + 3, mag, 20);
	check_uint(mag, 20, want, 23);
	/* The same serial as a certificate's DER content (pad included). */
	mag[0] = 0x00;
	memset(mag + 1, 0xa5, 20);
	check_uint(mag, 21, want, 23);
}

/* uint64 INTEGERs: 0, 127, 128, 2^63, UINT64_MAX. */
static void
test_u64(void **state)
{
	unsigned char buf[16], *e;

	(void)state;
	e = crl_der_put_u64(buf, 0);
	assert_int_equal(e - buf, 3);
	assert_memory_equal(buf, "\x02\x01\x00", 3);
	e = crl_der_put_u64(buf, 127);
	assert_memory_equal(buf, "\x02\x01\x7f", 3);
	e = crl_der_put_u64(buf, 128);
	assert_int_equal(e - buf, 4);
	assert_memory_equal(buf, "\x02\x02\x00\x80", 4);
	e = crl_der_put_u64(buf, 256);
	assert_memory_equal(buf, "\x02\x02\x01\x00", 4);
	e = crl_der_put_u64(buf, UINT64_MAX);
	assert_int_equal(e - buf, 11);
	assert_memory_equal(buf, "\x02\x09\x00\xff\xff\xff\xff\xff\xff\xff\xff", 11);
	assert_int_equal(crl_der_u64_content_size(UINT64_MAX), 9);
	assert_int_equal(crl_der_u64_content_size((uint64_t)1 << 63), 9);
	assert_int_equal(crl_der_u64_content_size(((uint64_t)1 << 63) - 1), 8);
}

/* Encode t with put_time and compare tag, length and text. */
static void
check_time(int64_t t, unsigned char tag, const char *text)
{
	unsigned char buf[32], *e;
	size_t n = strlen(text);

	e = crl_der_put_time(buf, t);
	assert_int_equal((size_t)(e - buf), n + 2);
	assert_int_equal(crl_der_time_size(t), n + 2);
	assert_int_equal(buf[0], tag);
	assert_int_equal(buf[1], n);
	assert_memory_equal(buf + 2, text, n);
}

/* The 2049/2050 switch and calendar corners. */
static void
test_times(void **state)
{
	unsigned char buf[32];

	(void)state;
	check_time(0, 0x17, "700101000000Z");
	check_time(CRL_TIME_MIN, 0x17, "500101000000Z");
	check_time(2524607999, 0x17, "491231235959Z");	/* last UTCTime */
	check_time(2524608000, 0x18, "20500101000000Z");	/* first GeneralizedTime */
	check_time(951782400, 0x17, "000229000000Z");	/* 2000-02-29 */
	check_time(1709251199, 0x17, "240229235959Z");	/* 2024-02-29 */
	check_time(4107542400, 0x18, "21000301000000Z");	/* 2100: no Feb 29 */
	check_time(CRL_TIME_MAX, 0x18, "99991231235959Z");
	check_time(-1, 0x17, "691231235959Z");
	check_time(1800000000, 0x17, "270115080000Z");
	/* invalidityDate is always GeneralizedTime. */
	assert_int_equal(crl_der_put_gentime(buf, 1800000000) - buf, 17);
	assert_memory_equal(buf, "\x18\x0f" "20270115080000Z", 17);
	assert_true(crl_der_time_ok(CRL_TIME_MIN));
	assert_false(crl_der_time_ok(CRL_TIME_MIN - 1));
	assert_true(crl_der_time_ok(CRL_TIME_MAX));
	assert_false(crl_der_time_ok(CRL_TIME_MAX + 1));
}

/* Reason names: every RFC 5280 code round-trips; 7 and out of range fail. */
static void
test_reasons(void **state)
{
	char why[CA_WHY_MAX];
	int i, r, n = 0;

	(void)state;
	for (i = -1; i <= CRL_REASON_COUNT; i++) {
		const char *name = crl_reason_name(i);

		if (i < 0 || i == 7 || i >= CRL_REASON_COUNT) {
			assert_null(name);
			assert_false(crl_reason_valid(i));
			continue;
		}
		n++;
		assert_non_null(name);
		assert_int_equal(crl_reason_parse(name, &r, why, sizeof(why)),
		    CA_OK);
		assert_int_equal(r, i);
	}
	assert_int_equal(n, 10);
	assert_string_equal(crl_reason_name(CRL_REASON_KEY_COMPROMISE),
	    "keyCompromise");
	assert_string_equal(crl_reason_name(CRL_REASON_CA_COMPROMISE),
	    "cACompromise");
	assert_string_equal(crl_reason_name(CRL_REASON_REMOVE_FROM_CRL),
	    "removeFromCRL");
	assert_string_equal(crl_reason_name(CRL_REASON_AA_COMPROMISE),
	    "aACompromise");
	assert_int_equal(crl_reason_parse("KEYCOMPROMISE", &r, NULL, 0), CA_OK);
	assert_int_equal(r, 1);
	assert_int_equal(crl_reason_parse("6", &r, NULL, 0), CA_OK);
	assert_int_equal(r, CRL_REASON_CERTIFICATE_HOLD);
	assert_int_equal(crl_reason_parse("7", &r, why, sizeof(why)), CA_EPARSE);
	assert_non_null(strstr(why, "\"7\""));
	assert_int_equal(crl_reason_parse("4294967297", &r, NULL, 0), CA_EPARSE);
	assert_int_equal(crl_reason_parse("1x", &r, NULL, 0), CA_EPARSE);
	assert_int_equal(crl_reason_parse("", &r, NULL, 0), CA_EPARSE);
	assert_int_equal(crl_reason_parse("stolen", &r, why, sizeof(why)),
	    CA_EPARSE);
	assert_non_null(strstr(why, "RFC 5280"));
}

/* Generate a key of the given type in a gnutls_privkey_t. */
static gnutls_privkey_t
gen_key(gnutls_pk_algorithm_t pk, unsigned bits)
{
	gnutls_privkey_t k;

	assert_int_equal(gnutls_privkey_init(&k), 0);
	assert_int_equal(gnutls_privkey_generate(k, pk, bits, 0), 0);
	return k;
}

/* AlgorithmIdentifier bytes per key and digest, against RFC encodings. */
static void
test_sigalg(void **state)
{
	/* RFC 4055 §3.1 with SHA-256, MGF1-SHA-256, salt 32. */
	static const unsigned char pss256[] = {
		0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
		0x01, 0x01, 0x0a, 0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06,
		0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
		0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86,
		0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06,
		0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
		0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20 };
	static const unsigned char rsa384[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a,
		0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c, 0x05, 0x00 };
	static const unsigned char ec256[] = { 0x30, 0x0a, 0x06, 0x08, 0x2a,
		0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 };
	static const unsigned char ed[] = { 0x30, 0x05, 0x06, 0x03, 0x2b,
		0x65, 0x70 };
	struct crl_params p;
	struct crl_sigalg s;
	gnutls_privkey_t rsa, ec, edk;
	char why[CA_WHY_MAX];

	(void)state;
	rsa = gen_key(GNUTLS_PK_RSA, 1024);
	ec = gen_key(GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1));
	edk = gen_key(GNUTLS_PK_EDDSA_ED25519, 256);
	memset(&p, 0, sizeof(p));

	p.hash = GNUTLS_DIG_SHA384;
	assert_int_equal(crl_sigalg_pick(&p, rsa, &s, why, sizeof(why)), CA_OK);
	assert_int_equal(s.algo, GNUTLS_SIGN_RSA_SHA384);
	assert_int_equal(s.len, sizeof(rsa384));
	assert_memory_equal(s.der, rsa384, sizeof(rsa384));

	p.hash = GNUTLS_DIG_UNKNOWN;	/* defaults to SHA-256 */
	p.rsa_pss = true;
	assert_int_equal(crl_sigalg_pick(&p, rsa, &s, why, sizeof(why)), CA_OK);
	assert_int_equal(s.algo, GNUTLS_SIGN_RSA_PSS_RSAE_SHA256);
	assert_int_equal(s.len, sizeof(pss256));
	assert_memory_equal(s.der, pss256, sizeof(pss256));

	p.rsa_pss = false;
	assert_int_equal(crl_sign_algorithm(&p, ec, why, sizeof(why)),
	    GNUTLS_SIGN_ECDSA_SHA256);
	assert_int_equal(crl_sigalg_pick(&p, ec, &s, why, sizeof(why)), CA_OK);
	assert_memory_equal(s.der, ec256, sizeof(ec256));
	assert_int_equal(s.len, sizeof(ec256));

	assert_int_equal(crl_sigalg_pick(&p, edk, &s, why, sizeof(why)), CA_OK);
	assert_int_equal(s.algo, GNUTLS_SIGN_EDDSA_ED25519);
	assert_memory_equal(s.der, ed, sizeof(ed));

	p.hash = GNUTLS_DIG_SHA1;
	assert_int_equal(crl_sigalg_pick(&p, rsa, &s, why, sizeof(why)),
	    CA_EINVAL);
	assert_non_null(strstr(why, "SHA1"));
	assert_int_equal(crl_sign_algorithm(&p, rsa, NULL, 0),
	    GNUTLS_SIGN_UNKNOWN);
	p.hash = GNUTLS_DIG_SHA256;
	assert_int_equal(crl_sigalg_pick(&p, NULL, &s, why, sizeof(why)),
	    CA_EINVAL);

	gnutls_privkey_deinit(rsa);
	gnutls_privkey_deinit(ec);
	gnutls_privkey_deinit(edk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_uint),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_sigalg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

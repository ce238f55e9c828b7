/*
 * Unit tests for common/base64.h on top of GnuTLS: garbage and misplaced
 * padding are refused with the offset named, RFC 4648 vectors, folding is
 * CRLF, random data round-trips, and EST bodies' blanks and missing
 * padding are taken.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/base64.h"
#include "common/error.h"

/* Bytes GnuTLS alone might skip or misread never reach it. */
static void
test_base64_garbage_refused(void **state)
{
	static const struct { const char *in; const char *why; } bad[] = {
		{ "Zm9v\x01YmFy", "base64: invalid character 0x01 at offset 4" },
		{ "Zm9v-_Fy", "base64: invalid character 0x2d at offset 4" },
		{ "Zm9vYmFy\xff", "base64: invalid character 0xff at offset 8" },
		{ "Zm9v\0YmFy", "base64: invalid character 0x00 at offset 4" },
		{ "Zm9v=YmFy", "base64: misplaced '=' at offset 4" },
		{ "Zm9vYg==x", "base64: data after padding at offset 8" },
		{ "Zm9vY", "base64: truncated final group" },
		{ "-----BEGIN", "base64: invalid character 0x2d at offset 0" },
	};
	unsigned char out[64];
	char why[CA_WHY_MAX];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i].in);

		if (i == 3)
			len = 9;	/* the embedded NUL */
		why[0] = '\0';
		assert_int_equal(base64_decode_buf(bad[i].in, len, out,
		    sizeof(out), &n, why, sizeof(why)), CA_EPARSE);
		assert_string_equal(why, bad[i].why);
		assert_int_equal(n, 0);
	}
}

/* RFC 4648 §10 test vectors, both directions. */
static void
test_b64_vectors(void **state)
{
	static const char *const v[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	char *enc;
	unsigned char *dec;
	size_t n;

	(void)state;
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(base64_encode(v[i][0], strlen(v[i][0]), 0,
		    &enc, &n), CA_OK);
		assert_string_equal(enc, v[i][1]);
		assert_int_equal(n, strlen(v[i][1]));
		free(enc);
		assert_int_equal(base64_decode(v[i][1], strlen(v[i][1]), &dec,
		    &n, NULL, 0), CA_OK);
		assert_non_null(dec);
		assert_int_equal(n, strlen(v[i][0]));
		assert_memory_equal(dec, v[i][0], n);
		free(dec);
	}
}

/* Random data round-trips at several line lengths, blanks tolerated. */
static void
test_b64_roundtrip(void **state)
{
	unsigned char data[3000], *dec;
	char *enc;
	size_t n, dn;

	(void)state;
	for (int iter = 0; iter < 200; iter++) {
		size_t len = (size_t)(rand() % (int)sizeof(data));
		unsigned line = (unsigned[]){ 0, 64, 76, 4, 66 }[iter % 5];

		for (size_t i = 0; i < len; i++)
			data[i] = (unsigned char)rand();
		assert_int_equal(base64_encode(data, len, line, &enc, &n),
		    CA_OK);
		assert_int_equal(n, strlen(enc));
		assert_int_equal(n, base64_encoded_len(len, line));
		if (line == 64 && len > 48)
			assert_memory_equal(enc + 64, "\r\n", 2);
		assert_int_equal(base64_decode(enc, n, &dec, &dn, NULL, 0),
		    CA_OK);
		assert_int_equal(dn, len);
		assert_memory_equal(dec, data, len);
		free(enc);
		free(dec);
	}
}

/* EST bodies: folded lines, blanks, missing padding; refusals say where. */
static void
test_b64_tolerance(void **state)
{
	unsigned char out[64];
	size_t n;
	char why[CA_WHY_MAX];

	(void)state;
	assert_int_equal(base64_decode_buf(" Zm9v\r\nYm\tFy \n", 14, out,
	    sizeof(out), &n, NULL, 0), CA_OK);
	assert_int_equal(n, 6);
	assert_memory_equal(out, "foobar", 6);
	assert_int_equal(base64_decode_buf("Zm9vYg", 6, out, sizeof(out), &n,
	    NULL, 0), CA_OK);
	assert_int_equal(n, 4);
	assert_int_equal(base64_decode_buf("Zm9vYg=\n=\n", 10, out,
	    sizeof(out), &n, NULL, 0), CA_OK);
	assert_int_equal(n, 4);
	assert_int_equal(base64_decode_buf("Zm9v!mFy", 8, out, sizeof(out),
	    &n, why, sizeof(why)), CA_EPARSE);
	assert_string_equal(why,
	    "base64: invalid character 0x21 at offset 4");
	assert_int_equal(base64_decode_buf("Zg==Zg==", 8, out, sizeof(out),
	    &n, why, sizeof(why)), CA_EPARSE);
	assert_int_equal(base64_decode_buf("Z===", 4, out, sizeof(out), &n,
	    NULL, 0), CA_EPARSE);
	assert_int_equal(base64_decode_buf("Zm9vY", 5, out, sizeof(out), &n,
	    NULL, 0), CA_EPARSE);
	assert_int_equal(base64_decode_buf("Zg=", 3, out, sizeof(out), &n,
	    NULL, 0), CA_EPARSE);
	assert_int_equal(base64_decode_buf("=Zg", 3, out, sizeof(out), &n,
	    NULL, 0), CA_EPARSE);
	assert_int_equal(base64_decode_buf("Zm9vYmFy", 8, out, 5, &n, why,
	    sizeof(why)), CA_ETOOBIG);
	assert_int_equal(base64_decode_buf("Zm9vYg==", 8, out, 3, &n, NULL,
	    0), CA_ETOOBIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_garbage_refused),
		cmocka_unit_test(test_b64_vectors),
		cmocka_unit_test(test_b64_roundtrip),
		cmocka_unit_test(test_b64_tolerance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for common/base64.h on top of GnuTLS: garbage and misplaced
 * padding are refused with the offset named, folding is CRLF, and long
 * random data round-trips. (tests/unit/ca/http/test_http_util.c keeps the
 * EST and Basic-credential cases.)
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

/* Encode with folding, decode back, for every length 0..200. */
static void
test_base64_roundtrip_folded(void **state)
{
	unsigned char data[200], *dec;
	char *enc;
	size_t n, dn;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 37 + 11);
	for (size_t len = 0; len <= sizeof(data); len++) {
		assert_int_equal(base64_encode(data, len, 64, &enc, &n), CA_OK);
		assert_int_equal(n, base64_encoded_len(len, 64));
		for (size_t k = 64; k < n; k += 66)
			assert_memory_equal(enc + k, "\r\n", 2);
		assert_int_equal(base64_decode(enc, n, &dec, &dn, NULL, 0),
		    CA_OK);
		assert_int_equal(dn, len);
		assert_memory_equal(dec, data, len);
		free(enc);
		free(dec);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_garbage_refused),
		cmocka_unit_test(test_base64_roundtrip_folded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for common/: error names, the why helper, hex digits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "common/error.h"
#include "common/hex.h"

/* Every code has its own name and unknown codes are named as such. */
static void
test_strerror_names(void **state)
{
	(void)state;
	assert_string_equal(ca_strerror(CA_OK), "success");
	assert_string_equal(ca_strerror(CA_EAUTH), "authentication failed");
	assert_string_equal(ca_strerror(CA_EDB), "database error");
	assert_string_equal(ca_strerror(-999), "unknown error");
	assert_string_equal(ca_strerror(5), "unknown error");
	for (int i = 0; i < CA_ERROR_COUNT; i++)
		assert_string_not_equal(ca_strerror(-i), "unknown error");
}

/* ca_why formats the sentence, truncates safely and returns the code. */
static void
test_why(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(ca_why(buf, sizeof(buf), CA_EPARSE, "line %d: %s", 12,
	    "expected 1024..16384"), CA_EPARSE);
	assert_string_equal(buf, "line 12: expect");
	assert_int_equal(ca_why(NULL, 0, CA_EIO, "x"), CA_EIO);
}

/* Every hex digit in both cases, nothing else; encoding is lower case. */
static void
test_hex(void **state)
{
	static const unsigned char bytes[] = { 0x00, 0x7f, 0x80, 0xab, 0xff };
	char out[2 * sizeof(bytes) + 1];

	(void)state;
	for (int c = 0; c < 256; c++) {
		int want = c >= '0' && c <= '9' ? c - '0' :
		    c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		assert_int_equal(hex_digit(c), want);
	}
	hex_encode(bytes, sizeof(bytes), out);
	assert_string_equal(out, "007f80abff");
	hex_encode(bytes, 0, out);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror_names),
		cmocka_unit_test(test_why),
		cmocka_unit_test(test_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

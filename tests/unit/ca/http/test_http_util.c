/*
 * Unit tests for ca/http/http_util.c: HTTP Basic parsing, percent-decoding,
 * query parameters, Accept, reason phrases and dates. (base64 is
 * common/'s: tests/unit/common/test_base64.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/error.h"
#include "common/base64.h"
#include "ca/http/http_util.h"

/* Encode "user:pass" and build an Authorization value. */
static void
make_basic(const char *cred, char *out, size_t outsz)
{
	char *enc;

	assert_int_equal(base64_encode(cred, strlen(cred), 0, &enc, NULL),
	    CA_OK);
	snprintf(out, outsz, "Basic %s", enc);
	free(enc);
}

/* Basic: split at the first ':', schemes, bounds, wiping. */
static void
test_basic(void **state)
{
	char hdr[4096], user[64], pass[64], why[CA_WHY_MAX], big[2000];

	(void)state;
	make_basic("INTUNECONN$:demo:connector", hdr, sizeof(hdr));
	assert_int_equal(http_basic_parse(hdr, user, sizeof(user), pass,
	    sizeof(pass), why, sizeof(why)), CA_OK);
	assert_string_equal(user, "INTUNECONN$");
	assert_string_equal(pass, "demo:connector");
	make_basic("alice@demo.example:", hdr, sizeof(hdr));
	hdr[0] = 'b';	/* scheme is case-insensitive */
	assert_int_equal(http_basic_parse(hdr, user, sizeof(user), pass,
	    sizeof(pass), why, sizeof(why)), CA_OK);
	assert_string_equal(pass, "");

	assert_int_equal(http_basic_parse("Bearer abc", user, sizeof(user),
	    pass, sizeof(pass), why, sizeof(why)), CA_ENOTFOUND);
	assert_int_equal(http_basic_parse(NULL, user, sizeof(user), pass,
	    sizeof(pass), why, sizeof(why)), CA_ENOTFOUND);
	assert_int_equal(http_basic_parse("Basicabc", user, sizeof(user),
	    pass, sizeof(pass), why, sizeof(why)), CA_ENOTFOUND);
	make_basic("nocolon", hdr, sizeof(hdr));
	assert_int_equal(http_basic_parse(hdr, user, sizeof(user), pass,
	    sizeof(pass), why, sizeof(why)), CA_EPARSE);
	assert_string_equal(why,
	    "HTTP Basic: no ':' between user and password");
	make_basic(":secret", hdr, sizeof(hdr));
	assert_int_equal(http_basic_parse(hdr, user, sizeof(user), pass,
	    sizeof(pass), why, sizeof(why)), CA_EPARSE);
	assert_null(strstr(why, "secret"));
	make_basic("a:b\nc", hdr, sizeof(hdr));
	assert_int_equal(http_basic_parse(hdr, user, sizeof(user), pass,
	    sizeof(pass), why, sizeof(why)), CA_EPARSE);
	assert_int_equal(http_basic_parse("Basic !!!!", user, sizeof(user),
	    pass, sizeof(pass), why, sizeof(why)), CA_EPARSE);
	assert_int_equal(http_basic_parse("Basic ", user, sizeof(user),
	    pass, sizeof(pass), why, sizeof(why)), CA_EPARSE);
	assert_int_equal(http_basic_parse("Basic YT pi", user, sizeof(user),
	    pass, sizeof(pass), why, sizeof(why)), CA_EPARSE);
	/* Longer than the caller's buffer: refused and wiped. */
	memset(big, 'p', sizeof(big));
	memcpy(big, "u:", 2);
	big[100] = '\0';
	make_basic(big, hdr, sizeof(hdr));
	memset(pass, 'X', sizeof(pass));
	assert_int_equal(http_basic_parse(hdr, user, sizeof(user), pass,
	    sizeof(pass), why, sizeof(why)), CA_ETOOBIG);
	for (size_t i = 0; i < sizeof(pass); i++)
		assert_int_equal(pass[i], 0);
	/* Longer than HTTP_BASIC_MAX. */
	big[sizeof(big) - 1] = '\0';
	make_basic(big, hdr, sizeof(hdr));
	assert_int_equal(http_basic_parse(hdr, user, sizeof(user), pass,
	    sizeof(pass), why, sizeof(why)), CA_ETOOBIG);
}

/* Percent-decoding of paths and segments. */
static void
test_pct(void **state)
{
	char out[32];
	size_t n;

	(void)state;
	assert_int_equal(http_pct_decode("PKCS%20Intune%2b", 16, true, out,
	    sizeof(out), &n), CA_OK);
	assert_string_equal(out, "PKCS Intune+");
	assert_int_equal(n, 12);
	assert_int_equal(http_pct_decode("a+b", 3, true, out, sizeof(out),
	    NULL), CA_OK);
	assert_string_equal(out, "a+b");
	assert_int_equal(http_pct_decode("a%2Fb", 5, true, out, sizeof(out),
	    NULL), CA_EPARSE);
	assert_int_equal(http_pct_decode("a%2Fb", 5, false, out, sizeof(out),
	    NULL), CA_OK);
	assert_string_equal(out, "a/b");
	assert_int_equal(http_pct_decode("a%00", 4, false, out, sizeof(out),
	    NULL), CA_EPARSE);
	assert_int_equal(http_pct_decode("a%4", 3, false, out, sizeof(out),
	    NULL), CA_EPARSE);
	assert_int_equal(http_pct_decode("a%", 2, false, out, sizeof(out),
	    NULL), CA_EPARSE);
	assert_int_equal(http_pct_decode("a%zz", 4, false, out, sizeof(out),
	    NULL), CA_EPARSE);
	assert_int_equal(http_pct_decode("abcd", 4, false, out, 4, NULL),
	    CA_ETOOBIG);
	assert_int_equal(http_pct_decode("abc", 3, false, out, 4, NULL),
	    CA_OK);
}

/* Query parameters: first match, '+' as space, missing values. */
static void
test_query(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(http_query_get("a=1&name=x+y%21&b", "name", out,
	    sizeof(out)), CA_OK);
	assert_string_equal(out, "x y!");
	assert_int_equal(http_query_get("a=1&b", "b", out, sizeof(out)),
	    CA_OK);
	assert_string_equal(out, "");
	assert_int_equal(http_query_get("ab=1", "a", out, sizeof(out)),
	    CA_ENOTFOUND);
	assert_int_equal(http_query_get(NULL, "a", out, sizeof(out)),
	    CA_ENOTFOUND);
	assert_int_equal(http_query_get("a=%zz", "a", out, sizeof(out)),
	    CA_EPARSE);
	assert_int_equal(http_query_get("a=0123456789abcdefgh", "a", out,
	    sizeof(out)), CA_ETOOBIG);
}

/* Accept: specificity, q-values, explicit listing. */
static void
test_accept(void **state)
{
	bool ex;

	(void)state;
	assert_int_equal(http_accept_quality(NULL, "application/pkcs12", &ex),
	    1000);
	assert_false(ex);
	assert_int_equal(http_accept_quality("application/pkcs12",
	    "application/pkcs12", &ex), 1000);
	assert_true(ex);
	assert_int_equal(http_accept_quality("*/*", "application/pkcs12",
	    &ex), 1000);
	assert_false(ex);
	assert_int_equal(http_accept_quality("text/html, application/*;q=0.5",
	    "application/pkcs12", &ex), 500);
	assert_int_equal(http_accept_quality("*/*;q=0.1, Application/PKCS12 ;"
	    " q=0.8", "application/pkcs12", &ex), 800);
	assert_true(ex);
	assert_int_equal(http_accept_quality("application/pkcs12;q=0, */*",
	    "application/pkcs12", &ex), 0);
	assert_false(ex);
	assert_int_equal(http_accept_quality("text/plain",
	    "application/pkcs12", &ex), 0);
	assert_int_equal(http_accept_quality("application/pkcs12;q=0.333",
	    "application/pkcs12", NULL), 333);
}

/* Reason phrases and the IMF-fixdate. */
static void
test_reason_date(void **state)
{
	char d[HTTP_DATE_LEN];

	(void)state;
	assert_string_equal(http_reason_phrase(413), "Content Too Large");
	assert_string_equal(http_reason_phrase(431),
	    "Request Header Fields Too Large");
	assert_string_equal(http_reason_phrase(299), "Unknown");
	http_date_format(784111777, d);
	assert_string_equal(d, "Sun, 06 Nov 1994 08:49:37 GMT");
}

/* Run the helper tests with a fixed random seed. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_pct),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_reason_date),
	};

	srand(4242);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

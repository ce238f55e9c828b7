/*
 * Unit tests for common/value.h and common/utf8.h: one yes/no grammar, one
 * duration grammar ("5m" is five minutes wherever it is written), and the
 * one UTF-8 validator.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/error.h"
#include "common/utf8.h"
#include "common/value.h"

#define TEN_YEARS ((int64_t)3660 * 86400)

/* Every spelling, any case; anything else is refused. */
static void
test_value_bool(void **state)
{
	static const char *const yes[] = { "yes", "TRUE", "On", "1" };
	static const char *const no[] = { "no", "False", "OFF", "0" };
	static const char *const bad[] = { "", "y", "2", "yes ", "enabled" };
	bool b;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		b = false;
		assert_int_equal(value_bool_parse(yes[i], &b), CA_OK);
		assert_true(b);
		assert_int_equal(value_bool_parse(no[i], &b), CA_OK);
		assert_false(b);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(value_bool_parse(bad[i], &b), CA_EPARSE);
	assert_int_equal(value_bool_parse(NULL, &b), CA_EPARSE);
}

/* The grammar of value.h: units, blanks, groups, bounds, refusals. */
static void
test_value_duration(void **state)
{
	static const struct { const char *s; int64_t v; } ok[] = {
		{ "0", 0 }, { "5m", 300 }, { "5 min", 300 }, { "5minutes", 300 },
		{ "90s", 90 }, { "12h", 43200 }, { "1d12h", 129600 },
		{ "1d 12h", 129600 }, { "6 weeks", 42 * 86400 },
		{ "6months", 180 * 86400 }, { "1y", 365 * 86400 },
		{ "2 YEARS", 730 * 86400 }, { "0d", 0 }, { "1M", 60 },
	};
	static const char *const bad[] = {
		"", "90", "-1d", "1x", "h1", "1.5h", "d", "1d?", "1 fortnight",
		"12345678901234567890123456789012345678901234567890123456789012345",
	};
	int64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(value_duration_parse(ok[i].s, TEN_YEARS, &v),
		    CA_OK);
		assert_int_equal(v, ok[i].v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(value_duration_parse(bad[i], TEN_YEARS, &v),
		    CA_EPARSE);
	assert_int_equal(value_duration_parse("11y", TEN_YEARS, &v),
	    CA_ETOOBIG);
	assert_int_equal(value_duration_parse("99999999999999999999y",
	    TEN_YEARS, &v), CA_ETOOBIG);
	assert_int_equal(value_duration_parse(NULL, TEN_YEARS, &v), CA_EPARSE);
}

/* RFC 3629: overlongs, surrogates, truncation and >U+10FFFF refused. */
static void
test_utf8(void **state)
{
	static const struct { const char *s; size_t len, bad; } refused[] = {
		{ "ab\xc0\x80", 4, 2 },		/* overlong NUL */
		{ "\xe0\x80\xaf", 3, 0 },	/* overlong '/' */
		{ "x\xed\xa0\x80", 4, 1 },	/* surrogate */
		{ "\xf4\x90\x80\x80", 4, 0 },	/* above U+10FFFF */
		{ "ok\xe2\x82", 4, 2 },		/* truncated */
		{ "\x80", 1, 0 },		/* lone continuation */
	};
	size_t bad;

	(void)state;
	assert_true(utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91", 14));
	assert_true(utf8_valid("a\0b", 3));
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		bad = 99;
		assert_int_equal(utf8_check(refused[i].s, refused[i].len, &bad),
		    CA_EPARSE);
		assert_int_equal(bad, refused[i].bad);
		assert_false(utf8_valid(refused[i].s, refused[i].len));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value_bool),
		cmocka_unit_test(test_value_duration),
		cmocka_unit_test(test_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

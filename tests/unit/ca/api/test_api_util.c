/*
 * Unit tests for the management API's shared helpers: RFC 3339 times both
 * ways (Z, offsets, fractions, a bare date; hostile forms refused) and
 * JSON strings that are not UTF-8 escaped rather than lost.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ca/api/api_int.h"

/* Accepted forms give the instant they name. */
static void
test_time_parse(void **state)
{
	static const struct {
		const char *text;
		int64_t t;
	} good[] = {
		{ "2026-12-07T10:00:00Z", 1796637600 },
		{ "2026-12-07t10:00:00.123456z", 1796637600 },
		{ "2026-12-07T12:30:00+02:30", 1796637600 },
		{ "2026-12-07T05:00:00-05:00", 1796637600 },
		{ "2026-12-07", 1796601600 },
		{ "1970-01-01T00:00:00Z", 0 },
	};
	int64_t t;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		t = -1;
		if (api_time_parse(good[i].text, &t) != CA_OK)
			fail_msg("%s: refused", good[i].text);
		assert_int_equal(t, good[i].t);
	}
}

/* Anything else is refused, never guessed. */
static void
test_time_parse_hostile(void **state)
{
	static const char *const bad[] = {
		"", "yesterday", "2026-12-07T10:00:00", "2026-12-07T10:00Z",
		"2026-13-01", "2026-12-32", "2026-12-07T24:00:00Z",
		"2026-12-07T10:00:00+25:00", "2026-12-07T10:00:00Zjunk",
		"12026-12-07", "2026-1-7", "2026-12-07T10:00:00+0200",
		"2026-12-07 10:00:00Z trailing", "-001-01-01", "2026-12- 7",
		"2026-12-+7", "2026-12-07T 1:00:00Z", "2026-12-07T10:00:00+ 2:00",
	};
	int64_t t = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(api_time_parse(bad[i], &t), CA_EPARSE);
		assert_int_equal(t, 42);
	}
}

/* Times print as RFC 3339 UTC with a Z, and read back. */
static void
test_time_text(void **state)
{
	char buf[API_TIME_MAX];
	int64_t t;

	(void)state;
	assert_string_equal(api_time_text(1796637600, buf), "2026-12-07T10:00:00Z");
	assert_int_equal(api_time_parse(buf, &t), CA_OK);
	assert_int_equal(t, 1796637600);
	assert_string_equal(api_time_text(0, buf), "1970-01-01T00:00:00Z");
}

/* Text that is not UTF-8 becomes escaped text, not a missing value. */
static void
test_str_not_utf8(void **state)
{
	json_t *v;

	(void)state;
	v = api_str("CN=caf\xe9");
	assert_non_null(v);
	assert_non_null(strstr(json_string_value(v), "CN=caf"));
	json_decref(v);
	v = api_str("CN=café");
	assert_string_equal(json_string_value(v), "CN=café");
	json_decref(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_time_parse_hostile),
		cmocka_unit_test(test_time_text),
		cmocka_unit_test(test_str_not_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

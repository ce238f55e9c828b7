/*
 * Unit tests for crl/schedule.c: AD CS overlap defaults, thisUpdate and
 * nextUpdate, due times, the half-life check, CRL numbering and durations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/error.h"
#include "crl/schedule.h"

#define H ((int64_t)3600)
#define D ((int64_t)86400)
#define NOW ((int64_t)1800000000)

/* Defaults give base nextUpdate = now + 7d 12h 10m, delta now + 1d 12h 10m
 * (adcs.md §5.4 [computed]), thisUpdate = now - 10 min. */
static void
test_defaults(void **state)
{
	struct crl_schedule s;
	struct crl_times t;
	char why[CA_WHY_MAX];

	(void)state;
	crl_schedule_default(&s);
	assert_int_equal(s.period, 7 * D);
	assert_int_equal(s.delta_period, D);
	assert_int_equal(s.skew, 600);
	assert_int_equal(crl_overlap(&s, false), 12 * H + 600);
	assert_int_equal(crl_overlap(&s, true), 12 * H + 600);
	assert_int_equal(crl_schedule_times(&s, false, NOW, 0, &t, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(t.this_update, NOW - 600);
	assert_int_equal(t.next_update, NOW + 7 * D + 12 * H + 600);
	assert_int_equal(t.next_publish, NOW + 7 * D);
	assert_int_equal(crl_schedule_times(&s, true, NOW, 0, &t, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(t.next_update, NOW + D + 12 * H + 600);
	assert_int_equal(t.next_publish, NOW + D);
}

/* The default overlap's min/max chain for other periods. */
static void
test_overlap_rules(void **state)
{
	struct crl_schedule s;

	(void)state;
	crl_schedule_default(&s);
	/* 1 day full period: 10% = 2.4 h (under the 12 h cap). */
	s.period = D;
	s.delta_period = 0;
	assert_int_equal(crl_overlap(&s, false), D / 10 + 600);
	/* 1 hour: 10% = 6 min, raised to 1.5 x skew = 15 min. */
	s.period = H;
	assert_int_equal(crl_overlap(&s, false), 900 + 600);
	/* 10 min period: 1.5 x skew = 15 min, capped by the period. */
	s.period = 600;
	assert_int_equal(crl_overlap(&s, false), 600 + 600);
	/* Delta of 4 h: min(4 h, 12 h) = 4 h. */
	s.period = 7 * D;
	s.delta_period = 4 * H;
	assert_int_equal(crl_overlap(&s, true), 4 * H + 600);
	/* Configured overlaps are used as given. */
	s.overlap = 2 * D;
	s.delta_overlap = 30 * 60;
	assert_int_equal(crl_overlap(&s, false), 2 * D);
	assert_int_equal(crl_overlap(&s, true), 30 * 60);
	/* No skew: plain caps. */
	crl_schedule_default(&s);
	s.skew = 0;
	assert_int_equal(crl_overlap(&s, false), 12 * H);
}

/* thisUpdate never predates the CA certificate; bad schedules refused. */
static void
test_times_rules(void **state)
{
	struct crl_schedule s;
	struct crl_times t;
	char why[CA_WHY_MAX];

	(void)state;
	crl_schedule_default(&s);
	assert_int_equal(crl_schedule_times(&s, false, NOW, NOW - 60, &t, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(t.this_update, NOW - 60);
	/* A CA certificate from the future does not push thisUpdate past now. */
	assert_int_equal(crl_schedule_times(&s, false, NOW, NOW + 60, &t, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(t.this_update, NOW);
	s.delta_period = 0;
	assert_int_equal(crl_schedule_times(&s, true, NOW, 0, &t, why,
	    sizeof(why)), CA_ECONFIG);
	assert_non_null(strstr(why, "delta"));
	s.delta_period = s.period;
	assert_int_equal(crl_schedule_check(&s, why, sizeof(why)), CA_ECONFIG);
	crl_schedule_default(&s);
	s.period = 0;
	assert_int_equal(crl_schedule_check(&s, why, sizeof(why)), CA_ECONFIG);
	crl_schedule_default(&s);
	s.overlap = -1;
	assert_int_equal(crl_schedule_check(&s, why, sizeof(why)), CA_ECONFIG);
	crl_schedule_default(&s);
	assert_int_equal(crl_schedule_times(&s, false, INT64_MAX, 0, &t, why,
	    sizeof(why)), CA_EINVAL);
}

/* Due times and the half-life check. */
static void
test_due_and_stale(void **state)
{
	struct crl_schedule s;

	(void)state;
	crl_schedule_default(&s);
	assert_true(crl_publish_due(&s, false, 0, NOW));
	assert_false(crl_publish_due(&s, false, NOW, NOW + 7 * D - 1));
	assert_true(crl_publish_due(&s, false, NOW, NOW + 7 * D));
	assert_false(crl_publish_due(&s, true, NOW, NOW + D - 1));
	assert_true(crl_publish_due(&s, true, NOW, NOW + D));
	s.delta_period = 0;
	assert_false(crl_publish_due(&s, true, 0, NOW));

	/* Life 100 s: fresh before 50 s, stale from 50 s on. */
	assert_false(crl_is_stale(NOW, NOW + 100, NOW));
	assert_false(crl_is_stale(NOW, NOW + 100, NOW + 49));
	assert_true(crl_is_stale(NOW, NOW + 100, NOW + 50));
	assert_true(crl_is_stale(NOW, NOW + 100, NOW + 500));
	assert_false(crl_is_stale(NOW, NOW + 100, NOW - 10));
	assert_true(crl_is_stale(0, 0, NOW));	/* none published */
}

/* CRL numbers go strictly up, past anything already published. */
static void
test_numbers(void **state)
{
	uint64_t n;
	char why[CA_WHY_MAX];

	(void)state;
	assert_int_equal(crl_number_next(0, 0, &n, why, sizeof(why)), CA_OK);
	assert_int_equal(n, 1);
	assert_int_equal(crl_number_next(41, 0, &n, why, sizeof(why)), CA_OK);
	assert_int_equal(n, 42);
	assert_int_equal(crl_number_next(5, 9, &n, why, sizeof(why)), CA_OK);
	assert_int_equal(n, 10);
	assert_int_equal(crl_number_next(UINT64_MAX - 1, 0, &n, why,
	    sizeof(why)), CA_OK);
	assert_true(n == UINT64_MAX);
	assert_int_equal(crl_number_next(UINT64_MAX, 0, &n, why, sizeof(why)),
	    CA_ETOOBIG);
	assert_int_equal(crl_number_next(0, UINT64_MAX, &n, why, sizeof(why)),
	    CA_ETOOBIG);
}

/* Durations parse and print in both directions. */
static void
test_durations(void **state)
{
	static const struct {
		const char *text;
		int64_t secs;
		const char *canon;
	} ok[] = {
		{ "1w", 7 * 86400, "1w" },
		{ "1d", 86400, "1d" },
		{ "12h", 12 * 3600, "12h" },
		{ "30m", 1800, "30m" },
		{ "45s", 45, "45s" },
		{ "1d12h", 86400 + 12 * 3600, "1d12h" },
		{ "36h", 36 * 3600, "1d12h" },
		{ "12h10m", 12 * 3600 + 600, "12h10m" },
		{ "0", 0, "0" },
		{ "0h", 0, "0" },
		{ "2w3d4h5m6s", 14 * 86400 + 3 * 86400 + 4 * 3600 + 306,
		  "2w3d4h5m6s" },
		{ "522w6d", 3660 * (int64_t)86400, "522w6d" },
		/* common/value.h's grammar: blanks and long unit names too. */
		{ "1 d 12 hours", 129600, "1d12h" },
	};
	static const char *const bad[] = {
		"", "w", "1", "1x", "h1", "1 x", "-1d", "d 1", "1.5h",
		"123456789012345678901234567890123",
	};
	char why[CA_WHY_MAX], buf[64];
	int64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(crl_duration_parse(ok[i].text, &v, why,
		    sizeof(why)), CA_OK);
		assert_int_equal(v, ok[i].secs);
		assert_int_equal(crl_duration_format(v, buf, sizeof(buf)),
		    CA_OK);
		assert_string_equal(buf, ok[i].canon);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(crl_duration_parse(bad[i], &v, why,
		    sizeof(why)), CA_EPARSE);
	assert_int_equal(crl_duration_parse("1d?", &v, why, sizeof(why)),
	    CA_EPARSE);
	assert_non_null(strstr(why, "\"1d?\""));
	assert_int_equal(crl_duration_parse("523w", &v, why, sizeof(why)),
	    CA_ETOOBIG);
	assert_int_equal(crl_duration_parse("99999999999999999999s", &v, why,
	    sizeof(why)), CA_ETOOBIG);
	assert_int_equal(crl_duration_parse(NULL, &v, why, sizeof(why)),
	    CA_EPARSE);
	assert_int_equal(crl_duration_format(-1, buf, sizeof(buf)), CA_EINVAL);
	assert_int_equal(crl_duration_format(86400 + 1, buf, 3), CA_ETOOBIG);
	assert_int_equal(crl_duration_format(0, buf, 1), CA_ETOOBIG);
}

/* A clock behind the last thisUpdate moves the CRL's times forward, whole. */
static void
test_hold(void **state)
{
	struct crl_times t = { 1000, 5000, 4000 };

	(void)state;
	assert_int_equal(crl_times_hold(&t, 0), 0);		/* none issued yet */
	assert_int_equal(crl_times_hold(&t, 1000), 0);		/* equal is fine */
	assert_int_equal(crl_times_hold(&t, 999), 0);
	assert_int_equal(t.this_update, 1000);
	assert_int_equal(crl_times_hold(&t, 1420), 420);	/* 7 minutes back */
	assert_int_equal(t.this_update, 1420);
	assert_int_equal(t.next_update, 5420);
	assert_int_equal(t.next_publish, 4420);
	t.next_publish = 0;					/* omitted stays omitted */
	assert_int_equal(crl_times_hold(&t, 1500), 80);
	assert_int_equal(t.next_publish, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_overlap_rules),
		cmocka_unit_test(test_times_rules),
		cmocka_unit_test(test_due_and_stale),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_hold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

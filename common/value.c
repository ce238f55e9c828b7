/*
 * The yes/no and duration grammars of value.h: one parser each for
 * entcad.conf, templates and CRL schedules.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"
#include "common/value.h"

/* The spellings an administrator is likely to type. */
int
value_bool_parse(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	if (s == NULL)
		return CA_EPARSE;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return CA_OK;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return CA_OK;
		}
	}
	return CA_EPARSE;
}

struct value_unit {
	const char *name;
	int64_t seconds;
};

/* "m" is minutes here as in systemd and cron; months are spelled out. */
static const struct value_unit value_units[] = {
	{ "s", 1 }, { "sec", 1 }, { "second", 1 }, { "seconds", 1 },
	{ "m", 60 }, { "min", 60 }, { "minute", 60 }, { "minutes", 60 },
	{ "h", 3600 }, { "hour", 3600 }, { "hours", 3600 },
	{ "d", VALUE_SECONDS_DAY }, { "day", VALUE_SECONDS_DAY },
	{ "days", VALUE_SECONDS_DAY },
	{ "w", 7 * VALUE_SECONDS_DAY }, { "week", 7 * VALUE_SECONDS_DAY },
	{ "weeks", 7 * VALUE_SECONDS_DAY },
	{ "month", VALUE_SECONDS_MONTH }, { "months", VALUE_SECONDS_MONTH },
	{ "y", VALUE_SECONDS_YEAR }, { "year", VALUE_SECONDS_YEAR },
	{ "years", VALUE_SECONDS_YEAR },
};

/* Seconds of the unit word at s[0..n), or 0 when there is none. */
static int64_t
value_unit_secs(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(value_units) / sizeof(value_units[0]); i++)
		if (strlen(value_units[i].name) == n &&
		    strncasecmp(s, value_units[i].name, n) == 0)
			return value_units[i].seconds;
	return 0;
}

/* Groups of digits, optional blanks, a unit word; sum bounded by max. */
int
value_duration_parse(const char *s, int64_t max, int64_t *out)
{
	const char *p = s;
	int64_t total = 0, v, u;
	size_t digits, n;
	bool big = false;

	if (s == NULL || strnlen(s, VALUE_DURATION_TEXT_MAX + 1) >
	    VALUE_DURATION_TEXT_MAX || *s == '\0')
		return CA_EPARSE;
	if (strcmp(s, "0") == 0) {
		*out = 0;
		return CA_OK;
	}
	while (*p != '\0') {
		v = 0;
		digits = 0;
		while (*p >= '0' && *p <= '9') {
			/* Keep parsing past an overflow: bad syntax wins. */
			if (v > (INT64_MAX - 9) / 10)
				big = true;
			else
				v = v * 10 + (*p - '0');
			p++;
			digits++;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		for (n = 0; (p[n] >= 'a' && p[n] <= 'z') ||
		    (p[n] >= 'A' && p[n] <= 'Z'); n++)
			;
		if (digits == 0 || (u = value_unit_secs(p, n)) == 0)
			return CA_EPARSE;
		p += n;
		while (*p == ' ' || *p == '\t')
			p++;
		if (big || v > max / u || total > max - v * u)
			big = true;
		else
			total += v * u;
	}
	if (big)
		return CA_ETOOBIG;
	*out = total;
	return CA_OK;
}

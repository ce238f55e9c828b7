/*
 * CRL schedule rules (see crl/schedule.h): AD CS's overlap defaults
 * (MS-CSRA §3.1.4.1.6), publication due times, staleness, CRL numbering
 * and duration text. Pure integer arithmetic; safe from any thread.
 */
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "common/value.h"
#include "crl/schedule.h"

/* Seconds per duration unit, largest first (the formatter's order). */
static const struct {
	char unit;
	int64_t secs;
} crl_units[] = {
	{ 'w', 7 * 86400 }, { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 },
	{ 's', 1 },
};
#define CRL_UNITS_COUNT (sizeof(crl_units) / sizeof(crl_units[0]))

/* Return the smaller of a and b. */
static int64_t
crl_min(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Return the larger of a and b. */
static int64_t
crl_max(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* AD CS defaults. */
void
crl_schedule_default(struct crl_schedule *s)
{
	memset(s, 0, sizeof(*s));
	s->period = CRL_DEFAULT_PERIOD;
	s->delta_period = CRL_DEFAULT_DELTA_PERIOD;
	s->skew = CRL_DEFAULT_SKEW;
}

/* Refuse periods and overlaps outside their bounds. */
int
crl_schedule_check(const struct crl_schedule *s, char *why, size_t whylen)
{
	if (s->period <= 0 || s->period > CRL_DURATION_MAX)
		return ca_why(why, whylen, CA_ECONFIG,
		    "crl-period: must be between 1s and 10 years");
	if (s->delta_period < 0 || s->delta_period >= s->period)
		return ca_why(why, whylen, CA_ECONFIG,
		    "delta-period: must be 0 (off) or shorter than crl-period");
	if (s->overlap < 0 || s->overlap > CRL_DURATION_MAX ||
	    s->delta_overlap < 0 || s->delta_overlap > CRL_DURATION_MAX)
		return ca_why(why, whylen, CA_ECONFIG,
		    "overlap: must be between 0 (default) and 10 years");
	if (s->skew < 0 || s->skew > CRL_DURATION_MAX)
		return ca_why(why, whylen, CA_ECONFIG,
		    "clock skew: must be between 0 and 10 years");
	return CA_OK;
}

/* Overlap per MS-CSRA §3.1.4.1.6 when none is configured. */
int64_t
crl_overlap(const struct crl_schedule *s, bool delta)
{
	int64_t period = delta ? s->delta_period : s->period;
	int64_t set = delta ? s->delta_overlap : s->overlap;
	int64_t ov;

	if (set > 0)
		return set;
	ov = delta ? crl_min(period, CRL_OVERLAP_CAP) :
	    crl_min(period / 10, CRL_OVERLAP_CAP);
	ov = crl_max(ov, s->skew + s->skew / 2);
	ov = crl_min(ov, period);
	return ov + s->skew;
}

/* thisUpdate, nextUpdate and next publication for a CRL made at now. */
int
crl_schedule_times(const struct crl_schedule *s, bool delta, int64_t now,
    int64_t ca_not_before, struct crl_times *out, char *why, size_t whylen)
{
	int64_t period;
	int rc;

	if ((rc = crl_schedule_check(s, why, whylen)) != CA_OK)
		return rc;
	if (delta && s->delta_period == 0)
		return ca_why(why, whylen, CA_ECONFIG,
		    "delta CRL: delta-period is 0 (delta CRLs are off)");
	period = delta ? s->delta_period : s->period;
	/* Three bounded terms: no overflow for now within +-2^61. */
	if (now < -((int64_t)1 << 61) || now > ((int64_t)1 << 61))
		return ca_why(why, whylen, CA_EINVAL, "CRL: time %lld out of range",
		    (long long)now);
	out->this_update = crl_max(now - s->skew, ca_not_before);
	if (out->this_update > now)
		out->this_update = now;
	out->next_update = now + period + crl_overlap(s, delta);
	out->next_publish = now + period;
	return CA_OK;
}

/* Due when a period has passed since the last publication, or never was. */
bool
crl_publish_due(const struct crl_schedule *s, bool delta, int64_t last_publish,
    int64_t now)
{
	int64_t period = delta ? s->delta_period : s->period;

	if (period <= 0)
		return false;
	if (last_publish == 0)
		return true;
	return now >= last_publish + period;
}

/* Past half its life: now >= thisUpdate + (nextUpdate - thisUpdate) / 2. */
bool
crl_is_stale(int64_t this_update, int64_t next_update, int64_t now)
{
	if (next_update <= this_update)
		return true;
	return now - this_update >= (next_update - this_update) / 2;
}

/* max(last, seen) + 1, refusing to wrap. */
int
crl_number_next(uint64_t last, uint64_t seen, uint64_t *out, char *why,
    size_t whylen)
{
	uint64_t top = last > seen ? last : seen;

	if (top == UINT64_MAX)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "CRL number: counter at its maximum %llu",
		    (unsigned long long)top);
	*out = top + 1;
	return CA_OK;
}

/* Move t forward to last when the clock went back; see schedule.h. */
int64_t
crl_times_hold(struct crl_times *t, int64_t last)
{
	int64_t d;

	if (last <= 0 || t->this_update >= last)
		return 0;
	d = last - t->this_update;
	t->this_update = last;
	t->next_update += d;
	if (t->next_publish != 0)
		t->next_publish += d;
	return d;
}

/* common/value.h's grammar ("1w", "1d12h", "30m", "0"), bounded to 10 years. */
int
crl_duration_parse(const char *text, int64_t *out, char *why, size_t whylen)
{
	int rc;

	if (text == NULL)
		return ca_why(why, whylen, CA_EPARSE, "duration: missing");
	if (strnlen(text, CRL_DURATION_TEXT_MAX + 1) > CRL_DURATION_TEXT_MAX)
		return ca_why(why, whylen, CA_EPARSE,
		    "duration: longer than %d characters", CRL_DURATION_TEXT_MAX);
	rc = value_duration_parse(text, CRL_DURATION_MAX, out);
	if (rc == CA_ETOOBIG)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "duration \"%s\": longer than 10 years", text);
	if (rc != CA_OK)
		return ca_why(why, whylen, CA_EPARSE,
		    "duration \"%s\": expected <number><unit> with unit "
		    "w, d, h, m or s (e.g. 1w, 1d12h, 30m)", text);
	return CA_OK;
}

/* Print with the largest units first; "0" for zero. */
int
crl_duration_format(int64_t secs, char *buf, size_t len)
{
	size_t i, used = 0;
	int n;

	if (secs < 0 || secs > CRL_DURATION_MAX || buf == NULL)
		return CA_EINVAL;
	if (secs == 0) {
		if (len < 2)
			return CA_ETOOBIG;
		memcpy(buf, "0", 2);
		return CA_OK;
	}
	if (len == 0)
		return CA_ETOOBIG;
	buf[0] = '\0';
	for (i = 0; i < CRL_UNITS_COUNT; i++) {
		if (secs < crl_units[i].secs)
			continue;
		n = snprintf(buf + used, len - used, "%lld%c",
		    (long long)(secs / crl_units[i].secs), crl_units[i].unit);
		if (n < 0 || (size_t)n >= len - used)
			return CA_ETOOBIG;
		used += (size_t)n;
		secs %= crl_units[i].secs;
	}
	return CA_OK;
}

/*
 * CRL schedule rules, pure: when the next full and delta CRLs are due, what
 * thisUpdate and nextUpdate they carry (AD CS semantics: nextUpdate = now +
 * period + overlap, with AD CS's default overlap when none is configured,
 * MS-CSRA §3.1.4.1.6), whether the last CRL is past half its life, the next
 * CRL number, and durations written as "1w", "1d", "12h", "30m", "1d12h".
 * No I/O, no clock: the caller passes "now". Safe from any thread.
 */
#ifndef ENTCA_CRL_SCHEDULE_H
#define ENTCA_CRL_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* AD CS defaults: base CRL 1 week, delta 1 day, clock skew 10 minutes. */
#define CRL_DEFAULT_PERIOD ((int64_t)7 * 86400)
#define CRL_DEFAULT_DELTA_PERIOD ((int64_t)86400)
#define CRL_DEFAULT_SKEW ((int64_t)600)
/* AD CS caps the computed overlap at 12 hours (before adding the skew). */
#define CRL_OVERLAP_CAP ((int64_t)12 * 3600)
/* Longest duration accepted anywhere in a schedule: 10 years. */
#define CRL_DURATION_MAX ((int64_t)3660 * 86400)
/* Longest duration text the parser reads. */
#define CRL_DURATION_TEXT_MAX 32

/* One CA's CRL schedule, in seconds. */
struct crl_schedule {
	int64_t period;		/* full CRL period, > 0 */
	int64_t delta_period;	/* delta CRL period; 0 = no delta CRLs */
	int64_t overlap;	/* added to the full CRL's life; 0 = default */
	int64_t delta_overlap;	/* the same for deltas; 0 = default */
	int64_t skew;		/* clock skew: thisUpdate = now - skew */
};

/* The times of one CRL publication. */
struct crl_times {
	int64_t this_update;	/* now - skew, never before the CA's notBefore */
	int64_t next_update;	/* now + period + overlap */
	int64_t next_publish;	/* now + period: when the next one is due */
};

/* Fill *s with AD CS's defaults (1w, 1d, default overlaps, 10 min skew). */
void crl_schedule_default(struct crl_schedule *s);

/*
 * Check a schedule: period in 1s..CRL_DURATION_MAX, delta period 0 or
 * shorter than the period, overlaps and skew in 0..CRL_DURATION_MAX.
 * Returns CA_OK or CA_ECONFIG with a sentence in why (may be NULL).
 */
int crl_schedule_check(const struct crl_schedule *s, char *why,
    size_t whylen);

/*
 * The overlap actually used for a full (delta = false) or delta CRL: the
 * configured one, or when 0 AD CS's default: min(10% of the period, 12 h)
 * for full CRLs, min(delta period, 12 h) for deltas; then at least 1.5 x
 * skew, at most the period, plus the skew. Defaults give 12 h 10 min.
 */
int64_t crl_overlap(const struct crl_schedule *s, bool delta);

/*
 * Times for a CRL published at now. ca_not_before (0 = unknown) keeps
 * thisUpdate from predating the CA certificate. Returns CA_OK, CA_ECONFIG
 * (bad schedule, or a delta asked while deltas are off) or CA_EINVAL
 * (times overflow), with a sentence in why.
 */
int crl_schedule_times(const struct crl_schedule *s, bool delta, int64_t now,
    int64_t ca_not_before, struct crl_times *out, char *why, size_t whylen);

/*
 * Keep thisUpdate from going backwards: when t->this_update is earlier
 * than last (the latest thisUpdate already issued; 0 = none), move every
 * time of t forward by the difference, so the CRL keeps its planned life
 * but never predates its predecessor (a clock set back). Returns the
 * seconds moved, 0 when the clock was not behind.
 */
int64_t crl_times_hold(struct crl_times *t, int64_t last);

/*
 * Whether a CRL is due at now when the last one of that kind was published
 * at last_publish (0 = never): now >= last_publish + period.
 */
bool crl_publish_due(const struct crl_schedule *s, bool delta,
    int64_t last_publish, int64_t now);

/*
 * Whether the CRL with this_update..next_update is past half its life at
 * now (or there is none: next_update <= this_update), so a daemon that
 * starts should publish a fresh one right away.
 */
bool crl_is_stale(int64_t this_update, int64_t next_update, int64_t now);

/*
 * Next CRL number, strictly above both the stored counter last and the
 * highest number seen in any published CRL (seen; 0 if none), so numbers
 * stay monotonic after a restore. Returns CA_OK, or CA_ETOOBIG when the
 * counter would wrap.
 */
int crl_number_next(uint64_t last, uint64_t seen, uint64_t *out, char *why,
    size_t whylen);

/*
 * Parse a duration in common/value.h's grammar (the one entcad.conf and
 * templates use): one or more <digits><unit> groups ("1w", "1d12h",
 * "30m", "6 weeks"), or "0". Returns CA_OK with seconds in *out, or
 * CA_EPARSE / CA_ETOOBIG (above CRL_DURATION_MAX) with a sentence in why.
 */
int crl_duration_parse(const char *text, int64_t *out, char *why,
    size_t whylen);

/*
 * Write secs (0..CRL_DURATION_MAX) in the parser's form with the largest
 * units ("1w", "1d12h10m", "0") into buf. Returns CA_OK, or CA_EINVAL
 * (out of range) / CA_ETOOBIG (buf too small).
 */
int crl_duration_format(int64_t secs, char *buf, size_t len);

#endif

/*
 * Process-wide operation statistics for /metrics: counters and latency
 * histograms that the directory, the signer client and the store writer
 * feed from whatever thread they run on, and that the metrics page reads.
 * Lock-free: every field is a relaxed atomic, so a scrape may see one
 * observation's count before its sum, never a torn value. Library code
 * only counts here; it still returns reasons and never logs.
 */
#ifndef ENTCA_COMMON_OPSTATS_H
#define ENTCA_COMMON_OPSTATS_H

#include <stddef.h>
#include <stdint.h>

enum opstat_counter {
	OPSTAT_DIR_CACHE_HIT = 0,	/* a lookup answered from the cache */
	OPSTAT_DIR_CACHE_MISS,		/* a lookup the cache could not answer */
	OPSTAT_DIR_ERRORS,		/* a directory operation failed (not a wrong password) */
	OPSTAT_SIGNER_ERRORS,		/* a signature the signer did not give */
	OPSTAT_COUNTER_COUNT
};

enum opstat_timer {
	OPSTAT_DIR_SEARCH = 0,		/* one LDAP search */
	OPSTAT_DIR_BIND,		/* connect, StartTLS and bind */
	OPSTAT_SIGNER_SIGN,		/* one signature through the signer */
	OPSTAT_STORE_COMMIT,		/* one store write group, applied and committed */
	OPSTAT_TIMER_COUNT
};

/* Upper bounds (seconds) of every latency histogram; +Inf implied. */
#define OPSTAT_BUCKETS 10
extern const double opstat_bounds[OPSTAT_BUCKETS];
/* Upper bounds of the store's group sizes (jobs per commit); +Inf implied. */
#define OPSTAT_BATCH_BUCKETS 8
extern const unsigned opstat_batch_bounds[OPSTAT_BATCH_BUCKETS];

/* A snapshot of one histogram (buckets not cumulative). */
struct opstat_hist {
	uint64_t bucket[OPSTAT_BUCKETS + 1];	/* the last one is +Inf */
	uint64_t count;
	uint64_t sum_ns;
};

/* Monotonic nanoseconds, to time an operation. Any thread. */
uint64_t opstat_now_ns(void);

/* Count one event. Any thread. */
void opstat_count(enum opstat_counter c);

/* Record one operation that took ns nanoseconds. Any thread. */
void opstat_observe(enum opstat_timer t, uint64_t ns);

/* Record one store write group of n jobs. Any thread. */
void opstat_batch(size_t n);

/* Read a counter, a histogram, the group sizes. Any thread. */
uint64_t opstat_read(enum opstat_counter c);
void opstat_read_timer(enum opstat_timer t, struct opstat_hist *out);
void opstat_read_batch(uint64_t bucket[OPSTAT_BATCH_BUCKETS + 1],
    uint64_t *count, uint64_t *sum);

#endif

/*
 * Operation statistics (see opstats.h): relaxed atomics in static
 * storage, one set per process.
 */
#include <time.h>

#include "common/opstats.h"

const double opstat_bounds[OPSTAT_BUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5,
};
const unsigned opstat_batch_bounds[OPSTAT_BATCH_BUCKETS] = {
	1, 2, 4, 8, 16, 32, 64, 128,
};

static uint64_t counters[OPSTAT_COUNTER_COUNT];
static struct opstat_hist timers[OPSTAT_TIMER_COUNT];
static uint64_t batch_bucket[OPSTAT_BATCH_BUCKETS + 1], batch_count, batch_sum;

/* Monotonic nanoseconds. */
uint64_t
opstat_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Count one event. */
void
opstat_count(enum opstat_counter c)
{
	if ((unsigned)c < OPSTAT_COUNTER_COUNT)
		__atomic_add_fetch(&counters[c], 1, __ATOMIC_RELAXED);
}

/* Record one timed operation. */
void
opstat_observe(enum opstat_timer t, uint64_t ns)
{
	double s = (double)ns / 1e9;
	unsigned i = 0;

	if ((unsigned)t >= OPSTAT_TIMER_COUNT)
		return;
	while (i < OPSTAT_BUCKETS && s > opstat_bounds[i])
		i++;
	__atomic_add_fetch(&timers[t].bucket[i], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&timers[t].sum_ns, ns, __ATOMIC_RELAXED);
	__atomic_add_fetch(&timers[t].count, 1, __ATOMIC_RELAXED);
}

/* Record one write group's size. */
void
opstat_batch(size_t n)
{
	unsigned i = 0;

	while (i < OPSTAT_BATCH_BUCKETS && n > opstat_batch_bounds[i])
		i++;
	__atomic_add_fetch(&batch_bucket[i], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&batch_sum, (uint64_t)n, __ATOMIC_RELAXED);
	__atomic_add_fetch(&batch_count, 1, __ATOMIC_RELAXED);
}

/* Read a counter. */
uint64_t
opstat_read(enum opstat_counter c)
{
	return (unsigned)c < OPSTAT_COUNTER_COUNT ?
	    __atomic_load_n(&counters[c], __ATOMIC_RELAXED) : 0;
}

/* Read a histogram. */
void
opstat_read_timer(enum opstat_timer t, struct opstat_hist *out)
{
	for (unsigned i = 0; i <= OPSTAT_BUCKETS; i++)
		out->bucket[i] = (unsigned)t < OPSTAT_TIMER_COUNT ?
		    __atomic_load_n(&timers[t].bucket[i], __ATOMIC_RELAXED) : 0;
	out->count = (unsigned)t < OPSTAT_TIMER_COUNT ?
	    __atomic_load_n(&timers[t].count, __ATOMIC_RELAXED) : 0;
	out->sum_ns = (unsigned)t < OPSTAT_TIMER_COUNT ?
	    __atomic_load_n(&timers[t].sum_ns, __ATOMIC_RELAXED) : 0;
}

/* Read the group sizes. */
void
opstat_read_batch(uint64_t bucket[OPSTAT_BATCH_BUCKETS + 1], uint64_t *count,
    uint64_t *sum)
{
	for (unsigned i = 0; i <= OPSTAT_BATCH_BUCKETS; i++)
		bucket[i] = __atomic_load_n(&batch_bucket[i], __ATOMIC_RELAXED);
	*count = __atomic_load_n(&batch_count, __ATOMIC_RELAXED);
	*sum = __atomic_load_n(&batch_sum, __ATOMIC_RELAXED);
}

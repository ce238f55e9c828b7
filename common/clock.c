/* Wall clock with a test override, and the monotonic clock; see clock.h. */
#include <stdlib.h>
#include <time.h>

#include "common/clock.h"

/* ENTCA_NOW pins the clock for tests; otherwise time(2). */
int64_t
ca_now(void)
{
	const char *pin = getenv("ENTCA_NOW");
	char *end;
	long long v;

	if (pin != NULL && *pin != '\0') {
		v = strtoll(pin, &end, 10);
		if (*end == '\0' && v > 0)
			return (int64_t)v;
	}
	return (int64_t)time(NULL);
}

/* CLOCK_MONOTONIC in milliseconds. */
int64_t
ca_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wall clock with a test override; see clock.h. */
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

/*
 * The one wall-clock seam: every "now" for certificates, CRLs and
 * records comes from ca_now(). Tests and `entca` can pin it with the
 * ENTCA_NOW environment variable (seconds since the epoch). Deadlines
 * outside the loop read the monotonic clock through ca_monotonic_ms();
 * the loop's timers use it through libevent.
 */
#ifndef ENTCA_CA_CLOCK_H
#define ENTCA_CA_CLOCK_H

#include <stdint.h>

/* Seconds since the epoch (UTC), or ENTCA_NOW when set. Any thread. */
int64_t ca_now(void);

/*
 * Milliseconds of the monotonic clock, for deadlines and cache expiry
 * that must not follow wall-clock steps (ENTCA_NOW does not move it).
 * Any thread.
 */
int64_t ca_monotonic_ms(void);

#endif

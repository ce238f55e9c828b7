/*
 * The one wall-clock seam: every "now" for certificates, CRLs and
 * records comes from ca_now(). Tests and `entca` can pin it with the
 * ENTCA_NOW environment variable (seconds since the epoch); timers use the
 * monotonic clock through libevent instead.
 */
#ifndef ENTCA_CA_CLOCK_H
#define ENTCA_CA_CLOCK_H

#include <stdint.h>

/* Seconds since the epoch (UTC), or ENTCA_NOW when set. Any thread. */
int64_t ca_now(void);

#endif

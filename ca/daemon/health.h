/*
 * What /health says (issue 11 item 4): 200 only when everything the CA
 * needs is well, else 503 with one reason per problem: the signer process
 * down, store writes failing (disk full, map full at its ceiling, I/O),
 * the directory unreachable, the full CRL past its nextUpdate.
 *
 * Threads: the loop thread. Nothing here blocks: the signer and the store
 * are asked through non-blocking accessors, and the directory is probed
 * by a worker (a lookup that needs the server) whose result comes back to
 * the loop; /health reports the last probe and starts a new one when that
 * is older than HEALTH_DIR_FRESH_S.
 */
#ifndef ENTCA_CA_HEALTH_H
#define ENTCA_CA_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "common/error.h"

#define HEALTH_DIR_FRESH_S 2		/* /health re-probes older results */
#define HEALTH_DIR_PROBE_S 30		/* the tick probes at least this often */
/* A SID no directory holds: the lookup must reach a server to say so. */
#define HEALTH_DIR_PROBE_SID "S-1-5-21-0-0-0-0"

struct daemon;

/* The directory probe's last result (loop-owned, in struct daemon). */
struct health_dir {
	bool busy;			/* a probe runs on a worker */
	bool known;			/* a probe has finished */
	int rc;				/* CA_OK: reachable */
	int64_t checked_at;		/* ca_now() when it finished */
	char why[CA_WHY_MAX];
};

/*
 * Start a directory probe on a worker if none runs and the last result is
 * older than max_age_s seconds. No-op without [directory]. Loop thread.
 */
void health_probe_directory(struct daemon *d, int64_t max_age_s);

/*
 * Append one {"component", "reason"} object per problem to problems (a
 * JSON array) and return how many. Loop thread; never blocks.
 */
size_t health_problems(struct daemon *d, json_t *problems);

#endif

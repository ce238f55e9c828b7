/*
 * entcad's /metrics (Prometheus text exposition format 0.0.4) and the one
 * log line per finished request. Counting happens in metrics_done, which
 * the HTTP servers call from http_respond on the loop thread, so the
 * counters are plain loop-owned integers: no lock, no atomics. What other
 * threads own (the store's totals, signer restarts, connection counters)
 * is read at scrape time through their lock-free or snapshot accessors;
 * directory, signer and store latencies, errors, cache hits and commit
 * batch sizes come from common/opstats (relaxed atomics fed by the
 * threads that do the work).
 */
#ifndef ENTCA_CA_METRICS_H
#define ENTCA_CA_METRICS_H

#include <stdint.h>

struct daemon;
struct http_request;

/* Route classes of entca_http_requests_total, in label order. */
enum metrics_route {
	MR_EST_SIMPLEENROLL = 0,
	MR_EST_SERVERKEYGEN,
	MR_EST_SIMPLEREENROLL,
	MR_EST_CACERTS,
	MR_EST_CSRATTRS,
	MR_API,
	MR_HEALTH,
	MR_CRL,
	MR_AIA,
	MR_OTHER,
	MR_COUNT
};

/* Statuses counted per route: 0 (client gone) and 100..599. */
#define METRICS_STATUS_MAX 600

/* Upper bounds (seconds) of entca_enroll_duration_seconds; +Inf implied. */
#define METRICS_BUCKETS 12

/* Loop-owned counters, in struct daemon. */
struct daemon_metrics {
	uint64_t requests[MR_COUNT][METRICS_STATUS_MAX]; /* by route, status */
	uint64_t enroll_bucket[METRICS_BUCKETS];	/* not cumulative */
	uint64_t enroll_inf;			/* over the last bound */
	uint64_t enroll_count;
	double enroll_sum;			/* seconds */
};

/* The route class of a request path (any thread). */
enum metrics_route metrics_route_of(const char *path);

/* Its label value: "est_simpleenroll", ..., "other". */
const char *metrics_route_name(enum metrics_route r);

/*
 * http_done_cb of both listeners (arg is the daemon): count the request
 * and, unless its handler logged it already (req->logged), log one line
 * with request id, peer, route, status and latency. Loop thread.
 */
void metrics_done(const struct http_request *req, int status, void *arg);

/* GET /metrics: the exposition, or 404 when [http] metrics = no. Loop. */
void metrics_serve(struct daemon *d, struct http_request *req);

#endif

/*
 * /metrics and the per-request count and log line (see metrics.h). The
 * exposition is built on the loop from loop-owned counters plus
 * snapshots: store_stats (an LMDB read snapshot, no writer lock),
 * signer_restarts (atomic) and http_server_stats (loop-owned).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

#include "common/clock.h"
#include "ca/daemon/daemon.h"
#include "ca/http/http.h"
#include "common/log.h"
#include "ca/daemon/metrics.h"
#include "ca/daemon/job_error.h"
#include "ca/signer/signer.h"
#include "ca/store/store.h"

#define EST_PREFIX "/.well-known/est/"

static const double bounds[METRICS_BUCKETS] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
};

static const char *const route_names[MR_COUNT] = {
	"est_simpleenroll", "est_serverkeygen", "est_simplereenroll",
	"est_cacerts", "est_csrattrs", "api", "health", "crl", "aia", "other",
};

/* The EST operation is the last path segment (an optional label before). */
enum metrics_route
metrics_route_of(const char *path)
{
	static const struct { const char *op; enum metrics_route r; } est[] = {
		{ "simpleenroll", MR_EST_SIMPLEENROLL },
		{ "serverkeygen", MR_EST_SERVERKEYGEN },
		{ "simplereenroll", MR_EST_SIMPLEREENROLL },
		{ "cacerts", MR_EST_CACERTS },
		{ "csrattrs", MR_EST_CSRATTRS },
	};

	if (strncmp(path, EST_PREFIX, strlen(EST_PREFIX)) == 0) {
		const char *op = strrchr(path, '/') + 1;

		for (size_t i = 0; i < sizeof(est) / sizeof(est[0]); i++)
			if (strcmp(op, est[i].op) == 0)
				return est[i].r;
		return MR_OTHER;
	}
	if (strncmp(path, "/api/", 5) == 0)
		return MR_API;
	if (strcmp(path, "/health") == 0)
		return MR_HEALTH;
	if (strncmp(path, "/crl/", 5) == 0)
		return MR_CRL;
	if (strncmp(path, "/aia/", 5) == 0)
		return MR_AIA;
	return MR_OTHER;
}

/* Label value of r. */
const char *
metrics_route_name(enum metrics_route r)
{
	return (unsigned)r < MR_COUNT ? route_names[r] : "other";
}

/* Count req; log it unless its handler did. */
void
metrics_done(const struct http_request *req, int status, void *arg)
{
	struct daemon *d = arg;
	struct daemon_metrics *m = &d->metrics;
	enum metrics_route r = metrics_route_of(req->path);
	double secs = (double)(http_monotonic_ns() - req->started_ns) / 1e9;

	m->requests[r][status >= 0 && status < METRICS_STATUS_MAX ? status : 0]++;
	/* The latency of enrollments answered (issued or pending), not refusals. */
	if ((r == MR_EST_SIMPLEENROLL || r == MR_EST_SERVERKEYGEN ||
	    r == MR_EST_SIMPLEREENROLL) && (status == 200 || status == 202)) {
		size_t i = 0;

		while (i < METRICS_BUCKETS && secs > bounds[i])
			i++;
		if (i < METRICS_BUCKETS)
			m->enroll_bucket[i]++;
		else
			m->enroll_inf++;
		m->enroll_count++;
		m->enroll_sum += secs;
	}
	if (req->logged)
		return;
	/* log_msg escapes the line; the path is the client's text. */
	log_info("- %s %s from %s: %d (request %s, route %s, %.1f ms)",
	    req->method, req->path, req->peer, status, req->request_id,
	    metrics_route_name(r), secs * 1000);
}

/* A growing text buffer; on failure it stays marked failed. */
struct buf {
	char *p;
	size_t len, cap;
	bool failed;
};

/* Append printf-style text to b. */
static void __attribute__((format(printf, 2, 3)))
put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		char *np = realloc(b->p, b->cap * 2 + (size_t)n);

		if (np == NULL) {
			b->failed = true;
			return;
		}
		b->p = np;
		b->cap = b->cap * 2 + (size_t)n;
	}
}

/* HELP and TYPE lines of one family. */
static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/*
 * One series of one listener (NULL: absent): which is 0 open connections,
 * 1 refused by a limit, 2 evicted, 3 requests refused by the HTTP layer.
 */
static void
listener_stats(struct buf *b, const char *name, const struct http_server *s,
    int which)
{
	struct http_stats st;

	if (s == NULL)
		return;
	http_server_stats(s, &st);
	if (which == 0)
		put(b, "entca_http_connections_open{listener=\"%s\"} %u\n", name,
		    st.connections);
	else if (which == 1)
		put(b, "entca_http_connections_refused_total{listener=\"%s\"} %llu\n",
		    name, (unsigned long long)st.limit_refused);
	else if (which == 2)
		put(b, "entca_http_connections_evicted_total{listener=\"%s\"} %llu\n",
		    name, (unsigned long long)st.limit_evicted);
	else
		put(b, "entca_http_server_refused_total{listener=\"%s\"} %llu\n",
		    name, (unsigned long long)st.refused);
}

/* Number and age gauges of one CRL, if one is in service. */
static void
crl_gauges(struct buf *b, const char *kind, const struct crlpub_result *r,
    int64_t now, bool age)
{
	if (r->der == NULL)
		return;
	if (age)
		put(b, "entca_crl_age_seconds{kind=\"%s\"} %lld\n", kind,
		    (long long)(now - r->this_update));
	else
		put(b, "entca_crl_number{kind=\"%s\"} %llu\n", kind,
		    (unsigned long long)r->number);
}

/* The exposition text of d into b. */
static void
render(struct daemon *d, struct buf *b)
{
	const struct daemon_metrics *m = &d->metrics;
	struct store_stats ss;
	char why[CA_WHY_MAX];
	int64_t now = ca_now();
	uint64_t cum = 0;
	bool have_store = d->store != NULL &&
	    store_stats(d->store, &ss, why, sizeof(why)) == CA_OK;

	family(b, "entca_http_requests_total", "counter",
	    "Requests answered, by route class and status (0: client gone).");
	for (unsigned r = 0; r < MR_COUNT; r++)
		for (unsigned c = 0; c < METRICS_STATUS_MAX; c++)
			if (m->requests[r][c] != 0)
				put(b, "entca_http_requests_total{route=\"%s\",code=\"%u\"} %llu\n",
				    route_names[r], c, (unsigned long long)m->requests[r][c]);

	family(b, "entca_enroll_duration_seconds", "histogram",
	    "Time from request to answer of EST enrollments answered 200 or 202.");
	for (unsigned i = 0; i < METRICS_BUCKETS; i++) {
		cum += m->enroll_bucket[i];
		put(b, "entca_enroll_duration_seconds_bucket{le=\"%g\"} %llu\n",
		    bounds[i], (unsigned long long)cum);
	}
	put(b, "entca_enroll_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
	    (unsigned long long)m->enroll_count);
	put(b, "entca_enroll_duration_seconds_sum %.6f\n", m->enroll_sum);
	put(b, "entca_enroll_duration_seconds_count %llu\n",
	    (unsigned long long)m->enroll_count);

	if (have_store) {
		family(b, "entca_certificates_issued_total", "counter",
		    "Certificates in the store (every one this CA issued).");
		put(b, "entca_certificates_issued_total %llu\n",
		    (unsigned long long)ss.certs);
		family(b, "entca_certificates_revoked", "gauge",
		    "Certificates currently revoked (on hold included).");
		put(b, "entca_certificates_revoked %llu\n",
		    (unsigned long long)ss.revoked);
		family(b, "entca_requests_pending", "gauge",
		    "Requests waiting for a CA manager's approval.");
		put(b, "entca_requests_pending %llu\n", (unsigned long long)ss.pending);
		family(b, "entca_store_commits_total", "counter",
		    "Store write groups committed since entcad started.");
		put(b, "entca_store_commits_total %llu\n", (unsigned long long)ss.groups);
	}

	family(b, "entca_signer_restarts_total", "counter",
	    "Signer child restarts since entcad started.");
	put(b, "entca_signer_restarts_total %u\n", signer_restarts(d->signer));

	family(b, "entca_crl_number", "gauge", "CRL number in service.");
	crl_gauges(b, "full", &d->crl_full, now, false);
	crl_gauges(b, "delta", &d->crl_delta, now, false);
	family(b, "entca_crl_age_seconds", "gauge",
	    "Seconds since the thisUpdate of the CRL in service.");
	crl_gauges(b, "full", &d->crl_full, now, true);
	crl_gauges(b, "delta", &d->crl_delta, now, true);

	family(b, "entca_http_connections_open", "gauge", "Open connections.");
	listener_stats(b, "https", d->http, 0);
	listener_stats(b, "http", d->http_plain, 0);
	family(b, "entca_http_connections_refused_total", "counter",
	    "Connections closed at accept by a connection limit.");
	listener_stats(b, "https", d->http, 1);
	listener_stats(b, "http", d->http_plain, 1);
	family(b, "entca_http_connections_evicted_total", "counter",
	    "Idle connections closed to make room for a newcomer.");
	listener_stats(b, "https", d->http, 2);
	listener_stats(b, "http", d->http_plain, 2);
	family(b, "entca_http_server_refused_total", "counter",
	    "Requests the HTTP layer refused itself (400, 413, 414, 431, 501...).");
	listener_stats(b, "https", d->http, 3);
	listener_stats(b, "http", d->http_plain, 3);
}

/* GET /metrics. */
void
metrics_serve(struct daemon *d, struct http_request *req)
{
	struct http_header h = { "Content-Type", "text/plain; version=0.0.4; charset=utf-8" };
	struct buf b = { .p = malloc(4096), .cap = 4096 };

	if (!d->cfg->metrics) {
		job_error_respond(req, CA_ENOTFOUND, NULL, "not found");
		free(b.p);
		return;
	}
	if (b.p == NULL)
		b.failed = true;
	else
		render(d, &b);
	if (b.failed) {
		job_error_respond(req, CA_ENOMEM, NULL, "out of memory");
	} else {
		http_respond(req, 200, &h, 1, b.p, b.len);
	}
	free(b.p);
}

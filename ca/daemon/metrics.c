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
#include "common/opstats.h"
#include "ca/daemon/daemon.h"
#include "ca/http/http.h"
#include "common/log.h"
#include "ca/daemon/metrics.h"
#include "ca/daemon/job_error.h"
#include "ca/ocsp/ocsp.h"
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
	{
		const struct log_field f[] = {
			{ "request_id", req->request_id, 0 },
			{ "method", req->method, 0 },
			{ "path", req->path, 0 },
			{ "peer", req->peer, 0 },
			{ "status", NULL, status },
			{ "route", metrics_route_name(r), 0 },
			{ "latency_ms", NULL, secs * 1000 },
		};

		log_fields(LOG_LEVEL_INFO, f, sizeof(f) / sizeof(f[0]),
		    "- %s %s from %s: %d (request %s, route %s, %.1f ms)",
		    req->method, req->path, req->peer, status, req->request_id,
		    metrics_route_name(r), secs * 1000);
	}
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

/* A family of the HTTP listeners' series, and its field of http_stats. */
struct listener_family {
	const char *name, *type, *help;
	enum { LF_OPEN, LF_LIMIT_REFUSED, LF_EVICTED, LF_REFUSED } field;
};

static const struct listener_family listener_families[] = {
	{ "entca_http_connections_open", "gauge", "Open connections.",
	    LF_OPEN },
	{ "entca_http_connections_refused_total", "counter",
	    "Connections closed at accept by a connection limit.",
	    LF_LIMIT_REFUSED },
	{ "entca_http_connections_evicted_total", "counter",
	    "Idle connections closed to make room for a newcomer.",
	    LF_EVICTED },
	{ "entca_http_server_refused_total", "counter",
	    "Requests the HTTP layer refused itself (400, 413, 414, 431, 501...).",
	    LF_REFUSED },
};

/* The value of family f in st. */
static unsigned long long
listener_value(const struct listener_family *f, const struct http_stats *st)
{
	switch (f->field) {
	case LF_OPEN:
		return st->connections;
	case LF_LIMIT_REFUSED:
		return st->limit_refused;
	case LF_EVICTED:
		return st->limit_evicted;
	case LF_REFUSED:
		return st->refused;
	}
	return 0;
}

/* Every listener family, with one series per listener that runs. */
static void
listener_metrics(struct buf *b, const struct daemon *d)
{
	const struct {
		const char *name;
		const struct http_server *s;
	} listeners[] = { { "https", d->http }, { "http", d->http_plain } };
	struct http_stats st;

	for (size_t f = 0; f < sizeof(listener_families) /
	    sizeof(listener_families[0]); f++) {
		const struct listener_family *lf = &listener_families[f];

		family(b, lf->name, lf->type, lf->help);
		for (size_t i = 0; i < sizeof(listeners) / sizeof(listeners[0]);
		    i++) {
			if (listeners[i].s == NULL)
				continue;
			http_server_stats(listeners[i].s, &st);
			put(b, "%s{listener=\"%s\"} %llu\n", lf->name,
			    listeners[i].name, listener_value(lf, &st));
		}
	}
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

/* One latency histogram (seconds) from opstats. */
static void
op_histogram(struct buf *b, const char *name, const char *help,
    enum opstat_timer t)
{
	struct opstat_hist h;
	uint64_t cum = 0;

	opstat_read_timer(t, &h);
	family(b, name, "histogram", help);
	for (unsigned i = 0; i < OPSTAT_BUCKETS; i++) {
		cum += h.bucket[i];
		put(b, "%s_bucket{le=\"%g\"} %llu\n", name, opstat_bounds[i],
		    (unsigned long long)cum);
	}
	put(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)h.count);
	put(b, "%s_sum %.6f\n", name, (double)h.sum_ns / 1e9);
	put(b, "%s_count %llu\n", name, (unsigned long long)h.count);
}

/* Directory, signer and store figures that opstats gathers. */
static void
render_ops(struct buf *b)
{
	uint64_t bb[OPSTAT_BATCH_BUCKETS + 1], n, sum, cum = 0;
	uint64_t hit = opstat_read(OPSTAT_DIR_CACHE_HIT);
	uint64_t miss = opstat_read(OPSTAT_DIR_CACHE_MISS);

	op_histogram(b, "entca_directory_search_duration_seconds",
	    "Time of one LDAP search.", OPSTAT_DIR_SEARCH);
	op_histogram(b, "entca_directory_bind_duration_seconds",
	    "Time to connect, StartTLS and bind (service account and logins).",
	    OPSTAT_DIR_BIND);
	family(b, "entca_directory_errors_total", "counter",
	    "Directory operations that failed (unreachable, timeout, refused; "
	    "not wrong passwords).");
	put(b, "entca_directory_errors_total %llu\n",
	    (unsigned long long)opstat_read(OPSTAT_DIR_ERRORS));
	family(b, "entca_directory_cache_hits_total", "counter",
	    "Lookups answered from the directory cache.");
	put(b, "entca_directory_cache_hits_total %llu\n", (unsigned long long)hit);
	family(b, "entca_directory_cache_misses_total", "counter",
	    "Lookups the directory cache could not answer.");
	put(b, "entca_directory_cache_misses_total %llu\n", (unsigned long long)miss);
	family(b, "entca_directory_cache_hit_ratio", "gauge",
	    "Hits over lookups since entcad started (0 before the first).");
	put(b, "entca_directory_cache_hit_ratio %.4f\n",
	    hit + miss > 0 ? (double)hit / (double)(hit + miss) : 0.0);

	op_histogram(b, "entca_signer_duration_seconds",
	    "Time of one signature through the signer process.",
	    OPSTAT_SIGNER_SIGN);
	family(b, "entca_signer_errors_total", "counter",
	    "Signatures the signer did not give.");
	put(b, "entca_signer_errors_total %llu\n",
	    (unsigned long long)opstat_read(OPSTAT_SIGNER_ERRORS));

	op_histogram(b, "entca_store_commit_duration_seconds",
	    "Time to apply and commit one store write group.",
	    OPSTAT_STORE_COMMIT);
	opstat_read_batch(bb, &n, &sum);
	family(b, "entca_store_commit_batch_size", "histogram",
	    "Jobs per store write group (group commit).");
	for (unsigned i = 0; i < OPSTAT_BATCH_BUCKETS; i++) {
		cum += bb[i];
		put(b, "entca_store_commit_batch_size_bucket{le=\"%u\"} %llu\n",
		    opstat_batch_bounds[i], (unsigned long long)cum);
	}
	put(b, "entca_store_commit_batch_size_bucket{le=\"+Inf\"} %llu\n",
	    (unsigned long long)n);
	put(b, "entca_store_commit_batch_size_sum %llu\n", (unsigned long long)sum);
	put(b, "entca_store_commit_batch_size_count %llu\n", (unsigned long long)n);
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

	family(b, "entca_crl_size_bytes", "gauge", "DER size of the CRL in service.");
	if (d->crl_full.der != NULL)
		put(b, "entca_crl_size_bytes{kind=\"full\"} %zu\n", d->crl_full.der_len);
	if (d->crl_delta.der != NULL)
		put(b, "entca_crl_size_bytes{kind=\"delta\"} %zu\n", d->crl_delta.der_len);
	family(b, "entca_crl_entries", "gauge", "Entries of the CRL in service.");
	if (d->crl_full.der != NULL)
		put(b, "entca_crl_entries{kind=\"full\"} %zu\n", d->crl_full.entries);
	if (d->crl_delta.der != NULL)
		put(b, "entca_crl_entries{kind=\"delta\"} %zu\n", d->crl_delta.entries);

	render_ops(b);

	listener_metrics(b, d);

	{
		/* OCSP: responses by status, cache, signing latency. */
		char *ocsp = ocsp_metrics_text(d->ocsp);

		if (ocsp != NULL)
			put(b, "%s", ocsp);
		free(ocsp);
	}
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

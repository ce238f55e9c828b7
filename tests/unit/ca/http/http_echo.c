/*
 * http_echo: a test server for tests/integration/http_server.sh. It runs the
 * HTTPS server of ca/http/http.h on one libevent loop with a handler that echoes
 * the request, parks requests behind timers (/delay; /parked counts them and
 * /release answers them all now, so concurrency is tested without a clock), parses Basic
 * credentials (/basic) and misbehaves on purpose (/badheader). SIGTERM stops
 * accepting and exits 0 once nothing is in flight; SIGHUP reloads the
 * certificate; --lifetime makes it stop by itself. Exit 2 on a start error.
 * Single-threaded: everything runs on the loop.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/error.h"
#include "ca/http/http.h"
#include "ca/http/http_util.h"

#define ECHO_BIG_MAX (16 * 1024 * 1024)
#define ECHO_DELAY_MAX 60000

struct echo {
	struct event_base *base;
	struct http_server *srv;
	struct event *ev_poll;
	const char *cert, *key;
	bool stopping;
	unsigned long gone;
	struct delayed *parked;		/* requests behind a timer, newest first */
	unsigned n_parked;
};

struct delayed {
	struct echo *e;
	struct http_request *req;
	struct event *ev;
	unsigned ms;
	struct delayed *next, **prev;	/* in e->parked */
};

/* Answer a delayed request, or just free it if its client left. */
static void
delay_fire(evutil_socket_t fd, short what, void *arg)
{
	struct delayed *d = arg;
	char body[64];
	int n;

	(void)fd;
	(void)what;
	*d->prev = d->next;
	if (d->next != NULL)
		d->next->prev = d->prev;
	d->e->n_parked--;
	if (!http_request_alive(d->req)) {
		d->e->gone++;
		fprintf(stderr, "http_echo: parked request %llu: client gone\n",
		    (unsigned long long)d->req->id);
		http_respond(d->req, 200, NULL, 0, NULL, 0);
	} else {
		n = snprintf(body, sizeof(body), "delayed %u ms\n", d->ms);
		http_respond(d->req, 200, NULL, 0, body, (size_t)n);
	}
	event_free(d->ev);
	free(d);
}

/* Park req for ?ms=N milliseconds. */
static void
handle_delay(struct echo *e, struct http_request *req)
{
	struct delayed *d;
	char v[16];
	struct timeval tv;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		http_respond(req, 500, NULL, 0, NULL, 0);
		return;
	}
	d->e = e;
	d->req = req;
	d->ms = 100;
	if (http_query_get(req->query, "ms", v, sizeof(v)) == CA_OK)
		d->ms = (unsigned)strtoul(v, NULL, 10);
	if (d->ms > ECHO_DELAY_MAX)
		d->ms = ECHO_DELAY_MAX;
	tv.tv_sec = d->ms / 1000;
	tv.tv_usec = (d->ms % 1000) * 1000;
	d->ev = evtimer_new(e->base, delay_fire, d);
	evtimer_add(d->ev, &tv);
	d->next = e->parked;
	d->prev = &e->parked;
	if (e->parked != NULL)
		e->parked->prev = &d->next;
	e->parked = d;
	e->n_parked++;
}

/* /parked: how many requests wait behind a timer right now. */
static void
handle_parked(struct echo *e, struct http_request *req)
{
	char body[32];
	int n = snprintf(body, sizeof(body), "parked %u\n", e->n_parked);

	http_respond(req, 200, NULL, 0, body, (size_t)n);
}

/* /release: fire every parked timer now (each answers as if its time came). */
static void
handle_release(struct echo *e, struct http_request *req)
{
	struct delayed *d;

	for (d = e->parked; d != NULL; d = d->next)
		event_active(d->ev, EV_TIMEOUT, 0);
	http_respond(req, 200, NULL, 0, "released\n", 9);
}

/* Echo the request back: body as is, facts in X- headers. */
static void
handle_echo(struct http_request *req)
{
	char len[32], id[32], cb[64], cwhy[256];
	const char *xt = http_request_header(req, "X-Test");
	const char *cert = req->tls->cert_der == NULL ? "none" :
	    req->tls->cert_verified ? "verified" : "unverified";
	struct http_header h[11];
	size_t n = 0;

	snprintf(len, sizeof(len), "%zu", req->body_len);
	snprintf(id, sizeof(id), "%llu", (unsigned long long)req->id);
	snprintf(cb, sizeof(cb), "%s:%zu", req->tls->cb_type ?
	    req->tls->cb_type : "none", req->tls->cb_len);
	h[n++] = (struct http_header){ "Content-Type",
	    "application/octet-stream" };
	h[n++] = (struct http_header){ "X-Method", req->method };
	h[n++] = (struct http_header){ "X-Path", req->path };
	h[n++] = (struct http_header){ "X-Query", req->query ? req->query : "" };
	h[n++] = (struct http_header){ "X-Body-Len", len };
	h[n++] = (struct http_header){ "X-Peer", req->peer };
	h[n++] = (struct http_header){ "X-TLS", req->tls->version };
	h[n++] = (struct http_header){ "X-Client-Cert", cert };
	tls_verify_status_text(req->tls->verify_status, cwhy, sizeof(cwhy));
	h[n++] = (struct http_header){ "X-Client-Cert-Why", cwhy };
	h[n++] = (struct http_header){ "X-Request-Id", id };
	h[n++] = (struct http_header){ "X-Channel-Binding", cb };
	if (xt != NULL)
		h[n - 1] = (struct http_header){ "X-Test-Echo", xt };
	http_respond(req, 200, h, n, req->body, req->body_len);
}

/* Basic credentials: 200 with the user, or 401 with a challenge. */
static void
handle_basic(struct http_request *req)
{
	char user[256], pass[256], why[CA_WHY_MAX], body[600];
	struct http_header ch = { "WWW-Authenticate",
	    "Basic realm=\"entca\"" };
	int rc, n;

	rc = http_basic_parse(http_request_header(req, "Authorization"), user,
	    sizeof(user), pass, sizeof(pass), why, sizeof(why));
	if (rc != CA_OK) {
		n = snprintf(body, sizeof(body), "%s\n", why);
		http_respond(req, 401, &ch, 1, body, (size_t)n);
		return;
	}
	n = snprintf(body, sizeof(body), "user=%s passlen=%zu\n", user,
	    strlen(pass));
	explicit_bzero(pass, sizeof(pass));
	http_respond(req, 200, NULL, 0, body, (size_t)n);
}

/* Route a request. */
static void
on_request(struct http_request *req, void *arg)
{
	struct echo *e = arg;
	char v[32];

	if (strcmp(req->path, "/echo") == 0)
		handle_echo(req);
	else if (strcmp(req->path, "/parked") == 0)
		handle_parked(e, req);
	else if (strcmp(req->path, "/release") == 0)
		handle_release(e, req);
	else if (strcmp(req->path, "/delay") == 0)
		handle_delay(e, req);
	else if (strcmp(req->path, "/basic") == 0)
		handle_basic(req);
	else if (strcmp(req->path, "/close") == 0) {
		struct http_header h = { "Connection", "close" };

		http_respond(req, 200, &h, 1, "bye\n", 4);
	} else if (strcmp(req->path, "/badheader") == 0) {
		struct http_header h = { "X-Evil", "a\r\nInjected: yes" };

		http_respond(req, 200, &h, 1, "x", 1);
	} else if (strcmp(req->path, "/big") == 0) {
		size_t n = 0;
		char *b;

		if (http_query_get(req->query, "n", v, sizeof(v)) == CA_OK)
			n = strtoul(v, NULL, 10);
		if (n > ECHO_BIG_MAX)
			n = ECHO_BIG_MAX;
		if ((b = malloc(n + 1)) == NULL) {
			http_respond(req, 500, NULL, 0, NULL, 0);
			return;
		}
		for (size_t i = 0; i < n; i++)
			b[i] = (char)('a' + i % 26);
		http_respond(req, 200, NULL, 0, b, n);
		free(b);
	} else
		http_respond(req, 404, NULL, 0, "not found\n", 10);
}

/* Log the server's connection events, as the daemon would. */
static void
on_event(enum http_event ev, const char *peer, int status, const char *detail,
    void *arg)
{
	(void)arg;
	fprintf(stderr, "http_echo: event %s %s %d %s\n", http_event_name(ev),
	    peer, status, detail != NULL ? detail : "-");
}

/* While stopping: exit the loop once nothing is in flight. */
static void
on_poll(evutil_socket_t fd, short what, void *arg)
{
	struct echo *e = arg;

	(void)fd;
	(void)what;
	if (http_server_inflight(e->srv) == 0)
		event_base_loopbreak(e->base);
}

/* SIGTERM or the lifetime timer: drain, then stop. */
static void
on_stop(evutil_socket_t fd, short what, void *arg)
{
	struct echo *e = arg;
	struct timeval tv = { 0, 20000 };

	(void)what;
	if (e->stopping)
		return;
	fprintf(stderr, "http_echo: stopping (%s)\n", fd == SIGTERM ?
	    "SIGTERM" : fd == SIGINT ? "SIGINT" : "lifetime");
	e->stopping = true;
	http_server_stop_accepting(e->srv);
	e->ev_poll = event_new(e->base, -1, EV_PERSIST, on_poll, e);
	event_add(e->ev_poll, &tv);
}

/* SIGHUP: reload the certificate files. */
static void
on_hup(evutil_socket_t fd, short what, void *arg)
{
	struct echo *e = arg;
	char why[CA_WHY_MAX];

	(void)fd;
	(void)what;
	if (http_server_reload_cert(e->srv, e->cert, e->key, why,
	    sizeof(why)) != CA_OK)
		fprintf(stderr, "http_echo: reload: %s\n", why);
	else
		fprintf(stderr, "http_echo: certificate reloaded\n");
}

/* Parse options, start the server, run the loop until stopped. */
int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", 1, NULL, 'l' }, { "cert", 1, NULL, 'c' },
		{ "key", 1, NULL, 'k' }, { "client-ca", 1, NULL, 'a' },
		{ "priority", 1, NULL, 'p' }, { "body-max", 1, NULL, 'b' },
		{ "max-conns", 1, NULL, 'm' }, { "per-source", 1, NULL, 'S' }, { "lifetime", 1, NULL, 't' },
		{ "handshake-ms", 1, NULL, 'H' }, { "header-ms", 1, NULL, 'R' },
		{ "body-ms", 1, NULL, 'B' }, { "idle-ms", 1, NULL, 'I' },
		{ "write-ms", 1, NULL, 'W' },
		{ NULL, 0, NULL, 0 }
	};
	struct http_config cfg = { .listen = "127.0.0.1:8443",
	    .event_cb = on_event };
	struct echo e = { 0 };
	struct event *ev_term, *ev_int, *ev_hup, *ev_life;
	struct timeval life = { 60, 0 };
	struct http_stats st;
	char why[CA_WHY_MAX];
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l': cfg.listen = optarg; break;
		case 'c': cfg.cert_file = optarg; break;
		case 'k': cfg.key_file = optarg; break;
		case 'a': cfg.client_ca_file = optarg; break;
		case 'p': cfg.priority = optarg; break;
		case 'b': cfg.body_max = strtoul(optarg, NULL, 10); break;
		case 'm': cfg.max_connections = (unsigned)atoi(optarg); break;
		case 'S': cfg.max_per_source = (unsigned)atoi(optarg); break;
		case 't': life.tv_sec = atoi(optarg); break;
		case 'H': cfg.handshake_timeout_ms = (unsigned)atoi(optarg); break;
		case 'R': cfg.header_timeout_ms = (unsigned)atoi(optarg); break;
		case 'B': cfg.body_timeout_ms = (unsigned)atoi(optarg); break;
		case 'I': cfg.idle_timeout_ms = (unsigned)atoi(optarg); break;
		case 'W': cfg.write_timeout_ms = (unsigned)atoi(optarg); break;
		default:
			fprintf(stderr, "usage: http_echo --listen A --cert F "
			    "--key F [options]\n");
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	e.cert = cfg.cert_file;
	e.key = cfg.key_file;
	e.base = event_base_new();
	if (http_server_new(e.base, &cfg, on_request, &e, &e.srv, why,
	    sizeof(why)) != CA_OK) {
		fprintf(stderr, "http_echo: %s\n", why);
		event_base_free(e.base);
		return 2;
	}
	ev_term = evsignal_new(e.base, SIGTERM, on_stop, &e);
	ev_int = evsignal_new(e.base, SIGINT, on_stop, &e);
	ev_hup = evsignal_new(e.base, SIGHUP, on_hup, &e);
	ev_life = evtimer_new(e.base, on_stop, &e);
	event_add(ev_term, NULL);
	event_add(ev_int, NULL);
	event_add(ev_hup, NULL);
	event_add(ev_life, &life);
	printf("listening on port %u\n", http_server_port(e.srv));
	fflush(stdout);
	event_base_dispatch(e.base);
	http_server_stats(e.srv, &st);
	fprintf(stderr, "http_echo: stats accepted=%llu requests=%llu "
	    "refused=%llu timeouts=%llu handshake_failed=%llu "
	    "gone_while_parked=%llu limit_refused=%llu limit_evicted=%llu accept_errors=%llu\n",
	    (unsigned long long)st.accepted, (unsigned long long)st.requests,
	    (unsigned long long)st.refused, (unsigned long long)st.timeouts,
	    (unsigned long long)st.handshake_failed,
	    (unsigned long long)st.gone_while_parked,
	    (unsigned long long)st.limit_refused,
	    (unsigned long long)st.limit_evicted,
	    (unsigned long long)st.accept_errors);
	http_server_free(e.srv);
	if (e.ev_poll != NULL)
		event_free(e.ev_poll);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	event_free(ev_life);
	event_base_free(e.base);
	return 0;
}

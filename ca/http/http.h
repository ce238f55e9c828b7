/*
 * entcad's HTTPS/1.1 server: a listener, TLS (GnuTLS) and HTTP/1.1 framing
 * on the caller's libevent loop, with request handlers plugged in by the
 * daemon. Everything runs on ONE loop thread and nothing here blocks it:
 * sockets are non-blocking, GnuTLS is re-armed by record direction, and
 * every phase (handshake, header, body, idle, write) has a timeout.
 *
 * Handlers are asynchronous. The server calls the handler with a complete
 * request (body read and bounded) and parks the connection: it reads no
 * further pipelined request until http_respond is called, from the loop
 * thread, possibly much later (after a worker finished and its completion
 * came back through the daemon's queue). If the client goes away while the
 * request is parked, http_request_alive turns false and http_respond then
 * only frees. A client that shuts down its sending side (close_notify or
 * FIN) after the request counts as gone, as in nginx. Every request handed
 * to the handler gets exactly one http_respond. TLS renegotiation is
 * refused by closing the connection.
 *
 * Use from the daemon (sketch):
 *
 *	static void handle(struct http_request *req, void *d) {
 *		if (needs_worker(req))
 *			queue_job(d, req);	// completion calls http_respond
 *		else				// from the loop thread
 *			http_respond(req, 200, hdrs, n, body, len);
 *	}
 *	http_server_new(base, &cfg, handle, d, &srv, why, sizeof(why));
 *	// SIGTERM: http_server_stop_accepting(srv); poll inflight to 0;
 *	// SIGHUP: http_server_reload_cert(srv, cert, key, why, len);
 *
 * What the server answers itself: 400 (malformed, with a text reason), 413
 * (body over the bound, before reading it), 414, 417, 431, 501 (unknown
 * method or transfer coding), 505, and "100 Continue".
 */
#ifndef ENTCA_CA_HTTP_H
#define ENTCA_CA_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "ca/http/http_parse.h"
#include "ca/http/tls.h"

/* Defaults for struct http_config fields left 0. */
#define HTTP_CONN_DEFAULT_MAX 512
#define HTTP_CONN_LIMIT 65536
#define HTTP_CONN_PER_SOURCE_DEFAULT 64	/* per IPv4 address / IPv6 /64 */
#define HTTP_LIMIT_REPORT_MS 10000	/* one HTTP_EVENT_LIMIT per interval */
#define HTTP_HANDSHAKE_TIMEOUT_MS 10000
#define HTTP_HEADER_TIMEOUT_MS 10000
#define HTTP_BODY_TIMEOUT_MS 30000
#define HTTP_IDLE_TIMEOUT_MS 60000
#define HTTP_WRITE_TIMEOUT_MS 30000
#define HTTP_LINGER_MS 2000		/* draining input after a close */
#define HTTP_LISTEN_MAX 300		/* "host:port" config string */
#define HTTP_PEER_MAX 64
#define HTTP_REQUEST_ID_PREFIX_MAX 8	/* with its NUL */
#define HTTP_REQUEST_ID_MAX 32		/* prefix, decimal id, NUL */

/* Connection events the daemon may log (the library itself never logs). */
enum http_event {
	HTTP_EVENT_REFUSED = 0,	/* answered by the server: status, reason */
	HTTP_EVENT_TLS_FAILED,	/* handshake failed: GnuTLS's reason */
	HTTP_EVENT_TIMEOUT,	/* closed by a timer: "handshake", "header",
				   "body", "idle" or "write" */
	HTTP_EVENT_GONE,	/* client left while its request was parked */
	HTTP_EVENT_LIMIT,	/* a connection limit refused or evicted
				   connections; at most one event per
				   HTTP_LIMIT_REPORT_MS, detail says which
				   limit and how many since the last one */
	HTTP_EVENT_COUNT
};

/*
 * Optional; called on the loop thread with the peer ("127.0.0.1:54321"),
 * the status the server answered (HTTP_EVENT_REFUSED, else 0) and a static
 * or short-lived detail string (copy it to keep it). arg is the handler's.
 */
typedef void (*http_event_cb)(enum http_event ev, const char *peer,
    int status, const char *detail, void *arg);

/* Name of ev for logs: "refused", "tls-failed", "timeout", "gone",
 * "limit". */
const char *http_event_name(enum http_event ev);

struct http_request;

/*
 * Optional; called on the loop thread by http_respond with the status the
 * client is sent (0: the client had gone), before req is freed. For metrics
 * and the one log line per request. arg is the handler's.
 */
typedef void (*http_done_cb)(const struct http_request *req, int status,
    void *arg);

struct http_config {
	const char *listen;		/* "127.0.0.1:8443", "[::1]:8443" */
	bool plain;			/* no TLS: only for public, unsigned-by-us
					   bytes that RFC 5280 §4.2.1.13 wants
					   over http (CRLs, the CA certificate);
					   cert/key/client CA are then unused */
	const char *cert_file;		/* PEM chain, leaf first */
	const char *key_file;		/* PEM, unencrypted */
	const char *client_ca_file;	/* PEM trust list; NULL: no request */
	const char *priority;		/* NULL: TLS_PRIORITY_DEFAULT */
	size_t body_max;		/* 0: HTTP_BODY_DEFAULT_MAX (64 KiB) */
	unsigned max_connections;	/* 0: HTTP_CONN_DEFAULT_MAX. When full,
					   the oldest idle connection of the
					   source holding the most is closed for
					   a newcomer from a lighter source, else
					   the newcomer is; accept never stops */
	unsigned max_per_source;	/* 0: HTTP_CONN_PER_SOURCE_DEFAULT (at
					   most max_connections); the next one
					   from that source is closed at once */
	unsigned handshake_timeout_ms;	/* 0: defaults above */
	unsigned header_timeout_ms;	/* first byte .. end of head */
	unsigned body_timeout_ms;	/* end of head .. end of body */
	unsigned idle_timeout_ms;	/* keep-alive wait for the next request */
	unsigned write_timeout_ms;	/* response writing without progress */
	http_event_cb event_cb;		/* NULL: events are only counted */
	http_done_cb done_cb;		/* NULL: not told of responses */
	const char *request_id_prefix;	/* before each request id, e.g. "t";
					   cut to HTTP_REQUEST_ID_PREFIX_MAX - 1
					   bytes; NULL: none */
};

/* A response header the handler adds; both strings are copied. */
struct http_header {
	const char *name;
	const char *value;
};

struct http_conn;

/*
 * One parsed request. Every pointer is borrowed from the server and valid
 * until http_respond; strings are NUL-terminated.
 */
struct http_request {
	uint64_t id;			/* per server, from 1, for logs */
	const char *method;		/* "GET", "POST", ... */
	const char *target;		/* raw request-target */
	const char *path;		/* raw (not percent-decoded) path */
	const char *query;		/* after '?', raw; NULL when absent */
	int version_minor;		/* HTTP/1.<minor> */
	const unsigned char *body;	/* NULL when body_len is 0 */
	size_t body_len;
	char peer[HTTP_PEER_MAX];	/* "127.0.0.1:54321", "[::1]:443" */
	const struct tls_peer *tls;	/* the connection's: client certificate
					   (cert_verified: chains to
					   client_ca_file, in date, allowed for
					   TLS client auth), version, channel
					   binding; all empty on plain HTTP */
	struct http_conn *conn;		/* the server's; do not touch */
	char request_id[HTTP_REQUEST_ID_MAX]; /* prefix + id: X-Request-Id */
	uint64_t started_ns;		/* monotonic, when the handler got it */
	bool logged;			/* the handler's: its line was logged */
};

/* Nanoseconds on the monotonic clock, as in started_ns. */
uint64_t http_monotonic_ns(void);

/* Counters, for tests and the health endpoint. */
struct http_stats {
	uint64_t accepted;
	uint64_t handshake_failed;
	uint64_t timeouts;		/* connections closed by a timer */
	uint64_t requests;		/* handed to the handler */
	uint64_t refused;		/* answered 4xx/5xx by the server */
	uint64_t gone_while_parked;	/* client left before the response */
	uint64_t limit_refused;		/* closed at accept by a limit */
	uint64_t limit_evicted;		/* idle ones closed for a newcomer */
	uint64_t accept_errors;		/* accept failed (EMFILE...): retried */
	unsigned connections;		/* open sockets now */
	size_t inflight;
};

/*
 * Called on the loop thread with a complete request. The handler (or code
 * it hands the request to) must call http_respond exactly once, from the
 * loop thread, now or later.
 */
typedef void (*http_handler_cb)(struct http_request *req, void *arg);

struct http_server;

/*
 * Load TLS credentials, bind and listen on cfg->listen, and start accepting
 * on base (the caller's loop, which must outlive the server). cfg's strings
 * are copied. Returns CA_OK, CA_ECONFIG (bad address or TLS files,
 * "listen 127.0.0.1:8443: Address already in use") or CA_ENOMEM, with a
 * why sentence. Free with http_server_free. Loop thread.
 */
int http_server_new(struct event_base *base, const struct http_config *cfg,
    http_handler_cb handler, void *arg, struct http_server **out, char *why,
    size_t whylen);

/*
 * Answer req with status, the handler's headers and a copy of body. The
 * server adds the status line, Date, Content-Length and Connection, and
 * refuses handler headers named Content-Length, Date or Transfer-Encoding
 * or holding CR, LF or NUL: then it answers 500 instead and returns
 * CA_EINVAL. "Connection: close" from the handler closes after the
 * response. HEAD, 1xx, 204 and 304 responses carry no body. Afterwards req
 * is gone, whatever the return: CA_OK, CA_EINVAL, CA_ENOMEM (connection
 * closed), CA_ESTATE (client had gone; only freed). Loop thread only.
 */
int http_respond(struct http_request *req, int status,
    const struct http_header *headers, size_t n_headers, const void *body,
    size_t body_len);

/* False once the client went away while req was parked. Loop thread. */
bool http_request_alive(const struct http_request *req);

/* First value of header name (case-insensitive), NULL if absent. */
const char *http_request_header(const struct http_request *req,
    const char *name);

/* The i-th header field in arrival order; false past the end. */
bool http_request_header_at(const struct http_request *req, size_t i,
    const char **name, const char **value);

/*
 * SIGTERM: close the listener, close idle connections, answer in-flight
 * requests with "Connection: close". Then wait for http_server_inflight to
 * reach 0 (poll it from a timer) and free. Loop thread.
 */
void http_server_stop_accepting(struct http_server *s);

/* Requests started (first byte read) and not yet fully answered. */
size_t http_server_inflight(const struct http_server *s);

/* Copy the counters. */
void http_server_stats(const struct http_server *s, struct http_stats *st);

/* The bound port (useful with port 0). */
unsigned http_server_port(const struct http_server *s);

/*
 * SIGHUP: load a new certificate and key (same client CA file and priority)
 * for new connections; established ones keep theirs. On failure the old
 * credentials stay and CA_ECONFIG comes back with a why. Loop thread.
 */
int http_server_reload_cert(struct http_server *s, const char *cert_file,
    const char *key_file, char *why, size_t whylen);

/*
 * SIGHUP without file I/O on the loop: adopt credentials a worker made with
 * tls_creds_new (ownership of nc moves to the server, even on error) for
 * new connections. CA_OK or CA_ENOMEM. Loop thread.
 */
int http_server_take_creds(struct http_server *s, struct tls_creds *nc,
    const char *cert_file, const char *key_file);

/*
 * Close the listener and every connection. Requests still parked are
 * detached: their http_respond only frees. NULL is fine. Loop thread.
 */
void http_server_free(struct http_server *s);

/*
 * The TLS channel binding of req's connection (RFC 9266 tls-exporter on
 * TLS 1.3, RFC 5929 tls-unique before): up to cap bytes into out, *len set,
 * *type "tls-exporter" or "tls-unique" (static). CA_ENOTFOUND on plain
 * HTTP, CA_ETOOBIG, CA_ECRYPTO. Loop thread.
 */
int http_request_channel_binding(const struct http_request *req,
    unsigned char *out, size_t cap, size_t *len, const char **type);

#endif

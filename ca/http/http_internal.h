/*
 * Shared between the HTTPS server files only (http_server.c, http_conn.c,
 * http_response.c): the server and connection objects. Everything here is
 * touched by the loop thread only.
 */
#ifndef ENTCA_CA_HTTP_INTERNAL_H
#define ENTCA_CA_HTTP_INTERNAL_H

#include <sys/queue.h>

#include <event2/listener.h>

#include "ca/http/http.h"

#define HTTP_IN_BUF (16 * 1024)		/* raw plaintext read buffer */
#define HTTP_RECORD_MAX (16 * 1024)	/* bytes per gnutls_record_send */
#define HTTP_LINGER_BYTES (1024 * 1024)	/* discarded after a close */
#define HTTP_SOURCE_BUCKETS 1024	/* hash of connected sources */

/*
 * One source address with open connections: an IPv4 address, or an IPv6
 * /64 (one host's usual allocation, so address hopping inside it does not
 * multiply the per-source limit). Freed when its last connection closes.
 */
struct http_source {
	LIST_ENTRY(http_source) entry;
	unsigned char key[17];		/* family byte + address bytes */
	unsigned conns;
};

enum http_conn_state {
	HC_HANDSHAKE = 0,	/* TLS handshake */
	HC_READ,		/* reading a request */
	HC_PARKED,		/* handler owns the request */
	HC_WRITE,		/* writing out[] */
	HC_LINGER,		/* closing: draining the client's input */
	HC_CLOSED,		/* socket gone; struct kept while parked */
	HC_STATE_COUNT
};

/* What happens when out[] is fully written. */
enum http_after {
	HA_READ = 0,		/* interim 100 Continue: keep reading */
	HA_NEXT,		/* keep-alive: next request */
	HA_CLOSE,		/* close (lingering) */
	HA_COUNT
};

struct http_server {
	struct event_base *base;
	struct evconnlistener *listener;
	struct event *ev_retry;		/* re-enable accept after EMFILE */
	struct tls_creds *creds;
	http_handler_cb handler;
	void *arg;
	struct http_config cfg;		/* strings point to the copies below */
	char *listen, *cert_file, *key_file, *client_ca_file, *priority;
	unsigned port;
	bool draining;			/* stop_accepting was called */
	uint64_t next_id;
	char rid_prefix[HTTP_REQUEST_ID_PREFIX_MAX]; /* cfg's, copied */
	struct http_stats stats;
	LIST_HEAD(, http_conn) conns;	/* newest first */
	LIST_HEAD(, http_source) sources[HTTP_SOURCE_BUCKETS];
	uint64_t limit_reported_ms;	/* monotonic; 0: never */
	uint64_t limit_unreported;	/* limit hits since the last event */
};

struct http_conn {
	LIST_ENTRY(http_conn) entry;
	struct http_server *srv;	/* NULL once the server is freed */
	struct http_source *src;	/* counted there while the socket is open */
	int fd;
	enum http_conn_state state;
	gnutls_session_t tls;		/* NULL on a plain-HTTP server */
	int plain_dir;			/* plain: 1 when a send would block */
	struct tls_creds *creds;	/* reference held for tls */
	struct tls_peer peer;
	struct event *ev_read, *ev_write, *ev_timer;
	bool busy;			/* counted in stats.inflight */
	bool parked;			/* handler holds req */
	bool gone;			/* client left while parked */
	bool timer_header;		/* the header timer runs */
	const char *phase;		/* what the timer guards, static */
	struct http_parser parser;
	unsigned char in[HTTP_IN_BUF];
	size_t in_off, in_len;
	char *out;
	size_t out_len, out_off;
	enum http_after after;
	size_t lingered;
	struct http_request req;
};

/*
 * http_conn.c: take over an accepted socket (closing it on failure), already
 * counted in s's connections and src's.
 */
void http_conn_start(struct http_server *s, int fd, const char *peer,
    struct http_source *src);

/* http_conn.c: close and free a connection, or detach it if parked. */
void http_conn_close(struct http_conn *c);

/* http_conn.c: server going away: close c; a parked one waits for respond. */
void http_conn_abandon(struct http_conn *c);

/* http_conn.c: queue out[] for writing and continue with after. */
void http_conn_send(struct http_conn *c, char *out, size_t len,
    enum http_after after);

/* http_conn.c: mark busy or not, keeping stats.inflight in step. */
void http_conn_set_busy(struct http_conn *c, bool busy);

/* http_response.c: token characters of a header name (RFC 9110 §5.6.2). */
bool http_header_name_ok(const char *n);

/* http_response.c: a value without CR, LF or other controls. */
bool http_header_value_ok(const char *v);

/* http_response.c: format a complete response; NULL on no memory. */
char *http_response_format(int status, bool close, bool head_only,
    const struct http_header *h, size_t nh, const char *content_type,
    const void *body, size_t body_len, size_t *outlen);

/* http_conn.c: report a refusal to the event callback. */
void http_conn_refused_event(struct http_conn *c, int status,
    const char *reason);

/* http_conn.c: answer a refused request with status and reason, close. */
void http_conn_refuse(struct http_conn *c, int status, const char *reason);

#endif

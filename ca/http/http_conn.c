/*
 * One HTTPS connection as an explicit state machine on the loop thread:
 * TLS handshake -> read a request -> parked while the handler works ->
 * write the response -> next request (keep-alive) or a lingering close.
 * Owns the socket, the GnuTLS session, the parser and the output buffer.
 *
 * Threads: loop thread only. I/O is non-blocking; on GNUTLS_E_AGAIN the
 * connection re-arms the read or write event by gnutls_record_get_direction
 * (a TLS 1.3 key update can make a read want to write), and it reads until
 * GnuTLS says AGAIN, so no record stays buffered in GnuTLS unseen. Events
 * are one-shot and at most one of read/write is armed. Writes are always
 * started from an activated event, never from inside a handler call, so a
 * handler answering synchronously cannot recurse into the next request.
 *
 * While a request is parked the connection reads only to notice the client
 * leaving (into the spare input buffer, never parsing); when it leaves the
 * socket is closed at once but the struct lives until http_respond.
 *
 * Answering is the connection's too: http_respond (the handler's answer)
 * and http_conn_refuse (the parser's) live here and call down into
 * http_response.c for the bytes; the connection also gives its slot back
 * to the server's per-source count, so it never calls http_server.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/error.h"
#include "ca/http/http_internal.h"
#include "ca/http/http_util.h"

/* Handler headers plus X-Request-Id; more skip the id. */
#define HTTP_RESPOND_HEADERS_MAX 32

static void conn_read(struct http_conn *c);
static void conn_event(struct http_conn *c, enum http_event ev, int status,
    const char *detail);

/* The server answered a request itself: say so to the event callback. */
void
http_conn_refused_event(struct http_conn *c, int status, const char *reason)
{
	conn_event(c, HTTP_EVENT_REFUSED, status, reason);
}

/* Count c in or out of the server's in-flight requests. */
void
http_conn_set_busy(struct http_conn *c, bool busy)
{
	if (c->busy == busy)
		return;
	c->busy = busy;
	if (c->srv == NULL)
		return;
	if (busy)
		c->srv->stats.inflight++;
	else
		c->srv->stats.inflight--;
}

/* (Re)start the connection's single timer for phase, ms milliseconds. */
static void
conn_timer(struct http_conn *c, const char *phase, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	c->phase = phase;
	evtimer_add(c->ev_timer, &tv);
}

/* Tell the daemon's optional event callback what happened to c. */
static void
conn_event(struct http_conn *c, enum http_event ev, int status,
    const char *detail)
{
	struct http_server *s = c->srv;

	if (s != NULL && s->cfg.event_cb != NULL)
		s->cfg.event_cb(ev, c->req.peer, status, detail, s->arg);
}

/*
 * Transport: GnuTLS records, or the bare socket on a plain-HTTP server.
 * Plain I/O answers with GnuTLS's codes so one state machine serves both.
 */
static ssize_t
io_recv(struct http_conn *c, void *buf, size_t len)
{
	ssize_t n;

	if (c->tls != NULL)
		return gnutls_record_recv(c->tls, buf, len);
	n = recv(c->fd, buf, len, 0);
	if (n >= 0)
		return n;
	c->plain_dir = 0;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return GNUTLS_E_AGAIN;
	return errno == EINTR ? GNUTLS_E_INTERRUPTED : GNUTLS_E_PULL_ERROR;
}

/* Send through TLS or the bare socket; see io_recv. */
static ssize_t
io_send(struct http_conn *c, const void *buf, size_t len)
{
	ssize_t n;

	if (c->tls != NULL)
		return gnutls_record_send(c->tls, buf, len);
	n = send(c->fd, buf, len, MSG_NOSIGNAL);
	if (n >= 0)
		return n;
	c->plain_dir = 1;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return GNUTLS_E_AGAIN;
	return errno == EINTR ? GNUTLS_E_INTERRUPTED : GNUTLS_E_PUSH_ERROR;
}

/* Wait for the socket in the direction GnuTLS asks for. */
static void
conn_wait(struct http_conn *c)
{
	if ((c->tls != NULL ? gnutls_record_get_direction(c->tls) : c->plain_dir) == 1) {
		event_del(c->ev_read);
		event_add(c->ev_write, NULL);
	} else {
		event_del(c->ev_write);
		event_add(c->ev_read, NULL);
	}
}

/*
 * A connection gave back its socket: uncount it and maybe its source (the
 * server's per-source table, which only connections shrink).
 */
static void
conn_release_slot(struct http_server *s, struct http_source *src)
{
	s->stats.connections--;
	if (src != NULL && --src->conns == 0) {
		LIST_REMOVE(src, entry);
		free(src);
	}
}

/* Close the socket and drop TLS and events; the struct stays. */
static void
conn_release(struct http_conn *c)
{
	if (c->state == HC_CLOSED)
		return;
	c->state = HC_CLOSED;
	if (c->ev_read != NULL)
		event_free(c->ev_read);
	if (c->ev_write != NULL)
		event_free(c->ev_write);
	if (c->ev_timer != NULL)
		event_free(c->ev_timer);
	c->ev_read = c->ev_write = c->ev_timer = NULL;
	if (c->tls != NULL)
		gnutls_deinit(c->tls);
	c->tls = NULL;
	tls_creds_unref(c->creds);
	c->creds = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->srv != NULL)
		conn_release_slot(c->srv, c->src);
	c->src = NULL;
}

/*
 * Wipe and free the response buffer: a serverkeygen answer holds a private
 * key (PKCS#8 or PKCS#12), and freed heap is read by the next allocation.
 */
static void
conn_out_drop(struct http_conn *c)
{
	if (c->out != NULL)
		explicit_bzero(c->out, c->out_len);
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
}

/* Free everything of a connection that is no longer in any list. */
static void
conn_destroy(struct http_conn *c)
{
	http_parse_free(&c->parser);
	tls_peer_clear(&c->peer);
	conn_out_drop(c);
	free(c);
}

/* Close c now; a parked connection keeps its struct for http_respond. */
void
http_conn_close(struct http_conn *c)
{
	conn_release(c);
	if (c->parked) {
		c->gone = true;
		return;
	}
	http_conn_set_busy(c, false);
	if (c->srv != NULL)
		LIST_REMOVE(c, entry);
	conn_destroy(c);
}

/* Server going away: close the socket and cut c loose from the server. */
void
http_conn_abandon(struct http_conn *c)
{
	conn_release(c);
	http_conn_set_busy(c, false);
	LIST_REMOVE(c, entry);
	c->srv = NULL;
	if (!c->parked)
		conn_destroy(c);
	else
		c->gone = true;
}

/* Drain what the client still sends after our last response, then close. */
static void
conn_linger_read(struct http_conn *c)
{
	unsigned char buf[4096];
	ssize_t n;

	for (;;) {
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n > 0) {
			c->lingered += (size_t)n;
			if (c->lingered > HTTP_LINGER_BYTES)
				break;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			event_add(c->ev_read, NULL);
			return;
		}
		break;	/* EOF or error */
	}
	http_conn_close(c);
}

/*
 * Start a lingering close: send close_notify once, half-close TCP, and read
 * until the client closes (or HTTP_LINGER_MS), so that unread request bytes
 * do not turn our close into a reset that destroys the response in flight.
 */
static void
conn_linger(struct http_conn *c)
{
	if (c->tls != NULL)
		(void)gnutls_bye(c->tls, GNUTLS_SHUT_WR);
	(void)shutdown(c->fd, SHUT_WR);
	c->state = HC_LINGER;
	event_del(c->ev_write);
	conn_timer(c, "linger", HTTP_LINGER_MS);
	conn_linger_read(c);
}

/* Write out[]; afterwards continue as c->after says. */
static void
conn_write(struct http_conn *c)
{
	struct http_server *s = c->srv;
	bool progress = false;

	while (c->out_off < c->out_len) {
		size_t chunk = c->out_len - c->out_off;
		ssize_t n;

		if (chunk > HTTP_RECORD_MAX)
			chunk = HTTP_RECORD_MAX;
		n = io_send(c, c->out + c->out_off, chunk);
		if (n > 0) {
			c->out_off += (size_t)n;
			progress = true;
			continue;
		}
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
			/* The write timeout counts time without progress. */
			if (progress && c->after != HA_READ)
				conn_timer(c, "write",
				    s->cfg.write_timeout_ms);
			conn_wait(c);
			return;
		}
		http_conn_close(c);
		return;
	}
	conn_out_drop(c);
	switch (c->after) {
	case HA_READ:
		c->state = HC_READ;
		conn_read(c);
		return;
	case HA_NEXT:
		if (s == NULL || s->draining) {
			/* Stopping: no further request on this connection. */
			http_conn_set_busy(c, false);
			conn_linger(c);
			return;
		}
		http_conn_set_busy(c, false);
		http_parse_reset(&c->parser);
		c->state = HC_READ;
		c->timer_header = false;
		conn_timer(c, "idle", s->cfg.idle_timeout_ms);
		conn_read(c);
		return;
	default:
		http_conn_set_busy(c, false);
		conn_linger(c);
		return;
	}
}

/* Queue out (taken) for writing; the write starts from the loop. */
void
http_conn_send(struct http_conn *c, char *out, size_t len,
    enum http_after after)
{
	conn_out_drop(c);
	c->out = out;
	c->out_len = len;
	c->out_off = 0;
	c->after = after;
	c->state = HC_WRITE;
	event_del(c->ev_read);
	event_del(c->ev_write);
	if (after != HA_READ)
		conn_timer(c, "write", c->srv->cfg.write_timeout_ms);
	event_active(c->ev_write, EV_WRITE, 1);
}

/* Move unparsed input to the front of in[]. */
static void
conn_compact(struct http_conn *c)
{
	if (c->in_off == 0)
		return;
	memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
	c->in_len -= c->in_off;
	c->in_off = 0;
}

/* While parked: read only to see the client leave; stop when in[] fills. */
static void
conn_parked_read(struct http_conn *c)
{
	ssize_t n;

	conn_compact(c);
	if (c->in_len == sizeof(c->in))
		return;	/* full of pipelined input: stop watching */
	n = io_recv(c, c->in + c->in_len, sizeof(c->in) - c->in_len);
	if (n > 0) {
		c->in_len += (size_t)n;
		event_add(c->ev_read, NULL);
		return;
	}
	if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED ||
	    (n < 0 && n != GNUTLS_E_REHANDSHAKE &&
	    !gnutls_error_is_fatal((int)n))) {
		conn_wait(c);
		return;
	}
	/* EOF, close_notify or a fatal error: the client is gone. */
	if (c->srv != NULL)
		c->srv->stats.gone_while_parked++;
	conn_event(c, HTTP_EVENT_GONE, 0, n == 0 ? "client closed while the "
	    "request was parked" : gnutls_strerror((int)n));
	http_conn_close(c);
}

/* A complete request: park the connection and call the handler. */
static void
conn_dispatch(struct http_conn *c)
{
	struct http_server *s = c->srv;
	struct http_parser *p = &c->parser;
	struct http_request *r = &c->req;

	c->state = HC_PARKED;
	c->parked = true;
	evtimer_del(c->ev_timer);
	r->id = ++s->next_id;
	snprintf(r->request_id, sizeof(r->request_id), "%s%llu",
	    s->rid_prefix, (unsigned long long)r->id);
	r->started_ns = http_monotonic_ns();
	r->logged = false;
	r->method = p->method;
	r->target = p->target;
	r->path = p->path;
	r->query = p->query;
	r->version_minor = p->version_minor;
	r->body = p->body_len > 0 ? p->body : NULL;
	r->body_len = p->body_len;
	r->conn = c;
	s->stats.requests++;
	event_del(c->ev_write);
	event_add(c->ev_read, NULL);
	/* The handler may respond at once; c must not be used after this. */
	s->handler(r, s->arg);
}

/* The first byte of a request arrived: it counts and its timer starts. */
static void
conn_request_started(struct http_conn *c)
{
	http_conn_set_busy(c, true);
	if (!c->timer_header) {
		c->timer_header = true;
		conn_timer(c, "header",
		    c->srv->cfg.header_timeout_ms);
	}
}

/* Parse buffered input, reading more until a request is complete. */
static void
conn_read(struct http_conn *c)
{
	struct http_parser *p = &c->parser;
	enum http_parse_status st;
	size_t used;
	ssize_t n;

	for (;;) {
		if (c->in_off < c->in_len) {
			bool was = p->started;

			st = http_parse_feed(p, c->in + c->in_off,
			    c->in_len - c->in_off, &used);
			c->in_off += used;
			if (!was && p->started)
				conn_request_started(c);
			switch (st) {
			case HTTP_PARSE_MORE:
				break;
			case HTTP_PARSE_HEAD:
				conn_timer(c, "body",
				    c->srv->cfg.body_timeout_ms);
				if (p->expect_continue && c->in_off == c->in_len) {
					static const char cont[] =
					    "HTTP/1.1 100 Continue\r\n\r\n";
					char *o = strdup(cont);

					if (o == NULL) {
						http_conn_close(c);
						return;
					}
					http_conn_send(c, o, sizeof(cont) - 1,
					    HA_READ);
					return;
				}
				continue;
			case HTTP_PARSE_DONE:
				conn_dispatch(c);
				return;
			default:
				http_conn_refuse(c, p->status, p->reason);
				return;
			}
			continue;
		}
		c->in_off = c->in_len = 0;
		n = io_recv(c, c->in, sizeof(c->in));
		if (n > 0) {
			c->in_len = (size_t)n;
			continue;
		}
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
			conn_wait(c);
			return;
		}
		if (n < 0 && n != GNUTLS_E_REHANDSHAKE &&
		    !gnutls_error_is_fatal((int)n))
			continue;
		/* EOF, renegotiation (refused) or a fatal error. */
		http_conn_close(c);
		return;
	}
}

/* Drive the handshake; once done, read the first request. */
static void
conn_handshake(struct http_conn *c)
{
	struct http_request *r = &c->req;
	int ret;

	for (;;) {
		if (c->tls == NULL)
			break;		/* plain HTTP: nothing to negotiate */
		ret = gnutls_handshake(c->tls);
		if (ret == 0)
			break;
		if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED) {
			conn_wait(c);
			return;
		}
		if (gnutls_error_is_fatal(ret)) {
			c->srv->stats.handshake_failed++;
			conn_event(c, HTTP_EVENT_TLS_FAILED, 0,
			    gnutls_strerror(ret));
			http_conn_close(c);
			return;
		}
	}
	if (c->tls != NULL && tls_peer_get(c->tls, &c->peer) != CA_OK) {
		c->srv->stats.handshake_failed++;
		http_conn_close(c);
		return;
	}
	r->tls = &c->peer;
	c->state = HC_READ;
	/* The first request must start within the header timeout. */
	c->timer_header = true;
	conn_timer(c, "header", c->srv->cfg.header_timeout_ms);
	conn_read(c);
}

/* Socket ready (either direction): continue whatever the state needs. */
static void
conn_on_io(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *c = arg;

	(void)fd;
	(void)what;
	switch (c->state) {
	case HC_HANDSHAKE:
		conn_handshake(c);
		break;
	case HC_READ:
		conn_read(c);
		break;
	case HC_PARKED:
		conn_parked_read(c);
		break;
	case HC_WRITE:
		conn_write(c);
		break;
	case HC_LINGER:
		conn_linger_read(c);
		break;
	default:
		break;
	}
}

/* A phase took too long (or lingering ended): close. */
static void
conn_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *c = arg;

	(void)fd;
	(void)what;
	if (c->state != HC_LINGER && c->srv != NULL) {
		c->srv->stats.timeouts++;
		conn_event(c, HTTP_EVENT_TIMEOUT, 0, c->phase);
	}
	http_conn_close(c);
}

/* Take over an accepted socket; see http_internal.h. */
void
http_conn_start(struct http_server *s, int fd, const char *peer,
    struct http_source *src)
{
	struct http_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		conn_release_slot(s, src);
		return;
	}
	c->fd = fd;
	c->srv = s;
	c->src = src;
	c->state = HC_HANDSHAKE;
	http_parse_init(&c->parser, s->cfg.body_max);
	snprintf(c->req.peer, sizeof(c->req.peer), "%s", peer);
	c->creds = s->creds != NULL ? tls_creds_ref(s->creds) : NULL;
	c->ev_read = event_new(s->base, fd, EV_READ, conn_on_io, c);
	c->ev_write = event_new(s->base, fd, EV_WRITE, conn_on_io, c);
	c->ev_timer = evtimer_new(s->base, conn_on_timer, c);
	LIST_INSERT_HEAD(&s->conns, c, entry);
	if (c->ev_read == NULL || c->ev_write == NULL || c->ev_timer == NULL ||
	    (c->creds != NULL && tls_session_new(c->creds, fd, &c->tls) != CA_OK)) {
		http_conn_close(c);
		return;
	}
	conn_timer(c, "handshake", s->cfg.handshake_timeout_ms);
	conn_handshake(c);
}

/*
 * The TLS channel binding of req's connection: tls-exporter (RFC 9266) on
 * TLS 1.3, tls-unique (RFC 5929) before it. Copies at most cap bytes into
 * out and names the type in *type (a static string). CA_ENOTFOUND on a
 * plain-HTTP connection, CA_ETOOBIG if cap is short, CA_ECRYPTO if GnuTLS
 * cannot give it. Loop thread (the session belongs to the loop).
 */
int
http_request_channel_binding(const struct http_request *req,
    unsigned char *out, size_t cap, size_t *len, const char **type)
{
	gnutls_datum_t cb = { NULL, 0 };
	gnutls_channel_binding_t kind;
	int r;

	*len = 0;
	*type = "";
	if (req->conn == NULL || req->conn->tls == NULL)
		return CA_ENOTFOUND;
	if (gnutls_protocol_get_version(req->conn->tls) == GNUTLS_TLS1_3) {
		kind = GNUTLS_CB_TLS_EXPORTER;
		*type = "tls-exporter";
	} else {
		kind = GNUTLS_CB_TLS_UNIQUE;
		*type = "tls-unique";
		/* Without extended master secret tls-unique can be shared by two
		 * sessions (triple handshake, RFC 7627 §1; RFC 9266 §3). */
		if (!gnutls_session_ext_master_secret_status(req->conn->tls))
			return CA_ECRYPTO;
	}
	if ((r = gnutls_session_channel_binding(req->conn->tls, kind, &cb)) < 0)
		return CA_ECRYPTO;
	if (cb.size > cap) {
		gnutls_free(cb.data);
		return CA_ETOOBIG;
	}
	memcpy(out, cb.data, cb.size);
	*len = cb.size;
	gnutls_free(cb.data);
	return CA_OK;
}

/* Answer a refused request (from the parser) and close afterwards. */
void
http_conn_refuse(struct http_conn *c, int status, const char *reason)
{
	char body[HTTP_REASON_MAX + 2];
	size_t len, outlen;
	char *out;

	c->srv->stats.refused++;
	http_conn_refused_event(c, status, reason);
	len = (size_t)snprintf(body, sizeof(body), "%s\n", reason);
	if (len >= sizeof(body))
		len = sizeof(body) - 1;
	out = http_response_format(status, true, false, NULL, 0,
	    "text/plain; charset=utf-8", body, len, &outlen);
	if (out == NULL) {
		http_conn_close(c);
		return;
	}
	http_conn_send(c, out, outlen, HA_CLOSE);
}

/* Whether headers hold one named name (case-insensitive). */
static bool
has_header(const struct http_header *headers, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(headers[i].name, name) == 0)
			return true;
	return false;
}

/* Answer a parked request; see http.h. */
int
http_respond(struct http_request *req, int status,
    const struct http_header *headers, size_t n_headers, const void *body,
    size_t body_len)
{
	static const char bad[] = "internal error: invalid response\n";
	struct http_conn *c = req->conn;
	struct http_header all[HTTP_RESPOND_HEADERS_MAX];
	bool close = false, head_only;
	const char *ctype = NULL;
	size_t outlen;
	char *out;
	int rc = CA_OK;

	if (!c->parked)
		return CA_ESTATE;
	c->parked = false;
	if (c->state == HC_CLOSED) {
		if (c->srv != NULL && c->srv->cfg.done_cb != NULL)
			c->srv->cfg.done_cb(req, 0, c->srv->arg);
		http_conn_close(c);	/* frees the detached connection */
		return CA_ESTATE;
	}
	if (status < 200 || status > 599)
		rc = CA_EINVAL;
	for (size_t i = 0; rc == CA_OK && i < n_headers; i++) {
		const char *n = headers[i].name, *v = headers[i].value;

		if (n == NULL || v == NULL || !http_header_name_ok(n) || !http_header_value_ok(v) ||
		    strcasecmp(n, "Content-Length") == 0 ||
		    strcasecmp(n, "Date") == 0 ||
		    strcasecmp(n, "Transfer-Encoding") == 0)
			rc = CA_EINVAL;
		else if (strcasecmp(n, "Connection") == 0 &&
		    strcasecmp(v, "close") == 0)
			close = true;
	}
	if (rc != CA_OK) {
		status = 500;
		headers = NULL;
		n_headers = 0;
		body = bad;
		body_len = sizeof(bad) - 1;
		ctype = "text/plain; charset=utf-8";
		close = true;
	}
	if (!c->parser.keep_alive || c->srv == NULL || c->srv->draining)
		close = true;
	head_only = c->parser.is_head;
	/* Every response names its request, so a client can quote it. */
	if (n_headers < HTTP_RESPOND_HEADERS_MAX && req->request_id[0] != '\0' &&
	    !has_header(headers, n_headers, "X-Request-Id")) {
		for (size_t i = 0; i < n_headers; i++)
			all[i] = headers[i];
		all[n_headers].name = "X-Request-Id";
		all[n_headers].value = req->request_id;
		headers = all;
		n_headers++;
	}
	if (c->srv != NULL && c->srv->cfg.done_cb != NULL)
		c->srv->cfg.done_cb(req, status, c->srv->arg);
	out = http_response_format(status, close, head_only, headers,
	    n_headers, ctype, body, body_len, &outlen);
	if (out == NULL) {
		http_conn_close(c);
		return CA_ENOMEM;
	}
	http_conn_send(c, out, outlen, close ? HA_CLOSE : HA_NEXT);
	return rc;
}

/*
 * The HTTPS listener: configuration defaults, binding with a clear error,
 * fair accept under connection limits, certificate reload, graceful stop,
 * and the server's counters. Connections themselves live in http_conn.c.
 *
 * Fair accept (issue 11): one host must not starve the others. Accept never
 * stops at a limit (only briefly on EMFILE), because a paused listener lets
 * the kernel backlog fill with the flooder's connections and legitimate
 * clients wait behind them. Instead every accepted socket is judged at
 * once: over max_per_source for its source, it is closed; with the server
 * full, the oldest idle connection of the source holding the most is
 * closed to make room, unless the newcomer is from that source (then the
 * newcomer is closed). Limit hits reach the event callback at most once
 * per HTTP_LIMIT_REPORT_MS, with the count since the last report.
 *
 * Threads: the loop thread only. Nothing here blocks except reading the
 * certificate files at start and on reload (small local files).
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "common/error.h"
#include "ca/http/http_internal.h"

#define HTTP_BACKLOG 128
#define HTTP_ACCEPT_RETRY_MS 100

/* Split "host:port" or "[v6]:port" into host and port strings. */
static int
split_addr(const char *addr, char *host, size_t hostsz, char *port,
    size_t portsz, char *why, size_t whylen)
{
	const char *colon, *h = addr;
	size_t hl;

	if (addr == NULL || strlen(addr) > HTTP_LISTEN_MAX)
		return ca_why(why, whylen, CA_ECONFIG,
		    "listen: expected host:port");
	if (*addr == '[') {
		const char *rb = strchr(addr, ']');

		if (rb == NULL || rb[1] != ':')
			return ca_why(why, whylen, CA_ECONFIG, "listen %s: "
			    "expected [address]:port", addr);
		h = addr + 1;
		hl = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		if ((colon = strrchr(addr, ':')) == NULL)
			return ca_why(why, whylen, CA_ECONFIG, "listen %s: "
			    "expected host:port", addr);
		hl = (size_t)(colon - addr);
	}
	if (hl == 0 || hl >= hostsz || strlen(colon + 1) == 0 ||
	    strlen(colon + 1) >= portsz ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    atoi(colon + 1) > 65535)
		return ca_why(why, whylen, CA_ECONFIG, "listen %s: expected "
		    "host:port with a port 0..65535", addr);
	memcpy(host, h, hl);
	host[hl] = '\0';
	snprintf(port, portsz, "%s", colon + 1);
	if (strcmp(host, "*") == 0)
		snprintf(host, hostsz, "0.0.0.0");
	return CA_OK;
}

/* Create, bind and listen; *fd_out gets the socket, *port the bound port. */
static int
bind_listen(const char *addr, int *fd_out, unsigned *port_out, char *why,
    size_t whylen)
{
	char host[HTTP_LISTEN_MAX + 1], port[8];
	struct addrinfo hints, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = -1, one = 1, ret, rc;

	if ((rc = split_addr(addr, host, sizeof(host), port, sizeof(port),
	    why, whylen)) != CA_OK)
		return rc;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((ret = getaddrinfo(host, port, &hints, &ai)) != 0)
		return ca_why(why, whylen, CA_ECONFIG, "listen %s: %s", addr,
		    gai_strerror(ret));
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		rc = ca_why(why, whylen, CA_ECONFIG, "listen %s: %s", addr,
		    strerror(errno));
		goto out;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    listen(fd, HTTP_BACKLOG) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		rc = ca_why(why, whylen, CA_ECONFIG, "listen %s: %s", addr,
		    strerror(errno));
		goto out;
	}
	*port_out = ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	*fd_out = fd;
	fd = -1;
	rc = CA_OK;
out:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return rc;
}

/* "127.0.0.1:54321" or "[::1]:54321" for an accepted peer. */
static void
format_peer(const struct sockaddr *sa, char out[HTTP_PEER_MAX])
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(out, HTTP_PEER_MAX, "[%s]:%u", a,
		    ntohs(s6->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(out, HTTP_PEER_MAX, "%s:%u", a, ntohs(s4->sin_port));
	} else
		snprintf(out, HTTP_PEER_MAX, "unknown");
}

/* The source key of a peer: IPv4 address, or IPv6 /64 (v4-mapped: v4). */
static void
source_key(const struct sockaddr *sa, unsigned char key[17])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	memset(key, 0, 17);
	if (sa->sa_family == AF_INET6) {
		const unsigned char *a =
		    ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;

		if (memcmp(a, mapped, sizeof(mapped)) == 0) {
			key[0] = 4;
			memcpy(key + 1, a + 12, 4);
		} else {
			key[0] = 6;
			memcpy(key + 1, a, 8);
		}
	} else if (sa->sa_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1,
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
	}
}

/* FNV-1a bucket of a source key. */
static unsigned
source_bucket(const unsigned char key[17])
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < 17; i++)
		h = (h ^ key[i]) * 16777619u;
	return h % HTTP_SOURCE_BUCKETS;
}

/* The entry for key, or NULL when that source has no connection. */
static struct http_source *
source_find(struct http_server *s, const unsigned char key[17])
{
	struct http_source *src;

	LIST_FOREACH(src, &s->sources[source_bucket(key)], entry)
		if (memcmp(src->key, key, 17) == 0)
			return src;
	return NULL;
}

/* Milliseconds on the monotonic clock (for the report interval). */
static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * A limit was hit: count it, and tell the event callback if the last report
 * is HTTP_LIMIT_REPORT_MS old, so a flood costs one log line per interval
 * rather than one per connection.
 */
static void
server_limit_hit(struct http_server *s, const char *peer, const char *what)
{
	char detail[256];
	uint64_t now = mono_ms();

	s->limit_unreported++;
	if (s->limit_reported_ms != 0 &&
	    now - s->limit_reported_ms < HTTP_LIMIT_REPORT_MS)
		return;
	snprintf(detail, sizeof(detail), "%s (max-connections %u, "
	    "max-connections-per-source %u); %llu connection(s) refused or "
	    "evicted since the last report", what, s->cfg.max_connections,
	    s->cfg.max_per_source, (unsigned long long)s->limit_unreported);
	s->limit_reported_ms = now;
	s->limit_unreported = 0;
	if (s->cfg.event_cb != NULL)
		s->cfg.event_cb(HTTP_EVENT_LIMIT, peer, 0, detail, s->arg);
}

/* An idle connection: handshake not done, or waiting for a request. */
static bool
conn_idle(const struct http_conn *c)
{
	return c->state == HC_HANDSHAKE || (c->state == HC_READ &&
	    !c->parser.started && c->in_off == c->in_len);
}

/*
 * The server is full and a client from newcomer (NULL: a new source)
 * knocks: close the oldest idle connection of the heaviest source if that
 * is another, heavier source. True when a slot was freed.
 */
static bool
server_evict(struct http_server *s, const struct http_source *newcomer)
{
	struct http_source *src, *heavy = NULL;
	struct http_conn *c, *victim = NULL;
	unsigned have = newcomer != NULL ? newcomer->conns : 0;

	for (size_t b = 0; b < HTTP_SOURCE_BUCKETS; b++)
		LIST_FOREACH(src, &s->sources[b], entry)
			if (heavy == NULL || src->conns > heavy->conns)
				heavy = src;
	if (heavy == NULL || heavy == newcomer || heavy->conns <= have + 1)
		return false;
	/* Newest first: the last idle one found is the oldest. */
	LIST_FOREACH(c, &s->conns, entry)
		if (c->src == heavy && c->state != HC_CLOSED && conn_idle(c))
			victim = c;
	if (victim == NULL)
		return false;
	s->stats.limit_evicted++;
	http_conn_close(victim);
	return true;
}

/* A new client: judge it against the limits, then start its connection. */
static void
server_on_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct http_server *s = arg;
	struct http_source *src;
	unsigned char key[17];
	char peer[HTTP_PEER_MAX];
	int one = 1;

	(void)l;
	(void)salen;
	format_peer(sa, peer);
	source_key(sa, key);
	src = source_find(s, key);
	if (src != NULL && src->conns >= s->cfg.max_per_source) {
		close(fd);
		s->stats.limit_refused++;
		server_limit_hit(s, peer, "per-source connection limit reached");
		return;
	}
	if (s->stats.connections >= s->cfg.max_connections) {
		bool made_room = server_evict(s, src);

		if (!made_room)
			s->stats.limit_refused++;
		server_limit_hit(s, peer, made_room ? "connection limit "
		    "reached: idle connection of the busiest source closed" :
		    "connection limit reached");
		if (!made_room) {
			close(fd);
			return;
		}
		src = source_find(s, key);	/* eviction may have freed it */
	}
	if (src == NULL) {
		if ((src = calloc(1, sizeof(*src))) == NULL) {
			close(fd);
			return;
		}
		memcpy(src->key, key, sizeof(src->key));
		LIST_INSERT_HEAD(&s->sources[source_bucket(key)], src, entry);
	}
	/*
	 * Responses and TLS records are written whole; Nagle would hold a
	 * close_notify or the next small record for a delayed ACK (40 ms).
	 */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	s->stats.accepted++;
	s->stats.connections++;
	src->conns++;
	http_conn_start(s, fd, peer, src);
}

/* Accept failed (EMFILE, ENFILE, ENOBUFS): back off and retry. */
static void
server_on_accept_error(struct evconnlistener *l, void *arg)
{
	struct http_server *s = arg;
	struct timeval tv = { 0, HTTP_ACCEPT_RETRY_MS * 1000 };

	(void)l;
	s->stats.accept_errors++;
	evconnlistener_disable(s->listener);
	evtimer_add(s->ev_retry, &tv);
}

/* Retry accepting after an error, unless stopping. */
static void
server_on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct http_server *s = arg;

	(void)fd;
	(void)what;
	if (s->listener != NULL)
		evconnlistener_enable(s->listener);
}

/* strdup that keeps NULL as NULL; *ok turns false on no memory. */
static char *
dup_opt(const char *s, bool *ok)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*ok = false;
	return d;
}

/* Fill 0 fields of the configuration with defaults and clamp limits. */
static void
config_defaults(struct http_config *c)
{
	if (c->body_max == 0)
		c->body_max = HTTP_BODY_DEFAULT_MAX;
	if (c->body_max > HTTP_BODY_LIMIT)
		c->body_max = HTTP_BODY_LIMIT;
	if (c->max_connections == 0)
		c->max_connections = HTTP_CONN_DEFAULT_MAX;
	if (c->max_connections > HTTP_CONN_LIMIT)
		c->max_connections = HTTP_CONN_LIMIT;
	if (c->max_per_source == 0)
		c->max_per_source = HTTP_CONN_PER_SOURCE_DEFAULT;
	if (c->max_per_source > c->max_connections)
		c->max_per_source = c->max_connections;
	if (c->handshake_timeout_ms == 0)
		c->handshake_timeout_ms = HTTP_HANDSHAKE_TIMEOUT_MS;
	if (c->header_timeout_ms == 0)
		c->header_timeout_ms = HTTP_HEADER_TIMEOUT_MS;
	if (c->body_timeout_ms == 0)
		c->body_timeout_ms = HTTP_BODY_TIMEOUT_MS;
	if (c->idle_timeout_ms == 0)
		c->idle_timeout_ms = HTTP_IDLE_TIMEOUT_MS;
	if (c->write_timeout_ms == 0)
		c->write_timeout_ms = HTTP_WRITE_TIMEOUT_MS;
}

/* Start a server; see http.h. */
int
http_server_new(struct event_base *base, const struct http_config *cfg,
    http_handler_cb handler, void *arg, struct http_server **out, char *why,
    size_t whylen)
{
	struct http_server *s = NULL;
	int fd = -1, rc;
	bool ok = true;

	*out = NULL;
	if (base == NULL || cfg == NULL || handler == NULL)
		return ca_why(why, whylen, CA_EINVAL, "HTTP server: missing "
		    "loop, configuration or handler");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return CA_ENOMEM;
	LIST_INIT(&s->conns);
	for (size_t b = 0; b < HTTP_SOURCE_BUCKETS; b++)
		LIST_INIT(&s->sources[b]);
	s->base = base;
	s->handler = handler;
	s->arg = arg;
	s->cfg = *cfg;
	config_defaults(&s->cfg);
	/* The prefix is copied: cfg's strings need not outlive the call. */
	if (cfg->request_id_prefix != NULL)
		snprintf(s->rid_prefix, sizeof(s->rid_prefix), "%s",
		    cfg->request_id_prefix);
	s->cfg.request_id_prefix = NULL;
	s->listen = dup_opt(cfg->listen, &ok);
	s->cert_file = dup_opt(cfg->cert_file, &ok);
	s->key_file = dup_opt(cfg->key_file, &ok);
	s->client_ca_file = dup_opt(cfg->client_ca_file, &ok);
	s->priority = dup_opt(cfg->priority, &ok);
	s->cfg.listen = s->listen;
	s->cfg.cert_file = s->cert_file;
	s->cfg.key_file = s->key_file;
	s->cfg.client_ca_file = s->client_ca_file;
	s->cfg.priority = s->priority;
	if (!ok) {
		rc = CA_ENOMEM;
		goto out;
	}
	if (!cfg->plain && (rc = tls_creds_new(s->cert_file, s->key_file,
	    s->client_ca_file, s->priority, &s->creds, why, whylen)) != CA_OK)
		goto out;
	if ((rc = bind_listen(s->listen, &fd, &s->port, why, whylen)) != CA_OK)
		goto out;
	s->listener = evconnlistener_new(base, server_on_accept, s,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (s->listener == NULL) {
		close(fd);
		rc = ca_why(why, whylen, CA_ENOMEM, "listen %s: cannot watch "
		    "the socket", s->listen);
		goto out;
	}
	evconnlistener_set_error_cb(s->listener, server_on_accept_error);
	if ((s->ev_retry = evtimer_new(base, server_on_retry, s)) == NULL) {
		rc = CA_ENOMEM;
		goto out;
	}
	*out = s;
	s = NULL;
	rc = CA_OK;
out:
	http_server_free(s);
	return rc;
}

/* Stop accepting and close idle connections; see http.h. */
void
http_server_stop_accepting(struct http_server *s)
{
	struct http_conn *c, *next;

	s->draining = true;
	if (s->listener != NULL)
		evconnlistener_free(s->listener);
	s->listener = NULL;
	for (c = LIST_FIRST(&s->conns); c != NULL; c = next) {
		next = LIST_NEXT(c, entry);
		if (conn_idle(c))
			http_conn_close(c);
	}
}

/* Names of enum http_event, for logs. */
const char *
http_event_name(enum http_event ev)
{
	static const char *const names[HTTP_EVENT_COUNT] = {
		[HTTP_EVENT_REFUSED] = "refused",
		[HTTP_EVENT_TLS_FAILED] = "tls-failed",
		[HTTP_EVENT_TIMEOUT] = "timeout",
		[HTTP_EVENT_GONE] = "gone",
		[HTTP_EVENT_LIMIT] = "limit",
	};

	if ((unsigned)ev >= HTTP_EVENT_COUNT)
		return "unknown";
	return names[ev];
}

/* In-flight requests. */
size_t
http_server_inflight(const struct http_server *s)
{
	return s->stats.inflight;
}

/* Copy the counters. */
void
http_server_stats(const struct http_server *s, struct http_stats *st)
{
	*st = s->stats;
}

/* The bound port. */
unsigned
http_server_port(const struct http_server *s)
{
	return s->port;
}

/* Swap in new credentials for new connections; see http.h. */
int
http_server_reload_cert(struct http_server *s, const char *cert_file,
    const char *key_file, char *why, size_t whylen)
{
	struct tls_creds *nc = NULL;
	int rc;

	if ((rc = tls_creds_new(cert_file, key_file, s->client_ca_file,
	    s->priority, &nc, why, whylen)) != CA_OK)
		return rc;
	return http_server_take_creds(s, nc, cert_file, key_file);
}

/* Adopt credentials made elsewhere; see http.h. */
int
http_server_take_creds(struct http_server *s, struct tls_creds *nc,
    const char *cert_file, const char *key_file)
{
	char *cf = NULL, *kf = NULL;

	if ((cf = strdup(cert_file)) == NULL || (kf = strdup(key_file)) == NULL) {
		free(cf);
		tls_creds_unref(nc);
		return CA_ENOMEM;
	}
	tls_creds_unref(s->creds);
	s->creds = nc;
	free(s->cert_file);
	free(s->key_file);
	s->cert_file = cf;
	s->key_file = kf;
	s->cfg.cert_file = cf;
	s->cfg.key_file = kf;
	return CA_OK;
}

/* Close everything; parked requests are detached. See http.h. */
void
http_server_free(struct http_server *s)
{
	struct http_conn *c;

	if (s == NULL)
		return;
	if (s->listener != NULL)
		evconnlistener_free(s->listener);
	s->listener = NULL;
	while ((c = LIST_FIRST(&s->conns)) != NULL)
		http_conn_abandon(c);
	if (s->ev_retry != NULL)
		event_free(s->ev_retry);
	tls_creds_unref(s->creds);
	free(s->listen);
	free(s->cert_file);
	free(s->key_file);
	free(s->client_ca_file);
	free(s->priority);
	free(s);
}

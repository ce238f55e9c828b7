/*
 * In-process tests of the HTTPS server (ca/http/http*.c, ca/http/tls.c) for what the
 * integration script cannot reach: a server freed while a request is parked
 * (http_respond must then only free), in-flight counting across
 * stop_accepting, synchronous answers, HEAD, handler header refusal, and
 * start/reload errors. The server runs on this thread's loop; a GnuTLS
 * client runs in a second thread with a blocking socket. Certificates are
 * made here with GnuTLS.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "common/error.h"
#include "ca/http/http.h"
#include "tests/unit/test_tmpdir.h"

static char g_dir[64], g_cert[128], g_key[128];

/* One request seen by the handler, and what to do with it. */
struct hstate {
	struct http_request *req;
	int seen;
	bool respond_now;
	int status;
	const struct http_header *h;
	size_t nh;
	int rc;
};

/* A client thread: send req, collect one response (or up to close). */
struct client {
	pthread_t th;
	unsigned port;
	const char *req;
	char out[8192];
	size_t len;
	volatile int done;
};

/* Write a PEM datum to path. */
static void
write_file(const char *path, const gnutls_datum_t *d)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(d->data, 1, d->size, f), d->size);
	fclose(f);
}

/* Make a self-signed P-256 server certificate in g_dir. */
static void
make_cert(void)
{
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
	gnutls_datum_t d;
	unsigned char serial[] = { 1 };
	time_t now = time(NULL);

	snprintf(g_dir, sizeof(g_dir), "/tmp/test_http_server.XXXXXX");
	assert_non_null(mkdtemp(g_dir));
	snprintf(g_cert, sizeof(g_cert), "%s/cert.pem", g_dir);
	snprintf(g_key, sizeof(g_key), "%s/key.pem", g_dir);
	assert_int_equal(gnutls_x509_privkey_init(&key), 0);
	assert_int_equal(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	gnutls_x509_crt_set_version(crt, 3);
	gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
	gnutls_x509_crt_set_activation_time(crt, now - 3600);
	gnutls_x509_crt_set_expiration_time(crt, now + 86400);
	assert_int_equal(gnutls_x509_crt_set_dn(crt, "CN=test", NULL), 0);
	assert_int_equal(gnutls_x509_crt_set_key(crt, key), 0);
	assert_int_equal(gnutls_x509_crt_sign2(crt, crt, key,
	    GNUTLS_DIG_SHA256, 0), 0);
	assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM,
	    &d), 0);
	write_file(g_cert, &d);
	gnutls_free(d.data);
	assert_int_equal(gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM,
	    &d), 0);
	write_file(g_key, &d);
	gnutls_free(d.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
}

/*
 * Whether c->out holds one whole response, by RFC 9112 §6.3: no body after
 * HEAD, 1xx, 204 or 304; else Content-Length bytes; without a length, the
 * body runs to EOF. Stopping there matters: a keep-alive answer is
 * followed by no EOF until the server's idle timeout, which is longer than
 * the loop waits (the race of issue 12 item 10).
 */
static bool
response_complete(struct client *c)
{
	const char *end, *cl;
	unsigned long status, want;

	c->out[c->len] = '\0';
	if ((end = strstr(c->out, "\r\n\r\n")) == NULL ||
	    strncmp(c->out, "HTTP/1.1 ", 9) != 0)
		return false;
	end += 4;
	status = strtoul(c->out + 9, NULL, 10);
	if (strncmp(c->req, "HEAD ", 5) == 0 || status < 200 ||
	    status == 204 || status == 304)
		return true;
	if ((cl = strstr(c->out, "\r\nContent-Length: ")) == NULL ||
	    cl > end)
		return false;
	want = strtoul(cl + 18, NULL, 10);
	return (size_t)(c->out + c->len - end) >= want;
}

/* Client thread body: TLS to the port, send, read one whole response. */
static void *
client_main(void *arg)
{
	struct client *c = arg;
	gnutls_certificate_credentials_t cred;
	gnutls_session_t s;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd, ret, again = 0;

	sin.sin_port = htons((uint16_t)c->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		goto out;
	gnutls_certificate_allocate_credentials(&cred);
	gnutls_init(&s, GNUTLS_CLIENT);
	gnutls_set_default_priority(s);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_transport_set_int(s, fd);
	gnutls_handshake_set_timeout(s, 5000);
	gnutls_record_set_timeout(s, 5000);
	if (gnutls_handshake(s) == 0 &&
	    gnutls_record_send(s, c->req, strlen(c->req)) > 0) {
		while (c->len < sizeof(c->out) - 1 && !response_complete(c)) {
			ret = (int)gnutls_record_recv(s, c->out + c->len,
			    sizeof(c->out) - 1 - c->len);
			/*
			 * A TLS 1.3 server's NewSessionTicket makes recv
			 * return AGAIN once handled: call again, as the
			 * GnuTLS manual asks (bounded: no endless loop).
			 */
			if ((ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED) &&
			    ++again < 16)
				continue;
			if (ret <= 0)
				break;
			c->len += (size_t)ret;
		}
	}
	gnutls_deinit(s);
	gnutls_certificate_free_credentials(cred);
out:
	close(fd);
	c->out[c->len] = '\0';
	c->done = 1;
	return NULL;
}

/* Start a client thread. */
static void
client_start(struct client *c, unsigned port, const char *req)
{
	memset(c, 0, sizeof(*c));
	c->port = port;
	c->req = req;
	assert_int_equal(pthread_create(&c->th, NULL, client_main, c), 0);
}

/* Keep the loop turning so that flags set by threads are noticed. */
static void
tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
}

/* Run the loop until *flag is non-zero (5 s at most). */
static void
run_until(struct event_base *base, volatile int *flag)
{
	struct timeval tv = { 0, 5000 };
	struct event *ev = event_new(base, -1, EV_PERSIST, tick, NULL);

	event_add(ev, &tv);
	for (int i = 0; i < 1000 && !*flag; i++)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(ev);
	assert_true(*flag);
}

/* Handler: remember the request; maybe answer at once. */
static void
on_req(struct http_request *req, void *arg)
{
	struct hstate *h = arg;

	h->req = req;
	h->seen = 1;
	if (h->respond_now)
		h->rc = http_respond(req, h->status, h->h, h->nh, "hello", 5);
}

/* A server on a free loopback port with handler state h. */
static struct http_server *
server(struct event_base *base, struct hstate *h)
{
	struct http_config cfg = { .listen = "127.0.0.1:0",
	    .cert_file = g_cert, .key_file = g_key };
	struct http_server *s = NULL;
	char why[CA_WHY_MAX];

	assert_int_equal(http_server_new(base, &cfg, on_req, h, &s, why,
	    sizeof(why)), CA_OK);
	assert_true(http_server_port(s) > 0);
	return s;
}

/* Freeing the server while a request is parked: respond only frees. */
static void
test_free_while_parked(void **state)
{
	struct event_base *base = event_base_new();
	struct hstate h = { 0 };
	struct http_server *s = server(base, &h);
	struct client c;

	(void)state;
	client_start(&c, http_server_port(s),
	    "GET /park HTTP/1.1\r\nHost: a\r\n\r\n");
	run_until(base, &h.seen);
	assert_string_equal(h.req->path, "/park");
	assert_int_equal(http_server_inflight(s), 1);
	assert_true(http_request_alive(h.req));
	http_server_free(s);
	assert_false(http_request_alive(h.req));
	assert_int_equal(http_respond(h.req, 200, NULL, 0, "x", 1), CA_ESTATE);
	pthread_join(c.th, NULL);
	assert_int_equal(c.len, 0);	/* closed without an answer */
	event_base_free(base);
}

/* stop_accepting: in-flight stays counted until the answer is written. */
static void
test_stop_inflight(void **state)
{
	struct event_base *base = event_base_new();
	struct hstate h = { 0 };
	struct http_server *s = server(base, &h);
	struct client c;
	struct http_header hd = { "X-A", "b" };

	(void)state;
	client_start(&c, http_server_port(s),
	    "GET /p?q=1 HTTP/1.1\r\nHost: a\r\nX-Test: v\r\n\r\n");
	run_until(base, &h.seen);
	assert_string_equal(h.req->query, "q=1");
	assert_string_equal(http_request_header(h.req, "x-test"), "v");
	assert_true(strncmp(h.req->peer, "127.0.0.1:", 10) == 0);
	http_server_stop_accepting(s);
	assert_int_equal(http_server_inflight(s), 1);
	assert_int_equal(http_respond(h.req, 202, &hd, 1, "later", 5), CA_OK);
	run_until(base, &c.done);
	pthread_join(c.th, NULL);
	assert_non_null(strstr(c.out, "HTTP/1.1 202 Accepted\r\n"));
	assert_non_null(strstr(c.out, "Connection: close\r\n"));
	assert_non_null(strstr(c.out, "X-A: b\r\n"));
	assert_non_null(strstr(c.out, "\r\n\r\nlater"));
	assert_int_equal(http_server_inflight(s), 0);
	http_server_free(s);
	event_base_free(base);
}

/* Synchronous answers, HEAD without a body, a refused handler header. */
static void
test_sync_head_badheader(void **state)
{
	struct event_base *base = event_base_new();
	struct hstate h = { .respond_now = true, .status = 200 };
	struct http_server *s = server(base, &h);
	struct http_header bad = { "X-Bad", "a\nb" };
	struct http_header cl = { "Content-Length", "9" };
	struct client c;

	(void)state;
	client_start(&c, http_server_port(s),
	    "HEAD /h HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
	run_until(base, &c.done);
	pthread_join(c.th, NULL);
	assert_int_equal(h.rc, CA_OK);
	assert_non_null(strstr(c.out, "Content-Length: 5\r\n"));
	assert_null(strstr(c.out, "hello"));

	h.h = &bad;
	h.nh = 1;
	client_start(&c, http_server_port(s), "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	run_until(base, &c.done);
	pthread_join(c.th, NULL);
	assert_int_equal(h.rc, CA_EINVAL);
	assert_non_null(strstr(c.out, "HTTP/1.1 500 Internal Server Error"));
	assert_null(strstr(c.out, "X-Bad"));

	h.h = &cl;
	client_start(&c, http_server_port(s), "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	run_until(base, &c.done);
	pthread_join(c.th, NULL);
	assert_int_equal(h.rc, CA_EINVAL);

	h.h = NULL;
	h.nh = 0;
	h.status = 99;
	client_start(&c, http_server_port(s), "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	run_until(base, &c.done);
	pthread_join(c.th, NULL);
	assert_int_equal(h.rc, CA_EINVAL);
	http_server_free(s);
	event_base_free(base);
}

/* Start errors name the cause; a bad reload keeps the old certificate. */
static void
test_errors(void **state)
{
	struct event_base *base = event_base_new();
	struct hstate h = { .respond_now = true, .status = 204 };
	struct http_server *s = server(base, &h), *s2 = NULL;
	struct http_config cfg = { .cert_file = g_cert, .key_file = g_key };
	char listen[64], why[CA_WHY_MAX], exp[128];
	struct client c;

	(void)state;
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", http_server_port(s));
	cfg.listen = listen;
	assert_int_equal(http_server_new(base, &cfg, on_req, &h, &s2, why,
	    sizeof(why)), CA_ECONFIG);
	assert_null(s2);
	snprintf(exp, sizeof(exp), "listen %s: Address already in use",
	    listen);
	assert_string_equal(why, exp);

	cfg.listen = "localhost";
	assert_int_equal(http_server_new(base, &cfg, on_req, &h, &s2, why,
	    sizeof(why)), CA_ECONFIG);
	assert_string_equal(why, "listen localhost: expected host:port");
	cfg.listen = "[::1:80";
	assert_int_equal(http_server_new(base, &cfg, on_req, &h, &s2, why,
	    sizeof(why)), CA_ECONFIG);
	cfg.listen = "127.0.0.1:99999";
	assert_int_equal(http_server_new(base, &cfg, on_req, &h, &s2, why,
	    sizeof(why)), CA_ECONFIG);
	cfg.listen = "127.0.0.1:0";
	cfg.priority = "NORMAL:+NOPE";
	assert_int_equal(http_server_new(base, &cfg, on_req, &h, &s2, why,
	    sizeof(why)), CA_ECONFIG);
	assert_non_null(strstr(why, "priority string"));
	assert_non_null(strstr(why, "NOPE"));
	cfg.priority = NULL;
	cfg.key_file = "/nonexistent/key.pem";
	assert_int_equal(http_server_new(base, &cfg, on_req, &h, &s2, why,
	    sizeof(why)), CA_ECONFIG);
	assert_non_null(strstr(why, "/nonexistent/key.pem"));
	cfg.key_file = g_key;
	cfg.client_ca_file = "/nonexistent/ca.pem";
	assert_int_equal(http_server_new(base, &cfg, on_req, &h, &s2, why,
	    sizeof(why)), CA_ECONFIG);
	assert_non_null(strstr(why, "client CA file /nonexistent/ca.pem"));

	assert_int_equal(http_server_reload_cert(s, g_cert, g_cert, why,
	    sizeof(why)), CA_ECONFIG);
	client_start(&c, http_server_port(s), "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	run_until(base, &c.done);
	pthread_join(c.th, NULL);
	assert_non_null(strstr(c.out, "HTTP/1.1 204 No Content\r\n"));
	assert_null(strstr(c.out, "Content-Length"));
	assert_int_equal(http_server_reload_cert(s, g_cert, g_key, why,
	    sizeof(why)), CA_OK);
	http_server_free(s);
	http_server_free(NULL);
	event_base_free(base);
}

/* Make the certificate, run the tests, remove the temp folder. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_while_parked),
		cmocka_unit_test(test_stop_inflight),
		cmocka_unit_test(test_sync_head_badheader),
		cmocka_unit_test(test_errors),
	};
	int rc;

	make_cert();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (t_tmpdir_remove(g_dir) != CA_OK)
		rc = 1;
	return rc;
}

/*
 * The EST and API pipeline in one process, through the job layer, with a
 * real store and a real slapd: the daemon is opened as entcad opens it
 * (config_load, secrets_prepare, daemon_open: identity, store, templates,
 * directory, signer), its HTTPS server runs on a loop with the workers and
 * routes through the router's public entry point daemon_handle, and a
 * GnuTLS client thread drives an EST simpleenroll and an API revoke. The
 * test then reads the store the daemon wrote: the certificate, its
 * revocation, and the audit rows.
 *
 * Driven by tests/integration/pipeline.sh (slapd, demo CA, CSR):
 *   test_pipeline CONF CA_PEM CSR_B64
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <gnutls/gnutls.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>

#include "common/base64.h"
#include "common/error.h"
#include "common/hex.h"
#include "ca/daemon/daemon.h"
#include "ca/daemon/settings.h"
#include "ca/daemon/workers.h"
#include "ca/http/http.h"
#include "ca/signer/secrets.h"
#include "ca/store/store.h"

#define RESP_MAX (256 * 1024)
/* The demo's connector account: request and officer rights. */
#define CONNECTOR "INTUNECONN$:demo-connector"

static const char *g_conf, *g_ca, *g_csr_file;

/* One HTTPS exchange as the client thread saw it. */
struct exchange {
	int status;
	char *body;		/* malloc'd, NUL-terminated */
	size_t body_len;
};

struct client {
	unsigned port;
	int wake[2];		/* the client writes one byte when done */
	char *csr_b64;
	struct exchange enroll, revoke;
	char serial_hex[2 * 32 + 1];
	unsigned char serial[32];
	size_t serial_len;
	int failed;		/* the client could not even talk */
};

/* Read a whole file into a NUL-terminated malloc'd buffer. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (b = malloc((size_t)n + 1)) != NULL) {
		if (fread(b, 1, (size_t)n, f) != (size_t)n) {
			free(b);
			b = NULL;
		} else {
			b[n] = '\0';
			if (len != NULL)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return b;
}

/*
 * One request over a fresh TLS connection (Connection: close), reading to
 * the end. The receive timeout only ends a hung server; it decides nothing.
 */
static int
https(struct client *cl, const char *method, const char *path,
    const char *ctype, const char *body, struct exchange *ex)
{
	gnutls_certificate_credentials_t cred = NULL;
	gnutls_session_t s = NULL;
	struct sockaddr_in sa;
	struct timeval tv = { 120, 0 };
	char *auth = NULL, *req = NULL, *resp = NULL, *p;
	size_t got = 0, blen = body != NULL ? strlen(body) : 0;
	int fd = -1, rc = -1, n;

	memset(ex, 0, sizeof(*ex));
	if (base64_encode(CONNECTOR, strlen(CONNECTOR), 0, &auth, NULL) != CA_OK)
		goto out;
	n = asprintf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Authorization: Basic %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
	    method, path, auth, ctype, blen, body != NULL ? body : "");
	if (n < 0 || (resp = malloc(RESP_MAX + 1)) == NULL)
		goto out;
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		goto out;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)cl->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto out;
	if (gnutls_certificate_allocate_credentials(&cred) < 0 ||
	    gnutls_certificate_set_x509_trust_file(cred, g_ca,
	    GNUTLS_X509_FMT_PEM) <= 0 ||
	    gnutls_init(&s, GNUTLS_CLIENT) < 0 ||
	    gnutls_set_default_priority(s) < 0 ||
	    gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred) < 0)
		goto out;
	/* The chain must lead to the demo CA (no name: the server is an IP). */
	gnutls_session_set_verify_cert(s, NULL, 0);
	gnutls_transport_set_int(s, fd);
	do
		n = gnutls_handshake(s);
	while (n < 0 && gnutls_error_is_fatal(n) == 0);
	if (n < 0) {
		fprintf(stderr, "# handshake: %s\n", gnutls_strerror(n));
		goto out;
	}
	for (size_t off = 0, len = strlen(req); off < len; off += (size_t)n)
		if ((n = (int)gnutls_record_send(s, req + off, len - off)) <= 0)
			goto out;
	for (;;) {
		n = (int)gnutls_record_recv(s, resp + got, RESP_MAX - got);
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			continue;
		if (n <= 0)
			break;	/* close_notify, a bare close, or full */
		got += (size_t)n;
	}
	resp[got] = '\0';
	if (sscanf(resp, "HTTP/1.1 %d", &ex->status) != 1 ||
	    (p = strstr(resp, "\r\n\r\n")) == NULL)
		goto out;
	ex->body = strdup(p + 4);
	ex->body_len = ex->body != NULL ? strlen(ex->body) : 0;
	rc = 0;
out:
	if (s != NULL)
		gnutls_deinit(s);
	if (cred != NULL)
		gnutls_certificate_free_credentials(cred);
	if (fd >= 0)
		close(fd);
	free(auth);
	free(req);
	free(resp);
	return rc;
}

/* Serial (hex) of the first certificate of a base64 certs-only PKCS#7. */
static int
p7_serial(const char *b64, char *hex, size_t hexlen, unsigned char *out,
    size_t *outlen)
{
	gnutls_pkcs7_t p7 = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t der = { NULL, 0 }, raw = { NULL, 0 };
	unsigned char *bin = NULL, serial[32];
	size_t len, slen = sizeof(serial);
	int rc = -1;

	if (base64_decode(b64, strlen(b64), &bin, &len, NULL, 0) != CA_OK)
		return -1;
	der.data = bin;
	der.size = (unsigned)len;
	if (gnutls_pkcs7_init(&p7) >= 0 &&
	    gnutls_pkcs7_import(p7, &der, GNUTLS_X509_FMT_DER) >= 0 &&
	    gnutls_pkcs7_get_crt_raw2(p7, 0, &raw) >= 0 &&
	    gnutls_x509_crt_init(&crt) >= 0 &&
	    gnutls_x509_crt_import(crt, &raw, GNUTLS_X509_FMT_DER) >= 0 &&
	    gnutls_x509_crt_get_serial(crt, serial, &slen) >= 0 &&
	    2 * slen < hexlen) {
		hex_encode(serial, slen, hex);
		memcpy(out, serial, slen);
		*outlen = slen;
		rc = 0;
	}
	gnutls_x509_crt_deinit(crt);
	gnutls_free(raw.data);
	gnutls_pkcs7_deinit(p7);
	free(bin);
	return rc;
}

/* Client thread: enroll, then revoke what was issued, then wake the loop. */
static void *
client_run(void *arg)
{
	struct client *cl = arg;
	char path[160];

	if (https(cl, "POST", "/.well-known/est/PKCSIntune/simpleenroll",
	    "application/pkcs10", cl->csr_b64, &cl->enroll) != 0) {
		cl->failed = 1;
	} else if (cl->enroll.status == 200 &&
	    p7_serial(cl->enroll.body, cl->serial_hex, sizeof(cl->serial_hex),
	    cl->serial, &cl->serial_len) == 0) {
		snprintf(path, sizeof(path), "/api/v1/certificates/%s/revoke",
		    cl->serial_hex);
		if (https(cl, "POST", path, "application/json",
		    "{\"reason\":\"keyCompromise\"}", &cl->revoke) != 0)
			cl->failed = 1;
	}
	if (write(cl->wake[1], "x", 1) != 1)
		cl->failed = 1;
	return NULL;
}

/* Loop: the client is done; stop dispatching. */
static void
on_client_done(evutil_socket_t fd, short what, void *arg)
{
	char b;

	(void)what;
	if (read(fd, &b, 1) < 0)
		perror("read");
	event_base_loopbreak(arg);
}

/* Audit rows seen, for the assertions. */
struct audit_seen {
	int enroll, revoke;
};

/* Count the rows of the pipeline's two actions that name the serial. */
static int
audit_cb(uint64_t seq, const char *json, size_t len, void *arg)
{
	struct audit_seen *a = arg;

	(void)seq;
	(void)len;
	if (strstr(json, "\"action\":\"simpleenroll\"") != NULL &&
	    strstr(json, "\"decision\":\"issued\"") != NULL &&
	    strstr(json, "\"template\":\"PKCSIntune\"") != NULL)
		a->enroll++;
	if (strstr(json, "\"action\":\"revoke\"") != NULL &&
	    strstr(json, "\"decision\":\"done\"") != NULL &&
	    strstr(json, "keyCompromise") != NULL)
		a->revoke++;
	return CA_OK;
}

/* EST enrollment and API revocation, end to end, in this process. */
static void
test_est_enroll_then_api_revoke(void **state)
{
	static struct daemon d;
	struct secrets_files sf;
	struct http_config hc;
	struct client cl;
	struct event *wake = NULL;
	struct store_txn *t = NULL;
	struct store_cert c;
	struct audit_seen seen;
	pthread_t th;
	char why[CA_WHY_MAX] = "";

	(void)state;
	memset(&cl, 0, sizeof(cl));
	memset(&seen, 0, sizeof(seen));
	memset(&c, 0, sizeof(c));
	cl.csr_b64 = slurp(g_csr_file, NULL);
	assert_non_null(cl.csr_b64);

	/* Open the CA as entcad does (ca/daemon/entcad.c run()). */
	d.cfgs = calloc(1, sizeof(*d.cfgs));
	assert_non_null(d.cfgs);
	d.cfg = &d.cfgs->c;
	if (config_load(g_conf, d.cfg, why, sizeof(why)) != CA_OK)
		fail_msg("config: %s", why);
	if (secrets_prepare(d.cfg, false, &sf, why, sizeof(why)) != CA_OK)
		fail_msg("secrets: %s", why);
	if (daemon_open(&d, DAEMON_OPEN_ALL, why, sizeof(why)) != CA_OK)
		fail_msg("daemon_open: %s", why);
	evthread_use_pthreads();
	d.base = event_base_new();
	assert_non_null(d.base);
	assert_int_equal(workers_new(d.base, 2, &d.workers), CA_OK);
	memset(&hc, 0, sizeof(hc));
	hc.listen = "127.0.0.1:0";
	hc.cert_file = d.cfg->tls_cert;
	hc.key_file = d.cfg->tls_key;
	hc.body_max = d.cfg->max_body;
	hc.body_timeout_ms = d.cfg->timeout_s * 1000;
	hc.header_timeout_ms = d.cfg->timeout_s * 1000;
	hc.max_connections = d.cfg->max_connections;
	hc.max_per_source = d.cfg->max_conn_per_source;
	hc.handshake_timeout_ms = d.cfg->handshake_timeout_s * 1000;
	hc.request_id_prefix = "t";
	if (http_server_new(d.base, &hc, daemon_handle, &d, &d.http, why,
	    sizeof(why)) != CA_OK)
		fail_msg("https: %s", why);
	cl.port = http_server_port(d.http);
	assert_true(cl.port > 0);

	/* The client runs in its own thread; the loop runs here until it ends. */
	assert_int_equal(pipe(cl.wake), 0);
	wake = event_new(d.base, cl.wake[0], EV_READ, on_client_done, d.base);
	assert_non_null(wake);
	assert_int_equal(event_add(wake, NULL), 0);
	assert_int_equal(pthread_create(&th, NULL, client_run, &cl), 0);
	event_base_dispatch(d.base);
	pthread_join(th, NULL);
	event_free(wake);
	close(cl.wake[0]);
	close(cl.wake[1]);

	/* What the client saw. */
	assert_false(cl.failed);
	if (cl.enroll.status != 200)
		fail_msg("simpleenroll: %d %s", cl.enroll.status,
		    cl.enroll.body != NULL ? cl.enroll.body : "");
	assert_true(cl.serial_hex[0] != '\0');
	if (cl.revoke.status != 200)
		fail_msg("revoke: %d %s", cl.revoke.status,
		    cl.revoke.body != NULL ? cl.revoke.body : "");

	/* What the job layer committed: the certificate, revoked, and audit. */
	if (store_read_begin(d.store, &t, why, sizeof(why)) != CA_OK)
		fail_msg("store: %s", why);
	assert_int_equal(store_get_cert(t, cl.serial, cl.serial_len, &c), CA_OK);
	assert_string_equal(c.template_name, "PKCSIntune");
	assert_int_equal(c.status, STORE_CERT_REVOKED);
	assert_int_equal(c.reason, 1);	/* RFC 5280 keyCompromise */
	assert_true(c.revoked_at > 0);
	assert_int_equal(store_iter_audit_last(t, 50, audit_cb, &seen), CA_OK);
	store_read_end(t);
	assert_int_equal(seen.enroll, 1);
	assert_int_equal(seen.revoke, 1);
	printf("# issued and revoked %s through daemon_handle\n",
	    cl.serial_hex);

	store_cert_clear(&c);
	free(cl.csr_b64);
	free(cl.enroll.body);
	free(cl.revoke.body);
	daemon_close(&d);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_est_enroll_then_api_revoke),
	};

	if (argc != 4) {
		fprintf(stderr, "usage: test_pipeline CONF CA_PEM CSR_B64\n");
		return 2;
	}
	g_conf = argv[1];
	g_ca = argv[2];
	g_csr_file = argv[3];
	signal(SIGPIPE, SIG_IGN);
	gnutls_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Jobs (see job.h): the hand-off of one HTTP request from the loop to a
 * worker, through the store writer when something is recorded, and back.
 *
 * Authentication is decided here, for EST and the management API alike
 * (README: Security model): HTTP Basic through a directory bind, or a TLS client
 * certificate that this CA issued, that the store holds unrevoked with the
 * same DER, that is within validity and carries Client Authentication.
 * A certificate logs in only to renew itself unless its template is in
 * [http] login-templates and its holder requested it; Manage CA and
 * auditor never come from a certificate unless [http] certificate-admin
 * says so. Every login then passes the account state rules of the
 * directory (disabled, locked, expired, deleted).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>

#include "common/clock.h"
#include "ca/daemon/daemon.h"
#include "ca/http/http.h"
#include "common/base64.h"
#include "ca/http/http_util.h"
#include "ca/identity/identity.h"
#include "ca/store/store.h"
#include "ca/daemon/job.h"
#include "ca/daemon/job_error.h"
#include "ca/daemon/explain.h"
#include "common/log.h"
#include "ca/daemon/workers.h"
#include "common/hex.h"
#include "ldap/certmap.h"
#include "ldap/directory.h"
#include "policy/rights.h"

/* The pipeline's stages by name and thread (job.h), sized by the enum. */
static const struct job_stage_row job_stages[JOB_STAGE_COUNT] = {
	[JOB_STAGE_ROUTE] = { "route", JOB_THREAD_LOOP },
	[JOB_STAGE_AUTH] = { "auth", JOB_THREAD_WORKER },
	[JOB_STAGE_WORK] = { "work", JOB_THREAD_WORKER },
	[JOB_STAGE_APPLY] = { "apply", JOB_THREAD_WRITER },
	[JOB_STAGE_COMMIT] = { "commit", JOB_THREAD_WRITER },
	[JOB_STAGE_ON_LOOP] = { "on_loop", JOB_THREAD_LOOP },
	[JOB_STAGE_REPLY] = { "reply", JOB_THREAD_LOOP },
};

/* The row of stage, or NULL. */
const struct job_stage_row *
job_stage_row(enum job_stage stage)
{
	if ((unsigned)stage >= JOB_STAGE_COUNT)
		return NULL;
	return &job_stages[stage];
}

/* Copy a header value into a fixed field; "" when absent or too long. */
static void
copy_header(struct http_request *req, const char *name, char *dst, size_t len)
{
	const char *v = http_request_header(req, name);

	dst[0] = '\0';
	if (v != NULL && strlen(v) < len)
		memcpy(dst, v, strlen(v) + 1);
}

/*
 * The user name a malformed Basic header tried (control bytes, no colon),
 * kept only so that the log and the audit can name the attempt; the
 * password bytes are wiped and never leave this function.
 */
static void
basic_attempted_user(const char *authz, char *user, size_t len)
{
	unsigned char dec[HTTP_BASIC_MAX];
	const unsigned char *colon;
	size_t n = 0, ul;

	user[0] = '\0';
	authz += 5;	/* "Basic", checked by the caller */
	authz += strspn(authz, " \t");
	if (base64_decode_buf(authz, strcspn(authz, " \t"), dec, sizeof(dec), &n,
	    NULL, 0) == CA_OK) {
		colon = memchr(dec, ':', n);
		ul = colon != NULL ? (size_t)(colon - dec) : n;
		if (ul >= len)
			ul = len - 1;
		memcpy(user, dec, ul);
		user[ul] = '\0';
	}
	gnutls_memset(dec, 0, sizeof(dec));
}

/*
 * Loop (or the tool's thread): the job holds one reference on the
 * current generation; cfg, tset and dirs are its parts, borrowed.
 */
static int
job_take_gen(struct job *j, struct daemon *d)
{
	j->d = d;
	if ((j->gen = daemon_gen_get(d)) == NULL)
		return CA_ENOMEM;
	j->cfg = j->gen->cfg;
	j->tset = j->gen->tpl;
	j->dirs = j->gen->dirs;
	return CA_OK;
}

/* Copy what workers need from req; the request itself stays on the loop. */
struct job *
job_new(struct daemon *d, struct http_request *req)
{
	struct job *j = calloc(1, sizeof(*j));
	const char *auth;

	if (j == NULL)
		return NULL;
	if (job_take_gen(j, d) != CA_OK) {
		free(j);
		return NULL;
	}
	j->req = req;
	snprintf(j->peer, sizeof(j->peer), "%s", req->peer);
	snprintf(j->method, sizeof(j->method), "%s", req->method);
	snprintf(j->path, sizeof(j->path), "%s", req->path);
	copy_header(req, "Accept", j->accept, sizeof(j->accept));
	auth = http_request_header(req, "Authorization");
	if (auth != NULL && http_basic_parse(auth, j->user, sizeof(j->user),
	    j->password, sizeof(j->password), j->basic_why, sizeof(j->basic_why)) == CA_OK) {
		j->have_basic = true;
		j->basic_why[0] = '\0';
	} else if (auth != NULL && strncasecmp(auth, "Basic", 5) == 0) {
		/* Refused below as invalid credentials, named in the log. */
		j->bad_basic = true;
		basic_attempted_user(auth, j->user, sizeof(j->user));
	}
	if (req->tls->cert_der != NULL && req->tls->cert_len > 0) {
		j->client_cert = malloc(req->tls->cert_len);
		if (j->client_cert == NULL)
			goto fail;
		memcpy(j->client_cert, req->tls->cert_der, req->tls->cert_len);
		j->client_cert_len = req->tls->cert_len;
		j->client_cert_verified = req->tls->cert_verified;
	}
	if (req->body_len > 0) {
		j->body = malloc(req->body_len + 1);
		if (j->body == NULL)
			goto fail;
		memcpy(j->body, req->body, req->body_len);
		j->body[req->body_len] = '\0';
		j->body_len = req->body_len;
	}
	return j;
fail:
	free(j->client_cert);
	gnutls_memset(j->password, 0, sizeof(j->password));
	daemon_gen_put(j->gen);
	free(j);
	return NULL;
}

/* Wipe credentials and free everything the job owns. */
void
job_free(struct job *j)
{
	if (j->ctx_free != NULL)
		j->ctx_free(j->ctx);
	gnutls_memset(j->password, 0, sizeof(j->password));
	gnutls_memset(j->user, 0, sizeof(j->user));
	free(j->client_cert);
	free(j->body);
	free(j->resp);
	principal_clear(&j->who);
	daemon_gen_put(j->gen);
	free(j);
}

/* The pool of the job's generation. */
struct directory *
job_dir(const struct job *j)
{
	return j->dirs != NULL ? j->dirs->dir : NULL;
}

/* Drop a response set earlier (headers and body) before a refusal. */
static void
job_reset(struct job *j)
{
	free(j->resp);
	j->resp = NULL;
	j->resp_len = 0;
	j->n_headers = 0;
}

/* Add one response header; extra headers past JOB_HEADERS_MAX are dropped. */
void
job_header(struct job *j, const char *name, const char *value)
{
	if (j->n_headers >= JOB_HEADERS_MAX)
		return;
	snprintf(j->header_names[j->n_headers], sizeof(j->header_names[0]), "%s", name);
	snprintf(j->header_values[j->n_headers], sizeof(j->header_values[0]), "%s", value);
	j->n_headers++;
}

/* Set header name to value, replacing an earlier value of the same name. */
static void
job_header_set(struct job *j, const char *name, const char *value)
{
	for (size_t i = 0; i < j->n_headers; i++)
		if (strcasecmp(j->header_names[i], name) == 0) {
			snprintf(j->header_values[i], sizeof(j->header_values[0]),
			    "%s", value);
			return;
		}
	job_header(j, name, value);
}

/*
 * The server's own paths, which no client hears: the state folder, the
 * store, the configuration and every file it names.
 */
static size_t
job_server_paths(const struct job *j, const char **roots, size_t max)
{
	const struct ca_config *c = j->cfg;
	size_t n = 0;

	if (j->gen != NULL && j->gen->store != NULL && n < max)
		roots[n++] = store_path(j->gen->store);
	if (c == NULL)
		return n;
	const char *paths[] = { c->state_dir, c->path, c->templates_dir,
	    c->pid_file, c->pkcs11_pin_file, c->tls_cert, c->tls_key,
	    c->client_ca, c->dir_bind_password_file, c->dir_ca_file };
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]) && n < max; i++)
		roots[n++] = paths[i];
	return n;
}

/*
 * Error answer: status and code string from the one table (job_error.c),
 * the body in the path's shape. j->why keeps the whole sentence for the
 * log line; the body is scrubbed of server paths unless the caller is the
 * host's own administrator (entca on the CA host).
 */
void
job_fail(struct job *j, enum ca_error err, const char *fmt, ...)
{
	char msg[CA_WHY_MAX];
	const char *roots[16], *type;
	char *body;
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(j->why, sizeof(j->why), fmt, ap);
	va_end(ap);
	memcpy(msg, j->why, sizeof(msg));
	if (!j->local)
		job_error_scrub(msg, roots, job_server_paths(j, roots, 16));
	j->status = job_error_status(err);
	j->fail_stage = j->stage;
	free(j->resp);
	job_error_body(j->path, err, msg, &body, &len, &type);
	j->resp = (unsigned char *)body;
	j->resp_len = len;
	job_header_set(j, "Content-Type", type);
}

/* Plain-text answer: the reason sentence is the body and j->why. */
void
job_text(struct job *j, int status, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	vsnprintf(j->why, sizeof(j->why), fmt, ap);
	va_end(ap);
	j->status = status;
	free(j->resp);
	j->resp = NULL;
	j->resp_len = 0;
	n = (int)strlen(j->why);
	s = malloc((size_t)n + 2);
	if (s != NULL) {
		memcpy(s, j->why, (size_t)n);
		s[n] = '\n';
		s[n + 1] = '\0';
		j->resp = (unsigned char *)s;
		j->resp_len = (size_t)n + 1;
	}
	job_header(j, "Content-Type", "text/plain; charset=utf-8");
}

/* A job with its context; see job.h. */
void *
job_new_ctx(struct daemon *d, struct http_request *req, size_t size,
    void (*ctx_free)(void *ctx), struct job **jp)
{
	struct job *j = job_new(d, req);
	void *ctx;

	*jp = j;
	if (j == NULL) {
		job_error_respond(req, CA_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	if ((ctx = job_ctx_new(j, size, ctx_free)) == NULL)
		job_finish(j);
	return ctx;
}

/* A new context owned by j; see job.h. */
void *
job_ctx_new(struct job *j, size_t size, void (*ctx_free)(void *ctx))
{
	void *ctx = calloc(1, size);

	if (ctx == NULL) {
		job_fail(j, CA_ENOMEM, "out of memory");
		return NULL;
	}
	if (j->ctx_free != NULL)
		j->ctx_free(j->ctx);
	j->ctx = ctx;
	j->ctx_free = ctx_free;
	return ctx;
}

/* A 200 answer of body (taken) of type; see job.h. */
void
job_body_take(struct job *j, void *body, size_t len, const char *type)
{
	free(j->resp);
	j->resp = body;
	j->resp_len = len;
	j->status = 200;
	job_header(j, "Content-Type", type);
}

/* A 200 answer of a copy of body; see job.h. */
void
job_body_copy(struct job *j, const void *body, size_t len, const char *type)
{
	unsigned char *p = malloc(len > 0 ? len : 1);

	if (p == NULL) {
		job_fail(j, CA_ENOMEM, "out of memory");
		return;
	}
	memcpy(p, body, len);
	job_body_take(j, p, len, type);
}

/* JSON answer from obj, which the job takes. */
void
job_json(struct job *j, int status, json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT);

	json_decref(obj);
	j->status = status;
	free(j->resp);
	j->resp = (unsigned char *)s;
	j->resp_len = s != NULL ? strlen(s) : 0;
	job_header(j, "Content-Type", "application/json");
}

/*
 * The one line of a finished request (metrics_done does not log it again):
 * principal, what was asked, peer, status with the serial issued or the
 * refusal reason, then request id, template and latency in parentheses,
 * so the line still starts as before for those who grep it. log_msg
 * escapes the whole line (the principal comes from the client or the
 * directory). Loop thread, while j->req is alive.
 */
static void
job_log(struct job *j)
{
	struct http_request *req = j->req;
	char tmpl[STORE_TEMPLATE_NAME_MAX + 16] = "";
	char outcome[CA_WHY_MAX + 64], stored[sizeof(j->header_values[0]) + 24] = "";
	double ms;

	if (req == NULL)
		return;
	ms = (double)(http_monotonic_ns() - req->started_ns) / 1e6;
	if (j->log_template[0] != '\0')
		snprintf(tmpl, sizeof(tmpl), ", template %s", j->log_template);
	/* A 202 names the stored request in its own X-Request-Id: log it too. */
	for (size_t i = 0; i < j->n_headers; i++)
		if (strcasecmp(j->header_names[i], "X-Request-Id") == 0)
			snprintf(stored, sizeof(stored), ", stored request %s",
			    j->header_values[i]);
	/* A refusal names the stage that decided it: "[stage auth]". */
	if (j->status >= 400)
		snprintf(outcome, sizeof(outcome), "%d %s [stage %s]", j->status,
		    j->why, job_stages[j->fail_stage].name);
	else if (j->log_serial[0] != '\0')
		snprintf(outcome, sizeof(outcome), "%d serial %s", j->status,
		    j->log_serial);
	else
		snprintf(outcome, sizeof(outcome), "%d", j->status);
	{
		/* The same values as members of a JSON line ([log] format = json). */
		const struct log_field f[] = {
			{ "request_id", req->request_id, 0 },
			{ "principal", job_identity(j), 0 },
			{ "method", j->method, 0 },
			{ "path", j->path, 0 },
			{ "peer", j->peer, 0 },
			{ "status", NULL, j->status },
			{ "template", j->log_template, 0 },
			{ "serial", j->status < 400 ? j->log_serial : "", 0 },
			{ "reason", j->status >= 400 ? j->why : "", 0 },
			{ "latency_ms", NULL, ms },
		};

		log_fields(LOG_LEVEL_INFO, f, sizeof(f) / sizeof(f[0]),
		    "%s %s %s from %s: %s (request %s%s%s, %.1f ms)",
		    job_identity(j), j->method, j->path, j->peer, outcome,
		    req->request_id, stored, tmpl, ms);
	}
	req->logged = true;
}

/* Loop thread: send the answer j holds and end the job. */
static void
job_send(struct job *j)
{
	struct http_header h[JOB_HEADERS_MAX];

	j->stage = JOB_STAGE_REPLY;
	/* A handler that set no answer is our bug, not the client's. */
	if (j->status == 0)
		job_fail(j, CA_EINVAL, "internal error");
	/* After on_loop and the default: both may add headers. */
	for (size_t i = 0; i < j->n_headers; i++) {
		h[i].name = j->header_names[i];
		h[i].value = j->header_values[i];
	}
	job_log(j);
	if (j->status >= 500)
		j->d->failed++;
	else
		j->d->served++;
	http_respond(j->req, j->status, h, j->n_headers, j->resp, j->resp_len);
	job_free(j);
}

/* Loop thread: adopt the results (on_loop), then answer unless parked. */
static void
job_reply(void *arg)
{
	struct job *j = arg;

	j->stage = JOB_STAGE_ON_LOOP;
	if (j->on_loop != NULL) {
		j->in_on_loop = true;
		j->on_loop(j);
		j->in_on_loop = false;
	}
	if (!j->parked)
		job_send(j);
}

/* See job.h. */
void
job_park(struct job *j)
{
	j->parked = true;
}

/* See job.h. */
void
job_resume(struct job *j)
{
	j->parked = false;
	if (!j->in_on_loop && !j->local)
		job_send(j);
}

/* Answer now, on the loop, without a worker. */
void
job_finish(struct job *j)
{
	job_reply(j);
}

/* Writer thread: the job's record. */
static int
job_apply_trampoline(struct store_wtxn *w, void *arg)
{
	struct job *j = arg;

	j->stage = JOB_STAGE_APPLY;
	return j->apply(w, j);
}

/*
 * The answer when the store refused a job's write (rc, why): nothing was
 * recorded, so nothing set before may be handed out. A refusal the
 * writer decided (denied, exists, wrong state, gone) is the client's to
 * hear; any other failure is the server's, told as the table's internal
 * error while the log keeps the store's sentence. Writer or tool thread.
 */
static void
job_store_failed(struct job *j, int rc, const char *why)
{
	if (why == NULL || why[0] == '\0')
		why = ca_strerror(rc);
	free(j->resp);
	j->resp = NULL;
	j->resp_len = 0;
	j->n_headers = 0;
	if (!j->authenticated) {
		/* Only an audit of a refused login is written for such a
		 * caller; the store's words are for the log. */
		log_error("store: audit of a refused login from %s: %s", j->peer, why);
		job_fail(j, CA_EDB, "internal error");
	} else if (rc == CA_EDENIED || rc == CA_EEXIST || rc == CA_ESTATE ||
	    rc == CA_ENOTFOUND)
		job_fail(j, rc, "%s", why);
	else if (j->local)
		job_fail(j, CA_EDB, "%s", why);
	else {
		log_error("store: %s %s from %s: %s", j->method, j->path, j->peer, why);
		job_fail(j, CA_EDB, "store: %s", ca_strerror(rc));
	}
}

/* Writer thread, after the commit: back to the loop. */
static void
job_committed(int rc, void *arg)
{
	struct job *j = arg;

	/* A refused write stays the apply stage's: apply or commit failed. */
	if (rc == CA_OK)
		j->stage = JOB_STAGE_COMMIT;
	if (rc == CA_OK && j->on_commit != NULL)
		j->on_commit(j);
	if (rc != CA_OK)
		job_store_failed(j, rc, j->sjob.why);
	workers_complete(j->d->workers, job_reply, j);
}

/* Who the caller is or tried to be, for log lines and audit records. */
const char *
job_identity(const struct job *j)
{
	if (j->who.sam[0] != '\0')
		return j->who.sam;
	if (j->user[0] != '\0')
		return j->user;
	if (j->cert_serial[0] != '\0')
		return j->cert_serial;
	return "-";
}

/* Does crt carry Client Authentication (RFC 5280 §4.2.1.12)? */
static bool
cert_has_client_auth(gnutls_x509_crt_t crt)
{
	char oid[128];
	size_t len;

	for (unsigned i = 0;; i++) {
		len = sizeof(oid);
		if (gnutls_x509_crt_get_key_purpose_oid(crt, i, oid, &len, NULL) < 0)
			return false;
		if (strcmp(oid, GNUTLS_KP_TLS_WWW_CLIENT) == 0)
			return true;
	}
}

/*
 * Worker: is the client certificate one this CA issued and still stands
 * behind? Fills cert_serial and cert_template, and in *c the store record
 * (the caller clears it). CA_EAUTH with the reason for the log, else CA_OK.
 */
static int
job_cert_check(struct job *j, struct store_cert *c, char *why, size_t whylen)
{
	gnutls_datum_t d = { j->client_cert, (unsigned)j->client_cert_len };
	gnutls_x509_crt_t crt = NULL;
	unsigned char serial[STORE_SERIAL_MAX + 1];
	size_t serial_len = sizeof(serial);
	struct store_txn *t = NULL;
	unsigned status = 0;
	int64_t now = ca_now();
	int rc;

	if (gnutls_x509_crt_init(&crt) < 0)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0 ||
	    gnutls_x509_crt_get_serial(crt, serial, &serial_len) < 0) {
		rc = ca_why(why, whylen, CA_EAUTH, "client certificate: RFC 5280: does not parse");
		goto out;
	}
	if (serial_len <= STORE_SERIAL_MAX)
		hex_encode(serial, serial_len, j->cert_serial);
	/*
	 * Signed by this CA's own certificate, not by any CA that [http]
	 * client-ca lists: a certificate from another CA naming one of our
	 * accounts (its SID extension) is no login here (issue 20 item 1).
	 */
	if (j->gen->id == NULL || gnutls_x509_crt_verify(crt, &j->gen->id->cert, 1,
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS,
	    &status) < 0 || status != 0) {
		rc = ca_why(why, whylen, CA_EAUTH, "client certificate %s: not "
		    "signed by this CA", j->cert_serial[0] ? j->cert_serial : "(long serial)");
		goto out;
	}
	rc = store_read_begin(j->gen->store, &t, why, whylen);
	if (rc != CA_OK)
		goto out;
	rc = store_get_cert(t, serial, serial_len, c);
	store_read_end(t);
	if (rc == CA_ENOTFOUND || (rc == CA_OK && (c->der_len != j->client_cert_len ||
	    memcmp(c->der, j->client_cert, c->der_len) != 0))) {
		rc = ca_why(why, whylen, CA_EAUTH, "client certificate %s: not "
		    "in the store as issued by this CA", j->cert_serial);
		goto out;
	}
	if (rc != CA_OK) {
		rc = ca_why(why, whylen, rc, "client certificate %s: store: %s",
		    j->cert_serial, ca_strerror(rc));
		goto out;
	}
	snprintf(j->cert_template, sizeof(j->cert_template), "%s", c->template_name);
	if (c->status != STORE_CERT_VALID) {
		rc = ca_why(why, whylen, CA_EAUTH, "client certificate %s: %s",
		    j->cert_serial, c->reason == STORE_REASON_HOLD ? "on hold" : "revoked");
		goto out;
	}
	if (now < (int64_t)gnutls_x509_crt_get_activation_time(crt) ||
	    now > (int64_t)gnutls_x509_crt_get_expiration_time(crt)) {
		rc = ca_why(why, whylen, CA_EAUTH, "client certificate %s: outside "
		    "its validity", j->cert_serial);
		goto out;
	}
	if (!cert_has_client_auth(crt)) {
		rc = ca_why(why, whylen, CA_EAUTH, "client certificate %s: no "
		    "Client Authentication extended key usage", j->cert_serial);
		goto out;
	}
	rc = CA_OK;
out:
	gnutls_x509_crt_deinit(crt);
	return rc;
}

/*
 * Worker: the certificate login scope of README: Security model. CA_EDENIED with the
 * reason (told to the client: it names only its own certificate) when this
 * certificate may not be used for this request.
 */
static int
job_cert_scope(struct job *j, const struct store_cert *c, char *why, size_t whylen)
{
	if (j->cert_renewal)
		return CA_OK;	/* the renewal path checks template and names */
	if (!config_login_template(j->cfg, c->template_name))
		return ca_why(why, whylen, CA_EDENIED, "client certificate %s of "
		    "template %s logs in only to renew itself (simplereenroll); "
		    "[http] login-templates does not list %s", j->cert_serial,
		    c->template_name, c->template_name);
	/*
	 * An officer may issue a certificate that names someone else; that
	 * certificate must not make the officer that person on the CA.
	 */
	if (strcasecmp(c->requester, j->who.sam) != 0)
		return ca_why(why, whylen, CA_EDENIED, "client certificate %s was "
		    "requested by %s on behalf of %s; such a certificate logs in "
		    "only to renew itself", j->cert_serial, c->requester, j->who.sam);
	return CA_OK;
}

/* Worker: a certificate login, every check in order. */
static int
job_cert_login(struct job *j, char *why, size_t whylen)
{
	struct store_cert c;
	int rc;

	memset(&c, 0, sizeof(c));
	if (!j->client_cert_verified) {
		rc = ca_why(why, whylen, CA_EAUTH,
		    "client certificate does not chain to a trusted CA");
		goto out;
	}
	if ((rc = job_cert_check(j, &c, why, whylen)) != CA_OK)
		goto out;
	rc = directory_map_certificate(job_dir(j), j->client_cert,
	    j->client_cert_len, &j->who, why, whylen);
	if (rc == CA_ENOTFOUND || rc == CA_EPARSE)
		rc = CA_EAUTH;
	if (rc != CA_OK)
		goto out;
	j->cert_login = true;
	/* An inactive account hears 401 before any word about scope. */
	if ((rc = directory_account_usable(&j->who, why, whylen)) != CA_OK)
		goto out;
	rc = job_cert_scope(j, &c, why, whylen);
out:
	store_cert_clear(&c);
	return rc;
}

/* Worker: whose request is this? Fills j->who or sets a 401/403/503 response. */
static bool
job_authenticate(struct job *j)
{
	struct directory_auth_log alog;
	char why[CA_WHY_MAX] = "";
	int rc;

	memset(&alog, 0, sizeof(alog));
	if (j->bad_basic) {
		log_notice("authentication of \"%s\" from %s failed: %s",
		    job_identity(j), j->peer, j->basic_why);
		job_reset(j);
		job_fail(j, CA_EAUTH, "invalid credentials");
		job_header(j, "WWW-Authenticate", JOB_WWW_AUTHENTICATE);
		return false;
	}
	if (!j->have_basic && j->client_cert == NULL) {
		if (j->anonymous_ok)
			return true;
		job_reset(j);
		job_fail(j, CA_EAUTH, "authentication required: HTTP Basic (directory account) or a TLS client certificate");
		job_header(j, "WWW-Authenticate", JOB_WWW_AUTHENTICATE);
		return false;
	}
	if (job_dir(j) == NULL) {
		job_reset(j);
		job_fail(j, CA_EUNAVAIL, "no directory is configured to check credentials");
		return false;
	}
	if (j->have_basic)
		rc = directory_authenticate(job_dir(j), j->user, j->password,
		    &j->who, &alog, why, sizeof(why));
	else
		rc = job_cert_login(j, why, sizeof(why));
	gnutls_memset(j->password, 0, sizeof(j->password));
	/* Every login answers to the account's state now (issue 20 item 1). */
	if (rc == CA_OK)
		rc = directory_account_usable(&j->who, why, sizeof(why));
	if (rc == CA_OK) {
		j->authenticated = true;
		explain_auth(j, j->have_basic ? &alog : NULL);
		return true;
	}
	job_reset(j);
	if (rc == CA_EDENIED) {
		/* Credentials held, but scope or unreadable security data
		 * refuse: 403 with the reason (issue 20: never "no deny"). */
		log_notice("%s login of %s from %s refused: %s",
		    j->have_basic ? "password" : "client certificate",
		    j->who.sam[0] ? j->who.sam : job_identity(j), j->peer, why);
		job_fail(j, CA_EDENIED, "%s", why);
	} else if (rc == CA_EUNAVAIL || rc == CA_ETIMEOUT) {
		/* The caller is not logged in: no URIs or LDAP text for it. */
		log_notice("authentication of \"%s\" from %s: directory unavailable: %s",
		    job_identity(j), j->peer, why);
		job_fail(j, CA_EUNAVAIL, "directory unavailable; try again later");
		job_header(j, "Retry-After", JOB_RETRY_DIRECTORY);
	} else {
		/* The client hears one sentence; the log tells the cases apart. */
		log_notice("authentication of \"%s\" from %s failed: %s%s%s",
		    j->have_basic ? j->user : job_identity(j), j->peer,
		    j->have_basic && alog.reason != 0 ? directory_auth_reason_name(alog.reason) : why,
		    alog.detail[0] ? ": " : "", alog.detail);
		job_fail(j, CA_EAUTH, "invalid credentials");
		job_header(j, "WWW-Authenticate", JOB_WWW_AUTHENTICATE);
	}
	/* A scope refusal keeps the account for the log and the audit only. */
	if (rc != CA_EDENIED)
		principal_clear(&j->who);
	return false;
}

/* Worker: record a failed authentication (audit) before answering 401. */
static int
job_apply_auth_failure(struct store_wtxn *w, struct job *j)
{
	return job_audit(w, j, "authenticate", "denied", j->why,
	    "user", j->have_basic || j->bad_basic ? j->user : "(client certificate)",
	    "serial", j->cert_serial, "template", j->cert_template, NULL);
}

/* Worker: keep the answer set on the loop; authentication has run. */
static void
job_keep_answer(struct job *j)
{
	(void)j;
}

/* Loop: send the preset refusal through authentication first. */
void
job_refuse_after_auth(struct job *j)
{
	job_start(j, job_keep_answer);
}

/* Worker thread body. */
static void
job_worker(void *arg)
{
	struct job *j = arg;
	int rc;

	j->stage = JOB_STAGE_AUTH;
	if (job_authenticate(j)) {
		j->stage = JOB_STAGE_WORK;
		j->work(j);
	} else if ((j->status == 401 || j->status == 403) &&
	    (j->have_basic || j->bad_basic || j->client_cert != NULL))
		j->apply = job_apply_auth_failure;
	if (j->apply == NULL) {
		workers_complete(j->d->workers, job_reply, j);
		return;
	}
	j->sjob.apply = job_apply_trampoline;
	j->sjob.done = job_committed;
	j->sjob.arg = j;
	rc = store_submit(j->gen->store, &j->sjob);
	if (rc != CA_OK) {
		job_reset(j);
		job_fail(j, CA_EUNAVAIL, "store busy: %s", ca_strerror(rc));
		job_header(j, "Retry-After", JOB_RETRY_STORE);
		workers_complete(j->d->workers, job_reply, j);
	}
}

/* A job for the host tool: no HTTP request, every CA right. */
struct job *
job_new_local(struct daemon *d, const char *name)
{
	struct job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	if (job_take_gen(j, d) != CA_OK) {
		free(j);
		return NULL;
	}
	j->local = true;
	j->authenticated = true;
	snprintf(j->peer, sizeof(j->peer), "local");
	snprintf(j->who.sam, sizeof(j->who.sam), "%s", name);
	return j;
}

/* Work and commit in this thread, for the host tool. */
int
job_run_local(struct job *j, job_work_cb work)
{
	char why[CA_WHY_MAX];
	int rc;

	j->stage = JOB_STAGE_WORK;
	work(j);
	if (j->apply != NULL) {
		rc = store_submit_wait(j->gen->store, job_apply_trampoline, j, why, sizeof(why));
		if (rc == CA_OK)
			j->stage = JOB_STAGE_COMMIT;
		if (rc == CA_OK && j->on_commit != NULL)
			j->on_commit(j);
		if (rc != CA_OK)
			job_store_failed(j, rc, why);
	}
	return j->status;
}

/* Hand the job to a worker; a stopping pool answers 503 at once. */
void
job_start(struct job *j, job_work_cb work)
{
	j->work = work;
	if (workers_submit(j->d->workers, job_worker, NULL, j) != CA_OK) {
		job_fail(j, CA_EUNAVAIL, "shutting down");
		job_reply(j);
	}
}

/*
 * A JSON string for an audit field. jansson refuses text that is not
 * UTF-8, which would drop the field (a user name of stray bytes left a
 * record without who); such text is kept in log_escape()'s rendering.
 */
static json_t *
audit_string(const char *s)
{
	char safe[4 * JOB_CRED_MAX];
	json_t *v = json_string(s);

	if (v != NULL)
		return v;
	log_escape(s, strlen(s), safe, sizeof(safe));
	return json_string(safe);
}

/* One audit event as a JSON object, appended in the current write. */
int
job_audit(struct store_wtxn *w, struct job *j, const char *action,
    const char *decision, const char *reason, ...)
{
	json_t *ev = json_object();
	const char *k, *v;
	va_list ap;
	char *s;
	int rc;

	if (ev == NULL)
		return store_w_fail(w, CA_ENOMEM, "audit: out of memory");
	json_object_set_new(ev, "time", json_integer(ca_now()));
	json_object_set_new(ev, "who", audit_string(j->who.sam[0] ? j->who.sam : j->user));
	if (j->who.sid[0])
		json_object_set_new(ev, "who_sid", json_string(j->who.sid));
	json_object_set_new(ev, "from", json_string(j->peer));
	json_object_set_new(ev, "action", json_string(action));
	json_object_set_new(ev, "decision", json_string(decision));
	json_object_set_new(ev, "reason", audit_string(reason != NULL ? reason : ""));
	va_start(ap, reason);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (v != NULL && *v != '\0')
			json_object_set_new(ev, k, audit_string(v));
	}
	va_end(ap);
	s = json_dumps(ev, JSON_COMPACT);
	json_decref(ev);
	if (s == NULL)
		return store_w_fail(w, CA_ENOMEM, "audit: out of memory");
	rc = store_w_audit(w, s, NULL);
	free(s);
	return rc;
}

/* CA rights of the authenticated principal against the job's [security]. */
bool
job_has_ca_right(struct job *j, unsigned rights)
{
	uint32_t have;

	if (j->local)
		return true;
	if (!j->authenticated)
		return false;
	have = policy_rights(&j->who, j->cfg->aces, j->cfg->n_aces);
	/* A certificate is no login to Manage CA or auditing unless configured. */
	if (j->cert_login && !j->cfg->certificate_admin)
		have &= ~(uint32_t)(CA_RIGHT_ADMIN | CA_RIGHT_AUDITOR);
	return (have & rights) == rights;
}

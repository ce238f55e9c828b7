/*
 * Jobs (see job.h): the hand-off of one HTTP request from the loop to a
 * worker, through the store writer when something is recorded, and back.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <jansson.h>

#include "ca/clock.h"
#include "ca/daemon.h"
#include "ca/http.h"
#include "ca/http_util.h"
#include "ca/job.h"
#include "ca/explain.h"
#include "ca/log.h"
#include "ca/workers.h"
#include "ldap/directory.h"
#include "policy/rights.h"

/* Copy a header value into a fixed field; "" when absent or too long. */
static void
copy_header(struct http_request *req, const char *name, char *dst, size_t len)
{
	const char *v = http_request_header(req, name);

	dst[0] = '\0';
	if (v != NULL && strlen(v) < len)
		memcpy(dst, v, strlen(v) + 1);
}

/* Copy what workers need from req; the request itself stays on the loop. */
struct job *
job_new(struct daemon *d, struct http_request *req)
{
	struct job *j = calloc(1, sizeof(*j));
	const char *auth;

	if (j == NULL)
		return NULL;
	j->d = d;
	j->cfg = d->cfg;
	j->dirs = daemon_directory_get(d);
	j->req = req;
	snprintf(j->peer, sizeof(j->peer), "%s", req->peer);
	snprintf(j->method, sizeof(j->method), "%s", req->method);
	snprintf(j->path, sizeof(j->path), "%s", req->path);
	copy_header(req, "Accept", j->accept, sizeof(j->accept));
	auth = http_request_header(req, "Authorization");
	if (auth != NULL && http_basic_parse(auth, j->user, sizeof(j->user),
	    j->password, sizeof(j->password), NULL, 0) == CA_OK)
		j->have_basic = true;
	if (req->client_cert_der != NULL && req->client_cert_len > 0) {
		j->client_cert = malloc(req->client_cert_len);
		if (j->client_cert == NULL)
			goto fail;
		memcpy(j->client_cert, req->client_cert_der, req->client_cert_len);
		j->client_cert_len = req->client_cert_len;
		j->client_cert_verified = req->client_cert_verified;
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
	daemon_directory_put(j->dirs);
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
	daemon_templates_put(j->tset);
	daemon_directory_put(j->dirs);
	free(j);
}

/* The pool the job took a reference on when it was made. */
struct directory *
job_dir(const struct job *j)
{
	return j->dirs != NULL ? j->dirs->dir : NULL;
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

/* Loop thread: send the response and end the job. */
static void
job_reply(void *arg)
{
	struct job *j = arg;
	struct http_header h[JOB_HEADERS_MAX];

	for (size_t i = 0; i < j->n_headers; i++) {
		h[i].name = j->header_names[i];
		h[i].value = j->header_values[i];
	}
	if (j->on_loop != NULL)
		j->on_loop(j);
	if (j->status == 0)
		job_text(j, 500, "internal error");
	if (j->status >= 400)
		log_info("%s %s %s from %s: %d %s", j->who.sam[0] ? j->who.sam : "-",
		    j->method, j->path, j->peer, j->status, j->why);
	else
		log_info("%s %s %s from %s: %d", j->who.sam[0] ? j->who.sam : "-",
		    j->method, j->path, j->peer, j->status);
	if (j->status >= 500)
		j->d->failed++;
	else
		j->d->served++;
	http_respond(j->req, j->status, h, j->n_headers, j->resp, j->resp_len);
	job_free(j);
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

	return j->apply(w, j);
}

/* Writer thread, after the commit: back to the loop. */
static void
job_committed(int rc, void *arg)
{
	struct job *j = arg;

	if (rc == CA_OK && j->on_commit != NULL)
		j->on_commit(j);
	if (rc != CA_OK) {
		/* Nothing was recorded, so nothing may be handed out. */
		free(j->resp);
		j->resp = NULL;
		j->n_headers = 0;
		if (rc == CA_EEXIST || rc == CA_ESTATE || rc == CA_ENOTFOUND)
			job_text(j, rc == CA_ENOTFOUND ? 404 : 409, "%s", j->sjob.why);
		else
			job_text(j, 500, "store: %s", j->sjob.why[0] ? j->sjob.why : ca_strerror(rc));
	}
	workers_complete(j->d->workers, job_reply, j);
}

/* Worker: whose request is this? Fills j->who or sets a 401/503 response. */
static bool
job_authenticate(struct job *j)
{
	struct directory_auth_log alog;
	char why[CA_WHY_MAX] = "";
	int rc;

	memset(&alog, 0, sizeof(alog));
	if (!j->have_basic && j->client_cert == NULL) {
		if (j->anonymous_ok)
			return true;
		job_text(j, 401, "authentication required: HTTP Basic (directory account) or a TLS client certificate");
		job_header(j, "WWW-Authenticate", "Basic realm=\"entca\", charset=\"UTF-8\"");
		return false;
	}
	if (job_dir(j) == NULL) {
		job_text(j, 503, "no directory is configured to check credentials");
		return false;
	}
	if (j->have_basic)
		rc = directory_authenticate(job_dir(j), j->user, j->password,
		    &j->who, &alog, why, sizeof(why));
	else if (!j->client_cert_verified)
		rc = ca_why(why, sizeof(why), CA_EAUTH,
		    "client certificate does not chain to a trusted CA");
	else
		rc = directory_map_certificate(job_dir(j), j->client_cert,
		    j->client_cert_len, &j->who, why, sizeof(why));
	gnutls_memset(j->password, 0, sizeof(j->password));
	if (rc == CA_OK) {
		j->authenticated = true;
		explain_auth(j, j->have_basic ? &alog : NULL);
		return true;
	}
	if (rc == CA_EUNAVAIL || rc == CA_ETIMEOUT) {
		job_text(j, 503, "directory unavailable: %s", why);
		job_header(j, "Retry-After", "30");
	} else {
		/* The client hears one sentence; the log tells the cases apart. */
		log_notice("authentication of \"%s\" from %s failed: %s%s%s",
		    j->have_basic ? j->user : "(client certificate)", j->peer,
		    j->have_basic ? directory_auth_reason_name(alog.reason) : why,
		    alog.detail[0] ? ": " : "", alog.detail);
		job_text(j, 401, "invalid credentials");
		job_header(j, "WWW-Authenticate", "Basic realm=\"entca\", charset=\"UTF-8\"");
	}
	return false;
}

/* Worker: record a failed authentication (audit) before answering 401. */
static int
job_apply_auth_failure(struct store_wtxn *w, struct job *j)
{
	return job_audit(w, j, "authenticate", "denied", j->why,
	    "user", j->have_basic ? j->user : "(client certificate)", NULL);
}

/* Worker thread body. */
static void
job_worker(void *arg)
{
	struct job *j = arg;
	int rc;

	if (job_authenticate(j))
		j->work(j);
	else if (j->status == 401 && (j->have_basic || j->client_cert != NULL))
		j->apply = job_apply_auth_failure;
	if (j->apply == NULL) {
		workers_complete(j->d->workers, job_reply, j);
		return;
	}
	j->sjob.apply = job_apply_trampoline;
	j->sjob.done = job_committed;
	j->sjob.arg = j;
	rc = store_submit(j->d->store, &j->sjob);
	if (rc != CA_OK) {
		free(j->resp);
		j->resp = NULL;
		j->n_headers = 0;
		job_text(j, 503, "store busy: %s", ca_strerror(rc));
		job_header(j, "Retry-After", "5");
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
	j->d = d;
	j->cfg = d->cfg;
	j->dirs = daemon_directory_get(d);
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

	work(j);
	if (j->apply != NULL) {
		rc = store_submit_wait(j->d->store, job_apply_trampoline, j, why, sizeof(why));
		if (rc == CA_OK && j->on_commit != NULL)
			j->on_commit(j);
		if (rc != CA_OK)
			job_text(j, rc == CA_ENOTFOUND ? 404 : rc == CA_ESTATE ? 409 : 500,
			    "%s", why);
	}
	return j->status;
}

/* Hand the job to a worker; a stopping pool answers 503 at once. */
void
job_start(struct job *j, job_work_cb work)
{
	j->work = work;
	if (workers_submit(j->d->workers, job_worker, NULL, j) != CA_OK) {
		job_text(j, 503, "shutting down");
		job_reply(j);
	}
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
	json_object_set_new(ev, "who", json_string(j->who.sam[0] ? j->who.sam :
	    (j->have_basic ? j->user : "")));
	if (j->who.sid[0])
		json_object_set_new(ev, "who_sid", json_string(j->who.sid));
	json_object_set_new(ev, "from", json_string(j->peer));
	json_object_set_new(ev, "action", json_string(action));
	json_object_set_new(ev, "decision", json_string(decision));
	json_object_set_new(ev, "reason", json_string(reason != NULL ? reason : ""));
	va_start(ap, reason);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (v != NULL && *v != '\0')
			json_object_set_new(ev, k, json_string(v));
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
	return (have & rights) == rights;
}

/*
 * Management API (see api.h). Each handler parses its JSON body on the loop
 * (bounded by the HTTP body limit), checks rights and does its work on a
 * worker, commits through the store writer with an audit event, and
 * answers from the loop after the commit. A body or path refused on the
 * loop is answered only after authentication (job_refuse_after_auth).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/hex.h"
#include "ca/api/api.h"
#include "ca/api/api_int.h"
#include "common/clock.h"
#include "ca/daemon/daemon.h"
#include "ca/daemon/ca_previous.h"
#include "ca/est/est.h"
#include "ca/http/http.h"
#include "ca/identity/identity.h"
#include "ca/http/http_util.h"
#include "ca/daemon/job.h"
#include "ca/daemon/job_error.h"
#include "common/log.h"
#include "ca/issue/revoke.h"
#include "ca/store/store.h"
#include "crl/reason.h"
#include "ldap/directory.h"
#include "policy/rights.h"

#define API_NAME_MAX 256

/* What one revocation or CRL-publication call carries. */
struct api_call {
	bool unrevoke;
	int reason;
	int64_t invalidity;
	unsigned char serial[STORE_SERIAL_MAX];
	size_t serial_len;
	char sid[API_NAME_MAX], upn[API_NAME_MAX], device[API_NAME_MAX];
	struct revoke_set *set;		/* principal revocation */
	bool crl_delta;			/* crl publication */
	struct crlpub_result crl;
};

/* Free the call state. */
static void
api_call_free(void *arg)
{
	struct api_call *a = arg;

	if (a == NULL)
		return;
	free(a->set);
	crlpub_result_clear(&a->crl);
	free(a);
}

/* A revocation or publication: what the POST routes below fill. */
static const struct api_ctx api_call_ctx = { sizeof(struct api_call),
    api_call_free };

/* Reason and invalidity date from a JSON body; false with a 400 set. */
static bool
parse_reason(struct job *j, json_t *body, struct api_call *a)
{
	json_t *r = json_object_get(body, "reason");
	json_t *inv = json_object_get(body, "invalidity_date");
	char why[CA_WHY_MAX];

	a->reason = CRL_REASON_UNSPECIFIED;
	if (r != NULL) {
		if (!json_is_string(r) ||
		    crl_reason_parse(json_string_value(r), &a->reason, why, sizeof(why)) != CA_OK) {
			job_fail(j, CA_EPARSE, "reason: expected an RFC 5280 reason name such as keyCompromise or cessationOfOperation");
			return false;
		}
		if (a->reason == CRL_REASON_REMOVE_FROM_CRL) {
			job_fail(j, CA_EPARSE, "reason: removeFromCRL is not a revocation reason; use unrevoke");
			return false;
		}
	}
	if (inv != NULL) {
		/* RFC 3339 as every API time, or seconds as before. */
		if (json_is_string(inv) && api_time_parse(json_string_value(inv),
		    &a->invalidity) == CA_OK)
			;
		else if (json_is_integer(inv))
			a->invalidity = (int64_t)json_integer_value(inv);
		else
			a->invalidity = -1;
		if (a->invalidity <= 0 || a->invalidity > ca_now()) {
			job_fail(j, CA_EPARSE, "invalidity_date: expected an RFC 3339 time (or seconds since the epoch), not in the future");
			return false;
		}
	}
	return true;
}

/* Writer: revoke or unrevoke one serial, with its audit event. */
static int
revoke_one_apply(struct store_wtxn *w, struct job *j)
{
	struct api_call *a = j->ctx;
	char hex[2 * STORE_SERIAL_MAX + 1];

	struct store_cert c;

	memset(&c, 0, sizeof(c));
	hex_encode(a->serial, a->serial_len, hex);
	if (a->unrevoke)
		store_w_unrevoke(w, a->serial, a->serial_len, ca_now());
	else if (store_get_cert(store_w_txn(w), a->serial, a->serial_len, &c) == CA_ENOTFOUND)
		/* AD CS revokes by serial too: a certificate the store does not
		 * know (issued after the backup it was restored from) is listed
		 * on CRLs until the CA certificate itself expires. */
		store_w_revoke_unknown(w, a->serial, a->serial_len, a->reason, ca_now(),
		    a->invalidity, j->gen->id->not_after);
	else
		store_w_revoke(w, a->serial, a->serial_len, a->reason, ca_now(), a->invalidity);
	store_cert_clear(&c);
	if (store_w_status(w) != CA_OK)
		return store_w_status(w);
	return job_audit(w, j, a->unrevoke ? "unrevoke" : "revoke", "done",
	    a->unrevoke ? "released from certificateHold" : crl_reason_name(a->reason),
	    "serial", hex, NULL);
}

/* Writer, after the commit and before the answer: OCSP forgets the serial. */
static void
revoke_one_committed(struct job *j)
{
	struct api_call *a = j->ctx;

	revoke_committed(a->serial, a->serial_len);
}

/* Worker: officer check, then the write. */
static void
revoke_one_work(struct job *j)
{
	struct api_call *a = j->ctx;
	char hex[2 * STORE_SERIAL_MAX + 1];
	json_t *o;

	if (!job_has_ca_right(j, CA_RIGHT_OFFICER)) {
		job_fail(j, CA_EDENIED, "%s: the CA officer right (Issue and Manage Certificates) is required",
		    a->unrevoke ? "unrevoke" : "revoke");
		return;
	}
	hex_encode(a->serial, a->serial_len, hex);
	o = json_pack("{s:s,s:s,s:s}", "serial", hex,
	    "status", a->unrevoke ? "valid" : "revoked",
	    "reason", a->unrevoke ? "" : crl_reason_name(a->reason));
	job_json(j, 200, o);
	j->apply = revoke_one_apply;
	j->on_commit = revoke_one_committed;
}

/* Writer: revoke every collected certificate of a principal. */
static int
revoke_all_apply(struct store_wtxn *w, struct job *j)
{
	struct api_call *a = j->ctx;
	char hex[2 * STORE_SERIAL_MAX + 1];
	int64_t now = ca_now();

	for (size_t i = 0; i < a->set->n; i++) {
		store_w_revoke(w, a->set->serial[i], a->set->len[i], a->reason, now, a->invalidity);
		hex_encode(a->set->serial[i], a->set->len[i], hex);
		job_audit(w, j, "revoke", "done", crl_reason_name(a->reason),
		    "serial", hex, "sid", a->sid, "upn", a->upn, "device", a->device, NULL);
	}
	return store_w_status(w);
}

/* Writer, after the commit: OCSP forgets every serial revoked. */
static void
revoke_all_committed(struct job *j)
{
	struct api_call *a = j->ctx;

	for (size_t i = 0; i < a->set->n; i++)
		revoke_committed(a->set->serial[i], a->set->len[i]);
}

/* Worker: resolve the principal, collect its valid certificates. */
static void
revoke_all_work(struct job *j)
{
	struct api_call *a = j->ctx;
	struct principal p;
	struct store_txn *t = NULL;
	char why[CA_WHY_MAX], name[API_NAME_MAX + 2];
	char hex[2 * STORE_SERIAL_MAX + 1];
	const char *dns = NULL;
	json_t *o, *list;
	int rc;

	memset(&p, 0, sizeof(p));
	if (!job_has_ca_right(j, CA_RIGHT_OFFICER)) {
		job_fail(j, CA_EDENIED, "revoke: the CA officer right (Issue and Manage Certificates) is required");
		return;
	}
	/* Revoking everything of someone: no cached login may outlive it. */
	if (job_dir(j) != NULL)
		directory_cache_clear(job_dir(j));
	if (a->device[0] != '\0' && job_dir(j) != NULL) {
		/* A device is its computer account: NAME$, or its DNS name. */
		snprintf(name, sizeof(name), "%s%s", a->device,
		    strchr(a->device, '.') != NULL || strchr(a->device, '$') != NULL ? "" : "$");
		rc = directory_lookup(job_dir(j), strchr(a->device, '.') != NULL ?
		    DIRECTORY_BY_DNS : DIRECTORY_BY_SAM, name, &p, why, sizeof(why));
		if (rc == CA_OK) {
			snprintf(a->sid, sizeof(a->sid), "%s", p.sid);
			dns = p.dns;
		} else if (rc != CA_ENOTFOUND && rc != CA_ETOOBIG) {
			/* Several accounts with the DNS name: revoke by it. */
			job_fail(j, CA_EUNAVAIL, "directory unavailable: %s", why);
			return;
		}
		if (dns == NULL)
			dns = a->device;
	}
	a->set = calloc(1, sizeof(*a->set));
	if (a->set == NULL) {
		job_fail(j, CA_ENOMEM, "out of memory");
		goto out;
	}
	rc = store_read_begin(j->gen->store, &t, why, sizeof(why));
	if (rc == CA_OK) {
		rc = revoke_collect(t, a->sid, a->upn, dns, ca_now(), a->set);
		if (rc != CA_OK)
			snprintf(why, sizeof(why), "%s", store_txn_why(t));
	}
	store_read_end(t);
	if (rc == CA_ETOOBIG) {
		job_fail(j, CA_ETOOBIG, "revoke: more certificates than one call may revoke");
		goto out;
	}
	if (rc != CA_OK) {
		/* The store's sentence names its path: the log keeps it. */
		log_error("revoke: %s", why);
		job_fail(j, CA_EDB, "revoke: %s", ca_strerror(rc));
		goto out;
	}
	list = json_array();
	for (size_t i = 0; i < a->set->n; i++) {
		hex_encode(a->set->serial[i], a->set->len[i], hex);
		json_array_append_new(list, json_string(hex));
	}
	o = json_pack("{s:o,s:s}", "revoked", list, "reason", crl_reason_name(a->reason));
	job_json(j, 200, o);
	if (a->set->n > 0) {
		j->apply = revoke_all_apply;
		j->on_commit = revoke_all_committed;
	}
out:
	principal_clear(&p);
}

/* Loop: serve the CRL a worker just published (the directory step follows). */
static void
crl_publish_on_loop(struct job *j)
{
	struct api_call *a = j->ctx;

	daemon_crl_adopt(j->d, &a->crl);
}

/* Worker: POST /api/v1/crl/publish (CA admin). */
static void
crl_publish_work(struct job *j)
{
	struct api_call *a = j->ctx;
	struct crlpub p;
	struct daemon_crl_urls urls;
	char why[CA_WHY_MAX], prev_why[CA_WHY_MAX];
	json_t *o;
	int rc, prev_rc = CA_OK;

	if (!job_has_ca_right(j, CA_RIGHT_ADMIN)) {
		job_fail(j, CA_EDENIED, "crl publish: the CA admin right (Manage CA) is required");
		return;
	}
	/*
	 * After a renewal with a new key, the earlier keys' CRLs too, and
	 * first: a running entcad takes them up when it sees the store's
	 * full CRL number change, which the current key's publication below
	 * commits. Written after it, they could miss that sync (seen under
	 * load: entcad kept serving the earlier key's older CRL).
	 */
	if (!a->crl_delta && (prev_rc = daemon_prev_publish(j->d, j->cfg,
	    ca_now(), prev_why, sizeof(prev_why))) != CA_OK)
		log_error("crl publish (earlier CA keys): %s", prev_why);
	daemon_crlpub_for(j->d, j->cfg, j->dirs, &p, &urls);
	p.audit_who = j->who.sam[0] != '\0' ? j->who.sam : j->user;
	rc = crlpub_publish(&p, a->crl_delta, ca_now(), &a->crl, why, sizeof(why));
	if (rc == CA_ESTATE) {
		job_fail(j, CA_ESTATE, "crl publish: %s", why);
		return;
	}
	if (rc != CA_OK) {
		/* Store and file sentences name server paths: the log keeps them. */
		log_error("crl publish: %s", why);
		job_fail(j, rc == CA_EUNAVAIL ? rc : CA_EIO, "crl publish: %s", ca_strerror(rc));
		return;
	}
	if (prev_rc != CA_OK) {
		job_fail(j, prev_rc == CA_EUNAVAIL ? prev_rc : CA_EIO,
		    "crl publish (earlier CA keys): %s", ca_strerror(prev_rc));
		return;
	}
	o = json_pack("{s:s,s:I,s:I,s:o,s:o}", "kind", a->crl_delta ? "delta" : "full",
	    "number", (json_int_t)a->crl.number, "entries", (json_int_t)a->crl.entries,
	    "this_update", api_time(a->crl.this_update),
	    "next_update", api_time(a->crl.next_update));
	job_json(j, 200, o);
	j->on_loop = crl_publish_on_loop;
}

/* Parse the body as a JSON object (empty body = {}); false with 400 set. */
static json_t *
body_object(struct job *j)
{
	json_t *b;
	json_error_t err;

	if (j->body_len == 0)
		return json_object();
	b = json_loadb((const char *)j->body, j->body_len, 0, &err);
	if (b == NULL || !json_is_object(b)) {
		json_decref(b);
		job_fail(j, CA_EPARSE, "body: expected a JSON object (%s)", b == NULL ? err.text : "not an object");
		return NULL;
	}
	return b;
}

/* Copy a string member, bounded. */
static void
get_str(json_t *o, const char *k, char *out, size_t len)
{
	json_t *v = json_object_get(o, k);

	if (json_is_string(v) && strlen(json_string_value(v)) < len)
		snprintf(out, len, "%s", json_string_value(v));
}

/* Loop: POST /api/v1/certificates/<serial>/revoke and /unrevoke. */
static job_work_cb
revoke_setup(struct job *j, const struct api_args *args, bool unrevoke)
{
	struct api_call *a = j->ctx;
	char why[CA_WHY_MAX];

	a->unrevoke = unrevoke;
	if (revoke_serial_parse(args->seg[0], a->serial, &a->serial_len, why,
	    sizeof(why)) != CA_OK) {
		job_fail(j, CA_EPARSE, "%s", why);
		return NULL;
	}
	if (!unrevoke && !parse_reason(j, args->body, a))
		return NULL;
	return revoke_one_work;
}

/* Loop: POST /api/v1/certificates/<serial>/revoke. */
static job_work_cb
revoke_one_setup(struct job *j, const struct api_args *args)
{
	return revoke_setup(j, args, false);
}

/* Loop: POST /api/v1/certificates/<serial>/unrevoke. */
static job_work_cb
unrevoke_one_setup(struct job *j, const struct api_args *args)
{
	return revoke_setup(j, args, true);
}

/* Loop: POST /api/v1/principals/revoke. */
static job_work_cb
revoke_all_setup(struct job *j, const struct api_args *args)
{
	struct api_call *a = j->ctx;
	json_t *body = args->body;

	get_str(body, "sid", a->sid, sizeof(a->sid));
	get_str(body, "upn", a->upn, sizeof(a->upn));
	get_str(body, "device", a->device, sizeof(a->device));
	/*
	 * Exactly one selector: two could name different principals,
	 * and revoking the certificates of either would be a guess.
	 */
	if ((a->sid[0] != '\0') + (a->upn[0] != '\0') + (a->device[0] != '\0') > 1) {
		job_fail(j, CA_EPARSE, "body: name the principal with exactly one of "
		    "\"sid\", \"upn\" or \"device\" (given:%s%s%s)",
		    a->sid[0] ? " sid" : "", a->upn[0] ? " upn" : "",
		    a->device[0] ? " device" : "");
		return NULL;
	}
	if (a->sid[0] == '\0' && a->upn[0] == '\0' && a->device[0] == '\0') {
		job_fail(j, CA_EPARSE, "body: name the principal with \"sid\", \"upn\" or \"device\"");
		return NULL;
	}
	return parse_reason(j, body, a) ? revoke_all_work : NULL;
}

/* Loop: POST /api/v1/crl/publish. */
static job_work_cb
crl_publish_setup(struct job *j, const struct api_args *args)
{
	struct api_call *a = j->ctx;

	a->crl_delta = json_is_true(json_object_get(args->body, "delta"));
	return crl_publish_work;
}

/* Loop: POST /api/v1/requests/<id>/approve or /deny. */
static job_work_cb
decide_setup(struct job *j, const struct api_args *args, bool approve)
{
	unsigned long long id;
	char *end;

	id = strtoull(args->seg[0], &end, 10);
	if (args->seg[0][0] < '0' || args->seg[0][0] > '9' || *end != '\0') {
		job_fail(j, CA_EPARSE, "request id: expected a number");
		return NULL;
	}
	/* Its route gives no context: the pending-request code makes its own. */
	return est_pending_setup(j, id, approve);
}

/* Loop: approve. */
static job_work_cb
approve_setup(struct job *j, const struct api_args *args)
{
	return decide_setup(j, args, true);
}

/* Loop: deny. */
static job_work_cb
deny_setup(struct job *j, const struct api_args *args)
{
	return decide_setup(j, args, false);
}

/*
 * Every route of /api/v1/. The OpenAPI document (ca/api/openapi.json)
 * describes exactly these; tests/integration/api_openapi.sh checks both
 * ways through api_route_at().
 */
static const struct api_route api_routes[] = {
	{ "GET", "certificates", &api_certs_ctx, api_certs_list_setup, false },
	{ "GET", "certificates/{serial}", &api_certs_ctx, api_certs_show_setup, false },
	{ "POST", "certificates/{serial}/revoke", &api_call_ctx, revoke_one_setup, false },
	{ "POST", "certificates/{serial}/unrevoke", &api_call_ctx, unrevoke_one_setup, false },
	{ "POST", "principals/revoke", &api_call_ctx, revoke_all_setup, false },
	{ "GET", "requests", &api_requests_ctx, api_requests_list_setup, false },
	{ "GET", "requests/{id}", &api_requests_ctx, api_requests_show_setup, false },
	{ "POST", "requests/{id}/approve", NULL, approve_setup, false },
	{ "POST", "requests/{id}/deny", NULL, deny_setup, false },
	{ "POST", "crl/publish", &api_call_ctx, crl_publish_setup, false },
	{ "GET", "audit", &api_audit_ctx, api_audit_setup, false },
	{ "GET", "templates", &api_templates_ctx, api_templates_list_setup, false },
	{ "GET", "templates/{name}", &api_templates_ctx, api_templates_show_setup, false },
	{ "POST", "templates/{name}/issue", &api_templates_ctx, api_templates_issue_setup, false },
	{ "POST", "templates/{name}/unissue", &api_templates_ctx, api_templates_unissue_setup, false },
	{ "GET", "ca", &api_ca_ctx, api_ca_show_setup, false },
	{ "GET", "ca/security", NULL, api_ca_security_list_setup, false },
	{ "POST", "ca/security", &api_ca_ctx, api_ca_security_change_setup, false },
	{ "GET", "openapi.json", NULL, api_openapi_setup, true },
};

#define API_ROUTE_COUNT (sizeof(api_routes) / sizeof(api_routes[0]))

/* The i-th route (method, pattern after /api/v1/); false past the end. */
bool
api_route_at(size_t i, const char **method, const char **pattern)
{
	if (i >= API_ROUTE_COUNT)
		return false;
	*method = api_routes[i].method;
	*pattern = api_routes[i].pattern;
	return true;
}

/* Whether path (no query) fits pattern; the {x} segments go to a. */
static bool
route_match(const char *pattern, const char *path, struct api_args *a)
{
	const char *p = pattern, *q = path;
	size_t pn, qn;

	a->n_seg = 0;
	for (;;) {
		pn = strcspn(p, "/");
		qn = strcspn(q, "/");
		if (p[0] == '{') {
			if (qn == 0 || qn >= API_SEGMENT_MAX || a->n_seg >= API_ARGS_MAX)
				return false;
			memcpy(a->seg[a->n_seg], q, qn);
			a->seg[a->n_seg++][qn] = '\0';
		} else if (pn != qn || memcmp(p, q, pn) != 0)
			return false;
		p += pn;
		q += qn;
		if (*p == '\0' || *q == '\0')
			return *p == '\0' && *q == '\0';
		p++;
		q++;
	}
}

/*
 * Run the work on a worker (HTTP) or here (the local tool). A refusal
 * decided on the loop (bad body, unknown path) is still sent through
 * authentication: a caller without credentials hears 401, not how we
 * parse (issue 10 item 9). Anonymous routes answer at once.
 */
static void
api_go(struct job *j, job_work_cb work, bool local, bool anonymous)
{
	if (work == NULL) {
		if (!local && anonymous)
			job_finish(j);
		else if (!local)
			job_refuse_after_auth(j);
		return;
	}
	if (local)
		job_run_local(j, work);
	else
		job_start(j, work);
}

/* Route one API call held in j (body copied). */
static void
api_dispatch(struct job *j, const char *method, const char *rest,
    const char *query, bool local)
{
	const struct api_route *r = NULL;
	struct api_args args;
	char allow[32] = "";
	job_work_cb work = NULL;	/* NULL: j already holds the answer */

	memset(&args, 0, sizeof(args));
	args.query = query;
	args.local = local;
	for (size_t i = 0; i < API_ROUTE_COUNT; i++) {
		if (!route_match(api_routes[i].pattern, rest, &args))
			continue;
		if (strcmp(api_routes[i].method, method) == 0) {
			r = &api_routes[i];
			break;
		}
		snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow),
		    "%s%s", allow[0] ? ", " : "", api_routes[i].method);
	}
	if (r == NULL && allow[0] != '\0') {
		job_fail(j, CA_EMETHOD, "/api/v1/%s: use %s",
		    rest, allow);
		job_header(j, "Allow", allow);
		goto out;
	}
	if (r == NULL) {
		job_fail(j, CA_ENOTFOUND, "unknown API path /api/v1/%s "
		    "(see /api/v1/openapi.json)", rest);
		goto out;
	}
	route_match(r->pattern, rest, &args);
	if (r->ctx != NULL && job_ctx_new(j, r->ctx->size, r->ctx->free_ctx) == NULL)
		goto out;
	if (strcmp(method, "POST") == 0 && (args.body = body_object(j)) == NULL)
		goto out;
	work = r->setup(j, &args);
out:
	json_decref(args.body);
	api_go(j, work, local, r != NULL && r->anonymous);
}

/* Loop: the management API takes GET, or POST with a JSON body. */
void
api_route(struct daemon *d, struct http_request *req, const char *rest)
{
	struct job *j = job_new(d, req);

	if (j == NULL) {
		job_error_respond(req, CA_ENOMEM, NULL, "out of memory");
		return;
	}
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "POST") != 0) {
		job_fail(j, CA_EMETHOD, "the management API "
		    "takes GET, or POST with a JSON body");
		job_header(j, "Allow", "GET, POST");
		job_refuse_after_auth(j);
		return;
	}
	/* A body is JSON, said so; an empty POST (approve) needs no type. */
	if (req->body_len > 0 && !http_media_type_is(http_request_header(req,
	    "Content-Type"), "application/json")) {
		job_fail(j, CA_EMEDIA, "the management "
		    "API: Content-Type must be application/json");
		job_finish(j);
		return;
	}
	api_dispatch(j, req->method, rest, req->query, false);
}

/* Run one API call in this thread as the host administrator. */
int
api_local_call(struct daemon *d, const char *who, const char *method,
    const char *path, const char *accept, const char *json_body,
    char **out, size_t *out_len)
{
	struct job *j = job_new_local(d, who);
	char rest[1024];
	const char *q;
	int status;

	*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	if (j == NULL)
		return 500;
	snprintf(rest, sizeof(rest), "%s", path);
	q = strchr(path, '?');
	if (q != NULL)
		rest[q - path] = '\0';
	if (accept != NULL)
		snprintf(j->accept, sizeof(j->accept), "%s", accept);
	/* Errors take the API's JSON shape here too (job_fail reads the path). */
	snprintf(j->path, sizeof(j->path), "/api/v1/%s", rest);
	snprintf(j->method, sizeof(j->method), "%s", method);
	if (json_body != NULL && *json_body != '\0') {
		j->body = (unsigned char *)strdup(json_body);
		j->body_len = j->body != NULL ? strlen(json_body) : 0;
	}
	api_dispatch(j, method, rest, q != NULL ? q + 1 : NULL, true);
	if (j->on_loop != NULL)
		j->on_loop(j);
	status = j->status;
	if (j->resp != NULL) {
		*out = malloc(j->resp_len + 1);
		if (*out != NULL) {
			memcpy(*out, j->resp, j->resp_len);
			(*out)[j->resp_len] = '\0';
			if (out_len != NULL)
				*out_len = j->resp_len;
		}
	}
	job_free(j);
	return status;
}

/* Run one POST in this thread as the host administrator. */
int
api_local(struct daemon *d, const char *who, const char *rest,
    const char *json_body, char **out)
{
	return api_local_call(d, who, "POST", rest, NULL, json_body, out, NULL);
}

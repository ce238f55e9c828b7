/*
 * The router and what the loop answers from memory. Requests are routed
 * by one table (serve_routes: method, path or prefix, listener, whether
 * anonymous, handler; EST operations by serve_est_ops), as tmux's command
 * table: a new protocol appends a row. From memory: /health, the EST
 * cacerts distribution (RFC 7030 §4.1), the CA certificate at /aia/ and
 * the CRLs at /crl/ (AD CS names: <ca>.crl full, <ca>+.crl delta). These
 * never block: the bytes were prepared before the loop started or handed
 * in by a completion.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/error.h"

#include "ca/api/api.h"
#include "common/base64.h"
#include "common/clock.h"
#include "ca/daemon/daemon.h"
#include "ca/daemon/ca_previous.h"
#include "ca/est/est.h"
#include "ca/daemon/crl_daemon.h"
#include "ca/daemon/health.h"
#include "ca/daemon/job_error.h"
#include "ca/http/http.h"
#include "ca/http/http_util.h"
#include "ca/identity/identity.h"
#include "common/log.h"
#include "ca/daemon/metrics.h"
#include "ca/issue/pkcs7.h"
#include "ca/ocsp/ocsp.h"
#include "ca/daemon/templates_load.h"
#include "ca/daemon/workers.h"
#include "ca/scep/scep.h"

#define EST_PREFIX "/.well-known/est/"
#define EST_LABEL_MAX 128

/*
 * A refusal straight from the loop: status and body from the one error
 * table (job_error.h), logged with the peer like those of jobs.
 */
static void
reply_fail(struct http_request *req, enum ca_error err, const char *text,
    const char *allow)
{
	job_error_respond(req, err, allow, text);
}

/* Bytes with a content type, straight from the loop. */
static void
reply_bytes(struct http_request *req, const char *type, const char *cte,
    const void *body, size_t len)
{
	/* EST bodies carry a transfer encoding; signed public files may be cached. */
	struct http_header h[2] = {
		{ "Content-Type", type },
		cte != NULL ? (struct http_header){ "Content-Transfer-Encoding", cte } :
		    (struct http_header){ "Cache-Control", "max-age=300" },
	};

	http_respond(req, 200, h, 2, body, len);
}

/* GET /.well-known/est/cacerts: base64 certs-only PKCS#7 of the chain. */
static void
serve_cacerts(struct daemon *d, struct http_request *req)
{
	char *b64 = NULL;
	size_t len = 0;

	if (pkcs7_base64(d->cacerts_p7, d->cacerts_p7_len, &b64, &len) != CA_OK) {
		reply_fail(req, CA_ENOMEM, "out of memory", NULL);
		return;
	}
	/* RFC 7030 §4.1.3: exactly this type; smime-type is §4.2.3's. */
	reply_bytes(req, "application/pkcs7-mime", "base64", b64, len);
	free(b64);
}

/*
 * GET /health: 200 only when every check passes (health.h), else 503 with
 * one {"component", "reason"} per problem in "problems", so a load
 * balancer and an operator see the same verdict. Also 503 while stopping.
 */
static void
serve_health(struct daemon *d, struct http_request *req)
{
	struct http_header h = { "Content-Type", "application/json" };
	int64_t now = ca_now();
	json_t *o, *crl, *issued = json_array(), *problems = json_array();
	char *s;
	bool fresh = d->crl_full.der != NULL && now < d->crl_full.next_update;
	size_t n;

	health_probe_directory(d, HEALTH_DIR_FRESH_S);
	n = health_problems(d, problems);
	n += ocsp_health(d, problems);
	crl = json_pack("{s:I,s:I,s:I,s:b,s:I,s:I,s:b}",
	    "full_number", (json_int_t)d->crl_full.number,
	    "full_this_update", (json_int_t)d->crl_full.this_update,
	    "full_next_update", (json_int_t)d->crl_full.next_update,
	    "full_fresh", fresh,
	    "delta_number", (json_int_t)d->crl_delta.number,
	    "delta_next_update", (json_int_t)d->crl_delta.next_update,
	    "delta_fresh", d->crl_delta.der != NULL && now < d->crl_delta.next_update);
	/* What "Certificate Templates to Issue" resolves to right now. */
	for (size_t i = 0; i < d->cfg->n_issue; i++) {
		const struct template *t = templates_find(d->templates, d->cfg->issue_templates[i]);

		if (t != NULL)
			json_array_append_new(issued, json_string(t->name));
	}
	o = json_pack("{s:s,s:s,s:I,s:I,s:o,s:I,s:I,s:b,s:o,s:o,s:o*}",
	    "status", d->stopping ? "stopping" : (n == 0 ? "ok" : "degraded"),
	    "ca", d->cfg->name,
	    "uptime", (json_int_t)(now - d->started_at),
	    "templates", (json_int_t)templates_count(d->templates),
	    "issued", issued,
	    "served", (json_int_t)d->served,
	    "queued", (json_int_t)workers_pending(d->workers),
	    "directory", d->dirs != NULL,
	    "crl", crl,
	    "problems", problems,
	    /* numbering and directory publication (a failing directory
	     * write is shown here and retried; CRLs are served meanwhile) */
	    "crl_publication", crl_publish_status_json(d, now));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	http_respond(req, n == 0 && !d->stopping ? 200 : 503, &h, 1, s,
	    s != NULL ? strlen(s) : 0);
	free(s);
}

/* GET /crl/<ca>.crl and /crl/<ca>+.crl. */
static void
serve_crl(struct daemon *d, struct http_request *req, const char *file)
{
	const char *name = daemon_crl_name(d, d->cfg);
	size_t n = strlen(name);
	const struct crlpub_result *r = NULL;

	if (strncmp(file, name, n) == 0) {
		if (strcmp(file + n, ".crl") == 0)
			r = &d->crl_full;
		else if (strcmp(file + n, "+.crl") == 0 || strcmp(file + n, "%2B.crl") == 0)
			r = &d->crl_delta;
	}
	/* After a renewal with a new key, the earlier keys' CRLs. */
	if (r == NULL) {
		unsigned char *der = NULL;
		size_t len = 0;
		int rc = daemon_prev_crl_copy(d, file, &der, &len);

		if (rc == CA_OK)
			reply_bytes(req, "application/pkix-crl", NULL, der, len);
		else if (rc == CA_ESTATE)
			reply_fail(req, CA_EUNAVAIL, "no CRL has been published yet", NULL);
		free(der);
		if (rc != CA_ENOTFOUND)
			return;
	}
	if (r == NULL) {
		reply_fail(req, CA_ENOTFOUND, "no such CRL", NULL);
		return;
	}
	if (r->der == NULL) {
		reply_fail(req, CA_EUNAVAIL, "no CRL has been published yet", NULL);
		return;
	}
	reply_bytes(req, "application/pkix-crl", NULL, r->der, r->der_len);
}

/*
 * GET /aia/<name>.crt and, after renewals, /aia/<name>(N).crt: the CA
 * certificate with index N (AD CS's names; <name>.crt is index 0, which is
 * the current one until the first renewal).
 */
static void
serve_aia(struct daemon *d, struct http_request *req, const char *rest)
{
	const gnutls_datum_t *c = NULL;
	unsigned idx = 0;
	char tail[8];

	if (strcmp(rest, ".crt") == 0)
		c = daemon_prev_cert(d, 0);
	else if (sscanf(rest, "(%u)%7s", &idx, tail) == 2 && idx > 0 &&
	    strcmp(tail, ".crt") == 0)
		c = daemon_prev_cert(d, idx);
	if (c == NULL && strcmp(rest, ".crt") == 0)
		c = &d->id->cert_der;
	if (c == NULL) {
		reply_fail(req, CA_ENOTFOUND, "not found", NULL);
		return;
	}
	reply_bytes(req, "application/pkix-cert", NULL, c->data, c->size);
}

/* Split "/.well-known/est/[label/]op" into label (may be NULL) and op. */
static bool
est_split(const char *rest, char *label, size_t label_len, const char **op)
{
	const char *slash = strchr(rest, '/');

	if (slash == NULL) {
		*op = rest;
		label[0] = '\0';
		return true;
	}
	if ((size_t)(slash - rest) >= label_len || strchr(slash + 1, '/') != NULL ||
	    slash == rest)
		return false;
	memcpy(label, rest, (size_t)(slash - rest));
	label[slash - rest] = '\0';
	*op = slash + 1;
	return true;
}

/*
 * Method sets of a route row. GET includes HEAD (RFC 9110 §9.3.2); a row
 * whose methods are SERVE_ANY leaves the method to its handler (the API
 * answers its own 405 only after authentication).
 */
#define SERVE_ANY 0u
#define SERVE_GET (1u << 0)
#define SERVE_POST (1u << 1)

/* A handler of the route table: rest is the path after the row's path. */
typedef void (*serve_route_cb)(struct daemon *d, struct http_request *req,
    const char *rest);

/*
 * One route: who may reach it and who answers. Rows are tried in order;
 * the first whose path matches (exactly, or as a prefix when prefix is
 * set) answers. https_only rows are refused on the plain-HTTP listener,
 * and so is every row that is not anonymous: credentials never cross
 * plain HTTP. anonymous says the route answers without credentials; the
 * others authenticate through their job (job.c).
 */
struct serve_route {
	unsigned methods;		/* SERVE_GET | SERVE_POST, or SERVE_ANY */
	const char *path;
	bool prefix;			/* path is a prefix, rest follows it */
	bool https_only;
	bool anonymous;
	serve_route_cb handler;
};

/* One EST operation (RFC 7030 §3.2.2): its method and who answers it. */
struct serve_est_op {
	const char *op;
	unsigned methods;
	const char *media;		/* required request Content-Type, or NULL */
	enum enroll_op enroll;		/* for est_enroll; ENROLL_OP_COUNT: none */
	void (*handler)(struct daemon *d, struct http_request *req,
	    const char *label);		/* when enroll is ENROLL_OP_COUNT */
};

/* GET /.well-known/est/[label/]cacerts: the label changes nothing. */
static void
est_op_cacerts(struct daemon *d, struct http_request *req, const char *label)
{
	(void)label;
	serve_cacerts(d, req);
}

/*
 * The EST operations, one per line. cacerts and csrattrs answer GET
 * (csrattrs authenticates when [est] csrattrs-auth says so); enrollment
 * is a POST of a base64 PKCS#10 (RFC 7030 §4.2.1, §4.4.1).
 */
static const struct serve_est_op serve_est_ops[] = {
	{ "cacerts", SERVE_GET, NULL, ENROLL_OP_COUNT, est_op_cacerts },
	{ "csrattrs", SERVE_GET, NULL, ENROLL_OP_COUNT, est_csrattrs },
	{ "simpleenroll", SERVE_POST, "application/pkcs10", ENROLL_SIMPLE, NULL },
	{ "simplereenroll", SERVE_POST, "application/pkcs10", ENROLL_RENEW, NULL },
	{ "serverkeygen", SERVE_POST, "application/pkcs10", ENROLL_KEYGEN, NULL },
};

/* Whether req's method is in the set methods. */
static bool
serve_method_in(const struct http_request *req, unsigned methods)
{
	if (methods == SERVE_ANY)
		return true;
	if ((methods & SERVE_GET) && (strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0))
		return true;
	return (methods & SERVE_POST) && strcmp(req->method, "POST") == 0;
}

/* The Allow header value of a method set (405, RFC 9110 §15.5.6). */
static const char *
serve_allow(unsigned methods)
{
	if ((methods & SERVE_GET) && (methods & SERVE_POST))
		return "GET, POST";
	return (methods & SERVE_POST) ? "POST" : "GET";
}

/* /.well-known/est/...: RFC 7030 §3.2.2 operation paths, by the table. */
static void
route_est(struct daemon *d, struct http_request *req, const char *rest)
{
	const struct serve_est_op *o = NULL;
	char label[EST_LABEL_MAX];
	const char *op, *lab;

	if (!est_split(rest, label, sizeof(label), &op)) {
		reply_fail(req, CA_ENOTFOUND, "EST: expected /.well-known/est/[<template>/]<operation>", NULL);
		return;
	}
	lab = label[0] != '\0' ? label : NULL;
	for (size_t i = 0; i < sizeof(serve_est_ops) / sizeof(serve_est_ops[0]); i++)
		if (strcmp(op, serve_est_ops[i].op) == 0)
			o = &serve_est_ops[i];
	if (o == NULL)
		reply_fail(req, CA_ENOTFOUND, "EST: unknown operation (cacerts, csrattrs, simpleenroll, simplereenroll, serverkeygen)", NULL);
	else if (!serve_method_in(req, o->methods))
		reply_fail(req, CA_EMETHOD, o->methods == SERVE_GET ?
		    "cacerts and csrattrs: use GET" : "EST enrollment: use POST",
		    serve_allow(o->methods));
	else if (o->media != NULL && !http_media_type_is(http_request_header(req,
	    "Content-Type"), o->media))
		reply_fail(req, CA_EMEDIA, "EST enrollment: Content-Type must be application/pkcs10", NULL);
	else if (o->enroll != ENROLL_OP_COUNT)
		est_enroll(d, req, o->enroll, lab);
	else
		o->handler(d, req, lab);
}

/* /api/v1/...: the management API checks its own methods and bodies. */
static void
route_api(struct daemon *d, struct http_request *req, const char *rest)
{
	api_route(d, req, rest);
}

/* GET /health. */
static void
route_health(struct daemon *d, struct http_request *req, const char *rest)
{
	(void)rest;
	serve_health(d, req);
}

/* GET /metrics ([http] metrics = yes, else 404). */
static void
route_metrics(struct daemon *d, struct http_request *req, const char *rest)
{
	(void)rest;
	metrics_serve(d, req);
}

/* GET /crl/<ca>.crl and /crl/<ca>+.crl. */
static void
route_crl(struct daemon *d, struct http_request *req, const char *rest)
{
	serve_crl(d, req, rest);
}

/* GET /aia/<ca>.crt: the CA certificate (DER), for AIA caIssuers. */
static void
route_aia(struct daemon *d, struct http_request *req, const char *rest)
{
	size_t n = strlen(d->cfg->name);

	if (strncmp(rest, d->cfg->name, n) == 0)
		serve_aia(d, req, rest + n);
	else
		reply_fail(req, CA_ENOTFOUND, "not found", NULL);
}

/* /ocsp and /ocsp/<base64>: the OCSP responder (RFC 6960 appendix A). */
static void
route_ocsp(struct daemon *d, struct http_request *req, const char *rest)
{
	(void)rest;
	ocsp_serve(d, req);
}

/* Nothing here: 405 for a method no public route takes, else 404. */
static void
route_none(struct daemon *d, struct http_request *req, const char *rest)
{
	(void)d;
	(void)rest;
	if (!serve_method_in(req, SERVE_GET))
		reply_fail(req, CA_EMETHOD, "use GET", "GET");
	else
		reply_fail(req, CA_ENOTFOUND, "not found", NULL);
}

/* SCEP (RFC 8894): anonymous, both listeners (NDES is plain http). */
static void
route_scep(struct daemon *d, struct http_request *req, const char *rest)
{
	(void)rest;
	if (scep_path(req->path))
		scep_route(d, req);
	else
		reply_fail(req, CA_ENOTFOUND, "not found", NULL);
}

/* POST /api/v1/scep/challenges: the officers' one-time SCEP challenges. */
static void
route_scep_challenges(struct daemon *d, struct http_request *req, const char *rest)
{
	(void)rest;
	scep_challenge_route(d, req);
}

/*
 * The route table, one row per line; new protocols append theirs
 * (OCSP, SCEP, ...). Columns: methods, path, prefix, https_only,
 * anonymous, handler. "/api/" after "/api/v1/" keeps other API versions
 * off plain HTTP and answers them as unknown.
 */
static const struct serve_route serve_routes[] = {
	{ SERVE_ANY, EST_PREFIX, true, true, false, route_est },
	{ SERVE_ANY, "/api/v1/scep/challenges", false, true, false, route_scep_challenges },
	{ SERVE_ANY, "/api/v1/", true, true, false, route_api },
	{ SERVE_ANY, "/api/", true, true, false, route_none },
	{ SERVE_GET, "/health", false, false, true, route_health },
	{ SERVE_GET, "/metrics", false, false, true, route_metrics },
	{ SERVE_GET, "/crl/", true, false, true, route_crl },
	{ SERVE_GET, "/aia/", true, false, true, route_aia },
	{ SERVE_GET | SERVE_POST, "/ocsp", true, false, true, route_ocsp },
	{ SERVE_ANY, SCEP_PREFIX, true, false, true, route_scep },
	{ SERVE_ANY, SCEP_NDES_PATH, true, false, true, route_scep },
};

/* The first row whose path matches p; NULL when none does. */
static const struct serve_route *
serve_route_find(const char *p)
{
	for (size_t i = 0; i < sizeof(serve_routes) / sizeof(serve_routes[0]); i++) {
		const struct serve_route *r = &serve_routes[i];

		if (r->prefix ? strncmp(p, r->path, strlen(r->path)) == 0 :
		    strcmp(p, r->path) == 0)
			return r;
	}
	return NULL;
}

/* Route req by the table; plain: the listener carries no credentials. */
static void
serve_route(struct daemon *d, struct http_request *req, bool plain)
{
	const struct serve_route *r = serve_route_find(req->path);
	char use[32];

	if (r == NULL)
		route_none(d, req, "");
	else if (plain && (r->https_only || !r->anonymous))
		/* Credentials never cross plain HTTP: EST and the API are HTTPS only. */
		reply_fail(req, CA_EDENIED, "EST and the management API are served over HTTPS only", NULL);
	else if (!serve_method_in(req, r->methods)) {
		snprintf(use, sizeof(use), "use %s", serve_allow(r->methods));
		reply_fail(req, CA_EMETHOD, use, serve_allow(r->methods));
	} else
		r->handler(d, req, req->path + strlen(r->path));
}

/* HTTPS: every route of the table. */
void
daemon_handle(struct http_request *req, void *arg)
{
	serve_route(arg, req, false);
}

/* Plain HTTP: the anonymous routes that are not HTTPS only. */
void
daemon_handle_plain(struct http_request *req, void *arg)
{
	serve_route(arg, req, true);
}

/* The tool's way in: the same API code paths, without HTTP. */
int
daemon_handle_local(struct daemon *d, const char *who, const char *rest,
    const char *json_body, char **out)
{
	return api_local(d, who, rest, json_body, out);
}

/* Any API call for the tool on the CA host; see daemon.h. */
int
daemon_handle_local_call(struct daemon *d, const char *who, const char *method,
    const char *path, const char *accept, const char *json_body, char **out,
    size_t *out_len)
{
	return api_local_call(d, who, method, path, accept, json_body, out,
	    out_len);
}

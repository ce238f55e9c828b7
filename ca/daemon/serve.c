/*
 * The router and what the loop answers from memory: /health, the EST
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
#include "ca/est/est.h"
#include "ca/daemon/crl_daemon.h"
#include "ca/daemon/health.h"
#include "ca/http/http.h"
#include "ca/http/http_util.h"
#include "ca/identity/identity.h"
#include "common/log.h"
#include "ca/daemon/metrics.h"
#include "ca/issue/pkcs7.h"
#include "ca/daemon/templates_load.h"
#include "ca/daemon/workers.h"
#include "ca/scep/scep.h"

#define EST_PREFIX "/.well-known/est/"
#define EST_LABEL_MAX 128

/* Plain-text answer with a reason, straight from the loop. */
static void
reply_text(struct http_request *req, int status, const char *text,
    const char *allow)
{
	struct http_header h[2] = {
		{ "Content-Type", "text/plain; charset=utf-8" },
		{ "Allow", allow },
	};
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s\n", text);

	/* Every refusal is logged with the peer, like those of jobs. */
	if (status >= 400) {
		log_info("- %s %s from %s: %d %s (request %s, %.1f ms)",
		    req->method, req->path, req->peer, status, text,
		    req->request_id,
		    (double)(http_monotonic_ns() - req->started_ns) / 1e6);
		req->logged = true;
	}
	http_respond(req, status, h, allow != NULL ? 2 : 1, buf,
	    n > 0 && (size_t)n < sizeof(buf) ? (size_t)n : 0);
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
		reply_text(req, 500, "out of memory", NULL);
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
	size_t n = strlen(d->cfg->name);
	const struct crlpub_result *r = NULL;

	if (strncmp(file, d->cfg->name, n) == 0) {
		if (strcmp(file + n, ".crl") == 0)
			r = &d->crl_full;
		else if (strcmp(file + n, "+.crl") == 0 || strcmp(file + n, "%2B.crl") == 0)
			r = &d->crl_delta;
	}
	if (r == NULL) {
		reply_text(req, 404, "no such CRL", NULL);
		return;
	}
	if (r->der == NULL) {
		reply_text(req, 503, "no CRL has been published yet", NULL);
		return;
	}
	reply_bytes(req, "application/pkix-crl", NULL, r->der, r->der_len);
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

/* /.well-known/est/...: RFC 7030 §3.2.2 operation paths. */
static void
route_est(struct daemon *d, struct http_request *req, const char *rest)
{
	char label[EST_LABEL_MAX];
	const char *op, *lab;
	bool get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
	bool post = strcmp(req->method, "POST") == 0;

	if (!est_split(rest, label, sizeof(label), &op)) {
		reply_text(req, 404, "EST: expected /.well-known/est/[<template>/]<operation>", NULL);
		return;
	}
	lab = label[0] != '\0' ? label : NULL;
	if (strcmp(op, "cacerts") == 0 || strcmp(op, "csrattrs") == 0) {
		if (!get)
			reply_text(req, 405, "cacerts and csrattrs: use GET", "GET");
		else if (op[1] == 'a')
			serve_cacerts(d, req);
		else
			est_csrattrs(d, req, lab);
	} else if (strcmp(op, "simpleenroll") == 0 || strcmp(op, "simplereenroll") == 0 ||
	    strcmp(op, "serverkeygen") == 0) {
		if (!post)
			reply_text(req, 405, "EST enrollment: use POST", "POST");
		else if (!http_media_type_is(http_request_header(req, "Content-Type"),
		    "application/pkcs10"))
			/* RFC 7030 §4.2.1, §4.4.1: the body is a base64 PKCS#10. */
			reply_text(req, 415, "EST enrollment: Content-Type must be application/pkcs10", NULL);
		else
			est_enroll(d, req, op[6] == 'r' ? ENROLL_RENEW :
			    op[6] == 'k' ? ENROLL_KEYGEN : ENROLL_SIMPLE, lab);
	} else {
		reply_text(req, 404, "EST: unknown operation (cacerts, csrattrs, simpleenroll, simplereenroll, serverkeygen)", NULL);
	}
}

/* What both listeners serve: public, signed bytes and health. */
static void
route_public(struct daemon *d, struct http_request *req)
{
	const char *p = req->path;
	size_t n = strlen(d->cfg->name);
	bool get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;

	if (!get)
		reply_text(req, 405, "use GET", "GET");
	else if (strcmp(p, "/health") == 0)
		serve_health(d, req);
	else if (strcmp(p, "/metrics") == 0)
		metrics_serve(d, req);
	else if (strncmp(p, "/crl/", 5) == 0)
		serve_crl(d, req, p + 5);
	else if (strncmp(p, "/aia/", 5) == 0 && strncmp(p + 5, d->cfg->name, n) == 0 &&
	    strcmp(p + 5 + n, ".crt") == 0)
		reply_bytes(req, "application/pkix-cert", NULL,
		    d->id->cert_der.data, d->id->cert_der.size);
	else
		reply_text(req, 404, "not found", NULL);
}

/* HTTPS: EST, the management API, then public content. */
void
daemon_handle(struct http_request *req, void *arg)
{
	struct daemon *d = arg;
	const char *p = req->path;

	if (strncmp(p, EST_PREFIX, strlen(EST_PREFIX)) == 0)
		route_est(d, req, p + strlen(EST_PREFIX));
	else if (scep_path(p))
		scep_route(d, req);	/* SCEP (RFC 8894) */
	else if (strcmp(p, "/api/v1/scep/challenges") == 0)
		scep_challenge_route(d, req);
	else if (strncmp(p, "/api/v1/", 8) == 0)
		api_route(d, req, p + 8);
	else
		route_public(d, req);
}

/* Plain HTTP: public content only, never credentials. */
void
daemon_handle_plain(struct http_request *req, void *arg)
{
	struct daemon *d = arg;

	/* Credentials never cross plain HTTP: EST and the API are HTTPS only. */
	if (strncmp(req->path, EST_PREFIX, strlen(EST_PREFIX)) == 0 ||
	    strncmp(req->path, "/api/", 5) == 0)
		reply_text(req, 403, "EST and the management API are served over HTTPS only", NULL);
	else if (scep_path(req->path))
		scep_route(d, req);	/* SCEP protects its messages itself (NDES is http) */
	else
		route_public(d, req);
}

/*
 * SCEP (RFC 8894) for entca: the loop side. The loop answers GetCACaps and
 * GetCACert from memory (the RA state made at start, scep_ra.h) and turns
 * PKIOperation, by POST or by GET with ?message=, into a job whose work
 * runs on a worker (scep_op.c). Loop thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "common/base64.h"
#include "common/error.h"
#include "ca/daemon/daemon.h"
#include "ca/daemon/job.h"
#include "ca/daemon/job_error.h"
#include "ca/daemon/templates_load.h"
#include "ca/http/http.h"
#include "ca/http/http_util.h"
#include "ca/scep/scep.h"
#include "ca/scep/scep_int.h"
#include "ca/scep/scep_ra.h"

#define SCEP_OPERATION_MAX 32
#define SCEP_LABEL_MAX TMPL_NAME_MAX
#define SCEP_GET_MESSAGE_MAX (64 * 1024)	/* base64 of a GET PKIOperation */

/* Is path one of SCEP's? */
bool
scep_path(const char *path)
{
	return strncmp(path, SCEP_PREFIX, strlen(SCEP_PREFIX)) == 0 ||
	    strcmp(path, SCEP_NDES_PATH) == 0 ||
	    strcmp(path, SCEP_NDES_PATH "/pkiclient.exe") == 0;
}

/* Loop: a refusal from the one error table (job_error.h), logged. */
static void
scep_refuse_loop(struct http_request *req, enum ca_error err, const char *text,
    const char *allow)
{
	job_error_respond(req, err, allow, text);
}

/* Loop: the template a path names (label or the NDES default), or NULL. */
static const char *
scep_label(struct daemon *d, const char *path, char *buf, size_t len)
{
	const char *rest, *slash;

	if (strncmp(path, SCEP_PREFIX, strlen(SCEP_PREFIX)) != 0)
		return d->cfg->scep_default_template[0] ? d->cfg->scep_default_template :
		    d->cfg->default_template;
	rest = path + strlen(SCEP_PREFIX);
	slash = strchr(rest, '/');
	/* /scep/<label> and /scep/<label>/pkiclient.exe (§4.1). */
	if (slash != NULL && strcmp(slash, "/pkiclient.exe") != 0)
		return NULL;
	if (slash == NULL)
		slash = rest + strlen(rest);
	if (slash == rest || (size_t)(slash - rest) >= len)
		return NULL;
	memcpy(buf, rest, (size_t)(slash - rest));
	buf[slash - rest] = '\0';
	return buf;
}

/* Loop: GetCACaps (§3.5.2): what this server implements. */
static void
scep_caps(struct daemon *d, struct http_request *req)
{
	struct http_header h = { "Content-Type", "text/plain" };
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "POSTPKIOperation\nSHA-256\nSHA-512\n"
	    "AES\nSCEPStandard\nRenewal\n%s", d->cfg->scep_allow_3des ? "DES3\n" : "");

	http_respond(req, 200, &h, 1, buf, (size_t)n);
}

/* Loop: GetCACert (§4.2): CA chain and RA certificate, certs-only PKCS#7. */
static void
scep_cacert(struct daemon *d, struct http_request *req)
{
	struct http_header h = { "Content-Type", "application/x-x509-ca-ra-cert" };

	http_respond(req, 200, &h, 1, d->scep->cacert_p7, d->scep->cacert_p7_len);
}

/* Loop: start a PKIOperation job with the message in its body. */
static void
scep_operation(struct daemon *d, struct http_request *req, const char *tmpl_name,
    bool get)
{
	struct job *j;
	struct scep_job *s = job_new_ctx(d, req, sizeof(*s), scep_job_free, &j);
	const struct template *t;

	if (s == NULL)
		return;
	/* SCEP messages carry their own protection; transport logins are not used. */
	j->anonymous_ok = true;
	j->have_basic = j->bad_basic = false;
	gnutls_memset(j->password, 0, sizeof(j->password));
	j->user[0] = '\0';
	free(j->client_cert);
	j->client_cert = NULL;
	j->client_cert_len = 0;
	t = templates_find(j->tset, tmpl_name);
	if (t == NULL || !config_issues_template(d->cfg, tmpl_name)) {
		job_fail(j, CA_ENOTFOUND, "SCEP: template %s is not issued by this CA", tmpl_name);
		job_finish(j);
		return;
	}
	s->e.tmpl = t;
	s->e.op = ENROLL_SIMPLE;
	snprintf(s->e.template_name, sizeof(s->e.template_name), "%s", t->name);
	snprintf(s->label, sizeof(s->label), "%s", t->name);
	snprintf(j->log_template, sizeof(j->log_template), "%s", t->name);
	if (get) {
		char *b64 = malloc(SCEP_GET_MESSAGE_MAX);
		unsigned char *der = NULL;
		size_t derlen = 0;
		char why[CA_WHY_MAX];
		int rc = b64 == NULL ? CA_ENOMEM :
		    http_query_get(req->query, "message", b64, SCEP_GET_MESSAGE_MAX);

		if (rc == CA_OK) {
			/* '+' left unescaped by a client decodes as a space. */
			for (char *p = b64; *p != '\0'; p++)
				if (*p == ' ')
					*p = '+';
			rc = base64_decode(b64, strlen(b64), &der, &derlen, why, sizeof(why));
		}
		free(b64);
		if (rc != CA_OK) {
			job_fail(j, CA_EPARSE, "SCEP: GET PKIOperation: message must be a "
			    "base64 pkiMessage (RFC 8894 §4.3)");
			job_finish(j);
			return;
		}
		free(j->body);
		j->body = der;
		j->body_len = derlen;
	}
	job_start(j, scep_work);
}

/* Loop: route one SCEP request. */
void
scep_route(struct daemon *d, struct http_request *req)
{
	char op[SCEP_OPERATION_MAX], label[SCEP_LABEL_MAX];
	const char *tmpl;
	bool get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
	bool post = strcmp(req->method, "POST") == 0;

	if (d->scep == NULL) {
		scep_refuse_loop(req, CA_ENOTFOUND, "SCEP is not enabled on this CA", NULL);
		return;
	}
	tmpl = scep_label(d, req->path, label, sizeof(label));
	if (tmpl == NULL || *tmpl == '\0') {
		scep_refuse_loop(req, CA_ENOTFOUND, "SCEP: expected /scep/<template>"
		    "[/pkiclient.exe] or " SCEP_NDES_PATH " with a default template", NULL);
		return;
	}
	if (req->query == NULL || http_query_get(req->query, "operation", op,
	    sizeof(op)) != CA_OK) {
		scep_refuse_loop(req, CA_EPARSE, "SCEP: the query must name an operation "
		    "(?operation=GetCACaps, GetCACert or PKIOperation)", NULL);
		return;
	}
	if (strcmp(op, "GetCACaps") == 0 && get)
		scep_caps(d, req);
	else if (strcmp(op, "GetCACert") == 0 && get)
		scep_cacert(d, req);
	else if (strcmp(op, "PKIOperation") == 0 && (get || post))
		scep_operation(d, req, tmpl, get);
	else if (strcmp(op, "GetCACaps") == 0 || strcmp(op, "GetCACert") == 0 ||
	    strcmp(op, "PKIOperation") == 0)
		scep_refuse_loop(req, CA_EMETHOD, "SCEP: GetCACaps and GetCACert take GET; "
		    "PKIOperation takes GET or POST", strcmp(op, "PKIOperation") == 0 ?
		    "GET, POST" : "GET");
	else
		scep_refuse_loop(req, CA_EPARSE, "SCEP: unknown operation (GetCACaps, "
		    "GetCACert, PKIOperation)", NULL);
}

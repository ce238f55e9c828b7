/*
 * Read-only views of the management API (GET, JSON): pending and past
 * requests and one certificate for officers and auditors, the audit log for
 * auditors (the CA "auditor" right, README: Security model). Authenticated like
 * every call; the LMDB read runs on a worker in its own read transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/error.h"
#include "common/hex.h"
#include "ca/api/api.h"
#include "ca/daemon/daemon.h"
#include "ca/http/http.h"
#include "ca/http/http_util.h"
#include "ca/daemon/job.h"
#include "common/log.h"
#include "ca/issue/revoke.h"
#include "ca/store/store.h"
#include "crl/reason.h"
#include "policy/rights.h"

#define API_LIST_MAX 1000	/* rows one GET returns */

/* What one read carries from the loop to the worker. */
struct api_read {
	enum { READ_REQUESTS, READ_CERT, READ_AUDIT } what;
	int status;			/* requests: STORE_REQ_*, or -1 for all */
	size_t last;			/* audit: how many events */
	unsigned char serial[STORE_SERIAL_MAX];
	size_t serial_len;
	json_t *list;
};

/* Free the call state. */
static void
api_read_free(void *arg)
{
	struct api_read *a = arg;

	if (a != NULL)
		json_decref(a->list);
	free(a);
}

/* One request record as JSON (the CSR stays out). */
static int
add_request(const struct store_request *r, void *arg)
{
	struct api_read *a = arg;
	char serial[2 * STORE_SERIAL_MAX + 1];

	if (json_array_size(a->list) >= API_LIST_MAX)
		return 1;
	hex_encode(r->serial, r->serial_len, serial);
	json_array_append_new(a->list, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:s}",
	    "id", (json_int_t)r->id, "status", store_req_status_name(r->status),
	    "requester", r->requester, "template", r->template_name,
	    "target", r->target, "subject_sid", r->subject_sid,
	    "submitted_at", (json_int_t)r->submitted_at,
	    "updated_at", (json_int_t)r->updated_at, "reason", r->reason,
	    "serial", serial));
	return 0;
}

/* One audit event, parsed back into the list with its sequence number. */
static int
add_event(uint64_t seq, const char *text, size_t len, void *arg)
{
	struct api_read *a = arg;
	json_t *ev = json_loadb(text, len, 0, NULL);

	if (ev == NULL)
		return 0;
	json_object_set_new(ev, "seq", json_integer((json_int_t)seq));
	json_array_append_new(a->list, ev);
	return 0;
}

/* The certificate record as JSON. */
static json_t *
cert_json(const struct store_cert *c, const char *serial)
{
	const char *status = revoke_status_name(c);
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I}",
	    "serial", serial, "status", status, "template", c->template_name,
	    "requester", c->requester, "subject", c->subject_dn,
	    "subject_sid", c->subject_sid, "subject_upn", c->subject_upn,
	    "subject_dns", c->subject_dns, "not_before", (json_int_t)c->not_before,
	    "not_after", (json_int_t)c->not_after, "request", (json_int_t)c->request_id);

	if (c->status != STORE_CERT_VALID) {
		json_object_set_new(o, "revoked_at", json_integer(c->revoked_at));
		json_object_set_new(o, "reason", json_string(crl_reason_name(c->reason) ?
		    crl_reason_name(c->reason) : "unspecified"));
		if (c->invalidity_date != 0)
			json_object_set_new(o, "invalidity_date", json_integer(c->invalidity_date));
	}
	return o;
}

/* Worker: rights, then one read transaction. */
static void
api_read_work(struct job *j)
{
	struct api_read *a = j->ctx;
	struct store_txn *t = NULL;
	struct store_cert c;
	char why[CA_WHY_MAX], hex[2 * STORE_SERIAL_MAX + 1];
	bool audit = a->what == READ_AUDIT;
	int rc;

	if (!job_has_ca_right(j, CA_RIGHT_AUDITOR) &&
	    (audit || !job_has_ca_right(j, CA_RIGHT_OFFICER))) {
		job_fail(j, CA_EDENIED, "%s: the CA %s right is required", audit ? "audit" : "read",
		    audit ? "auditor" : "officer or auditor");
		return;
	}
	rc = store_read_begin(j->gen->store, &t, why, sizeof(why));
	if (rc != CA_OK) {
		job_fail(j, CA_EUNAVAIL, "store: %s", why);
		return;
	}
	a->list = json_array();
	memset(&c, 0, sizeof(c));
	switch (a->what) {
	case READ_REQUESTS:
		rc = store_iter_requests(t, 0, a->status, add_request, a);
		job_json(j, 200, json_pack("{s:O}", "requests", a->list));
		break;
	case READ_AUDIT:
		rc = store_iter_audit_last(t, a->last, add_event, a);
		job_json(j, 200, json_pack("{s:O}", "events", a->list));
		break;
	case READ_CERT:
		hex_encode(a->serial, a->serial_len, hex);
		rc = store_get_cert(t, a->serial, a->serial_len, &c);
		if (rc == CA_OK)
			job_json(j, 200, cert_json(&c, hex));
		else if (rc == CA_ENOTFOUND)
			job_fail(j, CA_ENOTFOUND, "certificate %s: not issued by this CA", hex);
		else {
			/* The store's sentence names its path: the log keeps it. */
			log_error("certificate %s: %s", hex, store_txn_why(t));
			job_fail(j, CA_EDB, "certificate %s: %s", hex, ca_strerror(rc));
		}
		rc = CA_OK;
		break;
	}
	store_cert_clear(&c);
	store_read_end(t);
	if (rc < 0)
		job_fail(j, CA_EDB, "store: %s", ca_strerror(rc));
}

void
api_read_route(struct job *j, const char *rest, const char *query)
{
	struct api_read *a = calloc(1, sizeof(*a));
	char value[64], why[CA_WHY_MAX], serial[128];
	int n = 0;

	if (a == NULL) {
		job_fail(j, CA_ENOMEM, "out of memory");
		job_finish(j);
		return;
	}
	j->ctx = a;
	j->ctx_free = api_read_free;
	a->status = STORE_REQ_PENDING;
	a->last = 100;
	if (strcmp(rest, "requests") == 0) {
		a->what = READ_REQUESTS;
		if (query != NULL && http_query_get(query, "status", value, sizeof(value)) == CA_OK) {
			a->status = -2;
			for (int s = 0; s < STORE_REQ_COUNT; s++)
				if (strcmp(value, store_req_status_name(s)) == 0)
					a->status = s;
			if (strcmp(value, "all") == 0)
				a->status = -1;
			if (a->status == -2) {
				job_fail(j, CA_EPARSE, "status: expected pending, issued, denied, failed or all");
				goto refuse;
			}
		}
	} else if (strcmp(rest, "audit") == 0) {
		a->what = READ_AUDIT;
		if (query != NULL && http_query_get(query, "last", value, sizeof(value)) == CA_OK) {
			a->last = strtoul(value, NULL, 10);
			if (a->last == 0 || a->last > API_LIST_MAX) {
				job_fail(j, CA_EPARSE, "last: expected 1..%d", API_LIST_MAX);
				goto refuse;
			}
		}
	} else if (sscanf(rest, "certificates/%127[^/]%n", serial, &n) == 1 && rest[n] == '\0') {
		a->what = READ_CERT;
		if (revoke_serial_parse(serial, a->serial, &a->serial_len, why, sizeof(why)) != CA_OK) {
			job_fail(j, CA_EPARSE, "%s", why);
			goto refuse;
		}
	} else {
		job_fail(j, CA_ENOTFOUND, "unknown API path /api/v1/%s (GET: requests, certificates/<serial>, audit)", rest);
		goto refuse;
	}
	job_start(j, api_read_work);
	return;
refuse:
	/* Bad queries and paths are told only to callers who logged in. */
	job_refuse_after_auth(j);
}

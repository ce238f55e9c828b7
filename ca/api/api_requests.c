/*
 * GET /api/v1/requests (filters: status, template, requester, submitted
 * after/before; newest first with cursor paging) and GET
 * /api/v1/requests/<id> (the record with its decision reasons: the audit
 * events that name it). Officer or auditor. Setup on the loop, reads on a
 * worker in one read transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ca/api/api_int.h"
#include "ca/daemon/daemon.h"
#include "ca/store/store.h"
#include "common/clock.h"
#include "common/hex.h"
#include "common/log.h"
#include "policy/rights.h"

#define REQ_READ_RIGHTS (CA_RIGHT_OFFICER | CA_RIGHT_AUDITOR)
/* Audit events older than the submission by more than this end the walk
 * for a request's decisions (clock steps between hosts). */
#define REQ_HISTORY_SLACK 300

/* A request search or one request. */
struct req_query {
	int status;			/* STORE_REQ_*, or -1: all */
	char template_name[STORE_TEMPLATE_NAME_MAX];
	char requester[STORE_NAME_MAX];
	struct api_page page;		/* list */
	uint64_t id;			/* show */
	int64_t since;			/* show: submission time */
	char id_text[24];
	json_t *list;
};

/* Free a query. */
static void
req_query_free(void *arg)
{
	struct req_query *q = arg;

	if (q != NULL)
		json_decref(q->list);
	free(q);
}

/* A search or one request: what the routes' setups fill. */
const struct api_ctx api_requests_ctx = { sizeof(struct req_query),
    req_query_free };

/* A request record as JSON (the CSR stays out). */
static json_t *
req_json(const struct store_request *r)
{
	char serial[2 * STORE_SERIAL_MAX + 1];

	hex_encode(r->serial, r->serial_len, serial);
	return json_pack("{s:I,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s}",
	    "id", (json_int_t)r->id, "status", store_req_status_name(r->status),
	    "requester", api_str(r->requester), "template", api_str(r->template_name),
	    "target", api_str(r->target), "subject_sid", api_str(r->subject_sid),
	    "submitted_at", api_time(r->submitted_at),
	    "updated_at", api_time(r->updated_at), "reason", api_str(r->reason),
	    "serial", serial);
}

/* Keep a request that passes the filters; stop after limit + 1. */
static int
req_keep(const struct store_request *r, void *arg)
{
	struct req_query *q = arg;

	if (q->template_name[0] && strcasecmp(q->template_name, r->template_name))
		return 0;
	if (q->requester[0] && strcasecmp(q->requester, r->requester))
		return 0;
	if (r->submitted_at < q->page.after || r->submitted_at >= q->page.before)
		return 0;
	return api_page_keep(&q->page, q->list, r->id, req_json(r));
}

/* Worker: GET /api/v1/requests. */
static void
req_list_work(struct job *j)
{
	struct req_query *q = j->ctx;
	struct store_txn *t = NULL;
	char why[CA_WHY_MAX];
	int rc;

	if (!api_require(j, REQ_READ_RIGHTS, "requests"))
		return;
	q->list = json_array();
	rc = store_read_begin(j->gen->store, &t, why, sizeof(why));
	if (rc == CA_OK)
		rc = store_iter_requests_desc(t, q->page.below, q->status,
		    req_keep, q);
	if (rc < 0)
		api_read_fail(j, "the request database", t, why, rc);
	else
		api_page_reply(j, &q->page, "requests", q->list);
	store_read_end(t);
}

/* One audit event about the request, newest first; ends past its start. */
static int
req_event(uint64_t seq, const char *text, size_t len, void *arg)
{
	struct req_query *q = arg;
	json_t *ev = json_loadb(text, len, 0, NULL);
	json_t *tm = json_object_get(ev, "time");
	json_t *rq = json_object_get(ev, "request");

	if (json_is_integer(tm) && json_integer_value(tm) < q->since - REQ_HISTORY_SLACK) {
		json_decref(ev);
		return 1;
	}
	if (json_is_string(rq) && strcmp(json_string_value(rq), q->id_text) == 0) {
		json_object_set_new(ev, "seq", json_integer((json_int_t)seq));
		if (json_is_integer(tm))
			json_object_set_new(ev, "time", api_time(json_integer_value(tm)));
		json_array_insert_new(q->list, 0, ev);
		return 0;
	}
	json_decref(ev);
	return 0;
}

/* Worker: GET /api/v1/requests/<id>. */
static void
req_show_work(struct job *j)
{
	struct req_query *q = j->ctx;
	struct store_request r;
	struct store_txn *t = NULL;
	char why[CA_WHY_MAX], what[40];
	json_t *o;
	int rc;

	if (!api_require(j, REQ_READ_RIGHTS, "requests"))
		return;
	memset(&r, 0, sizeof(r));
	rc = store_read_begin(j->gen->store, &t, why, sizeof(why));
	if (rc == CA_OK)
		rc = store_get_request(t, q->id, &r);
	if (rc == CA_ENOTFOUND) {
		job_fail(j, CA_ENOTFOUND, "request %llu: no such request",
		    (unsigned long long)q->id);
		goto out;
	}
	if (rc == CA_OK) {
		q->list = json_array();
		q->since = r.submitted_at;
		rc = store_iter_audit_desc(t, UINT64_MAX, req_event, q);
	}
	if (rc < 0) {
		snprintf(what, sizeof(what), "request %s", q->id_text);
		api_read_fail(j, what, t, why, rc);
		goto out;
	}
	o = req_json(&r);
	json_object_set(o, "decisions", q->list);
	job_json(j, 200, o);
out:
	store_request_clear(&r);
	store_read_end(t);
}

/* Loop: the filters of GET /api/v1/requests. */
job_work_cb
api_requests_list_setup(struct job *j, const struct api_args *a)
{
	struct req_query *q = j->ctx;
	char v[API_PARAM_MAX];
	bool bad = false;

	/* Pending by default: what an officer acts on (as before paging). */
	q->status = STORE_REQ_PENDING;
	if (api_query_str(j, a->query, "status", v, sizeof(v), &bad)) {
		q->status = -2;
		for (int s = 0; s < STORE_REQ_COUNT; s++)
			if (strcmp(v, store_req_status_name(s)) == 0)
				q->status = s;
		if (strcmp(v, "all") == 0)
			q->status = -1;
		if (q->status == -2) {
			job_fail(j, CA_EPARSE, "status: expected "
			    "pending, issued, denied, failed or all");
			return NULL;
		}
	}
	if (bad ||
	    !api_query_filter(j, a->query, "template", q->template_name,
	    sizeof(q->template_name)) ||
	    !api_query_filter(j, a->query, "requester", q->requester,
	    sizeof(q->requester)) ||
	    !api_query_page(j, a->query, &q->page))
		return NULL;
	return req_list_work;
}

/* Loop: GET /api/v1/requests/<id>. */
job_work_cb
api_requests_show_setup(struct job *j, const struct api_args *a)
{
	struct req_query *q = j->ctx;

	if (api_number_parse(a->seg[0], UINT64_MAX, &q->id) != CA_OK) {
		job_fail(j, CA_EPARSE, "request id: expected a "
		    "number from 1");
		return NULL;
	}
	snprintf(q->id_text, sizeof(q->id_text), "%llu", (unsigned long long)q->id);
	return req_show_work;
}

/*
 * GET /api/v1/audit: the audit log, newest first, filtered by time
 * (after/before), principal (who), action and outcome (the decision), with
 * cursor paging (limit, next); last=N keeps its old meaning (the N newest
 * events, oldest first). The auditor right only. Setup on the loop, the
 * walk on a worker in one read transaction. The log has no index but its
 * order: a filter that matches little reads back until a page is full.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ca/api/api_int.h"
#include "ca/daemon/daemon.h"
#include "ca/store/store.h"
#include "common/log.h"
#include "policy/rights.h"

/* One audit search. */
struct audit_query {
	struct api_page page;
	char who[STORE_NAME_MAX];
	char action[64], outcome[64];
	size_t last;			/* last=N: the old form */
	json_t *list;
};

/* Free a query. */
static void
audit_query_free(void *arg)
{
	struct audit_query *q = arg;

	if (q != NULL)
		json_decref(q->list);
	free(q);
}

/* An audit query: what the route's setup fills. */
const struct api_ctx api_audit_ctx = { sizeof(struct audit_query),
    audit_query_free };

/* A string member equal (ASCII case-insensitive) to want. */
static bool
member_is(json_t *ev, const char *key, const char *want)
{
	json_t *v = json_object_get(ev, key);

	return json_is_string(v) && strcasecmp(json_string_value(v), want) == 0;
}

/* The stored event with its sequence and an RFC 3339 time. */
static json_t *
audit_event(uint64_t seq, const char *text, size_t len)
{
	json_t *ev = json_loadb(text, len, 0, NULL);
	json_t *tm;

	if (ev == NULL)
		return NULL;
	tm = json_object_get(ev, "time");
	json_object_set_new(ev, "seq", json_integer((json_int_t)seq));
	if (json_is_integer(tm))
		json_object_set_new(ev, "time", api_time(json_integer_value(tm)));
	return ev;
}

/* Keep one event that passes the filters; stop after a full page. */
static int
audit_keep(uint64_t seq, const char *text, size_t len, void *arg)
{
	struct audit_query *q = arg;
	json_t *ev = json_loadb(text, len, 0, NULL);
	json_t *tm = json_object_get(ev, "time");
	int64_t at = json_is_integer(tm) ? json_integer_value(tm) : 0;
	bool ok = ev != NULL && at >= q->page.after && at < q->page.before &&
	    (!q->who[0] || member_is(ev, "who", q->who) ||
	    member_is(ev, "who_sid", q->who)) &&
	    (!q->action[0] || member_is(ev, "action", q->action)) &&
	    (!q->outcome[0] || member_is(ev, "decision", q->outcome));

	json_decref(ev);
	if (!ok)
		return 0;
	return api_page_keep(&q->page, q->list, seq, audit_event(seq, text, len));
}

/* last=N: the N newest events, oldest first, as before. */
static int
audit_last(uint64_t seq, const char *text, size_t len, void *arg)
{
	struct audit_query *q = arg;
	json_t *ev = audit_event(seq, text, len);

	if (ev != NULL)
		json_array_append_new(q->list, ev);
	return 0;
}

/* Worker: read the log. */
static void
audit_work(struct job *j)
{
	struct audit_query *q = j->ctx;
	struct store_txn *t = NULL;
	char why[CA_WHY_MAX];
	int rc;

	if (!api_require(j, CA_RIGHT_AUDITOR, "audit"))
		return;
	q->list = json_array();
	rc = store_read_begin(j->gen->store, &t, why, sizeof(why));
	if (rc == CA_OK && q->last > 0)
		rc = store_iter_audit_last(t, q->last, audit_last, q);
	else if (rc == CA_OK)
		rc = store_iter_audit_desc(t, q->page.below, audit_keep, q);
	if (rc < 0)
		api_read_fail(j, "the audit log", t, why, rc);
	else
		api_page_reply(j, &q->page, "events", q->list);
	store_read_end(t);
}

/* Loop: GET /api/v1/audit and its filters. */
job_work_cb
api_audit_setup(struct job *j, const struct api_args *a)
{
	struct audit_query *q = j->ctx;
	char v[API_PARAM_MAX];
	bool bad = false;
	uint64_t last;

	if (api_query_str(j, a->query, "last", v, sizeof(v), &bad)) {
		if (api_number_parse(v, API_LIST_MAX, &last) != CA_OK) {
			job_fail(j, CA_EPARSE, "last: expected 1..%d",
			    API_LIST_MAX);
			return NULL;
		}
		q->last = (size_t)last;
	}
	if (bad ||
	    !api_query_filter(j, a->query, "principal", q->who, sizeof(q->who)) ||
	    !api_query_filter(j, a->query, "action", q->action, sizeof(q->action)) ||
	    !api_query_filter(j, a->query, "outcome", q->outcome, sizeof(q->outcome)) ||
	    !api_query_page(j, a->query, &q->page))
		return NULL;
	return audit_work;
}

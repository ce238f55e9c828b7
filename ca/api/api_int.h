/*
 * Inside the management API: the setups every area file gives the route
 * table (in api.c), and the helpers the area files share (api_util.c):
 * RFC 3339 times, list paging, JSON errors, rights checks. Only
 * the ca/api/ files include this. Setup functions run on the loop (or in the
 * tool's thread for api_local); work functions on a worker.
 */
#ifndef ENTCA_CA_API_INT_H
#define ENTCA_CA_API_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "ca/api/api.h"
#include "ca/daemon/job.h"

#define API_LIST_MAX 1000	/* rows one page may hold */
#define API_LIST_DEFAULT 100	/* rows when limit is not given */
#define API_ARGS_MAX 2		/* {x} segments in one route */
#define API_SEGMENT_MAX 128	/* bytes of one {x} segment */
#define API_TIME_MAX 40		/* "YYYY-MM-DDTHH:MM:SSZ" and room */
#define API_PARAM_MAX 256	/* one query parameter's value */

/* What a route's setup gets: path segments, query, JSON body (POST). */
struct api_args {
	char seg[API_ARGS_MAX][API_SEGMENT_MAX];
	size_t n_seg;
	const char *query;	/* NULL when none */
	json_t *body;		/* POST: the object (borrowed); GET: NULL */
	bool local;		/* the tool on the CA host */
};

/*
 * Loop: parse what the call needs into j->ctx (already allocated, zeroed,
 * as the route's api_ctx says) and return the work to run on a worker, or
 * NULL when j already holds the answer (a refusal, which is sent only
 * after authentication). A function type, so that each area's setups
 * below are declared as exactly what the route table holds.
 */
typedef job_work_cb api_setup_fn(struct job *j, const struct api_args *a);

/*
 * What a route's call carries from its setup to its work: the router
 * allocates it into j->ctx before the setup runs (one place that can run
 * out of memory), and the job frees it with free_ctx.
 */
struct api_ctx {
	size_t size;
	void (*free_ctx)(void *ctx);
};

/*
 * One route of /api/v1/: method, pattern ({name} = one segment), the
 * context its setup fills (NULL: none, the setup makes its own or needs
 * none), setup.
 */
struct api_route {
	const char *method;
	const char *pattern;
	const struct api_ctx *ctx;
	api_setup_fn *setup;
	bool anonymous;		/* answered without credentials */
};

/* The contexts of each area's calls (the types stay in their files). */
extern const struct api_ctx api_certs_ctx, api_requests_ctx, api_audit_ctx,
    api_templates_ctx, api_ca_ctx;

/* The routes' setups of each area (api_certs.c, api_requests.c, ...). */
api_setup_fn api_certs_list_setup, api_certs_show_setup;
api_setup_fn api_requests_list_setup, api_requests_show_setup;
api_setup_fn api_audit_setup;
api_setup_fn api_templates_list_setup, api_templates_show_setup,
    api_templates_issue_setup, api_templates_unissue_setup;
api_setup_fn api_ca_show_setup, api_ca_security_list_setup,
    api_ca_security_change_setup;
api_setup_fn api_openapi_setup;

/* ---- api_util.c ---- */

/*
 * A new JSON string of s; text that is not UTF-8 (jansson refuses it) is
 * escaped rather than dropped, so a row never vanishes from a list.
 */
json_t *api_str(const char *s);

/* The RFC 3339 UTC text of t ("2026-12-07T03:35:48Z"), as a new string. */
json_t *api_time(int64_t t);
/* The same into buf of API_TIME_MAX bytes; returns buf. */
const char *api_time_text(int64_t t, char *buf);

/*
 * Parse an RFC 3339 date-time (Z or ±hh:mm, fractions dropped) or a
 * full-date (midnight UTC) into *t. CA_OK or CA_EPARSE.
 */
int api_time_parse(const char *s, int64_t *t);

/*
 * Query parameter name as a time into *t (unchanged when absent). False
 * with a 400 set in j when it is there but not RFC 3339.
 */
bool api_query_time(struct job *j, const char *query, const char *name,
    int64_t *t);

/*
 * Query parameter name into out (outsz bytes); false when absent. A value
 * too long or badly encoded sets a 400 in j and *bad.
 */
bool api_query_str(struct job *j, const char *query, const char *name,
    char *out, size_t outsz, bool *bad);

/* limit= (default API_LIST_DEFAULT, 1..API_LIST_MAX); false with a 400. */
bool api_query_limit(struct job *j, const char *query, size_t *limit);

/*
 * A string filter name into out (outsz bytes; empty when absent). False
 * with a 400 set in j when it is too long or badly encoded.
 */
bool api_query_filter(struct job *j, const char *query, const char *name,
    char *out, size_t outsz);

/*
 * Parse s as a decimal number 1..max into *n. CA_OK or CA_EPARSE (also
 * for signs, spaces and overflow).
 */
int api_number_parse(const char *s, uint64_t max, uint64_t *n);

/*
 * The paging of a newest-first list of numbered rows (audit events,
 * requests): the time window after=/before=, limit= and the cursor next=
 * this API handed out with the previous page (rows numbered below it).
 */
struct api_page {
	int64_t after, before;	/* INT64_MIN / INT64_MAX when not given */
	size_t limit;
	uint64_t below;		/* UINT64_MAX when no next= */
	bool more;		/* the walk stopped on a full page */
	uint64_t last;		/* number of the last row kept */
};

/* Parse the paging into p; false with a 400 set in j. */
bool api_query_page(struct job *j, const char *query, struct api_page *p);

/*
 * Keep row (taken) numbered n on the page in list. 1 once the page is
 * full (the row is dropped and p->more set: the walk stops), else 0.
 */
int api_page_keep(struct api_page *p, json_t *list, uint64_t n, json_t *row);

/* Answer 200 with {member: list, "next": the cursor when p->more}. */
void api_page_reply(struct job *j, const struct api_page *p,
    const char *member, json_t *list);

struct store_txn;

/*
 * A store read that failed with rc: log what and the store's sentence (t's,
 * or why when the read could not begin), and answer 500 naming what.
 */
void api_read_fail(struct job *j, const char *what,
    const struct store_txn *t, const char *why, int rc);

/*
 * True when the caller holds one of rights (bits of CA_RIGHT_*); else a
 * 403 naming what is needed for what is set. Worker.
 */
bool api_require(struct job *j, unsigned rights, const char *what);

/* Case-insensitive substring test (ASCII). */
bool api_contains(const char *hay, const char *needle);

/* ---- api_confedit.c ---- */

/*
 * Rewrite section's lines for keys (nkeys of them) in the running
 * configuration's file into lines (each ending in a newline), validated
 * as entcad -t does before it replaces the file. CA_OK, or CA_ECONFIG /
 * CA_EUNAVAIL / CA_EIO with why for the client. Worker (or the tool).
 */
int api_conf_edit(struct job *j, const char *section, const char *const *keys,
    size_t nkeys, const char *lines, char *why, size_t whylen);

/*
 * From on_loop: have the running entcad reload its configuration, the job
 * parked until the new one is in force (or answered with why not).
 */
void api_conf_reload(struct job *j);

#endif

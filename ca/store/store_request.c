/*
 * Certificate requests in the store: the requests database (id ->
 * record), request id allocation from meta (monotonic, inside the write
 * transaction so a rolled-back job gives its id back) and the pending
 * counter that /health reads. Writes run on the writer thread in a job's
 * chain; reads on any thread with their own transaction.
 *
 * Record, version 1: u64 id, i64 submitted_at, i64 updated_at, u8 status,
 * then length-prefixed requester, template, reason, serial, csr,
 * subject_sid, target.
 */
#include <stdlib.h>
#include <string.h>

#include "ca/store/store_int.h"

static const char *const req_status_names[STORE_REQ_COUNT] = {
	[STORE_REQ_PENDING] = "pending",
	[STORE_REQ_ISSUED] = "issued",
	[STORE_REQ_DENIED] = "denied",
	[STORE_REQ_FAILED] = "failed",
};

/* Name of a request status. */
const char *
store_req_status_name(int status)
{
	if (status < 0 || status >= STORE_REQ_COUNT)
		return "unknown";
	return req_status_names[status];
}

/* Allocate the next request id; see store.h. */
int
store_w_next_request_id(struct store_wtxn *w, uint64_t *id)
{
	unsigned char b[8];
	uint64_t next;
	int rc;

	*id = 0;
	if (w->rc != CA_OK)
		return w->rc;
	if ((rc = store_meta_u64_or_zero(&w->t, STORE_META_NEXT_REQ, &next)))
		return store_w_stick(w, rc);
	if (next == 0)
		next = 1;
	store_be64(b, next + 1);
	if ((rc = store_w_meta_put_raw(w, STORE_META_NEXT_REQ, b, sizeof(b))))
		return rc;
	*id = next;
	return CA_OK;
}

/* True when text is NUL-terminated inside an array of cap bytes. */
static int
text_ok(const char *text, size_t cap)
{
	return memchr(text, '\0', cap) != NULL;
}

/* Check a request before it is written; a failure sticks. */
static int
request_check(struct store_wtxn *w, const struct store_request *r)
{
	const char *p = w->t.s->path;
	char why[CA_WHY_MAX];
	int rc;

	if (r->id == 0)
		return store_w_fail(w, CA_EINVAL, "store %s: request id 0",
		    p);
	if (r->status < 0 || r->status >= STORE_REQ_COUNT)
		return store_w_fail(w, CA_EINVAL, "store %s: request %llu: "
		    "status %d unknown", p, (unsigned long long)r->id,
		    r->status);
	if (!text_ok(r->requester, sizeof(r->requester)) ||
	    !text_ok(r->template_name, sizeof(r->template_name)) ||
	    !text_ok(r->reason, sizeof(r->reason)) ||
	    !text_ok(r->subject_sid, sizeof(r->subject_sid)) ||
	    !text_ok(r->target, sizeof(r->target)))
		return store_w_fail(w, CA_EINVAL, "store %s: request %llu: a "
		    "text field is not terminated", p,
		    (unsigned long long)r->id);
	if (r->csr_len > STORE_CSR_MAX || (r->csr_len > 0 && r->csr == NULL))
		return store_w_fail(w, CA_ETOOBIG, "store %s: request %llu: "
		    "CSR of %zu bytes (at most %d)", p,
		    (unsigned long long)r->id, r->csr_len, STORE_CSR_MAX);
	if (r->serial_len > 0 && (rc = store_serial_check(r->serial,
	    r->serial_len, why, sizeof(why))) != CA_OK)
		return store_w_fail(w, rc, "store %s: request %llu: %s", p,
		    (unsigned long long)r->id, why);
	return CA_OK;
}

/* Decode a request value into r (csr copied when dup, else borrowed). */
static int
request_decode(struct store_txn *t, const MDB_val *v,
    struct store_request *r, int dup)
{
	struct store_dec d;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = store_t_dec_init(t, &d, v, STORE_REC_REQUEST, "request")))
		return rc;
	r->id = store_dec_u64(&d);
	r->submitted_at = store_dec_i64(&d);
	r->updated_at = store_dec_i64(&d);
	r->status = (int)store_dec_u8(&d);
	store_dec_str(&d, r->requester, sizeof(r->requester));
	store_dec_str(&d, r->template_name, sizeof(r->template_name));
	store_dec_str(&d, r->reason, sizeof(r->reason));
	store_dec_fixed(&d, r->serial, sizeof(r->serial), &r->serial_len);
	if (dup)
		r->csr = store_dec_dup(&d, STORE_CSR_MAX, &r->csr_len);
	else
		r->csr = (unsigned char *)store_dec_view(&d, STORE_CSR_MAX,
		    &r->csr_len);
	store_dec_str(&d, r->subject_sid, sizeof(r->subject_sid));
	store_dec_str(&d, r->target, sizeof(r->target));
	if (!d.err && r->status >= STORE_REQ_COUNT)
		d.err = CA_EDB;
	if ((rc = store_t_dec_end(t, &d, "request")) != CA_OK) {
		if (dup)
			free(r->csr);
		memset(r, 0, sizeof(*r));
	}
	return rc;
}

/* Store r under r->id and keep the pending count; see store.h. */
int
store_w_put_request(struct store_wtxn *w, const struct store_request *r)
{
	struct store_request old;
	struct store_enc e;
	unsigned char key[8];
	MDB_val v;
	int rc, was_pending = 0;

	if (w->rc != CA_OK)
		return w->rc;
	if ((rc = request_check(w, r)) != CA_OK)
		return rc;
	store_be64(key, r->id);
	rc = store_t_get(&w->t, STORE_DB_REQUESTS, key, sizeof(key), &v,
	    "get request");
	if (rc == CA_OK) {
		if ((rc = request_decode(&w->t, &v, &old, 0)) != CA_OK)
			return store_w_stick(w, rc);
		was_pending = old.status == STORE_REQ_PENDING;
	} else if (rc != CA_ENOTFOUND)
		return store_w_stick(w, rc);
	store_enc_init(&e, STORE_REC_REQUEST);
	store_enc_u64(&e, r->id);
	store_enc_i64(&e, r->submitted_at);
	store_enc_i64(&e, r->updated_at);
	store_enc_u8(&e, (unsigned)r->status);
	store_enc_str(&e, r->requester);
	store_enc_str(&e, r->template_name);
	store_enc_str(&e, r->reason);
	store_enc_bytes(&e, r->serial, r->serial_len);
	store_enc_bytes(&e, r->csr, r->csr_len);
	store_enc_str(&e, r->subject_sid);
	store_enc_str(&e, r->target);
	rc = store_w_put_enc(w, STORE_DB_REQUESTS, key, sizeof(key),
	    &e, 0, "put request");
	if (rc == CA_OK && was_pending != (r->status == STORE_REQ_PENDING))
		rc = store_w_counter_add(w, STORE_META_PENDING,
		    was_pending ? -1 : 1);
	return rc;
}

/* Allocate an id for r and store it; see store.h. */
int
store_w_add_request(struct store_wtxn *w, struct store_request *r)
{
	int rc;

	if ((rc = store_w_next_request_id(w, &r->id)) != CA_OK)
		return rc;
	return store_w_put_request(w, r);
}

/* Read request id; see store.h. */
int
store_get_request(struct store_txn *t, uint64_t id, struct store_request *r)
{
	unsigned char key[8];
	MDB_val v;
	int rc;

	memset(r, 0, sizeof(*r));
	store_be64(key, id);
	rc = store_t_get(t, STORE_DB_REQUESTS, key, sizeof(key), &v,
	    "get request");
	if (rc == CA_ENOTFOUND)
		return store_txn_fail(t, rc, "request %llu not found",
		    (unsigned long long)id);
	if (rc != CA_OK)
		return rc;
	return request_decode(t, &v, r, 1);
}

/* Free the CSR of r and zero it (NULL accepted). */
void
store_request_clear(struct store_request *r)
{
	if (r == NULL)
		return;
	free(r->csr);
	memset(r, 0, sizeof(*r));
}

/* What a request walk filters on and hands each row to. */
struct request_walk {
	struct store_request *r;	/* decoded into, row after row */
	int status;			/* -1: any */
	store_request_cb cb;
	void *arg;
};

/* One row of a request walk: decode, filter by status, hand on. */
static int
request_row(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *arg)
{
	struct request_walk *rw = arg;
	int rc;

	(void)k;
	if ((rc = request_decode(t, v, rw->r, 0)) != CA_OK)
		return rc;
	if (rw->status >= 0 && rw->r->status != rw->status)
		return 0;
	return rw->cb(rw->r, rw->arg);
}

/* Walk the requests as how says from at, decoding into one buffer. */
static int
request_walk(struct store_txn *t, enum store_walk how, uint64_t at,
    int status, store_request_cb cb, void *arg)
{
	struct request_walk rw = { NULL, status, cb, arg };
	int rc;

	if ((rw.r = malloc(sizeof(*rw.r))) == NULL)
		return store_txn_fail(t, CA_ENOMEM, "store %s: out of memory",
		    t->s->path);
	rc = store_t_walk(t, STORE_DB_REQUESTS, "requests", how, at,
	    request_row, &rw);
	free(rw.r);
	return rc;
}

/* Walk requests from from_id, filtered by status; see store.h. */
int
store_iter_requests(struct store_txn *t, uint64_t from_id, int status,
    store_request_cb cb, void *arg)
{
	return request_walk(t, STORE_WALK_FROM, from_id, status, cb, arg);
}

/* Walk requests newest first below before_id; see store.h. */
int
store_iter_requests_desc(struct store_txn *t, uint64_t before_id,
    int status, store_request_cb cb, void *arg)
{
	return request_walk(t, STORE_WALK_BELOW, before_id, status, cb, arg);
}

/*
 * The store's small databases: meta (named values and the store's own
 * counters), templates (name -> compiled blob and source hash) and audit
 * (sequence -> one JSON event). Writes run on the writer thread inside a
 * job's chain; reads run on any thread with their own transaction.
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "ca/store/store_int.h"

/* A record name (meta, template) of 1..max-1 bytes? */
static int
name_fits(const char *name, size_t max)
{
	size_t n = name ? strlen(name) : 0;

	return n > 0 && n < max;
}

/*
 * Check a named record (meta value, template) before its put: the name
 * 1..name_max-1 bytes, the value at most value_max. CA_OK, or the refusal
 * stuck on w.
 */
static int
named_put_check(struct store_wtxn *w, const char *kind, const char *name,
    size_t name_max, size_t len, size_t value_max)
{
	if (w->rc != CA_OK)
		return w->rc;
	if (!name_fits(name, name_max))
		return store_w_fail(w, CA_EINVAL, "store %s: %s name empty "
		    "or longer than %zu bytes", w->t.s->path, kind,
		    name_max - 1);
	if (len > value_max)
		return store_w_fail(w, CA_ETOOBIG, "store %s: %s %s: value "
		    "of %zu bytes exceeds %zu", w->t.s->path, kind, name, len,
		    value_max);
	return CA_OK;
}

/* Write a meta value without the reserved-name check. */
int
store_w_meta_put_raw(struct store_wtxn *w, const char *name,
    const void *val, size_t len)
{
	struct store_enc e;
	int rc;

	if ((rc = named_put_check(w, "meta", name, STORE_META_NAME_MAX, len,
	    STORE_META_VALUE_MAX)) != CA_OK)
		return rc;
	store_enc_init(&e, STORE_REC_META);
	store_enc_bytes(&e, val, len);
	return store_w_put_enc(w, STORE_DB_META, name, strlen(name),
	    &e, 0, "put meta");
}

/* Put a named value; see store.h. */
int
store_w_meta_put(struct store_wtxn *w, const char *name, const void *val,
    size_t len)
{
	if (w->rc != CA_OK)
		return w->rc;
	if (name != NULL && strncmp(name, STORE_META_PREFIX,
	    strlen(STORE_META_PREFIX)) == 0)
		return store_w_fail(w, CA_EINVAL, "store %s: meta %s: names "
		    "starting with \"%s\" belong to the store", w->t.s->path,
		    name, STORE_META_PREFIX);
	return store_w_meta_put_raw(w, name, val, len);
}

/* Put a named uint64 (8 bytes big-endian); see store.h. */
int
store_w_meta_put_u64(struct store_wtxn *w, const char *name, uint64_t v)
{
	unsigned char b[8];

	store_be64(b, v);
	return store_w_meta_put(w, name, b, sizeof(b));
}

/* Copy a named value into buf; see store.h. */
int
store_meta_get(struct store_txn *t, const char *name, void *buf,
    size_t bufsize, size_t *len)
{
	struct store_dec d;
	const unsigned char *p;
	MDB_val v;
	size_t n;
	int rc;

	*len = 0;
	if (!name_fits(name, STORE_META_NAME_MAX))
		return store_txn_fail(t, CA_EINVAL, "store %s: bad meta name",
		    t->s->path);
	rc = store_t_get(t, STORE_DB_META, name, strlen(name), &v, "get meta");
	if (rc == CA_ENOTFOUND)
		return store_txn_fail(t, rc, "store %s: meta %s not found",
		    t->s->path, name);
	if (rc != CA_OK)
		return rc;
	if ((rc = store_t_dec_init(t, &d, &v, STORE_REC_META, "meta")) != CA_OK)
		return rc;
	p = store_dec_view(&d, STORE_META_VALUE_MAX, &n);
	if ((rc = store_t_dec_end(t, &d, "meta")) != CA_OK)
		return rc;
	if (n > bufsize)
		return store_txn_fail(t, CA_ETOOBIG, "store %s: meta %s: %zu "
		    "bytes do not fit in %zu", t->s->path, name, n, bufsize);
	if (n > 0)
		memcpy(buf, p, n);
	*len = n;
	return CA_OK;
}

/* Read a named uint64; see store.h. */
int
store_meta_get_u64(struct store_txn *t, const char *name, uint64_t *v)
{
	unsigned char b[8];
	size_t n;
	int rc;

	*v = 0;
	if ((rc = store_meta_get(t, name, b, sizeof(b), &n)) != CA_OK)
		return rc;
	if (n != sizeof(b))
		return store_txn_fail(t, CA_EDB, "store %s: meta %s is not a "
		    "64-bit number", t->s->path, name);
	*v = store_rd64(b);
	return CA_OK;
}

/* Read a uint64 meta value, 0 when missing. */
int
store_meta_u64_or_zero(struct store_txn *t, const char *name, uint64_t *v)
{
	int rc = store_meta_get_u64(t, name, v);

	if (rc == CA_ENOTFOUND) {
		*v = 0;
		return CA_OK;
	}
	return rc;
}

/* Add delta to a store counter, never going below zero. */
int
store_w_counter_add(struct store_wtxn *w, const char *name, int64_t delta)
{
	unsigned char b[8];
	uint64_t v;
	int rc;

	if (w->rc != CA_OK)
		return w->rc;
	if ((rc = store_meta_u64_or_zero(&w->t, name, &v)) != CA_OK)
		return store_w_stick(w, rc);
	if (delta < 0 && (uint64_t)-delta > v)
		v = 0;
	else
		v += (uint64_t)delta;
	store_be64(b, v);
	return store_w_meta_put_raw(w, name, b, sizeof(b));
}

/* Increment a store counter and hand back its new value. */
int
store_w_counter_next(struct store_wtxn *w, const char *name, uint64_t *v)
{
	unsigned char b[8];
	int rc;

	*v = 0;
	if (w->rc != CA_OK)
		return w->rc;
	if ((rc = store_meta_u64_or_zero(&w->t, name, v)) != CA_OK)
		return store_w_stick(w, rc);
	store_be64(b, ++*v);
	return store_w_meta_put_raw(w, name, b, sizeof(b));
}

/* Put a compiled template; see store.h. */
int
store_w_put_template(struct store_wtxn *w, const char *name,
    const void *blob, size_t len, const unsigned char hash[STORE_HASH_LEN])
{
	struct store_enc e;
	int rc;

	if ((rc = named_put_check(w, "template", name,
	    STORE_TEMPLATE_NAME_MAX, len, STORE_TEMPLATE_BLOB_MAX)) != CA_OK)
		return rc;
	store_enc_init(&e, STORE_REC_TEMPLATE);
	store_enc_bytes(&e, blob, len);
	store_enc_bytes(&e, hash, STORE_HASH_LEN);
	return store_w_put_enc(w, STORE_DB_TEMPLATES, name, strlen(name),
	    &e, 0, "put template");
}

/* Delete a template; CA_ENOTFOUND when there is none. */
int
store_w_del_template(struct store_wtxn *w, const char *name)
{
	MDB_val v;
	int rc;

	if (w->rc != CA_OK)
		return w->rc;
	if (!name_fits(name, STORE_TEMPLATE_NAME_MAX))
		return store_w_fail(w, CA_EINVAL, "store %s: bad template name",
		    w->t.s->path);
	rc = store_t_get(&w->t, STORE_DB_TEMPLATES, name, strlen(name), &v,
	    "get template");
	if (rc == CA_ENOTFOUND)
		return store_w_fail(w, rc, "template %s not found",
		    name);
	if (rc != CA_OK)
		return store_w_stick(w, rc);
	return store_w_del(w, STORE_DB_TEMPLATES, name, strlen(name),
	    "delete template");
}

/* Decode a template value; blob is borrowed unless dup. */
static int
template_decode(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    struct store_template *tp, int dup)
{
	struct store_dec d;
	size_t hlen = 0;
	int rc;

	memset(tp, 0, sizeof(*tp));
	if (k->mv_size == 0 || k->mv_size >= sizeof(tp->name))
		return store_txn_fail(t, CA_EDB, "store %s: template key of "
		    "%zu bytes", t->s->path, k->mv_size);
	memcpy(tp->name, k->mv_data, k->mv_size);
	if ((rc = store_t_dec_init(t, &d, v, STORE_REC_TEMPLATE, "template")))
		return rc;
	if (dup)
		tp->blob = store_dec_dup(&d, STORE_TEMPLATE_BLOB_MAX,
		    &tp->blob_len);
	else
		tp->blob = (unsigned char *)store_dec_view(&d,
		    STORE_TEMPLATE_BLOB_MAX, &tp->blob_len);
	store_dec_fixed(&d, tp->hash, sizeof(tp->hash), &hlen);
	if (hlen != STORE_HASH_LEN && !d.err)
		d.err = CA_EDB;
	if ((rc = store_t_dec_end(t, &d, "template")) != CA_OK) {
		if (dup)
			free(tp->blob);
		memset(tp, 0, sizeof(*tp));
	}
	return rc;
}

/* Read one template into caller memory; see store.h. */
int
store_get_template(struct store_txn *t, const char *name,
    struct store_template *tp)
{
	MDB_val k, v;
	int rc;

	memset(tp, 0, sizeof(*tp));
	if (!name_fits(name, STORE_TEMPLATE_NAME_MAX))
		return store_txn_fail(t, CA_EINVAL, "store %s: bad template "
		    "name", t->s->path);
	rc = store_t_get(t, STORE_DB_TEMPLATES, name, strlen(name), &v,
	    "get template");
	if (rc == CA_ENOTFOUND)
		return store_txn_fail(t, rc, "template %s not found",
		    name);
	if (rc != CA_OK)
		return rc;
	k.mv_data = (void *)name;
	k.mv_size = strlen(name);
	return template_decode(t, &k, &v, tp, 1);
}

/* Free a template's blob and zero it (NULL accepted). */
void
store_template_clear(struct store_template *tp)
{
	if (tp == NULL)
		return;
	free(tp->blob);
	memset(tp, 0, sizeof(*tp));
}

/* What a template walk hands each row to. */
struct template_walk {
	store_template_cb cb;
	void *arg;
};

/* One row of store_iter_templates: decode and hand on. */
static int
template_row(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *arg)
{
	struct template_walk *tw = arg;
	struct store_template tp;
	int rc;

	if ((rc = template_decode(t, k, v, &tp, 0)) != CA_OK)
		return rc;
	return tw->cb(&tp, tw->arg);
}

/* Walk every template in name order; see store.h. */
int
store_iter_templates(struct store_txn *t, store_template_cb cb, void *arg)
{
	struct template_walk tw = { cb, arg };

	return store_t_walk(t, STORE_DB_TEMPLATES, "templates", STORE_WALK_ALL, 0,
	    template_row, &tw);
}

/* The last key of audit + 1 (1 for an empty log). */
static int
audit_next_seq(struct store_wtxn *w, uint64_t *seq)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int mrc;

	if ((mrc = mdb_cursor_open(w->t.txn, w->t.s->dbi[STORE_DB_AUDIT],
	    &c)) != 0)
		return store_w_stick(w, store_txn_mdb(&w->t, mrc, "cursor"));
	mrc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	mdb_cursor_close(c);
	if (mrc == MDB_NOTFOUND) {
		*seq = 1;
		return CA_OK;
	}
	if (mrc != 0)
		return store_w_stick(w, store_txn_mdb(&w->t, mrc, "last audit"));
	if (k.mv_size != 8)
		return store_w_fail(w, CA_EDB, "store %s: audit key of %zu "
		    "bytes", w->t.s->path, k.mv_size);
	*seq = store_rd64(k.mv_data) + 1;
	return CA_OK;
}

/* Append one JSON event; see store.h. */
int
store_w_audit(struct store_wtxn *w, const char *json, uint64_t *seq)
{
	struct store_enc e;
	json_error_t jerr;
	json_t *j;
	unsigned char key[8];
	uint64_t n = 0;
	size_t len;
	int rc, isobj;

	if (w->rc != CA_OK)
		return w->rc;
	len = json ? strlen(json) : 0;
	if (len == 0 || len > STORE_AUDIT_MAX)
		return store_w_fail(w, CA_ETOOBIG, "store %s: audit event of "
		    "%zu bytes (1..%d)", w->t.s->path, len, STORE_AUDIT_MAX);
	j = json_loadb(json, len, 0, &jerr);
	isobj = json_is_object(j);
	json_decref(j);
	if (!isobj)
		return store_w_fail(w, CA_EINVAL, "store %s: audit event is "
		    "not a JSON object", w->t.s->path);
	if ((rc = audit_next_seq(w, &n)) != CA_OK)
		return rc;
	store_be64(key, n);
	store_enc_init(&e, STORE_REC_AUDIT);
	store_enc_bytes(&e, json, len);
	rc = store_w_put_enc(w, STORE_DB_AUDIT, key, sizeof(key),
	    &e, MDB_APPEND, "put audit");
	if (rc == CA_OK && seq != NULL)
		*seq = n;
	return rc;
}

/* What an audit walk hands each event to, through buf. */
struct audit_walk {
	char *buf;		/* STORE_AUDIT_MAX + 1 bytes */
	store_audit_cb cb;
	void *arg;
};

/* Hand one audit value to cb through buf (NUL-terminated copy). */
static int
audit_emit(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *arg)
{
	struct audit_walk *aw = arg;
	struct store_dec d;
	const unsigned char *p;
	size_t n;
	int rc;

	if (k->mv_size != 8)
		return store_txn_fail(t, CA_EDB, "store %s: audit key of %zu "
		    "bytes", t->s->path, k->mv_size);
	if ((rc = store_t_dec_init(t, &d, v, STORE_REC_AUDIT, "audit")))
		return rc;
	p = store_dec_view(&d, STORE_AUDIT_MAX, &n);
	if ((rc = store_t_dec_end(t, &d, "audit")) != CA_OK)
		return rc;
	memcpy(aw->buf, p, n);
	aw->buf[n] = '\0';
	return aw->cb(store_rd64(k->mv_data), aw->buf, n, aw->arg);
}

/* Walk the audit log as how says from at, through one copy buffer. */
static int
audit_walk(struct store_txn *t, enum store_walk how, uint64_t at,
    store_audit_cb cb, void *arg)
{
	struct audit_walk aw = { NULL, cb, arg };
	int rc;

	if (at == 0)
		return CA_OK;
	if ((aw.buf = malloc(STORE_AUDIT_MAX + 1)) == NULL)
		return store_txn_fail(t, CA_ENOMEM, "store %s: out of memory",
		    t->s->path);
	rc = store_t_walk(t, STORE_DB_AUDIT, "audit", how, at, audit_emit,
	    &aw);
	free(aw.buf);
	return rc;
}

/* The last n audit events in order; see store.h. */
int
store_iter_audit_last(struct store_txn *t, size_t n, store_audit_cb cb,
    void *arg)
{
	return audit_walk(t, STORE_WALK_LAST, n, cb, arg);
}

/* Audit events newest first below before_seq; see store.h. */
int
store_iter_audit_desc(struct store_txn *t, uint64_t before_seq,
    store_audit_cb cb, void *arg)
{
	return audit_walk(t, STORE_WALK_BELOW, before_seq, cb, arg);
}

/*
 * The store's transaction layer, as Knot's knot_lmdb: LMDB error
 * translation, the read transaction's failure sentence, and the sticky
 * write chain (store_w_put/del/fail/stick: a chain of puts is checked once
 * at commit, and a failed chain aborts instead of committing). It also
 * turns a codec refusal into the transaction's sentence, so the record
 * codec (store_codec.c) stays free of transactions and I/O, and decodes
 * the by_revocation value several files read. Below every other store
 * file and calling none of them. Any thread holding the
 * transaction (the writer thread for write chains).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ca/store/store_int.h"

/* Map an LMDB or errno code to ours with a sentence naming path and step. */
int
store_mdb_err(const struct store *s, int mrc, const char *what, char *why,
    size_t whylen)
{
	const char *path = s ? s->path : "?";
	int code;

	switch (mrc) {
	case MDB_SUCCESS:
		return CA_OK;
	case MDB_NOTFOUND:
		code = CA_ENOTFOUND;
		break;
	case MDB_KEYEXIST:
		code = CA_EEXIST;
		break;
	case MDB_MAP_FULL:
		return ca_why(why, whylen, CA_EDB, "store %s: %s: the map is "
		    "full (%zu MiB) and may not grow past [store] max-size "
		    "(%zu MiB): raise it",
		    path, what, s ? s->map_size >> 20 : 0,
		    s ? s->map_max >> 20 : 0);
	case ENOSPC:
	case EDQUOT:
		return ca_why(why, whylen, CA_EIO, "store %s: %s: the disk is "
		    "full (%s); writes resume once space is freed", path, what,
		    strerror(mrc));
	case MDB_READERS_FULL:
		code = CA_EUNAVAIL;
		break;
	case MDB_VERSION_MISMATCH:
		code = CA_EVERSION;
		break;
	case ENOMEM:
		code = CA_ENOMEM;
		break;
	case EACCES:
	case EPERM:
	case ENOENT:
	case EIO:
	case EROFS:
	case EAGAIN:
	case EBUSY:
		code = CA_EIO;
		break;
	default:
		code = CA_EDB;
		break;
	}
	return ca_why(why, whylen, code, "store %s: %s: %s", path, what,
	    mdb_strerror(mrc));
}

/* Write a read failure into t's why and return code. */
int
store_txn_fail(struct store_txn *t, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
	return code;
}

/* Translate mrc into t's why. */
int
store_txn_mdb(struct store_txn *t, int mrc, const char *what)
{
	return store_mdb_err(t->s, mrc, what, t->why, sizeof(t->why));
}

/* Why the last failed read on t failed. */
const char *
store_txn_why(const struct store_txn *t)
{
	return t->why;
}

/* The code a chain ended with, CA_OK while it is healthy. */
int
store_w_status(const struct store_wtxn *w)
{
	return w->rc;
}

/* The sentence of the chain's first failure ("" when none). */
const char *
store_w_why(const struct store_wtxn *w)
{
	return w->why;
}

/* Record the caller's own failure on the chain (first one wins). */
int
store_w_fail(struct store_wtxn *w, int code, const char *fmt, ...)
{
	va_list ap;

	if (w->rc != CA_OK)
		return w->rc;
	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
	w->rc = code;
	return code;
}

/* Make a read failure (sentence in w->t.why) stick on the chain. */
int
store_w_stick(struct store_wtxn *w, int code)
{
	if (w->rc != CA_OK)
		return w->rc;
	memcpy(w->why, w->t.why, sizeof(w->why));
	w->rc = code;
	return code;
}

/* The read view of the chain's transaction. */
struct store_txn *
store_w_txn(struct store_wtxn *w)
{
	return &w->t;
}

/* Put k -> v into db on the chain; a failure sticks. */
int
store_w_put(struct store_wtxn *w, enum store_db db, const void *k,
    size_t klen, const void *v, size_t vlen, unsigned flags, const char *what)
{
	MDB_val key = { klen, (void *)k }, val = { vlen, (void *)v };
	int mrc;

	if (w->rc != CA_OK)
		return w->rc;
	if ((mrc = mdb_put(w->t.txn, w->t.s->dbi[db], &key, &val, flags)) != 0) {
		store_w_note(w->t.s, mrc);
		w->rc = store_mdb_err(w->t.s, mrc, what, w->why,
		    sizeof(w->why));
	}
	return w->rc;
}

/* Delete k from db on the chain; a missing key is not an error. */
int
store_w_del(struct store_wtxn *w, enum store_db db, const void *k,
    size_t klen, const char *what)
{
	MDB_val key = { klen, (void *)k };
	int mrc;

	if (w->rc != CA_OK)
		return w->rc;
	mrc = mdb_del(w->t.txn, w->t.s->dbi[db], &key, NULL);
	if (mrc != 0 && mrc != MDB_NOTFOUND) {
		store_w_note(w->t.s, mrc);
		w->rc = store_mdb_err(w->t.s, mrc, what, w->why,
		    sizeof(w->why));
	}
	return w->rc;
}

/* Get k from db; the value is borrowed from t. */
int
store_t_get(struct store_txn *t, enum store_db db, const void *k,
    size_t klen, MDB_val *v, const char *what)
{
	MDB_val key = { klen, (void *)k };
	int mrc;

	if ((mrc = mdb_get(t->txn, t->s->dbi[db], &key, v)) != 0)
		return store_txn_mdb(t, mrc, what);
	return CA_OK;
}

/* Put the cursor on the first row of a walk; an LMDB code. */
static int
walk_start(MDB_cursor *c, MDB_val *k, MDB_val *v, enum store_walk how,
    uint64_t at)
{
	int mrc;

	switch (how) {
	case STORE_WALK_ALL:
		return mdb_cursor_get(c, k, v, MDB_FIRST);
	case STORE_WALK_FROM:
		return mdb_cursor_get(c, k, v, MDB_SET_RANGE);
	case STORE_WALK_BELOW:
		/* The first key >= at, then one back; none: the last key. */
		mrc = mdb_cursor_get(c, k, v, MDB_SET_RANGE);
		if (mrc == MDB_NOTFOUND)
			return mdb_cursor_get(c, k, v, MDB_LAST);
		return mrc == 0 ? mdb_cursor_get(c, k, v, MDB_PREV) : mrc;
	case STORE_WALK_LAST:
		/* Step back to the at-th last row, or the first one. */
		if ((mrc = mdb_cursor_get(c, k, v, MDB_LAST)) != 0)
			return mrc;
		for (uint64_t back = 1; back < at; back++)
			if ((mrc = mdb_cursor_get(c, k, v, MDB_PREV)) != 0)
				return mrc == MDB_NOTFOUND ?
				    mdb_cursor_get(c, k, v, MDB_FIRST) : mrc;
		return 0;
	}
	return EINVAL;
}

/* Walk db's rows as how says; see store_int.h. */
int
store_t_walk(struct store_txn *t, enum store_db db, const char *name,
    enum store_walk how, uint64_t at, store_row_cb cb, void *arg)
{
	MDB_cursor_op step = how == STORE_WALK_BELOW ? MDB_PREV : MDB_NEXT;
	unsigned char key[8];
	MDB_cursor *c = NULL;
	MDB_val k = { sizeof(key), key }, v;
	char what[64];
	int mrc, rc = CA_OK;

	/* Nothing lies below 0, and the last 0 rows are none. */
	if ((how == STORE_WALK_BELOW || how == STORE_WALK_LAST) && at == 0)
		return CA_OK;
	if ((mrc = mdb_cursor_open(t->txn, t->s->dbi[db], &c)) != 0) {
		snprintf(what, sizeof(what), "cursor %s", name);
		return store_txn_mdb(t, mrc, what);
	}
	store_be64(key, at);
	for (mrc = walk_start(c, &k, &v, how, at); mrc == 0;
	    mrc = mdb_cursor_get(c, &k, &v, step)) {
		/* A key of another size never compares below at. */
		if (how == STORE_WALK_BELOW && k.mv_size == 8 &&
		    store_rd64(k.mv_data) >= at)
			continue;
		if ((rc = cb(t, &k, &v, arg)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (rc != 0 || mrc == 0 || mrc == MDB_NOTFOUND)
		return rc;
	snprintf(what, sizeof(what), "walk %s", name);
	return store_txn_mdb(t, mrc, what);
}

/*
 * The writer met LMDB/errno code mrc: remember the group's first failure
 * that is the environment's (the map, the disk), not the data's.
 */
void
store_w_note(struct store *s, int mrc)
{
	if (mrc == 0 || mrc == MDB_NOTFOUND || mrc == MDB_KEYEXIST)
		return;
	if (s->w_env_err == 0 || mrc == MDB_MAP_FULL)
		s->w_env_err = mrc;
}

/* Start decoding a record of kind what; a refusal becomes t's sentence. */
int
store_t_dec_init(struct store_txn *t, struct store_dec *d, const MDB_val *v,
    unsigned max, const char *what)
{
	int rc = store_dec_init(d, v, max);

	if (rc == CA_OK)
		return CA_OK;
	if (rc == CA_EVERSION)
		return store_txn_fail(t, CA_EVERSION,
		    "store %s: %s record version %u is newer than this entca "
		    "(%u); upgrade entca", t->s->path, what, d->version, max);
	if (d->len < 1)
		return store_txn_fail(t, CA_EDB,
		    "store %s: %s record is empty", t->s->path, what);
	return store_txn_fail(t, CA_EDB,
	    "store %s: %s record has format version 0 (damaged)",
	    t->s->path, what);
}

/* Finish decoding; a short, long or unreadable record names itself on t. */
int
store_t_dec_end(struct store_txn *t, const struct store_dec *d,
    const char *what)
{
	int rc = store_dec_end(d);

	if (rc == CA_ENOMEM)
		return store_txn_fail(t, CA_ENOMEM,
		    "store %s: out of memory reading %s", t->s->path, what);
	if (rc != CA_OK)
		return store_txn_fail(t, CA_EDB,
		    "store %s: %s record is damaged (bad length at byte %zu)",
		    t->s->path, what, d->off);
	return CA_OK;
}

/* Put an encoded record on the chain; an encoder failure sticks too. */
int
store_w_put_enc(struct store_wtxn *w, enum store_db db, const void *k,
    size_t klen, struct store_enc *e, unsigned flags, const char *what)
{
	int rc;

	if (e->err)
		rc = store_w_fail(w, e->err, "store %s: %s: cannot encode",
		    w->t.s->path, what);
	else
		rc = store_w_put(w, db, k, klen, e->p, e->len, flags, what);
	store_enc_free(e);
	return rc;
}

/*
 * Decode a by_revocation value; see store_int.h. Here, below the files
 * that read by_revocation (cert, delete, iter, crlidx), so none of them
 * calls a sibling that calls it back.
 */
int
store_rev_value_decode(struct store_txn *t, const MDB_val *v,
    struct store_rev_value *rv)
{
	struct store_dec d;
	int rc;

	memset(rv, 0, sizeof(*rv));
	if ((rc = store_t_dec_init(t, &d, v, STORE_REC_REVOCATION,
	    "revocation entry")) != CA_OK)
		return rc;
	rv->current = (int)store_dec_u8(&d);
	rv->reason = (int)store_dec_u8(&d);
	rv->invalidity = store_dec_i64(&d);
	rv->not_after = store_dec_i64(&d);
	/* Version 1 entries predate commit-order numbers: they read as 0. */
	if (d.version >= 2)
		rv->seq = store_dec_u64(&d);
	return store_t_dec_end(t, &d, "revocation entry");
}

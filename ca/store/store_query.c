/*
 * The by_issued index (notBefore ‖ serial, schema 2): newest-first walks
 * for the management API's certificate lists with cursor paging, and the
 * schema 1 -> 2 migration that builds the index from the certs database.
 * Walks run on any thread in the caller's read transaction; the migration
 * runs in the opening write transaction of store_open.
 */
#include <stdlib.h>
#include <string.h>

#include "ca/store/store_int.h"

/* Order two positions newest first; see store.h. */
int
store_issued_cmp(const struct store_issued_pos *a,
    const struct store_issued_pos *b)
{
	unsigned char ka[8 + STORE_SERIAL_MAX], kb[8 + STORE_SERIAL_MAX];
	size_t la, lb;
	int c;

	la = store_issuedkey(ka, a->not_before, a->serial, a->serial_len);
	lb = store_issuedkey(kb, b->not_before, b->serial, b->serial_len);
	c = memcmp(ka, kb, la < lb ? la : lb);
	if (c == 0)
		c = la < lb ? -1 : la > lb;
	return -c;	/* larger keys are newer */
}

/* Schema 1 -> 2: one by_issued entry per certificate record. */
int
store_migrate_by_issued(struct store_wtxn *w)
{
	static const unsigned char one[1] = { STORE_REC_INDEX };
	unsigned char key[8 + STORE_SERIAL_MAX];
	struct store_cert c;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int mrc;

	if ((mrc = mdb_cursor_open(w->t.txn, w->t.s->dbi[STORE_DB_CERTS],
	    &cur)) != 0)
		return store_w_stick(w, store_txn_mdb(&w->t, mrc,
		    "cursor certs"));
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0 &&
	    w->rc == CA_OK; mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (store_get_cert(&w->t, k.mv_data, k.mv_size, &c) != CA_OK) {
			store_w_stick(w, CA_EDB);
			break;
		}
		store_w_put(w, STORE_DB_BY_ISSUED, key, store_issuedkey(key,
		    c.not_before, c.serial, c.serial_len), one, sizeof(one),
		    0, "migrate: put issued entry");
		store_cert_clear(&c);
	}
	if (mrc != 0 && mrc != MDB_NOTFOUND && w->rc == CA_OK)
		store_w_stick(w, store_txn_mdb(&w->t, mrc, "walk certs"));
	mdb_cursor_close(cur);
	return w->rc;
}

/* Position c on the newest entry strictly before key (klen bytes). */
static int
seek_before(MDB_cursor *c, const unsigned char *key, size_t klen, MDB_val *k,
    MDB_val *v)
{
	int mrc;

	k->mv_data = (void *)key;
	k->mv_size = klen;
	mrc = mdb_cursor_get(c, k, v, MDB_SET_RANGE);
	if (mrc == MDB_NOTFOUND)
		return mdb_cursor_get(c, k, v, MDB_LAST);
	if (mrc != 0)
		return mrc;
	return mdb_cursor_get(c, k, v, MDB_PREV);
}

/* Walk by_issued newest first; see store.h. */
int
store_iter_issued(struct store_txn *t, const struct store_issued_pos *after,
    int64_t from, int64_t to, store_cert_cb cb, void *arg)
{
	unsigned char start[8 + STORE_SERIAL_MAX];
	struct store_cert cert;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	size_t slen;
	int64_t nb;
	int mrc, rc = CA_OK;

	if (t->s->no_by_issued)
		return store_txn_fail(t, CA_ESTATE, "store %s: schema 1 has no "
		    "by_issued index; open it once with entcad to upgrade",
		    t->s->path);
	if (after != NULL && after->not_before < to) {
		if (after->serial_len > STORE_SERIAL_MAX)
			return store_txn_fail(t, CA_EINVAL, "store %s: list "
			    "position: serial too long", t->s->path);
		slen = store_issuedkey(start, after->not_before,
		    after->serial, after->serial_len);
	} else {
		if (to == INT64_MIN)
			return CA_OK;
		store_be_time(start, to);
		slen = 8;
	}
	if ((mrc = mdb_cursor_open(t->txn, t->s->dbi[STORE_DB_BY_ISSUED],
	    &c)) != 0)
		return store_txn_mdb(t, mrc, "cursor by_issued");
	for (mrc = seek_before(c, start, slen, &k, &v); mrc == 0;
	    mrc = mdb_cursor_get(c, &k, &v, MDB_PREV)) {
		if (k.mv_size < 9 || k.mv_size > 8 + STORE_SERIAL_MAX) {
			rc = store_txn_fail(t, CA_EDB, "store %s: by_issued key "
			    "of %zu bytes", t->s->path, k.mv_size);
			goto out;
		}
		if ((nb = store_rd_time(k.mv_data)) < from)
			break;
		rc = store_get_cert(t, (const unsigned char *)k.mv_data + 8,
		    k.mv_size - 8, &cert);
		if (rc == CA_ENOTFOUND) {
			rc = CA_OK;	/* a record removed without its entry */
			continue;
		}
		if (rc != CA_OK)
			goto out;
		/* The record's own time is authoritative for paging. */
		cert.not_before = nb;
		rc = cb(&cert, arg);
		store_cert_clear(&cert);
		if (rc != 0)
			goto out;
	}
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_txn_mdb(t, mrc, "walk by_issued");
out:
	mdb_cursor_close(c);
	return rc;
}

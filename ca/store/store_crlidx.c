/*
 * The CRL index (schema 3): every currently revoked serial with what its
 * CRL entry needs, packed for the full-CRL walk. by_revocation keeps the
 * history; rev_seq (change seq -> by_revocation key, written with each
 * change by ca/store/store_cert.c) lets a delta CRL read only the changes
 * after its base instead of all of by_revocation.
 *
 * Why packed: LMDB allocates pages in commit order, so the leaf pages of
 * any small index are scattered among the certificate records (~3 KB
 * each). A cold walk faults every leaf page, and the kernel maps the 64 KB
 * around each fault (fault-around): walking 1M by_revocation entries
 * mapped 1.1 GB of certificate pages and took most of the CRL's time.
 * Here entries live in chunks: one LMDB value of at most
 * STORE_CRLIDX_CHUNK_MAX fixed-size entries, sorted by serial, under the
 * key of the chunk's lowest serial (a chunk with key K holds the serials
 * from K up to the next chunk's key, in LMDB's key order: memcmp, then
 * shorter first). A chunk past a page is one run of contiguous overflow
 * pages, so the walk reads ~1,400 runs for 1M entries instead of faulting
 * ~20,000 scattered pages, and it gives each run's mapping back once read.
 *
 * Chunk value, version 1: u8 version, then entries of STORE_CRLIDX_ENTRY
 * bytes: u8 serial length, serial zero-padded to STORE_SERIAL_MAX, i64
 * revocation time, u8 reason, i64 invalidity date, i64 notAfter.
 *
 * Kept in the same write transaction as the revocation that changes it
 * (ca/store/store_cert.c); the walk runs on any thread with its own read
 * transaction.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ca/store/store_int.h"

#define CRLIDX_VERSION 1
#define CRLIDX_ENTRY (1 + STORE_SERIAL_MAX + 8 + 1 + 8 + 8)
/* Entries per chunk before it splits in two: ~32 KB, 8 pages. */
#define CRLIDX_CHUNK_MAX 704

/* LMDB's default key order: memcmp over the shorter, then shorter first. */
static int
serial_cmp(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Encode one entry at p. */
static void
entry_put(unsigned char *p, const unsigned char *serial, size_t len,
    int64_t at, int reason, int64_t invalidity, int64_t not_after)
{
	memset(p, 0, CRLIDX_ENTRY);
	p[0] = (unsigned char)len;
	memcpy(p + 1, serial, len);
	store_be64(p + 1 + STORE_SERIAL_MAX, (uint64_t)at);
	p[1 + STORE_SERIAL_MAX + 8] = (unsigned char)reason;
	store_be64(p + 1 + STORE_SERIAL_MAX + 9, (uint64_t)invalidity);
	store_be64(p + 1 + STORE_SERIAL_MAX + 17, (uint64_t)not_after);
}

/* Index of serial in the n entries at e, or of where it would go. */
static size_t
entry_find(const unsigned char *e, size_t n, const unsigned char *serial,
    size_t len, int *found)
{
	size_t lo = 0, hi = n;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const unsigned char *p = e + mid * CRLIDX_ENTRY;
		int c = serial_cmp(p + 1, p[0], serial, len);

		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Check a chunk's key and value shape; *n gets its entry count. Returns
 * CA_OK, or CA_EDB with the refusal on t (read, write and walk alike).
 */
static int
chunk_check(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    size_t *n)
{
	const unsigned char *p = v->mv_data;

	if (k->mv_size == 0 || k->mv_size > STORE_SERIAL_MAX ||
	    v->mv_size < 1 + CRLIDX_ENTRY || p[0] != CRLIDX_VERSION ||
	    (v->mv_size - 1) % CRLIDX_ENTRY != 0)
		goto damaged;
	*n = (v->mv_size - 1) / CRLIDX_ENTRY;
	for (size_t i = 0; i < *n; i++) {
		unsigned len = p[1 + i * CRLIDX_ENTRY];

		if (len == 0 || len > STORE_SERIAL_MAX)
			goto damaged;
	}
	return CA_OK;
damaged:
	return store_txn_fail(t, CA_EDB, "store %s: CRL index chunk of %zu "
	    "bytes is damaged", t->s->path, v->mv_size);
}

/*
 * Position c on the chunk that holds (or would hold) serial: the greatest
 * key <= serial, else the first chunk. *rekey is set when serial sorts
 * before every key (the first chunk must take serial as its key). Returns
 * 0, MDB_NOTFOUND (no chunk at all) or an LMDB code.
 */
static int
chunk_seek(MDB_cursor *c, const unsigned char *serial, size_t len,
    MDB_val *k, MDB_val *v, int *rekey)
{
	int mrc;

	*rekey = 0;
	k->mv_data = (void *)serial;
	k->mv_size = len;
	mrc = mdb_cursor_get(c, k, v, MDB_SET_RANGE);
	if (mrc == MDB_NOTFOUND)
		return mdb_cursor_get(c, k, v, MDB_LAST);
	if (mrc != 0)
		return mrc;
	if (serial_cmp(k->mv_data, k->mv_size, serial, len) == 0)
		return 0;
	mrc = mdb_cursor_get(c, k, v, MDB_PREV);
	if (mrc == MDB_NOTFOUND) {
		*rekey = 1;
		return mdb_cursor_get(c, k, v, MDB_FIRST);
	}
	return mrc;
}

/*
 * The chunk of w's index that holds (or would hold) serial, for put and
 * del: its key copied into key (*klen; serial itself when there is no
 * chunk, the key a first chunk takes), its value borrowed in *v (valid
 * until the next put), its entry count in *n, *rekey as chunk_seek says.
 * Returns 1, 0 when the index is empty (*v empty, *n 0), or the failure,
 * stuck on w (a damaged chunk included).
 */
static int
chunk_find(struct store_wtxn *w, const unsigned char *serial, size_t len,
    unsigned char *key, size_t *klen, MDB_val *v, size_t *n, int *rekey)
{
	MDB_cursor *c = NULL;
	MDB_val k;
	int mrc;

	*n = 0;
	*rekey = 0;
	if (w->rc != CA_OK)
		return w->rc;
	if ((mrc = mdb_cursor_open(w->t.txn, w->t.s->dbi[STORE_DB_CRL_INDEX],
	    &c)) != 0)
		return store_w_stick(w, store_txn_mdb(&w->t, mrc,
		    "cursor crl_index"));
	mrc = chunk_seek(c, serial, len, &k, v, rekey);
	mdb_cursor_close(c);
	if (mrc == MDB_NOTFOUND) {
		v->mv_data = NULL;
		v->mv_size = 0;
		*klen = len;
		memcpy(key, serial, len);
		return 0;
	}
	if (mrc != 0)
		return store_w_stick(w, store_txn_mdb(&w->t, mrc,
		    "walk crl_index"));
	if (chunk_check(&w->t, &k, v, n) != CA_OK)
		return store_w_stick(w, CA_EDB);
	*klen = k.mv_size;
	memcpy(key, k.mv_data, k.mv_size);
	return 1;
}

/*
 * A heap copy of chunk value v (empty: a new chunk) with room for one
 * more entry, for the caller to change and write back: the value itself
 * dies with the first put. The caller frees it; NULL (stuck on w) when
 * out of memory.
 */
static unsigned char *
chunk_dup(struct store_wtxn *w, const MDB_val *v)
{
	size_t size = v->mv_size != 0 ? v->mv_size : 1;
	unsigned char *buf = malloc(size + CRLIDX_ENTRY);

	if (buf == NULL) {
		store_w_fail(w, CA_ENOMEM, "store %s: out of memory",
		    w->t.s->path);
		return NULL;
	}
	if (v->mv_size != 0)
		memcpy(buf, v->mv_data, v->mv_size);
	return buf;
}

/* Put chunk bytes (version byte added) of n entries under key. */
static int
chunk_write(struct store_wtxn *w, const unsigned char *key, size_t klen,
    unsigned char *buf, size_t n)
{
	buf[0] = CRLIDX_VERSION;
	return store_w_put(w, STORE_DB_CRL_INDEX, key, klen, buf,
	    1 + n * CRLIDX_ENTRY, 0, "put CRL index chunk");
}

/* Insert or replace serial's entry; see store_int.h. */
int
store_crlidx_put(struct store_wtxn *w, const unsigned char *serial,
    size_t len, int64_t at, int reason, int64_t invalidity, int64_t not_after)
{
	unsigned char key[STORE_SERIAL_MAX], *buf, *e;
	MDB_val v;
	size_t klen, n, i;
	int rc, rekey, found;

	/* No chunk yet: the first revocation makes a chunk of one. */
	if ((rc = chunk_find(w, serial, len, key, &klen, &v, &n, &rekey)) < 0)
		return rc;
	if ((buf = chunk_dup(w, &v)) == NULL)
		return w->rc;
	e = buf + 1;
	i = entry_find(e, n, serial, len, &found);
	if (!found) {
		memmove(e + (i + 1) * CRLIDX_ENTRY, e + i * CRLIDX_ENTRY,
		    (n - i) * CRLIDX_ENTRY);
		n++;
	}
	entry_put(e + i * CRLIDX_ENTRY, serial, len, at, reason, invalidity,
	    not_after);
	if (rekey) {
		store_w_del(w, STORE_DB_CRL_INDEX, key, klen,
		    "rekey CRL index chunk");
		klen = len;
		memcpy(key, serial, len);
	}
	if (n <= CRLIDX_CHUNK_MAX) {
		chunk_write(w, key, klen, buf, n);
	} else {
		/* Split: the upper half under its own lowest serial. */
		size_t half = n / 2;
		unsigned char *up = e + half * CRLIDX_ENTRY - 1;
		unsigned char hkey[STORE_SERIAL_MAX], save;
		size_t hlen = up[1];

		memcpy(hkey, up + 2, hlen);
		save = *up;
		chunk_write(w, hkey, hlen, up, n - half);
		*up = save;
		chunk_write(w, key, klen, buf, half);
	}
	free(buf);
	return w->rc;
}

/* Remove serial's entry if it has one; see store_int.h. */
int
store_crlidx_del(struct store_wtxn *w, const unsigned char *serial,
    size_t len)
{
	unsigned char key[STORE_SERIAL_MAX], *buf;
	MDB_val v;
	size_t klen, n, i;
	int rc, rekey, found;

	rc = chunk_find(w, serial, len, key, &klen, &v, &n, &rekey);
	if (rc < 0)
		return rc;
	if (rc == 0 || rekey)
		return CA_OK;	/* before every chunk: not there */
	i = entry_find((const unsigned char *)v.mv_data + 1, n, serial, len,
	    &found);
	if (!found)
		return CA_OK;
	if (n == 1)
		return store_w_del(w, STORE_DB_CRL_INDEX, key, klen,
		    "delete CRL index chunk");
	if ((buf = chunk_dup(w, &v)) == NULL)
		return w->rc;
	memmove(buf + 1 + i * CRLIDX_ENTRY, buf + 1 + (i + 1) * CRLIDX_ENTRY,
	    (n - i - 1) * CRLIDX_ENTRY);
	/* The key stays: it is still <= every serial the chunk holds. */
	chunk_write(w, key, klen, buf, n - 1);
	free(buf);
	return w->rc;
}

/* Schema 2 -> 3: the index from by_revocation's current revocations. */
int
store_migrate_crl_index(struct store_wtxn *w)
{
	struct store_rev_value rv;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int mrc;

	/* A rerun after a failed one starts from nothing. */
	if ((mrc = mdb_drop(w->t.txn, w->t.s->dbi[STORE_DB_CRL_INDEX], 0)) != 0 ||
	    (mrc = mdb_drop(w->t.txn, w->t.s->dbi[STORE_DB_REV_SEQ], 0)) != 0)
		return store_w_stick(w, store_txn_mdb(&w->t, mrc,
		    "empty crl_index"));
	if ((mrc = mdb_cursor_open(w->t.txn,
	    w->t.s->dbi[STORE_DB_BY_REVOCATION], &cur)) != 0)
		return store_w_stick(w, store_txn_mdb(&w->t, mrc,
		    "cursor by_revocation"));
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0 &&
	    w->rc == CA_OK; mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const unsigned char *kp = k.mv_data;

		if (!store_revkey_size_ok(k.mv_size)) {
			store_w_fail(w, CA_EDB, "store %s: migrate: "
			    "by_revocation key of %zu bytes", w->t.s->path,
			    k.mv_size);
			break;
		}
		if (store_rev_value_decode(&w->t, &v, &rv) != CA_OK) {
			store_w_stick(w, CA_EDB);
			break;
		}
		/* Version 1 entries have no seq: a delta never lists them
		 * (seq 0 is never after a base), with or without rev_seq. */
		if (rv.seq != 0) {
			unsigned char sk[8];

			store_be64(sk, rv.seq);
			store_w_put(w, STORE_DB_REV_SEQ, sk, sizeof(sk),
			    k.mv_data, k.mv_size, 0, "migrate: put seq entry");
		}
		if (!rv.current || kp[k.mv_size - 1] != STORE_REVKEY_REVOKED)
			continue;
		store_crlidx_put(w, kp + 8, k.mv_size - 9, store_rd_time(kp),
		    rv.reason, rv.invalidity, rv.not_after);
	}
	if (mrc != 0 && mrc != MDB_NOTFOUND && w->rc == CA_OK)
		store_w_stick(w, store_txn_mdb(&w->t, mrc, "walk by_revocation"));
	mdb_cursor_close(cur);
	return w->rc;
}

/*
 * Give back the mapping of the chunks the walk has read (see the header)
 * in batches: one madvise over the span of the chunks read since the last
 * one, once they add up to CRLIDX_RELEASE_BYTES, or at the end (a call per
 * chunk cost more than the faults it saved). Only inside the map: a write
 * transaction's own dirty pages are heap and never touched. The span may
 * cover other records' pages too: dropping a shared file mapping only
 * costs whoever reads them next a fault, never data.
 */
#define CRLIDX_RELEASE_BYTES ((size_t)512 << 10)

static void
chunk_release(struct store_crlidx_walk *cw, const unsigned char *p,
    size_t len, int flush)
{
	uintptr_t page = (uintptr_t)cw->pagesize, a = (uintptr_t)p;
	uintptr_t lo = (uintptr_t)cw->map, hi = lo + cw->mapsize, s, e;

	if (cw->map == NULL)
		return;
	if (p != NULL && a >= lo && a + len <= hi) {
		if (cw->span_lo == 0 || a < cw->span_lo)
			cw->span_lo = a;
		if (a + len > cw->span_hi)
			cw->span_hi = a + len;
		cw->span_bytes += len;
	}
	if (cw->span_lo == 0 || (!flush && cw->span_bytes < CRLIDX_RELEASE_BYTES))
		return;
	s = cw->span_lo & ~(page - 1);
	e = (cw->span_hi + page - 1) & ~(page - 1);
	(void)madvise((void *)s, e - s, MADV_DONTNEED);
	cw->span_lo = cw->span_hi = 0;
	cw->span_bytes = 0;
}

/* Open the walk's cursor; see store_int.h. */
int
store_crlidx_walk_open(struct store_txn *t, struct store_crlidx_walk *cw)
{
	int mrc;

	memset(cw, 0, sizeof(*cw));
	if ((mrc = mdb_cursor_open(t->txn, t->s->dbi[STORE_DB_CRL_INDEX],
	    &cw->c)) != 0)
		return store_txn_mdb(t, mrc, "cursor crl_index");
	/* The read transaction holds map_lock: the map stays where it is. */
	if (store_map_range(t->s, &cw->map, &cw->mapsize) != CA_OK)
		cw->map = NULL;
	cw->pagesize = (size_t)sysconf(_SC_PAGESIZE);
	return CA_OK;
}

/* Next entry with notAfter >= min_not_after; see store_int.h. */
int
store_crlidx_walk_next(struct store_txn *t, struct store_crlidx_walk *cw,
    int64_t min_not_after, struct store_revoked *e)
{
	MDB_val k, v;
	int mrc;

	for (;;) {
		while (cw->i < cw->n) {
			const unsigned char *p = cw->entries +
			    cw->i++ * CRLIDX_ENTRY;
			int64_t na = (int64_t)store_rd64(p + 1 +
			    STORE_SERIAL_MAX + 17);

			if (na < min_not_after)
				continue;
			memset(e, 0, sizeof(*e));
			e->serial = p + 1;
			e->serial_len = p[0];
			e->kind = STORE_CHANGE_REVOKED;
			e->changed_at = (int64_t)store_rd64(p + 1 +
			    STORE_SERIAL_MAX);
			e->reason = p[1 + STORE_SERIAL_MAX + 8];
			e->invalidity_date = (int64_t)store_rd64(p + 1 +
			    STORE_SERIAL_MAX + 9);
			e->not_after = na;
			return 1;
		}
		if (cw->ended)
			return 0;
		if (cw->entries != NULL)
			chunk_release(cw, cw->entries - 1,
			    1 + cw->n * CRLIDX_ENTRY, 0);
		mrc = mdb_cursor_get(cw->c, &k, &v, cw->started ? MDB_NEXT :
		    MDB_FIRST);
		cw->started = 1;
		cw->entries = NULL;
		cw->n = cw->i = 0;
		if (mrc == MDB_NOTFOUND) {
			cw->ended = 1;
			chunk_release(cw, NULL, 0, 1);
			return 0;
		}
		if (mrc != 0)
			return store_txn_mdb(t, mrc, "walk crl_index");
		if ((mrc = chunk_check(t, &k, &v, &cw->n)) != CA_OK)
			return mrc;
		cw->entries = (const unsigned char *)v.mv_data + 1;
	}
}

/* Start again from the first chunk. */
void
store_crlidx_walk_rewind(struct store_crlidx_walk *cw)
{
	chunk_release(cw, NULL, 0, 1);
	cw->started = cw->ended = 0;
	cw->entries = NULL;
	cw->n = cw->i = 0;
}

/* Close the cursor (a zeroed walk accepted). */
void
store_crlidx_walk_close(struct store_crlidx_walk *cw)
{
	chunk_release(cw, NULL, 0, 1);
	if (cw->c != NULL)
		mdb_cursor_close(cw->c);
	cw->c = NULL;
}

/*
 * Walks over the store's indexes: the by_revocation cursor that CRL
 * encoders stream from (full: every current revocation of an unexpired
 * certificate; delta: every current change after a time), by_expiry ranges
 * and by_subject lookups, plus the key builders those indexes share with
 * ca/store/store_cert.c. Nothing is loaded beyond the current entry. Iterators
 * belong to the transaction they were opened on and to its thread.
 */
#include <stdlib.h>
#include <string.h>

#include "ca/store/store_int.h"

struct store_rev_iter {
	struct store_txn *t;
	MDB_cursor *c;
	struct store_crlidx_walk cw;	/* the full CRL, schema 3 */
	int use_index;
	int use_seq;			/* the seq delta through rev_seq */
	int mode;
	int64_t arg;
	int started;
	int ended;
};

/* Build a by_revocation key; see store_int.h. */
size_t
store_revkey(unsigned char *key, int64_t at, const unsigned char *serial,
    size_t len, int kind)
{
	store_be_time(key, at);
	memcpy(key + 8, serial, len);
	key[8 + len] = (unsigned char)kind;
	return 8 + len + 1;
}

/* ASCII lower case of one byte (other bytes unchanged). */
static unsigned char
lower(unsigned char ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* The letter a subject kind starts its keys with. */
static unsigned char
subject_letter(int kind)
{
	static const unsigned char letters[STORE_SUBJECT_COUNT] = {
		[STORE_SUBJECT_SID] = 's',
		[STORE_SUBJECT_UPN] = 'u',
		[STORE_SUBJECT_DNS] = 'd',
	};

	return letters[kind];
}

/* Build kind ‖ lower(name) ‖ NUL (the subject prefix); returns length. */
static size_t
subject_prefix(unsigned char *key, int kind, const char *name)
{
	size_t n = strlen(name);

	key[0] = subject_letter(kind);
	for (size_t i = 0; i < n; i++)
		key[1 + i] = lower((unsigned char)name[i]);
	key[1 + n] = '\0';
	return n + 2;
}

/* Build a by_issued key; see store_int.h. */
size_t
store_issuedkey(unsigned char *key, int64_t not_before,
    const unsigned char *serial, size_t len)
{
	store_be_time(key, not_before);
	memcpy(key + 8, serial, len);
	return 8 + len;
}

/* Build a by_subject key; see store_int.h. name < STORE_NAME_MAX bytes. */
size_t
store_subjkey(unsigned char *key, int kind, const char *name,
    const unsigned char *serial, size_t len)
{
	size_t n = subject_prefix(key, kind, name);

	memcpy(key + n, serial, len);
	return n + len;
}

/* Open a by_revocation cursor; see store.h. */
int
store_rev_iter_new(struct store_txn *t, int mode, int64_t arg,
    struct store_rev_iter **out)
{
	struct store_rev_iter *it;
	int mrc;

	*out = NULL;
	if (mode < 0 || mode >= STORE_ITER_COUNT)
		return store_txn_fail(t, CA_EINVAL, "store %s: iterator mode "
		    "%d", t->s->path, mode);
	if ((it = calloc(1, sizeof(*it))) == NULL)
		return store_txn_fail(t, CA_ENOMEM, "store %s: out of memory",
		    t->s->path);
	/* The full CRL reads the packed index (store_crlidx.c). */
	if (mode == STORE_ITER_REVOKED && !t->s->no_crl_index) {
		if ((mrc = store_crlidx_walk_open(t, &it->cw)) != CA_OK) {
			free(it);
			return mrc;
		}
		it->use_index = 1;
		it->t = t;
		it->mode = mode;
		it->arg = arg;
		*out = it;
		return CA_OK;
	}
	/* The seq delta reads only the changes after arg (rev_seq). */
	it->use_seq = mode == STORE_ITER_CHANGES_SEQ && !t->s->no_crl_index;
	if ((mrc = mdb_cursor_open(t->txn, t->s->dbi[it->use_seq ?
	    STORE_DB_REV_SEQ : STORE_DB_BY_REVOCATION], &it->c)) != 0) {
		int seq = it->use_seq;

		free(it);
		return store_txn_mdb(t, mrc, seq ? "cursor rev_seq" :
		    "cursor by_revocation");
	}
	it->t = t;
	it->mode = mode;
	it->arg = arg;
	*out = it;
	return CA_OK;
}

/*
 * Position at the first candidate entry of the iterator's mode: the first change
 * after arg (a time in by_revocation, a seq in rev_seq), else the start.
 */
static int
rev_iter_first(struct store_rev_iter *it, MDB_val *k, MDB_val *v)
{
	unsigned char start[8];

	if (it->mode != STORE_ITER_CHANGES && !it->use_seq)
		return mdb_cursor_get(it->c, k, v, MDB_FIRST);
	if (it->arg == INT64_MAX)
		return MDB_NOTFOUND;
	if (it->use_seq)
		store_be64(start, (uint64_t)it->arg + 1);
	else
		store_be_time(start, it->arg + 1);
	k->mv_data = start;
	k->mv_size = sizeof(start);
	return mdb_cursor_get(it->c, k, v, MDB_SET_RANGE);
}

/* Fill e from a by_revocation key (time, serial, kind) and its value. */
static void
rev_entry_fill(struct store_revoked *e, const MDB_val *key,
    const struct store_rev_value *rv)
{
	const unsigned char *kp = key->mv_data;

	memset(e, 0, sizeof(*e));
	e->serial = kp + 8;
	e->serial_len = key->mv_size - 9;
	e->kind = kp[key->mv_size - 1] == STORE_REVKEY_REVOKED ?
	    STORE_CHANGE_REVOKED : STORE_CHANGE_UNREVOKED;
	e->changed_at = store_rd_time(kp);
	e->reason = rv->reason;
	e->invalidity_date = rv->invalidity;
	e->not_after = rv->not_after;
	e->seq = rv->seq;
}

/*
 * The seq delta's row of rev_seq (seq -> by_revocation key): the change
 * if its by_revocation entry is still there, current, and still this
 * change (a later change in the same second overwrites the entry: it is
 * listed under its own seq). Serial and time come from the rev_seq value
 * (in the map). 1 with *e filled, 0 to skip the row, or a failure on t.
 */
static int
rev_row_seq(struct store_rev_iter *it, const MDB_val *k, const MDB_val *v,
    struct store_revoked *e)
{
	struct store_rev_value rv;
	MDB_val rk;
	int rc;

	if (k->mv_size != 8 || !store_revkey_size_ok(v->mv_size))
		return store_txn_fail(it->t, CA_EDB, "store %s: rev_seq entry "
		    "of %zu/%zu bytes", it->t->s->path, k->mv_size, v->mv_size);
	rc = store_t_get(it->t, STORE_DB_BY_REVOCATION, v->mv_data,
	    v->mv_size, &rk, "get revocation entry");
	if (rc == CA_ENOTFOUND)
		return 0;	/* deleted with its certificate */
	if (rc != CA_OK)
		return rc;
	if ((rc = store_rev_value_decode(it->t, &rk, &rv)) != CA_OK)
		return rc;
	if (!rv.current || rv.seq != store_rd64(k->mv_data))
		return 0;
	rev_entry_fill(e, v, &rv);
	return 1;
}

/*
 * A row of by_revocation: the entry if it is current and the
 * iterator's mode wants it. 1 with *e filled, 0 to skip the row, or a failure on t.
 */
static int
rev_row(struct store_rev_iter *it, const MDB_val *k, const MDB_val *v,
    struct store_revoked *e)
{
	struct store_rev_value rv;
	int rc, kind;

	if (!store_revkey_size_ok(k->mv_size))
		return store_txn_fail(it->t, CA_EDB, "store %s: by_revocation "
		    "key of %zu bytes", it->t->s->path, k->mv_size);
	if ((rc = store_rev_value_decode(it->t, v, &rv)) != CA_OK)
		return rc;
	kind = ((const unsigned char *)k->mv_data)[k->mv_size - 1];
	if (!rv.current)
		return 0;
	if (it->mode == STORE_ITER_REVOKED &&
	    (kind != STORE_REVKEY_REVOKED || rv.not_after < it->arg))
		return 0;
	if (it->mode == STORE_ITER_CHANGES_SEQ && rv.seq <= (uint64_t)it->arg)
		return 0;
	rev_entry_fill(e, k, &rv);
	return 1;
}

/* Step to the next entry the mode yields; see store.h. */
int
store_rev_iter_next(struct store_rev_iter *it, struct store_revoked *e)
{
	MDB_val k, v;
	int mrc, rc;

	if (it->use_index)
		return store_crlidx_walk_next(it->t, &it->cw, it->arg, e);
	if (it->ended)
		return 0;
	do {
		if (!it->started) {
			it->started = 1;
			mrc = rev_iter_first(it, &k, &v);
		} else
			mrc = mdb_cursor_get(it->c, &k, &v, MDB_NEXT);
		if (mrc == MDB_NOTFOUND) {
			it->ended = 1;
			return 0;
		}
		if (mrc != 0)
			return store_txn_mdb(it->t, mrc, it->use_seq ?
			    "walk rev_seq" : "walk by_revocation");
		rc = it->use_seq ? rev_row_seq(it, &k, &v, e) :
		    rev_row(it, &k, &v, e);
	} while (rc == 0);
	return rc;
}

/* Start the walk again on the same snapshot. */
void
store_rev_iter_rewind(struct store_rev_iter *it)
{
	it->started = 0;
	it->ended = 0;
	if (it->use_index)
		store_crlidx_walk_rewind(&it->cw);
}

/* Close the cursor and free it (NULL accepted). */
void
store_rev_iter_free(struct store_rev_iter *it)
{
	if (it == NULL)
		return;
	if (it->use_index)
		store_crlidx_walk_close(&it->cw);
	else
		mdb_cursor_close(it->c);
	free(it);
}

/* The callback form of store_rev_iter_new; see store.h. */
int
store_iter_rev(struct store_txn *t, int mode, int64_t arg,
    store_revoked_cb cb, void *cbarg)
{
	struct store_rev_iter *it = NULL;
	struct store_revoked e;
	int rc;

	if ((rc = store_rev_iter_new(t, mode, arg, &it)) != CA_OK || it == NULL)
		return rc != CA_OK ? rc : CA_EINVAL;
	while ((rc = store_rev_iter_next(it, &e)) == 1)
		if ((rc = cb(&e, cbarg)) != 0)
			break;
	store_rev_iter_free(it);
	return rc;
}

/* The last revocation change number in t's snapshot (0: none yet). */
int
store_rev_seq(struct store_txn *t, uint64_t *seq)
{
	return store_meta_u64_or_zero(t, STORE_META_REV_SEQ, seq);
}

/* Certificates with from <= not_after < to, in expiry order. */
int
store_iter_expiring(struct store_txn *t, int64_t from, int64_t to,
    store_serial_cb cb, void *arg)
{
	unsigned char start[8];
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int64_t na;
	int mrc, rc = CA_OK;

	if ((mrc = mdb_cursor_open(t->txn, t->s->dbi[STORE_DB_BY_EXPIRY],
	    &c)) != 0)
		return store_txn_mdb(t, mrc, "cursor by_expiry");
	store_be_time(start, from);
	k.mv_data = start;
	k.mv_size = sizeof(start);
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0;
	    mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < 9 || k.mv_size > 8 + STORE_SERIAL_MAX) {
			rc = store_txn_fail(t, CA_EDB, "store %s: by_expiry key "
			    "of %zu bytes", t->s->path, k.mv_size);
			goto out;
		}
		if ((na = store_rd_time(k.mv_data)) >= to)
			break;
		rc = cb((const unsigned char *)k.mv_data + 8, k.mv_size - 8,
		    na, arg);
		if (rc != 0)
			goto out;
	}
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_txn_mdb(t, mrc, "walk by_expiry");
out:
	mdb_cursor_close(c);
	return rc;
}

/* Every certificate issued to name as kind; see store.h. */
int
store_iter_subject(struct store_txn *t, int kind, const char *name,
    store_serial_cb cb, void *arg)
{
	unsigned char prefix[STORE_KEY_MAX];
	MDB_cursor *c = NULL;
	MDB_val k, v;
	size_t plen;
	int mrc, rc = CA_OK;

	if (kind < 0 || kind >= STORE_SUBJECT_COUNT || name == NULL ||
	    *name == '\0' || strlen(name) >= STORE_NAME_MAX)
		return store_txn_fail(t, CA_EINVAL, "store %s: subject query: "
		    "kind %d, name empty or longer than %d bytes", t->s->path,
		    kind, STORE_NAME_MAX - 1);
	plen = subject_prefix(prefix, kind, name);
	if ((mrc = mdb_cursor_open(t->txn, t->s->dbi[STORE_DB_BY_SUBJECT],
	    &c)) != 0)
		return store_txn_mdb(t, mrc, "cursor by_subject");
	k.mv_data = prefix;
	k.mv_size = plen;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0;
	    mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size <= plen || memcmp(k.mv_data, prefix, plen) != 0)
			break;
		if (k.mv_size - plen > STORE_SERIAL_MAX) {
			rc = store_txn_fail(t, CA_EDB, "store %s: by_subject "
			    "key of %zu bytes", t->s->path, k.mv_size);
			goto out;
		}
		rc = cb((const unsigned char *)k.mv_data + plen,
		    k.mv_size - plen, 0, arg);
		if (rc != 0)
			goto out;
	}
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_txn_mdb(t, mrc, "walk by_subject");
out:
	mdb_cursor_close(c);
	return rc;
}

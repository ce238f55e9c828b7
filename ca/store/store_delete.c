/*
 * Deleting rows (entca db cleanup, certutil -deleterow): a certificate
 * with its index entries and revocation history, and a request. Writer
 * thread, inside a job's apply() like every other write; the caller
 * decides which rows may go (CRLs still needing a revoked entry are the
 * caller's rule, see ca/tool/tool_db.c).
 */
#include <string.h>

#include "ca/store/store_int.h"

/* Slack around a certificate's own times when its history is searched. */
#define STORE_DELETE_SLACK_S 86400

/*
 * Remove every by_revocation entry (current or stale history) of serial.
 * Keys start with the change time, so only the window in which this
 * certificate can have changed is walked: from before its notBefore (or
 * first change) to after its last change.
 */
static int
delete_rev_history(struct store_wtxn *w, const struct store_cert *c)
{
	unsigned char key[STORE_REVKEY_MAX];
	int64_t from = c->not_before, to = c->revoked_at;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int mrc;

	if (c->revoked_at != 0 && c->revoked_at < from)
		from = c->revoked_at;
	if (c->unrevoked_at > to)
		to = c->unrevoked_at;
	from -= STORE_DELETE_SLACK_S;
	to += STORE_DELETE_SLACK_S;
	mrc = mdb_cursor_open(w->t.txn, w->t.s->dbi[STORE_DB_BY_REVOCATION], &cur);
	if (mrc != 0)
		return store_w_stick(w, store_txn_mdb(&w->t, mrc,
		    "open by_revocation cursor"));
	k.mv_size = store_revkey(key, from, c->serial, 0, 0);
	k.mv_data = key;
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const unsigned char *kp = k.mv_data;

		if (k.mv_size < 10 || store_rd_time(kp) > to)
			break;
		if (k.mv_size - 9 == c->serial_len &&
		    memcmp(kp + 8, c->serial, c->serial_len) == 0) {
			struct store_rev_value rv;
			unsigned char sk[8];

			/* Its rev_seq entry goes too (schema 3). */
			if (store_rev_value_decode(&w->t, &v, &rv) == CA_OK &&
			    rv.seq != 0 && !w->t.s->no_crl_index) {
				store_be64(sk, rv.seq);
				store_w_del(w, STORE_DB_REV_SEQ, sk, sizeof(sk),
				    "delete revocation seq entry");
			}
			if ((mrc = mdb_cursor_del(cur, 0)) != 0)
				break;
		}
	}
	mdb_cursor_close(cur);
	if (mrc != 0 && mrc != MDB_NOTFOUND) {
		store_w_note(w->t.s, mrc);
		return store_w_stick(w, store_txn_mdb(&w->t, mrc,
		    "delete revocation history"));
	}
	return w->rc;
}

/* Delete a certificate and its index entries; see store.h. */
int
store_w_delete_cert(struct store_wtxn *w, const unsigned char *serial,
    size_t len, uint64_t *request_id)
{
	unsigned char key[STORE_KEY_MAX];
	struct store_cert c;
	char why[CA_WHY_MAX];
	const char *names[STORE_SUBJECT_COUNT];
	int rc;

	if (w->rc != CA_OK)
		return w->rc;
	if ((rc = store_serial_check(serial, len, why, sizeof(why))) != CA_OK)
		return store_w_fail(w, rc, "store %s: %s", w->t.s->path, why);
	memset(&c, 0, sizeof(c));
	rc = store_get_cert(&w->t, serial, len, &c);
	if (rc != CA_OK)
		return store_w_stick(w, rc);
	names[STORE_SUBJECT_SID] = c.subject_sid;
	names[STORE_SUBJECT_UPN] = c.subject_upn;
	names[STORE_SUBJECT_DNS] = c.subject_dns;
	store_w_del(w, STORE_DB_CERTS, serial, len, "delete certificate");
	store_be_time(key, c.not_after);
	memcpy(key + 8, serial, len);
	store_w_del(w, STORE_DB_BY_EXPIRY, key, 8 + len, "delete expiry entry");
	store_w_del(w, STORE_DB_BY_ISSUED, key, store_issuedkey(key,
	    c.not_before, serial, len), "delete issued entry");
	for (int k = 0; k < STORE_SUBJECT_COUNT; k++)
		if (names[k][0] != '\0')
			store_w_del(w, STORE_DB_BY_SUBJECT, key,
			    store_subjkey(key, k, names[k], serial, len),
			    "delete subject entry");
	if (c.revoked_at != 0 || c.unrevoked_at != 0)
		delete_rev_history(w, &c);
	if (c.status == STORE_CERT_REVOKED) {
		store_crlidx_del(w, serial, len);
		store_w_counter_add(w, STORE_META_REVOKED, -1);
	}
	if (request_id != NULL)
		*request_id = c.request_id;
	store_cert_clear(&c);
	return w->rc;
}

/* Delete a request; see store.h. */
int
store_w_delete_request(struct store_wtxn *w, uint64_t id)
{
	struct store_request r;
	unsigned char key[8];
	int rc;

	if (w->rc != CA_OK)
		return w->rc;
	rc = store_get_request(&w->t, id, &r);
	if (rc == CA_ENOTFOUND)
		return CA_ENOTFOUND;	/* not sticky: nothing to delete */
	if (rc != CA_OK)
		return store_w_stick(w, rc);
	store_be64(key, id);
	store_w_del(w, STORE_DB_REQUESTS, key, sizeof(key), "delete request");
	if (r.status == STORE_REQ_PENDING)
		store_w_counter_add(w, STORE_META_PENDING, -1);
	store_request_clear(&r);
	return w->rc;
}

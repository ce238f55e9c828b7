/*
 * SCEP challenges and transactions in the meta database (see
 * store_scep.h). Keys are the prefix and the hex of a SHA-256; values are
 * versioned records like every other record of the store.
 */
#include <stdio.h>
#include <string.h>

#include "common/hex.h"
#include "ca/store/store_int.h"
#include "ca/store/store_scep.h"

#define STORE_REC_CHALLENGE 1
#define STORE_REC_SCEP_TX 1
#define SCEP_KEY_MAX (16 + 2 * STORE_HASH_LEN + 1)

/* "prefix" + hex(hash) into key; its length. */
static size_t
scep_key(const char *prefix, const unsigned char *hash, char *key)
{
	size_t n = strlen(prefix);

	memcpy(key, prefix, n);
	hex_encode(hash, STORE_HASH_LEN, key + n);
	return n + 2 * STORE_HASH_LEN;
}

/*
 * Put the encoded record e (freed) under "prefix" + hex(hash) in meta; an
 * encoder failure sticks on w like a put failure.
 */
static int
scep_put(struct store_wtxn *w, const char *prefix, const unsigned char *hash,
    struct store_enc *e, const char *what)
{
	char key[SCEP_KEY_MAX];
	size_t klen = scep_key(prefix, hash, key);

	return store_w_put_enc(w, STORE_DB_META, key, klen, e, 0, what);
}

/* Put a challenge record. */
int
store_w_put_challenge(struct store_wtxn *w, const struct store_challenge *c)
{
	struct store_enc e;

	if (w->rc != CA_OK)
		return w->rc;
	store_enc_init(&e, STORE_REC_CHALLENGE);
	store_enc_bytes(&e, c->hash, STORE_HASH_LEN);
	store_enc_str(&e, c->template_name);
	store_enc_str(&e, c->principal);
	store_enc_str(&e, c->issuer);
	store_enc_i64(&e, c->created);
	store_enc_i64(&e, c->expires);
	store_enc_i64(&e, c->used_at);
	store_enc_u64(&e, c->request_id);
	return scep_put(w, STORE_CHALLENGE_PREFIX, c->hash, &e, "put challenge");
}

/* Delete a challenge record. */
int
store_w_del_challenge(struct store_wtxn *w, const unsigned char *hash)
{
	char key[SCEP_KEY_MAX];
	size_t klen = scep_key(STORE_CHALLENGE_PREFIX, hash, key);

	return store_w_del(w, STORE_DB_META, key, klen, "delete challenge");
}

/* Decode one challenge value. */
static int
challenge_dec(struct store_txn *t, const MDB_val *v, struct store_challenge *c)
{
	struct store_dec d;
	size_t n;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = store_t_dec_init(t, &d, v, STORE_REC_CHALLENGE, "challenge")) != CA_OK)
		return rc;
	store_dec_fixed(&d, c->hash, sizeof(c->hash), &n);
	store_dec_str(&d, c->template_name, sizeof(c->template_name));
	store_dec_str(&d, c->principal, sizeof(c->principal));
	store_dec_str(&d, c->issuer, sizeof(c->issuer));
	c->created = store_dec_i64(&d);
	c->expires = store_dec_i64(&d);
	c->used_at = store_dec_i64(&d);
	c->request_id = store_dec_u64(&d);
	return store_t_dec_end(t, &d, "challenge");
}

/* Read a challenge by hash. */
int
store_get_challenge(struct store_txn *t, const unsigned char *hash,
    struct store_challenge *c)
{
	char key[SCEP_KEY_MAX];
	size_t klen = scep_key(STORE_CHALLENGE_PREFIX, hash, key);
	MDB_val v;
	int rc;

	rc = store_t_get(t, STORE_DB_META, key, klen, &v, "get challenge");
	if (rc != CA_OK)
		return rc;
	return challenge_dec(t, &v, c);
}

/* Walk every challenge in key order. */
int
store_iter_challenges(struct store_txn *t, store_challenge_cb cb, void *arg)
{
	size_t plen = strlen(STORE_CHALLENGE_PREFIX);
	MDB_cursor *cur = NULL;
	MDB_val k = { plen, (void *)STORE_CHALLENGE_PREFIX }, v;
	struct store_challenge c;
	int mrc, rc = CA_OK;

	if ((mrc = mdb_cursor_open(t->txn, t->s->dbi[STORE_DB_META], &cur)) != 0)
		return store_txn_mdb(t, mrc, "challenge cursor");
	for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0;
	    mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size < plen || memcmp(k.mv_data, STORE_CHALLENGE_PREFIX, plen) != 0)
			break;
		if ((rc = challenge_dec(t, &v, &c)) != CA_OK)
			break;
		if ((rc = cb(&c, arg)) != CA_OK)
			break;
	}
	if (rc == CA_OK && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_txn_mdb(t, mrc, "challenge cursor");
	mdb_cursor_close(cur);
	return rc;
}

/* Put a transaction record. */
int
store_w_put_scep_tx(struct store_wtxn *w, const struct store_scep_tx *x)
{
	struct store_enc e;

	if (w->rc != CA_OK)
		return w->rc;
	store_enc_init(&e, STORE_REC_SCEP_TX);
	store_enc_bytes(&e, x->hash, STORE_HASH_LEN);
	store_enc_u64(&e, x->request_id);
	store_enc_bytes(&e, x->key_id, STORE_HASH_LEN);
	store_enc_str(&e, x->template_name);
	return scep_put(w, STORE_SCEP_TX_PREFIX, x->hash, &e,
	    "put SCEP transaction");
}

/* Read a transaction record by hash. */
int
store_get_scep_tx(struct store_txn *t, const unsigned char *hash,
    struct store_scep_tx *x)
{
	char key[SCEP_KEY_MAX];
	size_t klen = scep_key(STORE_SCEP_TX_PREFIX, hash, key), n;
	struct store_dec d;
	MDB_val v;
	int rc;

	memset(x, 0, sizeof(*x));
	rc = store_t_get(t, STORE_DB_META, key, klen, &v, "get SCEP transaction");
	if (rc != CA_OK)
		return rc;
	if ((rc = store_t_dec_init(t, &d, &v, STORE_REC_SCEP_TX, "SCEP transaction")) != CA_OK)
		return rc;
	store_dec_fixed(&d, x->hash, sizeof(x->hash), &n);
	x->request_id = store_dec_u64(&d);
	store_dec_fixed(&d, x->key_id, sizeof(x->key_id), &n);
	store_dec_str(&d, x->template_name, sizeof(x->template_name));
	return store_t_dec_end(t, &d, "SCEP transaction");
}

/*
 * Helpers shared by the store's unit tests: a fresh temporary folder per
 * test (removed afterwards), a cmocka fixture with a store open in one, a
 * filled-in certificate record, one-shot write helpers that run a chain
 * through store_submit_wait, raw LMDB edits of a closed store (damage and
 * old schemas) and a counting walk callback.
 */
#ifndef ENTCA_TEST_STORE_UTIL_H
#define ENTCA_TEST_STORE_UTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "ca/store/store.h"

/* Remove one entry for nftw. */
static inline int
tsu_rm(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* Make a new temporary folder; returns a malloc'd path. */
static inline char *
tsu_tmpdir(void)
{
	char tmpl[] = "/tmp/entca-store-XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? strdup(d) : NULL;
}

/* Remove folder d and everything in it, and free the path. */
static inline void
tsu_rmdir(char *d)
{
	if (d != NULL)
		nftw(d, tsu_rm, 16, FTW_DEPTH | FTW_PHYS);
	free(d);
}

/* Per-test state of tsu_fx_setup: the folder and the store open in it. */
struct tsu_fx {
	char *dir;
	struct store *s;
};

/*
 * cmocka set-up: a fresh store (no fsync) in a new temporary folder that
 * store_open creates itself; *state is a struct tsu_fx. Returns 0, or -1
 * when the folder or the store cannot be made.
 */
static inline int
tsu_fx_setup(void **state)
{
	struct tsu_fx *f = calloc(1, sizeof(*f));
	struct store_options o = { .no_sync = 1 };
	char why[CA_WHY_MAX];

	if (f == NULL || (f->dir = tsu_tmpdir()) == NULL) {
		free(f);
		return -1;
	}
	rmdir(f->dir);
	if (store_open(f->dir, &o, &f->s, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "store_open: %s\n", why);
		tsu_rmdir(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

/* cmocka tear-down: close the store and remove its folder. */
static inline int
tsu_fx_teardown(void **state)
{
	struct tsu_fx *f = *state;

	store_close(f->s);
	tsu_rmdir(f->dir);
	free(f);
	return 0;
}

/* The store of a tsu_fx_setup test. */
static inline struct store *
tsu_fx_store(void **state)
{
	return ((struct tsu_fx *)*state)->s;
}

/* Fill c as a valid certificate with serial {0x01, n >> 8, n}. */
static inline void
tsu_cert(struct store_cert *c, unsigned n, int64_t not_after)
{
	static unsigned char der[64];

	memset(c, 0, sizeof(*c));
	c->serial[0] = 0x01;
	c->serial[1] = (n >> 8) & 0xff;
	c->serial[2] = n & 0xff;
	c->serial_len = 3;
	for (size_t i = 0; i < sizeof(der); i++)
		der[i] = (unsigned char)(i * 7 + n);
	c->der = der;
	c->der_len = sizeof(der);
	snprintf(c->template_name, sizeof(c->template_name), "PKCSIntune");
	snprintf(c->requester, sizeof(c->requester), "CONNECTOR$");
	snprintf(c->subject_sid, sizeof(c->subject_sid),
	    "S-1-5-21-1-2-3-%u", 1000 + n);
	snprintf(c->subject_upn, sizeof(c->subject_upn),
	    "user%u@Example.COM", n);
	snprintf(c->subject_dns, sizeof(c->subject_dns), "host%u.example.com",
	    n);
	snprintf(c->subject_dn, sizeof(c->subject_dn),
	    "CN=User\\, %u,OU=Devices,DC=example,DC=com", n);
	c->not_before = 1700000000;
	c->not_after = not_after;
	c->status = STORE_CERT_VALID;
	c->request_id = n;
}

/* apply: insert the certificate in arg. */
static inline int
tsu_apply_put_cert(struct store_wtxn *w, void *arg)
{
	return store_w_put_cert(w, arg);
}

/* Insert c and wait; returns the job's code. */
static inline int
tsu_put_cert(struct store *s, struct store_cert *c, char *why, size_t len)
{
	return store_submit_wait(s, tsu_apply_put_cert, c, why, len);
}

/* A revocation request for tsu_apply_revoke. */
struct tsu_revoke {
	const unsigned char *serial;
	size_t len;
	int reason;		/* -1: unrevoke */
	int64_t at;
	int64_t invalidity;
};

/* apply: revoke or (reason -1) unrevoke. */
static inline int
tsu_apply_revoke(struct store_wtxn *w, void *arg)
{
	struct tsu_revoke *r = arg;

	if (r->reason < 0)
		return store_w_unrevoke(w, r->serial, r->len, r->at);
	return store_w_revoke(w, r->serial, r->len, r->reason, r->at,
	    r->invalidity);
}

/* Revoke (reason >= 0) or unrevoke (reason -1) c's serial and wait. */
static inline int
tsu_revoke(struct store *s, const struct store_cert *c, int reason,
    int64_t at, char *why, size_t len)
{
	struct tsu_revoke r = { c->serial, c->serial_len, reason, at, 0 };

	return store_submit_wait(s, tsu_apply_revoke, &r, why, len);
}

/*
 * Change the closed store in dir behind its back with plain LMDB, for the
 * damage and old-schema cases: put key -> val into table db (made when
 * missing), or with key NULL delete table db. Returns 0 or the first LMDB
 * code.
 */
static inline int
tsu_raw(const char *dir, const char *db, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };
	int mrc;

	if ((mrc = mdb_env_create(&env)) != 0)
		return mrc;
	/* Room for the edit whatever size the store's map had. */
	if ((mrc = mdb_env_set_maxdbs(env, 16)) == 0 &&
	    (mrc = mdb_env_set_mapsize(env, (size_t)1 << 30)) == 0 &&
	    (mrc = mdb_env_open(env, dir, 0, 0600)) == 0 &&
	    (mrc = mdb_txn_begin(env, NULL, 0, &txn)) == 0) {
		if ((mrc = mdb_dbi_open(txn, db, MDB_CREATE, &dbi)) == 0)
			mrc = key != NULL ? mdb_put(txn, dbi, &k, &v, 0) :
			    mdb_drop(txn, dbi, 1);
		if (mrc == 0)
			mrc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
	}
	mdb_env_close(env);
	return mrc;
}

/*
 * Write schema number version (below 256) into the closed store in dir,
 * as the store encodes a meta integer: record version 1, u32 length 8,
 * big-endian u64. Returns 0 or the first LMDB code.
 */
static inline int
tsu_raw_schema(const char *dir, unsigned version)
{
	const unsigned char v[] = {
		1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, (unsigned char)version
	};

	return tsu_raw(dir, "meta", "store.schema", strlen("store.schema"), v,
	    sizeof(v));
}

/* The schema number s's snapshot reads (0 when it cannot be read). */
static inline uint64_t
tsu_schema(struct store *s)
{
	struct store_txn *t = NULL;
	char why[CA_WHY_MAX];
	uint64_t v = 0;

	if (store_read_begin(s, &t, why, sizeof(why)) != CA_OK)
		return 0;
	if (store_meta_get_u64(t, "store.schema", &v) != CA_OK)
		v = 0;
	store_read_end(t);
	return v;
}

/* A revocation walk callback that counts the entries into a size_t. */
static inline int
tsu_count_rev(const struct store_revoked *e, void *arg)
{
	(void)e;
	(*(size_t *)arg)++;
	return 0;
}

#endif

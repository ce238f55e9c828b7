/*
 * Inside the store: the struct behind struct store, the transaction layer
 * (store_txn.c: error translation, sticky write chain, store_t_get), the
 * record codec (store_codec.c: version byte + length-prefixed fields, all
 * integers big-endian, no I/O) and the key builders. Layers, lowest
 * first: codec, txn, then store/writer/meta/request/cert/iter. Only ca/store/store*.c include this.
 * Threads: see ca/store/store.h; the queue fields are guarded by lock.
 */
#ifndef ENTCA_CA_STORE_INT_H
#define ENTCA_CA_STORE_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <lmdb.h>

#include "ca/store/store.h"

/* The named databases, in a fixed order. */
enum store_db {
	STORE_DB_META,
	STORE_DB_REQUESTS,
	STORE_DB_CERTS,
	STORE_DB_BY_EXPIRY,
	STORE_DB_BY_REVOCATION,
	STORE_DB_BY_SUBJECT,
	STORE_DB_TEMPLATES,
	STORE_DB_AUDIT,
	STORE_DB_BY_ISSUED,	/* schema 2: notBefore ‖ serial, newest-first lists */
	STORE_DB_CRL_INDEX,	/* schema 3: revoked serials packed for the full CRL */
	STORE_DB_REV_SEQ,	/* schema 3: change seq -> by_revocation key */
	STORE_DB_COUNT
};

extern const char *const store_db_names[STORE_DB_COUNT];

/* Current format version of each record kind; a newer one is refused. */
#define STORE_REC_META 1
#define STORE_REC_REQUEST 1
#define STORE_REC_CERT 1
#define STORE_REC_INDEX 1
#define STORE_REC_REVOCATION 2	/* 1 had no seq */
#define STORE_REC_TEMPLATE 1
#define STORE_REC_AUDIT 1

/* The store's own meta names (the generic put refuses the prefix). */
#define STORE_META_PREFIX "store."
#define STORE_META_SCHEMA "store.schema"
#define STORE_META_NEXT_REQ "store.next_request_id"
#define STORE_META_PENDING "store.pending"
#define STORE_META_REVOKED "store.revoked"
#define STORE_META_REV_SEQ "store.revocation_seq"

/* Longest key any database uses (by_subject: kind, name, NUL, serial). */
#define STORE_KEY_MAX (1 + STORE_NAME_MAX + 1 + STORE_SERIAL_MAX)

struct store {
	MDB_env *env;
	MDB_dbi dbi[STORE_DB_COUNT];
	char path[STORE_PATH_MAX];
	char real[STORE_PATH_MAX];	/* resolved path, for the open list */
	size_t map_size;
	size_t map_max;			/* growth ceiling ([store] max-size) */
	/*
	 * Read transactions hold it shared; the writer holds it exclusive
	 * only to grow the map (mdb_env_set_mapsize needs no transaction
	 * alive in the process), between its own transactions.
	 */
	pthread_rwlock_t map_lock;
	int w_env_err;			/* writer only: first environment
					   error (not NOTFOUND/KEYEXIST) of
					   the group being run */
	int write_failing;		/* under lock: 0, or the code of the
					   last group, which failed for the
					   environment (disk, map) */
	char write_why[CA_WHY_MAX];	/* under lock: why, while failing */
	uint64_t map_grown;		/* under lock: growths since open */
	unsigned group_max;
	int read_only;
	int no_by_issued;		/* a read-only schema 1 store: the
					   by_issued index is not there */
	int no_crl_index;		/* a read-only schema 1 or 2 store:
					   no crl_index nor rev_seq, the CRL
					   walks read all of by_revocation */

	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t writer;
	int writer_started;
	struct store_job *head, *tail;
	size_t queued;
	int closing;
	uint64_t groups, jobs;

	struct store *next_open;
};

/* A transaction: reads fill why on failure and never stick. */
struct store_txn {
	struct store *s;
	MDB_txn *txn;
	char why[CA_WHY_MAX];
};

/* A write chain: the first failure sticks in rc/why until the job ends. */
struct store_wtxn {
	struct store_txn t;
	int rc;
	char why[CA_WHY_MAX];
};

/* Translate an LMDB (or errno) code once; names the store and the step. */
int store_mdb_err(const struct store *s, int mrc, const char *what,
    char *why, size_t whylen);
/* Record a read failure sentence on t and return code. */
int store_txn_fail(struct store_txn *t, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Make a failed read inside a write chain stick (copies t's why). */
int store_w_stick(struct store_wtxn *w, int code);
/* Translate mrc for txn t, recording the sentence; returns the code. */
int store_txn_mdb(struct store_txn *t, int mrc, const char *what);

/* Writer side: note an LMDB/errno failure of the running group. */
void store_w_note(struct store *s, int mrc);

/* Writer side: start and stop the thread (ca/store/store_writer.c). */
int store_writer_start(struct store *s, char *why, size_t whylen);
void store_writer_stop(struct store *s);
int store_is_writer(const struct store *s);

/* Big-endian integer and time keys (time flipped so order is numeric). */
void store_be64(unsigned char *p, uint64_t v);
uint64_t store_rd64(const unsigned char *p);
void store_be_time(unsigned char *p, int64_t t);
int64_t store_rd_time(const unsigned char *p);

/* Record encoder: grows a heap buffer; the first failure sticks in err. */
struct store_enc {
	unsigned char *p;
	size_t len, cap;
	int err;
};

void store_enc_init(struct store_enc *e, unsigned char version);
void store_enc_u8(struct store_enc *e, unsigned v);
void store_enc_u32(struct store_enc *e, uint32_t v);
void store_enc_u64(struct store_enc *e, uint64_t v);
void store_enc_i64(struct store_enc *e, int64_t v);
void store_enc_bytes(struct store_enc *e, const void *p, size_t len);
void store_enc_str(struct store_enc *e, const char *s);
void store_enc_free(struct store_enc *e);

/* Record decoder over borrowed bytes; the first failure sticks in err. */
struct store_dec {
	const unsigned char *p;
	size_t len, off;
	int err;
	unsigned version;	/* the record's version byte */
};

/*
 * store_codec.c: start decoding a record: checks the version byte against
 * max. Returns CA_OK, CA_EDB (empty, version 0) or CA_EVERSION (newer).
 */
int store_dec_init(struct store_dec *d, const MDB_val *v, unsigned max);
unsigned store_dec_u8(struct store_dec *d);
uint32_t store_dec_u32(struct store_dec *d);
uint64_t store_dec_u64(struct store_dec *d);
int64_t store_dec_i64(struct store_dec *d);
/* Copy a text field into buf (cap bytes, NUL-terminated, no inner NUL). */
void store_dec_str(struct store_dec *d, char *buf, size_t cap);
/* Copy a byte field into buf of cap bytes; *len gets its length. */
void store_dec_fixed(struct store_dec *d, void *buf, size_t cap, size_t *len);
/* Borrow a byte field of at most max bytes (points into the value). */
const unsigned char *store_dec_view(struct store_dec *d, size_t max,
    size_t *len);
/* Malloc a copy of a byte field of at most max bytes. */
unsigned char *store_dec_dup(struct store_dec *d, size_t max, size_t *len);
/* End: all bytes consumed and no error, else CA_EDB (or CA_ENOMEM). */
int store_dec_end(const struct store_dec *d);

/*
 * store_txn.c: the codec's start and end with the refusal worded on t
 * ("store P: W record version 3 is newer than this entca (2); upgrade
 * entca", "... record is damaged (bad length at byte N)").
 */
int store_t_dec_init(struct store_txn *t, struct store_dec *d,
    const MDB_val *v, unsigned max, const char *what);
int store_t_dec_end(struct store_txn *t, const struct store_dec *d,
    const char *what);

/*
 * store_txn.c: put an encoded record (e is freed; an encoder failure
 * sticks on w like a put failure, "store P: WHAT: cannot encode").
 */
int store_w_put_enc(struct store_wtxn *w, enum store_db db, const void *k,
    size_t klen, struct store_enc *e, unsigned flags, const char *what);

/* store_txn.c: put/get on the chain's txn with translation (sticky on w). */
int store_w_put(struct store_wtxn *w, enum store_db db, const void *k,
    size_t klen, const void *v, size_t vlen, unsigned flags,
    const char *what);
int store_w_del(struct store_wtxn *w, enum store_db db, const void *k,
    size_t klen, const char *what);
/* Get (borrowed value in *v, valid in t only): CA_ENOTFOUND is not logged. */
int store_t_get(struct store_txn *t, enum store_db db, const void *k,
    size_t klen, MDB_val *v, const char *what);
/*
 * How store_t_walk moves over a table whose keys are big-endian uint64
 * (requests, audit), or any table for STORE_WALK_ALL.
 */
enum store_walk {
	STORE_WALK_ALL,		/* every row, in key order */
	STORE_WALK_FROM,	/* keys >= at, ascending */
	STORE_WALK_BELOW,	/* keys < at, descending (newest first) */
	STORE_WALK_LAST,	/* the last at rows, ascending */
};

/* One row of a walk (borrowed from t); non-zero stops it and is returned. */
typedef int (*store_row_cb)(struct store_txn *t, const MDB_val *k,
    const MDB_val *v, void *arg);

/*
 * store_txn.c: walk db as how says from at, handing each row to cb. CA_OK
 * at the end, cb's non-zero return, or a translated LMDB failure
 * recorded on t ("cursor NAME", "walk NAME", name naming db).
 */
int store_t_walk(struct store_txn *t, enum store_db db, const char *name,
    enum store_walk how, uint64_t at, store_row_cb cb, void *arg);

/* Add delta to the uint64 counter meta name (never below zero). */
int store_w_counter_add(struct store_wtxn *w, const char *name,
    int64_t delta);
/* Increment the uint64 counter meta name and return its new value. */
int store_w_counter_next(struct store_wtxn *w, const char *name,
    uint64_t *v);
/* Read a uint64 meta value; missing gives 0 with CA_OK. */
int store_meta_u64_or_zero(struct store_txn *t, const char *name,
    uint64_t *v);
/* Write a meta value without the reserved-name check. */
int store_w_meta_put_raw(struct store_wtxn *w, const char *name,
    const void *val, size_t len);

/* by_revocation keys: time ‖ serial ‖ kind byte (revoked sorts first). */
#define STORE_REVKEY_REVOKED 1
#define STORE_REVKEY_UNREVOKED 2
#define STORE_REVKEY_MAX (8 + STORE_SERIAL_MAX + 1)

/* Whether n bytes can be a by_revocation key (time, serial, kind). */
static inline int
store_revkey_size_ok(size_t n)
{
	return n >= 8 + 1 + 1 && n <= STORE_REVKEY_MAX;
}
/* Hex text of a serial, NUL included. */
#define STORE_SERIAL_HEX (2 * STORE_SERIAL_MAX + 1)

/* A by_revocation value, version 1. */
struct store_rev_value {
	int current;		/* 0: stale history */
	int reason;
	int64_t invalidity;
	int64_t not_after;
	uint64_t seq;		/* commit-order number of the change */
};

/* Build a by_revocation key into key; returns its length. */
size_t store_revkey(unsigned char *key, int64_t at,
    const unsigned char *serial, size_t len, int kind);
/* Build a by_subject key (kind letter, lower-cased name, NUL, serial). */
size_t store_subjkey(unsigned char *key, int kind, const char *name,
    const unsigned char *serial, size_t len);
/* Build a by_issued key (notBefore ‖ serial); returns its length. */
size_t store_issuedkey(unsigned char *key, int64_t not_before,
    const unsigned char *serial, size_t len);
/* Schema 1 -> 2: fill by_issued from every certificate record. */
int store_migrate_by_issued(struct store_wtxn *w);

/* store_txn.c: decode a by_revocation value. */
int store_rev_value_decode(struct store_txn *t, const MDB_val *v,
    struct store_rev_value *rv);
/* Hex of a serial into buf of STORE_SERIAL_HEX bytes; returns buf. */
const char *store_serial_hex(char *buf, const unsigned char *serial,
    size_t len);

/*
 * store_crlidx.c: the CRL index (schema 3), kept by the revocation chain:
 * put inserts or replaces serial's entry, del removes it (absent: CA_OK).
 * A failure sticks on w.
 */
int store_crlidx_put(struct store_wtxn *w, const unsigned char *serial,
    size_t len, int64_t at, int reason, int64_t invalidity, int64_t not_after);
int store_crlidx_del(struct store_wtxn *w, const unsigned char *serial,
    size_t len);
/* Schema 2 -> 3: fill crl_index from by_revocation's current revocations
 * and rev_seq from every by_revocation entry that has a seq. */
int store_migrate_crl_index(struct store_wtxn *w);

/* store_trim.c: the map's address range in this process (map_lock held). */
int store_map_range(struct store *s, void **addr, size_t *len);

/* A full-CRL walk over the CRL index, for store_rev_iter (one thread). */
struct store_crlidx_walk {
	MDB_cursor *c;
	const unsigned char *entries;	/* the current chunk's, in the map */
	size_t n, i;
	int started, ended;
	void *map;			/* the map, for page release */
	size_t mapsize, pagesize;
	uintptr_t span_lo, span_hi;	/* chunks read since the last release */
	size_t span_bytes;
};

int store_crlidx_walk_open(struct store_txn *t, struct store_crlidx_walk *cw);
/* 1 with *e filled (serial borrowed until the next call), 0 at the end,
 * or a negative code with t's why set. */
int store_crlidx_walk_next(struct store_txn *t, struct store_crlidx_walk *cw,
    int64_t min_not_after, struct store_revoked *e);
void store_crlidx_walk_rewind(struct store_crlidx_walk *cw);
void store_crlidx_walk_close(struct store_crlidx_walk *cw);

#endif

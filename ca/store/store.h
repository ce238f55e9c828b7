/*
 * The store: entca's one LMDB environment. It owns the state
 * folder's data.mdb and its named databases (meta, requests, certs,
 * by_expiry, by_revocation, by_subject, templates, audit), the record
 * encoding (a version byte, then length-prefixed fields, never raw structs),
 * the single writer thread with group commit, and hot backup.
 *
 * Threads:
 * - Writes happen only on the store's writer thread. A caller fills a
 *   struct store_job and hands it to store_submit() from any thread. The
 *   writer drains the queue (up to group_max jobs) into one write
 *   transaction, runs each job's apply() in its own nested transaction (a
 *   failing apply is rolled back alone), commits the group once, and only
 *   then calls every job's done() on the writer thread. Nothing is reported
 *   as stored before the commit that holds it.
 * - Reads use a struct store_txn from store_read_begin(), from any thread
 *   (the environment is opened with MDB_NOTLS), one thread at a time per
 *   transaction. Inside apply(), store_w_txn() gives the same read functions
 *   a view of the write in progress.
 *
 * Memory: LMDB values die with their transaction, so every read function
 * copies into caller-owned memory. Records with dynamic parts (CSR, DER,
 * template blob) are freed with their _clear() function; fixed text fields
 * are NUL-terminated arrays bounded by the constants below.
 *
 * Errors: functions return CA_OK or a negative code of common/error.h. A why
 * sentence naming the store path is available: for reads from
 * store_txn_why(), for a write chain from store_w_why() (and the job's why
 * field once done() runs), for open/backup/stats in the caller's buffer.
 *
 * Times are int64_t seconds since the Unix epoch, as the caller read them
 * through ca_now(); the store never reads the clock.
 */
#ifndef ENTCA_CA_STORE_H
#define ENTCA_CA_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Format of the environment as a whole; a newer one is refused on open. */
/* 2: the by_issued index (schema 1 stores are migrated on a writable open). */
#define STORE_SCHEMA_VERSION 3
/*
 * Default LMDB map size, the most the database may grow to: 4 GiB. It is
 * address space, not disk: data.mdb grows as it is written. Measured by
 * tests/bench/bench_store: about 3.2 KB per certificate (1.2 KB DER,
 * random serials, indexes included), so about 1.3 million certificates.
 */
#define STORE_MAP_SIZE_DEFAULT ((size_t)4 << 30)
/* Default and maximum number of jobs the writer commits in one group. */
#define STORE_GROUP_DEFAULT 256
#define STORE_GROUP_MAX 4096
/* Jobs that may wait in the queue before store_submit refuses more. */
#define STORE_QUEUE_MAX 65536
#define STORE_GROW_WAIT_S 2		/* readers must let go to grow the map */

/* Bounds of every field (text sizes include the terminating NUL). */
#define STORE_SERIAL_MAX 20		/* RFC 5280 §4.1.2.2 */
#define STORE_NAME_MAX 256		/* requester, UPN, DNS name, target */
#define STORE_TEMPLATE_NAME_MAX 128
#define STORE_SID_MAX 192		/* S-1-5-21-... text form */
#define STORE_DN_MAX 1024		/* RFC 4514 subject DN text */
#define STORE_REASON_MAX 512
#define STORE_CSR_MAX (64 * 1024)
#define STORE_DER_MAX (64 * 1024)
#define STORE_TEMPLATE_BLOB_MAX (1024 * 1024)
#define STORE_HASH_LEN 32
#define STORE_AUDIT_MAX (64 * 1024)
#define STORE_META_NAME_MAX 64
#define STORE_META_VALUE_MAX 4096
#define STORE_PATH_MAX 1024

struct store;
struct store_txn;
struct store_wtxn;

/* Options of store_open; zero fields take the defaults. */
struct store_options {
	size_t map_size;	/* bytes; 0 = STORE_MAP_SIZE_DEFAULT */
	size_t map_max;		/* the map doubles, when a write finds it
				   full, up to this many bytes; 0 or less
				   than map_size: it never grows */
	unsigned group_max;	/* jobs per commit; 0 = STORE_GROUP_DEFAULT */
	unsigned max_readers;	/* concurrent read txns; 0 = 126 */
	int no_sync;		/* 1: skip fsync on commit (tests, bench only) */
	int read_only;		/* 1: reads and backup only, no writer thread;
				   the folder and store must exist */
};

/*
 * Open (creating if missing, mode 0700) the store in folder dir and start
 * its writer thread. opt may be NULL. A store written by a newer schema is
 * refused with CA_EVERSION. On success *out owns the store: close it with
 * store_close. Returns CA_OK, CA_EVERSION, CA_EIO, CA_EDB, CA_ENOMEM,
 * CA_EEXIST (already open in this process). With opt->read_only the
 * store must exist (CA_EIO, or CA_EDB when it is not an entca store) and
 * every write is refused with CA_ESTATE. Any thread.
 */
int store_open(const char *dir, const struct store_options *opt,
    struct store **out, char *why, size_t whylen);

/*
 * Drain the queue (every queued job is applied, committed and its done()
 * called), stop and join the writer, and close the environment. The caller
 * must have ended its read transactions. NULL is accepted. A call from the
 * writer thread (from apply or done) is ignored: it would deadlock.
 */
void store_close(struct store *s);

/*
 * Whether another process holds the store in folder dir open (entcad, or
 * another entca): *pid gets one holder. Reads lock.mdb's fcntl lock only.
 */
bool store_in_use(const char *dir, long *pid);

/* The folder the store lives in (borrowed, lives as long as s). */
const char *store_path(const struct store *s);

/* ---- writes: the writer thread and group commit ---- */

/* Runs on the writer thread inside a nested transaction; non-zero aborts it. */
typedef int (*store_apply_cb)(struct store_wtxn *w, void *arg);
/* Runs on the writer thread after the group commit (rc = the job's result). */
typedef void (*store_done_cb)(int rc, void *arg);

/*
 * A write job. The caller owns the memory and keeps it alive until done()
 * runs; done() may free it. rc and why are filled by the writer before
 * done() is called (why is empty when rc is CA_OK).
 */
struct store_job {
	store_apply_cb apply;
	store_done_cb done;	/* may be NULL */
	void *arg;
	int rc;
	char why[CA_WHY_MAX];
	struct store_job *next;	/* the store's queue link; do not touch */
};

/*
 * Queue job for the writer. CA_OK: done() will be called exactly once, on
 * the writer thread, after the commit. An error (CA_ESTATE when closing or
 * read-only, CA_EUNAVAIL when STORE_QUEUE_MAX jobs wait, CA_EINVAL) means the job was
 * not queued and done() is never called. Any thread, including apply/done.
 */
int store_submit(struct store *s, struct store_job *job);

/*
 * Queue apply(arg) and block until its group committed. Returns the job's
 * code; why gets its sentence. Any thread but the writer (CA_EINVAL there).
 */
int store_submit_wait(struct store *s, store_apply_cb apply, void *arg,
    char *why, size_t whylen);

/*
 * The sticky error of a write chain: once a store_w_* call failed, later
 * calls do nothing and return the same code, and the job is rolled back.
 * store_w_fail records an error of the caller's own (e.g. a policy
 * refusal) the same way and returns code.
 */
int store_w_status(const struct store_wtxn *w);
const char *store_w_why(const struct store_wtxn *w);
int store_w_fail(struct store_wtxn *w, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A read view of the write in progress (borrowed, valid during apply). */
struct store_txn *store_w_txn(struct store_wtxn *w);

/* ---- reads ---- */

/*
 * Begin a read transaction (a snapshot) on s; any thread. *out is owned by
 * the caller and ended with store_read_end (which accepts NULL). Returns
 * CA_OK, CA_EDB, CA_EUNAVAIL (reader table full), CA_ENOMEM.
 */
int store_read_begin(struct store *s, struct store_txn **out, char *why,
    size_t whylen);
/* End a read transaction; NULL is accepted. */
void store_read_end(struct store_txn *t);

/* Why the last failed read on t failed (borrowed, in t). */
const char *store_txn_why(const struct store_txn *t);

/* ---- meta: small named values ---- */

/*
 * Names starting with "store." are the store's own (schema, counters) and
 * are refused by the generic put. Values are at most STORE_META_VALUE_MAX.
 */
/* Put name -> val (copied). Writer thread, in apply. CA_EINVAL, CA_ETOOBIG. */
int store_w_meta_put(struct store_wtxn *w, const char *name,
    const void *val, size_t len);
/* Put name -> v as 8 big-endian bytes (e.g. "crl_number"). */
int store_w_meta_put_u64(struct store_wtxn *w, const char *name, uint64_t v);
/*
 * Copy the value into buf (bufsize bytes); *len gets its length.
 * CA_ENOTFOUND when unset, CA_ETOOBIG when buf is too small.
 */
int store_meta_get(struct store_txn *t, const char *name, void *buf,
    size_t bufsize, size_t *len);
/* Read a value written by store_w_meta_put_u64 (CA_EDB if not 8 bytes). */
int store_meta_get_u64(struct store_txn *t, const char *name, uint64_t *v);

/* ---- requests ---- */

enum store_req_status {
	STORE_REQ_PENDING,
	STORE_REQ_ISSUED,
	STORE_REQ_DENIED,
	STORE_REQ_FAILED,
	STORE_REQ_COUNT
};

struct store_request {
	uint64_t id;
	int64_t submitted_at;
	int64_t updated_at;
	char requester[STORE_NAME_MAX];
	char template_name[STORE_TEMPLATE_NAME_MAX];
	int status;				/* enum store_req_status */
	char reason[STORE_REASON_MAX];
	unsigned char serial[STORE_SERIAL_MAX];	/* once issued */
	size_t serial_len;
	unsigned char *csr;			/* DER PKCS#10; owned */
	size_t csr_len;
	char subject_sid[STORE_SID_MAX];
	char target[STORE_NAME_MAX];		/* UPN or SAM it is for */
};

/* Name of a request status, "unknown" outside the enum. */
const char *store_req_status_name(int status);

/* Allocate the next request id (monotonic, never reused) in this write. */
int store_w_next_request_id(struct store_wtxn *w, uint64_t *id);
/* Store r under r->id (insert or replace); keeps the pending count. */
int store_w_put_request(struct store_wtxn *w, const struct store_request *r);
/* Allocate an id into r->id, then store r; CA_EEXIST never expected. */
int store_w_add_request(struct store_wtxn *w, struct store_request *r);
/* Read request id into *r (csr malloc'd: free with store_request_clear). */
int store_get_request(struct store_txn *t, uint64_t id,
    struct store_request *r);
/* Free what a get put into r and zero it; NULL is accepted. */
void store_request_clear(struct store_request *r);
/*
 * Call cb for every request with id >= from_id in id order whose status is
 * status (or every status when status < 0). r is valid during the call
 * only. A non-zero return of cb stops the walk and is returned.
 */
typedef int (*store_request_cb)(const struct store_request *r, void *arg);
int store_iter_requests(struct store_txn *t, uint64_t from_id, int status,
    store_request_cb cb, void *arg);

/*
 * Newest first: every request with id < before_id (UINT64_MAX: all) whose
 * status is status (< 0: any). cb's non-zero return stops the walk.
 */
int store_iter_requests_desc(struct store_txn *t, uint64_t before_id,
    int status, store_request_cb cb, void *arg);

/* ---- certificates ---- */

enum store_cert_status {
	STORE_CERT_VALID,
	STORE_CERT_REVOKED,	/* on hold when reason is STORE_REASON_HOLD */
	STORE_CERT_COUNT
};

/* RFC 5280 §5.3.1 CRLReason values the store knows by name. */
#define STORE_REASON_UNSPECIFIED 0
#define STORE_REASON_KEY_COMPROMISE 1
#define STORE_REASON_CA_COMPROMISE 2
#define STORE_REASON_AFFILIATION_CHANGED 3
#define STORE_REASON_SUPERSEDED 4
#define STORE_REASON_CESSATION 5
#define STORE_REASON_HOLD 6
#define STORE_REASON_REMOVE_FROM_CRL 8
#define STORE_REASON_PRIVILEGE_WITHDRAWN 9
#define STORE_REASON_AA_COMPROMISE 10

struct store_cert {
	unsigned char serial[STORE_SERIAL_MAX];	/* DER INTEGER contents */
	size_t serial_len;
	unsigned char *der;			/* the certificate; owned */
	size_t der_len;
	char template_name[STORE_TEMPLATE_NAME_MAX];
	char requester[STORE_NAME_MAX];
	char subject_sid[STORE_SID_MAX];
	char subject_upn[STORE_NAME_MAX];
	char subject_dns[STORE_NAME_MAX];
	char subject_dn[STORE_DN_MAX];
	int64_t not_before;
	int64_t not_after;
	int status;				/* enum store_cert_status */
	int64_t revoked_at;			/* when status is REVOKED */
	int reason;				/* STORE_REASON_* */
	int64_t invalidity_date;		/* 0 = none */
	int64_t unrevoked_at;			/* last release from hold, 0 = never */
	uint64_t request_id;			/* 0 = none */
};

/*
 * Check that serial is a positive, minimally encoded DER INTEGER content of
 * 1..STORE_SERIAL_MAX octets (the form stored and used as the key).
 * Returns CA_OK or CA_EINVAL/CA_ETOOBIG with a sentence in why.
 */
int store_serial_check(const unsigned char *serial, size_t len, char *why,
    size_t whylen);

/*
 * Insert a new certificate record (status must be VALID) and its
 * by_expiry and by_subject index entries. An existing serial gives
 * CA_EEXIST: serials are never reused or overwritten.
 */
int store_w_put_cert(struct store_wtxn *w, const struct store_cert *c);
/*
 * Revoke serial at time at with reason (RFC 5280 §5.3.1, not 7 or 8) and
 * invalidity date (0 = none). A certificate on hold may be revoked again
 * with a final reason; any other revoked one gives CA_ESTATE. Records the
 * change in by_revocation. CA_ENOTFOUND for an unknown serial.
 */
int store_w_revoke(struct store_wtxn *w, const unsigned char *serial,
    size_t serial_len, int reason, int64_t at, int64_t invalidity_date);
/*
 * Record the revocation of a serial this store has no certificate for (a
 * certificate issued after the backup the store was restored from, or one
 * AD CS-style "revoke by serial" names): a record with no DER, status
 * REVOKED, notAfter not_after (the caller's bound: the CA certificate's
 * end), indexed so that CRLs list it until then. CA_EEXIST when the
 * serial is known (use store_w_revoke), CA_EINVAL for a bad serial or
 * reason. Readers see der == NULL, der_len == 0 for such a record.
 */
int store_w_revoke_unknown(struct store_wtxn *w, const unsigned char *serial,
    size_t serial_len, int reason, int64_t at, int64_t invalidity_date,
    int64_t not_after);
/*
 * Release serial from hold at time at. Only a certificate revoked with
 * reason certificateHold (6) can be released; others give CA_ESTATE. The
 * release is recorded in by_revocation for delta CRLs (removeFromCRL).
 */
int store_w_unrevoke(struct store_wtxn *w, const unsigned char *serial,
    size_t serial_len, int64_t at);
/*
 * Delete certificate serial (entca db cleanup): its record, its by_expiry
 * and by_subject entries and its whole revocation history, so CRLs no
 * longer list it; the revoked count follows. *request_id (may be NULL)
 * gets the request it was issued for (0: none). CA_ENOTFOUND (sticky)
 * for an unknown serial. Whether a row may go is the caller's rule.
 */
int store_w_delete_cert(struct store_wtxn *w, const unsigned char *serial,
    size_t len, uint64_t *request_id);
/*
 * Delete request id (the pending count follows). CA_ENOTFOUND when there
 * is none, without failing the write chain.
 */
int store_w_delete_request(struct store_wtxn *w, uint64_t id);
/* Read certificate serial into *c (der malloc'd: store_cert_clear). */
int store_get_cert(struct store_txn *t, const unsigned char *serial,
    size_t serial_len, struct store_cert *c);
/* Free what a get put into c and zero it; NULL is accepted. */
void store_cert_clear(struct store_cert *c);

/* ---- revocation lists: streaming iterators over by_revocation ---- */

enum store_change_kind {
	STORE_CHANGE_REVOKED,	/* listed on the CRL with reason */
	STORE_CHANGE_UNREVOKED,	/* released from hold: removeFromCRL */
	STORE_CHANGE_COUNT
};

/* One entry handed to a CRL encoder (valid during the call only). */
struct store_revoked {
	const unsigned char *serial;
	size_t serial_len;
	int kind;		/* enum store_change_kind */
	int64_t changed_at;	/* revocation (or release) time */
	int reason;		/* STORE_REASON_*; REMOVE_FROM_CRL on release */
	int64_t invalidity_date;	/* 0 = none */
	int64_t not_after;
	uint64_t seq;		/* commit order of the change (1, 2, ...) */
};

enum store_iter_mode {
	STORE_ITER_REVOKED,	/* full CRL: currently revoked, not expired */
	STORE_ITER_CHANGES,	/* delta CRL: current changes after a time */
	STORE_ITER_CHANGES_SEQ,	/* delta CRL: current changes after a seq */
	STORE_ITER_COUNT
};

struct store_rev_iter;

/*
 * Open a cursor over by_revocation on t. STORE_ITER_REVOKED yields each
 * currently revoked certificate with not_after >= arg (one entry per
 * serial, seq 0): since schema 3 from the packed CRL index in serial
 * order (LMDB's key order), giving back the index's mapped pages as it
 * goes; on a read-only older store from by_revocation in revocation-time
 * order. STORE_ITER_CHANGES yields each
 * serial's latest change when it happened after arg: revocations and
 * releases from hold (kind UNREVOKED). STORE_ITER_CHANGES_SEQ yields the
 * same for changes whose seq is > arg: exact where times are not (a
 * change committed just after a full CRL's snapshot may carry an earlier
 * time); since schema 3 it reads only those changes (rev_seq), in commit
 * order. Stale history is skipped. Change times never go back for one
 * serial (an earlier time is raised to its last change). *out is freed
 * with store_rev_iter_free before t ends. Nothing is loaded in memory
 * beyond the current entry; the seq mode walks the whole index on a
 * read-only store older than schema 3.
 */
int store_rev_iter_new(struct store_txn *t, int mode, int64_t arg,
    struct store_rev_iter **out);
/*
 * Step: 1 and *e filled (valid until the next call), 0 at the end, or a
 * negative code (why in the txn).
 */
int store_rev_iter_next(struct store_rev_iter *it, struct store_revoked *e);
/* Start again from the first entry (same snapshot: a second pass). */
void store_rev_iter_rewind(struct store_rev_iter *it);
/* Close the cursor and free it; NULL is accepted. */
void store_rev_iter_free(struct store_rev_iter *it);

/*
 * The callback form of store_rev_iter_new, for the same mode and arg: cb
 * runs per entry; non-zero stops the walk and is returned. Calling twice
 * on one t walks one snapshot twice.
 */
typedef int (*store_revoked_cb)(const struct store_revoked *e, void *arg);
int store_iter_rev(struct store_txn *t, int mode, int64_t arg,
    store_revoked_cb cb, void *cbarg);
/*
 * The number of the last revocation change in t's snapshot (0: none).
 * Read it in the snapshot a full CRL is built from and keep it as the
 * base: a delta of mode STORE_ITER_CHANGES_SEQ from base then misses
 * nothing.
 */
int store_rev_seq(struct store_txn *t, uint64_t *seq);

/* ---- expiry and subject indexes ---- */

/* Serial handed to index walks (valid during the call only). */
typedef int (*store_serial_cb)(const unsigned char *serial, size_t len,
    int64_t not_after, void *arg);
/* Every certificate with from <= not_after < to, in expiry order. */
int store_iter_expiring(struct store_txn *t, int64_t from, int64_t to,
    store_serial_cb cb, void *arg);

enum store_subject_kind {
	STORE_SUBJECT_SID,
	STORE_SUBJECT_UPN,
	STORE_SUBJECT_DNS,
	STORE_SUBJECT_COUNT
};

/*
 * Every certificate issued to name (compared ASCII case-insensitively) as
 * kind, in serial order; not_after is 0 in the callback.
 */
int store_iter_subject(struct store_txn *t, int kind, const char *name,
    store_serial_cb cb, void *arg);

/* ---- newest-first lists: the by_issued index (schema 2) ---- */

/* Where a newest-first page ended: the last certificate it held. */
struct store_issued_pos {
	int64_t not_before;
	unsigned char serial[STORE_SERIAL_MAX];
	size_t serial_len;
};

/* One certificate handed to a list walk (valid during the call only). */
typedef int (*store_cert_cb)(const struct store_cert *c, void *arg);

/*
 * Every certificate with from <= notBefore < to, newest first (notBefore
 * descending, then serial descending), starting just after *after (NULL:
 * from the newest). cb's non-zero return stops the walk and is returned.
 * An index entry whose certificate is gone is skipped. CA_ESTATE on a
 * schema 1 store opened read-only (the index is built by the first
 * writable open). Any thread with its own t.
 */
int store_iter_issued(struct store_txn *t, const struct store_issued_pos *after,
    int64_t from, int64_t to, store_cert_cb cb, void *arg);

/* Order of two list positions: < 0 when a comes first (is newer). */
int store_issued_cmp(const struct store_issued_pos *a,
    const struct store_issued_pos *b);

/* ---- templates ---- */

struct store_template {
	char name[STORE_TEMPLATE_NAME_MAX];
	unsigned char *blob;		/* compiled template; owned */
	size_t blob_len;
	unsigned char hash[STORE_HASH_LEN];	/* of the source file */
};

/* Put (or replace) template name: blob and source hash are copied. */
int store_w_put_template(struct store_wtxn *w, const char *name,
    const void *blob, size_t len, const unsigned char hash[STORE_HASH_LEN]);
/* Delete template name; CA_ENOTFOUND when there is none. */
int store_w_del_template(struct store_wtxn *w, const char *name);
/* Read template name into *tp (blob malloc'd: store_template_clear). */
int store_get_template(struct store_txn *t, const char *name,
    struct store_template *tp);
/* Free the blob of tp and zero it; NULL is accepted. */
void store_template_clear(struct store_template *tp);
/* Every template in name order (tp valid during the call only). */
typedef int (*store_template_cb)(const struct store_template *tp, void *arg);
int store_iter_templates(struct store_txn *t, store_template_cb cb,
    void *arg);

/* ---- audit ---- */

/*
 * Append one JSON object (NUL-terminated, at most STORE_AUDIT_MAX bytes,
 * must parse as a JSON object) with the next sequence number (*seq, which
 * may be NULL).
 */
int store_w_audit(struct store_wtxn *w, const char *json, uint64_t *seq);
/* The last n events in sequence order (json valid during the call only). */
typedef int (*store_audit_cb)(uint64_t seq, const char *json, size_t len,
    void *arg);
int store_iter_audit_last(struct store_txn *t, size_t n, store_audit_cb cb,
    void *arg);

/*
 * Newest first: every event with sequence < before_seq (UINT64_MAX: all).
 * cb's non-zero return stops the walk and is returned.
 */
int store_iter_audit_desc(struct store_txn *t, uint64_t before_seq,
    store_audit_cb cb, void *arg);

/* ---- health ---- */

struct store_stats {
	uint64_t certs;
	uint64_t revoked;	/* currently revoked, on hold included */
	uint64_t requests;
	uint64_t pending;
	uint64_t templates;
	uint64_t audit_events;
	uint64_t groups;	/* write groups committed since open */
	uint64_t jobs;		/* jobs completed since open */
	size_t map_size;
	size_t map_used;	/* bytes of the map in use */
	size_t map_max;		/* growth ceiling */
	uint64_t map_grown;	/* times the map grew since open */
};

/* Fill *st from one snapshot; any thread. */
int store_stats(struct store *s, struct store_stats *st, char *why,
    size_t whylen);

/*
 * Whether writes currently work: CA_OK, or the code and sentence of the
 * last write group that failed for the environment rather than for its
 * data (disk full, map full at max-size, I/O error), e.g. "store
 * /var/lib/entca/db: commit group: the disk is full (No space left on
 * device)". It turns CA_OK again with the next group that commits, so a
 * full disk heals by itself once space returns. Any thread.
 */
int store_write_health(struct store *s, char *why, size_t whylen);

/* ---- backup ---- */

/*
 * Write a compacted, consistent copy of the store into dir (created 0700
 * if missing; an existing non-empty dir is refused with CA_EEXIST) while
 * the writer keeps working. The copy is a store that store_open reads.
 * Any thread but the writer.
 */
int store_backup(struct store *s, const char *dir, char *why, size_t whylen);

/* ---- memory ---- */

/*
 * Drop this process's mappings of the LMDB map (madvise MADV_DONTNEED on
 * the read-only shared map): VmRSS loses the file pages reads touched,
 * the page cache keeps them, and later reads fault them back. For an idle
 * daemon. Any thread but the writer.
 */
int store_release_pages(struct store *s, char *why, size_t whylen);

#endif

/*
 * CRL publication: numbering, building through crl/, atomic files in the
 * state folder, and the optional copy in the directory. ca/ owns when and
 * where; crl/ owns the encoding.
 *
 * Threads: crlpub_publish() blocks (LMDB reads, signing through the signer,
 * file writes, LDAP) and runs on a worker thread or in the admin tool. The
 * resulting bytes reach the loop through a completion; the loop only swaps
 * pointers.
 */
#ifndef ENTCA_CA_CRL_PUBLISH_H
#define ENTCA_CA_CRL_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "crl/schedule.h"

struct store;

/* Meta names in the store; numbers shared by full and delta CRLs (AD CS). */
#define CRLPUB_META_NUMBER "crl.number"		/* last number used */
#define CRLPUB_META_BASE "crl.base"		/* number of the last full CRL */
#define CRLPUB_META_BASE_SEQ "crl.base-seq"	/* last change it includes */
#define CRLPUB_META_DELTA "crl.delta"		/* number of the last delta CRL */
#define CRLPUB_META_THIS_UPDATE "crl.this-update" /* latest thisUpdate issued */
#define CRLPUB_META_BASE_TIME "crl.base-this-update" /* the full CRL's */

/*
 * The high-water file beside the key (<state>/crl.highwater): the highest
 * CRL number and thisUpdate this CA ever issued, written atomically before
 * a CRL with them exists. It lives outside the store so that a store
 * restored from an older backup still numbers above every CRL published.
 */
#define CRLPUB_HIGHWATER_FILE "crl.highwater"

/* Optional extra sink (the directory): same bytes, after the files. */
typedef int (*crlpub_extra_cb)(void *arg, bool delta, const unsigned char *der,
    size_t len, char *why, size_t whylen);

/*
 * The sink's change stamp (the directory entry's, directory_entry_stamp):
 * text that changes whenever anybody writes the entry, "" when there is
 * none to read.
 */
#define CRLPUB_STAMP_MAX 512
typedef int (*crlpub_stamp_cb)(void *arg, char *out, size_t outlen,
    char *why, size_t whylen);

/*
 * What the store keeps of the directory's copy (crl_directory.c): the
 * full and the delta CRL number written, and the entry's stamp read after
 * the last write.
 */
#define CRLPUB_META_DIR_FULL "crl.directory.full"
#define CRLPUB_META_DIR_DELTA "crl.directory.delta"
#define CRLPUB_META_DIR_STAMP "crl.directory.stamp"

struct crlpub {
	struct store *store;
	const char *state_dir;
	const char *ca_name;
	const unsigned char *issuer_der;	/* CA subject DER, borrowed */
	size_t issuer_len;
	const unsigned char *aki;		/* CA subject key id, borrowed */
	size_t aki_len;
	gnutls_privkey_t key;			/* signs through the signer */
	gnutls_digest_algorithm_t hash;
	int64_t period_s;
	int64_t delta_period_s;
	int64_t overlap_s;			/* 0: AD CS's rule (crl/schedule.h) */
	int64_t ca_not_before;			/* thisUpdate never predates it */
	const char *const *delta_urls;		/* freshestCRL of full CRLs */
	size_t n_delta_urls;
	crlpub_extra_cb extra;			/* may be NULL */
	crlpub_stamp_cb extra_stamp;		/* may be NULL */
	void *extra_arg;
	const char *audit_who;			/* the audit's "who"; NULL:
						   entcad's schedule */
	/*
	 * An earlier CA key after a renewal (ca/daemon/ca_previous.c): full
	 * CRLs only, numbered from the same counter, never recorded as the
	 * base in service (the current key's deltas keep their base).
	 */
	bool previous_key;
};

/* A published CRL: what /crl/ serves and /health reports. */
struct crlpub_result {
	bool delta;
	uint64_t number;
	uint64_t base_number;
	int64_t this_update;
	int64_t next_update;
	int64_t published_at;	/* the clock when it was made (thisUpdate + skew) */
	int64_t held;		/* seconds thisUpdate was held forward: the
				   clock read earlier than a previous CRL's */
	uint64_t base_seq;	/* full: last revocation change it includes */
	size_t entries;
	unsigned char *der;	/* malloc'd; free() */
	size_t der_len;
};

/*
 * Build, sign and put a full or delta CRL in service as of now: reserve
 * the next CRL number and its times in one store transaction (numbers
 * above both the store's counter and the high-water file, which is
 * written first; thisUpdate never before the last one issued), list the
 * entries, write <state>/crl/<ca>.crl or <ca>+.crl atomically (write,
 * fsync, rename), and record it in the store as the newest of its kind.
 * The directory is NOT written here: that is a separate step
 * (crlpub_to_directory) that may fail and be retried with the same bytes.
 * A delta needs a full CRL first (CA_ESTATE). On CA_OK *out owns der.
 * Worker thread or tool.
 */
int crlpub_publish(const struct crlpub *p, bool delta, int64_t now,
    struct crlpub_result *out, char *why, size_t whylen);

/*
 * Write r's bytes to the directory (p->extra), then keep the CRL's number
 * with the entry's stamp (p->extra_stamp) in the store. Unless force, a
 * CRL the store says was written, to an entry whose stamp has not changed
 * since, is not written again: CA_OK with *unchanged true (crl_directory.c).
 * CA_OK, CA_ENOTFOUND when no directory publication is configured, or the
 * sink's error. Worker or tool.
 */
int crlpub_to_directory(const struct crlpub *p, const struct crlpub_result *r,
    bool force, bool *unchanged, char *why, size_t whylen);

/* What the store says about CRLs (one read transaction). */
struct crlpub_state {
	uint64_t number;	/* last number reserved */
	uint64_t full;		/* newest full CRL in service (0: none) */
	uint64_t delta;		/* newest delta CRL in service (0: none) */
	int64_t this_update;	/* latest thisUpdate issued */
};

/* Read the store's CRL state. CA_OK or a store error. Any thread. */
int crlpub_state_read(const struct crlpub *p, struct crlpub_state *st,
    char *why, size_t whylen);

/* What crlpub_recover found and did (for the log). */
struct crlpub_recovery {
	bool restored;		/* the store was behind the published CRLs */
	uint64_t store_number;	/* the store's counter before */
	uint64_t seen;		/* the highest number published */
	size_t revoked;		/* revocations taken back from the CRLs */
	size_t unknown;		/* of which for serials the store lacked */
	size_t released;	/* holds released (removeFromCRL) */
};

/*
 * At start (daemon or tool, before any publication): compare the store
 * with the high-water file and the CRL files in service (full and delta,
 * already loaded by crlpub_load; either may be empty). When the store is
 * behind (a restored backup), in one store transaction: raise the
 * counter above every number seen, keep thisUpdate's high mark, forget
 * the stale base (so a fresh full CRL comes next and no delta names a
 * base that is not served), and record again every revocation the newest
 * CRLs list that the store lacks (unknown serials included, expiring with
 * the CA certificate at ca_not_after). The CRLs are verified against
 * ca_cert first. Also writes the high-water file when it is missing.
 * CA_OK with *rec filled, or an error (the caller must not publish then).
 */
int crlpub_recover(const struct crlpub *p, gnutls_x509_crt_t ca_cert,
    int64_t ca_not_after, const struct crlpub_result *full,
    const struct crlpub_result *delta, struct crlpub_recovery *rec,
    char *why, size_t whylen);

/*
 * Read the last published CRL file of this CA (full or delta) with its
 * number, delta base and dates. CA_ENOTFOUND when none was published.
 * Start-up or worker.
 */
int crlpub_load(const char *state_dir, const char *ca_name, bool delta,
    struct crlpub_result *out, char *why, size_t whylen);

/* Path of the CRL file into buf; false if it does not fit. */
bool crlpub_path(const char *state_dir, const char *ca_name, bool delta,
    char *buf, size_t len);

/* The schedule crl/ computes times with, from p. */
void crlpub_schedule(const struct crlpub *p, struct crl_schedule *s);

/* Free der and zero r; NULL accepted. */
void crlpub_result_clear(struct crlpub_result *r);

#endif

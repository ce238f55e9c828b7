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

#include "crl/schedule.h"

struct store;

/* Meta names in the store; numbers shared by full and delta CRLs (AD CS). */
#define CRLPUB_META_NUMBER "crl.number"		/* last number used */
#define CRLPUB_META_BASE "crl.base"		/* number of the last full CRL */
#define CRLPUB_META_BASE_SEQ "crl.base-seq"	/* last change it includes */

/* Optional extra sink (the directory): same bytes, after the files. */
typedef int (*crlpub_extra_cb)(void *arg, bool delta, const unsigned char *der,
    size_t len, char *why, size_t whylen);

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
	void *extra_arg;
};

/* A published CRL: what /crl/ serves and /health reports. */
struct crlpub_result {
	bool delta;
	uint64_t number;
	uint64_t base_number;
	int64_t this_update;
	int64_t next_update;
	int64_t published_at;	/* the clock when it was made (thisUpdate + skew) */
	uint64_t base_seq;	/* full: last revocation change it includes */
	size_t entries;
	unsigned char *der;	/* malloc'd; free() */
	size_t der_len;
};

/*
 * Build, sign and publish a full or delta CRL as of now: reserve the next
 * CRL number (committed before anything is published, so numbers only
 * grow, across restarts too), list the entries, write
 * <state>/crl/<ca>.crl or <ca>+.crl atomically (write, fsync, rename), call
 * the extra sink, and record the base of a full CRL. A delta needs a full
 * CRL first (CA_ESTATE). On CA_OK *out owns der. Worker thread or tool.
 */
int crlpub_publish(const struct crlpub *p, bool delta, int64_t now,
    struct crlpub_result *out, char *why, size_t whylen);

/*
 * Read the last published CRL file of this CA (full or delta) and its
 * dates. CA_ENOTFOUND when none was published. Start-up or worker.
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

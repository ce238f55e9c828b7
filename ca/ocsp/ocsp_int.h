/*
 * Internals shared by the responder's files: the responder state, the
 * response cache (ocsp_cache.c) and the signing key (ocsp_key.c).
 * Threads as in ocsp.h: every field that more than one thread touches is
 * behind a mutex or atomic.
 */
#ifndef ENTCA_CA_OCSP_INT_H
#define ENTCA_CA_OCSP_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "ca/daemon/settings.h"
#include "ca/ocsp/ocsp.h"
#include "ca/ocsp/ocsp_codec.h"
#include "common/error.h"

#define OCSP_ETAG_MAX 48		/* "\"" + 40 hex + "\"" */
#define OCSP_LAT_BUCKETS 8		/* signing latency histogram */
#define OCSP_ISSUER_HASHES 4		/* SHA-1, SHA-256, SHA-384, SHA-512 */

/* What the store said about a serial when its response was signed. */
struct ocsp_snap {
	bool exists;
	int status;			/* enum ocsp_cert_status */
	int reason;			/* -1: none */
	int64_t revoked_at;
	int64_t unrevoked_at;
};

/* One signed response, immutable once made; shared by reference. */
struct ocsp_blob {
	atomic_int refs;
	int64_t produced_at, this_update, next_update, refresh_at;
	int cert_status;
	char etag[OCSP_ETAG_MAX];
	size_t len;
	unsigned char der[];
};

struct ocsp_cache_entry;

/* The pre-signed responses, keyed by CertID and bucketed by serial. */
struct ocsp_cache {
	pthread_mutex_t lock;
	struct ocsp_cache_entry **buckets;
	size_t nbuckets;		/* a power of two */
	size_t n, max;
};

/* The key that signs responses and what goes with it. */
struct ocsp_key {
	atomic_int refs;
	gnutls_privkey_t key;		/* owned when delegated */
	bool delegated;
	unsigned slot;			/* signer slot of a delegated key */
	gnutls_datum_t cert;		/* delegated certificate DER, or empty */
	int64_t not_before, not_after;	/* of the certificate (CA: its own) */
	int64_t renew_at;
	char serial[41];
	struct ocsp_responder rs;
};

/* Issuer hashes of this CA under one hash algorithm. */
struct ocsp_issuer_hash {
	gnutls_digest_algorithm_t dig;
	unsigned char name[OCSP_HASH_MAX];
	unsigned char key[OCSP_HASH_MAX];
	size_t len;
};

struct ocsp {
	struct daemon *d;
	/* The configuration at start, read by every thread: a SIGHUP
	 * swaps d->cfg on the loop, and [ocsp] changes need a restart. */
	struct ca_config cfg;
	struct ocsp_issuer_hash issuer[OCSP_ISSUER_HASHES];
	struct ocsp_cache cache;

	pthread_mutex_t key_lock;	/* cur */
	struct ocsp_key *cur;
	pthread_mutex_t roll_lock;	/* one renewal at a time */
	atomic_bool need_roll;		/* the signer lost the key */
	bool rolling;			/* loop: a renewal is on a worker */
	int64_t retry_at;		/* loop: after a failed renewal */
	char roll_why[CA_WHY_MAX];	/* loop: the last renewal failure */
	pthread_t first;		/* ocsp_new's first renewal */
	bool first_running;		/* first is to be joined */
	/*
	 * The first key waits here between its keygen and its certificate:
	 * the CA signs nothing for a start that then fails its checks.
	 */
	pthread_mutex_t gate_lock;
	pthread_cond_t gate_cv;
	enum { OCSP_GATE_OPEN = 0, OCSP_GATE_CLOSED, OCSP_GATE_ABANDONED } gate;

	/* counters for /metrics */
	atomic_ullong by_cert_status[OCSP_CERT_COUNT];
	atomic_ullong by_resp_status[OCSP_RESP_COUNT];
	atomic_ullong hits, misses, signed_n, renewals;
	atomic_ullong lat_bucket[OCSP_LAT_BUCKETS];
	atomic_ullong lat_sum_us;
};

/* ---- ocsp_cache.c ---- */
int ocsp_cache_init(struct ocsp_cache *c, size_t max);
void ocsp_cache_destroy(struct ocsp_cache *c);
/* A reference to the response cached for certid when it still matches
 * snap and now is before its refresh time; NULL otherwise. */
struct ocsp_blob *ocsp_cache_get(struct ocsp_cache *c, const unsigned char *certid,
    size_t certid_len, const unsigned char *serial, size_t serial_len,
    const struct ocsp_snap *snap, int64_t now);
/* Keep blob (a new reference is taken) for certid with snap. */
void ocsp_cache_put(struct ocsp_cache *c, const unsigned char *certid,
    size_t certid_len, const unsigned char *serial, size_t serial_len,
    const struct ocsp_snap *snap, struct ocsp_blob *blob);
/* Drop every response of serial. */
void ocsp_cache_forget(struct ocsp_cache *c, const unsigned char *serial,
    size_t serial_len);
/* A new blob holding a copy of der (one reference); NULL: no memory. */
struct ocsp_blob *ocsp_blob_new(const unsigned char *der, size_t len);
/* Let go of one reference; NULL is accepted. */
void ocsp_blob_put(struct ocsp_blob *b);

/* ---- ocsp_key.c ---- */
/* Make (delegated) or adopt (CA key) the signing key; blocking. */
int ocsp_key_roll(struct ocsp *o, char *why, size_t whylen);
/*
 * Open the gate ocsp_new's first roll waits at between its key and its
 * certificate (OCSP_GATE_OPEN), or drop that key (OCSP_GATE_ABANDONED).
 */
void ocsp_gate_set(struct ocsp *o, int gate);
/* A reference on the key in service, or NULL. */
struct ocsp_key *ocsp_key_get(struct ocsp *o);
void ocsp_key_put(struct ocsp_key *k);

/* ---- ocsp.c ---- */
/* Count one signature's latency (seconds) for /metrics. Any thread. */
void ocsp_count_sign(struct ocsp *o, double secs);

#endif

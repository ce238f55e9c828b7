/*
 * The serverkeygen key pool: private keys made ahead of demand, so an EST
 * serverkeygen (RFC 7030 §4.4) answers in the time of an issuance instead
 * of an RSA key generation (tens to hundreds of milliseconds). Keys live
 * in this process's memory only: never written to the store, a file or a
 * log, each handed out once and then owned by the request that took it.
 *
 * One filler thread per process, at the lowest CPU priority (nice 19), so
 * it only uses cores the request path leaves idle. It fills the kinds that
 * were asked for (algorithm and size), up to the configured count each.
 * A request that finds its kind empty generates its own key as before.
 *
 * Threads: every function may be called from any thread (workers).
 */
#ifndef ENTCA_CA_EST_KEYPOOL_H
#define ENTCA_CA_EST_KEYPOOL_H

#include <stdbool.h>
#include <gnutls/x509.h>

/* Most keys kept per kind ([est] serverkeygen-pool). */
#define EST_KEYPOOL_MAX 64
/* Most kinds (algorithm, size) the pool keeps at once. */
#define EST_KEYPOOL_KINDS 4

struct est_keypool;

/*
 * A pool holding up to per_kind keys of each kind (1..EST_KEYPOOL_MAX).
 * With start_filler false no thread runs: est_keypool_fill_one does the
 * filler's work in the caller (tests). CA_OK, CA_EINVAL, CA_ENOMEM or
 * CA_EIO (no thread). Free with est_keypool_free.
 */
int est_keypool_new(unsigned per_kind, bool start_filler,
    struct est_keypool **out);

/* Stop the filler, wipe and free every key still held; accepts NULL. */
void est_keypool_free(struct est_keypool *p);

/*
 * A ready key of this kind, now owned by the caller
 * (gnutls_x509_privkey_deinit), or NULL when none is ready; either way the
 * kind is remembered and the filler woken to make more.
 */
gnutls_x509_privkey_t est_keypool_take(struct est_keypool *p,
    gnutls_pk_algorithm_t alg, unsigned bits);

/*
 * Make one key for the emptiest kind that is below its count: the
 * filler's step, run by the caller. true when a key was made.
 */
bool est_keypool_fill_one(struct est_keypool *p);

/* Keys ready of a kind. */
unsigned est_keypool_ready(struct est_keypool *p, gnutls_pk_algorithm_t alg,
    unsigned bits);

/*
 * The process's pool for serverkeygen, made on first use with per_kind
 * keys per kind and a filler thread; NULL when per_kind is 0 or it cannot
 * be made (requests then generate their own keys). Lives until exit.
 */
struct est_keypool *est_keypool_get(unsigned per_kind);

#endif

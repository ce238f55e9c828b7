/*
 * Revocation operations shared by the management API and `entca revoke`:
 * serial text parsing and the store writes (with their audit events) for
 * revoke, unrevoke and revoke-all-of-a-principal. Writer-thread functions
 * are called inside a store job.
 */
#ifndef ENTCA_CA_REVOKE_H
#define ENTCA_CA_REVOKE_H

#include <stddef.h>
#include <stdint.h>

#include "ca/store/store.h"

#define REVOKE_BATCH_MAX 4096	/* certificates of one principal per call */

/*
 * Parse a serial in hex (colons and spaces allowed, "0x" optional) into its
 * minimal positive DER INTEGER content. CA_OK or CA_EPARSE with why.
 */
int revoke_serial_parse(const char *text, unsigned char *out, size_t *len,
    char *why, size_t whylen);

/* A certificate record's state in words: "valid", "hold" or "revoked". */
const char *revoke_status_name(const struct store_cert *c);

/* The serials of every valid certificate of a principal. */
struct revoke_set {
	size_t n;
	unsigned char serial[REVOKE_BATCH_MAX][STORE_SERIAL_MAX];
	size_t len[REVOKE_BATCH_MAX];
};

/*
 * Collect into set the currently valid certificates indexed under sid,
 * upn or dns (each may be NULL or ""). Reads through t. CA_OK, or
 * CA_ETOOBIG past REVOKE_BATCH_MAX.
 */
int revoke_collect(struct store_txn *t, const char *sid, const char *upn,
    const char *dns, int64_t now, struct revoke_set *set);

/*
 * Who must hear of a committed revocation change (revoke, hold, release
 * from hold) before the call that made it answers: the OCSP responder
 * drops its cached responses for the serial (issue 16). One hook per
 * process; cb NULL removes it. Set before the loop starts (any thread
 * after that may call revoke_committed: the store's writer does, from a
 * job's on_commit).
 */
typedef void (*revoke_commit_cb)(const unsigned char *serial, size_t len,
    void *arg);
void revoke_set_commit_hook(revoke_commit_cb cb, void *arg);
void revoke_committed(const unsigned char *serial, size_t len);

#endif

/*
 * SCEP's records in the store (ca/store/store_scep.c), in the meta
 * database under their own prefixes: one-time challenges keyed by the
 * SHA-256 of the challenge (the challenge itself is never stored), and
 * the transactions that SCEP clients poll, keyed by the SHA-256 of their
 * transactionID. Writes on the writer thread inside a job's chain; reads
 * on any thread in their own transaction.
 */
#ifndef ENTCA_CA_STORE_SCEP_H
#define ENTCA_CA_STORE_SCEP_H

#include <stdbool.h>
#include <stdint.h>

#include "ca/store/store.h"

#define STORE_CHALLENGE_PREFIX "scep-ch:"
#define STORE_SCEP_TX_PREFIX "scep-tx:"

/* One challenge; hash = SHA-256 of the challenge text. */
struct store_challenge {
	unsigned char hash[STORE_HASH_LEN];
	char template_name[STORE_TEMPLATE_NAME_MAX];
	char principal[STORE_NAME_MAX];	/* whom the certificate will be for */
	char issuer[STORE_NAME_MAX];	/* who asked for the challenge */
	int64_t created, expires;
	int64_t used_at;		/* 0: not used yet */
	uint64_t request_id;		/* the request that used it */
};

/* One SCEP transaction: its request and the key it was made with. */
struct store_scep_tx {
	unsigned char hash[STORE_HASH_LEN];	/* SHA-256 of transactionID */
	uint64_t request_id;
	unsigned char key_id[STORE_HASH_LEN];	/* SHA-256 of the public key */
	char template_name[STORE_TEMPLATE_NAME_MAX];
};

/* Put (insert or replace) a challenge. Writer thread. */
int store_w_put_challenge(struct store_wtxn *w, const struct store_challenge *c);
/* Delete a challenge (absent is fine). Writer thread. */
int store_w_del_challenge(struct store_wtxn *w, const unsigned char *hash);
/* Read a challenge by hash into *c: CA_OK, CA_ENOTFOUND. */
int store_get_challenge(struct store_txn *t, const unsigned char *hash,
    struct store_challenge *c);
/*
 * Call cb for every challenge (stops at the first non-CA_OK return, which
 * is returned). Works in a read or a write chain's transaction.
 */
typedef int (*store_challenge_cb)(const struct store_challenge *c, void *arg);
int store_iter_challenges(struct store_txn *t, store_challenge_cb cb, void *arg);

/* Put a transaction record (insert or replace). Writer thread. */
int store_w_put_scep_tx(struct store_wtxn *w, const struct store_scep_tx *x);
/* Read a transaction by hash: CA_OK, CA_ENOTFOUND. */
int store_get_scep_tx(struct store_txn *t, const unsigned char *hash,
    struct store_scep_tx *x);

#endif

/*
 * Shared re-reads of a cached login's account (ldap/bind.c). With
 * recheck-interval 0 every login from the cache must see the account's
 * state as read after that login arrived; under load the same connector
 * logs in dozens of times per re-read's round trip. A gate per cached
 * login lets those logins share one re-read without weakening that rule:
 * a login waits for a re-read that *started* after it arrived (the one in
 * flight when it came may have read too early), and one re-read answers
 * every login that arrived before it started. Logins of another account
 * that hash to a busy gate re-read on their own. Worker threads; the
 * gates are the directory's and live as long as it does.
 */
#ifndef ENTCA_LDAP_RECHECK_H
#define ENTCA_LDAP_RECHECK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "ldap/cache.h"
#include "policy/principal.h"

#define DIR_RECHECK_GATES 16	/* concurrent accounts that share re-reads */

struct directory;

struct dir_recheck_gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned char key[DIRECTORY_CACHE_KEY_LEN];	/* whose gate, while used */
	unsigned users;		/* logins inside: running or waiting */
	bool running;		/* a re-read is in flight */
	uint64_t asked;		/* logins numbered as they arrive */
	uint64_t answered;	/* every login up to here has its answer */
	int rc;			/* the newest answer and its reason */
	char why[CA_WHY_MAX];
};

/* Initialise and destroy the directory's gate table. */
void dir_recheck_gates_init(struct dir_recheck_gate *g, size_t n);
void dir_recheck_gates_destroy(struct dir_recheck_gate *g, size_t n);

/* One directory read a gate shares: CA_OK or a code with why. */
typedef int (*dir_read_fn)(void *arg, char *why, size_t whylen);

/*
 * Answer one login of key through gate g: wait for a read that started
 * after this call arrived, or start one (read(arg)); logins of another key
 * on a busy gate call read themselves. The gate mechanics, apart from
 * the directory so a test can drive them with its own read.
 */
int dir_gate_answer(struct dir_recheck_gate *g,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN], dir_read_fn read,
    void *arg, char *why, size_t whylen);

/*
 * Re-read the account of cached login key (principal p) as
 * dir_account_recheck does, sharing the read with logins of the same key
 * that arrived before it started. CA_OK or its CA_EAUTH/CA_EUNAVAIL/...
 * with why.
 */
int dir_account_recheck_shared(struct directory *d,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN],
    const struct principal *p, char *why, size_t whylen);

#endif

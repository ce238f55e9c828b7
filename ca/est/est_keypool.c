/*
 * The serverkeygen key pool (see est_keypool.h). A small table of kinds,
 * each a stack of ready keys, under one mutex; the filler thread waits on
 * a condition variable until a kind is below its count, generates one
 * key outside the lock, and pushes it. Keys never leave memory.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/error.h"
#include "ca/est/est_keypool.h"

struct keypool_kind {
	gnutls_pk_algorithm_t alg;	/* GNUTLS_PK_UNKNOWN: free slot */
	unsigned bits;
	unsigned n;
	gnutls_x509_privkey_t key[EST_KEYPOOL_MAX];
};

struct est_keypool {
	pthread_mutex_t mu;
	pthread_cond_t wake;
	unsigned per_kind;
	bool stop;
	bool has_thread;
	pthread_t thread;
	struct keypool_kind kind[EST_KEYPOOL_KINDS];
};

/* The kind slot for alg/bits, or NULL; caller holds p->mu. */
static struct keypool_kind *
kind_find(struct est_keypool *p, gnutls_pk_algorithm_t alg, unsigned bits)
{
	for (unsigned i = 0; i < EST_KEYPOOL_KINDS; i++)
		if (p->kind[i].alg == alg && p->kind[i].bits == bits)
			return &p->kind[i];
	return NULL;
}

/* The emptiest kind below its count, or NULL; caller holds p->mu. */
static struct keypool_kind *
kind_needy(struct est_keypool *p)
{
	struct keypool_kind *best = NULL;

	for (unsigned i = 0; i < EST_KEYPOOL_KINDS; i++) {
		struct keypool_kind *k = &p->kind[i];

		if (k->alg != GNUTLS_PK_UNKNOWN && k->n < p->per_kind &&
		    (best == NULL || k->n < best->n))
			best = k;
	}
	return best;
}

/* One new key of a kind; NULL when generation fails. */
static gnutls_x509_privkey_t
make_key(gnutls_pk_algorithm_t alg, unsigned bits)
{
	gnutls_x509_privkey_t k = NULL;

	if (gnutls_x509_privkey_init(&k) < 0)
		return NULL;
	if (gnutls_x509_privkey_generate2(k, alg, bits, 0, NULL, 0) < 0) {
		gnutls_x509_privkey_deinit(k);
		return NULL;
	}
	return k;
}

/* See est_keypool.h. */
bool
est_keypool_fill_one(struct est_keypool *p)
{
	gnutls_pk_algorithm_t alg;
	gnutls_x509_privkey_t key;
	struct keypool_kind *k;
	unsigned bits;

	pthread_mutex_lock(&p->mu);
	k = kind_needy(p);
	if (k == NULL) {
		pthread_mutex_unlock(&p->mu);
		return false;
	}
	alg = k->alg;
	bits = k->bits;
	pthread_mutex_unlock(&p->mu);
	if ((key = make_key(alg, bits)) == NULL)
		return false;
	pthread_mutex_lock(&p->mu);
	/* The kind may have filled meanwhile (a test filling by hand). */
	k = kind_find(p, alg, bits);
	if (k != NULL && k->n < p->per_kind) {
		k->key[k->n++] = key;
		key = NULL;
	}
	pthread_mutex_unlock(&p->mu);
	gnutls_x509_privkey_deinit(key);
	return true;
}

/* The filler: lowest priority, sleeps until a kind is below its count. */
static void *
filler_main(void *arg)
{
	struct est_keypool *p = arg;

	/* Linux: a thread's nice value is its own (setpriority on its tid). */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		if (kind_needy(p) == NULL) {
			pthread_cond_wait(&p->wake, &p->mu);
			continue;
		}
		pthread_mutex_unlock(&p->mu);
		if (!est_keypool_fill_one(p)) {
			/* Generation failed: do not spin; wait for the next take. */
			pthread_mutex_lock(&p->mu);
			if (!p->stop)
				pthread_cond_wait(&p->wake, &p->mu);
			continue;
		}
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* See est_keypool.h. */
int
est_keypool_new(unsigned per_kind, bool start_filler, struct est_keypool **out)
{
	struct est_keypool *p;

	*out = NULL;
	if (per_kind < 1 || per_kind > EST_KEYPOOL_MAX)
		return CA_EINVAL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return CA_ENOMEM;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->wake, NULL);
	p->per_kind = per_kind;
	for (unsigned i = 0; i < EST_KEYPOOL_KINDS; i++)
		p->kind[i].alg = GNUTLS_PK_UNKNOWN;
	if (start_filler) {
		if (pthread_create(&p->thread, NULL, filler_main, p) != 0) {
			est_keypool_free(p);
			return CA_EIO;
		}
		p->has_thread = true;
	}
	*out = p;
	return CA_OK;
}

/* See est_keypool.h. */
void
est_keypool_free(struct est_keypool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->mu);
	if (p->has_thread)
		pthread_join(p->thread, NULL);
	for (unsigned i = 0; i < EST_KEYPOOL_KINDS; i++)
		for (unsigned j = 0; j < p->kind[i].n; j++)
			gnutls_x509_privkey_deinit(p->kind[i].key[j]);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* See est_keypool.h. */
gnutls_x509_privkey_t
est_keypool_take(struct est_keypool *p, gnutls_pk_algorithm_t alg,
    unsigned bits)
{
	gnutls_x509_privkey_t key = NULL;
	struct keypool_kind *k;

	if (p == NULL)
		return NULL;
	pthread_mutex_lock(&p->mu);
	k = kind_find(p, alg, bits);
	if (k == NULL) {
		/* Remember the kind in a free slot; a full table keeps its kinds. */
		for (unsigned i = 0; k == NULL && i < EST_KEYPOOL_KINDS; i++)
			if (p->kind[i].alg == GNUTLS_PK_UNKNOWN) {
				k = &p->kind[i];
				k->alg = alg;
				k->bits = bits;
			}
	} else if (k->n > 0) {
		key = k->key[--k->n];
		k->key[k->n] = NULL;
	}
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->mu);
	return key;
}

/* See est_keypool.h. */
unsigned
est_keypool_ready(struct est_keypool *p, gnutls_pk_algorithm_t alg,
    unsigned bits)
{
	struct keypool_kind *k;
	unsigned n = 0;

	pthread_mutex_lock(&p->mu);
	if ((k = kind_find(p, alg, bits)) != NULL)
		n = k->n;
	pthread_mutex_unlock(&p->mu);
	return n;
}

static pthread_mutex_t keypool_mu = PTHREAD_MUTEX_INITIALIZER;
static struct est_keypool *keypool_global;
static bool keypool_tried;

/* See est_keypool.h; the first call's size holds until exit. */
struct est_keypool *
est_keypool_get(unsigned per_kind)
{
	struct est_keypool *p;

	if (per_kind == 0)
		return NULL;
	pthread_mutex_lock(&keypool_mu);
	if (!keypool_tried) {
		keypool_tried = true;
		if (est_keypool_new(per_kind, true, &keypool_global) != CA_OK)
			keypool_global = NULL;
	}
	p = keypool_global;
	pthread_mutex_unlock(&keypool_mu);
	return p;
}

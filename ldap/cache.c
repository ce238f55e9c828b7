/*
 * Bounded TTL cache of principals keyed by salted SHA-256 digests. A flat
 * array scanned linearly: the bound is DIRECTORY_CACHE_MAX entries and a
 * scan is a few microseconds, far below one LDAP round trip.
 * XXX: a hash index would be needed if the bound grows a lot.
 * One mutex guards the table; principal copies are made under it.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "common/error.h"
#include "ldap/cache.h"

#define CACHE_SALT_LEN 32

struct cache_entry {
	bool used;
	unsigned char key[DIRECTORY_CACHE_KEY_LEN];
	int64_t expires;
	struct principal p;
};

struct directory_cache {
	pthread_mutex_t mu;
	unsigned char salt[CACHE_SALT_LEN];
	int ttl;
	size_t max;
	struct cache_entry *e;
};

/* Allocate the table and draw the salt from GnuTLS's key-grade RNG. */
int
directory_cache_new(size_t max_entries, int ttl_s, struct directory_cache **out)
{
	struct directory_cache *c;

	*out = NULL;
	if (max_entries == 0 || max_entries > DIRECTORY_CACHE_MAX)
		return CA_EINVAL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return CA_ENOMEM;
	if ((c->e = calloc(max_entries, sizeof(*c->e))) == NULL) {
		free(c);
		return CA_ENOMEM;
	}
	if (gnutls_rnd(GNUTLS_RND_KEY, c->salt, sizeof(c->salt)) != 0) {
		free(c->e);
		free(c);
		return CA_ECRYPTO;
	}
	pthread_mutex_init(&c->mu, NULL);
	c->ttl = ttl_s;
	c->max = max_entries;
	*out = c;
	return CA_OK;
}

/* Release one slot's principal and wipe its key. */
static void
entry_drop(struct cache_entry *e)
{
	principal_clear(&e->p);
	gnutls_memset(e->key, 0, sizeof(e->key));
	e->used = false;
	e->expires = 0;
}

/* Drop all entries, wipe the salt, free. */
void
directory_cache_free(struct directory_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->max; i++)
		entry_drop(&c->e[i]);
	gnutls_memset(c->salt, 0, sizeof(c->salt));
	pthread_mutex_destroy(&c->mu);
	free(c->e);
	free(c);
}

/* Feed a length (big-endian 32 bits) then the bytes into the hash. */
static void
hash_field(gnutls_hash_hd_t h, const void *v, size_t len)
{
	unsigned char l[4] = { (unsigned char)(len >> 24),
	    (unsigned char)(len >> 16), (unsigned char)(len >> 8),
	    (unsigned char)len };

	gnutls_hash(h, l, sizeof(l));
	if (len > 0)
		gnutls_hash(h, v, len);
}

/* SHA-256(salt || kind || len(a) || a || len(b) || b). */
void
directory_cache_key(const struct directory_cache *c, char kind, const void *a,
    size_t alen, const void *b, size_t blen,
    unsigned char key[DIRECTORY_CACHE_KEY_LEN])
{
	gnutls_hash_hd_t h;

	memset(key, 0, DIRECTORY_CACHE_KEY_LEN);
	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) != 0)
		return;
	gnutls_hash(h, c->salt, sizeof(c->salt));
	gnutls_hash(h, &kind, 1);
	hash_field(h, a, alen);
	hash_field(h, b, blen);
	gnutls_hash_deinit(h, key);
}

/* Index of the live entry with key, or -1; drops expired ones it meets. */
static long
find_locked(struct directory_cache *c, const unsigned char *key, int64_t now)
{
	for (size_t i = 0; i < c->max; i++) {
		struct cache_entry *e = &c->e[i];

		if (!e->used)
			continue;
		if (e->expires <= now) {
			entry_drop(e);
			continue;
		}
		if (memcmp(e->key, key, DIRECTORY_CACHE_KEY_LEN) == 0)
			return (long)i;
	}
	return -1;
}

/* Deep-copy a live entry out. */
int
directory_cache_get(struct directory_cache *c,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN], int64_t now,
    struct principal *out)
{
	long i;
	int rc = CA_ENOTFOUND;

	if (c->ttl <= 0)
		return CA_ENOTFOUND;
	pthread_mutex_lock(&c->mu);
	if ((i = find_locked(c, key, now)) >= 0)
		rc = principal_copy(out, &c->e[i].p);
	pthread_mutex_unlock(&c->mu);
	return rc;
}

/* Replace the same key, else take a free slot, else evict the oldest. */
int
directory_cache_put(struct directory_cache *c,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN], int64_t now,
    const struct principal *p)
{
	struct cache_entry *slot = NULL;
	struct principal copy;
	long i;
	int rc;

	if (c->ttl <= 0)
		return CA_OK;
	if ((rc = principal_copy(&copy, p)) != CA_OK)
		return rc;
	pthread_mutex_lock(&c->mu);
	if ((i = find_locked(c, key, now)) >= 0)
		slot = &c->e[i];
	for (size_t j = 0; slot == NULL && j < c->max; j++)
		if (!c->e[j].used)
			slot = &c->e[j];
	if (slot == NULL) {
		/* Full of live entries: the one expiring first is the oldest. */
		slot = &c->e[0];
		for (size_t j = 1; j < c->max; j++)
			if (c->e[j].expires < slot->expires)
				slot = &c->e[j];
	}
	entry_drop(slot);
	slot->used = true;
	memcpy(slot->key, key, DIRECTORY_CACHE_KEY_LEN);
	slot->expires = now + c->ttl;
	slot->p = copy;
	pthread_mutex_unlock(&c->mu);
	return CA_OK;
}

/* Empty the table. */
void
directory_cache_flush(struct directory_cache *c)
{
	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < c->max; i++)
		entry_drop(&c->e[i]);
	pthread_mutex_unlock(&c->mu);
}

/* Count live entries. */
size_t
directory_cache_count(struct directory_cache *c, int64_t now)
{
	size_t n = 0;

	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < c->max; i++)
		if (c->e[i].used && c->e[i].expires > now)
			n++;
	pthread_mutex_unlock(&c->mu);
	return n;
}

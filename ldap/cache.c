/*
 * Bounded TTL cache of principals keyed by salted SHA-256 digests. A flat
 * array scanned linearly: the bound is DIRECTORY_CACHE_MAX entries and a
 * scan is a few microseconds, far below one LDAP round trip. The array
 * holds keys, times and a pointer; each principal (~2.4 KB) is allocated
 * when put, so a scan reads ~64 bytes an entry instead of a whole
 * principal, and an idle cache costs no memory for its bound.
 * XXX: a hash index would be needed if the bound grows a lot.
 * One mutex guards the table; principal copies are made under it.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "common/error.h"
#include "common/opstats.h"
#include "ldap/cache.h"

#define CACHE_SALT_LEN 32

struct cache_entry {
	bool used;
	unsigned char key[DIRECTORY_CACHE_KEY_LEN];
	int64_t expires;
	int64_t checked;	/* when the account's state was last read */
	struct principal *p;	/* owned; NULL when unused */
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
	if (max_entries == 0 || max_entries > DIRECTORY_CACHE_MAX ||
	    ttl_s > DIRECTORY_CACHE_TTL_MAX)
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
	if (e->p != NULL) {
		principal_clear(e->p);
		free(e->p);
		e->p = NULL;
	}
	gnutls_memset(e->key, 0, sizeof(e->key));
	e->used = false;
	e->expires = 0;
	e->checked = 0;
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
		rc = principal_copy(out, c->e[i].p);
	pthread_mutex_unlock(&c->mu);
	opstat_count(rc == CA_OK ? OPSTAT_DIR_CACHE_HIT : OPSTAT_DIR_CACHE_MISS);
	return rc;
}

/* Replace the same key, else take a free slot, else evict the oldest. */
int
directory_cache_put(struct directory_cache *c,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN], int64_t now,
    const struct principal *p)
{
	struct cache_entry *slot = NULL;
	struct principal *copy;
	long i;
	int rc;

	if (c->ttl <= 0)
		return CA_OK;
	if ((copy = malloc(sizeof(*copy))) == NULL)
		return CA_ENOMEM;
	if ((rc = principal_copy(copy, p)) != CA_OK) {
		free(copy);
		return rc;
	}
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
	slot->checked = now;	/* what is put was just read */
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

/* The identity key of p (objectGUID, else SID); false if it has neither. */
static bool
identity_key(const struct directory_cache *c, const struct principal *p,
    unsigned char key[DIRECTORY_CACHE_KEY_LEN])
{
	const char *id = p->guid[0] != '\0' ? p->guid : p->sid;

	if (*id == '\0')
		return false;
	directory_cache_key(c, 'I', id, strlen(id), "", 0, key);
	return true;
}

/* A reference entry: identifiers only, no DN (every real entry has one). */
static bool
is_ref(const struct principal *p)
{
	return p->dn[0] == '\0' && (p->guid[0] != '\0' || p->sid[0] != '\0');
}

/* Principal under its identity, a reference under key. */
int
directory_cache_put_ref(struct directory_cache *c,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN], int64_t now,
    const struct principal *p)
{
	unsigned char id[DIRECTORY_CACHE_KEY_LEN];
	struct principal ref;
	int rc;

	if (p->dn[0] == '\0' || !identity_key(c, p, id))
		return directory_cache_put(c, key, now, p);
	memset(&ref, 0, sizeof(ref));
	memcpy(ref.sid, p->sid, sizeof(ref.sid));
	memcpy(ref.guid, p->guid, sizeof(ref.guid));
	if ((rc = directory_cache_put(c, id, now, p)) == CA_OK)
		rc = directory_cache_put(c, key, now, &ref);
	gnutls_memset(id, 0, sizeof(id));
	return rc;
}

/* key, then the identity entry it names. */
int
directory_cache_get_ref(struct directory_cache *c,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN], int64_t now,
    struct principal *out)
{
	unsigned char id[DIRECTORY_CACHE_KEY_LEN];
	struct principal ref;
	int rc;

	if ((rc = directory_cache_get(c, key, now, &ref)) != CA_OK)
		return rc;
	if (!is_ref(&ref)) {
		*out = ref;
		return CA_OK;
	}
	identity_key(c, &ref, id);
	principal_clear(&ref);
	rc = directory_cache_get(c, id, now, out);
	if (rc == CA_ENOTFOUND)
		directory_cache_drop(c, key);	/* its principal went first */
	gnutls_memset(id, 0, sizeof(id));
	return rc;
}

/* Drop key and what it refers to. */
void
directory_cache_drop(struct directory_cache *c,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN])
{
	unsigned char id[DIRECTORY_CACHE_KEY_LEN];
	bool have_id = false;

	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < c->max; i++) {
		struct cache_entry *e = &c->e[i];

		if (!e->used || memcmp(e->key, key, DIRECTORY_CACHE_KEY_LEN) != 0)
			continue;
		if (is_ref(e->p))
			have_id = identity_key(c, e->p, id);
		entry_drop(e);
	}
	for (size_t i = 0; have_id && i < c->max; i++)
		if (c->e[i].used &&
		    memcmp(c->e[i].key, id, DIRECTORY_CACHE_KEY_LEN) == 0)
			entry_drop(&c->e[i]);
	pthread_mutex_unlock(&c->mu);
	gnutls_memset(id, 0, sizeof(id));
}

/* Lower-case the name, then the usual key. */
void
directory_cache_name_key(const struct directory_cache *c, char kind,
    const char *name, const void *secret, size_t slen,
    unsigned char key[DIRECTORY_CACHE_KEY_LEN])
{
	size_t n = strlen(name);
	char *low = malloc(n + 1);

	if (low == NULL) {
		/* No key at all rather than a case-sensitive one. */
		gnutls_rnd(GNUTLS_RND_NONCE, key, DIRECTORY_CACHE_KEY_LEN);
		return;
	}
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	directory_cache_key(c, kind, low, n, secret, slen, key);
	gnutls_memset(low, 0, n);
	free(low);
}

/*
 * The live identity entry key leads to (key's own entry when it is not a
 * reference), or NULL; caller holds c->mu.
 */
static struct cache_entry *
target_locked(struct directory_cache *c, const unsigned char *key, int64_t now)
{
	unsigned char id[DIRECTORY_CACHE_KEY_LEN];
	struct cache_entry *e;
	long i;

	if ((i = find_locked(c, key, now)) < 0)
		return NULL;
	e = &c->e[i];
	if (!is_ref(e->p))
		return e;
	if (!identity_key(c, e->p, id))
		return NULL;
	i = find_locked(c, id, now);
	gnutls_memset(id, 0, sizeof(id));
	return i >= 0 ? &c->e[i] : NULL;
}

/* Whether the account behind key was read within max_age_s. */
bool
directory_cache_checked_within(struct directory_cache *c,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN], int64_t now,
    int max_age_s)
{
	struct cache_entry *e;
	bool fresh = false;

	if (c->ttl <= 0 || max_age_s <= 0)
		return false;
	pthread_mutex_lock(&c->mu);
	if ((e = target_locked(c, key, now)) != NULL)
		fresh = now >= e->checked && now - e->checked < max_age_s;
	pthread_mutex_unlock(&c->mu);
	return fresh;
}

/* Note that the account behind key was just read again. */
void
directory_cache_mark_checked(struct directory_cache *c,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN], int64_t now)
{
	struct cache_entry *e;

	pthread_mutex_lock(&c->mu);
	if ((e = target_locked(c, key, now)) != NULL)
		e->checked = now;
	pthread_mutex_unlock(&c->mu);
}

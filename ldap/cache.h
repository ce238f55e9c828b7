/*
 * The directory cache: successful authentications and lookups, each a
 * deep copy of a struct principal, under a 32-byte key that is a salted
 * SHA-256 of what identified it (for binds: user name folded to lower case
 * and password, so the password itself is never stored). The salt is
 * random per cache. With the _ref calls a name only refers to the
 * principal's own entry, keyed by its objectGUID/SID. Entries live ttl
 * seconds (at most DIRECTORY_CACHE_TTL_MAX) on the caller's monotonic
 * clock; the table is bounded and evicts the entry closest to expiry.
 * Failures are never put here.
 * Every function takes the cache's own mutex: safe from any thread.
 */
#ifndef ENTCA_LDAP_CACHE_H
#define ENTCA_LDAP_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/principal.h"

#define DIRECTORY_CACHE_KEY_LEN 32	/* SHA-256 */
#define DIRECTORY_CACHE_MAX 4096	/* upper bound on max_entries */
#define DIRECTORY_CACHE_TTL_MAX 300	/* seconds: the longest a cached
					 * answer may outlive a change */

struct directory_cache;

/*
 * Make a cache of up to max_entries (1..DIRECTORY_CACHE_MAX) entries that
 * live ttl_s seconds; ttl_s <= 0 makes a cache that never hits. Returns
 * CA_OK, CA_EINVAL or CA_ENOMEM; free with directory_cache_free().
 */
int directory_cache_new(size_t max_entries, int ttl_s,
    struct directory_cache **out);

/* Free all entries (wiping keys) and the cache; accepts NULL. */
void directory_cache_free(struct directory_cache *c);

/*
 * Derive the key for (kind, a, b): SHA-256 over the salt, kind and both
 * values each with its length, so ("ab","c") and ("a","bc") differ.
 */
void directory_cache_key(const struct directory_cache *c, char kind,
    const void *a, size_t alen, const void *b, size_t blen,
    unsigned char key[DIRECTORY_CACHE_KEY_LEN]);

/*
 * Copy the live entry under key into *out (caller clears it with
 * principal_clear). now is monotonic seconds. Returns CA_OK,
 * CA_ENOTFOUND (absent or expired) or CA_ENOMEM.
 */
int directory_cache_get(struct directory_cache *c,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN], int64_t now,
    struct principal *out);

/*
 * Store a deep copy of p under key until now + ttl, replacing an entry
 * with the same key. Returns CA_OK or CA_ENOMEM.
 */
int directory_cache_put(struct directory_cache *c,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN], int64_t now,
    const struct principal *p);

/*
 * Keyed by identity: store p under its own identity key (objectGUID, else
 * objectSid) and, under key, only a reference to it. Every name that
 * resolved to one principal then shares one copy of its data, and a fresh
 * read through any name refreshes what all the others see. A principal
 * with neither identifier is stored under key itself. Returns CA_OK or
 * CA_ENOMEM.
 */
int directory_cache_put_ref(struct directory_cache *c,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN], int64_t now,
    const struct principal *p);

/*
 * Follow key to the principal it refers to and copy it into *out.
 * Returns CA_OK, CA_ENOTFOUND (key or its principal absent or expired)
 * or CA_ENOMEM.
 */
int directory_cache_get_ref(struct directory_cache *c,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN], int64_t now,
    struct principal *out);

/* Drop the entry under key and the principal it refers to, if any. */
void directory_cache_drop(struct directory_cache *c,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN]);

/*
 * The key for a name as typed (kind, name, secret): like
 * directory_cache_key with name folded to lower case (ASCII), so "bob"
 * and "Bob" share an entry as they share an account.
 */
void directory_cache_name_key(const struct directory_cache *c, char kind,
    const char *name, const void *secret, size_t slen,
    unsigned char key[DIRECTORY_CACHE_KEY_LEN]);

/* Drop every entry. */
void directory_cache_flush(struct directory_cache *c);

/*
 * Whether the account behind key (following a reference) was read from
 * the directory less than max_age_s seconds before now: when it was put,
 * or last marked. false when absent, expired, or max_age_s <= 0. Lets a
 * login skip re-reading the account's state for a bounded time; a flush
 * (revoke-all, SIGHUP) forgets it with the entry.
 */
bool directory_cache_checked_within(struct directory_cache *c,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN], int64_t now,
    int max_age_s);

/* Record that the account behind key was read again at now. */
void directory_cache_mark_checked(struct directory_cache *c,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN], int64_t now);

/* Number of live entries at now (for tests and statistics). */
size_t directory_cache_count(struct directory_cache *c, int64_t now);

#endif

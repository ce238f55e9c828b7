/*
 * The pre-signed response cache (see ocsp_int.h): a chained hash table
 * bucketed by serial, so that a revocation drops every response of the
 * serial (under each CertID hash) in one bucket walk. Entries hold a
 * reference on an immutable blob; readers get their own reference and
 * answer from it after the lock is released. Any thread, one mutex.
 */
#include <stdlib.h>
#include <string.h>

#include "ca/ocsp/ocsp_int.h"

struct ocsp_cache_entry {
	struct ocsp_cache_entry *next;
	unsigned char key[OCSP_CERTID_DER_MAX];
	size_t key_len;
	unsigned char serial[STORE_SERIAL_MAX + 2];
	size_t serial_len;
	struct ocsp_snap snap;
	struct ocsp_blob *blob;
};

/* FNV-1a of the serial: serials are random, so this spreads well. */
static size_t
cache_hash(const struct ocsp_cache *c, const unsigned char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return (size_t)h & (c->nbuckets - 1);
}

/* Buckets for about max entries. */
int
ocsp_cache_init(struct ocsp_cache *c, size_t max)
{
	size_t nb = 64;

	memset(c, 0, sizeof(*c));
	while (nb < max && nb < ((size_t)1 << 24))
		nb <<= 1;
	if ((c->buckets = calloc(nb, sizeof(*c->buckets))) == NULL)
		return CA_ENOMEM;
	c->nbuckets = nb;
	c->max = max;
	pthread_mutex_init(&c->lock, NULL);
	return CA_OK;
}

/* Free every entry. */
void
ocsp_cache_destroy(struct ocsp_cache *c)
{
	struct ocsp_cache_entry *e, *next;

	if (c->buckets == NULL)
		return;
	for (size_t i = 0; i < c->nbuckets; i++)
		for (e = c->buckets[i]; e != NULL; e = next) {
			next = e->next;
			ocsp_blob_put(e->blob);
			free(e);
		}
	free(c->buckets);
	c->buckets = NULL;
	pthread_mutex_destroy(&c->lock);
}

/* New blob with one reference. */
struct ocsp_blob *
ocsp_blob_new(const unsigned char *der, size_t len)
{
	struct ocsp_blob *b = calloc(1, sizeof(*b) + len);

	if (b == NULL)
		return NULL;
	atomic_init(&b->refs, 1);
	memcpy(b->der, der, len);
	b->len = len;
	return b;
}

/* Drop one reference. */
void
ocsp_blob_put(struct ocsp_blob *b)
{
	if (b != NULL && atomic_fetch_sub(&b->refs, 1) == 1)
		free(b);
}

/* Whether two snapshots say the same about a serial. */
static bool
snap_same(const struct ocsp_snap *a, const struct ocsp_snap *b)
{
	return a->exists == b->exists && a->status == b->status &&
	    a->reason == b->reason && a->revoked_at == b->revoked_at &&
	    a->unrevoked_at == b->unrevoked_at;
}

/* Look up certid; see ocsp_int.h. */
struct ocsp_blob *
ocsp_cache_get(struct ocsp_cache *c, const unsigned char *certid,
    size_t certid_len, const unsigned char *serial, size_t serial_len,
    const struct ocsp_snap *snap, int64_t now)
{
	struct ocsp_cache_entry *e;
	struct ocsp_blob *b = NULL;

	pthread_mutex_lock(&c->lock);
	for (e = c->buckets[cache_hash(c, serial, serial_len)]; e != NULL; e = e->next)
		if (e->key_len == certid_len && memcmp(e->key, certid, certid_len) == 0)
			break;
	if (e != NULL && snap_same(&e->snap, snap) && now < e->blob->refresh_at &&
	    now >= e->blob->this_update) {
		b = e->blob;
		atomic_fetch_add(&b->refs, 1);
	}
	pthread_mutex_unlock(&c->lock);
	return b;
}

/* Insert or replace certid's response. */
void
ocsp_cache_put(struct ocsp_cache *c, const unsigned char *certid,
    size_t certid_len, const unsigned char *serial, size_t serial_len,
    const struct ocsp_snap *snap, struct ocsp_blob *blob)
{
	struct ocsp_cache_entry *e, **head;

	if (certid_len > OCSP_CERTID_DER_MAX || serial_len > sizeof(e->serial))
		return;
	pthread_mutex_lock(&c->lock);
	head = &c->buckets[cache_hash(c, serial, serial_len)];
	for (e = *head; e != NULL; e = e->next)
		if (e->key_len == certid_len && memcmp(e->key, certid, certid_len) == 0)
			break;
	if (e == NULL) {
		if (c->n >= c->max && *head != NULL) {
			/* Full: this bucket's first entry makes room. */
			e = *head;
		} else if (c->n >= c->max || (e = calloc(1, sizeof(*e))) == NULL) {
			pthread_mutex_unlock(&c->lock);
			return;	/* full, or no memory: served by signing */
		} else {
			e->next = *head;
			*head = e;
			c->n++;
		}
		memcpy(e->key, certid, certid_len);
		e->key_len = certid_len;
		memcpy(e->serial, serial, serial_len);
		e->serial_len = serial_len;
	}
	ocsp_blob_put(e->blob);
	atomic_fetch_add(&blob->refs, 1);
	e->blob = blob;
	e->snap = *snap;
	pthread_mutex_unlock(&c->lock);
}

/* Drop serial's responses. */
void
ocsp_cache_forget(struct ocsp_cache *c, const unsigned char *serial,
    size_t serial_len)
{
	struct ocsp_cache_entry **pp, *e;

	if (c->buckets == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	pp = &c->buckets[cache_hash(c, serial, serial_len)];
	while ((e = *pp) != NULL) {
		if (e->serial_len == serial_len && memcmp(e->serial, serial, serial_len) == 0) {
			*pp = e->next;
			ocsp_blob_put(e->blob);
			free(e);
			c->n--;
		} else {
			pp = &e->next;
		}
	}
	pthread_mutex_unlock(&c->lock);
}

/*
 * The store's record codec and key builders. A record is one version byte
 * followed by fields: fixed big-endian integers and length-prefixed (u32
 * big-endian) byte strings. Decoding checks every length against the
 * field's named bound and the record's end, so a damaged value becomes a
 * CA_EDB code instead of an overread. No transactions, no I/O, no state
 * (store_txn.c words the sentences); any thread.
 */
#include <stdlib.h>
#include <string.h>

#include "ca/store/store_int.h"

/* Write v big-endian into 8 bytes at p. */
void
store_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = v & 0xff;
		v >>= 8;
	}
}

/* Read 8 big-endian bytes at p. */
uint64_t
store_rd64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Write a signed time so that byte order equals numeric order. */
void
store_be_time(unsigned char *p, int64_t t)
{
	store_be64(p, (uint64_t)t ^ UINT64_C(0x8000000000000000));
}

/* Read a time written by store_be_time. */
int64_t
store_rd_time(const unsigned char *p)
{
	return (int64_t)(store_rd64(p) ^ UINT64_C(0x8000000000000000));
}

/* Make room for n more bytes, doubling; a failure sticks (e->err). */
static int
enc_grow(struct store_enc *e, size_t n)
{
	size_t cap;
	unsigned char *np;

	if (e->err)
		return e->err;
	if (n > SIZE_MAX / 2 - e->len) {
		e->err = CA_ETOOBIG;
		return e->err;
	}
	if (e->len + n <= e->cap)
		return CA_OK;
	cap = e->cap ? e->cap : 256;
	while (cap < e->len + n)
		cap *= 2;
	if ((np = realloc(e->p, cap)) == NULL) {
		e->err = CA_ENOMEM;
		return e->err;
	}
	e->p = np;
	e->cap = cap;
	return CA_OK;
}

/* Start a record with its version byte. */
void
store_enc_init(struct store_enc *e, unsigned char version)
{
	memset(e, 0, sizeof(*e));
	store_enc_u8(e, version);
}

/* Append one byte. */
void
store_enc_u8(struct store_enc *e, unsigned v)
{
	if (enc_grow(e, 1) == CA_OK)
		e->p[e->len++] = v & 0xff;
}

/* Append a big-endian 32-bit integer. */
void
store_enc_u32(struct store_enc *e, uint32_t v)
{
	if (enc_grow(e, 4) == CA_OK) {
		e->p[e->len++] = v >> 24;
		e->p[e->len++] = (v >> 16) & 0xff;
		e->p[e->len++] = (v >> 8) & 0xff;
		e->p[e->len++] = v & 0xff;
	}
}

/* Append a big-endian 64-bit integer. */
void
store_enc_u64(struct store_enc *e, uint64_t v)
{
	if (enc_grow(e, 8) == CA_OK) {
		store_be64(e->p + e->len, v);
		e->len += 8;
	}
}

/* Append a signed 64-bit integer (two's complement, big-endian). */
void
store_enc_i64(struct store_enc *e, int64_t v)
{
	store_enc_u64(e, (uint64_t)v);
}

/* Append a length-prefixed byte string. */
void
store_enc_bytes(struct store_enc *e, const void *p, size_t len)
{
	if (len > UINT32_MAX) {
		if (!e->err)
			e->err = CA_ETOOBIG;
		return;
	}
	store_enc_u32(e, (uint32_t)len);
	if (len > 0 && enc_grow(e, len) == CA_OK) {
		memcpy(e->p + e->len, p, len);
		e->len += len;
	}
}

/* Append a NUL-terminated text as a length-prefixed string (no NUL). */
void
store_enc_str(struct store_enc *e, const char *s)
{
	store_enc_bytes(e, s, s ? strlen(s) : 0);
}

/* Free the encoder's buffer. */
void
store_enc_free(struct store_enc *e)
{
	free(e->p);
	memset(e, 0, sizeof(*e));
}

/*
 * Check the version byte of value v against max: CA_EDB when the record is
 * empty or has version 0 (damaged), CA_EVERSION when it is newer than
 * max. store_t_dec_init (store_txn.c) words the sentence.
 */
int
store_dec_init(struct store_dec *d, const MDB_val *v, unsigned max)
{
	memset(d, 0, sizeof(*d));
	d->p = v->mv_data;
	d->len = v->mv_size;
	if (d->len < 1)
		return CA_EDB;
	d->version = d->p[0];
	d->off = 1;
	if (d->version == 0)
		return CA_EDB;
	if (d->version > max)
		return CA_EVERSION;
	return CA_OK;
}

/* Take n bytes, or mark the record short. */
static const unsigned char *
dec_take(struct store_dec *d, size_t n)
{
	const unsigned char *p;

	if (d->err)
		return NULL;
	if (n > d->len - d->off) {
		d->err = CA_EDB;
		return NULL;
	}
	p = d->p + d->off;
	d->off += n;
	return p;
}

/* Read one byte (0 after an error). */
unsigned
store_dec_u8(struct store_dec *d)
{
	const unsigned char *p = dec_take(d, 1);

	return p ? p[0] : 0;
}

/* Read a big-endian 32-bit integer. */
uint32_t
store_dec_u32(struct store_dec *d)
{
	const unsigned char *p = dec_take(d, 4);

	if (p == NULL)
		return 0;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Read a big-endian 64-bit integer. */
uint64_t
store_dec_u64(struct store_dec *d)
{
	const unsigned char *p = dec_take(d, 8);

	return p ? store_rd64(p) : 0;
}

/* Read a signed 64-bit integer. */
int64_t
store_dec_i64(struct store_dec *d)
{
	return (int64_t)store_dec_u64(d);
}

/* Borrow a length-prefixed field of at most max bytes. */
const unsigned char *
store_dec_view(struct store_dec *d, size_t max, size_t *len)
{
	uint32_t n = store_dec_u32(d);
	const unsigned char *p;

	*len = 0;
	if (d->err)
		return NULL;
	if (n > max) {
		d->err = CA_EDB;
		return NULL;
	}
	if ((p = dec_take(d, n)) == NULL)
		return NULL;
	*len = n;
	return p;
}

/* Copy a text field into buf (NUL-terminated; inner NULs are damage). */
void
store_dec_str(struct store_dec *d, char *buf, size_t cap)
{
	size_t n;
	const unsigned char *p = store_dec_view(d, cap - 1, &n);

	buf[0] = '\0';
	if (p == NULL)
		return;
	if (memchr(p, '\0', n) != NULL) {
		d->err = CA_EDB;
		return;
	}
	memcpy(buf, p, n);
	buf[n] = '\0';
}

/* Copy a byte field into a fixed buffer. */
void
store_dec_fixed(struct store_dec *d, void *buf, size_t cap, size_t *len)
{
	const unsigned char *p = store_dec_view(d, cap, len);

	if (p != NULL && *len > 0)
		memcpy(buf, p, *len);
}

/* Malloc a copy of a byte field (an empty field gives NULL, *len 0). */
unsigned char *
store_dec_dup(struct store_dec *d, size_t max, size_t *len)
{
	const unsigned char *p = store_dec_view(d, max, len);
	unsigned char *c;

	if (p == NULL || *len == 0)
		return NULL;
	if ((c = malloc(*len)) == NULL) {
		d->err = CA_ENOMEM;
		*len = 0;
		return NULL;
	}
	memcpy(c, p, *len);
	return c;
}

/* Finish: every byte used and no error (CA_ENOMEM, CA_EDB otherwise). */
int
store_dec_end(const struct store_dec *d)
{
	if (d->err == CA_ENOMEM)
		return CA_ENOMEM;
	if (d->err || d->off != d->len)
		return CA_EDB;
	return CA_OK;
}

/*
 * Strict DER TLV reading and writing (see der.h). Pure functions over
 * caller buffers; safe from any thread.
 */
#include <string.h>

#include "common/der.h"
#include "common/error.h"

/* Read one TLV: single-octet tags, definite lengths up to 4 octets, minimal. */
int
der_read(const unsigned char *p, size_t len, struct der_tlv *t)
{
	size_t n = 0, clen = 0, i, nl;

	if (len < 2)
		return CA_EPARSE;
	t->tag = p[n++];
	if ((t->tag & 0x1f) == 0x1f)
		return CA_EPARSE;
	if (p[n] < 0x80) {
		clen = p[n++];
	} else {
		nl = p[n++] & 0x7f;
		if (nl == 0 || nl > 4 || n + nl > len)
			return CA_EPARSE;
		if (p[n] == 0)
			return CA_EPARSE;	/* leading zero: not minimal */
		for (i = 0; i < nl; i++)
			clen = (clen << 8) | p[n++];
		if (clen < 0x80)
			return CA_EPARSE;	/* long form for a short length */
	}
	if (clen > len - n)
		return CA_EPARSE;
	t->val = p + n;
	t->len = clen;
	t->raw = p;
	t->rawlen = n + clen;
	return CA_OK;
}

/* Start empty, with room for cap bytes. */
void
der_buf_init(struct der_buf *b, unsigned char *out, size_t cap)
{
	b->p = out;
	b->len = 0;
	b->cap = cap;
	b->over = false;
}

/* The sticky flag, as a project code. */
int
der_buf_done(const struct der_buf *b)
{
	return b->over ? CA_ETOOBIG : CA_OK;
}

/* Append bytes, or mark overflow and keep the buffer as it was. */
void
der_put(struct der_buf *b, const void *data, size_t len)
{
	if (b->over || len > b->cap - b->len) {
		b->over = true;
		return;
	}
	if (len > 0)
		memcpy(b->p + b->len, data, len);
	b->len += len;
}

/* Count the length-field octets: short form below 128, else 0x8n + n. */
size_t
der_len_size(size_t len)
{
	size_t n = 1;

	if (len < 0x80)
		return 1;
	while (len > 0) {
		n++;
		len >>= 8;
	}
	return n;
}

/* Size a whole TLV with a one-octet tag. */
size_t
der_tlv_size(size_t len)
{
	return 1 + der_len_size(len) + len;
}

/* Emit the tag and the definite length in minimal form (X.690 §10.1). */
unsigned char *
der_put_header(unsigned char *p, unsigned char tag, size_t len)
{
	size_t n, i;

	*p++ = tag;
	if (len < 0x80) {
		*p++ = (unsigned char)len;
		return p;
	}
	n = der_len_size(len) - 1;
	*p++ = (unsigned char)(0x80 | n);
	for (i = n; i > 0; i--)
		*p++ = (unsigned char)(len >> (8 * (i - 1)));
	return p;
}

/* Header into a bounded buffer; contents above DER_LEN_MAX overflow it. */
void
der_put_hdr(struct der_buf *b, unsigned tag, size_t len)
{
	unsigned char h[6];

	if (len > DER_LEN_MAX) {
		b->over = true;
		return;
	}
	der_put(b, h, (size_t)(der_put_header(h, (unsigned char)tag, len) - h));
}

/* Reserve the largest header; the mark is where the TLV will start. */
size_t
der_begin(struct der_buf *b)
{
	static const unsigned char room[DER_HDR_MAX];
	size_t mark = b->len;

	der_put(b, room, sizeof(room));
	return mark;
}

/* The real header at mark, the contents moved down to follow it. */
void
der_end(struct der_buf *b, size_t mark, unsigned tag)
{
	unsigned char h[DER_HDR_MAX + 1];
	size_t start = mark + DER_HDR_MAX, len, hl;

	if (b->over || start > b->len)
		return;
	len = b->len - start;
	if (len > DER_LEN_MAX) {
		b->over = true;
		return;
	}
	hl = (size_t)(der_put_header(h, (unsigned char)tag, len) - h);
	memmove(b->p + mark + hl, b->p + start, len);
	memcpy(b->p + mark, h, hl);
	b->len = mark + hl + len;
}

/* Header plus contents, or neither when they do not both fit. */
void
der_put_tlv(struct der_buf *b, unsigned tag, const void *data, size_t len)
{
	if (b->over || len > DER_LEN_MAX ||
	    der_tlv_size(len) > b->cap - b->len) {
		b->over = true;
		return;
	}
	der_put_hdr(b, tag, len);
	der_put(b, data, len);
}

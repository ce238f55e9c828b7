/*
 * Strict DER TLV reading and writing for policy/ (see der.h). Pure functions
 * over caller buffers; safe from any thread.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "policy/der.h"

/* Read one TLV: single-octet tags, definite lengths up to 4 octets, minimal. */
int
der_read(const unsigned char *p, size_t len, struct der_tlv *t)
{
	size_t n = 0, clen = 0, i, nl;

	if (len < 2)
		return -1;
	t->tag = p[n++];
	if ((t->tag & 0x1f) == 0x1f)
		return -1;
	if (p[n] < 0x80) {
		clen = p[n++];
	} else {
		nl = p[n++] & 0x7f;
		if (nl == 0 || nl > 4 || n + nl > len)
			return -1;
		if (p[n] == 0)
			return -1;	/* leading zero: not minimal */
		for (i = 0; i < nl; i++)
			clen = (clen << 8) | p[n++];
		if (clen < 0x80)
			return -1;	/* long form for a short length */
	}
	if (clen > len - n)
		return -1;
	t->val = p + n;
	t->len = clen;
	t->raw = p;
	t->rawlen = n + clen;
	return 0;
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

/* Tag octet then the shortest length form (X.690 §10.1). */
void
der_put_hdr(struct der_buf *b, unsigned tag, size_t len)
{
	unsigned char h[6];
	size_t n = 0;

	h[n++] = (unsigned char)tag;
	if (len < 0x80) {
		h[n++] = (unsigned char)len;
	} else if (len < 0x100) {
		h[n++] = 0x81;
		h[n++] = (unsigned char)len;
	} else if (len < 0x10000) {
		h[n++] = 0x82;
		h[n++] = (unsigned char)(len >> 8);
		h[n++] = (unsigned char)len;
	} else if (len < 0x1000000) {
		h[n++] = 0x83;
		h[n++] = (unsigned char)(len >> 16);
		h[n++] = (unsigned char)(len >> 8);
		h[n++] = (unsigned char)len;
	} else {
		b->over = true;
		return;
	}
	der_put(b, h, n);
}

/* Header plus contents. */
void
der_put_tlv(struct der_buf *b, unsigned tag, const void *data, size_t len)
{
	der_put_hdr(b, tag, len);
	der_put(b, data, len);
}

/* Decode base-128 arcs; the first octet group holds arcs one and two. */
int
der_oid_text(const unsigned char *v, size_t len, char *out, size_t outlen)
{
	size_t i, o = 0;
	uint64_t arc = 0;
	bool first = true;
	int w;

	if (len == 0 || outlen == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (arc == 0 && v[i] == 0x80)
			return -1;	/* non-minimal arc */
		if (arc > (UINT64_MAX >> 7))
			return -1;
		arc = (arc << 7) | (v[i] & 0x7f);
		if (v[i] & 0x80) {
			if (i + 1 == len)
				return -1;
			continue;
		}
		if (first) {
			unsigned a = arc < 40 ? 0 : arc < 80 ? 1 : 2;
			w = snprintf(out + o, outlen - o, "%u.%llu", a,
			    (unsigned long long)(arc - 40u * a));
			first = false;
		} else {
			w = snprintf(out + o, outlen - o, ".%llu",
			    (unsigned long long)arc);
		}
		if (w < 0 || (size_t)w >= outlen - o)
			return -1;
		o += (size_t)w;
		arc = 0;
	}
	return 0;
}

/* Append one arc in base 128, most significant group first. */
static int
put_arc(uint64_t arc, unsigned char *out, size_t outlen, size_t *n)
{
	unsigned char tmp[10];
	size_t k = 0;

	do {
		tmp[k++] = (unsigned char)(arc & 0x7f);
		arc >>= 7;
	} while (arc != 0);
	if (k > outlen - *n)
		return -1;
	while (k > 0) {
		k--;
		out[(*n)++] = tmp[k] | (k > 0 ? 0x80 : 0);
	}
	return 0;
}

/* Parse "a.b.c" text; arcs are decimal without sign or leading zeros. */
int
der_oid_encode(const char *text, unsigned char *out, size_t outlen,
    size_t *len)
{
	uint64_t arcs[2] = { 0, 0 }, arc;
	const char *p = text;
	size_t n = 0, idx = 0;

	if (!der_oid_valid(text))
		return -1;
	while (*p != '\0') {
		arc = 0;
		while (*p >= '0' && *p <= '9') {
			if (arc > (UINT64_MAX - 9) / 10)
				return -1;
			arc = arc * 10 + (uint64_t)(*p - '0');
			p++;
		}
		if (*p == '.')
			p++;
		if (idx < 2) {
			arcs[idx++] = arc;
			if (idx == 2) {
				if (arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39))
					return -1;
				if (put_arc(arcs[0] * 40 + arcs[1], out, outlen,
				    &n) != 0)
					return -1;
			}
			continue;
		}
		if (put_arc(arc, out, outlen, &n) != 0)
			return -1;
	}
	*len = n;
	return 0;
}

/* Digits separated by single dots, at least two arcs, no leading zeros. */
bool
der_oid_valid(const char *s)
{
	size_t arcs = 0, digits = 0, total = 0;

	if (s == NULL)
		return false;
	for (;; s++) {
		if (++total >= DER_OID_TEXT_MAX)
			return false;
		if (*s >= '0' && *s <= '9') {
			if (digits == 1 && s[-1] == '0')
				return false;
			digits++;
			continue;
		}
		if (digits == 0)
			return false;
		arcs++;
		digits = 0;
		if (*s == '\0')
			break;
		if (*s != '.')
			return false;
	}
	return arcs >= 2;
}

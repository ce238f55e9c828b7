/*
 * The one DER reader and writer of entca (X.690 §8.1, §10.1): TLVs with
 * one-octet tags and definite minimal lengths, written either into a
 * bounded buffer with a sticky overflow flag (struct der_buf, for small
 * structures: X.501 names, otherName values, EST CsrAttrs) or at a raw
 * pointer after sizing with der_tlv_size (the CRL encoder's two passes).
 * OBJECT IDENTIFIER text <-> contents goes through libtasn1 (common/oid.c).
 * Strict DER only. No allocation, no state: safe from any thread.
 */
#ifndef ENTCA_COMMON_DER_H
#define ENTCA_COMMON_DER_H

#include <stdbool.h>
#include <stddef.h>

#define DER_OID_TEXT_MAX 128	/* dotted OID text incl. NUL */
#define DER_OID_BYTES_MAX 64	/* encoded OID content bytes */
#define DER_LEN_MAX 0xffffffu	/* longest contents der_put_hdr writes */
#define DER_HDR_MAX 5		/* tag + 0x83 + three length octets */

/* Universal and common context tags. */
#define DER_BOOLEAN		0x01
#define DER_INTEGER		0x02
#define DER_BIT_STRING		0x03
#define DER_OCTET_STRING	0x04
#define DER_NULL		0x05
#define DER_OID			0x06
#define DER_UTCTIME		0x17
#define DER_GENERALIZEDTIME	0x18
#define DER_UTF8STRING		0x0c
#define DER_NUMERICSTRING	0x12
#define DER_PRINTABLESTRING	0x13
#define DER_TELETEXSTRING	0x14
#define DER_IA5STRING		0x16
#define DER_VISIBLESTRING	0x1a
#define DER_UNIVERSALSTRING	0x1c
#define DER_BMPSTRING		0x1e
#define DER_SEQUENCE		0x30
#define DER_SET			0x31
#define DER_CTX0		0xa0	/* [0] constructed */

/* One decoded TLV; pointers borrow from the input buffer. */
struct der_tlv {
	unsigned tag;			/* the full identifier octet */
	const unsigned char *val;	/* contents */
	size_t len;			/* contents length */
	const unsigned char *raw;	/* the whole TLV */
	size_t rawlen;
};

/*
 * Output buffer with a sticky overflow flag: a chain of puts is checked
 * once, with der_buf_done, and a buffer that overflowed keeps what it held
 * before the put that did not fit (never a truncated TLV).
 */
struct der_buf {
	unsigned char *p;
	size_t len;
	size_t cap;
	bool over;
};

/*
 * Read one TLV at the start of p (len bytes). Returns CA_OK or CA_EPARSE
 * when the bytes are not strict DER (multi-byte tag, indefinite or
 * non-minimal length, or contents past len).
 */
int der_read(const unsigned char *p, size_t len, struct der_tlv *t);

/* A der_buf writing into out[0..cap). */
void der_buf_init(struct der_buf *b, unsigned char *out, size_t cap);

/* CA_OK when every put into b fit, else CA_ETOOBIG. */
int der_buf_done(const struct der_buf *b);

/* Append raw bytes to b. */
void der_put(struct der_buf *b, const void *data, size_t len);

/* Append a tag and a DER length header for contents of len bytes. */
void der_put_hdr(struct der_buf *b, unsigned tag, size_t len);

/* Append a complete TLV. */
void der_put_tlv(struct der_buf *b, unsigned tag, const void *data,
    size_t len);

/*
 * Nested TLVs without scratch buffers: der_begin reserves room for the
 * largest header and returns a mark; the contents are then put into b;
 * der_end(b, mark, tag) writes the tag and minimal length at mark and
 * moves the contents down behind them. Marks close innermost first. With
 * b overflowed both do nothing, so a chain is still checked once.
 */
size_t der_begin(struct der_buf *b);
void der_end(struct der_buf *b, size_t mark, unsigned tag);

/*
 * Append an OBJECT IDENTIFIER TLV for dotted text; a bad OID marks b as
 * failed like an overflow (the caller's OIDs are constants).
 */
void der_put_oid(struct der_buf *b, const char *text);

/* Number of octets the length field of len contents takes. */
size_t der_len_size(size_t len);

/* Total size of a TLV (one-octet tag) whose contents are len octets. */
size_t der_tlv_size(size_t len);

/*
 * Write tag and the DER length of len at p and return the octet after.
 * The caller has sized the buffer with der_tlv_size (no room check).
 */
unsigned char *der_put_header(unsigned char *p, unsigned char tag,
    size_t len);

/*
 * Dotted text of an encoded OID's contents into out (libtasn1). Returns
 * CA_OK, CA_EPARSE when the encoding is bad (including non-minimal arcs),
 * or CA_ETOOBIG when out is too small.
 */
int der_oid_text(const unsigned char *v, size_t len, char *out,
    size_t outlen);

/*
 * Encode dotted text into OID contents (no tag/length) with libtasn1.
 * Returns CA_OK, CA_EINVAL when the text is not a valid OID (at least two
 * arcs, first 0..2, second below 40 under 0 and 1, no leading zeros) or
 * has an arc libtasn1 cannot encode exactly (past 2^63 - 1), or
 * CA_ETOOBIG when out is too small.
 */
int der_oid_encode(const char *text, unsigned char *out, size_t outlen,
    size_t *len);

/* True when der_oid_encode takes s: a valid OID, encoded exactly. */
bool der_oid_valid(const char *s);

#endif

/*
 * Minimal DER reader and writer for policy/: the few structures policy/ must
 * read or write byte-exactly (X.501 Name, the SID security extension value,
 * otherName values) without a full ASN.1 compiler. Strict DER only: one-byte
 * tags, definite minimal lengths. No allocation; safe from any thread.
 */
#ifndef ENTCA_POLICY_DER_H
#define ENTCA_POLICY_DER_H

#include <stdbool.h>
#include <stddef.h>

#define DER_OID_TEXT_MAX 128	/* dotted OID text incl. NUL */
#define DER_OID_BYTES_MAX 64	/* encoded OID content bytes */

/* DER tags used by policy/. */
#define DER_BOOLEAN		0x01
#define DER_INTEGER		0x02
#define DER_BIT_STRING		0x03
#define DER_OCTET_STRING	0x04
#define DER_NULL		0x05
#define DER_OID			0x06
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

/* One decoded TLV; pointers borrow from the input buffer. */
struct der_tlv {
	unsigned tag;			/* the full identifier octet */
	const unsigned char *val;	/* contents */
	size_t len;			/* contents length */
	const unsigned char *raw;	/* the whole TLV */
	size_t rawlen;
};

/* Output buffer with a sticky overflow flag: check `over` once at the end. */
struct der_buf {
	unsigned char *p;
	size_t len;
	size_t cap;
	bool over;
};

/*
 * Read one TLV at the start of p (len bytes). Returns 0 or -1 when the bytes
 * are not strict DER (multi-byte tag, indefinite or non-minimal length, or
 * contents past len).
 */
int der_read(const unsigned char *p, size_t len, struct der_tlv *t);

/* Append raw bytes to b. */
void der_put(struct der_buf *b, const void *data, size_t len);

/* Append a tag and a DER length header for contents of len bytes. */
void der_put_hdr(struct der_buf *b, unsigned tag, size_t len);

/* Append a complete TLV. */
void der_put_tlv(struct der_buf *b, unsigned tag, const void *data,
    size_t len);

/*
 * Dotted text of an encoded OID's contents into out. Returns 0 or -1 when
 * the encoding is bad or out is too small.
 */
int der_oid_text(const unsigned char *v, size_t len, char *out,
    size_t outlen);

/*
 * Encode dotted text into OID contents (no tag/length). Returns 0 or -1 if
 * the text is not a valid OID (at least two arcs, first 0..2) or too long.
 */
int der_oid_encode(const char *text, unsigned char *out, size_t outlen,
    size_t *len);

/* True when s is a syntactically valid dotted OID. */
bool der_oid_valid(const char *s);

#endif

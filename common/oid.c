/*
 * OBJECT IDENTIFIER text <-> DER contents (der.h), through libtasn1's
 * asn1_object_id_der and asn1_get_object_id_der so that entca has one OID
 * codec, the library's. The syntax check stays here: libtasn1 accepts
 * one-arc and leading-zero text that X.660 does not. Pure; any thread.
 */
#include <string.h>

#include <libtasn1.h>

#include "common/der.h"
#include "common/error.h"

/* libtasn1 reads length + contents: prepend the length to the contents. */
int
der_oid_text(const unsigned char *v, size_t len, char *out, size_t outlen)
{
	unsigned char lv[6 + DER_OID_BYTES_MAX];
	/* Each content octet adds at most ".127" (4 characters). */
	char tmp[4 * DER_OID_BYTES_MAX + 8];
	size_t h, n;
	int used = 0, rc;

	if (outlen == 0)
		return CA_EINVAL;
	if (len == 0)
		return CA_EPARSE;
	if (len > DER_OID_BYTES_MAX)
		return CA_ETOOBIG;
	h = (size_t)(der_put_header(lv, DER_OID, len) - lv) - 1;
	memmove(lv, lv + 1, h);
	memcpy(lv + h, v, len);
	/*
	 * libtasn1 cuts the text silently at str_size: decode into a buffer
	 * no encoding can fill, then check the caller's room ourselves.
	 */
	rc = asn1_get_object_id_der(lv, (int)(h + len), &used, tmp,
	    (int)sizeof(tmp));
	if (rc != ASN1_SUCCESS || (size_t)used != h + len)
		return CA_EPARSE;
	/* The first octet must not be a non-minimal 0x80 (X.690 §8.19.2). */
	if (v[0] == 0x80)
		return CA_EPARSE;
	n = strnlen(tmp, sizeof(tmp));
	if (n >= sizeof(tmp) - 1)
		return CA_EPARSE;
	if (n >= outlen)
		return CA_ETOOBIG;
	memcpy(out, tmp, n + 1);
	return CA_OK;
}

/* Digits separated by single dots, at least two arcs, no leading zeros. */
static bool
oid_syntax(const char *s)
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

/*
 * Syntax first (libtasn1 is lenient there), then the library encodes, and
 * the encoding must decode back to the same text: libtasn1 wraps or
 * saturates an arc past 2^63 - 1 (and a second arc that overflows with
 * the first) without an error, which would turn one OID into another.
 */
int
der_oid_encode(const char *text, unsigned char *out, size_t outlen,
    size_t *len)
{
	unsigned char tlv[8 + DER_OID_BYTES_MAX];
	char back[DER_OID_TEXT_MAX];
	struct der_tlv t;
	int n = (int)sizeof(tlv), rc;

	if (!oid_syntax(text))
		return CA_EINVAL;
	rc = asn1_object_id_der(text, tlv, &n, 0);
	if (rc == ASN1_MEM_ERROR)
		return CA_ETOOBIG;
	if (rc != ASN1_SUCCESS)
		return CA_EINVAL;
	if (der_read(tlv, (size_t)n, &t) != CA_OK || t.tag != DER_OID ||
	    der_oid_text(t.val, t.len, back, sizeof(back)) != CA_OK ||
	    strcmp(back, text) != 0)
		return CA_EINVAL;
	if (t.len > outlen)
		return CA_ETOOBIG;
	memcpy(out, t.val, t.len);
	*len = t.len;
	return CA_OK;
}

/* An OID the codec carries exactly: encode it and throw the bytes away. */
bool
der_oid_valid(const char *s)
{
	unsigned char v[DER_OID_BYTES_MAX];
	size_t n;

	return der_oid_encode(s, v, sizeof(v), &n) == CA_OK;
}

/* OID contents through the one OID codec, then the TLV. */
void
der_put_oid(struct der_buf *b, const char *text)
{
	unsigned char v[DER_OID_BYTES_MAX];
	size_t n;

	if (der_oid_encode(text, v, sizeof(v), &n) != CA_OK) {
		b->over = true;
		return;
	}
	der_put_tlv(b, DER_OID, v, n);
}

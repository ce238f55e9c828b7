/*
 * DER side of distinguished names (dn.h): decode an X.501 Name into a
 * struct dn, encode a struct dn with AD CS's string-type choices, compare
 * and build names. Pure functions on bounded structs; any thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/utf8.h"
#include "policy/dn.h"
#include "policy/dn_int.h"

/* Append code point cp as UTF-8; CA_EPARSE when it does not fit or is invalid. */
static int
put_utf8(unsigned char *out, size_t cap, size_t *o, unsigned long cp)
{
	unsigned char b[4];
	size_t n;

	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return CA_EPARSE;
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (n > cap - *o)
		return CA_EPARSE;
	memcpy(out + *o, b, n);
	*o += n;
	return CA_OK;
}

/* Convert a string-typed value to UTF-8; CA_EPARSE if not text we convert. */
static int
value_to_utf8(const struct der_tlv *t, struct dn_ava *a)
{
	size_t o = 0, i;
	unsigned long cp, lo;

	switch (t->tag) {
	case DER_UTF8STRING:
	case DER_PRINTABLESTRING:
	case DER_IA5STRING:
	case DER_VISIBLESTRING:
	case DER_NUMERICSTRING:
		if (t->len > sizeof(a->value) ||
		    !utf8_valid(t->val, t->len))
			return CA_EPARSE;
		memcpy(a->value, t->val, t->len);
		a->len = t->len;
		return CA_OK;
	case DER_TELETEXSTRING:		/* read as Latin-1, as most tools do */
		for (i = 0; i < t->len; i++)
			if (put_utf8(a->value, sizeof(a->value), &o,
			    t->val[i]) != 0)
				return CA_EPARSE;
		break;
	case DER_BMPSTRING:		/* UTF-16BE, surrogate pairs allowed */
		if (t->len % 2 != 0)
			return CA_EPARSE;
		for (i = 0; i < t->len; i += 2) {
			cp = (unsigned long)t->val[i] << 8 | t->val[i + 1];
			if (cp >= 0xd800 && cp <= 0xdbff && i + 3 < t->len) {
				lo = (unsigned long)t->val[i + 2] << 8 |
				    t->val[i + 3];
				if (lo < 0xdc00 || lo > 0xdfff)
					return CA_EPARSE;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 2;
			}
			if (put_utf8(a->value, sizeof(a->value), &o, cp) != 0)
				return CA_EPARSE;
		}
		break;
	case DER_UNIVERSALSTRING:	/* UCS-4BE */
		if (t->len % 4 != 0)
			return CA_EPARSE;
		for (i = 0; i < t->len; i += 4) {
			cp = (unsigned long)t->val[i] << 24 |
			    (unsigned long)t->val[i + 1] << 16 |
			    (unsigned long)t->val[i + 2] << 8 | t->val[i + 3];
			if (put_utf8(a->value, sizeof(a->value), &o, cp) != 0)
				return CA_EPARSE;
		}
		break;
	default:
		return CA_EPARSE;
	}
	a->len = o;
	return CA_OK;
}

/* Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value ANY }. */
int
dn_parse_der(const unsigned char *der, size_t len, struct dn *dn, char *why,
    size_t whylen)
{
	struct der_tlv name, set, ava, oid, val;
	const unsigned char *p, *q;
	size_t left, sleft;

	memset(dn, 0, sizeof(*dn));
	if (len > DN_DER_MAX)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "DN: encoded name longer than %d bytes", DN_DER_MAX);
	if (der_read(der, len, &name) != 0 || name.tag != DER_SEQUENCE ||
	    name.rawlen != len)
		return ca_why(why, whylen, CA_EPARSE,
		    "DN: X.501: Name is not a DER SEQUENCE");
	for (p = name.val, left = name.len; left > 0;
	    p += set.rawlen, left -= set.rawlen) {
		if (der_read(p, left, &set) != 0 || set.tag != DER_SET ||
		    set.len == 0)
			return ca_why(why, whylen, CA_EPARSE,
			    "DN: X.501: RDN %u is not a non-empty SET",
			    dn->n_rdn + 1);
		for (q = set.val, sleft = set.len; sleft > 0;
		    q += ava.rawlen, sleft -= ava.rawlen) {
			struct dn_ava *a;
			if (dn->n >= DN_AVA_MAX)
				return ca_why(why, whylen, CA_ETOOBIG,
				    "DN: more than %d attribute values",
				    DN_AVA_MAX);
			a = &dn->ava[dn->n];
			if (der_read(q, sleft, &ava) != 0 ||
			    ava.tag != DER_SEQUENCE ||
			    der_read(ava.val, ava.len, &oid) != 0 ||
			    oid.tag != DER_OID ||
			    der_read(oid.val + oid.len,
			    ava.len - oid.rawlen, &val) != 0 ||
			    oid.rawlen + val.rawlen != ava.len)
				return ca_why(why, whylen, CA_EPARSE,
				    "DN: X.501: bad AttributeTypeAndValue in RDN %u",
				    dn->n_rdn + 1);
			if (der_oid_text(oid.val, oid.len, a->oid,
			    sizeof(a->oid)) != 0)
				return ca_why(why, whylen, CA_EPARSE,
				    "DN: X.501: bad attribute type OID");
			a->rdn = dn->n_rdn;
			a->tag = val.tag;
			if (value_to_utf8(&val, a) != 0) {
				if (val.rawlen > sizeof(a->value))
					return ca_why(why, whylen, CA_ETOOBIG,
					    "DN: value longer than %d bytes",
					    DN_VALUE_MAX);
				memcpy(a->value, val.raw, val.rawlen);
				a->len = val.rawlen;
				a->raw = true;
			}
			dn->n++;
		}
		dn->n_rdn++;
	}
	return CA_OK;
}

/* The DER string type AD CS uses for a value of this type, or 0 if none. */
static unsigned
choose_tag(const struct dn_ava *a, char *why, size_t whylen, int *rc)
{
	bool printable = dn_printable(a->value, a->len);
	bool ascii = true;

	for (size_t i = 0; i < a->len; i++)
		if (a->value[i] >= 0x80)
			ascii = false;
	*rc = CA_OK;
	if (strcmp(a->oid, DN_OID_C) == 0) {
		/* X.520 CountryName: PrintableString SIZE(2), ISO 3166. */
		if (a->len != 2 || !((a->value[0] | 0x20) >= 'a' &&
		    (a->value[0] | 0x20) <= 'z' && (a->value[1] | 0x20) >= 'a' &&
		    (a->value[1] | 0x20) <= 'z'))
			*rc = ca_why(why, whylen, CA_EPARSE,
			    "DN: C must be a two-letter country code, not \"%.*s\"",
			    (int)(a->len > 16 ? 16 : a->len), a->value);
		return DER_PRINTABLESTRING;
	}
	if (strcmp(a->oid, DN_OID_SERIAL) == 0 ||
	    strcmp(a->oid, DN_OID_DNQ) == 0) {
		if (!printable)
			*rc = ca_why(why, whylen, CA_EPARSE,
			    "DN: %s must be a PrintableString",
			    dn_name_by_oid(a->oid));
		return DER_PRINTABLESTRING;
	}
	if (strcmp(a->oid, DN_OID_EMAIL) == 0 ||
	    strcmp(a->oid, DN_OID_DC) == 0 ||
	    strcmp(a->oid, "1.2.840.113549.1.9.2") == 0) {
		if (!ascii)
			*rc = ca_why(why, whylen, CA_EPARSE,
			    "DN: %s must be ASCII (IA5String)",
			    dn_name_by_oid(a->oid));
		return DER_IA5STRING;
	}
	return printable ? DER_PRINTABLESTRING : DER_UTF8STRING;
}

/* One encoded AVA, kept for sorting the members of an RDN. */
struct enc_ava {
	size_t len;
	unsigned char der[DN_VALUE_MAX + DER_OID_BYTES_MAX + 16];
};

/* DER SET OF order: octet-wise, shorter padded with zeros (X.690 §11.6). */
static int
enc_cmp(const void *x, const void *y)
{
	const struct enc_ava *a = x, *b = y;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->der, b->der, n);

	if (c != 0)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

/* Encode one AVA: SEQUENCE { OID, value }. */
static int
encode_ava(const struct dn_ava *a, struct enc_ava *e, char *why,
    size_t whylen)
{
	unsigned char oid[DER_OID_BYTES_MAX], body[sizeof(e->der)];
	struct der_buf bb = { body, 0, sizeof(body), false };
	struct der_buf eb = { e->der, 0, sizeof(e->der), false };
	size_t olen;
	unsigned tag;
	int rc;

	if (der_oid_encode(a->oid, oid, sizeof(oid), &olen) != 0)
		return ca_why(why, whylen, CA_EPARSE,
		    "DN: bad attribute type OID \"%s\"", a->oid);
	der_put_tlv(&bb, DER_OID, oid, olen);
	if (a->raw) {
		der_put(&bb, a->value, a->len);
	} else {
		tag = choose_tag(a, why, whylen, &rc);
		if (rc != CA_OK)
			return rc;
		der_put_tlv(&bb, tag, a->value, a->len);
	}
	der_put_tlv(&eb, DER_SEQUENCE, body, bb.len);
	if (bb.over || eb.over)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "DN: attribute value too long");
	e->len = eb.len;
	return CA_OK;
}

/* Encode RDN by RDN; members of a multi-valued RDN sorted. */
int
dn_encode(const struct dn *dn, unsigned char *out, size_t cap, size_t *len,
    char *why, size_t whylen)
{
	struct enc_ava *enc = NULL;
	unsigned char *rdns = NULL, *set = NULL;
	struct der_buf rb, sb, ob = { out, 0, cap, false };
	size_t k, i;
	int rc = CA_ENOMEM;

	enc = calloc(DN_AVA_MAX, sizeof(*enc));
	rdns = malloc(DN_DER_MAX);
	set = malloc(DN_DER_MAX);
	if (enc == NULL || rdns == NULL || set == NULL)
		goto out;
	rb = (struct der_buf){ rdns, 0, DN_DER_MAX, false };
	for (unsigned r = 0; r < dn->n_rdn; r++) {
		for (i = 0, k = 0; i < dn->n; i++) {
			if (dn->ava[i].rdn != r)
				continue;
			if ((rc = encode_ava(&dn->ava[i], &enc[k], why,
			    whylen)) != CA_OK)
				goto out;
			k++;
		}
		if (k == 0) {
			rc = ca_why(why, whylen, CA_EINVAL,
			    "DN: RDN %u is empty", r + 1);
			goto out;
		}
		qsort(enc, k, sizeof(*enc), enc_cmp);
		sb = (struct der_buf){ set, 0, DN_DER_MAX, false };
		for (i = 0; i < k; i++)
			der_put(&sb, enc[i].der, enc[i].len);
		der_put_tlv(&rb, DER_SET, set, sb.len);
		if (sb.over)
			rb.over = true;
	}
	der_put_tlv(&ob, DER_SEQUENCE, rdns, rb.len);
	if (rb.over || ob.over || ob.len > DN_DER_MAX) {
		rc = ca_why(why, whylen, CA_ETOOBIG,
		    "DN: encoded name longer than %zu bytes",
		    cap < DN_DER_MAX ? cap : (size_t)DN_DER_MAX);
		goto out;
	}
	*len = ob.len;
	rc = CA_OK;
out:
	free(enc);
	free(rdns);
	free(set);
	return rc;
}

/* Parse then print. */
int
dn_der_to_string(const unsigned char *der, size_t len, char *out,
    size_t cap, char *why, size_t whylen)
{
	struct dn *dn = malloc(sizeof(*dn));
	int rc;

	if (dn == NULL)
		return CA_ENOMEM;
	rc = dn_parse_der(der, len, dn, why, whylen);
	if (rc == CA_OK && (rc = dn_format(dn, out, cap)) != CA_OK)
		ca_why(why, whylen, rc, "DN: string form longer than %zu bytes",
		    cap);
	free(dn);
	return rc;
}

/* Parse then encode. */
int
dn_string_to_der(const char *s, unsigned char *out, size_t cap, size_t *len,
    char *why, size_t whylen)
{
	struct dn *dn = malloc(sizeof(*dn));
	int rc;

	if (dn == NULL)
		return CA_ENOMEM;
	rc = dn_parse_string(s, dn, why, whylen);
	if (rc == CA_OK)
		rc = dn_encode(dn, out, cap, len, why, whylen);
	free(dn);
	return rc;
}

/*
 * The value an AVA holds, for matching: a raw (#hex) value whose TLV is a
 * string type is the same value as its text (RFC 4514 §2.4: the hex form
 * is only the BER encoding of the value), so it is converted into *tmp as
 * dn_parse_der would. Other raw values stay raw.
 */
static const struct dn_ava *
match_value(const struct dn_ava *a, struct dn_ava *tmp)
{
	struct der_tlv t;

	if (!a->raw || der_read(a->value, a->len, &t) != 0)
		return a;
	memset(tmp, 0, sizeof(*tmp));
	if (value_to_utf8(&t, tmp) != CA_OK)
		return a;
	return tmp;
}

/*
 * Equal values under caseIgnoreMatch as RFC 4518 prepares them, in part:
 * ASCII case folded, leading and trailing spaces dropped, inner runs of
 * spaces as one (§2.6.1). Raw values that are not strings have no rule we
 * know (RFC 4517 §4.2.15 calls such a comparison Undefined): they are
 * equal only byte for byte, and never equal to text.
 */
static bool
value_equal(const struct dn_ava *a0, const struct dn_ava *b0)
{
	struct dn_ava ta, tb;
	const struct dn_ava *a = match_value(a0, &ta), *b = match_value(b0, &tb);
	size_t i = 0, j = 0;

	if (a->raw || b->raw)
		return a->raw == b->raw && a->len == b->len &&
		    memcmp(a->value, b->value, a->len) == 0;
	for (;;) {
		while (i < a->len && a->value[i] == ' ' &&
		    (i == 0 || i + 1 == a->len || a->value[i + 1] == ' '))
			i++;
		while (j < b->len && b->value[j] == ' ' &&
		    (j == 0 || j + 1 == b->len || b->value[j + 1] == ' '))
			j++;
		if (i == a->len || j == b->len)
			return i == a->len && j == b->len;
		unsigned char x = a->value[i], y = b->value[j];
		if (x >= 'A' && x <= 'Z')
			x |= 0x20;
		if (y >= 'A' && y <= 'Z')
			y |= 0x20;
		if (x != y)
			return false;
		i++;
		j++;
	}
}

/*
 * distinguishedNameMatch (RFC 4517 §4.2.15): the same number of RDNs and,
 * RDN by RDN, the same members in any order, each AVA of a paired with its
 * own AVA of b of the same type and an equal value.
 */
bool
dn_equal(const struct dn *a, const struct dn *b)
{
	bool used[DN_AVA_MAX] = { false };

	if (a->n != b->n || a->n_rdn != b->n_rdn || a->n > DN_AVA_MAX)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		bool found = false;
		for (size_t j = 0; j < b->n && !found; j++) {
			found = !used[j] && a->ava[i].rdn == b->ava[j].rdn &&
			    strcmp(a->ava[i].oid, b->ava[j].oid) == 0 &&
			    value_equal(&a->ava[i], &b->ava[j]);
			used[j] = used[j] || found;
		}
		if (!found)
			return false;
	}
	return true;
}

/* New last (most specific) RDN holding one value. */
int
dn_push(struct dn *dn, const char *oid, const char *value)
{
	struct dn_ava *a;
	size_t len = strlen(value);

	if (dn->n >= DN_AVA_MAX || len > DN_VALUE_MAX)
		return CA_ETOOBIG;
	if (!der_oid_valid(oid) ||
	    !utf8_valid((const unsigned char *)value, len))
		return CA_EINVAL;
	a = &dn->ava[dn->n++];
	memset(a, 0, sizeof(*a));
	snprintf(a->oid, sizeof(a->oid), "%s", oid);
	memcpy(a->value, value, len);
	a->len = len;
	a->rdn = dn->n_rdn++;
	return CA_OK;
}

/* Search from the most specific end. */
const struct dn_ava *
dn_find(const struct dn *dn, const char *oid)
{
	for (size_t i = dn->n; i-- > 0;)
		if (strcmp(dn->ava[i].oid, oid) == 0)
			return &dn->ava[i];
	return NULL;
}

/*
 * RFC 4514 text side of distinguished names: the attribute-name table, the
 * string parser and the escaping printer (dn.h). DER encoding and decoding
 * live in dn_der.c. Pure functions on bounded structs; any thread.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"
#include "common/utf8.h"
#include "common/hex.h"
#include "policy/dn.h"
#include "policy/dn_int.h"

/* Attribute names: the first entry per OID is the one printed. */
static const struct {
	const char *name;
	const char *oid;
} dn_names[] = {
	{ "CN", "2.5.4.3" },
	{ "SN", "2.5.4.4" },
	{ "surname", "2.5.4.4" },
	{ "SERIALNUMBER", "2.5.4.5" },
	{ "C", "2.5.4.6" },
	{ "L", "2.5.4.7" },
	{ "ST", "2.5.4.8" },
	{ "S", "2.5.4.8" },
	{ "STREET", "2.5.4.9" },
	{ "O", "2.5.4.10" },
	{ "OU", "2.5.4.11" },
	{ "T", "2.5.4.12" },
	{ "title", "2.5.4.12" },
	{ "description", "2.5.4.13" },
	{ "postalCode", "2.5.4.17" },
	{ "PostalCode", "2.5.4.17" },
	{ "G", "2.5.4.42" },
	{ "GN", "2.5.4.42" },
	{ "givenName", "2.5.4.42" },
	{ "I", "2.5.4.43" },
	{ "initials", "2.5.4.43" },
	{ "generationQualifier", "2.5.4.44" },
	{ "dnQualifier", "2.5.4.46" },
	{ "pseudonym", "2.5.4.65" },
	{ "DC", "0.9.2342.19200300.100.1.25" },
	{ "UID", "0.9.2342.19200300.100.1.1" },
	{ "E", "1.2.840.113549.1.9.1" },
	{ "EMAIL", "1.2.840.113549.1.9.1" },
	{ "emailAddress", "1.2.840.113549.1.9.1" },
	{ "unstructuredName", "1.2.840.113549.1.9.2" },
};

/* Look a type name up, case-insensitively. */
const char *
dn_oid_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(dn_names) / sizeof(dn_names[0]); i++)
		if (strcasecmp(dn_names[i].name, name) == 0)
			return dn_names[i].oid;
	return NULL;
}

/* The printed name of an OID: the first table entry that has it. */
const char *
dn_name_by_oid(const char *oid)
{
	for (size_t i = 0; i < sizeof(dn_names) / sizeof(dn_names[0]); i++)
		if (strcmp(dn_names[i].oid, oid) == 0)
			return dn_names[i].name;
	return NULL;
}

/* Characters that may follow a backslash as themselves (RFC 4514 §3). */
static bool
escapable(int c)
{
	return c != '\0' && strchr("\"+,;<>\\=# ", c) != NULL;
}

/* Parse the attribute type at *pp up to '='; resolve it to an OID. */
static int
parse_type(const char **pp, char *oid, size_t oidlen, char *why,
    size_t whylen)
{
	const char *p = *pp, *start, *o;
	char name[DER_OID_TEXT_MAX];
	size_t n;

	while (*p == ' ')
		p++;
	start = p;
	while (isalnum((unsigned char)*p) || *p == '-' || *p == '.')
		p++;
	n = (size_t)(p - start);
	if (n == 0)
		return ca_why(why, whylen, CA_EPARSE,
		    "DN: RFC 4514: attribute type expected at \"%.20s\"",
		    start);
	if (n >= sizeof(name))
		return ca_why(why, whylen, CA_ETOOBIG,
		    "DN: attribute type longer than %zu characters",
		    sizeof(name) - 1);
	memcpy(name, start, n);
	name[n] = '\0';
	while (*p == ' ')
		p++;
	if (*p != '=')
		return ca_why(why, whylen, CA_EPARSE,
		    "DN: RFC 4514: '=' expected after \"%s\"", name);
	*pp = p + 1;
	o = name;
	if (strncasecmp(o, "OID.", 4) == 0)
		o += 4;
	if (isdigit((unsigned char)*o)) {
		if (!der_oid_valid(o))
			return ca_why(why, whylen, CA_EPARSE,
			    "DN: \"%s\" is not a valid dotted OID", name);
		snprintf(oid, oidlen, "%s", o);
		return CA_OK;
	}
	o = dn_oid_by_name(name);
	if (o == NULL)
		return ca_why(why, whylen, CA_EPARSE,
		    "DN: unknown attribute type \"%s\"", name);
	snprintf(oid, oidlen, "%s", o);
	return CA_OK;
}

/* #hexstring: a whole BER TLV (RFC 4514 §2.4); must be one valid TLV. */
static int
parse_hexvalue(const char **pp, struct dn_ava *a, char *why, size_t whylen)
{
	const char *p = *pp + 1;
	struct der_tlv t;
	int h, l;

	a->len = 0;
	while ((h = hex_digit(p[0])) >= 0) {
		if ((l = hex_digit(p[1])) < 0)
			return ca_why(why, whylen, CA_EPARSE,
			    "DN: RFC 4514: odd number of hex digits after '#'");
		if (a->len >= sizeof(a->value))
			return ca_why(why, whylen, CA_ETOOBIG,
			    "DN: value longer than %d bytes", DN_VALUE_MAX);
		a->value[a->len++] = (unsigned char)(h << 4 | l);
		p += 2;
	}
	if (der_read(a->value, a->len, &t) != 0 || t.rawlen != a->len)
		return ca_why(why, whylen, CA_EPARSE,
		    "DN: RFC 4514: '#' value is not one DER element");
	a->raw = true;
	while (*p == ' ')
		p++;
	*pp = p;
	return CA_OK;
}

/* Append one byte to the value being built. */
static int
put_byte(struct dn_ava *a, int c, char *why, size_t whylen)
{
	if (a->len >= sizeof(a->value))
		return ca_why(why, whylen, CA_ETOOBIG,
		    "DN: value longer than %d bytes", DN_VALUE_MAX);
	a->value[a->len++] = (unsigned char)c;
	return CA_OK;
}

/* Legacy "quoted" value: "" or \" is a quote, \X escapes as usual. */
static int
parse_quoted(const char **pp, struct dn_ava *a, char *why, size_t whylen)
{
	const char *p = *pp + 1;
	int rc, h, l;

	for (;;) {
		if (*p == '\0')
			return ca_why(why, whylen, CA_EPARSE,
			    "DN: quoted value is not closed");
		if (*p == '"' && p[1] == '"') {
			p += 2;
			rc = put_byte(a, '"', why, whylen);
		} else if (*p == '"') {
			p++;
			break;
		} else if (*p == '\\' && (h = hex_digit(p[1])) >= 0 &&
		    (l = hex_digit(p[2])) >= 0) {
			p += 3;
			rc = put_byte(a, h << 4 | l, why, whylen);
		} else if (*p == '\\' && escapable(p[1])) {
			rc = put_byte(a, p[1], why, whylen);
			p += 2;
		} else if (*p == '\\') {
			return ca_why(why, whylen, CA_EPARSE,
			    "DN: RFC 4514: bad escape \"\\%c\"", p[1]);
		} else {
			rc = put_byte(a, *p++, why, whylen);
		}
		if (rc != CA_OK)
			return rc;
	}
	while (*p == ' ')
		p++;
	*pp = p;
	return CA_OK;
}

/* A string value: escapes and hex pairs; unescaped trailing spaces drop. */
static int
parse_value(const char **pp, struct dn_ava *a, char *why, size_t whylen)
{
	const char *p = *pp;
	size_t keep = 0;	/* length up to the last significant byte */
	int rc, h, l;

	while (*p == ' ')
		p++;
	a->len = 0;
	a->raw = false;
	if (*p == '#') {
		*pp = p;
		return parse_hexvalue(pp, a, why, whylen);
	}
	if (*p == '"') {
		*pp = p;
		return parse_quoted(pp, a, why, whylen);
	}
	while (*p != '\0' && *p != ',' && *p != ';' && *p != '+') {
		if (*p == '\\') {
			if ((h = hex_digit(p[1])) >= 0 && (l = hex_digit(p[2])) >= 0) {
				rc = put_byte(a, h << 4 | l, why, whylen);
				p += 3;
			} else if (escapable(p[1])) {
				rc = put_byte(a, p[1], why, whylen);
				p += 2;
			} else {
				return ca_why(why, whylen, CA_EPARSE,
				    "DN: RFC 4514: bad escape \"\\%.1s\"",
				    p + 1);
			}
			keep = a->len;
		} else if (*p == '"' || *p == '<' || *p == '>') {
			return ca_why(why, whylen, CA_EPARSE,
			    "DN: RFC 4514: '%c' must be escaped", *p);
		} else {
			rc = put_byte(a, *p, why, whylen);
			if (*p != ' ')
				keep = a->len;
			p++;
		}
		if (rc != CA_OK)
			return rc;
	}
	a->len = keep;
	*pp = p;
	return CA_OK;
}

/* Reverse RDN order in place: text order is most specific first. */
static void
reverse_rdns(struct dn *dn)
{
	for (size_t i = 0; i < dn->n; i++)
		dn->ava[i].rdn = dn->n_rdn - 1 - dn->ava[i].rdn;
	/* Re-group ascending by rdn, keeping member order inside an RDN. */
	for (size_t i = 1; i < dn->n; i++) {
		struct dn_ava tmp = dn->ava[i];
		size_t j = i;
		while (j > 0 && dn->ava[j - 1].rdn > tmp.rdn) {
			dn->ava[j] = dn->ava[j - 1];
			j--;
		}
		dn->ava[j] = tmp;
	}
}

/* Grammar: name = [ rdn *( COMMA rdn ) ]; rdn = ava *( PLUS ava ). */
int
dn_parse_string(const char *s, struct dn *dn, char *why, size_t whylen)
{
	const char *p = s;
	struct dn_ava *a;
	unsigned rdn = 0;
	int rc;

	memset(dn, 0, sizeof(*dn));
	if (strlen(s) >= DN_STRING_MAX)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "DN: longer than %d characters", DN_STRING_MAX - 1);
	while (*p == ' ')
		p++;
	if (*p == '\0')
		return CA_OK;
	for (;;) {
		if (dn->n >= DN_AVA_MAX)
			return ca_why(why, whylen, CA_ETOOBIG,
			    "DN: more than %d attribute values", DN_AVA_MAX);
		a = &dn->ava[dn->n];
		if ((rc = parse_type(&p, a->oid, sizeof(a->oid), why,
		    whylen)) != CA_OK)
			return rc;
		if ((rc = parse_value(&p, a, why, whylen)) != CA_OK)
			return rc;
		if (!a->raw && !utf8_valid(a->value, a->len))
			return ca_why(why, whylen, CA_EPARSE,
			    "DN: value of %s is not valid UTF-8", a->oid);
		a->rdn = rdn;
		dn->n++;
		if (*p == '\0')
			break;
		if (*p == ',' || *p == ';')
			rdn++;
		else if (*p != '+')
			return ca_why(why, whylen, CA_EPARSE,
			    "DN: RFC 4514: ',' or '+' expected at \"%.20s\"",
			    p);
		p++;
	}
	dn->n_rdn = rdn + 1;
	reverse_rdns(dn);
	return CA_OK;
}

/* Append printf output; sticky overflow through the returned code. */
static int
out_put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
	if (n >= cap - *o)
		return CA_ETOOBIG;
	memcpy(out + *o, s, n);
	*o += n;
	out[*o] = '\0';
	return CA_OK;
}

/* Escape one value per RFC 4514 §2.4 (plus '=' for RFC 2253 readers). */
static int
format_value(const struct dn_ava *a, char *out, size_t cap, size_t *o)
{
	char tmp[4];
	int rc = CA_OK;

	if (a->raw) {
		rc = out_put(out, cap, o, "#", 1);
		for (size_t i = 0; i < a->len && rc == CA_OK; i++) {
			snprintf(tmp, sizeof(tmp), "%02X", a->value[i]);
			rc = out_put(out, cap, o, tmp, 2);
		}
		return rc;
	}
	for (size_t i = 0; i < a->len && rc == CA_OK; i++) {
		unsigned char c = a->value[i];
		if (c < 0x20 || c == 0x7f) {
			snprintf(tmp, sizeof(tmp), "\\%02X", c);
			rc = out_put(out, cap, o, tmp, 3);
			continue;
		}
		if (strchr("\"+,;<>\\=", c) != NULL ||
		    (i == 0 && (c == '#' || c == ' ')) ||
		    (i + 1 == a->len && c == ' '))
			rc = out_put(out, cap, o, "\\", 1);
		if (rc == CA_OK)
			rc = out_put(out, cap, o, (const char *)&c, 1);
	}
	return rc;
}

/* Most specific RDN (highest index) first; '+' joins members of an RDN. */
int
dn_format(const struct dn *dn, char *out, size_t cap)
{
	size_t o = 0;
	int rc = CA_OK;
	const char *name;

	if (cap == 0)
		return CA_ETOOBIG;
	out[0] = '\0';
	for (unsigned r = dn->n_rdn; r-- > 0 && rc == CA_OK;) {
		bool first = true;
		if (r + 1 != dn->n_rdn)
			rc = out_put(out, cap, &o, ",", 1);
		for (size_t i = 0; i < dn->n && rc == CA_OK; i++) {
			const struct dn_ava *a = &dn->ava[i];
			if (a->rdn != r)
				continue;
			if (!first)
				rc = out_put(out, cap, &o, "+", 1);
			first = false;
			name = dn_name_by_oid(a->oid);
			if (name == NULL)
				name = a->oid;
			if (rc == CA_OK)
				rc = out_put(out, cap, &o, name, strlen(name));
			if (rc == CA_OK)
				rc = out_put(out, cap, &o, "=", 1);
			if (rc == CA_OK)
				rc = format_value(a, out, cap, &o);
		}
	}
	return rc;
}

/*
 * Upper bounds in characters (RFC 5280 Appendix A, ub-*): the types AD CS
 * clients put in subjects. Types not listed are bounded by DN_VALUE_MAX.
 */
static const struct {
	const char *oid;
	size_t max;
} dn_bounds[] = {
	{ "2.5.4.3", 64 },			/* ub-common-name */
	{ "2.5.4.5", 64 },			/* ub-serial-number */
	{ "2.5.4.6", 2 },			/* country: exactly two */
	{ "2.5.4.7", 128 },			/* ub-locality-name */
	{ "2.5.4.8", 128 },			/* ub-state-name */
	{ "2.5.4.10", 64 },			/* ub-organization-name */
	{ "2.5.4.11", 64 },			/* ub-organizational-unit-name */
	{ "2.5.4.12", 64 },			/* ub-title */
	{ "2.5.4.65", 128 },			/* ub-pseudonym */
	{ "0.9.2342.19200300.100.1.25", 63 },	/* one DNS label (RFC 1035) */
	{ "1.2.840.113549.1.9.1", 255 },	/* ub-emailaddress-length */
};

/* The character bound of a type, or 0 when the table has none. */
static size_t
dn_bound(const char *oid)
{
	for (size_t i = 0; i < sizeof(dn_bounds) / sizeof(dn_bounds[0]); i++)
		if (strcmp(dn_bounds[i].oid, oid) == 0)
			return dn_bounds[i].max;
	return 0;
}

/* A name for messages: the short name or the dotted OID. */
static const char *
dn_label(const struct dn_ava *a)
{
	const char *n = dn_name_by_oid(a->oid);

	return n != NULL ? n : a->oid;
}

/* True for the DER string tags a Name value may carry as text. */
static bool
dn_string_tag(unsigned tag)
{
	return tag == DER_UTF8STRING || tag == DER_PRINTABLESTRING ||
	    tag == DER_IA5STRING || tag == DER_TELETEXSTRING ||
	    tag == DER_BMPSTRING || tag == DER_UNIVERSALSTRING ||
	    tag == DER_VISIBLESTRING || tag == DER_NUMERICSTRING;
}

/* Decode one UTF-8 sequence at s (valid UTF-8); *n gets its length. */
static uint32_t
dn_utf8_next(const unsigned char *s, size_t *n)
{
	if (s[0] < 0x80) {
		*n = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		*n = 2;
		return (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	}
	if ((s[0] & 0xf0) == 0xe0) {
		*n = 3;
		return (uint32_t)(s[0] & 0x0f) << 12 |
		    (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	}
	*n = 4;
	return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
	    (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
}

/*
 * Code points that show nothing, or show as a plain space, in a name: a
 * reader (or a log, or a mapping rule) sees "pkiadmin" where the value
 * holds more. NULL for an ordinary character, else what kind it is. The
 * list is the Unicode 15 Cf (format) characters, the bidi controls, the
 * invisible fillers and variation selectors, and the Zs/Zl/Zp spaces
 * other than U+0020.
 */
static const char *
dn_invisible(uint32_t c)
{
	if (c == 0x200e || c == 0x200f || c == 0x061c ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
		return "a bidirectional control character";
	if ((c >= 0x200b && c <= 0x200d) || (c >= 0x2060 && c <= 0x2064) ||
	    c == 0xfeff || c == 0x180e || c == 0x034f || c == 0x00ad)
		return "a zero-width or invisible character";
	if (c == 0x00a0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	    c == 0x3000)
		return "a non-ASCII space";
	if ((c >= 0x0600 && c <= 0x0605) || c == 0x06dd || c == 0x070f ||
	    c == 0x0890 || c == 0x0891 || c == 0x08e2 ||
	    (c >= 0x206a && c <= 0x206f) || (c >= 0xfff9 && c <= 0xfffb) ||
	    c == 0x110bd || c == 0x110cd || (c >= 0x13430 && c <= 0x1343f) ||
	    (c >= 0x1bca0 && c <= 0x1bca3) || (c >= 0x1d173 && c <= 0x1d17a) ||
	    c == 0xe0001 || (c >= 0xe0020 && c <= 0xe007f))
		return "a format character";
	if (c == 0x115f || c == 0x1160 || c == 0x3164 || c == 0xffa0 ||
	    (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xe0100 && c <= 0xe01ef) ||
	    (c >= 0x180b && c <= 0x180d) || c == 0x180f)
		return "an invisible filler or variation selector";
	return NULL;
}

/* One value: text, no controls, within its bound and its string type. */
static int
dn_check_ava(const struct dn_ava *a, char *why, size_t whylen)
{
	const char *name = dn_label(a);
	size_t chars = 0, max = dn_bound(a->oid);
	bool ascii = true;

	if (a->raw) {
		/* A string type we could not read is not text (bad UTF-8 in
		 * a UTF8String, odd BMPString...); a known text type must be
		 * text whatever tag it came with. */
		if (a->len > 0 && (dn_string_tag(a->value[0]) || max > 0))
			return ca_why(why, whylen, CA_EPARSE, "subject: %s is "
			    "not valid text (bad UTF-8 or string encoding)",
			    name);
		return CA_OK;
	}
	if (!utf8_valid(a->value, a->len))
		return ca_why(why, whylen, CA_EPARSE, "subject: %s is not "
		    "valid UTF-8", name);
	for (size_t i = 0; i < a->len; i++) {
		unsigned char c = a->value[i];
		if (c == 0)
			return ca_why(why, whylen, CA_EPARSE, "subject: %s "
			    "contains a NUL character", name);
		/* C0 controls and DEL; C1 (U+0080..U+009F) is C2 80..9F. */
		if (c < 0x20 || c == 0x7f || (c == 0xc2 && i + 1 < a->len &&
		    a->value[i + 1] >= 0x80 && a->value[i + 1] <= 0x9f))
			return ca_why(why, whylen, CA_EPARSE, "subject: %s "
			    "contains a control character", name);
		if (c >= 0x80)
			ascii = false;
		if ((c & 0xc0) != 0x80)
			chars++;
	}
	if (a->len == 0)
		return ca_why(why, whylen, CA_EPARSE, "subject: %s is empty",
		    name);
	/* "pkiadmin " or "pkiadmin<U+200B>" must not pass for pkiadmin. */
	if (a->value[0] == ' ' || a->value[a->len - 1] == ' ')
		return ca_why(why, whylen, CA_EPARSE, "subject: %s has "
		    "leading or trailing whitespace", name);
	for (size_t i = 0, n; i < a->len; i += n) {
		uint32_t cp = dn_utf8_next(a->value + i, &n);
		const char *kind = dn_invisible(cp);
		if (kind != NULL)
			return ca_why(why, whylen, CA_EPARSE, "subject: %s "
			    "contains U+%04X, %s", name, (unsigned)cp, kind);
	}
	if (max > 0 && chars > max)
		return ca_why(why, whylen, CA_ETOOBIG, "subject: %s is %zu "
		    "characters, above its bound of %zu (RFC 5280 Appendix A)",
		    name, chars, max);
	if ((strcmp(a->oid, DN_OID_C) == 0 && chars != 2) ||
	    ((strcmp(a->oid, DN_OID_C) == 0 ||
	    strcmp(a->oid, DN_OID_SERIAL) == 0 ||
	    strcmp(a->oid, DN_OID_DNQ) == 0 || a->tag == DER_PRINTABLESTRING) &&
	    !dn_printable(a->value, a->len)))
		return ca_why(why, whylen, CA_EPARSE, "subject: %s must be a "
		    "PrintableString (A-Z a-z 0-9 space '()+,-./:=?)%s", name,
		    strcmp(a->oid, DN_OID_C) == 0 ? " of two letters" : "");
	if (!ascii && (a->tag == DER_IA5STRING ||
	    strcmp(a->oid, DN_OID_EMAIL) == 0 ||
	    strcmp(a->oid, DN_OID_DC) == 0))
		return ca_why(why, whylen, CA_EPARSE, "subject: %s must be an "
		    "IA5String (ASCII)", name);
	return CA_OK;
}

/* One value of a subject (dn.h). */
int
dn_check_value(const struct dn_ava *a, char *why, size_t whylen)
{
	return dn_check_ava(a, why, whylen);
}

/* Every value of a subject a certificate is to carry (dn.h). */
int
dn_check_values(const struct dn *dn, char *why, size_t whylen)
{
	int rc;

	for (size_t i = 0; i < dn->n; i++)
		if ((rc = dn_check_ava(&dn->ava[i], why, whylen)) != CA_OK)
			return rc;
	return CA_OK;
}

/* PrintableString: A-Z a-z 0-9 space ' ( ) + , - . / : = ? */
bool
dn_printable(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			continue;
		if (c == 0 || strchr(" '()+,-./:=?", c) == NULL)
			return false;
	}
	return true;
}

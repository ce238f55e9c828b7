/*
 * Distinguished names: RFC 4514 strings and X.501 DER Names. policy/ owns
 * the parser of string DNs (escapes, hex pairs, #BER values, multi-valued
 * RDNs, attribute names and dotted OIDs), the DER encoder that picks the
 * string types AD CS clients expect, and the DER decoder that prints a Name
 * back as an exactly escaped RFC 4514 string. No I/O, no allocation: a
 * struct dn is plain bounded data; every function is safe from any thread.
 *
 * Order: in a string the first RDN is the most specific, which is the LAST
 * RDN in DER (RFC 4514 §2.1). struct dn keeps DER order: ava[].rdn 0 is the
 * first RDN of the DER SEQUENCE.
 */
#ifndef ENTCA_POLICY_DN_H
#define ENTCA_POLICY_DN_H

#include <stdbool.h>
#include <stddef.h>

#include "common/der.h"

#define DN_AVA_MAX 32		/* attribute values in one name */
#define DN_VALUE_MAX 512	/* bytes of one value (UTF-8 or raw TLV) */
#define DN_STRING_MAX 4096	/* an RFC 4514 string incl. NUL */
#define DN_DER_MAX 4096		/* an encoded Name */

/* One attribute type and value. */
struct dn_ava {
	char oid[DER_OID_TEXT_MAX];	/* dotted attribute type */
	unsigned rdn;			/* RDN index in DER order */
	bool raw;			/* value is a whole BER TLV (#hex form) */
	unsigned tag;			/* DER tag it came with (0 = from text) */
	size_t len;
	unsigned char value[DN_VALUE_MAX];	/* UTF-8 text unless raw */
};

struct dn {
	size_t n;			/* AVAs used */
	unsigned n_rdn;			/* RDNs */
	struct dn_ava ava[DN_AVA_MAX];	/* grouped by rdn, ascending */
};

/*
 * Parse an RFC 4514 string into dn. Accepts the RFC grammar plus two
 * tolerances for strings written by people and Windows tools: spaces around
 * '=', ',' and '+' and a legacy "quoted" value (RFC 1779, "" or \" for a
 * quote). Unescaped trailing spaces are dropped; escaped ones kept. Returns
 * CA_OK, or CA_EPARSE / CA_ETOOBIG with a sentence in why.
 */
int dn_parse_string(const char *s, struct dn *dn, char *why, size_t whylen);

/*
 * Decode a DER Name (X.501). String values are converted to UTF-8 (BMP,
 * Universal and Teletex/Latin-1 included); other values are kept as raw
 * TLVs. Returns CA_OK, CA_EPARSE or CA_ETOOBIG with why.
 */
int dn_parse_der(const unsigned char *der, size_t len, struct dn *dn,
    char *why, size_t whylen);

/*
 * Encode dn as a DER Name into out (cap bytes), choosing string types as
 * AD CS does: C as a two-letter PrintableString, SERIALNUMBER and
 * dnQualifier PrintableString, E and DC IA5String, everything else
 * PrintableString when every character allows it, else UTF8String. RDN
 * members are sorted as DER requires for SET OF. Returns CA_OK, CA_EPARSE
 * (a value its type cannot carry) or CA_ETOOBIG, with why.
 */
int dn_encode(const struct dn *dn, unsigned char *out, size_t cap,
    size_t *len, char *why, size_t whylen);

/*
 * Print dn as an RFC 4514 string, most specific RDN first, escaping
 * " + , ; < > \ = anywhere, a leading # or space, a trailing space and
 * control bytes (\XX); raw values print as #hex. Type names are the short
 * names AD CS prints (CN, OU, O, L, ST, C, E, DC, SERIALNUMBER, ...), else
 * the dotted OID. Returns CA_OK or CA_ETOOBIG.
 */
int dn_format(const struct dn *dn, char *out, size_t cap);

/* DER Name to string in one call (dn_parse_der + dn_format). */
int dn_der_to_string(const unsigned char *der, size_t len, char *out,
    size_t cap, char *why, size_t whylen);

/* String to DER in one call (dn_parse_string + dn_encode). */
int dn_string_to_der(const char *s, unsigned char *out, size_t cap,
    size_t *len, char *why, size_t whylen);

/*
 * distinguishedNameMatch (RFC 4517 §4.2.15): the same RDNs in the same
 * order, each with the same AVAs in any order. Values match as
 * caseIgnoreMatch does after RFC 4518's space handling: ASCII case and
 * leading, trailing and repeated spaces do not count. A #hex value of a
 * string type equals the same text (RFC 4514 §2.4); other #hex values are
 * equal only to the same bytes. Not applied from RFC 4518: Unicode case
 * folding, NFKC and the mapping of other white space, so names that
 * differ there compare unequal. True when equal.
 */
bool dn_equal(const struct dn *a, const struct dn *b);

/* Dotted OID for a type name (case-insensitive) or NULL. */
const char *dn_oid_by_name(const char *name);

/* Short name AD CS prints for an OID, or NULL. */
const char *dn_name_by_oid(const char *oid);

/*
 * Append one single-valued RDN (type by OID, UTF-8 value) at the most
 * specific end. CA_OK, CA_EINVAL (bad OID or UTF-8) or CA_ETOOBIG.
 */
int dn_push(struct dn *dn, const char *oid, const char *value);

/* First value of type oid (most specific first), or NULL. */
const struct dn_ava *dn_find(const struct dn *dn, const char *oid);

/*
 * Check every value a certificate subject is to carry: valid UTF-8 text (a
 * string value that could not be decoded is refused), no NUL or control
 * character (C0, DEL, C1), not empty, within the RFC 5280 Appendix A upper
 * bound of its type (CN, O, OU 64; L, ST 128; C exactly 2; SERIALNUMBER
 * 64; E 255; DC 63, one label), and PrintableString / IA5String types in
 * their alphabets. Returns CA_OK, or CA_EPARSE / CA_ETOOBIG with a
 * sentence naming the attribute ("subject: CN contains a NUL character").
 */
int dn_check_values(const struct dn *dn, char *why, size_t whylen);

/*
 * dn_check_values for one value. Also refused by both: leading or
 * trailing spaces, and Unicode format and invisible characters anywhere
 * (bidi controls, zero-width characters, other Cf characters, fillers,
 * variation selectors) and spaces other than U+0020, named by code
 * point: "subject: CN contains U+200B, a zero-width or invisible
 * character".
 */
int dn_check_value(const struct dn_ava *a, char *why, size_t whylen);

#define DN_OID_CN	"2.5.4.3"
#define DN_OID_C	"2.5.4.6"
#define DN_OID_SERIAL	"2.5.4.5"
#define DN_OID_DC	"0.9.2342.19200300.100.1.25"
#define DN_OID_EMAIL	"1.2.840.113549.1.9.1"
#define DN_OID_DNQ	"2.5.4.46"

#endif

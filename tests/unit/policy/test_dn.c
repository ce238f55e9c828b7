/*
 * RFC 4514 DN parser, DER encoder and printer (policy/dn.h). DER output is
 * read back with GnuTLS's own RDN decoder as an independent check.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "common/error.h"
#include "policy/dn.h"

static unsigned char der[DN_DER_MAX];
static size_t der_len;
static char why[CA_WHY_MAX];
static char str[DN_STRING_MAX];

/* Value of the idx-th attribute oid in der, as GnuTLS decodes it. */
static const char *
gnutls_value(const char *oid, int idx)
{
	static char buf[1024];
	unsigned char raw[1024];
	size_t sz = sizeof(raw);
	gnutls_datum_t d = { der, (unsigned)der_len };

	/* Raw value TLV (short-form length): the bytes without escaping. */
	memset(buf, 0, sizeof(buf));
	if (gnutls_x509_rdn_get_by_oid(&d, oid, idx, 1, raw, &sz) < 0 ||
	    sz < 2 || raw[1] >= 0x80)
		return NULL;
	memcpy(buf, raw + 2, sz - 2);
	return buf;
}

/* Offset of the tag byte of the value following the first OID oidhex. */
static int
tag_after(const unsigned char *oidder, size_t n)
{
	for (size_t i = 0; i + n < der_len; i++)
		if (memcmp(der + i, oidder, n) == 0)
			return der[i + n];
	return -1;
}

/* Encode, then decode with GnuTLS and with our printer. */
static void
roundtrip(const char *in)
{
	int rc = dn_string_to_der(in, der, sizeof(der), &der_len, why,
	    sizeof(why));
	if (rc != CA_OK)
		fail_msg("%s: %s", in, why);
	assert_int_equal(dn_der_to_string(der, der_len, str, sizeof(str), why,
	    sizeof(why)), CA_OK);
}

/* The example: every escape kept, types as AD CS uses. */
static void
test_escaped_example(void **state)
{
	static const unsigned char cn[] = { 0x06, 0x03, 0x55, 0x04, 0x03 };
	static const unsigned char ou[] = { 0x06, 0x03, 0x55, 0x04, 0x0b };
	static const unsigned char c[] = { 0x06, 0x03, 0x55, 0x04, 0x06 };
	const char *in = "CN=Smith\\, John+OU=Sales\\+Ops\\;x\\=y,"
	    "O=Acme\\, Inc.,C=US";

	roundtrip(in);
	assert_string_equal(str, in);
	assert_string_equal(gnutls_value("2.5.4.3", 0), "Smith, John");
	assert_string_equal(gnutls_value("2.5.4.11", 0), "Sales+Ops;x=y");
	assert_string_equal(gnutls_value("2.5.4.10", 0), "Acme, Inc.");
	assert_string_equal(gnutls_value("2.5.4.6", 0), "US");
	assert_int_equal(tag_after(cn, sizeof(cn)), 0x13);	/* Printable */
	assert_int_equal(tag_after(ou, sizeof(ou)), 0x0c);	/* UTF8: ';' */
	assert_int_equal(tag_after(c, sizeof(c)), 0x13);
	/* DER order: C first (least specific), the CN+OU set last. */
	assert_int_equal(der[2], 0x31);
	assert_memory_equal(der + 4, "\x30\x09\x06\x03\x55\x04\x06", 7);
}

/* Intune's documented escaping: the Intune escaped-subject cases. */
static void
test_intune_cases(void **state)
{
	struct dn dn;

	roundtrip("CN=Test User (TESTCOMPANY\\, LLC),OU=Mobile,O=Finance "
	    "Group,L=Redmond,ST=Washington,C=US");
	assert_string_equal(gnutls_value("2.5.4.3", 0),
	    "Test User (TESTCOMPANY, LLC)");
	assert_string_equal(str, "CN=Test User (TESTCOMPANY\\, LLC),OU=Mobile,"
	    "O=Finance Group,L=Redmond,ST=Washington,C=US");
	/* Windows-style quoting reads as the same value. */
	roundtrip("CN=\"Test User (TESTCOMPANY, LLC)\",OU=Mobile");
	assert_string_equal(gnutls_value("2.5.4.3", 0),
	    "Test User (TESTCOMPANY, LLC)");
	assert_string_equal(str, "CN=Test User (TESTCOMPANY\\, LLC),OU=Mobile");
	assert_int_equal(dn_parse_string("CN=\"a\"\"b\"", &dn, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(dn.ava[0].len, 3);
	assert_memory_equal(dn.ava[0].value, "a\"b", 3);
	/* \+ \; \= in a CN, and a whole DN inside one value. */
	roundtrip("CN=a\\+b\\;c\\=d");
	assert_string_equal(gnutls_value("2.5.4.3", 0), "a+b;c=d");
	roundtrip("CN=CN\\=alice\\,OU\\=Users\\,DC\\=example\\,DC\\=com");
	assert_string_equal(gnutls_value("2.5.4.3", 0),
	    "CN=alice,OU=Users,DC=example,DC=com");
	assert_string_equal(str,
	    "CN=CN\\=alice\\,OU\\=Users\\,DC\\=example\\,DC\\=com");
}

/* Hex pairs (UTF-8), #BER, quotes, angle brackets, spaces. */
static void
test_hex_and_specials(void **state)
{
	static const unsigned char cn[] = { 0x06, 0x03, 0x55, 0x04, 0x03 };

	roundtrip("CN=Caf\\C3\\A9");
	assert_string_equal(gnutls_value("2.5.4.3", 0), "Caf\xc3\xa9");
	assert_int_equal(tag_after(cn, sizeof(cn)), 0x0c);
	assert_string_equal(str, "CN=Caf\xc3\xa9");
	roundtrip("UID=#0C0461626364");
	assert_string_equal(str, "UID=abcd");
	roundtrip("CN=\\\"q\\\" \\<x\\> \\\\");
	assert_string_equal(gnutls_value("2.5.4.3", 0), "\"q\" <x> \\");
	assert_string_equal(str, "CN=\\\"q\\\" \\<x\\> \\\\");
	roundtrip("CN=\\ lead,O=trail\\ ,OU=\\#hash,L=a#b");
	assert_string_equal(gnutls_value("2.5.4.3", 0), " lead");
	assert_string_equal(gnutls_value("2.5.4.10", 0), "trail ");
	assert_string_equal(gnutls_value("2.5.4.11", 0), "#hash");
	assert_string_equal(str, "CN=\\ lead,O=trail\\ ,OU=\\#hash,L=a#b");
	/* Spaces around separators are tolerated and dropped. */
	roundtrip("  CN = Bob Smith ,  O = Acme  ");
	assert_string_equal(str, "CN=Bob Smith,O=Acme");
	roundtrip("CN=a\\0Db");
	assert_string_equal(str, "CN=a\\0Db");
}

/* Names, aliases and dotted OIDs; E and DC are IA5String. */
static void
test_types(void **state)
{
	static const unsigned char e[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	    0xf7, 0x0d, 0x01, 0x09, 0x01 };
	static const unsigned char dc[] = { 0x06, 0x0a, 0x09, 0x92, 0x26, 0x89,
	    0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19 };

	roundtrip("emailAddress=a@b.example,DC=example,DC=com");
	assert_string_equal(str, "E=a@b.example,DC=example,DC=com");
	assert_int_equal(tag_after(e, sizeof(e)), 0x16);
	assert_int_equal(tag_after(dc, sizeof(dc)), 0x16);
	roundtrip("G=Ann,SN=Lee,T=Dr,SERIALNUMBER=123,STREET=Main 1,"
	    "2.5.4.3=x,OID.2.5.4.10=y,1.2.3.4=z");
	assert_string_equal(str, "G=Ann,SN=Lee,T=Dr,SERIALNUMBER=123,"
	    "STREET=Main 1,CN=x,O=y,1.2.3.4=z");
	assert_string_equal(gnutls_value("2.5.4.42", 0), "Ann");
	assert_string_equal(gnutls_value("2.5.4.5", 0), "123");
	roundtrip("");
	assert_string_equal(str, "");
	assert_int_equal(der_len, 2);
}

/* Multi-valued RDNs are written in DER SET OF order. */
static void
test_multivalued(void **state)
{
	struct dn dn;

	roundtrip("UID=b+CN=a,O=x");
	/* CN's AVA encodes shorter than UID's, so it sorts first. */
	assert_string_equal(str, "CN=a+UID=b,O=x");
	assert_int_equal(dn_parse_der(der, der_len, &dn, why, sizeof(why)),
	    CA_OK);
	assert_int_equal(dn.n_rdn, 2);
	assert_int_equal(dn.n, 3);
}

/* Broken input gets a precise refusal. */
static void
test_refusals(void **state)
{
	/* CA_EPARSE from the parser, or (to_der) from the encoder's rules. */
	static const struct {
		const char *in;
		bool to_der;
		const char *why;	/* exact reason, or NULL */
	} bad[] = {
		{ "CN=a\"b", false,
		  "DN: RFC 4514: '\"' must be escaped" },
		{ "XX=1", false, "DN: unknown attribute type \"XX\"" },
		{ "CN=a\\", false, NULL },
		{ "CN=a\\q", false, NULL },
		{ "CN", false, NULL },
		{ "CN=\\C3", false, NULL },	/* half a UTF-8 sequence */
		{ "CN=#0C05ab", false, NULL },
		{ "1.2.=x", false, NULL },
		{ "C=USA", true,
		  "DN: C must be a two-letter country code, not \"USA\"" },
		{ "E=\\C3\\A9@x", true, NULL },
		{ "SERIALNUMBER=a;b", true, NULL },
	};
	struct dn dn;
	char big[DN_STRING_MAX + 10];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = bad[i].to_der ? dn_string_to_der(bad[i].in, der,
		    sizeof(der), &der_len, why, sizeof(why)) :
		    dn_parse_string(bad[i].in, &dn, why, sizeof(why));

		if (rc != CA_EPARSE)
			fail_msg("%s: %s", bad[i].in, ca_strerror(rc));
		if (bad[i].why != NULL)
			assert_string_equal(why, bad[i].why);
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "CN=", 3);
	assert_int_equal(dn_parse_string(big, &dn, why, sizeof(why)),
	    CA_ETOOBIG);
	big[DN_VALUE_MAX + 10] = '\0';
	assert_int_equal(dn_parse_string(big, &dn, why, sizeof(why)),
	    CA_ETOOBIG);
}

/* Hostile DER and other string types. */
static void
test_der_input(void **state)
{
	struct dn dn;
	/* O as TeletexString "\xe9" (read as Latin-1), CN as BMPString. */
	static const unsigned char bmp[] = { 0x30, 0x1b, 0x31, 0x0a, 0x30, 0x08,
	    0x06, 0x03, 0x55, 0x04, 0x0a, 0x14, 0x01, 0xe9, 0x31, 0x0d, 0x30,
	    0x0b, 0x06, 0x03, 0x55, 0x04, 0x03, 0x1e, 0x04, 0x00, 0x41, 0x00,
	    0x62 };
	static const unsigned char indef[] = { 0x30, 0x80, 0x00, 0x00 };
	static const unsigned char longlen[] = { 0x30, 0x81, 0x00 };
	static const unsigned char intval[] = { 0x30, 0x0c, 0x31, 0x0a, 0x30,
	    0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x02, 0x01, 0x05 };

	assert_int_equal(dn_der_to_string(bmp, sizeof(bmp), str, sizeof(str),
	    why, sizeof(why)), CA_OK);
	assert_string_equal(str, "CN=Ab,O=\xc3\xa9");
	assert_int_equal(dn_parse_der(indef, sizeof(indef), &dn, why,
	    sizeof(why)), CA_EPARSE);
	assert_int_equal(dn_parse_der(longlen, sizeof(longlen), &dn, why,
	    sizeof(why)), CA_EPARSE);
	assert_int_equal(dn_parse_der(bmp, 5, &dn, why, sizeof(why)),
	    CA_EPARSE);
	/* A non-string value prints as #hex and re-encodes unchanged. */
	assert_int_equal(dn_der_to_string(intval, sizeof(intval), str,
	    sizeof(str), why, sizeof(why)), CA_OK);
	assert_string_equal(str, "CN=#020105");
	roundtrip("CN=#020105");
	assert_int_equal(der_len, sizeof(intval));
	assert_memory_equal(der, intval, sizeof(intval));
}

/* Parse two strings and compare them with dn_equal. */
static bool
equal_str(const char *x, const char *y)
{
	struct dn a, b;

	assert_int_equal(dn_parse_string(x, &a, why, sizeof(why)), CA_OK);
	assert_int_equal(dn_parse_string(y, &b, why, sizeof(why)), CA_OK);
	return dn_equal(&a, &b);
}

/*
 * RFC 4514 §2.4: "#..." is the BER encoding of the value, so a string
 * value in hex form is the same value as its text (RFC 4517 §4.2.15
 * compares values, not encodings), whatever the string type; a value that
 * is not a string equals only the same bytes.
 */
static void
test_equal_hex_is_text(void **state)
{
	/* UTF8String, PrintableString, BMPString, IA5String "Alice" */
	assert_true(equal_str("CN=#0c05416c696365,O=Acme", "CN=alice,O=Acme"));
	assert_true(equal_str("CN=Alice,O=Acme", "CN=#1305414c494345,O=Acme"));
	assert_true(equal_str("CN=#1e0a0041006c006900630065,O=Acme",
	    "CN=Alice,O=Acme"));
	assert_true(equal_str("E=#1605616c696365", "E=ALICE"));
	/* TeletexString read as Latin-1: "\xe9" is U+00E9 */
	assert_true(equal_str("CN=#1401e9", "CN=\\c3\\a9"));
	assert_true(equal_str("CN=#0c05416c696365", "CN=#1305416c696365"));
	assert_false(equal_str("CN=#0c05416c696365", "CN=Alicf"));
	/* OCTET STRING and INTEGER: no string value, bytes only */
	assert_false(equal_str("CN=#0405416c696365", "CN=Alice"));
	assert_true(equal_str("CN=#0405416c696365", "CN=#0405416c696365"));
	assert_false(equal_str("CN=#0405416c696365", "CN=#0c05416c696365"));
	assert_false(equal_str("CN=#020105", "CN=#020106"));
}

/* Each AVA pairs with its own partner: a repeated member is not two. */
static void
test_equal_pairs_members(void **state)
{
	assert_false(equal_str("CN=x+CN=x,O=Acme", "CN=x+CN=y,O=Acme"));
	assert_true(equal_str("CN=y+CN=x,O=Acme", "CN=X+CN=Y,O=Acme"));
}

/* Comparison for ACE matching: case and spaces do not matter. */
static void
test_equal(void **state)
{
	struct dn a, b;

	assert_int_equal(dn_parse_string("CN=Smith\\, John,O=Acme,C=US", &a,
	    why, sizeof(why)), CA_OK);
	assert_int_equal(dn_parse_string("cn=SMITH\\,  john , o=acme,c=us",
	    &b, why, sizeof(why)), CA_OK);
	assert_true(dn_equal(&a, &b));
	assert_int_equal(dn_parse_string("CN=Smith\\, John,O=Acme", &b, why,
	    sizeof(why)), CA_OK);
	assert_false(dn_equal(&a, &b));
	assert_int_equal(dn_push(&b, DN_OID_CN, "\xc3"), CA_EINVAL);
	assert_int_equal(dn_push(&b, "cn", "x"), CA_EINVAL);
	assert_int_equal(dn_push(&b, DN_OID_CN, "x"), CA_OK);
	assert_int_equal(dn_format(&b, str, sizeof(str)), CA_OK);
	assert_string_equal(str, "CN=x,CN=Smith\\, John,O=Acme");
	assert_non_null(dn_find(&b, DN_OID_CN));
	assert_int_equal(dn_find(&b, DN_OID_CN)->value[0], 'x');
}

/* Deterministic xorshift for the property tests. */
static uint32_t
rnd(void)
{
	static uint32_t x = 2463534242u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

/*
 * Random strings over the DN alphabet: whatever parses and encodes must
 * print to a string that parses and encodes to the same DER (the printer
 * and the parser agree), and the DER must parse back to the same string.
 */
static void
test_property_roundtrip(void **state)
{
	static const char alpha[] = "CN=OU=O=,+;\\\"#<> aZ9=\\2C\\C3\\A9\\ ";
	char in[64], s1[DN_STRING_MAX], s2[DN_STRING_MAX];
	unsigned char d1[DN_DER_MAX], d2[DN_DER_MAX];
	size_t l1, l2, good = 0;

	for (int i = 0; i < 20000; i++) {
		size_t n = 3 + rnd() % 30;
		memcpy(in, i % 2 ? "CN=" : "OU=", 3);
		for (size_t k = 3; k < n; k++)
			in[k] = alpha[rnd() % (sizeof(alpha) - 1)];
		in[n] = '\0';
		if (dn_string_to_der(in, d1, sizeof(d1), &l1, why,
		    sizeof(why)) != CA_OK)
			continue;
		good++;
		assert_int_equal(dn_der_to_string(d1, l1, s1, sizeof(s1), why,
		    sizeof(why)), CA_OK);
		if (dn_string_to_der(s1, d2, sizeof(d2), &l2, why,
		    sizeof(why)) != CA_OK)
			fail_msg("\"%s\" printed as \"%s\": %s", in, s1, why);
		assert_int_equal(l1, l2);
		assert_memory_equal(d1, d2, l1);
		assert_int_equal(dn_der_to_string(d2, l2, s2, sizeof(s2), why,
		    sizeof(why)), CA_OK);
		assert_string_equal(s1, s2);
	}
	assert_true(good > 1000);
}

/* Mutated and truncated DER never crashes and never half-succeeds. */
static void
test_property_hostile_der(void **state)
{
	unsigned char m[DN_DER_MAX];
	struct dn dn;

	assert_int_equal(dn_string_to_der("CN=Smith\\, John+OU=Sales,"
	    "O=Acme,DC=entca,DC=test,C=US", der, sizeof(der), &der_len, why,
	    sizeof(why)), CA_OK);
	for (size_t cut = 0; cut < der_len; cut++)
		assert_int_not_equal(dn_parse_der(der, cut, &dn, why,
		    sizeof(why)), CA_OK);
	for (int i = 0; i < 20000; i++) {
		memcpy(m, der, der_len);
		for (int k = 0; k < 1 + (int)(rnd() % 3); k++)
			m[rnd() % der_len] ^= (unsigned char)(1u << (rnd() % 8));
		if (dn_parse_der(m, der_len, &dn, why, sizeof(why)) == CA_OK) {
			assert_true(dn.n <= DN_AVA_MAX);
			assert_int_equal(dn_format(&dn, str, sizeof(str)), CA_OK);
		}
	}
}

/* A DER length (short or two-byte long form). */
static size_t
put_len(unsigned char *p, size_t n)
{
	if (n < 128) {
		p[0] = (unsigned char)n;
		return 1;
	}
	p[0] = 0x81;
	p[1] = (unsigned char)n;
	return 2;
}

/*
 * Parse a one-AVA DER Name (type OID bytes 55 04 xx, tag, value) and check
 * its values: dn_check_values must return rc and, unless want is NULL,
 * exactly the reason want.
 */
static void
expect_one(unsigned char type, unsigned char tag, const char *v, size_t n,
    int rc, const char *want)
{
	unsigned char avb[300], setb[300], buf[300];
	char w[256] = "";
	struct dn dn;
	size_t a = 0, st = 0, o = 0;

	assert_true(n < 240);
	avb[a++] = 0x06; avb[a++] = 0x03; avb[a++] = 0x55; avb[a++] = 0x04;
	avb[a++] = type; avb[a++] = tag;
	a += put_len(avb + a, n);
	memcpy(avb + a, v, n);
	a += n;
	setb[st++] = 0x30;
	st += put_len(setb + st, a);
	memcpy(setb + st, avb, a);
	st += a;
	buf[o++] = 0x31;
	o += put_len(buf + o, st);
	memcpy(buf + o, setb, st);
	o += st;
	memmove(buf + 1 + (o < 128 ? 1 : 2), buf, o);
	buf[0] = 0x30;
	put_len(buf + 1, o);
	o += 1 + (o < 128 ? 1 : 2);
	assert_int_equal(dn_parse_der(buf, o, &dn, w, sizeof(w)), CA_OK);
	assert_int_equal(dn_check_values(&dn, w, sizeof(w)), rc);
	if (want != NULL)
		assert_string_equal(w, want);
}

/* One attribute value for expect_one, and what checking it gives. */
struct ava_case {
	unsigned char type;	/* last byte of the OID 2.5.4.x */
	unsigned char tag;	/* string type */
	const char *v;
	size_t n;		/* bytes of v */
	int rc;
	const char *why;	/* exact reason, or NULL */
};

/* expect_one for each of n cases. */
static void
expect_cases(const struct ava_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		expect_one(c[i].type, c[i].tag, c[i].v, c[i].n, c[i].rc,
		    c[i].why);
}

/* Issue 10 item 6: a CN with an embedded NUL is never signed. */
static void
test_subject_nul_refused(void **state)
{
	static const struct ava_case cases[] = {
		{ 3, 0x0c, "alice\0x", 7, CA_EPARSE,
		  "subject: CN contains a NUL character" },
		{ 3, 0x0c, "a\x1b[2J", 5, CA_EPARSE,
		  "subject: CN contains a control character" },
		/* C1 controls (U+0085) too. */
		{ 10, 0x0c, "Acme\xc2\x85", 6, CA_EPARSE,
		  "subject: O contains a control character" },
	};

	(void)state;
	expect_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Issue 10 item 6: a UTF8String of invalid UTF-8 is refused, not copied. */
static void
test_subject_invalid_utf8_refused(void **state)
{
	static const struct ava_case cases[] = {
		{ 3, 0x0c, "ali\xc3\x28" "e", 6, CA_EPARSE,
		  "subject: CN is not valid text (bad UTF-8 or string "
		  "encoding)" },
		/* Overlong encoding of '/'. */
		{ 11, 0x0c, "\xc0\xaf", 2, CA_EPARSE, NULL },
		/* Valid UTF-8 passes. */
		{ 3, 0x0c, "Jos\xc3\xa9", 5, CA_OK, NULL },
	};

	(void)state;
	expect_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* RFC 5280 Appendix A upper bounds and PrintableString alphabets. */
static void
test_subject_too_long_refused(void **state)
{
	char v[200];

	(void)state;
	memset(v, 'x', sizeof(v));
	expect_one(3, 0x0c, v, 64, CA_OK, NULL);
	expect_one(3, 0x0c, v, 65, CA_ETOOBIG,
	    "subject: CN is 65 characters, above its bound of 64 (RFC 5280 "
	    "Appendix A)");
	expect_one(10, 0x0c, v, 65, CA_ETOOBIG, NULL);
	expect_one(11, 0x0c, v, 65, CA_ETOOBIG, NULL);
	expect_one(7, 0x0c, v, 128, CA_OK, NULL);
	expect_one(7, 0x0c, v, 129, CA_ETOOBIG, NULL);
	expect_one(8, 0x0c, v, 129, CA_ETOOBIG, NULL);
	expect_one(5, 0x13, v, 65, CA_ETOOBIG, NULL);
	/* Characters, not bytes: 64 two-byte characters fit. */
	for (int k = 0; k < 64; k++)
		memcpy(v + 2 * k, "\xc3\xa9", 2);
	expect_one(3, 0x0c, v, 128, CA_OK, NULL);
	/* C: exactly two letters of PrintableString. */
	expect_one(6, 0x13, "US", 2, CA_OK, NULL);
	expect_one(6, 0x13, "U", 1, CA_EPARSE, NULL);
	expect_one(6, 0x13, "USA", 3, CA_ETOOBIG, NULL);
	/* A PrintableString outside its alphabet. */
	expect_one(3, 0x13, "a*b", 3, CA_EPARSE,
	    "subject: CN must be a PrintableString (A-Z a-z 0-9 space "
	    "'()+,-./:=?)");
	expect_one(5, 0x0c, "12_34", 5, CA_EPARSE, NULL);
	/* Empty values name nothing. */
	expect_one(3, 0x0c, "", 0, CA_EPARSE, NULL);
}

/* Red team names_subject: "pkiadmin " is not text that names nobody. */
static void
test_subject_trailing_space_refused(void **state)
{
	static const struct ava_case cases[] = {
		{ 3, 0x0c, "pkiadmin ", 9, CA_EPARSE,
		  "subject: CN has leading or trailing whitespace" },
		{ 10, 0x13, " Acme", 5, CA_EPARSE,
		  "subject: O has leading or trailing whitespace" },
		/* Inner spaces are text. */
		{ 3, 0x0c, "Alice Smith", 11, CA_OK, NULL },
	};

	(void)state;
	expect_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Red team names_subject: invisible characters and non-ASCII spaces. */
static void
test_subject_zero_width_refused(void **state)
{
	static const struct {
		const char *v, *why;
	} cases[] = {
		{ "pkiadmin\xe2\x80\x8b", "CN contains U+200B, a zero-width "
		  "or invisible character" },
		{ "pki\xe2\x80\x8d" "admin", "CN contains U+200D, a "
		  "zero-width or invisible character" },
		{ "\xef\xbb\xbfpkiadmin", "CN contains U+FEFF, a zero-width "
		  "or invisible character" },
		{ "pki\xe2\x81\xa0" "admin", "CN contains U+2060, a zero-width "
		  "or invisible character" },
		{ "pki\xc2\xad" "admin", "CN contains U+00AD, a zero-width "
		  "or invisible character" },
		{ "pkiadmin\xc2\xa0", "CN contains U+00A0, a non-ASCII space" },
		{ "pki\xe2\x80\x83" "admin", "CN contains U+2003, a non-ASCII "
		  "space" },
		{ "pki\xe2\x80\xaf" "admin", "CN contains U+202F, a non-ASCII "
		  "space" },
		{ "pki\xe3\x80\x80" "admin", "CN contains U+3000, a non-ASCII "
		  "space" },
		{ "pki\xef\xb8\x8f" "admin", "CN contains U+FE0F, an invisible "
		  "filler or variation selector" },
		{ "pki\xf3\xa0\x80\x81" "admin", "CN contains U+E0001, a "
		  "format character" },
	};
	char want[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "subject: %s", cases[i].why);
		expect_one(3, 0x0c, cases[i].v, strlen(cases[i].v), CA_EPARSE,
		    want);
	}
	/* Accented letters and other scripts are text. */
	expect_one(3, 0x0c, "Jos\xc3\xa9 M\xc3\xbcller", 13, CA_OK, NULL);
}

/* Red team names_subject: a right-to-left override hides what a CN says. */
static void
test_subject_bidi_refused(void **state)
{
	static const char *const v[] = {
		"bob \xe2\x80\xaenimda\xe2\x80\xac",	/* U+202E */
		"bob\xe2\x80\x8f",			/* U+200F */
		"bob\xe2\x81\xa6x",			/* U+2066 */
		"bob\xd8\x9c",				/* U+061C */
	};
	static const char *const cp[] = { "U+202E", "U+200F", "U+2066",
	    "U+061C" };
	char want[256];

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		snprintf(want, sizeof(want), "subject: CN contains %s, a "
		    "bidirectional control character", cp[i]);
		expect_one(3, 0x0c, v[i], strlen(v[i]), CA_EPARSE, want);
	}
	/* Any attribute, not only the CN. */
	expect_one(11, 0x0c, "Sales\xe2\x80\xae", 8, CA_EPARSE,
	    "subject: OU contains U+202E, a bidirectional control character");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaped_example),
		cmocka_unit_test(test_intune_cases),
		cmocka_unit_test(test_hex_and_specials),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_multivalued),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_der_input),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_equal_hex_is_text),
		cmocka_unit_test(test_equal_pairs_members),
		cmocka_unit_test(test_property_roundtrip),
		cmocka_unit_test(test_property_hostile_der),
		cmocka_unit_test(test_subject_nul_refused),
		cmocka_unit_test(test_subject_invalid_utf8_refused),
		cmocka_unit_test(test_subject_too_long_refused),
		cmocka_unit_test(test_subject_trailing_space_refused),
		cmocka_unit_test(test_subject_zero_width_refused),
		cmocka_unit_test(test_subject_bidi_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

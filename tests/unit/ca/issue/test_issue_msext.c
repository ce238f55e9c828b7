/*
 * The Microsoft extensions must equal, byte for byte, what AD CS emits
 * (vectors from the SID extension of KB5014754 and szOID_CERTIFICATE_TEMPLATE).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "common/error.h"
#include "ca/issue/msext.h"

static unsigned char out[MSEXT_DER_MAX];
static size_t len;

/* Hex of the last encoding. */
static const char *
hex(void)
{
	static char buf[2 * MSEXT_DER_MAX + 1];

	for (size_t i = 0; i < len; i++)
		snprintf(buf + 2 * i, 3, "%02x", out[i]);
	buf[2 * len] = '\0';
	return buf;
}

static void
test_sid_vectors(void **state)
{
	/* TameMyCerts' unit test vector. */
	assert_int_equal(mspki_sid_encode("S-1-5-21-1381186052-4247692386-135928078-"
	    "1225", out, sizeof(out), &len), CA_OK);
	assert_string_equal(hex(), "303fa03d060a2b060104018237190201a02f042d53"
	    "2d312d352d32312d313338313138363035322d343234373639323338362d3133"
	    "353932383037382d31323235");
	/* A real AD CS certificate from the User template. */
	assert_int_equal(mspki_sid_encode("S-1-5-21-74879546-916818434-740295365-1106",
	    out, sizeof(out), &len), CA_OK);
	assert_string_equal(hex(), "303ca03a060a2b060104018237190201a02c042a53"
	    "2d312d352d32312d37343837393534362d3931363831383433342d3734303239"
	    "353336352d31313036");
	/* Kerberos Authentication certificate bytes. */
	assert_int_equal(mspki_sid_encode("S-1-5-21-1608104657-630783805-1473387121-"
	    "1000", out, sizeof(out), &len), CA_OK);
	assert_string_equal(hex(), "303fa03d060a2b060104018237190201a02f042d53"
	    "2d312d352d32312d313630383130343635372d3633303738333830352d313437"
	    "333338373132312d31303030");
}

static void
test_sid_parse(void **state)
{
	char sid[200];

	assert_int_equal(mspki_sid_encode("S-1-5-21-3623811015-3361044348-30300820-"
	    "1106", out, sizeof(out), &len), CA_OK);
	assert_int_equal(mspki_sid_parse(out, len, sid, sizeof(sid)), CA_OK);
	assert_string_equal(sid, "S-1-5-21-3623811015-3361044348-30300820-1106");
	out[len - 1] ^= 0;	/* unchanged: still parses */
	out[13] ^= 0x01;	/* the otherName OID: 25.2.1 -> 25.2.0 */
	assert_int_equal(mspki_sid_parse(out, len, sid, sizeof(sid)),
	    CA_EPARSE);
	assert_int_equal(mspki_sid_parse(out, 3, sid, sizeof(sid)), CA_EPARSE);
	assert_int_equal(mspki_sid_encode("bob", out, sizeof(out), &len), CA_EINVAL);
	assert_int_equal(mspki_sid_encode("S-1-5-21-1-2-3-4", out, 10, &len),
	    CA_ETOOBIG);
}

static void
test_template(void **state)
{
	assert_int_equal(msext_template("1.3.6.1.4.1.311.21.8.11034890.834619."
	    "12601478.16236816.7255827.176.1.14", 100, 4, out, sizeof(out),
	    &len), CA_OK);
	assert_string_equal(hex(), "302806202b060104018237150885a1c20ab2f83b86"
	    "81910687df821083baee138130010e020164020104");
	assert_int_equal(msext_template("1.2.3", 4294967295u, 0, out,
	    sizeof(out), &len), CA_OK);
	assert_string_equal(hex(), "300e06022a03020500ffffffff020100");
	assert_int_equal(msext_template("", 1, 1, out, sizeof(out), &len),
	    CA_EINVAL);
	assert_int_equal(msext_template("x.y", 1, 1, out, sizeof(out), &len),
	    CA_EINVAL);
	/* v1: bare BMPString, as in the real User certificate. */
	assert_int_equal(msext_template_v1("User", out, sizeof(out), &len),
	    CA_OK);
	assert_string_equal(hex(), "1e080055007300650072");
	assert_int_equal(msext_template_v1("Machine", out, sizeof(out), &len),
	    CA_OK);
	assert_string_equal(hex(), "1e0e004d0061006300680069006e0065");
	assert_int_equal(msext_template_v1("Caf\xc3\xa9", out, sizeof(out),
	    &len), CA_OK);
	assert_string_equal(hex(), "1e080043006100660" "0e9");
}

/* The one ms-pki.asn codec reads back what msext_template writes. */
static void
test_template_parse_roundtrip(void **state)
{
	/* SEQUENCE { OID 1.2.3, INTEGER -1 }: a negative version. */
	static const unsigned char negative[] = { 0x30, 0x07, 0x06, 0x02, 0x2a,
	    0x03, 0x02, 0x01, 0xff };
	char oid[128];
	uint32_t major = 9, minor = 9;
	size_t n;

	(void)state;
	assert_int_equal(msext_template("1.3.6.1.4.1.311.21.8.1.2", 100,
	    0xffffffffu, out, sizeof(out), &len), CA_OK);
	assert_int_equal(mspki_template_parse(out, len, oid, sizeof(oid),
	    &major, &minor), CA_OK);
	assert_string_equal(oid, "1.3.6.1.4.1.311.21.8.1.2");
	assert_int_equal(major, 100);
	assert_int_equal(minor, 0xffffffffu);
	/* A trailing byte, a short buffer, a small oid buffer: refused. */
	n = len;
	out[n] = 0;
	assert_int_equal(mspki_template_parse(out, n + 1, oid, sizeof(oid),
	    &major, &minor), CA_EPARSE);
	assert_int_equal(mspki_template_parse(out, n - 1, oid, sizeof(oid),
	    &major, &minor), CA_EPARSE);
	assert_int_equal(mspki_template_parse(out, n, oid, 8, &major, &minor),
	    CA_EPARSE);
	assert_int_equal(mspki_template_parse(negative, sizeof(negative), oid,
	    sizeof(oid), &major, &minor), CA_EPARSE);
}

static void
test_app_policies_and_upn(void **state)
{
	char oids[2][128] = { "1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1" };

	assert_int_equal(msext_app_policies(oids[0], sizeof(oids[0]), 2, out,
	    sizeof(out), &len), CA_OK);
	assert_string_equal(hex(), "3018300a06082b06010505070302300a06082b0601"
	    "0505070301");
	assert_int_equal(msext_app_policies(oids[0], sizeof(oids[0]), 0, out,
	    sizeof(out), &len), CA_EINVAL);
	assert_int_equal(msext_upn("alice@entca.test", out, sizeof(out), &len),
	    CA_OK);
	assert_string_equal(hex(), "0c10616c69636540656e7463612e74657374");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sid_vectors),
		cmocka_unit_test(test_sid_parse),
		cmocka_unit_test(test_template),
		cmocka_unit_test(test_template_parse_roundtrip),
		cmocka_unit_test(test_app_policies_and_upn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for common/der.h: the bounded writer reports overflow instead
 * of dropping bytes, headers are minimal, and OIDs go through libtasn1 with
 * the X.660 syntax rules kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "common/der.h"
#include "common/error.h"

/* A put that does not fit marks the buffer and leaves earlier bytes whole. */
static void
test_der_buf_overflow_reported(void **state)
{
	unsigned char out[8], big[16] = { 0 };
	struct der_buf b;

	(void)state;
	der_buf_init(&b, out, sizeof(out));
	der_put_tlv(&b, DER_OCTET_STRING, "ab", 2);
	assert_int_equal(der_buf_done(&b), CA_OK);
	assert_int_equal(b.len, 4);
	der_put_tlv(&b, DER_OCTET_STRING, big, sizeof(big));
	assert_int_equal(der_buf_done(&b), CA_ETOOBIG);
	assert_int_equal(b.len, 4);	/* no half TLV */
	assert_memory_equal(out, "\x04\x02" "ab", 4);
	der_put(&b, "x", 1);		/* sticky: later small puts do nothing */
	assert_int_equal(b.len, 4);
}

/* Lengths take the shortest form and der_read refuses the others. */
static void
test_der_lengths(void **state)
{
	unsigned char h[8], *e;
	struct der_tlv t;
	static const unsigned char longshort[] = { 0x04, 0x81, 0x05, 1, 2, 3, 4, 5 };

	(void)state;
	assert_int_equal(der_len_size(127), 1);
	assert_int_equal(der_len_size(128), 2);
	assert_int_equal(der_len_size(256), 3);
	assert_int_equal(der_tlv_size(300), 304);
	e = der_put_header(h, DER_SEQUENCE, 300);
	assert_int_equal(e - h, 4);
	assert_memory_equal(h, "\x30\x82\x01\x2c", 4);
	assert_int_equal(der_read(longshort, sizeof(longshort), &t), CA_EPARSE);
}

/* Text <-> contents round trip; bad text and bad encodings are refused. */
static void
test_der_oid_codec(void **state)
{
	unsigned char v[DER_OID_BYTES_MAX];
	char text[DER_OID_TEXT_MAX];
	size_t n;
	static const unsigned char nonminimal[] = { 0x2b, 0x80, 0x01 };
	static const unsigned char sidother[] = {
		0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x19, 0x02, 0x01 };

	(void)state;
	assert_int_equal(der_oid_encode("1.3.6.1.4.1.311.25.2.1", v, sizeof(v),
	    &n), CA_OK);
	assert_int_equal(n, sizeof(sidother));
	assert_memory_equal(v, sidother, n);
	assert_int_equal(der_oid_text(v, n, text, sizeof(text)), CA_OK);
	assert_string_equal(text, "1.3.6.1.4.1.311.25.2.1");
	assert_int_equal(der_oid_encode("2.999.3", v, sizeof(v), &n), CA_OK);
	assert_int_equal(der_oid_text(v, n, text, sizeof(text)), CA_OK);
	assert_string_equal(text, "2.999.3");
	assert_int_equal(der_oid_encode("1", v, sizeof(v), &n), CA_EINVAL);
	assert_int_equal(der_oid_encode("1.01", v, sizeof(v), &n), CA_EINVAL);
	assert_int_equal(der_oid_encode("3.1", v, sizeof(v), &n), CA_EINVAL);
	assert_int_equal(der_oid_encode("1.40", v, sizeof(v), &n), CA_EINVAL);
	/* Arcs libtasn1 would wrap or saturate: refused, not turned into
	 * another OID (1.2.0, 1.2.9223372036854775807, 1.39). */
	assert_int_equal(der_oid_encode("1.2.9223372036854775807", v,
	    sizeof(v), &n), CA_OK);
	assert_int_equal(der_oid_encode("1.2.9223372036854775808", v,
	    sizeof(v), &n), CA_EINVAL);
	assert_int_equal(der_oid_encode("1.2.18446744073709551615", v,
	    sizeof(v), &n), CA_EINVAL);
	assert_int_equal(der_oid_encode("2.9223372036854775807", v,
	    sizeof(v), &n), CA_EINVAL);
	assert_false(der_oid_valid("1.2.9223372036854775808"));
	assert_false(der_oid_valid("3.1"));
	assert_true(der_oid_valid("2.999.3"));
	assert_int_equal(der_oid_encode("1.3.6.1.4.1.311.25.2.1", v, 4, &n),
	    CA_ETOOBIG);
	assert_int_equal(der_oid_text(nonminimal, sizeof(nonminimal), text,
	    sizeof(text)), CA_EPARSE);
	assert_int_equal(der_oid_text(sidother, sizeof(sidother), text, 6),
	    CA_ETOOBIG);
}

/* der_put_oid writes the TLV, and a bad OID fails the buffer. */
static void
test_der_put_oid(void **state)
{
	unsigned char out[32];
	struct der_buf b;

	(void)state;
	der_buf_init(&b, out, sizeof(out));
	der_put_oid(&b, "1.3.132.0.34");
	assert_int_equal(der_buf_done(&b), CA_OK);
	assert_memory_equal(out, "\x06\x05\x2b\x81\x04\x00\x22", 7);
	der_put_oid(&b, "not.an.oid");
	assert_int_equal(der_buf_done(&b), CA_ETOOBIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_der_buf_overflow_reported),
		cmocka_unit_test(test_der_lengths),
		cmocka_unit_test(test_der_oid_codec),
		cmocka_unit_test(test_der_put_oid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

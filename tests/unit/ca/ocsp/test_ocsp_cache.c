/*
 * The pre-signed response cache (ca/ocsp/ocsp_cache.c): a response is
 * handed out only while the store's snapshot of its serial is unchanged
 * and before its refresh time; a revocation (forget) drops every
 * response of the serial and only those; a full cache makes room.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ca/ocsp/ocsp_int.h"

/* A blob of one byte b, valid at [100, 200), refreshed at 150. */
static struct ocsp_blob *
blob(unsigned char b)
{
	struct ocsp_blob *x = ocsp_blob_new(&b, 1);

	assert_non_null(x);
	x->this_update = 100;
	x->refresh_at = 150;
	x->next_update = 200;
	return x;
}

static void
test_snapshot_and_forget(void **state)
{
	struct ocsp_cache c;
	struct ocsp_snap good = { true, OCSP_CERT_GOOD, -1, 0, 0 };
	struct ocsp_snap revoked = { true, OCSP_CERT_REVOKED, 1, 120, 0 };
	struct ocsp_snap released = { true, OCSP_CERT_GOOD, -1, 0, 130 };
	const unsigned char s1[] = { 0x12, 0x34 }, s2[] = { 0x56 };
	const unsigned char id1a[] = "certid-1-sha1", id1b[] = "certid-1-sha256", id2[] = "certid-2";
	struct ocsp_blob *b1 = blob(1), *b2 = blob(2), *b3 = blob(3), *got;

	(void)state;
	assert_int_equal(ocsp_cache_init(&c, 16), CA_OK);
	ocsp_cache_put(&c, id1a, sizeof(id1a), s1, sizeof(s1), &good, b1);
	ocsp_cache_put(&c, id1b, sizeof(id1b), s1, sizeof(s1), &good, b2);
	ocsp_cache_put(&c, id2, sizeof(id2), s2, sizeof(s2), &good, b3);
	got = ocsp_cache_get(&c, id1a, sizeof(id1a), s1, sizeof(s1), &good, 120);
	assert_ptr_equal(got, b1);
	ocsp_blob_put(got);
	/* The store now says revoked (or released from hold): not served. */
	assert_null(ocsp_cache_get(&c, id1a, sizeof(id1a), s1, sizeof(s1), &revoked, 120));
	assert_null(ocsp_cache_get(&c, id1a, sizeof(id1a), s1, sizeof(s1), &released, 120));
	/* At the refresh time it is signed again; before thisUpdate too. */
	assert_null(ocsp_cache_get(&c, id1a, sizeof(id1a), s1, sizeof(s1), &good, 150));
	assert_null(ocsp_cache_get(&c, id1a, sizeof(id1a), s1, sizeof(s1), &good, 99));
	/* A revocation of s1 drops both of its CertIDs and keeps s2's. */
	ocsp_cache_forget(&c, s1, sizeof(s1));
	assert_null(ocsp_cache_get(&c, id1a, sizeof(id1a), s1, sizeof(s1), &good, 120));
	assert_null(ocsp_cache_get(&c, id1b, sizeof(id1b), s1, sizeof(s1), &good, 120));
	got = ocsp_cache_get(&c, id2, sizeof(id2), s2, sizeof(s2), &good, 120);
	assert_ptr_equal(got, b3);
	ocsp_blob_put(got);
	assert_int_equal(c.n, 1);
	/* A reference taken before forget stays valid after it. */
	ocsp_blob_put(b1);
	ocsp_blob_put(b2);
	ocsp_blob_put(b3);
	ocsp_cache_destroy(&c);
}

static void
test_bounded(void **state)
{
	struct ocsp_cache c;
	struct ocsp_snap good = { true, OCSP_CERT_GOOD, -1, 0, 0 };
	struct ocsp_blob *b = blob(9);
	unsigned char id[8], s[8];

	(void)state;
	assert_int_equal(ocsp_cache_init(&c, 4), CA_OK);
	for (unsigned i = 0; i < 1000; i++) {
		memcpy(id, &i, sizeof(i));
		memcpy(s, &i, sizeof(i));
		ocsp_cache_put(&c, id, sizeof(i), s, sizeof(i), &good, b);
		assert_true(c.n <= 4);
	}
	ocsp_blob_put(b);
	ocsp_cache_destroy(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_and_forget),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

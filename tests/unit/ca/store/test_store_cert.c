/*
 * Unit tests for the store's certificate rules and index walks on a real
 * LMDB: revoke and unrevoke (hold only), the by_revocation walks a full
 * and a delta CRL stream from (including a rewound second pass and
 * changes within one second), by_expiry ranges and by_subject lookups,
 * including "revoke everything of this device" inside one write.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/ca/store/test_store_util.h"

#define T0 INT64_C(1750000000)
#define NOW (T0 + 1000)

/* Revocation rules: reasons, already revoked, only hold is undone. */
static void
test_revoke_rules(void **state)
{
	struct store *s = tsu_fx_store(state);
	struct store_cert a, b, got;
	struct store_stats st;
	struct store_txn *t;
	char why[CA_WHY_MAX];

	tsu_cert(&a, 1, T0 + 100000);
	tsu_cert(&b, 2, T0 + 100000);
	assert_int_equal(tsu_put_cert(s, &a, why, sizeof(why)), CA_OK);
	assert_int_equal(tsu_put_cert(s, &b, why, sizeof(why)), CA_OK);

	assert_int_equal(tsu_revoke(s, &a, 7, T0, why, sizeof(why)), CA_EINVAL);
	assert_non_null(strstr(why, "reason 7 cannot be given"));
	assert_int_equal(tsu_revoke(s, &a, STORE_REASON_REMOVE_FROM_CRL, T0,
	    why, sizeof(why)), CA_EINVAL);
	assert_int_equal(tsu_revoke(s, &a, STORE_REASON_KEY_COMPROMISE, T0,
	    why, sizeof(why)), CA_OK);
	assert_int_equal(tsu_revoke(s, &a, STORE_REASON_SUPERSEDED, T0 + 1,
	    why, sizeof(why)), CA_ESTATE);
	assert_non_null(strstr(why, "010001 is already revoked"));
	assert_int_equal(tsu_revoke(s, &a, -1, T0 + 2, why, sizeof(why)),
	    CA_ESTATE);
	assert_non_null(strstr(why, "not on hold"));

	assert_int_equal(tsu_revoke(s, &b, -1, T0, why, sizeof(why)),
	    CA_ESTATE);
	assert_int_equal(tsu_revoke(s, &b, STORE_REASON_HOLD, T0 + 10, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(tsu_revoke(s, &b, STORE_REASON_HOLD, T0 + 11, why,
	    sizeof(why)), CA_ESTATE);
	assert_non_null(strstr(why, "already on hold"));
	assert_int_equal(store_stats(s, &st, why, sizeof(why)), CA_OK);
	assert_int_equal(st.revoked, 2);
	assert_int_equal(tsu_revoke(s, &b, -1, T0 + 20, why, sizeof(why)),
	    CA_OK);
	assert_int_equal(tsu_revoke(s, &b, -1, T0 + 21, why, sizeof(why)),
	    CA_ESTATE);
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	assert_int_equal(store_get_cert(t, b.serial, b.serial_len, &got),
	    CA_OK);
	assert_int_equal(got.status, STORE_CERT_VALID);
	assert_int_equal(got.unrevoked_at, T0 + 20);
	assert_int_equal(got.revoked_at, 0);
	store_cert_clear(&got);
	store_read_end(t);

	/* Hold again, then make it final: allowed from hold only. */
	assert_int_equal(tsu_revoke(s, &b, STORE_REASON_HOLD, T0 + 30, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(tsu_revoke(s, &b, STORE_REASON_CESSATION, T0 + 40,
	    why, sizeof(why)), CA_OK);
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	assert_int_equal(store_get_cert(t, b.serial, b.serial_len, &got),
	    CA_OK);
	assert_int_equal(got.status, STORE_CERT_REVOKED);
	assert_int_equal(got.reason, STORE_REASON_CESSATION);
	assert_int_equal(got.revoked_at, T0 + 40);
	store_cert_clear(&got);
	assert_int_equal(store_get_cert(t, a.serial, a.serial_len, &got),
	    CA_OK);
	assert_int_equal(got.reason, STORE_REASON_KEY_COMPROMISE);
	assert_int_equal(got.revoked_at, T0);
	store_cert_clear(&got);
	store_read_end(t);
	assert_int_equal(store_stats(s, &st, why, sizeof(why)), CA_OK);
	assert_int_equal(st.revoked, 2);

	tsu_cert(&got, 99, T0);
	assert_int_equal(tsu_revoke(s, &got, 1, T0, why, sizeof(why)),
	    CA_ENOTFOUND);
	assert_non_null(strstr(why, "010063 not found"));
}

/* Append "serial-low-byte:kind:time-T0:reason;" for each entry. */
static int
list_rev(const struct store_revoked *e, void *arg)
{
	char *out = arg, one[64];

	snprintf(one, sizeof(one), "%u:%c:%lld:%d;",
	    e->serial[e->serial_len - 1],
	    e->kind == STORE_CHANGE_REVOKED ? 'R' : 'U',
	    (long long)(e->changed_at - T0), e->reason);
	strcat(out, one);
	return 0;
}

/*
 * Run one walk of the revocation index (mode STORE_ITER_REVOKED or
 * STORE_ITER_CHANGES) from `from` in t, and check what list_rev writes.
 */
static void
expect_walk(struct store_txn *t, int mode, int64_t from, const char *want)
{
	char out[512] = "";

	assert_int_equal(store_iter_rev(t, mode, from, list_rev, out), CA_OK);
	assert_string_equal(out, want);
}

/* Build the timeline used by the CRL walk test. */
static void
revocation_timeline(struct store *s)
{
	struct store_cert c[7];
	char why[CA_WHY_MAX];

	for (unsigned i = 1; i <= 6; i++) {
		tsu_cert(&c[i], i, NOW + 100000);
		if (i == 6) {	/* expired before NOW */
			c[i].not_before = T0 - 10000;
			c[i].not_after = T0 + 500;
		}
		assert_int_equal(tsu_put_cert(s, &c[i], why, sizeof(why)),
		    CA_OK);
	}
	/* 1: key compromise at 100. */
	assert_int_equal(tsu_revoke(s, &c[1], 1, T0 + 100, why, 0), CA_OK);
	/* 2: hold at 110, released at 120. */
	assert_int_equal(tsu_revoke(s, &c[2], 6, T0 + 110, why, 0), CA_OK);
	assert_int_equal(tsu_revoke(s, &c[2], -1, T0 + 120, why, 0), CA_OK);
	/* 3: on hold since 130. */
	assert_int_equal(tsu_revoke(s, &c[3], 6, T0 + 130, why, 0), CA_OK);
	/* 4: hold at 105, superseded at 140. */
	assert_int_equal(tsu_revoke(s, &c[4], 6, T0 + 105, why, 0), CA_OK);
	assert_int_equal(tsu_revoke(s, &c[4], 4, T0 + 140, why, 0), CA_OK);
	/* 5 stays valid; 6 revoked at 100 but expired at 500. */
	assert_int_equal(tsu_revoke(s, &c[6], 5, T0 + 100, why, 0), CA_OK);
}

/* Full and delta walks yield current state only (delta in time order). */
static void
test_crl_walks(void **state)
{
	struct store *s = tsu_fx_store(state);
	struct store_txn *t;
	char why[CA_WHY_MAX];

	revocation_timeline(s);
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	expect_walk(t, STORE_ITER_REVOKED, NOW,
	    "1:R:100:1;3:R:130:6;4:R:140:4;");
	/* The full walk reads the CRL index: serial order. */
	expect_walk(t, STORE_ITER_REVOKED, T0,
	    "1:R:100:1;3:R:130:6;4:R:140:4;6:R:100:5;");
	expect_walk(t, STORE_ITER_CHANGES, T0 + 115,
	    "2:U:120:8;3:R:130:6;4:R:140:4;");
	expect_walk(t, STORE_ITER_CHANGES, T0 + 100,
	    "2:U:120:8;3:R:130:6;4:R:140:4;");
	expect_walk(t, STORE_ITER_CHANGES, T0 + 99,
	    "1:R:100:1;6:R:100:5;2:U:120:8;3:R:130:6;4:R:140:4;");
	expect_walk(t, STORE_ITER_CHANGES, T0 + 140, "");
	expect_walk(t, STORE_ITER_CHANGES, INT64_MAX, "");
	store_read_end(t);
}

/* The cursor form walks twice over one snapshot, as an encoder does. */
static void
test_iter_rewind(void **state)
{
	struct store *s = tsu_fx_store(state);
	struct store_rev_iter *it = NULL;
	struct store_revoked e;
	struct store_txn *t;
	char why[CA_WHY_MAX], first[256] = "", second[256] = "";
	int n1 = 0, n2 = 0, rc;

	revocation_timeline(s);
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	assert_int_equal(store_rev_iter_new(t, STORE_ITER_REVOKED, NOW, &it),
	    CA_OK);
	while ((rc = store_rev_iter_next(it, &e)) == 1) {
		list_rev(&e, first);
		n1++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(store_rev_iter_next(it, &e), 0);
	store_rev_iter_rewind(it);
	/* A write committed meanwhile does not change this snapshot. */
	{
		struct store_cert c;

		tsu_cert(&c, 5, NOW + 100000);
		assert_int_equal(tsu_revoke(s, &c, 1, T0 + 150, why,
		    sizeof(why)), CA_OK);
	}
	while ((rc = store_rev_iter_next(it, &e)) == 1) {
		list_rev(&e, second);
		n2++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n1, 3);
	assert_int_equal(n2, 3);
	assert_string_equal(first, second);
	store_rev_iter_free(it);
	assert_int_equal(store_rev_iter_new(t, 9, 0, &it), CA_EINVAL);
	store_read_end(t);
}

/* The delta since T0 and the full list at NOW, from a fresh snapshot. */
static void
expect_delta_full(struct store *s, const char *delta, const char *full)
{
	struct store_txn *t;
	char why[CA_WHY_MAX];

	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	expect_walk(t, STORE_ITER_CHANGES, T0, delta);
	expect_walk(t, STORE_ITER_REVOKED, NOW, full);
	store_read_end(t);
}

/* Hold, release and hold again within one second: one current entry. */
static void
test_same_second(void **state)
{
	struct store *s = tsu_fx_store(state);
	struct store_cert c;
	char why[CA_WHY_MAX];

	tsu_cert(&c, 7, NOW + 100000);
	assert_int_equal(tsu_put_cert(s, &c, why, sizeof(why)), CA_OK);
	assert_int_equal(tsu_revoke(s, &c, 6, T0 + 200, why, 0), CA_OK);
	assert_int_equal(tsu_revoke(s, &c, -1, T0 + 200, why, 0), CA_OK);
	expect_delta_full(s, "7:U:200:8;", "");
	assert_int_equal(tsu_revoke(s, &c, 6, T0 + 200, why, 0), CA_OK);
	expect_delta_full(s, "7:R:200:6;", "7:R:200:6;");
}

/* Append "low-byte@not_after;" per serial. */
static int
list_serial(const unsigned char *serial, size_t len, int64_t not_after,
    void *arg)
{
	char *out = arg, one[48];

	snprintf(one, sizeof(one), "%u@%lld;", serial[len - 1],
	    (long long)not_after);
	strcat(out, one);
	return 0;
}

/* Stop a walk after the first entry with a code of our own. */
static int
stop_serial(const unsigned char *serial, size_t len, int64_t not_after,
    void *arg)
{
	(void)serial;
	(void)len;
	(void)not_after;
	(*(int *)arg)++;
	return 42;
}

/* by_expiry ranges are numeric, negative times included. */
static void
test_expiry(void **state)
{
	struct store *s = tsu_fx_store(state);
	static const int64_t na[] = { 3000, -5, 1000, 2000, 2000 };
	struct store_cert c;
	struct store_txn *t;
	char why[CA_WHY_MAX], out[256];
	int calls = 0;

	for (unsigned i = 0; i < 5; i++) {
		tsu_cert(&c, 10 + i, na[i]);
		c.not_before = -100;
		assert_int_equal(tsu_put_cert(s, &c, why, sizeof(why)), CA_OK);
	}
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	out[0] = '\0';
	assert_int_equal(store_iter_expiring(t, INT64_MIN, INT64_MAX,
	    list_serial, out), CA_OK);
	assert_string_equal(out, "11@-5;12@1000;13@2000;14@2000;10@3000;");
	out[0] = '\0';
	assert_int_equal(store_iter_expiring(t, 1500, 3000, list_serial, out),
	    CA_OK);
	assert_string_equal(out, "13@2000;14@2000;");
	out[0] = '\0';
	assert_int_equal(store_iter_expiring(t, 3001, INT64_MAX, list_serial,
	    out), CA_OK);
	assert_string_equal(out, "");
	assert_int_equal(store_iter_expiring(t, INT64_MIN, INT64_MAX,
	    stop_serial, &calls), 42);
	assert_int_equal(calls, 1);
	store_read_end(t);
}

/* Subject lookups: exact name, case-insensitive, no prefix matches. */
static void
test_subject(void **state)
{
	/* Lookups and the serials they find: SIDs match whole and without
	 * case, UPN and DNS names without case, and a UPN is not a DNS name. */
	static const struct {
		enum store_subject_kind kind;
		const char *value, *serials;
	} finds[] = {
		{ STORE_SUBJECT_SID, "s-1-5-21-1-2-3-1001", "1@0;2@0;" },
		{ STORE_SUBJECT_SID, "S-1-5-21-1-2-3-10011", "3@0;4@0;" },
		{ STORE_SUBJECT_UPN, "USER3@example.com", "3@0;" },
		{ STORE_SUBJECT_DNS, "HOST2.example.com", "2@0;" },
		{ STORE_SUBJECT_DNS, "user3@example.com", "" },
	};
	struct store *s = tsu_fx_store(state);
	struct store_cert c;
	struct store_txn *t;
	char why[CA_WHY_MAX], out[256];

	for (unsigned i = 1; i <= 4; i++) {
		tsu_cert(&c, i, NOW + 1000);
		snprintf(c.subject_sid, sizeof(c.subject_sid), "%s",
		    i <= 2 ? "S-1-5-21-1-2-3-1001" : "S-1-5-21-1-2-3-10011");
		if (i == 4)
			c.subject_upn[0] = c.subject_dns[0] = '\0';
		assert_int_equal(tsu_put_cert(s, &c, why, sizeof(why)), CA_OK);
	}
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	for (size_t i = 0; i < sizeof(finds) / sizeof(finds[0]); i++) {
		out[0] = '\0';
		assert_int_equal(store_iter_subject(t, finds[i].kind,
		    finds[i].value, list_serial, out), CA_OK);
		assert_string_equal(out, finds[i].serials);
	}
	assert_int_equal(store_iter_subject(t, STORE_SUBJECT_COUNT, "x",
	    list_serial, out), CA_EINVAL);
	assert_int_equal(store_iter_subject(t, STORE_SUBJECT_UPN, "",
	    list_serial, out), CA_EINVAL);
	store_read_end(t);
}

/* Revoke one serial found by the subject walk, inside the write. */
static int
revoke_found(const unsigned char *serial, size_t len, int64_t not_after,
    void *arg)
{
	(void)not_after;
	return store_w_revoke(arg, serial, len,
	    STORE_REASON_CESSATION, T0 + 300, 0);
}

/* apply: revoke every certificate of one SID ("retire the device"). */
static int
apply_retire(struct store_wtxn *w, void *arg)
{
	int rc = store_iter_subject(store_w_txn(w), STORE_SUBJECT_SID, arg,
	    revoke_found, w);

	return rc != CA_OK ? rc : store_w_status(w);
}

/* All certificates of a device are revoked in one job. */
static void
test_retire_device(void **state)
{
	struct store *s = tsu_fx_store(state);
	struct store_cert c;
	struct store_stats st;
	struct store_txn *t;
	char why[CA_WHY_MAX];

	for (unsigned i = 1; i <= 3; i++) {
		tsu_cert(&c, i, NOW + 1000);
		snprintf(c.subject_sid, sizeof(c.subject_sid), "%s",
		    i <= 2 ? "S-1-5-21-7-7-7-500" : "S-1-5-21-7-7-7-501");
		assert_int_equal(tsu_put_cert(s, &c, why, sizeof(why)), CA_OK);
	}
	assert_int_equal(store_submit_wait(s, apply_retire,
	    "S-1-5-21-7-7-7-500", why, sizeof(why)), CA_OK);
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	expect_walk(t, STORE_ITER_REVOKED, NOW, "1:R:300:5;2:R:300:5;");
	store_read_end(t);
	assert_int_equal(store_stats(s, &st, why, sizeof(why)), CA_OK);
	assert_int_equal(st.revoked, 2);
	/* Again: the first revoke fails, so the whole job rolls back. */
	assert_int_equal(store_submit_wait(s, apply_retire,
	    "S-1-5-21-7-7-7-500", why, sizeof(why)), CA_ESTATE);
	assert_int_equal(store_stats(s, &st, why, sizeof(why)), CA_OK);
	assert_int_equal(st.revoked, 2);
}

/* A certificate imported as revoked is listed like a revoked one. */
static void
test_put_revoked(void **state)
{
	struct store *s = tsu_fx_store(state);
	struct store_cert c;
	struct store_txn *t;
	char why[CA_WHY_MAX];

	tsu_cert(&c, 4, NOW + 1000);
	c.status = STORE_CERT_REVOKED;
	c.reason = STORE_REASON_REMOVE_FROM_CRL;
	assert_int_equal(tsu_put_cert(s, &c, why, sizeof(why)), CA_EINVAL);
	c.reason = STORE_REASON_AFFILIATION_CHANGED;
	c.revoked_at = T0 + 50;
	assert_int_equal(tsu_put_cert(s, &c, why, sizeof(why)), CA_OK);
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	expect_walk(t, STORE_ITER_REVOKED, NOW, "4:R:50:3;");
	store_read_end(t);
}

/* Append "low-byte:seq;" for each entry. */
static int
list_seq(const struct store_revoked *e, void *arg)
{
	char *out = arg, one[48];

	snprintf(one, sizeof(one), "%u:%llu;", e->serial[e->serial_len - 1],
	    (unsigned long long)e->seq);
	strcat(out, one);
	return 0;
}

/*
 * Deltas by commit order catch a change whose time is older than the
 * base CRL's snapshot; times never go back for one certificate.
 */
static void
test_changes_seq(void **state)
{
	struct store *s = tsu_fx_store(state);
	struct store_cert c5, c7, got;
	struct store_txn *t;
	char why[CA_WHY_MAX], out[256];
	uint64_t base;

	revocation_timeline(s);
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	assert_int_equal(store_rev_seq(t, &base), CA_OK);
	assert_int_equal(base, 7);
	out[0] = '\0';
	/* Read through rev_seq since schema 3: commit order. */
	assert_int_equal(store_iter_rev(t, STORE_ITER_CHANGES_SEQ, 3, list_seq,
	    out), CA_OK);
	assert_string_equal(out, "3:4;4:6;6:7;");
	out[0] = '\0';
	assert_int_equal(store_iter_rev(t, STORE_ITER_CHANGES_SEQ, 0, list_rev,
	    out), CA_OK);
	assert_string_equal(out,
	    "1:R:100:1;2:U:120:8;3:R:130:6;4:R:140:4;6:R:100:5;");
	store_read_end(t);

	/* Committed after the base snapshot, but dated before it. */
	tsu_cert(&c5, 5, NOW + 100000);
	assert_int_equal(tsu_revoke(s, &c5, 1, T0 + 50, why, 0), CA_OK);
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	expect_walk(t, STORE_ITER_CHANGES, T0 + 140,
	    "");		/* by time it is missed */
	out[0] = '\0';
	assert_int_equal(store_iter_rev(t, STORE_ITER_CHANGES_SEQ, base,
	    list_rev, out), CA_OK);
	assert_string_equal(out, "5:R:50:1;");	/* by commit order it is not */
	store_read_end(t);

	/* A release dated before the hold is raised to the hold's time. */
	tsu_cert(&c7, 7, NOW + 100000);
	assert_int_equal(tsu_put_cert(s, &c7, why, sizeof(why)), CA_OK);
	assert_int_equal(tsu_revoke(s, &c7, 6, T0 + 200, why, 0), CA_OK);
	assert_int_equal(tsu_revoke(s, &c7, -1, T0 + 150, why, 0), CA_OK);
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	assert_int_equal(store_get_cert(t, c7.serial, c7.serial_len, &got),
	    CA_OK);
	assert_int_equal(got.unrevoked_at, T0 + 200);
	store_cert_clear(&got);
	expect_walk(t, STORE_ITER_CHANGES, T0 + 199, "7:U:200:8;");
	assert_int_equal(store_rev_seq(t, &base), CA_OK);
	assert_int_equal(base, 10);
	store_read_end(t);
}

/* Run the certificate cases, each on a fresh store. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_revoke_rules,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_crl_walks,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_iter_rewind,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_same_second,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_expiry,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_subject,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_retire_device,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_put_revoked,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_changes_seq,
		    tsu_fx_setup, tsu_fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

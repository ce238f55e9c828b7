/*
 * store_w_delete_cert and store_w_delete_request (entca db cleanup): a
 * deleted certificate leaves no trace in any index (expiry, subject,
 * revocation history through hold and release cycles), the counts follow,
 * its neighbours are untouched, and an unknown serial fails the chain.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ca/store/store.h"
#include "tests/unit/ca/store/test_store_util.h"

/* Count the serials a walk hands out. */
static int
count_serial(const unsigned char *s, size_t l, int64_t na, void *arg)
{
	(void)s;
	(void)l;
	(void)na;
	(*(size_t *)arg)++;
	return 0;
}

/* What delete_apply is asked to do. */
struct del {
	const struct store_cert *c;
	uint64_t request_id;
};

/* apply: delete the certificate, then its request. */
static int
delete_apply(struct store_wtxn *w, void *arg)
{
	struct del *d = arg;

	if (store_w_delete_cert(w, d->c->serial, d->c->serial_len,
	    &d->request_id) != CA_OK)
		return store_w_status(w);
	store_w_delete_request(w, d->request_id);
	return store_w_status(w);
}

/* apply: store one pending request with id 5. */
static int
request_apply(struct store_wtxn *w, void *arg)
{
	struct store_request r;

	(void)arg;
	memset(&r, 0, sizeof(r));
	r.id = 5;
	r.status = STORE_REQ_PENDING;
	snprintf(r.requester, sizeof(r.requester), "CONNECTOR$");
	snprintf(r.template_name, sizeof(r.template_name), "PKCSIntune");
	return store_w_put_request(w, &r);
}

/* Delete a certificate with a revocation history; its neighbour stays. */
static void
test_delete_cert(void **state)
{
	struct tsu_fx *f = *state;
	struct store_cert a, b, got;
	struct store_stats st;
	struct store_txn *t;
	struct del d;
	char why[CA_WHY_MAX];
	size_t n;

	tsu_cert(&a, 5, 1800000000);
	assert_int_equal(tsu_put_cert(f->s, &a, why, sizeof(why)), CA_OK);
	tsu_cert(&b, 6, 1800000000);
	assert_int_equal(tsu_put_cert(f->s, &b, why, sizeof(why)), CA_OK);
	assert_int_equal(store_submit_wait(f->s, request_apply, NULL, why,
	    sizeof(why)), CA_OK);
	/* hold, release, revoke: three history entries for a. */
	assert_int_equal(tsu_revoke(f->s, &a, STORE_REASON_HOLD, 1700000100,
	    why, sizeof(why)), CA_OK);
	assert_int_equal(tsu_revoke(f->s, &a, -1, 1700000200, why, sizeof(why)),
	    CA_OK);
	assert_int_equal(tsu_revoke(f->s, &a, STORE_REASON_KEY_COMPROMISE,
	    1700000300, why, sizeof(why)), CA_OK);
	assert_int_equal(tsu_revoke(f->s, &b, STORE_REASON_SUPERSEDED,
	    1700000400, why, sizeof(why)), CA_OK);
	assert_int_equal(store_stats(f->s, &st, why, sizeof(why)), CA_OK);
	assert_int_equal(st.revoked, 2);
	assert_int_equal(st.pending, 1);

	d.c = &a;
	d.request_id = 0;
	assert_int_equal(store_submit_wait(f->s, delete_apply, &d, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(d.request_id, 5);

	assert_int_equal(store_read_begin(f->s, &t, why, sizeof(why)), CA_OK);
	assert_int_equal(store_get_cert(t, a.serial, a.serial_len, &got),
	    CA_ENOTFOUND);
	assert_int_equal(store_get_cert(t, b.serial, b.serial_len, &got), CA_OK);
	store_cert_clear(&got);
	n = 0;
	store_iter_expiring(t, INT64_MIN, INT64_MAX, count_serial, &n);
	assert_int_equal(n, 1);
	n = 0;
	store_iter_subject(t, STORE_SUBJECT_SID, a.subject_sid, count_serial, &n);
	assert_int_equal(n, 0);
	n = 0;
	store_iter_subject(t, STORE_SUBJECT_UPN, b.subject_upn, count_serial, &n);
	assert_int_equal(n, 1);
	/* Full CRL: only b; delta since the start: only b's change. */
	n = 0;
	store_iter_rev(t, STORE_ITER_REVOKED, 0, tsu_count_rev, &n);
	assert_int_equal(n, 1);
	n = 0;
	store_iter_rev(t, STORE_ITER_CHANGES_SEQ, 0, tsu_count_rev, &n);
	assert_int_equal(n, 1);
	store_read_end(t);
	assert_int_equal(store_stats(f->s, &st, why, sizeof(why)), CA_OK);
	assert_int_equal(st.certs, 1);
	assert_int_equal(st.revoked, 1);
	assert_int_equal(st.requests, 0);
	assert_int_equal(st.pending, 0);

	/* Again: the serial is gone, and the chain fails with the reason. */
	assert_int_equal(store_submit_wait(f->s, delete_apply, &d, why,
	    sizeof(why)), CA_ENOTFOUND);
	assert_non_null(strstr(why, "certificate 010005 not found"));
}

/* Run the cases, each on a fresh store. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_delete_cert,
		    tsu_fx_setup, tsu_fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The CRL index (schema 3, ca/store/store_crlidx.c) against a model: a few
 * thousand certificates with serials of 1 to 20 octets are revoked, put on
 * hold, released, re-revoked and deleted in mixed write groups (chunks
 * split many times), and after each round the full-CRL walk must yield
 * exactly the model's revoked, unexpired serials with their time, reason
 * and invalidity date, in serial order, twice over one snapshot, and the
 * delta by commit order (rev_seq) the same changes as by_revocation. A
 * schema 2 store (no index) is walked read-only through by_revocation and
 * migrated by a writable open; a damaged chunk is refused.
 */
#define _XOPEN_SOURCE 700
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ca/store/store.h"
#include "tests/unit/ca/store/test_store_util.h"
#include "tests/unit/test_mix.h"

#define N 3000
#define T0 1750000000
#define NOW 1760000000

/* The model: what the store should hold for certificate i. */
struct model {
	unsigned char serial[STORE_SERIAL_MAX];
	size_t len;
	int64_t not_after;
	int revoked;		/* listed on the full CRL */
	int held;		/* reason certificateHold */
	int deleted;
	int64_t at;
	int reason;
	int64_t invalidity;
};

static struct model m[N];
static int64_t clock_at = T0;

/* Serials of 1..20 octets, positive, minimal, all different. */
static void
model_init(void)
{
	memset(m, 0, sizeof(m));
	for (unsigned i = 0, n = 0; i < N; n++) {
		uint64_t z = t_mix64(n);
		size_t len = 1 + z % STORE_SERIAL_MAX, k;
		int dup = 0;

		for (k = 0; k < len; k++)
			m[i].serial[k] = (unsigned char)t_mix64(z + k);
		m[i].serial[0] = (m[i].serial[0] & 0x7f) | 0x01;
		m[i].len = len;
		for (unsigned j = 0; j < i && !dup; j++)
			dup = m[j].len == len &&
			    memcmp(m[j].serial, m[i].serial, len) == 0;
		if (dup)
			continue;
		/* One in five expired before NOW: left off the full CRL. */
		m[i].not_after = i % 5 == 0 ? NOW - 10 : NOW + 86400;
		i++;
	}
}

/* A round of changes applied in one write group. */
struct round {
	unsigned from, to, kind;
};

/* apply: certificates from..to-1 put (kind 0) or changed (kind 1..). */
static int
apply_round(struct store_wtxn *w, void *arg)
{
	const struct round *r = arg;
	struct store_cert c;

	for (unsigned i = r->from; i < r->to && store_w_status(w) == CA_OK;
	    i++) {
		struct model *x = &m[i];
		uint64_t z = t_mix64(i * 31 + r->kind);

		if (x->deleted)
			continue;
		if (r->kind == 0) {
			tsu_cert(&c, i, x->not_after);
			memcpy(c.serial, x->serial, x->len);
			c.serial_len = x->len;
			store_w_put_cert(w, &c);
			continue;
		}
		clock_at++;
		switch (z % 6) {
		case 0:	/* revoke (or re-revoke a held one) */
		case 1:
			if (x->revoked && !x->held)
				break;
			x->reason = z % 12 == 0 ? 6 : (z % 12 == 1 ? 4 : 1);
			if (x->held && x->reason == 6)
				x->reason = 1;
			x->invalidity = z % 3 == 0 ? T0 - 100 : 0;
			store_w_revoke(w, x->serial, x->len, x->reason,
			    clock_at, x->invalidity);
			x->revoked = 1;
			x->held = x->reason == 6;
			x->at = clock_at;
			break;
		case 2:	/* hold, or release from hold */
			if (x->held) {
				store_w_unrevoke(w, x->serial, x->len, clock_at);
				x->revoked = x->held = 0;
			} else if (!x->revoked) {
				store_w_revoke(w, x->serial, x->len, 6,
				    clock_at, 0);
				x->revoked = x->held = 1;
				x->reason = 6;
				x->invalidity = 0;
				x->at = clock_at;
			}
			break;
		case 3:	/* delete (entca db cleanup) */
			if (z % 7 == 0) {
				store_w_delete_cert(w, x->serial, x->len, NULL);
				x->deleted = 1;
				x->revoked = x->held = 0;
			}
			break;
		default:
			break;
		}
	}
	return store_w_status(w);
}

/* The walk's entries, as text, and whether they came in serial order. */
struct seen {
	char (*text)[96];
	size_t n;
	unsigned char last[STORE_SERIAL_MAX];
	size_t last_len;
	int ordered;
};

/* LMDB's key order: memcmp, then shorter first. */
static int
serial_cmp(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c != 0 ? c : (alen < blen ? -1 : alen > blen);
}

/* Text of one CRL entry: hex serial, time, reason, invalidity. */
static void
entry_text(char *buf, const unsigned char *serial, size_t len, int64_t at,
    int reason, int64_t inv)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++)
		o += (size_t)snprintf(buf + o, 96 - o, "%02x", serial[i]);
	snprintf(buf + o, 96 - o, ":%lld:%d:%lld", (long long)at, reason,
	    (long long)inv);
}

/* Walk callback: record the entry. */
static int
collect(const struct store_revoked *e, void *arg)
{
	struct seen *s = arg;

	assert_true(s->n < N);
	assert_int_equal(e->kind, STORE_CHANGE_REVOKED);
	entry_text(s->text[s->n++], e->serial, e->serial_len, e->changed_at,
	    e->reason, e->invalidity_date);
	if (s->last_len != 0 && serial_cmp(s->last, s->last_len, e->serial,
	    e->serial_len) >= 0)
		s->ordered = 0;
	memcpy(s->last, e->serial, e->serial_len);
	s->last_len = e->serial_len;
	return 0;
}

/* Walk callback: record any change (revocations and releases). */
static int
collect_any(const struct store_revoked *e, void *arg)
{
	struct seen *s = arg;

	assert_true(s->n < N);
	entry_text(s->text[s->n++], e->serial, e->serial_len, e->changed_at,
	    e->kind == STORE_CHANGE_REVOKED ? e->reason : -1,
	    e->invalidity_date);
	return 0;
}

/* qsort on the entry texts. */
static int
cmp_text(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Walk s's full CRL (twice over one snapshot) and compare with the model. */
static void
check_walk(struct store *s, int want_ordered)
{
	static char got[N][96], want[N][96];
	struct seen seen = { got, 0, { 0 }, 0, 1 };
	struct store_rev_iter *it = NULL;
	struct store_revoked e;
	struct store_txn *t = NULL;
	char why[CA_WHY_MAX];
	size_t nw = 0, again = 0;
	int rc;

	for (unsigned i = 0; i < N; i++)
		if (m[i].revoked && m[i].not_after >= NOW)
			entry_text(want[nw++], m[i].serial, m[i].len, m[i].at,
			    m[i].reason, m[i].invalidity);
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	assert_int_equal(store_iter_rev(t, STORE_ITER_REVOKED, NOW, collect,
	    &seen), CA_OK);
	if (want_ordered)
		assert_true(seen.ordered);
	assert_int_equal(seen.n, nw);
	qsort(got, seen.n, sizeof(got[0]), cmp_text);
	qsort(want, nw, sizeof(want[0]), cmp_text);
	for (size_t i = 0; i < nw; i++)
		assert_string_equal(got[i], want[i]);
	/* The encoder's two passes: the same entries again after a rewind. */
	assert_int_equal(store_rev_iter_new(t, STORE_ITER_REVOKED, NOW, &it),
	    CA_OK);
	while ((rc = store_rev_iter_next(it, &e)) == 1)
		;
	assert_int_equal(rc, 0);
	store_rev_iter_rewind(it);
	while ((rc = store_rev_iter_next(it, &e)) == 1)
		again++;
	assert_int_equal(rc, 0);
	assert_int_equal(again, nw);
	store_rev_iter_free(it);
	/* The delta by commit order (rev_seq) lists what the walk by time
	 * (all of by_revocation) lists, from the start. */
	{
		struct seen a = { got, 0, { 0 }, 0, 1 };
		struct seen b = { want, 0, { 0 }, 0, 1 };

		assert_int_equal(store_iter_rev(t, STORE_ITER_CHANGES_SEQ, 0,
		    collect_any, &a), CA_OK);
		assert_int_equal(store_iter_rev(t, STORE_ITER_CHANGES, 0,
		    collect_any, &b), CA_OK);
		assert_int_equal(a.n, b.n);
		qsort(got, a.n, sizeof(got[0]), cmp_text);
		qsort(want, b.n, sizeof(want[0]), cmp_text);
		for (size_t i = 0; i < a.n; i++)
			assert_string_equal(got[i], want[i]);
	}
	store_read_end(t);
}

/* Rounds of revocations, holds, releases and deletions against the model. */
static void
test_crlidx_model(void **state)
{
	struct store_options o = { .no_sync = 1 }, ro = { .read_only = 1 };
	struct store *s = NULL;
	char why[CA_WHY_MAX], *dir = tsu_tmpdir();
	static const unsigned char bad[] = { 1, 0, 1, 2 };
	struct store_txn *t = NULL;
	size_t n = 0;

	(void)state;
	model_init();
	assert_int_equal(store_open(dir, &o, &s, why, sizeof(why)), CA_OK);
	for (unsigned b = 0; b < N; b += 500) {
		struct round r = { b, b + 500, 0 };

		assert_int_equal(store_submit_wait(s, apply_round, &r, why,
		    sizeof(why)), CA_OK);
	}
	check_walk(s, 1);	/* nothing revoked yet */
	for (unsigned k = 1; k <= 6; k++) {
		for (unsigned b = 0; b < N; b += 750) {
			struct round r = { b, b + 750, k };

			assert_int_equal(store_submit_wait(s, apply_round, &r,
			    why, sizeof(why)), CA_OK);
		}
		check_walk(s, 1);
	}
	for (unsigned i = 0; i < N; i++)
		n += m[i].revoked;
	print_message("# %llu revoked of %d after the rounds\n",
	    (unsigned long long)n, N);
	assert_true(n > 1000);	/* well past one chunk: splits happened */
	store_close(s);

	/* Schema 2: no index. Read-only walks by_revocation (time order). */
	assert_int_equal(tsu_raw(dir, "crl_index", NULL, 0, NULL, 0), 0);
	assert_int_equal(tsu_raw(dir, "rev_seq", NULL, 0, NULL, 0), 0);
	assert_int_equal(tsu_raw_schema(dir, 2), 0);
	assert_int_equal(store_open(dir, &ro, &s, why, sizeof(why)), CA_OK);
	check_walk(s, 0);
	store_close(s);
	/* A writable open migrates: schema 3, the same entries, in order. */
	assert_int_equal(store_open(dir, &o, &s, why, sizeof(why)), CA_OK);
	assert_int_equal(tsu_schema(s), STORE_SCHEMA_VERSION);
	check_walk(s, 1);
	store_close(s);

	/* A damaged chunk is refused, naming it. */
	assert_int_equal(tsu_raw(dir, "crl_index", "\x01", 1, bad, sizeof(bad)),
	    0);
	assert_int_equal(store_open(dir, &o, &s, why, sizeof(why)), CA_OK);
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	n = 0;
	assert_int_equal(store_iter_rev(t, STORE_ITER_REVOKED, 0, tsu_count_rev,
	    &n), CA_EDB);
	assert_non_null(strstr(store_txn_why(t), "CRL index chunk of 4 bytes "
	    "is damaged"));
	store_read_end(t);
	store_close(s);
	tsu_rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crlidx_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for the by_issued index (schema 2): newest-first walks with
 * positions for paging (ties on notBefore broken by serial, every record
 * once), and the schema 1 -> 2 migration: a schema 1 store opened
 * read-only still reads (lists say why they cannot), and the first
 * writable open builds the index from the certificate records.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/ca/store/test_store_util.h"

#define NCERTS 50
#define PAGE 7

/* What a paged walk saw. */
struct walk {
	struct store_issued_pos last;
	size_t n, page;
	int seen[NCERTS];
	bool ordered;
};

/* Collect one page: note each serial, check the order, stop when full. */
static int
walk_one(const struct store_cert *c, void *arg)
{
	struct walk *w = arg;
	struct store_issued_pos p;
	unsigned n = (unsigned)c->serial[1] << 8 | c->serial[2];

	p.not_before = c->not_before;
	memcpy(p.serial, c->serial, c->serial_len);
	p.serial_len = c->serial_len;
	if (w->n > 0 && store_issued_cmp(&w->last, &p) >= 0)
		w->ordered = false;
	assert_true(n < NCERTS);
	w->seen[n]++;
	w->last = p;
	w->n++;
	return ++w->page == PAGE ? 1 : 0;
}

/* Put NCERTS records with notBefore in runs of four. */
static void
put_certs(struct store *s)
{
	struct store_cert c;
	char why[CA_WHY_MAX];

	for (unsigned i = 0; i < NCERTS; i++) {
		tsu_cert(&c, i, 1900000000);
		c.not_before = 1700000000 + (i % 13) / 4 * 60;
		assert_int_equal(tsu_put_cert(s, &c, why, sizeof(why)), CA_OK);
	}
}

/* Walk every page of PAGE rows; every record once, newest first. */
static void
walk_all(struct store *s, size_t want)
{
	struct store_txn *t = NULL;
	struct walk w;
	char why[CA_WHY_MAX];
	int rc;

	memset(&w, 0, sizeof(w));
	w.ordered = true;
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	do {
		w.page = 0;
		rc = store_iter_issued(t, w.n > 0 ? &w.last : NULL, INT64_MIN,
		    INT64_MAX, walk_one, &w);
		assert_true(rc == 0 || rc == 1);
	} while (rc == 1);
	store_read_end(t);
	assert_int_equal(w.n, want);
	assert_true(w.ordered);
	for (size_t i = 0; i < want; i++)
		assert_int_equal(w.seen[i], 1);
}

/* Pages of seven over fifty records with tied times: no gap, no repeat. */
static void
test_issued_paging(void **state)
{
	char why[CA_WHY_MAX], *dir = tsu_tmpdir();
	struct store_options o = { .no_sync = 1 };
	struct store *s = NULL;

	(void)state;
	assert_int_equal(store_open(dir, &o, &s, why, sizeof(why)), CA_OK);
	put_certs(s);
	walk_all(s, NCERTS);
	store_close(s);
	tsu_rmdir(dir);
}

/* A schema 1 store: readable read-only, migrated by a writable open. */
static void
test_migrate_schema1(void **state)
{
	char why[CA_WHY_MAX], *dir = tsu_tmpdir();
	struct store_options o = { .no_sync = 1 }, ro = { .read_only = 1 };
	struct store_txn *t = NULL;
	struct store_cert c;
	struct store *s = NULL;

	(void)state;
	assert_int_equal(store_open(dir, &o, &s, why, sizeof(why)), CA_OK);
	put_certs(s);
	store_close(s);
	/* Make it look like schema 1: no by_issued, schema 1. */
	assert_int_equal(tsu_raw(dir, "by_issued", NULL, 0, NULL, 0), 0);
	assert_int_equal(tsu_raw_schema(dir, 1), 0);

	assert_int_equal(store_open(dir, &ro, &s, why, sizeof(why)), CA_OK);
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	assert_int_equal(store_get_cert(t, (const unsigned char *)"\x01\x00\x05",
	    3, &c), CA_OK);
	store_cert_clear(&c);
	assert_int_equal(store_iter_issued(t, NULL, INT64_MIN, INT64_MAX,
	    walk_one, NULL), CA_ESTATE);
	assert_non_null(strstr(store_txn_why(t), "schema 1 has no by_issued"));
	store_read_end(t);
	store_close(s);

	assert_int_equal(store_open(dir, &o, &s, why, sizeof(why)), CA_OK);
	assert_int_equal(tsu_schema(s), STORE_SCHEMA_VERSION);
	walk_all(s, NCERTS);
	store_close(s);
	tsu_rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issued_paging),
		cmocka_unit_test(test_migrate_schema1),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

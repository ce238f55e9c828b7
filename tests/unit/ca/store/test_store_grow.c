/*
 * The LMDB map grows by itself when a write finds it full, up to its
 * ceiling (issue 11 item 4); at the ceiling the write fails with a
 * sentence naming the map and store_write_health reports it until a write
 * commits again; a reader holding a snapshot only delays growth (bounded),
 * it never lets the writer remap under it.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "common/error.h"
#include "tests/unit/ca/store/test_store_util.h"

#define MIB ((size_t)1 << 20)

/* A write of one 4 KiB meta value named meta-<n>. */
struct blob {
	unsigned n;
	unsigned char v[STORE_META_VALUE_MAX];
};

/* apply: put the blob. */
static int
apply_blob(struct store_wtxn *w, void *arg)
{
	struct blob *b = arg;
	char name[32];

	snprintf(name, sizeof(name), "meta-%u", b->n);
	memset(b->v, (int)b->n, sizeof(b->v));
	return store_w_meta_put(w, name, b->v, sizeof(b->v));
}

/* Write blobs from..to-1; returns the first failure's code. */
static int
put_blobs(struct store *s, unsigned from, unsigned to, char *why, size_t len)
{
	static struct blob b;
	int rc;

	for (b.n = from; b.n < to; b.n++)
		if ((rc = store_submit_wait(s, apply_blob, &b, why, len)) !=
		    CA_OK)
			return rc;
	return CA_OK;
}

/*
 * store_map_grows: 1 MiB map, 16 MiB ceiling, 1024 values of 4 KiB (two
 * pages each with the record header: about 8 MiB).
 */
static void
test_store_map_grows(void **state)
{
	struct store_options o = { .map_size = MIB, .map_max = 16 * MIB,
	    .no_sync = 1 };
	struct store *s = NULL;
	struct store_stats st;
	struct store_txn *t = NULL;
	static unsigned char buf[STORE_META_VALUE_MAX];
	char why[CA_WHY_MAX];
	size_t len;
	char *dir = tsu_tmpdir();

	(void)state;
	assert_int_equal(store_open(dir, &o, &s, why, sizeof(why)), CA_OK);
	assert_int_equal(put_blobs(s, 0, 1024, why, sizeof(why)), CA_OK);
	assert_int_equal(store_stats(s, &st, why, sizeof(why)), CA_OK);
	assert_true(st.map_grown >= 3);		/* 1 -> 2 -> 4 -> 8 (-> 16) */
	assert_true(st.map_size > 8 * MIB);
	assert_int_equal(st.map_max, 16 * MIB);
	assert_int_equal(store_write_health(s, why, sizeof(why)), CA_OK);
	/* Every value written before and after a growth is there. */
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	assert_int_equal(store_meta_get(t, "meta-0", buf, sizeof(buf), &len),
	    CA_OK);
	assert_int_equal(len, STORE_META_VALUE_MAX);
	assert_int_equal(buf[0], 0);
	assert_int_equal(store_meta_get(t, "meta-1023", buf, sizeof(buf),
	    &len), CA_OK);
	assert_int_equal(buf[len - 1], 1023 & 0xff);
	store_read_end(t);
	store_close(s);
	/* The grown size is kept in the file: a reopen starts there. */
	o.map_max = 0;
	assert_int_equal(store_open(dir, &o, &s, why, sizeof(why)), CA_OK);
	assert_int_equal(store_stats(s, &st, why, sizeof(why)), CA_OK);
	assert_true(st.map_size > 8 * MIB);
	store_close(s);
	tsu_rmdir(dir);
}

/* At the ceiling: a clear error, and health says so. */
static void
test_store_map_full_at_ceiling(void **state)
{
	struct store_options o = { .map_size = MIB, .map_max = 2 * MIB,
	    .no_sync = 1 };
	struct store *s = NULL;
	struct store_stats st;
	char why[CA_WHY_MAX], hwhy[CA_WHY_MAX];
	char *dir = tsu_tmpdir();

	(void)state;
	assert_int_equal(store_open(dir, &o, &s, why, sizeof(why)), CA_OK);
	assert_int_equal(put_blobs(s, 0, 2048, why, sizeof(why)), CA_EDB);
	assert_non_null(strstr(why, "the map is full (2 MiB) and may not grow "
	    "past [store] max-size (2 MiB): raise it"));
	assert_int_equal(store_write_health(s, hwhy, sizeof(hwhy)), CA_EDB);
	assert_string_equal(hwhy, why);
	assert_int_equal(store_stats(s, &st, why, sizeof(why)), CA_OK);
	assert_int_equal(st.map_grown, 1);
	store_close(s);
	tsu_rmdir(dir);
}

/* A reader holds a snapshot: growth waits, then the write fails cleanly. */
static void
test_store_grow_waits_for_readers(void **state)
{
	struct store_options o = { .map_size = MIB, .map_max = 8 * MIB,
	    .no_sync = 1 };
	struct store *s = NULL;
	struct store_txn *t = NULL;
	char why[CA_WHY_MAX];
	char *dir = tsu_tmpdir();

	(void)state;
	assert_int_equal(store_open(dir, &o, &s, why, sizeof(why)), CA_OK);
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	/* No remap under the open snapshot: the first write needing room
	 * fails with "map full" after STORE_GROW_WAIT_S. */
	assert_int_equal(put_blobs(s, 0, 512, why, sizeof(why)), CA_EDB);
	assert_non_null(strstr(why, "the map is full"));
	assert_int_equal(store_write_health(s, NULL, 0), CA_EDB);
	store_read_end(t);
	/* Snapshot gone: the same writes now grow the map and succeed, and
	 * the write health heals with them. */
	assert_int_equal(put_blobs(s, 0, 512, why, sizeof(why)), CA_OK);
	assert_int_equal(store_write_health(s, why, sizeof(why)), CA_OK);
	store_close(s);
	tsu_rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_map_grows),
		cmocka_unit_test(test_store_map_full_at_ceiling),
		cmocka_unit_test(test_store_grow_waits_for_readers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for the store's writer thread on a real LMDB: concurrent
 * submitters with every done() after the commit and the data visible to a
 * new read transaction, deterministic groups (a gate job holds the writer
 * while others queue), a failing or map-filling job that does not lose
 * its group, the group bound, draining on close, and hot backup while the
 * writer is busy. Results seen on the writer thread are recorded and
 * asserted on the test thread (cmocka asserts must not run elsewhere).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <lmdb.h>

#include "tests/unit/ca/store/test_store_util.h"

/* A job that blocks the writer until the test opens it. */
struct gate {
	struct store_job job;
	pthread_mutex_t m;
	pthread_cond_t c;
	int entered, open;
};

/* apply: signal that the writer is inside, then wait for open. */
static int
gate_apply(struct store_wtxn *w, void *arg)
{
	struct gate *g = arg;

	(void)w;
	pthread_mutex_lock(&g->m);
	g->entered = 1;
	pthread_cond_broadcast(&g->c);
	while (!g->open)
		pthread_cond_wait(&g->c, &g->m);
	pthread_mutex_unlock(&g->m);
	return CA_OK;
}

/* Submit the gate and return once the writer is blocked in it. */
static void
gate_close(struct store *s, struct gate *g)
{
	memset(g, 0, sizeof(*g));
	pthread_mutex_init(&g->m, NULL);
	pthread_cond_init(&g->c, NULL);
	g->job.apply = gate_apply;
	g->job.arg = g;
	assert_int_equal(store_submit(s, &g->job), CA_OK);
	pthread_mutex_lock(&g->m);
	while (!g->entered)
		pthread_cond_wait(&g->c, &g->m);
	pthread_mutex_unlock(&g->m);
}

/* Let the writer go on. */
static void
gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->m);
	g->open = 1;
	pthread_cond_broadcast(&g->c);
	pthread_mutex_unlock(&g->m);
}

/* Counts completed jobs so the test can wait for all of them. */
struct tracker {
	pthread_mutex_t m;
	pthread_cond_t c;
	int done, bad;
	struct store *s;
};

/* Start counting the jobs of store s (which may be set later). */
static void
tracker_init(struct tracker *tr, struct store *s)
{
	memset(tr, 0, sizeof(*tr));
	pthread_mutex_init(&tr->m, NULL);
	pthread_cond_init(&tr->c, NULL);
	tr->s = s;
}

/* One tracked job: put a certificate, optionally fail after the put. */
struct tjob {
	struct store_job job;
	struct tracker *tr;
	struct store_cert cert;
	int fail;		/* 1: apply fails after its put */
	int big;		/* 1: apply writes until the map is full */
	int rc;
	int visible;		/* cert found by a new read txn in done() */
	char why[CA_WHY_MAX];
};

/* apply: put the cert; fail or fill the map when asked. */
static int
tjob_apply(struct store_wtxn *w, void *arg)
{
	struct tjob *j = arg;
	unsigned char hash[STORE_HASH_LEN] = { 0 };
	unsigned char *blob;
	char name[32];

	if (store_w_put_cert(w, &j->cert) != CA_OK)
		return store_w_status(w);
	if (j->fail)
		return store_w_fail(w, CA_EPOLICY, "test: job refused");
	if (j->big) {
		blob = calloc(1, STORE_TEMPLATE_BLOB_MAX);
		for (int i = 0; i < 64 && store_w_status(w) == CA_OK; i++) {
			snprintf(name, sizeof(name), "big%d", i);
			blob[0] = (unsigned char)i;
			store_w_put_template(w, name, blob,
			    STORE_TEMPLATE_BLOB_MAX, hash);
		}
		free(blob);
	}
	return store_w_status(w);
}

/* done: record the result and whether a new snapshot sees the cert. */
static void
tjob_done(int rc, void *arg)
{
	struct tjob *j = arg;
	struct store_txn *t = NULL;
	struct store_cert got;
	char why[CA_WHY_MAX];

	j->rc = rc;
	snprintf(j->why, sizeof(j->why), "%s", j->job.why);
	if (store_read_begin(j->tr->s, &t, why, sizeof(why)) == CA_OK) {
		j->visible = store_get_cert(t, j->cert.serial,
		    j->cert.serial_len, &got) == CA_OK;
		store_cert_clear(&got);
		store_read_end(t);
	}
	pthread_mutex_lock(&j->tr->m);
	j->tr->done++;
	if ((rc == CA_OK) != j->visible)
		j->tr->bad++;
	pthread_cond_broadcast(&j->tr->c);
	pthread_mutex_unlock(&j->tr->m);
}

/* Prepare job j number n for tracker tr. */
static void
tjob_init(struct tjob *j, struct tracker *tr, unsigned n)
{
	memset(j, 0, sizeof(*j));
	j->tr = tr;
	tsu_cert(&j->cert, n, 1900000000);
	j->cert.serial[0] = 0x02;	/* a distinct serial per n */
	j->cert.serial[1] = (n >> 8) & 0xff;
	j->cert.serial[2] = n & 0xff;
	j->job.apply = tjob_apply;
	j->job.done = tjob_done;
	j->job.arg = j;
	j->rc = -999;
}

/* Wait until n jobs of tr completed. */
static void
tracker_wait(struct tracker *tr, int n)
{
	pthread_mutex_lock(&tr->m);
	while (tr->done < n)
		pthread_cond_wait(&tr->c, &tr->m);
	pthread_mutex_unlock(&tr->m);
}


/* Open a store in a new temporary folder with options o. */
static struct store *
open_tmp(const struct store_options *o)
{
	char why[CA_WHY_MAX], *dir = tsu_tmpdir();
	struct store *s = NULL;

	assert_non_null(dir);
	assert_int_equal(store_open(dir, o, &s, why, sizeof(why)), CA_OK);
	free(dir);
	return s;
}

/* Close s and remove its folder. */
static void
close_tmp(struct store *s)
{
	char *dir = strdup(store_path(s));

	store_close(s);
	tsu_rmdir(dir);
}

/* Stats counter of groups committed. */
static uint64_t
groups_of(struct store *s)
{
	struct store_stats st;
	char why[CA_WHY_MAX];

	assert_int_equal(store_stats(s, &st, why, sizeof(why)), CA_OK);
	return st.groups;
}

/*
 * Queue n jobs tracked by tr while the writer is held at a gate, so that
 * it takes them together, then let it go and wait for all n. Job fail_at
 * fails after its put and job big_at fills the map (-1: none). Returns
 * how many write groups ran meanwhile, the gate's own included.
 */
static uint64_t
submit_gated(struct store *s, struct tracker *tr, struct tjob *jobs,
    unsigned n, int fail_at, int big_at)
{
	uint64_t g0 = groups_of(s);
	struct gate g;

	tracker_init(tr, s);
	gate_close(s, &g);
	for (unsigned i = 0; i < n; i++) {
		tjob_init(&jobs[i], tr, i);
		jobs[i].fail = (int)i == fail_at;
		jobs[i].big = (int)i == big_at;
		assert_int_equal(store_submit(s, &jobs[i].job), CA_OK);
	}
	gate_open(&g);
	tracker_wait(tr, (int)n);
	return groups_of(s) - g0;
}

#define SUBMITTERS 8
#define PER_SUBMITTER 200

/* One submitting thread: its slice of jobs, all queued without waiting. */
struct submitter {
	struct store *s;
	struct tjob *jobs;
	int n, failed_submits;
};

/* Thread body: submit every job of the slice. */
static void *
submit_main(void *arg)
{
	struct submitter *sb = arg;

	for (int i = 0; i < sb->n; i++)
		if (store_submit(sb->s, &sb->jobs[i].job) != CA_OK)
			sb->failed_submits++;
	return NULL;
}

/* Many threads submit at once; each done() sees its committed data. */
static void
test_concurrent_submitters(void **state)
{
	struct store_options o = { 0 };	/* real fsync: real groups */
	struct store *s = open_tmp(&o);
	struct tracker tr;
	struct submitter sb[SUBMITTERS];
	pthread_t th[SUBMITTERS];
	struct tjob *jobs = calloc(SUBMITTERS * PER_SUBMITTER, sizeof(*jobs));
	struct store_stats st;
	char why[CA_WHY_MAX];
	int total = SUBMITTERS * PER_SUBMITTER;

	(void)state;
	tracker_init(&tr, s);
	for (int i = 0; i < total; i++)
		tjob_init(&jobs[i], &tr, (unsigned)i);
	for (int i = 0; i < SUBMITTERS; i++) {
		sb[i].s = s;
		sb[i].jobs = jobs + i * PER_SUBMITTER;
		sb[i].n = PER_SUBMITTER;
		sb[i].failed_submits = 0;
		assert_int_equal(pthread_create(&th[i], NULL, submit_main,
		    &sb[i]), 0);
	}
	for (int i = 0; i < SUBMITTERS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(sb[i].failed_submits, 0);
	}
	tracker_wait(&tr, total);
	assert_int_equal(tr.bad, 0);
	for (int i = 0; i < total; i++) {
		assert_int_equal(jobs[i].rc, CA_OK);
		assert_true(jobs[i].visible);
	}
	assert_int_equal(store_stats(s, &st, why, sizeof(why)), CA_OK);
	assert_int_equal(st.certs, total);
	assert_int_equal(st.jobs, total);
	/* fsync per group lets submissions pile up: fewer groups than jobs. */
	assert_true(st.groups < (uint64_t)total);
	print_message("# %d jobs in %llu groups\n", total,
	    (unsigned long long)st.groups);
	close_tmp(s);
	free(jobs);
}

/* A failing job in a group is rolled back alone; the group commits. */
static void
test_group_with_failure(void **state)
{
	struct store *s = open_tmp(NULL);
	struct tracker tr;
	struct tjob jobs[10];

	(void)state;
	/* The gate, then all ten. */
	assert_int_equal(submit_gated(s, &tr, jobs, 10, 4, -1), 2);
	for (int i = 0; i < 10; i++) {
		if (i == 4) {
			assert_int_equal(jobs[i].rc, CA_EPOLICY);
			assert_string_equal(jobs[i].why, "test: job refused");
			assert_false(jobs[i].visible);
		} else {
			assert_int_equal(jobs[i].rc, CA_OK);
			assert_true(jobs[i].visible);
		}
	}
	assert_int_equal(tr.bad, 0);
	close_tmp(s);
}

/* A job that fills the map fails with the sentence; its group commits. */
static void
test_map_full(void **state)
{
	struct store_options o = { .map_size = 4u << 20, .no_sync = 1 };
	struct store *s = open_tmp(&o);
	struct tracker tr;
	struct tjob jobs[3];

	(void)state;
	submit_gated(s, &tr, jobs, 3, -1, 1);
	assert_int_equal(jobs[0].rc, CA_OK);
	assert_int_equal(jobs[1].rc, CA_EDB);
	assert_non_null(strstr(jobs[1].why, "map is full (4 MiB)"));
	assert_false(jobs[1].visible);
	assert_int_equal(jobs[2].rc, CA_OK);
	assert_true(jobs[2].visible);
	close_tmp(s);
}

/* group_max bounds a group: 10 queued jobs with a bound of 4 take 3. */
static void
test_group_bound(void **state)
{
	struct store_options o = { .group_max = 4, .no_sync = 1 };
	struct store *s = open_tmp(&o);
	struct tracker tr;
	struct tjob jobs[10];

	(void)state;
	assert_int_equal(submit_gated(s, &tr, jobs, 10, -1, -1), 1 + 3);
	close_tmp(s);
}

/* What a done() that resubmits during close saw. */
static int resubmit_rc = -999;
static struct store_job resubmit_job;

/* done: try to queue more work while the store is closing. */
static void
resubmit_done(int rc, void *arg)
{
	struct tjob *j = arg;

	tjob_done(rc, arg);
	resubmit_job.apply = tjob_apply;
	resubmit_job.arg = j;
	resubmit_rc = store_submit(j->tr->s, &resubmit_job);
}

/* What store_submit_wait returned when called on the writer thread. */
static int nested_wait_rc = -999;

/* apply: waiting on the writer thread must be refused, not deadlock. */
static int
apply_nested_wait(struct store_wtxn *w, void *arg)
{
	struct tjob *j = arg;
	char why[CA_WHY_MAX];

	nested_wait_rc = store_submit_wait(j->tr->s, tjob_apply, j, why,
	    sizeof(why));
	return tjob_apply(w, arg);
}

/* apply: a probe that writes nothing. */
static int
apply_nothing(struct store_wtxn *w, void *arg)
{
	(void)w;
	(void)arg;
	return CA_OK;
}

/* Thread body: close the store given (blocks until drained). */
static void *
close_main(void *arg)
{
	store_close(arg);
	return NULL;
}

/* Close drains every queued job, which is committed and survives. */
static void
test_close_drains(void **state)
{
	struct store_options o = { .no_sync = 1 };
	char why[CA_WHY_MAX], *dir = tsu_tmpdir();
	struct store *s = NULL;
	struct tracker tr;
	struct store_stats st;
	struct tjob jobs[50];
	static struct store_job probes[1000];
	pthread_t closer;
	int nprobe;
	struct gate g;

	(void)state;
	assert_int_equal(store_open(dir, &o, &s, why, sizeof(why)), CA_OK);
	tracker_init(&tr, s);
	gate_close(s, &g);
	for (unsigned i = 0; i < 50; i++) {
		tjob_init(&jobs[i], &tr, i);
		if (i == 0)
			jobs[i].job.apply = apply_nested_wait;
		if (i == 49)
			jobs[i].job.done = resubmit_done;
		assert_int_equal(store_submit(s, &jobs[i].job), CA_OK);
	}
	/* Close while the queue is full: wait until submits are refused. */
	assert_int_equal(pthread_create(&closer, NULL, close_main, s), 0);
	for (nprobe = 0; nprobe < 1000; nprobe++) {
		probes[nprobe].apply = apply_nothing;
		if (store_submit(s, &probes[nprobe]) != CA_OK)
			break;
		usleep(1000);
	}
	assert_true(nprobe < 1000);
	gate_open(&g);
	pthread_join(closer, NULL);	/* returns after every done() ran */
	assert_int_equal(tr.done, 50);
	assert_int_equal(tr.bad, 0);
	assert_int_equal(nested_wait_rc, CA_EINVAL);
	assert_int_equal(resubmit_rc, CA_ESTATE);
	assert_int_equal(store_open(dir, &o, &s, why, sizeof(why)), CA_OK);
	assert_int_equal(store_stats(s, &st, why, sizeof(why)), CA_OK);
	assert_int_equal(st.certs, 50);
	store_close(s);
	tsu_rmdir(dir);
}

/* Keeps the writer busy with puts until told to stop. */
struct busy {
	struct store *s;
	int stop;		/* atomic */
	int count, errors;	/* count: atomic */
};

/* Thread body: one committed certificate after another. */
static void *
busy_main(void *arg)
{
	struct busy *b = arg;
	struct store_cert c;
	char why[CA_WHY_MAX];

	int n = 0;

	while (!__atomic_load_n(&b->stop, __ATOMIC_ACQUIRE)) {
		tsu_cert(&c, (unsigned)n, 1900000000);
		c.serial[0] = 0x03;
		c.serial[1] = (n >> 8) & 0xff;
		c.serial[2] = n & 0xff;
		if (n >= 60000 ||
		    tsu_put_cert(b->s, &c, why, sizeof(why)) != CA_OK)
			b->errors++;
		else
			__atomic_store_n(&b->count, ++n, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Compare every named database of two environments, entry by entry. */
static void
assert_same_data(const char *a, const char *b)
{
	static const char *const dbs[] = {
		"meta", "requests", "certs", "by_expiry", "by_revocation",
		"by_subject", "templates", "audit",
	};
	MDB_env *ea, *eb;
	MDB_txn *ta, *tb;
	MDB_dbi da, db;
	MDB_cursor *ca, *cb;
	MDB_val ka, va, kb, vb;
	int ra, rb;

	assert_int_equal(mdb_env_create(&ea), 0);
	assert_int_equal(mdb_env_create(&eb), 0);
	mdb_env_set_maxdbs(ea, 16);
	mdb_env_set_maxdbs(eb, 16);
	assert_int_equal(mdb_env_open(ea, a, MDB_RDONLY, 0600), 0);
	assert_int_equal(mdb_env_open(eb, b, MDB_RDONLY, 0600), 0);
	assert_int_equal(mdb_txn_begin(ea, NULL, MDB_RDONLY, &ta), 0);
	assert_int_equal(mdb_txn_begin(eb, NULL, MDB_RDONLY, &tb), 0);
	for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		assert_int_equal(mdb_dbi_open(ta, dbs[i], 0, &da), 0);
		assert_int_equal(mdb_dbi_open(tb, dbs[i], 0, &db), 0);
		assert_int_equal(mdb_cursor_open(ta, da, &ca), 0);
		assert_int_equal(mdb_cursor_open(tb, db, &cb), 0);
		ra = mdb_cursor_get(ca, &ka, &va, MDB_FIRST);
		rb = mdb_cursor_get(cb, &kb, &vb, MDB_FIRST);
		while (ra == 0 && rb == 0) {
			assert_int_equal(ka.mv_size, kb.mv_size);
			assert_memory_equal(ka.mv_data, kb.mv_data, ka.mv_size);
			assert_int_equal(va.mv_size, vb.mv_size);
			assert_memory_equal(va.mv_data, vb.mv_data, va.mv_size);
			ra = mdb_cursor_get(ca, &ka, &va, MDB_NEXT);
			rb = mdb_cursor_get(cb, &kb, &vb, MDB_NEXT);
		}
		assert_int_equal(ra, MDB_NOTFOUND);
		assert_int_equal(rb, MDB_NOTFOUND);
		mdb_cursor_close(ca);
		mdb_cursor_close(cb);
	}
	mdb_txn_abort(ta);
	mdb_txn_abort(tb);
	mdb_env_close(ea);
	mdb_env_close(eb);
}

/* Hot backup while the writer is busy; the copy opens and matches. */
static void
test_backup(void **state)
{
	struct store_options o = { .no_sync = 1 };
	struct store *s = open_tmp(&o), *copy = NULL;
	char why[CA_WHY_MAX], *bdir = tsu_tmpdir(), *bdir2 = tsu_tmpdir();
	struct busy b = { .s = s };
	struct store_stats st, cst;
	struct store_cert c;
	pthread_t th;
	int before, after;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, busy_main, &b), 0);
	while (__atomic_load_n(&b.count, __ATOMIC_ACQUIRE) < 200)
		usleep(1000);
	before = __atomic_load_n(&b.count, __ATOMIC_ACQUIRE);
	assert_int_equal(store_backup(s, bdir, why, sizeof(why)), CA_OK);
	after = __atomic_load_n(&b.count, __ATOMIC_ACQUIRE);
	__atomic_store_n(&b.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	assert_int_equal(b.errors, 0);
	print_message("# backup taken with %d..%d certificates committed, "
	    "%d at the end\n", before, after, b.count);

	/* The copy is a store: consistent, between before and the end. */
	assert_int_equal(store_open(bdir, NULL, &copy, why, sizeof(why)),
	    CA_OK);
	assert_int_equal(store_stats(copy, &cst, why, sizeof(why)), CA_OK);
	assert_true(cst.certs >= (uint64_t)before);
	assert_true(cst.certs <= (uint64_t)b.count);
	tsu_cert(&c, 0, 1900000000);
	c.serial[0] = 0x03;
	assert_int_equal(tsu_put_cert(copy, &c, why, sizeof(why)), CA_EEXIST);
	store_close(copy);

	/* Idle writer: a second copy equals the live data entry by entry. */
	assert_int_equal(store_backup(s, bdir2, why, sizeof(why)), CA_OK);
	assert_int_equal(store_stats(s, &st, why, sizeof(why)), CA_OK);
	assert_int_equal(st.certs, (uint64_t)b.count);
	assert_same_data(store_path(s), bdir2);

	/* A non-empty folder is refused. */
	assert_int_equal(store_backup(s, bdir2, why, sizeof(why)), CA_EEXIST);
	assert_non_null(strstr(why, "not empty"));
	tsu_rmdir(bdir);
	tsu_rmdir(bdir2);
	close_tmp(s);
}

/* A child that acknowledges each committed put through a pipe. */
struct acker {
	struct store *s;
	int fd, first;
};

/* Child thread: put certificates forever, writing each acked number. */
static void *
acker_main(void *arg)
{
	struct acker *a = arg;
	struct store_cert c;
	char why[CA_WHY_MAX];

	for (int n = a->first;; n += 4) {
		tsu_cert(&c, (unsigned)n, 1900000000);
		c.serial[0] = 0x04;
		c.serial[1] = (n >> 8) & 0xff;
		c.serial[2] = n & 0xff;
		if (n > 0xffff || tsu_put_cert(a->s, &c, why, sizeof(why)))
			_exit(3);
		if (write(a->fd, &n, sizeof(n)) != sizeof(n))
			_exit(4);
	}
	return NULL;
}

/* Every put acknowledged before a SIGKILL is in the store afterwards. */
static void
test_crash_keeps_acked(void **state)
{
	char why[CA_WHY_MAX], *dir = tsu_tmpdir();
	struct store *s = NULL;
	struct store_txn *t;
	struct store_cert c;
	unsigned char *acked = calloc(0x10000, 1), key[3];
	int fds[2], n, count = 0, status;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct acker a[4];
		pthread_t th[4];

		close(fds[0]);
		if (store_open(dir, NULL, &s, why, sizeof(why)) != CA_OK)
			_exit(2);
		for (int i = 0; i < 4; i++) {
			a[i].s = s;
			a[i].fd = fds[1];
			a[i].first = i;
			pthread_create(&th[i], NULL, acker_main, &a[i]);
		}
		pthread_join(th[0], NULL);
		_exit(5);
	}
	close(fds[1]);
	while (count < 300 && read(fds[0], &n, sizeof(n)) == sizeof(n)) {
		acked[n] = 1;
		count++;
	}
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	/* Acks written before the kill still count. */
	while (read(fds[0], &n, sizeof(n)) == sizeof(n)) {
		acked[n] = 1;
		count++;
	}
	close(fds[0]);
	assert_true(count >= 300);
	assert_int_equal(store_open(dir, NULL, &s, why, sizeof(why)), CA_OK);
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	for (n = 0; n < 0x10000; n++) {
		if (!acked[n])
			continue;
		key[0] = 0x04;
		key[1] = (n >> 8) & 0xff;
		key[2] = n & 0xff;
		assert_int_equal(store_get_cert(t, key, 3, &c), CA_OK);
		store_cert_clear(&c);
	}
	store_read_end(t);
	print_message("# %d acknowledged puts all found after SIGKILL\n",
	    count);
	store_close(s);
	tsu_rmdir(dir);
	free(acked);
}

/* Run the writer cases; each opens its own store. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent_submitters),
		cmocka_unit_test(test_group_with_failure),
		cmocka_unit_test(test_map_full),
		cmocka_unit_test(test_group_bound),
		cmocka_unit_test(test_close_drains),
		cmocka_unit_test(test_backup),
		cmocka_unit_test(test_crash_keeps_acked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

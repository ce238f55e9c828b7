/*
 * The shared re-read gate (ldap/recheck.h), driven by a fake directory
 * read so the interleavings are exact: threads wait on the gate's own
 * counters, never on time. The attack it guards against: an officer
 * disables a stolen connector's account while a re-read for an earlier
 * login is in flight; a login that arrives after the disable must not
 * ride on that earlier read's "still enabled".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "common/error.h"
#include "ldap/recheck.h"

/* The fake directory: the account's state and a read that can be held. */
struct fake_dir {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool enabled;		/* the account's state now */
	bool hold;		/* reads wait here until released */
	unsigned reads;		/* reads started */
};

static struct fake_dir fd = { PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_COND_INITIALIZER, true, false, 0 };

/*
 * Read the state as of the read's start; then, for a login that can be
 * held (*arg), wait while the test holds reads.
 */
static int
fake_read(void *arg, char *why, size_t whylen)
{
	const bool *holdable = arg;
	bool enabled;

	pthread_mutex_lock(&fd.mu);
	enabled = fd.enabled;
	fd.reads++;
	pthread_cond_broadcast(&fd.cv);
	while (fd.hold && *holdable)
		pthread_cond_wait(&fd.cv, &fd.mu);
	pthread_mutex_unlock(&fd.mu);
	if (enabled)
		return CA_OK;
	snprintf(why, whylen, "account is disabled now");
	return CA_EAUTH;
}

static struct dir_recheck_gate gate;
static const unsigned char key_a[DIRECTORY_CACHE_KEY_LEN] = { 1 };
static const unsigned char key_b[DIRECTORY_CACHE_KEY_LEN] = { 2 };

struct login {
	const unsigned char *key;
	bool holdable;		/* its read waits while the test holds */
	int rc;
	char why[CA_WHY_MAX];
};

/* One cached login through the gate. */
static void *
login_thread(void *arg)
{
	struct login *l = arg;

	l->why[0] = '\0';
	l->rc = dir_gate_answer(&gate, l->key, fake_read, &l->holdable, l->why,
	    sizeof(l->why));
	return NULL;
}

/* Wait (on the condition itself) until n reads have started. */
static void
wait_reads(unsigned n)
{
	pthread_mutex_lock(&fd.mu);
	while (fd.reads < n)
		pthread_cond_wait(&fd.cv, &fd.mu);
	pthread_mutex_unlock(&fd.mu);
}

/* Wait until the gate has numbered n logins (spinning on its mutex). */
static void
wait_asked(uint64_t n)
{
	for (;;) {
		pthread_mutex_lock(&gate.mu);
		bool done = gate.asked >= n;
		pthread_mutex_unlock(&gate.mu);
		if (done)
			return;
		sched_yield();
	}
}

static void
release(void)
{
	pthread_mutex_lock(&fd.mu);
	fd.hold = false;
	pthread_cond_broadcast(&fd.cv);
	pthread_mutex_unlock(&fd.mu);
}

static int
setup(void **state)
{
	(void)state;
	dir_recheck_gates_init(&gate, 1);
	fd.enabled = true;
	fd.hold = false;
	fd.reads = 0;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	dir_recheck_gates_destroy(&gate, 1);
	return 0;
}

/*
 * Login 1 starts a read and holds it; the account is disabled; login 2
 * arrives. Login 1 keeps its (earlier) answer; login 2 gets a read of its
 * own that sees the disable.
 */
static void
test_login_after_disable_does_not_ride_an_earlier_read(void **state)
{
	struct login one = { key_a, true, -1, "" }, two = { key_a, true, -1, "" };
	pthread_t t1, t2;

	(void)state;
	fd.hold = true;
	assert_int_equal(pthread_create(&t1, NULL, login_thread, &one), 0);
	wait_reads(1);
	pthread_mutex_lock(&fd.mu);
	fd.enabled = false;		/* the officer disables the account */
	pthread_mutex_unlock(&fd.mu);
	assert_int_equal(pthread_create(&t2, NULL, login_thread, &two), 0);
	wait_asked(2);
	release();
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	assert_int_equal(one.rc, CA_OK);
	assert_int_equal(two.rc, CA_EAUTH);
	assert_string_equal(two.why, "account is disabled now");
	assert_int_equal(fd.reads, 2);
}

/*
 * Logins that arrive while a read is in flight share the next read: eight
 * waiting logins cost one more directory read, not eight.
 */
static void
test_waiting_logins_share_one_read(void **state)
{
	struct login first = { key_a, true, -1, "" }, rest[8];
	pthread_t t0, t[8];

	(void)state;
	fd.hold = true;
	assert_int_equal(pthread_create(&t0, NULL, login_thread, &first), 0);
	wait_reads(1);
	for (int i = 0; i < 8; i++) {
		rest[i].key = key_a;
		rest[i].holdable = true;
		rest[i].rc = -1;
		assert_int_equal(pthread_create(&t[i], NULL, login_thread,
		    &rest[i]), 0);
	}
	wait_asked(9);
	release();
	pthread_join(t0, NULL);
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(rest[i].rc, CA_OK);
	}
	assert_int_equal(first.rc, CA_OK);
	assert_int_equal(fd.reads, 2);
}

/* Another account on a busy gate reads on its own and is not held up. */
static void
test_other_account_reads_alone(void **state)
{
	struct login a = { key_a, true, -1, "" }, b = { key_b, false, -1, "" };
	pthread_t ta;

	(void)state;
	fd.hold = true;
	assert_int_equal(pthread_create(&ta, NULL, login_thread, &a), 0);
	wait_reads(1);
	/* a's read is held: b returns only if it did not queue behind it. */
	login_thread(&b);
	assert_int_equal(b.rc, CA_OK);
	release();
	pthread_join(ta, NULL);
	assert_int_equal(a.rc, CA_OK);
	assert_int_equal(fd.reads, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_login_after_disable_does_not_ride_an_earlier_read,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_waiting_logins_share_one_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_account_reads_alone,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

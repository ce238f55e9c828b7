/* Unit tests for ca/daemon/workers.c: jobs run off the loop, completions on it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <pthread.h>
#include <cmocka.h>
#include <event2/event.h>
#include <event2/thread.h>

#include "common/error.h"
#include "ca/daemon/workers.h"

#define N_JOBS 200

struct job_state {
	pthread_t loop_thread;
	int ran[N_JOBS];
	int done_order[N_JOBS];
	int n_done;
	int done_on_loop;
	int ran_off_loop;
	struct event_base *base;
};

struct job {
	struct job_state *st;
	int i;
};

/* Worker side: record that it ran and where. */
static void
job_run(void *arg)
{
	struct job *j = arg;

	j->st->ran[j->i] = 1;
	if (!pthread_equal(pthread_self(), j->st->loop_thread))
		__atomic_add_fetch(&j->st->ran_off_loop, 1, __ATOMIC_RELAXED);
}

/* Loop side: count completions and stop the loop after the last one. */
static void
job_done(void *arg)
{
	struct job *j = arg;

	if (pthread_equal(pthread_self(), j->st->loop_thread))
		j->st->done_on_loop++;
	j->st->done_order[j->st->n_done++] = j->i;
	if (j->st->n_done == N_JOBS)
		event_base_loopbreak(j->st->base);
}

/* Every job runs on a worker and completes on the loop thread. */
static void
test_jobs_complete_on_loop(void **state)
{
	static struct job_state st;
	static struct job jobs[N_JOBS];
	struct workers *w = NULL;

	(void)state;
	evthread_use_pthreads();
	st.base = event_base_new();
	st.loop_thread = pthread_self();
	assert_int_equal(workers_new(st.base, 4, &w), CA_OK);
	for (int i = 0; i < N_JOBS; i++) {
		jobs[i].st = &st;
		jobs[i].i = i;
		assert_int_equal(workers_submit(w, job_run, job_done, &jobs[i]), CA_OK);
	}
	event_base_dispatch(st.base);
	assert_int_equal(st.n_done, N_JOBS);
	assert_int_equal(st.done_on_loop, N_JOBS);
	assert_int_equal(st.ran_off_loop, N_JOBS);
	for (int i = 0; i < N_JOBS; i++)
		assert_int_equal(st.ran[i], 1);
	assert_int_equal(workers_pending(w), 0);
	workers_free(w);
	event_base_free(st.base);
}

static int complete_count;

/* A completion pushed from another thread with workers_complete. */
static void
count_done(void *arg)
{
	complete_count++;
	event_base_loopbreak(arg);
}

/* Thread that hands a completion to the loop, as the store writer does. */
static void *
pusher(void *arg)
{
	void **a = arg;

	workers_complete(a[0], count_done, a[1]);
	return NULL;
}

/* workers_complete from a foreign thread wakes the loop. */
static void
test_foreign_complete(void **state)
{
	struct event_base *base;
	struct workers *w = NULL;
	pthread_t t;
	void *args[2];

	(void)state;
	evthread_use_pthreads();
	base = event_base_new();
	assert_int_equal(workers_new(base, 1, &w), CA_OK);
	args[0] = w;
	args[1] = base;
	pthread_create(&t, NULL, pusher, args);
	event_base_dispatch(base);
	pthread_join(t, NULL);
	assert_int_equal(complete_count, 1);
	workers_free(w);
	event_base_free(base);
}

/* Zero or too many threads are refused. */
static void
test_bad_sizes(void **state)
{
	struct workers *w = NULL;
	struct event_base *base = event_base_new();

	(void)state;
	assert_int_equal(workers_new(base, 0, &w), CA_EINVAL);
	assert_int_equal(workers_new(base, WORKERS_MAX + 1, &w), CA_EINVAL);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jobs_complete_on_loop),
		cmocka_unit_test(test_foreign_complete),
		cmocka_unit_test(test_bad_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The store's single writer thread and group commit, and the sticky write
 * chain. Any thread queues a struct store_job (store_submit) under s->lock
 * and signals s->wake. The writer thread takes up to group_max queued jobs,
 * opens one write transaction, runs each job's apply() in a nested child
 * transaction (aborting only that child when it fails), commits the group
 * once, and then calls each job's done() on the writer thread, outside the
 * lock, so done() may queue more work. store_close sets closing, the
 * writer drains what is queued and exits, and the closer joins it.
 *
 * A full map grows here (issue 11): when a group hits MDB_MAP_FULL, the
 * whole group is aborted (nothing of it committed), the map doubles up to
 * map_max with every read transaction of the process held off by
 * map_lock, and the group runs again. Environment failures (disk full,
 * I/O, a map full at its ceiling) are kept for store_write_health until
 * a group commits again. The chain's put/del/fail helpers are store_txn.c's.
 */
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/opstats.h"
#include "ca/store/store_int.h"

/* True on the store's writer thread. */
int
store_is_writer(const struct store *s)
{
	return s->writer_started && pthread_equal(pthread_self(), s->writer);
}

/* Run one job in a child of parent and record its result on the job. */
static void
store_run_job(struct store *s, MDB_txn *parent, struct store_job *job)
{
	struct store_wtxn w;
	int mrc, rc;

	memset(&w, 0, sizeof(w));
	w.t.s = s;
	job->why[0] = '\0';
	if ((mrc = mdb_txn_begin(s->env, parent, 0, &w.t.txn)) != 0) {
		store_w_note(s, mrc);
		job->rc = store_mdb_err(s, mrc, "begin job", job->why,
		    sizeof(job->why));
		return;
	}
	rc = job->apply(&w, job->arg);
	if (rc == CA_OK)
		rc = w.rc;
	if (rc != CA_OK) {
		mdb_txn_abort(w.t.txn);
		if (w.rc != CA_OK)
			memcpy(job->why, w.why, sizeof(job->why));
		else
			ca_why(job->why, sizeof(job->why), rc, "store %s: "
			    "write refused: %s", s->path, ca_strerror(rc));
		job->rc = rc;
		return;
	}
	if ((mrc = mdb_txn_commit(w.t.txn)) != 0) {
		store_w_note(s, mrc);
		job->rc = store_mdb_err(s, mrc, "commit job", job->why,
		    sizeof(job->why));
		return;
	}
	job->rc = CA_OK;
}

/*
 * Grow the map (double, at most map_max) between transactions; false when
 * it is at its ceiling or the readers did not let go in time (then the
 * group fails with "map full" rather than the writer waiting on a reader
 * that itself waits for this write).
 */
static bool
store_grow(struct store *s)
{
	struct timespec until;
	size_t want;
	int mrc;

	if (s->map_size >= s->map_max)
		return false;
	want = s->map_size > s->map_max / 2 ? s->map_max : s->map_size * 2;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += STORE_GROW_WAIT_S;
	if (pthread_rwlock_timedwrlock(&s->map_lock, &until) != 0)
		return false;
	mrc = mdb_env_set_mapsize(s->env, want);
	pthread_rwlock_unlock(&s->map_lock);
	if (mrc != 0)
		return false;
	pthread_mutex_lock(&s->lock);
	s->map_size = want;
	s->map_grown++;
	pthread_mutex_unlock(&s->lock);
	return true;
}

/*
 * Apply the group in one write transaction and commit it. When the map
 * filled up and may grow, abort it all and grow the map: true means run
 * it again. Without growth a job that does not fit fails alone, as any
 * failing job does: its child transaction is dropped, the rest commits.
 */
static bool
store_try_group(struct store *s, struct store_job *group, bool *may_grow)
{
	MDB_txn *parent = NULL;
	struct store_job *j;
	char why[CA_WHY_MAX];
	int mrc, rc = CA_OK;

	s->w_env_err = 0;
	if ((mrc = mdb_txn_begin(s->env, NULL, 0, &parent)) != 0) {
		store_w_note(s, mrc);
		rc = store_mdb_err(s, mrc, "begin group", why, sizeof(why));
		parent = NULL;
	}
	for (j = group; j != NULL; j = j->next) {
		if (parent == NULL) {
			j->rc = rc;
			memcpy(j->why, why, sizeof(j->why));
			continue;
		}
		store_run_job(s, parent, j);
	}
	if (parent != NULL && s->w_env_err == MDB_MAP_FULL && *may_grow &&
	    s->map_size < s->map_max) {
		/* LMDB resizes only with no write transaction open. */
		mdb_txn_abort(parent);
		if (!store_grow(s))
			*may_grow = false;	/* again, failing only the job
						   that does not fit */
		return true;
	}
	if (parent != NULL && (mrc = mdb_txn_commit(parent)) != 0) {
		store_w_note(s, mrc);
		if (mrc == MDB_MAP_FULL && *may_grow && store_grow(s))
			return true;
		rc = store_mdb_err(s, mrc, "commit group", why, sizeof(why));
		for (j = group; j != NULL; j = j->next)
			if (j->rc == CA_OK) {
				j->rc = rc;
				memcpy(j->why, why, sizeof(j->why));
			}
	}
	return false;
}

/* Apply, commit and complete one group of n jobs (a NULL-ended list). */
static void
store_run_group(struct store *s, struct store_job *group, size_t n)
{
	struct store_job *j, *next;
	bool may_grow = true;
	uint64_t t0 = opstat_now_ns();

	/* Each growth doubles the map up to its ceiling: this ends. */
	while (store_try_group(s, group, &may_grow))
		;
	opstat_observe(OPSTAT_STORE_COMMIT, opstat_now_ns() - t0);
	opstat_batch(n);
	pthread_mutex_lock(&s->lock);
	s->groups++;
	s->jobs += n;
	if (s->w_env_err != 0) {
		/* The first job's sentence names the failing step. */
		for (j = group; j != NULL && j->rc == CA_OK; j = j->next)
			;
		s->write_failing = j != NULL ? j->rc : CA_EDB;
		snprintf(s->write_why, sizeof(s->write_why), "%s", j != NULL ?
		    j->why : "store: a write failed");
	} else {
		for (j = group; j != NULL && j->rc != CA_OK; j = j->next)
			;
		if (j != NULL)
			s->write_failing = 0;
	}
	pthread_mutex_unlock(&s->lock);
	/* done() may free its job: read the link first. */
	for (j = group; j != NULL; j = next) {
		next = j->next;
		j->next = NULL;
		if (j->done != NULL)
			j->done(j->rc, j->arg);
	}
}

/* The writer thread: wait for jobs, run them in groups, exit when closed. */
static void *
store_writer_main(void *arg)
{
	struct store *s = arg;
	struct store_job *group, *last;
	size_t n;

	for (;;) {
		pthread_mutex_lock(&s->lock);
		while (s->head == NULL && !s->closing)
			pthread_cond_wait(&s->wake, &s->lock);
		if (s->head == NULL) {
			pthread_mutex_unlock(&s->lock);
			break;
		}
		group = last = s->head;
		for (n = 1; last->next != NULL && n < s->group_max; n++)
			last = last->next;
		s->head = last->next;
		if (s->head == NULL)
			s->tail = NULL;
		last->next = NULL;
		s->queued -= n;
		pthread_mutex_unlock(&s->lock);
		store_run_group(s, group, n);
	}
	return NULL;
}

/*
 * Start the writer thread of s with every signal blocked, so that the
 * daemon's signals reach the thread that waits for them, never the writer.
 */
int
store_writer_start(struct store *s, char *why, size_t whylen)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&s->writer, NULL, store_writer_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0)
		return ca_why(why, whylen, err == EAGAIN ? CA_EUNAVAIL :
		    CA_ENOMEM, "store %s: cannot start the writer: %s",
		    s->path, strerror(err));
	s->writer_started = 1;
	return CA_OK;
}

/* Let the writer drain the queue, then join it. */
void
store_writer_stop(struct store *s)
{
	if (!s->writer_started)
		return;
	pthread_mutex_lock(&s->lock);
	s->closing = 1;
	pthread_cond_broadcast(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->writer, NULL);
	s->writer_started = 0;
}

/* Queue job for the writer; see store.h. */
int
store_submit(struct store *s, struct store_job *job)
{
	int rc = CA_OK;

	if (s == NULL || job == NULL || job->apply == NULL)
		return CA_EINVAL;
	job->next = NULL;
	job->rc = CA_OK;
	job->why[0] = '\0';
	if (s->read_only)
		return ca_why(job->why, sizeof(job->why), CA_ESTATE, "store "
		    "opened read-only, write refused");
	pthread_mutex_lock(&s->lock);
	if (s->closing) {
		rc = ca_why(job->why, sizeof(job->why), CA_ESTATE, "store "
		    "closing, write refused");
		goto out;
	}
	if (s->queued >= STORE_QUEUE_MAX) {
		rc = ca_why(job->why, sizeof(job->why), CA_EUNAVAIL, "store "
		    "%s: %d writes already queued", s->path, STORE_QUEUE_MAX);
		goto out;
	}
	if (s->tail != NULL)
		s->tail->next = job;
	else
		s->head = job;
	s->tail = job;
	s->queued++;
	pthread_cond_signal(&s->wake);
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* A blocked caller of store_submit_wait. */
struct store_waiter {
	struct store_job job;
	store_apply_cb apply;
	void *arg;
	pthread_mutex_t m;
	pthread_cond_t c;
	int finished;
};

/* apply() of store_submit_wait: run the caller's apply with its arg. */
static int
store_waiter_apply(struct store_wtxn *w, void *arg)
{
	struct store_waiter *wt = arg;

	return wt->apply(w, wt->arg);
}

/* done() of store_submit_wait: wake the caller. */
static void
store_waiter_done(int rc, void *arg)
{
	struct store_waiter *wt = arg;

	(void)rc;
	pthread_mutex_lock(&wt->m);
	wt->finished = 1;
	pthread_cond_signal(&wt->c);
	pthread_mutex_unlock(&wt->m);
}

/* Queue apply(arg) and wait for its commit; see store.h. */
int
store_submit_wait(struct store *s, store_apply_cb apply, void *arg,
    char *why, size_t whylen)
{
	struct store_waiter wt;
	int rc;

	if (apply == NULL)
		return ca_why(why, whylen, CA_EINVAL, "store: no apply");
	if (store_is_writer(s))
		return ca_why(why, whylen, CA_EINVAL, "store %s: waiting for a "
		    "write on the writer thread would deadlock", s->path);
	memset(&wt, 0, sizeof(wt));
	wt.apply = apply;
	wt.arg = arg;
	wt.job.apply = store_waiter_apply;
	wt.job.done = store_waiter_done;
	wt.job.arg = &wt;
	pthread_mutex_init(&wt.m, NULL);
	pthread_cond_init(&wt.c, NULL);
	if ((rc = store_submit(s, &wt.job)) != CA_OK) {
		ca_why(why, whylen, rc, "%s", wt.job.why);
		goto out;
	}
	pthread_mutex_lock(&wt.m);
	while (!wt.finished)
		pthread_cond_wait(&wt.c, &wt.m);
	pthread_mutex_unlock(&wt.m);
	rc = wt.job.rc;
	if (rc != CA_OK)
		ca_why(why, whylen, rc, "%s", wt.job.why);
	else if (why != NULL && whylen > 0)
		why[0] = '\0';
out:
	pthread_mutex_destroy(&wt.m);
	pthread_cond_destroy(&wt.c);
	return rc;
}

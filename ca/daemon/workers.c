/*
 * Worker pool (see workers.h). Jobs sit in a FIFO guarded by one mutex and
 * condition variable; completions in a second FIFO guarded by its own mutex,
 * drained by one libevent event that workers activate with event_active()
 * (thread-safe once evthread_use_pthreads() is on).
 */
#include <event2/event.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "common/error.h"
#include "ca/daemon/workers.h"

struct workers_job {
	struct workers_job *next;
	workers_run_cb run;
	workers_done_cb done;
	void *arg;
};

struct workers {
	struct event_base *base;
	struct event *wake;
	pthread_t threads[WORKERS_MAX];
	unsigned n_threads;

	pthread_mutex_t jobs_mu;
	pthread_cond_t jobs_cv;
	struct workers_job *jobs_head, *jobs_tail;
	size_t pending;		/* queued + running */
	bool stopping;

	pthread_mutex_t done_mu;
	struct workers_job *done_head, *done_tail;
};

/* Append job to a FIFO given by its head and tail pointers. */
static void
fifo_push(struct workers_job **head, struct workers_job **tail,
    struct workers_job *job)
{
	job->next = NULL;
	if (*tail != NULL)
		(*tail)->next = job;
	else
		*head = job;
	*tail = job;
}

/* Run every queued completion; loop thread. */
static void
workers_drain(evutil_socket_t fd, short what, void *arg)
{
	struct workers *w = arg;
	struct workers_job *list, *next;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&w->done_mu);
	list = w->done_head;
	w->done_head = w->done_tail = NULL;
	pthread_mutex_unlock(&w->done_mu);
	for (; list != NULL; list = next) {
		next = list->next;
		if (list->done != NULL)
			list->done(list->arg);
		free(list);
	}
}

/* Queue a completion and wake the loop. */
static void
push_done(struct workers *w, struct workers_job *job)
{
	pthread_mutex_lock(&w->done_mu);
	fifo_push(&w->done_head, &w->done_tail, job);
	pthread_mutex_unlock(&w->done_mu);
	event_active(w->wake, EV_READ, 0);
}

/* Worker thread body: take jobs until told to stop and the queue is empty. */
static void *
workers_main(void *arg)
{
	struct workers *w = arg;
	struct workers_job *job;

	for (;;) {
		pthread_mutex_lock(&w->jobs_mu);
		while (w->jobs_head == NULL && !w->stopping)
			pthread_cond_wait(&w->jobs_cv, &w->jobs_mu);
		job = w->jobs_head;
		if (job == NULL) {
			pthread_mutex_unlock(&w->jobs_mu);
			return NULL;
		}
		w->jobs_head = job->next;
		if (w->jobs_head == NULL)
			w->jobs_tail = NULL;
		pthread_mutex_unlock(&w->jobs_mu);

		job->run(job->arg);

		pthread_mutex_lock(&w->jobs_mu);
		w->pending--;
		pthread_mutex_unlock(&w->jobs_mu);
		if (job->done != NULL)
			push_done(w, job);
		else
			free(job);
	}
}

int
workers_new(struct event_base *base, unsigned n, struct workers **out)
{
	struct workers *w;

	if (n == 0 || n > WORKERS_MAX)
		return CA_EINVAL;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return CA_ENOMEM;
	w->base = base;
	pthread_mutex_init(&w->jobs_mu, NULL);
	pthread_cond_init(&w->jobs_cv, NULL);
	pthread_mutex_init(&w->done_mu, NULL);
	w->wake = event_new(base, -1, EV_PERSIST | EV_READ, workers_drain, w);
	/* Added with no fd and no timeout: pending until freed, so the loop
	 * keeps running while completions may still arrive. */
	if (w->wake == NULL || event_add(w->wake, NULL) != 0) {
		workers_free(w);
		return CA_ENOMEM;
	}
	for (; w->n_threads < n; w->n_threads++) {
		if (pthread_create(&w->threads[w->n_threads], NULL, workers_main,
		    w) != 0) {
			workers_free(w);
			return CA_ENOMEM;
		}
	}
	*out = w;
	return CA_OK;
}

int
workers_submit(struct workers *w, workers_run_cb run, workers_done_cb done,
    void *arg)
{
	struct workers_job *job = calloc(1, sizeof(*job));

	if (job == NULL)
		return CA_ENOMEM;
	job->run = run;
	job->done = done;
	job->arg = arg;
	pthread_mutex_lock(&w->jobs_mu);
	if (w->stopping) {
		pthread_mutex_unlock(&w->jobs_mu);
		free(job);
		return CA_ESTATE;
	}
	fifo_push(&w->jobs_head, &w->jobs_tail, job);
	w->pending++;
	pthread_cond_signal(&w->jobs_cv);
	pthread_mutex_unlock(&w->jobs_mu);
	return CA_OK;
}

void
workers_complete(struct workers *w, workers_done_cb done, void *arg)
{
	struct workers_job *job = calloc(1, sizeof(*job));

	/*
	 * XXX: if this allocation fails the completion would be lost and a
	 * request would hang; abort is the honest answer at that point.
	 */
	if (job == NULL)
		abort();
	job->done = done;
	job->arg = arg;
	push_done(w, job);
}

size_t
workers_pending(struct workers *w)
{
	size_t n;

	pthread_mutex_lock(&w->jobs_mu);
	n = w->pending;
	pthread_mutex_unlock(&w->jobs_mu);
	return n;
}

void
workers_free(struct workers *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->jobs_mu);
	w->stopping = true;
	pthread_cond_broadcast(&w->jobs_cv);
	pthread_mutex_unlock(&w->jobs_mu);
	for (unsigned i = 0; i < w->n_threads; i++)
		pthread_join(w->threads[i], NULL);
	if (w->wake != NULL) {
		workers_drain(-1, 0, w);
		event_free(w->wake);
	}
	pthread_mutex_destroy(&w->jobs_mu);
	pthread_cond_destroy(&w->jobs_cv);
	pthread_mutex_destroy(&w->done_mu);
	free(w);
}

/*
 * The worker pool and the completion queue into the event loop.
 *
 * Threads: a fixed number of worker threads run jobs that may block or burn
 * CPU (LDAP, key generation, signing, CSR checks). When a job has finished,
 * its completion is pushed onto one locked queue and the loop is woken by
 * one libevent event; the loop thread then runs the job's `done` callback.
 * Nothing but the loop thread ever touches the event_base.
 *
 * Other threads (the store's writer) hand results to the loop the same way
 * through workers_complete().
 */
#ifndef ENTCA_CA_WORKERS_H
#define ENTCA_CA_WORKERS_H

#include <stddef.h>

struct event_base;
struct workers;

typedef void (*workers_run_cb)(void *arg);	/* on a worker thread */
typedef void (*workers_done_cb)(void *arg);	/* on the loop thread */

#define WORKERS_MAX 64

/*
 * Start n worker threads (1..WORKERS_MAX) bound to base for completions.
 * Needs evthread_use_pthreads() before base was created. Loop thread only.
 * Returns CA_OK or an error; *out is freed with workers_free().
 */
int workers_new(struct event_base *base, unsigned n, struct workers **out);

/*
 * Queue run(arg) for a worker; after it returns, done(arg) runs on the loop
 * thread. done may be NULL when the job completes through
 * workers_complete() itself. Any thread. Returns CA_OK, or CA_ESTATE once
 * the pool is stopping.
 */
int workers_submit(struct workers *w, workers_run_cb run, workers_done_cb done,
    void *arg);

/* Schedule done(arg) on the loop thread; any thread. */
void workers_complete(struct workers *w, workers_done_cb done, void *arg);

/* Jobs queued or running, for /health and shutdown. Any thread. */
size_t workers_pending(struct workers *w);

/*
 * Finish every queued job, join the threads, run the remaining completions
 * and free. Loop thread only (it runs the done callbacks itself). NULL ok.
 */
void workers_free(struct workers *w);

#endif

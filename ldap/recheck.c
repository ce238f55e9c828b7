/*
 * Shared account re-reads for cached logins (see recheck.h). The rule
 * each login keeps: its answer comes from a directory read that started
 * after the login arrived. Logins are numbered on arrival (asked); a
 * re-read that starts takes the current number as the last login it
 * answers; when it ends, answered moves to that number and the waiters
 * whose number it covers leave with its result.
 */
#include <stdio.h>
#include <string.h>

#include "ldap/dir_int.h"
#include "ldap/recheck.h"

/* See recheck.h. */
void
dir_recheck_gates_init(struct dir_recheck_gate *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		memset(&g[i], 0, sizeof(g[i]));
		pthread_mutex_init(&g[i].mu, NULL);
		pthread_cond_init(&g[i].cv, NULL);
	}
}

/* See recheck.h. */
void
dir_recheck_gates_destroy(struct dir_recheck_gate *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		pthread_cond_destroy(&g[i].cv);
		pthread_mutex_destroy(&g[i].mu);
	}
}

/* See recheck.h. */
int
dir_gate_answer(struct dir_recheck_gate *g,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN], dir_read_fn read,
    void *arg, char *why, size_t whylen)
{
	char w[CA_WHY_MAX];
	uint64_t mine, covers;
	int rc;

	pthread_mutex_lock(&g->mu);
	if (g->users > 0 && memcmp(g->key, key, DIRECTORY_CACHE_KEY_LEN) != 0) {
		/* Another account holds this gate: read on our own. */
		pthread_mutex_unlock(&g->mu);
		return read(arg, why, whylen);
	}
	if (g->users == 0)
		memcpy(g->key, key, DIRECTORY_CACHE_KEY_LEN);
	g->users++;
	mine = ++g->asked;
	while (g->answered < mine) {
		if (g->running) {
			pthread_cond_wait(&g->cv, &g->mu);
			continue;
		}
		/* Start a read: it answers every login numbered so far. */
		g->running = true;
		covers = g->asked;
		pthread_mutex_unlock(&g->mu);
		w[0] = '\0';
		rc = read(arg, w, sizeof(w));
		pthread_mutex_lock(&g->mu);
		g->running = false;
		g->answered = covers;
		g->rc = rc;
		memcpy(g->why, w, sizeof(w));
		pthread_cond_broadcast(&g->cv);
	}
	rc = g->rc;
	if (rc != CA_OK && why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", g->why);
	g->users--;
	pthread_mutex_unlock(&g->mu);
	return rc;
}

struct recheck_call {
	struct directory *d;
	const struct principal *p;
};

/* The read a gate shares: dir_account_recheck of the cached principal. */
static int
recheck_read(void *arg, char *why, size_t whylen)
{
	struct recheck_call *c = arg;

	return dir_account_recheck(c->d, c->p, why, whylen);
}

/* See recheck.h. The key is a SHA-256: two of its bytes pick the gate. */
int
dir_account_recheck_shared(struct directory *d,
    const unsigned char key[DIRECTORY_CACHE_KEY_LEN],
    const struct principal *p, char *why, size_t whylen)
{
	struct recheck_call c = { d, p };

	return dir_gate_answer(&d->gates[(key[0] | key[1] << 8) %
	    DIR_RECHECK_GATES], key, recheck_read, &c, why, whylen);
}

/*
 * The daemon's CRL state machine (see crl_daemon.h). The loop decides
 * and swaps pointers; workers read the store, read CRL files, sign and
 * write to the directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "ca/daemon/crl_daemon.h"
#include "ca/daemon/daemon.h"
#include "ca/daemon/ca_previous.h"
#include "common/log.h"
#include "ca/daemon/workers.h"
#include "crl/schedule.h"

static const char *const kind_names[CRL_KIND_COUNT] = {
	[CRL_KIND_FULL] = "full",
	[CRL_KIND_DELTA] = "delta",
};

/* What the loop knows of a served CRL, copied into a job. */
struct crl_seen {
	bool have;
	uint64_t number;
	uint64_t base_number;
	int64_t this_update;
	int64_t next_update;
	int64_t published_at;
};

/* One sync-and-publish run on a worker. */
struct crl_job {
	struct daemon *d;
	const struct ca_config *cfg;
	int64_t now;
	bool may_publish;		/* not in a failure backoff */
	struct crl_seen seen[CRL_KIND_COUNT];
	/* results */
	struct crlpub_result out[CRL_KIND_COUNT];	/* der NULL: none */
	bool adopted[CRL_KIND_COUNT];	/* out came from the store, not signed here */
	bool published;			/* something was signed */
	char note[CA_WHY_MAX];		/* why a full CRL was forced */
	int rc;
	char why[CA_WHY_MAX];
};

/* Exponential backoff: min * 2^(n-1), at most max. */
static int64_t
backoff(unsigned n, int64_t min, int64_t max)
{
	int64_t s = min;

	while (n > 1 && s < max) {
		s *= 2;
		n--;
	}
	return s < max ? s : max;
}

/* The served CRL of a kind (loop-owned slot). */
static struct crlpub_result *
slot_of(struct daemon *d, int k)
{
	return k == CRL_KIND_DELTA ? &d->crl_delta : &d->crl_full;
}

/* Copy what the loop knows of a result. */
static void
seen_of(const struct crlpub_result *r, struct crl_seen *s)
{
	s->have = r->der != NULL;
	s->number = r->number;
	s->base_number = r->base_number;
	s->this_update = r->this_update;
	s->next_update = r->next_update;
	s->published_at = r->published_at;
}

/* Whether a CRL of period whose state is s is due at now. */
static bool
due(const struct crl_seen *s, int64_t period, int64_t now)
{
	if (!s->have)
		return true;
	/* After a restart (or a CRL read from disk) published_at is
	 * unknown: one past half its life is due. */
	return s->published_at != 0 ? now >= s->published_at + period :
	    crl_is_stale(s->this_update, s->next_update, now);
}

/*
 * Worker: adopt what the store says is newest, then publish only what the
 * schedule makes due. A CRL file that does not match the store's number
 * (a restored store, a file gone) forces one fresh full CRL.
 */
static void
crl_job_run(void *arg)
{
	struct crl_job *c = arg;
	struct daemon_crl_urls urls;
	struct crlpub_state st;
	struct crlpub p;
	char why[CA_WHY_MAX];
	bool need_full = false;
	int rc;

	daemon_crlpub_for(c->d, c->cfg, NULL, &p, &urls);
	c->rc = crlpub_state_read(&p, &st, c->why, sizeof(c->why));
	if (c->rc != CA_OK)
		return;
	if (st.full != 0 && (!c->seen[CRL_KIND_FULL].have ||
	    st.full != c->seen[CRL_KIND_FULL].number)) {
		rc = crlpub_load(p.state_dir, p.ca_name, false, &c->out[CRL_KIND_FULL],
		    why, sizeof(why));
		if (rc == CA_OK && c->out[CRL_KIND_FULL].number == st.full) {
			/* The tool published: its earlier keys' CRLs came too. */
			daemon_prev_reload(c->d, c->cfg);
			c->adopted[CRL_KIND_FULL] = true;
			seen_of(&c->out[CRL_KIND_FULL], &c->seen[CRL_KIND_FULL]);
		} else {
			crlpub_result_clear(&c->out[CRL_KIND_FULL]);
			snprintf(c->note, sizeof(c->note), "the store's full CRL "
			    "is number %llu but the state folder holds %.300s",
			    (unsigned long long)st.full, rc == CA_OK ?
			    "another number" : why);
			need_full = true;
		}
	} else if (st.full == 0 && c->seen[CRL_KIND_FULL].have) {
		snprintf(c->note, sizeof(c->note), "the store has no full CRL "
		    "in service (restored from a backup?)");
		need_full = true;
	}
	if (st.delta != 0 && (!c->seen[CRL_KIND_DELTA].have ||
	    st.delta != c->seen[CRL_KIND_DELTA].number) &&
	    crlpub_load(p.state_dir, p.ca_name, true, &c->out[CRL_KIND_DELTA],
	    why, sizeof(why)) == CA_OK) {
		if (c->out[CRL_KIND_DELTA].number == st.delta) {
			c->adopted[CRL_KIND_DELTA] = true;
			seen_of(&c->out[CRL_KIND_DELTA], &c->seen[CRL_KIND_DELTA]);
		} else {
			crlpub_result_clear(&c->out[CRL_KIND_DELTA]);
		}
	}
	if (!c->may_publish)
		return;
	if (need_full || due(&c->seen[CRL_KIND_FULL], c->cfg->crl_period_s, c->now)) {
		struct crlpub_result r;

		c->rc = crlpub_publish(&p, false, c->now, &r, c->why, sizeof(c->why));
		if (c->rc != CA_OK)
			return;
		crlpub_result_clear(&c->out[CRL_KIND_FULL]);
		c->out[CRL_KIND_FULL] = r;
		c->adopted[CRL_KIND_FULL] = false;
		c->published = true;
		seen_of(&r, &c->seen[CRL_KIND_FULL]);
		/* A renewed CA's earlier keys sign their own full CRLs alongside. */
		if (daemon_prev_publish(c->d, c->cfg, c->now, why, sizeof(why)) != CA_OK)
			log_error("CRL publication: %s", why);
	}
	/* A delta is due when none follows the full CRL in service, or by
	 * its period; its base is the store's, which is now the one served. */
	if (c->cfg->delta_period_s > 0 && (!c->seen[CRL_KIND_DELTA].have ||
	    c->seen[CRL_KIND_DELTA].base_number != c->seen[CRL_KIND_FULL].number ||
	    due(&c->seen[CRL_KIND_DELTA], c->cfg->delta_period_s, c->now))) {
		struct crlpub_result r;

		c->rc = crlpub_publish(&p, true, c->now, &r, c->why, sizeof(c->why));
		if (c->rc != CA_OK)
			return;
		crlpub_result_clear(&c->out[CRL_KIND_DELTA]);
		c->out[CRL_KIND_DELTA] = r;
		c->adopted[CRL_KIND_DELTA] = false;
		c->published = true;
	}
}

static void crl_dir_schedule(struct daemon *d, int64_t now);

/* Serve r in its slot: always when it came from the store, else if newer. */
static void
serve(struct daemon *d, struct crlpub_result *r, bool from_store)
{
	struct crlpub_result *slot = slot_of(d, r->delta ? CRL_KIND_DELTA :
	    CRL_KIND_FULL);

	if (slot->der == NULL || from_store || r->number > slot->number) {
		/* A directory write still reads the old bytes: it frees them. */
		if (slot->der != NULL && slot->der == d->crl.dir_lent) {
			d->crl.dir_orphan = slot->der;
			slot->der = NULL;
		}
		crlpub_result_clear(slot);
		*slot = *r;
		memset(r, 0, sizeof(*r));
	} else {
		crlpub_result_clear(r);
	}
}

/* Serve a CRL this process published; see crl_daemon.h. */
void
daemon_crl_adopt(struct daemon *d, struct crlpub_result *r)
{
	if (r->der == NULL)
		return;
	if (r->held > 0)
		log_error("CLOCK WENT BACK: the system clock is %lld s behind the "
		    "thisUpdate of an earlier CRL; %s CRL number %llu keeps "
		    "thisUpdate at that earlier time (it never goes backwards). "
		    "Fix the clock.", (long long)r->held, r->delta ? "delta" : "full",
		    (unsigned long long)r->number);
	serve(d, r, false);
}

/* Loop: swap in what the worker found or made, or back off. */
static void
crl_job_done(void *arg)
{
	struct crl_job *c = arg;
	struct daemon *d = c->d;
	int64_t now = ca_now();

	d->crl_busy = false;
	d->crl_syncs_done++;
	if (c->note[0] != '\0' && c->published)
		log_warning("CRL: %s; published a fresh full CRL", c->note);
	for (int k = 0; k < CRL_KIND_COUNT; k++) {
		struct crlpub_result *r = &c->out[k];

		if (r->der == NULL)
			continue;
		if (c->adopted[k])
			log_notice("serving %s CRL number %llu from the store "
			    "(written by another process, e.g. entca crl publish)",
			    kind_names[k], (unsigned long long)r->number);
		else
			log_notice("published %s CRL number %llu with %zu entries, "
			    "next update in %lld s", kind_names[k],
			    (unsigned long long)r->number, r->entries,
			    (long long)(r->next_update - r->this_update));
		if (c->adopted[k])
			serve(d, r, true);
		else
			daemon_crl_adopt(d, r);
	}
	if (c->rc != CA_OK && !c->may_publish) {
		/* A sync during the backoff failed too: the next publication
		 * attempt reports it; no log line every second. */
	} else if (c->rc != CA_OK) {
		d->crl.failures++;
		snprintf(d->crl.why, sizeof(d->crl.why), "%s", c->why);
		d->crl_retry_at = now + backoff(d->crl.failures, CRL_RETRY_MIN,
		    CRL_RETRY_MAX);
		log_error("CRL publication failed (%u in a row; next try in %lld s): %s",
		    d->crl.failures, (long long)(d->crl_retry_at - now), c->why);
	} else if (c->published) {
		d->crl.failures = 0;
		d->crl.why[0] = '\0';
		d->crl_retry_at = 0;
	}
	for (int k = 0; k < CRL_KIND_COUNT; k++)
		crlpub_result_clear(&c->out[k]);
	free(c);
	/* `entca` may wait on the control socket for the CRL now served. */
	if (d->on_crl_synced != NULL)
		d->on_crl_synced(d);
	if (!d->stopping)
		crl_dir_schedule(d, now);
}

/* Start a sync-and-publish run unless one is running. */
static void
crl_start(struct daemon *d, int64_t now)
{
	struct crl_job *c;

	if (d->crl_busy || d->stopping)
		return;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return;
	c->d = d;
	c->cfg = d->cfg;
	c->now = now;
	c->may_publish = now >= d->crl_retry_at;
	seen_of(&d->crl_full, &c->seen[CRL_KIND_FULL]);
	seen_of(&d->crl_delta, &c->seen[CRL_KIND_DELTA]);
	if (workers_submit(d->workers, crl_job_run, crl_job_done, c) != CA_OK) {
		free(c);
		return;
	}
	d->crl_busy = true;
	d->crl_syncs_started++;
}

/* One directory write of served bytes on a worker. */
struct crl_dir_job {
	struct daemon *d;
	const struct ca_config *cfg;
	struct daemon_directory *dirs;
	int kind;
	struct crlpub_result crl;	/* the served CRL; der is lent (d->crl) */
	bool unchanged;			/* already there: not written again */
	int rc;
	char why[CA_WHY_MAX];
};

/* Worker: write the bytes. */
static void
crl_dir_run(void *arg)
{
	struct crl_dir_job *j = arg;
	struct daemon_crl_urls urls;
	struct crlpub p;

	daemon_crlpub_for(j->d, j->cfg, j->dirs, &p, &urls);
	j->rc = crlpub_to_directory(&p, &j->crl, false, &j->unchanged, j->why,
	    sizeof(j->why));
}

/* Loop: record the outcome; a failure waits longer each time. */
static void
crl_dir_done(void *arg)
{
	struct crl_dir_job *j = arg;
	struct daemon *d = j->d;
	struct crl_dir_state *s = &d->crl.dir[j->kind];
	int64_t now = ca_now();

	daemon_directory_put(j->dirs);
	if (j->rc == CA_OK) {
		if (j->unchanged)
			log_info("directory: %s CRL number %llu already in %s, "
			    "unchanged since entcad wrote it; not written again",
			    kind_names[j->kind], (unsigned long long)j->crl.number,
			    j->cfg->crl_publish_dn);
		else if (s->attempts > 0)
			log_notice("directory: %s CRL number %llu written to %s after %u failed attempts",
			    kind_names[j->kind], (unsigned long long)j->crl.number,
			    j->cfg->crl_publish_dn, s->attempts);
		else
			log_info("directory: %s CRL number %llu written to %s",
			    kind_names[j->kind], (unsigned long long)j->crl.number,
			    j->cfg->crl_publish_dn);
		s->written = j->crl.number;
		s->attempts = 0;
		s->next_at = 0;
		s->ok_at = now;
		s->why[0] = '\0';
	} else {
		s->attempts++;
		s->next_at = now + backoff(s->attempts, CRL_DIR_RETRY_MIN,
		    CRL_DIR_RETRY_MAX);
		snprintf(s->why, sizeof(s->why), "%s", j->why);
		log_error("directory: %s CRL number %llu not written (attempt %u; "
		    "next try in %lld s with the same CRL; HTTP serves it meanwhile): %s",
		    kind_names[j->kind], (unsigned long long)j->crl.number,
		    s->attempts, (long long)(s->next_at - now), j->why);
	}
	free(d->crl.dir_orphan);
	d->crl.dir_orphan = NULL;
	d->crl.dir_lent = NULL;
	free(j);
	if (!d->stopping)
		crl_dir_schedule(d, now);
}

/* Loop: write the newest served CRL of a kind the directory lacks. */
static void
crl_dir_schedule(struct daemon *d, int64_t now)
{
	struct crl_dir_job *j;

	if (d->crl.dir_lent != NULL || d->dirs == NULL || d->cfg->crl_publish_dn[0] == '\0')
		return;
	for (int k = 0; k < CRL_KIND_COUNT; k++) {
		const struct crlpub_result *r = slot_of(d, k);
		struct crl_dir_state *s = &d->crl.dir[k];

		if (r->der == NULL || r->number == s->written || now < s->next_at)
			continue;
		if ((j = calloc(1, sizeof(*j))) == NULL)
			return;
		/* Lent: the loop keeps the bytes until crl_dir_done. */
		j->crl.der = r->der;
		j->crl.der_len = r->der_len;
		j->crl.delta = r->delta;
		j->crl.number = r->number;
		j->d = d;
		j->cfg = d->cfg;
		j->kind = k;
		j->dirs = daemon_directory_get(d);
		if (workers_submit(d->workers, crl_dir_run, crl_dir_done, j) != CA_OK) {
			daemon_directory_put(j->dirs);
			free(j);
			return;
		}
		d->crl.dir_lent = r->der;
		return;
	}
}

/* Each second; see crl_daemon.h. */
void
daemon_crl_tick(struct daemon *d)
{
	int64_t now = ca_now();

	if (d->stopping)
		return;
	crl_start(d, now);
	crl_dir_schedule(d, now);
}

/* SIGHUP; see crl_daemon.h. */
void
daemon_crl_reload(struct daemon *d)
{
	d->crl_retry_at = 0;
	d->crl.failures = 0;
	for (int k = 0; k < CRL_KIND_COUNT; k++) {
		d->crl.dir[k].attempts = 0;
		d->crl.dir[k].next_at = 0;
	}
	daemon_crl_tick(d);
}

/* The tool's one directory write; see crl_daemon.h. */
int
daemon_crl_directory_once(struct daemon *d, bool delta, char *why,
    size_t whylen)
{
	struct daemon_crl_urls urls;
	struct crlpub p;

	daemon_crlpub_for(d, d->cfg, d->dirs, &p, &urls);
	return crlpub_to_directory(&p, slot_of(d, delta ? CRL_KIND_DELTA :
	    CRL_KIND_FULL), true, NULL, why, whylen);
}

/* /health's view; see crl_daemon.h. */
void
crl_publish_status(const struct daemon *d, int64_t now,
    struct crl_publish_status *st)
{
	memset(st, 0, sizeof(*st));
	st->directory = d->dirs != NULL && d->cfg->crl_publish_dn[0] != '\0';
	st->failures = d->crl.failures;
	st->retry_at = d->crl.failures > 0 ? d->crl_retry_at : 0;
	st->error = d->crl.why;
	st->ok = d->crl.failures == 0;
	for (int k = 0; k < CRL_KIND_COUNT; k++) {
		const struct crlpub_result *r = k == CRL_KIND_DELTA ?
		    &d->crl_delta : &d->crl_full;
		const struct crl_dir_state *s = &d->crl.dir[k];

		st->crl[k].number = r->der != NULL ? r->number : 0;
		st->crl[k].this_update = r->this_update;
		st->crl[k].next_update = r->next_update;
		st->crl[k].fresh = r->der != NULL && now < r->next_update;
		if (k == CRL_KIND_FULL || d->cfg->delta_period_s > 0)
			st->ok = st->ok && st->crl[k].fresh;
		st->dir[k].written = s->written;
		st->dir[k].pending = st->directory && r->der != NULL &&
		    r->number != s->written;
		st->dir[k].attempts = s->attempts;
		st->dir[k].next_try = s->attempts > 0 ? s->next_at : 0;
		st->dir[k].last_ok = s->ok_at;
		st->dir[k].error = s->why;
		st->ok = st->ok && s->attempts == 0;
	}
}

/* /health's view as JSON; see crl_daemon.h. */
json_t *
crl_publish_status_json(const struct daemon *d, int64_t now)
{
	struct crl_publish_status st;
	json_t *o, *dir;

	crl_publish_status(d, now, &st);
	/* Failures as flags: /health answers anyone, the log has the text. */
	dir = json_pack("{s:b,s:I,s:b,s:i,s:I,s:b,s:I,s:b,s:i,s:I,s:b}",
	    "configured", st.directory,
	    "full_written", (json_int_t)st.dir[0].written,
	    "full_pending", st.dir[0].pending,
	    "full_attempts", (int)st.dir[0].attempts,
	    "full_next_try", (json_int_t)st.dir[0].next_try,
	    "full_failing", st.dir[0].error[0] != '\0',
	    "delta_written", (json_int_t)st.dir[1].written,
	    "delta_pending", st.dir[1].pending,
	    "delta_attempts", (int)st.dir[1].attempts,
	    "delta_next_try", (json_int_t)st.dir[1].next_try,
	    "delta_failing", st.dir[1].error[0] != '\0');
	if (dir == NULL)
		return NULL;
	o = json_pack("{s:b,s:I,s:b,s:I,s:b,s:i,s:I,s:b,s:o}",
	    "ok", st.ok,
	    "full_number", (json_int_t)st.crl[0].number,
	    "full_fresh", st.crl[0].fresh,
	    "delta_number", (json_int_t)st.crl[1].number,
	    "delta_fresh", st.crl[1].fresh,
	    "failures", (int)st.failures,
	    "retry_at", (json_int_t)st.retry_at,
	    "failing", st.error[0] != '\0',
	    "directory", dir);
	return o;
}

/*
 * /health's verdict (health.h): each check is a non-blocking look at a
 * subsystem, except the directory, which only a network round trip can
 * judge: a worker looks up a SID no directory holds (CA_ENOTFOUND means a
 * server answered) and the result comes back to the loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "ca/daemon/daemon.h"
#include "ca/daemon/health.h"
#include "common/log.h"
#include "ca/signer/signer.h"
#include "ca/store/store.h"
#include "ca/daemon/workers.h"
#include "crl/schedule.h"
#include "ldap/directory.h"

/* One directory probe in flight. */
struct health_probe {
	struct daemon *d;
	struct daemon_directory *dirs;	/* reference held for the worker */
	int rc;
	char why[CA_WHY_MAX];
};

/* Worker: a lookup that only a reachable server can answer. */
static void
probe_run(void *arg)
{
	struct health_probe *p = arg;
	struct principal who;

	p->rc = directory_lookup(p->dirs->dir, DIRECTORY_BY_SID,
	    HEALTH_DIR_PROBE_SID, &who, p->why, sizeof(p->why));
	principal_clear(&who);
	if (p->rc == CA_ENOTFOUND || p->rc == CA_OK)
		p->rc = CA_OK;
}

/* Loop: keep the result. */
static void
probe_done(void *arg)
{
	struct health_probe *p = arg;
	struct health_dir *h = &p->d->health_dir;

	h->busy = false;
	h->known = true;
	/* /health tells anyone only "unreachable": the log has the detail,
	 * once per change of state. */
	if (p->rc != CA_OK && h->rc == CA_OK)
		log_warning("health: directory unreachable: %s", p->why);
	else if (p->rc == CA_OK && h->rc != CA_OK)
		log_notice("health: directory reachable again");
	h->rc = p->rc;
	h->checked_at = ca_now();
	snprintf(h->why, sizeof(h->why), "%s", p->rc == CA_OK ? "" : p->why);
	daemon_directory_put(p->dirs);
	free(p);
}

/* Start a probe unless one runs or the last one is recent; see health.h. */
void
health_probe_directory(struct daemon *d, int64_t max_age_s)
{
	struct health_dir *h = &d->health_dir;
	struct health_probe *p;

	if (d->dirs == NULL || h->busy || d->stopping ||
	    (h->known && ca_now() - h->checked_at < max_age_s))
		return;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return;
	p->d = d;
	p->dirs = daemon_directory_get(d);
	if (workers_submit(d->workers, probe_run, probe_done, p) != CA_OK) {
		daemon_directory_put(p->dirs);
		free(p);
		return;
	}
	h->busy = true;
}

/* Append {"component": c, "reason": r}. */
static void
problem(json_t *a, const char *component, const char *reason)
{
	json_array_append_new(a, json_pack("{s:s,s:s}", "component",
	    component, "reason", reason));
}

/* Every problem now; see health.h. */
size_t
health_problems(struct daemon *d, json_t *a)
{
	char why[CA_WHY_MAX], text[CA_WHY_MAX + 64];
	int64_t now = ca_now();

	if (d->signer != NULL && !signer_up(d->signer))
		problem(a, "signer", "the signer process is down: nothing can "
		    "be signed until it restarts");
	/*
	 * /health answers anyone, on the plain-http listener too: reasons
	 * name the component and the kind of failure, never a path, URI or
	 * LDAP text (the log has those).
	 */
	if (d->store != NULL && store_write_health(d->store, why,
	    sizeof(why)) != CA_OK)
		problem(a, "store", strstr(why, "disk is full") != NULL ?
		    "store writes are failing: the disk is full" :
		    strstr(why, "max-size") != NULL ?
		    "store writes are failing: the map is at [store] max-size" :
		    "store writes are failing (see the log)");
	if (d->dirs != NULL && d->health_dir.known &&
	    d->health_dir.rc != CA_OK)
		problem(a, "directory", d->health_dir.rc == CA_ETIMEOUT ?
		    "directory unreachable: timed out (see the log)" :
		    "directory unreachable (see the log)");
	if (d->crl_full.der == NULL)
		problem(a, "crl", "no full CRL has been published");
	else if (now >= d->crl_full.next_update) {
		snprintf(text, sizeof(text), "the full CRL %llu is past its "
		    "nextUpdate (%lld s ago): relying parties reject "
		    "certificates", (unsigned long long)d->crl_full.number,
		    (long long)(now - d->crl_full.next_update));
		problem(a, "crl", text);
	}
	return json_array_size(a);
}

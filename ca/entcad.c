/*
 * entcad: the daemon's main. Loads the configuration and the CA identity,
 * opens the store, loads the templates, starts the signer process, the
 * directory pool, the worker pool and the HTTPS server, and runs the one
 * event loop until SIGTERM.
 *
 * Threads: this file's callbacks (signals, the one-second tick, CRL and
 * reload completions) run on the loop thread and never sign, call libldap,
 * commit LMDB or touch files: publication, reloads and signer restarts go
 * to the worker pool, and their results come back as completions that only
 * swap pointers.
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <gnutls/gnutls.h>

#include "common/error.h"
#include "ca/clock.h"
#include "ca/settings.h"
#include "ca/daemon.h"
#include "ca/http.h"
#include "ca/log.h"
#include "ca/signer.h"
#include "ca/tls.h"
#include "ca/templates_load.h"
#include "ca/workers.h"

#define ENTCAD_DEFAULT_CONF SYSCONFDIR "/entca/entcad.conf"
#define ENTCAD_SECRET_MAX 1024		/* bind password file */

/* Exit codes: 0 clean stop, 1 runtime failure, 2 bad configuration. */
enum { EXIT_CONFIG = 2 };

/* One CRL publication on a worker. */
struct crl_job {
	struct daemon *d;
	const struct ca_config *cfg;
	struct daemon_directory *dirs;	/* referenced for the publication */
	bool delta;
	int rc;
	char why[CA_WHY_MAX];
	struct crlpub_result res;
};

/* Worker: build, sign and publish. */
static void
crl_job_run(void *arg)
{
	struct crl_job *c = arg;
	struct daemon_crl_urls urls;
	struct crlpub p;

	daemon_crlpub_for(c->d, c->cfg, c->dirs, &p, &urls);
	c->rc = crlpub_publish(&p, c->delta, ca_now(), &c->res, c->why, sizeof(c->why));
}

static void crl_schedule(struct daemon *d);

/* Loop: swap the new CRL in; a new full CRL is followed by its delta. */
static void
crl_job_done(void *arg)
{
	struct crl_job *c = arg;
	struct daemon *d = c->d;
	struct crlpub_result *slot = c->delta ? &d->crl_delta : &d->crl_full;

	d->crl_busy = false;
	daemon_directory_put(c->dirs);
	if (c->rc != CA_OK) {
		log_error("%s CRL publication failed: %s", c->delta ? "delta" : "full", c->why);
	} else {
		log_notice("published %s CRL number %llu with %zu entries, next update in %lld s",
		    c->delta ? "delta" : "full", (unsigned long long)c->res.number,
		    c->res.entries, (long long)(c->res.next_update - c->res.this_update));
		crlpub_result_clear(slot);
		*slot = c->res;
		d->crl_retry_at = 0;
	}
	free(c);
	if (!d->stopping)
		crl_schedule(d);
}

/* Loop: queue one CRL publication unless one is running. */
void
daemon_crl_kick(struct daemon *d, bool delta)
{
	struct crl_job *c;

	if (d->crl_busy || d->stopping)
		return;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return;
	c->d = d;
	c->cfg = d->cfg;
	c->dirs = daemon_directory_get(d);
	c->delta = delta;
	if (workers_submit(d->workers, crl_job_run, crl_job_done, c) != CA_OK) {
		daemon_directory_put(c->dirs);
		free(c);
		return;
	}
	d->crl_busy = true;
}

/*
 * Loop: publish what is due. A full CRL is due when none exists or its
 * period has passed (or it is past half its life at start, which the
 * period rule covers once this_update is old); a delta when none follows
 * the current full CRL or its own period has passed. Errors wait a minute.
 */
static void
crl_schedule(struct daemon *d)
{
	int64_t now = ca_now();
	const struct ca_config *cfg = d->cfg;

	if (d->crl_busy || now < d->crl_retry_at)
		return;
	/* After a restart published_at is unknown: a CRL past half its life is due. */
	if (d->crl_full.der == NULL || (d->crl_full.published_at != 0 ?
	    now >= d->crl_full.published_at + cfg->crl_period_s :
	    crl_is_stale(d->crl_full.this_update, d->crl_full.next_update, now))) {
		d->crl_retry_at = now + 60;
		daemon_crl_kick(d, false);
		return;
	}
	if (cfg->delta_period_s > 0 &&
	    (d->crl_delta.der == NULL || d->crl_delta.base_number != d->crl_full.number ||
	    (d->crl_delta.published_at != 0 ?
	    now >= d->crl_delta.published_at + cfg->delta_period_s :
	    crl_is_stale(d->crl_delta.this_update, d->crl_delta.next_update, now)))) {
		d->crl_retry_at = now + 60;
		daemon_crl_kick(d, true);
	}
}

/* A reload on a worker: read the files there, swap on the loop. */
struct reload_job {
	struct daemon *d;
	struct daemon_cfg *cfg;
	struct daemon_templates *tpl;
	const struct ca_config *old_cfg;	/* the generation in force */
	struct tls_creds *creds;	/* the new TLS certificate, or NULL */
	bool new_dirs;			/* [directory] changed: dirs replaces */
	struct daemon_directory *dirs;
	char creds_why[CA_WHY_MAX];
	int rc;
	char why[CA_WHY_MAX];
};

/* Worker: parse the new configuration and templates. */
static void
reload_run(void *arg)
{
	struct reload_job *r = arg;

	const struct ca_config *c = &r->cfg->c;

	r->rc = config_load(r->d->cfg->path, &r->cfg->c, r->why, sizeof(r->why));
	if (r->rc == CA_OK)
		r->rc = templates_load(c->templates_dir, r->d->store, &r->tpl,
		    r->why, sizeof(r->why));
	/* A changed [directory] (a new URI, a rotated service password file
	 * name) gets a new pool; requests in flight finish on the old one. */
	if (r->rc == CA_OK && !daemon_directory_same(c, r->old_cfg)) {
		char inner[CA_WHY_MAX / 2];

		r->new_dirs = true;
		r->rc = daemon_directory_open(c, &r->dirs, inner, sizeof(inner));
		if (r->rc != CA_OK)
			snprintf(r->why, sizeof(r->why), "[directory]: %s", inner);
	}
	/* A renewed TLS certificate is read here, never on the loop. */
	if (r->rc == CA_OK && tls_creds_new(c->tls_cert, c->tls_key,
	    c->client_ca[0] ? c->client_ca : NULL, NULL, &r->creds,
	    r->creds_why, sizeof(r->creds_why)) != CA_OK)
		r->creds = NULL;
}

/* Loop: adopt the new generation, or keep the old one and say why. */
static void
reload_done(void *arg)
{
	struct reload_job *r = arg;
	struct daemon *d = r->d;
	struct daemon_templates *old;

	if (r->rc != CA_OK) {
		log_error("reload refused, the previous configuration stays in force: %s", r->why);
		tls_creds_unref(r->creds);
		daemon_templates_put(r->tpl);
		daemon_directory_put(r->dirs);
		free(r->cfg);
		free(r);
		return;
	}
	if (strcmp(r->cfg->c.listen, d->cfg->listen) != 0 ||
	    strcmp(r->cfg->c.crl_listen, d->cfg->crl_listen) != 0 ||
	    strcmp(r->cfg->c.state_dir, d->cfg->state_dir) != 0 ||
	    r->cfg->c.workers != d->cfg->workers)
		log_warning("reload: listen, crl-listen, state-dir and workers changes take effect at the next start");
	if (r->new_dirs) {
		daemon_directory_put(d->dirs);
		d->dirs = r->dirs;
		log_notice("reload: new directory pool for %s", d->dirs != NULL ?
		    r->cfg->c.dir_uris : "(none)");
	}
	if (r->creds == NULL)
		log_error("reload: TLS certificate kept: %s", r->creds_why);
	else if (http_server_take_creds(d->http, r->creds, r->cfg->c.tls_cert,
	    r->cfg->c.tls_key) != CA_OK)
		log_error("reload: TLS certificate kept: out of memory");
	r->cfg->older = d->cfgs;
	d->cfgs = r->cfg;
	__atomic_store_n(&d->cfg, &r->cfg->c, __ATOMIC_RELEASE);
	old = d->templates;
	d->templates = r->tpl;
	daemon_templates_put(old);
	log_set_level((enum log_level)d->cfg->log_level);
	log_notice("reloaded %s: %zu templates, %zu issued", d->cfg->path,
	    templates_count(d->templates), d->cfg->n_issue);
	free(r);
}

/* SIGHUP: start a reload on a worker. */
static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	struct reload_job *r = calloc(1, sizeof(*r));

	(void)sig;
	(void)what;
	if (r == NULL || (r->cfg = calloc(1, sizeof(*r->cfg))) == NULL) {
		free(r);
		log_error("reload: out of memory");
		return;
	}
	r->d = d;
	r->old_cfg = d->cfg;
	if (workers_submit(d->workers, reload_run, reload_done, r) != CA_OK) {
		free(r->cfg);
		free(r);
	}
}

/* Worker: restart the signer after SIGCHLD (forks and opens the key). */
static void
signer_restart_run(void *arg)
{
	struct daemon *d = arg;
	char why[CA_WHY_MAX];

	if (signer_check_restart(d->signer, why, sizeof(why)) != CA_OK)
		log_error("signer restart failed: %s", why);
}

/* SIGCHLD: the signer may have died. */
static void
on_chld(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)sig;
	(void)what;
	if (!d->stopping)
		workers_submit(d->workers, signer_restart_run, NULL, d);
}

/* SIGTERM/SIGINT: stop accepting, let in-flight work finish. */
static void
on_term(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	if (d->stopping)
		return;
	log_notice("signal %d: stopping; finishing %zu requests in flight", (int)sig,
	    http_server_inflight(d->http));
	d->stopping = true;
	http_server_stop_accepting(d->http);
	if (d->http_plain != NULL)
		http_server_stop_accepting(d->http_plain);
}

/* Every second: shutdown progress and the CRL schedule. */
static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)what;
	if (d->stopping) {
		if (http_server_inflight(d->http) == 0 && workers_pending(d->workers) == 0 &&
		    (d->http_plain == NULL || http_server_inflight(d->http_plain) == 0) &&
		    !d->crl_busy)
			event_base_loopexit(d->base, NULL);
		return;
	}
	crl_schedule(d);
}

/* Write the pid file (0644) when configured. */
static void
write_pid_file(const char *path)
{
	FILE *f;

	if (path[0] == '\0')
		return;
	f = fopen(path, "w");
	if (f == NULL) {
		log_warning("pid file %s: %s", path, strerror(errno));
		return;
	}
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
}

/* The owner that hand_over() gives every file of the state folder. */
static uid_t handover_uid;
static gid_t handover_gid;

/* nftw callback: chown one entry (links themselves, never their targets). */
static int
handover_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return lchown(path, handover_uid, handover_gid) == 0 ? 0 : -1;
}

/*
 * Root only: give the state folder to user, then become user. The whole
 * folder, key included, because a signer restarted after the drop opens
 * the key as that user (the CA service account owns its key, as AD CS's
 * service does); the templates folder only needs to be readable by it.
 */
static int
drop_privileges(const char *user, const char *state_dir, char *why, size_t whylen)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return CA_OK;
	if (user[0] == '\0') {
		log_warning("running as root: set [ca] user to an unprivileged account");
		return CA_OK;
	}
	pw = getpwnam(user);
	if (pw == NULL)
		return ca_why(why, whylen, CA_ECONFIG, "[ca] user %s: no such user", user);
	handover_uid = pw->pw_uid;
	handover_gid = pw->pw_gid;
	if (nftw(state_dir, handover_one, 16, FTW_PHYS) != 0)
		return ca_why(why, whylen, CA_EIO, "%s: cannot hand over to %s: %s",
		    state_dir, user, strerror(errno));
	if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
		return ca_why(why, whylen, CA_EIO, "cannot drop to user %s: %s", user, strerror(errno));
	log_info("running as %s; %s belongs to it", user, state_dir);
	return CA_OK;
}

/* Print the command line. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: entcad [-f] [-d] [-t] [-c FILE] | --version\n"
	    "  -c FILE  configuration (default " ENTCAD_DEFAULT_CONF ")\n"
	    "  -f       stay in the foreground, log to stderr\n"
	    "  -d       debug logging\n"
	    "  -t       check the configuration and templates, then exit\n");
}

/* Set everything up, run the loop, tear down. */
static int
run(struct daemon *d, bool foreground, bool check_only)
{
	struct http_config hc;
	char why[CA_WHY_MAX];
	const struct ca_config *c = d->cfg;
	int rc, ret = 1;

	if (!foreground && daemon(0, 0) != 0) {
		log_error("daemon: %s", strerror(errno));
		return 1;
	}
	rc = daemon_open(d, check_only ? DAEMON_OPEN_CHECK : DAEMON_OPEN_ALL, why, sizeof(why));
	if (rc != CA_OK) {
		log_error("%s", why);
		return rc == CA_ECONFIG || rc == CA_ENOTFOUND || rc == CA_EPARSE ||
		    rc == CA_EPOLICY || rc == CA_EEXIST ? EXIT_CONFIG : 1;
	}
	if (check_only) {
		printf("%s: configuration OK, %zu templates\n", c->path, templates_count(d->templates));
		return 0;
	}
	evthread_use_pthreads();
	d->base = event_base_new();
	if (d->base == NULL || workers_new(d->base, c->workers, &d->workers) != CA_OK) {
		log_error("cannot start the event loop and workers");
		return 1;
	}
	memset(&hc, 0, sizeof(hc));
	hc.listen = c->listen;
	hc.cert_file = c->tls_cert;
	hc.key_file = c->tls_key;
	hc.client_ca_file = c->client_ca[0] ? c->client_ca : NULL;
	hc.body_max = c->max_body;
	hc.body_timeout_ms = c->timeout_s * 1000;
	hc.header_timeout_ms = c->timeout_s * 1000 < HTTP_HEADER_TIMEOUT_MS ?
	    c->timeout_s * 1000 : HTTP_HEADER_TIMEOUT_MS;
	rc = http_server_new(d->base, &hc, daemon_handle, d, &d->http, why, sizeof(why));
	if (rc != CA_OK) {
		log_error("https: %s", why);
		ret = rc == CA_ECONFIG ? EXIT_CONFIG : 1;
		goto out;
	}
	if (c->crl_listen[0] != '\0') {
		struct http_config pc;

		memset(&pc, 0, sizeof(pc));
		pc.listen = c->crl_listen;
		pc.plain = true;
		pc.body_max = 1024;
		rc = http_server_new(d->base, &pc, daemon_handle_plain, d, &d->http_plain,
		    why, sizeof(why));
		if (rc != CA_OK) {
			log_error("crl-listen: %s", why);
			ret = rc == CA_ECONFIG ? EXIT_CONFIG : 1;
			goto out;
		}
	}
	rc = drop_privileges(c->user, c->state_dir, why, sizeof(why));
	if (rc != CA_OK) {
		log_error("%s", why);
		goto out;
	}
	write_pid_file(c->pid_file);
	d->ev_term = evsignal_new(d->base, SIGTERM, on_term, d);
	d->ev_int = evsignal_new(d->base, SIGINT, on_term, d);
	d->ev_hup = evsignal_new(d->base, SIGHUP, on_hup, d);
	d->ev_chld = evsignal_new(d->base, SIGCHLD, on_chld, d);
	d->ev_tick = event_new(d->base, -1, EV_PERSIST, on_tick, d);
	{
		struct timeval one = { 1, 0 };

		evsignal_add(d->ev_term, NULL);
		evsignal_add(d->ev_int, NULL);
		evsignal_add(d->ev_hup, NULL);
		evsignal_add(d->ev_chld, NULL);
		event_add(d->ev_tick, &one);
	}
	d->started_at = ca_now();
	log_notice("entcad %s: CA %s, %zu templates (%zu issued), https://%s/, directory %s",
	    PACKAGE_VERSION, c->name, templates_count(d->templates), c->n_issue,
	    c->listen, d->dirs != NULL ? c->dir_uris : "(none)");
	crl_schedule(d);
	event_base_dispatch(d->base);
	log_notice("stopped");
	ret = 0;
out:
	if (c->pid_file[0] != '\0' && ret == 0)
		unlink(c->pid_file);
	return ret;
}

/* Parse options and the configuration, run, tear down. */
int
main(int argc, char **argv)
{
	static struct daemon d;
	const char *conf = ENTCAD_DEFAULT_CONF;
	bool foreground = false, debug = false, check = false;
	char why[CA_WHY_MAX];
	int opt, rc;

	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};

	while ((opt = getopt_long(argc, argv, "c:fdth", longopts, NULL)) != -1) {
		switch (opt) {
		case 'V': printf("entcad %s\n", PACKAGE_VERSION); return 0;
		case 'c': conf = optarg; break;
		case 'f': foreground = true; break;
		case 'd': debug = true; break;
		case 't': check = true; foreground = true; break;
		default: usage(); return opt == 'h' ? 0 : EXIT_CONFIG;
		}
	}
	d.cfgs = calloc(1, sizeof(*d.cfgs));
	if (d.cfgs == NULL)
		return 1;
	d.cfg = &d.cfgs->c;
	rc = config_load(conf, d.cfg, why, sizeof(why));
	if (rc != CA_OK) {
		fprintf(stderr, "entcad: %s\n", why);
		free(d.cfgs);
		return EXIT_CONFIG;
	}
	log_init("entcad", debug ? LOG_LEVEL_DEBUG : (enum log_level)d.cfg->log_level,
	    d.cfg->log_syslog || !foreground);
	signal(SIGPIPE, SIG_IGN);
	gnutls_global_init();
	rc = run(&d, foreground, check);
	daemon_close(&d);
	gnutls_global_deinit();
	return rc;
}

/*
 * entcad: the daemon's main. Loads the configuration and the CA identity,
 * opens the store, loads the templates, starts the signer process, the
 * directory pool, the worker pool and the HTTPS server, and runs the one
 * event loop until SIGTERM.
 *
 * Threads: this file's callbacks (signals, the one-second tick, reload
 * completions; the CRL state machine is ca/daemon/crl_daemon.c) run on the loop thread and never sign, call libldap,
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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <gnutls/gnutls.h>

#include "common/error.h"
#include "common/clock.h"
#include "ca/daemon/settings.h"
#include "ca/daemon/daemon.h"
#include "ca/daemon/control.h"
#include "ca/daemon/dircheck.h"
#include "ca/daemon/health.h"
#include "ca/http/http.h"
#include "ca/signer/keyfile.h"
#include "common/log.h"
#include "ca/signer/secrets.h"
#include "ca/signer/signer.h"
#include "ca/store/store.h"
#include "ca/store/store_audit.h"
#include "ca/http/tls.h"
#include "ca/daemon/templates_load.h"
#include "ca/daemon/workers.h"
#include "ca/ocsp/ocsp.h"
#include "ldap/directory.h"

#define ENTCAD_DEFAULT_CONF SYSCONFDIR "/entca/entcad.conf"
#define ENTCAD_SECRET_MAX 1024		/* bind password file */

/* Exit codes: 0 clean stop, 1 runtime failure, 2 bad configuration. */
enum { EXIT_CONFIG = 2 };

/* A reload on a worker: read the files there, swap on the loop. */
struct reload_job {
	struct daemon *d;
	struct daemon_cfg *cfg;
	struct daemon_templates *tpl;
	const struct ca_config *old_cfg;	/* the generation in force */
	struct tls_creds *creds;	/* the new TLS certificate, or NULL */
	bool new_dirs;			/* [directory] changed: dirs replaces */
	struct daemon_directory *dirs;
	struct daemon_directory *cur_dirs;	/* the pool in force (a reference) */
	char creds_why[CA_WHY_MAX];
	int rc;
	char why[CA_WHY_MAX];
	daemon_reload_done_cb done;	/* who waits for the outcome, or NULL */
	void *done_arg;
	char who[96];			/* who asked: "SIGHUP", "local:<user>"... */
};

#ifdef ENTCA_TEST_HOOKS
/*
 * Test builds: with $ENTCA_TEST_RELOAD_GATE naming a file, a reload waits
 * (on its worker, at most 60 s) until that file exists before it reads
 * anything, so a test can act while a reload is known to be pending.
 */
static void
reload_hook_gate(void)
{
	const char *gate = getenv("ENTCA_TEST_RELOAD_GATE");
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	if (gate == NULL)
		return;
	log_notice("test hook: reload held until %s exists", gate);
	for (int i = 0; i < 6000 && access(gate, F_OK) != 0; i++)
		nanosleep(&tick, NULL);
}
#else
/* Installed builds: no hook, nothing read from the environment. */
static void reload_hook_gate(void) {}
#endif

/* Worker: parse the new configuration and templates. */
static void
reload_run(void *arg)
{
	struct reload_job *r = arg;

	const struct ca_config *c = &r->cfg->c;

	reload_hook_gate();
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
	/*
	 * The new allow/deny lines against the directory: an unresolvable
	 * deny refuses the reload. A directory that does not answer now only
	 * warns (requests fail with 503 until it does).
	 */
	if (r->rc == CA_OK) {
		struct daemon_directory *x = r->new_dirs ? r->dirs : r->cur_dirs;
		char inner[CA_WHY_MAX / 2];
		int rc = dircheck_run(c, r->tpl, x != NULL ? x->dir : NULL, inner,
		    sizeof(inner));

		if (rc == CA_EUNAVAIL || rc == CA_ETIMEOUT)
			log_warning("reload: allow/deny lines not checked against "
			    "the directory: %s", inner);
		else if (rc != CA_OK) {
			r->rc = rc;
			snprintf(r->why, sizeof(r->why), "%s", inner);
		}
	}
	/* A renewed TLS certificate is read here, never on the loop. */
	if (r->rc == CA_OK && tls_creds_new(c->tls_cert, c->tls_key,
	    c->client_ca[0] ? c->client_ca : NULL, NULL, &r->creds,
	    r->creds_why, sizeof(r->creds_why)) != CA_OK)
		r->creds = NULL;
}

/* An audit event the loop writes without waiting for its commit. */
struct reload_audit {
	struct store_job job;
	char *json;
};

/* Writer: append the event. */
static int
reload_audit_apply(struct store_wtxn *w, void *arg)
{
	struct reload_audit *a = arg;

	return store_w_audit(w, a->json, NULL);
}

/* Writer, after the commit: a lost event is logged, then freed. */
static void
reload_audit_done(int rc, void *arg)
{
	struct reload_audit *a = arg;

	if (rc != CA_OK)
		log_error("audit: event not recorded: %s: %s", a->job.why, a->json);
	free(a->json);
	free(a);
}

/* Queue one audit event from the loop (the writer commits it). */
static void
reload_audit(struct daemon *d, const char *who, const char *action,
    const char *decision, const char *reason, ...)
{
	struct reload_audit *a = calloc(1, sizeof(*a));
	va_list ap;

	if (a == NULL)
		return;
	va_start(ap, reason);
	a->json = store_audit_json(ca_now(), who, "", action, decision, reason, ap);
	va_end(ap);
	a->job.apply = reload_audit_apply;
	a->job.done = reload_audit_done;
	a->job.arg = a;
	if (a->json == NULL || store_submit(d->store, &a->job) != CA_OK) {
		log_error("audit: %s event not recorded (store queue)", action);
		free(a->json);
		free(a);
	}
}

/* The issue list and [security] lines of c as text, for the audit. */
static void
reload_lists(const struct ca_config *c, char *issue, size_t ilen, char *sec,
    size_t slen)
{
	size_t n = 0;

	issue[0] = sec[0] = '\0';
	for (size_t i = 0; i < c->n_issue && n < ilen; i++)
		n += (size_t)snprintf(issue + n, ilen - n, "%s%s", i ? ", " : "",
		    c->issue_templates[i]);
	n = 0;
	for (size_t i = 0; i < c->n_aces && n < slen; i++)
		n += (size_t)snprintf(sec + n, slen - n, "%s%s %s 0x%x", i ? "; " : "",
		    c->aces[i].deny ? "deny" : "allow", c->aces[i].principal,
		    (unsigned)c->aces[i].rights);
}

/*
 * Audit what a reload changed: the reload itself, each template issued
 * or unissued, and the CA's [security] lines when they differ.
 */
static void
reload_audit_changes(struct daemon *d, const char *who,
    const struct ca_config *old, const struct ca_config *now)
{
	char oi[1024], ni[1024], os[4096], ns[4096], nt[32];

	reload_lists(old, oi, sizeof(oi), os, sizeof(os));
	reload_lists(now, ni, sizeof(ni), ns, sizeof(ns));
	snprintf(nt, sizeof(nt), "%zu", templates_count(d->templates));
	reload_audit(d, who, "config-reload", "done", "", "config", now->path,
	    "templates", nt, "issue_templates", ni, NULL);
	for (size_t i = 0; i < now->n_issue; i++)
		if (!config_issues_template(old, now->issue_templates[i]))
			reload_audit(d, who, "template-issue", "done", "",
			    "template", now->issue_templates[i], NULL);
	for (size_t i = 0; i < old->n_issue; i++)
		if (!config_issues_template(now, old->issue_templates[i]))
			reload_audit(d, who, "template-unissue", "done", "",
			    "template", old->issue_templates[i], NULL);
	if (strcmp(os, ns) != 0)
		reload_audit(d, who, "ca-security", "done", "", "before", os,
		    "after", ns, NULL);
}

/* Loop: adopt the new generation, or keep the old one and say why. */
static void
reload_done(void *arg)
{
	struct reload_job *r = arg;
	struct daemon *d = r->d;

	daemon_directory_put(r->cur_dirs);
	if (r->rc != CA_OK) {
		log_error("reload refused, the previous configuration stays in force: %s", r->why);
		reload_audit(d, r->who, "config-reload", "refused", r->why,
		    "config", d->cfg->path, NULL);
		if (r->done != NULL)
			r->done(d, r->done_arg, r->rc, r->why);
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
	if (r->new_dirs)
		log_notice("reload: new directory pool for %s", r->dirs != NULL ?
		    r->cfg->c.dir_uris : "(none)");
	if (r->creds == NULL)
		log_error("reload: TLS certificate kept: %s", r->creds_why);
	else if (http_server_take_creds(d->http, r->creds, r->cfg->c.tls_cert,
	    r->cfg->c.tls_key) != CA_OK)
		log_error("reload: TLS certificate kept: out of memory");
	r->cfg->older = d->cfgs;
	d->cfgs = r->cfg;
	/* The one swap: configuration, templates and pool together. */
	daemon_gen_adopt(d, &r->cfg->c, r->tpl, r->new_dirs ? r->dirs :
	    daemon_directory_get(d));
	log_set_level((enum log_level)d->cfg->log_level);
	log_set_json(d->cfg->log_json);
	log_notice("reloaded %s: %zu templates, %zu issued", d->cfg->path,
	    templates_count(d->templates), d->cfg->n_issue);
	reload_audit_changes(d, r->who, r->old_cfg, d->cfg);
	{
		char text[CA_WHY_MAX], issue[1024], sec[16];

		reload_lists(d->cfg, issue, sizeof(issue), sec, sizeof(sec));
		snprintf(text, sizeof(text), "reloaded %.200s: %zu templates, issuing %.200s",
		    d->cfg->path, templates_count(d->templates),
		    issue[0] != '\0' ? issue : "none");
		if (r->done != NULL)
			r->done(d, r->done_arg, CA_OK, text);
	}
	free(r);
	/* The CRLs are re-read from the store too (a host `entca crl
	 * publish`), and failed steps are retried now. */
	daemon_crl_reload(d);
}

/*
 * Loop: what the HTTP layer answered or dropped on its own. Refusals
 * (400 smuggling attempts, 413, 414, 431, 501, 505) and failed handshakes
 * are logged at info with the peer and the reason, like every other
 * refusal; log_msg escapes what the client put in the reason.
 */
static void
on_http_event(enum http_event ev, const char *peer, int status,
    const char *detail, void *arg)
{
	(void)arg;
	if (ev == HTTP_EVENT_REFUSED)
		log_info("- (not parsed) from %s: %d %s", peer, status, detail);
	else if (ev == HTTP_EVENT_TLS_FAILED)
		log_info("- TLS handshake from %s refused: %s", peer, detail);
	else if (ev == HTTP_EVENT_LIMIT)	/* at most one per HTTP_LIMIT_REPORT_MS */
		log_warning("http: connection from %s refused: %s", peer, detail);
	else
		log_debug("%s from %s: %s", http_event_name(ev), peer, detail);
}

/*
 * daemon.reload: start a reload on a worker for who; done(arg) hears the
 * outcome on the loop (NULL for SIGHUP). CA_OK when it runs.
 */
static int
reload_start(struct daemon *d, const char *who, daemon_reload_done_cb done,
    void *arg)
{
	struct reload_job *r = calloc(1, sizeof(*r));

	if (r == NULL || (r->cfg = calloc(1, sizeof(*r->cfg))) == NULL) {
		free(r);
		log_error("reload: out of memory");
		return CA_ENOMEM;
	}
	r->done = done;
	r->done_arg = arg;
	snprintf(r->who, sizeof(r->who), "%s", who);
	r->d = d;
	r->old_cfg = d->cfg;
	r->cur_dirs = daemon_directory_get(d);
	/*
	 * SIGHUP is how an administrator says "the directory changed": cached
	 * authentications and lookups go now, not cache-ttl seconds later.
	 */
	if (r->cur_dirs != NULL) {
		directory_cache_clear(r->cur_dirs->dir);
		log_notice("%s: directory cache cleared", who);
	}
	if (workers_submit(d->workers, reload_run, reload_done, r) != CA_OK) {
		daemon_directory_put(r->cur_dirs);
		free(r->cfg);
		free(r);
		return CA_EUNAVAIL;
	}
	return CA_OK;
}

/* SIGHUP: start a reload on a worker. */
static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	reload_start(arg, "SIGHUP", NULL, NULL);
}

/* Worker: restart the signer after SIGCHLD (forks and opens the key). */
static void
signer_restart_run(void *arg)
{
	struct daemon *d = arg;
	struct signer_status st;
	char why[CA_WHY_MAX], death[CA_WHY_MAX];
	int rc;

	rc = signer_check_restart(d->signer, why, sizeof(why));
	if (signer_take_death(d->signer, death, sizeof(death))) {
		signer_get_status(d->signer, &st);
		if (rc == CA_OK)
			log_error("%s; restarted as pid %d", death, (int)st.pid);
		else
			log_error("%s; restart failed: %s", death, why);
	} else if (rc != CA_OK)
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

/* Seconds without a request before idle_trim gives memory back. */
#define IDLE_TRIM_S 10

/* Worker: the map's file pages and the heap's free pages back to the OS. */
static void
idle_trim_run(void *arg)
{
	struct daemon *d = arg;
	char why[CA_WHY_MAX];

	if (store_release_pages(d->store, why, sizeof(why)) != CA_OK)
		log_warning("%s", why);
	malloc_trim(0);
}

/*
 * Loop, every second: once nothing was answered or in flight for
 * IDLE_TRIM_S seconds, release memory once (until the next request). A
 * busy entcad keeps its pages: the release only costs page faults later.
 */
static void
idle_trim(struct daemon *d)
{
	static uint64_t last;
	static unsigned quiet;
	static bool done;
	uint64_t n = d->served + d->failed;

	/*
	 * Requests only: background jobs (CRL sync, OCSP key roll) may run
	 * meanwhile; releasing pages under them only costs them faults.
	 */
	if (n != last || http_server_inflight(d->http) != 0 ||
	    (d->http_plain != NULL && http_server_inflight(d->http_plain) != 0)) {
		last = n;
		quiet = 0;
		done = false;
		return;
	}
	if (done || ++quiet < IDLE_TRIM_S)
		return;
	done = true;
	workers_submit(d->workers, idle_trim_run, NULL, d);
}

/* Every second: shutdown progress, the CRL schedule, the directory probe. */
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
	daemon_crl_tick(d);
	health_probe_directory(d, HEALTH_DIR_PROBE_S);
	ocsp_tick(d);
	idle_trim(d);
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

static struct secrets_files sfiles;

/* nftw callback: chown one entry (links themselves, never their targets). */
static int
handover_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	/* The signer's files keep the owners secrets_prepare gave them. */
	if (ftw->level == 0 || secrets_is_signers(&sfiles, path))
		return 0;
	return lchown(path, handover_uid, handover_gid) == 0 ? 0 : -1;
}

/* The network process: no core files, not dumpable, not traceable. */
static void
no_core_dumps(void)
{
	struct rlimit nocore = { 0, 0 };

	setrlimit(RLIMIT_CORE, &nocore);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/*
 * Root only: give the state folder to user, then become user. The key
 * file, its password file and ca.json keep the signer's ownership
 * (secrets_prepare); everything else (the store, TLS key, CRLs) is the
 * network process's; the templates folder only needs to be readable by it.
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
	/* A change of credentials resets the dumpable flag: set it again. */
	no_core_dumps();
	log_info("running as %s; %s belongs to it", user, state_dir);
	return CA_OK;
}

/* Say in the log what keeps the key from the network process, and what not. */
static void
log_isolation(struct daemon *d)
{
	const struct ca_config *c = d->cfg;
	struct signer_status st;
	const char *key = sfiles.file_key ? sfiles.loc.path : "the PKCS#11 token";
	char guards[256];

	signer_get_status(d->signer, &st);
	snprintf(guards, sizeof(guards), "%s%s%s%s",
	    st.info.no_caps ? ", no capabilities" : ", CAPABILITIES KEPT",
	    st.info.no_new_privs ? ", no-new-privs" : "",
	    st.info.seccomp ? ", seccomp filter" : ", NO SECCOMP FILTER",
	    st.info.netns ? ", no network" : "");
	if (!sfiles.root) {
		log_warning("isolation: started as uid %u, not root: the signer "
		    "(pid %d%s) runs as the same user as the network process, "
		    "which can therefore open %s; in force: the key only in the "
		    "signer's memory, not dumpable, no core files; not in force: "
		    "a separate signer account. Start entcad as root with [ca] "
		    "user and [ca] signer-user for that.", (unsigned)geteuid(),
		    (int)st.pid, guards, key);
	} else if (c->user[0] == '\0') {
		log_warning("isolation: the signer (pid %d) runs as %s%s, but the "
		    "network process stays root and can open %s: set [ca] user",
		    (int)st.pid, c->signer_user, guards, key);
	} else {
		log_notice("isolation: the network process runs as %s and cannot "
		    "open %s; the signer (pid %d) runs as %s%s; its launcher "
		    "(pid %d) too", c->user, key, (int)st.pid, c->signer_user,
		    guards, (int)st.launcher);
	}
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

/*
 * The event loop's base. epoll's changelist folds the del-then-add a
 * connection does around every request (read interest dropped to write
 * the answer, taken again to wait for the next one) into no syscall at
 * all within one loop turn; without it each is an epoll_ctl, and on a
 * virtual machine syscalls are most of a keep-alive request's cost. Safe
 * here: entcad never hands libevent a dup()ed descriptor.
 */
static struct event_base *
loop_base_new(void)
{
	struct event_config *ec = event_config_new();
	struct event_base *b;

	if (ec == NULL)
		return NULL;
	event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	b = event_base_new_with_config(ec);
	event_config_free(ec);
	return b;
}

/*
 * What both listeners (https, and plain http for CRLs, OCSP and SCEP)
 * share: the address, the connection limits, the event and done hooks,
 * and the prefix of their request ids.
 */
static void
listener_config(struct http_config *hc, const struct ca_config *c,
    const char *listen, const char *id_prefix)
{
	memset(hc, 0, sizeof(*hc));
	hc->listen = listen;
	hc->max_connections = c->max_connections;
	hc->max_per_source = c->max_conn_per_source;
	hc->handshake_timeout_ms = c->handshake_timeout_s * 1000;
	hc->event_cb = on_http_event;
	hc->done_cb = metrics_done;
	hc->request_id_prefix = id_prefix;
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
	rc = secrets_prepare(c, check_only, &sfiles, why, sizeof(why));
	if (rc != CA_OK) {
		log_error("%s", why);
		return EXIT_CONFIG;
	}
	rc = daemon_open(d, check_only ? DAEMON_OPEN_CHECK : DAEMON_OPEN_SERVE, why, sizeof(why));
	if (rc != CA_OK) {
		log_error("%s", why);
		return rc == CA_ECONFIG || rc == CA_ENOTFOUND || rc == CA_EPARSE ||
		    rc == CA_EPOLICY || rc == CA_EEXIST ? EXIT_CONFIG : 1;
	}
	/*
	 * Every allow/deny line against the directory, and what the service
	 * account can read: a deny that matches nobody must not start.
	 */
	if (c->directory_enabled) {
		struct daemon_directory *x = d->dirs;

		rc = x == NULL ? daemon_directory_open(c, &x, why, sizeof(why)) : CA_OK;
		if (rc == CA_OK)
			rc = dircheck_run(c, d->templates, x->dir, why, sizeof(why));
		if (x != d->dirs)
			daemon_directory_put(x);
		if (rc != CA_OK) {
			log_error("%s", why);
			return rc == CA_ECONFIG ? EXIT_CONFIG : 1;
		}
	}
	if (check_only) {
		printf("%s: configuration OK, %zu templates\n", c->path, templates_count(d->templates));
		return 0;
	}
	evthread_use_pthreads();
	d->base = loop_base_new();
	if (d->base == NULL || workers_new(d->base, c->workers, &d->workers) != CA_OK) {
		log_error("cannot start the event loop and workers");
		return 1;
	}
	/* The OCSP responder's first signing certificate, before serving. */
	ocsp_first_key_wait(d->ocsp);
	listener_config(&hc, c, c->listen, "t");
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

		listener_config(&pc, c, c->crl_listen, "p");
		pc.plain = true;
		/* OCSP POSTs (413 above their limit) and SCEP's PKIOperation
		 * (NDES is plain http) come here too. */
		pc.body_max = 1024;
		if (c->ocsp_enabled && c->ocsp_max_request + 1 > pc.body_max)
			pc.body_max = c->ocsp_max_request + 1;
		if (c->scep_enabled && c->max_body > pc.body_max)
			pc.body_max = c->max_body;
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
	log_isolation(d);
	write_pid_file(c->pid_file);
	/* `entca` reaches the daemon here to have changes applied at once. */
	d->reload = reload_start;
	rc = control_open(d, c->state_dir, &d->control, why, sizeof(why));
	if (rc != CA_OK) {
		log_error("%s", why);
		ret = rc == CA_EEXIST ? EXIT_CONFIG : 1;
		goto out;
	}
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
	daemon_crl_tick(d);
	/* What start freed (parsed configuration, libldap's unused default TLS
	 * context) goes back to the OS rather than idling in the heap. */
	malloc_trim(0);
	/* A signer that died before SIGCHLD was watched (at the OCSP set-up's
	 * first signature): logged and restarted like any later death. */
	workers_submit(d->workers, signer_restart_run, NULL, d);
	event_base_dispatch(d->base);
	control_close(d->control);
	d->control = NULL;
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
	/*
	 * entcad binds to the directory with simple binds only. At its first
	 * use libldap starts Cyrus SASL, which loads every mechanism plugin
	 * it finds (and with them libcrypto and libdb: ~2 MB resident), none
	 * of which entcad calls: an empty plugin path loads none. Set before
	 * any thread starts; nothing here execs, so no child sees it.
	 */
	setenv("SASL_PATH", "", 1);
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
	log_set_json(d.cfg->log_json);
	signal(SIGPIPE, SIG_IGN);
	/* Before any secret is read: a core would hold passwords. */
	no_core_dumps();
	gnutls_global_init();
	rc = run(&d, foreground, check);
	daemon_close(&d);
	gnutls_global_deinit();
	return rc;
}

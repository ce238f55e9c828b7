/*
 * The running daemon: one struct that holds the configuration and every
 * subsystem (store, signer, directory, templates, worker pool, HTTPS
 * server, CRL state). entcad.c creates it; the request handlers (est.c,
 * api.c, serve.c) and the CRL scheduler read it.
 *
 * Threads: fields are set up before the loop starts and only replaced on
 * the loop thread (SIGHUP reload, CRL publication completions). Workers get
 * what they need copied into their job, or use the thread-safe subsystems
 * (store, directory, signer key), never the loop-owned fields.
 */
#ifndef ENTCA_CA_DAEMON_H
#define ENTCA_CA_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include <gnutls/abstract.h>

#include "ca/daemon/settings.h"
#include "ca/issue/crl_publish.h"
#include "ca/daemon/crl_daemon.h"
#include "ca/daemon/health.h"
#include "ca/daemon/metrics.h"

struct event;
struct event_base;
struct workers;
struct store;
struct signer;
struct ca_identity;
struct directory;
struct template_set;
struct http_server;
struct http_request;
struct daemon_control;
struct ocsp;
struct daemon_prev;
struct scep_ra;

/* The directory pool shared with workers; a SIGHUP may replace it. */
struct daemon_directory {
	struct directory *dir;
	int refs;			/* atomic */
};

/* A template set shared with workers: freed when the last user lets go. */
struct daemon_templates {
	struct template_set *set;
	int refs;			/* atomic */
};

/* A configuration generation; workers keep the one their job started with. */
struct daemon_cfg {
	struct ca_config c;
	struct daemon_cfg *older;	/* retired generations, freed at exit */
};

/*
 * One generation: everything a request reads, as it was when the request
 * began. A reload (SIGHUP) builds the next configuration, template set
 * and directory pool on a worker and swaps all three at once on the loop
 * (daemon_gen_adopt); a job holds one reference on its generation, so a
 * swap never frees what a request in flight reads, and a request never
 * sees the new templates with the old configuration. The store, the CA
 * key and the identity are the same in every generation (they live as
 * long as the process) and are here so that handlers never reach into
 * struct daemon.
 */
struct daemon_gen {
	int refs;				/* atomic */
	const struct ca_config *cfg;		/* kept until exit (d->cfgs) */
	struct daemon_templates *tpl;		/* one reference */
	struct daemon_directory *dirs;		/* one reference, or NULL */
	struct store *store;
	gnutls_privkey_t key;			/* NULL before the signer runs */
	const struct ca_identity *id;
};

/*
 * The outcome of a reload asked for through daemon.reload: rc CA_OK with
 * what is now in force, or the refusal's why (loop thread).
 */
typedef void (*daemon_reload_done_cb)(struct daemon *d, void *arg, int rc,
    const char *text);

struct daemon {
	struct ca_config *cfg;		/* current generation (loop swaps it) */
	struct daemon_cfg *cfgs;
	struct event_base *base;
	struct workers *workers;
	struct store *store;
	struct signer *signer;
	gnutls_privkey_t key;		/* external: signs through the signer */
	struct ca_identity *id;
	struct daemon_directory *dirs;	/* NULL when [directory] is absent */
	struct daemon_templates *templates;
	struct daemon_gen *gen;		/* the generation of the fields above,
					   made on first use after a swap */
	struct http_server *http;
	struct http_server *http_plain;	/* CRLs and the CA certificate over http */

	unsigned char *cacerts_p7;	/* certs-only PKCS#7 of the chain, DER */
	size_t cacerts_p7_len;

	struct crlpub_result crl_full;	/* loop-owned, served at /crl/ */
	struct crlpub_result crl_delta;
	bool crl_busy;			/* a publication is on a worker */
	int64_t crl_retry_at;		/* after a failure, wait until then */
	struct daemon_crl crl;		/* the CRL state machine (crl_daemon.h) */

	struct event *ev_term, *ev_int, *ev_hup, *ev_chld, *ev_tick;
	bool stopping;
	int64_t started_at;
	uint64_t served, failed;
	struct health_dir health_dir;	/* loop-owned: last directory probe */
	struct daemon_metrics metrics;	/* loop-owned: /metrics counters */
	struct daemon_control *control;	/* the control socket (control.h) */
	/*
	 * Called on the loop after each CRL sync finishes; set by control.c
	 * (entca waits there for the CRL now served). A hook, so the CRL
	 * schedule does not call back into the control socket that calls it.
	 */
	void (*on_crl_synced)(struct daemon *d);
	uint64_t crl_syncs_started;	/* CRL jobs started, finished (loop) */
	uint64_t crl_syncs_done;
	struct ocsp *ocsp;		/* the OCSP responder, NULL when off */
	struct daemon_prev *prev;	/* a renewed CA's history (ca_previous.h) */
	struct scep_ra *scep;		/* SCEP RA (ca/scep/scep_ra.h), or NULL */
	/*
	 * Re-read the configuration files now, for who (the audit log's
	 * name). CA_OK: done(d, arg, ...) is called exactly once, on the loop,
	 * when the new generation is in force or refused; it may be called
	 * before reload returns (the tool asks a running entcad and waits).
	 * Otherwise done is never called. entcad reads on a worker and swaps
	 * on the loop; the tool asks entcad over the control socket; NULL
	 * where nothing can be reloaded.
	 */
	int (*reload)(struct daemon *d, const char *who,
	    daemon_reload_done_cb done, void *arg);
};

enum daemon_open_what {
	DAEMON_OPEN_CHECK = 0,	/* identity, store, templates: entcad -t */
	DAEMON_OPEN_ALL,	/* and directory, signer, cacerts, last CRLs */
	DAEMON_OPEN_SERVE,	/* and the OCSP responder (entcad): its first key
				   is made in the signer while the rest opens;
				   ocsp_first_key_wait before serving */
	DAEMON_OPEN_COUNT
};

/*
 * Open the subsystems of d (whose cfg is loaded) as `what` says. Returns
 * CA_OK or the first failure with why naming it. Free with daemon_close
 * even after a failure. Blocking; before any loop runs.
 */
int daemon_open(struct daemon *d, unsigned what, char *why, size_t whylen);

/* Close everything daemon_open and the loop set up, in reverse order. */
void daemon_close(struct daemon *d);

/*
 * Take a reference on the current template set (any thread that got the
 * pointer from the loop); release with daemon_templates_put.
 */
struct daemon_templates *daemon_templates_get(struct daemon *d);
void daemon_templates_put(struct daemon_templates *t);

/*
 * A reference on the current generation (loop thread, or the tool's only
 * thread); NULL only on allocation failure. Release with daemon_gen_put
 * from any thread; daemon_gen_ref adds a reference to one already held.
 */
struct daemon_gen *daemon_gen_get(struct daemon *d);
struct daemon_gen *daemon_gen_ref(struct daemon_gen *g);
void daemon_gen_put(struct daemon_gen *g);

/*
 * The one swap of a reload (loop thread): cfg (in d->cfgs), the template
 * set tpl and the directory pool dirs (NULL: none) become current
 * together. Takes the caller's references on tpl and dirs; a dirs equal
 * to the current pool keeps it (the caller's reference is dropped).
 */
void daemon_gen_adopt(struct daemon *d, struct ca_config *cfg,
    struct daemon_templates *tpl, struct daemon_directory *dirs);

/* The HTTP entry point: route req to EST, the API or static content. */
void daemon_handle(struct http_request *req, void *arg);

/* The plain-HTTP entry point: CRLs, the CA certificate, /health only. */
void daemon_handle_plain(struct http_request *req, void *arg);

/*
 * The router's entry for the entca tool on the CA host (serve.c): run one
 * management API call (rest is the path after /api/v1/, json_body may be
 * NULL) in this thread as the local administrator who, so the tool needs
 * no API header. Returns the HTTP status; *out (malloc'd, may be NULL)
 * gets the response body.
 */
int daemon_handle_local(struct daemon *d, const char *who, const char *rest,
    const char *json_body, char **out);

/*
 * As daemon_handle_local for any method: path is after /api/v1/ with its
 * query, accept the media type asked for (NULL: JSON). *out and *out_len
 * get the body (malloc'd). Returns the HTTP status.
 */
int daemon_handle_local_call(struct daemon *d, const char *who,
    const char *method, const char *path, const char *accept,
    const char *json_body, char **out, size_t *out_len);

/*
 * Fill the crlpub parameters from the daemon and configuration generation
 * cfg; dirs (may be NULL, borrowed) is where the CRL is also written; urls
 * holds the freshest-CRL URLs and that sink and must live as long as p.
 * Any thread.
 */
struct daemon_crl_urls {
	size_t n;
	const char *ptr[CONFIG_LIST_MAX];
	char text[CONFIG_LIST_MAX][CONFIG_STR_MAX];
	struct directory *dir;		/* where the CRL is also written, or NULL */
	char publish_dn[CONFIG_STR_MAX];
};
void daemon_crlpub_for(struct daemon *d, const struct ca_config *cfg,
    struct daemon_directory *dirs, struct crlpub *p, struct daemon_crl_urls *urls);

/*
 * Open a directory pool for cfg's [directory] (reads the bind password
 * file; no connection yet). *out is NULL when the section is absent. Any
 * thread. One reference; daemon_directory_put frees.
 */
int daemon_directory_open(const struct ca_config *cfg,
    struct daemon_directory **out, char *why, size_t whylen);

/* Take a reference on the current pool (loop thread); NULL if none. */
struct daemon_directory *daemon_directory_get(struct daemon *d);
void daemon_directory_put(struct daemon_directory *x);

/* Whether two configurations name the same directory settings. */
bool daemon_directory_same(const struct ca_config *a, const struct ca_config *b);

#endif

/*
 * The daemon's one CRL state machine. The store is the truth for CRL
 * numbers: every tick a worker reads the store's newest full and delta
 * numbers and, when they differ from what is served, loads that CRL from
 * the state folder (so a CRL that `entca crl publish` wrote on the host,
 * or that SIGHUP asks to re-read, is served at once) instead of
 * publishing against a base nobody serves. Only then does it decide what
 * is due by the schedule. A publication failure backs off exponentially.
 *
 * Publication to the directory is a second, separate step: a CRL is in
 * service (HTTP) the moment it is signed and committed; writing the same
 * bytes to the directory is retried with exponential backoff after a
 * failure, never by publishing a new CRL, so no CRL number is burnt.
 *
 * Threads: everything here runs on the loop thread except the job bodies,
 * which run on workers and hand their results back through completions.
 */
#ifndef ENTCA_CA_CRL_DAEMON_H
#define ENTCA_CA_CRL_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "common/error.h"
#include "ca/issue/crl_publish.h"

/* Backoff after a failed publication or directory write, seconds. */
#define CRL_RETRY_MIN 5
#define CRL_RETRY_MAX 3600
#define CRL_DIR_RETRY_MIN 2
#define CRL_DIR_RETRY_MAX 3600

struct daemon;

enum crl_kind {
	CRL_KIND_FULL = 0,
	CRL_KIND_DELTA,
	CRL_KIND_COUNT
};

/* The directory step of one kind of CRL (loop-owned). */
struct crl_dir_state {
	uint64_t written;	/* number last written to the directory */
	unsigned attempts;	/* failures in a row */
	int64_t next_at;	/* no attempt before (wall clock) */
	int64_t ok_at;		/* last success */
	char why[CA_WHY_MAX];	/* last failure, "" after a success */
};

/* Loop-owned scheduler state, a field of struct daemon. */
struct daemon_crl {
	unsigned failures;	/* publication failures in a row */
	char why[CA_WHY_MAX];	/* the last one, "" after a success */
	/*
	 * The served bytes the directory write in flight reads (lent, not
	 * copied: a CRL of a million entries is ~40 MB; NULL: no write in
	 * flight, one at a time), and lent bytes that stopped being served
	 * meanwhile, freed when that write ends.
	 */
	const unsigned char *dir_lent;
	unsigned char *dir_orphan;
	struct crl_dir_state dir[CRL_KIND_COUNT];
};

/* What /health shows about CRLs (crl_publish_status). */
struct crl_publish_status {
	struct {
		uint64_t number;	/* 0: none in service */
		int64_t this_update;
		int64_t next_update;
		bool fresh;		/* now < nextUpdate */
	} crl[CRL_KIND_COUNT];
	unsigned failures;		/* publications failed in a row */
	int64_t retry_at;		/* next publication attempt, 0 = by schedule */
	const char *error;		/* last publication failure or "" */
	bool directory;			/* directory publication configured */
	struct {
		uint64_t written;	/* number in the directory (0: none yet) */
		bool pending;		/* the served CRL is not there yet */
		unsigned attempts;
		int64_t next_try;
		int64_t last_ok;
		const char *error;	/* last failure or "" */
	} dir[CRL_KIND_COUNT];
	bool ok;	/* CRLs fresh, no failure, directory up to date */
};

/*
 * Fill *st from the daemon's state as of now. Strings borrow from d and
 * live until the loop changes them. Loop thread.
 */
void crl_publish_status(const struct daemon *d, int64_t now,
    struct crl_publish_status *st);

/*
 * The same as a JSON object for /health (new reference; NULL on memory
 * failure). Loop thread.
 */
json_t *crl_publish_status_json(const struct daemon *d, int64_t now);

/* Each second: sync with the store, publish what is due, retry the
 * directory. Loop thread. */
void daemon_crl_tick(struct daemon *d);

/* SIGHUP: forget the backoffs, re-read the store now. Loop thread. */
void daemon_crl_reload(struct daemon *d);

/*
 * Serve r (a CRL this process just published) unless a newer one of its
 * kind is already served; takes r's bytes either way (r is cleared).
 * Loop thread, or the tool's only thread.
 */
void daemon_crl_adopt(struct daemon *d, struct crlpub_result *r);

/*
 * The tool's directory step: write the served CRL of this kind to the
 * directory once. CA_OK, CA_ENOTFOUND (no directory publication
 * configured) or the directory's error with why. Blocking; tool only.
 */
int daemon_crl_directory_once(struct daemon *d, bool delta, char *why,
    size_t whylen);

#endif

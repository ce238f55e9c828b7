/*
 * `entca db cleanup --expired-before DATE [--dry-run]`: certutil
 * -deleterow for expired certificates. It deletes the store rows of
 * certificates whose notAfter is before DATE, with the requests they were
 * issued for, and keeps what CRLs still need: a revoked certificate stays
 * listed on full CRLs until the first one issued after its notAfter (RFC
 * 5280 §3.3 allows dropping it then), so its row stays until notAfter +
 * the CRL's validity (period + overlap) + one more period. DATE may not be
 * later than now minus one CRL period.
 *
 * It writes like every `entca` command on the CA host: the tool opens the
 * same LMDB environment and submits jobs to its own store writer; LMDB's
 * write lock serialises them with entcad's writer, and entcad's readers see
 * the rows go at the next snapshot. Deletion runs in batches of
 * DB_CLEANUP_BATCH certificates, one write transaction each, so entcad's
 * writer never waits behind more than one batch; each batch records its
 * own audit event in the same transaction. Tool main thread only.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <pwd.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/error.h"
#include "ca/daemon/settings.h"
#include "ca/store/store.h"
#include "ca/tool/tool_db.h"
#include "crl/schedule.h"

#define DB_DEFAULT_CONF SYSCONFDIR "/entca/entcad.conf"
/* Certificates deleted per write transaction. */
#define DB_CLEANUP_BATCH 1000

/* What one walk over the expired certificates found or did. */
struct db_cleanup {
	int64_t before;		/* DATE: notAfter < before */
	int64_t revoked_before;	/* revoked rows go only below this too */
	bool dry_run;
	struct store_txn *t;	/* the walk's view */
	/* this batch (or the whole dry run) */
	unsigned char (*serials)[STORE_SERIAL_MAX];
	size_t *lens;
	size_t n;
	size_t cap;
	bool more;		/* the batch filled up: walk again */
	uint64_t certs, revoked, requests, kept;
	char who[128];
	char date[40];
};

/* One expired certificate: count it, and queue it unless CRLs need it. */
static int
db_cleanup_visit(const unsigned char *serial, size_t len, int64_t not_after,
    void *arg)
{
	struct db_cleanup *c = arg;
	struct store_cert sc;

	memset(&sc, 0, sizeof(sc));
	if (store_get_cert(c->t, serial, len, &sc) != CA_OK)
		return 0;
	(void)not_after;
	if (sc.status == STORE_CERT_REVOKED && not_after >= c->revoked_before) {
		c->kept++;
		store_cert_clear(&sc);
		return 0;
	}
	if (c->dry_run) {
		c->certs++;
		c->revoked += sc.status == STORE_CERT_REVOKED;
		if (sc.request_id != 0) {
			struct store_request r;

			if (store_get_request(c->t, sc.request_id, &r) == CA_OK)
				c->requests++;
			store_request_clear(&r);
		}
	} else {
		memcpy(c->serials[c->n], serial, len);
		c->lens[c->n++] = len;
	}
	store_cert_clear(&sc);
	if (!c->dry_run && c->n == c->cap) {
		c->more = true;
		return 1;
	}
	return 0;
}

/* One batch, in one write transaction: walk, delete, audit. */
static int
db_cleanup_apply(struct store_wtxn *w, void *arg)
{
	struct db_cleanup *c = arg;
	uint64_t certs = 0, revoked = 0, requests = 0, req;
	struct store_cert sc;
	json_t *ev;
	char *s;

	c->t = store_w_txn(w);
	c->n = 0;
	c->more = false;
	c->kept = 0;
	/* From the start each time: the rows kept stay in the index, and
	 * the count of them is the last batch's. */
	store_iter_expiring(c->t, INT64_MIN, c->before, db_cleanup_visit, c);
	for (size_t i = 0; i < c->n && store_w_status(w) == CA_OK; i++) {
		memset(&sc, 0, sizeof(sc));
		if (store_get_cert(c->t, c->serials[i], c->lens[i], &sc) == CA_OK)
			revoked += sc.status == STORE_CERT_REVOKED;
		store_cert_clear(&sc);
		req = 0;
		if (store_w_delete_cert(w, c->serials[i], c->lens[i], &req) != CA_OK)
			break;
		certs++;
		if (req != 0 && store_w_delete_request(w, req) == CA_OK)
			requests++;
	}
	if (store_w_status(w) != CA_OK)
		return store_w_status(w);
	ev = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I}",
	    "time", (json_int_t)ca_now(), "who", c->who, "from", "local",
	    "action", "db-cleanup", "decision", "done",
	    "expired_before", c->date,
	    "certificates_deleted", (json_int_t)certs,
	    "revoked_deleted", (json_int_t)revoked,
	    "requests_deleted", (json_int_t)requests);
	s = ev != NULL ? json_dumps(ev, JSON_COMPACT) : NULL;
	json_decref(ev);
	if (s == NULL)
		return store_w_fail(w, CA_ENOMEM, "audit: out of memory");
	store_w_audit(w, s, NULL);
	free(s);
	if (store_w_status(w) == CA_OK) {
		c->certs += certs;
		c->revoked += revoked;
		c->requests += requests;
	}
	return store_w_status(w);
}

/* DATE: YYYY-MM-DD (midnight UTC), YYYY-MM-DDTHH:MM:SSZ, or @EPOCH. */
static bool
parse_date(const char *s, int64_t *out)
{
	struct tm tm;
	const char *end;
	char *e;

	if (s[0] == '@') {
		long long v = strtoll(s + 1, &e, 10);

		if (*e != '\0' || e == s + 1)
			return false;
		*out = (int64_t)v;
		return true;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0') {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d", &tm);
		if (end == NULL || *end != '\0')
			return false;
	}
	*out = (int64_t)timegm(&tm);
	return true;
}

/* entca db cleanup --expired-before DATE [--dry-run] */
int
tool_db_main(const char *conf, int argc, char **argv)
{
	static struct ca_config cfg;
	static const char usage[] = "usage: entca db cleanup --expired-before "
	    "DATE [--dry-run]\n  DATE: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or "
	    "@EPOCH (UTC); at most now minus one CRL period\n";
	struct db_cleanup c;
	struct crl_schedule sch;
	struct store *st = NULL;
	struct store_options so;
	struct passwd *pw = getpwuid(getuid());
	const char *env = getenv("ENTCA_CONF"), *date = NULL;
	char why[CA_WHY_MAX], db[PATH_MAX], text[40];
	int64_t now = ca_now(), validity;
	bool dry = false;
	time_t tt;
	int rc = 1;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0)
			dry = true;
		else if (strcmp(argv[i], "--expired-before") == 0 && i + 1 < argc)
			date = argv[++i];
		else
			date = NULL, i = argc;
	}
	if (argc < 2 || strcmp(argv[1], "cleanup") != 0 || date == NULL) {
		fprintf(stderr, "%s", usage);
		return 2;
	}
	memset(&c, 0, sizeof(c));
	if (!parse_date(date, &c.before)) {
		fprintf(stderr, "entca db cleanup: --expired-before %s: not a date\n%s",
		    date, usage);
		return 2;
	}
	if (conf == NULL)
		conf = env != NULL && *env != '\0' ? env : DB_DEFAULT_CONF;
	if (config_load(conf, &cfg, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "entca db cleanup: %s\n", why);
		return 2;
	}
	tt = (time_t)c.before;
	strftime(c.date, sizeof(c.date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
	if (c.before > now) {
		fprintf(stderr, "entca db cleanup: --expired-before %s is in the "
		    "future: only certificates that have expired can be deleted\n",
		    c.date);
		return 1;
	}
	if (c.before > now - cfg.crl_period_s) {
		tt = (time_t)(now - cfg.crl_period_s);
		strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
		fprintf(stderr, "entca db cleanup: --expired-before %s is later than "
		    "now minus one CRL period (%s): the CRLs in service may still "
		    "need those rows\n", c.date, text);
		return 1;
	}
	/* A revoked row stays until the CRLs that list it have expired and
	 * one more full CRL (without it) is out. */
	memset(&sch, 0, sizeof(sch));
	sch.period = cfg.crl_period_s;
	sch.overlap = cfg.crl_overlap_s;
	validity = cfg.crl_period_s + crl_overlap(&sch, false);
	c.revoked_before = now - validity - cfg.crl_period_s;
	if (c.revoked_before > c.before)
		c.revoked_before = c.before;
	c.dry_run = dry;
	snprintf(c.who, sizeof(c.who), "local:%s", pw != NULL ? pw->pw_name : "unknown");
	memset(&so, 0, sizeof(so));
	so.map_max = cfg.store_max_size;
	so.map_size = cfg.store_max_size < STORE_MAP_SIZE_DEFAULT ?
	    cfg.store_max_size : STORE_MAP_SIZE_DEFAULT;
	so.read_only = dry;
	if (snprintf(db, sizeof(db), "%s/db", cfg.state_dir) >= (int)sizeof(db) ||
	    store_open(db, &so, &st, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "entca db cleanup: %s\n", why);
		return 1;
	}
	if (dry) {
		if (store_read_begin(st, &c.t, why, sizeof(why)) != CA_OK)
			goto out;
		store_iter_expiring(c.t, INT64_MIN, c.before, db_cleanup_visit, &c);
		store_read_end(c.t);
	} else {
		c.cap = DB_CLEANUP_BATCH;
		c.serials = calloc(c.cap, sizeof(*c.serials));
		c.lens = calloc(c.cap, sizeof(*c.lens));
		if (c.serials == NULL || c.lens == NULL) {
			snprintf(why, sizeof(why), "out of memory");
			goto out;
		}
		do {
			if (store_submit_wait(st, db_cleanup_apply, &c, why,
			    sizeof(why)) != CA_OK)
				goto out;
		} while (c.more);
	}
	printf("%s %llu certificates that expired before %s (%llu of them "
	    "revoked) and %llu requests; kept %llu revoked certificates the CRLs "
	    "may still list (until notAfter + the CRL's validity + one period)\n",
	    dry ? "would delete" : "deleted", (unsigned long long)c.certs, c.date,
	    (unsigned long long)c.revoked, (unsigned long long)c.requests,
	    (unsigned long long)c.kept);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "entca db cleanup: %s\n", why);
	free(c.serials);
	free(c.lens);
	store_close(st);
	return rc;
}

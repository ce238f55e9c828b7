/*
 * The directory object and its connection pool: configuration checks,
 * opening connections (TLS, timeouts, failover across URIs), leasing them
 * to one thread at a time, dropping dead ones and retrying once, and the
 * search helper with libldap code translation.
 *
 * Threads: any worker thread may call in; d->mu guards the pool slots,
 * next_uri, is_ad and domain_sid, and is never held across network I/O.
 * Each libldap handle is used by the one thread that leased it.
 *
 * Signals: libldap and GnuTLS write() to sockets without MSG_NOSIGNAL, so
 * a server that went away (restart, kill) raises SIGPIPE, whose default
 * action ends the process. Around network I/O the calling thread blocks
 * SIGPIPE and afterwards discards any that became pending (dir_sigpipe_*),
 * so the error comes back as EPIPE and the process lives on.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gnutls/gnutls.h>

#include "common/opstats.h"
#include "ldap/dir_int.h"
#include "ldap/sid.h"

#define DEFAULT_NETWORK_TIMEOUT_MS 3000
#define DEFAULT_OP_TIMEOUT_MS 5000
#define DEFAULT_CACHE_TTL_S 60
#define DEFAULT_CACHE_MAX 1024
#define DEFAULT_POOL_SIZE 4
#define TIMEOUT_MS_MAX 600000
#define URIS_LEN_MAX 4096

static const char *const tls_names[DIRECTORY_TLS_COUNT] = {
	"starttls", "ldaps", "none-loopback-only"
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

/*
 * libldap initialises its global options and its TLS library lazily and
 * without a lock (tls_init() counts with plain statics): do it once here,
 * before any worker thread opens a connection.
 */
static void
global_init(void)
{
	LDAP *ld = NULL;
	int zero = 0;

	if (ldap_initialize(&ld, "ldap://127.0.0.1") == LDAP_SUCCESS)
		ldap_unbind_ext_s(ld, NULL, NULL);
	/* Makes the (unused) default context; what matters is tls_init(). */
	(void)ldap_set_option(NULL, LDAP_OPT_X_TLS_NEWCTX, &zero);
	/*
	 * Then drop it: it holds ldap.conf's TLS_CACERT (Debian's: every
	 * system CA, ~3 MB of parsed certificates) and no handle of ours uses
	 * it (each TLS handle makes its own context in set_options). A handle
	 * that ever needed it would have libldap make it again, under its lock.
	 */
	(void)ldap_set_option(NULL, LDAP_OPT_X_TLS_CTX, NULL);
}

/*
 * A write (modify) that failed with lrc: mark the connection for the pool
 * (lost or broken) and return the project code a publication reports;
 * every refusal by the server is CA_EIO to the caller.
 */
int
dir_write_code(struct dir_ctx *x, int lrc)
{
	int rc = dir_ldap_code(lrc);

	if (rc == CA_EUNAVAIL)
		x->lost = true;
	if (rc == CA_ETIMEOUT)
		x->broken = true;
	if (rc == CA_ETOOBIG || rc == CA_EAUTH)
		rc = CA_EIO;
	return rc;
}

/* Map a libldap result code to the project's codes. */
int
dir_ldap_code(int lrc)
{
	switch (lrc) {
	case LDAP_SUCCESS:
		return CA_OK;
	case LDAP_SERVER_DOWN:
	case LDAP_CONNECT_ERROR:
	case LDAP_UNAVAILABLE:
	case LDAP_BUSY:
		return CA_EUNAVAIL;
	case LDAP_TIMEOUT:
	case LDAP_TIMELIMIT_EXCEEDED:
		return CA_ETIMEOUT;
	case LDAP_INVALID_CREDENTIALS:
		return CA_EAUTH;
	case LDAP_NO_SUCH_OBJECT:
		return CA_ENOTFOUND;
	case LDAP_INSUFFICIENT_ACCESS:
	case LDAP_STRONG_AUTH_REQUIRED:
		return CA_EDENIED;
	case LDAP_SIZELIMIT_EXCEEDED:
		return CA_ETOOBIG;
	case LDAP_NO_MEMORY:
		return CA_ENOMEM;
	default:
		return CA_EIO;
	}
}

/* Monotonic seconds (cache expiry must not follow wall-clock jumps). */
int64_t
dir_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/* Monotonic milliseconds (deadlines of operation chains). */
int64_t
dir_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Block SIGPIPE in this thread; *old receives the previous mask. */
void
dir_sigpipe_block(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

/* Drop a SIGPIPE our writes left pending, then restore the mask. */
void
dir_sigpipe_restore(const sigset_t *old)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	if (!sigismember(old, SIGPIPE)) {
		sigemptyset(&set);
		sigaddset(&set, SIGPIPE);
		while (sigtimedwait(&set, NULL, &zero) == SIGPIPE)
			;
	}
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* Milliseconds to a timeval. */
static struct timeval
ms_tv(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return tv;
}

/* True for hosts that never leave the machine: 127.0.0.0/8, ::1, localhost. */
static bool
host_is_loopback(const char *h)
{
	unsigned a, b, c, e;
	char extra;

	if (h == NULL || *h == '\0')
		return false;
	if (strcasecmp(h, "localhost") == 0 || strcmp(h, "::1") == 0)
		return true;
	if (sscanf(h, "%u.%u.%u.%u%c", &a, &b, &c, &e, &extra) != 4)
		return false;
	return a == 127 && b < 256 && c < 256 && e < 256;
}

/* Check one URI against the TLS mode. */
static int
check_uri(const char *uri, int tls, char *why, size_t whylen)
{
	LDAPURLDesc *lud = NULL;
	int rc = CA_OK;

	if (ldap_url_parse(uri, &lud) != LDAP_URL_SUCCESS)
		return ca_why(why, whylen, CA_ECONFIG,
		    "directory: URI '%s' does not parse", uri);
	if (lud->lud_host == NULL || *lud->lud_host == '\0')
		rc = ca_why(why, whylen, CA_ECONFIG,
		    "directory: URI '%s' names no host", uri);
	else if (tls == DIRECTORY_TLS_LDAPS &&
	    strcasecmp(lud->lud_scheme, "ldaps") != 0)
		rc = ca_why(why, whylen, CA_ECONFIG,
		    "directory: tls = ldaps needs ldaps:// URIs, not '%s'", uri);
	else if (tls != DIRECTORY_TLS_LDAPS &&
	    strcasecmp(lud->lud_scheme, "ldap") != 0)
		rc = ca_why(why, whylen, CA_ECONFIG,
		    "directory: tls = %s needs ldap:// URIs, not '%s'",
		    tls_names[tls], uri);
	else if (tls == DIRECTORY_TLS_NONE_LOOPBACK_ONLY &&
	    !host_is_loopback(lud->lud_host))
		rc = ca_why(why, whylen, CA_ECONFIG,
		    "directory: plain LDAP to '%s' refused: passwords would "
		    "cross the network in clear (use starttls or ldaps)", uri);
	ldap_free_urldesc(lud);
	return rc;
}

/* strdup that keeps NULL as NULL; sets *fail on allocation failure. */
static char *
dup_opt(const char *s, bool *fail)
{
	char *r;

	if (s == NULL)
		return NULL;
	if ((r = strdup(s)) == NULL)
		*fail = true;
	return r;
}

/* Validate cfg, copy it, and set up the pool and cache (no I/O). */
int
directory_new(const struct directory_config *cfg, struct directory **out,
    char *why, size_t whylen)
{
	struct directory *d = NULL;
	LDAPDN basedn = NULL;
	char *save = NULL, *tok;
	bool fail = false;
	int rc, ttl, max;

	*out = NULL;
	pthread_once(&global_once, global_init);
	if (cfg->uris == NULL || strlen(cfg->uris) > URIS_LEN_MAX)
		return ca_why(why, whylen, CA_ECONFIG,
		    "directory: uris missing or longer than %d bytes", URIS_LEN_MAX);
	if (cfg->base == NULL || *cfg->base == '\0' ||
	    strlen(cfg->base) >= PRINCIPAL_DN_MAX ||
	    ldap_str2dn(cfg->base, &basedn, LDAP_DN_FORMAT_LDAP) != LDAP_SUCCESS)
		return ca_why(why, whylen, CA_ECONFIG,
		    "directory: base missing or not a DN: '%s'",
		    cfg->base ? cfg->base : "");
	ldap_dnfree(basedn);
	if (cfg->tls < 0 || cfg->tls >= DIRECTORY_TLS_COUNT)
		return ca_why(why, whylen, CA_ECONFIG,
		    "directory: unknown tls mode %d", cfg->tls);
	if (cfg->network_timeout_ms < 0 || cfg->network_timeout_ms > TIMEOUT_MS_MAX ||
	    cfg->op_timeout_ms < 0 || cfg->op_timeout_ms > TIMEOUT_MS_MAX)
		return ca_why(why, whylen, CA_ECONFIG,
		    "directory: timeouts must be 0..%d ms", TIMEOUT_MS_MAX);
	if (cfg->pool_size < 0 || cfg->pool_size > DIRECTORY_POOL_MAX)
		return ca_why(why, whylen, CA_ECONFIG,
		    "directory: pool size must be 0..%d", DIRECTORY_POOL_MAX);
	if (cfg->cache_max < 0 || cfg->cache_max > DIRECTORY_CACHE_MAX)
		return ca_why(why, whylen, CA_ECONFIG,
		    "directory: cache size must be 0..%d", DIRECTORY_CACHE_MAX);
	if (cfg->recheck_s < 0 || cfg->recheck_s > DIRECTORY_RECHECK_MAX)
		return ca_why(why, whylen, CA_ECONFIG,
		    "directory: recheck interval must be 0..%d s",
		    DIRECTORY_RECHECK_MAX);
	if (cfg->cache_ttl_s > DIRECTORY_CACHE_TTL_MAX)
		return ca_why(why, whylen, CA_ECONFIG,
		    "directory: cache TTL must be at most %d s",
		    DIRECTORY_CACHE_TTL_MAX);
	if (cfg->bind_dn != NULL && (cfg->bind_password == NULL ||
	    *cfg->bind_password == '\0'))
		return ca_why(why, whylen, CA_ECONFIG,
		    "directory: bind DN '%s' has no password (an empty password "
		    "would be an unauthenticated bind)", cfg->bind_dn);
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return CA_ENOMEM;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	dir_recheck_gates_init(d->gates, DIR_RECHECK_GATES);
	d->is_ad = -1;
	d->uris_buf = dup_opt(cfg->uris, &fail);
	d->base = dup_opt(cfg->base, &fail);
	d->bind_dn = dup_opt(cfg->bind_dn, &fail);
	d->bind_password = dup_opt(cfg->bind_password, &fail);
	d->domain = dup_opt(cfg->domain, &fail);
	d->realm = dup_opt(cfg->realm, &fail);
	d->ca_file = dup_opt(cfg->ca_file, &fail);
	if (fail) {
		rc = CA_ENOMEM;
		goto out;
	}
	for (tok = strtok_r(d->uris_buf, " \t\n", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\n", &save)) {
		if (d->n_uris == DIRECTORY_URIS_MAX) {
			rc = ca_why(why, whylen, CA_ECONFIG,
			    "directory: more than %d URIs", DIRECTORY_URIS_MAX);
			goto out;
		}
		if ((rc = check_uri(tok, cfg->tls, why, whylen)) != CA_OK)
			goto out;
		d->uris[d->n_uris++] = tok;
	}
	if (d->n_uris == 0) {
		rc = ca_why(why, whylen, CA_ECONFIG, "directory: no URI given");
		goto out;
	}
	if (cfg->domain_sid != NULL && *cfg->domain_sid != '\0') {
		unsigned char bin[DIRECTORY_SID_BIN_MAX];
		size_t binlen;

		if (directory_sid_from_text(cfg->domain_sid, bin, sizeof(bin),
		    &binlen) != CA_OK ||
		    strlen(cfg->domain_sid) >= sizeof(d->domain_sid)) {
			rc = ca_why(why, whylen, CA_ECONFIG,
			    "directory: domain SID '%s' is not S-1-...",
			    cfg->domain_sid);
			goto out;
		}
		strcpy(d->domain_sid, cfg->domain_sid);
	}
	d->tls = cfg->tls;
	d->network_timeout_ms = cfg->network_timeout_ms ? cfg->network_timeout_ms
	    : DEFAULT_NETWORK_TIMEOUT_MS;
	d->op_timeout_ms = cfg->op_timeout_ms ? cfg->op_timeout_ms
	    : DEFAULT_OP_TIMEOUT_MS;
	d->now = cfg->now;
	d->pool_size = cfg->pool_size ? (size_t)cfg->pool_size : DEFAULT_POOL_SIZE;
	if ((d->pool = calloc(d->pool_size, sizeof(*d->pool))) == NULL) {
		rc = CA_ENOMEM;
		goto out;
	}
	d->recheck_s = cfg->recheck_s;
	d->sigpipe_ignored = cfg->sigpipe_ignored;
	ttl = cfg->cache_ttl_s == 0 ? DEFAULT_CACHE_TTL_S : cfg->cache_ttl_s;
	max = cfg->cache_max ? cfg->cache_max : DEFAULT_CACHE_MAX;
	if ((rc = directory_cache_new((size_t)max, ttl, &d->cache)) != CA_OK) {
		ca_why(why, whylen, rc, "directory: cannot make the cache");
		goto out;
	}
	*out = d;
	d = NULL;
	rc = CA_OK;
out:
	directory_free(d);
	return rc;
}

/* Wipe and free a secret string. */
static void
free_secret(char *s)
{
	if (s != NULL) {
		gnutls_memset(s, 0, strlen(s));
		free(s);
	}
}

/* Close every pooled connection and release everything. */
void
directory_free(struct directory *d)
{
	sigset_t oldmask;

	if (d == NULL)
		return;
	dir_sigpipe_block(&oldmask);	/* unbind writes to maybe-dead sockets */
	for (size_t i = 0; d->pool != NULL && i < d->pool_size; i++)
		if (d->pool[i].ld != NULL)
			ldap_unbind_ext_s(d->pool[i].ld, NULL, NULL);
	dir_sigpipe_restore(&oldmask);
	free(d->pool);
	directory_cache_free(d->cache);
	free_secret(d->bind_password);
	free(d->uris_buf);
	free(d->base);
	free(d->bind_dn);
	free(d->domain);
	free(d->realm);
	free(d->ca_file);
	dir_recheck_gates_destroy(d->gates, DIR_RECHECK_GATES);
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

/* Drop every cached success, and the NetBIOS name read from the directory. */
void
directory_cache_clear(struct directory *d)
{
	directory_cache_flush(d->cache);
	pthread_mutex_lock(&d->mu);
	d->netbios_known = false;
	pthread_mutex_unlock(&d->mu);
}

/* The server's diagnostic for the last operation on ld, or "". */
static void
diag_copy(LDAP *ld, char *out, size_t outlen)
{
	char *msg = NULL;

	out[0] = '\0';
	if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &msg) ==
	    LDAP_OPT_SUCCESS && msg != NULL) {
		snprintf(out, outlen, "%s", msg);
		ldap_memfree(msg);
	}
}

/* Set the handle options: v3, no referrals, timeouts, TLS policy. */
static int
set_options(struct directory *d, LDAP *ld, char *why, size_t whylen)
{
	struct timeval ntv = ms_tv(d->network_timeout_ms);
	struct timeval otv = ms_tv(d->op_timeout_ms);
	int v3 = LDAP_VERSION3, demand = LDAP_OPT_X_TLS_DEMAND;
	int tlsmin = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2, zero = 0, lrc;

	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &ntv) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &otv) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_RESTART, LDAP_OPT_ON) != LDAP_OPT_SUCCESS)
		return ca_why(why, whylen, CA_EIO, "libldap refused an option");
	if (d->tls == DIRECTORY_TLS_NONE_LOOPBACK_ONLY)
		return CA_OK;
	if (d->ca_file != NULL &&
	    ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, d->ca_file) !=
	    LDAP_OPT_SUCCESS)
		return ca_why(why, whylen, CA_ECONFIG, "TLS CA file '%s' refused",
		    d->ca_file);
	if (ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) !=
	    LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &tlsmin) !=
	    LDAP_OPT_SUCCESS)
		return ca_why(why, whylen, CA_EIO, "libldap refused a TLS option");
	/* A private TLS context per handle, built from the options above. */
	if ((lrc = ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero)) !=
	    LDAP_OPT_SUCCESS)
		return ca_why(why, whylen, CA_ECONFIG,
		    "TLS context failed (CA file '%s' unreadable?): %s",
		    d->ca_file ? d->ca_file : "(default)", ldap_err2string(lrc));
	return CA_OK;
}

/* Open, secure and bind one connection to URI index i. */
static int
open_one(struct directory *d, int i, const char *dn, const char *password,
    LDAP **out, char *why, size_t whylen)
{
	const char *uri = d->uris[i];
	struct berval cred;
	char diag[512], tdiag[CA_WHY_MAX / 2] = "";
	LDAP *ld = NULL;
	int lrc, rc;

	*out = NULL;
	if ((lrc = ldap_initialize(&ld, uri)) != LDAP_SUCCESS)
		return ca_why(why, whylen, CA_EUNAVAIL, "%s: %s", uri,
		    ldap_err2string(lrc));
	if ((rc = set_options(d, ld, why, whylen)) != CA_OK)
		goto out;
	if (d->tls == DIRECTORY_TLS_STARTTLS &&
	    (lrc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
		diag_copy(ld, diag, sizeof(diag));
		/* libldap says only "Connect error": find out if it was trust. */
		if (lrc == LDAP_CONNECT_ERROR)
			dir_tls_diagnose(d, uri, tdiag, sizeof(tdiag));
		rc = lrc == LDAP_TIMEOUT ? CA_ETIMEOUT : CA_EUNAVAIL;
		ca_why(why, whylen, rc, "%s: StartTLS failed: %s%s%s", uri,
		    ldap_err2string(lrc), *tdiag || *diag ? ": " : "",
		    *tdiag ? tdiag : diag);
		goto out;
	}
	if (dn != NULL) {
		cred.bv_val = (char *)password;
		cred.bv_len = strlen(password);
		lrc = ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL,
		    NULL, NULL);
	} else {
		/* Anonymous: read the rootDSE so that the connection is made. */
		LDAPMessage *res = NULL;
		struct timeval tv = ms_tv(d->op_timeout_ms);
		char *attrs[] = { "1.1", NULL };

		lrc = ldap_search_ext_s(ld, "", LDAP_SCOPE_BASE, "(objectClass=*)",
		    attrs, 0, NULL, NULL, &tv, 1, &res);
		ldap_msgfree(res);
	}
	if (lrc != LDAP_SUCCESS) {
		diag_copy(ld, diag, sizeof(diag));
		/* LDAPS: a refused certificate looks like a server that is down. */
		if (d->tls == DIRECTORY_TLS_LDAPS && (lrc == LDAP_SERVER_DOWN ||
		    lrc == LDAP_CONNECT_ERROR)) {
			dir_tls_diagnose(d, uri, tdiag, sizeof(tdiag));
			if (*tdiag)
				snprintf(diag, sizeof(diag), "%s", tdiag);
		}
		rc = dir_ldap_code(lrc);
		if (rc != CA_EAUTH && rc != CA_ETIMEOUT)
			rc = CA_EUNAVAIL;
		ca_why(why, whylen, rc, "%s: %s failed: %s%s%s", uri,
		    dn ? "bind" : "connect", ldap_err2string(lrc),
		    *diag ? ": " : "", diag);
		goto out;
	}
	*out = ld;
	ld = NULL;
	rc = CA_OK;
out:
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
	return rc;
}

/* Try URIs from first (in order, wrapping) until one opens. */
int
dir_open(struct directory *d, int first, bool failover, const char *dn,
    const char *password, LDAP **ld, int *used, char *why, size_t whylen)
{
	char all[CA_WHY_MAX] = "", one[CA_WHY_MAX];
	size_t n = failover ? d->n_uris : 1;
	bool timed_out = true;
	int rc = CA_EUNAVAIL;

	for (size_t k = 0; k < n; k++) {
		int i = (int)(((size_t)first + k) % d->n_uris);
		uint64_t t0 = opstat_now_ns();

		rc = open_one(d, i, dn, password, ld, one, sizeof(one));
		/* Connect, StartTLS and bind; a wrong password is no error. */
		opstat_observe(OPSTAT_DIR_BIND, opstat_now_ns() - t0);
		if (rc != CA_OK && rc != CA_EAUTH)
			opstat_count(OPSTAT_DIR_ERRORS);
		if (rc == CA_OK) {
			*used = i;
			return CA_OK;
		}
		if (rc == CA_EAUTH || rc == CA_ECONFIG || rc == CA_ENOMEM)
			return ca_why(why, whylen, rc, "%s", one);
		if (rc != CA_ETIMEOUT)
			timed_out = false;
		snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s%.200s",
		    k ? "; " : "", one);
	}
	if (n == 1 && timed_out)
		return ca_why(why, whylen, CA_ETIMEOUT, "directory: %s", all);
	return ca_why(why, whylen, CA_EUNAVAIL, "directory: no server answered: %s",
	    all);
}

/* Learn once whether the server is Active Directory (LDAP_CAP_ACTIVE_DIRECTORY). */
static void
detect_ad(struct directory *d, LDAP *ld)
{
	char *attrs[] = { "supportedCapabilities", NULL };
	struct timeval tv = ms_tv(d->op_timeout_ms);
	struct berval **vals;
	LDAPMessage *res = NULL, *e;
	int is_ad = 0;

	if (ldap_search_ext_s(ld, "", LDAP_SCOPE_BASE, "(objectClass=*)", attrs,
	    0, NULL, NULL, &tv, 1, &res) != LDAP_SUCCESS) {
		ldap_msgfree(res);
		return;
	}
	if ((e = ldap_first_entry(ld, res)) != NULL &&
	    (vals = ldap_get_values_len(ld, e, attrs[0])) != NULL) {
		for (size_t i = 0; vals[i] != NULL; i++)
			if (vals[i]->bv_len == 22 &&
			    memcmp(vals[i]->bv_val, "1.2.840.113556.1.4.800", 22) == 0)
				is_ad = 1;
		ldap_value_free_len(vals);
	}
	ldap_msgfree(res);
	pthread_mutex_lock(&d->mu);
	d->is_ad = is_ad;
	pthread_mutex_unlock(&d->mu);
}

/* Wait (bounded) for a free pool slot and mark it busy. */
static int
lease(struct directory *d, struct dir_conn **out, char *why, size_t whylen)
{
	struct timespec until;
	int wait_ms = d->op_timeout_ms + d->network_timeout_ms;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&d->mu);
	for (;;) {
		for (size_t i = 0; i < d->pool_size; i++) {
			if (!d->pool[i].busy) {
				d->pool[i].busy = true;
				*out = &d->pool[i];
				pthread_mutex_unlock(&d->mu);
				return CA_OK;
			}
		}
		if (pthread_cond_timedwait(&d->cv, &d->mu, &until) != 0)
			break;
	}
	pthread_mutex_unlock(&d->mu);
	return ca_why(why, whylen, CA_ETIMEOUT,
	    "directory: all %zu connections busy for %d ms", d->pool_size,
	    wait_ms);
}

/*
 * Once, on the first connection: the domain's NetBIOS name and SID, which
 * every principal needs. Read here, outside the budget of the call that
 * happens to come first; a failure leaves them to be read on demand.
 */
static void
prefetch_domain(struct directory *d, LDAP *ld, int uri)
{
	struct dir_ctx px;
	char buf[PRINCIPAL_SID_MAX], why[CA_WHY_MAX];

	memset(&px, 0, sizeof(px));
	px.d = d;
	px.ld = ld;
	px.uri = uri;
	px.deadline_ms = dir_monotonic_ms() + 4 * (int64_t)d->op_timeout_ms;
	dir_domain_netbios(&px, buf, sizeof(buf), why, sizeof(why));
	dir_domain_sid(&px, buf, sizeof(buf), why, sizeof(why));
}

/* Lease, open if needed, run op, and retry once on a stale connection. */
int
dir_run(struct directory *d, dir_op_cb op, void *arg, char *why, size_t whylen)
{
	struct dir_conn *c = NULL;
	struct dir_ctx x;
	sigset_t oldmask;
	LDAP *ld;
	int rc, uri, first, detect;

	if ((rc = lease(d, &c, why, whylen)) != CA_OK)
		return rc;
	/* Three syscalls per call, unless SIGPIPE cannot be delivered. */
	if (!d->sigpipe_ignored)
		dir_sigpipe_block(&oldmask);
	ld = c->ld;
	uri = c->uri;
	for (int attempt = 0; attempt < 2; attempt++) {
		bool fresh = false;

		if (ld == NULL) {
			pthread_mutex_lock(&d->mu);
			first = d->next_uri;
			pthread_mutex_unlock(&d->mu);
			rc = dir_open(d, first, true, d->bind_dn, d->bind_password,
			    &ld, &uri, why, whylen);
			if (rc == CA_EAUTH) {
				char tmp[CA_WHY_MAX];

				snprintf(tmp, sizeof(tmp), "%s", why);
				rc = ca_why(why, whylen, CA_EUNAVAIL,
				    "directory: service account bind refused: %.400s",
				    tmp);
			}
			if (rc != CA_OK)
				break;
			fresh = true;
			pthread_mutex_lock(&d->mu);
			d->next_uri = uri;
			detect = d->is_ad < 0;
			pthread_mutex_unlock(&d->mu);
			if (detect) {
				detect_ad(d, ld);
				prefetch_domain(d, ld, uri);
			}
		}
		memset(&x, 0, sizeof(x));
		x.d = d;
		x.ld = ld;
		x.uri = uri;
		/* One budget for all searches of this call (groups included). */
		x.deadline_ms = dir_monotonic_ms() +
		    (int64_t)DIR_CHAIN_OPS * d->op_timeout_ms;
		rc = op(&x, arg, why, whylen);
		if (x.lost || x.broken) {
			ldap_unbind_ext_s(ld, NULL, NULL);
			ld = NULL;
		}
		if (!(x.lost && !fresh))
			break;
	}
	if (!d->sigpipe_ignored)
		dir_sigpipe_restore(&oldmask);
	pthread_mutex_lock(&d->mu);
	c->ld = ld;
	c->uri = uri;
	c->busy = false;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	return rc;
}

/* Synchronous search bounded by the operation timeout and the call's budget. */
int
dir_search(struct dir_ctx *x, const char *base, int scope, const char *filter,
    char **attrs, int sizelimit, LDAPMessage **res, char *why, size_t whylen)
{
	int64_t left = x->deadline_ms - dir_monotonic_ms();
	struct timeval tv;
	char diag[256];
	uint64_t t0;
	int lrc, rc;

	*res = NULL;
	if (left <= 0)
		return ca_why(why, whylen, CA_ETIMEOUT, "directory: %s: the "
		    "searches of this request took more than %d ms",
		    x->d->uris[x->uri], DIR_CHAIN_OPS * x->d->op_timeout_ms);
	tv = ms_tv(left < x->d->op_timeout_ms ? (int)left : x->d->op_timeout_ms);
	t0 = opstat_now_ns();
	lrc = ldap_search_ext_s(x->ld, base, scope, filter, attrs, 0, NULL, NULL,
	    &tv, sizelimit, res);
	opstat_observe(OPSTAT_DIR_SEARCH, opstat_now_ns() - t0);
	if (lrc == LDAP_SUCCESS)
		return CA_OK;
	opstat_count(OPSTAT_DIR_ERRORS);
	diag_copy(x->ld, diag, sizeof(diag));
	ldap_msgfree(*res);
	*res = NULL;
	rc = dir_ldap_code(lrc);
	if (rc == CA_EUNAVAIL)
		x->lost = true;
	if (rc == CA_ETIMEOUT)
		x->broken = true;
	if (rc == CA_ETOOBIG)
		return ca_why(why, whylen, rc,
		    "directory: search (%s) matched more than %d entries",
		    filter, sizelimit);
	return ca_why(why, whylen, rc, "directory: %s: search under '%s' failed: "
	    "%s%s%s", x->d->uris[x->uri], base, ldap_err2string(lrc),
	    *diag ? ": " : "", diag);
}

/* The domain SID: configured, or objectSid of the base entry (cached). */
int
dir_domain_sid(struct dir_ctx *x, char *out, size_t outlen, char *why,
    size_t whylen)
{
	struct directory *d = x->d;
	char *attrs[] = { "objectSid", NULL };
	struct berval **vals = NULL;
	LDAPMessage *res = NULL, *e;
	char sid[PRINCIPAL_SID_MAX] = "";
	int rc;

	pthread_mutex_lock(&d->mu);
	snprintf(out, outlen, "%s", d->domain_sid);
	pthread_mutex_unlock(&d->mu);
	if (*out != '\0')
		return CA_OK;
	rc = dir_search(x, d->base, LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 1,
	    &res, why, whylen);
	if (rc != CA_OK)
		return rc;
	if ((e = ldap_first_entry(x->ld, res)) != NULL &&
	    (vals = ldap_get_values_len(x->ld, e, "objectSid")) != NULL &&
	    vals[0] != NULL)
		rc = directory_sid_to_text((unsigned char *)vals[0]->bv_val,
		    vals[0]->bv_len, sid, sizeof(sid));
	else
		rc = CA_ENOTFOUND;
	ldap_value_free_len(vals);
	ldap_msgfree(res);
	if (rc != CA_OK)
		return ca_why(why, whylen, CA_ENOTFOUND,
		    "directory: base '%s' carries no usable objectSid (set the "
		    "domain SID in the configuration)", d->base);
	pthread_mutex_lock(&d->mu);
	snprintf(d->domain_sid, sizeof(d->domain_sid), "%s", sid);
	pthread_mutex_unlock(&d->mu);
	snprintf(out, outlen, "%s", sid);
	return CA_OK;
}

/* True once a connection found the server to be Active Directory. */
bool
dir_is_ad(struct directory *d)
{
	bool ad;

	pthread_mutex_lock(&d->mu);
	ad = d->is_ad == 1;
	pthread_mutex_unlock(&d->mu);
	return ad;
}

/* Name tables for messages. */
const char *
directory_auth_reason_name(enum directory_auth_reason r)
{
	static const char *const names[DIRECTORY_AUTH_REASON_COUNT] = {
		"ok", "empty password", "malformed name", "unknown user",
		"ambiguous name", "bad password", "account disabled",
		"account locked", "account expired", "password expired",
		"password must be changed", "outside logon hours",
		"workstation not allowed"
	};

	return (unsigned)r < DIRECTORY_AUTH_REASON_COUNT ? names[r] : "unknown";
}

/* Name of a lookup key. */
const char *
directory_key_name(enum directory_key k)
{
	static const char *const names[DIRECTORY_KEY_COUNT] = {
		"UPN", "sAMAccountName", "SID", "DN", "DNS name", "any"
	};

	return (unsigned)k < DIRECTORY_KEY_COUNT ? names[k] : "unknown";
}

/* The configuration naming context from the rootDSE, else CN=Configuration,<base>. */
static void
config_nc(struct dir_ctx *x, char *out, size_t outlen)
{
	char *attrs[] = { "configurationNamingContext", NULL };
	LDAPMessage *res = NULL, *e;
	char why[CA_WHY_MAX];

	out[0] = '\0';
	if (dir_search(x, "", LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 1, &res,
	    why, sizeof(why)) == CA_OK &&
	    (e = ldap_first_entry(x->ld, res)) != NULL)
		dir_attr_str(x->ld, e, attrs[0], out, outlen);
	ldap_msgfree(res);
	if (out[0] == '\0')
		snprintf(out, outlen, "CN=Configuration,%s", x->d->base);
}

/* See dir_int.h: configured, else the crossRef of the base's partition. */
int
dir_domain_netbios(struct dir_ctx *x, char *out, size_t outlen, char *why,
    size_t whylen)
{
	struct directory *d = x->d;
	char *attrs[] = { "nCName", "nETBIOSName", NULL };
	char conf[PRINCIPAL_DN_MAX], parts[PRINCIPAL_DN_MAX + 16];
	char base[PRINCIPAL_DN_MAX], nc[PRINCIPAL_DN_MAX], ncn[PRINCIPAL_DN_MAX];
	char name[PRINCIPAL_DOMAIN_MAX] = "";
	LDAPMessage *res = NULL, *e;
	bool known;
	int rc;

	if (d->domain != NULL && *d->domain != '\0') {
		snprintf(out, outlen, "%s", d->domain);
		return CA_OK;
	}
	pthread_mutex_lock(&d->mu);
	known = d->netbios_known;
	snprintf(out, outlen, "%s", d->netbios);
	pthread_mutex_unlock(&d->mu);
	if (known)
		return CA_OK;
	/*
	 * A single-domain forest keeps its configuration under the base: try
	 * that first (one search), the rootDSE's configurationNamingContext
	 * only if it is not there. nCName has no equality rule everywhere,
	 * so it is compared here, not in the filter.
	 */
	snprintf(conf, sizeof(conf), "CN=Configuration,%s", d->base);
	snprintf(parts, sizeof(parts), "CN=Partitions,%s", conf);
	rc = dir_search(x, parts, LDAP_SCOPE_ONELEVEL, "(objectClass=crossRef)",
	    attrs, 64, &res, why, whylen);
	if (rc == CA_ENOTFOUND) {
		config_nc(x, conf, sizeof(conf));
		snprintf(parts, sizeof(parts), "CN=Partitions,%s", conf);
		rc = dir_search(x, parts, LDAP_SCOPE_ONELEVEL,
		    "(objectClass=crossRef)", attrs, 64, &res, why, whylen);
	}
	if (rc == CA_ENOTFOUND || rc == CA_ETOOBIG)
		rc = CA_OK;	/* no partitions container: no NetBIOS name */
	if (rc != CA_OK)
		return rc;
	if (dir_dn_norm(d->base, base, sizeof(base)))
		for (e = ldap_first_entry(x->ld, res); e != NULL;
		    e = ldap_next_entry(x->ld, e))
			if (dir_attr_str(x->ld, e, "nCName", nc, sizeof(nc)) &&
			    dir_dn_norm(nc, ncn, sizeof(ncn)) &&
			    strcasecmp(ncn, base) == 0 &&
			    dir_attr_str(x->ld, e, "nETBIOSName", name, sizeof(name)))
				break;
	ldap_msgfree(res);
	pthread_mutex_lock(&d->mu);
	snprintf(d->netbios, sizeof(d->netbios), "%s", name);
	d->netbios_known = true;
	pthread_mutex_unlock(&d->mu);
	snprintf(out, outlen, "%s", name);
	return CA_OK;
}

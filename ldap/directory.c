/*
 * The directory object: configuration checks, the copy of the
 * configuration it keeps, its pool slots and cache (set up here, no I/O),
 * and the name tables for messages. Its connections are in pool.c; what
 * the directory says about its domain is in domain.c.
 *
 * Threads: directory_new and directory_free run with no other user of the
 * object; directory_cache_clear and the name tables may be called from
 * any thread (d->mu guards what changes after directory_new).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>

#include "common/clock.h"
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
 * before any worker thread opens a connection. tls_init() runs on a
 * throw-away handle's own context made without CA files: making the
 * global default context instead parsed ldap.conf's TLS_CACERT (Debian's:
 * every system CA, ~3 MB) only to drop it, 25-40 ms of every start. The
 * global defaults stay as ldap.conf set them; each TLS handle of ours
 * makes its own context from them and the directory's options
 * (set_options in pool.c).
 */
static void
global_init(void)
{
	LDAP *ld = NULL;
	int zero = 0;

	if (ldap_initialize(&ld, "ldap://127.0.0.1") != LDAP_SUCCESS)
		return;
	(void)ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, NULL);
	(void)ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTDIR, NULL);
	(void)ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero);
	ldap_unbind_ext_s(ld, NULL, NULL);
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

/* Monotonic seconds (cache expiry must not follow wall-clock jumps). */
int64_t
dir_monotonic(void)
{
	return ca_monotonic_ms() / 1000;
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

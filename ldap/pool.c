/*
 * The directory's connection pool: opening connections (TLS, timeouts,
 * failover across URIs), leasing them to one thread at a time, dropping
 * dead ones and retrying once. Searches on a leased connection are in
 * search.c.
 *
 * Threads: any worker thread may call in; d->mu guards the pool slots and
 * next_uri, and is never held across network I/O. Each libldap handle is
 * used by the one thread that leased it.
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
#include <time.h>

#include "common/clock.h"
#include "common/opstats.h"
#include "ldap/dir_int.h"

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

/* Set the handle options: v3, no referrals, timeouts, TLS policy. */
static int
set_options(struct directory *d, LDAP *ld, char *why, size_t whylen)
{
	struct timeval ntv = dir_timeval(d->network_timeout_ms);
	struct timeval otv = dir_timeval(d->op_timeout_ms);
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
		dir_diag_copy(ld, diag, sizeof(diag));
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
		struct timeval tv = dir_timeval(d->op_timeout_ms);
		char *attrs[] = { "1.1", NULL };

		lrc = ldap_search_ext_s(ld, "", LDAP_SCOPE_BASE, "(objectClass=*)",
		    attrs, 0, NULL, NULL, &tv, 1, &res);
		ldap_msgfree(res);
	}
	if (lrc != LDAP_SUCCESS) {
		dir_diag_copy(ld, diag, sizeof(diag));
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
				dir_learn_domain(d, ld, uri);
			}
		}
		memset(&x, 0, sizeof(x));
		x.d = d;
		x.ld = ld;
		x.uri = uri;
		/* One budget for all searches of this call (groups included). */
		x.deadline_ms = ca_monotonic_ms() +
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

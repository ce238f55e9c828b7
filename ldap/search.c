/*
 * Talking to the directory on a leased connection: the search helper with
 * its budget, and libldap's result codes and diagnostics turned into the
 * project's codes and sentences. Calls nothing else in ldap/.
 *
 * Threads: the worker thread that leased x's connection (dir_run).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/opstats.h"
#include "ldap/dir_int.h"

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

/* Milliseconds to a timeval (libldap timeouts). */
struct timeval
dir_timeval(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return tv;
}

/* See dir_int.h. */
void
dir_diag_copy(LDAP *ld, char *out, size_t outlen)
{
	char *msg = NULL;

	out[0] = '\0';
	if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &msg) ==
	    LDAP_OPT_SUCCESS && msg != NULL) {
		snprintf(out, outlen, "%s", msg);
		ldap_memfree(msg);
	}
}

/* Synchronous search bounded by the operation timeout and the call's budget. */
int
dir_search(struct dir_ctx *x, const char *base, int scope, const char *filter,
    char **attrs, int sizelimit, LDAPMessage **res, char *why, size_t whylen)
{
	int64_t left = x->deadline_ms - ca_monotonic_ms();
	struct timeval tv;
	char diag[256];
	uint64_t t0;
	int lrc, rc;

	*res = NULL;
	if (left <= 0)
		return ca_why(why, whylen, CA_ETIMEOUT, "directory: %s: the "
		    "searches of this request took more than %d ms",
		    x->d->uris[x->uri], DIR_CHAIN_OPS * x->d->op_timeout_ms);
	tv = dir_timeval(left < x->d->op_timeout_ms ? (int)left :
	    x->d->op_timeout_ms);
	t0 = opstat_now_ns();
	lrc = ldap_search_ext_s(x->ld, base, scope, filter, attrs, 0, NULL, NULL,
	    &tv, sizelimit, res);
	opstat_observe(OPSTAT_DIR_SEARCH, opstat_now_ns() - t0);
	if (lrc == LDAP_SUCCESS)
		return CA_OK;
	opstat_count(OPSTAT_DIR_ERRORS);
	dir_diag_copy(x->ld, diag, sizeof(diag));
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

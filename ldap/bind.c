/*
 * Password authentication against the directory: resolve the name as
 * typed to exactly one account with the service connection, bind as that
 * DN on a separate, fresh connection (so the pooled connection keeps the
 * service identity), then refuse disabled, locked and expired accounts.
 * Every refusal gives the client the same sentence (DIRECTORY_AUTH_FAILED)
 * and the log a reason. Successes are cached under a salted hash of the
 * credentials. Runs on worker threads; blocks on the network.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>

#include "ldap/dir_int.h"

struct auth_arg {
	const char *user;
	const char *password;
	struct principal *p;
	struct directory_auth_log *log;
};

static int refuse(struct directory_auth_log *log,
    enum directory_auth_reason r, char *why, size_t whylen, const char *fmt,
    ...) __attribute__((format(printf, 5, 6)));

/* Record the reason for the log and give the client the one sentence. */
static int
refuse(struct directory_auth_log *log, enum directory_auth_reason r,
    char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (log != NULL) {
		log->reason = r;
		va_start(ap, fmt);
		vsnprintf(log->detail, sizeof(log->detail), fmt, ap);
		va_end(ap);
	}
	return ca_why(why, whylen, CA_EAUTH, "%s", DIRECTORY_AUTH_FAILED);
}

/*
 * AD's bind sub-codes ("... AcceptSecurityContext error, data 52e, v4563"),
 * MS-ADTS §3.1.1.3.4 / [MS-ERREF] Win32 codes, each with its own reason.
 */
static const struct {
	const char code[4];
	enum directory_auth_reason reason;
} ad_bind_codes[] = {
	{ "525", DIRECTORY_AUTH_UNKNOWN_USER },	/* ERROR_NO_SUCH_USER */
	{ "52e", DIRECTORY_AUTH_BAD_PASSWORD },	/* ERROR_LOGON_FAILURE */
	{ "530", DIRECTORY_AUTH_LOGON_HOURS },	/* ERROR_INVALID_LOGON_HOURS */
	{ "531", DIRECTORY_AUTH_WORKSTATION },	/* ERROR_INVALID_WORKSTATION */
	{ "532", DIRECTORY_AUTH_PASSWORD_EXPIRED }, /* ERROR_PASSWORD_EXPIRED */
	{ "533", DIRECTORY_AUTH_DISABLED },	/* ERROR_ACCOUNT_DISABLED */
	{ "701", DIRECTORY_AUTH_EXPIRED },	/* ERROR_ACCOUNT_EXPIRED */
	{ "773", DIRECTORY_AUTH_MUST_CHANGE },	/* ERROR_PASSWORD_MUST_CHANGE */
	{ "775", DIRECTORY_AUTH_LOCKED },	/* ERROR_ACCOUNT_LOCKED_OUT */
};

/*
 * Read an AD bind diagnostic's "data NNN" through the table above; any
 * other refusal is a bad password (MS-ADTS §3.1.1.3.4, Win32 error codes).
 */
enum directory_auth_reason
dir_ad_bind_reason(const char *diag)
{
	const char *p = strstr(diag, "data ");

	if (p == NULL)
		return DIRECTORY_AUTH_BAD_PASSWORD;
	p += 5;
	for (size_t i = 0; i < sizeof(ad_bind_codes) / sizeof(ad_bind_codes[0]); i++)
		if (strncasecmp(p, ad_bind_codes[i].code, 3) == 0 &&
		    (p[3] == ',' || p[3] == ' ' || p[3] == '\0'))
			return ad_bind_codes[i].reason;
	return DIRECTORY_AUTH_BAD_PASSWORD;
}

/* Resolve, bind as the account, fill the principal, check its state. */
static int
auth_op(struct dir_ctx *x, void *argp, char *why, size_t whylen)
{
	struct auth_arg *a = argp;
	struct directory_auth_log *log = a->log;
	char detail[CA_WHY_MAX] = "";
	LDAPMessage *res = NULL, *e = NULL;
	enum directory_auth_reason r;
	LDAP *uld = NULL;
	char *dn = NULL;
	int rc, used;

	rc = dir_resolve(x, a->user, true, &res, &e, detail, sizeof(detail));
	switch (rc) {
	case CA_OK:
		break;
	case CA_ENOTFOUND:
		rc = refuse(log, DIRECTORY_AUTH_UNKNOWN_USER, why, whylen,
		    "no account named '%s'", a->user);
		goto out;
	case CA_ETOOBIG:
		rc = refuse(log, DIRECTORY_AUTH_AMBIGUOUS, why, whylen,
		    "'%s' names several accounts: %s", a->user, detail);
		goto out;
	case CA_EPARSE:
		rc = refuse(log, DIRECTORY_AUTH_MALFORMED, why, whylen, "%s",
		    detail);
		goto out;
	default:
		rc = ca_why(why, whylen, rc, "%s", detail);
		goto out;
	}
	if ((dn = ldap_get_dn(x->ld, e)) == NULL) {
		rc = ca_why(why, whylen, CA_EIO, "directory: entry without a DN");
		goto out;
	}
	if (log != NULL)
		snprintf(log->dn, sizeof(log->dn), "%s", dn);
	/* A separate connection: the pooled one keeps the service identity. */
	rc = dir_open(x->d, x->uri, true, dn, a->password, &uld, &used, detail,
	    sizeof(detail));
	if (rc == CA_EAUTH) {
		r = dir_ad_bind_reason(detail);
		rc = refuse(log, r, why, whylen, "bind as '%s' refused (%s): %s",
		    dn, directory_auth_reason_name(r), detail);
		goto out;
	}
	if (rc != CA_OK) {
		rc = ca_why(why, whylen, rc, "%s", detail);
		goto out;
	}
	ldap_unbind_ext_s(uld, NULL, NULL);
	if ((rc = dir_principal_fill(x, e, a->p, why, whylen)) != CA_OK) {
		/* Incomplete security data (hidden groups...): the log says which. */
		if (log != NULL)
			snprintf(log->detail, sizeof(log->detail), "%s", why);
		goto out;
	}
	if (log != NULL)
		log->groups_path = x->groups_path;
	if (a->p->uac & PRINCIPAL_UAC_ACCOUNTDISABLE)
		rc = refuse(log, DIRECTORY_AUTH_DISABLED, why, whylen,
		    "account '%s' is disabled (userAccountControl 0x%x)", dn,
		    a->p->uac);
	else if (a->p->uac & PRINCIPAL_UAC_LOCKOUT)
		rc = refuse(log, DIRECTORY_AUTH_LOCKED, why, whylen,
		    "account '%s' is locked out", dn);
	else if (a->p->expired)
		rc = refuse(log, DIRECTORY_AUTH_EXPIRED, why, whylen,
		    "account '%s' expired (accountExpires)", dn);
	else if (a->p->uac & PRINCIPAL_UAC_PASSWORD_EXPIRED)
		rc = refuse(log, DIRECTORY_AUTH_PASSWORD_EXPIRED, why, whylen,
		    "the password of '%s' expired", dn);
	if (rc != CA_OK)
		principal_clear(a->p);
out:
	ldap_memfree(dn);
	ldap_msgfree(res);
	return rc;
}

/* Public entry: checks before any network, the cache, then the directory. */
int
directory_authenticate(struct directory *d, const char *user,
    const char *password, struct principal *out,
    struct directory_auth_log *log, char *why, size_t whylen)
{
	unsigned char ck[DIRECTORY_CACHE_KEY_LEN];
	struct auth_arg a;
	size_t ulen, plen;
	int rc;

	memset(out, 0, sizeof(*out));	/* output only: never freed here */
	if (log != NULL)
		memset(log, 0, sizeof(*log));
	if (user == NULL || *user == '\0')
		return refuse(log, DIRECTORY_AUTH_MALFORMED, why, whylen,
		    "empty user name");
	if ((ulen = strlen(user)) > DIRECTORY_USER_MAX)
		return refuse(log, DIRECTORY_AUTH_MALFORMED, why, whylen,
		    "user name longer than %d bytes", DIRECTORY_USER_MAX);
	/* An empty password would be an unauthenticated bind (RFC 4513 §5.1.2). */
	if (password == NULL || *password == '\0')
		return refuse(log, DIRECTORY_AUTH_EMPTY_PASSWORD, why, whylen,
		    "empty password for '%s' refused before any bind", user);
	if ((plen = strlen(password)) > DIRECTORY_PASSWORD_MAX)
		return refuse(log, DIRECTORY_AUTH_BAD_PASSWORD, why, whylen,
		    "password for '%s' longer than %d bytes", user,
		    DIRECTORY_PASSWORD_MAX);
	/*
	 * The cache: user name folded to lower case ("bob" is "Bob"), the
	 * entry keyed by the account's GUID/SID. A hit still reads the
	 * account's state (one base search instead of search, bind and group
	 * walk): a disabled or locked account is never served from here.
	 */
	directory_cache_name_key(d->cache, 'A', user, password, plen, ck);
	if (directory_cache_get_ref(d->cache, ck, dir_monotonic(), out) == CA_OK) {
		/* Read within recheck-interval: trusted as read, bounded. */
		if (directory_cache_checked_within(d->cache, ck, dir_monotonic(),
		    d->recheck_s))
			rc = CA_OK;
		else if ((rc = dir_account_recheck_shared(d, ck, out, why,
		    whylen)) == CA_OK)
			directory_cache_mark_checked(d->cache, ck, dir_monotonic());
		if (rc == CA_OK) {
			if (log != NULL) {
				log->cached = 1;
				snprintf(log->dn, sizeof(log->dn), "%s", out->dn);
				snprintf(log->detail, sizeof(log->detail),
				    "'%s' authenticated from the cache", user);
			}
			gnutls_memset(ck, 0, sizeof(ck));
			return CA_OK;
		}
		/* Changed since: forget it; the full path says why it fails. */
		principal_clear(out);
		memset(out, 0, sizeof(*out));
		directory_cache_drop(d->cache, ck);
		if (rc != CA_EAUTH) {
			gnutls_memset(ck, 0, sizeof(ck));
			return rc;
		}
	}
	a.user = user;
	a.password = password;
	a.p = out;
	a.log = log;
	rc = dir_run(d, auth_op, &a, why, whylen);
	if (rc == CA_OK) {
		directory_cache_put_ref(d->cache, ck, dir_monotonic(), out);
		if (log != NULL)
			snprintf(log->detail, sizeof(log->detail),
			    "'%.200s' authenticated as '%.280s'", user, out->dn);
	} else {
		principal_clear(out);
	}
	gnutls_memset(ck, 0, sizeof(ck));
	return rc;
}

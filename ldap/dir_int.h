/*
 * Internals shared by the files of ldap/: the directory object, the
 * connection lease that runs one operation chain with one retry after a
 * lost connection, and the search helper. Not for use outside ldap/.
 */
#ifndef ENTCA_LDAP_DIR_INT_H
#define ENTCA_LDAP_DIR_INT_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include <ldap.h>

#include "ldap/cache.h"
#include "ldap/directory.h"
#include "ldap/recheck.h"

#define DIR_FILTER_MAX 4096	/* bytes of one search filter we build */
#define DIR_CHAIN_OPS 4		/* a call's searches share 4 x op_timeout */

struct dir_conn {
	LDAP *ld;		/* NULL until opened, or after it was lost */
	int uri;		/* index of the URI it is connected to */
	bool busy;		/* leased to a thread */
};

struct directory {
	char *uris_buf;		/* owns the strings uris[] points into */
	char *uris[DIRECTORY_URIS_MAX];
	size_t n_uris;
	char *base, *bind_dn, *bind_password, *domain, *realm, *ca_file;
	int tls, network_timeout_ms, op_timeout_ms;
	directory_now_cb now;

	pthread_mutex_t mu;	/* guards everything below */
	pthread_cond_t cv;	/* a connection was returned */
	struct dir_conn *pool;
	size_t pool_size;
	int next_uri;		/* where failover starts: the last good URI */
	int is_ad;		/* -1 unknown, 0 OpenLDAP-like, 1 AD (tokenGroups) */
	char domain_sid[PRINCIPAL_SID_MAX]; /* empty until known */
	char netbios[PRINCIPAL_DOMAIN_MAX]; /* NetBIOS domain name, once known */
	bool netbios_known;	/* netbios was read (it may be empty) */

	struct directory_cache *cache;
	int recheck_s;			/* see directory_config.recheck_s */
	bool sigpipe_ignored;		/* see directory_config */
	struct dir_recheck_gate gates[DIR_RECHECK_GATES]; /* shared re-reads */
};

/* One operation chain on one leased connection. */
struct dir_ctx {
	struct directory *d;
	LDAP *ld;
	int uri;
	bool lost;		/* the server went away: reconnect and retry */
	bool broken;		/* unusable (timeout): close, do not retry */
	int64_t deadline_ms;	/* monotonic end of this call's search budget */
	const char *groups_path;	/* static text: how groups were found */
};

typedef int (*dir_op_cb)(struct dir_ctx *x, void *arg, char *why,
    size_t whylen);

/*
 * Lease a pooled connection (opening it with failover if needed), run op,
 * and if the connection turned out dead and was not fresh, reopen and run
 * op once more. Returns op's code or the lease's CA_EUNAVAIL/CA_ETIMEOUT.
 */
int dir_run(struct directory *d, dir_op_cb op, void *arg, char *why,
    size_t whylen);

/*
 * Open a connection to uri index first (then the others in order when
 * failover is true), set TLS, and bind as dn/password (NULL dn: no bind).
 * Returns CA_OK with *ld and *used, CA_EAUTH if the bind was refused
 * (why carries the server's diagnostic), CA_EUNAVAIL, CA_ETIMEOUT.
 */
int dir_open(struct directory *d, int first, bool failover, const char *dn,
    const char *password, LDAP **ld, int *used, char *why, size_t whylen);

/*
 * Search with the operation timeout. Returns CA_OK with *res (zero or
 * more entries; free with ldap_msgfree), CA_ENOTFOUND when base does not
 * exist, CA_ETOOBIG past sizelimit, CA_EUNAVAIL (x->lost set),
 * CA_ETIMEOUT (x->broken set), CA_EDENIED, CA_EIO.
 */
int dir_search(struct dir_ctx *x, const char *base, int scope,
    const char *filter, char **attrs, int sizelimit, LDAPMessage **res,
    char *why, size_t whylen);

/*
 * Block SIGPIPE in the calling thread around network I/O, then discard a
 * pending one and restore the mask (see pool.c).
 */
void dir_sigpipe_block(sigset_t *old);
void dir_sigpipe_restore(const sigset_t *old);

/* Translate a libldap result code into the project enum. */
int dir_ldap_code(int lrc);

/* The code of a failed write, marking x lost or broken (search.c). */
int dir_write_code(struct dir_ctx *x, int lrc);

/* Monotonic seconds, the cache's unit (directory.c). */
int64_t dir_monotonic(void);

/* Milliseconds as a struct timeval, for libldap's timeouts (search.c). */
struct timeval dir_timeval(int ms);

/* The server's diagnostic for the last operation on ld, or "" (search.c). */
void dir_diag_copy(LDAP *ld, char *out, size_t outlen);

/*
 * On a fresh connection while the server's kind is unknown: learn whether
 * it is Active Directory, then read the domain's NetBIOS name and SID
 * (domain.c). Failures leave them to be read on demand.
 */
void dir_learn_domain(struct directory *d, LDAP *ld, int uri);

/* The domain SID (config, or objectSid of the base, read once). */
int dir_domain_sid(struct dir_ctx *x, char *out, size_t outlen, char *why,
    size_t whylen);

/*
 * The NetBIOS name of the domain: [directory] domain when configured, else
 * nETBIOSName of the crossRef whose nCName is the base, under
 * CN=Partitions in the configuration naming context (read once). "" when
 * the directory has none. Returns CA_OK or a search error.
 */
int dir_domain_netbios(struct dir_ctx *x, char *out, size_t outlen,
    char *why, size_t whylen);

/*
 * Is the account a cached authentication names still usable? One
 * base-scope read of its entry: CA_OK, CA_EAUTH (gone, replaced, disabled,
 * locked or expired; why says which), or a search error. Bounds what the
 * cache may serve: never an account that was disabled since.
 */
int dir_account_recheck(struct directory *d, const struct principal *p,
    char *why, size_t whylen);

/* Attributes read for every principal. */
extern char *dir_principal_attrs[];

/*
 * Fill p from a search entry: identifiers, flags, and transitive groups.
 * Returns CA_OK or an error from the group searches.
 */
int dir_principal_fill(struct dir_ctx *x, LDAPMessage *entry,
    struct principal *p, char *why, size_t whylen);

/*
 * Search under the base for exactly one principal matching filter and
 * fill p. Returns CA_OK, CA_ENOTFOUND (why says none or several), or a
 * search error.
 */
int dir_find_one(struct dir_ctx *x, const char *filter, struct principal *p,
    char *why, size_t whylen);

/*
 * Resolve a name as typed (NAME, DOMAIN\NAME, name@realm, UPN, DN) to one
 * entry; accounts_only leaves groups out. Returns CA_OK with *res (free
 * with ldap_msgfree) and *entry inside it, CA_ENOTFOUND (no match),
 * CA_ETOOBIG (several match), CA_EPARSE (malformed or foreign domain), or
 * a search error.
 */
int dir_resolve(struct dir_ctx *x, const char *name, bool accounts_only,
    LDAPMessage **res, LDAPMessage **entry, char *why, size_t whylen);

/*
 * Add the transitive groups of entry e to p: tokenGroups on AD, else
 * memberOf expanded (cycle-safe), plus the primary group and the
 * well-known Everyone and Authenticated Users.
 */
int dir_groups_fill(struct dir_ctx *x, LDAPMessage *e, struct principal *p,
    char *why, size_t whylen);

/*
 * The reason behind an AD bind refusal, from the "data NNN" of its
 * diagnostic (533 disabled, 775 locked, 701/532 expired, else a bad
 * password).
 */
enum directory_auth_reason dir_ad_bind_reason(const char *diag);

/*
 * After a TLS failure on uri: fetch the server's certificate on a probe
 * connection that sends nothing, verify it against the configured CA file
 * and host, and put the verdict in out ("the server certificate (CN=...)
 * failed verification against ca-file X for host Y: The certificate
 * issuer is unknown."). out is empty when the failure is not about the
 * certificate. Worker threads (ldap/tlsdiag.c).
 */
void dir_tls_diagnose(struct directory *d, const char *uri, char *out,
    size_t outlen);

/* True once a connection found the server to be Active Directory. */
bool dir_is_ad(struct directory *d);

/* Fold msDS-User-Account-Control-Computed's lockout/expiry bits into p. */
void dir_apply_computed_uac(struct principal *p, int64_t computed);

/* Normalise a DN to its LDAPv3 string; false if it does not parse or fit. */
bool dir_dn_norm(const char *in, char *out, size_t outlen);

/* True if dn parses and lies at or below the directory base. */
bool dir_dn_under_base(struct directory *d, const char *dn);

/* A single-valued attribute of entry copied into out; false if absent. */
bool dir_attr_str(LDAP *ld, LDAPMessage *e, const char *attr, char *out,
    size_t outlen);

#endif

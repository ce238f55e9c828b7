/*
 * The directory: who someone is, as Active Directory, Samba AD or OpenLDAP
 * says. ldap/ owns a pool of libldap connections (failover across URIs,
 * reconnect after a server restart, StartTLS/LDAPS with CA verification,
 * network and per-operation timeouts), password authentication by search
 * and bind, principal lookup with transitive groups, certificate-to-account
 * mapping and CRL publication, a cache of successes, and the start-up
 * checks of allow/deny names and of what the service account can read.
 *
 * Threads: every call here BLOCKS on the network (up to the configured
 * timeouts) and is meant for worker threads, never for the libevent loop.
 * All functions taking a struct directory are thread-safe: connections are
 * leased from the pool under a mutex, one thread per connection at a time,
 * and the cache has its own lock. directory_new and directory_free must
 * not race with other calls on the same object. A server that vanishes
 * makes libldap/GnuTLS write to a dead socket: the calling thread blocks
 * SIGPIPE during each call and discards it, so the process survives even
 * if it does not ignore SIGPIPE itself (entcad should anyway).
 *
 * Return codes (common/error.h): CA_OK; CA_EAUTH for any refused
 * authentication (why is always DIRECTORY_AUTH_FAILED, the log detail tells
 * the cases apart); CA_ENOTFOUND when a lookup or mapping finds no single
 * principal; CA_EUNAVAIL when no server answers (why names each URI and
 * what went wrong); CA_ETIMEOUT when an operation ran past op_timeout_ms;
 * CA_EINVAL / CA_ECONFIG / CA_EPARSE / CA_ETOOBIG / CA_EDENIED / CA_ENOMEM
 * as usual. why buffers should be CA_WHY_MAX bytes.
 */
#ifndef ENTCA_LDAP_DIRECTORY_H
#define ENTCA_LDAP_DIRECTORY_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "policy/principal.h"

#define DIRECTORY_URIS_MAX 8		/* URIs in the failover list */
#define DIRECTORY_POOL_MAX 64		/* connections per directory */
#define DIRECTORY_USER_MAX 512		/* bytes of a user name as typed */
#define DIRECTORY_PASSWORD_MAX 1024	/* bytes of a password */
#define DIRECTORY_CERT_MAX 65536	/* bytes of a DER certificate */
#define DIRECTORY_RECHECK_MAX 60	/* seconds a cached login may skip
					 * re-reading its account's state */
#define DIRECTORY_CRL_MAX (64 * 1024 * 1024) /* bytes of a published CRL */

/* The one sentence clients get for every failed authentication. */
#define DIRECTORY_AUTH_FAILED "invalid credentials"

enum directory_tls {
	DIRECTORY_TLS_STARTTLS = 0,	/* ldap:// + StartTLS, CA verified */
	DIRECTORY_TLS_LDAPS,		/* ldaps:// URIs, CA verified */
	DIRECTORY_TLS_NONE_LOOPBACK_ONLY, /* plain; every host must be loopback */
	DIRECTORY_TLS_COUNT
};

enum directory_key {
	DIRECTORY_BY_UPN = 0,	/* userPrincipalName, or sAMAccountName@realm */
	DIRECTORY_BY_SAM,	/* sAMAccountName, optionally DOMAIN\ first */
	DIRECTORY_BY_SID,	/* "S-1-5-21-..." */
	DIRECTORY_BY_DN,	/* distinguished name under the base */
	DIRECTORY_BY_DNS,	/* dNSHostName */
	DIRECTORY_BY_ANY,	/* guessed from the form of the value */
	DIRECTORY_KEY_COUNT
};

/* Why an authentication failed, for the log only. */
enum directory_auth_reason {
	DIRECTORY_AUTH_OK = 0,
	DIRECTORY_AUTH_EMPTY_PASSWORD,	/* refused before any network */
	DIRECTORY_AUTH_MALFORMED,	/* name too long, control bytes, wrong domain */
	DIRECTORY_AUTH_UNKNOWN_USER,	/* no account with that name */
	DIRECTORY_AUTH_AMBIGUOUS,	/* the name matches several accounts */
	DIRECTORY_AUTH_BAD_PASSWORD,	/* the bind was refused */
	DIRECTORY_AUTH_DISABLED,	/* userAccountControl ACCOUNTDISABLE */
	DIRECTORY_AUTH_LOCKED,		/* lockoutTime set or UF_LOCKOUT */
	DIRECTORY_AUTH_EXPIRED,		/* accountExpires passed, password expired */
	DIRECTORY_AUTH_PASSWORD_EXPIRED,	/* AD data 532 */
	DIRECTORY_AUTH_MUST_CHANGE,	/* AD data 773: must reset the password */
	DIRECTORY_AUTH_LOGON_HOURS,	/* AD data 530: outside logon hours */
	DIRECTORY_AUTH_WORKSTATION,	/* AD data 531: not from this workstation */
	DIRECTORY_AUTH_REASON_COUNT
};

/* What the log may know about one authentication; never sent to clients. */
struct directory_auth_log {
	enum directory_auth_reason reason;
	int cached;			/* 1 if answered from the cache */
	char dn[PRINCIPAL_DN_MAX];	/* the account's DN when it was found */
	char detail[CA_WHY_MAX];	/* one sentence, no password */
	const char *groups_path;	/* static: "tokenGroups", "memberOf walk"; NULL if cached */
};

/* Wall-clock seconds since the epoch; lets tests pin "now". */
typedef int64_t (*directory_now_cb)(void);

struct directory_config {
	const char *uris;	/* space-separated, tried in order */
	const char *base;	/* e.g. dc=demo,dc=example */
	const char *bind_dn;	/* service account; NULL = anonymous */
	const char *bind_password;
	const char *domain;	/* NetBIOS name, e.g. DEMO; NULL: no DOMAIN\ form */
	const char *realm;	/* DNS name, e.g. demo.example; NULL: no name@realm */
	const char *domain_sid;	/* optional; else objectSid of the base */
	int tls;		/* enum directory_tls */
	const char *ca_file;	/* PEM CA bundle; NULL = libldap's default */
	int network_timeout_ms;	/* connect; 0 = 3000 */
	int op_timeout_ms;	/* each LDAP operation; 0 = 5000 */
	int cache_ttl_s;	/* 0 = 60; negative = no cache */
	int cache_max;		/* entries; 0 = 1024 */
	int recheck_s;		/* a cached login re-reads its account's state
				 * when older than this; 0 = at every use */
	int pool_size;		/* connections; 0 = 4 */
	directory_now_cb now;	/* NULL = time() */
	bool sigpipe_ignored;	/* the process ignores SIGPIPE for good (entcad
				 * does): skip the per-call mask and drain */
};

struct directory;

/*
 * Check cfg and make a directory handle. Copies every string (password
 * copies are wiped on free); no connection is opened yet. Refuses a TLS
 * mode that does not fit the URIs, and plain LDAP unless every host is
 * 127.x, ::1 or localhost. Returns CA_OK, CA_ECONFIG (why says which
 * setting) or CA_ENOMEM. Free with directory_free().
 */
int directory_new(const struct directory_config *cfg, struct directory **out,
    char *why, size_t whylen);

/* Close all connections, wipe secrets and the cache; accepts NULL. */
void directory_free(struct directory *d);

/*
 * Check a user name and password. Forms: NAME$, DOMAIN\NAME, NAME@realm
 * (implicit UPN), a real UPN, or a DN under the base. The name is
 * resolved to exactly one entry by a search with the service account,
 * then bound as that DN on a separate connection; disabled, locked and
 * expired accounts are refused even when the bind succeeds. An empty
 * password is refused before any network. *out is output only (zeroed
 * first, never freed); on CA_OK it is filled and the caller releases it
 * with principal_clear(). On CA_EAUTH why is DIRECTORY_AUTH_FAILED and log
 * (may be NULL) tells what happened. Other codes: CA_EUNAVAIL,
 * CA_ETIMEOUT, CA_ENOMEM. Successes are cached for cache_ttl_s (at most
 * DIRECTORY_CACHE_TTL_MAX) under the user name folded to lower case, the
 * data keyed by the account's GUID/SID; a hit still reads the account's
 * state, so a disabled, locked, expired or deleted account is refused at
 * once, while a changed password or group membership takes effect within
 * cache_ttl_s (directory_cache_clear() makes it immediate). Security data
 * the service account cannot read (a group in memberOf, memberOf itself,
 * objectSid, userAccountControl) gives CA_EDENIED, never a shorter group
 * list; while the directory is down nothing is served from the cache.
 */
int directory_authenticate(struct directory *d, const char *user,
    const char *password, struct principal *out,
    struct directory_auth_log *log, char *why, size_t whylen);

/*
 * Find one principal by key (see enum directory_key) and fill *out with
 * its identifiers, account flags and transitive groups (including the
 * primary group and Everyone / Authenticated Users / BUILTIN\Users).
 * Returns CA_OK, CA_ENOTFOUND (none, or more than one), CA_EPARSE (value
 * malformed for the key), CA_EDENIED (its security data cannot be read:
 * why says what), CA_EUNAVAIL, CA_ETIMEOUT, CA_ENOMEM. Cached like
 * directory_authenticate, without the state re-read.
 */
int directory_lookup(struct directory *d, enum directory_key key,
    const char *value, struct principal *out, char *why, size_t whylen);

/*
 * Map a certificate (DER) to its account: by the SID extension
 * 1.3.6.1.4.1.311.25.2 when present (authoritative), else by the strong
 * altSecurityIdentities forms X509:<I>issuer<SR>serial, X509:<SKI>hex and
 * X509:<SHA1-PUKEY>hex. The caller must have verified the certificate
 * chain first. Returns CA_OK, CA_EPARSE (certificate or extension
 * malformed), CA_ENOTFOUND, CA_EUNAVAIL, CA_ETIMEOUT, CA_ENOMEM.
 */
int directory_map_certificate(struct directory *d, const unsigned char *der,
    size_t der_len, struct principal *out, char *why, size_t whylen);

/*
 * Replace certificateRevocationList (delta = 0) or deltaRevocationList
 * (delta = 1) of the entry dn with der, in the form the server's schema
 * wants: with ;binary on OpenLDAP, without on Active Directory and Samba
 * AD (whose schema has no such option). Returns CA_OK, CA_ENOTFOUND (no
 * such entry), CA_EDENIED (the service account may not write there),
 * CA_EUNAVAIL, CA_ETIMEOUT, CA_EIO.
 */
int directory_publish_crl(struct directory *d, const char *dn, int delta,
    const unsigned char *der, size_t len, char *why, size_t whylen);

/*
 * Resolve one allow/deny principal text as the CA would match it (see
 * policy/rights.h): a SID (checked for syntax), a well-known name (to its
 * SID; domain groups need the domain SID), NETBIOS\name (NETBIOS must be
 * the domain's NetBIOS name or DNS name; name must exist), a DN, or an
 * account or group name; the entry found must show a readable objectSid,
 * and a group its members' memberOf back links. sid receives the SID text
 * (PRINCIPAL_SID_MAX). Returns CA_OK, CA_ENOTFOUND (nothing, or several,
 * match: why says which), CA_EDENIED (found but its security data cannot
 * be read), CA_EUNAVAIL, CA_ETIMEOUT.
 */
int directory_resolve_principal(struct directory *d, const char *text,
    char *sid, size_t sidlen, char *why, size_t whylen);

/*
 * Check that the service account can read what the CA decides on:
 * objectSid and userAccountControl of accounts, memberOf back links of
 * group members (or tokenGroups on AD). Returns CA_OK, CA_EDENIED with
 * why naming every missing item, or a search error.
 */
int directory_check_access(struct directory *d, char *why, size_t whylen);

/*
 * Replace the certificate-syntax attribute attr (a bare name such as
 * cACertificate or userCertificate, no options) of dn with der, adding
 * ;binary only where the server's schema needs it. Same returns as
 * directory_publish_crl. Worker thread.
 */
int directory_publish_binary(struct directory *d, const char *dn,
    const char *attr, const unsigned char *der, size_t len, char *why,
    size_t whylen);

/*
 * The attribute description this directory uses for attr: "attr;binary"
 * on OpenLDAP-like servers, "attr" on AD (known once a connection was
 * opened; before that, the OpenLDAP form). CA_OK or CA_ETOOBIG.
 */
int directory_binary_attr(struct directory *d, const char *attr, char *out,
    size_t outlen);

/*
 * Add the certificate der to userCertificate of the entry dn (";binary" on
 * OpenLDAP, none on Active Directory); a value already there counts as
 * published. Worker threads. CA_OK, CA_EINVAL (not a DN), CA_ETOOBIG,
 * CA_EUNAVAIL/CA_ETIMEOUT, or CA_EIO (refused: why says by what).
 */
int directory_publish_user_cert(struct directory *d, const char *dn,
    const unsigned char *der, size_t len, char *why, size_t whylen);

/*
 * The change stamp of the entry dn, to tell later whether anybody wrote
 * it since: "<server URI> uSNChanged=<n>" (AD, Samba) or "<server URI>
 * entryCSN=<csn>" (OpenLDAP), or "" when the server shows neither (then
 * no comparison is possible). The URI is part of it because uSNChanged
 * counts per server. CA_OK, CA_ENOTFOUND, or a search error. Worker
 * threads.
 */
#define DIRECTORY_STAMP_MAX 512
int directory_entry_stamp(struct directory *d, const char *dn, char *out,
    size_t outlen, char *why, size_t whylen);

/* Drop every cached success (after a policy change, or in tests). */
void directory_cache_clear(struct directory *d);

/*
 * Find the one account (user or computer) whose mail attribute is value,
 * as directory_lookup() does for its keys: CA_OK (release *out with
 * principal_clear()), CA_ENOTFOUND (none, or more than one), CA_EPARSE,
 * CA_EUNAVAIL, CA_ETIMEOUT, CA_ENOMEM. Worker threads only.
 */
int directory_lookup_mail(struct directory *d, const char *value,
    struct principal *out, char *why, size_t whylen);

/* Static names for messages. */
const char *directory_auth_reason_name(enum directory_auth_reason r);
const char *directory_key_name(enum directory_key k);

#endif

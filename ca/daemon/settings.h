/*
 * entcad.conf: the daemon's configuration, parsed with inih into one plain
 * struct. Errors name the file, the line and the key, and say what was
 * expected. Loaded at start and on SIGHUP (on the loop thread; the file is
 * small and read once — the only file I/O the loop does, see entcad.c).
 */
#ifndef ENTCA_CA_SETTINGS_H
#define ENTCA_CA_SETTINGS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "templates/template.h"

#define CONFIG_STR_MAX 512	/* any single value */
#define CONFIG_LIST_MAX 16	/* URLs, URIs */
#define CONFIG_ISSUE_MAX 64	/* issue-templates entries */
#define CONFIG_ACE_MAX 64	/* CA [security] entries */
#define CONFIG_SIGNER_USER_DEFAULT "entca-signer"	/* [ca] signer-user */

enum config_dir_tls {
	CONFIG_DIR_TLS_STARTTLS = 0,
	CONFIG_DIR_TLS_LDAPS,
	CONFIG_DIR_TLS_NONE_LOOPBACK_ONLY,
	CONFIG_DIR_TLS_COUNT
};

/* [est] serverkeygen-pool bound (the pool's EST_KEYPOOL_MAX is the same). */
#define CONFIG_SERVERKEYGEN_POOL_MAX 64

struct ca_config {
	char path[PATH_MAX];

	/* [ca] */
	char name[TMPL_NAME_MAX];		/* CA name: /aia/<name>.crt, /crl/<name>.crl */
	char state_dir[PATH_MAX];
	char templates_dir[PATH_MAX];
	char user[64];				/* drop to this user when root */
	char pid_file[PATH_MAX];
	size_t n_issue;
	char issue_templates[CONFIG_ISSUE_MAX][TMPL_NAME_MAX];
	char default_template[TMPL_NAME_MAX];
	unsigned workers;
	bool sid_url_san;			/* no: no SID SAN URL CA-wide */
	char signer_user[64];			/* the signer's own account when root */
	char pkcs11_pin_file[PATH_MAX];		/* token PIN for the signer, or "" */
	unsigned signers;			/* signer children; 0: one per core */

	/* [http] */
	char listen[CONFIG_STR_MAX];
	char tls_cert[PATH_MAX];
	char tls_key[PATH_MAX];
	char client_ca[PATH_MAX];
	size_t max_body;
	unsigned timeout_s;
	char public_url[CONFIG_STR_MAX];	/* base for CDP/AIA, e.g. http://ca.example */
	char crl_listen[CONFIG_STR_MAX];	/* plain HTTP for /crl/ and /aia/, or "" */
	unsigned max_connections;		/* per listener, all sources */
	unsigned max_conn_per_source;		/* per IPv4 address / IPv6 /64 */
	unsigned handshake_timeout_s;		/* TCP accept .. TLS handshake done */
	/* certificate login scope (README: Security model): templates whose
	 * certificates log in beyond renewing themselves, and whether such a
	 * login may carry Manage CA and auditor rights */
	size_t n_login_templates;
	char login_templates[CONFIG_ISSUE_MAX][TMPL_NAME_MAX];
	bool certificate_admin;
	bool metrics;				/* serve /metrics (no login) */

	/* [directory] */
	bool directory_enabled;
	char dir_uris[CONFIG_STR_MAX];
	char dir_base[CONFIG_STR_MAX];
	char dir_bind_dn[CONFIG_STR_MAX];
	char dir_bind_password_file[PATH_MAX];
	char dir_domain[64];
	char dir_realm[256];
	char dir_domain_sid[192];
	enum config_dir_tls dir_tls;
	char dir_ca_file[PATH_MAX];
	unsigned dir_timeout_ms;
	unsigned dir_op_timeout_ms;
	unsigned dir_cache_ttl_s;
	unsigned dir_recheck_s;			/* [directory] recheck-interval */
	unsigned dir_pool;

	/* [crl] */
	int64_t crl_period_s;
	int64_t delta_period_s;
	int64_t crl_overlap_s;			/* 0: derived */
	size_t n_cdp;
	char cdp_urls[CONFIG_LIST_MAX][CONFIG_STR_MAX];
	size_t n_aia;
	char aia_urls[CONFIG_LIST_MAX][CONFIG_STR_MAX];
	char crl_publish_dn[CONFIG_STR_MAX];	/* CDP object in the directory */

	/* [security] */
	size_t n_aces;
	struct tmpl_ace aces[CONFIG_ACE_MAX];

	/* [log] */
	int log_level;
	bool log_syslog;
	bool log_json;			/* [log] format = json */

	/* [store] */
	size_t store_max_size;			/* LMDB map ceiling, bytes */
	/* [est] */
	unsigned pfx_min_password_length;	/* PKCS#12 passwords, characters */
	/* [est] */
	bool est_csrattrs_auth;		/* csrattrs only with credentials */

	/* [ocsp] (issue 16) */
	bool ocsp_enabled;			/* serve /ocsp, AIA id-ad-ocsp */
	char ocsp_url[CONFIG_STR_MAX];		/* AIA URL; default <public-url>/ocsp */
	int64_t ocsp_validity_s;		/* nextUpdate - thisUpdate */
	int64_t ocsp_refresh_s;			/* re-sign a cached response after */
	unsigned ocsp_max_certs;		/* CertIDs per request */
	unsigned ocsp_nonce_max;		/* nonce bytes (RFC 8954) */
	size_t ocsp_max_request;		/* request bytes, else 413 */
	bool ocsp_sign_with_ca;			/* no delegated certificate */
	int64_t ocsp_signer_validity_s;		/* delegated certificate */
	int64_t ocsp_signer_renew_s;		/* renew it this long after notBefore */
	unsigned ocsp_cache_max;		/* pre-signed responses kept */
	unsigned serverkeygen_pool;	/* keys made ahead per kind; 0: none */
	/* [scep] */
	bool scep_enabled;			/* serve SCEP, keep an RA certificate */
	char scep_default_template[TMPL_NAME_MAX];	/* the NDES path's template */
	int64_t scep_challenge_lifetime_s;	/* one-time challenges live this long */
	bool scep_allow_3des;			/* accept 3DES envelopes (old clients) */
	bool scep_allow_sha1;			/* accept SHA-1 message signatures */
	bool scep_allow_des;			/* accept single-DES envelopes */
	int64_t scep_ra_validity_s;		/* RA certificate lifetime */
	int64_t scep_ra_renew_s;		/* renew when less than this is left */
};

/*
 * Parse path into cfg (overwritten; defaults first). On error returns
 * CA_ECONFIG (or CA_EIO if unreadable) and why reads
 * "entcad.conf line 12: [crl] period: expected a duration like 7d, got "x"".
 */
int config_load(const char *path, struct ca_config *cfg, char *why,
    size_t whylen);

/* Fill cfg with the defaults; used by config_load and tests. */
void config_defaults(struct ca_config *cfg);

/* True if name is in the CA's issue-templates list (case-insensitive). */
bool config_issues_template(const struct ca_config *cfg, const char *name);

/* Is name in [http] login-templates (case-insensitive)? */
bool config_login_template(const struct ca_config *cfg, const char *name);

#endif

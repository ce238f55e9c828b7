/*
 * entcad.conf parser (see config.h). inih calls config_handler once per
 * "key = value" line; on the first bad line the handler writes its reason
 * and returns 0, and ini_parse hands back that line number, which is how
 * every message names file and line.
 */
#include <errno.h>
#include <ini.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"
#include "ca/daemon/settings.h"
#include "ca/signer/signer.h"
#include "ldap/directory.h"
#include "common/log.h"
#include "common/value.h"
#include "policy/rights.h"

/* Longest [crl] duration: ten years, as the CRL schedule allows. */
#define CONFIG_DURATION_MAX ((int64_t)3660 * 86400)

struct config_ctx {
	struct ca_config *cfg;
	char why[CA_WHY_MAX];
};

/* Copy a value into a fixed field; false if it does not fit. */
static bool
set_str(char *dst, size_t len, const char *v)
{
	size_t n = strlen(v);

	if (n >= len)
		return false;
	memcpy(dst, v, n + 1);
	return true;
}

/* Parse an unsigned integer within [lo, hi]. */
static int
parse_uint(const char *v, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long n;

	if (*v == '-' || *v == '\0')
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

/* Split a comma/space separated list into fixed slots. */
static int
parse_list(const char *v, char (*slots)[TMPL_NAME_MAX], size_t max, size_t *n)
{
	char buf[4096];
	char *save = NULL, *tok;

	if (!set_str(buf, sizeof(buf), v))
		return -1;
	*n = 0;
	for (tok = strtok_r(buf, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (*n >= max || strlen(tok) >= TMPL_NAME_MAX)
			return -1;
		memcpy(slots[(*n)++], tok, strlen(tok) + 1);
	}
	return 0;
}

/* Append one URL to a list (one key line per URL). */
static int
add_url(char (*slots)[CONFIG_STR_MAX], size_t *n, const char *v)
{
	if (*n >= CONFIG_LIST_MAX || strlen(v) >= CONFIG_STR_MAX ||
	    (strncmp(v, "http://", 7) != 0 && strncmp(v, "ldap://", 7) != 0 &&
	    strncmp(v, "https://", 8) != 0))
		return -1;
	memcpy(slots[(*n)++], v, strlen(v) + 1);
	return 0;
}

#define BAD(...) do { snprintf(ctx->why, sizeof(ctx->why), __VA_ARGS__); return 0; } while (0)

/* [ca] keys. */
static int
handle_ca(struct config_ctx *ctx, const char *k, const char *v)
{
	struct ca_config *c = ctx->cfg;
	unsigned long n;

	if (strcmp(k, "name") == 0) {
		if (*v == '\0' || strpbrk(v, "/\\ ") != NULL || !set_str(c->name, sizeof(c->name), v))
			BAD("[ca] name: expected a CA name without spaces or slashes, got \"%s\"", v);
	} else if (strcmp(k, "state-dir") == 0) {
		if (!set_str(c->state_dir, sizeof(c->state_dir), v) || *v != '/')
			BAD("[ca] state-dir: expected an absolute path, got \"%s\"", v);
	} else if (strcmp(k, "templates-dir") == 0) {
		if (!set_str(c->templates_dir, sizeof(c->templates_dir), v) || *v != '/')
			BAD("[ca] templates-dir: expected an absolute path, got \"%s\"", v);
	} else if (strcmp(k, "user") == 0) {
		if (!set_str(c->user, sizeof(c->user), v))
			BAD("[ca] user: name too long");
	} else if (strcmp(k, "pid-file") == 0) {
		if (!set_str(c->pid_file, sizeof(c->pid_file), v))
			BAD("[ca] pid-file: path too long");
	} else if (strcmp(k, "issue-templates") == 0) {
		if (parse_list(v, c->issue_templates, CONFIG_ISSUE_MAX, &c->n_issue) != 0)
			BAD("[ca] issue-templates: expected up to %d template names separated by commas", CONFIG_ISSUE_MAX);
	} else if (strcmp(k, "default-template") == 0) {
		if (!set_str(c->default_template, sizeof(c->default_template), v))
			BAD("[ca] default-template: name too long");
	} else if (strcmp(k, "workers") == 0) {
		if (parse_uint(v, 1, 64, &n) != 0)
			BAD("[ca] workers: expected 1..64, got \"%s\"", v);
		c->workers = (unsigned)n;
	} else if (strcmp(k, "sid-url-san") == 0) {
		if (value_bool_parse(v, &c->sid_url_san) != 0)
			BAD("[ca] sid-url-san: expected yes or no, got \"%s\"", v);
	} else if (strcmp(k, "signer-user") == 0) {
		if (*v == '\0' || !set_str(c->signer_user, sizeof(c->signer_user), v))
			BAD("[ca] signer-user: expected a user name, got \"%s\"", v);
	} else if (strcmp(k, "pkcs11-pin-file") == 0) {
		if (*v != '/' || !set_str(c->pkcs11_pin_file, sizeof(c->pkcs11_pin_file), v))
			BAD("[ca] pkcs11-pin-file: expected an absolute path, got \"%s\"", v);
	} else if (strcmp(k, "signers") == 0) {
		if (parse_uint(v, 0, SIGNER_LANES_MAX, &n) != 0)
			BAD("[ca] signers: expected 0 (one per core) or 1..%d, got \"%s\"",
			    SIGNER_LANES_MAX, v);
		c->signers = (unsigned)n;
	} else {
		BAD("[ca] %s: unknown key", k);
	}
	return 1;
}

/* [http] keys. */
static int
handle_http(struct config_ctx *ctx, const char *k, const char *v)
{
	struct ca_config *c = ctx->cfg;
	unsigned long n;

	if (strcmp(k, "listen") == 0) {
		if (strchr(v, ':') == NULL || !set_str(c->listen, sizeof(c->listen), v))
			BAD("[http] listen: expected ADDRESS:PORT, got \"%s\"", v);
	} else if (strcmp(k, "crl-listen") == 0) {
		if (strchr(v, ':') == NULL || !set_str(c->crl_listen, sizeof(c->crl_listen), v))
			BAD("[http] crl-listen: expected ADDRESS:PORT, got \"%s\"", v);
	} else if (strcmp(k, "tls-cert") == 0) {
		if (!set_str(c->tls_cert, sizeof(c->tls_cert), v))
			BAD("[http] tls-cert: path too long");
	} else if (strcmp(k, "tls-key") == 0) {
		if (!set_str(c->tls_key, sizeof(c->tls_key), v))
			BAD("[http] tls-key: path too long");
	} else if (strcmp(k, "client-ca") == 0) {
		if (!set_str(c->client_ca, sizeof(c->client_ca), v))
			BAD("[http] client-ca: path too long");
	} else if (strcmp(k, "max-body") == 0) {
		if (parse_uint(v, 1024, 16 * 1024 * 1024, &n) != 0)
			BAD("[http] max-body: expected 1024..16777216 bytes, got \"%s\"", v);
		c->max_body = n;
	} else if (strcmp(k, "timeout") == 0) {
		if (parse_uint(v, 1, 3600, &n) != 0)
			BAD("[http] timeout: expected 1..3600 seconds, got \"%s\"", v);
		c->timeout_s = (unsigned)n;
	} else if (strcmp(k, "public-url") == 0) {
		if ((strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) ||
		    !set_str(c->public_url, sizeof(c->public_url), v))
			BAD("[http] public-url: expected an http:// or https:// URL, got \"%s\"", v);
	} else if (strcmp(k, "max-connections") == 0) {
		if (parse_uint(v, 2, 65536, &n) != 0)
			BAD("[http] max-connections: expected 2..65536, got \"%s\"", v);
		c->max_connections = (unsigned)n;
	} else if (strcmp(k, "max-connections-per-source") == 0) {
		if (parse_uint(v, 1, 65536, &n) != 0)
			BAD("[http] max-connections-per-source: expected 1..65536, got \"%s\"", v);
		c->max_conn_per_source = (unsigned)n;
	} else if (strcmp(k, "handshake-timeout") == 0) {
		if (parse_uint(v, 1, 300, &n) != 0)
			BAD("[http] handshake-timeout: expected 1..300 seconds, got \"%s\"", v);
		c->handshake_timeout_s = (unsigned)n;
	} else if (strcmp(k, "login-templates") == 0) {
		if (parse_list(v, c->login_templates, CONFIG_ISSUE_MAX, &c->n_login_templates) != 0)
			BAD("[http] login-templates: expected up to %d template names separated by commas", CONFIG_ISSUE_MAX);
	} else if (strcmp(k, "certificate-admin") == 0) {
		if (value_bool_parse(v, &c->certificate_admin) != 0)
			BAD("[http] certificate-admin: expected yes or no, got \"%s\"", v);
	} else if (strcmp(k, "metrics") == 0) {
		if (value_bool_parse(v, &c->metrics) != 0)
			BAD("[http] metrics: expected yes or no, got \"%s\"", v);
	} else {
		BAD("[http] %s: unknown key", k);
	}
	return 1;
}

static const char *const dir_tls_names[CONFIG_DIR_TLS_COUNT] = {
	"starttls", "ldaps", "none-loopback-only"
};

/* [directory] keys. */
static int
handle_directory(struct config_ctx *ctx, const char *k, const char *v)
{
	struct ca_config *c = ctx->cfg;
	unsigned long n;
	size_t i;

	c->directory_enabled = true;
	if (strcmp(k, "uri") == 0) {
		if ((strncmp(v, "ldap://", 7) != 0 && strncmp(v, "ldaps://", 8) != 0) ||
		    !set_str(c->dir_uris, sizeof(c->dir_uris), v))
			BAD("[directory] uri: expected ldap:// or ldaps:// URIs, got \"%s\"", v);
	} else if (strcmp(k, "base") == 0) {
		if (strchr(v, '=') == NULL || !set_str(c->dir_base, sizeof(c->dir_base), v))
			BAD("[directory] base: expected a DN, got \"%s\"", v);
	} else if (strcmp(k, "bind-dn") == 0) {
		if (!set_str(c->dir_bind_dn, sizeof(c->dir_bind_dn), v))
			BAD("[directory] bind-dn: too long");
	} else if (strcmp(k, "bind-password-file") == 0) {
		if (!set_str(c->dir_bind_password_file, sizeof(c->dir_bind_password_file), v))
			BAD("[directory] bind-password-file: path too long");
	} else if (strcmp(k, "domain") == 0) {
		if (!set_str(c->dir_domain, sizeof(c->dir_domain), v))
			BAD("[directory] domain: too long");
	} else if (strcmp(k, "realm") == 0) {
		if (!set_str(c->dir_realm, sizeof(c->dir_realm), v))
			BAD("[directory] realm: too long");
	} else if (strcmp(k, "domain-sid") == 0) {
		if (strncmp(v, "S-1-5-21-", 9) != 0 || !set_str(c->dir_domain_sid, sizeof(c->dir_domain_sid), v))
			BAD("[directory] domain-sid: expected S-1-5-21-..., got \"%s\"", v);
	} else if (strcmp(k, "tls") == 0) {
		for (i = 0; i < CONFIG_DIR_TLS_COUNT; i++)
			if (strcmp(v, dir_tls_names[i]) == 0)
				break;
		if (i == CONFIG_DIR_TLS_COUNT)
			BAD("[directory] tls: expected starttls, ldaps or none-loopback-only, got \"%s\"", v);
		c->dir_tls = (enum config_dir_tls)i;
	} else if (strcmp(k, "ca-file") == 0) {
		if (!set_str(c->dir_ca_file, sizeof(c->dir_ca_file), v))
			BAD("[directory] ca-file: path too long");
	} else if (strcmp(k, "timeout") == 0 || strcmp(k, "op-timeout") == 0) {
		if (parse_uint(v, 50, 120000, &n) != 0)
			BAD("[directory] %s: expected 50..120000 milliseconds, got \"%s\"", k, v);
		if (strcmp(k, "timeout") == 0)
			c->dir_timeout_ms = (unsigned)n;
		else
			c->dir_op_timeout_ms = (unsigned)n;
	} else if (strcmp(k, "cache-ttl") == 0) {
		/* A cached answer outlives a disabled account or a removed
		 * membership by up to this long: bounded (README, Security model). */
		if (parse_uint(v, 0, 300, &n) != 0)
			BAD("[directory] cache-ttl: expected 0..300 seconds (0 = no cache), got \"%s\"", v);
		c->dir_cache_ttl_s = (unsigned)n;
	} else if (strcmp(k, "recheck-interval") == 0) {
		/* A disabled account keeps logging in from the cache up to this long. */
		if (parse_uint(v, 0, DIRECTORY_RECHECK_MAX, &n) != 0)
			BAD("[directory] recheck-interval: expected 0..%d seconds (0 = every login), got \"%s\"",
			    DIRECTORY_RECHECK_MAX, v);
		c->dir_recheck_s = (unsigned)n;
	} else if (strcmp(k, "pool") == 0) {
		if (parse_uint(v, 1, 64, &n) != 0)
			BAD("[directory] pool: expected 1..64, got \"%s\"", v);
		c->dir_pool = (unsigned)n;
	} else {
		BAD("[directory] %s: unknown key", k);
	}
	return 1;
}

/* [crl] keys. */
static int
handle_crl(struct config_ctx *ctx, const char *k, const char *v)
{
	struct ca_config *c = ctx->cfg;
	int64_t d;

	if (strcmp(k, "period") == 0 || strcmp(k, "delta-period") == 0 ||
	    strcmp(k, "overlap") == 0) {
		if (value_duration_parse(v, CONFIG_DURATION_MAX, &d) != CA_OK || d <= 0)
			BAD("[crl] %s: expected a duration like 7d, 12h or 30m, got \"%s\"", k, v);
		if (strcmp(k, "period") == 0)
			c->crl_period_s = d;
		else if (strcmp(k, "delta-period") == 0)
			c->delta_period_s = d;
		else
			c->crl_overlap_s = d;
	} else if (strcmp(k, "cdp-url") == 0) {
		if (add_url(c->cdp_urls, &c->n_cdp, v) != 0)
			BAD("[crl] cdp-url: expected an http:// or ldap:// URL (at most %d), got \"%s\"", CONFIG_LIST_MAX, v);
	} else if (strcmp(k, "aia-url") == 0) {
		if (add_url(c->aia_urls, &c->n_aia, v) != 0)
			BAD("[crl] aia-url: expected an http:// or ldap:// URL (at most %d), got \"%s\"", CONFIG_LIST_MAX, v);
	} else if (strcmp(k, "publish-dn") == 0) {
		if (strchr(v, '=') == NULL || !set_str(c->crl_publish_dn, sizeof(c->crl_publish_dn), v))
			BAD("[crl] publish-dn: expected the DN of the CDP object, got \"%s\"", v);
	} else {
		BAD("[crl] %s: unknown key", k);
	}
	return 1;
}

/* [security] allow/deny lines; rights are the CA's (policy/rights.h). */
static int
handle_security(struct config_ctx *ctx, const char *k, const char *v)
{
	struct ca_config *c = ctx->cfg;
	char why[CA_WHY_MAX / 2];
	bool deny;

	if (strcmp(k, "allow") == 0)
		deny = false;
	else if (strcmp(k, "deny") == 0)
		deny = true;
	else
		BAD("[security] %s: unknown key (expected allow or deny)", k);
	if (c->n_aces >= CONFIG_ACE_MAX)
		BAD("[security] %s: more than %d entries", k, CONFIG_ACE_MAX);
	if (template_parse_ace(v, deny, ca_right_names, CA_RIGHT_COUNT,
	    &c->aces[c->n_aces], why, sizeof(why)) != CA_OK)
		BAD("[security] %s: %s", k, why);
	c->n_aces++;
	return 1;
}

/* [log] keys. */
static int
handle_log(struct config_ctx *ctx, const char *k, const char *v)
{
	struct ca_config *c = ctx->cfg;

	if (strcmp(k, "level") == 0) {
		c->log_level = log_level_parse(v);
		if (c->log_level < 0)
			BAD("[log] level: expected error, warning, notice, info or debug, got \"%s\"", v);
	} else if (strcmp(k, "syslog") == 0) {
		if (value_bool_parse(v, &c->log_syslog) != 0)
			BAD("[log] syslog: expected yes or no, got \"%s\"", v);
	} else if (strcmp(k, "format") == 0) {
		if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0)
			BAD("[log] format: expected text or json, got \"%s\"", v);
		c->log_json = strcmp(v, "json") == 0;
	} else {
		BAD("[log] %s: unknown key", k);
	}
	return 1;
}

/* A size with an optional unit: 512M, 4G, 1T (powers of 1024), or bytes. */
static int
parse_size(const char *v, size_t *out)
{
	char *end;
	unsigned long long n;
	unsigned shift = 0;

	if (*v == '-' || *v == '\0')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0 || end == v)
		return -1;
	if (strcmp(end, "K") == 0 || strcmp(end, "k") == 0)
		shift = 10;
	else if (strcmp(end, "M") == 0)
		shift = 20;
	else if (strcmp(end, "G") == 0)
		shift = 30;
	else if (strcmp(end, "T") == 0)
		shift = 40;
	else if (*end != '\0')
		return -1;
	if (n > (SIZE_MAX >> shift))
		return -1;
	*out = (size_t)n << shift;
	return 0;
}

/* [store] keys. */
static int
handle_store(struct config_ctx *ctx, const char *k, const char *v)
{
	struct ca_config *c = ctx->cfg;
	size_t n;

	if (strcmp(k, "max-size") == 0) {
		if (parse_size(v, &n) != 0 || n < ((size_t)1 << 20))
			BAD("[store] max-size: expected a size of at least 1M like 512M or 64G, got \"%s\"", v);
		c->store_max_size = n;
	} else {
		BAD("[store] %s: unknown key", k);
	}
	return 1;
}

/* Longest minimum a PFX password policy may ask for (characters). */
#define CONFIG_PFX_MIN_MAX 128

/* [est] keys. */
static int
handle_est(struct config_ctx *ctx, const char *k, const char *v)
{
	struct ca_config *c = ctx->cfg;
	unsigned long n;

	if (strcmp(k, "pfx-min-password-length") == 0) {
		if (parse_uint(v, 1, CONFIG_PFX_MIN_MAX, &n) != 0)
			BAD("[est] pfx-min-password-length: expected 1..%d characters, got \"%s\"",
			    CONFIG_PFX_MIN_MAX, v);
		c->pfx_min_password_length = (unsigned)n;
	} else if (strcmp(k, "csrattrs-auth") == 0) {
		if (value_bool_parse(v, &c->est_csrattrs_auth) != 0)
			BAD("[est] csrattrs-auth: expected yes or no, got \"%s\"", v);
	} else if (strcmp(k, "serverkeygen-pool") == 0) {
		if (parse_uint(v, 0, CONFIG_SERVERKEYGEN_POOL_MAX, &n) != 0)
			BAD("[est] serverkeygen-pool: expected 0 (no pool) to %d keys, got \"%s\"",
			    CONFIG_SERVERKEYGEN_POOL_MAX, v);
		c->serverkeygen_pool = (unsigned)n;
	} else {
		BAD("[est] %s: unknown key", k);
	}
	return 1;
}

/* [ocsp] keys (issue 16; man/entcad.conf.5). */
static int
handle_ocsp(struct config_ctx *ctx, const char *k, const char *v)
{
	struct ca_config *c = ctx->cfg;
	unsigned long n;
	int64_t d;

	if (strcmp(k, "enabled") == 0) {
		if (value_bool_parse(v, &c->ocsp_enabled) != CA_OK)
			BAD("[ocsp] enabled: expected yes or no, got \"%s\"", v);
	} else if (strcmp(k, "url") == 0) {
		if (strncmp(v, "http://", 7) != 0 || !set_str(c->ocsp_url, sizeof(c->ocsp_url), v))
			BAD("[ocsp] url: expected an http:// URL (RFC 5019 §5), got \"%s\"", v);
	} else if (strcmp(k, "validity") == 0 || strcmp(k, "refresh") == 0 ||
	    strcmp(k, "signer-validity") == 0 || strcmp(k, "signer-renew") == 0) {
		if (value_duration_parse(v, CONFIG_DURATION_MAX, &d) != CA_OK || d < 10)
			BAD("[ocsp] %s: expected a duration of at least 10s like 1d, 12h or 30m, got \"%s\"", k, v);
		if (strcmp(k, "validity") == 0)
			c->ocsp_validity_s = d;
		else if (strcmp(k, "refresh") == 0)
			c->ocsp_refresh_s = d;
		else if (strcmp(k, "signer-validity") == 0)
			c->ocsp_signer_validity_s = d;
		else
			c->ocsp_signer_renew_s = d;
	} else if (strcmp(k, "max-certs-per-request") == 0) {
		if (parse_uint(v, 1, 256, &n) != 0)
			BAD("[ocsp] max-certs-per-request: expected 1..256, got \"%s\"", v);
		c->ocsp_max_certs = (unsigned)n;
	} else if (strcmp(k, "nonce-max-length") == 0) {
		if (parse_uint(v, 1, 128, &n) != 0)
			BAD("[ocsp] nonce-max-length: expected 1..128 bytes, got \"%s\"", v);
		c->ocsp_nonce_max = (unsigned)n;
	} else if (strcmp(k, "max-request-size") == 0) {
		if (parse_uint(v, 64, 65536, &n) != 0)
			BAD("[ocsp] max-request-size: expected 64..65536 bytes, got \"%s\"", v);
		c->ocsp_max_request = n;
	} else if (strcmp(k, "sign-with") == 0) {
		if (strcmp(v, "ca") == 0)
			c->ocsp_sign_with_ca = true;
		else if (strcmp(v, "delegated") == 0)
			c->ocsp_sign_with_ca = false;
		else
			BAD("[ocsp] sign-with: expected delegated or ca, got \"%s\"", v);
	} else if (strcmp(k, "cache-size") == 0) {
		if (parse_uint(v, 0, 16777216, &n) != 0)
			BAD("[ocsp] cache-size: expected 0..16777216 responses, got \"%s\"", v);
		c->ocsp_cache_max = (unsigned)n;
	} else {
		BAD("[ocsp] %s: unknown key", k);
	}
	return 1;
}

/* [scep]: SCEP (RFC 8894) with one-time challenges. */
static int
handle_scep(struct config_ctx *ctx, const char *k, const char *v)
{
	struct ca_config *c = ctx->cfg;
	int64_t d;

	if (strcmp(k, "enabled") == 0) {
		if (value_bool_parse(v, &c->scep_enabled) != CA_OK)
			BAD("[scep] enabled: expected yes or no, got \"%s\"", v);
	} else if (strcmp(k, "default-template") == 0) {
		if (*v == '\0' || !set_str(c->scep_default_template,
		    sizeof(c->scep_default_template), v))
			BAD("[scep] default-template: expected a template name, got \"%s\"", v);
	} else if (strcmp(k, "challenge-lifetime") == 0) {
		if (value_duration_parse(v, CONFIG_DURATION_MAX, &d) != CA_OK || d < 1 || d > 30 * 86400)
			BAD("[scep] challenge-lifetime: expected a duration from 1s to 30d, got \"%s\"", v);
		c->scep_challenge_lifetime_s = d;
	} else if (strcmp(k, "allow-3des") == 0) {
		if (value_bool_parse(v, &c->scep_allow_3des) != CA_OK)
			BAD("[scep] allow-3des: expected yes or no, got \"%s\"", v);
	} else if (strcmp(k, "allow-des") == 0) {
		if (value_bool_parse(v, &c->scep_allow_des) != CA_OK)
			BAD("[scep] allow-des: expected yes or no, got \"%s\"", v);
	} else if (strcmp(k, "allow-sha1") == 0) {
		if (value_bool_parse(v, &c->scep_allow_sha1) != CA_OK)
			BAD("[scep] allow-sha1: expected yes or no, got \"%s\"", v);
	} else if (strcmp(k, "ra-validity") == 0) {
		if (value_duration_parse(v, CONFIG_DURATION_MAX, &d) != CA_OK || d < 86400 || d > 10 * 365 * 86400)
			BAD("[scep] ra-validity: expected a duration from 1d to 10y, got \"%s\"", v);
		c->scep_ra_validity_s = d;
	} else if (strcmp(k, "ra-renew-before") == 0) {
		if (value_duration_parse(v, CONFIG_DURATION_MAX, &d) != CA_OK || d < 3600)
			BAD("[scep] ra-renew-before: expected a duration of at least 1h, got \"%s\"", v);
		c->scep_ra_renew_s = d;
	} else {
		BAD("[scep] %s: unknown key", k);
	}
	return 1;
}

/* inih callback: route by section; 0 stops parsing at this line. */
static int
config_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct config_ctx *ctx = user;

	if (strcmp(section, "ca") == 0)
		return handle_ca(ctx, name, value);
	if (strcmp(section, "http") == 0)
		return handle_http(ctx, name, value);
	if (strcmp(section, "directory") == 0)
		return handle_directory(ctx, name, value);
	if (strcmp(section, "crl") == 0)
		return handle_crl(ctx, name, value);
	if (strcmp(section, "security") == 0)
		return handle_security(ctx, name, value);
	if (strcmp(section, "log") == 0)
		return handle_log(ctx, name, value);
	if (strcmp(section, "store") == 0)
		return handle_store(ctx, name, value);
	if (strcmp(section, "est") == 0)
		return handle_est(ctx, name, value);
	if (strcmp(section, "ocsp") == 0)
		return handle_ocsp(ctx, name, value);
	if (strcmp(section, "scep") == 0)
		return handle_scep(ctx, name, value);
	if (*section == '\0')
		BAD("%s: key outside any section", name);
	BAD("[%s]: unknown section (expected ca, http, directory, crl, security, log, store, est, ocsp, scep)", section);
}

/* Defaults for every key, before the file is read. */
void
config_defaults(struct ca_config *c)
{
	memset(c, 0, sizeof(*c));
	set_str(c->name, sizeof(c->name), "entca");
	set_str(c->state_dir, sizeof(c->state_dir), LOCALSTATEDIR "/lib/entca");
	set_str(c->templates_dir, sizeof(c->templates_dir), SYSCONFDIR "/entca/templates");
	set_str(c->listen, sizeof(c->listen), "127.0.0.1:8443");
	c->workers = 4;
	c->sid_url_san = true;	/* follow each template's san = sid-url */
	c->metrics = true;	/* /metrics on both listeners */
	c->max_body = 64 * 1024;
	c->timeout_s = 30;
	c->dir_tls = CONFIG_DIR_TLS_STARTTLS;
	c->dir_timeout_ms = 3000;
	c->dir_op_timeout_ms = 5000;
	c->dir_cache_ttl_s = 60;
	c->dir_pool = 4;
	c->crl_period_s = 7 * 86400;
	c->delta_period_s = 86400;
	c->log_level = LOG_LEVEL_INFO;
	c->max_connections = 512;
	c->max_conn_per_source = 64;
	c->handshake_timeout_s = 10;
	c->store_max_size = (size_t)64 << 30;
	c->pfx_min_password_length = 8;
	c->serverkeygen_pool = 4;
	c->scep_challenge_lifetime_s = 3600;	/* NDES: 60 minutes */
	c->scep_allow_sha1 = true;	/* scepclient and iOS sign with SHA-1 */
	c->scep_ra_validity_s = 2 * 365 * 86400;	/* NDES: two years */
	c->scep_ra_renew_s = 30 * 86400;
	set_str(c->signer_user, sizeof(c->signer_user), CONFIG_SIGNER_USER_DEFAULT);
	c->ocsp_enabled = true;
	c->ocsp_validity_s = 86400;
	c->ocsp_max_certs = 16;
	c->ocsp_nonce_max = 32;
	c->ocsp_max_request = 4096;
	c->ocsp_signer_validity_s = 7 * 86400;
	c->ocsp_cache_max = 1 << 20;
}

/* Checks that need the whole file: required keys and cross-key rules. */
static int
config_check(struct ca_config *c, char *why, size_t whylen)
{
	if (c->max_conn_per_source > c->max_connections)
		return ca_why(why, whylen, CA_ECONFIG,
		    "%s: [http] max-connections-per-source %u is more than "
		    "max-connections %u", c->path, c->max_conn_per_source,
		    c->max_connections);
	if (c->delta_period_s >= c->crl_period_s)
		return ca_why(why, whylen, CA_ECONFIG,
		    "%s: [crl] delta-period must be shorter than period", c->path);
	if (c->directory_enabled && (c->dir_uris[0] == '\0' || c->dir_base[0] == '\0'))
		return ca_why(why, whylen, CA_ECONFIG,
		    "%s: [directory] needs uri and base", c->path);
	if (c->default_template[0] != '\0' && !config_issues_template(c, c->default_template))
		return ca_why(why, whylen, CA_ECONFIG,
		    "%s: [ca] default-template \"%s\" is not in issue-templates",
		    c->path, c->default_template);
	if (c->user[0] != '\0' && strcmp(c->user, c->signer_user) == 0)
		return ca_why(why, whylen, CA_ECONFIG,
		    "%s: [ca] signer-user must differ from [ca] user (%s): the "
		    "network process must never hold the key file's account",
		    c->path, c->user);
	if ((c->tls_cert[0] == '\0' && snprintf(c->tls_cert, sizeof(c->tls_cert),
	    "%s/tls.crt", c->state_dir) >= (int)sizeof(c->tls_cert)) ||
	    (c->tls_key[0] == '\0' && snprintf(c->tls_key, sizeof(c->tls_key),
	    "%s/tls.key", c->state_dir) >= (int)sizeof(c->tls_key)))
		return ca_why(why, whylen, CA_ECONFIG, "%s: [ca] state-dir: path too long", c->path);
	/* CDP and AIA URLs are plain http (RFC 5280 §4.2.1.13): the plain
	 * listener when there is one. */
	if (c->public_url[0] == '\0' && snprintf(c->public_url, sizeof(c->public_url),
	    "%s://%s", c->crl_listen[0] ? "http" : "https",
	    c->crl_listen[0] ? c->crl_listen : c->listen) >= (int)sizeof(c->public_url))
		return ca_why(why, whylen, CA_ECONFIG, "%s: [http] listen: too long", c->path);
	if (c->n_cdp == 0) {
		if (snprintf(c->cdp_urls[0], CONFIG_STR_MAX, "%s/crl/%s.crl", c->public_url,
		    c->name) >= CONFIG_STR_MAX)
			return ca_why(why, whylen, CA_ECONFIG, "%s: [http] public-url: too long", c->path);
		c->n_cdp = 1;
	}
	if (c->n_aia == 0) {
		if (snprintf(c->aia_urls[0], CONFIG_STR_MAX, "%s/aia/%s.crt", c->public_url,
		    c->name) >= CONFIG_STR_MAX)
			return ca_why(why, whylen, CA_ECONFIG, "%s: [http] public-url: too long", c->path);
		c->n_aia = 1;
	}
	if (c->ocsp_enabled && c->ocsp_url[0] == '\0' && snprintf(c->ocsp_url,
	    sizeof(c->ocsp_url), "%s/ocsp", c->public_url) >= (int)sizeof(c->ocsp_url))
		return ca_why(why, whylen, CA_ECONFIG, "%s: [http] public-url: too long", c->path);
	/* 0 = half life (RFC 5019 §6.1: refresh before nextUpdate). */
	if (c->ocsp_refresh_s == 0)
		c->ocsp_refresh_s = c->ocsp_validity_s / 2;
	if (c->ocsp_signer_renew_s == 0)
		c->ocsp_signer_renew_s = c->ocsp_signer_validity_s / 2;
	if (c->ocsp_refresh_s > c->ocsp_validity_s)
		return ca_why(why, whylen, CA_ECONFIG,
		    "%s: [ocsp] refresh must not be longer than validity", c->path);
	if (c->ocsp_signer_renew_s >= c->ocsp_signer_validity_s)
		return ca_why(why, whylen, CA_ECONFIG,
		    "%s: [ocsp] signer-renew must be shorter than signer-validity", c->path);
	return CA_OK;
}

/* Defaults, then the file, then cross-key checks and derived URLs. */
int
config_load(const char *path, struct ca_config *cfg, char *why, size_t whylen)
{
	struct config_ctx ctx;
	FILE *f;
	int line;

	config_defaults(cfg);
	if (!set_str(cfg->path, sizeof(cfg->path), path))
		return ca_why(why, whylen, CA_ECONFIG, "%s: path too long", path);
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = cfg;
	f = fopen(path, "r");
	if (f == NULL)
		return ca_why(why, whylen, CA_EIO, "%s: %s", path, strerror(errno));
	line = ini_parse_file(f, config_handler, &ctx);
	fclose(f);
	if (line > 0) {
		if (ctx.why[0] == '\0')
			snprintf(ctx.why, sizeof(ctx.why), "syntax error (expected [section] or key = value)");
		return ca_why(why, whylen, CA_ECONFIG, "%s line %d: %s", path, line, ctx.why);
	}
	if (line < 0)
		return ca_why(why, whylen, CA_EIO, "%s: cannot read", path);
	return config_check(cfg, why, whylen);
}

/* "Certificate Templates to Issue": case-insensitive, as AD cn. */
bool
config_issues_template(const struct ca_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_issue; i++)
		if (strcasecmp(cfg->issue_templates[i], name) == 0)
			return true;
	return false;
}

/* Is name in [http] login-templates? */
bool
config_login_template(const struct ca_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_login_templates; i++)
		if (strcasecmp(cfg->login_templates[i], name) == 0)
			return true;
	return false;
}

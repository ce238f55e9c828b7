/*
 * Opening and closing the daemon's subsystems, shared by entcad and the
 * `entca` commands that act for the CA on its own host (request approve,
 * crl publish): CA identity, store, templates, directory pool, signer
 * process and external key, and the cacerts answer. Blocking; call it
 * before any event loop runs, from one thread.
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <gnutls/gnutls.h>

#include "common/error.h"
#include "common/clock.h"
#include "ca/ocsp/ocsp.h"
#include "ca/daemon/daemon.h"
#include "ca/daemon/ca_previous.h"
#include "ca/issue/issue.h"
#include "ca/http/http.h"
#include "ca/identity/identity.h"
#include "ca/signer/keyfile.h"
#include "common/log.h"
#include "ca/issue/pkcs7.h"
#include "ca/scep/scep_ra.h"
#include "ca/signer/signer.h"
#include "ca/store/store.h"
#include "ca/daemon/templates_load.h"
#include "ca/daemon/workers.h"
#include "ldap/directory.h"

#define DAEMON_SECRET_MAX 1024		/* bind password file */

/*
 * Before anything publishes: a store restored from an older backup must
 * continue above every CRL in service and take back the revocations they
 * list (crlpub_recover). Logged here because daemon and tool both open so.
 */
static int
daemon_crl_recover(struct daemon *d, char *why, size_t whylen)
{
	struct daemon_crl_urls urls;
	struct crlpub_recovery rec;
	struct crlpub p;
	char inner[CA_WHY_MAX];
	int rc;

	daemon_crlpub_for(d, d->cfg, NULL, &p, &urls);
	rc = crlpub_recover(&p, d->id->cert,
	    d->id->not_after,
	    &d->crl_full, &d->crl_delta, &rec, inner, sizeof(inner));
	if (rc != CA_OK)
		return ca_why(why, whylen, rc, "CRL state: %s", inner);
	if (rec.restored)
		log_warning("the store is behind the CRLs in service (restored from "
		    "a backup?): CRL numbers continue above %llu (the store had "
		    "%llu); %zu revocations recovered from the published CRLs (%zu "
		    "for serials the store does not know), %zu holds released; a "
		    "new full CRL follows", (unsigned long long)rec.seen,
		    (unsigned long long)rec.store_number, rec.revoked, rec.unknown,
		    rec.released);
	why[0] = '\0';
	return CA_OK;
}

/*
 * Read the directory service account's password file (one line). Only its
 * owner may read it, and that is us, root or [ca] user (issue 20 item 8);
 * the copy in stdio or keyfile buffers is wiped (keyfile_read_password).
 */
static int
read_secret(const struct ca_config *c, const char *path, char *out, size_t len,
    char *why, size_t whylen)
{
	uid_t owners[3] = { geteuid(), 0, 0 };
	struct passwd pwd, *pw = NULL;
	char buf[1024], *secret = NULL;
	size_t n = 2;
	int rc;

	if (c->user[0] != '\0' && getpwnam_r(c->user, &pwd, buf, sizeof(buf),
	    &pw) == 0 && pw != NULL)
		owners[n++] = pw->pw_uid;
	rc = keyfile_check_secret(path, owners, n,
	    c->user[0] != '\0' ? c->user : "root", why, whylen);
	if (rc == CA_OK)
		rc = keyfile_read_password(path, &secret, why, whylen);
	if (rc != CA_OK)
		return rc;
	if (strlen(secret) >= len) {
		keyfile_password_free(secret);
		return ca_why(why, whylen, CA_ETOOBIG, "%s: longer than %zu "
		    "bytes", path, len - 1);
	}
	memcpy(out, secret, strlen(secret) + 1);
	keyfile_password_free(secret);
	return CA_OK;
}

/* Open a pool for c's [directory]; see daemon.h. */
int
daemon_directory_open(const struct ca_config *c, struct daemon_directory **out,
    char *why, size_t whylen)
{
	struct directory_config dc;
	char secret[DAEMON_SECRET_MAX] = "";
	int rc;

	*out = NULL;
	if (!c->directory_enabled)
		return CA_OK;
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return CA_ENOMEM;
	(*out)->refs = 1;
	if (c->dir_bind_password_file[0] != '\0') {
		rc = read_secret(c, c->dir_bind_password_file, secret, sizeof(secret), why, whylen);
		if (rc != CA_OK) {
			daemon_directory_put(*out);
			*out = NULL;
			return rc;
		}
	}
	memset(&dc, 0, sizeof(dc));
	dc.uris = c->dir_uris;
	dc.base = c->dir_base;
	dc.bind_dn = c->dir_bind_dn[0] ? c->dir_bind_dn : NULL;
	dc.bind_password = secret[0] ? secret : NULL;
	dc.domain = c->dir_domain[0] ? c->dir_domain : NULL;
	dc.realm = c->dir_realm[0] ? c->dir_realm : NULL;
	dc.domain_sid = c->dir_domain_sid[0] ? c->dir_domain_sid : NULL;
	dc.tls = c->dir_tls == CONFIG_DIR_TLS_LDAPS ? DIRECTORY_TLS_LDAPS :
	    c->dir_tls == CONFIG_DIR_TLS_NONE_LOOPBACK_ONLY ?
	    DIRECTORY_TLS_NONE_LOOPBACK_ONLY : DIRECTORY_TLS_STARTTLS;
	dc.ca_file = c->dir_ca_file[0] ? c->dir_ca_file : NULL;
	dc.network_timeout_ms = (int)c->dir_timeout_ms;
	dc.op_timeout_ms = (int)c->dir_op_timeout_ms;
	dc.cache_ttl_s = c->dir_cache_ttl_s == 0 ? -1 : (int)c->dir_cache_ttl_s;
	dc.recheck_s = (int)c->dir_recheck_s;
	dc.pool_size = (int)c->dir_pool;
	dc.now = ca_now;
	dc.sigpipe_ignored = true;	/* entcad.c: signal(SIGPIPE, SIG_IGN) */
	rc = directory_new(&dc, &(*out)->dir, why, whylen);
	gnutls_memset(secret, 0, sizeof(secret));
	if (rc != CA_OK) {
		daemon_directory_put(*out);
		*out = NULL;
	}
	return rc;
}

/* Loop: one more user of the current pool. */
struct daemon_directory *
daemon_directory_get(struct daemon *d)
{
	struct daemon_directory *x = d->dirs;

	if (x != NULL)
		__atomic_add_fetch(&x->refs, 1, __ATOMIC_ACQ_REL);
	return x;
}

/* Any thread: the last user closes the pool. */
void
daemon_directory_put(struct daemon_directory *x)
{
	if (x != NULL && __atomic_sub_fetch(&x->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		directory_free(x->dir);
		free(x);
	}
}

/* The generation of d's current fields, with one reference for d. */
static struct daemon_gen *
daemon_gen_new(struct daemon *d)
{
	struct daemon_gen *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	g->refs = 1;
	g->cfg = d->cfg;
	g->tpl = daemon_templates_get(d);
	g->dirs = daemon_directory_get(d);
	g->store = d->store;
	g->key = d->key;
	g->id = d->id;
	return g;
}

/* Loop: a reference on the current generation, made on first use. */
struct daemon_gen *
daemon_gen_get(struct daemon *d)
{
	if (d->gen == NULL && (d->gen = daemon_gen_new(d)) == NULL)
		return NULL;
	return daemon_gen_ref(d->gen);
}

/* Any thread that holds g: one more reference. */
struct daemon_gen *
daemon_gen_ref(struct daemon_gen *g)
{
	if (g != NULL)
		__atomic_add_fetch(&g->refs, 1, __ATOMIC_ACQ_REL);
	return g;
}

/* Any thread: the last reference lets go of templates and pool. */
void
daemon_gen_put(struct daemon_gen *g)
{
	if (g != NULL && __atomic_sub_fetch(&g->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		daemon_templates_put(g->tpl);
		daemon_directory_put(g->dirs);
		free(g);
	}
}

/* Loop: configuration, templates and pool become current together. */
void
daemon_gen_adopt(struct daemon *d, struct ca_config *cfg,
    struct daemon_templates *tpl, struct daemon_directory *dirs)
{
	struct daemon_templates *old_tpl = d->templates;

	if (dirs != d->dirs) {
		daemon_directory_put(d->dirs);
		d->dirs = dirs;
	} else {
		daemon_directory_put(dirs);
	}
	d->templates = tpl;
	daemon_templates_put(old_tpl);
	__atomic_store_n(&d->cfg, cfg, __ATOMIC_RELEASE);
	/* The next request makes the new generation; jobs keep theirs. */
	daemon_gen_put(d->gen);
	d->gen = NULL;
}

/* Compare every [directory] key; the password file is read again on reload. */
bool
daemon_directory_same(const struct ca_config *a, const struct ca_config *b)
{
	return a->directory_enabled == b->directory_enabled &&
	    strcmp(a->dir_uris, b->dir_uris) == 0 && strcmp(a->dir_base, b->dir_base) == 0 &&
	    strcmp(a->dir_bind_dn, b->dir_bind_dn) == 0 &&
	    strcmp(a->dir_bind_password_file, b->dir_bind_password_file) == 0 &&
	    strcmp(a->dir_domain, b->dir_domain) == 0 && strcmp(a->dir_realm, b->dir_realm) == 0 &&
	    strcmp(a->dir_domain_sid, b->dir_domain_sid) == 0 && a->dir_tls == b->dir_tls &&
	    strcmp(a->dir_ca_file, b->dir_ca_file) == 0 &&
	    a->dir_timeout_ms == b->dir_timeout_ms && a->dir_op_timeout_ms == b->dir_op_timeout_ms &&
	    a->dir_cache_ttl_s == b->dir_cache_ttl_s && a->dir_pool == b->dir_pool &&
	    a->dir_recheck_s == b->dir_recheck_s;
}

/*
 * The EST cacerts answer: the CA certificate and its parents, then the
 * CA's earlier certificates after renewals (newest first), PKCS#7.
 */
static int
make_cacerts(struct daemon *d)
{
	gnutls_datum_t certs[1 + 16 + CA_IDENTITY_HISTORY_MAX];
	gnutls_datum_t chain[16];
	size_t n = 0, nchain = 0;
	int rc;

	certs[n++] = d->id->cert_der;
	for (unsigned i = 0; i < d->id->chain_len && nchain < 16; i++) {
		if (gnutls_x509_crt_export2(d->id->chain[i], GNUTLS_X509_FMT_DER, &chain[nchain]) < 0)
			break;
		certs[n++] = chain[nchain++];
	}
	for (unsigned i = d->prev != NULL ? d->prev->n_certs : 0; i > 1; i--)
		certs[n++] = d->prev->certs[i - 2];
	rc = pkcs7_certs_only(certs, n, &d->cacerts_p7, &d->cacerts_p7_len);
	for (size_t i = 0; i < nchain; i++)
		gnutls_free(chain[i].data);
	return rc;
}


/* [ca] signers, 0 meaning one per online core (at most SIGNER_LANES_MAX). */
static unsigned
daemon_signers(const struct ca_config *c)
{
	long n = c->signers;

	if (n == 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > SIGNER_LANES_MAX ? SIGNER_LANES_MAX : (unsigned)n;
}

/* Open identity, store and templates, then directory, signer and cacerts. */
int
daemon_open(struct daemon *d, unsigned what, char *why, size_t whylen)
{
	const struct ca_config *c = d->cfg;
	char dbdir[PATH_MAX];
	int rc;

	rc = ca_identity_load(c->state_dir, &d->id, why, whylen);
	if (rc != CA_OK) {
		/* Without a CA there is nothing to run: a setup problem (exit 2). */
		char inner[CA_WHY_MAX];

		snprintf(inner, sizeof(inner), "%s", why);
		return ca_why(why, whylen, rc == CA_EVERSION ? rc : CA_ECONFIG,
		    "CA identity: %s (entca init --state %s makes one)", inner, c->state_dir);
	}
	if (snprintf(dbdir, sizeof(dbdir), "%s/db", c->state_dir) >= (int)sizeof(dbdir))
		return ca_why(why, whylen, CA_ECONFIG, "[ca] state-dir: path too long");
	{
		/* Start at the default map (sparse: it costs no disk) or the
		 * ceiling if lower; a full map doubles up to the ceiling. */
		struct store_options so = { .map_max = c->store_max_size };

		so.map_size = c->store_max_size < STORE_MAP_SIZE_DEFAULT ?
		    c->store_max_size : STORE_MAP_SIZE_DEFAULT;
		rc = store_open(dbdir, &so, &d->store, why, whylen);
	}
	if (rc != CA_OK)
		return rc;
	rc = templates_load(c->templates_dir, d->store, &d->templates, why, whylen);
	if (rc != CA_OK) {
		char inner[CA_WHY_MAX];

		snprintf(inner, sizeof(inner), "%s", why);
		return ca_why(why, whylen, rc == CA_EIO ? CA_ECONFIG : rc, "templates: %s", inner);
	}
	for (size_t i = 0; i < c->n_issue; i++)
		if (templates_find(d->templates, c->issue_templates[i]) == NULL)
			log_warning("issue-templates names %s, which is not in %s",
			    c->issue_templates[i], c->templates_dir);
	if (what == DAEMON_OPEN_CHECK)
		return daemon_prev_open(d, false, ca_now(), why, whylen);
	rc = daemon_directory_open(c, &d->dirs, why, whylen);
	if (rc != CA_OK)
		return rc == CA_ECONFIG ? rc : ca_why(why, whylen, rc, "directory: %s", why);
	/* The token PIN is read by the signer, never stored in the state. */
	rc = keyfile_set_pin_file(c->pkcs11_pin_file, why, whylen);
	if (rc != CA_OK)
		return rc;
	/* The SCEP RA key exists before the signer that holds it starts. */
	rc = scep_ra_prepare(c, why, whylen);
	if (rc != CA_OK)
		return rc;
	/* As root the signer runs as its own account, never [ca] user. */
	rc = signer_start(c->state_dir, geteuid() == 0 ? c->signer_user : NULL,
	    &d->signer, why, whylen);
	/* One child signs one at a time: as many as cores sign at once. */
	if (rc == CA_OK)
		rc = signer_add_lanes(d->signer, daemon_signers(c), why, whylen);
	if (rc == CA_OK)
		rc = signer_privkey(d->signer, &d->key, why, whylen);
	if (rc != CA_OK) {
		char inner[CA_WHY_MAX];

		snprintf(inner, sizeof(inner), "%s", why);
		return ca_why(why, whylen, rc, "signer: %s", inner);
	}
	/*
	 * entcad's OCSP responder, first: making its delegated key (RSA-2048
	 * takes a signer 50-150 ms) overlaps the CRL load and the directory
	 * checks instead of following them.
	 */
	if (what == DAEMON_OPEN_SERVE && (rc = ocsp_new(d, &d->ocsp, why,
	    whylen)) != CA_OK)
		return rc;
	/* A renewed CA: its earlier keys keep signing their own CRLs. */
	rc = daemon_prev_open(d, true, ca_now(), why, whylen);
	if (rc != CA_OK)
		return rc;
	if (make_cacerts(d) != CA_OK)
		return ca_why(why, whylen, CA_ECRYPTO, "cannot encode the CA certificate chain");
	rc = scep_ra_open(d, why, whylen);
	if (rc != CA_OK)
		return rc;
	if (crlpub_load(c->state_dir, daemon_crl_name(d, c), false, &d->crl_full, why,
	    whylen) == CA_OK)
		crlpub_load(c->state_dir, daemon_crl_name(d, c), true, &d->crl_delta,
		    why, whylen);
	return daemon_crl_recover(d, why, whylen);
}

/* Free everything in reverse order; workers first so no job is running. */
void
daemon_close(struct daemon *d)
{
	struct daemon_cfg *g, *next;

	workers_free(d->workers);
	ocsp_free(d->ocsp);
	http_server_free(d->http);
	http_server_free(d->http_plain);
	if (d->ev_term != NULL) {
		event_free(d->ev_term);
		event_free(d->ev_int);
		event_free(d->ev_hup);
		event_free(d->ev_chld);
		event_free(d->ev_tick);
	}
	if (d->base != NULL)
		event_base_free(d->base);
	if (d->key != NULL)
		gnutls_privkey_deinit(d->key);
	scep_ra_free(d->scep);
	signer_stop(d->signer);
	daemon_gen_put(d->gen);
	daemon_prev_close(d);
	daemon_directory_put(d->dirs);
	daemon_templates_put(d->templates);
	store_close(d->store);
	ca_identity_free(d->id);
	gnutls_free(d->cacerts_p7);
	crlpub_result_clear(&d->crl_full);
	crlpub_result_clear(&d->crl_delta);
	for (g = d->cfgs; g != NULL; g = next) {
		next = g->older;
		free(g);
	}
}


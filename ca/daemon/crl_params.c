/*
 * What a CRL publication needs from the daemon: the CA's name for CRL
 * files (which changes after a renewal with a new key), issuer, key,
 * periods, the delta CRL URLs and the directory copy. Used by the CRL
 * schedule (crl_daemon.c), the API's publish call, and the earlier keys'
 * CRLs (ca_previous.c); kept apart from daemon.c so none of them calls
 * back into the file that calls it.
 *
 * Threads: any thread that holds a reference on cfg and dirs.
 */
#include <stdio.h>
#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "common/error.h"
#include "ca/daemon/daemon.h"
#include "ca/daemon/ca_previous.h"
#include "ca/identity/identity.h"
#include "ca/issue/issue.h"
#include "ldap/directory.h"

/* The current key's CRL name. */
const char *
daemon_crl_name(const struct daemon *d, const struct ca_config *cfg)
{
	return d->prev != NULL && d->prev->key_index > 0 ? d->prev->crl_name :
	    cfg->name;
}

/* Extra CRL sink: the CDP object in the directory. Worker thread. */
static int
daemon_crl_to_directory(void *arg, bool delta, const unsigned char *der,
    size_t len, char *why, size_t whylen)
{
	struct daemon_crl_urls *u = arg;

	return directory_publish_crl(u->dir, u->publish_dn, delta ? 1 : 0,
	    der, len, why, whylen);
}

/* The CDP entry's change stamp. Worker thread. */
static int
daemon_crl_dir_stamp(void *arg, char *out, size_t outlen, char *why,
    size_t whylen)
{
	struct daemon_crl_urls *u = arg;

	return directory_entry_stamp(u->dir, u->publish_dn, out, outlen, why,
	    whylen);
}

/* CRL publication parameters from the daemon and one configuration generation. */
void
daemon_crlpub_for(struct daemon *d, const struct ca_config *cfg,
    struct daemon_directory *dirs, struct crlpub *p, struct daemon_crl_urls *u)
{
	memset(p, 0, sizeof(*p));
	memset(u, 0, sizeof(*u));
	p->store = d->store;
	p->state_dir = cfg->state_dir;
	p->ca_name = daemon_crl_name(d, cfg);
	p->issuer_der = d->id->subject_der.data;
	p->issuer_len = d->id->subject_der.size;
	p->aki = d->id->ski;
	p->aki_len = d->id->ski_len;
	p->key = d->key;
	p->hash = GNUTLS_DIG_SHA256;
	p->period_s = cfg->crl_period_s;
	p->delta_period_s = cfg->delta_period_s;
	p->overlap_s = cfg->crl_overlap_s;
	p->ca_not_before = (int64_t)gnutls_x509_crt_get_activation_time(d->id->cert);
	/* freshestCRL: the delta's URL beside each full CRL URL (AD CS "+"). */
	for (size_t i = 0; i < cfg->n_cdp && u->n < CONFIG_LIST_MAX; i++) {
		char url[POLICY_URL_LEN];
		size_t len;

		/* After a renewal with a new key: "<name>(K)+.crl" (AD CS). */
		if (!issue_url_suffix(cfg->cdp_urls[i], ".crl", d->prev != NULL ?
		    d->prev->key_index : 0, url))
			continue;
		len = strlen(url);

		if (len > 4 && strcmp(url + len - 4, ".crl") == 0 &&
		    len + 1 < CONFIG_STR_MAX) {
			snprintf(u->text[u->n], CONFIG_STR_MAX, "%.*s+.crl", (int)(len - 4), url);
			u->ptr[u->n] = u->text[u->n];
			u->n++;
		}
	}
	p->delta_urls = u->ptr;
	p->n_delta_urls = u->n;
	if (dirs != NULL && cfg->crl_publish_dn[0] != '\0') {
		u->dir = dirs->dir;
		snprintf(u->publish_dn, sizeof(u->publish_dn), "%s", cfg->crl_publish_dn);
		p->extra = daemon_crl_to_directory;
		p->extra_stamp = daemon_crl_dir_stamp;
		p->extra_arg = u;
	}
}

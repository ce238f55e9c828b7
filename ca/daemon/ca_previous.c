/*
 * A renewed CA's earlier certificates and keys in the running daemon and
 * in the tool (ca_previous.h). Threads: see the header.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "common/error.h"
#include "ca/daemon/ca_previous.h"
#include "ca/daemon/daemon.h"
#include "ca/identity/identity.h"
#include "ca/issue/crl_publish.h"
#include "ca/signer/keyfile.h"
#include "ca/signer/signer.h"

/* "<name>" for k = 0, else "<name>(k)". */
static void
crl_name_of(const char *name, unsigned k, char *out, size_t len)
{
	if (k == 0)
		snprintf(out, len, "%s", name);
	else
		snprintf(out, len, "%.*s(%u)", (int)(len > 16 ? len - 16 : 0), name, k);
}

/*
 * Serve the CRL in r (its DER taken, r cleared) from k's slot; with
 * newer_only, only when the slot is empty or r's number is not older.
 */
static void
prev_take_crl(struct daemon_prev_key *k, struct crlpub_result *r,
    bool newer_only)
{
	pthread_mutex_lock(&k->lock);
	if (!newer_only || k->der == NULL || r->number >= k->number) {
		free(k->der);
		k->der = r->der;
		k->der_len = r->der_len;
		k->number = r->number;
		r->der = NULL;
	}
	pthread_mutex_unlock(&k->lock);
	crlpub_result_clear(r);
}

/* Load the CRL file of an earlier key into its slot. */
static void
prev_load_crl(struct daemon *d, struct daemon_prev_key *k)
{
	struct crlpub_result r;
	char why[CA_WHY_MAX];

	if (crlpub_load(d->cfg->state_dir, k->crl_name, false, &r, why,
	    sizeof(why)) == CA_OK)
		prev_take_crl(k, &r, true);
}

/* Open an earlier key K (its folder, its signer). */
static int
prev_open_key(struct daemon *d, unsigned k, bool signers, int64_t now,
    char *why, size_t whylen)
{
	struct daemon_prev *p = d->prev;
	struct daemon_prev_key *pk;
	struct ca_identity *id = NULL;
	char dir[PATH_MAX], inner[CA_WHY_MAX];
	struct stat st;
	int rc;

	if (!ca_identity_key_dir(d->cfg->state_dir, k, dir, sizeof(dir)) ||
	    stat(dir, &st) != 0)
		return CA_OK;	/* a key that never signed anything here */
	rc = ca_identity_load(dir, &id, inner, sizeof(inner));
	if (rc != CA_OK)
		return ca_why(why, whylen, rc, "earlier CA key %u: %s", k, inner);
	if (id->not_after < now) {
		ca_identity_free(id);	/* expired: its certificates have too */
		return CA_OK;
	}
	pk = &p->keys[p->n_keys];
	memset(pk, 0, sizeof(*pk));
	pk->index = k;
	pk->id = id;
	pthread_mutex_init(&pk->lock, NULL);
	crl_name_of(d->cfg->name, k, pk->crl_name, sizeof(pk->crl_name));
	p->n_keys++;
	if (signers) {
		rc = signer_start(dir, geteuid() == 0 ? d->cfg->signer_user : NULL,
		    &pk->signer, inner, sizeof(inner));
		if (rc == CA_OK)
			rc = signer_privkey(pk->signer, &pk->key, inner, sizeof(inner));
		if (rc != CA_OK)
			return ca_why(why, whylen, rc, "signer of earlier CA key %u: %s",
			    k, inner);
	}
	prev_load_crl(d, pk);
	return CA_OK;
}

/* Read the history; see ca_previous.h. */
int
daemon_prev_open(struct daemon *d, bool signers, int64_t now, char *why,
    size_t whylen)
{
	struct daemon_prev *p;
	gnutls_x509_crt_t *list = NULL;
	unsigned n = 0;
	int rc;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	d->prev = p;
	ca_identity_index(d->id->cert, &p->cert_index, &p->key_index);
	crl_name_of(d->cfg->name, p->key_index, p->crl_name, sizeof(p->crl_name));
	rc = ca_identity_history(d->cfg->state_dir, &list, &n, why, whylen);
	if (rc != CA_OK)
		return rc;
	p->certs = calloc(n, sizeof(*p->certs));
	p->keys = calloc(p->key_index + 1, sizeof(*p->keys));
	if (p->certs == NULL || p->keys == NULL) {
		keyfile_certs_free(list, n);
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	}
	for (unsigned i = 0; i < n; i++)
		if (gnutls_x509_crt_export2(list[i], GNUTLS_X509_FMT_DER,
		    &p->certs[i]) >= 0)
			p->n_certs = i + 1;
	keyfile_certs_free(list, n);
	for (unsigned k = 0; k < p->key_index; k++)
		if ((rc = prev_open_key(d, k, signers, now, why, whylen)) != CA_OK)
			return rc;
	return CA_OK;
}

/* Free everything. */
void
daemon_prev_close(struct daemon *d)
{
	struct daemon_prev *p = d->prev;

	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n_keys; i++) {
		struct daemon_prev_key *k = &p->keys[i];

		if (k->key != NULL)
			gnutls_privkey_deinit(k->key);
		signer_stop(k->signer);
		ca_identity_free(k->id);
		free(k->der);
		pthread_mutex_destroy(&k->lock);
	}
	for (unsigned i = 0; i < p->n_certs; i++)
		gnutls_free(p->certs[i].data);
	free(p->certs);
	free(p->keys);
	free(p);
	d->prev = NULL;
}

/* Publish each earlier key's full CRL; see ca_previous.h. */
int
daemon_prev_publish(struct daemon *d, const struct ca_config *cfg, int64_t now,
    char *why, size_t whylen)
{
	struct daemon_prev *p = d->prev;
	struct daemon_crl_urls urls;
	struct crlpub pub;
	struct crlpub_result r;
	char inner[CA_WHY_MAX];
	int rc = CA_OK, one;

	if (p == NULL)
		return CA_OK;
	for (size_t i = 0; i < p->n_keys; i++) {
		struct daemon_prev_key *k = &p->keys[i];

		if (k->key == NULL || k->id->not_after < now)
			continue;
		daemon_crlpub_for(d, cfg, NULL, &pub, &urls);
		pub.ca_name = k->crl_name;
		pub.issuer_der = k->id->subject_der.data;
		pub.issuer_len = k->id->subject_der.size;
		pub.aki = k->id->ski;
		pub.aki_len = k->id->ski_len;
		pub.key = k->key;
		pub.delta_urls = NULL;
		pub.n_delta_urls = 0;
		pub.extra = NULL;
		pub.previous_key = true;
		pub.ca_not_before = (int64_t)gnutls_x509_crt_get_activation_time(
		    k->id->cert);
		one = crlpub_publish(&pub, false, now, &r, inner, sizeof(inner));
		if (one != CA_OK) {
			if (rc == CA_OK)
				rc = ca_why(why, whylen, one, "CRL of earlier CA key "
				    "%u: %s", k->index, inner);
			continue;
		}
		prev_take_crl(k, &r, false);
	}
	return rc;
}

/* Take up files the tool wrote. */
void
daemon_prev_reload(struct daemon *d, const struct ca_config *cfg)
{
	(void)cfg;
	for (size_t i = 0; d->prev != NULL && i < d->prev->n_keys; i++)
		prev_load_crl(d, &d->prev->keys[i]);
}

/* A copy of an earlier key's CRL; see ca_previous.h. */
int
daemon_prev_crl_copy(struct daemon *d, const char *file, unsigned char **der,
    size_t *len)
{
	struct daemon_prev *p = d->prev;
	int rc = CA_ENOTFOUND;

	*der = NULL;
	*len = 0;
	for (size_t i = 0; p != NULL && i < p->n_keys; i++) {
		struct daemon_prev_key *k = &p->keys[i];
		size_t n = strlen(k->crl_name);

		if (strncmp(file, k->crl_name, n) != 0 || strcmp(file + n, ".crl") != 0)
			continue;
		pthread_mutex_lock(&k->lock);
		if (k->der == NULL) {
			rc = CA_ESTATE;
		} else if ((*der = malloc(k->der_len)) == NULL) {
			rc = CA_ENOMEM;
		} else {
			memcpy(*der, k->der, k->der_len);
			*len = k->der_len;
			rc = CA_OK;
		}
		pthread_mutex_unlock(&k->lock);
		break;
	}
	return rc;
}

/* The DER CA certificate with index n. */
const gnutls_datum_t *
daemon_prev_cert(const struct daemon *d, unsigned n)
{
	if (d->prev == NULL || n >= d->prev->n_certs)
		return NULL;
	return &d->prev->certs[n];
}

/*
 * Loading the CA identity from the state folder: the key location record,
 * the CA certificate and the parent chain. The key is not opened here.
 * Any thread; a loaded identity is immutable.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "ca/identity/identity.h"

static const char *const ca_key_type_names[CA_KEY_TYPE_COUNT] = {
	[CA_KEY_RSA2048] = "rsa2048",
	[CA_KEY_RSA3072] = "rsa3072",
	[CA_KEY_RSA4096] = "rsa4096",
	[CA_KEY_P256] = "p256",
	[CA_KEY_P384] = "p384",
};

/* Name of a key type for messages and the command line. */
const char *
ca_key_type_name(enum ca_key_type t)
{
	if ((int)t < 0 || t >= CA_KEY_TYPE_COUNT)
		return "?";
	return ca_key_type_names[t];
}

/* Parse a key type name as given to --key-type. */
int
ca_key_type_parse(const char *s, enum ca_key_type *out)
{
	for (int i = 0; i < CA_KEY_TYPE_COUNT; i++) {
		if (strcmp(s, ca_key_type_names[i]) == 0) {
			*out = (enum ca_key_type)i;
			return CA_OK;
		}
	}
	return CA_EINVAL;
}

/* Read a certificate file of the state folder into a fresh list. */
static int
identity_read_certs(const char *path, gnutls_x509_crt_t **list, unsigned *n,
    char *why, size_t whylen)
{
	gnutls_datum_t d = { NULL, 0 };
	int rc;

	rc = keyfile_read(path, &d, why, whylen);
	if (rc != CA_OK)
		return rc;
	rc = keyfile_parse_certs(&d, path, list, n, why, whylen);
	gnutls_free(d.data);
	return rc;
}

/* Load ca.json, ca.crt and ca-chain.pem of a state folder. */
int
ca_identity_load(const char *state_dir, struct ca_identity **out, char *why,
    size_t whylen)
{
	struct ca_identity *id = NULL;
	char path[KEYFILE_PATH_MAX + 32];
	gnutls_x509_crt_t *list = NULL;
	unsigned n = 0;
	int pending = 0, rc, ret;

	*out = NULL;
	if (strlen(state_dir) >= KEYFILE_PATH_MAX)
		return ca_why(why, whylen, CA_ETOOBIG, "state folder: path too long");
	id = calloc(1, sizeof(*id));
	if (id == NULL)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	strcpy(id->state_dir, state_dir);
	rc = keyfile_loc_load(state_dir, &id->key, &pending, why, whylen);
	if (rc != CA_OK)
		goto out;
	if (pending) {
		rc = ca_why(why, whylen, CA_ESTATE,
		    "%s: the subordinate CA is waiting for its certificate "
		    "(send ca.csr to the parent CA, then entca install-cert)",
		    state_dir);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/ca.crt", state_dir);
	rc = identity_read_certs(path, &list, &n, why, whylen);
	if (rc != CA_OK)
		goto out;
	id->cert = list[0];
	list[0] = NULL;
	for (unsigned i = 1; i < n; i++)
		gnutls_x509_crt_deinit(list[i]);
	gnutls_free(list);
	list = NULL;

	snprintf(path, sizeof(path), "%s/ca-chain.pem", state_dir);
	if (access(path, F_OK) == 0) {
		rc = identity_read_certs(path, &id->chain, &id->chain_len, why,
		    whylen);
		if (rc != CA_OK)
			goto out;
	}
	ret = gnutls_x509_crt_export2(id->cert, GNUTLS_X509_FMT_DER,
	    &id->cert_der);
	if (ret >= 0)
		ret = gnutls_x509_crt_get_raw_dn(id->cert, &id->subject_der);
	if (ret < 0) {
		rc = ca_why(why, whylen, CA_EPARSE, "%s/ca.crt: %s", state_dir,
		    gnutls_strerror(ret));
		goto out;
	}
	id->ski_len = sizeof(id->ski);
	if (gnutls_x509_crt_get_subject_key_id(id->cert, id->ski, &id->ski_len,
	    NULL) < 0)
		id->ski_len = 0;
	id->not_after = (int64_t)gnutls_x509_crt_get_expiration_time(id->cert);
	*out = id;
	id = NULL;
	rc = CA_OK;
out:
	ca_identity_free(id);
	return rc;
}

/* Release everything a loaded identity holds. */
void
ca_identity_free(struct ca_identity *id)
{
	if (id == NULL)
		return;
	if (id->cert != NULL)
		gnutls_x509_crt_deinit(id->cert);
	gnutls_free(id->cert_der.data);
	gnutls_free(id->subject_der.data);
	keyfile_certs_free(id->chain, id->chain_len);
	gnutls_memset(&id->key, 0, sizeof(id->key));	/* PIN in a URI */
	free(id);
}

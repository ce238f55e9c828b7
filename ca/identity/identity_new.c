/*
 * Creating the CA identity in a state folder: new root or subordinate CA
 * (key in a file or a PKCS#11 token), imports from PKCS#12 or key +
 * certificate files, and installing a subordinate's certificate. Every
 * output is prepared in memory first and then written with O_EXCL, ca.json
 * last; a failure removes what this call wrote, so nothing is ever
 * overwritten or half-written. Tool thread only.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gnutls/pkcs11.h>
#include <gnutls/pkcs12.h>

#include "common/error.h"
#include "ca/identity/identity.h"
#include "ca/identity/identity_build.h"

/* Most files one creation writes. */
#define IDENTITY_FILES_MAX 8

/* Files of the state folder that mean "a CA lives here". */
static const char *const identity_names[] = {
	"ca.json", "ca.key", "ca.crt", "ca.csr", "ca-chain.pem", "tls.key",
	"tls.crt",
};

/* One file to write. */
struct identity_file {
	const char *name;
	gnutls_datum_t data;
	mode_t mode;
};

/* The files of one creation, written together or not at all. */
struct identity_batch {
	struct identity_file f[IDENTITY_FILES_MAX];
	unsigned n;
};

/* Queue a copy of data as state/name. */
static int
batch_add(struct identity_batch *b, const char *name, const void *data,
    size_t len, mode_t mode)
{
	struct identity_file *f;

	if (b->n >= IDENTITY_FILES_MAX)
		return CA_EINVAL;
	f = &b->f[b->n];
	f->data.data = gnutls_malloc(len + 1);
	if (f->data.data == NULL)
		return CA_ENOMEM;
	memcpy(f->data.data, data, len);
	f->data.size = (unsigned)len;
	f->name = name;
	f->mode = mode;
	b->n++;
	return CA_OK;
}

/* Wipe and free every queued file (keys are among them). */
static void
batch_free(struct identity_batch *b)
{
	for (unsigned i = 0; i < b->n; i++) {
		gnutls_memset(b->f[i].data.data, 0, b->f[i].data.size);
		gnutls_free(b->f[i].data.data);
	}
	b->n = 0;
}

/* Write every queued file exclusively; undo all of them on a failure. */
static int
batch_commit(const char *state_dir, struct identity_batch *b, char *why,
    size_t whylen)
{
	char path[KEYFILE_PATH_MAX + 32];
	unsigned i;
	int rc = CA_OK;

	for (i = 0; i < b->n; i++) {
		snprintf(path, sizeof(path), "%s/%s", state_dir, b->f[i].name);
		rc = keyfile_write_excl(path, b->f[i].data.data,
		    b->f[i].data.size, b->f[i].mode, why, whylen);
		if (rc != CA_OK)
			break;
	}
	if (rc != CA_OK) {
		while (i-- > 0) {
			snprintf(path, sizeof(path), "%s/%s", state_dir,
			    b->f[i].name);
			unlink(path);
		}
	}
	return rc;
}

/* Create the state folder if needed and refuse one that holds a CA. */
static int
identity_prepare_dir(const char *state_dir, char *why, size_t whylen)
{
	char path[KEYFILE_PATH_MAX + 32];
	struct stat st;

	if (state_dir == NULL || state_dir[0] == '\0' ||
	    strlen(state_dir) >= KEYFILE_PATH_MAX)
		return ca_why(why, whylen, CA_EINVAL,
		    "state folder: missing or too long");
	if (stat(state_dir, &st) != 0) {
		if (errno != ENOENT || mkdir(state_dir, 0700) != 0)
			return ca_why(why, whylen, CA_EIO,
			    "state folder %s: %s", state_dir,
			    strerror(errno));
	} else if (!S_ISDIR(st.st_mode)) {
		return ca_why(why, whylen, CA_EIO,
		    "state folder %s: not a folder", state_dir);
	}
	if (access(state_dir, W_OK | X_OK) != 0)
		return ca_why(why, whylen, CA_EIO, "state folder %s: %s",
		    state_dir, strerror(errno));
	for (size_t i = 0; i < sizeof(identity_names) /
	    sizeof(identity_names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", state_dir,
		    identity_names[i]);
		if (access(path, F_OK) == 0 || errno != ENOENT)
			return ca_why(why, whylen, CA_EEXIST,
			    "state folder %s already holds a CA (%s exists); "
			    "refusing to overwrite it", state_dir,
			    identity_names[i]);
	}
	return CA_OK;
}

/* Export one certificate as PEM and queue it, appending to acc when set. */
static int
identity_pem_append(gnutls_x509_crt_t crt, gnutls_datum_t *acc)
{
	gnutls_datum_t pem = { NULL, 0 };
	unsigned char *p;
	int ret;

	ret = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem);
	if (ret < 0)
		return CA_ECRYPTO;
	p = gnutls_realloc(acc->data, acc->size + pem.size + 1);
	if (p == NULL) {
		gnutls_free(pem.data);
		return CA_ENOMEM;
	}
	memcpy(p + acc->size, pem.data, pem.size);
	acc->data = p;
	acc->size += pem.size;
	p[acc->size] = '\0';
	gnutls_free(pem.data);
	return CA_OK;
}

/* Fill a file key location for STATE/ca.key. */
static int
identity_file_loc(const struct ca_init_opts *o, struct keyfile_loc *loc,
    char *why, size_t whylen)
{
	char abs[PATH_MAX];

	memset(loc, 0, sizeof(*loc));
	loc->kind = KEYFILE_KIND_FILE;
	strcpy(loc->path, "ca.key");
	loc->encrypted = o->key_password != NULL;
	if (o->key_password_file != NULL) {
		if (realpath(o->key_password_file, abs) == NULL ||
		    strlen(abs) >= sizeof(loc->password_file))
			return ca_why(why, whylen, CA_EIO, "%s: %s",
			    o->key_password_file, strerror(errno));
		strcpy(loc->password_file, abs);
	}
	return CA_OK;
}

/* Queue ca.key (PKCS#8, encrypted when a password is set). */
static int
identity_queue_key(struct identity_batch *b, gnutls_x509_privkey_t xk,
    const char *password, char *why, size_t whylen)
{
	gnutls_datum_t pem = { NULL, 0 };
	int ret, rc;

	ret = gnutls_x509_privkey_export2_pkcs8(xk, GNUTLS_X509_FMT_PEM,
	    password, password ? GNUTLS_PKCS_PBES2_AES_256 : GNUTLS_PKCS_PLAIN,
	    &pem);
	if (ret < 0)
		return ca_why(why, whylen, CA_ECRYPTO,
		    "cannot export the CA key: %s", gnutls_strerror(ret));
	rc = batch_add(b, "ca.key", pem.data, pem.size, 0600);
	gnutls_memset(pem.data, 0, pem.size);
	gnutls_free(pem.data);
	return rc;
}

/* Queue ca.json for loc. */
static int
identity_queue_loc(struct identity_batch *b, const struct keyfile_loc *loc,
    int pending)
{
	char *txt = NULL;
	int rc;

	rc = keyfile_loc_format(loc, pending, &txt);
	if (rc != CA_OK)
		return rc;
	rc = batch_add(b, "ca.json", txt, strlen(txt), 0600);
	if (rc == CA_OK) {
		/* json_dumps ends without a newline; batch_add left a byte. */
		b->f[b->n - 1].data.data[b->f[b->n - 1].data.size++] = '\n';
	}
	gnutls_memset(txt, 0, strlen(txt));	/* a URI may carry a PIN */
	free(txt);
	return rc;
}

/* Queue ca.crt, ca-chain.pem and the TLS key and certificate. */
static int
identity_queue_certs(struct identity_batch *b, const struct ca_init_opts *o,
    gnutls_privkey_t key, gnutls_x509_crt_t cert, gnutls_x509_crt_t *chain,
    unsigned n, char *why, size_t whylen)
{
	gnutls_datum_t ca = { NULL, 0 }, ch = { NULL, 0 };
	gnutls_datum_t tkey = { NULL, 0 }, tcrt = { NULL, 0 };
	int rc;

	rc = identity_pem_append(cert, &ca);
	for (unsigned i = 0; rc == CA_OK && i < n; i++)
		rc = identity_pem_append(chain[i], &ch);
	if (rc != CA_OK) {
		rc = ca_why(why, whylen, rc, "cannot encode the certificates");
		goto out;
	}
	rc = batch_add(b, "ca.crt", ca.data, ca.size, 0644);
	if (rc == CA_OK && n > 0)
		rc = batch_add(b, "ca-chain.pem", ch.data, ch.size, 0644);
	if (rc != CA_OK || o->no_tls)
		goto out;
	rc = identity_make_tls(cert, key, o, &tkey, &tcrt, why, whylen);
	if (rc != CA_OK)
		goto out;
	/* tls.crt: the leaf, then the CA and its parents, as TLS sends them. */
	rc = identity_pem_append(cert, &tcrt);
	for (unsigned i = 0; rc == CA_OK && i < n; i++)
		rc = identity_pem_append(chain[i], &tcrt);
	if (rc == CA_OK)
		rc = batch_add(b, "tls.key", tkey.data, tkey.size, 0600);
	if (rc == CA_OK)
		rc = batch_add(b, "tls.crt", tcrt.data, tcrt.size, 0644);
out:
	gnutls_free(ca.data);
	gnutls_free(ch.data);
	if (tkey.data != NULL) {
		gnutls_memset(tkey.data, 0, tkey.size);
		gnutls_free(tkey.data);
	}
	gnutls_free(tcrt.data);
	return rc;
}

/* Extract the object label from a PKCS#11 URI (for key generation). */
static int
identity_uri_label(const char *uri, char *label, size_t len)
{
	const char *p = strstr(uri, "object=");
	size_t i = 0;

	if (p == NULL)
		return -1;
	for (p += 7; *p != '\0' && *p != ';' && *p != '?'; p++) {
		unsigned v;

		if (i + 1 >= len)
			return -1;
		if (*p == '%' && sscanf(p + 1, "%2x", &v) == 1) {
			label[i++] = (char)v;
			p += 2;
		} else {
			label[i++] = *p;
		}
	}
	label[i] = '\0';
	return i > 0 ? 0 : -1;
}

/*
 * Copy a PKCS#11 URI without its pin-value query attribute (RFC 7512 §2.3):
 * the PIN must never reach ca.json; it comes from ENTCA_PKCS11_PIN or a
 * PIN file at every start. out has room for strlen(uri) + 1.
 */
static void
identity_uri_strip_pin(const char *uri, char *out)
{
	const char *q = strchr(uri, '?'), *a, *end;
	size_t n;
	int first = 1;

	if (q == NULL) {
		strcpy(out, uri);
		return;
	}
	n = (size_t)(q - uri);
	memcpy(out, uri, n);
	out[n] = '\0';
	for (a = q + 1; *a != '\0'; a = *end ? end + 1 : end) {
		end = strchr(a, '&');
		if (end == NULL)
			end = a + strlen(a);
		if (end == a || strncmp(a, "pin-value=", 10) == 0)
			continue;
		strcat(out, first ? "?" : "&");
		strncat(out, a, (size_t)(end - a));
		first = 0;
	}
}

/* Open the token key the URI names, generating it in the token if absent. */
static int
identity_pkcs11_key(const struct ca_init_opts *o, gnutls_privkey_t *out,
    char *why, size_t whylen)
{
	struct keyfile_loc loc;
	gnutls_pk_algorithm_t pk;
	char label[256];
	unsigned bits;
	int rc, ret;

	memset(&loc, 0, sizeof(loc));
	loc.kind = KEYFILE_KIND_PKCS11;
	if (strlen(o->pkcs11_uri) >= sizeof(loc.uri) ||
	    (o->pkcs11_module && strlen(o->pkcs11_module) >= sizeof(loc.module)))
		return ca_why(why, whylen, CA_ETOOBIG, "PKCS#11 URI too long");
	strcpy(loc.uri, o->pkcs11_uri);
	if (o->pkcs11_module != NULL)
		strcpy(loc.module, o->pkcs11_module);
	rc = keyfile_open(&loc, out, why, whylen);
	if (rc != CA_EIO)
		return rc;	/* found it, or a PIN / module error */
	if (identity_uri_label(o->pkcs11_uri, label, sizeof(label)) != 0)
		return ca_why(why, whylen, CA_EINVAL,
		    "PKCS#11 URI: no object=LABEL to name a new key");
	identity_key_params(o->key_type, &pk, &bits);
	ret = gnutls_pkcs11_privkey_generate3(o->pkcs11_uri, pk, bits, label,
	    NULL, GNUTLS_X509_FMT_DER, NULL, GNUTLS_KEY_KEY_CERT_SIGN |
	    GNUTLS_KEY_CRL_SIGN | GNUTLS_KEY_DIGITAL_SIGNATURE,
	    GNUTLS_PKCS11_OBJ_FLAG_LOGIN | GNUTLS_PKCS11_OBJ_FLAG_MARK_PRIVATE |
	    GNUTLS_PKCS11_OBJ_FLAG_MARK_SENSITIVE);
	if (ret < 0)
		return ca_why(why, whylen, CA_ECRYPTO,
		    "PKCS#11: cannot generate a %s key in the token: %s",
		    ca_key_type_name(o->key_type), gnutls_strerror(ret));
	return keyfile_open(&loc, out, why, whylen);
}

/* Check the options every creation shares. */
static int
identity_check_opts(const struct ca_init_opts *o, char *why, size_t whylen)
{
	if (o->days == 0 || o->days > CA_IDENTITY_DAYS_MAX)
		return ca_why(why, whylen, CA_EINVAL,
		    "--days: expected 1..%d", CA_IDENTITY_DAYS_MAX);
	if (o->n_tls_names > CA_IDENTITY_TLS_NAMES_MAX)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "--tls-name: at most %d names", CA_IDENTITY_TLS_NAMES_MAX);
	return identity_prepare_dir(o->state_dir, why, whylen);
}

/* Create a new root or subordinate CA. */
int
ca_identity_init(const struct ca_init_opts *o, char *why, size_t whylen)
{
	struct identity_batch b = { .n = 0 };
	struct keyfile_loc loc;
	gnutls_x509_privkey_t xk = NULL;
	gnutls_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t csr = { NULL, 0 };
	int rc, ret;

	rc = identity_check_opts(o, why, whylen);
	if (rc != CA_OK)
		return rc;
	if (o->subject == NULL || o->subject[0] == '\0')
		return ca_why(why, whylen, CA_EINVAL, "--subject: missing");
	if (o->pkcs11_uri != NULL) {
		rc = identity_pkcs11_key(o, &key, why, whylen);
		if (rc != CA_OK)
			goto out;
		memset(&loc, 0, sizeof(loc));
		loc.kind = KEYFILE_KIND_PKCS11;
		/* length checked in _key */
		identity_uri_strip_pin(o->pkcs11_uri, loc.uri);
		if (o->pkcs11_module != NULL)
			strcpy(loc.module, o->pkcs11_module);
	} else {
		rc = identity_file_loc(o, &loc, why, whylen);
		if (rc == CA_OK)
			rc = identity_generate_key(o->key_type, &xk, why,
			    whylen);
		if (rc != CA_OK)
			goto out;
		if (gnutls_privkey_init(&key) < 0 ||
		    (ret = gnutls_privkey_import_x509(key, xk, 0)) < 0) {
			rc = ca_why(why, whylen, CA_ECRYPTO,
			    "cannot use the new key");
			goto out;
		}
		rc = identity_queue_key(&b, xk, o->key_password, why, whylen);
		if (rc != CA_OK)
			goto out;
	}
	if (o->subordinate) {
		rc = identity_make_csr(key, o->subject, &csr, why, whylen);
		if (rc == CA_OK)
			rc = batch_add(&b, "ca.csr", csr.data, csr.size, 0644);
	} else {
		rc = identity_make_root(key, o->subject, o->days, &crt, why,
		    whylen);
		if (rc == CA_OK)
			rc = identity_queue_certs(&b, o, key, crt, NULL, 0,
			    why, whylen);
	}
	if (rc == CA_OK)
		rc = identity_queue_loc(&b, &loc, o->subordinate);
	if (rc == CA_OK)
		rc = batch_commit(o->state_dir, &b, why, whylen);
out:
	batch_free(&b);
	gnutls_free(csr.data);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	gnutls_privkey_deinit(key);
	gnutls_x509_privkey_deinit(xk);
	return rc;
}

/* Write an imported CA: key file, certificates, TLS certificate, ca.json. */
static int
identity_commit_import(const struct ca_init_opts *o, gnutls_x509_privkey_t xk,
    gnutls_x509_crt_t cert, gnutls_x509_crt_t *chain, unsigned n,
    const char *what, char *why, size_t whylen)
{
	struct identity_batch b = { .n = 0 };
	struct keyfile_loc loc;
	gnutls_privkey_t key = NULL;
	int rc;

	rc = identity_check_is_ca(cert, what, why, whylen);
	if (rc == CA_OK && n > 0)
		rc = identity_verify_chain(cert, chain, n, why, whylen);
	if (rc != CA_OK)
		return rc;
	if (gnutls_privkey_init(&key) < 0 ||
	    gnutls_privkey_import_x509(key, xk, 0) < 0) {
		rc = ca_why(why, whylen, CA_ECRYPTO, "%s: unusable key", what);
		goto out;
	}
	rc = keyfile_key_matches(key, cert, why, whylen);
	if (rc != CA_OK) {
		rc = ca_why(why, whylen, rc,
		    "%s: the key does not belong to the certificate", what);
		goto out;
	}
	rc = identity_file_loc(o, &loc, why, whylen);
	if (rc == CA_OK)
		rc = identity_queue_key(&b, xk, o->key_password, why, whylen);
	if (rc == CA_OK)
		rc = identity_queue_certs(&b, o, key, cert, chain, n, why,
		    whylen);
	if (rc == CA_OK)
		rc = identity_queue_loc(&b, &loc, 0);
	if (rc == CA_OK)
		rc = batch_commit(o->state_dir, &b, why, whylen);
out:
	batch_free(&b);
	gnutls_privkey_deinit(key);
	return rc;
}

/* Take over a CA from a PKCS#12 backup. */
int
ca_identity_import_p12(const struct ca_init_opts *o,
    const gnutls_datum_t *p12, const char *password, char *why,
    size_t whylen)
{
	gnutls_pkcs12_t p = NULL;
	gnutls_x509_privkey_t xk = NULL;
	gnutls_x509_crt_t *chain = NULL, *extra = NULL, *all = NULL;
	unsigned nchain = 0, nextra = 0, nall = 0;
	int rc, ret;

	rc = identity_check_opts(o, why, whylen);
	if (rc != CA_OK)
		return rc;
	if (gnutls_pkcs12_init(&p) < 0)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	ret = gnutls_pkcs12_import(p, p12, GNUTLS_X509_FMT_DER, 0);
	if (ret < 0)
		ret = gnutls_pkcs12_import(p, p12, GNUTLS_X509_FMT_PEM, 0);
	if (ret < 0) {
		rc = ca_why(why, whylen, CA_EPARSE,
		    "PKCS#12 file: not a PKCS#12 structure: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	ret = gnutls_pkcs12_verify_mac(p, password);
	if (ret == GNUTLS_E_MAC_VERIFY_FAILED) {
		rc = ca_why(why, whylen, CA_EAUTH,
		    "PKCS#12 file: wrong password (the MAC does not verify)");
		goto out;
	}
	ret = gnutls_pkcs12_simple_parse(p, password, &xk, &chain, &nchain,
	    &extra, &nextra, NULL, GNUTLS_PKCS12_SP_INCLUDE_SELF_SIGNED);
	if (ret < 0) {
		rc = ca_why(why, whylen, ret == GNUTLS_E_DECRYPTION_FAILED ?
		    CA_EAUTH : CA_EPARSE, "PKCS#12 file: %s",
		    ret == GNUTLS_E_DECRYPTION_FAILED ? "wrong password" :
		    gnutls_strerror(ret));
		goto out;
	}
	if (xk == NULL || nchain == 0) {
		rc = ca_why(why, whylen, CA_EPARSE,
		    "PKCS#12 file: no key with its certificate inside");
		goto out;
	}
	if (nchain + nextra > KEYFILE_CHAIN_MAX) {
		rc = ca_why(why, whylen, CA_ETOOBIG,
		    "PKCS#12 file: more than %d certificates",
		    KEYFILE_CHAIN_MAX);
		goto out;
	}
	all = gnutls_calloc(nchain + nextra, sizeof(*all));
	if (all == NULL) {
		rc = ca_why(why, whylen, CA_ENOMEM, "out of memory");
		goto out;
	}
	for (unsigned i = 1; i < nchain; i++)
		all[nall++] = chain[i];
	for (unsigned i = 0; i < nextra; i++)
		all[nall++] = extra[i];
	rc = identity_commit_import(o, xk, chain[0], all, nall,
	    "PKCS#12 file", why, whylen);
out:
	gnutls_free(all);
	keyfile_certs_free(chain, nchain);
	keyfile_certs_free(extra, nextra);
	gnutls_x509_privkey_deinit(xk);
	gnutls_pkcs12_deinit(p);
	return rc;
}

/* Take over a CA from a key file and a certificate file. */
int
ca_identity_import_files(const struct ca_init_opts *o, const char *key_path,
    const char *cert_path, const char *password, char *why, size_t whylen)
{
	gnutls_datum_t kd = { NULL, 0 }, cd = { NULL, 0 };
	gnutls_x509_privkey_t xk = NULL;
	gnutls_x509_crt_t *list = NULL;
	unsigned n = 0;
	int rc;

	rc = identity_check_opts(o, why, whylen);
	if (rc != CA_OK)
		return rc;
	rc = keyfile_read(key_path, &kd, why, whylen);
	if (rc == CA_OK)
		rc = keyfile_parse_key(&kd, key_path, password, &xk, why,
		    whylen);
	if (rc == CA_OK)
		rc = keyfile_read(cert_path, &cd, why, whylen);
	if (rc == CA_OK)
		rc = keyfile_parse_certs(&cd, cert_path, &list, &n, why,
		    whylen);
	if (rc == CA_OK)
		rc = identity_commit_import(o, xk, list[0], list + 1, n - 1,
		    cert_path, why, whylen);
	if (kd.data != NULL) {
		gnutls_memset(kd.data, 0, kd.size);
		gnutls_free(kd.data);
	}
	gnutls_free(cd.data);
	keyfile_certs_free(list, n);
	gnutls_x509_privkey_deinit(xk);
	return rc;
}

/* Install the parent-signed certificate of a pending subordinate. */
int
ca_identity_install_cert(const struct ca_init_opts *o, const char *cert_path,
    const char *chain_path, char *why, size_t whylen)
{
	struct identity_batch b = { .n = 0 };
	struct keyfile_loc loc, stored;
	char path[KEYFILE_PATH_MAX + 32], *txt = NULL;
	gnutls_datum_t cd = { NULL, 0 }, hd = { NULL, 0 };
	gnutls_x509_crt_t *list = NULL, *parents = NULL, *all = NULL;
	unsigned n = 0, np = 0, nall = 0;
	gnutls_privkey_t key = NULL;
	int pending = 0, rc;

	rc = keyfile_loc_load(o->state_dir, &loc, &pending, why, whylen);
	if (rc != CA_OK)
		return rc;
	if (!pending)
		return ca_why(why, whylen, CA_ESTATE,
		    "%s: the CA already has its certificate", o->state_dir);
	if (chain_path == NULL)
		return ca_why(why, whylen, CA_EINVAL,
		    "--chain: the parent CA's certificates are required");
	rc = keyfile_read(cert_path, &cd, why, whylen);
	if (rc == CA_OK)
		rc = keyfile_parse_certs(&cd, cert_path, &list, &n, why,
		    whylen);
	if (rc == CA_OK)
		rc = keyfile_read(chain_path, &hd, why, whylen);
	if (rc == CA_OK)
		rc = keyfile_parse_certs(&hd, chain_path, &parents, &np, why,
		    whylen);
	if (rc != CA_OK)
		goto out;
	if (n - 1 + np > KEYFILE_CHAIN_MAX) {
		rc = ca_why(why, whylen, CA_ETOOBIG, "chain longer than %d",
		    KEYFILE_CHAIN_MAX);
		goto out;
	}
	all = gnutls_calloc(n - 1 + np, sizeof(*all));
	if (all == NULL) {
		rc = ca_why(why, whylen, CA_ENOMEM, "out of memory");
		goto out;
	}
	for (unsigned i = 1; i < n; i++)
		all[nall++] = list[i];
	for (unsigned i = 0; i < np; i++)
		all[nall++] = parents[i];
	rc = keyfile_open(&loc, &key, why, whylen);
	if (rc != CA_OK)
		goto out;
	rc = keyfile_key_matches(key, list[0], why, whylen);
	if (rc != CA_OK) {
		rc = ca_why(why, whylen, rc, "%s: not the certificate of this "
		    "CA's key (its public key differs)", cert_path);
		goto out;
	}
	rc = identity_check_is_ca(list[0], cert_path, why, whylen);
	if (rc == CA_OK)
		rc = identity_verify_chain(list[0], all, nall, why, whylen);
	if (rc == CA_OK)
		rc = identity_queue_certs(&b, o, key, list[0], all, nall, why,
		    whylen);
	if (rc == CA_OK)
		rc = batch_commit(o->state_dir, &b, why, whylen);
	if (rc != CA_OK)
		goto out;
	/* Keep the key path relative to the state folder, as init wrote it. */
	stored = loc;
	if (stored.kind == KEYFILE_KIND_FILE)
		strcpy(stored.path, "ca.key");
	rc = keyfile_loc_format(&stored, 0, &txt);
	snprintf(path, sizeof(path), "%s/ca.json", o->state_dir);
	if (rc == CA_OK)
		rc = keyfile_write_replace(path, txt, strlen(txt), 0600, why,
		    whylen);
	if (rc != CA_OK) {
		for (unsigned i = 0; i < b.n; i++) {
			snprintf(path, sizeof(path), "%s/%s", o->state_dir,
			    b.f[i].name);
			unlink(path);
		}
	}
out:
	if (txt != NULL)
		gnutls_memset(txt, 0, strlen(txt));
	free(txt);
	gnutls_memset(&loc, 0, sizeof(loc));
	gnutls_memset(&stored, 0, sizeof(stored));
	batch_free(&b);
	gnutls_privkey_deinit(key);
	gnutls_free(all);
	keyfile_certs_free(list, n);
	keyfile_certs_free(parents, np);
	gnutls_free(cd.data);
	gnutls_free(hd.data);
	return rc;
}

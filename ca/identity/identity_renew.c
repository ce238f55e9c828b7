/*
 * CA certificate renewal, AD CS's model: a CA has certificate indexes
 * 0, 1, 2 ... and key indexes 0, 1 ...; each renewal makes the next
 * certificate index, with the same key or the next key index, and the new
 * certificate becomes the issuing one (ca.crt). Earlier certificates stay
 * in ca-history/ (see identity.h) so that cacerts and AIA can serve them
 * and `entca verify` can chain old certificates; an earlier key stays
 * usable (ca-history/key(K)/ is a state folder of its own) so that its
 * CRLs keep being signed while its certificates live.
 *
 * The new certificate is made from the current one: same subject and
 * issuer DER byte for byte (old certificates name that issuer), a new
 * serial and validity, the CA Version (1.3.6.1.4.1.311.21.1) and
 * Previous CA Certificate Hash (1.3.6.1.4.1.311.21.2) extensions AD CS
 * writes, and, with a new key, that key's identifiers. Tool thread only.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <gnutls/x509-ext.h>

#include "common/clock.h"
#include "common/error.h"
#include "ca/identity/identity.h"
#include "ca/identity/identity_build.h"
#include "ca/issue/msext.h"
#include "ca/signer/keyfile.h"

/* The CA certificate and key indexes from the CA Version extension. */
void
ca_identity_index(gnutls_x509_crt_t crt, unsigned *cert_index,
    unsigned *key_index)
{
	gnutls_datum_t d = { NULL, 0 };
	unsigned crit;

	*cert_index = *key_index = 0;
	if (gnutls_x509_crt_get_extension_by_oid2(crt, MSEXT_OID_CA_VERSION, 0,
	    &d, &crit) >= 0 && msext_ca_version_parse(d.data, d.size, cert_index,
	    key_index) != CA_OK)
		*cert_index = *key_index = 0;
	gnutls_free(d.data);
}

/* state/ca-history/key(k). */
bool
ca_identity_key_dir(const char *state_dir, unsigned k, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s/key(%u)", state_dir,
	    CA_IDENTITY_HISTORY_DIR, k);

	return n >= 0 && (size_t)n < len;
}

/* Read one PEM/DER certificate file into *out. */
static int
read_one(const char *path, gnutls_x509_crt_t *out, char *why, size_t whylen)
{
	gnutls_datum_t d = { NULL, 0 };
	gnutls_x509_crt_t *list = NULL;
	unsigned n = 0;
	int rc;

	rc = keyfile_read(path, &d, why, whylen);
	if (rc == CA_OK)
		rc = keyfile_parse_certs(&d, path, &list, &n, why, whylen);
	gnutls_free(d.data);
	if (rc != CA_OK)
		return rc;
	*out = list[0];
	list[0] = NULL;
	keyfile_certs_free(list, n);
	return CA_OK;
}

/* Every CA certificate, index order; see identity.h. */
int
ca_identity_history(const char *state_dir, gnutls_x509_crt_t **out,
    unsigned *n, char *why, size_t whylen)
{
	gnutls_x509_crt_t cur = NULL, *list = NULL;
	char path[PATH_MAX];
	unsigned ci, ki;
	int rc;

	*out = NULL;
	*n = 0;
	if (snprintf(path, sizeof(path), "%s/ca.crt", state_dir) >= (int)sizeof(path))
		return ca_why(why, whylen, CA_ETOOBIG, "state folder: path too long");
	if ((rc = read_one(path, &cur, why, whylen)) != CA_OK)
		return rc;
	ca_identity_index(cur, &ci, &ki);
	if (ci >= CA_IDENTITY_HISTORY_MAX) {
		gnutls_x509_crt_deinit(cur);
		return ca_why(why, whylen, CA_ETOOBIG, "%s: CA certificate index %u: "
		    "more than %d", path, ci, CA_IDENTITY_HISTORY_MAX);
	}
	list = gnutls_calloc(ci + 1, sizeof(*list));
	if (list == NULL) {
		gnutls_x509_crt_deinit(cur);
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	}
	for (unsigned i = 0; i < ci; i++) {
		snprintf(path, sizeof(path), "%s/%s/ca(%u).crt", state_dir,
		    CA_IDENTITY_HISTORY_DIR, i);
		if ((rc = read_one(path, &list[i], why, whylen)) != CA_OK) {
			gnutls_x509_crt_deinit(cur);
			keyfile_certs_free(list, i);
			return rc;
		}
	}
	list[ci] = cur;
	*out = list;
	*n = ci + 1;
	return CA_OK;
}

/* Export crt as PEM (gnutls_free out->data). */
static int
pem_of(gnutls_x509_crt_t crt, gnutls_datum_t *out, char *why, size_t whylen)
{
	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, out) < 0)
		return ca_why(why, whylen, CA_ECRYPTO, "cannot encode a certificate");
	return CA_OK;
}

/* Set one extension from an msext encoder's output. */
static int
set_ext(gnutls_x509_crt_t crt, const char *oid, const unsigned char *der,
    size_t len)
{
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };

	return gnutls_x509_crt_set_extension_by_oid(crt, oid, d.data, d.size, 0);
}

/* Replace the subject and authority key identifiers with ski. */
static int
replace_key_ids(gnutls_x509_crt_t crt, const unsigned char *ski, size_t len)
{
	gnutls_datum_t id = { (unsigned char *)ski, (unsigned)len };
	gnutls_datum_t d = { NULL, 0 };
	gnutls_x509_aki_t aki = NULL;
	int ret;

	ret = gnutls_x509_ext_export_subject_key_id(&id, &d);
	if (ret >= 0)
		ret = gnutls_x509_crt_set_extension_by_oid(crt, "2.5.29.14", d.data,
		    d.size, 0);
	gnutls_free(d.data);
	d.data = NULL;
	if (ret >= 0)
		ret = gnutls_x509_aki_init(&aki);
	if (ret >= 0)
		ret = gnutls_x509_aki_set_id(aki, &id);
	if (ret >= 0)
		ret = gnutls_x509_ext_export_authority_key_id(aki, &d);
	if (ret >= 0)
		ret = gnutls_x509_crt_set_extension_by_oid(crt, "2.5.29.35", d.data,
		    d.size, 0);
	gnutls_free(d.data);
	if (aki != NULL)
		gnutls_x509_aki_deinit(aki);
	return ret;
}

/*
 * Build the renewed certificate from cur: same names, new serial and
 * validity, key's public half and identifiers, the CA Version and the
 * previous certificate's hash; signed by key (self-signed root).
 */
static int
make_renewed(gnutls_x509_crt_t cur, gnutls_privkey_t key, unsigned days,
    unsigned ci, unsigned ki, gnutls_x509_crt_t *out, char *why, size_t whylen)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t der = { NULL, 0 };
	gnutls_pubkey_t pub = NULL;
	unsigned char ski[64], hash[20], ext[128];
	size_t ski_len = sizeof(ski), elen;
	int64_t now = ca_now();
	int ret;

	*out = NULL;
	ret = gnutls_x509_crt_export2(cur, GNUTLS_X509_FMT_DER, &der);
	if (ret >= 0)
		ret = gnutls_hash_fast(GNUTLS_DIG_SHA1, der.data, der.size, hash);
	if (ret >= 0)
		ret = gnutls_x509_crt_init(&crt);
	if (ret >= 0)
		ret = gnutls_x509_crt_import(crt, &der, GNUTLS_X509_FMT_DER);
	gnutls_free(der.data);
	/* The copy keeps subject, extensions and version: new serial, dates. */
	if (ret >= 0)
		ret = identity_cert_start(crt, now, now + (int64_t)days * 86400);
	if (ret >= 0)
		ret = gnutls_pubkey_init(&pub);
	if (ret >= 0)
		ret = gnutls_pubkey_import_privkey(pub, key, 0, 0);
	if (ret >= 0)
		ret = gnutls_x509_crt_set_pubkey(crt, pub);
	if (ret >= 0)
		ret = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA1, ski,
		    &ski_len);
	/* GnuTLS refuses to set these over the copied ones: replace them. */
	if (ret >= 0)
		ret = replace_key_ids(crt, ski, ski_len);
	gnutls_pubkey_deinit(pub);
	if (ret >= 0 && msext_ca_version(ci, ki, ext, sizeof(ext), &elen) == CA_OK)
		ret = set_ext(crt, MSEXT_OID_CA_VERSION, ext, elen);
	else if (ret >= 0)
		ret = GNUTLS_E_INVALID_REQUEST;
	if (ret >= 0 && msext_prev_ca_hash(hash, sizeof(hash), ext, sizeof(ext),
	    &elen) == CA_OK)
		ret = set_ext(crt, MSEXT_OID_PREV_CA_HASH, ext, elen);
	if (ret >= 0)
		ret = gnutls_x509_crt_privkey_sign(crt, crt, key,
		    identity_digest_for(key), 0);
	if (ret < 0) {
		gnutls_x509_crt_deinit(crt);
		return ca_why(why, whylen, CA_ECRYPTO, "cannot build the renewed CA "
		    "certificate: %s", gnutls_strerror(ret));
	}
	*out = crt;
	return CA_OK;
}

/* mkdir that accepts an existing folder. */
static int
mkdir_ok(const char *path, char *why, size_t whylen)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return ca_why(why, whylen, CA_EIO, "%s: %s", path, strerror(errno));
	return CA_OK;
}

/* rename with a sentence. */
static int
rename_ok(const char *from, const char *to, char *why, size_t whylen)
{
	if (rename(from, to) != 0)
		return ca_why(why, whylen, CA_EIO, "rename %s to %s: %s", from, to,
		    strerror(errno));
	return CA_OK;
}

/*
 * Move the current key (ca.json and ca.key for a file key) and its
 * certificate to ca-history/key(ki)/, then put the new key in place.
 */
static int
swap_key(const struct ca_renew_opts *o, const struct ca_identity *id,
    unsigned ki, gnutls_x509_privkey_t nk, const gnutls_datum_t *cur_pem,
    char *why, size_t whylen)
{
	char dir[PATH_MAX], a[PATH_MAX + 32], b[PATH_MAX + 32], *txt = NULL;
	struct keyfile_loc loc, old = id->key;
	gnutls_datum_t pem = { NULL, 0 };
	int rc, ret;

	if (!ca_identity_key_dir(o->state_dir, ki, dir, sizeof(dir)))
		return ca_why(why, whylen, CA_ETOOBIG, "state folder: path too long");
	if (mkdir(dir, 0700) != 0)
		return ca_why(why, whylen, CA_EIO, "%s: %s", dir, strerror(errno));
	/* The old key's own ca.json: a file key is ca.key beside it. */
	if (old.kind == KEYFILE_KIND_FILE)
		snprintf(old.path, sizeof(old.path), "ca.key");
	rc = keyfile_loc_format(&old, 0, &txt);
	if (rc != CA_OK)
		return ca_why(why, whylen, rc, "cannot encode ca.json");
	snprintf(a, sizeof(a), "%s/ca.json", dir);
	rc = keyfile_write_excl(a, txt, strlen(txt), 0600, why, whylen);
	gnutls_memset(txt, 0, strlen(txt));
	free(txt);
	snprintf(a, sizeof(a), "%s/ca.crt", dir);
	if (rc == CA_OK)
		rc = keyfile_write_excl(a, cur_pem->data, cur_pem->size, 0644, why,
		    whylen);
	if (rc != CA_OK)
		return rc;
	/* The new key, written beside, then swapped in with renames. */
	ret = gnutls_x509_privkey_export2_pkcs8(nk, GNUTLS_X509_FMT_PEM,
	    o->key_password, o->key_password ? GNUTLS_PKCS_PBES2_AES_256 :
	    GNUTLS_PKCS_PLAIN, &pem);
	if (ret < 0)
		return ca_why(why, whylen, CA_ECRYPTO, "cannot export the new key: %s",
		    gnutls_strerror(ret));
	snprintf(a, sizeof(a), "%s/ca.key.new", o->state_dir);
	rc = keyfile_write_excl(a, pem.data, pem.size, 0600, why, whylen);
	gnutls_memset(pem.data, 0, pem.size);
	gnutls_free(pem.data);
	if (rc != CA_OK)
		return rc;
	if (id->key.kind == KEYFILE_KIND_FILE) {
		snprintf(b, sizeof(b), "%s/ca.key", dir);
		if ((rc = rename_ok(id->key.path, b, why, whylen)) != CA_OK)
			return rc;
	}
	snprintf(b, sizeof(b), "%s/ca.key", o->state_dir);
	if ((rc = rename_ok(a, b, why, whylen)) != CA_OK)
		return rc;
	memset(&loc, 0, sizeof(loc));
	loc.kind = KEYFILE_KIND_FILE;
	snprintf(loc.path, sizeof(loc.path), "ca.key");
	loc.encrypted = o->key_password != NULL;
	if (o->key_password_file != NULL && realpath(o->key_password_file,
	    loc.password_file) == NULL)
		return ca_why(why, whylen, CA_EIO, "%s: %s", o->key_password_file,
		    strerror(errno));
	if ((rc = keyfile_loc_format(&loc, 0, &txt)) != CA_OK)
		return ca_why(why, whylen, rc, "cannot encode ca.json");
	snprintf(a, sizeof(a), "%s/ca.json", o->state_dir);
	rc = keyfile_write_replace(a, txt, strlen(txt), 0600, why, whylen);
	free(txt);
	return rc;
}

/* Issue entcad's TLS certificate again with the new key (chain: new CA). */
static int
renew_tls(const struct ca_renew_opts *o, gnutls_x509_crt_t ca,
    gnutls_privkey_t key, char *why, size_t whylen)
{
	struct ca_init_opts io;
	gnutls_datum_t k = { NULL, 0 }, c = { NULL, 0 }, capem = { NULL, 0 };
	char path[PATH_MAX + 16];
	unsigned char *all = NULL;
	int rc;

	snprintf(path, sizeof(path), "%s/tls.crt", o->state_dir);
	if (access(path, F_OK) != 0)
		return CA_OK;	/* made with --no-tls-cert */
	memset(&io, 0, sizeof(io));
	io.state_dir = o->state_dir;
	rc = identity_make_tls(ca, key, &io, &k, &c, why, whylen);
	if (rc == CA_OK)
		rc = pem_of(ca, &capem, why, whylen);
	if (rc == CA_OK && (all = malloc(c.size + capem.size)) == NULL)
		rc = ca_why(why, whylen, CA_ENOMEM, "out of memory");
	if (rc == CA_OK) {
		memcpy(all, c.data, c.size);
		memcpy(all + c.size, capem.data, capem.size);
		snprintf(path, sizeof(path), "%s/tls.key", o->state_dir);
		rc = keyfile_write_replace(path, k.data, k.size, 0600, why, whylen);
	}
	if (rc == CA_OK) {
		snprintf(path, sizeof(path), "%s/tls.crt", o->state_dir);
		rc = keyfile_write_replace(path, all, c.size + capem.size, 0644, why,
		    whylen);
	}
	free(all);
	if (k.data != NULL)
		gnutls_memset(k.data, 0, k.size);
	gnutls_free(k.data);
	gnutls_free(c.data);
	gnutls_free(capem.data);
	return rc;
}

/* Renew the CA certificate; see identity.h. */
int
ca_identity_renew(const struct ca_renew_opts *o, char *why, size_t whylen)
{
	struct ca_identity *id = NULL;
	gnutls_privkey_t key = NULL, nkey = NULL;
	gnutls_x509_privkey_t nk = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t cur_pem = { NULL, 0 }, new_pem = { NULL, 0 };
	char path[PATH_MAX + 32];
	unsigned ci, ki, status = 0;
	int rc;

	if (o->days == 0 || o->days > CA_IDENTITY_DAYS_MAX)
		return ca_why(why, whylen, CA_EINVAL, "--days: expected 1..%d",
		    CA_IDENTITY_DAYS_MAX);
	rc = ca_identity_load(o->state_dir, &id, why, whylen);
	if (rc != CA_OK)
		return rc;
	/* A root signs its own renewal; a subordinate's goes to its parent. */
	if (id->chain_len > 0 || !gnutls_x509_crt_check_issuer(id->cert, id->cert) ||
	    gnutls_x509_crt_verify(id->cert, &id->cert, 1, 0, &status) < 0 ||
	    status != 0) {
		rc = ca_why(why, whylen, CA_EPOLICY, "%s: a subordinate CA is "
		    "renewed by its parent CA (a request to sign, then install-cert); "
		    "entca ca renew renews root CAs only", o->state_dir);
		goto out;
	}
	ca_identity_index(id->cert, &ci, &ki);
	if (ci + 1 >= CA_IDENTITY_HISTORY_MAX) {
		rc = ca_why(why, whylen, CA_ETOOBIG, "%u renewals already: the most "
		    "this CA keeps is %d", ci, CA_IDENTITY_HISTORY_MAX - 1);
		goto out;
	}
	if (o->new_key && id->key.kind != KEYFILE_KIND_FILE) {
		rc = ca_why(why, whylen, CA_EINVAL, "--new-key: the CA key is in a "
		    "PKCS#11 token; a new token key is not made by renewal yet "
		    "(renew with the same key)");
		goto out;
	}
	rc = keyfile_open(&id->key, &key, why, whylen);
	if (rc != CA_OK)
		goto out;
	if (o->new_key) {
		rc = identity_generate_key(o->key_type, &nk, why, whylen);
		if (rc == CA_OK && (gnutls_privkey_init(&nkey) < 0 ||
		    gnutls_privkey_import_x509(nkey, nk, 0) < 0))
			rc = ca_why(why, whylen, CA_ECRYPTO, "unusable new key");
		if (rc != CA_OK)
			goto out;
	}
	rc = make_renewed(id->cert, o->new_key ? nkey : key, o->days, ci + 1,
	    o->new_key ? ki + 1 : ki, &crt, why, whylen);
	if (rc == CA_OK)
		rc = pem_of(id->cert, &cur_pem, why, whylen);
	if (rc == CA_OK)
		rc = pem_of(crt, &new_pem, why, whylen);
	if (rc != CA_OK)
		goto out;
	/* History first: a crash after this leaves the old CA whole. */
	snprintf(path, sizeof(path), "%s/%s", o->state_dir, CA_IDENTITY_HISTORY_DIR);
	if ((rc = mkdir_ok(path, why, whylen)) != CA_OK)
		goto out;
	snprintf(path, sizeof(path), "%s/%s/ca(%u).crt", o->state_dir,
	    CA_IDENTITY_HISTORY_DIR, ci);
	rc = keyfile_write_excl(path, cur_pem.data, cur_pem.size, 0644, why, whylen);
	if (rc == CA_OK && o->new_key)
		rc = swap_key(o, id, ki, nk, &cur_pem, why, whylen);
	if (rc != CA_OK)
		goto out;
	snprintf(path, sizeof(path), "%s/ca.crt", o->state_dir);
	rc = keyfile_write_replace(path, new_pem.data, new_pem.size, 0644, why,
	    whylen);
	if (rc == CA_OK && o->new_key)
		rc = renew_tls(o, crt, nkey, why, whylen);
	if (rc == CA_OK) {
		if (o->cert_index != NULL)
			*o->cert_index = ci + 1;
		if (o->key_index != NULL)
			*o->key_index = o->new_key ? ki + 1 : ki;
	}
out:
	gnutls_free(cur_pem.data);
	gnutls_free(new_pem.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_privkey_deinit(key);
	gnutls_privkey_deinit(nkey);
	gnutls_x509_privkey_deinit(nk);
	ca_identity_free(id);
	return rc;
}

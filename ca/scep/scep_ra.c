/*
 * The SCEP RA key and certificate (see scep_ra.h): made at the first start
 * with [scep] enabled, the certificate renewed for the same key before it
 * runs out, recorded in the store like any certificate this CA signs.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/hex.h"
#include "common/log.h"
#include "ca/daemon/daemon.h"
#include "ca/daemon/job.h"
#include "ca/identity/identity.h"
#include "ca/issue/issue.h"
#include "ca/issue/pkcs7.h"
#include "ca/scep/scep_int.h"
#include "ca/scep/scep_ra.h"
#include "ca/signer/keyfile.h"
#include "ca/signer/signer_scep.h"
#include "ca/store/store.h"

#define SCEP_RA_BACKDATE 600	/* as issued certificates: clock skew */
#define SCEP_RA_PUB_FILE "scep-ra.pub"	/* its public key, for the first certificate */

/* Write the public half of k next to the key (public, 0644). */
static int
ra_write_pub(const char *state_dir, gnutls_x509_privkey_t k, char *why, size_t whylen)
{
	char path[PATH_MAX + 32];
	gnutls_privkey_t pk = NULL;
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t pem = { NULL, 0 };
	int rc = CA_OK;

	snprintf(path, sizeof(path), "%s/%s", state_dir, SCEP_RA_PUB_FILE);
	if (gnutls_privkey_init(&pk) < 0 || gnutls_privkey_import_x509(pk, k, 0) < 0 ||
	    gnutls_pubkey_init(&pub) < 0 || gnutls_pubkey_import_privkey(pub, pk, 0, 0) < 0 ||
	    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_PEM, &pem) < 0)
		rc = ca_why(why, whylen, CA_ECRYPTO, "SCEP RA key: cannot export its public key");
	if (rc == CA_OK)
		rc = keyfile_write_replace(path, pem.data, pem.size, 0644, why, whylen);
	gnutls_free(pem.data);
	gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(pk);
	return rc;
}

/* Read the RA public key written by scep_ra_prepare. */
static int
scep_ra_pubkey_from_file(const struct ca_config *c, gnutls_pubkey_t pub,
    char *why, size_t whylen)
{
	char path[PATH_MAX + 32];
	gnutls_datum_t d = { NULL, 0 };
	int rc;

	snprintf(path, sizeof(path), "%s/%s", c->state_dir, SCEP_RA_PUB_FILE);
	rc = keyfile_read(path, &d, why, whylen);
	if (rc != CA_OK)
		return ca_why(why, whylen, rc, "%s: missing; remove %s/%s to make a new "
		    "RA key at the next start", path, c->state_dir, SIGNER_SCEP_KEY_FILE);
	if (gnutls_pubkey_import(pub, &d, GNUTLS_X509_FMT_PEM) < 0)
		rc = ca_why(why, whylen, CA_EPARSE, "%s: not a PEM public key", path);
	gnutls_free(d.data);
	return rc;
}

/* Make STATE/scep-ra.key when SCEP is on and there is none. */
int
scep_ra_prepare(const struct ca_config *c, char *why, size_t whylen)
{
	char path[PATH_MAX + 32];
	gnutls_x509_privkey_t k = NULL;
	gnutls_datum_t pem = { NULL, 0 };
	struct passwd *pw;
	int r, rc;

	if (!c->scep_enabled)
		return CA_OK;
	snprintf(path, sizeof(path), "%s/%s", c->state_dir, SIGNER_SCEP_KEY_FILE);
	if (access(path, F_OK) == 0)
		return CA_OK;
	if (gnutls_x509_privkey_init(&k) < 0)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	/* RSA: SCEP envelopes use RSA key transport (RFC 8894 §3.2.2). */
	r = gnutls_x509_privkey_generate2(k, GNUTLS_PK_RSA, SCEP_RA_KEY_BITS, 0, NULL, 0);
	if (r >= 0)
		r = gnutls_x509_privkey_export2_pkcs8(k, GNUTLS_X509_FMT_PEM, NULL,
		    GNUTLS_PKCS_PLAIN, &pem);
	rc = r < 0 ? ca_why(why, whylen, CA_ECRYPTO, "SCEP RA key: %s", gnutls_strerror(r)) :
	    ra_write_pub(c->state_dir, k, why, whylen);
	gnutls_x509_privkey_deinit(k);	/* wipes the key */
	if (rc != CA_OK) {
		if (pem.data != NULL)
			gnutls_memset(pem.data, 0, pem.size);
		gnutls_free(pem.data);
		return rc;
	}
	rc = keyfile_write_excl(path, pem.data, pem.size, 0600, why, whylen);
	gnutls_memset(pem.data, 0, pem.size);
	gnutls_free(pem.data);
	if (rc != CA_OK)
		return rc;
	/* As root the key is the signer's, like ca.key. */
	if (geteuid() == 0) {
		pw = getpwnam(c->signer_user);
		if (pw == NULL || chown(path, pw->pw_uid, pw->pw_gid) != 0) {
			unlink(path);
			return ca_why(why, whylen, CA_EIO, "%s: cannot hand it to [ca] "
			    "signer-user %s: %s", path, c->signer_user,
			    pw == NULL ? "no such user" : strerror(errno));
		}
	}
	log_notice("SCEP: made the RA key %s", path);
	return CA_OK;
}

/* What the RA certificate's store record and audit event carry. */
struct ra_issue {
	struct store_cert cert;
};

/* Writer thread: record the RA certificate and audit its issuance. */
static int
ra_apply(struct store_wtxn *w, struct job *j)
{
	struct ra_issue *x = j->ctx;
	char hex[2 * STORE_SERIAL_MAX + 1];

	store_w_put_cert(w, &x->cert);
	hex_encode(x->cert.serial, x->cert.serial_len, hex);
	return job_audit(w, j, "scep-ra-issue", "issued",
	    "SCEP RA certificate (RFC 8894 §2.2)", "serial", hex,
	    "subject", x->cert.subject_dn, NULL);
}

/* Worker-side of the local job: only the write. */
static void
ra_work(struct job *j)
{
	j->apply = ra_apply;
	j->status = 200;
}

/* Issue an RA certificate for the public key of the signer's RA key. */
static int
ra_issue(struct daemon *d, gnutls_pubkey_t pub, gnutls_datum_t *der,
    char *why, size_t whylen)
{
	const struct ca_config *c = d->cfg;
	gnutls_x509_crt_t crt = NULL;
	unsigned char serial[STORE_SERIAL_MAX], id[64];
	size_t serial_len = sizeof(serial), idlen = sizeof(id);
	int64_t now = ca_now(), na = now + c->scep_ra_validity_s;
	char dn[CONFIG_STR_MAX + 16];
	struct ra_issue x;
	struct job *j;
	int r = 0, rc;

	memset(&x, 0, sizeof(x));
	if (na > d->id->not_after)
		na = d->id->not_after;	/* never outlive the CA */
	snprintf(dn, sizeof(dn), "CN=%s SCEP RA", c->name);
	rc = issue_serial_new(serial, &serial_len);
	if (rc != CA_OK)
		return ca_why(why, whylen, rc, "SCEP RA: serial: random generator failed");
	if (gnutls_x509_crt_init(&crt) < 0)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
#define S(call) do { if (r >= 0) r = (call); } while (0)
	S(gnutls_x509_crt_set_version(crt, 3));
	S(gnutls_x509_crt_set_dn(crt, dn, NULL));
	S(gnutls_x509_crt_set_pubkey(crt, pub));
	S(gnutls_x509_crt_set_serial(crt, serial, serial_len));
	S(gnutls_x509_crt_set_activation_time(crt, (time_t)(now - SCEP_RA_BACKDATE)));
	S(gnutls_x509_crt_set_expiration_time(crt, (time_t)na));
	S(gnutls_x509_crt_set_basic_constraints(crt, 0, -1));
	/* NDES's two RA certificates in one: it signs and it decrypts. */
	S(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE |
	    GNUTLS_KEY_KEY_ENCIPHERMENT));
	S(gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, id, &idlen));
	S(gnutls_x509_crt_set_subject_key_id(crt, id, idlen));
	idlen = sizeof(id);
	if (r >= 0 && gnutls_x509_crt_get_subject_key_id(d->id->cert, id, &idlen, NULL) >= 0)
		r = gnutls_x509_crt_set_authority_key_id(crt, id, idlen);
	S(gnutls_x509_crt_privkey_sign(crt, d->id->cert, d->key, GNUTLS_DIG_SHA256, 0));
	S(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, der));
#undef S
	gnutls_x509_crt_deinit(crt);
	if (r < 0)
		return ca_why(why, whylen, r == GNUTLS_E_PK_SIGN_FAILED ? CA_EUNAVAIL :
		    CA_ECRYPTO, "SCEP RA certificate: %s", gnutls_strerror(r));
	memcpy(x.cert.serial, serial, serial_len);
	x.cert.serial_len = serial_len;
	x.cert.der = der->data;
	x.cert.der_len = der->size;
	snprintf(x.cert.template_name, sizeof(x.cert.template_name), "%s", SCEP_RA_TEMPLATE);
	snprintf(x.cert.requester, sizeof(x.cert.requester), "entcad");
	snprintf(x.cert.subject_dn, sizeof(x.cert.subject_dn), "%s", dn);
	x.cert.not_before = now - SCEP_RA_BACKDATE;
	x.cert.not_after = na;
	x.cert.status = STORE_CERT_VALID;
	j = job_new_local(d, "entcad");
	if (j == NULL)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	j->ctx = &x;
	job_run_local(j, ra_work);
	rc = j->status < 300 ? CA_OK : ca_why(why, whylen, CA_EDB,
	    "SCEP RA certificate: %s", j->why);
	j->ctx = NULL;
	job_free(j);
	return rc;
}

/* The GetCACert body: the CA, its chain and the RA certificate. */
static int
ra_cacert_p7(struct daemon *d, struct scep_ra *ra)
{
	gnutls_datum_t certs[2 + 16], chain[16];
	size_t n = 0, nchain = 0;
	int rc;

	certs[n++] = d->id->cert_der;
	for (unsigned i = 0; i < d->id->chain_len && nchain < 16; i++) {
		if (gnutls_x509_crt_export2(d->id->chain[i], GNUTLS_X509_FMT_DER,
		    &chain[nchain]) < 0)
			break;
		certs[n++] = chain[nchain++];
	}
	certs[n++] = ra->cert_der;
	rc = pkcs7_certs_only(certs, n, &ra->cacert_p7, &ra->cacert_p7_len);
	for (size_t i = 0; i < nchain; i++)
		gnutls_free(chain[i].data);
	return rc;
}

/* Load, issue or renew the RA certificate; see scep_ra.h. */
int
scep_ra_open(struct daemon *d, char *why, size_t whylen)
{
	const struct ca_config *c = d->cfg;
	char path[PATH_MAX + 32];
	gnutls_datum_t der = { NULL, 0 };
	gnutls_pubkey_t pub = NULL;
	struct scep_ra *ra;
	bool have;
	int rc;

	if (!c->scep_enabled)
		return CA_OK;
	ra = calloc(1, sizeof(*ra));
	if (ra == NULL)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	d->scep = ra;
	snprintf(path, sizeof(path), "%s/%s", c->state_dir, SCEP_RA_CERT_FILE);
	have = keyfile_read(path, &der, why, whylen) == CA_OK;
	if (gnutls_x509_crt_init(&ra->cert) < 0)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	if (have && gnutls_x509_crt_import(ra->cert, &der, GNUTLS_X509_FMT_PEM) < 0) {
		gnutls_free(der.data);
		return ca_why(why, whylen, CA_EPARSE, "%s: not a PEM certificate", path);
	}
	gnutls_free(der.data);
	der.data = NULL;
	if (have && (int64_t)gnutls_x509_crt_get_expiration_time(ra->cert) -
	    ca_now() > c->scep_ra_renew_s) {
		rc = signer_scep_privkey(d->signer, ra->cert, &ra->key, why, whylen);
		goto loaded;
	}
	/*
	 * First start or renewal, for the key the signer holds: its public
	 * half from the certificate being renewed, or at first start from
	 * the file scep_ra_prepare wrote beside the key.
	 */
	if (gnutls_pubkey_init(&pub) < 0)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	if (have) {
		rc = gnutls_pubkey_import_x509(pub, ra->cert, 0) < 0 ? CA_EPARSE : CA_OK;
	} else {
		rc = scep_ra_pubkey_from_file(c, pub, why, whylen);
	}
	if (rc == CA_OK)
		rc = ra_issue(d, pub, &der, why, whylen);
	gnutls_pubkey_deinit(pub);
	if (rc != CA_OK) {
		gnutls_free(der.data);
		return rc;
	}
	{
		gnutls_datum_t pem = { NULL, 0 };

		gnutls_x509_crt_deinit(ra->cert);
		ra->cert = NULL;
		if (gnutls_x509_crt_init(&ra->cert) < 0 ||
		    gnutls_x509_crt_import(ra->cert, &der, GNUTLS_X509_FMT_DER) < 0 ||
		    gnutls_x509_crt_export2(ra->cert, GNUTLS_X509_FMT_PEM, &pem) < 0) {
			gnutls_free(der.data);
			return ca_why(why, whylen, CA_ECRYPTO, "SCEP RA certificate: re-import failed");
		}
		gnutls_free(der.data);
		rc = keyfile_write_replace(path, pem.data, pem.size, 0644, why, whylen);
		gnutls_free(pem.data);
		if (rc != CA_OK)
			return rc;
	}
	log_notice("SCEP: %s the RA certificate %s", have ? "renewed" : "issued", path);
	rc = signer_scep_privkey(d->signer, ra->cert, &ra->key, why, whylen);
loaded:
	if (rc != CA_OK)
		return rc;
	if (gnutls_x509_crt_export2(ra->cert, GNUTLS_X509_FMT_DER, &ra->cert_der) < 0)
		return ca_why(why, whylen, CA_ECRYPTO, "SCEP RA certificate: export failed");
	ra->not_after = (int64_t)gnutls_x509_crt_get_expiration_time(ra->cert);
	if (ra_cacert_p7(d, ra) != CA_OK)
		return ca_why(why, whylen, CA_ECRYPTO, "SCEP: cannot encode GetCACert");
	return CA_OK;
}

/* Free the RA state. */
void
scep_ra_free(struct scep_ra *ra)
{
	if (ra == NULL)
		return;
	if (ra->key != NULL)
		gnutls_privkey_deinit(ra->key);
	if (ra->cert != NULL)
		gnutls_x509_crt_deinit(ra->cert);
	gnutls_free(ra->cert_der.data);
	gnutls_free(ra->cacert_p7);
	free(ra);
}

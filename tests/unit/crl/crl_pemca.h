/*
 * Test helper for programs that build CRLs from files (crl_tool.c; the
 * CRL benchmark loads its issuer the same way): the issuer read from a
 * PEM key and a PEM CA certificate (key, certificate, subject DER and
 * subject key identifier), and the crl_params fields it fills.
 * Header-only (static functions); one issuer per struct.
 */
#ifndef ENTCA_TESTS_CRL_PEMCA_H
#define ENTCA_TESTS_CRL_PEMCA_H

#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "crl/crl.h"

/* A CRL issuer loaded from PEM files. */
struct test_pemca {
	gnutls_privkey_t key;
	gnutls_x509_crt_t crt;
	gnutls_datum_t dn;		/* subject DER, the CRL's issuer */
	unsigned char ski[64];		/* the CRL's authority key id */
	size_t ski_len;
};

/*
 * Load the issuer from key_file and ca_file (PEM). Returns 0 or a GnuTLS
 * code; on failure what names the step. Free with test_pemca_free()
 * either way.
 */
static int
test_pemca_load(struct test_pemca *ca, const char *key_file,
    const char *ca_file, const char **what)
{
	gnutls_datum_t kd = { NULL, 0 }, cd = { NULL, 0 };
	unsigned int crit;
	int ret;

	memset(ca, 0, sizeof(*ca));
	ca->ski_len = sizeof(ca->ski);
	*what = key_file;
	if ((ret = gnutls_load_file(key_file, &kd)) < 0)
		goto out;
	*what = ca_file;
	if ((ret = gnutls_load_file(ca_file, &cd)) < 0)
		goto out;
	*what = "key";
	if ((ret = gnutls_privkey_init(&ca->key)) < 0 ||
	    (ret = gnutls_privkey_import_x509_raw(ca->key, &kd,
	    GNUTLS_X509_FMT_PEM, NULL, 0)) < 0)
		goto out;
	*what = "CA certificate";
	if ((ret = gnutls_x509_crt_init(&ca->crt)) < 0 ||
	    (ret = gnutls_x509_crt_import(ca->crt, &cd,
	    GNUTLS_X509_FMT_PEM)) < 0 ||
	    (ret = gnutls_x509_crt_get_raw_dn(ca->crt, &ca->dn)) < 0 ||
	    (ret = gnutls_x509_crt_get_subject_key_id(ca->crt, ca->ski,
	    &ca->ski_len, &crit)) < 0)
		goto out;
	ret = 0;
out:
	gnutls_free(kd.data);
	gnutls_free(cd.data);
	return ret;
}

/* Point p's issuer name and authority key id at ca (which must outlive p). */
static void
test_pemca_params(const struct test_pemca *ca, struct crl_params *p)
{
	p->issuer_der = ca->dn.data;
	p->issuer_len = ca->dn.size;
	p->aki = ca->ski;
	p->aki_len = ca->ski_len;
}

/* Free what test_pemca_load made. */
static void
test_pemca_free(struct test_pemca *ca)
{
	gnutls_free(ca->dn.data);
	gnutls_x509_crt_deinit(ca->crt);
	gnutls_privkey_deinit(ca->key);
	memset(ca, 0, sizeof(*ca));
}

#endif

/*
 * Test helpers shared by test_crl_build.c and test_crl_stream.c: a CA made
 * in memory with GnuTLS (key, self-signed certificate, subject DER, SKI),
 * CRL parameters for it, and CRL parsing and verification with GnuTLS's
 * own reader. Header-only (static inline) so each test file stays small;
 * include after <cmocka.h>.
 */
#ifndef ENTCA_TESTS_CRL_TESTCA_H
#define ENTCA_TESTS_CRL_TESTCA_H

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "crl/crl.h"

#define T0 ((int64_t)1700000000)	/* 2023-11-14 22:13:20Z */
/* nextUpdate: 2100-01-01, so CRLs stay fresh for GnuTLS's verifier and the
 * GeneralizedTime form is exercised. */
#define NEXT ((int64_t)4102444800)

/* A CA: key, self-signed certificate, subject DER and SKI. */
struct ca {
	gnutls_privkey_t key;
	gnutls_x509_crt_t crt;
	gnutls_datum_t dn;
	unsigned char ski[64];
	size_t ski_len;
};

/* Make a CA with a new key of type pk. */
static inline void
ca_make(struct ca *ca, gnutls_pk_algorithm_t pk, unsigned bits)
{
	gnutls_pubkey_t pub;
	unsigned char serial[8] = { 0x42, 1, 2, 3, 4, 5, 6, 7 };
	gnutls_datum_t der;

	memset(ca, 0, sizeof(*ca));
	assert_int_equal(gnutls_privkey_init(&ca->key), 0);
	assert_int_equal(gnutls_privkey_generate(ca->key, pk, bits, 0), 0);
	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	assert_int_equal(gnutls_pubkey_import_privkey(pub, ca->key, 0, 0), 0);
	assert_int_equal(gnutls_x509_crt_init(&ca->crt), 0);
	assert_int_equal(gnutls_x509_crt_set_pubkey(ca->crt, pub), 0);
	assert_int_equal(gnutls_x509_crt_set_version(ca->crt, 3), 0);
	assert_int_equal(gnutls_x509_crt_set_serial(ca->crt, serial,
	    sizeof(serial)), 0);
	assert_int_equal(gnutls_x509_crt_set_dn(ca->crt,
	    "CN=entca Test CA,O=entca,DC=example,DC=org", NULL), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(ca->crt,
	    T0 - 86400), 0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(ca->crt,
	    T0 + 3650 * 86400LL), 0);
	assert_int_equal(gnutls_x509_crt_set_basic_constraints(ca->crt, 1, -1),
	    0);
	assert_int_equal(gnutls_x509_crt_set_key_usage(ca->crt,
	    GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN), 0);
	ca->ski_len = sizeof(ca->ski);
	assert_int_equal(gnutls_pubkey_get_key_id(pub, 0, ca->ski,
	    &ca->ski_len), 0);
	assert_int_equal(gnutls_x509_crt_set_subject_key_id(ca->crt, ca->ski,
	    ca->ski_len), 0);
	assert_int_equal(gnutls_x509_crt_privkey_sign(ca->crt, ca->crt,
	    ca->key, pk == GNUTLS_PK_EDDSA_ED25519 ? GNUTLS_DIG_UNKNOWN :
	    GNUTLS_DIG_SHA256, 0), 0);
	/* Round-trip through DER: GnuTLS keeps the raw subject that CRL
	 * verification compares only for imported certificates. */
	assert_int_equal(gnutls_x509_crt_export2(ca->crt, GNUTLS_X509_FMT_DER,
	    &der), 0);
	gnutls_x509_crt_deinit(ca->crt);
	assert_int_equal(gnutls_x509_crt_init(&ca->crt), 0);
	assert_int_equal(gnutls_x509_crt_import(ca->crt, &der,
	    GNUTLS_X509_FMT_DER), 0);
	gnutls_free(der.data);
	assert_int_equal(gnutls_x509_crt_get_raw_dn(ca->crt, &ca->dn), 0);
	gnutls_pubkey_deinit(pub);
}

/* Free a CA. */
static inline void
ca_free(struct ca *ca)
{
	gnutls_free(ca->dn.data);
	gnutls_x509_crt_deinit(ca->crt);
	gnutls_privkey_deinit(ca->key);
}

/* Parameters for a full CRL of ca. */
static inline void
params_for(struct crl_params *p, const struct ca *ca)
{
	memset(p, 0, sizeof(*p));
	p->issuer_der = ca->dn.data;
	p->issuer_len = ca->dn.size;
	p->aki = ca->ski;
	p->aki_len = ca->ski_len;
	p->this_update = T0;
	p->next_update = NEXT;
	p->crl_number = 7;
}

/* Import der as a CRL and check that ca's certificate verifies it. */
static inline gnutls_x509_crl_t
crl_parse_verify(const struct ca *ca, const unsigned char *der, size_t len)
{
	gnutls_x509_crl_t crl;
	gnutls_datum_t d = { (unsigned char *)der, (unsigned int)len };
	unsigned int status = 99;
	gnutls_x509_crt_t cas[1] = { ca->crt };

	assert_int_equal(gnutls_x509_crl_init(&crl), 0);
	assert_int_equal(gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER),
	    0);
	assert_int_equal(gnutls_x509_crl_verify(crl, cas, 1, 0, &status), 0);
	assert_int_equal(status, 0);
	assert_int_equal(gnutls_x509_crl_get_version(crl), 2);
	return crl;
}

/* Find extension oid in crl: return its index, critical flag via *crit. */
static inline int
crl_find_ext(gnutls_x509_crl_t crl, const char *oid, unsigned *crit,
    gnutls_datum_t *data)
{
	char buf[128];
	size_t len;
	unsigned int c;
	int i, ret;

	for (i = 0;; i++) {
		len = sizeof(buf);
		ret = gnutls_x509_crl_get_extension_info(crl, i, buf, &len, &c);
		if (ret < 0)
			return -1;
		if (strcmp(buf, oid) == 0) {
			*crit = c;
			if (data != NULL)
				assert_int_equal(
				    gnutls_x509_crl_get_extension_data2(crl, i,
				    data), 0);
			return i;
		}
	}
}

/* Fill an entry with serial bytes. */
static inline void
entry_set(struct crl_entry *e, const void *serial, size_t n, int64_t at,
    int reason, int64_t inval)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->serial, serial, n);
	e->serial_len = n;
	e->revoked_at = at;
	e->reason = reason;
	e->invalidity_date = inval;
}

#endif

/*
 * Unit tests for crl/crl.c: CRLs built here are parsed back and verified
 * by GnuTLS's own CRL parser (an independent reader of the DER), for RSA,
 * RSA-PSS, ECDSA, Ed25519 and an external key; entries, reasons, numbers,
 * indicators and refusals of bad input are checked field by field.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "common/error.h"
#include "crl/crl.h"
#include "crl/der.h"
#include "tests/unit/crl_extkey.h"

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
static void
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
static void
ca_free(struct ca *ca)
{
	gnutls_free(ca->dn.data);
	gnutls_x509_crt_deinit(ca->crt);
	gnutls_privkey_deinit(ca->key);
}

/* Parameters for a full CRL of ca. */
static void
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
static gnutls_x509_crl_t
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
static int
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
static void
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

/* A full RSA CRL: entries, serial padding, times, AKI, number, freshest. */
static void
test_full_rsa(void **state)
{
	static const char *const urls[] = { "http://pki.example.org/crl/ca+.crl",
		"ldap:///CN=ca,CN=CDP?deltaRevocationList?base" };
	struct ca ca;
	struct crl_params p;
	struct crl_entry e[4];
	unsigned char *der = NULL, *der2 = NULL, serial[64], aki[64], num[32];
	unsigned char s20[20];
	size_t len, len2, slen, akil, numl;
	unsigned crit;
	time_t t;
	char why[CA_WHY_MAX];
	gnutls_x509_crl_t crl;
	gnutls_datum_t ext;
	int i;

	(void)state;
	ca_make(&ca, GNUTLS_PK_RSA, 2048);
	params_for(&p, &ca);
	p.freshest_urls = urls;
	p.n_freshest = 2;
	p.next_publish = T0 + 7 * 86400;	/* 2023-11-21 22:13:20Z */
	memset(s20, 0xc3, sizeof(s20));
	entry_set(&e[0], "\x01\x02\x03", 3, T0 - 100, CRL_REASON_KEY_COMPROMISE,
	    T0 - 5000);
	entry_set(&e[1], "\x00\x00\x80\x01", 4, T0 - 50,
	    CRL_REASON_UNSPECIFIED, 0);
	entry_set(&e[2], s20, 20, 2524608000LL, CRL_REASON_SUPERSEDED, 0);
	entry_set(&e[3], "\x7f", 1, T0 - 1, CRL_REASON_CERTIFICATE_HOLD, 0);
	assert_int_equal(crl_build_array(&p, e, 4, ca.key, &der, &len, why,
	    sizeof(why)), CA_OK);
	crl = crl_parse_verify(&ca, der, len);

	assert_int_equal(gnutls_x509_crl_get_crt_count(crl), 4);
	assert_int_equal(gnutls_x509_crl_get_this_update(crl), T0);
	assert_int_equal(gnutls_x509_crl_get_next_update(crl), NEXT);
	slen = sizeof(serial);
	assert_int_equal(gnutls_x509_crl_get_crt_serial(crl, 0, serial, &slen,
	    &t), 0);
	assert_int_equal(slen, 3);
	assert_memory_equal(serial, "\x01\x02\x03", 3);
	assert_int_equal(t, T0 - 100);
	/* Leading zeros stripped, the top bit padded. */
	slen = sizeof(serial);
	assert_int_equal(gnutls_x509_crl_get_crt_serial(crl, 1, serial, &slen,
	    &t), 0);
	assert_int_equal(slen, 3);
	assert_memory_equal(serial, "\x00\x80\x01", 3);
	/* 20 octets with the top bit: 21 content octets, GeneralizedTime. */
	slen = sizeof(serial);
	assert_int_equal(gnutls_x509_crl_get_crt_serial(crl, 2, serial, &slen,
	    &t), 0);
	assert_int_equal(slen, 21);
	assert_int_equal(serial[0], 0);
	assert_memory_equal(serial + 1, s20, 20);
	assert_int_equal(t, 2524608000LL);

	akil = sizeof(aki);
	assert_int_equal(gnutls_x509_crl_get_authority_key_id(crl, aki, &akil,
	    &crit), 0);
	assert_int_equal(akil, ca.ski_len);
	assert_memory_equal(aki, ca.ski, akil);
	assert_int_equal(crit, 0);
	numl = sizeof(num);
	assert_int_equal(gnutls_x509_crl_get_number(crl, num, &numl, &crit), 0);
	assert_int_equal(numl, 1);
	assert_int_equal(num[0], 7);
	assert_int_equal(crit, 0);
	/* freshestCRL present, non-critical, with both URLs; no delta
	 * indicator on a full CRL. */
	assert_true(crl_find_ext(crl, "2.5.29.46", &crit, &ext) >= 0);
	assert_int_equal(crit, 0);
	assert_non_null(memmem(ext.data, ext.size, urls[0], strlen(urls[0])));
	assert_non_null(memmem(ext.data, ext.size, urls[1], strlen(urls[1])));
	gnutls_free(ext.data);
	assert_true(crl_find_ext(crl, "2.5.29.27", &crit, NULL) < 0);
	/* Microsoft CRL Next Publish: a non-critical UTCTime. */
	assert_true(crl_find_ext(crl, "1.3.6.1.4.1.311.21.4", &crit, &ext) >= 0);
	assert_int_equal(crit, 0);
	assert_int_equal(ext.size, 15);
	assert_memory_equal(ext.data, "\x17\x0d" "231121221320Z", 15);
	gnutls_free(ext.data);
	gnutls_x509_crl_deinit(crl);

	/* PKCS#1 v1.5 is deterministic: the same input, the same bytes,
	 * whichever way the entries come. */
	assert_int_equal(crl_build_array(&p, e, 4, ca.key, &der2, &len2, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(len, len2);
	assert_memory_equal(der, der2, len);
	/* Each entry's reasonCode: ENUMERATED after OID 2.5.29.21, present
	 * for 1, 4, 6 and absent for the unspecified entry. */
	for (i = 0, slen = 0; i + 10 < (int)len; i++)
		if (memcmp(der + i, "\x06\x03\x55\x1d\x15\x04\x03\x0a\x01", 9) == 0)
			serial[slen++] = der[i + 9];
	assert_int_equal(slen, 3);
	assert_memory_equal(serial, "\x01\x04\x06", 3);
	free(der);
	free(der2);
	ca_free(&ca);
}

/* A delta CRL on ECDSA: indicator critical, removeFromCRL, no freshest. */
static void
test_delta_ecdsa(void **state)
{
	struct ca ca;
	struct crl_params p;
	struct crl_entry e[2];
	unsigned char *der = NULL, buf[64], num[16];
	size_t len, numl;
	unsigned crit;
	char why[CA_WHY_MAX];
	gnutls_x509_crl_t crl;
	gnutls_datum_t ext;

	(void)state;
	ca_make(&ca, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1));
	params_for(&p, &ca);
	p.delta = true;
	p.crl_number = 300;
	p.base_crl_number = 299;
	p.hash = GNUTLS_DIG_SHA384;
	entry_set(&e[0], "\x0a\x0b", 2, T0 - 10, CRL_REASON_REMOVE_FROM_CRL, 0);
	entry_set(&e[1], "\x0c", 1, T0 - 9, CRL_REASON_CESSATION_OF_OPERATION,
	    T0 - 86400);
	assert_int_equal(crl_build_array(&p, e, 2, ca.key, &der, &len, why,
	    sizeof(why)), CA_OK);
	crl = crl_parse_verify(&ca, der, len);
	assert_int_equal(gnutls_x509_crl_get_signature_algorithm(crl),
	    GNUTLS_SIGN_ECDSA_SHA384);
	assert_int_equal(gnutls_x509_crl_get_crt_count(crl), 2);
	numl = sizeof(num);
	assert_int_equal(gnutls_x509_crl_get_number(crl, num, &numl, &crit), 0);
	assert_int_equal(numl, 2);
	assert_memory_equal(num, "\x01\x2c", 2);
	assert_true(crl_find_ext(crl, "2.5.29.27", &crit, &ext) >= 0);
	assert_int_equal(crit, 1);
	assert_int_equal(ext.size, 4);
	assert_memory_equal(ext.data, "\x02\x02\x01\x2b", 4);	/* 299 */
	gnutls_free(ext.data);
	assert_true(crl_find_ext(crl, "2.5.29.46", &crit, NULL) < 0);
	assert_true(crl_find_ext(crl, "1.3.6.1.4.1.311.21.4", &crit, NULL) < 0);
	/* removeFromCRL (8) and the invalidity date are in the DER. */
	assert_non_null(memmem(der, len,
	    "\x06\x03\x55\x1d\x15\x04\x03\x0a\x01\x08", 10));
	memcpy(buf, "\x06\x03\x55\x1d\x18\x04\x11\x18\x0f" "20231113221320Z",
	    24);
	assert_non_null(memmem(der, len, buf, 24));
	gnutls_x509_crl_deinit(crl);
	free(der);
	ca_free(&ca);
}

/* No entries: revokedCertificates absent, still a valid signed CRL. */
static void
test_empty(void **state)
{
	struct ca ca;
	struct crl_params p;
	unsigned char *der = NULL, *q;
	size_t len;
	char why[CA_WHY_MAX];
	gnutls_x509_crl_t crl;

	(void)state;
	ca_make(&ca, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1));
	params_for(&p, &ca);
	assert_int_equal(crl_build_array(&p, NULL, 0, ca.key, &der, &len, why,
	    sizeof(why)), CA_OK);
	crl = crl_parse_verify(&ca, der, len);
	assert_int_equal(gnutls_x509_crl_get_crt_count(crl), 0);
	/* After nextUpdate (GeneralizedTime) comes [0] directly. */
	q = memmem(der, len, "\x18\x0f" "21000101000000Z", 17);
	assert_non_null(q);
	assert_int_equal(q[17], 0xa0);
	gnutls_x509_crl_deinit(crl);
	free(der);
	ca_free(&ca);
}

/* RSA-PSS and Ed25519 signatures verify too. */
static void
test_pss_ed25519(void **state)
{
	struct ca ca;
	struct crl_params p;
	struct crl_entry e;
	unsigned char *der = NULL;
	size_t len;
	char why[CA_WHY_MAX];
	gnutls_x509_crl_t crl;

	(void)state;
	entry_set(&e, "\x99\x01", 2, T0, CRL_REASON_AFFILIATION_CHANGED, 0);
	ca_make(&ca, GNUTLS_PK_RSA, 2048);
	params_for(&p, &ca);
	p.rsa_pss = true;
	p.hash = GNUTLS_DIG_SHA512;
	assert_int_equal(crl_build_array(&p, &e, 1, ca.key, &der, &len, why,
	    sizeof(why)), CA_OK);
	crl = crl_parse_verify(&ca, der, len);
	assert_int_equal(gnutls_x509_crl_get_signature_algorithm(crl),
	    GNUTLS_SIGN_RSA_PSS_SHA512);	/* same OID as RSAE */
	gnutls_x509_crl_deinit(crl);
	free(der);
	ca_free(&ca);

	ca_make(&ca, GNUTLS_PK_EDDSA_ED25519, 256);
	params_for(&p, &ca);
	assert_int_equal(crl_build_array(&p, &e, 1, ca.key, &der, &len, why,
	    sizeof(why)), CA_OK);
	crl = crl_parse_verify(&ca, der, len);
	assert_int_equal(gnutls_x509_crl_get_signature_algorithm(crl),
	    GNUTLS_SIGN_EDDSA_ED25519);
	gnutls_x509_crl_deinit(crl);
	free(der);
	ca_free(&ca);
}

/* A key restricted to RSA-PSS signs PSS whatever rsa_pss says. */
static void
test_rsa_pss_key(void **state)
{
	struct ca ca;
	struct crl_params p;
	struct crl_entry e;
	unsigned char *der = NULL, sigbuf[512];
	size_t len, slen;
	char why[CA_WHY_MAX];
	gnutls_x509_crl_t crl;
	gnutls_pubkey_t pub;
	gnutls_datum_t d, tbs, sig;

	(void)state;
	entry_set(&e, "\x55", 1, T0, CRL_REASON_KEY_COMPROMISE, 0);
	ca_make(&ca, GNUTLS_PK_RSA_PSS, 2048);
	params_for(&p, &ca);
	assert_int_equal(crl_sign_algorithm(&p, ca.key, why, sizeof(why)),
	    GNUTLS_SIGN_RSA_PSS_SHA256);
	assert_int_equal(crl_build_array(&p, &e, 1, ca.key, &der, &len, why,
	    sizeof(why)), CA_OK);
	/* GnuTLS 3.7.9's gnutls_x509_crl_verify() refuses every CRL signed
	 * by an RSA-PSS key, its own certtool's included (openssl and Python
	 * accept them; see crl_encode.sh), so check the signature over the
	 * TBSCertList with the public key directly. */
	assert_int_equal(gnutls_x509_crl_init(&crl), 0);
	d.data = der;
	d.size = (unsigned int)len;
	assert_int_equal(gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER),
	    0);
	assert_int_equal(gnutls_x509_crl_get_signature_algorithm(crl),
	    GNUTLS_SIGN_RSA_PSS_SHA256);
	/* The signature is the last BIT STRING: 03 82 01 01 00 + 256. */
	assert_memory_equal(der + len - 261, "\x03\x82\x01\x01\x00", 5);
	memcpy(sigbuf, der + len - 256, 256);
	slen = 256;
	/* The TBS follows the outer header: 30 82 LL LL for this size. */
	assert_int_equal(der[0], 0x30);
	assert_int_equal(der[1], 0x82);
	assert_int_equal(der[4], 0x30);
	assert_int_equal(der[5], 0x82);
	tbs.data = der + 4;
	tbs.size = 4 + ((unsigned)der[6] << 8 | der[7]);
	sig.data = sigbuf;
	sig.size = (unsigned int)slen;
	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	assert_int_equal(gnutls_pubkey_import_x509(pub, ca.crt, 0), 0);
	assert_int_equal(gnutls_pubkey_verify_data2(pub,
	    GNUTLS_SIGN_RSA_PSS_SHA256, 0, &tbs, &sig), 0);
	sigbuf[10] ^= 1;	/* and a damaged signature fails */
	assert_true(gnutls_pubkey_verify_data2(pub,
	    GNUTLS_SIGN_RSA_PSS_SHA256, 0, &tbs, &sig) < 0);
	gnutls_pubkey_deinit(pub);
	gnutls_x509_crl_deinit(crl);
	free(der);
	ca_free(&ca);
}

/*
 * The outer header is sized before signing from a 512-octet guess; with a
 * 64-octet Ed25519 signature a CRL just under 64 KiB needs a shorter
 * header than guessed, so the TBS moves. Walk the entry count across that
 * boundary and check every CRL on both sides.
 */
static void
test_header_fixup(void **state)
{
	struct ca ca;
	struct crl_params p;
	struct crl_entry *e;
	unsigned char *der = NULL;
	size_t len, n, i, moved = 0, kept = 0;
	char why[CA_WHY_MAX];
	gnutls_x509_crl_t crl;

	(void)state;
	ca_make(&ca, GNUTLS_PK_EDDSA_ED25519, 256);
	params_for(&p, &ca);
	e = calloc(4000, sizeof(*e));
	assert_non_null(e);
	for (i = 0; i < 4000; i++)
		entry_set(&e[i], "\x01\x02\x03\x04", 4, T0, CRL_REASON_UNSPECIFIED,
		    0);
	/* Each entry is 23 octets: walk n across a CRL of 65536 octets. The
	 * guess overshoots by 450 octets (517- vs 67-octet BIT STRING). */
	for (n = 2800; n < 2880; n++) {
		assert_int_equal(crl_build_array(&p, e, n, ca.key, &der, &len,
		    why, sizeof(why)), CA_OK);
		if (len - 4 < 65536 && len - 4 + 450 >= 65536) {
			assert_int_equal(der[1], 0x82);	/* moved: shorter */
			moved++;
		} else if (len - 5 >= 65536 && der[1] == 0x83)
			kept++;
		crl = crl_parse_verify(&ca, der, len);
		assert_int_equal(gnutls_x509_crl_get_crt_count(crl), n);
		gnutls_x509_crl_deinit(crl);
		free(der);
	}
	assert_true(moved > 0);
	assert_true(kept > 0);
	free(e);
	ca_free(&ca);
}

/* An external key (ext4 callbacks around a real key) signs: GnuTLS hands
 * it the digest only, and the result verifies. */
static void
test_external_key(void **state)
{
	struct ca ca;
	struct crl_params p;
	struct crl_entry e;
	struct test_extkey x;
	gnutls_privkey_t ext;
	unsigned char *der = NULL, *der2 = NULL;
	size_t len, len2;
	char why[CA_WHY_MAX];
	gnutls_x509_crl_t crl;
	gnutls_pk_algorithm_t pks[2] = { GNUTLS_PK_RSA, GNUTLS_PK_ECDSA };
	unsigned bits[2] = { 2048,
		GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1) };
	int k;

	(void)state;
	entry_set(&e, "\x10\x20\x30", 3, T0, CRL_REASON_KEY_COMPROMISE, 0);
	for (k = 0; k < 2; k++) {
		ca_make(&ca, pks[k], bits[k]);
		params_for(&p, &ca);
		memset(&x, 0, sizeof(x));
		x.real = ca.key;
		assert_int_equal(test_extkey_wrap(&x, &ext), 0);
		assert_int_equal(crl_build_array(&p, &e, 1, ext, &der, &len,
		    why, sizeof(why)), CA_OK);
		assert_int_equal(x.sign_data_calls + x.sign_hash_calls, 1);
		assert_int_equal(x.sign_hash_calls, 1);
		assert_true(x.last_input_len <= 64);	/* a digest, not the TBS */
		crl = crl_parse_verify(&ca, der, len);
		gnutls_x509_crl_deinit(crl);
		if (pks[k] == GNUTLS_PK_RSA) {
			/* Deterministic: identical to signing with the key. */
			assert_int_equal(crl_build_array(&p, &e, 1, ca.key,
			    &der2, &len2, why, sizeof(why)), CA_OK);
			assert_int_equal(len, len2);
			assert_memory_equal(der, der2, len);
			free(der2);
		}
		free(der);
		gnutls_privkey_deinit(ext);
		ca_free(&ca);
	}
}

/* Iterator that yields n generated entries, for bigger lists and for
 * making the second pass differ or fail. */
struct gen_iter {
	size_t n, i;
	size_t second_n;	/* entries on the second pass */
	int fail_at;		/* return CA_EDB at this entry (1-based), 0 = never */
	int rewind_rc;
	int pass;
	int second_reason;	/* >= 0: every entry's reason on pass two */
};

/* Serial i as 9 octets with the top bit set. */
static int
gen_next(void *arg, struct crl_entry *out)
{
	struct gen_iter *g = arg;
	size_t lim = g->pass == 2 ? g->second_n : g->n;
	size_t v;
	int k;

	if (g->fail_at > 0 && g->i + 1 == (size_t)g->fail_at)
		return CA_EDB;
	if (g->i >= lim)
		return 0;
	v = ++g->i;
	out->serial_len = 9;
	out->serial[0] = 0x80;
	for (k = 8; k >= 1; k--) {
		out->serial[k] = (unsigned char)v;
		v >>= 8;
	}
	out->revoked_at = T0 - (int64_t)g->i;
	out->reason = (int)(g->i % 3 == 0 ? CRL_REASON_UNSPECIFIED :
	    CRL_REASON_KEY_COMPROMISE);
	if (g->pass == 2 && g->second_reason >= 0)
		out->reason = g->second_reason;
	return 1;
}

/* Restart; count passes. */
static int
gen_rewind(void *arg)
{
	struct gen_iter *g = arg;

	g->i = 0;
	g->pass++;
	return g->rewind_rc;
}

/* 20,000 entries from an iterator round-trip through GnuTLS's parser. */
static void
test_many(void **state)
{
	struct ca ca;
	struct crl_params p;
	struct gen_iter g = { 20000, 0, 20000, 0, CA_OK, 1, -1 };
	unsigned char *der = NULL, serial[32];
	size_t len, slen;
	char why[CA_WHY_MAX];
	gnutls_x509_crl_t crl;
	gnutls_x509_crl_iter_t it = NULL;
	gnutls_datum_t sd;
	time_t t;
	size_t i;

	(void)state;
	ca_make(&ca, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1));
	params_for(&p, &ca);
	assert_int_equal(crl_build(&p, gen_next, gen_rewind, &g, ca.key, &der,
	    &len, why, sizeof(why)), CA_OK);
	assert_int_equal(g.pass, 2);
	crl = crl_parse_verify(&ca, der, len);
	assert_int_equal(gnutls_x509_crl_get_crt_count(crl), 20000);
	for (i = 1; i <= 20000; i++) {
		slen = sizeof(serial);
		assert_int_equal(gnutls_x509_crl_iter_crt_serial(crl, &it,
		    serial, &slen, &t), 0);
		assert_int_equal(slen, 10);
		assert_int_equal(serial[0], 0);
		assert_int_equal(serial[1], 0x80);
		assert_int_equal(serial[9], (unsigned char)i);
		assert_int_equal(serial[8], (unsigned char)(i >> 8));
		assert_int_equal(t, T0 - (int64_t)i);
	}
	slen = sizeof(serial);
	assert_int_equal(gnutls_x509_crl_iter_crt_serial(crl, &it, serial,
	    &slen, &t), GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);
	gnutls_x509_crl_iter_deinit(it);
	(void)sd;
	gnutls_x509_crl_deinit(crl);
	free(der);
	ca_free(&ca);
}

/* Bad input is refused with a reason, and *der stays NULL. */
static void
test_refusals(void **state)
{
	static const char *const bad_url[] = { "http://a b/" };
	static const char *const good_url[] = { "http://x/d.crl" };
	struct ca ca;
	struct crl_params p;
	struct crl_entry e;
	struct gen_iter g;
	unsigned char *der = NULL, bad_dn[4] = { 0x30, 0x05, 0x31, 0x00 };
	size_t len = 99;
	char why[CA_WHY_MAX];

	(void)state;
	ca_make(&ca, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1));
#define REFUSE(rc, frag) do { \
		der = (unsigned char *)1; \
		why[0] = '\0'; \
		assert_int_equal(crl_build_array(&p, &e, 1, ca.key, &der, &len, \
		    why, sizeof(why)), rc); \
		assert_null(der); \
		assert_int_equal(len, 0); \
		assert_non_null(strstr(why, frag)); \
		params_for(&p, &ca); \
		entry_set(&e, "\x01", 1, T0, CRL_REASON_UNSPECIFIED, 0); \
	} while (0)
	params_for(&p, &ca);
	entry_set(&e, "\x01", 1, T0, CRL_REASON_UNSPECIFIED, 0);

	e.serial[0] = 0;
	REFUSE(CA_EINVAL, "serial is zero");
	e.serial_len = 0;
	REFUSE(CA_EINVAL, "serial length 0");
	memset(e.serial, 0x11, 21);
	e.serial_len = 21;
	REFUSE(CA_EINVAL, "longer than 20");
	e.reason = 7;
	REFUSE(CA_EINVAL, "reason code 7");
	e.reason = 11;
	REFUSE(CA_EINVAL, "reason code 11");
	e.reason = CRL_REASON_REMOVE_FROM_CRL;
	REFUSE(CA_EINVAL, "removeFromCRL only in a delta");
	e.revoked_at = CRL_TIME_MIN - 1;
	REFUSE(CA_EINVAL, "revocation date");
	e.invalidity_date = 253402300800LL;
	REFUSE(CA_EINVAL, "invalidity date");
	p.next_update = p.this_update;
	REFUSE(CA_EINVAL, "nextUpdate is not after thisUpdate");
	p.issuer_der = bad_dn;
	p.issuer_len = sizeof(bad_dn);
	REFUSE(CA_EINVAL, "does not match");
	p.issuer_der = (const unsigned char *)"\x31\x00";
	p.issuer_len = 2;
	REFUSE(CA_EINVAL, "not a DER SEQUENCE");
	p.aki = NULL;
	REFUSE(CA_EINVAL, "authority key identifier");
	p.aki_len = CRL_AKI_MAX + 1;
	REFUSE(CA_EINVAL, "authority key identifier");
	p.delta = true;
	p.base_crl_number = 8;
	REFUSE(CA_EINVAL, "base CRL number 8");
	p.delta = true;
	p.base_crl_number = 6;
	p.freshest_urls = good_url;
	p.n_freshest = 1;
	REFUSE(CA_EINVAL, "freshestCRL not allowed");
	p.freshest_urls = bad_url;
	p.n_freshest = 1;
	REFUSE(CA_EINVAL, "IA5String");
	p.n_freshest = CRL_URLS_MAX + 1;
	REFUSE(CA_EINVAL, "freshest CRL URLs");
	p.hash = GNUTLS_DIG_MD5;
	REFUSE(CA_EINVAL, "not supported");

	/* The iterator's error comes back as is. */
	memset(&g, 0, sizeof(g));
	g.n = g.second_n = 10;
	g.fail_at = 5;
	g.pass = 1;
	g.second_reason = -1;
	der = (unsigned char *)1;
	assert_int_equal(crl_build(&p, gen_next, gen_rewind, &g, ca.key, &der,
	    &len, why, sizeof(why)), CA_EDB);
	assert_null(der);
	assert_non_null(strstr(why, "entry 5"));
	/* A failed rewind aborts. */
	memset(&g, 0, sizeof(g));
	g.n = g.second_n = 10;
	g.pass = 1;
	g.second_reason = -1;
	g.rewind_rc = CA_EIO;
	assert_int_equal(crl_build(&p, gen_next, gen_rewind, &g, ca.key, &der,
	    &len, why, sizeof(why)), CA_EIO);
	assert_null(der);
	/* Fewer or more entries on the second pass: CA_ESTATE. */
	memset(&g, 0, sizeof(g));
	g.n = 10;
	g.second_n = 9;
	g.pass = 1;
	g.second_reason = -1;
	assert_int_equal(crl_build(&p, gen_next, gen_rewind, &g, ca.key, &der,
	    &len, why, sizeof(why)), CA_ESTATE);
	assert_null(der);
	assert_non_null(strstr(why, "changed between"));
	memset(&g, 0, sizeof(g));
	g.n = 10;
	g.second_n = 11;
	g.pass = 1;
	g.second_reason = -1;
	assert_int_equal(crl_build(&p, gen_next, gen_rewind, &g, ca.key, &der,
	    &len, why, sizeof(why)), CA_ESTATE);
	assert_null(der);
	/* Same count, other sizes: every entry grows a reasonCode (overflow
	 * caught before writing) or loses it (the list comes out short). */
	memset(&g, 0, sizeof(g));
	g.n = g.second_n = 10;
	g.pass = 1;
	g.second_reason = CRL_REASON_SUPERSEDED;
	assert_int_equal(crl_build(&p, gen_next, gen_rewind, &g, ca.key, &der,
	    &len, why, sizeof(why)), CA_ESTATE);
	assert_null(der);
	memset(&g, 0, sizeof(g));
	g.n = g.second_n = 10;
	g.pass = 1;
	g.second_reason = CRL_REASON_UNSPECIFIED;
	assert_int_equal(crl_build(&p, gen_next, gen_rewind, &g, ca.key, &der,
	    &len, why, sizeof(why)), CA_ESTATE);
	assert_null(der);
	/* An entry that turns invalid on pass two is refused too. */
	memset(&g, 0, sizeof(g));
	g.n = g.second_n = 10;
	g.pass = 1;
	g.second_reason = 7;
	assert_int_equal(crl_build(&p, gen_next, gen_rewind, &g, ca.key, &der,
	    &len, why, sizeof(why)), CA_ESTATE);
	assert_null(der);
	/* Missing iterator or outputs. */
	assert_int_equal(crl_build(&p, gen_next, NULL, &g, ca.key, &der, &len,
	    why, sizeof(why)), CA_EINVAL);
	assert_int_equal(crl_build_array(&p, NULL, 3, ca.key, &der, &len, why,
	    sizeof(why)), CA_EINVAL);
	assert_int_equal(crl_build_array(&p, &e, 1, NULL, &der, &len, why,
	    sizeof(why)), CA_EINVAL);
#undef REFUSE
	ca_free(&ca);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_rsa),
		cmocka_unit_test(test_delta_ecdsa),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_pss_ed25519),
		cmocka_unit_test(test_rsa_pss_key),
		cmocka_unit_test(test_header_fixup),
		cmocka_unit_test(test_external_key),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

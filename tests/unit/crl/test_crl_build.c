/*
 * Unit tests for crl/crl.c: CRLs built here are parsed back and verified
 * by GnuTLS's own CRL reader (an independent reader of the DER) for RSA,
 * RSA-PSS, ECDSA, Ed25519 and an external ext4 key; entries, reasons,
 * numbers, indicators and extensions are checked field by field.
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
#include "crl/parse.h"
#include "tests/unit/crl/crl_extkey.h"
#include "tests/unit/crl/crl_testca.h"

/* What crl_parse read back from one CRL. */
struct parsed {
	size_t n;
	struct crl_entry e[4];
};

/* crl_parse callback: keep up to four entries. */
static int
keep_entry(void *arg, const struct crl_entry *e)
{
	struct parsed *p = arg;

	if (p->n < 4)
		p->e[p->n] = *e;
	p->n++;
	return 0;
}

/*
 * Without a visitor the entries are only counted (entcad's start): the same
 * header and count as the full walk, and an entry that is not a SEQUENCE
 * still refused. The first entry's serial is 00 80 01.
 */
static void
count_only_agrees(unsigned char *der, size_t len, const struct crl_info *full)
{
	static const unsigned char serial[] = { 0x02, 0x03, 0x00, 0x80, 0x01 };
	struct crl_info info;
	char why[CA_WHY_MAX];
	size_t at;

	assert_int_equal(crl_parse(der, len, &info, NULL, NULL, why,
	    sizeof(why)), CA_OK);
	assert_memory_equal(&info, full, sizeof(info));
	for (at = 2; at + sizeof(serial) <= len; at++)
		if (memcmp(der + at, serial, sizeof(serial)) == 0)
			break;
	assert_true(at + sizeof(serial) <= len);
	assert_int_equal(der[at - 2], 0x30);
	der[at - 2] = 0x31;
	assert_int_equal(crl_parse(der, len, &info, NULL, NULL, why,
	    sizeof(why)), CA_EPARSE);
	assert_string_equal(why, "CRL entry 1: not a SEQUENCE");
	der[at - 2] = 0x30;
}

/*
 * crl/parse.c reads back what crl/crl.c wrote (the restore path relies on
 * it): number, delta base, dates, serials with their pad, revocation
 * times, reasons (removeFromCRL included), invalidity dates, and times
 * from 2050 on (GeneralizedTime); truncated input is refused.
 */
static void
test_parse_back(void **state)
{
	struct ca ca;
	struct crl_params p;
	struct crl_entry e[3];
	struct crl_info info;
	struct parsed got = { 0 };
	unsigned char *der = NULL;
	size_t len;
	char why[CA_WHY_MAX];

	(void)state;
	ca_make(&ca, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1));
	params_for(&p, &ca);
	p.delta = true;
	p.crl_number = 4100000000ULL;
	p.base_crl_number = 41;
	entry_set(&e[0], "\x80\x01", 2, T0 - 10, CRL_REASON_REMOVE_FROM_CRL, 0);
	entry_set(&e[1], "\x0c", 1, T0 - 9, CRL_REASON_KEY_COMPROMISE, T0 - 86400);
	entry_set(&e[2], "\x01\x02", 2, 2524608000LL + 5, CRL_REASON_UNSPECIFIED, 0);
	assert_int_equal(crl_build_array(&p, e, 3, ca.key, &der, &len, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(crl_parse(der, len, &info, keep_entry, &got, why,
	    sizeof(why)), CA_OK);
	assert_true(info.has_number);
	assert_int_equal(info.number, 4100000000ULL);
	assert_true(info.delta);
	assert_int_equal(info.base, 41);
	assert_int_equal(info.this_update, T0);
	assert_int_equal(info.next_update, NEXT);
	assert_int_equal(info.entries, 3);
	assert_int_equal(got.n, 3);
	assert_int_equal(got.e[0].serial_len, 3);
	assert_memory_equal(got.e[0].serial, "\x00\x80\x01", 3);
	assert_int_equal(got.e[0].revoked_at, T0 - 10);
	assert_int_equal(got.e[0].reason, CRL_REASON_REMOVE_FROM_CRL);
	assert_int_equal(got.e[1].reason, CRL_REASON_KEY_COMPROMISE);
	assert_int_equal(got.e[1].invalidity_date, T0 - 86400);
	assert_int_equal(got.e[2].revoked_at, 2524608000LL + 5);
	assert_int_equal(got.e[2].reason, CRL_REASON_UNSPECIFIED);
	assert_int_equal(got.e[2].invalidity_date, 0);
	count_only_agrees(der, len, &info);
	for (size_t cut = 0; cut < len; cut += 7)
		assert_int_not_equal(crl_parse(der, cut, &info, NULL, NULL, why,
		    sizeof(why)), CA_OK);
	free(der);
	ca_free(&ca);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_rsa),
		cmocka_unit_test(test_delta_ecdsa),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_pss_ed25519),
		cmocka_unit_test(test_rsa_pss_key),
		cmocka_unit_test(test_external_key),
		cmocka_unit_test(test_parse_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

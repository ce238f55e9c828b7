/*
 * The OCSP codec (ca/ocsp/ocsp_codec.c): requests made by openssl ocsp
 * parse into the CertID and nonce they carry; every truncation and a
 * trailing byte are refused; the limits on CertIDs and nonce length hold;
 * the key hash matches what openssl put in the CertID; signed responses
 * are read back and verified by GnuTLS's own OCSP parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/ocsp.h>
#include <gnutls/x509.h>

#include "common/error.h"
#include "ca/ocsp/ocsp_codec.h"

/* openssl ocsp -issuer ca.crt -cert l.crt -reqout (SHA-1 CertID, nonce). */
static const char req_sha1_nonce[] =
    "306a30683041303f303d300906052b0e03021a05000414ed36c86f4725c349cd7e0d7e"
    "0ed59babfe3708070414fe9c47f83ebb2ce9550c7bf6523f41e939f9e7dd02041234ab"
    "cda2233021301f06092b060105050730010204120410840e51c1a2e680b2682b1b21a5"
    "c32fa0";
/* openssl ocsp -issuer ca.crt -sha256 -cert l.crt -no_nonce. */
static const char req_sha256[] =
    "3061305f305d305b3059300d06096086480165030402010500042075635f9c3f9ae915"
    "e0a6b762453574e07db286567b1746a51e850fe8bfc40b210420f83d29cfbac6c466bc"
    "80356e64111aa01a522d3c102839009aef084f4f12ff7602041234abcd";
/* The issuer's SubjectPublicKeyInfo (P-256). */
static const char ca_spki[] =
    "3059301306072a8648ce3d020106082a8648ce3d030107034200045ef0efa28bfe7654"
    "84155093662a52edbc57f2e4b9d37d5273c89cfbfcacb1b7c2301f6b47c61337eb3284"
    "bb60240450de79c02bcc109b725ded86becefdd082";

static unsigned char buf[1024];

/* Hex to bytes into buf; returns the length. */
static size_t
unhex(const char *h)
{
	size_t n = strlen(h) / 2;

	for (size_t i = 0; i < n; i++)
		sscanf(h + 2 * i, "%2hhx", &buf[i]);
	return n;
}

static void
test_parse_openssl_requests(void **state)
{
	struct ocsp_request r;
	char why[CA_WHY_MAX];
	size_t n = unhex(req_sha1_nonce);

	(void)state;
	assert_int_equal(ocsp_request_parse(buf, n, 16, 32, &r, why, sizeof(why)), CA_OK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ids[0].hash, GNUTLS_DIG_SHA1);
	assert_int_equal(r.ids[0].name_hash_len, 20);
	assert_int_equal(r.ids[0].key_hash_len, 20);
	assert_int_equal(r.ids[0].serial_len, 4);
	assert_memory_equal(r.ids[0].serial, "\x12\x34\xab\xcd", 4);
	assert_true(r.has_nonce);
	assert_int_equal(r.nonce_len, 16);
	assert_int_equal(r.nonce_ext_len, 18);	/* the OCTET STRING as sent */
	assert_int_equal(r.ids[0].der_len, 0x3f);
	ocsp_request_clear(&r);

	n = unhex(req_sha256);
	assert_int_equal(ocsp_request_parse(buf, n, 16, 32, &r, why, sizeof(why)), CA_OK);
	assert_int_equal(r.ids[0].hash, GNUTLS_DIG_SHA256);
	assert_int_equal(r.ids[0].key_hash_len, 32);
	assert_false(r.has_nonce);
	ocsp_request_clear(&r);
}

static void
test_key_hash_matches_openssl(void **state)
{
	unsigned char spki[256], h[OCSP_HASH_MAX];
	size_t n, hl = 0;
	char why[CA_WHY_MAX];

	(void)state;
	n = unhex(ca_spki);
	memcpy(spki, buf, n);
	assert_int_equal(ocsp_spki_key_hash(spki, n, GNUTLS_DIG_SHA1, h, &hl, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(hl, 20);
	/* issuerKeyHash of req_sha1_nonce (RFC 6960 §4.1.1). */
	assert_memory_equal(h, "\xfe\x9c\x47\xf8\x3e\xbb\x2c\xe9\x55\x0c\x7b\xf6\x52"
	    "\x3f\x41\xe9\x39\xf9\xe7\xdd", 20);
}

static void
test_hostile_requests(void **state)
{
	struct ocsp_request r;
	char why[CA_WHY_MAX];
	size_t n = unhex(req_sha1_nonce);

	(void)state;
	/* Every truncation is refused as malformed. */
	for (size_t l = 0; l < n; l++)
		assert_int_equal(ocsp_request_parse(buf, l, 16, 32, &r, why, sizeof(why)),
		    CA_EPARSE);
	/* A trailing byte too. */
	buf[n] = 0;
	assert_int_equal(ocsp_request_parse(buf, n + 1, 16, 32, &r, why, sizeof(why)), CA_EPARSE);
	/* Each single flipped byte either parses or is refused; never crashes. */
	for (size_t i = 0; i < n; i++) {
		unhex(req_sha1_nonce);
		buf[i] ^= 0xff;
		if (ocsp_request_parse(buf, n, 16, 32, &r, why, sizeof(why)) == CA_OK)
			ocsp_request_clear(&r);
	}
	/* Limits: CertIDs and nonce length. */
	unhex(req_sha1_nonce);
	assert_int_equal(ocsp_request_parse(buf, n, 0, 32, &r, why, sizeof(why)), CA_ETOOBIG);
	assert_int_equal(ocsp_request_parse(buf, n, 16, 15, &r, why, sizeof(why)), CA_EPOLICY);
	assert_non_null(strstr(why, "nonce of 16 bytes"));
}

/* A P-256 key and a self-signed certificate for it. */
static void
make_signer(gnutls_privkey_t *key, gnutls_x509_crt_t *crt)
{
	gnutls_x509_privkey_t xk;

	assert_int_equal(gnutls_x509_privkey_init(&xk), 0);
	assert_int_equal(gnutls_x509_privkey_generate(xk, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
	assert_int_equal(gnutls_x509_crt_init(crt), 0);
	assert_int_equal(gnutls_x509_crt_set_key(*crt, xk), 0);
	gnutls_x509_crt_set_version(*crt, 3);
	gnutls_x509_crt_set_serial(*crt, "\x01", 1);
	gnutls_x509_crt_set_activation_time(*crt, 1700000000);
	gnutls_x509_crt_set_expiration_time(*crt, 2000000000);
	gnutls_x509_crt_set_dn_by_oid(*crt, GNUTLS_OID_X520_COMMON_NAME, 0, "R", 1);
	gnutls_x509_crt_set_key_usage(*crt, GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_CERT_SIGN);
	assert_int_equal(gnutls_x509_crt_sign2(*crt, *crt, xk, GNUTLS_DIG_SHA256, 0), 0);
	assert_int_equal(gnutls_privkey_init(key), 0);
	assert_int_equal(gnutls_privkey_import_x509(*key, xk, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE), 0);
}

static void
test_sign_and_read_back(void **state)
{
	struct ocsp_request r;
	struct ocsp_responder rs;
	struct ocsp_single s[2];
	gnutls_x509_crt_t crt;
	gnutls_ocsp_resp_t resp;
	gnutls_datum_t d, serial, nonce;
	unsigned char *out = NULL, spki[256];
	size_t outlen = 0, kl = 0, sl = sizeof(spki);
	unsigned cs, reason, verify = 99;
	time_t tu, nu, rt;
	char why[CA_WHY_MAX];
	size_t n = unhex(req_sha1_nonce);
	gnutls_pubkey_t pub;

	(void)state;
	assert_int_equal(ocsp_request_parse(buf, n, 16, 32, &r, why, sizeof(why)), CA_OK);
	memset(&rs, 0, sizeof(rs));
	make_signer(&rs.key, &crt);
	rs.sign_algo = GNUTLS_SIGN_ECDSA_SHA256;
	gnutls_pubkey_init(&pub);
	gnutls_pubkey_import_x509(pub, crt, 0);
	gnutls_pubkey_export(pub, GNUTLS_X509_FMT_DER, spki, &sl);
	assert_int_equal(ocsp_spki_key_hash(spki, sl, GNUTLS_DIG_SHA1, rs.key_hash, &kl,
	    why, sizeof(why)), CA_OK);
	memset(s, 0, sizeof(s));
	s[0] = (struct ocsp_single){ r.ids[0].der, r.ids[0].der_len, OCSP_CERT_REVOKED,
	    1800000000, 6, 1800000100, 1800086500 };
	s[1] = (struct ocsp_single){ r.ids[0].der, r.ids[0].der_len, OCSP_CERT_UNKNOWN,
	    0, -1, 1800000100, 0 };
	assert_int_equal(ocsp_response_sign(&rs, 1800000100, s, 2, r.nonce_ext,
	    r.nonce_ext_len, &out, &outlen, why, sizeof(why)), CA_OK);

	assert_int_equal(gnutls_ocsp_resp_init(&resp), 0);
	d.data = out;
	d.size = (unsigned)outlen;
	assert_int_equal(gnutls_ocsp_resp_import(resp, &d), 0);
	assert_int_equal(gnutls_ocsp_resp_get_status(resp), GNUTLS_OCSP_RESP_SUCCESSFUL);
	assert_int_equal(gnutls_ocsp_resp_get_single(resp, 0, NULL, NULL, NULL, &serial,
	    &cs, &tu, &nu, &rt, &reason), 0);
	assert_int_equal(cs, GNUTLS_OCSP_CERT_REVOKED);
	assert_int_equal(reason, GNUTLS_X509_CRLREASON_CERTIFICATEHOLD);
	assert_int_equal(rt, 1800000000);
	assert_int_equal(tu, 1800000100);
	assert_int_equal(nu, 1800086500);
	assert_int_equal(serial.size, 4);
	gnutls_free(serial.data);
	assert_int_equal(gnutls_ocsp_resp_get_single(resp, 1, NULL, NULL, NULL, NULL,
	    &cs, NULL, &nu, NULL, NULL), 0);
	assert_int_equal(cs, GNUTLS_OCSP_CERT_UNKNOWN);
	assert_int_equal(nu, (time_t)-1);	/* no nextUpdate */
	assert_int_equal(gnutls_ocsp_resp_get_nonce(resp, NULL, &nonce), 0);
	assert_int_equal(nonce.size, 16);
	gnutls_free(nonce.data);
	assert_int_equal(gnutls_ocsp_resp_verify_direct(resp, crt, &verify, 0), 0);
	assert_int_equal(verify, 0);

	gnutls_ocsp_resp_deinit(resp);
	free(out);
	ocsp_request_clear(&r);
	gnutls_pubkey_deinit(pub);
	gnutls_x509_crt_deinit(crt);
	gnutls_privkey_deinit(rs.key);
}

static void
test_error_responses_and_time(void **state)
{
	unsigned char e[OCSP_ERROR_LEN];
	char t[OCSP_TIME_LEN];

	(void)state;
	assert_int_equal(ocsp_response_error(OCSP_RESP_MALFORMED, e), 5);
	assert_memory_equal(e, "\x30\x03\x0a\x01\x01", 5);
	/* After the unused 4, the wire values and the enum part. */
	ocsp_response_error(OCSP_RESP_SIG_REQUIRED, e);
	assert_memory_equal(e, "\x30\x03\x0a\x01\x05", 5);
	ocsp_response_error(OCSP_RESP_UNAUTHORIZED, e);
	assert_memory_equal(e, "\x30\x03\x0a\x01\x06", 5);
	/* Not a status a responder may send: internalError. */
	ocsp_response_error(OCSP_RESP_SUCCESSFUL, e);
	assert_memory_equal(e, "\x30\x03\x0a\x01\x02", 5);
	ocsp_response_error(OCSP_RESP_COUNT, e);
	assert_memory_equal(e, "\x30\x03\x0a\x01\x02", 5);
	ocsp_time(1796558400, t);
	assert_string_equal(t, "20261206120000Z");
	assert_string_equal(ocsp_resp_status_name(OCSP_RESP_MALFORMED), "malformedRequest");
	assert_string_equal(ocsp_cert_status_name(OCSP_CERT_REVOKED), "revoked");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_openssl_requests),
		cmocka_unit_test(test_key_hash_matches_openssl),
		cmocka_unit_test(test_hostile_requests),
		cmocka_unit_test(test_sign_and_read_back),
		cmocka_unit_test(test_error_responses_and_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

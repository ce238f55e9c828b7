/*
 * issue_build() and issue_serial_new(): a throwaway CA issues the profile
 * policy_decide() made for the connector's PKCS request, with the CA key as
 * a plain key and as an external (import_ext4) key like the signer's; GnuTLS
 * reads every field back and verifies the signature.
 */
#define _GNU_SOURCE	/* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <gnutls/x509-ext.h>

#include "common/error.h"
#include "ca/issue/issue.h"
#include "ca/issue/msext.h"
#include "ca/issue/pkcs7.h"
#include <gnutls/pkcs7.h>
#include "policy/decide.h"
#include "tests/unit/policy/test_policy_util.h"

#define NOW 1800000000LL

static gnutls_x509_privkey_t ca_x509key;
static gnutls_privkey_t ca_key;
static gnutls_x509_crt_t ca_crt;

/* A self-signed CA valid from NOW - 1 day for 200 days. */
static int
setup(void **state)
{
	gnutls_x509_crt_t c;
	unsigned char serial[] = { 0x01 };

	assert_int_equal(gnutls_x509_privkey_init(&ca_x509key), 0);
	assert_int_equal(gnutls_x509_privkey_generate(ca_x509key,
	    GNUTLS_PK_RSA, 2048, 0), 0);
	assert_int_equal(gnutls_privkey_init(&ca_key), 0);
	assert_int_equal(gnutls_privkey_import_x509(ca_key, ca_x509key, 0), 0);
	assert_int_equal(gnutls_x509_crt_init(&c), 0);
	assert_int_equal(gnutls_x509_crt_set_version(c, 3), 0);
	assert_int_equal(gnutls_x509_crt_set_dn(c, "CN=Entca Test CA,O=Entca",
	    NULL), 0);
	assert_int_equal(gnutls_x509_crt_set_key(c, ca_x509key), 0);
	assert_int_equal(gnutls_x509_crt_set_serial(c, serial, 1), 0);
	gnutls_x509_crt_set_activation_time(c, NOW - 86400);
	gnutls_x509_crt_set_expiration_time(c, NOW + 200 * 86400);
	assert_int_equal(gnutls_x509_crt_set_basic_constraints(c, 1, -1), 0);
	assert_int_equal(gnutls_x509_crt_set_key_usage(c,
	    GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN), 0);
	{
		unsigned char id[20];
		size_t sz = sizeof(id);
		assert_int_equal(gnutls_x509_crt_get_key_id(c, 0, id, &sz), 0);
		assert_int_equal(gnutls_x509_crt_set_subject_key_id(c, id, sz),
		    0);
	}
	assert_int_equal(gnutls_x509_crt_privkey_sign(c, c, ca_key,
	    GNUTLS_DIG_SHA256, 0), 0);
	/* Re-import, as entcad loads its CA certificate from DER. */
	{
		gnutls_datum_t der;
		assert_int_equal(gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_DER,
		    &der), 0);
		assert_int_equal(gnutls_x509_crt_init(&ca_crt), 0);
		assert_int_equal(gnutls_x509_crt_import(ca_crt, &der,
		    GNUTLS_X509_FMT_DER), 0);
		gnutls_free(der.data);
		gnutls_x509_crt_deinit(c);
	}
	return 0;
}

static int
teardown(void **state)
{
	gnutls_x509_crt_deinit(ca_crt);
	gnutls_privkey_deinit(ca_key);
	gnutls_x509_privkey_deinit(ca_x509key);
	tp_cleanup();
	return 0;
}

/*
 * issue_build() for a GnuTLS public key, the certificate parsed back by
 * GnuTLS (*crt NULL on failure) so the checks read it field by field.
 */
static int
build(const struct policy_profile *pr, gnutls_pubkey_t pub,
    const unsigned char *serial, size_t sl, gnutls_privkey_t key,
    gnutls_x509_crt_t *crt, char *why, size_t whylen)
{
	gnutls_datum_t spki, der;
	unsigned char *out;
	size_t len;
	int rc;

	*crt = NULL;
	assert_int_equal(gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER,
	    &spki), 0);
	rc = issue_build(pr, &spki, serial, sl, ca_crt, key, &out, &len, why,
	    whylen);
	gnutls_free(spki.data);
	if (rc != CA_OK)
		return rc;
	der.data = out;
	der.size = (unsigned)len;
	assert_int_equal(gnutls_x509_crt_init(crt), 0);
	assert_int_equal(gnutls_x509_crt_import(*crt, &der,
	    GNUTLS_X509_FMT_DER), 0);
	free(out);
	return CA_OK;
}

/*
 * A new serial (copied to serial/sl when given) and build() of d's
 * profile; the test fails with the builder's reason if it refuses.
 */
static gnutls_x509_crt_t
issued(const struct policy_decision *d, gnutls_pubkey_t pub,
    gnutls_privkey_t key, unsigned char *serial, size_t *sl)
{
	unsigned char s[ISSUE_SERIAL_MAX];
	size_t n = sizeof(s);
	gnutls_x509_crt_t crt;
	char why[CA_WHY_MAX];

	assert_int_equal(issue_serial_new(s, &n), CA_OK);
	if (build(&d->profile, pub, s, n, key, &crt, why, sizeof(why)) !=
	    CA_OK)
		fail_msg("%s", why);
	if (serial != NULL) {
		memcpy(serial, s, n);
		*sl = n;
	}
	return crt;
}

/* The certificate verifies under the CA; then it and its inputs go. */
static void
verified_then_freed(gnutls_x509_crt_t crt, gnutls_pubkey_t pub,
    struct policy_decision *d)
{
	unsigned status = 1;

	assert_int_equal(gnutls_x509_crt_verify(crt, &ca_crt, 1,
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS, &status), 0);
	assert_int_equal(status, 0);
	gnutls_x509_crt_deinit(crt);
	gnutls_pubkey_deinit(pub);
	free(d);
}

/* The connector's PKCS request for alice, decided like entcad does. */
static void
decide(struct policy_decision *d, enum tp_key key, gnutls_pubkey_t *pub)
{
	static const char *const cdp[] = { "http://pki.entca.test/crl/ca.crl" };
	static const char *const aia[] = { "http://pki.entca.test/aia/ca.crt" };
	static const char *const ocsp[] = { "http://pki.entca.test/ocsp" };
	struct policy_ca ca = {
		.aces = tp_ca_aces, .n_aces = tp_n_ca_aces,
		.issue_templates = tp_issue_templates, .n_issue = tp_n_issue,
		.ca_not_before = NOW - 86400, .ca_not_after = NOW + 200 * 86400,
		.cdp_urls = cdp, .n_cdp = 1, .aia_urls = aia, .n_aia = 1,
		.ocsp_urls = ocsp, .n_ocsp = 1, .sid_url_san = true,
	};
	struct tp_csr c = { .upn = "alice@entca.test",
	    .sid_ext = TP_DOMAIN_SID "-1106" };
	struct principal conn, alice;
	struct policy_request *req = calloc(1, sizeof(*req));
	struct policy_input in = { 0 };
	struct template t;
	gnutls_privkey_t pk;
	unsigned char *der;
	size_t len;
	char why[CA_WHY_MAX];

	c.rdn[0][0] = "2.5.4.6"; c.rdn[0][1] = "US";
	c.rdn[1][0] = "2.5.4.3"; c.rdn[1][1] = "Smith, John";
	tp_principal(TP_CONNECTOR, &conn);
	tp_principal(TP_ALICE, &alice);
	tp_template(TP_T_PKCS, &t);
	t.key_algorithms |= TMPL_KEY_ECDSA_P256;
	tp_csr_make(key, &c, &der, &len);
	assert_int_equal(policy_request_parse(der, len, req, why, sizeof(why)),
	    CA_OK);
	free(der);
	in.requester = &conn;
	in.subject = &alice;
	in.tmpl = &t;
	in.req = req;
	in.ca = &ca;
	in.now = NOW;
	assert_int_equal(policy_decide(&in, d), CA_OK);
	assert_int_equal(d->verdict, POLICY_ISSUE);
	assert_int_equal(gnutls_pubkey_init(pub), 0);
	assert_int_equal(gnutls_privkey_init(&pk), 0);
	assert_int_equal(gnutls_privkey_import_x509(pk, tp_key(key), 0), 0);
	assert_int_equal(gnutls_pubkey_import_privkey(*pub, pk, 0, 0), 0);
	gnutls_privkey_deinit(pk);
	principal_clear(&conn);
	principal_clear(&alice);
	free(req);
}

/* Read the certificate back with GnuTLS and check every field. */
static void
check_cert(gnutls_x509_crt_t crt, const struct policy_decision *d,
    bool ec)
{
	gnutls_datum_t raw, v;
	unsigned char buf[MSEXT_DER_MAX], want[MSEXT_DER_MAX];
	size_t sz, wlen;
	unsigned crit, status, ku, type;
	char oid[128];

	assert_int_equal(gnutls_x509_crt_get_raw_dn(crt, &raw), 0);
	assert_int_equal(raw.size, d->profile.subject_len);
	assert_memory_equal(raw.data, d->profile.subject_der, raw.size);
	gnutls_free(raw.data);
	assert_string_equal(d->profile.subject, "CN=Smith\\, John,C=US");
	assert_int_equal(gnutls_x509_crt_verify(crt, &ca_crt, 1,
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS, &status),
	    0);
	assert_int_equal(status, 0);
	assert_int_equal(gnutls_x509_crt_get_activation_time(crt),
	    NOW - POLICY_BACKDATE_SECONDS);
	/* 365 days asked, CA ends after 200: clamped. */
	assert_int_equal(gnutls_x509_crt_get_expiration_time(crt),
	    NOW + 200 * 86400);
	assert_non_null(strstr(d->notes, "validity clamped to CA end"));
	/* SID extension: byte for byte, non-critical. */
	sz = sizeof(buf);
	assert_int_equal(gnutls_x509_crt_get_extension_by_oid(crt,
	    MSEXT_OID_SID, 0, buf, &sz, &crit), 0);
	assert_int_equal(crit, 0);
	assert_int_equal(mspki_sid_encode(TP_DOMAIN_SID "-1106", want, sizeof(want),
	    &wlen), CA_OK);
	assert_int_equal(sz, wlen);
	assert_memory_equal(buf, want, wlen);
	/* Template information (schema 2). */
	sz = sizeof(buf);
	assert_int_equal(gnutls_x509_crt_get_extension_by_oid(crt,
	    MSEXT_OID_TEMPLATE, 0, buf, &sz, &crit), 0);
	assert_int_equal(msext_template(d->profile.template_oid, 100, 4, want,
	    sizeof(want), &wlen), CA_OK);
	assert_memory_equal(buf, want, wlen);
	/* Key usage: DS (+KE for RSA), critical, never non-repudiation. */
	assert_int_equal(gnutls_x509_crt_get_key_usage(crt, &ku, &crit), 0);
	assert_int_equal(crit, 1);
	assert_int_equal(ku, ec ? GNUTLS_KEY_DIGITAL_SIGNATURE :
	    GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_ENCIPHERMENT);
	/* EKU: exactly the template's, in order. */
	static const char *const eku[] = { "1.3.6.1.4.1.311.10.3.4",
	    "1.3.6.1.5.5.7.3.4", "1.3.6.1.5.5.7.3.2" };
	for (unsigned i = 0; i < 4; i++) {
		sz = sizeof(oid);
		int r = gnutls_x509_crt_get_key_purpose_oid(crt, i, oid, &sz,
		    &crit);
		if (i == 3) {
			assert_true(r < 0);
			break;
		}
		assert_int_equal(r, 0);
		assert_string_equal(oid, eku[i]);
	}
	/* SANs: UPN otherName, then the SID URL. */
	sz = sizeof(buf);
	/* GnuTLS knows the UPN otherName and decodes its UTF8String. */
	assert_int_equal(gnutls_x509_crt_get_subject_alt_name2(crt, 0, buf, &sz,
	    &type, &crit), GNUTLS_SAN_OTHERNAME_MSUSERPRINCIPAL);
	assert_int_equal(sz, 16);
	assert_memory_equal(buf, "alice@entca.test", 16);
	assert_int_equal(crit, 0);
	sz = sizeof(oid);
	assert_int_equal(gnutls_x509_crt_get_subject_alt_othername_oid(crt, 0,
	    oid, &sz), GNUTLS_SAN_OTHERNAME_MSUSERPRINCIPAL);
	sz = sizeof(buf);
	assert_int_equal(gnutls_x509_crt_get_subject_alt_name2(crt, 1, buf, &sz,
	    &type, &crit), GNUTLS_SAN_URI);
	assert_int_equal(sz, strlen(POLICY_SID_URL_PREFIX TP_DOMAIN_SID "-1106"));
	assert_memory_equal(buf, POLICY_SID_URL_PREFIX TP_DOMAIN_SID "-1106",
	    sz);
	/* AKI is the CA's SKI. */
	{
		unsigned char a[64], b[64];
		size_t al = sizeof(a), bl = sizeof(b);
		assert_int_equal(gnutls_x509_crt_get_authority_key_id(crt, a,
		    &al, &crit), 0);
		assert_int_equal(gnutls_x509_crt_get_subject_key_id(ca_crt, b,
		    &bl, &crit), 0);
		assert_int_equal(al, bl);
		assert_memory_equal(a, b, al);
	}
	/* AIA holds caIssuers and OCSP. */
	assert_int_equal(gnutls_x509_crt_get_authority_info_access(crt, 0,
	    GNUTLS_IA_CAISSUERS_URI, &v, NULL), 0);
	assert_int_equal(v.size, strlen(d->profile.aia[0]));
	gnutls_free(v.data);
	assert_int_equal(gnutls_x509_crt_get_authority_info_access(crt, 1,
	    GNUTLS_IA_OCSP_URI, &v, NULL), 0);
	gnutls_free(v.data);
}

static void
test_build_rsa(void **state)
{
	struct policy_decision *d = calloc(1, sizeof(*d));
	gnutls_pubkey_t pub;
	gnutls_x509_crt_t crt;
	unsigned char serial[ISSUE_SERIAL_MAX];
	size_t sl = sizeof(serial);

	decide(d, TP_RSA2048, &pub);
	crt = issued(d, pub, ca_key, serial, &sl);
	check_cert(crt, d, false);
	{
		unsigned char s[32];
		size_t ssz = sizeof(s);
		assert_int_equal(gnutls_x509_crt_get_serial(crt, s, &ssz), 0);
		assert_int_equal(ssz, sl);
		assert_memory_equal(s, serial, sl);
	}
	gnutls_x509_crt_deinit(crt);
	gnutls_pubkey_deinit(pub);
	free(d);
}

/* External key: the sign callbacks see only bytes, like the signer. */
static int
ext_sign_data(gnutls_privkey_t key, gnutls_sign_algorithm_t algo,
    void *userdata, unsigned flags, const gnutls_datum_t *data,
    gnutls_datum_t *sig)
{
	(*(int *)userdata)++;
	return gnutls_privkey_sign_data2(ca_key, algo, flags, data, sig);
}

static int
ext_sign_hash(gnutls_privkey_t key, gnutls_sign_algorithm_t algo,
    void *userdata, unsigned flags, const gnutls_datum_t *hash,
    gnutls_datum_t *sig)
{
	(*(int *)userdata)++;
	return gnutls_privkey_sign_hash2(ca_key, algo, flags, hash, sig);
}

static int
ext_info(gnutls_privkey_t key, unsigned flags, void *userdata)
{
	if (flags & GNUTLS_PRIVKEY_INFO_PK_ALGO)
		return GNUTLS_PK_RSA;
	if (flags & GNUTLS_PRIVKEY_INFO_PK_ALGO_BITS)
		return 2048;
	if (flags & GNUTLS_PRIVKEY_INFO_HAVE_SIGN_ALGO) {
		unsigned a = GNUTLS_FLAGS_TO_SIGN_ALGO(flags);
		return a == GNUTLS_SIGN_RSA_SHA256 || a == GNUTLS_SIGN_RSA_SHA384 ||
		    a == GNUTLS_SIGN_RSA_SHA512;
	}
	return -1;
}

static void
test_build_external_key_ec(void **state)
{
	struct policy_decision *d = calloc(1, sizeof(*d));
	gnutls_privkey_t ext;
	gnutls_pubkey_t pub;
	gnutls_x509_crt_t crt;
	int calls = 0;

	decide(d, TP_P256, &pub);
	assert_int_equal(gnutls_privkey_init(&ext), 0);
	assert_int_equal(gnutls_privkey_import_ext4(ext, &calls, ext_sign_data,
	    ext_sign_hash, NULL, NULL, ext_info, 0), 0);
	crt = issued(d, pub, ext, NULL, NULL);
	assert_true(calls >= 1);
	check_cert(crt, d, true);
	gnutls_x509_crt_deinit(crt);
	gnutls_privkey_deinit(ext);
	gnutls_pubkey_deinit(pub);
	free(d);
}

/* An empty subject makes the SAN critical (RFC 5280 §4.2.1.6). */
static void
test_empty_subject(void **state)
{
	struct policy_decision *d = calloc(1, sizeof(*d));
	gnutls_pubkey_t pub;
	gnutls_x509_crt_t crt;
	gnutls_datum_t raw;
	unsigned char buf[256];
	size_t sz = sizeof(buf);
	unsigned crit = 0;

	decide(d, TP_RSA2048, &pub);
	memcpy(d->profile.subject_der, "\x30\x00", 2);
	d->profile.subject_len = 2;
	crt = issued(d, pub, ca_key, NULL, NULL);
	assert_int_equal(gnutls_x509_crt_get_raw_dn(crt, &raw), 0);
	assert_int_equal(raw.size, 2);
	gnutls_free(raw.data);
	assert_int_equal(gnutls_x509_crt_get_extension_by_oid(crt, "2.5.29.17",
	    0, buf, &sz, &crit), 0);
	assert_int_equal(crit, 1);
	verified_then_freed(crt, pub, d);
}

static void
test_refusals(void **state)
{
	struct policy_decision *d = calloc(1, sizeof(*d));
	gnutls_pubkey_t pub;
	gnutls_x509_crt_t crt = NULL;
	unsigned char neg[] = { 0x80, 0x01 };
	char why[CA_WHY_MAX];

	decide(d, TP_RSA2048, &pub);
	assert_int_equal(build(&d->profile, pub, neg, sizeof(neg),
	    ca_key, &crt, why, sizeof(why)), CA_EINVAL);
	assert_null(crt);
	d->profile.not_after = d->profile.not_before;
	assert_int_equal(build(&d->profile, pub, neg + 1, 1,
	    ca_key, &crt, why, sizeof(why)), CA_EINVAL);
	assert_string_equal(why, "certificate: bad profile, serial or key");
	gnutls_pubkey_deinit(pub);
	free(d);
}

/*
 * notAfter in 2052 is a GeneralizedTime (RFC 5280 §4.1.2.5), and two CRL
 * URLs share one DistributionPoint's fullName, as AD CS writes them. The
 * GnuTLS-edited skeleton the builder used before could not store a time
 * past 2049 at all ("validity: Element was not found").
 */
static void
test_validity_after_2049_and_cdp_list(void **state)
{
	struct policy_decision *d = calloc(1, sizeof(*d));
	gnutls_pubkey_t pub;
	gnutls_x509_crt_t crt;
	gnutls_datum_t der;
	size_t n = 0;
	unsigned reasons;
	char url[POLICY_URL_LEN];
	const int64_t after = 2600000000LL;	/* 2052-05-22 */

	decide(d, TP_P256, &pub);
	d->profile.not_after = after;
	d->profile.n_cdp = 2;
	strcpy(d->profile.cdp[1], "ldap:///CN=ca,CN=cdp?certificateRevocationList");
	crt = issued(d, pub, ca_key, NULL, NULL);
	assert_int_equal((int64_t)gnutls_x509_crt_get_expiration_time(crt),
	    after);
	assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER,
	    &der), 0);
	assert_non_null(memmem(der.data, der.size, "\x18\x0f" "20520522", 10));
	gnutls_free(der.data);
	for (unsigned i = 0;; i++) {
		size_t sz = sizeof(url);
		int r = gnutls_x509_crt_get_crl_dist_points(crt, i, url, &sz,
		    &reasons, NULL);
		if (r < 0)
			break;
		n++;
	}
	assert_int_equal(n, 2);
	verified_then_freed(crt, pub, d);
}

/*
 * The certs-only PKCS#7 of EST: id-data inside (not GnuTLS's
 * digestedData), every certificate once, the SET OF in DER order whatever
 * order the caller gives, and bytes that are not one DER certificate
 * refused.
 */
static void
test_certs_only(void **state)
{
	gnutls_datum_t der[2], in[2], bad = { (unsigned char *)"\x30\x05\x01", 3 };
	gnutls_pkcs7_t p7;
	gnutls_datum_t d;
	unsigned char *out[2], *none = NULL;
	size_t len[2], none_len = 0;

	(void)state;
	assert_int_equal(gnutls_x509_crt_export2(ca_crt, GNUTLS_X509_FMT_DER,
	    &der[0]), 0);
	{
		struct policy_decision *dd = calloc(1, sizeof(*dd));
		gnutls_pubkey_t pub;
		gnutls_x509_crt_t crt;

		decide(dd, TP_P256, &pub);
		crt = issued(dd, pub, ca_key, NULL, NULL);
		assert_int_equal(gnutls_x509_crt_export2(crt,
		    GNUTLS_X509_FMT_DER, &der[1]), 0);
		gnutls_x509_crt_deinit(crt);
		gnutls_pubkey_deinit(pub);
		free(dd);
	}
	for (int k = 0; k < 2; k++) {
		in[0] = der[k];
		in[1] = der[1 - k];
		assert_int_equal(pkcs7_certs_only(in, 2, &out[k], &len[k]),
		    CA_OK);
	}
	assert_int_equal(len[0], len[1]);
	assert_memory_equal(out[0], out[1], len[0]);
	assert_int_equal(gnutls_pkcs7_init(&p7), 0);
	d.data = out[0];
	d.size = (unsigned)len[0];
	assert_int_equal(gnutls_pkcs7_import(p7, &d, GNUTLS_X509_FMT_DER), 0);
	assert_int_equal(gnutls_pkcs7_get_crt_count(p7), 2);
	assert_non_null(gnutls_pkcs7_get_embedded_data_oid(p7));
	assert_string_equal(gnutls_pkcs7_get_embedded_data_oid(p7),
	    "1.2.840.113549.1.7.1");
	gnutls_pkcs7_deinit(p7);
	assert_int_equal(pkcs7_certs_only(&bad, 1, &none, &none_len),
	    CA_ECRYPTO);
	assert_null(none);
	for (int k = 0; k < 2; k++) {
		gnutls_free(out[k]);
		gnutls_free(der[k].data);
	}
}

/*
 * Serials: 20 bytes, positive and minimal; the wall clock's milliseconds
 * first (so the store writes them in order), then 14 random bytes that
 * differ every time (112 bits: never a counter, never predictable).
 */
static void
test_serials(void **state)
{
	unsigned char s[ISSUE_SERIAL_MAX], prev[ISSUE_SERIAL_MAX];
	uint64_t ms, now_ms;
	size_t len;

	(void)state;
	now_ms = (uint64_t)time(NULL) * 1000;
	for (int i = 0; i < 2000; i++) {
		len = sizeof(s);
		assert_int_equal(issue_serial_new(s, &len), CA_OK);
		assert_int_equal(len, ISSUE_SERIAL_LEN);
		assert_true(s[0] != 0 && (s[0] & 0x80) == 0);
		ms = 0;
		for (int b = 0; b < ISSUE_SERIAL_TIME; b++)
			ms = ms << 8 | s[b];
		/* The clock, give or take a minute. */
		assert_true(ms + 60000 > now_ms && ms < now_ms + 60000);
		if (i > 0)
			assert_memory_not_equal(prev + ISSUE_SERIAL_TIME,
			    s + ISSUE_SERIAL_TIME, len - ISSUE_SERIAL_TIME);
		memcpy(prev, s, len);
	}
	len = ISSUE_SERIAL_LEN - 1;
	assert_int_equal(issue_serial_new(s, &len), CA_ETOOBIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_rsa),
		cmocka_unit_test(test_build_external_key_ec),
		cmocka_unit_test(test_empty_subject),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_serials),
		cmocka_unit_test(test_certs_only),
		cmocka_unit_test(test_validity_after_2049_and_cdp_list),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

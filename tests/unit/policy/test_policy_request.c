/*
 * policy_request_parse() and policy_subject_hint() on CSRs made by GnuTLS:
 * keys, SANs (UPN otherName, SID URL), SID extension and attribute,
 * template extensions, challenge, bad signatures and hostile bytes, and
 * an extension requested twice (the template use-after-free).
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
#include <gnutls/x509.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "common/error.h"
#include "policy/decide.h"
#include "policy/request.h"
#include "tests/unit/policy/test_policy_util.h"

#define ALICE_SID TP_DOMAIN_SID "-1106"

static struct policy_request req;
static char why[CA_WHY_MAX];

/* Make a CSR and parse it; returns the parse code. */
static int
parse(enum tp_key k, const struct tp_csr *c)
{
	unsigned char *der;
	size_t len;
	int rc;

	tp_csr_make(k, c, &der, &len);
	why[0] = '\0';
	rc = policy_request_parse(der, len, &req, why, sizeof(why));
	free(der);
	return rc;
}

static void
test_keys(void **state)
{
	struct tp_csr c = { .subject = "CN=alice" };

	assert_int_equal(parse(TP_RSA2048, &c), CA_OK);
	assert_int_equal(req.key_alg, POLICY_KEY_RSA);
	assert_int_equal(req.key_bits, 2048);
	assert_true(req.signature_ok);
	assert_string_equal(req.subject, "CN=alice");
	assert_int_equal(parse(TP_RSA1024, &c), CA_OK);
	assert_int_equal(req.key_bits, 1024);
	assert_int_equal(parse(TP_P256, &c), CA_OK);
	assert_int_equal(req.key_alg, POLICY_KEY_EC);
	assert_int_equal(req.curve, POLICY_CURVE_P256);
	assert_int_equal(parse(TP_P384, &c), CA_OK);
	assert_int_equal(req.curve, POLICY_CURVE_P384);
	assert_int_equal(req.key_bits, 384);
}

/*
 * The key the certificate will carry: GnuTLS's DER export of the CSR's
 * key, for RSA and both curves, and it reads back as that key.
 */
static void
test_spki_reencoded(void **state)
{
	static const enum tp_key keys[] = { TP_RSA2048, TP_P256, TP_P384 };
	struct tp_csr c = { .subject = "CN=alice" };

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		gnutls_x509_crq_t crq;
		gnutls_pubkey_t pub;
		gnutls_datum_t d, exp;
		unsigned char *der;
		size_t len;

		tp_csr_make(keys[i], &c, &der, &len);
		assert_int_equal(policy_request_parse(der, len, &req, why,
		    sizeof(why)), CA_OK);
		d.data = der;
		d.size = (unsigned)len;
		assert_int_equal(gnutls_x509_crq_init(&crq), 0);
		assert_int_equal(gnutls_x509_crq_import(crq, &d,
		    GNUTLS_X509_FMT_DER), 0);
		assert_int_equal(gnutls_pubkey_init(&pub), 0);
		assert_int_equal(gnutls_pubkey_import_x509_crq(pub, crq, 0), 0);
		assert_int_equal(gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER,
		    &exp), 0);
		assert_int_equal(req.spki_len, exp.size);
		assert_memory_equal(req.spki, exp.data, exp.size);
		gnutls_free(exp.data);
		gnutls_pubkey_deinit(pub);
		gnutls_x509_crq_deinit(crq);
		free(der);
	}
}

static void
test_sans_and_sid(void **state)
{
	struct tp_csr c = {
		.subject = "CN=alice,O=Entca",
		.upn = "alice@entca.test", .email = "alice@entca.test",
		.dns = "ws01.entca.test",
		.uri = POLICY_SID_URL_PREFIX ALICE_SID,
		.sid_ext = ALICE_SID, .eku = "2.5.29.37.0",
		.challenge = "s3cret pfx",
	};
	char hint[256];

	assert_int_equal(parse(TP_RSA2048, &c), CA_OK);
	assert_string_equal(req.subject, "CN=alice,O=Entca");
	assert_int_equal(req.n_sans, 4);
	assert_int_equal(req.sans[0].type, POLICY_SAN_UPN);
	assert_string_equal(req.sans[0].value, "alice@entca.test");
	assert_int_equal(req.sans[1].type, POLICY_SAN_EMAIL);
	assert_int_equal(req.sans[2].type, POLICY_SAN_DNS);
	assert_int_equal(req.sans[3].type, POLICY_SAN_URI);
	assert_string_equal(req.sid, ALICE_SID);
	assert_int_equal(req.sid_source, POLICY_SID_EXTENSION);
	assert_false(req.sid_conflict);
	assert_int_equal(req.n_ekus, 1);
	assert_string_equal(req.ekus[0], "2.5.29.37.0");
	assert_int_equal(req.n_exts, 3);	/* SID, EKU, SAN */
	assert_true(req.has_challenge);
	assert_string_equal(req.challenge, "s3cret pfx");
	assert_int_equal(policy_subject_hint(&req, hint, sizeof(hint)),
	    POLICY_HINT_SID);
	assert_string_equal(hint, ALICE_SID);
	policy_request_wipe(&req);
	assert_int_equal(req.challenge[0], 0);

	/*
	 * The challenge comes back exactly as sent: GnuTLS's getter would
	 * escape '+' and ',' (a base64 channel binding, a PFX password).
	 */
	c.challenge = "a+b,c=d\\e/Zz9+/=";
	assert_int_equal(parse(TP_RSA2048, &c), CA_OK);
	assert_true(req.has_challenge);
	assert_string_equal(req.challenge, "a+b,c=d\\e/Zz9+/=");
	policy_request_wipe(&req);

	/* Two different supplied SIDs are a conflict. */
	c.uri = POLICY_SID_URL_PREFIX TP_DOMAIN_SID "-1107";
	assert_int_equal(parse(TP_RSA2048, &c), CA_OK);
	assert_true(req.sid_conflict);
	assert_int_equal(policy_subject_hint(&req, hint, sizeof(hint)),
	    POLICY_HINT_UPN);
	assert_string_equal(hint, "alice@entca.test");
}

static void
test_sid_attribute_and_hints(void **state)
{
	struct tp_csr c = { .subject = "CN=x", .sid_ext = ALICE_SID,
	    .sid_attr = true };
	struct tp_csr d = { .subject = "CN=x", .dns = "ws01.entca.test" };
	struct tp_csr e = { .subject = "CN=x" };
	char hint[256];

	assert_int_equal(parse(TP_RSA2048, &c), CA_OK);
	assert_string_equal(req.sid, ALICE_SID);
	assert_int_equal(req.sid_source, POLICY_SID_ATTRIBUTE);
	assert_int_equal(parse(TP_RSA2048, &d), CA_OK);
	assert_int_equal(policy_subject_hint(&req, hint, sizeof(hint)),
	    POLICY_HINT_DNS);
	assert_string_equal(hint, "ws01.entca.test");
	assert_int_equal(parse(TP_RSA2048, &e), CA_OK);
	assert_int_equal(policy_subject_hint(&req, hint, sizeof(hint)),
	    POLICY_HINT_NONE);
	assert_string_equal(hint, "");
	assert_int_equal(policy_subject_hint(NULL, hint, sizeof(hint)),
	    POLICY_HINT_NONE);
}

/* The identity-bearing names a request carries, with their syntax. */
static void
test_names_list(void **state)
{
	static struct policy_names names;
	struct tp_csr c = { .subject = "CN=alice@entca.test,O=Entca",
	    .upn = "alice@entca.test", .dns = "ws01.entca.test",
	    .email = "alice@entca.test", .uri = "https://x.example/a",
	    .sid_ext = ALICE_SID };
	struct tp_csr text = { .subject = "CN=Alice Smith", .upn = "a b@x" };
	struct tp_csr dns = { .subject = "CN=ws01", .dns = "a.*.example" };
	struct tp_csr uri = { .subject = "CN=www.entca.test",
	    .uri = "no scheme", .dns = "*.entca.test" };
	struct principal p;

	(void)state;
	assert_int_equal(parse(TP_RSA2048, &c), CA_OK);
	policy_names_list(&req, &names);
	assert_int_equal(names.n, 6);
	assert_string_equal(names.v[0].what, "SID extension");
	assert_int_equal(names.v[0].key, POLICY_NAME_KEY_SID);
	assert_string_equal(names.v[5].what, "subject CN");
	assert_int_equal(names.v[5].key, POLICY_NAME_KEY_UPN);
	for (size_t i = 0; i < names.n; i++)
		assert_int_equal(names.v[i].state, POLICY_NAME_OPEN);
	tp_principal(TP_ALICE, &p);
	assert_true(policy_name_is(&names.v[0], &p));
	assert_true(policy_name_is(&names.v[5], &p));
	policy_name_resolved(&names.v[0], &p);
	assert_int_equal(names.v[0].state, POLICY_NAME_FOUND);
	assert_string_equal(names.v[0].who, "alice");
	principal_clear(&p);

	/* A display-name CN names nobody; a UPN with a space is malformed. */
	assert_int_equal(parse(TP_RSA2048, &text), CA_OK);
	policy_names_list(&req, &names);
	assert_int_equal(names.n, 1);
	assert_int_equal(names.v[0].state, POLICY_NAME_BAD);
	assert_string_equal(names.v[0].why, "a character that names cannot "
	    "have");
	/* A wildcard only as the whole leftmost label; account-form CN. */
	assert_int_equal(parse(TP_RSA2048, &dns), CA_OK);
	policy_names_list(&req, &names);
	assert_int_equal(names.n, 2);
	assert_int_equal(names.v[0].state, POLICY_NAME_BAD);
	assert_int_equal(names.v[1].key, POLICY_NAME_KEY_SAM);
	assert_int_equal(parse(TP_RSA2048, &uri), CA_OK);
	policy_names_list(&req, &names);
	assert_int_equal(names.n, 3);
	assert_int_equal(names.v[0].state, POLICY_NAME_OPEN);	/* *.entca */
	assert_int_equal(names.v[1].state, POLICY_NAME_BAD);	/* URI */
	assert_int_equal(names.v[2].key, POLICY_NAME_KEY_DNS);	/* CN */
	policy_names_list(NULL, &names);
	assert_int_equal(names.n, 0);
	assert_false(names.overflow);

	/* 16 SANs and 9 e-mail subject values: one more than the list
	 * holds, so the request is marked, never partly checked. */
	memset(&req, 0, sizeof(req));
	req.n_sans = POLICY_SAN_MAX;
	for (size_t i = 0; i < POLICY_SAN_MAX; i++) {
		req.sans[i].type = POLICY_SAN_DNS;
		snprintf(req.sans[i].value, sizeof(req.sans[i].value),
		    "h%zu.entca.test", i);
	}
	{
		struct dn dn = { 0 };
		for (int i = 0; i < 9; i++)
			assert_int_equal(dn_push(&dn, DN_OID_EMAIL,
			    "x@entca.test"), CA_OK);
		assert_int_equal(dn_encode(&dn, req.subject_der,
		    sizeof(req.subject_der), &req.subject_len, NULL, 0), CA_OK);
	}
	policy_names_list(&req, &names);
	assert_int_equal(names.n, POLICY_NAMES_MAX);
	assert_true(names.overflow);
	{
		static struct policy_decision dec;
		struct policy_ca ca = { .aces = tp_ca_aces,
		    .n_aces = tp_n_ca_aces,
		    .issue_templates = tp_issue_templates,
		    .n_issue = tp_n_issue };
		struct policy_input in = { 0 };
		struct template t;

		tp_principal(TP_CONNECTOR, &p);
		tp_template(TP_T_PKCS, &t);
		req.signature_ok = true;
		req.key_alg = POLICY_KEY_RSA;
		req.key_bits = 2048;
		in.requester = in.subject = &p;
		in.tmpl = &t;
		in.req = &req;
		in.names = &names;
		in.ca = &ca;
		in.now = 1800000000LL;
		assert_int_equal(policy_decide(&in, &dec), CA_OK);
		assert_int_equal(dec.code, POLICY_NAME_MALFORMED);
		assert_string_equal(dec.why, "names: the request carries more "
		    "than 24 identity names");
		principal_clear(&p);
	}
}

/* Issue 10 item 6: a subject built from the directory is checked too. */
static void
test_directory_subject_checked(void **state)
{
	static struct policy_decision dec;
	struct tp_csr c = { .subject = "CN=alice" };
	struct policy_ca ca = { .aces = tp_ca_aces, .n_aces = tp_n_ca_aces,
	    .issue_templates = tp_issue_templates, .n_issue = tp_n_issue,
	    .sid_url_san = true };
	struct policy_input in = { 0 };
	struct principal p;
	struct template t;

	(void)state;
	assert_int_equal(parse(TP_RSA2048, &c), CA_OK);
	tp_principal(TP_ALICE, &p);
	tp_template(TP_T_USER, &t);	/* subject-format = dn */
	in.requester = in.subject = &p;
	in.tmpl = &t;
	in.req = &req;
	in.ca = &ca;
	in.now = 1800000000LL;
	assert_int_equal(policy_decide(&in, &dec), CA_OK);
	assert_int_equal(dec.verdict, POLICY_ISSUE);
	snprintf(p.dn, sizeof(p.dn), "CN=%s,CN=Users,DC=entca,DC=test",
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	assert_int_equal(policy_decide(&in, &dec), CA_OK);
	assert_int_equal(dec.code, POLICY_SUBJECT);
	assert_string_equal(dec.why, "subject: CN is 65 characters, above its "
	    "bound of 64 (RFC 5280 Appendix A)");
	snprintf(p.dn, sizeof(p.dn), "CN=a\\07b,CN=Users,DC=entca,DC=test");
	assert_int_equal(policy_decide(&in, &dec), CA_OK);
	assert_string_equal(dec.why, "subject: CN contains a control "
	    "character");
	principal_clear(&p);
}

static void
test_template_extensions(void **state)
{
	/* szOID_CERTIFICATE_TEMPLATE, MS-WCCE: template info for .176.1.14, 100, 4. */
	static const unsigned char v2[] = { 0x30, 0x28, 0x06, 0x20, 0x2b, 0x06,
	    0x01, 0x04, 0x01, 0x82, 0x37, 0x15, 0x08, 0x85, 0xa1, 0xc2, 0x0a,
	    0xb2, 0xf8, 0x3b, 0x86, 0x81, 0x91, 0x06, 0x87, 0xdf, 0x82, 0x10,
	    0x83, 0xba, 0xee, 0x13, 0x81, 0x30, 0x01, 0x0e, 0x02, 0x01, 0x64,
	    0x02, 0x01, 0x04 };
	static const unsigned char v1[] = { 0x1e, 0x08, 0x00, 0x55, 0x00, 0x73,
	    0x00, 0x65, 0x00, 0x72 };
	struct tp_csr c = { .subject = "CN=x", .ext_oid = POLICY_OID_TMPL_V2,
	    .ext_der = v2, .ext_len = sizeof(v2) };

	assert_int_equal(parse(TP_RSA2048, &c), CA_OK);
	assert_string_equal(req.template_oid, "1.3.6.1.4.1.311.21.8.11034890."
	    "834619.12601478.16236816.7255827.176.1.14");
	assert_int_equal(req.template_major, 100);
	assert_int_equal(req.template_minor, 4);
	c.ext_oid = POLICY_OID_TMPL_V1;
	c.ext_der = v1;
	c.ext_len = sizeof(v1);
	assert_int_equal(parse(TP_RSA2048, &c), CA_OK);
	assert_string_equal(req.template_name, "User");
}

static void
test_refusals(void **state)
{
	struct tp_csr c = { .subject = "CN=alice", .tamper = true };
	struct tp_csr bad_sid = { .subject = "CN=x", .uri =
	    POLICY_SID_URL_PREFIX "S-1-x" };
	unsigned char *der;
	size_t len;

	assert_int_equal(parse(TP_RSA2048, &c), CA_ECRYPTO);
	assert_string_equal(why, "CSR: RFC 2986: signature does not verify");
	assert_false(req.signature_ok);
	assert_int_equal(req.key_bits, 2048);	/* parsed all the same */
	assert_int_equal(parse(TP_RSA2048, &bad_sid), CA_EPARSE);
	assert_string_equal(why,
	    "CSR: SAN URL SID \"S-1-x\" is not a SID");

	c.tamper = false;
	tp_csr_make(TP_RSA2048, &c, &der, &len);
	assert_int_equal(policy_request_parse(der, len - 1, &req, why,
	    sizeof(why)), CA_EPARSE);
	assert_int_equal(policy_request_parse(der, POLICY_CSR_MAX + 1, &req,
	    why, sizeof(why)), CA_ETOOBIG);
	der[len - 1] = 0;
	der[4] ^= 0xff;		/* break the CertificationRequestInfo */
	assert_int_equal(policy_request_parse(der, len, &req, why,
	    sizeof(why)), CA_EPARSE);
	assert_int_equal(policy_request_parse((const unsigned char *)"\x30\x00",
	    2, &req, why, sizeof(why)), CA_EPARSE);
	free(der);
}

static void
test_sid_syntax(void **state)
{
	assert_true(policy_sid_valid(ALICE_SID));
	assert_true(policy_sid_valid("S-1-5-11"));
	assert_false(policy_sid_valid("S-1-5"));
	assert_false(policy_sid_valid("S-1-5-"));
	assert_false(policy_sid_valid("S-1--5-11"));
	assert_false(policy_sid_valid("s-1-5-11x"));
	assert_false(policy_sid_valid("S-1-5-12345678901"));
}

/* Mutated CSRs: no crash, and a CA_OK result is fully terminated data. */
static void
test_hostile_mutations(void **state)
{
	struct tp_csr c = { .subject = "CN=alice,O=Entca",
	    .upn = "alice@entca.test", .dns = "ws01.entca.test",
	    .uri = POLICY_SID_URL_PREFIX ALICE_SID, .sid_ext = ALICE_SID,
	    .eku = "1.3.6.1.5.5.7.3.2", .challenge = "pw" };
	unsigned char *der, *m;
	size_t len, ok = 0;
	uint32_t x = 88172645u;

	tp_csr_make(TP_P256, &c, &der, &len);
	m = malloc(len);
	assert_non_null(m);
	for (size_t cut = 0; cut < len; cut += 7)
		assert_int_not_equal(policy_request_parse(der, cut, &req, why,
		    sizeof(why)), CA_OK);
	for (int i = 0; i < 3000; i++) {
		memcpy(m, der, len);
		for (int k = 0; k < 2; k++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			m[x % len] ^= (unsigned char)(x >> 24 | 1);
		}
		if (policy_request_parse(m, len, &req, why, sizeof(why)) ==
		    CA_OK) {
			ok++;
			assert_true(strlen(req.subject) < sizeof(req.subject));
			assert_true(req.n_sans <= POLICY_SAN_MAX);
			assert_true(req.signature_ok);
		}
	}
	/* Most flips land in the key or signature and break the signature. */
	assert_true(ok < 3000);
	free(m);
	free(der);
}

/* szOID_CERTIFICATE_TEMPLATE, MS-WCCE: template info for .176.1.14, 100, 4. */
static const unsigned char tmpl_v2[] = { 0x30, 0x28, 0x06, 0x20, 0x2b, 0x06,
    0x01, 0x04, 0x01, 0x82, 0x37, 0x15, 0x08, 0x85, 0xa1, 0xc2, 0x0a,
    0xb2, 0xf8, 0x3b, 0x86, 0x81, 0x91, 0x06, 0x87, 0xdf, 0x82, 0x10,
    0x83, 0xba, 0xee, 0x13, 0x81, 0x30, 0x01, 0x0e, 0x02, 0x01, 0x64,
    0x02, 0x01, 0x04 };

/* An unsigned CSR of CN=mallory for the P-256 key, to add values to. */
static gnutls_x509_crq_t
mallory_crq(void)
{
	gnutls_x509_crq_t crq;

	assert_int_equal(gnutls_x509_crq_init(&crq), 0);
	assert_int_equal(gnutls_x509_crq_set_version(crq, 1), 0);
	assert_int_equal(gnutls_x509_crq_set_dn(crq, "CN=mallory", NULL), 0);
	assert_int_equal(gnutls_x509_crq_set_key(crq, tp_key(TP_P256)), 0);
	return crq;
}

/*
 * GnuTLS keeps one value per OID, so a test that sends an OID twice adds
 * the second copy under a placeholder OID (a TLV that differs only in its
 * last byte). Find the one placeholder in the DER CSR at *der, set its
 * last byte to `last`, and re-sign the patched CertificationRequestInfo
 * with the P-256 key; *der is replaced (malloc'd; caller frees).
 */
static void
csr_patch_resign(unsigned char **der, size_t *len,
    const unsigned char *placeholder, size_t plen, unsigned char last)
{
	gnutls_x509_crq_t again;
	gnutls_datum_t in;
	size_t hits = 0;

	for (unsigned char *p = *der; p + plen <= *der + *len; p++)
		if (memcmp(p, placeholder, plen) == 0) {
			p[plen - 1] = last;
			hits++;
		}
	assert_int_equal(hits, 1);
	in.data = *der;
	in.size = (unsigned)*len;
	assert_int_equal(gnutls_x509_crq_init(&again), 0);
	assert_int_equal(gnutls_x509_crq_import(again, &in,
	    GNUTLS_X509_FMT_DER), 0);
	free(*der);
	tp_crq_finish(again, TP_P256, der, len);
}

/*
 * A signed CSR whose extensionRequest holds the template extension
 * 1.3.6.1.4.1.311.21.7 twice: tmpl_v2, then `second`, added under
 * 1.3.6.1.4.1.311.21.9 and patched to .7.
 */
static void
csr_two_templates(const unsigned char *second, size_t second_len,
    unsigned char **der, size_t *len)
{
	static const unsigned char placeholder[] = { 0x06, 0x09, 0x2b, 0x06,
	    0x01, 0x04, 0x01, 0x82, 0x37, 0x15, 0x09 };
	gnutls_x509_crq_t crq = mallory_crq();

	assert_int_equal(gnutls_x509_crq_set_extension_by_oid(crq,
	    POLICY_OID_TMPL_V2, tmpl_v2, sizeof(tmpl_v2), 0), 0);
	assert_int_equal(gnutls_x509_crq_set_extension_by_oid(crq,
	    "1.3.6.1.4.1.311.21.9", second, second_len, 0), 0);
	tp_crq_finish(crq, TP_P256, der, len);
	csr_patch_resign(der, len, placeholder, sizeof(placeholder), 0x07);
}

/* Parse the signed DER CSR der (freed here): refused with exactly reason. */
static void
refused_with(unsigned char *der, size_t len, const char *reason)
{
	assert_int_equal(policy_request_parse(der, len, &req, why,
	    sizeof(why)), CA_EPARSE);
	assert_string_equal(why, reason);
	free(der);
}

/*
 * Issue 11 item 1: a second, malformed template extension made parse_exts
 * read the first one's freed value (heap-use-after-free in read_uint under
 * ASan; garbage template versions without it). Refused now, with a reason.
 */
static void
test_csr_second_template_ext_use_after_free(void **state)
{
	static const unsigned char nul[] = { 0x05, 0x00 };	/* not a SEQUENCE */
	/* SEQUENCE { OID 1.3, INTEGER with no content octets } */
	static const unsigned char trunc[] = { 0x30, 0x05, 0x06, 0x01, 0x2b,
	    0x02, 0x00 };
	unsigned char *der;
	size_t len;

	csr_two_templates(nul, sizeof(nul), &der, &len);
	refused_with(der, len, "CSR: RFC 5280 §4.2: extension "
	    POLICY_OID_TMPL_V2 " requested twice");
	/* Twice, both well-formed: still refused, never "last one wins". */
	csr_two_templates(tmpl_v2, sizeof(tmpl_v2), &der, &len);
	assert_int_equal(policy_request_parse(der, len, &req, why,
	    sizeof(why)), CA_EPARSE);
	free(der);
	/* One malformed template extension alone: a precise refusal. */
	for (int i = 0; i < 2; i++) {
		struct tp_csr c = { .subject = "CN=x",
		    .ext_oid = POLICY_OID_TMPL_V2,
		    .ext_der = i == 0 ? nul : trunc,
		    .ext_len = i == 0 ? sizeof(nul) : sizeof(trunc) };
		assert_int_equal(parse(TP_RSA2048, &c), CA_EPARSE);
		assert_string_equal(why, "CSR: certificate template extension "
		    POLICY_OID_TMPL_V2 ": not a SEQUENCE { OID, INTEGER, "
		    "INTEGER }");
	}
}

/*
 * Two SID attributes 1.3.6.1.4.1.311.25.2 (the second under placeholder
 * .25.3, patched and re-signed as above): GnuTLS reads only the first, so
 * the second would be a SID nobody checked. Refused.
 */
static void
test_csr_attribute_twice_refused(void **state)
{
	static const unsigned char placeholder[] = { 0x06, 0x09, 0x2b, 0x06,
	    0x01, 0x04, 0x01, 0x82, 0x37, 0x19, 0x03 };
	/* SidExtValue for S-1-5-21-1-2-3-500 (KB5014754). */
	unsigned char v[128], *der;
	gnutls_x509_crq_t crq = mallory_crq();
	size_t n = tp_sid_ext("S-1-5-21-1-2-3-500", v), len;

	assert_int_equal(gnutls_x509_crq_set_attribute_by_oid(crq,
	    POLICY_OID_SID_EXT, v, n), 0);
	assert_int_equal(gnutls_x509_crq_set_attribute_by_oid(crq,
	    "1.3.6.1.4.1.311.25.3", v, n), 0);
	tp_crq_finish(crq, TP_P256, &der, &len);
	csr_patch_resign(&der, &len, placeholder, sizeof(placeholder), 0x02);
	refused_with(der, len, "CSR: RFC 2985: attribute " POLICY_OID_SID_EXT
	    " sent twice");
}

/*
 * One SID attribute whose SET holds two values: GnuTLS's attribute reader
 * returned the first, so the second was a SID nobody checked. Refused, as
 * is any attribute read here with other than one value.
 */
static void
test_csr_attribute_two_values_refused(void **state)
{
	unsigned char v[256], *der;
	gnutls_x509_crq_t crq = mallory_crq();
	size_t n = tp_sid_ext("S-1-5-21-1-2-3-500", v), len;

	assert_true(2 * n <= sizeof(v));
	memcpy(v + n, v, n);	/* the value ANY, written twice in a row */
	assert_int_equal(gnutls_x509_crq_set_attribute_by_oid(crq,
	    POLICY_OID_SID_EXT, v, 2 * n), 0);
	tp_crq_finish(crq, TP_P256, &der, &len);
	refused_with(der, len, "CSR: RFC 2985: attribute " POLICY_OID_SID_EXT
	    " needs exactly one value");
}

static int
teardown(void **state)
{
	tp_cleanup();
	return 0;
}

/* A request whose subject is O=Entca plus oid=value (no SANs). */
static void
subject_req(const char *oid, const char *value, struct policy_names *names)
{
	struct dn dn = { 0 };

	memset(&req, 0, sizeof(req));
	assert_int_equal(dn_push(&dn, "2.5.4.10", "Entca"), CA_OK);
	assert_int_equal(dn_push(&dn, oid, value), CA_OK);
	assert_int_equal(dn_encode(&dn, req.subject_der,
	    sizeof(req.subject_der), &req.subject_len, NULL, 0), CA_OK);
	policy_names_list(&req, names);
}

/* Red team names_subject: UID=pkiadmin next to CN=bob is looked up. */
static void
test_subject_uid_other_principal_refused(void **state)
{
	static struct policy_names names;
	struct principal pkiadmin, bob;

	(void)state;
	tp_principal(TP_PKIADMIN, &pkiadmin);
	tp_principal(TP_BOB, &bob);
	subject_req("0.9.2342.19200300.100.1.1", "pkiadmin", &names);
	assert_int_equal(names.n, 1);
	assert_string_equal(names.v[0].what, "subject UID");
	assert_int_equal(names.v[0].key, POLICY_NAME_KEY_ACCOUNT);
	assert_int_equal(names.v[0].state, POLICY_NAME_OPEN);
	assert_true(policy_name_is(&names.v[0], &pkiadmin));
	assert_false(policy_name_is(&names.v[0], &bob));
	/* A UID no account can have ("j+s", a space) names nobody. */
	subject_req("0.9.2342.19200300.100.1.1", "j+s", &names);
	assert_int_equal(names.n, 0);
	subject_req("0.9.2342.19200300.100.1.1", "bob@entca.test", &names);
	assert_int_equal(names.v[0].key, POLICY_NAME_KEY_UPN);
	assert_true(policy_name_is(&names.v[0], &bob));
	/* Other attributes are text, never looked up. */
	subject_req("2.5.4.11", "pkiadmin", &names);
	assert_int_equal(names.n, 0);
	principal_clear(&pkiadmin);
	principal_clear(&bob);
}

/* Red team names_subject: CN=DEMO\pkiadmin is an account name. */
static void
test_subject_domain_backslash_cn_resolved(void **state)
{
	static struct policy_names names;
	struct principal pkiadmin;

	(void)state;
	tp_principal(TP_PKIADMIN, &pkiadmin);
	subject_req(DN_OID_CN, "ENTCA\\pkiadmin", &names);
	assert_int_equal(names.n, 1);
	assert_int_equal(names.v[0].key, POLICY_NAME_KEY_ACCOUNT);
	assert_true(policy_name_is(&names.v[0], &pkiadmin));
	/* The DNS realm works as DOMAIN too; another domain names nobody
	 * here (ca/ leaves it outside the directory). */
	subject_req(DN_OID_CN, "entca.test\\pkiadmin", &names);
	assert_true(policy_name_is(&names.v[0], &pkiadmin));
	subject_req(DN_OID_CN, "OTHER\\pkiadmin", &names);
	assert_int_equal(names.v[0].key, POLICY_NAME_KEY_ACCOUNT);
	assert_false(policy_name_is(&names.v[0], &pkiadmin));
	/* name@realm stays a UPN-shaped name (implicit UPN in ldap/). */
	subject_req(DN_OID_CN, "pkiadmin@entca.test", &names);
	assert_int_equal(names.v[0].key, POLICY_NAME_KEY_UPN);
	/* Text with a backslash is still text. */
	subject_req(DN_OID_CN, "Sales \\ Ops", &names);
	assert_int_equal(names.n, 0);
	principal_clear(&pkiadmin);
}

/* Red team names_subject: fullwidth ｐｋｉadmin (NFKC: pkiadmin). */
static void
test_subject_fullwidth_lookalike_refused(void **state)
{
	static struct policy_names names;

	(void)state;
	subject_req(DN_OID_CN, "\xef\xbd\x90\xef\xbd\x8b\xef\xbd\x89"
	    "admin", &names);
	assert_int_equal(names.n, 1);
	assert_int_equal(names.v[0].state, POLICY_NAME_BAD);
	assert_string_equal(names.v[0].why, "looks like an account name but "
	    "is not ASCII");
	/* Fullwidth '@' and '.' too; UID as well as CN. */
	subject_req("0.9.2342.19200300.100.1.1", "pkiadmin\xef\xbc\xa0"
	    "entca.test", &names);
	assert_int_equal(names.v[0].state, POLICY_NAME_BAD);
	/* Mathematical bold letters (U+1D400...; NFKC: ASCII). */
	subject_req(DN_OID_CN, "\xf0\x9d\x90\xa9kiadmin", &names);
	assert_int_equal(names.v[0].state, POLICY_NAME_BAD);
}

/* Red team names_subject: pkiadmіn with a Cyrillic і. */
static void
test_subject_cyrillic_lookalike_refused(void **state)
{
	static struct policy_names names;

	(void)state;
	subject_req(DN_OID_CN, "pkiadm\xd1\x96n", &names);
	assert_int_equal(names.n, 1);
	assert_int_equal(names.v[0].state, POLICY_NAME_BAD);
	assert_string_equal(names.v[0].why, "looks like an account name but "
	    "is not ASCII");
	/* Display names with a space stay text, accents and all. */
	subject_req(DN_OID_CN, "Jos\xc3\xa9 M\xc3\xbcller", &names);
	assert_int_equal(names.n, 0);
	subject_req(DN_OID_CN, "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd "
	    "\xd0\x9f\xd0\xb5\xd1\x82\xd1\x80\xd0\xbe\xd0\xb2", &names);
	assert_int_equal(names.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_spki_reencoded),
		cmocka_unit_test(test_sans_and_sid),
		cmocka_unit_test(test_sid_attribute_and_hints),
		cmocka_unit_test(test_names_list),
		cmocka_unit_test(test_directory_subject_checked),
		cmocka_unit_test(test_template_extensions),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_sid_syntax),
		cmocka_unit_test(test_hostile_mutations),
		cmocka_unit_test(test_csr_second_template_ext_use_after_free),
		cmocka_unit_test(test_csr_attribute_twice_refused),
		cmocka_unit_test(test_csr_attribute_two_values_refused),
		cmocka_unit_test(test_subject_uid_other_principal_refused),
		cmocka_unit_test(test_subject_domain_backslash_cn_resolved),
		cmocka_unit_test(test_subject_fullwidth_lookalike_refused),
		cmocka_unit_test(test_subject_cyrillic_lookalike_refused),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}

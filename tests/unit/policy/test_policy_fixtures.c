/*
 * Golden CSRs made by openssl (tests/fixtures/policy/, *.csr.pem): another
 * producer's encoding of the inputs policy/ must handle. A multi-valued
 * escaped subject with a SID extension (the connector's shape), a BMPString
 * subject, a P-521 key with an IP SAN, and an Ed25519 key.
 */
#define _GNU_SOURCE	/* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <gnutls/gnutls.h>

#include "common/error.h"
#include "policy/decide.h"
#include "tests/unit/policy/test_policy_util.h"

#define NOW 1800000000LL

static struct policy_request req;
static struct policy_decision dec;
static bool want_email;	/* subject-email on the next decide() */
static char why[CA_WHY_MAX];

/* Load a fixture PEM and parse it; returns the parse code. */
static int
load(const char *name)
{
	const char *top = getenv("top_srcdir");
	char path[1024];
	unsigned char buf[16384];
	gnutls_datum_t pem, der;
	FILE *f;
	size_t n;
	int rc;

	snprintf(path, sizeof(path), "%s/tests/fixtures/policy/%s",
	    top != NULL ? top : ".", name);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s (set top_srcdir)", path);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	pem.data = buf;
	pem.size = (unsigned)n;
	assert_int_equal(gnutls_pem_base64_decode2("CERTIFICATE REQUEST", &pem,
	    &der), 0);
	rc = policy_request_parse(der.data, der.size, &req, why, sizeof(why));
	gnutls_free(der.data);
	return rc;
}

/* Decide with requester rq (subject = the test directory's s). */
static void
decide(enum tp_who rq, enum tp_who s, enum tp_tmpl which)
{
	struct policy_ca ca = {
		.aces = tp_ca_aces, .n_aces = tp_n_ca_aces,
		.issue_templates = tp_issue_templates, .n_issue = tp_n_issue,
		.ca_not_before = NOW - 86400, .ca_not_after = NOW + 3650 * 86400LL,
		.sid_url_san = true,
	};
	struct principal p, q;
	struct policy_input in = { 0 };
	struct template t;

	tp_principal(rq, &p);
	tp_principal(s, &q);
	tp_template(which, &t);
	t.subject_email = want_email;
	in.requester = &p;
	in.subject = &q;
	in.tmpl = &t;
	in.req = &req;
	in.ca = &ca;
	in.now = NOW;
	assert_int_equal(policy_decide(&in, &dec), CA_OK);
	principal_clear(&p);
	principal_clear(&q);
}

/*
 * AD's User template (Name-Flag 0xA6000000): the directory DN plus E=mail
 * (subject-email = yes); a subject without mail is refused, as AD CS does.
 */
static void
test_user_email_subject(void **state)
{
	(void)state;
	assert_int_equal(load("escaped-multivalued.csr.pem"), CA_OK);
	want_email = false;
	decide(TP_ALICE, TP_ALICE, TP_T_USER);
	assert_int_equal(dec.verdict, POLICY_ISSUE);
	assert_null(strstr(dec.profile.subject, "E="));
	want_email = true;
	decide(TP_ALICE, TP_ALICE, TP_T_USER);
	want_email = false;
	assert_int_equal(dec.verdict, POLICY_ISSUE);
	assert_string_equal(dec.profile.subject,
	    "E=alice@entca.test,CN=Alice Smith,CN=Users,DC=entca,DC=test");
}

static void
test_connector_shape(void **state)
{
	assert_int_equal(load("escaped-multivalued.csr.pem"), CA_OK);
	assert_string_equal(req.subject, "OU=Sales\\+Ops\\;x\\=y+"
	    "CN=Test User (TESTCOMPANY\\, LLC),O=Acme\\, Inc.,C=US");
	assert_int_equal(req.n_sans, 1);
	assert_int_equal(req.sans[0].type, POLICY_SAN_UPN);
	assert_string_equal(req.sans[0].value, "alice@entca.test");
	assert_string_equal(req.sid, TP_DOMAIN_SID "-1106");
	assert_int_equal(req.sid_source, POLICY_SID_EXTENSION);
	decide(TP_CONNECTOR, TP_ALICE, TP_T_PKCS);
	assert_int_equal(dec.verdict, POLICY_ISSUE);
	/* Same values and order (the CN becomes a PrintableString). */
	assert_string_equal(dec.profile.subject, req.subject);
	assert_string_equal(dec.profile.sid, TP_DOMAIN_SID "-1106");
	/* bob's officer-less request with alice's SID is refused. */
	decide(TP_BOB, TP_BOB, TP_T_WEBSERVER);
	assert_int_equal(dec.verdict, POLICY_DENY);
	assert_int_equal(dec.code, POLICY_NO_ENROLL);
	decide(TP_ERIN, TP_ERIN, TP_T_WEBSERVER);
	assert_int_equal(dec.code, POLICY_FOREIGN_SID);
}

static void
test_bmp_subject(void **state)
{
	static const unsigned char cn_utf8[] = { 0x06, 0x03, 0x55, 0x04, 0x03,
	    0x0c };

	assert_int_equal(load("bmp-subject.csr.pem"), CA_OK);
	assert_string_equal(req.subject, "O=Acme,CN=Jos\xc3\xa9 M\xc3\xbcller");
	decide(TP_ERIN, TP_ERIN, TP_T_WEBSERVER);
	assert_int_equal(dec.verdict, POLICY_ISSUE);
	assert_string_equal(dec.profile.subject,
	    "O=Acme,CN=Jos\xc3\xa9 M\xc3\xbcller");
	/* Re-encoded as UTF8String, not BMPString. */
	assert_non_null(memmem(dec.profile.subject_der,
	    dec.profile.subject_len, cn_utf8, sizeof(cn_utf8)));
}

static void
test_p521_ip(void **state)
{
	assert_int_equal(load("p521-ip-san.csr.pem"), CA_OK);
	assert_int_equal(req.key_alg, POLICY_KEY_EC);
	assert_int_equal(req.curve, POLICY_CURVE_P521);
	assert_int_equal(req.n_sans, 2);
	assert_int_equal(req.sans[0].type, POLICY_SAN_OTHER);
	assert_string_equal(req.sans[0].value, "iPAddress");
	decide(TP_PKIADMIN, TP_PKIADMIN, TP_T_WEBSERVER);
	assert_int_equal(dec.code, POLICY_KEY_ALG);
	assert_string_equal(dec.why, "key: ECDSA P-521 is not allowed by "
	    "template WebServer (allowed: RSA ECDSA-P-256)");
}

static void
test_ed25519(void **state)
{
	assert_int_equal(load("ed25519.csr.pem"), CA_OK);
	assert_int_equal(req.key_alg, POLICY_KEY_OTHER);
	decide(TP_ERIN, TP_ERIN, TP_T_WEBSERVER);
	assert_int_equal(dec.code, POLICY_KEY_ALG);
	assert_string_equal(dec.why, "key: unsupported public key is not "
	    "allowed by template WebServer (allowed: RSA ECDSA-P-256)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connector_shape),
		cmocka_unit_test(test_user_email_subject),
		cmocka_unit_test(test_bmp_subject),
		cmocka_unit_test(test_p521_ip),
		cmocka_unit_test(test_ed25519),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

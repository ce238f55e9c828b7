/*
 * libFuzzer target for the untrusted bytes a connector sends: a PKCS#10
 * request (policy_request_parse), its subject Name (dn_parse_der and the
 * round trip through dn_encode / dn_format / dn_parse_string), the
 * subject hint, and the policy decision on it (policy_decide with the
 * PKCS Intune template, an enrolling connector and a subject principal),
 * as entcad's enrollment runs them. Any crash, leak or sanitizer report is
 * a bug; a Name that parses must re-encode and re-parse to an equal Name.
 * Seeds (tests/fuzz/corpus/fuzz_csr) include duplicated and malformed
 * Microsoft extensions and attributes (issue 11 item 1).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "policy/decide.h"
#include "policy/dn.h"
#include "policy/request.h"
#include "policy/rights.h"
#include "templates/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/* Round-trip one DER Name: decode, encode, print, parse, compare. */
static void
name_round_trip(const uint8_t *data, size_t len)
{
	static struct dn a, b;
	static unsigned char der[DN_DER_MAX];
	static char text[DN_STRING_MAX];
	size_t n;

	if (dn_parse_der(data, len, &a, NULL, 0) != CA_OK)
		return;
	if (dn_encode(&a, der, sizeof(der), &n, NULL, 0) != CA_OK)
		return;
	if (dn_format(&a, text, sizeof(text)) != CA_OK)
		return;
	if (dn_parse_string(text, &b, NULL, 0) == CA_OK && !dn_equal(&a, &b))
		abort();
}

/* The template the decision runs against: etc/templates/PKCSIntune.tmpl. */
static const char tmpl_text[] =
    "[template]\n"
    "display-name = PKCS Intune\n"
    "name = PKCSIntune\n"
    "schema-version = 3\n"
    "version = 100.0\n"
    "oid = 1.3.6.1.4.1.311.21.8.10575116.7232500.7058481.7092684."
    "15458454.10990837.1052515971.1017551934\n"
    "validity = 1y\n"
    "renewal-period = 6w\n"
    "publish-to-directory = no\n"
    "compatibility-ca = 2008R2\n"
    "compatibility-recipient = 2008R2\n"
    "purpose = signature-and-encryption\n"
    "allow-private-key-export = yes\n"
    "server-key-generation = yes\n"
    "key-algorithms = rsa\n"
    "min-key-size = 2048\n"
    "hash = sha256\n"
    "subject = supply-in-request\n"
    "subject-format = none\n"
    "san =\n"
    "application-policies = efs, secure-email, client-auth\n"
    "eku-critical = no\n"
    "key-usage = digital-signature, key-encipherment\n"
    "key-usage-critical = yes\n"
    "sid-extension = yes\n"
    "ca = no\n"
    "path-length = unlimited\n"
    "require-approval = no\n"
    "authorized-signatures = 0\n"
    "ra-policy =\n"
    "supersedes =\n"
    "allow-dangerous =\n"
    "[security]\n"
    "allow = Authenticated Users : read\n"
    "allow = Domain Admins : read, enroll\n"
    "allow = Enterprise Admins : read, enroll\n"
    "allow = INTUNECONN$ : read, enroll\n";

/* Decide on r as the connector enrolling for alice; nothing may crash. */
static void
decide(const struct policy_request *r)
{
	static struct template t;
	static bool have_t;
	static struct policy_decision out;
	static const struct tmpl_ace aces[] = {
		{ false, "INTUNECONN$", CA_RIGHT_READ | CA_RIGHT_REQUEST },
	};
	static const char *const issue[] = { "PKCSIntune" };
	static const char *const cdp[] = { "http://ca.example/crl/ca.crl" };
	struct principal conn, alice;
	struct policy_ca ca = { aces, 1, issue, 1, 1700000000, 2000000000,
	    cdp, 1, NULL, 0, NULL, 0, true };
	struct policy_input in;
	char why[CA_WHY_MAX];

	if (!have_t) {
		if (template_parse_buf("PKCSIntune.tmpl", tmpl_text,
		    sizeof(tmpl_text) - 1, &t, why, sizeof(why)) != CA_OK) {
			fprintf(stderr, "fuzz_csr: %s\n", why);
			abort();
		}
		have_t = true;
	}
	memset(&conn, 0, sizeof(conn));
	memset(&alice, 0, sizeof(alice));
	conn.kind = PRINCIPAL_COMPUTER;
	snprintf(conn.sid, sizeof(conn.sid), "S-1-5-21-1-2-3-1200");
	snprintf(conn.sam, sizeof(conn.sam), "INTUNECONN$");
	conn.uac = PRINCIPAL_UAC_WORKSTATION_TRUST;
	alice.kind = PRINCIPAL_USER;
	snprintf(alice.sid, sizeof(alice.sid), "S-1-5-21-1-2-3-1106");
	snprintf(alice.sam, sizeof(alice.sam), "alice");
	snprintf(alice.upn, sizeof(alice.upn), "alice@demo.example");
	snprintf(alice.dn, sizeof(alice.dn), "CN=alice,CN=Users,DC=demo,"
	    "DC=example");
	alice.uac = PRINCIPAL_UAC_NORMAL_ACCOUNT;
	memset(&in, 0, sizeof(in));
	in.requester = &conn;
	in.subject = &alice;
	in.tmpl = &t;
	in.req = r;
	in.ca = &ca;
	in.now = 1800000000;
	(void)policy_decide(&in, &out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct policy_request r;
	char value[PRINCIPAL_DN_MAX], why[CA_WHY_MAX];

	if (policy_request_parse(data, len, &r, why, sizeof(why)) == CA_OK ||
	    r.subject_len > 0) {
		(void)policy_subject_hint(&r, value, sizeof(value));
		name_round_trip(r.subject_der, r.subject_len);
	}
	if (r.signature_ok)
		decide(&r);
	policy_request_wipe(&r);
	name_round_trip(data, len);
	return 0;
}

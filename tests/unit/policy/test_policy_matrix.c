/*
 * The issue-5 decision matrix: principals of the test domain x templates
 * (PKCS Intune, User, Machine, WebServer, approval, not issued) x requests
 * (good, weak key, wrong curve, bad signature, foreign SAN, foreign SID,
 * matching SID, escaped subject, over-long validity, extra EKU; and the
 * names rows of issues 10 and 19: hostile subject values, names nobody
 * has, malformed names, names of two principals, SID URLs). Each row
 * asserts verdict, code and reason, and for issued rows the profile's
 * subject, SANs and SID. The CSRs are real (GnuTLS); the subject principal
 * is looked up the way ca/ does, from policy_subject_hint(), and every
 * name of the request is resolved as ca/ does (resolve_names()).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/error.h"
#include "policy/decide.h"
#include "tests/unit/policy/test_policy_util.h"

#define NOW 1800000000LL		/* 2027-01-15T08:00:00Z */
#define YEAR (365 * 86400LL)
#define S(rid) TP_DOMAIN_SID "-" #rid
#define URL(rid) "URI:" POLICY_SID_URL_PREFIX S(rid)

enum kind {
	K_GOOD = 0, K_WEAK, K_P256, K_P384, K_BADSIG, K_FOREIGN_SAN,
	K_FOREIGN_UPN, K_FOREIGN_SID, K_UNKNOWN_SID, K_SID_MATCH, K_SID_ATTR, K_SID_CONFLICT,
	K_ESCAPED, K_LONG, K_EKU, K_DNS_WWW, K_FOREIGN_MAIL, K_KEYGEN,
	K_KEYGEN_WEAK, K_WRONG_TEMPLATE, K_RIGHT_TEMPLATE, K_APP_POLICIES,
	/* issue 10 items 6-7, issue 19 items 1-2: names */
	K_NOBODY_UPN, K_WILD_UPN, K_PREFIX_UPN, K_STAR_UPN, K_EVIL_UPN,
	K_EVIL_URI, K_CTRL_UPN, K_UPN_VS_SIDURL, K_DNS_VS_UPN, K_CN_VS_UPN,
	K_MAIL_VS_UPN, K_SIDURL_MATCH, K_SIDURL_FOREIGN, K_CN_TEXT,
	/* red-team names_subject: other subject attributes, look-alikes */
	K_SUBJ_UID, K_SUBJ_UID_NOBODY, K_SUBJ_DOMAIN_CN, K_SUBJ_REALM_CN,
	K_SUBJ_OTHER_DOMAIN_CN, K_SUBJ_FULLWIDTH, K_SUBJ_CYRILLIC, K_SUBJ_ZW,
	K_SUBJ_BIDI, K_SUBJ_NBSP, K_SUBJ_TRAIL, K_SUBJ_ACCENTS,
	K_SUBJ_NUL, K_SUBJ_BADUTF8, K_SUBJ_LONG, K_SUBJ_C, K_SUBJ_CTRL
};

#define SELF TP_WHO_COUNT		/* the request names its requester */
#define NOBODY (TP_WHO_COUNT + 1)	/* a principal with no groups */

/*
 * One row of the matrix: who asks, on which template, with which request,
 * naming whom, and the verdict and code expected. The optional fields are
 * set by name in the rows that assert them (NULL: not checked).
 */
struct row {
	int line;
	int rq;			/* requester (enum tp_who or NOBODY) */
	enum tp_tmpl t;
	enum kind k;
	int target;		/* whom the request names (enum tp_who/SELF) */
	enum policy_verdict v;
	enum policy_code code;
	const char *why;	/* exact reason, or NULL */
	const char *subject;	/* expected profile subject, or NULL */
	const char *sans;	/* "TYPE:value,..." or NULL */
	const char *sid;	/* expected SID extension, or NULL */
	const char *note;	/* substring of notes, or NULL */
	bool open;		/* template allow-unresolved-names = yes */
	bool approving;
	bool short_ca;		/* CA certificate ends in 30 days */
	bool forced;		/* ca/ resolved the target as the subject,
				 * whatever the request's names say */
};

/* The expected verdict and code, by name, as every row sets them. */
#define ISSUE .v = POLICY_ISSUE, .code = POLICY_OK
#define PEND .v = POLICY_PEND, .code = POLICY_PENDING_APPROVAL
#define DENY(c) .v = POLICY_DENY, .code = POLICY_##c
#define ALICE_UPN "UPN:alice@entca.test"

static const struct row rows[] = {
	/* PKCS Intune: who may enroll on it, and for whom. */
	{ __LINE__, TP_CONNECTOR, TP_T_PKCS, K_GOOD, TP_CAROL, DENY(DISABLED),
	  .why = "subject carol is disabled" },
	{ __LINE__, TP_PKIADMIN, TP_T_PKCS, K_GOOD, TP_BOB, ISSUE,
	  .subject = "CN=bob,O=Entca",
	  .sans = "UPN:bob@entca.test," URL(1107), .sid = S(1107) },
	{ __LINE__, TP_ALICE, TP_T_PKCS, K_GOOD, SELF, DENY(NO_ENROLL),
	  .why = "alice has no enroll right on template PKCSIntune" },
	{ __LINE__, TP_BOB, TP_T_PKCS, K_GOOD, SELF, DENY(NO_ENROLL) },
	{ __LINE__, TP_DAVE, TP_T_PKCS, K_GOOD, SELF, DENY(NO_ENROLL) },
	{ __LINE__, TP_CAROL, TP_T_PKCS, K_GOOD, SELF, DENY(DISABLED),
	  .why = "requester carol is disabled" },
	/* User: subject and SANs from the directory. */
	{ __LINE__, TP_ALICE, TP_T_USER, K_GOOD, SELF, ISSUE,
	  .subject = "CN=Alice Smith,CN=Users,DC=entca,DC=test",
	  .sans = ALICE_UPN ",email:alice@entca.test", .sid = S(1106),
	  .note = "the request's subject and SANs are ignored: template User "
	  "builds them from the directory" },
	{ __LINE__, TP_BOB, TP_T_USER, K_GOOD, SELF, ISSUE,
	  .subject = "CN=Bob Jones,CN=Users,DC=entca,DC=test",
	  .sid = S(1107) },
	{ __LINE__, TP_ERIN, TP_T_USER, K_GOOD, SELF, ISSUE, .sid = S(1111) },
	{ __LINE__, TP_DAVE, TP_T_USER, K_GOOD, SELF, DENY(NO_ENROLL),
	  .why = "dave has no enroll right on template User" },
	{ __LINE__, TP_ALICE, TP_T_USER, K_WEAK, SELF, DENY(WEAK_KEY),
	  .why = "key: RSA 1024 bits is below the template User minimum of "
	  "2048" },
	{ __LINE__, TP_ALICE, TP_T_USER, K_P256, SELF, DENY(KEY_ALG) },
	{ __LINE__, TP_ALICE, TP_T_USER, K_BADSIG, SELF, DENY(BAD_SIGNATURE) },
	{ __LINE__, TP_ALICE, TP_T_USER, K_FOREIGN_SAN, SELF,
	  DENY(NAME_CONFLICT) },
	{ __LINE__, TP_ALICE, TP_T_USER, K_FOREIGN_UPN, SELF,
	  DENY(NAME_CONFLICT),
	  .why = "names: the request names two principals: SAN UPN "
	  "bob@entca.test is bob, subject CN alice is alice" },
	{ __LINE__, TP_ALICE, TP_T_USER, K_FOREIGN_SID, SELF,
	  DENY(FOREIGN_SID),
	  .why = "SID: " S(1107) " in the request is not alice's; only a CA "
	  "officer may supply a SID" },
	{ __LINE__, TP_ALICE, TP_T_USER, K_SID_MATCH, SELF, ISSUE,
	  .sid = S(1106) },
	{ __LINE__, TP_ALICE, TP_T_USER, K_ESCAPED, SELF, ISSUE,
	  .subject = "CN=Alice Smith,CN=Users,DC=entca,DC=test" },
	{ __LINE__, TP_ALICE, TP_T_USER, K_LONG, SELF, ISSUE,
	  .note = "clamped to the template User period of 365 days" },
	{ __LINE__, TP_ALICE, TP_T_USER, K_EKU, SELF, ISSUE,
	  .note = "ignored requested extensions 2.5.29.37" },
	{ __LINE__, TP_CONNECTOR, TP_T_USER, K_GOOD, TP_ALICE, DENY(NO_ENROLL),
	  .why = "INTUNECONN$ has no enroll right on template User" },
	{ __LINE__, TP_PKIADMIN, TP_T_USER, K_GOOD, TP_BOB, ISSUE,
	  .subject = "CN=Bob Jones,CN=Users,DC=entca,DC=test",
	  .sans = "UPN:bob@entca.test,email:bob@entca.test", .sid = S(1107) },
	{ __LINE__, TP_CAROL, TP_T_USER, K_GOOD, SELF, DENY(DISABLED) },
	{ __LINE__, NOBODY, TP_T_USER, K_GOOD, SELF, DENY(NO_CA_REQUEST),
	  .why = "nobody has no request right on this CA" },
	/* Machine: computers, DNS from the directory, P-256 allowed. */
	{ __LINE__, TP_WS01, TP_T_MACHINE, K_GOOD, SELF, ISSUE,
	  .why = "issued from template Machine for WS01$",
	  .subject = "CN=ws01.entca.test", .sans = "DNS:ws01.entca.test",
	  .sid = S(1112) },
	{ __LINE__, TP_WS01, TP_T_MACHINE, K_P256, SELF, ISSUE },
	{ __LINE__, TP_WS01, TP_T_MACHINE, K_P384, SELF, DENY(KEY_ALG),
	  .why = "key: ECDSA P-384 is not allowed by template Machine "
	  "(allowed: RSA ECDSA-P-256)" },
	{ __LINE__, TP_WS01, TP_T_MACHINE, K_WEAK, SELF, DENY(WEAK_KEY) },
	{ __LINE__, TP_ALICE, TP_T_MACHINE, K_GOOD, SELF, DENY(NO_ENROLL) },
	{ __LINE__, TP_CONNECTOR, TP_T_MACHINE, K_GOOD, SELF, ISSUE,
	  .subject = "CN=intuneconn.entca.test",
	  .sans = "DNS:intuneconn.entca.test", .sid = S(1105) },
	/* WebServer: supply in request; Cert Users through a nested group. */
	{ __LINE__, TP_ERIN, TP_T_WEBSERVER, K_GOOD, SELF, ISSUE,
	  .subject = "CN=erin,O=Entca", .sans = "UPN:erin@entca.test",
	  .sid = "" },
	{ __LINE__, TP_ERIN, TP_T_WEBSERVER, K_P256, SELF, ISSUE },
	{ __LINE__, TP_ERIN, TP_T_WEBSERVER, K_P384, SELF, DENY(KEY_ALG) },
	{ __LINE__, TP_ERIN, TP_T_WEBSERVER, K_DNS_WWW, SELF,
	  DENY(NAME_UNRESOLVED),
	  .why = "names: SAN DNS www.entca.test is not in the directory; "
	  "template WebServer does not allow names outside the directory" },
	{ __LINE__, TP_ERIN, TP_T_WEBSERVER, K_FOREIGN_UPN, SELF,
	  DENY(NAME_CONFLICT),
	  .why = "names: the request names two principals: SAN UPN "
	  "bob@entca.test is bob, subject CN erin is erin" },
	{ __LINE__, TP_ERIN, TP_T_WEBSERVER, K_FOREIGN_MAIL, SELF,
	  DENY(NAME_CONFLICT),
	  .why = "names: the request names two principals: SAN UPN "
	  "erin@entca.test is erin, subject E bob@entca.test is bob" },
	{ __LINE__, TP_ERIN, TP_T_WEBSERVER, K_ESCAPED, SELF, ISSUE,
	  .subject = "CN=Test User (TESTCOMPANY\\, "
	  "LLC),OU=Sales\\+Ops\\;x\\=y,O=Acme\\, Inc.,C=US" },
	{ __LINE__, TP_ERIN, TP_T_WEBSERVER, K_APP_POLICIES, SELF, ISSUE,
	  .note = "ignored requested extensions 1.3.6.1.4.1.311.21.10 (EKU "
	  "and key usage come from the template)" },
	{ __LINE__, TP_ERIN, TP_T_WEBSERVER, K_FOREIGN_SID, SELF,
	  DENY(FOREIGN_SID) },
	{ __LINE__, TP_PKIADMIN, TP_T_WEBSERVER, K_DNS_WWW, SELF,
	  DENY(NAME_UNRESOLVED) },
	{ __LINE__, TP_BOB, TP_T_WEBSERVER, K_GOOD, SELF, DENY(NO_ENROLL) },
	{ __LINE__, TP_CONNECTOR, TP_T_WEBSERVER, K_KEYGEN, TP_ALICE,
	  DENY(KEYGEN_NOT_ALLOWED),
	  .why = "key: template WebServer does not allow server key "
	  "generation with an exportable key" },
	/* Approval: pend first, issue on the officer's re-run. */
	{ __LINE__, TP_BOB, TP_T_APPROVAL, K_GOOD, SELF,
	  PEND,
	  .why = "template ApprovalUser requires approval by a CA officer",
	  .subject = "CN=bob", .sans = "UPN:bob@entca.test", .sid = S(1107) },
	{ __LINE__, TP_BOB, TP_T_APPROVAL, K_GOOD, SELF, ISSUE,
	  .subject = "CN=bob", .approving = true },
	{ __LINE__, TP_BOB, TP_T_APPROVAL, K_WEAK, SELF, DENY(WEAK_KEY) },
	{ __LINE__, TP_DAVE, TP_T_APPROVAL, K_GOOD, SELF,
	  PEND },
	{ __LINE__, TP_ALICE, TP_T_APPROVAL, K_FOREIGN_SID, SELF,
	  DENY(FOREIGN_SID) },
	{ __LINE__, TP_PKIADMIN, TP_T_USER, K_UPN_VS_SIDURL, TP_ALICE,
	  DENY(NAME_CONFLICT) },
	{ __LINE__, TP_ALICE, TP_T_USER, K_SIDURL_FOREIGN, SELF,
	  DENY(FOREIGN_SID) },
	{ __LINE__, TP_PKIADMIN, TP_T_WEBSERVER, K_DNS_WWW, SELF, ISSUE,
	  .subject = "CN=www.entca.test", .sans = "DNS:www.entca.test",
	  .sid = "", .note = "names outside the directory", .open = true },
	{ __LINE__, TP_ERIN, TP_T_WEBSERVER, K_DNS_WWW, SELF,
	  DENY(FOREIGN_SAN),
	  .why = "names: SAN DNS www.entca.test is not in the directory; "
	  "only a CA officer may name names outside it", .open = true },
	/* Not in issue-templates. */
	{ __LINE__, TP_BOB, TP_T_NOTISSUED, K_GOOD, SELF,
	  DENY(TEMPLATE_NOT_ISSUED),
	  .why = "template NotIssued is not in this CA's issue-templates" },
};

/*
 * The PKCS flow itself: the connector enrolls on PKCSIntune for alice, and
 * each request kind gets its verdict. These rows state only the request
 * and what is expected; main() fills in requester, template and target.
 */
static const struct row for_alice[] = {
	{ __LINE__, .k = K_GOOD, ISSUE,
	  .why = "issued from template PKCSIntune for alice",
	  .subject = "CN=alice,O=Entca", .sans = ALICE_UPN "," URL(1106),
	  .sid = S(1106) },
	{ __LINE__, .k = K_WEAK, DENY(WEAK_KEY),
	  .why = "key: RSA 1024 bits is below the template PKCSIntune "
	  "minimum of 2048" },
	{ __LINE__, .k = K_P256, DENY(KEY_ALG),
	  .why = "key: ECDSA P-256 is not allowed by template PKCSIntune "
	  "(allowed: RSA)" },
	{ __LINE__, .k = K_BADSIG, DENY(BAD_SIGNATURE),
	  .why = "CSR: RFC 2986: signature does not verify" },
	{ __LINE__, .k = K_FOREIGN_SAN, DENY(NAME_CONFLICT),
	  .why = "names: the request names two principals: SAN UPN "
	  "alice@entca.test is alice, SAN email bob@entca.test is bob" },
	{ __LINE__, .k = K_FOREIGN_SID, DENY(NAME_CONFLICT),
	  .why = "names: the request names two principals: SID extension "
	  S(1107) " is bob, SAN UPN alice@entca.test is alice" },
	{ __LINE__, .k = K_FOREIGN_SID, DENY(SID_MISMATCH),
	  .why = "SID: " S(1107) " in the request differs from the "
	  "directory's " S(1106) " for alice", .forced = true },
	{ __LINE__, .k = K_UNKNOWN_SID, DENY(SID_MISMATCH),
	  .why = "SID: " S(9999) " in the request has no principal in the "
	  "directory" },
	{ __LINE__, .k = K_SID_CONFLICT, DENY(NAME_CONFLICT),
	  .why = "names: the request names two principals: SID extension "
	  S(1106) " is alice, SID URL " S(1107) " is bob" },
	{ __LINE__, .k = K_SID_MATCH, ISSUE,
	  .subject = "CN=alice,O=Entca", .sans = ALICE_UPN "," URL(1106),
	  .sid = S(1106) },
	{ __LINE__, .k = K_SID_ATTR, ISSUE,
	  .sid = S(1106) },
	{ __LINE__, .k = K_ESCAPED, ISSUE,
	  .subject = "CN=Test User (TESTCOMPANY\\, "
	  "LLC),OU=Sales\\+Ops\\;x\\=y,O=Acme\\, Inc.,C=US",
	  .sans = ALICE_UPN "," URL(1106), .sid = S(1106) },
	{ __LINE__, .k = K_LONG, ISSUE,
	  .note = "requested validity until 2032-01-14T08:00:00Z clamped to "
	  "the template PKCSIntune period of 365 days" },
	{ __LINE__, .k = K_GOOD, ISSUE,
	  .note = "validity clamped to CA end 2027-02-14T08:00:00Z",
	  .short_ca = true },
	{ __LINE__, .k = K_EKU, ISSUE,
	  .note = "ignored requested extensions 2.5.29.37 (EKU and key usage "
	  "come from the template)" },
	{ __LINE__, .k = K_WRONG_TEMPLATE, DENY(TEMPLATE_CONFLICT),
	  .why = "CSR: names template Machine, not PKCSIntune" },
	{ __LINE__, .k = K_RIGHT_TEMPLATE, ISSUE,
	  .sid = S(1106) },
	{ __LINE__, .k = K_KEYGEN, ISSUE,
	  .subject = "CN=alice,O=Entca", .sid = S(1106) },
	{ __LINE__, .k = K_KEYGEN_WEAK, DENY(WEAK_KEY),
	  .why = "key: RSA 1024 bits is below the template PKCSIntune "
	  "minimum of 2048" },
	/* Names (issue 10 items 6-7, issue 19 items 1-2): every subject
	 * value is text within its bound; every name resolves, to one
	 * principal, unless the template allows names outside the
	 * directory (officers only, then no SID). */
	{ __LINE__, .k = K_SUBJ_NUL, DENY(SUBJECT), .why = "subject: CN contains a NUL character" },
	{ __LINE__, .k = K_SUBJ_BADUTF8, DENY(SUBJECT),
	  .why = "subject: CN is not valid text (bad UTF-8 or string "
	  "encoding)" },
	{ __LINE__, .k = K_SUBJ_LONG, DENY(SUBJECT),
	  .why = "subject: CN is 65 characters, above its bound of 64 (RFC "
	  "5280 Appendix A)" },
	{ __LINE__, .k = K_SUBJ_C, DENY(SUBJECT),
	  .why = "subject: C is 3 characters, above its bound of 2 (RFC 5280 "
	  "Appendix A)" },
	{ __LINE__, .k = K_SUBJ_CTRL, DENY(SUBJECT), .why = "subject: CN contains a control character" },
	{ __LINE__, .k = K_NOBODY_UPN, DENY(NAME_UNRESOLVED),
	  .why = "names: SAN UPN nobody@entca.test is not in the directory; "
	  "template PKCSIntune does not allow names outside the directory" },
	{ __LINE__, .k = K_EVIL_UPN, DENY(NAME_UNRESOLVED),
	  .why = "names: SAN UPN nobody@evil.example is not in the "
	  "directory; template PKCSIntune does not allow names outside the "
	  "directory" },
	{ __LINE__, .k = K_EVIL_URI, DENY(NAME_UNRESOLVED),
	  .why = "names: SAN URI https://evil is not in the directory; "
	  "template PKCSIntune does not allow names outside the directory" },
	{ __LINE__, .k = K_WILD_UPN, DENY(NAME_MALFORMED),
	  .why = "SAN UPN *@entca.test is malformed: a wildcard '*' is not a "
	  "name" },
	{ __LINE__, .k = K_PREFIX_UPN, DENY(NAME_MALFORMED),
	  .why = "SAN UPN a*@entca.test is malformed: a wildcard '*' is not "
	  "a name" },
	{ __LINE__, .k = K_STAR_UPN, DENY(NAME_MALFORMED),
	  .why = "SAN UPN alice* is malformed: expected local@domain" },
	{ __LINE__, .k = K_CTRL_UPN, DENY(NAME_MALFORMED) },
	{ __LINE__, .k = K_UPN_VS_SIDURL, DENY(NAME_CONFLICT),
	  .why = "names: the request names two principals: SID URL " S(1107)
	  " is bob, SAN UPN alice@entca.test is alice" },
	{ __LINE__, .k = K_DNS_VS_UPN, DENY(NAME_CONFLICT),
	  .why = "names: the request names two principals: SAN UPN "
	  "alice@entca.test is alice, SAN DNS ws01.entca.test is WS01$" },
	{ __LINE__, .k = K_CN_VS_UPN, DENY(NAME_CONFLICT),
	  .why = "names: the request names two principals: SAN UPN "
	  "alice@entca.test is alice, subject CN bob is bob" },
	{ __LINE__, .k = K_SIDURL_MATCH, ISSUE,
	  .subject = "CN=alice,O=Entca", .sans = ALICE_UPN "," URL(1106),
	  .sid = S(1106) },
	{ __LINE__, .k = K_SIDURL_FOREIGN, DENY(SID_MISMATCH),
	  .why = "SID: " S(1107) " in the request differs from the "
	  "directory's " S(1106) " for alice", .forced = true },
	{ __LINE__, .k = K_CN_TEXT, ISSUE,
	  .subject = "CN=Alice Smith,O=Entca", .sid = S(1106) },
	/* red-team names_subject: every identity attribute resolves. */
	{ __LINE__, .k = K_SUBJ_UID, DENY(NAME_CONFLICT),
	  .why = "names: the request names two principals: SAN UPN "
	  "alice@entca.test is alice, subject UID bob is bob" },
	{ __LINE__, .k = K_SUBJ_UID_NOBODY, DENY(NAME_UNRESOLVED),
	  .why = "names: subject UID nobody is not in the directory; "
	  "template PKCSIntune does not allow names outside the directory" },
	{ __LINE__, .k = K_SUBJ_DOMAIN_CN, DENY(NAME_CONFLICT),
	  .why = "names: the request names two principals: SAN UPN "
	  "alice@entca.test is alice, subject CN ENTCA\\bob is bob" },
	{ __LINE__, .k = K_SUBJ_REALM_CN, DENY(NAME_CONFLICT),
	  .why = "names: the request names two principals: SAN UPN "
	  "alice@entca.test is alice, subject CN entca.test\\bob is bob" },
	{ __LINE__, .k = K_SUBJ_OTHER_DOMAIN_CN, DENY(NAME_UNRESOLVED),
	  .why = "names: subject CN OTHER\\alice is not in the directory; "
	  "template PKCSIntune does not allow names outside the directory" },
	{ __LINE__, .k = K_SUBJ_FULLWIDTH, DENY(NAME_MALFORMED),
	  .why = "subject CN \xef\xbd\x82\xef\xbd\x8f\xef\xbd\x82 is "
	  "malformed: looks like an account name but is not ASCII" },
	{ __LINE__, .k = K_SUBJ_CYRILLIC, DENY(NAME_MALFORMED),
	  .why = "subject CN b\xd0\xbe" "b is malformed: looks like an "
	  "account name but is not ASCII" },
	{ __LINE__, .k = K_SUBJ_ZW, DENY(SUBJECT),
	  .why = "subject: CN contains U+200B, a zero-width or invisible "
	  "character" },
	{ __LINE__, .k = K_SUBJ_BIDI, DENY(SUBJECT),
	  .why = "subject: CN contains U+202E, a bidirectional control "
	  "character" },
	{ __LINE__, .k = K_SUBJ_NBSP, DENY(SUBJECT),
	  .why = "subject: CN contains U+00A0, a non-ASCII space" },
	{ __LINE__, .k = K_SUBJ_TRAIL, DENY(SUBJECT),
	  .why = "subject: CN has leading or trailing whitespace" },
	{ __LINE__, .k = K_SUBJ_ACCENTS, ISSUE,
	  .subject = "CN=Jos\xc3\xa9 M\xc3\xbcller,O=Entca", .sid = S(1106) },
	{ __LINE__, .k = K_EVIL_URI, ISSUE,
	  .sans = ALICE_UPN ",URI:https://evil", .sid = "",
	  .note = "names outside the directory (SAN URI https://evil): no "
	  "SID extension and no SID URL", .open = true },
};

static struct principal dir[TP_WHO_COUNT];

/* ca/'s name lookup (est.c enroll_resolve_names) in the test directory. */
static const struct principal *
lookup_name(const struct policy_name *n)
{
	for (int i = 0; i < TP_WHO_COUNT; i++)
		if (policy_name_is(n, &dir[i]))
			return &dir[i];
	return NULL;
}

/* Resolve the request's names as ca/ does. */
static void
resolve_names(const struct policy_request *req, struct policy_names *names)
{
	const struct principal *p;

	policy_names_list(req, names);
	for (size_t i = 0; i < names->n; i++) {
		struct policy_name *n = &names->v[i];
		if (n->state != POLICY_NAME_OPEN)
			continue;
		if ((p = lookup_name(n)) != NULL)
			policy_name_resolved(n, p);
		else if (n->key == POLICY_NAME_KEY_SAM)
			n->state = POLICY_NAME_TEXT;
	}
}

/* ca/'s lookup: by SID, UPN or DNS name in the test directory. */
static const struct principal *
lookup(enum policy_hint h, const char *v)
{
	for (int i = 0; i < TP_WHO_COUNT; i++) {
		const struct principal *p = &dir[i];
		if ((h == POLICY_HINT_SID && strcmp(p->sid, v) == 0) ||
		    (h == POLICY_HINT_UPN && strcasecmp(p->upn, v) == 0) ||
		    (h == POLICY_HINT_DNS && strcasecmp(p->dns, v) == 0))
			return p;
	}
	return NULL;
}

/* A BMPString TLV of ASCII text, as Windows writes the v1 name. */
static const unsigned char *
bmp(const char *s, unsigned char *buf, size_t *len)
{
	size_t n = strlen(s);

	buf[0] = 0x1e;
	buf[1] = (unsigned char)(2 * n);
	for (size_t i = 0; i < n; i++) {
		buf[2 + 2 * i] = 0;
		buf[3 + 2 * i] = (unsigned char)s[i];
	}
	*len = 2 + 2 * n;
	return buf;
}

/* The CSR of a row's kind, naming target t. */
static void
make_csr(enum kind k, const struct principal *t, bool computer,
    unsigned char **der, size_t *len)
{
	struct tp_csr c = { 0 };
	unsigned char buf[64];
	char subject[300], uri[POLICY_SAN_VALUE_MAX];
	enum tp_key key = TP_RSA2048;

	snprintf(subject, sizeof(subject), "CN=%s,O=Entca", t->sam);
	c.subject = subject;
	if (computer)
		c.dns = t->dns;
	else
		c.upn = t->upn;
	switch (k) {
	case K_WEAK:
	case K_KEYGEN_WEAK:
		key = k == K_WEAK ? TP_RSA1024 : TP_RSA2048;
		break;
	case K_P256: key = TP_P256; break;
	case K_P384: key = TP_P384; break;
	case K_BADSIG: c.tamper = true; break;
	case K_FOREIGN_SAN:	/* own UPN plus someone else's mail */
		c.email = "bob@entca.test";
		break;
	case K_FOREIGN_UPN:
		c.upn = "bob@entca.test";
		break;
	case K_FOREIGN_SID: c.sid_ext = S(1107); break;
	case K_UNKNOWN_SID: c.sid_ext = S(9999); break;
	case K_SID_MATCH: c.sid_ext = t->sid; break;
	case K_SID_ATTR: c.sid_ext = t->sid; c.sid_attr = true; break;
	case K_SID_CONFLICT:
		c.sid_ext = t->sid;
		c.uri = POLICY_SID_URL_PREFIX S(1107);
		break;
	case K_ESCAPED:
		c.subject = NULL;
		c.rdn[0][0] = "2.5.4.6"; c.rdn[0][1] = "US";
		c.rdn[1][0] = "2.5.4.10"; c.rdn[1][1] = "Acme, Inc.";
		c.rdn[2][0] = "2.5.4.11"; c.rdn[2][1] = "Sales+Ops;x=y";
		c.rdn[3][0] = "2.5.4.3";
		c.rdn[3][1] = "Test User (TESTCOMPANY, LLC)";
		break;
	case K_EKU: c.eku = "2.5.29.37.0"; break;
	case K_WRONG_TEMPLATE:	/* v1 name extension: BMPString "Machine" */
		c.ext_oid = "1.3.6.1.4.1.311.20.2";
		c.ext_der = bmp("Machine", buf, &c.ext_len);
		break;
	case K_APP_POLICIES:	/* ESC15: Client Auth + Request Agent */
		c.ext_oid = "1.3.6.1.4.1.311.21.10";
		c.ext_der = (const unsigned char *)"\x30\x1a\x30\x0a\x06\x08"
		    "\x2b\x06\x01\x05\x05\x07\x03\x02\x30\x0c\x06\x0a"
		    "\x2b\x06\x01\x04\x01\x82\x37\x14\x02\x01";
		c.ext_len = 28;
		break;
	case K_RIGHT_TEMPLATE:
		c.ext_oid = "1.3.6.1.4.1.311.20.2";
		c.ext_der = bmp("PKCSIntune", buf, &c.ext_len);
		break;
	case K_DNS_WWW:
		c.upn = NULL;
		c.dns = "www.entca.test";
		c.subject = "CN=www.entca.test";
		break;
	case K_FOREIGN_MAIL:
		c.subject = NULL;
		c.rdn[0][0] = "1.2.840.113549.1.9.1";
		c.rdn[0][1] = "bob@entca.test";
		c.rdn[1][0] = "2.5.4.3"; c.rdn[1][1] = "erin";
		break;
	case K_NOBODY_UPN: c.upn = "nobody@entca.test"; break;
	case K_WILD_UPN: c.upn = "*@entca.test"; break;
	case K_PREFIX_UPN: c.upn = "a*@entca.test"; break;
	case K_STAR_UPN: c.upn = "alice*"; break;
	case K_EVIL_UPN: c.upn = "nobody@evil.example"; break;
	case K_CTRL_UPN: c.upn = "alice\x01@entca.test"; break;
	case K_EVIL_URI: c.uri = "https://evil"; break;
	case K_UPN_VS_SIDURL:	/* alice's UPN, bob's SID URL */
		c.uri = POLICY_SID_URL_PREFIX S(1107);
		break;
	case K_SIDURL_MATCH:
		snprintf(uri, sizeof(uri), "%s%s", POLICY_SID_URL_PREFIX,
		    t->sid);
		c.uri = uri;
		break;
	case K_SIDURL_FOREIGN:	/* bob's SID URL alone */
		c.upn = NULL;
		c.subject = "CN=Someone";
		c.uri = POLICY_SID_URL_PREFIX S(1107);
		break;
	case K_DNS_VS_UPN: c.dns = "ws01.entca.test"; break;
	case K_CN_VS_UPN: c.subject = "CN=bob,O=Entca"; break;
	case K_MAIL_VS_UPN: c.email = "bob@entca.test"; break;
	case K_CN_TEXT: c.subject = "CN=Alice Smith,O=Entca"; break;
	case K_SUBJ_UID:
	case K_SUBJ_UID_NOBODY:
	case K_SUBJ_DOMAIN_CN:
	case K_SUBJ_REALM_CN:
	case K_SUBJ_OTHER_DOMAIN_CN:
	case K_SUBJ_FULLWIDTH:
	case K_SUBJ_CYRILLIC:
	case K_SUBJ_ZW:
	case K_SUBJ_BIDI:
	case K_SUBJ_NBSP:
	case K_SUBJ_TRAIL:
	case K_SUBJ_ACCENTS:
		c.subject = NULL;
		c.rdn[0][0] = "2.5.4.10"; c.rdn[0][1] = "Entca";
		c.rdn[1][0] = "2.5.4.3";
		c.rdn[1][1] = k == K_SUBJ_DOMAIN_CN ? "ENTCA\\bob" :
		    k == K_SUBJ_REALM_CN ? "entca.test\\bob" :
		    k == K_SUBJ_OTHER_DOMAIN_CN ? "OTHER\\alice" :
		    k == K_SUBJ_FULLWIDTH ? "\xef\xbd\x82\xef\xbd\x8f\xef\xbd\x82" :
		    k == K_SUBJ_CYRILLIC ? "b\xd0\xbe" "b" :
		    k == K_SUBJ_ZW ? "bob\xe2\x80\x8b" :
		    k == K_SUBJ_BIDI ? "alice \xe2\x80\xae" "bob" :
		    k == K_SUBJ_NBSP ? "bob\xc2\xa0" :
		    k == K_SUBJ_TRAIL ? "bob " :
		    k == K_SUBJ_ACCENTS ? "Jos\xc3\xa9 M\xc3\xbcller" : "alice";
		if (k == K_SUBJ_UID || k == K_SUBJ_UID_NOBODY) {
			c.rdn[2][0] = "0.9.2342.19200300.100.1.1";
			c.rdn[2][1] = k == K_SUBJ_UID ? "bob" : "nobody";
		}
		break;
	default:
		break;
	}
	tp_csr_make(key, &c, der, len);
}

/*
 * Replace the request's subject with a hostile DER Name (GnuTLS will not
 * write these): CN with a NUL, CN as a UTF8String of invalid UTF-8, a
 * 65-character CN, a three-letter C, a CN with an escape character.
 */
static void
bad_subject(enum kind k, struct policy_request *req)
{
	static const unsigned char cn_nul[] = { 0x30, 0x12, 0x31, 0x10, 0x30,
	    0x0e, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x07, 'a', 'l', 'i', 'c',
	    'e', 0x00, 'x' };
	static const unsigned char cn_utf8[] = { 0x30, 0x11, 0x31, 0x0f, 0x30,
	    0x0d, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x06, 'a', 'l', 'i', 0xc3,
	    0x28, 'e' };
	static const unsigned char c3[] = { 0x30, 0x0e, 0x31, 0x0c, 0x30, 0x0a,
	    0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x03, 'U', 'S', 'A' };
	static const unsigned char cn_esc[] = { 0x30, 0x10, 0x31, 0x0e, 0x30,
	    0x0c, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x05, 'a', 0x1b, '[',
	    '2', 'J' };
	static const struct {
		enum kind k;
		const unsigned char *der;
		size_t len;
	} names[] = {
		{ K_SUBJ_NUL, cn_nul, sizeof(cn_nul) },
		{ K_SUBJ_BADUTF8, cn_utf8, sizeof(cn_utf8) },
		{ K_SUBJ_C, c3, sizeof(c3) },
		{ K_SUBJ_CTRL, cn_esc, sizeof(cn_esc) },
	};
	unsigned char *d = req->subject_der;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].k == k) {
			memcpy(d, names[i].der, names[i].len);
			req->subject_len = names[i].len;
			return;
		}
	/* K_SUBJ_LONG: CN of 65 'x' */
	memcpy(d, (const unsigned char[]){ 0x30, 0x4c, 0x31, 0x4a, 0x30, 0x48,
	    0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x41 }, 13);
	memset(d + 13, 'x', 65);
	req->subject_len = 13 + 65;
}

/* "TYPE:value,..." of the profile's SANs. */
static void
sans_text(const struct policy_profile *pr, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < pr->n_sans; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s:%s", i ? "," : "",
		    policy_san_names[pr->sans[i].type], pr->sans[i].value);
}

static void
run_row(const struct row *r)
{
	static const char *const cdp[] = { "http://pki.entca.test/crl/ca.crl" };
	static const char *const aia[] = { "http://pki.entca.test/aia/ca.crt" };
	struct policy_ca ca = {
		.aces = tp_ca_aces, .n_aces = tp_n_ca_aces,
		.issue_templates = tp_issue_templates, .n_issue = tp_n_issue,
		.ca_not_before = NOW - YEAR, .ca_not_after = NOW + 10 * YEAR,
		.cdp_urls = cdp, .n_cdp = 1, .aia_urls = aia, .n_aia = 1,
		.sid_url_san = true,
	};
	struct principal nobody = { 0 };
	const struct principal *rq, *target;
	struct policy_request *req = calloc(1, sizeof(*req));
	struct policy_decision *d = calloc(1, sizeof(*d));
	struct policy_names *names = calloc(1, sizeof(*names));
	struct policy_input in = { 0 };
	struct template t;
	unsigned char *der;
	size_t len;
	char why[CA_WHY_MAX], hint[PRINCIPAL_SID_MAX + PRINCIPAL_NAME_MAX];
	char buf[2048];
	enum policy_hint h;
	int rc;

	assert_non_null(req);
	assert_non_null(d);
	snprintf(nobody.sam, sizeof(nobody.sam), "nobody");
	snprintf(nobody.sid, sizeof(nobody.sid), S(1300));
	rq = r->rq == NOBODY ? &nobody : &dir[r->rq];
	target = r->target == SELF ? rq : &dir[r->target];
	tp_template(r->t, &t);
	if (r->short_ca)
		ca.ca_not_after = NOW + 30 * 86400;
	make_csr(r->k, target, target->kind == PRINCIPAL_COMPUTER, &der, &len);
	rc = policy_request_parse(der, len, req, why, sizeof(why));
	free(der);
	if (rc != CA_OK && !(r->k == K_BADSIG && rc == CA_ECRYPTO))
		fail_msg("line %d: parse: %s", r->line, why);
	if (r->k == K_LONG) {
		req->has_validity = true;
		req->not_after = NOW + 5 * YEAR;
	}
	if (r->k >= K_SUBJ_NUL)
		bad_subject(r->k, req);
	if (r->open)
		t.allow_unresolved_names = true;
	resolve_names(req, names);
	in.names = names;
	/* ca/: look up whom the request names; nothing named = requester. */
	h = policy_subject_hint(req, hint, sizeof(hint));
	in.subject = h == POLICY_HINT_NONE ? rq : lookup(h, hint);
	if (r->forced)
		in.subject = target;
	in.requester = rq;
	in.tmpl = &t;
	in.req = req;
	in.ca = &ca;
	in.now = NOW;
	in.approving = r->approving;
	if (r->k == K_KEYGEN || r->k == K_KEYGEN_WEAK) {
		in.keygen_alg = POLICY_KEY_RSA;
		in.keygen_bits = r->k == K_KEYGEN ? 2048 : 1024;
	}
	assert_int_equal(policy_decide(&in, d), CA_OK);
	if (d->verdict != r->v || d->code != r->code)
		fail_msg("line %d: got %s/%s (%s), want %s/%s", r->line,
		    policy_verdict_names[d->verdict],
		    policy_code_names[d->code], d->why,
		    policy_verdict_names[r->v], policy_code_names[r->code]);
	if (r->why != NULL && strcmp(d->why, r->why) != 0)
		fail_msg("line %d: why \"%s\"", r->line, d->why);
	assert_true(d->why[0] != '\0');
	if (r->note != NULL && strstr(d->notes, r->note) == NULL)
		fail_msg("line %d: notes \"%s\"", r->line, d->notes);
	if (r->subject != NULL && strcmp(d->profile.subject, r->subject) != 0)
		fail_msg("line %d: subject \"%s\"", r->line, d->profile.subject);
	sans_text(&d->profile, buf, sizeof(buf));
	if (r->sans != NULL && strcmp(buf, r->sans) != 0)
		fail_msg("line %d: sans \"%s\"", r->line, buf);
	if (r->sid != NULL && strcmp(d->profile.sid, r->sid) != 0)
		fail_msg("line %d: sid \"%s\"", r->line, d->profile.sid);
	if (d->verdict != POLICY_DENY) {
		/* Profile invariants: EKU from the template, validity. */
		assert_int_equal(d->profile.n_ekus, t.n_policies);
		for (size_t i = 0; i < t.n_policies; i++)
			assert_string_equal(d->profile.ekus[i], t.policies[i]);
		assert_int_equal(d->profile.key_usage, t.key_usage);
		assert_int_equal(d->profile.not_before,
		    NOW - POLICY_BACKDATE_SECONDS);
		assert_true(d->profile.not_after <= NOW + t.validity_seconds);
		assert_true(d->profile.not_after <= ca.ca_not_after);
		assert_string_equal(d->profile.template_name, t.name);
		assert_int_equal(d->profile.n_cdp, 1);
		assert_int_equal(d->profile.n_app_policies,
		    t.schema_version >= 2 ? t.n_policies : 0);
	}
	policy_request_wipe(req);
	free(req);
	free(names);
	free(d);
}

/* One cmocka case per row, so the harness counts each. */
static void
test_row(void **state)
{
	run_row(*state);
}

/* Internal failures only give error codes. */
static void
test_bad_input(void **state)
{
	struct policy_decision d;
	struct policy_input in = { 0 };

	assert_int_equal(policy_decide(&in, &d), CA_EINVAL);
	assert_int_equal(policy_decide(NULL, &d), CA_EINVAL);
	assert_int_equal(policy_decide(&in, NULL), CA_EINVAL);
	assert_true(policy_same_principal(&dir[TP_ALICE], &dir[TP_ALICE]));
	assert_false(policy_same_principal(&dir[TP_ALICE], &dir[TP_BOB]));
	assert_false(policy_same_principal(&dir[TP_ALICE], NULL));
	assert_string_equal(policy_code_names[POLICY_FOREIGN_SID],
	    "foreign-sid");
}

static int
setup(void **state)
{
	for (int i = 0; i < TP_WHO_COUNT; i++)
		tp_principal(i, &dir[i]);
	return 0;
}

static int
teardown(void **state)
{
	for (int i = 0; i < TP_WHO_COUNT; i++)
		principal_clear(&dir[i]);
	tp_cleanup();
	return 0;
}

#define N_GENERAL (sizeof(rows) / sizeof(rows[0]))
#define N_ALICE (sizeof(for_alice) / sizeof(for_alice[0]))
#define N_ROWS (N_GENERAL + N_ALICE)

int
main(void)
{
	static const char *const kinds[] = { "good", "weak key", "P-256",
	    "P-384", "bad signature", "foreign SAN", "foreign UPN",
	    "foreign SID", "unknown SID", "SID matching", "SID attribute",
	    "SID conflict", "escaped subject", "over-long validity",
	    "extra EKU", "DNS www", "foreign mail", "keygen", "keygen weak",
	    "other template named", "template named",
	    "ESC15 application policies", "UPN nobody", "UPN *@",
	    "UPN a*@", "UPN alice*", "UPN nobody@evil", "URI https://evil",
	    "UPN with control", "UPN vs SID URL", "DNS vs UPN", "CN vs UPN",
	    "mail vs UPN", "SID URL matching", "foreign SID URL", "text CN",
	    "subject UID bob", "subject UID nobody", "CN ENTCA\\bob",
	    "CN entca.test\\bob", "CN OTHER\\alice", "CN fullwidth bob",
	    "CN Cyrillic bob", "CN zero-width", "CN bidi override",
	    "CN no-break space", "CN trailing space", "CN accented text",
	    "subject CN NUL", "subject CN bad UTF-8", "subject CN too long",
	    "subject C=USA", "subject CN with ESC" };
	static const char *const whos[] = { "connector", "alice", "bob",
	    "pkiadmin", "carol(disabled)", "dave(denied group)",
	    "erin(nested)", "ws01", "self", "nobody" };
	static struct CMUnitTest tests[N_ROWS + 1];
	static struct row all[N_ROWS];

	_Static_assert(sizeof(kinds) / sizeof(kinds[0]) == K_SUBJ_CTRL + 1,
	    "a name for every kind");
	static char names[N_ROWS][160];
	struct template t;

	memcpy(all, rows, sizeof(rows));
	for (size_t i = 0; i < N_ALICE; i++) {
		all[N_GENERAL + i] = for_alice[i];
		all[N_GENERAL + i].rq = TP_CONNECTOR;
		all[N_GENERAL + i].t = TP_T_PKCS;
		all[N_GENERAL + i].target = TP_ALICE;
	}
	for (size_t i = 0; i < N_ROWS; i++) {
		const struct row *r = &all[i];

		tp_template(r->t, &t);
		snprintf(names[i], sizeof(names[i]), "line %d: %s, %s, %s%s%s"
		    " -> %s", r->line, whos[r->rq], t.name, kinds[r->k],
		    r->target == SELF ? "" : " for ",
		    r->target == SELF ? "" : whos[r->target],
		    policy_code_names[r->code]);
		tests[i] = (struct CMUnitTest){ names[i], test_row, NULL, NULL,
		    (void *)r };
	}
	tests[N_ROWS] = (struct CMUnitTest)cmocka_unit_test(test_bad_input);
	return _cmocka_run_group_tests("policy matrix", tests, N_ROWS + 1,
	    setup, teardown);
}

/*
 * ldap/ against a real slapd (tests/slapd/slapd-start.sh): every
 * authentication form, refusals with one client sentence and distinct log
 * reasons, filter injection, transitive groups, lookups by every key,
 * StartTLS/LDAPS with the right and a wrong CA, certificate mapping, CRL
 * publication, the cache, concurrency, failover, recovery after a slapd
 * restart and bounded failure when slapd is down or hung. Driven by
 * tests/integration/directory_live.sh, which starts slapd, makes the test
 * certificates and exports their paths; without SLAPD_URI every test skips.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "common/error.h"
#include "ldap/directory.h"

#define SID_DOMAIN "S-1-5-21-3623811015-3361044348-30300820"
#define CDP_DN "cn=Demo Issuing CA,cn=ENTCA,cn=CDP,cn=Public Key Services," \
	"cn=Services,cn=Configuration,dc=demo,dc=example"
#define NET_TIMEOUT_MS 1000
#define OP_TIMEOUT_MS 1500

static struct directory *dplain;	/* plain loopback, no cache */

/* Environment value or NULL. */
static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* Fill a config for the fixture directory. */
static void
base_config(struct directory_config *c)
{
	memset(c, 0, sizeof(*c));
	c->uris = env("SLAPD_URI");
	c->base = env("SLAPD_BASE");
	c->bind_dn = env("SLAPD_SVC_DN");
	c->bind_password = env("SLAPD_SVC_PW");
	c->domain = "DEMO";
	c->realm = "demo.example";
	c->tls = DIRECTORY_TLS_NONE_LOOPBACK_ONLY;
	c->network_timeout_ms = NET_TIMEOUT_MS;
	c->op_timeout_ms = OP_TIMEOUT_MS;
	c->cache_ttl_s = -1;
	c->pool_size = 3;
}

/* Make a directory from cfg or fail the test. */
static struct directory *
make_dir(const struct directory_config *cfg)
{
	struct directory *d = NULL;
	char why[CA_WHY_MAX];
	int rc = directory_new(cfg, &d, why, sizeof(why));

	if (rc != CA_OK)
		print_error("directory_new: %s\n", why);
	assert_int_equal(rc, CA_OK);
	return d;
}

static int
setup(void **state)
{
	struct directory_config c;

	(void)state;
	if (env("SLAPD_URI") == NULL)
		return 0;
	base_config(&c);
	dplain = make_dir(&c);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	directory_free(dplain);
	return 0;
}

#define NEED_SLAPD() do { if (dplain == NULL) skip(); } while (0)

/* True if p has a group with this SID (and name, if not NULL). */
static bool
has_group(const struct principal *p, const char *sid, const char *name)
{
	for (size_t i = 0; i < p->n_groups; i++)
		if (strcmp(p->groups[i].sid, sid) == 0 &&
		    (name == NULL || strcmp(p->groups[i].name, name) == 0))
			return true;
	return false;
}

/* Authenticate, expecting CA_OK. */
static void
auth_ok(struct directory *d, const char *user, const char *pw,
    struct principal *p)
{
	struct directory_auth_log log;
	char why[CA_WHY_MAX];
	int rc = directory_authenticate(d, user, pw, p, &log, why, sizeof(why));

	if (rc != CA_OK)
		print_error("auth '%s': %s (%s: %s)\n", user, why,
		    directory_auth_reason_name(log.reason), log.detail);
	assert_int_equal(rc, CA_OK);
	assert_int_equal(log.reason, DIRECTORY_AUTH_OK);
}

/* Authenticate, expecting the one refusal sentence and this log reason. */
static void
auth_refused(struct directory *d, const char *user, const char *pw,
    enum directory_auth_reason reason)
{
	struct directory_auth_log log;
	struct principal p;
	char why[CA_WHY_MAX];
	int rc;

	memset(&p, 0, sizeof(p));
	rc = directory_authenticate(d, user, pw, &p, &log, why, sizeof(why));
	if (rc != CA_EAUTH || log.reason != reason)
		print_error("auth '%s': rc %d why '%s' reason %s (%s)\n", user, rc,
		    why, directory_auth_reason_name(log.reason), log.detail);
	assert_int_equal(rc, CA_EAUTH);
	assert_string_equal(why, DIRECTORY_AUTH_FAILED);
	assert_int_equal(log.reason, reason);
	assert_true(log.detail[0] != '\0');
	assert_null(strstr(log.detail, pw != NULL && *pw ? pw : "\x01"));
	assert_int_equal(p.n_groups, 0);
	assert_string_equal(p.dn, "");
}

static void
test_auth_forms_connector(void **state)
{
	static const char *forms[] = {
		"INTUNECONN$", "DEMO\\INTUNECONN$", "demo\\intuneconn$",
		"INTUNECONN$@demo.example", "intuneconn$@DEMO.EXAMPLE",
		"cn=INTUNECONN,ou=Computers,dc=demo,dc=example",
		"CN=INTUNECONN, OU=Computers, DC=demo, DC=example",
	};
	struct principal p;

	(void)state;
	NEED_SLAPD();
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		memset(&p, 0, sizeof(p));
		auth_ok(dplain, forms[i], "demo-connector", &p);
		assert_int_equal(p.kind, PRINCIPAL_COMPUTER);
		assert_string_equal(p.sam, "INTUNECONN$");
		assert_string_equal(p.sid, SID_DOMAIN "-1105");
		assert_string_equal(p.dns, "intuneconn.demo.example");
		assert_string_equal(p.dn, "cn=INTUNECONN,ou=Computers,dc=demo,dc=example");
		assert_int_equal(p.uac, 4096);
		assert_string_equal(p.upn, "");
		assert_true(has_group(&p, SID_DOMAIN "-515", "Domain Computers"));
		assert_true(has_group(&p, SID_DOMAIN "-1124", "Intune Connectors"));
		assert_true(has_group(&p, "S-1-1-0", "Everyone"));
		assert_true(has_group(&p, "S-1-5-11", "Authenticated Users"));
		assert_false(has_group(&p, SID_DOMAIN "-513", NULL));
		principal_clear(&p);
	}
}

static void
test_auth_forms_user(void **state)
{
	static const char *forms[] = {
		"alice", "DEMO\\alice", "alice@demo.example", "ALICE@demo.example",
		"cn=alice,ou=Users,dc=demo,dc=example",
	};
	const char *guid = env("ALICE_GUID");
	struct principal p;

	(void)state;
	NEED_SLAPD();
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		memset(&p, 0, sizeof(p));
		auth_ok(dplain, forms[i], "demo-alice", &p);
		assert_int_equal(p.kind, PRINCIPAL_USER);
		assert_string_equal(p.sam, "alice");
		assert_string_equal(p.upn, "alice@demo.example");
		assert_string_equal(p.mail, "alice@demo.example");
		assert_string_equal(p.sid, SID_DOMAIN "-1106");
		assert_int_equal(p.uac, 66048);
		assert_false(p.expired);
		if (guid != NULL)
			assert_string_equal(p.guid, guid);
		principal_clear(&p);
	}
	/* Names with filter specials authenticate as themselves. */
	auth_ok(dplain, "pat(x*)", "demo-pat", &p);
	assert_string_equal(p.sid, SID_DOMAIN "-1114");
	principal_clear(&p);
	auth_ok(dplain, "a)", "demo-paren", &p);
	assert_string_equal(p.sid, SID_DOMAIN "-1117");
	principal_clear(&p);
}

static void
test_auth_refusals(void **state)
{
	(void)state;
	NEED_SLAPD();
	auth_refused(dplain, "alice", "wrong", DIRECTORY_AUTH_BAD_PASSWORD);
	auth_refused(dplain, "INTUNECONN$", "demo-alice",
	    DIRECTORY_AUTH_BAD_PASSWORD);
	auth_refused(dplain, "nobody", "demo-alice", DIRECTORY_AUTH_UNKNOWN_USER);
	auth_refused(dplain, "nobody@demo.example", "pw-nobody",
	    DIRECTORY_AUTH_UNKNOWN_USER);
	auth_refused(dplain, "carol", "demo-carol", DIRECTORY_AUTH_DISABLED);
	auth_refused(dplain, "dave", "demo-dave", DIRECTORY_AUTH_LOCKED);
	auth_refused(dplain, "erin", "demo-erin", DIRECTORY_AUTH_EXPIRED);
	auth_refused(dplain, "alice", "", DIRECTORY_AUTH_EMPTY_PASSWORD);
	auth_refused(dplain, "OTHER\\alice", "demo-alice",
	    DIRECTORY_AUTH_MALFORMED);
	auth_refused(dplain, "DEMO\\", "demo-alice", DIRECTORY_AUTH_MALFORMED);
	auth_refused(dplain, "al\x01ice", "demo-alice", DIRECTORY_AUTH_MALFORMED);
	/* Groups are not accounts; a DN outside the base is refused. */
	auth_refused(dplain, "Staff", "pw-staff", DIRECTORY_AUTH_UNKNOWN_USER);
	auth_refused(dplain, "cn=Staff,ou=Groups,dc=demo,dc=example", "pw-staff",
	    DIRECTORY_AUTH_UNKNOWN_USER);
	auth_refused(dplain, "cn=admin,dc=other", "demo-root",
	    DIRECTORY_AUTH_MALFORMED);
	auth_refused(dplain, "cn=nobody,ou=Users,dc=demo,dc=example", "pw-nobody",
	    DIRECTORY_AUTH_UNKNOWN_USER);
}

static void
test_filter_injection(void **state)
{
	static const char *names[] = {
		"*", "*)(uid=*", "*)(sAMAccountName=*", "alice)(|(sAMAccountName=*",
		"al*", "pat(x*", "pat*", "a\\29@demo.example", "*@demo.example",
		"alice)(objectClass=*", "(alice)",
	};
	struct principal p;
	char why[CA_WHY_MAX];
	int rc;

	(void)state;
	NEED_SLAPD();
	memset(&p, 0, sizeof(p));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		/* Names with '=' are read as DNs: outside the base, malformed. */
		auth_refused(dplain, names[i], "demo-alice",
		    strchr(names[i], '=') ? DIRECTORY_AUTH_MALFORMED :
		    DIRECTORY_AUTH_UNKNOWN_USER);
		auth_refused(dplain, names[i], "demo-paren",
		    strchr(names[i], '=') ? DIRECTORY_AUTH_MALFORMED :
		    DIRECTORY_AUTH_UNKNOWN_USER);
		rc = directory_lookup(dplain, DIRECTORY_BY_ANY, names[i], &p, why,
		    sizeof(why));
		assert_true(rc == CA_ENOTFOUND || rc == CA_EPARSE);
		assert_string_equal(p.dn, "");
	}
	/* a\29 unescaped would be "a)", a real account: it must not match. */
	assert_int_equal(directory_lookup(dplain, DIRECTORY_BY_UPN,
	    "a\\29@demo.example", &p, why, sizeof(why)), CA_ENOTFOUND);
	assert_int_equal(directory_lookup(dplain, DIRECTORY_BY_SAM, "a)", &p, why,
	    sizeof(why)), CA_OK);
	assert_string_equal(p.sid, SID_DOMAIN "-1117");
	principal_clear(&p);
	assert_int_equal(directory_lookup(dplain, DIRECTORY_BY_SAM, "pat(x*)", &p,
	    why, sizeof(why)), CA_OK);
	assert_string_equal(p.dn, "cn=Pat O'Brien\\2C (x*),ou=Users,dc=demo,dc=example");
	principal_clear(&p);
	assert_int_equal(directory_lookup(dplain, DIRECTORY_BY_DN,
	    "cn=Pat O'Brien\\, (x*),ou=Users,dc=demo,dc=example", &p, why,
	    sizeof(why)), CA_OK);
	assert_string_equal(p.sam, "pat(x*)");
	principal_clear(&p);
	assert_int_equal(directory_lookup(dplain, DIRECTORY_BY_DNS,
	    "*.demo.example", &p, why, sizeof(why)), CA_ENOTFOUND);
}

/* Look up by SAM, expecting success. */
static void
lookup_ok(const char *sam, struct principal *p)
{
	char why[CA_WHY_MAX];
	int rc = directory_lookup(dplain, DIRECTORY_BY_SAM, sam, p, why,
	    sizeof(why));

	if (rc != CA_OK)
		print_error("lookup '%s': %s\n", sam, why);
	assert_int_equal(rc, CA_OK);
}

static void
test_groups(void **state)
{
	struct principal p;

	(void)state;
	NEED_SLAPD();
	/* alice: Mobile Users directly, Staff through it, Domain Users primary. */
	lookup_ok("alice", &p);
	assert_true(has_group(&p, SID_DOMAIN "-1120", "Mobile Users"));
	assert_true(has_group(&p, SID_DOMAIN "-1121", "Staff"));
	assert_true(has_group(&p, SID_DOMAIN "-513", "Domain Users"));
	assert_true(has_group(&p, "S-1-1-0", "Everyone"));
	assert_true(has_group(&p, "S-1-5-11", "Authenticated Users"));
	assert_false(has_group(&p, SID_DOMAIN "-1126", NULL));
	assert_int_equal(p.n_groups, 5);
	principal_clear(&p);
	/* bob: only the primary group and the well-known SIDs. */
	lookup_ok("bob", &p);
	assert_int_equal(p.n_groups, 3);
	assert_true(has_group(&p, SID_DOMAIN "-513", "Domain Users"));
	assert_string_equal(p.groups[0].dn, "cn=Domain Users,ou=Groups,dc=demo,dc=example");
	principal_clear(&p);
	/* grace: GroupB > GroupA > GroupB ends. */
	lookup_ok("grace", &p);
	assert_true(has_group(&p, SID_DOMAIN "-1126", "GroupA"));
	assert_true(has_group(&p, SID_DOMAIN "-1127", "GroupB"));
	assert_int_equal(p.n_groups, 5);
	principal_clear(&p);
	/* pkiadmin: Cert Officers through PKI Admins. */
	lookup_ok("pkiadmin", &p);
	assert_true(has_group(&p, SID_DOMAIN "-1122", "PKI Admins"));
	assert_true(has_group(&p, SID_DOMAIN "-1123", "Cert Officers"));
	principal_clear(&p);
	lookup_ok("mallory", &p);
	assert_true(has_group(&p, SID_DOMAIN "-1125", "Denied Users"));
	principal_clear(&p);
	/* A group itself: its own nesting (GroupA is in GroupB). */
	lookup_ok("GroupA", &p);
	assert_int_equal(p.kind, PRINCIPAL_GROUP);
	assert_true(has_group(&p, SID_DOMAIN "-1127", "GroupB"));
	principal_clear(&p);
}

/* Look up by key, expecting the SID given. */
static void
lookup_expect(enum directory_key k, const char *v, const char *sid)
{
	struct principal p;
	char why[CA_WHY_MAX];
	int rc;

	memset(&p, 0, sizeof(p));
	rc = directory_lookup(dplain, k, v, &p, why, sizeof(why));
	if (rc != CA_OK)
		print_error("lookup %s '%s': %s\n", directory_key_name(k), v, why);
	assert_int_equal(rc, CA_OK);
	assert_string_equal(p.sid, sid);
	principal_clear(&p);
}

static void
test_lookups(void **state)
{
	struct principal p;
	char why[CA_WHY_MAX];

	(void)state;
	NEED_SLAPD();
	lookup_expect(DIRECTORY_BY_UPN, "alice@demo.example", SID_DOMAIN "-1106");
	lookup_expect(DIRECTORY_BY_UPN, "INTUNECONN$@demo.example",
	    SID_DOMAIN "-1105");
	lookup_expect(DIRECTORY_BY_SAM, "bob", SID_DOMAIN "-1107");
	lookup_expect(DIRECTORY_BY_SAM, "DEMO\\pkiadmin", SID_DOMAIN "-1108");
	lookup_expect(DIRECTORY_BY_SID, SID_DOMAIN "-1106", SID_DOMAIN "-1106");
	lookup_expect(DIRECTORY_BY_SID, SID_DOMAIN "-1121", SID_DOMAIN "-1121");
	lookup_expect(DIRECTORY_BY_DN, "cn=bob,ou=Users,dc=demo,dc=example",
	    SID_DOMAIN "-1107");
	lookup_expect(DIRECTORY_BY_DNS, "laptop01.demo.example", SID_DOMAIN "-1112");
	lookup_expect(DIRECTORY_BY_DNS, "INTUNECONN.demo.example",
	    SID_DOMAIN "-1105");
	lookup_expect(DIRECTORY_BY_ANY, SID_DOMAIN "-1112", SID_DOMAIN "-1112");
	lookup_expect(DIRECTORY_BY_ANY, "cn=carol,ou=Users,dc=demo,dc=example",
	    SID_DOMAIN "-1109");
	lookup_expect(DIRECTORY_BY_ANY, "bob@demo.example", SID_DOMAIN "-1107");
	lookup_expect(DIRECTORY_BY_ANY, "laptop01.demo.example", SID_DOMAIN "-1112");
	lookup_expect(DIRECTORY_BY_ANY, "LAPTOP01$", SID_DOMAIN "-1112");
	lookup_expect(DIRECTORY_BY_ANY, "DEMO\\alice", SID_DOMAIN "-1106");
	/* Disabled accounts are found by lookups; their state is reported. */
	memset(&p, 0, sizeof(p));
	assert_int_equal(directory_lookup(dplain, DIRECTORY_BY_SAM, "carol", &p,
	    why, sizeof(why)), CA_OK);
	assert_true(p.uac & PRINCIPAL_UAC_ACCOUNTDISABLE);
	principal_clear(&p);
	assert_int_equal(directory_lookup(dplain, DIRECTORY_BY_SAM, "dave", &p,
	    why, sizeof(why)), CA_OK);
	assert_true(p.uac & PRINCIPAL_UAC_LOCKOUT);
	principal_clear(&p);
	assert_int_equal(directory_lookup(dplain, DIRECTORY_BY_SAM, "erin", &p,
	    why, sizeof(why)), CA_OK);
	assert_true(p.expired);
	principal_clear(&p);
	/* Misses and malformed keys. */
	assert_int_equal(directory_lookup(dplain, DIRECTORY_BY_SID,
	    SID_DOMAIN "-9999", &p, why, sizeof(why)), CA_ENOTFOUND);
	assert_int_equal(directory_lookup(dplain, DIRECTORY_BY_SID, "S-1-5-x", &p,
	    why, sizeof(why)), CA_EPARSE);
	assert_int_equal(directory_lookup(dplain, DIRECTORY_BY_UPN, "bob", &p,
	    why, sizeof(why)), CA_EPARSE);
	assert_int_equal(directory_lookup(dplain, DIRECTORY_BY_DN,
	    "cn=x,dc=elsewhere", &p, why, sizeof(why)), CA_EPARSE);
	assert_int_equal(directory_lookup(dplain, DIRECTORY_BY_DN,
	    "cn=nobody,ou=Users,dc=demo,dc=example", &p, why, sizeof(why)),
	    CA_ENOTFOUND);
	assert_int_equal(directory_lookup(dplain, DIRECTORY_BY_DNS,
	    "nohost.demo.example", &p, why, sizeof(why)), CA_ENOTFOUND);
	assert_int_equal(p.n_groups, 0);
}

static void
test_tls(void **state)
{
	struct directory_config c;
	struct directory *d;
	struct principal p;
	char why[CA_WHY_MAX], uris[512];

	(void)state;
	NEED_SLAPD();
	base_config(&c);
	c.tls = DIRECTORY_TLS_STARTTLS;
	c.ca_file = env("SLAPD_CA_FILE");
	d = make_dir(&c);
	auth_ok(d, "INTUNECONN$", "demo-connector", &p);
	principal_clear(&p);
	directory_free(d);

	c.tls = DIRECTORY_TLS_LDAPS;
	c.uris = env("SLAPD_LDAPS_URI");
	d = make_dir(&c);
	auth_ok(d, "alice@demo.example", "demo-alice", &p);
	principal_clear(&p);
	directory_free(d);

	/* A CA that did not issue the server certificate: no connection. */
	c.tls = DIRECTORY_TLS_STARTTLS;
	c.uris = env("SLAPD_URI");
	c.ca_file = env("WRONG_CA_FILE");
	d = make_dir(&c);
	assert_int_equal(directory_authenticate(d, "alice", "demo-alice", &p,
	    NULL, why, sizeof(why)), CA_EUNAVAIL);
	assert_non_null(strstr(why, "StartTLS"));
	directory_free(d);
	c.tls = DIRECTORY_TLS_LDAPS;
	c.uris = env("SLAPD_LDAPS_URI");
	d = make_dir(&c);
	assert_int_equal(directory_lookup(d, DIRECTORY_BY_SAM, "alice", &p, why,
	    sizeof(why)), CA_EUNAVAIL);
	directory_free(d);

	/* StartTLS against the LDAPS port fails too (no TLS-in-TLS). */
	snprintf(uris, sizeof(uris), "ldap://127.0.0.1:%s", env("SLAPD_LDAPS_PORT"));
	c.tls = DIRECTORY_TLS_STARTTLS;
	c.uris = uris;
	c.ca_file = env("SLAPD_CA_FILE");
	d = make_dir(&c);
	assert_int_equal(directory_lookup(d, DIRECTORY_BY_SAM, "alice", &p, why,
	    sizeof(why)), CA_EUNAVAIL);
	directory_free(d);
}

static void
test_service_account(void **state)
{
	struct directory_config c;
	struct directory *d;
	struct principal p;
	char why[CA_WHY_MAX];

	(void)state;
	NEED_SLAPD();
	base_config(&c);
	c.bind_password = "not-the-password";
	d = make_dir(&c);
	assert_int_equal(directory_lookup(d, DIRECTORY_BY_SAM, "alice", &p, why,
	    sizeof(why)), CA_EUNAVAIL);
	assert_non_null(strstr(why, "service account"));
	/* A broken service account is not an authentication failure. */
	assert_int_equal(directory_authenticate(d, "alice", "demo-alice", &p,
	    NULL, why, sizeof(why)), CA_EUNAVAIL);
	directory_free(d);
	/* Anonymous: slapd's ACLs hide everything, as AD does. */
	c.bind_dn = NULL;
	c.bind_password = NULL;
	d = make_dir(&c);
	assert_int_equal(directory_lookup(d, DIRECTORY_BY_SAM, "alice", &p, why,
	    sizeof(why)), CA_ENOTFOUND);
	directory_free(d);
}

static void
test_cache(void **state)
{
	struct directory_config c;
	struct directory_auth_log log;
	struct directory *d;
	struct principal p;
	char why[CA_WHY_MAX];

	(void)state;
	NEED_SLAPD();
	base_config(&c);
	c.cache_ttl_s = 60;
	d = make_dir(&c);
	assert_int_equal(directory_authenticate(d, "alice", "demo-alice", &p, &log,
	    why, sizeof(why)), CA_OK);
	assert_int_equal(log.cached, 0);
	principal_clear(&p);
	assert_int_equal(directory_authenticate(d, "alice", "demo-alice", &p, &log,
	    why, sizeof(why)), CA_OK);
	assert_int_equal(log.cached, 1);
	assert_string_equal(p.sid, SID_DOMAIN "-1106");
	assert_true(has_group(&p, SID_DOMAIN "-1121", "Staff"));
	principal_clear(&p);
	/* Another password for the same name is not a hit. */
	assert_int_equal(directory_authenticate(d, "alice", "demo-alicE", &p, &log,
	    why, sizeof(why)), CA_EAUTH);
	assert_int_equal(log.cached, 0);
	assert_int_equal(directory_authenticate(d, "alice", "demo-alicE", &p, &log,
	    why, sizeof(why)), CA_EAUTH);
	assert_int_equal(log.reason, DIRECTORY_AUTH_BAD_PASSWORD);
	/* Failures are not cached: a disabled account stays refused. */
	auth_refused(d, "carol", "demo-carol", DIRECTORY_AUTH_DISABLED);
	auth_refused(d, "carol", "demo-carol", DIRECTORY_AUTH_DISABLED);
	assert_int_equal(directory_lookup(d, DIRECTORY_BY_SAM, "bob", &p, why,
	    sizeof(why)), CA_OK);
	principal_clear(&p);
	assert_int_equal(directory_lookup(d, DIRECTORY_BY_SAM, "bob", &p, why,
	    sizeof(why)), CA_OK);
	assert_string_equal(p.sid, SID_DOMAIN "-1107");
	principal_clear(&p);
	directory_cache_clear(d);
	assert_int_equal(directory_authenticate(d, "alice", "demo-alice", &p, &log,
	    why, sizeof(why)), CA_OK);
	assert_int_equal(log.cached, 0);
	principal_clear(&p);
	directory_free(d);
}

/* Read a whole file into a malloc'd buffer. */
static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* Map the certificate in env var name; return the code, fill p. */
static int
map_file(const char *name, struct principal *p, char *why, size_t whylen)
{
	const char *path = env(name);
	unsigned char *der;
	size_t len;
	int rc;

	if (path == NULL)
		fail_msg("%s not set", name);
	der = slurp(path, &len);
	rc = directory_map_certificate(dplain, der, len, p, why, whylen);
	free(der);
	return rc;
}

static void
test_certmap(void **state)
{
	struct principal p;
	char why[CA_WHY_MAX];

	(void)state;
	NEED_SLAPD();
	if (env("CERT_SID_ALICE") == NULL)
		skip();
	memset(&p, 0, sizeof(p));
	assert_int_equal(map_file("CERT_SID_ALICE", &p, why, sizeof(why)), CA_OK);
	assert_string_equal(p.sam, "alice");
	principal_clear(&p);
	/* The SID wins even though the subject says otherwise. */
	assert_int_equal(map_file("CERT_SID_BOB_SUBJECT_ALICE", &p, why,
	    sizeof(why)), CA_OK);
	assert_string_equal(p.sam, "bob");
	principal_clear(&p);
	assert_int_equal(map_file("CERT_ISSUER_SERIAL_BOB", &p, why, sizeof(why)),
	    CA_OK);
	assert_string_equal(p.sam, "bob");
	principal_clear(&p);
	assert_int_equal(map_file("CERT_SKI_LAPTOP", &p, why, sizeof(why)), CA_OK);
	assert_string_equal(p.sam, "LAPTOP01$");
	assert_int_equal(p.kind, PRINCIPAL_COMPUTER);
	principal_clear(&p);
	assert_int_equal(map_file("CERT_PUKEY_PKIADMIN", &p, why, sizeof(why)),
	    CA_OK);
	assert_string_equal(p.sam, "pkiadmin");
	principal_clear(&p);
	assert_int_equal(map_file("CERT_UNMAPPED", &p, why, sizeof(why)),
	    CA_ENOTFOUND);
	assert_int_equal(map_file("CERT_SID_GROUP", &p, why, sizeof(why)),
	    CA_ENOTFOUND);
	assert_int_equal(map_file("CERT_SID_UNKNOWN", &p, why, sizeof(why)),
	    CA_ENOTFOUND);
	assert_int_equal(map_file("CERT_SID_MALFORMED", &p, why, sizeof(why)),
	    CA_EPARSE);
	assert_int_equal(directory_map_certificate(dplain,
	    (const unsigned char *)"\x30\x03\x02\x01\x01", 5, &p, why,
	    sizeof(why)), CA_EPARSE);
}

static void
test_publish_crl(void **state)
{
	unsigned char *der;
	size_t len;
	char why[CA_WHY_MAX];

	(void)state;
	NEED_SLAPD();
	if (env("CRL_FILE") == NULL)
		skip();
	der = slurp(env("CRL_FILE"), &len);
	assert_int_equal(directory_publish_crl(dplain, CDP_DN, 0, der, len, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(directory_publish_crl(dplain, CDP_DN, 1, der, len, why,
	    sizeof(why)), CA_OK);
	/* The service account may read users but not write them. */
	assert_int_equal(directory_publish_crl(dplain,
	    "cn=bob,ou=Users,dc=demo,dc=example", 0, der, len, why, sizeof(why)),
	    CA_EDENIED);
	assert_int_equal(directory_publish_crl(dplain, "not a dn", 0, der, len,
	    why, sizeof(why)), CA_EINVAL);
	free(der);
}

struct worker {
	int ok, failed;
};

/* Mixed authentications and lookups from one of several threads. */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct principal p;
	char why[CA_WHY_MAX];

	memset(&p, 0, sizeof(p));
	for (int i = 0; i < 15; i++) {
		int rc;

		if (i % 3 == 0)
			rc = directory_authenticate(dplain, "INTUNECONN$",
			    "demo-connector", &p, NULL, why, sizeof(why));
		else if (i % 3 == 1)
			rc = directory_lookup(dplain, DIRECTORY_BY_SAM, "alice", &p,
			    why, sizeof(why));
		else
			rc = directory_authenticate(dplain, "bob", "wrong", &p,
			    NULL, why, sizeof(why)) == CA_EAUTH ? CA_OK : CA_EIO;
		if (rc == CA_OK)
			w->ok++;
		else
			w->failed++;
		principal_clear(&p);
	}
	return NULL;
}

static void
test_threads(void **state)
{
	pthread_t t[8];
	struct worker w[8];

	(void)state;
	NEED_SLAPD();
	memset(w, 0, sizeof(w));
	for (int i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].failed, 0);
		assert_int_equal(w[i].ok, 15);
	}
}

static void
test_failover(void **state)
{
	struct directory_config c;
	struct directory *d;
	struct principal p;
	char uris[512], why[CA_WHY_MAX];

	(void)state;
	NEED_SLAPD();
	base_config(&c);
	snprintf(uris, sizeof(uris), "ldap://127.0.0.1:%s %s", env("DEAD_PORT"),
	    env("SLAPD_URI"));
	c.uris = uris;
	d = make_dir(&c);
	auth_ok(d, "alice", "demo-alice", &p);
	principal_clear(&p);
	directory_free(d);
	/* Every URI dead: why names each one. */
	snprintf(uris, sizeof(uris), "ldap://127.0.0.1:%s ldap://localhost:%s",
	    env("DEAD_PORT"), env("DEAD_PORT"));
	c.uris = uris;
	d = make_dir(&c);
	assert_int_equal(directory_lookup(d, DIRECTORY_BY_SAM, "alice", &p, why,
	    sizeof(why)), CA_EUNAVAIL);
	assert_non_null(strstr(why, "ldap://127.0.0.1:"));
	assert_non_null(strstr(why, "ldap://localhost:"));
	directory_free(d);
}

/* Milliseconds on the monotonic clock. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* PID of the running slapd from its pid file. */
static pid_t
slapd_pid(void)
{
	char path[1024];
	FILE *f;
	int pid = 0;

	snprintf(path, sizeof(path), "%s/slapd.pid", env("SLAPD_STATE"));
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return (pid_t)pid;
}

/* Restart slapd on the same port with the same data. */
static void
slapd_restart(void)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "sh '%s' '%s' >/dev/null", env("SLAPD_START"),
	    env("SLAPD_STATE"));
	assert_int_equal(system(cmd), 0);
}

/* Kill slapd hard and wait until its port is closed. */
static void
slapd_kill(void)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "sh '%s' '%s' --keep", env("SLAPD_STOP"),
	    env("SLAPD_STATE"));
	assert_int_equal(system(cmd), 0);
}

static void
test_restart_and_down(void **state)
{
	struct principal p;
	char why[CA_WHY_MAX];
	int64_t t0, dt;
	int rc;

	(void)state;
	NEED_SLAPD();
	if (env("SLAPD_START") == NULL)
		skip();
	/* Fill the pool, then restart slapd under it. */
	test_threads(state);
	slapd_kill();
	slapd_restart();
	for (int i = 0; i < 6; i++) {
		lookup_ok("alice", &p);
		principal_clear(&p);
		auth_ok(dplain, "INTUNECONN$", "demo-connector", &p);
		principal_clear(&p);
	}

	/* Down: a bounded, precise failure. */
	slapd_kill();
	t0 = now_ms();
	rc = directory_authenticate(dplain, "alice", "demo-alice", &p, NULL, why,
	    sizeof(why));
	dt = now_ms() - t0;
	print_message("# directory down: rc %d after %lld ms: %s\n", rc,
	    (long long)dt, why);
	assert_int_equal(rc, CA_EUNAVAIL);
	assert_true(dt < NET_TIMEOUT_MS + 1000);
	assert_non_null(strstr(why, env("SLAPD_URI")));
	t0 = now_ms();
	assert_int_equal(directory_lookup(dplain, DIRECTORY_BY_SAM, "bob", &p,
	    why, sizeof(why)), CA_EUNAVAIL);
	assert_true(now_ms() - t0 < NET_TIMEOUT_MS + 1000);

	/* Back: the next call works without a new directory object. */
	slapd_restart();
	lookup_ok("bob", &p);
	principal_clear(&p);

	/* Hung (SIGSTOP): the operation timeout bounds the wait. */
	{
		pid_t pid = slapd_pid();

		assert_true(pid > 0);
		assert_int_equal(kill(pid, SIGSTOP), 0);
		t0 = now_ms();
		rc = directory_lookup(dplain, DIRECTORY_BY_SAM, "carol", &p, why,
		    sizeof(why));
		dt = now_ms() - t0;
		kill(pid, SIGCONT);
		print_message("# directory hung: rc %d after %lld ms: %s\n", rc,
		    (long long)dt, why);
		assert_true(rc == CA_ETIMEOUT || rc == CA_EUNAVAIL);
		assert_true(dt < OP_TIMEOUT_MS + NET_TIMEOUT_MS + 1000);
	}
	/* And it recovers once slapd runs again. */
	lookup_ok("carol", &p);
	principal_clear(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_forms_connector),
		cmocka_unit_test(test_auth_forms_user),
		cmocka_unit_test(test_auth_refusals),
		cmocka_unit_test(test_filter_injection),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_service_account),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_certmap),
		cmocka_unit_test(test_publish_crl),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_failover),
		cmocka_unit_test(test_restart_and_down),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

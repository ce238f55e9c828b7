/*
 * ldap/ against a real slapd (tests/slapd/slapd-start.sh), part one: who
 * someone is. Every authentication form, refusals with one client
 * sentence and distinct log reasons, filter injection, transitive groups
 * (memberOf walk, and tokenGroups against the slapd in AD mode), lookups
 * by every key, and the cache. Driven by tests/integration/
 * directory_live.sh; without SLAPD_URI every test skips.
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
#include "ldap/dir_int.h"
#include "ldap/directory.h"
#include "tests/unit/ldap/directory_live.h"

/* Every name form of the connector account authenticates it. */
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

/* Every name form of a user authenticates it, names with specials too. */
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

/* Each refusal gives the same sentence and its own log reason. */
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

/* Filter specials in names match literally and never widen a search. */
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
	assert_int_equal(p.n_groups, 6);
	principal_clear(&p);
	/* bob: only the primary group and the well-known SIDs. */
	lookup_ok("bob", &p);
	assert_int_equal(p.n_groups, 4);
	assert_true(has_group(&p, SID_DOMAIN "-513", "Domain Users"));
	assert_string_equal(p.groups[0].dn, "cn=Domain Users,ou=Groups,dc=demo,dc=example");
	principal_clear(&p);
	/* grace: GroupB > GroupA > GroupB ends. */
	lookup_ok("grace", &p);
	assert_true(has_group(&p, SID_DOMAIN "-1126", "GroupA"));
	assert_true(has_group(&p, SID_DOMAIN "-1127", "GroupB"));
	assert_int_equal(p.n_groups, 6);
	principal_clear(&p);
	/* pkiadmin: Cert Officers through PKI Admins. */
	lookup_ok("pkiadmin", &p);
	assert_true(has_group(&p, SID_DOMAIN "-1122", "PKI Admins"));
	assert_true(has_group(&p, SID_DOMAIN "-1123", "Cert Officers"));
	principal_clear(&p);
	lookup_ok("mallory", &p);
	assert_true(has_group(&p, SID_DOMAIN "-1125", "Denied Users"));
	principal_clear(&p);
	/* A primary group without an entry gets its well-known name. */
	lookup_ok("henry", &p);
	assert_true(has_group(&p, SID_DOMAIN "-514", "Domain Guests"));
	assert_false(has_group(&p, SID_DOMAIN "-513", NULL));
	assert_int_equal(p.n_groups, 4);
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

/* Lookups by UPN, SAM, SID, DN, DNS name and guessed form. */
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

/* Successes come from the cache; failures never do. */
static void
test_cache(void **state)
{
	int64_t t0, t1;
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
	t0 = ca_monotonic_ms();
	assert_int_equal(directory_authenticate(d, "alice", "demo-alice", &p, &log,
	    why, sizeof(why)), CA_OK);
	t1 = ca_monotonic_ms();
	assert_int_equal(log.cached, 0);
	principal_clear(&p);
	assert_int_equal(directory_authenticate(d, "alice", "demo-alice", &p, &log,
	    why, sizeof(why)), CA_OK);
	print_message("# alice: first authentication %lld ms (connect, search, "
	    "bind, 4 group searches), cached %lld ms\n", (long long)(t1 - t0),
	    (long long)(ca_monotonic_ms() - t1));
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
/* AD mode: the rootDSE says Active Directory, so tokenGroups is used. */
static void
test_ad_mode(void **state)
{
	struct directory_config c;
	struct directory *d;
	struct principal p;

	(void)state;
	NEED_SLAPD();
	if (env("SLAPD_AD_URI") == NULL)
		skip();
	d = make_dir_with(&c, env("SLAPD_AD_URI"),
	    DIRECTORY_TLS_NONE_LOOPBACK_ONLY, NULL);
	/* tokenGroups carries a group of another domain: only that path sees it. */
	lookup_ok_in(d, "alice", &p);
	assert_true(has_group(&p, SID_DOMAIN "-1120", "Mobile Users"));
	assert_true(has_group(&p, SID_DOMAIN "-1121", "Staff"));
	assert_true(has_group(&p, SID_DOMAIN "-513", "Domain Users"));
	assert_true(has_group(&p,
	    "S-1-5-21-1111111111-2222222222-3333333333-1201", ""));
	assert_true(has_group(&p, "S-1-1-0", "Everyone"));
	assert_true(has_group(&p, "S-1-5-11", "Authenticated Users"));
	assert_int_equal(p.n_groups, 7);
	principal_clear(&p);
	/* The same account on the plain slapd walks memberOf instead. */
	lookup_ok("alice", &p);
	assert_false(has_group(&p,
	    "S-1-5-21-1111111111-2222222222-3333333333-1201", NULL));
	principal_clear(&p);
	auth_ok(d, "INTUNECONN$", "demo-connector", &p);
	assert_true(has_group(&p, SID_DOMAIN "-515", "Domain Computers"));
	assert_true(has_group(&p, SID_DOMAIN "-1124", "Intune Connectors"));
	assert_int_equal(p.n_groups, 5);
	principal_clear(&p);
	lookup_ok_in(d, "grace", &p);
	assert_true(has_group(&p, SID_DOMAIN "-1126", "GroupA"));
	assert_true(has_group(&p, SID_DOMAIN "-1127", "GroupB"));
	assert_int_equal(p.n_groups, 6);
	principal_clear(&p);
	lookup_ok_in(d, "bob", &p);
	assert_int_equal(p.n_groups, 4);
	principal_clear(&p);
	/* Lockout on AD comes from the computed attribute, not lockoutTime. */
	auth_refused(d, "dave", "demo-dave", DIRECTORY_AUTH_LOCKED);
	auth_ok(d, "ivy", "demo-ivy", &p);
	principal_clear(&p);
	auth_refused(dplain, "ivy", "demo-ivy", DIRECTORY_AUTH_LOCKED);
	/* No tokenGroups on the object (as on AD without a global catalog):
	 * the memberOf walk takes over. */
	lookup_ok_in(d, "GroupA", &p);
	assert_true(has_group(&p, SID_DOMAIN "-1127", "GroupB"));
	principal_clear(&p);
	directory_free(d);
}

/* Run the tests (TAP with CMOCKA_MESSAGE_OUTPUT=TAP). */
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
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_ad_mode),
	};

	return cmocka_run_group_tests(tests, live_setup, live_teardown);
}

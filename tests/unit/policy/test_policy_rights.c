/*
 * policy_rights(): matching by SID, DN, account name (plain, DOMAIN\name,
 * name@realm), well-known names by SID, through groups, deny wins, no
 * entry no right.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "common/error.h"
#include "policy/rights.h"
#include "tests/unit/policy/test_policy_util.h"

/* Rights of who under the CA's list. */
static uint32_t
ca_rights(enum tp_who who)
{
	struct principal p;
	uint32_t r;

	tp_principal(who, &p);
	r = policy_rights(&p, tp_ca_aces, tp_n_ca_aces);
	principal_clear(&p);
	return r;
}

/* Rights of who on a template. */
static uint32_t
tmpl_rights(enum tp_who who, enum tp_tmpl which)
{
	struct principal p;
	struct template t;
	uint32_t r;

	tp_principal(who, &p);
	tp_template(which, &t);
	r = policy_rights(&p, t.aces, t.n_aces);
	principal_clear(&p);
	return r;
}

static void
test_ca_rights(void **state)
{
	/* Authenticated Users by well-known SID: read + request. */
	assert_int_equal(ca_rights(TP_BOB), CA_RIGHT_READ | CA_RIGHT_REQUEST);
	/* DOMAIN\name for the connector, checked against DC=entca. */
	assert_int_equal(ca_rights(TP_CONNECTOR),
	    CA_RIGHT_READ | CA_RIGHT_REQUEST | CA_RIGHT_OFFICER);
	/* Group name. */
	assert_int_equal(ca_rights(TP_PKIADMIN), CA_RIGHT_READ |
	    CA_RIGHT_REQUEST | CA_RIGHT_OFFICER | CA_RIGHT_ADMIN);
}

static void
test_template_rights(void **state)
{
	const uint32_t re = TMPL_RIGHT_READ | TMPL_RIGHT_ENROLL;

	assert_int_equal(tmpl_rights(TP_CONNECTOR, TP_T_PKCS), re);
	assert_int_equal(tmpl_rights(TP_ALICE, TP_T_PKCS), 0);
	assert_int_equal(tmpl_rights(TP_BOB, TP_T_USER), re);	/* by SID */
	/* Deny by DN of the group wins over Domain Users allow. */
	assert_int_equal(tmpl_rights(TP_DAVE, TP_T_USER), TMPL_RIGHT_READ);
	/* Nested membership: Team A inside Cert Users. */
	assert_int_equal(tmpl_rights(TP_ERIN, TP_T_WEBSERVER), re);
	assert_int_equal(tmpl_rights(TP_BOB, TP_T_WEBSERVER), 0);
	/* realm\name for pkiadmin. */
	assert_int_equal(tmpl_rights(TP_PKIADMIN, TP_T_WEBSERVER), re);
	assert_int_equal(tmpl_rights(TP_WS01, TP_T_MACHINE), re);
	assert_int_equal(tmpl_rights(TP_ALICE, TP_T_MACHINE), 0);
}

static void
test_forms(void **state)
{
	struct principal p;
	struct tmpl_ace a = { false, "", TMPL_RIGHT_ENROLL };

	tp_principal(TP_ALICE, &p);
	static const char *yes[] = {
		TP_DOMAIN_SID "-1106", "s-1-5-21-3623811015-3361044348-30300820-1106",
		"cn=alice smith, cn=users,dc=ENTCA,dc=test", "ALICE",
		"  alice ", "ENTCA\\alice", "alice@entca.test", "Alice@ENTCA.TEST",
		"Staff", "CN=Staff,CN=Users,DC=entca,DC=test", "Everyone",
		"S-1-5-11", "entca\\Domain Users",
	};
	static const char *no[] = {
		TP_DOMAIN_SID "-1107", "CN=Alice Smith,CN=Users,DC=other,DC=test",
		"OTHER\\alice", "alice@other.test", "bob", "alic", "", "S-1-5",
		"CN=Staff", "Domain Computers", "alice$",
	};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(a.principal, sizeof(a.principal), "%s", yes[i]);
		if (policy_rights(&p, &a, 1) != TMPL_RIGHT_ENROLL)
			fail_msg("should match: %s", yes[i]);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		snprintf(a.principal, sizeof(a.principal), "%s", no[i]);
		if (policy_rights(&p, &a, 1) != 0)
			fail_msg("should not match: %s", no[i]);
	}
	assert_true(policy_ace_names("alice", &p));
	assert_false(policy_ace_names("Staff", &p));
	assert_int_equal(policy_rights(NULL, &a, 1), 0);
	assert_int_equal(policy_rights(&p, NULL, 0), 0);
	principal_clear(&p);
}

static void
test_deny_wins(void **state)
{
	struct principal p;
	const struct tmpl_ace aces[] = {
		{ false, "alice", TMPL_RIGHT_READ | TMPL_RIGHT_ENROLL |
		    TMPL_RIGHT_AUTOENROLL },
		{ true, "Everyone", TMPL_RIGHT_AUTOENROLL },
		{ false, "Staff", TMPL_RIGHT_AUTOENROLL },
	};

	tp_principal(TP_ALICE, &p);
	assert_int_equal(policy_rights(&p, aces, 3),
	    TMPL_RIGHT_READ | TMPL_RIGHT_ENROLL);
	principal_clear(&p);
}

/*
 * A deny entry whose DN names the group in RFC 4514 hex form
 * ("CN=#0c0d..." is the UTF8String "Blocked Users") is the same name as
 * the directory's text, so it denies: matched only as text, it let
 * Blocked Users enroll.
 */
static void
test_deny_hex_dn_still_denies(void **state)
{
	struct principal p;
	const struct tmpl_ace aces[] = {
		{ false, "Domain Users", TMPL_RIGHT_READ | TMPL_RIGHT_ENROLL },
		{ true, "CN=#0c0d426c6f636b6564205573657273,CN=Users,"
		    "DC=entca,DC=test", TMPL_RIGHT_ENROLL },
	};

	tp_principal(TP_DAVE, &p);
	assert_int_equal(policy_rights(&p, aces, 2), TMPL_RIGHT_READ);
	principal_clear(&p);
	tp_principal(TP_BOB, &p);
	assert_int_equal(policy_rights(&p, aces, 2),
	    TMPL_RIGHT_READ | TMPL_RIGHT_ENROLL);
	principal_clear(&p);
}

static void
test_names(void **state)
{
	assert_int_equal(policy_right_by_name(ca_right_names, CA_RIGHT_COUNT,
	    "Officer"), CA_RIGHT_OFFICER);
	assert_int_equal(policy_right_by_name(ca_right_names, CA_RIGHT_COUNT,
	    "auditor"), CA_RIGHT_AUDITOR);
	assert_int_equal(policy_right_by_name(ca_right_names, CA_RIGHT_COUNT,
	    "root"), 0);
	assert_int_equal(policy_right_by_name(tmpl_right_names,
	    TMPL_RIGHT_COUNT, "autoenroll"), TMPL_RIGHT_AUTOENROLL);
	assert_string_equal(ca_right_names[2], "officer");
}

/* One entry's rights for p. */
static uint32_t
one(const struct principal *p, bool deny, const char *who)
{
	struct tmpl_ace a[2] = {
		{ false, "Everyone", TMPL_RIGHT_ENROLL },
		{ deny, "", TMPL_RIGHT_ENROLL },
	};

	snprintf(a[1].principal, sizeof(a[1].principal), "%s", who);
	return policy_rights(p, deny ? a : a + 1, deny ? 2 : 1);
}

/*
 * Samba AD: the NetBIOS domain (from the directory) is NBDOM while the DN
 * says DC=entca,DC=test. NBDOM\Staff must match; the DN's first label
 * ENTCA\Staff must not (it used to), nor may the full DNS name be cut.
 */
static void
netbios_acl_matches_domain_not_dn_label(void **state)
{
	struct principal p;

	(void)state;
	tp_principal(TP_ALICE, &p);
	snprintf(p.domain, sizeof(p.domain), "NBDOM");
	assert_int_equal(one(&p, false, "NBDOM\\Staff"), TMPL_RIGHT_ENROLL);
	assert_int_equal(one(&p, false, "nbdom\\alice"), TMPL_RIGHT_ENROLL);
	assert_int_equal(one(&p, false, "NBDOM\\Domain Users"), TMPL_RIGHT_ENROLL);
	assert_int_equal(one(&p, false, "ENTCA\\Staff"), 0);
	assert_int_equal(one(&p, false, "ENTCA\\alice"), 0);
	assert_int_equal(one(&p, false, "entca.test\\alice"), TMPL_RIGHT_ENROLL);
	assert_int_equal(one(&p, true, "NBDOM\\Staff"), 0);
	assert_true(policy_ace_names("NBDOM\\alice", &p));
	assert_false(policy_ace_names("ENTCA\\alice", &p));
	principal_clear(&p);
}

/* A prefix of the NetBIOS name, or another domain, is not the domain. */
static void
bogus_netbios_prefix_no_match(void **state)
{
	struct principal p;

	(void)state;
	tp_principal(TP_ALICE, &p);
	snprintf(p.domain, sizeof(p.domain), "NBDOM");
	assert_int_equal(one(&p, false, "NB\\Staff"), 0);
	assert_int_equal(one(&p, false, "NBDOMX\\Staff"), 0);
	assert_int_equal(one(&p, false, "\\Staff"), 0);
	assert_int_equal(one(&p, false, "entca\\Staff"), 0);
	assert_int_equal(one(&p, false, "NB\\Domain Users"), 0);
	/* Without a known domain no DOMAIN\ form matches at all. */
	p.domain[0] = '\0';
	assert_int_equal(one(&p, false, "NBDOM\\Staff"), 0);
	principal_clear(&p);
}

/*
 * deny = BUILTIN\Users used to match nothing (fail open). ldap/ puts
 * S-1-5-32-545 in every account's token; the name maps to that SID, and a
 * group merely called "Users" or "BUILTIN" is not it.
 */
static void
builtin_users_deny_enforced(void **state)
{
	struct principal p;
	char sid[PRINCIPAL_SID_MAX];

	(void)state;
	tp_principal(TP_BOB, &p);
	assert_int_equal(principal_add_group(&p, "S-1-5-32-545", "", "Users"),
	    CA_OK);
	assert_int_equal(one(&p, true, "BUILTIN\\Users"), 0);
	assert_int_equal(one(&p, true, "builtin\\users"), 0);
	assert_int_equal(one(&p, true, "S-1-5-32-545"), 0);
	assert_int_equal(one(&p, false, "BUILTIN\\Users"), TMPL_RIGHT_ENROLL);
	assert_int_equal(one(&p, false, "BUILTIN\\Administrators"), 0);
	assert_int_equal(one(&p, false, "BUILTIN\\NoSuchAlias"), 0);
	/* Well-known names are SIDs: Domain Users is <domain>-513. */
	assert_int_equal(one(&p, true, "Domain Users"), 0);
	assert_int_equal(one(&p, false, "Authenticated Users"), TMPL_RIGHT_ENROLL);
	assert_int_equal(one(&p, false, "Domain Admins"), 0);
	principal_clear(&p);
	/* A directory group called "Domain Admins" in another domain is not it. */
	tp_principal(TP_BOB, &p);
	assert_int_equal(principal_add_group(&p,
	    "S-1-5-21-1-2-3-512", "CN=Domain Admins,DC=evil,DC=test",
	    "Domain Admins"), CA_OK);
	assert_int_equal(one(&p, false, "Domain Admins"), 0);
	principal_clear(&p);
	assert_int_equal(policy_wellknown_sid("Enterprise Admins", NULL,
	    "S-1-5-21-1-2-3", sid, sizeof(sid)), 1);
	assert_string_equal(sid, "S-1-5-21-1-2-3-519");
	assert_int_equal(policy_wellknown_sid("Domain Computers", NULL, NULL,
	    sid, sizeof(sid)), -1);
	assert_int_equal(policy_wellknown_sid("BUILTIN\\Users", NULL, NULL,
	    sid, sizeof(sid)), 1);
	assert_string_equal(sid, "S-1-5-32-545");
	assert_int_equal(policy_wellknown_sid("alice", NULL, NULL, sid,
	    sizeof(sid)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ca_rights),
		cmocka_unit_test(test_template_rights),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_deny_wins),
		cmocka_unit_test(test_deny_hex_dn_still_denies),
		cmocka_unit_test(test_names),
		cmocka_unit_test(netbios_acl_matches_domain_not_dn_label),
		cmocka_unit_test(bogus_netbios_prefix_no_match),
		cmocka_unit_test(builtin_users_deny_enforced),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

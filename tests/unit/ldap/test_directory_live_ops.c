/*
 * ldap/ against a real slapd, part two: the machinery. StartTLS and LDAPS
 * with the right and a wrong CA, the service account, certificate mapping
 * (SID extension and strong altSecurityIdentities), CRL publication,
 * threads on a small pool (warm and cold TLS), failover, recovery after a
 * slapd restart, and bounded failure when slapd is down or hung. Driven
 * by tests/integration/directory_live.sh; without SLAPD_URI it skips.
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

/* Authenticate user through a new directory with this TLS set-up. */
static void
tls_auth_ok(enum directory_tls tls, const char *uris, const char *user,
    const char *pw)
{
	struct directory_config c;
	struct directory *d = make_dir_with(&c, uris, tls,
	    env("SLAPD_CA_FILE"));
	struct principal p;

	auth_ok(d, user, pw, &p);
	principal_clear(&p);
	directory_free(d);
}

/* Look alice up through a new directory with this TLS set-up. */
static int
tls_lookup(enum directory_tls tls, const char *uris, const char *ca_file,
    char *why, size_t whylen)
{
	struct directory_config c;
	struct directory *d = make_dir_with(&c, uris, tls, ca_file);
	int rc = lookup_code(d, "alice", why, whylen);

	directory_free(d);
	return rc;
}

/* StartTLS and LDAPS with the fixture CA work; a wrong CA does not. */
static void
test_tls(void **state)
{
	struct directory_config c;
	struct directory *d;
	struct principal p;
	char why[CA_WHY_MAX], uris[512];

	(void)state;
	NEED_SLAPD();
	tls_auth_ok(DIRECTORY_TLS_STARTTLS, NULL, "INTUNECONN$",
	    "demo-connector");
	tls_auth_ok(DIRECTORY_TLS_LDAPS, env("SLAPD_LDAPS_URI"),
	    "alice@demo.example", "demo-alice");

	/* A CA that did not issue the server certificate: no connection. */
	d = make_dir_with(&c, NULL, DIRECTORY_TLS_STARTTLS,
	    env("WRONG_CA_FILE"));
	assert_int_equal(directory_authenticate(d, "alice", "demo-alice", &p,
	    NULL, why, sizeof(why)), CA_EUNAVAIL);
	assert_non_null(strstr(why, "StartTLS"));
	directory_free(d);
	assert_int_equal(tls_lookup(DIRECTORY_TLS_LDAPS, env("SLAPD_LDAPS_URI"),
	    env("WRONG_CA_FILE"), why, sizeof(why)), CA_EUNAVAIL);

	/* An unreadable CA file is a configuration error, not an outage. */
	assert_int_equal(tls_lookup(DIRECTORY_TLS_STARTTLS, NULL,
	    "/nonexistent/ca.pem", why, sizeof(why)), CA_ECONFIG);

	/* StartTLS against the LDAPS port fails too (no TLS-in-TLS). */
	snprintf(uris, sizeof(uris), "ldap://127.0.0.1:%s", env("SLAPD_LDAPS_PORT"));
	assert_int_equal(tls_lookup(DIRECTORY_TLS_STARTTLS, uris,
	    env("SLAPD_CA_FILE"), why, sizeof(why)), CA_EUNAVAIL);
}

/* A directory that binds as dn with password pw (NULL, NULL: anonymous). */
static struct directory *
service_dir(struct directory_config *c, const char *dn, const char *pw)
{
	base_config(c);
	c->bind_dn = dn;
	c->bind_password = pw;
	return make_dir(c);
}

/* A wrong service password is an outage, not an auth failure; anonymous sees nothing. */
static void
test_service_account(void **state)
{
	struct directory_config c;
	struct directory *d;
	struct principal p;
	char why[CA_WHY_MAX];

	(void)state;
	NEED_SLAPD();
	d = service_dir(&c, env("SLAPD_SVC_DN"), "not-the-password");
	assert_int_equal(lookup_code(d, "alice", why, sizeof(why)),
	    CA_EUNAVAIL);
	assert_non_null(strstr(why, "service account"));
	/* A broken service account is not an authentication failure. */
	assert_int_equal(directory_authenticate(d, "alice", "demo-alice", &p,
	    NULL, why, sizeof(why)), CA_EUNAVAIL);
	directory_free(d);
	/* Anonymous: slapd's ACLs hide everything, as AD does. */
	d = service_dir(&c, NULL, NULL);
	assert_int_equal(lookup_code(d, "alice", why, sizeof(why)),
	    CA_ENOTFOUND);
	directory_free(d);
}

/* Map the certificate file named by env var name; returns the code. */
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

/* Certificates map by SID extension first, else by strong altSecurityIdentities. */
static void
test_certmap(void **state)
{
	/* Certificate files (by env var), the code and whom they map to. */
	static const struct {
		const char *file;
		int rc;
		const char *sam;	/* on CA_OK */
		bool computer;
	} maps[] = {
		{ "CERT_SID_ALICE", CA_OK, "alice", false },
		/* The SID wins even though the subject says otherwise. */
		{ "CERT_SID_BOB_SUBJECT_ALICE", CA_OK, "bob", false },
		{ "CERT_ISSUER_SERIAL_BOB", CA_OK, "bob", false },
		{ "CERT_SKI_LAPTOP", CA_OK, "LAPTOP01$", true },
		{ "CERT_PUKEY_PKIADMIN", CA_OK, "pkiadmin", false },
		{ "CERT_UNMAPPED", CA_ENOTFOUND, NULL, false },
		{ "CERT_SID_GROUP", CA_ENOTFOUND, NULL, false },
		{ "CERT_SID_UNKNOWN", CA_ENOTFOUND, NULL, false },
		{ "CERT_SID_MALFORMED", CA_EPARSE, NULL, false },
	};
	struct principal p;
	char why[CA_WHY_MAX];

	(void)state;
	NEED_SLAPD();
	if (env("CERT_SID_ALICE") == NULL)
		skip();
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		memset(&p, 0, sizeof(p));
		if (map_file(maps[i].file, &p, why, sizeof(why)) != maps[i].rc)
			fail_msg("%s: %s", maps[i].file, why);
		if (maps[i].rc == CA_OK) {
			assert_string_equal(p.sam, maps[i].sam);
			assert_int_equal(p.kind == PRINCIPAL_COMPUTER,
			    maps[i].computer);
		}
		principal_clear(&p);
	}
	assert_int_equal(directory_map_certificate(dplain,
	    (const unsigned char *)"\x30\x03\x02\x01\x01", 5, &p, why,
	    sizeof(why)), CA_EPARSE);
}

/* The fixture's CRL (CRL_FILE, made by directory_live.sh), or skip. */
static unsigned char *
fixture_crl(size_t *len)
{
	NEED_SLAPD();
	if (env("CRL_FILE") == NULL)
		skip();
	return slurp(env("CRL_FILE"), len);
}

/* CRLs are written where the service account may, refused elsewhere. */
static void
test_publish_crl(void **state)
{
	unsigned char *der;
	size_t len;
	char why[CA_WHY_MAX];

	(void)state;
	der = fixture_crl(&len);
	assert_int_equal(directory_publish_crl(dplain, CDP_DN, 0, der, len, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(directory_publish_crl(dplain, CDP_DN, 1, der, len, why,
	    sizeof(why)), CA_OK);
	/* The CA-host level of the CDP tree (the demo's publish-dn) too. */
	assert_int_equal(directory_publish_crl(dplain, "cn=ENTCA,cn=CDP,"
	    "cn=Public Key Services,cn=Services,cn=Configuration,dc=demo,"
	    "dc=example", 0, der, len, why, sizeof(why)), CA_OK);
	/* Outside the CDP tree the ACL refuses; a missing entry is not found. */
	assert_int_equal(directory_publish_crl(dplain, "cn=nothere," CDP_DN, 0,
	    der, len, why, sizeof(why)), CA_ENOTFOUND);
	/* The service account may read users but not write them. */
	assert_int_equal(directory_publish_crl(dplain,
	    "cn=bob,ou=Users,dc=demo,dc=example", 0, der, len, why, sizeof(why)),
	    CA_EDENIED);
	assert_int_equal(directory_publish_crl(dplain, "not a dn", 0, der, len,
	    why, sizeof(why)), CA_EINVAL);
	free(der);
}

/*
 * The CDP entry's change stamp: the same until somebody writes the entry,
 * different after any write, also one with the very same bytes.
 */
static void
test_entry_stamp(void **state)
{
	char s1[DIRECTORY_STAMP_MAX], s2[DIRECTORY_STAMP_MAX];
	char s3[DIRECTORY_STAMP_MAX], why[CA_WHY_MAX];
	unsigned char *der;
	size_t len;

	(void)state;
	der = fixture_crl(&len);
	assert_int_equal(directory_publish_crl(dplain, CDP_DN, 0, der, len, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(directory_entry_stamp(dplain, CDP_DN, s1, sizeof(s1),
	    why, sizeof(why)), CA_OK);
	/* slapd keeps entryCSN; the server's URI is part of the stamp. */
	assert_non_null(strstr(s1, " entryCSN="));
	assert_int_equal(strncmp(s1, env("SLAPD_URI"), strlen(env("SLAPD_URI"))), 0);
	assert_int_equal(directory_entry_stamp(dplain, CDP_DN, s2, sizeof(s2),
	    why, sizeof(why)), CA_OK);
	assert_string_equal(s1, s2);
	assert_int_equal(directory_publish_crl(dplain, CDP_DN, 0, der, len, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(directory_entry_stamp(dplain, CDP_DN, s3, sizeof(s3),
	    why, sizeof(why)), CA_OK);
	assert_string_not_equal(s1, s3);
	assert_int_equal(directory_entry_stamp(dplain, "cn=nothere," CDP_DN, s3,
	    sizeof(s3), why, sizeof(why)), CA_ENOTFOUND);
	free(der);
}

/*
 * A write above the server's request size limit (olcSockbufMaxIncomingAuth:
 * 16 MB in slapd 2.5, whatever its manual says) ends with the connection
 * closed and no result: the error says what probably happened and which
 * setting it is, not only "Can't contact LDAP server". The pool recovers.
 */
static void
test_publish_over_size_limit(void **state)
{
	size_t len = 17 * 1024 * 1024;
	unsigned char *big = calloc(1, len);
	char why[CA_WHY_MAX];
	struct principal p;

	(void)state;
	NEED_SLAPD();
	assert_non_null(big);
	big[0] = 0x30;
	assert_int_not_equal(directory_publish_crl(dplain, CDP_DN, 0, big, len,
	    why, sizeof(why)), CA_OK);
	assert_non_null(strstr(why, "(17825792 bytes)"));
	assert_non_null(strstr(why, "size limit"));
	assert_non_null(strstr(why, "olcSockbufMaxIncomingAuth"));
	free(big);
	lookup_ok("carol", &p);
	principal_clear(&p);
}

struct worker {
	struct directory *d;
	int ok, failed;
};

/* Mixed authentications and lookups from one of several threads. */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct directory *d = w->d;
	struct principal p;
	char why[CA_WHY_MAX];

	memset(&p, 0, sizeof(p));
	for (int i = 0; i < 15; i++) {
		int rc;

		if (i % 3 == 0)
			rc = directory_authenticate(d, "INTUNECONN$",
			    "demo-connector", &p, NULL, why, sizeof(why));
		else if (i % 3 == 1)
			rc = directory_lookup(d, DIRECTORY_BY_SAM, "alice", &p,
			    why, sizeof(why));
		else
			rc = directory_authenticate(d, "bob", "wrong", &p,
			    NULL, why, sizeof(why)) == CA_EAUTH ? CA_OK : CA_EIO;
		if (rc == CA_OK)
			w->ok++;
		else
			w->failed++;
		principal_clear(&p);
	}
	return NULL;
}

/* Run eight workers on d and expect every call to succeed. */
static void
run_workers(struct directory *d)
{
	pthread_t t[8];
	struct worker w[8];

	memset(w, 0, sizeof(w));
	for (int i = 0; i < 8; i++) {
		w[i].d = d;
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].failed, 0);
		assert_int_equal(w[i].ok, 15);
	}
}

/* Eight threads on the warm three-connection pool. */
static void
test_threads(void **state)
{
	int64_t t0;

	(void)state;
	NEED_SLAPD();
	t0 = ca_monotonic_ms();
	run_workers(dplain);
	print_message("# 8 threads x 15 calls on 3 connections: %lld ms\n",
	    (long long)(ca_monotonic_ms() - t0));
}

/* Eight threads at once on a fresh StartTLS directory (cold pool, TLS). */
static void
test_threads_cold_tls(void **state)
{
	struct directory_config c;
	struct directory *d;

	(void)state;
	NEED_SLAPD();
	d = make_dir_with(&c, NULL, DIRECTORY_TLS_STARTTLS,
	    env("SLAPD_CA_FILE"));
	run_workers(d);
	directory_free(d);
}

/* A dead first URI fails over; all dead names every URI. */
static void
test_failover(void **state)
{
	struct directory_config c;
	struct directory *d;
	struct principal p;
	char uris[512], why[CA_WHY_MAX];

	(void)state;
	NEED_SLAPD();
	snprintf(uris, sizeof(uris), "ldap://127.0.0.1:%s %s", env("DEAD_PORT"),
	    env("SLAPD_URI"));
	d = make_dir_with(&c, uris, DIRECTORY_TLS_NONE_LOOPBACK_ONLY, NULL);
	auth_ok(d, "alice", "demo-alice", &p);
	principal_clear(&p);
	directory_free(d);
	/* Every URI dead: why names each one. */
	snprintf(uris, sizeof(uris), "ldap://127.0.0.1:%s ldap://localhost:%s",
	    env("DEAD_PORT"), env("DEAD_PORT"));
	c.uris = uris;
	d = make_dir(&c);
	assert_int_equal(lookup_code(d, "alice", why, sizeof(why)),
	    CA_EUNAVAIL);
	assert_non_null(strstr(why, "ldap://127.0.0.1:"));
	assert_non_null(strstr(why, "ldap://localhost:"));
	directory_free(d);
}

/*
 * Look sam up in d and time it: returns the code, *ms the milliseconds it
 * took, and logs both under label. The principal is dropped.
 */
static int
timed_lookup(struct directory *d, const char *sam, const char *label,
    int64_t *ms, char *why, size_t whylen)
{
	int64_t t0 = ca_monotonic_ms();
	int rc;

	why[0] = '\0';
	rc = lookup_code(d, sam, why, whylen);
	*ms = ca_monotonic_ms() - t0;
	print_message("# %s, %s: rc %d after %lld ms: %s\n", label, sam, rc,
	    (long long)*ms, why);
	return rc;
}

/*
 * Through a proxy that delays each request 1150 ms, with op_timeout 1500
 * ms: every single search fits, bob's four searches (name, member back
 * links, primary group, its entry; the domain's NetBIOS name and SID are
 * read when the first connection opens) fit the budget of 4 x 1500 ms,
 * alice's six (nested groups) do not and give CA_ETIMEOUT. The margins
 * (350 ms a search, 1.4 s for bob's chain, 0.9 s past alice's budget) are
 * wide so that a loaded machine does not decide the outcome; with 420 of
 * 500 ms a search, bob's chain timed out under load.
 */
static void
test_search_budget(void **state)
{
	struct directory_config c;
	struct directory *d;
	char why[CA_WHY_MAX];
	int64_t dt;

	(void)state;
	NEED_SLAPD();
	if (env("DELAY_URI") == NULL)
		skip();
	base_config(&c);
	c.uris = env("DELAY_URI");
	c.op_timeout_ms = 1500;
	c.network_timeout_ms = 3000;
	d = make_dir(&c);
	assert_int_equal(timed_lookup(d, "bob", "slow directory", &dt, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(timed_lookup(d, "alice", "slow directory", &dt, why,
	    sizeof(why)), CA_ETIMEOUT);
	assert_true(dt < 4 * 1500 + 1500);
	directory_free(d);
}

/* Milliseconds on the monotonic clock. */
static void
test_restart_and_down(void **state)
{
	struct directory_config c;
	struct directory *dtls;
	struct principal p;
	char why[CA_WHY_MAX];
	int64_t t0, dt;
	int rc;

	(void)state;
	NEED_SLAPD();
	if (env("SLAPD_START") == NULL)
		skip();
	/* Fill both pools (plain and StartTLS), then restart slapd under them. */
	dtls = make_dir_with(&c, NULL, DIRECTORY_TLS_STARTTLS,
	    env("SLAPD_CA_FILE"));
	test_threads(state);
	run_workers(dtls);
	slapd_kill();
	slapd_restart();
	for (int i = 0; i < 6; i++) {
		lookup_ok("alice", &p);
		principal_clear(&p);
		auth_ok(dplain, "INTUNECONN$", "demo-connector", &p);
		principal_clear(&p);
		lookup_ok_in(dtls, "bob", &p);
		principal_clear(&p);
	}
	directory_free(dtls);

	/* Down: a bounded, precise failure. */
	slapd_kill();
	t0 = ca_monotonic_ms();
	rc = directory_authenticate(dplain, "alice", "demo-alice", &p, NULL, why,
	    sizeof(why));
	dt = ca_monotonic_ms() - t0;
	print_message("# directory down: rc %d after %lld ms: %s\n", rc,
	    (long long)dt, why);
	assert_int_equal(rc, CA_EUNAVAIL);
	assert_true(dt < NET_TIMEOUT_MS + 1000);
	assert_non_null(strstr(why, env("SLAPD_URI")));
	assert_int_equal(timed_lookup(dplain, "bob", "directory down", &dt, why,
	    sizeof(why)), CA_EUNAVAIL);
	assert_true(dt < NET_TIMEOUT_MS + 1000);

	/* Back: the next call works without a new directory object. */
	slapd_restart();
	lookup_ok("bob", &p);
	principal_clear(&p);

	/* Hung (SIGSTOP): the operation timeout bounds the wait. */
	{
		struct directory *d;
		pid_t pid = slapd_pid();
		int64_t dt2;
		int rc2;
		bool stopped;

		assert_true(pid > 0);
		assert_int_equal(kill(pid, SIGSTOP), 0);
		/* kill() returns before every thread has stopped: wait for it. */
		stopped = slapd_wait_stopped(pid);
		rc = timed_lookup(dplain, "carol", "directory hung", &dt, why,
		    sizeof(why));
		/* A cold connection: TCP connects (the kernel accepts), then
		 * StartTLS must time out, not hang. */
		d = make_dir_with(&c, NULL, DIRECTORY_TLS_STARTTLS,
		    env("SLAPD_CA_FILE"));
		t0 = ca_monotonic_ms();
		rc2 = directory_authenticate(d, "bob", "demo-bob", &p, NULL, why,
		    sizeof(why));
		dt2 = ca_monotonic_ms() - t0;
		directory_free(d);
		principal_clear(&p);
		/* Resume slapd before any assertion can leave this test. */
		kill(pid, SIGCONT);
		print_message("# hung, cold StartTLS: rc %d after %lld ms: %s\n",
		    rc2, (long long)dt2, why);
		assert_true(stopped);
		assert_true(rc == CA_ETIMEOUT || rc == CA_EUNAVAIL);
		assert_true(dt < OP_TIMEOUT_MS + NET_TIMEOUT_MS + 1000);
		assert_true(rc2 == CA_ETIMEOUT || rc2 == CA_EUNAVAIL);
		assert_true(dt2 < OP_TIMEOUT_MS + NET_TIMEOUT_MS + 1000);
	}
	/* And it recovers once slapd runs again. */
	lookup_ok("carol", &p);
	principal_clear(&p);
}

/* Run the tests (TAP with CMOCKA_MESSAGE_OUTPUT=TAP). */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_service_account),
		cmocka_unit_test(test_certmap),
		cmocka_unit_test(test_publish_crl),
		cmocka_unit_test(test_entry_stamp),
		cmocka_unit_test(test_publish_over_size_limit),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_threads_cold_tls),
		cmocka_unit_test(test_failover),
		cmocka_unit_test(test_search_budget),
		cmocka_unit_test(test_restart_and_down),
	};

	return cmocka_run_group_tests(tests, live_setup, live_teardown);
}

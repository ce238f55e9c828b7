/*
 * Unit tests for the pure parts of ldap/: objectSid and objectGUID codecs
 * (worked examples of MS-DTYP §2.4.2), RFC 4515 / RFC 4514
 * escaping, the SID extension parser (real AD CS bytes of adcs.md §1.2),
 * the credential cache (TTL, bound, salted keys) and configuration checks.
 * The live directory is tested by tests/integration/directory_live.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/error.h"
#include "ldap/cache.h"
#include "ldap/certmap.h"
#include "ldap/dir_int.h"
#include "ldap/directory.h"
#include "ldap/escape.h"
#include "ldap/sid.h"

/* Hex string to bytes; returns the length. */
static size_t
unhex(const char *h, unsigned char *out)
{
	size_t n = 0;

	for (; h[0] && h[1]; h += 2) {
		unsigned v;

		sscanf(h, "%2x", &v);
		out[n++] = (unsigned char)v;
	}
	return n;
}

/* objectSid both ways on the real examples of adcs.md §2.1. */
static void
test_sid_real_example(void **state)
{
	unsigned char bin[64], back[64];
	char text[PRINCIPAL_SID_MAX];
	size_t n, m;

	(void)state;
	n = unhex("0105000000000005150000003a927604028aa536c502202c52040000", bin);
	assert_int_equal(directory_sid_to_text(bin, n, text, sizeof(text)), CA_OK);
	assert_string_equal(text, "S-1-5-21-74879546-916818434-740295365-1106");
	assert_int_equal(directory_sid_from_text(text, back, sizeof(back), &m),
	    CA_OK);
	assert_int_equal(m, n);
	assert_memory_equal(back, bin, n);
	assert_int_equal(directory_sid_rid(text), 1106);

	n = unhex("010500000000000515000000043a535262a42efd0e191a08c9040000", bin);
	assert_int_equal(directory_sid_from_text(
	    "S-1-5-21-1381186052-4247692386-135928078-1225", back, sizeof(back),
	    &m), CA_OK);
	assert_int_equal(m, n);
	assert_memory_equal(back, bin, n);
}

/* Well-known SIDs and the hex authority form. */
static void
test_sid_well_known_and_authority(void **state)
{
	unsigned char bin[64];
	char text[PRINCIPAL_SID_MAX];
	size_t n;

	(void)state;
	assert_int_equal(directory_sid_from_text("S-1-1-0", bin, sizeof(bin), &n),
	    CA_OK);
	assert_int_equal(n, 12);
	assert_int_equal(directory_sid_to_text(bin, n, text, sizeof(text)), CA_OK);
	assert_string_equal(text, "S-1-1-0");
	/* Authority >= 2^32 prints as 0x + 12 hex digits (MS-DTYP §2.4.2.1). */
	assert_int_equal(directory_sid_from_text("S-1-0x0001000000FF-7", bin,
	    sizeof(bin), &n), CA_OK);
	assert_int_equal(directory_sid_to_text(bin, n, text, sizeof(text)), CA_OK);
	assert_string_equal(text, "S-1-0x0001000000FF-7");
}

/* Malformed SID text and binary are refused, bounds hold. */
static void
test_sid_hostile(void **state)
{
	static const char *bad[] = {
		"", "S-1", "S-1-5", "S-2-5-21", "S-1-5-", "S-1-5--1", "S-1-5-01",
		"S-1-5-4294967296", "S-1-281474976710656-1", "S-1-5-21 ",
		"S-1-5-+1", "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
		"S-1-0x12-1", "X-1-5-21",
	};
	unsigned char bin[128] = { 1, 2, 0, 0, 0, 0, 0, 5, 1, 0, 0, 0 };
	unsigned char big[256];
	char text[PRINCIPAL_SID_MAX];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(directory_sid_from_text(bad[i], big, sizeof(big),
		    &n), CA_EPARSE);
	/* Count says 2 subauthorities but only one is there. */
	assert_int_equal(directory_sid_to_text(bin, 12, text, sizeof(text)),
	    CA_EPARSE);
	bin[0] = 2;
	assert_int_equal(directory_sid_to_text(bin, 16, text, sizeof(text)),
	    CA_EPARSE);
	bin[0] = 1;
	bin[1] = 16;
	assert_int_equal(directory_sid_to_text(bin, 8 + 64, text, sizeof(text)),
	    CA_EPARSE);
	/* No subauthority: not a SID entca could write back or match. */
	bin[1] = 0;
	assert_int_equal(directory_sid_to_text(bin, 8, text, sizeof(text)),
	    CA_EPARSE);
	bin[1] = 2;
	assert_int_equal(directory_sid_to_text(bin, 16, text, 8), CA_ETOOBIG);
	/* Output buffer too small for the binary form. */
	assert_int_equal(directory_sid_from_text("S-1-5-21-1-2", bin, 12, &n),
	    CA_ETOOBIG);
}

/* objectGUID mixed-endian text form, both ways, and bad input. */
static void
test_guid(void **state)
{
	unsigned char bin[16], back[16];
	char text[40];

	(void)state;
	unhex("fd23473c48256649b26d67bf2e549530", bin);
	assert_int_equal(directory_guid_to_text(bin, 16, text, sizeof(text)),
	    CA_OK);
	assert_string_equal(text, "3c4723fd-2548-4966-b26d-67bf2e549530");
	assert_int_equal(directory_guid_from_text(text, back), CA_OK);
	assert_memory_equal(back, bin, 16);
	assert_int_equal(directory_guid_from_text(
	    "3C4723FD-2548-4966-B26D-67BF2E549530", back), CA_OK);
	assert_memory_equal(back, bin, 16);
	assert_int_equal(directory_guid_to_text(bin, 15, text, sizeof(text)),
	    CA_EPARSE);
	assert_int_equal(directory_guid_to_text(bin, 16, text, 36), CA_ETOOBIG);
	assert_int_equal(directory_guid_from_text(
	    "3c4723fd-2548-4966-b26d-67bf2e54953", back), CA_EPARSE);
	assert_int_equal(directory_guid_from_text(
	    "3c4723fd+2548-4966-b26d-67bf2e549530", back), CA_EPARSE);
	assert_int_equal(directory_guid_from_text(
	    "3c4723fd-2548-4966-b26d-67bf2e54953g", back), CA_EPARSE);
}

/* One escaping case: input, room for the output, code, output or NULL. */
struct esc_case {
	const char *in;
	size_t room;
	int rc;
	const char *out;
};

/* Run each case through esc (directory_escape_filter or _dn_value). */
static void
expect_escapes(int (*esc)(const char *, char *, size_t),
    const struct esc_case *c, size_t n)
{
	char out[128];

	for (size_t i = 0; i < n; i++) {
		assert_true(c[i].room <= sizeof(out));
		if (esc(c[i].in, out, c[i].room) != c[i].rc)
			fail_msg("escaping \"%s\": want %s", c[i].in,
			    ca_strerror(c[i].rc));
		if (c[i].out != NULL)
			assert_string_equal(out, c[i].out);
	}
}

/* RFC 4515 escaping (libldap's) of injection names, controls and UTF-8. */
static void
test_escape_filter(void **state)
{
	static const struct esc_case cases[] = {
		{ "*)(uid=*", 128, CA_OK, "\\2A\\29\\28uid=\\2A" },
		{ "a\\29", 128, CA_OK, "a\\5C29" },
		{ "INTUNECONN$", 128, CA_OK, "INTUNECONN$" },
		/* libldap escapes controls too, so no raw newline reaches a
		 * log. */
		{ "a\nb\x7f", 128, CA_OK, "a\\0Ab\\7F" },
		/* The same value to the server. */
		{ "J\xc3\xb6rg", 128, CA_OK, "J\\C3\\B6rg" },
		/* Exactly fitting and one byte short. */
		{ "(", 4, CA_OK, "\\28" },
		{ "((", 6, CA_ETOOBIG, "" },
		{ "abc", 3, CA_ETOOBIG, NULL },
	};
	static const unsigned char b[] = { 0x01, 0x05, 0x00, 0xff };
	char out[128];

	(void)state;
	expect_escapes(directory_escape_filter, cases,
	    sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(directory_escape_filter_bytes(b, 4, out, sizeof(out)),
	    CA_OK);
	assert_string_equal(out, "\\01\\05\\00\\ff");
	assert_int_equal(directory_escape_filter_bytes(b, 4, out, 12),
	    CA_ETOOBIG);
}

/* RFC 4514 escaping of one DN attribute value. */
static void
test_escape_dn(void **state)
{
	static const struct esc_case cases[] = {
		{ "Pat O'Brien, (x*)", 128, CA_OK, "Pat O'Brien\\, (x*)" },
		{ "#a+b=c;d<e>\"f\\ ", 128, CA_OK,
		  "\\#a\\+b\\=c\\;d\\<e\\>\\\"f\\\\\\ " },
		{ " lead", 128, CA_OK, "\\ lead" },
		{ "a\rb", 128, CA_OK, "a\\0db" },
		{ ",,", 4, CA_ETOOBIG, "" },
	};

	(void)state;
	expect_escapes(directory_escape_dn_value, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

/* The SID extension parser on real AD CS bytes and mutations. */
static void
test_sid_extension(void **state)
{
	unsigned char der[256];
	char sid[PRINCIPAL_SID_MAX];
	size_t n;

	(void)state;
	/* TameMyCerts test vector and a real AD CS certificate (adcs.md §1.2). */
	n = unhex("303fa03d060a2b060104018237190201a02f042d532d312d352d32312d31"
	    "3338313138363035322d343234373639323338362d3133353932383037382d"
	    "31323235", der);
	assert_int_equal(directory_sid_ext_parse(der, n, sid, sizeof(sid)), CA_OK);
	assert_string_equal(sid, "S-1-5-21-1381186052-4247692386-135928078-1225");
	n = unhex("303ca03a060a2b060104018237190201a02c042a532d312d352d32312d37"
	    "343837393534362d3931363831383433342d3734303239353336352d31313036",
	    der);
	assert_int_equal(directory_sid_ext_parse(der, n, sid, sizeof(sid)), CA_OK);
	assert_string_equal(sid, "S-1-5-21-74879546-916818434-740295365-1106");
	/* Truncated, trailing byte, wrong OID, not a SID. */
	assert_int_equal(directory_sid_ext_parse(der, n - 1, sid, sizeof(sid)),
	    CA_EPARSE);
	der[n] = 0;
	assert_int_equal(directory_sid_ext_parse(der, n + 1, sid, sizeof(sid)),
	    CA_EPARSE);
	der[13] ^= 1;
	assert_int_equal(directory_sid_ext_parse(der, n, sid, sizeof(sid)),
	    CA_EPARSE);
	der[13] ^= 1;
	der[20] = 'X';	/* "S-1-5-..." becomes "X-1-5-..." */
	assert_int_equal(directory_sid_ext_parse(der, n, sid, sizeof(sid)),
	    CA_EPARSE);
	/* Long-form length where short form is required. */
	n = unhex("30813ca03a", der);
	assert_int_equal(directory_sid_ext_parse(der, n, sid, sizeof(sid)),
	    CA_EPARSE);
}

/* A principal with one group, to see deep copies through the cache. */
static void
make_principal(struct principal *p, const char *dn)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->dn, sizeof(p->dn), "%s", dn);
	assert_int_equal(principal_add_group(p, "S-1-1-0", "", "Everyone"), CA_OK);
}

/*
 * bob and Bob are one account: one key. Names refer to the account's own
 * entry (by GUID/SID), so a fresh answer stored through one name is what
 * every other name of the account gets; dropping a name drops the
 * account's entry too. The TTL is capped.
 */
static void
cache_name_key_case_insensitive(void **state)
{
	struct directory_cache *c;
	unsigned char kb[32], kB[32], kupn[32], kother[32];
	struct principal p, q;

	(void)state;
	assert_int_equal(directory_cache_new(8, DIRECTORY_CACHE_TTL_MAX + 1, &c),
	    CA_EINVAL);
	assert_int_equal(directory_cache_new(8, DIRECTORY_CACHE_TTL_MAX, &c),
	    CA_OK);
	directory_cache_name_key(c, 'A', "bob", "pw", 2, kb);
	directory_cache_name_key(c, 'A', "Bob", "pw", 2, kB);
	directory_cache_name_key(c, 'A', "BOB@demo.example", "pw", 2, kupn);
	directory_cache_name_key(c, 'A', "bob", "PW", 2, kother);
	assert_memory_equal(kb, kB, 32);
	assert_memory_not_equal(kb, kother, 32);	/* the password is not folded */
	make_principal(&p, "cn=bob,dc=x");
	snprintf(p.sid, sizeof(p.sid), "S-1-5-21-1-2-3-1107");
	assert_int_equal(directory_cache_put_ref(c, kb, 10, &p), CA_OK);
	assert_int_equal(directory_cache_get_ref(c, kB, 11, &q), CA_OK);
	assert_string_equal(q.dn, "cn=bob,dc=x");
	assert_int_equal(q.n_groups, 1);
	principal_clear(&q);
	/* A fresh read through the UPN replaces what "bob" sees. */
	assert_int_equal(principal_add_group(&p, "S-1-5-21-1-2-3-1125", "",
	    "Denied Users"), CA_OK);
	assert_int_equal(directory_cache_put_ref(c, kupn, 12, &p), CA_OK);
	assert_int_equal(directory_cache_get_ref(c, kb, 13, &q), CA_OK);
	assert_int_equal(q.n_groups, 2);
	principal_clear(&q);
	/* Dropping one name drops the account's entry: no name serves it. */
	directory_cache_drop(c, kb);
	assert_int_equal(directory_cache_get_ref(c, kb, 14, &q), CA_ENOTFOUND);
	assert_int_equal(directory_cache_get_ref(c, kupn, 14, &q), CA_ENOTFOUND);
	principal_clear(&p);
	directory_cache_free(c);
}

/*
 * cache_recheck_interval_bounded_and_flushed: a login may skip re-reading
 * its account for less than the interval after the account was read (put
 * or marked), through any of its names; never at or past it, never with
 * an interval of 0, and not after a flush (what revoke-all and SIGHUP
 * do). Time is passed in, so nothing here waits.
 */
static void
cache_recheck_interval_bounded_and_flushed(void **state)
{
	struct directory_cache *c;
	unsigned char kb[32], kupn[32];
	struct principal p, q;

	(void)state;
	assert_int_equal(directory_cache_new(8, 60, &c), CA_OK);
	directory_cache_name_key(c, 'A', "bob", "pw", 2, kb);
	directory_cache_name_key(c, 'A', "bob@demo.example", "pw", 2, kupn);
	assert_false(directory_cache_checked_within(c, kb, 100, 5));	/* absent */
	make_principal(&p, "cn=bob,dc=x");
	snprintf(p.sid, sizeof(p.sid), "S-1-5-21-1-2-3-1107");
	assert_int_equal(directory_cache_put_ref(c, kb, 100, &p), CA_OK);
	assert_true(directory_cache_checked_within(c, kb, 100, 5));
	assert_true(directory_cache_checked_within(c, kb, 104, 5));
	assert_false(directory_cache_checked_within(c, kb, 105, 5));	/* the bound */
	assert_false(directory_cache_checked_within(c, kb, 101, 0));	/* 0: always read */
	assert_false(directory_cache_checked_within(c, kb, 99, 5));	/* clock went back */
	/* A re-read restarts the interval. */
	directory_cache_mark_checked(c, kb, 110);
	assert_true(directory_cache_checked_within(c, kb, 114, 5));
	assert_false(directory_cache_checked_within(c, kb, 115, 5));
	/* Another name of the same account shares its read time. */
	assert_int_equal(directory_cache_put_ref(c, kupn, 120, &p), CA_OK);
	assert_true(directory_cache_checked_within(c, kb, 124, 5));
	/* Expiry of the entry ends it too (TTL 60 from the last put). */
	assert_false(directory_cache_checked_within(c, kb, 180, 300));
	/* revoke-all and SIGHUP flush the cache: the grace goes with it. */
	assert_int_equal(directory_cache_put_ref(c, kb, 200, &p), CA_OK);
	assert_true(directory_cache_checked_within(c, kb, 201, 5));
	directory_cache_flush(c);
	assert_false(directory_cache_checked_within(c, kb, 201, 5));
	assert_int_equal(directory_cache_get_ref(c, kb, 201, &q), CA_ENOTFOUND);
	principal_clear(&p);
	directory_cache_free(c);
}

/* Cache hits, expiry at the TTL, and salted length-prefixed keys. */
static void
test_cache_ttl_and_keys(void **state)
{
	struct directory_cache *c;
	unsigned char k1[32], k2[32], k3[32];
	struct principal p, q;

	(void)state;
	assert_int_equal(directory_cache_new(4, 60, &c), CA_OK);
	directory_cache_key(c, 'A', "alice", 5, "pw", 2, k1);
	directory_cache_key(c, 'A', "alicep", 6, "w", 1, k2);
	directory_cache_key(c, 'L', "alice", 5, "pw", 2, k3);
	assert_memory_not_equal(k1, k2, 32);	/* lengths are part of the key */
	assert_memory_not_equal(k1, k3, 32);	/* so is the kind */
	make_principal(&p, "cn=alice");
	assert_int_equal(directory_cache_get(c, k1, 100, &q), CA_ENOTFOUND);
	assert_int_equal(directory_cache_put(c, k1, 100, &p), CA_OK);
	principal_clear(&p);	/* the cache holds its own copy */
	assert_int_equal(directory_cache_get(c, k1, 159, &q), CA_OK);
	assert_string_equal(q.dn, "cn=alice");
	assert_int_equal(q.n_groups, 1);
	assert_string_equal(q.groups[0].name, "Everyone");
	principal_clear(&q);
	assert_int_equal(directory_cache_get(c, k2, 120, &q), CA_ENOTFOUND);
	/* Expired at exactly put time + ttl. */
	assert_int_equal(directory_cache_get(c, k1, 160, &q), CA_ENOTFOUND);
	assert_int_equal(directory_cache_count(c, 160), 0);
	directory_cache_free(c);

	/* Two caches salt differently: the same input gives different keys. */
	{
		struct directory_cache *c2;

		assert_int_equal(directory_cache_new(4, 60, &c), CA_OK);
		assert_int_equal(directory_cache_new(4, 60, &c2), CA_OK);
		directory_cache_key(c, 'A', "alice", 5, "pw", 2, k1);
		directory_cache_key(c2, 'A', "alice", 5, "pw", 2, k2);
		assert_memory_not_equal(k1, k2, 32);
		directory_cache_free(c);
		directory_cache_free(c2);
	}
}

/* The cache evicts the oldest past its bound; ttl <= 0 caches nothing. */
static void
test_cache_bound_and_disabled(void **state)
{
	struct directory_cache *c;
	unsigned char k[5][32];
	struct principal p, q;
	char name[8];

	(void)state;
	assert_int_equal(directory_cache_new(0, 60, &c), CA_EINVAL);
	assert_int_equal(directory_cache_new(DIRECTORY_CACHE_MAX + 1, 60, &c),
	    CA_EINVAL);
	assert_int_equal(directory_cache_new(3, 60, &c), CA_OK);
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		directory_cache_key(c, 'L', name, strlen(name), "", 0, k[i]);
		make_principal(&p, name);
		assert_int_equal(directory_cache_put(c, k[i], 10 + i, &p), CA_OK);
		principal_clear(&p);
	}
	/* Three slots: the two oldest were evicted. */
	assert_int_equal(directory_cache_count(c, 20), 3);
	assert_int_equal(directory_cache_get(c, k[0], 20, &q), CA_ENOTFOUND);
	assert_int_equal(directory_cache_get(c, k[1], 20, &q), CA_ENOTFOUND);
	assert_int_equal(directory_cache_get(c, k[4], 20, &q), CA_OK);
	assert_string_equal(q.dn, "u4");
	principal_clear(&q);
	/* Replacing a key keeps one entry. */
	make_principal(&p, "u4-new");
	assert_int_equal(directory_cache_put(c, k[4], 21, &p), CA_OK);
	principal_clear(&p);
	assert_int_equal(directory_cache_count(c, 21), 3);
	assert_int_equal(directory_cache_get(c, k[4], 21, &q), CA_OK);
	assert_string_equal(q.dn, "u4-new");
	principal_clear(&q);
	directory_cache_flush(c);
	assert_int_equal(directory_cache_count(c, 21), 0);
	directory_cache_free(c);

	/* ttl <= 0: nothing is ever cached. */
	assert_int_equal(directory_cache_new(3, -1, &c), CA_OK);
	make_principal(&p, "x");
	assert_int_equal(directory_cache_put(c, k[0], 1, &p), CA_OK);
	assert_int_equal(directory_cache_get(c, k[0], 1, &q), CA_ENOTFOUND);
	principal_clear(&p);
	directory_cache_free(c);
}

/* directory_new refuses TLS modes that do not fit the URIs, and bad settings. */
static void
test_config_checks(void **state)
{
	struct directory_config cfg;
	struct directory *d = NULL;
	char why[CA_WHY_MAX];

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.base = "dc=demo,dc=example";
	cfg.uris = "ldap://ldap.example.net";
	cfg.tls = DIRECTORY_TLS_NONE_LOOPBACK_ONLY;
	assert_int_equal(directory_new(&cfg, &d, why, sizeof(why)), CA_ECONFIG);
	assert_non_null(strstr(why, "clear"));
	cfg.uris = "ldap://127.0.0.1:389 ldap://ldap.example.net";
	assert_int_equal(directory_new(&cfg, &d, why, sizeof(why)), CA_ECONFIG);
	cfg.uris = "ldap://127.0.0.1:389 ldap://[::1]:389 ldap://localhost";
	assert_int_equal(directory_new(&cfg, &d, why, sizeof(why)), CA_OK);
	directory_free(d);
	cfg.tls = DIRECTORY_TLS_LDAPS;
	assert_int_equal(directory_new(&cfg, &d, why, sizeof(why)), CA_ECONFIG);
	cfg.uris = "ldaps://dc1.example.net ldaps://dc2.example.net";
	assert_int_equal(directory_new(&cfg, &d, why, sizeof(why)), CA_OK);
	directory_free(d);
	cfg.tls = DIRECTORY_TLS_STARTTLS;
	assert_int_equal(directory_new(&cfg, &d, why, sizeof(why)), CA_ECONFIG);
	cfg.uris = "ldap://dc1.example.net";
	cfg.bind_dn = "cn=svc";
	cfg.bind_password = "";
	assert_int_equal(directory_new(&cfg, &d, why, sizeof(why)), CA_ECONFIG);
	cfg.bind_password = "x";
	cfg.domain_sid = "S-1-5-21-x";
	assert_int_equal(directory_new(&cfg, &d, why, sizeof(why)), CA_ECONFIG);
	cfg.domain_sid = NULL;
	cfg.uris = "not a uri";
	assert_int_equal(directory_new(&cfg, &d, why, sizeof(why)), CA_ECONFIG);
	cfg.uris = "";
	assert_int_equal(directory_new(&cfg, &d, why, sizeof(why)), CA_ECONFIG);
	cfg.uris = "ldap://a ldap://b ldap://c ldap://d ldap://e ldap://f "
	    "ldap://g ldap://h ldap://i";
	assert_int_equal(directory_new(&cfg, &d, why, sizeof(why)), CA_ECONFIG);
	cfg.uris = "ldap://a";
	cfg.base = "dc=demo,,dc=example=";
	assert_int_equal(directory_new(&cfg, &d, why, sizeof(why)), CA_ECONFIG);
	cfg.base = "dc=demo,dc=example";
	cfg.pool_size = DIRECTORY_POOL_MAX + 1;
	assert_int_equal(directory_new(&cfg, &d, why, sizeof(why)), CA_ECONFIG);
	assert_null(d);
}

/* Empty passwords and names are refused before any network. */
static void
test_auth_refused_before_network(void **state)
{
	struct directory_config cfg;
	struct directory_auth_log log;
	struct directory *d = NULL;
	struct principal p;
	char why[CA_WHY_MAX];

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	memset(&p, 0, sizeof(p));
	cfg.base = "dc=demo,dc=example";
	/* Port 1 on loopback: nothing listens, so any network use would fail
	 * with CA_EUNAVAIL rather than CA_EAUTH. */
	cfg.uris = "ldap://127.0.0.1:1";
	cfg.tls = DIRECTORY_TLS_NONE_LOOPBACK_ONLY;
	assert_int_equal(directory_new(&cfg, &d, why, sizeof(why)), CA_OK);
	assert_int_equal(directory_authenticate(d, "alice", "", &p, &log, why,
	    sizeof(why)), CA_EAUTH);
	assert_string_equal(why, DIRECTORY_AUTH_FAILED);
	assert_int_equal(log.reason, DIRECTORY_AUTH_EMPTY_PASSWORD);
	assert_int_equal(directory_authenticate(d, "alice", NULL, &p, &log, why,
	    sizeof(why)), CA_EAUTH);
	assert_int_equal(directory_authenticate(d, "", "x", &p, &log, why,
	    sizeof(why)), CA_EAUTH);
	assert_int_equal(log.reason, DIRECTORY_AUTH_MALFORMED);
	assert_string_equal(why, DIRECTORY_AUTH_FAILED);
	assert_int_equal(directory_authenticate(d, "alice", "x", &p, &log, why,
	    sizeof(why)), CA_EUNAVAIL);
	assert_non_null(strstr(why, "ldap://127.0.0.1:1"));
	directory_free(d);
}

/* AD's bind diagnostics map to log reasons (MS-ADTS §3.1.1.3.4, Win32 error codes). */
static void
test_ad_bind_reason(void **state)
{
	(void)state;
	assert_int_equal(dir_ad_bind_reason("80090308: LdapErr: DSID-0C09044E, "
	    "comment: AcceptSecurityContext error, data 52e, v4563"),
	    DIRECTORY_AUTH_BAD_PASSWORD);
	assert_int_equal(dir_ad_bind_reason("80090308: LdapErr: DSID-0C09044E, "
	    "comment: AcceptSecurityContext error, data 533, v4563"),
	    DIRECTORY_AUTH_DISABLED);
	assert_int_equal(dir_ad_bind_reason("... data 775, v4563"),
	    DIRECTORY_AUTH_LOCKED);
	assert_int_equal(dir_ad_bind_reason("... data 701, v4563"),
	    DIRECTORY_AUTH_EXPIRED);
	assert_int_equal(dir_ad_bind_reason("... data 532, v4563"),
	    DIRECTORY_AUTH_PASSWORD_EXPIRED);
	/* Each of AD's codes by its own name (issue 12 item 5). */
	assert_int_equal(dir_ad_bind_reason("... data 525, v4563"),
	    DIRECTORY_AUTH_UNKNOWN_USER);
	assert_int_equal(dir_ad_bind_reason("... data 52E, v4563"),
	    DIRECTORY_AUTH_BAD_PASSWORD);
	assert_int_equal(dir_ad_bind_reason("... data 530, v4563"),
	    DIRECTORY_AUTH_LOGON_HOURS);
	assert_int_equal(dir_ad_bind_reason("... data 531, v4563"),
	    DIRECTORY_AUTH_WORKSTATION);
	assert_int_equal(dir_ad_bind_reason("80090308: LdapErr: DSID-0C09044E, "
	    "comment: AcceptSecurityContext error, data 773, v4563"),
	    DIRECTORY_AUTH_MUST_CHANGE);
	assert_string_equal(directory_auth_reason_name(
	    dir_ad_bind_reason("... data 773, v4563")),
	    "password must be changed");
	assert_string_equal(directory_auth_reason_name(
	    DIRECTORY_AUTH_PASSWORD_EXPIRED), "password expired");
	assert_string_equal(directory_auth_reason_name(
	    DIRECTORY_AUTH_LOGON_HOURS), "outside logon hours");
	assert_string_equal(directory_auth_reason_name(
	    DIRECTORY_AUTH_WORKSTATION), "workstation not allowed");
	assert_int_equal(dir_ad_bind_reason("... data 7730, v4563"),
	    DIRECTORY_AUTH_BAD_PASSWORD);
	assert_int_equal(dir_ad_bind_reason("Invalid credentials"),
	    DIRECTORY_AUTH_BAD_PASSWORD);
	assert_int_equal(dir_ad_bind_reason(""), DIRECTORY_AUTH_BAD_PASSWORD);
}

/* Run the tests (TAP with CMOCKA_MESSAGE_OUTPUT=TAP). */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sid_real_example),
		cmocka_unit_test(test_sid_well_known_and_authority),
		cmocka_unit_test(test_sid_hostile),
		cmocka_unit_test(test_guid),
		cmocka_unit_test(test_escape_filter),
		cmocka_unit_test(test_escape_dn),
		cmocka_unit_test(test_sid_extension),
		cmocka_unit_test(test_cache_ttl_and_keys),
		cmocka_unit_test(cache_name_key_case_insensitive),
		cmocka_unit_test(cache_recheck_interval_bounded_and_flushed),
		cmocka_unit_test(test_cache_bound_and_disabled),
		cmocka_unit_test(test_config_checks),
		cmocka_unit_test(test_auth_refused_before_network),
		cmocka_unit_test(test_ad_bind_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

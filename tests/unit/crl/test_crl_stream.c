/*
 * Unit tests for crl/crl.c's streaming: a 20,000-entry iterator walked
 * twice, the outer header fixed up after signing, entries that change
 * between the two passes, iterator errors, and every refusal of bad
 * parameters or entries (with its reason sentence).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "common/error.h"
#include "crl/crl.h"
#include "crl/der.h"
#include "tests/unit/crl/crl_testca.h"

/*
 * The outer header is sized before signing from a 512-octet guess; with a
 * 64-octet Ed25519 signature a CRL just under 64 KiB needs a shorter
 * header than guessed, so the TBS moves. Walk the entry count across that
 * boundary and check every CRL on both sides.
 */
static void
test_header_fixup(void **state)
{
	struct ca ca;
	struct crl_params p;
	struct crl_entry *e;
	unsigned char *der = NULL;
	size_t len, n, i, moved = 0, kept = 0;
	char why[CA_WHY_MAX];
	gnutls_x509_crl_t crl;

	(void)state;
	ca_make(&ca, GNUTLS_PK_EDDSA_ED25519, 256);
	params_for(&p, &ca);
	e = calloc(4000, sizeof(*e));
	assert_non_null(e);
	for (i = 0; i < 4000; i++)
		entry_set(&e[i], "\x01\x02\x03\x04", 4, T0, CRL_REASON_UNSPECIFIED,
		    0);
	/* Each entry is 23 octets: walk n across a CRL of 65536 octets. The
	 * guess overshoots by 450 octets (517- vs 67-octet BIT STRING). */
	for (n = 2800; n < 2880; n++) {
		assert_int_equal(crl_build_array(&p, e, n, ca.key, &der, &len,
		    why, sizeof(why)), CA_OK);
		if (len - 4 < 65536 && len - 4 + 450 >= 65536) {
			assert_int_equal(der[1], 0x82);	/* moved: shorter */
			moved++;
		} else if (len - 5 >= 65536 && der[1] == 0x83)
			kept++;
		crl = crl_parse_verify(&ca, der, len);
		assert_int_equal(gnutls_x509_crl_get_crt_count(crl), n);
		gnutls_x509_crl_deinit(crl);
		free(der);
	}
	assert_true(moved > 0);
	assert_true(kept > 0);
	free(e);
	ca_free(&ca);
}

/* Iterator that yields n generated entries, for bigger lists and for
 * making the second pass differ or fail. */
struct gen_iter {
	size_t n, i;
	size_t second_n;	/* entries on the second pass */
	int fail_at;		/* return CA_EDB at this entry (1-based), 0 = never */
	int rewind_rc;
	int pass;
	int second_reason;	/* >= 0: every entry's reason on pass two */
};

/* Serial i as 9 octets with the top bit set. */
static int
gen_next(void *arg, struct crl_entry *out)
{
	struct gen_iter *g = arg;
	size_t lim = g->pass == 2 ? g->second_n : g->n;
	size_t v;
	int k;

	if (g->fail_at > 0 && g->i + 1 == (size_t)g->fail_at)
		return CA_EDB;
	if (g->i >= lim)
		return 0;
	v = ++g->i;
	out->serial_len = 9;
	out->serial[0] = 0x80;
	for (k = 8; k >= 1; k--) {
		out->serial[k] = (unsigned char)v;
		v >>= 8;
	}
	out->revoked_at = T0 - (int64_t)g->i;
	out->reason = (int)(g->i % 3 == 0 ? CRL_REASON_UNSPECIFIED :
	    CRL_REASON_KEY_COMPROMISE);
	if (g->pass == 2 && g->second_reason >= 0)
		out->reason = g->second_reason;
	return 1;
}

/* Restart; count passes. */
static int
gen_rewind(void *arg)
{
	struct gen_iter *g = arg;

	g->i = 0;
	g->pass++;
	return g->rewind_rc;
}

/* 20,000 entries from an iterator round-trip through GnuTLS's parser. */
static void
test_many(void **state)
{
	struct ca ca;
	struct crl_params p;
	struct gen_iter g = { 20000, 0, 20000, 0, CA_OK, 1, -1 };
	unsigned char *der = NULL, serial[32];
	size_t len, slen;
	char why[CA_WHY_MAX];
	gnutls_x509_crl_t crl;
	gnutls_x509_crl_iter_t it = NULL;
	gnutls_datum_t sd;
	time_t t;
	size_t i;

	(void)state;
	ca_make(&ca, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1));
	params_for(&p, &ca);
	assert_int_equal(crl_build(&p, gen_next, gen_rewind, &g, ca.key, &der,
	    &len, why, sizeof(why)), CA_OK);
	assert_int_equal(g.pass, 2);
	crl = crl_parse_verify(&ca, der, len);
	assert_int_equal(gnutls_x509_crl_get_crt_count(crl), 20000);
	for (i = 1; i <= 20000; i++) {
		slen = sizeof(serial);
		assert_int_equal(gnutls_x509_crl_iter_crt_serial(crl, &it,
		    serial, &slen, &t), 0);
		assert_int_equal(slen, 10);
		assert_int_equal(serial[0], 0);
		assert_int_equal(serial[1], 0x80);
		assert_int_equal(serial[9], (unsigned char)i);
		assert_int_equal(serial[8], (unsigned char)(i >> 8));
		assert_int_equal(t, T0 - (int64_t)i);
	}
	slen = sizeof(serial);
	assert_int_equal(gnutls_x509_crl_iter_crt_serial(crl, &it, serial,
	    &slen, &t), GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);
	gnutls_x509_crl_iter_deinit(it);
	(void)sd;
	gnutls_x509_crl_deinit(crl);
	free(der);
	ca_free(&ca);
}

/*
 * Iterators of ten entries that fail or change between crl_build's two
 * passes: what the second pass sees, and the code and reason fragment
 * (or NULL) crl_build must return.
 */
static const struct iter_case {
	const char *what;
	size_t second_n;	/* entries on pass two */
	int fail_at;		/* see struct gen_iter */
	int rewind_rc;
	int second_reason;
	int rc;
	const char *frag;
} iter_cases[] = {
	{ "the iterator's error comes back as is", 10, 5, CA_OK, -1, CA_EDB,
	  "entry 5" },
	{ "a failed rewind aborts", 10, 0, CA_EIO, -1, CA_EIO, NULL },
	{ "fewer entries on pass two", 9, 0, CA_OK, -1, CA_ESTATE,
	  "changed between" },
	{ "more entries on pass two", 11, 0, CA_OK, -1, CA_ESTATE, NULL },
	/* Same count, other sizes: every entry grows a reasonCode
	 * (overflow caught before writing) or loses it (the list comes
	 * out short). */
	{ "every entry grows a reasonCode", 10, 0, CA_OK,
	  CRL_REASON_SUPERSEDED, CA_ESTATE, NULL },
	{ "every entry loses its reasonCode", 10, 0, CA_OK,
	  CRL_REASON_UNSPECIFIED, CA_ESTATE, NULL },
	{ "an entry turns invalid on pass two", 10, 0, CA_OK, 7, CA_ESTATE,
	  NULL },
};

/* Bad input is refused with a reason, and *der stays NULL. */
static void
test_refusals(void **state)
{
	static const char *const bad_url[] = { "http://a b/" };
	static const char *const good_url[] = { "http://x/d.crl" };
	struct ca ca;
	struct crl_params p;
	struct crl_entry e;
	struct gen_iter g;
	unsigned char *der = NULL, bad_dn[4] = { 0x30, 0x05, 0x31, 0x00 };
	size_t len = 99;
	char why[CA_WHY_MAX];

	(void)state;
	ca_make(&ca, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1));
#define REFUSE(rc, frag) do { \
		der = (unsigned char *)1; \
		why[0] = '\0'; \
		assert_int_equal(crl_build_array(&p, &e, 1, ca.key, &der, &len, \
		    why, sizeof(why)), rc); \
		assert_null(der); \
		assert_int_equal(len, 0); \
		assert_non_null(strstr(why, frag)); \
		params_for(&p, &ca); \
		entry_set(&e, "\x01", 1, T0, CRL_REASON_UNSPECIFIED, 0); \
	} while (0)
	params_for(&p, &ca);
	entry_set(&e, "\x01", 1, T0, CRL_REASON_UNSPECIFIED, 0);

	e.serial[0] = 0;
	REFUSE(CA_EINVAL, "serial is zero");
	e.serial_len = 0;
	REFUSE(CA_EINVAL, "serial length 0");
	memset(e.serial, 0x11, 21);
	e.serial_len = 21;
	REFUSE(CA_EINVAL, "longer than 20");
	e.reason = 7;
	REFUSE(CA_EINVAL, "reason code 7");
	e.reason = 11;
	REFUSE(CA_EINVAL, "reason code 11");
	e.reason = CRL_REASON_REMOVE_FROM_CRL;
	REFUSE(CA_EINVAL, "removeFromCRL only in a delta");
	e.revoked_at = CRL_TIME_MIN - 1;
	REFUSE(CA_EINVAL, "revocation date");
	e.invalidity_date = 253402300800LL;
	REFUSE(CA_EINVAL, "invalidity date");
	p.next_update = p.this_update;
	REFUSE(CA_EINVAL, "nextUpdate is not after thisUpdate");
	p.issuer_der = bad_dn;
	p.issuer_len = sizeof(bad_dn);
	REFUSE(CA_EINVAL, "does not match");
	p.issuer_der = (const unsigned char *)"\x31\x00";
	p.issuer_len = 2;
	REFUSE(CA_EINVAL, "not a DER SEQUENCE");
	p.aki = NULL;
	REFUSE(CA_EINVAL, "authority key identifier");
	p.aki_len = CRL_AKI_MAX + 1;
	REFUSE(CA_EINVAL, "authority key identifier");
	p.delta = true;
	p.base_crl_number = 8;
	REFUSE(CA_EINVAL, "base CRL number 8");
	p.delta = true;
	p.base_crl_number = 6;
	p.freshest_urls = good_url;
	p.n_freshest = 1;
	REFUSE(CA_EINVAL, "freshestCRL not allowed");
	p.freshest_urls = bad_url;
	p.n_freshest = 1;
	REFUSE(CA_EINVAL, "IA5String");
	p.n_freshest = CRL_URLS_MAX + 1;
	REFUSE(CA_EINVAL, "freshest CRL URLs");
	p.hash = GNUTLS_DIG_MD5;
	REFUSE(CA_EINVAL, "not supported");

	/* Iterators that fail, or change between the two passes. */
	for (size_t i = 0; i < sizeof(iter_cases) / sizeof(iter_cases[0]);
	    i++) {
		const struct iter_case *c = &iter_cases[i];

		memset(&g, 0, sizeof(g));
		g.n = 10;
		g.second_n = c->second_n;
		g.fail_at = c->fail_at;
		g.rewind_rc = c->rewind_rc;
		g.pass = 1;
		g.second_reason = c->second_reason;
		der = (unsigned char *)1;
		if (crl_build(&p, gen_next, gen_rewind, &g, ca.key, &der, &len,
		    why, sizeof(why)) != c->rc)
			fail_msg("%s: want %s", c->what, ca_strerror(c->rc));
		assert_null(der);
		if (c->frag != NULL && strstr(why, c->frag) == NULL)
			fail_msg("%s: why \"%s\"", c->what, why);
	}
	/* Missing iterator or outputs. */
	assert_int_equal(crl_build(&p, gen_next, NULL, &g, ca.key, &der, &len,
	    why, sizeof(why)), CA_EINVAL);
	assert_int_equal(crl_build_array(&p, NULL, 3, ca.key, &der, &len, why,
	    sizeof(why)), CA_EINVAL);
	assert_int_equal(crl_build_array(&p, &e, 1, NULL, &der, &len, why,
	    sizeof(why)), CA_EINVAL);
#undef REFUSE
	ca_free(&ca);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_header_fixup),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Hostile bytes for the store's record decoders: every truncation of a
 * valid certificate, request, template, audit and revocation record, and
 * many seeded byte flips, written with plain LMDB behind the store's back.
 * Each read must give CA_OK with terminated text, CA_EDB or CA_EVERSION,
 * never an overread (run under --enable-sanitizers).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <lmdb.h>

#include "tests/unit/ca/store/test_store_util.h"

#define FLIPS 400

/* One raw database session with plain LMDB. */
struct raw {
	MDB_env *env;
	MDB_txn *txn;
};

/* Begin a write transaction on the environment in dir. */
static void
raw_begin(struct raw *r, const char *dir)
{
	assert_int_equal(mdb_env_create(&r->env), 0);
	assert_int_equal(mdb_env_set_maxdbs(r->env, 16), 0);
	assert_int_equal(mdb_env_open(r->env, dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(r->env, NULL, 0, &r->txn), 0);
}

/* Commit and close. */
static void
raw_end(struct raw *r)
{
	assert_int_equal(mdb_txn_commit(r->txn), 0);
	mdb_env_close(r->env);
}

/* Copy the value of key in db into a malloc'd buffer. */
static unsigned char *
raw_get(struct raw *r, const char *db, const void *key, size_t klen,
    size_t *len)
{
	MDB_dbi dbi;
	MDB_val k = { klen, (void *)key }, v;
	unsigned char *p;

	assert_int_equal(mdb_dbi_open(r->txn, db, 0, &dbi), 0);
	assert_int_equal(mdb_get(r->txn, dbi, &k, &v), 0);
	p = malloc(v.mv_size);
	memcpy(p, v.mv_data, v.mv_size);
	*len = v.mv_size;
	return p;
}

/* Put key -> val into db. */
static void
raw_put(struct raw *r, const char *db, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	MDB_dbi dbi;
	MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };

	assert_int_equal(mdb_dbi_open(r->txn, db, 0, &dbi), 0);
	assert_int_equal(mdb_put(r->txn, dbi, &k, &v, 0), 0);
}

/* Write v big-endian into 8 bytes (the store's integer keys). */
static void
be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = v & 0xff;
}

/* Count audit events handed out. */
static int
count_audit(uint64_t seq, const char *json, size_t len, void *arg)
{
	(void)seq;
	assert_int_equal(strlen(json), len);
	(*(size_t *)arg)++;
	return 0;
}

/* A small deterministic generator for the flips. */
static uint32_t
rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Variant i of rec: truncations first, then seeded byte flips. */
static size_t
variant(const unsigned char *rec, size_t len, size_t i, unsigned char *out,
    uint32_t *seed)
{
	size_t pos;

	if (i < len) {
		memcpy(out, rec, i);
		return i;
	}
	memcpy(out, rec, len);
	pos = rnd(seed) % len;
	out[pos] ^= (unsigned char)(1u << (rnd(seed) % 8));
	if (rnd(seed) % 2)
		out[rnd(seed) % len] = (unsigned char)rnd(seed);
	return len;
}

/* The code of a decoder must be one of the three allowed. */
static void
assert_allowed(int rc)
{
	assert_true(rc == CA_OK || rc == CA_EDB || rc == CA_EVERSION);
}

/* Text fields of a returned record are terminated within their arrays. */
#define ASSERT_TERMINATED(field) \
	assert_non_null(memchr((field), '\0', sizeof(field)))

/* apply: one request, one template and one audit event. */
static int
apply_others(struct store_wtxn *w, void *arg)
{
	struct store_request r;
	unsigned char hash[STORE_HASH_LEN] = { 1, 2, 3 };

	(void)arg;
	memset(&r, 0, sizeof(r));
	snprintf(r.requester, sizeof(r.requester), "CONNECTOR$");
	snprintf(r.template_name, sizeof(r.template_name), "User");
	snprintf(r.target, sizeof(r.target), "bob@example.com");
	r.csr = (unsigned char *)"0123456789";
	r.csr_len = 10;
	store_w_add_request(w, &r);
	store_w_put_template(w, "User", "blob", 4, hash);
	store_w_audit(w, "{\"a\": 1}", NULL);
	store_w_revoke(w, (const unsigned char *)"\x01\x00\x05", 3, 6,
	    1750000000, 0);
	return store_w_status(w);
}

/* Every variant of every record kind decodes safely. */
static void
test_hostile_records(void **state)
{
	struct store_options o = { .no_sync = 1 };
	char why[CA_WHY_MAX], *dir = tsu_tmpdir(), name[32];
	unsigned char *cert, *req, *tpl, *aud, *rev, buf[4096], key[8];
	size_t clen, rlen, tlen, alen, vlen, revlen;
	struct store *s = NULL;
	struct store_cert c;
	struct store_request r;
	struct store_template tp;
	struct store_txn *t;
	struct raw raw;
	uint32_t seed = 0x5eed;
	int ok = 0, bad = 0, rc;
	size_t events = 0;
	unsigned char revkey[12] = { 0 };

	(void)state;
	assert_int_equal(store_open(dir, &o, &s, why, sizeof(why)), CA_OK);
	tsu_cert(&c, 5, 1800000000);
	assert_int_equal(tsu_put_cert(s, &c, why, sizeof(why)), CA_OK);
	assert_int_equal(store_submit_wait(s, apply_others, NULL, why,
	    sizeof(why)), CA_OK);
	store_close(s);

	raw_begin(&raw, dir);
	cert = raw_get(&raw, "certs", "\x01\x00\x05", 3, &clen);
	be64(key, 1);
	req = raw_get(&raw, "requests", key, 8, &rlen);
	tpl = raw_get(&raw, "templates", "User", 4, &tlen);
	aud = raw_get(&raw, "audit", key, 8, &alen);
	/* by_revocation key: time ‖ serial ‖ kind 1 */
	be64(revkey, (uint64_t)1750000000 ^ UINT64_C(0x8000000000000000));
	memcpy(revkey + 8, "\x01\x00\x05\x01", 4);
	rev = raw_get(&raw, "by_revocation", revkey, 12, &revlen);
	for (size_t i = 0; i < clen + FLIPS; i++) {
		unsigned char k3[3] = { 0x70, (unsigned char)(i >> 8),
		    (unsigned char)i };

		vlen = variant(cert, clen, i, buf, &seed);
		raw_put(&raw, "certs", k3, 3, buf, vlen);
		be64(key, 1000 + i);
		vlen = variant(req, rlen, i % (rlen + FLIPS), buf, &seed);
		raw_put(&raw, "requests", key, 8, buf, vlen);
		snprintf(name, sizeof(name), "t%zu", i);
		vlen = variant(tpl, tlen, i % (tlen + FLIPS), buf, &seed);
		raw_put(&raw, "templates", name, strlen(name), buf, vlen);
		vlen = variant(aud, alen, i % (alen + FLIPS), buf, &seed);
		be64(key, 1000 + i);
		raw_put(&raw, "audit", key, 8, buf, vlen);
	}
	/* One damaged revocation value (the iterator must stop on it). */
	raw_put(&raw, "by_revocation", revkey, 12, rev, revlen - 1);
	raw_end(&raw);

	assert_int_equal(store_open(dir, &o, &s, why, sizeof(why)), CA_OK);
	assert_int_equal(store_read_begin(s, &t, why, sizeof(why)), CA_OK);
	for (size_t i = 0; i < clen + FLIPS; i++) {
		unsigned char k3[3] = { 0x70, (unsigned char)(i >> 8),
		    (unsigned char)i };

		rc = store_get_cert(t, k3, 3, &c);
		assert_allowed(rc);
		if (i < clen)
			assert_int_not_equal(rc, CA_OK);
		if (rc == CA_OK) {
			ASSERT_TERMINATED(c.subject_dn);
			ASSERT_TERMINATED(c.subject_upn);
			assert_true(c.der_len <= STORE_DER_MAX);
			ok++;
		} else
			bad++;
		store_cert_clear(&c);
		rc = store_get_request(t, 1000 + i, &r);
		assert_allowed(rc);
		if (rc == CA_OK) {
			ASSERT_TERMINATED(r.reason);
			ASSERT_TERMINATED(r.target);
			assert_true(r.status < STORE_REQ_COUNT);
		}
		store_request_clear(&r);
		snprintf(name, sizeof(name), "t%zu", i);
		rc = store_get_template(t, name, &tp);
		assert_allowed(rc);
		store_template_clear(&tp);
	}
	rc = store_iter_audit_last(t, 100000, count_audit, &events);
	assert_int_equal(rc, CA_EDB);	/* stops at the first damaged one */
	assert_int_equal(events, 1);	/* the valid one, sequence 1 */
	/* by_revocation */
	rc = store_iter_rev(t, STORE_ITER_CHANGES, 0, tsu_count_rev, &events);
	assert_int_equal(rc, CA_EDB);
	assert_int_equal(events, 1);
	assert_non_null(strstr(store_txn_why(t), "revocation entry record is "
	    "damaged"));
	store_read_end(t);
	print_message("# %zu certificate variants: %d decoded, %d refused\n",
	    clen + FLIPS, ok, bad);
	assert_true(bad >= (int)clen);
	free(cert);
	free(req);
	free(tpl);
	free(aud);
	free(rev);
	store_close(s);
	tsu_rmdir(dir);
}

/* Run the hostile-bytes case. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

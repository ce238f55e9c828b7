/*
 * Unit tests for the store's records (ca/store/store*.c) on a real LMDB in a
 * temporary folder: open and reopen, every record type round-trips, the
 * schema and record version refusals, the sticky write chain, id
 * allocation across reopen, and the health counters.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "tests/unit/ca/store/test_store_util.h"

/* Close and reopen f's store (data must survive). */
static void
fx_reopen(struct tsu_fx *f)
{
	char why[CA_WHY_MAX];

	store_close(f->s);
	f->s = NULL;
	assert_int_equal(store_open(f->dir, NULL, &f->s, why, sizeof(why)),
	    CA_OK);
}

/* The folder is created 0700, and a second open in-process is refused. */
static void
test_open_mode_and_twice(void **state)
{
	struct tsu_fx *f = *state;
	struct store *s2 = NULL;
	struct stat st;
	char why[CA_WHY_MAX];

	assert_int_equal(stat(f->dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(store_open(f->dir, NULL, &s2, why, sizeof(why)),
	    CA_EEXIST);
	assert_null(s2);
	assert_non_null(strstr(why, "already open"));
	assert_string_equal(store_path(f->s), f->dir);
}

/* apply: meta values, including a reserved name that must fail. */
static int
apply_meta(struct store_wtxn *w, void *arg)
{
	(void)arg;
	store_w_meta_put(w, "ca_fingerprint", "\x01\x02\x03", 3);
	store_w_meta_put_u64(w, "crl_number", 41);
	store_w_meta_put_u64(w, "crl_number", 42);
	return store_w_status(w);
}

/* apply: writing a store-owned meta name is refused. */
static int
apply_meta_reserved(struct store_wtxn *w, void *arg)
{
	(void)arg;
	return store_w_meta_put_u64(w, "store.schema", 1);
}

/* Meta values round-trip; reserved names and small buffers are refused. */
static void
test_meta(void **state)
{
	struct tsu_fx *f = *state;
	struct store_txn *t;
	char why[CA_WHY_MAX];
	unsigned char buf[8];
	uint64_t v;
	size_t n;

	assert_int_equal(store_submit_wait(f->s, apply_meta, NULL, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(store_submit_wait(f->s, apply_meta_reserved, NULL,
	    why, sizeof(why)), CA_EINVAL);
	assert_non_null(strstr(why, "belong to the store"));
	fx_reopen(f);
	assert_int_equal(store_read_begin(f->s, &t, why, sizeof(why)), CA_OK);
	assert_int_equal(store_meta_get_u64(t, "crl_number", &v), CA_OK);
	assert_int_equal(v, 42);
	assert_int_equal(store_meta_get(t, "ca_fingerprint", buf, sizeof(buf),
	    &n), CA_OK);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "\x01\x02\x03", 3);
	assert_int_equal(store_meta_get(t, "ca_fingerprint", buf, 2, &n),
	    CA_ETOOBIG);
	assert_int_equal(store_meta_get_u64(t, "ca_fingerprint", &v), CA_EDB);
	assert_int_equal(store_meta_get_u64(t, "missing", &v), CA_ENOTFOUND);
	assert_non_null(strstr(store_txn_why(t), "meta missing not found"));
	assert_int_equal(store_meta_get_u64(t, "store.schema", &v), CA_OK);
	assert_int_equal(v, STORE_SCHEMA_VERSION);
	store_read_end(t);
}

/* apply: add the request in arg (allocating its id). */
static int
apply_add_request(struct store_wtxn *w, void *arg)
{
	return store_w_add_request(w, arg);
}

/* apply: replace the request in arg. */
static int
apply_put_request(struct store_wtxn *w, void *arg)
{
	return store_w_put_request(w, arg);
}

/* Fill r as a pending request with a CSR of csr_len bytes. */
static void
fill_request(struct store_request *r, unsigned char *csr, size_t csr_len)
{
	memset(r, 0, sizeof(*r));
	r->submitted_at = 1700000100;
	r->updated_at = 1700000100;
	snprintf(r->requester, sizeof(r->requester), "EXAMPLE\\CONNECTOR$");
	snprintf(r->template_name, sizeof(r->template_name), "PKCSIntune");
	r->status = STORE_REQ_PENDING;
	for (size_t i = 0; i < csr_len; i++)
		csr[i] = (unsigned char)(i ^ 0x5a);
	r->csr = csr;
	r->csr_len = csr_len;
	snprintf(r->subject_sid, sizeof(r->subject_sid), "S-1-5-21-9-8-7-1104");
	snprintf(r->target, sizeof(r->target), "alice@example.com");
}

/* Count calls of the request walk. */
static int
count_request(const struct store_request *r, void *arg)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

/* Requests round-trip, ids grow across reopen, pending is counted. */
static void
test_requests(void **state)
{
	struct tsu_fx *f = *state;
	struct store_request r, got;
	struct store_stats st;
	struct store_txn *t;
	unsigned char csr[3000];
	char why[CA_WHY_MAX];
	uint64_t first;
	int n;

	fill_request(&r, csr, sizeof(csr));
	assert_int_equal(store_submit_wait(f->s, apply_add_request, &r, why,
	    sizeof(why)), CA_OK);
	first = r.id;
	assert_int_equal(first, 1);
	assert_int_equal(store_submit_wait(f->s, apply_add_request, &r, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(r.id, 2);
	fx_reopen(f);
	assert_int_equal(store_submit_wait(f->s, apply_add_request, &r, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(r.id, 3);

	/* Request 2 is issued: a serial and a reason are recorded. */
	r.id = 2;
	r.status = STORE_REQ_ISSUED;
	r.updated_at = 1700000200;
	memcpy(r.serial, "\x12\x34\x56", 3);
	r.serial_len = 3;
	snprintf(r.reason, sizeof(r.reason), "issued by policy");
	assert_int_equal(store_submit_wait(f->s, apply_put_request, &r, why,
	    sizeof(why)), CA_OK);

	assert_int_equal(store_read_begin(f->s, &t, why, sizeof(why)), CA_OK);
	assert_int_equal(store_get_request(t, 2, &got), CA_OK);
	assert_int_equal(got.id, 2);
	assert_int_equal(got.status, STORE_REQ_ISSUED);
	assert_int_equal(got.submitted_at, 1700000100);
	assert_int_equal(got.updated_at, 1700000200);
	assert_string_equal(got.requester, "EXAMPLE\\CONNECTOR$");
	assert_string_equal(got.template_name, "PKCSIntune");
	assert_string_equal(got.reason, "issued by policy");
	assert_int_equal(got.serial_len, 3);
	assert_memory_equal(got.serial, "\x12\x34\x56", 3);
	assert_int_equal(got.csr_len, sizeof(csr));
	assert_memory_equal(got.csr, csr, sizeof(csr));
	assert_string_equal(got.subject_sid, "S-1-5-21-9-8-7-1104");
	assert_string_equal(got.target, "alice@example.com");
	store_request_clear(&got);
	assert_null(got.csr);
	assert_int_equal(store_get_request(t, 99, &got), CA_ENOTFOUND);
	n = 0;
	assert_int_equal(store_iter_requests(t, 0, STORE_REQ_PENDING,
	    count_request, &n), CA_OK);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(store_iter_requests(t, 2, -1, count_request, &n),
	    CA_OK);
	assert_int_equal(n, 2);
	store_read_end(t);

	assert_int_equal(store_stats(f->s, &st, why, sizeof(why)), CA_OK);
	assert_int_equal(st.requests, 3);
	assert_int_equal(st.pending, 2);
	assert_string_equal(store_req_status_name(STORE_REQ_DENIED), "denied");
	assert_string_equal(store_req_status_name(17), "unknown");

	/* A CSR over the bound and a bad status are refused. */
	r.csr_len = STORE_CSR_MAX + 1;
	assert_int_equal(store_submit_wait(f->s, apply_put_request, &r, why,
	    sizeof(why)), CA_ETOOBIG);
	r.csr_len = 10;
	r.status = STORE_REQ_COUNT;
	assert_int_equal(store_submit_wait(f->s, apply_put_request, &r, why,
	    sizeof(why)), CA_EINVAL);
}

/* A certificate round-trips field by field; the serial is unique. */
static void
test_cert_roundtrip(void **state)
{
	struct tsu_fx *f = *state;
	struct store_cert c, got;
	struct store_stats st;
	struct store_txn *t;
	char why[CA_WHY_MAX];

	tsu_cert(&c, 7, 1800000000);
	assert_int_equal(tsu_put_cert(f->s, &c, why, sizeof(why)), CA_OK);
	assert_int_equal(tsu_put_cert(f->s, &c, why, sizeof(why)), CA_EEXIST);
	assert_non_null(strstr(why, "serial 010007 exists already"));
	fx_reopen(f);
	assert_int_equal(store_read_begin(f->s, &t, why, sizeof(why)), CA_OK);
	assert_int_equal(store_get_cert(t, c.serial, c.serial_len, &got),
	    CA_OK);
	assert_int_equal(got.serial_len, 3);
	assert_memory_equal(got.serial, c.serial, 3);
	assert_int_equal(got.der_len, c.der_len);
	assert_memory_equal(got.der, c.der, c.der_len);
	assert_string_equal(got.template_name, c.template_name);
	assert_string_equal(got.requester, c.requester);
	assert_string_equal(got.subject_sid, c.subject_sid);
	assert_string_equal(got.subject_upn, c.subject_upn);
	assert_string_equal(got.subject_dns, c.subject_dns);
	assert_string_equal(got.subject_dn, c.subject_dn);
	assert_int_equal(got.not_before, c.not_before);
	assert_int_equal(got.not_after, c.not_after);
	assert_int_equal(got.status, STORE_CERT_VALID);
	assert_int_equal(got.request_id, 7);
	store_cert_clear(&got);
	assert_null(got.der);
	assert_int_equal(store_get_cert(t, (const unsigned char *)"\x02", 1,
	    &got), CA_ENOTFOUND);
	assert_non_null(strstr(store_txn_why(t), "certificate 02 not found"));
	store_read_end(t);
	assert_int_equal(store_stats(f->s, &st, why, sizeof(why)), CA_OK);
	assert_int_equal(st.certs, 1);
	assert_int_equal(st.revoked, 0);
}

/* Serials must be positive minimal DER INTEGER contents of <= 20 octets. */
static void
test_serial_rules(void **state)
{
	struct tsu_fx *f = *state;
	struct store_cert c;
	char why[CA_WHY_MAX];
	unsigned char big[21] = { 0x01 };

	(void)f;
	assert_int_equal(store_serial_check((const unsigned char *)"\x80", 1,
	    why, sizeof(why)), CA_EINVAL);
	assert_non_null(strstr(why, "positive"));
	assert_int_equal(store_serial_check((const unsigned char *)"\x00\x10",
	    2, why, sizeof(why)), CA_EINVAL);
	assert_int_equal(store_serial_check((const unsigned char *)"\x00", 1,
	    why, sizeof(why)), CA_EINVAL);
	assert_int_equal(store_serial_check((const unsigned char *)"\x00\x80",
	    2, why, sizeof(why)), CA_OK);
	assert_int_equal(store_serial_check(big, 21, why, sizeof(why)),
	    CA_ETOOBIG);
	assert_int_equal(store_serial_check(big, 20, why, sizeof(why)), CA_OK);
	tsu_cert(&c, 1, 1800000000);
	c.serial[0] = 0xff;
	assert_int_equal(tsu_put_cert(f->s, &c, why, sizeof(why)), CA_EINVAL);
	tsu_cert(&c, 1, 1800000000);
	c.not_before = c.not_after + 1;
	assert_int_equal(tsu_put_cert(f->s, &c, why, sizeof(why)), CA_EINVAL);
	tsu_cert(&c, 1, 1800000000);
	c.der_len = 0;
	assert_int_equal(tsu_put_cert(f->s, &c, why, sizeof(why)), CA_ETOOBIG);
}

/* apply: put one template. */
static int
apply_template(struct store_wtxn *w, void *arg)
{
	const char *name = arg;
	unsigned char hash[STORE_HASH_LEN];

	memset(hash, name[0], sizeof(hash));
	return store_w_put_template(w, name, name, strlen(name) + 1, hash);
}

/* apply: delete one template. */
static int
apply_del_template(struct store_wtxn *w, void *arg)
{
	return store_w_del_template(w, arg);
}

/* Append each template name to the string in arg. */
static int
list_template(const struct store_template *tp, void *arg)
{
	char *out = arg;

	assert_string_equal((const char *)tp->blob, tp->name);
	assert_int_equal(tp->hash[0], (unsigned char)tp->name[0]);
	strcat(out, tp->name);
	strcat(out, ";");
	return 0;
}

/* Templates: put, get, list in name order, delete. */
static void
test_templates(void **state)
{
	struct tsu_fx *f = *state;
	struct store_template tp;
	struct store_stats st;
	struct store_txn *t;
	char why[CA_WHY_MAX], list[256] = "";

	assert_int_equal(store_submit_wait(f->s, apply_template, "User", why,
	    sizeof(why)), CA_OK);
	assert_int_equal(store_submit_wait(f->s, apply_template, "PKCSIntune",
	    why, sizeof(why)), CA_OK);
	assert_int_equal(store_submit_wait(f->s, apply_template, "Machine",
	    why, sizeof(why)), CA_OK);
	assert_int_equal(store_submit_wait(f->s, apply_del_template,
	    "Machine", why, sizeof(why)), CA_OK);
	assert_int_equal(store_submit_wait(f->s, apply_del_template,
	    "Machine", why, sizeof(why)), CA_ENOTFOUND);
	assert_non_null(strstr(why, "template Machine not found"));
	assert_int_equal(store_read_begin(f->s, &t, why, sizeof(why)), CA_OK);
	assert_int_equal(store_get_template(t, "PKCSIntune", &tp), CA_OK);
	assert_string_equal(tp.name, "PKCSIntune");
	assert_int_equal(tp.blob_len, strlen("PKCSIntune") + 1);
	assert_string_equal((char *)tp.blob, "PKCSIntune");
	assert_int_equal(tp.hash[31], 'P');
	store_template_clear(&tp);
	assert_int_equal(store_get_template(t, "Machine", &tp), CA_ENOTFOUND);
	assert_int_equal(store_iter_templates(t, list_template, list), CA_OK);
	assert_string_equal(list, "PKCSIntune;User;");
	store_read_end(t);
	assert_int_equal(store_stats(f->s, &st, why, sizeof(why)), CA_OK);
	assert_int_equal(st.templates, 2);
}

/* apply: append the audit event in arg. */
static int
apply_audit(struct store_wtxn *w, void *arg)
{
	return store_w_audit(w, arg, NULL);
}

/* Collect audit sequence numbers into a string. */
static int
list_audit(uint64_t seq, const char *json, size_t len, void *arg)
{
	char *out = arg;
	char one[32];

	assert_int_equal(strlen(json), len);
	assert_non_null(strstr(json, "\"n\""));
	snprintf(one, sizeof(one), "%llu;", (unsigned long long)seq);
	strcat(out, one);
	return 0;
}

/* Audit: sequence grows, last N in order, bad JSON refused. */
static void
test_audit(void **state)
{
	struct tsu_fx *f = *state;
	struct store_stats st;
	struct store_txn *t;
	char why[CA_WHY_MAX], ev[64], list[256];

	for (int i = 0; i < 5; i++) {
		snprintf(ev, sizeof(ev), "{\"n\": %d, \"who\": \"alice\"}", i);
		assert_int_equal(store_submit_wait(f->s, apply_audit, ev, why,
		    sizeof(why)), CA_OK);
	}
	assert_int_equal(store_submit_wait(f->s, apply_audit, "[1,2]", why,
	    sizeof(why)), CA_EINVAL);
	assert_int_equal(store_submit_wait(f->s, apply_audit, "{\"n\": ", why,
	    sizeof(why)), CA_EINVAL);
	assert_non_null(strstr(why, "not a JSON object"));
	fx_reopen(f);
	assert_int_equal(store_submit_wait(f->s, apply_audit, "{\"n\": 5}",
	    why, sizeof(why)), CA_OK);
	assert_int_equal(store_read_begin(f->s, &t, why, sizeof(why)), CA_OK);
	list[0] = '\0';
	assert_int_equal(store_iter_audit_last(t, 3, list_audit, list), CA_OK);
	assert_string_equal(list, "4;5;6;");
	list[0] = '\0';
	assert_int_equal(store_iter_audit_last(t, 100, list_audit, list),
	    CA_OK);
	assert_string_equal(list, "1;2;3;4;5;6;");
	store_read_end(t);
	assert_int_equal(store_stats(f->s, &st, why, sizeof(why)), CA_OK);
	assert_int_equal(st.audit_events, 6);
	assert_true(st.map_used > 0 && st.map_used < st.map_size);
	assert_int_equal(st.map_size, STORE_MAP_SIZE_DEFAULT);
}

/* What apply_sticky saw on the writer thread (asserted by the test). */
static int sticky_status;
static char sticky_why[CA_WHY_MAX];

/* apply: put a cert, then fail a later put in the same chain. */
static int
apply_sticky(struct store_wtxn *w, void *arg)
{
	struct store_cert *c = arg;

	store_w_put_cert(w, c);
	store_w_meta_put(w, "", "x", 1);	/* empty name: fails */
	store_w_meta_put_u64(w, "after_failure", 1);
	sticky_status = store_w_status(w);
	snprintf(sticky_why, sizeof(sticky_why), "%s", store_w_why(w));
	return CA_OK;	/* the chain's error still aborts the job */
}

/* A failed chain is rolled back as a whole even if apply says OK. */
static void
test_sticky_chain(void **state)
{
	struct tsu_fx *f = *state;
	struct store_cert c, got;
	struct store_txn *t;
	char why[CA_WHY_MAX];
	uint64_t v;

	tsu_cert(&c, 9, 1800000000);
	assert_int_equal(store_submit_wait(f->s, apply_sticky, &c, why,
	    sizeof(why)), CA_EINVAL);
	assert_non_null(strstr(why, "meta name empty"));
	assert_int_equal(sticky_status, CA_EINVAL);
	assert_non_null(strstr(sticky_why, "meta name empty"));
	assert_int_equal(store_read_begin(f->s, &t, why, sizeof(why)), CA_OK);
	assert_int_equal(store_get_cert(t, c.serial, c.serial_len, &got),
	    CA_ENOTFOUND);
	assert_int_equal(store_meta_get_u64(t, "after_failure", &v),
	    CA_ENOTFOUND);
	store_read_end(t);
}

/* A store whose schema is newer than ours is refused with the sentence. */
static void
test_schema_newer(void **state)
{
	struct tsu_fx *f = *state;
	char why[CA_WHY_MAX], want[CA_WHY_MAX];

	store_close(f->s);
	f->s = NULL;
	assert_int_equal(tsu_raw_schema(f->dir, 4), 0);
	assert_int_equal(store_open(f->dir, NULL, &f->s, why, sizeof(why)),
	    CA_EVERSION);
	assert_null(f->s);
	snprintf(want, sizeof(want), "store %s: schema version 4 is newer "
	    "than this entca (%d); upgrade entca", f->dir,
	    STORE_SCHEMA_VERSION);
	assert_string_equal(why, want);
	/* Nothing was written: the refusal repeats. */
	assert_int_equal(store_open(f->dir, NULL, &f->s, why, sizeof(why)),
	    CA_EVERSION);
}

/* A record written by a newer format is refused, others still read. */
static void
test_record_newer(void **state)
{
	struct tsu_fx *f = *state;
	struct store_cert c, got;
	struct store_txn *t;
	char why[CA_WHY_MAX];
	static const unsigned char rec[] = { 2, 0xde, 0xad };

	tsu_cert(&c, 3, 1800000000);
	assert_int_equal(tsu_put_cert(f->s, &c, why, sizeof(why)), CA_OK);
	store_close(f->s);
	f->s = NULL;
	assert_int_equal(tsu_raw(f->dir, "certs", "\x05", 1, rec, sizeof(rec)),
	    0);
	assert_int_equal(tsu_raw(f->dir, "certs", "\x06", 1, "\x01\x00", 2), 0);
	fx_reopen(f);
	assert_int_equal(store_read_begin(f->s, &t, why, sizeof(why)), CA_OK);
	assert_int_equal(store_get_cert(t, (const unsigned char *)"\x05", 1,
	    &got), CA_EVERSION);
	assert_non_null(strstr(store_txn_why(t), "certificate record version "
	    "2 is newer than this entca (1); upgrade entca"));
	assert_int_equal(store_get_cert(t, (const unsigned char *)"\x06", 1,
	    &got), CA_EDB);
	assert_non_null(strstr(store_txn_why(t), "damaged"));
	assert_int_equal(store_get_cert(t, c.serial, c.serial_len, &got),
	    CA_OK);
	store_cert_clear(&got);
	store_read_end(t);
}

/* A folder that cannot be created gives CA_EIO with its path. */
static void
test_open_bad_folder(void **state)
{
	struct store *s = NULL;
	char why[CA_WHY_MAX];

	(void)state;
	assert_int_equal(store_open("/nonexistent-entca/x/y", NULL, &s, why,
	    sizeof(why)), CA_EIO);
	assert_non_null(strstr(why, "/nonexistent-entca/x/y"));
	assert_int_equal(store_open("/etc/hostname", NULL, &s, why,
	    sizeof(why)), CA_EIO);
	assert_non_null(strstr(why, "not a folder"));
}

/* apply: put one meta value (for the read-only test). */
static int
apply_meta_one(struct store_wtxn *w, void *arg)
{
	return store_w_meta_put_u64(w, "crl_number", *(uint64_t *)arg);
}

/* Read-only: reads and backup work, writes are refused, no store no open. */
static void
test_read_only(void **state)
{
	struct tsu_fx *f = *state;
	struct store_options ro = { .read_only = 1 };
	struct store *r = NULL, *b = NULL;
	struct store_txn *t;
	char why[CA_WHY_MAX], *bdir = tsu_tmpdir(), *empty = tsu_tmpdir();
	uint64_t v = 7;

	assert_int_equal(store_submit_wait(f->s, apply_meta_one, &v, why,
	    sizeof(why)), CA_OK);
	store_close(f->s);
	f->s = NULL;
	assert_int_equal(store_open(f->dir, &ro, &r, why, sizeof(why)), CA_OK);
	assert_int_equal(store_submit_wait(r, apply_meta_one, &v, why,
	    sizeof(why)), CA_ESTATE);
	assert_non_null(strstr(why, "read-only"));
	assert_int_equal(store_read_begin(r, &t, why, sizeof(why)), CA_OK);
	v = 0;
	assert_int_equal(store_meta_get_u64(t, "crl_number", &v), CA_OK);
	assert_int_equal(v, 7);
	store_read_end(t);
	assert_int_equal(store_backup(r, bdir, why, sizeof(why)), CA_OK);
	store_close(r);
	assert_int_equal(store_open(bdir, &ro, &b, why, sizeof(why)), CA_OK);
	assert_int_equal(store_read_begin(b, &t, why, sizeof(why)), CA_OK);
	assert_int_equal(store_meta_get_u64(t, "crl_number", &v), CA_OK);
	assert_int_equal(v, 7);
	store_read_end(t);
	store_close(b);
	/* An empty folder is no store: read-only does not create one. */
	assert_int_equal(store_open(empty, &ro, &r, why, sizeof(why)), CA_EIO);
	assert_non_null(strstr(why, empty));
	assert_null(r);
	tsu_rmdir(bdir);
	tsu_rmdir(empty);
}

/* A data.mdb that is not LMDB is refused with CA_EDB naming the store. */
static void
test_not_lmdb(void **state)
{
	struct store *s = NULL;
	char why[CA_WHY_MAX], path[256], *dir = tsu_tmpdir();
	FILE *fp;

	(void)state;
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (int i = 0; i < 4096; i++)
		fputc('x', fp);
	fclose(fp);
	assert_int_equal(store_open(dir, NULL, &s, why, sizeof(why)), CA_EDB);
	assert_null(s);
	assert_non_null(strstr(why, dir));
	assert_non_null(strstr(why, "not an LMDB file"));
	tsu_rmdir(dir);
}

/* Count revocation entries and remember the last seq. */
static int
last_seq(const struct store_revoked *e, void *arg)
{
	*(uint64_t *)arg = e->seq + 1000 * e->serial[0];
	return 0;
}

/*
 * Close f's store, write serial 05's by_revocation entry (revoked at
 * 1750000000, reason 6, not_after far away) as a record of version ver
 * behind its back, reopen it, and walk the delta from the start in a new
 * *t (the caller ends it): by_revocation is read by the delta walk (the
 * full one reads the CRL index since schema 3). Returns the walk's code.
 */
static int
walk_revocation_version(struct tsu_fx *f, unsigned char ver,
    struct store_txn **t, uint64_t *got)
{
	unsigned char key[8 + 1 + 1], v[1 + 1 + 1 + 8 + 8] = { ver, 1, 6 };
	char why[CA_WHY_MAX];

	store_close(f->s);
	f->s = NULL;
	/* time 1750000000 (sign-flipped big-endian), serial 05, kind 1 */
	memset(key, 0, sizeof(key));
	key[0] = 0x80;
	key[4] = 0x68;	/* 1750000000 = 0x684ee180 */
	key[5] = 0x4e;
	key[6] = 0xe1;
	key[7] = 0x80;
	key[8] = 0x05;
	key[9] = 1;
	memset(v + 11, 0x7f, 8);	/* not_after far away */
	assert_int_equal(tsu_raw(f->dir, "by_revocation", key, sizeof(key), v,
	    sizeof(v)), 0);
	fx_reopen(f);
	assert_int_equal(store_read_begin(f->s, t, why, sizeof(why)), CA_OK);
	return store_iter_rev(*t, STORE_ITER_CHANGES, 0, last_seq, got);
}

/* An older by_revocation version still reads; a newer one is refused. */
static void
test_revocation_versions(void **state)
{
	struct tsu_fx *f = *state;
	struct store_txn *t;
	uint64_t got = 99;

	assert_int_equal(walk_revocation_version(f, 1, &t, &got), CA_OK);
	assert_int_equal(got, 5 * 1000 + 0);	/* version 1: seq reads 0 */
	store_read_end(t);
	assert_int_equal(walk_revocation_version(f, 3, &t, &got), CA_EVERSION);
	assert_non_null(strstr(store_txn_why(t), "revocation entry record "
	    "version 3 is newer than this entca (2)"));
	store_read_end(t);
}

/* Run the record cases, each on a fresh store. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_mode_and_twice,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_meta,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_requests,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_cert_roundtrip,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_serial_rules,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_templates,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_audit,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_sticky_chain,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_schema_newer,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_record_newer,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test(test_open_bad_folder),
		cmocka_unit_test_setup_teardown(test_read_only,
		    tsu_fx_setup, tsu_fx_teardown),
		cmocka_unit_test(test_not_lmdb),
		cmocka_unit_test_setup_teardown(test_revocation_versions,
		    tsu_fx_setup, tsu_fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

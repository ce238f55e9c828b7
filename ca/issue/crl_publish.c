/*
 * CRL publication (see crl_publish.h). Numbers live in the store's meta
 * database; entries stream from a read transaction through crl/'s
 * two-pass encoder straight into one buffer; files are replaced with
 * write + fsync + rename so a reader never sees half a CRL.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "common/der.h"
#include "common/error.h"
#include "crl/crl.h"
#include "crl/parse.h"
#include "ca/issue/crl_publish.h"
#include "ca/signer/keyfile.h"
#include "ca/store/store.h"
#include "ca/store/store_audit.h"

#define CRLPUB_FILE_MAX ((size_t)1 << 31)	/* largest CRL file read back */

/* Where the full or delta CRL of a CA lives in the state folder. */
bool
crlpub_path(const char *state_dir, const char *ca_name, bool delta, char *buf,
    size_t len)
{
	int n = snprintf(buf, len, "%s/crl/%s%s.crl", state_dir, ca_name,
	    delta ? "+" : "");

	return n > 0 && (size_t)n < len;
}

/* crl/'s schedule from the CA's periods and overlap. */
void
crlpub_schedule(const struct crlpub *p, struct crl_schedule *s)
{
	crl_schedule_default(s);
	s->period = p->period_s;
	s->delta_period = p->delta_period_s;
	s->overlap = p->overlap_s;
}

/* Free the CRL bytes and zero the result. */
void
crlpub_result_clear(struct crlpub_result *r)
{
	if (r == NULL)
		return;
	free(r->der);
	memset(r, 0, sizeof(*r));
}

/* Path of the high-water file into buf; false if it does not fit. */
static bool
highwater_path(const char *state_dir, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", state_dir, CRLPUB_HIGHWATER_FILE);

	return n > 0 && (size_t)n < len;
}

/* Read the high-water file: zeros when it does not exist. */
static int
highwater_read(const char *state_dir, uint64_t *number, int64_t *this_update,
    char *why, size_t whylen)
{
	char path[4096], line[256];
	unsigned long long n;
	long long t;
	FILE *f;

	*number = 0;
	*this_update = 0;
	if (!highwater_path(state_dir, path, sizeof(path)))
		return ca_why(why, whylen, CA_EINVAL, "CRL high-water path too long");
	f = fopen(path, "r");
	if (f == NULL)
		return errno == ENOENT ? CA_OK : ca_why(why, whylen, CA_EIO,
		    "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "crl-number %llu", &n) == 1)
			*number = n;
		else if (sscanf(line, "this-update %lld", &t) == 1)
			*this_update = t;
	}
	fclose(f);
	return CA_OK;
}

/* Replace the high-water file atomically with number and this_update. */
static int
highwater_write(const char *state_dir, uint64_t number, int64_t this_update,
    char *why, size_t whylen)
{
	char path[4096], text[256];
	int n;

	if (!highwater_path(state_dir, path, sizeof(path)))
		return ca_why(why, whylen, CA_EINVAL, "CRL high-water path too long");
	n = snprintf(text, sizeof(text),
	    "# entca: the highest CRL number and thisUpdate this CA issued.\n"
	    "# Kept outside the store so a restored backup never reuses them.\n"
	    "crl-number %llu\nthis-update %lld\n",
	    (unsigned long long)number, (long long)this_update);
	return keyfile_write_replace(path, text, (size_t)n, 0644, why, whylen);
}

/* Read a u64 meta value; 0 when unset. */
static int
meta_u64(struct store_txn *t, const char *name, uint64_t *v)
{
	int rc;

	*v = 0;
	rc = store_meta_get_u64(t, name, v);
	return rc == CA_ENOTFOUND ? CA_OK : rc;
}

/* State of one write job: reserve the number and times of one CRL. */
struct reserve {
	const struct crlpub *p;
	bool delta;
	int64_t now;
	uint64_t number;
	uint64_t base;
	uint64_t base_seq;
	int64_t min_not_after;	/* full: entries expiring before are left off */
	struct crl_times times;
	int64_t held;
};

/*
 * Writer thread (LMDB's write lock also keeps a concurrent `entca crl
 * publish` out): number = above the store's counter and the high-water
 * file; thisUpdate no earlier than any issued before; the high-water
 * file is written before the number is committed, so whatever happens
 * next no number or earlier thisUpdate can be issued twice.
 */
static int
reserve_apply(struct store_wtxn *w, void *arg)
{
	struct reserve *r = arg;
	const struct crlpub *p = r->p;
	struct store_txn *t = store_w_txn(w);
	struct crl_schedule sched;
	uint64_t last = 0, hw_number, u;
	int64_t hw_time, last_time, base_time;
	char why[CA_WHY_MAX];
	int rc;

	if ((rc = meta_u64(t, CRLPUB_META_NUMBER, &last)) != CA_OK ||
	    (rc = meta_u64(t, CRLPUB_META_BASE, &r->base)) != CA_OK ||
	    (rc = meta_u64(t, CRLPUB_META_BASE_SEQ, &r->base_seq)) != CA_OK ||
	    (rc = meta_u64(t, CRLPUB_META_THIS_UPDATE, &u)) != CA_OK)
		return store_w_fail(w, rc, "CRL: %s", store_txn_why(t));
	last_time = (int64_t)u;
	if ((rc = meta_u64(t, CRLPUB_META_BASE_TIME, &u)) != CA_OK)
		return store_w_fail(w, rc, "CRL: %s", store_txn_why(t));
	base_time = (int64_t)u;
	if (r->delta && r->base == 0)
		return store_w_fail(w, CA_ESTATE,
		    "delta CRL: no full CRL has been published yet");
	if ((rc = highwater_read(p->state_dir, &hw_number, &hw_time, why,
	    sizeof(why))) != CA_OK)
		return store_w_fail(w, rc, "%s", why);
	if ((rc = crl_number_next(last, hw_number, &r->number, why,
	    sizeof(why))) != CA_OK)
		return store_w_fail(w, rc, "%s", why);
	crlpub_schedule(p, &sched);
	if ((rc = crl_schedule_times(&sched, r->delta, r->now, p->ca_not_before,
	    &r->times, why, sizeof(why))) != CA_OK)
		return store_w_fail(w, rc, "%s", why);
	if (hw_time > last_time)
		last_time = hw_time;
	r->held = crl_times_hold(&r->times, last_time);
	/*
	 * RFC 5280 §3.3: a revoked certificate stays on at least one CRL
	 * issued after it expired. Keeping every entry that expired after the
	 * previous full CRL's thisUpdate does exactly that: the first full
	 * CRL whose thisUpdate passes notAfter still lists it, the next one
	 * drops it.
	 */
	r->min_not_after = base_time != 0 ? base_time :
	    r->times.this_update - p->period_s;
	if ((rc = highwater_write(p->state_dir, r->number, r->times.this_update,
	    why, sizeof(why))) != CA_OK)
		return store_w_fail(w, rc, "CRL high-water: %s", why);
	store_w_meta_put_u64(w, CRLPUB_META_THIS_UPDATE,
	    (uint64_t)r->times.this_update);
	return store_w_meta_put_u64(w, CRLPUB_META_NUMBER, r->number);
}

/* A published CRL and who asked, for written_apply. */
struct written {
	const struct crlpub *p;
	const struct crlpub_result *res;
};

/*
 * Writer thread: a CRL now in service becomes the newest of its kind,
 * with its audit event in the same commit.
 */
static int
written_apply(struct store_wtxn *w, void *arg)
{
	const struct written *wr = arg;
	const struct crlpub_result *res = wr->res;
	char num[24], base[24], entries[24];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)res->number);
	snprintf(base, sizeof(base), "%llu", (unsigned long long)res->base_number);
	snprintf(entries, sizeof(entries), "%zu", res->entries);
	store_w_audit_event(w, (long long)res->published_at,
	    wr->p->audit_who != NULL ? wr->p->audit_who : "entcad",
	    wr->p->audit_who != NULL ? "" : "schedule", "crl-publish", "done",
	    "", "kind", res->delta ? "delta" : "full", "crl_number", num,
	    "base_number", res->delta ? base : "", "entries", entries, NULL);

	if (res->delta)
		return store_w_meta_put_u64(w, CRLPUB_META_DELTA, res->number);
	store_w_meta_put_u64(w, CRLPUB_META_BASE, res->number);
	store_w_meta_put_u64(w, CRLPUB_META_BASE_TIME, (uint64_t)res->this_update);
	return store_w_meta_put_u64(w, CRLPUB_META_BASE_SEQ, res->base_seq);
}

/* Iterator state handed to crl_build. */
struct feed {
	struct store_rev_iter *it;
	size_t count;
};

/* Copy one store entry into the encoder's form. */
static int
feed_next(void *arg, struct crl_entry *out)
{
	struct feed *f = arg;
	struct store_revoked e;
	int rc;

	rc = store_rev_iter_next(f->it, &e);
	if (rc <= 0)
		return rc;
	if (e.serial_len > sizeof(out->serial))
		return CA_ETOOBIG;
	memcpy(out->serial, e.serial, e.serial_len);
	out->serial_len = e.serial_len;
	out->revoked_at = e.changed_at;
	out->reason = e.kind == STORE_CHANGE_UNREVOKED ?
	    CRL_REASON_REMOVE_FROM_CRL : e.reason;
	out->invalidity_date = e.invalidity_date;
	f->count++;
	return 1;
}

/* Second pass from the same snapshot. */
static int
feed_rewind(void *arg)
{
	struct feed *f = arg;

	store_rev_iter_rewind(f->it);
	f->count = 0;
	return CA_OK;
}

/* List the entries of one CRL from a fresh snapshot and sign it. */
static int
build(const struct crlpub *p, const struct reserve *rs, int64_t now,
    struct crlpub_result *out, char *why, size_t whylen)
{
	struct crl_params cp;
	struct store_txn *t = NULL;
	struct feed f = { 0 };
	uint64_t seq = 0;
	int rc = CA_OK;

	memset(&cp, 0, sizeof(cp));
	cp.issuer_der = p->issuer_der;
	cp.issuer_len = p->issuer_len;
	cp.aki = p->aki;
	cp.aki_len = p->aki_len;
	cp.this_update = rs->times.this_update;
	cp.next_update = rs->times.next_update;
	cp.next_publish = rs->times.next_publish;
	cp.crl_number = rs->number;
	cp.delta = rs->delta;
	cp.base_crl_number = rs->base;
	if (!rs->delta) {
		cp.freshest_urls = p->delta_urls;
		cp.n_freshest = p->n_delta_urls;
	}
	cp.hash = p->hash;

	rc = store_read_begin(p->store, &t, why, whylen);
	if (rc != CA_OK)
		return rc;
	/*
	 * Full: every revoked certificate not expired before the previous
	 * full CRL (reserve_apply), and the change number of this snapshot.
	 * Delta: every change committed after the base's snapshot, so nothing
	 * falls between a base and its deltas.
	 */
	if (!rs->delta)
		rc = store_rev_seq(t, &seq);
	if (rc == CA_OK)
		rc = store_rev_iter_new(t, rs->delta ? STORE_ITER_CHANGES_SEQ :
		    STORE_ITER_REVOKED, rs->delta ? (int64_t)rs->base_seq :
		    rs->min_not_after, &f.it);
	if (rc != CA_OK) {
		ca_why(why, whylen, rc, "CRL: %s", store_txn_why(t));
		store_read_end(t);
		return rc;
	}
	rc = crl_build(&cp, feed_next, feed_rewind, &f, p->key, &out->der,
	    &out->der_len, why, whylen);
	store_rev_iter_free(f.it);
	store_read_end(t);
	if (rc != CA_OK)
		return rc;
	out->delta = rs->delta;
	out->number = rs->number;
	out->base_number = rs->delta ? rs->base : rs->number;
	out->this_update = cp.this_update;
	out->next_update = cp.next_update;
	out->published_at = now;
	out->held = rs->held;
	out->base_seq = seq;
	out->entries = f.count;
	return CA_OK;
}

/* Reserve a number, build and sign, write atomically, record it. */
int
crlpub_publish(const struct crlpub *p, bool delta, int64_t now,
    struct crlpub_result *out, char *why, size_t whylen)
{
	struct reserve rs = { .p = p, .delta = delta, .now = now };
	char path[4096], dir[4096];
	int rc;

	memset(out, 0, sizeof(*out));
	if (delta && p->previous_key)
		return ca_why(why, whylen, CA_EINVAL, "an earlier CA key publishes "
		    "full CRLs only");
	rc = store_submit_wait(p->store, reserve_apply, &rs, why, whylen);
	if (rc != CA_OK)
		return rc;
	rc = build(p, &rs, now, out, why, whylen);
	if (rc != CA_OK)
		return rc;
	snprintf(dir, sizeof(dir), "%s/crl", p->state_dir);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		ca_why(why, whylen, CA_EIO, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	if (!crlpub_path(p->state_dir, p->ca_name, delta, path, sizeof(path))) {
		ca_why(why, whylen, CA_EINVAL, "CRL path too long");
		goto fail;
	}
	rc = keyfile_write_replace(path, out->der, out->der_len, 0644, why, whylen);
	if (rc != CA_OK)
		goto fail;
	if (p->previous_key)
		return CA_OK;
	{
		struct written wr = { p, out };

		rc = store_submit_wait(p->store, written_apply, &wr, why, whylen);
	}
	if (rc != CA_OK)
		goto fail;
	return CA_OK;
fail:
	if (rc == CA_OK)
		rc = CA_EIO;
	crlpub_result_clear(out);
	return rc;
}

/* The store's CRL numbers in one snapshot. */
int
crlpub_state_read(const struct crlpub *p, struct crlpub_state *st, char *why,
    size_t whylen)
{
	struct store_txn *t = NULL;
	uint64_t u = 0;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = store_read_begin(p->store, &t, why, whylen);
	if (rc != CA_OK)
		return rc;
	if ((rc = meta_u64(t, CRLPUB_META_NUMBER, &st->number)) != CA_OK ||
	    (rc = meta_u64(t, CRLPUB_META_BASE, &st->full)) != CA_OK ||
	    (rc = meta_u64(t, CRLPUB_META_DELTA, &st->delta)) != CA_OK ||
	    (rc = meta_u64(t, CRLPUB_META_THIS_UPDATE, &u)) != CA_OK)
		ca_why(why, whylen, rc, "CRL state: %s", store_txn_why(t));
	st->this_update = (int64_t)u;
	store_read_end(t);
	return rc;
}

/* Files from this size on are read into transparent huge pages. */
#define HUGE_FILE_MIN (4u << 20)

/*
 * A free()-able buffer of n bytes for a file's contents. A large CRL (a
 * million entries is ~45 MB) goes into 2 MB pages where the kernel has
 * them: first-touch faults of 4 KB pages were most of entcad's start on
 * such a CRL (0.2-0.3 s on a virtual machine, against ~0.02 s).
 */
static unsigned char *
file_buffer(size_t n)
{
	void *p = NULL;

	if (n < HUGE_FILE_MIN)
		return malloc(n);
	if (posix_memalign(&p, HUGE_FILE_MIN / 2, n) != 0)
		return NULL;
	(void)madvise(p, n, MADV_HUGEPAGE);	/* advice: fine if refused */
	return p;
}

/* Read a whole file into a malloc'd buffer, bounded by CRLPUB_FILE_MAX. */
static int
read_file(const char *path, unsigned char **buf, size_t *len, char *why,
    size_t whylen)
{
	struct stat st;
	FILE *f;

	f = fopen(path, "rb");
	if (f == NULL)
		return ca_why(why, whylen, errno == ENOENT ? CA_ENOTFOUND : CA_EIO,
		    "%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) != 0 || st.st_size <= 0 ||
	    (size_t)st.st_size > CRLPUB_FILE_MAX) {
		fclose(f);
		return ca_why(why, whylen, CA_EIO, "%s: empty or too large", path);
	}
	*buf = file_buffer((size_t)st.st_size);
	if (*buf == NULL) {
		fclose(f);
		return CA_ENOMEM;
	}
	*len = fread(*buf, 1, (size_t)st.st_size, f);
	fclose(f);
	if (*len != (size_t)st.st_size) {
		free(*buf);
		*buf = NULL;
		return ca_why(why, whylen, CA_EIO, "%s: short read", path);
	}
	return CA_OK;
}

/* Read a published CRL back with its dates, number and base. */
int
crlpub_load(const char *state_dir, const char *ca_name, bool delta,
    struct crlpub_result *out, char *why, size_t whylen)
{
	struct crl_info info;
	char path[4096], inner[CA_WHY_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!crlpub_path(state_dir, ca_name, delta, path, sizeof(path)))
		return ca_why(why, whylen, CA_EINVAL, "CRL path too long");
	rc = read_file(path, &out->der, &out->der_len, why, whylen);
	if (rc != CA_OK)
		return rc;
	rc = crl_parse(out->der, out->der_len, &info, NULL, NULL, inner,
	    sizeof(inner));
	if (rc == CA_OK && (!info.has_number || info.delta != delta))
		rc = ca_why(inner, sizeof(inner), CA_EPARSE, "%s",
		    !info.has_number ? "no CRL number" : delta ?
		    "no delta CRL indicator" : "a delta CRL where the full one belongs");
	if (rc != CA_OK) {
		crlpub_result_clear(out);
		return ca_why(why, whylen, CA_EPARSE, "%s: %s", path, inner);
	}
	out->delta = delta;
	out->this_update = info.this_update;
	out->next_update = info.next_update;
	out->entries = info.entries;
	out->number = info.number;
	out->base_number = delta ? info.base : info.number;
	return CA_OK;
}

/* One recovery job: the CRLs in service and what was taken back. */
struct recover {
	const struct crlpub *p;
	const struct crlpub_result *crls[2];	/* full, then delta */
	uint64_t seen;
	int64_t seen_time;
	int64_t ca_not_after;
	struct store_wtxn *w;
	struct crlpub_recovery *rec;
};

/* Writer thread: record one CRL entry the store lacks. */
static int
recover_entry(void *arg, const struct crl_entry *e)
{
	struct recover *r = arg;
	struct store_wtxn *w = r->w;
	struct store_cert c;
	char why[CA_WHY_MAX];
	int rc;

	if (store_serial_check(e->serial, e->serial_len, why, sizeof(why)) != CA_OK)
		return 0;	/* not a serial this CA issues; nothing to keep */
	rc = store_get_cert(store_w_txn(w), e->serial, e->serial_len, &c);
	if (rc == CA_ENOTFOUND) {
		if (e->reason == CRL_REASON_REMOVE_FROM_CRL)
			return 0;
		r->rec->revoked++;
		r->rec->unknown++;
		return store_w_revoke_unknown(w, e->serial, e->serial_len, e->reason,
		    e->revoked_at, e->invalidity_date, r->ca_not_after);
	}
	if (rc != CA_OK)
		return store_w_fail(w, rc, "CRL recovery: %s",
		    store_txn_why(store_w_txn(w)));
	if (e->reason == CRL_REASON_REMOVE_FROM_CRL) {
		if (c.status == STORE_CERT_REVOKED && c.reason == STORE_REASON_HOLD) {
			r->rec->released++;
			store_w_unrevoke(w, e->serial, e->serial_len, e->revoked_at);
		}
	} else if (c.status == STORE_CERT_VALID ||
	    (c.reason == STORE_REASON_HOLD && e->reason != CRL_REASON_CERTIFICATE_HOLD)) {
		r->rec->revoked++;
		store_w_revoke(w, e->serial, e->serial_len, e->reason, e->revoked_at,
		    e->invalidity_date);
	}
	store_cert_clear(&c);
	return store_w_status(w);
}

/*
 * Writer thread: raise the counters, forget the stale base, take back
 * the revocations of the CRLs in service, and say so in the audit log.
 */
static int
recover_apply(struct store_wtxn *w, void *arg)
{
	struct recover *r = arg;
	struct store_txn *t = store_w_txn(w);
	struct crl_info info;
	uint64_t number = 0, tu = 0;
	char why[CA_WHY_MAX], json[512];
	int rc;

	r->w = w;
	if ((rc = meta_u64(t, CRLPUB_META_NUMBER, &number)) != CA_OK ||
	    (rc = meta_u64(t, CRLPUB_META_THIS_UPDATE, &tu)) != CA_OK)
		return store_w_fail(w, rc, "CRL recovery: %s", store_txn_why(t));
	if (r->seen > number)
		store_w_meta_put_u64(w, CRLPUB_META_NUMBER, r->seen);
	if (r->seen_time > (int64_t)tu)
		store_w_meta_put_u64(w, CRLPUB_META_THIS_UPDATE, (uint64_t)r->seen_time);
	/* The base of the restored store is not what is served: a new full
	 * CRL must come before any delta. */
	store_w_meta_put_u64(w, CRLPUB_META_BASE, 0);
	store_w_meta_put_u64(w, CRLPUB_META_DELTA, 0);
	for (int i = 0; i < 2; i++) {
		const struct crlpub_result *c = r->crls[i];

		if (c == NULL || c->der == NULL)
			continue;
		rc = crl_parse(c->der, c->der_len, &info, recover_entry, r, why,
		    sizeof(why));
		if (rc != CA_OK)
			return store_w_status(w) != CA_OK ? store_w_status(w) :
			    store_w_fail(w, rc, "CRL recovery: %s", why);
	}
	snprintf(json, sizeof(json), "{\"action\":\"crl-recover\",\"decision\":\"done\","
	    "\"reason\":\"store behind the published CRLs (restored backup)\","
	    "\"store_crl_number\":%llu,\"published_crl_number\":%llu,"
	    "\"revocations_recovered\":%zu,\"unknown_serials\":%zu,\"holds_released\":%zu}",
	    (unsigned long long)r->rec->store_number, (unsigned long long)r->seen,
	    r->rec->revoked, r->rec->unknown, r->rec->released);
	return store_w_audit(w, json, NULL);
}

/*
 * The signature of a CertificateList checked with ca's key over the
 * tbsCertList bytes, read with our DER walker: gnutls_x509_crl_import
 * has libtasn1 build the revokedCertificates list in quadratic time (a
 * million entries: a start that did not end in ten minutes), and a
 * restored store is when the CRL is big. Checks the outer and inner
 * algorithms are the same bytes (RFC 5280 §5.1.1.2) and the issuer is
 * ca's subject. CA_OK, CA_EPARSE (not a CRL of this shape), CA_ENOTFOUND
 * (an algorithm with parameters, RSA-PSS: left to GnuTLS), CA_ECRYPTO.
 */
static int
crl_signature_check(gnutls_x509_crt_t ca, const unsigned char *der, size_t len)
{
	struct der_tlv outer, tbs, alg, sig, oid, f;
	gnutls_datum_t dn = { NULL, 0 }, tbsd, sigd;
	gnutls_pubkey_t pub = NULL;
	char text[DER_OID_TEXT_MAX];
	gnutls_sign_algorithm_t algo;
	const unsigned char *p;
	size_t left;
	int rc = CA_ECRYPTO;

	if (der_read(der, len, &outer) != CA_OK || outer.tag != DER_SEQUENCE ||
	    outer.rawlen != len ||
	    der_read(outer.val, outer.len, &tbs) != CA_OK || tbs.tag != DER_SEQUENCE ||
	    der_read(tbs.raw + tbs.rawlen, outer.len - tbs.rawlen, &alg) != CA_OK ||
	    alg.tag != DER_SEQUENCE ||
	    der_read(alg.raw + alg.rawlen, outer.len - tbs.rawlen - alg.rawlen,
	    &sig) != CA_OK || sig.tag != DER_BIT_STRING || sig.len < 2 ||
	    sig.val[0] != 0 ||
	    tbs.rawlen + alg.rawlen + sig.rawlen != outer.len ||
	    der_read(alg.val, alg.len, &oid) != CA_OK || oid.tag != DER_OID ||
	    der_oid_text(oid.val, oid.len, text, sizeof(text)) != CA_OK)
		return CA_EPARSE;
	algo = gnutls_oid_to_sign(text);
	if (algo == GNUTLS_SIGN_UNKNOWN || gnutls_sign_get_pk_algorithm(algo) ==
	    GNUTLS_PK_RSA_PSS)
		return CA_ENOTFOUND;
	/* tbsCertList: [version INTEGER], signature, issuer, ... */
	p = tbs.val;
	left = tbs.len;
	if (der_read(p, left, &f) != CA_OK)
		return CA_EPARSE;
	if (f.tag == DER_INTEGER) {
		p += f.rawlen;
		left -= f.rawlen;
		if (der_read(p, left, &f) != CA_OK)
			return CA_EPARSE;
	}
	if (f.rawlen != alg.rawlen || memcmp(f.raw, alg.raw, alg.rawlen) != 0)
		return CA_ECRYPTO;
	p += f.rawlen;
	left -= f.rawlen;
	if (der_read(p, left, &f) != CA_OK || f.tag != DER_SEQUENCE)
		return CA_EPARSE;
	if (gnutls_x509_crt_get_raw_dn(ca, &dn) < 0 || dn.size != f.rawlen ||
	    memcmp(dn.data, f.raw, f.rawlen) != 0)
		goto out;
	tbsd.data = (unsigned char *)tbs.raw;
	tbsd.size = (unsigned)tbs.rawlen;
	sigd.data = (unsigned char *)sig.val + 1;
	sigd.size = (unsigned)sig.len - 1;
	if (gnutls_pubkey_init(&pub) >= 0 && gnutls_pubkey_import_x509(pub, ca, 0) >= 0 &&
	    gnutls_pubkey_verify_data2(pub, algo, 0, &tbsd, &sigd) >= 0)
		rc = CA_OK;
out:
	gnutls_free(dn.data);
	gnutls_pubkey_deinit(pub);
	return rc;
}

/* A CRL in service must be this CA's before anything is taken from it. */
static int
recover_verify(gnutls_x509_crt_t ca, const struct crlpub_result *c,
    const char *what, char *why, size_t whylen)
{
	gnutls_x509_crl_t crl = NULL;
	gnutls_datum_t d = { c->der, (unsigned)c->der_len };
	unsigned status = 1;
	int ok, rc = crl_signature_check(ca, c->der, c->der_len);

	if (rc == CA_ENOTFOUND) {
		/* Algorithms with parameters: GnuTLS reads them (slowly). */
		ok = gnutls_x509_crl_init(&crl) >= 0 &&
		    gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER) >= 0 &&
		    gnutls_x509_crl_verify(crl, &ca, 1, 0, &status) >= 0 && status == 0;
		gnutls_x509_crl_deinit(crl);
		rc = ok ? CA_OK : CA_ECRYPTO;
	}
	return rc == CA_OK ? CA_OK : ca_why(why, whylen, CA_ECRYPTO,
	    "%s CRL number %llu in the state folder does not verify with the CA "
	    "certificate; move it away to start", what, (unsigned long long)c->number);
}

/* Bring a restored store back above the CRLs in service; see crl_publish.h. */
int
crlpub_recover(const struct crlpub *p, gnutls_x509_crt_t ca_cert,
    int64_t ca_not_after, const struct crlpub_result *full,
    const struct crlpub_result *delta, struct crlpub_recovery *rec,
    char *why, size_t whylen)
{
	struct recover r;
	struct crlpub_state st;
	uint64_t hw_number;
	int64_t hw_time;
	int rc;

	memset(rec, 0, sizeof(*rec));
	memset(&r, 0, sizeof(r));
	if ((rc = highwater_read(p->state_dir, &hw_number, &hw_time, why, whylen)) != CA_OK ||
	    (rc = crlpub_state_read(p, &st, why, whylen)) != CA_OK)
		return rc;
	r.seen = hw_number;
	r.seen_time = hw_time;
	if (full->der != NULL && full->number > r.seen)
		r.seen = full->number;
	if (delta->der != NULL && delta->number > r.seen)
		r.seen = delta->number;
	if (full->der != NULL && full->this_update > r.seen_time)
		r.seen_time = full->this_update;
	if (delta->der != NULL && delta->this_update > r.seen_time)
		r.seen_time = delta->this_update;
	rec->store_number = st.number;
	rec->seen = r.seen;
	rec->restored = st.number < r.seen ||
	    (full->der != NULL && st.full != full->number);
	if (rec->restored) {
		if (full->der != NULL &&
		    (rc = recover_verify(ca_cert, full, "full", why, whylen)) != CA_OK)
			return rc;
		if (delta->der != NULL &&
		    (rc = recover_verify(ca_cert, delta, "delta", why, whylen)) != CA_OK)
			return rc;
		r.p = p;
		r.crls[0] = full;
		r.crls[1] = delta;
		r.ca_not_after = ca_not_after;
		r.rec = rec;
		rc = store_submit_wait(p->store, recover_apply, &r, why, whylen);
		if (rc != CA_OK)
			return rc;
	}
	if (hw_number < r.seen || hw_number < st.number || hw_time < r.seen_time ||
	    hw_time < st.this_update)
		return highwater_write(p->state_dir, r.seen > st.number ? r.seen :
		    st.number, r.seen_time > st.this_update ? r.seen_time :
		    st.this_update, why, whylen);
	return CA_OK;
}

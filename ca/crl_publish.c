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
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/x509.h>

#include "common/error.h"
#include "crl/crl.h"
#include "ca/crl_publish.h"
#include "ca/keyfile.h"
#include "ca/store.h"

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

/* State of one write job: reserve (and read) the CRL numbers. */
struct reserve {
	bool delta;
	uint64_t number;
	uint64_t base;
	uint64_t base_seq;
};

/* Writer thread: number = last + 1, committed before the CRL exists. */
static int
reserve_apply(struct store_wtxn *w, void *arg)
{
	struct reserve *r = arg;
	struct store_txn *t = store_w_txn(w);
	uint64_t last = 0;
	int rc;

	rc = store_meta_get_u64(t, CRLPUB_META_NUMBER, &last);
	if (rc != CA_OK && rc != CA_ENOTFOUND)
		return rc;
	r->base = 0;
	rc = store_meta_get_u64(t, CRLPUB_META_BASE, &r->base);
	if (rc != CA_OK && rc != CA_ENOTFOUND)
		return rc;
	r->base_seq = 0;
	rc = store_meta_get_u64(t, CRLPUB_META_BASE_SEQ, &r->base_seq);
	if (rc != CA_OK && rc != CA_ENOTFOUND)
		return rc;
	if (r->delta && r->base == 0)
		return store_w_fail(w, CA_ESTATE,
		    "delta CRL: no full CRL has been published yet");
	r->number = last + 1;
	return store_w_meta_put_u64(w, CRLPUB_META_NUMBER, r->number);
}

/* Writer thread: a full CRL becomes the base of later deltas. */
static int
base_apply(struct store_wtxn *w, void *arg)
{
	const struct crlpub_result *res = arg;

	store_w_meta_put_u64(w, CRLPUB_META_BASE, res->number);
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
	struct crl_schedule sched;
	struct crl_times times;
	struct store_txn *t = NULL;
	struct feed f = { 0 };
	uint64_t seq = 0;
	int rc;

	crlpub_schedule(p, &sched);
	rc = crl_schedule_times(&sched, rs->delta, now, p->ca_not_before, &times,
	    why, whylen);
	if (rc != CA_OK)
		return rc;
	memset(&cp, 0, sizeof(cp));
	cp.issuer_der = p->issuer_der;
	cp.issuer_len = p->issuer_len;
	cp.aki = p->aki;
	cp.aki_len = p->aki_len;
	cp.this_update = times.this_update;
	cp.next_update = times.next_update;
	cp.next_publish = times.next_publish;
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
	 * Full: every revoked, unexpired certificate, and the change number
	 * of this snapshot. Delta: every change committed after the base's
	 * snapshot, so nothing falls between a base and its deltas.
	 */
	if (!rs->delta)
		rc = store_rev_seq(t, &seq);
	if (rc == CA_OK)
		rc = store_rev_iter_new(t, rs->delta ? STORE_ITER_CHANGES_SEQ :
		    STORE_ITER_REVOKED, rs->delta ? (int64_t)rs->base_seq : now, &f.it);
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
	out->base_seq = seq;
	out->entries = f.count;
	return CA_OK;
}

/* Reserve a number, build and sign, write atomically, record the base. */
int
crlpub_publish(const struct crlpub *p, bool delta, int64_t now,
    struct crlpub_result *out, char *why, size_t whylen)
{
	struct reserve rs = { .delta = delta };
	char path[4096], dir[4096];
	int rc;

	memset(out, 0, sizeof(*out));
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
	if (!delta) {
		rc = store_submit_wait(p->store, base_apply, out, why, whylen);
		if (rc != CA_OK)
			goto fail;
	}
	if (p->extra != NULL) {
		rc = p->extra(p->extra_arg, delta, out->der, out->der_len, why, whylen);
		if (rc != CA_OK)
			goto fail;
	}
	return CA_OK;
fail:
	if (rc == CA_OK)
		rc = CA_EIO;
	crlpub_result_clear(out);
	return rc;
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
	*buf = malloc((size_t)st.st_size);
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

/* Read a published CRL back with its dates and number (start-up). */
int
crlpub_load(const char *state_dir, const char *ca_name, bool delta,
    struct crlpub_result *out, char *why, size_t whylen)
{
	gnutls_x509_crl_t crl = NULL;
	gnutls_datum_t d;
	char path[4096];
	unsigned char num[32];
	size_t numlen = sizeof(num);
	unsigned crit;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!crlpub_path(state_dir, ca_name, delta, path, sizeof(path)))
		return ca_why(why, whylen, CA_EINVAL, "CRL path too long");
	rc = read_file(path, &out->der, &out->der_len, why, whylen);
	if (rc != CA_OK)
		return rc;
	d.data = out->der;
	d.size = (unsigned)out->der_len;
	if (gnutls_x509_crl_init(&crl) < 0 ||
	    gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crl_deinit(crl);
		crlpub_result_clear(out);
		return ca_why(why, whylen, CA_EPARSE, "%s: not a DER CRL", path);
	}
	out->delta = delta;
	/* A loaded delta's base is not read back: the daemon then publishes a
	 * fresh delta against the current full CRL, which is harmless. */
	out->this_update = gnutls_x509_crl_get_this_update(crl);
	out->next_update = gnutls_x509_crl_get_next_update(crl);
	out->entries = (size_t)gnutls_x509_crl_get_crt_count(crl);
	if (gnutls_x509_crl_get_number(crl, num, &numlen, &crit) >= 0)
		for (size_t i = 0; i < numlen && i < 8; i++)
			out->number = (out->number << 8) | num[i];
	out->base_number = delta ? 0 : out->number;
	gnutls_x509_crl_deinit(crl);
	return CA_OK;
}

/*
 * /ocsp over HTTP (RFC 6960 appendix A, RFC 5019 §5 and §6): POST with
 * application/ocsp-request, GET /ocsp/<url-encoded base64 of the DER>.
 *
 * Threads: ocsp_serve runs on the loop. It decodes and parses the request,
 * refuses what is malformed, too big or not ours, and answers a single
 * CertID without nonce from the cache when the store still says what the
 * cached response says (one LMDB read transaction: a memory-mapped read,
 * no write, no signature). Everything else goes to a worker
 * (ocsp_sign_run), which reads the store, signs through the signer
 * process and fills the cache; ocsp_sign_done answers on the loop.
 *
 * OCSP-level refusals are HTTP 200 with an unsigned OCSPResponse whose
 * status says why (§2.3); HTTP-level ones (413, 415, 405) are plain text.
 * Every refusal is logged once with the peer and the reason. Too many
 * CertIDs is malformedRequest, not tryLater: asking again will not help.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>

#include "common/base64.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/hex.h"
#include "common/log.h"
#include "ca/daemon/daemon.h"
#include "ca/daemon/job_error.h"
#include "ca/daemon/workers.h"
#include "ca/http/http.h"
#include "ca/http/http_parse.h"
#include "ca/http/http_util.h"
#include "ca/ocsp/ocsp_int.h"
#include "ca/signer/signer.h"
#include "ca/store/store.h"

#define OCSP_MEDIA_REQ "application/ocsp-request"
#define OCSP_MEDIA_RESP "application/ocsp-response"

/* A request on its way through a worker. */
struct ocsp_job {
	struct daemon *d;
	struct ocsp *o;
	struct http_request *req;	/* loop only */
	struct ocsp_request r;
	bool cacheable;			/* one CertID, no nonce */
	int resp_status;		/* OCSP_RESP_* */
	struct ocsp_blob *blob;		/* the signed response */
	char why[CA_WHY_MAX];
};

/* Log a refusal once, with the peer and the time taken (loop). */
static void
ocsp_log_refusal(struct http_request *req, int status, const char *why)
{
	log_info("- %s %s from %s: %d %s (request %s, %.1f ms)", req->method,
	    req->path[0] != '\0' && strlen(req->path) > 64 ? OCSP_PATH "/..." : req->path,
	    req->peer, status, why, req->request_id,
	    (double)(http_monotonic_ns() - req->started_ns) / 1e6);
	req->logged = true;
}

/*
 * HTTP-level refusal (loop): the status comes from the project's one
 * error table (job_error.h), which also logs it.
 */
static void
ocsp_reply_http(struct http_request *req, int err, const char *why)
{
	job_error_respond(req, err, err == CA_EMETHOD ? "GET, POST" : NULL, why);
}

/* OCSP-level refusal: 200 with the unsigned status (loop). */
static void
ocsp_reply_status(struct ocsp *o, struct http_request *req, int status,
    const char *why)
{
	struct http_header h[2] = {
		{ "Content-Type", OCSP_MEDIA_RESP },
		{ "Cache-Control", "no-store" },
	};
	char text[CA_WHY_MAX + 40];
	unsigned char der[OCSP_ERROR_LEN];
	size_t len;

	atomic_fetch_add(&o->by_resp_status[status], 1);
	snprintf(text, sizeof(text), "OCSP %s: %s", ocsp_resp_status_name(status), why);
	ocsp_log_refusal(req, 200, text);
	len = ocsp_response_error(status, der);
	http_respond(req, 200, h, 2, der, len);
}

/* A signed response with RFC 5019 §6.2 caching headers (loop). */
static void
ocsp_reply_blob(struct ocsp *o, struct http_request *req,
    const struct ocsp_blob *b, bool cacheable)
{
	char lm[HTTP_DATE_LEN], ex[HTTP_DATE_LEN], cc[96];
	const char *inm = http_request_header(req, "If-None-Match");
	struct http_header h[5];
	int64_t now = ca_now(), age;
	size_t n = 0;

	atomic_fetch_add(&o->by_cert_status[b->cert_status], 1);
	h[n++] = (struct http_header){ "Content-Type", OCSP_MEDIA_RESP };
	if (!cacheable) {
		/* A nonce makes the response this client's alone. */
		h[n++] = (struct http_header){ "Cache-Control", "no-store" };
		http_respond(req, 200, h, n, b->der, b->len);
		return;
	}
	age = b->refresh_at - now;
	snprintf(cc, sizeof(cc), "max-age=%lld, public, no-transform, must-revalidate",
	    (long long)(age > 0 ? age : 0));
	http_date_format((time_t)b->produced_at, lm);
	http_date_format((time_t)b->next_update, ex);
	h[n++] = (struct http_header){ "Cache-Control", cc };
	h[n++] = (struct http_header){ "ETag", b->etag };
	h[n++] = (struct http_header){ "Last-Modified", lm };
	h[n++] = (struct http_header){ "Expires", ex };
	if (inm != NULL && strcmp(inm, b->etag) == 0) {
		http_respond(req, 304, h + 1, n - 1, NULL, 0);
		return;
	}
	http_respond(req, 200, h, n, b->der, b->len);
}

/* What the store says about serial, as a snapshot; t is a read txn. */
static int
ocsp_lookup(struct store_txn *t, const struct ocsp_certid *id,
    struct ocsp_snap *s)
{
	struct store_cert c;
	int rc;

	memset(s, 0, sizeof(*s));
	s->status = OCSP_CERT_UNKNOWN;
	s->reason = -1;
	if (id->serial_len == 0 || store_serial_check(id->serial, id->serial_len, NULL, 0) != CA_OK)
		return CA_OK;	/* never one of ours */
	memset(&c, 0, sizeof(c));
	rc = store_get_cert(t, id->serial, id->serial_len, &c);
	if (rc == CA_ENOTFOUND)
		return CA_OK;
	if (rc != CA_OK)
		return rc;
	s->exists = true;
	if (c.status == STORE_CERT_VALID) {
		s->status = OCSP_CERT_GOOD;
	} else {
		/* certificateHold is revoked with reason hold (§2.2, RFC
		 * 5280 §5.3.1); unspecified is left out as on CRLs. */
		s->status = OCSP_CERT_REVOKED;
		s->revoked_at = c.revoked_at;
		s->reason = c.reason != STORE_REASON_UNSPECIFIED ? c.reason : -1;
	}
	s->unrevoked_at = c.unrevoked_at;
	store_cert_clear(&c);
	return CA_OK;
}

/* Whether a CertID names this CA under a hash we know. */
static bool
ocsp_ours(const struct ocsp *o, const struct ocsp_certid *id)
{
	for (size_t i = 0; i < OCSP_ISSUER_HASHES; i++) {
		const struct ocsp_issuer_hash *h = &o->issuer[i];

		if (h->dig == id->hash)
			return id->name_hash_len == h->len && id->key_hash_len == h->len &&
			    memcmp(id->name_hash, h->name, h->len) == 0 &&
			    memcmp(id->key_hash, h->key, h->len) == 0;
	}
	return false;
}

/* Sign the job's response with the key in service (worker). */
static int
ocsp_sign_once(struct ocsp_job *j, const struct ocsp_single *s, int64_t now,
    unsigned char **der, size_t *len, int64_t *next)
{
	struct ocsp *o = j->o;
	struct ocsp_key *k = ocsp_key_get(o);
	struct ocsp_single *ss = NULL;
	uint64_t t0;
	int rc;

	if (k == NULL)
		return ca_why(j->why, sizeof(j->why), CA_EUNAVAIL, "no OCSP signing key");
	if ((ss = calloc(j->r.n, sizeof(*ss))) == NULL) {
		ocsp_key_put(k);
		return ca_why(j->why, sizeof(j->why), CA_ENOMEM, "out of memory");
	}
	*next = now + j->o->cfg.ocsp_validity_s;
	/* A response is never valid past its signer (RFC 6960 §4.2.2.2). */
	if (*next > k->not_after)
		*next = k->not_after;
	for (size_t i = 0; i < j->r.n; i++) {
		ss[i] = s[i];
		ss[i].next_update = *next;
	}
	t0 = http_monotonic_ns();
	rc = ocsp_response_sign(&k->rs, now, ss, j->r.n,
	    j->r.has_nonce ? j->r.nonce_ext : NULL, j->r.nonce_ext_len, der, len,
	    j->why, sizeof(j->why));
	ocsp_count_sign(o, (double)(http_monotonic_ns() - t0) / 1e9);
	if (rc != CA_OK && k->delegated) {
		const char *w;

		/* A restarted signer child has lost the delegated key. */
		if (signer_ocsp_last_error(&w) == CA_ENOTFOUND) {
			atomic_store(&o->need_roll, true);
			rc = CA_ENOTFOUND;
		}
		if (w[0] != '\0')
			snprintf(j->why, sizeof(j->why), "%s", w);
	}
	ocsp_key_put(k);
	free(ss);
	return rc;
}

/* Worker: look every CertID up, sign, and keep a single in the cache. */
static void
ocsp_sign_run(void *arg)
{
	struct ocsp_job *j = arg;
	struct ocsp *o = j->o;
	struct store_txn *t = NULL;
	struct ocsp_single *s = NULL;
	struct ocsp_snap *snap = NULL;
	unsigned char *der = NULL, etag[20];
	size_t len = 0;
	int64_t now = ca_now(), next = 0;
	int rc;

	j->resp_status = OCSP_RESP_INTERNAL;
	s = calloc(j->r.n, sizeof(*s));
	snap = calloc(j->r.n, sizeof(*snap));
	if (s == NULL || snap == NULL) {
		snprintf(j->why, sizeof(j->why), "out of memory");
		goto out;
	}
	rc = store_read_begin(j->d->store, &t, j->why, sizeof(j->why));
	for (size_t i = 0; i < j->r.n && rc == CA_OK; i++) {
		rc = ocsp_lookup(t, &j->r.ids[i], &snap[i]);
		if (rc != CA_OK)
			snprintf(j->why, sizeof(j->why), "%s", store_txn_why(t));
		s[i].certid_der = j->r.ids[i].der;
		s[i].certid_len = j->r.ids[i].der_len;
		s[i].status = snap[i].status;
		s[i].revoked_at = snap[i].revoked_at;
		s[i].reason = snap[i].reason;
		s[i].this_update = now;
	}
	store_read_end(t);
	if (rc != CA_OK)
		goto out;
	rc = ocsp_sign_once(j, s, now, &der, &len, &next);
	if (rc == CA_ENOTFOUND) {
		/* Make a new key now and sign once more; nothing is lost. */
		rc = ocsp_key_roll(o, j->why, sizeof(j->why));
		if (rc == CA_OK)
			rc = ocsp_sign_once(j, s, now, &der, &len, &next);
	}
	if (rc != CA_OK) {
		j->resp_status = rc == CA_EUNAVAIL || rc == CA_ETIMEOUT ?
		    OCSP_RESP_TRY_LATER : OCSP_RESP_INTERNAL;
		goto out;
	}
	if ((j->blob = ocsp_blob_new(der, len)) == NULL) {
		snprintf(j->why, sizeof(j->why), "out of memory");
		goto out;
	}
	j->blob->produced_at = now;
	j->blob->this_update = now;
	j->blob->next_update = next;
	j->blob->refresh_at = now + j->o->cfg.ocsp_refresh_s < next ?
	    now + j->o->cfg.ocsp_refresh_s : next;
	j->blob->cert_status = s[0].status;
	/* RFC 5019 §6.2: the ETag is the SHA-1 of the OCSPResponse. */
	gnutls_hash_fast(GNUTLS_DIG_SHA1, der, len, etag);
	j->blob->etag[0] = '"';
	hex_encode(etag, sizeof(etag), j->blob->etag + 1);
	strcat(j->blob->etag, "\"");
	if (j->cacheable)
		ocsp_cache_put(&o->cache, j->r.ids[0].der, j->r.ids[0].der_len,
		    j->r.ids[0].serial, j->r.ids[0].serial_len, &snap[0], j->blob);
	j->resp_status = OCSP_RESP_SUCCESSFUL;
out:
	free(der);
	free(s);
	free(snap);
}

/* Loop: answer what the worker made. */
static void
ocsp_sign_done(void *arg)
{
	struct ocsp_job *j = arg;

	if (j->resp_status == OCSP_RESP_SUCCESSFUL)
		ocsp_reply_blob(j->o, j->req, j->blob, j->cacheable);
	else
		ocsp_reply_status(j->o, j->req, j->resp_status, j->why);
	ocsp_blob_put(j->blob);
	ocsp_request_clear(&j->r);
	free(j);
}

/* GET: percent-decode, then base64 (either alphabet) into der. */
static int
ocsp_get_der(const char *enc, unsigned char *der, size_t cap, size_t *len,
    char *why, size_t whylen)
{
	char text[HTTP_URI_MAX + 1];
	size_t tl = 0;

	if (http_pct_decode(enc, strlen(enc), false, text, sizeof(text), &tl) != CA_OK)
		return ca_why(why, whylen, CA_EPARSE, "GET: bad percent-encoding");
	for (size_t i = 0; i < tl; i++) {
		if (text[i] == '-')
			text[i] = '+';
		else if (text[i] == '_')
			text[i] = '/';
		else if (text[i] == ' ')
			text[i] = '+';	/* a '+' some client decoded as a space */
	}
	return base64_decode_buf(text, tl, der, cap, len, why, whylen);
}

/* /ocsp: see the file comment. */
void
ocsp_serve(struct daemon *d, struct http_request *req)
{
	struct ocsp *o = d->ocsp;
	const struct ca_config *c = o != NULL ? &o->cfg : d->cfg;
	struct ocsp_job *j = NULL;
	unsigned char getbuf[HTTP_URI_MAX];
	const unsigned char *der;
	size_t len = 0;
	char why[CA_WHY_MAX];
	bool get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
	int rc;

	if (o == NULL) {
		ocsp_reply_http(req, CA_ENOTFOUND, "OCSP is not served here ([ocsp] enabled = no)");
		return;
	}
	if (strcmp(req->method, "POST") == 0) {
		if (strcmp(req->path, OCSP_PATH) != 0 && strcmp(req->path, OCSP_PATH "/") != 0) {
			ocsp_reply_http(req, CA_ENOTFOUND, "OCSP: POST to " OCSP_PATH);
			return;
		}
		if (!http_media_type_is(http_request_header(req, "Content-Type"), OCSP_MEDIA_REQ)) {
			ocsp_reply_http(req, CA_EMEDIA, "OCSP: Content-Type must be " OCSP_MEDIA_REQ
			    " (RFC 6960 appendix A.1)");
			return;
		}
		if (req->body_len > c->ocsp_max_request) {
			snprintf(why, sizeof(why), "OCSP: request of %zu bytes, more than "
			    "[ocsp] max-request-size %zu", req->body_len, c->ocsp_max_request);
			ocsp_reply_http(req, CA_ETOOBIG, why);
			return;
		}
		der = req->body;
		len = req->body_len;
	} else if (get) {
		if (strncmp(req->path, OCSP_PATH "/", strlen(OCSP_PATH) + 1) != 0 ||
		    req->path[strlen(OCSP_PATH) + 1] == '\0') {
			ocsp_reply_http(req, CA_EPARSE, "OCSP: GET " OCSP_PATH
			    "/<url-encoded base64 of the DER request> (RFC 6960 appendix A.1)");
			return;
		}
		rc = ocsp_get_der(req->path + strlen(OCSP_PATH) + 1, getbuf,
		    c->ocsp_max_request < sizeof(getbuf) ? c->ocsp_max_request : sizeof(getbuf),
		    &len, why, sizeof(why));
		if (rc == CA_ETOOBIG) {
			snprintf(why, sizeof(why), "OCSP: request of more than "
			    "[ocsp] max-request-size %zu bytes", c->ocsp_max_request);
			ocsp_reply_http(req, CA_ETOOBIG, why);
			return;
		}
		if (rc != CA_OK) {
			ocsp_reply_status(o, req, OCSP_RESP_MALFORMED, why);
			return;
		}
		der = getbuf;
	} else {
		ocsp_reply_http(req, CA_EMETHOD, "OCSP: use GET or POST");
		return;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		ocsp_reply_status(o, req, OCSP_RESP_INTERNAL, "out of memory");
		return;
	}
	j->d = d;
	j->o = o;
	j->req = req;
	rc = ocsp_request_parse(der, len, c->ocsp_max_certs, c->ocsp_nonce_max, &j->r,
	    why, sizeof(why));
	if (rc != CA_OK) {
		ocsp_reply_status(o, req, rc == CA_ENOMEM ? OCSP_RESP_INTERNAL :
		    OCSP_RESP_MALFORMED, why);
		free(j);
		return;
	}
	for (size_t i = 0; i < j->r.n; i++)
		if (!ocsp_ours(o, &j->r.ids[i])) {
			snprintf(why, sizeof(why), "CertID %zu names another issuer%s", i + 1,
			    j->r.ids[i].hash == GNUTLS_DIG_UNKNOWN ? " (or an unknown hash)" : "");
			ocsp_reply_status(o, req, OCSP_RESP_UNAUTHORIZED, why);
			ocsp_request_clear(&j->r);
			free(j);
			return;
		}
	j->cacheable = j->r.n == 1 && !j->r.has_nonce;
	if (j->cacheable) {
		struct store_txn *t = NULL;
		struct ocsp_snap snap;
		struct ocsp_blob *b = NULL;

		if (store_read_begin(d->store, &t, why, sizeof(why)) == CA_OK &&
		    ocsp_lookup(t, &j->r.ids[0], &snap) == CA_OK)
			b = ocsp_cache_get(&o->cache, j->r.ids[0].der, j->r.ids[0].der_len,
			    j->r.ids[0].serial, j->r.ids[0].serial_len, &snap, ca_now());
		store_read_end(t);
		if (b != NULL) {
			atomic_fetch_add(&o->hits, 1);
			ocsp_reply_blob(o, req, b, true);
			ocsp_blob_put(b);
			ocsp_request_clear(&j->r);
			free(j);
			return;
		}
		atomic_fetch_add(&o->misses, 1);
	}
	if (workers_submit(d->workers, ocsp_sign_run, ocsp_sign_done, j) != CA_OK) {
		ocsp_reply_status(o, req, OCSP_RESP_TRY_LATER, "the daemon is stopping");
		ocsp_request_clear(&j->r);
		free(j);
	}
}

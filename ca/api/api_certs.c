/*
 * GET /api/v1/certificates (search with filters and cursor paging, newest
 * first) and GET /api/v1/certificates/<serial> (JSON, DER, PEM or a
 * certs-only PKCS#7 with the chain, by Accept). Readable with the CA
 * officer or auditor right. Setup runs on the loop; the read runs on a
 * worker in its own LMDB read transaction.
 *
 * Which index answers a search: sid=, upn= and device= walk by_subject
 * (only that principal's certificates are read); every other search walks
 * by_issued newest first, bounded by issued_after/issued_before, and stops
 * as soon as a page is full. The cursor is the position of the last row
 * given (notBefore and serial), so pages neither repeat nor skip rows
 * while certificates are issued in between.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca/api/api_int.h"
#include "ca/daemon/daemon.h"
#include "ca/identity/identity.h"
#include "ca/issue/pkcs7.h"
#include "ca/issue/revoke.h"
#include "ca/store/store.h"
#include "common/clock.h"
#include "common/hex.h"
#include "common/log.h"
#include "crl/reason.h"
#include "policy/rights.h"

#define CERTS_DNS_MAX 64		/* SAN dNSNames listed per certificate */
#define CERTS_CURSOR_MAX (2 + 16 + 2 * STORE_SERIAL_MAX + 1)
#define CERTS_READ_RIGHTS (CA_RIGHT_OFFICER | CA_RIGHT_AUDITOR)

/* The status filter's values; ANY matches all. */
enum certs_status {
	CERTS_ANY,
	CERTS_ISSUED,
	CERTS_REVOKED,
	CERTS_EXPIRED,
	CERTS_HOLD,
	CERTS_STATUS_COUNT
};

static const char *const certs_status_names[CERTS_STATUS_COUNT] = {
	[CERTS_ANY] = "any",
	[CERTS_ISSUED] = "issued",
	[CERTS_REVOKED] = "revoked",
	[CERTS_EXPIRED] = "expired",
	[CERTS_HOLD] = "hold",
};

/* One row kept for the page being built. */
struct certs_row {
	struct store_issued_pos pos;
	json_t *obj;
};

/* A search: its filters, the page being built, the read state. */
struct certs_query {
	int status;
	char template_name[STORE_TEMPLATE_NAME_MAX];
	char requester[STORE_NAME_MAX];
	char subject[STORE_DN_MAX];
	char upn[STORE_NAME_MAX], sid[STORE_SID_MAX];
	char dns[STORE_NAME_MAX], device[STORE_NAME_MAX];
	char serial[2 * STORE_SERIAL_MAX + 1];	/* hex prefix, lower case */
	int64_t issued_after, issued_before, expires_after, expires_before;
	bool have_after;
	struct store_issued_pos after;
	size_t limit;
	int64_t now;

	/* show */
	unsigned char one[STORE_SERIAL_MAX];
	size_t one_len;

	/* the page, newest first; holds at most limit + 1 rows */
	struct certs_row *rows;
	size_t n_rows;
	struct store_txn *t;
};

/* Free a search. */
static void
certs_query_free(void *arg)
{
	struct certs_query *q = arg;

	if (q == NULL)
		return;
	for (size_t i = 0; i < q->n_rows; i++)
		json_decref(q->rows[i].obj);
	free(q->rows);
	free(q);
}

/* A search or one certificate: what the routes' setups fill. */
const struct api_ctx api_certs_ctx = { sizeof(struct certs_query),
    certs_query_free };

/* The status a person asks about: issued, revoked, hold or expired. */
static int
cert_status(const struct store_cert *c, int64_t now)
{
	if (c->status == STORE_CERT_REVOKED)
		return c->reason == STORE_REASON_HOLD ? CERTS_HOLD :
		    CERTS_REVOKED;
	return c->not_after < now ? CERTS_EXPIRED : CERTS_ISSUED;
}

/* The SAN dNSNames of der as a JSON array (empty when none or no DER). */
static json_t *
cert_dns_names(const unsigned char *der, size_t len)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };
	json_t *a = json_array();
	char name[STORE_NAME_MAX];
	size_t n;
	unsigned type;
	int rc;

	if (der == NULL || len == 0 || gnutls_x509_crt_init(&crt) < 0)
		return a;
	if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) >= 0)
		for (unsigned i = 0; i < CERTS_DNS_MAX; i++) {
			n = sizeof(name) - 1;
			rc = gnutls_x509_crt_get_subject_alt_name2(crt, i, name,
			    &n, &type, NULL);
			if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
				break;
			if (rc == GNUTLS_SAN_DNSNAME && n < sizeof(name)) {
				name[n] = '\0';
				json_array_append_new(a, api_str(name));
			}
		}
	gnutls_x509_crt_deinit(crt);
	return a;
}

/* The JSON form of one certificate record. */
static json_t *
cert_row_json(const struct store_cert *c, int64_t now)
{
	char hex[2 * STORE_SERIAL_MAX + 1];
	const char *reason;
	json_t *o;

	hex_encode(c->serial, c->serial_len, hex);
	o = json_pack("{s:s,s:o,s:o,s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:b}",
	    "serial", hex, "subject", api_str(c->subject_dn), "template",
	    api_str(c->template_name), "requester", api_str(c->requester),
	    "status", certs_status_names[cert_status(c, now)],
	    "not_before", api_time(c->not_before),
	    "not_after", api_time(c->not_after),
	    "revoked_at", c->status == STORE_CERT_REVOKED ?
	    api_time(c->revoked_at) : json_null(),
	    "reason", json_null(),
	    "sid", api_str(c->subject_sid), "upn", api_str(c->subject_upn),
	    "dns", cert_dns_names(c->der, c->der_len),
	    "device", api_str(c->subject_dns),
	    "request", (json_int_t)c->request_id,
	    "has_certificate", c->der_len > 0);
	if (o == NULL)
		return NULL;
	if (c->status == STORE_CERT_REVOKED) {
		reason = crl_reason_name(c->reason);
		json_object_set_new(o, "reason", json_string(reason != NULL ?
		    reason : "unspecified"));
		if (c->invalidity_date != 0)
			json_object_set_new(o, "invalidity_date",
			    api_time(c->invalidity_date));
	}
	return o;
}

/* The cursor text of a position: "1" ‖ hex(notBefore) ‖ hex(serial). */
static void
cursor_encode(const struct store_issued_pos *p, char *out)
{
	snprintf(out, CERTS_CURSOR_MAX, "1%016llx",
	    (unsigned long long)((uint64_t)p->not_before ^ (1ull << 63)));
	hex_encode(p->serial, p->serial_len, out + 17);
}

/* Parse a cursor back; CA_EPARSE when it is not one we wrote. */
static int
cursor_decode(const char *s, struct store_issued_pos *p)
{
	size_t n = strlen(s);
	unsigned long long t;
	unsigned v;
	char tb[17];

	if (n < 19 || n > 17 + 2 * STORE_SERIAL_MAX || n % 2 == 0 ||
	    s[0] != '1' || strspn(s + 1, "0123456789abcdef") != n - 1)
		return CA_EPARSE;
	memcpy(tb, s + 1, 16);
	tb[16] = '\0';
	t = strtoull(tb, NULL, 16);
	p->not_before = (int64_t)(t ^ (1ull << 63));
	p->serial_len = (n - 17) / 2;
	for (size_t i = 0; i < p->serial_len; i++) {
		if (sscanf(s + 17 + 2 * i, "%2x", &v) != 1)
			return CA_EPARSE;
		p->serial[i] = (unsigned char)v;
	}
	return CA_OK;
}

/* True when c passes every filter of q. */
static bool
certs_match(const struct certs_query *q, const struct store_cert *c)
{
	char hex[2 * STORE_SERIAL_MAX + 1];
	json_t *dns;
	bool ok;

	if (q->status != CERTS_ANY && cert_status(c, q->now) != q->status)
		return false;
	if (q->template_name[0] && strcasecmp(q->template_name, c->template_name))
		return false;
	if (q->requester[0] && strcasecmp(q->requester, c->requester))
		return false;
	if (q->subject[0] && !api_contains(c->subject_dn, q->subject))
		return false;
	if (q->upn[0] && strcasecmp(q->upn, c->subject_upn))
		return false;
	if (q->sid[0] && strcasecmp(q->sid, c->subject_sid))
		return false;
	if (q->device[0] && strcasecmp(q->device, c->subject_dns))
		return false;
	if (c->not_before < q->issued_after || c->not_before >= q->issued_before)
		return false;
	if (c->not_after < q->expires_after || c->not_after >= q->expires_before)
		return false;
	if (q->serial[0]) {
		hex_encode(c->serial, c->serial_len, hex);
		if (strncasecmp(hex, q->serial, strlen(q->serial)) != 0)
			return false;
	}
	if (q->dns[0]) {
		size_t i;
		json_t *v;

		ok = false;
		dns = cert_dns_names(c->der, c->der_len);
		json_array_foreach(dns, i, v)
			if (strcasecmp(json_string_value(v), q->dns) == 0)
				ok = true;
		json_decref(dns);
		if (!ok)
			return false;
	}
	return true;
}

/*
 * Keep c in the page if it is after the cursor and among the limit + 1
 * newest seen; the extra row says whether a next page exists.
 */
static int
certs_keep(const struct store_cert *c, void *arg)
{
	struct certs_query *q = arg;
	struct store_issued_pos p;
	size_t at;

	p.not_before = c->not_before;
	memcpy(p.serial, c->serial, c->serial_len);
	p.serial_len = c->serial_len;
	if (q->have_after && store_issued_cmp(&p, &q->after) <= 0)
		return 0;
	if (!certs_match(q, c))
		return 0;
	at = q->n_rows;
	while (at > 0 && store_issued_cmp(&p, &q->rows[at - 1].pos) < 0)
		at--;
	if (at > q->limit)
		return 0;
	if (q->n_rows == q->limit + 1) {
		json_decref(q->rows[q->n_rows - 1].obj);
		q->n_rows--;
	}
	memmove(q->rows + at + 1, q->rows + at,
	    (q->n_rows - at) * sizeof(*q->rows));
	q->rows[at].pos = p;
	q->rows[at].obj = cert_row_json(c, q->now);
	q->n_rows++;
	return 0;
}

/* by_issued walk: rows come newest first, so stop once the page is full. */
static int
certs_keep_ordered(const struct store_cert *c, void *arg)
{
	struct certs_query *q = arg;

	certs_keep(c, arg);
	return q->n_rows > q->limit ? 1 : 0;
}

/* by_subject walk: read each serial's record, then keep it or not. */
static int
certs_keep_serial(const unsigned char *serial, size_t len, int64_t na,
    void *arg)
{
	struct certs_query *q = arg;
	struct store_cert c;
	int rc;

	(void)na;
	rc = store_get_cert(q->t, serial, len, &c);
	if (rc == CA_ENOTFOUND)
		return 0;
	if (rc != CA_OK)
		return rc;
	certs_keep(&c, q);
	store_cert_clear(&c);
	return 0;
}

/* Worker: GET /api/v1/certificates. */
static void
certs_list_work(struct job *j)
{
	struct certs_query *q = j->ctx;
	char why[CA_WHY_MAX], next[CERTS_CURSOR_MAX];
	json_t *list, *o;
	int rc;

	if (!api_require(j, CERTS_READ_RIGHTS, "certificates"))
		return;
	q->rows = calloc(q->limit + 2, sizeof(*q->rows));
	if (q->rows == NULL) {
		job_fail(j, CA_ENOMEM, "out of memory");
		return;
	}
	q->now = ca_now();
	rc = store_read_begin(j->gen->store, &q->t, why, sizeof(why));
	if (rc != CA_OK) {
		log_error("certificates: %s", why);
		job_fail(j, CA_EUNAVAIL, "the certificate database "
		    "cannot be read now: %s", ca_strerror(rc));
		return;
	}
	if (q->sid[0])
		rc = store_iter_subject(q->t, STORE_SUBJECT_SID, q->sid,
		    certs_keep_serial, q);
	else if (q->upn[0])
		rc = store_iter_subject(q->t, STORE_SUBJECT_UPN, q->upn,
		    certs_keep_serial, q);
	else if (q->device[0])
		rc = store_iter_subject(q->t, STORE_SUBJECT_DNS, q->device,
		    certs_keep_serial, q);
	else
		rc = store_iter_issued(q->t, q->have_after ? &q->after : NULL,
		    q->issued_after, q->issued_before, certs_keep_ordered, q);
	if (rc < 0) {
		log_error("certificates: %s", store_txn_why(q->t));
		job_fail(j, CA_EDB, "the certificate database: %s",
		    ca_strerror(rc));
		goto out;
	}
	list = json_array();
	for (size_t i = 0; i < q->n_rows && i < q->limit; i++) {
		json_array_append(list, q->rows[i].obj);
	}
	o = json_pack("{s:o}", "certificates", list);
	if (q->n_rows > q->limit) {
		cursor_encode(&q->rows[q->limit - 1].pos, next);
		json_object_set_new(o, "next", json_string(next));
	}
	job_json(j, 200, o);
out:
	store_read_end(q->t);
	q->t = NULL;
}

/* Loop: parse the filters of GET /api/v1/certificates. */
job_work_cb
api_certs_list_setup(struct job *j, const struct api_args *a)
{
	struct certs_query *q = j->ctx;
	char v[API_PARAM_MAX];
	bool bad = false;

	q->issued_after = q->expires_after = INT64_MIN;
	q->issued_before = q->expires_before = INT64_MAX;
	if (api_query_str(j, a->query, "status", v, sizeof(v), &bad)) {
		q->status = -1;
		for (int s = CERTS_ISSUED; s < CERTS_STATUS_COUNT; s++)
			if (strcmp(v, certs_status_names[s]) == 0)
				q->status = s;
		if (q->status < 0) {
			job_fail(j, CA_EPARSE, "status: expected "
			    "issued, revoked, expired or hold");
			return NULL;
		}
	}
	if (bad ||
	    !api_query_filter(j, a->query, "template", q->template_name, sizeof(q->template_name)) ||
	    !api_query_filter(j, a->query, "requester", q->requester, sizeof(q->requester)) ||
	    !api_query_filter(j, a->query, "subject", q->subject, sizeof(q->subject)) ||
	    !api_query_filter(j, a->query, "upn", q->upn, sizeof(q->upn)) ||
	    !api_query_filter(j, a->query, "sid", q->sid, sizeof(q->sid)) ||
	    !api_query_filter(j, a->query, "dns", q->dns, sizeof(q->dns)) ||
	    !api_query_filter(j, a->query, "device", q->device, sizeof(q->device)) ||
	    !api_query_filter(j, a->query, "serial", q->serial, sizeof(q->serial)) ||
	    !api_query_time(j, a->query, "issued_after", &q->issued_after) ||
	    !api_query_time(j, a->query, "issued_before", &q->issued_before) ||
	    !api_query_time(j, a->query, "expires_after", &q->expires_after) ||
	    !api_query_time(j, a->query, "expires_before", &q->expires_before) ||
	    !api_query_limit(j, a->query, &q->limit))
		return NULL;
	if (q->serial[0] && strspn(q->serial, "0123456789abcdefABCDEF") !=
	    strlen(q->serial)) {
		job_fail(j, CA_EPARSE, "serial: expected a "
		    "hexadecimal prefix");
		return NULL;
	}
	if (api_query_str(j, a->query, "next", v, sizeof(v), &bad)) {
		if (cursor_decode(v, &q->after) != CA_OK) {
			job_fail(j, CA_EPARSE, "next: not a cursor "
			    "this API gave");
			return NULL;
		}
		q->have_after = true;
	}
	if (bad)
		return NULL;
	return certs_list_work;
}

/* The certificate and the CA chain as a certs-only PKCS#7 (DER). */
static void
cert_reply_pkcs7(struct job *j, const struct store_cert *c)
{
	const struct ca_identity *id = j->gen->id;
	gnutls_datum_t *certs;
	gnutls_datum_t *alloc;
	unsigned char *out = NULL;
	size_t n = 0, len = 0;

	certs = calloc(2 + (id != NULL ? id->chain_len : 0), sizeof(*certs));
	alloc = calloc(1 + (id != NULL ? id->chain_len : 0), sizeof(*alloc));
	if (certs == NULL || alloc == NULL) {
		job_fail(j, CA_ENOMEM, "out of memory");
		goto out;
	}
	certs[n].data = c->der;
	certs[n++].size = (unsigned)c->der_len;
	if (id != NULL) {
		certs[n++] = id->cert_der;
		for (unsigned i = 0; i < id->chain_len; i++)
			if (gnutls_x509_crt_export2(id->chain[i],
			    GNUTLS_X509_FMT_DER, &alloc[i]) >= 0)
				certs[n++] = alloc[i];
	}
	if (pkcs7_certs_only(certs, n, &out, &len) != CA_OK) {
		job_fail(j, CA_ECRYPTO, "PKCS#7: cannot encode");
		goto out;
	}
	job_body_copy(j, out, len, "application/pkcs7-mime; smime-type=certs-only");
out:
	if (alloc != NULL && id != NULL)
		for (unsigned i = 0; i < id->chain_len; i++)
			gnutls_free(alloc[i].data);
	gnutls_free(out);
	free(alloc);
	free(certs);
}

/* The PEM of a certificate's DER. */
static void
cert_reply_pem(struct job *j, const struct store_cert *c)
{
	gnutls_datum_t der = { c->der, (unsigned)c->der_len }, pem = { NULL, 0 };

	if (gnutls_pem_base64_encode2("CERTIFICATE", &der, &pem) < 0) {
		job_fail(j, CA_ECRYPTO, "PEM: cannot encode");
		return;
	}
	job_body_copy(j, pem.data, pem.size, "application/x-pem-file");
	gnutls_free(pem.data);
}

/* Whether Accept names type (a plain substring test of the media types). */
static bool
accepts(const struct job *j, const char *type)
{
	return strstr(j->accept, type) != NULL;
}

/* Worker: GET /api/v1/certificates/<serial>. */
static void
certs_show_work(struct job *j)
{
	struct certs_query *q = j->ctx;
	struct store_txn *t = NULL;
	struct store_cert c;
	char why[CA_WHY_MAX], hex[2 * STORE_SERIAL_MAX + 1];
	char what[sizeof(hex) + 16];
	int rc;

	if (!api_require(j, CERTS_READ_RIGHTS, "certificates"))
		return;
	memset(&c, 0, sizeof(c));
	hex_encode(q->one, q->one_len, hex);
	rc = store_read_begin(j->gen->store, &t, why, sizeof(why));
	if (rc == CA_OK)
		rc = store_get_cert(t, q->one, q->one_len, &c);
	if (rc == CA_ENOTFOUND) {
		job_fail(j, CA_ENOTFOUND, "certificate %s: not issued by "
		    "this CA", hex);
		goto out;
	}
	if (rc != CA_OK) {
		/* The store's sentence names its path: the log keeps it. */
		snprintf(what, sizeof(what), "certificate %s", hex);
		api_read_fail(j, what, t, why, rc);
		goto out;
	}
	if (accepts(j, "application/json") || (!accepts(j, "application/pkix-cert") &&
	    !accepts(j, "application/x-pem-file") &&
	    !accepts(j, "application/pkcs7-mime"))) {
		job_json(j, 200, cert_row_json(&c, ca_now()));
		goto out;
	}
	if (c.der_len == 0) {
		job_fail(j, CA_ENOTFOUND, "certificate %s: revoked by "
		    "serial only; the store holds no certificate for it", hex);
		goto out;
	}
	if (accepts(j, "application/pkix-cert"))
		job_body_copy(j, c.der, c.der_len, "application/pkix-cert");
	else if (accepts(j, "application/x-pem-file"))
		cert_reply_pem(j, &c);
	else
		cert_reply_pkcs7(j, &c);
out:
	store_cert_clear(&c);
	store_read_end(t);
}

/* Loop: GET /api/v1/certificates/<serial>. */
job_work_cb
api_certs_show_setup(struct job *j, const struct api_args *a)
{
	struct certs_query *q = j->ctx;
	char why[CA_WHY_MAX];

	if (revoke_serial_parse(a->seg[0], q->one, &q->one_len, why,
	    sizeof(why)) != CA_OK) {
		job_fail(j, CA_EPARSE, "%s", why);
		return NULL;
	}
	return certs_show_work;
}

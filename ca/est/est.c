/*
 * EST (RFC 7030) on entca: the enrollment work of simpleenroll,
 * simplereenroll and serverkeygen, which the router (ca/daemon/serve.c,
 * its serve_est_ops table) hands to est_enroll() with the operation and
 * label already parsed; the officer's approve/deny re-runs the decision
 * from est_pending.c. The pipeline stages are enroll_work() (a worker,
 * JOB_STAGE_WORK) and enroll_apply() (the store writer, JOB_STAGE_APPLY);
 * the job (job.c) carries the request between them and back to the loop.
 *
 * Response shapes follow RFC 7030: §4.2.3 base64 certs-only PKCS#7 with
 * Content-Transfer-Encoding; 202 + Retry-After while pending (the same
 * request polls); §4.4.2 multipart/mixed with application/pkcs8 and
 * application/pkcs7-mime parts for server key generation.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/x509-ext.h>
#include <jansson.h>

#include "common/error.h"
#include "common/hex.h"
#include "common/base64.h"
#include "common/clock.h"
#include "ca/daemon/daemon.h"
#include "ca/est/est.h"
#include "ca/daemon/explain.h"
#include "ca/est/est_int.h"
#include "ca/est/est_keypool.h"
#include "ca/http/http.h"
#include "ca/identity/identity.h"
#include "ca/issue/issue.h"
#include "ca/daemon/job.h"
#include "common/log.h"
#include "ca/issue/pkcs7.h"
#include "ca/store/store.h"
#include "ca/daemon/templates_load.h"
#include "ldap/directory.h"
#include "policy/decide.h"
#include "policy/request.h"
#include "policy/rights.h"

/* Free an enrollment; wipes the PKCS#12 password and the generated key. */
void
enroll_free(void *arg)
{
	struct enroll *e = arg;

	if (e == NULL)
		return;
	/* A serverkeygen CSR may carry the PKCS#12 password. */
	if (e->csr != NULL)
		gnutls_memset(e->csr, 0, e->csr_len);
	free(e->csr);
	if (e->have_preq)
		policy_request_wipe(&e->preq);
	principal_clear(&e->subject);
	free(e->cert.der);
	gnutls_memset(e->password, 0, sizeof(e->password));
	if (e->key != NULL)
		gnutls_x509_privkey_deinit(e->key);
	free(e);
}

/*
 * The error of a policy refusal: a request that breaks a rule of its own
 * (key, signature, names) is the client's to fix (400), a template this
 * CA does not issue is not found (404), and every missing right is 403.
 */
static enum ca_error
deny_error(enum policy_code code)
{
	switch (code) {
	case POLICY_WEAK_KEY:
	case POLICY_KEY_ALG:
	case POLICY_BAD_SIGNATURE:
	case POLICY_SUBJECT:
	case POLICY_NAME_MALFORMED:
	case POLICY_NAME_CONFLICT:
		return CA_EPOLICY;
	case POLICY_TEMPLATE_NOT_ISSUED:
		return CA_ENOTFOUND;
	default:
		return CA_EDENIED;
	}
}

/* Worker: base64 body -> CSR DER -> parsed request, or a 400. */
static bool
enroll_parse_csr(struct job *j, struct enroll *e)
{
	char why[CA_WHY_MAX];
	int rc;

	if (j->body_len == 0) {
		job_fail(j, CA_EPARSE, "body: expected a base64 PKCS#10 request (RFC 7030 §4.2.1), got nothing");
		return false;
	}
	rc = base64_decode((const char *)j->body, j->body_len, &e->csr,
	    &e->csr_len, why, sizeof(why));
	if (rc != CA_OK) {
		job_fail(j, CA_EPARSE, "body: not base64: %s", why);
		return false;
	}
	rc = policy_request_parse(e->csr, e->csr_len, &e->preq, why, sizeof(why));
	if (rc != CA_OK) {
		job_fail(j, CA_EPARSE, "%s", why);
		return false;
	}
	e->have_preq = true;
	return true;
}

/* Worker: look one name up by its key; CA_ENOTFOUND when nobody has it. */
static int
enroll_lookup_name(struct job *j, const struct policy_name *n,
    struct principal *p, char *why, size_t whylen)
{
	char upn[POLICY_SAN_VALUE_MAX + 2];
	const char *bs;
	int rc;

	switch (n->key) {
	case POLICY_NAME_KEY_SID:
		return directory_lookup(job_dir(j), DIRECTORY_BY_SID, n->value, p, why, whylen);
	case POLICY_NAME_KEY_UPN:
		rc = directory_lookup(job_dir(j), DIRECTORY_BY_UPN, n->value, p, why, whylen);
		/* A CN shaped like user@domain may be the mail address. */
		if (rc == CA_ENOTFOUND && !n->san)
			rc = directory_lookup_mail(job_dir(j), n->value, p, why, whylen);
		return rc;
	case POLICY_NAME_KEY_MAIL:
		return directory_lookup_mail(job_dir(j), n->value, p, why, whylen);
	case POLICY_NAME_KEY_SAM:
		return directory_lookup(job_dir(j), DIRECTORY_BY_SAM, n->value, p, why, whylen);
	case POLICY_NAME_KEY_ACCOUNT:
		bs = strchr(n->value, '\\');
		if (bs != NULL && memchr(n->value, '.', (size_t)(bs - n->value)) != NULL) {
			/* realm\name: the implicit UPN name@realm. */
			snprintf(upn, sizeof(upn), "%s@%.*s", bs + 1,
			    (int)(bs - n->value), n->value);
			return directory_lookup(job_dir(j), DIRECTORY_BY_UPN, upn, p, why, whylen);
		}
		return directory_lookup(job_dir(j), DIRECTORY_BY_SAM, n->value, p, why, whylen);
	case POLICY_NAME_KEY_DNS:
		rc = directory_lookup(job_dir(j), DIRECTORY_BY_DNS, n->value, p, why, whylen);
		/* A dotted CN may be an account name (john.smith). */
		if (rc == CA_ENOTFOUND && !n->san)
			rc = directory_lookup(job_dir(j), DIRECTORY_BY_SAM, n->value, p, why, whylen);
		return rc;
	default:
		return CA_ENOTFOUND;	/* a URI names no account */
	}
}

/*
 * Worker: resolve every identity-bearing name of the request for policy/
 * (README "Security model: names"). Names of the subject need no lookup;
 * a value the directory calls malformed is a 400 in policy, never a 503.
 */
static bool
enroll_resolve_names(struct job *j, struct enroll *e)
{
	char why[CA_WHY_MAX];
	struct principal p;
	int rc;

	policy_names_list(&e->preq, &e->names);
	e->have_names = true;
	for (size_t i = 0; i < e->names.n; i++) {
		struct policy_name *n = &e->names.v[i];

		if (n->state != POLICY_NAME_OPEN)
			continue;
		if (e->have_subject && policy_name_is(n, &e->subject)) {
			policy_name_resolved(n, &e->subject);
			continue;
		}
		rc = enroll_lookup_name(j, n, &p, why, sizeof(why));
		if (rc == CA_OK) {
			policy_name_resolved(n, &p);
			principal_clear(&p);
		} else if (rc == CA_ENOTFOUND) {
			if (n->key == POLICY_NAME_KEY_SAM)
				n->state = POLICY_NAME_TEXT;
		} else if (rc == CA_EPARSE && n->key == POLICY_NAME_KEY_ACCOUNT &&
		    strchr(n->value, '\\') != NULL) {
			/* OTHER\name: another domain's account, outside the
			 * directory (the syntax was checked in policy/). */
			continue;
		} else if (rc == CA_ETOOBIG && n->key == POLICY_NAME_KEY_DNS) {
			/* Two accounts with one dNSHostName: refused. */
			n->state = POLICY_NAME_AMBIGUOUS;
			snprintf(n->why, sizeof(n->why), "%.150s", why);
		} else if (rc == CA_EPARSE || rc == CA_EINVAL || rc == CA_ETOOBIG) {
			n->state = POLICY_NAME_BAD;
			snprintf(n->why, sizeof(n->why), "%.150s", why);
		} else {
			job_fail(j, CA_EUNAVAIL, "directory unavailable");
			job_header(j, "Retry-After", JOB_RETRY_DIRECTORY);
			return false;
		}
	}
	return true;
}

/* Worker: the principal the certificate is for, from the directory. */
bool
enroll_find_subject(struct job *j, struct enroll *e, const struct principal *self)
{
	char value[PRINCIPAL_DN_MAX], why[CA_WHY_MAX];
	enum policy_hint hint;
	int rc, key;

	hint = policy_subject_hint(&e->preq, value, sizeof(value));
	switch (hint) {
	case POLICY_HINT_SID: key = DIRECTORY_BY_SID; break;
	case POLICY_HINT_UPN: key = DIRECTORY_BY_UPN; break;
	case POLICY_HINT_DNS: key = DIRECTORY_BY_DNS; break;
	default:
		/* Names nobody else: the certificate is for the requester. */
		if (principal_copy(&e->subject, self) != CA_OK) {
			job_fail(j, CA_ENOMEM, "out of memory");
			return false;
		}
		e->have_subject = true;
		return enroll_resolve_names(j, e);
	}
	rc = directory_lookup(job_dir(j), key, value, &e->subject, why, sizeof(why));
	if (rc == CA_OK)
		e->have_subject = true;
	/* Nobody, or a malformed name: policy refuses it with the name. */
	if (rc == CA_OK || rc == CA_ENOTFOUND || rc == CA_EPARSE ||
	    rc == CA_EINVAL || rc == CA_ETOOBIG)
		return enroll_resolve_names(j, e);
	job_fail(j, CA_EUNAVAIL, "directory unavailable: %s", why);
	job_header(j, "Retry-After", JOB_RETRY_DIRECTORY);
	return false;
}

/* Worker: the subject is p, named by a third party (est_int.h). */
bool
enroll_for_subject(struct job *j, struct enroll *e, const struct principal *p)
{
	principal_clear(&e->subject);
	if (principal_copy(&e->subject, p) != CA_OK) {
		job_text(j, 500, "out of memory");
		return false;
	}
	e->have_subject = true;
	return enroll_resolve_names(j, e);
}

/* The CA settings policy/ needs, from the job's configuration. */
static void
enroll_policy_ca(struct job *j, struct policy_ca *pc, const char **issue,
    const char **cdp, const char **aia)
{
	const struct ca_config *c = j->cfg;

	memset(pc, 0, sizeof(*pc));
	pc->aces = c->aces;
	pc->n_aces = c->n_aces;
	for (size_t i = 0; i < c->n_issue; i++)
		issue[i] = c->issue_templates[i];
	pc->issue_templates = issue;
	pc->n_issue = c->n_issue;
	pc->ca_not_before = (int64_t)gnutls_x509_crt_get_activation_time(j->gen->id->cert);
	pc->ca_not_after = j->gen->id->not_after;
	for (size_t i = 0; i < c->n_cdp; i++)
		cdp[i] = c->cdp_urls[i];
	pc->cdp_urls = cdp;
	pc->n_cdp = c->n_cdp;
	for (size_t i = 0; i < c->n_aia; i++)
		aia[i] = c->aia_urls[i];
	pc->aia_urls = aia;
	pc->n_aia = c->n_aia;
	pc->sid_url_san = c->sid_url_san;
	/* AIA id-ad-ocsp (RFC 5280 §4.2.2.1) while the responder is on. */
	if (c->ocsp_enabled && c->ocsp_url[0] != '\0') {
		aia[c->n_aia] = c->ocsp_url;
		pc->ocsp_urls = &aia[c->n_aia];
		pc->n_ocsp = 1;
	}
}

/*
 * Worker: the key entca makes for serverkeygen (from the warm pool when it
 * has one) and its SubjectPublicKeyInfo in *spki (gnutls_free it).
 */
static int
enroll_keygen(struct est_keypool *pool, struct enroll *e, gnutls_datum_t *spki,
    char *why, size_t whylen)
{
	const struct template *t = e->tmpl;
	gnutls_pk_algorithm_t alg = GNUTLS_PK_RSA;
	unsigned bits = t->min_key_size;
	gnutls_pubkey_t pub = NULL;
	gnutls_privkey_t pk = NULL;
	int r, rc = CA_OK;

	if (!(t->key_algorithms & TMPL_KEY_RSA)) {
		alg = GNUTLS_PK_ECDSA;
		bits = GNUTLS_CURVE_TO_BITS(t->key_algorithms & TMPL_KEY_ECDSA_P256 ?
		    GNUTLS_ECC_CURVE_SECP256R1 : GNUTLS_ECC_CURVE_SECP384R1);
	}
	/* A key made ahead on an idle core, else one made now. */
	e->key = est_keypool_take(pool, alg, bits);
	if (e->key == NULL) {
		if (gnutls_x509_privkey_init(&e->key) < 0)
			return ca_why(why, whylen, CA_ENOMEM, "key generation: out of memory");
		r = gnutls_x509_privkey_generate2(e->key, alg, bits, 0, NULL, 0);
		if (r < 0)
			return ca_why(why, whylen, CA_ECRYPTO, "key generation: %s", gnutls_strerror(r));
	}
	if (gnutls_pubkey_init(&pub) < 0 || gnutls_privkey_init(&pk) < 0 ||
	    gnutls_privkey_import_x509(pk, e->key, 0) < 0 ||
	    gnutls_pubkey_import_privkey(pub, pk, 0, 0) < 0 ||
	    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, spki) < 0)
		rc = ca_why(why, whylen, CA_ECRYPTO, "key generation: cannot derive the public key");
	gnutls_privkey_deinit(pk);
	gnutls_pubkey_deinit(pub);
	return rc;
}

/*
 * Worker: serial, (key,) certificate, signed through the signer. A CSR's
 * key is the one policy/ parsed, checked and re-encoded (e->preq.spki).
 */
static bool
enroll_build(struct job *j, struct enroll *e)
{
	gnutls_datum_t made = { NULL, 0 }, spki;
	char why[CA_WHY_MAX];
	int rc = CA_OK;

	if (e->op == ENROLL_KEYGEN) {
		rc = enroll_keygen(est_keypool_get(j->d->cfg->serverkeygen_pool),
		    e, &made, why, sizeof(why));
		spki = made;
	} else {
		spki.data = e->preq.spki;
		spki.size = (unsigned)e->preq.spki_len;
	}
	if (rc != CA_OK)
		goto fail;
	e->cert.serial_len = sizeof(e->cert.serial);
	rc = issue_serial_new(e->cert.serial, &e->cert.serial_len);
	if (rc != CA_OK) {
		ca_why(why, sizeof(why), rc, "serial: random generator failed");
		goto fail;
	}
	rc = issue_build(&e->dec.profile, &spki, e->cert.serial,
	    e->cert.serial_len, j->gen->id->cert, j->gen->key, &e->cert.der,
	    &e->cert.der_len, why, sizeof(why));
	if (rc != CA_OK)
		goto fail;
	e->cert.not_before = e->dec.profile.not_before;
	e->cert.not_after = e->dec.profile.not_after;
	e->issued = true;
	gnutls_free(made.data);
	return true;
fail:
	gnutls_free(made.data);
	if (rc == CA_EUNAVAIL || rc == CA_ETIMEOUT) {
		job_fail(j, CA_EUNAVAIL, "signer unavailable: %s", why);
		job_header(j, "Retry-After", JOB_RETRY_SIGNER);
	} else {
		job_fail(j, CA_ECRYPTO, "issuance failed: %s", why);
	}
	return false;
}

/*
 * The account a request is recorded under: a renewal stays under the
 * requester of the certificate it renews (an on-behalf-of issuance stays
 * one through every renewal); anything else under the caller.
 */
static const char *
enroll_requester(const struct job *j, const struct enroll *e)
{
	if (e->op == ENROLL_RENEW && e->renew_requester[0] != '\0')
		return e->renew_requester;
	return j->who.sam;
}

/* Fill the request record from what is known now. */
static void
enroll_fill_record(struct job *j, struct enroll *e, int status,
    const char *reason)
{
	struct store_request *r = &e->rec;

	r->updated_at = ca_now();
	if (e->op != ENROLL_APPROVE && e->op != ENROLL_DENY) {
		/* An officer's decision keeps who asked and when. */
		r->submitted_at = r->updated_at;
		snprintf(r->requester, sizeof(r->requester), "%s", enroll_requester(j, e));
	}
	snprintf(r->template_name, sizeof(r->template_name), "%s", e->template_name);
	r->status = status;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	r->csr = e->csr;
	r->csr_len = e->csr_len;
	if (e->op == ENROLL_KEYGEN) {
		/*
		 * Its challengePassword may be the PKCS#12 password, which must
		 * never reach the store or its backups; the certificate's key is
		 * not the CSR's anyway.
		 */
		r->csr = NULL;
		r->csr_len = 0;
	}
	if (e->have_subject) {
		snprintf(r->subject_sid, sizeof(r->subject_sid), "%s", e->subject.sid);
		snprintf(r->target, sizeof(r->target), "%s",
		    e->subject.upn[0] ? e->subject.upn : e->subject.sam);
	}
}

/*
 * Meta key of the pending-request index: "csr:" + base64(SHA-256(template
 * NUL requester NUL CSR)). The template is in it so that the same CSR sent
 * to another template is a new request there, never a poll of this one.
 */
static int
enroll_poll_key(const struct enroll *e, const char *tmpl, const char *requester,
    char *out, size_t len)
{
	unsigned char h[32];
	char *b64 = NULL;
	gnutls_hash_hd_t hd;
	char name[TMPL_NAME_MAX];
	size_t i;

	/* Template names compare case-insensitively everywhere else. */
	for (i = 0; tmpl[i] != '\0' && i + 1 < sizeof(name); i++)
		name[i] = (char)tolower((unsigned char)tmpl[i]);
	name[i] = '\0';
	if (gnutls_hash_init(&hd, GNUTLS_DIG_SHA256) < 0)
		return CA_ECRYPTO;
	gnutls_hash(hd, name, strlen(name) + 1);
	gnutls_hash(hd, requester, strlen(requester) + 1);
	gnutls_hash(hd, e->csr, e->csr_len);
	gnutls_hash_deinit(hd, h);
	if (base64_encode(h, sizeof(h), 0, &b64, NULL) != CA_OK)
		return CA_ENOMEM;
	snprintf(out, len, "csr:%s", b64);
	free(b64);
	return CA_OK;
}

/* An earlier request a meta key names (poll, renewal), read in t. */
struct enroll_earlier {
	struct store_txn *t;
	uint64_t id;
	bool have_request;
	struct store_request r;
	struct store_cert c;		/* for the caller to fill */
};

/*
 * Worker: begin a read and find the request id that meta key names, and
 * that request if it is there. True when key names one; x is closed with
 * enroll_earlier_close in every case.
 */
static bool
enroll_earlier_open(struct job *j, const char *key, struct enroll_earlier *x)
{
	char why[CA_WHY_MAX];

	memset(x, 0, sizeof(*x));
	if (store_read_begin(j->gen->store, &x->t, why, sizeof(why)) != CA_OK ||
	    store_meta_get_u64(x->t, key, &x->id) != CA_OK)
		return false;
	x->have_request = store_get_request(x->t, x->id, &x->r) == CA_OK;
	return true;
}

/* Worker: free what enroll_earlier_open and the caller read; end the read. */
static void
enroll_earlier_close(struct enroll_earlier *x)
{
	store_cert_clear(&x->c);
	store_request_clear(&x->r);
	store_read_end(x->t);
}

/*
 * Worker: is this the poll of an earlier pending request of this requester
 * on this template (RFC 7030 §4.2.3)? true if answered: 202 while pending,
 * the certificate once issued while it is valid and unrevoked, 403 once
 * denied. An issued certificate that was revoked or has expired is not
 * handed out again: the request is treated as a new one.
 */
static bool
enroll_poll(struct job *j, struct enroll *e)
{
	struct enroll_earlier x;
	struct store_request *r = &x.r;
	char key[STORE_META_NAME_MAX];
	bool answered = false;

	if (enroll_poll_key(e, e->template_name, enroll_requester(j, e), key,
	    sizeof(key)) != CA_OK)
		return false;
	if (!enroll_earlier_open(j, key, &x) || !x.have_request)
		goto out;
	/* The key is a hash: the record itself must be this template's and requester's. */
	if (strcasecmp(r->template_name, e->template_name) != 0 ||
	    strcmp(r->requester, enroll_requester(j, e)) != 0)
		goto out;
	e->request_id = x.id;
	switch (r->status) {
	case STORE_REQ_PENDING:
		answered = true;
		job_text(j, 202, "request %llu is pending approval by a CA officer",
		    (unsigned long long)x.id);
		job_header(j, "Retry-After", JOB_RETRY_PENDING);
		break;
	case STORE_REQ_ISSUED:
		if (store_get_cert(x.t, r->serial, r->serial_len, &x.c) != CA_OK) {
			answered = true;
			job_fail(j, CA_EDB, "request %llu: issued certificate not found",
			    (unsigned long long)x.id);
			break;
		}
		if (x.c.status != STORE_CERT_VALID || ca_now() >= x.c.not_after ||
		    strcasecmp(x.c.template_name, e->template_name) != 0)
			break;	/* spent: a new request */
		answered = true;
		est_reply_cert(j, x.c.der, x.c.der_len);
		break;
	default:
		answered = true;
		job_fail(j, CA_EDENIED, "request %llu was %s: %s", (unsigned long long)x.id,
		    store_req_status_name(r->status), r->reason);
		break;
	}
	if (!answered)
		e->request_id = 0;
out:
	enroll_earlier_close(&x);
	return answered;
}

/*
 * Writer thread: is request e->request_id still pending? The officer's
 * decision was prepared from a read before this transaction; only the
 * first decision to reach the writer wins (issue 10 item 3). A loser fails
 * the chain with CA_ESTATE (409) naming the winner's outcome.
 */
static int
enroll_claim_pending(struct store_wtxn *w, const struct job *j, struct enroll *e)
{
	struct store_request cur;
	char serial[2 * STORE_SERIAL_MAX + 1] = "";
	int rc;

	rc = store_get_request(store_w_txn(w), e->request_id, &cur);
	if (rc != CA_OK)
		return store_w_fail(w, rc, "%s", store_txn_why(store_w_txn(w)));
	/*
	 * Four eyes (AD CS's "restrict certificate managers", ESC7): an officer
	 * does not approve a request it submitted itself, by account name or
	 * SID. The CA host's administrator (entca request approve) may.
	 */
	if (cur.status == STORE_REQ_PENDING && e->op == ENROLL_APPROVE &&
	    !j->local && (strcasecmp(cur.requester, j->who.sam) == 0 ||
	    (e->submitter_sid[0] != '\0' && strcmp(e->submitter_sid, j->who.sid) == 0))) {
		rc = store_w_fail(w, CA_EDENIED, "request %llu: four eyes: %s "
		    "submitted it and may not approve it; another CA officer "
		    "must", e->request_id, cur.requester);
		store_request_clear(&cur);
		return rc;
	}
	if (cur.status == STORE_REQ_PENDING) {
		store_request_clear(&cur);
		return CA_OK;
	}
	if (cur.serial_len > 0)
		hex_encode(cur.serial, cur.serial_len, serial);
	rc = store_w_fail(w, CA_ESTATE, "request %llu is already %s%s%s (%.200s)",
	    e->request_id, store_req_status_name(cur.status),
	    serial[0] ? ", serial " : "", serial, cur.reason);
	store_request_clear(&cur);
	return rc;
}

/* Meta key that records the renewal of serial: "renewed:" + hex. */
static void
enroll_renewed_key(const unsigned char *serial, size_t len, char *out,
    size_t outlen)
{
	char hex[2 * STORE_SERIAL_MAX + 1];

	hex_encode(serial, len, hex);
	snprintf(out, outlen, "renewed:%s", hex);
}

/* True where a valid certificate alone authorizes a renewal. */
static bool
enroll_renewal_by_certificate(const struct enroll *e)
{
	return e->op == ENROLL_RENEW &&
	    e->tmpl->renewal == TMPL_RENEWAL_VALID_CERTIFICATE;
}

/*
 * Writer thread: a certificate renewed without the enrollment criteria
 * (renewal = valid-certificate-suffices) is renewed once: the chain stays
 * one line of certificates that the original issuance authorized, instead
 * of every certificate spawning any number of new ones (issue 20 item 5).
 * Decided here, so that two renewals racing cannot both win.
 */
static int
enroll_renewal_mark(struct store_wtxn *w, struct enroll *e)
{
	char key[STORE_META_NAME_MAX];
	uint64_t id;

	if (!enroll_renewal_by_certificate(e))
		return CA_OK;
	enroll_renewed_key(e->renew_serial, e->renew_serial_len, key, sizeof(key));
	if (store_meta_get_u64(store_w_txn(w), key, &id) == CA_OK)
		return store_w_fail(w, CA_ESTATE, "simplereenroll: the certificate "
		    "was already renewed (request %llu); template %s renews each "
		    "certificate once", (unsigned long long)id, e->template_name);
	return store_w_meta_put_u64(w, key, e->rec.id);
}

/*
 * Worker: a certificate renewed by certificate alone comes back once; the
 * same renewal again (same CSR, same account) is a retry and gets the
 * certificate it was given while that is valid; another one is 409. true
 * if answered.
 */
static bool
enroll_renewal_again(struct job *j, struct enroll *e)
{
	struct enroll_earlier x;
	const struct store_request *r = &x.r;
	char key[STORE_META_NAME_MAX], serial[2 * STORE_SERIAL_MAX + 1] = "";
	bool answered = false;

	if (!enroll_renewal_by_certificate(e))
		return false;
	enroll_renewed_key(e->renew_serial, e->renew_serial_len, key, sizeof(key));
	if (!enroll_earlier_open(j, key, &x))
		goto out;
	answered = true;
	if (x.have_request && r->status == STORE_REQ_ISSUED &&
	    strcmp(r->requester, enroll_requester(j, e)) == 0 &&
	    r->csr_len == e->csr_len && memcmp(r->csr, e->csr, e->csr_len) == 0 &&
	    store_get_cert(x.t, r->serial, r->serial_len, &x.c) == CA_OK &&
	    x.c.status == STORE_CERT_VALID && ca_now() < x.c.not_after) {
		est_reply_cert(j, x.c.der, x.c.der_len);
		goto out;
	}
	if (r->serial_len > 0)
		hex_encode(r->serial, r->serial_len, serial);
	job_fail(j, CA_ESTATE, "simplereenroll: the certificate was already renewed "
	    "(request %llu%s%s); template %s renews each certificate once",
	    (unsigned long long)x.id, serial[0] ? ", serial " : "", serial,
	    e->template_name);
out:
	enroll_earlier_close(&x);
	return answered;
}

/* Writer thread: the request record, the certificate and the audit event. */
int
enroll_apply(struct store_wtxn *w, struct job *j)
{
	struct enroll *e = j->ctx;
	char serial_hex[2 * STORE_SERIAL_MAX + 1] = "";
	char id_text[32], key[STORE_META_NAME_MAX];
	const char *decision;

	if (e->op == ENROLL_APPROVE || e->op == ENROLL_DENY) {
		if (enroll_claim_pending(w, j, e) != CA_OK)
			return store_w_status(w);
		e->rec.id = e->request_id;
		store_w_put_request(w, &e->rec);
	} else {
		store_w_add_request(w, &e->rec);
	}
	if (store_w_status(w) != CA_OK)
		return store_w_status(w);
	e->request_id = e->rec.id;
	if (e->rec.status == STORE_REQ_PENDING &&
	    enroll_poll_key(e, e->rec.template_name, e->rec.requester, key,
	    sizeof(key)) == CA_OK)
		store_w_meta_put_u64(w, key, e->rec.id);
	if (e->issued && enroll_renewal_mark(w, e) != CA_OK)
		return store_w_status(w);
	if (e->issued) {
		e->cert.request_id = e->rec.id;
		store_w_put_cert(w, &e->cert);
		hex_encode(e->cert.serial, e->cert.serial_len, serial_hex);
		/* The job's log line names what was issued. */
		snprintf(j->log_serial, sizeof(j->log_serial), "%s", serial_hex);
	}
	snprintf(j->log_template, sizeof(j->log_template), "%s", e->template_name);
	snprintf(id_text, sizeof(id_text), "%llu", (unsigned long long)e->rec.id);
	decision = e->issued ? "issued" : store_req_status_name(e->rec.status);
	return job_audit(w, j, e->audit_action != NULL ? e->audit_action :
	    e->op == ENROLL_APPROVE ? "approve" :
	    e->op == ENROLL_DENY ? "deny" : e->op == ENROLL_KEYGEN ? "serverkeygen" :
	    e->op == ENROLL_RENEW ? "simplereenroll" : "simpleenroll",
	    decision, e->rec.reason,
	    "template", e->template_name,
	    "request", id_text,
	    "subject", e->cert.subject_dn,
	    "subject_sid", e->rec.subject_sid,
	    "target", e->rec.target,
	    "requester", e->rec.requester,
	    "serial", serial_hex,
	    "via", e->audit_via, NULL);
}

/* Writer thread: the request id exists now; name it in the 202 answer. */
static void
enroll_pending_committed(struct job *j)
{
	struct enroll *e = j->ctx;
	char id[32];

	snprintf(id, sizeof(id), "%llu", (unsigned long long)e->request_id);
	j->n_headers = 0;
	job_text(j, 202, "request %s is pending approval by a CA officer: %s", id,
	    e->dec.why);
	job_header(j, "Retry-After", JOB_RETRY_PENDING);
	job_header(j, "X-Request-Id", id);
}

/* Debug: which entries gave the rights, and what policy/ decided. */
static void
explain_decision(struct job *j, const struct enroll *e)
{
	static const char *const verdicts[] = { "issue", "pend", "deny" };
	char what[TMPL_NAME_MAX + 16];

	explain_rights(j, "CA", j->cfg->aces, j->cfg->n_aces, ca_right_names,
	    CA_RIGHT_COUNT);
	snprintf(what, sizeof(what), "template %s", e->tmpl->name);
	explain_rights(j, what, e->tmpl->aces, e->tmpl->n_aces,
	    tmpl_right_names, 3);
	log_debug("%s %s: policy: %s%s%s", j->method, j->path,
	    (unsigned)e->dec.verdict < 3 ? verdicts[e->dec.verdict] : "?",
	    *e->dec.why ? ": " : "", e->dec.why);
}

/* Worker: run policy on the parsed request and act on the verdict. */
void
enroll_decide(struct job *j, struct enroll *e, const struct principal *requester)
{
	const char *issue[CONFIG_ISSUE_MAX], *cdp[CONFIG_LIST_MAX], *aia[CONFIG_LIST_MAX + 1];
	struct policy_ca pc;
	struct policy_input in;
	char serial_why[CA_WHY_MAX];

	enroll_policy_ca(j, &pc, issue, cdp, aia);
	memset(&in, 0, sizeof(in));
	in.requester = requester;
	in.subject = e->have_subject ? &e->subject : NULL;
	in.tmpl = e->tmpl;
	in.req = &e->preq;
	in.names = e->have_names ? &e->names : NULL;
	if (e->op == ENROLL_KEYGEN) {
		/* entca makes the key: the template's first algorithm and size. */
		if (e->tmpl->key_algorithms & TMPL_KEY_RSA) {
			in.keygen_alg = POLICY_KEY_RSA;
			in.keygen_bits = e->tmpl->min_key_size;
		} else {
			in.keygen_alg = POLICY_KEY_EC;
			in.keygen_bits = e->tmpl->key_algorithms & TMPL_KEY_ECDSA_P256 ? 256 : 384;
		}
	}
	in.ca = &pc;
	in.now = ca_now();
	/*
	 * Renewal skips approval only where the template says a valid
	 * certificate suffices (AD CS's "valid existing certificate");
	 * otherwise it meets the same requirements as enrollment.
	 */
	in.approving = e->op == ENROLL_APPROVE || enroll_renewal_by_certificate(e);
	if (policy_decide(&in, &e->dec) != CA_OK) {
		job_fail(j, CA_EINVAL, "policy: internal error");
		return;
	}
	explain_decision(j, e);
	if (e->dec.verdict == POLICY_DENY) {
		enroll_fill_record(j, e, STORE_REQ_DENIED, e->dec.why);
		j->apply = enroll_apply;
		job_fail(j, e->op == ENROLL_APPROVE ? CA_ESTATE : deny_error(e->dec.code),
		    "%s", e->dec.why);
		return;
	}
	if (e->dec.verdict == POLICY_PEND && e->op == ENROLL_KEYGEN) {
		/* The key is made now and cannot be kept until an officer decides. */
		job_fail(j, CA_EDENIED, "serverkeygen: template %s requires approval by a CA "
		    "officer, and a key entca generates cannot be handed out later: "
		    "use simpleenroll with a key of your own", e->template_name);
		enroll_fill_record(j, e, STORE_REQ_DENIED, j->why);
		j->apply = enroll_apply;
		return;
	}
	if (e->dec.verdict == POLICY_PEND) {
		enroll_fill_record(j, e, STORE_REQ_PENDING, e->dec.why);
		j->apply = enroll_apply;
		j->on_commit = enroll_pending_committed;
		job_text(j, 202, "pending approval by a CA officer: %s", e->dec.why);
		job_header(j, "Retry-After", JOB_RETRY_PENDING);
		return;
	}
	if (!enroll_build(j, e))
		return;
	enroll_fill_record(j, e, STORE_REQ_ISSUED,
	    e->dec.notes[0] ? e->dec.notes : "issued");
	memcpy(e->rec.serial, e->cert.serial, e->cert.serial_len);
	e->rec.serial_len = e->cert.serial_len;
	snprintf(e->cert.template_name, sizeof(e->cert.template_name), "%s", e->template_name);
	/* A renewal keeps the original requester (see enroll_requester). */
	snprintf(e->cert.requester, sizeof(e->cert.requester), "%s",
	    e->op == ENROLL_RENEW && e->renew_requester[0] != '\0' ?
	    e->renew_requester : requester->sam);
	snprintf(e->cert.subject_sid, sizeof(e->cert.subject_sid), "%s", e->dec.profile.sid);
	if (e->have_subject) {
		snprintf(e->cert.subject_upn, sizeof(e->cert.subject_upn), "%s", e->subject.upn);
		snprintf(e->cert.subject_dns, sizeof(e->cert.subject_dns), "%s", e->subject.dns);
	}
	if (dn_der_to_string(e->dec.profile.subject_der, e->dec.profile.subject_len,
	    e->cert.subject_dn, sizeof(e->cert.subject_dn), serial_why, sizeof(serial_why)) != CA_OK)
		e->cert.subject_dn[0] = '\0';
	e->cert.status = STORE_CERT_VALID;
	j->apply = enroll_apply;
	j->on_commit = enroll_publish_committed;
	if (e->op == ENROLL_KEYGEN)
		est_reply_keygen(j, e);
	else if (e->op == ENROLL_APPROVE)
		j->status = 200;	/* JSON filled by the caller */
	else
		est_reply_cert(j, e->cert.der, e->cert.der_len);
	if (e->dec.notes[0])
		log_info("request from %s: %s", j->peer, e->dec.notes);
}

/*
 * Two DER Names are the same subject when their attribute values match
 * (policy/ re-encodes string types, so the bytes may differ).
 */
static bool
same_name(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	static __thread struct dn da, db;

	if (alen == blen && memcmp(a, b, alen) == 0)
		return true;
	return dn_parse_der(a, alen, &da, NULL, 0) == CA_OK &&
	    dn_parse_der(b, blen, &db, NULL, 0) == CA_OK && dn_equal(&da, &db);
}

/* Bound on the names one certificate may carry for the renewal check. */
#define EST_RENEW_NAMES_MAX POLICY_SAN_MAX

/*
 * The identity-bearing SANs (UPN, e-mail, DNS) of crt as "type:value"
 * strings; false if the certificate holds more than we compare.
 */
static bool
cert_names(gnutls_x509_crt_t crt, char (*out)[POLICY_SAN_VALUE_MAX + 8],
    size_t *n)
{
	gnutls_subject_alt_names_t sans = NULL;
	gnutls_datum_t ext = { NULL, 0 }, san, oid, virt;
	unsigned type, vtype, crit;
	bool ok = true;

	*n = 0;
	if (gnutls_x509_crt_get_extension_by_oid2(crt, POLICY_OID_SAN, 0, &ext, &crit) < 0)
		return true;	/* no SAN extension: no names */
	if (gnutls_subject_alt_names_init(&sans) < 0 ||
	    gnutls_x509_ext_import_subject_alt_names(&ext, sans, 0) < 0) {
		ok = false;
		goto out;
	}
	for (unsigned i = 0; gnutls_subject_alt_names_get(sans, i, &type, &san, &oid) >= 0; i++) {
		const char *kind = NULL;

		if (type == GNUTLS_SAN_OTHERNAME && gnutls_x509_othername_to_virtual(
		    (const char *)oid.data, &san, &vtype, &virt) >= 0) {
			if (vtype == GNUTLS_SAN_OTHERNAME_MSUSERPRINCIPAL && *n < EST_RENEW_NAMES_MAX)
				snprintf(out[(*n)++], sizeof(out[0]), "upn:%.*s", (int)virt.size, virt.data);
			gnutls_free(virt.data);
			continue;
		}
		if (type == GNUTLS_SAN_DNSNAME)
			kind = "dns";
		else if (type == GNUTLS_SAN_RFC822NAME)
			kind = "email";
		if (kind == NULL)
			continue;
		if (*n >= EST_RENEW_NAMES_MAX) {
			ok = false;
			break;
		}
		snprintf(out[(*n)++], sizeof(out[0]), "%s:%.*s", kind, (int)san.size, san.data);
	}
out:
	gnutls_subject_alt_names_deinit(sans);
	gnutls_free(ext.data);
	return ok;
}

/*
 * RFC 7030 §4.2.2: a renewal keeps the subject alternative names. The
 * original requester may have been an officer who named anyone, so a
 * renewing subject must not swap in another identity.
 */
static bool
same_names(gnutls_x509_crt_t old, const struct policy_request *r)
{
	static __thread char had[EST_RENEW_NAMES_MAX][POLICY_SAN_VALUE_MAX + 8];
	static __thread char want[EST_RENEW_NAMES_MAX][POLICY_SAN_VALUE_MAX + 8];
	size_t n_had, n_want = 0;

	if (!cert_names(old, had, &n_had))
		return false;
	for (size_t i = 0; i < r->n_sans; i++) {
		const char *kind = r->sans[i].type == POLICY_SAN_UPN ? "upn" :
		    r->sans[i].type == POLICY_SAN_EMAIL ? "email" :
		    r->sans[i].type == POLICY_SAN_DNS ? "dns" : NULL;

		if (kind != NULL && n_want < EST_RENEW_NAMES_MAX)
			snprintf(want[n_want++], sizeof(want[0]), "%s:%s", kind, r->sans[i].value);
	}
	if (n_had != n_want)
		return false;
	for (size_t i = 0; i < n_want; i++) {
		size_t k;

		for (k = 0; k < n_had; k++)
			if (strcasecmp(want[i], had[k]) == 0)
				break;
		if (k == n_had)
			return false;
	}
	return true;
}

/* Worker: simplereenroll checks (RFC 7030 §4.2.2) before policy. */
static bool
enroll_renew_check(struct job *j, struct enroll *e, struct principal *requester)
{
	gnutls_x509_crt_t old = NULL;
	gnutls_datum_t d = { j->client_cert, (unsigned)j->client_cert_len };
	unsigned char serial[STORE_SERIAL_MAX + 1];
	size_t serial_len = sizeof(serial);
	struct store_txn *t = NULL;
	struct store_cert c;
	char why[CA_WHY_MAX];
	gnutls_datum_t old_subj = { NULL, 0 };
	bool ok = false;
	int64_t now = ca_now();

	memset(&c, 0, sizeof(c));
	if (j->client_cert == NULL || j->have_basic) {
		job_fail(j, CA_EDENIED, "simplereenroll: authenticate with the TLS client certificate being renewed (RFC 7030 §4.2.2)");
		return false;
	}
	if (gnutls_x509_crt_init(&old) < 0 ||
	    gnutls_x509_crt_import(old, &d, GNUTLS_X509_FMT_DER) < 0 ||
	    gnutls_x509_crt_get_serial(old, serial, &serial_len) < 0 ||
	    gnutls_x509_crt_get_raw_dn(old, &old_subj) < 0) {
		job_fail(j, CA_EPARSE, "simplereenroll: client certificate does not parse");
		goto out;
	}
	if (store_read_begin(j->gen->store, &t, why, sizeof(why)) != CA_OK ||
	    store_get_cert(t, serial, serial_len, &c) != CA_OK) {
		job_fail(j, CA_EDENIED, "simplereenroll: the client certificate was not issued by this CA");
		goto out;
	}
	if (c.status != STORE_CERT_VALID) {
		job_fail(j, CA_EDENIED, "simplereenroll: the client certificate is revoked");
		goto out;
	}
	snprintf(e->template_name, sizeof(e->template_name), "%s", c.template_name);
	memcpy(e->renew_serial, c.serial, c.serial_len);
	e->renew_serial_len = c.serial_len;
	snprintf(e->renew_requester, sizeof(e->renew_requester), "%s", c.requester);
	e->tmpl = templates_find(j->tset, c.template_name);
	if (e->tmpl == NULL || !config_issues_template(j->cfg, c.template_name)) {
		job_fail(j, CA_ENOTFOUND, "simplereenroll: template %s is no longer issued by this CA", c.template_name);
		goto out;
	}
	if (e->tmpl->renewal_seconds > 0 && now < c.not_after - e->tmpl->renewal_seconds) {
		job_fail(j, CA_EDENIED, "simplereenroll: outside the renewal window of template %s (opens %lld seconds before expiry)",
		    e->template_name, (long long)e->tmpl->renewal_seconds);
		goto out;
	}
	if (!same_name(e->preq.subject_der, e->preq.subject_len, old_subj.data,
	    old_subj.size)) {
		job_fail(j, CA_EPOLICY, "simplereenroll: the request's subject differs from the certificate being renewed (RFC 7030 §4.2.2)");
		goto out;
	}
	if (!same_names(old, &e->preq)) {
		job_fail(j, CA_EPOLICY, "simplereenroll: the request's subject alternative names differ from the certificate being renewed (RFC 7030 §4.2.2)");
		goto out;
	}
	if (e->tmpl->renewal == TMPL_RENEWAL_VALID_CERTIFICATE) {
		/*
		 * AD CS's "valid existing certificate": the certificate alone
		 * authorizes the renewal, under the original requester's
		 * rights (the current directory state of that account).
		 */
		if (directory_lookup(job_dir(j), DIRECTORY_BY_SAM, c.requester,
		    requester, why, sizeof(why)) != CA_OK) {
			job_fail(j, CA_EDENIED, "simplereenroll: original requester %s: %s",
			    c.requester, why);
			goto out;
		}
	} else if (principal_copy(requester, &j->who) != CA_OK) {
		/* Same criteria as enrollment: the renewing account's own rights. */
		job_fail(j, CA_ENOMEM, "out of memory");
		goto out;
	}
	principal_clear(&e->subject);
	if (principal_copy(&e->subject, &j->who) != CA_OK)
		goto out;
	e->have_subject = true;
	ok = true;
out:
	gnutls_free(old_subj.data);
	store_cert_clear(&c);
	store_read_end(t);
	gnutls_x509_crt_deinit(old);
	return ok;
}

/* Worker: the enrollment stages after authentication. */
static void
enroll_work(struct job *j)
{
	struct enroll *e = j->ctx;
	struct principal orig;

	memset(&orig, 0, sizeof(orig));
	if (!enroll_parse_csr(j, e))
		goto out;
	if (e->op == ENROLL_KEYGEN && j->body != NULL)
		gnutls_memset(j->body, 0, j->body_len);	/* may hold the password */
	if (e->op == ENROLL_RENEW) {
		if (!enroll_renew_check(j, e, &orig))
			goto out;
		/* A renewal that went pending polls like an enrollment. */
		if (enroll_poll(j, e) || enroll_renewal_again(j, e))
			goto out;
		if (!enroll_check_binding(j, e))
			goto out;
		enroll_decide(j, e, &orig);
		goto out;
	}
	/*
	 * A poll re-sends the CSR of a request that was linked to its own TLS
	 * session when it was made, so it is answered before the binding of
	 * this connection is checked; a new request must be linked.
	 */
	if (e->op == ENROLL_SIMPLE && enroll_poll(j, e))
		goto out;
	if (!enroll_check_binding(j, e))
		goto out;
	if (e->op == ENROLL_KEYGEN && !enroll_pfx_password(j, e))
		goto out;
	if (!enroll_find_subject(j, e, &j->who))
		goto out;
	enroll_decide(j, e, &j->who);
out:
	gnutls_memset(j->extra, 0, sizeof(j->extra));
	principal_clear(&orig);
}

/* Loop: enrollment routes; template resolution is pure memory. */
void
est_enroll(struct daemon *d, struct http_request *req, enum enroll_op op,
    const char *label)
{
	struct job *j;
	struct enroll *e = job_new_ctx(d, req, sizeof(*e), enroll_free, &j);
	const char *name = label != NULL ? label : d->cfg->default_template;
	const char *pw;

	if (e == NULL)
		return;
	e->op = op;
	/* A client certificate logs in by default only to renew itself. */
	j->cert_renewal = op == ENROLL_RENEW;
	if (op != ENROLL_RENEW) {
		if (*name == '\0') {
			job_fail(j, CA_ENOTFOUND, "no template named in the path and no default-template configured");
			job_refuse_after_auth(j);
			return;
		}
		snprintf(e->template_name, sizeof(e->template_name), "%s", name);
		snprintf(j->log_template, sizeof(j->log_template), "%s", name);
		e->tmpl = templates_find(j->tset, name);
		if (e->tmpl == NULL || !config_issues_template(d->cfg, name)) {
			/* Which templates exist is told only to callers who log in. */
			job_fail(j, CA_ENOTFOUND, "template %s is not issued by this CA", name);
			job_refuse_after_auth(j);
			return;
		}
		snprintf(e->template_name, sizeof(e->template_name), "%s", e->tmpl->name);
	}
	if (op == ENROLL_KEYGEN) {
		pw = http_request_header(req, "X-EST-PKCS12-Password");
		if (pw != NULL)
			snprintf(j->extra, sizeof(j->extra), "%s", pw);
	}
	/* The session lives on the loop: copy its binding for the worker. */
	if (http_request_channel_binding(req, j->tls_binding, sizeof(j->tls_binding),
	    &j->tls_binding_len, &j->tls_binding_type) != CA_OK)
		j->tls_binding_len = 0;
	job_start(j, enroll_work);
}

/*
 * SCEP PKIOperation (RFC 8894) on a worker and the store writer. The
 * pkiMessage is verified (scep_msg.c), its envelope opened with the RA key
 * in the signer (scep_cms.c), and the request decided by the EST
 * enrollment pipeline (ca/est/enroll.h: enroll_decide, enroll_apply), as
 * if the issuer of the request's one-time challenge had sent the CSR for
 * the challenge's principal (scep_challenge.c). The reply is a CertRep
 * signed by the RA key, sealed to the client's signing certificate; the
 * store writer commits the request, certificate, challenge use,
 * transaction and one audit event before the loop sends it.
 *
 * Message types: PKCSReq and RenewalReq (§3.3.1), CertPoll (§3.3.3),
 * GetCert and GetCRL (§3.3.4). A repeated PKCSReq with the same
 * transactionID and key is a poll; the same transactionID with another
 * key is refused. Workers and the writer only, never the loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/hex.h"
#include "common/log.h"
#include "ca/daemon/daemon.h"
#include "ca/daemon/job.h"
#include "ca/identity/identity.h"
#include "ca/issue/crl_publish.h"
#include "ca/issue/pkcs7.h"
#include "ca/scep/scep_int.h"
#include "ca/scep/scep_ra.h"
#include "ca/store/store.h"
#include "ldap/directory.h"
#include "policy/request.h"

#define SCEP_MIME_MESSAGE "application/x-pki-message"
#define SCEP_TIME_SKEW_MAX 86400	/* signingTime tolerance, seconds */

/* Free a PKIOperation's state; see scep_int.h. */
void
scep_job_free(void *arg)
{
	struct scep_job *s = arg;

	if (s == NULL)
		return;
	scep_msg_clear(&s->m);
	/* enroll_free frees s itself: the enrollment is its first member. */
	enroll_free(&s->e);
}

/* Worker: CertRep with status (and failInfo, content) into j. */
static void
scep_reply(struct job *j, struct scep_job *s, int status, int fail,
    const unsigned char *content, size_t len, const char *text)
{
	const struct scep_ra *ra = j->d->scep;
	struct scep_msg r;
	unsigned char *env = NULL, *out = NULL;
	size_t envlen = 0, outlen = 0;
	char why[CA_WHY_MAX];
	int rc = CA_OK;

	memset(&r, 0, sizeof(r));
	r.type = SCEP_CERTREP;
	snprintf(r.txid, sizeof(r.txid), "%s", s->m.txid);
	r.have_sender_nonce = true;
	gnutls_rnd(GNUTLS_RND_NONCE, r.sender_nonce, SCEP_NONCE_LEN);
	/* §3.2.1.5: the client's senderNonce comes back as recipientNonce. */
	if (s->m.have_sender_nonce) {
		r.have_recipient_nonce = true;
		memcpy(r.recipient_nonce, s->m.sender_nonce, SCEP_NONCE_LEN);
	}
	r.status = status;
	r.fail_info = status == SCEP_FAILURE ? fail : -1;
	if (status == SCEP_FAILURE)
		snprintf(r.fail_text, sizeof(r.fail_text), "%s", text);
	if (content != NULL)
		rc = scep_envelope_seal(content, len, s->m.signer, s->cipher, &env,
		    &envlen, why, sizeof(why));
	if (rc == CA_OK)
		rc = scep_msg_build(&r, env, envlen, ra->cert, ra->key,
		    s->m.digest == GNUTLS_DIG_SHA512 ? GNUTLS_DIG_SHA512 : GNUTLS_DIG_SHA256,
		    &out, &outlen, why, sizeof(why));
	free(env);
	free(j->resp);
	j->resp = NULL;
	j->resp_len = 0;
	j->n_headers = 0;
	if (rc != CA_OK) {
		/* Nothing may be handed out or recorded without its reply. */
		j->apply = NULL;
		if (rc == CA_EUNAVAIL || rc == CA_ETIMEOUT) {
			job_fail(j, CA_EUNAVAIL, "SCEP: signer unavailable: %s", why);
			job_header(j, "Retry-After", JOB_RETRY_SIGNER);
		} else {
			job_fail(j, CA_ENOMEM, "SCEP: CertRep: %s", why);
		}
		return;
	}
	job_body_take(j, out, outlen, SCEP_MIME_MESSAGE);
	if (status == SCEP_FAILURE)
		log_notice("SCEP %s from %s, transaction %s: FAILURE %s: %s",
		    s->action, j->peer, s->m.txid,
		    (unsigned)fail < SCEP_FAIL_COUNT ? scep_fail_names[fail] : "?", text);
	else if (status == SCEP_PENDING)
		log_info("SCEP %s from %s, transaction %s: PENDING", s->action,
		    j->peer, s->m.txid);
}

/* Worker: SUCCESS carrying one certificate (certs-only PKCS#7, §3.3.2). */
static void
scep_reply_cert(struct job *j, struct scep_job *s, const unsigned char *der,
    size_t len)
{
	gnutls_datum_t c = { (unsigned char *)der, (unsigned)len };
	unsigned char *p7 = NULL;
	size_t p7len = 0;

	if (pkcs7_certs_only(&c, 1, &p7, &p7len) != CA_OK) {
		j->apply = NULL;
		job_fail(j, CA_ENOMEM, "SCEP: cannot encode the certificate");
		return;
	}
	scep_reply(j, s, SCEP_SUCCESS, 0, p7, p7len, "");
	gnutls_free(p7);
}

/* Writer: audit a refusal (and remove an expired challenge). */
static int
scep_refusal_apply(struct store_wtxn *w, struct job *j)
{
	struct scep_job *s = j->ctx;

	if (s->expired_challenge)
		store_w_del_challenge(w, s->ch.hash);
	return job_audit(w, j, s->action, "denied", s->refusal,
	    "template", s->label, "transaction", s->m.txid,
	    "principal", s->ch.principal, NULL);
}

/* Worker: refuse with a CertRep FAILURE that is also audited. */
static void
scep_refuse(struct job *j, struct scep_job *s, int fail, const char *why)
{
	snprintf(s->refusal, sizeof(s->refusal), "%.500s", why);
	scep_reply(j, s, SCEP_FAILURE, fail, NULL, 0, why);
	if (j->status == 200)
		j->apply = scep_refusal_apply;
}

/* Writer: request, certificate, challenge use, transaction, one audit. */
static int
scep_apply(struct store_wtxn *w, struct job *j)
{
	struct scep_job *s = j->ctx;
	struct store_scep_tx x;
	int rc;

	rc = enroll_apply(w, j);
	if (rc != CA_OK)
		return rc;
	if (s->have_challenge &&
	    scep_challenge_consume(w, &s->ch, s->e.rec.id) != CA_OK)
		return store_w_status(w);
	memset(&x, 0, sizeof(x));
	if (scep_challenge_hash(s->m.txid, x.hash) != CA_OK)
		return store_w_fail(w, CA_ECRYPTO, "SCEP: hash failed");
	x.request_id = s->e.rec.id;
	memcpy(x.key_id, s->key_id, sizeof(x.key_id));
	snprintf(x.template_name, sizeof(x.template_name), "%s", s->e.template_name);
	return store_w_put_scep_tx(w, &x);
}

/*
 * Worker: answer from an earlier transaction (CertPoll, or a PKCSReq sent
 * again): PENDING while pending, SUCCESS with the certificate once
 * issued, FAILURE once denied.
 */
static void
scep_answer_tx(struct job *j, struct scep_job *s, const struct store_scep_tx *x)
{
	struct store_txn *t = NULL;
	struct store_request r;
	struct store_cert c;
	char why[CA_WHY_MAX];

	memset(&r, 0, sizeof(r));
	memset(&c, 0, sizeof(c));
	if (store_read_begin(j->gen->store, &t, why, sizeof(why)) != CA_OK ||
	    store_get_request(t, x->request_id, &r) != CA_OK) {
		scep_reply(j, s, SCEP_FAILURE, SCEP_BAD_CERT_ID, NULL, 0,
		    "transaction: its request is not in the store");
		goto out;
	}
	if (r.status == STORE_REQ_PENDING) {
		scep_reply(j, s, SCEP_PENDING, 0, NULL, 0, "");
	} else if (r.status == STORE_REQ_ISSUED &&
	    store_get_cert(t, r.serial, r.serial_len, &c) == CA_OK) {
		snprintf(j->log_serial, sizeof(j->log_serial), "%s", "");
		scep_reply_cert(j, s, c.der, c.der_len);
	} else {
		snprintf(why, sizeof(why), "request %llu was %s: %.400s",
		    (unsigned long long)x->request_id,
		    store_req_status_name(r.status), r.reason);
		scep_reply(j, s, SCEP_FAILURE, SCEP_BAD_REQUEST, NULL, 0, why);
	}
out:
	store_cert_clear(&c);
	store_request_clear(&r);
	store_read_end(t);
}

/* Worker: the transaction record of s's transactionID, if any. */
static bool
scep_find_tx(struct job *j, struct scep_job *s, struct store_scep_tx *x)
{
	unsigned char h[STORE_HASH_LEN];
	struct store_txn *t = NULL;
	char why[CA_WHY_MAX];
	bool found;

	if (scep_challenge_hash(s->m.txid, h) != CA_OK ||
	    store_read_begin(j->gen->store, &t, why, sizeof(why)) != CA_OK)
		return false;
	found = store_get_scep_tx(t, h, x) == CA_OK;
	store_read_end(t);
	return found;
}

/* SHA-256 key id of a certificate's public key. */
static bool
crt_key_id(gnutls_x509_crt_t crt, unsigned char *out)
{
	size_t n = STORE_HASH_LEN;

	return gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, out, &n) >= 0 &&
	    n == STORE_HASH_LEN;
}

/* SHA-256 key id of the CSR's public key. */
static bool
csr_key_id(const unsigned char *der, size_t len, unsigned char *out)
{
	gnutls_x509_crq_t crq = NULL;
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };
	size_t n = STORE_HASH_LEN;
	bool ok;

	ok = gnutls_x509_crq_init(&crq) >= 0 &&
	    gnutls_x509_crq_import(crq, &d, GNUTLS_X509_FMT_DER) >= 0 &&
	    gnutls_x509_crq_get_key_id(crq, GNUTLS_KEYID_USE_SHA256, out, &n) >= 0 &&
	    n == STORE_HASH_LEN;
	gnutls_x509_crq_deinit(crq);
	return ok;
}

/* Worker: look a principal up by name; false after a reply in j. */
static bool
scep_lookup(struct job *j, struct scep_job *s, int key, const char *name,
    struct principal *p, const char *role)
{
	char why[CA_WHY_MAX], msg[CA_WHY_MAX + 64];
	int rc = directory_lookup(job_dir(j), key, name, p, why, sizeof(why));

	if (rc == CA_OK)
		return true;
	if (rc == CA_EUNAVAIL || rc == CA_ETIMEOUT) {
		job_fail(j, CA_EUNAVAIL, "directory unavailable");
		job_header(j, "Retry-After", JOB_RETRY_DIRECTORY);
		return false;
	}
	snprintf(msg, sizeof(msg), "%s %s: not found in the directory", role, name);
	scep_refuse(j, s, SCEP_BAD_REQUEST, msg);
	return false;
}

/* True when issuer (a DER Name) is this CA's subject. */
static bool
scep_issuer_is_ours(struct job *j, const unsigned char *issuer, size_t len)
{
	return len == j->gen->id->subject_der.size &&
	    memcmp(issuer, j->gen->id->subject_der.data, len) == 0;
}

/*
 * Worker: the certificate this CA issued with serial (INTEGER contents)
 * into *c (store_cert_clear frees it); false when issuer is another CA's
 * or the store has no such certificate. The read ends here: *c is a copy,
 * and no caller should hold the store while it goes on to the directory.
 */
static bool
scep_issued_cert(struct job *j, const unsigned char *issuer, size_t ilen,
    const unsigned char *serial, size_t slen, struct store_cert *c)
{
	struct store_txn *t = NULL;
	char why[CA_WHY_MAX];
	bool found;

	if (!scep_issuer_is_ours(j, issuer, ilen) || slen > STORE_SERIAL_MAX ||
	    store_read_begin(j->gen->store, &t, why, sizeof(why)) != CA_OK)
		return false;
	found = store_get_cert(t, serial, slen, c) == CA_OK;
	store_read_end(t);
	if (!found)
		store_cert_clear(c);
	return found;
}

/*
 * Worker: RenewalReq signed by a certificate of this CA (§3.3.1.2): valid,
 * unrevoked, of this template. Fills requester and subject from it and
 * the renewal fields of the enrollment. false after a reply in j; *ours
 * says whether the signer certificate is this CA's at all.
 */
static bool
scep_renewal(struct job *j, struct scep_job *s, struct principal *requester,
    struct principal *subject, bool *ours)
{
	unsigned char serial[SCEP_SERIAL_MAX];
	size_t serial_len = sizeof(serial);
	gnutls_datum_t iss = { NULL, 0 };
	struct store_cert c;
	char why[CA_WHY_MAX];
	bool ok = false, found;

	memset(&c, 0, sizeof(c));
	*ours = false;
	if (gnutls_x509_crt_get_serial(s->m.signer, serial, &serial_len) < 0 ||
	    gnutls_x509_crt_get_raw_issuer_dn(s->m.signer, &iss) < 0)
		return true;
	found = scep_issued_cert(j, iss.data, iss.size, serial, serial_len, &c);
	gnutls_free(iss.data);
	if (!found)
		return true;	/* not ours: a renewal needs a challenge then */
	/* The signer is the certificate in our store, byte for byte. */
	{
		gnutls_datum_t raw = { NULL, 0 };

		if (gnutls_x509_crt_export2(s->m.signer, GNUTLS_X509_FMT_DER, &raw) < 0 ||
		    raw.size != c.der_len || memcmp(raw.data, c.der, c.der_len) != 0) {
			gnutls_free(raw.data);
			ok = true;
			goto out;
		}
		gnutls_free(raw.data);
	}
	*ours = true;
	if (c.status != STORE_CERT_VALID || ca_now() >= c.not_after) {
		scep_refuse(j, s, SCEP_BAD_CERT_ID, c.status != STORE_CERT_VALID ?
		    "RenewalReq: the signing certificate is revoked" :
		    "RenewalReq: the signing certificate has expired");
		goto out;
	}
	if (strcasecmp(c.template_name, s->e.template_name) != 0) {
		snprintf(why, sizeof(why), "RenewalReq: the signing certificate is of "
		    "template %s, not %s", c.template_name, s->e.template_name);
		scep_refuse(j, s, SCEP_BAD_REQUEST, why);
		goto out;
	}
	if (!scep_lookup(j, s, DIRECTORY_BY_SAM, c.requester, requester, "requester") ||
	    !scep_lookup(j, s, c.subject_sid[0] ? DIRECTORY_BY_SID : DIRECTORY_BY_UPN,
	    c.subject_sid[0] ? c.subject_sid : c.subject_upn, subject, "principal"))
		goto out;
	memcpy(s->e.renew_serial, c.serial, c.serial_len);
	s->e.renew_serial_len = c.serial_len;
	snprintf(s->e.renew_requester, sizeof(s->e.renew_requester), "%s", c.requester);
	s->e.op = ENROLL_RENEW;
	hex_encode(c.serial, c.serial_len, why);
	snprintf(s->e.audit_via, sizeof(s->e.audit_via), "SCEP RenewalReq signed by "
	    "certificate %.64s, transaction %.127s", why, s->m.txid);
	ok = true;
out:
	store_cert_clear(&c);
	return ok;
}

/* Worker: PKCSReq and RenewalReq. */
static void
scep_enroll(struct job *j, struct scep_job *s, const unsigned char *csr,
    size_t csr_len)
{
	struct enroll *e = &s->e;
	struct principal requester, subject;
	struct store_scep_tx x;
	char why[CA_WHY_MAX];
	bool renewal = false, ours = false;
	int rc;

	memset(&requester, 0, sizeof(requester));
	memset(&subject, 0, sizeof(subject));
	e->csr = malloc(csr_len);
	if (e->csr == NULL) {
		job_fail(j, CA_ENOMEM, "out of memory");
		return;
	}
	memcpy(e->csr, csr, csr_len);
	e->csr_len = csr_len;
	rc = policy_request_parse(e->csr, e->csr_len, &e->preq, why, sizeof(why));
	if (rc != CA_OK) {
		scep_reply(j, s, SCEP_FAILURE, SCEP_BAD_REQUEST, NULL, 0, why);
		return;
	}
	e->have_preq = true;
	if (!csr_key_id(e->csr, e->csr_len, s->key_id)) {
		scep_reply(j, s, SCEP_FAILURE, SCEP_BAD_REQUEST, NULL, 0,
		    "PKCS#10: public key cannot be read");
		return;
	}
	/* §3.2.1.1: one transactionID, one key; the same again is a poll. */
	if (scep_find_tx(j, s, &x)) {
		if (memcmp(x.key_id, s->key_id, sizeof(x.key_id)) != 0) {
			scep_refuse(j, s, SCEP_BAD_REQUEST, "transactionID: already used "
			    "with another key (RFC 8894 §3.2.1.1)");
			return;
		}
		scep_answer_tx(j, s, &x);
		return;
	}
	if (s->m.type == SCEP_RENEWALREQ) {
		if (!scep_renewal(j, s, &requester, &subject, &ours))
			goto out;
		renewal = ours;
	}
	if (!renewal) {
		if (!e->preq.has_challenge) {
			scep_refuse(j, s, SCEP_BAD_REQUEST, "challengePassword: missing; "
			    "a one-time challenge is required (POST /api/v1/scep/challenges)");
			goto out;
		}
		rc = scep_challenge_check(j, e->preq.challenge, s->e.template_name,
		    &s->ch, why, sizeof(why));
		gnutls_memset(e->preq.challenge, 0, sizeof(e->preq.challenge));
		if (rc == CA_ETIMEOUT)
			s->expired_challenge = true;	/* its expiry is audited */
		if (rc == CA_EDB) {
			job_fail(j, CA_EUNAVAIL, "store unavailable");
			goto out;
		}
		if (rc != CA_OK) {
			scep_refuse(j, s, SCEP_BAD_REQUEST, why);
			goto out;
		}
		s->have_challenge = true;
		/* As if the challenge's issuer sent the CSR for its principal. */
		if (!scep_lookup(j, s, DIRECTORY_BY_SAM, s->ch.issuer, &requester,
		    "challenge issuer") ||
		    !scep_lookup(j, s, DIRECTORY_BY_ANY, s->ch.principal, &subject,
		    "principal"))
			goto out;
		snprintf(e->audit_via, sizeof(e->audit_via), "SCEP challenge of %.150s "
		    "for %.150s, transaction %.127s", s->ch.issuer, s->ch.principal, s->m.txid);
	}
	/* The record and audit name the account the decision ran as. */
	principal_clear(&j->who);
	if (principal_copy(&j->who, &requester) != CA_OK) {
		job_fail(j, CA_ENOMEM, "out of memory");
		goto out;
	}
	if (!enroll_for_subject(j, e, &subject))
		goto out;
	enroll_decide(j, e, &requester);
	if (e->issued) {
		j->apply = scep_apply;
		scep_reply_cert(j, s, e->cert.der, e->cert.der_len);
	} else if (j->apply == enroll_apply && e->rec.status == STORE_REQ_PENDING) {
		j->apply = scep_apply;
		j->on_commit = NULL;	/* the CertRep is the answer, not EST's 202 */
		scep_reply(j, s, SCEP_PENDING, 0, NULL, 0, "");
	} else if (j->apply == enroll_apply) {
		j->apply = scep_apply;
		j->on_commit = NULL;
		scep_reply(j, s, SCEP_FAILURE, SCEP_BAD_REQUEST, NULL, 0, e->rec.reason);
	}
	/* else: a 5xx in j (directory, signer, store): nothing is recorded. */
out:
	principal_clear(&requester);
	principal_clear(&subject);
}

/* Worker: CertPoll (GetCertInitial): the transaction's outcome. */
static void
scep_poll(struct job *j, struct scep_job *s, const unsigned char *body, size_t len)
{
	unsigned char issuer[SCEP_NAME_MAX], subject[SCEP_NAME_MAX], kid[STORE_HASH_LEN];
	size_t ilen, slen;
	struct store_scep_tx x;
	char why[CA_WHY_MAX];

	if (scep_issuer_subject_parse(body, len, issuer, &ilen, subject, &slen, why,
	    sizeof(why)) != CA_OK) {
		scep_reply(j, s, SCEP_FAILURE, SCEP_BAD_REQUEST, NULL, 0, why);
		return;
	}
	if (!scep_find_tx(j, s, &x)) {
		scep_reply(j, s, SCEP_FAILURE, SCEP_BAD_CERT_ID, NULL, 0,
		    "CertPoll: no such transaction");
		return;
	}
	/* Only the key that made the request learns its outcome. */
	if (!crt_key_id(s->m.signer, kid) || memcmp(kid, x.key_id, sizeof(kid)) != 0) {
		scep_refuse(j, s, SCEP_BAD_CERT_ID, "CertPoll: signed with another key "
		    "than the transaction's request");
		return;
	}
	scep_answer_tx(j, s, &x);
}

/* Worker: GetCert: a certificate of this CA by issuer and serial. */
static void
scep_getcert(struct job *j, struct scep_job *s, const unsigned char *body, size_t len)
{
	unsigned char issuer[SCEP_NAME_MAX], serial[SCEP_SERIAL_MAX];
	size_t ilen, slen;
	struct store_cert c;
	char why[CA_WHY_MAX];

	memset(&c, 0, sizeof(c));
	if (scep_issuer_serial_parse(body, len, issuer, &ilen, serial, &slen, why,
	    sizeof(why)) != CA_OK) {
		scep_reply(j, s, SCEP_FAILURE, SCEP_BAD_REQUEST, NULL, 0, why);
		return;
	}
	if (scep_issued_cert(j, issuer, ilen, serial, slen, &c))
		scep_reply_cert(j, s, c.der, c.der_len);
	else
		scep_reply(j, s, SCEP_FAILURE, SCEP_BAD_CERT_ID, NULL, 0,
		    "GetCert: no certificate of this CA with that issuer and serial");
	store_cert_clear(&c);
}

/* Worker: GetCRL: the current full CRL as a CRLs-only PKCS#7 (§3.3.4). */
static void
scep_getcrl(struct job *j, struct scep_job *s, const unsigned char *body, size_t len)
{
	unsigned char issuer[SCEP_NAME_MAX], serial[SCEP_SERIAL_MAX];
	size_t ilen, slen;
	struct crlpub_result crl;
	gnutls_pkcs7_t p7 = NULL;
	gnutls_datum_t d, out = { NULL, 0 };
	char why[CA_WHY_MAX];

	memset(&crl, 0, sizeof(crl));
	if (scep_issuer_serial_parse(body, len, issuer, &ilen, serial, &slen, why,
	    sizeof(why)) != CA_OK) {
		scep_reply(j, s, SCEP_FAILURE, SCEP_BAD_REQUEST, NULL, 0, why);
		return;
	}
	if (!scep_issuer_is_ours(j, issuer, ilen)) {
		scep_reply(j, s, SCEP_FAILURE, SCEP_BAD_CERT_ID, NULL, 0,
		    "GetCRL: the certificate was not issued by this CA");
		return;
	}
	if (crlpub_load(j->cfg->state_dir, j->cfg->name, false, &crl, why,
	    sizeof(why)) != CA_OK || crl.der == NULL) {
		job_fail(j, CA_EUNAVAIL, "SCEP GetCRL: no CRL has been published yet");
		return;
	}
	d.data = crl.der;
	d.size = (unsigned)crl.der_len;
	if (gnutls_pkcs7_init(&p7) < 0 || gnutls_pkcs7_set_crl_raw(p7, &d) < 0 ||
	    gnutls_pkcs7_export2(p7, GNUTLS_X509_FMT_DER, &out) < 0)
		job_fail(j, CA_ENOMEM, "SCEP GetCRL: cannot encode the CRL");
	else
		scep_reply(j, s, SCEP_SUCCESS, 0, out.data, out.size, "");
	gnutls_free(out.data);
	gnutls_pkcs7_deinit(p7);
	crlpub_result_clear(&crl);
}

/* A request messageType this CA answers (RFC 8894 §3.3). */
struct scep_request {
	int type;		/* enum scep_type */
	const char *action;	/* its audit action */
	void (*answer)(struct job *, struct scep_job *, const unsigned char *,
	    size_t);		/* worker: given the opened envelope */
};

static const struct scep_request scep_requests[] = {
	{ SCEP_PKCSREQ, "scep-pkcsreq", scep_enroll },
	{ SCEP_RENEWALREQ, "scep-renewalreq", scep_enroll },
	{ SCEP_CERTPOLL, "scep-certpoll", scep_poll },
	{ SCEP_GETCERT, "scep-getcert", scep_getcert },
	{ SCEP_GETCRL, "scep-getcrl", scep_getcrl },
};

/* The request of messageType type, or NULL when this CA answers none. */
static const struct scep_request *
scep_request_of(int type)
{
	for (size_t i = 0; i < sizeof(scep_requests) / sizeof(scep_requests[0]); i++)
		if (scep_requests[i].type == type)
			return &scep_requests[i];
	return NULL;
}

/* Worker: verify, open, dispatch one PKIOperation; see scep_int.h. */
void
scep_work(struct job *j)
{
	struct scep_job *s = j->ctx;
	const struct scep_ra *ra = j->d->scep;
	const struct scep_request *req;
	unsigned char *inner = NULL;
	size_t inner_len = 0;
	char why[CA_WHY_MAX];
	int rc;

	snprintf(j->who.sam, sizeof(j->who.sam), "scep:%s", j->peer);
	rc = scep_msg_parse(j->body, j->body_len, j->cfg->scep_allow_sha1, &s->m, why,
	    sizeof(why));
	req = scep_request_of(s->m.type);
	/* Audited and logged as "scep" when the type is not one we answer. */
	s->action = req != NULL ? req->action : "scep";
	s->e.audit_action = s->action;
	if (rc != CA_OK && s->m.txid[0] == '\0') {
		/* Nothing to answer a CertRep to: not a pkiMessage. */
		job_fail(j, CA_EPARSE, "SCEP: %s", why);
		return;
	}
	s->have_msg = true;
	if (rc != CA_OK) {
		scep_reply(j, s, SCEP_FAILURE, rc == CA_EPOLICY ? SCEP_BAD_ALG :
		    rc == CA_ECRYPTO ? SCEP_BAD_MESSAGE_CHECK : SCEP_BAD_REQUEST,
		    NULL, 0, why);
		return;
	}
	if (req == NULL) {
		snprintf(why, sizeof(why), "messageType %d: not a request this CA "
		    "answers (RFC 8894 §3.2.1.2)", s->m.type);
		scep_reply(j, s, SCEP_FAILURE, SCEP_BAD_REQUEST, NULL, 0, why);
		return;
	}
	/* §3.2.1.4: a message signed far from our clock is badTime. */
	if (s->m.signing_time != 0 && (s->m.signing_time > ca_now() + SCEP_TIME_SKEW_MAX ||
	    s->m.signing_time < ca_now() - SCEP_TIME_SKEW_MAX)) {
		snprintf(why, sizeof(why), "signingTime: %lld seconds from this CA's "
		    "clock (at most %d)", (long long)(s->m.signing_time - ca_now()),
		    SCEP_TIME_SKEW_MAX);
		scep_reply(j, s, SCEP_FAILURE, SCEP_BAD_TIME, NULL, 0, why);
		return;
	}
	if (!s->m.have_sender_nonce) {
		scep_reply(j, s, SCEP_FAILURE, SCEP_BAD_REQUEST, NULL, 0,
		    "senderNonce: missing (RFC 8894 §3.2.1.5)");
		return;
	}
	if (s->m.content == NULL) {
		scep_reply(j, s, SCEP_FAILURE, SCEP_BAD_REQUEST, NULL, 0,
		    "pkcsPKIEnvelope: missing");
		return;
	}
	rc = scep_envelope_open(s->m.content, s->m.content_len, ra->cert, ra->key,
	    j->cfg->scep_allow_3des, j->cfg->scep_allow_des, &inner, &inner_len,
	    &s->cipher, why, sizeof(why));
	if (rc == CA_EUNAVAIL) {
		job_fail(j, CA_EUNAVAIL, "SCEP: signer unavailable");
		job_header(j, "Retry-After", JOB_RETRY_SIGNER);
		return;
	}
	if (rc != CA_OK) {
		/* The reply is sealed with AES whatever the client failed with. */
		s->cipher = SCEP_CIPHER_AES128;
		scep_reply(j, s, SCEP_FAILURE, rc == CA_EPOLICY ? SCEP_BAD_ALG :
		    SCEP_BAD_MESSAGE_CHECK, NULL, 0, why);
		return;
	}
	req->answer(j, s, inner, inner_len);
	gnutls_memset(inner, 0, inner_len);
	free(inner);
}

/*
 * An officer's decision on a pending request (POST /api/v1/requests/<id>/
 * approve|deny, `entca request approve|deny`): approval re-runs every
 * policy check with the original requester's rights and the directory as
 * it is now; denial records the officer's reason. Runs on a worker (or in
 * the tool's thread); the record is written by the store writer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>

#include "common/error.h"
#include "common/hex.h"
#include "common/clock.h"
#include "ca/daemon/daemon.h"
#include "ca/est/est_int.h"
#include "ca/daemon/job.h"
#include "ca/daemon/templates_load.h"
#include "ldap/directory.h"
#include "policy/rights.h"

/*
 * Worker: a request whose subject was named outside its CSR when it was
 * submitted (a SCEP challenge's principal, issue 17) keeps that subject
 * at approval, looked up again by its SID; the CSR alone would make it
 * the submitter's. false after an answer in j.
 */
static bool
enroll_keep_subject(struct job *j, struct enroll *e)
{
	struct principal p;
	char why[CA_WHY_MAX];
	bool ok;
	int rc;

	if (e->rec.subject_sid[0] == '\0' ||
	    (e->have_subject && strcmp(e->subject.sid, e->rec.subject_sid) == 0))
		return true;
	memset(&p, 0, sizeof(p));
	rc = directory_lookup(job_dir(j), DIRECTORY_BY_SID, e->rec.subject_sid, &p,
	    why, sizeof(why));
	if (rc != CA_OK) {
		job_text(j, rc == CA_ENOTFOUND ? 409 : 503, "request %llu: subject %s: %s",
		    e->request_id, e->rec.subject_sid, why);
		return false;
	}
	ok = enroll_for_subject(j, e, &p);
	principal_clear(&p);
	return ok;
}

/* Worker: an officer approves or denies pending request e->request_id. */
static void
decide_pending_work(struct job *j)
{
	struct enroll *e = j->ctx;
	struct store_txn *t = NULL;
	struct principal requester;
	char why[CA_WHY_MAX];
	json_t *o;
	int rc;

	memset(&requester, 0, sizeof(requester));
	if (!job_has_ca_right(j, CA_RIGHT_OFFICER)) {
		job_fail(j, CA_EDENIED, "%s: the CA officer right (Issue and Manage Certificates) is required",
		    e->op == ENROLL_APPROVE ? "approve" : "deny");
		return;
	}
	rc = store_read_begin(j->gen->store, &t, why, sizeof(why));
	if (rc == CA_OK)
		rc = store_get_request(t, e->request_id, &e->rec);
	store_read_end(t);
	if (rc != CA_OK) {
		job_fail(j, rc == CA_ENOTFOUND ? CA_ENOTFOUND : CA_EDB, "request %llu: %s",
		    e->request_id, rc == CA_ENOTFOUND ? "no such request" : ca_strerror(rc));
		return;
	}
	/*
	 * The enrollment owns the CSR from now on (enroll_free frees e->csr);
	 * the record only borrows it back (e->rec.csr) to be written.
	 */
	e->csr = e->rec.csr;
	e->csr_len = e->rec.csr_len;
	e->rec.csr = NULL;
	if (e->rec.status != STORE_REQ_PENDING) {
		job_fail(j, CA_ESTATE, "request %llu is %s, not pending", e->request_id,
		    store_req_status_name(e->rec.status));
		return;
	}
	snprintf(e->template_name, sizeof(e->template_name), "%s", e->rec.template_name);
	if (e->op == ENROLL_DENY) {
		e->rec.csr = e->csr;
		e->rec.status = STORE_REQ_DENIED;
		e->rec.updated_at = ca_now();
		if (snprintf(e->rec.reason, sizeof(e->rec.reason), "denied by %s%s%.*s",
		    j->who.sam, e->officer_reason[0] ? ": " : "", 200,
		    e->officer_reason) < 0)
			e->rec.reason[0] = '\0';
		j->apply = enroll_apply;
		o = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)e->request_id,
		    "status", "denied", "reason", e->rec.reason);
		job_json(j, 200, o);
		return;
	}
	e->tmpl = templates_find(j->tset, e->template_name);
	if (e->tmpl == NULL || !config_issues_template(j->cfg, e->template_name)) {
		job_fail(j, CA_ESTATE, "request %llu: template %s is no longer issued by this CA",
		    e->request_id, e->template_name);
		return;
	}
	rc = policy_request_parse(e->csr, e->csr_len, &e->preq, why, sizeof(why));
	if (rc != CA_OK) {
		job_fail(j, CA_ESTATE, "request %llu: %s", e->request_id, why);
		return;
	}
	e->have_preq = true;
	rc = directory_lookup(job_dir(j), DIRECTORY_BY_SAM, e->rec.requester,
	    &requester, why, sizeof(why));
	if (rc != CA_OK) {
		job_fail(j, rc == CA_ENOTFOUND ? CA_ESTATE : CA_EUNAVAIL, "request %llu: requester %s: %s",
		    e->request_id, e->rec.requester, why);
		return;
	}
	snprintf(e->submitter_sid, sizeof(e->submitter_sid), "%s", requester.sid);
	if (enroll_find_subject(j, e, &requester) && enroll_keep_subject(j, e)) {
		/* Approval re-runs every check with the requester's rights. */
		enroll_decide(j, e, &requester);
		if (e->issued) {
			char serial[2 * STORE_SERIAL_MAX + 1] = "";

		hex_encode(e->cert.serial, e->cert.serial_len, serial);
			o = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)e->request_id,
			    "status", "issued", "serial", serial);
			job_json(j, 200, o);
		}
	}
	e->rec.csr = e->csr;
	principal_clear(&requester);
}

/*
 * Prepare job j (body already copied) for an officer's decision on request
 * id; returns the work function, or NULL when j already holds an answer.
 */
est_work_cb
est_pending_setup(struct job *j, unsigned long long id, bool approve)
{
	struct enroll *e = job_ctx_new(j, sizeof(*e), enroll_free);
	json_t *body;

	if (e == NULL)
		return NULL;
	e->op = approve ? ENROLL_APPROVE : ENROLL_DENY;
	e->request_id = id;
	if (j->body_len > 0) {
		body = json_loadb((const char *)j->body, j->body_len, 0, NULL);
		if (body == NULL || !json_is_object(body)) {
			json_decref(body);
			job_fail(j, CA_EPARSE, "body: expected a JSON object such as {\"reason\": \"...\"}");
			return NULL;
		}
		if (json_is_string(json_object_get(body, "reason")))
			snprintf(e->officer_reason, sizeof(e->officer_reason), "%s",
			    json_string_value(json_object_get(body, "reason")));
		json_decref(body);
	}
	return decide_pending_work;
}

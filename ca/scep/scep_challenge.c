/*
 * NDES-style one-time challenges for SCEP. An officer (the connector, or
 * the MDM) asks POST /api/v1/scep/challenges with a template and a
 * principal; the answer is a random challenge that one SCEP request may
 * use as its challengePassword, within [scep] challenge-lifetime, for that
 * template and principal only. The store keeps the SHA-256 of the
 * challenge, never the challenge. The SCEP request is then decided as if
 * the challenge's issuer had sent it for the principal (scep.c).
 *
 * Threads: the route runs on the loop, the work on a worker, the writes
 * and audit events on the store writer; `entca scep challenge` runs them
 * in its own thread through job_run_local.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <jansson.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/hex.h"
#include "ca/daemon/daemon.h"
#include "ca/daemon/job.h"
#include "ca/daemon/job_error.h"
#include "ca/daemon/templates_load.h"
#include "ca/http/http.h"
#include "ca/http/http_util.h"
#include "ca/scep/scep.h"
#include "ca/scep/scep_int.h"
#include "ca/store/store.h"
#include "ldap/directory.h"
#include "policy/rights.h"

#define CHALLENGE_TEXT_LEN (2 * SCEP_CHALLENGE_BYTES)

/* One challenge being made. */
struct challenge_call {
	char tmpl[TMPL_NAME_MAX];
	char principal[STORE_NAME_MAX];
	char requester[STORE_NAME_MAX];	/* local: decide as this account */
	char text[CHALLENGE_TEXT_LEN + 1];	/* the secret, wiped at the end */
	struct store_challenge c;
	size_t n_expired;
	unsigned char expired[SCEP_CHALLENGE_SWEEP_MAX][STORE_HASH_LEN];
	char expired_tmpl[SCEP_CHALLENGE_SWEEP_MAX][STORE_TEMPLATE_NAME_MAX];
	char expired_principal[SCEP_CHALLENGE_SWEEP_MAX][STORE_NAME_MAX];
};

/* Free a call; the challenge text is wiped. */
static void
challenge_call_free(void *arg)
{
	struct challenge_call *a = arg;

	if (a == NULL)
		return;
	gnutls_memset(a->text, 0, sizeof(a->text));
	free(a);
}

/* SHA-256 of the challenge text. */
int
scep_challenge_hash(const char *text, unsigned char *out)
{
	return gnutls_hash_fast(GNUTLS_DIG_SHA256, text, strlen(text), out) < 0 ?
	    CA_ECRYPTO : CA_OK;
}

/* RFC 3339 UTC time for the JSON answer. */
static void
rfc3339(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Worker (read): is text a usable challenge for tmpl? See scep_int.h. */
int
scep_challenge_check(struct job *j, const char *text, const char *tmpl,
    struct store_challenge *c, char *why, size_t whylen)
{
	unsigned char h[STORE_HASH_LEN];
	struct store_txn *t = NULL;
	char when[32];
	int rc;

	memset(c, 0, sizeof(*c));
	if (scep_challenge_hash(text, h) != CA_OK)
		return ca_why(why, whylen, CA_ECRYPTO, "challenge: hash failed");
	rc = store_read_begin(j->gen->store, &t, why, whylen);
	if (rc != CA_OK)
		return rc;
	rc = store_get_challenge(t, h, c);
	if (rc == CA_ENOTFOUND)
		rc = ca_why(why, whylen, CA_ENOTFOUND, "challengePassword: not a "
		    "challenge this CA issued (POST /api/v1/scep/challenges)");
	else if (rc != CA_OK)
		rc = ca_why(why, whylen, CA_EDB, "challenge: %s", store_txn_why(t));
	else if (c->used_at != 0)
		rc = ca_why(why, whylen, CA_ESTATE, "challengePassword: already used "
		    "(request %llu); a challenge is good for one request",
		    (unsigned long long)c->request_id);
	else if (ca_now() >= c->expires) {
		rfc3339(c->expires, when, sizeof(when));
		rc = ca_why(why, whylen, CA_ETIMEOUT, "challengePassword: expired at %s",
		    when);
	} else if (strcasecmp(c->template_name, tmpl) != 0)
		rc = ca_why(why, whylen, CA_EPOLICY, "challengePassword: issued for "
		    "template %s, not %s", c->template_name, tmpl);
	store_read_end(t);
	return rc;
}

/* Writer: consume a challenge; see scep_int.h. */
int
scep_challenge_consume(struct store_wtxn *w, const struct store_challenge *c,
    uint64_t request_id)
{
	struct store_challenge cur;
	int rc;

	rc = store_get_challenge(store_w_txn(w), c->hash, &cur);
	if (rc != CA_OK)
		return store_w_fail(w, CA_ESTATE, "challengePassword: no longer valid");
	if (cur.used_at != 0)
		return store_w_fail(w, CA_ESTATE, "challengePassword: already used "
		    "(request %llu)", (unsigned long long)cur.request_id);
	cur.used_at = ca_now();
	cur.request_id = request_id;
	return store_w_put_challenge(w, &cur);
}

/* Writer (iteration): note challenges past their end for the sweep. */
static int
sweep_cb(const struct store_challenge *c, void *arg)
{
	struct challenge_call *a = arg;

	if (c->expires > ca_now())
		return CA_OK;
	if (a->n_expired >= SCEP_CHALLENGE_SWEEP_MAX)
		return CA_ETOOBIG;	/* the rest at the next issuance */
	memcpy(a->expired[a->n_expired], c->hash, STORE_HASH_LEN);
	/* A used one was audited when used; an unused one expires now. */
	snprintf(a->expired_tmpl[a->n_expired], sizeof(a->expired_tmpl[0]), "%s",
	    c->used_at == 0 ? c->template_name : "");
	snprintf(a->expired_principal[a->n_expired], sizeof(a->expired_principal[0]),
	    "%s", c->principal);
	a->n_expired++;
	return CA_OK;
}

/* Writer: store the new challenge, sweep expired ones, audit both. */
static int
challenge_apply(struct store_wtxn *w, struct job *j)
{
	struct challenge_call *a = j->ctx;
	char when[32];

	a->n_expired = 0;
	store_iter_challenges(store_w_txn(w), sweep_cb, a);
	for (size_t i = 0; i < a->n_expired; i++) {
		store_w_del_challenge(w, a->expired[i]);
		if (a->expired_tmpl[i][0] != '\0')
			job_audit(w, j, "scep-challenge-expire", "expired",
			    "challenge expired unused", "template", a->expired_tmpl[i],
			    "principal", a->expired_principal[i], NULL);
	}
	store_w_put_challenge(w, &a->c);
	rfc3339(a->c.expires, when, sizeof(when));
	return job_audit(w, j, "scep-challenge-issue", "issued",
	    "one-time SCEP challenge", "template", a->c.template_name,
	    "principal", a->c.principal, "decided_as", a->c.issuer,
	    "expires", when, NULL);
}

/* Worker: check rights, template and principal; make the challenge. */
static void
challenge_work(struct job *j)
{
	struct challenge_call *a = j->ctx;
	const struct template *t;
	unsigned char raw[SCEP_CHALLENGE_BYTES];
	struct principal p;
	char why[CA_WHY_MAX], when[32];
	int rc;

	memset(&p, 0, sizeof(p));
	if (!j->local && !job_has_ca_right(j, CA_RIGHT_OFFICER)) {
		job_fail(j, CA_EDENIED, "SCEP challenges: the CA officer right (Issue and "
		    "Manage Certificates) is required");
		return;
	}
	if (!j->cfg->scep_enabled) {
		job_fail(j, CA_ENOTFOUND, "SCEP is not enabled on this CA ([scep] enabled = yes)");
		return;
	}
	t = templates_find(j->tset, a->tmpl);
	if (t == NULL || !config_issues_template(j->cfg, a->tmpl)) {
		job_fail(j, CA_ENOTFOUND, "template %s is not issued by this CA", a->tmpl);
		return;
	}
	/* Bound to someone the directory knows, by name as given. */
	rc = directory_lookup(job_dir(j), DIRECTORY_BY_ANY, a->principal, &p, why,
	    sizeof(why));
	principal_clear(&p);
	if (rc == CA_ENOTFOUND || rc == CA_EPARSE || rc == CA_EINVAL) {
		job_fail(j, CA_EPARSE, "principal %s: not found in the directory", a->principal);
		return;
	}
	if (rc != CA_OK) {
		job_fail(j, CA_EUNAVAIL, "directory unavailable: %s", why);
		job_header(j, "Retry-After", JOB_RETRY_DIRECTORY);
		return;
	}
	if (gnutls_rnd(GNUTLS_RND_KEY, raw, sizeof(raw)) < 0) {
		job_fail(j, CA_ENOMEM, "random generator failed");
		return;
	}
	/* Hex: PrintableString-safe in any challengePassword (RFC 2985). */
	hex_encode(raw, sizeof(raw), a->text);
	gnutls_memset(raw, 0, sizeof(raw));
	if (scep_challenge_hash(a->text, a->c.hash) != CA_OK) {
		job_fail(j, CA_ENOMEM, "challenge: hash failed");
		return;
	}
	snprintf(a->c.template_name, sizeof(a->c.template_name), "%s", t->name);
	snprintf(a->c.principal, sizeof(a->c.principal), "%s", a->principal);
	/* Decided later as the officer who asked (the host's admin names one). */
	snprintf(a->c.issuer, sizeof(a->c.issuer), "%s", j->local ?
	    (a->requester[0] ? a->requester : a->principal) : j->who.sam);
	a->c.created = ca_now();
	a->c.expires = a->c.created + j->cfg->scep_challenge_lifetime_s;
	rfc3339(a->c.expires, when, sizeof(when));
	job_json(j, 200, json_pack("{s:s,s:s,s:s,s:s}", "challenge", a->text,
	    "expires", when, "template", a->c.template_name,
	    "principal", a->c.principal));
	j->apply = challenge_apply;
	snprintf(j->log_template, sizeof(j->log_template), "%s", t->name);
}

/* Fill a call from the JSON body; false with a 400 in j. */
static bool
challenge_parse(struct job *j, struct challenge_call *a)
{
	json_error_t err;
	json_t *b = json_loadb((const char *)j->body, j->body_len, 0, &err);
	const char *t, *p;
	bool ok = false;

	if (b == NULL || !json_is_object(b)) {
		job_fail(j, CA_EPARSE, "body: expected a JSON object {\"template\", \"principal\"} (%s)",
		    b == NULL ? err.text : "not an object");
		goto out;
	}
	t = json_string_value(json_object_get(b, "template"));
	p = json_string_value(json_object_get(b, "principal"));
	if (t == NULL || *t == '\0' || strlen(t) >= sizeof(a->tmpl)) {
		job_fail(j, CA_EPARSE, "body: \"template\": expected a template name");
		goto out;
	}
	if (p == NULL || *p == '\0' || strlen(p) >= sizeof(a->principal)) {
		job_fail(j, CA_EPARSE, "body: \"principal\": expected a UPN or account name");
		goto out;
	}
	snprintf(a->tmpl, sizeof(a->tmpl), "%s", t);
	snprintf(a->principal, sizeof(a->principal), "%s", p);
	ok = true;
out:
	json_decref(b);
	return ok;
}

/* Loop: POST /api/v1/scep/challenges. */
void
scep_challenge_route(struct daemon *d, struct http_request *req)
{
	struct job *j;
	struct challenge_call *a = job_new_ctx(d, req, sizeof(*a),
	    challenge_call_free, &j);

	if (a == NULL)
		return;
	if (strcmp(req->method, "POST") != 0) {
		job_fail(j, CA_EMETHOD, "SCEP challenges: use POST with a JSON body");
		job_header(j, "Allow", "POST");
		job_refuse_after_auth(j);
		return;
	}
	if (!http_media_type_is(http_request_header(req, "Content-Type"), "application/json")) {
		job_fail(j, CA_EMEDIA, "SCEP challenges: Content-Type must be application/json");
		job_finish(j);
		return;
	}
	if (!challenge_parse(j, a)) {
		job_refuse_after_auth(j);
		return;
	}
	job_start(j, challenge_work);
}

/* `entca scep challenge` on the CA host; see scep.h. */
int
scep_challenge_local(struct daemon *d, const char *who, const char *tmpl,
    const char *principal, const char *requester, char **out)
{
	struct job *j = job_new_local(d, who);
	struct challenge_call *a;
	int status;

	*out = NULL;
	if (j == NULL)
		return 500;
	if ((a = job_ctx_new(j, sizeof(*a), challenge_call_free)) == NULL) {
		job_free(j);
		return 500;
	}
	snprintf(a->tmpl, sizeof(a->tmpl), "%s", tmpl);
	snprintf(a->principal, sizeof(a->principal), "%s", principal);
	snprintf(a->requester, sizeof(a->requester), "%s", requester != NULL ? requester : "");
	status = job_run_local(j, challenge_work);
	if (j->resp != NULL)
		*out = strndup((const char *)j->resp, j->resp_len);
	job_free(j);
	return status;
}

/*
 * The issuance decision (decide.h): rights, account state, template
 * membership in issue-templates, key and signature, who the certificate is
 * for, supplied SIDs and SANs, then the profile (profile.c) and approval.
 * The order matters: the first rule that fails gives the one reason the
 * client sees. Pure; any thread.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy/decide.h"
#include "policy/decide_int.h"

#define POLICY_RSA_MAX_BITS 16384	/* larger keys are refused outright */

const char *const policy_code_names[POLICY_CODE_COUNT] = {
	"ok", "no-ca-request", "template-not-issued", "no-enroll", "weak-key",
	"key-algorithm", "bad-signature", "foreign-san", "foreign-sid",
	"sid-mismatch", "subject", "disabled", "not-officer",
	"keygen-not-allowed", "pending-approval", "agent-required",
	"ca-expired", "template-conflict", "name-malformed", "name-conflict",
	"name-unresolved",
};

const char *const policy_verdict_names[POLICY_VERDICT_COUNT] = {
	"issue", "pend", "deny"
};

/* Same object: SID when both have one, else DN, else account name. */
bool
policy_same_principal(const struct principal *p, const struct principal *q)
{
	if (p == NULL || q == NULL)
		return p == q;
	if (p->sid[0] != '\0' && q->sid[0] != '\0')
		return strcasecmp(p->sid, q->sid) == 0;
	if (p->dn[0] != '\0' && q->dn[0] != '\0')
		return strcasecmp(p->dn, q->dn) == 0;
	return p->sam[0] != '\0' && strcasecmp(p->sam, q->sam) == 0;
}

/* The name used in sentences: sAMAccountName, else UPN, else SID. */
static const char *
who(const struct principal *p)
{
	return p->sam[0] ? p->sam : p->upn[0] ? p->upn : p->sid;
}

/* Disabled, locked out or past accountExpires: why, or NULL. */
static const char *
inactive(const struct principal *p)
{
	if (p->uac & PRINCIPAL_UAC_ACCOUNTDISABLE)
		return "disabled";
	if (p->uac & PRINCIPAL_UAC_LOCKOUT)
		return "locked out";
	if (p->expired)
		return "expired";
	return NULL;
}

/* Is name in the CA's issue-templates? */
static bool
issued_here(const struct policy_ca *ca, const char *name)
{
	for (size_t i = 0; i < ca->n_issue; i++)
		if (ca->issue_templates[i] != NULL &&
		    strcasecmp(ca->issue_templates[i], name) == 0)
			return true;
	return false;
}

/* Algorithms the template accepts, for messages. */
static void
allowed_text(const struct template *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s",
	    (t->key_algorithms & TMPL_KEY_RSA) ? "RSA " : "",
	    (t->key_algorithms & TMPL_KEY_ECDSA_P256) ? "ECDSA-P-256 " : "",
	    (t->key_algorithms & TMPL_KEY_ECDSA_P384) ? "ECDSA-P-384 " : "");
	if (buf[0] == '\0')
		snprintf(buf, len, "none ");
	buf[strlen(buf) - 1] = '\0';
}

/* Key algorithm, size and curve against the template. */
static bool
key_ok(const struct template *t, enum policy_key_alg alg, unsigned bits,
    enum policy_curve curve, struct policy_decision *out)
{
	char allowed[64];
	uint32_t need;

	allowed_text(t, allowed, sizeof(allowed));
	if (alg == POLICY_KEY_RSA) {
		if (!(t->key_algorithms & TMPL_KEY_RSA)) {
			decide_deny(out, POLICY_KEY_ALG, "key: RSA is not "
			    "allowed by template %s (allowed: %s)", t->name,
			    allowed);
			return false;
		}
		if (bits < t->min_key_size) {
			decide_deny(out, POLICY_WEAK_KEY, "key: RSA %u bits is "
			    "below the template %s minimum of %u", bits,
			    t->name, t->min_key_size);
			return false;
		}
		if (bits > POLICY_RSA_MAX_BITS) {
			decide_deny(out, POLICY_KEY_ALG, "key: RSA %u bits is "
			    "above the limit of %d", bits, POLICY_RSA_MAX_BITS);
			return false;
		}
		return true;
	}
	if (alg == POLICY_KEY_EC) {
		need = curve == POLICY_CURVE_P256 ? TMPL_KEY_ECDSA_P256 :
		    curve == POLICY_CURVE_P384 ? TMPL_KEY_ECDSA_P384 : 0;
		if (need == 0 || !(t->key_algorithms & need)) {
			decide_deny(out, POLICY_KEY_ALG, "key: ECDSA %s is not "
			    "allowed by template %s (allowed: %s)",
			    policy_curve_names[curve], t->name, allowed);
			return false;
		}
		/* ECC keys need CNG: Windows Server 2008 / Vista or later. */
		if (t->compat_ca < TMPL_COMPAT_2008 ||
		    t->compat_recipient < TMPL_COMPAT_2008) {
			decide_deny(out, POLICY_KEY_ALG, "key: ECDSA needs "
			    "template %s compatibility Windows Server 2008 or "
			    "later", t->name);
			return false;
		}
		return true;
	}
	decide_deny(out, POLICY_KEY_ALG, "key: %s public key is not allowed "
	    "by template %s (allowed: %s)", policy_key_alg_names[alg],
	    t->name, allowed);
	return false;
}

/* The key the certificate will certify: the CSR's or a generated one. */
static bool
check_key(const struct policy_input *in, struct policy_decision *out)
{
	const struct template *t = in->tmpl;
	enum policy_curve curve = POLICY_CURVE_NONE;

	if (in->req != NULL && !in->req->signature_ok) {
		decide_deny(out, POLICY_BAD_SIGNATURE,
		    "CSR: RFC 2986: signature does not verify");
		return false;
	}
	if (in->keygen_alg == POLICY_KEY_NONE) {
		if (in->req == NULL) {
			decide_deny(out, POLICY_KEY_ALG,
			    "key: no request and no key to generate");
			return false;
		}
		return key_ok(t, in->req->key_alg, in->req->key_bits,
		    in->req->curve, out);
	}
	if (!t->server_key_generation || !t->allow_private_key_export) {
		decide_deny(out, POLICY_KEYGEN_NOT_ALLOWED, "key: template %s "
		    "does not allow server key generation with an exportable "
		    "key", t->name);
		return false;
	}
	if (in->keygen_alg == POLICY_KEY_EC)
		curve = in->keygen_bits == 256 ? POLICY_CURVE_P256 :
		    in->keygen_bits == 384 ? POLICY_CURVE_P384 :
		    in->keygen_bits == 521 ? POLICY_CURVE_P521 :
		    POLICY_CURVE_OTHER;
	return key_ok(t, in->keygen_alg, in->keygen_bits, curve, out);
}

/* Does a requested SAN name p itself? */
static bool
san_belongs(const struct policy_san *s, const struct principal *p)
{
	const char *own = NULL;

	switch (s->type) {
	case POLICY_SAN_UPN:
		own = p->upn;
		break;
	case POLICY_SAN_EMAIL:
		own = p->mail;
		break;
	case POLICY_SAN_DNS:
		own = p->dns;
		break;
	case POLICY_SAN_URI:
		/* A SID URL is a SID claim (checked as such); others name
		 * no account. */
		return true;
	default:
		return false;
	}
	return own[0] != '\0' && strcasecmp(own, s->value) == 0;
}

/*
 * Supplied SID and, for supply-in-request, SANs and subject e-mail: a
 * non-officer may only name itself; an officer only the directory's subject.
 */
static bool
check_names(const struct policy_input *in, bool officer,
    const struct principal *subj, struct policy_decision *out)
{
	const struct policy_request *r = in->req;
	const struct principal *owner = officer ? subj : in->requester;
	const struct dn_ava *e;
	struct dn dn;

	if (r == NULL)
		return true;
	if (r->sid_conflict) {
		/* Name both principals where the directory knows them. */
		if (!names_check(in, officer, subj, out))
			return false;
		decide_deny(out, POLICY_NAME_CONFLICT, "SID: the request "
		    "supplies two different SIDs");
		return false;
	}
	if (r->sid[0] != '\0') {
		if (!officer && strcasecmp(r->sid, in->requester->sid) != 0) {
			decide_deny(out, POLICY_FOREIGN_SID, "SID: %s in the "
			    "request is not %s's; only a CA officer may supply "
			    "a SID", r->sid, who(in->requester));
			return false;
		}
		if (officer && subj == NULL) {
			decide_deny(out, POLICY_SID_MISMATCH, "SID: %s in the "
			    "request has no principal in the directory",
			    r->sid);
			return false;
		}
		if (officer && strcasecmp(r->sid, subj->sid) != 0) {
			decide_deny(out, POLICY_SID_MISMATCH, "SID: %s in the "
			    "request differs from the directory's %s for %s",
			    r->sid, subj->sid[0] ? subj->sid : "(none)",
			    who(subj));
			return false;
		}
	}
	if (!names_check(in, officer, subj, out))
		return false;
	if (in->tmpl->subject != TMPL_SUBJECT_SUPPLY_IN_REQUEST)
		return true;
	if (owner == NULL) {
		decide_note(out, "the request names nobody in the directory: "
		    "its SANs are taken as sent");
		return true;
	}
	for (size_t i = 0; i < r->n_sans; i++) {
		const struct policy_san *s = &r->sans[i];
		/* names_check() let names outside the directory through
		 * for an officer; every other name is the subject's. */
		if (san_belongs(s, owner) || out->profile.outside_directory)
			continue;
		decide_deny(out, POLICY_FOREIGN_SAN, "SAN: %s %s does not "
		    "belong to %s%s", policy_san_names[s->type], s->value,
		    who(owner), officer ? ", the subject found in the "
		    "directory" : "; only a CA officer may name someone else");
		return false;
	}
	if (!officer && dn_parse_der(r->subject_der, r->subject_len, &dn,
	    NULL, 0) == CA_OK && (e = dn_find(&dn, DN_OID_EMAIL)) != NULL &&
	    (strlen(owner->mail) != e->len ||
	    strncasecmp(owner->mail, (const char *)e->value, e->len) != 0)) {
		decide_deny(out, POLICY_FOREIGN_SAN, "subject: E=%.*s is not "
		    "%s's mail; only a CA officer may name someone else",
		    (int)(e->len > 128 ? 128 : e->len), e->value,
		    who(owner));
		return false;
	}
	return true;
}

/* The template a CSR names (MS-WCCE §3.2.2.6.2.1.4.1) must be this one. */
static bool
check_template_id(const struct policy_input *in, struct policy_decision *out)
{
	const struct policy_request *r = in->req;

	if (r == NULL)
		return true;
	if ((r->template_name[0] != '\0' &&
	    strcasecmp(r->template_name, in->tmpl->name) != 0) ||
	    (r->template_oid[0] != '\0' &&
	    strcmp(r->template_oid, in->tmpl->oid) != 0)) {
		decide_deny(out, POLICY_TEMPLATE_CONFLICT, "CSR: names template "
		    "%s, not %s", r->template_name[0] ? r->template_name :
		    r->template_oid, in->tmpl->name);
		return false;
	}
	return true;
}

/* Rights, accounts, key, names: the checks before building a profile. */
static bool
check_request(const struct policy_input *in, bool *officer,
    struct policy_decision *out)
{
	const struct template *t = in->tmpl;
	const struct principal *rq = in->requester, *subj = in->subject;
	uint32_t rights;
	const char *state;

	if ((state = inactive(rq)) != NULL) {
		decide_deny(out, POLICY_DISABLED, "requester %s is %s", who(rq),
		    state);
		return false;
	}
	rights = policy_rights(rq, in->ca->aces, in->ca->n_aces);
	*officer = (rights & CA_RIGHT_OFFICER) != 0;
	if (!(rights & CA_RIGHT_REQUEST)) {
		decide_deny(out, POLICY_NO_CA_REQUEST, "%s has no request "
		    "right on this CA", who(rq));
		return false;
	}
	if (!issued_here(in->ca, t->name)) {
		decide_deny(out, POLICY_TEMPLATE_NOT_ISSUED, "template %s is "
		    "not in this CA's issue-templates", t->name);
		return false;
	}
	if (!(policy_rights(rq, t->aces, t->n_aces) & TMPL_RIGHT_ENROLL)) {
		decide_deny(out, POLICY_NO_ENROLL, "%s has no enroll right on "
		    "template %s", who(rq), t->name);
		return false;
	}
	/* XXX: agent-signed (CMS) requests are not parsed yet. */
	if (t->authorized_signatures > 0) {
		decide_deny(out, POLICY_AGENT_REQUIRED, "template %s requires "
		    "%u enrollment agent signature(s); entca does not accept "
		    "agent-signed requests", t->name, t->authorized_signatures);
		return false;
	}
	if (!check_template_id(in, out) || !check_key(in, out))
		return false;
	if (!check_names(in, *officer, subj, out))
		return false;
	if (subj != NULL && !policy_same_principal(subj, rq) && !*officer) {
		decide_deny(out, POLICY_NOT_OFFICER, "%s may not enroll on "
		    "behalf of %s: that needs the CA officer right", who(rq),
		    who(subj));
		return false;
	}
	if (subj != NULL && (state = inactive(subj)) != NULL) {
		decide_deny(out, POLICY_DISABLED, "subject %s is %s", who(subj),
		    state);
		return false;
	}
	if (subj == NULL && t->subject == TMPL_SUBJECT_FROM_DIRECTORY) {
		decide_deny(out, POLICY_SUBJECT, "subject: template %s builds "
		    "the subject from the directory, and the request names "
		    "nobody found there", t->name);
		return false;
	}
	return true;
}

/* Checks first; only a request that passes them all gets a profile. */
int
policy_decide(const struct policy_input *in, struct policy_decision *out)
{
	const char *sid = "";
	bool officer = false;
	int rc;

	if (out == NULL)
		return CA_EINVAL;
	memset(out, 0, sizeof(*out));
	if (in == NULL || in->requester == NULL || in->tmpl == NULL ||
	    in->ca == NULL)
		return CA_EINVAL;
	if (!check_request(in, &officer, out))
		return CA_OK;
	/* The SID is always the directory's, never the request's. */
	if (in->subject != NULL && in->tmpl->sid_extension &&
	    !out->profile.outside_directory)
		sid = in->subject->sid;
	if (in->tmpl->sid_extension && sid[0] == '\0' &&
	    !out->profile.outside_directory)
		decide_note(out, "no SID extension: the subject has no SID in "
		    "the directory");
	if ((rc = profile_names(in, in->subject, sid, out)) != CA_OK ||
	    out->verdict == POLICY_DENY)
		return rc;
	if ((rc = profile_rest(in, sid, out)) != CA_OK ||
	    out->verdict == POLICY_DENY)
		return rc;
	if (in->tmpl->require_approval && !in->approving) {
		out->verdict = POLICY_PEND;
		out->code = POLICY_PENDING_APPROVAL;
		snprintf(out->why, sizeof(out->why), "template %s requires "
		    "approval by a CA officer", in->tmpl->name);
		return CA_OK;
	}
	out->verdict = POLICY_ISSUE;
	out->code = POLICY_OK;
	snprintf(out->why, sizeof(out->why), "issued from template %s for %.200s",
	    in->tmpl->name, in->subject != NULL ? who(in->subject) :
	    out->profile.subject);
	return CA_OK;
}

/*
 * The certificate profile (decide.h): subject and SANs from the request or
 * the directory, validity clamped to the template and the CA, template
 * identity, extensions and URLs. Called by policy_decide() after the checks
 * passed. Pure (time is passed in, gmtime_r only formats); any thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "policy/decide_int.h"

/* Append a SAN unless the same type and value is there already. */
static int
add_san(struct policy_profile *pr, enum policy_san_type type,
    const char *value)
{
	for (size_t i = 0; i < pr->n_sans; i++)
		if (pr->sans[i].type == type &&
		    strcasecmp(pr->sans[i].value, value) == 0)
			return CA_OK;
	if (pr->n_sans >= POLICY_SAN_MAX ||
	    strlen(value) >= POLICY_SAN_VALUE_MAX)
		return CA_ETOOBIG;
	pr->sans[pr->n_sans].type = type;
	snprintf(pr->sans[pr->n_sans].value, POLICY_SAN_VALUE_MAX, "%s", value);
	pr->n_sans++;
	return CA_OK;
}

/* sAMAccountName without a computer's trailing '$'. */
static void
short_name(const struct principal *p, char *buf, size_t len)
{
	size_t n = strlen(p->sam);

	if (n > 0 && p->sam[n - 1] == '$')
		n--;
	snprintf(buf, len, "%.*s", (int)n, p->sam);
}

/* A directory value a format needs, or a denial naming it. */
static const char *
need(const char *value, const char *attr, const struct principal *p,
    const char *what, struct policy_decision *out)
{
	if (value[0] != '\0')
		return value;
	decide_deny(out, POLICY_SUBJECT, "%s: the directory has no %s for %s",
	    what, attr, p->sam[0] ? p->sam : p->sid);
	return NULL;
}

/* Subject per subject-format from the directory (MS-WCCE §3.2.2.6.2.1.4.5.9). */
static int
directory_subject(const struct template *t, const struct principal *p,
    struct dn *dn, struct policy_decision *out)
{
	char name[PRINCIPAL_NAME_MAX], w[CA_WHY_MAX];
	const char *v;
	int rc = CA_OK;

	memset(dn, 0, sizeof(*dn));
	switch (t->subject_format) {
	case TMPL_SUBJFMT_NONE:
		return CA_OK;
	case TMPL_SUBJFMT_CN_USERNAME:
		short_name(p, name, sizeof(name));
		if ((v = need(name, "sAMAccountName", p, "subject", out)))
			rc = dn_push(dn, DN_OID_CN, v);
		break;
	case TMPL_SUBJFMT_CN_UPN:
		if ((v = need(p->upn, "userPrincipalName", p, "subject", out)))
			rc = dn_push(dn, DN_OID_CN, v);
		break;
	case TMPL_SUBJFMT_DN:
		if (!(v = need(p->dn, "distinguishedName", p, "subject", out)))
			break;
		if (dn_parse_string(v, dn, w, sizeof(w)) != CA_OK)
			return decide_deny(out, POLICY_SUBJECT, "subject: %s",
			    w);
		break;
	case TMPL_SUBJFMT_EMAIL:
		short_name(p, name, sizeof(name));
		if (!(v = need(p->mail, "mail", p, "subject", out)))
			break;
		if ((rc = dn_push(dn, DN_OID_EMAIL, v)) == CA_OK)
			rc = dn_push(dn, DN_OID_CN, name);
		break;
	case TMPL_SUBJFMT_DNS:
		if ((v = need(p->dns, "dNSHostName", p, "subject", out)))
			rc = dn_push(dn, DN_OID_CN, v);
		break;
	case TMPL_SUBJFMT_DEVICE_ID:
		if ((v = need(p->guid, "objectGUID", p, "subject", out)))
			rc = dn_push(dn, DN_OID_CN, v);
		break;
	default:
		return decide_deny(out, POLICY_SUBJECT, "subject: template %s "
		    "has an unknown subject-format", t->name);
	}
	/* CT_FLAG_SUBJECT_REQUIRE_EMAIL beside another format: E= last. */
	if (rc == CA_OK && out->verdict != POLICY_DENY && t->subject_email &&
	    t->subject_format != TMPL_SUBJFMT_EMAIL &&
	    (v = need(p->mail, "mail", p, "subject", out)) != NULL)
		rc = dn_push(dn, DN_OID_EMAIL, v);
	if (rc != CA_OK)
		return decide_deny(out, POLICY_SUBJECT, "subject: a directory "
		    "value of %s is too long", p->sam);
	return CA_OK;
}

/* SANs per the template's mask from the directory. */
static int
directory_sans(const struct template *t, const struct principal *p,
    struct policy_decision *out)
{
	struct policy_profile *pr = &out->profile;
	const char *v;

	if ((t->san & TMPL_SAN_UPN) && (v = need(p->upn, "userPrincipalName",
	    p, "SAN", out)) != NULL && add_san(pr, POLICY_SAN_UPN, v) != CA_OK)
		return decide_deny(out, POLICY_SUBJECT, "SAN: too many names");
	if (out->verdict == POLICY_DENY)
		return CA_OK;
	if ((t->san & TMPL_SAN_EMAIL) && (v = need(p->mail, "mail", p, "SAN",
	    out)) != NULL && add_san(pr, POLICY_SAN_EMAIL, v) != CA_OK)
		return decide_deny(out, POLICY_SUBJECT, "SAN: too many names");
	if (out->verdict == POLICY_DENY)
		return CA_OK;
	if ((t->san & TMPL_SAN_DNS) && (v = need(p->dns, "dNSHostName", p,
	    "SAN", out)) != NULL && add_san(pr, POLICY_SAN_DNS, v) != CA_OK)
		return decide_deny(out, POLICY_SUBJECT, "SAN: too many names");
	return CA_OK;
}

/* Subject and SANs as the request sent them (supply-in-request). */
static int
request_names(const struct policy_input *in, struct dn *dn,
    struct policy_decision *out)
{
	const struct policy_request *r = in->req;
	char w[CA_WHY_MAX];

	if (r == NULL)
		return decide_deny(out, POLICY_SUBJECT, "subject: template %s "
		    "takes the subject from the request, and there is none",
		    in->tmpl->name);
	if (dn_parse_der(r->subject_der, r->subject_len, dn, w,
	    sizeof(w)) != CA_OK)
		return decide_deny(out, POLICY_SUBJECT, "subject: %s", w);
	if (dn->n == 0)
		return decide_deny(out, POLICY_SUBJECT, "subject: the CSR's "
		    "subject is empty and template %s takes it from the "
		    "request", in->tmpl->name);
	for (size_t i = 0; i < r->n_sans; i++) {
		if (r->sans[i].type == POLICY_SAN_OTHER)
			return decide_deny(out, POLICY_SUBJECT, "SAN: %s is "
			    "not supported", r->sans[i].value);
		/* A certificate naming names outside the directory carries
		 * no SID, not even the request's SID URL. */
		if (out->profile.outside_directory &&
		    r->sans[i].type == POLICY_SAN_URI &&
		    strncasecmp(r->sans[i].value, POLICY_SID_URL_PREFIX,
		    strlen(POLICY_SID_URL_PREFIX)) == 0)
			continue;
		if (add_san(&out->profile, r->sans[i].type,
		    r->sans[i].value) != CA_OK)
			return decide_deny(out, POLICY_SUBJECT,
			    "SAN: too many names");
	}
	return CA_OK;
}

/* Names first: the subject DER, its string form, then the SANs. */
int
profile_names(const struct policy_input *in, const struct principal *subj,
    const char *sid, struct policy_decision *out)
{
	struct policy_profile *pr = &out->profile;
	char w[CA_WHY_MAX], url[POLICY_SAN_VALUE_MAX];
	struct dn *dn;
	int rc = CA_OK;

	if ((dn = malloc(sizeof(*dn))) == NULL)
		return CA_ENOMEM;
	if (in->tmpl->subject == TMPL_SUBJECT_SUPPLY_IN_REQUEST) {
		request_names(in, dn, out);
	} else {
		directory_subject(in->tmpl, subj, dn, out);
		if (out->verdict != POLICY_DENY)
			directory_sans(in->tmpl, subj, out);
		if (in->req != NULL && (in->req->n_sans > 0 ||
		    in->req->subject_len > 2))
			decide_note(out, "the request's subject and SANs are "
			    "ignored: template %s builds them from the "
			    "directory", in->tmpl->name);
	}
	if (out->verdict == POLICY_DENY)
		goto out;
	/* Every value, from the request or the directory, is checked before
	 * it is signed: a NUL or bad UTF-8 in a CN must never be issued. */
	if (dn_check_values(dn, w, sizeof(w)) != CA_OK) {
		decide_deny(out, POLICY_SUBJECT, "%s", w);
		goto out;
	}
	/* Re-encode with AD CS's string types; values stay exactly. */
	if (dn_encode(dn, pr->subject_der, sizeof(pr->subject_der),
	    &pr->subject_len, w, sizeof(w)) != CA_OK) {
		decide_deny(out, POLICY_SUBJECT, "subject: %s", w);
		goto out;
	}
	if (dn_format(dn, pr->subject, sizeof(pr->subject)) != CA_OK) {
		decide_deny(out, POLICY_SUBJECT, "subject: too long to print");
		goto out;
	}
	/* The SAN URL follows the template's san mask, not sid-extension. */
	if (subj != NULL && subj->sid[0] != '\0')
		sid = subj->sid;
	if (pr->outside_directory)
		sid = "";	/* the names are not all the subject's */
	if ((in->tmpl->san & TMPL_SAN_SID_URL) && sid[0] != '\0') {
		if (!in->ca->sid_url_san) {
			decide_note(out, "no SID SAN URL: [ca] sid-url-san = "
			    "no turns it off CA-wide");
		} else {
			snprintf(url, sizeof(url), "%s%s",
			    POLICY_SID_URL_PREFIX, sid);
			if (add_san(pr, POLICY_SAN_URI, url) != CA_OK)
				decide_deny(out, POLICY_SUBJECT,
				    "SAN: too many names");
			pr->sid_url_san = true;
		}
	}
	if (pr->n_sans == 0 && pr->subject_len <= 2)
		decide_deny(out, POLICY_SUBJECT, "subject: template %s gives "
		    "neither a subject nor a SAN", in->tmpl->name);
out:
	free(dn);
	return rc;
}

/* "2030-01-01T00:00:00Z" without touching any clock. */
static void
fmt_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

/* notBefore backdated for clock skew; notAfter clamped twice. */
static int
validity(const struct policy_input *in, struct policy_decision *out)
{
	struct policy_profile *pr = &out->profile;
	const struct policy_ca *ca = in->ca;
	char when[32];

	pr->not_before = in->now - POLICY_BACKDATE_SECONDS;
	if (ca->ca_not_before != 0 && pr->not_before < ca->ca_not_before)
		pr->not_before = ca->ca_not_before;
	pr->not_after = in->now + in->tmpl->validity_seconds;
	if (in->req != NULL && in->req->has_validity) {
		fmt_time(in->req->not_after, when, sizeof(when));
		if (in->req->not_after < pr->not_after)
			pr->not_after = in->req->not_after;
		else if (in->req->not_after > pr->not_after)
			decide_note(out, "requested validity until %s clamped "
			    "to the template %s period of %lld days", when,
			    in->tmpl->name,
			    (long long)(in->tmpl->validity_seconds / 86400));
	}
	if (ca->ca_not_after != 0 && pr->not_after > ca->ca_not_after) {
		pr->not_after = ca->ca_not_after;
		fmt_time(ca->ca_not_after, when, sizeof(when));
		decide_note(out, "validity clamped to CA end %s", when);
	}
	if (pr->not_after <= in->now) {
		fmt_time(pr->not_after, when, sizeof(when));
		return decide_deny(out, POLICY_CA_EXPIRED, "validity: no time "
		    "left (ends %s)", when);
	}
	return CA_OK;
}

/* Copy up to POLICY_URL_MAX URLs from the CA settings. */
static int
urls(const char *const *src, size_t n, char dst[][POLICY_URL_LEN],
    size_t *count)
{
	if (n > POLICY_URL_MAX)
		return CA_ECONFIG;
	for (size_t i = 0; i < n; i++) {
		if (src[i] == NULL || strlen(src[i]) >= POLICY_URL_LEN)
			return CA_ECONFIG;
		snprintf(dst[i], POLICY_URL_LEN, "%s", src[i]);
	}
	*count = n;
	return CA_OK;
}

/* Requested extensions are never copied: say which were ignored. */
static void
ignored_extensions(const struct policy_input *in, struct policy_decision *out)
{
	const struct policy_request *r = in->req;
	char list[CA_WHY_MAX / 2] = "";
	size_t o = 0;

	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_exts; i++) {
		const char *x = r->exts[i];
		/* SANs are used or noted with the subject already. */
		if (strcmp(x, POLICY_OID_SAN) == 0 ||
		    strcmp(x, POLICY_OID_SID_EXT) == 0 ||
		    strcmp(x, POLICY_OID_TMPL_V1) == 0 ||
		    strcmp(x, POLICY_OID_TMPL_V2) == 0)
			continue;
		int w = snprintf(list + o, sizeof(list) - o, "%s%s",
		    o ? ", " : "", x);
		if (w < 0 || (size_t)w >= sizeof(list) - o)
			break;
		o += (size_t)w;
	}
	if (o > 0)
		decide_note(out, "ignored requested extensions %s (EKU and key "
		    "usage come from the template)", list);
}

/* Everything but the names: validity, usages, template, URLs, hash. */
int
profile_rest(const struct policy_input *in, const char *sid,
    struct policy_decision *out)
{
	struct policy_profile *pr = &out->profile;
	const struct template *t = in->tmpl;
	int rc;

	if ((rc = validity(in, out)) != CA_OK || out->verdict == POLICY_DENY)
		return rc;
	ignored_extensions(in, out);
	if (t->n_policies > TMPL_EKU_MAX)
		return CA_EINVAL;
	pr->n_ekus = t->n_policies;
	memcpy(pr->ekus, t->policies, sizeof(pr->ekus));
	pr->eku_critical = t->eku_critical;
	/* Application policies: v2+ templates, as AD CS adds them. */
	if (t->schema_version >= 2) {
		pr->n_app_policies = t->n_policies;
		memcpy(pr->app_policies, t->policies, sizeof(pr->app_policies));
	}
	pr->key_usage = t->key_usage;
	pr->key_usage_critical = t->key_usage_critical;
	pr->basic_constraints = t->ca;
	pr->ca = t->ca;
	pr->path_len = t->ca ? t->path_len : -1;
	snprintf(pr->sid, sizeof(pr->sid), "%s", sid);
	snprintf(pr->template_name, sizeof(pr->template_name), "%s", t->name);
	snprintf(pr->template_oid, sizeof(pr->template_oid), "%s", t->oid);
	pr->template_major = t->major_version;
	pr->template_minor = t->minor_version;
	pr->schema_version = t->schema_version;
	pr->hash = t->hash;
	if ((rc = urls(in->ca->cdp_urls, in->ca->n_cdp, pr->cdp,
	    &pr->n_cdp)) != CA_OK ||
	    (rc = urls(in->ca->aia_urls, in->ca->n_aia, pr->aia,
	    &pr->n_aia)) != CA_OK ||
	    (rc = urls(in->ca->ocsp_urls, in->ca->n_ocsp, pr->ocsp,
	    &pr->n_ocsp)) != CA_OK)
		return rc;
	return CA_OK;
}

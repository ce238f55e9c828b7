/*
 * GET /api/v1/ca (the CA's identity: name, subject, serial, validity, key
 * type, the chain as PEM, and the CRL state), GET /api/v1/ca/security
 * (the CA's [security] allow/deny list) for officers, admins and
 * auditors, and POST /api/v1/ca/security (the CA admin right): allow,
 * deny or remove one principal's entry, written into entcad.conf's
 * [security], checked as `entcad -t` checks (a deny that does not
 * resolve refuses), audited, and reloaded by the running daemon at once.
 * Setup on the loop (it copies the CRLs the loop serves), work on a worker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca/api/api_int.h"
#include "ca/daemon/daemon.h"
#include "ca/daemon/settings.h"
#include "ca/identity/identity.h"
#include "ca/issue/crl_publish.h"
#include "common/hex.h"
#include "common/log.h"
#include "policy/dn.h"
#include "policy/rights.h"
#include "templates/template.h"

#define CA_READ_RIGHTS (CA_RIGHT_OFFICER | CA_RIGHT_ADMIN | CA_RIGHT_AUDITOR)
#define CA_SECURITY_TEXT_MAX (CONFIG_ACE_MAX * (TMPL_PRINCIPAL_MAX + 64))

/* What a CA call carries. */
struct ca_call {
	/* GET ca: the CRLs the loop serves (copied there) */
	int64_t full_next, delta_next;
	/* POST ca/security */
	char action[16];		/* allow, deny, remove */
	char principal[TMPL_PRINCIPAL_MAX];
	char rights[128];		/* "officer, admin" */
	struct tmpl_ace ace;
};

/* A ca call: what the routes' setups fill. */
const struct api_ctx api_ca_ctx = { sizeof(struct ca_call), free };

/* One ACE as JSON. */
static json_t *
ace_json(const struct tmpl_ace *a)
{
	json_t *r = json_array();

	for (int i = 0; i < CA_RIGHT_COUNT; i++)
		if (a->rights & (1u << i))
			json_array_append_new(r, json_string(ca_right_names[i]));
	return json_pack("{s:s,s:s,s:o}", "kind", a->deny ? "deny" : "allow",
	    "principal", a->principal, "rights", r);
}

/* The certificates of the chain, CA first, as PEM text. */
static json_t *
chain_pem(const struct ca_identity *id)
{
	gnutls_datum_t pem = { NULL, 0 };
	json_t *a = json_array();

	if (gnutls_x509_crt_export2(id->cert, GNUTLS_X509_FMT_PEM, &pem) >= 0) {
		json_array_append_new(a, json_stringn((char *)pem.data, pem.size));
		gnutls_free(pem.data);
	}
	for (unsigned i = 0; i < id->chain_len; i++)
		if (gnutls_x509_crt_export2(id->chain[i], GNUTLS_X509_FMT_PEM, &pem) >= 0) {
			json_array_append_new(a, json_stringn((char *)pem.data, pem.size));
			gnutls_free(pem.data);
		}
	return a;
}

/* Worker: GET /api/v1/ca. */
static void
ca_show_work(struct job *j)
{
	struct ca_call *a = j->ctx;
	const struct ca_identity *id = j->gen->id;
	struct crlpub p;
	struct crlpub_state st;
	struct daemon_crl_urls urls;
	unsigned char serial[STORE_SERIAL_MAX];
	char hex[2 * STORE_SERIAL_MAX + 1], subject[STORE_DN_MAX], key[64];
	char why[CA_WHY_MAX];
	size_t len = sizeof(serial);
	unsigned bits = 0;
	int pk;
	json_t *crl, *o;

	if (!api_require(j, CA_READ_RIGHTS, "ca"))
		return;
	if (id == NULL) {
		job_fail(j, CA_EUNAVAIL, "the CA identity is not loaded");
		return;
	}
	if (gnutls_x509_crt_get_serial(id->cert, serial, &len) < 0)
		len = 0;
	hex_encode(serial, len, hex);
	if (dn_der_to_string(id->subject_der.data, id->subject_der.size, subject,
	    sizeof(subject), why, sizeof(why)) != CA_OK)
		subject[0] = '\0';
	pk = gnutls_x509_crt_get_pk_algorithm(id->cert, &bits);
	snprintf(key, sizeof(key), "%s-%u", pk == GNUTLS_PK_RSA ? "RSA" :
	    pk == GNUTLS_PK_ECDSA ? "ECDSA" : gnutls_pk_get_name(pk), bits);
	daemon_crlpub_for(j->d, j->cfg, j->dirs, &p, &urls);
	memset(&st, 0, sizeof(st));
	if (crlpub_state_read(&p, &st, why, sizeof(why)) != CA_OK)
		log_error("ca: %s", why);
	crl = json_pack("{s:I,s:I,s:I}", "last_number", (json_int_t)st.number,
	    "full", (json_int_t)st.full, "delta", (json_int_t)st.delta);
	json_object_set_new(crl, "this_update", st.this_update ?
	    api_time(st.this_update) : json_null());
	if (a->full_next != 0)
		json_object_set_new(crl, "full_next_update", api_time(a->full_next));
	if (a->delta_next != 0)
		json_object_set_new(crl, "delta_next_update", api_time(a->delta_next));
	o = json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:b,s:o,s:o}",
	    "name", j->cfg->name, "subject", subject, "serial", hex,
	    "not_before", api_time(gnutls_x509_crt_get_activation_time(id->cert)),
	    "not_after", api_time(gnutls_x509_crt_get_expiration_time(id->cert)),
	    "key_type", key, "subordinate", id->chain_len > 0,
	    "chain", chain_pem(id), "crl", crl);
	job_json(j, 200, o);
}

/* Worker: GET /api/v1/ca/security. */
static void
ca_security_list_work(struct job *j)
{
	json_t *list;

	if (!api_require(j, CA_READ_RIGHTS, "ca security"))
		return;
	list = json_array();
	for (size_t i = 0; i < j->cfg->n_aces; i++)
		json_array_append_new(list, ace_json(&j->cfg->aces[i]));
	job_json(j, 200, json_pack("{s:o}", "security", list));
}

/* Writer: the audit event of a security change. */
static int
ca_security_apply(struct store_wtxn *w, struct job *j)
{
	struct ca_call *a = j->ctx;

	return job_audit(w, j, "ca-security", "done", a->action,
	    "principal", a->principal, "rights", a->rights, NULL);
}

/* Loop (or the tool): the daemon reloads the file just changed. */
static void
ca_security_on_loop(struct job *j)
{
	api_conf_reload(j);
}

/* Append one allow/deny line for ace to buf. */
static size_t
ace_line(char *buf, size_t cap, size_t n, const struct tmpl_ace *ace)
{
	const char *sep = "";

	n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s = %s :",
	    ace->deny ? "deny" : "allow", ace->principal);
	for (int i = 0; i < CA_RIGHT_COUNT; i++)
		if (ace->rights & (1u << i)) {
			n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s %s",
			    sep, ca_right_names[i]);
			sep = ",";
		}
	n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "\n");
	return n;
}

/* Worker: POST /api/v1/ca/security. */
static void
ca_security_change_work(struct job *j)
{
	static const char *const keys[] = { "allow", "deny" };
	struct ca_call *a = j->ctx;
	char *lines = NULL, why[CA_WHY_MAX];
	bool remove = strcmp(a->action, "remove") == 0, found = false;
	size_t n = 0;
	int rc;

	if (!api_require(j, CA_RIGHT_ADMIN, "ca security"))
		return;
	lines = calloc(1, CA_SECURITY_TEXT_MAX);
	if (lines == NULL) {
		job_fail(j, CA_ENOMEM, "out of memory");
		return;
	}
	/* The list in force, less the principal's entries of that kind. */
	for (size_t i = 0; i < j->cfg->n_aces; i++) {
		const struct tmpl_ace *e = &j->cfg->aces[i];

		if (strcasecmp(e->principal, a->ace.principal) == 0 &&
		    (remove || e->deny == a->ace.deny)) {
			found = true;
			continue;
		}
		n = ace_line(lines, CA_SECURITY_TEXT_MAX, n, e);
	}
	if (remove && !found) {
		job_fail(j, CA_ENOTFOUND, "ca security: no entry for %s",
		    a->ace.principal);
		goto out;
	}
	if (!remove)
		n = ace_line(lines, CA_SECURITY_TEXT_MAX, n, &a->ace);
	if (n >= CA_SECURITY_TEXT_MAX) {
		job_fail(j, CA_ETOOBIG, "ca security: too many entries");
		goto out;
	}
	rc = api_conf_edit(j, "security", keys, 2, lines, why, sizeof(why));
	if (rc != CA_OK) {
		/* A change the checks refuse breaks a CA rule: the client's to fix. */
		job_fail(j, rc == CA_ECONFIG ? CA_EPOLICY : rc,
		    "ca security: %s", why);
		goto out;
	}
	job_json(j, 200, json_pack("{s:s,s:s,s:s}", "action", a->action,
	    "principal", a->ace.principal, "rights", a->rights));
	j->apply = ca_security_apply;
	j->on_loop = ca_security_on_loop;
out:
	free(lines);
}

/* Loop: GET /api/v1/ca; the served CRLs' next updates are loop-owned. */
job_work_cb
api_ca_show_setup(struct job *j, const struct api_args *a)
{
	struct ca_call *c = j->ctx;

	(void)a;
	c->full_next = j->d->crl_full.next_update;
	c->delta_next = j->d->crl_delta.next_update;
	return ca_show_work;
}

/* Loop: GET /api/v1/ca/security. */
job_work_cb
api_ca_security_list_setup(struct job *j, const struct api_args *a)
{
	(void)j;
	(void)a;
	return ca_security_list_work;
}

/* Loop: POST /api/v1/ca/security {"action","principal","rights":[...]}. */
job_work_cb
api_ca_security_change_setup(struct job *j, const struct api_args *a)
{
	struct ca_call *c = j->ctx;
	json_t *act = json_object_get(a->body, "action");
	json_t *who = json_object_get(a->body, "principal");
	json_t *rights = json_object_get(a->body, "rights");
	char value[TMPL_PRINCIPAL_MAX + 160], why[CA_WHY_MAX];
	json_t *r;
	size_t i, n = 0;

	if (!json_is_string(act) || (strcmp(json_string_value(act), "allow") &&
	    strcmp(json_string_value(act), "deny") &&
	    strcmp(json_string_value(act), "remove"))) {
		job_fail(j, CA_EPARSE, "action: expected allow, deny or remove");
		return NULL;
	}
	snprintf(c->action, sizeof(c->action), "%s", json_string_value(act));
	if (!json_is_string(who) || json_string_length(who) == 0 ||
	    json_string_length(who) >= sizeof(c->principal)) {
		job_fail(j, CA_EPARSE, "principal: expected a SID, DN or "
		    "account name of 1..%zu bytes", sizeof(c->principal) - 1);
		return NULL;
	}
	/*
	 * The principal becomes a line of entcad.conf: a line break would
	 * add lines of the caller's choosing, and ; or # would cut it short.
	 */
	for (const char *p = json_string_value(who); *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '#' || *p == ';') {
			job_fail(j, CA_EPARSE, "principal: control "
			    "characters, # and ; cannot be written to entcad.conf");
			return NULL;
		}
	snprintf(c->principal, sizeof(c->principal), "%s", json_string_value(who));
	if (strcmp(c->action, "remove") == 0) {
		snprintf(c->ace.principal, sizeof(c->ace.principal), "%s", c->principal);
		return ca_security_change_work;
	}
	if (!json_is_array(rights) || json_array_size(rights) == 0) {
		job_fail(j, CA_EPARSE, "rights: expected a list of "
		    "read, request, officer, admin, auditor");
		return NULL;
	}
	json_array_foreach(rights, i, r) {
		if (!json_is_string(r) || n + json_string_length(r) + 3 >= sizeof(c->rights)) {
			job_fail(j, CA_EPARSE, "rights: expected a list of "
			    "read, request, officer, admin, auditor");
			return NULL;
		}
		n += (size_t)snprintf(c->rights + n, sizeof(c->rights) - n, "%s%s",
		    n ? ", " : "", json_string_value(r));
	}
	/* The same parser as entcad.conf's own lines. */
	snprintf(value, sizeof(value), "%s : %s", c->principal, c->rights);
	if (template_parse_ace(value, strcmp(c->action, "deny") == 0, ca_right_names,
	    CA_RIGHT_COUNT, &c->ace, why, sizeof(why)) != CA_OK) {
		job_fail(j, CA_EPARSE, "%s", why);
		return NULL;
	}
	return ca_security_change_work;
}

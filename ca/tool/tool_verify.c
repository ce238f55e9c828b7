/*
 * `entca verify CERT` (certutil -verify): what this CA knows about one
 * certificate, checked independently of how it was asked for:
 *  - chain: which of this CA's certificates (the current one, the
 *    previous ones a renewal keeps, index 0, 1, ...) signed it, and that
 *    the CA certificate chains to its parents;
 *  - template: from the Microsoft template extension (v2 OID mapped to a
 *    name through the store's templates, or the v1 name);
 *  - status in the store: issued, revoked (reason, date), on hold, unknown,
 *    or a different certificate under the same serial;
 *  - the CRLs in service (full and delta) of the key that signed it: are
 *    they signed by that key, current, and do they list the serial;
 *  - the validity window against the clock (ca_now(), ENTCA_NOW).
 * Reads only: the store opens read-only beside a running entcad. The exit
 * code is 0 only when every check is good. Tool main thread only.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>

#include "common/clock.h"
#include "common/error.h"
#include "ca/daemon/settings.h"
#include "ca/identity/identity.h"
#include "ca/issue/crl_publish.h"
#include "ca/issue/msext.h"
#include "policy/mspki.h"
#include "ca/signer/keyfile.h"
#include "ca/store/store.h"
#include "ca/tool/tool_verify.h"
#include "ca/tool/tool_x509.h"
#include "crl/parse.h"
#include "crl/reason.h"
#include "templates/template.h"

#define VERIFY_DEFAULT_CONF SYSCONFDIR "/entca/entcad.conf"

/* One check's result: good, or bad with a sentence. */
struct verify_check {
	bool good;
	char text[TOOL_X509_TEXT_MAX];
};

/* Everything verify found. */
struct verify_result {
	struct verify_check chain, template, store, crl, validity;
	int ca_index;			/* CA certificate that signed it; -1 */
	gnutls_x509_crt_t issuer;	/* borrowed from the CA list */
};

/* Context of a CRL walk looking for one serial. */
struct verify_crl_walk {
	const unsigned char *serial;
	size_t len;
	bool found;
	int reason;
	int64_t at;
};

/* crl_parse callback: note the entry of our serial. */
static int
verify_crl_entry(void *arg, const struct crl_entry *e)
{
	struct verify_crl_walk *w = arg;
	const unsigned char *s = w->serial;
	size_t n = w->len;

	/* crl_entry keeps the DER content form, as the certificate does. */
	if (e->serial_len == n && memcmp(e->serial, s, n) == 0) {
		w->found = true;
		w->reason = e->reason;
		w->at = e->revoked_at;
		return 1;
	}
	return 0;
}

/*
 * The CA certificates of state, index order (0 first, the current one
 * last, with the earlier ones a renewal keeps); parents from ca-chain.pem.
 */
static int
verify_load_cas(const char *state, gnutls_x509_crt_t **cas, unsigned *n,
    gnutls_x509_crt_t **parents, unsigned *np, char *why, size_t whylen)
{
	gnutls_datum_t d = { NULL, 0 };
	char path[PATH_MAX];
	int rc;

	*cas = *parents = NULL;
	*n = *np = 0;
	rc = ca_identity_history(state, cas, n, why, whylen);
	if (rc != CA_OK)
		return rc;
	if (snprintf(path, sizeof(path), "%s/ca-chain.pem", state) <
	    (int)sizeof(path) && keyfile_read(path, &d, why, whylen) == CA_OK) {
		keyfile_parse_certs(&d, path, parents, np, why, whylen);
		gnutls_free(d.data);
	}
	return CA_OK;
}

/* The chain check: which CA certificate signed crt. */
static void
verify_chain(gnutls_x509_crt_t crt, gnutls_x509_crt_t *cas, unsigned n,
    gnutls_x509_crt_t *parents, unsigned np, struct verify_result *r)
{
	unsigned status;
	gnutls_datum_t dn = { NULL, 0 };
	char name[TOOL_X509_TEXT_MAX / 2];

	r->ca_index = -1;
	/* Newest first: after a same-key renewal several verify. */
	for (unsigned i = n; i-- > 0;) {
		status = 0;
		if (!gnutls_x509_crt_check_issuer(crt, cas[i]))
			continue;
		/* Time is judged separately below: here only the signature. */
		if (gnutls_x509_crt_verify(crt, &cas[i], 1,
		    GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
		    GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS, &status) < 0 ||
		    status != 0)
			continue;
		r->ca_index = (int)i;
		r->issuer = cas[i];
		break;
	}
	if (r->ca_index < 0) {
		gnutls_x509_crt_get_raw_issuer_dn(crt, &dn);
		tool_x509_dn(&dn, name, sizeof(name));
		gnutls_free(dn.data);
		snprintf(r->chain.text, sizeof(r->chain.text), "not signed by this "
		    "CA (issuer %s; no CA certificate of this CA verifies its "
		    "signature)", name);
		return;
	}
	gnutls_x509_crt_get_raw_dn(r->issuer, &dn);
	tool_x509_dn(&dn, name, sizeof(name));
	gnutls_free(dn.data);
	r->chain.good = true;
	snprintf(r->chain.text, sizeof(r->chain.text), "signed by CA certificate "
	    "%d%s (%s)", r->ca_index, (unsigned)r->ca_index == n - 1 ?
	    ", the current one" : "", name);
	if (np > 0) {
		status = 0;
		if (gnutls_x509_crt_verify(r->issuer, parents, np, 0, &status) < 0 ||
		    status != 0) {
			r->chain.good = false;
			snprintf(r->chain.text + strlen(r->chain.text),
			    sizeof(r->chain.text) - strlen(r->chain.text),
			    "; but that CA certificate does not chain to its parents "
			    "in ca-chain.pem");
		}
	}
}

/* Context of the template lookup in the store. */
struct verify_tmpl_walk {
	const char *oid;
	char name[STORE_TEMPLATE_NAME_MAX];
};

/* store_iter_templates callback: the template whose OID is w->oid. */
static int
verify_tmpl_entry(const struct store_template *tp, void *arg)
{
	struct verify_tmpl_walk *w = arg;
	struct template *t = calloc(1, sizeof(*t));
	char why[CA_WHY_MAX];
	int found = 0;

	if (t != NULL) {
		if (template_parse_buf(tp->name, (const char *)tp->blob,
		    tp->blob_len, t, why, sizeof(why)) == CA_OK &&
		    strcmp(t->oid, w->oid) == 0) {
			snprintf(w->name, sizeof(w->name), "%s", tp->name);
			found = 1;
		}
	}
	free(t);
	return found;
}

/* The template check: what the Microsoft extension names. */
static void
verify_template(gnutls_x509_crt_t crt, struct store_txn *t, json_t *obj,
    struct verify_result *r)
{
	gnutls_datum_t d = { NULL, 0 };
	char oid[MSEXT_OID_TEXT_MAX], name[MSEXT_NAME_MAX];
	uint32_t major, minor;
	unsigned crit;

	r->template.good = true;	/* informative: never fails the verdict */
	if (gnutls_x509_crt_get_extension_by_oid2(crt, MSEXT_OID_TEMPLATE, 0, &d,
	    &crit) >= 0 && mspki_template_parse(d.data, d.size, oid, sizeof(oid),
	    &major, &minor) == CA_OK) {
		struct verify_tmpl_walk w = { oid, "" };

		if (t != NULL)
			store_iter_templates(t, verify_tmpl_entry, &w);
		snprintf(r->template.text, sizeof(r->template.text), "%s (%s, "
		    "version %lu.%lu)", w.name[0] ? w.name : "not a template of "
		    "this CA", oid, (unsigned long)major, (unsigned long)minor);
		json_object_set_new(obj, "template", json_pack("{s:s?,s:s,s:I,s:I}",
		    "name", w.name[0] ? w.name : NULL, "oid", oid,
		    "major", (json_int_t)major, "minor", (json_int_t)minor));
	} else if (gnutls_free(d.data), d.data = NULL,
	    gnutls_x509_crt_get_extension_by_oid2(crt, MSEXT_OID_TEMPLATE_V1, 0,
	    &d, &crit) >= 0 && msext_template_v1_parse(d.data, d.size, name,
	    sizeof(name)) == CA_OK) {
		snprintf(r->template.text, sizeof(r->template.text), "%s (v1 "
		    "template name)", name);
		json_object_set_new(obj, "template", json_pack("{s:s}", "name", name));
	} else {
		snprintf(r->template.text, sizeof(r->template.text), "none (no "
		    "Microsoft template extension)");
	}
	gnutls_free(d.data);
}

/* The store check: the record under the certificate's serial. */
static void
verify_store(const gnutls_datum_t *der, const unsigned char *serial,
    size_t slen, struct store_txn *t, json_t *obj, struct verify_result *r)
{
	struct store_cert c;
	char when[40];
	const char *status;

	memset(&c, 0, sizeof(c));
	if (t == NULL || store_get_cert(t, serial, slen, &c) != CA_OK) {
		snprintf(r->store.text, sizeof(r->store.text), "unknown: the store "
		    "has no certificate with this serial");
		json_object_set_new(obj, "store_status", json_string("unknown"));
		return;
	}
	if (c.der != NULL && (c.der_len != der->size ||
	    memcmp(c.der, der->data, c.der_len) != 0)) {
		snprintf(r->store.text, sizeof(r->store.text), "MISMATCH: the store "
		    "holds a different certificate under this serial");
		json_object_set_new(obj, "store_status", json_string("mismatch"));
		store_cert_clear(&c);
		return;
	}
	if (c.status == STORE_CERT_VALID) {
		r->store.good = true;
		status = "issued";
		snprintf(r->store.text, sizeof(r->store.text), "issued (template %s, "
		    "requested by %s)", c.template_name[0] ? c.template_name : "-",
		    c.requester[0] ? c.requester : "-");
	} else {
		tool_x509_time(c.revoked_at, when, sizeof(when));
		status = c.reason == STORE_REASON_HOLD ? "hold" : "revoked";
		snprintf(r->store.text, sizeof(r->store.text), "%s since %s (reason %s)",
		    c.reason == STORE_REASON_HOLD ? "ON HOLD" : "REVOKED", when,
		    crl_reason_name(c.reason));
		json_object_set_new(obj, "revoked_at", json_string(when));
		json_object_set_new(obj, "reason", json_string(crl_reason_name(c.reason)));
	}
	json_object_set_new(obj, "store_status", json_string(status));
	store_cert_clear(&c);
}

/* The name of the CRL file of CA key index k: <name>.crl, <name>(k).crl. */
static void
verify_crl_path(const char *state, const char *ca, unsigned k, bool delta,
    char *out, size_t len)
{
	char name[TOOL_X509_TEXT_MAX];

	if (k == 0)
		snprintf(name, sizeof(name), "%s", ca);
	else
		snprintf(name, sizeof(name), "%s(%u)", ca, k);
	if (!crlpub_path(state, name, delta, out, len))
		out[0] = '\0';
}

/* One CRL: signed by issuer, current, and does it list the serial. */
static bool
verify_one_crl(const char *path, bool delta, gnutls_x509_crt_t issuer,
    const unsigned char *serial, size_t slen, int64_t now, char *text,
    size_t cap, json_t *obj)
{
	struct tool_x509 o;
	struct crl_info info;
	struct verify_crl_walk w = { serial, slen, false, 0, 0 };
	char why[CA_WHY_MAX], next[40], when[40];
	unsigned status = 0;
	size_t l = strlen(text);
	const char *kind = delta ? "delta" : "full";

	if (tool_x509_read(path, &o, why, sizeof(why)) != CA_OK ||
	    o.kind != TOOL_X509_CRL) {
		if (o.kind != TOOL_X509_CRL || o.der.data == NULL)
			snprintf(text + l, cap - l, "%sno %s CRL in service",
			    l ? "; " : "", kind);
		tool_x509_clear(&o);
		return delta;	/* a missing delta is no failure; a full one is */
	}
	if (gnutls_x509_crl_verify(o.crl, &issuer, 1, 0, &status) < 0 ||
	    status != 0) {
		snprintf(text + l, cap - l, "%s%s CRL %s is NOT signed by the CA "
		    "key that signed the certificate", l ? "; " : "", kind, path);
		tool_x509_clear(&o);
		return false;
	}
	if (crl_parse(o.der.data, o.der.size, &info, verify_crl_entry, &w, why,
	    sizeof(why)) < 0) {
		snprintf(text + l, cap - l, "%s%s CRL: %s", l ? "; " : "", kind, why);
		tool_x509_clear(&o);
		return false;
	}
	tool_x509_clear(&o);
	tool_x509_time(info.next_update, next, sizeof(next));
	json_object_set_new(obj, delta ? "delta_crl_number" : "crl_number",
	    json_integer((json_int_t)info.number));
	if (w.found && w.reason != CRL_REASON_REMOVE_FROM_CRL) {
		tool_x509_time(w.at, when, sizeof(when));
		snprintf(text + l, cap - l, "%sLISTED on %s CRL %llu (%s, since %s)",
		    l ? "; " : "", kind, (unsigned long long)info.number,
		    crl_reason_name(w.reason), when);
		json_object_set_new(obj, delta ? "delta_crl_listed" : "crl_listed",
		    json_string(crl_reason_name(w.reason)));
		return false;
	}
	snprintf(text + l, cap - l, "%snot listed on %s CRL %llu%s (next update "
	    "%s%s)", l ? "; " : "", kind, (unsigned long long)info.number,
	    w.found ? " (removeFromCRL)" : "", next,
	    info.next_update != 0 && info.next_update < now ? ", EXPIRED" : "");
	return info.next_update == 0 || info.next_update >= now;
}

/* The CRL check: the full and delta CRLs of the signing key. */
static void
verify_crls(const char *state, const char *ca, unsigned n_cas,
    const unsigned char *serial, size_t slen, int64_t now, json_t *obj,
    struct verify_result *r)
{
	char path[PATH_MAX];
	unsigned ci, k;
	bool good;

	(void)n_cas;
	/* The CRLs of the key that signed it: AD CS's "<name>(K).crl". */
	ca_identity_index(r->issuer, &ci, &k);

	r->crl.text[0] = '\0';
	verify_crl_path(state, ca, k, false, path, sizeof(path));
	good = verify_one_crl(path, false, r->issuer, serial, slen, now,
	    r->crl.text, sizeof(r->crl.text), obj);
	verify_crl_path(state, ca, k, true, path, sizeof(path));
	good = verify_one_crl(path, true, r->issuer, serial, slen, now,
	    r->crl.text, sizeof(r->crl.text), obj) && good;
	r->crl.good = good;
}

/* Print one check for people and add it to the JSON object. */
static void
verify_print(bool json, json_t *checks, const char *label, const char *key,
    const struct verify_check *c)
{
	if (!json)
		printf("  %-9s %s %s\n", label, c->good ? "ok " : "BAD", c->text);
	json_object_set_new(checks, key, json_pack("{s:b,s:s}", "good", c->good,
	    "text", c->text));
}

/* entca verify CERT [--json] */
int
tool_verify_main(const char *conf, int argc, char **argv)
{
	static struct ca_config cfg;
	struct verify_result r;
	struct tool_x509 o;
	struct store *s = NULL;
	struct store_txn *t = NULL;
	struct store_options so = { .read_only = 1 };
	gnutls_x509_crt_t *cas = NULL, *parents = NULL;
	unsigned n = 0, np = 0;
	unsigned char serial[32];
	size_t slen = sizeof(serial);
	char why[CA_WHY_MAX], db[PATH_MAX], hex[65], subj[TOOL_X509_TEXT_MAX];
	char nb[40], na[40];
	const char *file = NULL, *env = getenv("ENTCA_CONF");
	bool json = false, good;
	json_t *root, *checks;
	gnutls_datum_t dn = { NULL, 0 };
	int64_t now = ca_now(), t0, t1;
	int status = 2;

	file = tool_x509_args(argc, argv, &json);
	if (file == NULL) {
		fprintf(stderr, "usage: entca verify CERT [--json]\n");
		return 2;
	}
	if (conf == NULL)
		conf = env != NULL && *env != '\0' ? env : VERIFY_DEFAULT_CONF;
	if (config_load(conf, &cfg, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "entca verify: %s\n", why);
		return 2;
	}
	if (tool_x509_read(file, &o, why, sizeof(why)) != CA_OK ||
	    o.kind != TOOL_X509_CERT) {
		fprintf(stderr, "entca verify: %s\n", o.kind != TOOL_X509_CERT &&
		    o.der.data != NULL ? "not a certificate" : why);
		tool_x509_clear(&o);
		return 1;
	}
	if (verify_load_cas(cfg.state_dir, &cas, &n, &parents, &np, why,
	    sizeof(why)) != CA_OK) {
		fprintf(stderr, "entca verify: CA certificate: %s\n", why);
		goto out;
	}
	snprintf(db, sizeof(db), "%.*s/db", (int)(sizeof(db) - 4), cfg.state_dir);
	if (store_open(db, &so, &s, why, sizeof(why)) != CA_OK ||
	    store_read_begin(s, &t, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "entca verify: %s\n", why);
		goto out;
	}
	memset(&r, 0, sizeof(r));
	root = json_object();
	checks = json_object();
	gnutls_x509_crt_get_serial(o.crt, serial, &slen);
	tool_x509_hex(serial, slen, hex);
	gnutls_x509_crt_get_raw_dn(o.crt, &dn);
	tool_x509_dn(&dn, subj, sizeof(subj));
	gnutls_free(dn.data);
	json_object_set_new(root, "serial", json_string(hex));
	json_object_set_new(root, "subject", json_string(subj));
	if (!json)
		printf("Certificate %s %s\n", hex, subj);

	verify_chain(o.crt, cas, n, parents, np, &r);
	verify_template(o.crt, t, root, &r);
	verify_store(&o.der, serial, slen, t, root, &r);
	if (r.ca_index >= 0) {
		verify_crls(cfg.state_dir, cfg.name, n, serial, slen, now, root, &r);
		json_object_set_new(root, "ca_certificate_index",
		    json_integer(r.ca_index));
	} else {
		snprintf(r.crl.text, sizeof(r.crl.text), "not checked: no CA key of "
		    "this CA signed it");
	}
	t0 = (int64_t)gnutls_x509_crt_get_activation_time(o.crt);
	t1 = (int64_t)gnutls_x509_crt_get_expiration_time(o.crt);
	tool_x509_time(t0, nb, sizeof(nb));
	tool_x509_time(t1, na, sizeof(na));
	r.validity.good = now >= t0 && now <= t1;
	snprintf(r.validity.text, sizeof(r.validity.text), "%s to %s: %s", nb, na,
	    now < t0 ? "NOT YET VALID" : now > t1 ? "EXPIRED" : "valid now");
	json_object_set_new(root, "not_before", json_string(nb));
	json_object_set_new(root, "not_after", json_string(na));

	verify_print(json, checks, "chain", "chain", &r.chain);
	verify_print(json, checks, "template", "template", &r.template);
	verify_print(json, checks, "store", "store", &r.store);
	verify_print(json, checks, "CRL", "crl", &r.crl);
	verify_print(json, checks, "validity", "validity", &r.validity);
	good = r.chain.good && r.store.good && r.crl.good && r.validity.good;
	json_object_set_new(root, "checks", checks);
	json_object_set_new(root, "good", json_boolean(good));
	if (json) {
		char *txt = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		if (txt != NULL)
			puts(txt);
		free(txt);
	} else {
		printf("%s\n", good ? "Verdict: GOOD" : "Verdict: NOT GOOD");
	}
	json_decref(root);
	status = good ? 0 : 1;
out:
	store_read_end(t);
	store_close(s);
	keyfile_certs_free(cas, n);
	keyfile_certs_free(parents, np);
	tool_x509_clear(&o);
	return status;
}

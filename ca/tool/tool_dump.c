/*
 * `entca dump FILE` (certutil -dump): a certificate, certificate request
 * or CRL, PEM or DER, printed for people or as JSON (--json), with the
 * Microsoft extensions decoded (template v1 and v2, SID security
 * extension, application policies, CA version) and names printed with
 * RFC 4514's exact escaping. Decoding goes through tool_x509.c. Tool main
 * thread only.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <jansson.h>

#include "common/error.h"
#include "crl/parse.h"
#include "crl/reason.h"
#include "ca/tool/tool_dump.h"
#include "ca/tool/tool_x509.h"
#include "policy/request.h"

/* Bytes of an OID buffer for GnuTLS getters. */
#define DUMP_OID_MAX 128
/* Bytes of a serial number in hex (RFC 5280: 20 octets, one pad). */
#define DUMP_SERIAL_HEX (2 * 21 + 1)

/* Print one line of "  Label: value" unless in JSON mode. */
static void
line(bool json, const char *label, const char *value)
{
	if (!json)
		printf("  %s: %s\n", label, value);
}

/* One extension: printed and appended to arr. */
static void
dump_ext(bool json, json_t *arr, const char *oid, const gnutls_datum_t *d,
    unsigned critical)
{
	char *text = malloc(TOOL_X509_TEXT_MAX);
	json_t *o = json_object();
	const char *name;

	if (text == NULL)
		return;
	name = tool_x509_ext_describe(oid, d->data, d->size, (int)critical, text,
	    TOOL_X509_TEXT_MAX, o);
	if (!json)
		printf("    %s %s%s:\n        %s\n", oid, strcmp(name, oid) ? name : "",
		    critical ? " (critical)" : "", text);
	json_object_set_new(o, "oid", json_string(oid));
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "critical", json_boolean(critical));
	json_object_set_new(o, "value", json_string(text));
	json_array_append_new(arr, o);
	free(text);
}

/* Fingerprints of der (sha1 as certutil's "Cert Hash(sha1)", and sha256). */
static void
dump_hashes(bool json, json_t *root, const gnutls_datum_t *der)
{
	unsigned char h[32];
	char hex[65];

	if (gnutls_hash_fast(GNUTLS_DIG_SHA1, der->data, der->size, h) == 0) {
		tool_x509_hex(h, 20, hex);
		line(json, "Hash(sha1)", hex);
		json_object_set_new(root, "sha1", json_string(hex));
	}
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, der->data, der->size, h) == 0) {
		tool_x509_hex(h, 32, hex);
		line(json, "Hash(sha256)", hex);
		json_object_set_new(root, "sha256", json_string(hex));
	}
}

/* Print a name field and set it in root under key. */
static void
dump_name(bool json, json_t *root, const char *label, const char *key,
    const gnutls_datum_t *der)
{
	char text[TOOL_X509_TEXT_MAX];

	tool_x509_dn(der, text, sizeof(text));
	line(json, label, text);
	json_object_set_new(root, key, json_string(text));
}

/* Print a time field and set it in root under key. */
static void
dump_time(bool json, json_t *root, const char *label, const char *key,
    int64_t t)
{
	char text[40];

	tool_x509_time(t, text, sizeof(text));
	line(json, label, text);
	json_object_set_new(root, key, json_string(text));
}

/* Public key algorithm and size of a certificate or request. */
static void
dump_pubkey(bool json, json_t *root, int algo, unsigned bits)
{
	char text[64];
	const char *name = gnutls_pk_get_name((gnutls_pk_algorithm_t)algo);

	snprintf(text, sizeof(text), "%s %u bits", name ? name : "?", bits);
	line(json, "Public Key", text);
	json_object_set_new(root, "public_key", json_pack("{s:s,s:i}",
	    "algorithm", name ? name : "?", "bits", (int)bits));
}

/*
 * The extensions of a certificate c or of a request q (the one that is
 * not NULL): printed under title, and as root's "extensions" array.
 */
static void
dump_exts(bool json, json_t *root, const char *title, gnutls_x509_crt_t c,
    gnutls_x509_crq_t q)
{
	gnutls_datum_t d = { NULL, 0 };
	char oid[DUMP_OID_MAX];
	json_t *exts = json_array();
	unsigned critical;
	size_t olen;
	int rc;

	if (!json)
		printf("  %s:\n", title);
	for (unsigned i = 0;; i++) {
		olen = sizeof(oid);
		rc = c != NULL ?
		    gnutls_x509_crt_get_extension_info(c, i, oid, &olen, &critical) :
		    gnutls_x509_crq_get_extension_info(q, i, oid, &olen, &critical);
		if (rc < 0)
			break;
		rc = c != NULL ? gnutls_x509_crt_get_extension_data2(c, i, &d) :
		    gnutls_x509_crq_get_extension_data2(q, i, &d);
		if (rc < 0)
			continue;
		dump_ext(json, exts, oid, &d, critical);
		gnutls_free(d.data);
		d.data = NULL;
	}
	json_object_set_new(root, "extensions", exts);
}

/* A certificate. */
static int
dump_cert(bool json, gnutls_x509_crt_t c, const gnutls_datum_t *der,
    json_t *root)
{
	gnutls_datum_t dn = { NULL, 0 };
	unsigned char serial[32];
	size_t slen = sizeof(serial);
	char hex[2 * sizeof(serial) + 1], text[64];
	unsigned bits = 0;
	int algo, sig;

	snprintf(text, sizeof(text), "%d", gnutls_x509_crt_get_version(c));
	line(json, "Version", text);
	json_object_set_new(root, "version", json_integer(gnutls_x509_crt_get_version(c)));
	if (gnutls_x509_crt_get_serial(c, serial, &slen) == 0) {
		tool_x509_hex(serial, slen, hex);
		line(json, "Serial Number", hex);
		json_object_set_new(root, "serial", json_string(hex));
	}
	sig = gnutls_x509_crt_get_signature_algorithm(c);
	line(json, "Signature Algorithm", gnutls_sign_get_name(sig) ?
	    gnutls_sign_get_name(sig) : "?");
	json_object_set_new(root, "signature_algorithm", json_string(
	    gnutls_sign_get_name(sig) ? gnutls_sign_get_name(sig) : "?"));
	if (gnutls_x509_crt_get_raw_issuer_dn(c, &dn) == 0)
		dump_name(json, root, "Issuer", "issuer", &dn);
	gnutls_free(dn.data);
	dn.data = NULL;
	dump_time(json, root, "NotBefore", "not_before",
	    (int64_t)gnutls_x509_crt_get_activation_time(c));
	dump_time(json, root, "NotAfter", "not_after",
	    (int64_t)gnutls_x509_crt_get_expiration_time(c));
	if (gnutls_x509_crt_get_raw_dn(c, &dn) == 0)
		dump_name(json, root, "Subject", "subject", &dn);
	gnutls_free(dn.data);
	algo = gnutls_x509_crt_get_pk_algorithm(c, &bits);
	dump_pubkey(json, root, algo, bits);
	dump_exts(json, root, "Extensions", c, NULL);
	dump_hashes(json, root, der);
	return 0;
}

/* A certificate request: subject, key, signature check, extensions. */
static int
dump_csr(bool json, gnutls_x509_crq_t q, const gnutls_datum_t *der,
    json_t *root)
{
	struct policy_request *r = calloc(1, sizeof(*r));
	char why[CA_WHY_MAX];
	unsigned bits = 0;
	int prc, algo;

	if (r == NULL)
		return 1;
	/* policy/ parses requests as enrollment does: exact subject text. */
	prc = policy_request_parse(der->data, der->size, r, why, sizeof(why));
	if (prc == CA_OK || prc == CA_ECRYPTO) {
		line(json, "Subject", r->subject);
		json_object_set_new(root, "subject", json_string(r->subject));
	} else {
		line(json, "Subject", "(see below: the request does not parse)");
		line(json, "Parse error", why);
		json_object_set_new(root, "parse_error", json_string(why));
	}
	algo = gnutls_x509_crq_get_pk_algorithm(q, &bits);
	dump_pubkey(json, root, algo, bits);
	prc = gnutls_x509_crq_verify(q, 0);
	line(json, "Signature", prc >= 0 ? "verifies (proof of possession)" :
	    "DOES NOT VERIFY");
	json_object_set_new(root, "signature_ok", json_boolean(prc >= 0));
	{
		char pw[256];
		size_t pwlen = sizeof(pw);
		bool has = gnutls_x509_crq_get_challenge_password(q, pw, &pwlen) >= 0;

		gnutls_memset(pw, 0, sizeof(pw));
		line(json, "Challenge password", has ? "present (not shown)" : "none");
		json_object_set_new(root, "challenge_password", json_boolean(has));
	}
	dump_exts(json, root, "Requested extensions", NULL, q);
	dump_hashes(json, root, der);
	policy_request_wipe(r);
	free(r);
	return 0;
}

/* Context of the CRL entry walk. */
struct dump_crl_walk {
	bool json;
	json_t *arr;
};

/* Print one CRL entry (crl_parse callback). */
static int
dump_crl_entry(void *arg, const struct crl_entry *e)
{
	struct dump_crl_walk *w = arg;
	char hex[DUMP_SERIAL_HEX], when[40], inv[40] = "";
	json_t *o;

	tool_x509_hex(e->serial, e->serial_len, hex);
	tool_x509_time(e->revoked_at, when, sizeof(when));
	if (e->invalidity_date != 0)
		tool_x509_time(e->invalidity_date, inv, sizeof(inv));
	if (!w->json)
		printf("    Serial Number: %s\n      Revocation Date: %s\n"
		    "      Reason: %s%s%s\n", hex, when, crl_reason_name(e->reason),
		    inv[0] ? "\n      Invalidity Date: " : "", inv);
	o = json_pack("{s:s,s:s,s:s}", "serial", hex, "revoked_at", when,
	    "reason", crl_reason_name(e->reason));
	if (inv[0] != '\0')
		json_object_set_new(o, "invalidity_date", json_string(inv));
	json_array_append_new(w->arr, o);
	return 0;
}

/* A CRL: issuer, dates, number, delta base, extensions, entries. */
static int
dump_crl(bool json, gnutls_x509_crl_t c, const gnutls_datum_t *der,
    json_t *root)
{
	struct crl_info info;
	struct dump_crl_walk w = { json, json_array() };
	gnutls_datum_t dn = { NULL, 0 }, d = { NULL, 0 };
	char oid[DUMP_OID_MAX], why[CA_WHY_MAX], text[64];
	size_t olen;
	unsigned critical;
	json_t *exts = json_array();
	int sig, rc;

	sig = gnutls_x509_crl_get_signature_algorithm(c);
	line(json, "Signature Algorithm", gnutls_sign_get_name(sig) ?
	    gnutls_sign_get_name(sig) : "?");
	if (gnutls_x509_crl_get_raw_issuer_dn(c, &dn) == 0)
		dump_name(json, root, "Issuer", "issuer", &dn);
	gnutls_free(dn.data);
	/* Dates, number, kind and count first (crl/parse.c, as entcad reads). */
	rc = crl_parse(der->data, der->size, &info, NULL, NULL, why, sizeof(why));
	if (rc != CA_OK) {
		fprintf(stderr, "entca dump: CRL: %s\n", why);
		json_decref(w.arr);
		json_decref(exts);
		return 1;
	}
	dump_time(json, root, "ThisUpdate", "this_update", info.this_update);
	if (info.next_update != 0)
		dump_time(json, root, "NextUpdate", "next_update", info.next_update);
	if (info.has_number) {
		snprintf(text, sizeof(text), "%llu", (unsigned long long)info.number);
		line(json, "CRL Number", text);
		json_object_set_new(root, "crl_number", json_integer((json_int_t)info.number));
	}
	if (info.delta) {
		snprintf(text, sizeof(text), "delta CRL of base %llu",
		    (unsigned long long)info.base);
		line(json, "Kind", text);
		json_object_set_new(root, "delta_base", json_integer((json_int_t)info.base));
	} else {
		line(json, "Kind", "full (base) CRL");
	}
	if (!json)
		printf("  Extensions:\n");
	for (unsigned i = 0;; i++) {
		olen = sizeof(oid);
		if (gnutls_x509_crl_get_extension_info(c, i, oid, &olen,
		    &critical) < 0)
			break;
		if (gnutls_x509_crl_get_extension_data2(c, i, &d) < 0)
			continue;
		dump_ext(json, exts, oid, &d, critical);
		gnutls_free(d.data);
		d.data = NULL;
	}
	json_object_set_new(root, "extensions", exts);
	snprintf(text, sizeof(text), "%zu", info.entries);
	line(json, "Revoked Certificates", text);
	/* The entries with their extensions, as recovery reads them. */
	rc = crl_parse(der->data, der->size, &info, dump_crl_entry, &w, why,
	    sizeof(why));
	json_object_set_new(root, "entries", w.arr);
	if (rc != CA_OK) {
		fprintf(stderr, "entca dump: CRL: %s\n", why);
		return 1;
	}
	dump_hashes(json, root, der);
	return 0;
}

/* entca dump FILE [--json] */
int
tool_dump_main(int argc, char **argv)
{
	struct tool_x509 o;
	const char *file = NULL;
	char why[CA_WHY_MAX];
	bool json = false;
	json_t *root;
	int rc;

	file = tool_x509_args(argc, argv, &json);
	if (file == NULL) {
		fprintf(stderr, "usage: entca dump FILE [--json]\n  FILE: a "
		    "certificate, certificate request or CRL, PEM or DER\n");
		return 2;
	}
	if (tool_x509_read(file, &o, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "entca dump: %s\n", why);
		return 1;
	}
	root = json_object();
	json_object_set_new(root, "type", json_string(tool_x509_kind_name(o.kind)));
	if (!json)
		printf("%c%s:\n", tool_x509_kind_name(o.kind)[0] - 32,
		    tool_x509_kind_name(o.kind) + 1);
	if (o.kind == TOOL_X509_CERT)
		rc = dump_cert(json, o.crt, &o.der, root);
	else if (o.kind == TOOL_X509_CSR)
		rc = dump_csr(json, o.crq, &o.der, root);
	else
		rc = dump_crl(json, o.crl, &o.der, root);
	if (json && rc == 0) {
		char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		if (s != NULL)
			puts(s);
		free(s);
	}
	json_decref(root);
	tool_x509_clear(&o);
	return rc;
}

/*
 * Reading certificates, CSRs and CRLs for `entca dump` and `entca verify`
 * (tool_x509.h). Decoding is delegated: GnuTLS for the X.509 structures
 * and the standard extensions, ca/issue/msext.c (libtasn1, ms-pki.asn) for
 * the Microsoft extensions, policy/dn.c for names with exact escaping.
 * Tool main thread only.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/x509-ext.h>

#include "common/error.h"
#include "common/hex.h"
#include "ca/issue/msext.h"
#include "policy/mspki.h"
#include "ca/signer/keyfile.h"
#include "ca/tool/tool_x509.h"
#include "policy/dn.h"

/* Most application policies shown for one extension. */
#define TOOL_X509_POLICIES_MAX 32

static const char *const kind_names[TOOL_X509_KIND_COUNT] = {
	"certificate", "certificate request", "CRL"
};

/* Names of the kinds, indexed by enum tool_x509_kind. */
const char *
tool_x509_kind_name(int kind)
{
	return kind >= 0 && kind < TOOL_X509_KIND_COUNT ? kind_names[kind] : "?";
}

/* Lower-case hex of p. */
void
tool_x509_hex(const unsigned char *p, size_t len, char *out)
{
	hex_encode(p, len, out);
	for (char *c = out; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
}

/* RFC 3339 UTC. */
void
tool_x509_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len,
	    "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

/* RFC 4514 text of a DER Name; "(unreadable name)" when it does not decode. */
void
tool_x509_dn(const gnutls_datum_t *der, char *out, size_t cap)
{
	char why[CA_WHY_MAX];

	if (der->size == 0) {
		snprintf(out, cap, "(empty)");
		return;
	}
	if (dn_der_to_string(der->data, der->size, out, cap, why,
	    sizeof(why)) != CA_OK)
		snprintf(out, cap, "(unreadable name: %s)", why);
}

/* Import data as a kind in format fmt into o. */
static bool
try_import(struct tool_x509 *o, int kind, const gnutls_datum_t *data,
    gnutls_x509_crt_fmt_t fmt)
{
	int ret = -1;

	switch (kind) {
	case TOOL_X509_CERT:
		if (gnutls_x509_crt_init(&o->crt) < 0)
			return false;
		ret = gnutls_x509_crt_import(o->crt, data, fmt);
		if (ret >= 0)
			ret = gnutls_x509_crt_export2(o->crt, GNUTLS_X509_FMT_DER,
			    &o->der);
		if (ret < 0) {
			gnutls_x509_crt_deinit(o->crt);
			o->crt = NULL;
		}
		break;
	case TOOL_X509_CSR:
		if (gnutls_x509_crq_init(&o->crq) < 0)
			return false;
		ret = gnutls_x509_crq_import(o->crq, data, fmt);
		if (ret >= 0)
			ret = gnutls_x509_crq_export2(o->crq, GNUTLS_X509_FMT_DER,
			    &o->der);
		if (ret < 0) {
			gnutls_x509_crq_deinit(o->crq);
			o->crq = NULL;
		}
		break;
	case TOOL_X509_CRL:
		if (gnutls_x509_crl_init(&o->crl) < 0)
			return false;
		ret = gnutls_x509_crl_import(o->crl, data, fmt);
		if (ret >= 0)
			ret = gnutls_x509_crl_export2(o->crl, GNUTLS_X509_FMT_DER,
			    &o->der);
		if (ret < 0) {
			gnutls_x509_crl_deinit(o->crl);
			o->crl = NULL;
		}
		break;
	}
	if (ret < 0)
		return false;
	o->kind = kind;
	return true;
}

/* Read a certificate, CSR or CRL; see tool_x509.h. */
int
tool_x509_read(const char *path, struct tool_x509 *o, char *why, size_t whylen)
{
	static const struct { const char *marker; int kind; } pem[] = {
		{ "-----BEGIN CERTIFICATE-----", TOOL_X509_CERT },
		{ "-----BEGIN NEW CERTIFICATE REQUEST-----", TOOL_X509_CSR },
		{ "-----BEGIN CERTIFICATE REQUEST-----", TOOL_X509_CSR },
		{ "-----BEGIN X509 CRL-----", TOOL_X509_CRL },
	};
	gnutls_datum_t data = { NULL, 0 };
	FILE *f;
	long size;
	int rc = CA_EPARSE;

	memset(o, 0, sizeof(*o));
	f = fopen(path, "rb");
	if (f == NULL)
		return ca_why(why, whylen, CA_EIO, "%s: %m", path);
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return ca_why(why, whylen, CA_EIO, "%s: cannot read", path);
	}
	if (size > TOOL_X509_FILE_MAX || size == 0) {
		fclose(f);
		return ca_why(why, whylen, size == 0 ? CA_EPARSE : CA_ETOOBIG,
		    "%s: %s", path, size == 0 ? "empty file" :
		    "larger than 256 MiB");
	}
	data.data = malloc((size_t)size + 1);
	if (data.data == NULL || fread(data.data, 1, (size_t)size, f) !=
	    (size_t)size) {
		fclose(f);
		free(data.data);
		return ca_why(why, whylen, CA_EIO, "%s: cannot read", path);
	}
	fclose(f);
	data.size = (unsigned)size;
	data.data[size] = '\0';
	/* PEM: the block names the kind; the first one in the file wins. */
	{
		const char *best = NULL;
		int kind = -1;

		for (size_t i = 0; i < sizeof(pem) / sizeof(pem[0]); i++) {
			const char *p = memmem(data.data, data.size, pem[i].marker,
			    strlen(pem[i].marker));

			if (p != NULL && (best == NULL || p < best)) {
				best = p;
				kind = pem[i].kind;
			}
		}
		if (kind >= 0) {
			gnutls_datum_t from = {
				(unsigned char *)best,
				data.size - (unsigned)((const unsigned char *)best -
				    data.data)
			};

			if (try_import(o, kind, &from, GNUTLS_X509_FMT_PEM))
				rc = CA_OK;
			else
				ca_why(why, whylen, CA_EPARSE, "%s: the PEM %s does "
				    "not decode", path, tool_x509_kind_name(kind));
			goto out;
		}
	}
	for (int k = 0; k < TOOL_X509_KIND_COUNT; k++)
		if (try_import(o, k, &data, GNUTLS_X509_FMT_DER)) {
			rc = CA_OK;
			goto out;
		}
	ca_why(why, whylen, CA_EPARSE, "%s: neither a certificate, a "
	    "certificate request nor a CRL (PEM or DER)", path);
out:
	free(data.data);
	return rc;
}

/* FILE [--json]; see tool_x509.h. */
const char *
tool_x509_args(int argc, char **argv, bool *json)
{
	const char *file = NULL;

	*json = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			*json = true;
		else if (argv[i][0] != '-' && file == NULL)
			file = argv[i];
		else
			return NULL;
	}
	return file;
}

/* Free what was read. */
void
tool_x509_clear(struct tool_x509 *o)
{
	if (o->crt != NULL)
		gnutls_x509_crt_deinit(o->crt);
	if (o->crq != NULL)
		gnutls_x509_crq_deinit(o->crq);
	if (o->crl != NULL)
		gnutls_x509_crl_deinit(o->crl);
	gnutls_free(o->der.data);
	memset(o, 0, sizeof(*o));
}

/* Names of well-known extension and purpose OIDs, as certutil shows them. */
static const struct { const char *oid, *name; } oid_names[] = {
	{ "2.5.29.14", "Subject Key Identifier" },
	{ "2.5.29.15", "Key Usage" },
	{ "2.5.29.17", "Subject Alternative Name" },
	{ "2.5.29.18", "Issuer Alternative Name" },
	{ "2.5.29.19", "Basic Constraints" },
	{ "2.5.29.20", "CRL Number" },
	{ "2.5.29.21", "CRL Reason Code" },
	{ "2.5.29.27", "Delta CRL Indicator" },
	{ "2.5.29.28", "Issuing Distribution Point" },
	{ "2.5.29.31", "CRL Distribution Points" },
	{ "2.5.29.32", "Certificate Policies" },
	{ "2.5.29.35", "Authority Key Identifier" },
	{ "2.5.29.37", "Enhanced Key Usage" },
	{ "2.5.29.46", "Freshest CRL" },
	{ "1.3.6.1.5.5.7.1.1", "Authority Information Access" },
	{ MSEXT_OID_TEMPLATE, "Certificate Template Information" },
	{ MSEXT_OID_TEMPLATE_V1, "Certificate Template Name" },
	{ MSEXT_OID_SID, "SID security extension (szOID_NTDS_CA_SECURITY_EXT)" },
	{ MSEXT_OID_APP_POLICIES, "Application Policies" },
	{ MSEXT_OID_CA_VERSION, "CA Version" },
	{ MSEXT_OID_PREV_CA_HASH, "Previous CA Certificate Hash" },
	{ "1.3.6.1.4.1.311.21.4", "Next CRL Publish" },
	{ "1.3.6.1.5.5.7.3.1", "Server Authentication" },
	{ "1.3.6.1.5.5.7.3.2", "Client Authentication" },
	{ "1.3.6.1.5.5.7.3.3", "Code Signing" },
	{ "1.3.6.1.5.5.7.3.4", "Secure Email" },
	{ "1.3.6.1.4.1.311.10.3.4", "Encrypting File System" },
	{ "1.3.6.1.4.1.311.20.2.2", "Smart Card Logon" },
};

/* The name of an OID, or NULL. */
static const char *
oid_name(const char *oid)
{
	for (size_t i = 0; i < sizeof(oid_names) / sizeof(oid_names[0]); i++)
		if (strcmp(oid, oid_names[i].oid) == 0)
			return oid_names[i].name;
	return NULL;
}

/* GnuTLS's one-line rendering of a standard extension. */
static bool
gnutls_describe(const char *oid, const unsigned char *der, size_t len,
    int critical, char *text, size_t cap)
{
	gnutls_x509_ext_st ext;
	gnutls_datum_t out = { NULL, 0 };
	char *p, *q;
	size_t o = 0;

	ext.oid = (char *)oid;
	ext.critical = (unsigned)critical;
	ext.data.data = (unsigned char *)der;
	ext.data.size = (unsigned)len;
	if (gnutls_x509_ext_print(&ext, 1, GNUTLS_CRT_PRINT_FULL, &out) < 0)
		return false;
	/* Drop GnuTLS's first line (the extension's own heading) and join
	 * the rest, trimmed, with "; ". */
	p = (char *)out.data;
	q = strchr(p, '\n');
	p = q != NULL ? q + 1 : p + strlen(p);
	text[0] = '\0';
	while (*p != '\0' && o + 1 < cap) {
		size_t n;

		p += strspn(p, " \t");
		n = strcspn(p, "\n");
		if (n > 0) {
			int w = snprintf(text + o, cap - o, "%s%.*s", o ? "; " : "",
			    (int)n, p);

			if (w < 0 || (size_t)w >= cap - o)
				break;
			o += (size_t)w;
		}
		p += n;
		if (*p == '\n')
			p++;
	}
	gnutls_free(out.data);
	return o > 0;
}

/* Describe one extension; see tool_x509.h. */
const char *
tool_x509_ext_describe(const char *oid, const unsigned char *der, size_t len,
    int critical, char *text, size_t cap, json_t *obj)
{
	const char *name = oid_name(oid);
	char s[MSEXT_NAME_MAX], toid[MSEXT_OID_TEXT_MAX];
	char pol[TOOL_X509_POLICIES_MAX][MSEXT_OID_TEXT_MAX];
	unsigned char h[64];
	size_t n, hl;
	uint32_t major, minor;
	unsigned ci, ki;

	if (strcmp(oid, MSEXT_OID_TEMPLATE) == 0 &&
	    mspki_template_parse(der, len, toid, sizeof(toid), &major,
	    &minor) == CA_OK) {
		snprintf(text, cap, "Template=%s, Major Version Number=%lu, "
		    "Minor Version Number=%lu", toid, (unsigned long)major,
		    (unsigned long)minor);
		if (obj != NULL)
			json_object_set_new(obj, "template", json_pack("{s:s,s:I,s:I}",
			    "oid", toid, "major", (json_int_t)major, "minor",
			    (json_int_t)minor));
	} else if (strcmp(oid, MSEXT_OID_TEMPLATE_V1) == 0 &&
	    msext_template_v1_parse(der, len, s, sizeof(s)) == CA_OK) {
		snprintf(text, cap, "%s", s);
		if (obj != NULL)
			json_object_set_new(obj, "template_name", json_string(s));
	} else if (strcmp(oid, MSEXT_OID_SID) == 0 &&
	    mspki_sid_parse(der, len, s, sizeof(s)) == CA_OK) {
		snprintf(text, cap, "%s", s);
		if (obj != NULL)
			json_object_set_new(obj, "sid", json_string(s));
	} else if (strcmp(oid, MSEXT_OID_APP_POLICIES) == 0 &&
	    msext_app_policies_parse(der, len, pol, TOOL_X509_POLICIES_MAX,
	    &n) == CA_OK) {
		json_t *a = json_array();
		size_t o = 0;

		text[0] = '\0';
		for (size_t i = 0; i < n; i++) {
			const char *pn = oid_name(pol[i]);
			int w = snprintf(text + o, cap - o, "%s[%zu] %s%s%s%s",
			    i ? "; " : "", i + 1, pol[i], pn ? " (" : "",
			    pn ? pn : "", pn ? ")" : "");

			if (w > 0 && (size_t)w < cap - o)
				o += (size_t)w;
			json_array_append_new(a, json_string(pol[i]));
		}
		if (obj != NULL)
			json_object_set(obj, "application_policies", a);
		json_decref(a);
	} else if (strcmp(oid, MSEXT_OID_CA_VERSION) == 0 &&
	    msext_ca_version_parse(der, len, &ci, &ki) == CA_OK) {
		snprintf(text, cap, "V%u.%u", ci, ki);
		if (obj != NULL)
			json_object_set_new(obj, "ca_version", json_pack("{s:i,s:i}",
			    "certificate_index", (int)ci, "key_index", (int)ki));
	} else if (strcmp(oid, MSEXT_OID_PREV_CA_HASH) == 0 &&
	    msext_prev_ca_hash_parse(der, len, h, sizeof(h), &hl) == CA_OK &&
	    2 * hl + 1 <= cap) {
		tool_x509_hex(h, hl, text);
		if (obj != NULL)
			json_object_set_new(obj, "previous_ca_hash", json_string(text));
	} else if (strncmp(oid, "1.3.6.1.4.1.311.", 16) == 0 ||
	    !gnutls_describe(oid, der, len, critical, text, cap)) {
		if (2 * len + 1 <= cap)
			tool_x509_hex(der, len, text);
		else
			snprintf(text, cap, "(%zu bytes)", len);
	}
	return name != NULL ? name : oid;
}

/*
 * PKCS#10 parsing for the decision (request.h): GnuTLS reads the CSR and
 * checks its signature; the subject is taken from the DER bytes themselves
 * and the Microsoft structures (SID extension, template extensions) are
 * read with policy/der.h. Untrusted input: every size is bounded. Any thread.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <gnutls/x509-ext.h>

#include "common/error.h"
#include "common/utf8.h"
#include "policy/dn_int.h"
#include "policy/mspki.h"
#include "policy/request.h"

#define POLICY_OID_CHALLENGE	"1.2.840.113549.1.9.7"	/* RFC 2985 §5.4.1 */

const char *const policy_san_names[POLICY_SAN_COUNT] = {
	"UPN", "email", "DNS", "URI", "other"
};
const char *const policy_key_alg_names[POLICY_KEY_ALG_COUNT] = {
	"none", "RSA", "ECDSA", "unsupported"
};
const char *const policy_curve_names[POLICY_CURVE_COUNT] = {
	"none", "P-256", "P-384", "P-521", "unsupported curve"
};

/* S-1-<authority>(-<subauthority>)+, decimal, bounded. */
bool
policy_sid_valid(const char *s)
{
	size_t parts = 0, digits = 0, n = strlen(s);

	if (n < 5 || n >= PRINCIPAL_SID_MAX || strncmp(s, "S-1-", 4) != 0)
		return false;
	for (s += 4;; s++) {
		if (*s >= '0' && *s <= '9') {
			if (++digits > 10)
				return false;
			continue;
		}
		if (digits == 0)
			return false;
		parts++;
		digits = 0;
		if (*s == '\0')
			break;
		if (*s != '-')
			return false;
	}
	return parts >= 2 && parts <= 16;
}

/* The SID extension through its one codec (mspki.h), then SID syntax. */
static int
sid_from_ext(const unsigned char *p, size_t len, char *sid, size_t sidlen)
{
	int rc = mspki_sid_parse(p, len, sid, sidlen);

	if (rc != CA_OK)
		return rc;
	return policy_sid_valid(sid) ? CA_OK : CA_EPARSE;
}

/* Record a supplied SID; a second, different one marks a conflict. */
static void
supply_sid(struct policy_request *r, const char *sid,
    enum policy_sid_source src)
{
	if (r->sid_source == POLICY_SID_NONE) {
		snprintf(r->sid, sizeof(r->sid), "%s", sid);
		r->sid_source = src;
	} else if (strcasecmp(r->sid, sid) != 0) {
		r->sid_conflict = true;
	}
}

/* Copy a text SAN value, refusing NULs and over-long values. */
static int
san_text(struct policy_san *s, const unsigned char *v, size_t len)
{
	if (len >= sizeof(s->value) || memchr(v, 0, len) != NULL ||
	    !utf8_valid(v, len))
		return CA_EPARSE;
	memcpy(s->value, v, len);
	s->value[len] = '\0';
	return CA_OK;
}

/* SANs of the request's 2.5.29.17 extension. */
static int
parse_sans(gnutls_x509_crq_t crq, struct policy_request *r, char *why,
    size_t whylen)
{
	gnutls_datum_t ext = { NULL, 0 }, v, oid;
	gnutls_subject_alt_names_t sans = NULL;
	unsigned type, i;
	struct der_tlv t;
	int rc = CA_OK, ret;

	ret = gnutls_x509_crq_get_extension_by_oid2(crq, POLICY_OID_SAN, 0,
	    &ext, NULL);
	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return CA_OK;
	if (ret < 0 || gnutls_subject_alt_names_init(&sans) < 0 ||
	    gnutls_x509_ext_import_subject_alt_names(&ext, sans, 0) < 0) {
		rc = ca_why(why, whylen, CA_EPARSE,
		    "CSR: RFC 5280 §4.2.1.6: subjectAltName does not parse");
		goto out;
	}
	for (i = 0;; i++) {
		struct policy_san *s;
		ret = gnutls_subject_alt_names_get(sans, i, &type, &v, &oid);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (ret < 0) {
			rc = ca_why(why, whylen, CA_EPARSE,
			    "CSR: subjectAltName entry %u does not parse", i + 1);
			goto out;
		}
		if (r->n_sans >= POLICY_SAN_MAX) {
			rc = ca_why(why, whylen, CA_ETOOBIG,
			    "CSR: more than %d subjectAltName entries",
			    POLICY_SAN_MAX);
			goto out;
		}
		s = &r->sans[r->n_sans];
		switch (type) {
		case GNUTLS_SAN_DNSNAME:
			s->type = POLICY_SAN_DNS;
			ret = san_text(s, v.data, v.size);
			break;
		case GNUTLS_SAN_RFC822NAME:
			s->type = POLICY_SAN_EMAIL;
			ret = san_text(s, v.data, v.size);
			break;
		case GNUTLS_SAN_URI:
			s->type = POLICY_SAN_URI;
			ret = san_text(s, v.data, v.size);
			break;
		case GNUTLS_SAN_OTHERNAME:
			/* UPN: the value is a UTF8String (MS-WCCE). */
			if (oid.size == strlen(POLICY_OID_UPN) &&
			    memcmp(oid.data, POLICY_OID_UPN, oid.size) == 0) {
				s->type = POLICY_SAN_UPN;
				ret = der_read(v.data, v.size, &t);
				if (ret == 0 && (t.tag != DER_UTF8STRING ||
				    t.rawlen != v.size))
					ret = -1;
				if (ret == 0)
					ret = san_text(s, t.val, t.len);
			} else {
				s->type = POLICY_SAN_OTHER;
				snprintf(s->value, sizeof(s->value),
				    "otherName %.*s", (int)(oid.size > 100 ?
				    100 : oid.size), (const char *)oid.data);
				ret = 0;
			}
			break;
		default:
			s->type = POLICY_SAN_OTHER;
			snprintf(s->value, sizeof(s->value), "%s",
			    type == GNUTLS_SAN_IPADDRESS ? "iPAddress" :
			    type == GNUTLS_SAN_DN ? "directoryName" :
			    type == GNUTLS_SAN_REGISTERED_ID ? "registeredID" :
			    "an unknown GeneralName");
			ret = 0;
		}
		if (ret != 0) {
			rc = ca_why(why, whylen, CA_EPARSE,
			    "CSR: subjectAltName %s entry is not valid text",
			    policy_san_names[s->type]);
			goto out;
		}
		r->n_sans++;
		if (s->type == POLICY_SAN_URI &&
		    strncasecmp(s->value, POLICY_SID_URL_PREFIX,
		    strlen(POLICY_SID_URL_PREFIX)) == 0) {
			const char *sid = s->value +
			    strlen(POLICY_SID_URL_PREFIX);
			if (!policy_sid_valid(sid)) {
				rc = ca_why(why, whylen, CA_EPARSE,
				    "CSR: SAN URL SID \"%.64s\" is not a SID",
				    sid);
				goto out;
			}
			supply_sid(r, sid, POLICY_SID_SAN_URL);
		}
	}
out:
	gnutls_subject_alt_names_deinit(sans);
	gnutls_free(ext.data);
	return rc;
}

/* The key: algorithm, size, curve. */
static int
parse_key(gnutls_x509_crq_t crq, struct policy_request *r, char *why,
    size_t whylen)
{
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t d = { NULL, 0 };
	gnutls_ecc_curve_t curve;
	unsigned bits = 0;
	int alg, ret, rc = CA_OK;

	if (gnutls_pubkey_init(&pub) < 0)
		return CA_ENOMEM;
	if (gnutls_pubkey_import_x509_crq(pub, crq, 0) < 0) {
		rc = ca_why(why, whylen, CA_EPARSE,
		    "CSR: subjectPublicKeyInfo does not parse");
		goto out;
	}
	/*
	 * The key as the certificate will carry it: GnuTLS's DER export of
	 * what it parsed, never the CSR's own bytes (a non-DER encoding that
	 * a lenient parse accepted must not reach a certificate).
	 */
	ret = gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &d);
	if (ret < 0) {
		rc = ca_why(why, whylen, CA_EPARSE, "CSR: subjectPublicKeyInfo "
		    "cannot be re-encoded");
		goto out;
	}
	if (d.size > sizeof(r->spki)) {
		rc = ca_why(why, whylen, CA_ETOOBIG, "CSR: subjectPublicKeyInfo "
		    "longer than %d bytes", POLICY_SPKI_MAX);
		gnutls_free(d.data);
		goto out;
	}
	memcpy(r->spki, d.data, d.size);
	r->spki_len = d.size;
	gnutls_free(d.data);
	alg = gnutls_pubkey_get_pk_algorithm(pub, &bits);
	r->key_bits = bits;
	if (alg == GNUTLS_PK_RSA) {
		r->key_alg = POLICY_KEY_RSA;
	} else if (alg == GNUTLS_PK_ECDSA) {
		r->key_alg = POLICY_KEY_EC;
		if (gnutls_pubkey_export_ecc_raw2(pub, &curve, NULL, NULL,
		    0) < 0) {
			rc = ca_why(why, whylen, CA_EPARSE,
			    "CSR: EC public key does not parse");
			goto out;
		}
		r->curve = curve == GNUTLS_ECC_CURVE_SECP256R1 ?
		    POLICY_CURVE_P256 : curve == GNUTLS_ECC_CURVE_SECP384R1 ?
		    POLICY_CURVE_P384 : curve == GNUTLS_ECC_CURVE_SECP521R1 ?
		    POLICY_CURVE_P521 : POLICY_CURVE_OTHER;
	} else {
		r->key_alg = POLICY_KEY_OTHER;
	}
out:
	gnutls_pubkey_deinit(pub);
	return rc;
}

/*
 * The template extension's value: CertificateTemplateOID ::= SEQUENCE {
 * templateID OID, templateMajorVersion INTEGER OPTIONAL,
 * templateMinorVersion INTEGER OPTIONAL } (MS-WCCE 2.2.2.7.7.2), read by
 * the one codec of ms-pki.asn (mspki.h). r is written only once the whole
 * value has parsed: a pointer kept from an earlier extension's value (freed
 * by then) was a use-after-free.
 */
static int
parse_tmpl_v2(const unsigned char *p, size_t len, struct policy_request *r)
{
	char oid[TMPL_OID_MAX];
	uint32_t major = 0, minor = 0;
	int rc;

	rc = mspki_template_parse(p, len, oid, sizeof(oid), &major, &minor);
	if (rc != CA_OK)
		return rc;
	snprintf(r->template_oid, sizeof(r->template_oid), "%s", oid);
	r->template_major = major;
	r->template_minor = minor;
	return CA_OK;
}

/* The v1 template extension: a bare BMPString as AD CS writes it. */
static void
parse_tmpl_v1(const unsigned char *p, size_t len, struct policy_request *r)
{
	struct der_tlv t;
	size_t k, o = 0;

	if (der_read(p, len, &t) != 0 || t.tag != DER_BMPSTRING ||
	    t.len % 2 != 0)
		return;
	/* ASCII kept: template names are plain identifiers. */
	for (k = 0; k + 1 < t.len && o + 1 < sizeof(r->template_name); k += 2)
		if (t.val[k] == 0 && t.val[k + 1] >= 0x20 && t.val[k + 1] < 0x7f)
			r->template_name[o++] = (char)t.val[k + 1];
	r->template_name[o] = '\0';
}

/*
 * Extensions asked for, the SID extension and the template extensions. One
 * extension value at a time: it is freed before the next is fetched, so no
 * state derived from it outlives its iteration. An extension requested
 * twice is refused (RFC 5280 §4.2: one instance per extension), as AD CS
 * clients never send that and two readings of it could disagree.
 */
static int
parse_exts(gnutls_x509_crq_t crq, struct policy_request *r, char *why,
    size_t whylen)
{
	char oid[DER_OID_TEXT_MAX], sid[PRINCIPAL_SID_MAX];
	gnutls_datum_t v = { NULL, 0 };
	size_t sz;
	unsigned i;
	int ret, rc = CA_OK;

	for (i = 0;; i++) {
		sz = sizeof(oid);
		ret = gnutls_x509_crq_get_extension_info(crq, i, oid, &sz,
		    NULL);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (ret < 0)
			return ca_why(why, whylen, CA_EPARSE,
			    "CSR: extensionRequest entry %u does not parse",
			    i + 1);
		if (r->n_exts >= POLICY_REQ_EXT_MAX)
			return ca_why(why, whylen, CA_ETOOBIG,
			    "CSR: more than %d requested extensions",
			    POLICY_REQ_EXT_MAX);
		for (size_t k = 0; k < r->n_exts; k++)
			if (strcmp(r->exts[k], oid) == 0)
				return ca_why(why, whylen, CA_EPARSE,
				    "CSR: RFC 5280 §4.2: extension %s "
				    "requested twice", oid);
		snprintf(r->exts[r->n_exts++], DER_OID_TEXT_MAX, "%s", oid);
		if (gnutls_x509_crq_get_extension_data2(crq, i, &v) < 0)
			return ca_why(why, whylen, CA_EPARSE,
			    "CSR: extension %s has no value", oid);
		if (strcmp(oid, POLICY_OID_SID_EXT) == 0) {
			if (sid_from_ext(v.data, v.size, sid, sizeof(sid)) != 0)
				rc = ca_why(why, whylen, CA_EPARSE,
				    "CSR: SID extension %s: not a GeneralNames "
				    "with one otherName SID", oid);
			else
				supply_sid(r, sid, POLICY_SID_EXTENSION);
		} else if (strcmp(oid, POLICY_OID_TMPL_V1) == 0) {
			parse_tmpl_v1(v.data, v.size, r);
		} else if (strcmp(oid, POLICY_OID_TMPL_V2) == 0) {
			if (parse_tmpl_v2(v.data, v.size, r) != 0)
				rc = ca_why(why, whylen, CA_EPARSE,
				    "CSR: certificate template extension %s: "
				    "not a SEQUENCE { OID, INTEGER, INTEGER }",
				    oid);
		}
		gnutls_free(v.data);
		v.data = NULL;
		if (rc != CA_OK)
			return rc;
	}
	for (i = 0; r->n_ekus < TMPL_EKU_MAX; i++) {
		sz = sizeof(oid);
		ret = gnutls_x509_crq_get_key_purpose_oid(crq, i, oid, &sz, NULL);
		if (ret < 0)
			break;
		snprintf(r->ekus[r->n_ekus++], DER_OID_TEXT_MAX, "%s", oid);
	}
	return CA_OK;
}

/*
 * Each request attribute at most once (RFC 2985 §5.4: challengePassword and
 * extensionRequest are single-valued; AD CS clients send each once). GnuTLS
 * reads only the first instance of an OID, so a second extensionRequest or
 * SID attribute would be a value nobody checked.
 */
static int
check_attributes(gnutls_x509_crq_t crq, char *why, size_t whylen)
{
	char seen[POLICY_REQ_EXT_MAX][DER_OID_TEXT_MAX], oid[DER_OID_TEXT_MAX];
	size_t n = 0, sz;
	int ret;

	for (unsigned i = 0;; i++) {
		sz = sizeof(oid);
		ret = gnutls_x509_crq_get_attribute_info(crq, i, oid, &sz);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			return CA_OK;
		if (ret < 0)
			return ca_why(why, whylen, CA_EPARSE,
			    "CSR: attribute %u does not parse", i + 1);
		if (n >= POLICY_REQ_EXT_MAX)
			return ca_why(why, whylen, CA_ETOOBIG,
			    "CSR: more than %d attributes", POLICY_REQ_EXT_MAX);
		for (size_t k = 0; k < n; k++)
			if (strcmp(seen[k], oid) == 0)
				return ca_why(why, whylen, CA_EPARSE,
				    "CSR: RFC 2985: attribute %s sent twice",
				    oid);
		snprintf(seen[n++], sizeof(seen[0]), "%s", oid);
	}
}

/* A SID sent as a request attribute carrying the extension's value. */
static int
parse_sid_attribute(gnutls_x509_crq_t crq, struct policy_request *r,
    char *why, size_t whylen)
{
	unsigned char buf[PRINCIPAL_SID_MAX + 32];
	char sid[PRINCIPAL_SID_MAX];
	size_t sz = sizeof(buf);
	int ret;

	ret = gnutls_x509_crq_get_attribute_by_oid(crq, POLICY_OID_SID_EXT, 0,
	    buf, &sz);
	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return CA_OK;
	if (ret < 0 || sid_from_ext(buf, sz, sid, sizeof(sid)) != 0)
		return ca_why(why, whylen, CA_EPARSE,
		    "CSR: SID attribute %s: not a GeneralNames with one "
		    "otherName SID", POLICY_OID_SID_EXT);
	supply_sid(r, sid, POLICY_SID_ATTRIBUTE);
	return CA_OK;
}

/* The subject Name, straight from the CertificationRequestInfo bytes. */
static int
parse_subject(const unsigned char *der, size_t len, struct policy_request *r,
    char *why, size_t whylen)
{
	struct der_tlv req, cri, ver, subj;
	char w[CA_WHY_MAX];
	int rc;

	if (der_read(der, len, &req) != 0 || req.tag != DER_SEQUENCE ||
	    req.rawlen != len || der_read(req.val, req.len, &cri) != 0 ||
	    cri.tag != DER_SEQUENCE || der_read(cri.val, cri.len, &ver) != 0 ||
	    ver.tag != DER_INTEGER || ver.len != 1 || ver.val[0] != 0 ||
	    der_read(ver.val + ver.len, cri.len - ver.rawlen, &subj) != 0)
		return ca_why(why, whylen, CA_EPARSE,
		    "CSR: RFC 2986: not a DER CertificationRequest v1");
	if (subj.rawlen > sizeof(r->subject_der))
		return ca_why(why, whylen, CA_ETOOBIG,
		    "CSR: subject longer than %d bytes", DN_DER_MAX);
	rc = dn_der_to_string(subj.raw, subj.rawlen, r->subject,
	    sizeof(r->subject), w, sizeof(w));
	if (rc != CA_OK)
		return ca_why(why, whylen, rc, "CSR: subject: %s", w);
	memcpy(r->subject_der, subj.raw, subj.rawlen);
	r->subject_len = subj.rawlen;
	return CA_OK;
}

/*
 * The challengePassword (RFC 2985 §5.4.1) exactly as the client sent it.
 * gnutls_x509_crq_get_challenge_password hands it back RFC 4514-escaped
 * ("a+b" as "a\+b"), which changes a PKCS#12 password or a base64 channel
 * binding, so the DirectoryString is read from the attribute's DER.
 */
static int
parse_challenge(gnutls_x509_crq_t crq, struct policy_request *out,
    char *why, size_t whylen)
{
	unsigned char der[POLICY_CHALLENGE_MAX + 8];
	size_t sz = sizeof(der), len, hdr;
	int ret, rc = CA_OK;

	ret = gnutls_x509_crq_get_attribute_by_oid(crq, POLICY_OID_CHALLENGE, 0,
	    der, &sz);
	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return CA_OK;
	if (ret == GNUTLS_E_SHORT_MEMORY_BUFFER)
		return ca_why(why, whylen, CA_ETOOBIG, "CSR: challengePassword "
		    "longer than %d bytes", POLICY_CHALLENGE_MAX - 1);
	if (ret < 0 || sz < 2)
		return ca_why(why, whylen, CA_EPARSE, "CSR: challengePassword: "
		    "not a DER DirectoryString");
	if (der[1] < 0x80) {
		len = der[1];
		hdr = 2;
	} else if (der[1] == 0x81 && sz >= 3) {
		len = der[2];
		hdr = 3;
	} else if (der[1] == 0x82 && sz >= 4) {
		len = (size_t)der[2] << 8 | der[3];
		hdr = 4;
	} else {
		len = 0;
		hdr = sz + 1;
	}
	if (hdr + len != sz)
		rc = ca_why(why, whylen, CA_EPARSE, "CSR: challengePassword: "
		    "not a DER DirectoryString");
	/* UTF8String, PrintableString, IA5String: bytes as they are. */
	else if (der[0] != 0x0c && der[0] != 0x13 && der[0] != 0x16)
		rc = ca_why(why, whylen, CA_EPARSE, "CSR: challengePassword: "
		    "string type 0x%02x not accepted (UTF8String or "
		    "PrintableString)", der[0]);
	else if (len >= POLICY_CHALLENGE_MAX)
		rc = ca_why(why, whylen, CA_ETOOBIG, "CSR: challengePassword "
		    "longer than %d bytes", POLICY_CHALLENGE_MAX - 1);
	else if (memchr(der + hdr, '\0', len) != NULL)
		rc = ca_why(why, whylen, CA_EPARSE, "CSR: challengePassword: "
		    "contains a NUL byte");
	if (rc == CA_OK) {
		memcpy(out->challenge, der + hdr, len);
		out->challenge[len] = '\0';
		out->has_challenge = true;
	}
	gnutls_memset(der, 0, sizeof(der));
	return rc;
}

/* Parse, then verify the self-signature last so *out is complete. */
int
policy_request_parse(const unsigned char *der, size_t len,
    struct policy_request *out, char *why, size_t whylen)
{
	gnutls_x509_crq_t crq = NULL;
	gnutls_datum_t d;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > POLICY_CSR_MAX)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "CSR: longer than %d bytes", POLICY_CSR_MAX);
	if ((rc = parse_subject(der, len, out, why, whylen)) != CA_OK)
		return rc;
	if (gnutls_x509_crq_init(&crq) < 0)
		return CA_ENOMEM;
	d.data = (unsigned char *)der;
	d.size = (unsigned)len;
	if (gnutls_x509_crq_import(crq, &d, GNUTLS_X509_FMT_DER) < 0) {
		rc = ca_why(why, whylen, CA_EPARSE,
		    "CSR: RFC 2986: not a DER CertificationRequest");
		goto out;
	}
	if ((rc = check_attributes(crq, why, whylen)) != CA_OK ||
	    (rc = parse_key(crq, out, why, whylen)) != CA_OK ||
	    (rc = parse_exts(crq, out, why, whylen)) != CA_OK ||
	    (rc = parse_sans(crq, out, why, whylen)) != CA_OK ||
	    (rc = parse_sid_attribute(crq, out, why, whylen)) != CA_OK)
		goto out;
	if ((rc = parse_challenge(crq, out, why, whylen)) != CA_OK)
		goto out;
	out->signature_ok = gnutls_x509_crq_verify(crq, 0) >= 0;
	rc = out->signature_ok ? CA_OK : ca_why(why, whylen, CA_ECRYPTO,
	    "CSR: RFC 2986: signature does not verify");
out:
	gnutls_x509_crq_deinit(crq);
	return rc;
}

/* Zero everything, the challenge password included. */
void
policy_request_wipe(struct policy_request *r)
{
	if (r != NULL)
		gnutls_memset(r, 0, sizeof(*r));
}

/* SID, else UPN, else DNS. */
enum policy_hint
policy_subject_hint(const struct policy_request *r, char *value, size_t len)
{
	if (len > 0)
		value[0] = '\0';
	if (r == NULL)
		return POLICY_HINT_NONE;
	if (r->sid[0] != '\0' && !r->sid_conflict) {
		snprintf(value, len, "%s", r->sid);
		return POLICY_HINT_SID;
	}
	for (size_t i = 0; i < r->n_sans; i++)
		if (r->sans[i].type == POLICY_SAN_UPN) {
			snprintf(value, len, "%s", r->sans[i].value);
			return POLICY_HINT_UPN;
		}
	for (size_t i = 0; i < r->n_sans; i++)
		if (r->sans[i].type == POLICY_SAN_DNS) {
			snprintf(value, len, "%s", r->sans[i].value);
			return POLICY_HINT_DNS;
		}
	return POLICY_HINT_NONE;
}

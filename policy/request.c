/*
 * PKCS#10 parsing for the decision (request.h): GnuTLS reads the CSR, its
 * key and checks its signature; the subject, the attributes and the
 * requested extensions are walked once in the DER bytes themselves
 * (common/der.h), their values handed to GnuTLS's extension readers (SAN,
 * EKU) and to mspki.h (SID and template extensions). Untrusted input:
 * every size is bounded. Any thread.
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
#define POLICY_OID_EXT_REQUEST	"1.2.840.113549.1.9.14"	/* RFC 2985 §5.4.2 */
#define POLICY_OID_EKU		"2.5.29.37"		/* RFC 5280 §4.2.1.12 */

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

/* SANs of the request's 2.5.29.17 extension, its value in ext. */
static int
parse_sans(const struct der_tlv *ext, struct policy_request *r, char *why,
    size_t whylen)
{
	gnutls_datum_t v, oid, value;
	gnutls_subject_alt_names_t sans = NULL;
	unsigned type, i;
	struct der_tlv t;
	int rc = CA_OK, ret;

	if (ext->raw == NULL)
		return CA_OK;
	value.data = (unsigned char *)ext->val;
	value.size = (unsigned)ext->len;
	if (gnutls_subject_alt_names_init(&sans) < 0 ||
	    gnutls_x509_ext_import_subject_alt_names(&value, sans, 0) < 0) {
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
 * The request attributes read here, each the one value of its attribute,
 * pointing into the CSR's DER (raw NULL: absent).
 */
struct csr_attrs {
	struct der_tlv ext;		/* extensionRequest: Extensions */
	struct der_tlv sid;		/* the SID as an attribute */
	struct der_tlv challenge;	/* challengePassword */
};

/* Where an attribute that entcad reads keeps its value, or NULL. */
static struct der_tlv *
attr_slot(struct csr_attrs *a, const char *oid)
{
	if (strcmp(oid, POLICY_OID_EXT_REQUEST) == 0)
		return &a->ext;
	if (strcmp(oid, POLICY_OID_SID_EXT) == 0)
		return &a->sid;
	if (strcmp(oid, POLICY_OID_CHALLENGE) == 0)
		return &a->challenge;
	return NULL;
}

/*
 * One walk over CertificationRequestInfo.attributes (RFC 2986 §4.1), which
 * GnuTLS has parsed by now. Each attribute at most once (RFC 2985 §5.4:
 * challengePassword and extensionRequest are single-valued; AD CS clients
 * send each once), and those read here with exactly one value: a second
 * attribute or value would be one nobody checked. Before, each GnuTLS
 * lookup decoded the attributes again (a dozen times per request).
 */
static int
read_attributes(const unsigned char *der, size_t len, struct csr_attrs *a,
    char *why, size_t whylen)
{
	char seen[POLICY_REQ_EXT_MAX][DER_OID_TEXT_MAX];
	struct der_tlv req, cri, f, attrs, attr, type, values, v;
	const unsigned char *p, *end;
	struct der_tlv *slot;
	size_t n = 0;

	memset(a, 0, sizeof(*a));
	if (der_read(der, len, &req) != CA_OK ||
	    der_read(req.val, req.len, &cri) != CA_OK)
		return ca_why(why, whylen, CA_EPARSE,
		    "CSR: RFC 2986: not a DER CertificationRequest");
	p = cri.val;
	end = cri.val + cri.len;
	/* version, subject, subjectPKInfo, then [0] attributes. */
	for (int k = 0; k < 4; k++) {
		if (der_read(p, (size_t)(end - p), &f) != CA_OK)
			return ca_why(why, whylen, CA_EPARSE, "CSR: RFC 2986: "
			    "CertificationRequestInfo does not parse");
		p += f.rawlen;
	}
	if (f.tag != DER_CTX0 || p != end)
		return ca_why(why, whylen, CA_EPARSE, "CSR: RFC 2986: "
		    "attributes do not parse");
	attrs = f;
	for (p = attrs.val, end = attrs.val + attrs.len; p < end;
	    p += attr.rawlen) {
		char oid[DER_OID_TEXT_MAX];

		if (der_read(p, (size_t)(end - p), &attr) != CA_OK ||
		    attr.tag != DER_SEQUENCE ||
		    der_read(attr.val, attr.len, &type) != CA_OK ||
		    type.tag != DER_OID ||
		    der_read(type.val + type.len, attr.len - type.rawlen,
		    &values) != CA_OK || values.tag != DER_SET ||
		    type.rawlen + values.rawlen != attr.len ||
		    der_oid_text(type.val, type.len, oid, sizeof(oid)) != CA_OK)
			return ca_why(why, whylen, CA_EPARSE,
			    "CSR: attribute %zu does not parse", n + 1);
		if (n >= POLICY_REQ_EXT_MAX)
			return ca_why(why, whylen, CA_ETOOBIG,
			    "CSR: more than %d attributes", POLICY_REQ_EXT_MAX);
		for (size_t k = 0; k < n; k++)
			if (strcmp(seen[k], oid) == 0)
				return ca_why(why, whylen, CA_EPARSE,
				    "CSR: RFC 2985: attribute %s sent twice",
				    oid);
		snprintf(seen[n++], sizeof(seen[0]), "%s", oid);
		if ((slot = attr_slot(a, oid)) == NULL)
			continue;
		if (der_read(values.val, values.len, &v) != CA_OK ||
		    v.rawlen != values.len)
			return ca_why(why, whylen, CA_EPARSE, "CSR: RFC 2985: "
			    "attribute %s needs exactly one value", oid);
		*slot = v;
	}
	return CA_OK;
}

/* The EKUs asked for (2.5.29.37, its value in ext); a bad value gives none. */
static void
parse_ekus(const struct der_tlv *ext, struct policy_request *r)
{
	gnutls_x509_key_purposes_t kp = NULL;
	gnutls_datum_t value, oid;

	if (ext->raw == NULL || gnutls_x509_key_purpose_init(&kp) < 0)
		return;
	value.data = (unsigned char *)ext->val;
	value.size = (unsigned)ext->len;
	if (gnutls_x509_ext_import_key_purposes(&value, kp, 0) >= 0)
		for (unsigned i = 0; r->n_ekus < TMPL_EKU_MAX &&
		    gnutls_x509_key_purpose_get(kp, i, &oid) >= 0; i++)
			snprintf(r->ekus[r->n_ekus++], DER_OID_TEXT_MAX,
			    "%.*s", (int)oid.size, (const char *)oid.data);
	gnutls_x509_key_purpose_deinit(kp);
}

/*
 * Extensions asked for (the extensionRequest's value in ext), the SID
 * extension and the template extensions; the values of the SAN and EKU
 * extensions are kept in *san and *eku for their readers. An extension
 * requested twice is refused (RFC 5280 §4.2: one instance per extension),
 * as AD CS clients never send that and two readings of it could disagree.
 * The values point into the CSR's DER: nothing derived from one is freed
 * under another's reading.
 */
static int
parse_exts(const struct der_tlv *ext, struct policy_request *r,
    struct der_tlv *san, struct der_tlv *eku, char *why, size_t whylen)
{
	char oid[DER_OID_TEXT_MAX], sid[PRINCIPAL_SID_MAX];
	struct der_tlv e, id, crit, v;
	const unsigned char *p, *end, *q;
	unsigned i;

	memset(san, 0, sizeof(*san));
	memset(eku, 0, sizeof(*eku));
	if (ext->raw == NULL)
		return CA_OK;
	if (ext->tag != DER_SEQUENCE)
		return ca_why(why, whylen, CA_EPARSE,
		    "CSR: extensionRequest is not a SEQUENCE of extensions");
	for (i = 0, p = ext->val, end = ext->val + ext->len; p < end;
	    i++, p += e.rawlen) {
		/* Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE,
		 * extnValue OCTET STRING } */
		if (der_read(p, (size_t)(end - p), &e) != CA_OK ||
		    e.tag != DER_SEQUENCE ||
		    der_read(e.val, e.len, &id) != CA_OK || id.tag != DER_OID ||
		    der_oid_text(id.val, id.len, oid, sizeof(oid)) != CA_OK)
			return ca_why(why, whylen, CA_EPARSE,
			    "CSR: extensionRequest entry %u does not parse",
			    i + 1);
		q = id.val + id.len;
		if (der_read(q, (size_t)(e.val + e.len - q), &crit) == CA_OK &&
		    crit.tag == DER_BOOLEAN)
			q += crit.rawlen;
		if (der_read(q, (size_t)(e.val + e.len - q), &v) != CA_OK ||
		    v.tag != DER_OCTET_STRING || q + v.rawlen != e.val + e.len)
			return ca_why(why, whylen, CA_EPARSE,
			    "CSR: extension %s has no value", oid);
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
		if (strcmp(oid, POLICY_OID_SID_EXT) == 0) {
			if (sid_from_ext(v.val, v.len, sid, sizeof(sid)) != 0)
				return ca_why(why, whylen, CA_EPARSE,
				    "CSR: SID extension %s: not a GeneralNames "
				    "with one otherName SID", oid);
			supply_sid(r, sid, POLICY_SID_EXTENSION);
		} else if (strcmp(oid, POLICY_OID_TMPL_V1) == 0) {
			parse_tmpl_v1(v.val, v.len, r);
		} else if (strcmp(oid, POLICY_OID_TMPL_V2) == 0) {
			if (parse_tmpl_v2(v.val, v.len, r) != 0)
				return ca_why(why, whylen, CA_EPARSE,
				    "CSR: certificate template extension %s: "
				    "not a SEQUENCE { OID, INTEGER, INTEGER }",
				    oid);
		} else if (strcmp(oid, POLICY_OID_SAN) == 0) {
			*san = v;
		} else if (strcmp(oid, POLICY_OID_EKU) == 0) {
			*eku = v;
		}
	}
	return CA_OK;
}

/* A SID sent as a request attribute carrying the extension's value. */
static int
parse_sid_attribute(const struct der_tlv *attr, struct policy_request *r,
    char *why, size_t whylen)
{
	char sid[PRINCIPAL_SID_MAX];

	if (attr->raw == NULL)
		return CA_OK;
	if (sid_from_ext(attr->raw, attr->rawlen, sid, sizeof(sid)) != 0)
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
parse_challenge(const struct der_tlv *attr, struct policy_request *out,
    char *why, size_t whylen)
{
	if (attr->raw == NULL)
		return CA_OK;
	/* UTF8String, PrintableString, IA5String: bytes as they are. */
	if (attr->tag != DER_UTF8STRING && attr->tag != DER_PRINTABLESTRING &&
	    attr->tag != DER_IA5STRING)
		return ca_why(why, whylen, CA_EPARSE, "CSR: challengePassword: "
		    "string type 0x%02x not accepted (UTF8String or "
		    "PrintableString)", attr->tag);
	if (attr->len >= POLICY_CHALLENGE_MAX)
		return ca_why(why, whylen, CA_ETOOBIG, "CSR: challengePassword "
		    "longer than %d bytes", POLICY_CHALLENGE_MAX - 1);
	if (memchr(attr->val, '\0', attr->len) != NULL)
		return ca_why(why, whylen, CA_EPARSE, "CSR: challengePassword: "
		    "contains a NUL byte");
	memcpy(out->challenge, attr->val, attr->len);
	out->challenge[attr->len] = '\0';
	out->has_challenge = true;
	return CA_OK;
}

/* Parse, then verify the self-signature last so *out is complete. */
int
policy_request_parse(const unsigned char *der, size_t len,
    struct policy_request *out, char *why, size_t whylen)
{
	gnutls_x509_crq_t crq = NULL;
	struct csr_attrs attrs;
	struct der_tlv san, eku;
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
	if ((rc = read_attributes(der, len, &attrs, why, whylen)) != CA_OK ||
	    (rc = parse_key(crq, out, why, whylen)) != CA_OK ||
	    (rc = parse_exts(&attrs.ext, out, &san, &eku, why,
	    whylen)) != CA_OK ||
	    (rc = parse_sans(&san, out, why, whylen)) != CA_OK ||
	    (rc = parse_sid_attribute(&attrs.sid, out, why, whylen)) != CA_OK ||
	    (rc = parse_challenge(&attrs.challenge, out, why, whylen)) != CA_OK)
		goto out;
	parse_ekus(&eku, out);
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

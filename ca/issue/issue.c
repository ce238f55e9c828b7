/*
 * Certificate building (issue.h): the TBSCertificate is written as DER
 * directly (common/der.h), its fields in RFC 5280 §4.1 order and the
 * extensions in the order issue.h lists, then signed once with
 * gnutls_privkey_sign_data2() (in entcad an external key: the signature
 * happens in the signer process). Writing the bytes ourselves replaced a
 * GnuTLS skeleton certificate that was imported, edited extension by
 * extension through libtasn1, signed, exported and imported again: that
 * was ~30% of an enrollment's CPU. The Microsoft extension values still
 * come from ca/issue/msext.c and policy/mspki.c (libtasn1, ms-pki.asn).
 * Worker threads; no shared state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "common/error.h"
#include "ca/issue/issue.h"
#include "ca/issue/msext.h"
#include "common/der.h"
#include "crl/der.h"

/*
 * Room for one TBSCertificate: two names, a public key and every extension
 * a profile can carry (16 SANs and 12 URLs of 512 bytes, 32 OIDs, the
 * Microsoft extensions), with margin.
 */
#define ISSUE_CERT_MAX (DN_DER_MAX * 2 + 64 * 1024)

#define OID_SKI "2.5.29.14"
#define OID_AKI "2.5.29.35"
#define OID_CDP "2.5.29.31"
#define OID_AIA "1.3.6.1.5.5.7.1.1"
#define OID_KU "2.5.29.15"
#define OID_EKU "2.5.29.37"
#define OID_BC "2.5.29.19"
#define OID_SAN "2.5.29.17"
#define OID_EC_PUBLIC_KEY "1.2.840.10045.2.1"
#define OID_AD_CA_ISSUERS "1.3.6.1.5.5.7.48.2"
#define OID_AD_OCSP "1.3.6.1.5.5.7.48.1"

/* GeneralName tags (RFC 5280 §4.2.1.6), IMPLICIT context tags. */
#define GN_OTHER_NAME	0xa0
#define GN_RFC822	0x81
#define GN_DNS		0x82
#define GN_URI		0x86

/*
 * Milliseconds since the epoch, big-endian, in the serial's first bytes:
 * the store keys certificates by serial (and by_subject, by_expiry and
 * by_issued carry it in their keys), and keys that follow each other in
 * time land on the same B-tree leaves. Random keys put every certificate
 * of a group commit on leaves of its own, with their branch pages: on a
 * store of 200,000 certificates 7.6 pages written per enrollment, 3.0
 * with the time first.
 */
static void
serial_time_prefix(unsigned char *out)
{
	struct timespec ts;
	uint64_t ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	for (int i = 0; i < ISSUE_SERIAL_TIME; i++)
		out[i] = (unsigned char)(ms >> (8 * (ISSUE_SERIAL_TIME - 1 - i)));
}

/* Time prefix, then random bytes; see issue.h. */
int
issue_serial_new(unsigned char *out, size_t *len)
{
	if (*len < ISSUE_SERIAL_LEN)
		return CA_ETOOBIG;
	if (gnutls_rnd(GNUTLS_RND_NONCE, out + ISSUE_SERIAL_TIME,
	    ISSUE_SERIAL_LEN - ISSUE_SERIAL_TIME) < 0)
		return CA_ECRYPTO;
	serial_time_prefix(out);
	/*
	 * Positive and minimal: 2^40 ms is 2004, 2^47 ms the year 6429; a
	 * clock outside that range still gets a valid first byte.
	 */
	out[0] &= 0x7f;
	if (out[0] == 0)
		out[0] = 1;
	*len = ISSUE_SERIAL_LEN;
	return CA_OK;
}

/* GnuTLS code at a call site to ours, with a sentence. */
static int
gt_fail(int r, char *why, size_t whylen, const char *what)
{
	int rc = CA_ECRYPTO;

	if (r == GNUTLS_E_MEMORY_ERROR)
		rc = CA_ENOMEM;
	else if (r == GNUTLS_E_PK_SIGN_FAILED || r == GNUTLS_E_PKCS11_ERROR)
		rc = CA_EUNAVAIL;
	return ca_why(why, whylen, rc, "certificate: %s: %s", what,
	    gnutls_strerror(r));
}

/*
 * AD CS's name suffixes after a CA renewal (%8 and %4 in its URL
 * templates): a URL ending in ".crl" names the CRL of the signing key, so
 * key index k > 0 makes it "...(k).crl"; one ending in ".crt" names the CA
 * certificate, so certificate index n > 0 makes it "...(n).crt". Other
 * URLs are kept. out holds POLICY_URL_LEN bytes; false if it does not fit.
 */
bool
issue_url_suffix(const char *url, const char *ext, unsigned index, char *out)
{
	size_t len = strlen(url), el = strlen(ext);
	int n;

	if (index == 0 || len <= el || strcmp(url + len - el, ext) != 0 ||
	    (len > el && url[len - el - 1] == '+'))
		n = snprintf(out, POLICY_URL_LEN, "%s", url);
	else
		n = snprintf(out, POLICY_URL_LEN, "%.*s(%u)%s", (int)(len - el), url,
		    index, ext);
	return n >= 0 && n < POLICY_URL_LEN;
}

/*
 * What the certificate takes from its issuer: the Name, the key
 * identifier for the AKI (the CA's SKI, else the SHA-1 key id) and the CA
 * Version indexes that pick the CDP and AIA file names.
 */
struct issuer_info {
	gnutls_datum_t name;		/* gnutls_malloc'd */
	unsigned char key_id[64];
	size_t key_id_len;
	unsigned cert_index, key_index;
};

/* Read the issuer's fields; CA_OK or the GnuTLS failure, with why. */
static int
issuer_read(gnutls_x509_crt_t ca, struct issuer_info *in, char *why,
    size_t whylen)
{
	gnutls_datum_t v = { NULL, 0 };
	unsigned crit;
	int r;

	if ((r = gnutls_x509_crt_get_raw_dn(ca, &in->name)) < 0)
		return gt_fail(r, why, whylen, "CA subject");
	in->key_id_len = sizeof(in->key_id);
	r = gnutls_x509_crt_get_subject_key_id(ca, in->key_id, &in->key_id_len,
	    &crit);
	if (r < 0) {
		in->key_id_len = sizeof(in->key_id);
		r = gnutls_x509_crt_get_key_id(ca, GNUTLS_KEYID_USE_SHA1,
		    in->key_id, &in->key_id_len);
	}
	if (r < 0)
		return gt_fail(r, why, whylen, "CA key identifier");
	in->cert_index = in->key_index = 0;
	if (gnutls_x509_crt_get_extension_by_oid2(ca, MSEXT_OID_CA_VERSION, 0,
	    &v, &crit) >= 0 && msext_ca_version_parse(v.data, v.size,
	    &in->cert_index, &in->key_index) != CA_OK)
		in->cert_index = in->key_index = 0;
	gnutls_free(v.data);
	return CA_OK;
}

/* An RFC 5280 §4.1.2.5 Time through the CRL encoder's one time writer. */
static void
put_time(struct der_buf *b, int64_t t)
{
	unsigned char v[24];

	if (!crl_der_time_ok(t)) {
		b->over = true;
		return;
	}
	der_put(b, v, (size_t)(crl_der_put_time(v, t) - v));
}

/*
 * An Extension being written: its SEQUENCE, its extnValue and, for a value
 * that is itself a SEQUENCE (ext_seq_begin), that SEQUENCE.
 */
struct ext_mark {
	size_t seq, value, list;
};

/* BOOLEAN TRUE in DER (X.690 §11.1): critical, and BasicConstraints' cA. */
static const unsigned char der_true[] = { DER_BOOLEAN, 0x01, 0xff };

/*
 * Open Extension { extnID, critical DEFAULT FALSE, extnValue }: what the
 * caller puts next is the extnValue's contents, until ext_end.
 */
static struct ext_mark
ext_begin(struct der_buf *b, const char *oid, bool critical)
{
	struct ext_mark m = { 0, 0, 0 };

	m.seq = der_begin(b);
	der_put_oid(b, oid);
	if (critical)
		der_put(b, der_true, sizeof(der_true));
	m.value = der_begin(b);
	return m;
}

/* Close the extnValue OCTET STRING, then the Extension. */
static void
ext_end(struct der_buf *b, struct ext_mark m)
{
	der_end(b, m.value, DER_OCTET_STRING);
	der_end(b, m.seq, DER_SEQUENCE);
}

/*
 * Open an Extension whose extnValue is a SEQUENCE (AKI, CDP, AIA, EKU,
 * basic constraints, SAN): what the caller puts next are its elements,
 * until ext_seq_end.
 */
static struct ext_mark
ext_seq_begin(struct der_buf *b, const char *oid, bool critical)
{
	struct ext_mark m = ext_begin(b, oid, critical);

	m.list = der_begin(b);
	return m;
}

/* Close the value's SEQUENCE, then the extnValue and the Extension. */
static void
ext_seq_end(struct der_buf *b, struct ext_mark m)
{
	der_end(b, m.list, DER_SEQUENCE);
	ext_end(b, m);
}

/* An extension whose value is already encoded. */
static void
ext_put(struct der_buf *b, const char *oid, bool critical, const void *der,
    size_t len)
{
	struct ext_mark e = ext_begin(b, oid, critical);

	der_put(b, der, len);
	ext_end(b, e);
}

/* A value one of the Microsoft encoders (msext.h, mspki.h) wrote. */
struct ext_value {
	unsigned char der[MSEXT_DER_MAX];
	size_t len;
};

/*
 * The refusal for a value the Microsoft encoders could not encode (rc
 * their code): "certificate: <what> [<value>] cannot be encoded".
 */
static int
encode_failed(int rc, const char *what, const char *value, char *why,
    size_t whylen)
{
	return ca_why(why, whylen, rc, "certificate: %s%s%s cannot be encoded",
	    what, value != NULL ? " " : "", value != NULL ? value : "");
}

/*
 * Put the non-critical extension oid whose value an encoder wrote into v,
 * returning rc; when rc is a failure, refuse naming what (and value).
 */
static int
ext_put_encoded(struct der_buf *b, const char *oid, int rc,
    const struct ext_value *v, const char *what, const char *value,
    char *why, size_t whylen)
{
	if (rc != CA_OK)
		return encode_failed(rc, what, value, why, whylen);
	ext_put(b, oid, false, v->der, v->len);
	return CA_OK;
}

/* SKI: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 (1)). */
static int
put_key_ids(struct der_buf *b, const gnutls_datum_t *spki,
    const struct issuer_info *in, char *why, size_t whylen)
{
	unsigned char id[20];
	struct der_tlv seq, alg, bits;
	struct ext_mark e;
	int r;

	if (der_read(spki->data, spki->size, &seq) != CA_OK ||
	    der_read(seq.val, seq.len, &alg) != CA_OK ||
	    der_read(alg.val + alg.len, seq.len - alg.rawlen, &bits) != CA_OK ||
	    bits.tag != DER_BIT_STRING || bits.len < 2)
		return ca_why(why, whylen, CA_EINVAL, "certificate: the "
		    "subject public key does not parse");
	r = gnutls_hash_fast(GNUTLS_DIG_SHA1, bits.val + 1, bits.len - 1, id);
	if (r < 0)
		return gt_fail(r, why, whylen, "subject key identifier");
	e = ext_begin(b, OID_SKI, false);
	der_put_tlv(b, DER_OCTET_STRING, id, sizeof(id));
	ext_end(b, e);
	/* AuthorityKeyIdentifier { keyIdentifier [0] IMPLICIT } */
	e = ext_seq_begin(b, OID_AKI, false);
	der_put_tlv(b, 0x80, in->key_id, in->key_id_len);
	ext_seq_end(b, e);
	return CA_OK;
}

/* One GeneralName uniformResourceIdentifier. */
static void
put_uri(struct der_buf *b, const char *url)
{
	der_put_tlv(b, GN_URI, url, strlen(url));
}

/*
 * CRL distribution points as AD CS writes them: one DistributionPoint
 * whose fullName lists every URL ({ [0] { fullName [0] { URI... } } }),
 * then AIA: caIssuers, then OCSP access descriptions.
 */
static int
put_revocation_info(struct der_buf *b, const struct policy_profile *pr,
    const struct issuer_info *in, char *why, size_t whylen)
{
	char url[POLICY_URL_LEN];
	struct ext_mark e;
	size_t dp, name, full, ad;

	if (pr->n_cdp > 0) {
		e = ext_seq_begin(b, OID_CDP, false);
		dp = der_begin(b);
		name = der_begin(b);
		full = der_begin(b);
		for (size_t i = 0; i < pr->n_cdp; i++) {
			if (!issue_url_suffix(pr->cdp[i], ".crl", in->key_index,
			    url))
				return ca_why(why, whylen, CA_ETOOBIG, "CRL "
				    "distribution point: URL too long with "
				    "the key's suffix");
			put_uri(b, url);
		}
		der_end(b, full, DER_CTX0);
		der_end(b, name, DER_CTX0);
		der_end(b, dp, DER_SEQUENCE);
		ext_seq_end(b, e);
	}
	if (pr->n_aia + pr->n_ocsp == 0)
		return CA_OK;
	e = ext_seq_begin(b, OID_AIA, false);
	for (size_t i = 0; i < pr->n_aia; i++) {
		if (!issue_url_suffix(pr->aia[i], ".crt", in->cert_index, url))
			return ca_why(why, whylen, CA_ETOOBIG, "AIA: URL too "
			    "long with the certificate's suffix");
		ad = der_begin(b);
		der_put_oid(b, OID_AD_CA_ISSUERS);
		put_uri(b, url);
		der_end(b, ad, DER_SEQUENCE);
	}
	for (size_t i = 0; i < pr->n_ocsp; i++) {
		ad = der_begin(b);
		der_put_oid(b, OID_AD_OCSP);
		put_uri(b, pr->ocsp[i]);
		der_end(b, ad, DER_SEQUENCE);
	}
	ext_seq_end(b, e);
	return CA_OK;
}

/* Template information (v2+) or the v1 BMPString name, non-critical. */
static int
put_template(struct der_buf *b, const struct policy_profile *pr, char *why,
    size_t whylen)
{
	struct ext_value v;
	int rc;

	if (pr->schema_version >= 2 && pr->template_oid[0] != '\0') {
		rc = msext_template(pr->template_oid, pr->template_major,
		    pr->template_minor, v.der, sizeof(v.der), &v.len);
		return ext_put_encoded(b, MSEXT_OID_TEMPLATE, rc, &v,
		    "template OID", pr->template_oid, why, whylen);
	}
	if (pr->template_name[0] == '\0')
		return CA_OK;
	rc = msext_template_v1(pr->template_name, v.der, sizeof(v.der), &v.len);
	return ext_put_encoded(b, MSEXT_OID_TEMPLATE_V1, rc, &v,
	    "template name", pr->template_name, why, whylen);
}

/*
 * KeyUsage as a DER named-bit BIT STRING (X.690 §11.2.2: trailing zero
 * bits removed). The mask is GnuTLS's: bit 0 (digitalSignature) is 0x80
 * of the first octet, decipherOnly (bit 8) is 0x8000.
 */
static void
put_key_usage(struct der_buf *b, unsigned ku, bool critical)
{
	unsigned char v[3];
	size_t n = (ku & 0xff00) ? 2 : 1;
	struct ext_mark e;
	unsigned last;
	int unused = 0;

	v[1] = (unsigned char)(ku & 0xff);
	v[2] = (unsigned char)((ku >> 8) & 0xff);
	last = v[n];
	while (unused < 7 && !(last & (1u << unused)))
		unused++;
	v[0] = (unsigned char)unused;
	e = ext_begin(b, OID_KU, critical);
	der_put_tlv(b, DER_BIT_STRING, v, n + 1);
	ext_end(b, e);
}

/* True when the SubjectPublicKeyInfo's algorithm is id-ecPublicKey. */
static bool
spki_is_ec(const gnutls_datum_t *spki)
{
	unsigned char oid[DER_OID_BYTES_MAX];
	struct der_tlv seq, alg, id;
	size_t n;

	return der_read(spki->data, spki->size, &seq) == CA_OK &&
	    der_read(seq.val, seq.len, &alg) == CA_OK &&
	    der_read(alg.val, alg.len, &id) == CA_OK && id.tag == DER_OID &&
	    der_oid_encode(OID_EC_PUBLIC_KEY, oid, sizeof(oid), &n) == CA_OK &&
	    id.len == n && memcmp(id.val, oid, n) == 0;
}

/* Key usage, EKU, application policies, basic constraints. */
static int
put_usage(struct der_buf *b, const struct policy_profile *pr,
    const gnutls_datum_t *spki, char *why, size_t whylen)
{
	unsigned ku = pr->key_usage;
	struct ext_value v;
	struct ext_mark e;
	int rc;

	/* keyEncipherment/dataEncipherment mean nothing for an EC key. */
	if (spki_is_ec(spki))
		ku &= ~(unsigned)(TMPL_KU_KEY_ENCIPHERMENT |
		    TMPL_KU_DATA_ENCIPHERMENT);
	if (ku != 0)
		put_key_usage(b, ku, pr->key_usage_critical);
	if (pr->n_ekus > 0) {
		e = ext_seq_begin(b, OID_EKU, pr->eku_critical);
		for (size_t i = 0; i < pr->n_ekus; i++)
			der_put_oid(b, pr->ekus[i]);
		ext_seq_end(b, e);
	}
	if (pr->n_app_policies > 0) {
		rc = msext_app_policies(pr->app_policies[0],
		    sizeof(pr->app_policies[0]), pr->n_app_policies, v.der,
		    sizeof(v.der), &v.len);
		if ((rc = ext_put_encoded(b, MSEXT_OID_APP_POLICIES, rc, &v,
		    "application policies", NULL, why, whylen)) != CA_OK)
			return rc;
	}
	if (pr->basic_constraints) {
		unsigned char pl[16];

		/* BasicConstraints { cA DEFAULT FALSE, pathLenConstraint } */
		e = ext_seq_begin(b, OID_BC, true);
		if (pr->ca) {
			der_put(b, der_true, sizeof(der_true));
			if (pr->path_len >= 0)
				der_put(b, pl, (size_t)(crl_der_put_u64(pl,
				    (uint64_t)pr->path_len) - pl));
		}
		ext_seq_end(b, e);
	}
	return CA_OK;
}

/* Subject alternative names in the profile's order. */
static int
put_sans(struct der_buf *b, const struct policy_profile *pr, char *why,
    size_t whylen)
{
	unsigned char upn[MSEXT_DER_MAX];
	struct ext_mark e;
	size_t len, on, val;
	int rc;

	if (pr->n_sans == 0)
		return CA_OK;
	/* RFC 5280 §4.2.1.6: critical when the subject is empty. */
	e = ext_seq_begin(b, OID_SAN, pr->subject_len <= 2);
	for (size_t i = 0; i < pr->n_sans; i++) {
		const struct policy_san *san = &pr->sans[i];

		switch (san->type) {
		case POLICY_SAN_UPN:
			rc = msext_upn(san->value, upn, sizeof(upn), &len);
			if (rc != CA_OK)
				return encode_failed(rc, "UPN", san->value,
				    why, whylen);
			/* otherName [0] { type-id, value [0] EXPLICIT } */
			on = der_begin(b);
			der_put_oid(b, MSEXT_OID_UPN);
			val = der_begin(b);
			der_put(b, upn, len);
			der_end(b, val, DER_CTX0);
			der_end(b, on, GN_OTHER_NAME);
			break;
		case POLICY_SAN_EMAIL:
			der_put_tlv(b, GN_RFC822, san->value,
			    strlen(san->value));
			break;
		case POLICY_SAN_DNS:
			der_put_tlv(b, GN_DNS, san->value, strlen(san->value));
			break;
		case POLICY_SAN_URI:
			put_uri(b, san->value);
			break;
		default:
			return ca_why(why, whylen, CA_EINVAL, "certificate: "
			    "SAN %s is not supported", san->value);
		}
	}
	ext_seq_end(b, e);
	return CA_OK;
}

/* Every extension, in issue.h's order, inside [3] EXPLICIT Extensions. */
static int
put_extensions(struct der_buf *b, const struct policy_profile *pr,
    const gnutls_datum_t *spki, const struct issuer_info *in, char *why,
    size_t whylen)
{
	struct ext_value v;
	size_t outer, list;
	int rc;

	outer = der_begin(b);
	list = der_begin(b);
	if ((rc = put_key_ids(b, spki, in, why, whylen)) != CA_OK ||
	    (rc = put_revocation_info(b, pr, in, why, whylen)) != CA_OK ||
	    (rc = put_template(b, pr, why, whylen)) != CA_OK ||
	    (rc = put_usage(b, pr, spki, why, whylen)) != CA_OK ||
	    (rc = put_sans(b, pr, why, whylen)) != CA_OK)
		return rc;
	if (pr->sid[0] != '\0') {
		/* MS-WCCE §2.2.2.7.7.4: SHOULD be non-critical. */
		rc = mspki_sid_encode(pr->sid, v.der, sizeof(v.der), &v.len);
		if ((rc = ext_put_encoded(b, MSEXT_OID_SID, rc, &v, "SID",
		    pr->sid, why, whylen)) != CA_OK)
			return rc;
	}
	der_end(b, list, DER_SEQUENCE);
	der_end(b, outer, 0xa3);
	return CA_OK;
}

/* The signature hash the template names. */
static gnutls_digest_algorithm_t
hash_of(enum tmpl_hash h)
{
	switch (h) {
	case TMPL_HASH_SHA384:
		return GNUTLS_DIG_SHA384;
	case TMPL_HASH_SHA512:
		return GNUTLS_DIG_SHA512;
	default:
		return GNUTLS_DIG_SHA256;
	}
}

/*
 * The signature AlgorithmIdentifier for the CA key and hash: RSA with a
 * NULL parameter (RFC 4055 §5), ECDSA without one (RFC 5758 §3.2). Other
 * CA key types are refused (entca makes RSA and ECDSA CA keys only).
 */
static int
put_sig_alg(struct der_buf *b, gnutls_privkey_t key,
    gnutls_digest_algorithm_t dig, gnutls_sign_algorithm_t *sa, char *why,
    size_t whylen)
{
	static const unsigned char null[] = { DER_NULL, 0x00 };
	int pk = gnutls_privkey_get_pk_algorithm(key, NULL);
	const char *oid;
	size_t s;

	if (pk != GNUTLS_PK_RSA && pk != GNUTLS_PK_ECDSA)
		return ca_why(why, whylen, CA_EINVAL, "certificate: the CA "
		    "key is %s; RSA or ECDSA are supported",
		    pk < 0 ? "unreadable" :
		    gnutls_pk_get_name((gnutls_pk_algorithm_t)pk));
	*sa = gnutls_pk_to_sign((gnutls_pk_algorithm_t)pk, dig);
	if (*sa == GNUTLS_SIGN_UNKNOWN ||
	    (oid = gnutls_sign_get_oid(*sa)) == NULL)
		return ca_why(why, whylen, CA_EINVAL, "certificate: no "
		    "signature algorithm for %s with %s",
		    gnutls_pk_get_name((gnutls_pk_algorithm_t)pk),
		    gnutls_digest_get_name(dig));
	s = der_begin(b);
	der_put_oid(b, oid);
	if (pk == GNUTLS_PK_RSA)
		der_put(b, null, sizeof(null));
	der_end(b, s, DER_SEQUENCE);
	return CA_OK;
}

/* Check the inputs issue.h promises to refuse. */
static bool
inputs_ok(const struct policy_profile *pr, const gnutls_datum_t *spki,
    const unsigned char *serial, size_t serial_len, gnutls_x509_crt_t ca_cert,
    gnutls_privkey_t ca_key)
{
	return pr != NULL && spki != NULL && spki->data != NULL &&
	    spki->size > 0 && ca_cert != NULL && ca_key != NULL &&
	    serial != NULL && serial_len > 0 &&
	    serial_len <= ISSUE_SERIAL_MAX && !(serial[0] & 0x80) &&
	    pr->subject_len >= 2 && pr->subject_len <= DN_DER_MAX &&
	    pr->not_after > pr->not_before;
}

/* TBSCertificate, one signature, Certificate. */
int
issue_build(const struct policy_profile *pr, const gnutls_datum_t *spki,
    const unsigned char *serial, size_t serial_len, gnutls_x509_crt_t ca_cert,
    gnutls_privkey_t ca_key, unsigned char **out, size_t *out_len, char *why,
    size_t whylen)
{
	static const unsigned char v3[] = { 0xa0, 0x03, 0x02, 0x01, 0x02 };
	struct issuer_info in = { { NULL, 0 }, { 0 }, 0, 0, 0 };
	gnutls_sign_algorithm_t sa = GNUTLS_SIGN_UNKNOWN;
	gnutls_datum_t tbs, sig = { NULL, 0 };
	unsigned char alg[64], *buf = NULL;
	struct der_buf a, b;
	size_t cert, tbs_at, s;
	int r, rc;

	*out = NULL;
	*out_len = 0;
	if (!inputs_ok(pr, spki, serial, serial_len, ca_cert, ca_key))
		return ca_why(why, whylen, CA_EINVAL, "certificate: bad "
		    "profile, serial or key");
	der_buf_init(&a, alg, sizeof(alg));
	if ((rc = put_sig_alg(&a, ca_key, hash_of(pr->hash), &sa, why,
	    whylen)) != CA_OK || (rc = issuer_read(ca_cert, &in, why,
	    whylen)) != CA_OK)
		goto out;
	if ((buf = malloc(ISSUE_CERT_MAX)) == NULL) {
		rc = ca_why(why, whylen, CA_ENOMEM, "certificate: out of memory");
		goto out;
	}
	der_buf_init(&b, buf, ISSUE_CERT_MAX);
	cert = der_begin(&b);
	tbs_at = der_begin(&b);
	der_put(&b, v3, sizeof(v3));
	der_put_tlv(&b, DER_INTEGER, serial, serial_len);
	der_put(&b, a.p, a.len);
	der_put(&b, in.name.data, in.name.size);
	s = der_begin(&b);
	put_time(&b, pr->not_before);
	put_time(&b, pr->not_after);
	der_end(&b, s, DER_SEQUENCE);
	der_put(&b, pr->subject_der, pr->subject_len);
	der_put(&b, spki->data, spki->size);
	if ((rc = put_extensions(&b, pr, spki, &in, why, whylen)) != CA_OK)
		goto out;
	der_end(&b, tbs_at, DER_SEQUENCE);
	if (b.over) {
		rc = ca_why(why, whylen, CA_ETOOBIG, "certificate: names, key, "
		    "validity or extensions do not fit in %d bytes",
		    ISSUE_CERT_MAX);
		goto out;
	}
	/* der_end put the TBS's TLV at its mark: those bytes are signed. */
	tbs.data = b.p + tbs_at;
	tbs.size = (unsigned)(b.len - tbs_at);
	if ((r = gnutls_privkey_sign_data2(ca_key, sa, 0, &tbs, &sig)) < 0) {
		rc = gt_fail(r, why, whylen, "signing");
		goto out;
	}
	der_put(&b, a.p, a.len);
	s = der_begin(&b);
	der_put(&b, "", 1);			/* no unused bits */
	der_put(&b, sig.data, sig.size);
	der_end(&b, s, DER_BIT_STRING);
	der_end(&b, cert, DER_SEQUENCE);
	if ((rc = der_buf_done(&b)) != CA_OK) {
		ca_why(why, whylen, rc, "certificate: the signature does not "
		    "fit in %d bytes", ISSUE_CERT_MAX);
		goto out;
	}
	*out = buf;
	*out_len = b.len;
	buf = NULL;
	rc = CA_OK;
out:
	free(buf);
	gnutls_free(sig.data);
	gnutls_free(in.name.data);
	return rc;
}

/*
 * Certificate building (issue.h). GnuTLS cannot set a raw subject Name, so
 * the builder writes a minimal unsigned certificate skeleton that already
 * holds the exact subject DER, the issuer Name and the public key, imports
 * it, lets GnuTLS set validity and every extension, and signs it with
 * gnutls_x509_crt_privkey_sign(). Worker threads; no shared state.
 */
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <gnutls/x509-ext.h>

#include "common/error.h"
#include "ca/issue/issue.h"
#include "ca/issue/msext.h"
#include "common/der.h"

#define ISSUE_SKELETON_MAX (DN_DER_MAX * 2 + 16384)	/* names + key */
#define OID_AIA "1.3.6.1.5.5.7.1.1"
#define OID_KU "2.5.29.15"
#define OID_EKU "2.5.29.37"
#define OID_BC "2.5.29.19"
#define OID_SAN "2.5.29.17"

/* Random, positive, minimal: redraw when the first byte is zero. */
int
issue_serial_new(unsigned char *out, size_t *len)
{
	if (*len < ISSUE_SERIAL_RANDOM)
		return CA_ETOOBIG;
	do {
		if (gnutls_rnd(GNUTLS_RND_NONCE, out, ISSUE_SERIAL_RANDOM) < 0)
			return CA_ECRYPTO;
		out[0] &= 0x7f;		/* positive */
	} while (out[0] == 0);		/* minimal DER: keep all 16 bytes */
	*len = ISSUE_SERIAL_RANDOM;
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
 * Certificate { TBS { [0] v3, serial, sha256RSA (replaced when signing),
 * issuer, validity (replaced), subject, SPKI, [3] { SKI placeholder } },
 * sha256RSA, BIT STRING {} }. The placeholder keeps an extensions node that
 * GnuTLS can write into; the real SKI overwrites it.
 */
static int
skeleton(const struct policy_profile *pr, const gnutls_datum_t *spki,
    const gnutls_datum_t *issuer, const unsigned char *serial,
    size_t serial_len, unsigned char *out, size_t cap, size_t *len)
{
	static const unsigned char ver[] = { 0xa0, 0x03, 0x02, 0x01, 0x02 };
	static const unsigned char alg[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a,
	    0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00 };
	static const unsigned char validity[] = { 0x30, 0x1e,
	    0x17, 0x0d, '7', '0', '0', '1', '0', '1', '0', '0', '0', '0', '0',
	    '0', 'Z', 0x17, 0x0d, '7', '0', '0', '1', '0', '1', '0', '0', '0',
	    '0', '0', '0', 'Z' };
	static const unsigned char exts[] = { 0xa3, 0x0f, 0x30, 0x0d, 0x30,
	    0x0b, 0x06, 0x03, 0x55, 0x1d, 0x0e, 0x04, 0x04, 0x04, 0x02, 0x00,
	    0x00 };
	static const unsigned char sig[] = { 0x03, 0x01, 0x00 };
	unsigned char tbs[ISSUE_SKELETON_MAX];
	struct der_buf t = { tbs, 0, sizeof(tbs), false };
	struct der_buf o = { out, 0, cap, false };
	unsigned char body[ISSUE_SKELETON_MAX];
	struct der_buf b = { body, 0, sizeof(body), false };

	der_put(&b, ver, sizeof(ver));
	der_put_tlv(&b, DER_INTEGER, serial, serial_len);
	der_put(&b, alg, sizeof(alg));
	der_put(&b, issuer->data, issuer->size);
	der_put(&b, validity, sizeof(validity));
	der_put(&b, pr->subject_der, pr->subject_len);
	der_put(&b, spki->data, spki->size);
	der_put(&b, exts, sizeof(exts));
	der_put_tlv(&t, DER_SEQUENCE, body, b.len);
	der_put(&t, alg, sizeof(alg));
	der_put(&t, sig, sizeof(sig));
	der_put_tlv(&o, DER_SEQUENCE, tbs, t.len);
	if (b.over || t.over || o.over)
		return CA_ETOOBIG;
	*len = o.len;
	return CA_OK;
}

/* Set one extension from DER bytes. */
static int
set_ext(gnutls_x509_crt_t crt, const char *oid, const void *der, size_t len,
    unsigned critical, char *why, size_t whylen)
{
	int r = gnutls_x509_crt_set_extension_by_oid(crt, oid, der, len,
	    critical);

	return r < 0 ? gt_fail(r, why, whylen, oid) : CA_OK;
}

/* Set an extension GnuTLS exported into d (freed here). */
static int
set_datum(gnutls_x509_crt_t crt, const char *oid, int r, gnutls_datum_t *d,
    unsigned critical, char *why, size_t whylen)
{
	int rc;

	if (r < 0)
		return gt_fail(r, why, whylen, oid);
	rc = set_ext(crt, oid, d->data, d->size, critical, why, whylen);
	gnutls_free(d->data);
	d->data = NULL;
	return rc;
}

/*
 * SKI from the subject key's bits, AKI from the CA's SKI (or its key id). Both go
 * through set_extension_by_oid: GnuTLS's own setters refuse to replace the
 * skeleton's placeholder SKI.
 */
static int
key_ids(gnutls_x509_crt_t crt, const gnutls_datum_t *spki,
    gnutls_x509_crt_t ca, char *why, size_t whylen)
{
	unsigned char id[64];
	gnutls_datum_t d = { NULL, 0 }, v;
	gnutls_x509_aki_t aki = NULL;
	struct der_tlv seq, alg, bits;
	size_t sz = 20;
	unsigned crit;
	int r, rc;

	/* RFC 5280 §4.2.1.2 (1): SHA-1 of the subjectPublicKey bits. */
	if (der_read(spki->data, spki->size, &seq) != 0 ||
	    der_read(seq.val, seq.len, &alg) != 0 ||
	    der_read(alg.val + alg.len, seq.len - alg.rawlen, &bits) != 0 ||
	    bits.tag != DER_BIT_STRING || bits.len < 2)
		return ca_why(why, whylen, CA_EINVAL, "certificate: the "
		    "subject public key does not parse");
	r = gnutls_hash_fast(GNUTLS_DIG_SHA1, bits.val + 1, bits.len - 1, id);
	v.data = id;
	v.size = (unsigned)sz;
	if (r >= 0)
		r = gnutls_x509_ext_export_subject_key_id(&v, &d);
	if ((rc = set_datum(crt, "2.5.29.14", r, &d, 0, why, whylen)) != CA_OK)
		return rc;
	sz = sizeof(id);
	r = gnutls_x509_crt_get_subject_key_id(ca, id, &sz, &crit);
	if (r < 0) {
		sz = sizeof(id);
		r = gnutls_x509_crt_get_key_id(ca, GNUTLS_KEYID_USE_SHA1, id,
		    &sz);
	}
	v.size = (unsigned)sz;
	if (r >= 0 && (r = gnutls_x509_aki_init(&aki)) >= 0 &&
	    (r = gnutls_x509_aki_set_id(aki, &v)) >= 0)
		r = gnutls_x509_ext_export_authority_key_id(aki, &d);
	gnutls_x509_aki_deinit(aki);
	return set_datum(crt, "2.5.29.35", r, &d, 0, why, whylen);
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

/* The CA certificate and key indexes of ca (CA Version; none is 0.0). */
static void
ca_indexes(gnutls_x509_crt_t ca, unsigned *ci, unsigned *ki)
{
	gnutls_datum_t d = { NULL, 0 };
	unsigned crit;

	*ci = *ki = 0;
	if (gnutls_x509_crt_get_extension_by_oid2(ca, MSEXT_OID_CA_VERSION, 0, &d,
	    &crit) >= 0 && msext_ca_version_parse(d.data, d.size, ci, ki) != CA_OK)
		*ci = *ki = 0;
	gnutls_free(d.data);
}

/* CRL distribution points and AIA from the profile's URL lists. */
static int
revocation_info(gnutls_x509_crt_t crt, const struct policy_profile *pr,
    gnutls_x509_crt_t ca, char *why, size_t whylen)
{
	gnutls_x509_aia_t aia = NULL;
	gnutls_datum_t d = { NULL, 0 }, u;
	char url[POLICY_URL_LEN];
	unsigned ci, ki;
	int r = 0, rc;

	ca_indexes(ca, &ci, &ki);
	for (size_t i = 0; i < pr->n_cdp; i++) {
		if (!issue_url_suffix(pr->cdp[i], ".crl", ki, url))
			return ca_why(why, whylen, CA_ETOOBIG, "CRL distribution "
			    "point: URL too long with the key's suffix");
		r = gnutls_x509_crt_set_crl_dist_points2(crt, GNUTLS_SAN_URI,
		    url, (unsigned)strlen(url), 0);
		if (r < 0)
			return gt_fail(r, why, whylen, "CRL distribution point");
	}
	if (pr->n_aia + pr->n_ocsp == 0)
		return CA_OK;
	if ((r = gnutls_x509_aia_init(&aia)) < 0)
		return gt_fail(r, why, whylen, "AIA");
	for (size_t i = 0; i < pr->n_aia && r >= 0; i++) {
		if (!issue_url_suffix(pr->aia[i], ".crt", ci, url)) {
			gnutls_x509_aia_deinit(aia);
			return ca_why(why, whylen, CA_ETOOBIG, "AIA: URL too long "
			    "with the certificate's suffix");
		}
		u.data = (unsigned char *)url;
		u.size = (unsigned)strlen(url);
		r = gnutls_x509_aia_set(aia, GNUTLS_OID_AD_CAISSUERS,
		    GNUTLS_SAN_URI, &u);
	}
	for (size_t i = 0; i < pr->n_ocsp && r >= 0; i++) {
		u.data = (unsigned char *)pr->ocsp[i];
		u.size = (unsigned)strlen(pr->ocsp[i]);
		r = gnutls_x509_aia_set(aia, GNUTLS_OID_AD_OCSP,
		    GNUTLS_SAN_URI, &u);
	}
	if (r >= 0)
		r = gnutls_x509_ext_export_aia(aia, &d);
	rc = set_datum(crt, OID_AIA, r, &d, 0, why, whylen);
	gnutls_x509_aia_deinit(aia);
	return rc;
}

/* Template information (v2+) or the v1 BMPString name, non-critical. */
static int
template_ext(gnutls_x509_crt_t crt, const struct policy_profile *pr,
    char *why, size_t whylen)
{
	unsigned char der[MSEXT_DER_MAX];
	size_t len;
	int rc;

	if (pr->schema_version >= 2 && pr->template_oid[0] != '\0') {
		rc = msext_template(pr->template_oid, pr->template_major,
		    pr->template_minor, der, sizeof(der), &len);
		if (rc != CA_OK)
			return ca_why(why, whylen, rc, "certificate: template "
			    "OID %s cannot be encoded", pr->template_oid);
		return set_ext(crt, MSEXT_OID_TEMPLATE, der, len, 0, why,
		    whylen);
	}
	if (pr->template_name[0] == '\0')
		return CA_OK;
	rc = msext_template_v1(pr->template_name, der, sizeof(der), &len);
	if (rc != CA_OK)
		return ca_why(why, whylen, rc, "certificate: template name %s "
		    "cannot be encoded", pr->template_name);
	return set_ext(crt, MSEXT_OID_TEMPLATE_V1, der, len, 0, why, whylen);
}

/* Key usage, EKU, application policies, basic constraints. */
static int
usage_exts(gnutls_x509_crt_t crt, const struct policy_profile *pr,
    gnutls_pubkey_t key, char *why, size_t whylen)
{
	gnutls_x509_key_purposes_t kp = NULL;
	gnutls_datum_t d = { NULL, 0 };
	unsigned char der[MSEXT_DER_MAX];
	unsigned ku = pr->key_usage, bits;
	size_t len;
	int r, rc;

	if (gnutls_pubkey_get_pk_algorithm(key, &bits) == GNUTLS_PK_ECDSA)
		ku &= ~(unsigned)(GNUTLS_KEY_KEY_ENCIPHERMENT |
		    GNUTLS_KEY_DATA_ENCIPHERMENT);
	if (ku != 0) {
		r = gnutls_x509_ext_export_key_usage(ku, &d);
		if ((rc = set_datum(crt, OID_KU, r, &d, pr->key_usage_critical,
		    why, whylen)) != CA_OK)
			return rc;
	}
	if (pr->n_ekus > 0) {
		if ((r = gnutls_x509_key_purpose_init(&kp)) < 0)
			return gt_fail(r, why, whylen, "EKU");
		for (size_t i = 0; i < pr->n_ekus && r >= 0; i++) {
			gnutls_datum_t o = { (unsigned char *)pr->ekus[i],
			    (unsigned)strlen(pr->ekus[i]) };
			r = gnutls_x509_key_purpose_set(kp, (const char *)o.data);
		}
		if (r >= 0)
			r = gnutls_x509_ext_export_key_purposes(kp, &d);
		gnutls_x509_key_purpose_deinit(kp);
		if ((rc = set_datum(crt, OID_EKU, r, &d, pr->eku_critical, why,
		    whylen)) != CA_OK)
			return rc;
	}
	if (pr->n_app_policies > 0) {
		rc = msext_app_policies(pr->app_policies[0],
		    sizeof(pr->app_policies[0]), pr->n_app_policies, der,
		    sizeof(der), &len);
		if (rc != CA_OK)
			return ca_why(why, whylen, rc, "certificate: "
			    "application policies cannot be encoded");
		if ((rc = set_ext(crt, MSEXT_OID_APP_POLICIES, der, len, 0, why,
		    whylen)) != CA_OK)
			return rc;
	}
	if (pr->basic_constraints) {
		r = gnutls_x509_ext_export_basic_constraints(pr->ca,
		    pr->ca ? pr->path_len : -1, &d);
		if ((rc = set_datum(crt, OID_BC, r, &d, 1, why, whylen)) !=
		    CA_OK)
			return rc;
	}
	return CA_OK;
}

/* Subject alternative names in the profile's order. */
static int
san_ext(gnutls_x509_crt_t crt, const struct policy_profile *pr, char *why,
    size_t whylen)
{
	gnutls_subject_alt_names_t sans = NULL;
	gnutls_datum_t d = { NULL, 0 }, v;
	unsigned char upn[MSEXT_DER_MAX];
	size_t len;
	int r, rc;

	if (pr->n_sans == 0)
		return CA_OK;
	if ((r = gnutls_subject_alt_names_init(&sans)) < 0)
		return gt_fail(r, why, whylen, "SAN");
	for (size_t i = 0; i < pr->n_sans && r >= 0; i++) {
		const struct policy_san *s = &pr->sans[i];
		v.data = (unsigned char *)s->value;
		v.size = (unsigned)strlen(s->value);
		switch (s->type) {
		case POLICY_SAN_UPN:
			rc = msext_upn(s->value, upn, sizeof(upn), &len);
			if (rc != CA_OK) {
				gnutls_subject_alt_names_deinit(sans);
				return ca_why(why, whylen, rc, "certificate: "
				    "UPN %s cannot be encoded", s->value);
			}
			v.data = upn;
			v.size = (unsigned)len;
			r = gnutls_subject_alt_names_set(sans,
			    GNUTLS_SAN_OTHERNAME, &v, MSEXT_OID_UPN);
			break;
		case POLICY_SAN_EMAIL:
			r = gnutls_subject_alt_names_set(sans,
			    GNUTLS_SAN_RFC822NAME, &v, NULL);
			break;
		case POLICY_SAN_DNS:
			r = gnutls_subject_alt_names_set(sans,
			    GNUTLS_SAN_DNSNAME, &v, NULL);
			break;
		case POLICY_SAN_URI:
			r = gnutls_subject_alt_names_set(sans, GNUTLS_SAN_URI,
			    &v, NULL);
			break;
		default:
			gnutls_subject_alt_names_deinit(sans);
			return ca_why(why, whylen, CA_EINVAL, "certificate: "
			    "SAN %s is not supported", s->value);
		}
	}
	if (r >= 0)
		r = gnutls_x509_ext_export_subject_alt_names(sans, &d);
	gnutls_subject_alt_names_deinit(sans);
	/* RFC 5280 §4.2.1.6: critical when the subject is empty. */
	return set_datum(crt, OID_SAN, r, &d, pr->subject_len <= 2, why,
	    whylen);
}

/* Every extension after the key identifiers. */
static int
extensions(gnutls_x509_crt_t crt, const struct policy_profile *pr,
    gnutls_pubkey_t key, const gnutls_datum_t *spki, gnutls_x509_crt_t ca,
    char *why, size_t whylen)
{
	unsigned char der[MSEXT_DER_MAX];
	size_t len;
	int rc;

	if ((rc = key_ids(crt, spki, ca, why, whylen)) != CA_OK ||
	    (rc = revocation_info(crt, pr, ca, why, whylen)) != CA_OK ||
	    (rc = template_ext(crt, pr, why, whylen)) != CA_OK ||
	    (rc = usage_exts(crt, pr, key, why, whylen)) != CA_OK ||
	    (rc = san_ext(crt, pr, why, whylen)) != CA_OK)
		return rc;
	if (pr->sid[0] == '\0')
		return CA_OK;
	/* MS-WCCE §2.2.2.7.7.4: SHOULD be non-critical. */
	if ((rc = mspki_sid_encode(pr->sid, der, sizeof(der), &len)) != CA_OK)
		return ca_why(why, whylen, rc, "certificate: SID %s cannot be "
		    "encoded", pr->sid);
	return set_ext(crt, MSEXT_OID_SID, der, len, 0, why, whylen);
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

/* Skeleton, import, validity and extensions, sign, re-import. */
int
issue_build(const struct policy_profile *pr, gnutls_pubkey_t subject_key,
    const unsigned char *serial, size_t serial_len, gnutls_x509_crt_t ca_cert,
    gnutls_privkey_t ca_key, gnutls_x509_crt_t *out_crt, char *why,
    size_t whylen)
{
	gnutls_datum_t spki = { NULL, 0 }, issuer = { NULL, 0 }, sk;
	gnutls_datum_t fin = { NULL, 0 };
	gnutls_x509_crt_t crt = NULL;
	unsigned char *skel = NULL;
	size_t skel_len = 0;
	int r, rc;

	*out_crt = NULL;
	if (pr == NULL || subject_key == NULL || ca_cert == NULL ||
	    ca_key == NULL || serial == NULL || serial_len == 0 ||
	    serial_len > ISSUE_SERIAL_MAX || (serial[0] & 0x80) ||
	    pr->subject_len < 2 || pr->subject_len > DN_DER_MAX ||
	    pr->not_after <= pr->not_before)
		return ca_why(why, whylen, CA_EINVAL, "certificate: bad "
		    "profile, serial or key");
	if ((r = gnutls_pubkey_export2(subject_key, GNUTLS_X509_FMT_DER,
	    &spki)) < 0) {
		rc = gt_fail(r, why, whylen, "subject public key");
		goto out;
	}
	if ((r = gnutls_x509_crt_get_raw_dn(ca_cert, &issuer)) < 0) {
		rc = gt_fail(r, why, whylen, "CA subject");
		goto out;
	}
	if ((skel = gnutls_malloc(ISSUE_SKELETON_MAX)) == NULL) {
		rc = CA_ENOMEM;
		goto out;
	}
	rc = skeleton(pr, &spki, &issuer, serial, serial_len, skel,
	    ISSUE_SKELETON_MAX, &skel_len);
	if (rc != CA_OK) {
		ca_why(why, whylen, rc, "certificate: names and key exceed "
		    "%d bytes", ISSUE_SKELETON_MAX);
		goto out;
	}
	sk.data = skel;
	sk.size = (unsigned)skel_len;
	if ((r = gnutls_x509_crt_init(&crt)) < 0 ||
	    (r = gnutls_x509_crt_import(crt, &sk, GNUTLS_X509_FMT_DER)) < 0) {
		rc = gt_fail(r, why, whylen, "skeleton");
		goto out;
	}
	if ((r = gnutls_x509_crt_set_activation_time(crt,
	    (time_t)pr->not_before)) < 0 ||
	    (r = gnutls_x509_crt_set_expiration_time(crt,
	    (time_t)pr->not_after)) < 0) {
		rc = gt_fail(r, why, whylen, "validity");
		goto out;
	}
	if ((rc = extensions(crt, pr, subject_key, &spki, ca_cert, why,
	    whylen)) != CA_OK)
		goto out;
	r = gnutls_x509_crt_privkey_sign(crt, ca_cert, ca_key,
	    hash_of(pr->hash), 0);
	if (r < 0) {
		rc = gt_fail(r, why, whylen, "signing");
		goto out;
	}
	/*
	 * Hand back a certificate freshly imported from its final DER, so no
	 * field GnuTLS cached from the skeleton survives (verification looks
	 * the issuer up through such caches).
	 */
	if ((r = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &fin)) < 0 ||
	    (r = gnutls_x509_crt_init(out_crt)) < 0 ||
	    (r = gnutls_x509_crt_import(*out_crt, &fin,
	    GNUTLS_X509_FMT_DER)) < 0) {
		gnutls_x509_crt_deinit(*out_crt);
		*out_crt = NULL;
		rc = gt_fail(r, why, whylen, "export");
		goto out;
	}
	rc = CA_OK;
out:
	gnutls_free(fin.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_free(skel);
	gnutls_free(spki.data);
	gnutls_free(issuer.data);
	return rc;
}

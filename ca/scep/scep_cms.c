/*
 * EnvelopedData for SCEP (see scep_cms.h): libtasn1 decodes and encodes
 * the structures of ca/scep/scep-cms.asn, GnuTLS does the RSA key
 * transport (gnutls_privkey_decrypt_data, which for the RA key goes
 * through the signer process) and the CBC ciphers (gnutls_cipher_*).
 * Any thread; the parsed definitions are made once.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <libtasn1.h>

#include "common/error.h"
#include "ca/scep/scep_cms.h"
#include "ca/scep/scep-cms.asn.h"

#define OID_RSA "1.2.840.113549.1.1.1"
#define CMS_OID_MAX 128

const char *const scep_cipher_names[SCEP_CIPHER_COUNT] = {
	"aes-128-cbc", "aes-256-cbc", "des-ede3-cbc", "des-cbc",
};

/* Algorithm table indexed by enum scep_cipher. */
static const struct {
	const char *oid;
	gnutls_cipher_algorithm_t alg;
	unsigned key_len, block;
} ciphers[SCEP_CIPHER_COUNT] = {
	{ "2.16.840.1.101.3.4.1.2", GNUTLS_CIPHER_AES_128_CBC, 16, 16 },
	{ "2.16.840.1.101.3.4.1.42", GNUTLS_CIPHER_AES_256_CBC, 32, 16 },
	{ "1.2.840.113549.3.7", GNUTLS_CIPHER_3DES_CBC, 24, 8 },
	{ "1.3.14.3.2.7", GNUTLS_CIPHER_DES_CBC, 8, 8 },
};

static asn1_node cms_defs;
static pthread_once_t cms_once = PTHREAD_ONCE_INIT;
static int cms_defs_rc;

/* Parse the compiled module once per process. */
static void
cms_init(void)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE];

	cms_defs_rc = asn1_array2tree(scep_cms_asn1_tab, &cms_defs, err) ==
	    ASN1_SUCCESS ? CA_OK : CA_EINVAL;
}

/* A fresh element of type name ("SCEP-CMS.ContentInfo"), or NULL. */
static asn1_node
cms_new(const char *name)
{
	asn1_node n = NULL;

	pthread_once(&cms_once, cms_init);
	if (cms_defs_rc != CA_OK || asn1_create_element(cms_defs, name, &n) != ASN1_SUCCESS)
		return NULL;
	return n;
}

/* Decode DER of type name into *n; CA_EPARSE with the library's words. */
static int
cms_decode(const char *name, const unsigned char *der, size_t len,
    asn1_node *n, const char *what, char *why, size_t whylen)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE] = "";
	int l = (int)len;

	*n = cms_new(name);
	if (*n == NULL)
		return ca_why(why, whylen, CA_ENOMEM, "ASN.1 definitions unavailable");
	/* CMS is BER (RFC 5652 §1.2): clients send non-DER lengths and sets. */
	if (len > SCEP_CMS_MAX || asn1_der_decoding2(n, der, &l, 0, err) != ASN1_SUCCESS) {
		asn1_delete_structure(n);
		return ca_why(why, whylen, CA_EPARSE, "%s: not a CMS %s%s%s", what,
		    strchr(name, '.') + 1, err[0] ? ": " : "", err);
	}
	if ((size_t)l != len) {
		asn1_delete_structure(n);
		return ca_why(why, whylen, CA_EPARSE, "%s: %zu bytes after the %s",
		    what, len - (size_t)l, strchr(name, '.') + 1);
	}
	return CA_OK;
}

/* Read field into a malloc'd buffer (ANY gives its whole encoding). */
static int
cms_read_alloc(asn1_node n, const char *field, unsigned char **out, size_t *len)
{
	int l = 0, r;

	*out = NULL;
	*len = 0;
	r = asn1_read_value(n, field, NULL, &l);
	if (r == ASN1_ELEMENT_NOT_FOUND || r == ASN1_VALUE_NOT_FOUND)
		return CA_ENOTFOUND;
	if (r != ASN1_MEM_ERROR && r != ASN1_SUCCESS)
		return CA_EPARSE;
	if (l <= 0 || l > SCEP_CMS_MAX)
		return l == 0 ? CA_ENOTFOUND : CA_ETOOBIG;
	*out = malloc((size_t)l);
	if (*out == NULL)
		return CA_ENOMEM;
	if (asn1_read_value(n, field, *out, &l) != ASN1_SUCCESS) {
		free(*out);
		*out = NULL;
		return CA_EPARSE;
	}
	*len = (size_t)l;
	return CA_OK;
}

/* Read field into a fixed buffer; CA_ETOOBIG when it does not fit. */
static int
cms_read_buf(asn1_node n, const char *field, void *buf, size_t cap, size_t *len)
{
	int l = (int)cap, r = asn1_read_value(n, field, buf, &l);

	*len = 0;
	if (r == ASN1_MEM_ERROR)
		return CA_ETOOBIG;
	if (r != ASN1_SUCCESS)
		return CA_EPARSE;
	*len = (size_t)l;
	return CA_OK;
}

/*
 * Read the OBJECT IDENTIFIER at field as dotted text into oid (CMS_OID_MAX
 * bytes, NUL-terminated, "" on failure); CA_OK or cms_read_buf's code.
 */
static int
cms_read_oid(asn1_node n, const char *field, char *oid)
{
	size_t len = 0;
	int rc = cms_read_buf(n, field, oid, CMS_OID_MAX - 1, &len);

	oid[len] = '\0';
	return rc;
}

/* True when the OBJECT IDENTIFIER at field is want. */
static bool
cms_oid_is(asn1_node n, const char *field, const char *want)
{
	char oid[CMS_OID_MAX];

	return cms_read_oid(n, field, oid) == CA_OK && strcmp(oid, want) == 0;
}

/* Strip sign bytes so that serials compare as numbers. */
static void
strip_zeros(const unsigned char **p, size_t *len)
{
	while (*len > 1 && (*p)[0] == 0) {
		(*p)++;
		(*len)--;
	}
}

/* Does one KeyTransRecipientInfo address ra_cert? */
static bool
rid_matches(asn1_node ri, gnutls_x509_crt_t ra_cert)
{
	unsigned char a[SCEP_NAME_MAX], sn[SCEP_SERIAL_MAX], ski[64];
	unsigned char mine[SCEP_SERIAL_MAX];
	char choice[64];
	gnutls_datum_t issuer = { NULL, 0 };
	size_t alen, snlen, mlen = sizeof(mine), skilen = sizeof(ski);
	const unsigned char *p, *q;
	bool ok = false;
	int l = sizeof(choice);

	if (asn1_read_value(ri, "rid", choice, &l) != ASN1_SUCCESS)
		return false;
	if (strcmp(choice, "subjectKeyIdentifier") == 0) {
		unsigned char mk[64];
		size_t mklen = sizeof(mk);
		unsigned crit;

		if (cms_read_buf(ri, "rid.subjectKeyIdentifier", ski, sizeof(ski), &skilen) != CA_OK ||
		    gnutls_x509_crt_get_subject_key_id(ra_cert, mk, &mklen, &crit) < 0)
			return false;
		return mklen == skilen && memcmp(mk, ski, skilen) == 0;
	}
	if (cms_read_buf(ri, "rid.issuerAndSerialNumber.issuer", a, sizeof(a), &alen) != CA_OK ||
	    cms_read_buf(ri, "rid.issuerAndSerialNumber.serialNumber", sn, sizeof(sn), &snlen) != CA_OK ||
	    gnutls_x509_crt_get_serial(ra_cert, mine, &mlen) < 0 ||
	    gnutls_x509_crt_get_raw_issuer_dn(ra_cert, &issuer) < 0)
		return false;
	p = sn;
	q = mine;
	strip_zeros(&p, &snlen);
	strip_zeros(&q, &mlen);
	ok = issuer.size == alen && memcmp(issuer.data, a, alen) == 0 &&
	    snlen == mlen && memcmp(p, q, mlen) == 0;
	gnutls_free(issuer.data);
	return ok;
}

/* Which cipher an AlgorithmIdentifier names, and its IV. */
static int
cms_cipher(asn1_node eci, bool allow_3des, bool allow_des, enum scep_cipher *c,
    unsigned char *iv, size_t *ivlen, char *why, size_t whylen)
{
	char oid[CMS_OID_MAX];
	unsigned char *par = NULL;
	size_t parlen;
	asn1_node p = NULL;
	int rc;

	if (cms_read_oid(eci, "encryptedContentInfo.contentEncryptionAlgorithm.algorithm",
	    oid) != CA_OK)
		return ca_why(why, whylen, CA_EPARSE, "pkcsPKIEnvelope: no content-encryption algorithm");
	for (*c = 0; *c < SCEP_CIPHER_COUNT; (*c)++)
		if (strcmp(oid, ciphers[*c].oid) == 0)
			break;
	if (*c == SCEP_CIPHER_COUNT)
		return ca_why(why, whylen, CA_EPOLICY, "pkcsPKIEnvelope: content "
		    "encryption %s is not offered (GetCACaps: AES)", oid);
	if (*c == SCEP_CIPHER_3DES && !allow_3des)
		return ca_why(why, whylen, CA_EPOLICY, "pkcsPKIEnvelope: 3DES is "
		    "not accepted here ([scep] allow-3des = no); use AES");
	if (*c == SCEP_CIPHER_DES && !allow_des)
		return ca_why(why, whylen, CA_EPOLICY, "pkcsPKIEnvelope: single DES "
		    "is not accepted here ([scep] allow-des = no); use AES");
	rc = cms_read_alloc(eci, "encryptedContentInfo.contentEncryptionAlgorithm.parameters", &par, &parlen);
	if (rc == CA_OK)
		rc = cms_decode("SCEP-CMS.CBCParameter", par, parlen, &p,
		    "pkcsPKIEnvelope IV", why, whylen);
	else
		rc = ca_why(why, whylen, CA_EPARSE, "pkcsPKIEnvelope: no CBC initialisation vector");
	if (rc == CA_OK && (cms_read_buf(p, "", iv, 16, ivlen) != CA_OK ||
	    *ivlen != ciphers[*c].block))
		rc = ca_why(why, whylen, CA_EPARSE, "pkcsPKIEnvelope: the IV of "
		    "%s must be %u bytes", scep_cipher_names[*c], ciphers[*c].block);
	asn1_delete_structure(&p);
	free(par);
	return rc;
}

/* Find our recipient and unwrap the content key (random if it fails). */
static int
cms_content_key(asn1_node env, gnutls_x509_crt_t ra_cert,
    gnutls_privkey_t ra_key, unsigned key_len, unsigned char *key,
    char *why, size_t whylen)
{
	unsigned char *ri_der = NULL, *ek = NULL;
	size_t ri_len, ek_len;
	asn1_node ri = NULL;
	char name[64];
	int count = 0, rc = CA_ENOTFOUND;

	if (asn1_number_of_elements(env, "recipientInfos", &count) != ASN1_SUCCESS || count < 1)
		return ca_why(why, whylen, CA_EPARSE, "pkcsPKIEnvelope: no recipients");
	for (int i = 1; i <= count && rc == CA_ENOTFOUND; i++) {
		char tmp[CA_WHY_MAX];

		snprintf(name, sizeof(name), "recipientInfos.?%d", i);
		if (cms_read_alloc(env, name, &ri_der, &ri_len) != CA_OK)
			break;
		/* Other recipient kinds (key agreement, KEK) are not ours. */
		if (cms_decode("SCEP-CMS.KeyTransRecipientInfo", ri_der, ri_len,
		    &ri, "recipient", tmp, sizeof(tmp)) == CA_OK &&
		    rid_matches(ri, ra_cert)) {
			rc = CA_OK;
			break;
		}
		asn1_delete_structure(&ri);
		free(ri_der);
		ri_der = NULL;
	}
	if (rc != CA_OK) {
		free(ri_der);
		return ca_why(why, whylen, CA_ENOTFOUND, "pkcsPKIEnvelope: not "
		    "encrypted to this CA's SCEP RA certificate (GetCACert)");
	}
	if (!cms_oid_is(ri, "keyEncryptionAlgorithm.algorithm", OID_RSA)) {
		rc = ca_why(why, whylen, CA_EPOLICY, "pkcsPKIEnvelope: key transport "
		    "must be rsaEncryption (RFC 8894 §3.2.2)");
		goto out;
	}
	if (cms_read_alloc(ri, "encryptedKey", &ek, &ek_len) != CA_OK) {
		rc = ca_why(why, whylen, CA_EPARSE, "pkcsPKIEnvelope: no encrypted key");
		goto out;
	}
	{
		gnutls_datum_t c = { ek, (unsigned)ek_len }, p = { NULL, 0 };
		int r = gnutls_privkey_decrypt_data(ra_key, 0, &c, &p);

		/*
		 * A padding failure must not be told apart from a wrong key
		 * (Bleichenbacher): go on with a random key, so every bad
		 * envelope fails the same way, at the content's padding.
		 */
		if (r < 0 || p.size != key_len)
			gnutls_rnd(GNUTLS_RND_KEY, key, key_len);
		else
			memcpy(key, p.data, key_len);
		if (p.data != NULL) {
			gnutls_memset(p.data, 0, p.size);
			gnutls_free(p.data);
		}
		if (r == GNUTLS_E_PK_DECRYPTION_FAILED || r >= 0 || r == GNUTLS_E_DECRYPTION_FAILED)
			rc = CA_OK;
		else
			rc = ca_why(why, whylen, CA_EUNAVAIL, "SCEP RA key: %s",
			    gnutls_strerror(r));
	}
out:
	free(ek);
	free(ri_der);
	asn1_delete_structure(&ri);
	return rc;
}

/* Open an envelope addressed to the RA; see scep_cms.h. */
int
scep_envelope_open(const unsigned char *der, size_t len,
    gnutls_x509_crt_t ra_cert, gnutls_privkey_t ra_key, bool allow_3des,
    bool allow_des, unsigned char **out, size_t *outlen, enum scep_cipher *cipher,
    char *why, size_t whylen)
{
	asn1_node ci = NULL, env = NULL;
	unsigned char *inner = NULL, *ct = NULL, *pt = NULL;
	unsigned char key[32], iv[16];
	size_t inner_len, ct_len = 0, ivlen = 0;
	gnutls_cipher_hd_t h = NULL;
	int rc;

	*out = NULL;
	*outlen = 0;
	rc = cms_decode("SCEP-CMS.ContentInfo", der, len, &ci, "pkcsPKIEnvelope", why, whylen);
	if (rc != CA_OK)
		goto out;
	if (!cms_oid_is(ci, "contentType", SCEP_OID_ENVELOPED_DATA)) {
		rc = ca_why(why, whylen, CA_EPARSE, "pkcsPKIEnvelope: content type "
		    "is not envelopedData (RFC 8894 §3.2.2)");
		goto out;
	}
	if (cms_read_alloc(ci, "content", &inner, &inner_len) != CA_OK) {
		rc = ca_why(why, whylen, CA_EPARSE, "pkcsPKIEnvelope: no content");
		goto out;
	}
	rc = cms_decode("SCEP-CMS.EnvelopedData", inner, inner_len, &env,
	    "pkcsPKIEnvelope", why, whylen);
	if (rc != CA_OK)
		goto out;
	rc = cms_cipher(env, allow_3des, allow_des, cipher, iv, &ivlen, why, whylen);
	if (rc != CA_OK)
		goto out;
	/* The cipher first: an unwanted algorithm costs no RSA operation. */
	rc = cms_content_key(env, ra_cert, ra_key, ciphers[*cipher].key_len, key, why, whylen);
	if (rc != CA_OK)
		goto out;
	if (cms_read_alloc(env, "encryptedContentInfo.encryptedContent", &ct, &ct_len) != CA_OK ||
	    ct_len == 0 || ct_len % ciphers[*cipher].block != 0) {
		rc = ca_why(why, whylen, CA_EPARSE, "pkcsPKIEnvelope: encrypted "
		    "content missing or not whole %u-byte blocks", ciphers[*cipher].block);
		goto out;
	}
	pt = malloc(ct_len);
	if (pt == NULL) {
		rc = ca_why(why, whylen, CA_ENOMEM, "out of memory");
		goto out;
	}
	{
		gnutls_datum_t k = { key, ciphers[*cipher].key_len };
		gnutls_datum_t v = { iv, (unsigned)ivlen };
		unsigned pad;
		bool good;

		if (gnutls_cipher_init(&h, ciphers[*cipher].alg, &k, &v) < 0 ||
		    gnutls_cipher_decrypt2(h, ct, ct_len, pt, ct_len) < 0) {
			rc = ca_why(why, whylen, CA_ECRYPTO, "pkcsPKIEnvelope: %s "
			    "unavailable", scep_cipher_names[*cipher]);
			goto out;
		}
		/* RFC 5652 §6.3 padding: 1..block bytes, each the count. */
		pad = pt[ct_len - 1];
		good = pad >= 1 && pad <= ciphers[*cipher].block;
		for (unsigned i = 1; good && i <= pad; i++)
			good = pt[ct_len - i] == pad;
		if (!good) {
			rc = ca_why(why, whylen, CA_ECRYPTO, "pkcsPKIEnvelope: does "
			    "not decrypt with the RA key (wrong key or corrupted)");
			goto out;
		}
		*outlen = ct_len - pad;
	}
	*out = pt;
	pt = NULL;
	rc = CA_OK;
out:
	gnutls_memset(key, 0, sizeof(key));
	if (h != NULL)
		gnutls_cipher_deinit(h);
	if (pt != NULL) {
		gnutls_memset(pt, 0, ct_len);
		free(pt);
	}
	free(ct);
	free(inner);
	asn1_delete_structure(&env);
	asn1_delete_structure(&ci);
	return rc;
}

/* One value asn1_write_value puts into a structure. */
struct cms_field {
	const char *name;
	const void *value;
	int len;
};

/*
 * Write fields (n of them) into node in order, unless *w already holds a
 * failure; *w gets the first libtasn1 failure, or stays ASN1_SUCCESS.
 */
static void
cms_write(asn1_node node, const struct cms_field *fields, size_t n, int *w)
{
	for (size_t i = 0; i < n && *w == ASN1_SUCCESS; i++)
		*w = asn1_write_value(node, fields[i].name, fields[i].value,
		    fields[i].len);
}

#define CMS_FIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* DER of a finished structure into a malloc'd buffer. */
static int
cms_der(asn1_node n, unsigned char **out, size_t *outlen, char *why, size_t whylen)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE] = "";
	int l = 0;

	if (asn1_der_coding(n, "", NULL, &l, err) != ASN1_MEM_ERROR || l <= 0)
		return ca_why(why, whylen, CA_EINVAL, "CMS encoding: %s", err);
	*out = malloc((size_t)l);
	if (*out == NULL)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	if (asn1_der_coding(n, "", *out, &l, err) != ASN1_SUCCESS) {
		free(*out);
		*out = NULL;
		return ca_why(why, whylen, CA_EINVAL, "CMS encoding: %s", err);
	}
	*outlen = (size_t)l;
	return CA_OK;
}

/*
 * Finish a CMS structure: inner, whose writes gave w, as DER, then the
 * ContentInfo (RFC 5652 §3) of type oid around it in node ci, as DER into
 * *out (malloc'd). what names inner in a refusal.
 */
static int
cms_content_info(asn1_node inner, int w, const char *what, asn1_node ci,
    const char *oid, unsigned char **out, size_t *outlen, char *why,
    size_t whylen)
{
	unsigned char *der = NULL;
	size_t len = 0;
	int rc;

	if (w != ASN1_SUCCESS)
		return ca_why(why, whylen, CA_EINVAL, "%s encoding: %s", what,
		    asn1_strerror(w));
	if ((rc = cms_der(inner, &der, &len, why, whylen)) != CA_OK)
		return rc;
	{
		const struct cms_field fields[] = {
			{ "contentType", oid, 1 },
			{ "content", der, (int)len },
		};

		cms_write(ci, fields, CMS_FIELDS(fields), &w);
	}
	free(der);
	if (w != ASN1_SUCCESS)
		return ca_why(why, whylen, CA_EINVAL, "ContentInfo encoding: %s",
		    asn1_strerror(w));
	return cms_der(ci, out, outlen, why, whylen);
}

/* Seal content for cert's key; see scep_cms.h. */
int
scep_envelope_seal(const unsigned char *content, size_t len,
    gnutls_x509_crt_t cert, enum scep_cipher cipher, unsigned char **out,
    size_t *outlen, char *why, size_t whylen)
{
	asn1_node env = NULL, ci = NULL, ivn = NULL;
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t issuer = { NULL, 0 }, ek = { NULL, 0 };
	gnutls_cipher_hd_t h = NULL;
	unsigned char key[32], iv[16], serial[SCEP_SERIAL_MAX];
	unsigned char *ct = NULL, *ivder = NULL;
	size_t serial_len = sizeof(serial), ct_len, ivder_len = 0;
	unsigned block = ciphers[cipher].block, pad;
	static const unsigned char null_der[] = { 0x05, 0x00 };
	int w = ASN1_SUCCESS, rc;

	*out = NULL;
	if (len > SCEP_CMS_MAX)
		return ca_why(why, whylen, CA_ETOOBIG, "envelope content too big");
	if (gnutls_pubkey_init(&pub) < 0 || gnutls_pubkey_import_x509(pub, cert, 0) < 0 ||
	    gnutls_pubkey_get_pk_algorithm(pub, NULL) != GNUTLS_PK_RSA) {
		rc = ca_why(why, whylen, CA_EPOLICY, "the recipient's key is not RSA: "
		    "SCEP replies are sealed by RSA key transport (RFC 8894 §3.2.2)");
		goto out;
	}
	if (gnutls_x509_crt_get_raw_issuer_dn(cert, &issuer) < 0 ||
	    gnutls_x509_crt_get_serial(cert, serial, &serial_len) < 0) {
		rc = ca_why(why, whylen, CA_EPARSE, "the recipient's certificate has no issuer or serial");
		goto out;
	}
	gnutls_rnd(GNUTLS_RND_KEY, key, ciphers[cipher].key_len);
	gnutls_rnd(GNUTLS_RND_NONCE, iv, block);
	{
		gnutls_datum_t k = { key, ciphers[cipher].key_len };
		gnutls_datum_t v = { iv, block };

		pad = block - (unsigned)(len % block);
		ct_len = len + pad;
		ct = malloc(ct_len);
		if (ct == NULL) {
			rc = ca_why(why, whylen, CA_ENOMEM, "out of memory");
			goto out;
		}
		memcpy(ct, content, len);
		memset(ct + len, (int)pad, pad);
		if (gnutls_cipher_init(&h, ciphers[cipher].alg, &k, &v) < 0 ||
		    gnutls_cipher_encrypt(h, ct, ct_len) < 0 ||
		    gnutls_pubkey_encrypt_data(pub, 0, &k, &ek) < 0) {
			rc = ca_why(why, whylen, CA_ECRYPTO, "cannot seal the reply with %s",
			    scep_cipher_names[cipher]);
			goto out;
		}
	}
	ivn = cms_new("SCEP-CMS.CBCParameter");
	env = cms_new("SCEP-CMS.EnvelopedData");
	ci = cms_new("SCEP-CMS.ContentInfo");
	if (ivn == NULL || env == NULL || ci == NULL) {
		rc = ca_why(why, whylen, CA_ENOMEM, "out of memory");
		goto out;
	}
	if ((w = asn1_write_value(ivn, "", iv, (int)block)) != ASN1_SUCCESS ||
	    (rc = cms_der(ivn, &ivder, &ivder_len, why, whylen)) != CA_OK) {
		rc = w != ASN1_SUCCESS ? ca_why(why, whylen, CA_EINVAL, "IV encoding") : rc;
		goto out;
	}
	/* RFC 5652 §6.1: version 0 with only issuer-and-serial recipients. */
	const struct cms_field env_fields[] = {
		{ "version", "0", 0 },
		{ "originatorInfo", NULL, 0 },
		{ "recipientInfos", "NEW", 1 },
		{ "unprotectedAttrs", NULL, 0 },
		{ "encryptedContentInfo.contentType", SCEP_OID_DATA, 1 },
		{ "encryptedContentInfo.contentEncryptionAlgorithm.algorithm",
		    ciphers[cipher].oid, 1 },
		{ "encryptedContentInfo.contentEncryptionAlgorithm.parameters",
		    ivder, (int)ivder_len },
		{ "encryptedContentInfo.encryptedContent", ct, (int)ct_len },
	};
	cms_write(env, env_fields, CMS_FIELDS(env_fields), &w);
	if (w == ASN1_SUCCESS) {
		asn1_node ri = cms_new("SCEP-CMS.KeyTransRecipientInfo");
		const struct cms_field ri_fields[] = {
			{ "version", "0", 0 },
			{ "rid", "issuerAndSerialNumber", 1 },
			{ "rid.issuerAndSerialNumber.issuer", issuer.data,
			    (int)issuer.size },
			{ "rid.issuerAndSerialNumber.serialNumber", serial,
			    (int)serial_len },
			{ "keyEncryptionAlgorithm.algorithm", OID_RSA, 1 },
			{ "keyEncryptionAlgorithm.parameters", null_der,
			    sizeof(null_der) },
			{ "encryptedKey", ek.data, (int)ek.size },
		};
		unsigned char *ri_der = NULL;
		size_t ri_len = 0;

		if (ri == NULL) {
			rc = ca_why(why, whylen, CA_ENOMEM, "out of memory");
			goto out;
		}
		cms_write(ri, ri_fields, CMS_FIELDS(ri_fields), &w);
		rc = w == ASN1_SUCCESS ? cms_der(ri, &ri_der, &ri_len, why, whylen) : CA_EINVAL;
		if (rc == CA_OK)
			w = asn1_write_value(env, "recipientInfos.?LAST", ri_der, (int)ri_len);
		free(ri_der);
		asn1_delete_structure(&ri);
	}
	rc = cms_content_info(env, w, "EnvelopedData", ci,
	    SCEP_OID_ENVELOPED_DATA, out, outlen, why, whylen);
out:
	gnutls_memset(key, 0, sizeof(key));
	if (h != NULL)
		gnutls_cipher_deinit(h);
	gnutls_free(ek.data);
	gnutls_free(issuer.data);
	gnutls_pubkey_deinit(pub);
	free(ct);
	free(ivder);
	asn1_delete_structure(&ivn);
	asn1_delete_structure(&env);
	asn1_delete_structure(&ci);
	return rc;
}

/* Decode a two-field body (IssuerAndSerialNumber or IssuerAndSubject). */
static int
pair_parse(const char *type, const char *second, const unsigned char *der,
    size_t len, unsigned char *a, size_t *alen, unsigned char *b, size_t cap_b,
    size_t *blen, const char *what, char *why, size_t whylen)
{
	asn1_node n = NULL;
	int rc = cms_decode(type, der, len, &n, what, why, whylen);

	if (rc != CA_OK)
		return rc;
	if (cms_read_buf(n, "issuer", a, SCEP_NAME_MAX, alen) != CA_OK ||
	    cms_read_buf(n, second, b, cap_b, blen) != CA_OK)
		rc = ca_why(why, whylen, CA_EPARSE, "%s: a name or serial is too long", what);
	asn1_delete_structure(&n);
	return rc;
}

/* IssuerAndSerialNumber; see scep_cms.h. */
int
scep_issuer_serial_parse(const unsigned char *der, size_t len,
    unsigned char *issuer, size_t *issuer_len, unsigned char *serial,
    size_t *serial_len, char *why, size_t whylen)
{
	unsigned char sn[SCEP_SERIAL_MAX];
	const unsigned char *p = sn;
	size_t n;
	int rc = pair_parse("SCEP-CMS.IssuerAndSerialNumber", "serialNumber", der,
	    len, issuer, issuer_len, sn, sizeof(sn), &n,
	    "IssuerAndSerialNumber", why, whylen);

	if (rc != CA_OK)
		return rc;
	strip_zeros(&p, &n);
	memcpy(serial, p, n);
	*serial_len = n;
	return CA_OK;
}

/* IssuerAndSubject; see scep_cms.h. */
int
scep_issuer_subject_parse(const unsigned char *der, size_t len,
    unsigned char *issuer, size_t *issuer_len, unsigned char *subject,
    size_t *subject_len, char *why, size_t whylen)
{
	return pair_parse("SCEP-CMS.IssuerAndSubject", "subject", der, len,
	    issuer, issuer_len, subject, SCEP_NAME_MAX, subject_len,
	    "IssuerAndSubject", why, whylen);
}

/* Encode IssuerAndSerialNumber or IssuerAndSubject; see scep_cms.h. */
int
scep_issuer_pair_build(const unsigned char *issuer, size_t issuer_len,
    const unsigned char *second, size_t second_len, bool subject,
    unsigned char **out, size_t *outlen, char *why, size_t whylen)
{
	asn1_node n = cms_new(subject ? "SCEP-CMS.IssuerAndSubject" :
	    "SCEP-CMS.IssuerAndSerialNumber");
	int w, rc;

	if (n == NULL)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	w = asn1_write_value(n, "issuer", issuer, (int)issuer_len);
	if (w == ASN1_SUCCESS)
		w = asn1_write_value(n, subject ? "subject" : "serialNumber", second,
		    (int)second_len);
	rc = w == ASN1_SUCCESS ? cms_der(n, out, outlen, why, whylen) :
	    ca_why(why, whylen, CA_EINVAL, "encoding: %s", asn1_strerror(w));
	asn1_delete_structure(&n);
	return rc;
}

/* Append the attributes to the SET OF Attribute at field of n. */
static int
attrs_write(asn1_node n, const char *field, const struct scep_attr *a, size_t na)
{
	char name[96];
	int w = ASN1_SUCCESS;

	for (size_t i = 0; i < na && w == ASN1_SUCCESS; i++) {
		w = asn1_write_value(n, field, "NEW", 1);
		snprintf(name, sizeof(name), "%s%s?LAST.attrType", field, *field ? "." : "");
		if (w == ASN1_SUCCESS)
			w = asn1_write_value(n, name, a[i].oid, 1);
		snprintf(name, sizeof(name), "%s%s?LAST.attrValues", field, *field ? "." : "");
		if (w == ASN1_SUCCESS)
			w = asn1_write_value(n, name, "NEW", 1);
		snprintf(name, sizeof(name), "%s%s?LAST.attrValues.?LAST", field, *field ? "." : "");
		if (w == ASN1_SUCCESS)
			w = asn1_write_value(n, name, a[i].der, (int)a[i].len);
	}
	return w;
}

/* SignedData with an empty eContent; see scep_cms.h. */
int
scep_cms_sign_empty(const struct scep_attr *attrs, size_t n_attrs,
    gnutls_x509_crt_t cert, gnutls_privkey_t key, gnutls_digest_algorithm_t dig,
    unsigned char **out, size_t *outlen, char *why, size_t whylen)
{
	static const unsigned char null_der[] = { 0x05, 0x00 };
	static const unsigned char id_data_der[] = { 0x06, 0x09, 0x2a, 0x86, 0x48,
	    0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01 };
	struct scep_attr all[SCEP_ATTRS_MAX + 2];
	unsigned char md[64], mdder[2 + 64], serial[SCEP_SERIAL_MAX];
	size_t serial_len = sizeof(serial), sa_len = 0;
	unsigned char *sa_der = NULL;
	gnutls_datum_t issuer = { NULL, 0 }, crt_der = { NULL, 0 }, sig = { NULL, 0 };
	asn1_node sa = NULL, sd = NULL, ci = NULL;
	const char *dig_oid = dig == GNUTLS_DIG_SHA512 ? "2.16.840.1.101.3.4.2.3" :
	    "2.16.840.1.101.3.4.2.1";
	const char *sig_oid = dig == GNUTLS_DIG_SHA512 ? "1.2.840.113549.1.1.13" :
	    "1.2.840.113549.1.1.11";
	unsigned mdlen = gnutls_hash_get_len(dig);
	int w = ASN1_SUCCESS, rc;

	*out = NULL;
	if (n_attrs > SCEP_ATTRS_MAX || mdlen == 0 || mdlen > sizeof(md))
		return ca_why(why, whylen, CA_EINVAL, "SignedData: bad arguments");
	/* RFC 5652 §5.4: contentType and the digest of the (empty) content. */
	gnutls_hash_fast(dig, "", 0, md);
	mdder[0] = 0x04;
	mdder[1] = (unsigned char)mdlen;
	memcpy(mdder + 2, md, mdlen);
	all[0] = (struct scep_attr){ "1.2.840.113549.1.9.3", id_data_der, sizeof(id_data_der) };
	all[1] = (struct scep_attr){ "1.2.840.113549.1.9.4", mdder, 2 + mdlen };
	memcpy(all + 2, attrs, n_attrs * sizeof(*attrs));
	sa = cms_new("SCEP-CMS.SignedAttributes");
	sd = cms_new("SCEP-CMS.SignedData");
	ci = cms_new("SCEP-CMS.ContentInfo");
	if (sa == NULL || sd == NULL || ci == NULL) {
		rc = ca_why(why, whylen, CA_ENOMEM, "out of memory");
		goto out;
	}
	if (gnutls_x509_crt_get_raw_issuer_dn(cert, &issuer) < 0 ||
	    gnutls_x509_crt_get_serial(cert, serial, &serial_len) < 0 ||
	    gnutls_x509_crt_export2(cert, GNUTLS_X509_FMT_DER, &crt_der) < 0) {
		rc = ca_why(why, whylen, CA_EPARSE, "SignedData: the signer certificate");
		goto out;
	}
	w = attrs_write(sa, "", all, n_attrs + 2);
	if (w != ASN1_SUCCESS || (rc = cms_der(sa, &sa_der, &sa_len, why, whylen)) != CA_OK) {
		rc = w != ASN1_SUCCESS ? ca_why(why, whylen, CA_EINVAL,
		    "signed attributes: %s", asn1_strerror(w)) : rc;
		goto out;
	}
	{
		gnutls_datum_t tbs = { sa_der, (unsigned)sa_len };
		int r = gnutls_privkey_sign_data(key, dig, 0, &tbs, &sig);

		if (r < 0) {
			rc = ca_why(why, whylen, r == GNUTLS_E_PK_SIGN_FAILED ? CA_EUNAVAIL :
			    CA_ECRYPTO, "SignedData signing: %s", gnutls_strerror(r));
			goto out;
		}
	}
	const struct cms_field sd_fields[] = {
		{ "version", "1", 0 },
		{ "digestAlgorithms", "NEW", 1 },
		{ "digestAlgorithms.?LAST.algorithm", dig_oid, 1 },
		{ "digestAlgorithms.?LAST.parameters", null_der, sizeof(null_der) },
		{ "encapContentInfo.eContentType", SCEP_OID_DATA, 1 },
		/* Present and empty: OpenSSL (certmonger) verifies no absent content. */
		{ "encapContentInfo.eContent", "", 0 },
		{ "certificates", "NEW", 1 },
		{ "certificates.?LAST", crt_der.data, (int)crt_der.size },
		{ "crls", NULL, 0 },
		{ "signerInfos", "NEW", 1 },
		{ "signerInfos.?LAST.version", "1", 0 },
		{ "signerInfos.?LAST.sid.issuer", issuer.data, (int)issuer.size },
		{ "signerInfos.?LAST.sid.serialNumber", serial, (int)serial_len },
		{ "signerInfos.?LAST.digestAlgorithm.algorithm", dig_oid, 1 },
		{ "signerInfos.?LAST.digestAlgorithm.parameters", null_der,
		    sizeof(null_der) },
		{ "signerInfos.?LAST.signatureAlgorithm.algorithm", sig_oid, 1 },
		{ "signerInfos.?LAST.signatureAlgorithm.parameters", null_der,
		    sizeof(null_der) },
		{ "signerInfos.?LAST.signature", sig.data, (int)sig.size },
	};
	cms_write(sd, sd_fields, CMS_FIELDS(sd_fields), &w);
	if (w == ASN1_SUCCESS)
		w = attrs_write(sd, "signerInfos.?LAST.signedAttrs", all, n_attrs + 2);
	rc = cms_content_info(sd, w, "SignedData", ci, SCEP_OID_SIGNED_DATA,
	    out, outlen, why, whylen);
out:
	gnutls_free(sig.data);
	gnutls_free(issuer.data);
	gnutls_free(crt_der.data);
	free(sa_der);
	asn1_delete_structure(&sa);
	asn1_delete_structure(&sd);
	asn1_delete_structure(&ci);
	return rc;
}

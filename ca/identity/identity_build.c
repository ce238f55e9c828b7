/*
 * Certificate and request profiles of the CA identity: the root CA
 * certificate, the subordinate CA request, entcad's TLS server certificate,
 * serials, and the CA / chain checks applied to imported or installed
 * certificates. Tool thread; pure GnuTLS work, no files.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/crypto.h>

#include "common/error.h"
#include "common/clock.h"
#include "ca/identity/identity_build.h"

/* Choose the digest that matches the key's strength. */
gnutls_digest_algorithm_t
identity_digest_for(gnutls_privkey_t key)
{
	unsigned bits = 0;
	int pk = gnutls_privkey_get_pk_algorithm(key, &bits);

	if (pk == GNUTLS_PK_ECDSA && bits == 0) {
		/* PKCS#11 EC keys do not report a size; ask the public half. */
		gnutls_pubkey_t pub = NULL;

		gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;

		if (gnutls_pubkey_init(&pub) >= 0 &&
		    gnutls_pubkey_import_privkey(pub, key, 0, 0) >= 0 &&
		    gnutls_pubkey_export_ecc_raw2(pub, &curve, NULL, NULL,
		    0) >= 0)
			bits = gnutls_ecc_curve_get_size(curve) * 8;
		gnutls_pubkey_deinit(pub);
	}
	if (pk == GNUTLS_PK_ECDSA) {
		if (bits > 384)
			return GNUTLS_DIG_SHA512;
		if (bits > 256)
			return GNUTLS_DIG_SHA384;
	}
	return GNUTLS_DIG_SHA256;
}

/* Map a key type to GnuTLS's algorithm and bits. */
void
identity_key_params(enum ca_key_type t, gnutls_pk_algorithm_t *pk,
    unsigned *bits)
{
	switch (t) {
	case CA_KEY_RSA2048: *pk = GNUTLS_PK_RSA; *bits = 2048; break;
	case CA_KEY_RSA4096: *pk = GNUTLS_PK_RSA; *bits = 4096; break;
	case CA_KEY_P256:
		*pk = GNUTLS_PK_ECDSA;
		*bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1);
		break;
	case CA_KEY_P384:
		*pk = GNUTLS_PK_ECDSA;
		*bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1);
		break;
	case CA_KEY_RSA3072:
	default: *pk = GNUTLS_PK_RSA; *bits = 3072; break;
	}
}

/* Generate a fresh private key in memory. */
int
identity_generate_key(enum ca_key_type t, gnutls_x509_privkey_t *out,
    char *why, size_t whylen)
{
	gnutls_x509_privkey_t k = NULL;
	gnutls_pk_algorithm_t pk;
	unsigned bits;
	int ret;

	*out = NULL;
	identity_key_params(t, &pk, &bits);
	if (gnutls_x509_privkey_init(&k) < 0)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	ret = gnutls_x509_privkey_generate2(k, pk, bits, 0, NULL, 0);
	if (ret < 0) {
		gnutls_x509_privkey_deinit(k);
		return ca_why(why, whylen, CA_ECRYPTO,
		    "cannot generate a %s key: %s", ca_key_type_name(t),
		    gnutls_strerror(ret));
	}
	*out = k;
	return CA_OK;
}

/* Version, serial and validity; see identity_build.h. */
int
identity_cert_start(gnutls_x509_crt_t crt, int64_t now, int64_t not_after)
{
	unsigned char s[IDENTITY_SERIAL_LEN];
	int ret;

	ret = gnutls_x509_crt_set_version(crt, 3);
	if (ret >= 0)
		ret = gnutls_rnd(GNUTLS_RND_NONCE, s, sizeof(s));
	if (ret < 0)
		return ret;
	s[0] &= 0x7f;	/* positive (RFC 5280 §4.1.2.2) */
	s[0] |= 0x40;	/* and no leading zero byte, so the length stays 16 */
	ret = gnutls_x509_crt_set_serial(crt, s, sizeof(s));
	if (ret >= 0)
		ret = gnutls_x509_crt_set_activation_time(crt,
		    (time_t)(now - CA_IDENTITY_BACKDATE));
	if (ret >= 0)
		ret = gnutls_x509_crt_set_expiration_time(crt, (time_t)not_after);
	return ret;
}

/* Put the key's public half and its SHA-1 key identifier into crt. */
static int
identity_set_pubkey(gnutls_x509_crt_t crt, gnutls_privkey_t key,
    unsigned char *ski, size_t *ski_len)
{
	gnutls_pubkey_t pub = NULL;
	int ret;

	ret = gnutls_pubkey_init(&pub);
	if (ret < 0)
		return ret;
	ret = gnutls_pubkey_import_privkey(pub, key, 0, 0);
	if (ret >= 0)
		ret = gnutls_x509_crt_set_pubkey(crt, pub);
	if (ret >= 0)
		ret = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA1, ski,
		    ski_len);
	if (ret >= 0)
		ret = gnutls_x509_crt_set_subject_key_id(crt, ski, *ski_len);
	gnutls_pubkey_deinit(pub);
	return ret;
}

/* Self-sign the root CA certificate. */
int
identity_make_root(gnutls_privkey_t key, const char *subject, unsigned days,
    gnutls_x509_crt_t *out, char *why, size_t whylen)
{
	gnutls_x509_crt_t crt = NULL;
	unsigned char ski[64];
	size_t ski_len = sizeof(ski);
	const char *err = NULL;
	int64_t now = ca_now();
	int ret;

	*out = NULL;
	if (gnutls_x509_crt_init(&crt) < 0)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	ret = gnutls_x509_crt_set_dn(crt, subject, &err);
	if (ret < 0) {
		gnutls_x509_crt_deinit(crt);
		return ca_why(why, whylen, CA_EINVAL,
		    "subject \"%s\": not an RFC 4514 name near \"%s\"",
		    subject, err ? err : "");
	}
	ret = identity_cert_start(crt, now, now + (int64_t)days * 86400);
	if (ret >= 0)
		ret = identity_set_pubkey(crt, key, ski, &ski_len);
	if (ret >= 0)
		ret = gnutls_x509_crt_set_authority_key_id(crt, ski, ski_len);
	if (ret >= 0)	/* GnuTLS marks both extensions critical */
		ret = gnutls_x509_crt_set_basic_constraints(crt, 1, -1);
	if (ret >= 0)
		ret = gnutls_x509_crt_set_key_usage(crt,
		    GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN |
		    GNUTLS_KEY_DIGITAL_SIGNATURE);
	if (ret >= 0)
		ret = gnutls_x509_crt_privkey_sign(crt, crt, key,
		    identity_digest_for(key), 0);
	if (ret < 0) {
		gnutls_x509_crt_deinit(crt);
		return ca_why(why, whylen, CA_ECRYPTO,
		    "cannot build the root CA certificate: %s",
		    gnutls_strerror(ret));
	}
	*out = crt;
	return CA_OK;
}

/* Build and sign the subordinate CA's PKCS#10 request. */
int
identity_make_csr(gnutls_privkey_t key, const char *subject,
    gnutls_datum_t *out, char *why, size_t whylen)
{
	gnutls_x509_crq_t crq = NULL;
	gnutls_pubkey_t pub = NULL;
	const char *err = NULL;
	int ret, rc;

	out->data = NULL;
	out->size = 0;
	if (gnutls_x509_crq_init(&crq) < 0 || gnutls_pubkey_init(&pub) < 0) {
		rc = ca_why(why, whylen, CA_ENOMEM, "out of memory");
		goto out;
	}
	ret = gnutls_x509_crq_set_dn(crq, subject, &err);
	if (ret < 0) {
		rc = ca_why(why, whylen, CA_EINVAL,
		    "subject \"%s\": not an RFC 4514 name near \"%s\"",
		    subject, err ? err : "");
		goto out;
	}
	ret = gnutls_x509_crq_set_version(crq, 1);
	if (ret >= 0)
		ret = gnutls_pubkey_import_privkey(pub, key, 0, 0);
	if (ret >= 0)
		ret = gnutls_x509_crq_set_pubkey(crq, pub);
	if (ret >= 0)
		ret = gnutls_x509_crq_set_basic_constraints(crq, 1, -1);
	if (ret >= 0)
		ret = gnutls_x509_crq_set_key_usage(crq,
		    GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN |
		    GNUTLS_KEY_DIGITAL_SIGNATURE);
	if (ret >= 0)
		ret = gnutls_x509_crq_privkey_sign(crq, key,
		    identity_digest_for(key), 0);
	if (ret >= 0)
		ret = gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_PEM, out);
	if (ret < 0) {
		rc = ca_why(why, whylen, CA_ECRYPTO,
		    "cannot build the CA request: %s", gnutls_strerror(ret));
		goto out;
	}
	rc = CA_OK;
out:
	gnutls_pubkey_deinit(pub);
	if (crq != NULL)
		gnutls_x509_crq_deinit(crq);
	return rc;
}

/* Add one DNS or IP name to the SAN, whichever it parses as. */
static int
identity_add_name(gnutls_x509_crt_t crt, const char *name)
{
	unsigned char ip[16];

	if (inet_pton(AF_INET, name, ip) == 1)
		return gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_IPADDRESS, ip, 4, GNUTLS_FSAN_APPEND);
	if (inet_pton(AF_INET6, name, ip) == 1)
		return gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_IPADDRESS, ip, 16, GNUTLS_FSAN_APPEND);
	return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME,
	    name, (unsigned)strlen(name), GNUTLS_FSAN_APPEND);
}

/* Issue entcad's TLS server certificate under the CA. */
int
identity_make_tls(gnutls_x509_crt_t ca, gnutls_privkey_t cakey,
    const struct ca_init_opts *o, gnutls_datum_t *key_pem,
    gnutls_datum_t *crt_pem, char *why, size_t whylen)
{
	gnutls_x509_privkey_t xk = NULL;
	gnutls_privkey_t k = NULL;
	gnutls_x509_crt_t crt = NULL;
	unsigned char ski[64], aki[64];
	size_t ski_len = sizeof(ski), aki_len = sizeof(aki);
	char dn[300];
	int64_t now = ca_now(), end, ca_end;
	int ret, rc;

	key_pem->data = crt_pem->data = NULL;
	rc = identity_generate_key(CA_KEY_P256, &xk, why, whylen);
	if (rc != CA_OK)
		return rc;
	if (gnutls_privkey_init(&k) < 0 || gnutls_x509_crt_init(&crt) < 0) {
		rc = ca_why(why, whylen, CA_ENOMEM, "out of memory");
		goto out;
	}
	ret = gnutls_privkey_import_x509(k, xk, 0);
	if (ret < 0)
		goto fail;
	snprintf(dn, sizeof(dn), "CN=%s", o->n_tls_names > 0 &&
	    strlen(o->tls_names[0]) < 250 && strpbrk(o->tls_names[0],
	    ",+=\\\"<>;#") == NULL ? o->tls_names[0] : "localhost");
	end = now + (int64_t)CA_IDENTITY_TLS_DAYS * 86400;
	ca_end = (int64_t)gnutls_x509_crt_get_expiration_time(ca);
	if (end > ca_end)
		end = ca_end;	/* never outlive the issuer */
	ret = gnutls_x509_crt_set_dn(crt, dn, NULL);
	if (ret >= 0)
		ret = identity_cert_start(crt, now, end);
	if (ret >= 0)
		ret = identity_set_pubkey(crt, k, ski, &ski_len);
	if (ret >= 0 && gnutls_x509_crt_get_subject_key_id(ca, aki, &aki_len,
	    NULL) >= 0)
		ret = gnutls_x509_crt_set_authority_key_id(crt, aki, aki_len);
	if (ret >= 0)
		ret = gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
	if (ret >= 0)
		ret = gnutls_x509_crt_set_key_usage(crt,
		    GNUTLS_KEY_DIGITAL_SIGNATURE);
	if (ret >= 0)
		ret = gnutls_x509_crt_set_key_purpose_oid(crt,
		    GNUTLS_KP_TLS_WWW_SERVER, 0);
	if (ret >= 0)
		ret = identity_add_name(crt, "localhost");
	if (ret >= 0)
		ret = identity_add_name(crt, "127.0.0.1");
	for (unsigned i = 0; ret >= 0 && i < o->n_tls_names; i++) {
		if (strcmp(o->tls_names[i], "localhost") != 0 &&
		    strcmp(o->tls_names[i], "127.0.0.1") != 0)
			ret = identity_add_name(crt, o->tls_names[i]);
	}
	if (ret >= 0)
		ret = gnutls_x509_crt_privkey_sign(crt, ca, cakey,
		    identity_digest_for(cakey), 0);
	if (ret >= 0)
		ret = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM,
		    crt_pem);
	if (ret >= 0)
		ret = gnutls_x509_privkey_export2_pkcs8(xk,
		    GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, key_pem);
	if (ret < 0)
		goto fail;
	rc = CA_OK;
	goto out;
fail:
	rc = ca_why(why, whylen, CA_ECRYPTO,
	    "cannot issue the TLS server certificate: %s",
	    gnutls_strerror(ret));
	gnutls_free(crt_pem->data);
	crt_pem->data = NULL;
out:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	gnutls_privkey_deinit(k);
	gnutls_x509_privkey_deinit(xk);
	return rc;
}

/* Refuse a certificate that is not a CA certificate. */
int
identity_check_is_ca(gnutls_x509_crt_t crt, const char *what, char *why,
    size_t whylen)
{
	unsigned critical = 0, ca = 0;
	int pathlen = -1;
	int ret;

	ret = gnutls_x509_crt_get_basic_constraints(crt, &critical, &ca,
	    &pathlen);
	if (ret < 0 || !ca)
		return ca_why(why, whylen, CA_EPOLICY,
		    "%s: not a CA certificate (basicConstraints CA:TRUE "
		    "missing, RFC 5280 §4.2.1.9)", what);
	return CA_OK;
}

/* Verify crt and every parent up to a self-signed one or the last given. */
int
identity_verify_chain(gnutls_x509_crt_t crt, gnutls_x509_crt_t *parents,
    unsigned n, char *why, size_t whylen)
{
	gnutls_datum_t txt = { NULL, 0 };
	unsigned status = 0;
	char subj[256];
	size_t sl;
	int ret;

	for (unsigned i = 0; i <= n; i++) {
		gnutls_x509_crt_t c = i == 0 ? crt : parents[i - 1];

		if (i > 0 && gnutls_x509_crt_check_issuer(c, c))
			ret = gnutls_x509_crt_verify(c, &c, 1, 0, &status);
		else if (n > 0)
			ret = gnutls_x509_crt_verify(c, parents, n, 0,
			    &status);
		else
			return ca_why(why, whylen, CA_EPOLICY,
			    "no parent certificate given to verify against");
		if (ret >= 0 && status == 0)
			continue;
		if (i > 0 && !gnutls_x509_crt_check_issuer(c, c) &&
		    (status & GNUTLS_CERT_SIGNER_NOT_FOUND))
			continue;	/* top of a chain that stops below a root */
		sl = sizeof(subj);
		if (gnutls_x509_crt_get_dn(c, subj, &sl) < 0)
			strcpy(subj, "?");
		if (ret >= 0)
			gnutls_certificate_verification_status_print(status,
			    GNUTLS_CRT_X509, &txt, 0);
		ret = ca_why(why, whylen, CA_EPOLICY,
		    "certificate \"%s\" does not verify against the given "
		    "chain: %s", subj, ret < 0 ? gnutls_strerror(ret) :
		    (const char *)txt.data);
		gnutls_free(txt.data);
		return ret;
	}
	return CA_OK;
}

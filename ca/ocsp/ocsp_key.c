/*
 * The key that signs OCSP responses. By default a delegated "OCSP
 * Response Signing" certificate (RFC 6960 §4.2.2.2: id-kp-OCSPSigning,
 * issued by the CA itself; id-pkix-ocsp-nocheck of §4.2.2.2.1 so clients
 * do not ask about the responder; short validity) for a key made inside
 * the signer process, never outside it. It is renewed at half life by
 * ocsp_tick, or at once when the signer restarted and lost the key. With
 * [ocsp] sign-with = ca the CA key signs and no certificate is included.
 *
 * Threads: ocsp_key_roll blocks (signer and store) and runs before the
 * loop starts or on a worker; one at a time (roll_lock). ocsp_key_get
 * may be called from any thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/hex.h"
#include "common/log.h"
#include "ca/daemon/daemon.h"
#include "ca/identity/identity.h"
#include "ca/ocsp/ocsp_int.h"
#include "ca/signer/signer.h"
#include "ca/store/store.h"

#define OCSP_SERIAL_BYTES 16	/* 127 random bits: DESIGN §6 wants >= 64 */
#define OID_OCSP_NOCHECK "1.3.6.1.5.5.7.48.1.5"

/* A reference on the key in service. */
struct ocsp_key *
ocsp_key_get(struct ocsp *o)
{
	struct ocsp_key *k;

	pthread_mutex_lock(&o->key_lock);
	k = o->cur;
	if (k != NULL)
		atomic_fetch_add(&k->refs, 1);
	pthread_mutex_unlock(&o->key_lock);
	return k;
}

/* Let go of a key; the last reference frees it. */
void
ocsp_key_put(struct ocsp_key *k)
{
	if (k == NULL || atomic_fetch_sub(&k->refs, 1) != 1)
		return;
	if (k->delegated)
		gnutls_privkey_deinit(k->key);
	gnutls_free(k->cert.data);
	free(k);
}

/* The signature algorithm for a key: SHA-256 (SHA-384/512 for big curves). */
static gnutls_sign_algorithm_t
ocsp_sign_algo(int pk, unsigned bits)
{
	if (pk == GNUTLS_PK_ECDSA)
		return bits > 384 ? GNUTLS_SIGN_ECDSA_SHA512 :
		    bits > 256 ? GNUTLS_SIGN_ECDSA_SHA384 : GNUTLS_SIGN_ECDSA_SHA256;
	if (pk == GNUTLS_PK_EDDSA_ED25519)
		return GNUTLS_SIGN_EDDSA_ED25519;
	return GNUTLS_SIGN_RSA_SHA256;
}

/* Record the delegated certificate in the store, as AD CS records it. */
struct put_arg {
	struct store_cert c;
};

/* Writer: insert the OCSP signing certificate's record. */
static int
put_apply(struct store_wtxn *w, void *arg)
{
	struct put_arg *a = arg;

	return store_w_put_cert(w, &a->c);
}

/* Build and sign the delegated certificate for spki; DER into *der. */
static int
ocsp_make_cert(struct ocsp *o, const gnutls_datum_t *spki, int64_t now,
    gnutls_datum_t *der, unsigned char *serial, int64_t *nb, int64_t *na,
    char *why, size_t whylen)
{
	struct daemon *d = o->d;
	const struct ca_config *c = &o->cfg;
	gnutls_x509_crt_t crt = NULL;
	gnutls_pubkey_t pub = NULL;
	unsigned char kid[64];
	size_t kid_len = sizeof(kid);
	char cn[TMPL_NAME_MAX + 32];
	int ret, rc = CA_ECRYPTO;

	*nb = now - OCSP_SIGNER_BACKDATE_S;
	*na = now + c->ocsp_signer_validity_s;
	if (*na > d->id->not_after)
		*na = d->id->not_after;	/* never past the CA (RFC 5280 §6) */
	if (gnutls_rnd(GNUTLS_RND_NONCE, serial, OCSP_SERIAL_BYTES) < 0)
		return ca_why(why, whylen, CA_ECRYPTO, "OCSP signer: no random serial");
	serial[0] = (serial[0] & 0x7f) | 0x40;	/* positive, minimal */
	snprintf(cn, sizeof(cn), "%s OCSP Responder", c->name);
	if ((ret = gnutls_x509_crt_init(&crt)) < 0 ||
	    (ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import(pub, spki, GNUTLS_X509_FMT_DER)) < 0 ||
	    (ret = gnutls_x509_crt_set_pubkey(crt, pub)) < 0 ||
	    (ret = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (ret = gnutls_x509_crt_set_serial(crt, serial, OCSP_SERIAL_BYTES)) < 0 ||
	    (ret = gnutls_x509_crt_set_activation_time(crt, (time_t)*nb)) < 0 ||
	    (ret = gnutls_x509_crt_set_expiration_time(crt, (time_t)*na)) < 0 ||
	    (ret = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
	    cn, (unsigned)strlen(cn))) < 0 ||
	    (ret = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
	    (ret = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
	    (ret = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_OCSP_SIGNING, 0)) < 0 ||
	    (ret = gnutls_x509_crt_set_extension_by_oid(crt, OID_OCSP_NOCHECK,
	    "\x05\x00", 2, 0)) < 0 ||
	    (ret = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA1, kid, &kid_len)) < 0 ||
	    (ret = gnutls_x509_crt_set_subject_key_id(crt, kid, kid_len)) < 0 ||
	    (d->id->ski_len > 0 && (ret = gnutls_x509_crt_set_authority_key_id(crt,
	    d->id->ski, d->id->ski_len)) < 0) ||
	    (ret = gnutls_x509_crt_privkey_sign(crt, d->id->cert, d->key,
	    GNUTLS_DIG_SHA256, 0)) < 0 ||
	    (ret = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, der)) < 0) {
		rc = ca_why(why, whylen, CA_ECRYPTO, "OCSP signer: cannot issue the signing certificate: %s%s%s",
		    gnutls_strerror(ret), ret == GNUTLS_E_PK_SIGN_FAILED ? ": " : "",
		    ret == GNUTLS_E_PK_SIGN_FAILED ? signer_last_why() : "");
		goto out;
	}
	rc = CA_OK;
out:
	gnutls_pubkey_deinit(pub);
	gnutls_x509_crt_deinit(crt);
	return rc;
}

/* The CA key signs: adopt it (no certificate, the CA's own dates). */
static int
ocsp_key_ca(struct ocsp *o, struct ocsp_key *k, char *why, size_t whylen)
{
	struct daemon *d = o->d;
	gnutls_datum_t spki = { NULL, 0 };
	gnutls_pubkey_t pub = NULL;
	unsigned bits = 0;
	size_t l = 0;
	int pk, rc = CA_ECRYPTO;

	k->delegated = false;
	k->key = d->key;
	k->not_before = (int64_t)gnutls_x509_crt_get_activation_time(d->id->cert);
	k->not_after = d->id->not_after;
	k->renew_at = INT64_MAX;
	pk = gnutls_x509_crt_get_pk_algorithm(d->id->cert, &bits);
	if (gnutls_pubkey_init(&pub) < 0 || gnutls_pubkey_import_x509(pub, d->id->cert, 0) < 0 ||
	    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &spki) < 0) {
		rc = ca_why(why, whylen, CA_ECRYPTO, "OCSP: cannot read the CA public key");
		goto out;
	}
	rc = ocsp_spki_key_hash(spki.data, spki.size, GNUTLS_DIG_SHA1, k->rs.key_hash, &l,
	    why, whylen);
	k->rs.key = d->key;
	k->rs.sign_algo = ocsp_sign_algo(pk, bits);
out:
	gnutls_free(spki.data);
	gnutls_pubkey_deinit(pub);
	return rc;
}

/*
 * In a key roll, between the key and its certificate: CA_OK at once
 * unless ocsp_new's first roll waits for entcad's start checks;
 * CA_ESTATE when the start was abandoned.
 */
static int
ocsp_first_gate(struct ocsp *o, char *why, size_t whylen)
{
	int gate;

	pthread_mutex_lock(&o->gate_lock);
	while (o->gate == OCSP_GATE_CLOSED)
		pthread_cond_wait(&o->gate_cv, &o->gate_lock);
	gate = o->gate;
	pthread_mutex_unlock(&o->gate_lock);
	return gate == OCSP_GATE_OPEN ? CA_OK : ca_why(why, whylen, CA_ESTATE,
	    "entcad did not start");
}

/* See ocsp_int.h. */
void
ocsp_gate_set(struct ocsp *o, int gate)
{
	pthread_mutex_lock(&o->gate_lock);
	if (o->gate == OCSP_GATE_CLOSED)
		o->gate = gate;
	pthread_cond_broadcast(&o->gate_cv);
	pthread_mutex_unlock(&o->gate_lock);
}

/* Make the signing key in service; see ocsp_int.h. */
int
ocsp_key_roll(struct ocsp *o, char *why, size_t whylen)
{
	struct daemon *d = o->d;
	struct ocsp_key *k = NULL, *old;
	gnutls_datum_t spki = { NULL, 0 };
	struct put_arg *pa = NULL;
	unsigned char serial[OCSP_SERIAL_BYTES];
	unsigned ca_bits = 0, bits;
	int64_t now = ca_now();
	size_t l = 0;
	int pk, rc;

	pthread_mutex_lock(&o->roll_lock);
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		rc = ca_why(why, whylen, CA_ENOMEM, "out of memory");
		goto out;
	}
	atomic_init(&k->refs, 1);
	if (o->cfg.ocsp_sign_with_ca) {
		rc = ocsp_key_ca(o, k, why, whylen);
		goto swap;
	}
	/* The delegated key follows the CA's family: ECDSA P-256 for an EC
	 * CA, RSA 2048 otherwise (what AD CS's template asks for). */
	pk = gnutls_x509_crt_get_pk_algorithm(d->id->cert, &ca_bits);
	if (pk == GNUTLS_PK_ECDSA) {
		bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1);
	} else {
		pk = GNUTLS_PK_RSA;
		bits = OCSP_RSA_BITS;
	}
	old = ocsp_key_get(o);
	k->slot = old != NULL && old->delegated ? old->slot ^ 1 : 0;
	ocsp_key_put(old);
	k->delegated = true;
	rc = signer_ocsp_keygen(d->signer, k->slot, pk, bits, &spki, why, whylen);
	if (rc == CA_OK)
		rc = ocsp_first_gate(o, why, whylen);
	if (rc == CA_OK)
		rc = ocsp_make_cert(o, &spki, now, &k->cert, serial, &k->not_before,
		    &k->not_after, why, whylen);
	if (rc == CA_OK)
		rc = ocsp_spki_key_hash(spki.data, spki.size, GNUTLS_DIG_SHA1, k->rs.key_hash,
		    &l, why, whylen);
	if (rc == CA_OK)
		rc = signer_ocsp_privkey(d->signer, k->slot, pk,
		    pk == GNUTLS_PK_ECDSA ? 256 : bits, &k->key, why, whylen);
	if (rc != CA_OK)
		goto out;
	k->rs.key = k->key;
	k->rs.sign_algo = ocsp_sign_algo(pk, pk == GNUTLS_PK_ECDSA ? 256 : bits);
	k->rs.cert_der = k->cert.data;
	k->rs.cert_len = k->cert.size;
	k->renew_at = k->not_before + OCSP_SIGNER_BACKDATE_S + o->cfg.ocsp_signer_renew_s;
	hex_encode(serial, OCSP_SERIAL_BYTES, k->serial);
	/* Recorded like every certificate this CA issues (never reused). */
	if ((pa = calloc(1, sizeof(*pa))) == NULL) {
		rc = ca_why(why, whylen, CA_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(pa->c.serial, serial, OCSP_SERIAL_BYTES);
	pa->c.serial_len = OCSP_SERIAL_BYTES;
	pa->c.der = k->cert.data;
	pa->c.der_len = k->cert.size;
	snprintf(pa->c.template_name, sizeof(pa->c.template_name), "%s", OCSP_SIGNER_TEMPLATE);
	snprintf(pa->c.requester, sizeof(pa->c.requester), "entcad");
	snprintf(pa->c.subject_dn, sizeof(pa->c.subject_dn), "CN=%s OCSP Responder", o->cfg.name);
	pa->c.not_before = k->not_before;
	pa->c.not_after = k->not_after;
	pa->c.status = STORE_CERT_VALID;
	rc = store_submit_wait(d->store, put_apply, pa, why, whylen);
	if (rc != CA_OK)
		goto out;
swap:
	if (rc != CA_OK)
		goto out;
	pthread_mutex_lock(&o->key_lock);
	old = o->cur;
	o->cur = k;
	pthread_mutex_unlock(&o->key_lock);
	ocsp_key_put(old);
	atomic_store(&o->need_roll, false);
	if (k->delegated) {
		atomic_fetch_add(&o->renewals, 1);
		log_notice("OCSP: response signing certificate %s (key in the signer, slot %u) "
		    "valid until %lld, renewed from %lld", k->serial, k->slot,
		    (long long)k->not_after, (long long)k->renew_at);
	}
	k = NULL;
out:
	pthread_mutex_unlock(&o->roll_lock);
	free(pa);
	gnutls_free(spki.data);
	ocsp_key_put(k);
	return rc;
}

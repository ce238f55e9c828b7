/*
 * The CA identity: the CA certificate, its parent chain and where the CA key
 * lives, as kept in the state folder, and the operations that create it
 * (new root, new subordinate + install of its certificate, PKCS#12 or
 * key + certificate import, PKCS#11 token key). The key itself is never
 * loaded by ca_identity_load: only the signer process (ca/signer/signer.h) opens it.
 *
 * State folder layout:
 *   ca.json       key location record, written last (the commit marker), 0600
 *   ca.key        PKCS#8 PEM private key (file keys only), 0600, O_EXCL
 *   ca.crt        CA certificate, PEM
 *   ca-chain.pem  parent certificates (subordinate or imported), PEM, optional
 *   ca.csr        PKCS#10 request of a subordinate CA
 *   tls.key/.crt  entcad's TLS server key and certificate (leaf, then chain)
 *   ca-history/   after CA renewals (AD CS's model, ca/identity/identity_renew.c):
 *     ca(N).crt   every earlier CA certificate, by CA certificate index N
 *     key(K)/     an earlier key K with its newest certificate, as a state
 *                 folder of its own (ca.json, ca.key or the token reference,
 *                 ca.crt) that ca_identity_load and the signer open
 *   The current certificate carries the CA Version extension
 *   (1.3.6.1.4.1.311.21.1: certificate index, key index); none means 0.0.
 *
 * Creation functions are for the admin tool (one thread). ca_identity_load
 * may run on any thread; a loaded identity is read-only and may be shared.
 */
#ifndef ENTCA_CA_IDENTITY_H
#define ENTCA_CA_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca/signer/keyfile.h"

/* Largest subject key identifier we keep (SHA-1 is 20, SHA-256 is 32). */
#define CA_IDENTITY_SKI_MAX 64
/* Most --tls-name values. */
#define CA_IDENTITY_TLS_NAMES_MAX 16
/* Longest validity accepted for a CA certificate, in days (100 years). */
#define CA_IDENTITY_DAYS_MAX 36500
/* Validity of the TLS server certificate, clamped to the CA's end. */
#define CA_IDENTITY_TLS_DAYS 397
/* Backdating of notBefore against clock skew, in seconds. */
#define CA_IDENTITY_BACKDATE 300

/* Key types for a new CA key. */
enum ca_key_type {
	CA_KEY_RSA2048 = 0,
	CA_KEY_RSA3072,
	CA_KEY_RSA4096,
	CA_KEY_P256,
	CA_KEY_P384,
	CA_KEY_TYPE_COUNT
};

/* A loaded CA identity; every field is read-only for users. */
struct ca_identity {
	gnutls_x509_crt_t cert;		/* the CA certificate */
	gnutls_datum_t cert_der;	/* its DER */
	gnutls_datum_t subject_der;	/* its subject Name, DER */
	unsigned char ski[CA_IDENTITY_SKI_MAX];
	size_t ski_len;			/* 0 when the cert has no SKI */
	int64_t not_after;		/* seconds since the epoch */
	gnutls_x509_crt_t *chain;	/* parents, issuer first; may be NULL */
	unsigned chain_len;
	struct keyfile_loc key;		/* where the key lives, not the key */
	char state_dir[KEYFILE_PATH_MAX];
};

/* What `entca init` and the imports create besides the CA itself. */
struct ca_init_opts {
	const char *state_dir;		/* created (0700) when missing */
	const char *subject;		/* RFC 4514 DN for new keys */
	enum ca_key_type key_type;
	unsigned days;			/* CA validity (root) */
	int subordinate;		/* write ca.csr instead of ca.crt */
	const char *key_password;	/* encrypt ca.key (NULL: plain) */
	const char *key_password_file;	/* recorded in ca.json when set */
	const char *pkcs11_uri;		/* key in a token instead of ca.key */
	const char *pkcs11_module;	/* module to load (NULL: p11-kit) */
	const char *tls_names[CA_IDENTITY_TLS_NAMES_MAX];
	unsigned n_tls_names;		/* extra DNS or IP names */
	int no_tls;			/* do not issue tls.key/tls.crt */
};

/* Name of a key type ("rsa3072"), or "?" for an unknown one. */
const char *ca_key_type_name(enum ca_key_type t);

/* Parse a key type name; CA_EINVAL for an unknown one. */
int ca_key_type_parse(const char *s, enum ca_key_type *out);

/*
 * Load the CA identity of state_dir: ca.json, ca.crt and ca-chain.pem.
 * *out is owned by the caller (ca_identity_free). CA_ENOTFOUND when the
 * folder holds no CA, CA_ESTATE for a subordinate still pending, CA_EIO
 * for an unreadable folder or file, CA_EPARSE for a damaged file,
 * CA_EVERSION for a newer format. Any thread.
 */
int ca_identity_load(const char *state_dir, struct ca_identity **out,
    char *why, size_t whylen);

/* Free an identity (NULL is fine). */
void ca_identity_free(struct ca_identity *id);

/*
 * Create a new CA in o->state_dir: a key (file or PKCS#11 token), then a
 * self-signed root certificate or, with o->subordinate, a PKCS#10 request
 * (ca.csr). Refuses (CA_EEXIST) when the folder already holds a CA; on any
 * failure nothing is left behind. Tool thread only.
 */
int ca_identity_init(const struct ca_init_opts *o, char *why, size_t whylen);

/*
 * Take over an existing CA from a PKCS#12 backup (as AD CS writes it).
 * A wrong password gives CA_EAUTH and writes nothing. The certificate must
 * be a CA certificate (basicConstraints CA:TRUE). Tool thread only.
 */
int ca_identity_import_p12(const struct ca_init_opts *o,
    const gnutls_datum_t *p12, const char *password, char *why,
    size_t whylen);

/*
 * Take over an existing CA from a key file (PEM or DER, optionally
 * encrypted with password) and a certificate file (PEM or DER; further
 * certificates in it become the chain). The key must match the certificate.
 */
int ca_identity_import_files(const struct ca_init_opts *o,
    const char *key_path, const char *cert_path, const char *password,
    char *why, size_t whylen);

/*
 * Install the parent-signed certificate of a pending subordinate CA: checks
 * that it holds the CA key's public key, is a CA certificate, and verifies
 * against the parent certificates in chain_path (required). Writes ca.crt,
 * ca-chain.pem, the TLS certificate (unless o->no_tls) and marks ca.json
 * ready. o->state_dir names the folder; o's TLS fields apply.
 */
int ca_identity_install_cert(const struct ca_init_opts *o,
    const char *cert_path, const char *chain_path, char *why, size_t whylen);

/* The renewal folder inside a state folder. */
#define CA_IDENTITY_HISTORY_DIR "ca-history"
/* Most CA certificates (renewals + 1) a CA keeps. */
#define CA_IDENTITY_HISTORY_MAX 64

/*
 * The CA certificate and key indexes of crt from its CA Version extension
 * (1.3.6.1.4.1.311.21.1); 0 and 0 when it has none (a CA never renewed).
 */
void ca_identity_index(gnutls_x509_crt_t crt, unsigned *cert_index,
    unsigned *key_index);

/*
 * Every CA certificate of state_dir, index 0 first and the current one
 * (ca.crt) last: *out (gnutls_free'd array, keyfile_certs_free) holds *n.
 * CA_OK, or the code with why.
 */
int ca_identity_history(const char *state_dir, gnutls_x509_crt_t **out,
    unsigned *n, char *why, size_t whylen);

/*
 * The folder of an earlier key k (state/ca-history/key(k)) into buf;
 * false if it does not fit.
 */
bool ca_identity_key_dir(const char *state_dir, unsigned k, char *buf,
    size_t len);

/* What `entca ca renew` asks for. */
struct ca_renew_opts {
	const char *state_dir;
	int new_key;			/* 0: same key (AD CS "reuse") */
	enum ca_key_type key_type;	/* of a new key */
	unsigned days;			/* validity of the new certificate */
	const char *key_password;	/* encrypt a new ca.key (NULL: plain) */
	const char *key_password_file;	/* recorded in ca.json when set */
	unsigned *cert_index, *key_index;	/* out: the new indexes */
};

/*
 * Renew a root CA's certificate, as AD CS does: the next CA certificate
 * index, with the same key or a new one (the next key index). The new
 * certificate keeps the subject's DER byte for byte, carries the CA
 * Version and Previous CA Certificate Hash extensions and becomes ca.crt;
 * the previous one goes to ca-history/ca(N).crt; a replaced key moves with
 * its certificate and ca.json to ca-history/key(K)/, where the signer can
 * still open it to sign that key's CRLs. With a new key entcad's TLS
 * certificate is issued again by it. A subordinate CA is refused
 * (CA_EPOLICY). Tool thread only; the caller makes sure no entcad runs.
 */
int ca_identity_renew(const struct ca_renew_opts *o, char *why,
    size_t whylen);

#endif

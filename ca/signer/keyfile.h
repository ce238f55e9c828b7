/*
 * Files of the CA identity: bounded reads, exclusive 0600 writes, password
 * files, PEM-or-DER certificate and key parsing, the key location record
 * (STATE/ca.json) and opening the CA private key from a file or a PKCS#11
 * URI. No global state except the one-time PKCS#11 set-up; every function
 * may be called from any thread unless it says otherwise.
 */
#ifndef ENTCA_CA_KEYFILE_H
#define ENTCA_CA_KEYFILE_H

#include <stddef.h>
#include <sys/types.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

/* Largest key, certificate, chain, CSR or PKCS#12 file we read. */
#define KEYFILE_MAX (1024 * 1024)
/* Longest password accepted from a file or the environment. */
#define KEYFILE_PASSWORD_MAX 1024
/* Most certificates in one chain file or PKCS#12 bag. */
#define KEYFILE_CHAIN_MAX 16
/* Longest path, PKCS#11 URI or module path in ca.json. */
#define KEYFILE_PATH_MAX 4096

/* Where the CA private key lives. */
enum keyfile_kind {
	KEYFILE_KIND_FILE = 0,	/* PKCS#8 PEM file (STATE/ca.key) */
	KEYFILE_KIND_PKCS11,	/* object in a PKCS#11 token */
	KEYFILE_KIND_COUNT
};

/*
 * The key location record. For files, path is absolute (resolved against the
 * state folder on load) and password_file optional; for PKCS#11, uri names the
 * private key object (it may carry pin-value or pin-source) and module, when
 * set, is the PKCS#11 module loaded instead of p11-kit's configured ones.
 */
struct keyfile_loc {
	enum keyfile_kind kind;
	int encrypted;
	char path[KEYFILE_PATH_MAX];
	char password_file[KEYFILE_PATH_MAX];
	char uri[KEYFILE_PATH_MAX];
	char module[KEYFILE_PATH_MAX];
};

/*
 * Read at most KEYFILE_MAX bytes of path into out (gnutls_free out->data;
 * callers holding secrets wipe first). Returns CA_OK, CA_EIO, CA_ETOOBIG
 * or CA_ENOMEM with a sentence naming the file.
 */
int keyfile_read(const char *path, gnutls_datum_t *out, char *why,
    size_t whylen);

/*
 * Read a password: the first line of path, without its line end. *out is a
 * NUL-terminated copy the caller frees with keyfile_password_free.
 */
int keyfile_read_password(const char *path, char **out, char *why,
    size_t whylen);

/*
 * Check that a secret file (a key, a password file) is a regular file
 * that only its owner can read, and that the owner is one of owners[0..n).
 * owner_fix names the account for the chown advice. CA_OK, or CA_ECONFIG
 * ("FILE: readable by group or others (mode 0644); fix: chmod 600 FILE"),
 * or CA_EIO when it cannot be examined. Any thread.
 */
int keyfile_check_secret(const char *path, const uid_t *owners, size_t n,
    const char *owner_fix, char *why, size_t whylen);

/*
 * Name the file a PKCS#11 PIN is read from when the URI carries none (it
 * wins over ENTCA_PKCS11_PIN; entca --pin-file, [ca] pkcs11-pin-file); NULL
 * or "" for none. Process-wide; call before threads start (forked signers
 * inherit it). CA_OK or CA_ETOOBIG.
 */
int keyfile_set_pin_file(const char *path, char *why, size_t whylen);

/* Wipe and free a password from keyfile_read_password (NULL is fine). */
void keyfile_password_free(char *pw);

/*
 * Create path with O_EXCL and the given mode and write len bytes; on any
 * failure the file is removed. CA_EEXIST if it exists, CA_EIO otherwise.
 */
int keyfile_write_excl(const char *path, const void *data, size_t len,
    mode_t mode, char *why, size_t whylen);

/* Write all of data to fd, retrying short writes; 0 or -1 (errno set). */
int keyfile_write_all(int fd, const void *data, size_t len);

/*
 * Replace path atomically (temp file written and fsynced, rename, folder
 * fsynced) with mode, so a reader sees the old or the new file, never a
 * part. CA_EIO on error.
 */
int keyfile_write_replace(const char *path, const void *data, size_t len,
    mode_t mode, char *why, size_t whylen);

/*
 * Parse one or more certificates (PEM list or one DER) into a new array of
 * at most KEYFILE_CHAIN_MAX; free with keyfile_certs_free. what names the
 * input in messages. CA_EPARSE, CA_ETOOBIG, CA_ENOMEM.
 */
int keyfile_parse_certs(const gnutls_datum_t *data, const char *what,
    gnutls_x509_crt_t **list, unsigned *n, char *why, size_t whylen);

/* Free an array from keyfile_parse_certs (NULL is fine). */
void keyfile_certs_free(gnutls_x509_crt_t *list, unsigned n);

/*
 * Parse a private key (PEM or DER; PKCS#8 plain or encrypted, PKCS#1, SEC1)
 * with an optional password. A wrong or missing password gives CA_EAUTH.
 * *out is owned by the caller (gnutls_x509_privkey_deinit).
 */
int keyfile_parse_key(const gnutls_datum_t *data, const char *what,
    const char *password, gnutls_x509_privkey_t *out, char *why,
    size_t whylen);

/*
 * Load PKCS#11 support once per process: with module set, only that module
 * (GNUTLS_PKCS11_FLAG_MANUAL + add_provider); otherwise p11-kit's modules.
 * Safe to call again (later calls are no-ops). CA_ECONFIG on failure.
 */
int keyfile_pkcs11_setup(const char *module, char *why, size_t whylen);

/*
 * Open the CA private key that loc names. The password of an encrypted file
 * comes from ENTCA_KEY_PASSWORD, else from loc->password_file. *out is owned
 * by the caller (gnutls_privkey_deinit). CA_EAUTH for a wrong password,
 * CA_EIO / CA_EPARSE / CA_ECRYPTO otherwise, each with a sentence.
 */
int keyfile_open(const struct keyfile_loc *loc, gnutls_privkey_t *out,
    char *why, size_t whylen);

/*
 * Compare the public key of key with the one in crt. CA_OK when equal,
 * CA_EPOLICY when they differ, CA_ECRYPTO when either cannot be read.
 */
int keyfile_key_matches(gnutls_privkey_t key, gnutls_x509_crt_t crt,
    char *why, size_t whylen);

/*
 * Read STATE/ca.json into loc (paths made absolute against state_dir).
 * CA_ENOTFOUND if there is no CA, CA_EVERSION for a newer format,
 * CA_EPARSE/CA_ECONFIG for a bad record. *pending is set when the CA is a
 * subordinate still waiting for its certificate (pending may be NULL).
 */
int keyfile_loc_load(const char *state_dir, struct keyfile_loc *loc,
    int *pending, char *why, size_t whylen);

/*
 * Serialise loc as the ca.json text (relative key path kept as given).
 * *out is malloc'ed, NUL-terminated; free it. CA_ENOMEM.
 */
int keyfile_loc_format(const struct keyfile_loc *loc, int pending,
    char **out);

#endif

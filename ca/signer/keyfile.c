/*
 * Files of the CA identity: bounded reads, exclusive writes, password files,
 * certificate and key parsing, the ca.json key location record and opening
 * the CA key from a file or a PKCS#11 token. Secrets read here (key files,
 * passwords) are wiped before their memory is released. Any thread; the
 * PKCS#11 set-up is guarded by a mutex.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>
#include <gnutls/pkcs11.h>

#include "common/error.h"
#include "ca/signer/keyfile.h"

/* Current ca.json format; a larger number was written by a newer entca. */
#define KEYFILE_LOC_VERSION 1

static pthread_mutex_t keyfile_p11_lock = PTHREAD_MUTEX_INITIALIZER;
static int keyfile_p11_done;

/* Read a whole regular file of at most KEYFILE_MAX bytes. */
int
keyfile_read(const char *path, gnutls_datum_t *out, char *why, size_t whylen)
{
	struct stat st;
	unsigned char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, rc;

	out->data = NULL;
	out->size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ca_why(why, whylen, CA_EIO, "%s: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = ca_why(why, whylen, CA_EIO, "%s: not a regular file",
		    path);
		goto out;
	}
	if (st.st_size > KEYFILE_MAX) {
		rc = ca_why(why, whylen, CA_ETOOBIG,
		    "%s: larger than %d bytes", path, KEYFILE_MAX);
		goto out;
	}
	buf = gnutls_malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		rc = ca_why(why, whylen, CA_ENOMEM, "%s: out of memory", path);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = ca_why(why, whylen, CA_EIO, "%s: read failed",
			    path);
			goto out;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';	/* PEM parsers like a terminator */
	out->data = buf;
	out->size = (unsigned)got;
	buf = NULL;
	rc = CA_OK;
out:
	if (buf != NULL) {
		gnutls_memset(buf, 0, (size_t)st.st_size + 1);
		gnutls_free(buf);
	}
	close(fd);
	return rc;
}

/* Read the first line of a password file into a fresh string. */
int
keyfile_read_password(const char *path, char **out, char *why, size_t whylen)
{
	gnutls_datum_t d = { NULL, 0 };
	size_t len;
	char *pw;
	int rc;

	*out = NULL;
	rc = keyfile_read(path, &d, why, whylen);
	if (rc != CA_OK)
		return rc;
	for (len = 0; len < d.size && d.data[len] != '\n' &&
	    d.data[len] != '\r'; len++)
		;
	if (len > KEYFILE_PASSWORD_MAX) {
		rc = ca_why(why, whylen, CA_ETOOBIG,
		    "%s: password longer than %d bytes", path,
		    KEYFILE_PASSWORD_MAX);
		goto out;
	}
	pw = malloc(len + 1);
	if (pw == NULL) {
		rc = ca_why(why, whylen, CA_ENOMEM, "%s: out of memory", path);
		goto out;
	}
	memcpy(pw, d.data, len);
	pw[len] = '\0';
	*out = pw;
	rc = CA_OK;
out:
	gnutls_memset(d.data, 0, d.size);
	gnutls_free(d.data);
	return rc;
}

/* Only its owner may read a secret, and the owner is one we expect. */
int
keyfile_check_secret(const char *path, const uid_t *owners, size_t n,
    const char *owner_fix, char *why, size_t whylen)
{
	struct stat st;
	struct passwd *pw;
	size_t i;

	if (lstat(path, &st) != 0)
		return ca_why(why, whylen, CA_EIO, "%s: %s", path,
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return ca_why(why, whylen, CA_ECONFIG, "%s: not a regular file "
		    "(a secret must not be a link or a device)", path);
	if ((st.st_mode & 077) != 0)
		return ca_why(why, whylen, CA_ECONFIG, "%s: readable by group "
		    "or others (mode %04o); fix: chmod 600 %s", path,
		    (unsigned)(st.st_mode & 07777), path);
	for (i = 0; i < n; i++)
		if (st.st_uid == owners[i])
			return CA_OK;
	pw = getpwuid(st.st_uid);
	return ca_why(why, whylen, CA_ECONFIG, "%s: owned by %s (uid %u), "
	    "not by the account that must read it; fix: chown %s %s", path,
	    pw != NULL ? pw->pw_name : "?", (unsigned)st.st_uid, owner_fix,
	    path);
}

/* Wipe and free a password string. */
void
keyfile_password_free(char *pw)
{
	if (pw == NULL)
		return;
	gnutls_memset(pw, 0, strlen(pw));
	free(pw);
}

/* Write all of data to fd, retrying short writes. */
int
keyfile_write_all(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Create a new file exclusively, write it, fsync it; remove it on failure. */
int
keyfile_write_excl(const char *path, const void *data, size_t len,
    mode_t mode, char *why, size_t whylen)
{
	int fd, err;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd < 0) {
		err = errno;
		return ca_why(why, whylen, err == EEXIST ? CA_EEXIST : CA_EIO,
		    "%s: %s", path, strerror(err));
	}
	/* The umask may have removed bits; it can never add any. */
	if (fchmod(fd, mode) != 0 || keyfile_write_all(fd, data, len) != 0 ||
	    fsync(fd) != 0) {
		err = errno;
		close(fd);
		unlink(path);
		return ca_why(why, whylen, CA_EIO, "%s: %s", path,
		    strerror(err));
	}
	if (close(fd) != 0) {
		err = errno;
		unlink(path);
		return ca_why(why, whylen, CA_EIO, "%s: %s", path,
		    strerror(err));
	}
	return CA_OK;
}

/* Make a rename durable: fsync the folder that holds path. */
static void
keyfile_sync_dir(const char *path)
{
	char dir[KEYFILE_PATH_MAX];
	char *slash;
	int fd;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return;
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* Replace a file atomically through a temporary sibling. */
int
keyfile_write_replace(const char *path, const void *data, size_t len,
    mode_t mode, char *why, size_t whylen)
{
	char tmp[KEYFILE_PATH_MAX + 8];
	int rc;

	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		return ca_why(why, whylen, CA_ETOOBIG, "%s: path too long",
		    path);
	unlink(tmp);
	rc = keyfile_write_excl(tmp, data, len, mode, why, whylen);
	if (rc != CA_OK)
		return rc;
	if (rename(tmp, path) != 0) {
		rc = ca_why(why, whylen, CA_EIO, "%s: %s", path,
		    strerror(errno));
		unlink(tmp);
		return rc;
	}
	keyfile_sync_dir(path);
	return rc;
}

/* True when data looks like PEM text rather than DER. */
static int
keyfile_is_pem(const gnutls_datum_t *data)
{
	static const char tag[] = "-----BEGIN ";
	size_t tl = sizeof(tag) - 1;

	for (size_t i = 0; i + tl <= data->size; i++)
		if (memcmp(data->data + i, tag, tl) == 0)
			return 1;
	return 0;
}

/* Parse a PEM certificate list or one DER certificate. */
int
keyfile_parse_certs(const gnutls_datum_t *data, const char *what,
    gnutls_x509_crt_t **list, unsigned *n, char *why, size_t whylen)
{
	gnutls_x509_crt_t *l = NULL;
	unsigned cnt = 0;
	int ret;

	*list = NULL;
	*n = 0;
	if (keyfile_is_pem(data)) {
		ret = gnutls_x509_crt_list_import2(&l, &cnt, data,
		    GNUTLS_X509_FMT_PEM, 0);
		if (ret < 0)
			return ca_why(why, whylen, CA_EPARSE,
			    "%s: not a certificate: %s", what,
			    gnutls_strerror(ret));
	} else {
		l = gnutls_malloc(sizeof(*l));
		if (l == NULL)
			return ca_why(why, whylen, CA_ENOMEM, "%s: no memory",
			    what);
		if (gnutls_x509_crt_init(&l[0]) < 0) {
			gnutls_free(l);
			return ca_why(why, whylen, CA_ENOMEM, "%s: no memory",
			    what);
		}
		ret = gnutls_x509_crt_import(l[0], data, GNUTLS_X509_FMT_DER);
		if (ret < 0) {
			gnutls_x509_crt_deinit(l[0]);
			gnutls_free(l);
			return ca_why(why, whylen, CA_EPARSE,
			    "%s: not a certificate (PEM or DER): %s", what,
			    gnutls_strerror(ret));
		}
		cnt = 1;
	}
	if (cnt == 0 || cnt > KEYFILE_CHAIN_MAX) {
		keyfile_certs_free(l, cnt);
		return ca_why(why, whylen, cnt ? CA_ETOOBIG : CA_EPARSE,
		    "%s: expected 1 to %d certificates, found %u", what,
		    KEYFILE_CHAIN_MAX, cnt);
	}
	*list = l;
	*n = cnt;
	return CA_OK;
}

/* Release a certificate array. */
void
keyfile_certs_free(gnutls_x509_crt_t *list, unsigned n)
{
	if (list == NULL)
		return;
	for (unsigned i = 0; i < n; i++)
		gnutls_x509_crt_deinit(list[i]);
	gnutls_free(list);
}

/* Parse a private key in any of the formats GnuTLS imports. */
int
keyfile_parse_key(const gnutls_datum_t *data, const char *what,
    const char *password, gnutls_x509_privkey_t *out, char *why,
    size_t whylen)
{
	gnutls_x509_privkey_t k = NULL;
	int ret;

	*out = NULL;
	if (gnutls_x509_privkey_init(&k) < 0)
		return ca_why(why, whylen, CA_ENOMEM, "%s: no memory", what);
	ret = gnutls_x509_privkey_import2(k, data, keyfile_is_pem(data) ?
	    GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER, password, 0);
	if (ret < 0) {
		gnutls_x509_privkey_deinit(k);
		if (ret == GNUTLS_E_DECRYPTION_FAILED ||
		    ret == GNUTLS_E_MAC_VERIFY_FAILED ||
		    ret == GNUTLS_E_PKCS11_PIN_ERROR) {
			if (password == NULL)
				return ca_why(why, whylen, CA_EAUTH,
				    "%s: the key is encrypted and no password "
				    "was given", what);
			return ca_why(why, whylen, CA_EAUTH,
			    "%s: wrong password (the key does not decrypt)",
			    what);
		}
		return ca_why(why, whylen, CA_EPARSE,
		    "%s: not a private key: %s", what, gnutls_strerror(ret));
	}
	*out = k;
	return CA_OK;
}

static int keyfile_pin_cb(void *userdata, int attempt, const char *token_url,
    const char *token_label, unsigned flags, char *pin, size_t pin_max);

/* Load PKCS#11 modules once: only the given module, or p11-kit's list. */
int
keyfile_pkcs11_setup(const char *module, char *why, size_t whylen)
{
	int ret, rc = CA_OK;

	pthread_mutex_lock(&keyfile_p11_lock);
	if (keyfile_p11_done)
		goto out;
	if (module != NULL && module[0] != '\0') {
		ret = gnutls_pkcs11_init(GNUTLS_PKCS11_FLAG_MANUAL, NULL);
		if (ret >= 0)
			ret = gnutls_pkcs11_add_provider(module, NULL);
		if (ret < 0) {
			rc = ca_why(why, whylen, CA_ECONFIG,
			    "PKCS#11 module %s: %s", module,
			    gnutls_strerror(ret));
			goto out;
		}
	} else {
		ret = gnutls_pkcs11_init(GNUTLS_PKCS11_FLAG_AUTO, NULL);
		if (ret < 0) {
			rc = ca_why(why, whylen, CA_ECONFIG,
			    "PKCS#11: cannot load p11-kit modules: %s",
			    gnutls_strerror(ret));
			goto out;
		}
	}
	/* Key generation (C_Login before C_GenerateKeyPair) asks this one. */
	gnutls_pkcs11_set_pin_function(keyfile_pin_cb, NULL);
	keyfile_p11_done = 1;
out:
	pthread_mutex_unlock(&keyfile_p11_lock);
	return rc;
}

/* The PIN file of keyfile_set_pin_file ("" when none); set before threads. */
static char keyfile_pin_file[KEYFILE_PATH_MAX];

/* Name the file the PKCS#11 PIN is read from; see keyfile.h. */
int
keyfile_set_pin_file(const char *path, char *why, size_t whylen)
{
	if (path == NULL)
		path = "";
	if (strlen(path) >= sizeof(keyfile_pin_file))
		return ca_why(why, whylen, CA_ETOOBIG, "PIN file: path too long");
	strcpy(keyfile_pin_file, path);
	return CA_OK;
}

/*
 * PIN callback for URIs without a pin-value: the first line of the PIN
 * file when one is named, else ENTCA_PKCS11_PIN. Registered per key and globally, since key
 * generation logs in through the global one.
 */
static int
keyfile_pin_cb(void *userdata, int attempt, const char *token_url,
    const char *token_label, unsigned flags, char *pin, size_t pin_max)
{
	const char *env = getenv("ENTCA_PKCS11_PIN");
	char *filepin = NULL, why[CA_WHY_MAX];
	int ret = -1;

	(void)userdata;
	(void)token_url;
	(void)token_label;
	(void)flags;
	if (attempt > 0)
		return -1;	/* a wrong PIN is not retried: tokens lock */
	/* A PIN file named explicitly wins over the environment. */
	if (keyfile_pin_file[0] != '\0') {
		env = NULL;
		if (keyfile_read_password(keyfile_pin_file, &filepin, why,
		    sizeof(why)) == CA_OK)
			env = filepin;
	}
	if (env != NULL && strlen(env) < pin_max) {
		strcpy(pin, env);
		ret = 0;
	}
	keyfile_password_free(filepin);
	return ret;
}

/* Open a key file, decrypting it with the configured password. */
static int
keyfile_open_file(const struct keyfile_loc *loc, gnutls_privkey_t *out,
    char *why, size_t whylen)
{
	gnutls_datum_t d = { NULL, 0 };
	gnutls_x509_privkey_t xk = NULL;
	gnutls_privkey_t pk = NULL;
	const char *env = getenv("ENTCA_KEY_PASSWORD");
	char *pw = NULL;
	int rc, ret;

	if (env == NULL && loc->password_file[0] != '\0') {
		rc = keyfile_read_password(loc->password_file, &pw, why,
		    whylen);
		if (rc != CA_OK)
			return rc;
	}
	rc = keyfile_read(loc->path, &d, why, whylen);
	if (rc != CA_OK)
		goto out;
	rc = keyfile_parse_key(&d, loc->path, env != NULL ? env : pw, &xk,
	    why, whylen);
	if (rc != CA_OK)
		goto out;
	if (gnutls_privkey_init(&pk) < 0) {
		rc = ca_why(why, whylen, CA_ENOMEM, "%s: no memory", loc->path);
		goto out;
	}
	ret = gnutls_privkey_import_x509(pk, xk,
	    GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE);
	if (ret < 0) {
		rc = ca_why(why, whylen, CA_ECRYPTO, "%s: %s", loc->path,
		    gnutls_strerror(ret));
		goto out;
	}
	xk = NULL;	/* owned by pk now */
	*out = pk;
	pk = NULL;
	rc = CA_OK;
out:
	gnutls_privkey_deinit(pk);
	gnutls_x509_privkey_deinit(xk);
	if (d.data != NULL) {
		gnutls_memset(d.data, 0, d.size);
		gnutls_free(d.data);
	}
	keyfile_password_free(pw);
	return rc;
}

/* Open the key the location names, from a file or a token. */
int
keyfile_open(const struct keyfile_loc *loc, gnutls_privkey_t *out,
    char *why, size_t whylen)
{
	gnutls_privkey_t pk = NULL;
	int rc, ret;

	*out = NULL;
	if (loc->kind == KEYFILE_KIND_FILE)
		return keyfile_open_file(loc, out, why, whylen);
	rc = keyfile_pkcs11_setup(loc->module, why, whylen);
	if (rc != CA_OK)
		return rc;
	if (gnutls_privkey_init(&pk) < 0)
		return ca_why(why, whylen, CA_ENOMEM, "PKCS#11: no memory");
	gnutls_privkey_set_pin_function(pk, keyfile_pin_cb, NULL);
	ret = gnutls_privkey_import_url(pk, loc->uri, 0);
	if (ret < 0) {
		gnutls_privkey_deinit(pk);
		if (ret == GNUTLS_E_PKCS11_PIN_ERROR ||
		    ret == GNUTLS_E_PKCS11_PIN_EXPIRED ||
		    ret == GNUTLS_E_PKCS11_PIN_LOCKED)
			return ca_why(why, whylen, CA_EAUTH,
			    "PKCS#11 key: wrong or missing PIN: %s",
			    gnutls_strerror(ret));
		return ca_why(why, whylen, CA_EIO,
		    "PKCS#11 key: cannot open the object: %s",
		    gnutls_strerror(ret));
	}
	*out = pk;
	return CA_OK;
}

/* Compare the SHA-256 key identifiers of a private key and a certificate. */
int
keyfile_key_matches(gnutls_privkey_t key, gnutls_x509_crt_t crt, char *why,
    size_t whylen)
{
	gnutls_pubkey_t pub = NULL;
	unsigned char a[64], b[64];
	size_t alen = sizeof(a), blen = sizeof(b);
	int ret, rc;

	if (gnutls_pubkey_init(&pub) < 0)
		return ca_why(why, whylen, CA_ENOMEM, "no memory");
	ret = gnutls_pubkey_import_privkey(pub, key, 0, 0);
	if (ret >= 0)
		ret = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256,
		    a, &alen);
	if (ret < 0) {
		rc = ca_why(why, whylen, CA_ECRYPTO,
		    "cannot read the public half of the CA key: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	ret = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, b,
	    &blen);
	if (ret < 0) {
		rc = ca_why(why, whylen, CA_ECRYPTO,
		    "cannot read the certificate's public key: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	if (alen != blen || memcmp(a, b, alen) != 0) {
		rc = ca_why(why, whylen, CA_EPOLICY,
		    "the certificate's public key is not the CA key's");
		goto out;
	}
	rc = CA_OK;
out:
	gnutls_pubkey_deinit(pub);
	return rc;
}

/* Copy a JSON string member into dst, refusing over-long values. */
static int
keyfile_json_str(json_t *obj, const char *name, char *dst, size_t dstlen,
    int required)
{
	json_t *v = json_object_get(obj, name);

	dst[0] = '\0';
	if (v == NULL)
		return required ? -1 : 0;
	if (!json_is_string(v) || json_string_length(v) >= dstlen)
		return -1;
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* Make a relative path absolute against the state folder. */
static int
keyfile_resolve(const char *state_dir, char *path, size_t len)
{
	char tmp[KEYFILE_PATH_MAX];

	if (path[0] == '\0' || path[0] == '/')
		return 0;
	if (snprintf(tmp, sizeof(tmp), "%s/%s", state_dir, path) >=
	    (int)sizeof(tmp) || strlen(tmp) >= len)
		return -1;
	strcpy(path, tmp);
	return 0;
}

/* Load and check STATE/ca.json. */
int
keyfile_loc_load(const char *state_dir, struct keyfile_loc *loc, int *pending,
    char *why, size_t whylen)
{
	char path[KEYFILE_PATH_MAX], st[16], type[16];
	gnutls_datum_t d = { NULL, 0 };
	json_error_t jerr;
	json_t *root = NULL, *key, *v;
	int rc;

	memset(loc, 0, sizeof(*loc));
	if (snprintf(path, sizeof(path), "%s/ca.json", state_dir) >=
	    (int)sizeof(path))
		return ca_why(why, whylen, CA_ETOOBIG, "%s: path too long",
		    state_dir);
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		if (access(state_dir, R_OK | X_OK) != 0)
			return ca_why(why, whylen, CA_EIO,
			    "state folder %s: %s", state_dir,
			    strerror(errno));
		return ca_why(why, whylen, CA_ENOTFOUND,
		    "state folder %s holds no CA (run entca init)",
		    state_dir);
	}
	rc = keyfile_read(path, &d, why, whylen);
	if (rc != CA_OK)
		return rc;
	root = json_loadb((const char *)d.data, d.size, JSON_REJECT_DUPLICATES,
	    &jerr);
	gnutls_memset(d.data, 0, d.size);	/* a URI may carry a PIN */
	gnutls_free(d.data);
	if (root == NULL || !json_is_object(root)) {
		rc = ca_why(why, whylen, CA_EPARSE, "%s: line %d: %s", path,
		    jerr.line, root ? "not an object" : jerr.text);
		goto out;
	}
	v = json_object_get(root, "version");
	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		rc = ca_why(why, whylen, CA_EPARSE,
		    "%s: version: expected a positive integer", path);
		goto out;
	}
	if (json_integer_value(v) > KEYFILE_LOC_VERSION) {
		rc = ca_why(why, whylen, CA_EVERSION,
		    "%s: version %lld is newer than this entca (%d)", path,
		    (long long)json_integer_value(v), KEYFILE_LOC_VERSION);
		goto out;
	}
	if (keyfile_json_str(root, "state", st, sizeof(st), 1) != 0 ||
	    (strcmp(st, "ready") != 0 && strcmp(st, "pending") != 0)) {
		rc = ca_why(why, whylen, CA_EPARSE,
		    "%s: state: expected \"ready\" or \"pending\"", path);
		goto out;
	}
	if (pending != NULL)
		*pending = strcmp(st, "pending") == 0;
	key = json_object_get(root, "key");
	if (!json_is_object(key) ||
	    keyfile_json_str(key, "type", type, sizeof(type), 1) != 0) {
		rc = ca_why(why, whylen, CA_EPARSE,
		    "%s: key: expected an object with a type", path);
		goto out;
	}
	if (strcmp(type, "file") == 0) {
		loc->kind = KEYFILE_KIND_FILE;
		v = json_object_get(key, "encrypted");
		loc->encrypted = json_is_true(v);
		if (keyfile_json_str(key, "path", loc->path,
		    sizeof(loc->path), 1) != 0 ||
		    keyfile_json_str(key, "password-file", loc->password_file,
		    sizeof(loc->password_file), 0) != 0 ||
		    keyfile_resolve(state_dir, loc->path,
		    sizeof(loc->path)) != 0) {
			rc = ca_why(why, whylen, CA_EPARSE,
			    "%s: key: bad path or password-file", path);
			goto out;
		}
	} else if (strcmp(type, "pkcs11") == 0) {
		loc->kind = KEYFILE_KIND_PKCS11;
		if (keyfile_json_str(key, "uri", loc->uri, sizeof(loc->uri),
		    1) != 0 || strncmp(loc->uri, "pkcs11:", 7) != 0 ||
		    keyfile_json_str(key, "module", loc->module,
		    sizeof(loc->module), 0) != 0) {
			rc = ca_why(why, whylen, CA_EPARSE,
			    "%s: key: expected a pkcs11: uri", path);
			goto out;
		}
	} else {
		rc = ca_why(why, whylen, CA_EPARSE,
		    "%s: key: type: expected \"file\" or \"pkcs11\"", path);
		goto out;
	}
	rc = CA_OK;
out:
	json_decref(root);
	return rc;
}

/* Build the ca.json text for a key location. */
int
keyfile_loc_format(const struct keyfile_loc *loc, int pending, char **out)
{
	json_t *root, *key;

	*out = NULL;
	if (loc->kind == KEYFILE_KIND_FILE) {
		key = json_pack("{s:s, s:s, s:b}", "type", "file", "path",
		    loc->path, "encrypted", loc->encrypted);
		if (key != NULL && loc->password_file[0] != '\0')
			json_object_set_new(key, "password-file",
			    json_string(loc->password_file));
	} else {
		key = json_pack("{s:s, s:s}", "type", "pkcs11", "uri",
		    loc->uri);
		if (key != NULL && loc->module[0] != '\0')
			json_object_set_new(key, "module",
			    json_string(loc->module));
	}
	if (key == NULL)
		return CA_ENOMEM;
	root = json_pack("{s:i, s:s, s:o}", "version", KEYFILE_LOC_VERSION,
	    "state", pending ? "pending" : "ready", "key", key);
	if (root == NULL)
		return CA_ENOMEM;
	*out = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(root);
	if (*out == NULL)
		return CA_ENOMEM;
	return CA_OK;
}

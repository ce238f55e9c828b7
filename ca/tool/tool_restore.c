/*
 * `entca restore DIR` and the files `entca backup` adds for it. A restore
 * never touches a live CA: it refuses a target state folder that is not
 * empty, or whose store another process holds open (entcad keeps an
 * fcntl lock on the store's lock.mdb while it runs, as every LMDB user
 * does). It builds the new state in a temporary folder beside the target
 * (same file system), verifies it there (the key matches the certificate,
 * the store opens and its certificates chain to the CA, the counts), and
 * only then renames it into place: a failure at any step leaves the target
 * as it was. Tool main thread only.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pwd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>
#include <jansson.h>

#include "common/clock.h"
#include "common/error.h"
#include "ca/identity/identity.h"
#include "ca/issue/crl_publish.h"
#include "ca/signer/keyfile.h"
#include "ca/store/store.h"
#include "ca/tool/tool_ca.h"
#include "ca/tool/tool_restore.h"

/* Bytes copied per read when a backup file is copied. */
#define RESTORE_COPY_CHUNK (256 * 1024)
/* Certificates of the store whose signature the restore checks. */
#define RESTORE_VERIFY_SAMPLE 64
/* The CRL folder inside a state folder (crl_publish.c writes there). */
#define RESTORE_CRL_DIR "crl"

/* out = a "/" b; false (and out empty) when it does not fit PATH_MAX. */
static bool
path_join(char *out, const char *a, const char *b)
{
	if (snprintf(out, PATH_MAX, "%s/%s", a, b) >= PATH_MAX) {
		out[0] = '\0';
		return false;
	}
	return true;
}

/* Copy src to dst (created exclusively with mode), fsynced. */
static int
copy_file(const char *src, const char *dst, mode_t mode, char *why,
    size_t whylen)
{
	unsigned char *buf = NULL;
	int in = -1, out = -1, rc = CA_OK;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return ca_why(why, whylen, CA_EIO, "%s: %s", src,
		    strerror(errno));
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	buf = malloc(RESTORE_COPY_CHUNK);
	if (out < 0 || buf == NULL) {
		rc = ca_why(why, whylen, out < 0 ? CA_EIO : CA_ENOMEM, "%s: %s",
		    dst, out < 0 ? strerror(errno) : "out of memory");
		goto out;
	}
	while ((n = read(in, buf, RESTORE_COPY_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || keyfile_write_all(out, buf, (size_t)n) != 0) {
			rc = ca_why(why, whylen, CA_EIO, "%s: %s",
			    n < 0 ? src : dst, strerror(errno));
			goto out;
		}
	}
	if (fsync(out) != 0)
		rc = ca_why(why, whylen, CA_EIO, "%s: %s", dst, strerror(errno));
out:
	free(buf);
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0 && rc == CA_OK)
		rc = ca_why(why, whylen, CA_EIO, "%s: %s", dst, strerror(errno));
	if (rc != CA_OK && out >= 0)
		unlink(dst);
	return rc;
}

/* Whether path names an existing file (any kind). */
static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Copy dir/name to dst/name when it exists there. */
static int
copy_if_present(const char *dir, const char *dst, const char *name,
    mode_t mode, char *why, size_t whylen)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (!path_join(a, dir, name) || !path_join(b, dst, name))
		return ca_why(why, whylen, CA_ETOOBIG, "%s/%s: path too long",
		    dir, name);
	if (!exists(a))
		return CA_OK;
	return copy_file(a, b, mode, why, whylen);
}

/* Copy every regular file of src/crl into dst/crl (created). */
static int
copy_crl_dir(const char *src, const char *dst, char *why, size_t whylen)
{
	char from[PATH_MAX], to[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = CA_OK;

	if (!path_join(from, src, RESTORE_CRL_DIR) ||
	    !path_join(to, dst, RESTORE_CRL_DIR))
		return ca_why(why, whylen, CA_ETOOBIG, "%s: path too long", src);
	if ((d = opendir(from)) == NULL)
		return errno == ENOENT ? CA_OK : ca_why(why, whylen, CA_EIO,
		    "%s: %s", from, strerror(errno));
	if (mkdir(to, 0755) != 0 && errno != EEXIST) {
		closedir(d);
		return ca_why(why, whylen, CA_EIO, "%s: %s", to, strerror(errno));
	}
	while (rc == CA_OK && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;	/* ., .., and half-written .tmp files */
		if (!path_join(a, from, de->d_name) ||
		    !path_join(b, to, de->d_name))
			continue;
		if (stat(a, &st) == 0 && S_ISREG(st.st_mode))
			rc = copy_file(a, b, 0644, why, whylen);
	}
	closedir(d);
	return rc;
}

/* Add ca-chain.pem, tls.*, the PKCS#11 ca.json, crl.highwater, crl/; see .h. */
/*
 * The certificate half of copying a renewed CA's history folder from
 * src_dir to dst_dir (backup and restore alike): from and to (PATH_MAX)
 * get the two folders, to is made, and every ca(N).crt is copied. CA_OK
 * with *present false when src_dir has no history; else the code with why.
 */
static int
history_certs(const char *src_dir, const char *dst_dir, char *from, char *to,
    bool *present, char *why, size_t whylen)
{
	char name[32];
	struct stat st;
	int rc = CA_OK;

	*present = false;
	if (!path_join(from, src_dir, CA_IDENTITY_HISTORY_DIR) ||
	    !path_join(to, dst_dir, CA_IDENTITY_HISTORY_DIR))
		return ca_why(why, whylen, CA_ETOOBIG, "%s: path too long",
		    src_dir);
	if (stat(from, &st) != 0)
		return CA_OK;
	if (mkdir(to, 0700) != 0 && errno != EEXIST)
		return ca_why(why, whylen, CA_EIO, "%s: %s", to, strerror(errno));
	*present = true;
	for (unsigned i = 0; rc == CA_OK && i < CA_IDENTITY_HISTORY_MAX; i++) {
		snprintf(name, sizeof(name), "ca(%u).crt", i);
		rc = copy_if_present(from, to, name, 0644, why, whylen);
	}
	return rc;
}

/*
 * A renewed CA's history (ca/identity/identity.h): every earlier CA
 * certificate, and with a password every earlier key as
 * ca-history/key(K)/ca.p12 (entca backup's format for the current key).
 */
static int
backup_history(const char *state_dir, const char *dir, const char *password,
    char *why, size_t whylen)
{
	char from[PATH_MAX], to[PATH_MAX], name[32], a[PATH_MAX], b[PATH_MAX];
	struct stat st;
	bool present;
	int rc;

	rc = history_certs(state_dir, dir, from, to, &present, why, whylen);
	for (unsigned k = 0; rc == CA_OK && present && password != NULL &&
	    k < CA_IDENTITY_HISTORY_MAX; k++) {
		snprintf(name, sizeof(name), "key(%u)", k);
		if (!path_join(a, from, name) || stat(a, &st) != 0 ||
		    !path_join(b, to, name))
			continue;
		if (mkdir(b, 0700) != 0)
			return ca_why(why, whylen, CA_EIO, "%s: %s", b, strerror(errno));
		rc = tool_backup_identity(a, b, password, why, whylen);
	}
	return rc;
}

int
tool_backup_extras(const char *state_dir, const char *dir, bool with_key,
    const char *password, char *why, size_t whylen)
{
	struct keyfile_loc loc;
	int rc;

	rc = copy_if_present(state_dir, dir, "ca-chain.pem", 0644, why, whylen);
	/* With the key, entcad's TLS identity too: the same server again. */
	if (rc == CA_OK && with_key)
		rc = copy_if_present(state_dir, dir, "tls.key", 0600, why, whylen);
	if (rc == CA_OK && with_key)
		rc = copy_if_present(state_dir, dir, "tls.crt", 0644, why, whylen);
	if (rc == CA_OK)
		rc = copy_if_present(state_dir, dir, CRLPUB_HIGHWATER_FILE, 0600,
		    why, whylen);
	if (rc == CA_OK)
		rc = copy_crl_dir(state_dir, dir, why, whylen);
	if (rc == CA_OK)
		rc = backup_history(state_dir, dir, with_key ? password : NULL, why,
		    whylen);
	if (rc != CA_OK)
		return rc;
	/* A token key never leaves the token: its reference is the backup. */
	rc = keyfile_loc_load(state_dir, &loc, NULL, why, whylen);
	if (rc == CA_OK && loc.kind == KEYFILE_KIND_PKCS11)
		rc = copy_if_present(state_dir, dir, "ca.json", 0600, why, whylen);
	return rc;
}

/* Whether dir is missing or has no entries but . and .. */
static bool
dir_empty_or_missing(const char *dir, char *first, size_t len)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	bool empty = true;

	if (d == NULL)
		return errno == ENOENT;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			snprintf(first, len, "%s", de->d_name);
			empty = false;
			break;
		}
	closedir(d);
	return empty;
}

/* Remove a temporary restore folder and what it holds (two levels). */
static void
remove_tree(const char *dir)
{
	char sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!path_join(sub, dir, de->d_name))
			continue;
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(sub);
		else
			unlink(sub);
	}
	closedir(d);
	rmdir(dir);
}

/* Counting walk: verify a sample of the store's certificates. */
struct restore_walk {
	struct store_txn *t;
	gnutls_x509_crt_t *cas;
	unsigned n_cas;
	size_t seen, checked, bad;
	char bad_serial[2 * STORE_SERIAL_MAX + 1];
};

/* Check one stored certificate's signature against the CA certificates. */
static int
restore_check_cert(const unsigned char *serial, size_t len, int64_t na,
    void *arg)
{
	struct restore_walk *w = arg;
	struct store_cert c;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d;
	unsigned status = 0;

	(void)na;
	w->seen++;
	if (w->checked >= RESTORE_VERIFY_SAMPLE)
		return 0;
	memset(&c, 0, sizeof(c));
	if (store_get_cert(w->t, serial, len, &c) != CA_OK || c.der == NULL) {
		store_cert_clear(&c);
		return 0;	/* a revoked-by-serial record has no DER */
	}
	d.data = c.der;
	d.size = (unsigned)c.der_len;
	w->checked++;
	if (gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0 ||
	    gnutls_x509_crt_verify(crt, w->cas, w->n_cas,
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
	    GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS, &status) < 0 ||
	    status != 0) {
		if (w->bad++ == 0)
			for (size_t i = 0; i < len; i++)
				snprintf(w->bad_serial + 2 * i, 3, "%02x", serial[i]);
	}
	gnutls_x509_crt_deinit(crt);
	store_cert_clear(&c);
	return 0;
}

/*
 * Verify the state built in tmp: the identity loads, the key (file or
 * token) opens and matches the CA certificate, the store opens read-only
 * and its certificates verify with the CA certificates. Prints the counts.
 */
static int
restore_verify(const char *tmp, char *why, size_t whylen)
{
	struct ca_identity *id = NULL;
	struct store *s = NULL;
	struct store_options so = { .read_only = 1 };
	struct store_stats st;
	struct store_txn *t = NULL;
	struct restore_walk w;
	gnutls_privkey_t key = NULL;
	gnutls_x509_crt_t *cas = NULL;
	char path[PATH_MAX];
	unsigned n = 0;
	int rc;

	memset(&w, 0, sizeof(w));
	rc = ca_identity_load(tmp, &id, why, whylen);
	if (rc == CA_OK)
		rc = keyfile_open(&id->key, &key, why, whylen);
	if (rc == CA_OK && keyfile_key_matches(key, id->cert, why, whylen) != CA_OK)
		rc = ca_why(why, whylen, CA_EPOLICY, "the CA key does not match "
		    "the CA certificate of the backup");
	if (rc != CA_OK)
		goto out;
	/* Every CA certificate: a renewed CA's store holds what each issued. */
	rc = ca_identity_history(tmp, &cas, &n, why, whylen);
	if (rc != CA_OK)
		goto out;
	path_join(path, tmp, "db");
	rc = store_open(path, &so, &s, why, whylen);
	if (rc == CA_OK)
		rc = store_stats(s, &st, why, whylen);
	if (rc == CA_OK)
		rc = store_read_begin(s, &t, why, whylen);
	if (rc != CA_OK)
		goto out;
	w.t = t;
	w.cas = cas;
	w.n_cas = n;
	store_iter_expiring(t, INT64_MIN, INT64_MAX, restore_check_cert, &w);
	store_read_end(t);
	t = NULL;
	if (w.bad > 0) {
		rc = ca_why(why, whylen, CA_EPOLICY, "the store holds certificates "
		    "this CA did not sign (%zu of the %zu checked, serial %s): it "
		    "belongs to another CA", w.bad, w.checked, w.bad_serial);
		goto out;
	}
	printf("verified: the CA key matches the certificate; the store opens: "
	    "%llu certificates (%llu revoked), %llu requests (%llu pending), "
	    "%llu templates, %llu audit events; %zu certificate signatures "
	    "checked\n", (unsigned long long)st.certs,
	    (unsigned long long)st.revoked, (unsigned long long)st.requests,
	    (unsigned long long)st.pending, (unsigned long long)st.templates,
	    (unsigned long long)st.audit_events, w.checked);
out:
	store_read_end(t);
	store_close(s);
	keyfile_certs_free(cas, n);
	gnutls_privkey_deinit(key);
	ca_identity_free(id);
	return rc;
}

/* Writer thread: append the restore's audit event. */
static int
restore_audit_apply(struct store_wtxn *w, void *arg)
{
	return store_w_audit(w, arg, NULL);
}

/*
 * Record the restore in the restored store itself (before the switch), so
 * the audit trail says who brought this state back and from where.
 */
static int
restore_audit(const char *tmp, const char *src, char *why, size_t whylen)
{
	struct passwd *pw = getpwuid(getuid());
	struct store *s = NULL;
	char path[PATH_MAX], *txt;
	json_t *ev;
	int rc;

	path_join(path, tmp, "db");
	ev = json_pack("{s:I,s:s+,s:s,s:s,s:s,s:s}", "time", (json_int_t)ca_now(),
	    "who", "local:", pw != NULL ? pw->pw_name : "unknown", "from", "local",
	    "action", "restore", "decision", "done", "backup", src);
	txt = ev != NULL ? json_dumps(ev, JSON_COMPACT) : NULL;
	json_decref(ev);
	if (txt == NULL)
		return ca_why(why, whylen, CA_ENOMEM, "out of memory");
	rc = store_open(path, NULL, &s, why, whylen);
	if (rc == CA_OK)
		rc = store_submit_wait(s, restore_audit_apply, txt, why, whylen);
	store_close(s);
	free(txt);
	return rc;
}

/* fsync a folder so that a rename in it is durable. */
static void
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * Import the PKCS#12 file p12 (password p12pw) as the identity of the
 * state folder state: the key encrypted with keypw (from keypw_file) when
 * given, entcad's TLS certificate made unless no_tls.
 */
static int
import_p12_file(const char *p12, const char *state, bool no_tls,
    const char *p12pw, const char *keypw, const char *keypw_file, char *why,
    size_t whylen)
{
	struct ca_init_opts o;
	gnutls_datum_t d = { NULL, 0 };
	int rc;

	memset(&o, 0, sizeof(o));
	o.state_dir = state;
	o.days = 1;	/* unused by an import; checked to be in range */
	o.no_tls = no_tls;
	o.key_password = keypw;
	o.key_password_file = keypw_file;
	rc = keyfile_read(p12, &d, why, whylen);
	if (rc == CA_OK)
		rc = ca_identity_import_p12(&o, &d, p12pw, why, whylen);
	if (d.data != NULL)
		gnutls_memset(d.data, 0, d.size);
	gnutls_free(d.data);
	return rc;
}

/* The history of a renewed CA: ca(N).crt copied, key(K)/ca.p12 imported. */
static int
restore_history(const char *src, const char *tmp, const char *p12pw,
    const char *keypw, const char *keypw_file, char *why, size_t whylen)
{
	char from[PATH_MAX], to[PATH_MAX], name[32], a[PATH_MAX], b[PATH_MAX];
	bool present;
	int rc;

	rc = history_certs(src, tmp, from, to, &present, why, whylen);
	for (unsigned k = 0; rc == CA_OK && present &&
	    k < CA_IDENTITY_HISTORY_MAX; k++) {
		snprintf(name, sizeof(name), "key(%u)/ca.p12", k);
		if (!path_join(a, from, name) || !exists(a))
			continue;
		snprintf(name, sizeof(name), "key(%u)", k);
		if (!path_join(b, to, name))
			continue;
		rc = import_p12_file(a, b, true, p12pw, keypw, keypw_file, why,
		    whylen);
	}
	return rc;
}

/* The identity part of a restore: from ca.p12, or the token's ca.json. */
static int
restore_identity(const char *src, const char *tmp, const char *p12pw,
    const char *keypw, const char *keypw_file, char *why, size_t whylen)
{
	char path[PATH_MAX];
	bool own_tls;
	int rc;

	path_join(path, src, "tls.crt");
	own_tls = exists(path);
	snprintf(path, sizeof(path), "%s/ca.p12", src);
	if (exists(path)) {
		if (p12pw == NULL)
			return ca_why(why, whylen, CA_EAUTH, "%s holds the CA key "
			    "(ca.p12): give its password with --password-file F "
			    "or $ENTCA_P12_PASSWORD", src);
		rc = import_p12_file(path, tmp, own_tls, p12pw, keypw,
		    keypw_file, why, whylen);
		if (rc != CA_OK)
			return rc;
	} else {
		path_join(path, src, "ca.json");
		if (!exists(path))
			return ca_why(why, whylen, CA_ENOTFOUND, "%s holds no CA key: "
			    "neither ca.p12 (entca backup --with-key) nor a PKCS#11 "
			    "reference (ca.json); a CA cannot run without its key", src);
		rc = copy_if_present(src, tmp, "ca.json", 0600, why, whylen);
		if (rc == CA_OK)
			rc = copy_if_present(src, tmp, "ca.crt", 0644, why, whylen);
		if (rc == CA_OK)
			rc = copy_if_present(src, tmp, "ca-chain.pem", 0644, why,
			    whylen);
		if (rc != CA_OK)
			return rc;
	}
	/* A renewed CA's history: its certificates and earlier keys. */
	rc = restore_history(src, tmp, p12pw, keypw, keypw_file, why, whylen);
	if (rc != CA_OK)
		return rc;
	/* entcad's own TLS key and certificate, kept as backed up. */
	if (own_tls) {
		rc = copy_if_present(src, tmp, "tls.key", 0600, why, whylen);
		if (rc == CA_OK)
			rc = copy_if_present(src, tmp, "tls.crt", 0644, why, whylen);
		if (rc != CA_OK)
			return rc;
	}
	return CA_OK;
}

/* Restore the backup src into the empty or missing state folder target. */
static int
restore_run(const char *src, const char *target, const char *p12pw,
    const char *keypw, const char *keypw_file, char *why, size_t whylen)
{
	char tmp[PATH_MAX], path[PATH_MAX], first[NAME_MAX + 1] = "";
	char parent[PATH_MAX], *slash;
	long pid = 0;
	int rc;

	path_join(path, target, "db");
	if (store_in_use(path, &pid))
		return ca_why(why, whylen, CA_ESTATE, "the store in %s is open in "
		    "process %ld (entcad running?): stop it first; a restore never "
		    "replaces a live CA", target, pid);
	if (!dir_empty_or_missing(target, first, sizeof(first)))
		return ca_why(why, whylen, CA_EEXIST, "%s is not empty (%s): a "
		    "restore goes into a new or empty state folder and never "
		    "overwrites a CA; move the old one aside first", target, first);
	path_join(path, src, "data.mdb");
	if (!exists(path))
		return ca_why(why, whylen, CA_ENOTFOUND, "%s: not an entca backup "
		    "(no data.mdb)", src);
	path_join(path, src, "ca.crt");
	if (!exists(path))
		return ca_why(why, whylen, CA_ENOTFOUND, "%s: not an entca backup "
		    "(no ca.crt)", src);
	/* Beside the target, so that the final rename stays on one disk. */
	if (snprintf(tmp, sizeof(tmp), "%s.restore-XXXXXX", target) >=
	    (int)sizeof(tmp) || mkdtemp(tmp) == NULL)
		return ca_why(why, whylen, CA_EIO, "%s.restore-*: %s", target,
		    strerror(errno));
	rc = restore_identity(src, tmp, p12pw, keypw, keypw_file, why, whylen);
	if (rc != CA_OK)
		goto out;
	path_join(path, tmp, "db");
	if (mkdir(path, 0700) != 0) {
		rc = ca_why(why, whylen, CA_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = copy_if_present(src, path, "data.mdb", 0600, why, whylen);
	if (rc == CA_OK)
		rc = copy_if_present(src, tmp, CRLPUB_HIGHWATER_FILE, 0600, why,
		    whylen);
	if (rc == CA_OK)
		rc = copy_crl_dir(src, tmp, why, whylen);
	if (rc == CA_OK)
		rc = restore_verify(tmp, why, whylen);
	if (rc == CA_OK)
		rc = restore_audit(tmp, src, why, whylen);
	if (rc != CA_OK)
		goto out;
	/* rename(2) replaces an empty folder in one step. */
	if (rename(tmp, target) != 0) {
		rc = ca_why(why, whylen, CA_EIO, "rename %s to %s: %s", tmp, target,
		    strerror(errno));
		goto out;
	}
	snprintf(parent, sizeof(parent), "%s", target);
	slash = strrchr(parent, '/');
	if (slash == NULL)
		snprintf(parent, sizeof(parent), ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	sync_dir(parent);
	return CA_OK;
out:
	remove_tree(tmp);
	return rc;
}

/* entca restore DIR: see tool_restore.h. */
int
tool_restore_main(int argc, char **argv, const char *conf_state)
{
	static const char usage[] = "usage: entca restore DIR [--state S] "
	    "[--password-file F] [--key-password-file K]\n"
	    "  DIR: a folder written by entca backup; S: the state folder to "
	    "create (default: the state-dir of -c / $ENTCA_CONF), which must be "
	    "missing or empty\n  F: the password of DIR/ca.p12 (else "
	    "$ENTCA_P12_PASSWORD); K: encrypt the restored ca.key with it\n";
	struct option opts[TOOL_CA_OPTS_MAX];
	const char *state = conf_state, *pwfile = NULL, *kfile = NULL;
	char why[CA_WHY_MAX] = "", *pw = NULL, *kpw = NULL;
	const char *p12pw;
	int c, status = 1;

	tool_ca_options("sPKh", opts);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': state = optarg; break;
		case 'P': pwfile = optarg; break;
		case 'K': kfile = optarg; break;
		case 'h': printf("%s", usage); return 0;
		default: fprintf(stderr, "entca restore: unknown option or "
		    "missing value\n%s", usage); return 2;
		}
	}
	if (optind + 1 != argc || state == NULL) {
		fprintf(stderr, "entca restore: %s\n%s", state == NULL ?
		    "say which state folder to restore into (--state S or -c "
		    "entcad.conf)" : "expected one backup folder", usage);
		return 2;
	}
	if (pwfile != NULL && keyfile_read_password(pwfile, &pw, why,
	    sizeof(why)) != CA_OK)
		goto out;
	if (kfile != NULL && keyfile_read_password(kfile, &kpw, why,
	    sizeof(why)) != CA_OK)
		goto out;
	p12pw = pw != NULL ? pw : getenv("ENTCA_P12_PASSWORD");
	if (restore_run(argv[optind], state, p12pw, kpw, kfile, why,
	    sizeof(why)) != CA_OK)
		goto out;
	printf("restored %s into %s; start entcad (it continues CRL numbering "
	    "above every CRL published and takes back the revocations they list)\n",
	    argv[optind], state);
	status = 0;
out:
	if (status != 0)
		fprintf(stderr, "entca restore: %s\n", why);
	keyfile_password_free(pw);
	keyfile_password_free(kpw);
	return status;
}

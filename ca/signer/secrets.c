/*
 * Secret files of the CA: checks and hand-over to the signer's account
 * (see secrets.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "ca/signer/secrets.h"

/* chown and chmod one file without following a link; CA_OK or CA_EIO. */
static int
set_owner(const char *path, uid_t uid, gid_t gid, mode_t mode, bool dir,
    char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    (dir ? O_DIRECTORY : 0));
	int rc = CA_OK;

	if (fd < 0 || fchown(fd, uid, gid) != 0 ||
	    (mode != 0 && fchmod(fd, mode) != 0))
		rc = ca_why(why, whylen, CA_EIO, "%s: cannot hand over to the "
		    "signer: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Most earlier keys looked for (ca/identity: CA_IDENTITY_HISTORY_MAX). */
#define SECRETS_HISTORY_MAX 64

/*
 * A renewed CA's earlier keys (ca-history/key(K)/, ca/identity/identity.h)
 * get the same hand-over as the current one: their folders and ca.json
 * to [ca] user with the signer's group, their key files to the signer.
 */
static int
secrets_prepare_history(const struct ca_config *c, const struct secrets_files *f,
    char *why, size_t whylen)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	struct stat st;
	int rc = CA_OK;

	if (snprintf(dir, sizeof(dir), "%s/ca-history", c->state_dir) >=
	    (int)sizeof(dir) || stat(dir, &st) != 0)
		return CA_OK;
	rc = set_owner(dir, f->user_uid, f->signer_gid, 0710, true, why, whylen);
	for (unsigned k = 0; rc == CA_OK && k < SECRETS_HISTORY_MAX; k++) {
		if (snprintf(dir, sizeof(dir), "%s/ca-history/key(%u)", c->state_dir,
		    k) >= (int)sizeof(dir) || stat(dir, &st) != 0)
			continue;
		rc = set_owner(dir, f->user_uid, f->signer_gid, 0710, true, why,
		    whylen);
		snprintf(path, sizeof(path), "%s/ca.json", dir);
		if (rc == CA_OK)
			rc = set_owner(path, f->user_uid, f->signer_gid, 0640, false,
			    why, whylen);
		snprintf(path, sizeof(path), "%s/ca.key", dir);
		if (rc == CA_OK && stat(path, &st) == 0)
			rc = set_owner(path, f->signer_uid, f->signer_gid, 0, false,
			    why, whylen);
	}
	return rc;
}

/*
 * Before the signer starts: the key file (and its password file) must be
 * readable by its owner only, and, when we are root, that owner becomes
 * [ca] signer-user, the account no other process of ours ever has. As root
 * the state folder goes to [ca] user with the signer's group (0710: the
 * signer may enter, not list) and ca.json to the same pair (0640). Loose
 * modes are refused, never fixed silently (issue 20 item 8). With
 * check_only nothing is changed, only checked.
 */
int
secrets_prepare(const struct ca_config *c, bool check_only,
    struct secrets_files *f, char *why, size_t whylen)
{
		struct passwd *pw;
	uid_t owners[3];
	size_t n;
	int rc;

	memset(f, 0, sizeof(*f));
	if (keyfile_loc_load(c->state_dir, &f->loc, NULL, why, whylen) != CA_OK)
		return CA_OK;	/* daemon_open names the problem */
	f->file_key = f->loc.kind == KEYFILE_KIND_FILE;
	snprintf(f->pin_file, sizeof(f->pin_file), "%s", c->pkcs11_pin_file);
	if (snprintf(f->ca_json, sizeof(f->ca_json), "%s/ca.json",
	    c->state_dir) >= (int)sizeof(f->ca_json))
		return ca_why(why, whylen, CA_ECONFIG, "[ca] state-dir: path "
		    "too long");
	f->root = geteuid() == 0;
	if (f->root) {
		pw = getpwnam(c->signer_user);
		if (pw == NULL)
			return ca_why(why, whylen, CA_ECONFIG, "[ca] signer-user "
			    "%s: no such user; create it (useradd --system "
			    "--no-create-home --shell /usr/sbin/nologin %s) or "
			    "name another account", c->signer_user,
			    c->signer_user);
		if (pw->pw_uid == 0)
			return ca_why(why, whylen, CA_ECONFIG, "[ca] signer-user "
			    "%s is root; the signer needs an account of its "
			    "own", c->signer_user);
		f->signer_uid = pw->pw_uid;
		f->signer_gid = pw->pw_gid;
		if (c->user[0] != '\0') {
			pw = getpwnam(c->user);
			if (pw == NULL)
				return ca_why(why, whylen, CA_ECONFIG,
				    "[ca] user %s: no such user", c->user);
			if (pw->pw_uid == f->signer_uid)
				return ca_why(why, whylen, CA_ECONFIG, "[ca] user "
				    "and signer-user are the same account (uid "
				    "%u); the network process must not be able "
				    "to open the key", (unsigned)pw->pw_uid);
			f->user_uid = pw->pw_uid;
		}
	}
	/* As root: ours before the hand-over, the signer's after; the key
	 * of an earlier version was handed to [ca] user, so take it back. */
	n = 0;
	if (f->root) {
		owners[n++] = 0;
		owners[n++] = f->signer_uid;
		if (c->user[0] != '\0')
			owners[n++] = f->user_uid;
	} else
		owners[n++] = geteuid();
	if (f->file_key) {
		rc = keyfile_check_secret(f->loc.path, owners, n,
		    f->root ? c->signer_user : "$USER", why, whylen);
		if (rc == CA_OK && f->loc.password_file[0] != '\0')
			rc = keyfile_check_secret(f->loc.password_file, owners, n,
			    f->root ? c->signer_user : "$USER", why, whylen);
		if (rc != CA_OK)
			return rc;
	}
	if (!f->file_key && f->pin_file[0] != '\0') {
		rc = keyfile_check_secret(f->pin_file, owners, n,
		    f->root ? c->signer_user : "$USER", why, whylen);
		if (rc != CA_OK)
			return rc;
	}
	if (!f->root || check_only)
		return CA_OK;
	if (!f->file_key && f->pin_file[0] != '\0') {
		rc = set_owner(f->pin_file, f->signer_uid, f->signer_gid, 0,
		    false, why, whylen);
		if (rc != CA_OK)
			return rc;
	}
	if (f->file_key) {
		rc = set_owner(f->loc.path, f->signer_uid, f->signer_gid, 0,
		    false, why, whylen);
		if (rc == CA_OK && f->loc.password_file[0] != '\0')
			rc = set_owner(f->loc.password_file, f->signer_uid,
			    f->signer_gid, 0, false, why, whylen);
		if (rc != CA_OK)
			return rc;
	}
	rc = set_owner(f->ca_json, f->user_uid, f->signer_gid, 0640, false, why,
	    whylen);
	if (rc == CA_OK)
		rc = set_owner(c->state_dir, f->user_uid, f->signer_gid, 0710,
		    true, why, whylen);
	if (rc == CA_OK)
		rc = secrets_prepare_history(c, f, why, whylen);
	return rc;
}

/* Whether path stays the signer's when the state goes to [ca] user. */
bool
secrets_is_signers(const struct secrets_files *f, const char *path)
{
	const char *h = strstr(path, "/ca-history/key(");
	const char *base = strrchr(path, '/');

	/* An earlier key's files (a renewed CA) stay the signer's too. */
	if (h != NULL && base != NULL && base > h && strchr(h + 16, '/') == base &&
	    (strcmp(base, "/ca.key") == 0 || strcmp(base, "/ca.json") == 0))
		return true;
	return strcmp(path, f->ca_json) == 0 ||
	    (f->pin_file[0] != '\0' && strcmp(path, f->pin_file) == 0) ||
	    (f->file_key && (strcmp(path, f->loc.path) == 0 ||
	    (f->loc.password_file[0] != '\0' &&
	    strcmp(path, f->loc.password_file) == 0)));
}

/*
 * The CA's secret files before the signer starts (issue 11 item 2, issue
 * 20 item 8), shared by entcad and the entca tool: ca.key, its password
 * file and the PKCS#11 PIN file must be readable by their owner only; as
 * root they are handed to [ca] signer-user, the account only the signer
 * process runs as, and ca.json and the state folder to [ca] user with the
 * signer's group (0640, 0710) so the signer may enter and read them. Loose
 * modes are refused with the file and the fix named, never fixed silently.
 * Runs before any thread starts.
 */
#ifndef ENTCA_CA_SECRETS_H
#define ENTCA_CA_SECRETS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ca/signer/keyfile.h"
#include "ca/daemon/settings.h"

/* What secrets_prepare found and did. */
struct secrets_files {
	bool root;			/* started as root: handed over, owners checked */
	bool file_key;			/* ca.key exists (not a PKCS#11 key) */
	struct keyfile_loc loc;
	char ca_json[PATH_MAX];
	char pin_file[PATH_MAX];	/* [ca] pkcs11-pin-file, or "" */
	uid_t signer_uid, user_uid;
	gid_t signer_gid;
};

/*
 * Check (and, as root without check_only, hand over) the secret files of
 * c's CA; fills *f. CA_OK (also when the state folder holds no CA: the
 * identity load names that), CA_ECONFIG with "FILE: readable by group or
 * others (mode 0644); fix: chmod 600 FILE", an unknown signer-user with
 * the useradd line, or CA_EIO.
 */
int secrets_prepare(const struct ca_config *c, bool check_only,
    struct secrets_files *f, char *why, size_t whylen);

/* Whether path is one of the files that stay the signer's. */
bool secrets_is_signers(const struct secrets_files *f, const char *path);

#endif

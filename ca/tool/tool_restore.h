/*
 * `entca restore DIR`: the counterpart of `entca backup` (tool_admin.c).
 * It rebuilds a CA's state folder from a backup: the store, the CA
 * certificate(s), the key (from ca.p12, or the PKCS#11 reference of
 * ca.json) and the CRLs in service, verifies the result, then moves it
 * into place with one rename. Tool main thread only.
 */
#ifndef ENTCA_CA_TOOL_RESTORE_H
#define ENTCA_CA_TOOL_RESTORE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * What a backup holds beside data.mdb, ca.crt and ca.p12, so that a
 * restore gives the same answers: ca-chain.pem, ca.json when the key is
 * a PKCS#11 reference (no PIN is ever in it), crl.highwater and the CRL
 * files in service (crl/); with_key (the backup holds ca.p12) also
 * entcad's tls.key and tls.crt. After CA renewals, ca-history/ with every
 * earlier CA certificate and, with_key, each earlier key as
 * ca-history/key(K)/ca.p12 encrypted with password. Files are written
 * exclusively into dir.
 * CA_OK, or the code with the reason.
 */
int tool_backup_extras(const char *state_dir, const char *dir, bool with_key,
    const char *password, char *why, size_t whylen);

/*
 * entca restore DIR [--state S] [--password-file F]
 *                   [--key-password-file K]
 * conf_state: the state-dir of the configuration (NULL when none).
 * Returns the exit status: 0 restored, 1 refused or failed, 2 usage.
 */
int tool_restore_main(int argc, char **argv, const char *conf_state);

#endif

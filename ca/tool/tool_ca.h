/*
 * The CA identity subcommands of the `entca` admin tool: init, install-cert
 * and ca-cert. Each takes argv starting at the subcommand name (argv[0] is
 * "init", ...) and conf_state, the state-dir of the configuration the
 * administrator named (-c or $ENTCA_CONF; NULL when none was named), used
 * when --state is not given. Each returns the process exit status: 0
 * success, 1 failure (one sentence on stderr), 2 usage error. Main thread
 * of the tool only (they use getopt).
 */
#ifndef ENTCA_CA_TOOL_CA_H
#define ENTCA_CA_TOOL_CA_H

/*
 * State folder of install-cert and ca-cert when neither --state nor a
 * configuration names one: the build's $(localstatedir)/lib/entca.
 * `entca init` never falls back to it (it must be told where to create).
 */
#define TOOL_DEFAULT_STATE LOCALSTATEDIR "/lib/entca"

struct option;

/* Entries tool_ca_options may write, the ending zero entry included. */
#define TOOL_CA_OPTS_MAX 24

/*
 * The long options of the CA identity verbs (init, install-cert, ca-cert,
 * ca renew, restore) whose getopt values are in letters, into out
 * (TOOL_CA_OPTS_MAX entries, ended by a zero entry). One table, so that
 * an option is spelt and takes its value alike in every verb; the letters
 * are internal (-h is the only short option).
 */
void tool_ca_options(const char *letters, struct option *out);

/* A --days value: 1..CA_IDENTITY_DAYS_MAX into *days; CA_OK or CA_EPARSE. */
int tool_ca_days(const char *s, unsigned *days);

/*
 * entca init [--state DIR] [--subject DN] [--key-type T] [--days N]
 *            [--subordinate] [--key-password-file F]
 *            [--pkcs11 URI [--pkcs11-module PATH]]
 *            [--import FILE.p12 | --import-key KEY --import-cert CERT]
 *            [--password-file F] [--tls-name NAME]... [--no-tls-cert]
 */
int tool_init_main(int argc, char **argv, const char *conf_state);

/* entca install-cert [--state DIR] --chain PARENTS.pem [--tls-name NAME]...
 *                    [--no-tls-cert] CERT */
int tool_install_cert_main(int argc, char **argv, const char *conf_state);

/* entca ca-cert [--state DIR] [--pem] FILE   (FILE "-" is stdout) */
int tool_ca_cert_main(int argc, char **argv, const char *conf_state);

/*
 * Copy the CA certificate (ca.crt, with its chain) of state_dir into dir
 * and, when password is not NULL, the CA key too, as dir/ca.p12 (PKCS#12,
 * PBES2 AES-256, SHA-256 MAC), which `entca init --import` takes back.
 * File keys only: a token key gives CA_EINVAL. Files are written
 * exclusively (ca.p12 0600). CA_OK, or the code with the reason.
 */
int tool_backup_identity(const char *state_dir, const char *dir,
    const char *password, char *why, size_t whylen);

#endif

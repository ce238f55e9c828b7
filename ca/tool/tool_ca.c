/*
 * `entca init`, `entca install-cert` and `entca ca-cert`: command-line
 * front ends of ca/identity/identity.h. They parse options, read passwords from
 * files or the environment (never from the command line, where ps would
 * show them), call the library and print one sentence. Tool main thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "ca/identity/identity.h"
#include "ca/signer/keyfile.h"
#include "ca/issue/pkcs7.h"
#include "ca/tool/tool_ca.h"

/* Subject of a new CA when --subject is not given. */
#define TOOL_DEFAULT_SUBJECT "CN=entca Root CA"
/* Validity of a new root CA when --days is not given. */
#define TOOL_DEFAULT_DAYS 3650

/* Every long option of the CA identity verbs, each with its own letter. */
static const struct option tool_ca_all_options[] = {
	{ "state", required_argument, NULL, 's' },
	{ "subject", required_argument, NULL, 'S' },
	{ "key-type", required_argument, NULL, 'k' },
	{ "days", required_argument, NULL, 'd' },
	{ "subordinate", no_argument, NULL, 'u' },
	{ "new-key", no_argument, NULL, 'w' },
	{ "key-password-file", required_argument, NULL, 'K' },
	{ "pkcs11", required_argument, NULL, 'p' },
	{ "pkcs11-module", required_argument, NULL, 'm' },
	{ "pin-file", required_argument, NULL, 'N' },
	{ "import", required_argument, NULL, 'i' },
	{ "import-key", required_argument, NULL, 'I' },
	{ "import-cert", required_argument, NULL, 'C' },
	{ "password-file", required_argument, NULL, 'P' },
	{ "chain", required_argument, NULL, 'c' },
	{ "tls-name", required_argument, NULL, 't' },
	{ "no-tls-cert", no_argument, NULL, 'n' },
	{ "pem", no_argument, NULL, 'e' },
	{ "help", no_argument, NULL, 'h' },
};

/* The options of one verb by their letters; see tool_ca.h. */
void
tool_ca_options(const char *letters, struct option *out)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(tool_ca_all_options) /
	    sizeof(tool_ca_all_options[0]); i++)
		if (strchr(letters, tool_ca_all_options[i].val) != NULL &&
		    n + 1 < TOOL_CA_OPTS_MAX)
			out[n++] = tool_ca_all_options[i];
	memset(&out[n], 0, sizeof(out[n]));
}

/* --days; see tool_ca.h. */
int
tool_ca_days(const char *s, unsigned *days)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > CA_IDENTITY_DAYS_MAX)
		return CA_EPARSE;
	*days = (unsigned)v;
	return CA_OK;
}

/* Print a usage error and return exit status 2. */
static int
tool_usage(const char *cmd, const char *msg, const char *usage)
{
	fprintf(stderr, "entca %s: %s\nusage: entca %s %s\n", cmd, msg, cmd,
	    usage);
	return 2;
}

/* Print a failure sentence and return exit status 1. */
static int
tool_fail(const char *cmd, int rc, const char *why)
{
	fprintf(stderr, "entca %s: %s\n", cmd, why[0] ? why : ca_strerror(rc));
	return 1;
}

/* Add one --tls-name. */
static int
tool_add_name(struct ca_init_opts *o, const char *name)
{
	if (o->n_tls_names >= CA_IDENTITY_TLS_NAMES_MAX || name[0] == '\0')
		return -1;
	o->tls_names[o->n_tls_names++] = name;
	return 0;
}

static const char tool_init_usage[] =
    "[--state DIR] [--subject DN] [--key-type rsa2048|rsa3072|rsa4096|"
    "p256|p384] [--days N] [--subordinate] [--key-password-file F] "
    "[--pkcs11 URI [--pkcs11-module PATH] [--pin-file F]] "
    "[--import FILE.p12 | "
    "--import-key KEY --import-cert CERT] [--password-file F] "
    "[--tls-name NAME]... [--no-tls-cert]\n"
    "  The token PIN: --pin-file F (first line), else $ENTCA_PKCS11_PIN;\n"
    "  a pin-value= in the URI is used once and never stored in ca.json.\n"
    "  $ENTCA_PKCS11_MODULE names the module when --pkcs11-module is absent.";

/*
 * Say what `entca init` is about to create, before it touches anything, so
 * an administrator sees a plain unencrypted key or a default subject at
 * once instead of after the fact.
 */
static void
tool_init_announce(const struct ca_init_opts *o, const char *p12,
    const char *ikey)
{
	if (p12 != NULL || ikey != NULL) {
		printf("entca init: importing the CA key and certificate from "
		    "%s into %s\n", p12 != NULL ? p12 : ikey, o->state_dir);
		return;
	}
	printf("entca init: creating a %s CA in %s\n"
	    "  subject:  %s\n"
	    "  key:      %s, %s\n",
	    o->subordinate ? "subordinate" : "root", o->state_dir, o->subject,
	    ca_key_type_name(o->key_type),
	    o->pkcs11_uri != NULL ? "in the PKCS#11 token" :
	    o->key_password_file != NULL ? "encrypted with --key-password-file" :
	    "NOT encrypted (protected by file permissions only; see "
	    "--key-password-file and --pkcs11)");
	if (o->subordinate)
		printf("  validity: set by the parent CA\n");
	else
		printf("  validity: %u days\n", o->days);
	fflush(stdout);
}

/* What to do after `entca init`: the certificate, the config, the daemon. */
static void
tool_init_next_steps(const struct ca_init_opts *o)
{
	if (o->subordinate) {
		printf("next steps:\n"
		    "  1. have the parent CA sign %s/ca.csr\n"
		    "  2. entca install-cert --state %s ISSUED.crt --chain "
		    "PARENTS.pem\n", o->state_dir, o->state_dir);
		return;
	}
	printf("next steps:\n"
	    "  1. distribute the CA certificate: entca ca-cert --state %s "
	    "--pem ca.pem\n"
	    "  2. set state-dir = %s in [ca] of " SYSCONFDIR
	    "/entca/entcad.conf, then [directory] and [security]\n"
	    "  3. entca template issue NAME; entcad -t; systemctl start "
	    "entcad\n"
	    "  4. back up %s (entca backup DIR) and keep the key copy "
	    "offline\n", o->state_dir, o->state_dir, o->state_dir);
}

/* entca init: create or import the CA identity. */
int
tool_init_main(int argc, char **argv, const char *conf_state)
{
	struct option opts[TOOL_CA_OPTS_MAX];
	struct ca_init_opts o;
	const char *p12 = NULL, *ikey = NULL, *icert = NULL, *pwfile = NULL;
	const char *pinfile = NULL;
	char why[CA_WHY_MAX] = "", *keypw = NULL, *inpw = NULL;
	const char *inpass = NULL;
	gnutls_datum_t d = { NULL, 0 };
	int c, rc, status;
	bool created = false;

	memset(&o, 0, sizeof(o));
	o.state_dir = conf_state;
	o.subject = TOOL_DEFAULT_SUBJECT;
	o.key_type = CA_KEY_RSA3072;
	o.days = TOOL_DEFAULT_DAYS;
	o.pkcs11_module = getenv("ENTCA_PKCS11_MODULE");
	tool_ca_options("sSkduKpmNiICPtnh", opts);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': o.state_dir = optarg; break;
		case 'S': o.subject = optarg; break;
		case 'k':
			if (ca_key_type_parse(optarg, &o.key_type) != CA_OK)
				return tool_usage("init", "--key-type: unknown "
				    "key type", tool_init_usage);
			break;
		case 'd':
			if (tool_ca_days(optarg, &o.days) != CA_OK)
				return tool_usage("init", "--days: expected "
				    "1..36500", tool_init_usage);
			break;
		case 'u': o.subordinate = 1; break;
		case 'K': o.key_password_file = optarg; break;
		case 'p': o.pkcs11_uri = optarg; break;
		case 'm': o.pkcs11_module = optarg; break;
		case 'N': pinfile = optarg; break;
		case 'i': p12 = optarg; break;
		case 'I': ikey = optarg; break;
		case 'C': icert = optarg; break;
		case 'P': pwfile = optarg; break;
		case 't':
			if (tool_add_name(&o, optarg) != 0)
				return tool_usage("init", "--tls-name: empty or "
				    "too many names", tool_init_usage);
			break;
		case 'n': o.no_tls = 1; break;
		case 'h':
			printf("usage: entca init %s\n", tool_init_usage);
			return 0;
		default:
			return tool_usage("init", "unknown option or missing "
			    "value", tool_init_usage);
		}
	}
	if (optind != argc)
		return tool_usage("init", "unexpected argument",
		    tool_init_usage);
	if ((ikey != NULL) != (icert != NULL))
		return tool_usage("init", "--import-key and --import-cert go "
		    "together", tool_init_usage);
	if ((p12 != NULL) + (ikey != NULL) + (o.pkcs11_uri != NULL) > 1)
		return tool_usage("init", "choose one of --import, "
		    "--import-key/--import-cert and --pkcs11", tool_init_usage);
	if ((p12 != NULL || ikey != NULL) && o.subordinate)
		return tool_usage("init", "--subordinate makes a new key; it "
		    "does not go with an import", tool_init_usage);
	if (o.pkcs11_uri != NULL && o.key_password_file != NULL)
		return tool_usage("init", "--key-password-file is for key "
		    "files, not PKCS#11", tool_init_usage);
	if (pinfile != NULL && o.pkcs11_uri == NULL)
		return tool_usage("init", "--pin-file goes with --pkcs11",
		    tool_init_usage);
	if (pinfile != NULL && (access(pinfile, R_OK) != 0 ||
	    keyfile_set_pin_file(pinfile, why, sizeof(why)) != CA_OK)) {
		fprintf(stderr, "entca init: --pin-file %s: %s\n", pinfile,
		    why[0] ? why : strerror(errno));
		return 1;
	}
	/* A CA created in a folder nobody chose is a CA nobody backs up. */
	if (o.state_dir == NULL)
		return tool_usage("init", "say where to create the CA: --state "
		    "DIR (or -c entcad.conf to use its state-dir)",
		    tool_init_usage);

	status = 1;
	if (o.key_password_file != NULL) {
		rc = keyfile_read_password(o.key_password_file, &keypw, why,
		    sizeof(why));
		if (rc != CA_OK)
			goto out;
		o.key_password = keypw;
	}
	if (pwfile != NULL) {
		rc = keyfile_read_password(pwfile, &inpw, why, sizeof(why));
		if (rc != CA_OK)
			goto out;
		inpass = inpw;
	} else {
		inpass = getenv("ENTCA_P12_PASSWORD");
	}
	/* A failed init leaves no empty state folder behind (issue 19). */
	created = access(o.state_dir, F_OK) != 0 && errno == ENOENT;
	if (p12 != NULL) {
		tool_init_announce(&o, p12, NULL);
		rc = keyfile_read(p12, &d, why, sizeof(why));
		if (rc == CA_OK)
			rc = ca_identity_import_p12(&o, &d, inpass, why,
			    sizeof(why));
	} else if (ikey != NULL) {
		tool_init_announce(&o, NULL, ikey);
		rc = ca_identity_import_files(&o, ikey, icert, inpass, why,
		    sizeof(why));
	} else {
		tool_init_announce(&o, NULL, NULL);
		rc = ca_identity_init(&o, why, sizeof(why));
	}
	if (rc != CA_OK)
		goto out;
	if (o.subordinate)
		printf("entca init: subordinate CA key ready in %s; send "
		    "%s/ca.csr to the parent CA, then run entca install-cert\n",
		    o.state_dir, o.state_dir);
	else
		printf("entca init: CA ready in %s (ca.crt%s)\n", o.state_dir,
		    o.no_tls ? "" : ", tls.crt");
	tool_init_next_steps(&o);
	status = 0;
out:
	if (status != 0)
		tool_fail("init", rc, why);
	/* The batch writer already removed its files; rmdir only an empty one. */
	if (status != 0 && created && rmdir(o.state_dir) != 0 &&
	    errno != ENOENT)
		fprintf(stderr, "entca init: %s left behind: %s\n", o.state_dir,
		    strerror(errno));
	if (d.data != NULL) {
		gnutls_memset(d.data, 0, d.size);
		gnutls_free(d.data);
	}
	keyfile_password_free(keypw);
	keyfile_password_free(inpw);
	return status;
}

static const char tool_install_usage[] =
    "[--state DIR] --chain PARENTS.pem [--tls-name NAME]... "
    "[--no-tls-cert] CERT";

/* entca install-cert: install a subordinate CA's certificate. */
int
tool_install_cert_main(int argc, char **argv, const char *conf_state)
{
	struct option opts[TOOL_CA_OPTS_MAX];
	struct ca_init_opts o;
	const char *chain = NULL;
	char why[CA_WHY_MAX] = "";
	int c, rc;

	memset(&o, 0, sizeof(o));
	o.state_dir = conf_state != NULL ? conf_state : TOOL_DEFAULT_STATE;
	o.pkcs11_module = getenv("ENTCA_PKCS11_MODULE");
	tool_ca_options("sctnh", opts);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': o.state_dir = optarg; break;
		case 'c': chain = optarg; break;
		case 't':
			if (tool_add_name(&o, optarg) != 0)
				return tool_usage("install-cert", "--tls-name: "
				    "empty or too many names",
				    tool_install_usage);
			break;
		case 'n': o.no_tls = 1; break;
		case 'h':
			printf("usage: entca install-cert %s\n",
			    tool_install_usage);
			return 0;
		default:
			return tool_usage("install-cert", "unknown option or "
			    "missing value", tool_install_usage);
		}
	}
	if (optind + 1 != argc)
		return tool_usage("install-cert", "expected one certificate "
		    "file", tool_install_usage);
	if (chain == NULL)
		return tool_usage("install-cert", "--chain is required",
		    tool_install_usage);
	rc = ca_identity_install_cert(&o, argv[optind], chain, why,
	    sizeof(why));
	if (rc != CA_OK)
		return tool_fail("install-cert", rc, why);
	printf("entca install-cert: CA ready in %s\n", o.state_dir);
	return 0;
}

/* entca ca-cert: export the CA certificate, DER unless --pem. */
int
tool_ca_cert_main(int argc, char **argv, const char *conf_state)
{
	static const char usage[] = "[--state DIR] [--pem] FILE";
	struct option opts[TOOL_CA_OPTS_MAX];
	const char *state = conf_state != NULL ? conf_state :
	    TOOL_DEFAULT_STATE, *file;
	struct ca_identity *id = NULL;
	gnutls_datum_t pem = { NULL, 0 };
	const gnutls_datum_t *out;
	char why[CA_WHY_MAX] = "";
	int c, rc, fd, pem_out = 0, status = 1;

	tool_ca_options("seh", opts);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': state = optarg; break;
		case 'e': pem_out = 1; break;
		case 'h':
			printf("usage: entca ca-cert %s\n", usage);
			return 0;
		default:
			return tool_usage("ca-cert", "unknown option or missing "
			    "value", usage);
		}
	}
	if (optind + 1 != argc)
		return tool_usage("ca-cert", "expected one output file (- for "
		    "standard output)", usage);
	file = argv[optind];
	rc = ca_identity_load(state, &id, why, sizeof(why));
	if (rc != CA_OK)
		return tool_fail("ca-cert", rc, why);
	out = &id->cert_der;
	if (pem_out) {
		if (gnutls_x509_crt_export2(id->cert, GNUTLS_X509_FMT_PEM,
		    &pem) < 0) {
			ca_why(why, sizeof(why), CA_ECRYPTO,
			    "cannot encode the CA certificate");
			goto out;
		}
		out = &pem;
	}
	if (strcmp(file, "-") == 0) {
		fd = STDOUT_FILENO;
	} else {
		fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			ca_why(why, sizeof(why), CA_EIO, "%s: %s", file,
			    strerror(errno));
			goto out;
		}
	}
	if (keyfile_write_all(fd, out->data, out->size) != 0) {
		ca_why(why, sizeof(why), CA_EIO, "%s: %s", file,
		    strerror(errno));
		if (fd != STDOUT_FILENO)
			close(fd);
		goto out;
	}
	if (fd != STDOUT_FILENO && close(fd) != 0) {
		ca_why(why, sizeof(why), CA_EIO, "%s: %s", file,
		    strerror(errno));
		goto out;
	}
	status = 0;
out:
	if (status != 0)
		tool_fail("ca-cert", CA_EIO, why);
	gnutls_free(pem.data);
	ca_identity_free(id);
	return status;
}

/* Back up ca.crt and, with a password, the key as PKCS#12; see tool_ca.h. */
int
tool_backup_identity(const char *state_dir, const char *dir,
    const char *password, char *why, size_t whylen)
{
	struct keyfile_loc loc;
	gnutls_datum_t crt = { NULL, 0 }, keyd = { NULL, 0 }, *chain = NULL;
	gnutls_x509_crt_t *certs = NULL;
	gnutls_x509_privkey_t xk = NULL;
	char path[KEYFILE_PATH_MAX + 32], *keypw = NULL;
	const char *env = getenv("ENTCA_KEY_PASSWORD");
	unsigned char *p12 = NULL;
	size_t p12_len = 0;
	unsigned n = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/ca.crt", state_dir);
	rc = keyfile_read(path, &crt, why, whylen);
	if (rc != CA_OK)
		return rc;
	snprintf(path, sizeof(path), "%s/ca.crt", dir);
	rc = keyfile_write_excl(path, crt.data, crt.size, 0644, why, whylen);
	if (rc != CA_OK || password == NULL)
		goto out;
	rc = keyfile_loc_load(state_dir, &loc, NULL, why, whylen);
	if (rc != CA_OK)
		goto out;
	if (loc.kind != KEYFILE_KIND_FILE) {
		rc = ca_why(why, whylen, CA_EINVAL, "--with-key: the CA key is "
		    "in a PKCS#11 token and never leaves it; back up the token "
		    "with its own tools");
		goto out;
	}
	if (env == NULL && loc.password_file[0] != '\0') {
		rc = keyfile_read_password(loc.password_file, &keypw, why,
		    whylen);
		if (rc != CA_OK)
			goto out;
	}
	rc = keyfile_read(loc.path, &keyd, why, whylen);
	if (rc == CA_OK)
		rc = keyfile_parse_key(&keyd, loc.path, env ? env : keypw, &xk,
		    why, whylen);
	if (rc == CA_OK)
		rc = keyfile_parse_certs(&crt, "ca.crt", &certs, &n, why,
		    whylen);
	if (rc != CA_OK)
		goto out;
	chain = calloc(n, sizeof(*chain));
	for (unsigned i = 0; chain != NULL && i < n; i++)
		if (gnutls_x509_crt_export2(certs[i], GNUTLS_X509_FMT_DER,
		    &chain[i]) < 0) {
			rc = ca_why(why, whylen, CA_ECRYPTO, "ca.crt: cannot "
			    "encode certificate %u", i + 1);
			goto out;
		}
	if (chain == NULL) {
		rc = ca_why(why, whylen, CA_ENOMEM, "out of memory");
		goto out;
	}
	if (pkcs7_pkcs12(xk, &chain[0], chain + 1, n - 1, password, "entca CA",
	    &p12, &p12_len) != CA_OK) {
		rc = ca_why(why, whylen, CA_ECRYPTO, "cannot build the PKCS#12");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/ca.p12", dir);
	rc = keyfile_write_excl(path, p12, p12_len, 0600, why, whylen);
out:
	if (keyd.data != NULL)
		gnutls_memset(keyd.data, 0, keyd.size);
	gnutls_free(keyd.data);
	gnutls_free(crt.data);
	if (p12 != NULL)
		gnutls_memset(p12, 0, p12_len);
	gnutls_free(p12);
	for (unsigned i = 0; chain != NULL && i < n; i++)
		gnutls_free(chain[i].data);
	free(chain);
	keyfile_certs_free(certs, n);
	gnutls_x509_privkey_deinit(xk);
	keyfile_password_free(keypw);
	return rc;
}

/*
 * entca: the administrator's tool. Dispatches subcommands: CA identity
 * (init, install-cert, ca-cert), templates, and the commands that act for
 * the CA on its host (revoke, unrevoke, crl publish, request, backup).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "common/error.h"
#include "ca/daemon/settings.h"
#include "ca/tool/tool_admin.h"
#include "ca/tool/tool_api.h"
#include "ca/tool/tool_ca.h"
#include "ca/tool/tool_template.h"
#include "ca/tool/tool_restore.h"
#include "ca/tool/tool_dump.h"
#include "ca/tool/tool_verify.h"
#include "ca/tool/tool_db.h"
#include "ca/tool/tool_renew.h"
#include "ca/tool/tool_scep.h"

#define ENTCA_DEFAULT_TEMPLATES SYSCONFDIR "/entca/templates"

/*
 * The templates folder: --templates, else $ENTCA_TEMPLATES, else the [ca]
 * templates-dir of the configuration (-c, $ENTCA_CONF or the default) when
 * it loads, else the built-in default.
 */
static const char *
templates_dir(const char *opt, const char *conf)
{
	static struct ca_config cfg;
	const char *env = getenv("ENTCA_TEMPLATES");
	char why[CA_WHY_MAX];

	if (opt != NULL)
		return opt;
	if (env != NULL && *env != '\0')
		return env;
	if (conf == NULL)
		conf = getenv("ENTCA_CONF");
	if (conf == NULL || *conf == '\0')
		conf = SYSCONFDIR "/entca/entcad.conf";
	if (config_load(conf, &cfg, why, sizeof(why)) == CA_OK)
		return cfg.templates_dir;
	return ENTCA_DEFAULT_TEMPLATES;
}

/*
 * The state folder for init, install-cert and ca-cert when --state is not
 * given: the state-dir of the configuration named by -c or $ENTCA_CONF.
 * *out stays NULL when none was named; a named file that does not load is
 * an error (exit 2), so `entca -c other.conf ca-cert` never exports the CA
 * of another configuration.
 */
static int
conf_state_dir(const char *conf, const char **out)
{
	static struct ca_config cfg;
	char why[CA_WHY_MAX];

	*out = NULL;
	if (conf == NULL)
		conf = getenv("ENTCA_CONF");
	if (conf == NULL || *conf == '\0')
		return 0;
	if (config_load(conf, &cfg, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "entca: %s\n", why);
		return 2;
	}
	*out = cfg.state_dir;
	return 0;
}

/* Print the commands. */
static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: entca [-c entcad.conf] [--templates DIR] COMMAND [ARGS]\n"
	    "       entca --version\n"
	    "CA identity (--state DIR, else the state-dir of -c / $ENTCA_CONF):\n"
	    "  init --state DIR [--subject DN] [--key-type T] [--days N] [--key-password-file F]\n"
	    "       | --subordinate | --import F.p12 | --pkcs11 URI\n"
	    "  install-cert --state DIR CERT --chain PARENTS\n"
	    "  ca-cert FILE [--pem] [--state DIR]     export the CA certificate (certutil -ca.cert)\n"
	    "  ca renew [--new-key] [--days N] [--state DIR]   renew the CA certificate (certutil -renewCert)\n"
	    "templates (folder: --templates DIR, $ENTCA_TEMPLATES, or the [ca] templates-dir):\n"
	    "  template list | show NAME | validate [PATH] | duplicate FROM \"Display Name\"\n"
	    "  template import-ldif FILE | load | issue NAME | unissue NAME\n"
	    "officer and administrator actions on the CA host:\n"
	    "  revoke SERIAL [--reason R] [--invalidity-date EPOCH] | unrevoke SERIAL\n"
	    "  request list [--all] | request approve|deny ID [--reason TEXT]\n"
	    "  crl publish [--delta]\n"
	    "  backup DIR [--with-key --password-file F]\n"
	    "  audit N                                the N newest audit events as JSON lines\n"
	    "management API verbs, on the CA host or with --url https://HOST:PORT\n"
	    "[--cacert F] --user NAME (password: $ENTCA_PASSWORD or asked) | --cert F --key F:\n"
	    "  cert list [filters] [--all] [--json|--csv] | cert show SERIAL [--pem]\n"
	    "  cert revoke SERIAL [--reason R] | cert unrevoke SERIAL\n"
	    "  request list [filters] | request show ID | request approve|deny ID\n"
	    "  template list | show NAME | issue NAME | unissue NAME   (--url)\n"
	    "  ca show | ca security list | ca security allow|deny PRINCIPAL RIGHTS\n"
	    "  ca security remove PRINCIPAL | audit [filters] [--json|--csv]\n"
	    "  (the older tab-separated forms: cert list --tsv, request list [--all] --tsv)\n"
	    "  restore DIR [--state S] [--password-file F] [--key-password-file K]\n"
	    "  db cleanup --expired-before DATE [--dry-run]   (certutil -deleterow)\n"
	    "  verify CERT [--json]                   chain, template, store, CRLs (certutil -verify)\n"
	    "  dump FILE [--json]                     certificate, CSR or CRL (certutil -dump)\n"
	    "  scep challenge --template T --principal P [--requester ACCOUNT]\n");
}

/* Dispatch one subcommand. */
int
main(int argc, char **argv)
{
	const char *conf = NULL, *tdir = NULL, *state = NULL;
	struct tool_api_opts api;
	int rc;

	memset(&api, 0, sizeof(api));
	while (argc > 2 && (strcmp(argv[1], "-c") == 0 ||
	    strcmp(argv[1], "--templates") == 0 || strcmp(argv[1], "--url") == 0 ||
	    strcmp(argv[1], "--cacert") == 0 || strcmp(argv[1], "--user") == 0 ||
	    strcmp(argv[1], "--cert") == 0 || strcmp(argv[1], "--key") == 0)) {
		if (strcmp(argv[1], "-c") == 0)
			conf = argv[2];
		else if (strcmp(argv[1], "--templates") == 0)
			tdir = argv[2];
		else if (strcmp(argv[1], "--url") == 0)
			api.url = argv[2];
		else if (strcmp(argv[1], "--cacert") == 0)
			api.cacert = argv[2];
		else if (strcmp(argv[1], "--user") == 0)
			api.user = argv[2];
		else if (strcmp(argv[1], "--cert") == 0)
			api.cert = argv[2];
		else
			api.key = argv[2];
		argv += 2;
		argc -= 2;
	}
	api.conf = conf;
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("entca %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	gnutls_global_init();
	argv++;
	argc--;
	if (strcmp(argv[0], "init") == 0)
		rc = conf_state_dir(conf, &state) ? 2 :
		    tool_init_main(argc, argv, state);
	else if (strcmp(argv[0], "install-cert") == 0)
		rc = conf_state_dir(conf, &state) ? 2 :
		    tool_install_cert_main(argc, argv, state);
	else if (strcmp(argv[0], "ca-cert") == 0)
		rc = conf_state_dir(conf, &state) ? 2 :
		    tool_ca_cert_main(argc, argv, state);
	else if (api.url == NULL && strcmp(argv[0], "ca") == 0 && argc >= 2 &&
	    strcmp(argv[1], "renew") == 0)
		rc = conf_state_dir(conf, &state) ? 2 :
		    tool_renew_main(argc - 1, argv + 1, state);
	else if (tool_api_handles(&api, argc, argv))
		rc = tool_api_main(&api, argc, argv);
	else if (api.url != NULL) {
		fprintf(stderr, "entca: %s: not a command --url runs (cert, request, "
		    "template, ca, audit)\n", argv[0]);
		rc = 2;
	} else if (strcmp(argv[0], "db") == 0)
		rc = tool_db_main(conf, argc, argv);
	else if (strcmp(argv[0], "verify") == 0)
		rc = tool_verify_main(conf, argc, argv);
	else if (strcmp(argv[0], "dump") == 0)
		rc = tool_dump_main(argc, argv);
	else if (strcmp(argv[0], "restore") == 0)
		rc = conf_state_dir(conf, &state) ? 2 :
		    tool_restore_main(argc, argv, state);
	else if (tool_admin_handles(argv[0], argc, argv))
		rc = tool_admin_main(conf, argc, argv);
	else if (strcmp(argv[0], "scep") == 0)
		rc = tool_scep_main(conf, argc, argv);
	else if (strcmp(argv[0], "template") == 0)
		rc = tool_template_main(argc, argv, templates_dir(tdir, conf));
	else {
		fprintf(stderr, "entca: unknown command \"%s\"\n", argv[0]);
		usage(stderr);
		rc = 2;
	}
	gnutls_global_deinit();
	return rc;
}

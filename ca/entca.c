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
#include "ca/settings.h"
#include "ca/tool_admin.h"
#include "ca/tool_ca.h"
#include "ca/tool_template.h"

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

/* Print the commands. */
static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: entca [-c entcad.conf] [--templates DIR] COMMAND [ARGS]\n"
	    "CA identity:\n"
	    "  init [--state DIR] [--subject DN] [--key-type T] [--days N] | --subordinate | --import F.p12\n"
	    "  install-cert --state DIR CERT --chain PARENTS\n"
	    "  ca-cert FILE [--pem] [--state DIR]     export the CA certificate (certutil -ca.cert)\n"
	    "templates (folder: --templates DIR, $ENTCA_TEMPLATES, or the [ca] templates-dir):\n"
	    "  template list | show NAME | validate [PATH] | duplicate FROM \"Display Name\"\n"
	    "  template import-ldif FILE | load | issue NAME | unissue NAME\n"
	    "officer and administrator actions on the CA host:\n"
	    "  revoke SERIAL [--reason R] [--invalidity-date EPOCH] | unrevoke SERIAL\n"
	    "  request list [--all] | request approve|deny ID [--reason TEXT]\n"
	    "  crl publish [--delta]\n"
	    "  backup DIR [--with-key --password-file F]\n"
	    "  cert list | audit [N]\n");
}

/* Dispatch one subcommand. */
int
main(int argc, char **argv)
{
	const char *conf = NULL, *tdir = NULL;
	int rc;

	while (argc > 2 && (strcmp(argv[1], "-c") == 0 ||
	    strcmp(argv[1], "--templates") == 0)) {
		if (argv[1][1] == 'c')
			conf = argv[2];
		else
			tdir = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	gnutls_global_init();
	argv++;
	argc--;
	if (strcmp(argv[0], "init") == 0)
		rc = tool_init_main(argc, argv);
	else if (strcmp(argv[0], "install-cert") == 0)
		rc = tool_install_cert_main(argc, argv);
	else if (strcmp(argv[0], "ca-cert") == 0)
		rc = tool_ca_cert_main(argc, argv);
	else if (tool_admin_handles(argv[0], argc, argv))
		rc = tool_admin_main(conf, argc, argv);
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

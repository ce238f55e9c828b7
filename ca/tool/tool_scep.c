/*
 * `entca scep challenge` (see tool_scep.h): opens the CA like the other
 * host commands and runs the challenge issuance of ca/scep in this thread.
 * The JSON answer goes to stdout; a refusal's reason to stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca/daemon/daemon.h"
#include "ca/scep/scep.h"
#include "ca/tool/tool_admin.h"
#include "ca/tool/tool_scep.h"

/* entca scep challenge --template T --principal P [--requester ACCOUNT]. */
int
tool_scep_main(const char *conf, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "template", required_argument, NULL, 't' },
		{ "principal", required_argument, NULL, 'p' },
		{ "requester", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	const char *tmpl = NULL, *principal = NULL, *requester = NULL;
	char who[128], *out = NULL;
	struct daemon d;
	int opt, status, rc;

	if (argc < 2 || strcmp(argv[1], "challenge") != 0) {
		fprintf(stderr, "usage: entca scep challenge --template T --principal P "
		    "[--requester ACCOUNT]\n");
		return 2;
	}
	optind = 1;
	while ((opt = getopt_long(argc - 1, argv + 1, "t:p:r:", opts, NULL)) != -1) {
		if (opt == 't')
			tmpl = optarg;
		else if (opt == 'p')
			principal = optarg;
		else if (opt == 'r')
			requester = optarg;
		else
			return 2;
	}
	if (tmpl == NULL || principal == NULL || optind != argc - 1) {
		fprintf(stderr, "entca scep challenge: --template and --principal are required\n");
		return 2;
	}
	rc = tool_admin_open(&d, conf);
	if (rc != 0) {
		daemon_close(&d);
		return rc;
	}
	tool_admin_local_name(who, sizeof(who));
	status = scep_challenge_local(&d, who, tmpl, principal, requester, &out);
	if (out != NULL) {
		fputs(out, status < 300 ? stdout : stderr);
		if (out[0] != '\0' && out[strlen(out) - 1] != '\n')
			fputc('\n', status < 300 ? stdout : stderr);
	}
	free(out);
	daemon_close(&d);
	return status < 300 ? 0 : 1;
}

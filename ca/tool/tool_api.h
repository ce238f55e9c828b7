/*
 * `entca` verbs over the management API, locally (in-process API calls on
 * the CA host) or with --url over HTTPS (see tool_api.c).
 */
#ifndef ENTCA_CA_TOOL_API_H
#define ENTCA_CA_TOOL_API_H

#include <stdbool.h>

/* The global options that pick local or remote, and how to log in. */
struct tool_api_opts {
	const char *conf;	/* -c, or NULL ($ENTCA_CONF, the default) */
	const char *url;	/* --url https://HOST:PORT, or NULL: local */
	const char *cacert;	/* --cacert PEM */
	const char *user;	/* --user NAME (password: $ENTCA_PASSWORD or asked) */
	const char *cert;	/* --cert / --key: a client certificate */
	const char *key;
};

/* Whether argv (argv[0] the verb) is one of the API verbs. */
bool tool_api_handles(const struct tool_api_opts *o, int argc, char **argv);

/* Run it; the exit code: 0, 1 (refused or failed), 2 (usage). */
int tool_api_main(const struct tool_api_opts *o, int argc, char **argv);

#endif

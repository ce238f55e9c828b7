/*
 * The `entca` commands that act for the CA on its host (see tool_admin.c).
 */
#ifndef ENTCA_CA_TOOL_ADMIN_H
#define ENTCA_CA_TOOL_ADMIN_H

#include <stdbool.h>

/* True if argv[0] (with its arguments) is one of these commands. */
bool tool_admin_handles(const char *cmd, int argc, char **argv);

/*
 * Run argv[0] with the configuration conf (NULL: $ENTCA_CONF or the
 * default). Returns the exit code: 0, 1 (failed), 2 (usage or config).
 */
int tool_admin_main(const char *conf, int argc, char **argv);

struct daemon;

/*
 * Load the configuration conf (NULL: $ENTCA_CONF or the default) into d
 * and open what (DAEMON_OPEN_*) of the CA, as every host command does.
 * 0, or the exit code (1, 2) after the reason went to stderr. Close with
 * daemon_close even after a failure.
 */
int tool_open_ca(struct daemon *d, const char *conf, unsigned what);

/*
 * Load conf (NULL: -c default / $ENTCA_CONF) and open the CA as entcad
 * does, for the commands of other tool files (tool_scep.c). 0, or 1/2
 * after printing why; daemon_close(d) afterwards either way.
 */
int tool_admin_open(struct daemon *d, const char *conf);

/* "local:<user>", how the audit names the host's administrator. */
#include <stddef.h>
void tool_admin_local_name(char *out, size_t len);

#endif

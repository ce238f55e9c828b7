/*
 * `entca db cleanup --expired-before DATE [--dry-run]` (certutil
 * -deleterow): see tool_db.c. conf as for tool_admin_main. Returns 0
 * done, 1 failed or refused, 2 usage or configuration. Tool main thread.
 */
#ifndef ENTCA_CA_TOOL_DB_H
#define ENTCA_CA_TOOL_DB_H

int tool_db_main(const char *conf, int argc, char **argv);

#endif

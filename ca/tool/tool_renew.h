/*
 * `entca ca renew [--new-key] ...`: CA certificate renewal (certutil
 * -renewCert); see tool_renew.c. conf_state: the state-dir of the
 * configuration (NULL: none named). Returns the exit status: 0 renewed,
 * 1 refused or failed, 2 usage. Tool main thread only.
 */
#ifndef ENTCA_CA_TOOL_RENEW_H
#define ENTCA_CA_TOOL_RENEW_H

int tool_renew_main(int argc, char **argv, const char *conf_state);

#endif

/*
 * `entca scep challenge --template T --principal P [--requester ACCOUNT]`:
 * a one-time SCEP challenge made on the CA host (ca/scep/scep.h), the same
 * record and audit event as POST /api/v1/scep/challenges. One thread.
 */
#ifndef ENTCA_CA_TOOL_SCEP_H
#define ENTCA_CA_TOOL_SCEP_H

/* Run `entca scep ...`; the exit code (0, 1 refused, 2 usage). */
int tool_scep_main(const char *conf, int argc, char **argv);

#endif

/*
 * `entca verify CERT [--json]` (certutil -verify): see tool_verify.c.
 * conf: the configuration named by -c (NULL: $ENTCA_CONF or the default).
 * Returns 0 only when the certificate is good (chains to one of this CA's
 * certificates, issued in the store and not revoked there nor on the CRLs
 * in service, within its validity); 1 when it is not; 2 for usage or
 * configuration errors. Tool main thread only.
 */
#ifndef ENTCA_CA_TOOL_VERIFY_H
#define ENTCA_CA_TOOL_VERIFY_H

int tool_verify_main(const char *conf, int argc, char **argv);

#endif

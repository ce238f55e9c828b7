/*
 * SCEP (RFC 8894) on entca: /scep/<template label> and NDES's
 * /certsrv/mscep/mscep.dll[/pkiclient.exe] (the [scep] default template),
 * on both listeners, and the officers' one-time challenges at
 * POST /api/v1/scep/challenges. Loop-thread entry points; PKIOperation and
 * challenge issuance run on workers through job.c. Only the router
 * (ca/daemon/serve.c) and the tool include this header.
 */
#ifndef ENTCA_CA_SCEP_H
#define ENTCA_CA_SCEP_H

#include <stdbool.h>

struct daemon;
struct http_request;

#define SCEP_PREFIX "/scep/"
#define SCEP_NDES_PATH "/certsrv/mscep/mscep.dll"

/* True when path is one SCEP serves (the router's test). */
bool scep_path(const char *path);

/* Serve one SCEP request (GetCACaps, GetCACert, PKIOperation). Loop. */
void scep_route(struct daemon *d, struct http_request *req);

/* POST /api/v1/scep/challenges (officer right). Loop. */
void scep_challenge_route(struct daemon *d, struct http_request *req);

/*
 * `entca scep challenge`: make a challenge for template and principal on
 * the CA host, decided later as if requester (NULL: the principal itself)
 * had sent the request. who names the host administrator in the audit.
 * *out (malloc) gets the JSON answer or the reason. Returns the HTTP-like
 * status (200, 400, 404, 500).
 */
int scep_challenge_local(struct daemon *d, const char *who, const char *tmpl,
    const char *principal, const char *requester, char **out);

#endif

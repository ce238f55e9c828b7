/*
 * The management API under /api/v1/ (JSON): revocation, pending-request
 * decisions and forced CRL publication. Every call is authenticated like
 * EST and checked against the CA's rights: officer for revocation and
 * decisions, admin for CRL publication. Loop-thread entry point; the work
 * runs through job.c.
 */
#ifndef ENTCA_CA_API_H
#define ENTCA_CA_API_H

struct daemon;
struct http_request;

/* Route req whose path is /api/v1/<rest>. */
void api_route(struct daemon *d, struct http_request *req, const char *rest);

/*
 * Run one API call (path after /api/v1/, JSON body or NULL) in this thread
 * as the CA host's administrator who (the `entca` tool). Returns the HTTP
 * status; *out (malloc'd, may be NULL) gets the response body.
 */
int api_local(struct daemon *d, const char *who, const char *rest,
    const char *json_body, char **out);

#endif

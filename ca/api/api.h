/*
 * The management API under /api/v1/ (JSON): revocation, pending-request
 * decisions, forced CRL publication, and read-only views (api_read.c). Every call is authenticated like
 * EST and checked against the CA's rights: officer for revocation and
 * decisions, admin for CRL publication. Loop-thread entry point; the work
 * runs through job.c.
 */
#ifndef ENTCA_CA_API_H
#define ENTCA_CA_API_H

struct daemon;
struct http_request;

struct job;

/*
 * GET /api/v1/requests[?status=pending|issued|denied|failed|all],
 * /api/v1/certificates/<serial> (officer or auditor), /api/v1/audit[?last=N]
 * (auditor). Loop thread; j is answered later from the loop.
 */
void api_read_route(struct job *j, const char *rest, const char *query);

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

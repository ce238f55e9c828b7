/*
 * The management API under /api/v1/ (JSON): one route table (api.c) over
 * area files: certificates (api_certs.c), requests, audit, templates, the
 * CA (api_ca.c) and the OpenAPI document. Every call is authenticated like
 * EST and checked against the CA's rights: officer for revocation and
 * decisions, admin for CRL publication. Loop-thread entry point; the work
 * runs through job.c.
 */
#ifndef ENTCA_CA_API_H
#define ENTCA_CA_API_H

#include <stdbool.h>
#include <stddef.h>

struct daemon;
struct http_request;

struct job;

/* Route req whose path is /api/v1/<rest>. */
void api_route(struct daemon *d, struct http_request *req, const char *rest);

/*
 * Run one API call (path after /api/v1/, JSON body or NULL) in this thread
 * as the CA host's administrator who (the `entca` tool). Returns the HTTP
 * status; *out (malloc'd, may be NULL) gets the response body.
 */
int api_local(struct daemon *d, const char *who, const char *rest,
    const char *json_body, char **out);

/*
 * Run one API call (method "GET" or "POST", path after /api/v1/ with an
 * optional ?query, Accept or NULL, JSON body or NULL) in this thread as
 * the CA host's administrator who. Returns the HTTP status; *out
 * (malloc'd, NUL-terminated, may be NULL) gets the body, *out_len its
 * length (out_len may be NULL).
 */
int api_local_call(struct daemon *d, const char *who, const char *method,
    const char *path, const char *accept, const char *json_body,
    char **out, size_t *out_len);

/*
 * The i-th route of /api/v1/ (method, pattern such as
 * "certificates/{serial}"); false past the last. Any thread.
 */
bool api_route_at(size_t i, const char **method, const char **pattern);

#endif

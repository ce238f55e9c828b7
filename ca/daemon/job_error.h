/*
 * The one mapping from the project's error codes (common/error.h) to what
 * an HTTP client hears: a status and a stable error code string, looked up
 * in one table indexed by the code. job_fail() (job.h) and the loop's own
 * refusals (serve.c) both answer through it, so that one code never means
 * two statuses in two places.
 *
 * Bodies: under /api/ a JSON object {"error": {"code", "message"}}; the
 * rest (EST, RFC 7030, and the public files) a text/plain sentence. The
 * message is scrubbed of the server's own file paths first: the log keeps
 * the full sentence, the client hears only what concerns its request.
 *
 * Threads: the table and the pure functions are safe from any thread;
 * job_error_respond() is for the loop thread only (it answers an HTTP
 * request).
 */
#ifndef ENTCA_CA_JOB_ERROR_H
#define ENTCA_CA_JOB_ERROR_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

struct http_request;

/*
 * Retry-After (RFC 9110 §10.2.3) in seconds, one constant per reason a
 * client is told to come back, so the seven places that say so agree.
 */
#define JOB_RETRY_DIRECTORY "30"	/* the directory did not answer */
#define JOB_RETRY_SIGNER "5"		/* the signer process is restarting */
#define JOB_RETRY_STORE "5"		/* the store writer's queue is full */
#define JOB_RETRY_PENDING "60"		/* a request awaits an officer (RFC 7030 §4.2.3) */

/* The paths whose errors are JSON: the management API. */
#define JOB_ERROR_JSON_PREFIX "/api/"

/* What a client hears for one error code. */
struct job_error_row {
	int status;		/* HTTP status */
	const char *code;	/* stable, for programs: "not_found" */
};

/*
 * The row of err; an unknown code (or CA_OK, which is no error) answers
 * as the internal error row. Borrowed, static. Any thread.
 */
const struct job_error_row *job_error_row(int err);

/* The HTTP status and the error code string of err. Any thread. */
int job_error_status(int err);
const char *job_error_code(int err);

/* Whether an error on request path is answered in JSON (/api/). */
bool job_error_json(const char *path);

/*
 * Remove every occurrence of the server's own paths (roots: state folder,
 * configuration, key files...) from msg, in place: "store /var/lib/x/db:
 * certificate 01 not found" becomes "store: certificate 01 not found".
 * Each root matches as a whole path and takes the rest of its path token
 * with it. NULL or short ("/") roots are skipped. Any thread.
 */
void job_error_scrub(char *msg, const char *const *roots, size_t n_roots);

/*
 * The body of an error answer for request path: *body (malloc'd, the
 * caller frees; NULL on allocation failure with *len 0) and *type (static
 * Content-Type). Any thread.
 */
void job_error_body(const char *path, int err, const char *msg,
    char **body, size_t *len, const char **type);

/*
 * Answer req now from the loop, without a job: status and body from err,
 * an Allow header when allow is not NULL (405), and the request's log line.
 * msg is already free of server paths. Loop thread.
 */
void job_error_respond(struct http_request *req, int err, const char *allow,
    const char *msg);

#endif

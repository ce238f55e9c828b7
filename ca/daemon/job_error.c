/*
 * Error answers (see job_error.h): the table from error code to HTTP
 * status and error code string, the scrubbing of server paths, and the
 * error body in the shape the path's protocol expects. No state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ca/daemon/job_error.h"
#include "ca/http/http.h"
#include "common/log.h"

/*
 * Indexed by -code (codes are negative). A row per code; the unit test
 * test_job_error checks that none is missing when a code is added.
 * Whatever the server got wrong (memory, files, the store, its own
 * arguments, its configuration) is one 500 "internal_error": the client
 * can do nothing about it, and the log has the detail.
 */
static const struct job_error_row job_error_rows[CA_ERROR_COUNT] = {
	[-CA_OK] = { 500, "internal_error" },	/* job_fail(CA_OK) is a bug */
	[-CA_ENOMEM] = { 500, "internal_error" },
	[-CA_EINVAL] = { 500, "internal_error" },
	[-CA_EPARSE] = { 400, "bad_request" },
	[-CA_EIO] = { 500, "internal_error" },
	[-CA_ENOTFOUND] = { 404, "not_found" },
	[-CA_EEXIST] = { 409, "already_exists" },
	[-CA_EDENIED] = { 403, "forbidden" },
	[-CA_EAUTH] = { 401, "unauthorized" },
	[-CA_EUNAVAIL] = { 503, "unavailable" },
	[-CA_ETIMEOUT] = { 503, "unavailable" },
	[-CA_ECRYPTO] = { 500, "internal_error" },
	[-CA_EVERSION] = { 500, "internal_error" },
	[-CA_ETOOBIG] = { 413, "payload_too_large" },
	[-CA_EPOLICY] = { 400, "policy_violation" },
	[-CA_ECONFIG] = { 500, "internal_error" },
	[-CA_ESTATE] = { 409, "conflict" },
	[-CA_EDB] = { 500, "internal_error" },
	[-CA_EMETHOD] = { 405, "method_not_allowed" },
	[-CA_EMEDIA] = { 415, "unsupported_media_type" },
};

/* The row of err, the internal error's for codes outside the table. */
const struct job_error_row *
job_error_row(int err)
{
	if (err > 0 || -err >= CA_ERROR_COUNT || job_error_rows[-err].code == NULL)
		return &job_error_rows[-CA_EIO];
	return &job_error_rows[-err];
}

/* HTTP status of err. */
int
job_error_status(int err)
{
	return job_error_row(err)->status;
}

/* Error code string of err. */
const char *
job_error_code(int err)
{
	return job_error_row(err)->code;
}

/* JSON for the management API, text for everything else. */
bool
job_error_json(const char *path)
{
	return path != NULL && strncmp(path, JOB_ERROR_JSON_PREFIX,
	    strlen(JOB_ERROR_JSON_PREFIX)) == 0;
}

/* Does c end a path token (so that "/a/b" never matches inside "/a/bc")? */
static bool
token_end(char c)
{
	return c == '\0' || c == ' ' || c == ':' || c == ',' || c == ')' ||
	    c == '"' || c == '\'' || c == ';';
}

/* Remove every whole-path occurrence of root (len rl) from msg. */
static void
scrub_one(char *msg, const char *root, size_t rl)
{
	char *p = msg, *end;

	while ((p = strstr(p, root)) != NULL) {
		/* Only a whole path component: "/x/db" or "/x/db/..." */
		if (p[rl] != '/' && !token_end(p[rl])) {
			p += rl;
			continue;
		}
		end = p + rl;
		while (!token_end(*end))
			end++;
		/* "store /x/db: ..." reads "store: ...": take the space too. */
		if (p > msg && p[-1] == ' ' && *end != ' ')
			p--;
		memmove(p, end, strlen(end) + 1);
	}
}

/* Strip the server's paths from msg. */
void
job_error_scrub(char *msg, const char *const *roots, size_t n_roots)
{
	char root[4096];
	size_t rl;

	for (size_t i = 0; i < n_roots; i++) {
		if (roots[i] == NULL)
			continue;
		rl = strlen(roots[i]);
		while (rl > 1 && roots[i][rl - 1] == '/')
			rl--;
		/* "/" or a relative name would eat ordinary words. */
		if (rl < 2 || roots[i][0] != '/' || rl >= sizeof(root))
			continue;
		memcpy(root, roots[i], rl);
		root[rl] = '\0';
		scrub_one(msg, root, rl);
	}
}

/* JSON {"error": {...}} under /api/, else the sentence and a newline. */
void
job_error_body(const char *path, int err, const char *msg, char **body,
    size_t *len, const char **type)
{
	char safe[4 * CA_WHY_MAX];
	json_t *o;
	size_t n;

	*body = NULL;
	*len = 0;
	if (job_error_json(path)) {
		*type = "application/json";
		/* jansson refuses text that is not UTF-8: send log_escape's. */
		o = json_pack("{s:{s:s,s:s}}", "error", "code", job_error_code(err),
		    "message", msg);
		if (o == NULL) {
			log_escape(msg, strlen(msg), safe, sizeof(safe));
			o = json_pack("{s:{s:s,s:s}}", "error", "code",
			    job_error_code(err), "message", safe);
		}
		if (o != NULL)
			*body = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		if (*body != NULL)
			*len = strlen(*body);
		return;
	}
	*type = "text/plain; charset=utf-8";
	n = strlen(msg);
	if ((*body = malloc(n + 2)) == NULL)
		return;
	memcpy(*body, msg, n);
	(*body)[n] = '\n';
	(*body)[n + 1] = '\0';
	*len = n + 1;
}

/* A refusal from the loop, logged like those of jobs. */
void
job_error_respond(struct http_request *req, int err, const char *allow,
    const char *msg)
{
	struct http_header h[2];
	const char *type;
	char *body;
	size_t len, n = 0;
	int status = job_error_status(err);

	job_error_body(req->path, err, msg, &body, &len, &type);
	h[n++] = (struct http_header){ "Content-Type", type };
	if (allow != NULL)
		h[n++] = (struct http_header){ "Allow", allow };
	log_info("- %s %s from %s: %d %s (request %s, %.1f ms)",
	    req->method, req->path, req->peer, status, msg, req->request_id,
	    (double)(http_monotonic_ns() - req->started_ns) / 1e6);
	req->logged = true;
	http_respond(req, status, h, n, body, len);
	free(body);
}

/*
 * The small HTTPS client `entca --url` speaks the management API with:
 * one request per connection (HTTP/1.1, Connection: close), GnuTLS with
 * the server certificate checked against --cacert (or the system's trust)
 * and the URL's host name, HTTP Basic or a client certificate. One
 * thread, blocking.
 */
#ifndef ENTCA_CA_TOOL_HTTPS_H
#define ENTCA_CA_TOOL_HTTPS_H

#include <stddef.h>

#define TOOL_HTTPS_RESPONSE_MAX (64 * 1024 * 1024)	/* body bytes kept */

/* Where and as whom to connect. Strings are borrowed. */
struct tool_https {
	const char *url;	/* https://HOST[:PORT] */
	const char *cacert;	/* PEM file, or NULL: the system's trust */
	const char *user;	/* Basic user, or NULL */
	const char *password;	/* Basic password (wiped by the caller) */
	const char *cert;	/* client certificate PEM, or NULL */
	const char *key;	/* its key PEM */
};

/*
 * Send METHOD /api/v1/PATH (path may hold ?query) with Accept accept
 * (NULL: application/json) and a JSON body (NULL: none). Returns the HTTP
 * status, or -1 with why set when no answer came (connection, TLS, a
 * malformed reply). *out (malloc'd, NUL-terminated) gets the body and
 * *out_len its length. Any thread.
 */
int tool_https_call(const struct tool_https *h, const char *method,
    const char *path, const char *accept, const char *body, char **out,
    size_t *out_len, char *why, size_t whylen);

#endif

/*
 * Responses: the handler-facing http_respond and request accessors, the
 * server's own refusals, and the formatting of status line and headers.
 * Loop thread only (http_respond runs where the handler's completion lands).
 * The Date header reads the clock through the ca_now() seam (common/clock.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/error.h"
#include "common/clock.h"
#include "ca/http/http_internal.h"
#include "ca/http/http_util.h"

/* Handler headers plus X-Request-Id; more skip the id. */
#define HTTP_RESPOND_HEADERS_MAX 32

/* Token characters allowed in a header field name (RFC 9110 §5.6.2). */
static bool
name_ok(const char *n)
{
	if (*n == '\0')
		return false;
	for (; *n != '\0'; n++) {
		unsigned char c = (unsigned char)*n;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c)))
			return false;
	}
	return true;
}

/* Values may not break the header section: no CR, LF or other controls. */
static bool
value_ok(const char *v)
{
	for (; *v != '\0'; v++) {
		unsigned char c = (unsigned char)*v;

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

/* Format a complete response; see http_internal.h. */
char *
http_response_format(int status, bool close, bool head_only,
    const struct http_header *h, size_t nh, const char *content_type,
    const void *body, size_t body_len, size_t *outlen)
{
	char date[HTTP_DATE_LEN], *out, *p;
	size_t cap = 256, n;
	bool no_body = head_only || status == 204 || status == 304 ||
	    status < 200;

	http_date_format((time_t)ca_now(), date);
	for (size_t i = 0; i < nh; i++)
		cap += strlen(h[i].name) + strlen(h[i].value) + 4;
	if (content_type != NULL)
		cap += strlen(content_type) + 16;
	if (!no_body)
		cap += body_len;
	if ((out = malloc(cap)) == NULL)
		return NULL;
	p = out;
	p += sprintf(p, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status,
	    http_reason_phrase(status), date);
	if (status != 204 && status >= 200)
		p += sprintf(p, "Content-Length: %zu\r\n", body_len);
	if (close)
		p += sprintf(p, "Connection: close\r\n");
	if (content_type != NULL)
		p += sprintf(p, "Content-Type: %s\r\n", content_type);
	for (size_t i = 0; i < nh; i++) {
		if (strcasecmp(h[i].name, "Connection") == 0)
			continue;	/* said once, above */
		n = (size_t)sprintf(p, "%s: %s\r\n", h[i].name, h[i].value);
		p += n;
	}
	*p++ = '\r';
	*p++ = '\n';
	if (!no_body && body_len > 0) {
		memcpy(p, body, body_len);
		p += body_len;
	}
	*outlen = (size_t)(p - out);
	return out;
}

/* Answer a refused request (from the parser) and close afterwards. */
void
http_conn_refuse(struct http_conn *c, int status, const char *reason)
{
	char body[HTTP_REASON_MAX + 2];
	size_t len, outlen;
	char *out;

	c->srv->stats.refused++;
	http_conn_refused_event(c, status, reason);
	len = (size_t)snprintf(body, sizeof(body), "%s\n", reason);
	if (len >= sizeof(body))
		len = sizeof(body) - 1;
	out = http_response_format(status, true, false, NULL, 0,
	    "text/plain; charset=utf-8", body, len, &outlen);
	if (out == NULL) {
		http_conn_close(c);
		return;
	}
	http_conn_send(c, out, outlen, HA_CLOSE);
}

/* The connection that embeds req. */
static struct http_conn *
req_conn(const struct http_request *req)
{
	return req->conn;
}

/* Whether headers hold one named name (case-insensitive). */
static bool
has_header(const struct http_header *headers, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(headers[i].name, name) == 0)
			return true;
	return false;
}

/* Answer a parked request; see http.h. */
int
http_respond(struct http_request *req, int status,
    const struct http_header *headers, size_t n_headers, const void *body,
    size_t body_len)
{
	static const char bad[] = "internal error: invalid response\n";
	struct http_conn *c = req_conn(req);
	struct http_header all[HTTP_RESPOND_HEADERS_MAX];
	bool close = false, head_only;
	const char *ctype = NULL;
	size_t outlen;
	char *out;
	int rc = CA_OK;

	if (!c->parked)
		return CA_ESTATE;
	c->parked = false;
	if (c->state == HC_CLOSED) {
		if (c->srv != NULL && c->srv->cfg.done_cb != NULL)
			c->srv->cfg.done_cb(req, 0, c->srv->arg);
		http_conn_close(c);	/* frees the detached connection */
		return CA_ESTATE;
	}
	if (status < 200 || status > 599)
		rc = CA_EINVAL;
	for (size_t i = 0; rc == CA_OK && i < n_headers; i++) {
		const char *n = headers[i].name, *v = headers[i].value;

		if (n == NULL || v == NULL || !name_ok(n) || !value_ok(v) ||
		    strcasecmp(n, "Content-Length") == 0 ||
		    strcasecmp(n, "Date") == 0 ||
		    strcasecmp(n, "Transfer-Encoding") == 0)
			rc = CA_EINVAL;
		else if (strcasecmp(n, "Connection") == 0 &&
		    strcasecmp(v, "close") == 0)
			close = true;
	}
	if (rc != CA_OK) {
		status = 500;
		headers = NULL;
		n_headers = 0;
		body = bad;
		body_len = sizeof(bad) - 1;
		ctype = "text/plain; charset=utf-8";
		close = true;
	}
	if (!c->parser.keep_alive || c->srv == NULL || c->srv->draining)
		close = true;
	head_only = c->parser.is_head;
	/* Every response names its request, so a client can quote it. */
	if (n_headers < HTTP_RESPOND_HEADERS_MAX && req->request_id[0] != '\0' &&
	    !has_header(headers, n_headers, "X-Request-Id")) {
		for (size_t i = 0; i < n_headers; i++)
			all[i] = headers[i];
		all[n_headers].name = "X-Request-Id";
		all[n_headers].value = req->request_id;
		headers = all;
		n_headers++;
	}
	if (c->srv != NULL && c->srv->cfg.done_cb != NULL)
		c->srv->cfg.done_cb(req, status, c->srv->arg);
	out = http_response_format(status, close, head_only, headers,
	    n_headers, ctype, body, body_len, &outlen);
	if (out == NULL) {
		http_conn_close(c);
		return CA_ENOMEM;
	}
	http_conn_send(c, out, outlen, close ? HA_CLOSE : HA_NEXT);
	return rc;
}

/* Whether the client is still connected. */
bool
http_request_alive(const struct http_request *req)
{
	return req_conn(req)->state != HC_CLOSED;
}

/* First value of a request header. */
const char *
http_request_header(const struct http_request *req, const char *name)
{
	return http_parse_field(&req_conn(req)->parser, name);
}

/* The i-th request header. */
bool
http_request_header_at(const struct http_request *req, size_t i,
    const char **name, const char **value)
{
	const struct http_parser *p = &req_conn(req)->parser;

	if (i >= p->n_fields)
		return false;
	*name = p->fields[i].name;
	*value = p->fields[i].value;
	return true;
}

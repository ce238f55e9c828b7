/*
 * Response formatting (status line, headers, Date) and the handler-facing
 * request accessors. Sending belongs to the connection (http_conn.c:
 * http_respond, http_conn_refuse), which calls down into this file and
 * never the other way. Loop thread only.
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

/* Token characters allowed in a header field name (RFC 9110 §5.6.2). */
bool
http_header_name_ok(const char *n)
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
bool
http_header_value_ok(const char *v)
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

/* The connection that embeds req. */
static struct http_conn *
req_conn(const struct http_request *req)
{
	return req->conn;
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

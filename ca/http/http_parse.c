/*
 * Incremental HTTP/1.1 request parser (RFC 9112). Owns the bytes of one
 * request at a time: the head in a fixed buffer of HTTP_HEADER_MAX bytes and
 * the body in a malloc'd buffer bounded by body_max. Refusals carry the
 * status the server answers with (400, 413, 414, 417, 431, 501, 505) and one
 * sentence. It rejects what request smuggling relies on: obsolete line
 * folding, Content-Length together with Transfer-Encoding, differing
 * Content-Length values, and codings other than chunked. No I/O, no globals.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"
#include "ca/http/http_parse.h"

enum {
	PS_HEAD = 0,	/* collecting the head */
	PS_BODY_CL,	/* Content-Length body */
	PS_BODY_CHUNK,	/* chunked body */
	PS_DONE,
	PS_ERROR
};

enum {
	CS_SIZE = 0,	/* chunk-size [; ext] CRLF */
	CS_DATA,	/* chunk data */
	CS_DATA_END,	/* CRLF after chunk data */
	CS_TRAILER	/* trailer fields up to an empty line */
};

/* Record an error status and reason; always returns HTTP_PARSE_ERROR. */
static enum http_parse_status __attribute__((format(printf, 3, 4)))
parse_fail(struct http_parser *p, int status, const char *fmt, ...)
{
	va_list ap;

	p->state = PS_ERROR;
	p->status = status;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
	return HTTP_PARSE_ERROR;
}

/* RFC 9110 §5.6.2 tchar. */
static bool
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Field values: visible ASCII, obs-text, SP and HTAB (RFC 9110 §5.5). */
static bool
is_field_char(unsigned char c)
{
	return c == '\t' || c == ' ' || (c > 0x20 && c != 0x7f);
}

/* Request-target bytes: visible ASCII except '#' (RFC 9112 §3.2). */
static bool
is_target_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '#';
}

/* Prepare a parser; see http_parse.h. */
void
http_parse_init(struct http_parser *p, size_t body_max)
{
	memset(p, 0, sizeof(*p));
	if (body_max == 0)
		body_max = HTTP_BODY_DEFAULT_MAX;
	if (body_max > HTTP_BODY_LIMIT)
		body_max = HTTP_BODY_LIMIT;
	p->body_max = body_max;
}

/*
 * Wipe and free the body: it may hold a PKCS#12 password (a CSR's
 * challengePassword) or other secrets the client sent.
 */
static void
body_drop(struct http_parser *p)
{
	if (p->body != NULL)
		explicit_bzero(p->body, p->body_cap);
	free(p->body);
}

/* Forget the current request but keep the configuration. */
void
http_parse_reset(struct http_parser *p)
{
	size_t body_max = p->body_max;

	/* http_parse_init clears the head, Authorization header included */
	body_drop(p);
	http_parse_init(p, body_max);
}

/* Release the body buffer and wipe the head (it holds credentials). */
void
http_parse_free(struct http_parser *p)
{
	if (p == NULL)
		return;
	body_drop(p);
	explicit_bzero(p->head, sizeof(p->head));
	explicit_bzero(p->pathbuf, sizeof(p->pathbuf));
	p->body = NULL;
	p->body_len = p->body_cap = 0;
}

/* Case-insensitive lookup of the first field called name. */
const char *
http_parse_field(const struct http_parser *p, const char *name)
{
	for (size_t i = 0; i < p->n_fields; i++)
		if (strcasecmp(p->fields[i].name, name) == 0)
			return p->fields[i].value;
	return NULL;
}

/* Does the comma-separated list value hold token (case-insensitive)? */
static bool
list_has(const char *value, const char *token)
{
	size_t tl = strlen(token);
	const char *s = value;

	while (*s != '\0') {
		const char *e;
		size_t n;

		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		e = s;
		while (*e != '\0' && *e != ',')
			e++;
		n = (size_t)(e - s);
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n == tl && strncasecmp(s, token, tl) == 0)
			return true;
		s = e;
	}
	return false;
}

/* Split "METHOD SP target SP HTTP/1.x" (NUL-terminated) in place. */
static enum http_parse_status
parse_request_line(struct http_parser *p, char *line)
{
	static const char *const known[] = { "GET", "HEAD", "POST", "PUT",
	    "DELETE", "OPTIONS", "PATCH" };
	char *sp1, *sp2, *t;
	size_t n;
	bool ok = false;

	if ((sp1 = strchr(line, ' ')) == NULL)
		return parse_fail(p, 400, "HTTP: request line: no request-target");
	*sp1 = '\0';
	n = strlen(line);
	if (n == 0 || n > HTTP_METHOD_MAX)
		return parse_fail(p, 400, "HTTP: request line: bad method");
	for (size_t i = 0; i < n; i++)
		if (!is_tchar((unsigned char)line[i]))
			return parse_fail(p, 400,
			    "HTTP: request line: bad method");
	t = sp1 + 1;
	if ((sp2 = strchr(t, ' ')) == NULL)
		return parse_fail(p, 400,
		    "HTTP: request line: no HTTP version");
	*sp2 = '\0';
	if ((size_t)(sp2 - t) > HTTP_URI_MAX)
		return parse_fail(p, 414, "HTTP: request-target longer than "
		    "%d bytes", HTTP_URI_MAX);
	if (*t == '\0')
		return parse_fail(p, 400, "HTTP: request line: empty target");
	for (char *c = t; *c != '\0'; c++)
		if (!is_target_char((unsigned char)*c))
			return parse_fail(p, 400, "HTTP: request line: invalid "
			    "character in request-target");
	if (strncmp(sp2 + 1, "HTTP/", 5) != 0 || strlen(sp2 + 1) != 8 ||
	    sp2[6] < '0' || sp2[6] > '9' || sp2[7] != '.' ||
	    sp2[8] < '0' || sp2[8] > '9')
		return parse_fail(p, 400, "HTTP: request line: bad HTTP "
		    "version");
	if (sp2[6] != '1')
		return parse_fail(p, 505, "HTTP: only HTTP/1.x is served");
	p->version_minor = sp2[8] - '0';
	p->method = line;
	p->target = t;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(line, known[i]) == 0)
			ok = true;
	if (!ok)
		return parse_fail(p, 501, "HTTP: method %s not implemented",
		    line);
	p->is_head = strcmp(line, "HEAD") == 0;

	/* Absolute-form (RFC 9112 §3.2.2): keep the path after the authority. */
	if (strncasecmp(t, "http://", 7) == 0 ||
	    strncasecmp(t, "https://", 8) == 0) {
		t = strstr(t, "://") + 3;
		t += strcspn(t, "/?");
	}
	if (*t == '\0' && t != p->target)
		t = "/";	/* "http://host" means "/" */
	if (*t != '/' && !(strcmp(t, "*") == 0 &&
	    strcmp(p->method, "OPTIONS") == 0)) {
		if (*t != '?' || t == p->target)
			return parse_fail(p, 400, "HTTP: request-target must "
			    "start with '/'");
	}
	/* pathbuf holds "/path\0query\0"; an empty absolute path is "/". */
	n = strlen(t);
	if (*t == '?') {
		p->pathbuf[0] = '/';
		memcpy(p->pathbuf + 1, t, n + 1);
	} else
		memcpy(p->pathbuf, t, n + 1);
	p->path = p->pathbuf;
	if ((t = strchr(p->pathbuf, '?')) != NULL) {
		*t = '\0';
		p->query = t + 1;
	}
	return HTTP_PARSE_MORE;
}

/* Parse one "name: value" line (NUL-terminated) into p->fields. */
static enum http_parse_status
parse_field_line(struct http_parser *p, char *line)
{
	char *colon, *v, *e;

	if (*line == ' ' || *line == '\t')
		return parse_fail(p, 400, "HTTP: obsolete line folding in "
		    "header section");
	if ((colon = strchr(line, ':')) == NULL || colon == line)
		return parse_fail(p, 400, "HTTP: header field without a "
		    "name");
	*colon = '\0';
	for (char *c = line; *c != '\0'; c++)
		if (!is_tchar((unsigned char)*c))
			return parse_fail(p, 400, "HTTP: invalid header field "
			    "name");
	v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	for (e = v; *e != '\0'; e++)
		if (!is_field_char((unsigned char)*e))
			return parse_fail(p, 400, "HTTP: invalid character in "
			    "header field %s", line);
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	if (p->n_fields == HTTP_HEADERS_MAX)
		return parse_fail(p, 431, "HTTP: more than %d header fields",
		    HTTP_HEADERS_MAX);
	p->fields[p->n_fields].name = line;
	p->fields[p->n_fields].value = v;
	p->n_fields++;
	return HTTP_PARSE_MORE;
}

/* Parse a Content-Length value: 1..18 digits, nothing else. */
static bool
parse_length(const char *v, uint64_t *out)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 18)
			return false;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	*out = n;
	return i > 0;
}

/* Apply the framing and connection rules of RFC 9112 §6 and §9. */
static enum http_parse_status
parse_semantics(struct http_parser *p)
{
	const char *te = NULL, *cl = NULL, *v;
	size_t hosts = 0;

	for (size_t i = 0; i < p->n_fields; i++) {
		const char *n = p->fields[i].name;

		v = p->fields[i].value;
		if (strcasecmp(n, "Host") == 0)
			hosts++;
		else if (strcasecmp(n, "Transfer-Encoding") == 0) {
			if (te != NULL)
				return parse_fail(p, 400, "HTTP: repeated "
				    "Transfer-Encoding");
			te = v;
		} else if (strcasecmp(n, "Content-Length") == 0) {
			uint64_t len;

			if (!parse_length(v, &len))
				return parse_fail(p, 400, "HTTP: invalid "
				    "Content-Length");
			if (cl != NULL && len != p->content_length)
				return parse_fail(p, 400, "HTTP: conflicting "
				    "Content-Length values");
			cl = v;
			p->content_length = len;
		}
	}
	if (p->version_minor >= 1 && hosts != 1)
		return parse_fail(p, 400, "HTTP: an HTTP/1.1 request needs "
		    "exactly one Host field");
	if (te != NULL) {
		if (cl != NULL)
			return parse_fail(p, 400, "HTTP: both Content-Length "
			    "and Transfer-Encoding");
		if (p->version_minor == 0)
			return parse_fail(p, 400, "HTTP: Transfer-Encoding in "
			    "an HTTP/1.0 request");
		if (strcasecmp(te, "chunked") != 0)
			return parse_fail(p, 501, "HTTP: transfer coding %s "
			    "not implemented", te);
		p->chunked = true;
	}
	if ((v = http_parse_field(p, "Expect")) != NULL) {
		if (strcasecmp(v, "100-continue") != 0)
			return parse_fail(p, 417, "HTTP: expectation %s not "
			    "supported", v);
		p->expect_continue = p->version_minor >= 1;
	}
	v = http_parse_field(p, "Connection");
	p->keep_alive = p->version_minor >= 1 &&
	    (v == NULL || !list_has(v, "close"));
	if (cl != NULL && p->content_length > p->body_max) {
		return parse_fail(p, 413, "HTTP: request body larger than "
		    "%zu bytes", p->body_max);
	}
	return HTTP_PARSE_MORE;
}

/* Split the completed head (request line, fields) and decide the framing. */
static enum http_parse_status
parse_head(struct http_parser *p)
{
	char *line = p->head, *end = p->head + p->head_len, *nl;
	enum http_parse_status st;
	bool first = true;
	size_t ll;

	p->head[p->head_len] = '\0';
	while (line < end) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			break;
		ll = (size_t)(nl - line);
		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		if (memchr(line, '\r', ll) != NULL ||
		    memchr(line, '\0', ll) != NULL)
			return parse_fail(p, 400, "HTTP: stray CR or NUL in "
			    "the header section");
		line[ll] = '\0';
		if (*line == '\0')
			break;	/* the empty line ending the head */
		st = first ? parse_request_line(p, line) :
		    parse_field_line(p, line);
		if (st == HTTP_PARSE_ERROR)
			return st;
		first = false;
		line = nl + 1;
	}
	return parse_semantics(p);
}

/* Grow the body buffer to hold want bytes (want <= body_max). */
static bool
body_reserve(struct http_parser *p, size_t want)
{
	size_t cap = p->body_cap != 0 ? p->body_cap : 1024;
	unsigned char *b;

	if (want + 1 <= p->body_cap)
		return true;
	while (cap < want + 1)
		cap *= 2;
	if (cap > p->body_max + 1)
		cap = p->body_max + 1;
	/* Not realloc: the old block would be freed with the body in it. */
	if ((b = malloc(cap)) == NULL)
		return false;
	if (p->body != NULL) {
		memcpy(b, p->body, p->body_len);
		body_drop(p);
	}
	p->body = b;
	p->body_cap = cap;
	return true;
}

/* Append body bytes, refusing to go past body_max (413). */
static enum http_parse_status
body_append(struct http_parser *p, const unsigned char *d, size_t n)
{
	if (n > p->body_max - p->body_len) {
		return parse_fail(p, 413, "HTTP: request body larger than "
		    "%zu bytes", p->body_max);
	}
	if (!body_reserve(p, p->body_len + n))
		return parse_fail(p, 500, "HTTP: out of memory for the "
		    "body");
	memcpy(p->body + p->body_len, d, n);
	p->body_len += n;
	p->body[p->body_len] = '\0';
	return HTTP_PARSE_MORE;
}

/* Consume head bytes up to the empty line; *used gets the count. */
static enum http_parse_status
feed_head(struct http_parser *p, const unsigned char *d, size_t len,
    size_t *used)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = d[i];

		/* Empty lines before the request line are ignored (§2.2). */
		if (p->head_len == 0 && (c == '\r' || c == '\n')) {
			p->started = true;
			continue;
		}
		p->started = true;
		if (p->head_len == HTTP_HEADER_MAX) {
			*used = i;
			if (p->line_start == 0)
				return parse_fail(p, 414, "HTTP: request line "
				    "longer than %d bytes", HTTP_HEADER_MAX);
			return parse_fail(p, 431, "HTTP: header section larger "
			    "than %d bytes", HTTP_HEADER_MAX);
		}
		p->head[p->head_len++] = (char)c;
		if (c != '\n') {
			if (p->line_start == 0 &&
			    p->head_len > HTTP_URI_MAX + HTTP_METHOD_MAX + 11) {
				*used = i + 1;
				return parse_fail(p, 414, "HTTP: request-target "
				    "longer than %d bytes", HTTP_URI_MAX);
			}
			continue;
		}
		/* A line ended; an empty one ("\n" or "\r\n") ends the head. */
		{
			size_t ll = p->head_len - p->line_start;

			if (p->line_start != 0 && (ll == 1 || (ll == 2 &&
			    p->head[p->line_start] == '\r'))) {
				enum http_parse_status st;

				*used = i + 1;
				if ((st = parse_head(p)) == HTTP_PARSE_ERROR)
					return st;
				if (p->chunked) {
					p->state = PS_BODY_CHUNK;
					return HTTP_PARSE_HEAD;
				}
				if (p->content_length > 0) {
					if (!body_reserve(p,
					    (size_t)p->content_length))
						return parse_fail(p, 500,
						    "HTTP: out of memory for "
						    "the body");
					p->state = PS_BODY_CL;
					return HTTP_PARSE_HEAD;
				}
				p->state = PS_DONE;
				return HTTP_PARSE_DONE;
			}
			p->line_start = p->head_len;
		}
	}
	*used = len;
	return HTTP_PARSE_MORE;
}

/* Parse a chunk-size line: hex digits, then optional ";ext". */
static enum http_parse_status
chunk_size_line(struct http_parser *p)
{
	uint64_t n = 0;
	size_t i = 0;
	char *s = p->cline;

	if (p->cline_len > 0 && s[p->cline_len - 1] == '\r')
		p->cline_len--;
	s[p->cline_len] = '\0';
	for (; s[i] != '\0'; i++) {
		int v;
		char c = s[i];

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			break;
		if (i >= 15)
			return parse_fail(p, 413, "HTTP: chunk size too "
			    "large");
		n = n * 16 + (uint64_t)v;
	}
	if (i == 0 || (s[i] != '\0' && s[i] != ';' && s[i] != ' ' &&
	    s[i] != '\t'))
		return parse_fail(p, 400, "HTTP: invalid chunk size line");
	for (; s[i] != '\0'; i++)
		if (!is_field_char((unsigned char)s[i]))
			return parse_fail(p, 400, "HTTP: invalid chunk "
			    "extension");
	if (n > p->body_max - p->body_len) {
		return parse_fail(p, 413, "HTTP: request body larger than "
		    "%zu bytes", p->body_max);
	}
	p->chunk_left = n;
	p->cline_len = 0;
	p->cstate = n == 0 ? CS_TRAILER : CS_DATA;
	return HTTP_PARSE_MORE;
}

/* Consume chunked body bytes (RFC 9112 §7.1); trailers are discarded. */
static enum http_parse_status
feed_chunked(struct http_parser *p, const unsigned char *d, size_t len,
    size_t *used)
{
	size_t i = 0;
	enum http_parse_status st;

	while (i < len) {
		unsigned char c = d[i];

		switch (p->cstate) {
		case CS_SIZE:
			i++;
			if (c != '\n') {
				if (p->cline_len == HTTP_CHUNK_LINE_MAX) {
					*used = i;
					return parse_fail(p, 400, "HTTP: chunk "
					    "size line too long");
				}
				p->cline[p->cline_len++] = (char)c;
				break;
			}
			if ((st = chunk_size_line(p)) == HTTP_PARSE_ERROR) {
				*used = i;
				return st;
			}
			break;
		case CS_DATA: {
			size_t n = len - i;

			if (n > p->chunk_left)
				n = (size_t)p->chunk_left;
			if ((st = body_append(p, d + i, n)) == HTTP_PARSE_ERROR) {
				*used = i;
				return st;
			}
			i += n;
			p->chunk_left -= n;
			if (p->chunk_left == 0)
				p->cstate = CS_DATA_END;
			break;
		}
		case CS_DATA_END:
			i++;
			if (c == '\r' && p->cline_len == 0) {
				p->cline_len = 1;
				break;
			}
			if (c != '\n') {
				*used = i;
				return parse_fail(p, 400, "HTTP: chunk data not "
				    "followed by CRLF");
			}
			p->cline_len = 0;
			p->cstate = CS_SIZE;
			break;
		case CS_TRAILER:
			i++;
			if (++p->trailer_len > HTTP_TRAILER_MAX) {
				*used = i;
				return parse_fail(p, 431, "HTTP: chunked trailer "
				    "larger than %d bytes", HTTP_TRAILER_MAX);
			}
			if (c != '\n') {
				if (c != '\r' || p->cline_len != 0)
					p->cline_len = 2;	/* non-empty line */
				else
					p->cline_len = 1;
				break;
			}
			if (p->cline_len <= 1) {
				*used = i;
				p->state = PS_DONE;
				return HTTP_PARSE_DONE;
			}
			p->cline_len = 0;
			break;
		}
	}
	*used = i;
	return HTTP_PARSE_MORE;
}

/* Feed bytes to the parser; see http_parse.h. */
enum http_parse_status
http_parse_feed(struct http_parser *p, const unsigned char *data, size_t len,
    size_t *consumed)
{
	size_t n;

	*consumed = 0;
	switch (p->state) {
	case PS_HEAD:
		return feed_head(p, data, len, consumed);
	case PS_BODY_CL:
		n = (size_t)(p->content_length - p->body_len);
		if (n > len)
			n = len;
		if (body_append(p, data, n) == HTTP_PARSE_ERROR)
			return HTTP_PARSE_ERROR;
		*consumed = n;
		if (p->body_len < p->content_length)
			return HTTP_PARSE_MORE;
		p->state = PS_DONE;
		return HTTP_PARSE_DONE;
	case PS_BODY_CHUNK:
		return feed_chunked(p, data, len, consumed);
	case PS_DONE:
		return HTTP_PARSE_DONE;
	default:
		return HTTP_PARSE_ERROR;
	}
}

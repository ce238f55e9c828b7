/*
 * The HTTP/1.1 request parser (RFC 9112): a pure, incremental state machine
 * with no I/O. The connection feeds it whatever bytes TLS delivered; it
 * copies the head into its own bounded buffer, splits the request line and
 * header fields in place, and collects a Content-Length or chunked body into
 * a buffer bounded by the configured maximum. Feeding byte by byte and all
 * at once give the same result. One parser per connection; no globals, so
 * any thread may use its own parser.
 */
#ifndef ENTCA_CA_HTTP_PARSE_H
#define ENTCA_CA_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_HEADER_MAX (16 * 1024)	/* request line + fields, bytes */
#define HTTP_HEADERS_MAX 64		/* header fields per request */
#define HTTP_URI_MAX 4096		/* request-target, bytes -> 414 */
#define HTTP_METHOD_MAX 16		/* method token, bytes */
#define HTTP_CHUNK_LINE_MAX 256		/* chunk-size line with extensions */
#define HTTP_TRAILER_MAX 4096		/* chunked trailer section, bytes */
#define HTTP_BODY_DEFAULT_MAX (64 * 1024) /* default body bound -> 413 */
#define HTTP_BODY_LIMIT (64u * 1024 * 1024) /* largest configurable bound */
#define HTTP_REASON_MAX 160		/* error sentence for the client */

enum http_parse_status {
	HTTP_PARSE_MORE = 0,	/* all input consumed, need more */
	HTTP_PARSE_HEAD,	/* head complete, a body follows: feed on */
	HTTP_PARSE_DONE,	/* request complete; rest of input unconsumed */
	HTTP_PARSE_ERROR,	/* p->status and p->reason say why */
	HTTP_PARSE_STATUS_COUNT
};

/* One header field; both point into the parser's head buffer. */
struct http_field {
	const char *name;
	const char *value;
};

struct http_parser {
	/* Set by http_parse_init; the parser never changes it. */
	size_t body_max;

	/* Progress. */
	int state;		/* enum in http_parse.c */
	bool started;		/* a byte of this request arrived */
	size_t line_start;	/* offset of the current head line */

	/* The head, NUL-split in place once complete. */
	char head[HTTP_HEADER_MAX + 1];
	size_t head_len;
	const char *method;
	const char *target;	/* raw request-target as received */
	const char *path;	/* origin path, up to '?' (in pathbuf) */
	const char *query;	/* after '?', NULL when there is none */
	char pathbuf[HTTP_URI_MAX + 2];	/* path and query, split */
	int version_minor;	/* HTTP/1.<minor>, 0 or 1 */
	struct http_field fields[HTTP_HEADERS_MAX];
	size_t n_fields;

	/* What the head says. */
	bool keep_alive;
	bool expect_continue;
	bool chunked;
	bool is_head;		/* HEAD: the response carries no body */
	uint64_t content_length;

	/* Body, owned by the parser (malloc'd, NUL-terminated for safety). */
	unsigned char *body;
	size_t body_len;
	size_t body_cap;

	/* Chunked decoding. */
	int cstate;
	uint64_t chunk_left;
	char cline[HTTP_CHUNK_LINE_MAX + 1];
	size_t cline_len;
	size_t trailer_len;

	/* Outcome of HTTP_PARSE_ERROR: the status to answer and why. */
	int status;
	char reason[HTTP_REASON_MAX];
};

/*
 * Prepare p for a first request; bodies above body_max (0: the default,
 * capped at HTTP_BODY_LIMIT) are refused with 413. p need not be zeroed.
 */
void http_parse_init(struct http_parser *p, size_t body_max);

/* Drop the current request (and its body) and wait for the next one. */
void http_parse_reset(struct http_parser *p);

/* Free what the parser holds; p itself belongs to the caller. */
void http_parse_free(struct http_parser *p);

/*
 * Feed len bytes; *consumed gets how many were used (the rest belongs to
 * the next pipelined request or to the body after HTTP_PARSE_HEAD). After
 * HTTP_PARSE_DONE or HTTP_PARSE_ERROR further input is not consumed until
 * http_parse_reset. Errors set p->status (400, 413, 414, 417, 431, 501,
 * 505) and p->reason, a sentence naming the rule.
 */
enum http_parse_status http_parse_feed(struct http_parser *p,
    const unsigned char *data, size_t len, size_t *consumed);

/* First value of the field name (case-insensitive), NULL when absent. */
const char *http_parse_field(const struct http_parser *p, const char *name);

#endif

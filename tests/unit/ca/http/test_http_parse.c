/*
 * Unit tests for ca/http/http_parse.c: valid requests, every refusal with its
 * status, pipelining, and the property that feeding byte by byte, in random
 * splits and all at once give the same outcome.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ca/http/http_parse.h"

/* The outcome of parsing one request, for comparison. */
struct outcome {
	enum http_parse_status st;
	int status;
	char reason[HTTP_REASON_MAX];
	size_t consumed;
	char method[32], path[HTTP_URI_MAX + 2], query[256];
	int has_query;
	size_t n_fields;
	unsigned char body[70000];
	size_t body_len;
	bool keep_alive, expect_continue, chunked;
};

/* Copy what the parser reports into o. */
static void
capture(const struct http_parser *p, enum http_parse_status st,
    size_t consumed, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->st = st;
	o->consumed = consumed;
	if (st == HTTP_PARSE_ERROR) {
		o->status = p->status;
		snprintf(o->reason, sizeof(o->reason), "%s", p->reason);
		return;
	}
	if (st != HTTP_PARSE_DONE)
		return;
	snprintf(o->method, sizeof(o->method), "%s", p->method);
	snprintf(o->path, sizeof(o->path), "%s", p->path);
	if (p->query != NULL) {
		o->has_query = 1;
		snprintf(o->query, sizeof(o->query), "%s", p->query);
	}
	o->n_fields = p->n_fields;
	assert_true(p->body_len <= sizeof(o->body));
	if (p->body_len > 0)
		memcpy(o->body, p->body, p->body_len);
	o->body_len = p->body_len;
	o->keep_alive = p->keep_alive;
	o->expect_continue = p->expect_continue;
	o->chunked = p->chunked;
}

/* Feed in pieces of at most step bytes (0: random 1..17). */
static void
run(const char *in, size_t len, size_t body_max, size_t step,
    struct outcome *o)
{
	struct http_parser *p = malloc(sizeof(*p));
	enum http_parse_status st = HTTP_PARSE_MORE;
	size_t off = 0, used;

	assert_non_null(p);
	http_parse_init(p, body_max);
	while (off < len) {
		size_t n = step ? step : (size_t)(rand() % 17 + 1);

		if (n > len - off)
			n = len - off;
		st = http_parse_feed(p, (const unsigned char *)in + off, n,
		    &used);
		assert_true(used <= n);
		off += used;
		if (st == HTTP_PARSE_DONE || st == HTTP_PARSE_ERROR)
			break;
		if (st == HTTP_PARSE_MORE)
			assert_int_equal(used, n);
	}
	capture(p, st, off, o);
	http_parse_free(p);
	free(p);
}

/* All-at-once, byte-by-byte and random splits agree; return the first. */
static struct outcome *
parse3(const char *in, size_t len, size_t body_max)
{
	static struct outcome a, b, c;

	run(in, len, body_max, len ? len : 1, &a);
	run(in, len, body_max, 1, &b);
	for (int i = 0; i < 5; i++) {
		run(in, len, body_max, 0, &c);
		assert_memory_equal(&a, &c, sizeof(a));
	}
	assert_memory_equal(&a, &b, sizeof(a));
	return &a;
}

#define P(s) parse3((s), sizeof(s) - 1, 0)

/* A plain GET with a query. */
static void
test_get(void **state)
{
	struct outcome *o = P("GET /a/b%20c?x=1&y HTTP/1.1\r\nHost: h\r\n"
	    "Accept: */*\r\n\r\n");

	(void)state;
	assert_int_equal(o->st, HTTP_PARSE_DONE);
	assert_string_equal(o->method, "GET");
	assert_string_equal(o->path, "/a/b%20c");
	assert_true(o->has_query);
	assert_string_equal(o->query, "x=1&y");
	assert_int_equal(o->n_fields, 2);
	assert_true(o->keep_alive);
	assert_int_equal(o->body_len, 0);
}

/* Field lookup is case-insensitive and trims blanks. */
static void
test_fields(void **state)
{
	static const char in[] = "GET / HTTP/1.1\r\nhOsT:  h  \r\n"
	    "X-A:\t1 2 \r\nx-a: second\r\nEmpty:\r\n\r\n";
	struct http_parser p;
	size_t used;

	(void)state;
	http_parse_init(&p, 0);
	assert_int_equal(http_parse_feed(&p, (const unsigned char *)in,
	    sizeof(in) - 1, &used), HTTP_PARSE_DONE);
	assert_int_equal(used, sizeof(in) - 1);
	assert_string_equal(http_parse_field(&p, "HOST"), "h");
	assert_string_equal(http_parse_field(&p, "x-a"), "1 2");
	assert_string_equal(http_parse_field(&p, "empty"), "");
	assert_null(http_parse_field(&p, "missing"));
	assert_null(p.query);
	http_parse_free(&p);
}

/* Content-Length body, exactly at the bound and one over it. */
static void
test_content_length(void **state)
{
	char *in = malloc(70000);
	size_t n;
	struct outcome *o;

	(void)state;
	n = (size_t)sprintf(in, "POST /e HTTP/1.1\r\nHost: h\r\n"
	    "Content-Length: 65536\r\n\r\n");
	memset(in + n, 'z', 65536);
	o = parse3(in, n + 65536, 0);
	assert_int_equal(o->st, HTTP_PARSE_DONE);
	assert_int_equal(o->body_len, 65536);
	assert_int_equal(o->body[65535], 'z');
	assert_int_equal(o->consumed, n + 65536);

	n = (size_t)sprintf(in, "POST /e HTTP/1.1\r\nHost: h\r\n"
	    "Content-Length: 65537\r\n\r\n");
	o = parse3(in, n + 10, 0);
	assert_int_equal(o->st, HTTP_PARSE_ERROR);
	assert_int_equal(o->status, 413);
	assert_string_equal(o->reason,
	    "HTTP: request body larger than 65536 bytes");
	/* Refused right after the head: no body byte was consumed. */
	assert_int_equal(o->consumed, n);
	free(in);
}

/* Chunked bodies with extensions and trailers are decoded. */
static void
test_chunked(void **state)
{
	struct outcome *o = P("POST /c HTTP/1.1\r\nHost: h\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"
	    "5;name=val\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
	    "0\r\nTrailer-X: 1\r\n\r\nGET /next");

	(void)state;
	assert_int_equal(o->st, HTTP_PARSE_DONE);
	assert_true(o->chunked);
	assert_int_equal(o->body_len, 31);
	assert_memory_equal(o->body, "helloabcdefghijklmnopqrstuvwxyz", 31);
	/* The pipelined "GET /next" is left for the next request. */
	assert_int_equal(o->consumed, strlen("POST /c HTTP/1.1\r\nHost: h\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"
	    "5;name=val\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
	    "0\r\nTrailer-X: 1\r\n\r\n"));
}

/* A chunked body over the bound is refused while reading. */
static void
test_chunked_too_big(void **state)
{
	struct outcome *o;

	(void)state;
	o = parse3("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked"
	    "\r\n\r\n8\r\n12345678\r\n9\r\n123456789\r\n0\r\n\r\n",
	    strlen("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked"
	    "\r\n\r\n8\r\n12345678\r\n9\r\n123456789\r\n0\r\n\r\n"), 16);
	assert_int_equal(o->st, HTTP_PARSE_ERROR);
	assert_int_equal(o->status, 413);
	o = P("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "fffffffffffffffff\r\n");
	assert_int_equal(o->status, 413);
	o = P("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "zz\r\n");
	assert_int_equal(o->status, 400);
	o = P("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "2\r\nabX\r\n");
	assert_int_equal(o->status, 400);
}

/* Pipelined requests are parsed one at a time. */
static void
test_pipeline(void **state)
{
	static const char in[] = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
	    "GET /2 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
	struct http_parser p;
	size_t used, off;

	(void)state;
	http_parse_init(&p, 0);
	assert_int_equal(http_parse_feed(&p, (const unsigned char *)in,
	    sizeof(in) - 1, &used), HTTP_PARSE_DONE);
	assert_string_equal(p.path, "/1");
	assert_true(p.keep_alive);
	off = used;
	/* Done: nothing more is consumed until reset. */
	assert_int_equal(http_parse_feed(&p, (const unsigned char *)in + off,
	    sizeof(in) - 1 - off, &used), HTTP_PARSE_DONE);
	assert_int_equal(used, 0);
	http_parse_reset(&p);
	assert_int_equal(http_parse_feed(&p, (const unsigned char *)in + off,
	    sizeof(in) - 1 - off, &used), HTTP_PARSE_DONE);
	assert_string_equal(p.path, "/2");
	assert_false(p.keep_alive);
	assert_int_equal(off + used, sizeof(in) - 1);
	http_parse_free(&p);
}

/* Request forms: absolute-form, asterisk, leading CRLF, bare LF, 1.0. */
static void
test_forms(void **state)
{
	struct outcome *o;

	(void)state;
	o = P("GET https://example.com:8443/x/y?q=1 HTTP/1.1\r\nHost: e\r\n\r\n");
	assert_int_equal(o->st, HTTP_PARSE_DONE);
	assert_string_equal(o->path, "/x/y");
	assert_string_equal(o->query, "q=1");
	o = P("GET http://example.com HTTP/1.1\r\nHost: e\r\n\r\n");
	assert_string_equal(o->path, "/");
	o = P("OPTIONS * HTTP/1.1\r\nHost: e\r\n\r\n");
	assert_string_equal(o->path, "*");
	o = P("\r\n\r\nGET / HTTP/1.1\nHost: e\n\n");
	assert_int_equal(o->st, HTTP_PARSE_DONE);
	o = P("GET / HTTP/1.0\r\n\r\n");
	assert_int_equal(o->st, HTTP_PARSE_DONE);
	assert_false(o->keep_alive);
	o = P("POST / HTTP/1.1\r\nHost: e\r\nExpect: 100-continue\r\n"
	    "Content-Length: 2\r\n\r\nok");
	assert_true(o->expect_continue);
	assert_int_equal(o->body_len, 2);
}

/* Refusals, each with its status. */
static void
test_refusals(void **state)
{
	static const struct {
		const char *in;
		int status;
	} t[] = {
		{ "GARBAGE\r\n\r\n", 400 },
		{ "GET /\r\n\r\n", 400 },
		{ "GET / HTTP/1.1 extra\r\nHost: h\r\n\r\n", 400 },
		{ "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
		{ "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
		{ "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505 },
		{ "GET / HTTQ/1.1\r\nHost: h\r\n\r\n", 400 },
		{ "GET x HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
		{ "GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
		{ "BREW /pot HTTP/1.1\r\nHost: h\r\n\r\n", 501 },
		{ "GET / HTTP/1.1\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\n: h\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\rX\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\x01\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n"
		  "Transfer-Encoding: chunked\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n"
		  "Content-Length: 2\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1,1\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: "
		  "99999999999999999999\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n",
		  501 },
		{ "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nExpect: magic\r\n\r\n", 417 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct outcome *o = parse3(t[i].in, strlen(t[i].in), 0);

		if (o->st != HTTP_PARSE_ERROR || o->status != t[i].status)
			fail_msg("case %zu (%s): st %d status %d", i, t[i].in,
			    o->st, o->status);
		assert_true(strncmp(o->reason, "HTTP: ", 6) == 0);
	}
}

/* Oversized heads: 414 for the target, 431 for the header section. */
static void
test_limits(void **state)
{
	char *in = malloc(HTTP_HEADER_MAX * 2);
	struct outcome *o;
	size_t n;

	(void)state;
	n = (size_t)sprintf(in, "GET /");
	memset(in + n, 'a', HTTP_URI_MAX);
	n += HTTP_URI_MAX;
	n += (size_t)sprintf(in + n, " HTTP/1.1\r\nHost: h\r\n\r\n");
	o = parse3(in, n, 0);
	assert_int_equal(o->status, 414);

	/* A target exactly at the bound is fine. */
	n = (size_t)sprintf(in, "GET /");
	memset(in + n, 'a', HTTP_URI_MAX - 1);
	n += HTTP_URI_MAX - 1;
	n += (size_t)sprintf(in + n, " HTTP/1.1\r\nHost: h\r\n\r\n");
	o = parse3(in, n, 0);
	assert_int_equal(o->st, HTTP_PARSE_DONE);

	/* A request line that never ends is 414 early, not after 16 KiB. */
	n = (size_t)sprintf(in, "GET /");
	memset(in + n, 'a', HTTP_HEADER_MAX);
	o = parse3(in, n + HTTP_HEADER_MAX, 0);
	assert_int_equal(o->status, 414);
	assert_true(o->consumed < HTTP_URI_MAX + 64);

	n = (size_t)sprintf(in, "GET / HTTP/1.1\r\nHost: h\r\nX-Big: ");
	memset(in + n, 'b', HTTP_HEADER_MAX);
	n += HTTP_HEADER_MAX;
	n += (size_t)sprintf(in + n, "\r\n\r\n");
	o = parse3(in, n, 0);
	assert_int_equal(o->status, 431);

	n = (size_t)sprintf(in, "GET / HTTP/1.1\r\nHost: h\r\n");
	for (int i = 0; i < HTTP_HEADERS_MAX; i++)
		n += (size_t)sprintf(in + n, "X-%d: v\r\n", i);
	n += (size_t)sprintf(in + n, "\r\n");
	o = parse3(in, n, 0);
	assert_int_equal(o->status, 431);
	free(in);
}

/* NUL bytes anywhere in the head are refused, not truncated. */
static void
test_nul(void **state)
{
	static const char in[] = "GET /a\0b HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char in2[] = "GET / HTTP/1.1\r\nHost: h\0evil\r\n\r\n";
	struct outcome *o;

	(void)state;
	o = parse3(in, sizeof(in) - 1, 0);
	assert_int_equal(o->status, 400);
	o = parse3(in2, sizeof(in2) - 1, 0);
	assert_int_equal(o->status, 400);
}

/* Random garbage never crashes and always ends in a defined state. */
static void
test_random(void **state)
{
	char buf[512];
	struct outcome *o;

	(void)state;
	for (int i = 0; i < 2000; i++) {
		size_t n = (size_t)(rand() % (int)sizeof(buf));
		static const char alpha[] = "GET /HTTP1.\r\n :0123456789abcdef"
		    "Content-Length:Transfer-Encoding:chunked\x00\x7f";

		for (size_t j = 0; j < n; j++)
			buf[j] = (char)(rand() % 4 == 0 ? rand() :
			    alpha[rand() % (int)(sizeof(alpha) - 1)]);
		o = parse3(buf, n, 64);
		assert_true(o->consumed <= n);
	}
}

/* Run the parser tests with a fixed random seed. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_chunked_too_big),
		cmocka_unit_test(test_pipeline),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_random),
	};

	srand(12345);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

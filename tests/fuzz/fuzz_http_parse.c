/*
 * libFuzzer target for ca/http/http_parse.c: the first input byte picks a split
 * size, the rest is fed in pieces of that size through as many pipelined
 * requests as it holds; the all-at-once result must match the split one.
 * Also runs base64 decoding and Basic parsing over the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/base64.h"
#include "ca/http/http_parse.h"
#include "ca/http/http_util.h"

/* Parse all requests in data with pieces of step bytes; return a digest. */
static uint64_t
parse_all(const uint8_t *data, size_t len, size_t step)
{
	static struct http_parser p;
	uint64_t digest = 1469598103934665603ull;
	size_t off = 0, used;

	http_parse_init(&p, 256);
	while (off < len) {
		size_t n = len - off < step ? len - off : step;
		enum http_parse_status st = http_parse_feed(&p, data + off, n,
		    &used);

		off += used;
		if (st == HTTP_PARSE_ERROR) {
			digest = digest * 31 + (uint64_t)p.status;
			break;
		}
		if (st == HTTP_PARSE_DONE) {
			digest = digest * 31 + p.body_len;
			digest = digest * 31 + p.n_fields;
			digest = digest * 31 + strlen(p.path);
			if (http_parse_field(&p, "Authorization") != NULL) {
				char u[64], pw[64];

				(void)http_basic_parse(http_parse_field(&p,
				    "Authorization"), u, sizeof(u), pw,
				    sizeof(pw), NULL, 0);
			}
			http_parse_reset(&p);
		}
	}
	digest = digest * 31 + off;
	http_parse_free(&p);
	return digest;
}

/* libFuzzer entry: split parsing must equal whole parsing. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *dec;
	size_t declen;

	if (size < 1)
		return 0;
	if (parse_all(data + 1, size - 1, size) !=
	    parse_all(data + 1, size - 1, (size_t)data[0] % 16 + 1))
		abort();
	if (base64_decode((const char *)data, size, &dec, &declen, NULL, 0) ==
	    CA_OK)
		free(dec);
	return 0;
}

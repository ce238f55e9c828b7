/*
 * Base64 encoding and whitespace-tolerant decoding (RFC 4648 §4). Owns no
 * state; every function is safe from any thread.
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/base64.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value of one base64 character, -1 for anything outside the alphabet. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Blanks and line breaks that EST and PEM-like bodies put between groups. */
static int
b64_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Size of the encoding of len bytes with CRLF every line_len characters. */
size_t
base64_encoded_len(size_t len, unsigned line_len)
{
	size_t chars = (len + 2) / 3 * 4;

	line_len -= line_len % 4;
	if (line_len == 0 || chars == 0)
		return chars;
	return chars + 2 * ((chars + line_len - 1) / line_len);
}

/* Encode in to a fresh string; see base64.h for the contract. */
int
base64_encode(const void *in, size_t len, unsigned line_len, char **out,
    size_t *outlen)
{
	const unsigned char *p = in;
	size_t n, i, col = 0, o = 0;
	char *s;

	*out = NULL;
	if (len > BASE64_INPUT_MAX)
		return CA_ETOOBIG;
	line_len -= line_len % 4;
	n = base64_encoded_len(len, line_len);
	if ((s = malloc(n + 1)) == NULL)
		return CA_ENOMEM;
	for (i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		size_t left = len - i;

		if (left > 1)
			v |= (unsigned)p[i + 1] << 8;
		if (left > 2)
			v |= p[i + 2];
		s[o++] = b64_alphabet[(v >> 18) & 63];
		s[o++] = b64_alphabet[(v >> 12) & 63];
		s[o++] = left > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
		s[o++] = left > 2 ? b64_alphabet[v & 63] : '=';
		col += 4;
		if (line_len != 0 && (col == line_len || left <= 3)) {
			s[o++] = '\r';
			s[o++] = '\n';
			col = 0;
		}
	}
	s[o] = '\0';
	*out = s;
	if (outlen != NULL)
		*outlen = o;
	return CA_OK;
}

/* Write the 1 or 2 bytes of a final group of nacc (2 or 3) characters. */
static int
b64_flush(unsigned acc, unsigned nacc, unsigned char *out, size_t outsz,
    size_t *o)
{
	if (outsz - *o < nacc - 1)
		return CA_ETOOBIG;
	acc <<= 6 * (4 - nacc);
	out[(*o)++] = (unsigned char)(acc >> 16);
	if (nacc == 3)
		out[(*o)++] = (unsigned char)(acc >> 8);
	return CA_OK;
}

/* Decode into a caller buffer; see base64.h for the contract. */
int
base64_decode_buf(const char *in, size_t len, unsigned char *out,
    size_t outsz, size_t *outlen, char *why, size_t whylen)
{
	unsigned acc = 0, nacc = 0, npad = 0;
	int closed = 0, rc;
	size_t i, o = 0;

	*outlen = 0;
	if (len > BASE64_INPUT_MAX)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "base64: input of %zu bytes exceeds %u", len,
		    BASE64_INPUT_MAX);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		int v;

		if (b64_is_space(c))
			continue;
		if (c == '=') {
			/* Padding completes a group of 2 or 3 characters. */
			if (closed || (npad == 0 && nacc < 2) ||
			    nacc + npad >= 4)
				return ca_why(why, whylen, CA_EPARSE,
				    "base64: misplaced '=' at offset %zu", i);
			if (++npad + nacc == 4) {
				if ((rc = b64_flush(acc, nacc, out, outsz,
				    &o)) != CA_OK)
					return ca_why(why, whylen, rc,
					    "base64: decoded data exceeds "
					    "%zu bytes", outsz);
				nacc = 0;
				closed = 1;	/* only blanks may follow */
			}
			continue;
		}
		if (npad != 0 || closed)
			return ca_why(why, whylen, CA_EPARSE,
			    "base64: data after padding at offset %zu", i);
		if ((v = b64_value(c)) < 0)
			return ca_why(why, whylen, CA_EPARSE,
			    "base64: invalid character 0x%02x at offset %zu",
			    c, i);
		acc = (acc << 6) | (unsigned)v;
		if (++nacc == 4) {
			if (outsz - o < 3)
				return ca_why(why, whylen, CA_ETOOBIG,
				    "base64: decoded data exceeds %zu bytes",
				    outsz);
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			acc = 0;
			nacc = 0;
		}
	}
	if (npad != 0 && !closed)
		return ca_why(why, whylen, CA_EPARSE,
		    "base64: incomplete padding at the end");
	/* A final group of 2 or 3 characters without padding is accepted. */
	if (nacc == 1)
		return ca_why(why, whylen, CA_EPARSE,
		    "base64: truncated final group");
	if (nacc >= 2 && (rc = b64_flush(acc, nacc, out, outsz, &o)) != CA_OK)
		return ca_why(why, whylen, rc,
		    "base64: decoded data exceeds %zu bytes", outsz);
	*outlen = o;
	return CA_OK;
}

/* Decode into a fresh buffer; see base64.h for the contract. */
int
base64_decode(const char *in, size_t len, unsigned char **out,
    size_t *outlen, char *why, size_t whylen)
{
	size_t cap;
	unsigned char *buf;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (len > BASE64_INPUT_MAX)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "base64: input of %zu bytes exceeds %u", len,
		    BASE64_INPUT_MAX);
	cap = len / 4 * 3 + 3;
	if ((buf = malloc(cap)) == NULL)
		return CA_ENOMEM;
	rc = base64_decode_buf(in, len, buf, cap, outlen, why, whylen);
	if (rc != CA_OK) {
		free(buf);
		return rc;
	}
	*out = buf;
	return CA_OK;
}

/*
 * Base64 (RFC 4648 §4) through GnuTLS's gnutls_base64_encode2/decode2 (the
 * codec templates/template_ldif.c also uses). What stays here is what EST
 * and HTTP need around the library: CRLF line folding on output, and on
 * input blanks and line breaks anywhere, optional final padding, '=' only
 * at the end, and a reason that names the offending offset. Owns no
 * state; every function is safe from any thread.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "common/error.h"
#include "common/base64.h"

/* True for the 64 characters of the RFC 4648 §4 alphabet. */
static bool
b64_alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* Blanks and line breaks that EST and PEM-like bodies put between groups. */
static bool
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

/* GnuTLS encodes one line; fold it with CRLF as base64.h says. */
int
base64_encode(const void *in, size_t len, unsigned line_len, char **out,
    size_t *outlen)
{
	gnutls_datum_t data = { (unsigned char *)in, (unsigned)len };
	gnutls_datum_t enc = { NULL, 0 };
	size_t n, i, o = 0;
	char *s;

	*out = NULL;
	if (len > BASE64_INPUT_MAX)
		return CA_ETOOBIG;
	line_len -= line_len % 4;
	n = base64_encoded_len(len, line_len);
	if ((s = malloc(n + 1)) == NULL)
		return CA_ENOMEM;
	if (len > 0 && gnutls_base64_encode2(&data, &enc) < 0) {
		free(s);
		return CA_ENOMEM;
	}
	for (i = 0; i < enc.size; i++) {
		s[o++] = (char)enc.data[i];
		if (line_len != 0 && ((i + 1) % line_len == 0 ||
		    i + 1 == enc.size)) {
			s[o++] = '\r';
			s[o++] = '\n';
		}
	}
	gnutls_free(enc.data);
	s[o] = '\0';
	*out = s;
	if (outlen != NULL)
		*outlen = o;
	return CA_OK;
}

/*
 * Copy the characters of in without blanks into a fresh buffer, padded to
 * a multiple of 4, refusing what GnuTLS would take or misread: characters
 * outside the alphabet, '=' before the end, partial padding, a lone final
 * character. *norm is malloc'd; the caller wipes and frees it.
 */
static int
b64_normalize(const char *in, size_t len, char **norm, size_t *nlen,
    char *why, size_t whylen)
{
	size_t i, n = 0, npad = 0;
	char *b;

	if ((b = malloc(len + 3)) == NULL)
		return CA_ENOMEM;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (b64_is_space(c))
			continue;
		if (c == '=') {
			/* Padding completes a group of 2 or 3 characters. */
			if ((npad == 0 && n % 4 < 2) || (n + npad) % 4 == 0 ||
			    npad >= 2) {
				free(b);
				return ca_why(why, whylen, CA_EPARSE,
				    "base64: misplaced '=' at offset %zu", i);
			}
			npad++;
			continue;
		}
		if (npad != 0) {
			free(b);
			return ca_why(why, whylen, CA_EPARSE,
			    "base64: data after padding at offset %zu", i);
		}
		if (!b64_alpha(c)) {
			free(b);
			return ca_why(why, whylen, CA_EPARSE,
			    "base64: invalid character 0x%02x at offset %zu",
			    c, i);
		}
		b[n++] = (char)c;
	}
	if (npad != 0 && (n + npad) % 4 != 0) {
		free(b);
		return ca_why(why, whylen, CA_EPARSE,
		    "base64: incomplete padding at the end");
	}
	/* A final group of 2 or 3 characters without padding is accepted. */
	if (n % 4 == 1) {
		free(b);
		return ca_why(why, whylen, CA_EPARSE,
		    "base64: truncated final group");
	}
	while (n % 4 != 0)
		b[n++] = '=';
	*norm = b;
	*nlen = n;
	return CA_OK;
}

/* Normalize, then GnuTLS decodes; see base64.h for the contract. */
int
base64_decode_buf(const char *in, size_t len, unsigned char *out,
    size_t outsz, size_t *outlen, char *why, size_t whylen)
{
	gnutls_datum_t enc, dec = { NULL, 0 };
	char *norm = NULL;
	size_t nlen = 0;
	int rc;

	*outlen = 0;
	if (len > BASE64_INPUT_MAX)
		return ca_why(why, whylen, CA_ETOOBIG,
		    "base64: input of %zu bytes exceeds %u", len,
		    BASE64_INPUT_MAX);
	if ((rc = b64_normalize(in, len, &norm, &nlen, why, whylen)) != CA_OK)
		return rc;
	if (nlen == 0) {
		free(norm);
		return CA_OK;
	}
	enc.data = (unsigned char *)norm;
	enc.size = (unsigned)nlen;
	if (gnutls_base64_decode2(&enc, &dec) < 0) {
		rc = ca_why(why, whylen, CA_EPARSE, "base64: does not decode");
		goto out;
	}
	if (dec.size > outsz) {
		rc = ca_why(why, whylen, CA_ETOOBIG,
		    "base64: decoded data exceeds %zu bytes", outsz);
		goto out;
	}
	memcpy(out, dec.data, dec.size);
	*outlen = dec.size;
	rc = CA_OK;
out:
	/* Basic credentials pass through here: wipe both copies. */
	gnutls_memset(norm, 0, nlen);
	free(norm);
	if (dec.data != NULL) {
		gnutls_memset(dec.data, 0, dec.size);
		gnutls_free(dec.data);
	}
	return rc;
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

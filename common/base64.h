/*
 * Base64 (RFC 4648 §4) for EST bodies (RFC 7030 §4: base64 with
 * Content-Transfer-Encoding: base64) and HTTP Basic credentials. Decoding
 * tolerates line breaks and blanks anywhere, as EST clients fold lines.
 * GnuTLS does the coding (gnutls_base64_encode2/decode2); this module adds
 * the folding and the strict, whitespace-tolerant input rules. Pure
 * functions, no state: safe from any thread.
 */
#ifndef ENTCA_CA_BASE64_H
#define ENTCA_CA_BASE64_H

#include <stdbool.h>
#include <stddef.h>

/* Largest input either direction accepts; bodies are bounded far below. */
#define BASE64_INPUT_MAX (64u * 1024 * 1024)

/* Bytes base64_encode needs for len input bytes at line_len (0: one line). */
size_t base64_encoded_len(size_t len, unsigned line_len);

/*
 * Encode len bytes of in into a NUL-terminated string, padded, with a CRLF
 * after every line_len characters (line_len 0: no line breaks; it is rounded
 * down to a multiple of 4). *out is malloc'd, the caller frees it; *outlen
 * (may be NULL) gets its length without the NUL. Returns CA_OK, CA_ENOMEM,
 * or CA_ETOOBIG when len exceeds BASE64_INPUT_MAX.
 */
int base64_encode(const void *in, size_t len, unsigned line_len, char **out,
    size_t *outlen);

/*
 * Decode base64 text (spaces, tabs, CR and LF ignored; padding optional at
 * the end; '=' only at the end) into out, which holds outsz bytes; *outlen
 * gets the decoded length. Returns CA_OK, CA_EPARSE with a why sentence
 * naming the offending offset, or CA_ETOOBIG when out is too small. On
 * failure out may hold partial data: callers decoding secrets wipe it.
 */
int base64_decode_buf(const char *in, size_t len, unsigned char *out,
    size_t outsz, size_t *outlen, char *why, size_t whylen);

/*
 * As base64_decode_buf, into a malloc'd buffer *out (the caller frees it;
 * never NULL on success, even for empty input). Also CA_ENOMEM, CA_ETOOBIG.
 */
int base64_decode(const char *in, size_t len, unsigned char **out,
    size_t *outlen, char *why, size_t whylen);

#endif

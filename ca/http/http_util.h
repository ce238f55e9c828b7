/*
 * Small HTTP helpers the handlers need: reason phrases, the Date format,
 * HTTP Basic credentials (RFC 7617), percent-decoding (RFC 3986 §2.1),
 * query parameters and Accept negotiation (RFC 9110 §12.5.1). Pure
 * functions with no state: safe from any thread.
 */
#ifndef ENTCA_CA_HTTP_UTIL_H
#define ENTCA_CA_HTTP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define HTTP_BASIC_MAX 1024	/* decoded "user:password" bytes */
#define HTTP_DATE_LEN 30	/* "Sun, 06 Nov 1994 08:49:37 GMT" + NUL */
#define HTTP_ACCEPT_MAX 4096	/* Accept value bytes examined */

/* The standard reason phrase of status, "Unknown" for others. */
const char *http_reason_phrase(int status);

/* Format t as an IMF-fixdate (RFC 9110 §5.6.7) into buf[HTTP_DATE_LEN]. */
void http_date_format(time_t t, char buf[HTTP_DATE_LEN]);

/*
 * Parse an Authorization value "Basic <base64(user:password)>" (scheme
 * case-insensitive). The user is split at the first ':' (RFC 7617 §2); both
 * parts are NUL-terminated into the caller's buffers. Returns CA_OK,
 * CA_ENOTFOUND (another scheme, or authz NULL), CA_EPARSE (bad base64, no
 * ':', empty user, NUL or control characters) or CA_ETOOBIG (longer than
 * HTTP_BASIC_MAX or than a buffer), with a why sentence that never contains
 * the password. On failure both buffers are wiped; on success the caller
 * wipes pass (explicit_bzero) after use. Internal copies are wiped.
 */
int http_basic_parse(const char *authz, char *user, size_t usersz, char *pass,
    size_t passsz, char *why, size_t whylen);

/*
 * Percent-decode len bytes of in into out (outsz bytes including the NUL).
 * With segment true the input is one path segment and "%2F" (an encoded
 * '/') is refused; "%00" and malformed escapes are always refused. '+' is
 * kept as is (only query strings use it for space). Returns CA_OK,
 * CA_EPARSE or CA_ETOOBIG; *outlen (may be NULL) gets the length.
 */
int http_pct_decode(const char *in, size_t len, bool segment, char *out,
    size_t outsz, size_t *outlen);

/*
 * Find parameter name in a raw query ("a=1&b=x%20y"), decode its value
 * ('+' is a space) into out. Returns CA_OK, CA_ENOTFOUND, CA_EPARSE or
 * CA_ETOOBIG. A parameter without '=' has an empty value.
 */
int http_query_get(const char *query, const char *name, char *out,
    size_t outsz);

/*
 * How acceptable media type ("application/pkcs12") is under an Accept
 * value: its q-value in thousandths (0..1000) from the most specific
 * matching range (type/subtype, then type/x, then x/x). A NULL or empty
 * Accept accepts everything (1000). *explicit (may be NULL) is set when the
 * exact type/subtype is listed with q > 0.
 */
int http_accept_quality(const char *accept, const char *type, bool *explicit);

/*
 * Whether a Content-Type value names media type type (RFC 9110 §8.3.1:
 * type and subtype case-insensitive, optional whitespace, parameters after
 * ';' ignored). False for a NULL value.
 */
bool http_media_type_is(const char *content_type, const char *type);

#endif

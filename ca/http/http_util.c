/*
 * HTTP helpers for handlers: reason phrases, dates, Basic credentials,
 * percent-decoding, query parameters and Accept. No state, any thread.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/error.h"
#include "common/hex.h"
#include "common/base64.h"
#include "ca/http/http.h"
#include "ca/http/http_util.h"

/* Reason phrases of RFC 9110 §15 for the statuses entcad uses. */
const char *
http_reason_phrase(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 417: return "Expectation Failed";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

/* IMF-fixdate in GMT, without the locale. */
void
http_date_format(time_t t, char buf[HTTP_DATE_LEN])
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 0) {
		snprintf(buf, HTTP_DATE_LEN, "Thu, 01 Jan 1970 00:00:00 GMT");
		return;
	}
	snprintf(buf, HTTP_DATE_LEN, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Wipe and fail: Basic parsing leaves no credential bytes behind. */
static int
basic_fail(char *user, size_t usersz, char *pass, size_t passsz,
    unsigned char *dec, size_t decsz, char *why, size_t whylen, int rc,
    const char *reason)
{
	explicit_bzero(dec, decsz);
	if (usersz > 0)
		explicit_bzero(user, usersz);
	if (passsz > 0)
		explicit_bzero(pass, passsz);
	return ca_why(why, whylen, rc, "HTTP Basic: %s", reason);
}

/* Parse Basic credentials; see http_util.h. */
int
http_basic_parse(const char *authz, char *user, size_t usersz, char *pass,
    size_t passsz, char *why, size_t whylen)
{
	unsigned char dec[HTTP_BASIC_MAX];
	const char *tok;
	size_t toklen, declen = 0, ul, pl;
	unsigned char *colon;
	int rc;

	if (authz == NULL || strncasecmp(authz, "Basic", 5) != 0 ||
	    (authz[5] != ' ' && authz[5] != '\t')) {
		if (usersz > 0)
			explicit_bzero(user, usersz);
		if (passsz > 0)
			explicit_bzero(pass, passsz);
		return ca_why(why, whylen, CA_ENOTFOUND,
		    "HTTP Basic: no Basic credentials");
	}
	tok = authz + 5;
	while (*tok == ' ' || *tok == '\t')
		tok++;
	toklen = strlen(tok);
	while (toklen > 0 && (tok[toklen - 1] == ' ' || tok[toklen - 1] == '\t'))
		toklen--;
	if (toklen > (HTTP_BASIC_MAX / 3 + 1) * 4)
		return basic_fail(user, usersz, pass, passsz, dec, sizeof(dec),
		    why, whylen, CA_ETOOBIG, "credentials too long");
	/* The token68 is one word: no blanks inside. */
	if (toklen == 0 || memchr(tok, ' ', toklen) != NULL ||
	    memchr(tok, '\t', toklen) != NULL)
		return basic_fail(user, usersz, pass, passsz, dec, sizeof(dec),
		    why, whylen, CA_EPARSE, "malformed credentials");
	rc = base64_decode_buf(tok, toklen, dec, sizeof(dec), &declen, NULL, 0);
	if (rc != CA_OK)
		return basic_fail(user, usersz, pass, passsz, dec, sizeof(dec),
		    why, whylen, rc == CA_ETOOBIG ? CA_ETOOBIG : CA_EPARSE,
		    rc == CA_ETOOBIG ? "credentials too long" :
		    "credentials are not base64");
	for (size_t i = 0; i < declen; i++)
		if (dec[i] < 0x20 || dec[i] == 0x7f)
			return basic_fail(user, usersz, pass, passsz, dec,
			    sizeof(dec), why, whylen, CA_EPARSE,
			    "control character in credentials");
	if ((colon = memchr(dec, ':', declen)) == NULL)
		return basic_fail(user, usersz, pass, passsz, dec, sizeof(dec),
		    why, whylen, CA_EPARSE, "no ':' between user and password");
	ul = (size_t)(colon - dec);
	pl = declen - ul - 1;
	if (ul == 0)
		return basic_fail(user, usersz, pass, passsz, dec, sizeof(dec),
		    why, whylen, CA_EPARSE, "empty user name");
	if (ul >= usersz || pl >= passsz)
		return basic_fail(user, usersz, pass, passsz, dec, sizeof(dec),
		    why, whylen, CA_ETOOBIG, "user or password too long");
	memcpy(user, dec, ul);
	user[ul] = '\0';
	memcpy(pass, colon + 1, pl);
	pass[pl] = '\0';
	explicit_bzero(dec, sizeof(dec));
	return CA_OK;
}

/* Percent-decode with optional '+'-as-space (queries). */
static int
pct_decode(const char *in, size_t len, bool segment, bool plus, char *out,
    size_t outsz, size_t *outlen)
{
	size_t i, o = 0;

	if (outlen != NULL)
		*outlen = 0;
	if (outsz == 0)
		return CA_ETOOBIG;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '\0')
			return CA_EPARSE;
		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len || (hi = hex_digit((unsigned char)
			    in[i + 1])) < 0 || (lo = hex_digit((unsigned char)
			    in[i + 2])) < 0)
				return CA_EPARSE;
			c = (unsigned char)(hi * 16 + lo);
			if (c == '\0' || (segment && c == '/'))
				return CA_EPARSE;
			i += 2;
		} else if (plus && c == '+')
			c = ' ';
		if (o + 1 >= outsz)
			return CA_ETOOBIG;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return CA_OK;
}

/* Percent-decode a path or segment; see http_util.h. */
int
http_pct_decode(const char *in, size_t len, bool segment, char *out,
    size_t outsz, size_t *outlen)
{
	return pct_decode(in, len, segment, false, out, outsz, outlen);
}

/* Find and decode a query parameter; see http_util.h. */
int
http_query_get(const char *query, const char *name, char *out, size_t outsz)
{
	size_t nl = strlen(name);
	const char *s = query;

	if (query == NULL)
		return CA_ENOTFOUND;
	while (*s != '\0') {
		const char *e = s + strcspn(s, "&;");
		const char *eq = memchr(s, '=', (size_t)(e - s));
		size_t kl = (size_t)((eq != NULL ? eq : e) - s);

		if (kl == nl && strncmp(s, name, nl) == 0) {
			if (eq == NULL) {
				if (outsz == 0)
					return CA_ETOOBIG;
				out[0] = '\0';
				return CA_OK;
			}
			return pct_decode(eq + 1, (size_t)(e - eq - 1), false,
			    true, out, outsz, NULL);
		}
		s = *e != '\0' ? e + 1 : e;
	}
	return CA_ENOTFOUND;
}

/* Parse ";q=0.5" style parameters of one Accept element into thousandths. */
static int
accept_q(const char *params, size_t len)
{
	size_t i = 0;

	while (i < len) {
		while (i < len && (params[i] == ';' || params[i] == ' ' ||
		    params[i] == '\t'))
			i++;
		if (len - i >= 2 && (params[i] == 'q' || params[i] == 'Q') &&
		    params[i + 1] == '=') {
			int q = 0, scale = 1000;

			i += 2;
			if (i < len && params[i] == '1')
				return 1000;
			if (i < len && params[i] == '0')
				i++;
			if (i < len && params[i] == '.') {
				for (i++; i < len && params[i] >= '0' &&
				    params[i] <= '9' && scale > 1; i++) {
					scale /= 10;
					q += (params[i] - '0') * scale;
				}
			}
			return q;
		}
		while (i < len && params[i] != ';')
			i++;
	}
	return 1000;
}

/* Rate type under an Accept header; see http_util.h. */
int
http_accept_quality(const char *accept, const char *type, bool *explicit)
{
	size_t tl = strlen(type), alen;
	const char *slash = strchr(type, '/'), *s;
	size_t majl = slash != NULL ? (size_t)(slash - type) : tl;
	int best = -1, best_spec = -1;

	if (explicit != NULL)
		*explicit = false;
	if (accept == NULL || *accept == '\0')
		return 1000;
	alen = strnlen(accept, HTTP_ACCEPT_MAX);
	s = accept;
	while (s < accept + alen) {
		const char *e = memchr(s, ',', (size_t)(accept + alen - s));
		const char *semi;
		size_t rl;
		int spec = -1, q;

		if (e == NULL)
			e = accept + alen;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		semi = memchr(s, ';', (size_t)(e - s));
		rl = (size_t)((semi != NULL ? semi : e) - s);
		while (rl > 0 && (s[rl - 1] == ' ' || s[rl - 1] == '\t'))
			rl--;
		if (rl == tl && strncasecmp(s, type, tl) == 0)
			spec = 2;
		else if (rl == majl + 2 && strncasecmp(s, type, majl) == 0 &&
		    s[majl] == '/' && s[majl + 1] == '*')
			spec = 1;
		else if (rl == 3 && strncmp(s, "*/*", 3) == 0)
			spec = 0;
		if (spec > best_spec) {
			q = semi != NULL ? accept_q(semi, (size_t)(e - semi)) :
			    1000;
			best_spec = spec;
			best = q;
			if (spec == 2 && explicit != NULL)
				*explicit = q > 0;
		}
		s = e < accept + alen ? e + 1 : e;
	}
	return best < 0 ? 0 : best;
}

/* Compare the media type of a Content-Type value; see http_util.h. */
bool
http_media_type_is(const char *content_type, const char *type)
{
	size_t n = strlen(type);
	const char *p = content_type;

	if (p == NULL)
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, type, n) != 0)
		return false;
	p += n;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '\0' || *p == ';';
}

/* Nanoseconds on the monotonic clock (request latency). */
uint64_t
http_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

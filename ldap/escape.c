/*
 * RFC 4515 filter and RFC 4514 DN value escaping. Pure code; any thread.
 */
#include <stdbool.h>
#include <string.h>

#include "common/error.h"
#include "ldap/escape.h"

static const char hexdigits[] = "0123456789abcdef";

/* Put one byte as \xx at *pos if it fits (leaving room for the NUL). */
static bool
put_hex(char *out, size_t outlen, size_t *pos, unsigned char c)
{
	if (outlen - *pos < 4)
		return false;
	out[(*pos)++] = '\\';
	out[(*pos)++] = hexdigits[c >> 4];
	out[(*pos)++] = hexdigits[c & 0xf];
	return true;
}

/* Put one plain byte at *pos if it fits (leaving room for the NUL). */
static bool
put_char(char *out, size_t outlen, size_t *pos, char c)
{
	if (outlen - *pos < 2)
		return false;
	out[(*pos)++] = c;
	return true;
}

/* RFC 4515 §3: the five specials must be escaped; we add control bytes. */
int
directory_escape_filter(const char *in, char *out, size_t outlen)
{
	size_t pos = 0;
	bool ok = true;

	if (outlen == 0)
		return CA_ETOOBIG;
	for (const unsigned char *p = (const unsigned char *)in; *p && ok; p++) {
		if (*p == '*' || *p == '(' || *p == ')' || *p == '\\' ||
		    *p < 0x20 || *p == 0x7f)
			ok = put_hex(out, outlen, &pos, *p);
		else
			ok = put_char(out, outlen, &pos, (char)*p);
	}
	out[ok ? pos : 0] = '\0';
	return ok ? CA_OK : CA_ETOOBIG;
}

/* Every byte as \xx: octet-string assertion values. */
int
directory_escape_filter_bytes(const unsigned char *in, size_t len, char *out,
    size_t outlen)
{
	size_t pos = 0;
	bool ok = true;

	if (outlen == 0)
		return CA_ETOOBIG;
	for (size_t i = 0; i < len && ok; i++)
		ok = put_hex(out, outlen, &pos, in[i]);
	out[ok ? pos : 0] = '\0';
	return ok ? CA_OK : CA_ETOOBIG;
}

/* RFC 4514 §2.4, escaping '=' too as OpenLDAP and AD both accept. */
int
directory_escape_dn_value(const char *in, char *out, size_t outlen)
{
	size_t pos = 0, len = strlen(in);
	bool ok = true;

	if (outlen == 0)
		return CA_ETOOBIG;
	for (size_t i = 0; i < len && ok; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c < 0x20 || c == 0x7f)
			ok = put_hex(out, outlen, &pos, c);
		else if (strchr("\"+,;<=>\\", c) != NULL ||
		    (i == 0 && (c == '#' || c == ' ')) ||
		    (i == len - 1 && c == ' '))
			ok = put_char(out, outlen, &pos, '\\') &&
			    put_char(out, outlen, &pos, (char)c);
		else
			ok = put_char(out, outlen, &pos, (char)c);
	}
	out[ok ? pos : 0] = '\0';
	return ok ? CA_OK : CA_ETOOBIG;
}

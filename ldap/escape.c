/*
 * RFC 4515 filter and RFC 4514 DN value escaping. String assertion values
 * go through libldap's ldap_bv2escaped_filter_value; what libldap has no
 * public function for stays here: every-byte hex for binary values, and
 * one RFC 4514 attribute value (ldap_dn2str works on whole parsed DNs and
 * does not escape '=', which AD and OpenLDAP accept escaped). Pure code;
 * any thread.
 */
#include <stdbool.h>
#include <string.h>

#include <ldap.h>

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

/* RFC 4515 §3 through libldap's own escaper; copy out, free its memory. */
int
directory_escape_filter(const char *in, char *out, size_t outlen)
{
	struct berval v = { strlen(in), (char *)in }, esc = { 0, NULL };

	if (outlen == 0)
		return CA_ETOOBIG;
	out[0] = '\0';
	if (v.bv_len == 0)
		return CA_OK;
	if (ldap_bv2escaped_filter_value(&v, &esc) != LDAP_SUCCESS ||
	    esc.bv_val == NULL)
		return CA_ENOMEM;
	if (esc.bv_len >= outlen) {
		ber_memfree(esc.bv_val);
		return CA_ETOOBIG;
	}
	memcpy(out, esc.bv_val, esc.bv_len);
	out[esc.bv_len] = '\0';
	ber_memfree(esc.bv_val);
	return CA_OK;
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

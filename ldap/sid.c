/*
 * objectSid and objectGUID codecs (MS-DTYP §2.4.2.1-2.4.2.2, §2.3.4.2).
 * The layouts are MS-DTYP §2.4.2 (SID) and §2.3.4 (GUID).
 * Pure code; any thread.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/hex.h"
#include "ldap/sid.h"

#define SID_AUTHORITY_MAX ((UINT64_C(1) << 48) - 1)

/* Append prefix and v (decimal, or 0x + 12 hex digits) at *pos. */
static int
append(char *out, size_t outlen, size_t *pos, const char *prefix, uint64_t v,
    bool hex)
{
	int n;

	if (hex)
		n = snprintf(out + *pos, outlen - *pos, "%s0x%012" PRIX64, prefix, v);
	else
		n = snprintf(out + *pos, outlen - *pos, "%s%" PRIu64, prefix, v);
	if (n < 0 || (size_t)n >= outlen - *pos)
		return CA_ETOOBIG;
	*pos += (size_t)n;
	return CA_OK;
}

/* Binary SID to S-1-A-S1-...-Sn; authority in hex past 2^32 per §2.4.2.1. */
int
directory_sid_to_text(const unsigned char *bin, size_t len, char *out,
    size_t outlen)
{
	uint64_t auth = 0;
	size_t pos = 0, count;
	int rc;

	if (outlen == 0)
		return CA_ETOOBIG;
	out[0] = '\0';
	if (len < 8 || bin[0] != 1)
		return CA_EPARSE;
	count = bin[1];
	/* 1..15 subauthorities, as directory_sid_from_text accepts: a SID
	 * that decodes must be one that entca can also write back and match
	 * (found by tests/fuzz/fuzz_directory_values). */
	if (count == 0 || count > DIRECTORY_SID_SUBAUTH_MAX ||
	    len != 8 + 4 * count)
		return CA_EPARSE;
	for (size_t i = 2; i < 8; i++)
		auth = (auth << 8) | bin[i];
	rc = append(out, outlen, &pos, "S-1-", auth, auth >= (UINT64_C(1) << 32));
	if (rc != CA_OK)
		goto out;
	for (size_t i = 0; i < count; i++) {
		const unsigned char *p = bin + 8 + 4 * i;
		uint32_t sub = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

		if ((rc = append(out, outlen, &pos, "-", sub, false)) != CA_OK)
			goto out;
	}
	return CA_OK;
out:
	out[0] = '\0';
	return rc;
}

/* Parse a strict unsigned decimal (no sign, no leading zero) up to max. */
static int
parse_dec(const char **sp, uint64_t max, uint64_t *v)
{
	const char *s = *sp;
	uint64_t x = 0;

	if (*s < '0' || *s > '9')
		return CA_EPARSE;
	if (*s == '0' && s[1] >= '0' && s[1] <= '9')
		return CA_EPARSE;
	while (*s >= '0' && *s <= '9') {
		x = x * 10 + (uint64_t)(*s - '0');
		if (x > max)
			return CA_EPARSE;
		s++;
	}
	*sp = s;
	*v = x;
	return CA_OK;
}

/* Parse the authority: decimal, or 0x and exactly 12 hex digits. */
static int
parse_authority(const char **sp, uint64_t *v)
{
	const char *s = *sp;
	uint64_t x = 0;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return parse_dec(sp, SID_AUTHORITY_MAX, v);
	s += 2;
	for (int i = 0; i < 12; i++, s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return CA_EPARSE;
		x = (x << 4) | (uint64_t)d;
	}
	*sp = s;
	*v = x;
	return CA_OK;
}

/* S-1-A-S1-...-Sn to the binary layout of §2.4.2.2. */
int
directory_sid_from_text(const char *text, unsigned char *out, size_t outlen,
    size_t *binlen)
{
	const char *s = text;
	uint64_t auth, sub;
	size_t count = 0;

	*binlen = 0;
	if ((s[0] != 'S' && s[0] != 's') || strncmp(s + 1, "-1-", 3) != 0)
		return CA_EPARSE;
	s += 4;
	if (parse_authority(&s, &auth) != CA_OK)
		return CA_EPARSE;
	if (outlen < 8)
		return CA_ETOOBIG;
	out[0] = 1;
	for (int i = 0; i < 6; i++)
		out[2 + i] = (unsigned char)(auth >> (8 * (5 - i)));
	while (*s == '-') {
		s++;
		if (count == DIRECTORY_SID_SUBAUTH_MAX)
			return CA_EPARSE;
		if (parse_dec(&s, UINT32_MAX, &sub) != CA_OK)
			return CA_EPARSE;
		if (outlen < 8 + 4 * (count + 1))
			return CA_ETOOBIG;
		for (int i = 0; i < 4; i++)
			out[8 + 4 * count + i] = (unsigned char)(sub >> (8 * i));
		count++;
	}
	if (*s != '\0' || count == 0)
		return CA_EPARSE;
	out[1] = (unsigned char)count;
	*binlen = 8 + 4 * count;
	return CA_OK;
}

/* Data1 (4), Data2 (2), Data3 (2) little-endian; Data4 (8) as stored. */
int
directory_guid_to_text(const unsigned char *b, size_t len, char *out,
    size_t outlen)
{
	if (outlen < DIRECTORY_GUID_TEXT_LEN + 1)
		return CA_ETOOBIG;
	out[0] = '\0';
	if (len != 16)
		return CA_EPARSE;
	snprintf(out, outlen,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6],
	    b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return CA_OK;
}

/* Inverse of directory_guid_to_text; dashes at 8, 13, 18, 23 only. */
int
directory_guid_from_text(const char *text, unsigned char out[16])
{
	/* Byte position in the binary form of each text byte pair. */
	static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6,
	    8, 9, 10, 11, 12, 13, 14, 15 };
	const char *s = text;

	if (strlen(text) != DIRECTORY_GUID_TEXT_LEN)
		return CA_EPARSE;
	for (int i = 0; i < 16; i++) {
		int hi, lo;

		if (s - text == 8 || s - text == 13 || s - text == 18 ||
		    s - text == 23) {
			if (*s != '-')
				return CA_EPARSE;
			s++;
		}
		if ((hi = hex_digit(s[0])) < 0 || (lo = hex_digit(s[1])) < 0)
			return CA_EPARSE;
		out[order[i]] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	return CA_OK;
}

/* Last subauthority of a textual SID; 0 when there is none. */
uint32_t
directory_sid_rid(const char *text)
{
	const char *dash = strrchr(text, '-');
	unsigned long long v;
	char *end;

	if (dash == NULL || strncmp(text, "S-1-", 4) != 0 || dash < text + 4)
		return 0;
	errno = 0;
	v = strtoull(dash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX || dash == text + 3)
		return 0;
	return (uint32_t)v;
}

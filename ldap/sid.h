/*
 * Codecs for the two binary identifiers Active Directory hands out over
 * LDAP (MS-DTYP §2.4.2 objectSid, §2.3.4 objectGUID; facts in
 * MS-DTYP §2.4.2). Pure functions, no allocation; safe
 * from any thread.
 */
#ifndef ENTCA_LDAP_SID_H
#define ENTCA_LDAP_SID_H

#include <stddef.h>
#include <stdint.h>

#define DIRECTORY_SID_SUBAUTH_MAX 15	/* MS-DTYP: at most 15 subauthorities */
#define DIRECTORY_SID_BIN_MAX (8 + 4 * DIRECTORY_SID_SUBAUTH_MAX)
#define DIRECTORY_GUID_TEXT_LEN 36	/* xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx */

/*
 * Decode a binary SID (revision 1, authority big-endian, subauthorities
 * little-endian) into "S-1-5-21-...". Returns CA_OK, CA_EPARSE for a
 * malformed SID (length, revision, count) or CA_ETOOBIG if out is short.
 */
int directory_sid_to_text(const unsigned char *bin, size_t len, char *out,
    size_t outlen);

/*
 * Encode "S-1-..." into its binary form in out (DIRECTORY_SID_BIN_MAX bytes
 * suffice) and store the length in *binlen. Strict: decimal numbers without
 * sign or leading zeros, authority < 2^48 (or 0x + 12 hex digits), 1..15
 * subauthorities < 2^32. Returns CA_OK, CA_EPARSE or CA_ETOOBIG.
 */
int directory_sid_from_text(const char *text, unsigned char *out,
    size_t outlen, size_t *binlen);

/*
 * Format a 16-byte objectGUID in the canonical text form (Data1-3
 * little-endian, Data4 in byte order), lower case, into out (at least
 * DIRECTORY_GUID_TEXT_LEN + 1 bytes). Returns CA_OK, CA_EPARSE if len is
 * not 16, or CA_ETOOBIG.
 */
int directory_guid_to_text(const unsigned char *bin, size_t len, char *out,
    size_t outlen);

/*
 * Parse the canonical text form back into 16 bytes. Returns CA_OK or
 * CA_EPARSE.
 */
int directory_guid_from_text(const char *text, unsigned char out[16]);

/* The RID (last subauthority) of a textual SID, or 0 if it has none. */
uint32_t directory_sid_rid(const char *text);

#endif

/*
 * Escaping of untrusted values before they enter an LDAP filter (RFC 4515
 * §3) or a distinguished name (RFC 4514 §2.4). Every value that came from a
 * client (a user name, a UPN, a DNS name, a SID) goes through these, so an
 * account name like "*)(uid=*" or "a\29" is matched literally and never
 * changes the query. Pure functions; any thread.
 */
#ifndef ENTCA_LDAP_ESCAPE_H
#define ENTCA_LDAP_ESCAPE_H

#include <stddef.h>

/*
 * Escape a string as an RFC 4515 assertion value into out with libldap's
 * ldap_bv2escaped_filter_value: '*', '(', ')', '\' and every byte outside
 * printable ASCII (controls, UTF-8 octets) become \XX, which the server
 * reads back as the same value. Worst
 * case 3 * strlen(in) + 1 bytes. Returns CA_OK, CA_ENOMEM, or CA_ETOOBIG
 * (out is then the empty string).
 */
int directory_escape_filter(const char *in, char *out, size_t outlen);

/*
 * Escape arbitrary bytes (a binary objectSid, a hash) as \xx for every
 * byte, the form RFC 4515 gives for octet strings. Needs 3 * len + 1
 * bytes. Returns CA_OK or CA_ETOOBIG.
 */
int directory_escape_filter_bytes(const unsigned char *in, size_t len,
    char *out, size_t outlen);

/*
 * Escape a string as one RFC 4514 attribute value (for "cn=<value>,..."):
 * '"', '+', ',', ';', '<', '=', '>', '\' get a backslash, a leading '#'
 * or space and a trailing space too, NUL and control bytes become \xx.
 * Returns CA_OK or CA_ETOOBIG.
 */
int directory_escape_dn_value(const char *in, char *out, size_t outlen);

#endif

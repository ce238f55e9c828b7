/*
 * Hexadecimal digits, shared by every folder that reads or writes hex
 * (SIDs and GUIDs, RFC 4514 hex pairs, percent escapes, serials). Pure.
 */
#ifndef ENTCA_COMMON_HEX_H
#define ENTCA_COMMON_HEX_H

#include <stddef.h>

/* Value of one hex digit (either case), or -1. */
int hex_digit(int c);

/* Lower-case hex of len bytes into out, which holds 2 * len + 1 bytes. */
void hex_encode(const unsigned char *in, size_t len, char *out);

#endif

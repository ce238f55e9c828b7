/*
 * The one UTF-8 validator (RFC 3629 §4): shortest forms only, no UTF-16
 * surrogates, nothing above U+10FFFF. NUL is valid UTF-8; callers that
 * refuse it (template files, names) say so themselves. Pure; any thread.
 */
#ifndef ENTCA_COMMON_UTF8_H
#define ENTCA_COMMON_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Check len bytes at s. Returns CA_OK, or CA_EPARSE with *bad (may be
 * NULL) set to the offset of the first byte of the bad sequence.
 */
int utf8_check(const void *s, size_t len, size_t *bad);

/* True when len bytes at s are well-formed UTF-8. */
bool utf8_valid(const void *s, size_t len);

#endif

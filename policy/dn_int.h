/*
 * Helpers shared inside policy/ by the DN and request code; not part of
 * policy/'s public interface.
 */
#ifndef ENTCA_POLICY_DN_INT_H
#define ENTCA_POLICY_DN_INT_H

#include <stdbool.h>
#include <stddef.h>

/* True when every byte is in the PrintableString set (X.680 §41.4). */
bool dn_printable(const unsigned char *s, size_t len);

#endif

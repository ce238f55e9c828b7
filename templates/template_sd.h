/*
 * Internal to templates/: AD security descriptors and SIDs in their
 * binary forms (MS-DTYP), as the LDIF import meets them. Pure; any thread.
 */
#ifndef ENTCA_TEMPLATES_TEMPLATE_SD_H
#define ENTCA_TEMPLATES_TEMPLATE_SD_H

#include <stddef.h>

#include "templates/template.h"

/*
 * Format the binary SID at p (MS-DTYP §2.4.2.2: revision, count, 48-bit
 * big-endian authority, little-endian subauthorities) as S-1-...; *used
 * is its length. Returns CA_OK, CA_EPARSE or CA_ETOOBIG.
 */
int tmpl_sid_format(const unsigned char *p, size_t len, size_t *used,
    char *out, size_t outlen);

/*
 * Replace t's ACEs with the template rights the DACL of the self-relative
 * security descriptor sd grants or denies, one entry per SID and kind.
 * Inherit-only ACEs are skipped; a missing DACL gives Everyone every right.
 * Returns CA_OK, CA_EPARSE or CA_ETOOBIG with why.
 */
int tmpl_sd_to_aces(const unsigned char *sd, size_t len, struct template *t,
    char *why, size_t whylen);

#endif

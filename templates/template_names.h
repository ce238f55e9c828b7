/*
 * Name tables of the template file syntax (internal to templates/): the
 * words a file uses for each enum and mask bit, and the friendly names of
 * application policies (EKU OIDs, Microsoft's application policy OIDs). The parser, the
 * writer, the LDIF importer and the lint rules share them. Static data;
 * safe from any thread.
 */
#ifndef ENTCA_TEMPLATES_TEMPLATE_NAMES_H
#define ENTCA_TEMPLATES_TEMPLATE_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "templates/template.h"

/* One word of a bit mask. */
struct tmpl_bitname {
	const char *name;
	uint32_t bit;
};

/* One friendly name of an application policy. */
struct tmpl_ekuname {
	const char *name;
	const char *oid;
};

extern const char *const tmpl_compat_names[TMPL_COMPAT_COUNT];
extern const char *const tmpl_purpose_names[TMPL_PURPOSE_COUNT];
extern const char *const tmpl_hash_names[TMPL_HASH_COUNT];
extern const char *const tmpl_subject_names[TMPL_SUBJECT_COUNT];
extern const char *const tmpl_subjfmt_names[TMPL_SUBJFMT_COUNT];
extern const char *const tmpl_lint_names[TMPL_LINT_COUNT];
extern const char *const tmpl_renewal_names[TMPL_RENEWAL_COUNT];

extern const struct tmpl_bitname tmpl_keyalg_names[];
extern const struct tmpl_bitname tmpl_san_names[];
extern const struct tmpl_bitname tmpl_ku_names[];
extern const struct tmpl_ekuname tmpl_eku_names[];
extern const size_t tmpl_keyalg_count, tmpl_san_count, tmpl_ku_count,
    tmpl_eku_count;

/* Well-known EKU OIDs the lint rules look for. */
#define TMPL_OID_CLIENT_AUTH	"1.3.6.1.5.5.7.3.2"
#define TMPL_OID_SMARTCARD	"1.3.6.1.4.1.311.20.2.2"
#define TMPL_OID_PKINIT_CLIENT	"1.3.6.1.5.2.3.4"
#define TMPL_OID_ANY_PURPOSE	"2.5.29.37.0"
#define TMPL_OID_CRA		"1.3.6.1.4.1.311.20.2.1"

/* Index of s in table (case-insensitive), or -1. */
int tmpl_name_index(const char *const *table, size_t n, const char *s);

/* Bit of s in a bit-name table (case-insensitive), or 0. */
uint32_t tmpl_bit_lookup(const struct tmpl_bitname *table, size_t n,
    const char *s);

/* Dotted OID for a friendly EKU name or a dotted OID itself, or NULL. */
const char *tmpl_eku_oid(const char *name_or_oid);

/* Friendly name of an EKU OID, or NULL when it has none. */
const char *tmpl_eku_friendly(const char *oid);

/* True when s is a syntactically valid dotted OID (X.660 first arcs). */
int tmpl_oid_valid(const char *s);

/* True when s is a SID in string form S-1-<authority>(-<sub>){0,15}. */
int tmpl_sid_valid(const char *s);

#endif

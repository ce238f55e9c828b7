/*
 * Value syntax shared inside templates/: unsigned ranges and names, the
 * UTF-8 check with line:column, and the period formatter the writer uses.
 * Periods and yes/no are common/value.h's, as in entcad.conf. Pure functions; any thread.
 */
#ifndef ENTCA_TEMPLATES_TEMPLATE_VALUE_H
#define ENTCA_TEMPLATES_TEMPLATE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "templates/template.h"

#define TMPL_SECONDS_DAY	86400LL
#define TMPL_SECONDS_WEEK	(7 * TMPL_SECONDS_DAY)
#define TMPL_SECONDS_MONTH	(30 * TMPL_SECONDS_DAY)	/* "months": 30 days */
#define TMPL_SECONDS_YEAR	(365 * TMPL_SECONDS_DAY) /* as AD CS: 365 days */
#define TMPL_PERIOD_MAX		(100 * TMPL_SECONDS_YEAR)
#define TMPL_PERIOD_TEXT_MAX	32	/* "<digits> <unit>" */

/* Write seconds in the largest unit (y, w, d, h, min, s) that divides it. */
void tmpl_period_format(int64_t seconds, char *buf, size_t len);

/* Decimal without sign or junk into [lo, hi]. Returns CA_OK or CA_EPARSE. */
int tmpl_u32_parse(const char *s, uint32_t lo, uint32_t hi, uint32_t *out);

/*
 * Check that buf[0..len) is UTF-8 without NUL bytes or overlong forms.
 * Returns CA_OK, or CA_EPARSE with the 1-based *line and *col and the
 * offending *byte (common/utf8.h decides what is valid).
 */
int tmpl_utf8_check(const char *buf, size_t len, unsigned *line,
    unsigned *col, unsigned char *byte);

/* Strip leading and trailing blanks of s in place; returns s. */
char *tmpl_trim(char *s);

/* True when s is a valid template name: printable, no blanks, no / \ : * ? " < > |. */
bool tmpl_name_valid(const char *s);

/* True when s has no control characters (display names, principals). */
bool tmpl_text_valid(const char *s);

/* Schema version AD CS gives a template with this CA compatibility. */
uint32_t tmpl_schema_for_compat(enum tmpl_compat ca);

/* Derive the default template OID from name (see TMPL_OID_ARC). */
int tmpl_oid_derive(const char *name, char *oid, size_t len);

#endif

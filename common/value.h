/*
 * Value syntax shared by entcad.conf, template files and CRL schedules, so
 * that one spelling means one thing everywhere:
 *
 *   yes/no:    yes, true, on, 1  /  no, false, off, 0 (any case)
 *   duration:  "0", or one or more <number>[blanks]<unit> groups, blanks
 *              allowed between groups ("1y", "6 weeks", "1d12h", "90min")
 *              units (any case): s sec second seconds; m min minute minutes;
 *              h hour hours; d day days; w week weeks; month months
 *              (30 days); y year years (365 days, as AD CS). A bare number
 *              other than 0 is refused: it names no unit.
 *
 * Pure functions; any thread.
 */
#ifndef ENTCA_COMMON_VALUE_H
#define ENTCA_COMMON_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VALUE_SECONDS_DAY	86400
#define VALUE_SECONDS_MONTH	(30 * VALUE_SECONDS_DAY)
#define VALUE_SECONDS_YEAR	(365 * VALUE_SECONDS_DAY)
#define VALUE_DURATION_TEXT_MAX 64	/* longest duration text read */

/* Parse a yes/no word into *out. Returns CA_OK or CA_EPARSE. */
int value_bool_parse(const char *s, bool *out);

/*
 * Parse a duration into seconds, at most max. Returns CA_OK, CA_EPARSE
 * (not the grammar above) or CA_ETOOBIG (above max).
 */
int value_duration_parse(const char *s, int64_t max, int64_t *out);

#endif

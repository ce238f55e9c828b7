/*
 * The directory checked as a source of security data before entcad serves
 * (start-up, `entcad -t`, SIGHUP): every allow/deny line of entcad.conf's
 * [security] and of every template resolved against the directory the way
 * policy/rights.c matches it, and the service account probed for what the
 * CA decides on (objectSid, userAccountControl, memberOf). A deny line that
 * does not resolve refuses (fail closed), naming file, line and entry; an
 * allow line that does not resolve is a warning in the log.
 */
#ifndef ENTCA_CA_DIRCHECK_H
#define ENTCA_CA_DIRCHECK_H

#include <stddef.h>

#include "ca/daemon/settings.h"

struct daemon_templates;
struct directory;

/*
 * Check cfg's [security] lines and the templates of tpl (may be NULL)
 * against dir, then the service account's access. Blocking. Returns CA_OK
 * (warnings logged), CA_ECONFIG (a deny line unresolved, or the service
 * account cannot read security data: why names file:line or the missing
 * attributes), CA_EUNAVAIL / CA_ETIMEOUT (the directory did not answer).
 */
int dircheck_run(const struct ca_config *cfg,
    const struct daemon_templates *tpl, struct directory *dir, char *why,
    size_t whylen);

#endif

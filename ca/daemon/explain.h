/*
 * Debug-level explanations of what the directory and the rights model
 * decided for one request ([log] level = debug): how the account was
 * authenticated (bind or cache, tokenGroups or a memberOf walk, how many
 * groups), and which allow/deny entries gave or took which right, through
 * the account itself or which group. ldap/ and policy/ return these facts
 * as data; this is where they are logged. Worker threads.
 */
#ifndef ENTCA_CA_EXPLAIN_H
#define ENTCA_CA_EXPLAIN_H

#include <stddef.h>

#include "ca/daemon/job.h"
#include "ldap/directory.h"
#include "templates/template.h"

/* Log how j's principal was authenticated (alog from the directory). */
void explain_auth(const struct job *j, const struct directory_auth_log *alog);

/*
 * Write into out, for aces (rights named by names[n_names]), every entry
 * that matches p and how: "allow 'Domain Users' via group CN=Domain
 * Users,... : read, request; deny ...". "no entry matches" when none.
 */
void explain_rights_text(const struct principal *p,
    const struct tmpl_ace *aces, size_t n, const char *const *names,
    size_t n_names, char *out, size_t outlen);

/* Log explain_rights_text for what ("CA", "template PKCSIntune"). */
void explain_rights(const struct job *j, const char *what,
    const struct tmpl_ace *aces, size_t n, const char *const *names,
    size_t n_names);

#endif

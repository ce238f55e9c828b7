/*
 * Internal interface between the decision's checks (decide.c), the name
 * rules (names.c) and the profile builder (profile.c), with the decision
 * writers below all three (decision.c); not used outside policy/.
 */
#ifndef ENTCA_POLICY_DECIDE_INT_H
#define ENTCA_POLICY_DECIDE_INT_H

#include "policy/decide.h"

/* decision.c: set a DENY with code and a sentence; returns CA_OK. */
int decide_deny(struct policy_decision *out, enum policy_code code,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Append a note ("; "-separated), truncating at CA_WHY_MAX. */
void decide_note(struct policy_decision *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Subject and SANs into out->profile from the request (supply-in-request)
 * or from subj (from-directory), plus the SID SAN URL (subj's SID, else
 * sid). Returns CA_OK with out->verdict DENY set when names cannot be
 * built.
 */
int profile_names(const struct policy_input *in,
    const struct principal *subj, const char *sid,
    struct policy_decision *out);

/*
 * Validity, extensions, template identity, URLs and hash into out->profile.
 * Returns CA_OK (maybe with a DENY set) or CA_ECONFIG for CA settings
 * beyond the bounds.
 */
/*
 * The rules on the request's names (names.c): malformed 400, two
 * principals 400, outside the directory 403 unless the template allows
 * it (officers only; sets profile.outside_directory). False with a DENY
 * in out when one fails.
 */
bool names_check(const struct policy_input *in, bool officer,
    const struct principal *subj, struct policy_decision *out);

int profile_rest(const struct policy_input *in, const char *sid,
    struct policy_decision *out);

#endif

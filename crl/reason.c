/*
 * The CRL reason name table and its parser/printer (RFC 5280 §5.3.1).
 * Pure functions over a static table; safe from any thread.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"
#include "crl/reason.h"

/* Longest reason text accepted by the parser, a bound on untrusted input. */
#define CRL_REASON_TEXT_MAX 64

/* The implicit numbering of enum crl_reason is the RFC's. */
_Static_assert(CRL_REASON_CERTIFICATE_HOLD == 6 &&
    CRL_REASON_REMOVE_FROM_CRL == 8 && CRL_REASON_AA_COMPROMISE == 10 &&
    CRL_REASON_COUNT == 11, "RFC 5280 §5.3.1 CRLReason values");

/* Names indexed by code; the hole at 7 stays NULL. */
static const char *const crl_reason_names[CRL_REASON_COUNT] = {
	[CRL_REASON_UNSPECIFIED] = "unspecified",
	[CRL_REASON_KEY_COMPROMISE] = "keyCompromise",
	[CRL_REASON_CA_COMPROMISE] = "cACompromise",
	[CRL_REASON_AFFILIATION_CHANGED] = "affiliationChanged",
	[CRL_REASON_SUPERSEDED] = "superseded",
	[CRL_REASON_CESSATION_OF_OPERATION] = "cessationOfOperation",
	[CRL_REASON_CERTIFICATE_HOLD] = "certificateHold",
	[CRL_REASON_REMOVE_FROM_CRL] = "removeFromCRL",
	[CRL_REASON_PRIVILEGE_WITHDRAWN] = "privilegeWithdrawn",
	[CRL_REASON_AA_COMPROMISE] = "aACompromise",
};

/* Say whether reason is one of the codes RFC 5280 defines. */
int
crl_reason_valid(int reason)
{
	return reason >= 0 && reason < CRL_REASON_COUNT &&
	    crl_reason_names[reason] != NULL;
}

/* Map a code to its RFC 5280 name, NULL for undefined codes. */
const char *
crl_reason_name(int reason)
{
	if (!crl_reason_valid(reason))
		return NULL;
	return crl_reason_names[reason];
}

/* Parse a reason given by name (any case) or by decimal code. */
int
crl_reason_parse(const char *text, int *out, char *why, size_t whylen)
{
	size_t len;
	char *end;
	long code;
	int i;

	if (text == NULL || out == NULL)
		return ca_why(why, whylen, CA_EINVAL, "CRL reason: missing");
	len = strnlen(text, CRL_REASON_TEXT_MAX + 1);
	if (len == 0 || len > CRL_REASON_TEXT_MAX)
		return ca_why(why, whylen, CA_EPARSE,
		    "CRL reason: RFC 5280 §5.3.1: empty or longer than %d characters",
		    CRL_REASON_TEXT_MAX);
	for (i = 0; i < CRL_REASON_COUNT; i++) {
		if (crl_reason_names[i] != NULL &&
		    strcasecmp(text, crl_reason_names[i]) == 0) {
			*out = i;
			return CA_OK;
		}
	}
	if (text[0] >= '0' && text[0] <= '9') {
		code = strtol(text, &end, 10);
		if (*end == '\0' && code >= 0 && code < CRL_REASON_COUNT &&
		    crl_reason_valid((int)code)) {
			*out = (int)code;
			return CA_OK;
		}
	}
	return ca_why(why, whylen, CA_EPARSE,
	    "CRL reason \"%.*s\": RFC 5280 §5.3.1: not a reason name "
	    "(unspecified, keyCompromise, cACompromise, affiliationChanged, "
	    "superseded, cessationOfOperation, certificateHold, removeFromCRL, "
	    "privilegeWithdrawn, aACompromise) or code", (int)len, text);
}

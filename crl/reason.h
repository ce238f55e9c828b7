/*
 * CRL revocation reasons (RFC 5280 §5.3.1 CRLReason) and their names, as
 * used on the command line, in the management API and in messages. No
 * state; safe from any thread. Depends on nothing of ours.
 */
#ifndef ENTCA_CRL_REASON_H
#define ENTCA_CRL_REASON_H

/*
 * RFC 5280 §5.3.1 codes, in order from 0; the RFC does not use 7, so the
 * count restarts at 8. These are the values stored and put on the wire.
 */
enum crl_reason {
	CRL_REASON_UNSPECIFIED = 0,
	CRL_REASON_KEY_COMPROMISE,
	CRL_REASON_CA_COMPROMISE,
	CRL_REASON_AFFILIATION_CHANGED,
	CRL_REASON_SUPERSEDED,
	CRL_REASON_CESSATION_OF_OPERATION,
	CRL_REASON_CERTIFICATE_HOLD,
	CRL_REASON_REMOVE_FROM_CRL = 8,	/* delta CRLs only */
	CRL_REASON_PRIVILEGE_WITHDRAWN,
	CRL_REASON_AA_COMPROMISE,
	CRL_REASON_COUNT	/* sentinel: sizes the name table */
};

/*
 * Return the RFC 5280 name of reason ("keyCompromise"), a static string,
 * or NULL when reason is not a defined code (negative, 7, >= COUNT).
 */
const char *crl_reason_name(int reason);

/*
 * Parse a reason name (ASCII case-insensitive, "keyCompromise" or
 * "keycompromise") or its decimal code ("1") into *out. Returns CA_OK, or
 * CA_EPARSE with a sentence in why (may be NULL) naming the bad input.
 */
int crl_reason_parse(const char *text, int *out, char *why, size_t whylen);

/* Return nonzero when reason is a defined RFC 5280 code. */
int crl_reason_valid(int reason);

#endif

/*
 * The one error enum of entca. Every module returns these codes (CA_OK or a
 * negative value); GnuTLS, libtasn1, LMDB and libldap codes are translated
 * once, at the call site. Functions that refuse untrusted input also fill a
 * caller-supplied "why" buffer with one sentence naming the object and the
 * rule, which is what the client and the log see.
 *
 * This header lives in common/, below every other folder, so that crl/,
 * templates/, policy/ and ldap/ can share the codes without including ca/.
 */
#ifndef ENTCA_COMMON_ERROR_H
#define ENTCA_COMMON_ERROR_H

#include <stddef.h>

enum ca_error {
	CA_OK = 0,
	CA_ENOMEM = -1,		/* allocation failed */
	CA_EINVAL = -2,		/* bad argument from our own code */
	CA_EPARSE = -3,		/* untrusted input does not parse */
	CA_EIO = -4,		/* file or socket I/O failed */
	CA_ENOTFOUND = -5,	/* no such object */
	CA_EEXIST = -6,		/* object exists already */
	CA_EDENIED = -7,	/* a right is missing */
	CA_EAUTH = -8,		/* authentication failed */
	CA_EUNAVAIL = -9,	/* a service (directory, signer) is down */
	CA_ETIMEOUT = -10,	/* an operation took too long */
	CA_ECRYPTO = -11,	/* a cryptographic operation failed */
	CA_EVERSION = -12,	/* data written by a newer format */
	CA_ETOOBIG = -13,	/* input exceeds a named bound */
	CA_EPOLICY = -14,	/* the request breaks a template or CA rule */
	CA_ECONFIG = -15,	/* configuration is invalid */
	CA_ESTATE = -16,	/* object is in the wrong state for this */
	CA_EDB = -17,		/* the store failed */
	CA_EMETHOD = -18,	/* a request method this resource does not take */
	CA_EMEDIA = -19,	/* a request body of a media type not taken */
	CA_ERROR_COUNT = 20	/* sentinel: number of codes including CA_OK */
};

/* Longest "why" sentence any module writes; buffers are this size. */
#define CA_WHY_MAX 512

/*
 * Return a static, human-readable name for code. Unknown codes give
 * "unknown error". Safe from any thread.
 */
const char *ca_strerror(int code);

/*
 * Format one sentence into why (which may be NULL) and return code, so that
 * refusals read `return ca_why(why, len, CA_EPARSE, "CSR: ...", ...)`.
 */
int ca_why(char *why, size_t whylen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif

/*
 * What a PKCS#10 request asks for (RFC 2986), parsed once from untrusted
 * bytes into plain bounded data that the decision (decide.h) reads: the key,
 * whether the signature verifies (proof of possession), the subject, the
 * subject alternative names, the extensions asked for, a SID supplied for
 * strong mapping, the template it names and the challenge password. Uses
 * GnuTLS for the CSR and policy/der.h for the Microsoft structures; no I/O.
 * Any thread.
 */
#ifndef ENTCA_POLICY_REQUEST_H
#define ENTCA_POLICY_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/der.h"
#include "policy/mspki.h"
#include "policy/dn.h"
#include "policy/principal.h"
#include "templates/template.h"

#define POLICY_CSR_MAX (64 * 1024)	/* bytes of one DER CSR */
#define POLICY_SAN_MAX 16		/* SAN entries in a request/profile */
#define POLICY_SAN_VALUE_MAX 512	/* bytes of one SAN value incl. NUL */
#define POLICY_SPKI_MAX 4096		/* an encoded public key (RSA-16384 is 2.1 KB) */
#define POLICY_REQ_EXT_MAX 32		/* extensions in extensionRequest */
#define POLICY_CHALLENGE_MAX 256	/* challengePassword incl. NUL */

/* SAN URL form for strong mapping (MS-PKCA §3.1.5.2.1.6). */
#define POLICY_SID_URL_PREFIX "tag:microsoft.com,2022-09-14:sid:"

#define POLICY_OID_SAN		"2.5.29.17"
#define POLICY_OID_UPN		"1.3.6.1.4.1.311.20.2.3"
#define POLICY_OID_SID_EXT	MSPKI_OID_SID_EXT
#define POLICY_OID_TMPL_V1	"1.3.6.1.4.1.311.20.2"
#define POLICY_OID_TMPL_V2	"1.3.6.1.4.1.311.21.7"
#define POLICY_OID_APP_POLICIES	"1.3.6.1.4.1.311.21.10"

enum policy_key_alg {
	POLICY_KEY_NONE = 0,
	POLICY_KEY_RSA,
	POLICY_KEY_EC,
	POLICY_KEY_OTHER,	/* DSA, EdDSA, ...: never accepted */
	POLICY_KEY_ALG_COUNT
};

enum policy_curve {
	POLICY_CURVE_NONE = 0,
	POLICY_CURVE_P256,
	POLICY_CURVE_P384,
	POLICY_CURVE_P521,
	POLICY_CURVE_OTHER,
	POLICY_CURVE_COUNT
};

enum policy_san_type {
	POLICY_SAN_UPN = 0,	/* otherName 1.3.6.1.4.1.311.20.2.3 */
	POLICY_SAN_EMAIL,	/* rfc822Name */
	POLICY_SAN_DNS,		/* dNSName */
	POLICY_SAN_URI,		/* uniformResourceIdentifier */
	POLICY_SAN_OTHER,	/* anything else: value describes it */
	POLICY_SAN_COUNT
};

/* "UPN", "email", "DNS", "URI", "other". */
extern const char *const policy_san_names[POLICY_SAN_COUNT];
/* "RSA", "ECDSA", ... and "P-256", ... for messages. */
extern const char *const policy_key_alg_names[POLICY_KEY_ALG_COUNT];
extern const char *const policy_curve_names[POLICY_CURVE_COUNT];

struct policy_san {
	enum policy_san_type type;
	char value[POLICY_SAN_VALUE_MAX];
};

enum policy_sid_source {
	POLICY_SID_NONE = 0,
	POLICY_SID_EXTENSION,	/* 1.3.6.1.4.1.311.25.2 in extensionRequest */
	POLICY_SID_ATTRIBUTE,	/* the same value as a CSR attribute */
	POLICY_SID_SAN_URL,	/* tag:microsoft.com,2022-09-14:sid:... */
};

struct policy_request {
	enum policy_key_alg key_alg;
	unsigned key_bits;			/* RSA modulus or curve bits */
	enum policy_curve curve;
	bool signature_ok;			/* proof of possession */
	unsigned char spki[POLICY_SPKI_MAX];	/* the key, re-encoded in DER */
	size_t spki_len;			/* by GnuTLS: what is issued */

	unsigned char subject_der[DN_DER_MAX];	/* as in the CSR */
	size_t subject_len;
	char subject[DN_STRING_MAX];		/* RFC 4514 form */

	size_t n_sans;
	struct policy_san sans[POLICY_SAN_MAX];

	size_t n_exts;				/* extensionRequest OIDs */
	char exts[POLICY_REQ_EXT_MAX][DER_OID_TEXT_MAX];
	size_t n_ekus;				/* EKUs asked for (ignored) */
	char ekus[TMPL_EKU_MAX][DER_OID_TEXT_MAX];

	char sid[PRINCIPAL_SID_MAX];		/* supplied SID, "" if none */
	enum policy_sid_source sid_source;
	bool sid_conflict;			/* two supplied SIDs differ */

	char template_name[TMPL_NAME_MAX];	/* 1.3.6.1.4.1.311.20.2 */
	char template_oid[TMPL_OID_MAX];	/* 1.3.6.1.4.1.311.21.7 */
	uint32_t template_major, template_minor;

	bool has_validity;			/* set by the caller from */
	int64_t not_after;			/* request attributes, if any */

	bool has_challenge;
	char challenge[POLICY_CHALLENGE_MAX];	/* secret: wipe after use */
};

/*
 * Parse a DER PKCS#10 request (at most POLICY_CSR_MAX bytes) into *out
 * (overwritten). Returns CA_OK; CA_EPARSE or CA_ETOOBIG when the bytes are
 * not a request we accept (why says which rule); CA_ECRYPTO when everything
 * parsed but the signature does not verify ("CSR: RFC 2986: signature does
 * not verify"): *out is then complete with signature_ok false, so the
 * decision can record a POLICY_BAD_SIGNATURE denial. out holds the
 * challenge password: wipe it with policy_request_wipe(). Any thread.
 */
int policy_request_parse(const unsigned char *der, size_t len,
    struct policy_request *out, char *why, size_t whylen);

/* Zero *r, the challenge password included (explicit_bzero). */
void policy_request_wipe(struct policy_request *r);

/* Which directory entry the request is for, by the first thing it names. */
enum policy_hint {
	POLICY_HINT_NONE = 0,	/* nothing: the requester itself */
	POLICY_HINT_SID,	/* objectSid */
	POLICY_HINT_UPN,	/* userPrincipalName */
	POLICY_HINT_DNS,	/* dNSHostName */
	POLICY_HINT_COUNT
};

/*
 * Tell ca/ which principal to look up before policy_decide(): the supplied
 * SID if any, else the first UPN SAN, else the first DNS SAN, else none.
 * Copies the value into value (len bytes). Returns the key kind.
 */
enum policy_hint policy_subject_hint(const struct policy_request *r,
    char *value, size_t len);

/* True when s looks like a SID string: S-1-<digits>(-<digits>)+. */
bool policy_sid_valid(const char *s);

/*
 * The identity-bearing names of a request (policy/names.c), each to be
 * resolved in the directory by ca/ before policy_decide(): the SID
 * supplied (extension, attribute or SAN URL), the UPN, e-mail, DNS and URI
 * SANs, the subject's E, and its CN when it has the form of a UPN, a DNS
 * name or an account name. README "Security model: names".
 */
#define POLICY_NAMES_MAX (POLICY_SAN_MAX + 8)
#define POLICY_NAME_WHY_MAX 160

/* How ca/ looks a name up. */
enum policy_name_key {
	POLICY_NAME_KEY_NONE = 0,	/* never in the directory (a URI) */
	POLICY_NAME_KEY_SID,		/* objectSid */
	POLICY_NAME_KEY_UPN,		/* userPrincipalName (or sam@realm) */
	POLICY_NAME_KEY_MAIL,		/* mail */
	POLICY_NAME_KEY_DNS,		/* dNSHostName */
	POLICY_NAME_KEY_SAM,		/* sAMAccountName; not found = text */
	POLICY_NAME_KEY_ACCOUNT,	/* name or DOMAIN\name (subject UID, a
					 * CN DOMAIN\name): not found = outside
					 * the directory, never text */
	POLICY_NAME_KEY_COUNT
};

enum policy_name_state {
	POLICY_NAME_OPEN = 0,	/* not looked up, or not found */
	POLICY_NAME_FOUND,		/* sid/dn/who say whose it is */
	POLICY_NAME_BAD,		/* why says what is wrong */
	POLICY_NAME_TEXT,		/* an account-form CN nobody has: text */
	POLICY_NAME_AMBIGUOUS,	/* several accounts have it; why says how many */
	POLICY_NAME_STATE_COUNT
};

struct policy_name {
	const char *what;		/* "SAN UPN", "SID URL", "subject CN"... */
	enum policy_name_key key;
	enum policy_name_state state;
	bool san;			/* one of the request's SANs */
	char value[POLICY_SAN_VALUE_MAX];
	char why[POLICY_NAME_WHY_MAX];	/* MALFORMED: the rule broken */
	char sid[PRINCIPAL_SID_MAX];	/* RESOLVED: the principal */
	char dn[PRINCIPAL_DN_MAX];
	char who[PRINCIPAL_NAME_MAX];	/* sAMAccountName, for messages */
};

struct policy_names {
	size_t n;
	bool overflow;			/* more names than POLICY_NAMES_MAX */
	struct policy_name v[POLICY_NAMES_MAX];
};

/*
 * List r's identity-bearing names into *out (overwritten), each UNRESOLVED
 * or, when its syntax is wrong (control characters, a wildcard in a UPN,
 * no '@', a DNS label outside LDH ...), MALFORMED with why. Any thread.
 */
void policy_names_list(const struct policy_request *r,
    struct policy_names *out);

/*
 * True when name n is p's own: its SID, UPN (a subject CN shaped like
 * user@domain: UPN or mail), mail, dNSHostName or sAMAccountName.
 */
bool policy_name_is(const struct policy_name *n, const struct principal *p);

/* Mark n RESOLVED as p's. */
void policy_name_resolved(struct policy_name *n, const struct principal *p);

#endif

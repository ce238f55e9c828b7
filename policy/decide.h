/*
 * The issuance decision: given who asks, for whom, with which template, what
 * the request says, the CA's settings and the time, say issue, pend or deny
 * with a machine code and one sentence, and to issue, the certificate
 * profile: everything ca/'s builder puts in the certificate, as plain data.
 * The rights and certificate contents of README: Security model. No I/O, no clock (the caller passes now);
 * any thread.
 */
#ifndef ENTCA_POLICY_DECIDE_H
#define ENTCA_POLICY_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "policy/dn.h"
#include "policy/principal.h"
#include "policy/request.h"
#include "policy/rights.h"
#include "templates/template.h"

#define POLICY_URL_MAX 4		/* CDP / AIA / OCSP URLs each */
#define POLICY_URL_LEN 512		/* bytes of one URL incl. NUL */
#define POLICY_BACKDATE_SECONDS 600	/* notBefore = now - 10 min, as AD CS
					   allows for clock skew (MS-CSRA) */

/* The CA's settings that enter the decision (from entcad.conf). */
struct policy_ca {
	const struct tmpl_ace *aces;	/* CA [security]: CA_RIGHT_* bits */
	size_t n_aces;
	const char *const *issue_templates;	/* names, case-insensitive */
	size_t n_issue;
	int64_t ca_not_before;		/* the CA certificate's validity */
	int64_t ca_not_after;
	const char *const *cdp_urls;
	size_t n_cdp;
	const char *const *aia_urls;	/* caIssuers */
	size_t n_aia;
	const char *const *ocsp_urls;
	size_t n_ocsp;
	bool sid_url_san;		/* follow templates' san = sid-url;
					   false turns the URL off CA-wide */
};

/*
 * Server key generation: keygen_alg != POLICY_KEY_NONE. req may then be
 * NULL (subject built from the directory) or a request whose names are used
 * and whose own key is ignored.
 */
struct policy_input {
	const struct principal *requester;	/* authenticated caller */
	const struct principal *subject;	/* whom the certificate is for:
						   the requester, the target
						   found in the directory, or
						   NULL if the request names
						   nobody resolvable */
	const struct template *tmpl;
	const struct policy_request *req;	/* the CSR, or NULL */
	enum policy_key_alg keygen_alg;		/* NONE: the CSR's key */
	unsigned keygen_bits;			/* RSA bits or curve bits */
	const struct policy_ca *ca;
	int64_t now;				/* seconds since the epoch */
	bool approving;				/* officer approval re-run */
	const struct policy_names *names;	/* the request's names as ca/
						   resolved them; NULL: only
						   the subject's own names
						   count as resolved */
};

enum policy_verdict {
	POLICY_ISSUE = 0,
	POLICY_PEND,
	POLICY_DENY,
	POLICY_VERDICT_COUNT
};

enum policy_code {
	POLICY_OK = 0,
	POLICY_NO_CA_REQUEST,		/* no CA request right */
	POLICY_TEMPLATE_NOT_ISSUED,	/* not in issue-templates */
	POLICY_NO_ENROLL,		/* no template enroll right */
	POLICY_WEAK_KEY,		/* below min-key-size */
	POLICY_KEY_ALG,			/* algorithm or curve not allowed */
	POLICY_BAD_SIGNATURE,		/* CSR signature fails */
	POLICY_FOREIGN_SAN,		/* names someone else */
	POLICY_FOREIGN_SID,		/* non-officer supplies another SID */
	POLICY_SID_MISMATCH,		/* supplied SID != directory's */
	POLICY_SUBJECT,			/* subject/SAN cannot be built */
	POLICY_DISABLED,		/* account disabled/locked/expired */
	POLICY_NOT_OFFICER,		/* enroll on behalf needs officer */
	POLICY_KEYGEN_NOT_ALLOWED,	/* server keygen not allowed */
	POLICY_PENDING_APPROVAL,	/* require-approval */
	POLICY_AGENT_REQUIRED,		/* template needs agent signatures */
	POLICY_CA_EXPIRED,		/* no validity left under the CA */
	POLICY_TEMPLATE_CONFLICT,	/* CSR names another template */
	POLICY_NAME_MALFORMED,		/* a name breaks its syntax (400) */
	POLICY_NAME_CONFLICT,		/* names of two principals (400) */
	POLICY_NAME_UNRESOLVED,		/* a name nobody in the directory has */
	POLICY_CODE_COUNT
};

/* "ok", "no-ca-request", ... for logs, the store and API replies. */
extern const char *const policy_code_names[POLICY_CODE_COUNT];
/* "issue", "pend", "deny". */
extern const char *const policy_verdict_names[POLICY_VERDICT_COUNT];

/* What the certificate will contain; plain data, no pointers. */
struct policy_profile {
	unsigned char subject_der[DN_DER_MAX];	/* exact DER Name */
	size_t subject_len;
	char subject[DN_STRING_MAX];		/* RFC 4514, for logs */

	size_t n_sans;				/* in this order */
	struct policy_san sans[POLICY_SAN_MAX];

	size_t n_ekus;
	char ekus[TMPL_EKU_MAX][TMPL_OID_MAX];
	bool eku_critical;
	uint32_t key_usage;			/* TMPL_KU_* == GNUTLS_KEY_* */
	bool key_usage_critical;
	bool basic_constraints;			/* present (CA templates) */
	bool ca;
	int path_len;				/* -1: none */

	int64_t not_before, not_after;

	char sid[PRINCIPAL_SID_MAX];		/* SID extension; "" = none */
	bool sid_url_san;			/* the SID SAN URL is in sans */
	bool outside_directory;			/* names the directory does not
						   resolve: no SID, no URL */

	char template_name[TMPL_NAME_MAX];
	char template_oid[TMPL_OID_MAX];
	uint32_t template_major, template_minor, schema_version;
	size_t n_app_policies;			/* 1.3.6.1.4.1.311.21.10 */
	char app_policies[TMPL_EKU_MAX][TMPL_OID_MAX];

	size_t n_cdp, n_aia, n_ocsp;
	char cdp[POLICY_URL_MAX][POLICY_URL_LEN];
	char aia[POLICY_URL_MAX][POLICY_URL_LEN];
	char ocsp[POLICY_URL_MAX][POLICY_URL_LEN];

	enum tmpl_hash hash;
};

struct policy_decision {
	enum policy_verdict verdict;
	enum policy_code code;
	char why[CA_WHY_MAX];		/* one sentence for the client/log */
	char notes[CA_WHY_MAX];		/* adjustments, e.g. validity clamp */
	struct policy_profile profile;	/* valid when verdict != DENY */
};

/*
 * Decide on in into *out (overwritten). Returns CA_OK when a decision was
 * made (out->verdict says which, out->code and out->why say why), or
 * CA_EINVAL for a missing input / CA_ENOMEM: internal failures only. A PEND
 * carries the profile the certificate would get. Any thread.
 */
int policy_decide(const struct policy_input *in, struct policy_decision *out);

/*
 * True when p and q are the same directory object (same SID, else same DN
 * or account name). NULL is the same as nothing.
 */
bool policy_same_principal(const struct principal *p,
    const struct principal *q);

#endif

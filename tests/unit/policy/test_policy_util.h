/*
 * Shared fixtures for the policy and issue tests: the test domain's
 * principals (the same SIDs as the test directory), the templates of the
 * PKCS walkthrough and AD CS defaults, CA settings, and CSR generation with
 * GnuTLS (keys cached per size so the matrix runs quickly).
 */
#ifndef ENTCA_TEST_POLICY_UTIL_H
#define ENTCA_TEST_POLICY_UTIL_H

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "policy/principal.h"
#include "policy/rights.h"
#include "templates/template.h"

#define TP_DOMAIN_SID "S-1-5-21-3623811015-3361044348-30300820"
#define TP_BASE "DC=entca,DC=test"
#define TP_REALM "entca.test"

enum tp_who {
	TP_CONNECTOR = 0,	/* INTUNECONN$, RID 1105: request + officer */
	TP_ALICE,		/* 1106, plain user */
	TP_BOB,			/* 1107, Domain Users only */
	TP_PKIADMIN,		/* 1108, officer through "PKI Officers" */
	TP_CAROL,		/* 1109, disabled */
	TP_DAVE,		/* 1110, member of the denied "Blocked Users" */
	TP_ERIN,		/* 1111, "Team A" inside "Cert Users" (nested) */
	TP_WS01,		/* 1112, computer WS01$ */
	TP_WHO_COUNT
};

enum tp_tmpl {
	TP_T_PKCS = 0,		/* PKCSIntune: the walkthrough's template */
	TP_T_USER,		/* User: from directory, UPN + email SAN */
	TP_T_MACHINE,		/* Machine: from directory, DNS */
	TP_T_WEBSERVER,		/* WebServer: supply in request */
	TP_T_APPROVAL,		/* ApprovalUser: require-approval */
	TP_T_NOTISSUED,		/* enrollable but not in issue-templates */
	TP_T_COUNT
};

/* Fill p (cleared first) as the test directory holds that principal. */
void tp_principal(enum tp_who who, struct principal *p);

/* Fill t with the template. */
void tp_template(enum tp_tmpl which, struct template *t);

/* The CA's [security] list and issue-templates used by the tests. */
extern const struct tmpl_ace tp_ca_aces[];
extern const size_t tp_n_ca_aces;
extern const char *const tp_issue_templates[];
extern const size_t tp_n_issue;

/* Key kinds the tests generate. */
enum tp_key { TP_RSA1024 = 0, TP_RSA2048, TP_P256, TP_P384, TP_KEY_COUNT };

/* A cached private key of that kind (owned by the cache). */
gnutls_x509_privkey_t tp_key(enum tp_key k);

/* Extra contents of a test CSR. */
struct tp_csr {
	const char *subject;	/* RFC 4514 for gnutls_x509_crq_set_dn, or NULL */
	const char *rdn[8][2];	/* or (OID, value) RDNs in DER order, set
				   one by one with gnutls_x509_crq_set_dn_by_oid */
	const char *upn;	/* SAN otherName UPN */
	const char *email;
	const char *dns;
	const char *uri;
	const char *sid_ext;	/* SID extension 1.3.6.1.4.1.311.25.2 */
	const char *eku;	/* a requested EKU OID (ESC15 pattern) */
	const char *challenge;	/* challengePassword */
	const char *ext_oid;	/* one more extension, raw value */
	const unsigned char *ext_der;
	size_t ext_len;
	bool sid_attr;		/* sid_ext as an attribute, not extension */
	bool tamper;		/* flip a byte of the signature */
};

/*
 * Build and sign a CSR for key k with c into *der (malloc'd; caller frees).
 * Aborts the test on GnuTLS failure.
 */
void tp_csr_make(enum tp_key k, const struct tp_csr *c, unsigned char **der,
    size_t *len);

/*
 * Sign crq with key k (SHA-256), deinit it, and return its DER in *der
 * (malloc'd; caller frees). For tests that build a request by hand.
 * Aborts the test on GnuTLS failure.
 */
void tp_crq_finish(gnutls_x509_crq_t crq, enum tp_key k, unsigned char **der,
    size_t *len);

/*
 * Write the SID extension value for sid as AD CS does (KB5014754) into
 * out (room for strlen(sid) + 20 bytes); returns its length.
 */
size_t tp_sid_ext(const char *sid, unsigned char *out);

/* Free the cached keys. */
void tp_cleanup(void);

#endif

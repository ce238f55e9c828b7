/*
 * Pieces of certificate mapping that need no directory, exported for
 * tests and for ca/ (which shows them to administrators). Pure; any
 * thread. The mapping itself is directory_map_certificate() in
 * ldap/directory.h.
 */
#ifndef ENTCA_LDAP_CERTMAP_H
#define ENTCA_LDAP_CERTMAP_H

#include <stddef.h>

#include "policy/principal.h"

#define DIRECTORY_ALTSEC_MAX 1200	/* one altSecurityIdentities string */

/* The strong altSecurityIdentities forms of one certificate. */
struct directory_altsec {
	char issuer_serial[DIRECTORY_ALTSEC_MAX]; /* X509:<I>..<SR>.. */
	char ski[DIRECTORY_ALTSEC_MAX];		/* X509:<SKI>..; empty if none */
	char sha1_pukey[DIRECTORY_ALTSEC_MAX];	/* X509:<SHA1-PUKEY>.. */
};

/*
 * Parse the value of the SID extension 1.3.6.1.4.1.311.25.2 (adcs.md
 * §1.2) into "S-1-..." in sid. Strict DER, exactly one otherName, a valid
 * SID. Returns CA_OK or CA_EPARSE.
 */
int directory_sid_ext_parse(const unsigned char *der, size_t len, char *sid,
    size_t sidlen);

/*
 * The strong forms for a DER certificate: issuer RDNs most significant
 * first with serial bytes reversed (upper-case hex), the subject key
 * identifier, and SHA-1 of the SubjectPublicKeyInfo. Returns CA_OK,
 * CA_EPARSE or CA_ENOMEM.
 */
int directory_altsec_strings(const unsigned char *der, size_t len,
    struct directory_altsec *out);

/*
 * The account state rules every login shares (Basic bind, certificate
 * login, enrollment): a disabled, locked out or expired account, or one
 * whose password expired, may not log in. p as filled by a lookup or a
 * bind just now. Returns CA_OK, or CA_EAUTH with a sentence naming the
 * account and the state in why (for the log; clients hear one sentence).
 * Pure; any thread.
 */
int directory_account_usable(const struct principal *p, char *why,
    size_t whylen);

#endif

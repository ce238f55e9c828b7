/*
 * Rights: CA rights (read, request, officer, admin, auditor) and template
 * rights (TMPL_RIGHT_* in templates/template.h), and the evaluation of an
 * allow/deny list against a principal and its groups (README: Security model). Pure
 * functions; safe from any thread.
 */
#ifndef ENTCA_POLICY_RIGHTS_H
#define ENTCA_POLICY_RIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "policy/principal.h"
#include "templates/template.h"

/* CA rights, as bits of struct tmpl_ace.rights in the CA's list. */
#define CA_RIGHT_READ		0x01u	/* read the CA certificate and CRLs */
#define CA_RIGHT_REQUEST	0x02u	/* Request Certificates */
#define CA_RIGHT_OFFICER	0x04u	/* Issue and Manage Certificates */
#define CA_RIGHT_ADMIN		0x08u	/* Manage CA */
#define CA_RIGHT_AUDITOR	0x10u	/* read the audit log */
#define CA_RIGHT_COUNT		5

/* Name of each CA right, bit i = 1u << i, for the config parser. */
extern const char *const ca_right_names[CA_RIGHT_COUNT];

/* Name of each template right, bit i = 1u << i. */
#define TMPL_RIGHT_COUNT	3
/* tmpl_right_names (the names themselves) live in templates/template.h. */

/*
 * Parse a right name ("request", case-insensitive) from names (n entries)
 * into its bit. Returns the bit, or 0 when unknown.
 */
uint32_t policy_right_by_name(const char *const *names, size_t n,
    const char *name);

/*
 * Rights that aces grant p: the union of allow entries that match p or one
 * of its groups, minus the union of matching deny entries (deny wins; no
 * entry, no right). An entry matches by SID ("S-1-..."), by a well-known
 * name mapped to its SID (policy_wellknown_sid: Everyone, BUILTIN\Users,
 * Domain Users...; compared with SIDs only, never with account names), by
 * DN (contains '='; compared as names, case- and space-insensitive), or by
 * account name: sAMAccountName (case-insensitive), "DOMAIN\name" (DOMAIN
 * must be p->domain, the NetBIOS name the directory gave, or the full DNS
 * name of the DN's DC labels; never a part of it) or "name@realm" (the
 * UPN, or sAMAccountName at the DC labels of the DN). p may be NULL (no
 * rights).
 */
uint32_t policy_rights(const struct principal *p, const struct tmpl_ace *aces,
    size_t n);

/*
 * True when who ("DOMAIN\\name", "name@realm", a sAMAccountName or the UPN)
 * names p, by the account-name rules of policy_rights.
 */
bool policy_account_name_is(const char *who, const struct principal *p);

/*
 * The SID of a well-known principal name: "Everyone", "Authenticated
 * Users", "NT AUTHORITY\..." names, "BUILTIN\Users" and the other
 * BUILTIN\ aliases, and the domain groups every AD domain has ("Domain
 * Users", "Domain Admins", "Enterprise Admins"...; optionally prefixed by
 * netbios + "\", which then must equal that name) relative to domain_sid
 * ("S-1-5-21-a-b-c"; NULL or "" leaves those unresolved). Case-insensitive.
 * Returns 1 with the SID text in out, 0 when name is not a well-known
 * name, and -1 when it is one that cannot be resolved (an unknown
 * BUILTIN\ or NT AUTHORITY\ name, a domain group without domain_sid).
 */
int policy_wellknown_sid(const char *name, const char *netbios,
    const char *domain_sid, char *out, size_t outlen);

/*
 * The domain part of a domain account's SID ("S-1-5-21-a-b-c" of
 * "S-1-5-21-a-b-c-rid") into out; false (out "") for any other SID.
 */
bool policy_domain_of_sid(const char *sid, char *out, size_t outlen);

/* True when the ACE principal text names p itself (not its groups). */
bool policy_ace_names(const char *who, const struct principal *p);

#endif

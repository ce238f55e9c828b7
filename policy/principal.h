/*
 * Who someone is, as the directory says: struct principal is defined here
 * (policy/ decides on it) and filled by ldap/. Plain strings; the group
 * list is the only allocation, owned by the principal.
 */
#ifndef ENTCA_POLICY_PRINCIPAL_H
#define ENTCA_POLICY_PRINCIPAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PRINCIPAL_SID_MAX 192	/* "S-1-5-21-a-b-c-rid" text incl. NUL */
#define PRINCIPAL_NAME_MAX 256	/* sAMAccountName, UPN, mail, DNS name */
#define PRINCIPAL_DN_MAX 1024	/* distinguishedName */
#define PRINCIPAL_GROUPS_MAX 1024 /* bound on transitive groups */
#define PRINCIPAL_DOMAIN_MAX 64	/* NetBIOS domain name (15 chars in AD) */

enum principal_kind {
	PRINCIPAL_USER = 0,
	PRINCIPAL_COMPUTER,
	PRINCIPAL_GROUP,
	PRINCIPAL_KIND_COUNT
};

/* userAccountControl bits that matter here (MS-ADTS §2.2.16). */
#define PRINCIPAL_UAC_ACCOUNTDISABLE		0x0002u
#define PRINCIPAL_UAC_LOCKOUT			0x0010u
#define PRINCIPAL_UAC_NORMAL_ACCOUNT		0x0200u
#define PRINCIPAL_UAC_WORKSTATION_TRUST		0x1000u
#define PRINCIPAL_UAC_SERVER_TRUST		0x2000u
#define PRINCIPAL_UAC_PASSWORD_EXPIRED		0x800000u

/* One group the principal belongs to, directly or transitively. */
struct principal_group {
	char sid[PRINCIPAL_SID_MAX];	/* may be empty if the group has none */
	char dn[PRINCIPAL_DN_MAX];	/* empty for well-known SIDs */
	char name[PRINCIPAL_NAME_MAX];	/* sAMAccountName or cn */
};

struct principal {
	enum principal_kind kind;
	char sid[PRINCIPAL_SID_MAX];	/* objectSid as S-1-... */
	char guid[40];			/* objectGUID, canonical text form */
	char sam[PRINCIPAL_NAME_MAX];	/* sAMAccountName (computers end in $) */
	char upn[PRINCIPAL_NAME_MAX];	/* userPrincipalName, may be empty */
	char mail[PRINCIPAL_NAME_MAX];
	char dns[PRINCIPAL_NAME_MAX];	/* dNSHostName (computers) */
	char dn[PRINCIPAL_DN_MAX];
	char domain[PRINCIPAL_DOMAIN_MAX]; /* NetBIOS name of its domain, or "" */
	uint32_t uac;			/* userAccountControl */
	bool expired;			/* accountExpires passed */
	size_t n_groups;
	struct principal_group *groups;	/* owned; includes primary + well-known */
};

/* Release the group list and zero p; accepts NULL. */
void principal_clear(struct principal *p);

/*
 * Deep-copy src into dst (dst is overwritten, not freed first). Returns
 * CA_OK or CA_ENOMEM; on error dst is left cleared.
 */
int principal_copy(struct principal *dst, const struct principal *src);

/*
 * Append a group (copied) unless one with the same SID or DN is present.
 * Returns CA_OK, CA_ETOOBIG past PRINCIPAL_GROUPS_MAX, or CA_ENOMEM.
 */
int principal_add_group(struct principal *p, const char *sid,
    const char *dn, const char *name);

#endif

/*
 * The certificate template model: AD CS's template properties as one C
 * struct (MS-CRTD semantics, file syntax of entca). templates/ owns this
 * model, the parser and writer of template files, the built-in templates and
 * the lint rules. It does no I/O beyond reading and writing template files
 * and knows nothing of the rest of entca.
 *
 * A struct template is plain data: fixed-size fields, no pointers, so it can
 * be copied with memcpy, stored in LMDB and shared read-only between threads.
 */
#ifndef ENTCA_TEMPLATES_TEMPLATE_H
#define ENTCA_TEMPLATES_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TMPL_NAME_MAX 128	/* template and display names, bytes incl. NUL */
#define TMPL_OID_MAX 128	/* dotted OID text incl. NUL */
#define TMPL_PRINCIPAL_MAX 512	/* SID, DN or account name in an ACE */
#define TMPL_EKU_MAX 16		/* application policies per template */
#define TMPL_ACE_MAX 64		/* [security] entries per template */
#define TMPL_SUPERSEDE_MAX 8	/* superseded template names */
#define TMPL_FORMAT_MAX 256	/* subject-format text */

/* AD CS compatibility levels (CA and recipient tabs). */
enum tmpl_compat {
	TMPL_COMPAT_2003 = 0,
	TMPL_COMPAT_2008,
	TMPL_COMPAT_2008R2,
	TMPL_COMPAT_2012,
	TMPL_COMPAT_2012R2,
	TMPL_COMPAT_2016,
	TMPL_COMPAT_COUNT
};

/* Request handling: purpose. */
enum tmpl_purpose {
	TMPL_PURPOSE_SIGNATURE = 0,
	TMPL_PURPOSE_ENCRYPTION,
	TMPL_PURPOSE_SIGNATURE_AND_ENCRYPTION,
	TMPL_PURPOSE_COUNT
};

/* Key algorithms a template accepts: a bit mask. */
#define TMPL_KEY_RSA		0x1u
#define TMPL_KEY_ECDSA_P256	0x2u
#define TMPL_KEY_ECDSA_P384	0x4u

enum tmpl_hash {
	TMPL_HASH_SHA256 = 0,
	TMPL_HASH_SHA384,
	TMPL_HASH_SHA512,
	TMPL_HASH_COUNT
};

/* Where the subject comes from. */
enum tmpl_subject {
	TMPL_SUBJECT_SUPPLY_IN_REQUEST = 0,
	TMPL_SUBJECT_FROM_DIRECTORY,
	TMPL_SUBJECT_COUNT
};

/* subject-format for from-directory subjects (AD CS "Subject name format"). */
enum tmpl_subject_format {
	TMPL_SUBJFMT_NONE = 0,		/* empty subject, identity in SAN */
	TMPL_SUBJFMT_CN_USERNAME,	/* CN=<sAMAccountName without $> */
	TMPL_SUBJFMT_CN_UPN,		/* CN=<userPrincipalName> */
	TMPL_SUBJFMT_DN,		/* the directory's distinguishedName */
	TMPL_SUBJFMT_EMAIL,		/* CN=<name>, E=<mail> */
	TMPL_SUBJFMT_DNS,		/* CN=<dNSHostName> */
	TMPL_SUBJFMT_DEVICE_ID,		/* CN=<objectGUID> */
	TMPL_SUBJFMT_COUNT
};

/* Subject alternative names built from the directory: a bit mask. */
#define TMPL_SAN_UPN		0x1u
#define TMPL_SAN_EMAIL		0x2u
#define TMPL_SAN_DNS		0x4u
#define TMPL_SAN_SID_URL	0x8u	/* tag:microsoft.com,2022-09-14:sid:<SID> */

/*
 * Key usage bits: the same values as GnuTLS's GNUTLS_KEY_* so policy/ can
 * hand them over unchanged (RFC 5280 §4.2.1.3).
 */
#define TMPL_KU_DIGITAL_SIGNATURE	128
#define TMPL_KU_NON_REPUDIATION		64
#define TMPL_KU_KEY_ENCIPHERMENT	32
#define TMPL_KU_DATA_ENCIPHERMENT	16
#define TMPL_KU_KEY_AGREEMENT		8
#define TMPL_KU_KEY_CERT_SIGN		4
#define TMPL_KU_CRL_SIGN		2

/* Template rights in a [security] entry: a bit mask. */
#define TMPL_RIGHT_READ		0x1u
#define TMPL_RIGHT_ENROLL	0x2u
#define TMPL_RIGHT_AUTOENROLL	0x4u

/*
 * One access-control entry: allow or deny rights to a principal named by
 * SID (S-1-...), DN (contains '='), or account name (anything else, e.g.
 * INTUNECONN$, "Domain Users"). The same struct carries CA rights in the
 * CA's [security] list; there the bits are policy/'s CA_RIGHT_* values.
 */
struct tmpl_ace {
	bool deny;
	char principal[TMPL_PRINCIPAL_MAX];
	uint32_t rights;
};

/* Lint rules; a template may override one with `allow-dangerous = NAME`. */
enum tmpl_lint {
	TMPL_LINT_ESC1 = 0,	/* client auth + supply-in-request + broad enroll, no approval */
	TMPL_LINT_ESC2,		/* any-purpose or no EKU on an enrollable template */
	TMPL_LINT_ESC3,		/* certificate request agent EKU for broad groups */
	TMPL_LINT_ESC4,		/* templates folder or file writable by others */
	TMPL_LINT_NO_SID,	/* sid-extension off on a client-auth template */
	TMPL_LINT_COUNT
};

struct template {
	/* General */
	char name[TMPL_NAME_MAX];		/* template name (cn), no spaces */
	char display_name[TMPL_NAME_MAX];
	char oid[TMPL_OID_MAX];			/* msPKI-Cert-Template-OID */
	uint32_t major_version;			/* revision */
	uint32_t minor_version;
	uint32_t schema_version;		/* 1..4, from compatibility */
	int64_t validity_seconds;
	int64_t renewal_seconds;
	bool publish_to_directory;

	/* Compatibility */
	enum tmpl_compat compat_ca;
	enum tmpl_compat compat_recipient;

	/* Request handling */
	enum tmpl_purpose purpose;
	bool allow_private_key_export;
	bool server_key_generation;		/* entca may make the key */

	/* Cryptography */
	uint32_t key_algorithms;		/* TMPL_KEY_* mask */
	uint32_t min_key_size;			/* RSA bits */
	enum tmpl_hash hash;

	/* Subject name */
	enum tmpl_subject subject;
	enum tmpl_subject_format subject_format;
	uint32_t san;				/* TMPL_SAN_* mask */

	/* Extensions */
	size_t n_policies;
	char policies[TMPL_EKU_MAX][TMPL_OID_MAX];	/* dotted EKU OIDs */
	bool eku_critical;
	uint32_t key_usage;			/* TMPL_KU_* mask */
	bool key_usage_critical;
	bool sid_extension;			/* 1.3.6.1.4.1.311.25.2 */
	bool ca;				/* basic constraints cA (SubCA) */
	int path_len;				/* -1: unlimited */

	/* Issuance requirements */
	bool require_approval;
	uint32_t authorized_signatures;		/* enrollment agent signatures */
	char ra_policy[TMPL_OID_MAX];		/* agent's application policy */

	/* Superseded templates */
	size_t n_supersedes;
	char supersedes[TMPL_SUPERSEDE_MAX][TMPL_NAME_MAX];

	/* Security */
	size_t n_aces;
	struct tmpl_ace aces[TMPL_ACE_MAX];

	/* Lint overrides: bit (1u << enum tmpl_lint) per allowed rule */
	uint32_t lint_overrides;
};

#endif

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

/*
 * What a simplereenroll must satisfy (AD CS Issuance Requirements, "Require
 * the following for reenrollment"): the same criteria as enrollment
 * (default), or a valid existing certificate alone.
 */
enum tmpl_renewal {
	TMPL_RENEWAL_SAME_AS_ENROLLMENT = 0,
	TMPL_RENEWAL_VALID_CERTIFICATE,
	TMPL_RENEWAL_COUNT
};

/* Lint rules; a template may override one with `allow-dangerous = NAME`. */
enum tmpl_lint {
	TMPL_LINT_ESC1 = 0,	/* client auth + supply-in-request + broad enroll, no approval */
	TMPL_LINT_ESC2,		/* any-purpose or no EKU on an enrollable template */
	TMPL_LINT_ESC3,		/* certificate request agent EKU for broad groups */
	TMPL_LINT_ESC4,		/* templates folder or file writable by others */
	TMPL_LINT_NO_SID,	/* sid-extension off on a client-auth template */
	TMPL_LINT_UNRESOLVED,	/* names outside the directory + client auth */
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
	bool subject_email;		/* E=<mail> after a directory subject (Name-Flag 0x20000000) */
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

	/* Re-enrollment requirements (renewal = ...) */
	enum tmpl_renewal renewal;
	/*
	 * RFC 7030 §3.5: the CSR's challengePassword must carry the TLS
	 * channel binding of the connection it arrives on (tls-unique on TLS
	 * 1.2, tls-exporter on TLS 1.3, RFC 9266).
	 */
	bool require_channel_binding;
	/* Names the directory does not resolve may be certified (officers
	 * only; such certificates get no SID). Default no. */
	bool allow_unresolved_names;
};

/* Longest template file accepted (bytes). */
#define TMPL_FILE_MAX (64 * 1024)
/* Longest line in a template file, bytes without the newline (inih's bound). */
#define TMPL_LINE_MAX 199

/*
 * Template OIDs that a file does not give are derived from the name under
 * this arc: TMPL_OID_ARC.<a>.<b>, a and b from SHA-256("entca-template:" ||
 * name). AD CS allocates a random per-forest arc under Microsoft's template
 * arc 1.3.6.1.4.1.311.21.8 the same way; entca's forest-like arc is fixed
 * (its six numbers are the first 6 x 24 bits of SHA-256("entca")) so every
 * installation derives the same OID for the same name. Built-ins use
 * TMPL_OID_ARC.1.<n> with AD CS's sample-forest numbers (.1.1 User, ...).
 */
#define TMPL_OID_ARC "1.3.6.1.4.1.311.21.8.10575116.7232500.7058481.7092684.15458454.10990837"

/*
 * Fill t with the defaults of a template file that names only its display
 * name: compatibility 2003/2003, validity 1 year, renewal 6 weeks, RSA 2048,
 * SHA-256, signature-and-encryption, subject from the directory (common
 * name, SAN UPN), digital-signature + key-encipherment (critical), SID
 * extension on, version 100.0, no ACEs. Any thread.
 */
void template_defaults(struct template *t);

/*
 * Parse one template file held in text[0..len) (need not be NUL-terminated;
 * at most TMPL_FILE_MAX bytes). name_for_errors names the file in messages
 * ("template NAME line N: key: expected ..., got ..."). On CA_OK *out is
 * filled (defaults, then the file, then derived values). Returns CA_EPARSE
 * with one sentence in why for any problem, CA_ETOOBIG for an oversized file.
 * Does not lint (see template_lint). Any thread; no allocation kept.
 */
int template_parse_buf(const char *name_for_errors, const char *text,
    size_t len, struct template *out, char *why, size_t whylen);

/*
 * Read and parse the template file at path (messages name its basename).
 * Returns CA_OK, CA_EIO if it cannot be read, or template_parse_buf's codes.
 */
int template_parse_file(const char *path, struct template *out, char *why,
    size_t whylen);

/*
 * Write t as a complete, commented template file: every property
 * explicitly, so template_parse_buf of the text gives t back. On CA_OK
 * *out_text is a NUL-terminated malloc'd string the caller frees with
 * free(). Returns CA_ENOMEM, or CA_EINVAL if t holds a value the file
 * syntax cannot carry (for example a line over TMPL_LINE_MAX).
 */
int template_write(const struct template *t, char **out_text);

/*
 * Parse one `PRINCIPAL : right, right` value (split at the last ':') into
 * out, with out->deny = deny. Right i of right_names sets bit 1u << i;
 * names match case-insensitively. The principal is a SID (checked to be
 * S-1-<authority>-<sub>...), a DN (contains '=') or an account name.
 * Returns CA_OK or CA_EPARSE with why saying what was expected (no file or
 * line: the caller adds them). Shared with the CA's own [security] list.
 */
int template_parse_ace(const char *value, bool deny,
    const char *const *right_names, size_t n_right_names,
    struct tmpl_ace *out, char *why, size_t whylen);

/* The template right names, index i = bit 1u << i (read, enroll, autoenroll). */
extern const char *const tmpl_right_names[3];

/*
 * Check t against the dangerous patterns of enum tmpl_lint (ESC1, ESC2,
 * ESC3, ESC4, NO_SID) and the compatibility bounds. path, when not NULL, is
 * the template file: it and its folder must not be writable by group or
 * others (ESC4; checked with stat). A rule named in t->lint_overrides is
 * skipped. Returns CA_OK, CA_EPOLICY with the first finding in why, or
 * CA_EIO if path cannot be stat'ed. Any thread.
 */
int template_lint(const struct template *t, const char *path, char *why,
    size_t whylen);

/* The file name of a lint rule ("esc1", ..., "no-sid"); NULL if out of range. */
const char *template_lint_name(enum tmpl_lint rule);

/*
 * The built-in template named name (cn, e.g. "User", "Machine"; the
 * display name and "Computer" also match, case-insensitively), or NULL.
 * Returns a pointer to static read-only data; any thread.
 */
const struct template *template_builtin_get(const char *name);

/*
 * Copy from into out as AD CS's Duplicate Template does: display_name
 * set, name = display_name without spaces, OID derived from the new name,
 * version 100.0, schema version from the compatibility (at least 2);
 * everything else (security included) kept. Returns CA_OK, or CA_EINVAL
 * with why when the display name cannot make a valid template.
 */
int template_duplicate(const struct template *from, const char *display_name,
    struct template *out, char *why, size_t whylen);

/* Number of built-in templates, and the i-th (static; NULL past the end). */
size_t template_builtin_count(void);
const struct template *template_builtin_at(size_t i);

#endif

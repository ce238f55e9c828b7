/*
 * The built-in templates: AD CS's default templates as Windows Server 2008
 * and later install them (MS-CRTD note <42>,
 * §7), the starting points for `entca template duplicate`. Their security
 * is AD CS's default (Write is not a template right in entca and is left
 * out). Static read-only data; any thread.
 *
 * SmartcardLogon and KerberosAuthentication are not in adcs.md §7; their
 * values follow the same MS-CRTD defaults list as publicly reported (e.g.
 * by Certipy's find output). XXX: revision numbers of those two are not
 * from a primary source.
 */
#include <string.h>
#include <strings.h>

#include "templates/template.h"
#include "templates/template_names.h"
#include "templates/template_value.h"

#define OID(n) TMPL_OID_ARC ".1." #n
#define EFS "1.3.6.1.4.1.311.10.3.4"
#define EMAIL "1.3.6.1.5.5.7.3.4"
#define CLIENT TMPL_OID_CLIENT_AUTH
#define SERVER "1.3.6.1.5.5.7.3.1"
#define KDC "1.3.6.1.5.2.3.5"
#define DS_KE (TMPL_KU_DIGITAL_SIGNATURE | TMPL_KU_KEY_ENCIPHERMENT)

#define R TMPL_RIGHT_READ
#define E TMPL_RIGHT_ENROLL
#define A TMPL_RIGHT_AUTOENROLL

/* Authenticated Users read; Domain and Enterprise Admins read + enroll. */
#define ADMIN_ACES \
	{ false, "Authenticated Users", R }, \
	{ false, "Domain Admins", R | E }, \
	{ false, "Enterprise Admins", R | E }

/* Fields every default template shares (6-week overlap, ...); v1 ones add schema 1. */
#define COMMON_ANY \
	.renewal_seconds = 6 * TMPL_SECONDS_WEEK, \
	.compat_ca = TMPL_COMPAT_2003, .compat_recipient = TMPL_COMPAT_2003, \
	.key_algorithms = TMPL_KEY_RSA, .hash = TMPL_HASH_SHA256, \
	.key_usage_critical = true, .sid_extension = true, .path_len = -1
#define COMMON COMMON_ANY, .schema_version = 1, .minor_version = 1

static const struct template builtins[] = {
	{
		COMMON,
		.name = "User", .display_name = "User", .oid = OID(1),
		.major_version = 3, .validity_seconds = TMPL_SECONDS_YEAR,
		.publish_to_directory = true,	/* Enrollment-Flag 0x8 */
		.purpose = TMPL_PURPOSE_SIGNATURE_AND_ENCRYPTION,
		.allow_private_key_export = true, .min_key_size = 2048,
		/* Name-Flag 0xA6000000: DN + E in the subject, SAN UPN + e-mail. */
		.subject = TMPL_SUBJECT_FROM_DIRECTORY,
		.subject_format = TMPL_SUBJFMT_DN, .subject_email = true,
		.san = TMPL_SAN_UPN | TMPL_SAN_EMAIL,
		.n_policies = 3, .policies = { EFS, EMAIL, CLIENT },
		.key_usage = DS_KE,
		.n_aces = 4,
		.aces = { ADMIN_ACES, { false, "Domain Users", E } },
	},
	{
		COMMON,
		.name = "Machine", .display_name = "Computer", .oid = OID(14),
		.major_version = 5, .validity_seconds = TMPL_SECONDS_YEAR,
		.purpose = TMPL_PURPOSE_SIGNATURE_AND_ENCRYPTION,
		.min_key_size = 2048,
		/* Name-Flag 0x18000000: CN = dNSHostName, SAN DNS. */
		.subject = TMPL_SUBJECT_FROM_DIRECTORY,
		.subject_format = TMPL_SUBJFMT_DNS, .san = TMPL_SAN_DNS,
		.n_policies = 2, .policies = { CLIENT, SERVER },
		.key_usage = DS_KE,
		.n_aces = 4,
		.aces = { ADMIN_ACES, { false, "Domain Computers", E } },
	},
	{
		COMMON,
		.name = "WebServer", .display_name = "Web Server", .oid = OID(16),
		.major_version = 4, .validity_seconds = 2 * TMPL_SECONDS_YEAR,
		.purpose = TMPL_PURPOSE_SIGNATURE_AND_ENCRYPTION,
		.min_key_size = 2048,
		.subject = TMPL_SUBJECT_SUPPLY_IN_REQUEST,
		.n_policies = 1, .policies = { SERVER },
		.key_usage = DS_KE,
		.n_aces = 3, .aces = { ADMIN_ACES },
	},
	{
		COMMON,
		.name = "SubCA", .display_name = "Subordinate Certification Authority",
		.oid = OID(18),
		.major_version = 5, .validity_seconds = 5 * TMPL_SECONDS_YEAR,
		.purpose = TMPL_PURPOSE_SIGNATURE,	/* KeySpec 2 */
		.allow_private_key_export = true, .min_key_size = 1024,
		.subject = TMPL_SUBJECT_SUPPLY_IN_REQUEST,
		.n_policies = 0,		/* unrestricted */
		.key_usage = TMPL_KU_DIGITAL_SIGNATURE | TMPL_KU_KEY_CERT_SIGN |
		    TMPL_KU_CRL_SIGN,
		.ca = true,
		/* No EKU is ESC2 by entca's rule: admins only, so say so. */
		.lint_overrides = 1u << TMPL_LINT_ESC2,
		.n_aces = 3, .aces = { ADMIN_ACES },
	},
	{
		COMMON,
		.name = "ExchangeUser", .display_name = "Exchange User",
		.oid = OID(23),
		.major_version = 7, .validity_seconds = TMPL_SECONDS_YEAR,
		.purpose = TMPL_PURPOSE_ENCRYPTION,	/* pKIKeyUsage 20 */
		.allow_private_key_export = true, .min_key_size = 2048,
		.subject = TMPL_SUBJECT_SUPPLY_IN_REQUEST,
		.n_policies = 1, .policies = { EMAIL },
		.key_usage = TMPL_KU_KEY_ENCIPHERMENT,
		.n_aces = 3, .aces = { ADMIN_ACES },
	},
	{
		COMMON,
		.name = "ExchangeUserSignature",
		.display_name = "Exchange Signature Only", .oid = OID(24),
		.major_version = 6, .validity_seconds = TMPL_SECONDS_YEAR,
		.purpose = TMPL_PURPOSE_SIGNATURE,	/* KeySpec 2 */
		.min_key_size = 2048,
		.subject = TMPL_SUBJECT_SUPPLY_IN_REQUEST,
		.n_policies = 1, .policies = { EMAIL },
		.key_usage = TMPL_KU_DIGITAL_SIGNATURE,
		.n_aces = 3, .aces = { ADMIN_ACES },
	},
	{
		COMMON,
		.name = "SmartcardLogon", .display_name = "Smartcard Logon",
		.oid = OID(5),
		.major_version = 6, .validity_seconds = TMPL_SECONDS_YEAR,
		.purpose = TMPL_PURPOSE_SIGNATURE_AND_ENCRYPTION,
		.min_key_size = 2048,
		/* Name-Flag 0x82000000: DN subject, SAN UPN. */
		.subject = TMPL_SUBJECT_FROM_DIRECTORY,
		.subject_format = TMPL_SUBJFMT_DN, .san = TMPL_SAN_UPN,
		.n_policies = 2, .policies = { CLIENT, TMPL_OID_SMARTCARD },
		.key_usage = DS_KE,
		.n_aces = 3, .aces = { ADMIN_ACES },
	},
	{
		COMMON_ANY,
		.schema_version = 2, .minor_version = 0,
		.name = "KerberosAuthentication",
		.display_name = "Kerberos Authentication", .oid = OID(33),
		.major_version = 110, .validity_seconds = TMPL_SECONDS_YEAR,
		.purpose = TMPL_PURPOSE_SIGNATURE_AND_ENCRYPTION,
		.min_key_size = 2048,
		/* Name-Flag 0x08400000: empty subject, SAN DNS (+ domain DNS). */
		.subject = TMPL_SUBJECT_FROM_DIRECTORY,
		.subject_format = TMPL_SUBJFMT_NONE, .san = TMPL_SAN_DNS,
		.n_policies = 4,
		.policies = { CLIENT, SERVER, TMPL_OID_SMARTCARD, KDC },
		.key_usage = DS_KE,
		.n_aces = 5,
		.aces = { ADMIN_ACES,
		    { false, "Domain Controllers", R | E | A },
		    { false, "Enterprise Domain Controllers", R | E | A } },
	},
};

#define N_BUILTINS (sizeof(builtins) / sizeof(builtins[0]))

/* See template.h. */
const struct template *
template_builtin_get(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < N_BUILTINS; i++)
		if (strcasecmp(builtins[i].name, name) == 0 ||
		    strcasecmp(builtins[i].display_name, name) == 0)
			return &builtins[i];
	return NULL;
}

/* See template.h. */
size_t
template_builtin_count(void)
{
	return N_BUILTINS;
}

/* See template.h. */
const struct template *
template_builtin_at(size_t i)
{
	return i < N_BUILTINS ? &builtins[i] : NULL;
}

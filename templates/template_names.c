/*
 * The words of the template file syntax and their values (see
 * template_names.h). Static tables and pure lookups; any thread.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "templates/template_names.h"

const char *const tmpl_compat_names[TMPL_COMPAT_COUNT] = {
	"2003", "2008", "2008R2", "2012", "2012R2", "2016",
};

const char *const tmpl_purpose_names[TMPL_PURPOSE_COUNT] = {
	"signature", "encryption", "signature-and-encryption",
};

const char *const tmpl_hash_names[TMPL_HASH_COUNT] = {
	"sha256", "sha384", "sha512",
};

const char *const tmpl_subject_names[TMPL_SUBJECT_COUNT] = {
	"supply-in-request", "from-directory",
};

const char *const tmpl_subjfmt_names[TMPL_SUBJFMT_COUNT] = {
	"none", "common-name", "upn", "dn", "email", "dns", "device-id",
};

const char *const tmpl_lint_names[TMPL_LINT_COUNT] = {
	"esc1", "esc2", "esc3", "esc4", "no-sid", "unresolved-names",
};

const char *const tmpl_renewal_names[TMPL_RENEWAL_COUNT] = {
	"same-as-enrollment", "valid-certificate-suffices",
};

const char *const tmpl_right_names[3] = { "read", "enroll", "autoenroll" };

const struct tmpl_bitname tmpl_keyalg_names[] = {
	{ "rsa", TMPL_KEY_RSA },
	{ "ecdsa-p256", TMPL_KEY_ECDSA_P256 },
	{ "ecdsa-p384", TMPL_KEY_ECDSA_P384 },
};
const size_t tmpl_keyalg_count =
    sizeof(tmpl_keyalg_names) / sizeof(tmpl_keyalg_names[0]);

const struct tmpl_bitname tmpl_san_names[] = {
	{ "upn", TMPL_SAN_UPN },
	{ "email", TMPL_SAN_EMAIL },
	{ "dns", TMPL_SAN_DNS },
	{ "sid-url", TMPL_SAN_SID_URL },
};
const size_t tmpl_san_count = sizeof(tmpl_san_names) / sizeof(tmpl_san_names[0]);

/* RFC 5280 §4.2.1.3 bits, in the order the certificate dialog lists them. */
const struct tmpl_bitname tmpl_ku_names[] = {
	{ "digital-signature", TMPL_KU_DIGITAL_SIGNATURE },
	{ "non-repudiation", TMPL_KU_NON_REPUDIATION },
	{ "key-encipherment", TMPL_KU_KEY_ENCIPHERMENT },
	{ "data-encipherment", TMPL_KU_DATA_ENCIPHERMENT },
	{ "key-agreement", TMPL_KU_KEY_AGREEMENT },
	{ "key-cert-sign", TMPL_KU_KEY_CERT_SIGN },
	{ "crl-sign", TMPL_KU_CRL_SIGN },
};
const size_t tmpl_ku_count = sizeof(tmpl_ku_names) / sizeof(tmpl_ku_names[0]);

/* Microsoft's application policy OIDs. */
const struct tmpl_ekuname tmpl_eku_names[] = {
	{ "client-auth", TMPL_OID_CLIENT_AUTH },
	{ "server-auth", "1.3.6.1.5.5.7.3.1" },
	{ "code-signing", "1.3.6.1.5.5.7.3.3" },
	{ "secure-email", "1.3.6.1.5.5.7.3.4" },
	{ "ipsec-end-system", "1.3.6.1.5.5.7.3.5" },
	{ "ipsec-tunnel", "1.3.6.1.5.5.7.3.6" },
	{ "ipsec-user", "1.3.6.1.5.5.7.3.7" },
	{ "time-stamping", "1.3.6.1.5.5.7.3.8" },
	{ "ocsp-signing", "1.3.6.1.5.5.7.3.9" },
	{ "efs", "1.3.6.1.4.1.311.10.3.4" },
	{ "efs-recovery", "1.3.6.1.4.1.311.10.3.4.1" },
	{ "document-signing", "1.3.6.1.4.1.311.10.3.12" },
	{ "smartcard-logon", TMPL_OID_SMARTCARD },
	{ "certificate-request-agent", TMPL_OID_CRA },
	{ "kdc-auth", "1.3.6.1.5.2.3.5" },
	{ "pkinit-client", TMPL_OID_PKINIT_CLIENT },
	{ "any-purpose", TMPL_OID_ANY_PURPOSE },
	{ "ipsec-ike-intermediate", "1.3.6.1.5.5.8.2.2" },
	{ "key-recovery-agent", "1.3.6.1.4.1.311.21.6" },
	{ "private-key-archival", "1.3.6.1.4.1.311.21.5" },
	{ "ds-email-replication", "1.3.6.1.4.1.311.21.19" },
};
const size_t tmpl_eku_count = sizeof(tmpl_eku_names) / sizeof(tmpl_eku_names[0]);

/* Linear search: the tables have at most a few dozen entries. */
int
tmpl_name_index(const char *const *table, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (table[i] != NULL && strcasecmp(table[i], s) == 0)
			return (int)i;
	return -1;
}

/* Look a mask word up; 0 means unknown (no table has a zero bit). */
uint32_t
tmpl_bit_lookup(const struct tmpl_bitname *table, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(table[i].name, s) == 0)
			return table[i].bit;
	return 0;
}

/* Friendly name first, then a dotted OID taken as is. */
const char *
tmpl_eku_oid(const char *name_or_oid)
{
	for (size_t i = 0; i < tmpl_eku_count; i++)
		if (strcasecmp(tmpl_eku_names[i].name, name_or_oid) == 0)
			return tmpl_eku_names[i].oid;
	return tmpl_oid_valid(name_or_oid) ? name_or_oid : NULL;
}

/* Reverse lookup for the writer. */
const char *
tmpl_eku_friendly(const char *oid)
{
	for (size_t i = 0; i < tmpl_eku_count; i++)
		if (strcmp(tmpl_eku_names[i].oid, oid) == 0)
			return tmpl_eku_names[i].name;
	return NULL;
}

/*
 * X.660: at least two arcs, decimal without leading zeros, the first 0..2
 * and the second below 40 under 0 and 1. Arcs may be long (2.25 UUIDs).
 */
int
tmpl_oid_valid(const char *s)
{
	size_t len = strlen(s), arcs = 0;
	const char *p = s;

	if (len == 0 || len >= TMPL_OID_MAX)
		return 0;
	while (*p != '\0') {
		const char *start = p;

		while (isdigit((unsigned char)*p))
			p++;
		if (p == start || (*start == '0' && p - start > 1))
			return 0;
		if (arcs == 0 && (p - start != 1 || *start > '2'))
			return 0;
		if (arcs == 1 && s[0] != '2' &&
		    (p - start > 2 || strtoul(start, NULL, 10) >= 40))
			return 0;
		arcs++;
		if (*p == '.') {
			p++;
			if (*p == '\0')
				return 0;
		} else if (*p != '\0')
			return 0;
	}
	return arcs >= 2;
}

/*
 * MS-DTYP §2.4.2.1: S-1-<authority>(-<subauthority>){0,15}, decimal; an
 * authority of 2^32 or more is written 0x and 12 hex digits.
 */
int
tmpl_sid_valid(const char *s)
{
	const char *p;
	size_t subs = 0;

	if (strncasecmp(s, "S-1-", 4) != 0)
		return 0;
	p = s + 4;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		for (int i = 2; i < 14; i++)
			if (!isxdigit((unsigned char)p[i]))
				return 0;
		p += 14;
		if (*p == '\0')
			return 1;
		if (*p != '-')
			return 0;
		p++;
		subs = 1;
	}
	for (;;) {
		const char *start = p;

		while (isdigit((unsigned char)*p))
			p++;
		if (p == start || p - start > 15)
			return 0;
		if (start != s + 4 && (p - start > 10 ||
		    strtoull(start, NULL, 10) > 0xffffffffULL))
			return 0;
		if (*p == '\0')
			break;
		if (*p != '-')
			return 0;
		p++;
		if (++subs > 15)
			return 0;
	}
	return 1;
}

/*
 * Unit tests for the AD import (templates/template_ldif.c, template_sd.c,
 * template_import.c): the fixture tests/fixtures/templates/ad-export.ldif,
 * built by make-ad-export.py from the MS-CRTD and MS-DTYP layouts, is
 * imported and compared field by field; LDIF and descriptor edge cases;
 * writing the files and loading them back as a set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/error.h"
#include "templates/template.h"
#include "templates/template_import.h"
#include "templates/template_sd.h"
#include "templates/template_set.h"
#include "tests/unit/test_tmpdir.h"

#define DOM "S-1-5-21-3623811015-3361044348-30300820"
#define OID_BASE "1.3.6.1.4.1.311.21.8.11034890.834619.12601478.16236816.7255827.176"
#define EFS "1.3.6.1.4.1.311.10.3.4"
#define EMAIL "1.3.6.1.5.5.7.3.4"
#define CLIENT "1.3.6.1.5.5.7.3.2"
#define SERVER "1.3.6.1.5.5.7.3.1"
#define SMARTCARD "1.3.6.1.4.1.311.20.2.2"
#define CRA "1.3.6.1.4.1.311.20.2.1"
#define DAY 86400LL
#define R TMPL_RIGHT_READ
#define E TMPL_RIGHT_ENROLL
#define A TMPL_RIGHT_AUTOENROLL

/* Path of the fixture, from the harness's top_srcdir or the build's own. */
static void
fixture(char *buf, size_t len)
{
	const char *top = getenv("top_srcdir");

	snprintf(buf, len, "%s/tests/fixtures/templates/ad-export.ldif",
	    top != NULL ? top : TOP_SRCDIR);
}

static struct template_import_item *items;
static size_t n_items;

/* Import the fixture once for the field tests. */
static int
load(void **state)
{
	char path[1024], why[CA_WHY_MAX], *buf;
	FILE *f;
	long len;

	(void)state;
	fixture(path, sizeof(path));
	f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len);
	if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len)
		return -1;
	fclose(f);
	if (template_import_ldif_buf("ad-export.ldif", buf, (size_t)len, &items,
	    &n_items, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "%s\n", why);
		return -1;
	}
	free(buf);
	return 0;
}

/* Free the imported items. */
static int
unload(void **state)
{
	(void)state;
	free(items);
	return 0;
}

/* The imported template named cn (which must have converted). */
static const struct template *
get(const char *cn)
{
	for (size_t i = 0; i < n_items; i++)
		if (strcmp(items[i].t.name, cn) == 0) {
			if (items[i].rc != CA_OK)
				fail_msg("%s: %s", cn, items[i].why);
			return &items[i].t;
		}
	fail_msg("%s not imported", cn);
	return NULL;
}

/* Check ACE i. */
static void
ace_is(const struct template *t, size_t i, const char *who, bool deny,
    uint32_t rights)
{
	assert_true(i < t->n_aces);
	assert_string_equal(t->aces[i].principal, who);
	assert_int_equal(t->aces[i].deny, deny);
	assert_int_equal(t->aces[i].rights, rights);
}

/* Lint sentence of t, or "" when clean. */
static const char *
lint(const struct template *t)
{
	static char why[CA_WHY_MAX];

	why[0] = '\0';
	template_lint(t, NULL, why, sizeof(why));
	return why;
}

/* Seven template objects; the container and the search result are skipped. */
static void
test_count(void **state)
{
	(void)state;
	assert_int_equal(n_items, 7);
}

/* PKCSIntune: the walkthrough's template as AD stores it. */
static void
test_pkcsintune(void **state)
{
	const struct template *t = get("PKCSIntune");

	(void)state;
	assert_string_equal(t->display_name, "PKCS Intune");
	assert_int_equal(t->schema_version, 2);
	assert_int_equal(t->major_version, 100);
	assert_int_equal(t->minor_version, 3);
	assert_string_equal(t->oid, OID_BASE ".3952711.9138562");
	assert_int_equal(t->validity_seconds, 365 * DAY);
	assert_int_equal(t->renewal_seconds, 42 * DAY);
	assert_false(t->publish_to_directory);
	assert_int_equal(t->compat_ca, TMPL_COMPAT_2008R2);
	assert_int_equal(t->compat_recipient, TMPL_COMPAT_2008R2);
	assert_int_equal(t->purpose, TMPL_PURPOSE_SIGNATURE_AND_ENCRYPTION);
	assert_true(t->allow_private_key_export);
	assert_false(t->server_key_generation);
	assert_int_equal(t->key_algorithms, TMPL_KEY_RSA);
	assert_int_equal(t->min_key_size, 2048);
	assert_int_equal(t->hash, TMPL_HASH_SHA256);
	assert_int_equal(t->subject, TMPL_SUBJECT_SUPPLY_IN_REQUEST);
	assert_int_equal(t->subject_format, TMPL_SUBJFMT_NONE);
	assert_int_equal(t->san, 0);
	assert_int_equal(t->n_policies, 3);
	assert_string_equal(t->policies[0], EFS);
	assert_string_equal(t->policies[1], EMAIL);
	assert_string_equal(t->policies[2], CLIENT);
	assert_false(t->eku_critical);
	assert_int_equal(t->key_usage, TMPL_KU_DIGITAL_SIGNATURE | TMPL_KU_KEY_ENCIPHERMENT);
	assert_true(t->key_usage_critical);
	assert_true(t->sid_extension);
	assert_false(t->ca);
	assert_int_equal(t->path_len, -1);
	assert_false(t->require_approval);
	assert_int_equal(t->authorized_signatures, 0);
	assert_int_equal(t->n_supersedes, 0);
	assert_int_equal(t->n_aces, 3);
	ace_is(t, 0, "S-1-5-11", false, R);
	ace_is(t, 1, DOM "-512", false, R | E | A);	/* Full Control */
	ace_is(t, 2, DOM "-1609", false, E | R);	/* object ACE + read */
	assert_string_equal(lint(t), "");
}

/* User (schema 1, ldifde style): directory subject, inherit-only ACE skipped. */
static void
test_user(void **state)
{
	const struct template *t = get("User");

	(void)state;
	assert_int_equal(t->schema_version, 1);
	assert_int_equal(t->major_version, 3);
	assert_int_equal(t->minor_version, 1);
	assert_true(t->publish_to_directory);
	assert_true(t->allow_private_key_export);
	assert_int_equal(t->compat_ca, TMPL_COMPAT_2003);
	assert_int_equal(t->compat_recipient, TMPL_COMPAT_2003);
	assert_int_equal(t->subject, TMPL_SUBJECT_FROM_DIRECTORY);
	assert_int_equal(t->subject_format, TMPL_SUBJFMT_DN);
	/* Name-Flag 0xA6000000 keeps "e-mail in subject" (issue 12 item 8). */
	assert_true(t->subject_email);
	assert_int_equal(t->san, TMPL_SAN_UPN | TMPL_SAN_EMAIL);
	assert_int_equal(t->n_policies, 3);
	assert_int_equal(t->key_usage, 0xa0);
	assert_int_equal(t->n_aces, 4);
	ace_is(t, 0, DOM "-513", false, E);
	ace_is(t, 1, "S-1-5-11", false, R);
	ace_is(t, 2, DOM "-512", false, R | E);
	ace_is(t, 3, DOM "-519", false, R | E);
	assert_string_equal(lint(t), "");
	/* The same values as the built-in User where AD's defaults agree. */
	assert_int_equal(t->key_usage, template_builtin_get("User")->key_usage);
	assert_int_equal(t->san, template_builtin_get("User")->san);
}

/* VulnWeb: the ESC1 pattern survives import and lint names it. */
static void
test_vulnweb(void **state)
{
	const struct template *t = get("VulnWeb");

	(void)state;
	assert_string_equal(t->display_name, "Vuln Web");
	assert_int_equal(t->validity_seconds, 730 * DAY);
	assert_int_equal(t->renewal_seconds, 14 * DAY);
	assert_int_equal(t->compat_ca, TMPL_COMPAT_2008);
	assert_int_equal(t->compat_recipient, TMPL_COMPAT_2003);
	assert_int_equal(t->min_key_size, 4096);
	assert_int_equal(t->n_policies, 2);
	assert_string_equal(t->policies[0], CLIENT);
	assert_string_equal(t->policies[1], SERVER);
	assert_false(t->publish_to_directory);
	assert_false(t->key_usage_critical);
	assert_int_equal(t->n_aces, 3);
	ace_is(t, 0, DOM "-1105", true, E);
	ace_is(t, 1, DOM "-513", false, E | A);
	ace_is(t, 2, "S-1-1-0", false, R);
	assert_non_null(strstr(lint(t), "ESC1: client authentication (client-auth)"
	    " + subject supply-in-request + enroll for " DOM "-513"));
}

/* EccApproval: schema 4 triplets, approval, no SID extension, UTF-8 name. */
static void
test_ecc(void **state)
{
	const struct template *t = get("EccApproval");

	(void)state;
	assert_string_equal(t->display_name, "Zertifikat f\xc3\xbcr Ger\xc3\xa4te ECC");
	assert_int_equal(t->schema_version, 4);
	assert_int_equal(t->major_version, 101);
	assert_int_equal(t->minor_version, 7);
	assert_int_equal(t->validity_seconds, 14 * DAY);
	assert_int_equal(t->renewal_seconds, 2 * DAY);
	assert_int_equal(t->compat_ca, TMPL_COMPAT_2016);
	assert_int_equal(t->compat_recipient, TMPL_COMPAT_2016);
	assert_int_equal(t->key_algorithms, TMPL_KEY_ECDSA_P384);
	assert_int_equal(t->hash, TMPL_HASH_SHA384);
	assert_int_equal(t->min_key_size, 2048);	/* 384 is ECC bits */
	assert_int_equal(t->purpose, TMPL_PURPOSE_SIGNATURE);
	assert_int_equal(t->key_usage, TMPL_KU_DIGITAL_SIGNATURE);
	assert_true(t->key_usage_critical);
	assert_true(t->eku_critical);
	assert_true(t->require_approval);
	assert_false(t->sid_extension);
	assert_false(t->allow_private_key_export);
	assert_int_equal(t->subject, TMPL_SUBJECT_FROM_DIRECTORY);
	assert_int_equal(t->subject_format, TMPL_SUBJFMT_CN_USERNAME);
	assert_int_equal(t->san, TMPL_SAN_UPN | TMPL_SAN_DNS);
	assert_int_equal(t->n_policies, 1);
	assert_int_equal(t->n_supersedes, 2);
	assert_string_equal(t->supersedes[0], "User");
	assert_string_equal(t->supersedes[1], "OldEcc");
	assert_string_equal(t->ra_policy, "");
	assert_int_equal(t->n_aces, 2);
	ace_is(t, 0, DOM "-1121", true, E | A);
	ace_is(t, 1, DOM "-1120", false, A | E | R);
	assert_non_null(strstr(lint(t), "no-sid: sid-extension = no"));
}

/* SubCAExport: IS_CA, path length, no EKU (ESC2 for its enrollers). */
static void
test_subca(void **state)
{
	const struct template *t = get("SubCAExport");

	(void)state;
	assert_true(t->ca);
	assert_int_equal(t->path_len, 1);
	assert_int_equal(t->key_usage, 0x86);
	assert_int_equal(t->validity_seconds, 5 * 365 * DAY);
	assert_int_equal(t->purpose, TMPL_PURPOSE_SIGNATURE);
	assert_int_equal(t->n_policies, 0);
	assert_int_equal(t->min_key_size, 4096);
	assert_int_equal(t->n_aces, 3);
	ace_is(t, 0, DOM "-512", false, R | E | A);
	ace_is(t, 1, DOM "-519", false, R | E | A);
	assert_non_null(strstr(lint(t), "ESC2: no application policy (EKU) on a "
	    "template that " DOM "-512 may enroll in"));
}

/* OnBehalfUser: agent signature and policy; OID derived when AD has none. */
static void
test_onbehalf(void **state)
{
	const struct template *t = get("OnBehalfUser");

	(void)state;
	assert_int_equal(t->authorized_signatures, 1);
	assert_string_equal(t->ra_policy, CRA);
	assert_int_equal(strncmp(t->oid, TMPL_OID_ARC ".", strlen(TMPL_OID_ARC) + 1), 0);
	assert_int_equal(t->subject_format, TMPL_SUBJFMT_DN);
	assert_false(t->subject_email);	/* 0x82000000: no e-mail */
	assert_int_equal(t->san, TMPL_SAN_UPN);
	assert_string_equal(t->policies[1], SMARTCARD);
	assert_false(t->allow_private_key_export);
	assert_int_equal(t->n_aces, 1);
	assert_string_equal(lint(t), "");
}

/* Legacy512: refused on its own, with the object named. */
static void
test_legacy(void **state)
{
	(void)state;
	assert_int_equal(items[6].rc, CA_EPARSE);
	assert_non_null(strstr(items[6].why, "ad-export.ldif line "));
	assert_non_null(strstr(items[6].why, "(CN=Legacy512,CN=Certificate "
	    "Templates,"));
	assert_non_null(strstr(items[6].why, "msPKI-Minimal-Key-Size 512: "
	    "entca accepts 1024..16384"));
}

/* SIDs from MS-DTYP §2.4.2, and malformed ones. */
static void
test_sid(void **state)
{
	static const unsigned char s1[] = { 0x01, 0x05, 0, 0, 0, 0, 0, 0x05,
	    0x15, 0, 0, 0, 0x3a, 0x92, 0x76, 0x04, 0x02, 0x8a, 0xa5, 0x36,
	    0xc5, 0x02, 0x20, 0x2c, 0x52, 0x04, 0, 0 };
	static const unsigned char everyone[] = { 1, 1, 0, 0, 0, 0, 0, 1, 0, 0,
	    0, 0 };
	static const unsigned char bigauth[] = { 1, 0, 1, 2, 3, 4, 5, 6 };
	char out[192];
	size_t used;

	(void)state;
	assert_int_equal(tmpl_sid_format(s1, sizeof(s1), &used, out, sizeof(out)),
	    CA_OK);
	assert_string_equal(out, "S-1-5-21-74879546-916818434-740295365-1106");
	assert_int_equal(used, sizeof(s1));
	assert_int_equal(tmpl_sid_format(everyone, sizeof(everyone), &used, out,
	    sizeof(out)), CA_OK);
	assert_string_equal(out, "S-1-1-0");
	assert_int_equal(tmpl_sid_format(bigauth, sizeof(bigauth), &used, out,
	    sizeof(out)), CA_OK);
	assert_string_equal(out, "S-1-0x010203040506");
	assert_int_equal(tmpl_sid_format(s1, sizeof(s1) - 1, &used, out,
	    sizeof(out)), CA_EPARSE);
	assert_int_equal(tmpl_sid_format(everyone, 7, &used, out, sizeof(out)),
	    CA_EPARSE);
}

/* The FILETIME byte strings of MS-CRTD pKIExpirationPeriod, as validity. */
static void
test_filetime_table(void **state)
{
	static const struct {
		const char *b64;
		long long days;
	} rows[] = {
		{ "AEA5hy7h/v8=", 365 }, { "AIByDl3C/f8=", 730 },
		{ "AEAepOhl+v8=", 1825 }, { "AICmCv/e//8=", 42 },
		{ "AMAb13/6//8=", 7 }, { "AECW1Tb///8=", 1 },
		{ "AIA3rv/0//8=", 14 }, { "AIAsq23+//8=", 2 },
	};
	struct template_import_item *it = NULL;
	char text[512], why[CA_WHY_MAX];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(text, sizeof(text), "dn: cn=P\nobjectClass: "
		    "pKICertificateTemplate\ncn: P\nmsPKI-Certificate-Name-Flag: 1\n"
		    "pKIExpirationPeriod:: %s\npKIOverlapPeriod:: AECW1Tb///8=\n",
		    rows[i].b64);
		assert_int_equal(template_import_ldif_buf("f.ldif", text,
		    strlen(text), &it, &n, why, sizeof(why)), CA_OK);
		assert_int_equal(n, 1);
		if (it[0].rc != CA_OK)
			fail_msg("%s: %s", rows[i].b64, it[0].why);
		assert_int_equal(it[0].t.validity_seconds, rows[i].days * DAY);
		assert_int_equal(it[0].t.renewal_seconds, DAY);
		free(it);
	}
}

/*
 * An export without nTSecurityDescriptor (no SD-flags control, or a
 * reader not allowed to see it) converts, with a warning that says how
 * to export it; an export with one has no warning (issue 12 item 7).
 */
static void
test_no_sd_warns(void **state)
{
	static const char text[] = "dn: cn=P,cn=Certificate Templates\n"
	    "objectClass: pKICertificateTemplate\ncn: P\n"
	    "msPKI-Certificate-Name-Flag: 1\n";
	struct template_import_item *it = NULL;
	char why[CA_WHY_MAX];
	size_t n;

	(void)state;
	assert_int_equal(template_import_ldif_buf("f.ldif", text,
	    strlen(text), &it, &n, why, sizeof(why)), CA_OK);
	assert_int_equal(n, 1);
	assert_int_equal(it[0].rc, CA_OK);
	assert_int_equal(it[0].t.n_aces, 0);
	assert_non_null(strstr(it[0].warning, "f.ldif line 1 "
	    "(cn=P,cn=Certificate Templates): no nTSecurityDescriptor"));
	assert_non_null(strstr(it[0].warning,
	    "-E '1.2.840.113556.1.4.801=::MAMCAQc='"));
	free(it);
	for (size_t i = 0; i < n_items; i++)
		if (strcmp(items[i].t.name, "User") == 0)
			assert_string_equal(items[i].warning, "");
}

/* Descriptor edge cases: NULL DACL, truncation, not self-relative. */
static void
test_sd_edges(void **state)
{
	unsigned char sd[64];
	struct template t;
	char why[CA_WHY_MAX];

	(void)state;
	memset(sd, 0, sizeof(sd));
	sd[0] = 1;
	sd[2] = 0x00; sd[3] = 0x80;	/* self-relative, no DACL */
	template_defaults(&t);
	assert_int_equal(tmpl_sd_to_aces(sd, 20, &t, why, sizeof(why)), CA_OK);
	assert_int_equal(t.n_aces, 1);
	assert_string_equal(t.aces[0].principal, "S-1-1-0");
	assert_int_equal(t.aces[0].rights, R | E | A);
	sd[3] = 0;
	assert_int_equal(tmpl_sd_to_aces(sd, 20, &t, why, sizeof(why)), CA_EPARSE);
	assert_string_equal(why, "nTSecurityDescriptor: expected a self-relative "
	    "descriptor");
	sd[2] = 0x04; sd[3] = 0x80;	/* DACL at 20: 1 ACE claiming 40 bytes */
	sd[16] = 20;
	sd[20] = 4; sd[22] = 28; sd[24] = 1;
	sd[28] = 0; sd[30] = 40;
	assert_int_equal(tmpl_sd_to_aces(sd, 48, &t, why, sizeof(why)), CA_EPARSE);
	assert_string_equal(why, "nTSecurityDescriptor: ACE truncated at DACL "
	    "offset 8");
	sd[16] = 200;
	assert_int_equal(tmpl_sd_to_aces(sd, 48, &t, why, sizeof(why)), CA_EPARSE);
	assert_string_equal(why, "nTSecurityDescriptor: DACL offset 200 outside "
	    "the 48 bytes");
	assert_int_equal(tmpl_sd_to_aces(sd, 10, &t, why, sizeof(why)), CA_EPARSE);
}

/* LDIF syntax errors name the line. */
static void
test_ldif_errors(void **state)
{
	static const struct {
		const char *text;
		const char *why;
	} rows[] = {
		{ "dn: cn=x\n  folded without parent\n", NULL },
		{ " leading continuation\n", "t.ldif: LDIF line 1: continuation "
		    "line without a line to continue" },
		{ "dn: cn=x\nobjectClass: pKICertificateTemplate\ncn:: !!!!\n",
		    "t.ldif: LDIF line 3: cn: bad base64" },
		{ "dn: cn=x\njpegPhoto:< file:///etc/passwd\n", "t.ldif: LDIF line "
		    "2: jpegPhoto: URL values are not supported" },
		{ "dn: cn=x\nno colon here\n", "t.ldif: LDIF line 2: expected "
		    "\"attribute: value\"" },
		{ "dn: cn=x\nbad name!: 1\n", "t.ldif: LDIF line 2: bad attribute "
		    "name \"bad name!\"" },
	};
	struct template_import_item *it = NULL;
	size_t n = 0;
	char why[CA_WHY_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = template_import_ldif_buf("t.ldif", rows[i].text,
		    strlen(rows[i].text), &it, &n, why, sizeof(why));

		if (rows[i].why == NULL) {	/* folding joins; not a template */
			assert_int_equal(rc, CA_OK);
			assert_int_equal(n, 0);
			free(it);
			continue;
		}
		assert_int_equal(rc, CA_EPARSE);
		assert_null(it);
		assert_string_equal(why, rows[i].why);
	}
	/* A bad FILETIME is the object's own error. */
	{
		static const char bad[] = "dn: cn=P\nobjectClass: "
		    "pKICertificateTemplate\ncn: P\nmsPKI-Certificate-Name-Flag: 1\n"
		    "pKIExpirationPeriod:: AEA5hy7hAQA=\n";

		assert_int_equal(template_import_ldif_buf("t.ldif", bad,
		    strlen(bad), &it, &n, why, sizeof(why)), CA_OK);
		assert_int_equal(n, 1);
		assert_int_equal(it[0].rc, CA_EPARSE);
		assert_string_equal(it[0].why, "t.ldif line 1 (cn=P): "
		    "pKIExpirationPeriod or pKIOverlapPeriod: expected an 8-byte "
		    "negative FILETIME interval of whole seconds");
		free(it);
	}
}

/* Import to a folder: files written once, never overwritten, loadable. */
static void
test_import_files(void **state)
{
	char dir[256], path[1024], why[CA_WHY_MAX];
	struct template_import_item *it = NULL;
	struct template_set *set = NULL;
	size_t n = 0, ok = 0;

	(void)state;
	assert_int_equal(t_tmpdir_make(dir, sizeof(dir), "entca-import"), CA_OK);
	assert_int_equal(chmod(dir, 0755), 0);
	fixture(path, sizeof(path));
	assert_int_equal(template_import_ldif(path, dir, &it, &n, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(n, 7);
	for (size_t i = 0; i < n; i++)
		ok += it[i].rc == CA_OK;
	assert_int_equal(ok, 6);
	free(it);
	/* Again: every file exists, nothing is overwritten. */
	assert_int_equal(template_import_ldif(path, dir, &it, &n, why,
	    sizeof(why)), CA_OK);
	assert_int_equal(it[0].rc, CA_EEXIST);
	assert_non_null(strstr(it[0].why, "PKCSIntune.tmpl: File exists (not "
	    "overwritten)"));
	free(it);
	/* The set refuses the dangerous ones until they are fixed. */
	assert_int_equal(template_set_load(dir, &set, why, sizeof(why)), CA_EPOLICY);
	snprintf(path, sizeof(path), "%s/VulnWeb.tmpl", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/EccApproval.tmpl", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/SubCAExport.tmpl", dir);
	unlink(path);
	assert_int_equal(template_set_load(dir, &set, why, sizeof(why)), CA_OK);
	assert_int_equal(template_set_count(set), 3);
	assert_non_null(template_set_find(set, "PKCSIntune"));
	template_set_free(set);
	assert_int_equal(template_import_ldif("/nonexistent.ldif", dir, &it, &n,
	    why, sizeof(why)), CA_EIO);
	assert_int_equal(t_tmpdir_remove(dir), CA_OK);
}

/* xorshift32 for the hostile-input test. */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * Hostile input: 2000 mutations of the fixture (byte changes, cuts,
 * special characters) never crash the importer (run under ASan); every
 * result is either an error sentence or a list of items.
 */
static void
test_mutations(void **state)
{
	char path[1024], why[CA_WHY_MAX], *orig, *m;
	struct template_import_item *it = NULL;
	uint32_t seed = 0xad0e1234u;
	size_t n, len, failed = 0;
	FILE *f;

	(void)state;
	fixture(path, sizeof(path));
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	rewind(f);
	orig = malloc(len);
	m = malloc(len);
	assert_non_null(orig);
	assert_non_null(m);
	assert_int_equal(fread(orig, 1, len, f), len);
	fclose(f);
	for (int i = 0; i < 2000; i++) {
		size_t l = len;
		int rc;

		memcpy(m, orig, len);
		for (int k = 0; k < 6; k++) {
			size_t at = rnd(&seed) % l;

			switch (rnd(&seed) % 3) {
			case 0: m[at] = (char)rnd(&seed); break;
			case 1: if (rnd(&seed) % 8 == 0) l = at + 1; break;
			default: m[at] = ":= \n#`A/+"[rnd(&seed) % 10];
			}
		}
		rc = template_import_ldif_buf("mut.ldif", m, l, &it, &n, why,
		    sizeof(why));
		if (rc != CA_OK) {
			assert_int_equal(strncmp(why, "mut.ldif: ", 10), 0);
			failed++;
			continue;
		}
		for (size_t j = 0; j < n; j++)
			if (it[j].rc != CA_OK)
				assert_non_null(strstr(it[j].why, "mut.ldif line "));
		free(it);
	}
	assert_true(failed < 2000);
	free(m);
	free(orig);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_pkcsintune),
		cmocka_unit_test(test_user),
		cmocka_unit_test(test_vulnweb),
		cmocka_unit_test(test_ecc),
		cmocka_unit_test(test_subca),
		cmocka_unit_test(test_onbehalf),
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_filetime_table),
		cmocka_unit_test(test_sid),
		cmocka_unit_test(test_sd_edges),
		cmocka_unit_test(test_ldif_errors),
		cmocka_unit_test(test_import_files),
		cmocka_unit_test(test_no_sd_warns),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, load, unload);
}

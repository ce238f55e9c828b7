/*
 * Converting AD pKICertificateTemplate objects (LDIF) into entca
 * templates: MS-CRTD attributes and flags (MS-CRTD) mapped
 * onto struct template, then written and parsed back so every result is a
 * valid template file. Also writes template files without overwriting.
 * Per-call state only; any thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "templates/template.h"
#include "templates/template_import.h"
#include "templates/template_keys.h"
#include "templates/template_ldif.h"
#include "templates/template_names.h"
#include "templates/template_sd.h"
#include "templates/template_value.h"

/* msPKI-Enrollment-Flag (MS-CRTD §2.26). */
#define CT_PEND_ALL_REQUESTS		0x00000002u
/* "Valid existing certificate" authorizes reenrollment (MS-CRTD §2.26). */
#define CT_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT	0x00000040u
#define CT_PUBLISH_TO_DS		0x00000008u
#define CT_NO_SECURITY_EXTENSION	0x00080000u
/* msPKI-Private-Key-Flag (§2.27) and its compatibility nibbles. */
#define CT_EXPORTABLE_KEY		0x00000010u
#define CT_SERVER_VERSION(f)		(((f) >> 16) & 0xfu)
#define CT_CLIENT_VERSION(f)		(((f) >> 24) & 0xfu)
/* msPKI-Certificate-Name-Flag (§2.28). */
#define CT_ENROLLEE_SUPPLIES_SUBJECT	0x00000001u
#define CT_SAN_REQUIRE_SPN		0x00800000u
#define CT_SAN_REQUIRE_UPN		0x02000000u
#define CT_SAN_REQUIRE_EMAIL		0x04000000u
#define CT_SAN_REQUIRE_DNS		0x08000000u
#define CT_SUBJECT_DNS_AS_CN		0x10000000u
#define CT_SUBJECT_REQUIRE_EMAIL	0x20000000u
#define CT_SUBJECT_REQUIRE_CN		0x40000000u
#define CT_SUBJECT_DIRECTORY_PATH	0x80000000u
/* flags (§2.4). */
#define CT_FLAG_IS_CA			0x00000080u
#define FILETIME_TICKS			10000000LL	/* 100 ns per second */
#define AT_SIGNATURE			2

struct conv {
	const struct ldif_record *rec;
	struct template *t;
	char *why;
	size_t whylen;
};

/* Integer attribute (signed 32-bit decimal as AD stores it, or unsigned). */
static int
get_u32(const struct ldif_record *rec, const char *name, uint32_t *out)
{
	const struct ldif_attr *a = ldif_get(rec, name);
	char *end;
	long long v;

	if (a == NULL)
		return 0;
	errno = 0;
	v = strtoll((const char *)a->val, &end, 10);
	if (errno != 0 || end == (char *)a->val || *end != '\0' ||
	    v < -2147483648LL || v > 4294967295LL)
		return -1;
	*out = (uint32_t)v;
	return 1;
}

/* An 8-byte negative little-endian FILETIME interval, in whole seconds. */
static int
get_period(const struct ldif_record *rec, const char *name, int64_t *secs)
{
	const struct ldif_attr *a = ldif_get(rec, name);
	uint64_t u = 0;
	int64_t v;

	if (a == NULL)
		return 0;
	if (a->len != 8)
		return -1;
	for (int i = 7; i >= 0; i--)
		u = u << 8 | a->val[i];
	v = (int64_t)u;
	if (v >= 0 || v == INT64_MIN || (-v) % FILETIME_TICKS != 0)
		return -1;
	*secs = -v / FILETIME_TICKS;
	return 1;
}

/* Append an EKU OID unless present. */
static int
add_policy(struct conv *c, const char *attr, const char *oid)
{
	struct template *t = c->t;

	if (!tmpl_oid_valid(oid))
		return ca_why(c->why, c->whylen, CA_EPARSE, "%s: \"%s\" is not "
		    "an OID", attr, oid);
	for (size_t i = 0; i < t->n_policies; i++)
		if (strcmp(t->policies[i], oid) == 0)
			return CA_OK;
	if (t->n_policies >= TMPL_EKU_MAX)
		return ca_why(c->why, c->whylen, CA_ETOOBIG, "%s: more than %d "
		    "policies", attr, TMPL_EKU_MAX);
	snprintf(t->policies[t->n_policies++], TMPL_OID_MAX, "%s", oid);
	return CA_OK;
}

/*
 * msPKI-RA-Application-Policies: an OID (schema 1/2) or, from schema 3,
 * backtick triplets Name`Type`Value` that also carry the key algorithm
 * and hash (MS-CRTD §2.23).
 */
static int
ra_app_policies(struct conv *c, const char *v)
{
	struct template *t = c->t;
	char buf[1024], *f[3], *p, *save = NULL;

	if (strchr(v, '`') == NULL) {
		if (tmpl_oid_valid(v))
			snprintf(t->ra_policy, sizeof(t->ra_policy), "%s", v);
		return CA_OK;
	}
	if (strlen(v) >= sizeof(buf))
		return ca_why(c->why, c->whylen, CA_ETOOBIG,
		    "msPKI-RA-Application-Policies: value too long");
	snprintf(buf, sizeof(buf), "%s", v);
	p = strtok_r(buf, "`", &save);
	while (p != NULL) {
		f[0] = p;
		f[1] = strtok_r(NULL, "`", &save);
		f[2] = f[1] != NULL ? strtok_r(NULL, "`", &save) : NULL;
		if (f[2] == NULL)
			break;
		if (strcasecmp(f[0], "msPKI-Asymmetric-Algorithm") == 0) {
			if (strcasecmp(f[2], "RSA") == 0)
				t->key_algorithms = TMPL_KEY_RSA;
			else if (strcasecmp(f[2], "ECDSA_P256") == 0 ||
			    strcasecmp(f[2], "ECDH_P256") == 0)
				t->key_algorithms = TMPL_KEY_ECDSA_P256;
			else if (strcasecmp(f[2], "ECDSA_P384") == 0 ||
			    strcasecmp(f[2], "ECDH_P384") == 0)
				t->key_algorithms = TMPL_KEY_ECDSA_P384;
			else
				return ca_why(c->why, c->whylen, CA_EPARSE,
				    "key algorithm %s is not supported (rsa, "
				    "ecdsa-p256, ecdsa-p384)", f[2]);
		} else if (strcasecmp(f[0], "msPKI-Hash-Algorithm") == 0) {
			int h = -1;

			if (strcasecmp(f[2], "SHA384") == 0)
				h = TMPL_HASH_SHA384;
			else if (strcasecmp(f[2], "SHA512") == 0)
				h = TMPL_HASH_SHA512;
			/* SHA256, and SHA1 which entca does not sign with. */
			t->hash = h >= 0 ? (enum tmpl_hash)h : TMPL_HASH_SHA256;
		} else if (strcasecmp(f[0], "msPKI-RA-Application-Policies") == 0 &&
		    tmpl_oid_valid(f[2]))
			snprintf(t->ra_policy, sizeof(t->ra_policy), "%s", f[2]);
		p = strtok_r(NULL, "`", &save);
	}
	return CA_OK;
}

/* Lowest compatibility level for a msPKI-Private-Key-Flag nibble (0: 2003). */
static enum tmpl_compat
compat_from_nibble(uint32_t n)
{
	if (n <= 1)
		return TMPL_COMPAT_2003;
	if (n - 1 >= TMPL_COMPAT_COUNT)
		return TMPL_COMPAT_2016;
	return (enum tmpl_compat)(n - 1);
}

/* Name flags: supply in request, or subject format and SAN from the directory. */
static void
name_flags(struct template *t, uint32_t nf)
{
	t->san = 0;
	t->subject_format = TMPL_SUBJFMT_NONE;
	if (nf & CT_ENROLLEE_SUPPLIES_SUBJECT) {
		t->subject = TMPL_SUBJECT_SUPPLY_IN_REQUEST;
		return;
	}
	t->subject = TMPL_SUBJECT_FROM_DIRECTORY;
	if (nf & CT_SUBJECT_DIRECTORY_PATH)
		t->subject_format = TMPL_SUBJFMT_DN;
	else if (nf & CT_SUBJECT_DNS_AS_CN)
		t->subject_format = TMPL_SUBJFMT_DNS;
	else if (nf & CT_SUBJECT_REQUIRE_CN)
		t->subject_format = TMPL_SUBJFMT_CN_USERNAME;
	else if (nf & CT_SUBJECT_REQUIRE_EMAIL)
		t->subject_format = TMPL_SUBJFMT_EMAIL;
	/* With another format (User: 0xA6000000, DN + e-mail), E= is added. */
	t->subject_email = (nf & CT_SUBJECT_REQUIRE_EMAIL) &&
	    t->subject_format != TMPL_SUBJFMT_EMAIL;
	/* The CA treats SPN like UPN (MS-WCCE §3.2.2.6.2.1.4.5.9). */
	if (nf & (CT_SAN_REQUIRE_UPN | CT_SAN_REQUIRE_SPN))
		t->san |= TMPL_SAN_UPN;
	if (nf & CT_SAN_REQUIRE_EMAIL)
		t->san |= TMPL_SAN_EMAIL;
	if (nf & CT_SAN_REQUIRE_DNS)
		t->san |= TMPL_SAN_DNS;
}

/* Everything but the security descriptor. */
static int
convert_attrs(struct conv *c)
{
	const struct ldif_record *rec = c->rec;
	struct template *t = c->t;
	const struct ldif_attr *a;
	uint32_t v, ef = 0, pkf = 0, nf = 0, flags = 0, keyspec = 1;
	int rc;

	a = ldif_get(rec, "cn");
	if (a == NULL || !tmpl_name_valid((const char *)a->val))
		return ca_why(c->why, c->whylen, CA_EPARSE, "cn: missing or not "
		    "a valid template name");
	snprintf(t->name, sizeof(t->name), "%s", (const char *)a->val);
	a = ldif_get(rec, "displayName");
	if (a == NULL)
		a = ldif_get(rec, "cn");
	if (strlen((const char *)a->val) >= TMPL_NAME_MAX ||
	    !tmpl_text_valid((const char *)a->val))
		return ca_why(c->why, c->whylen, CA_EPARSE, "displayName: not "
		    "printable text under %d bytes", TMPL_NAME_MAX);
	snprintf(t->display_name, sizeof(t->display_name), "%s", a->val);
	t->schema_version = 1;
	t->major_version = 0;
	t->minor_version = 0;
	if (get_u32(rec, "msPKI-Template-Schema-Version", &t->schema_version) < 0 ||
	    get_u32(rec, "revision", &t->major_version) < 0 ||
	    get_u32(rec, "msPKI-Template-Minor-Revision", &t->minor_version) < 0 ||
	    get_u32(rec, "flags", &flags) < 0 ||
	    get_u32(rec, "msPKI-Enrollment-Flag", &ef) < 0 ||
	    get_u32(rec, "msPKI-Private-Key-Flag", &pkf) < 0 ||
	    get_u32(rec, "msPKI-Certificate-Name-Flag", &nf) < 0 ||
	    get_u32(rec, "pKIDefaultKeySpec", &keyspec) < 0)
		return ca_why(c->why, c->whylen, CA_EPARSE, "an integer "
		    "attribute is not a 32-bit number");
	if (t->schema_version < 1 || t->schema_version > 4)
		return ca_why(c->why, c->whylen, CA_EPARSE,
		    "msPKI-Template-Schema-Version %u is not 1..4",
		    t->schema_version);
	a = ldif_get(rec, "msPKI-Cert-Template-OID");
	if (a != NULL && tmpl_oid_valid((const char *)a->val))
		snprintf(t->oid, sizeof(t->oid), "%s", a->val);
	else if (a != NULL)
		return ca_why(c->why, c->whylen, CA_EPARSE, "msPKI-Cert-Template-OID "
		    "\"%s\" is not an OID", a->val);
	else if ((rc = tmpl_oid_derive(t->name, t->oid, sizeof(t->oid))) != CA_OK)
		return ca_why(c->why, c->whylen, rc, "cannot derive an OID");
	if (get_period(rec, "pKIExpirationPeriod", &t->validity_seconds) < 0 ||
	    get_period(rec, "pKIOverlapPeriod", &t->renewal_seconds) < 0)
		return ca_why(c->why, c->whylen, CA_EPARSE, "pKIExpirationPeriod "
		    "or pKIOverlapPeriod: expected an 8-byte negative FILETIME "
		    "interval of whole seconds");
	t->publish_to_directory = (ef & CT_PUBLISH_TO_DS) != 0;
	t->require_approval = (ef & CT_PEND_ALL_REQUESTS) != 0;
	t->renewal = (ef & CT_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT) ?
	    TMPL_RENEWAL_VALID_CERTIFICATE : TMPL_RENEWAL_SAME_AS_ENROLLMENT;
	t->sid_extension = (ef & CT_NO_SECURITY_EXTENSION) == 0;
	t->allow_private_key_export = (pkf & CT_EXPORTABLE_KEY) != 0;
	t->compat_ca = compat_from_nibble(CT_SERVER_VERSION(pkf));
	t->compat_recipient = compat_from_nibble(CT_CLIENT_VERSION(pkf));
	name_flags(t, nf);
	t->ca = (flags & CT_FLAG_IS_CA) != 0;

	t->n_policies = 0;
	for (size_t i = 0; i < rec->n; i++)
		if ((strcasecmp(rec->a[i].name, "pKIExtendedKeyUsage") == 0 ||
		    strcasecmp(rec->a[i].name,
		    "msPKI-Certificate-Application-Policy") == 0) &&
		    (rc = add_policy(c, rec->a[i].name,
		    (const char *)rec->a[i].val)) != CA_OK)
			return rc;
	t->key_usage_critical = t->eku_critical = false;
	for (size_t i = 0; i < rec->n; i++) {
		if (strcasecmp(rec->a[i].name, "pKICriticalExtensions") != 0)
			continue;
		if (strcmp((const char *)rec->a[i].val, "2.5.29.15") == 0)
			t->key_usage_critical = true;
		else if (strcmp((const char *)rec->a[i].val, "2.5.29.37") == 0)
			t->eku_critical = true;
	}
	a = ldif_get(rec, "pKIKeyUsage");
	if (a != NULL && a->len >= 1)
		t->key_usage = a->val[0] & 0xfe;	/* encipherOnly dropped */
	else
		t->key_usage = 0;
	/* AT_SIGNATURE keys only sign; AT_KEYEXCHANGE ones also encrypt. */
	if (keyspec == AT_SIGNATURE)
		t->purpose = TMPL_PURPOSE_SIGNATURE;
	else if (t->key_usage & TMPL_KU_DIGITAL_SIGNATURE)
		t->purpose = TMPL_PURPOSE_SIGNATURE_AND_ENCRYPTION;
	else
		t->purpose = TMPL_PURPOSE_ENCRYPTION;

	t->authorized_signatures = 0;
	if (get_u32(rec, "msPKI-RA-Signature", &t->authorized_signatures) < 0 ||
	    t->authorized_signatures > 16)
		return ca_why(c->why, c->whylen, CA_EPARSE, "msPKI-RA-Signature: "
		    "expected 0..16");
	for (size_t i = 0; i < rec->n; i++)
		if (strcasecmp(rec->a[i].name, "msPKI-RA-Application-Policies") == 0 &&
		    (rc = ra_app_policies(c, (const char *)rec->a[i].val)) != CA_OK)
			return rc;
	if (t->authorized_signatures == 0)
		t->ra_policy[0] = '\0';
	if (get_u32(rec, "msPKI-Minimal-Key-Size", &v) > 0) {
		if (t->key_algorithms & TMPL_KEY_RSA) {
			if (v < 1024 || v > 16384)
				return ca_why(c->why, c->whylen, CA_EPARSE,
				    "msPKI-Minimal-Key-Size %u: entca accepts "
				    "1024..16384", v);
			t->min_key_size = v;
		}
	}
	/* CNG templates (schema 3+, ECDSA) imply Vista/2008 or later. */
	if (t->compat_ca < TMPL_COMPAT_2008 && t->schema_version >= 3)
		t->compat_ca = t->schema_version >= 4 ? TMPL_COMPAT_2012 :
		    TMPL_COMPAT_2008;
	if (t->key_algorithms != TMPL_KEY_RSA) {
		if (t->compat_ca < TMPL_COMPAT_2008)
			t->compat_ca = TMPL_COMPAT_2008;
		if (t->compat_recipient < TMPL_COMPAT_2008)
			t->compat_recipient = TMPL_COMPAT_2008;
	}
	t->n_supersedes = 0;
	for (size_t i = 0; i < rec->n; i++) {
		if (strcasecmp(rec->a[i].name, "msPKI-Supersede-Templates") != 0)
			continue;
		if (!tmpl_name_valid((const char *)rec->a[i].val) ||
		    t->n_supersedes >= TMPL_SUPERSEDE_MAX)
			return ca_why(c->why, c->whylen, CA_EPARSE,
			    "msPKI-Supersede-Templates: bad name or more than %d",
			    TMPL_SUPERSEDE_MAX);
		snprintf(t->supersedes[t->n_supersedes++], TMPL_NAME_MAX, "%s",
		    rec->a[i].val);
	}
	t->path_len = -1;
	if (t->ca && get_u32(rec, "pKIMaxIssuingDepth", &v) > 0 &&
	    v != 0xffffffffu)
		t->path_len = v > 255 ? -1 : (int)v;
	return CA_OK;
}

/* Is this record a certificate template object? */
static bool
is_template(const struct ldif_record *rec)
{
	for (size_t i = 0; i < rec->n; i++)
		if (strcasecmp(rec->a[i].name, "objectClass") == 0 &&
		    strcasecmp((const char *)rec->a[i].val,
		    "pKICertificateTemplate") == 0)
			return true;
	return false;
}

/* Convert one record, then write and parse it back to normalise and check. */
static void
convert(const char *src, const struct ldif_record *rec,
    struct template_import_item *it)
{
	struct template *t = &it->t;
	struct conv c = { rec, t, it->why, sizeof(it->why) };
	const struct ldif_attr *sd;
	char why[CA_WHY_MAX], *text = NULL;
	int rc;

	it->line = rec->line;
	template_defaults(t);
	rc = convert_attrs(&c);
	if (rc == CA_OK && (sd = ldif_get(rec, "nTSecurityDescriptor")) != NULL)
		rc = tmpl_sd_to_aces(sd->val, sd->len, t, it->why, sizeof(it->why));
	else if (rc == CA_OK)
		/*
		 * AD returns the descriptor only to a reader allowed to see it,
		 * and ldapsearch only with the SD-flags control (owner, group,
		 * DACL = 7); without it nobody may enroll after the import.
		 */
		snprintf(it->warning, sizeof(it->warning), "%s line %u (%s): no "
		    "nTSecurityDescriptor in the export, so [security] is "
		    "empty and nobody may read or enroll; export again with "
		    "the SD-flags control, e.g. ldapsearch -E "
		    "'1.2.840.113556.1.4.801=::MAMCAQc=' ... nTSecurityDescriptor "
		    "(ldifde exports it for administrators)", src, rec->line,
		    rec->dn != NULL ? rec->dn : "no dn");
	if (rc == CA_OK && (rc = template_write(t, &text)) != CA_OK)
		ca_why(it->why, sizeof(it->why), rc, "cannot be written as a "
		    "template file");
	if (rc == CA_OK && (rc = template_parse_buf(t->name, text, strlen(text),
	    t, why, sizeof(why))) != CA_OK)
		ca_why(it->why, sizeof(it->why), rc, "does not make a valid "
		    "template: %s", why);
	free(text);
	if (rc != CA_OK) {
		/* Prefix the object so the message stands alone. */
		snprintf(why, sizeof(why), "%s", it->why);
		ca_why(it->why, sizeof(it->why), rc, "%s line %u (%s): %s", src,
		    rec->line, rec->dn != NULL ? rec->dn : "no dn", why);
	}
	it->rc = rc;
}

/* See template_import.h. */
int
template_import_ldif_buf(const char *name_for_errors, const char *text,
    size_t len, struct template_import_item **items, size_t *n_items,
    char *why, size_t whylen)
{
	struct ldif_reader r = { text, len, 0, 0 };
	struct ldif_record *rec = NULL;
	struct template_import_item *out = NULL;
	const char *src = name_for_errors != NULL ? name_for_errors : "LDIF";
	size_t n = 0, cap = 0;
	int rc = CA_OK, got;

	*items = NULL;
	*n_items = 0;
	if (len > LDIF_FILE_MAX)
		return ca_why(why, whylen, CA_ETOOBIG, "%s: larger than %d bytes",
		    src, LDIF_FILE_MAX);
	rec = calloc(1, sizeof(*rec));
	if (rec == NULL) {
		rc = ca_why(why, whylen, CA_ENOMEM, "%s: out of memory", src);
		goto out;
	}
	while ((got = ldif_next(&r, rec, why, whylen)) == 1) {
		if (!is_template(rec))
			continue;
		if (n >= TMPL_IMPORT_MAX) {
			rc = ca_why(why, whylen, CA_ETOOBIG, "%s: more than %d "
			    "templates", src, TMPL_IMPORT_MAX);
			goto out;
		}
		if (n == cap) {
			size_t nc = cap == 0 ? 8 : cap * 2;
			struct template_import_item *np;

			if (nc > TMPL_IMPORT_MAX)
				nc = TMPL_IMPORT_MAX;
			np = realloc(out, nc * sizeof(*out));
			if (np == NULL) {
				rc = ca_why(why, whylen, CA_ENOMEM, "%s: out of "
				    "memory", src);
				goto out;
			}
			out = np;
			cap = nc;
		}
		memset(&out[n], 0, sizeof(out[n]));
		convert(src, rec, &out[n++]);
	}
	if (got < 0) {
		char w[CA_WHY_MAX];

		snprintf(w, sizeof(w), "%s", why);
		rc = ca_why(why, whylen, got, "%s: %s", src, w);
	}
out:
	if (rec != NULL)
		ldif_record_clear(rec);
	free(rec);
	if (rc != CA_OK) {
		free(out);
		return rc;
	}
	if (out == NULL && (out = calloc(1, sizeof(*out))) == NULL)
		return ca_why(why, whylen, CA_ENOMEM, "%s: out of memory", src);
	*items = out;
	*n_items = n;
	return CA_OK;
}

/* See template_import.h. */
int
template_write_file(const struct template *t, const char *dir, char *path_out,
    size_t path_len, char *why, size_t whylen)
{
	char path[4096], *text = NULL;
	size_t len, off = 0;
	int fd, rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s.tmpl", dir, t->name) >=
	    sizeof(path))
		return ca_why(why, whylen, CA_ETOOBIG, "template %s: path too long",
		    t->name);
	if (path_out != NULL)
		snprintf(path_out, path_len, "%s", path);
	if ((rc = template_write(t, &text)) != CA_OK)
		return ca_why(why, whylen, rc, "template %s: cannot be written as "
		    "a template file", t->name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = errno == EEXIST ? CA_EEXIST : CA_EIO;
		ca_why(why, whylen, rc, "%s: %s%s", path, strerror(errno),
		    rc == CA_EEXIST ? " (not overwritten)" : "");
		free(text);
		return rc;
	}
	len = strlen(text);
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = ca_why(why, whylen, CA_EIO, "%s: %s", path,
			    strerror(errno));
			close(fd);
			unlink(path);
			free(text);
			return rc;
		}
		off += (size_t)w;
	}
	free(text);
	if (fsync(fd) != 0 || close(fd) != 0) {
		rc = ca_why(why, whylen, CA_EIO, "%s: %s", path, strerror(errno));
		unlink(path);
		return rc;
	}
	return CA_OK;
}

/* See template_import.h. */
int
template_import_ldif(const char *ldif_path, const char *out_dir,
    struct template_import_item **items, size_t *n_items, char *why,
    size_t whylen)
{
	const char *base = strrchr(ldif_path, '/');
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, rc;

	base = base != NULL ? base + 1 : ldif_path;
	*items = NULL;
	*n_items = 0;
	fd = open(ldif_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ca_why(why, whylen, CA_EIO, "%s: %s", ldif_path,
		    strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > LDIF_FILE_MAX) {
		close(fd);
		return ca_why(why, whylen, CA_EIO, "%s: not a regular file under "
		    "%d bytes", ldif_path, LDIF_FILE_MAX);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return ca_why(why, whylen, CA_ENOMEM, "%s: out of memory", base);
	}
	while (len < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + len, (size_t)st.st_size - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	rc = template_import_ldif_buf(base, buf, len, items, n_items, why, whylen);
	free(buf);
	if (rc != CA_OK)
		return rc;
	for (size_t i = 0; i < *n_items; i++) {
		struct template_import_item *it = &(*items)[i];

		if (it->rc != CA_OK)
			continue;
		it->rc = template_write_file(&it->t, out_dir, NULL, 0, it->why,
		    sizeof(it->why));
	}
	return CA_OK;
}

/*
 * Lint rules for templates: the AD CS misconfigurations that hand out
 * domain takeover (Certipy's ESC1-ESC4 and ESC9, SpecterOps' Certified Pre-Owned and later ESCs)
 * and the compatibility bounds. Each rule can be overridden by name with
 * `allow-dangerous`; the bounds cannot. Pure except for ESC4's stat();
 * any thread.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/error.h"
#include "templates/template.h"
#include "templates/template_keys.h"
#include "templates/template_names.h"
#include "templates/template_value.h"

/* Groups that hold (nearly) every account: by name and well-known SID. */
static const char *const broad_names[] = {
	"Domain Users", "Domain Computers", "Domain Guests",
	"Authenticated Users", "Everyone", "Users", "Guests",
	"Anonymous Logon",
};
static const char *const broad_sids[] = {
	"S-1-1-0",	/* Everyone */
	"S-1-5-7",	/* Anonymous Logon */
	"S-1-5-11",	/* Authenticated Users */
	"S-1-5-32-545",	/* BUILTIN\Users */
	"S-1-5-32-546",	/* BUILTIN\Guests */
};
/* Domain-relative RIDs: Domain Users, Domain Guests, Domain Computers. */
static const char *const broad_rids[] = { "-513", "-514", "-515" };

/* The account name inside "DOMAIN\name", "CN=name,..." or "name". */
static void
principal_short(const char *p, char *out, size_t len)
{
	const char *bs = strrchr(p, '\\');
	size_t n;

	if (strncasecmp(p, "CN=", 3) == 0) {
		p += 3;
		for (n = 0; p[n] != '\0' && n + 1 < len; n++) {
			if (p[n] == ',' && (n == 0 || p[n - 1] != '\\'))
				break;
			out[n] = p[n];
		}
		out[n] = '\0';
		return;
	}
	if (bs != NULL && strchr(p, '=') == NULL)
		p = bs + 1;
	snprintf(out, len, "%s", p);
}

/* True when principal names a group that every user or computer is in. */
bool
tmpl_principal_broad(const char *principal)
{
	char name[TMPL_PRINCIPAL_MAX];
	size_t n = strlen(principal);

	for (size_t i = 0; i < sizeof(broad_sids) / sizeof(broad_sids[0]); i++)
		if (strcasecmp(principal, broad_sids[i]) == 0)
			return true;
	if (strncasecmp(principal, "S-1-5-21-", 9) == 0)
		for (size_t i = 0; i < sizeof(broad_rids) / sizeof(broad_rids[0]); i++)
			if (n > 4 && strcmp(principal + n - 4, broad_rids[i]) == 0)
				return true;
	principal_short(principal, name, sizeof(name));
	for (size_t i = 0; i < sizeof(broad_names) / sizeof(broad_names[0]); i++)
		if (strcasecmp(name, broad_names[i]) == 0)
			return true;
	return false;
}

/* Enroll-type rights an entry leaves after the denies for the same principal. */
static uint32_t
effective_enroll(const struct template *t, size_t i)
{
	uint32_t r = t->aces[i].rights & (TMPL_RIGHT_ENROLL | TMPL_RIGHT_AUTOENROLL);

	for (size_t j = 0; j < t->n_aces; j++)
		if (t->aces[j].deny &&
		    strcasecmp(t->aces[j].principal, t->aces[i].principal) == 0)
			r &= ~t->aces[j].rights;
	return r;
}

/* First allow entry that grants enroll (to a broad group if broad), or -1. */
static int
enroller(const struct template *t, bool broad)
{
	for (size_t i = 0; i < t->n_aces; i++)
		if (!t->aces[i].deny && effective_enroll(t, i) != 0 &&
		    (!broad || tmpl_principal_broad(t->aces[i].principal)))
			return (int)i;
	return -1;
}

/* Has the template this EKU OID? */
static bool
has_eku(const struct template *t, const char *oid)
{
	for (size_t i = 0; i < t->n_policies; i++)
		if (strcmp(t->policies[i], oid) == 0)
			return true;
	return false;
}

/*
 * Name of the EKU that lets the certificate authenticate a client, or NULL.
 * No EKU at all counts (Certipy does the same): it is valid for anything.
 */
static const char *
client_auth_eku(const struct template *t)
{
	static const char *const oids[] = { TMPL_OID_CLIENT_AUTH,
	    TMPL_OID_SMARTCARD, TMPL_OID_PKINIT_CLIENT, TMPL_OID_ANY_PURPOSE };

	if (t->n_policies == 0)
		return "no EKU";
	for (size_t i = 0; i < sizeof(oids) / sizeof(oids[0]); i++)
		if (has_eku(t, oids[i]))
			return tmpl_eku_friendly(oids[i]);
	return NULL;
}

/* Bounds that no override lifts: what AD CS's compatibility tab forbids. */
static int
lint_bounds(const struct template *t, char *why, size_t whylen)
{
	if ((unsigned)t->compat_ca >= TMPL_COMPAT_COUNT ||
	    (unsigned)t->compat_recipient >= TMPL_COMPAT_COUNT)
		return ca_why(why, whylen, CA_EPOLICY, "template %s: "
		    "compatibility out of range", t->name);
	if ((t->key_algorithms & (TMPL_KEY_ECDSA_P256 | TMPL_KEY_ECDSA_P384)) &&
	    (t->compat_ca < TMPL_COMPAT_2008 || t->compat_recipient < TMPL_COMPAT_2008))
		return ca_why(why, whylen, CA_EPOLICY, "template %s: ECDSA keys "
		    "need compatibility-ca and compatibility-recipient 2008 or later",
		    t->name);
	if (t->schema_version < 1 ||
	    t->schema_version > tmpl_schema_for_compat(t->compat_ca))
		return ca_why(why, whylen, CA_EPOLICY, "template %s: schema "
		    "version %u is above what compatibility-ca %s allows (%u)",
		    t->name, t->schema_version, tmpl_compat_names[t->compat_ca],
		    tmpl_schema_for_compat(t->compat_ca));
	if (t->server_key_generation && !t->allow_private_key_export)
		return ca_why(why, whylen, CA_EPOLICY, "template %s: "
		    "server-key-generation needs allow-private-key-export",
		    t->name);
	if (t->key_algorithms == 0 || t->min_key_size < 1024 ||
	    t->min_key_size > 16384)
		return ca_why(why, whylen, CA_EPOLICY, "template %s: key "
		    "algorithms or minimum key size out of range", t->name);
	return CA_OK;
}

/* ESC4: a file or folder that others can write lets them rewrite the template. */
static int
lint_esc4(const struct template *t, const char *path, char *why, size_t whylen)
{
	char dir[4096];
	struct stat st;

	if (stat(path, &st) != 0)
		return ca_why(why, whylen, CA_EIO, "template %s: %s: %s", t->name,
		    path, strerror(errno));
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return ca_why(why, whylen, CA_EPOLICY, "template %s: ESC4: file "
		    "%s is writable by group or others (mode %04o): whoever can "
		    "write it can turn it into any certificate; chmod go-w it "
		    "or set allow-dangerous = esc4", t->name, path,
		    (unsigned)(st.st_mode & 07777));
	snprintf(dir, sizeof(dir), "%s", path);
	if (stat(dirname(dir), &st) != 0)
		return ca_why(why, whylen, CA_EIO, "template %s: folder of %s: %s",
		    t->name, path, strerror(errno));
	/* A sticky folder (like /tmp) still lets others add files, so it counts. */
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(dir, sizeof(dir), "%s", path);
		return ca_why(why, whylen, CA_EPOLICY, "template %s: ESC4: folder "
		    "%s is writable by group or others (mode %04o): whoever can "
		    "write it can replace the template; chmod go-w it or set "
		    "allow-dangerous = esc4", t->name, dirname(dir),
		    (unsigned)(st.st_mode & 07777));
	}
	return CA_OK;
}

/* See template.h. */
int
template_lint(const struct template *t, const char *path, char *why,
    size_t whylen)
{
	bool gated = t->require_approval || t->authorized_signatures > 0;
	const char *auth = client_auth_eku(t);
	int rc, b, any;

	if ((rc = lint_bounds(t, why, whylen)) != CA_OK)
		return rc;
	if (path != NULL && !(t->lint_overrides & (1u << TMPL_LINT_ESC4)) &&
	    (rc = lint_esc4(t, path, why, whylen)) != CA_OK)
		return rc;
	b = enroller(t, true);
	any = enroller(t, false);
	if (!gated && auth != NULL && t->subject == TMPL_SUBJECT_SUPPLY_IN_REQUEST &&
	    b >= 0 && !(t->lint_overrides & (1u << TMPL_LINT_ESC1)))
		return ca_why(why, whylen, CA_EPOLICY, "template %s: ESC1: "
		    "client authentication (%s) + subject supply-in-request + "
		    "enroll for %s without require-approval: any member can get "
		    "a logon certificate naming anyone; narrow [security], set "
		    "require-approval, or set allow-dangerous = esc1", t->name,
		    auth, t->aces[b].principal);
	/* any-purpose needs the override even with approval (issue 3). */
	if (any >= 0 && ((!gated && t->n_policies == 0) ||
	    has_eku(t, TMPL_OID_ANY_PURPOSE)) &&
	    !(t->lint_overrides & (1u << TMPL_LINT_ESC2)))
		return ca_why(why, whylen, CA_EPOLICY, "template %s: ESC2: %s on "
		    "a template that %s may enroll in: the certificate is good "
		    "for any purpose, enrollment agent included; list the "
		    "application policies or set allow-dangerous = esc2", t->name,
		    t->n_policies == 0 ? "no application policy (EKU)" :
		    "any-purpose", t->aces[any].principal);
	if (!gated && b >= 0 && has_eku(t, TMPL_OID_CRA) &&
	    !(t->lint_overrides & (1u << TMPL_LINT_ESC3)))
		return ca_why(why, whylen, CA_EPOLICY, "template %s: ESC3: "
		    "certificate-request-agent with enroll for %s: any member "
		    "can enroll on behalf of anyone; narrow [security], set "
		    "require-approval, or set allow-dangerous = esc3", t->name,
		    t->aces[b].principal);
	if (!t->sid_extension && auth != NULL &&
	    !(t->lint_overrides & (1u << TMPL_LINT_NO_SID)))
		return ca_why(why, whylen, CA_EPOLICY, "template %s: no-sid: "
		    "sid-extension = no on a client authentication template (%s): "
		    "its certificates map only weakly to accounts (KB5014754, "
		    "ESC9); set sid-extension = yes or allow-dangerous = no-sid",
		    t->name, auth);
	if (t->allow_unresolved_names && auth != NULL &&
	    !(t->lint_overrides & (1u << TMPL_LINT_UNRESOLVED)))
		return ca_why(why, whylen, CA_EPOLICY, "template %s: "
		    "unresolved-names: allow-unresolved-names = yes on a client "
		    "authentication template (%s): its certificates may name "
		    "accounts nobody owns and carry no SID, so they map only "
		    "weakly (KB5014754); set allow-unresolved-names = no or "
		    "allow-dangerous = unresolved-names", t->name, auth);
	return CA_OK;
}

/* See template.h. */
const char *
template_lint_name(enum tmpl_lint rule)
{
	if ((unsigned)rule >= TMPL_LINT_COUNT)
		return NULL;
	return tmpl_lint_names[rule];
}

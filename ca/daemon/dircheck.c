/*
 * Start-up resolution of allow/deny lines against the directory (see
 * dircheck.h). Line numbers are found by reading the file again: inih does
 * not hand them to the handler, and the n-th allow/deny key of a section is
 * the n-th entry the parser stored.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"
#include "ca/daemon/daemon.h"
#include "ca/daemon/dircheck.h"
#include "common/log.h"
#include "ldap/directory.h"
#include "policy/rights.h"
#include "templates/template_set.h"

#define DIRCHECK_LINES_MAX 64	/* CONFIG_ACE_MAX and TMPL_ACE_MAX */

/*
 * Line numbers of the allow/deny keys of path, in order; only in [section]
 * when section is not NULL. Returns how many were found (0 if unreadable).
 */
static size_t
acl_lines(const char *path, const char *section, unsigned *lines, size_t max)
{
	char buf[4096], cur[64] = "";
	unsigned no = 0;
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	while (n < max && fgets(buf, sizeof(buf), f) != NULL) {
		char *s = buf, *end;
		size_t k;

		no++;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '[' && (end = strchr(s, ']')) != NULL) {
			snprintf(cur, sizeof(cur), "%.*s", (int)(end - s - 1), s + 1);
			continue;
		}
		if (section != NULL && strcmp(cur, section) != 0)
			continue;
		k = strcspn(s, "=: \t");
		if (((k == 5 && strncasecmp(s, "allow", 5) == 0) ||
		    (k == 4 && strncasecmp(s, "deny", 4) == 0)) &&
		    strchr(s, '=') != NULL)
			lines[n++] = no;
	}
	fclose(f);
	return n;
}

/*
 * Resolve the n entries of aces from file (line numbers from acl_lines).
 * A deny that does not resolve ends the check with CA_ECONFIG.
 */
static int
check_aces(struct directory *dir, const char *file, const unsigned *lines,
    size_t nlines, const struct tmpl_ace *aces, size_t n,
    const char *const *right_names, size_t n_rights, char *why, size_t whylen)
{
	char sid[192], inner[CA_WHY_MAX / 2], rights[128], where[PATH_MAX + 32];

	for (size_t i = 0; i < n; i++) {
		const struct tmpl_ace *a = &aces[i];
		size_t o = 0;
		int rc;

		rights[0] = '\0';
		for (size_t r = 0; r < n_rights && o < sizeof(rights); r++)
			if (a->rights & (1u << r))
				o += (size_t)snprintf(rights + o, sizeof(rights) - o,
				    "%s%s", o ? ", " : "", right_names[r]);
		if (i < nlines)
			snprintf(where, sizeof(where), "%s line %u", file, lines[i]);
		else
			snprintf(where, sizeof(where), "%s", file);
		rc = directory_resolve_principal(dir, a->principal, sid,
		    sizeof(sid), inner, sizeof(inner));
		if (rc == CA_OK) {
			log_debug("%s: %s = %s resolves to %s", where,
			    a->deny ? "deny" : "allow", a->principal, sid);
			continue;
		}
		if (rc != CA_ENOTFOUND && rc != CA_EDENIED)
			return ca_why(why, whylen, rc, "%s: %s = %s: %s", where,
			    a->deny ? "deny" : "allow", a->principal, inner);
		if (a->deny)
			return ca_why(why, whylen, CA_ECONFIG, "%s: deny = %s : %s: "
			    "cannot be resolved in the directory, refusing to run "
			    "with a deny that matches nobody: %s", where,
			    a->principal, rights, inner);
		log_warning("%s: allow = %s : %s: cannot be resolved in the "
		    "directory, it grants nothing: %s", where, a->principal,
		    rights, inner);
	}
	return CA_OK;
}

/* See dircheck.h. */
int
dircheck_run(const struct ca_config *cfg, const struct daemon_templates *tpl,
    struct directory *dir, char *why, size_t whylen)
{
	unsigned lines[DIRCHECK_LINES_MAX];
	char path[PATH_MAX + TMPL_FILE_NAME_MAX + 2], inner[CA_WHY_MAX / 2];
	size_t n;
	int rc;

	if (dir == NULL)
		return CA_OK;
	/* What is missing first: it explains the unresolved names after it. */
	rc = directory_check_access(dir, inner, sizeof(inner));
	if (rc == CA_EDENIED)
		return ca_why(why, whylen, CA_ECONFIG, "%s", inner);
	if (rc != CA_OK)
		return ca_why(why, whylen, rc, "%s", inner);
	n = acl_lines(cfg->path, "security", lines, DIRCHECK_LINES_MAX);
	rc = check_aces(dir, cfg->path, lines, n, cfg->aces, cfg->n_aces,
	    ca_right_names, CA_RIGHT_COUNT, why, whylen);
	for (size_t i = 0; rc == CA_OK && tpl != NULL &&
	    i < template_set_count(tpl->set); i++) {
		const struct template_set_entry *e = template_set_at(tpl->set, i);

		snprintf(path, sizeof(path), "%s/%s", cfg->templates_dir, e->file);
		n = acl_lines(path, NULL, lines, DIRCHECK_LINES_MAX);
		rc = check_aces(dir, path, lines, n, e->t.aces, e->t.n_aces,
		    tmpl_right_names, TMPL_RIGHT_COUNT, why, whylen);
	}
	return rc;
}

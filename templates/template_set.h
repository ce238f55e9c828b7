/*
 * A folder of template files loaded as one set: every *.tmpl file in name
 * order, each parsed and linted, duplicate names and OIDs refused, with the
 * SHA-256 of each file's bytes (what the daemon stores next to the compiled
 * template in the LMDB `templates` db). A set is immutable once loaded and
 * may be read from any thread; the daemon swaps whole sets on SIGHUP.
 */
#ifndef ENTCA_TEMPLATES_TEMPLATE_SET_H
#define ENTCA_TEMPLATES_TEMPLATE_SET_H

#include <stddef.h>

#include "templates/template.h"

#define TMPL_SET_MAX 1024		/* template files per folder */
#define TMPL_SHA256_LEN 32
#define TMPL_FILE_NAME_MAX 256		/* file name (no folder) incl. NUL */

struct template_set;

/* One loaded template with where it came from. */
struct template_set_entry {
	struct template t;
	char file[TMPL_FILE_NAME_MAX];			/* base name, "X.tmpl" */
	unsigned char sha256[TMPL_SHA256_LEN];		/* of the file's bytes */
};

/*
 * Load every *.tmpl file of dir (names starting with '.' are skipped) in
 * strcmp order. Each file is parsed and linted (template_lint with its
 * path, so ESC4 applies). On CA_OK *out is a new set the caller frees with
 * template_set_free; an empty folder gives an empty set. On error *out is
 * NULL and why names the file and the problem: CA_EIO (folder or file
 * unreadable), CA_EPARSE (bad file), CA_EPOLICY (lint), CA_EEXIST
 * (duplicate template name or OID), CA_ETOOBIG (more than TMPL_SET_MAX
 * files), CA_ENOMEM. Any thread; the set is not touched after loading.
 */
int template_set_load(const char *dir, struct template_set **out, char *why,
    size_t whylen);

/* The template named name (case-insensitive, as AD cn), or NULL. Borrowed. */
const struct template *template_set_find(const struct template_set *set,
    const char *name);

/* Number of templates; the i-th entry (borrowed), NULL past the end. */
size_t template_set_count(const struct template_set *set);
const struct template_set_entry *template_set_at(const struct template_set *set,
    size_t i);

/* Free a set; accepts NULL. */
void template_set_free(struct template_set *set);

#endif

/*
 * The daemon's template set: loading the templates folder, compiling each
 * template into the store's `templates` db with the hash of its source
 * file, and sharing the loaded set with workers by reference count so a
 * SIGHUP swap never frees a set a request is still reading.
 *
 * Threads: templates_load() blocks (files, LMDB) and runs before the loop
 * starts or on a worker; get/put/find are safe from any thread.
 */
#ifndef ENTCA_CA_TEMPLATES_LOAD_H
#define ENTCA_CA_TEMPLATES_LOAD_H

#include <stddef.h>

#include "templates/template.h"

struct daemon_templates;
struct store;

/*
 * Load dir, lint every file, and record each template (its canonical text,
 * which template_parse_buf reads back) and source SHA-256 in the store,
 * removing templates no longer in the folder. *out holds one reference.
 * On error nothing in the store changes and why names the file.
 */
int templates_load(const char *dir, struct store *st,
    struct daemon_templates **out, char *why, size_t whylen);

/* The template named name in t (case-insensitive), or NULL; borrowed. */
const struct template *templates_find(const struct daemon_templates *t,
    const char *name);

/* Number of templates in t. */
size_t templates_count(const struct daemon_templates *t);

#endif

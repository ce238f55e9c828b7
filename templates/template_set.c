/*
 * Loading a folder of template files (see template_set.h). Reads each file
 * once: the same bytes are hashed, parsed and, through its path, checked
 * for ESC4. Single-threaded while loading; the result is read-only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "common/error.h"
#include "templates/template.h"
#include "templates/template_set.h"

struct template_set {
	size_t n;
	struct template_set_entry *e;
};

/* Keep only visible *.tmpl entries. */
static int
tmpl_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && n < TMPL_FILE_NAME_MAX &&
	    strcmp(d->d_name + n - 5, ".tmpl") == 0;
}

/* Byte order, independent of the locale. */
static int
tmpl_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Read a regular file of at most TMPL_FILE_MAX bytes into a new buffer. */
static int
read_file(const char *path, const char *base, char **buf, size_t *len,
    char *why, size_t whylen)
{
	struct stat st;
	ssize_t r;
	int fd;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ca_why(why, whylen, CA_EIO, "template %s: %s", base,
		    strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ca_why(why, whylen, CA_EIO, "template %s: not a regular "
		    "file", base);
	}
	if (st.st_size > TMPL_FILE_MAX) {
		close(fd);
		return ca_why(why, whylen, CA_ETOOBIG, "template %s: file larger "
		    "than %d bytes", base, TMPL_FILE_MAX);
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (*buf == NULL) {
		close(fd);
		return ca_why(why, whylen, CA_ENOMEM, "template %s: out of memory",
		    base);
	}
	while (*len < (size_t)st.st_size &&
	    (r = read(fd, *buf + *len, (size_t)st.st_size - *len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(fd);
			free(*buf);
			*buf = NULL;
			return ca_why(why, whylen, CA_EIO, "template %s: %s", base,
			    strerror(errno));
		}
		*len += (size_t)r;
	}
	close(fd);
	return CA_OK;
}

/* Refuse a second template with the same name or OID. */
static int
check_unique(const struct template_set *s, const struct template_set_entry *e,
    char *why, size_t whylen)
{
	for (size_t i = 0; i < s->n; i++) {
		if (strcasecmp(s->e[i].t.name, e->t.name) == 0)
			return ca_why(why, whylen, CA_EEXIST, "template %s: "
			    "duplicate template name \"%s\" (also in %s)", e->file,
			    e->t.name, s->e[i].file);
		if (strcmp(s->e[i].t.oid, e->t.oid) == 0)
			return ca_why(why, whylen, CA_EEXIST, "template %s: "
			    "duplicate template OID %s (also in %s)", e->file,
			    e->t.oid, s->e[i].file);
	}
	return CA_OK;
}

/* See template_set.h. */
int
template_set_load(const char *dir, struct template_set **out, char *why,
    size_t whylen)
{
	struct dirent **names = NULL;
	struct template_set *s = NULL;
	char path[4096], *buf = NULL;
	size_t len;
	int n, rc = CA_OK;

	*out = NULL;
	n = scandir(dir, &names, tmpl_filter, tmpl_cmp);
	if (n < 0)
		return ca_why(why, whylen, CA_EIO, "templates folder %s: %s", dir,
		    strerror(errno));
	if (n > TMPL_SET_MAX) {
		rc = ca_why(why, whylen, CA_ETOOBIG, "templates folder %s: more "
		    "than %d template files", dir, TMPL_SET_MAX);
		goto out;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL || (n > 0 && (s->e = calloc((size_t)n, sizeof(*s->e))) == NULL)) {
		rc = ca_why(why, whylen, CA_ENOMEM, "templates folder %s: out of "
		    "memory", dir);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		struct template_set_entry *e = &s->e[s->n];
		const char *base = names[i]->d_name;

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, base) >=
		    sizeof(path)) {
			rc = ca_why(why, whylen, CA_ETOOBIG, "template %s: path too "
			    "long", base);
			goto out;
		}
		snprintf(e->file, sizeof(e->file), "%s", base);
		if ((rc = read_file(path, base, &buf, &len, why, whylen)) != CA_OK)
			goto out;
		if (gnutls_hash_fast(GNUTLS_DIG_SHA256, buf, len, e->sha256) < 0) {
			rc = ca_why(why, whylen, CA_ECRYPTO, "template %s: SHA-256 "
			    "failed", base);
			goto out;
		}
		rc = template_parse_buf(base, buf, len, &e->t, why, whylen);
		free(buf);
		buf = NULL;
		if (rc != CA_OK)
			goto out;
		if ((rc = template_lint(&e->t, path, why, whylen)) != CA_OK ||
		    (rc = check_unique(s, e, why, whylen)) != CA_OK)
			goto out;
		s->n++;
	}
out:
	free(buf);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc != CA_OK) {
		template_set_free(s);
		return rc;
	}
	*out = s;
	return CA_OK;
}

/* See template_set.h. */
const struct template *
template_set_find(const struct template_set *set, const char *name)
{
	if (set == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < set->n; i++)
		if (strcasecmp(set->e[i].t.name, name) == 0)
			return &set->e[i].t;
	return NULL;
}

/* See template_set.h. */
size_t
template_set_count(const struct template_set *set)
{
	return set != NULL ? set->n : 0;
}

/* See template_set.h. */
const struct template_set_entry *
template_set_at(const struct template_set *set, size_t i)
{
	return set != NULL && i < set->n ? &set->e[i] : NULL;
}

/* See template_set.h. */
void
template_set_free(struct template_set *set)
{
	if (set == NULL)
		return;
	free(set->e);
	free(set);
}

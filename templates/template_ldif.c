/*
 * The LDIF reader of the AD import (see template_ldif.h). Logical lines
 * are unfolded into a bounded buffer, then split at the first ':' into
 * name and value. Pure; one reader per caller.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>

#include "common/error.h"
#include "templates/template_ldif.h"

#define LOGICAL_MAX (LDIF_VALUE_MAX * 4 / 3 + 256)	/* base64 + name */

/* One physical line: [*p, *p + *n), advancing the reader past its newline. */
static int
phys_line(struct ldif_reader *r, const char **p, size_t *n)
{
	const char *s, *nl;

	if (r->pos >= r->len)
		return 0;
	s = r->buf + r->pos;
	nl = memchr(s, '\n', r->len - r->pos);
	*p = s;
	*n = nl != NULL ? (size_t)(nl - s) : r->len - r->pos;
	r->pos += *n + (nl != NULL);
	if (*n > 0 && s[*n - 1] == '\r')
		(*n)--;
	r->line++;
	return 1;
}

/* Peek: does the next physical line continue this one (leading space)? */
static int
continues(const struct ldif_reader *r)
{
	return r->pos < r->len && r->buf[r->pos] == ' ';
}

/* Free what a record owns. */
void
ldif_record_clear(struct ldif_record *rec)
{
	for (size_t i = 0; i < rec->n; i++)
		free(rec->a[i].val);
	free(rec->dn);
	rec->dn = NULL;
	rec->n = 0;
	rec->line = 0;
}

/* Decode one "name: value" / "name:: base64" logical line into out. */
static int
split_line(char *l, size_t n, unsigned line, char *name, unsigned char **val,
    size_t *vlen, char *why, size_t whylen)
{
	char *colon = memchr(l, ':', n), *v, *semi;
	size_t nl;
	bool b64 = false;

	if (colon == NULL)
		return ca_why(why, whylen, CA_EPARSE, "LDIF line %u: expected "
		    "\"attribute: value\"", line);
	*colon = '\0';
	semi = strchr(l, ';');		/* attribute options: ;binary */
	if (semi != NULL)
		*semi = '\0';
	nl = strlen(l);
	if (nl == 0 || nl >= LDIF_ATTR_NAME_MAX)
		return ca_why(why, whylen, CA_EPARSE, "LDIF line %u: bad "
		    "attribute name", line);
	for (size_t i = 0; i < nl; i++)
		if (!isalnum((unsigned char)l[i]) && l[i] != '-' && l[i] != '.')
			return ca_why(why, whylen, CA_EPARSE, "LDIF line %u: bad "
			    "attribute name \"%s\"", line, l);
	memcpy(name, l, nl + 1);
	v = colon + 1;
	if (*v == ':') {
		b64 = true;
		v++;
	} else if (*v == '<')
		return ca_why(why, whylen, CA_EPARSE, "LDIF line %u: %s: URL "
		    "values are not supported", line, name);
	while (*v == ' ')
		v++;
	if (b64) {
		gnutls_datum_t in = { (unsigned char *)v, (unsigned)strlen(v) };
		gnutls_datum_t out = { NULL, 0 };

		if (in.size == 0) {
			*val = calloc(1, 1);
			*vlen = 0;
			return *val != NULL ? CA_OK : CA_ENOMEM;
		}
		if (gnutls_base64_decode2(&in, &out) < 0)
			return ca_why(why, whylen, CA_EPARSE, "LDIF line %u: %s: "
			    "bad base64", line, name);
		*val = malloc(out.size + 1);
		if (*val == NULL) {
			gnutls_free(out.data);
			return CA_ENOMEM;
		}
		memcpy(*val, out.data, out.size);
		(*val)[out.size] = '\0';
		*vlen = out.size;
		gnutls_free(out.data);
	} else {
		*vlen = strlen(v);
		*val = malloc(*vlen + 1);
		if (*val == NULL)
			return CA_ENOMEM;
		memcpy(*val, v, *vlen + 1);
	}
	if (*vlen > LDIF_VALUE_MAX) {
		free(*val);
		*val = NULL;
		return ca_why(why, whylen, CA_ETOOBIG, "LDIF line %u: %s: value "
		    "over %d bytes", line, name, LDIF_VALUE_MAX);
	}
	return CA_OK;
}

/* See template_ldif.h. */
int
ldif_next(struct ldif_reader *r, struct ldif_record *rec, char *why,
    size_t whylen)
{
	char *l = NULL;
	const char *p;
	size_t n, ln;
	int rc = CA_OK;

	ldif_record_clear(rec);
	l = malloc(LOGICAL_MAX + 1);
	if (l == NULL)
		return CA_ENOMEM;
	for (;;) {
		unsigned start;

		if (!phys_line(r, &p, &n))
			break;
		if (n == 0) {
			if (rec->line != 0)
				break;		/* end of this record */
			continue;		/* blank lines between records */
		}
		start = r->line;
		if (p[0] == '#') {		/* comment, maybe folded */
			while (continues(r))
				phys_line(r, &p, &n);
			continue;
		}
		if (p[0] == ' ') {
			rc = ca_why(why, whylen, CA_EPARSE, "LDIF line %u: "
			    "continuation line without a line to continue", start);
			goto out;
		}
		ln = 0;
		for (;;) {
			if (ln + n > LOGICAL_MAX) {
				rc = ca_why(why, whylen, CA_ETOOBIG, "LDIF line %u: "
				    "line longer than %d bytes", start, LOGICAL_MAX);
				goto out;
			}
			memcpy(l + ln, p, n);
			ln += n;
			if (!continues(r))
				break;
			phys_line(r, &p, &n);
			p++;			/* drop the folding space */
			n--;
		}
		l[ln] = '\0';
		if (memchr(l, '\0', ln) != NULL) {
			rc = ca_why(why, whylen, CA_EPARSE, "LDIF line %u: NUL byte",
			    start);
			goto out;
		}
		if (rec->line == 0)
			rec->line = start;
		if (strncasecmp(l, "version:", 8) == 0 && rec->n == 0 &&
		    rec->dn == NULL) {
			rec->line = 0;		/* "version: 1" header */
			continue;
		}
		{
			char name[LDIF_ATTR_NAME_MAX];
			unsigned char *val = NULL;
			size_t vlen = 0;

			rc = split_line(l, ln, start, name, &val, &vlen, why, whylen);
			if (rc != CA_OK)
				goto out;
			if (strcasecmp(name, "dn") == 0 && rec->dn == NULL &&
			    rec->n == 0) {
				rec->dn = (char *)val;
				continue;
			}
			if (rec->n >= LDIF_ATTRS_MAX) {
				free(val);
				rc = ca_why(why, whylen, CA_ETOOBIG, "LDIF line %u: "
				    "more than %d values in one record", start,
				    LDIF_ATTRS_MAX);
				goto out;
			}
			memcpy(rec->a[rec->n].name, name, sizeof(name));
			rec->a[rec->n].val = val;
			rec->a[rec->n].len = vlen;
			rec->n++;
		}
	}
out:
	free(l);
	if (rc != CA_OK) {
		ldif_record_clear(rec);
		return rc;
	}
	return rec->line != 0 ? 1 : 0;
}

/* See template_ldif.h. */
const struct ldif_attr *
ldif_get(const struct ldif_record *rec, const char *name)
{
	for (size_t i = 0; i < rec->n; i++)
		if (strcasecmp(rec->a[i].name, name) == 0)
			return &rec->a[i];
	return NULL;
}

/*
 * Internal to templates/: a small LDIF reader (RFC 2849) for the AD
 * import: records separated by blank lines, folded lines, comments,
 * base64 values ("attr:: ...") and attribute options ("attr;binary").
 * URL values ("attr:< ...") are refused. One reader per input; not shared.
 */
#ifndef ENTCA_TEMPLATES_TEMPLATE_LDIF_H
#define ENTCA_TEMPLATES_TEMPLATE_LDIF_H

#include <stddef.h>

#define LDIF_FILE_MAX (16 * 1024 * 1024)	/* whole export */
#define LDIF_VALUE_MAX (256 * 1024)		/* one decoded value */
#define LDIF_ATTRS_MAX 512			/* values per record */
#define LDIF_ATTR_NAME_MAX 64

struct ldif_attr {
	char name[LDIF_ATTR_NAME_MAX];	/* without options, as written */
	unsigned char *val;		/* decoded, NUL-terminated, owned */
	size_t len;
};

struct ldif_record {
	unsigned line;			/* line of its first line */
	char *dn;			/* owned; NULL for records without dn */
	size_t n;
	struct ldif_attr a[LDIF_ATTRS_MAX];
};

struct ldif_reader {
	const char *buf;
	size_t len, pos;
	unsigned line;
};

/*
 * Read the next record into rec (cleared first; free with
 * ldif_record_clear). Returns 1 for a record, 0 at the end, or a CA_*
 * code with why naming the line.
 */
int ldif_next(struct ldif_reader *r, struct ldif_record *rec, char *why,
    size_t whylen);

/* Free what a record owns and zero it. */
void ldif_record_clear(struct ldif_record *rec);

/* First value of attribute name (case-insensitive), or NULL. */
const struct ldif_attr *ldif_get(const struct ldif_record *rec,
    const char *name);

#endif

/*
 * Import from Active Directory: pKICertificateTemplate objects exported as
 * LDIF (ldifde, or ldapsearch of CN=Certificate Templates,CN=Public Key
 * Services,CN=Services,CN=Configuration,...) converted into entca template
 * files. msPKI-* flags, EKUs, key usage, the FILETIME periods and, from
 * nTSecurityDescriptor, the ACEs granting Enroll, AutoEnroll and read
 * (principals written as SIDs). A migration path off AD CS. Any thread.
 */
#ifndef ENTCA_TEMPLATES_TEMPLATE_IMPORT_H
#define ENTCA_TEMPLATES_TEMPLATE_IMPORT_H

#include <stddef.h>

#include "common/error.h"
#include "templates/template.h"

#define TMPL_IMPORT_MAX 256	/* templates per LDIF file */

/* One converted object: t is valid when rc is CA_OK, else why says why not. */
struct template_import_item {
	int rc;
	char why[CA_WHY_MAX];
	unsigned line;			/* LDIF line the object starts on */
	struct template t;
	char warning[CA_WHY_MAX];	/* converted, but incomplete: say so; or "" */
};

/*
 * Convert every pKICertificateTemplate object of the LDIF text
 * (records of other classes are skipped). name_for_errors names the input
 * in messages. On CA_OK *items is a malloc'd array of *n_items results the
 * caller frees with free(); an object that cannot be converted has its own
 * rc and why and does not stop the others. Each converted template has been
 * through template_write and template_parse_buf, so it is a valid file.
 * Returns CA_EPARSE (LDIF syntax, why names the line), CA_ETOOBIG,
 * CA_ENOMEM.
 */
int template_import_ldif_buf(const char *name_for_errors, const char *text,
    size_t len, struct template_import_item **items, size_t *n_items,
    char *why, size_t whylen);

/*
 * Import ldif_path and write each converted template as <name>.tmpl in
 * out_dir (mode 0644, never overwriting: O_EXCL). On CA_OK *items /
 * *n_items are as above (free with free()); items whose file could not be
 * written carry CA_EEXIST or CA_EIO. Returns CA_EIO if the LDIF cannot be
 * read, or template_import_ldif_buf's codes.
 */
int template_import_ldif(const char *ldif_path, const char *out_dir,
    struct template_import_item **items, size_t *n_items, char *why,
    size_t whylen);

/*
 * Write t as <t->name>.tmpl in dir with O_EXCL and mode 0644 (ESC4-clean).
 * Returns CA_OK, CA_EEXIST if the file exists, CA_EIO, or template_write's
 * codes; why names the file. Shared with `entca template duplicate`.
 */
int template_write_file(const struct template *t, const char *dir,
    char *path_out, size_t path_len, char *why, size_t whylen);

#endif

/*
 * Duplicating a template, as AD CS's "Duplicate Template": a copy with a
 * new display name, the name made from it, a new OID and version 100.0,
 * at least schema version 2. Pure; any thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "templates/template.h"
#include "templates/template_keys.h"
#include "templates/template_value.h"

/* See template.h. */
int
template_duplicate(const struct template *from, const char *display_name,
    struct template *out, char *why, size_t whylen)
{
	char *text = NULL;
	size_t j = 0;
	int rc;

	if (display_name[0] == '\0' || strlen(display_name) >= TMPL_NAME_MAX ||
	    !tmpl_text_valid(display_name) || display_name[0] == ' ' ||
	    display_name[strlen(display_name) - 1] == ' ')
		return ca_why(why, whylen, CA_EINVAL, "display name \"%s\": "
		    "expected printable text under %d bytes without leading or "
		    "trailing blanks", display_name, TMPL_NAME_MAX);
	memcpy(out, from, sizeof(*out));
	snprintf(out->display_name, sizeof(out->display_name), "%s", display_name);
	for (const char *p = display_name; *p != '\0'; p++)
		if (*p != ' ')
			out->name[j++] = *p;
	out->name[j] = '\0';
	if (!tmpl_name_valid(out->name))
		return ca_why(why, whylen, CA_EINVAL, "display name \"%s\" gives "
		    "the template name \"%s\", which is not valid (no / \\ : * ? "
		    "\" < > | , ; =)", display_name, out->name);
	if ((rc = tmpl_oid_derive(out->name, out->oid, sizeof(out->oid))) != CA_OK)
		return ca_why(why, whylen, rc, "cannot derive an OID for %s",
		    out->name);
	out->major_version = 100;
	out->minor_version = 0;
	out->schema_version = tmpl_schema_for_compat(out->compat_ca);
	/* Check the copy is a valid file before anyone writes it. */
	if ((rc = template_write(out, &text)) != CA_OK)
		return ca_why(why, whylen, rc, "template %s cannot be written",
		    out->name);
	rc = template_parse_buf(out->name, text, strlen(text), out, why, whylen);
	free(text);
	return rc;
}

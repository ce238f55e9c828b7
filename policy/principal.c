/*
 * Lifetime of struct principal: clear, deep copy and group appends. Pure
 * memory work; safe from any thread on distinct principals.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"
#include "policy/principal.h"

/* Free the group list and leave p as all zeroes. */
void
principal_clear(struct principal *p)
{
	if (p == NULL)
		return;
	free(p->groups);
	memset(p, 0, sizeof(*p));
}

/* Copy the scalar fields and duplicate the group array. */
int
principal_copy(struct principal *dst, const struct principal *src)
{
	*dst = *src;
	dst->groups = NULL;
	if (src->n_groups == 0)
		return CA_OK;
	dst->groups = calloc(src->n_groups, sizeof(*dst->groups));
	if (dst->groups == NULL) {
		memset(dst, 0, sizeof(*dst));
		return CA_ENOMEM;
	}
	memcpy(dst->groups, src->groups, src->n_groups * sizeof(*dst->groups));
	return CA_OK;
}

/* Copy s into a fixed field, truncating; callers pass bounded values. */
static void
copy_field(char *dst, size_t len, const char *s)
{
	if (s == NULL)
		s = "";
	strncpy(dst, s, len - 1);
	dst[len - 1] = '\0';
}

/* Groups are unique by SID, else by DN (case-insensitive, as LDAP compares). */
int
principal_add_group(struct principal *p, const char *sid, const char *dn,
    const char *name)
{
	struct principal_group *g;

	for (size_t i = 0; i < p->n_groups; i++) {
		g = &p->groups[i];
		if (sid != NULL && *sid != '\0' && strcmp(g->sid, sid) == 0)
			return CA_OK;
		if ((sid == NULL || *sid == '\0') && dn != NULL && *dn != '\0' &&
		    strcasecmp(g->dn, dn) == 0)
			return CA_OK;
	}
	if (p->n_groups >= PRINCIPAL_GROUPS_MAX)
		return CA_ETOOBIG;
	g = realloc(p->groups, (p->n_groups + 1) * sizeof(*g));
	if (g == NULL)
		return CA_ENOMEM;
	p->groups = g;
	g = &p->groups[p->n_groups++];
	copy_field(g->sid, sizeof(g->sid), sid);
	copy_field(g->dn, sizeof(g->dn), dn);
	copy_field(g->name, sizeof(g->name), name);
	return CA_OK;
}

/*
 * Reading values out of a directory entry (dir_int.h): the first value of
 * an attribute as a string, a DN in its normal LDAPv3 form, and AD's
 * computed account bits. Below lookup.c, groups.c and domain.c, which
 * all read entries, and calling none of them. Pure libldap calls on a
 * result the caller holds; any thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldap/dir_int.h"

/* Copy the first value of attr if present, non-empty of NULs and fits. */
bool
dir_attr_str(LDAP *ld, LDAPMessage *e, const char *attr, char *out,
    size_t outlen)
{
	struct berval **v = ldap_get_values_len(ld, e, attr);
	bool ok = false;

	out[0] = '\0';
	if (v != NULL && v[0] != NULL && v[0]->bv_len < outlen &&
	    memchr(v[0]->bv_val, '\0', v[0]->bv_len) == NULL) {
		memcpy(out, v[0]->bv_val, v[0]->bv_len);
		out[v[0]->bv_len] = '\0';
		ok = true;
	}
	ldap_value_free_len(v);
	return ok;
}

/* Normalise a DN to the LDAPv3 string form; false if it does not parse. */
bool
dir_dn_norm(const char *in, char *out, size_t outlen)
{
	LDAPDN dn = NULL;
	char *s = NULL;
	bool ok = false;

	if (ldap_str2dn(in, &dn, LDAP_DN_FORMAT_LDAP) != LDAP_SUCCESS)
		return false;
	if (ldap_dn2str(dn, &s, LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS &&
	    s != NULL && strlen(s) < outlen) {
		strcpy(out, s);
		ok = true;
	}
	ldap_memfree(s);
	ldap_dnfree(dn);
	return ok;
}

/* Fold AD's computed account bits (lockout, password expired) into p. */
void
dir_apply_computed_uac(struct principal *p, int64_t computed)
{
	p->uac |= (uint32_t)computed & (PRINCIPAL_UAC_LOCKOUT |
	    PRINCIPAL_UAC_PASSWORD_EXPIRED);
}

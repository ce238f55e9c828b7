/*
 * The template ACEs inside an AD nTSecurityDescriptor: a self-relative
 * SECURITY_DESCRIPTOR (MS-DTYP §2.4.6) whose DACL (§2.4.5) holds
 * ACCESS_ALLOWED/DENIED ACEs and their OBJECT variants (§2.4.4). Enroll and
 * AutoEnroll are control-access rights on the extended-right GUIDs of
 * MS-CRTD §2.5.2; read is RIGHT_DS_READ_PROPERTY or GENERIC_READ
 * (MS-DTYP §2.4.6 and MS-CRTD). Pure; any thread.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"
#include "templates/template.h"
#include "templates/template_sd.h"

#define SE_DACL_PRESENT		0x0004
#define SE_SELF_RELATIVE	0x8000
#define INHERIT_ONLY_ACE	0x08
#define ACE_ALLOWED		0x00
#define ACE_DENIED		0x01
#define ACE_ALLOWED_OBJECT	0x05
#define ACE_DENIED_OBJECT	0x06
#define OBJECT_TYPE_PRESENT	0x1
#define INHERITED_OBJECT_TYPE_PRESENT 0x2
#define DS_READ_PROPERTY	0x00000010u
#define DS_CONTROL_ACCESS	0x00000100u
#define GENERIC_ALL		0x10000000u
#define GENERIC_READ		0x80000000u
#define SD_ACES_MAX		1024	/* bound on AceCount */

/* 0e10c968-78fb-11d2-90d4-00c04f79dc55 in its wire order (Data1-3 LE). */
static const unsigned char guid_enroll[16] = {
	0x68, 0xc9, 0x10, 0x0e, 0xfb, 0x78, 0xd2, 0x11,
	0x90, 0xd4, 0x00, 0xc0, 0x4f, 0x79, 0xdc, 0x55,
};
/* a05b8cc2-17bc-4802-a710-e7c15ab866a2 */
static const unsigned char guid_autoenroll[16] = {
	0xc2, 0x8c, 0x5b, 0xa0, 0xbc, 0x17, 0x02, 0x48,
	0xa7, 0x10, 0xe7, 0xc1, 0x5a, 0xb8, 0x66, 0xa2,
};

/* Little-endian readers; callers have checked the bounds. */
static uint32_t
le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* See template_sd.h. */
int
tmpl_sid_format(const unsigned char *p, size_t len, size_t *used, char *out,
    size_t outlen)
{
	uint64_t auth = 0;
	size_t n, off;
	int w;

	if (len < 8 || p[0] != 1 || p[1] > 15 || len < 8 + 4u * p[1])
		return CA_EPARSE;
	n = p[1];
	for (int i = 2; i < 8; i++)
		auth = auth << 8 | p[i];
	if (auth < (1ULL << 32))
		w = snprintf(out, outlen, "S-1-%llu", (unsigned long long)auth);
	else
		w = snprintf(out, outlen, "S-1-0x%012llX", (unsigned long long)auth);
	off = (size_t)w;
	for (size_t i = 0; i < n && off < outlen; i++) {
		w = snprintf(out + off, outlen - off, "-%u", le32(p + 8 + 4 * i));
		off += (size_t)w;
	}
	if (off >= outlen)
		return CA_ETOOBIG;
	*used = 8 + 4 * n;
	return CA_OK;
}

/* Template rights one ACE mask grants; objtype is NULL for plain ACEs. */
static uint32_t
ace_rights(uint32_t mask, const unsigned char *objtype)
{
	uint32_t r = 0;

	if (mask & GENERIC_ALL)
		r |= TMPL_RIGHT_READ | TMPL_RIGHT_ENROLL | TMPL_RIGHT_AUTOENROLL;
	if (objtype == NULL) {
		if (mask & (DS_READ_PROPERTY | GENERIC_READ))
			r |= TMPL_RIGHT_READ;
		/* Control access without a GUID: all extended rights. */
		if (mask & DS_CONTROL_ACCESS)
			r |= TMPL_RIGHT_ENROLL | TMPL_RIGHT_AUTOENROLL;
	} else if (mask & DS_CONTROL_ACCESS) {
		if (memcmp(objtype, guid_enroll, 16) == 0)
			r |= TMPL_RIGHT_ENROLL;
		else if (memcmp(objtype, guid_autoenroll, 16) == 0)
			r |= TMPL_RIGHT_AUTOENROLL;
	}
	return r;
}

/* Merge rights into the entry for (sid, deny), appending when new. */
static int
add_ace(struct template *t, const char *sid, bool deny, uint32_t rights)
{
	for (size_t i = 0; i < t->n_aces; i++)
		if (t->aces[i].deny == deny &&
		    strcmp(t->aces[i].principal, sid) == 0) {
			t->aces[i].rights |= rights;
			return CA_OK;
		}
	if (t->n_aces >= TMPL_ACE_MAX)
		return CA_ETOOBIG;
	memset(&t->aces[t->n_aces], 0, sizeof(t->aces[0]));
	t->aces[t->n_aces].deny = deny;
	snprintf(t->aces[t->n_aces].principal, TMPL_PRINCIPAL_MAX, "%s", sid);
	t->aces[t->n_aces].rights = rights;
	t->n_aces++;
	return CA_OK;
}

/* See template_sd.h. */
int
tmpl_sd_to_aces(const unsigned char *sd, size_t len, struct template *t,
    char *why, size_t whylen)
{
	const unsigned char *acl;
	uint32_t control, dacl_off, acl_size, count, off;

	t->n_aces = 0;
	if (len < 20 || sd[0] != 1)
		return ca_why(why, whylen, CA_EPARSE, "nTSecurityDescriptor: "
		    "expected a revision 1 SECURITY_DESCRIPTOR");
	control = le16(sd + 2);
	dacl_off = le32(sd + 16);
	if (!(control & SE_SELF_RELATIVE))
		return ca_why(why, whylen, CA_EPARSE, "nTSecurityDescriptor: "
		    "expected a self-relative descriptor");
	if (!(control & SE_DACL_PRESENT) || dacl_off == 0) {
		/* A NULL DACL grants everything to everyone (MS-DTYP §2.4.6). */
		return add_ace(t, "S-1-1-0", false, TMPL_RIGHT_READ |
		    TMPL_RIGHT_ENROLL | TMPL_RIGHT_AUTOENROLL);
	}
	if (dacl_off > len || len - dacl_off < 8)
		return ca_why(why, whylen, CA_EPARSE, "nTSecurityDescriptor: "
		    "DACL offset %u outside the %zu bytes", dacl_off, len);
	acl = sd + dacl_off;
	acl_size = le16(acl + 2);
	count = le16(acl + 4);
	if (acl_size < 8 || acl_size > len - dacl_off || count > SD_ACES_MAX)
		return ca_why(why, whylen, CA_EPARSE, "nTSecurityDescriptor: "
		    "DACL size %u or ACE count %u out of bounds", acl_size, count);
	off = 8;
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *a = acl + off, *objtype = NULL, *sidp;
		uint32_t type, flags, size, mask, rights, q;
		char sid[TMPL_PRINCIPAL_MAX];
		size_t used;

		if (acl_size - off < 4)
			goto truncated;
		type = a[0];
		flags = a[1];
		size = le16(a + 2);
		if (size < 8 || size > acl_size - off)
			goto truncated;
		off += size;
		if (flags & INHERIT_ONLY_ACE)
			continue;	/* applies to children, not the template */
		if (type == ACE_ALLOWED || type == ACE_DENIED) {
			q = 8;
		} else if (type == ACE_ALLOWED_OBJECT || type == ACE_DENIED_OBJECT) {
			uint32_t of;

			if (size < 12)
				goto truncated;
			of = le32(a + 8);
			q = 12;
			if (of & OBJECT_TYPE_PRESENT) {
				if (size < q + 16)
					goto truncated;
				objtype = a + q;
				q += 16;
			}
			if (of & INHERITED_OBJECT_TYPE_PRESENT)
				q += 16;
		} else
			continue;	/* audit, callback, ...: no template right */
		if (size < q)
			goto truncated;
		mask = le32(a + 4);
		sidp = a + q;
		if (tmpl_sid_format(sidp, size - q, &used, sid, sizeof(sid)) != CA_OK)
			return ca_why(why, whylen, CA_EPARSE, "nTSecurityDescriptor: "
			    "ACE %u: bad SID", i);
		rights = ace_rights(mask, objtype);
		if (rights == 0)
			continue;
		if (add_ace(t, sid, type == ACE_DENIED || type == ACE_DENIED_OBJECT,
		    rights) != CA_OK)
			return ca_why(why, whylen, CA_ETOOBIG, "nTSecurityDescriptor: "
			    "more than %d principals with template rights",
			    TMPL_ACE_MAX);
	}
	return CA_OK;
truncated:
	return ca_why(why, whylen, CA_EPARSE, "nTSecurityDescriptor: ACE "
	    "truncated at DACL offset %u", off);
}

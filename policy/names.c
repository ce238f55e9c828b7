/*
 * The names a certificate may carry (request.h, decide_int.h): listing a
 * request's identity-bearing names with their syntax checked, matching them
 * against a principal, and the decision's rules on them once ca/ resolved
 * them in the directory: malformed names are refused (400), names of two
 * principals are refused (400, naming both), and names the directory does
 * not know are refused (403) unless the template allows names outside the
 * directory, for officers, in certificates without a SID. Pure; any thread.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/decide_int.h"
#include "policy/rights.h"

#define DNS_NAME_MAX 253	/* RFC 1035 §2.3.4, without the final dot */
#define DNS_LABEL_MAX 63
#define DN_OID_UID "0.9.2342.19200300.100.1.1"

/* Control characters (C0, DEL) anywhere: never part of a name. */
static bool
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* LDH labels (RFC 1123 §2.1), optionally a leading "*." when wild. */
static bool
dns_ok(const char *s, bool wild, const char **why)
{
	size_t n = strlen(s), label = 0;

	if (wild && strncmp(s, "*.", 2) == 0)
		s += 2;
	if (n == 0 || n > DNS_NAME_MAX) {
		*why = "not 1..253 characters";
		return false;
	}
	for (const char *p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || label > DNS_LABEL_MAX || p[-1] == '-') {
				*why = "a label is empty, longer than 63 or "
				    "ends in '-'";
				return false;
			}
			if (*p == '\0')
				return true;
			label = 0;
			continue;
		}
		if (*p == '*') {
			*why = "a wildcard is only allowed as the whole "
			    "leftmost label";
			return false;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || (*p == '-' && label > 0))) {
			*why = "a character outside letters, digits and '-'";
			return false;
		}
		label++;
	}
}

/*
 * local@domain with a DNS domain; the local part has no space and none
 * of the characters AD refuses in account names or that LDAP filters and
 * wildcards give meaning to.
 */
static bool
address_ok(const char *s, const char *bad, const char **why)
{
	const char *at = strrchr(s, '@');

	if (at == NULL || at == s || at[1] == '\0') {
		*why = "expected local@domain";
		return false;
	}
	for (const char *p = s; p < at; p++)
		if (*p == ' ' || *p == '@' || strchr(bad, *p) != NULL) {
			*why = *p == '*' ? "a wildcard '*' is not a name" :
			    "a character that names cannot have";
			return false;
		}
	if (!dns_ok(at + 1, false, why)) {
		*why = "the domain is not a DNS name";
		return false;
	}
	return true;
}

/* scheme ":" rest, RFC 3986 §3.1, no spaces. */
static bool
uri_ok(const char *s, const char **why)
{
	const char *p = s;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) {
		*why = "no URI scheme";
		return false;
	}
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	    (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (*p != ':' || strchr(s, ' ') != NULL) {
		*why = "not scheme:rest without spaces";
		return false;
	}
	return true;
}

/* An account-name token: what sAMAccountName allows, no dots or '@'. */
static bool
account_form(const char *s)
{
	if (*s == '\0' || strlen(s) > 20)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s == 0x7f || strchr("\"/\\[]:;|=,+*?<>@.",
		    *s) != NULL)
			return false;
	return true;
}

/*
 * DOMAIN\name: an account-form name after a NetBIOS name or a DNS realm
 * (which one, and whether it is this directory's, ca/ and the directory
 * decide).
 */
static bool
downlevel_form(const char *s)
{
	const char *bs = strchr(s, '\\'), *why;
	char dom[DNS_NAME_MAX + 1];

	if (bs == NULL || bs == s || (size_t)(bs - s) > DNS_NAME_MAX ||
	    !account_form(bs + 1))
		return false;
	memcpy(dom, s, (size_t)(bs - s));
	dom[bs - s] = '\0';
	return dns_ok(dom, false, &why);
}

/*
 * A value that is not pure ASCII but, once the fullwidth forms of ASCII
 * (U+FF01..U+FF5E) are folded, holds only what account names, UPNs and
 * DOMAIN\name hold (ASCII letters, digits, . - _ @ \ and letters from
 * other scripts): "ｐｋｉadmin", "pkiadmіn" with a Cyrillic i. Without a
 * confusables table entca cannot tell which other-script letters look like
 * ASCII ones, so any such value is refused; display names with a space
 * ("José Müller") are not account-shaped and pass. Valid UTF-8 only.
 */
static bool
account_lookalike(const char *v, size_t len)
{
	bool ascii = true;

	for (size_t i = 0, n = 1; i < len; i += n) {
		const unsigned char *s = (const unsigned char *)v + i;
		uint32_t c = s[0];

		n = 1;
		if (c >= 0x80) {
			ascii = false;
			n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			c = c >= 0xf0 ? 0x10000 : c >= 0xe0 ?
			    (uint32_t)(s[0] & 0x0f) << 12 |
			    (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f) :
			    (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
			if (c >= 0xff01 && c <= 0xff5e)
				c -= 0xfee0;	/* fullwidth ASCII */
		}
		if (c < 0x80 && !((c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    (c != 0 && strchr(".-_@\\", (int)c) != NULL)))
			return false;
	}
	return !ascii;
}

#define UPN_BAD "\"*()\\,;<>[]:|=?"
#define MAIL_BAD "\"()\\,;<>[]:"

/* Append one name; the first syntax rule it breaks makes it MALFORMED. */
static void
add_name(struct policy_names *out, const char *what, enum policy_name_key key,
    bool san, const char *value, size_t len)
{
	struct policy_name *n;
	const char *why = NULL;
	bool ok = true;

	if (out->n >= POLICY_NAMES_MAX) {
		out->overflow = true;	/* refused: unchecked names never pass */
		return;
	}
	n = &out->v[out->n++];
	memset(n, 0, sizeof(*n));
	n->what = what;
	n->key = key;
	n->san = san;
	if (len >= sizeof(n->value) || memchr(value, 0, len) != NULL) {
		snprintf(n->value, sizeof(n->value), "%.*s", (int)(len > 64 ?
		    64 : len), value);
		n->state = POLICY_NAME_BAD;
		snprintf(n->why, sizeof(n->why), "too long or contains NUL");
		return;
	}
	memcpy(n->value, value, len);
	n->value[len] = '\0';
	if (has_control(n->value)) {
		ok = false;
		why = "contains a control character";
	} else if (key == POLICY_NAME_KEY_UPN) {
		ok = address_ok(n->value, UPN_BAD, &why);
	} else if (key == POLICY_NAME_KEY_MAIL) {
		ok = address_ok(n->value, MAIL_BAD, &why);
	} else if (key == POLICY_NAME_KEY_DNS) {
		ok = dns_ok(n->value, true, &why);
	} else if (key == POLICY_NAME_KEY_NONE) {
		ok = uri_ok(n->value, &why);
	} else if (key == POLICY_NAME_KEY_ACCOUNT) {
		ok = account_form(n->value) || downlevel_form(n->value);
		why = "not an account name (name or DOMAIN\\name)";
	}
	if (!ok) {
		n->state = POLICY_NAME_BAD;
		snprintf(n->why, sizeof(n->why), "%s", why);
	}
}

/* Append a name that is refused whatever the directory says. */
static void
add_bad(struct policy_names *out, const char *what, const char *value,
    size_t len, const char *why)
{
	size_t at = out->n;

	add_name(out, what, POLICY_NAME_KEY_NONE, false, value, len);
	if (out->n > at) {
		out->v[at].state = POLICY_NAME_BAD;
		snprintf(out->v[at].why, sizeof(out->v[at].why), "%s", why);
	}
}

/*
 * The subject's identity-bearing values: E (a mail address), a UID shaped
 * like an account name, DOMAIN\name or UPN (never text: nobody's is
 * outside the directory; a UID AD could not hold as an account name, "j+s",
 * names nobody and is text), and a CN shaped like DOMAIN\name, a UPN, a
 * DNS name or an account name. A value that
 * dn_check_value refuses (controls, invisible characters, edge spaces) is
 * left to it: the profile refuses it naming the code point. A CN or UID
 * that looks like an account name but is not ASCII is refused here.
 */
static void
subject_names(const struct policy_request *r, struct policy_names *out)
{
	const char *why;
	char w[CA_WHY_MAX];
	struct dn *dn;

	if (r->subject_len <= 2 || (dn = malloc(sizeof(*dn))) == NULL)
		return;
	if (dn_parse_der(r->subject_der, r->subject_len, dn, NULL, 0) ==
	    CA_OK) {
		for (size_t i = 0; i < dn->n; i++) {
			const struct dn_ava *a = &dn->ava[i];
			char v[POLICY_SAN_VALUE_MAX];
			bool cn = strcmp(a->oid, DN_OID_CN) == 0;
			bool uid = strcmp(a->oid, DN_OID_UID) == 0;
			const char *what = uid ? "subject UID" : "subject CN";

			if (a->raw || a->len >= sizeof(v) ||
			    dn_check_value(a, w, sizeof(w)) != CA_OK)
				continue;	/* dn_check_values refuses */
			memcpy(v, a->value, a->len);
			v[a->len] = '\0';
			if (strcmp(a->oid, DN_OID_EMAIL) == 0)
				add_name(out, "subject E", POLICY_NAME_KEY_MAIL,
				    false, v, a->len);
			else if (!cn && !uid)
				continue;	/* text: README, names */
			else if (account_lookalike(v, a->len))
				add_bad(out, what, v, a->len, "looks like an "
				    "account name but is not ASCII");
			else if (uid && strchr(v, '@') != NULL)
				add_name(out, what, POLICY_NAME_KEY_UPN,
				    false, v, a->len);
			else if ((uid && account_form(v)) ||
			    (strchr(v, '\\') != NULL && downlevel_form(v)))
				add_name(out, what, POLICY_NAME_KEY_ACCOUNT,
				    false, v, a->len);
			else if (strchr(v, '@') != NULL &&
			    address_ok(v, UPN_BAD, &why))
				add_name(out, what, POLICY_NAME_KEY_UPN,
				    false, v, a->len);
			else if (strchr(v, '.') != NULL && dns_ok(v, true, &why))
				add_name(out, what, POLICY_NAME_KEY_DNS,
				    false, v, a->len);
			else if (account_form(v))
				add_name(out, what, POLICY_NAME_KEY_SAM,
				    false, v, a->len);
			/* else a display name: text, names nobody */
		}
	}
	free(dn);
}

/* See request.h. */
void
policy_names_list(const struct policy_request *r, struct policy_names *out)
{
	static const char *const sid_what[] = {
		[POLICY_SID_NONE] = "SID",
		[POLICY_SID_EXTENSION] = "SID extension",
		[POLICY_SID_ATTRIBUTE] = "SID attribute",
		[POLICY_SID_SAN_URL] = "SID URL",
	};

	memset(out, 0, sizeof(*out));
	if (r == NULL)
		return;
	if (r->sid[0] != '\0')
		add_name(out, sid_what[r->sid_source], POLICY_NAME_KEY_SID,
		    r->sid_source == POLICY_SID_SAN_URL, r->sid,
		    strlen(r->sid));
	for (size_t i = 0; i < r->n_sans; i++) {
		const struct policy_san *s = &r->sans[i];
		const char *v = s->value;

		switch (s->type) {
		case POLICY_SAN_UPN:
			add_name(out, "SAN UPN", POLICY_NAME_KEY_UPN, true, v,
			    strlen(v));
			break;
		case POLICY_SAN_EMAIL:
			add_name(out, "SAN email", POLICY_NAME_KEY_MAIL, true, v,
			    strlen(v));
			break;
		case POLICY_SAN_DNS:
			add_name(out, "SAN DNS", POLICY_NAME_KEY_DNS, true, v,
			    strlen(v));
			break;
		case POLICY_SAN_URI:
			/* A SID URL is listed as the request's SID. */
			if (strncasecmp(v, POLICY_SID_URL_PREFIX,
			    strlen(POLICY_SID_URL_PREFIX)) == 0) {
				if (strcasecmp(v + strlen(POLICY_SID_URL_PREFIX),
				    r->sid) != 0)
					add_name(out, "SID URL",
					    POLICY_NAME_KEY_SID, true,
					    v + strlen(POLICY_SID_URL_PREFIX),
					    strlen(v) -
					    strlen(POLICY_SID_URL_PREFIX));
				break;
			}
			add_name(out, "SAN URI", POLICY_NAME_KEY_NONE, true, v,
			    strlen(v));
			break;
		default:
			break;		/* refused when the profile is built */
		}
	}
	subject_names(r, out);
}

/* See request.h. */
bool
policy_name_is(const struct policy_name *n, const struct principal *p)
{
	size_t len;

	if (p == NULL)
		return false;
	switch (n->key) {
	case POLICY_NAME_KEY_SID:
		return p->sid[0] != '\0' && strcasecmp(p->sid, n->value) == 0;
	case POLICY_NAME_KEY_UPN:
		/* A CN shaped like user@domain may be the UPN or the mail. */
		if (!n->san && p->mail[0] != '\0' &&
		    strcasecmp(p->mail, n->value) == 0)
			return true;
		return p->upn[0] != '\0' && strcasecmp(p->upn, n->value) == 0;
	case POLICY_NAME_KEY_MAIL:
		return p->mail[0] != '\0' && strcasecmp(p->mail, n->value) == 0;
	case POLICY_NAME_KEY_DNS:
		return p->dns[0] != '\0' && strcasecmp(p->dns, n->value) == 0;
	case POLICY_NAME_KEY_SAM:
		len = strlen(p->sam);
		if (len > 0 && p->sam[len - 1] == '$')
			len--;	/* a computer's CN omits the '$' */
		return p->sam[0] != '\0' && (strcasecmp(p->sam, n->value) == 0 ||
		    (strlen(n->value) == len &&
		    strncasecmp(p->sam, n->value, len) == 0));
	case POLICY_NAME_KEY_ACCOUNT:
		if (strchr(n->value, '\\') != NULL)
			return policy_account_name_is(n->value, p);
		len = strlen(p->sam);
		if (len > 0 && p->sam[len - 1] == '$')
			len--;
		return p->sam[0] != '\0' && (strcasecmp(p->sam, n->value) == 0 ||
		    (strlen(n->value) == len &&
		    strncasecmp(p->sam, n->value, len) == 0));
	default:
		return false;
	}
}

/* See request.h. */
void
policy_name_resolved(struct policy_name *n, const struct principal *p)
{
	n->state = POLICY_NAME_FOUND;
	snprintf(n->sid, sizeof(n->sid), "%s", p->sid);
	snprintf(n->dn, sizeof(n->dn), "%s", p->dn);
	snprintf(n->who, sizeof(n->who), "%s", p->sam[0] ? p->sam :
	    p->upn[0] ? p->upn : p->sid);
}

/* Same principal: SID when both have one, else DN. */
static bool
same_owner(const char *sid1, const char *dn1, const char *sid2,
    const char *dn2)
{
	if (sid1[0] != '\0' && sid2[0] != '\0')
		return strcasecmp(sid1, sid2) == 0;
	return dn1[0] != '\0' && strcasecmp(dn1, dn2) == 0;
}

/* The decision's rules on names (decide_int.h). */
bool
names_check(const struct policy_input *in, bool officer,
    const struct principal *subj, struct policy_decision *out)
{
	const struct template *t = in->tmpl;
	const struct policy_names *names = in->names;
	struct policy_names *own = NULL;
	const struct policy_name *first = NULL, *gone = NULL;
	char list[CA_WHY_MAX / 2] = "";
	size_t o = 0;
	bool ok = false;

	if (in->req == NULL)
		return true;
	if (names == NULL) {
		/* Nobody resolved them: only the subject's own names count
		 * as resolved (fail closed). */
		if ((own = malloc(sizeof(*own))) == NULL) {
			decide_deny(out, POLICY_SUBJECT, "names: out of memory");
			return false;
		}
		policy_names_list(in->req, own);
		for (size_t i = 0; i < own->n; i++)
			if (own->v[i].state == POLICY_NAME_OPEN &&
			    policy_name_is(&own->v[i], subj))
				policy_name_resolved(&own->v[i], subj);
		names = own;
	}
	if (names->overflow) {
		decide_deny(out, POLICY_NAME_MALFORMED, "names: the request "
		    "carries more than %d identity names", POLICY_NAMES_MAX);
		goto out;
	}
	for (size_t i = 0; i < names->n; i++) {
		const struct policy_name *n = &names->v[i];
		if (n->state == POLICY_NAME_BAD) {
			decide_deny(out, POLICY_NAME_MALFORMED, "%s %.200s is "
			    "malformed: %s", n->what, n->value, n->why);
			goto out;
		}
		/* Several accounts have it (Certifried): whose is unknown,
		 * so it is refused even where unresolved names are allowed. */
		if (n->state == POLICY_NAME_AMBIGUOUS) {
			decide_deny(out, POLICY_NAME_CONFLICT, "names: %s "
			    "%.200s is %s", n->what, n->value, n->why);
			goto out;
		}
	}
	for (size_t i = 0; i < names->n; i++) {
		const struct policy_name *n = &names->v[i];
		if (n->state != POLICY_NAME_FOUND)
			continue;
		if (first == NULL) {
			first = n;
			continue;
		}
		if (!same_owner(first->sid, first->dn, n->sid, n->dn)) {
			decide_deny(out, POLICY_NAME_CONFLICT, "names: the "
			    "request names two principals: %s %.200s is %s, "
			    "%s %.200s is %s", first->what, first->value,
			    first->who, n->what, n->value, n->who);
			goto out;
		}
	}
	if (first != NULL && subj != NULL &&
	    !same_owner(first->sid, first->dn, subj->sid, subj->dn)) {
		decide_deny(out, POLICY_NAME_CONFLICT, "names: the request "
		    "names two principals: %s %.200s is %s, the certificate "
		    "would be for %s", first->what, first->value, first->who,
		    subj->sam[0] ? subj->sam : subj->sid);
		goto out;
	}
	for (size_t i = 0; i < names->n; i++) {
		const struct policy_name *n = &names->v[i];
		int w;
		/* An account-form CN nobody has is a display name. */
		if (n->state != POLICY_NAME_OPEN ||
		    n->key == POLICY_NAME_KEY_SAM)
			continue;
		if (gone == NULL)
			gone = n;
		w = snprintf(list + o, sizeof(list) - o, "%s%s %.100s",
		    o ? ", " : "", n->what, n->value);
		if (w > 0 && (size_t)w < sizeof(list) - o)
			o += (size_t)w;
	}
	if (gone != NULL && !t->allow_unresolved_names) {
		decide_deny(out, POLICY_NAME_UNRESOLVED, "names: %s %.200s is "
		    "not in the directory; template %s does not allow names "
		    "outside the directory", gone->what, gone->value, t->name);
		goto out;
	}
	if (gone != NULL && !officer) {
		decide_deny(out, POLICY_FOREIGN_SAN, "names: %s %.200s is not "
		    "in the directory; only a CA officer may name names "
		    "outside it", gone->what, gone->value);
		goto out;
	}
	if (gone != NULL && t->subject == TMPL_SUBJECT_SUPPLY_IN_REQUEST) {
		out->profile.outside_directory = true;
		decide_note(out, "names outside the directory (%s): no SID "
		    "extension and no SID URL", list);
	}
	ok = true;
out:
	free(own);
	return ok;
}

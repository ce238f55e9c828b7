/*
 * Debug explanations of authentication and rights (see explain.h). The
 * matching repeats policy/'s rule through its public policy_ace_names():
 * an entry matches the account itself, or a group when it names that
 * group's SID, DN or name, so the log shows the path policy/ took.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ca/daemon/explain.h"
#include "common/log.h"
#include "policy/rights.h"

static void put(char *out, size_t outlen, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Append to out at *off, bounded; a full buffer ends in "...". */
static void
put(char *out, size_t outlen, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= outlen)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out + *off, outlen - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= outlen - *off) {
		*off = outlen;
		if (outlen > 4)
			memcpy(out + outlen - 4, "...", 4);
		return;
	}
	*off += (size_t)n;
}

/* How one entry names p: the account, a group (into via), or not at all. */
static bool
ace_path(const char *who, const struct principal *p, char *via, size_t vlen)
{
	struct principal g;

	if (policy_ace_names(who, p)) {
		snprintf(via, vlen, "the account itself");
		return true;
	}
	for (size_t i = 0; i < p->n_groups; i++) {
		memset(&g, 0, sizeof(g));
		snprintf(g.sid, sizeof(g.sid), "%s", p->groups[i].sid);
		snprintf(g.dn, sizeof(g.dn), "%s", p->groups[i].dn);
		snprintf(g.sam, sizeof(g.sam), "%s", p->groups[i].name);
		if (policy_ace_names(who, &g)) {
			snprintf(via, vlen, "group %s",
			    *g.dn ? g.dn : *g.sam ? g.sam : g.sid);
			return true;
		}
	}
	return false;
}

/* Every entry of aces that names p, with how and which rights; see explain.h. */
void
explain_rights_text(const struct principal *p, const struct tmpl_ace *aces,
    size_t n, const char *const *names, size_t n_names, char *out,
    size_t outlen)
{
	char via[PRINCIPAL_DN_MAX + 16], rights[128];
	size_t off = 0, r;
	bool any = false;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!ace_path(aces[i].principal, p, via, sizeof(via)))
			continue;
		r = 0;
		rights[0] = '\0';
		for (size_t b = 0; b < n_names; b++)
			if (aces[i].rights & (1u << b))
				r += (size_t)snprintf(rights + r,
				    r < sizeof(rights) ? sizeof(rights) - r : 0,
				    "%s%s", r ? ", " : "", names[b]);
		put(out, outlen, &off, "%s%s '%s' via %s: %s", any ? "; " : "",
		    aces[i].deny ? "deny" : "allow", aces[i].principal, via,
		    rights);
		any = true;
	}
	if (!any)
		snprintf(out, outlen, "no entry matches (no right)");
}

/*
 * One debug line per rights list; nothing for an anonymous job. The text
 * walks every entry against every group of the account, so it is built
 * only when debug lines are written: at other levels it cost a connector
 * in 100 groups a quarter of entcad's CPU per enrollment.
 */
void
explain_rights(const struct job *j, const char *what,
    const struct tmpl_ace *aces, size_t n, const char *const *names,
    size_t n_names)
{
	char text[1024];

	if (!j->authenticated || !log_enabled(LOG_LEVEL_DEBUG))
		return;
	explain_rights_text(&j->who, aces, n, names, n_names, text,
	    sizeof(text));
	log_debug("%s %s: %s rights for %s: %s", j->method, j->path, what,
	    *j->who.dn ? j->who.dn : j->who.sam, text);
}

/* One debug line: who, how the directory checked it, how groups were found. */
void
explain_auth(const struct job *j, const struct directory_auth_log *alog)
{
	log_debug("%s %s from %s: authenticated %s (%s); %s; %zu groups%s%s",
	    j->method, j->path, j->peer,
	    *j->who.dn ? j->who.dn : j->who.sam, j->who.sid,
	    alog == NULL ? "TLS client certificate mapped in the directory" :
	    alog->cached ? "password bind answered from the cache" :
	    "password bind checked by the directory", j->who.n_groups,
	    alog != NULL && alog->groups_path != NULL ? ", groups via " : "",
	    alog != NULL && alog->groups_path != NULL ? alog->groups_path : "");
}

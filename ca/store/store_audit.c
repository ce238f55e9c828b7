/*
 * Audit events from named fields (see store_audit.h). The JSON is built
 * with jansson like a request's event, so both read back the same way.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/error.h"
#include "common/log.h"
#include "ca/store/store.h"
#include "ca/store/store_audit.h"

/* A JSON string; text that is not UTF-8 is kept as log_escape renders it. */
static json_t *
audit_str(const char *s)
{
	char safe[1024];
	json_t *v = json_string(s);

	if (v != NULL)
		return v;
	log_escape(s, strlen(s), safe, sizeof(safe));
	return json_string(safe);
}

/* The event's text; see store_audit.h. */
char *
store_audit_json(long long now, const char *who, const char *from,
    const char *action, const char *decision, const char *reason, va_list ap)
{
	json_t *ev = json_object();
	const char *k, *v;
	char *s;

	if (ev == NULL)
		return NULL;
	json_object_set_new(ev, "time", json_integer(now));
	json_object_set_new(ev, "who", audit_str(who != NULL ? who : ""));
	json_object_set_new(ev, "from", audit_str(from != NULL ? from : ""));
	json_object_set_new(ev, "action", audit_str(action));
	json_object_set_new(ev, "decision", audit_str(decision));
	json_object_set_new(ev, "reason", audit_str(reason != NULL ? reason : ""));
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (v != NULL && *v != '\0')
			json_object_set_new(ev, k, audit_str(v));
	}
	s = json_dumps(ev, JSON_COMPACT);
	json_decref(ev);
	return s;
}

/* Writer: append one prepared event. */
static int
append_apply(struct store_wtxn *w, void *arg)
{
	return store_w_audit(w, arg, NULL);
}

/*
 * Build the event from the fields and ap, and append it: in w's write
 * when w is not NULL (a failure sticks on w), else as its own write on s,
 * waited for (why says what failed). The JSON is built on the caller's
 * thread either way, so the writer only appends.
 */
static int
audit_append(struct store_wtxn *w, struct store *s, char *why,
    size_t whylen, long long now, const char *who, const char *from,
    const char *action, const char *decision, const char *reason,
    va_list ap)
{
	char *json = store_audit_json(now, who, from, action, decision,
	    reason, ap);
	int rc;

	if (json == NULL && w != NULL)
		rc = store_w_fail(w, CA_ENOMEM, "audit: out of memory");
	else if (json == NULL)
		rc = ca_why(why, whylen, CA_ENOMEM, "audit: out of memory");
	else if (w != NULL)
		rc = store_w_audit(w, json, NULL);
	else
		rc = store_submit_wait(s, append_apply, json, why, whylen);
	free(json);
	return rc;
}

/* In the current write; see store_audit.h. */
int
store_w_audit_event(struct store_wtxn *w, long long now, const char *who,
    const char *from, const char *action, const char *decision,
    const char *reason, ...)
{
	va_list ap;
	int rc;

	va_start(ap, reason);
	rc = audit_append(w, NULL, NULL, 0, now, who, from, action, decision,
	    reason, ap);
	va_end(ap);
	return rc;
}

/* As its own write; see store_audit.h. */
int
store_audit_event(struct store *s, char *why, size_t whylen, long long now,
    const char *who, const char *from, const char *action,
    const char *decision, const char *reason, ...)
{
	va_list ap;
	int rc;

	va_start(ap, reason);
	rc = audit_append(NULL, s, why, whylen, now, who, from, action,
	    decision, reason, ap);
	va_end(ap);
	return rc;
}

/*
 * Audit events built from named fields, for the events that are not
 * requests (CRL publication, template changes, configuration reloads,
 * CA security changes). Each is one JSON object in the store's audit
 * database, with the same fields as a request's event (time, who, from,
 * action, decision, reason) plus the event's own.
 */
#ifndef ENTCA_CA_STORE_AUDIT_H
#define ENTCA_CA_STORE_AUDIT_H

#include <stdarg.h>
#include <stddef.h>

struct store;
struct store_wtxn;

/*
 * The event as JSON text (malloc'd, the caller frees; NULL on memory
 * failure): now, who, from, action, decision, reason, then key/value
 * string pairs ending with a NULL key; empty values are left out.
 * Strings that are not UTF-8 are stored \xNN-escaped. Any thread.
 */
char *store_audit_json(long long now, const char *who, const char *from,
    const char *action, const char *decision, const char *reason, va_list ap);

/* Append the event in the current write (writer thread, inside apply). */
int store_w_audit_event(struct store_wtxn *w, long long now, const char *who,
    const char *from, const char *action, const char *decision,
    const char *reason, ...);

/*
 * Append the event as its own write and wait for its commit. Any thread
 * but the writer; why says what failed.
 */
int store_audit_event(struct store *s, char *why, size_t whylen,
    long long now, const char *who, const char *from, const char *action,
    const char *decision, const char *reason, ...);

#endif

/*
 * Internal to templates/: the parse context shared by the INI driver
 * (template_parse.c) and the [template] key handlers and cross-key rules
 * (template_keys.c). One context per parse; no sharing between threads.
 */
#ifndef ENTCA_TEMPLATES_TEMPLATE_KEYS_H
#define ENTCA_TEMPLATES_TEMPLATE_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "templates/template.h"

/* The [template] keys, in the order the writer emits them. */
enum tmpl_key {
	TK_DISPLAY_NAME = 0, TK_NAME, TK_SCHEMA_VERSION, TK_VERSION, TK_OID,
	TK_VALIDITY, TK_RENEWAL, TK_PUBLISH, TK_COMPAT_CA, TK_COMPAT_RECIPIENT,
	TK_PURPOSE, TK_EXPORT, TK_SERVER_KEYGEN, TK_KEY_ALGORITHMS,
	TK_MIN_KEY_SIZE, TK_HASH, TK_SUBJECT, TK_SUBJECT_FORMAT, TK_SAN,
	TK_POLICIES, TK_EKU_CRITICAL, TK_KEY_USAGE, TK_KU_CRITICAL,
	TK_SID_EXTENSION, TK_CA, TK_PATH_LENGTH, TK_REQUIRE_APPROVAL,
	TK_AUTHORIZED_SIGNATURES, TK_RA_POLICY, TK_SUPERSEDES,
	TK_ALLOW_DANGEROUS, TK_RENEWAL_MODE, TK_CHANNEL_BINDING,
	TK_ALLOW_UNRESOLVED, TK_SUBJECT_EMAIL,
	TK_COUNT
};

extern const char *const tmpl_key_names[TK_COUNT];

struct tmpl_pctx {
	const char *file;		/* name for messages */
	const char *buf;		/* the whole file */
	size_t len, pos;
	unsigned line;			/* line inih is on (1-based) */
	bool unterminated;		/* that line has no newline */
	bool indented;			/* that line starts with a blank */
	bool continuation;		/* inih joined it to the previous key */
	bool have_prev;			/* a key was seen in this section */
	bool stop;
	char section[64];
	char prev_name[64];		/* key of the previous handler call */
	struct template *t;
	unsigned key_line[TK_COUNT];	/* 0: not in the file */
	enum tmpl_key last_key;
	int rc;
	unsigned err_line;
	char *why;
	size_t whylen;
};

/* template_keys.c: record the first error of the parse as "template F line N: <msg>". */
void tmpl_perr(struct tmpl_pctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Apply one [template] key (errors go through tmpl_perr). */
void tmpl_key_set(struct tmpl_pctx *c, const char *name, char *value);

/* Cross-key rules and derived values after the last line; returns c->rc. */
int tmpl_finish(struct tmpl_pctx *c);


/* True when principal (SID, DN or name) is a group nearly everyone is in. */
bool tmpl_principal_broad(const char *principal);

#endif

/*
 * Template set loading and sharing (see templates_load.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ca/daemon/daemon.h"
#include "ca/store/store.h"
#include "ca/store/store_audit.h"
#include "common/clock.h"
#include "ca/daemon/templates_load.h"
#include "templates/template_set.h"

/* Names kept by one compile job. */
struct compile {
	const char *dir;		/* the folder, for the audit */
	struct template_set *set;
	char (*names)[STORE_TEMPLATE_NAME_MAX];
	size_t n_names;
};

/* Collect the names already in the store so stale ones can be removed. */
static int
collect_name(const struct store_template *tp, void *arg)
{
	struct compile *c = arg;
	void *p = realloc(c->names, (c->n_names + 1) * sizeof(*c->names));

	if (p == NULL)
		return CA_ENOMEM;
	c->names = p;
	memcpy(c->names[c->n_names++], tp->name, sizeof(tp->name));
	return 0;
}

/* Writer thread: replace the templates db with the set. */
static int
compile_apply(struct store_wtxn *w, void *arg)
{
	struct compile *c = arg;
	const struct template_set_entry *e;
	char *text;
	int rc;

	rc = store_iter_templates(store_w_txn(w), collect_name, c);
	if (rc != CA_OK)
		return store_w_fail(w, rc, "templates: cannot list the stored set");
	for (size_t i = 0; i < c->n_names; i++)
		if (template_set_find(c->set, c->names[i]) == NULL) {
			store_w_del_template(w, c->names[i]);
			store_w_audit_event(w, ca_now(), "templates-dir", c->dir,
			    "template-remove", "done", "", "template", c->names[i], NULL);
		}
	for (size_t i = 0; i < template_set_count(c->set); i++) {
		struct store_template old;
		char hex[2 * STORE_HASH_LEN + 1];
		bool had;

		e = template_set_at(c->set, i);
		/* A new or changed template file is an audit event; an
		 * unchanged one (every start, every reload) is not. */
		memset(&old, 0, sizeof(old));
		had = store_get_template(store_w_txn(w), e->t.name, &old) == CA_OK;
		if (!had || memcmp(old.hash, e->sha256, STORE_HASH_LEN) != 0) {
			for (size_t k = 0; k < STORE_HASH_LEN; k++)
				snprintf(hex + 2 * k, 3, "%02x", e->sha256[k]);
			store_w_audit_event(w, ca_now(), "templates-dir", c->dir,
			    "template-load", "done", had ? "changed" : "new",
			    "template", e->t.name, "sha256", hex, NULL);
		}
		store_template_clear(&old);
		if (template_write(&e->t, &text) != CA_OK)
			return store_w_fail(w, CA_ENOMEM, "template %s: cannot serialize", e->t.name);
		store_w_put_template(w, e->t.name, text, strlen(text), e->sha256);
		free(text);
	}
	return store_w_status(w);
}

/* Load, lint and compile a templates folder into the store. */
int
templates_load(const char *dir, struct store *st, struct daemon_templates **out,
    char *why, size_t whylen)
{
	struct compile c = { .dir = dir };
	struct daemon_templates *t;
	int rc;

	*out = NULL;
	rc = template_set_load(dir, &c.set, why, whylen);
	if (rc != CA_OK)
		return rc;
	if (st != NULL) {
		rc = store_submit_wait(st, compile_apply, &c, why, whylen);
		free(c.names);
		if (rc != CA_OK) {
			template_set_free(c.set);
			return rc;
		}
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		template_set_free(c.set);
		return CA_ENOMEM;
	}
	t->set = c.set;
	t->refs = 1;
	*out = t;
	return CA_OK;
}

/* Take a reference on the current set (loop thread). */
struct daemon_templates *
daemon_templates_get(struct daemon *d)
{
	struct daemon_templates *t = d->templates;

	if (t != NULL)
		__atomic_add_fetch(&t->refs, 1, __ATOMIC_ACQ_REL);
	return t;
}

/* Drop a reference; the last one frees the set. */
void
daemon_templates_put(struct daemon_templates *t)
{
	if (t == NULL)
		return;
	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		template_set_free(t->set);
		free(t);
	}
}

/* The template named name in the set, or NULL. */
const struct template *
templates_find(const struct daemon_templates *t, const char *name)
{
	if (t == NULL || name == NULL)
		return NULL;
	return template_set_find(t->set, name);
}

/* How many templates the set holds. */
size_t
templates_count(const struct daemon_templates *t)
{
	return t == NULL ? 0 : template_set_count(t->set);
}

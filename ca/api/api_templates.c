/*
 * GET /api/v1/templates (each with whether the CA issues it), GET
 * /api/v1/templates/<name> (JSON, or the canonical template file with
 * Accept: text/plain), and POST /api/v1/templates/<name>/issue and
 * /unissue (the CA admin right): the [ca] issue-templates line of
 * entcad.conf is rewritten as `entca template issue` does, checked as
 * `entcad -t` checks, audited, and the running daemon reloads it at once.
 * Reads: officer, admin or auditor. Setup on the loop (it takes a
 * reference on the template set), work on a worker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ca/api/api_int.h"
#include "ca/daemon/daemon.h"
#include "ca/daemon/settings.h"
#include "ca/daemon/templates_load.h"
#include "policy/rights.h"
#include "templates/template.h"
#include "templates/template_set.h"

#define TPL_READ_RIGHTS (CA_RIGHT_OFFICER | CA_RIGHT_ADMIN | CA_RIGHT_AUDITOR)
#define TPL_LIST_TEXT_MAX 4096	/* the issue-templates line */

/* One templates call. */
struct tpl_call {
	char name[TMPL_NAME_MAX];
	bool issue;
	char canonical[TMPL_NAME_MAX];	/* the template's own spelling */
};

/* A templates call: what the routes' setups fill. */
const struct api_ctx api_templates_ctx = { sizeof(struct tpl_call), free };

/* The template set's entries (the set the daemon serves with). */
static const struct template_set *
tpl_set(const struct job *j)
{
	return j->tset != NULL ? j->tset->set : NULL;
}

/* The summary of one template. */
static json_t *
tpl_summary(const struct job *j, const struct template *t)
{
	char version[32];

	snprintf(version, sizeof(version), "%u.%u", t->major_version,
	    t->minor_version);
	return json_pack("{s:s,s:s,s:s,s:s,s:i,s:b,s:b,s:b}",
	    "name", t->name, "display_name", t->display_name, "oid", t->oid,
	    "version", version, "schema_version", (int)t->schema_version,
	    "issued", config_issues_template(j->cfg, t->name),
	    "require_approval", t->require_approval,
	    "server_key_generation", t->server_key_generation);
}

/* Worker: GET /api/v1/templates. */
static void
tpl_list_work(struct job *j)
{
	const struct template_set *set = tpl_set(j);
	json_t *list;

	if (!api_require(j, TPL_READ_RIGHTS, "templates"))
		return;
	list = json_array();
	for (size_t i = 0; set != NULL && i < template_set_count(set); i++)
		json_array_append_new(list, tpl_summary(j,
		    &template_set_at(set, i)->t));
	job_json(j, 200, json_pack("{s:o}", "templates", list));
}

/*
 * The canonical text as JSON: [section] key = value lines become
 * {"template": {key: value}, "security": [{"kind","principal","rights"}]}.
 */
static json_t *
tpl_text_json(const char *text)
{
	json_t *tpl = json_object(), *sec = json_array();
	char section[32] = "", line[TMPL_LINE_MAX + 2], key[64], *eq, *v;
	const char *p = text, *nl;
	size_t n;

	for (; *p != '\0'; p = *nl ? nl + 1 : nl) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		n = (size_t)(nl - p) < sizeof(line) - 1 ? (size_t)(nl - p) : sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (line[0] == '[') {
			sscanf(line, "[%31[^]]", section);
			continue;
		}
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		n = (size_t)(eq - line);
		while (n > 0 && line[n - 1] == ' ')
			n--;
		snprintf(key, sizeof(key), "%.*s", (int)n, line);
		for (v = eq + 1; *v == ' '; v++)
			;
		if (strcmp(section, "security") == 0) {
			char *colon = strrchr(v, ':');
			json_t *rights = json_array();
			char *r, *save = NULL;

			if (colon == NULL)
				continue;
			*colon = '\0';
			for (n = strlen(v); n > 0 && v[n - 1] == ' '; n--)
				v[n - 1] = '\0';
			for (r = strtok_r(colon + 1, ", ", &save); r != NULL;
			    r = strtok_r(NULL, ", ", &save))
				json_array_append_new(rights, json_string(r));
			json_array_append_new(sec, json_pack("{s:s,s:s,s:o}",
			    "kind", key, "principal", v, "rights", rights));
		} else
			json_object_set_new(tpl, key, json_string(v));
	}
	return json_pack("{s:o,s:o}", "template", tpl, "security", sec);
}

/* Worker: GET /api/v1/templates/<name>. */
static void
tpl_show_work(struct job *j)
{
	struct tpl_call *a = j->ctx;
	const struct template *t;
	char *text = NULL;
	json_t *o, *parsed;

	if (!api_require(j, TPL_READ_RIGHTS, "templates"))
		return;
	t = tpl_set(j) != NULL ? template_set_find(tpl_set(j), a->name) : NULL;
	if (t == NULL) {
		job_fail(j, CA_ENOTFOUND, "template %s: no such template",
		    a->name);
		return;
	}
	if (template_write(t, &text) != CA_OK) {
		job_fail(j, CA_EIO, "template %s: cannot be written "
		    "out", a->name);
		return;
	}
	if (strstr(j->accept, "text/plain") != NULL) {
		job_body_take(j, text, strlen(text), "text/plain; charset=utf-8");
		return;
	}
	o = tpl_summary(j, t);
	parsed = tpl_text_json(text);
	json_object_update(o, parsed);
	json_decref(parsed);
	free(text);
	job_json(j, 200, o);
}

/* Writer: the audit event of an issue-list change. */
static int
tpl_issue_apply(struct store_wtxn *w, struct job *j)
{
	struct tpl_call *a = j->ctx;

	return job_audit(w, j, a->issue ? "template-issue" : "template-unissue",
	    "done", "issue-templates changed", "template", a->canonical, NULL);
}

/* Loop (or the tool): the daemon reloads the file just changed. */
static void
tpl_issue_on_loop(struct job *j)
{
	api_conf_reload(j);
}

/* Worker: POST /api/v1/templates/<name>/issue and /unissue. */
static void
tpl_issue_work(struct job *j)
{
	struct tpl_call *a = j->ctx;
	static const char *const keys[] = { "issue-templates" };
	const struct template *t;
	char list[TPL_LIST_TEXT_MAX], why[CA_WHY_MAX];
	size_t n = 0;
	bool present;
	int rc;

	if (!api_require(j, CA_RIGHT_ADMIN, a->issue ? "template issue" :
	    "template unissue"))
		return;
	t = tpl_set(j) != NULL ? template_set_find(tpl_set(j), a->name) : NULL;
	if (t == NULL && a->issue) {
		job_fail(j, CA_ENOTFOUND, "template %s: no such template",
		    a->name);
		return;
	}
	snprintf(a->canonical, sizeof(a->canonical), "%s", t != NULL ? t->name :
	    a->name);
	present = config_issues_template(j->cfg, a->canonical);
	if (present == a->issue) {
		/* Nothing to change: say so, audit nothing. */
		job_json(j, 200, json_pack("{s:s,s:b,s:b}", "name", a->canonical,
		    "issued", present, "changed", false));
		return;
	}
	n += (size_t)snprintf(list, sizeof(list), "issue-templates = ");
	for (size_t i = 0; i < j->cfg->n_issue; i++) {
		if (!a->issue && strcasecmp(j->cfg->issue_templates[i], a->canonical) == 0)
			continue;
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
		    list[n - 2] == '=' ? "" : ", ", j->cfg->issue_templates[i]);
	}
	if (a->issue)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
		    list[n - 2] == '=' ? "" : ", ", a->canonical);
	snprintf(list + n, sizeof(list) - n, "\n");
	rc = api_conf_edit(j, "ca", keys, 1, list, why, sizeof(why));
	if (rc != CA_OK) {
		/* A change the checks refuse breaks a CA rule: the client's to fix. */
		job_fail(j, rc == CA_ECONFIG ? CA_EPOLICY : rc,
		    "template %s: %s", a->canonical, why);
		return;
	}
	job_json(j, 200, json_pack("{s:s,s:b,s:b}", "name", a->canonical,
	    "issued", a->issue, "changed", true));
	j->apply = tpl_issue_apply;
	j->on_loop = tpl_issue_on_loop;
}

/* Loop: a templates call takes the template set and the {name} given. */
static struct tpl_call *
tpl_setup(struct job *j, const struct api_args *a)
{
	struct tpl_call *c = j->ctx;

	if (j->tset == NULL)
		j->tset = daemon_templates_get(j->d);
	if (a->n_seg > 0)
		snprintf(c->name, sizeof(c->name), "%s", a->seg[0]);
	return c;
}

/* Loop: GET /api/v1/templates. */
job_work_cb
api_templates_list_setup(struct job *j, const struct api_args *a)
{
	tpl_setup(j, a);
	return tpl_list_work;
}

/* Loop: GET /api/v1/templates/<name>. */
job_work_cb
api_templates_show_setup(struct job *j, const struct api_args *a)
{
	tpl_setup(j, a);
	return tpl_show_work;
}

/* Loop: POST /api/v1/templates/<name>/issue. */
job_work_cb
api_templates_issue_setup(struct job *j, const struct api_args *a)
{
	tpl_setup(j, a)->issue = true;
	return tpl_issue_work;
}

/* Loop: POST /api/v1/templates/<name>/unissue. */
job_work_cb
api_templates_unissue_setup(struct job *j, const struct api_args *a)
{
	tpl_setup(j, a);
	return tpl_issue_work;
}

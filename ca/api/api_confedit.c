/*
 * Changes the management API makes to entcad.conf (template issue list,
 * the CA's [security] lines): rewrite one section's lines for some keys,
 * validate the result as `entcad -t` does (the whole file parses, the
 * templates it names exist, and the allow/deny lines resolve against the
 * directory: an unresolvable deny refuses), then rename it over the file
 * and have the running daemon reload it. Other lines and comments stay as
 * they are. Runs on a worker (or the tool's thread); one change at a
 * time per process (a mutex), the rename makes each change atomic.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ca/api/api_int.h"
#include "ca/daemon/daemon.h"
#include "ca/daemon/dircheck.h"
#include "ca/daemon/settings.h"
#include "ca/daemon/templates_load.h"
#include "common/log.h"
#include "ldap/directory.h"

#define CONFEDIT_LINE_MAX 4096
#define CONFEDIT_SECTION_MAX 64

static pthread_mutex_t confedit_lock = PTHREAD_MUTEX_INITIALIZER;

/* Whether line (leading blanks skipped) sets one of keys. */
static bool
line_sets(const char *p, const char *const *keys, size_t nkeys)
{
	for (size_t i = 0; i < nkeys; i++) {
		size_t n = strlen(keys[i]);

		if (strncmp(p, keys[i], n) == 0 && strchr(" \t=", p[n]) != NULL &&
		    p[n] != '\0')
			return true;
	}
	return false;
}

/*
 * Copy in to out with section's lines for keys replaced by lines (at the
 * place of the first one, else at the section's end, else in a new
 * section at the end).
 */
static int
confedit_copy(FILE *in, FILE *out, const char *section,
    const char *const *keys, size_t nkeys, const char *lines)
{
	char line[CONFEDIT_LINE_MAX], cur[CONFEDIT_SECTION_MAX] = "";
	bool done = false, seen = false;

	while (fgets(line, sizeof(line), in) != NULL) {
		const char *p = line + strspn(line, " \t");

		if (*p == '[') {
			if (strcmp(cur, section) == 0 && !done) {
				fputs(lines, out);
				done = true;
			}
			cur[0] = '\0';
			sscanf(p, "[%63[^]]", cur);
			if (strcmp(cur, section) == 0)
				seen = true;
		} else if (strcmp(cur, section) == 0 && line_sets(p, keys, nkeys)) {
			if (!done)
				fputs(lines, out);
			done = true;
			continue;
		}
		fputs(line, out);
	}
	if (!done && seen && strcmp(cur, section) == 0)
		fputs(lines, out);
	else if (!done)
		fprintf(out, "\n[%s]\n%s", section, lines);
	return ferror(in) ? CA_EIO : CA_OK;
}

/* Replace every occurrence of path in text by "entcad.conf". */
static void
scrub(char *text, const char *path)
{
	char buf[CA_WHY_MAX];
	size_t n = strlen(path);
	char *p;

	while (n > 0 && (p = strstr(text, path)) != NULL) {
		snprintf(buf, sizeof(buf), "%.*sentcad.conf%s", (int)(p - text),
		    text, p + n);
		snprintf(text, CA_WHY_MAX, "%s", buf);
	}
}

/*
 * daemon.reload's outcome for the job parked in api_conf_reload. The tool
 * finding no entcad running is no error: the file is read at its start.
 */
static void
conf_reloaded(struct daemon *d, void *arg, int rc, const char *text)
{
	struct job *j = arg;

	(void)d;
	if (rc != CA_OK && !(j->local && rc == CA_ENOTFOUND))
		job_fail(j, CA_ESTATE, "the configuration file was changed, but "
		    "entcad did not take it and keeps the previous one: %s", text);
	job_resume(j);
}

/*
 * Have the running daemon reload the file just changed, and answer only
 * once the new configuration is in force: a client's next request (or
 * anyone's) must see what this one changed.
 */
void
api_conf_reload(struct job *j)
{
	struct daemon *d = j->d;
	char who[128];

	if (d->reload == NULL)
		return;
	snprintf(who, sizeof(who), "api:%s", job_identity(j));
	job_park(j);
	if (d->reload(d, who, conf_reloaded, j) != CA_OK) {
		job_fail(j, CA_EUNAVAIL, "the configuration file was changed, but "
		    "entcad cannot reload it now (stopping, or out of memory); "
		    "it takes effect at the next reload or start");
		job_resume(j);
	}
}

/*
 * Rewrite the configuration file of j's generation: section's lines for
 * keys become lines. Validated first; CA_OK, or a code with why for the
 * client (no server paths): CA_ECONFIG (the result does not check),
 * CA_EUNAVAIL (the directory did not answer), CA_EIO.
 */
int
api_conf_edit(struct job *j, const char *section, const char *const *keys,
    size_t nkeys, const char *lines, char *why, size_t whylen)
{
	const char *path = j->cfg->path;
	struct daemon_templates *tpl = NULL;
	struct ca_config *c = NULL;
	char tmp[PATH_MAX], inner[CA_WHY_MAX];
	FILE *in = NULL, *out = NULL;
	int rc;

	pthread_mutex_lock(&confedit_lock);
	if (snprintf(tmp, sizeof(tmp), "%s.api-tmp", path) >= (int)sizeof(tmp) ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		rc = ca_why(why, whylen, CA_EIO, "configuration: cannot prepare the change");
		goto out;
	}
	in = fopen(path, "r");
	out = in != NULL ? fopen(tmp, "w") : NULL;
	if (in == NULL || out == NULL) {
		log_error("configuration change: %s: %s", in == NULL ? path : tmp,
		    strerror(errno));
		rc = ca_why(why, whylen, CA_EIO, "configuration: the file cannot be written");
		goto out;
	}
	rc = confedit_copy(in, out, section, keys, nkeys, lines);
	if (fflush(out) != 0 || fsync(fileno(out)) != 0)
		rc = CA_EIO;
	fclose(out);
	out = NULL;
	if (rc != CA_OK) {
		log_error("configuration change: %s: %s", tmp, strerror(errno));
		rc = ca_why(why, whylen, CA_EIO, "configuration: the file cannot be written");
		goto out;
	}
	/* What entcad -t checks: the file, its templates, the directory. */
	rc = config_load(tmp, c, inner, sizeof(inner));
	if (rc == CA_OK)
		rc = templates_load(c->templates_dir, j->gen->store, &tpl, inner,
		    sizeof(inner));
	if (rc != CA_OK) {
		log_error("configuration change refused: %s", inner);
		rc = ca_why(why, whylen, CA_ECONFIG, "the changed configuration "
		    "does not check; nothing was changed");
		goto out;
	}
	for (size_t i = 0; i < c->n_issue; i++)
		if (templates_find(tpl, c->issue_templates[i]) == NULL) {
			rc = ca_why(why, whylen, CA_ECONFIG, "issue-templates: "
			    "no template %s", c->issue_templates[i]);
			goto out;
		}
	if (job_dir(j) != NULL) {
		rc = dircheck_run(c, tpl, job_dir(j), inner, sizeof(inner));
		if (rc == CA_EUNAVAIL || rc == CA_ETIMEOUT) {
			rc = ca_why(why, whylen, CA_EUNAVAIL, "the directory did "
			    "not answer; allow/deny lines cannot be checked now");
			goto out;
		}
		if (rc != CA_OK) {
			/* The sentence names the file: say entcad.conf instead. */
			log_error("configuration change refused: %s", inner);
			scrub(inner, tmp);
			rc = ca_why(why, whylen, CA_ECONFIG, "%s", inner);
			goto out;
		}
	}
	if (rename(tmp, path) != 0) {
		log_error("configuration change: rename %s: %s", tmp, strerror(errno));
		rc = ca_why(why, whylen, CA_EIO, "configuration: the file cannot be replaced");
		goto out;
	}
	tmp[0] = '\0';
	rc = CA_OK;
out:
	if (in != NULL)
		fclose(in);
	if (out != NULL)
		fclose(out);
	if (tmp[0] != '\0')
		unlink(tmp);
	daemon_templates_put(tpl);
	free(c);
	pthread_mutex_unlock(&confedit_lock);
	return rc;
}

/*
 * The admin tool's template commands (see tool_template.h). Reads and
 * writes template files through templates/; prints what it did. Files
 * are created with O_EXCL, never overwritten. Single-threaded.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "ca/tool/tool_template.h"
#include "common/error.h"
#include "templates/template.h"
#include "templates/template_import.h"
#include "templates/template_set.h"

#define EXIT_USAGE 2

/* One template file of the folder, parsed on its own. */
struct tool_file {
	char file[TMPL_FILE_NAME_MAX];
	int rc;
	char why[CA_WHY_MAX];
	struct template t;
};

/* Print the usage to stderr and return the usage exit code. */
static int
usage(void)
{
	fprintf(stderr,
	    "usage: entca template list\n"
	    "       entca template show NAME\n"
	    "       entca template validate [PATH]\n"
	    "       entca template duplicate FROM \"Display Name\"\n"
	    "       entca template import-ldif FILE\n");
	return EXIT_USAGE;
}

/* Keep visible *.tmpl names. */
static int
tmpl_only(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && n < TMPL_FILE_NAME_MAX &&
	    strcmp(d->d_name + n - 5, ".tmpl") == 0;
}

/* Byte order. */
static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/*
 * Parse every template file of dir on its own (a bad file does not hide
 * the others). Returns the count or -1 (why set); *out is malloc'd.
 */
static int
read_folder(const char *dir, struct tool_file **out, char *why, size_t whylen)
{
	struct dirent **names = NULL;
	struct tool_file *f;
	char path[4096];
	int n;

	*out = NULL;
	n = scandir(dir, &names, tmpl_only, by_name);
	if (n < 0) {
		snprintf(why, whylen, "templates folder %s: cannot read it", dir);
		return -1;
	}
	if (n > TMPL_SET_MAX || (f = calloc((size_t)n + 1, sizeof(*f))) == NULL) {
		for (int i = 0; i < n; i++)
			free(names[i]);
		free(names);
		snprintf(why, whylen, "templates folder %s: too many files", dir);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		snprintf(f[i].file, sizeof(f[i].file), "%s", names[i]->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		f[i].rc = template_parse_file(path, &f[i].t, f[i].why,
		    sizeof(f[i].why));
		free(names[i]);
	}
	free(names);
	*out = f;
	return n;
}

/* A template by name: a valid folder file first, then a built-in. */
static int
find_template(const char *dir, const char *name, struct template *out,
    const char **source)
{
	struct tool_file *f = NULL;
	char why[CA_WHY_MAX];
	const struct template *b;
	int n = read_folder(dir, &f, why, sizeof(why));

	for (int i = 0; i < n; i++)
		if (f[i].rc == CA_OK && strcasecmp(f[i].t.name, name) == 0) {
			memcpy(out, &f[i].t, sizeof(*out));
			*source = "file";
			free(f);
			return CA_OK;
		}
	free(f);
	b = template_builtin_get(name);
	if (b == NULL)
		return CA_ENOTFOUND;
	memcpy(out, b, sizeof(*out));
	*source = "built-in";
	return CA_OK;
}

/* `list`: folder files (with their state) and built-ins. */
static int
cmd_list(const char *dir)
{
	struct tool_file *f = NULL;
	char why[CA_WHY_MAX];
	int n, bad = 0;

	n = read_folder(dir, &f, why, sizeof(why));
	if (n < 0) {
		fprintf(stderr, "entca: %s\n", why);
		n = 0;
		bad = 1;
	}
	printf("%-28s %-36s %s\n", "NAME", "DISPLAY NAME", "SOURCE");
	for (int i = 0; i < n; i++) {
		if (f[i].rc != CA_OK) {
			fprintf(stderr, "entca: %s\n", f[i].why);
			bad = 1;
			continue;
		}
		printf("%-28s %-36s %s\n", f[i].t.name, f[i].t.display_name,
		    f[i].file);
	}
	for (size_t i = 0; i < template_builtin_count(); i++) {
		const struct template *b = template_builtin_at(i);

		printf("%-28s %-36s %s\n", b->name, b->display_name, "built-in");
	}
	free(f);
	return bad;
}

/* `show NAME`: the complete file text. */
static int
cmd_show(const char *dir, const char *name)
{
	struct template *t = malloc(sizeof(*t));
	const char *source;
	char *text = NULL;
	int rc;

	if (t == NULL)
		return 1;
	if (find_template(dir, name, t, &source) != CA_OK) {
		fprintf(stderr, "entca: template %s: not found in %s nor among the "
		    "built-ins\n", name, dir);
		free(t);
		return 1;
	}
	rc = template_write(t, &text);
	free(t);
	if (rc != CA_OK) {
		fprintf(stderr, "entca: template %s: %s\n", name, ca_strerror(rc));
		return 1;
	}
	fputs(text, stdout);
	free(text);
	return 0;
}

/* `validate [PATH]`: a folder as the daemon loads it, or one file. */
static int
cmd_validate(const char *dir, const char *path)
{
	struct template_set *set = NULL;
	struct template *t;
	struct stat st;
	char why[CA_WHY_MAX];
	int rc;

	if (path == NULL)
		path = dir;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "entca: %s: no such file or folder\n", path);
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = template_set_load(path, &set, why, sizeof(why));
		if (rc != CA_OK) {
			fprintf(stderr, "entca: %s\n", why);
			return 1;
		}
		printf("%s: %zu templates valid\n", path, template_set_count(set));
		template_set_free(set);
		return 0;
	}
	if ((t = malloc(sizeof(*t))) == NULL)
		return 1;
	rc = template_parse_file(path, t, why, sizeof(why));
	if (rc == CA_OK)
		rc = template_lint(t, path, why, sizeof(why));
	if (rc == CA_OK)
		printf("%s: template %s valid\n", path, t->name);
	else
		fprintf(stderr, "entca: %s\n", why);
	free(t);
	return rc == CA_OK ? 0 : 1;
}

/* `duplicate FROM "Display Name"`: a complete file for the admin to edit. */
static int
cmd_duplicate(const char *dir, const char *from, const char *display)
{
	struct template *src = malloc(sizeof(*src)), *dup = malloc(sizeof(*dup));
	struct tool_file *f = NULL;
	const char *source;
	char why[CA_WHY_MAX], path[4096];
	int n, ret = 1;

	if (src == NULL || dup == NULL)
		goto out;
	if (find_template(dir, from, src, &source) != CA_OK) {
		fprintf(stderr, "entca: template %s: not found in %s nor among the "
		    "built-ins\n", from, dir);
		goto out;
	}
	if (template_duplicate(src, display, dup, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "entca: %s\n", why);
		goto out;
	}
	n = read_folder(dir, &f, why, sizeof(why));
	for (int i = 0; i < n; i++)
		if (f[i].rc == CA_OK && strcasecmp(f[i].t.name, dup->name) == 0) {
			fprintf(stderr, "entca: template %s exists already in %s\n",
			    dup->name, f[i].file);
			goto out;
		}
	if (template_write_file(dup, dir, path, sizeof(path), why,
	    sizeof(why)) != CA_OK) {
		fprintf(stderr, "entca: %s\n", why);
		goto out;
	}
	printf("wrote %s (template %s, duplicated from %s %s); edit it, then "
	    "run entca template validate\n", path, dup->name, source, src->name);
	ret = 0;
out:
	free(f);
	free(src);
	free(dup);
	return ret;
}

/* `import-ldif FILE`: write each converted template; lint what was written. */
static int
cmd_import(const char *dir, const char *ldif)
{
	struct template_import_item *it = NULL;
	char why[CA_WHY_MAX], path[4096];
	size_t n = 0;
	int ret = 0;

	if (template_import_ldif(ldif, dir, &it, &n, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "entca: %s\n", why);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (it[i].rc != CA_OK) {
			fprintf(stderr, "entca: skipped: %s\n", it[i].why);
			ret = 1;
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s.tmpl", dir, it[i].t.name);
		printf("wrote %s\n", path);
		if (it[i].warning[0] != '\0') {
			fprintf(stderr, "entca: WARNING: %s\n", it[i].warning);
			ret = 1;
		}
		if (template_lint(&it[i].t, path, why, sizeof(why)) != CA_OK) {
			fprintf(stderr, "entca: warning: %s (fix %s before loading)\n",
			    why, path);
			ret = 1;
		}
	}
	if (n == 0)
		fprintf(stderr, "entca: %s: no pKICertificateTemplate objects\n",
		    ldif);
	free(it);
	return n == 0 ? 1 : ret;
}

/* See tool_template.h. */
int
tool_template_main(int argc, char **argv, const char *templates_dir)
{
	const char *verb;

	if (argc < 2 || templates_dir == NULL)
		return usage();
	verb = argv[1];
	if (strcmp(verb, "list") == 0 && argc == 2)
		return cmd_list(templates_dir);
	if (strcmp(verb, "show") == 0 && argc == 3)
		return cmd_show(templates_dir, argv[2]);
	if (strcmp(verb, "validate") == 0 && (argc == 2 || argc == 3))
		return cmd_validate(templates_dir, argc == 3 ? argv[2] : NULL);
	if (strcmp(verb, "duplicate") == 0 && argc == 4)
		return cmd_duplicate(templates_dir, argv[2], argv[3]);
	if (strcmp(verb, "import-ldif") == 0 && argc == 3)
		return cmd_import(templates_dir, argv[2]);
	return usage();
}

/*
 * `entca` verbs over the management API: cert list|show|revoke|unrevoke,
 * request list|show|approve|deny, template list|show|issue|unissue, ca
 * show, ca security list|allow|deny|remove, and audit. On the CA host they
 * run the API in this process (daemon_handle_local_call: the same code, rights and
 * audit as entcad's); with --url they speak HTTPS to an entcad
 * (tool_https.c). Output is a table for people (dates, a header), or the
 * API's JSON (--json) or CSV with a header (--csv) for scripts. Text from
 * the CA is escaped before it reaches a terminal. One thread.
 */
#include "config.h"

#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>

#include "ca/daemon/daemon.h"
#include "ca/tool/tool_admin.h"
#include "ca/tool/tool_api.h"
#include "ca/tool/tool_https.h"
#include "common/error.h"
#include "common/log.h"

#define TAPI_CELL_MAX 512	/* one escaped table cell */
#define TAPI_PATH_MAX 4096	/* path and query of one call */
#define TAPI_PASSWORD_MAX 512
#define TAPI_PAGES_MAX 100000	/* --all: pages followed at most */

enum tapi_format { TAPI_TABLE, TAPI_JSON, TAPI_CSV };

/* How this run reaches the CA and prints. */
struct tapi {
	const struct tool_api_opts *o;
	struct tool_https h;
	char password[TAPI_PASSWORD_MAX];
	struct daemon d;
	bool opened;
	unsigned open_what;
	int format;
	bool all;		/* follow every page */
};

/* One column of a table: its header and the JSON member it shows. */
struct tapi_col {
	const char *head;
	const char *key;
};

/* Escape s for a terminal (log_escape), into buf of TAPI_CELL_MAX. */
static const char *
cell(const char *s, char *buf)
{
	log_escape(s, strlen(s), buf, TAPI_CELL_MAX);
	return buf;
}

/* The text of member key of o for a cell: dates shortened, lists joined. */
static void
member_text(json_t *o, const char *key, char *out, size_t outsz)
{
	json_t *v = json_object_get(o, key), *e;
	size_t i, n = 0;

	out[0] = '\0';
	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		/* 2026-12-07T03:35:48Z -> 2026-12-07 03:35:48 for people */
		if (strlen(s) == 20 && s[10] == 'T' && s[19] == 'Z')
			snprintf(out, outsz, "%.10s %.8s", s, s + 11);
		else
			snprintf(out, outsz, "%s", s);
	} else if (json_is_integer(v))
		snprintf(out, outsz, "%lld", (long long)json_integer_value(v));
	else if (json_is_boolean(v))
		snprintf(out, outsz, "%s", json_is_true(v) ? "yes" : "no");
	else if (json_is_array(v))
		json_array_foreach(v, i, e) {
			if (json_is_string(e) && n < outsz)
				n += (size_t)snprintf(out + n, outsz - n, "%s%s",
				    n ? " " : "", json_string_value(e));
		}
}

/* A CSV field (RFC 4180): quoted when it holds , " or a line break. */
static void
csv_field(const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n") != NULL) {
		putchar('"');
		for (; *s != '\0'; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else
		fputs(s, stdout);
	putchar(last ? '\n' : ',');
}

/* Print rows (JSON objects) as a table or CSV with a header. */
static void
print_rows(const struct tapi *t, json_t *rows, const struct tapi_col *cols,
    size_t ncols)
{
	char text[TAPI_CELL_MAX], esc[TAPI_CELL_MAX];
	size_t width[16] = { 0 }, i, c;
	json_t *r;

	if (t->format == TAPI_CSV) {
		for (c = 0; c < ncols; c++)
			csv_field(cols[c].key, c + 1 == ncols);
		json_array_foreach(rows, i, r)
			for (c = 0; c < ncols; c++) {
				member_text(r, cols[c].key, text, sizeof(text));
				/* Dates stay RFC 3339 for scripts. */
				if (json_is_string(json_object_get(r, cols[c].key)))
					snprintf(text, sizeof(text), "%s",
					    json_string_value(json_object_get(r, cols[c].key)));
				csv_field(cell(text, esc), c + 1 == ncols);
			}
		return;
	}
	for (c = 0; c < ncols; c++)
		width[c] = strlen(cols[c].head);
	json_array_foreach(rows, i, r)
		for (c = 0; c < ncols; c++) {
			member_text(r, cols[c].key, text, sizeof(text));
			if (strlen(cell(text, esc)) > width[c])
				width[c] = strlen(esc);
		}
	for (c = 0; c < ncols; c++)
		printf("%-*s%s", c + 1 == ncols ? 0 : (int)width[c], cols[c].head,
		    c + 1 == ncols ? "\n" : "  ");
	json_array_foreach(rows, i, r)
		for (c = 0; c < ncols; c++) {
			member_text(r, cols[c].key, text, sizeof(text));
			printf("%-*s%s", c + 1 == ncols ? 0 : (int)width[c],
			    cell(text, esc), c + 1 == ncols ? "\n" : "  ");
		}
}

/* Print one object: key/value lines, or a one-row CSV, or its JSON. */
static void
print_object(const struct tapi *t, json_t *o, const struct tapi_col *cols,
    size_t ncols)
{
	char text[TAPI_CELL_MAX], esc[TAPI_CELL_MAX];
	json_t *rows;

	if (t->format == TAPI_CSV) {
		rows = json_pack("[O]", o);
		print_rows(t, rows, cols, ncols);
		json_decref(rows);
		return;
	}
	for (size_t c = 0; c < ncols; c++) {
		if (json_object_get(o, cols[c].key) == NULL ||
		    json_is_null(json_object_get(o, cols[c].key)))
			continue;
		member_text(o, cols[c].key, text, sizeof(text));
		printf("%-16s %s\n", cols[c].head, cell(text, esc));
	}
}

/* Print JSON safely (non-ASCII escaped) and indented. */
static void
print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);

	if (s != NULL)
		printf("%s\n", s);
	free(s);
}

/* Read the password: $ENTCA_PASSWORD, else from the terminal, unechoed. */
static int
read_password(struct tapi *t)
{
	const char *env = getenv("ENTCA_PASSWORD");
	struct termios old, quiet;
	FILE *tty;
	size_t n;

	if (env != NULL) {
		snprintf(t->password, sizeof(t->password), "%s", env);
		return 0;
	}
	tty = fopen("/dev/tty", "r+");
	if (tty == NULL) {
		fprintf(stderr, "entca: --user %s: no password (set ENTCA_PASSWORD or "
		    "run on a terminal)\n", t->o->user);
		return 2;
	}
	fprintf(tty, "password for %s: ", t->o->user);
	fflush(tty);
	tcgetattr(fileno(tty), &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	if (fgets(t->password, sizeof(t->password), tty) == NULL)
		t->password[0] = '\0';
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fprintf(tty, "\n");
	fclose(tty);
	n = strcspn(t->password, "\r\n");
	t->password[n] = '\0';
	return 0;
}

/* "local:<user>": how the audit log names the host's administrator. */
static void
local_name(char *out, size_t len)
{
	struct passwd *pw = getpwuid(getuid());

	snprintf(out, len, "local:%s", pw != NULL ? pw->pw_name : "unknown");
}

/*
 * One call: over HTTPS with --url, else in this process (the CA opened
 * on first use). Returns the status, -1 when there was no answer.
 */
static int
tapi_call(struct tapi *t, const char *method, const char *path,
    const char *accept, const char *body, char **out, size_t *len)
{
	char why[CA_WHY_MAX], who[128];
	int status, rc;

	*out = NULL;
	*len = 0;
	if (t->o->url != NULL) {
		status = tool_https_call(&t->h, method, path, accept, body, out,
		    len, why, sizeof(why));
		if (status < 0)
			fprintf(stderr, "entca: %s\n", why);
		return status;
	}
	if (!t->opened) {
		t->opened = true;
		rc = tool_open_ca(&t->d, t->o->conf, t->open_what);
		if (rc != 0)
			return -1;
	}
	local_name(who, sizeof(who));
	return daemon_handle_local_call(&t->d, who, method, path, accept, body,
	    out, len);
}

/* Say why a call failed (the API's JSON error, or the text). */
static int
tapi_fail(int status, const char *body)
{
	json_t *o = body != NULL ? json_loads(body, 0, NULL) : NULL;
	json_t *m = json_object_get(json_object_get(o, "error"), "message");
	char esc[TAPI_CELL_MAX];

	if (status > 0)
		fprintf(stderr, "entca: %d: %s\n", status, cell(json_is_string(m) ?
		    json_string_value(m) : body != NULL ? body : "", esc));
	json_decref(o);
	return 1;
}

/* Call and parse a JSON answer; NULL (reason printed) on failure. */
static json_t *
tapi_json(struct tapi *t, const char *method, const char *path,
    const char *body)
{
	char *out = NULL;
	size_t len;
	int status = tapi_call(t, method, path, NULL, body, &out, &len);
	json_t *o = NULL;

	if (status >= 200 && status < 300)
		o = json_loadb(out != NULL ? out : "", len, 0, NULL);
	if (o == NULL)
		tapi_fail(status, out);
	free(out);
	return o;
}

static size_t penc(char *out, size_t cap, size_t n, const char *s);

/* Append name=s (s percent-encoded) to the query of out[0..n). */
static size_t
qenc(char *out, size_t cap, size_t n, const char *name, const char *s)
{
	n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s=",
	    strchr(out, '?') == NULL ? "?" : out[n - 1] != '?' ? "&" : "", name);
	return penc(out, cap, n, s);
}

/* Percent-encode s onto out[0..n) (a path segment or a query value). */
static size_t
penc(char *out, size_t cap, size_t n, const char *s)
{
	for (; *s != '\0' && n + 4 < cap; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~:@", ch) != NULL)
			out[n++] = (char)ch;
		else
			n += (size_t)snprintf(out + n, cap - n, "%%%02X", ch);
	}
	out[n < cap ? n : cap - 1] = '\0';
	return n;
}

/*
 * Parse list options: --json, --csv, --all, and --NAME VALUE for each
 * name in filters (dashes become underscores in the query). Appends the
 * query to path. false (usage printed) on an unknown option.
 */
static bool
list_opts(struct tapi *t, int argc, char **argv, int from,
    const char *const *filters, char *path, size_t cap, const char *usage)
{
	size_t n = strlen(path);
	char name[64];

	for (int i = from; i < argc; i++) {
		const char *a = argv[i];
		bool ok = false;

		if (strcmp(a, "--json") == 0) {
			t->format = TAPI_JSON;
			continue;
		}
		if (strcmp(a, "--csv") == 0) {
			t->format = TAPI_CSV;
			continue;
		}
		if (strcmp(a, "--all") == 0) {
			t->all = true;
			continue;
		}
		for (size_t f = 0; filters[f] != NULL && i + 1 < argc; f++)
			if (strncmp(a, "--", 2) == 0 && strcmp(a + 2, filters[f]) == 0) {
				snprintf(name, sizeof(name), "%s", filters[f]);
				for (char *p = name; *p; p++)
					if (*p == '-')
						*p = '_';
				n = qenc(path, cap, n, name, argv[++i]);
				ok = true;
				break;
			}
		if (!ok) {
			fprintf(stderr, "entca: %s: unknown option or missing value\n%s", a, usage);
			return false;
		}
	}
	return n < cap;
}

/* GET a list, following "next" with --all; print the rows. */
static int
run_list(struct tapi *t, const char *path, const char *member,
    const struct tapi_col *cols, size_t ncols)
{
	char page[TAPI_PATH_MAX];
	json_t *all = json_array(), *o, *next;
	int pages = 0, rc = 0;

	snprintf(page, sizeof(page), "%s", path);
	for (;;) {
		o = tapi_json(t, "GET", page, NULL);
		if (o == NULL) {
			rc = 1;
			break;
		}
		json_array_extend(all, json_object_get(o, member));
		next = json_object_get(o, "next");
		if (!t->all || !json_is_string(next) || ++pages >= TAPI_PAGES_MAX) {
			if (t->format == TAPI_JSON) {
				json_object_set(o, member, all);
				if (t->all)
					json_object_del(o, "next");
				print_json(o);
			}
			json_decref(o);
			break;
		}
		snprintf(page, sizeof(page), "%s", path);
		qenc(page, sizeof(page), strlen(page), "next", json_string_value(next));
		json_decref(o);
	}
	if (rc == 0 && t->format != TAPI_JSON)
		print_rows(t, all, cols, ncols);
	json_decref(all);
	return rc;
}

/* Run one call whose answer is an object; print it. */
static int
run_show(struct tapi *t, const char *method, const char *path,
    const char *body, const struct tapi_col *cols, size_t ncols)
{
	json_t *o = tapi_json(t, method, path, body);

	if (o == NULL)
		return 1;
	if (t->format == TAPI_JSON)
		print_json(o);
	else
		print_object(t, o, cols, ncols);
	json_decref(o);
	return 0;
}

#define NCOLS(c) (sizeof(c) / sizeof((c)[0]))

static const struct tapi_col cert_list_cols[] = {
	{ "SERIAL", "serial" }, { "STATUS", "status" },
	{ "TEMPLATE", "template" }, { "REQUESTER", "requester" },
	{ "NOT BEFORE", "not_before" }, { "NOT AFTER", "not_after" },
	{ "SUBJECT", "subject" },
};
static const struct tapi_col cert_show_cols[] = {
	{ "serial", "serial" }, { "status", "status" }, { "subject", "subject" },
	{ "template", "template" }, { "requester", "requester" },
	{ "not before", "not_before" }, { "not after", "not_after" },
	{ "revoked at", "revoked_at" }, { "reason", "reason" },
	{ "sid", "sid" }, { "upn", "upn" }, { "dns", "dns" },
	{ "device", "device" }, { "request", "request" },
};
static const struct tapi_col req_cols[] = {
	{ "ID", "id" }, { "STATUS", "status" }, { "SUBMITTED", "submitted_at" },
	{ "REQUESTER", "requester" }, { "TEMPLATE", "template" },
	{ "TARGET", "target" }, { "SERIAL", "serial" }, { "REASON", "reason" },
};
static const struct tapi_col tpl_cols[] = {
	{ "NAME", "name" }, { "ISSUED", "issued" }, { "VERSION", "version" },
	{ "APPROVAL", "require_approval" }, { "DISPLAY NAME", "display_name" },
};
static const struct tapi_col audit_cols[] = {
	{ "SEQ", "seq" }, { "TIME", "time" }, { "WHO", "who" },
	{ "ACTION", "action" }, { "OUTCOME", "decision" }, { "FROM", "from" },
	{ "REASON", "reason" },
};
static const struct tapi_col ace_cols[] = {
	{ "KIND", "kind" }, { "PRINCIPAL", "principal" }, { "RIGHTS", "rights" },
};
static const struct tapi_col ca_cols[] = {
	{ "name", "name" }, { "subject", "subject" }, { "serial", "serial" },
	{ "not before", "not_before" }, { "not after", "not_after" },
	{ "key type", "key_type" }, { "subordinate", "subordinate" },
};
static const struct tapi_col change_cols[] = {
	{ "name", "name" }, { "serial", "serial" }, { "status", "status" },
	{ "issued", "issued" }, { "changed", "changed" }, { "action", "action" },
	{ "principal", "principal" }, { "rights", "rights" }, { "reason", "reason" },
	{ "revoked", "revoked" },
};

/* Parse --json/--csv only (show verbs); false on anything else. */
static bool
fmt_opts(struct tapi *t, int argc, char **argv, int from, const char *usage)
{
	static const char *const none[] = { NULL };
	char dummy[8] = "";

	return list_opts(t, argc, argv, from, none, dummy, sizeof(dummy), usage);
}

/* A change verb's option that becomes a field of its JSON body. */
struct change_opt {
	const char *flag;	/* "--reason", followed by its value */
	const char *field;	/* "reason" */
};

/*
 * The JSON body of a change from argv[from..]: each opts flag (ended by
 * a NULL flag) with its value, and --json/--csv. NULL with usage printed
 * on anything else.
 */
static json_t *
change_body(struct tapi *t, int argc, char **argv, int from,
    const struct change_opt *opts, const char *usage)
{
	json_t *b = json_object();
	const struct change_opt *o;

	for (int i = from; i < argc; i++) {
		for (o = opts; o->flag != NULL; o++)
			if (strcmp(argv[i], o->flag) == 0 && i + 1 < argc)
				break;
		if (o->flag != NULL)
			json_object_set_new(b, o->field, json_string(argv[++i]));
		else if (strcmp(argv[i], "--json") == 0)
			t->format = TAPI_JSON;
		else if (strcmp(argv[i], "--csv") == 0)
			t->format = TAPI_CSV;
		else {
			json_decref(b);
			fputs(usage, stderr);
			return NULL;
		}
	}
	return b;
}

/* POST a change with body b (taken; NULL: none) and print what changed. */
static int
run_change(struct tapi *t, const char *path, json_t *b)
{
	char *body = b != NULL ? json_dumps(b, JSON_COMPACT) : NULL;
	int rc;

	json_decref(b);
	t->open_what = DAEMON_OPEN_ALL;
	rc = run_show(t, "POST", path, body, change_cols, NCOLS(change_cols));
	free(body);
	return rc;
}

/* GET path as accept (PEM, template text) and write the bytes out. */
static int
run_raw(struct tapi *t, const char *path, const char *accept)
{
	char *out = NULL;
	size_t len;
	int status, rc;

	status = tapi_call(t, "GET", path, accept, NULL, &out, &len);
	if (status == 200)
		fwrite(out, 1, len, stdout);
	rc = status == 200 ? 0 : tapi_fail(status, out);
	free(out);
	return rc;
}

/* entca cert list|show|revoke|unrevoke */
static int
cmd_cert(struct tapi *t, int argc, char **argv)
{
	static const char usage[] = "usage: entca cert list [--status S] [--template T] "
	    "[--requester R] [--subject TEXT] [--upn U] [--sid SID] [--dns NAME]\n"
	    "         [--device NAME] [--serial PREFIX] [--issued-after T] "
	    "[--issued-before T] [--expires-after T] [--expires-before T]\n"
	    "         [--limit N] [--all] [--json|--csv]\n"
	    "       entca cert show SERIAL [--json|--csv|--pem]\n"
	    "       entca cert revoke SERIAL [--reason R] [--invalidity-date T] | unrevoke SERIAL\n";
	static const char *const filters[] = { "status", "template", "requester",
	    "subject", "upn", "sid", "dns", "device", "serial", "issued-after",
	    "issued-before", "expires-after", "expires-before", "limit", NULL };
	static const struct change_opt revoke_opts[] = {
		{ "--reason", "reason" },
		{ "--invalidity-date", "invalidity_date" },
		{ NULL, NULL }
	};
	char path[TAPI_PATH_MAX];
	json_t *b;

	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		snprintf(path, sizeof(path), "certificates");
		if (!list_opts(t, argc, argv, 2, filters, path, sizeof(path), usage))
			return 2;
		return run_list(t, path, "certificates", cert_list_cols, NCOLS(cert_list_cols));
	}
	if (argc < 3) {
		fputs(usage, stderr);
		return 2;
	}
	snprintf(path, sizeof(path), "certificates/");
	penc(path, sizeof(path), strlen(path), argv[2]);
	if (strcmp(argv[1], "show") == 0 && argc == 4 && strcmp(argv[3], "--pem") == 0)
		return run_raw(t, path, "application/x-pem-file");
	if (strcmp(argv[1], "show") == 0)
		return fmt_opts(t, argc, argv, 3, usage) ?
		    run_show(t, "GET", path, NULL, cert_show_cols, NCOLS(cert_show_cols)) : 2;
	if (strcmp(argv[1], "revoke") != 0 && strcmp(argv[1], "unrevoke") != 0) {
		fputs(usage, stderr);
		return 2;
	}
	if ((b = change_body(t, argc, argv, 3, revoke_opts, usage)) == NULL)
		return 2;
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s", argv[1]);
	return run_change(t, path, b);
}

/* entca request list|show|approve|deny */
static int
cmd_request(struct tapi *t, int argc, char **argv)
{
	static const char usage[] = "usage: entca request list [--status S] "
	    "[--template T] [--requester R] [--after T] [--before T] [--limit N] "
	    "[--all] [--json|--csv]\n"
	    "       entca request show ID [--json|--csv]\n"
	    "       entca request approve|deny ID [--reason TEXT]\n";
	static const char *const filters[] = { "status", "template", "requester",
	    "after", "before", "limit", NULL };
	static const struct change_opt decide_opts[] = {
		{ "--reason", "reason" },
		{ NULL, NULL }
	};
	char path[TAPI_PATH_MAX];
	json_t *b, *o;

	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		snprintf(path, sizeof(path), "requests");
		if (!list_opts(t, argc, argv, 2, filters, path, sizeof(path), usage))
			return 2;
		/* --all without --status: every status too, as it always meant. */
		if (t->all && strstr(path, "status=") == NULL)
			qenc(path, sizeof(path), strlen(path), "status", "all");
		return run_list(t, path, "requests", req_cols, NCOLS(req_cols));
	}
	if (argc < 3 || strspn(argv[2], "0123456789") != strlen(argv[2])) {
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(argv[1], "show") == 0) {
		if (!fmt_opts(t, argc, argv, 3, usage))
			return 2;
		snprintf(path, sizeof(path), "requests/%s", argv[2]);
		o = tapi_json(t, "GET", path, NULL);
		if (o == NULL)
			return 1;
		if (t->format == TAPI_JSON)
			print_json(o);
		else {
			print_object(t, o, req_cols, NCOLS(req_cols));
			if (t->format == TAPI_TABLE && json_array_size(json_object_get(o, "decisions")) > 0) {
				printf("\n");
				print_rows(t, json_object_get(o, "decisions"), audit_cols, NCOLS(audit_cols));
			}
		}
		json_decref(o);
		return 0;
	}
	if (strcmp(argv[1], "approve") != 0 && strcmp(argv[1], "deny") != 0) {
		fputs(usage, stderr);
		return 2;
	}
	if ((b = change_body(t, argc, argv, 3, decide_opts, usage)) == NULL)
		return 2;
	snprintf(path, sizeof(path), "requests/%s/%s", argv[2], argv[1]);
	return run_change(t, path, b);
}

/* entca template list|show|issue|unissue (through the API) */
static int
cmd_template(struct tapi *t, int argc, char **argv)
{
	static const char usage[] = "usage: entca [--url URL] template list --json|--csv\n"
	    "       entca [--url URL] template show NAME --json|--csv\n"
	    "       entca --url URL template issue|unissue NAME\n";
	char path[TAPI_PATH_MAX];

	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		if (!fmt_opts(t, argc, argv, 2, usage))
			return 2;
		return run_list(t, "templates", "templates", tpl_cols, NCOLS(tpl_cols));
	}
	if (argc < 3 || strchr(argv[2], '/') != NULL || strchr(argv[2], '?') != NULL) {
		fputs(usage, stderr);
		return 2;
	}
	snprintf(path, sizeof(path), "templates/%s", argv[2]);
	if (strcmp(argv[1], "show") == 0) {
		if (argc == 4 && (strcmp(argv[3], "--json") == 0 ||
		    strcmp(argv[3], "--csv") == 0)) {
			t->format = argv[3][2] == 'j' ? TAPI_JSON : TAPI_CSV;
			return run_show(t, "GET", path, NULL, tpl_cols, NCOLS(tpl_cols));
		}
		/* The canonical template file, as `entca template show` prints it. */
		return run_raw(t, path, "text/plain");
	}
	if (strcmp(argv[1], "issue") != 0 && strcmp(argv[1], "unissue") != 0) {
		fputs(usage, stderr);
		return 2;
	}
	if (!fmt_opts(t, argc, argv, 3, usage))
		return 2;
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s", argv[1]);
	return run_change(t, path, NULL);
}

/* entca ca show | ca security list|allow|deny|remove */
static int
cmd_ca(struct tapi *t, int argc, char **argv)
{
	static const char usage[] = "usage: entca ca show [--json|--csv]\n"
	    "       entca ca security list [--json|--csv]\n"
	    "       entca ca security allow|deny PRINCIPAL RIGHT[,RIGHT...]\n"
	    "       entca ca security remove PRINCIPAL\n";
	json_t *o, *b, *rights;
	char *save = NULL, *r, buf[256];

	if (argc >= 2 && strcmp(argv[1], "show") == 0) {
		if (!fmt_opts(t, argc, argv, 2, usage))
			return 2;
		o = tapi_json(t, "GET", "ca", NULL);
		if (o == NULL)
			return 1;
		if (t->format == TAPI_JSON)
			print_json(o);
		else {
			print_object(t, o, ca_cols, NCOLS(ca_cols));
			if (t->format == TAPI_TABLE) {
				json_t *crl = json_object_get(o, "crl");
				static const struct tapi_col crl_cols[] = {
					{ "crl number", "last_number" },
					{ "crl this update", "this_update" },
					{ "full next update", "full_next_update" },
					{ "delta next update", "delta_next_update" },
				};

				print_object(t, crl, crl_cols, NCOLS(crl_cols));
			}
		}
		json_decref(o);
		return 0;
	}
	if (argc < 3 || strcmp(argv[1], "security") != 0) {
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(argv[2], "list") == 0)
		return fmt_opts(t, argc, argv, 3, usage) ?
		    run_list(t, "ca/security", "security", ace_cols, NCOLS(ace_cols)) : 2;
	if (strcmp(argv[2], "remove") == 0 && argc == 4)
		b = json_pack("{s:s,s:s}", "action", "remove", "principal", argv[3]);
	else if ((strcmp(argv[2], "allow") == 0 || strcmp(argv[2], "deny") == 0) && argc == 5) {
		rights = json_array();
		snprintf(buf, sizeof(buf), "%s", argv[4]);
		for (r = strtok_r(buf, ", ", &save); r != NULL; r = strtok_r(NULL, ", ", &save))
			json_array_append_new(rights, json_string(r));
		b = json_pack("{s:s,s:s,s:o}", "action", argv[2], "principal", argv[3],
		    "rights", rights);
	} else {
		fputs(usage, stderr);
		return 2;
	}
	return run_change(t, "ca/security", b);
}

/* entca audit [filters] */
static int
cmd_audit(struct tapi *t, int argc, char **argv)
{
	static const char usage[] = "usage: entca audit [--after T] [--before T] "
	    "[--principal P] [--action A] [--outcome O] [--limit N] [--all] "
	    "[--json|--csv]\n       entca audit N   (the N newest events as JSON lines)\n";
	static const char *const filters[] = { "after", "before", "principal",
	    "action", "outcome", "limit", NULL };
	char path[TAPI_PATH_MAX] = "audit";

	if (!list_opts(t, argc, argv, 1, filters, path, sizeof(path), usage))
		return 2;
	return run_list(t, path, "events", audit_cols, NCOLS(audit_cols));
}

/* Whether argv is one of this file's forms; see tool_api.h. */
bool
tool_api_handles(const struct tool_api_opts *o, int argc, char **argv)
{
	const char *v = argc >= 2 ? argv[1] : "";
	bool tsv = false;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--tsv") == 0)
			tsv = true;
	if (strcmp(argv[0], "ca") == 0 || strcmp(argv[0], "cert") == 0)
		return !tsv;
	if (strcmp(argv[0], "request") == 0)
		return !tsv && strcmp(v, "list") == 0 ? true : !tsv &&
		    (strcmp(v, "show") == 0 || o->url != NULL);
	if (strcmp(argv[0], "audit") == 0)
		/* `audit N` keeps its JSON lines. */
		return argc == 1 || argv[1][0] == '-';
	if (strcmp(argv[0], "template") == 0) {
		/*
		 * On the host the folder commands stay (they need no CA);
		 * --url, and list/show with --json or --csv, ask the CA.
		 */
		bool fmt = false;

		for (int i = 2; i < argc; i++)
			if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "--csv") == 0)
				fmt = true;
		return o->url != NULL || ((strcmp(v, "list") == 0 ||
		    strcmp(v, "show") == 0) && fmt);
	}
	return false;
}

/* Run one verb; see tool_api.h. */
int
tool_api_main(const struct tool_api_opts *o, int argc, char **argv)
{
	struct tapi t;
	int rc;

	memset(&t, 0, sizeof(t));
	t.o = o;
	t.open_what = DAEMON_OPEN_CHECK;
	log_init("entca", LOG_LEVEL_WARNING, false);
	if (o->url != NULL) {
		if (o->user == NULL && o->cert == NULL) {
			fprintf(stderr, "entca: --url needs --user NAME or --cert F --key F\n");
			return 2;
		}
		if (o->user != NULL && (rc = read_password(&t)) != 0)
			return rc;
		t.h.url = o->url;
		t.h.cacert = o->cacert;
		t.h.user = o->user;
		t.h.password = t.password;
		t.h.cert = o->cert;
		t.h.key = o->key;
	}
	if (strcmp(argv[0], "cert") == 0)
		rc = cmd_cert(&t, argc, argv);
	else if (strcmp(argv[0], "request") == 0)
		rc = cmd_request(&t, argc, argv);
	else if (strcmp(argv[0], "template") == 0)
		rc = cmd_template(&t, argc, argv);
	else if (strcmp(argv[0], "ca") == 0)
		rc = cmd_ca(&t, argc, argv);
	else
		rc = cmd_audit(&t, argc, argv);
	explicit_bzero(t.password, sizeof(t.password));
	if (t.opened)
		daemon_close(&t.d);
	return rc;
}

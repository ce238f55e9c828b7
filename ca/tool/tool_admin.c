/*
 * `entca` commands that act for the CA on its own host: backup, revoke,
 * unrevoke, crl publish, request approve|deny|list, template load, issue,
 * unissue. They open the CA's state like entcad does (daemon_open) and run
 * the same code paths as the management API (through the router's
 * daemon_handle_local), so the rules,
 * records and audit events are the same whichever way an officer acts.
 * One thread; LMDB's lock keeps them safe beside a running entcad.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <jansson.h>

#include "common/error.h"
#include "common/hex.h"
#include "ca/daemon/daemon.h"
#include "common/log.h"
#include "ca/issue/revoke.h"
#include "ca/signer/secrets.h"
#include "ca/daemon/settings.h"
#include "ca/store/store.h"
#include "ca/signer/keyfile.h"
#include "ca/tool/tool_ca.h"
#include "ca/tool/tool_restore.h"
#include "ca/daemon/templates_load.h"
#include "ca/tool/tool_admin.h"
#include "ca/tool/tool_control.h"
#include "ca/store/store_audit.h"
#include "common/clock.h"
#include "crl/reason.h"

#define TOOL_DEFAULT_CONF SYSCONFDIR "/entca/entcad.conf"
#define TOOL_LINE_MAX 4096
#define TOOL_CONF_MAX (1024 * 1024)

/* The configuration file: -c, else $ENTCA_CONF, else the default. */
static const char *
conf_path(const char *opt)
{
	const char *env = getenv("ENTCA_CONF");

	if (opt != NULL)
		return opt;
	return env != NULL && *env != '\0' ? env : TOOL_DEFAULT_CONF;
}

/* "local:<user>": how the audit log names the host's administrator. */
static void
local_name(char *out, size_t len)
{
	struct passwd *pw = getpwuid(getuid());

	snprintf(out, len, "local:%s", pw != NULL ? pw->pw_name : "unknown");
}

/* Load the configuration and open what the command needs. */
static int
open_ca(struct daemon *d, const char *conf, unsigned what)
{
	struct secrets_files secrets;
	char why[CA_WHY_MAX];
	int rc;

	memset(d, 0, sizeof(*d));
	d->cfgs = calloc(1, sizeof(*d->cfgs));
	if (d->cfgs == NULL)
		return 1;
	d->cfg = &d->cfgs->c;
	rc = config_load(conf, d->cfg, why, sizeof(why));
	if (rc != CA_OK) {
		fprintf(stderr, "entca: %s\n", why);
		return 2;
	}
	/* The signer runs as [ca] signer-user here too: same checks and
	 * hand-over as entcad's start. */
	rc = secrets_prepare(d->cfg, what == DAEMON_OPEN_CHECK, &secrets, why,
	    sizeof(why));
	if (rc != CA_OK) {
		fprintf(stderr, "entca: %s\n", why);
		return 2;
	}
	rc = daemon_open(d, what, why, sizeof(why));
	if (rc != CA_OK) {
		fprintf(stderr, "entca: %s\n", why);
		return 1;
	}
	/* An API change made here is applied by the running entcad at once. */
	d->reload = tool_control_reload;
	return 0;
}

/* Open the CA for another tool file (tool_api.c); see tool_admin.h. */
int
tool_open_ca(struct daemon *d, const char *conf, unsigned what)
{
	return open_ca(d, conf_path(conf), what);
}

/* Run one API call locally and print its answer; exit code from status. */
static int
run_api(struct daemon *d, const char *path, const char *body)
{
	char who[128];
	char *out = NULL;
	int status;

	local_name(who, sizeof(who));
	status = daemon_handle_local(d, who, path, body, &out);
	if (out != NULL) {
		fputs(out, status < 300 ? stdout : stderr);
		if (out[0] != '\0' && out[strlen(out) - 1] != '\n')
			fputc('\n', status < 300 ? stdout : stderr);
	}
	free(out);
	return status < 300 ? 0 : 1;
}

/* entca revoke SERIAL [--reason R] [--invalidity-date EPOCH]; entca unrevoke SERIAL. */
static int
cmd_revoke(int argc, char **argv, const char *conf, bool unrevoke)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "invalidity-date", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 }
	};
	const char *reason = "unspecified", *inv = NULL;
	char path[256], body[256], why[CA_WHY_MAX];
	struct daemon d;
	int opt, rc, r;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "r:i:", opts, NULL)) != -1) {
		if (opt == 'r')
			reason = optarg;
		else if (opt == 'i')
			inv = optarg;
		else
			return 2;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: entca %s SERIAL%s\n", unrevoke ? "unrevoke" : "revoke",
		    unrevoke ? "" : " [--reason R] [--invalidity-date EPOCH]");
		return 2;
	}
	if (!unrevoke && crl_reason_parse(reason, &r, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "entca: --reason: %s\n", why);
		return 2;
	}
	snprintf(path, sizeof(path), "certificates/%s/%s", argv[optind],
	    unrevoke ? "unrevoke" : "revoke");
	if (inv != NULL)
		snprintf(body, sizeof(body), "{\"reason\":\"%s\",\"invalidity_date\":%lld}",
		    crl_reason_name(r), atoll(inv));
	else
		snprintf(body, sizeof(body), "{\"reason\":\"%s\"}", unrevoke ? "" : crl_reason_name(r));
	rc = open_ca(&d, conf, DAEMON_OPEN_ALL);
	if (rc == 0)
		rc = run_api(&d, path, unrevoke ? NULL : body);
	daemon_close(&d);
	return rc;
}

/*
 * Say what happened to a CRL the tool published: it is in the store and
 * the state folder; a running entcad notices the store's newer number
 * within a second (or at SIGHUP) and serves exactly that file; the
 * directory copy is tried once here and, on failure, retried by entcad.
 */
static void
crl_report(struct daemon *d, bool delta)
{
	const struct crlpub_result *r = delta ? &d->crl_delta : &d->crl_full;
	char path[4096], why[CA_WHY_MAX];
	int rc;

	crlpub_path(d->cfg->state_dir, d->cfg->name, delta, path, sizeof(path));
	if (r->held > 0)
		fprintf(stderr, "entca: CLOCK WENT BACK: the system clock is %lld s "
		    "behind the thisUpdate of an earlier CRL; this CRL keeps that "
		    "thisUpdate (it never goes backwards). Fix the clock.\n",
		    (long long)r->held);
	fprintf(stderr, "entca: %s CRL number %llu written to %s and recorded "
	    "in the store\n", delta ? "delta" : "full",
	    (unsigned long long)r->number, path);
	/*
	 * The directory first: the running entcad, told next, then finds the
	 * CRL in place and does not write the same bytes again.
	 */
	if (d->dirs == NULL || d->cfg->crl_publish_dn[0] == '\0')
		fprintf(stderr, "entca: no directory publication configured ([crl] publish-dn)\n");
	else if ((rc = daemon_crl_directory_once(d, delta, why, sizeof(why))) != CA_OK)
		fprintf(stderr, "entca: directory copy failed: %s; entcad retries it "
		    "with backoff (see /health)\n", why);
	else
		fprintf(stderr, "entca: written to the directory at %s\n",
		    d->cfg->crl_publish_dn);
	/* The running entcad serves it now, and says which number it serves. */
	tool_control_apply(d->cfg->state_dir, "crl");
}

/* entca crl publish [--delta] */
static int
cmd_crl(int argc, char **argv, const char *conf)
{
	struct daemon d;
	bool delta = false;
	int rc;

	if (argc < 2 || strcmp(argv[1], "publish") != 0) {
		fprintf(stderr, "usage: entca crl publish [--delta]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--delta") == 0)
			delta = true;
		else {
			fprintf(stderr, "entca crl publish: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	rc = open_ca(&d, conf, DAEMON_OPEN_ALL);
	if (rc == 0)
		rc = run_api(&d, "crl/publish", delta ? "{\"delta\":true}" : "{}");
	if (rc == 0)
		crl_report(&d, delta);
	daemon_close(&d);
	return rc;
}

/* Table cells hold at most this many bytes once escaped. */
#define TOOL_CELL_MAX 2048

/*
 * One table cell from a stored string that a client chose (requester,
 * names in a CSR, reasons quoting them): escaped like a log line so that
 * a newline, a tab or a terminal escape cannot forge rows (issue 20 item 7).
 */
static const char *
cell(const char *s, char *buf)
{
	log_escape(s, strlen(s), buf, TOOL_CELL_MAX);
	return buf;
}

/* As cell(), for a counted string. */
static const char *
cell_n(const char *s, size_t len, char *buf)
{
	log_escape(s, len, buf, TOOL_CELL_MAX);
	return buf;
}

/* Print one pending (or any) request as a line. */
static int
print_request(const struct store_request *r, void *arg)
{
	char c1[TOOL_CELL_MAX], c2[TOOL_CELL_MAX], c3[TOOL_CELL_MAX], c4[TOOL_CELL_MAX];

	(void)arg;
	printf("%llu\t%s\t%s\t%s\t%s\t%s\n", (unsigned long long)r->id,
	    store_req_status_name(r->status), cell(r->requester, c1),
	    cell(r->template_name, c2), cell(r->target, c3), cell(r->reason, c4));
	return 0;
}

/* entca request approve|deny ID [--reason TEXT] | list [--all] */
static int
cmd_request(int argc, char **argv, const char *conf)
{
	struct daemon d;
	struct store_txn *t = NULL;
	char path[128], why[CA_WHY_MAX];
	char *body = NULL;
	json_t *o;
	int rc;

	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		rc = open_ca(&d, conf, DAEMON_OPEN_CHECK);
		if (rc == 0 && store_read_begin(d.store, &t, why, sizeof(why)) == CA_OK) {
			store_iter_requests(t, 0, argc > 2 && strcmp(argv[2], "--all") == 0 ?
			    -1 : STORE_REQ_PENDING, print_request, NULL);
			store_read_end(t);
		}
		daemon_close(&d);
		return rc;
	}
	if (argc < 3 || (strcmp(argv[1], "approve") != 0 && strcmp(argv[1], "deny") != 0)) {
		fprintf(stderr, "usage: entca request approve|deny ID [--reason TEXT] | list [--all]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "requests/%s/%s", argv[2], argv[1]);
	if (argc >= 5 && strcmp(argv[3], "--reason") == 0) {
		o = json_pack("{s:s}", "reason", argv[4]);
		body = json_dumps(o, JSON_COMPACT);
		json_decref(o);
	}
	rc = open_ca(&d, conf, DAEMON_OPEN_ALL);
	if (rc == 0)
		rc = run_api(&d, path, body);
	free(body);
	daemon_close(&d);
	return rc;
}

/* Shortest password accepted for a CA key backup. */
#define BACKUP_PASSWORD_MIN 8

/*
 * entca backup DIR [--with-key --password-file F]: a consistent hot copy
 * of the store, the CA certificate, and with --with-key the CA key as a
 * PKCS#12 that `entca init --import DIR/ca.p12` takes back (issue 19).
 */
static int
cmd_backup(int argc, char **argv, const char *conf)
{
	static const char usage[] = "usage: entca backup DIR [--with-key "
	    "--password-file F]\n  --with-key: also DIR/ca.p12 (file keys "
	    "only), encrypted with the first line of F (at least 8 "
	    "characters)\n";
	struct daemon d;
	const char *dir = NULL, *pwfile = NULL;
	char why[CA_WHY_MAX], *pw = NULL;
	bool with_key = false;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--with-key") == 0)
			with_key = true;
		else if (strcmp(argv[i], "--password-file") == 0 && i + 1 < argc)
			pwfile = argv[++i];
		else if (argv[i][0] != '-' && dir == NULL)
			dir = argv[i];
		else {
			fprintf(stderr, "%s", usage);
			return 2;
		}
	}
	if (dir == NULL || with_key != (pwfile != NULL)) {
		fprintf(stderr, "entca backup: %s%s", dir == NULL ? "" :
		    "--with-key and --password-file go together\n", usage);
		return 2;
	}
	if (pwfile != NULL) {
		if (keyfile_read_password(pwfile, &pw, why, sizeof(why)) != CA_OK) {
			fprintf(stderr, "entca backup: %s\n", why);
			return 2;
		}
		if (strlen(pw) < BACKUP_PASSWORD_MIN) {
			fprintf(stderr, "entca backup: %s: the password has %zu "
			    "characters; a CA key backup needs at least %d\n",
			    pwfile, strlen(pw), BACKUP_PASSWORD_MIN);
			keyfile_password_free(pw);
			return 2;
		}
	}
	rc = open_ca(&d, conf, DAEMON_OPEN_CHECK);
	if (rc == 0 && store_backup(d.store, dir, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "entca: backup: %s\n", why);
		rc = 1;
	} else if (rc == 0 && tool_backup_identity(d.cfg->state_dir, dir, pw,
	    why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "entca: backup: %s\n", why);
		rc = 1;
	} else if (rc == 0 && tool_backup_extras(d.cfg->state_dir, dir,
	    with_key, pw, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "entca: backup: %s\n", why);
		rc = 1;
	} else if (rc == 0) {
		printf("store and CA certificate copied to %s%s\n", dir,
		    with_key ? "; CA key in ca.p12" : " (the key: --with-key, "
		    "or the token's own backup)");
	}
	keyfile_password_free(pw);
	daemon_close(&d);
	return rc;
}

/* Print one certificate of the store as a line. */
static int
print_cert(const unsigned char *serial, size_t len, int64_t not_after, void *arg)
{
	struct store_txn *t = arg;
	struct store_cert c;
	char hex[2 * STORE_SERIAL_MAX + 1];
	char c1[TOOL_CELL_MAX], c2[TOOL_CELL_MAX], c3[TOOL_CELL_MAX], c4[TOOL_CELL_MAX];

	(void)not_after;
	memset(&c, 0, sizeof(c));
	if (store_get_cert(t, serial, len, &c) != CA_OK)
		return 0;
	hex_encode(serial, len, hex);
	printf("%s\t%s\t%s\t%s\t%s\t%lld\t%s\n", hex, revoke_status_name(&c),
	    cell(c.template_name, c1), cell(c.requester, c2),
	    c.subject_sid[0] ? cell(c.subject_sid, c3) : "-",
	    (long long)c.not_after, cell(c.subject_dn, c4));
	store_cert_clear(&c);
	return 0;
}

/*
 * Print one audit event as a JSON line. Re-encoded with \uXXXX for
 * everything outside ASCII: JSON already escapes C0 controls, but C1
 * controls and bidi overrides in a name would reach the terminal raw.
 */
static int
print_audit(uint64_t seq, const char *json, size_t len, void *arg)
{
	char raw[TOOL_CELL_MAX];
	json_t *ev = json_loadb(json, len, 0, NULL);
	char *s = ev != NULL ? json_dumps(ev, JSON_COMPACT | JSON_ENSURE_ASCII |
	    JSON_PRESERVE_ORDER) : NULL;

	(void)arg;
	if (s != NULL)
		printf("%llu %s\n", (unsigned long long)seq, s);
	else
		printf("%llu %s\n", (unsigned long long)seq, cell_n(json, len, raw));
	free(s);
	json_decref(ev);
	return 0;
}

/* entca cert list | entca audit [N]: read-only views of the store. */
static int
cmd_view(int argc, char **argv, const char *conf)
{
	struct daemon d;
	struct store_txn *t = NULL;
	char why[CA_WHY_MAX];
	int rc;

	/* --tsv: the tab-separated lines older scripts read. */
	if (strcmp(argv[0], "cert") == 0 && (argc < 2 || argc > 3 ||
	    strcmp(argv[1], "list") != 0 || (argc == 3 && strcmp(argv[2], "--tsv") != 0))) {
		fprintf(stderr, "usage: entca cert list --tsv\n");
		return 2;
	}
	rc = open_ca(&d, conf, DAEMON_OPEN_CHECK);
	if (rc == 0 && store_read_begin(d.store, &t, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "entca: %s\n", why);
		rc = 1;
	}
	if (rc == 0 && strcmp(argv[0], "cert") == 0)
		store_iter_expiring(t, INT64_MIN, INT64_MAX, print_cert, t);
	else if (rc == 0)
		store_iter_audit_last(t, argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 50,
		    print_audit, NULL);
	store_read_end(t);
	daemon_close(&d);
	return rc;
}

/*
 * Rewrite the issue-templates line of [ca] in conf with name added or
 * removed, keeping every other line; write, fsync, rename.
 */
static int
edit_issue_list(const char *conf, const char *name, bool add,
    const struct ca_config *cfg)
{
	char tmp[PATH_MAX], line[TOOL_LINE_MAX], section[64] = "";
	char list[TOOL_LINE_MAX] = "";
	bool done = false, present = config_issues_template(cfg, name);
	FILE *in, *out;
	size_t n = 0;

	if (add == present) {
		printf("%s is %s in issue-templates already\n", name, add ? "listed" : "not listed");
		return 0;
	}
	for (size_t i = 0; i < cfg->n_issue; i++) {
		if (!add && strcasecmp(cfg->issue_templates[i], name) == 0)
			continue;
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
		    cfg->issue_templates[i]);
	}
	if (add)
		snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", conf);
	in = fopen(conf, "r");
	out = in != NULL ? fopen(tmp, "w") : NULL;
	if (in == NULL || out == NULL) {
		fprintf(stderr, "entca: %s: %s\n", in == NULL ? conf : tmp, strerror(errno));
		if (in != NULL)
			fclose(in);
		return 1;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		const char *p = line + strspn(line, " \t");

		if (*p == '[') {
			if (strcmp(section, "ca") == 0 && !done) {
				fprintf(out, "issue-templates = %s\n", list);
				done = true;
			}
			sscanf(p, "[%63[^]]", section);
		} else if (strcmp(section, "ca") == 0 && !done &&
		    strncmp(p, "issue-templates", 15) == 0 &&
		    strchr(" \t=", p[15]) != NULL) {
			fprintf(out, "issue-templates = %s\n", list);
			done = true;
			continue;
		}
		fputs(line, out);
	}
	if (!done)
		fprintf(out, "%s[ca]\nissue-templates = %s\n", strcmp(section, "ca") == 0 ? "" : "\n", list);
	/*
	 * The new file keeps the old one's owner and mode (the package's
	 * root:entca 0640), or entcad could no longer read it on reload, or
	 * others could.
	 */
	{
		struct stat st;

		if (fstat(fileno(in), &st) == 0 &&
		    (fchmod(fileno(out), st.st_mode & 07777) != 0 ||
		    (fchown(fileno(out), st.st_uid, st.st_gid) != 0 && geteuid() == 0)))
			fprintf(stderr, "entca: %s: cannot keep owner and mode: %s\n",
			    tmp, strerror(errno));
	}
	fclose(in);
	if (fflush(out) != 0 || fsync(fileno(out)) != 0 || fclose(out) != 0 ||
	    rename(tmp, conf) != 0) {
		fprintf(stderr, "entca: %s: %s\n", conf, strerror(errno));
		unlink(tmp);
		return 1;
	}
	printf("%s %s issue-templates in %s\n", name,
	    add ? "added to" : "removed from", conf);
	return 0;
}

/*
 * Have a running entcad apply a changed issue list at once; it records
 * the change in the audit log as it applies it. With no entcad running
 * the tool records it itself, since nobody else will.
 */
static int
template_apply(struct daemon *d, const char *name, bool add)
{
	char why[CA_WHY_MAX], msg[1024], who[128];
	int rc = tool_control_ask(d->cfg->state_dir, "reload",
	    TOOL_CONTROL_TIMEOUT_S, msg, sizeof(msg));

	if (rc != CA_ENOTFOUND)
		return tool_control_apply_result(rc, msg);
	local_name(who, sizeof(who));
	if (store_audit_event(d->store, why, sizeof(why), ca_now(), who, "",
	    add ? "template-issue" : "template-unissue", "done", "", "template",
	    name, NULL) != CA_OK)
		fprintf(stderr, "entca: audit: %s\n", why);
	return tool_control_apply_result(rc, msg);
}

/* entca template load | issue NAME | unissue NAME */
static int
cmd_template_ca(int argc, char **argv, const char *conf)
{
	struct daemon d;
	int rc;

	rc = open_ca(&d, conf, DAEMON_OPEN_CHECK);
	if (rc != 0) {
		daemon_close(&d);
		return rc;
	}
	if (strcmp(argv[0], "load") == 0) {
		printf("%zu templates from %s compiled into the store\n",
		    templates_count(d.templates), d.cfg->templates_dir);
		rc = tool_control_apply(d.cfg->state_dir, "reload");
	} else if (argc != 2) {
		fprintf(stderr, "usage: entca template %s NAME\n", argv[0]);
		rc = 2;
	} else if (strcmp(argv[0], "issue") == 0 && templates_find(d.templates, argv[1]) == NULL) {
		fprintf(stderr, "entca: no template %s in %s\n", argv[1], d.cfg->templates_dir);
		rc = 1;
	} else {
		const struct template *t = templates_find(d.templates, argv[1]);

		const char *name = t != NULL ? t->name : argv[1];
		bool add = strcmp(argv[0], "issue") == 0;

		rc = edit_issue_list(conf, name, add, d.cfg);
		if (rc == 0)
			rc = template_apply(&d, name, add);
	}
	daemon_close(&d);
	return rc;
}

/* Dispatch one host-side command. */
int
tool_admin_main(const char *conf_opt, int argc, char **argv)
{
	const char *conf = conf_path(conf_opt);
	const char *cmd = argv[0];

	log_init("entca", LOG_LEVEL_WARNING, false);
	if (strcmp(cmd, "revoke") == 0)
		return cmd_revoke(argc, argv, conf, false);
	if (strcmp(cmd, "unrevoke") == 0)
		return cmd_revoke(argc, argv, conf, true);
	if (strcmp(cmd, "crl") == 0)
		return cmd_crl(argc, argv, conf);
	if (strcmp(cmd, "request") == 0)
		return cmd_request(argc, argv, conf);
	if (strcmp(cmd, "backup") == 0)
		return cmd_backup(argc, argv, conf);
	if (strcmp(cmd, "cert") == 0 || strcmp(cmd, "audit") == 0)
		return cmd_view(argc, argv, conf);
	if (strcmp(cmd, "template") == 0 && argc >= 2 &&
	    (strcmp(argv[1], "load") == 0 || strcmp(argv[1], "issue") == 0 ||
	    strcmp(argv[1], "unissue") == 0))
		return cmd_template_ca(argc - 1, argv + 1, conf);
	return -1;
}

/* Whether argv is one of the host-side commands. */
bool
tool_admin_handles(const char *cmd, int argc, char **argv)
{
	static const char *const cmds[] = {
		"revoke", "unrevoke", "crl", "request", "backup", "cert", "audit"
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmd, cmds[i]) == 0)
			return true;
	return strcmp(cmd, "template") == 0 && argc >= 2 &&
	    (strcmp(argv[1], "load") == 0 || strcmp(argv[1], "issue") == 0 ||
	    strcmp(argv[1], "unissue") == 0);
}

/* Open the CA for another tool file (tool_admin.h). */
int
tool_admin_open(struct daemon *d, const char *conf)
{
	return open_ca(d, conf_path(conf), DAEMON_OPEN_ALL);
}

/* The host administrator's audit name (tool_admin.h). */
void
tool_admin_local_name(char *out, size_t len)
{
	local_name(out, len);
}

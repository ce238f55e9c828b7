/*
 * Helpers of the live directory tests; see directory_live.h.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/error.h"
#include "tests/unit/ldap/directory_live.h"

struct directory *dplain;

/* Environment value or NULL. */
const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* Fill a config for the fixture directory. */
void
base_config(struct directory_config *c)
{
	memset(c, 0, sizeof(*c));
	c->uris = env("SLAPD_URI");
	c->base = env("SLAPD_BASE");
	c->bind_dn = env("SLAPD_SVC_DN");
	c->bind_password = env("SLAPD_SVC_PW");
	c->domain = "DEMO";
	c->realm = "demo.example";
	c->tls = DIRECTORY_TLS_NONE_LOOPBACK_ONLY;
	c->network_timeout_ms = NET_TIMEOUT_MS;
	c->op_timeout_ms = OP_TIMEOUT_MS;
	c->cache_ttl_s = -1;
	c->pool_size = 3;
}

/* Make a directory from cfg or fail the test. */
struct directory *
make_dir(const struct directory_config *cfg)
{
	struct directory *d = NULL;
	char why[CA_WHY_MAX];
	int rc = directory_new(cfg, &d, why, sizeof(why));

	if (rc != CA_OK)
		print_error("directory_new: %s\n", why);
	assert_int_equal(rc, CA_OK);
	return d;
}

/* Make dplain from the environment (tests skip without SLAPD_URI). */
int
live_setup(void **state)
{
	struct directory_config c;

	(void)state;
	if (env("SLAPD_URI") == NULL)
		return 0;
	base_config(&c);
	dplain = make_dir(&c);
	return 0;
}

/* Free dplain. */
int
live_teardown(void **state)
{
	(void)state;
	directory_free(dplain);
	return 0;
}


/* True if p has a group with this SID (and name, unless NULL). */
bool
has_group(const struct principal *p, const char *sid, const char *name)
{
	for (size_t i = 0; i < p->n_groups; i++)
		if (strcmp(p->groups[i].sid, sid) == 0 &&
		    (name == NULL || strcmp(p->groups[i].name, name) == 0))
			return true;
	return false;
}

/* Authenticate, expecting CA_OK. */
void
auth_ok(struct directory *d, const char *user, const char *pw,
    struct principal *p)
{
	struct directory_auth_log log;
	char why[CA_WHY_MAX];
	int rc = directory_authenticate(d, user, pw, p, &log, why, sizeof(why));

	if (rc != CA_OK)
		print_error("auth '%s': %s (%s: %s)\n", user, why,
		    directory_auth_reason_name(log.reason), log.detail);
	assert_int_equal(rc, CA_OK);
	assert_int_equal(log.reason, DIRECTORY_AUTH_OK);
}

/* Authenticate, expecting the one refusal sentence and this log reason. */
void
auth_refused(struct directory *d, const char *user, const char *pw,
    enum directory_auth_reason reason)
{
	struct directory_auth_log log;
	struct principal p;
	char why[CA_WHY_MAX];
	int rc;

	memset(&p, 0, sizeof(p));
	rc = directory_authenticate(d, user, pw, &p, &log, why, sizeof(why));
	if (rc != CA_EAUTH || log.reason != reason)
		print_error("auth '%s': rc %d why '%s' reason %s (%s)\n", user, rc,
		    why, directory_auth_reason_name(log.reason), log.detail);
	assert_int_equal(rc, CA_EAUTH);
	assert_string_equal(why, DIRECTORY_AUTH_FAILED);
	assert_int_equal(log.reason, reason);
	assert_true(log.detail[0] != '\0');
	assert_null(strstr(log.detail, pw != NULL && *pw ? pw : "\x01"));
	assert_int_equal(p.n_groups, 0);
	assert_string_equal(p.dn, "");
}

/* Look up by sAMAccountName in d, expecting success. */
void
lookup_ok_in(struct directory *d, const char *sam, struct principal *p)
{
	char why[CA_WHY_MAX];
	int rc = directory_lookup(d, DIRECTORY_BY_SAM, sam, p, why,
	    sizeof(why));

	if (rc != CA_OK)
		print_error("lookup '%s': %s\n", sam, why);
	assert_int_equal(rc, CA_OK);
}

/* Read a whole file into a malloc'd buffer. */
unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* PID of the running slapd from its pid file. */
pid_t
slapd_pid(void)
{
	char path[1024];
	FILE *f;
	int pid = 0;

	snprintf(path, sizeof(path), "%s/slapd.pid", env("SLAPD_STATE"));
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return (pid_t)pid;
}

/* Restart slapd on the same port with the same data. */
void
slapd_restart(void)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "sh '%s' '%s' >/dev/null", env("SLAPD_START"),
	    env("SLAPD_STATE"));
	assert_int_equal(system(cmd), 0);
}

/* Kill slapd hard and wait until its port is closed. */
void
slapd_kill(void)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "sh '%s' '%s' --keep", env("SLAPD_STOP"),
	    env("SLAPD_STATE"));
	assert_int_equal(system(cmd), 0);
}

/* True when every task of pid is in state T (stopped). */
static bool
all_stopped(pid_t pid)
{
	char path[64], buf[512], *p;
	struct dirent *de;
	bool all = true;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((dir = opendir(path)) == NULL)
		return false;
	while (all && (de = readdir(dir)) != NULL) {
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(buf, sizeof(buf), "/proc/%d/task/%s/stat", (int)pid,
		    de->d_name);
		if ((f = fopen(buf, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) == NULL ||
		    (p = strrchr(buf, ')')) == NULL || p[1] != ' ' ||
		    (p[2] != 'T' && p[2] != 't'))
			all = false;
		fclose(f);
	}
	closedir(dir);
	return all;
}

/* Poll all_stopped() every 10 ms for up to 2 s. */
bool
slapd_wait_stopped(pid_t pid)
{
	for (int i = 0; i < 200; i++) {
		if (all_stopped(pid))
			return true;
		usleep(10000);
	}
	return false;
}

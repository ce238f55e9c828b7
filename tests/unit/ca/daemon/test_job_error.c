/*
 * Unit tests for the one error table (ca/daemon/job_error.c) and
 * job_fail() (ca/daemon/job.c): every error code has a row, the statuses
 * are the table's (CA_EEXIST is 409 wherever it comes from), API errors
 * are JSON with a stable code while EST errors stay text/plain, and no
 * client hears the server's own paths. Also the pipeline's stage table
 * (job.h), whose names the failure log line uses.
 */
#define _GNU_SOURCE	/* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "ca/daemon/daemon.h"
#include "ca/daemon/job.h"
#include "ca/daemon/job_error.h"

/* every_code_has_a_row: no code falls through to the default. */
static void
test_every_code_has_a_row(void **state)
{
	(void)state;
	for (int i = 1; i < CA_ERROR_COUNT; i++) {
		const struct job_error_row *r = job_error_row(-i);

		assert_non_null(r->code);
		assert_true(r->code[0] != '\0');
		assert_in_range(r->status, 400, 599);
	}
	/* Outside the enum: the internal error, never a 2xx. */
	assert_int_equal(job_error_status(-CA_ERROR_COUNT), 500);
	assert_int_equal(job_error_status(7), 500);
	assert_int_equal(job_error_status(CA_OK), 500);
}

/* The statuses clients and tests rely on, one per row that is not 500. */
static void
test_statuses(void **state)
{
	static const struct { int err, status; const char *code; } want[] = {
		{ CA_EPARSE, 400, "bad_request" },
		{ CA_EPOLICY, 400, "policy_violation" },
		{ CA_EAUTH, 401, "unauthorized" },
		{ CA_EDENIED, 403, "forbidden" },
		{ CA_ENOTFOUND, 404, "not_found" },
		{ CA_EMETHOD, 405, "method_not_allowed" },
		{ CA_EEXIST, 409, "already_exists" },
		{ CA_ESTATE, 409, "conflict" },
		{ CA_ETOOBIG, 413, "payload_too_large" },
		{ CA_EMEDIA, 415, "unsupported_media_type" },
		{ CA_EUNAVAIL, 503, "unavailable" },
		{ CA_ETIMEOUT, 503, "unavailable" },
		{ CA_ENOMEM, 500, "internal_error" },
		{ CA_EDB, 500, "internal_error" },
		{ CA_EIO, 500, "internal_error" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(job_error_status(want[i].err), want[i].status);
		assert_string_equal(job_error_code(want[i].err), want[i].code);
	}
}

/* The daemon the jobs of a test belong to, zeroed by fresh_daemon(). */
static struct ca_config cfg;
static struct daemon d;

/* cmocka set-up: an empty configuration and a daemon that uses it. */
static int
fresh_daemon(void **state)
{
	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	memset(&d, 0, sizeof(d));
	d.cfg = &cfg;
	return 0;
}

/* A job of d for path, as job_new would make it, without a request. */
static struct job *
fake_job(const char *path)
{
	struct job *j = calloc(1, sizeof(*j));

	assert_non_null(j);
	j->d = &d;
	j->cfg = d.cfg;
	snprintf(j->path, sizeof(j->path), "%s", path);
	snprintf(j->method, sizeof(j->method), "GET");
	return j;
}

/* The value of response header name in j, or NULL. */
static const char *
header_of(const struct job *j, const char *name)
{
	for (size_t i = 0; i < j->n_headers; i++)
		if (strcmp(j->header_names[i], name) == 0)
			return j->header_values[i];
	return NULL;
}

/* Free what fake_job and job_fail allocated. */
static void
fake_free(struct job *j)
{
	free(j->resp);
	free(j);
}

/* api_error_is_json: {"error": {"code", "message"}}, application/json. */
static void
test_api_error_is_json(void **state)
{
	struct job *j;
	json_t *o;

	(void)state;
	j = fake_job("/api/v1/certificates/01");
	job_header(j, "Content-Type", "application/json");	/* a 200 set before */
	job_fail(j, CA_ENOTFOUND, "certificate %s: not issued by this CA", "01");
	assert_int_equal(j->status, 404);
	assert_string_equal(header_of(j, "Content-Type"), "application/json");
	assert_int_equal(j->n_headers, 1);	/* replaced, not a second one */
	o = json_loadb((const char *)j->resp, j->resp_len, 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(json_object_get(o,
	    "error"), "code")), "not_found");
	assert_string_equal(json_string_value(json_object_get(json_object_get(o,
	    "error"), "message")), "certificate 01: not issued by this CA");
	json_decref(o);
	fake_free(j);
}

/* est_error_is_text: RFC 7030 clients read a text/plain sentence. */
static void
test_est_error_is_text(void **state)
{
	struct job *j;

	(void)state;
	j = fake_job("/.well-known/est/simpleenroll");
	job_fail(j, CA_EAUTH, "invalid credentials");
	assert_int_equal(j->status, 401);
	assert_string_equal(header_of(j, "Content-Type"), "text/plain; charset=utf-8");
	assert_int_equal(j->resp_len, strlen("invalid credentials\n"));
	assert_memory_equal(j->resp, "invalid credentials\n", j->resp_len);
	fake_free(j);
}

/*
 * api_error_leaks_no_server_path: the store's sentence names its folder;
 * the client hears the sentence without it, the log line (j->why) keeps
 * it, and the host's own administrator (entca) still sees it.
 */
static void
test_api_error_leaks_no_server_path(void **state)
{
	struct job *j;

	(void)state;
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "/srv/demo-state/ca/");
	snprintf(cfg.path, sizeof(cfg.path), "/etc/entca/entcad.conf");

	j = fake_job("/api/v1/certificates/0badc0de/unrevoke");
	job_fail(j, CA_ENOTFOUND, "store %s/db: certificate 0badc0de not found",
	    "/srv/demo-state/ca");
	assert_null(memmem(j->resp, j->resp_len, "/srv", 4));
	assert_non_null(memmem(j->resp, j->resp_len,
	    "\"store: certificate 0badc0de not found\"", 39));
	assert_non_null(strstr(j->why, "/srv/demo-state/ca/db"));
	fake_free(j);

	/* EST bodies too, and the configuration file by name. */
	j = fake_job("/.well-known/est/simpleenroll");
	job_fail(j, CA_ECONFIG, "reading /etc/entca/entcad.conf: gone");
	assert_null(memmem(j->resp, j->resp_len, "/etc", 4));
	fake_free(j);

	/* The host's own administrator owns the folder: it hears the path. */
	j = fake_job("");
	j->local = true;
	job_fail(j, CA_ENOTFOUND, "store /srv/demo-state/ca/db: certificate 0badc0de not found");
	assert_non_null(memmem(j->resp, j->resp_len, "/srv/demo-state/ca/db", 21));
	fake_free(j);
}

/* job_error_scrub keeps words and request paths, takes whole server paths. */
static void
test_scrub(void **state)
{
	const char *roots[] = { "/var/lib/entca", "/", NULL, "relative" };
	char m[256];

	(void)state;
	snprintf(m, sizeof(m), "store /var/lib/entca/db: map full, see /var/lib/entca");
	job_error_scrub(m, roots, 4);
	assert_string_equal(m, "store: map full, see");
	/* A sibling folder that merely starts alike is not the root. */
	snprintf(m, sizeof(m), "open /var/lib/entcafe/x: denied");
	job_error_scrub(m, roots, 4);
	assert_string_equal(m, "open /var/lib/entcafe/x: denied");
	/* Request paths and relative words stay. */
	snprintf(m, sizeof(m), "unknown API path /api/v1/x (relative words)");
	job_error_scrub(m, roots, 4);
	assert_string_equal(m, "unknown API path /api/v1/x (relative words)");
}

/* stage_table_complete: a named row per stage, threads as job.h says. */
static void
test_stage_table(void **state)
{
	static const enum job_thread want[JOB_STAGE_COUNT] = {
		JOB_THREAD_LOOP, JOB_THREAD_WORKER, JOB_THREAD_WORKER,
		JOB_THREAD_WRITER, JOB_THREAD_WRITER, JOB_THREAD_LOOP,
		JOB_THREAD_LOOP,
	};
	struct job *j;

	(void)state;
	for (int i = 0; i < JOB_STAGE_COUNT; i++) {
		const struct job_stage_row *r = job_stage_row(i);

		assert_non_null(r);
		assert_non_null(r->name);
		assert_int_equal(r->thread, want[i]);
		for (int k = 0; k < i; k++)
			assert_string_not_equal(r->name, job_stage_row(k)->name);
	}
	assert_null(job_stage_row(JOB_STAGE_COUNT));
	assert_string_equal(job_stage_row(JOB_STAGE_AUTH)->name, "auth");

	/* job_fail remembers the stage that refused, for the log line. */
	j = fake_job("/api/v1/requests");
	j->stage = JOB_STAGE_WORK;
	job_fail(j, CA_EDENIED, "read: the CA officer or auditor right is required");
	j->stage = JOB_STAGE_REPLY;
	assert_int_equal(j->fail_stage, JOB_STAGE_WORK);
	fake_free(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code_has_a_row),
		cmocka_unit_test(test_statuses),
		cmocka_unit_test_setup(test_api_error_is_json, fresh_daemon),
		cmocka_unit_test_setup(test_est_error_is_text, fresh_daemon),
		cmocka_unit_test_setup(test_api_error_leaks_no_server_path,
		    fresh_daemon),
		cmocka_unit_test(test_scrub),
		cmocka_unit_test_setup(test_stage_table, fresh_daemon),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

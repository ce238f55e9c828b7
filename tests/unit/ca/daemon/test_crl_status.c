/*
 * Unit tests for ca/daemon/crl_daemon.c's status accessor: what /health is given
 * about CRLs in service and the directory step (served numbers, pending
 * directory copies, attempts, errors, the overall ok flag), and its JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "common/error.h"
#include "ca/daemon/crl_daemon.h"
#include "ca/daemon/daemon.h"

#define NOW ((int64_t)1800000000)

static unsigned char fake_der[1] = { 0x30 };

/* The daemon each test starts from, made by setup(). */
static struct daemon d;
static struct ca_config cfg;
static struct daemon_directory dirs;

/* cmocka set-up: a full and a delta CRL in service and a directory. */
static int
setup(void **state)
{
	(void)state;
	memset(&d, 0, sizeof(d));
	memset(&cfg, 0, sizeof(cfg));
	memset(&dirs, 0, sizeof(dirs));
	d.cfg = &cfg;
	cfg.delta_period_s = 86400;
	snprintf(cfg.crl_publish_dn, sizeof(cfg.crl_publish_dn),
	    "cn=ENTCA,cn=CDP");
	d.dirs = &dirs;
	d.crl_full.der = fake_der;
	d.crl_full.number = 7;
	d.crl_full.next_update = NOW + 100;
	d.crl_delta.der = fake_der;
	d.crl_delta.delta = true;
	d.crl_delta.number = 8;
	d.crl_delta.next_update = NOW + 100;
	return 0;
}

/* Everything in service and in the directory: ok. */
static void
test_all_written(void **state)
{
	struct crl_publish_status st;

	(void)state;
	d.crl.dir[CRL_KIND_FULL].written = 7;
	d.crl.dir[CRL_KIND_DELTA].written = 8;
	crl_publish_status(&d, NOW, &st);
	assert_true(st.ok);
	assert_true(st.directory);
	assert_int_equal(st.crl[CRL_KIND_FULL].number, 7);
	assert_true(st.crl[CRL_KIND_DELTA].fresh);
	assert_false(st.dir[CRL_KIND_FULL].pending);
	assert_false(st.dir[CRL_KIND_DELTA].pending);
}

/* A failing directory step: pending, attempts, next try, the error; not ok. */
static void
test_directory_failing(void **state)
{
	struct crl_publish_status st;
	json_t *o, *dir;

	(void)state;
	d.crl.dir[CRL_KIND_FULL].written = 5;
	d.crl.dir[CRL_KIND_FULL].attempts = 3;
	d.crl.dir[CRL_KIND_FULL].next_at = NOW + 8;
	snprintf(d.crl.dir[CRL_KIND_FULL].why, sizeof(d.crl.dir[0].why),
	    "directory: Insufficient access");
	d.crl.dir[CRL_KIND_DELTA].written = 8;
	crl_publish_status(&d, NOW, &st);
	assert_false(st.ok);
	assert_true(st.dir[CRL_KIND_FULL].pending);
	assert_int_equal(st.dir[CRL_KIND_FULL].written, 5);
	assert_int_equal(st.dir[CRL_KIND_FULL].attempts, 3);
	assert_int_equal(st.dir[CRL_KIND_FULL].next_try, NOW + 8);
	assert_string_equal(st.dir[CRL_KIND_FULL].error, "directory: Insufficient access");
	/* HTTP still serves it: the CRL itself is fresh. */
	assert_true(st.crl[CRL_KIND_FULL].fresh);

	o = crl_publish_status_json(&d, NOW);
	assert_non_null(o);
	assert_false(json_is_true(json_object_get(o, "ok")));
	assert_int_equal(json_integer_value(json_object_get(o, "full_number")), 7);
	dir = json_object_get(o, "directory");
	assert_true(json_is_true(json_object_get(dir, "full_pending")));
	assert_int_equal(json_integer_value(json_object_get(dir, "full_attempts")), 3);
	/* /health answers anyone: a flag, never the directory's text */
	assert_true(json_is_true(json_object_get(dir, "full_failing")));
	assert_null(json_object_get(dir, "full_error"));
	json_decref(o);
}

/* A failed publication and a stale CRL are not ok; no directory configured. */
static void
test_publication_failing(void **state)
{
	struct crl_publish_status st;

	(void)state;
	d.dirs = NULL;
	d.crl.failures = 2;
	d.crl_retry_at = NOW + 10;
	snprintf(d.crl.why, sizeof(d.crl.why), "signer: gone");
	d.crl_delta.next_update = NOW - 1;
	crl_publish_status(&d, NOW, &st);
	assert_false(st.ok);
	assert_false(st.directory);
	assert_false(st.dir[CRL_KIND_FULL].pending);
	assert_int_equal(st.failures, 2);
	assert_int_equal(st.retry_at, NOW + 10);
	assert_string_equal(st.error, "signer: gone");
	assert_false(st.crl[CRL_KIND_DELTA].fresh);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_all_written, setup),
		cmocka_unit_test_setup(test_directory_failing, setup),
		cmocka_unit_test_setup(test_publication_failing, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for the daemon's generation handle (ca/daemon/daemon.c): a
 * job holds one reference on the configuration, templates and directory
 * pool it started with; a reload swaps all three at once
 * (daemon_gen_adopt) and never frees what a job in flight still reads.
 * The template set and pool are empty shells: only the references count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ca/daemon/daemon.h"
#include "ca/daemon/templates_load.h"

/* An empty template set with one reference (the daemon's). */
static struct daemon_templates *
tpl_new(void)
{
	struct daemon_templates *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->refs = 1;
	return t;
}

/* An empty directory pool with one reference (the daemon's). */
static struct daemon_directory *
dirs_new(void)
{
	struct daemon_directory *x = calloc(1, sizeof(*x));

	assert_non_null(x);
	x->refs = 1;
	return x;
}

/* gen_reload_keeps_jobs_generation: one swap, old jobs keep theirs. */
static void
test_adopt(void **state)
{
	struct ca_config cfg1, cfg2, cfg3;
	struct daemon d;
	struct daemon_templates *t1 = tpl_new(), *t2 = tpl_new(), *t3 = tpl_new();
	struct daemon_directory *x1 = dirs_new(), *x2 = dirs_new();
	struct daemon_gen *g1, *g1b, *g2;

	(void)state;
	memset(&d, 0, sizeof(d));
	d.cfg = &cfg1;
	d.templates = t1;
	d.dirs = x1;

	g1 = daemon_gen_get(&d);
	assert_non_null(g1);
	assert_ptr_equal(g1->cfg, &cfg1);
	assert_ptr_equal(g1->tpl, t1);
	assert_ptr_equal(g1->dirs, x1);
	assert_int_equal(t1->refs, 2);		/* the daemon's and g1's */
	assert_int_equal(x1->refs, 2);
	g1b = daemon_gen_get(&d);		/* no swap: the same generation */
	assert_ptr_equal(g1, g1b);
	daemon_gen_put(g1b);

	/* SIGHUP: new configuration, templates and pool, at once. */
	daemon_gen_adopt(&d, &cfg2, t2, x2);
	assert_ptr_equal(d.cfg, &cfg2);
	assert_ptr_equal(d.templates, t2);
	assert_ptr_equal(d.dirs, x2);
	/* The job that began before still reads the old three. */
	assert_ptr_equal(g1->cfg, &cfg1);
	assert_ptr_equal(g1->tpl, t1);
	assert_int_equal(t1->refs, 1);		/* g1's only */
	assert_int_equal(x1->refs, 1);
	g2 = daemon_gen_get(&d);
	assert_ptr_not_equal(g2, g1);
	assert_ptr_equal(g2->cfg, &cfg2);
	assert_ptr_equal(g2->tpl, t2);
	assert_ptr_equal(g2->dirs, x2);
	daemon_gen_put(g1);			/* frees t1 and x1 (ASan sees) */

	/* A reload that keeps the pool: the caller's reference is dropped. */
	daemon_gen_adopt(&d, &cfg3, t3, daemon_directory_get(&d));
	assert_ptr_equal(d.dirs, x2);
	assert_int_equal(x2->refs, 2);		/* the daemon's and g2's */
	assert_int_equal(t2->refs, 1);		/* g2's */
	daemon_gen_put(g2);
	assert_int_equal(x2->refs, 1);
	assert_null(d.gen);

	daemon_directory_put(d.dirs);
	daemon_templates_put(d.templates);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adopt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for common/log.h's threshold: log_enabled() answers what
 * log_msg() would write, at every level, through log_init and a reload's
 * log_set_level, so callers can skip building a line that is dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "common/log.h"

/* Every level at and above the threshold's importance, none below. */
static void
test_enabled_follows_threshold(void **state)
{
	(void)state;
	log_init("test_log", LOG_LEVEL_INFO, false);
	assert_true(log_enabled(LOG_LEVEL_ERROR));
	assert_true(log_enabled(LOG_LEVEL_WARNING));
	assert_true(log_enabled(LOG_LEVEL_NOTICE));
	assert_true(log_enabled(LOG_LEVEL_INFO));
	assert_false(log_enabled(LOG_LEVEL_DEBUG));

	log_set_level(LOG_LEVEL_DEBUG);
	for (int l = LOG_LEVEL_ERROR; l < LOG_LEVEL_COUNT; l++)
		assert_true(log_enabled((enum log_level)l));

	log_set_level(LOG_LEVEL_ERROR);
	assert_true(log_enabled(LOG_LEVEL_ERROR));
	for (int l = LOG_LEVEL_WARNING; l < LOG_LEVEL_COUNT; l++)
		assert_false(log_enabled((enum log_level)l));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enabled_follows_threshold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

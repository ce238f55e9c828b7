# ca/daemon.mk: config, logging, clock, worker pool, EST and management
# handlers, and the entcad / entca mains.
libentca_ca_a_SOURCES += \
	ca/log.c ca/log.h \
	ca/clock.c ca/clock.h \
	ca/workers.c ca/workers.h

check_PROGRAMS += tests/unit/test_workers
TESTS += tests/unit/test_workers
tests_unit_test_workers_SOURCES = tests/unit/test_workers.c
tests_unit_test_workers_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_workers_LDADD = $(TEST_LDADD)

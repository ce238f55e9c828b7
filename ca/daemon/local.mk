# ca/daemon/local.mk: the daemon's frame: configuration, the event loop, the
# worker pool, jobs, the router (serve.c), reload, health, metrics, the CRL
# schedule, and entcad's main.
libentca_ca_a_SOURCES += \
	ca/daemon/config.c ca/daemon/settings.h \
	ca/daemon/workers.c ca/daemon/workers.h \
	ca/daemon/daemon.h \
	ca/daemon/job.c ca/daemon/job.h ca/daemon/explain.c ca/daemon/explain.h \
	ca/daemon/job_error.c ca/daemon/job_error.h \
	ca/daemon/templates_load.c ca/daemon/templates_load.h \
	ca/daemon/crl_daemon.c ca/daemon/crl_daemon.h \
	ca/daemon/daemon.c \
	ca/daemon/serve.c \
	ca/daemon/health.c ca/daemon/health.h

# /metrics and the per-request log line (issue 14).
libentca_ca_a_SOURCES += ca/daemon/metrics.c ca/daemon/metrics.h

# Start-up check of allow/deny lines and service account access.
libentca_ca_a_SOURCES += ca/daemon/dircheck.c ca/daemon/dircheck.h

sbin_PROGRAMS += entcad
entcad_SOURCES = ca/daemon/entcad.c
entcad_LDADD = $(ENTCA_LIBS)


check_PROGRAMS += tests/unit/ca/daemon/test_workers
TESTS += tests/unit/ca/daemon/test_workers
tests_unit_ca_daemon_test_workers_SOURCES = tests/unit/ca/daemon/test_workers.c
tests_unit_ca_daemon_test_workers_CFLAGS = $(TEST_CFLAGS)
tests_unit_ca_daemon_test_workers_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/ca/daemon/test_config
TESTS += tests/unit/ca/daemon/test_config
tests_unit_ca_daemon_test_config_SOURCES = tests/unit/ca/daemon/test_config.c
tests_unit_ca_daemon_test_config_CFLAGS = $(TEST_CFLAGS)
tests_unit_ca_daemon_test_config_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/ca/daemon/test_crl_status
TESTS += tests/unit/ca/daemon/test_crl_status
tests_unit_ca_daemon_test_crl_status_SOURCES = tests/unit/ca/daemon/test_crl_status.c
tests_unit_ca_daemon_test_crl_status_CFLAGS = $(TEST_CFLAGS)
tests_unit_ca_daemon_test_crl_status_LDADD = $(TEST_LDADD)
# /health's CRL rules (issue 11: 503 when the CRL is missing or stale).
check_PROGRAMS += tests/unit/ca/daemon/test_health
TESTS += tests/unit/ca/daemon/test_health
tests_unit_ca_daemon_test_health_SOURCES = tests/unit/ca/daemon/test_health.c
tests_unit_ca_daemon_test_health_CFLAGS = $(TEST_CFLAGS)
tests_unit_ca_daemon_test_health_LDADD = $(TEST_LDADD)

# The error table and job_fail (issue 13): one status per error code.
check_PROGRAMS += tests/unit/ca/daemon/test_job_error
TESTS += tests/unit/ca/daemon/test_job_error
tests_unit_ca_daemon_test_job_error_SOURCES = tests/unit/ca/daemon/test_job_error.c
tests_unit_ca_daemon_test_job_error_CFLAGS = $(TEST_CFLAGS)
tests_unit_ca_daemon_test_job_error_LDADD = $(TEST_LDADD)

# The generation handle: one reference per job, one swap per reload.
check_PROGRAMS += tests/unit/ca/daemon/test_gen
TESTS += tests/unit/ca/daemon/test_gen
tests_unit_ca_daemon_test_gen_SOURCES = tests/unit/ca/daemon/test_gen.c
tests_unit_ca_daemon_test_gen_CFLAGS = $(TEST_CFLAGS)
tests_unit_ca_daemon_test_gen_LDADD = $(TEST_LDADD)

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
	ca/daemon/ca_previous.c ca/daemon/ca_previous.h \
	ca/daemon/crl_params.c \
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

# Unit tests: the worker pool, the configuration, the CRL status, /health's
# CRL rules (issue 11: 503 when the CRL is missing or stale), the error
# table and job_fail (issue 13: one status per error code), and the
# generation handle (one reference per job, one swap per reload).
DAEMON_UNIT_TESTS = tests/unit/ca/daemon/test_workers \
	tests/unit/ca/daemon/test_config tests/unit/ca/daemon/test_crl_status \
	tests/unit/ca/daemon/test_health tests/unit/ca/daemon/test_job_error \
	tests/unit/ca/daemon/test_gen
check_PROGRAMS += $(DAEMON_UNIT_TESTS)
TESTS += $(DAEMON_UNIT_TESTS)
# The control socket through which entca has changes applied at once.
libentca_ca_a_SOURCES += ca/daemon/control.c ca/daemon/control.h
TESTS += tests/integration/control_reload.sh
EXTRA_DIST += tests/integration/control_reload.sh
# The EST and API pipeline in one process (daemon_handle, job layer, real
# store, real slapd, real signer), driven by tests/integration/pipeline.sh.
check_PROGRAMS += tests/unit/ca/daemon/test_pipeline
TESTS += tests/integration/pipeline.sh
EXTRA_DIST += tests/integration/pipeline.sh

# ca/daemon.mk: config, logging, clock, worker pool, jobs, EST and
# management handlers, CRL publication, and the entcad / entca mains.
libentca_ca_a_SOURCES += \
	ca/log.c ca/log.h \
	ca/clock.c ca/clock.h \
	ca/config.c ca/settings.h \
	ca/workers.c ca/workers.h \
	ca/daemon.h \
	ca/job.c ca/job.h ca/explain.c ca/explain.h \
	ca/pkcs7.c ca/pkcs7.h \
	ca/templates_load.c ca/templates_load.h \
	ca/crl_publish.c ca/crl_publish.h \
	ca/crl_daemon.c ca/crl_daemon.h \
	ca/revoke.c ca/revoke.h \
	ca/daemon.c \
	ca/est.c ca/est.h ca/est_int.h ca/est_reply.c ca/est_pending.c \
	ca/est_csrattrs.c ca/est_publish.c \
	ca/est_link.c \
	ca/api.c ca/api.h ca/api_read.c \
	ca/serve.c \
	ca/tool_admin.c ca/tool_admin.h \
	ca/health.c ca/health.h

# /metrics and the per-request log line (issue 14).
libentca_ca_a_SOURCES += ca/metrics.c ca/metrics.h

# Start-up check of allow/deny lines and service account access.
libentca_ca_a_SOURCES += ca/dircheck.c ca/dircheck.h

sbin_PROGRAMS += entcad
entcad_SOURCES = ca/entcad.c
entcad_LDADD = $(ENTCA_LIBS)

bin_PROGRAMS += entca
entca_SOURCES = ca/entca.c
entca_LDADD = $(ENTCA_LIBS)

check_PROGRAMS += tests/unit/test_workers
TESTS += tests/unit/test_workers
tests_unit_test_workers_SOURCES = tests/unit/test_workers.c
tests_unit_test_workers_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_workers_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/test_config
TESTS += tests/unit/test_config
tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_config_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/test_crl_status
TESTS += tests/unit/test_crl_status
tests_unit_test_crl_status_SOURCES = tests/unit/test_crl_status.c
tests_unit_test_crl_status_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_crl_status_LDADD = $(TEST_LDADD)
# /health's CRL rules (issue 11: 503 when the CRL is missing or stale).
check_PROGRAMS += tests/unit/test_health
TESTS += tests/unit/test_health
tests_unit_test_health_SOURCES = tests/unit/test_health.c
tests_unit_test_health_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_health_LDADD = $(TEST_LDADD)

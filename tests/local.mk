# tests/: integration scripts (TAP), shared by all folders.

# End-to-end: slapd + entcad + curl/openssl/python (etc/demo/demo-env.sh).
TESTS += tests/integration/est_enroll.sh tests/integration/crl_revoke.sh \
	tests/integration/entcad_daemon.sh
EXTRA_DIST += tests/common.sh tests/free_port.py tests/integration/csr.py tests/integration/est_enroll.sh tests/integration/crl_revoke.sh tests/integration/entcad_daemon.sh \
	etc/demo/demo-env.sh etc/demo/run-demo.sh etc/entcad.conf
# Interoperability with strict EST clients (issue 12).
TESTS += tests/integration/est_interop.sh tests/integration/directory_diag.sh
EXTRA_DIST += tests/integration/est_interop.sh tests/integration/est_strict_client.py \
	tests/integration/directory_diag.sh
TESTS += tests/integration/est_interop.sh tests/integration/directory_diag.sh \
	tests/integration/publish_cert.sh
EXTRA_DIST += tests/integration/est_interop.sh tests/integration/est_client.py \
	tests/integration/directory_diag.sh tests/integration/publish_cert.sh

# libFuzzer targets for untrusted and hand-edited input (--enable-fuzzing,
# CC=clang); run e.g. tests/fuzz/fuzz_csr -max_total_time=60.
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_csr tests/fuzz/fuzz_template
tests_fuzz_fuzz_csr_SOURCES = tests/fuzz/fuzz_csr.c
tests_fuzz_fuzz_csr_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_csr_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_csr_LDADD = $(ENTCA_LIBS)
tests_fuzz_fuzz_template_SOURCES = tests/fuzz/fuzz_template.c
tests_fuzz_fuzz_template_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_template_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_template_LDADD = $(ENTCA_LIBS)
endif

# Issue 11: hostile input, connection floods, health and store failures.
# Certificate login scope, account state at login, refusal logs, escaping
# (issue 10 items 1, 2, 9; issue 20 items 1, 7).
TESTS += tests/integration/login_scope.sh
EXTRA_DIST += tests/integration/login_scope.sh
check_PROGRAMS += tests/unit/ca/daemon/test_login
TESTS += tests/unit/ca/daemon/test_login
# The request lifecycle under attack: races, polls, linking, renewal, PFX.
TESTS += tests/integration/request_lifecycle.sh
EXTRA_DIST += tests/integration/request_lifecycle.sh tests/integration/est_client.py
# What names a certificate may carry (issue 10 items 6-7, issue 19 items 1-2).
TESTS += tests/integration/names_check.sh
EXTRA_DIST += tests/integration/names_check.sh tests/integration/names_csr.py
# The directory as security data: fail closed, names, the cache.
TESTS += tests/integration/directory_security.sh
EXTRA_DIST += tests/integration/directory_security.sh
# The CRL state machine: directory failures, host publications, restores,
# clock steps (crl_state.sh).
TESTS += tests/integration/crl_state.sh
EXTRA_DIST += tests/integration/crl_state.sh
# The directory's CRL copy is not written again at a start unless it changed.
TESTS += tests/integration/crl_directory_restart.sh
EXTRA_DIST += tests/integration/crl_directory_restart.sh
TESTS += tests/integration/csr_second_template_ext.sh \
	tests/integration/conn_limits.sh tests/integration/health.sh \
	tests/integration/disk_full.sh
EXTRA_DIST += tests/integration/csr_second_template_ext.sh \
	tests/integration/conn_limits.sh tests/integration/health.sh \
	tests/integration/disk_full.sh tests/integration/csr_hostile.py

# Issue 11: a libFuzzer target wherever input enters (besides fuzz_csr,
# fuzz_template and ca/http/local.mk's fuzz_http_parse). With --enable-fuzzing
# the suite runs each over its committed corpus for a fixed number of
# runs (tests/fuzz/suite.sh); tests/fuzz/run.sh runs them longer.
if ENABLE_FUZZING
FUZZ_TARGETS_MORE = tests/fuzz/fuzz_config tests/fuzz/fuzz_ldif \
	tests/fuzz/fuzz_est_body tests/fuzz/fuzz_json_body tests/fuzz/fuzz_dn \
	tests/fuzz/fuzz_crl_parse tests/fuzz/fuzz_directory_values
noinst_PROGRAMS += $(FUZZ_TARGETS_MORE)
tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c
tests_fuzz_fuzz_config_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_config_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_config_LDADD = $(ENTCA_LIBS)
tests_fuzz_fuzz_ldif_SOURCES = tests/fuzz/fuzz_ldif.c
tests_fuzz_fuzz_ldif_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_ldif_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_ldif_LDADD = $(ENTCA_LIBS)
tests_fuzz_fuzz_est_body_SOURCES = tests/fuzz/fuzz_est_body.c
tests_fuzz_fuzz_est_body_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_est_body_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_est_body_LDADD = $(ENTCA_LIBS)
tests_fuzz_fuzz_json_body_SOURCES = tests/fuzz/fuzz_json_body.c
tests_fuzz_fuzz_json_body_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_json_body_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_json_body_LDADD = $(ENTCA_LIBS)
tests_fuzz_fuzz_dn_SOURCES = tests/fuzz/fuzz_dn.c
tests_fuzz_fuzz_dn_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_dn_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_dn_LDADD = $(ENTCA_LIBS)
tests_fuzz_fuzz_crl_parse_SOURCES = tests/fuzz/fuzz_crl_parse.c
tests_fuzz_fuzz_crl_parse_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_crl_parse_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_crl_parse_LDADD = $(ENTCA_LIBS)
tests_fuzz_fuzz_directory_values_SOURCES = tests/fuzz/fuzz_directory_values.c
tests_fuzz_fuzz_directory_values_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_directory_values_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_directory_values_LDADD = $(ENTCA_LIBS)
TESTS += tests/fuzz/suite.sh
endif
EXTRA_DIST += tests/fuzz/suite.sh tests/fuzz/run.sh tests/fuzz/corpus \
	tests/fuzz/make_seeds.py tests/bench/bench_conn_flood.sh
# A real Active Directory: Samba AD DC from tests/samba/samba-start.sh
# (skipped with the reason where it cannot run: not installed, not root,
# ports 389/636 taken).
TESTS += tests/integration/samba_ad.sh
EXTRA_DIST += tests/integration/samba_ad.sh tests/samba/samba-start.sh
# Operations: --version, entca init's refusal and announcement, -c for
# ca-cert (issue 14).
TESTS += tests/integration/ops_cli.sh tests/integration/man_pages.sh \
	tests/integration/make_install.sh
EXTRA_DIST += tests/integration/ops_cli.sh tests/integration/man_pages.sh \
	tests/integration/make_install.sh

# Issue 14: /metrics moves with traffic; one log line per request.
TESTS += tests/integration/metrics.sh
EXTRA_DIST += tests/integration/metrics.sh
# The EST benchmark script (on demand) ships with the release too.
EXTRA_DIST += tests/bench/bench_est.sh

# The layering: no sibling call-backs (nm on the built objects), http/ and
# store/ on common/ only, only the router includes est/ and api/, and the
# folder arrows.
TESTS += tests/layering.sh
EXTRA_DIST += tests/layering.sh

# Issue 18: the demo CA's key type (ENTCA_DEMO_KEY_TYPE).
TESTS += tests/integration/demo_key_type.sh
EXTRA_DIST += tests/integration/demo_key_type.sh
# Issue 18: TLS session resumption with tickets.
TESTS += tests/integration/tls_resume.sh
EXTRA_DIST += tests/integration/tls_resume.sh
# Issue 18: [directory] recheck-interval and its invalidation on revoke-all.
TESTS += tests/integration/directory_recheck.sh
EXTRA_DIST += tests/integration/directory_recheck.sh

# The on-demand benchmarks and their dated results ship with the release.
EXTRA_DIST += tests/bench/run tests/bench/stages tests/bench/scep.sh \
	tests/bench/results/2026-12-07-vm.md \
	tests/bench/results/2026-12-07-vm-paired.md \
	tests/bench/results/2026-12-07-vm-idle.md \
	tests/bench/results/2026-12-07-vm-idle-stages.md \
	tests/bench/results/2026-12-07-vm-idle-start.md \
	tests/bench/results/2026-12-07-vm-prefill.md \
	tests/bench/results/2026-12-07-vm-groups.md
# Shared steps of the integration scripts against the demo CA (issue 13:
# one copy of each), the CRL reader and the DER helpers of the request
# builders.
EXTRA_DIST += tests/integration/lib_demo.sh tests/integration/crl_info.py \
	tests/integration/csr_util.py

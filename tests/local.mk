# tests/: integration scripts (TAP), shared by all folders.

# End-to-end: slapd + entcad + curl/openssl/python (etc/demo/demo-env.sh).
TESTS += tests/integration/est_enroll.sh tests/integration/crl_revoke.sh \
	tests/integration/entcad_daemon.sh
EXTRA_DIST += tests/common.sh tests/integration/csr.py tests/integration/est_enroll.sh tests/integration/crl_revoke.sh tests/integration/entcad_daemon.sh \
	etc/demo/demo-env.sh etc/demo/run-demo.sh etc/entcad.conf

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

# Operations: --version, entca init's refusal and announcement, -c for
# ca-cert (issue 14).
TESTS += tests/integration/ops_cli.sh tests/integration/man_pages.sh \
	tests/integration/make_install.sh
EXTRA_DIST += tests/integration/ops_cli.sh tests/integration/man_pages.sh \
	tests/integration/make_install.sh

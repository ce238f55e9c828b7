# tests/: integration scripts (TAP), shared by all folders.

# End-to-end: slapd + entcad + curl/openssl/python (etc/demo/demo-env.sh).
TESTS += tests/integration/est_enroll.sh tests/integration/crl_revoke.sh \
	tests/integration/entcad_daemon.sh
EXTRA_DIST += tests/common.sh tests/integration/csr.py tests/integration/est_enroll.sh tests/integration/crl_revoke.sh tests/integration/entcad_daemon.sh \
	etc/demo/demo-env.sh etc/demo/run-demo.sh etc/entcad.conf
# Interoperability with strict EST clients (issue 12).
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

# A real Active Directory: Samba AD DC from tests/samba/samba-start.sh
# (skipped with the reason where it cannot run: not installed, not root,
# ports 389/636 taken).
TESTS += tests/integration/samba_ad.sh
EXTRA_DIST += tests/integration/samba_ad.sh tests/samba/samba-start.sh

# tests/: integration scripts (TAP), shared by all folders.

# End-to-end: slapd + entcad + curl/openssl/python (etc/demo/demo-env.sh).
TESTS += tests/integration/est_enroll.sh tests/integration/crl_revoke.sh \
	tests/integration/entcad_daemon.sh
EXTRA_DIST += tests/common.sh tests/integration/csr.py tests/integration/est_enroll.sh tests/integration/crl_revoke.sh tests/integration/entcad_daemon.sh \
	etc/demo/demo-env.sh etc/demo/run-demo.sh etc/entcad.conf

#!/bin/bash
# The EST and API pipeline in one C process (tests/unit/ca/daemon/
# test_pipeline.c): this script only prepares what it needs, a real slapd
# with the demo directory, a demo CA and a CSR for alice; the program opens
# the CA as entcad does, serves HTTPS through daemon_handle and checks the
# store and audit rows the job layer wrote.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

demo_test_setup
$PY "$SRC/tests/integration/csr.py" make "$D/alice.key" "$D/alice.b64" \
    "CN=alice,O=Demo" --upn alice@demo.example || t_skip_all "no CSR"
t_run "EST simpleenroll and API revoke through daemon_handle, store and audit checked" \
    "$BUILD/tests/unit/ca/daemon/test_pipeline" "$DEMO_CONF" "$DEMO_CA" "$D/alice.b64"
sed -n 's/^# issued/# issued/p' "$T_TMP/last.out"
t_done

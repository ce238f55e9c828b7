#!/bin/bash
# Issue 11 item 1, performed against a real entcad: a CSR with two
# certificate-template extensions (1.3.6.1.4.1.311.21.7), the second
# malformed, made parse_exts read the first one's freed value (ASan:
# heap-use-after-free in read_uint; release builds answered 200). The
# request is refused with the reason, and entcad keeps serving. Under an
# --enable-sanitizers build, tests/common.sh fails the script on any
# sanitizer report in entcad's log.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

demo_test_setup
demo_test_start
URL=$DEMO_URL/.well-known/est

$PY "$SRC/tests/integration/csr_hostile.py" two-templates "$D/m.key" "$D/m.b64" \
    "CN=mallory,O=Demo" --upn alice@demo.example
code=$(curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" -u "$CONN" \
    -H 'Content-Type: application/pkcs10' --data-binary @"$D/m.b64" \
    "$URL/PKCSIntune/simpleenroll")
t_eq "csr_second_template_ext_use_after_free: refused with 400" 400 "$code"
t_match "the reason names the extension requested twice" \
    'extension 1\.3\.6\.1\.4\.1\.311\.21\.7 requested twice' "$(cat "$D/out")"
t_run "entcad is still running" kill -0 "$DEMO_PID"
t_eq "entcad still answers /health" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DEMO_CA" "$DEMO_URL/health")"
t_eq "no sanitizer report in entcad's log" "" "$(t_sanitizer_reports)"
t_done

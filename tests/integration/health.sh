#!/bin/bash
# Issue 11 item 4: /health answers 200 only when everything is well, else
# 503 with the reasons in its JSON. Against a real entcad and slapd:
# health_503_when_signer_down (the signer killed and unable to restart:
# its key file is gone) and health_503_when_directory_down (slapd stopped),
# each healing once the cause is gone. Waits are for the state itself,
# bounded; no sleeps stand in for events.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

demo_test_setup
demo_test_start

$CSR make "$D/a.key" "$D/a.b64" "CN=alice,O=Demo" --upn alice@demo.example

wait_health 200 '"problems":\[\]'
t_eq "all well: /health 200" 200 "$code"
t_match "all well: status ok, no problems" '"status":"ok".*"problems":\[\]' "$body"

# --- health_503_when_signer_down: no key file, so no restart succeeds
SIGNER=$(pgrep -x -P "$DEMO_PID" entcad-signer | head -1)
t_match "the signer child runs" '^[0-9]+$' "$SIGNER"
mv "$D/demo/ca/ca.key" "$D/ca.key.away"
kill -9 "$SIGNER"
wait_health 503 '"component":"signer"'
t_eq "health_503_when_signer_down: 503" 503 "$code"
t_match "health_503_when_signer_down: the reason names the signer" \
    '"component":"signer","reason":"the signer process is down' "$body"
t_match "health_503_when_signer_down: status degraded" '"status":"degraded"' "$body"
mv "$D/ca.key.away" "$D/demo/ca/ca.key"
# The next signing call restarts the signer (at most once a second).
for _ in $(seq 1 600); do [ "$(demo_enroll_status "$D/a.b64")" = 200 ] && break; sleep 0.1; done
t_eq "the key back: an enrollment restarts the signer" 200 "$(demo_enroll_status "$D/a.b64")"
wait_health 200 '"problems":\[\]'
t_eq "signer back: /health 200 again" 200 "$code"

# --- health_503_when_directory_down
"$SRC/tests/slapd/slapd-stop.sh" "$D/demo/slapd" --keep
wait_health 503 '"component":"directory"'
t_eq "health_503_when_directory_down: 503" 503 "$code"
t_match "health_503_when_directory_down: the reason says unreachable" \
    '"component":"directory","reason":"directory unreachable' "$body"
t_eq "health_no_internal_detail: no directory URI or LDAP text for anyone" "" \
    "$(printf '%s' "$body" | grep -o 'ldap://[^"]*\|Can.t contact[^"]*')"
t_match "the log keeps the detail" 'health: directory unreachable: .*ldap://' "$(cat "$D/demo/entcad.log")"
SLAPD_WATCH_PID=$$ "$SRC/tests/slapd/slapd-start.sh" "$D/demo/slapd" >/dev/null
wait_health 200 '"problems":\[\]'
t_eq "directory back: /health 200 again" 200 "$code"
t_done

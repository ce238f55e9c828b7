#!/bin/bash
# Issue 14: a running entcad learns at once of what `entca` changes on the
# host, through its control socket (<state-dir>/control, 0600), without a
# SIGHUP: `entca crl publish` returns once entcad serves the new CRL and
# says its number; `entca template issue` / `unissue` return once the
# template can / can no longer be enrolled. Each change is in the audit
# log (CRL publication, template load, issue, unissue, configuration
# reload, CA security change). The daemon logs as JSON ([log] format =
# json): one object per line with the request's fields. With entcad
# stopped, entca says so. No sleeps: every answer is checked right away.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

demo_test_setup
printf 'format = json\n' >>"$DEMO_CONF"
demo_test_start
LOG=$D/demo/entcad.log
SOCK=$D/demo/ca/control
entca() { "$BUILD/entca" -c "$DEMO_CONF" "$@"; }

t_ok $([ -S "$SOCK" ]; echo $?) "the control socket exists in the state folder"
t_eq "control socket mode 0600" 600 "$(stat -c %a "$SOCK")"
t_eq "control socket belongs to the daemon's account" "$(id -u)" "$(stat -c %u "$SOCK")"

# crlnum FILE: the CRL number of a DER CRL.
crlnum() { openssl crl -inform DER -in "$1" -noout -crlnumber | sed 's/.*=//' | xargs printf '%d\n' "0x$(openssl crl -inform DER -in "$1" -noout -crlnumber | sed 's/.*=//')" 2>/dev/null | tail -1; }
fetch() { curl -s -o "$2" -w '%{http_code}' "$DEMO_CRL_URL/crl/entca-demo$1.crl"; }
audit() { entca audit 200 2>&1; }

# --- crl publish: served at once, the message names the number ---
entca crl publish >"$D/crl.out" 2>&1
t_eq "entca crl publish: exit 0" 0 "$?"
N=$(sed -n 's/.*full CRL number \([0-9]*\) written.*/\1/p' "$D/crl.out")
t_match "entca says which CRL entcad now serves" "entcad re-read the CRLs; serving CRL #$N" "$(cat "$D/crl.out")"
t_eq "GET /crl right after: 200" 200 "$(fetch "" "$D/f1.crl")"
t_eq "GET /crl right after serves number $N (no SIGHUP, no wait)" "$N" "$(crlnum "$D/f1.crl")"
t_eq "byte for byte the tool's file" "$(sha256sum <"$D/demo/ca/crl/entca-demo.crl")" "$(sha256sum <"$D/f1.crl")"
t_match "audit: crl-publish by the host's administrator" \
    "\"who\":\"local:$(id -un)\".*\"action\":\"crl-publish\".*\"crl_number\":\"$N\"" "$(audit)"
t_match "audit: crl-publish by entcad's schedule (start-up CRLs)" \
    '"who":"entcad","from":"schedule","action":"crl-publish"' "$(audit)"

# --- template issue / unissue: enrollable at once, then refused at once ---
entca template duplicate PKCSIntune Second >"$D/dup.out" 2>&1
t_eq "entca template duplicate PKCSIntune Second: exit 0" 0 "$?"
$CSR make "$D/a.key" "$D/a.b64" "CN=alice,O=Demo" --upn alice@demo.example
code=$(demo_enroll_status "$D/a.b64" Second)
t_match "before issue: Second is not enrolled (4xx)" "^4" "$code"
chmod 640 "$DEMO_CONF"
entca template issue Second >"$D/issue.out" 2>&1
t_eq "entca template issue Second: exit 0" 0 "$?"
t_eq "the rewritten entcad.conf keeps its mode (0640)" 640 "$(stat -c %a "$DEMO_CONF")"
t_match "entca says entcad reloaded and issues it" "entcad reloaded .*issuing PKCSIntune, Second; serving CRL #" "$(cat "$D/issue.out")"
t_eq "enrollment on Second right after: 200 (no SIGHUP)" 200 "$(demo_enroll_status "$D/a.b64" Second)"
a=$(audit)
t_match "audit: template-load of the new file" '"action":"template-load".*"reason":"new".*"template":"Second"' "$a"
t_match "audit: template-issue Second" '"action":"template-issue".*"template":"Second"' "$a"
t_match "audit: config-reload asked through the control socket" "\"who\":\"local:$(id -un)\".*\"action\":\"config-reload\",\"decision\":\"done\"" "$a"

entca template unissue Second >"$D/unissue.out" 2>&1
t_eq "entca template unissue Second: exit 0" 0 "$?"
t_match "entca says entcad reloaded without it" "entcad reloaded .*issuing PKCSIntune;" "$(cat "$D/unissue.out")"
code=$(demo_enroll_status "$D/a.b64" Second)
t_match "enrollment on Second right after unissue: refused (4xx)" "^4" "$code"
t_match "audit: template-unissue Second" '"action":"template-unissue".*"template":"Second"' "$(audit)"

# --- a refused reload says so, and the old configuration stays ---
cp "$DEMO_CONF" "$D/conf.good"
printf '[crl]\nperiod = soon\n' >>"$DEMO_CONF"
"$BUILD/entca" -c "$D/conf.good" template load >"$D/load.out" 2>&1
t_eq "a reload entcad refuses: entca exits 1" 1 "$?"
t_match "and says entcad keeps its configuration, with the reason" \
    "entcad refused the reload and keeps its previous configuration: .*period" "$(cat "$D/load.out")"
cp "$D/conf.good" "$DEMO_CONF"
t_match "audit: the refused reload" '"action":"config-reload","decision":"refused"' "$(audit)"

# --- CA security change through a plain SIGHUP is audited ---
sed -i 's/^allow = Domain Users : read, request$/allow = Domain Users : read/' "$DEMO_CONF"
kill -HUP "$DEMO_PID"
for _ in $(seq 1 300); do audit | grep -q '"action":"ca-security"' && break; sleep 0.1; done
t_match "audit: ca-security change, before and after, who SIGHUP" \
    '"who":"SIGHUP".*"action":"ca-security".*"before":".*allow Domain Users 0x[0-9a-f]*.*"after":' "$(audit)"

# --- JSON log: one object per line, the request's fields as members ---
$PY - "$LOG" >"$D/json.out" 2>&1 <<'PY'
import json, sys
bad = 0; enroll = refused = None
for line in open(sys.argv[1], encoding="utf-8"):
    if not line.startswith("{"):
        continue    # sanitizer or start-up text before the config loads
    try:
        o = json.loads(line)
    except ValueError:
        bad += 1; continue
    if o.get("path", "").endswith("/Second/simpleenroll"):
        if o.get("status") == 200: enroll = o
        elif o.get("status", 0) >= 400: refused = o
lines = [l for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
print("nonjson", sum(1 for l in lines if not l.startswith("{")))
print("bad", bad)
if enroll:
    print("enroll", " ".join(k for k in ("time", "level", "prog", "msg", "request_id", "principal", "template", "serial", "latency_ms", "status") if k in enroll))
if refused:
    print("refused", " ".join(k for k in ("request_id", "principal", "reason", "latency_ms") if k in refused))
PY
j=$(cat "$D/json.out")
t_match "JSON log: every line is one JSON object" "^nonjson 0$" "$j"
t_match "JSON log: every object parses" "^bad 0$" "$j"
t_match "JSON log: an enrollment has time, level, msg, request id, principal, template, serial, latency" \
    "^enroll time level prog msg request_id principal template serial latency_ms status$" "$j"
t_match "JSON log: a refusal has its request id, principal, reason and latency" \
    "^refused request_id principal reason latency_ms$" "$j"

# --- entcad stopped: entca says it will be read at start ---
demo_test_stop
t_ok $([ ! -e "$SOCK" ]; echo $?) "entcad removed its control socket at stop"
entca crl publish >"$D/crl2.out" 2>&1
t_eq "entca crl publish with entcad stopped: exit 0" 0 "$?"
t_match "it says entcad is not running and reads it at start" "entcad not running .*: it will read it at start" "$(cat "$D/crl2.out")"
entca template issue Second >"$D/issue2.out" 2>&1
t_match "template issue with entcad stopped says the same" "entcad not running" "$(cat "$D/issue2.out")"
t_match "and the tool audits the change itself" '"action":"template-issue".*"template":"Second"' "$(audit | tail -3)"
t_done

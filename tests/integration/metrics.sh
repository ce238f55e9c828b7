#!/bin/bash
# Issue 14: /metrics (Prometheus text format) moves with traffic, and each
# finished request leaves one log line naming its X-Request-Id, template
# and serial. Against a real entcad and slapd: scrape, two enrollments and
# one refused enrollment, scrape again and compare exactly; then
# `[http] metrics = no` (after SIGHUP) answers 404. Waits are bounded loops
# on the state itself.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

demo_test_setup
demo_test_start
LOG=$D/demo/entcad.log

# scrape URL FILE: GET URL/metrics into FILE; the status in $code.
scrape() {
	code=$(curl -s -D "$2.h" -o "$2" -w '%{http_code}' --cacert "$DEMO_CA" "$1/metrics")
}
# value FILE SERIES: the sample of exactly SERIES (name{labels}), 0 if absent.
value() {
	awk -v s="$2" '$1 == s { print $2; f = 1 } END { if (!f) print 0 }' "$1"
}
# enroll USERPASS CSRFILE HEADERFILE: the status code.
enroll() {
	demo_enroll_status "$2" PKCSIntune "$1"
	cp "$D/hdr" "$3"
	cp "$D/out" "$3.body"
}
$CSR make "$D/a.key" "$D/a.b64" "CN=alice,O=Demo" --upn alice@demo.example
$CSR make "$D/b.key" "$D/b.b64" "CN=bob,O=Demo" --upn bob@demo.example

scrape "$DEMO_URL" "$D/m1"
t_eq "metrics over https: 200" 200 "$code"
t_match "metrics: Prometheus text type" 'Content-Type: text/plain; version=0.0.4' "$(cat "$D/m1.h")"
t_match "metrics: histogram declared" '# TYPE entca_enroll_duration_seconds histogram' "$(cat "$D/m1")"
scrape "$DEMO_CRL_URL" "$D/m1p"
t_eq "metrics over the plain-http listener: 200" 200 "$code"
t_match "metrics: CRL number gauge for the full CRL" '^entca_crl_number\{kind="full"\} [1-9]' "$(cat "$D/m1p")"
t_match "metrics: CRL age gauge" 'entca_crl_age_seconds\{kind="full"\} [0-9]+' "$(cat "$D/m1p")"
t_match "metrics: open connections gauge" 'entca_http_connections_open\{listener="https"\} [0-9]+' "$(cat "$D/m1p")"

OK='entca_http_requests_total{route="est_simpleenroll",code="200"}'
BAD='entca_http_requests_total{route="est_simpleenroll",code="401"}'
HC=entca_enroll_duration_seconds_count
ISS=entca_certificates_issued_total
COMMITS=entca_store_commits_total

t_eq "enrollment 1: 200" 200 "$(enroll "$CONN" "$D/a.b64" "$D/e1.h")"
t_eq "enrollment 2: 200" 200 "$(enroll "$CONN" "$D/b.b64" "$D/e2.h")"
t_eq "refused enrollment (wrong password): 401" 401 "$(enroll 'INTUNECONN$:wrong' "$D/a.b64" "$D/e3.h")"
scrape "$DEMO_URL" "$D/m2"
t_eq "metrics again: 200" 200 "$code"

t_eq "requests{est_simpleenroll,200} grew by 2" $(($(value "$D/m1" "$OK") + 2)) "$(value "$D/m2" "$OK")"
t_eq "requests{est_simpleenroll,401} grew by 1" $(($(value "$D/m1" "$BAD") + 1)) "$(value "$D/m2" "$BAD")"
t_eq "enroll histogram count grew by 2" $(($(value "$D/m1" "$HC") + 2)) "$(value "$D/m2" "$HC")"
t_eq "histogram +Inf bucket equals its count" "$(value "$D/m2" "$HC")" \
    "$(value "$D/m2" 'entca_enroll_duration_seconds_bucket{le="+Inf"}')"
t_eq "certificates issued grew by 2" $(($(value "$D/m1" "$ISS") + 2)) "$(value "$D/m2" "$ISS")"
t_match "store commits grew" '^[1-9]' "$(($(value "$D/m2" "$COMMITS") - $(value "$D/m1" "$COMMITS")))"
# Directory, signer, store and CRL figures (issue 14's list) move with
# the two enrollments: each authenticated by a bind, looked up in the
# directory, signed by the signer, committed by the store.
grew() { # NAME SERIES: the sample of SERIES grew between m1 and m2
	t_match "$1 grew ($(value "$D/m1" "$2") -> $(value "$D/m2" "$2"))" '^[1-9]' \
	    "$(awk -v a="$(value "$D/m1" "$2")" -v b="$(value "$D/m2" "$2")" 'BEGIN { print (b > a) ? 1 : 0 }')"
}
grew "directory search count" entca_directory_search_duration_seconds_count
grew "directory search time" entca_directory_search_duration_seconds_sum
grew "directory bind count (logins)" entca_directory_bind_duration_seconds_count
grew "directory cache lookups" entca_directory_cache_misses_total
grew "signer signature count" entca_signer_duration_seconds_count
grew "signer time" entca_signer_duration_seconds_sum
grew "store commit count" entca_store_commit_duration_seconds_count
grew "store commit batch count" entca_store_commit_batch_size_count
t_eq "store batch +Inf bucket equals its count" "$(value "$D/m2" entca_store_commit_batch_size_count)" \
    "$(value "$D/m2" 'entca_store_commit_batch_size_bucket{le="+Inf"}')"
t_match "directory cache hit ratio is a ratio" '^(0|1)(\.[0-9]+)?$' "$(value "$D/m2" entca_directory_cache_hit_ratio)"
t_eq "directory errors: none while slapd is up" "$(value "$D/m1" entca_directory_errors_total)" "$(value "$D/m2" entca_directory_errors_total)"
t_eq "signer errors: none" 0 "$(value "$D/m2" entca_signer_errors_total)"
t_eq "CRL size is the size of the served CRL" \
    "$(curl -s "$DEMO_CRL_URL/crl/entca-demo.crl" | wc -c)" "$(value "$D/m2" 'entca_crl_size_bytes{kind="full"}')"
t_match "pending requests gauge present" '^[0-9]+$' "$(value "$D/m2" entca_requests_pending)"
t_match "revoked certificates gauge present" '^[0-9]+$' "$(value "$D/m2" entca_certificates_revoked)"
# Cached lookups: a third enrollment by the same connector hits the cache.
$CSR make "$D/c.key" "$D/c.b64" "CN=alice,O=Demo" --upn alice@demo.example
t_eq "enrollment 3 (same connector): 200" 200 "$(enroll "$CONN" "$D/c.b64" "$D/e4.h")"
scrape "$DEMO_URL" "$D/m2c"
t_match "directory cache hits grew with a repeated login" '^[1-9]' \
    "$(( $(value "$D/m2c" entca_directory_cache_hits_total) - $(value "$D/m2" entca_directory_cache_hits_total) ))"

# demo_start_entcad polled /health until it answered (200 or 503).
t_match "the /health probes of the start are counted" '^[1-9]' \
    "$(awk 'index($1, "entca_http_requests_total{route=\"health\",") == 1 { n += $2 } END { print n + 0 }' "$D/m2")"

# A request the HTTP layer refuses itself (unknown method: 501).
SR='entca_http_server_refused_total{listener="http"}'
t_eq "unknown method on plain http: 501" 501 \
    "$(curl -s -o /dev/null -w '%{http_code}' -X FROB "$DEMO_CRL_URL/health")"
scrape "$DEMO_URL" "$D/m2b"
t_eq "server-refused requests{http} grew by 1" $(($(value "$D/m2" "$SR") + 1)) "$(value "$D/m2b" "$SR")"

# --- one log line per request, named by its X-Request-Id
for i in 1 2 3; do
	rid=$(tr -d '\r' <"$D/e$i.h" | awk -F': ' 'tolower($1) == "x-request-id" { print $2 }')
	t_match "enrollment $i: X-Request-Id returned" '^t[0-9]+$' "$rid"
	eval "RID$i=\$rid"
done
# The log is written before the response; still, wait for the line itself.
for _ in $(seq 1 100); do grep -q "(request $RID3[,)]" "$LOG" && break; sleep 0.1; done
L1=$(grep -E "\(request $RID1[,)]" "$LOG")
S1=$(openssl x509 -noout -serial -in <(base64 -d "$D/e1.h.body" |
    openssl pkcs7 -inform DER -print_certs) | cut -d= -f2)
echo "# $L1"
t_match "the issued certificate's serial read back" '^[0-9A-F]+$' "$S1"
t_eq "enrollment 1: exactly one log line" 1 "$(printf '%s\n' "$L1" | grep -c .)"
t_match "enrollment 1 log line: principal, peer, template" \
    "INTUNECONN\\\$ POST /\\.well-known/est/PKCSIntune/simpleenroll from 127\\.0\\.0\\.1:[0-9]+: 200 serial [0-9a-f]+ \\(request $RID1, template PKCSIntune, " "$L1"
t_match "enrollment 1 log line: the serial issued" "200 serial $(printf '%s' "$S1" | tr 'A-F' 'a-f')" "$(printf '%s' "$L1" | tr 'A-F' 'a-f')"
t_match "enrollment 1 log line: latency" ', [0-9]+\.[0-9] ms\)$' "$L1"
L3=$(grep -E "\(request $RID3[,)]" "$LOG")
echo "# $L3"
t_match "refused enrollment log line: status and reason" ': 401 [a-z].* \(request t[0-9]+, template PKCSIntune, [0-9.]+ ms\)$' "$L3"
t_match "job_stage_in_failure_log: the refusal names its stage" ': 401 [a-z].* \[stage auth\] \(request ' "$L3"
t_eq "refused enrollment: exactly one log line" 1 "$(printf '%s\n' "$L3" | grep -c .)"
curl -s -D "$D/h.h" -o /dev/null "$DEMO_CRL_URL/health"
RIDH=$(tr -d '\r' <"$D/h.h" | awk -F': ' 'tolower($1) == "x-request-id" { print $2 }')
t_match "plain-http request: its own id space" '^p[0-9]+$' "$RIDH"
for _ in $(seq 1 100); do grep -q "(request $RIDH," "$LOG" && break; sleep 0.1; done
t_match "loop-served request logged with route and status" \
    "- GET /health from 127\.0\.0\.1:[0-9]+: 200 \(request $RIDH, route health, [0-9.]+ ms\)" "$(cat "$LOG")"

# --- metrics = no: 404 on both listeners after a reload
sed -i 's/^\[http\]$/[http]\nmetrics = no/' "$DEMO_CONF"
kill -HUP "$DEMO_PID"
for _ in $(seq 1 600); do
	scrape "$DEMO_URL" "$D/m3"
	[ "$code" = 404 ] && break
	sleep 0.1
done
t_eq "metrics = no: 404 over https" 404 "$code"
scrape "$DEMO_CRL_URL" "$D/m3p"
t_eq "metrics = no: 404 over plain http" 404 "$code"
t_done

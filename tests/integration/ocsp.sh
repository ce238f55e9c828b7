#!/bin/bash
# The OCSP responder (issue 16) against a real entcad: openssl ocsp and
# GnuTLS ocsptool see good -> revoked (reason) -> good after release from
# hold -> unknown for a made-up serial; nonces are echoed; GET and POST
# with RFC 5019 caching headers; the delegated signing certificate
# verifies and rolls over; no "good" after a revoke has answered, under
# concurrent revokes and queries; malformed, foreign and oversize
# requests are refused and logged; Python's cryptography parses every
# response entcad gave.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"
OC="$PY $SRC/tests/integration/ocsp_check.py"
RESP=$D/responses
mkdir -p "$RESP"

demo_test_setup
demo_test_start
URL=$DEMO_URL
OURL=$DEMO_CRL_URL/ocsp
LOG=$DEMO_STATE/entcad.log

n_resp=0
# ossl CERT [ARGS...]: openssl ocsp over POST; its output in $out; the
# response kept for the final cryptography pass.
ossl() {
	_c=$1; shift
	n_resp=$((n_resp + 1))
	out=$(openssl ocsp -issuer "$DEMO_CA" -cert "$_c" -url "$OURL" -CAfile "$DEMO_CA" \
	    -respout "$RESP/$n_resp.der" "$@" 2>&1)
}
# get REQFILE NAME: GET /ocsp/<base64>; headers in $D/NAME.h, body kept.
get() {
	_b=$(base64 -w0 "$1" | sed 's/+/%2B/g; s|/|%2F|g; s/=/%3D/g')
	n_resp=$((n_resp + 1))
	code=$(curl -s -D "$D/$2.h" -o "$RESP/$n_resp.der" -w '%{http_code}' "$OURL/$_b")
	cp "$RESP/$n_resp.der" "$D/$2.der"
}
# post FILE NAME [CT]: POST a body; status in $code, body kept.
post() {
	n_resp=$((n_resp + 1))
	code=$(curl -s -o "$RESP/$n_resp.der" -w '%{http_code}' \
	    -H "Content-Type: ${3:-application/ocsp-request}" --data-binary @"$1" "$OURL")
	cp "$RESP/$n_resp.der" "$D/$2.der"
}
show() { $OC show "$@"; }
metric() { curl -s "$DEMO_CRL_URL/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }

S1=$(demo_enroll dev1 "CN=LAPTOP01" --dns laptop01.demo.example)
S2=$(demo_enroll dev2 "CN=LAPTOP01" --dns laptop01.demo.example)
t_match "two certificates issued" '^[0-9a-f]+$' "$S1$S2"
t_match "issued certificates carry AIA id-ad-ocsp <public-url>/ocsp" \
    "OCSP - URI:$OURL\$" "$(openssl x509 -in "$D/dev1.pem" -noout -ext authorityInfoAccess)"

# --- good, by openssl (SHA-1 CertID, nonce) and GnuTLS ocsptool ---
ossl "$D/dev1.pem"
t_match "openssl ocsp: good, response verifies with -CAfile" "dev1.pem: good" "$out"
t_match "openssl's nonce is accepted (it checks the echo)" "Response verify OK" "$out"
show "$RESP/$n_resp.der" "$DEMO_CA" >"$D/s"
t_match "the response is signed by a delegated certificate that verifies" "signature=ok" "$(cat "$D/s")"
t_match "delegated certificate: id-kp-OCSPSigning" "signer_eku_ocsp=True" "$(cat "$D/s")"
t_match "delegated certificate: id-pkix-ocsp-nocheck" "signer_nocheck=True" "$(cat "$D/s")"
t_match "delegated certificate: 7 days" "signer_days=7.0" "$(cat "$D/s")"
t_match "openssl's 16-byte nonce echoed (RFC 8954)" "nonce=[0-9a-f]{32}$" "$(cat "$D/s")"
SIGNER1=$(sed -n 's/^signer_serial=//p' "$D/s")
out=$(ocsptool --ask="$OURL" --load-cert "$D/dev1.pem" --load-issuer "$DEMO_CA" 2>&1)
t_match "ocsptool --ask: good" "Certificate Status: good" "$out"
t_match "ocsptool --ask: the signature verifies" "Verifying OCSP Response: Success" "$out"
code=$(curl -s -o "$D/sig.json" -w '%{http_code}' --cacert "$DEMO_CA" -u "$CONN" "$URL/api/v1/certificates/$SIGNER1")
t_eq "the OCSP signing certificate is recorded in the store" 200 "$code"
t_match "... under AD CS's template name" "OCSPResponseSigning" "$(cat "$D/sig.json")"

# --- SHA-256 CertID (the default of cryptography), GET with caching headers ---
$OC req "$DEMO_CA" "$D/dev1.pem" "$D/r1.req"
$OC req "$DEMO_CA" "$D/dev1.pem" "$D/r1sha1.req" --sha1
H0=$(metric entca_ocsp_cache_hits_total)
get "$D/r1.req" g1
t_eq "GET /ocsp/<base64>: 200" 200 "$code"
t_match "GET: Content-Type application/ocsp-response" "^Content-Type: application/ocsp-response" "$(tr -d '\r' <"$D/g1.h")"
t_match "GET: Cache-Control max-age (RFC 5019 §6.2)" "^Cache-Control: max-age=[0-9]+, public, no-transform, must-revalidate" "$(tr -d '\r' <"$D/g1.h")"
t_match "GET: ETag" '^ETag: "[0-9a-f]{40}"' "$(tr -d '\r' <"$D/g1.h")"
t_match "GET: Last-Modified" "^Last-Modified: " "$(tr -d '\r' <"$D/g1.h")"
t_match "GET: Expires" "^Expires: " "$(tr -d '\r' <"$D/g1.h")"
show "$D/g1.der" "$DEMO_CA" >"$D/s"
t_match "SHA-256 CertID answered good, signature ok" "cert_status=GOOD.*hash=sha256.*signature=ok" "$(tr '\n' ' ' <"$D/s")"
t_match "no nonce asked, none sent" "nonce=none" "$(cat "$D/s")"
get "$D/r1.req" g2
t_eq "the second GET is the same pre-signed response" "$(sha1sum <"$D/g1.der")" "$(sha1sum <"$D/g2.der")"
t_eq "... counted as a cache hit" "$((H0 + 1))" "$(metric entca_ocsp_cache_hits_total)"
ETAG=$(tr -d '\r' <"$D/g1.h" | sed -n 's/^ETag: //p')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $ETAG" "$OURL/$(base64 -w0 "$D/r1.req" | sed 's/+/%2B/g; s|/|%2F|g; s/=/%3D/g')")
t_eq "If-None-Match with the ETag: 304" 304 "$code"
get "$D/r1sha1.req" g3
t_match "SHA-1 CertID answered too" "hash=sha1" "$(show "$D/g3.der")"
post "$D/r1.req" p1
t_eq "POST: 200" 200 "$code"
t_match "POST: good" "cert_status=GOOD" "$(show "$D/p1.der" "$DEMO_CA")"
$OC req "$DEMO_CA" "$D/dev1.pem" "$D/n.req" --nonce 32
post "$D/n.req" n1
t_match "a 32-byte nonce is echoed" "nonce=$(printf '5a%.0s' $(seq 32))$" "$(show "$D/n1.der" "$DEMO_CA")"
N0=$(metric entca_ocsp_sign_seconds_count)
post "$D/n.req" n2
t_eq "a nonce request is signed fresh each time (never from the cache)" "$((N0 + 1))" "$(metric entca_ocsp_sign_seconds_count)"

# --- revoked with reason, hold, release ---
get "$D/r1.req" before
t_api "revoke answers 200" 200 "$CONN" "certificates/$S1/revoke" '{"reason":"keyCompromise"}'
get "$D/r1.req" after
t_match "cached GET right after the revoke: revoked, keyCompromise" \
    "cert_status=REVOKED .*revocation_reason=key_compromise" "$(show "$D/after.der" | tr '\n' ' ')"
ossl "$D/dev1.pem"
t_match "openssl ocsp: revoked" "dev1.pem: revoked" "$out"
t_match "openssl ocsp: reason keyCompromise" "Reason: keyCompromise" "$out"
out=$(ocsptool --ask="$OURL" --load-cert "$D/dev1.pem" --load-issuer "$DEMO_CA" 2>&1)
t_match "ocsptool --ask: revoked" "Certificate Status: revoked" "$out"

$OC req "$DEMO_CA" "$D/dev2.pem" "$D/r2.req"
get "$D/r2.req" h0
demo_api "$CONN" "certificates/$S2/revoke" '{"reason":"certificateHold"}'
ossl "$D/dev2.pem"
t_match "on hold: revoked with reason certificateHold" "Reason: certificateHold" "$out"
get "$D/r2.req" h1
t_match "cached GET after hold: revoked" "cert_status=REVOKED .*revocation_reason=certificate_hold" "$(show "$D/h1.der" | tr '\n' ' ')"
t_api "unrevoke answers 200" 200 "$CONN" "certificates/$S2/unrevoke" '{}'
ossl "$D/dev2.pem"
t_match "released from hold: good again (openssl)" "dev2.pem: good" "$out"
out=$(ocsptool --ask="$OURL" --load-cert "$D/dev2.pem" --load-issuer "$DEMO_CA" 2>&1)
t_match "released from hold: good again (ocsptool)" "Certificate Status: good" "$out"

# --- unknown and unauthorized ---
n_resp=$((n_resp + 1))
out=$(openssl ocsp -issuer "$DEMO_CA" -serial 0x7e57ab1ec0ffee -url "$OURL" -CAfile "$DEMO_CA" -respout "$RESP/$n_resp.der" 2>&1)
t_match "a serial this CA never issued: unknown" "0x7[eE]57[aA][bB]1[eE][cC]0[fF][fF][eE][eE]: unknown" "$out"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=Other CA" \
    -keyout "$D/other.key" -out "$D/other.crt" -days 2 2>/dev/null
n_resp=$((n_resp + 1))
out=$(openssl ocsp -issuer "$D/other.crt" -cert "$D/dev1.pem" -url "$OURL" -respout "$RESP/$n_resp.der" 2>&1)
t_match "a CertID naming another issuer: unauthorized" "unauthorized" "$out"
t_match "... and the refusal is logged" "OCSP unauthorized: CertID 1 names another issuer" "$(cat "$LOG")"

# --- malformed and oversize ---
printf 'not an OCSP request' >"$D/junk"
post "$D/junk" m1
t_eq "garbage POST: HTTP 200" 200 "$code"
t_match "garbage POST: malformedRequest" "response_status=MALFORMED_REQUEST" "$(show "$D/m1.der")"
t_match "... logged with the reason" "OCSP malformedRequest: OCSP request: not a DER OCSPRequest" "$(cat "$LOG")"
n_resp=$((n_resp + 1))
curl -s -o "$RESP/$n_resp.der" "$OURL/%21%21notbase64"
t_match "GET with bad base64: malformedRequest" "response_status=MALFORMED_REQUEST" "$(show "$RESP/$n_resp.der")"
head -c -1 "$D/r1.req" >"$D/trunc.req"
post "$D/trunc.req" m2
t_match "truncated request: malformedRequest" "response_status=MALFORMED_REQUEST" "$(show "$D/m2.der")"
cp "$D/r1.req" "$D/trail.req"; printf '\0' >>"$D/trail.req"
post "$D/trail.req" m3
t_match "a byte after the request: malformedRequest" "response_status=MALFORMED_REQUEST" "$(show "$D/m3.der")"
$OC req "$DEMO_CA" "$D/dev1.pem" "$D/many.req" --count 17
post "$D/many.req" m4
t_match "17 CertIDs (over max-certs-per-request 16): malformedRequest" "response_status=MALFORMED_REQUEST" "$(show "$D/m4.der")"
t_match "... logged" "OCSP malformedRequest: OCSP request: 17 certificates asked, more than 16" "$(cat "$LOG")"
$OC req "$DEMO_CA" "$D/dev2.pem" "$D/two.req" --count 2
post "$D/two.req" two
t_match "two CertIDs in one request: both answered" "responses=2" "$(show "$D/two.der" "$DEMO_CA")"
$OC req "$DEMO_CA" "$D/dev1.pem" "$D/bign.req" --nonce 33
post "$D/bign.req" m5
t_match "a 33-byte nonce (over nonce-max-length 32): malformedRequest" "response_status=MALFORMED_REQUEST" "$(show "$D/m5.der")"
head -c 5000 /dev/zero >"$D/big"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/ocsp-request' --data-binary @"$D/big" "$OURL")
t_eq "a 5000-byte body over plain http: 413" 413 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DEMO_CA" -H 'Content-Type: application/ocsp-request' --data-binary @"$D/big" "$URL/ocsp")
t_eq "a 5000-byte body over HTTPS: 413" 413 "$code"
t_match "... logged with the limit" "413 OCSP: request of 5000 bytes, more than \[ocsp\] max-request-size 4096" "$(cat "$LOG")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/plain' --data-binary @"$D/r1.req" "$OURL")
t_eq "POST with the wrong Content-Type: 415" 415 "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$D/r1.req" "$OURL")
t_eq "PUT: 405" 405 "$code"
n_resp=$((n_resp + 1))
code=$(curl -s --cacert "$DEMO_CA" -o "$RESP/$n_resp.der" -w '%{http_code}' "$URL/ocsp/$(base64 -w0 "$D/r2.req" | sed 's/+/%2B/g; s|/|%2F|g; s/=/%3D/g')")
t_match "GET over HTTPS answers too" "cert_status=GOOD" "$(show "$RESP/$n_resp.der" "$DEMO_CA")"

# --- metrics and health ---
M=$(curl -s "$DEMO_CRL_URL/metrics")
t_match "metrics: responses by status" 'entca_ocsp_responses_total\{status="revoked"\} [1-9]' "$M"
t_match "metrics: malformedRequest counted" 'entca_ocsp_responses_total\{status="malformedRequest"\} [1-9]' "$M"
t_match "metrics: cache misses" 'entca_ocsp_cache_misses_total [1-9]' "$M"
t_match "metrics: signing latency" 'entca_ocsp_sign_seconds_count [1-9]' "$M"
health
t_eq "health: 200 with a fresh OCSP signing certificate" 200 "$code"

# --- consistency: concurrent revokes and queries ---
RACE=$D/race
mkdir -p "$RACE"
SER=""
for i in 1 2 3 4 5 6 7 8 9 10; do
	s=$(demo_enroll "c$i" "CN=LAPTOP01" --dns laptop01.demo.example)
	$OC req "$DEMO_CA" "$D/c$i.pem" "$RACE/$s.req"
	SER="$SER $s"
done
$PY "$SRC/tests/integration/ocsp_race.py" "$OURL" "$RACE" 6 "$RACE"/*.req >"$D/race.out" 2>"$D/race.err" &
RPID=$!
# Two officers revoke at once; each marks a serial only after its revoke answered.
revoker() {
	for s in "$@"; do
		c=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DEMO_CA" -u "$CONN" \
		    -H 'Content-Type: application/json' -d '{"reason":"keyCompromise"}' \
		    "$URL/api/v1/certificates/$s/revoke")
		[ "$c" = 200 ] && : >"$RACE/revoked-$s"
	done
}
set -- $SER
revoker "$1" "$3" "$5" "$7" "$9" &
P1=$!
revoker "$2" "$4" "$6" "$8" "${10}" &
P2=$!
wait $P1 $P2
t_eq "ten revokes answered" 10 "$(ls "$RACE" | grep -c '^revoked-')"
# Every serial is asked at least once more after its mark (bounded loop).
base=$(metric entca_ocsp_responses_total'{status="revoked"}')
for _ in $(seq 1 600); do
	now=$(metric entca_ocsp_responses_total'{status="revoked"}')
	[ $((now - base)) -ge 60 ] && break
	sleep 0.1
done
: >"$RACE/stop"
wait $RPID
t_match "the racing queries ran and saw revocations" "queries=[1-9][0-9]* revoked_seen=[1-9]" "$(cat "$D/race.out")"
t_match "no \"good\" after a revoke answered" "good_after_revoke=0" "$(cat "$D/race.out")"
t_match "... and no failed query" "errors=0" "$(cat "$D/race.out")"
for s in $SER; do
	get "$RACE/$s.req" "fin-$s"
	case $(show "$D/fin-$s.der") in *cert_status=REVOKED*) ;; *) echo "$s" >>"$D/notrevoked" ;; esac
done
t_eq "every raced serial answers revoked afterwards" "" "$(cat "$D/notrevoked" 2>/dev/null)"

# --- every response parses with cryptography ---
bad=0
for f in "$RESP"/*.der; do
	show "$f" >/dev/null 2>&1 || { bad=$((bad + 1)); echo "unparsable: $f" >&2; }
done
t_eq "cryptography parses all $(ls "$RESP" | wc -l) responses" 0 "$bad"

# --- rollover: a short-lived signer warns in /health, then renews itself ---
demo_test_stop
cat >>"$DEMO_CONF" <<CONF

[ocsp]
signer-validity = 40s
signer-renew = 39s
CONF
demo_start_entcad || t_fail "entcad restarts with a 40 s OCSP signer"
T_PIDS="$T_PIDS $DEMO_PID"
post "$D/r2.req" roll0
show "$D/roll0.der" "$DEMO_CA" >"$D/s"
R0=$(sed -n 's/^signer_serial=//p' "$D/s")
t_match "short-lived signer: the response verifies" "signature=ok" "$(cat "$D/s")"
# Less than a quarter of its life left (10 s) before the renewal at 39 s:
# /health names it. Waited for as an event (bounded: 60 s).
wait_health 503 '"component":"ocsp"'
t_ok $? "/health: 503 naming the OCSP signing certificate near expiry"
t_match "... with the time left" "OCSP response signing certificate expires in [0-9]+ s" "$body"
# Then the renewal itself (bounded: 60 s), asked with a nonce so the
# response is signed with the key in service.
R1=$R0
for _ in $(seq 1 600); do
	post "$D/n.req" roll1
	R1=$(show "$D/roll1.der" "$DEMO_CA" 2>/dev/null | sed -n 's/^signer_serial=//p')
	[ -n "$R1" ] && [ "$R1" != "$R0" ] && break
	sleep 0.1
done
[ -n "$R1" ] && [ "$R1" != "$R0" ]
t_ok $? "the signing certificate rolled over ($R0 -> $R1)"
t_match "the new signing certificate verifies" "signature=ok" "$(show "$D/roll1.der" "$DEMO_CA")"
t_match "... and is logged" "OCSP: response signing certificate $R1" "$(cat "$LOG")"
wait_health 200 '"status":"ok"'
t_ok $? "/health: 200 again once renewed"

# --- [ocsp] enabled = no: no responder and no AIA OCSP URL ---
demo_test_stop
sed -i 's/^signer-validity = 40s$/enabled = no/; /^signer-renew = 39s$/d' "$DEMO_CONF"
demo_start_entcad || t_fail "entcad starts with OCSP off"
T_PIDS="$T_PIDS $DEMO_PID"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/ocsp-request' --data-binary @"$D/r1.req" "$OURL")
t_eq "OCSP off: /ocsp is 404" 404 "$code"
S3=$(demo_enroll dev3 "CN=LAPTOP01" --dns laptop01.demo.example)
t_eq "OCSP off: no id-ad-ocsp in new certificates" "" "$(openssl x509 -in "$D/dev3.pem" -noout -ext authorityInfoAccess | grep OCSP)"

t_done

#!/bin/bash
# EST interoperability (issue 12 items 2-4, Content-Type checks): what a
# strict RFC 7030 client such as libest's estclient needs. Debian packages
# no EST client (libest is not in Debian; `apt-cache search` finds none),
# so tests/integration/est_strict_client.py plays a strict one: cacerts first with
# the exact Content-Type, certs-only PKCS#7 with id-data inside, csrattrs
# without credentials, enrollment retried with Basic only after a 401.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"
ESTC="$PY $SRC/tests/integration/est_strict_client.py"

demo_test_setup
demo_test_start
URL=$DEMO_URL/.well-known/est

# req METHOD PATH [curl args...]: status in $code, headers in $D/hdr, body in $D/out.
req() {
	_m=$1 _p=$2; shift 2
	code=$(curl -s -o "$D/out" -D "$D/hdr" -w '%{http_code}' --cacert "$DEMO_CA" \
	    -X "$_m" "$@" "$DEMO_URL$_p")
}

# --- cacerts: RFC 7030 §4.1.3 names the type exactly, without smime-type ---
req GET /.well-known/est/cacerts
t_match "cacerts_content_type_exact: Content-Type: application/pkcs7-mime and nothing more" \
    '^Content-Type: application/pkcs7-mime'$'\r''?$' "$(grep -i '^Content-Type' "$D/hdr")"
base64 -d "$D/out" >"$D/cacerts.p7"
t_match "certs_only_inner_id_data: openssl sees pkcs7-data as the encapsulated type" \
    'd=4 .*OBJECT +:pkcs7-data' "$(openssl asn1parse -inform DER -in "$D/cacerts.p7")"
t_run "openssl reads the certs-only PKCS#7" openssl pkcs7 -inform DER -in "$D/cacerts.p7" -print_certs -noout
out=$($ESTC "$DEMO_URL" "$DEMO_CA" cacerts 2>&1)
t_match "strict client: cacerts accepted" '^ok cacerts: 1 certificate\(s\), Content-Type application/pkcs7-mime, id-data' "$out"

# --- csrattrs without credentials (RFC 7030 §4.5; libest never retries it) ---
out=$($ESTC "$DEMO_URL" "$DEMO_CA" csrattrs PKCSIntune 2>&1)
t_match "csrattrs_without_credentials: strict client reads csrattrs" '^ok csrattrs: ' "$out"
out=$($ESTC "$DEMO_URL" "$DEMO_CA" csrattrs 2>&1)
t_match "csrattrs of the default template without credentials" '^ok csrattrs: ' "$out"
req GET /.well-known/est/NoSuchTemplate/csrattrs
t_eq "csrattrs of a template this CA does not issue: 404" 404 "$code"
req GET /.well-known/est/PKCSIntune/csrattrs -u 'INTUNECONN$:wrong'
t_eq "csrattrs with wrong credentials sent: still refused (401)" 401 "$code"

# --- enrollment: 401, retry with Basic, certs-only answer with smime-type ---
$CSR make "$D/alice.key" "$D/alice.b64" "CN=alice,O=Demo" --upn alice@demo.example
out=$($ESTC "$DEMO_URL" "$DEMO_CA" enroll PKCSIntune "$CONN" "$D/alice.b64" "$D/alice.pem" 2>&1)
t_match "strict client: enroll retried with credentials after 401" 'ok enroll: 401 then retried' "$out"
t_match "strict client: enroll answer is certs-only with id-data" 'ok enroll: certificate for .*CN=alice' "$out"
t_run "enrolled certificate chains to the CA" openssl verify -CAfile "$DEMO_CA" "$D/alice.pem"

# --- request Content-Type: 415 naming the expected type ---
req POST /.well-known/est/PKCSIntune/simpleenroll -u "$CONN" \
    -H 'Content-Type: text/plain' --data-binary @"$D/alice.b64"
t_eq "enroll_wrong_content_type_refused: text/plain body: 415" 415 "$code"
t_match "415 names application/pkcs10" 'Content-Type must be application/pkcs10' "$(cat "$D/out")"
req POST /.well-known/est/PKCSIntune/simpleenroll -u "$CONN" --data-binary @"$D/alice.b64"
t_eq "enroll without Content-Type (curl's form type): 415" 415 "$code"
req POST /.well-known/est/PKCSIntune/serverkeygen -u "$CONN" \
    -H 'Content-Type: application/json' --data-binary @"$D/alice.b64"
t_eq "serverkeygen with a JSON type: 415" 415 "$code"
req POST /.well-known/est/PKCSIntune/simpleenroll -u "$CONN" \
    -H 'Content-Type: Application/PKCS10; charset=us-ascii' --data-binary @"$D/alice.b64"
t_eq "media type compared case-insensitively, parameters allowed (RFC 9110 §8.3.1)" 200 "$code"
req POST /api/v1/crl/publish -u 'pkiadmin@demo.example:demo-admin' \
    -H 'Content-Type: text/plain' -d '{}'
t_eq "api_wrong_content_type_refused: text/plain JSON body: 415" 415 "$code"
t_match "415 names application/json" 'Content-Type must be application/json' "$(cat "$D/out")"
req POST /api/v1/crl/publish -u 'pkiadmin@demo.example:demo-admin' -d '{}'
t_eq "API body with curl's form type: 415" 415 "$code"
req POST /api/v1/crl/publish -u 'pkiadmin@demo.example:demo-admin' \
    -H 'Content-Type: application/json' -d '{}'
t_eq "API body with application/json: 200" 200 "$code"
req POST /api/v1/requests/999999/approve -u "$CONN"
t_match "empty API POST needs no Content-Type (not 415)" '^(404|409|400)$' "$code"

# --- error bodies: JSON under /api/ with a stable code, text for EST ---
ADMIN='pkiadmin@demo.example:demo-admin'
req GET /api/v1/no-such-thing -u "$ADMIN"
t_eq "api_404_is_json: unknown API path: 404" 404 "$code"
t_match "api_404_is_json: Content-Type application/json" \
    '^Content-Type: application/json'$'\r''?$' "$(grep -i '^Content-Type' "$D/hdr")"
t_eq "api_404_is_json: error.code not_found" not_found \
    "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["code"])' "$D/out")"
t_match "api_404_is_json: error.message names the path" 'unknown API path /api/v1/no-such-thing' "$(cat "$D/out")"
req GET /api/v1/no-such-thing
t_eq "api_401_is_json: no credentials: 401 with code unauthorized" "401 unauthorized" \
    "$code $($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["code"])' "$D/out")"
req DELETE /api/v1/requests -u "$ADMIN"
t_eq "api_405_is_json: DELETE: 405 method_not_allowed" "405 method_not_allowed" \
    "$code $($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["code"])' "$D/out")"
t_match "api_405_is_json: Allow names GET, POST" '^Allow: GET, POST' "$(grep -i '^Allow' "$D/hdr")"
req GET /api/v1/certificates/0badc0de -u "$ADMIN"
t_eq "api_404_of_serial: unknown serial: 404" 404 "$code"
t_eq "api_404_of_serial: body names no server folder" "" \
    "$(grep -F -e "$D" -e "$DEMO_STATE" "$D/out"; grep -E '/(var|srv|tmp|etc|home)/' "$D/out")"
req GET /.well-known/est/NoSuchTemplate/csrattrs
t_match "est_errors_stay_text: EST 404 is text/plain (RFC 7030)" \
    '^Content-Type: text/plain' "$(grep -i '^Content-Type' "$D/hdr")"
req GET /.well-known/est/PKCSIntune/nosuchop
t_match "est_errors_stay_text: unknown EST operation is text/plain" \
    '^Content-Type: text/plain' "$(grep -i '^Content-Type' "$D/hdr")"

# --- job_path_not_cut: the log names a long path whole (job.h sizes it
# from the HTTP parser's HTTP_URI_MAX, not a second, smaller literal) ---
LONG=/api/v1/$(printf 'x%.0s' $(seq 1 1400))-end
req GET "$LONG" -u "$ADMIN"
t_eq "job_path_not_cut: a 1400-byte API path (job.h once cut at 1023): 404" 404 "$code"
for _ in $(seq 1 100); do grep -q -- "-end from " "$DEMO_STATE/entcad.log" && break; sleep 0.1; done
t_eq "job_path_not_cut: the log line holds the whole path" 1 \
    "$(grep -c -F -- "GET $LONG from " "$DEMO_STATE/entcad.log")"

# --- the route table (serve.c): methods, listeners, anonymous routes ---
# preq METHOD PATH: like req, on the plain-HTTP listener.
preq() {
	code=$(curl -s -o "$D/out" -D "$D/hdr" -w '%{http_code}' -X "$1" "$DEMO_CRL_URL$2")
}
preq GET /crl/entca-demo.crl
t_eq "route_table: plain GET /crl/<ca>.crl: 200" 200 "$code"
preq GET /aia/entca-demo.crt
t_eq "route_table: plain GET /aia/<ca>.crt: 200" 200 "$code"
preq GET /health
t_match "route_table: plain GET /health answers (200 or 503)" '^(200|503)$' "$code"
preq GET /.well-known/est/cacerts
t_eq "route_table: EST is HTTPS only, even anonymous cacerts: 403" 403 "$code"
preq GET /api/v1/requests
t_eq "route_table: the API is HTTPS only: 403" 403 "$code"
preq GET /api/v2/x
t_eq "route_table: any /api/ path is HTTPS only: 403" 403 "$code"
preq POST /crl/entca-demo.crl
t_eq "route_table: POST to a CRL: 405" 405 "$code"
t_match "route_table: 405 with Allow: GET" '^Allow: GET'$'\r''?$' "$(grep -i '^Allow' "$D/hdr")"
req POST /no-such-path
t_eq "route_table: unknown path, POST: 405 as before" 405 "$code"
req GET /no-such-path
t_eq "route_table: unknown path, GET: 404" 404 "$code"
req GET /healthz
t_eq "route_table: /health matches exactly: /healthz is 404" 404 "$code"
req POST /.well-known/est/cacerts
t_eq "route_table: POST cacerts: 405" 405 "$code"
t_match "route_table: 405 cacerts with Allow: GET" '^Allow: GET'$'\r''?$' "$(grep -i '^Allow' "$D/hdr")"
req GET /.well-known/est/PKCSIntune/simplereenroll
t_eq "route_table: GET simplereenroll: 405" 405 "$code"
t_match "route_table: 405 enroll with Allow: POST" '^Allow: POST'$'\r''?$' "$(grep -i '^Allow' "$D/hdr")"

# --- [est] csrattrs-auth = yes: credentials and the read right again ---
demo_test_stop
printf '\n[est]\ncsrattrs-auth = yes\n' >>"$DEMO_CONF"
demo_test_start restart
req GET /.well-known/est/PKCSIntune/csrattrs
t_eq "csrattrs_auth_yes_refuses_anonymous: 401 without credentials" 401 "$code"
t_match "and a Basic challenge" 'WWW-Authenticate: Basic' "$(cat "$D/hdr")"
req GET /.well-known/est/PKCSIntune/csrattrs -u "$CONN"
t_eq "csrattrs-auth = yes: the connector (read right) gets 200" 200 "$code"
out=$($ESTC "$DEMO_URL" "$DEMO_CA" csrattrs PKCSIntune 2>&1)
t_match "csrattrs-auth = yes: a libest-like client fails as the issue saw" '^FAIL: csrattrs without credentials: HTTP 401' "$out"
printf '[est]\ncsrattrs-auth = maybe\n' >"$D/bad.conf"
out=$("$BUILD/entcad" -t -c "$D/bad.conf" 2>&1)
t_match "bad csrattrs-auth value named with its line" 'line 2: \[est\] csrattrs-auth: expected yes or no' "$out"

t_done

#!/bin/bash
# The management API's reads and rights (issue 15): every endpoint allowed
# and refused per CA right (officer, admin, auditor, a connector with
# request only, anonymous); paging through 10,000 certificates without a
# gap or a repeat; a search by SID that finds all of a user's
# certificates through the subject index; filters; a certificate as JSON,
# DER, PEM and PKCS#7 with the chain; requests with their decisions;
# audit filters and paging. The store is seeded through the store API.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"
SEED_SID=S-1-5-21-777-888-999-4242

demo_test_setup
# This test counts the store rows it makes.
demo_ocsp_sign_with_ca
demo_allow_api_roles
demo_test_start

# call ROLE METHOD PATH [BODY]: status in $code, body in $D/out.
call() {
	_a=(-s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" -X "$2")
	[ "$1" != anonymous ] && _a+=(-u "$(demo_cred "$1")")
	[ -n "${4:-}" ] && _a+=(-H 'Content-Type: application/json' -d "$4")
	code=$(curl "${_a[@]}" "$DEMO_URL/api/v1/$3")
}
SA=$(demo_enroll a1 "CN=alice,O=Demo" --upn alice@demo.example)
SB=$(demo_enroll a2 "CN=alice,O=Demo" --upn alice@demo.example)
SL=$(demo_enroll l1 "CN=LAPTOP01" --dns laptop01.demo.example)
t_match "three enrollments" '^[0-9a-f]+ [0-9a-f]+ [0-9a-f]+$' "$SA $SB $SL"

# ---- every endpoint, allowed and refused per right ----
# route METHOD PATH BODY then one expected status per role:
# officer admin auditor connector anonymous ("ok" = neither 401 nor 403).
matrix() {
	_m=$1 _p=$2 _b=$3; shift 3
	for _r in officer admin auditor connector anonymous; do
		_want=$1; shift
		call "$_r" "$_m" "$_p" "$_b"
		if [ "$_want" = ok ]; then
			t_ok "$([ "$code" != 401 ] && [ "$code" != 403 ]; echo $?)" "rights: $_m $_p as $_r: allowed ($code)"
		else
			t_eq "rights: $_m $_p as $_r: $_want" "$_want" "$code"
		fi
	done
}
matrix GET certificates "" 200 403 200 403 401
matrix GET "certificates/$SA" "" 200 403 200 403 401
matrix POST "certificates/0a0b0c01/revoke" '{"reason":"certificateHold"}' 200 403 403 403 401
matrix POST "certificates/0a0b0c01/unrevoke" '{}' 200 403 403 403 401
matrix POST principals/revoke '{"upn":"nobody@demo.example"}' 200 403 403 403 401
matrix GET "requests?status=all" "" 200 403 200 403 401
matrix GET requests/1 "" 200 403 200 403 401
matrix POST requests/999999/approve '{}' 404 403 403 403 401
matrix POST requests/999999/deny '{}' 404 403 403 403 401
matrix POST crl/publish '{"delta":true}' 403 200 403 403 401
matrix GET audit "" 403 403 200 403 401
matrix GET openapi.json "" 200 200 200 200 200
call officer GET nothing/here
t_eq "an unknown path: 404" 404 "$code"
t_match "as a JSON error" '"code":"not_found"' "$(cat "$D/out")"
call officer DELETE certificates
t_eq "DELETE: 405" 405 "$code"
call anonymous GET nothing/here
t_eq "an unknown path without credentials: 401, nothing told" 401 "$code"

# ---- one certificate in four forms ----
call officer GET "certificates/$SA"
t_match "JSON: status issued, RFC 3339 times" '"status":"issued".*"not_before":"20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:]{8}Z"' "$(cat "$D/out")"
t_match "JSON: alice's SID and UPN" "\"sid\":\"$SIDP-1106\".*\"upn\":\"alice@demo.example\"" "$(cat "$D/out")"
call officer GET "certificates/$SL"
t_match "JSON: the laptop's SAN dNSName and device" '"dns":\["laptop01.demo.example"\].*"device":"[Ll][Aa][Pp][Tt][Oo][Pp]01' "$(cat "$D/out")"
getas() {	# getas ACCEPT FILE SERIAL
	curl -s -o "$2" -w '%{http_code} %{content_type}' --cacert "$DEMO_CA" -u "$(demo_cred auditor)" \
	    -H "Accept: $1" "$DEMO_URL/api/v1/certificates/$3"
}
t_eq "DER: 200 application/pkix-cert" "200 application/pkix-cert" "$(getas application/pkix-cert "$D/a1.der" "$SA")"
t_eq "DER: the certificate issued" "$(openssl x509 -in "$D/a1.pem" -outform DER | od -An -tx1)" "$(od -An -tx1 <"$D/a1.der")"
t_eq "PEM: 200 application/x-pem-file" "200 application/x-pem-file" "$(getas application/x-pem-file "$D/a1.got.pem" "$SA")"
t_eq "PEM: the certificate issued" "$(openssl x509 -in "$D/a1.pem")" "$(openssl x509 -in "$D/a1.got.pem")"
t_match "PKCS#7: 200" "^200 application/pkcs7-mime" "$(getas application/pkcs7-mime "$D/a1.p7" "$SA")"
openssl pkcs7 -inform DER -in "$D/a1.p7" -print_certs -out "$D/a1.p7.pem" 2>/dev/null
t_eq "PKCS#7: the certificate and the CA" 2 "$(grep -c 'BEGIN CERTIFICATE' "$D/a1.p7.pem")"
t_run "PKCS#7: the chain verifies the certificate" openssl verify -CAfile "$DEMO_CA" "$D/a1.p7.pem"

# ---- seed 10,000 records, then page through them ----
openssl x509 -in "$D/a1.pem" -outform DER -out "$D/seed.der"
# The store is shared: entcad keeps serving while the seeder writes.
N=$("$BUILD/tests/integration/api_seed" "$D/demo/ca/db" 10000 "$SEED_SID" 37 "$D/seed.der")
t_eq "10,000 records seeded through the store API" 10000 "$N"

export URL=$DEMO_URL CA=$DEMO_CA OFFICER="$(demo_cred officer)" SEED_SID
pages() {	# pages QUERY: walk every page, print "rows pages repeats ordered"
	$PY - "$1" <<'PYEOF'
import base64, json, os, ssl, sys, urllib.request, urllib.parse
ctx = ssl.create_default_context(cafile=os.environ["CA"])
auth = "Basic " + base64.b64encode(os.environ["OFFICER"].encode()).decode()
seen, order, pages, nxt = set(), [], 0, None
while True:
    q = sys.argv[1] + ("&next=" + urllib.parse.quote(nxt) if nxt else "")
    req = urllib.request.Request(os.environ["URL"] + "/api/v1/certificates?" + q,
                                 headers={"Authorization": auth})
    page = json.load(urllib.request.urlopen(req, context=ctx))
    pages += 1
    for c in page["certificates"]:
        order.append((c["not_before"], int(c["serial"], 16)))
        seen.add(c["serial"])
    nxt = page.get("next")
    if not nxt or pages > 1000:
        break
ordered = all(order[i] > order[i + 1] for i in range(len(order) - 1))
print(len(order), pages, len(order) - len(seen), "ordered" if ordered else "unordered")
PYEOF
}
# 10,000 seeded, 3 enrolled, 1 revoked by serial above (0a0b0c01).
t_eq "limit=1000: 10,004 rows in 11 pages, no repeat, newest first" "10004 11 0 ordered" "$(pages 'limit=1000')"
t_eq "limit=777: the same rows, 13 pages" "10004 13 0 ordered" "$(pages 'limit=777')"
t_eq "a search by SID finds all 37 of that user's certificates, in pages of 10" "37 4 0 ordered" "$(pages "sid=$SEED_SID&limit=10")"
t_eq "a template filter over the issue-time index" "3334 4 0 ordered" "$(pages 'template=Seed0&limit=1000')"
t_eq "by UPN: alice's two" "2 1 0 ordered" "$(pages 'upn=alice@demo.example')"
t_eq "by device" "1 1 0 ordered" "$(pages 'device=laptop01.demo.example')"
t_eq "by SAN dNSName" "1 1 0 ordered" "$(pages 'dns=laptop01.demo.example')"
t_eq "status=hold: the serial put on hold above is released" "0 1 0 ordered" "$(pages 'status=hold')"
t_eq "expired: none yet among the enrolled" "3 1 0 ordered" "$(pages 'status=issued&template=PKCSIntune')"
t_eq "issued in a window (seeded minutes 0..9: 30 rows)" "30 1 0 ordered" \
    "$(pages 'issued_after=2023-11-14T22:13:20Z&issued_before=2023-11-14T22:23:20Z')"
t_eq "a subject substring" "1 1 0 ordered" "$(pages 'subject=seed4242,')"
t_eq "a serial prefix finds the enrolled one" "1 1 0 ordered" "$(pages "serial=$SA")"

# ---- requests: filters, paging, decisions ----
call officer GET "requests?status=issued&template=PKCSIntune&limit=2"
t_eq "requests: 200" 200 "$code"
t_eq "two rows and a cursor" "2 True" "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["requests"]), "next" in d)' "$D/out")"
NEXT=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["next"])' "$D/out")
call officer GET "requests?status=issued&template=PKCSIntune&limit=2&next=$NEXT"
t_eq "the last page: one row, no cursor" "1 False" "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["requests"]), "next" in d)' "$D/out")"
call officer GET "requests?status=all&after=2100-01-01T00:00:00Z"
t_eq "submitted after 2100: none" '{"requests":[]}' "$(cat "$D/out")"
call auditor GET requests/1
t_match "a request with its decision reasons" '"id":1,.*"submitted_at":"20.*"decisions":\[\{"time":"20[^"]*Z".*"action":"simpleenroll".*"decision":"issued"' "$(cat "$D/out")"

# ---- audit: filters and paging; last=N as before ----
call auditor GET "audit?action=simpleenroll&limit=2"
t_eq "audit: two enrollments and a cursor" "2 True simpleenroll" \
    "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["events"]), "next" in d, d["events"][0]["action"])' "$D/out")"
NEXT=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["next"])' "$D/out")
call auditor GET "audit?action=simpleenroll&limit=2&next=$NEXT"
t_eq "audit: the third, last page" "1 False" "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["events"]), "next" in d)' "$D/out")"
call auditor GET "audit?principal=INTUNECONN\$&outcome=issued"
t_eq "audit by principal and outcome" 3 "$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["events"]))' "$D/out")"
call auditor GET "audit?before=2000-01-01"
t_eq "audit before 2000: none" '{"events":[]}' "$(cat "$D/out")"
call auditor GET "audit?last=2"
t_eq "last=2 keeps its meaning: two, oldest first" "2 True" \
    "$($PY -c 'import json,sys; e=json.load(open(sys.argv[1]))["events"]; print(len(e), e[0]["seq"] < e[1]["seq"])' "$D/out")"
t_done

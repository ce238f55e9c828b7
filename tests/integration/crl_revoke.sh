#!/bin/bash
# Revocation and CRLs end to end (issue 7): the connector retires a device,
# officers revoke, hold and release, admins publish; openssl and Python's
# cryptography read every CRL that entcad serves.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

demo_test_setup
demo_test_start
URL=$DEMO_URL
CRL_URL=$DEMO_CRL_URL/crl/entca-demo

# fetch NAME SUFFIX: download the full ("") or delta ("+") CRL to $D/NAME.crl.
fetch() {
	curl -s -o "$D/$1.crl" "$CRL_URL$2.crl"
}

S1=$(demo_enroll dev1 "CN=LAPTOP01" --dns laptop01.demo.example)
S2=$(demo_enroll dev2 "CN=LAPTOP01" --dns laptop01.demo.example)
SA=$(demo_enroll alice "CN=alice,O=Demo" --upn alice@demo.example)
SK=$(demo_enroll key "CN=alice,O=Demo" --upn alice@demo.example)
t_match "three certificates issued" '^[0-9a-f]+$' "$S1$S2$SA"
F=$($CSR fields "$D/dev1.pem")
t_match "device certificate carries LAPTOP01's SID" 'sid=S-1-5-21-3623811015-3361044348-30300820-1112' "$F"

# The daemon published a full and a delta CRL at start.
fetch full0 ""
t_run "start-up full CRL verifies with openssl crl -CAfile" \
    openssl crl -inform DER -in "$D/full0.crl" -CAfile "$DEMO_CA" -noout
N0=$(crl_info "$D/full0.crl" | sed -n 's/^number=//p')

# Rights.
t_api "revoke by a non-officer: 403" 403 'bob@demo.example:demo-bob' "certificates/$S1/revoke" '{"reason":"keyCompromise"}'
t_match "403 names the officer right" 'officer' "$(cat "$D/out")"
t_api "CRL publication by a non-admin: 403" 403 "$CONN" crl/publish '{}'
t_api "bad serial: 400" 400 "$CONN" "certificates/zz/revoke" '{}'
t_api "removeFromCRL is no revocation reason: 400" 400 "$CONN" "certificates/$S1/revoke" '{"reason":"removeFromCRL"}'
# (Revoking an unknown serial records it: crl_state.sh's revoke_unknown_serial_listed.)
t_api "releasing an unknown serial: 404" 404 "$CONN" "certificates/0badc0ffee/unrevoke" '{}'

# principals_revoke_contradictory_selectors_400: bob's UPN with alice's
# SID revoked every certificate of alice (the selectors were ORed).
t_api "principals_revoke_contradictory_selectors_400: upn and sid: 400" 400 "$CONN" principals/revoke '{"upn":"bob@demo.example","sid":"S-1-5-21-3623811015-3361044348-30300820-1106","reason":"keyCompromise"}'
t_match "principals_revoke_contradictory_selectors_400: the 400 names both selectors" \
    'exactly one of .*given: sid upn' "$(cat "$D/out")"
t_api "principals_revoke_contradictory_selectors_400: upn and device: 400" 400 "$CONN" principals/revoke '{"upn":"alice@demo.example","device":"LAPTOP01","reason":"keyCompromise"}'
"$BUILD/entca" -c "$DEMO_CONF" cert list --tsv >"$D/certs.txt" 2>&1
t_match "principals_revoke_contradictory_selectors_400: alice's certificate stays valid" "^0*${SA##0}	valid" "$(cat "$D/certs.txt")"
t_match "principals_revoke_contradictory_selectors_400: LAPTOP01's too" "^0*${S1##0}	valid" "$(cat "$D/certs.txt")"

# The connector retires the device: every valid certificate of LAPTOP01.
t_api "retire LAPTOP01: 200" 200 "$CONN" principals/revoke '{"device":"LAPTOP01","reason":"cessationOfOperation"}'
t_match "both device certificates revoked" "$S1.*$S2|$S2.*$S1" "$(cat "$D/out")"
t_api "revoking twice: 409" 409 "$CONN" "certificates/$S1/revoke" '{"reason":"keyCompromise"}'
t_match "the 409 says why" 'is already revoked' "$(cat "$D/out")"
t_fail "conflict_reason_has_no_path: the 409 names no store path" grep -Fq -e "$D" -e '/ca/db' "$D/out"

t_api "delta publication by the admin: 200" 200 "$ADMIN" crl/publish '{"delta":true}'
fetch delta1 "+"
t_run "delta CRL verifies with openssl" openssl crl -inform DER -in "$D/delta1.crl" -CAfile "$DEMO_CA" -noout
I=$(crl_info "$D/delta1.crl")
t_match "delta carries a critical delta CRL indicator on the base" "delta_base=$N0 critical=True" "$I"
t_eq "delta lists exactly the retired device's certificates" \
    "$(printf 'entry=%s:cessationOfOperation\n' "${S1##0}" "${S2##0}" | sort)" \
    "$(echo "$I" | grep '^entry=' | sort)"

demo_api "$ADMIN" crl/publish '{}'
fetch full1 ""
I=$(crl_info "$D/full1.crl")
t_run "full CRL verifies with openssl" openssl crl -inform DER -in "$D/full1.crl" -CAfile "$DEMO_CA" -noout
t_match "full CRL lists the device certificates" "entry=${S1##0}:cessationOfOperation" "$I"
t_match "full CRL points at its delta (freshest CRL)" "freshest=$DEMO_CRL_URL/crl/entca-demo\\+.crl" "$I"
N1=$(echo "$I" | sed -n 's/^number=//p')
# The same bytes are written to the CDP object in the directory, as a
# step after the CRL is in service: wait for them (bounded).
for _ in $(seq 1 100); do
	ldapsearch -x -LLL -o ldif-wrap=no -H "$SLAPD_URI" -D "$SLAPD_SVC_DN" -w "$SLAPD_SVC_PW" \
	    -b "cn=ENTCA,cn=CDP,cn=Public Key Services,cn=Services,cn=Configuration,$SLAPD_BASE" \
	    -s base 'certificateRevocationList;binary' 2>/dev/null |
	    sed -n 's/^certificateRevocationList;binary:: //p' | base64 -d >"$D/ldap.crl"
	cmp -s "$D/full1.crl" "$D/ldap.crl" && break
	sleep 0.1
done
t_eq "the full CRL is published to the directory's CDP object" \
    "$(sha256sum <"$D/full1.crl")" "$(sha256sum <"$D/ldap.crl")"
t_ok "$([ "$N1" -gt "$N0" ]; echo $?)" "CRL numbers grow ($N0 -> $N1)"
openssl x509 -in "$D/full1.crl" -inform DER >/dev/null 2>&1
openssl crl -inform DER -in "$D/full1.crl" -out "$D/full1.pem"
cat "$DEMO_CA" "$D/full1.pem" >"$D/chain-crl.pem"
t_fail "a revoked certificate fails openssl verify -crl_check" \
    openssl verify -crl_check -CAfile "$D/chain-crl.pem" "$D/dev1.pem"
t_run "a valid certificate passes openssl verify -crl_check" \
    openssl verify -crl_check -CAfile "$D/chain-crl.pem" "$D/alice.pem"
t_fail "openssl fetches the CRL from the CDP over http and refuses the revoked one" \
    openssl verify -crl_check -crl_download -CAfile "$DEMO_CA" "$D/dev2.pem"
t_run "and accepts a valid one the same way" \
    openssl verify -crl_check -crl_download -CAfile "$DEMO_CA" "$D/alice.pem"
code=$(curl -s -o /dev/null -w '%{http_code}' -u "$CONN" -d x "$DEMO_CRL_URL/api/v1/crl/publish")
t_eq "plain http refuses the management API" 403 "$code"

# A key compromise known to date from an earlier time: invalidityDate.
INV=$(( $(date +%s) - 86400 ))
t_api "revoke with an invalidity date: 200" 200 "$CONN" "certificates/$SK/revoke" "{\"reason\":\"keyCompromise\",\"invalidity_date\":$INV}"
t_api "an invalidity date in the future: 400" 400 "$CONN" "certificates/$SK/revoke" "{\"reason\":\"keyCompromise\",\"invalidity_date\":$(( $(date +%s) + 86400 ))}"
demo_api "$ADMIN" crl/publish '{"delta":true}'
fetch delta15 "+"
I=$(crl_info "$D/delta15.crl")
t_match "delta lists keyCompromise" "entry=${SK##0}:keyCompromise" "$I"
t_match "with the invalidity date (RFC 5280 5.3.2)" "invalidity=${SK##0}:$INV" "$I"

# Hold, then release: the next delta says removeFromCRL.
t_api "hold alice's certificate: 200" 200 "$CONN" "certificates/$SA/revoke" '{"reason":"certificateHold"}'
demo_api "$ADMIN" crl/publish '{"delta":true}'
fetch delta2 "+"
t_match "delta lists the hold" "entry=${SA##0}:certificateHold" "$(crl_info "$D/delta2.crl")"
t_api "unrevoke outside hold: 409" 409 "$CONN" "certificates/$S1/unrevoke" '{}'
t_match "the 409 says it is not on hold" "certificate $S1 is not on hold" "$(cat "$D/out")"
t_fail "conflict_reason_has_no_path: ... nor does the not-on-hold 409" grep -Fq -e "$D" -e '/ca/db' -e 'store /' "$D/out"
t_api "release from hold: 200" 200 "$CONN" "certificates/$SA/unrevoke" '{}'
demo_api "$ADMIN" crl/publish '{"delta":true}'
fetch delta3 "+"
I=$(crl_info "$D/delta3.crl")
t_match "next delta carries removeFromCRL" "entry=${SA##0}:removeFromCRL" "$I"
t_eq "and nothing about the released certificate but that" 1 "$(echo "$I" | grep -c "entry=${SA##0}:")"

# Read-only views: officers and auditors see certificates and requests,
# only auditors the audit log.
get() {	# get CRED PATH: status in $code, body in $D/out
	code=$(curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" -u "$1" "$URL/api/v1/$2")
}
get "$CONN" "certificates/$S1"
t_eq "GET a certificate as an officer: 200" 200 "$code"
t_match "it reads revoked, cessationOfOperation, with LAPTOP01's SID" \
    '"status":"revoked".*"sid":"S-1-5-21-3623811015-3361044348-30300820-1112"|"sid":"S-1-5-21-3623811015-3361044348-30300820-1112".*"status":"revoked"' "$(cat "$D/out")"
t_match "and the reason" '"reason":"cessationOfOperation"' "$(cat "$D/out")"
get "$CONN" "requests?status=issued"
t_eq "GET issued requests: 200" 200 "$code"
t_eq "every enrollment of this test is there" 4 "$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["requests"]))' "$D/out")"
get "$CONN" "requests?status=maybe"
t_eq "GET requests with a bad status: 400" 400 "$code"
get "$CONN" "audit?last=5"
t_eq "the audit log needs the auditor right: 403" 403 "$code"
get "$ADMIN" "audit?last=5"
t_eq "an auditor reads it: 200" 200 "$code"
t_eq "five events, newest last" 5 "$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["events"]))' "$D/out")"
get 'bob@demo.example:demo-bob' "certificates/$S1"
t_eq "a plain user may not read certificates: 403" 403 "$code"

# The CA host's tool: same rules, same store.
"$BUILD/entca" -c "$DEMO_CONF" revoke "$SA" --reason keyCompromise >"$D/tool.out" 2>&1
t_eq "entca revoke on the host: exit 0" 0 "$?"
"$BUILD/entca" -c "$DEMO_CONF" revoke "$SA" --reason keyCompromise >"$D/tool.out" 2>&1
t_eq "entca revoke twice: exit 1" 1 "$?"
"$BUILD/entca" -c "$DEMO_CONF" revoke "$SA" --reason bogus >"$D/tool.out" 2>&1
t_eq "entca revoke with an unknown reason: exit 2" 2 "$?"
"$BUILD/entca" -c "$DEMO_CONF" audit 100 >"$D/audit.txt"
t_match "revocations are audit events" '"action":"revoke".*"decision":"done"' "$(cat "$D/audit.txt")"

# Numbers stay monotonic across restarts.
demo_test_stop
demo_test_start restart
demo_api "$ADMIN" crl/publish '{}'
fetch full2 ""
N2=$(crl_info "$D/full2.crl" | sed -n 's/^number=//p')
t_ok "$([ "$N2" -gt "$N1" ]; echo $?)" "CRL number after a restart is higher ($N1 -> $N2)"
t_match "the host's keyCompromise revocation is in the full CRL" "entry=${SA##0}:keyCompromise" "$(crl_info "$D/full2.crl")"
"$BUILD/entca" -c "$DEMO_CONF" crl publish --delta >"$D/tool.out" 2>&1
t_eq "entca crl publish --delta: exit 0" 0 "$?"
t_run "the tool's delta verifies" openssl crl -inform DER -in "$D/demo/ca/crl/entca-demo+.crl" -CAfile "$DEMO_CA" -noout
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DEMO_CA" "$URL/health")
t_eq "/health answers" 200 "$code"
t_done

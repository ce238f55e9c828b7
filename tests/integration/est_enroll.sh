#!/bin/bash
# EST enrollment end to end (issue 6): a real slapd with the demo
# directory, a real entcad, curl as the client, and openssl and Python's
# cryptography as independent checkers.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"
ALICE_SID=S-1-5-21-3623811015-3361044348-30300820-1106

DEMO_ISSUE="PKCSIntune, ApprovalUser, Renewable" demo_test_setup
# Two more templates from the walkthrough one: approval required, and a
# short-lived one whose renewal window is its whole life.
demo_template ApprovalUser 5 -e 's/^require-approval = .*/require-approval = yes/'
demo_template Renewable 6 -e 's/^validity = .*/validity = 5d/' -e 's/^renewal-period = .*/renewal-period = 5d/' \
    -e 's/^renewal = .*/renewal = valid-certificate-suffices/'
demo_test_start
URL=$DEMO_URL/.well-known/est


# --- cacerts, no authentication ---
demo_cacerts "$D/cacerts.pem"
t_eq "cacerts returns the CA certificate" "$(openssl x509 -in "$DEMO_CA" -noout -fingerprint)" \
    "$(openssl x509 -in "$D/cacerts.pem" -noout -fingerprint)"

# --- the connector enrolls for alice with the PKCS Intune template ---
$CSR make "$D/alice.key" "$D/alice.b64" "CN=alice,O=Demo" --upn alice@demo.example
t_est "simpleenroll for alice: 200" 200 "$CONN" PKCSIntune/simpleenroll "$D/alice.b64"
t_match "Content-Type is certs-only PKCS#7" 'application/pkcs7-mime; smime-type=certs-only' "$(cat "$D/hdr")"
t_match "Content-Transfer-Encoding: base64" 'Content-Transfer-Encoding: base64' "$(cat "$D/hdr")"
p7_to_pem "$D/out" "$D/alice.pem"
t_run "alice's certificate chains to the CA (openssl verify)" openssl verify -CAfile "$DEMO_CA" "$D/alice.pem"
F=$($CSR fields "$D/alice.pem")
t_match "EKUs are EFS + Secure Email + Client Authentication" \
    'eku=1.3.6.1.4.1.311.10.3.4,1.3.6.1.5.5.7.3.2,1.3.6.1.5.5.7.3.4' "$F"
t_match "no non-repudiation" 'ku_non_repudiation=False' "$F"
t_match "SID extension carries alice's objectSid (cryptography)" "sid=$ALICE_SID" "$F"
t_match "openssl asn1parse shows the SID" "$ALICE_SID" "$(openssl asn1parse -in "$D/alice.pem" -strparse \
    "$(openssl asn1parse -in "$D/alice.pem" | grep -A1 '1.3.6.1.4.1.311.25.2$' | tail -1 | cut -d: -f1 | tr -d ' ')" 2>&1)"
t_match "UPN SAN kept" 'san_upn=alice@demo.example' "$F"
t_match "serial has at least 64 random bits" 'serial_bits=(6[4-9]|[7-9][0-9]|1[0-9][0-9])' "$F"
t_match "CDP and AIA point at this CA" "cdp=$DEMO_CRL_URL/crl/entca-demo.crl" "$F"

# --- escaped subjects come back exactly ---
SUBJ='CN=Smith\, John+UID=j\+s,OU=Sales\; East,O=A\=B Corp,C=US'
$CSR make "$D/esc.key" "$D/esc.b64" "$SUBJ" --upn alice@demo.example
t_est "escaped subject: 200" 200 "$CONN" PKCSIntune/simpleenroll "$D/esc.b64"
p7_to_pem "$D/out" "$D/esc.pem"
t_eq "subject with \\+ \\, \\; \\= is kept exactly" "$($CSR csrsubject "$D/esc.b64")" \
    "$($CSR subject "$D/esc.pem")"

# --- serverkeygen: PKCS#8 + PKCS#7 multipart ---
$CSR make "$D/skg.key" "$D/skg.b64" "CN=alice,O=Demo" --upn alice@demo.example
t_est "serverkeygen: 200" 200 "$CONN" PKCSIntune/serverkeygen "$D/skg.b64"
t_match "multipart/mixed answer" 'multipart/mixed; boundary=' "$(cat "$D/hdr")"
$PY - "$D/out" "$D" <<'PYEOF'
import base64, email, sys
raw = open(sys.argv[1], "rb").read()
msg = email.message_from_bytes(b"Content-Type: " + [l for l in open(sys.argv[2] + "/hdr", "rb").read().split(b"\r\n") if l.lower().startswith(b"content-type:")][0].split(b":", 1)[1] + b"\r\n\r\n" + raw)
for part in msg.get_payload():
    ct = part.get_content_type()
    data = base64.b64decode(part.get_payload())
    name = "skg.p8" if ct == "application/pkcs8" else "skg.p7"
    open(sys.argv[2] + "/" + name, "wb").write(data)
    print(ct, part.get("Content-Transfer-Encoding"))
PYEOF
openssl pkcs7 -inform DER -in "$D/skg.p7" -print_certs -out "$D/skg.pem" 2>/dev/null
t_eq "serverkeygen key matches its certificate" \
    "$(openssl pkey -inform DER -in "$D/skg.p8" -pubout 2>/dev/null | sha256sum)" \
    "$(openssl x509 -in "$D/skg.pem" -noout -pubkey 2>/dev/null | sha256sum)"

# --- serverkeygen as PKCS#12 ---
t_est "serverkeygen PKCS#12: 200" 200 "$CONN" PKCSIntune/serverkeygen "$D/skg.b64" -H 'Accept: application/pkcs12' -H 'X-EST-PKCS12-Password: pfx-secret'
base64 -d "$D/out" >"$D/alice.p12"
t_run "PKCS#12 opens with openssl pkcs12 and the password" \
    openssl pkcs12 -in "$D/alice.p12" -passin pass:pfx-secret -nodes -out "$D/p12.pem"
t_est "serverkeygen PKCS#12 without a password: 400" 400 "$CONN" PKCSIntune/serverkeygen "$D/skg.b64" -H 'Accept: application/pkcs12'
t_match "and names where the password goes" 'challengePassword' "$(cat "$D/out")"
$CSR make "$D/skc.key" "$D/skc.b64" "CN=alice,O=Demo" --upn alice@demo.example --challenge csr-secret
est_post "$CONN" PKCSIntune/serverkeygen "$D/skc.b64" -H 'Accept: application/pkcs12'
base64 -d "$D/out" >"$D/alice2.p12"
t_run "the CSR's challengePassword protects the PKCS#12" \
    openssl pkcs12 -in "$D/alice2.p12" -passin pass:csr-secret -nodes -out /dev/null
t_fail "PKCS#12 does not open with another password" \
    openssl pkcs12 -in "$D/alice.p12" -passin pass:wrong -nodes -out /dev/null

# --- error statuses and reasons ---
t_est "no credentials: 401" 401 "" PKCSIntune/simpleenroll "$D/alice.b64"
t_match "401 carries a Basic challenge" 'WWW-Authenticate: Basic realm=' "$(cat "$D/hdr")"
t_est "bad password: 401" 401 'INTUNECONN$:wrong' PKCSIntune/simpleenroll "$D/alice.b64"
t_match "bad password reason" 'invalid credentials' "$(cat "$D/out")"
$CSR make "$D/bob.key" "$D/bob.b64" "CN=bob" --upn bob@demo.example
t_est "bob without enroll on the template: 403" 403 'bob@demo.example:demo-bob' PKCSIntune/simpleenroll "$D/bob.b64"
t_match "403 names the missing right" 'enroll' "$(cat "$D/out")"
echo 'not base64 at all!!' >"$D/junk.b64"
t_est "bad base64: 400" 400 "$CONN" PKCSIntune/simpleenroll "$D/junk.b64"
printf '%s' "$(head -c 300 /dev/urandom | base64 -w0)" >"$D/notder.b64"
t_est "not a CSR: 400" 400 "$CONN" PKCSIntune/simpleenroll "$D/notder.b64"
$CSR make "$D/weak.key" "$D/weak.b64" "CN=alice" --upn alice@demo.example --bits 1024
t_est "1024-bit key on a 2048 template: 400" 400 "$CONN" PKCSIntune/simpleenroll "$D/weak.b64"
t_match "reason names both sizes" '1024.*2048' "$(cat "$D/out")"
$CSR make "$D/bad.key" "$D/bad.b64" "CN=alice" --upn alice@demo.example --tamper
t_est "bad CSR signature: 400" 400 "$CONN" PKCSIntune/simpleenroll "$D/bad.b64"
t_est "unknown template: 404" 404 "$CONN" NoSuchTemplate/simpleenroll "$D/alice.b64"
head -c 70000 /dev/zero | tr '\0' 'A' >"$D/big.b64"
t_est "body over 64 KiB: 413" 413 "$CONN" PKCSIntune/simpleenroll "$D/big.b64"

# --- pending, then approved by an officer, then the same request polls ---
$CSR make "$D/pend.key" "$D/pend.b64" "CN=alice,O=Demo" --upn alice@demo.example
t_est "approval template: 202" 202 "$CONN" ApprovalUser/simpleenroll "$D/pend.b64"
t_match "202 carries Retry-After" 'Retry-After: ' "$(cat "$D/hdr")"
RID=$(sed -n 's/^X-Request-Id: *\([0-9]*\).*/\1/p' "$D/hdr" | tr -d '\r')
# Issue 14: the 202's log line names the stored request it returned.
t_match "202 logged with its stored request and template" \
    ": 202 \\(request t[0-9]+, stored request $RID, template ApprovalUser, [0-9.]+ ms\\)" \
    "$(cat "$D/demo/entcad.log")"
t_est "polling while pending: 202" 202 "$CONN" ApprovalUser/simpleenroll "$D/pend.b64"
t_api "approve by a non-officer: 403" 403 'bob@demo.example:demo-bob' "requests/$RID/approve"
# Four eyes: the connector is an officer, but it submitted this request.
t_api "officer_self_approval_refused: the connector approves its own request: 403" 403 "$CONN" "requests/$RID/approve" '{}'
t_match "officer_self_approval_refused: the 403 names the rule" 'four eyes: INTUNECONN\$ submitted it' "$(cat "$D/out")"
t_est "officer_self_approval_refused: the request is still pending (202)" 202 "$CONN" ApprovalUser/simpleenroll "$D/pend.b64"
t_api "approve by another officer (pkiadmin): 200" 200 "$ADMIN" "requests/$RID/approve" '{}'
t_match "approval answers issued" '"status":"issued"' "$(cat "$D/out")"
t_est "polling after approval: 200 with the certificate" 200 "$CONN" ApprovalUser/simpleenroll "$D/pend.b64"
p7_to_pem "$D/out" "$D/pend.pem"
t_run "approved certificate chains to the CA" openssl verify -CAfile "$DEMO_CA" "$D/pend.pem"

# An officer other than the requester approves a request that names nobody:
# the certificate is the requester's (its SID), not the approver's.
$CSR make "$D/self.key" "$D/self.b64" "CN=INTUNECONN"
est_post "$CONN" ApprovalUser/simpleenroll "$D/self.b64"
RID2=$(sed -n 's/^X-Request-Id: *\([0-9]*\).*/\1/p' "$D/hdr" | tr -d '\r')
t_api "approve by an officer through a nested group (pkiadmin): 200" 200 "$ADMIN" "requests/$RID2/approve"
est_post "$CONN" ApprovalUser/simpleenroll "$D/self.b64"
p7_to_pem "$D/out" "$D/self.pem"
t_match "the certificate carries the requester's SID, not the approver's" \
    'sid=S-1-5-21-3623811015-3361044348-30300820-1105' "$($CSR fields "$D/self.pem")"

# --- re-enrollment with the old certificate as TLS client certificate ---
$CSR make "$D/ren.key" "$D/ren.b64" "CN=alice,O=Demo" --upn alice@demo.example
est_post "$CONN" Renewable/simpleenroll "$D/ren.b64"
p7_to_pem "$D/out" "$D/ren.pem"
$CSR make "$D/ren2.key" "$D/ren2.b64" "CN=alice,O=Demo" --upn alice@demo.example
t_est "simplereenroll with the certificate being renewed: 200" 200 "" simplereenroll "$D/ren2.b64" --cert "$D/ren.pem" --key "$D/ren.key"
p7_to_pem "$D/out" "$D/ren2.pem"
t_eq "renewed certificate keeps the subject" "$($CSR subject "$D/ren.pem")" "$($CSR subject "$D/ren2.pem")"
$CSR make "$D/ren3.key" "$D/ren3.b64" "CN=alice,O=Demo" --upn bob@demo.example
t_est "simplereenroll that swaps the UPN for someone else's: 400" 400 "" simplereenroll "$D/ren3.b64" --cert "$D/ren2.pem" --key "$D/ren2.key"
t_match "and says the names differ" 'subject alternative names differ' "$(cat "$D/out")"
t_est "simplereenroll outside the renewal window: 403" 403 "" simplereenroll "$D/ren2.b64" --cert "$D/alice.pem" --key "$D/alice.key"

# --- 200 sequential and 32-way concurrent enrollments ---
for i in $(seq 1 200); do
	curl -s -o "$D/seq.$i" --cacert "$DEMO_CA" -u "$CONN" -H 'Content-Type: application/pkcs10' \
	    --data-binary @"$D/alice.b64" "$URL/PKCSIntune/simpleenroll"
done
pids=""
for i in $(seq 1 32); do
	curl -s -o "$D/par.$i" --cacert "$DEMO_CA" -u "$CONN" -H 'Content-Type: application/pkcs10' \
	    --data-binary @"$D/alice.b64" "$URL/PKCSIntune/simpleenroll" &
	pids="$pids $!"
done
wait $pids
"$BUILD/entca" -c "$DEMO_CONF" cert list --tsv >"$D/certs.txt" 2>"$D/certs.err"
missing=0 n=0
for f in "$D"/seq.* "$D"/par.*; do
	s=$(base64 -d "$f" | openssl pkcs7 -inform DER -print_certs 2>/dev/null | openssl x509 -noout -serial 2>/dev/null | cut -d= -f2 | tr 'A-F' 'a-f')
	n=$((n + 1))
	grep -q "^0*${s##0}	valid	PKCSIntune" "$D/certs.txt" || missing=$((missing + 1))
done
t_eq "232 enrollments answered with certificates" 232 "$n"
t_eq "every returned serial is in the store as issued" 0 "$missing"
t_eq "serials are unique" "$(cut -f1 "$D/certs.txt" | sort | uniq -d | wc -l)" 0

# --- a hot backup while entcad runs is a consistent store ---
"$BUILD/entca" -c "$DEMO_CONF" backup "$D/backup" >"$D/backup.out" 2>&1
t_eq "entca backup while entcad runs: exit 0" 0 "$?"
t_eq "the copy holds every certificate" "$(wc -l <"$D/certs.txt" | tr -d ' ')" \
    "$(mdb_stat -s certs "$D/backup" | sed -n 's/^ *Entries: //p')"
"$BUILD/entca" -c "$DEMO_CONF" backup "$D/backup" >"$D/backup.out" 2>&1
t_eq "a backup never overwrites: exit 1" 1 "$?"
"$BUILD/entca" -c "$DEMO_CONF" template load >"$D/load.out" 2>&1
t_match "entca template load compiles the folder into the store" '^3 templates from' "$(cat "$D/load.out")"

# --- every decision is an audit event ---
"$BUILD/entca" -c "$DEMO_CONF" audit 1000 >"$D/audit.txt"
t_match "audit has the denied bob request" '"who":"bob".*"decision":"denied"' "$(cat "$D/audit.txt")"
t_match "audit has the approval" '"action":"approve".*"decision":"issued"' "$(cat "$D/audit.txt")"
t_match "audit records serial and SID" "\"subject_sid\":\"$ALICE_SID\".*\"serial\":\"" "$(cat "$D/audit.txt")"

demo_test_stop
t_eq "SIGTERM: entcad exits 0" 0 "$?"
t_done

#!/bin/bash
# The request lifecycle under attack (issue 10 items 3-5, issue 20 items 5
# and 8): approvals that race each other and a denial, polls that would
# hand out another template's or a revoked certificate, CSRs not linked to
# their TLS session, renewals that skip approval or the enroll right, and
# PKCS#12 passwords that reach the store or are too short. A real slapd and
# a real entcad; curl, Python (tests/integration/est_client.py) and openssl
# as clients; counts from the store, never timing.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"
CLIENT="$PY $SRC/tests/integration/est_client.py"
ALICE='alice@demo.example:demo-alice'
# ADMIN (lib_demo.sh) is a second officer (PKI Admins): the connector may
# not approve its own requests.
RUNS=${RACE_RUNS:-50}

DEMO_ISSUE="PKCSIntune, ApprovalUser, RaceUser, LinkedUser, RenewApproval, RenewPlain, RenewByCert" demo_test_setup
demo_template ApprovalUser 11 -e 's/^require-approval = .*/require-approval = yes/'
demo_template RaceUser 12 -e 's/^require-approval = .*/require-approval = yes/'
demo_template LinkedUser 13 -e 's/^require-channel-binding = .*/require-channel-binding = yes/'
# alice may enroll on RenewApproval herself, but only with an officer's approval.
demo_template RenewApproval 14 -e 's/^require-approval = .*/require-approval = yes/' \
    -e 's/^validity = .*/validity = 5d/' -e 's/^renewal-period = .*/renewal-period = 5d/' \
    -e 's/^allow = INTUNECONN\$ : read, enroll$/&\nallow = alice : read, enroll/'
# Only the connector may enroll on RenewPlain; alice holds a certificate from it.
demo_template RenewPlain 15 -e 's/^validity = .*/validity = 5d/' -e 's/^renewal-period = .*/renewal-period = 5d/'
# AD CS's "valid existing certificate": approval once, renewals without.
demo_template RenewByCert 16 -e 's/^require-approval = .*/require-approval = yes/' \
    -e 's/^validity = .*/validity = 5d/' -e 's/^renewal-period = .*/renewal-period = 5d/' \
    -e 's/^renewal = .*/renewal = valid-certificate-suffices/'
demo_test_start
URL=$DEMO_URL/.well-known/est
HOST=127.0.0.1 PORT=${DEMO_URL##*:}

rid() { sed -n 's/^X-Request-Id: *\([0-9]*\).*/\1/p' "$D/hdr" | tr -d '\r'; }
p7_serial() { base64 -d "$1" | openssl pkcs7 -inform DER -print_certs 2>/dev/null |
    openssl x509 -noout -serial 2>/dev/null | cut -d= -f2 | tr 'A-F' 'a-f'; }
certs() { "$BUILD/entca" -c "$DEMO_CONF" cert list --tsv; }

# --- approval_race_one_certificate: 12 approvals of one pending request ---
$CLIENT race "$HOST" "$PORT" "$DEMO_CA" "$CONN" RaceUser "$RUNS" approve12 "$D/race.key" "$ADMIN" >"$D/race12.txt"
certs >"$D/certs.txt"
bad=0 multi=0
for i in $(seq 1 "$RUNS"); do
	line=$(grep "^run=$i " "$D/race12.txt")
	case $line in *" 200=1 409=11 other=0 "*) ;; *) bad=$((bad + 1)); echo "# $line";; esac
	n=$(grep -c "CN=race-approve12-$i,O=Demo$" "$D/certs.txt")
	[ "$n" -eq 1 ] || { multi=$((multi + 1)); echo "# run $i: $n certificates"; }
done
t_eq "approval_race_one_certificate: $RUNS runs, each one 200 and eleven 409" 0 "$bad"
t_eq "approval_race_one_certificate: exactly one certificate per request in the store" 0 "$multi"
t_match "the losers' 409 names the winner's outcome" 'conflict=request [0-9]+ is (already )?issued' \
    "$(grep '^run=1 ' "$D/race12.txt")"

# --- approve_vs_deny_race: exactly one winner, the loser 409 ---
$CLIENT race "$HOST" "$PORT" "$DEMO_CA" "$CONN" RaceUser "$RUNS" approve-deny "$D/race.key" "$ADMIN" >"$D/raced.txt"
certs >"$D/certs.txt"
bad=0 wrong=0
for i in $(seq 1 "$RUNS"); do
	line=$(grep "^run=$i " "$D/raced.txt")
	n=$(grep -c "CN=race-approve-deny-$i,O=Demo$" "$D/certs.txt")
	case $line in
	*" 200=1 409=1 other=0 winner=approve conflict="*issued*) [ "$n" -eq 1 ] || wrong=$((wrong + 1));;
	*" 200=1 409=1 other=0 winner=deny conflict="*denied*) [ "$n" -eq 0 ] || wrong=$((wrong + 1));;
	*) bad=$((bad + 1)); echo "# $line";;
	esac
done
t_eq "approve_vs_deny_race: $RUNS runs, one 200 and one 409 naming the winner" 0 "$bad"
t_eq "approve_vs_deny_race: a certificate exactly when approval won" 0 "$wrong"

# --- poll_other_template_refused ---
$CSR make "$D/pa.key" "$D/pa.b64" "CN=alice,O=Demo" --upn alice@demo.example
t_est "poll: approval template answers 202" 202 "$CONN" ApprovalUser/simpleenroll "$D/pa.b64"
RA=$(rid)
t_api "poll: officer approves" 200 "$ADMIN" "requests/$RA/approve" '{}'
t_est "poll: same template, same CSR: 200 with the certificate" 200 "$CONN" ApprovalUser/simpleenroll "$D/pa.b64"
SA=$(p7_serial "$D/out")
est_post "$CONN" PKCSIntune/simpleenroll "$D/pa.b64"
SB=$(p7_serial "$D/out")
t_eq "poll_other_template_refused: the same CSR on PKCSIntune is a new request (200)" 200 "$code"
t_match "poll_other_template_refused: PKCSIntune issues its own certificate, not ApprovalUser's" \
    "^[0-9a-f]+ [0-9a-f]+$" "$SA $SB"
[ "$SA" != "$SB" ]; t_ok $? "poll_other_template_refused: serials differ ($SA, $SB)"
t_match "and the new certificate is PKCSIntune's in the store" "^0*${SB##0}	valid	PKCSIntune	" "$(certs)"
$CSR make "$D/pd.key" "$D/pd.b64" "CN=alice,O=Demo" --upn alice@demo.example
est_post "$CONN" ApprovalUser/simpleenroll "$D/pd.b64"
t_api "poll: officer denies a request on ApprovalUser" 200 "$CONN" "requests/$(rid)/deny" '{"reason":"no"}'
t_est "poll: the denied request answers 403 on its own template" 403 "$CONN" ApprovalUser/simpleenroll "$D/pd.b64"
t_est "poll_other_template_refused: a denial on ApprovalUser does not reach PKCSIntune (200)" 200 "$CONN" PKCSIntune/simpleenroll "$D/pd.b64"

# --- poll_revoked_not_returned ---
t_api "poll: the approved certificate is revoked" 200 "$CONN" "certificates/$SA/revoke" '{"reason":"keyCompromise"}'
t_est "poll_revoked_not_returned: the poll is a new pending request (202), not the revoked certificate" 202 "$CONN" ApprovalUser/simpleenroll "$D/pa.b64"
[ "$(rid)" != "$RA" ] && [ -n "$(rid)" ]; t_ok $? "poll_revoked_not_returned: a new request id ($(rid), was $RA)"

# An approved certificate that will have expired when entcad's clock moves on.
$CSR make "$D/pe.key" "$D/pe.b64" "CN=alice,O=Demo" --upn alice@demo.example
est_post "$CONN" ApprovalUser/simpleenroll "$D/pe.b64"
RE=$(rid)
demo_api "$ADMIN" "requests/$RE/approve" '{}'
t_est "poll: a second approved request returns its certificate" 200 "$CONN" ApprovalUser/simpleenroll "$D/pe.b64"

# --- officer_self_approval_refused: four eyes (AD CS ESC7) ---
$CSR make "$D/fe.key" "$D/fe.b64" "CN=alice,O=Demo" --upn alice@demo.example
est_post "$CONN" ApprovalUser/simpleenroll "$D/fe.b64"
RF=$(rid)
t_api "officer_self_approval_refused: the connector approves its own request: 403" 403 "$CONN" "requests/$RF/approve" '{}'
t_match "officer_self_approval_refused: the 403 names the four-eyes rule" \
    "request $RF: four eyes: INTUNECONN\\$ submitted it and may not approve it" "$(cat "$D/out")"
t_est "officer_self_approval_refused: nothing was issued, the request is pending (202)" 202 "$CONN" ApprovalUser/simpleenroll "$D/fe.b64"
"$BUILD/entca" -c "$DEMO_CONF" request approve "$RF" >"$D/tool.out" 2>&1
t_eq "the host tool (local administrator) may approve it: exit 0" 0 "$?"
t_est "and the poll then returns the certificate (200)" 200 "$CONN" ApprovalUser/simpleenroll "$D/fe.b64"
$CSR make "$D/fd.key" "$D/fd.b64" "CN=alice,O=Demo" --upn alice@demo.example
est_post "$CONN" ApprovalUser/simpleenroll "$D/fd.b64"
t_api "an officer may deny (withdraw) its own request: 200" 200 "$CONN" "requests/$(rid)/deny" '{"reason":"withdrawn"}'

# --- csr_not_linked_to_tls_refused: challengePassword = channel binding ---
r=$($CLIENT linked "$HOST" "$PORT" "$DEMO_CA" "$CONN" LinkedUser 1.2 good)
t_match "linked CSR with this TLS 1.2 session's tls-unique: 200" '^status=200 ' "$r"
r=$($CLIENT linked "$HOST" "$PORT" "$DEMO_CA" "$CONN" LinkedUser 1.2 wrong)
t_match "csr_not_linked_to_tls_refused: TLS 1.2, another binding: 400" '^status=400 ' "$r"
t_match "and the 400 names the mismatch" 'does not match the tls-unique channel binding' "$r"
r=$($CLIENT linked "$HOST" "$PORT" "$DEMO_CA" "$CONN" LinkedUser 1.2 none)
t_match "csr_not_linked_to_tls_refused: no challengePassword: 400" '^status=400 .*no challengePassword' "$r"
r=$($CLIENT linked "$HOST" "$PORT" "$DEMO_CA" "$CONN" LinkedUser 1.3 good)
t_match "linked CSR with this TLS 1.3 session's tls-exporter: 200" '^status=200 ' "$r"
r=$($CLIENT linked "$HOST" "$PORT" "$DEMO_CA" "$CONN" LinkedUser 1.3 wrong)
t_match "csr_not_linked_to_tls_refused: TLS 1.3, another binding: 400" '^status=400 .*tls-exporter' "$r"
# A CSR linked to one session, replayed on another connection.
$CSR make "$D/replay.key" "$D/replay.b64" "CN=alice,O=Demo" --upn alice@demo.example \
    --challenge "$(echo "$r" | sed -n 's/.*binding=\([^ ]*\).*/\1/p')"
t_est "csr_not_linked_to_tls_refused: a CSR bound to another session: 400" 400 "$CONN" LinkedUser/simpleenroll "$D/replay.b64"
csrattrs_has_challenge() {
	curl -s --cacert "$DEMO_CA" -u "$CONN" "$URL/$1/csrattrs" | base64 -d |
	    openssl asn1parse -inform DER 2>/dev/null | grep -c challengePassword
}
t_eq "csrattrs of a linking template asks for challengePassword" 1 "$(csrattrs_has_challenge LinkedUser)"
t_eq "csrattrs of a template that does not link leaves it out" 0 "$(csrattrs_has_challenge PKCSIntune)"

# --- renewal follows the template ---
$CSR make "$D/ra.key" "$D/ra.b64" "CN=alice,O=Demo" --upn alice@demo.example
est_post "$CONN" RenewApproval/simpleenroll "$D/ra.b64"
demo_api "$ADMIN" "requests/$(rid)/approve" '{}'
t_est "renewal: approved certificate on RenewApproval" 200 "$CONN" RenewApproval/simpleenroll "$D/ra.b64"
p7_to_pem "$D/out" "$D/ra.pem"
$CSR make "$D/ra2.key" "$D/ra2.b64" "CN=alice,O=Demo" --upn alice@demo.example
t_est "renewal_bypasses_approval_refused: renewal on an approval template goes pending (202)" 202 "" simplereenroll "$D/ra2.b64" --cert "$D/ra.pem" --key "$D/ra.key"
RR=$(rid)
t_est "renewal_bypasses_approval_refused: polling the renewal: still 202" 202 "" simplereenroll "$D/ra2.b64" --cert "$D/ra.pem" --key "$D/ra.key"
t_api "the officer approves the renewal" 200 "$ADMIN" "requests/$RR/approve" '{}'
t_est "the renewal poll then returns the certificate" 200 "" simplereenroll "$D/ra2.b64" --cert "$D/ra.pem" --key "$D/ra.key"
$CSR make "$D/rp.key" "$D/rp.b64" "CN=alice,O=Demo" --upn alice@demo.example
t_est "renewal: the connector enrolls alice on RenewPlain" 200 "$CONN" RenewPlain/simpleenroll "$D/rp.b64"
p7_to_pem "$D/out" "$D/rp.pem"
t_est "alice may not enroll on RenewPlain herself (403)" 403 "$ALICE" RenewPlain/simpleenroll "$D/rp.b64"
$CSR make "$D/rp2.key" "$D/rp2.b64" "CN=alice,O=Demo" --upn alice@demo.example
t_est "renewal_without_enroll_right_refused: 403" 403 "" simplereenroll "$D/rp2.b64" --cert "$D/rp.pem" --key "$D/rp.key"
t_match "renewal_without_enroll_right_refused: the 403 names the enroll right" 'no enroll right on template RenewPlain' "$(cat "$D/out")"

# valid-certificate-suffices: no approval for the renewal, one renewal per certificate.
$CSR make "$D/rb.key" "$D/rb.b64" "CN=alice,O=Demo" --upn alice@demo.example
est_post "$CONN" RenewByCert/simpleenroll "$D/rb.b64"
demo_api "$ADMIN" "requests/$(rid)/approve" '{}'
est_post "$CONN" RenewByCert/simpleenroll "$D/rb.b64"
p7_to_pem "$D/out" "$D/rb.pem"
$CSR make "$D/rb2.key" "$D/rb2.b64" "CN=alice,O=Demo" --upn alice@demo.example
t_est "valid-certificate-suffices: the renewal needs no approval (200)" 200 "" simplereenroll "$D/rb2.b64" --cert "$D/rb.pem" --key "$D/rb.key"
S2=$(p7_serial "$D/out")
p7_to_pem "$D/out" "$D/rb2.pem"
est_post "" simplereenroll "$D/rb2.b64" --cert "$D/rb.pem" --key "$D/rb.key"
t_eq "the same renewal again (a retry) gets the same certificate" "200 $S2" "$code $(p7_serial "$D/out")"
$CSR make "$D/rb3.key" "$D/rb3.b64" "CN=alice,O=Demo" --upn alice@demo.example
t_est "renewal_chain_fork_refused: a second renewal of the same certificate: 409" 409 "" simplereenroll "$D/rb3.b64" --cert "$D/rb.pem" --key "$D/rb.key"
t_match "and the 409 says it was renewed already" 'already renewed .*renews each certificate once' "$(cat "$D/out")"
t_est "the chain goes on from the renewed certificate (200)" 200 "" simplereenroll "$D/rb3.b64" --cert "$D/rb2.pem" --key "$D/rb2.key"

# --- PKCS#12 passwords ---
SECRET="pfx-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
HSECRET="hdr-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
$CSR make "$D/k1.key" "$D/k1.b64" "CN=alice,O=Demo" --upn alice@demo.example --challenge "$SECRET"
t_est "serverkeygen PKCS#12 with the challengePassword: 200" 200 "$CONN" PKCSIntune/serverkeygen "$D/k1.b64" -H 'Accept: application/pkcs12'
base64 -d "$D/out" >"$D/k1.p12"
t_run "the PKCS#12 opens with the challengePassword" openssl pkcs12 -in "$D/k1.p12" -passin "pass:$SECRET" -nodes -out /dev/null
$CSR make "$D/k2.key" "$D/k2.b64" "CN=alice,O=Demo" --upn alice@demo.example
t_est "serverkeygen PKCS#12 with the header password: 200" 200 "$CONN" PKCSIntune/serverkeygen "$D/k2.b64" -H 'Accept: application/pkcs12' -H "X-EST-PKCS12-Password: $HSECRET"
"$BUILD/entca" -c "$DEMO_CONF" backup "$D/backup" >/dev/null 2>&1
MDB=$D/demo/ca/db/data.mdb
t_run "the store is at $MDB and holds the serverkeygen requests" test -s "$MDB" -a -s "$D/backup/data.mdb"
t_eq "pfx_password_not_stored: the challengePassword is not in data.mdb" 0 \
    "$(strings -n 8 "$MDB" | grep -c -- "$SECRET")"
t_eq "pfx_password_not_stored: the header password is not in data.mdb" 0 \
    "$(strings -n 8 "$MDB" | grep -c -- "$HSECRET")"
t_eq "pfx_password_not_stored: nor in a backup" 0 \
    "$(cat "$D/backup/"* | strings -n 8 | grep -c -e "$SECRET" -e "$HSECRET")"
t_est "pfx_short_password_400: a 7-character password: 400" 400 "$CONN" PKCSIntune/serverkeygen "$D/k2.b64" -H 'Accept: application/pkcs12' -H 'X-EST-PKCS12-Password: 1234567'
t_match "pfx_short_password_400: the 400 names the rule" 'at least 8 required \(\[est\] pfx-min-password-length\)' "$(cat "$D/out")"
$CSR make "$D/k3.key" "$D/k3.b64" "CN=alice,O=Demo" --upn alice@demo.example --challenge x
t_est "pfx_short_password_400: a 1-character challengePassword: 400" 400 "$CONN" PKCSIntune/serverkeygen "$D/k3.b64" -H 'Accept: application/pkcs12'
# On a linking template the challengePassword is the binding, never the PFX password.
# keygen_linked PASSWORD: serverkeygen on LinkedUser over TLS 1.2 with the
# binding as challengePassword and PASSWORD (or "binding") in the header.
keygen_linked() {
	$PY - "$HOST" "$PORT" "$DEMO_CA" "$CONN" "$1" <<'PYEOF'
import base64, sys
sys.path.insert(0, __import__("os").environ["SRC"] + "/tests/integration")
import est_client as c
from cryptography.hazmat.primitives.asymmetric import rsa
host, port, ca, cred, pw = sys.argv[1:6]
key = rsa.generate_private_key(65537, 2048)
s = c.connect(host, port, ca, tls12=True)
b64 = base64.b64encode(s.get_channel_binding("tls-unique")).decode()
csr = c.csr_b64(key, "CN=alice,O=Demo", "alice@demo.example", b64)
req = c.request_bytes(host, port, "POST", "/.well-known/est/LinkedUser/serverkeygen", cred,
                      "application/pkcs10", csr)
pw = b64 if pw == "binding" else pw
req = req.replace(b"Connection: close\r\n", b"Connection: close\r\nAccept: application/pkcs12\r\n"
                  b"X-EST-PKCS12-Password: " + pw.encode() + b"\r\n")
s.sendall(req)
st, _, body = c.parse_response(c.read_all(s))
print(st, body.decode(errors="replace").strip())
PYEOF
}
r=$(SRC=$SRC keygen_linked binding)
t_match "linked serverkeygen whose PFX password is the channel binding: 400" '^400 .*must not be the CSR.s challengePassword' "$r"
r=$(SRC=$SRC keygen_linked "$HSECRET")
t_match "linked serverkeygen with its own header password: 200" '^200 ' "$r"
$CSR make "$D/k4.key" "$D/k4.b64" "CN=alice,O=Demo" --upn alice@demo.example
t_est "serverkeygen on an approval template: 403 (the key cannot wait for an officer)" 403 "$CONN" ApprovalUser/serverkeygen "$D/k4.b64" -H "X-EST-PKCS12-Password: $HSECRET" -H 'Accept: application/pkcs12'
t_match "and the 403 says why" 'requires approval by a CA officer, and a key entca generates cannot be handed out later' "$(cat "$D/out")"

# --- poll_expired_not_returned: entcad two years on (ENTCA_NOW, the clock seam) ---
demo_test_stop
t_eq "SIGTERM: entcad exits 0" 0 "$?"
ENTCA_NOW=$(($(date +%s) + 2 * 365 * 86400)) demo_test_start restart
t_est "poll_expired_not_returned: the poll of an expired certificate is a new pending request (202)" 202 "$CONN" ApprovalUser/simpleenroll "$D/pe.b64"
[ "$(rid)" != "$RE" ] && [ -n "$(rid)" ]; t_ok $? "poll_expired_not_returned: a new request id ($(rid), was $RE)"
demo_test_stop
t_eq "SIGTERM: entcad exits 0 again" 0 "$?"
t_done

#!/bin/bash
# SCEP (issue 17) end to end: a real slapd with the demo directory, a real
# entcad with [scep] enabled, micromdm's scepclient (Debian's scep) as the
# client, one-time challenges from the API and from `entca scep
# challenge`, and openssl / Python's cryptography as independent checkers.
# tests/integration/scep_msgtool builds the messages no real client sends
# (CertPoll, GetCert, GetCRL, replays, wrong recipients, unknown types).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"
command -v scepclient >/dev/null || t_skip_all "scepclient (Debian package scep) is not installed"
ALICE_SID=S-1-5-21-3623811015-3361044348-30300820-1106
MT=$BUILD/tests/integration/scep_msgtool

DEMO_ISSUE="PKCSIntune, ApprovalUser" demo_test_setup
demo_template ApprovalUser 5 -e 's/^require-approval = .*/require-approval = yes/'
# Debian's scepclient (micromdm 2.1.0) encrypts with single DES whatever
# GetCACaps offers: allowed here for it, off by default.
printf '\n[scep]\nenabled = yes\ndefault-template = PKCSIntune\nallow-des = yes\n' >>"$DEMO_CONF"
demo_test_start
PLAIN=$DEMO_CRL_URL
ENTCA="$BUILD/entca -c $DEMO_CONF"

# challenge TEMPLATE PRINCIPAL: one from the API as the connector; value in $CH.
challenge() {
	code=$(curl -s -o "$D/ch.json" -w '%{http_code}' --cacert "$DEMO_CA" -u "$CONN" \
	    -H 'Content-Type: application/json' \
	    --data "{\"template\":\"$1\",\"principal\":\"$2\"}" "$DEMO_URL/api/v1/scep/challenges")
	CH=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1])).get("challenge",""))' "$D/ch.json" 2>/dev/null)
}
# enroll NAME CHALLENGE [PATH]: scepclient with a fresh key; output in $out.
# scepclient keeps csr.pem and self.pem beside the key and reuses them:
# each enrollment has a folder of its own; the certificate is $D/NAME.pem.
enroll() {
	rm -rf "$D/$1.pem" "$D/$1.d"
	mkdir "$D/$1.d"
	out=$(timeout 120 scepclient -server-url "$PLAIN${3:-/scep/PKCSIntune}" \
	    -challenge "$2" -private-key "$D/$1.d/key.pem" -certificate "$D/$1.pem" -cn alice 2>&1)
}
audit() { $ENTCA audit 200 2>/dev/null; }

# --- GetCACaps and GetCACert ---
caps=$(curl -s "$PLAIN/scep/PKCSIntune?operation=GetCACaps")
for c in POSTPKIOperation SHA-256 SHA-512 AES SCEPStandard Renewal; do
	t_match "GetCACaps advertises $c" "^$c\$" "$(printf '%s\n' "$caps" | tr -d '\r')"
done
t_eq "GetCACaps has no DES3 while allow-3des is off" "" "$(printf '%s\n' "$caps" | grep DES3)"
curl -s -D "$D/hdr" -o "$D/cacert.p7" "$PLAIN/scep/PKCSIntune?operation=GetCACert"
t_match "GetCACert: application/x-x509-ca-ra-cert" 'application/x-x509-ca-ra-cert' "$(cat "$D/hdr")"
openssl pkcs7 -inform DER -in "$D/cacert.p7" -print_certs -out "$D/cacerts.pem"
t_match "GetCACert carries the CA" 'entca Demo Root CA' "$(grep subject "$D/cacerts.pem")"
t_match "GetCACert carries the RA certificate" 'SCEP RA' "$(grep subject "$D/cacerts.pem")"
awk '/subject=.*SCEP RA/{f=1} f{print} /END CERTIFICATE/{if(f)exit}' "$D/cacerts.pem" | sed -n '/BEGIN/,/END/p' >"$D/ra.pem"
t_run "the RA certificate chains to the CA" openssl verify -CAfile "$DEMO_CA" "$D/ra.pem"
RAKU=$(openssl x509 -in "$D/ra.pem" -noout -ext keyUsage)
t_match "RA certificate: digital signature and key encipherment (as NDES)" \
    'Digital Signature, Key Encipherment' "$RAKU"
t_eq "the NDES path serves the default template" "$caps" \
    "$(curl -s "$PLAIN/certsrv/mscep/mscep.dll/pkiclient.exe?operation=GetCACaps")"
t_eq "SCEP is served on HTTPS too" "$caps" \
    "$(curl -s --cacert "$DEMO_CA" "$DEMO_URL/scep/PKCSIntune?operation=GetCACaps")"
t_eq "unknown template: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' \
    -X POST --data x "$PLAIN/scep/NoSuch?operation=PKIOperation")"

# --- challenges: rights and input ---
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DEMO_CA" -u 'alice@demo.example:demo-alice' \
    -H 'Content-Type: application/json' --data '{"template":"PKCSIntune","principal":"alice@demo.example"}' \
    "$DEMO_URL/api/v1/scep/challenges")
t_run "a challenge needs the officer right (alice: 403, got $code)" test "$code" = 403
challenge PKCSIntune nobody@demo.example
t_eq "a challenge for nobody in the directory: 400" 400 "$code"
challenge PKCSIntune alice@demo.example
t_eq "the connector gets a challenge: 200" 200 "$code"
t_match "the answer says when it expires (RFC 3339)" '"expires": *"20[0-9-]*T[0-9:]*Z"' "$(cat "$D/ch.json")"
t_eq "the store keeps no challenge in clear" "" \
    "$(strings "$D/demo/ca/db/data.mdb" | grep -F "$CH")"

# --- scepclient enrolls alice with the connector's challenge ---
enroll alice "$CH"
t_run "scepclient enrolls with the challenge" test -s "$D/alice.pem" || { echo "$out"; tail -30 "$D/demo/entcad.log"; }
t_run "alice's certificate chains to the CA" openssl verify -CAfile "$DEMO_CA" "$D/alice.pem"
F=$($PY "$SRC/tests/integration/csr.py" fields "$D/alice.pem")
t_match "SID extension carries alice's objectSid (cryptography)" "sid=$ALICE_SID" "$F"
t_match "EKUs come from the template" 'eku=1.3.6.1.4.1.311.10.3.4,1.3.6.1.5.5.7.3.2,1.3.6.1.5.5.7.3.4' "$F"
t_match "the audit names the challenge and the connector" \
    '"action":"scep-pkcsreq".*"decision":"issued".*"via":"SCEP challenge of INTUNECONN\$ for alice@demo.example' "$(audit)"

# --- the same challenge again: refused ---
enroll alice2 "$CH"
t_run "a used challenge is refused" test ! -s "$D/alice2.pem"
t_match "scepclient hears FAILURE badRequest" 'FAILURE|badRequest|failInfo|fail' "$out"
t_match "the refusal is audited as already used" '"action":"scep-pkcsreq","decision":"denied","reason":"challengePassword: already used' "$(audit)"

# --- no challenge, wrong challenge, other template ---
enroll nochal ""
t_run "no challenge: refused" test ! -s "$D/nochal.pem"
enroll wrong "00112233445566778899aabbccddeeff"
t_run "a challenge this CA never issued: refused" test ! -s "$D/wrong.pem"
challenge ApprovalUser alice@demo.example
enroll othertmpl "$CH"
t_run "a challenge of another template: refused" test ! -s "$D/othertmpl.pem"

# --- expiry without waiting: a challenge made an hour and a half ago ---
EXP=$(ENTCA_NOW=$(( $(date +%s) - 5400 )) $ENTCA scep challenge --template PKCSIntune \
    --principal alice@demo.example --requester 'INTUNECONN$' | $PY -c 'import json,sys; print(json.load(sys.stdin)["challenge"])')
t_run "entca scep challenge makes one on the CA host" test -n "$EXP"
enroll expired "$EXP"
t_run "an expired challenge is refused" test ! -s "$D/expired.pem"
t_match "its expiry is audited" '"decision":"denied","reason":"challengePassword: expired at' "$(audit)"
HOST=$($ENTCA scep challenge --template PKCSIntune --principal alice@demo.example --requester 'INTUNECONN$' |
    $PY -c 'import json,sys; print(json.load(sys.stdin)["challenge"])')
enroll host "$HOST"
t_run "a challenge from entca scep challenge enrolls (NDES path)" test -s "$D/host.pem"

# --- NDES path with an API challenge ---
challenge PKCSIntune alice@demo.example
enroll ndes "$CH" /certsrv/mscep/mscep.dll
t_run "scepclient enrolls on /certsrv/mscep/mscep.dll" test -s "$D/ndes.pem"

# --- the message tool: keys, a signer certificate and CSRs ---
openssl genrsa -out "$D/k1.pem" 2048 2>/dev/null
openssl req -x509 -new -key "$D/k1.pem" -subj /CN=scep-signer -days 2 -out "$D/s1.pem" 2>/dev/null
openssl genrsa -out "$D/k2.pem" 2048 2>/dev/null
openssl req -x509 -new -key "$D/k2.pem" -subj /CN=scep-signer -days 2 -out "$D/s2.pem" 2>/dev/null
# csr KEY OUT CHALLENGE: a PKCS#10 for CN=alice with challengePassword.
csr() {
	printf '[req]\ndistinguished_name=dn\nprompt=no\n%s[dn]\nCN=alice\n%s' \
	    "${3:+attributes=at\n}" "${3:+[at]\nchallengePassword=$3\n}" >"$D/req.cnf"
	sed -i 's/\\n/\n/g' "$D/req.cnf"
	openssl req -new -key "$1" -config "$D/req.cnf" -outform DER -out "$2"
}
# op FILE: POST a pkiMessage; status in $code, reply in $D/rep.der.
op() {
	code=$(curl -s -o "$D/rep.der" -w '%{http_code}' -H 'Content-Type: application/x-pki-message' \
	    --data-binary @"$1" "$PLAIN/scep/${2:-PKCSIntune}?operation=PKIOperation")
}
rep() { "$MT" reply "$D/rep.der" "$1" "$2" ${3:+"$3"}; }

# --- pending: the approval template, polled to success after approval ---
challenge ApprovalUser alice@demo.example
csr "$D/k1.pem" "$D/p.csr" "$CH"
"$MT" build "$D/p.msg" 19 tx-pending-1 "$D/k1.pem" "$D/s1.pem" "$D/ra.pem" "$D/p.csr"
op "$D/p.msg" ApprovalUser
t_match "require-approval template: CertRep PENDING" 'type=3 status=3 ' "$(rep "$D/k1.pem" "$D/s1.pem")"
"$MT" issuer-subject "$D/poll.body" "$DEMO_CA" "$D/p.csr"
"$MT" build "$D/poll.msg" 20 tx-pending-1 "$D/k1.pem" "$D/s1.pem" "$D/ra.pem" "$D/poll.body"
op "$D/poll.msg" ApprovalUser
t_match "CertPoll while pending: PENDING" 'status=3 ' "$(rep "$D/k1.pem" "$D/s1.pem")"
"$MT" build "$D/poll2.msg" 20 tx-pending-1 "$D/k2.pem" "$D/s2.pem" "$D/ra.pem" "$D/poll.body"
op "$D/poll2.msg" ApprovalUser
t_match "CertPoll signed with another key: FAILURE badCertId" 'status=2 fail=4 ' "$(rep "$D/k2.pem" "$D/s2.pem")"
RID=$($ENTCA request list 2>/dev/null | awk '/ApprovalUser/ && /pending/ {print $1}' | tail -1)
t_run "the pending request is listed ($RID)" test -n "$RID"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DEMO_CA" -u 'pkiadmin@demo.example:demo-admin' \
    -H 'Content-Type: application/json' -d '{}' -X POST "$DEMO_URL/api/v1/requests/$RID/approve")
t_eq "another officer approves the SCEP request: 200" 200 "$code"
op "$D/poll.msg" ApprovalUser
t_match "CertPoll after approval: SUCCESS" 'status=0 ' "$(rep "$D/k1.pem" "$D/s1.pem" "$D/polled.p7")"
openssl pkcs7 -inform DER -in "$D/polled.p7" -print_certs -out "$D/polled.pem" 2>/dev/null
t_match "the polled certificate carries alice's SID" "sid=$ALICE_SID" \
    "$($PY "$SRC/tests/integration/csr.py" fields "$D/polled.pem" 2>&1)"

# --- replayed transaction id with a different key ---
challenge PKCSIntune alice@demo.example
csr "$D/k2.pem" "$D/r.csr" "$CH"
"$MT" build "$D/r.msg" 19 tx-pending-1 "$D/k2.pem" "$D/s2.pem" "$D/ra.pem" "$D/r.csr"
op "$D/r.msg"
t_match "a transactionID reused with another key: FAILURE badRequest" 'status=2 fail=2 .*another key' \
    "$(rep "$D/k2.pem" "$D/s2.pem")"

# --- GetCert and GetCRL ---
SERIAL=$(openssl x509 -in "$D/alice.pem" -noout -serial | cut -d= -f2)
"$MT" issuer-serial "$D/gc.body" "$DEMO_CA" "$SERIAL"
"$MT" build "$D/gc.msg" 21 tx-getcert "$D/k1.pem" "$D/s1.pem" "$D/ra.pem" "$D/gc.body"
op "$D/gc.msg"
t_match "GetCert: SUCCESS" 'status=0 ' "$(rep "$D/k1.pem" "$D/s1.pem" "$D/gc.p7")"
openssl pkcs7 -inform DER -in "$D/gc.p7" -print_certs -out "$D/gc.pem" 2>/dev/null
t_eq "GetCert returns alice's certificate" "$(openssl x509 -in "$D/alice.pem" -noout -fingerprint)" \
    "$(openssl x509 -in "$D/gc.pem" -noout -fingerprint 2>&1)"
"$MT" issuer-serial "$D/gx.body" "$DEMO_CA" 0123456789
"$MT" build "$D/gx.msg" 21 tx-getcert-x "$D/k1.pem" "$D/s1.pem" "$D/ra.pem" "$D/gx.body"
op "$D/gx.msg"
t_match "GetCert of an unknown serial: FAILURE badCertId" 'status=2 fail=4 ' "$(rep "$D/k1.pem" "$D/s1.pem")"
"$MT" build "$D/crl.msg" 22 tx-getcrl "$D/k1.pem" "$D/s1.pem" "$D/ra.pem" "$D/gc.body"
op "$D/crl.msg"
t_match "GetCRL: SUCCESS" 'status=0 ' "$(rep "$D/k1.pem" "$D/s1.pem" "$D/crl.p7")"
t_match "GetCRL returns the CA's CRL" 'entca Demo Root CA' \
    "$(openssl pkcs7 -inform DER -in "$D/crl.p7" -print_certs -text 2>&1 | grep -i issuer)"

# --- bad input: each a CertRep FAILURE or a 400, nothing issued ---
before=$($ENTCA cert list 2>/dev/null | wc -l)
head -c 300 /dev/urandom >"$D/garbage"
op "$D/garbage"
t_eq "garbage: 400" 400 "$code"
head -c 500 "$D/r.msg" >"$D/trunc"
op "$D/trunc"
t_eq "a truncated pkiMessage: 400" 400 "$code"
"$MT" build "$D/u.msg" 99 tx-unknown "$D/k1.pem" "$D/s1.pem" "$D/ra.pem" "$D/r.csr"
op "$D/u.msg"
t_match "an unknown messageType: FAILURE badRequest" 'status=2 fail=2 .*messageType 99' "$(rep "$D/k1.pem" "$D/s1.pem")"
challenge PKCSIntune alice@demo.example
csr "$D/k1.pem" "$D/w.csr" "$CH"
"$MT" build "$D/w.msg" 19 tx-wrong-recipient "$D/k1.pem" "$D/s1.pem" "$D/s2.pem" "$D/w.csr"
op "$D/w.msg"
t_match "enveloped to another certificate: FAILURE badMessageCheck" 'status=2 fail=1 .*RA certificate' \
    "$(rep "$D/k1.pem" "$D/s1.pem")"
"$MT" build "$D/3.msg" 19 tx-3des "$D/k1.pem" "$D/s1.pem" "$D/ra.pem" "$D/w.csr" 3des
op "$D/3.msg"
t_match "3DES while allow-3des = no: FAILURE badAlg" 'status=2 fail=0 ' "$(rep "$D/k1.pem" "$D/s1.pem")"
"$MT" build "$D/n.msg" 19 tx-no-envelope "$D/k1.pem" "$D/s1.pem" "$D/ra.pem" -
op "$D/n.msg"
t_match "no pkcsPKIEnvelope: FAILURE (badRequest or badMessageCheck)" 'status=2 fail=[12] ' "$(rep "$D/k1.pem" "$D/s1.pem")"
# A wrongly enveloped CSR: the envelope is a CertPoll body, not a PKCS#10.
"$MT" build "$D/e.msg" 19 tx-not-a-csr "$D/k1.pem" "$D/s1.pem" "$D/ra.pem" "$D/poll.body"
op "$D/e.msg"
t_match "an envelope without a PKCS#10: FAILURE badRequest" 'status=2 fail=2 ' "$(rep "$D/k1.pem" "$D/s1.pem")"
# A signature that does not verify: flip a byte near the end (the signature).
$PY - "$D/w.msg" "$D/bad.msg" <<'PYEOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[-20] ^= 0xFF
open(sys.argv[2], "wb").write(bytes(b))
PYEOF
op "$D/bad.msg"
t_match "a broken signature: FAILURE badMessageCheck" 'status=2 fail=1 ' "$(rep "$D/k1.pem" "$D/s1.pem")"
# A message signed two days ago (the client's clock, through faketime).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" faketime -f '-2d' \
    "$MT" build "$D/t.msg" 19 tx-old-clock "$D/k1.pem" "$D/s1.pem" "$D/ra.pem" "$D/w.csr"
op "$D/t.msg"
t_match "signingTime two days off: FAILURE badTime" 'status=2 fail=3 .*signingTime' "$(rep "$D/k1.pem" "$D/s1.pem")"
t_eq "no bad input issued anything" "$before" "$($ENTCA cert list 2>/dev/null | wc -l)"
# The challenge used by none of the above is still good.
"$MT" build "$D/good.msg" 19 tx-good "$D/k1.pem" "$D/s1.pem" "$D/ra.pem" "$D/w.csr"
op "$D/good.msg"
t_match "the same challenge still works after the refusals: SUCCESS" 'status=0 ' "$(rep "$D/k1.pem" "$D/s1.pem" "$D/good.p7")"
op "$D/good.msg"
t_match "the same PKCSReq again is answered from its transaction" 'status=0 ' "$(rep "$D/k1.pem" "$D/s1.pem")"
t_match "refusals are logged" 'FAILURE badMessageCheck' "$(cat "$D/demo/entcad.log")"

# --- PKIOperation by GET ---
challenge PKCSIntune alice@demo.example
csr "$D/k2.pem" "$D/g.csr" "$CH"
"$MT" build "$D/g.msg" 19 tx-get "$D/k2.pem" "$D/s2.pem" "$D/ra.pem" "$D/g.csr"
M=$($PY -c 'import base64,sys,urllib.parse; print(urllib.parse.quote(base64.b64encode(open(sys.argv[1],"rb").read())))' "$D/g.msg")
code=$(curl -s -o "$D/rep.der" -w '%{http_code}' "$PLAIN/scep/PKCSIntune?operation=PKIOperation&message=$M")
t_match "PKIOperation by GET: SUCCESS" 'status=0 ' "$(rep "$D/k2.pem" "$D/s2.pem")"

# --- renewal: RenewalReq signed by alice's certificate, no challenge ---
openssl x509 -in "$D/good.pem" -out /dev/null 2>/dev/null
openssl pkcs7 -inform DER -in "$D/good.p7" -print_certs -out "$D/good.pem" 2>/dev/null
openssl genrsa -out "$D/k3.pem" 2048 2>/dev/null
csr "$D/k3.pem" "$D/n.csr" ""
"$MT" build "$D/ren.msg" 17 tx-renew "$D/k1.pem" "$D/good.pem" "$D/ra.pem" "$D/n.csr"
op "$D/ren.msg"
t_match "RenewalReq signed by a valid certificate: SUCCESS without a challenge" 'status=0 ' \
    "$(rep "$D/k1.pem" "$D/good.pem" "$D/ren.p7")"
openssl pkcs7 -inform DER -in "$D/ren.p7" -print_certs -out "$D/ren.pem" 2>/dev/null
t_match "the renewed certificate carries alice's SID" "sid=$ALICE_SID" \
    "$($PY "$SRC/tests/integration/csr.py" fields "$D/ren.pem" 2>&1)"
"$MT" build "$D/ren2.msg" 17 tx-renew-self "$D/k1.pem" "$D/s1.pem" "$D/ra.pem" "$D/n.csr"
op "$D/ren2.msg"
t_match "RenewalReq signed by a self-signed certificate needs a challenge" 'status=2 fail=2 .*challengePassword' \
    "$(rep "$D/k1.pem" "$D/s1.pem")"
RSERIAL=$(openssl x509 -in "$D/good.pem" -noout -serial | cut -d= -f2)
$ENTCA revoke "$RSERIAL" --reason keyCompromise >/dev/null 2>&1
"$MT" build "$D/ren3.msg" 17 tx-renew-revoked "$D/k1.pem" "$D/good.pem" "$D/ra.pem" "$D/n.csr"
op "$D/ren3.msg"
t_match "RenewalReq signed by a revoked certificate: FAILURE badCertId" 'status=2 fail=4 ' \
    "$(rep "$D/k1.pem" "$D/good.pem")"

# --- RA rollover: a start with less than ra-renew-before left renews the
# RA certificate for the same key, and enrollment goes on ---
demo_test_stop
RA1=$(openssl x509 -in "$D/demo/ca/scep-ra.crt" -noout -serial)
printf 'ra-renew-before = 3y\n' >>"$DEMO_CONF"	# more than its 2y: due now
demo_test_start restart
curl -s -o "$D/cacert2.p7" "$PLAIN/scep/PKCSIntune?operation=GetCACert"
openssl pkcs7 -inform DER -in "$D/cacert2.p7" -print_certs -out "$D/cacerts2.pem"
awk '/subject=.*SCEP RA/{f=1} f{print} /END CERTIFICATE/{if(f)exit}' "$D/cacerts2.pem" | sed -n '/BEGIN/,/END/p' >"$D/ra2.pem"
t_ok $([ "$RA1" != "$(openssl x509 -in "$D/ra2.pem" -noout -serial)" ]; echo $?) \
    "RA rollover: GetCACert serves a new RA certificate"
t_eq "RA rollover: the same RA key (held by the signer)" \
    "$(openssl x509 -in "$D/ra.pem" -noout -pubkey)" "$(openssl x509 -in "$D/ra2.pem" -noout -pubkey)"
t_match "RA rollover is logged" 'SCEP: renewed the RA certificate' "$(cat "$D/demo/entcad.log")"
cp "$D/ra2.pem" "$D/ra.pem"
challenge PKCSIntune alice@demo.example
enroll afterroll "$CH"
t_run "scepclient enrolls after the RA rollover" test -s "$D/afterroll.pem"

# --- certmonger's SCEP helper as a second client (OpenSSL underneath) ---
SUBMIT=/usr/lib/certmonger/scep-submit
[ -x "$SUBMIT" ] || SUBMIT=/usr/libexec/certmonger/scep-submit
if [ -x "$SUBMIT" ]; then
	t_match "certmonger scep-submit reads GetCACaps" 'AES' "$("$SUBMIT" -u "$PLAIN/certsrv/mscep/mscep.dll" -c 2>&1)"
	"$SUBMIT" -u "$PLAIN/certsrv/mscep/mscep.dll" -C >"$D/cm-cacerts.pem" 2>&1
	t_match "certmonger scep-submit parses GetCACert: the RA first" 'BEGIN CERTIFICATE' "$(head -1 "$D/cm-cacerts.pem")"
	t_eq "certmonger's RA certificate is entcad's" "$(openssl x509 -in "$D/ra.pem" -noout -fingerprint)" \
	    "$(openssl x509 -in "$D/cm-cacerts.pem" -noout -fingerprint 2>&1)"
	challenge PKCSIntune alice@demo.example
	openssl genrsa -out "$D/k4.pem" 2048 2>/dev/null
	openssl req -x509 -new -key "$D/k4.pem" -subj /CN=certmonger -days 2 -out "$D/s4.pem" 2>/dev/null
	csr "$D/k4.pem" "$D/cm.csr" "$CH"
	"$MT" build "$D/cm.msg" 19 tx-certmonger "$D/k4.pem" "$D/s4.pem" "$D/ra.pem" "$D/cm.csr"
	openssl base64 -in "$D/cm.msg" | sed -e '1i-----BEGIN PKCS7-----' -e '$a-----END PKCS7-----' >"$D/cm.msg.pem"
	"$SUBMIT" -u "$PLAIN/certsrv/mscep/mscep.dll" -r "$D/ra.pem" -N "$DEMO_CA" -p "$D/cm.msg.pem" >"$D/cm.env" 2>"$D/cm.err"
	t_eq "certmonger verifies the CertRep and gets the envelope (exit 0)" "0" "$?"
	t_run "OpenSSL opens entcad's envelope with the client's key" \
	    openssl cms -decrypt -inform PEM -in "$D/cm.env" -recip "$D/s4.pem" -inkey "$D/k4.pem" -out "$D/cm.p7" -binary
	openssl pkcs7 -inform DER -in "$D/cm.p7" -print_certs -out "$D/cm.pem" 2>/dev/null
	t_match "the certificate certmonger received carries alice's SID" "sid=$ALICE_SID" \
	    "$($PY "$SRC/tests/integration/csr.py" fields "$D/cm.pem" 2>&1)"
	"$SUBMIT" -u "$PLAIN/certsrv/mscep/mscep.dll" -r "$D/ra.pem" -N "$DEMO_CA" -p "$D/cm.msg.pem" >/dev/null 2>&1
	t_eq "certmonger: the same message again is answered from its transaction (exit 0)" 0 "$?"
	"$MT" build "$D/cm2.msg" 19 tx-certmonger-2 "$D/k4.pem" "$D/s4.pem" "$D/ra.pem" "$D/cm.csr"
	openssl base64 -in "$D/cm2.msg" | sed -e '1i-----BEGIN PKCS7-----' -e '$a-----END PKCS7-----' >"$D/cm2.msg.pem"
	out=$("$SUBMIT" -u "$PLAIN/certsrv/mscep/mscep.dll" -r "$D/ra.pem" -N "$DEMO_CA" -p "$D/cm2.msg.pem" 2>&1)
	t_eq "certmonger: a used challenge is rejected (exit 2)" 2 "$?"
	t_match "certmonger verified the FAILURE CertRep and read badRequest" 'not permitted|badRequest' "$out"
fi

t_done

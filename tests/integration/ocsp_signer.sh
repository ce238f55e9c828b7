#!/bin/bash
# OCSP signing keys and revocations from outside the daemon (issue 16):
# a signer child killed with the delegated OCSP key in its memory is
# replaced and a new key and certificate are made, so responses keep
# coming; `entca revoke`, another process writing the store, is seen at
# once by a cached GET (the cache checks the store, not only the hook);
# [ocsp] sign-with = ca signs with the CA key and sends no certificate.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"
OC="$PY $SRC/tests/integration/ocsp_check.py"

demo_test_setup
demo_test_start
OURL=$DEMO_CRL_URL/ocsp
LOG=$DEMO_STATE/entcad.log

# enroll NAME: PEM in $D/NAME.pem; prints the serial (hex).
enroll() { demo_enroll "$1" "CN=LAPTOP01" --dns laptop01.demo.example; }
# post REQ OUT: POST an OCSP request; the response in $D/OUT.der.
post() {
	curl -s -o "$D/$2.der" -H 'Content-Type: application/ocsp-request' \
	    --data-binary @"$1" "$OURL"
}
# get REQ OUT: GET /ocsp/<base64>.
get() {
	curl -s -o "$D/$2.der" "$OURL/$(base64 -w0 "$1" | sed 's/+/%2B/g; s|/|%2F|g; s/=/%3D/g')"
}
# wait_log PATTERN: until the log holds it (bounded: 10 s).
wait_log() {
	for _ in $(seq 1 200); do
		grep -qE -- "$1" "$LOG" && return 0
		sleep 0.05
	done
	return 1
}

S1=$(enroll dev1)
$OC req "$DEMO_CA" "$D/dev1.pem" "$D/n.req" --nonce 16
$OC req "$DEMO_CA" "$D/dev1.pem" "$D/g.req"
post "$D/n.req" a
K0=$($OC show "$D/a.der" "$DEMO_CA" | sed -n 's/^signer_serial=//p')
t_match "a delegated signing certificate signs" '^[0-9a-f]+$' "$K0"

# ocsp_key_survives_signer_restart: the key died with the signer child.
signer=$(pgrep -x -P "$DEMO_PID" entcad-signer | head -1)
t_match "the signer child is running" '^[0-9]+$' "$signer"
kill -9 "$signer"
wait_log "signer process $signer killed by signal SIGKILL"
t_ok $? "the signer's death is logged"
post "$D/n.req" b
$OC show "$D/b.der" "$DEMO_CA" >"$D/s"
K1=$(sed -n 's/^signer_serial=//p' "$D/s")
t_match "after the signer restart a nonce request is answered good and verifies" \
    "cert_status=GOOD.*signature=ok" "$(tr '\n' ' ' <"$D/s")"
[ -n "$K1" ] && [ "$K1" != "$K0" ]
t_ok $? "... signed with a new OCSP key and certificate ($K0 -> $K1)"
t_match "... which is logged" "OCSP: response signing certificate $K1" "$(cat "$LOG")"

# entca revoke in another process: the next cached GET says revoked.
get "$D/g.req" c0
t_match "cached GET: good" "cert_status=GOOD" "$($OC show "$D/c0.der")"
get "$D/g.req" c1
"$BUILD/entca" -c "$DEMO_CONF" revoke "$S1" --reason keyCompromise >"$D/tool.out" 2>&1
t_ok $? "entca revoke (its own process, the same store)"
get "$D/g.req" c2
t_match "the next cached GET says revoked, keyCompromise" \
    "cert_status=REVOKED .*revocation_reason=key_compromise" "$($OC show "$D/c2.der" | tr '\n' ' ')"

# [ocsp] sign-with = ca.
demo_test_stop
printf '\n[ocsp]\nsign-with = ca\n' >>"$DEMO_CONF"
demo_start_entcad || t_fail "entcad starts with sign-with = ca"
T_PIDS="$T_PIDS $DEMO_PID"
post "$D/n.req" d
$OC show "$D/d.der" "$DEMO_CA" >"$D/s"
t_match "sign-with = ca: no certificate in the response, the CA signature verifies" \
    "certs=0.*signature=ok" "$(tr '\n' ' ' <"$D/s")"
CAKH=$(openssl x509 -in "$DEMO_CA" -noout -pubkey | openssl pkey -pubin -outform DER |
    $PY -c 'import sys, hashlib; from cryptography.hazmat.primitives.serialization import load_der_public_key, Encoding, PublicFormat
k = load_der_public_key(sys.stdin.buffer.read()).public_bytes(Encoding.DER, PublicFormat.PKCS1)
print(hashlib.sha1(k).hexdigest())')
t_match "... ResponderID is the CA key hash" "responder_key_hash=$CAKH" "$(cat "$D/s")"
health
t_eq "sign-with = ca: /health 200" 200 "$code"
t_done

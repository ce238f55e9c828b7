#!/bin/bash
# entca restore DIR (issue 15): the counterpart of entca backup. Backup
# with the key while entcad runs -> refused onto the live CA (the store is
# open in entcad; the folder is not empty) -> stop, wipe -> refused without
# the PKCS#12 password, and a backup whose store belongs to another CA is
# refused with nothing left behind -> restored -> the same certificate
# list, the same CRL in service, the same audit trail; entcad starts, and
# enroll, revoke and CRL publication carry on above the old numbers.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

demo_test_setup
# This test counts the store rows it makes.
demo_ocsp_sign_with_ca
LOG=$D/demo/entcad.log
STATE=$D/demo/ca
CRL_URL=$DEMO_CRL_URL/crl/entca-demo
demo_test_start

# enroll NAME: a PKCSIntune certificate for alice; prints its serial (hex).
enroll() { demo_enroll "$1" "CN=alice,O=Demo" --upn alice@demo.example | sed 's/^0*//'; }
# crlnum FILE: the CRL number of a DER CRL.
crlnum() { openssl crl -inform DER -in "$1" -noout -crlnumber | sed 's/.*=0x//; s/.*=//'; }

S1=$(enroll a1)
S2=$(enroll a2)
t_match "two certificates enrolled" '^[0-9a-f]+$' "$S1$S2"
"$ENTCA" -c "$DEMO_CONF" revoke "$S2" --reason keyCompromise >/dev/null 2>&1
t_eq "one revoked" 0 "$?"
"$ENTCA" -c "$DEMO_CONF" crl publish >/dev/null 2>&1
t_eq "a full CRL published on the host" 0 "$?"
# entcad follows a new full CRL with a delta on that base: wait for it, so
# the backup is of a quiet CA (one taken in between holds CRL files newer
# than its store, and a restore then numbers above them: crl_state.sh).
# delta_base FILE: the base number of a DER delta CRL (none: 0).
delta_base() {
	$PY -c 'import sys
from cryptography import x509
try:
    c = x509.load_der_x509_crl(open(sys.argv[1], "rb").read())
    print(c.extensions.get_extension_for_class(x509.DeltaCRLIndicator).value.crl_number)
except Exception:
    print(0)' "$1"
}
for _ in $(seq 1 300); do
	curl -s -o "$D/delta.now" "$DEMO_CRL_URL/crl/entca-demo+.crl"
	[ "$(delta_base "$D/delta.now")" = "$((0x$(openssl crl -inform DER -in "$STATE/crl/entca-demo.crl" \
	    -noout -crlnumber | sed 's/.*=0x//')))" ] && break
	sleep 0.1
done
t_eq "entcad follows the host's full CRL with a delta on it" \
    "$((0x$(openssl crl -inform DER -in "$STATE/crl/entca-demo.crl" -noout -crlnumber | sed 's/.*=0x//')))" \
    "$(delta_base "$D/delta.now")"
"$ENTCA" -c "$DEMO_CONF" cert list >"$D/list.before"
"$ENTCA" -c "$DEMO_CONF" audit 1000 >"$D/audit.before"
cp "$STATE/crl/entca-demo.crl" "$D/crl.before"
N0=$(crlnum "$D/crl.before")

(umask 077; printf 'restore-pass-2026\n' >"$D/pw"; printf 'wrong-password\n' >"$D/badpw")
"$ENTCA" -c "$DEMO_CONF" backup "$D/bk" --with-key --password-file "$D/pw" >/dev/null 2>&1
t_eq "entca backup --with-key while entcad runs: exit 0" 0 "$?"
t_run "the backup holds the store, the certificate, the key, the CRLs and the high-water mark" \
    test -s "$D/bk/data.mdb" -a -s "$D/bk/ca.crt" -a -s "$D/bk/ca.p12" -a -s "$D/bk/crl/entca-demo.crl" \
    -a -s "$D/bk/crl.highwater"

# --- restore_refuses_live_ca ---
out=$("$ENTCA" -c "$DEMO_CONF" restore "$D/bk" --password-file "$D/pw" 2>&1)
t_eq "restore_refuses_live_ca: onto the running CA: exit 1" 1 "$?"
t_match "restore_refuses_live_ca: names the process holding the store" \
    "store in .* is open in process [0-9]+ \(entcad running\?\)" "$out"
demo_test_stop
out=$("$ENTCA" -c "$DEMO_CONF" restore "$D/bk" --password-file "$D/pw" 2>&1)
t_eq "restore_refuses_live_ca: onto a stopped CA's folder: exit 1" 1 "$?"
t_match "restore_refuses_live_ca: the folder is not empty" "is not empty .*never overwrites a CA" "$out"
t_run "restore_refuses_live_ca: the CA is untouched" cmp "$D/list.before" \
    <("$ENTCA" -c "$DEMO_CONF" cert list)

# --- wipe, then the refusals that must leave nothing behind ---
rm -rf "$STATE"
out=$("$ENTCA" -c "$DEMO_CONF" restore "$D/bk" 2>&1)
t_eq "restore without the PKCS#12 password: exit 1" 1 "$?"
t_match "it says which password it needs" "ca.p12.*--password-file" "$out"
out=$("$ENTCA" -c "$DEMO_CONF" restore "$D/bk" --password-file "$D/badpw" 2>&1)
t_eq "restore with a wrong password: exit 1" 1 "$?"
t_match "it says so" "wrong password" "$out"
# A backup of another CA's key with this CA's store.
"$ENTCA" init --state "$D/other" --subject "CN=Other CA" --key-type p256 --no-tls-cert >/dev/null
mkdir "$D/mixed"
cp "$D/bk/data.mdb" "$D/bk/ca.crt" "$D/mixed/"
openssl pkcs12 -export -inkey "$D/other/ca.key" -in "$D/other/ca.crt" -passout pass:restore-pass-2026 \
    -out "$D/mixed/ca.p12" 2>/dev/null
out=$("$ENTCA" -c "$DEMO_CONF" restore "$D/mixed" --password-file "$D/pw" 2>&1)
t_eq "restore_verifies_before_switching: a store of another CA: exit 1" 1 "$?"
t_match "restore_verifies_before_switching: the store's certificates do not verify with the key's CA" \
    "certificates this CA did not sign" "$out"
t_eq "restore_verifies_before_switching: nothing left behind (no state, no temp folder)" "" \
    "$(ls -d "$STATE" "$STATE".restore-* 2>/dev/null)"

# --- restore_same_answers ---
out=$("$ENTCA" -c "$DEMO_CONF" restore "$D/bk" --password-file "$D/pw" 2>&1)
t_eq "restore_same_answers: restore: exit 0" 0 "$?"
t_match "restore_same_answers: it reports what it verified and the counts" \
    "key matches the certificate; the store opens: 2 certificates \(1 revoked\)" "$out"
t_eq "restore_same_answers: no temp folder left" "" "$(ls -d "$STATE".restore-* 2>/dev/null)"
t_run "restore_same_answers: the same certificate list" cmp "$D/list.before" \
    <("$ENTCA" -c "$DEMO_CONF" cert list)
"$ENTCA" -c "$DEMO_CONF" audit 1000 >"$D/audit.after"
t_run "restore_same_answers: the same audit trail" cmp "$D/audit.before" <(head -n -1 "$D/audit.after")
t_match "restore_audited: then the restore itself, with the backup it came from" \
    "\"action\":\"restore\".*\"backup\":\"$D/bk\"" "$(tail -1 "$D/audit.after")"
t_run "restore_same_answers: the same CA certificate" cmp "$D/bk/ca.crt" "$STATE/ca.crt"
t_eq "restore_same_answers: the CA key file is private" 600 "$(stat -c %a "$STATE/ca.key")"

t_demo_start "restore_same_answers: entcad starts on the restored state"
code=$(curl -s -o "$D/crl.after" -w '%{http_code}' "$CRL_URL.crl")
t_eq "restore_same_answers: the CRL is served (200)" 200 "$code"
t_eq "restore_same_answers: the same CRL number ($N0)" "$N0" "$(crlnum "$D/crl.after")"
t_run "restore_same_answers: byte for byte the CRL in service before" cmp "$D/crl.before" "$D/crl.after"
t_match "restore_same_answers: it still lists the revoked certificate" "$(echo "$S2" | tr a-f A-F)" \
    "$(openssl crl -inform DER -in "$D/crl.after" -noout -text)"
S3=$(enroll a3)
t_match "restore_same_answers: enroll works" '^[0-9a-f]+$' "$S3"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DEMO_CA" -u "$CONN" \
    -H 'Content-Type: application/json' -d '{"reason":"superseded"}' \
    "$DEMO_URL/api/v1/certificates/$S3/revoke")
t_eq "restore_same_answers: revoke works" 200 "$code"
"$ENTCA" -c "$DEMO_CONF" crl publish >/dev/null 2>&1
cp "$STATE/crl/entca-demo.crl" "$D/crl.next"
t_run "restore_same_answers: the next CRL numbers above the old one" test "$((16#$(crlnum "$D/crl.next")))" -gt "$((16#$N0))"
t_match "restore_same_answers: and lists the new revocation" "$(echo "$S3" | tr a-f A-F)" \
    "$(openssl crl -inform DER -in "$D/crl.next" -noout -text)"
openssl verify -CAfile "$STATE/ca.crt" -crl_check -CRLfile <(openssl crl -inform DER -in "$D/crl.next") \
    "$D/a1.pem" >/dev/null 2>&1
t_eq "restore_same_answers: an old certificate verifies with the CRL (openssl)" 0 "$?"
t_done

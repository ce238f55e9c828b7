#!/bin/bash
# entca ca renew [--new-key] (issue 15): AD CS's CA certificate renewal.
# Refused while entcad runs. Same key: certificate index 1, old
# certificates still verify. New key: certificate index 2, key index 1;
# cacerts and AIA serve every CA certificate under AD CS's names; the new
# key's CRLs are <name>(1).crl and new certificates point there; the old
# key keeps signing <name>.crl, which old certificates name, so they stay
# verifiable (openssl, with the old CA certificate and its CRL) and
# revocable (revoked after the renewal, listed on the old key's CRL).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

demo_test_setup
STATE=$D/demo/ca
N=entca-demo
demo_test_start

# enroll NAME: a PKCSIntune certificate for alice in $D/NAME.pem; prints its serial.
enroll() { demo_enroll "$1" "CN=alice,O=Demo" --upn alice@demo.example; }
# get PATH OUT: plain-http GET of a public file; status in $code.
get() { code=$(curl -s -o "$2" -w '%{http_code}' "$DEMO_CRL_URL$1"); }
pemcrl() { openssl crl -inform DER -in "$1" -out "$1.pem"; }
# wait_listed URL SERIAL: until the served CRL lists SERIAL (bounded, 30 s).
wait_listed() {
	for _ in $(seq 1 300); do
		get "$1" "$D/w.crl"
		openssl crl -inform DER -in "$D/w.crl" -noout -text 2>/dev/null | grep -qi "$2" && return 0
		sleep 0.1
	done
	return 1
}

A=$(enroll a)
t_match "a certificate from CA certificate 0" '^[0-9a-f]+$' "$A"
cp "$STATE/ca.crt" "$D/ca0.pem"

# --- refused while entcad runs ---
out=$("$ENTCA" -c "$DEMO_CONF" ca renew 2>&1)
t_eq "ca_renew_refused_while_running: exit 1" 1 "$?"
t_match "ca_renew_refused_while_running: names the process" "open in process [0-9]+ \(entcad running\?\)" "$out"
t_run "ca_renew_refused_while_running: the CA certificate is unchanged" cmp "$D/ca0.pem" "$STATE/ca.crt"
demo_test_stop

# --- same key ---
out=$("$ENTCA" -c "$DEMO_CONF" ca renew --days 3000 2>&1)
t_eq "ca_renew same key: exit 0" 0 "$?"
t_match "ca_renew same key: certificate 1, key 0" "CA certificate 1 \(key 0, the same key\)" "$out"
t_eq "ca_renew same key: CA Version V1.0" "V1.0" "$("$ENTCA" dump "$STATE/ca.crt" | grep -A1 '1.3.6.1.4.1.311.21.1 ' | tail -1 | tr -d ' ')"
t_run "ca_renew same key: the previous certificate is kept as ca(0).crt" cmp "$D/ca0.pem" "$STATE/ca-history/ca(0).crt"
t_eq "ca_renew same key: the subject is the same bytes" \
    "$(openssl x509 -in "$D/ca0.pem" -noout -subject -nameopt RFC2253)" \
    "$(openssl x509 -in "$STATE/ca.crt" -noout -subject -nameopt RFC2253)"
t_eq "ca_renew same key: the previous certificate hash is openssl's SHA-1 of it" \
    "$(openssl x509 -in "$D/ca0.pem" -noout -fingerprint -sha1 | cut -d= -f2 | tr -d : | tr A-F a-f)" \
    "$("$ENTCA" dump "$STATE/ca.crt" | grep -A1 '1.3.6.1.4.1.311.21.2 ' | tail -1 | tr -d ' ')"
openssl verify -CAfile "$STATE/ca.crt" "$D/a.pem" >/dev/null 2>&1
t_eq "ca_renew same key: an old certificate verifies with the new CA certificate (openssl)" 0 "$?"
cp "$STATE/ca.crt" "$D/ca1.pem"

# --- new key ---
out=$("$ENTCA" -c "$DEMO_CONF" ca renew --new-key --key-type rsa2048 --days 3000 2>&1)
t_eq "ca_renew --new-key: exit 0" 0 "$?"
t_match "ca_renew --new-key: certificate 2, key 1" "CA certificate 2 \(key 1, new\)" "$out"
t_eq "ca_renew --new-key: CA Version V2.1" "V2.1" "$("$ENTCA" dump "$STATE/ca.crt" | grep -A1 '1.3.6.1.4.1.311.21.1 ' | tail -1 | tr -d ' ')"
t_run "ca_renew --new-key: a new public key" test "$(openssl x509 -in "$D/ca1.pem" -noout -pubkey)" != \
    "$(openssl x509 -in "$STATE/ca.crt" -noout -pubkey)"
t_run "ca_renew --new-key: the old key kept with its certificate" test -s "$STATE/ca-history/key(0)/ca.key" \
    -a -s "$STATE/ca-history/key(0)/ca.json"
t_match "ca_renew: audited" '"action":"ca-renew".*"cert_index":2,"key_index":1' "$("$ENTCA" -c "$DEMO_CONF" audit 5)"
cp "$STATE/ca.crt" "$D/ca2.pem"
# Clients trust every CA certificate (a renewed root is distributed again).
cat "$D/ca0.pem" "$D/ca1.pem" "$D/ca2.pem" >"$D/all-ca.pem"
DEMO_CA=$D/all-ca.pem
t_demo_start "entcad starts after the renewal"

# --- cacerts and AIA ---
demo_cacerts "$D/cacerts.pem"
t_eq "cacerts serves the three CA certificates" 3 "$(grep -c 'BEGIN CERTIFICATE' "$D/cacerts.pem")"
get "/aia/$N.crt" "$D/aia0.der"
t_eq "AIA $N.crt is CA certificate 0 (what old certificates name)" \
    "$(openssl x509 -in "$D/ca0.pem" -outform DER | sha256sum)" "$(sha256sum <"$D/aia0.der")"
get "/aia/$N(2).crt" "$D/aia2.der"
t_eq "AIA $N(2).crt is the current certificate" \
    "$(openssl x509 -in "$D/ca2.pem" -outform DER | sha256sum)" "$(sha256sum <"$D/aia2.der")"

# --- CRLs: the new key's (1), the old key's kept ---
get "/crl/$N(1).crl" "$D/new.crl"
t_eq "the new key's CRL is served as $N(1).crl" 200 "$code"
pemcrl "$D/new.crl"
openssl crl -in "$D/new.crl.pem" -CAfile "$D/ca2.pem" -noout 2>&1 | grep -q "verify OK"
t_eq "and is signed by the new key (openssl)" 0 "$?"
get "/crl/$N.crl" "$D/old.crl"
t_eq "the old key's CRL is still served as $N.crl" 200 "$code"
pemcrl "$D/old.crl"
openssl crl -in "$D/old.crl.pem" -CAfile "$D/ca1.pem" -noout 2>&1 | grep -q "verify OK"
t_eq "and is signed by the old key (openssl)" 0 "$?"

# --- new certificates ---
C=$(enroll c)
t_match "enroll after the renewal" '^[0-9a-f]+$' "$C"
t_match "the new certificate's CDP names $N(1).crl" "/crl/$N\(1\)\.crl" \
    "$(openssl x509 -in "$D/c.pem" -noout -ext crlDistributionPoints)"
t_match "its AIA names $N(2).crt" "/aia/$N\(2\)\.crt" "$(openssl x509 -in "$D/c.pem" -noout -ext authorityInfoAccess)"
openssl verify -CAfile "$D/ca2.pem" -crl_check -CRLfile "$D/new.crl.pem" "$D/c.pem" >/dev/null 2>&1
t_eq "the new certificate verifies with the new CA certificate and CRL (openssl)" 0 "$?"
"$ENTCA" -c "$DEMO_CONF" verify "$D/c.pem" >"$D/vc.out"
t_eq "entca verify of the new certificate: GOOD (exit 0)" 0 "$?"
t_match "entca verify: signed by CA certificate 2, CRL of key 1" "chain +ok +signed by CA certificate 2" "$(cat "$D/vc.out")"

# --- old certificates: verifiable and revocable ---
openssl verify -CAfile "$D/ca1.pem" -crl_check -CRLfile "$D/old.crl.pem" "$D/a.pem" >/dev/null 2>&1
t_eq "renew_new_key_old_cert_verifies: openssl, old CA certificate and the old key's CRL" 0 "$?"
"$ENTCA" -c "$DEMO_CONF" verify "$D/a.pem" >"$D/va.out"
t_eq "renew_new_key_old_cert_verifies: entca verify GOOD" 0 "$?"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DEMO_CA" -u "$CONN" \
    -H 'Content-Type: application/json' -d '{"reason":"keyCompromise"}' \
    "$DEMO_URL/api/v1/certificates/$A/revoke")
t_eq "renew_new_key_old_cert_revocable: revoke an old certificate: 200" 200 "$code"
"$ENTCA" -c "$DEMO_CONF" crl publish >/dev/null 2>&1
t_eq "entca crl publish: exit 0 (both keys' CRLs)" 0 "$?"
wait_listed "/crl/$N.crl" "$A"
t_eq "renew_new_key_old_cert_revocable: entcad serves the old key's CRL listing it" 0 "$?"
cp "$D/w.crl" "$D/old2.crl"
pemcrl "$D/old2.crl"
openssl crl -in "$D/old2.crl.pem" -CAfile "$D/ca1.pem" -noout 2>&1 | grep -q "verify OK"
t_eq "renew_new_key_old_crl_signed_by_old_key: the new CRL verifies with the old certificate" 0 "$?"
out=$(openssl verify -CAfile "$D/ca1.pem" -crl_check -CRLfile "$D/old2.crl.pem" "$D/a.pem" 2>&1)
t_match "renew_new_key_old_cert_revocable: openssl says revoked" "certificate revoked" "$out"
out=$("$ENTCA" -c "$DEMO_CONF" verify "$D/a.pem")
t_eq "renew_new_key_old_cert_revocable: entca verify exit 1" 1 "$?"
t_match "renew_new_key_old_cert_revocable: listed on the old key's CRL" "LISTED on full CRL" "$out"

# --- a renewed CA survives backup and restore, earlier key included ---
(umask 077; printf 'renew-backup-2026\n' >"$D/pw")
"$ENTCA" -c "$DEMO_CONF" backup "$D/bk" --with-key --password-file "$D/pw" >/dev/null 2>&1
t_eq "renew_backup_restore: backup --with-key: exit 0" 0 "$?"
t_run "renew_backup_restore: the backup holds the history and the earlier key" \
    test -s "$D/bk/ca-history/ca(0).crt" -a -s "$D/bk/ca-history/ca(1).crt" -a -s "$D/bk/ca-history/key(0)/ca.p12"
demo_test_stop
rm -rf "$STATE"
"$ENTCA" -c "$DEMO_CONF" restore "$D/bk" --password-file "$D/pw" >"$D/restore.out" 2>&1
t_eq "renew_backup_restore: restore: exit 0" 0 "$?"
sed 's/^/# /' "$D/restore.out"
t_demo_start "renew_backup_restore: entcad starts"
demo_cacerts "$D/cacerts2.pem"
t_eq "renew_backup_restore: cacerts still serves the three CA certificates" 3 "$(grep -c 'BEGIN CERTIFICATE' "$D/cacerts2.pem")"
"$ENTCA" -c "$DEMO_CONF" crl publish >/dev/null 2>&1
t_eq "renew_backup_restore: the restored earlier key signs again (crl publish: exit 0)" 0 "$?"
# The restored CRL already lists it: wait for a newer one being served.
OLDN=$(($(openssl crl -in "$D/old2.crl.pem" -noout -crlnumber | sed 's/.*=//')))
for _ in $(seq 1 300); do
	get "/crl/$N.crl" "$D/old3.crl"
	[ "$(($(openssl crl -inform DER -in "$D/old3.crl" -noout -crlnumber 2>/dev/null | sed 's/.*=//')))" -gt "$OLDN" ] && break
	sleep 0.1
done
pemcrl "$D/old3.crl"
out=$(openssl verify -CAfile "$D/ca1.pem" -crl_check -CRLfile "$D/old3.crl.pem" "$D/a.pem" 2>&1)
t_match "renew_backup_restore: the old key's new CRL verifies and still lists the old certificate" "certificate revoked" "$out"
t_run "renew_backup_restore: it is a newer CRL than before the backup" test \
    "$(($(openssl crl -in "$D/old3.crl.pem" -noout -crlnumber | sed 's/.*=//')))" -gt \
    "$(($(openssl crl -in "$D/old2.crl.pem" -noout -crlnumber | sed 's/.*=//')))"
t_done

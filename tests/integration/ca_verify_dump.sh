#!/bin/bash
# entca dump FILE and entca verify CERT (issue 15; certutil -dump and
# -verify). dump's facts are checked against openssl and certtool (serial,
# names with RFC 4514 escapes, fingerprints, CRL number and entries, the
# Microsoft extensions read with openssl asn1parse); verify's verdicts
# against what the store and the CRLs say: good, revoked (store, then the
# CRL), on hold, unknown to the store, another CA's, expired.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

demo_test_setup
STATE=$D/demo/ca
demo_test_start

# enroll NAME SUBJECT: a PKCSIntune certificate for alice; prints its serial.
enroll() { demo_enroll "$1" "$2" --upn alice@demo.example; }
# extval FILE OID: the DER value of extension OID, as openssl asn1parse reads it.
extval() {
	off=$(openssl asn1parse -in "$1" | grep -A2 ":$2\$" | grep 'OCTET STRING' | head -1 | cut -d: -f1 | tr -d ' ')
	openssl asn1parse -in "$1" -strparse "$off" 2>/dev/null
}
# field NAME: the value of "  NAME: value" in $out.
field() { printf '%s\n' "$out" | sed -n "s/^  $1: //p" | head -1; }
json() { $PY -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# --- dump a certificate with escapes in its subject ---
SUBJ='CN=alice\+x\, y\;z\=w,O=Demo'
S1=$(enroll a1 "$SUBJ")
t_match "a certificate with escaped subject characters was issued" '^[0-9a-f]+$' "$S1"
out=$("$ENTCA" dump "$D/a1.pem")
t_eq "dump_cert: exit 0" 0 "$?"
t_eq "dump_cert: the serial is openssl's" "$S1" "$(field 'Serial Number')"
# Python leaves "=" unescaped (RFC 4514 allows both); entca escapes it as AD CS.
t_eq "dump_cert: the subject keeps its escapes exactly (as Python's rfc4514_string)" \
    "$($CSR fields "$D/a1.pem" | sed -n 's/^subject=//p')" "$(field Subject | sed 's/\\=/=/g')"
t_eq "dump_cert: that is the RFC 4514 text asked for" "$SUBJ" "$(field Subject)"
t_eq "dump_cert: issuer as openssl prints it (RFC 2253)" \
    "$(openssl x509 -in "$D/a1.pem" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')" "$(field Issuer)"
t_eq "dump_cert: SHA-1 hash as openssl's fingerprint" \
    "$(openssl x509 -in "$D/a1.pem" -noout -fingerprint -sha1 | cut -d= -f2 | tr -d : | tr A-F a-f)" \
    "$(field 'Hash(sha1)')"
t_eq "dump_cert: SHA-256 as certtool's" \
    "$(certtool -i --infile "$D/a1.pem" | sed -n 's/^[[:space:]]*sha256:\([0-9a-f]\{64\}\)$/\1/p' | head -1)" \
    "$(field 'Hash(sha256)')"
SID=$($CSR fields "$D/a1.pem" | sed -n 's/^sid=//p')
t_match "dump_cert: the SID extension decoded (1.3.6.1.4.1.311.25.2)" \
    "$(printf '%s' "$SID")" "$(printf '%s\n' "$out" | grep -A1 '1.3.6.1.4.1.311.25.2 ' | tail -1)"
TOID=$(extval "$D/a1.pem" 1.3.6.1.4.1.311.21.7 | sed -n 's/.*OBJECT *:\(.*\)$/\1/p' | head -1)
TMAJ=$(extval "$D/a1.pem" 1.3.6.1.4.1.311.21.7 | sed -n 's/.*INTEGER *:\(.*\)$/\1/p' | head -1)
t_match "dump_cert: template v2 OID and major version as openssl asn1parse reads them" \
    "Template=$TOID, Major Version Number=$((16#$TMAJ)), " "$(printf '%s\n' "$out" | grep -A1 '1.3.6.1.4.1.311.21.7 ' | tail -1)"
NPOL=$(extval "$D/a1.pem" 1.3.6.1.4.1.311.21.10 | grep -c 'OBJECT')
t_match "dump_cert: application policies (1.3.6.1.4.1.311.21.10): as many as openssl reads ($NPOL), client authentication among them" \
    "\[$NPOL\] .*1.3.6.1.5.5.7.3.2 \(Client Authentication\)" "$(printf '%s\n' "$out" | grep -A1 '1.3.6.1.4.1.311.21.10 ' | tail -1)"
t_match "dump_cert: standard extensions through GnuTLS (EKU client authentication)" \
    "TLS WWW Client" "$(printf '%s\n' "$out" | grep -A1 '2.5.29.37 ' | tail -1)"
"$ENTCA" dump "$D/a1.pem" --json >"$D/a1.json"
t_eq "dump_cert --json: exit 0 and the same SID" "$SID" "$(json 'd["extensions"][[e["oid"] for e in d["extensions"]].index("1.3.6.1.4.1.311.25.2")]["sid"]' <"$D/a1.json")"
t_eq "dump_cert --json: subject" "$SUBJ" "$(json 'd["subject"]' <"$D/a1.json")"
t_eq "dump_cert --json: template OID" "$TOID" "$(json '[e for e in d["extensions"] if "template" in e][0]["template"]["oid"]' <"$D/a1.json")"
openssl x509 -in "$D/a1.pem" -outform DER -out "$D/a1.der"
t_run "dump_cert: DER gives the same output as PEM" cmp <("$ENTCA" dump "$D/a1.pem") <("$ENTCA" dump "$D/a1.der")

# --- a CSR, PEM and DER ---
base64 -d "$D/a1.b64" >"$D/a1.csr.der"
openssl req -inform DER -in "$D/a1.csr.der" -out "$D/a1.csr.pem"
out=$("$ENTCA" dump "$D/a1.csr.pem")
t_eq "dump_csr: exit 0" 0 "$?"
t_eq "dump_csr: the subject with escapes" "$SUBJ" "$(field Subject)"
t_eq "dump_csr: key size as openssl says" \
    "RSA $(openssl req -in "$D/a1.csr.pem" -noout -text | sed -n 's/.*Public-Key: (\([0-9]*\) bit).*/\1/p') bits" \
    "$(field 'Public Key')"
t_match "dump_csr: the signature verifies" "^verifies" "$(field Signature)"
t_match "dump_csr: the UPN SAN asked for" "alice@demo.example" "$(printf '%s\n' "$out" | grep -A1 '2.5.29.17 ')"
t_run "dump_csr: DER too" cmp <("$ENTCA" dump "$D/a1.csr.pem") <("$ENTCA" dump "$D/a1.csr.der")

# --- verify: good ---
out=$("$ENTCA" -c "$DEMO_CONF" verify "$D/a1.pem")
t_eq "verify_good: exit 0" 0 "$?"
t_match "verify_good: chains to CA certificate 0" "chain +ok +signed by CA certificate 0, the current one" "$out"
t_match "verify_good: the template by name from the extension" "template +ok +PKCSIntune \($TOID" "$out"
t_match "verify_good: issued in the store" "store +ok +issued" "$out"
t_match "verify_good: not on the full CRL in service" "CRL +ok +not listed on full CRL" "$out"
t_match "verify_good: valid now" "validity +ok .*valid now" "$out"
t_match "verify_good: GOOD" "Verdict: GOOD" "$out"
t_eq "verify_good --json: good" "True" "$("$ENTCA" -c "$DEMO_CONF" verify "$D/a1.pem" --json | json 'd["good"]')"

# --- verify: revoked, first in the store, then on the CRL ---
S2=$(enroll a2 "CN=alice,O=Demo")
"$ENTCA" -c "$DEMO_CONF" revoke "$S2" --reason keyCompromise >/dev/null 2>&1
out=$("$ENTCA" -c "$DEMO_CONF" verify "$D/a2.pem")
t_eq "verify_revoked: exit 1" 1 "$?"
t_match "verify_revoked: the store says revoked with its reason" "store +BAD REVOKED since .*keyCompromise" "$out"
t_match "verify_revoked: NOT GOOD" "Verdict: NOT GOOD" "$out"
"$ENTCA" -c "$DEMO_CONF" crl publish >/dev/null 2>&1
out=$("$ENTCA" -c "$DEMO_CONF" verify "$D/a2.pem" --json)
t_eq "verify_revoked: listed on the new full CRL (JSON)" "keyCompromise" "$(printf '%s' "$out" | json 'd["crl_listed"]')"
t_eq "verify_revoked: the CRL number is the one openssl reads" \
    "$(($(openssl crl -inform DER -in "$STATE/crl/entca-demo.crl" -noout -crlnumber | sed 's/.*=//')))" \
    "$(printf '%s' "$out" | json 'd["crl_number"]')"

# --- verify: hold ---
S3=$(enroll a3 "CN=alice,O=Demo")
"$ENTCA" -c "$DEMO_CONF" revoke "$S3" --reason certificateHold >/dev/null 2>&1
out=$("$ENTCA" -c "$DEMO_CONF" verify "$D/a3.pem")
t_eq "verify_hold: exit 1" 1 "$?"
t_match "verify_hold: on hold" "store +BAD ON HOLD" "$out"

# --- verify: signed with the CA key but never issued (not in the store) ---
openssl req -new -newkey rsa:2048 -nodes -keyout "$D/rogue.key" -subj "/CN=rogue" -out "$D/rogue.csr" 2>/dev/null
openssl x509 -req -in "$D/rogue.csr" -CA "$STATE/ca.crt" -CAkey "$STATE/ca.key" -set_serial 0x7777 \
    -days 30 -out "$D/rogue.pem" 2>/dev/null
out=$("$ENTCA" -c "$DEMO_CONF" verify "$D/rogue.pem")
t_eq "verify_unknown: exit 1" 1 "$?"
t_match "verify_unknown: chains, but the store does not know it" "store +BAD unknown" "$out"

# --- verify: another CA's certificate ---
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/o.key" -subj "/CN=entca Demo Root CA/O=Demo/C=US" \
    -days 30 -out "$D/other.pem" 2>/dev/null
out=$("$ENTCA" -c "$DEMO_CONF" verify "$D/other.pem")
t_eq "verify_other_ca: exit 1" 1 "$?"
t_match "verify_other_ca: not signed by this CA, even with its name" "chain +BAD not signed by this CA" "$out"

# --- verify: expired (the clock through ENTCA_NOW) ---
out=$(ENTCA_NOW=$(( $(date +%s) + 40 * 365 * 86400 )) "$ENTCA" -c "$DEMO_CONF" verify "$D/a1.pem")
t_eq "verify_expired: exit 1" 1 "$?"
t_match "verify_expired: EXPIRED" "validity +BAD .*EXPIRED" "$out"

# --- dump a CRL against openssl ---
C=$STATE/crl/entca-demo.crl
out=$("$ENTCA" dump "$C")
t_eq "dump_crl: exit 0" 0 "$?"
t_eq "dump_crl: CRL number as openssl reads it" \
    "$(($(openssl crl -inform DER -in "$C" -noout -crlnumber | sed 's/.*=//')))" "$(field 'CRL Number')"
t_eq "dump_crl: entry count as openssl" \
    "$(openssl crl -inform DER -in "$C" -noout -text | grep -c 'Serial Number:')" "$(field 'Revoked Certificates')"
t_match "dump_crl: the revoked serial with its reason" "Serial Number: $S2
      Revocation Date: .*
      Reason: keyCompromise" "$out"
t_eq "dump_crl: issuer" \
    "$(openssl crl -inform DER -in "$C" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')" "$(field Issuer)"
out=$("$ENTCA" dump "$STATE/crl/entca-demo+.crl" 2>/dev/null)
t_match "dump_crl: a delta CRL says its base" "Kind: delta CRL of base [0-9]+" "$out"

# --- bad input ---
printf 'not a certificate\n' >"$D/junk"
out=$("$ENTCA" dump "$D/junk" 2>&1)
t_eq "dump_bad_input: exit 1" 1 "$?"
t_match "dump_bad_input: names the file and what it is not" "junk: neither a certificate, a certificate request nor a CRL" "$out"
t_done

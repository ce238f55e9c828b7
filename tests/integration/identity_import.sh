#!/bin/sh
# entca init --import (PKCS#12 from openssl and certtool, as AD CS backups)
# and --import-key/--import-cert: the imported CA signs through the signer
# and openssl verifies; wrong passwords and wrong files are refused with a
# clear reason and nothing written.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/common.sh"

TOOL=${ENTCA_IDENTITY_TOOL:-$top_builddir/tests/unit/ca/identity/test_identity_tool}
[ -x "$TOOL" ] || t_skip_all "no $TOOL"
D=$T_TMP
unset ENTCA_P12_PASSWORD ENTCA_KEY_PASSWORD

# An existing CA made by openssl: a root and an issuing CA under it.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/root.key" \
    -out "$D/root.crt" -days 30 -subj "/CN=Old Root/O=Contoso" \
    -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$D/iss.key" -out "$D/iss.csr" -subj "/CN=Old Issuing CA" 2>/dev/null
printf '[v]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' > "$D/v.cnf"
openssl x509 -req -in "$D/iss.csr" -CA "$D/root.crt" -CAkey "$D/root.key" \
    -CAcreateserial -days 20 -extfile "$D/v.cnf" -extensions v \
    -out "$D/iss.crt" 2>/dev/null
printf 'Pa55 word\n' > "$D/pw"
printf 'nope\n' > "$D/badpw"

# state_empty DIR: true when DIR holds no CA file.
state_empty() { [ -z "$(ls "$1" 2>/dev/null)" ]; }

# check_imported NAME STATE CERT: the state serves CERT and can sign.
check_imported() {
	"$TOOL" ca-cert --state "$2" --pem "$D/$1.out.pem" >/dev/null 2>&1
	t_eq "$1: ca-cert gives the imported certificate" \
	    "$(openssl x509 -in "$3" -noout -fingerprint -sha256)" \
	    "$(openssl x509 -in "$D/$1.out.pem" -noout -fingerprint -sha256)"
	t_eq "$1: ca.key is 0600" "600" "$(stat -c %a "$2/ca.key")"
	t_run "$1: signs through the signer" "$TOOL" signer-issue "$2" "$D/$1.leaf.pem"
	t_run "$1: openssl verifies the new certificate" openssl verify \
	    -CAfile "$D/root.crt" -untrusted "$3" "$D/$1.leaf.pem"
}

# PKCS#12 made by openssl 3 (AES-256, PBKDF2, SHA-256 MAC), with the chain.
openssl pkcs12 -export -inkey "$D/iss.key" -in "$D/iss.crt" \
    -certfile "$D/root.crt" -name "Old Issuing CA" \
    -passout file:"$D/pw" -out "$D/iss.p12"
out=$("$TOOL" init --state "$D/w" --import "$D/iss.p12" --password-file "$D/badpw" 2>&1)
t_ok $(( $? == 0 )) "p12 wrong password: refused"
t_match "p12 wrong password: clear reason" "PKCS#12 file: wrong password" "$out"
t_ok $(state_empty "$D/w"; echo $?) "p12 wrong password: nothing written"
out=$("$TOOL" init --state "$D/w" --import "$D/iss.p12" 2>&1)
t_ok $(( $? == 0 )) "p12 without a password: refused"
t_ok $(state_empty "$D/w"; echo $?) "p12 without a password: nothing written"
t_run "import openssl p12" "$TOOL" init --state "$D/osl" --import "$D/iss.p12" \
    --password-file "$D/pw"
check_imported osl "$D/osl" "$D/iss.crt"
t_run "p12 chain kept in ca-chain.pem" sh -c \
    "openssl x509 -in '$D/osl/ca-chain.pem' -noout -subject | grep -q 'Old Root'"
t_run "TLS certificate chains to the old root" openssl verify \
    -CAfile "$D/root.crt" -untrusted "$D/iss.crt" "$D/osl/tls.crt"
out=$("$TOOL" init --state "$D/osl" --import "$D/iss.p12" --password-file "$D/pw" 2>&1)
t_ok $(( $? == 0 )) "import over an existing CA: refused"

# Legacy PKCS#12 (3DES / RC2, SHA-1 MAC), what older AD CS backups look like.
if openssl pkcs12 -export -legacy -inkey "$D/root.key" -in "$D/root.crt" \
    -passout file:"$D/pw" -out "$D/legacy.p12" 2>/dev/null; then
	t_run "import legacy p12 (env password)" env ENTCA_P12_PASSWORD='Pa55 word' \
	    "$TOOL" init --state "$D/leg" --import "$D/legacy.p12"
	check_imported legacy "$D/leg" "$D/root.crt"
fi

# PKCS#12 made by GnuTLS's certtool.
certtool --to-p12 --load-privkey "$D/root.key" --load-certificate "$D/root.crt" \
    --p12-name "Old Root" --password 'Pa55 word' --outder \
    --outfile "$D/ct.p12" >/dev/null 2>&1
t_run "certtool made a p12" test -s "$D/ct.p12"
t_run "import certtool p12" "$TOOL" init --state "$D/ct" --import "$D/ct.p12" \
    --password-file "$D/pw"
check_imported certtool "$D/ct" "$D/root.crt"
out=$("$TOOL" init --state "$D/ct2" --import "$D/ct.p12" --password-file "$D/badpw" 2>&1)
t_ok $(( $? == 0 )) "certtool p12 wrong password: refused"
t_match "certtool p12 wrong password: clear reason" "wrong password" "$out"
t_ok $(state_empty "$D/ct2"; echo $?) "certtool p12 wrong password: nothing written"

# Key + certificate files: PEM key with PEM cert, DER key with DER cert.
t_run "import PEM key + PEM cert" "$TOOL" init --state "$D/kc" \
    --import-key "$D/root.key" --import-cert "$D/root.crt"
check_imported kc "$D/kc" "$D/root.crt"
openssl pkey -in "$D/root.key" -outform DER -out "$D/root.key.der"
openssl x509 -in "$D/root.crt" -outform DER -out "$D/root.der"
t_run "import DER key + DER cert" "$TOOL" init --state "$D/kcd" \
    --import-key "$D/root.key.der" --import-cert "$D/root.der" --no-tls-cert
t_ok $([ ! -e "$D/kcd/tls.crt" ]; echo $?) "--no-tls-cert skips tls.crt"

# Encrypted PKCS#8 key; re-encrypted at rest with --key-password-file.
openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$D/iss.key" -passout file:"$D/pw" \
    -out "$D/iss.enc.key"
out=$("$TOOL" init --state "$D/e1" --import-key "$D/iss.enc.key" \
    --import-cert "$D/iss.crt" --password-file "$D/badpw" 2>&1)
t_ok $(( $? == 0 )) "encrypted key, wrong password: refused"
t_match "encrypted key, wrong password: clear reason" "wrong password" "$out"
t_ok $(state_empty "$D/e1"; echo $?) "encrypted key, wrong password: nothing written"
out=$("$TOOL" init --state "$D/e1" --import-key "$D/iss.enc.key" \
    --import-cert "$D/iss.crt" 2>&1)
t_match "encrypted key, no password: clear reason" "no password was given" "$out"
cat "$D/iss.crt" "$D/root.crt" > "$D/iss-bundle.pem"
t_run "import encrypted key + cert bundle" "$TOOL" init --state "$D/e1" \
    --import-key "$D/iss.enc.key" --import-cert "$D/iss-bundle.pem" \
    --password-file "$D/pw" --key-password-file "$D/pw"
t_match "stored key stays encrypted" "ENCRYPTED PRIVATE KEY" "$(head -1 "$D/e1/ca.key")"
check_imported enc "$D/e1" "$D/iss.crt"

# Wrong files.
out=$("$TOOL" init --state "$D/m" --import-key "$D/iss.key" --import-cert "$D/root.crt" 2>&1)
t_ok $(( $? == 0 )) "key of another certificate: refused"
t_match "key of another certificate: clear reason" "does not belong" "$out"
t_ok $(state_empty "$D/m"; echo $?) "key of another certificate: nothing written"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$D/leaf.key" -out "$D/leaf.crt" -days 5 -subj "/CN=not a ca" \
    -addext basicConstraints=critical,CA:FALSE 2>/dev/null
out=$("$TOOL" init --state "$D/m" --import-key "$D/leaf.key" --import-cert "$D/leaf.crt" 2>&1)
t_ok $(( $? == 0 )) "non-CA certificate: refused"
t_match "non-CA certificate: clear reason" "not a CA certificate" "$out"
out=$("$TOOL" init --state "$D/m" --import "$D/root.crt" --password-file "$D/pw" 2>&1)
t_match "not a PKCS#12 file: clear reason" "not a PKCS#12" "$out"
out=$("$TOOL" init --state "$D/m" --import "$D/missing.p12" 2>&1)
t_match "missing PKCS#12 file: clear reason" "missing.p12: No such file" "$out"
t_ok $(state_empty "$D/m"; echo $?) "refusals wrote nothing"

t_done

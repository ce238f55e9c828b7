#!/bin/sh
# The CA key in a PKCS#11 token (SoftHSM2 in a private folder): entca init
# generates the key in the token (or reuses an existing object), the key
# never appears in the state folder, and the signer process signs with it
# (also after dropping to nobody); openssl verifies. Wrong PINs are refused.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/common.sh"

TOOL=${ENTCA_IDENTITY_TOOL:-$top_builddir/tests/unit/ca/identity/test_identity_tool}
MOD=$SOFTHSM_MODULE
[ -x "$TOOL" ] || t_skip_all "no $TOOL"
softhsm_available || t_skip_all "SoftHSM2 (module $MOD, softhsm2-util) not installed"
D=$T_TMP
unset ENTCA_PKCS11_MODULE ENTCA_PKCS11_PIN

softhsm_token "$D"
t_ok $? "SoftHSM2 token initialised"

# init_p11 STATE OBJECT KEYTYPE [PIN]
init_p11() {
	"$TOOL" init --state "$1" --key-type "$3" --subject "CN=HSM CA $2" \
	    --pkcs11 "pkcs11:token=entca;object=$2?pin-value=${4:-1234}" \
	    --pkcs11-module "$MOD"
}

# ca.json never holds the PIN (issue 19 item 3): every signer gets it from
# ENTCA_PKCS11_PIN or a PIN file.
export ENTCA_PKCS11_PIN=1234
for kt in p256 p384 rsa2048; do
	S=$D/s-$kt
	t_run "$kt: init generates the key in the token" init_p11 "$S" "ca-$kt" "$kt"
	t_ok $([ ! -e "$S/ca.key" ]; echo $?) "$kt: no key file in the state folder"
	t_match "$kt: ca.json names the token key" '"type": "pkcs11"' "$(cat "$S/ca.json")"
	t_eq "pkcs11_pin_not_stored: $kt: no PIN in ca.json" 0 "$(grep -c 'pin-value\|1234' "$S/ca.json")"
	txt=$(openssl x509 -in "$S/ca.crt" -noout -text)
	t_match "$kt: openssl sees a CA" "CA:TRUE" "$txt"
	t_run "$kt: TLS cert signed by the token key" \
	    openssl verify -CAfile "$S/ca.crt" "$S/tls.crt"
	t_run "$kt: signer signs with the token key" \
	    "$TOOL" signer-issue "$S" "$D/$kt-leaf.pem"
	t_run "$kt: openssl verifies it" \
	    openssl verify -CAfile "$S/ca.crt" "$D/$kt-leaf.pem"
done
sig=$(openssl x509 -in "$D/s-p384/ca.crt" -noout -text | grep -m1 "Signature Algorithm")
t_match "P-384 token key signs with SHA-384" "ecdsa-with-SHA384" "$sig"
t_match "signer reports the P-384 size" "bits=384" \
    "$("$TOOL" signer-issue "$D/s-p384" "$D/x.pem")"

# The private key is in the token, marked sensitive.
objs=$(p11tool --provider "$MOD" --login --list-privkeys \
    "pkcs11:token=entca?pin-value=1234" 2>/dev/null)
t_match "token holds the private keys" "ca-p256" "$objs"
t_match "private keys are sensitive" "CKA_SENSITIVE" "$objs"

# An existing token object is reused, not replaced.
t_run "init reuses an existing object" init_p11 "$D/again" ca-p256 p256
t_eq "same public key as the first CA" \
    "$(openssl x509 -in "$D/s-p256/ca.crt" -noout -pubkey)" \
    "$(openssl x509 -in "$D/again/ca.crt" -noout -pubkey)"

# A subordinate CA whose key is in the token, signed by an openssl parent.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$D/p.key" -out "$D/p.crt" -days 30 -subj "/CN=Parent" \
    -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
printf '[v]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' > "$D/v.cnf"
t_run "subordinate with a token key: CSR" "$TOOL" init --state "$D/sub" \
    --subordinate --key-type p256 --subject "CN=HSM Issuing CA" \
    --pkcs11 "pkcs11:token=entca;object=ca-sub?pin-value=1234" --pkcs11-module "$MOD"
t_run "token CSR verifies" openssl req -in "$D/sub/ca.csr" -noout -verify
openssl x509 -req -in "$D/sub/ca.csr" -CA "$D/p.crt" -CAkey "$D/p.key" \
    -CAcreateserial -days 20 -extfile "$D/v.cnf" -extensions v \
    -out "$D/sub.crt" 2>/dev/null
t_run "install-cert matches the token key" "$TOOL" install-cert \
    --state "$D/sub" --chain "$D/p.crt" "$D/sub.crt"
t_run "token subordinate signs through the signer" \
    "$TOOL" signer-issue "$D/sub" "$D/sub-leaf.pem"
t_run "openssl verifies leaf -> token sub -> parent" openssl verify \
    -CAfile "$D/p.crt" -untrusted "$D/sub/ca.crt" "$D/sub-leaf.pem"

# Module named by the environment instead of --pkcs11-module.
t_run "ENTCA_PKCS11_MODULE works too" env ENTCA_PKCS11_MODULE="$MOD" \
    "$TOOL" init --state "$D/env" --key-type p256 --no-tls-cert \
    --pkcs11 "pkcs11:token=entca;object=ca-env?pin-value=1234"

# Wrong PIN: init refuses and writes nothing; a signer with a wrong PIN too.
out=$(init_p11 "$D/badpin" ca-bad p256 9999 2>&1)
t_ok $(( $? == 0 )) "wrong PIN: init refused"
t_match "wrong PIN: clear reason" "PIN" "$out"
t_eq "wrong PIN: nothing written" "" "$(ls "$D/badpin" 2>/dev/null)"
cp -r "$D/s-p256" "$D/pinbad"
out=$(ENTCA_PKCS11_PIN=9999 "$TOOL" signer-issue "$D/pinbad" "$D/y.pem" 2>&1)
t_ok $(( $? == 0 )) "wrong PIN in ca.json: signer refuses to start"
t_match "wrong PIN in ca.json: clear reason" "PIN" "$out"
out=$("$TOOL" init --state "$D/nomod" --key-type p256 --pkcs11-module /nonexistent.so \
    --pkcs11 "pkcs11:token=entca;object=x?pin-value=1234" 2>&1)
t_match "missing module: clear reason" "PKCS#11 module /nonexistent.so" "$out"

# PINs without pin-value in the URI: from the environment or a PIN file,
# for creating the key too (this failed with "Error in provided PIN").
t_run "pkcs11_pin_from_env_creates_key" "$TOOL" init --state "$D/pin-env" \
    --key-type p256 --no-tls-cert --pkcs11 "pkcs11:token=entca;object=ca-pin-env" \
    --pkcs11-module "$MOD"
(umask 077; printf '1234\n' >"$D/pin")
t_run "pkcs11_pin_from_file_creates_key" env -u ENTCA_PKCS11_PIN "$TOOL" init \
    --state "$D/pin-file" --key-type p256 --no-tls-cert --pin-file "$D/pin" \
    --pkcs11 "pkcs11:token=entca;object=ca-pin-file" --pkcs11-module "$MOD"
t_match "the PIN file's key is in the token" "ca-pin-file" \
    "$(p11tool --provider "$MOD" --login --list-privkeys "pkcs11:token=entca?pin-value=1234" 2>/dev/null)"
t_eq "pkcs11_pin_not_stored: PIN-file CA" 0 "$(grep -c '1234' "$D/pin-file/ca.json")"
out=$(env -u ENTCA_PKCS11_PIN "$TOOL" init --state "$D/pin-none" --key-type p256 \
    --no-tls-cert --pkcs11 "pkcs11:token=entca;object=ca-pin-none" --pkcs11-module "$MOD" 2>&1)
t_match "no PIN at all: clear reason" "PIN" "$out"
t_match "entca init --help documents the PIN sources" 'ENTCA_PKCS11_PIN' \
    "$("$TOOL" init --help 2>&1)"

# Dropping to nobody: SoftHSM reads its files per operation, so its token
# storage must belong to the signer's user; so must the state folder,
# since every signer (the first and each restart) opens it as that user.
if [ "$(id -u)" = 0 ]; then
	chmod 711 "$D"
	chown -R nobody "$D/tokens" "$D/s-p256"
	out=$("$TOOL" signer-issue "$D/s-p256" "$D/nb.pem" nobody 2>&1)
	t_ok $? "signer as nobody signs with the token key"
	t_match "signer runs as nobody" "uid=65534" "$out"
	t_run "openssl verifies the nobody-signed certificate" \
	    openssl verify -CAfile "$D/s-p256/ca.crt" "$D/nb.pem"
fi

t_done

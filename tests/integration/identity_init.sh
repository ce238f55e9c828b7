#!/bin/sh
# entca init / ca-cert / install-cert end to end, checked with openssl:
# root CAs (RSA, P-256, P-384), refusal to overwrite, DER and PEM export,
# a subordinate signed by an openssl-made parent, refused certificates,
# an encrypted key, signing through the signer process, and bad input.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/common.sh"

TOOL=${ENTCA_IDENTITY_TOOL:-$top_builddir/tests/unit/ca/identity/test_identity_tool}
[ -x "$TOOL" ] || t_skip_all "no $TOOL"
D=$T_TMP

for kt in rsa2048 p256 p384; do
	S=$D/root-$kt
	t_run "init root $kt" "$TOOL" init --state "$S" --key-type "$kt" \
	    --days 30 --subject "CN=Demo Root CA $kt,O=Demo,C=US" \
	    --tls-name ca.example.net --tls-name 192.0.2.7
	t_run "ca-cert $kt writes DER" "$TOOL" ca-cert --state "$S" "$D/$kt.cer"
	txt=$(openssl x509 -inform DER -in "$D/$kt.cer" -noout -text 2>&1)
	t_match "$kt: openssl reads the DER as a CA" "CA:TRUE" "$txt"
	t_match "$kt: key usage" "Digital Signature, Certificate Sign, CRL Sign" "$txt"
	t_match "$kt: subject" "CN ?= ?Demo Root CA $kt" "$txt"
	t_match "$kt: SKI present" "Subject Key Identifier" "$txt"
	t_eq "$kt: ca.key is 0600" "600" "$(stat -c %a "$S/ca.key")"
	t_run "$kt: TLS cert verifies under the CA" \
	    openssl verify -CAfile "$S/ca.crt" "$S/tls.crt"
	san=$(openssl x509 -in "$S/tls.crt" -noout -ext subjectAltName 2>&1)
	t_match "$kt: TLS SAN" "DNS:localhost, IP Address:127.0.0.1, DNS:ca.example.net, IP Address:192.0.2.7" "$san"
	# The signer's account opens the key itself (the first start too),
	# so as root it gets what entcad hands to [ca] signer-user.
	[ "$(id -u)" = 0 ] && chown nobody "$S" "$S/ca.key" "$S/ca.json"
	out=$("$TOOL" signer-issue "$S" "$D/$kt-leaf.pem" nobody 2>&1)
	t_ok $? "$kt: certificate issued through the signer process"
	t_run "$kt: openssl verifies the signer's certificate" \
	    openssl verify -CAfile "$S/ca.crt" "$D/$kt-leaf.pem"
done
sig=$(openssl x509 -in "$D/root-p384/ca.crt" -noout -text | grep -m1 "Signature Algorithm")
t_match "P-384 root is signed with SHA-384" "ecdsa-with-SHA384" "$sig"

# Re-init is refused and nothing changes.
S=$D/root-p256
before=$(cat "$S"/* | sha256sum)
out=$("$TOOL" init --state "$S" --key-type p256 2>&1)
t_ok $(( $? == 0 )) "re-init refused (non-zero exit)"
t_match "re-init names the reason" "already holds a CA" "$out"
t_eq "re-init changed nothing" "$before" "$(cat "$S"/* | sha256sum)"

# PEM export, and stdout.
t_run "ca-cert --pem" "$TOOL" ca-cert --state "$S" --pem "$D/ca.pem"
t_run "PEM export equals ca.crt" cmp "$D/ca.pem" "$S/ca.crt"
"$TOOL" ca-cert --state "$S" - > "$D/stdout.cer"
t_run "ca-cert - writes DER to stdout" cmp "$D/stdout.cer" "$D/p256.cer"

"$TOOL" ca-cert "$D/late.pem" --pem --state "$S" >/dev/null 2>&1
t_run "ca-cert takes options after FILE" cmp "$D/late.pem" "$S/ca.crt"
"$TOOL" init --state "$D/u" --key-type dsa >/dev/null 2>&1
t_eq "unknown key type: usage error (exit 2)" 2 $?
"$TOOL" install-cert --state "$S" "$D/ca.pem" >/dev/null 2>&1
t_eq "install-cert without --chain: usage error (exit 2)" 2 $?

# An encrypted CA key: the signer needs the password file named in ca.json.
printf 'k3y-pass\n' > "$D/kpw"
t_run "init with --key-password-file" "$TOOL" init --state "$D/enc" \
    --key-type p256 --key-password-file "$D/kpw" --no-tls-cert
t_match "ca.key is encrypted PKCS#8" "ENCRYPTED PRIVATE KEY" "$(head -1 "$D/enc/ca.key")"
t_run "openssl decrypts ca.key with the password" \
    openssl pkey -in "$D/enc/ca.key" -passin file:"$D/kpw" -noout
t_run "signer opens the encrypted key" "$TOOL" signer-issue "$D/enc" "$D/enc.pem"
printf 'wrong\n' > "$D/kpw"
out=$("$TOOL" signer-issue "$D/enc" "$D/enc2.pem" 2>&1)
t_ok $(( $? == 0 )) "wrong key password: signer refuses to start"
t_match "wrong key password: clear reason" "wrong password" "$out"
out=$(ENTCA_KEY_PASSWORD=k3y-pass "$TOOL" signer-issue "$D/enc" "$D/enc3.pem" 2>&1)
t_ok $? "ENTCA_KEY_PASSWORD overrides the password file"

# Missing key.
mv "$D/root-rsa2048/ca.key" "$D/rsa.key.away"
out=$("$TOOL" signer-issue "$D/root-rsa2048" "$D/x.pem" 2>&1)
t_ok $(( $? == 0 )) "missing key: signer refuses to start"
t_match "missing key: names the file" "ca.key: No such file" "$out"
mv "$D/rsa.key.away" "$D/root-rsa2048/ca.key"

# Unreadable / unwritable state folders (as an unprivileged user: root
# ignores permissions).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 711 "$D"
	NB="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	out=$($NB "$TOOL" ca-cert --state "$D/root-p256" "$D/nb.cer" 2>&1)
	t_ok $(( $? == 0 )) "unreadable state folder: ca-cert fails"
	t_match "unreadable state folder: clear reason" "Permission denied" "$out"
	mkdir "$D/ro" && chmod 555 "$D/ro"
	out=$($NB "$TOOL" init --state "$D/ro" --key-type p256 2>&1)
	t_ok $(( $? == 0 )) "unwritable state folder: init fails"
	t_match "unwritable state folder: clear reason" "state folder .*ro: Permission denied" "$out"
	t_eq "unwritable state folder: nothing written" "" "$(ls "$D/ro")"
fi
out=$("$TOOL" ca-cert --state "$D/none" "$D/n.cer" 2>&1)
t_ok $(( $? == 0 )) "no CA: ca-cert fails"
t_match "no CA: clear reason" "No such file|holds no CA" "$out"

# Subordinate CA signed by an openssl-made parent.
P=$D/parent
mkdir "$P"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$P/p.key" -out "$P/p.crt" -days 30 -subj "/CN=OpenSSL Parent" \
    -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
cat > "$P/ext.cnf" <<'EOF'
[sub]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf]
basicConstraints = critical, CA:FALSE
EOF
S=$D/sub
t_run "init --subordinate" "$TOOL" init --state "$S" --subordinate \
    --key-type rsa2048 --subject "CN=Demo Issuing CA,O=Demo"
t_run "CSR written and valid" openssl req -in "$S/ca.csr" -noout -verify
t_ok $([ ! -e "$S/ca.crt" ]; echo $?) "no ca.crt before install-cert"
out=$("$TOOL" ca-cert --state "$S" "$D/s.cer" 2>&1)
t_match "pending CA: ca-cert says why" "waiting for its certificate" "$out"
# parent_sign CSR SECTION OUT: the parent signs CSR with the extensions of
# SECTION in ext.cnf (sub: a CA, leaf: not one).
parent_sign() {
	openssl x509 -req -in "$1" -CA "$P/p.crt" -CAkey "$P/p.key" \
	    -CAcreateserial -days 20 -extfile "$P/ext.cnf" -extensions "$2" -out "$3" 2>/dev/null
}
# t_install_refused WHAT SAYS REASON CHAIN CERT: install-cert refuses CERT
# (checked as "WHAT is refused") and its message matches REASON ("says
# SAYS").
t_install_refused() {
	out=$("$TOOL" install-cert --state "$S" --chain "$4" "$5" 2>&1)
	t_ok $(( $? == 0 )) "install-cert: $1 is refused"
	t_match "install-cert: says $2" "$3" "$out"
}
parent_sign "$S/ca.csr" sub "$P/sub.crt"

# A certificate for another key (parent's own leaf) is refused.
openssl req -new -newkey rsa:2048 -nodes -keyout "$P/o.key" -subj "/CN=Other" \
    -out "$P/o.csr" 2>/dev/null
parent_sign "$P/o.csr" sub "$P/other.crt"
t_install_refused "a certificate for another key" "the key differs" "public key differs" "$P/p.crt" "$P/other.crt"

# A certificate that does not chain to --chain is refused.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$P/x.key" -out "$P/x.crt" -days 30 -subj "/CN=Stranger" \
    -addext basicConstraints=critical,CA:TRUE 2>/dev/null
t_install_refused "a certificate not chaining to --chain" "it does not verify" "does not verify" "$P/x.crt" "$P/sub.crt"

# A non-CA certificate for the right key is refused.
parent_sign "$S/ca.csr" leaf "$P/leaf.crt"
t_install_refused "a non-CA certificate" "not a CA" "not a CA certificate" "$P/p.crt" "$P/leaf.crt"
t_ok $([ ! -e "$S/ca.crt" ]; echo $?) "refusals wrote no ca.crt"

t_run "install-cert with the parent's chain" "$TOOL" install-cert \
    --state "$S" --chain "$P/p.crt" "$P/sub.crt"
t_run "installed ca.crt equals the parent-signed one" \
    openssl x509 -in "$S/ca.crt" -noout -checkend 0
t_eq "installed certificate is the one we gave" \
    "$(openssl x509 -in "$P/sub.crt" -noout -fingerprint)" \
    "$(openssl x509 -in "$S/ca.crt" -noout -fingerprint)"
openssl x509 -in "$S/ca-chain.pem" -out "$D/chain1.pem"
openssl x509 -in "$P/p.crt" -out "$D/chain2.pem"
t_run "chain saved" cmp "$D/chain1.pem" "$D/chain2.pem"
t_run "sub TLS cert verifies through the chain" \
    openssl verify -CAfile "$P/p.crt" -untrusted "$S/ca.crt" "$S/tls.crt"
t_match "ca.json says ready" '"state": "ready"' "$(cat "$S/ca.json")"
out=$("$TOOL" install-cert --state "$S" --chain "$P/p.crt" "$P/sub.crt" 2>&1)
t_ok $(( $? == 0 )) "install-cert twice is refused"
t_run "subordinate signs through the signer" "$TOOL" signer-issue "$S" "$D/sub-leaf.pem"
t_run "openssl verifies leaf -> sub -> openssl parent" \
    openssl verify -CAfile "$P/p.crt" -untrusted "$S/ca.crt" "$D/sub-leaf.pem"

t_done

#!/bin/sh
# crl_encode.sh: CRLs built by crl/ (through tests/unit/crl/crl_tool) checked by
# independent readers: `openssl crl -CAfile` verifies the signature (RSA,
# RSA-PSS, ECDSA, external ext4 key), Python cryptography parses entries,
# serials, reasons, invalidity dates, CRL number, delta CRL indicator, AKI
# and freshest CRL, and `openssl verify -crl_check` rejects a revoked
# certificate and accepts a good one. CA keys and certificates are made
# with openssl and certtool.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/common.sh"

TOOL=$top_builddir/tests/unit/crl/crl_tool
[ -x "$TOOL" ] || t_skip_all "crl_tool not built"
command -v openssl >/dev/null || t_skip_all "openssl missing"
command -v certtool >/dev/null || t_skip_all "certtool missing"
$PY -c 'import cryptography' 2>/dev/null || t_skip_all "python3-cryptography missing"
cd "$T_TMP" || exit 1
NOW=$(date +%s)

# --- CAs: RSA-2048 with openssl, ECDSA P-256 with certtool ------------------
cat >ca.cnf <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
DC = org
DC = example
O = entca test
CN = entca RSA Test CA
[v3_ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_leaf]
basicConstraints = CA:false
keyUsage = digitalSignature
authorityKeyIdentifier = keyid
CNF
t_run "openssl makes an RSA CA" openssl req -x509 -newkey rsa:2048 -nodes \
	-keyout rsa.key -out rsa.pem -days 30 -config ca.cnf -extensions v3_ca

certtool --generate-privkey --key-type ecdsa --curve secp256r1 \
	--outfile ec.key >/dev/null 2>&1
cat >ec.tmpl <<'TMPL'
cn = "entca EC Test CA"
organization = "entca test"
expiration_days = 30
ca
cert_signing_key
crl_signing_key
TMPL
t_run "certtool makes an ECDSA CA" certtool --generate-self-signed \
	--load-privkey ec.key --template ec.tmpl --outfile ec.pem

# Two leaves from the RSA CA: one to revoke (serial with the top bit set),
# one that stays good.
mkleaf() {
	openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" \
		-subj "/CN=$1" 2>/dev/null &&
	openssl x509 -req -in "$1.csr" -CA rsa.pem -CAkey rsa.key \
		-set_serial "0x$2" -days 10 -out "$1.pem" \
		-extfile ca.cnf -extensions v3_leaf 2>/dev/null
}
t_run "leaf to revoke issued" mkleaf bad 8f00aa55deadbeef01
t_run "leaf to keep issued" mkleaf good 7e00aa55deadbeef02

# --- a full RSA CRL ------------------------------------------------------------
# serial, revoked-at, reason, invalidity date
cat >full.txt <<TXT
# the revoked leaf, reason keyCompromise, with an invalidity date
8f00aa55deadbeef01 $((NOW - 3600)) keyCompromise $((NOW - 86400))
# unspecified: no reasonCode extension
0000000102 $((NOW - 100)) unspecified
# 20-octet serial with the top bit set
c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4 $((NOW - 50)) superseded
0a $((NOW - 10)) certificateHold
TXT
t_run "crl_tool builds a full RSA CRL" "$TOOL" --key rsa.key --ca rsa.pem \
	--entries full.txt --number 12 --out full.der \
	--next-publish 1800000000 \
	--freshest http://pki.example.org/crl/ca+.crl \
	--freshest "ldap:///CN=ca,CN=CDP?deltaRevocationList?base"
out=$(openssl crl -inform DER -in full.der -CAfile rsa.pem -noout 2>&1)
t_match "openssl verifies the full RSA CRL" '^verify OK' "$out"

cat >check.py <<'PYEOF'
import sys, datetime, json
from cryptography import x509
from cryptography.x509.oid import ExtensionOID

crl = x509.load_der_x509_crl(open(sys.argv[1], "rb").read())
ca = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
want = json.loads(sys.argv[3])
errors = []

def ts(dt):
    # Debian 12's cryptography (38) gives naive UTC datetimes.
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return int(dt.timestamp())

def check(name, got, exp):
    if got != exp:
        errors.append("%s: got %r, want %r" % (name, got, exp))

check("signature valid", crl.is_signature_valid(ca.public_key()), True)
check("issuer", crl.issuer.public_bytes(), ca.subject.public_bytes())
ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
check("aki", crl.extensions.get_extension_for_class(
    x509.AuthorityKeyIdentifier).value.key_identifier, ski)
check("crl number", crl.extensions.get_extension_for_class(
    x509.CRLNumber).value.crl_number, want["number"])
try:
    d = crl.extensions.get_extension_for_class(x509.DeltaCRLIndicator)
    check("delta critical", d.critical, True)
    check("delta base", d.value.crl_number, want.get("base"))
except x509.ExtensionNotFound:
    check("delta base", None, want.get("base"))
try:
    f = crl.extensions.get_extension_for_class(x509.FreshestCRL)
    urls = [n.value for dp in f.value for n in dp.full_name]
    check("freshest critical", f.critical, False)
    check("freshest", urls, want.get("freshest", []))
except x509.ExtensionNotFound:
    check("freshest", [], want.get("freshest", []))
np = [e for e in crl.extensions if e.oid.dotted_string == "1.3.6.1.4.1.311.21.4"]
if "next_publish" in want:
    check("next publish present", len(np), 1)
    if np:
        check("next publish critical", np[0].critical, False)
        check("next publish value", np[0].value.value.hex(), want["next_publish"])
else:
    check("next publish present", len(np), 0)
if "this" in want:
    check("thisUpdate", ts(crl.last_update), want["this"])
    check("nextUpdate", ts(crl.next_update), want["next"])
got = []
for r in crl:
    e = {"serial": "%x" % r.serial_number,
         "at": ts(r.revocation_date)}
    try:
        e["reason"] = r.extensions.get_extension_for_class(x509.CRLReason).value.reason.value
    except x509.ExtensionNotFound:
        pass
    try:
        e["inval"] = ts(r.extensions.get_extension_for_class(
            x509.InvalidityDate).value.invalidity_date)
    except x509.ExtensionNotFound:
        pass
    got.append(e)
if "count" in want:
    check("entry count", len(got), want["count"])
if "entries" in want:
    check("entries", got, want["entries"])
for e in errors:
    print("# " + e)
sys.exit(1 if errors else 0)
PYEOF

want=$(cat <<JSON
{"number": 12, "next_publish": "170d3237303131353038303030305a",
 "freshest": ["http://pki.example.org/crl/ca+.crl", "ldap:///CN=ca,CN=CDP?deltaRevocationList?base"],
 "entries": [
  {"serial": "8f00aa55deadbeef01", "at": $((NOW - 3600)), "reason": "keyCompromise", "inval": $((NOW - 86400))},
  {"serial": "102", "at": $((NOW - 100))},
  {"serial": "c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4", "at": $((NOW - 50)), "reason": "superseded"},
  {"serial": "a", "at": $((NOW - 10)), "reason": "certificateHold"}]}
JSON
)
t_run "python parses the full CRL: entries, reasons, dates, number, AKI, freshest" \
	$PY check.py full.der rsa.pem "$want"

openssl crl -inform DER -in full.der -out full.crl.pem
out=$(openssl verify -crl_check -CAfile rsa.pem -CRLfile full.crl.pem bad.pem 2>&1)
t_match "openssl verify -crl_check rejects the revoked leaf" 'certificate revoked' "$out"
t_run "openssl verify -crl_check accepts the good leaf" \
	openssl verify -crl_check -CAfile rsa.pem -CRLfile full.crl.pem good.pem

# --- times across 2050, RSA-PSS with SHA-384 ---------------------------------
echo "0102 2524607999 affiliationChanged 2524608000" >far.txt
t_run "crl_tool builds an RSA-PSS SHA-384 CRL with 2049/2051 times" \
	"$TOOL" --key rsa.key --ca rsa.pem --entries far.txt --number 13 \
	--pss --hash sha384 --this 2524607999 --next 2556144000 --out far.der
out=$(openssl crl -inform DER -in far.der -CAfile rsa.pem -noout -text 2>&1)
t_match "openssl verifies the RSA-PSS CRL" 'verify OK' "$out"
t_match "the PSS CRL names rsassaPss with SHA-384" 'rsassaPss.*' "$out"
t_run "python reads UTCTime 2049 and GeneralizedTime 2051" $PY check.py far.der rsa.pem \
	'{"number": 13, "this": 2524607999, "next": 2556144000, "entries": [{"serial": "102", "at": 2524607999, "reason": "affiliationChanged", "inval": 2524608000}]}'
t_run "openssl sees GeneralizedTime for nextUpdate" sh -c \
	"openssl asn1parse -inform DER -in far.der | grep -q 'GENERALIZEDTIME   :20510101000000Z'"

# --- a key restricted to RSA-PSS, made by certtool ---------------------------
certtool --generate-privkey --key-type rsa-pss --bits 2048 \
	--outfile pss.key >/dev/null 2>&1
sed 's/EC Test CA/PSS Test CA/' ec.tmpl >pss.tmpl
t_run "certtool makes an RSA-PSS CA" certtool --generate-self-signed \
	--load-privkey pss.key --template pss.tmpl --outfile pss.pem
t_run "crl_tool builds a CRL with the RSA-PSS key" "$TOOL" --key pss.key \
	--ca pss.pem --entries full.txt --number 14 --out pss.der
out=$(openssl crl -inform DER -in pss.der -CAfile pss.pem -noout -text 2>&1)
t_match "openssl verifies the RSA-PSS-key CRL" 'verify OK' "$out"
t_match "the RSA-PSS-key CRL names rsassaPss" 'Signature Algorithm: rsassaPss' "$out"
t_run "python: RSA-PSS-key CRL signature and entries" $PY check.py pss.der \
	pss.pem '{"number": 14, "count": 4}'

# --- a delta ECDSA CRL ----------------------------------------------------------
cat >delta.txt <<TXT
0bad $((NOW - 20)) removeFromCRL
0c01 $((NOW - 30)) cessationOfOperation $((NOW - 7200))
TXT
t_run "crl_tool builds a delta ECDSA CRL" "$TOOL" --key ec.key --ca ec.pem \
	--entries delta.txt --number 21 --delta 20 --out delta.der
out=$(openssl crl -inform DER -in delta.der -CAfile ec.pem -noout 2>&1)
t_match "openssl verifies the delta ECDSA CRL" '^verify OK' "$out"
want=$(cat <<JSON
{"number": 21, "base": 20, "entries": [
  {"serial": "bad", "at": $((NOW - 20)), "reason": "removeFromCRL"},
  {"serial": "c01", "at": $((NOW - 30)), "reason": "cessationOfOperation", "inval": $((NOW - 7200))}]}
JSON
)
t_run "python: delta indicator critical with base 20, removeFromCRL" \
	$PY check.py delta.der ec.pem "$want"
t_fail "removeFromCRL is refused in a full CRL" "$TOOL" --key ec.key \
	--ca ec.pem --entries delta.txt --number 22 --out nope.der

# --- empty CRLs -------------------------------------------------------------------
t_run "crl_tool builds an empty ECDSA CRL" "$TOOL" --key ec.key --ca ec.pem \
	--number 5 --out empty.der
out=$(openssl crl -inform DER -in empty.der -CAfile ec.pem -noout -text 2>&1)
t_match "openssl verifies the empty CRL" 'verify OK' "$out"
t_match "openssl lists no revoked certificates" 'No Revoked Certificates' "$out"
t_run "python: empty CRL, number 5" $PY check.py empty.der ec.pem '{"number": 5, "count": 0}'

# --- signing through an external (ext4) key ------------------------------------------
for k in rsa ec; do
	t_run "crl_tool signs a $k CRL through an ext4 key" sh -c \
		"'$TOOL' --ext --key $k.key --ca $k.pem --entries full.txt --number 30 --out ext-$k.der 2>ext-$k.err"
	t_match "the $k ext key was asked to sign a digest only" \
		'sign_hash=1 sign_data=0 input=(32|51)$' "$(cat ext-$k.err)"
	out=$(openssl crl -inform DER -in ext-$k.der -CAfile $k.pem -noout 2>&1)
	t_match "openssl verifies the $k CRL signed by the ext key" '^verify OK' "$out"
done
openssl crl -inform DER -in ext-rsa.der -out ext-rsa.pem
out=$(openssl verify -crl_check -CAfile rsa.pem -CRLfile ext-rsa.pem bad.pem 2>&1)
t_match "the ext-key CRL revokes the leaf for openssl verify" 'certificate revoked' "$out"

# --- 100,000 entries -------------------------------------------------------------------
$PY - "$NOW" >big.txt <<'PYEOF'
import sys
now = int(sys.argv[1])
reasons = ["unspecified", "keyCompromise", "superseded", "cessationOfOperation"]
for i in range(1, 100001):
    print("%x%016x %d %s" % (0x40 + i % 64, i * 2654435761, now - i, reasons[i % 4]))
PYEOF
t_run "crl_tool builds a 100,000-entry CRL" "$TOOL" --key rsa.key --ca rsa.pem \
	--entries big.txt --number 40 --out big.der
out=$(openssl crl -inform DER -in big.der -CAfile rsa.pem -noout 2>&1)
t_match "openssl verifies the 100,000-entry CRL" '^verify OK' "$out"
t_run "python counts 100,000 entries" $PY check.py big.der rsa.pem '{"number": 40, "count": 100000}'

t_done

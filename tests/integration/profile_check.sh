#!/bin/sh
# profile_check.sh: certificates issued through policy_decide() and
# issue_build() read back by independent parsers. openssl makes the CSRs
# (multi-valued, escaped subject; UPN SAN; SID extension; a requested
# any-purpose EKU and non-repudiation), tests/integration/profile_issue
# issues them, and openssl x509/asn1parse/verify plus Python cryptography
# check every field: subject values and string types, SANs, EKU, key usage,
# SID extension bytes, template information, application policies, CDP,
# AIA, the validity clamp and the serial.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/common.sh"

BIN="$top_builddir/tests/integration/profile_issue"
[ -x "$BIN" ] || t_skip_all "profile_issue not built"
command -v openssl >/dev/null || t_skip_all "openssl missing"

SID=S-1-5-21-3623811015-3361044348-30300820-1106
SIDHEX=$($PY -c '
import sys
s = sys.argv[1].encode()
o = bytes.fromhex("060a2b060104018237190201")
v = b"\x04" + bytes([len(s)]) + s
v = b"\xa0" + bytes([len(v)]) + v
on = b"\xa0" + bytes([len(o) + len(v)]) + o + v
print((b"\x30" + bytes([len(on)]) + on).hex())' "$SID")

t_run "openssl makes the PKCS CSR (escaped multi-valued subject, SID)" \
	openssl req -new -newkey rsa:2048 -nodes -keyout "$T_TMP/pkcs.key" \
	-outform DER -out "$T_TMP/pkcs.csr" -multivalue-rdn \
	-subj '/C=US/O=Acme, Inc./CN=Test User (TESTCOMPANY, LLC)+OU=Sales\+Ops;x=y' \
	-addext 'subjectAltName=otherName:1.3.6.1.4.1.311.20.2.3;UTF8:alice@entca.test' \
	-addext "1.3.6.1.4.1.311.25.2=DER:$SIDHEX" \
	-addext 'extendedKeyUsage=anyExtendedKeyUsage' \
	-addext 'keyUsage=critical,digitalSignature,nonRepudiation'
# The User template is RSA-only; its subject and SANs come from the
# directory, so what the CSR says there is ignored.
t_run "openssl makes the User CSR" \
	openssl req -new -newkey rsa:2048 -nodes -keyout "$T_TMP/user.key" \
	-outform DER -out "$T_TMP/user.csr" -subj '/CN=whatever' -addext \
	'subjectAltName=otherName:1.3.6.1.4.1.311.20.2.3;UTF8:alice@entca.test'

TMPL="$top_srcdir/etc/templates/PKCSIntune.tmpl"
t_run "profile_issue decides and builds the certificates" "$BIN" "$T_TMP" "$TMPL"
t_run "openssl verify: file.pem (template read from PKCSIntune.tmpl)" \
	openssl verify -CAfile "$T_TMP/ca.pem" "$T_TMP/file.pem"
FILE_OID=$(sed -n 's/^oid *= *//p' "$TMPL")

t_run "openssl verify: pkcs.pem chains to the CA" \
	openssl verify -CAfile "$T_TMP/ca.pem" "$T_TMP/pkcs.pem"
t_run "openssl verify: user.pem chains to the CA" \
	openssl verify -CAfile "$T_TMP/ca.pem" "$T_TMP/user.pem"

TEXT=$(openssl x509 -in "$T_TMP/pkcs.pem" -noout -text 2>&1)
t_match "openssl x509 -text: UPN otherName" \
	'othername: UPN::alice@entca.test' "$TEXT"
t_match "openssl x509 -text: SID SAN URL" \
	"URI:tag:microsoft.com,2022-09-14:sid:$SID" "$TEXT"
t_match "openssl x509 -text: EKU from the template only" \
	'Microsoft Encrypted File System, E-mail Protection, TLS Web Client Authentication$' "$TEXT"
t_match "openssl x509 -text: key usage without non-repudiation" \
	'Digital Signature, Key Encipherment$' "$TEXT"
SUBJ=$(openssl x509 -in "$T_TMP/pkcs.pem" -noout -subject -nameopt RFC2253)
t_match "openssl subject keeps every escaped value" \
	'^subject=(CN=Test User \(TESTCOMPANY\\, LLC\)\+OU=Sales\\\+Ops\\;x=y|OU=Sales\\\+Ops\\;x=y\+CN=Test User \(TESTCOMPANY\\, LLC\)),O=Acme\\, Inc\.,C=US$' "$SUBJ"

# The SID extension's own DER through openssl asn1parse.
$PY - "$T_TMP/pkcs.pem" "$T_TMP/sid.der" <<'PYEOF'
import sys
from cryptography import x509
c = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
e = c.extensions.get_extension_for_oid(x509.ObjectIdentifier("1.3.6.1.4.1.311.25.2"))
open(sys.argv[2], "wb").write(e.value.value)
PYEOF
ASN=$(openssl asn1parse -inform DER -in "$T_TMP/sid.der" 2>&1)
t_match "asn1parse SID: GeneralNames SEQUENCE" '^ *0:d=0 +hl=2 l= *62 cons: SEQUENCE' "$ASN"
t_match "asn1parse SID: otherName [0]" '^ *2:d=1 +hl=2 l= *60 cons: cont \[ 0 \]' "$ASN"
t_match "asn1parse SID: type 1.3.6.1.4.1.311.25.2.1" 'OBJECT +:1\.3\.6\.1\.4\.1\.311\.25\.2\.1' "$ASN"
t_match "asn1parse SID: [0] EXPLICIT" '^ *16:d=2 +hl=2 l= *46 cons: cont \[ 0 \]' "$ASN"
t_match "asn1parse SID: OCTET STRING with the SID text" "OCTET STRING +:$SID\$" "$ASN"

NOTES=$(cat "$T_TMP/pkcs.notes")
t_match "decision notes the validity clamp" 'validity clamped to CA end' "$NOTES"
t_match "decision notes the ignored EKU request" \
	'ignored requested extensions 2.5.29.37, 2.5.29.15' "$NOTES"

# Python cryptography reads every field back.
OUT=$($PY - "$T_TMP" "$SID" "$SIDHEX" "$FILE_OID" <<'PYEOF' 2>&1
import sys, hashlib, datetime
from cryptography import x509
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID, ExtensionOID, AuthorityInformationAccessOID
from cryptography.x509.name import _ASN1Type
from cryptography.hazmat.primitives.asymmetric import padding

d, sid, sidhex = sys.argv[1], sys.argv[2], sys.argv[3]
load = lambda n: x509.load_pem_x509_certificate(open(f"{d}/{n}.pem", "rb").read())
ca, pk, us = load("ca"), load("pkcs"), load("user")
ok = 0
def check(name, cond):
    global ok
    print(("ok" if cond else "FAIL") + " " + name)
    ok += 0 if cond else 1

def der_oid(text):
    a = [int(x) for x in text.split(".")]
    out = bytes([40 * a[0] + a[1]])
    for v in a[2:]:
        g = [v & 0x7f]
        v >>= 7
        while v:
            g.append(0x80 | (v & 0x7f)); v >>= 7
        out += bytes(reversed(g))
    return b"\x06" + bytes([len(out)]) + out
def tlv(tag, b):
    n = len(b)
    l = bytes([n]) if n < 128 else bytes([0x81, n])
    return bytes([tag]) + l + b
def ext(c, oid):
    return c.extensions.get_extension_for_oid(x509.ObjectIdentifier(oid))

# Subject: values exact, string types as AD CS uses them.
rdns = pk.subject.rdns
check("subject has 3 RDNs", len(rdns) == 3)
check("C=US PrintableString", [(a.value, a._type) for a in rdns[0]] == [("US", _ASN1Type.PrintableString)])
check("O value and PrintableString", [(a.value, a._type) for a in rdns[1]] == [("Acme, Inc.", _ASN1Type.PrintableString)])
mv = {a.oid: (a.value, a._type) for a in rdns[2]}
check("multi-valued RDN has CN and OU", len(rdns[2]) == 2)
check("CN exact, PrintableString", mv.get(NameOID.COMMON_NAME) == ("Test User (TESTCOMPANY, LLC)", _ASN1Type.PrintableString))
check("OU exact, UTF8String (';' is not printable)", mv.get(NameOID.ORGANIZATIONAL_UNIT_NAME) == ("Sales+Ops;x=y", _ASN1Type.UTF8String))

# SANs.
san = ext(pk, "2.5.29.17").value
on = san.get_values_for_type(x509.OtherName)
check("UPN otherName is UTF8String alice", [(o.type_id.dotted_string, o.value) for o in on] ==
      [("1.3.6.1.4.1.311.20.2.3", tlv(0x0c, b"alice@entca.test"))])
check("SID URL SAN", san.get_values_for_type(x509.UniformResourceIdentifier) ==
      ["tag:microsoft.com,2022-09-14:sid:" + sid])
check("no other SANs", len(list(san)) == 2)
check("SAN not critical (subject present)", not ext(pk, "2.5.29.17").critical)

# EKU and key usage from the template, not the request.
eku = [o.dotted_string for o in ext(pk, "2.5.29.37").value]
check("EKU EFS, Secure Email, Client Auth", eku == ["1.3.6.1.4.1.311.10.3.4", "1.3.6.1.5.5.7.3.4", "1.3.6.1.5.5.7.3.2"])
ku = ext(pk, "2.5.29.15")
check("KU critical", ku.critical)
check("KU digitalSignature + keyEncipherment", ku.value.digital_signature and ku.value.key_encipherment)
check("KU no non-repudiation", not ku.value.content_commitment)
check("KU nothing else", not (ku.value.data_encipherment or ku.value.key_agreement or ku.value.key_cert_sign or ku.value.crl_sign))

# Microsoft extensions, byte for byte.
e = ext(pk, "1.3.6.1.4.1.311.25.2")
check("SID extension bytes equal AD CS layout", e.value.value.hex() == sidhex)
check("SID extension not critical", not e.critical)
toid = "1.3.6.1.4.1.311.21.8.11034890.834619.12601478.16236816.7255827.176.1.101"
want = tlv(0x30, der_oid(toid) + tlv(0x02, bytes([100])) + tlv(0x02, bytes([4])))
check("template information 1.3.6.1.4.1.311.21.7", ext(pk, "1.3.6.1.4.1.311.21.7").value.value == want)
ap = b"".join(tlv(0x30, der_oid(o)) for o in eku)
check("application policies 1.3.6.1.4.1.311.21.10", ext(pk, "1.3.6.1.4.1.311.21.10").value.value == tlv(0x30, ap))

# Revocation info, key ids.
cdp = ext(pk, "2.5.29.31").value
check("CDP URL", [n.value for dp in cdp for n in dp.full_name] == ["http://pki.entca.test/crl/entca.crl"])
aia = ext(pk, "1.3.6.1.5.5.7.1.1").value
check("AIA caIssuers", [a.access_location.value for a in aia if a.access_method == AuthorityInformationAccessOID.CA_ISSUERS] == ["http://pki.entca.test/aia/entca.crt"])
check("AIA OCSP", [a.access_location.value for a in aia if a.access_method == AuthorityInformationAccessOID.OCSP] == ["http://pki.entca.test/ocsp"])
check("SKI = SHA-1 of the key", ext(pk, "2.5.29.14").value == x509.SubjectKeyIdentifier.from_public_key(pk.public_key()))
check("AKI = CA SKI", ext(pk, "2.5.29.35").value.key_identifier == ext(ca, "2.5.29.14").value.digest)
check("no basic constraints on an end-entity", all(x.oid.dotted_string != "2.5.29.19" for x in pk.extensions))

# Validity: one-year template clamped to the CA's end; backdated 10 min.
na = pk.not_valid_after
check("notAfter clamped to the CA's notAfter", na == ca.not_valid_after)
now = datetime.datetime.utcnow()
check("notBefore about ten minutes back", datetime.timedelta(minutes=9) < now - pk.not_valid_before < datetime.timedelta(minutes=12))

# Serial: positive, at least 64 random bits.
check("serial positive and >= 64 bits", pk.serial_number > 0 and pk.serial_number.bit_length() >= 64)
check("serials differ", pk.serial_number != us.serial_number)

# Signature with the CA key.
try:
    ca.public_key().verify(pk.signature, pk.tbs_certificate_bytes, padding.PKCS1v15(), pk.signature_hash_algorithm)
    good = True
except Exception:
    good = False
check("signature verifies with the CA key", good)

# User template: everything from the directory.
check("user subject from the directory DN",
      us.subject.rfc4514_string() == "CN=Alice Smith,CN=Users,DC=entca,DC=test")
check("DC as IA5String", all(a._type == _ASN1Type.IA5String for a in us.subject if a.oid == NameOID.DOMAIN_COMPONENT))
usan = ext(us, "2.5.29.17").value
check("user SAN UPN + email", [(o.type_id.dotted_string, o.value) for o in usan.get_values_for_type(x509.OtherName)] ==
      [("1.3.6.1.4.1.311.20.2.3", tlv(0x0c, b"alice@entca.test"))] and
      usan.get_values_for_type(x509.RFC822Name) == ["alice@entca.test"])
check("user v1 template name is BMPString User", ext(us, "1.3.6.1.4.1.311.20.2").value.value.hex() == "1e080055007300650072")
check("user: no application policies (schema 1)", all(x.oid.dotted_string != "1.3.6.1.4.1.311.21.10" for x in us.extensions))
check("user SID extension", ext(us, "1.3.6.1.4.1.311.25.2").value.value.hex() == sidhex)

# The template file parsed by templates/: its OID and version 100.0.
fl = load("file")
want = tlv(0x30, der_oid(sys.argv[4]) + tlv(0x02, bytes([100])) + tlv(0x02, bytes([0])))
check("file template: information has the file's OID, 100.0", ext(fl, "1.3.6.1.4.1.311.21.7").value.value == want)
check("file template: EKU EFS, Secure Email, Client Auth", [o.dotted_string for o in ext(fl, "2.5.29.37").value] == eku)
check("file template: no non-repudiation", not ext(fl, "2.5.29.15").value.content_commitment)
check("file template: SID extension", ext(fl, "1.3.6.1.4.1.311.25.2").value.value.hex() == sidhex)
check("file template: subject as in the CSR", fl.subject == pk.subject)
sys.exit(1 if ok else 0)
PYEOF
)
RC=$?
# One TAP line per Python check; anything else (a traceback) is a comment.
printf '%s\n' "$OUT" >"$T_TMP/py.out"
while read -r st name; do
	case $st in
	ok) t_ok 0 "python cryptography: $name" ;;
	FAIL) t_ok 1 "python cryptography: $name" ;;
	*) echo "# $st $name" ;;
	esac
done <"$T_TMP/py.out"
grep -q '^FAIL ' "$T_TMP/py.out" || t_ok $RC "python cryptography ran to the end"
t_done

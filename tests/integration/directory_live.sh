#!/bin/sh
# ldap/ against a real slapd: starts tests/slapd/slapd-start.sh twice (the
# plain fixture, and one in AD mode whose rootDSE announces Active
# Directory and whose accounts carry tokenGroups; both stopped by the trap
# of tests/common.sh and by their own watchdog), makes test certificates
# and a CRL with python3-cryptography (independent of GnuTLS, which ldap/
# uses), writes altSecurityIdentities as the admin, then runs
# tests/unit/ldap/test_directory_live and test_directory_live_ops and turns
# their cmocka TAP into ours. Afterwards the published CRL is read back
# with ldapsearch and compared.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/common.sh"

prog=$top_builddir/tests/unit/ldap/test_directory_live
prog_ops=$top_builddir/tests/unit/ldap/test_directory_live_ops
[ -x "$prog" ] && [ -x "$prog_ops" ] || t_skip_all "test_directory_live* not built"
[ -x /usr/sbin/slapd ] || t_skip_all "slapd not installed"

state=$T_TMP/slapd
export SLAPD_WATCH_PID=$$
t0=$(date +%s%N)
if ! sh "$top_srcdir/tests/slapd/slapd-start.sh" "$state" >"$T_TMP/env"; then
	t_ok 1 "slapd starts"
	t_done
fi
t1=$(date +%s%N)
. "$T_TMP/env"
T_PIDS="$T_PIDS $SLAPD_PID"
ms=$(( (t1 - t0) / 1000000 ))
# The start-up time is a figure for the log, not a pass condition: a test
# that asserts a wall-clock bound passes or fails with the machine's load.
echo "# slapd fixture ready in $ms ms"
ldapsearch -x -LLL -H "$SLAPD_URI" -s base -b "" namingContexts >/dev/null 2>&1
t_ok $? "slapd with the fixture starts and answers a rootDSE search"

# The same directory in AD mode, for the tokenGroups path.
if SLAPD_AD_MODE=1 sh "$top_srcdir/tests/slapd/slapd-start.sh" "$T_TMP/slapd-ad" \
    >"$T_TMP/env-ad"; then
	SLAPD_AD_URI=$(sed -n 's/^SLAPD_URI=//p' "$T_TMP/env-ad")
	T_PIDS="$T_PIDS $(sed -n 's/^SLAPD_PID=//p' "$T_TMP/env-ad")"
	export SLAPD_AD_URI
	t_ok 0 "slapd in AD mode starts"
else
	t_ok 1 "slapd in AD mode starts"
fi

# Certificates, a CRL and the expected objectGUID, made by python.
certs=$T_TMP/certs
mkdir -p "$certs"
$PY - "$certs" "$SLAPD_DOMAIN_SID" >"$T_TMP/altsec.env" <<'PYEOF' || { t_ok 1 "test certificates"; t_done; }
import datetime, hashlib, sys, uuid
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

out, dom = sys.argv[1], sys.argv[2]
now = datetime.datetime.now(datetime.timezone.utc)

def name(*rdns):
    return x509.Name([x509.RelativeDistinguishedName([x509.NameAttribute(o, v)]) for o, v in rdns])

def sid_ext(sid):
    s = sid.encode()
    octet = b"\x04" + bytes([len(s)]) + s
    val = b"\xa0" + bytes([len(octet)]) + octet
    oid = bytes.fromhex("060a2b060104018237190201")
    other = b"\xa0" + bytes([len(oid) + len(val)]) + oid + val
    return b"\x30" + bytes([len(other)]) + other

ca_key = ec.generate_private_key(ec.SECP256R1())
ca_name = name((NameOID.DOMAIN_COMPONENT, "example"), (NameOID.DOMAIN_COMPONENT, "demo"),
               (NameOID.ORGANIZATION_NAME, "entca tests"), (NameOID.COMMON_NAME, "Demo Test CA"))
ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
      .public_key(ca_key.public_key()).serial_number(1)
      .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
      .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
      .sign(ca_key, hashes.SHA256()))
with open(out + "/wrong-ca.pem", "wb") as f:
    f.write(ca.public_bytes(serialization.Encoding.PEM))

def leaf(fn, cn, serial, ext=None, ski=False):
    key = ec.generate_private_key(ec.SECP256R1())
    b = (x509.CertificateBuilder().subject_name(name((NameOID.COMMON_NAME, cn)))
         .issuer_name(ca_name).public_key(key.public_key()).serial_number(serial)
         .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1)))
    if ext is not None:
        b = b.add_extension(x509.UnrecognizedExtension(
            x509.ObjectIdentifier("1.3.6.1.4.1.311.25.2"), ext), critical=False)
    if ski:
        b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    cert = b.sign(ca_key, hashes.SHA256())
    with open("%s/%s.der" % (out, fn), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.DER))
    return cert

leaf("sid-alice", "alice", 0x1001, sid_ext(dom + "-1106"))
leaf("sid-bob-subject-alice", "alice", 0x1002, sid_ext(dom + "-1107"))
leaf("sid-group", "Staff", 0x1003, sid_ext(dom + "-1121"))
leaf("sid-unknown", "ghost", 0x1004, sid_ext(dom + "-9999"))
leaf("sid-malformed", "bad", 0x1005, b"\x04\x03abc")
leaf("unmapped", "nobody", 0x1006)
# Serial with the high bit set: its DER content has a leading 00 byte.
bob = leaf("issuer-serial-bob", "bob", 0xF123456789ABCDEF)
laptop = leaf("ski-laptop", "laptop01.demo.example", 0x1007, ski=True)
pki = leaf("pukey-pkiadmin", "pkiadmin", 0x1008)

# altSecurityIdentities strings as AD writes them (adcs.md 1.5): issuer
# RDNs most significant first, serial bytes reversed.
issuer = ",".join(r.rfc4514_string() for r in bob.issuer.rdns)
sn = bob.serial_number
raw = sn.to_bytes((sn.bit_length() + 8) // 8, "big")
print("ALTSEC_BOB='X509:<I>%s<SR>%s'" % (issuer, raw[::-1].hex().upper()))
ski = laptop.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
print("ALTSEC_LAPTOP='X509:<SKI>%s'" % ski.hex())
spki = pki.public_key().public_bytes(serialization.Encoding.DER,
                                     serialization.PublicFormat.SubjectPublicKeyInfo)
print("ALTSEC_PKIADMIN='X509:<SHA1-PUKEY>%s'" % hashlib.sha1(spki).hexdigest().upper())

crl = (x509.CertificateRevocationListBuilder().issuer_name(ca_name)
       .last_update(now).next_update(now + datetime.timedelta(days=1))
       .add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(0x1006)
                                .revocation_date(now).build())
       .sign(ca_key, hashes.SHA256()))
with open(out + "/test.crl", "wb") as f:
    f.write(crl.public_bytes(serialization.Encoding.DER))

ns = uuid.UUID("6f3c2a52-6a5e-4d0b-9a57-2b1d3c4e5f60")
print("ALICE_GUID=%s" % uuid.uuid5(ns, "cn=alice,ou=users,dc=demo,dc=example"))
PYEOF
t_ok 0 "test certificates and CRL made with python3-cryptography"
. "$T_TMP/altsec.env"
echo "# $ALTSEC_BOB"

# Strong mappings written as the directory admin.
ldapmodify -x -H "$SLAPD_URI" -D "$SLAPD_ADMIN_DN" -w "$SLAPD_ADMIN_PW" \
    >"$T_TMP/altsec.log" 2>&1 <<EOF
dn: cn=bob,ou=Users,$SLAPD_BASE
changetype: modify
add: altSecurityIdentities
altSecurityIdentities: $ALTSEC_BOB

dn: cn=LAPTOP01,ou=Computers,$SLAPD_BASE
changetype: modify
add: altSecurityIdentities
altSecurityIdentities: $ALTSEC_LAPTOP

dn: cn=pkiadmin,ou=Users,$SLAPD_BASE
changetype: modify
add: altSecurityIdentities
altSecurityIdentities: $ALTSEC_PKIADMIN
EOF
t_ok $? "altSecurityIdentities written"

# The service account reads but does not write, and never sees passwords.
out=$(ldapsearch -x -LLL -H "$SLAPD_URI" -D "$SLAPD_SVC_DN" -w "$SLAPD_SVC_PW" \
    -b "$SLAPD_BASE" '(sAMAccountName=alice)' userPassword sAMAccountName 2>&1)
t_match "service account reads accounts" "sAMAccountName: alice" "$out"
echo "$out" | grep -qi userPassword; [ $? -ne 0 ]; t_ok $? "userPassword is not readable"
printf 'dn: cn=bob,ou=Users,%s\nchangetype: modify\nreplace: mail\nmail: x@y\n' "$SLAPD_BASE" |
    ldapmodify -x -H "$SLAPD_URI" -D "$SLAPD_SVC_DN" -w "$SLAPD_SVC_PW" >/dev/null 2>&1
[ $? -ne 0 ]; t_ok $? "service account cannot modify accounts"

# A slow directory: a proxy that holds every client-to-server chunk (one
# LDAP request each, the client being synchronous) for 1150 ms.
cat >"$T_TMP/delay.py" <<'PYEOF'
import asyncio, sys
listen, target, delay = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])

async def pipe(reader, writer, pause):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if pause:
                await asyncio.sleep(pause)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()

async def client(cr, cw):
    try:
        sr, sw = await asyncio.open_connection("127.0.0.1", target)
    except OSError:
        cw.close()
        return
    await asyncio.gather(pipe(cr, sw, delay), pipe(sr, cw, 0))

async def main():
    server = await asyncio.start_server(client, "127.0.0.1", listen)
    async with server:
        await server.serve_forever()

asyncio.run(main())
PYEOF
delay_port=$(free_port)
t_bg $PY "$T_TMP/delay.py" "$delay_port" "$SLAPD_PORT" 1.15
# (wait_port of common.sh needs bash's /dev/tcp; this script runs in sh.)
$PY -c 'import socket, sys, time
for _ in range(250):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.02)
sys.exit(1)' "$delay_port"
t_ok $? "delaying proxy listens"
export DELAY_URI=ldap://127.0.0.1:$delay_port

export SLAPD_URI SLAPD_LDAPS_URI SLAPD_LDAPS_PORT SLAPD_BASE SLAPD_SVC_DN \
    SLAPD_SVC_PW SLAPD_CA_FILE SLAPD_STATE ALICE_GUID
export SLAPD_START="$top_srcdir/tests/slapd/slapd-start.sh"
export SLAPD_STOP="$top_srcdir/tests/slapd/slapd-stop.sh"
export WRONG_CA_FILE="$certs/wrong-ca.pem"
export DEAD_PORT=$(free_port)
export CERT_SID_ALICE=$certs/sid-alice.der
export CERT_SID_BOB_SUBJECT_ALICE=$certs/sid-bob-subject-alice.der
export CERT_SID_GROUP=$certs/sid-group.der
export CERT_SID_UNKNOWN=$certs/sid-unknown.der
export CERT_SID_MALFORMED=$certs/sid-malformed.der
export CERT_UNMAPPED=$certs/unmapped.der
export CERT_ISSUER_SERIAL_BOB=$certs/issuer-serial-bob.der
export CERT_SKI_LAPTOP=$certs/ski-laptop.der
export CERT_PUKEY_PKIADMIN=$certs/pukey-pkiadmin.der
export CRL_FILE=$certs/test.crl

# run_live PROGRAM: run one cmocka program and turn its TAP into ours.
run_live() {
	_name=$(basename "$1")
	CMOCKA_MESSAGE_OUTPUT=TAP "$1" >"$T_TMP/$_name.out" 2>&1
	_rc=$?
	while IFS= read -r line; do
		case $line in
		"ok "*) t_ok 0 "$_name: ${line#ok * - }" ;;
		"not ok "*) t_ok 1 "$_name: ${line#not ok * - }" ;;
		"1.."*|"# ok - tests") ;;
		*) printf '# %s\n' "$line" ;;
		esac
	done <"$T_TMP/$_name.out"
	[ $_rc -eq 0 ]; t_ok $? "$_name exits 0"
	if grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" \
	    "$T_TMP/$_name.out"; then
		t_ok 1 "$_name: no sanitizer report"
	fi
}

run_live "$prog"
run_live "$prog_ops"

# The slapd the program restarted is the one to stop now.
. "$state/env"
T_PIDS="$T_PIDS $SLAPD_PID"
timeout 20 ldapsearch -x -LLL -o nettimeout=5 -l 10 -H "$SLAPD_URI" \
    -D "$SLAPD_SVC_DN" -w "$SLAPD_SVC_PW" -b "cn=Demo Issuing CA,cn=ENTCA,cn=CDP,cn=Public Key Services,cn=Services,cn=Configuration,$SLAPD_BASE" \
    -s base -o ldif-wrap=no -t -T "$T_TMP" 'certificateRevocationList;binary' >"$T_TMP/crl.ldif" 2>&1
f=$(sed -n 's/^certificateRevocationList;binary:< file:\/\///p' "$T_TMP/crl.ldif")
[ -n "$f" ] && cmp -s "$f" "$CRL_FILE"; t_ok $? "published CRL reads back byte for byte"
[ -n "$f" ] && openssl crl -inform DER -in "$f" -noout -text | grep -q "Serial Number: 1006"
t_ok $? "openssl parses the published CRL"

sh "$top_srcdir/tests/slapd/slapd-stop.sh" "$state"
sh "$top_srcdir/tests/slapd/slapd-stop.sh" "$T_TMP/slapd-ad"
t_done

#!/bin/bash
# Who is logged in, and on what terms (issue 10 items 1, 2, 9; issue 20
# items 1, 7; README: Security model). Each check performs an attack found against
# the demo: a revoked certificate that still logs in, an officer-issued
# certificate that makes the officer pkiadmin, a foreign CA's certificate
# carrying pkiadmin's SID, a disabled account's certificate, checks in the
# wrong order, unlogged HTTP refusals, internal detail in unauthenticated
# answers, and forged log lines. Real slapd, real entcad, curl, openssl and
# Python's cryptography.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"
ADMIN_SID=S-1-5-21-3623811015-3361044348-30300820-1108

DEMO_ISSUE="PKCSIntune, LoginUser, Renewable, NoClientAuth" demo_test_setup
LOG=$D/demo/entcad.log
# mk_tmpl NAME OID-SUFFIX: a PKCSIntune copy, 5 days, renewable all its
# life, on which Domain Users may enroll as well as the connector (ESC1
# accepted on purpose: the test needs users who enroll for themselves).
mk_tmpl() {
	demo_template "$1" "$2" -e 's/^validity = .*/validity = 5d/' -e 's/^renewal-period = .*/renewal-period = 5d/' \
	    -e 's/^allow-dangerous =.*/allow-dangerous = esc1/'
	echo 'allow = Domain Users : read, enroll' >>"$D/demo/templates/$1.tmpl"
}
mk_tmpl LoginUser 21
mk_tmpl Renewable 22
# A login template whose certificates lack Client Authentication.
mk_tmpl NoClientAuth 23
sed -i 's/^application-policies = .*/application-policies = efs, secure-email/' "$D/demo/templates/NoClientAuth.tmpl"
# Certificates of LoginUser may log in to the API; nothing else is changed.
sed -i '/^\[http\]/a login-templates = LoginUser, NoClientAuth' "$DEMO_CONF"
demo_test_start
URL=$DEMO_URL/.well-known/est

# enroll USER:PW TEMPLATE NAME SUBJECT [csr.py options]: NAME.pem, NAME.key
enroll() {
	_c=$1 _t=$2 _n=$3 _s=$4; shift 4
	$CSR make "$D/$_n.key" "$D/$_n.b64" "$_s" "$@"
	est_post "$_c" "$_t/simpleenroll" "$D/$_n.b64"
	[ "$code" = 200 ] && p7_to_pem "$D/out" "$D/$_n.pem"
}
# capi NAME METHOD PATH [JSON]: management API with NAME.pem as the TLS
# client certificate and no other credentials; status in $code.
capi() {
	code=$(curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" \
	    --cert "$D/$1.pem" --key "$D/$1.key" -X "$2" \
	    ${4:+-H 'Content-Type: application/json' -d "$4"} "$DEMO_URL/api/v1/$3")
}
# cest NAME PATH CSRFILE: EST POST with NAME.pem as the only credential.
cest() { est_post "" "$2" "$3" --cert "$D/$1.pem" --key "$D/$1.key"; }
serial_of() { openssl x509 -in "$1" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f'; }
refused() { case "$1" in 401|403) return 0;; *) return 1;; esac; }
# t_refused "description" STATUS: pass for 401 or 403.
t_refused() { if refused "$2"; then t_ok 0 "$1"; else t_ok 1 "$1"; echo "# status $2: $(head -c 300 "$D/out")"; fi; }
restart_entcad() {
	demo_test_stop
	demo_test_start restart
}

# --- certificates for the attacks ---
enroll "$ADMIN" LoginUser pa "CN=pkiadmin,O=Demo"
t_eq "pkiadmin enrolls for itself on LoginUser: 200" 200 "$code"
enroll "$CONN" PKCSIntune pc "CN=pkiadmin,O=Demo" --upn pkiadmin@demo.example
t_eq "the connector (officer) issues a PKCSIntune certificate naming pkiadmin: 200" 200 "$code"
enroll "$CONN" LoginUser pl "CN=pkiadmin,O=Demo" --upn pkiadmin@demo.example
t_eq "the connector issues a LoginUser certificate naming pkiadmin: 200" 200 "$code"
enroll "$CONN" PKCSIntune cp "CN=INTUNECONN"
t_eq "the connector enrolls a PKCSIntune certificate for itself: 200" 200 "$code"
enroll "$CONN" Renewable ra "CN=alice,O=Demo" --upn alice@demo.example
t_eq "the connector issues a Renewable certificate for alice: 200" 200 "$code"

# --- default scope: a certificate renews itself, nothing more ---
$CSR make "$D/ra2.key" "$D/ra2.b64" "CN=alice,O=Demo" --upn alice@demo.example
cest ra simplereenroll "$D/ra2.b64"
t_eq "cert_renews_own_template: simplereenroll with a Renewable certificate: 200" 200 "$code"
capi ra GET requests
t_refused "cert_outside_login_templates_refused: Renewable certificate on the API" "$code"
cest ra Renewable/simpleenroll "$D/ra2.b64"
t_refused "cert_outside_login_templates_refused: Renewable certificate for simpleenroll" "$code"
capi cp GET requests
t_refused "cert_outside_login_templates_refused: the connector's PKCSIntune certificate is no officer login" "$code"

enroll "$ADMIN" NoClientAuth nc "CN=pkiadmin,O=Demo"
t_eq "pkiadmin enrolls on NoClientAuth (a login template): 200" 200 "$code"
capi nc GET requests
t_refused "cert_without_client_auth_refused: no Client Authentication EKU, no login (TLS verification refuses it too)" "$code"

# --- officer_issued_cert_not_admin, certificate-admin off (default) ---
capi pc GET audit
t_refused "officer_issued_cert_not_admin: PKCSIntune certificate naming pkiadmin reads no audit" "$code"
capi pc POST crl/publish '{}'
t_refused "officer_issued_cert_not_admin: ... publishes no CRL" "$code"
capi pl GET requests
t_refused "officer_issued_cert_not_admin: LoginUser certificate the officer requested for pkiadmin is no login" "$code"
# --- renewal_launders_on_behalf_cert_refused: the connector holds the key
# of pl (requested by it on pkiadmin's behalf) and renews it; the renewal
# stays the connector's request, so it is no pkiadmin login either ---
$CSR make "$D/pl2.key" "$D/pl2.b64" "CN=pkiadmin,O=Demo" --upn pkiadmin@demo.example
cest pl simplereenroll "$D/pl2.b64"
t_eq "the holder of the on-behalf certificate renews it (simplereenroll): 200" 200 "$code"
p7_to_pem "$D/out" "$D/pl2.pem"
capi pl2 GET requests
t_refused "renewal_launders_on_behalf_cert_refused: the renewed certificate is no officer login" "$code"
t_match "renewal_launders_on_behalf_cert_refused: the refusal names the original requester" \
    'requested by INTUNECONN\$ on behalf of pkiadmin' "$(cat "$D/out")"
code=$(curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" -u "$ADMIN" \
    "$DEMO_URL/api/v1/certificates/$(serial_of "$D/pl2.pem")")
t_match "renewal_launders_on_behalf_cert_refused: the store records the connector as requester" \
    '"requester":"INTUNECONN\$"' "$(cat "$D/out")"
$CSR make "$D/pl3.key" "$D/pl3.b64" "CN=pkiadmin,O=Demo" --upn pkiadmin@demo.example
cest pl2 simplereenroll "$D/pl3.b64"
t_eq "the renewed certificate renews itself in turn: 200" 200 "$code"
p7_to_pem "$D/out" "$D/pl3.pem"
capi pl3 GET requests
t_refused "renewal_launders_on_behalf_cert_refused: nor two renewals down the chain" "$code"
"$BUILD/entca" -c "$DEMO_CONF" audit 50 >"$D/audit.txt" 2>&1
t_match "renewal_launders_on_behalf_cert_refused: the renewal's audit event names the original requester" \
    "\"action\":\"simplereenroll\".*\"requester\":\"INTUNECONN\\$\",\"serial\":\"$(serial_of "$D/pl2.pem")\"" "$(cat "$D/audit.txt")"
$CSR make "$D/pa2.key" "$D/pa2.b64" "CN=pkiadmin,O=Demo"
cest pa simplereenroll "$D/pa2.b64"
t_eq "pkiadmin renews its own LoginUser certificate: 200" 200 "$code"
p7_to_pem "$D/out" "$D/pa2.pem"
capi pa2 GET requests
t_eq "a self-requested certificate stays a login after renewal: 200" 200 "$code"
capi pa GET requests
t_eq "pkiadmin's own LoginUser certificate logs in (officer right): 200" 200 "$code"
capi pa GET audit
t_eq "cert_login_no_admin_by_default: no auditor right from a certificate: 403" 403 "$code"
capi pa POST crl/publish '{}'
t_eq "cert_login_no_admin_by_default: no Manage CA right from a certificate: 403" 403 "$code"
# entca --url with the same certificate (--cert/--key): the same rights.
"$BUILD/entca" --url "$DEMO_URL" --cacert "$DEMO_CA" --cert "$D/pa.pem" --key "$D/pa.key" \
    request list --status all --csv >"$D/tool.out" 2>&1 </dev/null
t_eq "entca --url --cert/--key: a certificate login lists requests (officer): exit 0" 0 "$?"
t_match "and the CSV has its header" '^id,status,submitted_at,' "$(head -1 "$D/tool.out")"
"$BUILD/entca" --url "$DEMO_URL" --cacert "$DEMO_CA" --cert "$D/pa.pem" --key "$D/pa.key" \
    audit >"$D/tool.out" 2>&1 </dev/null
t_eq "entca --url --cert/--key: no auditor right from a certificate: exit 1" 1 "$?"
t_match "and the API's 403" '^entca: 403: ' "$(cat "$D/tool.out")"

# --- a foreign CA in client-ca, and a forgery with the real CA key ---
cat >"$D/forge.py" <<'PYEOF'
import datetime, sys
sys.path.insert(0, sys.argv[1])
from csr import sid_ext_value, SID_EXT
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
def key():
    return rsa.generate_private_key(65537, 2048)
def save(k, c, kf, cf):
    open(kf, "wb").write(k.private_bytes(serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    open(cf, "wb").write(c.public_bytes(serialization.Encoding.PEM))
now = datetime.datetime.now(datetime.timezone.utc)
cmd = sys.argv[2]
if cmd == "ca":		# ca KEY CERT SUBJECT: a self-signed CA
    k = key()
    n = x509.Name.from_rfc4514_string(sys.argv[5])
    c = (x509.CertificateBuilder().subject_name(n).issuer_name(n).public_key(k.public_key())
         .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
         .not_valid_after(now + datetime.timedelta(days=30))
         .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
         .sign(k, hashes.SHA256()))
    save(k, c, sys.argv[3], sys.argv[4])
else:			# leaf KEY CERT CAKEY CACERT SERIAL SID: client certificate with a SID
    cak = serialization.load_pem_private_key(open(sys.argv[5], "rb").read(), None)
    cac = x509.load_pem_x509_certificate(open(sys.argv[6], "rb").read())
    k = key()
    c = (x509.CertificateBuilder().subject_name(x509.Name.from_rfc4514_string("CN=pkiadmin,O=Demo"))
         .issuer_name(cac.subject).public_key(k.public_key()).serial_number(int(sys.argv[7], 16))
         .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
         .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
         .add_extension(x509.UnrecognizedExtension(SID_EXT, sid_ext_value(sys.argv[8])), critical=False)
         .sign(cak, hashes.SHA256()))
    save(k, c, sys.argv[3], sys.argv[4])
PYEOF
FORGE="$PY $D/forge.py $SRC/tests/integration"
$FORGE ca "$D/evilca.key" "$D/evilca.pem" "CN=Partner Issuing CA,O=Partner"
$FORGE leaf "$D/fc.key" "$D/fc.pem" "$D/evilca.key" "$D/evilca.pem" 1a2b3c4d5e6f "$ADMIN_SID"
# The real CA key signs a certificate the store never recorded, with the
# serial of pkiadmin's real one (the store is the list of what we issued).
$FORGE leaf "$D/ns.key" "$D/ns.pem" "$D/demo/ca/ca.key" "$DEMO_CA" "$(serial_of "$D/pa.pem")" "$ADMIN_SID"
t_run "the forged certificate chains to the demo CA (openssl verify)" openssl verify -CAfile "$DEMO_CA" "$D/ns.pem"
cat "$DEMO_CA" "$D/evilca.pem" >"$D/client-ca.pem"
sed -i -e "s|^client-ca = .*|client-ca = $D/client-ca.pem|" \
    -e '/^\[http\]/a certificate-admin = yes' "$DEMO_CONF"
restart_entcad

# --- certificate-admin = yes: still only this CA's own, self-requested certificates ---
capi pa GET audit
t_eq "certificate-admin = yes: pkiadmin's own certificate reads the audit log: 200" 200 "$code"
capi pc GET audit
t_refused "officer_issued_cert_not_admin: PKCSIntune certificate naming pkiadmin, certificate-admin = yes" "$code"
capi pl GET audit
t_refused "officer_issued_cert_not_admin: officer-requested LoginUser certificate naming pkiadmin, certificate-admin = yes" "$code"
capi pl2 GET audit
t_refused "renewal_launders_on_behalf_cert_refused: the renewed certificate reads no audit, certificate-admin = yes" "$code"
capi pl3 GET audit
t_refused "renewal_launders_on_behalf_cert_refused: ... nor its renewal" "$code"
capi fc GET audit
t_refused "foreign_ca_cert_with_sid_refused: a client-ca partner's certificate with pkiadmin's SID, audit" "$code"
capi fc POST crl/publish '{}'
t_refused "foreign_ca_cert_with_sid_refused: ... crl publish" "$code"
$CSR make "$D/fcr.key" "$D/fcr.b64" "CN=pkiadmin,O=Demo"
cest fc LoginUser/simpleenroll "$D/fcr.b64"
t_refused "foreign_ca_cert_with_sid_refused: ... simpleenroll" "$code"
capi ns GET audit
t_refused "cert_not_in_store_refused: CA-signed certificate the store does not hold (pkiadmin's serial)" "$code"

# --- revoked_cert_login_refused_on_every_endpoint ---
enroll "$ADMIN" LoginUser pr "CN=pkiadmin,O=Demo"
enroll "$CONN" PKCSIntune x1 "CN=alice,O=Demo" --upn alice@demo.example
enroll "$CONN" PKCSIntune x2 "CN=alice,O=Demo" --upn alice@demo.example
$CSR make "$D/pr2.key" "$D/pr2.b64" "CN=pkiadmin,O=Demo"
capi pr GET audit
t_eq "before revocation: audit 200" 200 "$code"
capi pr POST crl/publish '{}'
t_eq "before revocation: crl publish 200" 200 "$code"
capi pr POST "certificates/$(serial_of "$D/x1.pem")/revoke" '{"reason":"superseded"}'
t_eq "before revocation: revoke 200" 200 "$code"
cest pr Renewable/simpleenroll "$D/pr2.b64"
t_eq "before revocation: simpleenroll on another template 200" 200 "$code"
cest pr simplereenroll "$D/pr2.b64"
t_eq "before revocation: simplereenroll 200" 200 "$code"
code=$(curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" -u "$ADMIN" \
    -H 'Content-Type: application/json' -d '{"reason":"keyCompromise"}' \
    "$DEMO_URL/api/v1/certificates/$(serial_of "$D/pr.pem")/revoke")
t_eq "pkiadmin revokes that certificate (keyCompromise): 200" 200 "$code"
capi pr GET audit
t_refused "revoked_cert_login_refused_on_every_endpoint: audit" "$code"
capi pr POST crl/publish '{}'
t_refused "revoked_cert_login_refused_on_every_endpoint: crl publish" "$code"
capi pr POST "certificates/$(serial_of "$D/x2.pem")/revoke" '{"reason":"superseded"}'
t_refused "revoked_cert_login_refused_on_every_endpoint: revoke" "$code"
cest pr Renewable/simpleenroll "$D/pr2.b64"
t_refused "revoked_cert_login_refused_on_every_endpoint: simpleenroll on another template" "$code"
cest pr simplereenroll "$D/pr2.b64"
t_refused "revoked_cert_login_refused_on_every_endpoint: simplereenroll" "$code"
capi pr GET requests
t_refused "revoked_cert_login_refused_on_every_endpoint: requests" "$code"
"$BUILD/entca" -c "$DEMO_CONF" cert list --tsv >"$D/certs.txt" 2>&1
t_match "x2 stays valid: the revoked certificate revoked nothing" "^$(serial_of "$D/x2.pem")	valid" "$(cat "$D/certs.txt")"
enroll "$ADMIN" LoginUser ph "CN=pkiadmin,O=Demo"
code=$(curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" -u "$ADMIN" \
    -H 'Content-Type: application/json' -d '{"reason":"certificateHold"}' \
    "$DEMO_URL/api/v1/certificates/$(serial_of "$D/ph.pem")/revoke")
capi ph GET audit
t_refused "held_cert_login_refused: a certificate on hold does not log in" "$code"

# --- phase 3: order of checks, logs, escaping ---
code=$(curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" -H 'Content-Type: application/json' \
    -d '{"delta": tru' "$DEMO_URL/api/v1/crl/publish")
t_eq "api_unauthenticated_bad_json_401: bad JSON without credentials: 401" 401 "$code"
t_fail "api_unauthenticated_bad_json_401: and nothing from the JSON parser" grep -qi 'json\|expected' "$D/out"
code=$(curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" "$DEMO_URL/api/v1/audit?last=0")
t_eq "api_unauthenticated_bad_query_401: bad query without credentials: 401" 401 "$code"
t_est "est_unauthenticated_unknown_template_401: which templates exist is not told anonymously" 401 "" NoSuchTemplate/simpleenroll "$D/pr2.b64"
code=$(curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" -u "$ADMIN" -H 'Content-Type: application/json' \
    -d '{"delta": tru' "$DEMO_URL/api/v1/crl/publish")
t_eq "bad JSON from a logged-in caller: 400 with the reason" 400 "$code"
code=$(curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" -u 'nobody-here:x' "$DEMO_URL/api/v1/audit")
t_eq "unknown user on the API: 401" 401 "$code"
t_match "api_auth_failure_logged_with_attempted_user" 'info: nobody-here GET /api/v1/audit from 127\.0\.0\.1:[0-9]+: 401' "$(cat "$LOG")"

# raw REQUEST-BYTES: send over TLS as they are; print the status code.
raw() {
	$PY - "$DEMO_PORT" "$DEMO_CA" "$1" <<'PYEOF'
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
ctx.check_hostname = False
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))))
s.sendall(sys.argv[3].encode().decode("unicode_escape").encode("latin-1"))
data = b""
while b"\r\n" not in data:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print(data.split(b" ")[1].decode() if data else "none")
PYEOF
}
t_eq "smuggling attempt (Content-Length and Transfer-Encoding): 400" 400 \
    "$(raw 'POST /api/v1/crl/publish HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')"
t_match "refusal_logged_with_peer: 400 smuggling" 'info: .*from 127\.0\.0\.1:[0-9]+: 400 HTTP: both Content-Length' "$(cat "$LOG")"
t_eq "HTTP/2.0 request line: 505" 505 "$(raw 'GET /health HTTP/2.0\r\nHost: x\r\n\r\n')"
t_match "refusal_logged_with_peer: 505" 'info: .*from 127\.0\.0\.1:[0-9]+: 505 ' "$(cat "$LOG")"
t_eq "unknown method: 501" 501 "$(raw 'BREW /health HTTP/1.1\r\nHost: x\r\n\r\n')"
t_match "refusal_logged_with_peer: 501" 'info: .*from 127\.0\.0\.1:[0-9]+: 501 ' "$(cat "$LOG")"
t_eq "too many header fields: 431" 431 "$(raw "GET /health HTTP/1.1\\r\\nHost: x\\r\\n$(for i in $(seq 1 200); do printf 'X-%d: y\\r\\n' "$i"; done)\\r\\n")"
t_match "refusal_logged_with_peer: 431" 'info: .*from 127\.0\.0\.1:[0-9]+: 431 ' "$(cat "$LOG")"
t_eq "body over the limit: 413" 413 "$(raw 'POST /api/v1/crl/publish HTTP/1.1\r\nHost: x\r\nContent-Length: 9999999\r\n\r\n')"
t_match "refusal_logged_with_peer: 413" 'info: .*from 127\.0\.0\.1:[0-9]+: 413 ' "$(cat "$LOG")"

# log_injection_escaped: a user name and an e-mail name that carry a
# newline, a fake success line and terminal escape codes.
FAKE=$'evil\e[2J\e]0;owned\a\n2026-12-07T00:00:00Z entcad[1] info: FAKEADMIN POST /api/v1/requests/1/approve from 127.0.0.1:1: 200'
code=$(curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" \
    -H "Authorization: Basic $(printf '%s:pw' "$FAKE" | base64 -w0)" "$DEMO_URL/api/v1/audit")
t_eq "user name with a newline and escapes: 401" 401 "$code"
$PY - "$D/inj.key" "$D/inj.b64" <<'PYEOF'
import base64, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
k = rsa.generate_private_key(65537, 2048)
open(sys.argv[1], "wb").write(k.private_bytes(serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
# The rfc822Name is written by hand: libraries refuse such a name.
name = b"x@demo.example\n2026-12-07T00:00:00Z entcad[1] info: FAKEMAIL POST /x from 127.0.0.1:1: 200\x1b[31m"
san = bytes([0x30, len(name) + 2, 0x81, len(name)]) + name
csr = (x509.CertificateSigningRequestBuilder()
       .subject_name(x509.Name.from_rfc4514_string("CN=alice,O=Demo"))
       .add_extension(x509.UnrecognizedExtension(x509.oid.ExtensionOID.SUBJECT_ALTERNATIVE_NAME, san), critical=False)
       .sign(k, hashes.SHA256()))
open(sys.argv[2], "w").write(base64.b64encode(csr.public_bytes(serialization.Encoding.DER)).decode())
PYEOF
est_post 'alice@demo.example:demo-alice' LoginUser/simpleenroll "$D/inj.b64"
t_match "a CSR whose e-mail name forges a line is refused" '^4[0-9][0-9]$' "$code"
t_eq "log_injection_escaped: no forged line starts in the log" 0 "$(grep -c '^2026-12-07T00:00:00Z\|FAKE.*FAKE' "$LOG")"
t_eq "log_injection_escaped: no escape character in the log" 0 "$(grep -c $'\e\|\a' "$LOG")"
t_match "log_injection_escaped: the user name is in the log, escaped" \
    'info: evil\\x1b\[2J\\x1b\]0;owned\\x07\\n2026-12-07T00 GET /api/v1/audit from 127\.0\.0\.1:[0-9]+: 401' "$(cat "$LOG")"
t_match "log_injection_escaped: the e-mail name is in the log, escaped" \
    'x@demo\.example\\n2026-12-07T00:00:00Z entcad\[1\] info: FAKEMAIL POST /x from 127\.0\.0\.1:1: 200\\x1b\[31m' "$(cat "$LOG")"
"$BUILD/entca" -c "$DEMO_CONF" request list --all --tsv >"$D/reqs.txt" 2>&1
t_eq "log_injection_escaped: entca request list --all has one line per request" 0 \
    "$(grep -vc '^[0-9][0-9]*	' "$D/reqs.txt")"
t_eq "log_injection_escaped: no escape character in entca request list" 0 "$(grep -c $'\e' "$D/reqs.txt")"
"$BUILD/entca" -c "$DEMO_CONF" cert list --tsv >"$D/certs.txt" 2>&1
t_eq "log_injection_escaped: entca cert list has one line per certificate" 0 \
    "$(grep -vc '^[0-9a-f][0-9a-f]*	' "$D/certs.txt")"
# A user name that is not UTF-8 is still audited, in a safe rendering.
code=$(curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" \
    -H "Authorization: Basic $(printf '\377\376bad:pw' | base64 -w0)" "$DEMO_URL/api/v1/audit")
t_eq "user name that is not UTF-8: 401" 401 "$code"
# A right-to-left override in a user name would reorder what an operator reads.
code=$(curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" \
    -H "Authorization: Basic $(printf 'adm\342\200\256nimda:pw' | base64 -w0)" "$DEMO_URL/api/v1/audit")
t_eq "user name with U+202E: 401" 401 "$code"
t_match "bidi_override_escaped: in the log" 'info: adm\\u202enimda GET /api/v1/audit' "$(cat "$LOG")"
"$BUILD/entca" -c "$DEMO_CONF" audit 20 >"$D/audit.txt" 2>&1
t_match "bidi_override_escaped: in entca audit" '"who":"adm\\u202[eE]nimda"' "$(cat "$D/audit.txt")"
t_eq "bidi_override_escaped: no raw U+202E in entca audit" 0 "$(grep -c $'\u202e' "$D/audit.txt")"
t_match "invalid_utf8_user_audited: who and user kept, escaped" \
    '"who":"\\\\xff\\\\xfebad".*"action":"authenticate".*"user":"\\\\xff\\\\xfebad"' "$(cat "$D/audit.txt")"
t_match "revoked certificate logins are audited with serial and template" \
    "\"action\":\"authenticate\",\"decision\":\"denied\".*\"serial\":\"$(serial_of "$D/pr.pem")\",\"template\":\"LoginUser\"" \
    "$(cat "$D/audit.txt")"

# --- expired_cert_login_refused: the CA's clock (ENTCA_NOW) is past the
# 5-day LoginUser certificate; TLS itself (real time) still accepts it ---
capi pa GET requests
t_eq "pkiadmin's LoginUser certificate logs in today: 200" 200 "$code"
export ENTCA_NOW=$(( $(date +%s) + 6 * 86400 ))
restart_entcad
unset ENTCA_NOW
capi pa GET requests
t_refused "expired_cert_login_refused: six days later the 5-day certificate is no login" "$code"
t_match "the log says it is outside its validity" "client certificate $(serial_of "$D/pa.pem"): outside its validity" "$(cat "$LOG")"
restart_entcad

# --- disabled_account_cert_login_refused (issue 20 item 1) ---
enroll "$CONN" LoginUser cl "CN=INTUNECONN"
t_eq "the connector enrolls a LoginUser certificate for itself: 200" 200 "$code"
ldapmodify -x -H "$SLAPD_URI" -D "$SLAPD_ADMIN_DN" -w "$SLAPD_ADMIN_PW" >"$D/ldapmodify.out" 2>&1 <<EOF
dn: cn=INTUNECONN,ou=Computers,$SLAPD_BASE
changetype: modify
replace: userAccountControl
userAccountControl: 4098
EOF
t_eq "the connector's account is disabled in the directory" 0 "$?"
capi cl GET requests
t_refused "disabled_account_cert_login_refused: officer API with a disabled account's certificate" "$code"
capi cl POST "certificates/$(serial_of "$D/x2.pem")/revoke" '{"reason":"superseded"}'
t_refused "disabled_account_cert_login_refused: revoke" "$code"
t_match "the log says why" 'is disabled \(userAccountControl' "$(cat "$LOG")"

# --- unauthenticated_503_no_internal_detail: the directory goes away ---
kill "$SLAPD_PID"
for _ in $(seq 1 100); do kill -0 "$SLAPD_PID" 2>/dev/null || break; sleep 0.1; done
code=$(curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" -u 'someone-new:pw' "$DEMO_URL/api/v1/audit")
t_eq "directory down, Basic login: 503" 503 "$code"
t_fail "unauthenticated_503_no_internal_detail: no URI, address or LDAP text in the body" \
    grep -Eqi 'ldap|127\.0\.0\.1|:[0-9]{2,5}|contact|server' "$D/out"
t_match "the log keeps the detail" 'someone-new.*directory unavailable: .*ldap' "$(cat "$LOG")"

demo_test_stop
t_eq "SIGTERM: entcad exits 0" 0 "$?"
t_done

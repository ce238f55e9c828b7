#!/bin/bash
# publish-to-directory (issue 12 item 9): a template with the flag adds
# each issued certificate to userCertificate;binary of the subject's entry
# (OpenLDAP; plain userCertificate on AD, see samba_ad.sh), after the
# certificate is committed; a refused write is logged and the client still
# gets its certificate. The demo slapd lets the service account write
# userCertificate under ou=Users only.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

DEMO_ISSUE="PKCSIntune, Published" demo_test_setup
demo_template Published 9 -e 's/^publish-to-directory = .*/publish-to-directory = yes/'
LOG=$D/demo/entcad.log
demo_test_start

# enroll TEMPLATE NAME SUBJECT UPN: certificate PEM in $D/NAME.pem, status in $code.
enroll() {
	$CSR make "$D/$2.key" "$D/$2.b64" "$3" --upn "$4"
	code=$(curl -s -o "$D/$2.p7" -w '%{http_code}' --cacert "$DEMO_CA" -u "$CONN" \
	    -H 'Content-Type: application/pkcs10' --data-binary @"$D/$2.b64" \
	    "$DEMO_URL/.well-known/est/$1/simpleenroll")
	[ "$code" = 200 ] && base64 -d "$D/$2.p7" | openssl pkcs7 -inform DER -print_certs -out "$D/$2.pem"
}
# certs_of DN: the DER userCertificate values of DN as PEM fingerprints.
certs_of() {
	ldapsearch -LLL -o ldif-wrap=no -x -H "$SLAPD_URI" -D "$SLAPD_ADMIN_DN" -w "$SLAPD_ADMIN_PW" \
	    -b "$1" -s base 'userCertificate;binary' 2>/dev/null | $PY -c '
import base64, hashlib, sys
for l in sys.stdin:
    if l.lower().startswith("usercertificate;binary::"):
        print(hashlib.sha256(base64.b64decode(l.split("::", 1)[1])).hexdigest())'
}
fp() { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }
# wait_log REGEX: the publication runs after the answer; wait for its line.
wait_log() {
	for _ in $(seq 1 100); do grep -Eq "$1" "$LOG" && return 0; sleep 0.1; done
	return 1
}
ALICE_DN="cn=alice,ou=Users,$SLAPD_BASE"

enroll PKCSIntune a0 "CN=alice,O=Demo" alice@demo.example
t_eq "template without publish-to-directory: 200" 200 "$code"
enroll Published a1 "CN=alice,O=Demo" alice@demo.example
t_eq "publish-to-directory template: 200" 200 "$code"
wait_log "published certificate [0-9a-f]+ \(template Published\) to userCertificate of $ALICE_DN"
t_ok $? "publish_to_directory_writes_usercertificate: the log says it was published"
t_eq "alice's entry holds exactly the issued certificate (userCertificate;binary)" \
    "$(fp "$D/a1.pem")" "$(certs_of "$ALICE_DN")"
enroll Published a2 "CN=alice,O=Demo" alice@demo.example

for _ in $(seq 1 100); do [ "$(certs_of "$ALICE_DN" | wc -l)" -ge 2 ] && break; sleep 0.1; done
t_eq "a second certificate is added, the first kept" \
    "$(printf '%s\n%s\n' "$(fp "$D/a1.pem")" "$(fp "$D/a2.pem")" | sort)" "$(certs_of "$ALICE_DN" | sort)"
t_eq "the PKCSIntune certificate was not published" "" "$(certs_of "$ALICE_DN" | grep "$(fp "$D/a0.pem")")"

# The service account may not write outside ou=Users: issued, not published.
enroll Published s1 "CN=entca-svc,O=Demo" entca-svc@demo.example
t_eq "publication refused by the directory: the certificate is still issued (200)" 200 "$code"
wait_log 'certificate [0-9a-f]+ \(template Published\) is issued but not published to the directory: .*userCertificate;binary.*Insufficient access'
t_ok $? "publish_refused_logged_not_fatal: the refusal is logged with the directory's reason"
serial=$(openssl x509 -in "$D/s1.pem" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')
t_eq "and the certificate is in the store (API)" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DEMO_CA" -u "$CONN" "$DEMO_URL/api/v1/certificates/$serial")"

t_done

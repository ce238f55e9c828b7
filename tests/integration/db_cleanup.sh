#!/bin/bash
# entca db cleanup --expired-before DATE [--dry-run] (issue 15, certutil
# -deleterow), run beside a running entcad. The tool's clock is moved past
# the certificates' notAfter with ENTCA_NOW (the ca_now() seam); entcad
# keeps the real one. Checks: a DATE in the future or later than now minus
# one CRL period is refused; a dry run deletes nothing and reports what a
# run would; a run deletes expired certificates and their requests but
# keeps a revoked one while the CRLs may still list it (notAfter + CRL
# validity + one period), then deletes it; every batch is audited; entcad
# keeps serving (404 for a deleted serial, enrollment works), and its next
# CRL no longer lists the deleted revoked certificate.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"
DAY=86400
WEEK=$((7 * DAY))

demo_test_setup
# This test counts the store rows it makes.
demo_ocsp_sign_with_ca
STATE=$D/demo/ca
demo_test_start

# enroll NAME: a PKCSIntune certificate for alice in $D/NAME.pem; prints its serial.
enroll() { demo_enroll "$1" "CN=alice,O=Demo" --upn alice@demo.example; }
# getcert SERIAL: HTTP status of GET /api/v1/certificates/SERIAL (officer).
getcert() {
	curl -s -o /dev/null -w '%{http_code}' --cacert "$DEMO_CA" -u "$CONN" "$DEMO_URL/api/v1/certificates/$1"
}
ncerts() { "$ENTCA" -c "$DEMO_CONF" cert list --tsv | wc -l; }
nreqs() { "$ENTCA" -c "$DEMO_CONF" request list --all --tsv | wc -l; }

A=$(enroll a)
B=$(enroll b)
C=$(enroll c)
"$ENTCA" -c "$DEMO_CONF" revoke "$B" --reason keyCompromise >/dev/null 2>&1
t_eq "three certificates, one revoked" "3 3" "$(ncerts) $(nreqs)"
NA=$(date -d "$(openssl x509 -in "$D/a.pem" -noout -enddate | cut -d= -f2)" +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# --- refusals ---
out=$("$ENTCA" -c "$DEMO_CONF" db cleanup --expired-before "$(iso $(( $(date +%s) + DAY )))" 2>&1)
t_eq "db_cleanup_refuses_future_date: exit 1" 1 "$?"
t_match "db_cleanup_refuses_future_date: says why" "is in the future" "$out"
NOW=$((NA + 10 * DAY))
out=$(ENTCA_NOW=$NOW "$ENTCA" -c "$DEMO_CONF" db cleanup --expired-before "$(iso $((NOW - 2 * DAY)))" 2>&1)
t_eq "db_cleanup_refuses_within_crl_period: exit 1" 1 "$?"
t_match "db_cleanup_refuses_within_crl_period: says why" "later than now minus one CRL period" "$out"
out=$("$ENTCA" -c "$DEMO_CONF" db cleanup --expired-before yesterday 2>&1)
t_eq "a DATE that is not a date: exit 2" 2 "$?"
t_eq "nothing deleted by the refusals" "3 3" "$(ncerts) $(nreqs)"

# --- dry run, then a run that keeps the revoked certificate ---
DATE=$(iso $((NA + 2 * DAY)))
out=$(ENTCA_NOW=$NOW "$ENTCA" -c "$DEMO_CONF" db cleanup --expired-before "$DATE" --dry-run 2>&1)
t_eq "db_cleanup --dry-run: exit 0" 0 "$?"
t_match "db_cleanup --dry-run: reports what it would delete and keep" \
    "would delete 2 certificates .* \(0 of them revoked\) and 2 requests; kept 1 revoked" "$out"
t_eq "db_cleanup --dry-run: nothing deleted" "3 3" "$(ncerts) $(nreqs)"
out=$(ENTCA_NOW=$NOW "$ENTCA" -c "$DEMO_CONF" db cleanup --expired-before "$DATE" 2>&1)
t_eq "db_cleanup beside entcad: exit 0" 0 "$?"
t_match "db_cleanup: reports the counts" "^deleted 2 certificates .* and 2 requests; kept 1 revoked" "$out"
t_eq "db_cleanup: the revoked one is all that is left, with its request" "1 1" "$(ncerts) $(nreqs)"
t_match "db_cleanup: the row left is the revoked certificate" "^$B	revoked" "$("$ENTCA" -c "$DEMO_CONF" cert list --tsv)"
t_eq "db_cleanup: entcad no longer finds a deleted certificate (404)" 404 "$(getcert "$A")"
t_eq "db_cleanup: and still finds the kept one (200)" 200 "$(getcert "$B")"
t_match "db_cleanup: audited with its counts" '"action":"db-cleanup".*"certificates_deleted":2.*"requests_deleted":2' \
    "$("$ENTCA" -c "$DEMO_CONF" audit 5)"

# --- later, the revoked certificate's CRLs have expired: it goes too ---
NOW2=$((NA + 40 * DAY))
out=$(ENTCA_NOW=$NOW2 "$ENTCA" -c "$DEMO_CONF" db cleanup --expired-before "$(iso $((NOW2 - WEEK)))" 2>&1)
t_eq "db_cleanup_keeps_until_crls_expire: a later run: exit 0" 0 "$?"
t_match "db_cleanup_keeps_until_crls_expire: deletes the revoked one" "^deleted 1 certificates .*\(1 of them revoked\) and 1 requests; kept 0" "$out"
t_eq "db_cleanup_keeps_until_crls_expire: the store is empty" "0 0" "$(ncerts) $(nreqs)"
curl -s -o /dev/null --cacert "$DEMO_CA" -u "$CONN" -H 'Content-Type: application/json' -d '{}' \
    "$DEMO_URL/api/v1/crl/publish"
"$ENTCA" -c "$DEMO_CONF" crl publish >/dev/null 2>&1
t_eq "db_cleanup: the next CRL no longer lists the deleted revoked certificate" 0 \
    "$(openssl crl -inform DER -in "$STATE/crl/entca-demo.crl" -noout -text | grep -ci "$B")"

# --- entcad still works ---
E=$(enroll e)
t_match "db_cleanup: entcad still enrolls" '^[0-9a-f]+$' "$E"
t_eq "db_cleanup: and the new certificate is listed" 1 "$(ncerts)"
t_done

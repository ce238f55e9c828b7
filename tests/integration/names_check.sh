#!/bin/bash
# What names a certificate may carry (issue 10 items 6-7, issue 19 items
# 1-2), against a real slapd and a real entcad: subject values are text
# within their bounds; every name resolves in the directory, to one
# principal, unless the template allows names outside it; the SID URL
# follows the template. Certificates are checked with python3-cryptography
# and openssl.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"
NCSR="$PY $SRC/tests/integration/names_csr.py"
ALICE='alice:demo-alice'
ALICE_SID=$SIDP-1106 BOB_SID=$SIDP-1107
SIDURL=tag:microsoft.com,2022-09-14:sid:

DEMO_ISSUE="PKCSIntune, UserSidUrl, OpenNames, RTSupply" demo_test_setup
# From the directory with san = upn, sid-url; Domain Users enroll too.
demo_template UserSidUrl 7 \
    -e 's/^subject = .*/subject = from-directory/' -e 's/^subject-format = .*/subject-format = common-name/' \
    -e 's/^san =.*/san = upn, sid-url/' -e 's/^\[security\]/[security]\nallow = Domain Users : read, enroll/'
# Supply in request, names outside the directory allowed (a known risk).
demo_template OpenNames 8 \
    -e 's/^allow-dangerous =.*/allow-dangerous = unresolved-names\nallow-unresolved-names = yes/'
# The red team's ESC1 template: supplied in the request, Domain Users enroll.
demo_template RTSupply 9 -e 's/^allow-dangerous =.*/allow-dangerous = esc1/' \
    -e 's/^\[security\]/[security]\nallow = Domain Users : read, enroll/'
demo_test_start
URL=$DEMO_URL/.well-known/est

# enroll NAME USER TEMPLATE EXPECT-CODE BODY-REGEX names_csr-args...
enroll() {
	_n=$1 _u=$2 _t=$3 _c=$4 _re=$5; shift 5
	$NCSR "$D/$_n.b64" "$@"
	est_post "$_u" "$_t/simpleenroll" "$D/$_n.b64"
	t_eq "$_n: $_c" "$_c" "$code"
	[ -z "$_re" ] || t_match "$_n: says why" "$_re" "$(cat "$D/out")"
}

# --- the ordinary request still works ---
enroll good "$CONN" PKCSIntune 200 "" --o Demo --cn alice --upn alice@demo.example

# --- issue 10 item 6: subject values ---
enroll subject_nul_refused "$CONN" PKCSIntune 400 'subject: CN contains a NUL character' \
    --cn-hex 616c6963650078 --upn alice@demo.example
enroll subject_invalid_utf8_refused "$CONN" PKCSIntune 400 'subject: CN is not valid text' \
    --cn-hex 616c69c32865 --upn alice@demo.example
enroll subject_too_long_refused "$CONN" PKCSIntune 400 'subject: CN is 65 characters, above its bound of 64' \
    --cn "$(printf 'x%.0s' $(seq 65))" --upn alice@demo.example
enroll subject_control_refused "$CONN" PKCSIntune 400 'subject: CN contains a control character' \
    --cn-hex 611b5b324a --upn alice@demo.example
enroll subject_o_too_long_refused "$CONN" PKCSIntune 400 'subject: O is 65 characters' \
    --o "$(printf 'o%.0s' $(seq 65))" --cn alice --upn alice@demo.example

# --- issue 10 item 7: names nobody owns ---
enroll officer_unresolved_upn_refused "$CONN" PKCSIntune 403 \
    'SAN UPN nobody@demo.example is not in the directory; template PKCSIntune does not allow' \
    --cn nobody --upn nobody@demo.example
enroll officer_foreign_domain_upn_refused "$CONN" PKCSIntune 403 'nobody@evil.example is not in the directory' \
    --cn nobody --upn nobody@evil.example
enroll officer_wildcard_upn_400 "$CONN" PKCSIntune 400 "SAN UPN \\*@demo.example is malformed: a wildcard" \
    --cn x --upn '*@demo.example'
enroll officer_prefix_wildcard_upn_400 "$CONN" PKCSIntune 400 'is malformed' \
    --cn x --upn 'a*@demo.example'
enroll malformed_upn_400_not_503 "$CONN" PKCSIntune 400 'SAN UPN \* is malformed' --cn x --upn '*'
enroll malformed_upn_suffix_400_not_503 "$CONN" PKCSIntune 400 'SAN UPN alice\* is malformed' \
    --cn x --upn 'alice*'
enroll uri_san_outside_directory_refused "$CONN" PKCSIntune 403 'SAN URI https://evil is not in the directory' \
    --cn alice --upn alice@demo.example --uri https://evil

# allow-unresolved-names: the officer gets the name, without any SID.
enroll open_template_outside_names "$CONN" OpenNames 200 "" \
    --cn alice --upn alice@demo.example --uri https://evil
p7_to_pem "$D/out" "$D/open.pem"
F=$($CSR fields "$D/open.pem")
t_match "open template: the URI is certified" 'san_uri=https://evil' "$F"
t_eq "open template: no SID extension" "" "$(echo "$F" | grep '^sid=')"
t_eq "open template: no SID URL" "" "$(echo "$F" | grep "san_uri=$SIDURL")"
enroll open_template_still_refuses_malformed "$CONN" OpenNames 400 'is malformed' --cn x --upn '*@demo.example'

# --- issue 19 item 1: the SID URL follows the template ---
$CSR make "$D/sidurl.key" "$D/sidurl.b64" "CN=alice" --upn alice@demo.example
t_est "template_sid_url_added: 200" 200 "$CONN" UserSidUrl/simpleenroll "$D/sidurl.b64"
p7_to_pem "$D/out" "$D/sidurl.pem"
F=$($CSR fields "$D/sidurl.pem")
t_match "template_sid_url_added: SID URL with alice's objectSid (cryptography)" "san_uri=$SIDURL$ALICE_SID\$" "$F"
t_match "template_sid_url_added: SID extension too" "sid=$ALICE_SID" "$F"
t_match "template_sid_url_added: openssl sees the URI" "URI:$SIDURL$ALICE_SID" \
    "$(openssl x509 -in "$D/sidurl.pem" -noout -ext subjectAltName)"
enroll request_sid_url_matching_accepted "$CONN" PKCSIntune 200 "" \
    --cn alice --upn alice@demo.example --uri "$SIDURL$ALICE_SID"
enroll request_sid_url_mismatch_refused "$CONN" PKCSIntune 400 \
    "two principals: SID URL $BOB_SID is bob, SAN UPN alice@demo.example is alice" \
    --cn alice --upn alice@demo.example --uri "$SIDURL$BOB_SID"
enroll request_sid_url_foreign_non_officer "$ALICE" UserSidUrl 403 "SID: $BOB_SID in the request is not alice's" \
    --cn alice --uri "$SIDURL$BOB_SID"

# --- issue 19 item 2: one principal per request ---
enroll upn_vs_sid_url_conflict "$CONN" UserSidUrl 400 'two principals: SID URL .* is bob, SAN UPN alice@demo.example is alice' \
    --cn alice --upn alice@demo.example --uri "$SIDURL$BOB_SID"
enroll upn_vs_sid_extension_conflict "$CONN" PKCSIntune 400 'two principals: SID extension .* is bob, SAN UPN alice@demo.example is alice' \
    --cn alice --upn alice@demo.example --sid "$BOB_SID"
enroll sid_extension_vs_sid_url_conflict "$CONN" PKCSIntune 400 \
    "two principals: SID extension $ALICE_SID is alice, SID URL $BOB_SID is bob" \
    --cn alice --upn alice@demo.example --sid "$ALICE_SID" --uri "$SIDURL$BOB_SID"
enroll dns_vs_upn_conflict "$CONN" PKCSIntune 400 'SAN UPN alice@demo.example is alice, SAN DNS laptop01.demo.example is LAPTOP01\$' \
    --cn alice --upn alice@demo.example --dns laptop01.demo.example
enroll email_vs_upn_conflict "$CONN" PKCSIntune 400 'SAN UPN alice@demo.example is alice, SAN email bob@demo.example is bob' \
    --cn alice --upn alice@demo.example --email bob@demo.example
enroll cn_vs_upn_conflict "$CONN" PKCSIntune 400 'SAN UPN alice@demo.example is alice, subject CN bob is bob' \
    --cn bob --upn alice@demo.example
enroll cn_upn_vs_upn_conflict "$CONN" PKCSIntune 400 'subject CN bob@demo.example is bob' \
    --cn bob@demo.example --upn alice@demo.example
enroll from_directory_conflict_refused "$ALICE" UserSidUrl 400 'two principals' \
    --cn alice --upn alice@demo.example --email bob@demo.example

# --- red team names_subject: every identity-bearing subject value resolves ---
BOB='bob:demo-bob' BUPN=bob@demo.example
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
enroll subject_uid_other_principal_refused "$BOB" RTSupply 400 \
    'two principals: SAN UPN bob@demo.example is bob, subject UID pkiadmin is pkiadmin' \
    --cn bob --uid pkiadmin --upn $BUPN
enroll subject_uid_officer_other_principal_refused "$CONN" PKCSIntune 400 \
    'two principals: SAN UPN alice@demo.example is alice, subject UID pkiadmin is pkiadmin' \
    --cn alice --uid pkiadmin --upn alice@demo.example
enroll subject_uid_nobody_refused "$BOB" RTSupply 403 'subject UID nobody9 is not in the directory' \
    --cn bob --uid nobody9 --upn $BUPN
enroll subject_uid_own_accepted "$BOB" RTSupply 200 "" --cn bob --uid bob --upn $BUPN
# bob's subject CN on the red team's template, one case a line:
# NAME|STATUS|REASON|CN, the CN in printf %b escapes (\xHH a byte, \\ a
# backslash).
while IFS='|' read -r name want why cn; do
	enroll "$name" "$BOB" RTSupply "$want" "$why" --cn-hex "$(hex "$(printf '%b' "$cn")")" --upn $BUPN </dev/null
done <<'TABLE'
subject_trailing_space_refused|400|subject: CN has leading or trailing whitespace|pkiadmin\x20
subject_trailing_space_upn_cn_refused|400|subject: CN has leading or trailing whitespace|pkiadmin@demo.example\x20
subject_domain_backslash_cn_resolved|400|two principals: SAN UPN bob@demo.example is bob, subject CN DEMO.pkiadmin is pkiadmin|DEMO\\pkiadmin
subject_realm_backslash_cn_resolved|400|subject CN demo.example.pkiadmin is pkiadmin|demo.example\\pkiadmin
subject_domain_backslash_cn_own_accepted|200||DEMO\\bob
subject_other_domain_cn_refused|403|subject CN EVIL.pkiadmin is not in the directory|EVIL\\pkiadmin
subject_zero_width_refused|400|subject: CN contains U\+200B, a zero-width|pkiadmin\xe2\x80\x8b
subject_nbsp_refused|400|subject: CN contains U\+00A0, a non-ASCII space|pkiadmin\xc2\xa0
subject_bidi_refused|400|subject: CN contains U\+202E, a bidirectional control|bob \xe2\x80\xaenimda\xe2\x80\xac
subject_fullwidth_lookalike_refused|400|looks like an account name but is not ASCII|\xef\xbd\x90\xef\xbd\x8b\xef\xbd\x89admin
subject_cyrillic_lookalike_refused|400|looks like an account name but is not ASCII|pkiadm\xd1\x96n
subject_accented_display_name_accepted|200||Jos\xc3\xa9 M\xc3\xbcller
TABLE
p7_to_pem "$D/out" "$D/accents.pem"
t_match "subject_accented_display_name_accepted: the CN is kept as sent" 'CN ?= ?José Müller' \
    "$(openssl x509 -in "$D/accents.pem" -noout -subject -nameopt utf8)"

# --- Certifried: two accounts with one dNSHostName ---
for c in LAPTOP01 INTUNECONN; do
	ldapmodify -x -H "$SLAPD_URI" -D "$SLAPD_ADMIN_DN" -w "$SLAPD_ADMIN_PW" >>"$D/ldapmodify.out" 2>&1 <<EOF
dn: cn=$c,ou=Computers,$SLAPD_BASE
changetype: modify
replace: dNSHostName
dNSHostName: dc01.demo.example
EOF
	t_eq "dns_ambiguous_named: $c has dNSHostName dc01.demo.example" 0 "$?"
done
enroll dns_ambiguous_named "$CONN" PKCSIntune 400 'SAN DNS dc01.demo.example is ambiguous: 2 accounts have it' \
    --cn dc01 --dns dc01.demo.example
enroll dns_ambiguous_named_open_template "$CONN" OpenNames 400 'SAN DNS dc01.demo.example is ambiguous: 2 accounts have it' \
    --cn dc01 --dns dc01.demo.example

# --- the audit says why, and says when names were outside the directory ---
"$BUILD/entca" -c "$DEMO_CONF" audit 1000 >"$D/audit.txt"
t_match "audit: the conflict is recorded as denied" '"decision":"denied".*two principals' "$(cat "$D/audit.txt")"
t_match "audit: names outside the directory are said" 'names outside the directory \(SAN URI https://evil\): no SID' \
    "$(cat "$D/audit.txt")"

demo_test_stop
t_done

#!/bin/bash
# entca against a real Active Directory: a Samba AD DC provisioned by
# tests/samba/samba-start.sh (skipped, with the reason, where that cannot
# run). Strong auth on (StartTLS), templates and their security
# descriptors imported from the DC with `entca template import-ldif`,
# enrollment through the connector's computer account, rights through
# nested groups and tokenGroups, AD's bind refusals by name, the e-mail in
# the User template's subject, and publish-to-directory writing plain
# userCertificate (AD has no ;binary).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

out=$(SAMBA_WATCH_PID=$$ "$SRC/tests/samba/samba-start.sh" "$D/samba" 2>"$D/samba.err")
rc=$?
[ $rc -eq 77 ] && t_skip_all "Samba AD DC: $(sed 's/^samba-start.sh: //' "$D/samba.err" | tail -1)"
[ $rc -eq 0 ] || t_skip_all "Samba AD DC failed to start: $(tail -1 "$D/samba.err")"
eval "$out"
T_PIDS="$T_PIDS $SAMBA_PID"
export LDAPTLS_CACERT=$SAMBA_CA_FILE
TMPL_DN="CN=Certificate Templates,CN=Public Key Services,CN=Services,CN=Configuration,$SAMBA_BASE"
# ad ARGS...: ldapsearch as the domain administrator over StartTLS.
ad() { ldapsearch -LLL -o ldif-wrap=no -x -ZZ -H "$SAMBA_URI" -D "$SAMBA_ADMIN_DN" -w "$SAMBA_ADMIN_PW" "$@"; }
# sid_of NAME: objectSid as S-1-... (AD returns it binary).
sid_of() {
	ad -b "$SAMBA_BASE" "(sAMAccountName=$1)" objectSid | $PY -c '
import base64, sys
for l in sys.stdin:
    if l.startswith("objectSid:: "):
        b = base64.b64decode(l.split(":: ", 1)[1])
        auth = int.from_bytes(b[2:8], "big")
        subs = [int.from_bytes(b[8 + 4 * i:12 + 4 * i], "little") for i in range(b[1])]
        print("S-%d-%d%s" % (b[0], auth, "".join("-%d" % x for x in subs)))'
}

t_match "strong auth: a simple bind without TLS is refused by the DC" 'Strong\(er\) authentication required' \
    "$(ldapsearch -x -H "$SAMBA_URI" -D "$SAMBA_ADMIN_DN" -w "$SAMBA_ADMIN_PW" -b '' -s base 2>&1)"
t_match "CDP and AIA containers exist under Public Key Services" 'CN=AIA,CN=Public Key Services.*CN=CDP,CN=Public Key Services' \
    "$(ad -b "CN=Public Key Services,CN=Services,CN=Configuration,$SAMBA_BASE" -s one dn | sort | tr '\n' ' ')"

# --- the demo CA, pointed at the DC ---
DEMO_ISSUE="PKCSIntune, User" DEMO_LOG_LEVEL=debug DEMO_WATCH_PID=$$ \
    demo_setup "$D/demo" "$(free_port)" "$(free_port)" >/dev/null || t_skip_all "demo set-up failed"
printf '%s\n' "$SAMBA_SVC_PW" >"$D/demo/ldap.secret"
sed -i -e "s|^uri = .*|uri = $SAMBA_URI|" -e "s|^base = .*|base = $SAMBA_BASE|" \
    -e "s|^bind-dn = .*|bind-dn = $SAMBA_SVC_DN|" -e "s|^ca-file = .*|ca-file = $SAMBA_CA_FILE|" \
    -e '/^publish-dn = /d' "$DEMO_CONF"
LOG=$D/demo/entcad.log

# --- import-ldif: with the SD-flags control, and without the descriptor ---
rm -f "$D/demo/templates/"*.tmpl
ad -E '1.2.840.113556.1.4.801=::MAMCAQc=' -b "$TMPL_DN" '(objectClass=pKICertificateTemplate)' \
    '*' nTSecurityDescriptor >"$D/sd.ldif"
t_match "the DC returns nTSecurityDescriptor with the SD-flags control" '^nTSecurityDescriptor:: ' "$(cat "$D/sd.ldif")"
ENTCA_TEMPLATES=$D/demo/templates "$BUILD/entca" template import-ldif "$D/sd.ldif" >"$D/imp.out" 2>&1
t_eq "import-ldif of the DC's templates: exit 0" 0 "$?"
t_eq "no warning when the descriptors are there" "" "$(grep WARNING "$D/imp.out")"
DU_SID=$(sid_of 'Domain Users')
CONN_SID=$(sid_of 'INTUNECONN$')
t_match "User: Domain Users may enroll (from the DC's descriptor)" "^allow = $DU_SID : enroll" "$(cat "$D/demo/templates/User.tmpl")"
t_match "User: the e-mail name flag survives (0xA6000000)" '^subject-email = yes$' "$(cat "$D/demo/templates/User.tmpl")"
t_match "PKCSIntune: the connector may read and enroll" "^allow = $CONN_SID : read, enroll" "$(cat "$D/demo/templates/PKCSIntune.tmpl")"
mkdir -p "$D/nosd" && chmod 700 "$D/nosd"
ad -b "$TMPL_DN" '(cn=User)' >"$D/nosd.ldif"
ENTCA_TEMPLATES=$D/nosd "$BUILD/entca" template import-ldif "$D/nosd.ldif" >"$D/imp2.out" 2>&1
t_match "import-ldif without the descriptor warns and says how to export it" \
    "WARNING: .*no nTSecurityDescriptor.*1\.2\.840\.113556\.1\.4\.801=::MAMCAQc=" "$(cat "$D/imp2.out")"
chmod 600 "$D/demo/templates/"*.tmpl

demo_start_entcad || { cat "$LOG"; t_skip_all "entcad did not start against the DC"; }
T_PIDS="$T_PIDS $DEMO_PID"

# enroll USER:PW TEMPLATE NAME [csr.py make args...]: status in $code, PEM in $D/NAME.pem.
enroll() {
	_c=$1 _t=$2 _n=$3; shift 3
	$CSR make "$D/$_n.key" "$D/$_n.b64" "$@"
	code=$(curl -s -o "$D/$_n.p7" -w '%{http_code}' --cacert "$DEMO_CA" -u "$_c" \
	    -H 'Content-Type: application/pkcs10' --data-binary @"$D/$_n.b64" \
	    "$DEMO_URL/.well-known/est/$_t/simpleenroll")
	[ "$code" = 200 ] && base64 -d "$D/$_n.p7" | openssl pkcs7 -inform DER -print_certs -out "$D/$_n.pem"
	return 0
}
ALICE_SID=$(sid_of alice)

# --- the connector enrolls for alice, every login form ---
for who in 'INTUNECONN$' 'DEMO\INTUNECONN$' 'INTUNECONN$@demo.example'; do
	enroll "$who:demo-connector" PKCSIntune c1 "CN=alice,O=Demo" --upn alice@demo.example
	t_eq "connector logs in as $who and enrolls for alice: 200" 200 "$code"
done
t_match "SID extension carries alice's objectSid from the DC" "sid=$ALICE_SID" "$($CSR fields "$D/c1.pem")"
t_match "debug log: groups through tokenGroups on AD" \
    'authenticated CN=INTUNECONN,CN=Computers,DC=demo,DC=example .*groups via tokenGroups' "$(cat "$LOG")"
t_match "debug log: the template right from the imported descriptor" \
    "template PKCSIntune rights for CN=INTUNECONN.*allow '$CONN_SID' via the account itself: read, enroll" "$(cat "$LOG")"

# --- rights ---
enroll 'bob@demo.example:demo-bob' PKCSIntune b1 "CN=bob" --upn bob@demo.example
t_eq "bob may not enroll in PKCSIntune: 403" 403 "$code"
code=$(curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" -u 'pkiadmin@demo.example:demo-admin' \
    -H 'Content-Type: application/json' -d '{"delta":true}' "$DEMO_URL/api/v1/crl/publish")
t_match "pkiadmin is a CA admin through PKI Admins (not 401/403)" '^(200|500|503)$' "$code"
enroll 'pkiadmin@demo.example:demo-admin' PKCSIntune p1 "CN=pkiadmin" --upn pkiadmin@demo.example
t_eq "pkiadmin has no enroll right on PKCSIntune: 403" 403 "$code"
t_match "debug log: officer through the nested group (pkiadmin in PKI Admins in Cert Officers)" \
    "CA rights for CN=pkiadmin.*allow 'Cert Officers' via group CN=Cert Officers,CN=Users,DC=demo,DC=example: read, officer" "$(cat "$LOG")"

# --- User template: subject and SANs from the DC, E= in the subject, published ---
enroll 'alice@demo.example:demo-alice' User u1 "CN=ignored"
t_eq "alice enrolls in User (Domain Users enroll): 200" 200 "$code"
t_eq "subject is alice's DN with E= (emailAddress, Name-Flag 0xA6000000)" \
    "1.2.840.113549.1.9.1=alice@demo.example,CN=alice,CN=Users,DC=demo,DC=example" "$($CSR subject "$D/u1.pem")"
for _ in $(seq 1 100); do grep -q 'published certificate .* (template User)\|not published' "$LOG" && break; sleep 0.1; done
t_match "publish-to-directory: written to alice's entry" \
    "published certificate [0-9a-f]+ \(template User\) to userCertificate of CN=alice,CN=Users" "$(cat "$LOG")"
FP=$(openssl x509 -in "$D/u1.pem" -outform DER | base64 -w0)
ad -b "CN=alice,CN=Users,$SAMBA_BASE" -s base userCertificate >"$D/alice.ldif"
t_run "AD holds it in plain userCertificate (no ;binary)" grep -qxF "userCertificate:: $FP" "$D/alice.ldif"

# --- AD's bind refusals, each by name in the log ---
for c in 'alice@demo.example:wrong:bad password' 'carol@demo.example:demo-carol:account disabled' \
    'frank@demo.example:demo-frank:password must be changed' 'dave@demo.example:demo-dave:account locked'; do
	u=${c%%:*} r=${c##*:}
	enroll "${c%:*}" PKCSIntune x "CN=x" --upn "$u"
	t_eq "$u ($r): 401" 401 "$code"
	t_match "ad_bind_reason_logged: $u refused as '$r'" "authentication of \"$u\" from .* failed: $r" "$(cat "$LOG")"
done
t_match "the DC's own words are kept (data 773)" 'data 773' "$(cat "$LOG")"

# --- LDAPS, and a wrong ca-file named as such ---
restart() {
	[ -n "$DEMO_PID" ] && { kill "$DEMO_PID"; wait "$DEMO_PID" 2>/dev/null; }
	sed -i "$@" "$DEMO_CONF"
	: >"$LOG"
	demo_start_entcad || { cat "$LOG"; t_skip_all "entcad did not restart"; }
	T_PIDS="$T_PIDS $DEMO_PID"
}
restart -e "s|^uri = .*|uri = $SAMBA_LDAPS_URI|" -e 's|^tls = .*|tls = ldaps|'
enroll "$CONN" PKCSIntune l1 "CN=alice,O=Demo" --upn alice@demo.example
t_eq "the connector enrolls over LDAPS to the DC: 200" 200 "$code"
# Without the directory entcad cannot check its allow/deny lines: it
# refuses to start, and says why.
kill "$DEMO_PID"; wait "$DEMO_PID" 2>/dev/null
sed -i "s|^ca-file = .*|ca-file = $DEMO_CA|" "$DEMO_CONF"
: >"$LOG"
demo_start_refused
t_run "wrong ca-file: entcad refuses to start" [ "$DEMO_REFUSED_RC" -ne 0 ]
t_match "dir_tls_wrong_ca_named: the DC's certificate failed verification, said so" \
    'the server certificate failed verification: The certificate issuer is unknown' "$(cat "$LOG")"

# --- CRL publication into AD (issue 12 item 1) ---
# AD's schema has no ;binary option: entca must write certificateRevocationList
# and deltaRevocationList bare, and the DC must then hold exactly the bytes
# HTTP serves. AD CS writes as the CA's computer account (Cert Publishers);
# this binds as the domain administrator, whom AD refused the ;binary form.
CDP_HOST_DN="CN=entca-test,CN=CDP,CN=Public Key Services,CN=Services,CN=Configuration,$SAMBA_BASE"
CDP_DN="CN=entca-demo,$CDP_HOST_DN"
printf 'dn: %s\nobjectClass: container\n\ndn: %s\nobjectClass: cRLDistributionPoint\n' \
    "$CDP_HOST_DN" "$CDP_DN" >"$D/cdp.ldif"
ldapadd -x -ZZ -H "$SAMBA_URI" -D "$SAMBA_ADMIN_DN" -w "$SAMBA_ADMIN_PW" -f "$D/cdp.ldif" >"$D/cdp.out" 2>&1
t_eq "the CDP object is created under Public Key Services" 0 "$?"
printf '%s\n' "$SAMBA_ADMIN_PW" >"$D/demo/ldap.secret"
sed -i -e "s|^uri = .*|uri = $SAMBA_URI|" -e 's|^tls = .*|tls = starttls|' \
    -e "s|^ca-file = .*|ca-file = $SAMBA_CA_FILE|" \
    -e "s|^bind-dn = .*|bind-dn = CN=Administrator,CN=Users,$SAMBA_BASE|" \
    -e "/^\[crl\]/a publish-dn = $CDP_DN" "$DEMO_CONF"
: >"$LOG"
demo_start_entcad || { cat "$LOG"; t_skip_all "entcad did not start with publish-dn"; }
T_PIDS="$T_PIDS $DEMO_PID"
"$BUILD/entca" -c "$DEMO_CONF" crl publish >"$D/pub.out" 2>&1
t_eq "entca crl publish against the DC: exit 0" 0 "$?"
"$BUILD/entca" -c "$DEMO_CONF" crl publish --delta >>"$D/pub.out" 2>&1
t_eq "entca crl publish --delta against the DC: exit 0" 0 "$?"
# crl_from_dc ATTR OUT: the DC's value of ATTR on the CDP object, as DER.
crl_from_dc() {
	ad -b "$CDP_DN" -s base "$1" | sed -n "s/^$1:: //p" | base64 -d >"$2"
}
crl_from_dc certificateRevocationList "$D/dc-full.crl"
crl_from_dc deltaRevocationList "$D/dc-delta.crl"
t_eq "crl_published_to_ad_without_binary: the DC holds the served full CRL" \
    "$(sha256sum <"$D/demo/ca/crl/entca-demo.crl")" "$(sha256sum <"$D/dc-full.crl")"
t_eq "crl_published_to_ad_without_binary: the DC holds the served delta CRL" \
    "$(sha256sum <"$D/demo/ca/crl/entca-demo+.crl")" "$(sha256sum <"$D/dc-delta.crl")"
t_run "openssl reads the DC's CRL" openssl crl -inform DER -in "$D/dc-full.crl" -noout
t_eq "no ;binary write refused in the log" "" \
    "$(grep -i 'not found in the schema\|No such attribute' "$LOG" "$D/pub.out")"

# --- restart_leaves_unchanged_directory_crl_alone, on the DC (uSNChanged) ---
# A start finds both CRLs in place, unchanged since they were written, and
# does not send them to the DC again.
kept() { echo "directory: $1 CRL number [0-9]+ already in .*not written again"; }
f0=$(demo_log_count "$(kept full)") d0=$(demo_log_count "$(kept delta)")
kill "$DEMO_PID"; wait "$DEMO_PID" 2>/dev/null
demo_start_entcad || { tail -5 "$LOG"; t_skip_all "entcad did not start again"; }
T_PIDS="$T_PIDS $DEMO_PID"
demo_log_wait "$(kept full)" $((f0 + 1)) && demo_log_wait "$(kept delta)" $((d0 + 1))
t_ok $? "restart_leaves_unchanged_directory_crl_alone: the DC's full and delta CRL are left as they are"

t_done

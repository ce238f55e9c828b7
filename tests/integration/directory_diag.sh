#!/bin/bash
# What the log tells an operator about the directory (issue 12 items 5, 6):
# at [log] level = debug, how each login was checked (bind or cache,
# tokenGroups or a memberOf walk) and which allow/deny entry gave which
# right, through the account or which group; a wrong [directory] ca-file
# says the server certificate failed verification, for StartTLS and LDAPS.
# AD's bind sub-codes (525 ... 775) are unit-tested in test_directory
# (test_ad_bind_reason) and against Samba AD in samba_ad.sh.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

DEMO_LOG_LEVEL=debug demo_test_setup
LOG=$D/demo/entcad.log
demo_test_start

# enroll USER:PW: status in $code.
enroll() { est_post "$1" PKCSIntune/simpleenroll "$D/alice.b64"; }
# restart [sed expressions...]: edit entcad.conf, restart entcad.
restart() {
	[ -n "$DEMO_PID" ] && { kill "$DEMO_PID"; wait "$DEMO_PID" 2>/dev/null; }
	[ $# -gt 0 ] && sed -i "$@" "$DEMO_CONF"
	: >"$LOG"
	demo_test_start restart
}
# start_refused [sed expressions...]: edit entcad.conf, stop entcad and
# start it again expecting it to refuse: without the directory it cannot
# check its allow/deny lines, so it does not serve (fail closed).
start_refused() {
	[ -n "$DEMO_PID" ] && { kill "$DEMO_PID"; wait "$DEMO_PID" 2>/dev/null; }
	[ $# -gt 0 ] && sed -i "$@" "$DEMO_CONF"
	: >"$LOG"
	demo_start_refused
	refused_rc=$DEMO_REFUSED_RC
}

$CSR make "$D/alice.key" "$D/alice.b64" "CN=alice,O=Demo" --upn alice@demo.example
enroll "$CONN"
t_eq "connector enrolls: 200" 200 "$code"
t_match "debug_log_auth_path: bind checked by the directory, groups via a memberOf walk (slapd)" \
    'authenticated .*INTUNECONN.*password bind checked by the directory; [0-9]+ groups, groups via memberOf walk' "$(cat "$LOG")"
t_match "debug_log_ca_right_reason: the CA entry that names the account itself" \
    "CA rights for .*INTUNECONN.*allow 'INTUNECONN\\$' via the account itself: read, request, officer" "$(cat "$LOG")"
t_match "debug log: template rights, with the group path for Authenticated Users" \
    "template PKCSIntune rights for .*allow 'Authenticated Users' via group Authenticated Users: read.*allow 'INTUNECONN\\$' via the account itself: read, enroll" "$(cat "$LOG")"
t_match "debug log: the policy decision" 'simpleenroll: policy: issue' "$(cat "$LOG")"
enroll "$CONN"
t_match "debug_log_cache_hit: the second login is answered from the cache" \
    'password bind answered from the cache' "$(cat "$LOG")"
$CSR make "$D/carol.key" "$D/carol.b64" "CN=carol" --upn carol@demo.example
code=$(curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" -u 'bob@demo.example:demo-bob' \
    -H 'Content-Type: application/pkcs10' --data-binary @"$D/alice.b64" \
    "$DEMO_URL/.well-known/est/PKCSIntune/simpleenroll")
t_eq "bob without enroll: 403" 403 "$code"
t_match "debug log: a CA right through a group (Domain Users)" \
    "CA rights for .*bob.*allow 'Domain Users' via group [^:]*: read, request" "$(cat "$LOG")"
t_match "debug log: the refusal and its reason" 'policy: deny: .*enroll' "$(cat "$LOG")"
t_eq "no password ever in the log" "" "$(grep -E 'demo-connector|demo-bob' "$LOG")"

# --- an AD-like slapd: tokenGroups path ---
eval "$(SLAPD_AD_MODE=1 SLAPD_WATCH_PID=$$ "$SRC/tests/slapd/slapd-start.sh" "$D/adslapd" | sed 's/^SLAPD_/AD_SLAPD_/')" ||
    t_skip_all "AD-mode slapd did not start"
restart -e "s|^uri = .*|uri = $AD_SLAPD_URI|" -e "s|^ca-file = .*|ca-file = $AD_SLAPD_CA_FILE|"
enroll "$CONN"
t_eq "connector enrolls against the AD-like directory: 200" 200 "$code"
t_match "debug_log_auth_path: groups via tokenGroups on AD" \
    'authenticated .*INTUNECONN.*password bind checked by the directory; [0-9]+ groups, groups via tokenGroups$' "$(cat "$LOG")"

# ocsp_signers: how many OCSP response signing certificates the store holds.
ocsp_signers() {
	"$BUILD/entca" -c "$DEMO_CONF" cert list --template OCSPResponseSigning --all --csv |
	    tail -n +2 | wc -l
}
N_OCSP=$(ocsp_signers)

# --- a wrong ca-file: the server certificate failed verification ---
start_refused -e "s|^ca-file = .*|ca-file = $DEMO_CA|"
t_run "wrong ca-file: entcad refuses to start" [ "$refused_rc" -ne 0 ]
# The OCSP responder's first key is made while the start goes on; a start
# refused meanwhile must not have the CA sign (or record) its certificate,
# or every restart of a unit that cannot reach its directory adds one.
t_eq "refused_start_signs_no_ocsp_certificate" "$N_OCSP" "$(ocsp_signers)"
t_match "dir_tls_wrong_ca_named: StartTLS failure says the certificate failed verification" \
    'StartTLS failed: Connect error: the server certificate failed verification: The certificate issuer is unknown. \(ca-file [^;]*ca.crt; subject CN=' \
    "$(cat "$LOG")"
start_refused -e "s|^uri = .*|uri = $AD_SLAPD_LDAPS_URI|" -e "s|^tls = .*|tls = ldaps|"
t_run "wrong ca-file over LDAPS: entcad refuses to start" [ "$refused_rc" -ne 0 ]
t_match "dir_tls_wrong_ca_named: LDAPS failure says the certificate failed verification" \
    'the server certificate failed verification: The certificate issuer is unknown' "$(cat "$LOG")"
restart -e "s|^ca-file = .*|ca-file = $AD_SLAPD_CA_FILE|"
enroll "$CONN"
t_eq "right ca-file over LDAPS: 200" 200 "$code"

t_done

#!/bin/bash
# The directory copy of the CRLs across entcad restarts (issue 18). A start
# whose served CRLs are already in the CDP entry, unchanged since entcad
# wrote them, does not write them again: with a million revocations a full
# CRL is ~40 MB, and every write is replicated to every domain controller.
# Any other write to the entry since (an older CRL put back by hand or by a
# restore of the directory) changes the entry's stamp (entryCSN here,
# uSNChanged on AD), and the start writes the served CRL again.
#
# Every step waits for an event (a log line), never for a time.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

demo_test_setup
CDP_DN="cn=ENTCA,cn=CDP,cn=Public Key Services,cn=Services,cn=Configuration,$SLAPD_BASE"
touch "$DEMO_STATE/entcad.log"

# entry ATTR...: the CDP entry's attributes as the service account sees them.
entry() {
	ldapsearch -x -LLL -o ldif-wrap=no -H "$SLAPD_URI" -D "$SLAPD_SVC_DN" -w "$SLAPD_SVC_PW" \
	    -b "$CDP_DN" -s base "$@" 2>/dev/null
}
csn() { entry entryCSN | sed -n 's/^entryCSN: //p'; }
# ldapcrl: the full CRL in the directory, into $D/ldap.crl.
ldapcrl() {
	entry certificateRevocationList | sed -n 's/^certificateRevocationList[;a-z]*:: //p' |
	    base64 -d >"$D/ldap.crl"
}
served() { curl -s -o "$D/served.crl" "$DEMO_CRL_URL/crl/entca-demo.crl"; }
restart() { demo_test_stop; demo_test_start "start again"; }
WRITTEN='directory: (full|delta) CRL number [0-9]+ written to'
UNCHANGED='directory: (full|delta) CRL number [0-9]+ already in .*not written again'

demo_test_start
demo_log_wait "$WRITTEN" 2
t_ok $? "first start: the full and the delta CRL are written to the directory"
ldapcrl; served
t_eq "the directory holds the served full CRL" "$(sha256sum <"$D/served.crl")" "$(sha256sum <"$D/ldap.crl")"
cp "$D/ldap.crl" "$D/first.crl"
C0=$(csn)
t_match "slapd keeps a change stamp on the entry (entryCSN)" '^[0-9]{14}\.[0-9]{6}Z#' "$C0"

# --- restart_leaves_unchanged_directory_crl_alone ---
w0=$(demo_log_count "$WRITTEN")
restart
demo_log_wait "$UNCHANGED" 2
t_ok $? "restart_leaves_unchanged_directory_crl_alone: both CRLs found in place and not written"
t_eq "restart_leaves_unchanged_directory_crl_alone: no directory write logged" "$w0" "$(demo_log_count "$WRITTEN")"
t_eq "restart_leaves_unchanged_directory_crl_alone: the entry's entryCSN did not move" "$C0" "$(csn)"
health
t_match "/health: nothing pending for the directory" '"full_pending":false.*"delta_pending":false' "$body"

# A new full CRL from the API is written (its number is not the one kept).
f0=$(demo_log_count 'directory: full CRL number [0-9]+ written to')
t_api "POST crl/publish: 200" 200 "$ADMIN" crl/publish '{}'
N=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["number"])' "$D/out")
demo_log_wait "directory: full CRL number $N written to" 1
t_ok $? "a new full CRL is written to the directory"
ldapcrl; served
t_eq "and the directory holds it" "$(sha256sum <"$D/served.crl")" "$(sha256sum <"$D/ldap.crl")"

# --- replayed_directory_crl_rewritten_at_start ---
# With entcad stopped, the first (older, validly signed) CRL is put back
# into the entry: a relying party reading LDAP would miss every revocation
# since. The entry's stamp moved, so the start must write the served CRL.
demo_test_stop
printf 'dn: %s\nchangetype: modify\nreplace: certificateRevocationList;binary\ncertificateRevocationList;binary:< file://%s\n' \
    "$CDP_DN" "$D/first.crl" >"$D/replay.ldif"
ldapmodify -x -H "$SLAPD_URI" -D "$SLAPD_ADMIN_DN" -w "$SLAPD_ADMIN_PW" -f "$D/replay.ldif" >/dev/null 2>&1
t_ok $? "the older CRL is put back into the directory while entcad is stopped"
ldapcrl
t_eq "the directory now holds the older CRL" "$(sha256sum <"$D/first.crl")" "$(sha256sum <"$D/ldap.crl")"
f0=$(demo_log_count "directory: full CRL number $N written to")
d0=$(demo_log_count 'directory: delta CRL number [0-9]+ written to')
restart
demo_log_wait "directory: full CRL number $N written to" $((f0 + 1))
t_ok $? "replayed_directory_crl_rewritten_at_start: the start writes the served full CRL again"
ldapcrl; served
t_eq "replayed_directory_crl_rewritten_at_start: the directory holds the served CRL, not the replayed one" \
    "$(sha256sum <"$D/served.crl")" "$(sha256sum <"$D/ldap.crl")"
demo_log_wait 'directory: delta CRL number [0-9]+ written to' $((d0 + 1))
t_ok $? "replayed_directory_crl_rewritten_at_start: the delta is written again too (the stamp is the entry's)"

# --- tool_publish_writes_directory ---
# The operator's `entca crl publish` always writes (it asks for exactly
# that); the running entcad then finds the tool's CRL in place.
"$ENTCA" -c "$DEMO_CONF" crl publish >"$D/tool.out" 2>&1
t_eq "entca crl publish: exit 0" 0 "$?"
t_match "it wrote the directory copy" 'written to the directory at' "$(cat "$D/tool.out")"
N=$(crl_info "$DEMO_STATE/ca/crl/entca-demo.crl" | sed -n 's/^number=//p')
demo_log_wait "directory: full CRL number $N already in" 1
t_ok $? "entcad adopts the tool's CRL and finds it in the directory already"
t_eq "and does not write it again" 0 "$(demo_log_count "directory: full CRL number $N written")"
t_done

#!/bin/bash
# One CRL state machine (issue 20 items 3, 4, 9; issue 12 item 1; issue 14):
# the directory step failing never stops HTTP from serving the newest CRL
# nor burns CRL numbers; a host `entca crl publish`, a restored backup or a
# failing directory never make entcad loop publishing CRLs; a restored
# store numbers above every CRL published and recovers the revocations
# they list; unknown serials can be revoked; thisUpdate never goes back;
# an expired revoked certificate stays on one CRL issued after it expired.
#
# Every count is taken after waiting for an event (a log line, a number
# in the store's high-water file), never after a sleep. The directory comes
# from the demo fixture (SLAPD_*), so the same script runs against another
# fixture that sets those variables.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

demo_test_setup
LOG=$D/demo/entcad.log
HW=$D/demo/ca/crl.highwater
CDP_DN="cn=ENTCA,cn=CDP,cn=Public Key Services,cn=Services,cn=Configuration,$SLAPD_BASE"
CRL_URL=$DEMO_CRL_URL/crl/entca-demo
URL=$DEMO_URL
# The service account may read the base entry but not write it: an ACL
# denying the directory step.
sed -i "s|^publish-dn = .*|publish-dn = $SLAPD_BASE|" "$DEMO_CONF"
touch "$LOG"

# count PATTERN / wait_count PATTERN N: the demo's log (lib_demo.sh).
count() { demo_log_count "$1"; }
wait_count() { demo_log_wait "$1" "$2"; }
# highwater: the highest CRL number this CA ever reserved.
highwater() { sed -n 's/^crl-number //p' "$HW"; }
# hup N: N reloads, each waited for.
hup() {
	for _ in $(seq 1 "$1"); do
		_n=$(count 'reloaded ')
		kill -HUP "$DEMO_PID"
		wait_count 'reloaded ' $((_n + 1)) || return 1
	done
}
# fetch NAME SUFFIX: the served full ("") or delta ("+") CRL into $D/NAME.crl.
fetch() {
	code=$(curl -s -o "$D/$1.crl" -w '%{http_code}' "$CRL_URL$2.crl")
}
num() { crl_info "$1" | sed -n 's/^number=//p'; }
# enroll NAME: a PKCSIntune certificate for alice; prints its serial (hex).
enroll() { demo_enroll "$1" "CN=alice,O=Demo" --upn alice@demo.example | sed 's/^0*//'; }
# ldapcrl: the full CRL the directory holds, into $D/ldap.crl (either form).
ldapcrl() {
	ldapsearch -x -LLL -o ldif-wrap=no -H "$SLAPD_URI" -D "$SLAPD_SVC_DN" -w "$SLAPD_SVC_PW" \
	    -b "$CDP_DN" -s base certificateRevocationList 2>/dev/null |
	    sed -n 's/^certificateRevocationList[;a-z]*:: //p' | base64 -d >"$D/ldap.crl"
}

demo_test_start

# --- crl_served_when_directory_fails ---
wait_count 'directory: full CRL number 1 not written \(attempt 1' 1
t_ok $? "crl_served_when_directory_fails: the failed directory step is logged"
wait_count 'published delta CRL number 2 ' 1
fetch f0 ""
t_eq "crl_served_when_directory_fails: HTTP serves the full CRL (200)" 200 "$code"
t_eq "crl_served_when_directory_fails: it is the newest (number 1)" 1 "$(num "$D/f0.crl")"
fetch d0 "+"
t_eq "crl_served_when_directory_fails: and its delta (number 2, base 1)" "number=2 delta_base=1 critical=True" \
    "$(crl_info "$D/d0.crl" | sed -n '1,2p' | tr '\n' ' ' | sed 's/ $//')"
t_match "the failure names the entry, the attribute as OpenLDAP has it (;binary) and the refusal" \
    "not written .*certificateRevocationList;binary to '$SLAPD_BASE' failed: Insufficient access$" \
    "$(grep 'directory: full CRL number 1 not written' "$LOG" | head -1)"

# --- crl_no_storm_when_directory_fails: three reloads retry the directory
# at once (same CRL), and no CRL number is used ---
H0=$(highwater)
t_eq "two CRL numbers used so far (full 1, delta 2)" 2 "$H0"
a0=$(count 'directory: full CRL number 1 not written')
hup 3
t_ok $? "three SIGHUPs reloaded"
wait_count 'directory: full CRL number 1 not written' $((a0 + 3))
t_ok $? "crl_no_storm_when_directory_fails: each reload retried the directory with the same CRL"
t_eq "crl_no_storm_when_directory_fails: no CRL number used by the retries" "$H0" "$(highwater)"
t_eq "crl_no_storm_when_directory_fails: nothing but full 1 and delta 2 published" 2 "$(count 'published (full|delta) CRL number')"
t_match "retries back off (attempt k, next try in 2^k s)" 'attempt [0-9]+; next try in (2|4|8|16|32|64) s' "$(grep 'not written' "$LOG" | tail -1)"

# The ACL is fixed (publish-dn now names the CDP object): the same bytes
# that HTTP serves reach the directory, still without a new number.
sed -i "s|^publish-dn = .*|publish-dn = $CDP_DN|" "$DEMO_CONF"
hup 1
wait_count 'directory: full CRL number 1 written to' 1
t_ok $? "directory fixed: full CRL number 1 written after the failed attempts"
ldapcrl
t_eq "the directory holds exactly the bytes HTTP served" "$(sha256sum <"$D/f0.crl")" "$(sha256sum <"$D/ldap.crl")"
t_eq "still no CRL number used" "$H0" "$(highwater)"

# --- crl_no_storm_after_host_publish ---
S1=$(enroll a1)
p0=$(count 'published delta CRL number')
"$BUILD/entca" -c "$DEMO_CONF" crl publish >"$D/tool.out" 2>&1
t_eq "entca crl publish on the host: exit 0" 0 "$?"
t_match "its message says what happened: entcad serves this CRL now, with its number" \
    "entcad re-read the CRLs; serving CRL #$(num "$D/demo/ca/crl/entca-demo.crl")" "$(cat "$D/tool.out")"
t_match "and what became of the directory copy" 'written to the directory at' "$(cat "$D/tool.out")"
N=$(num "$D/demo/ca/crl/entca-demo.crl")
t_eq "the tool used the next number" $((H0 + 1)) "$N"
wait_count "serving full CRL number $N from the store" 1
t_ok $? "entcad adopted the tool's CRL from the store"
wait_count "published delta CRL number $((N + 1)) " 1
t_ok $? "and published one delta on it"
hup 3
fetch f1 ""
t_eq "crl_no_storm_after_host_publish: HTTP serves the tool's CRL, byte for byte" \
    "$(sha256sum <"$D/demo/ca/crl/entca-demo.crl")" "$(sha256sum <"$D/f1.crl")"
fetch d1 "+"
t_eq "crl_no_storm_after_host_publish: the served delta names it as base" "delta_base=$N critical=True" \
    "$(crl_info "$D/d1.crl" | grep delta_base)"
t_eq "crl_no_storm_after_host_publish: one full and one delta CRL number used, no more" \
    $((H0 + 2)) "$(highwater)"
t_eq "crl_no_storm_after_host_publish: entcad logged exactly one delta publication" \
    1 $(( $(count 'published delta CRL number') - p0 ))

# With the directory down, the tool still publishes (HTTP serves it) and
# the daemon retries the directory without publishing more.
kill "$SLAPD_PID" 2>/dev/null
for _ in $(seq 1 100); do kill -0 "$SLAPD_PID" 2>/dev/null || break; sleep 0.1; done
"$BUILD/entca" -c "$DEMO_CONF" crl publish >"$D/tool.out" 2>&1
t_eq "slapd stopped: entca crl publish still exits 0" 0 "$?"
t_match "and says the directory copy failed and entcad retries it" 'directory copy failed: .*entcad retries it' "$(cat "$D/tool.out")"
N2=$(num "$D/demo/ca/crl/entca-demo.crl")
wait_count "serving full CRL number $N2 from the store" 1
wait_count "directory: full CRL number $N2 not written" 1
t_ok $? "slapd stopped: entcad's directory step fails and is logged"
wait_count "published delta CRL number $((N2 + 1)) " 1
hup 3
wait_count "directory: full CRL number $N2 not written" 3
t_eq "crl_no_storm_when_directory_fails (slapd stopped): one full and one delta, no more" \
    $((N2 + 1)) "$(highwater)"
fetch f2 ""
t_eq "crl_served_when_directory_fails (slapd stopped): HTTP serves the newest full CRL" "$N2" "$(num "$D/f2.crl")"
eval "$(SLAPD_WATCH_PID=$$ "$SRC/tests/slapd/slapd-start.sh" "$D/demo/slapd")"
T_PIDS="$T_PIDS $SLAPD_PID"
hup 1
wait_count "directory: full CRL number $N2 written to" 1
t_ok $? "slapd back: the same CRL reaches the directory"

# --- restore_backup_keeps_crl_numbers_and_revocations, crl_no_storm_after_restore ---
"$BUILD/entca" -c "$DEMO_CONF" backup "$D/backup" >/dev/null 2>&1
t_eq "entca backup: exit 0" 0 "$?"
S2=$(enroll a2)	# issued after the backup: the restored store will not know it
t_api "revoke a certificate the backup knows as valid: 200" 200 "$CONN" "certificates/$S1/revoke" '{"reason":"keyCompromise"}'
t_api "revoke one issued after the backup: 200" 200 "$CONN" "certificates/$S2/revoke" '{"reason":"superseded"}'
"$BUILD/entca" -c "$DEMO_CONF" crl publish >/dev/null 2>&1
Mf=$(num "$D/demo/ca/crl/entca-demo.crl")
wait_count "published delta CRL number $((Mf + 1)) " 1	# entcad's delta on it
M=$(highwater)
demo_test_stop
rm -f "$D/demo/ca/db/data.mdb" "$D/demo/ca/db/lock.mdb"
cp "$D/backup/data.mdb" "$D/demo/ca/db/data.mdb"
before=$(count 'published full CRL number')
r0=$(count 'published delta CRL number')
demo_test_start restart
wait_count 'the store is behind the CRLs in service' 1
t_ok $? "the restore is detected and logged"
t_match "it names the numbers and the recovered revocations" \
    "continue above $M .* 2 revocations recovered .*1 for serials the store does not know" \
    "$(grep 'the store is behind' "$LOG" | tail -1)"
wait_count 'published full CRL number' $((before + 1))
wait_count "published delta CRL number $((M + 2)) " 1
t_ok $? "a fresh full CRL and its delta follow"
hup 3
fetch f3 ""
I=$(crl_info "$D/f3.crl")
t_eq "restore_backup_keeps_crl_numbers_and_revocations: the next full CRL is above every published one" \
    "number=$((M + 1))" "$(echo "$I" | grep '^number=')"
t_match "restore_backup_keeps_crl_numbers_and_revocations: the revocation made after the backup is kept" \
    "entry=$S1:keyCompromise" "$I"
t_match "restore_backup_keeps_crl_numbers_and_revocations: and the certificate the backup never knew" \
    "entry=$S2:superseded" "$I"
t_eq "crl_no_storm_after_restore: one full and one delta after the restore, no more" \
    $((M + 2)) "$(highwater)"
t_eq "crl_no_storm_after_restore: entcad logged one full and one delta publication" \
    2 $(( $(count 'published (full|delta) CRL number') - before - r0 ))
t_api "revoking the recovered certificate again: 409 (not 404)" 409 "$CONN" "certificates/$S1/revoke" '{"reason":"keyCompromise"}'

# --- restore_with_forged_crl_refused ---
# After a restore the CRLs in the state folder are read back into the
# store: one that does not verify with the CA key (a byte of its
# signature changed, or of its entries) must stop the start, not be
# believed. The check reads the CRL with entca's own DER walker (GnuTLS's
# import took longer than ten minutes on a million entries).
demo_test_stop
cp "$D/demo/ca/crl/entca-demo.crl" "$D/good.crl"
# flip BYTE-OFFSET FILE: change one bit of the byte at the offset (negative: from the end)
flip() { $PY -c 'import sys; b = bytearray(open(sys.argv[2], "rb").read()); b[int(sys.argv[1])] ^= 1; open(sys.argv[2], "wb").write(b)' "$@"; }
for where in -1 -300; do
	rm -f "$D/demo/ca/db/data.mdb" "$D/demo/ca/db/lock.mdb"
	cp "$D/backup/data.mdb" "$D/demo/ca/db/data.mdb"
	cp "$D/good.crl" "$D/demo/ca/crl/entca-demo.crl"
	flip "$where" "$D/demo/ca/crl/entca-demo.crl"
	: >"$LOG"
	demo_start_refused
	t_run "restore_with_forged_crl_refused (byte $where changed): entcad does not start" [ "$DEMO_REFUSED_RC" -ne 0 ]
	t_match "restore_with_forged_crl_refused (byte $where changed): it names the CRL" \
	    'full CRL number [0-9]+ in the state folder does not verify with the CA certificate' "$(cat "$LOG")"
done
rm -f "$D/demo/ca/db/data.mdb" "$D/demo/ca/db/lock.mdb"
cp "$D/backup/data.mdb" "$D/demo/ca/db/data.mdb"
cp "$D/good.crl" "$D/demo/ca/crl/entca-demo.crl"
demo_test_start "start with the CA's own CRL back"
wait_count 'the store is behind the CRLs in service' 1
t_ok $? "restore_with_forged_crl_refused: with the CA's own CRL back, the restore recovers"

# --- revoke_unknown_serial_listed ---
U1=5eed$(date +%s%N | tail -c 9)
U2=7a11$(date +%s%N | tail -c 9)
"$BUILD/entca" -c "$DEMO_CONF" revoke "$U1" --reason keyCompromise >"$D/tool.out" 2>&1
t_eq "revoke_unknown_serial_listed: entca revoke of an unknown serial: exit 0" 0 "$?"
t_api "revoke_unknown_serial_listed: the API revokes an unknown serial: 200" 200 "$CONN" "certificates/$U2/revoke" '{"reason":"cessationOfOperation"}'
t_api "and a second time: 409" 409 "$CONN" "certificates/$U2/revoke" '{"reason":"cessationOfOperation"}'
"$BUILD/entca" -c "$DEMO_CONF" crl publish >/dev/null 2>&1
I=$(crl_info "$D/demo/ca/crl/entca-demo.crl")
t_match "revoke_unknown_serial_listed: the full CRL lists the tool's unknown serial" "entry=$U1:keyCompromise" "$I"
t_match "revoke_unknown_serial_listed: and the API's" "entry=$U2:cessationOfOperation" "$I"
demo_test_stop

# --- crl_thisupdate_never_backwards: the clock set back 7 minutes ---
# (from an hour ahead: the demo CA is minutes old, and thisUpdate never
# predates the CA certificate, which would hide the step back)
# faketime preloads libfaketime; an ASan build wants its runtime first
# and would refuse to run, so let it (the check is about link order only).
ftime() { ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" faketime "$@"; }
ftime -f '+1h' "$BUILD/entca" -c "$DEMO_CONF" crl publish >/dev/null 2>&1
T1=$(crl_info "$D/demo/ca/crl/entca-demo.crl" | sed -n 's/^this_update=//p')
ftime -f '+53m' "$BUILD/entca" -c "$DEMO_CONF" crl publish >"$D/tool.out" 2>&1
t_eq "entca crl publish with the clock 7 minutes back: exit 0" 0 "$?"
T2=$(crl_info "$D/demo/ca/crl/entca-demo.crl" | sed -n 's/^this_update=//p')
t_ok "$([ "$T2" -ge "$T1" ]; echo $?)" "crl_thisupdate_never_backwards: thisUpdate $T2 >= the previous $T1"
t_match "crl_thisupdate_never_backwards: said loudly (420 s)" 'CLOCK WENT BACK: the system clock is (3[6-9][0-9]|4[0-2][0-9]) s behind' "$(cat "$D/tool.out")"
ftime -f '+53m' "$BUILD/entca" -c "$DEMO_CONF" crl publish --delta >/dev/null 2>&1
T3=$(crl_info "$D/demo/ca/crl/entca-demo+.crl" | sed -n 's/^this_update=//p')
t_ok "$([ "$T3" -ge "$T2" ]; echo $?)" "crl_thisupdate_never_backwards: a delta too ($T3 >= $T2)"

# --- crl_expired_entry_kept_once (RFC 5280 3.3), through the clock seam ---
S3=$(openssl x509 -in "$D/a1.pem" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f' | sed 's/^0*//')
NA=$(date -d "$(openssl x509 -in "$D/a1.pem" -noout -enddate | cut -d= -f2)" +%s)
ENTCA_NOW=$((NA - 86400)) "$BUILD/entca" -c "$DEMO_CONF" crl publish >/dev/null 2>&1
t_match "a day before it expires, the full CRL lists the revoked certificate" "entry=$S3:" \
    "$(crl_info "$D/demo/ca/crl/entca-demo.crl")"
ENTCA_NOW=$((NA + 86400)) "$BUILD/entca" -c "$DEMO_CONF" crl publish >/dev/null 2>&1
I=$(crl_info "$D/demo/ca/crl/entca-demo.crl")
TU=$(echo "$I" | sed -n 's/^this_update=//p')
t_ok "$([ "$TU" -gt "$NA" ]; echo $?)" "the next full CRL's thisUpdate ($TU) is after the notAfter ($NA)"
t_match "crl_expired_entry_kept_once: that CRL still lists the expired certificate" "entry=$S3:" "$I"
ENTCA_NOW=$((NA + 2 * 86400)) "$BUILD/entca" -c "$DEMO_CONF" crl publish >/dev/null 2>&1
I=$(crl_info "$D/demo/ca/crl/entca-demo.crl")
t_eq "crl_expired_entry_kept_once: the one after drops it" "" "$(echo "$I" | grep "entry=$S3:")"

# --- crl_directory_schema_follows_server: a directory whose rootDSE says
# Active Directory gets the attribute without ;binary (AD and Samba AD
# have no such option and refuse it) ---
export SLAPD_AD_MODE=1
DEMO_WATCH_PID=$$ demo_setup "$D/ad" "$(free_port)" "$(free_port)" >/dev/null || t_skip_all "AD-mode demo set-up failed"
unset SLAPD_AD_MODE
LOG=$D/ad/entcad.log
CDP_DN="cn=ENTCA,cn=CDP,cn=Public Key Services,cn=Services,cn=Configuration,$SLAPD_BASE"
sed -i "s|^publish-dn = .*|publish-dn = $SLAPD_BASE|" "$DEMO_CONF"
touch "$LOG"
demo_test_start "start in AD mode"
wait_count 'directory: full CRL number 1 not written' 1
# (slapd itself wants ;binary on this entry and says so: entcad then
# tries the other form once, and the message tells both)
t_match "crl_directory_schema_follows_server: AD gets certificateRevocationList without ;binary first" \
    "publishing certificateRevocationList to '$SLAPD_BASE'|after certificateRevocationList was refused" \
    "$(grep 'full CRL number 1 not written' "$LOG" | head -1)"
# The API's publication succeeds and is served while the directory refuses it.
URL=$DEMO_URL
t_api "crl_served_when_directory_fails: POST crl/publish answers 200" 200 "$ADMIN" crl/publish '{}'
NA2=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["number"])' "$D/out" 2>/dev/null)
CRL_URL=$DEMO_CRL_URL/crl/entca-demo
fetch adp ""
t_eq "crl_served_when_directory_fails: HTTP serves the API's CRL at once" "$NA2" "$(num "$D/adp.crl")"
sed -i "s|^publish-dn = .*|publish-dn = $CDP_DN|" "$DEMO_CONF"
hup 1
wait_count "directory: full CRL number $NA2 written to" 1
t_ok $? "crl_directory_schema_follows_server: the write succeeds"
fetch adf ""
ldapcrl
t_eq "crl_directory_schema_follows_server: the directory holds the served bytes" \
    "$(sha256sum <"$D/adf.crl")" "$(sha256sum <"$D/ldap.crl")"
t_done

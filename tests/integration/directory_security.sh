#!/bin/bash
# The directory as a source of security data, failing closed (issue 10
# item 8, issue 20 items 2 and 6), against a real slapd and a real entcad:
# hidden groups, memberOf and userAccountControl (slapd ACLs on the
# service account) refuse instead of granting; NETBIOS\, BUILTIN\ and the
# well-known names in [security] match by the domain's NetBIOS name and by
# SID; deny lines that do not resolve stop the start; the directory cache
# is capped, case-insensitive, cleared on SIGHUP and never serves a
# disabled account.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"
ENTCAD=$BUILD/entcad

DEMO_ISSUE="PKCSIntune, DirUser" demo_test_setup
# A template every domain user may enroll on, so that the CA's deny lines
# decide (mallory is in Denied Users: deny = Denied Users : request).
demo_template DirUser 9 -e 's/^allow-dangerous =.*/allow-dangerous = esc1/'
echo "allow = Domain Users : read, enroll" >>"$D/demo/templates/DirUser.tmpl"
# No cache for the fail-closed part: every request reads the directory.
sed -i 's/^cache-ttl = .*/cache-ttl = 0/' "$DEMO_CONF"
LOG=$D/demo/entcad.log

# start: entcad in the background, registered for clean-up.
start() {
	demo_start_entcad || { tail -5 "$LOG" | sed 's/^/# /'; return 1; }
	T_PIDS="$T_PIDS $DEMO_PID"
}
# stop: stop entcad and wait until it is gone.
stop() {
	kill "$DEMO_PID" 2>/dev/null
	for _ in $(seq 1 100); do kill -0 "$DEMO_PID" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}
# enroll USER:PW NAME: status of one DirUser enrollment for NAME (its own UPN).
enroll() {
	[ -f "$D/$2.b64" ] || $CSR make "$D/$2.key" "$D/$2.b64" "CN=$2,O=Demo" --upn "$2@demo.example"
	curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" -u "$1" \
	    -H 'Content-Type: application/pkcs10' --data-binary @"$D/$2.b64" \
	    "$DEMO_URL/.well-known/est/DirUser/simpleenroll"
}
# slapd_acl add|del [RULE]: put RULE first in the data's access list, or drop the first.
slapd_acl() {
	if [ "$1" = add ]; then
		printf 'dn: olcDatabase={1}mdb,cn=config\nchangetype: modify\nadd: olcAccess\nolcAccess: {0}%s\n' "$2"
	else
		printf 'dn: olcDatabase={1}mdb,cn=config\nchangetype: modify\ndelete: olcAccess\nolcAccess: {0}\n'
	fi | ldapmodify -x -H "$SLAPD_URI" -D cn=admin,cn=config -w "$SLAPD_ADMIN_PW" >/dev/null
}
# dir_admin LDIF: change the directory as its administrator.
dir_admin() {
	printf '%b' "$1" | ldapmodify -x -H "$SLAPD_URI" -D "$SLAPD_ADMIN_DN" -w "$SLAPD_ADMIN_PW" >/dev/null
}
refused() { case $1 in 401|403) return 0 ;; esac; return 1; }
SVC="dn.exact=\"$SLAPD_SVC_DN\""
DENIED="cn=Denied Users,ou=Groups,$SLAPD_BASE"

start || t_skip_all "entcad did not start"

# --- baseline: the deny line works, others enroll ---
t_eq "baseline: bob enrolls" 200 "$(enroll bob:demo-bob bob)"
t_eq "baseline: mallory (Denied Users) refused" 403 "$(enroll mallory:demo-mallory mallory)"
t_eq "baseline: carol (disabled) refused" 401 "$(enroll carol:demo-carol carol)"

# --- hidden_deny_group_fails_closed ---
slapd_acl add "to dn.base=\"$DENIED\" by $SVC none by * break"
c=$(enroll mallory:demo-mallory mallory)
refused "$c"; t_ok $? "hidden_deny_group_fails_closed: mallory refused while Denied Users is hidden ($c)"
t_match "hidden_deny_group_fails_closed: the log names the unreadable group" \
    "cn=Denied Users.*cannot be read.*group data incomplete" "$(cat "$LOG")"
t_eq "hidden group: bob (not in it) still enrolls" 200 "$(enroll bob:demo-bob bob)"
slapd_acl del

# --- hidden_primary_group_fails_closed: Denied Users as bob's primary group ---
# (bob stays in Domain Users as a plain member, so only the deny decides.)
BOBDN="cn=bob,ou=Users,$SLAPD_BASE"
DU="cn=Domain Users,ou=Groups,$SLAPD_BASE"
dir_admin "dn: $DU\nchangetype: modify\nadd: member\nmember: $BOBDN\n-\n"
dir_admin "dn: $BOBDN\nchangetype: modify\nreplace: primaryGroupID\nprimaryGroupID: 1125\n-\n"
t_eq "primary group Denied Users: bob refused" 403 "$(enroll bob:demo-bob bob)"
slapd_acl add "to dn.base=\"$DENIED\" by $SVC none by * break"
c=$(enroll bob:demo-bob bob)
refused "$c"; t_ok $? "hidden_primary_group_fails_closed: bob refused while his primary group is hidden ($c)"
slapd_acl del
dir_admin "dn: $BOBDN\nchangetype: modify\nreplace: primaryGroupID\nprimaryGroupID: 513\n-\n"
dir_admin "dn: $DU\nchangetype: modify\ndelete: member\nmember: $BOBDN\n-\n"
t_eq "primary group back to Domain Users: bob enrolls" 200 "$(enroll bob:demo-bob bob)"

# --- hidden_memberof_fails_closed ---
slapd_acl add "to attrs=memberOf by $SVC none by * break"
c=$(enroll mallory:demo-mallory mallory)
refused "$c"; t_ok $? "hidden_memberof_fails_closed: mallory refused while memberOf is hidden ($c)"
t_match "hidden_memberof_fails_closed: the log says memberOf is unreadable" \
    "cannot read memberOf" "$(cat "$LOG")"
slapd_acl del

# --- hidden_uac_fails_closed ---
slapd_acl add "to attrs=userAccountControl by $SVC none by * break"
c=$(enroll carol:demo-carol carol)
refused "$c"; t_ok $? "hidden_uac_fails_closed: disabled carol refused while userAccountControl is hidden ($c)"
t_match "hidden_uac_fails_closed: the log says userAccountControl is unreadable" \
    "userAccountControl of cn=carol.*cannot be read" "$(cat "$LOG")"
stop
# entcad_try [-t|-f]: entcad on $DEMO_CONF, checking it (-t, the default)
# or really starting it; its exit status in rc, what it said in $D/err.
# The timeout only ends a daemon that wrongly started.
entcad_try() { timeout 60 "$ENTCAD" "${1:--t}" -c "$DEMO_CONF" >"$D/err" 2>&1; rc=$?; }
# t_refused DESCRIPTION: pass if the last entcad_try failed.
t_refused() { t_ok "$([ "$rc" -ne 0 ]; echo $?)" "$1"; }
# entcad -t and the start say what the service account cannot read.
entcad_try
t_refused "hidden_uac_fails_closed: entcad -t fails ($rc)"
t_match "hidden_uac_fails_closed: entcad -t names userAccountControl" \
    "service account cannot read.*userAccountControl" "$(cat "$D/err")"
slapd_acl del
slapd_acl add "to dn.base=\"$DENIED\" by $SVC none by * break"
entcad_try
t_refused "hidden deny group: entcad -t fails ($rc)"
t_match "hidden deny group: entcad -t names the deny line" \
    "entcad.conf line [0-9]+: deny = Denied Users" "$(cat "$D/err")"
slapd_acl del
entcad_try
t_eq "entcad -t with everything readable: exit 0" 0 "$rc"

# --- names in [security]: NETBIOS\, BUILTIN\, well-known, fail closed ---
cp "$DEMO_CONF" "$D/conf.orig"
# with_security SED...: entcad.conf from the original with sed edits.
with_conf() { cp "$D/conf.orig" "$DEMO_CONF"; for e in "$@"; do sed -i "$e" "$DEMO_CONF"; done; }
DENY_LINE='^deny = Denied Users : request$'

# unresolvable_deny_refuses_start: a deny on a bogus NetBIOS prefix.
with_conf "/$DENY_LINE/a deny = NB\\\\Denied Users : request"
line=$(grep -n '^deny = NB' "$DEMO_CONF" | cut -d: -f1)
entcad_try -f
t_refused "unresolvable_deny_refuses_start: entcad exits ($rc)"
t_match "unresolvable_deny_refuses_start: file, line and entry named" \
    "entcad.conf line $line: deny = NB.Denied Users : request: cannot be resolved" "$(cat "$D/err")"
entcad_try
t_refused "unresolvable_deny_refuses_start: entcad -t fails too ($rc)"
with_conf "/$DENY_LINE/a deny = nosuchgroup : request"
entcad_try
t_match "unresolvable_deny_refuses_start: a name nobody has" "line [0-9]+: deny = nosuchgroup : request: cannot be resolved" "$(cat "$D/err")"
# In a template file too.
with_conf
echo "deny = BUILTIN\\NoSuchAlias : enroll" >>"$D/demo/templates/DirUser.tmpl"
line=$(grep -n '^deny = BUILTIN' "$D/demo/templates/DirUser.tmpl" | cut -d: -f1)
entcad_try
t_match "unresolvable_deny_refuses_start: a template's deny names its file and line" \
    "DirUser.tmpl line $line: deny = BUILTIN.NoSuchAlias : enroll: cannot be resolved" "$(cat "$D/err")"
sed -i '/^deny = BUILTIN/d' "$D/demo/templates/DirUser.tmpl"
# An allow that resolves to nothing is a warning; the start goes on.
with_conf "/$DENY_LINE/a allow = NB\\\\Staff : read"
entcad_try
t_eq "an unresolvable allow: entcad -t still passes" 0 "$rc"
t_match "an unresolvable allow: warned with file and line" "entcad.conf line [0-9]+: allow = NB.Staff : read: cannot be resolved" "$(cat "$D/err")"

# builtin_users_deny_enforced: deny = BUILTIN\Users used to match nobody.
with_conf "/$DENY_LINE/a deny = BUILTIN\\\\Users : request"
start || t_skip_all "entcad did not start"
t_eq "builtin_users_deny_enforced: bob refused" 403 "$(enroll bob:demo-bob bob)"
stop
with_conf "/$DENY_LINE/a deny = Everyone : request"
start || t_skip_all "entcad did not start"
t_eq "deny = Everyone: bob refused" 403 "$(enroll bob:demo-bob bob)"
stop

# The NetBIOS name from the directory (the crossRef says DEMO): DEMO\ works.
with_conf '/^domain = /d' "s/$DENY_LINE/deny = DEMO\\\\Denied Users : request/"
start || t_skip_all "entcad did not start"
t_eq "NetBIOS name read from the crossRef: DEMO\\Denied Users denies mallory" 403 "$(enroll mallory:demo-mallory mallory)"
t_eq "NetBIOS name read from the crossRef: bob enrolls" 200 "$(enroll bob:demo-bob bob)"
t_eq "NetBIOS name read from the crossRef: DEMO\\bob logs in" 200 "$(enroll 'DEMO\bob:demo-bob' bob)"
t_eq "NetBIOS name read from the crossRef: NB\\bob does not" 401 "$(enroll 'NB\bob:demo-bob' bob)"
stop

# netbios_acl_matches_domain_not_dn_label: the domain is NBDOM (configured),
# the DN's first label is demo. NBDOM\ matches, DEMO\ does not.
with_conf 's/^domain = .*/domain = NBDOM/' "s/$DENY_LINE/deny = NBDOM\\\\Denied Users : request/" \
    's/^allow = Domain Users : read, request$/allow = NBDOM\\Domain Users : read, request/'
start || t_skip_all "entcad did not start"
t_eq "netbios_acl_matches_domain_not_dn_label: NBDOM\\Domain Users allows bob" 200 "$(enroll bob:demo-bob bob)"
t_eq "netbios_acl_matches_domain_not_dn_label: NBDOM\\Denied Users denies mallory" 403 "$(enroll mallory:demo-mallory mallory)"
stop
# bogus_netbios_prefix_no_match: DEMO\ (the DN label) and NB\ grant nothing.
for bogus in DEMO NB; do
	with_conf 's/^domain = .*/domain = NBDOM/' \
	    "s/^allow = Domain Users : read, request\$/allow = $bogus\\\\Domain Users : read, request/"
	start || t_skip_all "entcad did not start"
	t_eq "bogus_netbios_prefix_no_match: $bogus\\Domain Users grants bob nothing" 403 "$(enroll bob:demo-bob bob)"
	stop
done
with_conf

# --- the directory cache ---
# cache_ttl_capped: a day of stale answers is refused, naming file and line.
with_conf 's/^cache-ttl = .*/cache-ttl = 86400/'
line=$(grep -n '^cache-ttl' "$DEMO_CONF" | cut -d: -f1)
entcad_try
t_refused "cache_ttl_capped: cache-ttl = 86400 refused ($rc)"
t_match "cache_ttl_capped: file, line and bound named" \
    "entcad.conf line $line: \[directory\] cache-ttl: expected 0..300 seconds" "$(cat "$D/err")"
with_conf 's/^cache-ttl = .*/cache-ttl = 301/'
entcad_try
t_refused "cache_ttl_capped: 301 refused"

# The rest with the longest cache allowed.
with_conf 's/^cache-ttl = .*/cache-ttl = 300/'
start || t_skip_all "entcad did not start"
BOB_DN="cn=bob,ou=Users,$SLAPD_BASE"
# hup: SIGHUP, then wait until entcad logged the outcome of that reload.
hup() {
	_n=$(grep -c "reloaded \|reload refused" "$LOG")
	kill -HUP "$DEMO_PID"
	for _ in $(seq 1 100); do
		[ "$(grep -c "reloaded \|reload refused" "$LOG")" -gt "$_n" ] && return 0
		sleep 0.1
	done
	return 1
}
deny_bob() {	# deny_bob add|delete: bob in or out of Denied Users
	dir_admin "dn: $DENIED\nchangetype: modify\n$1: member\nmember: $BOB_DN\n-\n"
}

# disabled_account_not_served_from_cache
t_eq "disabled_account_not_served_from_cache: bob enrolls (now cached)" 200 "$(enroll bob:demo-bob bob)"
dir_admin "dn: $BOB_DN\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 514\n-\n"
t_eq "disabled_account_not_served_from_cache: disabled bob refused at once" 401 "$(enroll bob:demo-bob bob)"
t_match "disabled_account_not_served_from_cache: the log says disabled" \
    'authentication of "bob" .*failed: account disabled' "$(cat "$LOG")"
dir_admin "dn: $BOB_DN\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 66048\n-\n"
t_eq "re-enabled bob enrolls" 200 "$(enroll bob:demo-bob bob)"

# cache_cleared_on_sighup: a new deny membership is cached away until SIGHUP.
deny_bob add
t_eq "cache_cleared_on_sighup: before SIGHUP the cached bob still enrolls (ttl)" 200 "$(enroll bob:demo-bob bob)"
hup
t_match "cache_cleared_on_sighup: the log says so" "SIGHUP: directory cache cleared" "$(cat "$LOG")"
t_eq "cache_cleared_on_sighup: after SIGHUP bob is denied" 403 "$(enroll bob:demo-bob bob)"
deny_bob delete
hup

# cache_case_insensitive_deny: bob and Bob are one account and one entry;
# a fresh read through any of its names is what all of them see.
t_eq "cache_case_insensitive_deny: Bob enrolls (cached)" 200 "$(enroll Bob:demo-bob bob)"
t_eq "cache_case_insensitive_deny: bob enrolls (cached)" 200 "$(enroll bob:demo-bob bob)"
deny_bob add
t_eq "cache_case_insensitive_deny: bob@demo.example (a fresh read) denied" 403 \
    "$(enroll bob@demo.example:demo-bob bob)"
t_eq "cache_case_insensitive_deny: bob denied too" 403 "$(enroll bob:demo-bob bob)"
t_eq "cache_case_insensitive_deny: Bob denied too" 403 "$(enroll Bob:demo-bob bob)"
t_eq "cache_case_insensitive_deny: BOB denied too" 403 "$(enroll BOB:demo-bob bob)"
deny_bob delete
hup

# An officer's revoke-all for a principal clears the cache too.
t_eq "revoke-all: bob enrolls (cached)" 200 "$(enroll bob:demo-bob bob)"
deny_bob add
c=$(curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" -u 'INTUNECONN$:demo-connector' \
    -H 'Content-Type: application/json' -d '{"upn":"bob@demo.example","reason":"keyCompromise"}' \
    "$DEMO_URL/api/v1/principals/revoke")
t_eq "revoke-all for bob by the officer: 200" 200 "$c"
t_eq "revoke-all cleared the cache: bob is denied at once" 403 "$(enroll bob:demo-bob bob)"
deny_bob delete
stop
with_conf

t_done

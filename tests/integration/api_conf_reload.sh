#!/bin/bash
# A change to entcad.conf through the management API (CA security, a
# template issued or unissued) is answered only once the running entcad
# has it in force: an administrator who takes a right away and hears 200
# must be able to rely on the very next request being refused. Before,
# the answer went out with a SIGHUP still pending and the old list kept
# answering for as long as the reload took.
#
# entcad here is tests/entcad-testhooks: with $ENTCA_TEST_RELOAD_GATE set,
# every reload waits for that file before it reads anything, so each check
# holds the reload open and a helper releases it once the reload is seen
# to wait (the log says so). With the fix the API's answer waits too; the
# checks are then ordered by the answers themselves, never by a sleep.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

demo_test_setup
demo_allow_api_roles
"$BUILD/entca" --templates "$D/demo/templates" template duplicate PKCSIntune "Second Template" >/dev/null
GATE=$D/gate
LOG=$D/demo/entcad.log
export ENTCA_TEST_RELOAD_GATE=$GATE
DEMO_ENTCAD=$BUILD/tests/entcad-testhooks demo_test_start
MALLORY='mallory@demo.example:demo-mallory'
MALLORY_SID=$SIDP-1116
ADMINC=$(demo_cred admin)

# held_count: how many reloads have waited at the gate so far.
held_count() { grep -c 'test hook: reload held' "$LOG"; }

# release_after_hold N [CMD...]: in the background, once the Nth reload
# waits at the gate, run CMD (if any), then open the gate; the gate is
# closed again first. The bound (60 s) only ends a hang.
release_after_hold() {
	_n=$1; shift
	rm -f "$GATE"
	(
		for _ in $(seq 1 600); do
			[ "$(held_count)" -ge "$_n" ] && break
			sleep 0.1
		done
		"$@"
		touch "$GATE"
	) &
}

# mallory_audit: the status of mallory's GET /api/v1/audit?last=1 (the
# auditor right).
mallory_audit() {
	curl -s -o /dev/null -w '%{http_code}' --cacert "$DEMO_CA" -u "$MALLORY" \
	    "$DEMO_URL/api/v1/audit?last=1"
}

t_eq "mallory has no auditor right yet" 403 "$(mallory_audit)"

# --- admin_grants_right_visible_at_once ---
H=$(held_count)
release_after_hold $((H + 1))
t_api "admin_grants_right_visible_at_once: POST ca/security allow" 200 "$ADMINC" ca/security \
    "{\"action\":\"allow\",\"principal\":\"$MALLORY_SID\",\"rights\":[\"auditor\"]}"
t_eq "admin_grants_right_visible_at_once: the reload ran before the answer" $((H + 1)) "$(held_count)"
t_eq "admin_grants_right_visible_at_once: mallory reads the audit log on the next request" 200 "$(mallory_audit)"

# --- revoked_right_used_before_reload ---
# The attack: mallory keeps using a right the administrator was told
# (200) had been taken away. First the grant in force, however long an
# entcad without the fix takes (the bound, 30 s, only ends a hang).
for _ in $(seq 1 300); do
	[ "$(mallory_audit)" = 200 ] && break
	sleep 0.1
done
t_eq "revoked_right_used_before_reload: mallory holds the right before" 200 "$(mallory_audit)"
H=$(held_count)
release_after_hold $((H + 1))
t_api "revoked_right_used_before_reload: POST ca/security remove" 200 "$ADMINC" ca/security \
    "{\"action\":\"remove\",\"principal\":\"$MALLORY_SID\"}"
t_eq "revoked_right_used_before_reload: mallory is refused on the next request" 403 "$(mallory_audit)"
t_api "revoked_right_used_before_reload: removing again finds nothing" 404 "$ADMINC" ca/security \
    "{\"action\":\"remove\",\"principal\":\"$MALLORY_SID\"}"

# --- unissued_template_enrolled_before_reload ---
$CSR make "$D/alice.key" "$D/alice.b64" "CN=alice,O=Demo" --upn alice@demo.example
t_eq "the second template is not issued yet" 404 "$(demo_enroll_status "$D/alice.b64" SecondTemplate)"
H=$(held_count)
release_after_hold $((H + 1))
t_api "issued_template_enrollable_at_once: POST templates/SecondTemplate/issue" 200 "$ADMINC" \
    templates/SecondTemplate/issue
t_eq "issued_template_enrollable_at_once: the next enrollment is issued" 200 \
    "$(demo_enroll_status "$D/alice.b64" SecondTemplate)"
H=$(held_count)
release_after_hold $((H + 1))
t_api "unissued_template_enrolled_before_reload: POST templates/SecondTemplate/unissue" 200 \
    "$ADMINC" templates/SecondTemplate/unissue
t_eq "unissued_template_enrolled_before_reload: the next enrollment is refused" 404 \
    "$(demo_enroll_status "$D/alice.b64" SecondTemplate)"

# --- a reload refused after the file changed: the answer says so ---
# Someone breaks entcad.conf by hand while the API's reload is pending:
# the file is written, but entcad keeps what it had, and the client hears
# that rather than 200.
cp "$DEMO_CONF" "$D/conf.good"
H=$(held_count)
release_after_hold $((H + 1)) sh -c "printf 'no-such-key-here = 1\n' >>'$DEMO_CONF'"
t_api "reload refused after the change: 409" 409 "$ADMINC" ca/security \
    "{\"action\":\"allow\",\"principal\":\"$MALLORY_SID\",\"rights\":[\"auditor\"]}"
t_match "reload refused after the change: the reason names the line" \
    'entcad did not take it and keeps the previous one: .*no-such-key-here' "$(cat "$D/out")"
t_eq "reload refused after the change: no server path in the answer" "" \
    "$(grep -o "$D" "$D/out")"
t_eq "reload refused after the change: the old list stays in force" 403 "$(mallory_audit)"
t_match "reload refused after the change: logged" 'reload refused, the previous configuration stays in force' \
    "$(cat "$LOG")"

# --- the tool on the host waits for the running entcad the same way ---
cp "$D/conf.good" "$DEMO_CONF"
H=$(held_count)
release_after_hold $((H + 1))
"$BUILD/entca" -c "$DEMO_CONF" ca security allow "$MALLORY_SID" auditor >"$D/s.txt" 2>"$D/s.err"
t_eq "entca ca security allow on the host: exit 0" "0 " "$? $(head -c 300 "$D/s.err")"
t_eq "entca ca security allow on the host: in force when it returns" 200 "$(mallory_audit)"
t_done

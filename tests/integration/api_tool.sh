#!/bin/bash
# `entca` over the management API (issue 15): every verb as a table for
# people (a header, dates not epochs), --json and --csv for scripts, on
# the CA host (in-process API calls) and with --url over HTTPS as a
# directory user; template issue/unissue and CA security changes take
# effect on the running entcad at once and are audited.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

demo_test_setup
# This test counts the store rows it makes.
demo_ocsp_sign_with_ca
demo_allow_api_roles
"$BUILD/entca" --templates "$D/demo/templates" template duplicate PKCSIntune "Second Template" >/dev/null
demo_test_start
CONN='INTUNECONN$:demo-connector'

# enroll TEMPLATE NAME SUBJECT ARGS...: the serial, or nothing when refused.
enroll() { EST_TEMPLATE=$1 demo_enroll "${@:2}"; }
SA=$(enroll PKCSIntune a1 "CN=alice,O=Demo" --upn alice@demo.example)
SB=$(enroll PKCSIntune a2 "CN=alice,O=Demo" --upn alice@demo.example)
t_match "two certificates" '^[0-9a-f]+ [0-9a-f]+$' "$SA $SB"

# local VERB...: entca on the host; remote ROLE VERB...: entca --url.
local_() { "$BUILD/entca" -c "$DEMO_CONF" "$@"; }
remote() {
	_u=$1; shift
	case $_u in
	officer) _n='INTUNECONN$' _p=demo-connector ;;
	admin) _n=grace@demo.example _p=demo-grace ;;
	auditor) _n=bob@demo.example _p=demo-bob ;;
	esac
	ENTCA_PASSWORD=$_p "$BUILD/entca" --url "$DEMO_URL" --cacert "$DEMO_CA" --user "$_n" "$@" </dev/null
}
# check NAME HEADER_RE CMD...: table with a header, JSON that parses, CSV
# whose header is the JSON member names; all three exit 0.
check() {
	_name=$1 _hdr=$2; shift 2
	"$@" >"$D/t.txt" 2>"$D/t.err"
	t_eq "$_name: table: exit 0" "0 " "$? $(head -c 200 "$D/t.err")"
	t_match "$_name: table header" "$_hdr" "$(head -1 "$D/t.txt")"
	"$@" --json >"$D/t.json" 2>"$D/t.err"
	t_eq "$_name: --json parses" ok "$($PY -c 'import json,sys; json.load(open(sys.argv[1])); print("ok")' "$D/t.json" 2>&1)"
	"$@" --csv >"$D/t.csv" 2>"$D/t.err"
	t_eq "$_name: --csv parses with a header" ok "$($PY -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
print("ok" if rows and all(len(r) == len(rows[0]) for r in rows) else rows)' "$D/t.csv" 2>&1)"
}
for where in local remote; do
	if [ $where = local ]; then
		O=(local_) A=(local_) M=(local_)
	else
		O=(remote officer) A=(remote auditor) M=(remote admin)
	fi
	check "$where cert list" '^SERIAL +STATUS +TEMPLATE +REQUESTER +NOT BEFORE +NOT AFTER +SUBJECT$' "${O[@]}" cert list
	t_match "$where cert list: dates, not epochs" "^0*${SA##0} +issued +PKCSIntune +INTUNECONN\\\$ +20[0-9-]{8} [0-9:]{8} " "$(cat "$D/t.txt")"
	t_eq "$where cert list --csv: a header and two rows" 3 "$(wc -l <"$D/t.csv")"
	t_match "$where cert list --csv: RFC 3339 times" ',20[0-9-]{8}T[0-9:]{8}Z,' "$(cat "$D/t.csv")"
	check "$where cert list --upn" '^SERIAL' "${A[@]}" cert list --upn alice@demo.example --limit 1 --all
	t_eq "$where cert list --limit 1 --all follows the pages" 3 "$(wc -l <"$D/t.txt")"
	check "$where cert show" '^serial +[0-9a-f]+$' "${O[@]}" cert show "$SA"
	t_match "$where cert show: the SID" "^sid +$SIDP-1106$" "$(cat "$D/t.txt")"
	"${O[@]}" cert show "$SA" --pem >"$D/show.pem"
	t_eq "$where cert show --pem: the serial" "$SA" "$(openssl x509 -in "$D/show.pem" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')"
	check "$where request list" '^ID +STATUS +SUBMITTED +REQUESTER +TEMPLATE' "${O[@]}" request list --status issued
	check "$where request show" '^ID +1$' "${A[@]}" request show 1
	check "$where audit" '^SEQ +TIME +WHO +ACTION +OUTCOME' "${A[@]}" audit --action simpleenroll
	check "$where ca show" '^name +entca-demo$' "${O[@]}" ca show
	check "$where ca security list" '^KIND +PRINCIPAL +RIGHTS$' "${A[@]}" ca security list
	[ $where = remote ] && check "$where template list" '^NAME +ISSUED +VERSION' "${M[@]}" template list
done
# On the host, template list and show read the folder (no CA needed);
# their --json and --csv forms ask the CA, which knows what it issues.
local_ template list --csv >"$D/t.csv" 2>&1
t_match "local template list --csv: issued or not" ' PKCSIntune,yes,.*SecondTemplate,no,' "$(tr '\n' ' ' <"$D/t.csv")"
local_ template list --json >"$D/t.json" 2>&1
t_eq "local template list --json" "PKCSIntune True SecondTemplate False" \
    "$($PY -c 'import json,sys; print(" ".join("%s %s" % (t["name"], t["issued"]) for t in json.load(open(sys.argv[1]))["templates"]))' "$D/t.json")"
local_ template show PKCSIntune --json >"$D/t.json" 2>&1
t_eq "local template show --json: the file's keys and security" "PKCSIntune 1y True" \
    "$($PY -c 'import json,sys; t=json.load(open(sys.argv[1])); print(t["name"], t["template"]["validity"], len(t["security"]) > 0)' "$D/t.json")"
remote auditor template show PKCSIntune >"$D/t.txt" 2>&1
t_eq "remote template show: the canonical file, as the folder's" "$(local_ template show PKCSIntune)" "$(cat "$D/t.txt")"

# Revocation through the verbs, locally and remotely.
local_ cert revoke "$SA" --reason certificateHold >"$D/r.txt" 2>&1
t_eq "local cert revoke: exit 0" 0 "$?"
t_match "local cert revoke: revoked" '^status +revoked$' "$(cat "$D/r.txt")"
remote officer cert unrevoke "$SA" >"$D/r.txt" 2>&1
t_eq "remote cert unrevoke: exit 0" 0 "$?"
remote auditor cert revoke "$SB" >"$D/r.txt" 2>&1
t_eq "remote cert revoke as an auditor: exit 1" 1 "$?"
t_match "and the API's reason" '^entca: 403: revoke: the CA officer right' "$(cat "$D/r.txt")"
ENTCA_PASSWORD=wrong "$BUILD/entca" --url "$DEMO_URL" --cacert "$DEMO_CA" --user bob@demo.example cert list >"$D/r.txt" 2>&1 </dev/null
t_eq "a wrong password: exit 1" 1 "$?"
ENTCA_PASSWORD=x "$BUILD/entca" --url "$DEMO_URL" --cacert "$SRC/tests/data/does-not-exist.pem" --user bob cert list >"$D/r.txt" 2>&1 </dev/null
t_eq "an unreadable --cacert: exit 1" 1 "$?"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/other.key" -subj /CN=other -out "$D/other.pem" -days 1 2>/dev/null
ENTCA_PASSWORD=demo-bob "$BUILD/entca" --url "$DEMO_URL" --cacert "$D/other.pem" --user bob@demo.example cert list >"$D/r.txt" 2>&1 </dev/null
t_eq "a server that --cacert does not vouch for: exit 1" 1 "$?"
t_match "and why" 'does not verify' "$(cat "$D/r.txt")"

# Template issue: persisted, effective on the running entcad at once, audited.
t_eq "SecondTemplate is not issued yet: enrollment refused" "" "$(enroll SecondTemplate s0 "CN=alice,O=Demo" --upn alice@demo.example)"
remote admin template issue SecondTemplate >"$D/i.txt" 2>&1
t_eq "remote template issue: exit 0" 0 "$?"
t_match "written to entcad.conf" '^issue-templates = PKCSIntune, SecondTemplate$' "$(cat "$DEMO_CONF")"
# The reload runs on entcad's worker: wait for it (bounded), not a time.
for _ in $(seq 1 300); do
	remote admin template list --csv 2>/dev/null | grep -q '^SecondTemplate,yes,' && break
	sleep 0.1
done
t_match "the running entcad issues it" '^SecondTemplate,yes,' "$(remote admin template list --csv)"
S2=$(enroll SecondTemplate s1 "CN=alice,O=Demo" --upn alice@demo.example)
t_match "and enrolls for it" '^[0-9a-f]+$' "$S2"
remote officer template issue SecondTemplate >"$D/i.txt" 2>&1
t_eq "an officer may not issue templates: exit 1" 1 "$?"
remote admin template unissue SecondTemplate >/dev/null 2>&1
t_match "unissue: written" '^issue-templates = PKCSIntune$' "$(cat "$DEMO_CONF")"
local_ audit --action template-issue --csv >"$D/a.csv"
t_match "template issue is audited with who" 'template-issue,done' "$(cat "$D/a.csv")"
t_match "by grace" 'grace' "$(cat "$D/a.csv")"

# CA security: allow, list, remove; a deny that does not resolve refused.
remote admin ca security allow "$SIDP-1116" auditor >"$D/s.txt" 2>&1
t_eq "remote ca security allow: exit 0" 0 "$?"
t_match "written into [security]" "^allow = $SIDP-1116 : auditor$" "$(cat "$DEMO_CONF")"
# mallory_audit: the status of mallory's GET /api/v1/audit?last=1.
mallory_audit() {
	curl -s -o /dev/null -w '%{http_code}' --cacert "$DEMO_CA" -u mallory@demo.example:demo-mallory "$DEMO_URL/api/v1/audit?last=1"
}
t_eq "mallory reads the audit log at once" 200 "$(mallory_audit)"
cp "$DEMO_CONF" "$D/conf.before"
remote admin ca security deny 'DEMO\nobody-such' request >"$D/s.txt" 2>&1
t_eq "a deny the directory cannot resolve: exit 1" 1 "$?"
t_match "400, naming it" '^entca: 400: .*nobody-such' "$(cat "$D/s.txt")"
t_run "entcad.conf unchanged" cmp "$DEMO_CONF" "$D/conf.before"
remote admin ca security allow $'x\n[ca]\nissue-templates = X' read >"$D/s.txt" 2>&1
t_eq "config_injection_newline_in_principal: refused" 1 "$?"
t_run "config_injection_newline_in_principal: entcad.conf unchanged" cmp "$DEMO_CONF" "$D/conf.before"
local_ ca security remove "$SIDP-1116" >"$D/s.txt" 2>&1
t_eq "local ca security remove: exit 0" 0 "$?"
t_eq "gone from entcad.conf" "" "$(grep -- "$SIDP-1116" "$DEMO_CONF")"
t_eq "the local change is in force in the running entcad when entca returns" 403 "$(mallory_audit)"
local_ audit --all --csv >"$D/a.csv"
t_eq "audit --all: every event, each once" "$(local_ audit 1000 | wc -l)" "$(($(wc -l <"$D/a.csv") - 1))"
local_ request list --all --csv >"$D/r.csv"
t_match "request list --all: every status, as before" 'issued' "$(cat "$D/r.csv")"
remote officer cert show "$(echo "$SB" | sed 's/../&:/g; s/:$//')" >"$D/c.txt" 2>&1
t_match "a serial with colons, remotely" "^serial +$SB$" "$(cat "$D/c.txt")"
local_ audit 5 >"$D/a.txt"
t_match "audit N keeps its JSON lines" '^[0-9]+ \{"time":' "$(head -1 "$D/a.txt")"
t_done

#!/bin/bash
# entcad as an operator meets it (issues 2, 3, 4): configuration errors with
# file, line and key; start-up refusals; pid file; SIGHUP reloads that keep
# the old set when the new one is bad; a directory that dies and comes
# back; SIGTERM that finishes in-flight requests; CRL freshness at start.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"
ENTCAD=$BUILD/entcad

DEMO_DIR_TIMEOUT=1000 demo_test_setup

# --- configuration errors: exit 2, file, line and key named ---
bad() {	# bad NAME LINE-TEXT: append a line to a copy of the config under [crl]
	sed "/^\[crl\]/a $2" "$DEMO_CONF" >"$D/$1.conf"
}
bad period "period = soon"
"$ENTCAD" -t -c "$D/period.conf" >"$D/err" 2>&1
t_eq "bad duration: exit 2" 2 "$?"
t_match "message names file, line and key" "period.conf line [0-9]+: \[crl\] period: expected a duration" "$(cat "$D/err")"
bad unknown "colour = blue"
"$ENTCAD" -t -c "$D/unknown.conf" >"$D/err" 2>&1
t_eq "unknown key: exit 2" 2 "$?"
t_match "message names the unknown key" "line [0-9]+: \[crl\] colour: unknown key" "$(cat "$D/err")"
printf '[ca\nname = x\n' >"$D/syntax.conf"
"$ENTCAD" -t -c "$D/syntax.conf" >"$D/err" 2>&1
t_eq "syntax error: exit 2" 2 "$?"
t_match "syntax error names line 1" "syntax.conf line 1:" "$(cat "$D/err")"
"$ENTCAD" -t -c "$D/missing.conf" >"$D/err" 2>&1
t_eq "missing config file: exit 2" 2 "$?"
sed "s|^state-dir = .*|state-dir = $D/nothing-here|" "$DEMO_CONF" >"$D/noca.conf"
"$ENTCAD" -t -c "$D/noca.conf" >"$D/err" 2>&1
t_eq "no CA in the state folder: exit 2" 2 "$?"
t_match "and says so" "CA identity" "$(cat "$D/err")"
"$ENTCAD" -t -c "$DEMO_CONF" >"$D/err" 2>&1
t_eq "the demo configuration checks out (entcad -t)" 0 "$?"

# --- port in use ---
"$PY" -c "import socket,time,sys; s=socket.socket(); s.bind(('127.0.0.1',$DEMO_PORT)); s.listen(); time.sleep(30)" &
blocker=$!
T_PIDS="$T_PIDS $blocker"
wait_port "$DEMO_PORT" 5
timeout 20 "$ENTCAD" -f -c "$DEMO_CONF" >"$D/err" 2>&1
t_eq "port in use: exit 2" 2 "$?"
t_match "port in use: clear reason" "Address already in use" "$(cat "$D/err")"
kill "$blocker"; wait "$blocker" 2>/dev/null

# --- wrong key password: the signer refuses, entcad exits 1 ---
mkdir -p "$D/pwca"
printf 'right-password\n' >"$D/pw"; chmod 600 "$D/pw"
"$BUILD/entca" init --state "$D/pwca/ca" --subject "CN=Password CA" --key-type p256 \
    --key-password-file "$D/pw" >/dev/null 2>&1
sed "s|^state-dir = .*|state-dir = $D/pwca/ca|" "$DEMO_CONF" >"$D/pw.conf"
ENTCA_KEY_PASSWORD=wrong timeout 20 "$ENTCAD" -f -c "$D/pw.conf" >"$D/err" 2>&1
t_eq "wrong CA key password: exit 1" 1 "$?"
t_match "wrong CA key password: clear reason" "signer: .*(password|decrypt)" "$(cat "$D/err")"

# --- unreadable state folder (as another user when we are root) ---
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	# The configuration is readable; the state folder (0700, root's) is not.
	pubconf=$(mktemp /tmp/entcad-conf.XXXXXX)
	cp "$DEMO_CONF" "$pubconf"; chmod 644 "$pubconf"
	setpriv --reuid=65534 --regid=65534 --clear-groups timeout 20 "$ENTCAD" -f -c "$pubconf" >"$D/err" 2>&1
	rc=$?
	rm -f "$pubconf"
else
	chmod 000 "$D/demo/ca"; timeout 20 "$ENTCAD" -f -c "$DEMO_CONF" >"$D/err" 2>&1; rc=$?; chmod 700 "$D/demo/ca"
fi
t_ok "$([ "$rc" -ne 0 ]; echo $?)" "unreadable state folder: non-zero exit ($rc)"
t_match "unreadable state folder: names the file" "$D/demo/ca" "$(cat "$D/err")"

# --- a good start: pid file, health, templates reported ---
demo_test_start
t_eq "pid file holds entcad's pid" "$DEMO_PID" "$(cat "$D/demo/entcad.pid" 2>/dev/null)"
H=$(curl -s --cacert "$DEMO_CA" "$DEMO_URL/health")
t_match "/health reports the issued template" '"issued":\["PKCSIntune"\]' "$H"
t_match "/health reports fresh CRLs" '"full_fresh":true' "$H"

$CSR make "$D/alice.key" "$D/alice.b64" "CN=alice,O=Demo" --upn alice@demo.example
t_eq "enrollment works" 200 "$(demo_enroll_status "$D/alice.b64" PKCSIntune)"

# hup: SIGHUP, then wait until entcad logged the outcome of that reload.
hup() {
	_n=$(grep -c "reloaded \|reload refused" "$D/demo/entcad.log")
	kill -HUP "$DEMO_PID"
	for _ in $(seq 1 100); do
		[ "$(grep -c "reloaded \|reload refused" "$D/demo/entcad.log")" -gt "$_n" ] && return 0
		sleep 0.1
	done
	return 1
}

# --- SIGHUP: a bad template keeps the old set; a good change is taken ---
printf '[template]\ndisplay-name = Broken\nmin-key-size = tiny\n' >"$D/demo/templates/Broken.tmpl"
chmod 600 "$D/demo/templates/Broken.tmpl"
hup
t_match "bad template on SIGHUP: the log names file, line and key" "reload refused.*Broken.tmpl line 3: min-key-size" "$(cat "$D/demo/entcad.log")"
t_eq "the old set keeps serving" 200 "$(demo_enroll_status "$D/alice.b64" PKCSIntune)"
rm -f "$D/demo/templates/Broken.tmpl"
sed -e 's/^display-name = .*/display-name = PKCS Intune Two/' -e 's/^name = .*/name = PKCSIntuneTwo/' \
    -e 's/^oid = .*/oid = 1.3.6.1.4.1.311.21.8.1.2.3.4.7/' \
    "$SRC/etc/templates/PKCSIntune.tmpl" >"$D/demo/templates/PKCSIntuneTwo.tmpl"
chmod 600 "$D/demo/templates/PKCSIntuneTwo.tmpl"
t_eq "a template not yet issued: 404" 404 "$(demo_enroll_status "$D/alice.b64" PKCSIntuneTwo)"
t_match "entca -c finds the templates folder of entcad.conf" 'PKCSIntuneTwo +PKCS Intune Two +PKCSIntuneTwo.tmpl' \
    "$("$BUILD/entca" -c "$DEMO_CONF" template list)"
"$BUILD/entca" -c "$DEMO_CONF" template issue PKCSIntuneTwo >"$D/err" 2>&1
t_eq "entca template issue: exit 0" 0 "$?"
t_match "issue-templates now lists it" "^issue-templates = PKCSIntune, PKCSIntuneTwo" "$(cat "$DEMO_CONF")"
hup
t_eq "after SIGHUP the new template is issued" 200 "$(demo_enroll_status "$D/alice.b64" PKCSIntuneTwo)"
"$BUILD/entca" -c "$DEMO_CONF" template unissue PKCSIntuneTwo >"$D/err" 2>&1
hup
t_eq "unissue + SIGHUP: 404 again" 404 "$(demo_enroll_status "$D/alice.b64" PKCSIntuneTwo)"
sed "s/^\[crl\]/[crl]\nperiod = never/" "$DEMO_CONF" >"$D/broken.conf"
cp "$DEMO_CONF" "$D/good.conf"; cp "$D/broken.conf" "$DEMO_CONF"
hup
t_match "bad entcad.conf on SIGHUP is refused with its line" "reload refused.*entcad.conf line [0-9]+: \[crl\] period" "$(cat "$D/demo/entcad.log")"
t_eq "and the old configuration keeps serving" 200 "$(demo_enroll_status "$D/alice.b64" PKCSIntune)"
cp "$D/good.conf" "$DEMO_CONF"

# --- SIGHUP moves entcad to another directory pool (new URI) and back ---
cp "$DEMO_CONF" "$D/good.conf"
dead=$(free_port)
sed -i "s|^uri = .*|uri = ldap://127.0.0.1:$dead|" "$DEMO_CONF"
hup
t_match "a changed [directory] gets a new pool on SIGHUP" "new directory pool for ldap://127.0.0.1:$dead" "$(cat "$D/demo/entcad.log")"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DEMO_CA" -u 'alice@demo.example:not-cached' \
    -H 'Content-Type: application/pkcs10' --data-binary @"$D/alice.b64" "$DEMO_URL/.well-known/est/PKCSIntune/simpleenroll")
t_eq "the new pool is in use (nothing listens there: 503)" 503 "$code"
cp "$D/good.conf" "$DEMO_CONF"
hup
t_eq "back on the real directory after the next SIGHUP" 200 "$(demo_enroll_status "$D/alice.b64" PKCSIntune)"

# --- the directory dies and comes back ---
"$SRC/tests/slapd/slapd-stop.sh" "$D/demo/slapd" --keep
start=$(date +%s%N)
code=$(demo_enroll_status "$D/alice.b64" PKCSIntune)
ms=$(( ($(date +%s%N) - start) / 1000000 ))
curl -s -o /dev/null -D "$D/hdr" --cacert "$DEMO_CA" -u 'alice@demo.example:other-pass' \
    -H 'Content-Type: application/pkcs10' --data-binary @"$D/alice.b64" "$DEMO_URL/.well-known/est/PKCSIntune/simpleenroll"
t_eq "directory down: 503" 503 "$(sed -n '1s/^HTTP\/1.1 \([0-9]*\).*/\1/p' "$D/hdr")"
t_match "503 carries Retry-After" "Retry-After:" "$(cat "$D/hdr")"
t_ok "$([ "$ms" -lt 6000 ]; echo $?)" "directory down answered within the timeout (${ms} ms, cached connector: $code)"
eval "$(SLAPD_WATCH_PID=$$ "$SRC/tests/slapd/slapd-start.sh" "$D/demo/slapd")"
t_eq "directory back: entcad recovers without a restart" 200 "$(demo_enroll_status "$D/alice.b64" PKCSIntune)"

# --- SIGTERM with requests in flight: all answered, committed, exit 0 ---
pids=""
for i in $(seq 1 12); do
	curl -s -o "$D/inflight.$i" -w '%{http_code}\n' --cacert "$DEMO_CA" -u "$CONN" \
	    -H 'Content-Type: application/pkcs10' --data-binary @"$D/alice.b64" \
	    "$DEMO_URL/.well-known/est/PKCSIntune/simpleenroll" >"$D/inflight.$i.code" &
	pids="$pids $!"
done
sleep 0.5
kill -TERM "$DEMO_PID"
wait "$DEMO_PID"
t_eq "SIGTERM: exit 0" 0 "$?"
wait $pids
answered=0 lost=0 odd=0
"$BUILD/entca" -c "$DEMO_CONF" cert list --tsv >"$D/certs.txt"
for i in $(seq 1 12); do
	# 200, or never connected (000) when it came after the listener closed.
	case $(cat "$D/inflight.$i.code") in 200) ;; 000) continue ;; *) odd=$((odd + 1)); continue ;; esac
	answered=$((answered + 1))
	s=$(base64 -d "$D/inflight.$i" | openssl pkcs7 -inform DER -print_certs | openssl x509 -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')
	grep -q "^0*${s##0}	valid" "$D/certs.txt" || lost=$((lost + 1))
done
t_eq "requests accepted before SIGTERM were answered, none failed ($answered of 12 answered)" 0 "$odd"
t_eq "every certificate handed out is in the store" 0 "$lost"
t_ok "$([ ! -e "$D/demo/entcad.pid" ]; echo $?)" "pid file removed on exit"

# --- a CRL past half its life is replaced at start ---
before=$(grep -c "published full CRL" "$D/demo/entcad.log")
ENTCA_NOW=$(( $(date +%s) + 5 * 86400 )) demo_test_start restart
for _ in $(seq 1 100); do
	[ "$(grep -c "published full CRL" "$D/demo/entcad.log")" -gt "$before" ] && break
	sleep 0.1
done
t_eq "start with a CRL past half its life publishes a fresh one" $((before + 1)) "$(grep -c "published full CRL" "$D/demo/entcad.log")"
demo_test_stop

# --- the signer dies: in-flight work fails cleanly, entcad restarts it ---
# --- and, as root, entcad drops to [ca] user with the state handed over ---
if [ "$(id -u)" = 0 ]; then
	sed -i 's/^workers = 4/workers = 4\nuser = nobody/' "$DEMO_CONF"
	chmod 755 "$D" "$D/demo" "$D/demo/templates"; chmod 644 "$D/demo/templates/"*.tmpl "$DEMO_CONF"
fi
demo_test_start restart
if [ "$(id -u)" = 0 ]; then
	t_eq "entcad runs as [ca] user" nobody "$(ps -o user= -p "$DEMO_PID" | tr -d ' ')"
	t_eq "the state folder belongs to it" nobody "$(stat -c %U "$D/demo/ca/db")"
fi
signer=$(pgrep -x -P "$DEMO_PID" entcad-signer | head -1)
t_match "the signer is a child process" '^[0-9]+$' "$signer"
kill -9 "$signer"
sleep 2
t_eq "after the signer was killed, enrollment works again" 200 "$(demo_enroll_status "$D/alice.b64" PKCSIntune)"
t_match "the signer was restarted" '[0-9]+' "$(pgrep -x -P "$DEMO_PID" entcad-signer | head -1)"
kill "$DEMO_PID"; wait "$DEMO_PID"
t_eq "and entcad still stops cleanly" 0 "$?"
t_done

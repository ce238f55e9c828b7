#!/bin/bash
# The CA key out of reach of the network process, and secrets (issue 11
# items 2 and 4, issue 20 item 8). Each check performs the attack: read the
# key as the network process's account, make the signer call socket(),
# start with a world-readable key or bind password file, abort the network
# process with core dumps allowed and look for a core.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"
ENTCAD=$BUILD/entcad
HOOKS=$BUILD/tests/entcad-testhooks
ROOT=0; [ "$(id -u)" = 0 ] && ROOT=1

demo_test_setup
KEY=$D/demo/ca/ca.key
SECRET=$D/demo/ldap.secret
LOG=$D/demo/entcad.log
cp "$DEMO_CONF" "$D/nouser.conf"

# t_skip "description" "reason": one skipped TAP result.
t_skip() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $1 # SKIP $2"
}

# start BINARY [ENV=VALUE...]: start entcad (or the hooks build) on
# DEMO_CONF in the background and wait until /health answers.
start() {
	_bin=$1; shift
	env "$@" "$_bin" -f -c "$DEMO_CONF" 2>>"$LOG" &
	DEMO_PID=$!
	T_PIDS="$T_PIDS $DEMO_PID"
	for _ in $(seq 1 100); do
		curl -s --cacert "$DEMO_CA" "$DEMO_URL/health" >/dev/null 2>&1 && return 0
		kill -0 "$DEMO_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# wait_log PATTERN [COUNT]: bounded wait until LOG holds COUNT lines matching.
wait_log() {
	for _ in $(seq 1 200); do
		[ "$(grep -cE -- "$1" "$LOG")" -ge "${2:-1}" ] && return 0
		sleep 0.05
	done
	return 1
}

$CSR make "$D/alice.key" "$D/alice.b64" "CN=alice,O=Demo" --upn alice@demo.example

# --- key_file_world_readable_refused ---
chmod 644 "$KEY"
timeout 20 "$ENTCAD" -f -c "$DEMO_CONF" >"$D/err" 2>&1
t_eq "key_file_world_readable_refused: exit 2" 2 "$?"
t_match "key_file_world_readable_refused: names the file and the fix" \
    "$KEY: readable by group or others \(mode 0644\); fix: chmod 600 $KEY" "$(cat "$D/err")"
"$ENTCAD" -t -c "$DEMO_CONF" >"$D/err" 2>&1
t_eq "key_file_world_readable_refused: entcad -t says so too" 2 "$?"
chmod 600 "$KEY"

# --- bind_password_file_mode_refused ---
chmod 640 "$SECRET"
timeout 20 "$ENTCAD" -f -c "$DEMO_CONF" >"$D/err" 2>&1
t_eq "bind_password_file_mode_refused: exit 2" 2 "$?"
t_match "bind_password_file_mode_refused: names the file and the fix" \
    "$SECRET: readable by group or others \(mode 0640\); fix: chmod 600 $SECRET" "$(cat "$D/err")"
chmod 600 "$SECRET"

# --- a key file that belongs to a stranger is refused (root) ---
if [ $ROOT = 1 ]; then
	chown daemon "$KEY"
	timeout 20 "$ENTCAD" -f -c "$DEMO_CONF" >"$D/err" 2>&1
	t_eq "key_file_foreign_owner_refused: exit 2" 2 "$?"
	t_match "key_file_foreign_owner_refused: names owner and fix" \
	    "$KEY: owned by daemon .*fix: chown entca-signer $KEY" "$(cat "$D/err")"
	chown root "$KEY"
else
	t_skip "key_file_foreign_owner_refused" "needs root"
fi

# --- no_core_dump_secrets: abort the network process, cores allowed ---
# core_pattern is only read: a plain name means a file in the cwd.
mkdir -p "$D/core"
DEMO_CONF=$D/nouser.conf
(cd "$D/core" && ulimit -c unlimited && exec "$ENTCAD" -f -c "$DEMO_CONF" 2>>"$LOG") &
DEMO_PID=$!
T_PIDS="$T_PIDS $DEMO_PID"
wait_port "${DEMO_URL##*:}" 20
t_eq "no_core_dump_secrets: a request with a Basic password first" 200 "$(demo_enroll_status "$D/alice.b64")"
t_match "no_core_dump_secrets: RLIMIT_CORE is 0 in the network process" \
    '^Max core file size +0 +0 ' "$(grep '^Max core file size' "/proc/$DEMO_PID/limits")"
kill -ABRT "$DEMO_PID"
wait "$DEMO_PID"
t_eq "no_core_dump_secrets: SIGABRT ends it" 134 "$?"
pattern=$(cat /proc/sys/kernel/core_pattern)
case $pattern in
'|'*) t_skip "no_core_dump_secrets: no core file" "core_pattern pipes to $pattern" ;;
*)	core=$(ls "$D/core" "$D/demo/ca" 2>/dev/null | grep -c '^core')
	t_eq "no_core_dump_secrets: no core file written" 0 "$core"
	if [ "$core" != 0 ]; then
		for f in "$D/core"/core* "$D/demo/ca"/core*; do
			grep -qa "$(cat "$SECRET")" "$f" 2>/dev/null && echo "# $f holds the bind password"
		done
	fi ;;
esac
DEMO_CONF=$D/demo/entcad.conf

# --- network_user_cannot_read_key: root start, user = nobody ---
if [ $ROOT = 1 ]; then
	sed -i 's/^workers = 4/workers = 4\nuser = nobody/' "$DEMO_CONF"
	chmod 755 "$D" "$D/demo" "$D/demo/templates"
	chmod 644 "$D/demo/templates/"*.tmpl "$DEMO_CONF"
fi
start "$ENTCAD" || t_skip_all "entcad did not start: $(tail -3 "$LOG")"
signer=$(pgrep -x -P "$DEMO_PID" entcad-signer | head -1)
t_match "the signer is a child of entcad" '^[0-9]+$' "$signer"
t_eq "the signer runs under the seccomp filter" 2 \
    "$(awk '/^Seccomp:/ {print $2}' "/proc/$signer/status")"
t_eq "the signer holds no capabilities" 0000000000000000 \
    "$(awk '/^CapEff:/ {print $2}' "/proc/$signer/status")"
t_eq "the signer has no-new-privs" 1 "$(awk '/^NoNewPrivs:/ {print $2}' "/proc/$signer/status")"
if [ $ROOT = 1 ]; then
	t_eq "entcad runs as [ca] user" nobody "$(ps -o user= -p "$DEMO_PID" | tr -d ' ')"
	t_eq "the signer runs as [ca] signer-user" entca-signer "$(ps -o user= -p "$signer" | tr -d ' ')"
	t_eq "the key file is the signer's, 0600" "entca-signer 600" "$(stat -c '%U %a' "$KEY")"
	t_fail "network_user_cannot_read_key: nobody cannot open ca.key" \
	    setpriv --reuid=nobody --regid=nogroup --clear-groups head -c 64 "$KEY"
	t_fail "network_user_cannot_read_key: nor with su, as in the report" \
	    su -s /bin/sh nobody -c "head -c 64 '$KEY'"
	t_fail "network_user_cannot_read_key: nor through /proc of the signer" \
	    setpriv --reuid=nobody --regid=nogroup --clear-groups cat "/proc/$signer/environ"
	t_eq "the network process is not dumpable after dropping to nobody" root \
	    "$(stat -c %U "/proc/$DEMO_PID/status")"
	t_match "the log says what isolation is in force" \
	    "isolation: the network process runs as nobody and cannot open $KEY; the signer \(pid $signer\) runs as entca-signer, no capabilities, no-new-privs, seccomp filter, no network" \
	    "$(cat "$LOG")"
else
	t_skip "network_user_cannot_read_key" "needs root"
	t_match "unprivileged: the log says the key is not isolated" \
	    "isolation: started as uid $(id -u), not root: .*can therefore open $KEY" "$(cat "$LOG")"
fi
t_eq "enrollment signs through the isolated signer" 200 "$(demo_enroll_status "$D/alice.b64")"
# signer_death_logged_with_cause (issue 11 item 4): a killed signer.
kill -9 "$signer"
wait_log "signer process $signer killed by signal SIGKILL \(Killed\); restarted as pid [0-9]+"
t_eq "signer_death_logged_with_cause: SIGKILL and the new pid logged" 0 "$?"
t_eq "after the restart, enrollment works" 200 "$(demo_enroll_status "$D/alice.b64")"
kill "$DEMO_PID"; wait "$DEMO_PID"

# --- signer_seccomp_kills_forbidden_syscall (test-hooks build only) ---
# The hook is in tests/entcad-testhooks, never in the installed entcad: the
# first signer whose environment names a file it can remove calls socket()
# at its next signature; the filter must kill it with SIGSYS.
mkdir -p "$D/hook"
touch "$D/hook/fire"
[ $ROOT = 1 ] && chown -R entca-signer "$D/hook"
n0=$(grep -c "restarted as pid" "$LOG")
start "$HOOKS" ENTCA_TEST_SIGNER_SYSCALL="$D/hook/fire" || t_skip_all "entcad-testhooks did not start"
demo_enroll_status "$D/alice.b64" >/dev/null	# signs (if the start's CRL did not already)
wait_log "signer process [0-9]+ killed by signal SIGSYS \(Bad system call\): a forbidden system call \(seccomp\)"
t_eq "signer_seccomp_kills_forbidden_syscall: death by SIGSYS logged with its cause" 0 "$?"
t_eq "signer_seccomp_kills_forbidden_syscall: the hook fired once" 1 "$([ -e "$D/hook/fire" ] || echo 1)"
wait_log "restarted as pid" $((n0 + 1))
t_eq "signer_seccomp_kills_forbidden_syscall: entcad restarted the signer" 0 "$?"
code=000
for _ in $(seq 1 40); do	# bounded: the sign path restarts at most once a second
	code=$(demo_enroll_status "$D/alice.b64")
	[ "$code" = 200 ] && break
	sleep 0.1
done
t_eq "signer_seccomp_kills_forbidden_syscall: signing works again" 200 "$code"
kill "$DEMO_PID"; wait "$DEMO_PID"
t_eq "and entcad stops cleanly" 0 "$?"

# The production entcad ignores the hook's variable.
touch "$D/hook/fire"
[ $ROOT = 1 ] && chown entca-signer "$D/hook/fire"
start "$ENTCAD" ENTCA_TEST_SIGNER_SYSCALL="$D/hook/fire" || t_skip_all "entcad did not start"
t_eq "the installed entcad has no hook: enrollment works" 200 "$(demo_enroll_status "$D/alice.b64")"
t_eq "the installed entcad has no hook: the file is untouched" 0 "$([ -e "$D/hook/fire" ]; echo $?)"
kill "$DEMO_PID"; wait "$DEMO_PID"

# --- entcad with the key in SoftHSM2 and [ca] pkcs11-pin-file (issue 19
# item 3): the PIN comes from the file, ca.json never holds it, and the
# signer (its own account as root) signs under the seccomp filter. ---
MOD=$SOFTHSM_MODULE
if softhsm_available; then
	softhsm_token "$D/hsm"
	(umask 077; printf '1234\n' >"$D/hsm/pin")
	"$BUILD/entca" init --state "$D/hsm/ca" --subject "CN=Token CA" --key-type p256 \
	    --pkcs11 "pkcs11:token=entca;object=ca" --pkcs11-module "$MOD" \
	    --pin-file "$D/hsm/pin" >"$D/err" 2>&1
	t_eq "entca init --pin-file makes a token CA" 0 "$?"
	t_eq "pkcs11_pin_not_stored: ca.json holds no PIN" 0 "$(grep -c '1234\|pin-value' "$D/hsm/ca/ca.json")"
	sed -e "s|^state-dir = .*|state-dir = $D/hsm/ca|" \
	    -e "s|^client-ca = .*|client-ca = $D/hsm/ca/ca.crt|" \
	    -e "s|^workers = 4|workers = 4\npkcs11-pin-file = $D/hsm/pin|" \
	    "$DEMO_CONF" >"$D/hsm/entcad.conf"
	if [ $ROOT = 1 ]; then
		chmod 755 "$D/hsm"; chmod 644 "$SOFTHSM2_CONF" "$D/hsm/entcad.conf"
		chown -R entca-signer "$D/hsm/tokens"
	fi
	chmod 644 "$D/hsm/pin"
	timeout 20 "$ENTCAD" -f -c "$D/hsm/entcad.conf" >"$D/err" 2>&1
	t_match "pkcs11_pin_file_mode_refused" "$D/hsm/pin: readable by group or others" "$(cat "$D/err")"
	chmod 600 "$D/hsm/pin"
	DEMO_CONF=$D/hsm/entcad.conf
	DEMO_CA=$D/hsm/ca/ca.crt
	start "$ENTCAD" || t_skip_all "entcad with a token key did not start: $(tail -3 "$LOG")"
	t_eq "token key: enrollment signs with the PIN from pkcs11-pin-file" 200 "$(demo_enroll_status "$D/alice.b64")"
	base64 -d "$D/out" | openssl pkcs7 -inform DER -print_certs >"$D/leaf.pem" 2>/dev/null
	t_run "token key: openssl verifies the certificate" openssl verify -CAfile "$D/hsm/ca/ca.crt" "$D/leaf.pem"
	signer=$(pgrep -x -P "$DEMO_PID" entcad-signer | head -1)
	t_eq "token key: the signer runs under the seccomp filter" 2 \
	    "$(awk '/^Seccomp:/ {print $2}' "/proc/$signer/status")"
	kill "$DEMO_PID"; wait "$DEMO_PID"
	(umask 077; printf 'backup-pass-2026\n' >"$D/bpw")
	"$BUILD/entca" -c "$D/hsm/entcad.conf" backup "$D/hsm-backup" --with-key \
	    --password-file "$D/bpw" >"$D/err" 2>&1
	t_match "backup --with-key of a token key: refused with the reason" \
	    "PKCS#11 token and never leaves it" "$(cat "$D/err")"
else
	t_skip "entcad with a token key" "SoftHSM2 not installed"
fi

# --- entca backup --with-key, and init --import takes it back (issue 19) ---
DEMO_CONF=$D/demo/entcad.conf
DEMO_CA=$D/demo/ca/ca.crt
printf 'short\n' >"$D/bpw"; chmod 600 "$D/bpw"
"$BUILD/entca" -c "$DEMO_CONF" backup "$D/b0" --with-key --password-file "$D/bpw" >"$D/err" 2>&1
t_eq "backup_password_too_short_refused: exit 2" 2 "$?"
t_match "backup_password_too_short_refused: reason" "at least 8" "$(cat "$D/err")"
printf 'backup-pass-2026\n' >"$D/bpw"
"$BUILD/entca" -c "$DEMO_CONF" backup "$D/b1" --with-key --password-file "$D/bpw" >"$D/err" 2>&1
t_eq "backup --with-key: exit 0" 0 "$?"
t_eq "backup holds the CA certificate" "$(openssl x509 -in "$DEMO_CA" -noout -fingerprint)" \
    "$(openssl x509 -in "$D/b1/ca.crt" -noout -fingerprint)"
t_eq "backup's ca.p12 is 0600" 600 "$(stat -c %a "$D/b1/ca.p12")"
t_run "openssl opens ca.p12 with the password" openssl pkcs12 -in "$D/b1/ca.p12" \
    -passin file:"$D/bpw" -noout
"$BUILD/entca" init --state "$D/restored" --import "$D/b1/ca.p12" --password-file "$D/bpw" >"$D/err" 2>&1
t_eq "init --import takes the backup back" 0 "$?"
t_eq "the restored CA has the same key" "$(openssl x509 -in "$DEMO_CA" -noout -pubkey)" \
    "$(openssl x509 -in "$D/restored/ca.crt" -noout -pubkey)"
"$BUILD/entca" -c "$DEMO_CONF" backup "$D/b2" >/dev/null 2>&1
# Beside the store: the certificate, the CRLs in service and their
# high-water mark (what entca restore puts back), never a key.
t_eq "backup without --with-key holds no key" "ca.crt crl crl.highwater" "$(ls "$D/b2" | grep -v '\.mdb$' | tr '\n' ' ' | sed 's/ $//')"

# --- failed_init_removes_state_folder ---
printf 'wrong-password\n' >"$D/wpw"
"$BUILD/entca" init --state "$D/failed" --import "$D/b1/ca.p12" --password-file "$D/wpw" >"$D/err" 2>&1
t_ok $(( $? == 0 )) "failed_init_removes_state_folder: wrong PKCS#12 password refused"
t_eq "failed_init_removes_state_folder: no state folder left" 1 "$([ -e "$D/failed" ] || echo 1)"
mkdir "$D/existing"
"$BUILD/entca" init --state "$D/existing" --import "$D/b1/ca.p12" --password-file "$D/wpw" >/dev/null 2>&1
t_eq "a folder that existed before a failed init stays" 0 "$([ -d "$D/existing" ]; echo $?)"
t_done

# tests/common.sh: sourced by every integration script. Gives TAP output,
# a private temp folder, free loopback ports, background processes that are
# always stopped on exit, and wait helpers. Scripts run from the build tree
# with top_srcdir and top_builddir exported by the harness.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
PY=/usr/bin/python3	# Debian's python with python3-cryptography

T_N=0
T_FAILED=0
T_PIDS=""
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/entca-test.XXXXXX")

# Stop every process we started, then remove the temp folder.
t_cleanup() {
	for p in $T_PIDS; do kill "$p" 2>/dev/null; done
	for p in $T_PIDS; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	for m in ${T_MOUNTS:-}; do umount "$m" 2>/dev/null; done
	t_sanitizer_check_exit
	[ -n "${T_KEEP:-}" ] || rm -rf "$T_TMP"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# ok CONDITION-EXIT-CODE "description": record one TAP result.
t_ok() {
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then echo "ok $T_N - $2"
	else echo "not ok $T_N - $2"; T_FAILED=$((T_FAILED + 1)); fi
}

# t_run "description" cmd...: run a command, pass if it exits 0.
t_run() {
	_d=$1; shift
	if "$@" >"$T_TMP/last.out" 2>&1; then t_ok 0 "$_d"
	else t_ok 1 "$_d"; sed 's/^/# /' "$T_TMP/last.out" | tail -20; fi
}

# t_fail "description" cmd...: pass if the command exits non-zero.
t_fail() {
	_d=$1; shift
	if "$@" >"$T_TMP/last.out" 2>&1; then t_ok 1 "$_d"; sed 's/^/# /' "$T_TMP/last.out" | tail -20
	else t_ok 0 "$_d"; fi
}

# t_eq "description" expected actual
t_eq() {
	if [ "$2" = "$3" ]; then t_ok 0 "$1"
	else t_ok 1 "$1"; echo "# expected: $2"; echo "# actual:   $3"; fi
}

# t_match "description" regex text
t_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then t_ok 0 "$1"
	else t_ok 1 "$1"; echo "# pattern: $2"; printf '%s\n' "$3" | head -20 | sed 's/^/# text: /'; fi
}

# t_done: print the plan and exit with the failure count (TAP trailing plan).
t_done() {
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ]
	exit $?
}

# t_skip_all "reason": whole script skipped.
t_skip_all() {
	# Once a check has run, giving up is a failure, not a skip.
	if [ "$T_N" -gt 0 ]; then
		t_ok 1 "gave up: $1"
		t_done
	fi
	echo "1..0 # SKIP $1"
	exit 0
}

# free_port: print a TCP port free on 127.0.0.1 (tests/free_port.py says
# which, and why below the ephemeral range).
free_port() {
	$PY "$top_srcdir/tests/free_port.py"
}

# t_bg cmd...: start in background, remember its pid in T_LASTPID.
t_bg() {
	"$@" &
	T_LASTPID=$!
	T_PIDS="$T_PIDS $T_LASTPID"
}

# wait_port PORT [SECONDS]: wait until 127.0.0.1:PORT accepts connections
# (python, since sh has no /dev/tcp).
wait_port() {
	$PY - "$1" "${2:-10}" <<'PYEOF'
import socket, sys, time
end = time.time() + float(sys.argv[2])
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PYEOF
}

# Sanitizer reports in the logs of the daemons a script started. Every text
# file under $T_TMP (where the daemons' logs go) and every file named in
# T_LOGS is searched; an ASan/UBSan/LSan build then fails the script on a
# daemon-side error, not only on a unit test's own.
T_LOGS=${T_LOGS:-}
T_SAN_PATTERN='ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|ThreadSanitizer|MemorySanitizer)|runtime error:'

# t_sanitizer_reports: print the files holding a sanitizer report.
t_sanitizer_reports() {
	{ grep -rlsIE -- "$T_SAN_PATTERN" "$T_TMP"
	  for f in $T_LOGS; do grep -lsIE -- "$T_SAN_PATTERN" "$f"; done; } | sort -u
}

# t_sanitizer_check_exit: from the exit trap, once the daemons are stopped
# (LeakSanitizer reports at exit): a report makes the script fail.
t_sanitizer_check_exit() {
	_files=$(t_sanitizer_reports)
	[ -z "$_files" ] && return 0
	for f in $_files; do
		echo "# sanitizer report in $f:"
		grep -E -A12 -- "$T_SAN_PATTERN" "$f" | head -40 | sed 's/^/#   /'
	done
	echo "Bail out! sanitizer report in a daemon log"
	[ -n "${T_KEEP:-}" ] || rm -rf "$T_TMP"
	exit 1
}
# As root, entcad runs its signer as [ca] signer-user (default
# entca-signer): make that system account once, as the install step would.
if [ "$(id -u)" = 0 ] && ! getent passwd entca-signer >/dev/null 2>&1; then
	useradd --system --no-create-home --shell /usr/sbin/nologin entca-signer 2>/dev/null ||
		getent passwd entca-signer >/dev/null || echo "# cannot create the entca-signer account" >&2
fi

# SoftHSM2 for the PKCS#11 tests: SOFTHSM_MODULE is its PKCS#11 module
# (SOFTHSM2_MODULE overrides the Debian path).
SOFTHSM_MODULE=${SOFTHSM2_MODULE:-/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so}

# softhsm_available: SoftHSM2's module and softhsm2-util are installed.
softhsm_available() {
	[ -r "$SOFTHSM_MODULE" ] && command -v softhsm2-util >/dev/null
}

# softhsm_token DIR: a private SoftHSM2 (its configuration in DIR, exported
# as SOFTHSM2_CONF, its tokens in DIR/tokens) with one token: label entca,
# SO PIN 5678, user PIN 1234.
softhsm_token() {
	mkdir -p "$1/tokens"
	SOFTHSM2_CONF=$1/softhsm2.conf
	export SOFTHSM2_CONF
	printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
	    "$1/tokens" >"$SOFTHSM2_CONF"
	softhsm2-util --init-token --free --label entca --so-pin 5678 --pin 1234 >/dev/null
}

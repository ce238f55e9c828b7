#!/bin/bash
# scep.sh: SCEP enrollments per second of a real entcad (run on demand, not
# part of make check), each with its one-time challenge from
# POST /api/v1/scep/challenges, against two baselines measured in the same
# run: micromdm's scepserver (Debian's scep package) issuing from its own
# file depot with a static challenge, and entcad's own EST simpleenroll.
# The client is the same scepclient for both SCEP servers; keys are made
# before the clock starts, so the figures are request handling, not RSA
# key generation. Usage from a build directory:
#   tests/bench/scep.sh [N] [PARALLEL]
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/common.sh"
: "${top_builddir:=$(pwd)}"
SRC=$top_srcdir BUILD=$top_builddir
. "$SRC/etc/demo/demo-env.sh"
N=${1:-100}
P=${2:-4}
D=$T_TMP
command -v scepclient >/dev/null && command -v scepserver >/dev/null ||
	{ echo "scep.sh: install Debian's scep package (scepclient, scepserver)" >&2; exit 1; }

DEMO_LOG_LEVEL=warning DEMO_WATCH_PID=$$ demo_setup "$D/demo" "$(free_port)" "$(free_port)" >/dev/null || exit 1
# scepclient encrypts with single DES whatever GetCACaps says (see README).
printf '\n[scep]\nenabled = yes\nallow-des = yes\n' >>"$DEMO_CONF"
demo_start_entcad || exit 1
T_PIDS="$T_PIDS $DEMO_PID"

# micromdm's scepserver with its own CA (2048-bit, like the demo CA).
SSPORT=$(free_port)
(cd "$D" && scepserver ca -init -depot "$D/depot" -keySize 2048 >/dev/null 2>&1)
scepserver -depot "$D/depot" -port "$SSPORT" -challenge bench-secret -allowrenew 0 >"$D/scepserver.log" 2>&1 &
T_PIDS="$T_PIDS $!"
for _ in $(seq 1 100); do
	curl -s "http://127.0.0.1:$SSPORT/scep?operation=GetCACaps" >/dev/null && break
	sleep 0.1
done

# Keys and EST CSRs first: their RSA generation is not what is measured.
mkdir -p "$D/keys"
seq 1 $((3 * N)) | xargs -P "$(nproc)" -I{} sh -c \
    "openssl genrsa -traditional -out '$D/keys/{}.pem' 2048 2>/dev/null"
for i in $(seq 1 "$N"); do
	$PY "$SRC/tests/integration/csr.py" make "$D/keys/est$i.key" "$D/keys/est$i.b64" \
	    "CN=alice,O=Demo" --upn alice@demo.example
done

export D PLAIN=$DEMO_CRL_URL DEMO_URL DEMO_CA SSPORT
# one_entca I: a challenge from the API as the connector, then scepclient.
one_entca() {
	mkdir -p "$D/e$1" && cp "$D/keys/$1.pem" "$D/e$1/key.pem"
	ch=$(curl -s --cacert "$DEMO_CA" -u 'INTUNECONN$:demo-connector' -H 'Content-Type: application/json' \
	    --data '{"template":"PKCSIntune","principal":"alice@demo.example"}' \
	    "$DEMO_URL/api/v1/scep/challenges" | sed 's/.*"challenge":"\([0-9a-f]*\)".*/\1/')
	scepclient -server-url "$PLAIN/scep/PKCSIntune" -challenge "$ch" -private-key "$D/e$1/key.pem" \
	    -certificate "$D/e$1/c.pem" -cn alice >/dev/null 2>&1
	test -s "$D/e$1/c.pem" || echo "entca enrollment $1 failed" >&2
}
# one_micromdm I: scepclient against scepserver with its static challenge.
one_micromdm() {
	k=$(( $1 + N_ ))
	mkdir -p "$D/m$1" && cp "$D/keys/$k.pem" "$D/m$1/key.pem"
	# One CN each: scepserver revokes the previous certificate of a CN in
	# its file depot, which parallel clients of one CN trip over.
	scepclient -server-url "http://127.0.0.1:$SSPORT/scep" -challenge bench-secret \
	    -private-key "$D/m$1/key.pem" -certificate "$D/m$1/c.pem" -cn "alice-$1" >"$D/m$1/log" 2>&1
	test -s "$D/m$1/c.pem" || echo "scepserver enrollment $1 failed: $(tail -1 "$D/m$1/log")" >&2
}
# one_est I: EST simpleenroll of a CSR made beforehand, as the connector.
one_est() {
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DEMO_CA" -u 'INTUNECONN$:demo-connector' \
	    -H 'Content-Type: application/pkcs10' --data-binary @"$D/keys/est$1.b64" \
	    "$DEMO_URL/.well-known/est/PKCSIntune/simpleenroll")
	[ "$code" = 200 ] || echo "EST enrollment $1 failed: $code" >&2
}
export -f one_entca one_micromdm one_est
export N_=$N

# timed KIND: N enrollments, P at a time; prints seconds.
timed() {
	t0=$(date +%s.%N)
	seq 1 "$N" | xargs -P "$P" -I{} bash -c "$1 {}"
	t1=$(date +%s.%N)
	$PY -c "print('%.2f' % ($t1 - $t0))"
}
one_entca 0 2>/dev/null; one_micromdm 0 2>/dev/null	# warm caches
te=$(timed one_entca)
tm=$(timed one_micromdm)
ts=$(timed one_est)
div() { $PY -c "print('%.${3:-1}f' % ($1 / $2))"; }
printf '# %s, %s cores, %d enrollments each, %d in parallel; RSA-2048 CA keys\n' \
    "$(date -u '+%F %H:%M UTC')" "$(nproc)" "$N" "$P"
printf '| server | s | enrollments/s | ratio to scepserver |\n|---|---|---|---|\n'
printf '| micromdm scepserver (SCEP, static challenge, file depot) | %s | %s | 1.0 |\n' "$tm" "$(div "$N" "$tm")"
printf '| entcad SCEP (challenge from the API + PKCSReq) | %s | %s | %s |\n' "$te" "$(div "$N" "$te")" "$(div "$tm" "$te" 2)"
printf '| entcad EST simpleenroll (same template) | %s | %s | %s |\n' "$ts" "$(div "$N" "$ts")" "$(div "$tm" "$ts" 2)"

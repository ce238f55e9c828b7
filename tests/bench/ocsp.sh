#!/bin/bash
# tests/bench/ocsp.sh: OCSP responses per second and p99 latency of a real
# entcad against `openssl ocsp -index ... -port` serving the same serials,
# signed by the same CA key, in the same run (on demand, not in make
# check). Loads: cached GETs (RFC 5019: one CertID, no nonce; entcad
# answers them pre-signed) and nonce POSTs (signed for each request), at
# 1, 32 and 128 connections, with one client for both (ocsp_load.py) and
# wrk for entcad alone (apt-get install wrk).
# Usage from a build directory: tests/bench/ocsp.sh [SECONDS] [SERIALS]
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/common.sh"
: "${top_builddir:=$(pwd)}"
SRC=$top_srcdir BUILD=$top_builddir
. "$SRC/etc/demo/demo-env.sh"
SECS=${1:-5}
NSER=${2:-8}
D=$T_TMP
OC="$PY $SRC/tests/integration/ocsp_check.py"
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }

DEMO_LOG_LEVEL=warning DEMO_WATCH_PID=$$ demo_setup "$D/demo" "$(free_port)" "$(free_port)" >/dev/null || exit 1
# Room for 128 connections from one address.
sed -i 's/^\[http\]$/[http]\nmax-connections = 1024\nmax-connections-per-source = 512/' "$DEMO_CONF"
demo_start_entcad || exit 1
T_PIDS="$T_PIDS $DEMO_PID"

# The same serials for both responders: certificates entcad issued.
: >"$D/index.txt"
for i in $(seq 1 "$NSER"); do
	$PY "$SRC/tests/integration/csr.py" make "$D/c$i.key" "$D/c$i.b64" "CN=LAPTOP01" --dns laptop01.demo.example
	curl -s --cacert "$DEMO_CA" -u 'INTUNECONN$:demo-connector' -H 'Content-Type: application/pkcs10' \
	    --data-binary @"$D/c$i.b64" "$DEMO_URL/.well-known/est/PKCSIntune/simpleenroll" |
	    base64 -d | openssl pkcs7 -inform DER -print_certs -out "$D/c$i.pem"
	ser=$(openssl x509 -in "$D/c$i.pem" -noout -serial | cut -d= -f2)
	end=$(date -u -d "$(openssl x509 -in "$D/c$i.pem" -noout -enddate | cut -d= -f2)" +%y%m%d%H%M%SZ)
	printf 'V\t%s\t\t%s\tunknown\t/CN=LAPTOP01/serialNumber=%s\n' "$end" "$ser" "$ser" >>"$D/index.txt"
	$OC req "$DEMO_CA" "$D/c$i.pem" "$D/get$i.req"
	$OC req "$DEMO_CA" "$D/c$i.pem" "$D/nonce$i.req" --nonce 16
done
OPORT=$(free_port)
openssl ocsp -index "$D/index.txt" -port "$OPORT" -rsigner "$DEMO_CA" \
    -rkey "$DEMO_STATE/ca/ca.key" -CA "$DEMO_CA" -nmin 60 >"$D/openssl.log" 2>&1 &
T_PIDS="$T_PIDS $!"
# Wait for its start line, not a probe connection: a connection closed
# without a request sets OpenSSL 3.0's responder spinning.
for _ in $(seq 1 100); do
	grep -q "waiting for OCSP client connections" "$D/openssl.log" && break
	sleep 0.1
done
grep -q "waiting for OCSP client connections" "$D/openssl.log" ||
    { echo "openssl ocsp did not start:" >&2; cat "$D/openssl.log" >&2; exit 1; }

# The requests: GET paths round-robin over the serials, one nonce POST.
for i in $(seq 1 "$NSER"); do
	printf '/ocsp/%s\n' "$(base64 -w0 "$D/get$i.req" | sed 's/+/%2B/g; s|/|%2F|g; s/=/%3D/g')"
done >"$D/get.paths"
sed 's|^/ocsp/|/|' "$D/get.paths" >"$D/get-openssl.paths"
{
	echo 'local paths = {'
	sed 's/.*/  "&",/' "$D/get.paths"
	echo '}'
	echo 'local i = 0'
	echo 'request = function() i = i % #paths + 1; return wrk.format("GET", paths[i]) end'
} >"$D/get.lua"
cat >"$D/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/ocsp-request"
local f = io.open("$D/nonce1.req", "rb")
wrk.body = f:read("*a")
f:close()
LUA
EPORT=${DEMO_CRL_URL##*:}
LOAD="$PY $SRC/tests/bench/ocsp_load.py 127.0.0.1"
# wrk URL LUA CONNS: "requests/s p99-ms errors" (entcad only: see ocsp_load.py).
wrkrun() {
	t=2; [ "$3" -lt 2 ] && t=1
	wrk -t"$t" -c"$3" -d"${SECS}s" --latency -s "$2" "$1" 2>&1 | awk '
		/Requests\/sec/ { rps = $2 }
		/^ +99%/ { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 }
		           else if (v ~ /ms$/) { sub(/ms/, "", v) }
		           else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }
		           p99 = v }
		/Non-2xx|Socket errors/ { err = 1 }
		END { printf "%.0f %.3f %s\n", rps, p99, (err ? "errors" : "0") }'
}
# Check both answer before timing anything.
curl -s -o "$D/e.der" "$DEMO_CRL_URL$(head -1 "$D/get.paths")"
curl -s -o "$D/o.der" "http://127.0.0.1:$OPORT$(head -1 "$D/get-openssl.paths")"
for f in e o; do
	case $($OC show "$D/$f.der") in
	*cert_status=GOOD*) ;;
	*) echo "$f: no good response" >&2; exit 1 ;;
	esac
done
$LOAD "$EPORT" 4 2 1 get "$D/get.paths" >/dev/null	# fill the cache

ratio() { $PY -c "print('%.1f' % ($1 / $2) if $2 > 0 else 'n/a')"; }
printf '# %s, %s cores, %s s per point, %d serials; RSA-2048 CA; entcad signs with a delegated RSA-2048 key in its signer process, openssl with the CA key file\n' \
    "$(date -u '+%F %H:%M UTC')" "$(nproc)" "$SECS" "$NSER"
printf '# same client for both (ocsp_load.py: keep-alive for entcad; openssl closes each connection)\n'
printf '| load | conns | entcad resp/s | entcad p99 ms | openssl resp/s | openssl p99 ms | resp/s ratio | p99 ratio (openssl/entcad) | entcad with wrk: resp/s, p99 ms |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for kind in get post; do
	for c in 1 32 128; do
		if [ $kind = get ]; then
			e=$($LOAD "$EPORT" "$c" "$SECS" 1 get "$D/get.paths")
			o=$($LOAD "$OPORT" "$c" "$SECS" 0 get "$D/get-openssl.paths")
			w=$(wrkrun "$DEMO_CRL_URL" "$D/get.lua" "$c")
			name="cached GET"
		else
			e=$($LOAD "$EPORT" "$c" "$SECS" 1 post /ocsp "$D/nonce1.req")
			o=$($LOAD "$OPORT" "$c" "$SECS" 0 post / "$D/nonce1.req")
			w=$(wrkrun "$DEMO_CRL_URL/ocsp" "$D/post.lua" "$c")
			name="nonce POST"
		fi
		set -- $e $o $w
		printf '| %s | %d | %s | %s | %s | %s | %s | %s | %s, %s |\n' "$name" "$c" "$1" "$2" "$4" "$5" \
		    "$(ratio "$1" "$4")" "$(ratio "$5" "$2")" "$7" "$8"
		[ "$3" = 0 ] || echo "#   entcad: $3 failed requests at $c connections"
		[ "$6" = 0 ] || echo "#   openssl: $6 failed requests at $c connections"
		[ "$9" = 0 ] || echo "#   wrk reported errors against entcad at $c connections"
	done
done
curl -s "$DEMO_CRL_URL/metrics" | grep -E '^entca_ocsp_(cache|sign_seconds_(sum|count))' | sed 's/^/# /'

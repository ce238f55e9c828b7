#!/bin/bash
# bench_est.sh: EST enrollment throughput of a real entcad (run on demand,
# not part of make check). Baseline in the same run: the same number of
# HTTPS requests to /health (TLS handshake + HTTP, no directory, no
# signing, no commit), so the ratio shows what enrollment itself costs.
# Usage from a build directory: tests/bench/bench_est.sh [N] [PARALLEL]
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/common.sh"
: "${top_builddir:=$(pwd)}"
SRC=$top_srcdir BUILD=$top_builddir
. "$SRC/etc/demo/demo-env.sh"
N=${1:-200}
P=${2:-8}
D=$T_TMP

DEMO_LOG_LEVEL=warning DEMO_WATCH_PID=$$ demo_setup "$D/demo" "$(free_port)" "$(free_port)" >/dev/null || exit 1
demo_start_entcad || exit 1
T_PIDS="$T_PIDS $DEMO_PID"
$PY "$SRC/tests/integration/csr.py" make "$D/a.key" "$D/a.b64" "CN=alice,O=Demo" --upn alice@demo.example

# run KIND: N requests, P at a time; prints seconds.
run() {
	$PY - "$1" "$N" "$P" "$DEMO_URL" "$DEMO_CA" "$D/a.b64" <<'PYEOF'
import base64, concurrent.futures, http.client, ssl, sys, time
kind, n, p, url, ca, csr = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
host, port = url.split("//")[1].split(":")
ctx = ssl.create_default_context(cafile=ca)
body = open(csr, "rb").read()
auth = "Basic " + base64.b64encode(b"INTUNECONN$:demo-connector").decode()
def one(_):
    c = http.client.HTTPSConnection(host, int(port), context=ctx)
    if kind == "health":
        c.request("GET", "/health")
    else:
        c.request("POST", "/.well-known/est/PKCSIntune/simpleenroll", body,
                  {"Authorization": auth, "Content-Type": "application/pkcs10"})
    r = c.getresponse(); r.read(); c.close()
    if r.status != 200:
        raise SystemExit("status %d" % r.status)
t = time.time()
with concurrent.futures.ThreadPoolExecutor(p) as ex:
    list(ex.map(one, range(n)))
print("%.3f" % (time.time() - t))
PYEOF
}
run enroll >/dev/null		# warm the directory cache and the signer
h1=$(P=1 run health); e1=$(P=1 run enroll)
hp=$(run health); ep=$(run enroll)
div() { $PY -c "print('%.${3:-1}f' % ($1 / $2))"; }
printf '# %s, %s cores, %d requests each; RSA-2048 CA key in the signer process\n' "$(date -u '+%F %H:%M UTC')" "$(nproc)" "$N"
printf '| mode | /health s | enroll s | enroll/s | ratio enroll/health |\n|---|---|---|---|---|\n'
printf '| sequential | %s | %s | %s | %s |\n' "$h1" "$e1" "$(div "$N" "$e1" 0)" "$(div "$e1" "$h1")"
printf '| %d parallel | %s | %s | %s | %s |\n' "$P" "$hp" "$ep" "$(div "$N" "$ep" 0)" "$(div "$ep" "$hp")"

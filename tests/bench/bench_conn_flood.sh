#!/bin/bash
# bench_conn_flood.sh: can one host deny service? (issue 11 item 3; run on
# demand, not part of make check). A real entcad with the default limits;
# an attacker on 127.0.0.2 opens FLOOD idle TCP connections (default 2000)
# and holds them, re-opening any the server closes; meanwhile a client on
# 127.0.0.1 times N /health requests (new connection + TLS handshake +
# request each). Same N with no flood first: the baseline. Loopback only,
# bounded: the attacker stops by itself after LIFETIME seconds (default 60)
# and the script's exit trap kills it and entcad.
# Passes (exit 0) when every flooded /health is answered in under 1 s.
# Usage from a build directory: tests/bench/bench_conn_flood.sh [FLOOD] [N]
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/common.sh"
: "${top_builddir:=$(pwd)}"
SRC=$top_srcdir BUILD=$top_builddir
. "$SRC/etc/demo/demo-env.sh"
FLOOD=${1:-2000}
N=${2:-20}
LIFETIME=${LIFETIME:-60}
D=$T_TMP

DEMO_LOG_LEVEL=warning DEMO_WATCH_PID=$$ demo_setup "$D/demo" "$(free_port)" "$(free_port)" >/dev/null || exit 1
demo_start_entcad || exit 1
T_PIDS="$T_PIDS $DEMO_PID"

# probe: N sequential /health from 127.0.0.1; prints "median max" seconds
# (a request that fails or takes 10 s counts as 10 s).
probe() {
	$PY - "$N" "$DEMO_PORT" "$DEMO_CA" <<'PYEOF'
import http.client, socket, ssl, statistics, sys, time
n, port, ca = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False
times = []
for _ in range(n):
    t = time.monotonic()
    try:
        c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx,
                                        timeout=10, source_address=("127.0.0.1", 0))
        c.request("GET", "/health")
        r = c.getresponse(); r.read(); c.close()
        ok = r.status in (200, 503)   # answered; 503 is a health verdict
    except OSError:
        ok = False
    times.append(time.monotonic() - t if ok else 10.0)
print("%.4f %.4f" % (statistics.median(times), max(times)))
PYEOF
}

# The attacker: holds up to FLOOD idle connections from 127.0.0.2.
cat >"$D/attacker.py" <<'PYEOF'
import resource, select, socket, sys, time
flood, port, life, ready = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
end = time.monotonic() + life
socks = []
def fill():
    while len(socks) < flood and time.monotonic() < end:
        s = socket.socket()
        s.setblocking(False)
        s.bind(("127.0.0.2", 0))
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        except OSError:
            s.close(); break
        socks.append(s)
fill()
open(ready, "w").write("%d\n" % len(socks))
# Re-open what the server closes: a constant stream of new connections.
while time.monotonic() < end:
    p = select.poll()
    byfd = {s.fileno(): s for s in socks}
    for fd in byfd:
        p.register(fd, select.POLLIN)
    for fd, _ in p.poll(200):
        s = byfd[fd]
        try:
            if s.recv(1) == b"":
                raise OSError
        except BlockingIOError:
            continue
        except OSError:
            socks.remove(s); s.close()
    fill()
PYEOF

probe >/dev/null		# warm up: first handshakes, caches
base=$(probe)
t_bg $PY "$D/attacker.py" "$FLOOD" "$DEMO_PORT" "$LIFETIME" "$D/ready"
for _ in $(seq 1 300); do [ -s "$D/ready" ] && break; sleep 0.1; done
flood=$(probe)
kill -0 "$T_LASTPID" 2>/dev/null || { echo "FAIL: the attacker died before the probe ended"; exit 1; }
kill "$T_LASTPID" 2>/dev/null
conns=$(grep -c 'refused: per-source' "$D/demo/entcad.log")
set -- $base $flood
printf '# %s, %s cores; %s idle connections from 127.0.0.2 (%s opened); %d /health from 127.0.0.1 each\n' \
    "$(date -u '+%F %H:%M UTC')" "$(nproc)" "$FLOOD" "$(cat "$D/ready" 2>/dev/null)" "$N"
printf '| | median s | max s |\n|---|---|---|\n| no flood | %s | %s |\n| flood | %s | %s |\n' "$1" "$2" "$3" "$4"
printf 'ratio flood/baseline (median): %s\n' "$($PY -c "print('%.2f' % ($3 / $1))")"
printf 'limit log lines during the run: %s\n' "$conns"
$PY -c "import sys; sys.exit(0 if $4 < 1.0 else 1)" && echo "PASS: every /health under 1 s during the flood" ||
    { echo "FAIL: a /health took $4 s during the flood"; exit 1; }

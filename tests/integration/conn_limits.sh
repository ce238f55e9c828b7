#!/bin/bash
# Issue 11 item 3: one unauthenticated host cannot deny service. Against a
# real entcad with small limits: the per-source limit closes the N+1st
# connection from one source (127.0.0.2) while another source (127.0.0.1)
# is still served; a full server closes the busiest source's oldest idle
# connection for a newcomer; the TLS handshake has a deadline; and the log
# says a limit was hit, once per interval rather than once per connection.
# Functional, not timed: every wait is for the event itself, bounded.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

demo_test_setup
sed -i 's/^\[http\]$/[http]\nmax-connections = 7\nmax-connections-per-source = 4\nhandshake-timeout = 2/' "$DEMO_CONF"
demo_test_start
LOG=$D/demo/entcad.log

# flood.py PORT: the scenarios, one "name=value" line each.
cat >"$D/flood.py" <<'PYEOF'
import select, socket, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False

def tcp(src):
    return socket.create_connection(("127.0.0.1", port), 10, (src, 0))

def closed_by_server(s, bound=10.0):
    """True once the server closed s (EOF or reset); the bound only caps
    a failure, a pass never waits for it."""
    s.settimeout(bound)
    try:
        return s.recv(1) == b""
    except (ConnectionResetError, ssl.SSLError):
        return True
    except (socket.timeout, TimeoutError):
        return False

def get(t, close):
    """One GET /health on TLS socket t; the status line."""
    t.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n" +
              (b"Connection: close\r\n" if close else b"") + b"\r\n")
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += t.recv(4096)
    head, body = buf.split(b"\r\n\r\n", 1)
    n = int([l.split(b":")[1] for l in head.split(b"\r\n")
             if l.lower().startswith(b"content-length:")][0])
    while len(body) < n:
        body += t.recv(4096)
    return head.split(b"\r\n")[0].decode()

def keepalive(src):
    """A served connection left idle in keep-alive (its timer: 60 s)."""
    t = ctx.wrap_socket(tcp(src))
    get(t, False)
    return t

# 1. Per source: four connections from 127.0.0.2 are kept, the fifth is
#    closed at once, and 127.0.0.1 is still served.
held = [keepalive("127.0.0.2") for _ in range(4)]
fifth = tcp("127.0.0.2")
print("fifth_closed=%s" % closed_by_server(fifth))
extra = [tcp("127.0.0.2") for _ in range(20)]
print("extra_closed=%d" % sum(closed_by_server(s) for s in extra))
print("other_source=%s" % get(ctx.wrap_socket(tcp("127.0.0.1")), True))
print("held_served=%s" % get(held[0], False))
# 2. Full (4 from .2, 3 from .3 = 7): a newcomer from .1 gets the oldest
#    idle connection of a busiest source closed for it. The server closes
#    it before it accepts the newcomer, so once the newcomer has its answer
#    the FIN is already here: a zero-timeout poll sees it.
other = [keepalive("127.0.0.3") for _ in range(3)]
print("newcomer=%s" % get(ctx.wrap_socket(tcp("127.0.0.1")), True))
ready = select.select(held + other, [], [], 0)[0]
evicted = [s for s in ready if closed_by_server(s)]
print("evicted=%d oldest=%s" % (len(evicted), evicted == [held[0]]))
# 3. Handshake deadline: a connection that never starts TLS is closed.
quiet = tcp("127.0.0.1")
print("handshake_deadline=%s" % closed_by_server(quiet, 60.0))
PYEOF
out=$($PY "$D/flood.py" "$DEMO_PORT" "$DEMO_CA" 2>&1)
printf '%s\n' "$out" | sed 's/^/# /'
t_match "per-source limit: the 5th connection from 127.0.0.2 is closed" '^fifth_closed=True' "$out"
t_match "per-source limit: 20 more from 127.0.0.2 all closed" '^extra_closed=20' "$out"
t_match "another source (127.0.0.1) is served meanwhile" '^other_source=HTTP/1.1 200' "$out"
t_match "the connections within the limit are kept and served" '^held_served=HTTP/1.1 200' "$out"
t_match "server full: a newcomer from a light source is served" '^newcomer=HTTP/1.1 200' "$out"
t_match "server full: exactly one idle connection of a busiest source closed for it" '^evicted=1 ' "$out"
t_match "server full: the evicted one is the oldest idle one" ' oldest=True' "$out"
t_match "handshake-timeout closes a connection that never starts TLS" '^handshake_deadline=True' "$out"
n=$(grep -c 'refused: per-source connection limit reached' "$LOG")
t_match "the log says the per-source limit was hit" '^[1-9]' "$n"
t_ok $([ "$n" -lt 21 ] && echo 0 || echo 1) "rate-limited: $n log line(s) for 21 refused connections"
t_match "the log line names the limits and counts" 'max-connections 7, max-connections-per-source 4\); [0-9]+ connection' "$(cat "$LOG")"

# Config errors name the file, line and key.
printf '[http]\nmax-connections-per-source = 0\n' >"$D/bad.conf"
t_match "max-connections-per-source = 0 refused with file:line" \
    'bad.conf line 2: \[http\] max-connections-per-source: expected 1\.\.65536' \
    "$("$BUILD/entcad" -t -c "$D/bad.conf" 2>&1)"
t_done

#!/usr/bin/python3
"""tls_midconn.py PORT keyupdate|reneg: one connection through openssl
s_client that sends a request, then an s_client command mid-connection:
  keyupdate  TLS 1.3, "K" (KeyUpdate with update_requested), then a second
             request on the same connection;
  reneg      TLS 1.2, "R" (renegotiation), then waits for the connection
             to end (the server refuses renegotiation by closing).

Each step waits for the event it depends on (the first response, the
KEYUPDATE line) instead of sleeping, so a loaded machine only makes it
slower. Prints what s_client printed, for the caller to match; exits 1 if
an event never came within the overall deadline (a hang, not a race).
"""
import os
import selectors
import subprocess
import sys
import time

DEADLINE_S = 60  # a safety net against a hung peer, never a pass condition

port, mode = sys.argv[1], sys.argv[2]
p = subprocess.Popen(
    ["openssl", "s_client", "-tls1_3" if mode == "keyupdate" else "-tls1_2",
     "-connect", "127.0.0.1:" + port],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
sel = selectors.DefaultSelector()
sel.register(p.stdout, selectors.EVENT_READ)
seen = b""
end = time.monotonic() + DEADLINE_S


def wait_for(needle, count=1):
    """Read s_client's output until needle has appeared count times."""
    global seen
    while seen.count(needle) < count:
        left = end - time.monotonic()
        if left <= 0 or not sel.select(left):
            return False
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            return seen.count(needle) >= count
        seen += chunk
    return True


def send(data):
    p.stdin.write(data)
    p.stdin.flush()


ok = wait_for(b"---\n", 1)
send(b"GET /echo HTTP/1.1\r\nHost: a\r\n\r\n")
ok = ok and wait_for(b"X-Query:", 1)
# s_client reads "K" as its key-update command only when it is a line read
# on its own: the first response is in, so nothing else is queued with it.
if mode == "keyupdate":
    send(b"K\n")
    ok = ok and wait_for(b"KEYUPDATE", 1)
    send(b"GET /echo?x=2 HTTP/1.1\r\nHost: a\r\n\r\n")
    ok = ok and wait_for(b"X-Query:", 2)
else:
    send(b"R\n")
    ok = ok and wait_for(b"RENEGOTIATING", 1)
    # the end of the connection: s_client's output ends
    ok = ok and not wait_for(b"\0never\0", 1) and time.monotonic() < end
p.stdin.close()
try:
    p.wait(timeout=10)
except subprocess.TimeoutExpired:
    p.kill()
sys.stdout.write(seen.decode("utf-8", "replace"))
sys.exit(0 if ok else 1)

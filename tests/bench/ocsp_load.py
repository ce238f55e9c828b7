#!/usr/bin/python3
# Closed-loop HTTP load for tests/bench/ocsp.sh, the same for both
# responders: CONNS threads, each sending one request at a time for SECS
# seconds, on a kept-alive connection (KEEP=1) or a new one per request
# (KEEP=0: openssl ocsp answers HTTP/1.0 and closes). Unlike wrk it never
# opens a connection without sending a request: OpenSSL 3.0's responder
# spins forever on such a connection (read() == 0 in a loop).
#   ocsp_load.py HOST PORT CONNS SECS KEEP get PATHFILE | post PATH BODYFILE
# prints "requests/s p99-ms errors".
import socket, sys, threading, time

host, port, conns, secs, keep = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5] == "1"
mode = sys.argv[6]
reqs = []
if mode == "get":
    for p in open(sys.argv[7]).read().split():
        reqs.append(("GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (p, host, "" if keep else "Connection: close\r\n")).encode())
else:
    body = open(sys.argv[8], "rb").read()
    reqs.append(("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/ocsp-request\r\n"
                 "Content-Length: %d\r\n%s\r\n" % (sys.argv[7], host, len(body), "" if keep else "Connection: close\r\n")).encode() + body)
lat, errors, lock = [], [0], threading.Lock()
start = time.time()
end = start + secs


def read_response(s, buf):
    """One response from s; returns leftover bytes, or None when closed."""
    while b"\r\n\r\n" not in buf:
        x = s.recv(65536)
        if not x:
            return None
        buf += x
    head, rest = buf.split(b"\r\n\r\n", 1)
    if not head.startswith(b"HTTP/1.") or head[9:12] != b"200":
        raise ValueError("status %r" % head[:12])
    n = None
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            n = int(v)
    if n is None:  # delimited by close
        while True:
            x = s.recv(65536)
            if not x:
                return b""
            rest += x
    while len(rest) < n:
        x = s.recv(65536)
        if not x:
            return None
        rest += x
    return rest[n:]


def worker(i):
    mine, s, buf, k = [], None, b"", i
    while time.time() < end:
        r = reqs[k % len(reqs)]
        k += 1
        t0 = time.time()
        try:
            if s is None:
                s = socket.create_connection((host, port))
                buf = b""
            s.sendall(r)
            buf = read_response(s, buf)
            if buf is None:
                raise ValueError("closed early")
            if not keep:
                s.close()
                s = None
            mine.append(time.time() - t0)
        except (OSError, ValueError):
            with lock:
                errors[0] += 1
            if s is not None:
                s.close()
            s = None
    if s is not None:
        s.close()
    with lock:
        lat.extend(mine)


ts = [threading.Thread(target=worker, args=(i,)) for i in range(conns)]
for t in ts:
    t.start()
for t in ts:
    t.join()
took = time.time() - start
lat.sort()
p99 = lat[int(len(lat) * 0.99) - 1] * 1000 if lat else 0
print("%.0f %.3f %d" % (len(lat) / took, p99, errors[0]))

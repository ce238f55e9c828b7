#!/usr/bin/python3
# Queries for tests/integration/ocsp.sh's consistency check: THREADS threads
# GET every serial's OCSP response in turn until DIR/stop exists. Before
# each query a thread notes whether DIR/revoked-<serial> exists: the shell
# creates it only after the revoke call answered. A "good" answer to a
# query sent after that is a violation. Nothing here depends on timing:
# the order is the revoke's answer, then the query.
#   ocsp_race.py URL DIR THREADS REQFILE...   (REQFILE: serial.req, DER)
import base64, os, sys, threading, urllib.parse, urllib.request
from cryptography.x509 import ocsp

url, d, nthreads, reqs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
paths = {}
for r in reqs:
    serial = os.path.basename(r)[:-4]
    b64 = base64.b64encode(open(r, "rb").read()).decode()
    paths[serial] = url + "/" + urllib.parse.quote(b64, safe="")
lock = threading.Lock()
stats = {"queries": 0, "good_after_revoke": 0, "revoked_seen": 0, "errors": 0}


def run():
    while not os.path.exists(os.path.join(d, "stop")):
        for serial, p in paths.items():
            after = os.path.exists(os.path.join(d, "revoked-" + serial))
            try:
                body = urllib.request.urlopen(p, timeout=30).read()
                st = ocsp.load_der_ocsp_response(body).certificate_status
            except Exception as e:  # noqa: BLE001 - counted, reported
                with lock:
                    stats["errors"] += 1
                continue
            with lock:
                stats["queries"] += 1
                if st == ocsp.OCSPCertStatus.REVOKED:
                    stats["revoked_seen"] += 1
                elif after:
                    stats["good_after_revoke"] += 1
                    print("violation: %s good after its revoke answered" % serial,
                          file=sys.stderr)


ts = [threading.Thread(target=run) for _ in range(nthreads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print(" ".join("%s=%d" % kv for kv in sorted(stats.items())))

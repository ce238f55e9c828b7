#!/usr/bin/python3
"""est_client.py: the parallel and TLS-bound clients of request_lifecycle.sh,
on Debian's python3 (ssl, python3-cryptography) and openssl s_client.

  est_client.py race HOST PORT CAFILE USER:PW TEMPLATE RUNS MODE KEYFILE
      MODE approve12: 12 connections approve one pending request at once;
      MODE approve-deny: one approve and one deny race. Each run makes a
      fresh pending request (subject CN=race-MODE-<run>), then lets the
      connections handshake, meet at a barrier and send together. Prints
      one line per run: "run=N id=ID 200=a 409=b other=c conflict=BODY".
  est_client.py linked HOST PORT CAFILE USER:PW TEMPLATE TLS HOW
      TLS 1.2 (python ssl, tls-unique) or 1.3 (openssl s_client,
      tls-exporter); HOW good (the connection's own binding), wrong (another
      value), none (no challengePassword). One simpleenroll on one
      connection whose CSR is made after the handshake; prints
      "status=NNN binding=BASE64 body=FIRST-LINE".
"""
import base64
import os
import socket
import ssl
import subprocess
import sys
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ObjectIdentifier

UPN = ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")
CHALLENGE = ObjectIdentifier("1.2.840.113549.1.9.7")
TIMEOUT = 60	# seconds any one exchange may take before the test fails


def csr_b64(key, subject, upn, challenge=None):
    """A base64 PKCS#10 for subject with a UPN SAN (and challengePassword)."""
    utf8 = upn.encode()
    b = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name.from_rfc4514_string(subject))
    b = b.add_extension(x509.SubjectAlternativeName(
        [x509.OtherName(UPN, bytes([0x0c, len(utf8)]) + utf8)]), critical=False)
    if challenge is not None:
        b = b.add_attribute(CHALLENGE, challenge.encode())
    der = b.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    return base64.b64encode(der)


def load_key(path):
    """The RSA key in path, made on first use (one key serves every run)."""
    if not os.path.exists(path):
        k = rsa.generate_private_key(65537, 2048)
        with open(path, "wb") as f:
            f.write(k.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), None)


def request_bytes(host, port, method, path, cred, ctype, body):
    """One HTTP/1.1 request that closes the connection after the answer."""
    auth = base64.b64encode(cred.encode()).decode()
    head = ("%s %s HTTP/1.1\r\nHost: %s:%s\r\nAuthorization: Basic %s\r\n"
            "Content-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
            % (method, path, host, port, auth, ctype, len(body)))
    return head.encode() + body


def parse_response(raw):
    """(status, headers dict lower-cased, body bytes) of one HTTP answer."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    hdrs = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    return status, hdrs, body


def read_all(sock):
    """Everything until the server closes."""
    chunks = []
    while True:
        b = sock.recv(65536)
        if not b:
            return b"".join(chunks)
        chunks.append(b)


def connect(host, port, cafile, tls12=False):
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.check_hostname = False
    if tls12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    s = socket.create_connection((host, int(port)), TIMEOUT)
    return ctx.wrap_socket(s, server_hostname=host)


def exchange(host, port, cafile, data):
    s = connect(host, port, cafile)
    try:
        s.sendall(data)
        return parse_response(read_all(s))
    finally:
        s.close()


def race(host, port, cafile, cred, template, runs, mode, keyfile):
    key = load_key(keyfile)
    ops = ["approve"] * 12 if mode == "approve12" else ["approve", "deny"]
    for run in range(1, int(runs) + 1):
        csr = csr_b64(key, "CN=race-%s-%d,O=Demo" % (mode, run), "alice@demo.example")
        st, hdrs, body = exchange(host, port, cafile, request_bytes(
            host, port, "POST", "/.well-known/est/%s/simpleenroll" % template,
            cred, "application/pkcs10", csr))
        rid = hdrs.get("x-request-id", "")
        if st != 202 or not rid:
            print("run=%d id=- enroll=%d %s" % (run, st, body[:200]))
            continue
        socks = [connect(host, port, cafile) for _ in ops]
        barrier = threading.Barrier(len(ops))
        results = [None] * len(ops)

        def go(i):
            data = request_bytes(host, port, "POST", "/api/v1/requests/%s/%s"
                                 % (rid, ops[i]), cred, "application/json", b"{}")
            barrier.wait(TIMEOUT)
            try:
                socks[i].sendall(data)
                results[i] = parse_response(read_all(socks[i]))
            except OSError as e:
                results[i] = (0, {}, str(e).encode())
            finally:
                socks[i].close()

        threads = [threading.Thread(target=go, args=(i,)) for i in range(len(ops))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(TIMEOUT)
        n200 = sum(1 for r in results if r and r[0] == 200)
        n409 = sum(1 for r in results if r and r[0] == 409)
        conflicts = [r[2].decode(errors="replace").strip() for r in results
                     if r and r[0] == 409]
        winners = [ops[i] for i, r in enumerate(results) if r and r[0] == 200]
        print("run=%d id=%s 200=%d 409=%d other=%d winner=%s conflict=%s" % (
            run, rid, n200, n409, len(ops) - n200 - n409,
            ",".join(winners) or "-", conflicts[0] if conflicts else "-"))
        sys.stdout.flush()


def exporter_session(host, port, cafile):
    """openssl s_client on TLS 1.3 with the RFC 9266 exporter printed."""
    p = subprocess.Popen(
        ["openssl", "s_client", "-connect", "%s:%s" % (host, port), "-tls1_3",
         "-CAfile", cafile, "-ign_eof", "-keymatexport", "EXPORTER-Channel-Binding",
         "-keymatexportlen", "32"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    material = None
    # s_client prints the keying material once the handshake is done.
    for line in iter(p.stdout.readline, b""):
        if line.strip().startswith(b"Keying material:"):
            material = bytes.fromhex(line.split(b":", 1)[1].strip().decode())
            break
    return p, material


def linked(host, port, cafile, cred, template, tls, how):
    key = rsa.generate_private_key(65537, 2048)
    path = "/.well-known/est/%s/simpleenroll" % template
    if tls == "1.2":
        s = connect(host, port, cafile, tls12=True)
        binding = s.get_channel_binding("tls-unique")
    else:
        p, binding = exporter_session(host, port, cafile)
        if binding is None:
            p.kill()
            print("status=0 binding=- body=s_client printed no keying material")
            return
    b64 = base64.b64encode(binding).decode()
    challenge = {"good": b64, "wrong": base64.b64encode(os.urandom(len(binding))).decode(),
                 "none": None}[how]
    data = request_bytes(host, port, "POST", path, cred, "application/pkcs10",
                         csr_b64(key, "CN=alice,O=Demo", "alice@demo.example", challenge))
    if tls == "1.2":
        s.sendall(data)
        raw = read_all(s)
        s.close()
    else:
        out, _ = p.communicate(data, TIMEOUT)
        raw = out[out.find(b"HTTP/1.1 "):] if b"HTTP/1.1 " in out else b""
    st, _, body = parse_response(raw)
    print("status=%d binding=%s body=%s" % (st, b64, body.split(b"\n")[0].decode(errors="replace")))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"race": race, "linked": linked}[cmd](*args)
"""est_client.py: a strict RFC 7030 client, standing in for libest's
estclient (not packaged in Debian; no EST client is). It behaves the way
libest does where that differs from a lenient client like curl:

  * every operation fetches /cacerts first, without credentials, and
    compares its Content-Type exactly with "application/pkcs7-mime"
    (RFC 7030 4.1.3), then checks the certs-only PKCS#7 is a SignedData
    without signers whose encapsulated content type is id-data (RFC 5652);
  * /csrattrs is fetched without credentials and never retried with them
    (libest only retries enrollment after a 401);
  * enrollment is sent first without credentials and, after a 401 with a
    Basic challenge, once more with them (libest's -u/-h flow); the answer
    must be application/pkcs7-mime with smime-type=certs-only (4.2.3).

  est_client.py URL CAFILE cacerts
  est_client.py URL CAFILE csrattrs [TEMPLATE]
  est_client.py URL CAFILE enroll TEMPLATE USER:PASSWORD CSR.b64 OUT.pem

Prints "ok ..." lines and exits 0, or prints "FAIL: reason" and exits 1.
"""
import base64
import http.client
import ssl
import sys
import urllib.parse

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_DATA = "1.2.840.113549.1.7.1"


def fail(why):
    print("FAIL: " + why)
    sys.exit(1)


def der_read(buf, off):
    """One TLV at off: (tag, value start, value end)."""
    tag = buf[off]
    n = buf[off + 1]
    off += 2
    if n & 0x80:
        k = n & 0x7f
        n = int.from_bytes(buf[off:off + k], "big")
        off += k
    return tag, off, off + n


def der_children(buf, start, end):
    out = []
    while start < end:
        tag, vs, ve = der_read(buf, start)
        out.append((tag, vs, ve))
        start = ve
    return out


def oid_text(b):
    first = b[0]
    parts = [str(min(first // 40, 2)), str(first - 40 * min(first // 40, 2))]
    v = 0
    for c in b[1:]:
        v = v << 7 | (c & 0x7f)
        if not c & 0x80:
            parts.append(str(v))
            v = 0
    return ".".join(parts)


def check_certs_only(der):
    """RFC 5652 5.1 degenerate SignedData with id-data inside."""
    tag, vs, ve = der_read(der, 0)
    if tag != 0x30 or ve != len(der):
        fail("PKCS#7: not one DER SEQUENCE")
    ci = der_children(der, vs, ve)
    if oid_text(der[ci[0][1]:ci[0][2]]) != OID_SIGNED_DATA:
        fail("PKCS#7: contentType is not signedData")
    _, svs, sve = der_read(der, ci[1][1])
    sd = der_children(der, svs, sve)
    enc = der_children(der, sd[2][1], sd[2][2])
    inner = oid_text(der[enc[0][1]:enc[0][2]])
    if inner != OID_DATA:
        fail("PKCS#7: encapsulated content type is %s, expected id-data %s"
             % (inner, OID_DATA))
    if len(enc) != 1:
        fail("PKCS#7: certs-only carries encapsulated content")
    if sd[-1][0] != 0x31 or sd[-1][1] != sd[-1][2]:
        fail("PKCS#7: certs-only has signerInfos")
    return pkcs7.load_der_pkcs7_certificates(der)


class Est:
    def __init__(self, url, cafile):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port or 443
        self.base = u.path.rstrip("/") + "/.well-known/est/"
        self.ctx = ssl.create_default_context(cafile=cafile)
        self.ctx.check_hostname = False

    def call(self, method, path, headers=None, body=None):
        c = http.client.HTTPSConnection(self.host, self.port,
                                        context=self.ctx, timeout=30)
        c.request(method, self.base + path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, r.headers, data

    def cacerts(self):
        st, h, data = self.call("GET", "cacerts")
        if st != 200:
            fail("cacerts: HTTP %d" % st)
        ct = h.get("Content-Type")
        if ct != "application/pkcs7-mime":
            fail("cacerts: Content-Type %r, RFC 7030 4.1.3 says "
                 "'application/pkcs7-mime'" % ct)
        if (h.get("Content-Transfer-Encoding") or "").lower() != "base64":
            fail("cacerts: Content-Transfer-Encoding is not base64")
        certs = check_certs_only(base64.b64decode(data))
        print("ok cacerts: %d certificate(s), Content-Type %s, id-data"
              % (len(certs), ct))
        return certs

    def csrattrs(self, template):
        path = (template + "/" if template else "") + "csrattrs"
        st, h, data = self.call("GET", path)
        if st != 200:
            fail("csrattrs without credentials: HTTP %d %s"
                 % (st, data.decode(errors="replace").strip()))
        if h.get("Content-Type") != "application/csrattrs":
            fail("csrattrs: Content-Type %r" % h.get("Content-Type"))
        der = base64.b64decode(data)
        tag, _, ve = der_read(der, 0)
        if tag != 0x30 or ve != len(der):
            fail("csrattrs: not one DER SEQUENCE")
        print("ok csrattrs: %d bytes without credentials" % len(der))

    def enroll(self, template, cred, csr_b64, out):
        hdr = {"Content-Type": "application/pkcs10"}
        path = template + "/simpleenroll"
        body = open(csr_b64, "rb").read()
        st, h, data = self.call("POST", path, hdr, body)
        if st == 401:
            if not (h.get("WWW-Authenticate") or "").startswith("Basic"):
                fail("enroll: 401 without a Basic challenge")
            hdr["Authorization"] = "Basic " + \
                base64.b64encode(cred.encode()).decode()
            st, h, data = self.call("POST", path, hdr, body)
            print("ok enroll: 401 then retried with credentials")
        if st != 200:
            fail("enroll: HTTP %d %s" % (st, data.decode(errors="replace")))
        ct = [p.strip() for p in (h.get("Content-Type") or "").split(";")]
        if ct[0].lower() != "application/pkcs7-mime" or \
                "smime-type=certs-only" not in ct[1:]:
            fail("enroll: Content-Type %r" % h.get("Content-Type"))
        certs = check_certs_only(base64.b64decode(data))
        with open(out, "wb") as f:
            f.write(certs[0].public_bytes(serialization.Encoding.PEM))
        print("ok enroll: certificate for %s" % certs[0].subject.rfc4514_string())


def main():
    if len(sys.argv) < 4:
        fail(__doc__)
    est = Est(sys.argv[1], sys.argv[2])
    op = sys.argv[3]
    est.cacerts()	# libest: every operation starts here
    if op == "csrattrs":
        est.csrattrs(sys.argv[4] if len(sys.argv) > 4 else "")
    elif op == "enroll":
        est.enroll(sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7])
    elif op != "cacerts":
        fail("unknown operation " + op)


if __name__ == "__main__":
    main()

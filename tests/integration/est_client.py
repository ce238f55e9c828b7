#!/usr/bin/python3
"""est_client.py: the parallel and TLS-bound clients of request_lifecycle.sh,
on Debian's python3 (ssl, python3-cryptography) and openssl s_client.

  est_client.py race HOST PORT CAFILE USER:PW TEMPLATE RUNS MODE KEYFILE [OFFICER:PW]
      MODE approve12: 12 connections approve one pending request at once;
      MODE approve-deny: one approve and one deny race. Each run makes a
      fresh pending request (subject CN=race-MODE-<run>), then lets the
      connections handshake, meet at a barrier and send together. Prints
      one line per run: "run=N id=ID 200=a 409=b other=c conflict=BODY".
      OFFICER:PW decides (default USER:PW): an officer may not approve
      its own request (four eyes).
  est_client.py linked HOST PORT CAFILE USER:PW TEMPLATE TLS HOW
      TLS 1.2 (python ssl, tls-unique) or 1.3 (openssl s_client,
      tls-exporter); HOW good (the connection's own binding), wrong (another
      value), none (no challengePassword). One simpleenroll on one
      connection whose CSR is made after the handshake; prints
      "status=NNN binding=BASE64 body=FIRST-LINE".
"""
import json
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


def race(host, port, cafile, cred, template, runs, mode, keyfile, officer=None):
    officer = officer or cred
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
                                 % (rid, ops[i]), officer, "application/json", b"{}")
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
        conflicts = [error_message(r[2]) for r in results
                     if r and r[0] == 409]
        winners = [ops[i] for i, r in enumerate(results) if r and r[0] == 200]
        print("run=%d id=%s 200=%d 409=%d other=%d winner=%s conflict=%s" % (
            run, rid, n200, n409, len(ops) - n200 - n409,
            ",".join(winners) or "-", conflicts[0] if conflicts else "-"))
        sys.stdout.flush()


def error_message(body):
    """The sentence of an error answer: JSON's error.message under /api/, else the text."""
    text = body.decode(errors="replace").strip()
    try:
        return json.loads(text)["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return text


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

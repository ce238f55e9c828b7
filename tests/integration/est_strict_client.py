#!/usr/bin/python3
"""est_strict_client.py: a strict RFC 7030 client, standing in for libest's
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

  est_strict_client.py URL CAFILE cacerts
  est_strict_client.py URL CAFILE csrattrs [TEMPLATE]
  est_strict_client.py URL CAFILE enroll TEMPLATE USER:PASSWORD CSR.b64 OUT.pem

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

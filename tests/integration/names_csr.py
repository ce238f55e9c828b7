#!/usr/bin/python3
"""names_csr.py: PKCS#10 requests with names GnuTLS and cryptography's
builders refuse to write (a NUL or invalid UTF-8 in the CN, over-long
values) and any mix of identity names, for the names tests. The
CertificationRequestInfo is assembled by hand and signed with
python3-cryptography.

  names_csr.py OUT.b64 [--cn-hex HEX | --cn TEXT] [--o TEXT] [--upn U]...
               [--dns D]... [--email E]... [--uri U]... [--sid S]
               [--uid TEXT]
"""
import base64
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from csr_util import sid_ext_value, tlv


def ava(oid_hex, tag, value):
    return tlv(0x31, tlv(0x30, tlv(0x06, bytes.fromhex(oid_hex)) + tlv(tag, value)))


def main(argv):
    out = argv[0]
    opts = argv[1:]
    many = lambda k: [opts[i + 1] for i in range(len(opts) - 1) if opts[i] == k]
    get = lambda k: (many(k) or [None])[0]
    key = rsa.generate_private_key(65537, 2048)
    rdns = b""
    if get("--o"):
        rdns += ava("55040a", 0x0c, get("--o").encode())
    if get("--cn-hex"):
        rdns += ava("550403", 0x0c, bytes.fromhex(get("--cn-hex")))
    elif get("--cn"):
        rdns += ava("550403", 0x0c, get("--cn").encode())
    if get("--uid"):
        # UID 0.9.2342.19200300.100.1.1, a UTF8String like the CN.
        rdns += ava("0992268993f22c640101", 0x0c, get("--uid").encode())
    subject = tlv(0x30, rdns)
    spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    names = b""
    for u in many("--upn"):
        # [0] otherName { OID 1.3.6.1.4.1.311.20.2.3, [0] { UTF8String } }
        names += tlv(0xa0, tlv(0x06, bytes.fromhex("2b0601040182371402 03".replace(" ", "")))
                     + tlv(0xa0, tlv(0x0c, u.encode())))
    for e in many("--email"):
        names += tlv(0x81, e.encode())
    for d in many("--dns"):
        names += tlv(0x82, d.encode())
    for u in many("--uri"):
        names += tlv(0x86, u.encode())
    exts = b""
    if names:
        exts += tlv(0x30, tlv(0x06, bytes.fromhex("551d11")) + tlv(0x04, tlv(0x30, names)))
    if get("--sid"):
        exts += tlv(0x30, tlv(0x06, bytes.fromhex("2b0601040182371902"))
                    + tlv(0x04, sid_ext_value(get("--sid"))))
    attrs = b""
    if exts:
        # extensionRequest 1.2.840.113549.1.9.14
        attrs = tlv(0x30, tlv(0x06, bytes.fromhex("2a864886f70d01090e"))
                    + tlv(0x31, tlv(0x30, exts)))
    cri = tlv(0x30, tlv(0x02, b"\x00") + subject + spki + tlv(0xa0, attrs))
    sig = key.sign(cri, padding.PKCS1v15(), hashes.SHA256())
    alg = bytes.fromhex("300d06092a864886f70d01010b0500")
    der = tlv(0x30, cri + alg + tlv(0x03, b"\x00" + sig))
    with open(out, "w") as f:
        f.write(base64.encodebytes(der).decode())


if __name__ == "__main__":
    main(sys.argv[1:])

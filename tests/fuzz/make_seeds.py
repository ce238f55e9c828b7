#!/usr/bin/python3
"""make_seeds.py: (re)write the generated seeds of tests/fuzz/corpus/.

  tests/fuzz/make_seeds.py [CORPUS_DIR]

CSR seeds are signed PKCS#10 requests with the Microsoft structures AD CS
clients send, and hostile variants of them: an extension requested twice
(the template use-after-free of issue 11), a malformed template extension,
a SID extension twice, a UPN that is not a UTF8String. (cryptography
writes attribute values only as strings, so the SID-attribute cases are
in tests/unit/policy/test_policy_request.c, built with GnuTLS.)
cryptography keeps one extension/attribute per OID, so duplicates are
made under a placeholder OID of the same length, patched, and re-signed.
EST body seeds are the same requests in base64. Hand-written seeds (config,
templates, LDIF, HTTP, JSON, DN) are committed as files, not made here.
"""
import base64
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ObjectIdentifier as OID

# The DER helpers the integration tests' request builders share.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from csr_util import read_tlv, sid_ext_value, tlv  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
UPN = OID("1.3.6.1.4.1.311.20.2.3")
SID_EXT = OID("1.3.6.1.4.1.311.25.2")
TMPL_V1 = OID("1.3.6.1.4.1.311.20.2")
TMPL_V2 = OID("1.3.6.1.4.1.311.21.7")
CHALLENGE = OID("1.2.840.113549.1.9.7")


TMPL_GOOD = bytes.fromhex("302806202b060104018237150885a1c20ab2f83b8681910687df821083baee138130010e020164020104")
TMPL_BAD = [bytes.fromhex("0500"), bytes.fromhex("3005 06012b 0200".replace(" ", "")),
            bytes.fromhex("3003 06012b".replace(" ", "")) + b"\x02\x09" + b"\xff" * 9,
            bytes.fromhex("30 80 06012b 0000".replace(" ", ""))]
ALICE = "S-1-5-21-3623811015-3361044348-30300820-1106"
ADMIN = "S-1-5-21-3623811015-3361044348-30300820-500"
KEY_EC = ec.generate_private_key(ec.SECP256R1())
KEY_RSA = rsa.generate_private_key(65537, 2048)


def build(exts=(), attrs=(), subject="CN=alice,O=Demo", key=KEY_EC, patch=()):
    b = x509.CertificateSigningRequestBuilder().subject_name(x509.Name.from_rfc4514_string(subject))
    for oid, val in exts:
        b = b.add_extension(val if not isinstance(val, bytes) else x509.UnrecognizedExtension(oid, val), critical=False)
    for oid, val in attrs:
        b = b.add_attribute(oid, val)
    csr = b.sign(key, hashes.SHA256())
    der = csr.public_bytes(__import__("cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]).Encoding.DER)
    if not patch:
        return der
    tbs = csr.tbs_certrequest_bytes
    for old, new in patch:
        assert tbs.count(old) == 1, old
        tbs = tbs.replace(old, new)
    h, _ = read_tlv(der, 0)
    th, tl = read_tlv(der, h)
    ah, al = read_tlv(der, h + th + tl)
    algid = der[h + th + tl:h + th + tl + ah + al]
    if isinstance(key, ec.EllipticCurvePrivateKey):
        sig = key.sign(tbs, ec.ECDSA(hashes.SHA256()))
    else:
        from cryptography.hazmat.primitives.asymmetric import padding
        sig = key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
    return tlv(0x30, tbs + algid + tlv(0x03, b"\x00" + sig))


def oid_der(text):
    return x509.ObjectIdentifier(text).dotted_string  # validated


def enc_oid(text):
    arcs = [int(a) for a in text.split(".")]
    out = bytes([arcs[0] * 40 + arcs[1]])
    for a in arcs[2:]:
        b = [a & 0x7f]
        a >>= 7
        while a:
            b.append(0x80 | (a & 0x7f))
            a >>= 7
        out += bytes(reversed(b))
    return tlv(0x06, out)


def twice(oid_text, placeholder_text):
    return (enc_oid(placeholder_text), enc_oid(oid_text))


san = x509.SubjectAlternativeName([x509.OtherName(UPN, tlv(0x0c, b"alice@demo.example"))])
seeds = {
    "plain_upn": build([(None, san)]),
    "rsa_upn": build([(None, san)], key=KEY_RSA),
    "sid_ext": build([(None, san), (SID_EXT, sid_ext_value(ALICE))]),
    "tmpl_v2": build([(TMPL_V2, TMPL_GOOD)]),
    "tmpl_v1": build([(TMPL_V1, tlv(0x1e, "User".encode("utf-16-be")))]),
    "challenge": build(attrs=[(CHALLENGE, b"secret")]),
    "eku_request": build([(None, x509.ExtendedKeyUsage([OID("1.3.6.1.5.5.7.3.2")]))]),
    "tmpl_twice_second_malformed": build([(TMPL_V2, TMPL_GOOD), (OID("1.3.6.1.4.1.311.21.9"), TMPL_BAD[0])],
                                         patch=[twice("1.3.6.1.4.1.311.21.7", "1.3.6.1.4.1.311.21.9")]),
    "tmpl_twice_good": build([(TMPL_V2, TMPL_GOOD), (OID("1.3.6.1.4.1.311.21.9"), TMPL_GOOD)],
                             patch=[twice("1.3.6.1.4.1.311.21.7", "1.3.6.1.4.1.311.21.9")]),
    "sid_ext_twice": build([(SID_EXT, sid_ext_value(ALICE)), (OID("1.3.6.1.4.1.311.25.3"), sid_ext_value(ADMIN))],
                           patch=[twice("1.3.6.1.4.1.311.25.2", "1.3.6.1.4.1.311.25.3")]),
    "upn_not_utf8": build([(None, x509.SubjectAlternativeName([x509.OtherName(UPN, tlv(0x04, b"alice"))]))]),
}
for i, bad in enumerate(TMPL_BAD):
    seeds["tmpl_malformed_%d" % i] = build([(TMPL_V2, bad)])
for d in ("fuzz_csr", "fuzz_est_body"):
    os.makedirs(os.path.join(OUT, d), exist_ok=True)
for name, der in seeds.items():
    open(os.path.join(OUT, "fuzz_csr", name + ".der"), "wb").write(der)
    open(os.path.join(OUT, "fuzz_est_body", name + ".b64"), "wb").write(base64.encodebytes(der))
print("%d CSR seeds" % len(seeds))

#!/usr/bin/python3
"""csr.py: make PKCS#10 requests and check certificates for the EST tests,
with Debian's python3-cryptography as the independent implementation.

  csr.py make KEYFILE OUT.b64 SUBJECT [--bits N] [--curve p256] [--upn U]
         [--dns D] [--sid S] [--challenge PW] [--eku OID] [--tamper]
  csr.py subject CERT.pem            print the RFC 4514 subject
  csr.py fields CERT.pem             print one "name=value" line per field
"""
import base64
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ObjectIdentifier

from csr_util import request_for, sid_ext_value, tlv

UPN = ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")
SID_EXT = ObjectIdentifier("1.3.6.1.4.1.311.25.2")
SID_OTHER = ObjectIdentifier("1.3.6.1.4.1.311.25.2.1")
CHALLENGE = ObjectIdentifier("1.2.840.113549.1.9.7")


def upn_value(upn):
    return tlv(0x0c, upn.encode())


def make(argv):
    keyfile, out, subject = argv[0], argv[1], argv[2]
    opts = argv[3:]
    get = lambda k: opts[opts.index(k) + 1] if k in opts else None
    if get("--curve"):
        curve = {"p256": ec.SECP256R1(), "p384": ec.SECP384R1(), "p521": ec.SECP521R1()}[get("--curve")]
        key = ec.generate_private_key(curve)
    else:
        key = rsa.generate_private_key(65537, int(get("--bits") or 2048))
    b = request_for(keyfile, key, subject)
    names = []
    if get("--upn"):
        names.append(x509.OtherName(UPN, upn_value(get("--upn"))))
    if get("--dns"):
        names.append(x509.DNSName(get("--dns")))
    if names:
        b = b.add_extension(x509.SubjectAlternativeName(names), critical=False)
    if get("--sid"):
        b = b.add_extension(x509.UnrecognizedExtension(SID_EXT, sid_ext_value(get("--sid"))), critical=False)
    if get("--eku"):
        b = b.add_extension(x509.ExtendedKeyUsage([ObjectIdentifier(get("--eku"))]), critical=False)
    if get("--challenge"):
        b = b.add_attribute(CHALLENGE, get("--challenge").encode())
    der = b.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    if "--tamper" in opts:
        der = bytearray(der)
        der[-10] ^= 0xff
        der = bytes(der)
    with open(out, "w") as f:
        f.write(base64.encodebytes(der).decode())


def canon(name):
    """RFC 4514 text with each multi-valued RDN's members in a fixed order:
    cryptography hands an RDN back as a set, whose order is not stable."""
    return ",".join("+".join(sorted(a.rfc4514_string() for a in rdn))
                    for rdn in reversed(name.rdns))


def load(path):
    data = open(path, "rb").read()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def fields(path):
    c = load(path)
    print("subject=%s" % c.subject.rfc4514_string())
    print("serial_bits=%d" % c.serial_number.bit_length())
    print("serial=%x" % c.serial_number)
    for e in c.extensions:
        v = e.value
        if isinstance(v, x509.ExtendedKeyUsage):
            print("eku=%s" % ",".join(sorted(o.dotted_string for o in v)))
        elif isinstance(v, x509.KeyUsage):
            print("ku_digital_signature=%s" % v.digital_signature)
            print("ku_non_repudiation=%s" % v.content_commitment)
            print("ku_key_encipherment=%s" % v.key_encipherment)
        elif isinstance(v, x509.SubjectAlternativeName):
            for n in v:
                if isinstance(n, x509.OtherName) and n.type_id == UPN:
                    print("san_upn=%s" % n.value[2:].decode())
                elif isinstance(n, x509.UniformResourceIdentifier):
                    print("san_uri=%s" % n.value)
                elif isinstance(n, x509.DNSName):
                    print("san_dns=%s" % n.value)
                elif isinstance(n, x509.RFC822Name):
                    print("san_email=%s" % n.value)
        elif e.oid == SID_EXT:
            raw = v.value
            # [0] { OID, [0] { OCTET STRING } }: the SID text is the last TLV.
            i = raw.rfind(b"\x04")
            print("sid=%s" % raw[i + 2:i + 2 + raw[i + 1]].decode())
            print("sid_der=%s" % raw.hex())
        elif isinstance(v, x509.BasicConstraints):
            print("ca=%s" % v.ca)
        elif isinstance(v, x509.CRLDistributionPoints):
            print("cdp=%s" % v[0].full_name[0].value)
        elif isinstance(v, x509.AuthorityInformationAccess):
            print("aia=%s" % v[0].access_location.value)
        elif e.oid.dotted_string == "1.3.6.1.4.1.311.21.7":
            print("template_info=present")
        elif e.oid.dotted_string == "1.3.6.1.4.1.311.21.10":
            print("app_policies=present")
    print("not_before=%d" % int(c.not_valid_before.timestamp()))
    print("not_after=%d" % int(c.not_valid_after.timestamp()))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2:])
    elif cmd == "csrsubject":
        der = base64.b64decode(open(sys.argv[2]).read())
        print(canon(x509.load_der_x509_csr(der).subject))
    elif cmd == "subject":
        print(canon(load(sys.argv[2]).subject))
    elif cmd == "fields":
        fields(sys.argv[2])
    else:
        sys.exit("usage: csr.py make|subject|fields ...")

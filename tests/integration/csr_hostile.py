#!/usr/bin/python3
"""csr_hostile.py: signed PKCS#10 requests that Python's cryptography
refuses to build (an extension requested twice), for the attack tests.

  csr_hostile.py two-templates KEYFILE OUT.b64 SUBJECT [--upn U]
      two certificate-template extensions 1.3.6.1.4.1.311.21.7: a good
      one, then a malformed one (a NULL where the SEQUENCE belongs)

cryptography keeps one extension per OID, so the second one is added
under a placeholder OID of the same length, the OID's last byte patched
in the CertificationRequestInfo, and the request re-signed by hand.
"""
import base64
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ObjectIdentifier

from csr_util import request_for, read_tlv, tlv

TMPL_V2 = ObjectIdentifier("1.3.6.1.4.1.311.21.7")
PLACEHOLDER = ObjectIdentifier("1.3.6.1.4.1.311.21.9")
UPN = ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")
PLACEHOLDER_DER = bytes.fromhex("06092b0601040182371509")
# szOID_CERTIFICATE_TEMPLATE, MS-WCCE: template .176.1.14, major 100, minor 4.
GOOD = bytes.fromhex("302806202b0601040182371508"
                     "85a1c20ab2f83b86819106"
                     "87df821083baee13813001"
                     "0e020164020104")
MALFORMED = bytes.fromhex("0500")


def two_templates(argv):
    keyfile, out, subject = argv[0], argv[1], argv[2]
    opts = argv[3:]
    key = ec.generate_private_key(ec.SECP256R1())
    b = request_for(keyfile, key, subject)
    if "--upn" in opts:
        upn = opts[opts.index("--upn") + 1].encode()
        b = b.add_extension(x509.SubjectAlternativeName(
            [x509.OtherName(UPN, tlv(0x0c, upn))]), critical=False)
    b = b.add_extension(x509.UnrecognizedExtension(TMPL_V2, GOOD), critical=False)
    b = b.add_extension(x509.UnrecognizedExtension(PLACEHOLDER, MALFORMED), critical=False)
    csr = b.sign(key, hashes.SHA256())
    tbs = csr.tbs_certrequest_bytes
    assert tbs.count(PLACEHOLDER_DER) == 1
    tbs = tbs.replace(PLACEHOLDER_DER, PLACEHOLDER_DER[:-1] + b"\x07")
    der = csr.public_bytes(serialization.Encoding.DER)
    h, _ = read_tlv(der, 0)
    th, tl = read_tlv(der, h)
    ah, al = read_tlv(der, h + th + tl)
    algid = der[h + th + tl:h + th + tl + ah + al]
    sig = key.sign(tbs, ec.ECDSA(hashes.SHA256()))
    der = tlv(0x30, tbs + algid + tlv(0x03, b"\x00" + sig))
    with open(out, "w") as f:
        f.write(base64.encodebytes(der).decode())


if __name__ == "__main__":
    if len(sys.argv) < 5 or sys.argv[1] != "two-templates":
        sys.exit(__doc__)
    two_templates(sys.argv[2:])

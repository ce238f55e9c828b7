"""csr_util.py: what the test request builders (csr.py, csr_hostile.py,
names_csr.py, tests/fuzz/make_seeds.py) share: the few DER pieces they
write by hand where python3-cryptography's builders will not (lengths,
tag-length-value, reading a TLV header back, the Microsoft SID
extension's value), and starting a request for a new key.
"""
from cryptography import x509
from cryptography.hazmat.primitives import serialization

# szOID_NTDS_OBJECTSID (1.3.6.1.4.1.311.25.2.1), the SID's other-name type.
SID_OTHER_NAME_DER = bytes.fromhex("2b060104018237190201")


def der_len(n):
    """The DER length octets of a content n bytes long."""
    if n < 128:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, value):
    """One DER element: tag, length, value."""
    return bytes([tag]) + der_len(len(value)) + value


def read_tlv(b, off):
    """(header length, content length) of the TLV at off."""
    n = b[off + 1]
    if n < 128:
        return 2, n
    k = n & 0x7f
    return 2 + k, int.from_bytes(b[off + 2:off + 2 + k], "big")


def sid_ext_value(sid):
    """The SID extension (1.3.6.1.4.1.311.25.2) value for sid (text):
    SEQUENCE { [0] { OID 1.3.6.1.4.1.311.25.2.1, [0] { OCTET STRING sid } } }."""
    inner = tlv(0x06, SID_OTHER_NAME_DER) + tlv(0xa0, tlv(0x04, sid.encode()))
    return tlv(0x30, tlv(0xa0, inner))


def request_for(keyfile, key, subject):
    """Write key to keyfile (PEM, PKCS#8, unencrypted) and return a
    CertificateSigningRequestBuilder for subject (RFC 4514 text)."""
    with open(keyfile, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name.from_rfc4514_string(subject))

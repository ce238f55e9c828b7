#!/usr/bin/python3
# OCSP helper for tests/integration/ocsp.sh, on Debian's python3-cryptography:
#   req ISSUER CERT OUT [--sha1] [--nonce N] [--count K]
#       write a DER OCSPRequest (K copies of the CertID; a nonce of N bytes)
#   show RESP [ISSUER]
#       parse a DER OCSPResponse and print key=value lines; with ISSUER,
#       verify the signature (delegated responder certificate included)
import sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID


def load_cert(path):
    data = open(path, "rb").read()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def verify(signer, data, sig, algo):
    pub = signer.public_key()
    if isinstance(pub, rsa.RSAPublicKey):
        pub.verify(sig, data, padding.PKCS1v15(), algo)
    else:
        pub.verify(sig, data, ec.ECDSA(algo))


def cmd_req(argv):
    issuer, cert, out = load_cert(argv[0]), load_cert(argv[1]), argv[2]
    algo, nonce, count = hashes.SHA256(), 0, 1
    i = 3
    while i < len(argv):
        if argv[i] == "--sha1":
            algo = hashes.SHA1()
        elif argv[i] == "--nonce":
            i += 1
            nonce = int(argv[i])
        elif argv[i] == "--count":
            i += 1
            count = int(argv[i])
        i += 1
    b = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, algo)
    if nonce:
        b = b.add_extension(x509.OCSPNonce(b"\x5a" * nonce), critical=False)
    der = b.build().public_bytes(serialization.Encoding.DER)
    if count > 1:
        # cryptography builds one CertID; repeat the Request inside requestList.
        der = repeat_request(der, count)
    open(out, "wb").write(der)


def tlv(buf, off):
    """(tag, header length, content length) of the DER TLV at off."""
    tag = buf[off]
    l = buf[off + 1]
    if l < 0x80:
        return tag, 2, l
    n = l & 0x7F
    return tag, 2 + n, int.from_bytes(buf[off + 2:off + 2 + n], "big")


def enc(tag, content):
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(b)]) + b + content


def repeat_request(der, count):
    # OCSPRequest { TBSRequest { requestList SEQ { Request } [, exts] } }
    _, h, _ = tlv(der, 0)
    tbs_off = h
    _, th, tl = tlv(der, tbs_off)
    body = der[tbs_off + th:tbs_off + th + tl]
    _, lh, ll = tlv(body, 0)
    reqs = body[lh:lh + ll]
    rest = body[lh + ll:]
    tbs = enc(0x30, enc(0x30, reqs * count) + rest)
    return enc(0x30, tbs)


def cmd_show(argv):
    resp = ocsp.load_der_ocsp_response(open(argv[0], "rb").read())
    print("response_status=%s" % resp.response_status.name)
    if resp.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        return
    print("responses=%d" % len(list(resp.responses)))
    for s in resp.responses:
        print("cert_status=%s" % s.certificate_status.name)
        print("serial=%x" % s.serial_number)
        print("hash=%s" % s.hash_algorithm.name)
        if s.certificate_status == ocsp.OCSPCertStatus.REVOKED:
            print("revocation_reason=%s" % (s.revocation_reason.name if s.revocation_reason else "none"))
        print("has_next_update=%s" % (s.next_update is not None))
    print("responder_key_hash=%s" % (resp.responder_key_hash.hex() if resp.responder_key_hash else "none"))
    print("certs=%d" % len(resp.certificates))
    try:
        n = resp.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
        print("nonce=%s" % n.hex())
    except x509.ExtensionNotFound:
        print("nonce=none")
    if len(argv) > 1:
        issuer = load_cert(argv[1])
        signer = issuer
        if resp.certificates:
            signer = resp.certificates[0]
            # The delegated certificate: issued by the CA, OCSPSigning, nocheck.
            verify(issuer, signer.tbs_certificate_bytes, signer.signature,
                   signer.signature_hash_algorithm)
            eku = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
            print("signer_eku_ocsp=%s" % (ExtendedKeyUsageOID.OCSP_SIGNING in eku))
            signer.extensions.get_extension_for_class(x509.OCSPNoCheck)
            print("signer_nocheck=True")
            print("signer_serial=%x" % signer.serial_number)
            days = (signer.not_valid_after - signer.not_valid_before).total_seconds() / 86400
            print("signer_days=%.1f" % days)
        verify(signer, resp.tbs_response_bytes, resp.signature, resp.signature_hash_algorithm)
        print("signature=ok")


if __name__ == "__main__":
    {"req": cmd_req, "show": cmd_show}[sys.argv[1]](sys.argv[2:])

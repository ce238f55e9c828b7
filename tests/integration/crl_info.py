#!/usr/bin/python3
"""crl_info.py: what the CRL tests check of a DER CRL, read with
python3-cryptography, one fact a line:

  number=N                      the CRL number
  delta_base=N critical=BOOL    a delta CRL's indicator (delta_base=none
                                on a full CRL)
  freshest=URL                  a full CRL's pointer to its delta
  aki=HEX                       the authority key identifier
  this_update=EPOCH             thisUpdate, in seconds
  entry=SERIAL:REASON           each entry, serial in hex
  invalidity=SERIAL:EPOCH       an entry's invalidity date

  crl_info.py CRL.der
"""
import calendar
import sys

from cryptography import x509


def ext(holder, cls):
    """The extension of class cls, or None when holder has none."""
    try:
        return holder.extensions.get_extension_for_class(cls)
    except x509.ExtensionNotFound:
        return None


def main(path):
    c = x509.load_der_x509_crl(open(path, "rb").read())
    print("number=%d" % ext(c, x509.CRLNumber).value.crl_number)
    d = ext(c, x509.DeltaCRLIndicator)
    if d:
        print("delta_base=%d critical=%s" % (d.value.crl_number, d.critical))
    else:
        print("delta_base=none")
    f = ext(c, x509.FreshestCRL)
    if f:
        print("freshest=%s" % f.value[0].full_name[0].value)
    print("aki=%s" % ext(c, x509.AuthorityKeyIdentifier).value.key_identifier.hex())
    print("this_update=%d" % calendar.timegm(c.last_update.utctimetuple()))
    for r in c:
        reason = ext(r, x509.CRLReason)
        print("entry=%x:%s" % (r.serial_number, reason.value.reason.value if reason else "unspecified"))
        inv = ext(r, x509.InvalidityDate)
        if inv:
            print("invalidity=%x:%d" % (r.serial_number, calendar.timegm(inv.value.invalidity_date.utctimetuple())))


if __name__ == "__main__":
    main(sys.argv[1])

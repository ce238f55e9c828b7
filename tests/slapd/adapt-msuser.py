#!/usr/bin/python3
"""Adapt Debian's /etc/ldap/schema/msuser.ldif for the entca test slapd.

Reads the Active Directory schema shipped with slapd and writes a copy that
loads next to the memberof overlay and answers filters (see
the AD attributes entca reads, mapped onto OpenLDAP):
  - memberOf is dropped (the overlay defines the same OID, operational) and
    removed from the abstract class mstop that lists it;
  - every attribute without an EQUALITY rule gets one chosen by its syntax,
    so (sAMAccountName=x) or (objectSid=\\01\\05...) match.
Usage: adapt-msuser.py IN.ldif OUT.ldif
"""
import re
import sys

# Matching rules by syntax (OIDs or the schema's own macros).
RULES = {
    "1.3.6.1.4.1.1466.115.121.1.15": "EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch",
    "1.3.6.1.4.1.1466.115.121.1.27": "EQUALITY integerMatch ORDERING integerOrderingMatch",
    "MSADlargeInteger": "EQUALITY integerMatch ORDERING integerOrderingMatch",
    "1.3.6.1.4.1.1466.115.121.1.12": "EQUALITY distinguishedNameMatch",
    "1.3.6.1.4.1.1466.115.121.1.40": "EQUALITY octetStringMatch",
    "MSADsecDesc": "EQUALITY octetStringMatch",
    "MSADdnWithOctetString": "EQUALITY octetStringMatch",
    "MSADdnWithString": "EQUALITY octetStringMatch",
    "1.3.6.1.4.1.1466.115.121.1.26": "EQUALITY caseIgnoreIA5Match SUBSTR caseIgnoreIA5SubstringsMatch",
    "1.3.6.1.4.1.1466.115.121.1.24": "EQUALITY generalizedTimeMatch ORDERING generalizedTimeOrderingMatch",
    "1.3.6.1.4.1.1466.115.121.1.7": "EQUALITY booleanMatch",
    "1.3.6.1.4.1.1466.115.121.1.38": "EQUALITY objectIdentifierMatch",
}


def records(lines):
    """Yield logical LDIF lines (continuations joined), comments kept apart."""
    cur = None
    for raw in lines:
        line = raw.rstrip("\n")
        if line.startswith(" ") and cur is not None:
            cur += line[1:] if not line[1:].startswith(" ") else line
            continue
        if line.startswith("\t") and cur is not None:
            cur += " " + line.strip()
            continue
        if cur is not None:
            yield cur
        cur = line
    if cur is not None:
        yield cur


def adapt(value):
    """Return the attribute definition with an EQUALITY rule, or None to drop."""
    if re.search(r"NAME\s+'memberOf'", value):
        return None
    if "EQUALITY" in value:
        return value
    m = re.search(r"SYNTAX\s+'?([A-Za-z0-9.]+)'?", value)
    if m is None or m.group(1) not in RULES:
        return value
    return value[:m.start()] + RULES[m.group(1)] + " " + value[m.start():]


def main():
    src, dst = sys.argv[1], sys.argv[2]
    out = []
    with open(src, encoding="utf-8") as f:
        for rec in records(f):
            if rec.startswith("#"):
                continue
            if rec.startswith("olcAttributeTypes:"):
                v = adapt(rec)
                if v is None:
                    continue
                rec = v
            elif rec.startswith("olcObjectClasses:"):
                rec = re.sub(r"\$\s*memberOf\s+", "", rec)
            out.append(rec)
    with open(dst, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()

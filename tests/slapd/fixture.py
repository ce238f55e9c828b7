#!/usr/bin/python3
"""Write the entca demo directory as LDIF for ldapmodify (changetype add).

The names here are FIXED: the README demo and every test rely on them.
Domain DEMO / demo.example (NetBIOS name in the crossRef
cn=DEMO,cn=Partitions,cn=Configuration,<base>), base dc=demo,dc=example, domain SID
S-1-5-21-3623811015-3361044348-30300820. Passwords are stored as {SSHA}
hashes; objectSid and objectGUID are binary (AD layout, adcs.md section 2).
With --ad the accounts also carry tokenGroups (their transitive group
SIDs plus the primary group, as AD computes them) and alice one SID of a
group from another domain that has no entry here, so that a client in
"AD mode" (rootDSE says LDAP_CAP_ACTIVE_DIRECTORY) is seen to use them;
dave and ivy carry msDS-User-Account-Control-Computed (locked / not).
Usage: fixture.py [--ad] > fixture.ldif
"""
import base64
import hashlib
import os
import struct
import sys
import uuid

BASE = "dc=demo,dc=example"
REALM = "demo.example"
NETBIOS = "DEMO"
DOMAIN_SID = "S-1-5-21-3623811015-3361044348-30300820"
GUID_NS = uuid.UUID("6f3c2a52-6a5e-4d0b-9a57-2b1d3c4e5f60")

USERS_OU = "ou=Users," + BASE
COMPUTERS_OU = "ou=Computers," + BASE
GROUPS_OU = "ou=Groups," + BASE
SERVICES_OU = "ou=Services," + BASE
CDP = "cn=ENTCA,cn=CDP,cn=Public Key Services,cn=Services,cn=Configuration," + BASE

UAC_NORMAL = 0x200 | 0x10000      # 66048, NORMAL_ACCOUNT|DONT_EXPIRE_PASSWD
UAC_DISABLED = 0x200 | 0x2        # 514
UAC_WORKSTATION = 0x1000          # 4096
NEVER = "9223372036854775807"
GROUP_GLOBAL_SECURITY = "-2147483646"
FOREIGN_GROUP_SID = "S-1-5-21-1111111111-2222222222-3333333333-1201"


def sid_bytes(sid):
    """S-1-5-21-... to the binary AD form (authority BE, subauths LE)."""
    parts = sid.split("-")
    subs = [int(x) for x in parts[3:]]
    return (struct.pack("<BB", int(parts[1]), len(subs)) +
            int(parts[2]).to_bytes(6, "big") +
            b"".join(struct.pack("<I", s) for s in subs))


def dn_escape(value):
    """RFC 4514 section 2.4 escaping of one attribute value."""
    out = "".join("\\" + c if c in ',+"\\<>;=' else c for c in value)
    if out[:1] in ("#", " "):
        out = "\\" + out
    if out.endswith(" "):
        out = out[:-1] + "\\ "
    return out


def ssha(password):
    salt = os.urandom(8)
    digest = hashlib.sha1(password.encode() + salt).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def b64(data):
    return base64.b64encode(data).decode()


def entry(dn, attrs):
    """Format one add record; attrs is a list of (name, value) pairs."""
    out = ["dn: " + dn, "changetype: add"]
    for name, value in attrs:
        if isinstance(value, bytes):
            out.append("%s:: %s" % (name, b64(value)))
        elif any(ord(c) > 126 for c in value) or value[:1] in (" ", ":", "<"):
            out.append("%s:: %s" % (name, b64(value.encode())))
        else:
            out.append("%s: %s" % (name, value))
    return "\n".join(out) + "\n"


def ad_common(dn, category):
    """Attributes mstop requires (placeholders) plus a stable objectGUID."""
    return [("instanceType", "4"),
            ("nTSecurityDescriptor", b"\x01\x00\x04\x80entca-test-placeholder"),
            ("objectCategory", "cn=%s,cn=Schema,cn=Configuration,%s" % (category, BASE)),
            ("objectGUID", uuid.uuid5(GUID_NS, dn.lower()).bytes_le)]


def user(cn, sam, rid, password, ou=USERS_OU, upn=True, mail=None, uac=UAC_NORMAL,
         expires=NEVER, primary=513, extra=()):
    dn = "cn=%s,%s" % (dn_escape(cn), ou)
    SIDS[dn] = "%s-%d" % (DOMAIN_SID, rid)
    PRIMARY[dn] = primary
    attrs = [("objectClass", "top"), ("objectClass", "person"),
             ("objectClass", "organizationalPerson"), ("objectClass", "user"),
             ("objectClass", "securityPrincipal"), ("cn", cn), ("sn", cn),
             ("sAMAccountName", sam),
             ("objectSid", sid_bytes("%s-%d" % (DOMAIN_SID, rid))),
             ("userAccountControl", str(uac)), ("primaryGroupID", str(primary)),
             ("accountExpires", expires), ("sAMAccountType", "805306368")]
    if upn:
        attrs.append(("userPrincipalName", "%s@%s" % (sam, REALM)))
    if mail:
        attrs.append(("mail", mail))
    if password:
        attrs.append(("userPassword", ssha(password)))
    attrs += list(extra)
    return dn, entry(dn, attrs + ad_common(dn, "Person"))


def computer(name, rid, password, uac=UAC_WORKSTATION, extra=()):
    dn = "cn=%s,%s" % (name, COMPUTERS_OU)
    SIDS[dn] = "%s-%d" % (DOMAIN_SID, rid)
    PRIMARY[dn] = 515
    attrs = [("objectClass", "top"), ("objectClass", "person"),
             ("objectClass", "organizationalPerson"), ("objectClass", "user"),
             ("objectClass", "computer"), ("objectClass", "securityPrincipal"),
             ("cn", name), ("sn", name), ("sAMAccountName", name + "$"),
             ("objectSid", sid_bytes("%s-%d" % (DOMAIN_SID, rid))),
             ("userAccountControl", str(uac)), ("primaryGroupID", "515"),
             ("accountExpires", NEVER), ("sAMAccountType", "805306369"),
             ("dNSHostName", "%s.%s" % (name.lower(), REALM)),
             ("servicePrincipalName", "HOST/%s.%s" % (name.lower(), REALM)),
             ("servicePrincipalName", "HOST/" + name)]
    if password:
        attrs.append(("userPassword", ssha(password)))
    attrs += list(extra)
    return dn, entry(dn, attrs + ad_common(dn, "Computer"))


SIDS = {}        # DN -> SID text, for tokenGroups
MEMBERS = {}     # group DN -> member DNs
PRIMARY = {}     # account DN -> primary group RID


def token_groups(dn):
    """Transitive group SIDs of dn plus its primary group, like AD."""
    seen, todo = set(), [dn]
    while todo:
        cur = todo.pop()
        for g, members in MEMBERS.items():
            if cur in members and g not in seen:
                seen.add(g)
                todo.append(g)
    sids = {SIDS[g] for g in seen}
    sids.add("%s-%d" % (DOMAIN_SID, PRIMARY[dn]))
    return sorted(sids)


def group(cn, rid, members=(), sam=None):
    dn = "cn=%s,%s" % (dn_escape(cn), GROUPS_OU)
    SIDS[dn] = "%s-%d" % (DOMAIN_SID, rid)
    MEMBERS[dn] = list(members)
    attrs = [("objectClass", "top"), ("objectClass", "group"),
             ("objectClass", "securityPrincipal"), ("cn", cn),
             ("sAMAccountName", sam or cn),
             ("objectSid", sid_bytes("%s-%d" % (DOMAIN_SID, rid))),
             ("groupType", GROUP_GLOBAL_SECURITY), ("sAMAccountType", "268435456")]
    attrs += [("member", m) for m in members]
    return dn, entry(dn, attrs + ad_common(dn, "Group"))


def container(dn, cls="organizationalUnit"):
    rdn = dn.split(",")[0].split("=", 1)[1]
    if cls == "organizationalUnit":
        return entry(dn, [("objectClass", "organizationalUnit"), ("ou", rdn)])
    return entry(dn, [("objectClass", cls), ("cn", rdn)])


def main():
    out = []
    out.append(entry(BASE, [("objectClass", "top"), ("objectClass", "domainDNS"),
                            ("dc", "demo"), ("name", "DEMO"),
                            ("objectSid", sid_bytes(DOMAIN_SID)),
                            ("objectGUID", uuid.uuid5(GUID_NS, BASE).bytes_le)]))
    for ou in (USERS_OU, COMPUTERS_OU, GROUPS_OU, SERVICES_OU):
        out.append(container(ou))
    for dn in ("cn=Configuration," + BASE, "cn=Services,cn=Configuration," + BASE,
               "cn=Public Key Services,cn=Services,cn=Configuration," + BASE,
               "cn=CDP,cn=Public Key Services,cn=Services,cn=Configuration," + BASE):
        out.append(container(dn, "applicationProcess"))
    # The domain's NetBIOS name, where AD keeps it: the crossRef of the
    # domain naming context under CN=Partitions,CN=Configuration.
    parts = "cn=Partitions,cn=Configuration," + BASE
    out.append(container(parts, "applicationProcess"))
    out.append(entry("cn=DEMO," + parts,
                     [("objectClass", "top"), ("objectClass", "crossRef"),
                      ("cn", "DEMO"), ("nCName", BASE), ("dnsRoot", REALM),
                      ("nETBIOSName", NETBIOS)]))
    # AD has CN=<CA host>,CN=CDP,... holding CN=<CA name> (cRLDistributionPoint);
    # here both levels can hold a CRL, so either DN works as publish-dn.
    out.append(container(CDP, "cRLDistributionPoint"))
    out.append(entry("cn=Demo Issuing CA," + CDP,
                     [("objectClass", "cRLDistributionPoint"),
                      ("cn", "Demo Issuing CA")]))

    dn = {}
    dn["svc"], e = user("entca-svc", "entca-svc", 1113, "demo-svc", ou=SERVICES_OU)
    out.append(e)
    dn["conn"], e = computer("INTUNECONN", 1105, "demo-connector")
    out.append(e)
    dn["laptop"], e = computer("LAPTOP01", 1112, "demo-laptop")
    out.append(e)
    dn["alice"], e = user("alice", "alice", 1106, "demo-alice", mail="alice@" + REALM)
    out.append(e)
    dn["bob"], e = user("bob", "bob", 1107, "demo-bob", mail="bob@" + REALM)
    out.append(e)
    dn["pkiadmin"], e = user("pkiadmin", "pkiadmin", 1108, "demo-admin",
                             mail="pkiadmin@" + REALM)
    out.append(e)
    dn["carol"], e = user("carol", "carol", 1109, "demo-carol", uac=UAC_DISABLED)
    out.append(e)
    dn["dave"], e = user("dave", "dave", 1110, "demo-dave",
                         extra=[("lockoutTime", "133000000000000000")])
    out.append(e)
    # erin's account expired in 2012 (FILETIME: 100 ns units since 1601).
    dn["erin"], e = user("erin", "erin", 1111, "demo-erin",
                         expires="129700000000000000")
    out.append(e)
    dn["grace"], e = user("grace", "grace", 1115, "demo-grace")
    out.append(e)
    dn["mallory"], e = user("mallory", "mallory", 1116, "demo-mallory")
    out.append(e)
    dn["pat"], e = user("Pat O'Brien, (x*)", "pat(x*)", 1114, "demo-pat")
    out.append(e)
    dn["paren"], e = user("a)", "a)", 1117, "demo-paren")
    out.append(e)
    # ivy: lockoutTime left over from a lockout that ran out. OpenLDAP has
    # nothing better, so she counts as locked there; AD mode says not.
    dn["ivy"], e = user("ivy", "ivy", 1119, "demo-ivy",
                        extra=[("lockoutTime", "133000000000000000")])
    out.append(e)
    # A guest whose primary group (514 Domain Guests) has no entry here.
    dn["henry"], e = user("henry", "henry", 1118, "demo-henry", primary=514)
    out.append(e)

    # Groups, innermost first so the memberof overlay sees existing members:
    # key, name, RID, and members by their key (a user's in dn, or an
    # earlier group's in g).
    g = {}
    for key, name, rid, members in (
            ("du", "Domain Users", 513, ()),
            ("dc", "Domain Computers", 515, ()),
            ("mobile", "Mobile Users", 1120, ("alice",)),
            ("staff", "Staff", 1121, ("mobile",)),
            ("pkiadmins", "PKI Admins", 1122, ("pkiadmin",)),
            ("officers", "Cert Officers", 1123, ("pkiadmins",)),
            ("connectors", "Intune Connectors", 1124, ("conn",)),
            ("denied", "Denied Users", 1125, ("mallory",)),
            ("a", "GroupA", 1126, ()),
            ("b", "GroupB", 1127, ("grace", "a"))):
        g[key], e = group(name, rid, [g[m] if m in g else dn[m] for m in members])
        out.append(e)
    # Close the cycle GroupA > GroupB > GroupA.
    out.append("dn: %s\nchangetype: modify\nadd: member\nmember: %s\n-\n" % (g["a"], g["b"]))
    MEMBERS[g["a"]].append(g["b"])
    if "--ad" in sys.argv[1:]:
        for account in sorted(PRIMARY):
            sids = token_groups(account)
            if account == dn["alice"]:
                sids.append(FOREIGN_GROUP_SID)
            out.append("dn: %s\nchangetype: modify\nadd: tokenGroups\n%s\n-\n" % (
                account, "\n".join("tokenGroups:: " + b64(sid_bytes(s)) for s in sids)))
        # What AD computes: dave is locked (UF_LOCKOUT), ivy no longer.
        for who, bits in (("dave", 16), ("ivy", 0)):
            out.append("dn: %s\nchangetype: modify\nadd: "
                       "msDS-User-Account-Control-Computed\n"
                       "msDS-User-Account-Control-Computed: %d\n-\n" % (dn[who], bits))
    print("\n".join(out))


if __name__ == "__main__":
    main()

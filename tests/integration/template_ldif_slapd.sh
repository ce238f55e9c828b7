#!/bin/bash
# The AD migration path with OpenLDAP's own LDIF writers: the fixture's
# pKICertificateTemplate objects are loaded into a throwaway slapd (a test
# schema with AD's attribute names), read back with `ldapsearch` (as an
# administrator would search CN=Certificate Templates) and with `slapcat`,
# and each export is imported. OpenLDAP folds and base64-encodes on its own
# rules, so the templates written from the three LDIFs must be identical.
. "$top_srcdir/tests/common.sh"

command -v /usr/sbin/slapd >/dev/null && command -v ldapsearch >/dev/null ||
	t_skip_all "slapd or ldapsearch not installed"

if [ -x "$top_builddir/entca" ]; then
	imp() { ENTCA_TEMPLATES=$1 "$top_builddir/entca" template import-ldif "$2"; }
else
	imp() { "$top_builddir/tests/unit/templates/test_template_tooldrv" "$1" template import-ldif "$2"; }
fi
FIX="$top_srcdir/tests/fixtures/templates/ad-export.ldif"
S="$T_TMP/slapd"
mkdir -p "$S/db"

# A test schema: AD's names on standard syntaxes (octet strings for the
# binary values, integers for the flag words).
{
	n=0
	for a in flags revision msPKI-Template-Minor-Revision \
	    msPKI-Template-Schema-Version pKIDefaultKeySpec pKIMaxIssuingDepth \
	    msPKI-Minimal-Key-Size msPKI-Enrollment-Flag msPKI-Private-Key-Flag \
	    msPKI-Certificate-Name-Flag msPKI-RA-Signature; do
		n=$((n + 1))
		echo "attributetype ( 1.3.6.1.4.1.99999.77.1.$n NAME '$a' EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )"
	done
	for a in msPKI-Cert-Template-OID pKIExtendedKeyUsage \
	    msPKI-Certificate-Application-Policy pKICriticalExtensions \
	    msPKI-RA-Application-Policies msPKI-Supersede-Templates; do
		n=$((n + 1))
		echo "attributetype ( 1.3.6.1.4.1.99999.77.1.$n NAME '$a' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )"
	done
	for a in pKIExpirationPeriod pKIOverlapPeriod pKIKeyUsage nTSecurityDescriptor; do
		n=$((n + 1))
		echo "attributetype ( 1.3.6.1.4.1.99999.77.1.$n NAME '$a' EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )"
	done
	echo "objectclass ( 1.3.6.1.4.1.99999.77.2.1 NAME 'container' SUP top STRUCTURAL MUST cn )"
	echo "objectclass ( 1.3.6.1.4.1.99999.77.2.2 NAME 'pKICertificateTemplate' SUP top STRUCTURAL MUST cn MAY ( displayName \$ flags \$ revision \$ msPKI-Template-Minor-Revision \$ msPKI-Template-Schema-Version \$ pKIDefaultKeySpec \$ pKIMaxIssuingDepth \$ msPKI-Minimal-Key-Size \$ msPKI-Enrollment-Flag \$ msPKI-Private-Key-Flag \$ msPKI-Certificate-Name-Flag \$ msPKI-RA-Signature \$ msPKI-Cert-Template-OID \$ pKIExtendedKeyUsage \$ msPKI-Certificate-Application-Policy \$ pKICriticalExtensions \$ msPKI-RA-Application-Policies \$ msPKI-Supersede-Templates \$ pKIExpirationPeriod \$ pKIOverlapPeriod \$ pKIKeyUsage \$ nTSecurityDescriptor ) )"
} >"$S/pki.schema"

cat >"$S/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include $S/pki.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $S/slapd.pid
database mdb
suffix "dc=corp,dc=example"
rootdn "cn=admin,dc=corp,dc=example"
directory $S/db
dbnosync
access to * by * read
CONF

# The fixture's objects as slapadd input: parents first, no comments,
# no changetype, no search-result trailer (logical lines, unfolded).
$PY - "$FIX" >"$S/load.ldif" <<'PYEOF'
import sys
text = open(sys.argv[1], encoding="utf-8").read().replace("\n ", "")
print("dn: dc=corp,dc=example\nobjectClass: dcObject\nobjectClass: organization\n"
      "dc: corp\no: corp\n")
for dn, cn in (("CN=Configuration,DC=corp,DC=example", "Configuration"),
               ("CN=Services,CN=Configuration,DC=corp,DC=example", "Services"),
               ("CN=Public Key Services,CN=Services,CN=Configuration,DC=corp,DC=example",
                "Public Key Services")):
    print("dn: %s\nobjectClass: container\ncn: %s\n" % (dn, cn))
for rec in text.split("\n\n"):
    lines = [l for l in rec.split("\n") if l and not l.startswith("#")
             and not l.lower().startswith("changetype:")]
    if lines and lines[0].lower().startswith("dn:"):
        print("\n".join(lines) + "\n")
PYEOF

t_run "slapadd the fixture" /usr/sbin/slapadd -q -f "$S/slapd.conf" -l "$S/load.ldif"
P=$(free_port)
t_bg /usr/sbin/slapd -d 0 -f "$S/slapd.conf" -h "ldap://127.0.0.1:$P/"
wait_port "$P" 10
t_ok $? "slapd answers on 127.0.0.1:$P"

BASE="CN=Certificate Templates,CN=Public Key Services,CN=Services,CN=Configuration,DC=corp,DC=example"
ldapsearch -x -H "ldap://127.0.0.1:$P" -b "$BASE" >"$T_TMP/search.ldif" 2>"$T_TMP/search.err"
t_ok $? "ldapsearch of CN=Certificate Templates"
t_match "ldapsearch folded and base64-encoded on its own" "^nTSecurityDescriptor:: " "$(cat "$T_TMP/search.ldif")"
/usr/sbin/slapcat -f "$S/slapd.conf" >"$T_TMP/cat.ldif" 2>/dev/null
t_ok $? "slapcat"

for src in fixture search cat; do
	mkdir -p "$T_TMP/out-$src" && chmod 755 "$T_TMP/out-$src"
done
imp "$T_TMP/out-fixture" "$FIX" >"$T_TMP/imp-fixture.out" 2>&1
imp "$T_TMP/out-search" "$T_TMP/search.ldif" >"$T_TMP/imp-search.out" 2>&1
imp "$T_TMP/out-cat" "$T_TMP/cat.ldif" >"$T_TMP/imp-cat.out" 2>&1
t_eq "six templates from the fixture" 6 "$(ls "$T_TMP/out-fixture" | wc -l)"
t_run "ldapsearch export imports to the same files" diff -r "$T_TMP/out-fixture" "$T_TMP/out-search"
t_run "slapcat export imports to the same files" diff -r "$T_TMP/out-fixture" "$T_TMP/out-cat"
t_match "the 512-bit template is skipped from ldapsearch output too" "skipped: search.ldif line [0-9]+ \([Cc][Nn]=Legacy512," "$(cat "$T_TMP/imp-search.out")"
t_match "UTF-8 display name survived base64" "^display-name = Zertifikat für Geräte ECC$" "$(cat "$T_TMP/out-search/EccApproval.tmpl")"

# A reader who asks without nTSecurityDescriptor (as a non-admin export
# without the SD-flags control gets): converted, but loudly (issue 12 item 7).
ldapsearch -x -H "ldap://127.0.0.1:$P" -b "$BASE" '(cn=User)' objectClass cn displayName \
    flags revision msPKI-Template-Minor-Revision msPKI-Template-Schema-Version \
    pKIDefaultKeySpec pKIMaxIssuingDepth msPKI-Minimal-Key-Size msPKI-Enrollment-Flag \
    msPKI-Private-Key-Flag msPKI-Certificate-Name-Flag msPKI-RA-Signature \
    msPKI-Cert-Template-OID pKIExtendedKeyUsage msPKI-Certificate-Application-Policy \
    pKICriticalExtensions pKIExpirationPeriod pKIOverlapPeriod pKIKeyUsage \
    >"$T_TMP/nosd.ldif" 2>/dev/null
mkdir -p "$T_TMP/out-nosd" && chmod 755 "$T_TMP/out-nosd"
imp "$T_TMP/out-nosd" "$T_TMP/nosd.ldif" >"$T_TMP/imp-nosd.out" 2>&1
t_eq "import_ldif_without_sd_warns: exit status 1" 1 "$?"
t_match "the warning says nobody may enroll and how to export the descriptor" \
    "WARNING: nosd.ldif line [0-9]+ \([Cc][Nn]=User,.*no nTSecurityDescriptor.*nobody may read or enroll.*-E '1\.2\.840\.113556\.1\.4\.801=::MAMCAQc='" \
    "$(cat "$T_TMP/imp-nosd.out")"
t_match "and the template is still written" "wrote .*User.tmpl" "$(cat "$T_TMP/imp-nosd.out")"
t_eq "no warning when the descriptor is there" "" "$(grep WARNING "$T_TMP/imp-search.out")"

t_done

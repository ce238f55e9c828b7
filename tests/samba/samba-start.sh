#!/bin/sh
# samba-start.sh STATE_DIR: provision and start a throwaway Samba AD DC for
# entca's tests, the way slapd-start.sh does for OpenLDAP.
#
# Debian's samba (samba-tool domain provision) in STATE_DIR/dc, never the
# system's /var/lib/samba; realm DEMO.EXAMPLE, NetBIOS domain DEMO, no DNS,
# only the ldap and cldap services, on 127.0.0.1 (Samba's LDAP ports are
# fixed: 389 and 636, so a second DC on this machine cannot run at once).
# AD's strong-auth default stays on: simple binds need StartTLS or LDAPS,
# with a throwaway CA whose server certificate names 127.0.0.1. Demo
# accounts like tests/slapd's: the connector computer INTUNECONN$, users in
# nested groups (pkiadmin in PKI Admins in Cert Officers), a disabled user
# (carol), a user who must change her password (frank, AD data 773), a user
# locked out by failed binds (dave, data 775), a service account
# (entca-svc, in Cert Publishers so it may write userCertificate); and
# certificate template objects with security descriptors (User: Domain
# Users enroll; PKCSIntune: INTUNECONN$ enroll) beside the CDP and AIA
# containers provisioning made under CN=Public Key Services.
#
# Prints shell-evaluable SAMBA_* lines and returns once LDAP answers.
# Samba runs in the foreground (-i) reading a FIFO: it stops by itself
# when the process SAMBA_WATCH_PID (default: the caller) exits, because
# the watcher that holds the FIFO open then exits too. Exits 77 with the
# reason on stderr when this machine cannot run it (not installed, not
# root, port 389 or 636 taken).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
state=${1:?usage: samba-start.sh STATE_DIR}
watch=${SAMBA_WATCH_PID:-$PPID}
REALM=demo.example
BASE="DC=demo,DC=example"
ADMIN_PW="Demo-Admin-1!"
TMPL_DN="CN=Certificate Templates,CN=Public Key Services,CN=Services,CN=Configuration,$BASE"

die() { echo "samba-start.sh: $*" >&2; exit 1; }
skip() { echo "samba-start.sh: cannot run here: $*" >&2; exit 77; }

for t in samba samba-tool ldbadd ldbsearch openssl ldapsearch; do
	command -v "$t" >/dev/null 2>&1 ||
	    skip "$t not installed (Debian: samba samba-ad-provision samba-dsdb-modules samba-vfs-modules ldb-tools ldap-utils)"
done
[ "$(id -u)" = 0 ] || skip "a Samba AD DC runs as root (it binds ports 389 and 636)"
/usr/bin/python3 - <<'PYEOF' || skip "127.0.0.1:389 or :636 is in use (another directory on this machine)"
import socket, sys
for p in (389, 636):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        sys.exit(1)
    finally:
        s.close()
PYEOF

rm -rf "$state"
mkdir -p "$state/tls"
state=$(cd "$state" && pwd)
dc=$state/dc

# A CA and a server certificate for 127.0.0.1 (Samba's own names the host).
(
	cd "$state/tls"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
	    -days 2 -subj "/CN=Samba test CA" >/dev/null 2>&1
	openssl req -newkey rsa:2048 -nodes -keyout key.pem -out req.pem \
	    -subj "/CN=dc.$REALM" >/dev/null 2>&1
	printf 'subjectAltName=IP:127.0.0.1,DNS:dc.%s\nextendedKeyUsage=serverAuth\n' "$REALM" >ext
	openssl x509 -req -in req.pem -CA ca.pem -CAkey ca.key -CAcreateserial \
	    -days 2 -extfile ext -out cert.pem >/dev/null 2>&1
	chmod 600 key.pem
) || die "making the TLS certificates failed"

samba-tool domain provision --targetdir="$dc" --realm=DEMO.EXAMPLE \
    --domain=DEMO --server-role=dc --dns-backend=NONE \
    --adminpass="$ADMIN_PW" --host-ip=127.0.0.1 \
    --option="interfaces = 127.0.0.1" --option="bind interfaces only = yes" \
    --option="server services = ldap, cldap" \
    --option="log file = $state/log.%m" \
    --option="tls enabled = yes" --option="tls keyfile = $state/tls/key.pem" \
    --option="tls certfile = $state/tls/cert.pem" \
    --option="tls cafile = $state/tls/ca.pem" \
    >"$state/provision.log" 2>&1 ||
    die "provisioning failed: $(tail -3 "$state/provision.log")"
conf=$dc/etc/smb.conf
H="-H $dc/private/sam.ldb"

# Demo passwords are short; lockout after 3 bad binds (for dave).
samba-tool domain passwordsettings set $H --complexity=off \
    --min-pwd-length=1 --history-length=0 --min-pwd-age=0 --max-pwd-age=0 \
    --account-lockout-threshold=3 --account-lockout-duration=30 \
    --reset-account-lockout-after=30 >>"$state/provision.log" 2>&1 ||
    die "password settings refused"
st() { samba-tool "$@" $H >>"$state/provision.log" 2>&1 || die "samba-tool $*: $(tail -2 "$state/provision.log")"; }
for u in alice:demo-alice bob:demo-bob pkiadmin:demo-admin carol:demo-carol \
    dave:demo-dave frank:demo-frank entca-svc:demo-svc; do
	st user add "${u%%:*}" "${u#*:}" --mail-address="${u%%:*}@$REALM"
done
st user disable carol
st user setexpiry entca-svc --noexpiry
st user setpassword frank --newpassword=demo-frank --must-change-at-next-login
st computer create INTUNECONN
st user setpassword 'INTUNECONN$' --newpassword=demo-connector
st group add "Cert Officers"
st group add "PKI Admins"
st group add "Denied Users"
st group addmembers "Cert Officers" "PKI Admins"
st group addmembers "PKI Admins" pkiadmin
st group addmembers "Cert Publishers" entca-svc

sid_of() {
	ldbsearch $H "(sAMAccountName=$1)" objectSid 2>/dev/null |
	    sed -n 's/^objectSid: //p'
}
CONN_SID=$(sid_of 'INTUNECONN$')
[ -n "$CONN_SID" ] || die "no objectSid for INTUNECONN$"
# Enroll = extended right 0e10c968-78fb-11d2-90d4-00c04f79dc55 (MS-CRTD).
ENROLL=0e10c968-78fb-11d2-90d4-00c04f79dc55
ADMIN_ACE="(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;DA)(A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;EA)"
# template_ldif CN DISPLAY-NAME FLAGS REVISION MINOR SCHEMA OID: an AD
# certificate template entry with what the two templates share (1 year,
# 6 weeks' overlap, EFS + Secure Email + Client Authentication, digital
# signature and key encipherment, RSA 2048), its own attributes on stdin.
template_ldif() {
	cat <<-LDIF
	dn: CN=$1,$TMPL_DN
	objectClass: top
	objectClass: pKICertificateTemplate
	cn: $1
	displayName: $2
	flags: $3
	revision: $4
	msPKI-Template-Minor-Revision: $5
	msPKI-Template-Schema-Version: $6
	msPKI-Cert-Template-OID: $7
	pKIExpirationPeriod:: AEA5hy7h/v8=
	pKIOverlapPeriod:: AICmCv/e//8=
	pKIExtendedKeyUsage: 1.3.6.1.4.1.311.10.3.4
	pKIExtendedKeyUsage: 1.3.6.1.5.5.7.3.4
	pKIExtendedKeyUsage: 1.3.6.1.5.5.7.3.2
	pKIKeyUsage:: oAA=
	pKICriticalExtensions: 2.5.29.15
	pKIDefaultKeySpec: 1
	pKIMaxIssuingDepth: 0
	msPKI-Minimal-Key-Size: 2048
	LDIF
	cat
	echo
}
{
	template_ldif User User 66106 3 1 1 \
	    1.3.6.1.4.1.311.21.8.11034890.834619.12601478.16236816.7255827.176.1.1 <<LDIF
msPKI-Enrollment-Flag: 41
msPKI-Private-Key-Flag: 16
msPKI-Certificate-Name-Flag: -1509949440
msPKI-RA-Signature: 0
nTSecurityDescriptor: O:DAG:DAD:PAI${ADMIN_ACE}(OA;;CR;$ENROLL;;DU)(A;;RPLCLORC;;;AU)
LDIF
	template_ldif PKCSIntune "PKCS Intune" 131680 100 0 3 \
	    1.3.6.1.4.1.311.21.8.10575116.7232500.7058481.7092684.15458454.10990837.1052515971.1017551934 <<LDIF
msPKI-Certificate-Application-Policy: 1.3.6.1.4.1.311.10.3.4
msPKI-Certificate-Application-Policy: 1.3.6.1.5.5.7.3.4
msPKI-Certificate-Application-Policy: 1.3.6.1.5.5.7.3.2
msPKI-Enrollment-Flag: 0
msPKI-Private-Key-Flag: 16842768
msPKI-Certificate-Name-Flag: 1
msPKI-RA-Signature: 0
nTSecurityDescriptor: O:DAG:DAD:PAI${ADMIN_ACE}(OA;;CR;$ENROLL;;$CONN_SID)(A;;RPLCLORC;;;$CONN_SID)(A;;RPLCLORC;;;AU)
LDIF
} >"$state/templates.ldif"
ldbadd $H "$state/templates.ldif" >>"$state/provision.log" 2>&1 ||
    die "adding the certificate templates failed: $(tail -3 "$state/provision.log")"

# Foreground samba on a FIFO; the watcher holds the write end.
mkfifo "$state/stdin"
samba -i -M single -s "$conf" <"$state/stdin" >"$state/samba.out" 2>&1 &
pid=$!
(
	exec 3>"$state/stdin"
	trap 'exit 0' HUP INT TERM
	while kill -0 "$watch" 2>/dev/null && kill -0 "$pid" 2>/dev/null; do
		sleep 1 &
		wait $!
	done
) </dev/null >/dev/null 2>&1 &
echo "$pid" >"$state/samba.pid"

i=0
until LDAPTLS_CACERT=$state/tls/ca.pem ldapsearch -x -ZZ -H ldap://127.0.0.1 \
    -D "Administrator@$REALM" -w "$ADMIN_PW" -b "" -s base >/dev/null 2>&1; do
	i=$((i + 1))
	kill -0 "$pid" 2>/dev/null || die "samba exited: $(tail -3 "$state/samba.out")"
	[ "$i" -lt 300 ] || { kill "$pid"; die "samba did not answer within 30 s"; }
	sleep 0.1
done
# dave: three bad binds lock him out (AD data 775 from then on).
for _ in 1 2 3; do
	LDAPTLS_CACERT=$state/tls/ca.pem ldapsearch -x -ZZ -H ldap://127.0.0.1 \
	    -D "dave@$REALM" -w wrong -b "" -s base >/dev/null 2>&1 || true
done

cat <<ENV
SAMBA_URI=ldap://127.0.0.1
SAMBA_LDAPS_URI=ldaps://127.0.0.1
SAMBA_PID=$pid
SAMBA_BASE='$BASE'
SAMBA_ADMIN_DN='Administrator@$REALM'
SAMBA_ADMIN_PW='$ADMIN_PW'
SAMBA_SVC_DN='CN=entca-svc,CN=Users,$BASE'
SAMBA_SVC_PW=demo-svc
SAMBA_CA_FILE=$state/tls/ca.pem
SAMBA_DOMAIN=DEMO
SAMBA_REALM=$REALM
SAMBA_CONN_SID=$CONN_SID
SAMBA_STATE=$state
ENV

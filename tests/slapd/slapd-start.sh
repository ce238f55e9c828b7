#!/bin/sh
# slapd-start.sh STATE_DIR [PORT]: start a throwaway slapd for entca.
#
# Builds a private cn=config in STATE_DIR (never the system one) with
# back-mdb (olcDbNoSync), the memberof overlay, Debian's Active Directory
# schema adapted by adapt-msuser.py plus ad-extra.ldif, a throwaway TLS CA
# and server certificate (StartTLS on PORT, LDAPS on a second port), then
# loads the fixed demo directory from fixture.py through ldapmodify (so the
# overlay fills memberOf). A second call on an existing STATE_DIR restarts
# slapd on the same ports with the same data (used by the restart tests).
#
# Prints shell-evaluable lines (SLAPD_URI, SLAPD_LDAPS_URI, SLAPD_PORT,
# SLAPD_LDAPS_PORT, SLAPD_PID, SLAPD_BASE, SLAPD_ADMIN_DN, SLAPD_ADMIN_PW,
# SLAPD_SVC_DN, SLAPD_SVC_PW, SLAPD_CA_FILE, SLAPD_DOMAIN, SLAPD_REALM,
# SLAPD_DOMAIN_SID, SLAPD_STATE) and returns once slapd answers.
#
# SLAPD_AD_MODE=1 (when STATE_DIR is made) adds what a client needs to
# take the Active Directory path: the rootDSE lists supportedCapabilities
# 1.2.840.113556.1.4.800 and accounts carry tokenGroups (fixture.py --ad).
#
# slapd stops itself when the process SLAPD_WATCH_PID (default: the
# caller of this script) exits, when its watcher gets HUP/INT/TERM, or
# with the caller's process group (it runs in the foreground, -d 0);
# SLAPD_WATCH_PID=0 keeps it running until slapd-stop.sh. slapd listens
# on 127.0.0.1 only.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 STATE_DIR [PORT]" >&2; exit 2; }
mkdir -p "$1"
state=$(cd "$1" && pwd)
watch=${SLAPD_WATCH_PID:-$PPID}

SLAPD=${SLAPD:-/usr/sbin/slapd}
BASE="dc=demo,dc=example"
ADMIN_DN="cn=admin,$BASE"
ADMIN_PW="demo-root"
SVC_DN="cn=entca-svc,ou=Services,$BASE"
# Where the service account may publish userCertificate (publish-to-directory).
USERS_DN="ou=Users,$BASE"
SVC_PW="demo-svc"
MSUSER=/etc/ldap/schema/msuser.ldif

# free_port: a TCP port free on 127.0.0.1 right now (tests/free_port.py).
free_port() {
	/usr/bin/python3 "$here/../free_port.py"
}

# die MESSAGE: explain on stderr and fail.
die() {
	echo "slapd-start.sh: $*" >&2
	exit 1
}

# alive PID: true if PID runs and is not a zombie (PID 1 in a container may
# not reap the daemonized slapd).
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	case $(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) in Z|X|"") return 1 ;; esac
}

# answers: true once slapd returns the rootDSE over plain LDAP.
answers() {
	ldapsearch -x -LLL -o nettimeout=1 -H "ldap://127.0.0.1:$port" \
	    -b "" -s base namingContexts >/dev/null 2>&1
}

# make_tls: a throwaway CA and a server certificate for 127.0.0.1.
make_tls() {
	tls="$state/tls"
	mkdir -p "$tls"
	certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 \
	    --outfile "$tls/ca.key" 2>/dev/null
	cat >"$tls/ca.tmpl" <<-EOF
	cn = "entca test directory CA"
	ca
	cert_signing_key
	crl_signing_key
	expiration_days = 30
	EOF
	certtool --generate-self-signed --load-privkey "$tls/ca.key" \
	    --template "$tls/ca.tmpl" --outfile "$tls/ca.crt" 2>/dev/null
	certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 \
	    --outfile "$tls/server.key" 2>/dev/null
	cat >"$tls/server.tmpl" <<-EOF
	cn = "localhost"
	dns_name = "localhost"
	ip_address = "127.0.0.1"
	ip_address = "::1"
	tls_www_server
	signing_key
	expiration_days = 30
	EOF
	certtool --generate-certificate --load-privkey "$tls/server.key" \
	    --load-ca-certificate "$tls/ca.crt" --load-ca-privkey "$tls/ca.key" \
	    --template "$tls/server.tmpl" --outfile "$tls/server.crt" 2>/dev/null
	chmod 600 "$tls/ca.key" "$tls/server.key"
}

# make_config: cn=config LDIF, loaded offline with slapadd -n0.
make_config() {
	rm -rf "$state/slapd.d" "$state/data"
	mkdir -p "$state/slapd.d" "$state/data" "$state/schema"
	/usr/bin/python3 "$here/adapt-msuser.py" "$MSUSER" "$state/schema/msuser.ldif"
	rootpw=$(slappasswd -s "$ADMIN_PW")
	cat >"$state/config.ldif" <<-EOF
	dn: cn=config
	objectClass: olcGlobal
	cn: config
	olcPidFile: $state/slapd.pid
	olcArgsFile: $state/slapd.args
	olcLogLevel: none
	olcTLSCACertificateFile: $state/tls/ca.crt
	olcTLSCertificateFile: $state/tls/server.crt
	olcTLSCertificateKeyFile: $state/tls/server.key

	dn: cn=module{0},cn=config
	objectClass: olcModuleList
	cn: module{0}
	olcModulePath: /usr/lib/ldap
	olcModuleLoad: back_mdb
	olcModuleLoad: memberof

	dn: cn=schema,cn=config
	objectClass: olcSchemaConfig
	cn: schema

	include: file:///etc/ldap/schema/core.ldif
	include: file:///etc/ldap/schema/cosine.ldif
	include: file:///etc/ldap/schema/nis.ldif
	include: file:///etc/ldap/schema/inetorgperson.ldif
	include: file://$state/schema/msuser.ldif
	include: file://$here/ad-extra.ldif

	dn: olcDatabase={-1}frontend,cn=config
	objectClass: olcDatabaseConfig
	objectClass: olcFrontendConfig
	olcDatabase: {-1}frontend
	olcSizeLimit: 1000
	olcAccess: {0}to dn.base="" by * read
	olcAccess: {1}to dn.base="cn=Subschema" by * read

	dn: olcDatabase={0}config,cn=config
	objectClass: olcDatabaseConfig
	olcDatabase: {0}config
	olcRootDN: cn=admin,cn=config
	olcRootPW: $rootpw
	olcAccess: {0}to * by * none

	dn: olcDatabase={1}mdb,cn=config
	objectClass: olcDatabaseConfig
	objectClass: olcMdbConfig
	olcDatabase: {1}mdb
	olcSuffix: $BASE
	olcRootDN: $ADMIN_DN
	olcRootPW: $rootpw
	olcDbDirectory: $state/data
	olcDbNoSync: TRUE
	olcDbMaxSize: 67108864
	olcDbIndex: objectClass eq
	olcDbIndex: sAMAccountName,userPrincipalName,dNSHostName,mail eq
	olcDbIndex: objectSid,altSecurityIdentities,member eq
	olcAccess: {0}to attrs=userPassword by self =xw by anonymous auth by * none
	olcAccess: {1}to dn.subtree="cn=CDP,cn=Public Key Services,cn=Services,cn=Configuration,$BASE" attrs=certificateRevocationList,deltaRevocationList by dn.exact="$SVC_DN" write by users read by * none
	olcAccess: {2}to dn.subtree="$USERS_DN" attrs=userCertificate by dn.exact="$SVC_DN" write by users read by * none
	olcAccess: {3}to * by self read by users read by * none

	dn: olcOverlay={0}memberof,olcDatabase={1}mdb,cn=config
	objectClass: olcOverlayConfig
	objectClass: olcMemberOf
	olcOverlay: {0}memberof
	olcMemberOfGroupOC: group
	olcMemberOfMemberAD: member
	olcMemberOfMemberOfAD: memberOf
	olcMemberOfRefInt: TRUE
	EOF
	slapadd -q -n0 -F "$state/slapd.d" -l "$state/config.ldif" >"$state/slapadd.log" 2>&1 ||
	    die "slapadd -n0 failed: $(tail -5 "$state/slapadd.log")"
}

# start_slapd: daemonize slapd on the chosen ports and wait until it answers.
start_slapd() {
	rm -f "$state/slapd.pid"
	# -d 0: stay in the foreground, in the caller's process group, so that
	# killing that group (a test runner's timeout) takes slapd along.
	"$SLAPD" -d 0 -F "$state/slapd.d" -n entca-slapd \
	    -h "ldap://127.0.0.1:$port/ ldaps://127.0.0.1:$ldaps_port/" \
	    </dev/null >"$state/slapd.log" 2>&1 &
	pid=$!
	i=0
	until [ -s "$state/slapd.pid" ] && answers; do
		alive "$pid" || die "slapd did not start: $(tail -5 "$state/slapd.log")"
		i=$((i + 1))
		[ $i -lt 200 ] || { kill "$pid"; die "slapd does not answer on 127.0.0.1:$port"; }
		sleep 0.02
	done
}

# start_watch: stop slapd when the process $watch goes away, or when the
# watcher itself is told to stop.
start_watch() {
	[ "$watch" != 0 ] || return 0
	(
		trap 'kill "$pid" 2>/dev/null; exit 0' HUP INT TERM
		while alive "$watch" && alive "$pid"; do
			sleep 1 &
			wait $!
		done
		kill "$pid" 2>/dev/null || true
	) </dev/null >/dev/null 2>&1 &
}

if [ -f "$state/ports" ]; then
	# Restart: same ports, same data.
	. "$state/ports"
	[ $# -lt 2 ] || [ "$2" = "$port" ] || die "$state was made for port $port, not $2"
	if [ -s "$state/slapd.pid" ] && alive "$(cat "$state/slapd.pid")"; then
		die "slapd of $state is already running (pid $(cat "$state/slapd.pid"))"
	fi
	start_slapd
else
	[ -r "$MSUSER" ] || die "$MSUSER is missing (Debian's slapd package ships it)"
	port=${2:-$(free_port)}
	ldaps_port=$(free_port)
	[ "$ldaps_port" != "$port" ] || ldaps_port=$(free_port)
	make_tls
	make_config
	printf 'port=%s\nldaps_port=%s\n' "$port" "$ldaps_port" >"$state/ports"
	start_slapd
	adflag=""
	if [ "${SLAPD_AD_MODE:-0}" = 1 ]; then
		# The rootDSE file needs the schema, so it is set once slapd runs.
		adflag=--ad
		printf 'dn:\nsupportedCapabilities: 1.2.840.113556.1.4.800\n' \
		    >"$state/rootdse.ldif"
		printf 'dn: cn=config\nchangetype: modify\nadd: olcRootDSE\nolcRootDSE: %s\n' \
		    "$state/rootdse.ldif" | ldapmodify -x -H "ldap://127.0.0.1:$port" \
		    -D cn=admin,cn=config -w "$ADMIN_PW" >"$state/rootdse.log" 2>&1 ||
		    { kill "$pid"; die "olcRootDSE refused: $(tail -3 "$state/rootdse.log")"; }
	fi
	/usr/bin/python3 "$here/fixture.py" $adflag >"$state/fixture.ldif"
	ldapmodify -x -H "ldap://127.0.0.1:$port" -D "$ADMIN_DN" -w "$ADMIN_PW" \
	    -f "$state/fixture.ldif" >"$state/fixture.log" 2>&1 ||
	    { kill "$pid"; die "loading the fixture failed: $(tail -5 "$state/fixture.log")"; }
fi
start_watch

cat >"$state/env" <<EOF
SLAPD_URI=ldap://127.0.0.1:$port
SLAPD_LDAPS_URI=ldaps://127.0.0.1:$ldaps_port
SLAPD_PORT=$port
SLAPD_LDAPS_PORT=$ldaps_port
SLAPD_PID=$pid
SLAPD_BASE=$BASE
SLAPD_ADMIN_DN='$ADMIN_DN'
SLAPD_ADMIN_PW=$ADMIN_PW
SLAPD_SVC_DN='$SVC_DN'
SLAPD_SVC_PW=$SVC_PW
SLAPD_CA_FILE=$state/tls/ca.crt
SLAPD_DOMAIN=DEMO
SLAPD_REALM=demo.example
SLAPD_DOMAIN_SID=S-1-5-21-3623811015-3361044348-30300820
SLAPD_STATE=$state
EOF
cat "$state/env"

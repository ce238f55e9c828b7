# tests/integration/lib_demo.sh: sourced (instead of tests/common.sh) by
# the integration scripts that run against the demo CA. Brings in
# tests/common.sh and etc/demo/demo-env.sh, names the tools and the demo's
# credentials, and holds the steps those scripts share, in that order: the
# demo set up in the script's temp folder, entcad started and stopped, its
# configuration and templates adjusted; EST requests and enrollment;
# management API calls; reading a CRL.
#
# Sets: SRC, BUILD (source and build trees), D (the temp folder), CSR
# (tests/integration/csr.py), ENTCA (the entca tool), CONN (the connector
# INTUNECONN$, officer), ADMIN (pkiadmin, PKI Admins), SIDP (the demo
# domain's SID prefix).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/common.sh"
SRC=$top_srcdir BUILD=$top_builddir
. "$SRC/etc/demo/demo-env.sh"
D=$T_TMP
CSR="$PY $SRC/tests/integration/csr.py"
ENTCA="$BUILD/entca"
CONN='INTUNECONN$:demo-connector'
ADMIN='pkiadmin@demo.example:demo-admin'
SIDP=S-1-5-21-3623811015-3361044348-30300820

# demo_test_setup: the demo CA in $D/demo with entcad on free loopback
# ports and slapd stopped when this script exits; the whole script is
# skipped if that fails. DEMO_* settings given before the call
# (DEMO_ISSUE=..., DEMO_DIR_TIMEOUT=...) shape the demo as in demo_setup.
demo_test_setup() {
	DEMO_WATCH_PID=$$ demo_setup "$D/demo" "$(free_port)" "$(free_port)" >/dev/null ||
	    t_skip_all "demo set-up failed"
}

# demo_test_start [WHAT]: start entcad on $DEMO_CONF and have it stopped at
# exit; if it does not come up, show its log's end and give up (WHAT names
# the step in that message, "start" by default).
demo_test_start() {
	demo_start_entcad || {
		tail -20 "$DEMO_STATE/entcad.log" | sed 's/^/# /'
		t_skip_all "entcad did not ${1:-start}"
	}
	T_PIDS="$T_PIDS $DEMO_PID"
}

# t_demo_start DESCRIPTION: start entcad as a check of its own (after a
# renewal, a restore) rather than as a precondition; stopped at exit.
t_demo_start() {
	demo_start_entcad
	t_ok $? "$1"
	T_PIDS="$T_PIDS $DEMO_PID"
}

# demo_test_stop: stop the running entcad and wait until it has exited
# (so its store and control socket are free again).
demo_test_stop() {
	kill "$DEMO_PID" 2>/dev/null
	wait "$DEMO_PID" 2>/dev/null
}

# demo_log_count PATTERN: lines of the demo entcad's log matching the ERE.
demo_log_count() { grep -cE -- "$1" "$DEMO_STATE/entcad.log"; }

# demo_log_wait PATTERN N: wait until N lines of the log match (the bound,
# 30 s, only ends a hang); 1 if they never do.
demo_log_wait() {
	for _ in $(seq 1 300); do
		[ "$(demo_log_count "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# demo_ocsp_sign_with_ca: the CA key itself signs OCSP responses. The
# delegated OCSP signer's certificates are store rows too, so scripts that
# count the rows they make use this.
demo_ocsp_sign_with_ca() {
	printf '\n[ocsp]\nsign-with = ca\n' >>"$DEMO_CONF"
}

# demo_allow_api_roles: one principal per API right besides the demo's:
# grace is admin only, bob auditor only (both keep Domain Users' read and
# request).
demo_allow_api_roles() {
	cat >>"$DEMO_CONF" <<-CONF
	[security]
	allow = $SIDP-1115 : admin
	allow = $SIDP-1107 : auditor
	CONF
}

# demo_template NAME ARC [SED-OPTION...]: a template NAME (its display
# name too) in the demo's templates folder, made from
# etc/templates/PKCSIntune.tmpl with OID 1.3.6.1.4.1.311.21.8.1.2.3.4.ARC
# and edited further by the sed options given (-e 's/^key = .*/key = v/').
# Issue it with DEMO_ISSUE at demo_test_setup.
demo_template() {
	local name=$1 arc=$2
	shift 2
	sed -e "s/^display-name = .*/display-name = $name/" -e "s/^name = .*/name = $name/" \
	    -e "s/^oid = .*/oid = 1.3.6.1.4.1.311.21.8.1.2.3.4.$arc/" "$@" \
	    "$SRC/etc/templates/PKCSIntune.tmpl" >"$DEMO_STATE/templates/$name.tmpl"
	chmod 600 "$DEMO_STATE/templates/$name.tmpl"
}

# est_post CRED PATH CSR-FILE [CURL-OPTION...]: POST a PKCS#10 request to
# the EST PATH (TEMPLATE/simpleenroll, simplereenroll, ...) as CRED (no
# credentials when empty); the status in $code, the body in $D/out, the
# headers in $D/hdr.
est_post() {
	local cred=$1 path=$2 file=$3
	shift 3
	code=$(curl -s -o "$D/out" -D "$D/hdr" -w '%{http_code}' --cacert "$DEMO_CA" \
	    ${cred:+-u "$cred"} -H 'Content-Type: application/pkcs10' --data-binary @"$file" "$@" \
	    "$DEMO_URL/.well-known/est/$path")
}

# t_est DESCRIPTION STATUS CRED PATH CSR-FILE [CURL-OPTION...]: est_post,
# checked to answer STATUS.
t_est() {
	local desc=$1 want=$2
	shift 2
	est_post "$@"
	t_eq "$desc" "$want" "$code"
}

# demo_enroll_status CSR.b64 [TEMPLATE [USER:PASSWORD]]: print the HTTP
# status of one EST simpleenroll of an existing request (template
# PKCSIntune, as the connector, by default); the body in $D/out.
demo_enroll_status() {
	est_post "${3:-$CONN}" "${2:-PKCSIntune}/simpleenroll" "$1"
	echo "$code"
}

# demo_enroll NAME SUBJECT [CSR-OPTION...]: a new key and request
# ($D/NAME.key, $D/NAME.b64, made by csr.py) enrolled by the connector
# through EST simpleenroll of template ${EST_TEMPLATE:-PKCSIntune}; the
# certificate goes to $D/NAME.pem and its serial is printed (nothing when
# refused).
demo_enroll() {
	local n=$1
	shift
	$CSR make "$D/$n.key" "$D/$n.b64" "$@"
	curl -s --cacert "$DEMO_CA" -u "$CONN" -H 'Content-Type: application/pkcs10' \
	    --data-binary @"$D/$n.b64" "$DEMO_URL/.well-known/est/${EST_TEMPLATE:-PKCSIntune}/simpleenroll" |
	    base64 -d 2>/dev/null | openssl pkcs7 -inform DER -print_certs -out "$D/$n.pem" 2>/dev/null
	cert_serial "$D/$n.pem"
}

# p7_to_pem B64-FILE PEM-FILE: the certificates of a base64 certs-only
# PKCS#7 (an EST answer) as PEM.
p7_to_pem() {
	base64 -d "$1" | openssl pkcs7 -inform DER -print_certs -out "$2"
}

# cert_serial PEM: the certificate's serial in lower-case hex (empty if
# PEM holds no certificate).
cert_serial() {
	openssl x509 -in "$1" -noout -serial 2>/dev/null | cut -d= -f2 | tr 'A-F' 'a-f'
}

# demo_cacerts PEM-FILE: the CA certificates EST's /cacerts serves, as PEM.
demo_cacerts() {
	curl -s --cacert "$DEMO_CA" "$DEMO_URL/.well-known/est/cacerts" | base64 -d |
	    openssl pkcs7 -inform DER -print_certs -out "$1"
}

# demo_api CRED PATH [JSON]: POST to the management API's /api/v1/PATH as
# CRED, with JSON as the body (no body without it); the status in $code,
# the answer in $D/out.
demo_api() {
	local body=()
	[ $# -ge 3 ] && body=(-H 'Content-Type: application/json' -d "$3")
	code=$(curl -s -o "$D/out" -w '%{http_code}' --cacert "$DEMO_CA" -u "$1" -X POST "${body[@]}" \
	    "$DEMO_URL/api/v1/$2")
}

# t_api DESCRIPTION STATUS CRED PATH [JSON]: demo_api, checked to answer
# STATUS.
t_api() {
	local desc=$1 want=$2
	shift 2
	demo_api "$@"
	t_eq "$desc" "$want" "$code"
}

# demo_cred ROLE: curl's USER:PASSWORD for one demo principal per right:
# officer (the connector), admin (grace), auditor (bob), connector
# (alice, who may only request).
demo_cred() {
	case $1 in
	officer) echo "$CONN" ;;
	admin) echo 'grace@demo.example:demo-grace' ;;
	auditor) echo 'bob@demo.example:demo-bob' ;;
	connector) echo 'alice@demo.example:demo-alice' ;;
	esac
}

# crl_info DER-CRL: the CRL's number, delta base, thisUpdate and entries,
# one fact a line (tests/integration/crl_info.py says which).
crl_info() {
	$PY "$SRC/tests/integration/crl_info.py" "$1"
}

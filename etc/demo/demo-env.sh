# etc/demo/demo-env.sh: sourced by the README demo (run-demo.sh) and the
# integration tests. Builds a complete demo CA in a folder: a throwaway
# slapd with the fixed demo directory (tests/slapd), a root CA made with
# `entca init`, the PKCS Intune template, an entcad.conf, and starts entcad.
#
# Needs: SRC (source tree), BUILD (build tree with entca and entcad).
# demo_setup STATE PORT CRLPORT: prepare everything in STATE (idempotent:
#   keeps an existing CA), entcad to listen on https://127.0.0.1:PORT and
#   serve CRLs on http://127.0.0.1:CRLPORT. Sets DEMO_CONF, DEMO_CA (CA
#   certificate PEM), DEMO_URL, DEMO_CRL_URL and the SLAPD_* variables.
# demo_start_entcad: start entcad in the background (DEMO_PID), wait for it.

# demo_key_type: the demo CA's key type, from DEMO_KEY_TYPE (tests) or
# ENTCA_DEMO_KEY_TYPE (`ENTCA_DEMO_KEY_TYPE=p256 ./quickstart run`): p256 or
# rsa2048 (the default); anything `entca init --key-type` takes.
demo_key_type() {
	printf '%s\n' "${DEMO_KEY_TYPE:-${ENTCA_DEMO_KEY_TYPE:-rsa2048}}"
}

# demo_check_key_type: an existing demo CA is kept, so a key type asked
# for that differs from its key must stop the start instead of silently
# running (and measuring) the other one.
demo_check_key_type() {
	want=$(demo_key_type)
	algo=$(openssl x509 -in "$DEMO_STATE/ca/ca.crt" -noout -text 2>/dev/null |
	    sed -n 's/^ *Public Key Algorithm: *//p' | head -1)
	bits=$(openssl x509 -in "$DEMO_STATE/ca/ca.crt" -noout -text 2>/dev/null |
	    sed -n 's/^ *Public-Key: *(\([0-9]*\) bit)/\1/p' | head -1)
	case "$algo" in
	rsaEncryption) have=rsa$bits ;;
	id-ecPublicKey) have=p$bits ;;
	*) have=$algo ;;
	esac
	[ "$have" = "$want" ] && return 0
	printf '%s\n' "demo: the CA in $DEMO_STATE/ca has a $have key, not $want: remove $DEMO_STATE (or set ENTCA_DEMO_DIR) to make a new one" >&2
	return 1
}

# demo_setup STATE PORT CRLPORT
demo_setup() {
	DEMO_STATE=$1
	DEMO_PORT=$2
	DEMO_CRL_PORT=$3
	mkdir -p "$DEMO_STATE"
	DEMO_STATE=$(cd "$DEMO_STATE" && pwd)
	# As root entcad's signer runs as its own account ([ca] signer-user).
	if [ "$(id -u)" = 0 ] && ! getent passwd entca-signer >/dev/null 2>&1; then
		useradd --system --no-create-home --shell /usr/sbin/nologin entca-signer || return 1
	fi
	# slapd stops by itself when the process named here exits.
	eval "$(SLAPD_WATCH_PID=${DEMO_WATCH_PID:-$$} "$SRC/tests/slapd/slapd-start.sh" "$DEMO_STATE/slapd")" || return 1
	if [ ! -f "$DEMO_STATE/ca/ca.crt" ]; then
		"$BUILD/entca" init --state "$DEMO_STATE/ca" \
		    --subject "CN=entca Demo Root CA,O=Demo,C=US" \
		    --key-type "$(demo_key_type)" --days 3650 >/dev/null || return 1
	fi
	demo_check_key_type || return 1
	DEMO_CA=$DEMO_STATE/ca/ca.crt
	mkdir -p "$DEMO_STATE/templates"
	chmod 700 "$DEMO_STATE/templates"
	cp "$SRC/etc/templates/PKCSIntune.tmpl" "$DEMO_STATE/templates/"
	chmod 600 "$DEMO_STATE/templates/"*.tmpl
	printf '%s\n' "$SLAPD_SVC_PW" >"$DEMO_STATE/ldap.secret"
	chmod 600 "$DEMO_STATE/ldap.secret"
	DEMO_CONF=$DEMO_STATE/entcad.conf
	DEMO_URL=https://127.0.0.1:$DEMO_PORT
	DEMO_CRL_URL=http://127.0.0.1:$DEMO_CRL_PORT
	cat >"$DEMO_CONF" <<-CONF
	# Demo configuration written by etc/demo/demo-env.sh.
	[ca]
	name = entca-demo
	state-dir = $DEMO_STATE/ca
	templates-dir = $DEMO_STATE/templates
	issue-templates = ${DEMO_ISSUE:-PKCSIntune}
	default-template = PKCSIntune
	pid-file = $DEMO_STATE/entcad.pid
	workers = 4

	[http]
	listen = 127.0.0.1:$DEMO_PORT
	client-ca = $DEMO_STATE/ca/ca.crt
	# CRLs and the CA certificate over plain http, as CDP and AIA want.
	crl-listen = 127.0.0.1:$DEMO_CRL_PORT
	public-url = http://127.0.0.1:$DEMO_CRL_PORT

	[directory]
	uri = $SLAPD_URI
	base = $SLAPD_BASE
	bind-dn = $SLAPD_SVC_DN
	bind-password-file = $DEMO_STATE/ldap.secret
	domain = DEMO
	realm = demo.example
	tls = starttls
	ca-file = $SLAPD_CA_FILE
	timeout = ${DEMO_DIR_TIMEOUT:-2000}
	op-timeout = ${DEMO_DIR_TIMEOUT:-3000}
	cache-ttl = 60

	[crl]
	period = 1w
	delta-period = 1d
	publish-dn = cn=ENTCA,cn=CDP,cn=Public Key Services,cn=Services,cn=Configuration,$SLAPD_BASE

	[security]
	# The connector computer account: Request Certificates + Issue and Manage.
	allow = INTUNECONN\$ : read, request, officer
	allow = PKI Admins : read, admin, auditor
	# Officers through a nested group: PKI Admins is a member of Cert Officers.
	allow = Cert Officers : read, officer
	allow = Domain Users : read, request
	deny = Denied Users : request

	[log]
	level = ${DEMO_LOG_LEVEL:-info}
	CONF
}

# demo_start_entcad: background entcad (DEMO_ENTCAD, e.g. a tests build,
# instead of the one built), wait until it answers.
demo_start_entcad() {
	"${DEMO_ENTCAD:-$BUILD/entcad}" -f -c "$DEMO_CONF" 2>>"$DEMO_STATE/entcad.log" &
	DEMO_PID=$!
	# Until it answers or exits; the bound only stops a hung start.
	for _ in $(seq 1 1200); do
		curl -s --cacert "$DEMO_CA" "$DEMO_URL/health" >/dev/null 2>&1 && return 0
		kill -0 "$DEMO_PID" 2>/dev/null || { tail -5 "$DEMO_STATE/entcad.log" >&2; return 1; }
		sleep 0.1
	done
	return 1
}

# Start entcad in the foreground expecting it to refuse (a configuration
# it must not serve with); its exit status in DEMO_REFUSED_RC. The timeout
# only ends a daemon that wrongly started; it decides nothing.
demo_start_refused() {
	timeout 120 "$BUILD/entcad" -f -c "$DEMO_CONF" 2>>"$DEMO_STATE/entcad.log"
	DEMO_REFUSED_RC=$?
	DEMO_PID=
}

# health: GET /health of the running demo; status in $code, body in $body.
health() {
	code=$(curl -s -o "$DEMO_STATE/health.json" -w '%{http_code}' --cacert "$DEMO_CA" "$DEMO_URL/health")
	body=$(cat "$DEMO_STATE/health.json")
}

# wait_health CODE PATTERN: poll /health until both match (the bound only
# ends a hang: 60 s).
wait_health() {
	for _ in $(seq 1 600); do
		health
		[ "$code" = "$1" ] && printf '%s' "$body" | grep -Eq -- "$2" && return 0
		sleep 0.1
	done
	return 1
}

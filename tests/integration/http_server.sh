#!/bin/bash
# Integration test of the HTTPS/1.1 server (ca/http/http*.c, ca/http/tls.c) through
# tests/unit/ca/http/http_echo, driven by curl, openssl s_client and Python's ssl
# module as independent clients: TLS 1.2 and 1.3, keep-alive, limits
# (413/414/431), chunked bodies, 100-continue, malformed requests,
# slowloris and idle timeouts, parked (async) requests, clients leaving
# while parked, client certificates, pipelining, max connections, port in
# use, certificate reload and graceful stop. Under --enable-sanitizers the
# server's stderr must hold no sanitizer report. bash, not sh: wait_port
# of tests/common.sh opens /dev/tcp, which only bash provides.
. "${top_srcdir}/tests/common.sh"

ECHO="$top_builddir/tests/unit/ca/http/http_echo"
[ -x "$ECHO" ] || t_skip_all "http_echo not built"
command -v curl >/dev/null || t_skip_all "curl missing"
cd "$T_TMP" || exit 1

# --- certificates: a server cert, a client CA with a client cert, a rogue one
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout srv.key -out srv.pem -days 2 -subj /CN=entca-test-server \
	-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout ca.key -out ca.pem -days 2 -subj /CN=entca-test-client-ca \
	-addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign >/dev/null 2>&1
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout cli.key -out cli.csr -subj /CN=INTUNECONN >/dev/null 2>&1
printf 'extendedKeyUsage=clientAuth\n' > cli.ext
openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
	-days 1 -out cli.pem -extfile cli.ext >/dev/null 2>&1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout rogue.key -out rogue.pem -days 2 -subj /CN=INTUNECONN \
	>/dev/null 2>&1
# Python cryptography (an independent issuer): an expired client certificate
# and one whose EKU allows only serverAuth, both from the trusted client CA.
$PY - <<'PYEOF'
import datetime
from cryptography import x509
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
ca_key = serialization.load_pem_private_key(open("ca.key", "rb").read(), None)
ca = x509.load_pem_x509_certificate(open("ca.pem", "rb").read())
now = datetime.datetime.now(datetime.timezone.utc)
for name, start, end, eku in (
        ("expired", now - datetime.timedelta(days=10),
         now - datetime.timedelta(days=1), ExtendedKeyUsageOID.CLIENT_AUTH),
        ("srvonly", now - datetime.timedelta(days=1),
         now + datetime.timedelta(days=1), ExtendedKeyUsageOID.SERVER_AUTH)):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    open(name + ".pem", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
    open(name + ".key", "wb").write(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
PYEOF
t_run "test certificates made" test -s srv.pem -a -s cli.pem -a -s rogue.pem \
	-a -s expired.pem -a -s srvonly.pem

PORT=$(free_port)
URL="https://127.0.0.1:$PORT"
# ENTCA_NOW pins the ca_now() clock seam, which the Date header reads.
t_bg env ENTCA_NOW=784111777 "$ECHO" --listen "127.0.0.1:$PORT" \
	--cert srv.pem --key srv.key --client-ca ca.pem --handshake-ms 2000 \
	--header-ms 1000 --idle-ms 1500 --body-ms 1000 --write-ms 1000 \
	--lifetime 300 \
	>echo.out 2>echo.err
SRV=$T_LASTPID
wait_port "$PORT" 10
t_ok $? "http_echo listens on 127.0.0.1:$PORT"

CURL="curl -sS -k --max-time 10"

# --- TLS versions
out=$($CURL --tlsv1.2 --tls-max 1.2 -D - -o /dev/null "$URL/echo")
t_match "TLS 1.2 works" '^X-TLS: TLS1.2' "$out"
t_match "TLS 1.2 gives tls-unique channel binding" \
	'X-Channel-Binding: tls-unique:12' "$out"
out=$($CURL --tlsv1.3 -D - -o /dev/null "$URL/echo")
t_match "TLS 1.3 works" '^X-TLS: TLS1.3' "$out"
t_match "status line is HTTP/1.1 200 OK" '^HTTP/1.1 200 OK' "$out"
t_match "Date header from the clock seam" \
	'^Date: Sun, 06 Nov 1994 08:49:37 GMT' "$out"
out=$(echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 2>&1)
t_match "openssl s_client negotiates TLSv1.2" 'Protocol *: TLSv1.2' "$out"
out=$(echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_3 2>&1)
t_match "openssl s_client negotiates TLSv1.3" 'New, TLSv1.3' "$out"
t_fail "TLS 1.1 refused" $CURL --tlsv1.1 --tls-max 1.1 "$URL/echo"

out=$($PY "$top_srcdir/tests/integration/tls_midconn.py" "$PORT" reneg 2>&1)
t_match "TLS 1.2 renegotiation refused by closing" \
	'RENEGOTIATING.*(unexpected eof|errno|closed)' "$(printf '%s' "$out" | tr '\n' ' ')"

out=$($PY "$top_srcdir/tests/integration/tls_midconn.py" "$PORT" keyupdate 2>&1)
t_match "TLS 1.3 key update (requested) mid-connection: next request served" \
	'KEYUPDATE.*HTTP/1.1 200 OK.*X-Query: x=2' "$(printf '%s' "$out" | tr '\r\n' '  ')"

# --- keep-alive: curl reuses the connection for a second URL
out=$($CURL -v "$URL/echo?a=1" "$URL/echo?a=2" 2>&1 >/dev/null)
t_match "keep-alive: connection re-used" 'Re-using existing connection' "$out"
t_eq "keep-alive: one TLS handshake for two requests" 1 \
	"$(printf '%s\n' "$out" | grep -c 'SSL connection using')"

# --- bodies
head -c 65536 /dev/urandom > b64k
head -c 65537 /dev/urandom > b64k1
$CURL -o got -H 'Expect:' --data-binary @b64k "$URL/echo"
t_run "64 KiB body accepted and echoed" cmp b64k got
out=$($CURL -H 'Expect:' -D - --data-binary @b64k1 "$URL/echo")
t_match "64 KiB + 1 body: 413" '^HTTP/1.1 413 Content Too Large' "$out"
t_match "413 names the bound" 'request body larger than 65536 bytes' "$out"
out=$($CURL -v -D - --data-binary @b64k1 -H 'Expect: 100-continue' \
	"$URL/echo" 2>&1)
t_match "413 answered instead of 100 Continue" \
	'HTTP/1.1 413 Content Too Large' "$out"
head -c 200000 /dev/urandom > chunky
head -c 40000 /dev/urandom > c40k
$CURL -o got -H 'Transfer-Encoding: chunked' --data-binary @c40k "$URL/echo"
t_run "chunked body decoded and echoed" cmp c40k got
out=$($CURL -D - -o /dev/null -H 'Transfer-Encoding: chunked' \
	--data-binary @chunky "$URL/echo")
t_match "chunked body over the bound: 413" '^HTTP/1.1 413' "$out"
head -c 3000 /dev/urandom > c3k
out=$($CURL -v -o got -H 'Expect: 100-continue' --data-binary @c3k \
	"$URL/echo" 2>&1)
t_match "Expect: 100-continue answered" 'HTTP/1.1 100 Continue' "$out"
t_run "body after 100 Continue echoed" cmp c3k got

# --- refusals
out=$($CURL -D - -o /dev/null -X BREW "$URL/echo")
t_match "unknown method: 501" '^HTTP/1.1 501 Not Implemented' "$out"
long=$(head -c 5000 /dev/zero | tr '\0' a)
out=$($CURL -D - -o /dev/null "$URL/$long")
t_match "5000-byte URI: 414" '^HTTP/1.1 414 URI Too Long' "$out"
out=$($CURL -D - -o /dev/null -H "X-Big: $(head -c 17000 /dev/zero | tr '\0' b)" \
	"$URL/echo")
t_match "17 KB header: 431" '^HTTP/1.1 431 Request Header Fields Too Large' \
	"$out"
out=$($CURL -D - -o /dev/null "$URL/badheader")
t_match "handler header with CRLF: 500, not injected" \
	'^HTTP/1.1 500 Internal Server Error' "$out"
t_eq "no injected header" "" "$(printf '%s' "$out" | grep -i '^Injected')"
out=$($CURL -D - -H 'X-Test: hello world' -o /dev/null "$URL/echo")
t_match "handler reads request headers" 'X-Test-Echo: hello world' "$out"
out=$($CURL -u 'INTUNECONN$:demo:conn' "$URL/basic")
t_eq "Basic credentials split at the first colon" \
	'user=INTUNECONN$ passlen=9' "$out"
out=$($CURL -D - "$URL/basic")
t_match "no credentials: 401 with a challenge" \
	'WWW-Authenticate: Basic realm="entca"' "$out"

# tls_py PORT [ARG...] <<'PYEOF': run the python on stdin after a prelude
# that imports socket, ssl, sys and time and sets port (PORT) and ctx, a
# TLS client context that verifies nothing (the echo server's certificate
# is a throwaway). Its ARGs are sys.argv[2:].
tls_py() {
	$PY -c "import socket, ssl, sys, time
port = int(sys.argv[1])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
$(cat)" "$@"
}

# raw PY ssl client: send $1 (python bytes literal), print what comes back
raw() {
	tls_py "$PORT" "$1" "${2:-5}" <<'PYEOF'
data, tmo = eval(sys.argv[2]), float(sys.argv[3])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)))
s.settimeout(tmo)
t0 = time.monotonic()
s.sendall(data)
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except (socket.timeout, ssl.SSLError, ConnectionError) as e:
    out += b"\n<%s>" % type(e).__name__.encode()
sys.stdout.write(out.decode("latin-1"))
sys.stdout.write("\n<closed after %.1f s>\n" % (time.monotonic() - t0))
PYEOF
}

out=$(raw 'b"GARBAGE\r\n\r\n"')
t_match "malformed request line: 400" '^HTTP/1.1 400 Bad Request' "$out"
t_match "400 carries a text reason and closes" \
	'HTTP: request line: no request-target' "$out"
t_match "400 closes the connection" 'Connection: close' "$out"
out=$(raw 'b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc"')
t_match "Content-Length with Transfer-Encoding: 400" \
	'HTTP/1.1 400 .*both Content-Length and Transfer-Encoding' \
	"$(printf '%s' "$out" | tr '\r\n' '  ')"
out=$(raw 'b"GET /echo?n=1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /close HTTP/1.1\r\nHost: a\r\n\r\n"')
t_eq "pipelining: three responses" 3 \
	"$(printf '%s\n' "$out" | grep -o 'HTTP/1.1 200' | wc -l | tr -d ' ')"
t_match "pipelining: answered in order" \
	'X-Query: n=1.*X-Method: POST.*X-Body-Len: 3.*bye' \
	"$(printf '%s' "$out" | tr '\r\n' '  ')"
out=$(raw 'b"GET /echo HTTP/1.0\r\n\r\n"')
t_match "HTTP/1.0: answered with HTTP/1.1 and closed" \
	'^HTTP/1.1 200 OK.*Connection: close.*<closed after 0' \
	"$(printf '%s' "$out" | tr '\r\n' '  ')"

# --- timeouts: half a header (slowloris) and an idle keep-alive connection
out=$(raw 'b"GET /echo HTTP/1.1\r\nHost: a\r\nX-Slow:"' 8)
t_match "slowloris: closed after the 1 s header timeout" \
	'<closed after 1\.[0-9] s>' "$out"
t_eq "slowloris: nothing answered" "" \
	"$(printf '%s' "$out" | grep '^HTTP')"
out=$(raw 'b""' 8)
t_match "silent client after handshake: closed after the header timeout" \
	'<closed after 1\.[0-9] s>' "$out"
out=$(raw 'b"GET /echo HTTP/1.1\r\nHost: a\r\n\r\n"' 8)
t_match "idle keep-alive connection closed after 1.5 s" \
	'<closed after (1\.[5-9]|2\.[0-4]) s>' "$out"
out=$(raw 'b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc"' 8)
t_match "body stalled: closed after the 1 s body timeout" \
	'<closed after 1\.[0-9] s>' "$out"
out=$(tls_py "$PORT" <<'PYEOF'
def write_timeouts():
    with open("echo.err") as f:
        return sum(1 for l in f if "event timeout" in l and l.endswith(" 0 write\n"))
before = write_timeouts()
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)))
s.sendall(b"GET /big?n=16000000 HTTP/1.1\r\nHost: a\r\n\r\n")
# Do not read until the server says its write timeout (1 s) fired: a fixed
# sleep let a slow server (ASan, a loaded machine) still be producing the
# response when this client began to read. Bounded: if the event never
# comes, the whole response arrives and the check below fails.
for _ in range(1200):
    if write_timeouts() > before:
        break
    time.sleep(0.1)
n = 0
s.settimeout(5)
try:
    while True:
        b = s.recv(1 << 20)
        if not b:
            break
        n += len(b)
except Exception:
    pass
print("cut" if n < 16000000 else "whole", n)
PYEOF
)
t_match "client not reading: response cut by the write timeout" '^cut ' "$out"
out=$(tls_py "$PORT" <<'PYEOF'
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)))
s.sendall(b"GET /big?n=16000000 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
s.settimeout(5)
n, t0, chunk = 0, time.monotonic(), 0
while True:
    b = s.recv(1 << 20)
    if not b:
        break
    n += len(b)
    chunk += len(b)
    if chunk >= 2000000:	# slow but steady: 2 MB every 0.4 s
        chunk = 0
        time.sleep(0.4)
print("got", n, "in %.1f s" % (time.monotonic() - t0))
PYEOF
)
t_match "slow but steady reader gets the whole 16 MB past the 1 s write timeout" \
	'^got 160001[0-9]{2} in ([2-9]|[1-9][0-9])\.' "$out"
out=$($PY - "$PORT" <<'PYEOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(20)
t0 = time.monotonic()
try:
    s.recv(1)
except Exception:
    pass
print("%.1f" % (time.monotonic() - t0))
PYEOF
)
t_match "TCP connection without a handshake closed after 2 s" '^2\.[0-4]' "$out"

# --- parked requests answered later by a timer
t0=$(date +%s%N)
out=$($CURL "$URL/delay?ms=700")
t1=$(date +%s%N)
t_eq "parked request answered by a timer" "delayed 700 ms" "$out"
t_ok $([ $(( (t1 - t0) / 1000000 )) -ge 690 ]; echo $?) \
	"parked answer came after the delay"
# Concurrency without a clock: park 8 requests behind timers far in the
# future, wait until the server holds all 8 at once, then release them.
PIDS=""
for i in 1 2 3 4 5 6 7 8; do
	$CURL -o "par$i" "$URL/delay?ms=60000" &
	PIDS="$PIDS $!"
done
parked=""
for _ in $(seq 1 600); do
	parked=$($CURL "$URL/parked")
	[ "$parked" = "parked 8" ] && break
	sleep 0.1
done
t_eq "8 parked requests held at once" "parked 8" "$parked"
$CURL -o /dev/null "$URL/release"
for p in $PIDS; do wait "$p"; done
t_eq "all 8 parked requests answered" 8 "$(cat par? | grep -c 'delayed 60000 ms')"
curl -sk --max-time 0.3 "$URL/delay?ms=1200" >/dev/null 2>&1
t_eq "client gives up while parked (curl timeout)" 28 $?
# The timer fires 1.2 s after the request; wait for its log line, bounded.
for _ in $(seq 1 300); do
	grep -Eq 'parked request [0-9]+: client gone' echo.err && break
	sleep 0.1
done
t_match "server saw the client leave" 'parked request [0-9]+: client gone' \
	"$(cat echo.err)"
out=$($CURL "$URL/echo" -o /dev/null -w '%{http_code}')
t_eq "server still serves after the client left" 200 "$out"

# --- client certificates
out=$($CURL --cert cli.pem --key cli.key -D - -o /dev/null "$URL/echo")
t_match "client certificate from the trusted CA: verified" \
	'X-Client-Cert: verified' "$out"
out=$($CURL --tlsv1.2 --tls-max 1.2 --cert cli.pem --key cli.key -D - \
	-o /dev/null "$URL/echo")
t_match "client certificate over TLS 1.2: verified" \
	'X-Client-Cert: verified' "$out"
out=$($CURL --cert rogue.pem --key rogue.key -D - -o /dev/null "$URL/echo")
t_match "self-signed client certificate: unverified" \
	'X-Client-Cert: unverified' "$out"
t_match "self-signed client certificate: reason says not trusted" \
	'X-Client-Cert-Why: .*issuer is unknown' "$out"
out=$($CURL --cert expired.pem --key expired.key -D - -o /dev/null "$URL/echo")
t_match "expired client certificate from the trusted CA: unverified" \
	'X-Client-Cert: unverified' "$out"
t_match "expired client certificate: reason says expired" \
	'X-Client-Cert-Why: .*expired' "$out"
out=$($CURL --cert srvonly.pem --key srvonly.key -D - -o /dev/null "$URL/echo")
t_match "client certificate without clientAuth EKU: unverified" \
	'X-Client-Cert: unverified' "$out"
t_match "serverAuth-only client certificate: reason says purpose" \
	'X-Client-Cert-Why: .*purpose' "$out"
out=$($CURL -D - -o /dev/null "$URL/echo")
t_match "no client certificate: none" 'X-Client-Cert: none' "$out"

# --- big responses span many TLS records
$CURL -o big "$URL/big?n=3000000"
t_eq "3 MB response arrives whole" 3000000 "$(wc -c < big | tr -d ' ')"

# --- port in use
"$ECHO" --listen "127.0.0.1:$PORT" --cert srv.pem --key srv.key \
	>inuse.out 2>inuse.err
t_eq "port in use: exit code 2" 2 $?
t_match "port in use: clear message" \
	"listen 127.0.0.1:$PORT: Address already in use" "$(cat inuse.err)"
"$ECHO" --listen "127.0.0.1:$(free_port)" --cert srv.pem --key missing.key \
	>/dev/null 2>bad.err
t_eq "missing key file: exit code 2" 2 $?
t_match "missing key file: named" 'TLS: certificate srv.pem with key missing.key' \
	"$(cat bad.err)"

# --- IPv6 listen address, when the host has ::1
if $PY -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' \
	2>/dev/null; then
	P6=$(free_port)
	t_bg "$ECHO" --listen "[::1]:$P6" --cert srv.pem --key srv.key \
		--lifetime 30 >echo6.out 2>echo6.err
	SRV6=$T_LASTPID
	out=$(curl -g -sSk --retry 50 --retry-connrefused --retry-delay 0 \
		--retry-max-time 10 -D - -o /dev/null "https://[::1]:$P6/echo" 2>/dev/null)
	t_match "IPv6 [::1] listen: peer reported as [::1]:port" \
		'X-Peer: \[::1\]:[0-9]+' "$out"
	kill -TERM "$SRV6"
	wait "$SRV6"
	t_eq "IPv6 server stopped cleanly" 0 $?
fi

# --- certificate reload on SIGHUP
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout srv2.key -out srv2.pem -days 2 -subj /CN=entca-reloaded \
	>/dev/null 2>&1
cp srv2.pem srv.pem && cp srv2.key srv.key
kill -HUP "$SRV"
sleep 0.3
out=$(echo | openssl s_client -connect "127.0.0.1:$PORT" 2>&1)
t_match "SIGHUP: new certificate served" 'subject=CN ?= ?entca-reloaded' "$out"

# --- max connections: the third client is closed at once (fair accept
# never stops accepting, so nobody queues behind a full server)
PORT2=$(free_port)
t_bg "$ECHO" --listen "127.0.0.1:$PORT2" --cert srv.pem --key srv.key \
	--max-conns 2 --lifetime 60 >echo2.out 2>echo2.err
SRV2=$T_LASTPID
wait_port "$PORT2" 10
out=$(tls_py "$PORT2" <<'PYEOF'
def conn(timeout):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(timeout)
    return ctx.wrap_socket(s)
a, b = conn(5), conn(5)
try:
    conn(10)
    print("third connected")
except (socket.timeout, TimeoutError):
    print("third waits")
except (OSError, ssl.SSLError):
    print("third closed")
a.close()
# The server may see the newcomer before a's close: then it is closed
# too, and the client tries again (bounded) until the slot is free.
for attempt in range(100):
    try:
        c = conn(5)
        c.sendall(b"GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        print(c.recv(100).split(b"\r\n")[0].decode())
        break
    except Exception as e:
        err = e
else:
    print("failed", err)
PYEOF
)
t_match "max connections: third client closed at once, not queued" 'third closed' "$out"
t_match "max connections: accepted after one closed" 'HTTP/1.1 200 OK' "$out"

# --- chaos: 8 clients for 5 s mixing garbage instead of TLS, aborted
# handshakes, requests cut anywhere, pipelined bursts, byte-by-byte sends,
# early closes while parked and mid-response; the server must keep serving
# (and, under --enable-sanitizers, stay clean)
cat > chaos.py <<'PYEOF'
import socket, ssl, sys, random, time, threading
port = int(sys.argv[1]); dur = float(sys.argv[2])
random.seed(7)
ctx = ssl.create_default_context(); ctx.check_hostname=False; ctx.verify_mode=ssl.CERT_NONE
reqs = [b"GET /echo HTTP/1.1\r\nHost: a\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
        b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        b"GET /delay?ms=50 HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /delay?ms=300 HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /big?n=500000 HTTP/1.1\r\nHost: a\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
        b"GARBAGE\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\nxx",
        b"GET /close HTTP/1.1\r\nHost: a\r\n\r\n"]
stats = {"ok":0, "err":0}
def one():
    mode = random.randrange(6)
    raw = socket.create_connection(("127.0.0.1", port), timeout=3)
    try:
        if mode == 0:   # raw garbage instead of TLS
            raw.sendall(bytes(random.randrange(256) for _ in range(random.randrange(1, 300))))
            raw.close(); return
        if mode == 1:   # abort mid-handshake
            raw.sendall(b"\x16\x03\x01\x00\x50\x01\x00"); raw.close(); return
        s = ctx.wrap_socket(raw)
        data = b"".join(random.choice(reqs) for _ in range(random.randrange(1, 6)))
        if mode == 2:   # cut the request anywhere and close
            s.sendall(data[:random.randrange(len(data))]); s.close(); return
        if mode == 3:   # send all, close at once (parked requests lose client)
            s.sendall(data); time.sleep(random.random() * 0.1); s.close(); return
        if mode == 4:   # byte by byte
            for i in range(0, len(data), 7):
                s.sendall(data[i:i+7])
        else:
            s.sendall(data)
        s.settimeout(2)
        got = 0
        t = time.monotonic()
        while time.monotonic() - t < random.random() * 1.5:
            b = s.recv(65536)
            if not b: break
            got += len(b)
        s.close()
        stats["ok"] += 1
    except Exception:
        stats["err"] += 1
def worker():
    end = time.monotonic() + dur
    while time.monotonic() < end:
        one()
th = [threading.Thread(target=worker) for _ in range(8)]
[t.start() for t in th]; [t.join() for t in th]
print("chaos done", stats)
PYEOF
out=$($PY chaos.py "$PORT" 5 2>&1)
t_match "chaos clients ran" '^chaos done' "$out"
echo "# $out"
out=$($CURL -o /dev/null -w '%{http_code}' "$URL/echo")
t_eq "server serves after the chaos" 200 "$out"

# --- out of file descriptors: accept fails (EMFILE), backs off, recovers
PORT3=$(free_port)
(ulimit -n 24; exec "$ECHO" --listen "127.0.0.1:$PORT3" --cert srv.pem \
	--key srv.key --lifetime 60) >echo3.out 2>echo3.err &
SRV3=$!
T_PIDS="$T_PIDS $SRV3"
wait_port "$PORT3" 10
out=$(tls_py "$PORT3" <<'PYEOF'
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
time.sleep(1)
for s in socks:
    s.close()
time.sleep(0.5)
c = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5))
c.sendall(b"GET /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
print(c.recv(100).split(b"\r\n")[0].decode())
PYEOF
)
t_eq "out of descriptors: serves again afterwards" "HTTP/1.1 200 OK" "$out"
kill -TERM "$SRV3"
wait "$SRV3"
t_match "out of descriptors: accept errors were met and retried" \
	'accept_errors=[1-9]' "$(cat echo3.err)"

# --- graceful stop: an in-flight parked request still gets its answer
$CURL -o inflight "$URL/delay?ms=800" &
CPID=$!
sleep 0.3
kill -TERM "$SRV"
wait "$CPID"
t_eq "SIGTERM: in-flight request answered" "delayed 800 ms" "$(cat inflight)"
for _ in $(seq 1 50); do kill -0 "$SRV" 2>/dev/null || break; sleep 0.1; done
wait "$SRV"
t_eq "SIGTERM: server exits 0 after draining" 0 $?
t_fail "SIGTERM: no longer accepting" $CURL "$URL/echo"
kill -TERM "$SRV2"
wait "$SRV2"

t_match "stats printed" 'gone_while_parked=[1-9]' "$(cat echo.err)"
ev=$(grep 'http_echo: event' echo.err)
for phase in handshake header body idle write; do
	t_match "event callback: $phase timeout reported" \
		"event timeout 127\.0\.0\.1:[0-9]+ 0 $phase\$" "$ev"
done
t_match "event callback: 413 refusal with its reason" \
	'event refused 127\.0\.0\.1:[0-9]+ 413 HTTP: request body larger than 65536 bytes' "$ev"
t_match "event callback: failed handshake with GnuTLS's reason" \
	'event tls-failed 127\.0\.0\.1:[0-9]+ 0 .+' "$ev"
t_match "event callback: client gone while parked" \
	'event gone 127\.0\.0\.1:[0-9]+ 0 ' "$ev"
echo "# $(grep stats echo.err)"
t_eq "no sanitizer report" "" \
	"$(grep -E 'AddressSanitizer|LeakSanitizer|runtime error' echo*.err)"

t_done

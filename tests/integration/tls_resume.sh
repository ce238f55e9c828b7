#!/bin/bash
# Issue 18: TLS session tickets (RFC 5077; RFC 8446 §4.6.1). A returning
# client resumes without a new key exchange and server signature, the
# largest cost of a new connection. tls_ticket_resumes: the second
# connection with the first one's ticket is resumed and answered;
# tls_ticket_resumed_enroll: an enrollment over a resumed session works
# (HTTP Basic, the certificate stored and returned);
# tls_ticket_other_key_refused: a ticket from an entcad that has since
# restarted (a new random ticket key) is not accepted: a full handshake.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

demo_test_setup
demo_test_start
HP=${DEMO_URL#https://}

# tls REQUEST-FILE ARGS...: one connection with openssl s_client; prints
# its session line (New/Reused) and the HTTP status line.
tls() {
	req=$1; shift
	openssl s_client -connect "$HP" -CAfile "$DEMO_CA" -ign_eof "$@" <"$req" 2>&1 |
	    grep -E '^(New|Reused),|^HTTP/1.1 '
}
printf 'GET /health HTTP/1.1\r\nHost: ca\r\nConnection: close\r\n\r\n' >"$D/health.req"
wait_health 200 '"problems":\[\]' || t_skip_all "entcad is not healthy: $body"

out=$(tls "$D/health.req" -sess_out "$D/s1.pem")
t_match "first connection: a full handshake" '^New, TLSv1' "$out"
t_match "first connection: answered" 'HTTP/1.1 200' "$out"
out=$(tls "$D/health.req" -sess_in "$D/s1.pem")
t_match "tls_ticket_resumes: the second connection is resumed" '^Reused, TLSv1' "$out"
t_match "tls_ticket_resumes: and answered" 'HTTP/1.1 200' "$out"

$CSR make "$D/a.key" "$D/a.b64" "CN=alice,O=Demo" --upn alice@demo.example
{
	printf 'POST /.well-known/est/PKCSIntune/simpleenroll HTTP/1.1\r\nHost: ca\r\n'
	printf 'Authorization: Basic %s\r\n' "$(printf '%s' 'INTUNECONN$:demo-connector' | base64 -w0)"
	printf 'Content-Type: application/pkcs10\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' \
	    "$(wc -c <"$D/a.b64")"
	cat "$D/a.b64"
} >"$D/enroll.req"
out=$(tls "$D/enroll.req" -sess_in "$D/s1.pem")
t_match "tls_ticket_resumed_enroll: resumed" '^Reused, TLSv1' "$out"
t_match "tls_ticket_resumed_enroll: the certificate is issued" 'HTTP/1.1 200' "$out"

demo_test_stop
demo_test_start restart
wait_health 200 '"problems":\[\]'
out=$(tls "$D/health.req" -sess_in "$D/s1.pem")
t_match "tls_ticket_other_key_refused: a full handshake after restart" '^New, TLSv1' "$out"
t_match "tls_ticket_other_key_refused: still answered" 'HTTP/1.1 200' "$out"
t_done

#!/usr/bin/env bash
# run-demo.sh BUILD STATE: the README's `./quickstart run`. Starts the demo
# directory and entcad with a demo CA on https://127.0.0.1:8443, prints how
# to fetch the CA certificate and enroll, and stays in the foreground
# until Ctrl-C (which stops entcad and slapd).
set -eu
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
STATE=$2
PORT=${ENTCA_DEMO_PORT:-8443}
CRLPORT=${ENTCA_DEMO_CRL_PORT:-8080}
. "$SRC/etc/demo/demo-env.sh"

demo_setup "$STATE" "$PORT" "$CRLPORT"
S=$DEMO_STATE
cat <<TXT

entca demo
  directory  $SLAPD_URI (base $SLAPD_BASE, StartTLS), stops with this script
  CA         $S/ca/ca.crt   (state in $S/ca)
  config     $DEMO_CONF
  templates  $S/templates/PKCSIntune.tmpl (issued as label PKCSIntune)
  accounts   INTUNECONN\$ / demo-connector (connector: request, officer)
             alice@demo.example / demo-alice, bob@demo.example / demo-bob,
             pkiadmin@demo.example / demo-admin (Manage CA)

Export the CA certificate (as certutil -ca.cert does), DER:
  $BUILD/entca ca-cert ca_name.cer --state $S/ca
Fetch it over EST:
  curl --cacert $S/ca/ca.crt $DEMO_URL/.well-known/est/cacerts | base64 -d | openssl pkcs7 -inform DER -print_certs

Enroll for alice as the connector, with a CSR made on the connector:
  openssl req -new -newkey rsa:2048 -nodes -keyout alice.key -outform DER \\
    -subj "/CN=alice/O=Demo" \\
    -addext "subjectAltName=otherName:1.3.6.1.4.1.311.20.2.3;UTF8:alice@demo.example" \\
    | base64 > alice.csr.b64
  curl --cacert $S/ca/ca.crt -u 'INTUNECONN\$:demo-connector' \\
    -H 'Content-Type: application/pkcs10' --data-binary @alice.csr.b64 \\
    $DEMO_URL/.well-known/est/PKCSIntune/simpleenroll \\
    | base64 -d | openssl pkcs7 -inform DER -print_certs -out alice.crt

Or let entca make the key and return a PFX (serverkeygen):
  openssl req -new -newkey rsa:2048 -nodes -keyout /dev/null -outform DER \\
    -subj "/CN=alice/O=Demo" \\
    -addext "subjectAltName=otherName:1.3.6.1.4.1.311.20.2.3;UTF8:alice@demo.example" \\
    | base64 > req.b64
  curl --cacert $S/ca/ca.crt -u 'INTUNECONN\$:demo-connector' \\
    -H 'Content-Type: application/pkcs10' -H 'Accept: application/pkcs12' -H 'X-EST-PKCS12-Password: pfx-secret' \\
    --data-binary @req.b64 $DEMO_URL/.well-known/est/PKCSIntune/serverkeygen \\
    | base64 -d > alice.p12
  openssl pkcs12 -in alice.p12 -passin pass:pfx-secret -nodes -info

Revoke it (officer), or every certificate of a device (the connector's retire):
  SERIAL=\$(openssl x509 -in alice.crt -noout -serial | cut -d= -f2)
  curl --cacert $S/ca/ca.crt -u 'INTUNECONN\$:demo-connector' -H 'Content-Type: application/json' \\
    -d '{"reason":"cessationOfOperation"}' $DEMO_URL/api/v1/certificates/\$SERIAL/revoke
  curl --cacert $S/ca/ca.crt -u 'INTUNECONN\$:demo-connector' -H 'Content-Type: application/json' \\
    -d '{"device":"LAPTOP01","reason":"cessationOfOperation"}' $DEMO_URL/api/v1/principals/revoke
The delta CRL lists it at the next delta-period, the full CRL at the next period; an
administrator may publish now (full: {}, delta: {"delta":true}):
  curl --cacert $S/ca/ca.crt -u 'pkiadmin@demo.example:demo-admin' -H 'Content-Type: application/json' -d '{"delta":true}' $DEMO_URL/api/v1/crl/publish
  curl -s $DEMO_CRL_URL/crl/entca-demo+.crl | openssl crl -inform DER -noout -text
  curl --cacert $S/ca/ca.crt -u 'pkiadmin@demo.example:demo-admin' -H 'Content-Type: application/json' -d '{}' $DEMO_URL/api/v1/crl/publish
  openssl verify -crl_check -crl_download -CAfile $S/ca/ca.crt alice.crt   # full CRL fetched from the CDP

entcad is starting in the foreground on $DEMO_URL, CRLs on $DEMO_CRL_URL (Ctrl-C stops it).
TXT
exec "$BUILD/entcad" -f -c "$DEMO_CONF"

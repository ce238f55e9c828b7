#!/bin/sh
# entca restore of a CA whose key is in a PKCS#11 token (SoftHSM2 in a
# private folder): the backup carries the token reference (ca.json, never
# a PIN nor a key), restore puts it back and checks that the token key
# matches the backed-up certificate before switching; a certificate of
# another CA with that reference is refused and nothing is left behind.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/common.sh"

ENTCA=$top_builddir/entca
MOD=$SOFTHSM_MODULE
softhsm_available || t_skip_all "SoftHSM2 (module $MOD, softhsm2-util) not installed"
D=$T_TMP
unset ENTCA_PKCS11_MODULE
mkdir "$D/templates"
softhsm_token "$D"
t_ok $? "SoftHSM2 token initialised"
export ENTCA_PKCS11_PIN=1234

"$ENTCA" init --state "$D/s" --key-type p256 --subject "CN=HSM CA" \
    --pkcs11 "pkcs11:token=entca;object=ca" --pkcs11-module "$MOD" >/dev/null 2>&1
t_eq "a CA with its key in the token" 0 "$?"
cat >"$D/entcad.conf" <<CONF
[ca]
name = hsm
state-dir = $D/s
templates-dir = $D/templates
CONF
"$ENTCA" -c "$D/entcad.conf" backup "$D/bk" >/dev/null 2>&1
t_eq "backup of a token CA: exit 0" 0 "$?"
t_run "restore_pkcs11: the backup holds the token reference" test -s "$D/bk/ca.json"
t_eq "restore_pkcs11: and no key, no PIN" "0 0" \
    "$(ls "$D/bk" | grep -c 'ca.key\|ca.p12') $(grep -c 'pin-value\|1234' "$D/bk/ca.json")"

out=$("$ENTCA" restore "$D/bk" --state "$D/r" 2>&1)
t_eq "restore_pkcs11: exit 0" 0 "$?"
t_match "restore_pkcs11: the token key was checked against the certificate" "key matches the certificate" "$out"
t_run "restore_pkcs11: the same CA certificate" cmp "$D/s/ca.crt" "$D/r/ca.crt"
t_run "restore_pkcs11: the same token reference" cmp "$D/s/ca.json" "$D/r/ca.json"
t_run "restore_pkcs11: the store came back" test -s "$D/r/db/data.mdb"

# Another CA's certificate with this token reference: the key does not match.
"$ENTCA" init --state "$D/o" --key-type p256 --subject "CN=HSM CA" --no-tls-cert >/dev/null 2>&1
cp -r "$D/bk" "$D/mixed"
cp "$D/o/ca.crt" "$D/mixed/ca.crt"
out=$("$ENTCA" restore "$D/mixed" --state "$D/r2" 2>&1)
t_eq "restore_pkcs11: a certificate the token key does not match: exit 1" 1 "$?"
t_match "restore_pkcs11: says so" "does not match" "$out"
t_eq "restore_pkcs11: nothing left behind" "" "$(ls -d "$D/r2" "$D/r2".restore-* 2>/dev/null)"
t_done

#!/bin/bash
# Issue 18: [directory] recheck-interval, a bounded time during which a
# login answered from the cache skips re-reading its account (one search
# per login saved), and its invalidation. Against a real slapd and entcad
# with recheck-interval = 60 (the bound itself is tested without waiting
# in tests/unit/ldap, cache_recheck_interval_bounded_and_flushed):
# recheck_grace_serves_cached_login: the connector, disabled after a
# login, is still served from the cache (the documented grace);
# recheck_cleared_by_revoke_all: an officer's revoke-all clears the cache,
# so the next login reads the account and the disabled connector is
# refused. The default (0: read at every login) is directory_security.sh's
# disabled_account_not_served_from_cache.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

demo_test_setup
printf '\n[directory]\nrecheck-interval = 60\n' >>"$DEMO_CONF"
demo_test_start
$CSR make "$D/a.key" "$D/a.b64" "CN=alice,O=Demo" --upn alice@demo.example
CONN_DN=$(ldapsearch -x -LLL -H "$SLAPD_URI" -D "$SLAPD_ADMIN_DN" -w "$SLAPD_ADMIN_PW" \
    -b "$SLAPD_BASE" '(sAMAccountName=INTUNECONN$)' dn | sed -n 's/^dn: //p')
uac=$(ldapsearch -x -LLL -H "$SLAPD_URI" -D "$SLAPD_ADMIN_DN" -w "$SLAPD_ADMIN_PW" \
    -b "$CONN_DN" -s base userAccountControl | sed -n 's/^userAccountControl: //p')
t_match "the connector's account is found" '^cn=' "$CONN_DN"

t_eq "the connector enrolls (its login now cached)" 200 "$(demo_enroll_status "$D/a.b64")"
printf 'dn: %s\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: %d\n-\n' \
    "$CONN_DN" $((uac | 2)) |
    ldapmodify -x -H "$SLAPD_URI" -D "$SLAPD_ADMIN_DN" -w "$SLAPD_ADMIN_PW" >/dev/null
t_eq "recheck_grace_serves_cached_login: disabled, still served within the interval" 200 "$(demo_enroll_status "$D/a.b64")"

code=$(curl -s -o "$D/rev.json" -w '%{http_code}' --cacert "$DEMO_CA" \
    -u 'pkiadmin@demo.example:demo-admin' -H 'Content-Type: application/json' \
    -d '{"upn":"alice@demo.example","reason":"cessationOfOperation"}' \
    "$DEMO_URL/api/v1/principals/revoke")
t_eq "an officer revokes everything of alice" 200 "$code"
t_eq "recheck_cleared_by_revoke_all: the disabled connector is refused next" 401 "$(demo_enroll_status "$D/a.b64")"
t_done

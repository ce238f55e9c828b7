#!/bin/bash
# The OpenAPI document and the code agree (issue 15): every route of the
# API's table is documented and every documented operation is a route;
# the served document is the one in the repository; and every example in
# it (x-examples: caller role, parameters, body, expected status) is run
# against a real entcad, so the document cannot drift from behaviour.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

demo_test_setup
# One principal per right besides the demo's: grace is admin only, bob
# auditor only (both keep Domain Users' read and request).
demo_allow_api_roles
# A second template, not issued, for the issue/unissue examples.
"$BUILD/entca" --templates "$D/demo/templates" template duplicate PKCSIntune "Second Template" >/dev/null
demo_test_start

SERIAL=$(demo_enroll one "CN=alice,O=Demo" --upn alice@demo.example)
HOLD=$(demo_enroll two "CN=alice,O=Demo" --upn alice@demo.example)
t_match "two certificates to run the examples on" '^[0-9a-f]+ [0-9a-f]+$' "$SERIAL $HOLD"
export SERIAL HOLD SID=$SIDP-1106 TEMPLATE=PKCSIntune TEMPLATE2=SecondTemplate REQUEST=1 MALLORY=$SIDP-1116

# The served document is the repository's, byte for byte.
code=$(curl -s -o "$D/served.json" -w '%{http_code}' --cacert "$DEMO_CA" "$DEMO_URL/api/v1/openapi.json")
t_eq "GET /api/v1/openapi.json without credentials: 200" 200 "$code"
t_run "the served document is ca/api/openapi.json" cmp "$D/served.json" "$SRC/ca/api/openapi.json"

# Routes from the code against operations in the document, both ways.
"$BUILD/tests/integration/api_routes" | sort >"$D/routes.code"
$PY - "$D/served.json" <<'PYEOF' | sort >"$D/routes.doc"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["openapi"].startswith("3."), "not OpenAPI 3"
base = doc["servers"][0]["url"]
for path, ops in doc["paths"].items():
    for method in ops:
        if method in ("get", "post", "put", "delete", "patch"):
            print("%s %s%s" % (method.upper(), base, path))
PYEOF
t_ok "$([ -s "$D/routes.code" ]; echo $?)" "the API exports its route table ($(wc -l <"$D/routes.code") routes)"
t_eq "every route is documented" "" "$(comm -23 "$D/routes.code" "$D/routes.doc")"
t_eq "every documented operation is a route" "" "$(comm -13 "$D/routes.code" "$D/routes.doc")"

# Every documented example, in document order, one TAP line each.
$PY - "$D/served.json" >"$D/examples" <<'PYEOF'
import json, os, re, sys, urllib.parse
doc = json.load(open(sys.argv[1]))
base = doc["servers"][0]["url"]
def env(s):
    return re.sub(r"\$([A-Z][A-Z0-9]*)", lambda m: os.environ[m.group(1)], s)
n = 0
for path, ops in doc["paths"].items():
    for method, op in ops.items():
        ex = op.get("x-examples", [])
        if not ex:
            print("MISSING\t%s %s" % (method.upper(), path))
        for e in ex:
            p = path
            for k, v in e.get("params", {}).items():
                p = p.replace("{%s}" % k, urllib.parse.quote(env(v), safe=""))
            q = env(e.get("query", ""))
            url = base + p + ("?" + q if q else "")
            body = json.dumps(e["body"]) if "body" in e else ""
            print("\x1f".join([method.upper(), url, e["as"], e.get("accept", ""), body,
                             str(e["status"]), e["summary"]]))
PYEOF
t_eq "every operation has examples" "" "$(grep '^MISSING' "$D/examples")"
while IFS=$'\x1f' read -r method url role accept body want summary; do
	[ "$method" = MISSING ] && continue
	args=(-s -o "$D/ex.out" -w '%{http_code}' --cacert "$DEMO_CA" -X "$method")
	[ "$role" != anonymous ] && args+=(-u "$(demo_cred "$role")")
	[ -n "$accept" ] && args+=(-H "Accept: $accept")
	[ -n "$body" ] && args+=(-H 'Content-Type: application/json' -d "$body")
	got=$(curl "${args[@]}" "$DEMO_URL$url")
	t_eq "example: $method $url as $role ($summary): $want" "$want" "$got"
	# Errors are JSON with a code and a message, never a server path.
	if [ "$got" -ge 400 ] && [ "$got" != 401 ]; then
		t_match "example: $summary: JSON error" '^\{"error":\{"code":"[a-z_]+","message":"[^"]+' "$(cat "$D/ex.out")"
		t_eq "example: $summary: no server path in the message" "" "$(grep -o "$D" "$D/ex.out")"
	fi
done <"$D/examples"
t_done

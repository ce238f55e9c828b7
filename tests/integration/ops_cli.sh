#!/bin/sh
# The operator's first commands with the real entca and entcad: --version,
# `entca init` refusing to create a CA nowhere in particular and saying what
# it creates, and `entca -c FILE ca-cert` exporting that configuration's CA
# (not the default one).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/common.sh"

B=$top_builddir
[ -x "$B/entca" ] && [ -x "$B/entcad" ] || t_skip_all "entca/entcad not built"
D=$T_TMP
unset ENTCA_CONF ENTCA_TEMPLATES
ver=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$B/config.h")

t_eq "entca --version prints the package version" "entca $ver" "$("$B/entca" --version)"
t_eq "entcad --version prints the package version" "entcad $ver" "$("$B/entcad" --version)"

# A bare init must not create a CA in a default folder.
out=$(cd "$D" && "$B/entca" init --key-type p256 2>&1)
t_eq "init without --state: usage error (exit 2)" 2 "$(cd "$D" && "$B/entca" init --key-type p256 >/dev/null 2>&1; echo $?)"
t_match "init without --state: says to name the folder" "say where to create the CA: --state" "$out"
t_eq "init without --state: nothing created" "" "$(ls "$D")"

# init says what it will create, then the next steps.
out=$("$B/entca" init --state "$D/a" --key-type p256 --days 30 \
    --subject "CN=Ops Root A" --no-tls-cert 2>&1)
t_ok $? "init --state creates a CA"
t_match "init announces root CA and folder" "creating a root CA in $D/a" "$out"
t_match "init announces the subject" "subject: +CN=Ops Root A" "$out"
t_match "init announces key type and that it is not encrypted" "key: +p256, NOT encrypted" "$out"
t_match "init announces the validity" "validity: 30 days" "$out"
t_match "init prints the next steps" "next steps:" "$out"
t_match "next steps name ca-cert for this folder" "entca ca-cert --state $D/a" "$out"

printf 'pw-for-ops\n' > "$D/kpw"
out=$("$B/entca" init --state "$D/enc" --key-type p256 --days 10 \
    --key-password-file "$D/kpw" --no-tls-cert 2>&1)
t_ok $? "init with --key-password-file"
t_match "init announces an encrypted key" "key: +p256, encrypted with --key-password-file" "$out"
out=$("$B/entca" init --state "$D/sub" --key-type p256 --subordinate --no-tls-cert 2>&1)
t_match "subordinate: validity left to the parent" "validity: set by the parent CA" "$out"
t_match "subordinate: next step is the parent signing the CSR" "sign $D/sub/ca.csr" "$out"

# -c: init and ca-cert use the configuration's state-dir.
cat > "$D/b.conf" <<CONF
[ca]
name = Ops-B
state-dir = $D/b
templates-dir = $D
CONF
sed -e "s|$D/b|$D/a|" -e 's/Ops-B/Ops-A/' "$D/b.conf" > "$D/a.conf"
out=$("$B/entca" -c "$D/b.conf" init --key-type p256 --days 30 \
    --subject "CN=Ops Root B" --no-tls-cert 2>&1)
t_ok $? "init with -c and no --state"
t_run "init -c created the CA in the config's state-dir" test -f "$D/b/ca.crt"
t_run "ca-cert -c exports that configuration's CA" \
    "$B/entca" -c "$D/b.conf" ca-cert --pem "$D/b-out.pem"
t_run "exported certificate is state-dir b's" cmp "$D/b-out.pem" "$D/b/ca.crt"
ENTCA_CONF=$D/a.conf "$B/entca" -c "$D/b.conf" ca-cert --pem "$D/b2.pem" >/dev/null 2>&1
t_run "-c wins over \$ENTCA_CONF" cmp "$D/b2.pem" "$D/b/ca.crt"
ENTCA_CONF=$D/a.conf "$B/entca" ca-cert --pem "$D/a-out.pem" >/dev/null 2>&1
t_run "\$ENTCA_CONF alone is honoured" cmp "$D/a-out.pem" "$D/a/ca.crt"
"$B/entca" -c "$D/b.conf" ca-cert --state "$D/a" --pem "$D/a2.pem" >/dev/null 2>&1
t_run "--state wins over -c" cmp "$D/a2.pem" "$D/a/ca.crt"
out=$("$B/entca" -c "$D/missing.conf" ca-cert --pem "$D/m.pem" 2>&1)
t_eq "ca-cert with a missing -c file: exit 2" 2 "$("$B/entca" -c "$D/missing.conf" ca-cert --pem "$D/m.pem" >/dev/null 2>&1; echo $?)"
t_match "ca-cert with a missing -c file names it" "missing.conf" "$out"
t_ok $([ ! -e "$D/m.pem" ]; echo $?) "nothing exported from the wrong CA"

t_done

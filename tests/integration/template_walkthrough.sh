#!/bin/sh
# The PKCS walkthrough's template (Microsoft's PKCS walkthrough for Intune, template step) made
# the way an administrator makes it: `entca template duplicate User
# "PKCS Intune"`, then edits with sed, then validate. Also: the result is
# etc/templates/PKCSIntune.tmpl, lint rules fire on the edits that make it
# dangerous, errors name file/line/key, and the other template commands.
. "$top_srcdir/tests/common.sh"

# DIR template VERB ...: the real `entca` (templates folder from
# ENTCA_TEMPLATES) when it is built, else the test driver.
if [ -x "$top_builddir/entca" ]; then
	DRV="$T_TMP/entca-in"
	printf '#!/bin/sh\nd=$1; shift\nENTCA_TEMPLATES=$d exec "%s" "$@"\n' \
	    "$top_builddir/entca" >"$DRV"
	chmod +x "$DRV"
	echo "# using $top_builddir/entca"
else
	DRV="$top_builddir/tests/unit/templates/test_template_tooldrv"
	echo "# using $DRV"
fi
D="$T_TMP/templates"
mkdir -p "$D" && chmod 755 "$D"
F="$D/PKCSIntune.tmpl"

tool() { "$DRV" "$D" template "$@"; }

t_run "duplicate User as \"PKCS Intune\"" tool duplicate User "PKCS Intune"
t_eq "file written with mode 0644" "644" "$(stat -c %a "$F")"
t_match "duplicate says what it wrote" "wrote .*PKCSIntune.tmpl \(template PKCSIntune, duplicated from built-in User\)" "$(cat "$T_TMP/last.out")"
t_fail "duplicate refuses to overwrite" tool duplicate User "PKCS Intune"
t_match "refusal names the file" "template PKCSIntune exists already in PKCSIntune.tmpl" "$(cat "$T_TMP/last.out")"
echo "not a template" >"$D/Webby.tmpl"
t_fail "duplicate never overwrites a file, even a bad one" tool duplicate WebServer "Webby"
t_match "O_EXCL refusal" "Webby.tmpl: File exists \(not overwritten\)" "$(cat "$T_TMP/last.out")"
t_eq "bad file untouched" "not a template" "$(cat "$D/Webby.tmpl")"
rm -f "$D/Webby.tmpl"
t_match "copy keeps User's Domain Users enroll" "^allow = Domain Users : enroll$" "$(cat "$F")"
t_run "the unedited duplicate validates" tool validate "$F"

# The walkthrough's edits, as an administrator would make them.
sed -i \
  -e 's/^compatibility-ca = .*/compatibility-ca = 2008R2/' \
  -e 's/^compatibility-recipient = .*/compatibility-recipient = 2008R2/' \
  -e 's/^schema-version = .*/schema-version = 3/' \
  -e 's/^publish-to-directory = .*/publish-to-directory = no/' \
  -e 's/^subject = .*/subject = supply-in-request/' \
  -e 's/^subject-format = .*/subject-format = none/' \
  -e 's/^subject-email = .*/subject-email = no/' \
  -e 's/^san = .*/san =/' \
  -e 's/^server-key-generation = .*/server-key-generation = yes/' \
  -e '/^allow = Domain Users :/d' "$F"
echo 'allow = INTUNECONN$ : read, enroll' >>"$F"

t_run "edited template validates" tool validate "$F"
t_run "the folder validates" tool validate
t_match "folder count" "1 templates valid" "$(cat "$T_TMP/last.out")"
for kv in "min-key-size = 2048" "allow-private-key-export = yes" \
    "application-policies = efs, secure-email, client-auth" \
    "key-usage = digital-signature, key-encipherment" \
    "sid-extension = yes" 'allow = INTUNECONN\$ : read, enroll'; do
	t_match "walkthrough: $kv" "^$kv\$" "$(cat "$F")"
done
t_fail "Domain Users removed" grep -q "Domain Users" "$F"

# The shipped example is exactly this outcome (same template after parsing).
E="$T_TMP/etc"
mkdir -p "$E" && chmod 755 "$E"
cp "$top_srcdir/etc/templates/PKCSIntune.tmpl" "$E/" && chmod 644 "$E/PKCSIntune.tmpl"
"$DRV" "$D" template show PKCSIntune >"$T_TMP/a.txt"
"$DRV" "$E" template show PKCSIntune >"$T_TMP/b.txt"
t_run "etc/templates/PKCSIntune.tmpl equals duplicate + edits" cmp "$T_TMP/a.txt" "$T_TMP/b.txt"
t_run "etc/templates/PKCSIntune.tmpl lints clean" "$DRV" "$E" template validate

# Lint: each dangerous edit is refused with its rule, then undone.
cp "$F" "$T_TMP/good.tmpl"
echo 'allow = Domain Users : enroll' >>"$F"
t_fail "ESC1 when Domain Users may enroll" tool validate "$F"
t_match "ESC1 message" "template PKCSIntune: ESC1: client authentication \(client-auth\) \+ subject supply-in-request \+ enroll for Domain Users" "$(cat "$T_TMP/last.out")"
sed -i 's/^allow-dangerous =.*/allow-dangerous = esc1/' "$F"
t_run "ESC1 override accepted" tool validate "$F"
cp "$T_TMP/good.tmpl" "$F"
sed -i 's/^sid-extension = .*/sid-extension = no/' "$F"
t_fail "no-sid when the SID extension is off" tool validate "$F"
t_match "no-sid message" "no-sid: sid-extension = no on a client authentication template" "$(cat "$T_TMP/last.out")"
cp "$T_TMP/good.tmpl" "$F"
sed -i 's/^application-policies = .*/application-policies = certificate-request-agent/' "$F"
echo 'allow = S-1-5-11 : enroll' >>"$F"
t_fail "ESC3 for Authenticated Users by SID" tool validate "$F"
t_match "ESC3 message" "ESC3: certificate-request-agent with enroll for S-1-5-11" "$(cat "$T_TMP/last.out")"
cp "$T_TMP/good.tmpl" "$F"
sed -i 's/^application-policies = .*/application-policies = any-purpose/' "$F"
t_fail "ESC2 for any-purpose" tool validate "$F"
t_match "ESC2 message" "ESC2: any-purpose on a template that Domain Admins may enroll in" "$(cat "$T_TMP/last.out")"
cp "$T_TMP/good.tmpl" "$F"
chmod 664 "$F"
t_fail "ESC4 for a group-writable file" tool validate "$F"
t_match "ESC4 message" "ESC4: file .*PKCSIntune.tmpl is writable by group or others \(mode 0664\)" "$(cat "$T_TMP/last.out")"
chmod 644 "$F"
chmod 777 "$D"
t_fail "ESC4 for a world-writable folder" tool validate
t_match "ESC4 folder message" "ESC4: folder .* is writable by group or others \(mode 0777\)" "$(cat "$T_TMP/last.out")"
chmod 755 "$D"
t_run "clean again" tool validate

# Errors name file, line, key and what was expected.
sed -i 's/^min-key-size = .*/min-key-size = 512/' "$F"
L=$(grep -n '^min-key-size' "$F" | cut -d: -f1)
t_fail "bad value refused" tool validate "$F"
t_match "bad value message" "template PKCSIntune.tmpl line $L: min-key-size: expected 1024..16384, got \"512\"" "$(cat "$T_TMP/last.out")"
t_fail "list reports the bad file" tool list
t_match "list names the bad file" "PKCSIntune.tmpl line $L" "$(cat "$T_TMP/last.out")"
cp "$T_TMP/good.tmpl" "$F"
t_run "list" tool list
t_match "list shows the file" "PKCSIntune +PKCS Intune +PKCSIntune.tmpl" "$(cat "$T_TMP/last.out")"
t_match "list shows built-ins" "Machine +Computer +built-in" "$(cat "$T_TMP/last.out")"

# show, usage, duplicate from a file in the folder.
t_run "show a built-in" tool show SubCA
t_match "SubCA is a CA template" "^ca = yes" "$(cat "$T_TMP/last.out")"
t_fail "show unknown" tool show NoSuch
t_match "show unknown message" "template NoSuch: not found" "$(cat "$T_TMP/last.out")"
"$DRV" "$D" template frobnicate >/dev/null 2>&1
t_eq "usage error exits 2" 2 $?
t_run "duplicate a folder template" tool duplicate PKCSIntune "PKCS Intune iOS"
t_match "copy of the file, not the built-in" "duplicated from file PKCSIntune" "$(cat "$T_TMP/last.out")"
t_match "copy has the connector" '^allow = INTUNECONN\$ : read, enroll$' "$(cat "$D/PKCSIntuneiOS.tmpl")"
t_fail "duplicate with a bad display name" tool duplicate User "A/B"

# import-ldif from the AD export fixture.
I="$T_TMP/imported"
mkdir -p "$I" && chmod 755 "$I"
"$DRV" "$I" template import-ldif "$top_srcdir/tests/fixtures/templates/ad-export.ldif" >"$T_TMP/imp.out" 2>&1
t_eq "import exits 1 (dangerous and skipped templates)" 1 $?
t_eq "six files written" 6 "$(ls "$I" | wc -l)"
t_match "skips Legacy512 with a reason" "skipped: ad-export.ldif line [0-9]+ \(CN=Legacy512,.*msPKI-Minimal-Key-Size 512" "$(cat "$T_TMP/imp.out")"
t_match "warns ESC1 on VulnWeb" "warning: template VulnWeb: ESC1" "$(cat "$T_TMP/imp.out")"
t_run "imported PKCSIntune validates" "$DRV" "$I" template validate "$I/PKCSIntune.tmpl"
t_match "imported ACE by SID" '^allow = S-1-5-21-3623811015-3361044348-30300820-1609 : read, enroll$' "$(cat "$I/PKCSIntune.tmpl")"

t_done

#!/bin/sh
# The Debian package (issue 14): `dpkg-buildpackage -us -uc -b` builds an
# installable entca .deb from the distributed sources (make distdir, so a
# file missing from EXTRA_DIST fails here too). The package is unpacked
# into a throwaway root and checked: programs, conffiles, the unit enabled
# but waiting for a CA, the accounts and the state folder made by its
# postinst, the docs. lintian runs on the .deb; its tags are printed (the
# README lists them) and any error fails the test. The build skips the
# suite (DEB_BUILD_OPTIONS=nocheck): this suite is what runs it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/common.sh"

B=$top_builddir
[ -f "$B/Makefile" ] || t_skip_all "no Makefile in $B"
for p in dpkg-buildpackage dh fakeroot dpkg-deb; do
	command -v $p >/dev/null || t_skip_all "$p not installed (apt-get install debhelper fakeroot dpkg-dev)"
done

# The source tree as `make dist` ships it (a make of its own).
mkdir -p "$T_TMP/src"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$B" distdir \
    distdir="$T_TMP/src/entca" >"$T_TMP/distdir.out" 2>&1
t_ok $? "make distdir (the package builds from the distributed files)"
[ -x "$T_TMP/src/entca/debian/rules" ]
t_ok $? "debian/ is in the distribution, debian/rules executable"

(cd "$T_TMP/src/entca" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    DEB_BUILD_OPTIONS="nocheck parallel=${ENTCA_DEB_JOBS:-2}" \
    dpkg-buildpackage -us -uc -b >"$T_TMP/build.out" 2>&1)
rc=$?
t_ok $rc "dpkg-buildpackage -us -uc -b"
[ $rc -eq 0 ] || { tail -30 "$T_TMP/build.out" | sed 's/^/# /'; rm -rf "$T_TMP/src"; t_done; exit 1; }
DEB=$(ls "$T_TMP"/src/entca_*.deb 2>/dev/null | head -1)
# The copied sources quote sanitizer messages (tests/common.sh): remove
# them before the exit trap scans $T_TMP for reports.
rm -rf "$T_TMP/src/entca"
t_match "a .deb was built" "entca_.*\.deb$" "$DEB"

# Contents, unpacked into a throwaway root.
R=$T_TMP/root
dpkg-deb -x "$DEB" "$R"
dpkg-deb -e "$DEB" "$T_TMP/ctl"
for f in /usr/sbin/entcad /usr/bin/entca /etc/entca/entcad.conf \
    /etc/entca/templates/PKCSIntune.tmpl /lib/systemd/system/entcad.service \
    /usr/lib/sysusers.d/entca.conf /usr/lib/tmpfiles.d/entca.conf \
    /usr/share/man/man8/entcad.8.gz /usr/share/man/man8/entca.8.gz \
    /usr/share/man/man5/entcad.conf.5.gz /usr/share/man/man5/entca-template.5.gz \
    /usr/share/doc/entca/copyright /usr/share/doc/entca/examples/entcad.conf; do
	[ -f "$R$f" ]; t_ok $? "package has $f"
done
t_match "entcad --version runs from the package" "^entcad [0-9]" "$("$R/usr/sbin/entcad" --version 2>&1)"
t_match "entca --version runs from the package" "^entca [0-9]" "$("$R/usr/bin/entca" --version 2>&1)"
def=$("$R/usr/sbin/entcad" -h 2>&1 | sed -n 's/.*(default \(.*\))$/\1/p')
t_eq "entcad reads /etc/entca/entcad.conf" "/etc/entca/entcad.conf" "$def"
CONF=$R/etc/entca/entcad.conf
t_match "the packaged config keeps its state in /var/lib/entca" "^state-dir = /var/lib/entca$" "$(cat "$CONF")"
t_match "the packaged config reads /etc/entca/templates" "^templates-dir = /etc/entca/templates$" "$(cat "$CONF")"
conff=$(cat "$T_TMP/ctl/conffiles" 2>/dev/null)
t_match "entcad.conf is a conffile" "^/etc/entca/entcad.conf$" "$conff"
t_match "the sample template is a conffile" "^/etc/entca/templates/PKCSIntune.tmpl$" "$conff"
UNIT=$R/lib/systemd/system/entcad.service
t_match "the unit runs the packaged entcad" "^ExecStart=/usr/sbin/entcad -f -c /etc/entca/entcad.conf$" "$(cat "$UNIT")"
t_match "the unit waits for a CA (no CA, no start)" "^ConditionPathExists=/var/lib/entca/ca.crt$" "$(cat "$UNIT")"
t_match "the unit may write /var/lib/entca" "^ReadWritePaths=/var/lib/entca$" "$(cat "$UNIT")"
POSTINST=$(cat "$T_TMP/ctl/postinst" 2>/dev/null)
t_match "postinst makes the entca account (adduser --system)" '"entca CA daemon" entca$' "$POSTINST"
t_match "postinst makes the entca-signer account (adduser --system)" '"entca CA signing key" entca-signer$' "$POSTINST"
t_match "postinst enables entcad.service" "deb-systemd-helper enable 'entcad.service'|deb-systemd-helper.* enable .*entcad.service" "$POSTINST"
t_match "postinst makes the state folder (tmpfiles or install -d)" "systemd-tmpfiles .*entca.conf|install -d .*/var/lib/entca" "$POSTINST"
t_match "postinst gives entcad.conf to root:entca 0640" "chown root:entca /etc/entca/entcad.conf" "$POSTINST"
t_match "sysusers.d names entca with its home" "^u entca .* /var/lib/entca$" "$(cat "$R/usr/lib/sysusers.d/entca.conf")"
t_match "tmpfiles.d makes /var/lib/entca 0710" "^d /var/lib/entca 0710 entca entca-signer" "$(cat "$R/usr/lib/tmpfiles.d/entca.conf")"

# The unit verifies as installed (binary and man pages from the package).
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T_TMP/unit"
	sed "s|^ExecStart=/usr/sbin/entcad|ExecStart=$R/usr/sbin/entcad|" "$UNIT" >"$T_TMP/unit/entcad.service"
	out=$(MANPATH=$R/usr/share/man systemd-analyze verify "$T_TMP/unit/entcad.service" 2>&1)
	t_eq "systemd-analyze verify the packaged unit" "" "$out"
else
	t_ok 0 "systemd-analyze verify # SKIP systemd-analyze not installed"
fi

# lintian: no errors; warnings and infos are listed for the README.
if command -v lintian >/dev/null; then
	lintian --info --display-info --pedantic --tag-display-limit 0 "$DEB" 2>&1 |
	    grep -v '^running with root privileges' >"$T_TMP/lintian.out"
	echo "# lintian tags: $(grep -c '^[EWIPX]:' "$T_TMP/lintian.out")"
	sed 's/^/# lintian: /' "$T_TMP/lintian.out"
	t_eq "lintian reports no errors" "" "$(grep '^E:' "$T_TMP/lintian.out")"
else
	t_ok 0 "lintian # SKIP lintian not installed"
fi

t_done

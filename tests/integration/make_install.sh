#!/bin/sh
# `make install DESTDIR=...` puts a Debian administrator's files where the
# programs look for them: entcad, entca, the sample entcad.conf and
# templates (copied once, never over an edited copy), the man pages, the
# systemd unit and the sysusers.d / tmpfiles.d snippets. The unit passes
# `systemd-analyze verify` (with the installed man pages) and its
# `systemd-analyze security` exposure score is printed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/common.sh"

B=$top_builddir
[ -f "$B/Makefile" ] || t_skip_all "no Makefile in $B"
command -v make >/dev/null || t_skip_all "make not installed"
D=$T_TMP/root

# A make of its own, not a job of the make running this suite.
minstall() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$B" "$@" DESTDIR="$D" >"$T_TMP/make.out" 2>&1 ||
	    { tail -5 "$T_TMP/make.out" | sed 's/^/# /'; return 1; }
}
minstall install
t_ok $? "make install DESTDIR"

# One file found under DESTDIR by the end of its path.
found() { find "$D" -path "*$1" -type f | head -1; }
for f in /sbin/entcad /bin/entca /etc/entca/entcad.conf \
    /etc/entca/templates/PKCSIntune.tmpl /man/man8/entcad.8 /man/man8/entca.8 \
    /man/man5/entcad.conf.5 /man/man5/entca-template.5 \
    /lib/systemd/system/entcad.service /lib/sysusers.d/entca.conf \
    /lib/tmpfiles.d/entca.conf /examples/entcad.conf; do
	[ -n "$(found "$f")" ]; t_ok $? "installed *$f"
done

ENTCAD=$(found /sbin/entcad)
CONF=$(found /etc/entca/entcad.conf)
TMPL=$(found /etc/entca/templates/PKCSIntune.tmpl)
UNIT=$(found /lib/systemd/system/entcad.service)
# The programs' compiled-in default is the installed config's path.
def=$("$ENTCAD" -h 2>&1 | sed -n 's/.*(default \(.*\))$/\1/p')
t_eq "entcad's default configuration is the installed one" "$D$def" "$CONF"
t_eq "entcad.conf is 0640" 640 "$(stat -c %a "$CONF")"
state=$(sed -n 's/^state-dir = //p' "$CONF")
tdir=$(sed -n 's/^templates-dir = //p' "$CONF")
t_eq "installed config's templates-dir is the installed folder" \
    "$(dirname "$TMPL")" "$D$tdir"
t_match "installed config's state-dir is localstatedir/lib/entca" "/lib/entca$" "$state"
t_match "unit runs the installed entcad in the foreground" \
    "^ExecStart=${ENTCAD#$D} -f -c ${CONF#$D}$" "$(cat "$UNIT")"
t_match "unit may write the installed state-dir" "^ReadWritePaths=$state$" "$(cat "$UNIT")"
t_match "tmpfiles.d makes the same state-dir" "^d $state 0710 entca entca-signer" \
    "$(cat "$(found /lib/tmpfiles.d/entca.conf)")"
t_match "sysusers.d makes entca and entca-signer" "^u entca .*
u entca-signer " "$(cat "$(found /lib/sysusers.d/entca.conf)")"

# A second install keeps what the administrator edited.
echo "# edited by the administrator" >> "$CONF"
echo "# edited template" >> "$TMPL"
minstall install
t_ok $? "second make install"
t_match "second install keeps the edited entcad.conf" "edited by the administrator" "$(cat "$CONF")"
t_match "second install keeps the edited template" "edited template" "$(cat "$TMPL")"
t_match "second install says it kept entcad.conf" "keeping .*entcad.conf" "$(cat "$T_TMP/make.out")"

# systemd: the unit verifies (ExecStart must exist: point it into DESTDIR).
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T_TMP/unit"
	sed "s|^ExecStart=[^ ]*|ExecStart=$ENTCAD|" "$UNIT" > "$T_TMP/unit/entcad.service"
	MAN=$(dirname "$(dirname "$(found /man/man8/entcad.8)")")
	out=$(MANPATH=$MAN systemd-analyze verify "$T_TMP/unit/entcad.service" 2>&1)
	t_eq "systemd-analyze verify entcad.service (man pages resolve)" "" "$out"
	sec=$(systemd-analyze security --offline=yes "$T_TMP/unit/entcad.service" 2>&1)
	if printf '%s' "$sec" | grep -q "Overall exposure level"; then
		score=$(printf '%s\n' "$sec" | sed -n 's/.*Overall exposure level for entcad.service: \([0-9.]*\).*/\1/p')
		echo "# systemd-analyze security exposure: $score"
		t_ok $(awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }'; echo $?) \
		    "exposure score $score is at most 3.0 (README: Running in production)"
	else
		t_ok 0 "systemd-analyze security # SKIP no --offline support"
	fi
else
	t_ok 0 "systemd-analyze verify # SKIP systemd-analyze not installed"
fi

# Uninstall removes what it installed but not an edited configuration.
minstall uninstall
t_ok $? "make uninstall DESTDIR"
t_ok $([ ! -e "$ENTCAD" ] && [ ! -e "$UNIT" ]; echo $?) "uninstall removed entcad and the unit"
t_ok $([ -e "$CONF" ]; echo $?) "uninstall kept the edited entcad.conf"

t_done

#!/bin/sh
# `make distcheck` (issue 14): the tarball configures, builds, installs
# into a fresh prefix, uninstalls cleanly and makes a tarball again. The
# suite is not run a second time inside it (TESTS= check_PROGRAMS=): a
# file missing from the tarball is caught by the build, and by the
# dist-hook that compares the tarball with every file git tracks, which
# this script also checks by removing one file from a copy.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/common.sh"

B=$top_builddir
[ -f "$B/Makefile" ] || t_skip_all "no Makefile in $B"

mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$B" "$@"; }

# The hook itself: a distribution tree without templates/README.md fails.
if [ -e "$top_srcdir/.git" ] && command -v git >/dev/null; then
	mkdir -p "$T_TMP/d"
	mk distdir distdir="$T_TMP/d/entca" >"$T_TMP/distdir.out" 2>&1
	t_ok $? "make distdir"
	rm -f "$T_TMP/d/entca/templates/README.md"
	mk dist-hook distdir="$T_TMP/d/entca" >"$T_TMP/hook.out" 2>&1
	t_ok $([ $? -ne 0 ]; echo $?) "dist-hook fails when a tracked file is missing from the tarball"
	t_match "dist-hook names the missing file" "templates/README.md" "$(cat "$T_TMP/hook.out")"
	# The copy quotes sanitizer messages: not for the exit trap's scan.
	rm -rf "$T_TMP/d"
else
	t_ok 0 "dist-hook # SKIP not a git checkout"
fi

mk distcheck TESTS= check_PROGRAMS= distdir=entca-distcheck-$$ \
    >"$T_TMP/distcheck.out" 2>&1
rc=$?
[ $rc -eq 0 ] || tail -30 "$T_TMP/distcheck.out" | sed 's/^/# /'
t_ok $rc "make distcheck (tarball builds, installs, uninstalls; suite not re-run)"
t_match "distcheck says the archive is ready" "archives ready for distribution" "$(cat "$T_TMP/distcheck.out")"
rm -f "$B"/entca-distcheck-$$.tar.gz
t_done

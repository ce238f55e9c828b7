#!/bin/sh
# tests/layering.sh: the code's layering, checked on every `make check`.
#  1. No .c file calls into a sibling .c (same folder) that calls it back:
#     read from the objects' symbol tables (nm), so macros, static inlines
#     and comments cannot fool it.
#  2. ca/http/ and ca/store/ include only common/ and themselves.
#  3. Only the router (ca/daemon/serve.c) includes ca/est/ or ca/api/;
#     SCEP, a second front end on EST's enrollment pipeline, includes
#     that pipeline's header (ca/est/enroll.h) and nothing else of ca/est/.
#  4. The folder arrows: ca -> {ldap, policy, templates, crl}, ldap ->
#     policy -> templates, everything -> common; common includes nothing of
#     ours.
# Each checker is first run on a small planted violation, so a checker
# that silently finds nothing fails the suite too.
. "$(dirname "$0")/common.sh"

SRCD=$top_srcdir

# is ACTUAL EXPECTED "description": t_eq with the value first, as read here.
is() { t_eq "$3" "$2" "$1"; }
OBJD=$top_builddir

# cycles DIR: print "a <-> b" for sibling objects in DIR that call each other.
cycles() {
	_d=$1
	for o in "$_d"/*.o; do
		[ -f "$o" ] || continue
		b=$(basename "$o" .o)
		nm -g --defined-only "$o" | awk -v f="$b" 'NF == 3 && $2 ~ /^[TDBRC]$/ { print f, $3 }'
	done >"$T_TMP/def"
	for o in "$_d"/*.o; do
		[ -f "$o" ] || continue
		b=$(basename "$o" .o)
		nm -u "$o" | awk -v f="$b" '{ print f, $NF }'
	done >"$T_TMP/und"
	awk 'NR == FNR { def[$2] = $1; next }
	    ($2 in def) && def[$2] != $1 { print $1, def[$2] }' \
	    "$T_TMP/def" "$T_TMP/und" | sort -u >"$T_TMP/edges"
	awk '{ e[$1 " " $2] = 1 }
	    END { for (k in e) { split(k, a, " ");
	        if ((a[2] " " a[1]) in e && a[1] < a[2]) print a[1] " <-> " a[2] } }' \
	    "$T_TMP/edges" | sort
}

# includes FILE...: print "file: header" for every include "..." of ours.
includes() {
	grep -H '^#include "' "$@" 2>/dev/null |
	    sed 's/^\([^:]*\):#include "\([^"]*\)".*/\1: \2/' |
	    grep -v ': config\.h$' || true
}

# only_from FOLDER ALLOWED...: includes in FOLDER outside the allowed prefixes.
only_from() {
	_f=$1; shift
	includes "$SRCD/$_f"/*.c "$SRCD/$_f"/*.h | while read -r file hdr; do
		file=${file%:}; ok=1
		for a in "$@"; do
			case $hdr in "$a"/*) ok=0 ;; esac
		done
		# A folder's own headers are always allowed (with ca/x/ spelled out).
		case $hdr in "$_f"/*) ok=0 ;; esac
		[ $ok -eq 1 ] && echo "${file#"$SRCD"/} $hdr"
	done
	return 0
}

# --- The checkers find planted violations (so an empty result means something).
mkdir -p "$T_TMP/plant/ca/http" "$T_TMP/plant/obj"
printf 'int b(void);\nint a(void) { return b(); }\n' >"$T_TMP/plant/obj/a.c"
printf 'int a(void);\nint b(void) { return 0; }\nint c(void) { return a(); }\n' >"$T_TMP/plant/obj/b.c"
(cd "$T_TMP/plant/obj" && cc -c a.c b.c) 2>/dev/null
is "$(cycles "$T_TMP/plant/obj")" "a <-> b" "the call-back checker finds a planted pair"
printf '#include "common/error.h"\n#include "ldap/directory.h"\n' >"$T_TMP/plant/ca/http/x.c"
is "$(SRCD=$T_TMP/plant only_from ca/http common)" "ca/http/x.c ldap/directory.h" \
    "the include checker finds a planted include"

# --- 1. Sibling call-backs, per source folder of the library.
found=""
for d in common crl ldap policy templates $(cd "$SRCD" && ls -d ca/*/); do
	d=${d%/}
	[ -d "$OBJD/$d" ] || continue
	c=$(cycles "$OBJD/$d")
	[ -n "$c" ] && found="$found$(echo "$c" | sed "s|^|$d: |")
"
done
nobj=$(ls "$OBJD"/common/*.o "$OBJD"/ca/store/*.o 2>/dev/null | wc -l)
t_ok $([ "$nobj" -gt 5 ] && echo 0 || echo 1) "objects to read are built ($nobj in common/ and ca/store/)"
is "$found" "" "no .c file calls a sibling that calls it back"

# --- 2. http/ and store/ stand on common/ only.
is "$(only_from ca/http common)" "" "ca/http includes only common/ and ca/http/"
is "$(only_from ca/store common)" "" "ca/store includes only common/ and ca/store/"

# --- 3. Only the router includes EST and API headers.
bad=$(includes $(cd "$SRCD" && find common crl ldap policy templates ca \
    -name '*.[ch]' ! -path 'ca/est/*' ! -path 'ca/api/*' ! -path 'ca/daemon/serve.c' |
    sed "s|^|$SRCD/|") | grep ': ca/\(est\|api\)/' | sed "s|^$SRCD/||" |
    grep -v '^ca/scep/[^:]*: ca/est/enroll\.h$')
is "$bad" "" "only ca/daemon/serve.c includes ca/est/ or ca/api/ (ca/scep/ the shared pipeline, ca/est/enroll.h)"

# --- 4. The folder arrows.
is "$(only_from common)" "" "common/ includes nothing of ours"
is "$(only_from crl common)" "" "crl/ -> common/"
is "$(only_from templates common)" "" "templates/ -> common/"
is "$(only_from policy templates common)" "" "policy/ -> templates/, common/"
is "$(only_from ldap policy templates common)" "" "ldap/ -> policy/, templates/, common/"
bad=""
for d in $(cd "$SRCD" && ls -d ca/*/); do
	bad="$bad$(only_from "${d%/}" ca ldap policy templates crl common)"
done
is "$bad" "" "ca/ -> ldap/, policy/, templates/, crl/, common/"

t_done

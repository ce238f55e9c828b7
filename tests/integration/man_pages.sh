#!/bin/sh
# The man pages stay true to the code: every key of every entcad.conf
# section (the strcmp(k, "...") lines of each handle_<section> in
# ca/daemon/config.c), every template key (tmpl_key_names in
# templates/template_keys.c) and every entca verb (the strcmp dispatch of
# ca/tool/entca.c, ca/tool/tool_admin.c, ca/tool/tool_template.c) must be documented in
# entcad.conf(5), entca-template(5) and entca(8). A key added without
# documentation fails here. Each page must also format without warnings.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/common.sh"

S=$top_srcdir
M=$S/man

# Section and key pairs: "ca name", "http listen", ...
conf_keys=$(awk '
	/^handle_[a-z]+\(/ { sec = $0; sub(/^handle_/, "", sec); sub(/\(.*/, "", sec) }
	/^}/ { sec = "" }
	sec != "" {
		s = $0
		while (match(s, /strcmp\(k, "[a-z0-9-]+"\)/)) {
			k = substr(s, RSTART + 11, RLENGTH - 13)
			print sec, k
			s = substr(s, RSTART + RLENGTH)
		}
	}' "$S/ca/daemon/config.c" | sort -u)
[ -n "$conf_keys" ]; t_ok $? "config keys found in ca/daemon/config.c"

# The .B key lines of one "[section] SECTION" of entcad.conf.5.
man_section_keys() {
	awk -v want="[$1] SECTION" '
		/^\.SH / { insec = index($0, want) > 0; next }
		insec && /^\.B / { print $2 }' "$M/entcad.conf.5"
}

echo "$conf_keys" | while read -r sec key; do
	if man_section_keys "$sec" | grep -qxF -- "$key"; then echo "ok [$sec] $key"
	else echo "MISSING [$sec] $key"; fi
done > "$T_TMP/conf.out"
missing=$(grep '^MISSING' "$T_TMP/conf.out")
t_eq "entcad.conf(5) documents every key of every section" "" "$missing"
t_ok $(( $(grep -c '^ok' "$T_TMP/conf.out") < 30 )) \
    "at least 30 config keys checked ($(grep -c '^ok' "$T_TMP/conf.out"))"

tmpl_keys=$(sed -n 's/^[[:space:]]*\[TK_[A-Z_]*\] = "\([a-z0-9-]*\)",.*/\1/p' \
    "$S/templates/template_keys.c")
[ "$(echo "$tmpl_keys" | wc -l)" -ge 20 ]; t_ok $? "template keys found in template_keys.c"
missing=""
for k in $tmpl_keys; do
	grep -qxF ".B $k" "$M/entca-template.5" || missing="$missing $k"
done
t_eq "entca-template(5) documents every template key" "" "$missing"

verbs=$(cat "$S/ca/tool/entca.c" "$S/ca/tool/tool_admin.c" "$S/ca/tool/tool_template.c" "$S/ca/tool/tool_api.c" |
    grep -oE 'strcmp\((argv\[[01]\]|cmd|verb), "[a-z][a-z0-9-]*"\)' |
    sed 's/.*"\(.*\)")/\1/' | sort -u)
[ -n "$verbs" ]; t_ok $? "entca verbs found in the dispatch code"
# The page's text without roff font escapes.
text=$(sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' "$M/entca.8")
missing=""
for v in $verbs; do
	printf '%s\n' "$text" | grep -qE "(^|[ .\"])$v([ |\"]|$)" || missing="$missing $v"
done
t_eq "entca(8) documents every verb" "" "$missing"

for p in entcad.8 entca.8 entcad.conf.5 entca-template.5; do
	if command -v groff >/dev/null; then
		w=$(groff -man -Tutf8 -ww -z "$M/$p" 2>&1)
		t_eq "$p formats without warnings" "" "$w"
	else
		t_ok 0 "$p: # SKIP groff not installed"
	fi
done

t_done

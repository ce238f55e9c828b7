#!/bin/bash
# suite.sh: in `make check` when configured with --enable-fuzzing:
# each libFuzzer target runs over its committed seed corpus
# (tests/fuzz/corpus/<target>/, read-only) and then a fixed number of
# mutations (FUZZ_RUNS, default 5000, fixed seed): a number of runs, not
# a time, so the result does not depend on the machine's speed. One TAP
# line per target; a crash, leak or sanitizer report fails it. For longer
# runs see tests/fuzz/run.sh.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/common.sh"
RUNS=${FUZZ_RUNS:-5000}
TARGETS="fuzz_csr fuzz_template fuzz_http_parse fuzz_config fuzz_ldif
fuzz_est_body fuzz_json_body fuzz_dn fuzz_crl_parse fuzz_directory_values"

for t in $TARGETS; do
	bin=$top_builddir/tests/fuzz/$t
	corpus=$top_srcdir/tests/fuzz/corpus/$t
	if [ ! -x "$bin" ]; then
		t_ok 1 "$t: built"
		continue
	fi
	mkdir -p "$T_TMP/$t" "$T_TMP/$t.art"
	if "$bin" -runs="$RUNS" -seed=1 -max_len=8192 -rss_limit_mb=2048 \
	    -artifact_prefix="$T_TMP/$t.art/" "$T_TMP/$t" "$corpus" \
	    >"$T_TMP/$t.log" 2>&1; then
		t_ok 0 "$t: seeds and $RUNS runs, no crash or sanitizer report"
	else
		t_ok 1 "$t: seeds and $RUNS runs, no crash or sanitizer report"
		grep -E -A20 'ERROR|runtime error|deadly signal' "$T_TMP/$t.log" | head -40 | sed 's/^/# /'
	fi
done
t_done

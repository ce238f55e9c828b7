#!/bin/bash
# run.sh: fuzz longer, on demand (not part of make check).
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     from a --enable-fuzzing
#                                               (CC=clang) build directory
# Each target (default: all) runs for SECONDS (default 300) with the
# committed seeds (tests/fuzz/corpus/<target>, read-only) plus a working
# corpus kept between runs in ./fuzz-work/<target>. Crashes and leaks land
# in ./fuzz-work/<target>.artifacts/; the script exits 1 if any target
# found one. To add a finding to the seeds, minimise it and copy it into
# tests/fuzz/corpus/<target>/ with a name that says what it is.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
BUILD=${top_builddir:-$(pwd)}
SECONDS_EACH=${1:-300}
[ $# -gt 0 ] && shift
TARGETS=${*:-fuzz_csr fuzz_template fuzz_http_parse fuzz_config fuzz_ldif fuzz_est_body fuzz_json_body fuzz_dn fuzz_crl_parse fuzz_directory_values}
JOBS=${FUZZ_JOBS:-1}
failed=0
for t in $TARGETS; do
	bin=$BUILD/tests/fuzz/$t
	[ -x "$bin" ] || { echo "run.sh: $bin missing (configure --enable-fuzzing CC=clang)" >&2; exit 2; }
	work=$BUILD/fuzz-work/$t
	mkdir -p "$work" "$work.artifacts"
	echo "== $t: ${SECONDS_EACH}s"
	if "$bin" -max_total_time="$SECONDS_EACH" -max_len=8192 -rss_limit_mb=2048 \
	    -jobs="$JOBS" -workers="$JOBS" -print_final_stats=1 \
	    -artifact_prefix="$work.artifacts/" "$work" "$top_srcdir/tests/fuzz/corpus/$t" \
	    >"$work.log" 2>&1; then
		tail -12 "$work.log" | grep -E 'stat::number_of_executed_units|cov:|DONE' | tail -3
	else
		echo "$t: FOUND something; see $work.log and $work.artifacts/"
		grep -E -A15 'ERROR|runtime error|deadly signal' "$work.log" | head -30
		failed=1
	fi
done
exit $failed

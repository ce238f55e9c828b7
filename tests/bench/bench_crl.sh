#!/bin/sh
# bench_crl.sh: benchmark of crl/'s streaming CRL encoder against
# `openssl ca -gencrl`, on demand only (never part of `make check`).
#
# For each size (default 10,000, 100,000 and 1,000,000 revoked entries) it
# builds and signs a CRL with an RSA-2048 key through tests/bench/bench_crl
# and then has openssl ca generate a CRL from an index.txt holding the same
# revoked serials. It prints wall time, peak RSS and CRL size for both, the
# ratio peak memory / CRL size, and the entca/openssl ratios; each entca
# CRL is verified with `openssl crl -CAfile`.
#
# Usage: tests/bench/bench_crl.sh  (from the build directory, or with
# top_builddir set). SIZES="..." and OSSL_SIZES="..." override the sizes;
# OSSL_TIMEOUT (default 540 s) bounds each openssl run.
set -eu

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
BENCH=$top_builddir/tests/bench/bench_crl
SIZES=${SIZES:-"10000 100000 1000000"}
OSSL_SIZES=${OSSL_SIZES-$SIZES}
OSSL_TIMEOUT=${OSSL_TIMEOUT:-540}
PY=/usr/bin/python3

if [ ! -x "$BENCH" ]; then
	make -C "$top_builddir" tests/bench/bench_crl >/dev/null
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/entca-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W"

echo "# machine: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(openssl version)"

openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
	-days 30 -subj "/DC=org/DC=example/CN=entca Bench CA" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

cat >ca.cnf <<'CNF'
[ca]
default_ca = CA_default
[CA_default]
dir = .
database = $dir/index.txt
crlnumber = $dir/crlnumber
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
default_crl_days = 7
crl_extensions = crl_ext
unique_subject = no
[crl_ext]
authorityKeyIdentifier = keyid:always
CNF

# index.txt with the same serials, dates and reasons as bench_crl generates
# (bench_crl also puts an invalidity date on one entry in ten; openssl ca
# has no equivalent, so its CRL is slightly smaller).
cat >genindex.py <<'PYEOF'
import sys, time
n = int(sys.argv[1]); now = int(time.time())
M = (1 << 64) - 1
def mix(z):
    z = (z + 0x9e3779b97f4a7c15) & M
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
    return z ^ (z >> 31)
reasons = ["", ",keyCompromise", ",superseded", ",cessationOfOperation"]
exp = time.strftime("%y%m%d%H%M%SZ", time.gmtime(now + 365 * 86400))
out, lines = sys.stdout, []
for i in range(1, n + 1):
    hi = mix(i)
    if hi >> 56 == 0:
        hi |= 1 << 56
    rv = time.strftime("%y%m%d%H%M%SZ", time.gmtime(now - i % (365 * 86400)))
    lines.append("R\t%s\t%s%s\t%016X%016X\tunknown\t/CN=leaf%d\n"
                 % (exp, rv, reasons[i % 4], hi, i, i))
    if len(lines) >= 100000:
        out.write("".join(lines)); lines = []
out.write("".join(lines))
PYEOF

# run_timed OUTFILE cmd...: run under /usr/bin/time (peak RSS) and a
# nanosecond clock; writes "wall_s maxrss_kb" to OUTFILE.
run_timed() {
	_o=$1; shift
	_t0=$(date +%s%N)
	/usr/bin/time -f "%M" -o "$_o.rss" "$@" || return $?
	_t1=$(date +%s%N)
	echo "$(( (_t1 - _t0) / 1000000 )) $(tail -1 "$_o.rss")" |
		awk '{ printf("%.3f %d\n", $1 / 1000, $2) }' >"$_o"
}

echo "| entries | entca build s | entca process s | entca peak RSS MB | entca CRL MB | peak RSS / CRL | build growth / CRL | openssl ca s | openssl peak RSS MB | openssl CRL MB | time entca/openssl | memory entca/openssl |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in $SIZES; do
	run_timed t.entca "$BENCH" --count "$n" --key ca.key --ca ca.pem \
		--out entca.der >entca.out
	e_s=$(awk '{print $1}' t.entca); e_kb=$(awk '{print $2}' t.entca)
	e_bytes=$(sed 's/.*crl_bytes=\([0-9]*\).*/\1/' entca.out)
	e_build=$(sed 's/.*build_s=\([0-9.]*\).*/\1/' entca.out)
	e_delta=$(sed 's/.*delta_over_crl=\([0-9.]*\).*/\1/' entca.out)
	v=$(openssl crl -inform DER -in entca.der -CAfile ca.pem -noout 2>&1 || true)
	case $v in *"verify OK"*) ok=verified ;; *) ok="NOT VERIFIED: $v" ;; esac
	echo "# entca $n: $(cat entca.out) process_s=$e_s process_peak_kb=$e_kb; openssl crl -CAfile: $ok" >&2
	o_s=-; o_kb=-; o_bytes=-
	case " $OSSL_SIZES " in *" $n "*)
		$PY genindex.py "$n" >index.txt
		echo 1000 >crlnumber
		if run_timed t.ossl timeout "$OSSL_TIMEOUT" openssl ca -config ca.cnf \
			-gencrl -out ossl.pem >/dev/null 2>ossl.err; then
			o_s=$(awk '{print $1}' t.ossl); o_kb=$(awk '{print $2}' t.ossl)
			o_bytes=$(openssl crl -in ossl.pem -outform DER | wc -c)
		else
			o_s=">$OSSL_TIMEOUT"
		fi
		rm -f index.txt index.txt.old ossl.pem
		;;
	esac
	awk -v n="$n" -v es="$e_s" -v eb="$e_build" -v ek="$e_kb" \
		-v eB="$e_bytes" -v ed="$e_delta" -v os="$o_s" -v ok="$o_kb" \
		-v oB="$o_bytes" 'BEGIN {
		e = sprintf("%s | %.3f | %.3f | %.1f | %.1f | %.2f | %.2f", n, eb, es,
		    ek / 1024, eB / 1048576, ek * 1024 / eB, ed);
		if (ok == "-" || os ~ />/)
			o = sprintf("%s | - | - | - | -", os);
		else
			o = sprintf("%.3f | %.1f | %.1f | %.3f | %.2f", os, ok / 1024,
			    oB / 1048576, es / os, ek / ok);
		printf("| %s | %s |\n", e, o) }'
	rm -f entca.der entca.out
done

# The largest size once more, signed through an ext4 external key whose
# callbacks forward to the key (how entcad's workers reach the signer).
n=${SIZES##* }
run_timed t.ext "$BENCH" --count "$n" --key ca.key --ca ca.pem --ext \
	--out entca.der >entca.out
v=$(openssl crl -inform DER -in entca.der -CAfile ca.pem -noout 2>&1 || true)
echo "# entca $n via ext4 key: $(cat entca.out) process_s=$(awk '{print $1}' t.ext) process_peak_kb=$(awk '{print $2}' t.ext); openssl crl -CAfile: $(echo "$v" | head -1)"

#!/bin/bash
# Issue 11 item 4: a full disk is a clear error that heals when space
# returns (disk_full_health_503_then_heals). entcad's store lives on a
# small tmpfs; a filler file takes the rest; enrollments then fail with a
# sentence saying the disk is full, /health turns 503 naming the store,
# and once the filler is gone the next enrollment succeeds and /health is
# 200 again, without a restart. Needs root (mount); skipped otherwise.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib_demo.sh"

[ "$(id -u)" -eq 0 ] || t_skip_all "needs root to mount a tmpfs"
demo_test_setup
DB=$D/demo/ca/db
mkdir -p "$DB" "$D/db.before"
cp -a "$DB/." "$D/db.before/"
mount -t tmpfs -o size=4m,mode=0700 entca-test "$DB" 2>/dev/null ||
    t_skip_all "cannot mount a tmpfs here"
T_MOUNTS="$DB"
cp -a "$D/db.before/." "$DB/"
demo_test_start

# enroll N: a fresh CSR each time; status in $code, body in $D/out.
enroll() {
	$CSR make "$D/k$1.key" "$D/c$1.b64" "CN=alice $1,O=Demo" --upn alice@demo.example
	est_post "$CONN" PKCSIntune/simpleenroll "$D/c$1.b64"
}

enroll 0
t_eq "space left: enrollment 200" 200 "$code"
wait_health 200 '"problems":\[\]'
t_eq "space left: /health 200" 200 "$code"

# Take the rest of the tmpfs; LMDB may still reuse free pages of its file
# for a few writes, so enroll until one needs new space (bounded).
dd if=/dev/zero of="$DB/filler" bs=4k 2>/dev/null
failed=""
for i in $(seq 1 60); do
	enroll "$i"
	[ "$code" != 200 ] && { failed=$code; break; }
done
t_match "disk full: an enrollment fails (5xx)" '^5[0-9][0-9]$' "$failed"
t_match "disk full: the log says the disk is full" \
    'the disk is full \(No space left on device\); writes resume once space is freed' \
    "$(cat "$D/demo/entcad.log")"
health
t_eq "disk_full_health_503_then_heals: /health 503" 503 "$code"
t_match "disk_full_health_503_then_heals: the reason names the store and the full disk" \
    '"component":"store","reason":"store [^"]*: the disk is full' "$body"

rm -f "$DB/filler"
enroll 100
t_eq "space back: the next enrollment succeeds without a restart" 200 "$code"
wait_health 200 '"problems":\[\]'
t_eq "disk_full_health_503_then_heals: /health 200 again" 200 "$code"
t_done

#!/bin/sh
# slapd-stop.sh STATE_DIR [--keep]: stop the slapd that slapd-start.sh
# started in STATE_DIR and wait until it is gone. Removes STATE_DIR unless
# --keep is given (then slapd-start.sh STATE_DIR restarts it with its data).
set -eu

[ $# -ge 1 ] || { echo "usage: $0 STATE_DIR [--keep]" >&2; exit 2; }
state=$1
if [ -s "$state/slapd.pid" ]; then
	pid=$(cat "$state/slapd.pid")
	if kill "$pid" 2>/dev/null; then
		i=0
		# A zombie counts as gone: PID 1 in a container may not reap it.
		while [ $i -lt 100 ] && [ -r "/proc/$pid/stat" ] &&
		    [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
			i=$((i + 1))
			sleep 0.05
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$state/slapd.pid"
fi
if [ "${2:-}" != "--keep" ] && [ -f "$state/ports" ]; then
	rm -rf "$state"
fi

#!/bin/sh
# Copyright (c) 2026 The sws authors
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.

# Where the relay spends its time under one swsbench load: starts a relay
# of its own (bench/lib.sh), runs swsbench with the arguments given,
# records the relay process (or cryptod) with perf after a warm-up, and
# writes the report to obj/bench/NAME.profile.txt.
#
#   sh bench/profile.sh NAME SWSBENCH-ARGS...
#   sh bench/profile.sh pairs-json-64 -n 1000 -w 16 pairs
#   PROFILE_PROC=cryptod sh bench/profile.sh register -c 64 register
#
# Environment: PROFILE_SECS (seconds recorded, default 4), PROFILE_PROC
# ("relayd: relay" or "cryptod").  perf comes from the linux-perf
# package; call graphs use DWARF unwinding (the daemon is built without
# frame pointers).
set -u
cd "$(dirname "$0")/.." || exit 1
[ $# -ge 2 ] || { echo "usage: $0 NAME SWSBENCH-ARGS..." >&2; exit 2; }
if ! command -v perf >/dev/null 2>&1; then
	echo "bench: perf not found (apt-get install -y linux-perf)" >&2
	exit 1
fi
. bench/lib.sh
name=$1
shift
secs=${PROFILE_SECS:-4}
proc=${PROFILE_PROC:-relayd: relay}
data=$out/$name.perf.data
rm -f "$data" "$data.old"
report=$out/$name.profile.txt

trap 'relay_stop; exit 1' INT TERM HUP
: >>"$out/relayd.log"
relay_start
pid=$(relay_child "$proc")
if [ -z "$pid" ]; then
	echo "bench: no process \"$proc\" under the relay" >&2
	relay_stop
	exit 1
fi
timeout 120 "$bin" -u "ws://127.0.0.1:$port/" -k "$(cat "$out/server.pub")" \
    -W 2 -t $((secs + 2)) "$@" >"$out/$name.profile.json" &
gen=$!
# registration and warm-up first, then the record
sleep 3
perf record -q --call-graph dwarf,16384 -F 499 -p "$pid" -o "$data" \
    -- sleep "$secs" 2>/dev/null
wait "$gen"
relay_stop
{
	echo "# swsbench $*"
	echo "# process: $proc; $secs s recorded"
	echo "# inclusive (children) view, 1.5% and up"
	perf report -i "$data" --children --percent-limit 1.5 --stdio \
	    -g none 2>/dev/null | grep -v '^#' | grep -v '^$'
	echo
	echo "# self view, 1% and up"
	perf report -i "$data" --no-children --percent-limit 1 --stdio \
	    -g none --sort dso,symbol 2>/dev/null | grep -v '^#' |
	    grep -v '^$'
} >"$report"
echo "bench: profile in $report" >&2

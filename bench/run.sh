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

# make bench: the standard benchmark set of docs/BENCHMARKS.md.
#
# Starts relays of its own on free loopback ports with a configuration
# made for load (limits out of the way), runs swsbench once per line of
# the set below (and swsfloor, the same open-loop traffic with no relay),
# keeps each JSON report in obj/bench/, writes the table
# obj/bench/results.md with the budget verdicts, and stops the relays.
# About four minutes in all; every run is bounded by its -t and by
# timeout(1).
#
#   sh bench/run.sh [NAME ...]     run only the named lines (e.g. idle)
#
# Environment: BENCH_SECS (seconds per measured run, default 10),
# SWSBENCH (the binary, default obj/bench/swsbench).
set -u
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
secs=${BENCH_SECS:-10}
only="$*"

trap 'relay_stop; exit 1' INT TERM HUP

want() {
	[ -z "$only" ] && return 0
	for w in "$@"; do
		case " $only " in *" $w "*) return 0 ;; esac
	done
	return 1
}

# run NAME [swsfloor] ARGS...: one line of the set (swsbench against the
# relay, or swsfloor on its own), JSON in $out/NAME.json
run() {
	name=$1
	shift
	want "$name" || return 0
	case $1 in
	swsfloor) cmd="$*" ;;
	*) cmd="swsbench $*" ;;
	esac
	echo "bench: $name: $cmd" >&2
	echo "$cmd" >"$out/$name.cmd"
	if [ "$1" = swsfloor ]; then
		shift
		timeout 120 "$floorbin" "$@" >"$out/$name.json.new" \
		    2>"$out/$name.err"
	else
		timeout 120 "$bin" -u "ws://127.0.0.1:$port/" \
		    -k "$(cat "$out/server.pub")" "$@" >"$out/$name.json.new" \
		    2>"$out/$name.err"
	fi
	rc=$?
	cat "$out/$name.err" >&2
	if [ $rc = 0 ]; then
		mv "$out/$name.json.new" "$out/$name.json"
	else
		echo "bench: $name failed ($rc)" >&2
		rm -f "$out/$name.json.new" "$out/$name.json"
	fi
}

: >"$out/relayd.log"
[ -z "$only" ] && rm -f "$out"/*.json "$out"/*.cmd "$out"/*.err
{
	uname -srm
	nproc
	cat /proc/loadavg
	git describe --always --dirty 2>/dev/null || echo unknown
	date -u +%Y-%m-%dT%H:%MZ
} >"$out/machine.txt"

# Memory first, on a relay that has not served anything yet: a heap that
# grew for earlier runs would hide what idle connections cost.
if want idle; then
	relay_start
	run idle -n 15000 -t 60 -c 256 idle
	relay_stop
fi

if want pairs-json-64 pairs-rate-100k pairs-rate-100k-n1000 \
    pairs-msgpack-64 pairs-json-1k register fanout; then
	relay_start
	run pairs-json-64 -n 1000 -w 16 -s 64 -t "$secs" pairs
	run pairs-rate-100k -n 30 -r 100000 -s 64 -t "$secs" pairs
	run pairs-rate-100k-n1000 -n 1000 -r 100000 -s 64 -t "$secs" pairs
	run pairs-msgpack-64 -m -n 1000 -w 16 -s 64 -t "$secs" pairs
	run pairs-json-1k -n 1000 -w 16 -s 1024 -t "$secs" pairs
	run register -c 64 -t "$secs" register
	run fanout -R 10 -M 100 -w 16 -s 64 -t "$secs" fanout
	relay_stop
fi

# A one-address registration flood (swsbench register from 127.0.0.1)
# beside a client registering steadily from 127.0.0.2, the victim: its
# latency with the default admission limits and with them off.
flood() {
	name=$1
	want "$name" || return 0
	relay_start "$2"
	echo "bench: $name: swsbench -c 64 register, victim from 127.0.0.2" >&2
	timeout 120 $PY bench/victim.py "ws://127.0.0.1:$port/" \
	    "$(cat "$out/server.pub")" 127.0.0.2 "$secs" \
	    >"$out/$name-victim.json" 2>"$out/$name-victim.err" &
	vpid=$!
	run "$name" -c 64 -t "$secs" -W 0 register
	wait "$vpid" || echo "bench: $name: the victim failed" >&2
	cat "$out/$name-victim.err" >&2
	relay_stop
}
flood flood-admission admission
flood flood-open open

# The same open-loop traffic without the relay: the kernel's floor.
run floor-100k swsfloor -n 30 -r 100000 -t "$secs"
run floor-100k-n1000 swsfloor -n 1000 -r 100000 -t "$secs"

$PY bench/report.py "$out" >"$out/results.md" || exit 1
cat "$out/results.md"

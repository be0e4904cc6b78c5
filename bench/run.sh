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
# made for load (limits out of the way), a fresh relay for each line of
# the set below, and runs swsbench once per line (and swsfloor, the same
# open-loop traffic with no relay). When the uWebSockets peer relay can
# be built (bench/peer.sh: UWS_PEER and its sources), each swsbench line
# runs against it as well, right after relayd's, as uws-NAME. Then the
# open-loop sweep: relayd, the peer and swsfloor at each rate of
# SWEEP_RATES and number of pairs of SWEEP_PAIRS. Keeps each JSON report
# in obj/bench/, writes the table obj/bench/results.md with the budget
# verdicts and the plot obj/bench/sweep.svg (bench/plot.py), and stops
# the relays. About ten minutes in all; every run is bounded by its -t
# and by timeout(1).
#
#   sh bench/run.sh [NAME ...]     run only the named lines (e.g. idle)
#
# A NAME is a line (relayd's and, when it is built, the peer's), uws-NAME
# (the peer's alone), uws (every line that has both), sweep (the whole
# sweep) or one point of it (sweep-relayd-n30-r25000, sweep-uws-...,
# sweep-floor-...).
#
# Environment: BENCH_SECS (seconds per measured run, default 10),
# SWEEP_SECS (per sweep point, default half of BENCH_SECS, at least 2),
# SWEEP_RATES (default 25000 50000 100000 150000 msg/s), SWEEP_PAIRS
# (default 30 1000), SWSBENCH (the binary, default obj/bench/swsbench),
# BENCH_OUT (the directory of the reports, default obj/bench); UWS_PEER,
# UWS_SRC, UWS_GIT, USOCKETS_GIT as bench/peer.sh reads them.
set -u
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
secs=${BENCH_SECS:-10}
ssecs=${SWEEP_SECS:-$((secs / 2))}
[ "$ssecs" -ge 2 ] || ssecs=2
sweep_rates=${SWEEP_RATES:-25000 50000 100000 150000}
sweep_pairs=${SWEEP_PAIRS:-30 1000}
only="$*"

trap 'relay_stop; peer_stop; exit 1' INT TERM HUP

want() {
	[ -z "$only" ] && return 0
	for w in "$@"; do
		case " $only " in *" $w "*) return 0 ;; esac
	done
	return 1
}

# run NAME [swsfloor] ARGS...: one line of the set (swsbench against the
# relay on $port with key $pub, and -P $peer_pid for the peer, or
# swsfloor on its own), JSON in $out/NAME.json
run() {
	name=$1
	shift
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
		set -- -u "ws://127.0.0.1:$port/" -k "$pub" "$@"
		[ -n "$peer_pid" ] && set -- -P "$peer_pid" "$@"
		timeout 120 "$bin" "$@" >"$out/$name.json.new" \
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

# peer_ready: 0 when the peer relay is built (bench/peer.sh, once per
# run); otherwise why not is said once and kept in $out/uws.status.
peer_state=
peer_ready() {
	case $peer_state in
	ok) return 0 ;;
	no) return 1 ;;
	esac
	peer_state=no
	peer_bin=$(sh bench/peer.sh 2>"$out/uws.build")
	rc=$?
	case $rc in
	0)
		peer_state=ok
		grep '^bench: uws peer:' "$out/uws.build" | tail -n 1 \
		    >"$out/uws.status"
		return 0
		;;
	77)
		grep '^bench: uws peer skipped' "$out/uws.build" | tail -n 1 \
		    >"$out/uws.status"
		;;
	*)
		echo "bench: uws peer skipped: it did not build ($rc), see" \
		    "$out/uws.build" >"$out/uws.status"
		cat "$out/uws.build" >&2
		;;
	esac
	cat "$out/uws.status" >&2
	return 1
}

# line NAME ARGS...: swsbench ARGS against a fresh relayd as NAME, then
# against a fresh peer relay as uws-NAME ("uws" selects both, and
# relayd's only when the peer is there to run beside it)
line() {
	lname=$1
	shift
	if want "$lname" || { want uws && peer_ready; }; then
		relay_start
		run "$lname" "$@"
		relay_stop
	fi
	if want "$lname" uws "uws-$lname" && peer_ready; then
		if peer_start; then
			run "uws-$lname" "$@"
			peer_stop
		else
			echo "bench: uws-$lname not run" >&2
		fi
	fi
}

: >"$out/relayd.log"
: >"$out/uws.log"
[ -z "$only" ] && rm -f "$out"/*.json "$out"/*.cmd "$out"/*.err \
    "$out/uws.status" "$out/sweep.svg" "$out/sweep.gp"
{
	uname -srm
	nproc
	cat /proc/loadavg
	git describe --always --dirty 2>/dev/null || echo unknown
	date -u +%Y-%m-%dT%H:%MZ
} >"$out/machine.txt"

# Memory first, on a relay that has not served anything yet (as every
# line's relay is: each line starts one of its own).
line idle -n 15000 -t 60 -c 256 idle

line pairs-json-64 -n 1000 -w 16 -s 64 -t "$secs" pairs
line pairs-json-64-n100 -n 100 -w 16 -s 64 -t "$secs" pairs
line pairs-rate-100k -n 30 -r 100000 -s 64 -t "$secs" pairs
line pairs-rate-100k-n1000 -n 1000 -r 100000 -s 64 -t "$secs" pairs
line pairs-msgpack-64 -m -n 1000 -w 16 -s 64 -t "$secs" pairs
line pairs-json-1k -n 1000 -w 16 -s 1024 -t "$secs" pairs
line register -c 64 -t "$secs" register
line fanout -R 10 -M 100 -w 16 -s 64 -t "$secs" fanout

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
want floor-100k && run floor-100k swsfloor -n 30 -r 100000 -t "$secs"
want floor-100k-n1000 &&
    run floor-100k-n1000 swsfloor -n 1000 -r 100000 -t "$secs"

# The open-loop sweep: at each number of pairs and rate, relayd, the peer
# and swsfloor one after the other, SWEEP_SECS each, a fresh process
# each; p50 and p99 against the rate show where each curve bends.
for n in $sweep_pairs; do
	for r in $sweep_rates; do
		p=n$n-r$r
		a="-n $n -r $r -s 64 -t $ssecs"
		if want sweep "sweep-relayd-$p"; then
			relay_start
			run "sweep-relayd-$p" $a pairs
			relay_stop
		fi
		if want sweep "sweep-uws-$p" && peer_ready; then
			if peer_start; then
				run "sweep-uws-$p" $a pairs
				peer_stop
			else
				echo "bench: sweep-uws-$p not run" >&2
			fi
		fi
		want sweep "sweep-floor-$p" &&
		    run "sweep-floor-$p" swsfloor -n "$n" -r "$r" -t "$ssecs"
	done
done

$PY bench/report.py "$out" >"$out/results.md" || exit 1
$PY bench/plot.py "$out" || exit 1
cat "$out/results.md"

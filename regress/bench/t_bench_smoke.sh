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

# Smoke test of swsbench (bench/): every mode runs for about two seconds
# against a relay started by the harness, and each JSON report must parse
# and hold sane, non-zero numbers that agree with each other.  Functional
# only: no number is compared with a budget, so a slow or busy machine
# passes.  Also: a target that is not loopback is refused before any
# connection, a body above the relay's maxBody is refused, and messages a
# relay with a tight rate limit drops without a word are reported.  And
# swsfloor (bench/floor.c) runs on its own, delivers every message to
# its partner and reports sane numbers.  And over wss://, against the
# harness's TLS listener: pairs and registrations, and a certificate
# the given CA did not sign is refused.  And the pieces of make bench
# around the runs: the uWebSockets peer relay's build (bench/peer.sh)
# and its lines skip, saying why, when the peer or its sources are
# missing; the report (bench/report.py) sets a peer line beside relayd's
# and tables a sweep; bench/plot.py plots the sweep (reports of this
# test's own short runs) as SVG.
cd "$(dirname "$0")/../.." || exit 1
top=$(pwd)
bin=$top/obj/bench/swsbench
PY=/usr/bin/python3

bench() {
	name=$1
	shift
	timeout 60 "$bin" "$@" >"$tmp/$name.json" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.rc"
}

# Inside a harness run: SWS_URL and SWS_SERVER_KEY name its relay.
if [ "${1:-}" = "--inner" ]; then
	tmp=$2
	case $3 in
	main)
		bench pairs -n 20 -w 8 -t 2 pairs
		bench pairs-msgpack -m -n 20 -w 8 -s 200 -t 2 pairs
		bench pairs-rate -n 20 -r 2000 -t 2 pairs
		bench register -c 8 -t 2 register
		bench idle -n 300 -t 30 idle
		bench fanout -R 2 -M 5 -w 4 -t 2 fanout
		bench toobig -n 1 -s 200000 -t 1 pairs
		bench remote -u ws://192.0.2.1:80/ -t 1 pairs
		bench remote6 -u "ws://[2001:db8::1]:80/" -t 1 pairs
		;;
	tight)
		# SENDs over the rate limit vanish; the loop must say so
		bench tight -n 2 -w 16 -t 1 pairs
		;;
	tls)
		# wss://: verified against the harness's own certificate
		bench pairs-tls -C "$NODE_EXTRA_CA_CERTS" -n 20 -w 8 -t 2 \
		    pairs
		bench register-tls -C "$NODE_EXTRA_CA_CERTS" -c 8 -t 2 \
		    register
		# a CA that did not sign it: refused, and said why
		bench tls-badca -C /etc/ssl/certs/ca-certificates.crt -n 1 \
		    -t 1 pairs
		;;
	esac
	exit 0
fi

[ -x "$bin" ] && [ -x relayd/relayd ] && [ -x cryptod/cryptod ] || exit 77
tmp=$(mktemp -d /tmp/t_bench_smoke.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
$PY regress/lib/swstest.py run \
    --conf "max connections per address 4000" \
    --conf "handshake rate off" --conf "registration rate off" \
    --conf "rate limit 1000000 per second burst 1000000" \
    -- sh "$0" --inner "$tmp" main
$PY regress/lib/swstest.py run \
    --conf "rate limit 100 per second burst 100" \
    -- sh "$0" --inner "$tmp" tight
SWS_TLS=1 $PY regress/lib/swstest.py run \
    --conf "max connections per address 4000" \
    --conf "handshake rate off" --conf "registration rate off" \
    --conf "rate limit 1000000 per second burst 1000000" \
    -- sh "$0" --inner "$tmp" tls

# swsfloor needs no relay: the same open-loop traffic through a forwarder
timeout 60 "$top/obj/bench/swsfloor" -n 5 -r 2000 -t 1 -W 0.5 \
    >"$tmp/floor.json" 2>"$tmp/floor.err"
echo $? >"$tmp/floor.rc"
timeout 10 "$top/obj/bench/swsfloor" -n 0 >/dev/null 2>"$tmp/floor-bad.err"
echo $? >"$tmp/floor-bad.rc"

# The peer relay: skipped, with the reason, when there is no peer
# directory, no sources in UWS_SRC, or no commit in the git directories
# (nothing is fetched, nothing built).
peer() {
	name=$1
	shift
	env -u UWS_PEER -u UWS_SRC -u UWS_GIT -u USOCKETS_GIT "$@" \
	    timeout 60 sh bench/peer.sh >"$tmp/$name.json" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.rc"
}
mkdir -p "$tmp/fakepeer"
: >"$tmp/fakepeer/relay.cpp"
: >"$tmp/fakepeer/Makefile"
: >"$tmp/fakepeer/setup.sh"
peer peer-none
peer peer-empty UWS_PEER=/
peer peer-nosrc UWS_PEER="$tmp/fakepeer" UWS_SRC="$tmp/nosrc"
peer peer-nogit UWS_PEER="$tmp/fakepeer" UWS_GIT="$tmp/nogit" \
    USOCKETS_GIT="$tmp/nogit"
# make bench's peer line with no peer: skipped, the rest of the run goes
# on and the report says why
env -u UWS_SRC -u UWS_GIT -u USOCKETS_GIT UWS_PEER= BENCH_OUT="$tmp/run" \
    timeout 60 sh bench/run.sh uws-fanout >"$tmp/run.out" 2>"$tmp/run.err"
echo $? >"$tmp/run.rc"

$PY - "$tmp" "$(id -u)" <<'CHECK'
import json, os, shutil, subprocess, sys

d, uid = sys.argv[1], int(sys.argv[2])
root = uid == 0
failed = 0

def ok(cond, desc, diag=None):
	global failed
	if cond:
		print("ok - %s" % desc)
	else:
		failed += 1
		print("not ok - %s" % desc)
		if diag:
			for l in str(diag).splitlines()[-15:]:
				print("#   %s" % l)

def read(name):
	try:
		rc = int(open(os.path.join(d, name + ".rc")).read())
		err = open(os.path.join(d, name + ".err")).read()
	except (OSError, ValueError) as e:
		return -1, None, "not run: %s" % e
	try:
		r = json.load(open(os.path.join(d, name + ".json")))
	except (OSError, ValueError) as e:
		r = None
		err += "\nJSON: %s" % e
	return rc, r, err

def report(name, mode):
	rc, r, err = read(name)
	good = rc == 0 and isinstance(r, dict) and r.get("mode") == mode
	ok(good, "%s: exits 0 with one JSON object of mode %s" % (name, mode),
	    "exit %d\n%s" % (rc, err))
	if good:
		ok(err.count("\n") == 1 and len(err) > 20,
		    "%s: one summary line on stderr" % name, err)
	return r if good else None

def lat_sane(name, r, n_expect=None):
	l = r.get("latency_us") or {}
	q = [l.get(k) for k in ("p50", "p90", "p99", "p999", "max")]
	good = l.get("samples", 0) > 0 and all(
	    isinstance(v, (int, float)) and v > 0 for v in q) and \
	    q == sorted(q)
	ok(good, "%s: latency percentiles positive and ordered" % name, l)
	if n_expect is not None:
		ok(l.get("samples") == n_expect,
		    "%s: one latency sample per arrival" % name,
		    "%r vs %r" % (l.get("samples"), n_expect))

def no_trouble(name, r):
	ok(r.get("closed_by_relay") == 0 and r.get("connect_failures") == 0
	    and r.get("errors") == {},
	    "%s: no connection lost, no error" % name,
	    json.dumps({k: r.get(k) for k in ("closed_by_relay",
	    "connect_failures", "errors")}))
	if root:
		rel = r.get("relay") or {}
		ok(isinstance(rel.get("pid"), int) and rel["pid"] > 0,
		    "%s: the relay process was found" % name, rel)

for name, body in (("pairs", 64), ("pairs-msgpack", 200)):
	r = report(name, "pairs")
	if r is None:
		continue
	m = r["messages"]
	ok(m > 0 and r["msgs_per_sec"] > 0,
	    "%s: messages relayed" % name, r)
	ok(r["sent"] > 0 and m <= r["sent"] + 2 * 20 * 8,
	    "%s: no more arrivals than messages in flight allow" % name)
	ok(r["wrong_sender"] == 0, "%s: every MESSAGE from the partner" %
	    name)
	ok(r.get("dropped") == 0, "%s: nothing dropped" % name,
	    r.get("dropped"))
	mb = m * body / r["duration_s"] / 1e6
	ok(abs(r["body_mb_per_sec"] - mb) <= 0.01 + mb * 0.01,
	    "%s: MB/s is messages x %d B / time" % (name, body),
	    "%r vs %r" % (r["body_mb_per_sec"], mb))
	lat_sane(name, r, m)
	no_trouble(name, r)

r = report("pairs-tls", "pairs")
if r is not None:
	ok(r["messages"] > 0 and r["wrong_sender"] == 0,
	    "pairs-tls: messages relayed over wss://", r)
	lat_sane("pairs-tls", r, r["messages"])
	no_trouble("pairs-tls", r)
r = report("register-tls", "register")
if r is not None:
	ok(r["registrations"] > 0 and r["register_failures"] == 0,
	    "register-tls: registrations over wss://, a TLS handshake each", r)
	no_trouble("register-tls", r)
rc, r, err = read("tls-badca")
ok(rc != 0 and "certificate not verified" in err,
    "tls-badca: a relay certificate the CA did not sign is refused, "
    "and said so", "exit %d\n%s" % (rc, err))

r = report("pairs-rate", "pairs")
if r is not None:
	ok(r.get("offered_per_sec") == 2000 and r["params"]["rate"] == 2000,
	    "pairs-rate: open loop at the rate asked for")
	# what the warmup sent may arrive in the window: up to half a
	# second of the rate on a loaded machine, never twice what was sent
	ok(0 < r["messages"] <= r["sent"] + 2000 // 2,
	    "pairs-rate: arrivals do not exceed what was sent", r)
	lat_sane("pairs-rate", r)
	no_trouble("pairs-rate", r)

r = report("register", "register")
if r is not None:
	n = r["registrations"]
	ok(n > 0 and r["registrations_per_sec"] > 0 and
	    r["register_failures"] == 0, "register: registrations, no failure",
	    r)
	ok(r["x25519_us"] > 0 and r["box_beforenm_us"] > 0,
	    "register: X25519 timed in process")
	lat_sane("register", r, n)
	no_trouble("register", r)
	if root:
		c = r.get("cryptod") or {}
		ok(isinstance(c.get("pid"), int) and
		    c.get("cpu_us_per_registration") is not None and
		    c["cpu_us_per_registration"] >= 0,
		    "register: cryptod found and its CPU per registration given",
		    c)

r = report("idle", "idle")
if r is not None:
	ok(r["connections"] == 300 and r["failed"] == 0,
	    "idle: 300 connections registered", r)
	ok(r.get("closed_by_relay") == 0, "idle: none closed by the relay")
	if root:
		m = r.get("relay_memory") or {}
		ok(m.get("vmrss_kb_before", 0) > 0 and
		    m.get("vmrss_kb_after", 0) > 0 and
		    m.get("rssanon_kb_after", 0) > 0 and
		    m.get("vmrss_bytes_per_conn") is not None,
		    "idle: relay VmRSS and RssAnon read before and after", m)
		ok(isinstance(r.get("relay_nofile"), int) and
		    r["relay_nofile"] > 300,
		    "idle: relay descriptor limit read", r.get("relay_nofile"))

r = report("fanout", "fanout")
if r is not None:
	dl, pb = r["deliveries"], r["publishes"]
	ok(dl > 0 and pb > 0 and r["deliveries_per_sec"] > 0,
	    "fanout: publishes delivered", r)
	# every PUBLISH reaches the 4 other members; some were sent before
	# the window (2 rooms x 4 in flight)
	ok(dl <= 4 * (pb + 2 * 4), "fanout: at most 4 deliveries per publish",
	    "%d deliveries, %d publishes" % (dl, pb))
	ok(r["wrong_sender"] == 0, "fanout: every MESSAGE from the publisher "
	    "of its room")
	ok(r.get("dropped") == 0, "fanout: nothing dropped", r.get("dropped"))
	lat_sane("fanout", r, dl)
	no_trouble("fanout", r)

rc, r, err = read("toobig")
ok(rc == 1 and "maxBody" in err, "a body above the relay's maxBody is "
    "refused", "exit %d: %s" % (rc, err))
for name in ("remote", "remote6"):
	rc, r, err = read(name)
	ok(rc == 2 and "not a loopback address" in err and r is None,
	    "%s: a target that is not loopback is refused" % name,
	    "exit %d: %s" % (rc, err))
rc, r, err = read("tight")
ok(rc == 0 and isinstance(r, dict) and r.get("dropped", 0) > 0 and
    r["dropped"] <= 2 * 2 * 16 and "never arrived" in err,
    "pairs under a tight rate limit: the silent drops are counted and said",
    "exit %d: %s\n%s" % (rc, err, r and r.get("dropped")))
r = report("floor", "floor")
if r is not None:
	ok(r.get("misrouted") == 0 and r.get("unsent") == 0,
	    "floor: every message reached its sender's partner whole",
	    json.dumps(r))
	ok(1500 <= r.get("msgs_per_sec", 0) <= 2500,
	    "floor: about the 2,000 msg/s offered", r.get("msgs_per_sec"))
	lat_sane("floor", r)
	ok(r.get("forwarder", {}).get("cpu_util", -1) >= 0 and
	    r.get("generator", {}).get("cpu_util", -1) >= 0,
	    "floor: CPU of forwarder and generator read", json.dumps(r))
rc = int(open(os.path.join(d, "floor-bad.rc")).read())
err = open(os.path.join(d, "floor-bad.err")).read()
ok(rc == 2 and "pairs" in err, "floor: -n 0 refused with status 2",
    "exit %d: %s" % (rc, err))

# bench/peer.sh and run.sh without the peer
for name, why in (("peer-none", "UWS_PEER"), ("peer-empty", "relay.cpp"),
    ("peer-nosrc", "UWS_SRC="), ("peer-nogit", "no commit")):
	rc = int(open(os.path.join(d, name + ".rc")).read())
	err = open(os.path.join(d, name + ".err")).read()
	outp = open(os.path.join(d, name + ".json")).read()
	ok(rc == 77 and "uws peer skipped" in err and why in err and
	    outp == "", "%s: the peer build is skipped (77), saying why" % name,
	    "exit %d: %s" % (rc, err))
rc = int(open(os.path.join(d, "run.rc")).read())
err = open(os.path.join(d, "run.err")).read()
try:
	res = open(os.path.join(d, "run", "results.md")).read()
except OSError as e:
	res = str(e)
ok(rc == 0 and "uws peer skipped" in err and "UWS_PEER" in res and
    not os.path.exists(os.path.join(d, "run", "uws-fanout.json")),
    "run.sh with no peer: its line skipped, exit 0, the report says why",
    "exit %d: %s\n%s" % (rc, err, res))

# the report and the plot, on this test's own reports: fanout as relayd
# and as the peer; the open-loop pairs and swsfloor as sweep points
sw = os.path.join(d, "sweep")
os.mkdir(sw)
def put(src, dst, scale=None):
	try:
		r = json.load(open(os.path.join(d, src + ".json")))
	except (OSError, ValueError):
		return
	if scale:
		for k in ("p50", "p99"):
			r["latency_us"][k] *= scale
		r["offered_per_sec"] *= 2
		r["msgs_per_sec"] *= 2
	json.dump(r, open(os.path.join(sw, dst + ".json"), "w"))
put("fanout", "fanout")
put("fanout", "uws-fanout")
put("pairs-rate", "sweep-relayd-n20-r2000")
put("pairs-rate", "sweep-relayd-n20-r4000", 3)
put("pairs-rate", "sweep-uws-n20-r2000")
put("floor", "sweep-floor-n5-r2000")
top = os.getcwd()
r = subprocess.run([sys.executable, os.path.join(top, "bench/report.py"),
    sw], capture_output=True, text=True, timeout=60)
res = r.stdout
ok(r.returncode == 0 and "## relayd beside the uWebSockets peer" in res and
    "| fanout |" in res and "| 1.00 |" in res,
    "report: the peer's line beside relayd's, with the ratio",
    r.stderr + res)
ok("## Open-loop sweep" in res and "| 20 | 2,000 |" in res and
    "| 20 | 4,000 |" in res and "| 5 | 2,000 |" in res and
    "not run" in res, "report: the sweep tabled by pairs and rate, a point "
    "that did not run said so", res)
r = subprocess.run([sys.executable, os.path.join(top, "bench/plot.py"),
    sw], capture_output=True, text=True, timeout=120)
gp = ""
try:
	gp = open(os.path.join(sw, "sweep.gp")).read()
except OSError:
	pass
ok(r.returncode == 0 and "$relayd_20 << EOD" in gp and "$uws_20" in gp and
    "$floor_5" in gp, "plot: the gnuplot script holds every curve's data",
    r.stderr + gp)
if shutil.which("gnuplot"):
	import xml.dom.minidom
	try:
		svg = xml.dom.minidom.parse(os.path.join(sw, "sweep.svg"))
		good = svg.documentElement.tagName == "svg"
	except Exception as e:
		good, r.stderr = False, r.stderr + str(e)
	ok(good, "plot: sweep.svg is an SVG document", r.stderr)
else:
	print("ok - plot: sweep.svg # SKIP gnuplot is not installed")
r = subprocess.run([sys.executable, os.path.join(top, "bench/plot.py"),
    os.path.join(d, "run")], capture_output=True, text=True, timeout=60)
ok(r.returncode == 0 and "nothing to plot" in r.stderr and
    not os.path.exists(os.path.join(d, "run", "sweep.svg")),
    "plot: no sweep reports, nothing plotted, exit 0", r.stderr)
sys.exit(1 if failed else 0)
CHECK
exit $?

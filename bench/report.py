#!/usr/bin/python3
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

"""
Turn the JSON reports of bench/run.sh into obj/bench/results.md: one
table of the numbers and one of the performance budget (docs/BENCHMARKS.md)
with met / not met.

    /usr/bin/python3 bench/report.py obj/bench > obj/bench/results.md
"""

import json
import os
import sys


def load(d, name):
	try:
		with open(os.path.join(d, name + ".json")) as f:
			return json.load(f)
	except (OSError, ValueError):
		return None


def cmd(d, name):
	try:
		with open(os.path.join(d, name + ".cmd")) as f:
			return f.read().strip()
	except OSError:
		return ""


def num(v, fmt="{:,.0f}"):
	return "n/a" if v is None else fmt.format(v)


def lat(r):
	l = r.get("latency_us") or {}
	if not l.get("samples"):
		return "n/a"
	return "%s / %s / %s / %s" % tuple(num(l.get(k), "{:,.0f}")
	    for k in ("p50", "p90", "p99", "p999"))


def others(r):
	m = r.get("machine") or {}
	return num(m.get("others_cores"), "{:.2f}")


def dropped(r):
	n = r.get("dropped")
	return "; **%s dropped by the relay**" % num(n) if n else ""


def cpu(r):
	rel = (r.get("relay") or r.get("forwarder") or {}).get("cpu_util")
	gen = (r.get("generator") or {}).get("cpu_util")
	return "%s / %s" % (num(rel, "{:.2f}"), num(gen, "{:.2f}"))


# The lines that run against relayd and the peer relay (uws-NAME).
LINES = ("idle", "pairs-json-64", "pairs-json-64-n100", "pairs-rate-100k",
    "pairs-rate-100k-n1000", "pairs-msgpack-64", "pairs-json-1k",
    "register", "fanout")
FLOORS = {"pairs-rate-100k": "floor-100k",
    "pairs-rate-100k-n1000": "floor-100k-n1000"}
TARGETS = (("relayd", "relayd"), ("uws", "uws peer"),
    ("floor", "no relay (swsfloor)"))


def row(d, name):
	"""The row of the main table for line NAME (relayd's, or the peer's
	as uws-NAME), or None when it did not run."""
	r = load(d, name)
	if not r:
		return None
	base = name[4:] if name.startswith("uws-") else name
	label = name + (" (peer)" if base != name else "")
	if base == "idle":
		m = r.get("relay_memory") or {}
		return (label, "%s connections; relay VmRSS %s B/conn, "
		    "RssAnon %s B/conn after %s s of quiet (%s B/conn at the "
		    "end of the setup)" % (num(r.get("connections", 0)),
		    num(m.get("vmrss_bytes_per_conn")),
		    num(m.get("rssanon_bytes_per_conn")),
		    num(m.get("quiet_s", 0)),
		    num(m.get("vmrss_bytes_per_conn_at_setup"))), "", "", "")
	if base.startswith("pairs-rate"):
		res = "%s msg/s of %s offered%s" % (num(r["msgs_per_sec"]),
		    num(r.get("offered_per_sec")), dropped(r))
	elif base == "pairs-json-1k":
		res = "%s msg/s, %s MB/s body%s" % (num(r["msgs_per_sec"]),
		    num(r["body_mb_per_sec"], "{:,.1f}"), dropped(r))
	elif base == "register":
		c = r.get("cryptod") or {}
		if base == name:
			res = "%s reg/s; CPU per registration: cryptod %s us " \
			    "(X25519 %s us), relay %s us" % (
			    num(r["registrations_per_sec"]),
			    num(c.get("cpu_us_per_registration"), "{:.1f}"),
			    num(r.get("x25519_us"), "{:.1f}"),
			    num(r.get("relay_cpu_us_per_registration"),
			    "{:.1f}"))
		else:
			res = "%s reg/s; CPU per registration: relay %s us " \
			    "(in-process, no key holder; X25519 %s us)" % (
			    num(r["registrations_per_sec"]),
			    num(r.get("relay_cpu_us_per_registration"),
			    "{:.1f}"), num(r.get("x25519_us"), "{:.1f}"))
	elif base == "fanout":
		res = "%s deliveries/s (%s publishes/s)%s" % (
		    num(r["deliveries_per_sec"]),
		    num(r["publishes_per_sec"]), dropped(r))
	else:
		res = "%s msg/s%s" % (num(r["msgs_per_sec"]), dropped(r))
	return (label, res, lat(r), cpu(r), others(r))


def floor_row(d, name):
	f = load(d, name)
	if not f:
		return None
	return (name + " (no relay)", "%s msg/s of %s offered%s" %
	    (num(f["msgs_per_sec"]), num(f.get("offered_per_sec")), "" if
	    not f.get("unsent") else "; %s unsent" % num(f["unsent"])),
	    lat(f), cpu(f), others(f))


def headline(r, base):
	"""(value, text, higher is better) of a line's main figure."""
	if base == "idle":
		v = (r.get("relay_memory") or {}).get("vmrss_bytes_per_conn")
		return v, "%s B/conn" % num(v), False
	if base.startswith("pairs-rate"):
		v = (r.get("latency_us") or {}).get("p99")
		return v, "p99 %s us (%s msg/s)" % (num(v),
		    num(r["msgs_per_sec"])), False
	if base == "pairs-json-1k":
		v = r["msgs_per_sec"]
		return v, "%s msg/s, %s MB/s" % (num(v),
		    num(r["body_mb_per_sec"], "{:,.1f}")), True
	if base == "register":
		v = r["registrations_per_sec"]
		return v, "%s reg/s" % num(v), True
	if base == "fanout":
		v = r["deliveries_per_sec"]
		return v, "%s deliveries/s" % num(v), True
	v = r["msgs_per_sec"]
	return v, "%s msg/s" % num(v), True


def side_by_side(d):
	"""relayd beside the peer: one row per line both ran."""
	out = []
	for base in LINES:
		r, u = load(d, base), load(d, "uws-" + base)
		if not r or not u:
			continue
		rv, rt, up = headline(r, base)
		uv, ut, _ = headline(u, base)
		if rv and uv:
			ratio = rv / uv
			ahead = ratio < 1 if up else ratio > 1
			verdict = "%.2f%s" % (ratio, "; **peer ahead**" if
			    ahead else "")
		else:
			verdict = "n/a"
		out.append((base, rt, ut, verdict))
	return out


def sweep_points(d):
	"""{(target, pairs, rate): report} of the sweep-TARGET-nN-rR.json
	files in D."""
	pts = {}
	try:
		names = os.listdir(d)
	except OSError:
		return pts
	for f in names:
		if not (f.startswith("sweep-") and f.endswith(".json")):
			continue
		parts = f[len("sweep-"):-len(".json")].split("-")
		if len(parts) != 3 or parts[0] not in dict(TARGETS) or \
		    parts[1][:1] != "n" or parts[2][:1] != "r":
			continue
		try:
			n, rate = int(parts[1][1:]), int(parts[2][1:])
		except ValueError:
			continue
		r = load(d, f[:-len(".json")])
		if r:
			pts[(parts[0], n, rate)] = r
	return pts


def sweep_cell(r):
	if r is None:
		return "not run"
	l = r.get("latency_us") or {}
	kept = r.get("msgs_per_sec", 0) >= 0.97 * r.get("offered_per_sec", 0)
	return "%s msg/s%s; %s / %s" % (num(r.get("msgs_per_sec")),
	    "" if kept else " (**rate not kept**)", num(l.get("p50")),
	    num(l.get("p99")))


def main(d):
	rows = []
	budget = []
	o = []

	for base in LINES:
		for name in (base, "uws-" + base):
			x = row(d, name)
			if x:
				rows.append(x)
		if base in FLOORS:
			x = floor_row(d, FLOORS[base])
			if x:
				rows.append(x)

	r = load(d, "pairs-json-64")
	if r:
		v = r["msgs_per_sec"]
		budget.append(("relayed messages/s, 1,000 pairs x 16 in "
		    "flight, JSON 64 B", ">= 300,000", num(v), v >= 300000))
	for name, floor in (("pairs-rate-100k", "floor-100k"),
	    ("pairs-rate-100k-n1000", "floor-100k-n1000")):
		r = load(d, name)
		f = load(d, floor)
		if not r:
			continue
		p99 = (r.get("latency_us") or {}).get("p99")
		fp99 = ((f or {}).get("latency_us") or {}).get("p99")
		kept = r["msgs_per_sec"] >= 0.97 * r.get("offered_per_sec", 0)
		budget.append(("p99 latency at 100,000 msg/s, %s pairs" %
		    num(r["params"]["pairs"]), "< 2 ms",
		    "%s us%s%s" % (num(p99), "" if kept else
		    " (rate not kept: %s msg/s)" % num(r["msgs_per_sec"]),
		    "" if fp99 is None else "; with no relay %s us" %
		    num(fp99)), p99 is not None and p99 < 2000 and kept))
	r = load(d, "pairs-json-1k")
	if r:
		v = r["body_mb_per_sec"]
		budget.append(("body relayed, 1 KiB bodies", ">= 400 MB/s",
		    "%s MB/s" % num(v, "{:,.1f}"), v >= 400))
	r = load(d, "register")
	if r:
		c = r.get("cryptod") or {}
		ratio = c.get("ratio_to_x25519")
		v = r["registrations_per_sec"]
		budget.append(("registrations/s end to end", ">= 10,000",
		    num(v), v >= 10000))
		budget.append(("cryptod CPU per registration / one X25519",
		    "<= 1.25", num(ratio, "{:.2f}"),
		    ratio is not None and ratio <= 1.25))
	for name, what in (("flood-admission", "default admission limits"),
	    ("flood-open", "admission limits off")):
		r = load(d, name)
		v = load(d, name + "-victim")
		if r and v:
			rows.append((name, "flood from 127.0.0.1, %s: %s reg/s "
			    "(%s refused); victim from %s: %s registrations, %s "
			    "failed, p50 %s ms, p99 %s ms, max %s ms" % (what,
			    num(r["registrations_per_sec"]),
			    num(r.get("errors", {}).get("HTTP 429", 0)
			    if isinstance(r.get("errors"), dict) else 0),
			    v["source"], num(v["registrations"]),
			    num(v["failures"]), v["p50_ms"], v["p99_ms"],
			    v["max_ms"]), lat(r), cpu(r), others(r)))
	r = load(d, "idle")
	if r:
		m = r.get("relay_memory") or {}
		per = m.get("vmrss_bytes_per_conn")
		n = r.get("connections", 0)
		budget.append(("relay memory per idle registered connection "
		    "(VmRSS), 15,000 connections", "<= 512 B",
		    "%s B at %s connections" % (num(per), num(n)),
		    per is not None and per <= 512 and n >= 15000))

	o.append("# swsbench results")
	o.append("")
	try:
		with open(os.path.join(d, "machine.txt")) as f:
			m = f.read().split("\n")
		o.append("Machine: %s, %s CPUs, load average at start %s." %
		    (m[0], m[1], " ".join(m[2].split()[:3])))
		if len(m) > 4 and m[3]:
			o.append("Tree: %s, measured %s." % (m[3], m[4]))
		o.append("")
	except (OSError, IndexError):
		pass
	o.append("| run | result | latency p50 / p90 / p99 / p99.9 (us) | "
	    "relay (or forwarder) / generator CPU (cores) | "
	    "other processes (cores) |")
	o.append("|---|---|---|---|---|")
	for x in rows:
		o.append("| %s | %s | %s | %s | %s |" % x)
	o.append("")
	o.append("Commands (a uws-NAME line runs NAME's against the peer):")
	o.append("")
	for name in LINES + ("flood-admission", "flood-open",
	    "floor-100k", "floor-100k-n1000"):
		c = cmd(d, name)
		if c:
			o.append("    %-22s %s" % (name, c))
	o.append("")
	try:
		with open(os.path.join(d, "uws.status")) as f:
			st = f.read().strip()
	except OSError:
		st = ""
	sbs = side_by_side(d)
	if sbs or st:
		o.append("## relayd beside the uWebSockets peer")
		o.append("")
		if st:
			o.append(st.replace("bench: ", "", 1) + ".")
			o.append("")
	if sbs:
		o.append("A fresh process for each line; the ratio is "
		    "relayd's figure over the peer's (for B/conn and p99 "
		    "lower is better).")
		o.append("")
		o.append("| line | relayd | uws peer | relayd / peer |")
		o.append("|---|---|---|---|")
		for x in sbs:
			o.append("| %s | %s | %s | %s |" % x)
		o.append("")
	pts = sweep_points(d)
	if pts:
		o.append("## Open-loop sweep")
		o.append("")
		o.append("`swsbench -n PAIRS -r RATE -s 64 pairs` against relayd "
		    "and the peer, `swsfloor -n PAIRS -r RATE` with no relay; "
		    "each cell: delivered msg/s; latency p50 / p99 (us). "
		    "Plot: sweep.svg.")
		o.append("")
		o.append("| pairs | offered msg/s | %s |" %
		    " | ".join(t[1] for t in TARGETS))
		o.append("|---|---|%s" % ("---|" * len(TARGETS)))
		for n, rate in sorted({(k[1], k[2]) for k in pts}):
			o.append("| %s | %s | %s |" % (num(n), num(rate),
			    " | ".join(sweep_cell(pts.get((t, n, rate)))
			    for t, _ in TARGETS)))
		o.append("")
	o.append("## Budget")
	o.append("")
	o.append("| target | budget | measured | verdict |")
	o.append("|---|---|---|---|")
	for t, b, v, ok in budget:
		o.append("| %s | %s | %s | %s |" % (t, b, v,
		    "met" if ok else "**not met**"))
	o.append("")
	print("\n".join(o))
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "obj/bench"))

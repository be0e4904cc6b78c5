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

# The layers of the relay process (relayd/relay.h) call in one direction:
# relay.c -> conn.c -> session.c -> router.c -> outq.c, with the codecs,
# the limits and the clock below them, called and never calling back.
# A module calls another through its header, so the #include "..." lines
# of relayd/ say who may call whom: the graph of modules they draw must
# have no cycle, a layer may include only headers of layers below it, the
# modules at the bottom include no layer's header, and relay.h, the
# types every layer shares, declares no function.  The graph is printed
# as comment lines ("#").

import os
import re
import sys

top = os.environ.get("SWS_TOP") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
src = os.path.join(top, "relayd")

# top to bottom
LAYERS = ["relay", "conn", "session", "router", "outq"]
BOTTOM = ["clock", "limit", "khash", "codec", "json", "http", "proxy", "tlsctx",
    "metrics", "admin", "cwire",
    "config"]
# headers that are not the module of their file name
MODULE_OF = {
	"relay.h": "relay.h (types)",
	"relay_main.h": "relay",
	"relay_ctl": "relay",
	"cluster": "relay",
	"codec_local.h": "codec",
	"codec_json": "codec",
	"codec_msgpack": "codec",
}
# the parent process and its grammar: not part of the relay process
OUTSIDE = {"relayd", "parse", "certs", "control", "clusterconf"}

passed = failed = 0


def ok(cond, desc, diag=None):
	global passed, failed
	if cond:
		passed += 1
		print("ok - %s" % desc)
	else:
		failed += 1
		print("not ok - %s" % desc)
		for l in (diag or "").splitlines():
			print("#   %s" % l)


def module(fname):
	if fname in MODULE_OF:
		return MODULE_OF[fname]
	base = fname[:-2] if fname.endswith((".c", ".h", ".y")) else fname
	return MODULE_OF.get(base, base)


inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
local = {f for f in os.listdir(src) if f.endswith((".c", ".h"))}
edges = {}
for f in sorted(local):
	m = module(f)
	if m in OUTSIDE:
		continue
	with open(os.path.join(src, f)) as fp:
		text = fp.read()
	for h in inc.findall(text):
		if h not in local:
			continue	# common/ and generated headers
		n = module(h)
		if n != m:
			edges.setdefault(m, set()).add(n)
nodes = set(edges) | {n for v in edges.values() for n in v}



def rank(n):
	return (LAYERS.index(n) if n in LAYERS else len(LAYERS), n)


print("# include graph of relayd/ by module (A -> B: A includes B's header)")
for m in LAYERS + sorted(nodes - set(LAYERS)):
	if m in edges:
		print("#   %-16s -> %s" % (m, ", ".join(sorted(edges[m],
		    key=rank))))

# a cycle, by depth-first search
state = {}
cycle = []


def visit(n, path):
	state[n] = 1
	for d in sorted(edges.get(n, ())):
		if state.get(d) == 1:
			cycle.append(path[path.index(d):] + [d])
		elif d not in state:
			visit(d, path + [d])
	state[n] = 2


for n in sorted(nodes):
	if n not in state:
		visit(n, [n])
ok(not cycle, "the module graph of relayd/ has no cycle",
    "\n".join(" -> ".join(c) for c in cycle))

up = ["%s -> %s" % (a, b) for a in LAYERS for b in edges.get(a, ())
    if b in LAYERS and LAYERS.index(b) <= LAYERS.index(a)]
ok(not up, "each layer includes only the headers of layers below it "
    "(%s)" % " > ".join(LAYERS), "\n".join(up))

up = ["%s -> %s" % (a, b) for a in BOTTOM + ["relay.h (types)"]
    for b in edges.get(a, ()) if b in LAYERS]
ok(not up, "the codecs, limits, clock and relay.h include no layer's "
    "header", "\n".join(up))

for l in LAYERS[1:]:
	ok(os.path.exists(os.path.join(src, l + ".h")), "%s has its own "
	    "header, %s.h" % (l, l))

proto = re.compile(r'^(__attribute__|\w[\w \t*]*[\s*]\w+\s*\()', re.M)
with open(os.path.join(src, "relay.h")) as fp:
	decls = [l for l in proto.findall(fp.read())]
ok(not decls, "relay.h declares no function", "\n".join(decls))

sys.exit(1 if failed else 0)

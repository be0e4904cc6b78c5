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

# The pool of output buffers (relayd/outq.c): a turn that gives output
# to more sessions than the old fixed pool held (1,024) returns every
# buffer to the pool instead of freeing the surplus, and an idle relay
# frees the pool within seconds (half of the unused buffers per tick).
# Driven by swsbench: one room of 1,100 members, one PUBLISH in flight.
# The pool is read from the relay's debug log (relayd -v).

import os
import re
import subprocess
import sys
import time

top = os.environ.get("SWS_TOP") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
bench = os.path.join(top, "obj", "bench", "swsbench")
if not os.access(bench, os.X_OK):
	sys.exit(77)

import swstest as T

MEMBERS = 1100
t = T.Tap(limit=120)


def pool_lines(log):
	return [(int(a), int(u), int(b)) for a, u, b in re.findall(
	    r"output buffer pool: (\d+) idle, (\d+) unused for a tick, "
	    r"freeing (\d+)", log)]


try:
	with T.Relay("max connections 4000\nmax connections per address "
	    "4000\nmax room members %d\nrate limit 1000000 per second "
	    "burst 1000000\nhandshake rate off\nregistration rate off" %
	    (MEMBERS + 100), verbose=True) as r:
		env = dict(os.environ, SWS_URL=r.url,
		    SWS_SERVER_KEY=r.server_pk_b64)
		p = subprocess.run([bench, "-R", "1", "-M", str(MEMBERS),
		    "-w", "1", "-t", "2", "fanout"], env=env,
		    capture_output=True, timeout=90)
		t.ok(p.returncode == 0, "swsbench fanout to %d members ran" %
		    MEMBERS, p.stderr.decode(errors="replace"))
		deadline = time.time() + 10
		while time.time() < deadline:
			lines = pool_lines(r.log())
			if lines and lines[-1][0] == lines[-1][2]:
				break
			time.sleep(0.2)
		lines = pool_lines(r.log())
		room = max((int(x) for x in re.findall(
		    r"output buffer pool: room for (\d+)", r.log())), default=0)
		# it grows from 1,024 to 2,048 slots for the 1,025th idle one
		t.ok(room >= 2048, "more than 1,024 buffers were kept at once "
		    "(room for %d)" % room)
		t.ok(lines and lines[-1][0] == lines[-1][2],
		    "an idle relay frees the whole pool",
		    "\n".join(str(x) for x in lines[-20:]))
		# buffers taken during a tick lower what counts as unused
		t.ok(all(u <= a and b == min(a, (u + 1) // 2) for a, u, b in
		    lines), "each tick frees half of what went unused for the "
		    "whole tick (rounded up)",
		    "\n".join(str(x) for x in lines[-20:]))
		t.alive(r, "after the load")
finally:
	t.done()

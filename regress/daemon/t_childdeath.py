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

# Fail closed, fast (issue #21 item 7c): SIGKILL of the relay child or of
# cryptod, with sessions open and registrations pending, ends the whole
# daemon within about a second: the parent exits non-zero, the other
# child is gone, every client connection ends (EOF or reset) and the
# port is closed; and SIGKILL of the parent ends both children as fast.
# t_privsep.py kill_child checks the outcome on an idle
# daemon with a 5 s bound; this one measures the time under sessions.
# Needs root (exit 77, skipped, otherwise).

import os
import signal
import socket
import sys
import time

import swstest as T

if os.geteuid() != 0:
	sys.exit(77)

t = T.Tap(limit=60)
BOUND = 1.0		# seconds from the SIGKILL to the parent's exit
NREG = 20		# registered sessions
NPEND = 5		# upgraded, challenge not answered


def eof_within(socks, deadline):
	"""How many of socks see EOF or a reset before deadline."""
	n = 0
	for s in socks:
		left = deadline - time.monotonic()
		if left > 0 and T.wait_eof(s, left):
			n += 1
	return n


def kill(which):
	with T.Relay("registration timeout 30") as r:
		regs, pend = [], []
		try:
			for i in range(NREG):
				c = T.RawWS(r.port, proto="msgpack" if i % 2 else "json")
				sk, pk = T.keypair()
				c.register(sk, pk, r.binding)
				regs.append(c)
			for i in range(NPEND):
				c = T.RawWS(r.port)
				c.recv_msg()		# CHALLENGE, never answered
				pend.append(c)
			t.alive(r, "%s: before the kill" % which)
			pid = r.relay_pid() if which == "relay" else r.cryptod_pid()
			other = r.cryptod_pid() if which == "relay" else r.relay_pid()
			t.ok(pid is not None and other is not None, "%s: both "
			    "children found" % which)
			if pid is None or other is None:
				return
			t0 = time.monotonic()
			os.kill(pid, signal.SIGKILL)
			rc = r.wait_exit(5)
			el = time.monotonic() - t0
			print("# SIGKILL of %s: parent exited %r after %.3f s" %
			    (which, rc, el), flush=True)
			t.ok(rc is not None and rc != 0, "SIGKILL of %s: the parent "
			    "exits non-zero (%r)" % (which, rc), r.log()[-1500:])
			t.ok(rc is not None and el <= BOUND, "SIGKILL of %s: the "
			    "daemon is gone within %.1f s (%.3f s)" % (which, BOUND,
			    el))
			gone = T.proc_stat(other)
			t.ok(gone is None or gone[0] == "Z", "SIGKILL of %s: the other "
			    "child is gone" % which, repr(gone))
			socks = [c.sock for c in regs + pend]
			n = eof_within(socks, t0 + BOUND + 0.5)
			el2 = time.monotonic() - t0
			t.eq(n, NREG + NPEND, "SIGKILL of %s: all %d client "
			    "connections ended (%.3f s)" % (which, NREG + NPEND,
			    el2))
			left = r._reap_leftovers(1.0)
			t.eq(left, [], "SIGKILL of %s: no process left" % which)
			try:
				s = socket.create_connection(("127.0.0.1", r.port),
				    timeout=1)
				s.close()
				t.ok(False, "SIGKILL of %s: port closed" % which)
			except OSError:
				t.ok(True, "SIGKILL of %s: port closed" % which)
			t.ok("a child exited: stopping" in r.log(), "SIGKILL of %s: "
			    "the parent says why it stopped" % which, r.log()[-1500:])
		finally:
			for c in regs + pend:
				c.close()
	# the same configuration and a new key serve again at once
	with T.Relay("registration timeout 30") as r:
		t.alive(r, "%s: a new daemon after the kill" % which)


def kill_parent():
	with T.Relay("") as r:
		c = T.RawWS(r.port)
		sk, pk = T.keypair()
		c.register(sk, pk, r.binding)
		kids = [r.relay_pid(), r.cryptod_pid()]
		t.ok(None not in kids, "parent: both children found")
		t0 = time.monotonic()
		os.kill(r.pid, signal.SIGKILL)
		r.proc.wait(5)
		alive = kids
		while alive and time.monotonic() - t0 < 3:
			alive = [k for k in kids if k is not None and
			    (T.proc_stat(k) or ("Z",))[0] != "Z"]
			time.sleep(0.01)
		el = time.monotonic() - t0
		print("# SIGKILL of the parent: children gone after %.3f s" % el,
		    flush=True)
		t.ok(not alive and el <= BOUND, "SIGKILL of the parent: both "
		    "children exit within %.1f s (%.3f s)" % (BOUND, el),
		    repr(alive))
		t.ok(T.wait_eof(c.sock, max(0.1, t0 + BOUND + 0.5 -
		    time.monotonic())), "SIGKILL of the parent: the client "
		    "connection ended")
		c.close()


t.parts(("kill relay", lambda: kill("relay")),
    ("kill cryptod", lambda: kill("cryptod")),
    ("kill parent", kill_parent))
t.done()

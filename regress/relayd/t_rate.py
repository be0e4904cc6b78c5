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

# docs/WIRE.md section 5, the rate limit, as a client sees it: every message a
# session sends costs one token of its bucket (`rate limit N per second
# burst M`); over it the request is dropped and gets `rate-limited` when
# it has an id; more than a full burst of refusals in a row closes the
# session with 1008, and the refusal that makes the run longer than the
# burst is still answered (when it has an id) before that close.  Both
# encodings, and the largest rate and burst relayd.conf allows.

import time

import swstest as T

t = T.Tap(limit=150)
NOBODY = T.keypair()[1]		# a key no session has: "offline"


def session(r, proto):
	c = T.RawWS(r.port, proto=proto, timeout=5)
	sk, pk = T.keypair()
	c.register(sk, pk)
	return c


def send(c, i=None, to=NOBODY):
	m = {"type": "SEND", "to": to, "body": b""}
	if i is not None:
		m["id"] = i
	c.send_msg(m)


def answers(c, n):
	return ["%s:%s" % (m.get("id"), m.get("code", m.get("type")))
	    for m in (c.recv_msg(3) for _ in range(n))]


def crossing(r, proto):
	"""Burst 3: 3 served, then refusals 1..4; the 4th crosses."""
	c = session(r, proto)
	try:
		lim = c.reg["limits"]
		t.eq((lim["rate"], lim["burst"]), (1, 3), "%s: limits.rate 1, "
		    "limits.burst 3 announced" % proto)
		for i in range(1, 8):
			send(c, i)
		got = answers(c, 7)
		t.eq(got, ["1:offline", "2:offline", "3:offline",
		    "4:rate-limited", "5:rate-limited", "6:rate-limited",
		    "7:rate-limited"], "%s: a burst of 3 served, then every "
		    "refusal answered rate-limited, the 4th in a row (which "
		    "makes the run longer than the burst) included" % proto)
		code, reason, before = c.expect_close(3)
		t.eq((code, before), (1008, []), "%s: ... and the close 1008 "
		    "comes right after that answer, nothing between" % proto)
		t.ok(c.eof(3), "%s: then the connection ends" % proto)
	finally:
		c.close()


def crossing_without_id(r, proto):
	"""The crossing refusal has no id: nothing to answer, then 1008."""
	c = session(r, proto)
	try:
		for i in range(1, 7):
			send(c, i)
		send(c)
		got = answers(c, 6)
		t.eq(got[3:], ["4:rate-limited", "5:rate-limited",
		    "6:rate-limited"], "%s: refusals with ids answered" % proto)
		code, _, before = c.expect_close(3)
		t.eq((code, before), (1008, []), "%s: the 4th refusal in a row "
		    "has no id: no answer, close 1008 at once" % proto)
	finally:
		c.close()


def quiet_refusals(r, proto):
	"""Refusals without ids are silent; the close still comes on time."""
	c = session(r, proto)
	try:
		for i in range(3):
			send(c)
		for i in range(3):
			send(c)
		send(c, 99)
		got = answers(c, 1)
		t.eq(got, ["99:rate-limited"], "%s: three silent refusals, the "
		    "4th with id 99 is answered" % proto)
		code, _, before = c.expect_close(3)
		t.eq((code, before), (1008, []), "%s: ... and it was the 4th in "
		    "a row: close 1008 after its answer" % proto)
	finally:
		c.close()


def run_resets(r, proto):
	"""An accepted message ends the run of refusals."""
	c = session(r, proto)
	try:
		for i in range(1, 7):
			send(c, i)		# 3 served, 3 refused
		answers(c, 6)
		time.sleep(1.15)		# one token back
		send(c, 7)
		t.eq(answers(c, 1), ["7:offline"], "%s: after 1.15 s one "
		    "request is served" % proto)
		for i in range(8, 11):
			send(c, i)
		t.eq(answers(c, 3), ["8:rate-limited", "9:rate-limited",
		    "10:rate-limited"], "%s: the run starts again from zero: "
		    "three refusals, the session stays" % proto)
		t.ok(c.expect_close(0.3)[0] == -2, "%s: no close after three "
		    "(burst 3)" % proto)
		send(c, 11)
		t.eq(answers(c, 1), ["11:rate-limited"], "%s: the 4th refusal "
		    "of the new run is answered" % proto)
		t.eq(c.expect_close(3)[0], 1008, "%s: ... then close 1008" %
		    proto)
	finally:
		c.close()


def small():
	with T.Relay("rate limit 1 per second burst 3") as r:
		for proto in ("json", "msgpack"):
			crossing(r, proto)
			crossing_without_id(r, proto)
			quiet_refusals(r, proto)
		run_resets(r, "json")
		t.alive(r, "after rate-limit closes")


def largest():
	"""rate limit 1 per second burst 10000000: the first SEND of a fresh
	session passes (burst 4294968 once wrapped to less than a token)."""
	with T.Relay("rate limit 1 per second burst 10000000") as r:
		for proto in ("json", "msgpack"):
			c = session(r, proto)
			try:
				t.eq(c.reg["limits"]["burst"], 10000000,
				    "%s: limits.burst 10000000 announced" % proto)
				send(c, 1)
				t.eq(answers(c, 1), ["1:offline"], "%s: burst "
				    "10000000 at rate 1: the first SEND is served" %
				    proto)
			finally:
				c.close()
	"""rate and burst 10000000: the bucket never empties; 1.5 s of
	traffic (the 32-bit product wrapped after 430 ms) is all served."""
	with T.Relay("rate limit 10000000 per second burst 10000000") as r:
		for proto in ("json", "msgpack"):
			c = session(r, proto)
			refused = served = 0
			n = 0
			try:
				end = time.monotonic() + 1.5
				while time.monotonic() < end:
					for _ in range(200):
						n += 1
						send(c, n)
					for a in answers(c, 200):
						if a.endswith(":offline"):
							served += 1
						else:
							refused += 1
				t.ok(refused == 0 and served == n, "%s: rate and burst "
				    "10000000, %d requests over 1.5 s: none refused" %
				    (proto, n), "served %d refused %d" % (served,
				    refused))
			finally:
				c.close()


t.parts(("small burst", small), ("largest rate and burst", largest))
t.done()

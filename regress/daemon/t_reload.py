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

# SIGHUP (relayd.conf(5), relayd(8) SIGNALS): limits and origins change in place
# for running sessions, a bad file is refused with the old settings kept,
# listeners added and removed are opened and closed.

import os
import socket
import time

import swstest as T

t = T.Tap(limit=120)

BASE = "rate limit 100 per second burst 100\nmax message size 16K\n"
SLOW = "rate limit 2 per second burst 2\nmax message size 8K\n"


def limits_of_new_client(r):
	with T.RawWS(r.port) as c:
		sk, pk = T.keypair()
		return c.register(sk, pk)["limits"]


def burst(c, n, base):
	"""n SENDs to self in one write; returns (acked ids, error codes)."""
	data = b"".join(T.frame(1, T.encode_msg("json", {"type": "SEND",
	    "to": c.pk, "body": b"b", "id": base + i}).encode())
	    for i in range(n))
	c.send(data)
	acks, errs = [], []
	try:
		while True:
			m = c.recv_msg(0.6)
			if m["type"] == "ACK":
				acks.append(m["id"])
			elif m["type"] == "ERROR":
				errs.append((m.get("id"), m["code"]))
	except Exception:
		pass
	return acks, errs


def upgrade_status(port, origin=None):
	r = T.http_request(port, T.upgrade_request(port, origin=origin))
	return r.status


def refused(port):
	try:
		s = socket.create_connection(("127.0.0.1", port), timeout=1)
		s.close()
		return False
	except ConnectionRefusedError:
		return True
	except OSError:
		return True


def main(r):
	S = T.RawWS(r.port)
	sk, pk = T.keypair()
	S.register(sk, pk)
	acks, errs = burst(S, 20, 1)
	t.eq(len(acks), 20, "before reload: 20 quick SENDs all ACKed (burst "
	    "100)")
	lim = limits_of_new_client(r)
	t.eq((lim.get("rate"), lim.get("burst"), lim.get("maxMessage")),
	    (100, 100, 16384), "before reload: limits of a new client")
	t.eq(upgrade_status(r.port, "https://x.example"), 101,
	    "before reload: any Origin accepted (none configured)")
	children = r.children()

	# --- change limits ---
	r.reload(SLOW)
	t.ok(r.running(), "daemon runs after SIGHUP", r.log()[-1500:])
	acks, errs = burst(S, 1, 100)
	t.eq(acks, [100], "existing session survives the reload")
	time.sleep(1.2)
	# 4, not more: over 2 refusals in a row would close the session
	acks, errs = burst(S, 4, 200)
	t.eq(acks, [200, 201], "after reload to burst 2: the running session "
	    "gets 2 of 4 quick SENDs ACKed")
	t.eq(errs, [(202, "rate-limited"), (203, "rate-limited")],
	    "... and the other 2 rate-limited")
	lim = limits_of_new_client(r)
	t.eq((lim.get("rate"), lim.get("burst"), lim.get("maxMessage"),
	    lim.get("maxBody")), (2, 2, 8192, T.max_body(8192)),
	    "after reload: limits of a new client")
	try:
		with T.RawWS(r.port) as c:
			sk2, pk2 = T.keypair()
			c.register(sk2, pk2)
			c.send_frame(1, b" " * 8193)
			code, reason, before = c.expect_close(3)
		t.eq(code, 1009, "after reload: new max message size 8K applies "
		    "(8193 bytes -> 1009)")
	except Exception as e:
		t.ok(False, "after reload: new max message size", repr(e))
	t.eq(r.children(), children, "children kept across a limits reload")

	# --- origins ---
	r.reload(SLOW + 'origin "https://a.example"\n')
	t.eq(upgrade_status(r.port, "https://x.example"), 403,
	    "after adding an origin: another Origin gets 403")
	t.eq(upgrade_status(r.port, "https://a.example"), 101,
	    "after adding an origin: that Origin gets 101")
	t.eq(upgrade_status(r.port), 101, "after adding an origin: no Origin "
	    "still 101")
	time.sleep(1.1)
	acks, errs = burst(S, 1, 300)
	t.eq(acks, [300], "session still alive after the origin reload")

	# --- a broken file is refused ---
	good = SLOW + 'origin "https://a.example"\n'
	for desc, bad in (("syntax error", good + "max message size banana\n"),
	    ("unknown keyword", good + "frobnicate yes\n"),
	    ("bad listen address", good + "listen on 999.1.1.1 port 1\n")):
		r.reload(bad)
		t.ok(r.running(), "%s on SIGHUP: daemon keeps running" % desc,
		    r.log()[-1500:])
		try:
			lim = limits_of_new_client(r)
			t.eq((lim.get("rate"), lim.get("burst"),
			    lim.get("maxMessage")), (2, 2, 8192),
			    "%s on SIGHUP: old limits stay" % desc)
		except Exception as e:
			t.ok(False, "%s on SIGHUP: old limits stay" % desc, repr(e))
		t.eq(upgrade_status(r.port, "https://x.example"), 403,
		    "%s on SIGHUP: old origins stay" % desc)
		time.sleep(1.1)
		acks, errs = burst(S, 1, 400)
		t.eq(acks, [400], "%s on SIGHUP: session survives" % desc)

	# --- listeners ---
	q = T.free_port()
	r.reload(good + "listen on 127.0.0.1 port %d\n" % q, settle=0.5)
	try:
		r.wait_ready(q, 3)
		ok = True
	except Exception as e:
		ok = False
		err = e
	t.ok(ok, "added listener on port %d is opened" % q, None if ok else
	    str(err)[-1500:])
	if ok:
		time.sleep(1.1)
		t.check("a client on the new port is served", T.alive, r, "json",
		    q)
	t.eq(upgrade_status(r.port), 101, "the first listener still works")
	time.sleep(1.1)
	acks, errs = burst(S, 1, 500)
	t.eq(acks, [500], "session survives adding a listener")
	r.reload(good, settle=0.5)
	deadline = time.monotonic() + 3
	while not refused(q) and time.monotonic() < deadline:
		time.sleep(0.1)
	t.ok(refused(q), "removed listener on port %d is closed" % q)
	t.eq(upgrade_status(r.port), 101, "the first listener still works "
	    "after the removal")
	# a listener whose bind fails (the port is taken), then removed
	hog = socket.socket()
	hog.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
	hog.bind(("127.0.0.1", 0))
	hog.listen(1)
	busy = hog.getsockname()[1]
	r.reload(good + "listen on 127.0.0.1 port %d\n" % busy, settle=0.5)
	t.ok(r.running() and "bind 127.0.0.1 port %d" % busy in r.log(),
	    "a listener that cannot bind is reported; the daemon goes on")
	r.reload(good, settle=0.5)
	hog.close()
	t.ok(r.running() and r.relay_pid() is not None, "removing the "
	    "listener that never opened: the daemon goes on",
	    r.log()[-1500:])
	t.eq(upgrade_status(r.port), 101, "and the first listener still "
	    "works")
	time.sleep(1.1)
	acks, errs = burst(S, 1, 600)
	t.eq(acks, [600], "session survives removing a listener")

	# limits apply to the running session: max message size 8K
	S.send_frame(1, b" " * 9000)
	code, reason, before = S.expect_close(3)
	t.eq(code, 1009, "the session from before the reloads now has the 8K "
	    "limit (9000 bytes -> 1009)")
	S.close()
	t.alive(r, "after the reloads")


try:
	with T.Relay(BASE) as r:
		try:
			main(r)
		finally:
			t.ok(r.running(), "daemon still running at the end",
			    r.log()[-2000:])
			t.eq(r.stop(check=False), 0, "exit 0 on SIGTERM")
			t.eq(r.leftover, [], "no process left")
except T.TestTimeout as e:
	t.ok(False, str(e))
except Exception as e:
	t.fail_all("reload", e)
t.done()

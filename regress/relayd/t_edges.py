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

# Edges of docs/WIRE.md sections 3 to 5 that need the daemon in a particular
# state: cryptod not answering (REGISTER_FAILURE unavailable), `rooms off`
# (room requests are unknown-type), a session whose output stays full
# past the idle timeout (close 1013), and server names changed by a
# reload (cryptod checks the new ones).

import os
import signal
import socket
import time

import swstest as T

t = T.Tap(limit=120)


def unavailable():
	with T.Relay("registration timeout 2") as r:
		cpid = r.cryptod_pid()
		os.kill(cpid, signal.SIGSTOP)
		try:
			# (the 101 itself waits for the challenge, so the clock
			# starts before the upgrade)
			start = time.monotonic()
			c = T.RawWS(r.port, proto="json", timeout=5)
			try:
				m = c.recv_msg(5)
			except Exception as e:
				m = {"error": repr(e)}
			took = time.monotonic() - start
			t.ok(m.get("type") == "REGISTER_FAILURE" and
			    m.get("reason") == "unavailable",
			    "cryptod stopped: REGISTER_FAILURE unavailable", repr(m))
			t.ok(1.8 <= took <= 3.5, "... after the registration "
			    "timeout (%.1fs)" % took)
			code, _, _ = c.expect_close(3)
			t.eq(code, 1008, "... then close 1008")
			c.close()
		finally:
			os.kill(cpid, signal.SIGCONT)
		# cryptod catches up (challenge, then FORGET) and all is well
		t.alive(r, "cryptod resumed")
		t.eq(r.stop(), 0, "relay exits 0 after cryptod was stopped")


def rooms_off():
	with T.Relay("rooms off") as r:
		c = T.RawWS(r.port, proto="json")
		sk, pk = T.keypair()
		reg = c.register(sk, pk)
		t.eq(reg["limits"]["rooms"], 0, "rooms off: limits.rooms is 0")
		for i, req in enumerate(({"type": "JOIN", "room": "a"},
		    {"type": "LEAVE", "room": "a"},
		    {"type": "PUBLISH", "room": "a", "body": b"x"})):
			req["id"] = 10 + i
			c.send_msg(req)
			m = c.recv_msg(3)
			t.ok(m.get("type") == "ERROR" and m.get("code") ==
			    "unknown-type" and m.get("id") == 10 + i,
			    "rooms off: %s -> ERROR unknown-type" % req["type"],
			    repr(m))
		c.close()
		t.alive(r, "rooms off")
		t.eq(r.stop(), 0, "rooms off: relay exits 0")


def full_past_idle():
	conf = ("send buffer 32K\nmax message size 16K\nping interval 1\n"
	    "idle timeout 3\nrate limit 100000 per second burst 100000")
	with T.Relay(conf) as r:
		# the stuck client: a tiny receive window, never reads, but
		# keeps sending (pings) so it is not idle
		stuck = T.RawWS(r.port, proto="json", rcvbuf=4096)
		ssk, spk = T.keypair()
		stuck.register(ssk, spk)
		sender = T.RawWS(r.port, proto="json")
		sk, pk = T.keypair()
		sender.register(sk, pk)
		# The kernel's socket buffers take megabytes first (and grow
		# as they go): send until the relay has said busy for 1.5 s
		# without a single delivery in between.
		body = os.urandom(8000)
		busy_since = None
		deadline = time.monotonic() + 40
		i = 0
		while time.monotonic() < deadline:
			i += 1
			sender.send_msg({"type": "SEND", "to": spk, "body": body,
			    "id": i})
			m = sender.recv_msg(3)
			if m.get("type") == "ERROR" and m.get("code") == "busy":
				if busy_since is None:
					busy_since = time.monotonic()
				elif time.monotonic() - busy_since > 1.5:
					break
				time.sleep(0.05)
			else:
				busy_since = None
		t.ok(busy_since is not None, "the stuck client's buffer fills: "
		    "busy (%d messages)" % i)
		# it stays full (messages keep coming) and is not idle (it
		# keeps sending) past the idle timeout (3 s from the first
		# busy); then it reads, within the 2 s the relay waits for a
		# closed session's peer
		start = time.monotonic()
		while time.monotonic() - busy_since < 3.6:
			stuck.send_frame(0x9, b"p")
			i += 1
			sender.send_msg({"type": "SEND", "to": spk, "body": body,
			    "id": i})
			sender.recv_msg(3)
			time.sleep(0.3)
		# now read everything: the close comes after the queued data
		code, _, before = stuck.expect_close(5)
		t.eq(code, 1013, "output full past the idle timeout -> "
		    "close 1013")
		stuck.close()
		sender.close()
		t.alive(r, "after 1013")
		t.eq(r.stop(), 0, "1013: relay exits 0")


def register_with(r, binding):
	"""The reason of a registration with this binding: 'ok' or the
	failure's reason."""
	c = T.RawWS(r.port, proto="json")
	try:
		sk, pk = T.keypair()
		c.register(sk, pk, binding=binding)
		return "ok"
	except T.RegisterFailed as e:
		return e.msg.get("reason")
	finally:
		c.close()


def server_names_reload():
	with T.Relay('server name "a.example"') as r:
		t.eq(register_with(r, "a.example:443"), "ok",
		    "server name a.example: binding a.example:443 registers")
		t.eq(register_with(r, "b.example"), "bad-binding",
		    "server name a.example: binding b.example is bad-binding")
		r.reload('server name "b.example"\nserver name "[::1]"')
		t.eq(register_with(r, "a.example:443"), "bad-binding",
		    "after reload to b.example: a.example is bad-binding")
		t.eq(register_with(r, "B.Example:80"), "ok",
		    "after reload: B.Example:80 registers")
		t.eq(register_with(r, "[::1]:8080"), "ok",
		    "after reload: [::1]:8080 registers")
		r.reload("")
		t.eq(register_with(r, "anything.example"), "ok",
		    "after reload without server names: the binding is not "
		    "examined")
		t.eq(r.stop(), 0, "server names: relay exits 0")


t.parts(("unavailable", unavailable), ("rooms off", rooms_off),
    ("full past idle timeout", full_past_idle),
    ("server names reload", server_names_reload))
t.done()

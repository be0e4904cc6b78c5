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

# Slow clients do not hold the relay (issue #21 item 7d; docs/WIRE.md sections
# 1 and 3): 200 slowloris connections that send an HTTP head a byte at a
# time and never finish it are closed at the handshake timeout (counted
# from the connection, not from the last byte), and 200 upgrades that
# never answer the CHALLENGE get REGISTER_FAILURE "timeout" and close
# 1008 at the registration timeout, while normal clients keep registering
# and getting an ACK quickly.  Afterwards the relay holds no descriptor
# more than before and serves a fresh client.
#
# The attackers come from 127.0.0.2 and 127.0.0.3 (200 each, under the
# default 256 connections per address), the normal clients from
# 127.0.0.1.

import os
import selectors
import socket
import struct
import threading
import time

import swstest as T

t = T.Tap(limit=90)
CONF = "handshake timeout 2\nregistration timeout 2"
TIMEOUT = 2.0
NSLOW = 200
NUNANS = 200
SLOW_SRC = "127.0.0.2"
UNANS_SRC = "127.0.0.3"
TRICKLE = 0.1		# seconds between two bytes of a slowloris head
LATENCY_BOUND = 0.5	# connect + register + SEND/ACK of a normal client
RUN_BOUND = 12.0	# the attack loop ends by then whatever happens


def parse_frames(buf):
	"""Unmasked server frames at the start of buf: ([(opcode,
	payload)], rest)."""
	out = []
	while len(buf) >= 2:
		n = buf[1] & 0x7f
		off = 2
		if n == 126:
			if len(buf) < 4:
				break
			n = struct.unpack("!H", buf[2:4])[0]
			off = 4
		elif n == 127:
			if len(buf) < 10:
				break
			n = struct.unpack("!Q", buf[2:10])[0]
			off = 10
		if len(buf) < off + n:
			break
		out.append((buf[0] & 0x0f, buf[off:off + n]))
		buf = buf[off + n:]
	return out, buf


class Slow:
	def __init__(self, port):
		self.sock = socket.socket()
		self.sock.bind((SLOW_SRC, 0))
		self.sock.connect(("127.0.0.1", port))
		self.t0 = time.monotonic()
		self.sock.setblocking(False)
		self.head = ("GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
		    "Upgrade: websocket\r\nX-Slow: " % port).encode()
		self.sent = 0
		self.got = b""
		self.closed = None	# seconds after connect

	def trickle(self, now):
		b = self.head[self.sent:self.sent + 1] or b"a"
		try:
			if self.sock.send(b) == 1:
				self.sent += 1
		except BlockingIOError:
			pass
		except OSError:
			self.closed = now - self.t0

	def readable(self, now):
		try:
			d = self.sock.recv(4096)
		except BlockingIOError:
			return
		except OSError:
			d = b""
		if d:
			self.got += d
		else:
			self.closed = now - self.t0


class Unanswered:
	def __init__(self, port):
		self.sock = socket.socket()
		self.sock.bind((UNANS_SRC, 0))
		self.sock.connect(("127.0.0.1", port))
		self.sock.sendall(T.upgrade_request(port))
		self.t0 = time.monotonic()
		self.sock.setblocking(False)
		self.buf = b""
		self.status = None
		self.msgs = []		# (seconds after connect, decoded)
		self.close_code = None
		self.closed = None
		self.err = None

	def readable(self, now):
		try:
			d = self.sock.recv(65536)
		except BlockingIOError:
			return
		except OSError as e:
			self.err = repr(e)
			d = b""
		if not d:
			self.closed = now - self.t0
			return
		self.buf += d
		if self.status is None:
			if b"\r\n\r\n" not in self.buf:
				return
			head, self.buf = self.buf.split(b"\r\n\r\n", 1)
			self.status = T.HTTPResponse(head + b"\r\n\r\n").status
		frames, self.buf = parse_frames(self.buf)
		for op, p in frames:
			if op == 1:
				try:
					m = T.decode_msg("json", p.decode())
				except Exception as e:
					m = {"undecodable": repr(p[:80])}
				self.msgs.append((now - self.t0, m))
			elif op == 8:
				self.close_code = struct.unpack("!H", p[:2])[0] \
				    if len(p) >= 2 else None


def attack(r, res, opened):
	sel = selectors.DefaultSelector()
	slow, unans = [], []
	try:
		for i in range(NSLOW):
			s = Slow(r.port)
			slow.append(s)
			sel.register(s.sock, selectors.EVENT_READ, s)
		for i in range(NUNANS):
			u = Unanswered(r.port)
			unans.append(u)
			sel.register(u.sock, selectors.EVENT_READ, u)
	finally:
		res["slow"], res["unans"] = slow, unans
		opened.set()
	start = time.monotonic()
	next_trickle = start
	while time.monotonic() - start < RUN_BOUND:
		now = time.monotonic()
		if now >= next_trickle:
			for s in slow:
				if s.closed is None:
					s.trickle(now)
			next_trickle = now + TRICKLE
		for key, _ in sel.select(max(0.0, next_trickle -
		    time.monotonic())):
			c = key.data
			c.readable(time.monotonic())
			if c.closed is not None:
				sel.unregister(c.sock)
				c.sock.close()
		for s in slow:		# closed by a failed send
			if s.closed is not None and s.sock.fileno() != -1:
				sel.unregister(s.sock)
				s.sock.close()
		if all(c.closed is not None for c in slow + unans):
			break
	for c in slow + unans:
		if c.sock.fileno() != -1:
			c.sock.close()


def normal_client(r):
	"""Connect, register, SEND to self with an id; seconds for each."""
	t0 = time.monotonic()
	with T.RawWS(r.port, source="127.0.0.1", timeout=5) as c:
		sk, pk = T.keypair()
		c.register(sk, pk, r.binding)
		t1 = time.monotonic()
		c.send_msg({"type": "SEND", "to": pk, "body": b"hi", "id": 1})
		got = sorted(m["type"] for m in (c.recv_msg(5), c.recv_msg(5)))
		t2 = time.monotonic()
		if got != ["ACK", "MESSAGE"]:
			raise T.RelayError("normal client got %r" % (got,))
		c.send_close(1000)
	return t1 - t0, t2 - t1, t2 - t0


def nfds(pid):
	try:
		return len(os.listdir("/proc/%d/fd" % pid))
	except OSError:
		return -1


def main(r):
	rpid = r.relay_pid()
	T.alive(r)
	fd0 = nfds(rpid)
	res = {}
	opened = threading.Event()
	th = threading.Thread(target=attack, args=(r, res, opened))
	t_attack = time.monotonic()
	th.start()
	opened.wait(20)
	print("# %d + %d attackers connected in %.2f s" % (NSLOW, NUNANS,
	    time.monotonic() - t_attack), flush=True)
	# normal clients all through the attack, until both timeouts passed
	lats, errs = [], []
	deadline = time.monotonic() + TIMEOUT + 1.0
	while time.monotonic() < deadline and len(lats) + len(errs) < 40:
		try:
			lats.append(normal_client(r))
		except Exception as e:
			errs.append("%s: %s" % (type(e).__name__, e))
		time.sleep(0.1)
	th.join(RUN_BOUND + 5)
	slow, unans = res.get("slow", []), res.get("unans", [])

	t.eq(errs, [], "normal clients during the attack: no failure")
	t.ok(len(lats) >= 10, "%d normal clients registered and were ACKed "
	    "during the attack" % len(lats))
	if lats:
		tot = sorted(x[2] for x in lats)
		print("# normal client latency (connect+register, SEND->ACK, "
		    "total): median %.1f ms, max %.1f ms (register max %.1f ms, "
		    "ACK max %.1f ms)" % (tot[len(tot) // 2] * 1e3, tot[-1] * 1e3,
		    max(x[0] for x in lats) * 1e3, max(x[1] for x in lats) * 1e3),
		    flush=True)
		t.ok(tot[-1] < LATENCY_BOUND, "every normal client registered "
		    "and got its ACK within %.1f s (max %.3f s)" %
		    (LATENCY_BOUND, tot[-1]))

	# slowloris
	t.eq(len(slow), NSLOW, "%d slowloris connections opened" % NSLOW)
	closed = [s.closed for s in slow if s.closed is not None]
	t.eq(len(closed), NSLOW, "every slowloris connection was closed")
	if closed:
		print("# slowloris closed after %.2f .. %.2f s" % (min(closed),
		    max(closed)), flush=True)
	t.ok(closed and TIMEOUT - 0.2 <= min(closed) and max(closed) <=
	    TIMEOUT + 2.0, "... at the handshake timeout %d s, though still "
	    "sending (%.2f .. %.2f s)" % (TIMEOUT, min(closed or [0]),
	    max(closed or [0])))
	sent = [s.sent for s in slow]
	t.ok(sent and min(sent) >= int(TIMEOUT / TRICKLE * 0.5),
	    "... each had sent a byte every %.1f s until then (%d .. %d "
	    "bytes)" % (TRICKLE, min(sent or [0]), max(sent or [0])))
	bad = [s.got[:60] for s in slow if s.got and not
	    s.got.startswith(b"HTTP/1.1 408")]
	t.eq(bad, [], "slowloris: nothing but a 408 before the close")

	# unanswered upgrades
	t.eq(len(unans), NUNANS, "%d unanswered upgrades opened" % NUNANS)
	t.eq([u.status for u in unans].count(101), NUNANS,
	    "every upgrade got 101")
	chal = [u.msgs[0] for u in unans if u.msgs and
	    u.msgs[0][1].get("type") == "CHALLENGE"]
	t.eq(len(chal), NUNANS, "every upgrade got a CHALLENGE first")
	t.eq(len(set(m["challenge"] for _, m in chal)), len(chal),
	    "... each with its own challenge")
	fails = [u for u in unans if len(u.msgs) == 2 and
	    u.msgs[1][1].get("type") == "REGISTER_FAILURE" and
	    u.msgs[1][1].get("reason") == "timeout"]
	t.ok(len(fails) == NUNANS, "every unanswered upgrade got "
	    "REGISTER_FAILURE timeout and nothing else (%d)" % len(fails),
	    repr([(u.msgs, u.closed, u.err, u.buf[:50]) for u in unans
	    if u not in fails][:3]))
	waits = [u.msgs[1][0] - u.msgs[0][0] for u in fails]
	if waits:
		print("# REGISTER_FAILURE timeout %.2f .. %.2f s after the "
		    "CHALLENGE" % (min(waits), max(waits)), flush=True)
	t.ok(waits and TIMEOUT - 0.2 <= min(waits) and max(waits) <=
	    TIMEOUT + 2.0, "... at the registration timeout %d s (%.2f .. "
	    "%.2f s)" % (TIMEOUT, min(waits or [0]), max(waits or [0])))
	t.eq([u.close_code for u in unans].count(1008), NUNANS,
	    "... then close 1008")
	t.eq(len([u for u in unans if u.closed is not None]), NUNANS,
	    "... then the end of the connection")

	# nothing held afterwards
	deadline = time.monotonic() + 5
	while nfds(rpid) > fd0 and time.monotonic() < deadline:
		time.sleep(0.1)
	t.ok(nfds(rpid) <= fd0, "the relay holds no more descriptors than "
	    "before (%d, was %d)" % (nfds(rpid), fd0))
	t.alive(r, "after the slow clients")


try:
	with T.Relay(CONF) as r:
		try:
			main(r)
		finally:
			t.ok(r.running(), "relay still running", r.log()[-2000:])
			t.eq(r.stop(check=False), 0, "relay exits 0")
except Exception as e:
	t.fail_all("slowloris", e)
t.done()

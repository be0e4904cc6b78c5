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

# Unanswered upgrades leave nothing behind (issue #21 item 7e; docs/WIRE.md
# section 3): three rounds of 5,000 upgrades from 20 source addresses
# (127.0.0.10 .. 127.0.0.29, 250 each, under the default 256 per address)
# that take their CHALLENGE and never answer.  Every one gets
# REGISTER_FAILURE "timeout" and close 1008 at the registration timeout,
# then the end of the connection; the relay's and cryptod's resident
# memory after round 3 is not above what it was after round 1 (beyond a
# margin far below what a leak of one challenge or one session per
# connection would add over 10,000 connections); the relay's descriptors
# come back; and the daemon still serves a fresh client.
#
# RSS keeps the heap's high-water mark, so each round is paced to reach
# the same one: the upgrades start at a steady 2,000 per second, all are
# open at once before the first registration timeout (4 s), and they
# time out at the same steady rate (the output buffers of one tick's
# REGISTER_FAILUREs are part of the mark).

import os
import resource
import select
import socket
import struct
import sys
import time

import swstest as T

ROUNDS = 3
PER_ROUND = 5000
SOURCES = ["127.0.0.%d" % i for i in range(10, 30)]
CONCURRENT = 400	# connections waiting for their 101 at once
RATE = 2000		# upgrades started per second
REG_TIMEOUT = 4.0
ROUND_BOUND = 30.0	# seconds; a round that takes longer fails
# Growth allowed from round 1 to round 3.  10,000 connections pass in
# between: a leak of 200 bytes per connection in the relay (a session is
# about 1 KB, its input and output buffers 4 KB and more), or of 50 in
# cryptod (a challenge is 32), goes over.  The relay's margin covers the
# spread of its high-water mark from one round to the next (up to 1.6 MB
# measured, from the output buffers of the busiest tick).
RELAY_MARGIN_KB = 2048
CRYPTOD_MARGIN_KB = 512

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if hard != resource.RLIM_INFINITY and hard < PER_ROUND + 200:
	print("# RLIMIT_NOFILE hard limit %d is too low" % hard)
	sys.exit(77)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

t = T.Tap(limit=200)
# All 5,000 of a round are pending at once, over the default 4,096; the
# admission rates are not what this test measures.
CONF = ("registration timeout 4\nmax connections %d\n"
    "max pending registrations %d\n"
    "handshake rate off\nregistration rate off" %
    (PER_ROUND + 1000, PER_ROUND + 1000))


def parse_frames(buf):
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


class Conn:
	"""One unanswered upgrade, driven by run_round's epoll loop."""
	__slots__ = ("sock", "state", "buf", "t_chal", "t_fail", "reason",
	    "code", "eof", "other", "status")

	def __init__(self, src, port):
		self.sock = socket.socket()
		# IP_BIND_ADDRESS_NO_PORT: the port is chosen at connect
		self.sock.setsockopt(socket.SOL_IP, 24, 1)
		self.sock.bind((src, 0))
		self.sock.setblocking(False)
		self.sock.connect_ex(("127.0.0.1", port))
		self.state = "connecting"
		self.buf = b""
		self.t_chal = self.t_fail = None
		self.reason = self.code = self.status = None
		self.eof = False
		self.other = []

	def connected(self, req):
		"""Writable after connect: send the upgrade; False on error."""
		err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
		if err:
			self.other.append("connect: %s" % os.strerror(err))
			self.eof = True
			return False
		try:
			self.sock.send(req)
		except OSError as e:
			self.other.append("send: %s" % e)
			self.eof = True
			return False
		self.state = "http"
		return True

	def readable(self, now):
		"""Read; returns True when the 101 has just come."""
		try:
			d = self.sock.recv(65536)
		except BlockingIOError:
			return False
		except OSError as e:
			self.other.append("recv: %s" % e)
			d = b""
		if not d:
			self.eof = True
			return False
		self.buf += d
		upgraded = False
		if self.state == "http" and b"\r\n\r\n" in self.buf:
			head, self.buf = self.buf.split(b"\r\n\r\n", 1)
			self.status = T.HTTPResponse(head + b"\r\n\r\n").status
			self.state = "ws"
			upgraded = True
		if self.state == "ws":
			frames, self.buf = parse_frames(self.buf)
			for op, p in frames:
				self.frame(op, p, now)
		return upgraded

	def frame(self, op, p, now):
		if op == 8:
			self.code = struct.unpack("!H", p[:2])[0] if len(p) >= 2 \
			    else None
			try:		# echo the close
				self.sock.send(T.frame(8, p[:2]))
			except OSError:
				pass
			return
		try:
			m = T.decode_msg("json", p.decode())
		except Exception:
			self.other.append(p[:60])
			return
		if m.get("type") == "CHALLENGE" and self.t_chal is None:
			self.t_chal = now
		elif m.get("type") == "REGISTER_FAILURE" and self.t_fail is None:
			self.t_fail = now
			self.reason = m.get("reason")
		else:
			self.other.append(m.get("type"))


def rss_kb(pid):
	st = T.proc_status(pid) or {}
	return int(st.get("VmRSS", "0 kB").split()[0])


def nfds(pid):
	try:
		return len(os.listdir("/proc/%d/fd" % pid))
	except OSError:
		return -1


def run_round(r, rnd, at_peak=None):
	"""One round: PER_ROUND unanswered upgrades; returns the Conns,
	how many were started, the seconds it took, and what at_peak()
	returned when all were open (or None)."""
	peak = None
	ep = select.epoll()
	conns = {}
	done = []
	req = T.upgrade_request(r.port)
	started = waiting = 0
	t0 = time.monotonic()
	while (started < PER_ROUND or conns) and \
	    time.monotonic() - t0 < ROUND_BOUND:
		due = min(PER_ROUND, int((time.monotonic() - t0) * RATE) + 1)
		while started < due and waiting < CONCURRENT:
			c = Conn(SOURCES[started % len(SOURCES)], r.port)
			fd = c.sock.fileno()
			conns[fd] = c
			ep.register(fd, select.EPOLLOUT)
			started += 1
			waiting += 1
		if peak is None and started == PER_ROUND and waiting == 0 and \
		    at_peak is not None:
			peak = (time.monotonic() - t0, len(conns), at_peak())
		for fd, ev in ep.poll(0.005 if started < PER_ROUND else 0.2):
			c = conns[fd]
			if c.state == "connecting":
				if c.connected(req):
					ep.modify(fd, select.EPOLLIN)
			elif c.readable(time.monotonic()):
				waiting -= 1
			if c.eof:
				if c.state != "ws":
					waiting -= 1
				ep.unregister(fd)
				c.sock.close()
				del conns[fd]
				done.append(c)
	for fd, c in conns.items():		# the bound passed
		c.other.append("still open after %.0f s" % ROUND_BOUND)
		c.sock.close()
		done.append(c)
	ep.close()
	el = time.monotonic() - t0
	return done, started, el, peak


def check_round(rnd, done, started, el):
	ok101 = sum(1 for c in done if c.status == 101)
	good = [c for c in done if c.status == 101 and c.t_chal is not None
	    and c.reason == "timeout" and c.code == 1008 and c.eof and
	    not c.other]
	waits = sorted(c.t_fail - c.t_chal for c in good)
	bad = [c for c in done if c not in good]
	print("# round %d: %d connections in %.1f s; REGISTER_FAILURE %.2f .. "
	    "%.2f s after the CHALLENGE" % (rnd, started, el,
	    waits[0] if waits else -1, waits[-1] if waits else -1), flush=True)
	t.eq((started, ok101), (PER_ROUND, PER_ROUND), "round %d: %d "
	    "upgrades, every one 101" % (rnd, PER_ROUND))
	t.ok(len(good) == PER_ROUND, "round %d: every connection got "
	    "CHALLENGE, REGISTER_FAILURE timeout, close 1008, then EOF, and "
	    "nothing else (%d of %d)" % (rnd, len(good), PER_ROUND),
	    "\n".join("status %r chal %r reason %r code %r eof %r other %r" %
	    (c.status, c.t_chal is not None, c.reason, c.code, c.eof,
	    c.other[:3]) for c in bad[:5]))
	t.ok(waits and waits[0] >= REG_TIMEOUT - 0.5 and waits[-1] <=
	    REG_TIMEOUT + 2.5, "round %d: ... at the registration timeout "
	    "(%.2f .. %.2f s)" % (rnd, waits[0] if waits else -1,
	    waits[-1] if waits else -1))


def main(r):
	rpid, cpid = r.relay_pid(), r.cryptod_pid()
	T.alive(r)
	fd0 = nfds(rpid)
	rss = []
	for rnd in range(1, ROUNDS + 1):
		done, started, el, peak = run_round(r, rnd, lambda:
		    (rss_kb(rpid), rss_kb(cpid)))
		check_round(rnd, done, started, el)
		if peak is not None:
			print("# round %d: all upgraded after %.1f s, %d open: relay "
			    "VmRSS %d kB, cryptod %d kB" % (rnd, peak[0], peak[1],
			    peak[2][0], peak[2][1]), flush=True)
		deadline = time.monotonic() + 5
		while nfds(rpid) > fd0 and time.monotonic() < deadline:
			time.sleep(0.1)
		t.ok(nfds(rpid) <= fd0, "round %d: the relay's descriptors came "
		    "back (%d, was %d)" % (rnd, nfds(rpid), fd0))
		time.sleep(1.0)
		rss.append((rss_kb(rpid), rss_kb(cpid)))
		print("# after round %d: relay VmRSS %d kB, cryptod VmRSS %d kB" %
		    (rnd, rss[-1][0], rss[-1][1]), flush=True)
		t.ok(r.running(), "round %d: daemon running" % rnd)
	(r1, c1), (r3, c3) = rss[0], rss[-1]
	t.ok(r3 - r1 <= RELAY_MARGIN_KB, "relay RSS after round %d is not "
	    "above round 1 by more than %d kB (%d -> %d kB)" % (ROUNDS,
	    RELAY_MARGIN_KB, r1, r3))
	t.ok(c3 - c1 <= CRYPTOD_MARGIN_KB, "cryptod RSS after round %d is "
	    "not above round 1 by more than %d kB (%d -> %d kB)" % (ROUNDS,
	    CRYPTOD_MARGIN_KB, c1, c3))
	t.eq((r.relay_pid(), r.cryptod_pid()), (rpid, cpid),
	    "the same relay and cryptod processes throughout")
	t.alive(r, "after %d rounds of unanswered upgrades" % ROUNDS)


try:
	with T.Relay(CONF) as r:
		try:
			main(r)
		finally:
			t.ok(r.running(), "relay still running", r.log()[-2000:])
			t.eq(r.stop(check=False), 0, "relay exits 0")
except Exception as e:
	t.fail_all("unanswered upgrades", e)
t.done()

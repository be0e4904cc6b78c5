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

# A ping flood meets backpressure (issue #21 item 7f; docs/WIRE.md section 5,
# "memory stays bounded by configuration, whatever clients do"): a
# registered client writes 50,000 pings without reading.  The relay
# answers each with a pong, and once its own output to that client is
# over `send buffer` it stops reading from it: the client's writes
# stall, the relay's receive queue for it stays full, and the relay's
# memory stays flat.  Other clients are served meanwhile.  When the
# client reads, every pong arrives, once, in order, with its payload,
# and the flooder's session still works.

import os
import select
import socket
import struct
import time

import swstest as T

t = T.Tap(limit=90)
NPINGS = 50000
PAYLOAD = 32		# 8-byte sequence number and 24 fixed random bytes
SEND_BUFFER = 8192
CONF = "max message size 4K\nsend buffer %d" % SEND_BUFFER
STALL = 1.5		# no progress for this long: the writes stalled
# Growth allowed while stalled: the 50,000 pongs are 1.7 MB; held, the
# relay keeps at most a send buffer of them and one read of pings.
RSS_BOUND_KB = 512


def rss_kb(pid):
	st = T.proc_status(pid) or {}
	return int(st.get("VmRSS", "0 kB").split()[0])


def relay_rx_queue(relay_port, client_port):
	"""Bytes in the relay's receive queue for the client's connection
	(from /proc/net/tcp), or None."""
	want_l = "0100007F:%04X" % relay_port
	want_r = "0100007F:%04X" % client_port
	with open("/proc/net/tcp") as f:
		next(f)
		for l in f:
			p = l.split()
			if p[1] == want_l and p[2] == want_r:
				return int(p[4].split(":")[1], 16)
	return None


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


def main(r):
	rpid = r.relay_pid()
	pad = os.urandom(PAYLOAD - 8)
	pings = b"".join(T.frame(9, struct.pack("!Q", i) + pad)
	    for i in range(NPINGS))
	f = T.RawWS(r.port, rcvbuf=4096)
	f.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
	sk, pk = T.keypair()
	f.register(sk, pk, r.binding)
	cport = f.sock.getsockname()[1]
	rss0 = rss_kb(rpid)
	s = f.sock
	s.setblocking(False)

	# --- flood, not reading ---
	off = 0
	last = t0 = time.monotonic()
	while off < len(pings) and time.monotonic() - last < STALL and \
	    time.monotonic() - t0 < 10:
		try:
			n = s.send(pings[off:off + 65536])
			off += n
			last = time.monotonic()
		except BlockingIOError:
			select.select([], [s], [], 0.1)
	stalled = off < len(pings)
	print("# flood: %d of %d bytes of pings written before the writes "
	    "stalled (%d pings)" % (off, len(pings), off // len(T.frame(9,
	    b"x" * PAYLOAD))), flush=True)
	t.ok(stalled, "the flooder's writes stall: the relay stopped "
	    "reading it (%d of %d bytes written)" % (off, len(pings)))
	rxq = relay_rx_queue(r.port, cport)
	time.sleep(0.3)
	rxq2 = relay_rx_queue(r.port, cport)
	t.ok(rxq and rxq2 and rxq2 >= rxq and rxq > 0, "the relay's receive "
	    "queue for the flooder stays full (%r then %r bytes)" % (rxq,
	    rxq2))
	rss1 = rss_kb(rpid)
	print("# relay VmRSS %d kB before the flood, %d kB while held" %
	    (rss0, rss1), flush=True)
	t.ok(rss1 - rss0 <= RSS_BOUND_KB, "relay memory stays bounded while "
	    "held (%d -> %d kB, bound +%d kB)" % (rss0, rss1, RSS_BOUND_KB))
	t0 = time.monotonic()
	t.check("another client is served while the flooder is held",
	    T.alive, r)
	print("# a fresh client registered and was ACKed in %.1f ms meanwhile"
	    % ((time.monotonic() - t0) * 1e3), flush=True)
	t.ok(r.running(), "daemon running while the flooder is held")

	# --- read: every pong, once, in order ---
	buf = f.buf
	seqs, other, bad = [], [], 0
	deadline = time.monotonic() + 30
	while len(seqs) < NPINGS and time.monotonic() < deadline:
		want_w = [s] if off < len(pings) else []
		rd, wr, _ = select.select([s], want_w, [], 1.0)
		if wr:
			try:
				off += s.send(pings[off:off + 65536])
			except BlockingIOError:
				pass
		if rd:
			try:
				d = s.recv(262144)
			except BlockingIOError:
				continue
			if not d:
				other.append("EOF")
				break
			buf += d
			frames, buf = parse_frames(buf)
			for op, p in frames:
				if op == 10:
					if len(p) != PAYLOAD or p[8:] != pad:
						bad += 1
					seqs.append(struct.unpack("!Q", p[:8])[0])
				else:
					other.append((op, p[:40]))
	print("# read %d pongs, %d bytes of pings written in all" % (len(seqs),
	    off), flush=True)
	t.eq(len(seqs), NPINGS, "every ping got its pong once the client "
	    "read")
	t.ok(seqs == list(range(NPINGS)), "the pongs came in order, each "
	    "once", "first out of place at %r" % (next((i for i, x in
	    enumerate(seqs) if x != i), None),))
	t.eq(bad, 0, "each pong carries its ping's payload")
	t.eq(other, [], "nothing but pongs came")
	rss2 = rss_kb(rpid)
	print("# relay VmRSS %d kB after the pongs" % rss2, flush=True)
	t.ok(rss2 - rss0 <= RSS_BOUND_KB, "relay memory stays bounded after "
	    "the flood (%d -> %d kB)" % (rss0, rss2))

	# the flooder is served as any session
	s.setblocking(True)
	s.settimeout(3)
	f.buf = buf
	body = os.urandom(10)
	f.send_msg({"type": "SEND", "to": pk, "body": body, "id": 1})
	got = [f.recv_msg(3), f.recv_msg(3)]
	t.eq(sorted(m["type"] for m in got), ["ACK", "MESSAGE"],
	    "the flooder's session still routes a SEND to itself")
	f.send_close(1000)
	f.close()
	t.alive(r, "after the ping flood")


def never_reads():
	"""docs/WIRE.md 5: a session that stays full past the idle timeout is
	closed with 1013.  A flooder that does not read is full from the
	moment the relay stops reading it (its own pongs are its output), so
	it is closed too, and does not hold its connection for ever.  Its
	queued output goes first and the relay waits 2 s for it to be read,
	so the client reads once the idle timeout has passed."""
	with T.Relay(CONF + "\nping interval 1\nidle timeout 2") as r:
		pings = b"".join(T.frame(9, b"p" * PAYLOAD) for _ in range(50000))
		f = T.RawWS(r.port, rcvbuf=4096)
		f.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
		sk, pk = T.keypair()
		f.register(sk, pk, r.binding)
		f.sock.setblocking(False)
		start = time.monotonic()
		sent = 0
		while sent < len(pings) and time.monotonic() - start < 1:
			try:
				sent += f.sock.send(pings[sent:sent + 65536])
			except BlockingIOError:
				time.sleep(0.01)
		t.ok(sent < len(pings), "the flooder's writes stalled (%d of %d "
		    "bytes)" % (sent, len(pings)))
		# paused at once: full from then, closed at the first tick past
		# 2 s, its output then waits 2 s more to be read: read at 3.2 s
		time.sleep(3.2 - (time.monotonic() - start))
		f.sock.setblocking(True)
		code, _, before = f.expect_close(5)
		took = time.monotonic() - start
		t.eq(code, 1013, "a flooder that did not read for the idle "
		    "timeout is closed with 1013 (after %d pongs, %.1f s)" %
		    (len(before), took))
		t.ok(all(x.opcode in (9, 10) for x in before), "only pongs (and "
		    "the relay's pings) came before the close")
		f.close()
		t.alive(r, "after closing the flooder")
		t.eq(r.stop(check=False), 0, "relay exits 0")


try:
	with T.Relay(CONF) as r:
		try:
			main(r)
		finally:
			t.ok(r.running(), "relay still running", r.log()[-2000:])
			t.eq(r.stop(check=False), 0, "relay exits 0")
	never_reads()
except Exception as e:
	t.fail_all("ping flood", e)
t.done()

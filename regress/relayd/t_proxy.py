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

# The client's address behind a proxy (docs/WIRE.md section 1, issue 15): a
# `listen ... proxy protocol' listener, which reads a PROXY v1 or v2
# header first, and `trusted proxy', whose X-Forwarded-For or Forwarded
# headers name the client.  Headers are written by hand here, so that
# each bad one can be sent; regress/daemon/t_proxies.py runs the real
# haproxy and nginx.  One daemon for the whole file, two source
# addresses for the proxies (127.0.0.1 trusted, 127.0.0.5 not).

import re
import socket
import struct
import time

import swstest as T

t = T.Tap(limit=60)

V2SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def v1(src, proto="TCP4", dst="127.0.0.1", sport=40000, dport=80):
	return ("PROXY %s %s %s %d %d\r\n" % (proto, src, dst, sport,
	    dport)).encode()


def v2(src, cmd=1, fam=0x11, tlv=b"", sport=40000):
	"""A v2 header: PROXY (cmd 1) over TCP/IPv4 (fam 0x11) by default."""
	if fam == 0x11:
		body = socket.inet_pton(socket.AF_INET, src) + \
		    socket.inet_pton(socket.AF_INET, "127.0.0.1") + \
		    struct.pack("!HH", sport, 80)
	elif fam == 0x21:
		body = socket.inet_pton(socket.AF_INET6, src) + \
		    socket.inet_pton(socket.AF_INET6, "::1") + \
		    struct.pack("!HH", sport, 80)
	else:
		body = b""
	body += tlv
	return V2SIG + bytes([0x20 | cmd, fam]) + struct.pack("!H",
	    len(body)) + body


def upgrade(port, head=b"", source=None, extra=()):
	"""Status of an upgrade sent after head, and the open socket (None
	when the relay closed it without an answer)."""
	s = T._sock(port, 3, source)
	s.sendall(head + T.upgrade_request(port, extra=extra))
	h, rest, eof = T._read_head(s, b"", 3)
	r = T.HTTPResponse(h)
	if r.status is None:
		s.close()
		return None, None, eof
	return r, s, eof


def closed_unanswered(port, data, source=None, wait=3):
	"""Send data; True when the relay closes without a byte."""
	s = T._sock(port, wait, source)
	try:
		s.sendall(data)
	except OSError:
		return True
	got = b""
	deadline = time.monotonic() + wait
	try:
		while time.monotonic() < deadline:
			s.settimeout(deadline - time.monotonic())
			d = s.recv(4096)
			if not d:
				return got == b""
			got += d
	except ConnectionResetError:
		return got == b""
	except socket.timeout:
		return False
	finally:
		s.close()
	return False


pp_port = T.free_port()
conf = ("listen on 127.0.0.1 port %d proxy protocol\n"
    "trusted proxy 127.0.0.1\n"
    "trusted proxy 10.9.0.0/16\n"
    "max connections per address 2\n"
    "handshake timeout 2\n" % pp_port)

try:
	with T.Relay(conf, verbose=True) as r:
		port = r.port

		# --- PROXY protocol -----------------------------------------
		for name, mk in (("v1", lambda a: v1(a)), ("v2", lambda a: v2(a))):
			held = []
			st = []
			for i in range(3):
				resp, s, _ = upgrade(pp_port, mk("192.0.2.10"))
				st.append(resp.status if resp else None)
				if s:
					held.append(s)
			t.ok(st == [101, 101, 503], "PROXY %s: the header's address "
			    "is counted, 2 per address (%r)" % (name, st))
			resp, s, _ = upgrade(pp_port, mk("192.0.2.11"))
			t.ok(resp is not None and resp.status == 101,
			    "PROXY %s: another client address behind the same "
			    "proxy has its own count" % name)
			if s:
				held.append(s)
			for s in held:
				s.close()
			time.sleep(0.3)

		held = []
		st = []
		for i in range(3):
			resp, s, _ = upgrade(pp_port, v2("2001:db8:7:7::%d" % (i + 1),
			    fam=0x21))
			st.append(resp.status if resp else None)
			if s:
				held.append(s)
		t.ok(st == [101, 101, 503], "PROXY v2 IPv6: three addresses of "
		    "one /64 share one count (%r)" % (st,))
		for s in held:
			s.close()

		resp, s, _ = upgrade(pp_port, v2("192.0.2.12", tlv=b"\x04\x00\x02"
		    b"ab" + b"\x05\x00\x00"))
		t.ok(resp is not None and resp.status == 101, "PROXY v2 with "
		    "TLVs is read")
		if s:
			s.close()

		# registration and a message through a PROXY header
		c = T.RawWS(pp_port, request=v1("192.0.2.20") +
		    T.upgrade_request(pp_port, protocols="sws.v1.json"))
		sk, pk = T.keypair()
		c.register(sk, pk, binding=r.binding)
		c.send_msg({"type": "SEND", "to": T.b64e(pk), "body": b"hi",
		    "id": 7})
		got = sorted(c.recv_msg(3)["type"] for _ in range(2))
		t.ok(got == ["ACK", "MESSAGE"], "a session behind PROXY v1 "
		    "registers and routes (%r)" % (got,))
		c.close()

		bad = [
		    ("HTTP without a header", T.upgrade_request(pp_port)),
		    ("v1 with a bad address", b"PROXY TCP4 192.0.2.300 "
			b"127.0.0.1 1 2\r\n"),
		    ("v1 TCP6 with IPv4 addresses", v1("192.0.2.1", "TCP6")),
		    ("v1 port with a leading zero", b"PROXY TCP4 192.0.2.1 "
			b"127.0.0.1 01 2\r\n"),
		    ("v1 oversized (no CRLF by 107 bytes)", b"PROXY UNKNOWN " +
			b"x" * 120),
		    ("v1 with a bare LF", b"PROXY TCP4 192.0.2.1 127.0.0.1 1 "
			b"2\n"),
		    ("v2 version 3", V2SIG + b"\x31\x11\x00\x0c" + b"\x00" * 12),
		    ("v2 length over 1024", V2SIG + b"\x21\x11\x04\x01" +
			b"\x00" * 1025),
		    ("v2 UDP", V2SIG + b"\x21\x12\x00\x0c" + b"\x00" * 12),
		    ("v2 unix socket", V2SIG + b"\x21\x31\x00\xd8" + b"\x00" *
			216),
		    ("v2 TLV past the end", v2("192.0.2.1", tlv=b"\x01\x00\x09"
			b"ab")),
		]
		for name, data in bad:
			t.ok(closed_unanswered(pp_port, data), "PROXY listener: %s: "
			    "closed without an answer" % name)

		t0 = time.monotonic()
		ok = closed_unanswered(pp_port, b"PROXY TCP4 192.0.2.1", wait=5)
		t.ok(ok and time.monotonic() - t0 < 4.5, "a truncated header is "
		    "closed at the handshake timeout (%.1fs)" %
		    (time.monotonic() - t0))
		t.ok(closed_unanswered(pp_port, v2("0.0.0.0", cmd=0, fam=0)) and
		    closed_unanswered(pp_port, b"PROXY UNKNOWN\r\n"),
		    "LOCAL (v2) and UNKNOWN (v1): accepted and closed")
		t.ok(closed_unanswered(pp_port, v1("192.0.2.1"), "127.0.0.5"),
		    "a peer that is not a trusted proxy may not send a PROXY "
		    "header")

		# --- X-Forwarded-For and Forwarded ---------------------------
		def xff_counts(source, headers_for):
			st, held = [], []
			for i in range(3):
				resp, s, _ = upgrade(port, source=source,
				    extra=headers_for(i))
				st.append(resp.status if resp else None)
				if s:
					held.append(s)
			for s in held:
				s.close()
			time.sleep(0.2)
			return st

		st = xff_counts("127.0.0.1", lambda i: ["X-Forwarded-For: "
		    "198.51.100.%d, 198.51.100.7" % i])
		t.ok(st == [101, 101, 503], "trusted proxy: the rightmost "
		    "untrusted X-Forwarded-For address is the client: spoofed "
		    "left entries change nothing (%r)" % (st,))
		st = xff_counts("127.0.0.1", lambda i: ["X-Forwarded-For: "
		    "198.51.100.%d" % (20 + i)])
		t.ok(st == [101, 101, 101], "trusted proxy: three clients, "
		    "three counts (%r)" % (st,))
		st = xff_counts("127.0.0.1", lambda i: ["X-Forwarded-For: "
		    "198.51.100.30, 10.9.1.1", "X-Forwarded-For: 10.9.2.%d" % i])
		t.ok(st == [101, 101, 503], "a chain of trusted hops over two "
		    "lines: the client left of them (%r)" % (st,))
		st = xff_counts("127.0.0.1", lambda i: ['Forwarded: for='
		    '"[2001:db8:9::%d]:4711";proto=http, for=10.9.0.1' % i])
		t.ok(st == [101, 101, 503], "Forwarded: a quoted IPv6 client, "
		    "counted per /64 (%r)" % (st,))
		for i in range(2):
			upgrade(port, source="127.0.0.5")
		st = xff_counts("127.0.0.5", lambda i: ["X-Forwarded-For: "
		    "198.51.100.%d" % (40 + i)])
		t.ok(st == [101, 101, 503], "an untrusted peer's "
		    "X-Forwarded-For is ignored: its own address counts (%r)"
		    % (st,))
		held = []
		for i in range(2):
			resp, s, _ = upgrade(port, source="127.0.0.1",
			    extra=["X-Forwarded-For: 198.51.100.50"])
			held.append(s)
		st = xff_counts("127.0.0.1", lambda i: ["X-Forwarded-For: "
		    "198.51.100.50, not-an-address"])
		t.ok(st == [101, 101, 101], "a malformed X-Forwarded-For counts "
		    "as absent: the proxy's own address, not the one named "
		    "(%r)" % (st,))
		st = xff_counts("127.0.0.1", lambda i: ["X-Forwarded-For: "
		    "198.51.100.50", "Forwarded: for=198.51.100.%d" % (60 + i)])
		t.ok(st == [101, 101, 101], "X-Forwarded-For and Forwarded "
		    "naming different clients: neither believed (%r)" % (st,))
		for s in held:
			if s:
				s.close()

		t.ok(T.alive(r), "relay still serves a fresh client")
		r.stop()
		log = r.log()
		t.ok(re.search(r"192\.0\.2\.10:\d+ on [^:]*: (upgrade "
		    r"refused: HTTP 503: )?over max connections per address",
		    log) is not None, "the log names the client "
		    "behind the proxy, not the proxy", "\n".join(l for l in
		    log.splitlines() if "192.0.2.10" in l or "suppressed" in l))
		m = re.search(r"(\d+) bad PROXY headers, (\d+) PROXY health "
		    r"checks, (\d+) unusable forwarding headers", log)
		t.ok(m is not None and int(m.group(1)) >= len(bad) + 2 and
		    int(m.group(2)) == 2 and int(m.group(3)) >= 2,
		    "bad headers and health checks are counted (%s)" %
		    (m.group(0) if m else "no count line"))
except T.RelayError as e:
	t.ok(False, "relay: %s" % e)
t.done()

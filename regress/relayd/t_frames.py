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

# RFC 6455 framing against the real daemon (docs/WIRE.md section 5): hand-made
# frames on plain sockets, valid and invalid, on the echo endpoint and on
# the relay path; then echo through the `websockets` library.  Every
# violation must give the exact close code, the connection must end, and
# a fresh client must still be served.

import asyncio
import os
import socket
import struct
import time

import swstest as T

MAX = 4096
CONF = '''echo path "/echo"
max message size 4K
'''

t = T.Tap(limit=200)
TEXT, BIN, CLOSE, PING, PONG, CONT = 1, 2, 8, 9, 10, 0


def echo(relay):
	return T.RawWS(relay.port, path="/echo", proto=None)


def expect_code(relay, desc, c, want, alive=True):
	code, reason, before = c.expect_close(3)
	t.eq(code, want, "%s -> close %s" % (desc, want))
	if code not in (-1, -2):
		# RFC 6455 7.1.1: the server closes the TCP connection first,
		# once it has sent (and here received or not) the close.
		try:
			c.send_close(code if T_valid(code) else 1000)
		except OSError:
			pass
		t.ok(c.eof(2), "%s: TCP connection closed after the close" %
		    desc)
	c.close()
	if alive:
		t.alive(relay, desc)


def T_valid(code):
	return code is not None and (1000 <= code <= 1003 or 1007 <= code
	    <= 1014 or 3000 <= code <= 4999)


def violation(relay, desc, frames, want, path="/echo", alive=True):
	"""Send frames (bytes or list) on a new connection, expect close."""
	try:
		if path == "/echo":
			c = echo(relay)
		else:
			c = T.RawWS(relay.port, path=path, proto="json")
			c.recv_msg()		# CHALLENGE
	except Exception as e:
		t.ok(False, "%s -> close %s" % (desc, want), "connect: %s" % e)
		return
	try:
		if isinstance(frames, (bytes, bytearray)):
			frames = [frames]
		for f in frames:
			c.send(f)
	except OSError as e:
		pass
	expect_code(relay, desc, c, want, alive)


def rest_after_close(relay):
	"""A ping refused from its first two bytes (126 or more), whose rest
	comes after the relay's close, in pieces: the relay reads on only to
	find the client's close, and must not take the rest for the frame it
	refused (that filled the 125 bytes kept for a control payload past
	their end)."""
	desc = "ping of 300 bytes, the rest sent after the close"
	fr = T.frame(PING, b"p" * 300)
	c = echo(relay)
	c.send(fr[:2])
	code, _, _ = c.expect_close(3)
	t.eq(code, 1002, "%s -> close 1002" % desc)
	try:
		c.send(fr[2:108])
		time.sleep(0.1)
		c.send(fr[108:])
	except OSError:
		pass
	t.ok(c.eof(3), "%s: TCP connection closed" % desc)
	c.close()
	t.alive(relay, desc)


def echo_case(relay, desc, frames, want_op, want_payload):
	"""Send frames on /echo, expect one whole data frame back."""
	try:
		with echo(relay) as c:
			for f in frames:
				c.send(f)
			got = c.recv_frame(3)
			ok = (got.opcode == want_op and got.fin and got.payload ==
			    want_payload and not got.masked and got.rsv == 0)
			t.ok(ok, desc, "got %r" % (got,))
	except Exception as e:
		t.ok(False, desc, "%s: %s" % (type(e).__name__, e))


def fragments(op, data, n):
	"""data split into n frames of a message of opcode op."""
	step = max(1, (len(data) + n - 1) // n) if data else 0
	out = []
	for i in range(n):
		part = data[i * step:(i + 1) * step] if step else b""
		out.append(T.frame(op if i == 0 else CONT, part, fin=(i == n - 1)))
	return out


def main(relay):
	f = T.frame
	# --- echo basics ---
	echo_case(relay, "echo: text comes back verbatim",
	    [f(TEXT, "hello, relay")], TEXT, b"hello, relay")
	echo_case(relay, "echo: binary comes back verbatim",
	    [f(BIN, bytes(range(256)))], BIN, bytes(range(256)))
	echo_case(relay, "echo: empty text", [f(TEXT, b"")], TEXT, b"")
	echo_case(relay, "echo: empty binary", [f(BIN, b"")], BIN, b"")
	echo_case(relay, "echo: 126-byte binary (16-bit length)",
	    [f(BIN, b"x" * 126)], BIN, b"x" * 126)
	echo_case(relay, "echo: fragmented text in 3 frames, whole out",
	    fragments(TEXT, b"abcdefghi", 3), TEXT, b"abcdefghi")
	echo_case(relay, "echo: fragmented binary with empty fragments",
	    [f(BIN, b"", fin=False), f(CONT, b"\x00\x01", fin=False),
	    f(CONT, b"", fin=True)], BIN, b"\x00\x01")
	u = "h\u00e9llo \u20ac \U0001f600".encode("utf-8")
	# split inside the multi-byte sequences
	echo_case(relay, "echo: UTF-8 split inside characters across "
	    "fragments", [f(TEXT, u[:2], fin=False), f(CONT, u[2:9], fin=False),
	    f(CONT, u[9:13], fin=False), f(CONT, u[13:], fin=True)], TEXT, u)
	echo_case(relay, "echo: text of exactly max message size (4096)",
	    [f(TEXT, b"a" * MAX)], TEXT, b"a" * MAX)
	echo_case(relay, "echo: 4096 bytes in 64 fragments",
	    fragments(BIN, b"\x07" * MAX, 64), BIN, b"\x07" * MAX)

	# --- ping / pong ---
	for desc, payload in (("ping with payload", b"abc"),
	    ("empty ping", b""), ("125-byte ping", os.urandom(125))):
		try:
			with echo(relay) as c:
				c.send_frame(PING, payload)
				got = c.recv_frame(3)
				t.ok(got.opcode == PONG and got.payload == payload and
				    got.fin, "echo: %s answered by pong with the same "
				    "payload" % desc, repr(got))
		except Exception as e:
			t.ok(False, "echo: %s answered by pong" % desc, repr(e))
	try:
		with echo(relay) as c:
			c.send(f(TEXT, b"part1-", fin=False))
			c.send(f(PING, b"mid"))
			c.send(f(CONT, b"part2", fin=False))
			c.send(f(PONG, b"unsolicited"))
			c.send(f(CONT, b"-end", fin=True))
			got = [c.recv_frame(3), c.recv_frame(3)]
			pong = [g for g in got if g.opcode == PONG]
			txt = [g for g in got if g.opcode == TEXT]
			t.ok(len(pong) == 1 and pong[0].payload == b"mid",
			    "echo: ping between fragments answered", repr(got))
			t.ok(len(txt) == 1 and txt[0].payload ==
			    b"part1-part2-end" and txt[0].fin,
			    "echo: message with interleaved ping and pong "
			    "reassembled", repr(got))
	except Exception as e:
		t.ok(False, "echo: ping between fragments", repr(e))

	# --- close handshake ---
	for desc, code, reason in (("close 1000 with reason", 1000, b"bye"),
	    ("close 1001", 1001, b""), ("close 4321 (private range)", 4321,
	    b"x"), ("close 3000", 3000, b"")):
		try:
			c = echo(relay)
			c.send_close(code, reason)
			got, r, before = c.expect_close(3)
			t.eq(got, code, "echo: %s echoed" % desc)
			t.ok(c.eof(2), "echo: %s: TCP closed by the relay" % desc)
			c.close()
		except Exception as e:
			t.ok(False, "echo: %s" % desc, repr(e))
	try:
		c = echo(relay)
		c.send_frame(CLOSE, b"")
		got, r, before = c.expect_close(3)
		t.ok(got in (None, 1000), "echo: empty close answered (empty or "
		    "1000)", "got %r" % got)
		t.ok(c.eof(2), "echo: empty close: TCP closed by the relay")
		c.close()
	except Exception as e:
		t.ok(False, "echo: empty close", repr(e))
	try:
		c = echo(relay)
		c.send_close(1000)
		c.send(f(TEXT, b"after close"))
		got, r, before = c.expect_close(3)
		t.ok(got == 1000 and not [x for x in before if x.opcode == TEXT],
		    "echo: data after close is not echoed", repr((got, before)))
		c.close()
	except Exception as e:
		t.ok(False, "echo: data after close", repr(e))
	t.alive(relay, "after the close handshakes")

	# --- protocol violations -> 1002 ---
	violation(relay, "unmasked client frame", f(TEXT, b"hi", mask=False),
	    1002)
	for bit, name in ((4, "RSV1"), (2, "RSV2"), (1, "RSV3")):
		violation(relay, "%s set on text" % name, f(TEXT, b"hi", rsv=bit),
		    1002)
	violation(relay, "RSV1 set on a ping", f(PING, b"", rsv=4), 1002)
	for op in (3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf):
		violation(relay, "reserved opcode 0x%x" % op, f(op, b"x"), 1002,
		    alive=(op in (3, 0xb, 0xf)))
	violation(relay, "ping of 126 bytes", f(PING, b"p" * 126), 1002)
	violation(relay, "close of 126 bytes", f(CLOSE, b"\x03\xe8" + b"r" *
	    124), 1002)
	rest_after_close(relay)
	violation(relay, "fragmented ping", [f(PING, b"a", fin=False),
	    f(CONT, b"b")], 1002)
	violation(relay, "fragmented close", f(CLOSE, b"\x03\xe8", fin=False),
	    1002)
	violation(relay, "continuation without a start", f(CONT, b"x"), 1002)
	violation(relay, "final continuation without a start",
	    f(CONT, b"x", fin=True), 1002, alive=False)
	violation(relay, "new text inside a fragmented message",
	    [f(TEXT, b"a", fin=False), f(TEXT, b"b")], 1002)
	violation(relay, "64-bit length with the top bit set",
	    f(BIN, b"", length=1 << 63, lenform=64), 1002)
	violation(relay, "64-bit length 2^64-1", f(BIN, b"", length=(1 << 64)
	    - 1, lenform=64), 1002, alive=False)
	violation(relay, "non-minimal 16-bit length for 5 bytes",
	    f(BIN, b"12345", lenform=16), 1002)
	violation(relay, "non-minimal 64-bit length for 200 bytes",
	    f(BIN, b"z" * 200, lenform=64), 1002, alive=False)
	violation(relay, "close with a 1-byte payload", f(CLOSE, b"\x03"),
	    1002)
	for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999,
	    5000, 65535):
		violation(relay, "close with invalid code %d" % code,
		    f(CLOSE, T.close_payload(code)), 1002,
		    alive=code in (1005, 1015, 5000))

	# --- UTF-8 -> 1007 ---
	violation(relay, "invalid UTF-8 split across fragments",
	    [f(TEXT, b"ok \xe2\x82", fin=False), f(CONT, b"\x28 bad")], 1007)
	violation(relay, "invalid UTF-8 byte 0xff", f(TEXT, b"a\xffb"), 1007)
	violation(relay, "overlong UTF-8 (C0 80)", f(TEXT, b"\xc0\x80"), 1007,
	    alive=False)
	violation(relay, "UTF-8 surrogate (ED A0 80)", f(TEXT, b"\xed\xa0\x80"),
	    1007, alive=False)
	violation(relay, "UTF-8 above U+10FFFF", f(TEXT, b"\xf4\x90\x80\x80"),
	    1007, alive=False)
	violation(relay, "text ending inside a character",
	    [f(TEXT, b"abc\xe2", fin=False), f(CONT, b"\x82", fin=True)], 1007)
	violation(relay, "close reason with invalid UTF-8",
	    f(CLOSE, T.close_payload(1000, b"\xc3\x28")), 1007)
	# invalid UTF-8 in a binary message is fine
	echo_case(relay, "echo: binary with non-UTF-8 bytes is not checked",
	    [f(BIN, b"\xff\xc0\x80")], BIN, b"\xff\xc0\x80")

	# --- size limits -> 1009 ---
	violation(relay, "text of max+1 (4097) bytes", f(TEXT, b"a" * (MAX +
	    1)), 1009)
	violation(relay, "fragmented message of 4097 bytes",
	    fragments(BIN, b"b" * (MAX + 1), 5), 1009)
	# The echo endpoint is plain WebSocket: sws/1's cap of 64 data frames
	# per message is for the relay path (tested below); Autobahn's 9.3
	# and 9.4 send 4 MiB in frames of 64 bytes.
	echo_case(relay, "echo: 65 fragments of 1 byte",
	    fragments(BIN, b"c" * 65, 65), BIN, b"c" * 65)
	echo_case(relay, "echo: 65 empty fragments",
	    fragments(TEXT, b"", 65), TEXT, b"")
	echo_case(relay, "echo: 4096 bytes in 1024 fragments of 4",
	    fragments(TEXT, b"e" * MAX, 1024), TEXT, b"e" * MAX)
	# The header alone announces too much: the close must come without
	# the payload ever being sent (limit checked before allocation).
	violation(relay, "header announcing 1 MiB, no payload sent",
	    f(BIN, b"", length=1 << 20, lenform=64), 1009)
	violation(relay, "header announcing 2^62, no payload sent",
	    f(BIN, b"", length=1 << 62, lenform=64), 1009, alive=False)
	echo_case(relay, "echo: 64 fragments still fine after the limits",
	    fragments(TEXT, b"d" * 64, 64), TEXT, b"d" * 64)

	# --- the relay path ---
	P = "/"
	violation(relay, "relay path: unmasked frame", f(TEXT, b"{}",
	    mask=False), 1002, path=P)
	violation(relay, "relay path: RSV1", f(TEXT, b"{}", rsv=4), 1002,
	    path=P)
	violation(relay, "relay path: reserved opcode 0x3", f(3, b""), 1002,
	    path=P)
	violation(relay, "relay path: continuation without start",
	    f(CONT, b"x"), 1002, path=P)
	violation(relay, "relay path: invalid UTF-8 across fragments",
	    [f(TEXT, b'{"type":"\xe2', fin=False), f(CONT, b'\x28"}')], 1007,
	    path=P)
	violation(relay, "relay path: 4097-byte message", f(TEXT, b" " *
	    (MAX + 1)), 1009, path=P)
	violation(relay, "relay path: 65 fragments", fragments(TEXT,
	    b" " * 65, 65), 1009, path=P)
	violation(relay, "relay path: invalid close code 1005",
	    f(CLOSE, T.close_payload(1005)), 1002, path=P)
	try:
		with T.RawWS(relay.port, proto="json") as c:
			c.recv_msg()
			c.send_frame(PING, b"relay-ping")
			g = c.recv_frame(3)
			t.ok(g.opcode == PONG and g.payload == b"relay-ping",
			    "relay path: ping answered by pong before registration",
			    repr(g))
	except Exception as e:
		t.ok(False, "relay path: ping before registration", repr(e))
	try:
		with T.RawWS(relay.port, proto="json") as c:
			chal = c.recv_msg()
			sk, pk = T.keypair()
			resp = T.encode_msg("json", T.challenge_response(chal, sk, pk,
			    "127.0.0.1:%d" % relay.port)).encode()
			c.send(f(TEXT, resp[:10], fin=False))
			c.send(f(PING, b"p1"))
			c.send(f(CONT, resp[10:50], fin=False))
			c.send(f(CONT, resp[50:], fin=True))
			g = c.recv_frame(3)
			t.ok(g.opcode == PONG and g.payload == b"p1",
			    "relay path: ping inside a fragmented message", repr(g))
			m = c.recv_msg()
			t.eq(m.get("type"), "REGISTER_SUCCESS",
			    "relay path: fragmented CHALLENGE_RESPONSE registers")
			c.send_close(1000, b"done")
			code, r, before = c.expect_close(3)
			t.eq(code, 1000, "relay path: close handshake echoes 1000")
			t.ok(c.eof(2), "relay path: TCP closed after the close")
	except Exception as e:
		t.ok(False, "relay path: fragmented registration", repr(e))
	try:
		with T.RawWS(relay.port, proto="msgpack") as c:
			chal = c.recv_msg()
			sk, pk = T.keypair()
			c.send_msg(T.challenge_response(chal, sk, pk, "x"))
			m = c.recv_msg()
			t.eq(m.get("type"), "REGISTER_SUCCESS",
			    "relay path: msgpack registration over raw frames")
			# a session after registration: a ping is still answered
			c.send_frame(PING, b"after")
			g = c.recv_frame(3)
			t.ok(g.opcode == PONG and g.payload == b"after",
			    "relay path: ping answered after registration", repr(g))
			c.send(f(BIN, b"\x80" * 10, rsv=2))
			code, r, before = c.expect_close(3)
			t.eq(code, 1002, "relay path: RSV2 after registration -> "
			    "1002")
	except Exception as e:
		t.ok(False, "relay path: after registration", repr(e))
	t.alive(relay, "after the relay path cases")
	t.alive(relay, "after the relay path cases (msgpack)", "msgpack")

	# --- the websockets library on /echo ---
	async def lib_echo():
		bad = []
		ws = await T.connect(relay.url + "echo", proto=None)
		try:
			for n in (0, 1, 125, 126, 127, 1000, 4095, 4096):
				tx = ("\u00e9" * (n // 2) + "a" * (n % 2))
				await ws.send(tx)
				rx = await asyncio.wait_for(ws.recv(), 3)
				if rx != tx:
					bad.append(("text", n))
				bx = os.urandom(n)
				await ws.send(bx)
				rx = await asyncio.wait_for(ws.recv(), 3)
				if rx != bx:
					bad.append(("binary", n))
			# a fragmented message from the library (iterable)
			await ws.send([b"ab", b"cd", b"ef"])
			rx = await asyncio.wait_for(ws.recv(), 3)
			if rx != b"abcdef":
				bad.append(("fragmented", rx))
			pong = await ws.ping(b"lib")
			await asyncio.wait_for(pong, 3)
		finally:
			await ws.close()
		if bad:
			raise T.RelayError("mismatches: %r" % bad)
		return ws.close_code == 1000
	t.check("websockets: echo of text and binary up to max size, "
	    "fragments, ping, clean close", lambda: T.arun(lib_echo()))

	async def lib_big():
		ws = await T.connect(relay.url + "echo", proto=None)
		await ws.send(b"q" * (MAX + 1))
		code, msgs = await T.close_code(ws, 3)
		return code
	t.check("websockets: 4097-byte message closes with 1009",
	    lambda: T.arun(lib_big()) == 1009)
	t.alive(relay, "at the end")


try:
	with T.Relay(CONF) as relay:
		try:
			main(relay)
		finally:
			t.ok(relay.running(), "relay still running at the end",
			    relay.log()[-2000:])
			rc = relay.stop(check=False)
			t.eq(rc, 0, "relay exits 0 on SIGTERM")
except T.TestTimeout as e:
	t.ok(False, str(e))
except Exception as e:
	t.fail_all("relay harness", e)
t.done()

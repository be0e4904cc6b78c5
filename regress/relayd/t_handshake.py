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

# HTTP side of the opening handshake (docs/WIRE.md section 1, RFC 6455 4.2):
# answers and their order, subprotocol choice, no extension,
# Sec-WebSocket-Accept, limits on the head, the handshake timeout.
# Each refused request is followed by a check that a fresh client is
# still served.

import asyncio
import socket
import time

import swstest as T

ORIGIN = "https://chat.example.org"
CONF = '''origin "%s"
echo path "/echo"
handshake timeout 2
''' % ORIGIN

t = T.Tap(limit=150)


def req(relay, **kw):
	return T.upgrade_request(relay.port, **kw)


def status_case(relay, desc, data, want, headers=None, alive=True):
	"""Send data, check the status is in want (int or tuple), optional
	headers {name: value}, that the connection is closed, and that the
	relay still serves."""
	if isinstance(want, int):
		want = (want,)
	try:
		r = T.http_request(relay.port, data)
	except Exception as e:
		t.ok(False, "%s -> %s" % (desc, want), "%s: %s" % (
		    type(e).__name__, e))
		return None
	t.ok(r.status in want, "%s -> %s" % (desc, "/".join(map(str, want))),
	    "got %r" % (r,))
	for k, v in (headers or {}).items():
		got = r.header(k)
		t.ok(got is not None and v.lower() in [x.strip().lower() for x in
		    got.split(",")], "%s: answer has %s: %s" % (desc, k, v),
		    "got %r" % (got,))
	if r.status is not None and r.status != 101:
		t.ok(r.eof, "%s: connection closed after the answer" % desc,
		    "still open after 1 s")
	if alive:
		t.alive(relay, desc)
	return r


def upgrade_ok(relay, desc, data):
	"""Send an upgrade, expect 101; return (response, socket, rest)."""
	s = socket.create_connection(("127.0.0.1", relay.port), timeout=3)
	s.sendall(data)
	head, rest, eof = T._read_head(s, b"", 3)
	r = T.HTTPResponse(head)
	t.ok(r.status == 101, "%s -> 101" % desc, "got %r" % (r,))
	return r, s, rest


def first_message(s, rest, timeout=3):
	"""Read the first frame after a 101 on a raw socket: (opcode, payload)."""
	buf = rest
	s.settimeout(timeout)
	deadline = time.monotonic() + timeout
	while True:
		if len(buf) >= 2:
			n = buf[1] & 0x7f
			off = 2
			if n == 126 and len(buf) >= 4:
				n = int.from_bytes(buf[2:4], "big")
				off = 4
			elif n == 127 and len(buf) >= 10:
				n = int.from_bytes(buf[2:10], "big")
				off = 10
			if n < 126 or off > 2:
				if len(buf) >= off + n:
					return buf[0] & 0x0f, buf[off:off + n]
		if time.monotonic() > deadline:
			return None, None
		d = s.recv(65536)
		if not d:
			return None, None
		buf += d


def main(relay):
	port = relay.port

	# --- 404, 426 ---
	status_case(relay, "upgrade on another path", req(relay,
	    path="/nope"), 404)
	status_case(relay, "plain GET on another path (no upgrade)",
	    b"GET /other HTTP/1.1\r\nHost: x\r\n\r\n", 404)
	status_case(relay, "GET without Upgrade", ("GET / HTTP/1.1\r\n"
	    "Host: 127.0.0.1:%d\r\n\r\n" % port).encode(), 426,
	    {"Upgrade": "websocket"})
	status_case(relay, "Upgrade: h2c instead of websocket",
	    req(relay, upgrade="h2c"), 426, {"Upgrade": "websocket"})
	status_case(relay, "Sec-WebSocket-Version: 8", req(relay, version="8"),
	    426, {"Sec-WebSocket-Version": "13"})
	status_case(relay, "Sec-WebSocket-Version: 14", req(relay,
	    version="14"), 426, {"Sec-WebSocket-Version": "13"})
	# The spec names both; a missing version is unsupported or malformed.
	status_case(relay, "no Sec-WebSocket-Version", req(relay,
	    version=None), (400, 426))

	# --- 400: malformed upgrades ---
	status_case(relay, "POST upgrade", req(relay, method="POST"), 400)
	status_case(relay, "PUT upgrade", req(relay, method="PUT"), 400)
	status_case(relay, "no Sec-WebSocket-Key", req(relay, key=False), 400)
	status_case(relay, "Sec-WebSocket-Key not base64", req(relay,
	    key="not a valid key!!!!!!!!"), 400)
	status_case(relay, "Sec-WebSocket-Key of 15 bytes", req(relay,
	    key="AAAAAAAAAAAAAAAAAAAA"), 400)
	status_case(relay, "Sec-WebSocket-Key of 17 bytes", req(relay,
	    key="AAAAAAAAAAAAAAAAAAAAAAA="), 400)
	status_case(relay, "empty Sec-WebSocket-Key", req(relay, key=""), 400)
	status_case(relay, "two Sec-WebSocket-Key headers", req(relay,
	    extra=["Sec-WebSocket-Key: %s" % T.ws_key()]), 400)
	status_case(relay, "no Connection header", req(relay,
	    connection=None), 400)
	status_case(relay, "Connection: keep-alive", req(relay,
	    connection="keep-alive"), 400)
	status_case(relay, "header line without colon", req(relay,
	    extra=["X-Broken header line"]), 400)
	status_case(relay, "space before colon", req(relay,
	    extra=["X-Space : 1"]), 400)
	status_case(relay, "NUL in a header value", req(relay,
	    extra=["X-Nul: a\0b"]), 400)
	status_case(relay, "obs-fold continuation line", req(relay,
	    extra=["X-Fold: a", " b"]), 400)
	status_case(relay, "no Host header", req(relay, host=False), 400)
	status_case(relay, "HTTP/1.0 upgrade", req(relay, http="HTTP/1.0"),
	    400)
	status_case(relay, "garbage request line", b"GARBAGE\r\n\r\n", 400)
	status_case(relay, "request line with bad version",
	    b"GET / HTTQ/1.1\r\nHost: x\r\n\r\n", 400)

	# --- 403: Origin ---
	status_case(relay, "foreign Origin", req(relay,
	    origin="https://evil.example.org"), 403)
	status_case(relay, "Origin differing in case", req(relay,
	    origin=ORIGIN.upper()), 403)
	status_case(relay, "Origin with trailing slash", req(relay,
	    origin=ORIGIN + "/"), 403)
	r, s, rest = upgrade_ok(relay, "configured Origin", req(relay,
	    origin=ORIGIN))
	s.close()
	r, s, rest = upgrade_ok(relay, "no Origin (not a browser)", req(relay))
	s.close()
	# Order: a foreign origin on another path is still 404.
	status_case(relay, "foreign Origin on another path", req(relay,
	    path="/x", origin="https://evil.example.org"), 404, alive=False)

	# --- subprotocols ---
	status_case(relay, "only unknown subprotocol", req(relay,
	    protocols="chat"), 400)
	status_case(relay, "several unknown subprotocols", req(relay,
	    protocols="chat, superchat"), 400)
	status_case(relay, "malformed subprotocol list (space in token)",
	    req(relay, protocols="sws.v1.json, sws v1"), 400)
	status_case(relay, "malformed subprotocol list (separator char)",
	    req(relay, protocols="sws.v1.json, a@b"), 400)
	status_case(relay, "empty subprotocol header", req(relay,
	    protocols=""), 400)
	status_case(relay, "subprotocol case differs (sws.V1.JSON)",
	    req(relay, protocols="sws.V1.JSON"), 400)

	for offered, want, op in (
	    ("sws.v1.json", "sws.v1.json", 1),
	    ("sws.v1.msgpack", "sws.v1.msgpack", 2),
	    ("sws.v1.msgpack, sws.v1.json", "sws.v1.msgpack", 2),
	    ("sws.v1.json, sws.v1.msgpack", "sws.v1.json", 1),
	    ("chat, sws.v1.msgpack, sws.v1.json", "sws.v1.msgpack", 2),
	    ("chat,sws.v1.json", "sws.v1.json", 1)):
		r, s, rest = upgrade_ok(relay, "offer %r" % offered,
		    req(relay, protocols=offered))
		t.eq(r.header("Sec-WebSocket-Protocol"), want,
		    "offer %r: answer names %s" % (offered, want))
		got, payload = first_message(s, rest)
		t.eq(got, op, "offer %r: CHALLENGE comes as %s" % (offered,
		    "text" if op == 1 else "binary"))
		s.close()
	# Offers spread over two header lines form one list.
	r, s, rest = upgrade_ok(relay, "offer on two header lines",
	    req(relay, protocols="chat", extra=[
	    "Sec-WebSocket-Protocol: sws.v1.msgpack"]))
	t.eq(r.header("Sec-WebSocket-Protocol"), "sws.v1.msgpack",
	    "offer on two header lines: msgpack chosen")
	s.close()
	r, s, rest = upgrade_ok(relay, "no subprotocol offered", req(relay))
	t.eq(r.header("Sec-WebSocket-Protocol"), None,
	    "no subprotocol offered: no Sec-WebSocket-Protocol in the answer")
	op, payload = first_message(s, rest)
	ok = op == 1
	try:
		m = T.decode_msg("json", payload.decode("utf-8"))
		ok = ok and m.get("type") == "CHALLENGE"
	except Exception as e:
		ok, payload = False, "%r %r" % (payload, e)
	t.ok(ok, "no subprotocol offered: JSON CHALLENGE in a text frame",
	    "got op %r %r" % (op, payload))
	s.close()

	# --- 101 details ---
	key = "dGhlIHNhbXBsZSBub25jZQ=="
	r, s, rest = upgrade_ok(relay, "RFC 6455 sample key", req(relay,
	    key=key))
	s.close()
	t.eq(r.header("Sec-WebSocket-Accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
	    "Sec-WebSocket-Accept for the RFC 6455 sample key")
	t.ok(r.status_line.startswith("HTTP/1.1 101"),
	    "status line is HTTP/1.1 101", r.status_line)
	t.ok((r.header("Upgrade") or "").lower() == "websocket",
	    "101 has Upgrade: websocket", r.header("Upgrade"))
	t.ok("upgrade" in (r.header("Connection") or "").lower(),
	    "101 has Connection: Upgrade", r.header("Connection"))
	for i in range(3):
		key = T.ws_key()
		r, s, rest = upgrade_ok(relay, "random key %d" % i, req(relay,
		    key=key))
		s.close()
		t.eq(r.header("Sec-WebSocket-Accept"), T.accept_for(key),
		    "Sec-WebSocket-Accept for a random key %d" % i)
	r, s, rest = upgrade_ok(relay, "permessage-deflate offered", req(relay,
	    extra=["Sec-WebSocket-Extensions: permessage-deflate; "
	    "client_max_window_bits", "Sec-WebSocket-Extensions: x-webkit-"
	    "deflate-frame"]))
	s.close()
	t.eq(r.header("Sec-WebSocket-Extensions"), None,
	    "no extension negotiated when permessage-deflate is offered")
	r, s, rest = upgrade_ok(relay, "query string ignored", req(relay,
	    path="/?a=1&b=2"))
	s.close()
	r, s, rest = upgrade_ok(relay, "header names in odd case", req(relay,
	    extra=[]).replace(b"Sec-WebSocket-Key", b"sec-websocket-KEY")
	    .replace(b"Upgrade: websocket", b"UPGRADE: WebSocket")
	    .replace(b"Connection: Upgrade", b"connection: keep-alive, upgrade"))
	s.close()
	r, s, rest = upgrade_ok(relay, "echo path upgrade", req(relay,
	    path="/echo"))
	s.close()

	# --- head limits ---
	pad = "X-Pad: " + "a" * (9 * 1024)
	status_case(relay, "9 KiB header", req(relay, extra=[pad]), (431, 400))
	many = ["X-H%d: v" % i for i in range(70)]
	status_case(relay, "70 header lines", req(relay, extra=many),
	    (431, 400))
	# Within the limits: 64 header lines in all, and ~7.5 KiB.
	base = req(relay).count(b"\r\n") - 2	# header lines of req()
	fill = ["X-H%d: v" % i for i in range(64 - base)]
	r, s, rest = upgrade_ok(relay, "exactly 64 header lines",
	    req(relay, extra=fill))
	s.close()
	r, s, rest = upgrade_ok(relay, "7.5 KiB head", req(relay,
	    extra=["X-Pad: " + "b" * 7500]))
	s.close()
	t.alive(relay, "after the head-limit cases")

	# --- the websockets library ---
	async def lib():
		import websockets
		ws = await websockets.connect(relay.url, subprotocols=[
		    "sws.v1.msgpack", "sws.v1.json"], compression="deflate",
		    open_timeout=5, ping_interval=None)
		try:
			return (ws.subprotocol, [type(e).__name__ for e in
			    ws.extensions])
		finally:
			await ws.close()
	t.check("websockets client offering deflate: msgpack chosen, no "
	    "extension", lambda: T.arun(lib()) == ("sws.v1.msgpack", []))

	async def lib404():
		import websockets
		try:
			ws = await websockets.connect(relay.url + "nope",
			    open_timeout=5, ping_interval=None)
			await ws.close()
			return "connected"
		except websockets.InvalidStatusCode as e:
			return e.status_code
	t.check("websockets client on another path gets 404",
	    lambda: T.arun(lib404()) == 404)

	# --- handshake timeout (2 s) ---
	for desc, data in (("silent connection", b""),
	    ("half a request", req(relay)[:40])):
		s = socket.create_connection(("127.0.0.1", port), timeout=3)
		t0 = time.monotonic()
		if data:
			s.sendall(data)
		r = b""
		closed = False
		s.settimeout(6)
		try:
			while True:
				d = s.recv(4096)
				if not d:
					closed = True
					break
				r += d
		except socket.timeout:
			pass
		except ConnectionResetError:
			closed = True
		el = time.monotonic() - t0
		s.close()
		t.ok(closed and 1.8 <= el <= 4.0,
		    "handshake timeout 2 closes a %s (after %.1fs)" % (desc, el),
		    "closed=%r after %.1fs, got %r" % (closed, el, r[:100]))
		t.ok(r == b"" or r.startswith(b"HTTP/1.1 408"),
		    "%s: nothing or 408 before the close" % desc, repr(r[:100]))
	t.alive(relay, "after the handshake timeouts")


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

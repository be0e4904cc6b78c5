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

# Messages after registration (docs/WIRE.md section 4): SEND / MESSAGE / ACK,
# every error code, JSON <-> msgpack re-encoding, sessions per key, rooms,
# and backpressure (busy) with bounded memory.

import asyncio
import os
import time

import swstest as T

t = T.Tap(limit=280)
CONF = '''max message size 16K
send buffer 64K
max sessions per key 2
'''


def run(desc, coro_fn, timeout=40):
	try:
		T.arun(coro_fn(), timeout)
	except T.TestTimeout:
		raise
	except Exception as e:
		t.ok(False, desc, "%s: %s" % (type(e).__name__, e))


async def expect_err(ws, desc, data, code, want_id, either=False):
	"""Send data (dict or raw str/bytes), expect ERROR code with want_id
	(None: no id; either: with or without)."""
	if isinstance(data, dict):
		await T.send_msg(ws, data)
	else:
		await ws.send(data)
	try:
		m = await T.recv_msg(ws, 3)
	except asyncio.TimeoutError:
		m = "nothing"
	ok = isinstance(m, dict) and m.get("type") == "ERROR" and \
	    m.get("code") == code and isinstance(m.get("message"), str)
	if ok and not either:
		ok = m.get("id") == want_id and (("id" in m) == (want_id is
		    not None))
	if ok and either:
		ok = m.get("id") in (want_id, None)
	t.ok(ok, "%s -> ERROR %s%s" % (desc, code, "" if either else
	    (" id %s" % want_id if want_id is not None else " without id")),
	    repr(m))


def self_presence(ws, m):
	return isinstance(m, dict) and m.get("type") == "PRESENCE" and \
	    m.get("publicKey") == getattr(ws, "pk", None)


async def recv(ws, timeout=3):
	"""recv_msg, skipping PRESENCE about the receiver's own key (checked
	once, explicitly, in rooms())."""
	while True:
		m = await T.recv_msg(ws, timeout)
		if not self_presence(ws, m):
			return m


async def expect_silence(ws, desc, timeout=0.4):
	while True:
		m = await T.no_msg(ws, timeout)
		if not self_presence(ws, m):
			break
	return t.ok(m is None, desc, "got %r" % (m,))


async def drain(ws, box):
	"""Count the MESSAGEs arriving on ws until cancelled or closed."""
	try:
		while True:
			m = T.decode_msg(T.proto_of(ws), await ws.recv())
			if m.get("type") == "MESSAGE":
				box[0] += 1
	except Exception:
		pass


async def self_ok(ws, desc):
	body = os.urandom(6)
	await T.send_msg(ws, {"type": "SEND", "to": ws.pk, "body": body,
	    "id": 424242})
	got = [await T.recv_msg(ws), await T.recv_msg(ws)]
	t.ok(sorted(m["type"] for m in got) == ["ACK", "MESSAGE"], desc,
	    repr(got))


def b64(n):
	return T.b64e(os.urandom(n))


# ---------------------------------------------------------------------

def send_basic(relay):
	async def f():
		A = await T.client(relay, "json")
		B = await T.client(relay, "msgpack")
		C = await T.client(relay, "json")
		try:
			x = os.urandom(100)
			await T.send_msg(A, {"type": "SEND", "to": B.pk, "body": x,
			    "id": 7, "from": C.pk})
			m = await T.recv_msg(B)
			t.ok(m.get("type") == "MESSAGE" and m.get("from") == A.pk and
			    m.get("body") == x and "room" not in m,
			    "SEND -> MESSAGE with from set by the relay (forged from "
			    "ignored)", repr(m))
			a = await T.recv_msg(A)
			t.eq(a, {"type": "ACK", "id": 7}, "SEND with id 7 -> ACK id 7")
			await T.send_msg(A, {"type": "SEND", "to": B.pk, "body": x})
			m = await T.recv_msg(B)
			t.eq(m.get("body"), x, "SEND without id delivered")
			await expect_silence(A, "SEND without id gets no ACK")
			y = bytes(range(256)) * 4
			await T.send_msg(B, {"type": "SEND", "to": A.pk, "body": y,
			    "id": 1})
			m = await T.recv_msg(A)
			t.ok(m.get("from") == B.pk and m.get("body") == y,
			    "msgpack sender -> JSON recipient: identical body bytes")
			t.eq(await T.recv_msg(B), {"type": "ACK", "id": 1},
			    "msgpack ACK")
			await T.send_msg(A, {"type": "SEND", "to": B.pk, "body": y})
			m = await T.recv_msg(B)
			t.ok(m.get("from") == A.pk and m.get("body") == y,
			    "JSON sender -> msgpack recipient: identical body bytes")
			await T.send_msg(A, {"type": "SEND", "to": C.pk, "body": b"",
			    "id": 2})
			m = await T.recv_msg(C)
			t.ok(m.get("type") == "MESSAGE" and m.get("body") == b"",
			    "empty body delivered", repr(m))
			await T.recv_msg(A)
			# offline
			await expect_err(A, "SEND to a key with no session",
			    {"type": "SEND", "to": os.urandom(32), "body": b"z",
			    "id": 8}, "offline", 8)
			await T.send_msg(A, {"type": "SEND", "to": os.urandom(32),
			    "body": b"z"})
			await expect_silence(A, "offline SEND without id is silent")
			await expect_err(B, "msgpack SEND to a key with no session",
			    {"type": "SEND", "to": os.urandom(32), "body": b"z",
			    "id": 80}, "offline", 80)
			# ids
			for i in (0, 2 ** 53 - 1, 2 ** 32, 255, 65536):
				for w, wn in ((A, "JSON"), (B, "msgpack")):
					await T.send_msg(w, {"type": "SEND", "to": C.pk,
					    "body": b"i", "id": i})
					a = await T.recv_msg(w)
					t.eq(a, {"type": "ACK", "id": i}, "%s id %d "
					    "echoed exactly" % (wn, i))
					await T.recv_msg(C)
			# unknown keys ignored, nesting up to 8 accepted
			await T.send_msg(A, {"type": "SEND", "to": C.pk, "body": b"u",
			    "id": 9, "extra": {"a": [1, 2, {"b": None}]}, "zz": "q"})
			t.eq(await T.recv_msg(A), {"type": "ACK", "id": 9},
			    "unknown keys are ignored")
			await T.recv_msg(C)
			deep = '{"type":"SEND","to":"%s","body":"","id":10,"x":%s}' % (
			    T.b64e(C.pk), "[" * 7 + "]" * 7)
			await A.send(deep)
			t.eq(await T.recv_msg(A), {"type": "ACK", "id": 10},
			    "JSON nested 8 levels deep is accepted")
			await T.recv_msg(C)
			await A.send('{"type":"SEND","to":"%s","body":"","id":-0}' %
			    T.b64e(C.pk))
			a1 = await T.recv_msg(A)
			t.ok(a1 == {"type": "ACK", "id": 0} or (a1.get("type") ==
			    "ERROR" and a1.get("code") == "malformed"),
			    "id -0 read as 0 or malformed", repr(a1))
			await T.no_msg(C, 0.3)
		finally:
			for w in (A, B, C):
				await w.close()
	run("basic SEND", f)


def malformed(relay):
	async def f():
		A = await T.client(relay, "json")
		B = await T.client(relay, "msgpack")
		pk = T.b64e(B.pk)
		try:
			J = [
			    ("invalid JSON", '{', None, True),
			    ("JSON array at the top", '[]', None, False),
			    ("JSON string at the top", '"SEND"', None, False),
			    ("JSON with trailing garbage",
				'{"type":"SEND","to":"%s","body":"","id":1} x' % pk,
				1, True),
			    ("to as a number", '{"type":"SEND","to":123,"body":"",'
				'"id":3}', 3, False),
			    ("to missing", '{"type":"SEND","body":"","id":4}', 4,
				False),
			    ("body missing", '{"type":"SEND","to":"%s","id":5}' % pk,
				5, False),
			    ("body as a number", '{"type":"SEND","to":"%s","body":5,'
				'"id":6}' % pk, 6, False),
			    ("body as null", '{"type":"SEND","to":"%s","body":null,'
				'"id":6}' % pk, 6, False),
			    ("to of 42 characters", '{"type":"SEND","to":"%s",'
				'"body":"","id":11}' % pk[:42], 11, False),
			    ("to with padding", '{"type":"SEND","to":"%s=",'
				'"body":"","id":12}' % pk, 12, False),
			    ("to in the standard alphabet", '{"type":"SEND","to":'
				'"%s","body":"","id":13}' % ("+" + pk[1:]), 13, False),
			    ("to of 31 bytes", '{"type":"SEND","to":"%s","body":"",'
				'"id":14}' % b64(31), 14, False),
			    ("to of 33 bytes", '{"type":"SEND","to":"%s","body":"",'
				'"id":15}' % b64(33), 15, False),
			    ("body with non-zero trailing bits", '{"type":"SEND",'
				'"to":"%s","body":"_x","id":16}' % pk, 16, False),
			    ("body of length 4n+1", '{"type":"SEND","to":"%s",'
				'"body":"abcde","id":17}' % pk, 17, False),
			    ("body with a space", '{"type":"SEND","to":"%s",'
				'"body":"ab c","id":18}' % pk, 18, False),
			    ("body with padding", '{"type":"SEND","to":"%s",'
				'"body":"_w==","id":19}' % pk, 19, False),
			    ("id 2^53", '{"type":"SEND","to":"%s","body":"",'
				'"id":9007199254740992}' % pk, None, False),
			    ("id 2^64", '{"type":"SEND","to":"%s","body":"",'
				'"id":18446744073709551616}' % pk, None, False),
			    ("id -1", '{"type":"SEND","to":"%s","body":"","id":-1}'
				% pk, None, False),
			    ("id 1.5", '{"type":"SEND","to":"%s","body":"",'
				'"id":1.5}' % pk, None, False),
			    ("id 1.0", '{"type":"SEND","to":"%s","body":"",'
				'"id":1.0}' % pk, None, False),
			    ("id 1e3", '{"type":"SEND","to":"%s","body":"",'
				'"id":1e3}' % pk, None, False),
			    ("id as a string", '{"type":"SEND","to":"%s","body":"",'
				'"id":"7"}' % pk, None, False),
			    ("id true", '{"type":"SEND","to":"%s","body":"",'
				'"id":true}' % pk, None, False),
			    ("id null", '{"type":"SEND","to":"%s","body":"",'
				'"id":null}' % pk, None, False),
			    ("duplicate id", '{"type":"SEND","to":"%s","body":"",'
				'"id":1,"id":2}' % pk, None, False),
			    ("duplicate to", '{"type":"SEND","to":"%s","to":"%s",'
				'"body":"","id":20}' % (pk, pk), 20, True),
			    ("type missing", '{"to":"%s","body":"","id":21}' % pk,
				21, False),
			    ("type as a number", '{"type":1,"to":"%s","body":"",'
				'"id":22}' % pk, 22, False),
			    ("nested 9 levels", '{"type":"SEND","to":"%s","body":"",'
				'"id":23,"x":%s}' % (pk, "[" * 8 + "]" * 8), 23, True),
			    ("nested 1000 levels", '{"type":"SEND","to":"%s",'
				'"body":"","id":24,"x":%s}' % (pk, "[" * 1000 + "]" *
				1000), 24, True),
			    ("room of JOIN as a number", '{"type":"JOIN","room":5,'
				'"id":25}', 25, False),
			    ("room missing in JOIN", '{"type":"JOIN","id":26}', 26,
				False),
			    ("body of PUBLISH missing", '{"type":"PUBLISH",'
				'"room":"r","id":27}', 27, False),
			]
			for desc, raw, want, either in J:
				await expect_err(A, "JSON: " + desc, raw, "malformed",
				    want, either)
			await expect_err(A, "JSON: binary message on the JSON "
			    "subprotocol", T.encode_msg("msgpack", {"type": "SEND",
			    "to": B.pk, "body": b"", "id": 30}), "malformed", None)
			await self_ok(A, "JSON session still served after the "
			    "malformed input")
			await T.no_msg(B, 0.3)

			P = T.msgpack.packb
			apk = A.pk
			M = [
			    ("array at the top", P([1, 2]), None, False),
			    ("map32 declaring 2^32-1 entries", b"\xdf\xff\xff\xff\xff",
				None, True),
			    ("array32 declaring 2^30 items inside the map",
				b"\x83" + P("type") + P("SEND") + P("id") + P(31) +
				P("x") + b"\xdd\x40\x00\x00\x00", 31, True),
			    ("bin32 declaring 1 GiB", b"\x83" + P("type") +
				P("SEND") + P("id") + P(32) + P("body") +
				b"\xc6\x40\x00\x00\x00", 32, True),
			    ("to as str (base64url text)", P({"type": "SEND",
				"to": T.b64e(apk), "body": b"", "id": 33},
				use_bin_type=True), 33, False),
			    ("body as str", P({"type": "SEND", "to": apk,
				"body": "text", "id": 34}, use_bin_type=True), 34,
				False),
			    ("type as bin", P({"type": b"SEND", "to": apk,
				"body": b"", "id": 35}, use_bin_type=True), 35, False),
			    ("to of 31 bytes", P({"type": "SEND", "to": apk[:31],
				"body": b"", "id": 36}, use_bin_type=True), 36, False),
			    ("id -1", P({"type": "SEND", "to": apk, "body": b"",
				"id": -1}, use_bin_type=True), None, False),
			    ("id 2^53", P({"type": "SEND", "to": apk, "body": b"",
				"id": 2 ** 53}, use_bin_type=True), None, False),
			    ("id as float", P({"type": "SEND", "to": apk,
				"body": b"", "id": 1.0}, use_bin_type=True), None,
				False),
			    ("id as str", P({"type": "SEND", "to": apk, "body": b"",
				"id": "1"}, use_bin_type=True), None, False),
			    ("duplicate key", b"\x84" + P("type") + P("SEND") +
				P("to") + P(apk, use_bin_type=True) + P("to") +
				P(apk, use_bin_type=True) + P("id") + P(37), 37, True),
			    ("trailing bytes after the map", P({"type": "SEND",
				"to": apk, "body": b"", "id": 38},
				use_bin_type=True) + b"\xc0", 38, True),
			    ("nested 9 levels", P({"type": "SEND", "to": apk,
				"body": b"", "id": 39, "x": [[[[[[[[[]]]]]]]]]},
				use_bin_type=True), 39, True),
			    ("room as bin", P({"type": "JOIN", "room": b"r",
				"id": 40}, use_bin_type=True), 40, False),
			    ("room str with invalid UTF-8", b"\x83" + P("type") +
				P("JOIN") + P("room") + b"\xa2\xff\xfe" + P("id") +
				P(41), 41, False),
			    ("non-str map key", P({"type": "SEND", 7: 1, "to": apk,
				"body": b"", "id": 42}, use_bin_type=True), 42, True),
			    ("truncated message", P({"type": "SEND", "to": apk,
				"body": b"abc", "id": 43}, use_bin_type=True)[:-2],
				43, True),
			]
			for desc, raw, want, either in M:
				await expect_err(B, "msgpack: " + desc, raw, "malformed",
				    want, either)
			await expect_err(B, "msgpack: text message on the msgpack "
			    "subprotocol", '{"type":"SEND"}', "malformed", None)
			await self_ok(B, "msgpack session still served after the "
			    "malformed input")
			await T.no_msg(A, 0.3)
		finally:
			await A.close()
			await B.close()
	run("malformed", f)
	t.alive(relay, "malformed input")


def unknown_type(relay):
	async def f():
		A = await T.client(relay, "json")
		B = await T.client(relay, "msgpack")
		try:
			for i, ty in enumerate(("FOO", "send", "MESSAGE", "ACK",
			    "ERROR", "CHALLENGE", "REGISTER_SUCCESS",
			    "REGISTER_FAILURE", "JOINED", "PRESENCE", "")):
				await expect_err(A, "type %r" % ty, {"type": ty, "id":
				    50 + i}, "unknown-type", 50 + i)
			await expect_err(B, "msgpack type MESSAGE", {"type":
			    "MESSAGE", "from": A.pk, "body": b"", "id": 70},
			    "unknown-type", 70)
			await T.send_msg(A, {"type": "FOO"})
			await expect_silence(A, "unknown type without id is silent")
			chal = {"challenge": A.challenge, "server": relay.server_pk}
			r = T.challenge_response(chal, A.sk, A.pk, "127.0.0.1")
			r["id"] = 71
			await expect_err(A, "CHALLENGE_RESPONSE after registration",
			    r, "unknown-type", 71)
			await self_ok(A, "session still served after unknown types")
		finally:
			await A.close()
			await B.close()
	run("unknown-type", f)


def too_large(relay):
	async def f():
		A = await T.client(relay, "json")
		A2 = await T.client(relay, "json")
		B = await T.client(relay, "msgpack")
		B2 = await T.client(relay, "msgpack")
		try:
			lim = A.reg["limits"]
			mm, mb = lim["maxMessage"], lim["maxBody"]
			t.eq((mm, mb), (16384, T.max_body(16384)),
			    "limits: maxMessage 16K and its maxBody")
			body = os.urandom(mb)
			for s, r, d in ((A, A2, "JSON -> JSON"), (A, B,
			    "JSON -> msgpack"), (B, A, "msgpack -> JSON"),
			    (B, B2, "msgpack -> msgpack")):
				await T.send_msg(s, {"type": "SEND", "to": r.pk,
				    "body": body, "id": 90})
				a = await T.recv_msg(s)
				m = await T.recv_msg(r)
				t.ok(a == {"type": "ACK", "id": 90} and m.get("body") ==
				    body, "body of exactly maxBody (%d) delivered %s" %
				    (mb, d), repr(a))
			big = os.urandom(14000)
			await expect_err(B, "msgpack SEND of 14000 bytes to a JSON "
			    "recipient (MESSAGE > 16K in JSON)", {"type": "SEND",
			    "to": A.pk, "body": big, "id": 91}, "too-large", 91)
			await expect_silence(A, "too-large body not delivered")
			await T.send_msg(B, {"type": "SEND", "to": B2.pk,
			    "body": big, "id": 92})
			a = await T.recv_msg(B)
			m = await T.recv_msg(B2)
			t.ok(a == {"type": "ACK", "id": 92} and m.get("body") == big,
			    "the same 14000 bytes reach a msgpack recipient", repr(a))
			# own key with mixed encodings: A2 is JSON, so too-large
			await T.send_msg(B, {"type": "SEND", "to": A.pk, "body": big})
			await expect_silence(B, "too-large without id is silent")
			await expect_silence(A, "... and not delivered")
			t.ok(A.open and B.open, "sessions stay open after too-large")
		finally:
			for w in (A, A2, B, B2):
				await w.close()
	run("too-large", f)


def own_key(relay):
	async def f():
		sk, pk = T.keypair()
		A1 = await T.client(relay, "json", sk, pk)
		A2 = await T.client(relay, "msgpack", sk, pk)
		C = await T.client(relay, "json")
		try:
			x = os.urandom(33)
			await T.send_msg(A1, {"type": "SEND", "to": pk, "body": x,
			    "id": 1})
			got1 = [await T.recv_msg(A1), await T.recv_msg(A1)]
			m2 = await T.recv_msg(A2)
			t.ok(sorted(m["type"] for m in got1) == ["ACK", "MESSAGE"]
			    and [m for m in got1 if m["type"] == "MESSAGE"][0]
			    ["body"] == x, "SEND to own key reaches the sending "
			    "session (+ ACK)", repr(got1))
			t.ok(m2.get("body") == x and m2.get("from") == pk,
			    "SEND to own key reaches the other own session", repr(m2))
			await T.send_msg(C, {"type": "SEND", "to": pk, "body": x,
			    "id": 2})
			a, b = await T.recv_msg(A1), await T.recv_msg(A2)
			t.ok(a.get("body") == x and b.get("body") == x,
			    "both sessions of a key get their copy")
			await T.recv_msg(C)
			# a third registration displaces the oldest (A1) with 4001
			A3 = await T.client(relay, "json", sk, pk)
			code, msgs = await T.close_code(A1, 3)
			t.eq(code, 4001, "max sessions per key 2: third registration "
			    "closes the oldest with 4001")
			t.ok(A2.open and A3.open, "the two newer sessions stay")
			await T.send_msg(C, {"type": "SEND", "to": pk, "body": x,
			    "id": 3})
			a, b = await T.recv_msg(A2), await T.recv_msg(A3)
			t.ok(a.get("body") == x and b.get("body") == x,
			    "messages reach the two remaining sessions")
			await T.recv_msg(C)
			A4 = await T.client(relay, "msgpack", sk, pk)
			code, msgs = await T.close_code(A2, 3)
			t.eq(code, 4001, "a fourth registration closes the now oldest "
			    "(A2) with 4001")
			t.ok(A3.open and A4.open, "A3 and A4 stay")
			await A3.close()
			await A4.close()
		finally:
			for w in (A1, A2, C):
				await w.close()
	run("own key", f)


def rooms(relay):
	async def f():
		ska, pka = T.keypair()
		A1 = await T.client(relay, "json", ska, pka)
		A2 = await T.client(relay, "msgpack", ska, pka)
		B = await T.client(relay, "json")
		C = await T.client(relay, "msgpack")
		try:
			await T.send_msg(A1, {"type": "JOIN", "room": "lobby",
			    "id": 1})
			m = await T.recv_msg(A1)
			t.eq(m, {"type": "JOINED", "room": "lobby", "members": [pka],
			    "id": 1}, "JOIN -> JOINED with the joiner as member")
			m = await T.no_msg(A1, 0.3)
			t.ok(m is None, "the joiner gets no PRESENCE about itself",
			    repr(m))
			await T.send_msg(B, {"type": "JOIN", "room": "lobby",
			    "id": 2})
			m, skipped = await T.recv_until(B, lambda x: x["type"] ==
			    "JOINED")
			t.ok(m.get("id") == 2 and sorted(m.get("members", [])) ==
			    sorted([pka, B.pk]) and m.get("room") == "lobby",
			    "second JOINED lists both keys", repr(m))
			m = await recv(A1)
			t.eq(m, {"type": "PRESENCE", "room": "lobby", "publicKey":
			    B.pk, "state": "joined"}, "members get PRESENCE joined")
			await T.send_msg(A2, {"type": "JOIN", "room": "lobby",
			    "id": 3})
			m = await recv(A2)
			t.ok(m.get("type") == "JOINED" and sorted(m["members"]) ==
			    sorted([pka, B.pk]) and m.get("id") == 3,
			    "JOINED members are distinct keys (2 sessions of A)",
			    repr(m))
			await expect_silence(B, "no PRESENCE when a key's second "
			    "session joins")
			await expect_silence(A1, "... not to its first session "
			    "either", 0.1)
			body = os.urandom(50)
			await T.send_msg(B, {"type": "PUBLISH", "room": "lobby",
			    "body": body, "id": 4})
			m1, m2 = await recv(A1), await recv(A2)
			want = {"type": "MESSAGE", "from": B.pk, "room": "lobby",
			    "body": body}
			t.ok(m1 == want and m2 == want, "PUBLISH reaches every other "
			    "member session", repr((m1, m2)))
			t.eq(await recv(B), {"type": "ACK", "id": 4},
			    "PUBLISH with id -> ACK, and not echoed to the sender")
			await expect_silence(B, "sender gets no copy of its PUBLISH")
			await T.send_msg(A1, {"type": "PUBLISH", "room": "lobby",
			    "body": body})
			m2, mb = await recv(A2), await recv(B)
			t.ok(m2.get("from") == pka and mb.get("from") == pka,
			    "PUBLISH from one session reaches the key's other "
			    "session and the others")
			await expect_silence(A1, "... but not the sending session")
			await T.send_msg(B, {"type": "JOIN", "room": "lobby",
			    "id": 5})
			m = await recv(B)
			t.ok(m.get("type") == "JOINED" and m.get("id") == 5 and
			    sorted(m["members"]) == sorted([pka, B.pk]),
			    "repeated JOIN answers JOINED again", repr(m))
			await expect_silence(A1, "repeated JOIN sends no PRESENCE",
			    0.3)
			await T.send_msg(A1, {"type": "LEAVE", "room": "lobby",
			    "id": 6})
			t.eq(await recv(A1), {"type": "ACK", "id": 6},
			    "LEAVE -> ACK")
			await expect_silence(B, "no PRESENCE left while the key has "
			    "another session in the room")
			await expect_err(A1, "PUBLISH to a room not joined",
			    {"type": "PUBLISH", "room": "lobby", "body": b"x",
			    "id": 7}, "not-member", 7)
			await expect_err(A1, "LEAVE a room not joined",
			    {"type": "LEAVE", "room": "lobby", "id": 8},
			    "not-member", 8)
			await expect_err(A1, "PUBLISH to a room that does not exist",
			    {"type": "PUBLISH", "room": "nowhere", "body": b"x",
			    "id": 9}, "not-member", 9)
			await T.send_msg(B, {"type": "PUBLISH", "room": "lobby",
			    "body": b"after-leave"})
			m = await recv(A2)
			t.eq(m.get("body"), b"after-leave", "remaining session gets "
			    "PUBLISH")
			await expect_silence(A1, "the session that left does not")
			await A2.close()
			m = await recv(B)
			t.eq(m, {"type": "PRESENCE", "room": "lobby", "publicKey": pka,
			    "state": "left"}, "PRESENCE left when the key's last "
			    "session disconnects")
			await T.send_msg(B, {"type": "LEAVE", "room": "lobby",
			    "id": 10})
			t.eq(await recv(B), {"type": "ACK", "id": 10},
			    "last member LEAVE -> ACK")
			await T.send_msg(C, {"type": "JOIN", "room": "lobby",
			    "id": 11})
			m = await recv(C)
			t.eq(m, {"type": "JOINED", "room": "lobby", "members": [C.pk],
			    "id": 11}, "msgpack JOINED (members as bin) after the "
			    "room emptied")
			# LEAVE -> PRESENCE left to others
			await T.send_msg(B, {"type": "JOIN", "room": "lobby"})
			await T.recv_until(B, lambda x: x["type"] == "JOINED")
			m = await recv(C)
			t.eq((m.get("type"), m.get("state"), m.get("publicKey")),
			    ("PRESENCE", "joined", B.pk), "msgpack PRESENCE joined")
			await T.send_msg(B, {"type": "LEAVE", "room": "lobby"})
			m = await recv(C)
			t.eq((m.get("type"), m.get("state"), m.get("publicKey")),
			    ("PRESENCE", "left", B.pk), "LEAVE sends PRESENCE left")
			await expect_silence(B, "LEAVE without id: no ACK")
			# names
			for desc, name in (("empty room name", ""),
			    ("129-byte room name", "r" * 129),
			    ("129-byte UTF-8 room name", "\u00e9" * 64 + "x"),
			    ("room name with a newline", "a\nb"),
			    ("room name with NUL", "a\0b"),
			    ("room name with DEL", "a\x7fb"),
			    ("room name with U+001F", "\x1f")):
				await expect_err(B, desc, {"type": "JOIN", "room": name,
				    "id": 12}, "malformed", 12)
				await expect_err(C, desc + " (msgpack)", {"type": "JOIN",
				    "room": name, "id": 13}, "malformed", 13)
			for desc, name in (("128-byte room name", "r" * 128),
			    ("128-byte UTF-8 room name", "\u00e9" * 64),
			    ("1-byte room name", "x"),
			    ("room name with U+0080", "a\u0080b")):
				await T.send_msg(B, {"type": "JOIN", "room": name,
				    "id": 14})
				m = await recv(B)
				t.ok(m.get("type") == "JOINED" and m.get("room") ==
				    name, desc + " accepted", repr(m)[:200])
				await T.send_msg(B, {"type": "LEAVE", "room": name,
				    "id": 15})
				await recv(B)
			# byte-for-byte names
			await T.send_msg(B, {"type": "JOIN", "room": "Lobby",
			    "id": 16})
			m = await recv(B)
			t.eq(m.get("members"), [B.pk], "\"Lobby\" is not \"lobby\"")
			await T.send_msg(B, {"type": "JOIN", "room": "e\u0301",
			    "id": 17})
			await recv(B)
			await T.send_msg(C, {"type": "JOIN", "room": "\u00e9",
			    "id": 18})
			m = await recv(C)
			t.eq(m.get("members"), [C.pk], "names are compared byte for "
			    "byte (no Unicode normalisation)")
		finally:
			for w in (A1, A2, B, C):
				await w.close()
	run("rooms", f)


def room_limits():
	with T.Relay("max rooms per session 2\nmax room members 2") as relay:
		async def f():
			A = await T.client(relay, "json")
			B = await T.client(relay, "msgpack")
			C = await T.client(relay, "json")
			try:
				t.eq(A.reg["limits"].get("rooms"), 2, "limits.rooms is "
				    "max rooms per session")
				for i, r in enumerate(("r1", "r2")):
					await T.send_msg(A, {"type": "JOIN", "room": r,
					    "id": i})
					m = await recv(A)
					t.eq(m.get("type"), "JOINED", "JOIN %s" % r)
				await expect_err(A, "third room with max rooms per "
				    "session 2", {"type": "JOIN", "room": "r3",
				    "id": 3}, "too-many-rooms", 3)
				await T.send_msg(A, {"type": "JOIN", "room": "r2",
				    "id": 4})
				m = await recv(A)
				t.eq((m.get("type"), m.get("id")), ("JOINED", 4),
				    "re-JOIN of a joined room at the cap answers JOINED")
				await T.send_msg(A, {"type": "LEAVE", "room": "r1",
				    "id": 5})
				await recv(A)
				await T.send_msg(A, {"type": "JOIN", "room": "r3",
				    "id": 6})
				m = await recv(A)
				t.eq(m.get("type"), "JOINED", "after a LEAVE a new room "
				    "can be joined")
				await T.send_msg(B, {"type": "JOIN", "room": "r3",
				    "id": 7})
				m = await recv(B)
				t.eq(m.get("type"), "JOINED", "second member joins")
				await recv(A)	# PRESENCE
				await expect_err(C, "third member with max room members "
				    "2", {"type": "JOIN", "room": "r3", "id": 8},
				    "room-full", 8)
				await expect_silence(A, "no PRESENCE for a refused JOIN")
				await T.send_msg(B, {"type": "LEAVE", "room": "r3",
				    "id": 9})
				await recv(B)
				await recv(A)	# PRESENCE left
				await T.send_msg(C, {"type": "JOIN", "room": "r3",
				    "id": 10})
				m = await recv(C)
				t.eq(m.get("type"), "JOINED", "after a member leaves the "
				    "room has room again")
			finally:
				for w in (A, B, C):
					await w.close()
		run("room limits", f)
		t.alive(relay, "room limits")
		t.eq(relay.stop(check=False), 0, "room-limit relay exits 0")


def rss(pid):
	st = T.proc_status(pid) or {}
	return int(st.get("VmRSS", "0 kB").split()[0])


def busy(relay):
	rpid = relay.relay_pid()
	t.ok(rpid is not None, "relay child found by its title",
	    repr([(c, T.proc_cmdline(c)) for c in relay.children()]))
	sk, pk = T.keypair()
	stuck = T.RawWS(relay.port, rcvbuf=4096)
	stuck.register(sk, pk)

	async def f():
		R2 = await T.client(relay, "json", sk, pk)
		S = await T.client(relay, "json")
		C = await T.client(relay, "msgpack")
		D = await T.client(relay, "json")
		try:
			mb = S.reg["limits"]["maxBody"]
			body = os.urandom(mb)
			rss0 = rss(rpid) if rpid else 0
			acked = busy_at = 0
			box = [0]
			dr = asyncio.ensure_future(drain(R2, box))
			for i in range(1, 1501):
				await T.send_msg(S, {"type": "SEND", "to": pk,
				    "body": body, "id": i})
				a = await T.recv_msg(S, 5)
				if a.get("type") == "ACK" and a.get("id") == i:
					acked += 1
				elif a.get("type") == "ERROR" and a.get("code") == "busy":
					busy_at = i
					break
				else:
					raise T.RelayError("unexpected %r" % (a,))
			t.ok(busy_at > 0, "a recipient that never reads makes the "
			    "sender get busy (after %d ACKs)" % acked)
			t.ok(acked * mb < 16 * 2 ** 20, "busy comes before 16 MiB "
			    "were queued", "%d ACKed" % acked)
			rss1 = rss(rpid) if rpid else 0
			# keep pushing: all busy, memory flat
			nbusy = 0
			for i in range(200):
				await T.send_msg(S, {"type": "SEND", "to": pk,
				    "body": body, "id": 5000 + i})
				a = await T.recv_msg(S, 5)
				if a.get("code") == "busy" and a.get("id") == 5000 + i:
					nbusy += 1
			t.eq(nbusy, 200, "200 more SENDs to the full recipient are "
			    "all busy")
			await asyncio.sleep(1)
			dr.cancel()
			t.eq(box[0], acked, "all or nothing: the key's other session "
			    "got exactly the ACKed messages, none of the busy ones")
			rss2 = rss(rpid) if rpid else 0
			t.ok(rpid and rss2 - rss0 < 16 * 1024, "relay RSS stays "
			    "bounded (%d -> %d -> %d kB)" % (rss0, rss1, rss2))
			t.ok(rpid and rss2 - rss1 < 2 * 1024, "no growth while "
			    "refusing (%d -> %d kB)" % (rss1, rss2))
			# other clients keep talking
			for k in range(3):
				x = os.urandom(mb)
				await T.send_msg(C, {"type": "SEND", "to": D.pk,
				    "body": x, "id": k})
				m = await T.recv_msg(D)
				a = await T.recv_msg(C)
				t.ok(m.get("body") == x and a == {"type": "ACK", "id": k},
				    "other clients keep talking while one is stuck (%d)"
				    % k)
			await T.send_msg(S, {"type": "SEND", "to": D.pk, "body":
			    b"s", "id": 1})
			m = await T.recv_msg(D)
			t.eq(await T.recv_msg(S), {"type": "ACK", "id": 1},
			    "the busy sender can still talk to others")
		finally:
			for w in (R2, S, C, D):
				await w.close()
	try:
		run("busy", f, 90)
	finally:
		stuck.close()
	time.sleep(0.5)
	t.alive(relay, "busy")


try:
	with T.Relay(CONF) as relay:
		try:
			for fn in (send_basic, malformed, unknown_type, too_large,
			    own_key, rooms, busy):
				fn(relay)
		finally:
			t.ok(relay.running(), "relay still running",
			    relay.log()[-2000:])
			t.eq(relay.stop(check=False), 0, "relay exits 0")
	room_limits()
except T.TestTimeout as e:
	t.ok(False, str(e))
except Exception as e:
	t.fail_all("harness", e)
t.done()

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

# Registration (docs/WIRE.md section 3) with python3-nacl as the independent
# implementation: CHALLENGE, CHALLENGE_RESPONSE, REGISTER_SUCCESS with a
# proof that opens, every failure reason with its close 1008, bindings
# with and without `server name`, the registration timeout, low-order
# keys, and 200 concurrent registrations.

import asyncio
import os
import time

import swstest as T

t = T.Tap(limit=200)
V = T.load_vectors()


def raw(relay, proto="json"):
	c = T.RawWS(relay.port, proto=proto)
	chal = c.recv_msg()
	T.check_challenge(chal, relay.server_pk)
	return c, chal


def failure(relay, desc, want, build, proto="json", alive=True):
	"""build(c, chal) sends something; expect REGISTER_FAILURE want,
	then close 1008, then TCP close."""
	try:
		c, chal = raw(relay, proto)
	except Exception as e:
		t.ok(False, "%s -> %s" % (desc, want), repr(e))
		return
	try:
		build(c, chal)
		try:
			m = c.recv_msg(4)
		except EOFError as e:
			m = {"eof": str(e)}
		t.ok(m.get("type") == "REGISTER_FAILURE" and m.get("reason") ==
		    want and isinstance(m.get("message"), str),
		    "%s -> REGISTER_FAILURE %s" % (desc, want), repr(m))
		code, reason, before = c.expect_close(3)
		t.eq(code, 1008, "%s: then close 1008" % desc)
		t.ok(c.eof(2), "%s: TCP closed" % desc)
	except Exception as e:
		t.ok(False, "%s -> %s" % (desc, want), "%s: %s" % (
		    type(e).__name__, e))
	finally:
		c.close()
	if alive:
		t.alive(relay, desc)


def success(relay, desc, binding, proto="json"):
	try:
		c, chal = raw(relay, proto)
		sk, pk = T.keypair()
		c.send_msg(T.challenge_response(chal, sk, pk, binding))
		m = c.recv_msg(4)
		t.ok(m.get("type") == "REGISTER_SUCCESS" and T.verify_proof(m,
		    chal["challenge"], sk, pk, relay.server_pk), desc, repr(m))
		c.close()
	except Exception as e:
		t.ok(False, desc, "%s: %s" % (type(e).__name__, e))


def resp(chal, binding="127.0.0.1", sk=None, pk=None, **over):
	if sk is None:
		sk, pk = T.keypair()
	r = T.challenge_response(chal, sk, pk, binding)
	r.update(over)
	return r


def harness_vectors():
	"""The client side used here reproduces vectors.json (SPEC section
	8), so a failure below is the relay's, not the harness's."""
	g = lambda who, k: T.b64d(V[who][k])
	r = V["registration"]
	chal = {"challenge": T.b64d(r["challenge"]),
	    "server": g("server", "publicKey")}
	cr = T.challenge_response(chal, g("alice", "secretKey"),
	    g("alice", "publicKey"), r["binding"], T.b64d(r["nonce"]))
	t.eq(T.b64e(cr["box"]), r["box"], "harness: CHALLENGE_RESPONSE box "
	    "matches vectors.json")
	reg = {"proof": T.b64d(r["proof"])}
	t.ok(T.verify_proof(reg, chal["challenge"], g("alice", "secretKey"),
	    g("alice", "publicKey"), g("server", "publicKey")),
	    "harness: vectors.json proof verifies")
	bad = dict(reg)
	bad["proof"] = reg["proof"][:-1] + bytes([reg["proof"][-1] ^ 1])
	t.ok(not T.verify_proof(bad, chal["challenge"], g("alice",
	    "secretKey"), g("alice", "publicKey"), g("server", "publicKey")),
	    "harness: a flipped proof does not verify")
	okb = all(T.b64d(e["text"]) == bytes.fromhex(e["bytes_hex"]) for e
	    in V["base64url"])
	rej = 0
	for x in V["base64url_invalid"]:
		try:
			T.b64d(x)
		except ValueError:
			rej += 1
	t.ok(okb and rej == len(V["base64url_invalid"]), "harness: strict "
	    "base64url matches the vectors")


def basic(relay):
	async def one(proto):
		sk, pk = T.keypair()
		ws = await T.connect(relay.url, proto)
		try:
			reg = await T.register(ws, sk, pk,
			    server_pk=relay.server_pk)
			lim = reg.get("limits", {})
			return (reg["publicKey"] == pk,
			    T.verify_proof(reg, ws.challenge, sk, pk,
			    relay.server_pk), lim, ws.challenge)
		finally:
			await ws.close()
	chals = []
	for proto in ("json", "msgpack"):
		try:
			samepk, proof, lim, chal = T.arun(one(proto))
		except Exception as e:
			t.ok(False, "%s registration" % proto, repr(e))
			continue
		chals.append(chal)
		t.ok(samepk, "%s: REGISTER_SUCCESS names the client key" % proto)
		t.ok(proof, "%s: proof opens to challenge || client pk with the "
		    "server key" % proto)
		keys = ("maxMessage", "maxBody", "rate", "burst", "rooms")
		t.ok(all(isinstance(lim.get(k), int) and lim[k] >= 0 for k in
		    keys), "%s: limits has %s as unsigned integers" % (proto,
		    ", ".join(keys)), repr(lim))
		if isinstance(lim.get("maxMessage"), int):
			t.eq(lim.get("maxBody"), T.max_body(lim["maxMessage"]),
			    "%s: maxBody = floor((maxMessage - 512) * 3 / 4)" %
			    proto)
		t.eq((lim.get("maxMessage"), lim.get("rate"), lim.get("burst"),
		    lim.get("rooms")), (65536, 1000, 2000, 32),
		    "%s: limits are the documented defaults" % proto)
	t.ok(len(chals) == 2 and chals[0] != chals[1],
	    "challenges differ between connections")
	success(relay, "raw JSON registration, binding 127.0.0.1:port",
	    "127.0.0.1:%d" % relay.port)
	success(relay, "without server name the binding is not examined",
	    "elsewhere.example:1")
	success(relay, "empty binding accepted without server name (48-byte "
	    "box)", "")
	success(relay, "255-byte binding accepted (303-byte box)", "b" * 255)
	success(relay, "msgpack raw registration", "x", "msgpack")

	def with_id(c, chal):
		r = resp(chal)
		r["id"] = 5
		c.send_msg(r)
	try:
		c, chal = raw(relay)
		with_id(c, chal)
		m = c.recv_msg()
		extra = None
		try:
			extra = c.recv_msg(0.5)
		except Exception:
			pass
		t.ok(m.get("type") == "REGISTER_SUCCESS" and extra is None,
		    "an id in CHALLENGE_RESPONSE is ignored (no ACK)",
		    repr((m, extra)))
		c.close()
	except Exception as e:
		t.ok(False, "an id in CHALLENGE_RESPONSE is ignored", repr(e))

	# --- failures ---
	def flip(c, chal):
		r = resp(chal)
		b = bytearray(r["box"])
		b[20] ^= 0x01
		r["box"] = bytes(b)
		c.send_msg(r)
	failure(relay, "flipped bit in the box", "bad-proof", flip)
	failure(relay, "flipped bit in the box (msgpack)", "bad-proof", flip,
	    "msgpack")

	def wrongkey(c, chal):
		sk, pk = T.keypair()
		sk2, pk2 = T.keypair()
		c.send_msg(resp(chal, sk=sk, pk=pk2))
	failure(relay, "box made with another secret key", "bad-proof",
	    wrongkey)

	def wrongchal(c, chal):
		ch = dict(chal)
		ch["challenge"] = os.urandom(32)
		c.send_msg(resp(ch))
	failure(relay, "box over another challenge", "bad-proof", wrongchal)

	# replay a good response on another connection
	try:
		c1, chal1 = raw(relay)
		sk, pk = T.keypair()
		r1 = resp(chal1, "127.0.0.1", sk, pk)
		c1.send_msg(r1)
		m1 = c1.recv_msg()
		t.eq(m1.get("type"), "REGISTER_SUCCESS", "original response "
		    "registers")
		failure(relay, "response replayed on another connection",
		    "bad-proof", lambda c, chal: c.send_msg(r1))
		c1.close()
	except Exception as e:
		t.ok(False, "replay", repr(e))
	# replay on another connection after the first one closed
	try:
		c1, chal1 = raw(relay)
		r1 = resp(chal1)
		c1.close()
		time.sleep(0.2)
		failure(relay, "response for a closed connection's challenge",
		    "bad-proof", lambda c, chal: c.send_msg(r1), alive=False)
	except Exception as e:
		t.ok(False, "replay after close", repr(e))

	for i, lo in enumerate(V["low_order_public_keys"]):
		lok = T.b64d(lo)

		def loworder(c, chal, lok=lok):
			c.send_msg({"type": "CHALLENGE_RESPONSE", "publicKey": lok,
			    "nonce": os.urandom(24), "box": os.urandom(48 + 9)})
		failure(relay, "low-order public key %d" % i, "bad-proof",
		    loworder, alive=(i == 0))

		def loworder0(c, chal, lok=lok):
			# a box that opens under the key a careless
			# implementation derives from an all-zero shared secret
			import ctypes
			import nacl.bindings as nb
			so = ctypes.CDLL("libsodium.so.23")
			k = ctypes.create_string_buffer(32)
			so.crypto_core_hsalsa20(k, bytes(16), bytes(32), None)
			n = os.urandom(24)
			m = chal["challenge"] + b"127.0.0.1"
			bx = nb.crypto_secretbox(m, n, k.raw)
			c.send_msg({"type": "CHALLENGE_RESPONSE", "publicKey": lok,
			    "nonce": n, "box": bx})
		failure(relay, "low-order public key %d with a box under the "
		    "all-zero shared secret" % i, "bad-proof", loworder0,
		    alive=False)

	# malformed before registration
	failure(relay, "SEND before registration", "malformed",
	    lambda c, chal: c.send_msg({"type": "SEND", "to": os.urandom(32),
	    "body": b"x", "id": 1}))
	failure(relay, "JOIN before registration", "malformed",
	    lambda c, chal: c.send_msg({"type": "JOIN", "room": "r"}),
	    alive=False)
	failure(relay, "unknown type before registration", "malformed",
	    lambda c, chal: c.send_msg({"type": "HELLO"}), alive=False)
	failure(relay, "invalid JSON before registration", "malformed",
	    lambda c, chal: c.send_text("{not json"))
	failure(relay, "binary message on JSON before registration",
	    "malformed", lambda c, chal: c.send_binary(
	    T.encode_msg("msgpack", resp(chal))))
	failure(relay, "text message on msgpack before registration",
	    "malformed", lambda c, chal: c.send_text(
	    T.encode_msg("json", resp(chal))), "msgpack")

	def boxlen(n):
		def b(c, chal):
			r = resp(chal)
			r["box"] = os.urandom(n)
			c.send_msg(r)
		return b
	failure(relay, "box of 47 bytes", "malformed", boxlen(47))
	failure(relay, "box of 304 bytes (binding of 256)", "malformed",
	    boxlen(304), alive=False)
	failure(relay, "real box over a 256-byte binding", "malformed",
	    lambda c, chal: c.send_msg(resp(chal, "c" * 256)), alive=False)
	failure(relay, "nonce of 23 bytes", "malformed",
	    lambda c, chal: c.send_msg(resp(chal, nonce=os.urandom(23))))
	failure(relay, "publicKey of 31 bytes", "malformed",
	    lambda c, chal: c.send_msg(resp(chal, publicKey=os.urandom(31))),
	    alive=False)
	failure(relay, "missing box", "malformed", lambda c, chal: c.send_msg(
	    {k: v for k, v in resp(chal).items() if k != "box"}), alive=False)
	failure(relay, "publicKey with base64 padding", "malformed",
	    lambda c, chal: c.send_text(T.encode_msg("json", resp(chal))
	    .replace('","nonce"', '=","nonce"')), alive=False)
	failure(relay, "msgpack box as str", "malformed",
	    lambda c, chal: c.send_binary(T.msgpack.packb({
	    "type": "CHALLENGE_RESPONSE", "publicKey": os.urandom(32),
	    "nonce": os.urandom(24), "box": T.b64e(os.urandom(60))},
	    use_bin_type=True)), "msgpack")


def bindings(relay):
	p = relay.port
	success(relay, "server name: binding with port", "relay.example.org:%d"
	    % p)
	success(relay, "server name: binding without port", "relay.example.org")
	success(relay, "server name: binding in other case and another port",
	    "Relay.EXAMPLE.org:8080")
	for b in ("evil.example.org:%d" % p, "127.0.0.1:%d" % p, "",
	    "relay.example.org.", "relay.example.org.evil", "xrelay.example.org",
	    "relay.example.com"):
		failure(relay, "server name: binding %r" % b, "bad-binding",
		    lambda c, chal, b=b: c.send_msg(resp(chal, b)),
		    alive=(b == ""))
	# a bad proof is reported before (or instead of) the binding
	def both(c, chal):
		r = resp(chal, "evil.example.org")
		r["box"] = bytes([r["box"][0] ^ 1]) + r["box"][1:]
		c.send_msg(r)
	failure(relay, "server name: bad box and bad binding", "bad-proof",
	    both, alive=False)


def bindings6(relay):
	success(relay, "server name [::1]: binding [::1]:8080", "[::1]:8080")
	success(relay, "server name [::1]: binding [::1]", "[::1]")
	success(relay, "second server name also accepted", "other.example:1")
	for b in ("::1", "[0:0:0:0:0:0:0:1]:8080", "[::2]:8080", "[::1"):
		failure(relay, "server name [::1]: binding %r" % b, "bad-binding",
		    lambda c, chal, b=b: c.send_msg(resp(chal, b)), alive=False)
	t.alive(relay, "IPv6 bindings")


def timeout(relay):
	try:
		c, chal = raw(relay)
		t0 = time.monotonic()
		m = c.recv_msg(6)
		el = time.monotonic() - t0
		t.ok(m.get("type") == "REGISTER_FAILURE" and m.get("reason") ==
		    "timeout", "registration timeout 2 -> REGISTER_FAILURE "
		    "timeout", repr(m))
		t.ok(1.8 <= el <= 3.5, "... after about 2 s (%.1fs)" % el)
		code, reason, before = c.expect_close(3)
		t.eq(code, 1008, "registration timeout: then close 1008")
		c.close()
	except Exception as e:
		t.ok(False, "registration timeout", repr(e))
	# a response after the challenge expired is refused: the connection
	# is gone; a late connection that answers in time still works
	try:
		c, chal = raw(relay)
		time.sleep(1.0)
		sk, pk = T.keypair()
		c.send_msg(resp(chal, "127.0.0.1", sk, pk))
		m = c.recv_msg(3)
		t.eq(m.get("type"), "REGISTER_SUCCESS",
		    "answering within the registration timeout works")
		c.close()
	except Exception as e:
		t.ok(False, "answering within the registration timeout", repr(e))
	t.alive(relay, "registration timeout")


def concurrent(relay, n=200):
	async def one(i):
		proto = "json" if i % 2 else "msgpack"
		sk, pk = T.keypair()
		ws = await T.connect(relay.url, proto, timeout=15)
		try:
			reg = await T.register(ws, sk, pk, timeout=15)
			return T.verify_proof(reg, ws.challenge, sk, pk,
			    relay.server_pk), ws.challenge, ws
		except BaseException:
			await ws.close()
			raise

	async def all_():
		t0 = time.monotonic()
		res = await asyncio.gather(*[one(i) for i in range(n)],
		    return_exceptions=True)
		el = time.monotonic() - t0
		good = [r for r in res if not isinstance(r, BaseException) and
		    r[0]]
		bad = [r for r in res if isinstance(r, BaseException)]
		chals = set(r[1] for r in good)
		# everyone still registered: each sends to itself
		okk = 0
		for r in good:
			ws = r[2]
			await T.send_msg(ws, {"type": "SEND", "to": ws.pk,
			    "body": b"c", "id": 1})
		for r in good:
			ws = r[2]
			try:
				a = await T.recv_msg(ws, 5)
				b = await T.recv_msg(ws, 5)
				if sorted([a["type"], b["type"]]) == ["ACK", "MESSAGE"]:
					okk += 1
			except Exception:
				pass
		await asyncio.gather(*[r[2].close() for r in res if not
		    isinstance(r, BaseException)], return_exceptions=True)
		return len(good), bad[:3], len(chals), okk, el
	try:
		good, bad, nchal, okk, el = T.arun(all_(), 60)
		t.eq(good, n, "%d concurrent registrations all succeed with a "
		    "valid proof (%.1fs)" % (n, el))
		if bad:
			print("#   errors: %r" % (bad,))
		t.eq(nchal, good, "... each with its own challenge")
		t.eq(okk, good, "... and all route a message afterwards")
	except Exception as e:
		t.ok(False, "%d concurrent registrations" % n, repr(e))
	t.alive(relay, "concurrent registrations")


harness_vectors()
for name, conf, fn in (
    ("basic", "", basic),
    ("server name", 'server name "relay.example.org"', bindings),
    ("IPv6 server name", 'server name "[::1]"\nserver name "other.example"',
	bindings6),
    ("registration timeout", "registration timeout 2", timeout),
    ("concurrent", "", concurrent)):
	try:
		with T.Relay(conf) as relay:
			try:
				fn(relay)
			finally:
				t.ok(relay.running(), "%s: relay still running" % name,
				    relay.log()[-2000:])
				t.eq(relay.stop(check=False), 0, "%s: relay exits 0" %
				    name)
	except T.TestTimeout as e:
		t.ok(False, str(e))
		break
	except Exception as e:
		t.fail_all(name, e)
t.done()

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

# docs/WIRE.md sections 3 and 4: once registered, CHALLENGE_RESPONSE is a type
# the client may not send.  It is `unknown-type`, and like every ERROR
# for a request with a valid id the answer names that id; the other
# fields of such a message are not read (a `publicKey` of the wrong type
# is still `unknown-type`, not `malformed`).  A request without an id
# that fails is silent; a bad id is `malformed` without an id.  Both
# encodings, each case followed by a check that the session still works.

import os

import swstest as T

t = T.Tap(limit=90)


def expect(c, desc, want_code, want_id):
	try:
		m = c.recv_msg(3)
	except Exception as e:
		m = {"error": repr(e)}
	ok = m.get("type") == "ERROR" and m.get("code") == want_code and \
	    isinstance(m.get("message"), str) and \
	    m.get("id") == want_id and (("id" in m) == (want_id is not None))
	t.ok(ok, "%s -> ERROR %s %s" % (desc, want_code, "id %s" % want_id
	    if want_id is not None else "without id"), repr(m))


def silent_then_served(c, desc):
	"""Nothing comes for the previous message; a SEND to oneself is
	still delivered and ACKed."""
	c.send_msg({"type": "SEND", "to": c.pk, "body": b"x", "id": 900})
	got = [c.recv_msg(3), c.recv_msg(3)]
	kinds = sorted(m.get("type") for m in got)
	t.eq(kinds, ["ACK", "MESSAGE"], "%s: nothing else was sent, and the "
	    "session is still served" % desc)


def cases(r, proto):
	c = T.RawWS(r.port, proto=proto, timeout=5)
	sk, pk = T.keypair()
	c.register(sk, pk)
	chal = {"challenge": c.challenge, "server": r.server_pk}
	try:
		good = T.challenge_response(chal, sk, pk, r.binding)
		good["id"] = 7
		c.send_msg(good)
		expect(c, "%s: a valid CHALLENGE_RESPONSE again, id 7" % proto,
		    "unknown-type", 7)
		silent_then_served(c, "%s: after it" % proto)

		for i, (name, val) in enumerate((("a number", 5),
		    ("a string of base64url", T.b64e(pk)),
		    ("too short", b"\x01" * 3), ("null", None),
		    ("a list", [1, 2]))):
			if proto == "json" and isinstance(val, bytes):
				val = T.b64e(val)
			m = {"type": "CHALLENGE_RESPONSE", "publicKey": val,
			    "id": 20 + i}
			c.send_msg(m)
			expect(c, "%s: CHALLENGE_RESPONSE with publicKey %s" %
			    (proto, name), "unknown-type", 20 + i)
		c.send_msg({"type": "CHALLENGE_RESPONSE", "id": 30})
		expect(c, "%s: CHALLENGE_RESPONSE with no other field" % proto,
		    "unknown-type", 30)
		c.send_msg({"type": "CHALLENGE_RESPONSE", "box": b"",
		    "nonce": b"\0", "id": (1 << 53) - 1})
		expect(c, "%s: id 2^53-1 and wrong nonce and box" % proto,
		    "unknown-type", (1 << 53) - 1)

		good2 = dict(good)
		del good2["id"]
		c.send_msg(good2)
		silent_then_served(c, "%s: CHALLENGE_RESPONSE without an id is "
		    "silent" % proto)

		for desc, bad in (("-1", -1), ("2^53", 1 << 53)):
			c.send_msg({"type": "CHALLENGE_RESPONSE", "id": bad})
			expect(c, "%s: CHALLENGE_RESPONSE with id %s" % (proto,
			    desc), "malformed", None)
		if proto == "json":
			for desc, raw in (("1.5", '1.5'), ("\"7\"", '"7"'),
			    ("1e2", '1e2')):
				c.send_text('{"type":"CHALLENGE_RESPONSE","id":%s}' %
				    raw)
				expect(c, "json: CHALLENGE_RESPONSE with id %s" %
				    desc, "malformed", None)
		else:
			c.send_msg({"type": "CHALLENGE_RESPONSE", "id": "7"})
			expect(c, "msgpack: CHALLENGE_RESPONSE with id \"7\"",
			    "malformed", None)
		silent_then_served(c, "%s: after the bad ids" % proto)
	finally:
		c.close()


def main():
	with T.Relay("") as r:
		for proto in ("json", "msgpack"):
			cases(r, proto)
		t.alive(r, "CHALLENGE_RESPONSE after registration")


t.parts(("after registration", main))
t.done()

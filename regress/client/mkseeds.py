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

"""
Write the seed corpus of the libsws fuzz target (regress/fuzz/fuzz_client.c)
into regress/fuzz/corpus/client/.  Each seed is one mode byte (0 JSON,
1 msgpack) and then the bytes a relay sends: the 101 answer for the fixed
Sec-WebSocket-Key of a -DFUZZING build, the registration of vectors.json
(alice is the client), then rooms, messages, control frames and ends.

    /usr/bin/python3 regress/client/mkseeds.py
"""

import base64
import hashlib
import json
import os
import struct
import sys

import msgpack
import nacl.public
import nacl.secret

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
OUT = os.path.join(TOP, "regress", "fuzz", "corpus", "client")
VECTORS = os.path.join(TOP, "regress", "vectors.json")

BYTE_FIELDS = {"server", "challenge", "publicKey", "nonce", "box", "proof",
    "to", "from", "body"}


def b64d(s):
	return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64e(b):
	return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def frame(opcode, payload, fin=True):
	h = bytes([(0x80 if fin else 0) | opcode])
	n = len(payload)
	if n < 126:
		h += bytes([n])
	elif n < 65536:
		h += bytes([126]) + struct.pack(">H", n)
	else:
		h += bytes([127]) + struct.pack(">Q", n)
	return h + payload


def message(mode, obj):
	return frame(1 if mode == 0 else 2, payload(mode, obj))


def payload(mode, obj):
	if mode == 0:
		def conv(k, v):
			if isinstance(v, bytes):
				return b64e(v)
			if isinstance(v, list):
				return [conv(k, x) for x in v]
			if isinstance(v, dict):
				return {a: conv(a, b) for a, b in v.items()}
			return v
		text = json.dumps(conv(None, obj), separators=(",", ":"))
		return text.encode()
	return msgpack.packb(obj, use_bin_type=True)


def upgrade(proto):
	key = base64.b64encode(bytes(16))
	acc = base64.b64encode(hashlib.sha1(key +
	    b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest()).decode()
	return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
	    "Sec-WebSocket-Protocol: %s\r\n\r\n" % (acc, proto)).encode()


def main():
	v = json.load(open(VECTORS))
	server_pk = b64d(v["server"]["publicKey"])
	alice_pk = b64d(v["alice"]["publicKey"])
	bob_sk = nacl.public.PrivateKey(b64d(v["bob"]["secretKey"]))
	bob_pk = bytes(bob_sk.public_key)
	carol_pk = bytes(nacl.public.PrivateKey(bytes([3] * 32)).public_key)
	reg = v["registration"]
	to_alice = nacl.public.Box(bob_sk, nacl.public.PublicKey(alice_pk))
	room_key = bytes(range(32))
	os.makedirs(OUT, exist_ok=True)

	def direct(inner):
		n = bytes(24)
		return n + to_alice.encrypt(inner, n).ciphertext

	def room_body(inner):
		n = bytes([7] * 24)
		return n + nacl.secret.SecretBox(room_key).encrypt(inner,
		    n).ciphertext

	for mode, proto in ((0, "sws.v1.json"), (1, "sws.v1.msgpack")):
		name = "json" if mode == 0 else "msgpack"
		head = bytes([mode]) + upgrade(proto)
		chal = message(mode, {"type": "CHALLENGE", "version": 1,
		    "server": server_pk, "challenge": b64d(reg["challenge"])})
		raw = payload(mode, {"type": "REGISTER_SUCCESS",
		    "publicKey": alice_pk, "proof": b64d(reg["proof"]),
		    "limits": {"maxMessage": 65536, "maxBody": 48768,
		    "rate": 1000, "burst": 2000, "rooms": 32}})
		ok = frame(1 if mode == 0 else 2, raw)
		ready = head + chal + ok
		seeds = {
		    "ready": ready,
		    "full": ready +
			message(mode, {"type": "ACK", "id": 1}) +
			message(mode, {"type": "ERROR", "id": 2,
			    "code": "offline", "message": "no session"}) +
			message(mode, {"type": "JOINED", "room": "lobby",
			    "id": 1, "members": [alice_pk, bob_pk]}) +
			message(mode, {"type": "PRESENCE", "room": "lobby",
			    "publicKey": carol_pk, "state": "joined"}) +
			message(mode, {"type": "MESSAGE", "from": bob_pk,
			    "body": direct(b"\x00hi alice")}) +
			message(mode, {"type": "MESSAGE", "from": bob_pk,
			    "body": direct(b"\x01" + room_key + b"lobby")}) +
			message(mode, {"type": "MESSAGE", "from": bob_pk,
			    "room": "lobby",
			    "body": room_body(b"\x00hi room")}) +
			message(mode, {"type": "PRESENCE", "room": "lobby",
			    "publicKey": bob_pk, "state": "left"}) +
			frame(9, b"ping") +
			frame(8, struct.pack(">H", 1001) + b"bye"),
		    "failure": head + chal +
			message(mode, {"type": "REGISTER_FAILURE",
			    "reason": "bad-binding", "message": "no"}) +
			frame(8, struct.pack(">H", 1008)),
		    "free": ready + message(mode, {"type": "ERROR",
			"code": "free-me"}) +
			message(mode, {"type": "ACK", "id": 1}),
		}
		# REGISTER_SUCCESS in three fragments, a ping between
		op = 1 if mode == 0 else 2
		seeds["fragments"] = head + chal + frame(op, raw[:10],
		    fin=False) + frame(9, b"") + frame(0, raw[10:20],
		    fin=False) + frame(0, raw[20:])
		for k, data in seeds.items():
			with open(os.path.join(OUT, "%s-%s" % (name, k)),
			    "wb") as f:
				f.write(data)
	with open(os.path.join(OUT, "http-403"), "wb") as f:
		f.write(b"\x00HTTP/1.1 403 Forbidden\r\n\r\n")
	return 0


if __name__ == "__main__":
	sys.exit(main())

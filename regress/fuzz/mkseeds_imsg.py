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
Write the seed corpora of the imsg fuzz targets (regress/fuzz/fuzz_imsg_*.c)
into regress/fuzz/corpus/imsg_{cryptod,relay,parent}/.  A seed is a list
of records (regress/fuzz/fuzz_imsg.h): peer, flags, type, 16-bit length,
payload.  The valid sequences come first: configuration and its reload,
challenge then verify (with a box that opens, since randomness is the
constant 0x5a in the targets and the server key is theirs), forget, a
client's whole registration through the relay, listeners with their
descriptor; then one seed per kind of refusal.

    /usr/bin/python3 regress/fuzz/mkseeds_imsg.py
"""

import base64
import json
import os
import shutil
import struct

import msgpack
from nacl.bindings import crypto_box, crypto_scalarmult_base

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
CORPUS = os.path.join(TOP, "regress", "fuzz", "corpus")

# fuzz_imsg.h
FD, RAW, HOLD, CLOSE = 0x01, 0x02, 0x04, 0x08
# common/proto.h
(CONF_LIMITS, CONF_ORIGIN, CONF_END, LISTENER_ADD, LISTENER_DEL, SHUTDOWN,
    CRYPTOD_CONF, CRYPTOD_NAME, CRYPTOD_CONF_END, CHALLENGE_REQ, VERIFY,
    FORGET, CHALLENGE, VERIFIED, REJECTED, RELAY_READY) = range(1, 17)
HDR = struct.Struct("=IHHII")

SERVER_SK = bytes(0x40 + i for i in range(32))	# fuzz_imsg_cryptod.c
SERVER_PK = crypto_scalarmult_base(SERVER_SK)
CLIENT_SK = bytes(0x10 + i for i in range(32))
CLIENT_PK = crypto_scalarmult_base(CLIENT_SK)
CLIENT2_PK = crypto_scalarmult_base(bytes(0x70 + i for i in range(32)))
CHAL = b"\x5a" * 32				# the targets' randomness
NONCE = bytes(range(24))
LOW_ORDER = bytes(32)


def rec(peer, mtype, payload=b"", flags=0):
	return struct.pack("<BBBH", peer, flags, mtype, len(payload)) + payload


def raw(peer, data, flags=0):
	return rec(peer, 0, data, flags | RAW)


def b64e(b):
	return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


# --- cryptod: peer 0 is the parent, 1 the relay ---

def cconf(timeout=10, max_pending=8, flags=0):
	return rec(0, CRYPTOD_CONF, struct.pack("=II", timeout, max_pending),
	    flags)


def cname(name, flags=0):
	return rec(0, CRYPTOD_NAME, name.encode() + b"\0", flags)


def cend(flags=0):
	return rec(0, CRYPTOD_CONF_END, b"", flags)


def sid(s):
	return struct.pack("=Q", s)


def chreq(s, flags=0):
	return rec(1, CHALLENGE_REQ, sid(s), flags)


def forget(s, flags=0):
	return rec(1, FORGET, sid(s), flags)


def verify_payload(s, box, pk=CLIENT_PK, box_len=None):
	if box_len is None:
		box_len = len(box)
	return struct.pack("=Q32s24sH303s", s, pk, NONCE, box_len,
	    box.ljust(303, b"\0")).ljust(376, b"\0")


def good_box(binding=b"relay.example.org:8080", chal=CHAL):
	return crypto_box(chal + binding, NONCE, SERVER_PK, CLIENT_SK)


def verify(s, box=None, pk=CLIENT_PK, flags=0, box_len=None):
	if box is None:
		box = good_box()
	return rec(1, VERIFY, verify_payload(s, box, pk, box_len), flags)


def cryptod_seeds():
	setup = cconf() + cname("relay.example.org") + cend()
	seeds = {
		"register": setup + chreq(1) + verify(1),
		"register-forget-reject": setup + chreq(1) + verify(1) +
		    chreq(2) + forget(2) + chreq(3) +
		    verify(3, good_box(chal=bytes(32))) + chreq(4) +
		    verify(4, good_box(b"evil.example.org:8080")) + chreq(5) +
		    verify(5, b"\2" * 64, pk=LOW_ORDER) + chreq(6) +
		    verify(6, good_box(b"RELAY.example.org")),
		# several messages per read: odd offsets in the read buffer
		"held": cconf(flags=HOLD) + cname("a.example", flags=HOLD) +
		    cname("relay.example.org", flags=HOLD) + cend() +
		    chreq(1, HOLD) + chreq(2, HOLD) + verify(1, flags=HOLD) +
		    forget(2),
		"reconfigure": cconf(1, 2) + cend() + chreq(1) + chreq(2) +
		    cconf(10, 64) + cname("a.example") +
		    cname("relay.example.org") + cend() + verify(1) +
		    forget(2) + chreq(9),
		"no-names": cconf() + cend() + chreq(7) +
		    verify(7, good_box(b"[::1]:8080")) + chreq(8) +
		    verify(8, good_box(b"")),
		"parent-hangs-up": setup + chreq(1) + raw(0, b"", CLOSE),
		# refusals
		"verify-short": setup + chreq(1) +
		    rec(1, VERIFY, verify_payload(1, good_box())[:-1]),
		"verify-box-len": setup + chreq(1) + verify(1, box_len=400),
		"verify-unknown": setup + chreq(1) + verify(2),
		"verify-twice": setup + chreq(1) + verify(1) + verify(1),
		"replayed-id": setup + chreq(5) + chreq(5),
		"too-many": cconf(10, 2) + cend() + chreq(1) + chreq(2) +
		    chreq(3),
		"before-conf": chreq(1),
		"conf-from-relay": setup + rec(1, CRYPTOD_CONF,
		    struct.pack("=II", 10, 8)),
		"request-from-parent": setup + rec(0, CHALLENGE_REQ, sid(1)),
		"descriptor": setup + chreq(1, FD),
		"unknown-type": setup + rec(1, 99, b"x"),
		"bad-header": setup + raw(1, HDR.pack(CHALLENGE_REQ, 3, 0, 0, 0)),
		"flagged-no-fd": setup + raw(1, HDR.pack(CHALLENGE_REQ, 24, 1, 0,
		    0) + sid(1)),
		"bad-name": cconf() + rec(0, CRYPTOD_NAME, b"a\0b\0"),
		"zero-timeout": cconf(0, 8),
	}
	return seeds


# --- relay: peer 0 is the parent, 1 cryptod, 2 the clients ---

def limits(max_conn=100, max_message=65536, rooms=1, path=b"/",
    echo=b"/echo", send_buffer=1 << 20, flags=0):
	# admission: rates off, pending caps, prefixes 32 and 64, one
	# trusted proxy (127.0.0.1/128: the clients of odd slots behind it)
	trusted = (bytes(10) + b"\xff\xff" + bytes([127, 0, 0, 1]) +
	    bytes([128])) + bytes(17 * 63)
	p = struct.pack("=14I9I1088s256s256s", max_conn, 10, max_message, 2,
	    1000, 2000, send_buffer, rooms, 32, 100, 10, 10, 30, 90,
	    0, 0, 0, 0, 100, 50, 32, 64, 1, trusted, path, echo)
	return rec(0, CONF_LIMITS, p, flags)


def origin(o, flags=0):
	return rec(0, CONF_ORIGIN, o.encode() + b"\0", flags)


def conf_end(flags=0):
	return rec(0, CONF_END, b"", flags)


def listener(lid, name="127.0.0.1 port 8080", flags=FD, mtype=LISTENER_ADD):
	return rec(0, mtype, struct.pack("=iI256s", lid, 0, name.encode()),
	    flags)


def challenge(s, flags=0):
	return rec(1, CHALLENGE, struct.pack("=Q32s32s", s, CHAL, SERVER_PK),
	    flags)


def verified(s, flags=0):
	return rec(1, VERIFIED, struct.pack("=Q104s", s, bytes(range(104))),
	    flags)


def rejected(s, reason, flags=0):
	return rec(1, REJECTED, struct.pack("=QI4x", s, reason), flags)


def client(slot, data, flags=0):
	return rec(2, slot, data, flags)


def upgrade(path="/", proto="sws.v1.json", origin_hdr=None):
	h = ("GET %s HTTP/1.1\r\nHost: relay.example.org\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n" % path)
	if proto is not None:
		h += "Sec-WebSocket-Protocol: %s\r\n" % proto
	if origin_hdr is not None:
		h += "Origin: %s\r\n" % origin_hdr
	return (h + "\r\n").encode()


def frame(opcode, payload, fin=True, key=b"\x11\x22\x33\x44"):
	n = len(payload)
	h = bytes([(0x80 if fin else 0) | opcode])
	if n < 126:
		h += bytes([0x80 | n])
	elif n < 65536:
		h += bytes([0x80 | 126]) + struct.pack(">H", n)
	else:
		h += bytes([0x80 | 127]) + struct.pack(">Q", n)
	return h + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def msg(proto, obj):
	if proto == "msgpack":
		return frame(2, msgpack.packb(obj, use_bin_type=True))

	def conv(v):
		return b64e(v) if isinstance(v, bytes) else v
	return frame(1, json.dumps({k: conv(v) for k, v in obj.items()},
	    separators=(",", ":")).encode())


def response(proto, pk=CLIENT_PK):
	return msg(proto, {"type": "CHALLENGE_RESPONSE", "publicKey": pk,
	    "nonce": NONCE, "box": good_box()})


def relay_conf():
	return (limits() + origin("https://chat.example.org") + conf_end() +
	    listener(1))


def registered(slot, s, proto="json", pk=CLIENT_PK):
	sp = "sws.v1.msgpack" if proto == "msgpack" else "sws.v1.json"
	return (client(slot, upgrade(proto=sp,
	    origin_hdr="https://chat.example.org")) + challenge(s) +
	    client(slot, response(proto, pk)) + verified(s))


def relay_seeds():
	seeds = {}
	for proto in ("json", "msgpack"):
		seeds["register-" + proto] = (relay_conf() +
		    registered(0, 1, proto) +
		    client(0, msg(proto, {"type": "SEND", "id": 1,
		    "to": CLIENT_PK, "body": b"hello"})) +
		    client(0, msg(proto, {"type": "JOIN", "id": 2,
		    "room": "lobby"})) +
		    client(0, msg(proto, {"type": "PUBLISH", "id": 3,
		    "room": "lobby", "body": b"hi"})) +
		    client(0, msg(proto, {"type": "LEAVE", "id": 4,
		    "room": "lobby"})) +
		    client(0, frame(9, b"ping")) +
		    client(0, frame(8, struct.pack(">H", 1000))))
	seeds["two-clients"] = (relay_conf() + registered(0, 1) +
	    registered(1, 2, "msgpack", CLIENT2_PK) +
	    client(0, msg("json", {"type": "JOIN", "id": 1, "room": "r"})) +
	    client(1, msg("msgpack", {"type": "JOIN", "id": 1, "room": "r"})) +
	    client(0, msg("json", {"type": "SEND", "id": 2, "to": CLIENT2_PK,
	    "body": b"x" * 40})) +
	    client(1, msg("msgpack", {"type": "PUBLISH", "id": 2, "room": "r",
	    "body": b"y"})) + client(1, b"", CLOSE) +
	    client(0, msg("json", {"type": "SEND", "id": 3, "to": CLIENT2_PK,
	    "body": b"z"})))
	seeds["rejected"] = (relay_conf() +
	    client(0, upgrade()) + challenge(1) + client(0, response("json")) +
	    rejected(1, 1) + client(1, upgrade()) + challenge(2) +
	    client(1, response("json")) + rejected(2, 2) +
	    client(2, upgrade()) + challenge(3) + client(2, response("json")) +
	    rejected(3, 3))
	seeds["hang-up-before-answer"] = (relay_conf() +
	    client(0, upgrade()) + client(0, b"", CLOSE) + challenge(1) +
	    client(1, upgrade()) + challenge(2) + client(1, response("json")) +
	    client(1, b"", CLOSE) + verified(2) + rejected(2, 1))
	seeds["answers-out-of-order"] = (relay_conf() + client(0, upgrade()) +
	    verified(1) + rejected(1, 1) + challenge(1) + challenge(1) +
	    client(0, response("json")) + challenge(1) + verified(1) +
	    verified(1) + challenge(7))
	seeds["echo"] = (relay_conf() + client(0, upgrade("/echo", None)) +
	    client(0, frame(1, b"text")) + client(0, frame(2, b"\0\1\2")) +
	    client(0, frame(1, b"fr", fin=False)) + client(0, frame(0, b"ag")) +
	    client(0, frame(8, b"")))
	seeds["reload"] = (relay_conf() + limits(max_message=1024,
	    send_buffer=4096) + origin("https://a.example") +
	    origin("https://b.example") + conf_end() + listener(2) +
	    listener(1, mtype=LISTENER_DEL, flags=0) + limits(rooms=0,
	    echo=b"") + conf_end() + client(0, upgrade()) + challenge(1) +
	    rec(0, SHUTDOWN))
	seeds["held"] = (limits(flags=HOLD) + origin("https://c.example",
	    flags=HOLD) + conf_end(HOLD) + listener(1, flags=FD | HOLD) +
	    listener(2) + client(0, upgrade()) + client(1, upgrade()) +
	    challenge(1, HOLD) + challenge(2, HOLD) + rejected(1, 1, HOLD) +
	    client(1, response("json")) + verified(2))
	seeds["http-errors"] = (relay_conf() + client(0, b"GET /nope HTTP/1.1"
	    b"\r\nHost: x\r\n\r\n") + client(1, upgrade(origin_hdr="https://"
	    "evil.example")) + client(2, b"x" * 9000) +
	    client(3, upgrade()[:20]) + client(3, upgrade()[20:]))
	seeds["shutdown-with-sessions"] = (relay_conf() + registered(0, 1) +
	    client(1, upgrade()) + rec(0, SHUTDOWN) + client(0, frame(8,
	    b"")) + client(1, b"", CLOSE))
	# behind proxies: slot 2 is on a PROXY protocol listener, slot 3's
	# peer is the trusted proxy 127.0.0.1 (fuzz_imsg_relay.c)
	seeds["proxy-protocol"] = (relay_conf() + client(2,
	    b"PROXY TCP4 192.0.2.1 127.0.0.1 4000 80\r\n" + upgrade()) +
	    challenge(1) + client(2, response("json")) + verified(1) +
	    client(2, b"", CLOSE) + client(2, b"\r\n\r\n\0\r\nQUIT\n\x21\x11"
	    b"\x00\x0c\xc0\x00\x02\x02\x7f\x00\x00\x01\x0f\xa0\x00\x50" +
	    upgrade()) + client(2, b"", CLOSE) + client(2, b"PROXY UNKNOWN\r\n"))
	seeds["forwarded"] = (relay_conf() + client(3, upgrade()[:-2] +
	    b"X-Forwarded-For: 198.51.100.1, 192.0.2.9\r\n"
	    b"Forwarded: for=\"[2001:db8::1]:80\";proto=http\r\n\r\n") +
	    challenge(1) + client(3, b"", CLOSE) + client(3, upgrade()[:-2] +
	    b"X-Forwarded-For: 198.51.100.1\r\n\r\n"))
	seeds["parent-hangs-up"] = relay_conf() + raw(0, b"", CLOSE)
	seeds["cryptod-hangs-up"] = relay_conf() + raw(1, b"", CLOSE)
	# refusals
	seeds["listener-no-fd"] = relay_conf() + listener(2, flags=0)
	seeds["listener-del-unknown"] = relay_conf() + listener(9,
	    mtype=LISTENER_DEL, flags=0)
	seeds["limits-short"] = rec(0, CONF_LIMITS, bytes(100))
	seeds["limits-values"] = limits(max_message=10)
	seeds["origin-unterminated"] = rec(0, CONF_ORIGIN, b"https://x")
	seeds["challenge-from-parent"] = relay_conf() + rec(0, CHALLENGE,
	    struct.pack("=Q32s32s", 1, CHAL, SERVER_PK))
	seeds["conf-from-cryptod"] = rec(1, CONF_END)
	seeds["descriptor-from-cryptod"] = relay_conf() + challenge(1, FD)
	seeds["unknown-type"] = rec(0, 200, b"abc")
	seeds["bad-header"] = raw(1, HDR.pack(CHALLENGE, 9, 0, 0, 0))
	seeds["reason-unknown"] = (relay_conf() + client(0, upgrade()) +
	    challenge(1) + client(0, response("json")) + rejected(1, 9))
	return seeds


# --- parent: peer 0 is the relay, 1 cryptod ---

def parent_seeds():
	ready = rec(0, RELAY_READY)
	return {
		"ready": ready + ready + rec(0, RELAY_READY, b"", HOLD) + ready,
		"relay-hangs-up": ready + raw(0, b"", CLOSE) + raw(1, b"", CLOSE),
		"ready-from-cryptod": rec(1, RELAY_READY),
		"ready-with-payload": rec(0, RELAY_READY, b"x"),
		"ready-with-fd": rec(0, RELAY_READY, b"", FD),
		"unknown-type": rec(0, CONF_END),
		"bad-header": raw(1, HDR.pack(RELAY_READY, 0, 0, 0, 0)),
		"flagged-no-fd": raw(0, HDR.pack(RELAY_READY, 16, 1, 0, 0)),
	}


def write(name, seeds):
	d = os.path.join(CORPUS, name)
	if os.path.isdir(d):
		shutil.rmtree(d)
	os.makedirs(d)
	for k, v in seeds.items():
		with open(os.path.join(d, k), "wb") as f:
			f.write(v)


def main():
	write("imsg_cryptod", cryptod_seeds())
	write("imsg_relay", relay_seeds())
	write("imsg_parent", parent_seeds())


if __name__ == "__main__":
	main()

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

# docs/PROTOCOL.md: its examples are real.  Every fenced block tagged
# "json example=NAME" must have a "msgpack-hex example=NAME" partner (and
# the other way round); each JSON text must be one valid JSON object, each
# hex block one msgpack map, and the two must decode to the same message
# under section 6's field types (base64url in JSON, bin in msgpack).  The
# examples are in the relay's own form (compact JSON, shortest msgpack),
# every message type of sws/1 has one, and the ones built from
# regress/vectors.json carry the vectors' bytes, whose boxes and proofs are
# also recomputed here.  The page may name no file outside the repository.

import json
import os
import re
import sys

import msgpack
import nacl.secret

import swstest
from swstest import b64d, b64e

TOP = swstest.TOP
DOC = os.path.join(TOP, "docs", "PROTOCOL.md")
failures = 0


def ok(cond, desc, diag=None):
	global failures
	if cond:
		print("ok - %s" % desc)
	else:
		failures += 1
		print("not ok - %s" % desc)
		if diag is not None:
			print("# %s" % diag)
	return cond


with open(DOC, encoding="utf-8") as f:
	text = f.read()

# Fenced blocks: an opening line ```INFO, the body, a closing ```.
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.M | re.S)
json_ex, hex_ex, dups = {}, {}, []
order = []
for m in FENCE.finditer(text):
	info = m.group(1).split()
	if len(info) != 2 or not info[1].startswith("example="):
		continue
	kind, name = info[0], info[1][len("example="):]
	table = {"json": json_ex, "msgpack-hex": hex_ex}.get(kind)
	if table is None:
		ok(False, "example %s: known block kind" % name, kind)
		continue
	if name in table:
		dups.append("%s %s" % (kind, name))
	table[name] = m.group(2)
	if name not in order:
		order.append(name)

ok(len(json_ex) >= 13, "examples found (%d JSON, %d msgpack)" %
    (len(json_ex), len(hex_ex)))
ok(not dups, "example labels are unique", dups)
ok(set(json_ex) == set(hex_ex), "every example comes in both encodings",
    sorted(set(json_ex) ^ set(hex_ex)))


def check_types(name, obj):
	"""Section 6 types on a decoded message (bytes already bytes)."""
	for k, v in obj.items():
		if k in swstest.BYTE_FIELDS and not isinstance(v, bytes):
			return "%s not bytes" % k
		if k in swstest.TEXT_FIELDS and not isinstance(v, str):
			return "%s not text" % k
		if k in ("id", "version") and not (isinstance(v, int) and
		    not isinstance(v, bool) and 0 <= v < 2 ** 53):
			return "%s not an unsigned integer" % k
	if "members" in obj and not all(isinstance(x, bytes) and
	    len(x) == 32 for x in obj["members"]):
		return "members not 32-byte keys"
	if "limits" in obj and not all(isinstance(x, int) and x >= 0
	    for x in obj["limits"].values()):
		return "limits not unsigned integers"
	for k in ("server", "publicKey", "to", "from"):
		if k in obj and len(obj[k]) != 32:
			return "%s not 32 bytes" % k
	return None


msgs = {}
for name in order:
	if name not in json_ex or name not in hex_ex:
		continue
	jtext = json_ex[name].strip()
	try:
		raw = json.loads(jtext)
		jobj = swstest.decode_msg("json", jtext)
		jerr = None
	except ValueError as e:
		raw, jobj, jerr = None, None, e
	ok(jerr is None and isinstance(jobj, dict),
	    "%s: JSON is one valid object" % name, jerr)
	hx = re.sub(r"\s+", "", hex_ex[name])
	try:
		data = bytes.fromhex(hx)
		mobj = swstest.decode_msg("msgpack", data)
		merr = None
	except ValueError as e:
		data, mobj, merr = None, None, e
	ok(merr is None and isinstance(mobj, dict),
	    "%s: msgpack hex decodes to one map" % name, merr)
	if jobj is None or mobj is None:
		continue
	ok(jobj == mobj, "%s: JSON and msgpack are the same message" % name,
	    "%r != %r" % (jobj, mobj))
	terr = check_types(name, mobj)
	ok(terr is None, "%s: field types of section 6" % name, terr)
	# The relay's own form: compact JSON in this key order, and the
	# shortest msgpack encoding of the same keys in the same order.
	ok(swstest.encode_msg("json", mobj) == jtext,
	    "%s: JSON in the relay's compact form" % name)
	ok(msgpack.packb(mobj, use_bin_type=True) == data,
	    "%s: msgpack in the shortest form" % name)
	ok(list(raw.keys()) == list(msgpack.unpackb(data, raw=False).keys()),
	    "%s: same key order in both" % name)
	msgs[name] = mobj

# Every message type of sws/1 has an example.
TYPES = ("CHALLENGE", "CHALLENGE_RESPONSE", "REGISTER_SUCCESS",
    "REGISTER_FAILURE", "SEND", "MESSAGE", "ACK", "ERROR", "JOIN", "JOINED",
    "PRESENCE", "LEAVE", "PUBLISH")
seen = {m.get("type") for m in msgs.values()}
ok(all(t in seen for t in TYPES), "every message type has an example",
    [t for t in TYPES if t not in seen])
ok(seen <= set(TYPES), "no example of an unknown type", seen - set(TYPES))

# The vectors, and the examples built from them.
v = swstest.load_vectors()
spk, ssk = b64d(v["server"]["publicKey"]), b64d(v["server"]["secretKey"])
apk, ask = b64d(v["alice"]["publicKey"]), b64d(v["alice"]["secretKey"])
bpk, bsk = b64d(v["bob"]["publicKey"]), b64d(v["bob"]["secretKey"])
reg = v["registration"]
chal = b64d(reg["challenge"])
binding = reg["binding"].encode("utf-8")


def want(name, cond, desc):
	m = msgs.get(name)
	ok(m is not None and cond(m), "%s: %s" % (name, desc), m)


want("challenge", lambda m: m == {"type": "CHALLENGE", "version": 1,
    "server": spk, "challenge": chal}, "the vector's server key and challenge")
want("challenge-response", lambda m: m["publicKey"] == apk and
    m["nonce"] == b64d(reg["nonce"]) and m["box"] == b64d(reg["box"]),
    "Alice's vector response")
want("challenge-response", lambda m: swstest.box(chal + binding, m["nonce"],
    spk, ask) == m["box"], "box = box(challenge || binding, nonce, server pk, "
    "client sk)")
want("challenge-response", lambda m: swstest.box_open(m["box"], m["nonce"],
    apk, ssk) == chal + binding, "the relay opens it to challenge || binding")
want("register-success", lambda m: m["publicKey"] == apk and
    m["proof"] == b64d(reg["proof"]), "the vector's proof")
want("register-success", lambda m: m["proof"][:24] == b64d(reg["nonce2"]) and
    len(m["proof"]) == 104, "the proof starts with nonce2, 104 bytes")
want("register-success", lambda m: swstest.verify_proof(m, chal, ask, apk,
    spk), "the proof opens to challenge || client pk")
want("register-success", lambda m: m["limits"]["maxBody"] ==
    swstest.max_body(m["limits"]["maxMessage"]) and
    sorted(m["limits"]) == sorted(["maxMessage", "maxBody", "rate", "burst",
    "rooms"]), "limits: the five keys, maxBody from maxMessage")

msg = v["message"]
body = b64d(msg["body"])
want("send", lambda m: m["to"] == bpk and m["body"] == body,
    "the vector's direct body to Bob")
want("message", lambda m: m["from"] == apk and m["body"] == body and
    "room" not in m, "the vector's direct body from Alice")
want("message", lambda m: swstest.box_open(m["body"][24:], m["body"][:24],
    m["from"], bsk) == b64d(msg["inner"]) == b"\x00" +
    msg["text"].encode(), "Bob opens it to kind 0x00 and the text")

e = v["e2e"]
want("send-sender-key", lambda m: m["to"] == bpk and
    m["body"] == b64d(e["keyBody"]), "the vector's sender key body")
want("send-sender-key", lambda m: swstest.box_open(m["body"][24:],
    m["body"][:24], apk, bsk) == b"\x01" + b64d(e["senderKey"]) +
    e["room"].encode(), "it opens to 0x01 || key || room")
for name in ("publish", "message-room"):
	want(name, lambda m: m["room"] == e["room"] and
	    m["body"] == b64d(e["roomBody"]), "the vector's room body")
want("message-room", lambda m: m["from"] == apk and nacl.secret.SecretBox(
    b64d(e["senderKey"])).decrypt(m["body"][24:], m["body"][:24]) ==
    b"\x00" + e["text"].encode(), "it opens with Alice's sender key")
for name in ("join", "joined", "presence", "leave", "presence-left"):
	want(name, lambda m: m["room"] == e["room"], "room of the vectors")
want("joined", lambda m: sorted(m["members"]) == sorted([apk, bpk]),
    "members are Alice and Bob")
for name in ("presence", "presence-left"):
	want(name, lambda m: m["publicKey"] in (apk, bpk) and
	    m["state"] in ("joined", "left"), "a vector key, a known state")

# The vectors' own self-consistency that the page describes (section 8).
for t in v["base64url"]:
	ok(b64e(bytes.fromhex(t["bytes_hex"])) == t["text"] and
	    b64d(t["text"]) == bytes.fromhex(t["bytes_hex"]),
	    "base64url vector %r" % t["text"])
for t in v["base64url_invalid"]:
	try:
		b64d(t)
		refused = False
	except ValueError:
		refused = True
	ok(refused, "base64url_invalid vector %r is refused" % t)
	ok("`%s`" % t in text, "base64url_invalid vector %r is on the page" % t)
for t in v["base64url"]:
	if t["text"]:
		ok("`%s`" % t["text"] in text, "base64url vector %r is on the page"
		    % t["text"])
for k in v["low_order_public_keys"]:
	ok(len(b64d(k)) == 32, "low-order key %s is 32 bytes" % k[:8])
sets = [k for k in v if not k.endswith("comment")]
ok(all("`%s`" % k in text for k in sets), "section 8 names every vector set",
    [k for k in sets if "`%s`" % k not in text])

# Section numbering kept, and no reference outside the repository.
heads = re.findall(r"^## (\d+)\. ", text, re.M)
ok(heads == [str(i) for i in range(1, 10)], "sections 1 to 9 in order", heads)
# every document the page names is one of the repository's own
docs = sorted(set(re.findall(r"[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b", text)))
outside = [d for d in docs if not os.path.exists(os.path.join(TOP, d)) and
    not os.path.exists(os.path.join(TOP, "docs", d))]
ok("../" not in text and not outside, "no reference outside the repository",
    outside)
for path in sorted(set(re.findall(r"`((?:docs|regress|relayd|common|"
    r"cryptod)/[A-Za-z0-9_./-]+)`", text))):
	ok(os.path.exists(os.path.join(TOP, path)), "%s exists" % path)

sys.exit(1 if failures else 0)

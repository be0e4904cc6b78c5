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

# What an operator reads (relayd(8) LOGGING).  One line at info level
# ends each upgraded connection: the client's address and port, the
# session, the listener, the subprotocol, the key (its first 8 base64
# characters, all of it with "log keys full"), the duration, messages
# and bytes each way, the first close code and who sent it (client,
# relay, or none when the TCP connection was dropped); never a body.
# Refusals come at most LOG_RL_LINES (5) a second per kind, then
# "N more <kind> suppressed".  -vv adds the per-frame trace, which -v
# does not show.  One daemon at -vv for the file, and a second one at
# -v for what it must not show.

import os
import re
import time

import swstest as T

t = T.Tap(limit=90)
LINE = re.compile(r'relay: end (?P<peer>\S+) session (?P<sid>\d+) '
    r'listener "(?P<lis>[^"]*)" proto (?P<proto>\S+) key (?P<key>\S+) '
    r'duration (?P<dur>\d+\.\d{3})s in (?P<min>\d+) msgs (?P<bin>\d+) '
    r'bytes out (?P<mout>\d+) msgs (?P<bout>\d+) bytes close '
    r'(?P<code>\S+) by (?P<by>\S+)$', re.M)


def end_line(r, peer, timeout=3):
	"""The end line of the client at peer ("127.0.0.1:PORT")."""
	deadline = time.monotonic() + timeout
	while True:
		for m in LINE.finditer(r.log()):
			if m.group("peer") == peer:
				return m
		if time.monotonic() > deadline:
			return None
		time.sleep(0.05)


def peer_of(c):
	return "127.0.0.1:%d" % c.sock.getsockname()[1]


def registered(r, proto="json"):
	c = T.RawWS(r.port, proto=proto)
	sk, pk = T.keypair()
	c.register(sk, pk, r.binding)
	return c, pk


def normal_close(r):
	c, pk = registered(r)
	peer = peer_of(c)
	body = os.urandom(24)
	c.send_msg({"type": "SEND", "to": pk, "body": body, "id": 1})
	got = sorted(c.recv_msg()["type"] for _ in range(2))
	t.eq(got, ["ACK", "MESSAGE"], "registered client: SEND to itself")
	c.send_close(1000)
	c.expect_close()
	c.close()
	m = end_line(r, peer)
	t.ok(m is not None, "a registered client's close: one end line",
	    r.log()[-2000:])
	if m is None:
		return
	t.eq(m.group("lis"), "127.0.0.1 port %d" % r.port, "end: listener")
	t.eq(m.group("proto"), "sws.v1.json", "end: subprotocol")
	t.eq(m.group("key"), T.b64e(pk)[:8], "end: the key's first 8 base64 "
	    "characters by default")
	t.eq((m.group("code"), m.group("by")), ("1000", "client"),
	    "end: close 1000 by client")
	# CHALLENGE_RESPONSE and SEND in; CHALLENGE, REGISTER_SUCCESS, ACK
	# and MESSAGE out
	t.eq((int(m.group("min")), int(m.group("mout"))), (2, 4),
	    "end: messages each way")
	t.ok(int(m.group("bin")) > 200 and int(m.group("bout")) > 200,
	    "end: bytes each way (%s in, %s out)" % (m.group("bin"),
	    m.group("bout")))
	t.ok(float(m.group("dur")) < 5, "end: a duration")
	log = r.log()
	t.ok(T.b64e(body) not in log and body.hex() not in log,
	    "no message body in the log")
	t.eq(len([x for x in LINE.finditer(log) if x.group("peer") == peer]),
	    1, "exactly one end line for the connection")


def dropped(r):
	c, pk = registered(r, "msgpack")
	peer = peer_of(c)
	c.close()
	m = end_line(r, peer)
	t.ok(m is not None, "a client that drops TCP: an end line")
	if m is None:
		return
	t.eq((m.group("code"), m.group("by")), ("-", "none"),
	    "dropped: no close code, closed by none")
	t.eq(m.group("proto"), "sws.v1.msgpack", "dropped: msgpack named")
	t.eq(m.group("key"), T.b64e(pk)[:8], "dropped: the short key")


def relay_closes(r):
	c = T.RawWS(r.port)
	peer = peer_of(c)
	c.recv_msg()		# CHALLENGE
	c.send_frame(0x1, b'{"type":"x"}', mask=False)	# unmasked: 1002
	code = c.expect_close()[0]
	c.close()
	t.eq(code, 1002, "an unmasked frame: the relay closes with 1002")
	m = end_line(r, peer)
	t.ok(m is not None, "a protocol violation: an end line")
	if m is None:
		return
	t.eq((m.group("code"), m.group("by")), (str(code), "relay"),
	    "violation: close %s by relay" % code)
	t.eq(m.group("key"), "-", "violation: no key before registration")


def keys_full(r):
	r.reload("log keys full")
	c, pk = registered(r)
	peer = peer_of(c)
	c.send_close(1001)
	c.expect_close()
	c.close()
	m = end_line(r, peer)
	t.ok(m is not None and m.group("key") == T.b64e(pk),
	    "log keys full: the whole base64 key",
	    m.group(0) if m else r.log()[-1000:])
	r.reload("log keys short")
	c, pk = registered(r)
	peer = peer_of(c)
	c.close()
	m = end_line(r, peer)
	t.ok(m is not None and m.group("key") == T.b64e(pk)[:8],
	    "log keys short again: 8 characters")


def suppression(r):
	time.sleep(1.2)		# a window of its own
	before = len(r.log())
	n = 30
	for i in range(n):
		T.http_request(r.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	time.sleep(1.5)
	log = r.log()[before:]
	shown = len(re.findall(r"upgrade refused: HTTP 4\d\d", log))
	sup = [int(x) for x in re.findall(r"(\d+) more HTTP refusals "
	    r"suppressed", log)]
	t.ok(1 <= shown <= 5 * 3, "a burst of %d refusals: %d lines shown" %
	    (n, shown))
	t.ok(len(sup) >= 1, "then \"N more HTTP refusals suppressed\"", log)
	t.eq(shown + sum(sup), n, "every refusal shown or counted")


def trace(r):
	log = r.log()
	t.ok(re.search(r"relay: session \d+: frame in: opcode 1, \d+ bytes",
	    log) is not None, "-vv: the per-frame trace")
	t.ok(re.search(r"relay: session \d+: request type \d+ id 1: ok", log)
	    is not None, "-vv: the per-request trace")
	with T.Relay("", verbose=1) as r1:
		c, pk = registered(r1)
		peer = peer_of(c)
		c.send_msg({"type": "SEND", "to": pk, "body": b"x", "id": 1})
		c.recv_msg()
		c.recv_msg()
		c.close()
		m = end_line(r1, peer)
		log = r1.log()
		t.ok(m is not None, "-v: the end line too")
		t.ok("frame in:" not in log and "request type" not in log and
		    "accepted on" not in log, "-v: no -vv trace")
		t.ok("settings applied" in log, "-v: the debug lines")


try:
	with T.Relay("", verbose=2) as r:
		t.parts(("normal close", lambda: normal_close(r)),
		    ("dropped", lambda: dropped(r)),
		    ("relay closes", lambda: relay_closes(r)),
		    ("keys", lambda: keys_full(r)),
		    ("suppression", lambda: suppression(r)),
		    ("trace", lambda: trace(r)))
		t.alive(r, "after all that")
except T.RelayError as e:
	t.fail_all("relay", e)
t.done()

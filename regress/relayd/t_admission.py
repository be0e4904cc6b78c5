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

# Admission control (docs/WIRE.md section 1, issue 15): the per-address
# handshake and registration rates answered with 429 and Retry-After
# before any challenge, the caps on connections awaiting registration (in
# total: 503, per address: 429), 503 with Retry-After at the connection
# cap, and an address that floods registrations at full speed while
# another registers steadily, on the daemon's default settings.

import asyncio
import json
import os
import re
import subprocess
import time

import swstest as T

t = T.Tap(limit=240)


def try_upgrade(port, source, path="/"):
	"""(status, Retry-After or None, open socket or None).  A 101's
	socket has its CHALLENGE read, when one came within 2 s."""
	s = T._sock(port, 3, source)
	s.sendall(T.upgrade_request(port, path=path))
	head, rest, eof = T._read_head(s, b"", 3)
	r = T.HTTPResponse(head)
	if r.status != 101:
		s.close()
		return r.status, r.header("Retry-After"), None
	return 101, None, s


def challenged(port, source):
	"""An upgrade answered with 101 and a CHALLENGE, as a RawWS."""
	c = T.RawWS(port, source=source)
	m = c.recv_msg(3)
	if m.get("type") != "CHALLENGE":
		raise T.RelayError("no CHALLENGE: %r" % (m,))
	c.chal_msg = m
	return c


try:
	# ---- the handshake rate ------------------------------------------
	with T.Relay("handshake rate 5 per second burst 5\n"
	    "registration rate off\necho path \"/echo\"\n") as r:
		held = []
		st = []
		for i in range(6):
			code, ra, s = try_upgrade(r.port, "127.0.0.2")
			st.append((code, ra))
			if s:
				held.append(s)
		t.ok([c for c, _ in st] == [101] * 5 + [429], "handshake burst "
		    "5: five upgrades, the sixth 429 (%r)" % (st,))
		t.ok(st[5][1] is not None and st[5][1].isdigit() and
		    int(st[5][1]) >= 1, "... with Retry-After in seconds (%r)"
		    % (st[5][1],))
		code, _, s = try_upgrade(r.port, "127.0.0.3")
		t.ok(code == 101, "another address is not affected")
		held.append(s)
		code, _, s = try_upgrade(r.port, "127.0.0.2", "/echo")
		t.ok(code == 101, "the echo endpoint makes no challenge and "
		    "is not counted")
		held.append(s)
		time.sleep(1.1)
		st = [try_upgrade(r.port, "127.0.0.2") for i in range(7)]
		codes = [c for c, _, _ in st]
		t.ok(codes.count(101) == 5 and codes[-1] == 429, "a second "
		    "later: the bucket refilled at 5/s (%r)" % (codes,))
		for x in st:
			if x[2]:
				x[2].close()
		for s in held:
			s.close()
		t.ok(T.alive(r), "handshake rate: relay still serves")

	# ---- the registration rate ---------------------------------------
	with T.Relay("handshake rate off\n"
	    "registration rate 1 per second burst 3\n") as r:
		ok = 0
		for i in range(3):
			with T.RawWS(r.port, source="127.0.0.2") as c:
				sk, pk = T.keypair()
				c.register(sk, pk, r.binding)
				ok += 1
		t.ok(ok == 3, "registration burst 3: three registrations")
		code, ra, s = try_upgrade(r.port, "127.0.0.2")
		t.ok(code == 429 and ra == "1", "the fourth upgrade: 429 "
		    "before a challenge, Retry-After 1 (%r %r)" % (code, ra))
		time.sleep(1.1)
		# a challenge left unanswered costs no registration token
		cs = [challenged(r.port, "127.0.0.2") for i in range(3)]
		t.ok(len(cs) == 3, "upgrades that leave their challenge "
		    "unanswered: not refused while a token is there")
		for c in cs:
			c.close()
		time.sleep(0.2)
		with T.RawWS(r.port, source="127.0.0.2") as c:
			sk, pk = T.keypair()
			reg = c.register(sk, pk, r.binding)
		t.ok(reg["type"] == "REGISTER_SUCCESS", "and the token is "
		    "still there for a response")
		t.ok(T.alive(r), "registration rate: relay still serves")

	# ---- the pending caps and the connection cap ---------------------
	with T.Relay("max connections 8\nmax connections per address 8\n"
	    "max pending registrations 4\n"
	    "max pending registrations per address 2\n") as r:
		a = [challenged(r.port, "127.0.0.2") for i in range(2)]
		code, ra, s = try_upgrade(r.port, "127.0.0.2")
		t.ok(code == 429 and ra == "1", "a third pending registration "
		    "from one address: 429, Retry-After 1 (%r %r)" % (code, ra))
		b = [challenged(r.port, "127.0.0.3") for i in range(2)]
		code, ra, s = try_upgrade(r.port, "127.0.0.4")
		t.ok(code == 503 and ra == "1", "a fifth pending in total: "
		    "503, Retry-After 1 (%r %r)" % (code, ra))
		sk, pk = T.keypair()
		c = a[0]
		c.send_msg(T.challenge_response(c.chal_msg, sk, pk, r.binding))
		reg = c.recv_msg(3)
		t.ok(reg.get("type") == "REGISTER_SUCCESS", "a pending one "
		    "registers")
		code, ra, s = try_upgrade(r.port, "127.0.0.4")
		t.ok(code == 101, "which makes room for another (%r)" % code)
		held = [s]
		while True:
			code, ra, s = try_upgrade(r.port, "127.0.0.5", "/nope")
			if code == 503:
				break
			if len(held) > 20:
				break
			held.append(T._sock(r.port, 3, "127.0.0.6"))
			time.sleep(0.05)
		t.ok(code == 503 and ra is not None and int(ra) >= 1,
		    "at max connections: 503 with Retry-After (%r)" % (ra,))
		for x in a + b:
			x.close()
		for s in held:
			if s:
				s.close()
		time.sleep(0.3)
		t.ok(T.alive(r), "pending caps: relay still serves")

	# ---- a flood from one address, default settings ------------------
	bench = os.path.join(os.environ.get("SWS_TOP", "."),
	    "obj/bench/swsbench")
	with T.Relay("", verbose=False) as r:
		env = dict(os.environ, SWS_URL=r.url,
		    SWS_SERVER_KEY=r.server_pk_b64)
		flood = subprocess.Popen([bench, "-c", "64", "-t", "6", "-W",
		    "0", "register"], env=env, stdout=subprocess.PIPE,
		    stderr=subprocess.PIPE)
		time.sleep(1.0)

		async def victim():
			lat, fails = [], []
			end = time.monotonic() + 4
			while time.monotonic() < end:
				t0 = time.monotonic()
				try:
					ws = await T.client(r, local_addr=("127.0.0.3",
					    0))
					lat.append(time.monotonic() - t0)
					await ws.close()
				except Exception as e:
					fails.append(repr(e)[:120])
				await asyncio.sleep(0.05)
			return lat, fails

		lat, fails = T.arun(victim(), 30)
		out, err = flood.communicate(timeout=30)
		lat.sort()
		t.ok(len(lat) >= 20 and not fails, "during the flood the other "
		    "address registered %d times, no failure %r" % (len(lat),
		    fails[:3]))
		t.ok(lat and lat[-1] < 2.0, "every one well inside the 10 s "
		    "registration timeout (max %.3f s, median %.3f s)" %
		    (lat[-1] if lat else -1, lat[len(lat) // 2] if lat else -1))
		r.stop()
		log = r.log()
		m = re.search(r"(\d+) refused over a rate \(429\)", log)
		n429 = int(m.group(1)) if m else 0
		m = re.search(r"(\d+) registrations", log)
		nreg = int(m.group(1)) if m else 0
		t.ok(n429 > 1000, "the flood's excess was refused with 429 "
		    "(%d)" % n429)
		# burst 300 + 100/s over ~6 s, plus the victim's own
		t.ok(nreg <= 300 + 100 * 8 + len(lat) + 50, "the flooding "
		    "address got no more than its rate (%d registrations in "
		    "all)" % nreg)
		t.ok(flood.returncode is not None, "swsbench ended: %s" %
		    err.decode(errors="replace").strip()[-200:])
except T.RelayError as e:
	t.ok(False, "relay: %s" % e)
t.done()

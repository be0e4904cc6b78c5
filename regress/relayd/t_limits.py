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

# Connection limits, liveness (ping / idle timeout) and the rate limit
# (docs/WIRE.md section 5), each on its own daemon with small settings.

import asyncio
import os
import socket
import threading
import time

import swstest as T

t = T.Tap(limit=200)


def attempt(port, source):
	"""Try an upgrade from source.  Returns ('refused', how) when the
	relay answered 503, closed the TCP connection, or closed the
	WebSocket at once; ('hung', ...) when nothing came within 3 s;
	('accepted', RawWS) otherwise."""
	try:
		c = T.RawWS(port, source=source)
	except T.RelayError as e:
		resp = getattr(e, "response", None)
		if resp is not None and resp.status == 503:
			return "refused", "503"
		if resp is not None and resp.raw == b"":
			if e.eof:
				return "refused", "closed without an answer"
			return "hung", "no answer in 3 s"
		return "other", str(e)[:200]
	except (ConnectionResetError, BrokenPipeError, EOFError) as e:
		return "refused", "reset"
	except socket.timeout:
		return "hung", "no answer in 3 s"
	except OSError as e:
		return "other", "error %s" % e
	# 101: refused only if a close follows at once, before any CHALLENGE
	try:
		f = c.recv_frame(1.5)
	except (EOFError, ConnectionResetError):
		c.close()
		return "refused", "101 then EOF"
	except socket.timeout:
		return "accepted", c
	if f.opcode == 8:
		c.close()
		return "refused", "101 then close %r" % f.close_code
	c.buf = T.frame(f.opcode, f.payload, mask=False) + c.buf
	return "accepted", c


def works(c, desc):
	"""A registered RawWS still routes a message to itself."""
	try:
		body = os.urandom(8)
		c.send_msg({"type": "SEND", "to": c.pk, "body": body, "id": 9})
		got = [c.recv_msg(3), c.recv_msg(3)]
		ok = sorted(m["type"] for m in got) == ["ACK", "MESSAGE"]
		return t.ok(ok, desc, repr(got))
	except Exception as e:
		return t.ok(False, desc, "%s: %s" % (type(e).__name__, e))


def reg(port, source):
	c = T.RawWS(port, source=source)
	sk, pk = T.keypair()
	c.register(sk, pk)
	return c


def connections():
	with T.Relay("max connections 5\nmax connections per address 3") as r:
		conns = []
		try:
			for i in range(3):
				conns.append(reg(r.port, "127.0.0.1"))
			t.ok(True, "3 sessions from 127.0.0.1 registered")
			what, how = attempt(r.port, "127.0.0.1")
			t.eq(what, "refused", "4th connection from 127.0.0.1 refused "
			    "(per-address limit 3) [%s]" % (how if what != "accepted"
			    else "-"))
			if what == "accepted":
				how.close()
			for i in range(2):
				conns.append(reg(r.port, "127.0.0.2"))
			t.ok(True, "2 sessions from 127.0.0.2 registered (5 in all)")
			what, how = attempt(r.port, "127.0.0.3")
			t.eq(what, "refused", "6th connection (from 127.0.0.3) refused "
			    "(max connections 5) [%s]" % (how if what != "accepted"
			    else "-"))
			if what == "accepted":
				how.close()
			r503 = T.http_request(r.port, T.upgrade_request(r.port),
			    source="127.0.0.4")
			t.ok(r503.status in (503, None),
			    "over the limit: HTTP 503 or nothing, never 101",
			    repr(r503))
			for i, c in enumerate(conns):
				works(c, "existing session %d still works after the "
				    "refusals" % i)
			conns[0].send_close(1000)
			conns[0].expect_close(2)
			conns[0].close()
			conns.pop(0)
			got = None
			deadline = time.monotonic() + 3
			while time.monotonic() < deadline:
				what, how = attempt(r.port, "127.0.0.1")
				if what == "accepted":
					got = how
					break
				time.sleep(0.2)
			t.ok(got is not None, "after one session closes, a new "
			    "connection from 127.0.0.1 is accepted")
			if got is not None:
				try:
					sk, pk = T.keypair()
					got.register(sk, pk)
					conns.append(got)
					works(got, "the new session works")
				except Exception as e:
					t.ok(False, "the new session registers", repr(e))
			for i, c in enumerate(conns):
				works(c, "session %d still works at the end" % i)
		finally:
			for c in conns:
				c.close()
		time.sleep(0.3)
		t.alive(r, "connection limits")
		t.eq(r.stop(check=False), 0, "connection-limit relay exits 0")


def liveness():
	with T.Relay("ping interval 1\nidle timeout 3") as r:
		results = {}

		def silent_raw():
			c = T.RawWS(r.port)
			sk, pk = T.keypair()
			c.register(sk, pk)
			t0 = time.monotonic()
			code, reason, before = c.expect_close(8)
			results["silent"] = (code, time.monotonic() - t0,
			    [f.opcode for f in before])
			c.close()

		def ponging_raw():
			c = T.RawWS(r.port)
			sk, pk = T.keypair()
			c.register(sk, pk)
			c.pk = pk
			pings = 0
			deadline = time.monotonic() + 5
			closed = None
			while time.monotonic() < deadline:
				try:
					f = c.recv_frame(max(0.05, deadline -
					    time.monotonic()))
				except (socket.timeout, TimeoutError):
					break
				except EOFError:
					closed = "EOF"
					break
				if f.opcode == 9:
					pings += 1
					c.send_frame(10, f.payload)
				elif f.opcode == 8:
					closed = f.close_code
					break
			ok = closed is None and works(c, "raw client answering "
			    "pings is still served after 5 s") is True
			results["ponging"] = (closed, pings, ok)
			c.close()

		async def lib():
			ws = await T.client(r)
			try:
				await asyncio.sleep(5)
				body = os.urandom(5)
				await T.send_msg(ws, {"type": "SEND", "to": ws.pk,
				    "body": body, "id": 1})
				m1 = await T.recv_msg(ws)
				m2 = await T.recv_msg(ws)
				return sorted([m1["type"], m2["type"]]) == ["ACK",
				    "MESSAGE"]
			finally:
				await ws.close()

		th = [threading.Thread(target=silent_raw),
		    threading.Thread(target=ponging_raw)]
		for x in th:
			x.start()
		t.check("websockets client (answers pings) silent for 5 s stays "
		    "and is served", lambda: T.arun(lib(), 15))
		for x in th:
			x.join(12)
		code, el, ops = results.get("silent", (None, 0, []))
		t.eq(code, 1001, "raw client that never answers is closed with "
		    "1001")
		t.ok(2.8 <= el <= 5.0, "... after about idle timeout 3 (%.1fs)" %
		    el)
		t.ok(9 in ops, "... and was pinged before (frames %r)" % ops)
		closed, pings, ok = results.get("ponging", ("?", 0, False))
		t.ok(closed is None, "raw client answering pings is not closed",
		    "closed: %r" % closed)
		t.ok(pings >= 2, "raw client silent 5 s got >= 2 pings (%d)" %
		    pings)
		t.alive(r, "liveness")
		t.eq(r.stop(check=False), 0, "liveness relay exits 0")


def rate():
	with T.Relay("rate limit 5 per second burst 5") as r:
		c = reg(r.port, None)
		try:
			time.sleep(1.2)		# a full bucket
			data = b"".join(T.frame(1, T.encode_msg("json", {
			    "type": "SEND", "to": c.pk, "body": b"r%d" % i,
			    "id": i}).encode()) for i in range(1, 7))
			c.send(data)
			got = []
			try:
				while len(got) < 11:
					got.append(c.recv_msg(2))
			except Exception:
				pass
			acks = sorted(m["id"] for m in got if m["type"] == "ACK")
			errs = [m for m in got if m["type"] == "ERROR"]
			msgs = [m for m in got if m["type"] == "MESSAGE"]
			t.eq(acks, [1, 2, 3, 4, 5], "rate 5 burst 5: the first 5 "
			    "requests are ACKed")
			t.eq(len(msgs), 5, "... and 5 MESSAGEs delivered")
			t.eq([(e.get("id"), e.get("code")) for e in errs],
			    [(6, "rate-limited")], "the 6th gets ERROR rate-limited "
			    "with its id")
			# a refused request without id is silent
			time.sleep(1.2)
			data = b"".join(T.frame(1, T.encode_msg("json", {
			    "type": "SEND", "to": c.pk, "body": b"s",
			    "id": 10 + i}).encode()) for i in range(5))
			data += T.frame(1, T.encode_msg("json", {"type": "SEND",
			    "to": c.pk, "body": b"no-id"}).encode())
			c.send(data)
			got = []
			try:
				while True:
					got.append(c.recv_msg(0.6))
			except Exception:
				pass
			t.ok(len(got) == 10 and not [m for m in got if m["type"] ==
			    "ERROR"], "a rate-limited request without id gets no "
			    "answer", repr(got))
			time.sleep(1.2)
			works(c, "after the bucket refills the session is served "
			    "again")
			# more than a full burst of refusals in a row -> 1008
			time.sleep(1.2)
			data = b"".join(T.frame(1, T.encode_msg("json", {
			    "type": "SEND", "to": c.pk, "body": b"f",
			    "id": 100 + i}).encode()) for i in range(20))
			try:
				c.send(data)
			except OSError:
				pass
			code, reason, before = c.expect_close(3)
			t.eq(code, 1008, "more than a full burst of refusals in a "
			    "row closes with 1008")
			errs = []
			for f in before:
				try:
					m = T.decode_msg("json", f.payload.decode())
					if m["type"] == "ERROR":
						errs.append(m["code"])
				except Exception:
					pass
			t.ok(len(errs) >= 5 and set(errs) == {"rate-limited"},
			    "rate-limited errors before the close (%d)" % len(errs))
			t.ok(c.eof(2), "TCP connection closed after 1008")
		finally:
			c.close()
		t.alive(r, "rate limit")
		t.eq(r.stop(check=False), 0, "rate-limit relay exits 0")


t.parts(("connection limits", connections), ("liveness", liveness),
    ("rate limit", rate))
t.done()

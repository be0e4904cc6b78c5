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

# The admin endpoint (`metrics listen on', relayd/admin.c): /metrics in
# the Prometheus text format, checked by Debian's promtool, with counters
# that move with real traffic and gauges that follow the sessions;
# /healthz that follows cryptod (stopped with SIGSTOP, it is 503 within
# a second and a bit); bad requests on the admin port answered and the
# relay serving on; a metrics listener added and removed by SIGHUP.  One
# daemon for the file.

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import swstest as T

t = T.Tap(limit=120)
PROMTOOL = shutil.which("promtool")


def get(port, path, method="GET", timeout=3, raw=None):
	"""(status, headers dict, body) of one request; status None when
	the connection closed without an answer."""
	s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
	try:
		s.sendall(raw if raw is not None else ("%s %s HTTP/1.1\r\n"
		    "Host: x\r\n\r\n" % (method, path)).encode())
		data = b""
		while True:
			try:
				d = s.recv(65536)
			except (socket.timeout, ConnectionResetError):
				break
			if not d:
				break
			data += d
	finally:
		s.close()
	if b"\r\n\r\n" not in data:
		return None, {}, data
	head, body = data.split(b"\r\n\r\n", 1)
	lines = head.decode("latin-1").split("\r\n")
	hdrs = {}
	for l in lines[1:]:
		k, _, v = l.partition(":")
		hdrs[k.strip().lower()] = v.strip()
	return int(lines[0].split()[1]), hdrs, body


def scrape(port):
	st, h, body = get(port, "/metrics")
	if st != 200:
		raise T.RelayError("/metrics answered %r" % (st,))
	vals = {}
	for l in body.decode().splitlines():
		if not l or l.startswith("#"):
			continue
		name, v = l.rsplit(" ", 1)
		vals[name] = float(v)
	return vals, body, h


def wait_for(port, name, want, timeout=3):
	deadline = time.monotonic() + timeout
	while True:
		v = scrape(port)[0].get(name)
		if v == want or time.monotonic() > deadline:
			return v
		time.sleep(0.05)


mport = T.free_port()
r = T.Relay("metrics listen on 127.0.0.1 port %d\n"
    "rate limit 20 per second burst 10" % mport)
try:
	# --- format -------------------------------------------------------
	st, h, body = get(mport, "/metrics")
	t.eq(st, 200, "/metrics answers 200")
	t.ok(h.get("content-type", "").startswith("text/plain; "
	    "version=0.0.4"), "content type is the text format 0.0.4",
	    h.get("content-type"))
	t.eq(h.get("connection"), "close", "one request per connection")
	if PROMTOOL is None:
		t.ok(False, "promtool is installed (Debian package prometheus)")
	else:
		p = subprocess.run([PROMTOOL, "check", "metrics"], input=body,
		    capture_output=True, timeout=30)
		t.ok(p.returncode == 0 and not p.stdout.strip() and
		    not p.stderr.strip(), "promtool check metrics finds nothing "
		    "to say", (p.stdout + p.stderr).decode(errors="replace"))
	text = body.decode()
	fams = re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M)
	t.ok(len(fams) == len(set(f for f, _ in fams)), "each family is "
	    "described once")
	t.ok(all(f.endswith("_total") for f, k in fams if k == "counter"),
	    "every counter ends in _total")
	for f in ("sws_requests_refused_total", "sws_requests_refused_"
	    "unanswered_total", "sws_http_responses_total",
	    "sws_registration_failures_total", "sws_close_frames_sent_total",
	    "sws_close_frames_received_total", "sws_received_bytes_total",
	    "sws_sent_bytes_total", "sws_connections", "sws_sessions",
	    "sws_keys", "sws_rooms", "sws_output_queued_bytes",
	    "sws_registrations_pending", "sws_cryptod_requests_inflight",
	    "sws_registration_duration_seconds",
	    "sws_output_queue_wait_seconds", "sws_publish_missed_total"):
		t.ok(f in dict(fams), "family %s is there" % f)
	for reason in ("busy", "offline", "rate-limited", "too-large",
	    "not-member", "room-full", "malformed", "unknown-type"):
		t.ok('sws_requests_refused_total{reason="%s"}' % reason in text,
		    "refusals by reason: %s" % reason)
	st, h, b = get(mport, "/metrics", method="HEAD")
	t.ok(st == 200 and b == b"" and int(h.get("content-length", 0)) >
	    1000, "HEAD /metrics: the head alone", (st, h, b[:100]))

	# --- counters follow traffic --------------------------------------
	before, _, _ = scrape(mport)

	async def traffic():
		a = await T.client(r)
		b = await T.client(r)
		mid = await T.client(r, "msgpack")
		g = scrape(mport)[0]
		t.eq(g.get("sws_sessions"), 3, "three sessions: sws_sessions 3")
		t.eq(g.get('sws_connections{state="registered"}'), 3,
		    "connections by state: 3 registered")
		t.eq(g.get("sws_keys"), 3, "three keys")
		# a SEND with an id, delivered and acknowledged
		await T.send_msg(a, {"type": "SEND", "to": b.pk, "body": b"hi",
		    "id": 1})
		await T.recv_until(a, lambda m: m["type"] == "ACK")
		await T.recv_until(b, lambda m: m["type"] == "MESSAGE")
		# a SEND without id to a key nobody holds: dropped, no word
		_, nobody = T.keypair()
		await T.send_msg(a, {"type": "SEND", "to": nobody,
		    "body": b"x"})
		# with an id: answered offline
		await T.send_msg(a, {"type": "SEND", "to": nobody,
		    "body": b"x", "id": 2})
		m, _ = await T.recv_until(a, lambda m: m["type"] == "ERROR")
		t.eq(m.get("code"), "offline", "ERROR offline came back")
		# PUBLISH to a room it is not in: not-member
		await T.send_msg(a, {"type": "PUBLISH", "room": "r1",
		    "body": b"x", "id": 3})
		await T.recv_until(a, lambda m: m["type"] == "ERROR")
		await T.send_msg(a, {"type": "JOIN", "room": "r1", "id": 4})
		await T.recv_until(a, lambda m: m["type"] == "JOINED")
		g = scrape(mport)[0]
		t.eq(g.get("sws_rooms"), 1, "a JOIN makes sws_rooms 1")
		# malformed, and unknown type without id
		await a.send('{"type":"SEND"')
		await T.recv_until(a, lambda m: m["type"] == "ERROR")
		await a.send('{"type":"BOGUS"}')
		# over the rate: burst 10, then refusals without id (fewer than
		# a burst of them in a row: no close)
		for i in range(15):
			await T.send_msg(mid, {"type": "SEND", "to": mid.pk,
			    "body": b"y"})
		await asyncio.sleep(0.3)
		await a.close()
		await b.close()
		await mid.close()

	T.arun(traffic())
	time.sleep(0.3)
	after, _, _ = scrape(mport)

	def d(name):
		return after.get(name, 0) - before.get(name, 0)
	t.eq(d("sws_registrations_total"), 3, "registrations counted: 3")
	t.eq(d("sws_registration_duration_seconds_count"), 3,
	    "registration latency observed 3 times")
	t.ok(after.get("sws_registration_duration_seconds_sum", 0) > 0,
	    "registration latency sum above 0 (a microsecond clock)")
	t.eq(d('sws_http_responses_total{status="101"}'), 3,
	    "three 101 answers")
	t.ok(d('sws_requests_total{type="SEND"}') >= 3, "SENDs counted")
	t.eq(d('sws_requests_total{type="JOIN"}'), 1, "one JOIN")
	t.ok(d("sws_deliveries_total") >= 2, "deliveries counted",
	    d("sws_deliveries_total"))
	t.eq(d('sws_requests_refused_total{reason="offline"}'), 2,
	    "offline: both SENDs to nobody")
	t.eq(d('sws_requests_refused_unanswered_total{reason="offline"}'), 1,
	    "offline: the one without id was dropped without a word")
	t.eq(d('sws_requests_refused_total{reason="not-member"}'), 1,
	    "not-member counted")
	t.eq(d('sws_requests_refused_total{reason="malformed"}'), 1,
	    "malformed counted")
	t.eq(d('sws_requests_refused_unanswered_total{reason="unknown-type"}'),
	    1, "unknown type without id: counted though unanswered")
	t.ok(d('sws_requests_refused_unanswered_total{reason="rate-limited"}')
	    >= 3, "rate-limited without id: counted",
	    d('sws_requests_refused_unanswered_total{reason="rate-limited"}'))
	t.eq(d('sws_close_frames_received_total{code="1000"}'), 3,
	    "three 1000 closes received")
	t.eq(d('sws_close_frames_sent_total{code="1000"}'), 3,
	    "three 1000 closes sent back")
	t.ok(d("sws_received_bytes_total") > 0 and
	    d("sws_sent_bytes_total") > 0, "bytes both ways")
	t.ok(d("sws_messages_received_total") >= 20, "messages in counted")
	t.ok(after.get("sws_output_queue_wait_seconds_count", 0) > 0,
	    "output queue wait observed")
	t.eq(wait_for(mport, "sws_sessions", 0), 0,
	    "all closed: sws_sessions back to 0")
	g = scrape(mport)[0]
	t.eq(sum(v for k, v in g.items() if k.startswith("sws_connections{")),
	    0, "no connection in any state")
	t.eq(g.get("sws_output_queued_bytes"), 0, "nothing queued")
	t.eq(g.get("sws_keys"), 0, "no key left")

	# HTTP refusals by status on the client listener
	b4 = scrape(mport)[0]
	T.http_request(r.port, T.upgrade_request(r.port, path="/nowhere"))
	T.http_request(r.port, b"GARBAGE\r\n\r\n")
	a4 = scrape(mport)[0]
	t.eq(a4.get('sws_http_responses_total{status="404"}', 0) -
	    b4.get('sws_http_responses_total{status="404"}', 0), 1,
	    "HTTP 404 counted")
	t.eq(a4.get('sws_http_responses_total{status="400"}', 0) -
	    b4.get('sws_http_responses_total{status="400"}', 0), 1,
	    "HTTP 400 counted")

	# --- health -------------------------------------------------------
	st, _, body = get(mport, "/healthz")
	t.ok(st == 200 and body == b"ok\n", "/healthz: 200 ok", (st, body))
	cpid = r.cryptod_pid()
	os.kill(cpid, signal.SIGSTOP)
	try:
		t0 = time.monotonic()
		st, _, body = get(mport, "/healthz", timeout=5)
		el = time.monotonic() - t0
		t.ok(st == 503 and b"cryptod" in body, "cryptod stopped: "
		    "/healthz is 503", (st, body))
		t.ok(0.9 <= el < 2.5, "after about a second (%.2f s)" % el)
		st, _, _ = get(mport, "/metrics")
		t.eq(st, 200, "/metrics still answers without cryptod")
	finally:
		os.kill(cpid, signal.SIGCONT)
	st, _, body = get(mport, "/healthz")
	t.eq(st, 200, "cryptod going on: /healthz 200 again")

	# --- bad requests on the admin port ---------------------------------
	t.eq(get(mport, "/metrics", method="POST")[0], 405, "POST: 405")
	t.eq(get(mport, "/other")[0], 404, "unknown path: 404")
	t.eq(get(mport, None, raw=b"nonsense\r\n\r\n")[0], 400,
	    "garbage request line: 400")
	t.eq(get(mport, None, raw=b"GET /metrics HTTP/1.1\r\nX: " +
	    b"a" * 5000 + b"\r\n\r\n")[0], 431, "head over 4 KiB: 431")
	t.eq(get(mport, None, raw=T.upgrade_request(mport))[0], 404,
	    "a WebSocket upgrade on the admin port: 404, no session")
	t.eq(get(mport, "/metrics?x=1")[0], 200, "a query is ignored")
	# more connections than it takes at once: the extra ones are closed
	held = [socket.create_connection(("127.0.0.1", mport), timeout=3)
	    for _ in range(20)]
	time.sleep(0.3)
	closed = 0
	for s in held:
		s.settimeout(0.2)
		try:
			if s.recv(1) == b"":
				closed += 1
		except socket.timeout:
			pass
		except ConnectionResetError:
			closed += 1
	t.eq(closed, 4, "20 idle admin connections: 16 held, 4 closed")
	t.alive(r, "admin port full")
	t0 = time.monotonic()
	held[0].settimeout(8)
	try:
		eof = held[0].recv(1) == b""
	except ConnectionResetError:
		eof = True
	el = time.monotonic() - t0
	t.ok(eof and el < 6.5, "an idle admin connection is closed within "
	    "5 s (%.1f s)" % el)
	for s in held:
		s.close()
	time.sleep(0.2)
	t.eq(get(mport, "/healthz")[0], 200, "the admin port serves again")

	# --- reload ---------------------------------------------------------
	mport2 = T.free_port()
	r.reload("metrics listen on 127.0.0.1 port %d\nrate limit 20 per "
	    "second burst 10" % mport2)
	t.eq(get(mport2, "/healthz")[0], 200, "SIGHUP: the new metrics "
	    "listener answers")
	try:
		st = get(mport, "/healthz", timeout=1)[0]
	except OSError:
		st = "refused"
	t.eq(st, "refused", "SIGHUP: the old one is closed")
	t.alive(r, "after the reload")
	t.eq(r.relay_pid() is not None, True, "relay still runs")
except Exception as e:
	t.fail_all("t_metrics", e, r)
finally:
	r.stop(check=False)
	t.done()

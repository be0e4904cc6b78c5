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

# Reloads lose nothing (issue #21 item 7i): 8 SIGHUPs, alternating two
# valid configurations with different limits, while traffic runs:
#
#  - a sender with ids, as fast as it can (up to WINDOW in flight), to a
#    live recipient: every SEND gets exactly one answer, an ACK or a
#    defined ERROR; every ACKed message reaches the recipient exactly
#    once, in order, and no refused one does;
#  - swsbench pairs in an open loop beside it: nothing dropped, no session
#    closed by the relay, no error;
#  - each reload takes effect (a fresh client gets the new limits), the
#    sessions stay, the relay and cryptod are the same processes, the
#    parent and the relay still hold no copy of the server secret key,
#    and a fresh client is served afterwards.
# Needs root for the memory scan (skipped without it).

import os
import select
import signal
import struct
import subprocess
import sys
import threading
import time

import swstest as T

t = T.Tap(limit=120)
RELOADS = 8
EVERY = 0.5		# seconds between two reloads
WINDOW = 1000		# SENDs in flight
BENCH_RATE = 4000	# swsbench messages per second, open loop
COMMON = "max connections per address 1000\nmax sessions per key 4\n"
CONF_A = COMMON + ("rate limit 1000000 per second burst 1000000\n"
    "max message size 64K\nsend buffer 1M\n")
CONF_B = COMMON + ("rate limit 500000 per second burst 400000\n"
    "max message size 32K\nsend buffer 512K\n")
LIMITS_A = (1000000, 1000000, 65536)	# rate, burst, maxMessage
LIMITS_B = (500000, 400000, 32768)
ALLOWED_ERRORS = ("busy", "rate-limited")
BENCH = os.path.join(T.TOP, "obj", "bench", "swsbench")


def parse_frames(buf):
	out = []
	while len(buf) >= 2:
		n = buf[1] & 0x7f
		off = 2
		if n == 126:
			if len(buf) < 4:
				break
			n = struct.unpack("!H", buf[2:4])[0]
			off = 4
		elif n == 127:
			if len(buf) < 10:
				break
			n = struct.unpack("!Q", buf[2:10])[0]
			off = 10
		if len(buf) < off + n:
			break
		out.append((buf[0] & 0x0f, buf[off:off + n]))
		buf = buf[off + n:]
	return out, buf


def limits_of_new_client(r):
	with T.RawWS(r.port) as c:
		sk, pk = T.keypair()
		l = c.register(sk, pk, r.binding)["limits"]
		return l["rate"], l["burst"], l["maxMessage"]


def scan_memory(pid, needles):
	"""Which needles occur in the readable mappings of pid (as in
	t_privsep.py)."""
	found = set()
	span = max(len(n) for n in needles)
	with open("/proc/%d/maps" % pid) as f:
		maps = f.read().splitlines()
	fd = os.open("/proc/%d/mem" % pid, os.O_RDONLY)
	try:
		for l in maps:
			p = l.split()
			if p[1][0] != "r" or (len(p) > 5 and p[5] in ("[vvar]",
			    "[vsyscall]", "[vvar_vclock]")):
				continue
			a, b = [int(x, 16) for x in p[0].split("-")]
			prev, off = b"", a
			while off < b:
				try:
					chunk = os.pread(fd, min(1 << 20, b - off), off)
				except OSError:
					break
				if not chunk:
					break
				data = prev + chunk
				for nd in needles:
					if nd in data:
						found.add(nd)
				prev = chunk[-(span - 1):]
				off += len(chunk)
	finally:
		os.close(fd)
	return found


class Reloader(threading.Thread):
	"""RELOADS SIGHUPs, alternating B and A, each checked with a fresh
	client's limits."""

	def __init__(self, r):
		threading.Thread.__init__(self)
		self.r = r
		self.results = []	# (config name, limits seen, seconds)
		self.error = None

	def run(self):
		try:
			for i in range(RELOADS):
				time.sleep(EVERY)
				name, conf, want = (("B", CONF_B, LIMITS_B) if i % 2 == 0
				    else ("A", CONF_A, LIMITS_A))
				self.r.write_conf(conf)
				t0 = time.monotonic()
				os.kill(self.r.pid, signal.SIGHUP)
				got = None
				while time.monotonic() - t0 < 3:
					got = limits_of_new_client(self.r)
					if got == want:
						break
					time.sleep(0.05)
				self.results.append((name, got == want, got,
				    time.monotonic() - t0))
		except Exception as e:
			self.error = "%s: %s" % (type(e).__name__, e)


def traffic(r, S, R, stop):
	"""SENDs with ids from S to R until stop is set; returns the
	accounting."""
	pad = b"\x5a" * 8
	to = T.b64e(R.pk)
	answers = {}		# id -> list of (type, code)
	delivered = []		# ids in the order R got them
	other = []		# anything unexpected, on either side
	s, rs = S.sock, R.sock
	s.setblocking(False)
	rs.setblocking(False)
	sbuf, rbuf = S.buf, R.buf
	out = b""
	sent = 0
	t0 = time.monotonic()
	t_stop = None
	while True:
		now = time.monotonic()
		if t_stop is None and stop.is_set():
			t_stop = now
		if t_stop is not None and (len(answers) >= sent and
		    len(delivered) >= sum(1 for v in answers.values() if
		    v[0][0] == "ACK") or now - t_stop > 10):
			break
		if t_stop is None and not out and sent - len(answers) < WINDOW:
			n = min(64, WINDOW - (sent - len(answers)))
			out = b"".join(T.frame(1, ('{"type":"SEND","to":"%s",'
			    '"body":"%s","id":%d}' % (to, T.b64e(struct.pack("!Q",
			    i) + pad), i)).encode()) for i in range(sent + 1,
			    sent + 1 + n))
			sent += n
		rd, wr, _ = select.select([s, rs], [s] if out else [], [], 0.05)
		if wr:
			try:
				k = s.send(out)
				out = out[k:]
			except BlockingIOError:
				pass
		for sock in rd:
			try:
				d = sock.recv(1 << 20)
			except BlockingIOError:
				continue
			if not d:
				other.append(("EOF", "sender" if sock is s else
				    "recipient"))
				return answers, delivered, other, sent, t0, t_stop
			if sock is s:
				sbuf += d
				frames, sbuf = parse_frames(sbuf)
				for op, p in frames:
					if op != 1:
						other.append(("sender frame", op, p[:40]))
						continue
					m = T.decode_msg("json", p.decode())
					if m["type"] in ("ACK", "ERROR") and "id" in m:
						answers.setdefault(m["id"], []).append(
						    (m["type"], m.get("code")))
					else:
						other.append(("sender got", m))
			else:
				rbuf += d
				frames, rbuf = parse_frames(rbuf)
				for op, p in frames:
					if op != 1:
						other.append(("recipient frame", op, p[:40]))
						continue
					m = T.decode_msg("json", p.decode())
					if m["type"] == "MESSAGE" and m["from"] == S.pk:
						delivered.append(struct.unpack("!Q",
						    m["body"][:8])[0])
					else:
						other.append(("recipient got", m))
	S.buf, R.buf = sbuf, rbuf
	s.setblocking(True)
	rs.setblocking(True)
	s.settimeout(3)
	rs.settimeout(3)
	return answers, delivered, other, sent, t0, t_stop


def main(r):
	kids = r.children()
	rpid, cpid = r.relay_pid(), r.cryptod_pid()
	t.eq(limits_of_new_client(r), LIMITS_A, "configuration A in force at "
	    "the start")
	S = T.RawWS(r.port)
	R = T.RawWS(r.port, proto="json")
	S.register(*T.keypair(), r.binding)
	R.register(*T.keypair(), r.binding)
	bench = None
	if os.access(BENCH, os.X_OK):
		env = dict(os.environ, SWS_URL=r.url, SWS_SERVER_KEY=r.server_pk_b64)
		bench = subprocess.Popen([BENCH, "-n", "10", "-r", str(BENCH_RATE),
		    "-W", "0.2", "-t", str(RELOADS * EVERY + 1.5), "pairs"],
		    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
		time.sleep(0.3)		# its sessions are up before the reloads
	stop = threading.Event()
	rl = Reloader(r)
	rl.start()
	threading.Timer(RELOADS * EVERY + 1.0, stop.set).start()
	answers, delivered, other, sent, t0, t_stop = traffic(r, S, R, stop)
	rl.join(10)
	el = (t_stop or time.monotonic()) - t0

	# the reloads
	t.eq(rl.error, None, "the reloader ran")
	t.eq(len(rl.results), RELOADS, "%d reloads sent" % RELOADS)
	t.ok(rl.results and all(x[1] for x in rl.results), "each reload took "
	    "effect: a fresh client got the new limits (within %.2f s)" %
	    max([x[3] for x in rl.results] or [0]), repr(rl.results))
	t.eq(r.log().count("reloading "), RELOADS, "the parent logged %d "
	    "reloads" % RELOADS)

	# the sender's accounting
	acked = sorted(i for i, v in answers.items() if v[0][0] == "ACK")
	errs = {}
	for i, v in answers.items():
		if v[0][0] == "ERROR":
			errs[v[0][1]] = errs.get(v[0][1], 0) + 1
	print("# %d SENDs with ids in %.1f s across %d reloads: %.0f per "
	    "second; %d ACK, errors %r" % (sent, el, RELOADS, sent / el,
	    len(acked), errs), flush=True)
	t.ok(sent >= 5000, "the sender kept going through the reloads (%d "
	    "SENDs)" % sent)
	t.eq(other, [], "sessions stayed: neither side got a close, an EOF "
	    "or anything unexpected")
	t.eq(sorted(answers), list(range(1, sent + 1)), "every SEND got an "
	    "answer")
	t.eq([i for i, v in answers.items() if len(v) != 1], [],
	    "... exactly one")
	t.ok(set(errs) <= set(ALLOWED_ERRORS), "... an ACK or a defined "
	    "ERROR (%r)" % errs)
	t.eq(len(delivered), len(set(delivered)), "no message delivered "
	    "twice")
	t.ok(sorted(delivered) == acked, "every ACKed message delivered, and "
	    "no refused one (%d delivered, %d ACKed)" % (len(delivered),
	    len(acked)))
	t.ok(delivered == sorted(delivered), "... in the order sent")

	# swsbench
	if bench is not None:
		out, err = bench.communicate(timeout=30)
		import json
		try:
			j = json.loads(out.decode())
		except ValueError:
			j = {}
		print("# swsbench pairs beside it: %s" % err.decode().strip(),
		    flush=True)
		t.eq(bench.returncode, 0, "swsbench ran")
		t.eq((j.get("dropped"), j.get("closed_by_relay"), j.get("errors"),
		    j.get("wrong_sender")), (0, 0, {}, 0), "swsbench: nothing "
		    "dropped, no session closed, no error (%r msgs/s)" %
		    j.get("msgs_per_sec"))

	# the same processes, the sessions still work
	t.eq((r.relay_pid(), r.cryptod_pid()), (rpid, cpid), "the relay and "
	    "cryptod pids are unchanged")
	t.eq(r.children(), kids, "no other child came or went")
	body = os.urandom(12)
	S.send_msg({"type": "SEND", "to": R.pk, "body": body, "id": 0})
	a, m = S.recv_msg(3), R.recv_msg(3)
	t.ok(a == {"type": "ACK", "id": 0} and m.get("body") == body,
	    "sender and recipient sessions still work", repr((a, m)))
	S.close()
	R.close()

	# the secret key stays in cryptod
	if os.geteuid() == 0:
		with open(r.keyfile, "rb") as f:
			text = f.read().strip()
		sk = T.b64d(text)
		t.eq(scan_memory(r.pid, [sk, text]), set(), "after the reloads "
		    "the parent holds neither the secret key nor its text")
		t.eq(scan_memory(rpid, [sk, text]), set(), "after the reloads "
		    "the relay holds neither the secret key nor its text")
	t.alive(r, "after %d reloads under traffic" % RELOADS)


try:
	with T.Relay(CONF_A) as r:
		try:
			main(r)
		finally:
			t.ok(r.running(), "daemon still running", r.log()[-2000:])
			t.eq(r.stop(check=False), 0, "exit 0 on SIGTERM")
			t.eq(r.leftover, [], "no process left")
except Exception as e:
	t.fail_all("reload under load", e)
t.done()

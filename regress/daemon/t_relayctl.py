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

# relayctl(8) and the control socket (relayd.conf(5) "control socket"),
# against one daemon and real clients: show summary, sessions (all and
# by key), rooms and listeners; paging over some thousands of
# connections and with small pages; kick closes every session of a key
# with 4002 and nobody else's; a user neither root nor in the group is
# refused (by the socket's mode, and by SO_PEERCRED when the mode would
# let it in); bad requests and garbage get an error and change nothing;
# reload; log verbose and brief.  Needs root (exit 77 otherwise).

import asyncio
import os
import resource
import socket
import struct
import subprocess
import time

import swstest as T

if os.geteuid() != 0:
	raise SystemExit(77)

t = T.Tap(limit=150)
RELAYCTL = os.path.join(T.TOP, "relayctl", "relayctl")
CONF = ("handshake rate off\nregistration rate off\n"
    "max connections per address 5000\nmax pending registrations 5000\n"
    "max pending registrations per address 5000\n"
    "handshake timeout 60\n")

IMSG_CTL_REQ, IMSG_CTL_LINE, IMSG_CTL_END = 30, 31, 32
REQ = struct.Struct("<IIQII32s")
END = struct.Struct("<IIQII256s")
HDR = struct.Struct("<IHHII")


def ctl(r, *args, user=None, sock=None):
	pre = None
	if user is not None:
		def pre():
			os.setgroups([])
			os.setgid(65534)
			os.setuid(65534)
	p = subprocess.run([RELAYCTL, "-s", sock or r.ctlsock] + list(args),
	    capture_output=True, text=True, timeout=20, preexec_fn=pre)
	return p.returncode, p.stdout, p.stderr


def rows(out):
	return [l for l in out.splitlines()[1:] if l]


def raw(r, data, timeout=3):
	"""Send bytes on the control socket; the answers until EOF."""
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.settimeout(timeout)
	s.connect(r.ctlsock)
	s.sendall(data)
	buf = b""
	try:
		while True:
			d = s.recv(65536)
			if not d:
				break
			buf += d
	except socket.timeout:
		pass
	s.close()
	msgs = []
	while len(buf) >= HDR.size:
		typ, ln = HDR.unpack_from(buf)[:2]
		msgs.append((typ, buf[HDR.size:ln]))
		buf = buf[ln:]
	return msgs


def imsg(typ, payload):
	return HDR.pack(typ, HDR.size + len(payload), 0, 0, 0) + payload


def end_of(msgs):
	for typ, p in msgs:
		if typ == IMSG_CTL_END and len(p) == END.size:
			f = END.unpack(p)
			return f[1], f[5].split(b"\0")[0].decode()
	return None, None


async def body(r):
	# three keys: a (two sessions, rooms), b (msgpack), c
	a1 = await T.client(r)
	a2 = await T.client(r, sk=a1.sk, pk=a1.pk)
	b = await T.client(r, "msgpack")
	c = await T.client(r)
	ka, kb, kc = T.b64e(a1.pk), T.b64e(b.pk), T.b64e(c.pk)
	for ws, room, i in ((a1, "alpha", 1), (a1, "beta", 2), (b, "alpha", 3),
	    (c, "gamma", 4)):
		await T.send_msg(ws, {"type": "JOIN", "room": room, "id": i})
		await T.recv_until(ws, lambda m: m.get("type") in ("ACK",
		    "JOINED") and m.get("id") == i)

	rc, out, err = ctl(r, "show", "summary")
	t.eq(rc, 0, "show summary exits 0")
	lines = out.splitlines()
	t.ok("sessions: 4" in lines, "summary: 4 sessions", out)
	t.ok("keys: 3" in lines, "summary: 3 keys", out)
	t.ok("rooms: 3" in lines, "summary: 3 rooms", out)
	t.ok("  registered: 4" in lines, "summary: connections by state", out)
	t.ok(any(l.startswith("uptime: ") for l in lines), "summary: uptime")
	t.ok(any(l.startswith("cryptod requests in flight: ") for l in lines),
	    "summary: cryptod requests in flight")
	t.ok(any(l.startswith("registrations: ") for l in lines),
	    "summary: the relay's counters")
	for p in ("relay", "cryptod", "ca"):
		t.ok(any(l.startswith("memory %s: " % p) and l.endswith(" kB")
		    for l in lines), "summary: memory of %s" % p, out)

	rc, out, err = ctl(r, "show", "sessions")
	rs = rows(out)
	t.ok(rc == 0 and len(rs) == 4, "show sessions: 4 rows", out + err)
	mine = [l.split() for l in rs if l.split()[1] == ka]
	t.eq(len(mine), 2, "show sessions: the key's two sessions")
	t.ok(all(f[2] == "registered" and f[3] == "127.0.0.1" and
	    f[4] == "json" and f[5].endswith("s") and f[6].isdigit()
	    for f in mine), "show sessions: state, address, protocol, age, "
	    "queued", "\n".join(rs))
	t.ok(sorted(",".join(sorted(f[7].split(","))) for f in mine) ==
	    ["-", "alpha,beta"], "show sessions: rooms", "\n".join(rs))
	t.ok([l.split()[4] for l in rs if l.split()[1] == kb] == ["msgpack"],
	    "show sessions: msgpack subprotocol", "\n".join(rs))
	rc, out, err = ctl(r, "show", "sessions", kb)
	t.ok(rc == 0 and [l.split()[1] for l in rows(out)] == [kb],
	    "show sessions KEY: that key's only", out + err)
	# one key in 64 starts with '-': an argument, not an option
	rc, out, err = ctl(r, "show", "sessions", "-" + "A" * 42)
	t.ok(rc == 0 and rows(out) == [], "show sessions with a key that "
	    "starts with '-': no rows, no option error", out + err)
	rc, out, err = ctl(r, "show", "sessions", "not-a-key")
	t.ok(rc == 1 and "bad key" in err and out == "",
	    "show sessions with a bad key: error, exit 1", err)

	rc, out, err = ctl(r, "show", "rooms")
	t.eq(sorted(rows(out)), ["alpha 2 2", "beta 1 1", "gamma 1 1"],
	    "show rooms: name, members, keys")
	rc, out, err = ctl(r, "-n", "1", "show", "rooms")
	t.eq(sorted(rows(out)), ["alpha 2 2", "beta 1 1", "gamma 1 1"],
	    "show rooms one row a page: the same")

	rc, out, err = ctl(r, "show", "listeners")
	t.eq(out.strip(), "127.0.0.1 port %d tls no proxy no metrics no connections 4" %
	    r.port, "show listeners: name, flags, connections")

	# paging: some thousands of connections (HTTP not sent yet)
	n = 2500
	soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
	resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, n + 500),
	    max(hard, n + 500)))
	socks = []
	for _ in range(n):
		s = socket.create_connection(("127.0.0.1", r.port))
		socks.append(s)
	deadline = time.monotonic() + 10
	while time.monotonic() < deadline:
		rc, out, err = ctl(r, "show", "summary")
		if "connections: %d" % (n + 4) in out:
			break
		time.sleep(0.2)
	t.ok("connections: %d" % (n + 4) in out.splitlines(),
	    "summary: %d connections" % (n + 4), out)
	for page in (256, 7):
		rc, out, err = ctl(r, "-n", str(page), "show", "sessions")
		rs = rows(out)
		serials = [int(l.split()[0]) for l in rs]
		t.ok(rc == 0 and len(rs) == n + 4 and
		    serials == sorted(set(serials)),
		    "show sessions in pages of %d: every one, once, in order" %
		    page, "%d rows, rc %d %s" % (len(rs), rc, err))
	t.eq(sum(1 for l in rs if l.split()[2] == "http"), n,
	    "show sessions: the HTTP ones by state")
	for s in socks:
		s.close()

	# kick: both of a's sessions get 4002, the others go on
	rc, out, err = ctl(r, "kick", ka)
	t.ok(rc == 0 and "kicked 2 sessions" in out, "kick exits 0", out + err)
	for ws in (a1, a2):
		code, _ = await T.close_code(ws, 3)
		t.eq(code, 4002, "kick: a session of the key closed with 4002")
	for ws, i in ((b, 10), (c, 11)):
		await T.send_msg(ws, {"type": "SEND", "to": ws.pk,
		    "body": b"x", "id": i})
		m, _ = await T.recv_until(ws, lambda m: m.get("type") ==
		    "ACK" and m.get("id") == i)
		t.ok(m is not None, "kick: another key's session goes on")
	rc, out, err = ctl(r, "show", "rooms")
	t.eq(sorted(rows(out)), ["alpha 1 1", "gamma 1 1"],
	    "kick: the key left its rooms")
	rc, out, err = ctl(r, "kick", ka)
	t.ok(rc == 1 and "no session" in err, "kick of a key not here: "
	    "error, exit 1", err)
	await b.close()
	await c.close()


try:
	with T.Relay(CONF, verbose=False) as r:
		T.arun(body(r), timeout=120)

		# who may connect
		st = os.stat(r.ctlsock)
		t.eq(oct(st.st_mode & 0o777), "0o660", "socket mode 0660")
		t.eq((st.st_uid, st.st_gid), (0, 0), "socket owned by root:root")
		rc, out, err = ctl(r, "show", "summary", user="nobody")
		t.ok(rc == 1 and "Permission denied" in err,
		    "nobody: the socket's mode refuses", err)
		os.chmod(r.ctlsock, 0o666)
		rc, out, err = ctl(r, "show", "summary", user="nobody")
		t.ok(rc == 1 and "permission denied" in err and out == "",
		    "nobody through a mode 0666 socket: SO_PEERCRED refuses",
		    err)
		os.chmod(r.ctlsock, 0o660)

		# bad requests
		msgs = raw(r, imsg(IMSG_CTL_REQ, REQ.pack(0, 99, 0, 0, 10,
		    b"\0" * 32)))
		t.eq(end_of(msgs), (1, "bad request: unknown command"),
		    "unknown command: error answer")
		msgs = raw(r, imsg(IMSG_CTL_REQ, b"\0" * 10))
		t.eq(end_of(msgs), (1, "bad request"), "wrong size: error answer")
		msgs = raw(r, imsg(IMSG_CTL_REQ, REQ.pack(0, 1, 0, 0,
		    100000, b"\0" * 32)))
		t.eq(end_of(msgs)[0], 1, "page too large: error answer")
		msgs = raw(r, imsg(IMSG_CTL_REQ, REQ.pack(0, 8, 0, 0, 10,
		    b"\0" * 32)))
		t.eq(end_of(msgs)[0], 1, "kick without a key: error answer")
		msgs = raw(r, b"\xff" * 64)
		t.eq(end_of(msgs), (1, "bad message"), "garbage: error answer")
		msgs = raw(r, imsg(7, b""))
		t.eq(end_of(msgs)[0], 1, "another message type: error answer")
		rc, out, err = ctl(r, "show", "summary")
		t.ok(rc == 0 and r.running(), "after all that: still serving")
		t.alive(r, "after all that: clients still served")
		# more clients than slots, each saying nothing, then one that asks
		idle = []
		for _ in range(12):
			s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
			s.connect(r.ctlsock)
			idle.append(s)
		for s in idle:
			s.close()
		time.sleep(0.3)
		rc, out, err = ctl(r, "show", "listeners")
		t.eq(rc, 0, "after more clients than slots: served")

		# reload
		port2 = T.free_port()
		r.write_conf(CONF + "listen on 127.0.0.1 port %d\n" % port2)
		rc, out, err = ctl(r, "reload")
		t.eq(rc, 0, "reload exits 0")
		rc, out, err = ctl(r, "show", "listeners")
		t.ok("127.0.0.1 port %d tls no proxy no metrics no connections 0" % port2
		    in out, "reload: the new listener is there", out)
		r.write_conf(CONF + "no such statement\n")
		rc, out, err = ctl(r, "reload")
		t.ok(rc == 1 and "not reloaded" in err, "reload of a bad file: "
		    "error, exit 1", err)
		rc, out, err = ctl(r, "show", "listeners")
		t.ok(str(port2) in out, "the running configuration stays")
		r.write_conf(CONF)

		# log verbose / brief: a reload's "settings applied" is debug
		before = r.log()
		ctl(r, "reload")
		time.sleep(0.5)
		t.ok("settings applied" not in r.log()[len(before):],
		    "brief: no debug lines")
		rc, out, err = ctl(r, "log", "verbose")
		t.eq(rc, 0, "log verbose exits 0")
		ctl(r, "reload")
		time.sleep(0.5)
		new = r.log()[len(before):]
		t.ok("relay: settings applied" in new,
		    "log verbose: the relay's debug lines appear", new)
		for p in ("cryptod", "ca"):
			t.ok("%s: log verbose" % p in new,
			    "log verbose: %s told" % p, new)
		rc, out, err = ctl(r, "log", "brief")
		mark = len(r.log())
		ctl(r, "reload")
		time.sleep(0.5)
		t.ok(rc == 0 and "settings applied" not in r.log()[mark:],
		    "log brief: debug lines stop")
		rc = r.stop()
		t.eq(rc, 0, "relayd stops with 0")
except Exception as e:
	t.fail_all("relayctl", e)
t.done()

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

# The service manager's readiness protocol (relayd(8), etc/relayd.service.in
# Type=notify).  relayd is given a NOTIFY_SOCKET of its own, a datagram
# socket here: READY=1 comes once, after the relay listens and cryptod
# has answered; STATUS= lines count the sessions, and follow clients
# that connect; SIGHUP gives RELOADING=1 then READY=1; SIGTERM gives
# STOPPING=1.  All of it under the parent's seccomp filter, which must
# not kill it for what sd_notify(3) does.

import os
import re
import signal
import socket
import time

import swstest as T

t = T.Tap(limit=60)


class Notify:
	def __init__(self):
		self.path = os.path.join(T.tempfile.mkdtemp(prefix="swsnotify."),
		    "notify")
		self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
		self.sock.bind(self.path)
		os.chmod(os.path.dirname(self.path), 0o755)
		self.got = []

	def wait(self, pred, timeout=5):
		"""Read datagrams until one satisfies pred; returns it or None."""
		deadline = time.monotonic() + timeout
		while True:
			left = deadline - time.monotonic()
			if left <= 0:
				return None
			self.sock.settimeout(left)
			try:
				m = self.sock.recv(4096).decode()
			except socket.timeout:
				return None
			self.got.append(m)
			if pred(m):
				return m

	def close(self):
		self.sock.close()
		try:
			os.unlink(self.path)
			os.rmdir(os.path.dirname(self.path))
		except OSError:
			pass


def lines(m):
	return m.split("\n")


def sessions(m):
	x = re.search(r"STATUS=(\d+) sessions", m)
	return int(x.group(1)) if x else None


n = Notify()
os.environ["NOTIFY_SOCKET"] = n.path
r = None
try:
	r = T.Relay("", start=False)
	t0 = time.monotonic()
	r.start()
	del os.environ["NOTIFY_SOCKET"]
	m = n.wait(lambda m: "READY=1" in lines(m))
	t.ok(m is not None, "READY=1 after start", "\n".join(n.got) + r.log())
	t.eq(len([x for x in n.got if "READY=1" in lines(x)]), 1,
	    "READY=1 once")
	m = n.wait(lambda m: sessions(m) is not None, 5)
	t.ok(m is not None and "messages/s" in m, "STATUS= with sessions and "
	    "the message rate", m)
	held = [T.RawWS(r.port) for _ in range(3)]
	m = n.wait(lambda m: (sessions(m) or 0) >= 3, 6)
	t.ok(m is not None, "STATUS= counts 3 clients connected", m or
	    "\n".join(n.got[-3:]))
	for c in held:
		c.close()
	m = n.wait(lambda m: sessions(m) == 0, 6)
	t.ok(m is not None, "STATUS= back to 0 sessions once they leave")
	n.got = []
	os.kill(r.pid, signal.SIGHUP)
	m = n.wait(lambda m: "RELOADING=1" in lines(m))
	t.ok(m is not None, "SIGHUP: RELOADING=1")
	m = n.wait(lambda m: "READY=1" in lines(m))
	t.ok(m is not None, "SIGHUP: then READY=1", "\n".join(n.got))
	T.alive(r)
	t.ok(True, "served after the reload")
	st = T.proc_status(r.pid)
	t.eq(st.get("Seccomp"), "2", "the parent notified under its filter")
	os.kill(r.pid, signal.SIGTERM)
	m = n.wait(lambda m: "STOPPING=1" in lines(m))
	t.ok(m is not None, "SIGTERM: STOPPING=1")
	t.eq(r.wait_exit(5), 0, "and exits 0, not killed by its filter")
	log = r.log()
	t.ok("forbidden" not in log and "SIGSYS" not in log, "nothing trapped",
	    log[-1500:])
	r.cleanup()
except T.RelayError as e:
	t.fail_all("relay", e)
finally:
	if r is not None and r.running():
		r.kill_all()
	n.close()
t.done()

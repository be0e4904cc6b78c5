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

# How the parent's seccomp list (common/sandbox.c, sc_parent/sr_parent)
# was measured, to measure it again after a change: run relayd under
# strace -f through each scenario below and print, for the parent after
# its "started" line, every system call with the argument shapes seen,
# and any SIGSYS.  As root, from the top of the tree, after make:
#
#	/usr/bin/python3 scripts/trace-parent.py [SCENARIO ...]
#
# Scenarios: reloads (limits, include, listeners added and removed,
# refused files: syntax, unknown user, missing include, bad chroot and
# key, a file root does not own, a busy port), term, kill-relay,
# kill-cryptod, grace (SIGTERM with the relay stopped), and syslog (the
# reloads and a kill without -d, logging to a private /dev/log; only
# when /dev/log is free).  The traces stay in obj/trace-parent/.
import collections
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "regress", "lib"))
os.environ.setdefault("SWS_TOP", TOP)
import swstest as T

OUT = os.path.join(TOP, "obj", "trace-parent")


class Run:
	def __init__(self, name, daemon):
		self.name, self.daemon = name, daemon
		self.trace = os.path.join(OUT, name + ".trace")
		self.tmp = tempfile.mkdtemp(prefix="sws-trace.")
		os.chmod(self.tmp, 0o755)
		self.key = os.path.join(self.tmp, "server.key")
		self.conf = os.path.join(self.tmp, "relayd.conf")
		subprocess.run([T.CRYPTOD, "-g", self.key], check=True,
		    stdout=subprocess.DEVNULL)
		self.port = T.free_port()
		self.write("")
		args = ["strace", "-f", "-qq", "-s", "64", "-o", self.trace,
		    T.RELAYD] + ([] if daemon else ["-d"]) + ["-v", "-f",
		    self.conf]
		self.log = open(os.path.join(self.tmp, "log"), "wb")
		self.proc = subprocess.Popen(args, stdout=self.log,
		    stderr=self.log, stdin=subprocess.DEVNULL,
		    start_new_session=True)
		self.pid = self.find_parent()
		self.ready(self.port)

	def write(self, extra):
		with open(self.conf + ".new", "w") as f:
			f.write('listen on 127.0.0.1 port %d\nkey "%s"\n%s' % (
			    self.port, self.key, extra))
		os.chmod(self.conf + ".new", 0o644)
		os.rename(self.conf + ".new", self.conf)

	def find_parent(self):
		for i in range(100):
			time.sleep(0.1)
			if not self.daemon:
				c = T.children_of(self.proc.pid)
				if c:
					return c[0]
				continue
			# daemon(3) forks: the parent is the one that called setsid
			with open(self.trace) as f:
				for l in f:
					if " setsid()" in l and "= " in l:
						return int(l.split()[0])
		raise RuntimeError("no parent found")

	def ready(self, port):
		for i in range(100):
			try:
				socket.create_connection(("127.0.0.1", port),
				    0.5).close()
				return
			except OSError:
				time.sleep(0.05)
		raise RuntimeError("port %d never ready" % port)

	def hup(self, extra, wait=0.7):
		self.write(extra)
		os.kill(self.pid, signal.SIGHUP)
		time.sleep(wait)

	def child(self, title):
		for c in T.children_of(self.pid):
			if (T.proc_cmdline(c) or "").startswith(title):
				return c
		raise RuntimeError("no %s child" % title)

	def end(self):
		for i in range(100):
			try:
				os.kill(self.pid, 0)
			except ProcessLookupError:
				break
			time.sleep(0.1)
		self.proc.wait(10)
		self.log.close()
		subprocess.run(["rm", "-rf", self.tmp])


def reloads(r):
	T.alive(type("R", (), {"port": r.port, "binding": "127.0.0.1:%d" %
	    r.port})())
	inc = os.path.join(r.tmp, "inc.conf")
	theirs = os.path.join(r.tmp, "theirs.conf")
	for p in (inc, theirs):
		with open(p, "w") as f:
			f.write('origin "https://a.example"\n')
		os.chmod(p, 0o644)
	os.chown(theirs, 65534, 65534)
	q = T.free_port()
	r.hup("")
	r.hup("listen on 127.0.0.1 port %d\nlisten on ::1 port %d\n" % (q, q))
	r.ready(q)
	r.hup("")
	for bad in ("max message size banana\n", "frobnicate yes\n",
	    'user "nosuchuser_sws"\n', 'user "nosuchuser_sws"\n',
	    'include "inc.conf"\n', 'include "theirs.conf"\n',
	    'include "missing.conf"\n', 'chroot "/nonexistent"\n',
	    'key "/nonexistent.key"\n', "listen on 999.1.1.1 port 1\n"):
		r.hup(bad)
	r.hup("")
	# Last: a listener whose bind fails.  A later reload that drops it
	# makes parent_reload() send LISTENER_DEL for id 0, and the relay
	# exits on it (an open bug in parent_reload()).
	busy = socket.socket()
	busy.bind(("127.0.0.1", 0))
	busy.listen()
	r.hup("listen on 127.0.0.1 port %d\n" % busy.getsockname()[1])
	busy.close()


def scenario(name):
	daemon = name.startswith("syslog")
	r = Run(name, daemon)
	try:
		if name in ("reloads", "syslog"):
			reloads(r)
		if name == "kill-relay" or name == "syslog":
			os.kill(r.child("relayd: relay"), signal.SIGKILL)
		elif name == "kill-cryptod":
			os.kill(r.child("cryptod"), signal.SIGKILL)
		elif name == "grace":
			os.kill(r.child("relayd: relay"), signal.SIGSTOP)
			os.kill(r.pid, signal.SIGTERM)
		else:
			os.kill(r.pid, signal.SIGTERM)
	finally:
		r.end()
	return r


def summary(trace):
	lines = open(trace).read().splitlines()
	pp = None
	for l in lines:
		if "started, " in l and ("write(2" in l or "sendto(" in l):
			pp = l.split()[0]
			break
	calls = collections.OrderedDict()
	sigsys = []
	after = False
	for l in lines:
		pid, _, rest = l.partition(" ")
		if pid != pp:
			continue
		if not after:
			after = "started, " in rest
			continue
		if "SIGSYS" in rest:
			sigsys.append(rest)
		m = re.match(r"(\w+)\((.*)", rest.strip())
		if m is None:
			continue
		a = re.sub(r'"[^"]*"(\.\.\.)?', '"…"', m.group(2))
		a = re.sub(r"\{.*\}", "{…}", a)
		a = re.sub(r"\b0x[0-9a-f]+\b|\b\d{3,}\b", "N", a)
		a = a.split(") =")[0].split(" <unfinished")[0]
		calls.setdefault(m.group(1), collections.Counter())[a] += 1
	return calls, sigsys


def drain(s):
	try:
		while True:
			s.recv(4096)
	except OSError:
		pass


def main(names):
	if os.geteuid() != 0:
		sys.exit("trace-parent: run as root")
	os.makedirs(OUT, exist_ok=True)
	names = names or ["reloads", "term", "kill-relay", "kill-cryptod",
	    "grace", "syslog"]
	logsock = None
	total = collections.OrderedDict()
	for name in names:
		if name == "syslog":
			if os.path.exists("/dev/log"):
				print("syslog: /dev/log is taken, skipped")
				continue
			logsock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
			logsock.bind("/dev/log")
			threading.Thread(target=drain, args=(logsock,),
			    daemon=True).start()
		try:
			r = scenario(name)
		finally:
			if logsock is not None:
				logsock.close()
				os.unlink("/dev/log")
				logsock = None
		calls, sigsys = summary(r.trace)
		print("%s: %s" % (name, " ".join(calls)))
		for s in sigsys:
			print("    SIGSYS: %s" % s)
		for c, shapes in calls.items():
			total.setdefault(c, collections.Counter()).update(shapes)
	print("\nall scenarios, after start:")
	for c, shapes in total.items():
		print(c)
		for a, k in shapes.most_common(6):
			print("    %5d  %s" % (k, a[:120]))


if __name__ == "__main__":
	main(sys.argv[1:])

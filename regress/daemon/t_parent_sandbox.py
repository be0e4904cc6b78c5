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

# The parent's seccomp filter (relayd(8) SECURITY).  Once started, the
# parent shows Seccomp: 2 and NoNewPrivs: 1, and its loaded BPF program
# allows what it does (reading files, TCP listeners, syslog's local
# socket, SIGKILL to its two children) and kills on the rest (fork,
# clone, execve, ptrace, setuid, UDP or raw sockets, opening to write or
# create, any other signal or target).  Reloads still work under it:
# limits, an include, listeners added and removed, and refused files
# (syntax, unknown user, missing include) leave it running; SIGTERM
# still exits 0.  And a forbidden call made for real: the running
# parent, made (ptrace) to call fork, execve or socket(AF_INET,
# SOCK_DGRAM), dies of SIGSYS and leaves no child behind.  The sanitizer
# build's parent traps instead (control).
# Needs root (exit 77, skipped, otherwise).

import os
import platform
import signal
import socket
import sys
import time

import swstest as T
import swsseccomp as S

if os.geteuid() != 0:
	sys.exit(77)

t = T.Tap(limit=150)
SAN_RELAYD = os.path.join(T.TOP, "obj", "san", "relayd", "relayd")
SAN_CRYPTOD = os.path.join(T.TOP, "obj", "san", "cryptod", "cryptod")
AT_FDCWD = -100
PROT_READ, PROT_WRITE, PROT_EXEC = 1, 2, 4
MAP_PRIVATE_ANON = 0x22
SOCK_FLAGS = socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC
BASE = "rate limit 100 per second burst 100\n"


def verdicts(r):
	"""(call, args, expected verdict) for the parent of r."""
	rp, cp = r.relay_pid(), r.cryptod_pid()
	kill, allow = ("kill_process", 0), ("allow", 0)
	return [
	    ("read", (), allow),
	    ("sendmsg", (), allow),
	    ("wait4", (-1, 0, 1, 0), allow),
	    ("openat", (AT_FDCWD, 0, os.O_RDONLY | os.O_CLOEXEC |
	        os.O_NONBLOCK | os.O_NOCTTY), allow),
	    ("openat", (AT_FDCWD, 0, os.O_RDONLY | os.O_PATH |
	        os.O_DIRECTORY), allow),
	    ("socket", (socket.AF_INET, socket.SOCK_STREAM | SOCK_FLAGS, 0),
	        allow),
	    ("socket", (socket.AF_INET6, socket.SOCK_STREAM | SOCK_FLAGS, 0),
	        allow),
	    ("socket", (socket.AF_UNIX, socket.SOCK_DGRAM |
	        socket.SOCK_CLOEXEC, 0), allow),
	    ("setsockopt", (5, socket.SOL_SOCKET, socket.SO_REUSEADDR), allow),
	    # sd_notify(3): its credentials check, and its send buffer not
	    # grown
	    ("getuid", (), allow),
	    ("getegid", (), allow),
	    ("getsockopt", (5, socket.SOL_SOCKET, socket.SO_SNDBUF),
	        ("errno", 1)),
	    ("setsockopt", (5, socket.SOL_SOCKET, socket.SO_SNDBUF),
	        ("errno", 1)),
	    ("setsockopt", (5, socket.SOL_SOCKET, 32), ("errno", 1)),
	    ("getsockopt", (5, socket.SOL_SOCKET, socket.SO_RCVBUF), kill),
	    ("bind", (), allow),
	    ("listen", (), allow),
	    ("kill", (rp, signal.SIGKILL), allow),
	    ("kill", (cp, signal.SIGKILL), allow),
	    ("mmap", (0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE_ANON),
	        allow),
	    ("mmap", (0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE_ANON),
	        ("errno", 1)),
	    ("mprotect", (0, 4096, PROT_READ | PROT_EXEC), ("errno", 1)),
	    ("fork", (), kill),
	    ("vfork", (), kill),
	    ("clone", (), kill),
	    ("clone3", (), kill),
	    ("execve", (), kill),
	    ("execveat", (), kill),
	    ("ptrace", (), kill),
	    ("setuid", (0,), kill),
	    ("setresuid", (0, 0, 0), kill),
	    ("chroot", (), kill),
	    ("mount", (), kill),
	    ("unshare", (), kill),
	    ("prctl", (), kill),
	    ("socket", (socket.AF_INET, socket.SOCK_DGRAM, 0), kill),
	    ("socket", (socket.AF_INET, socket.SOCK_RAW, 1), kill),
	    ("socket", (socket.AF_NETLINK, socket.SOCK_RAW, 0), kill),
	    ("socket", (socket.AF_PACKET, socket.SOCK_RAW, 0), kill),
	    ("setsockopt", (5, socket.SOL_SOCKET, socket.SO_BINDTODEVICE),
	        kill),
	    ("openat", (AT_FDCWD, 0, os.O_WRONLY), kill),
	    ("openat", (AT_FDCWD, 0, os.O_RDWR), kill),
	    ("openat", (AT_FDCWD, 0, os.O_RDONLY | os.O_CREAT), kill),
	    ("openat", (AT_FDCWD, 0, os.O_RDONLY | os.O_TRUNC), kill),
	    ("open", (0, os.O_RDONLY), kill),
	    ("unlink", (), kill),
	    ("kill", (1, signal.SIGKILL), kill),
	    ("kill", (-1, signal.SIGKILL), kill),
	    ("kill", (rp, signal.SIGTERM), kill),
	    ("kill", (-rp, signal.SIGKILL), kill),
	    ("tgkill", (), kill),
	    ("fcntl", (5, 0), kill),		# F_DUPFD
	    ("ioctl", (0, 0x5413), kill),		# TIOCGWINSZ
	]


def structure():
	with T.Relay(BASE) as r:
		st = T.proc_status(r.pid)
		t.eq(st.get("Seccomp"), "2", "parent: Seccomp: 2 after start")
		t.eq(st.get("NoNewPrivs"), "1", "parent: NoNewPrivs: 1")
		progs = S.filters(r.pid)
		t.eq(len(progs), 1, "parent: exactly one filter")
		for call, args, want in verdicts(r):
			got = S.verdict(progs, call, *args)
			t.eq(got, want, "parent filter: %s%r -> %s" % (call,
			    tuple(int(a) for a in args), want[0]))
		log = r.log()
		t.ok("debug mode" not in log and "forbidden" not in log,
		    "parent: no debug mode, nothing trapped", log[-1000:])
		t.eq(r.stop(check=False), 0, "parent under its filter: SIGTERM "
		    "exits 0")
		t.eq(r.leftover, [], "no process left")


def limit_of_new_client(r, port=None):
	with T.RawWS(port or r.port) as c:
		sk, pk = T.keypair()
		return c.register(sk, pk)["limits"]["rate"]


def refused(port):
	try:
		socket.create_connection(("127.0.0.1", port), timeout=1).close()
		return False
	except OSError:
		return True


def reloads():
	with T.Relay(BASE) as r:
		pid = r.pid
		inc = os.path.join(r.tmp, "origins.conf")
		with open(inc, "w") as f:
			f.write('origin "https://a.example"\n')
		os.chmod(inc, 0o644)

		r.reload(BASE + 'include "origins.conf"\n', settle=0.7)
		st = T.http_request(r.port, T.upgrade_request(r.port,
		    origin="https://x.example")).status
		t.eq(st, 403, "reload with an include (relative name): its origin "
		    "applies (other Origin -> 403)")
		good = "rate limit 7 per second burst 7\n" + \
		    'include "origins.conf"\n'
		r.reload(good, settle=0.7)
		t.eq(limit_of_new_client(r), 7, "reload: new limits for a new "
		    "client")

		# a file root does not own: the owner check asks geteuid(2)
		theirs = os.path.join(r.tmp, "theirs.conf")
		with open(theirs, "w") as f:
			f.write('origin "https://b.example"\n')
		os.chmod(theirs, 0o644)
		os.chown(theirs, 65534, 65534)
		for desc, bad in (
		    ("include owned by another user", 'include "theirs.conf"\n'),
		    ("syntax error", "max message size banana\n"),
		    ("unknown user", 'user "nosuchuser_sws"\n'),
		    ("unknown user, again", 'user "nosuchuser_sws"\n'),
		    ("missing include", 'include "missing.conf"\n'),
		    ("missing chroot", 'chroot "/nonexistent-sws"\n')):
			bad = good + bad
			r.reload(bad, settle=0.7)
			t.ok(r.running(), "%s on SIGHUP: the parent keeps running "
			    "under its filter" % desc, r.log()[-1500:])
			t.eq(limit_of_new_client(r), 7, "%s on SIGHUP: the running "
			    "configuration stays" % desc)
		t.ok("unknown user \"nosuchuser_sws\"" in r.log(), "the unknown "
		    "user is reported (its NSS lookup fails cleanly)")
		t.ok("owned by uid 65534" in r.log(), "the include owned by "
		    "another user is reported")

		q = T.free_port()
		six = socket.has_ipv6 and os.path.exists("/proc/net/if_inet6")
		extra = "listen on 127.0.0.1 port %d\n" % q
		if six:
			extra += "listen on ::1 port %d\n" % q
		r.reload(good + extra, settle=0.5)
		try:
			r.wait_ready(q, 3)
			ok = True
		except T.RelayError:
			ok = False
		t.ok(ok, "reload adds a listener on port %d under the filter" % q,
		    r.log()[-1500:])
		if ok:
			t.eq(limit_of_new_client(r, q), 7, "a client on the new "
			    "listener is served")
		if six:
			t.ok("listening on [::1] port %d" % q in r.log(),
			    "... and its IPv6 twin")
		r.reload(good, settle=0.5)
		deadline = time.monotonic() + 3
		while not refused(q) and time.monotonic() < deadline:
			time.sleep(0.1)
		t.ok(refused(q), "reload removes the listener on port %d" % q)

		t.eq(r.pid, pid, "the same parent throughout")
		t.eq(T.proc_status(r.pid).get("Seccomp"), "2", "still Seccomp: "
		    "2 after the reloads")
		t.ok("forbidden" not in r.log(), "nothing trapped")
		t.alive(r, "after the reloads")
		t.eq(r.stop(check=False), 0, "after the reloads: SIGTERM exits 0")
		t.eq(r.leftover, [], "after the reloads: no process left")


def inject(r, call, *args):
	"""inject_syscall, retried until the parent is idle in a call."""
	for i in range(10):
		try:
			S.inject_syscall(r.pid, call, *args)
			return True
		except S.SeccompError:
			time.sleep(0.1)
	return False


def forbidden(call, *args):
	if platform.machine() != "x86_64":
		print("# skipped: the injection helper is for x86_64")
		return
	desc = "%s%r" % (call, tuple(int(a) for a in args))
	with T.Relay("") as r:
		T.alive(r)
		r.snapshot_children()
		time.sleep(0.2)
		t.ok(inject(r, call, *args), "%s put into the running parent" %
		    desc)
		rc = r.wait_exit(5)
		t.eq(rc, -signal.SIGSYS, "the parent made to call %s dies of "
		    "SIGSYS" % desc)
		t.eq(r._reap_leftovers(2.0), [], "after the parent's death by %s "
		    "no child is left" % call)


def sanitizer():
	if not (os.access(SAN_RELAYD, os.X_OK) and os.access(SAN_CRYPTOD,
	    os.X_OK)):
		print("# note: no sanitizer build (make san): control skipped")
		return
	saved = T.RELAYD, T.CRYPTOD
	saved_env = os.environ.get("ASAN_OPTIONS")
	T.RELAYD, T.CRYPTOD = SAN_RELAYD, SAN_CRYPTOD
	os.environ["ASAN_OPTIONS"] = "detect_leaks=0"
	try:
		with T.Relay("") as r:
			progs = S.filters(r.pid)
			t.eq(S.verdict(progs, "fork")[0], "trap", "sanitizer build: "
			    "the parent's filter traps fork (logs, not fatal)")
			t.eq(S.verdict(progs, "read")[0], "allow", "sanitizer build: "
			    "and allows read")
			t.eq(r.stop(check=False), 0, "sanitizer build: SIGTERM exits "
			    "0")
	finally:
		T.RELAYD, T.CRYPTOD = saved
		if saved_env is None:
			del os.environ["ASAN_OPTIONS"]
		else:
			os.environ["ASAN_OPTIONS"] = saved_env


t.parts(("structure", structure), ("reloads", reloads),
    ("fork", lambda: forbidden("fork")),
    ("execve", lambda: forbidden("execve", 0, 0, 0)),
    ("socket", lambda: forbidden("socket", socket.AF_INET,
    socket.SOCK_DGRAM, 0)),
    ("sanitizer", sanitizer))
t.done()

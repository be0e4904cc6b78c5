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

# Nothing in the parent's environment reaches the children, and nothing
# there can soften their filters (relayd(8) SECURITY).  relayd is started
# with SWS_SANDBOX_DEBUG=1, the switch that used to turn the filter into a
# logger, and a random marker variable.  For the relay and cryptod:
# /proc/PID/environ is empty and the marker is nowhere in their memory
# (libbsd's setproctitle clobbers /proc/PID/environ, so memory is what
# counts; the parent, which has it, is the control); Seccomp is 2, no
# SIGSYS handler is installed, the log has no "debug mode" line, and the
# loaded BPF program kills on execve, fork, socket, open and ptrace.
# Then a forbidden call made for real: each child is made (ptrace) to
# call socket(2) and dies of SIGSYS, which ends the daemon.  The
# sanitizer build, which does trap, is the control that these checks
# can fail.
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

t = T.Tap(limit=120)
MARKER = "m" + os.urandom(16).hex()
SAN_RELAYD = os.path.join(T.TOP, "obj", "san", "relayd", "relayd")
SAN_CRYPTOD = os.path.join(T.TOP, "obj", "san", "cryptod", "cryptod")
SIGSYS_BIT = 1 << (signal.SIGSYS - 1)


def in_memory(pid, needle):
	"""Whether needle occurs in pid's readable mappings."""
	with open("/proc/%d/maps" % pid) as f:
		maps = f.read().splitlines()
	fd = os.open("/proc/%d/mem" % pid, os.O_RDONLY)
	try:
		for l in maps:
			p = l.split()
			if p[1][0] != "r" or (len(p) > 5 and p[5].startswith(
			    ("[vvar", "[vsyscall"))):
				continue
			a, b = [int(x, 16) for x in p[0].split("-")]
			tail = b""
			while a < b:
				try:
					chunk = os.pread(fd, min(1 << 20, b - a), a)
				except OSError:
					break
				if not chunk:
					break
				if needle in tail + chunk:
					return True
				tail = chunk[-len(needle):]
				a += len(chunk)
	finally:
		os.close(fd)
	return False


def environ_of(pid):
	with open("/proc/%d/environ" % pid, "rb") as f:
		return f.read()


def with_env(env, fn):
	"""Run fn with these variables added to our environment, which the
	daemon inherits; restore it after."""
	saved = dict(os.environ)
	os.environ.update(env)
	try:
		return fn()
	finally:
		os.environ.clear()
		os.environ.update(saved)


def children_checks(r, label, san):
	# The relay answers HTTP before cryptod need be sandboxed; a
	# registration is answered by cryptod's loop, after its sandbox.
	t.alive(r, label)
	rp, cp = r.relay_pid(), r.cryptod_pid()
	t.ok(rp is not None and cp is not None, "%s: both children found" %
	    label)
	if rp is None or cp is None:
		return
	# ASan's shadow memory is terabytes of mapping: no scan there.
	if not san:
		t.ok(in_memory(r.pid, MARKER.encode()), "%s: the marker is in "
		    "the parent's memory (control for the scanner)" % label)
	for pid, name in ((rp, "relay"), (cp, "cryptod")):
		env = environ_of(pid)
		st = T.proc_status(pid)
		sigcgt = int(st.get("SigCgt", "0"), 16)
		progs = S.filters(pid)
		kills = {c: S.verdict(progs, c, *a)[0] for c, a in (
		    ("execve", ()), ("fork", ()), ("ptrace", ()),
		    ("socket", (socket.AF_INET, socket.SOCK_DGRAM)),
		    ("openat", (-100, 0, os.O_RDONLY)))}
		if san:
			t.ok(sigcgt & SIGSYS_BIT, "%s: %s catches SIGSYS (debug "
			    "mode, control)" % (label, name), st.get("SigCgt"))
			t.ok(set(kills.values()) == {"trap"}, "%s: %s's filter "
			    "traps forbidden calls (control)" % (label, name),
			    repr(kills))
		else:
			t.ok(env == b"", "%s: %s's /proc/PID/environ is empty" %
			    (label, name), "%d bytes: %r" % (len(env), env[:64]))
			t.ok(not sigcgt & SIGSYS_BIT, "%s: %s has no SIGSYS "
			    "handler (no debug mode)" % (label, name),
			    st.get("SigCgt"))
			t.eq(set(kills.values()), {"kill_process"}, "%s: %s's "
			    "filter kills on execve, fork, ptrace, socket, open"
			    % (label, name))
		if not san:
			t.ok(not in_memory(pid, MARKER.encode()), "%s: the "
			    "marker variable is nowhere in %s's memory" % (label,
			    name))
		t.ok(b"SWS_SANDBOX_DEBUG" not in env, "%s: no SWS_SANDBOX_DEBUG "
		    "in %s's environment" % (label, name))
		t.eq(st.get("Seccomp"), "2", "%s: %s: Seccomp: 2" % (label,
		    name))
		t.eq(len(progs), 1, "%s: %s has exactly one filter" % (label,
		    name))
		t.ok(S.verdict(progs, "recvmsg", 3)[0] == "allow", "%s: %s's "
		    "filter allows recvmsg(2) on its channel" % (label, name))
	debug = [l for l in r.log().splitlines() if "debug mode" in l]
	if san:
		t.ok(debug, "%s: the log says the sandbox is in debug mode "
		    "(control)" % label)
	else:
		t.eq(debug, [], "%s: no \"debug mode\" line in the log" % label)


def production():
	with T.Relay("") as r:
		children_checks(r, "production", False)
		t.alive(r, "production, after the checks")
		t.eq(r.stop(check=False), 0, "production: exit 0 on SIGTERM")


def forbidden_call(which):
	"""The child, made to call socket(2), dies of SIGSYS."""
	if platform.machine() != "x86_64":
		print("# skipped: the injection helper is for x86_64")
		return
	with T.Relay("") as r:
		pid = r.relay_pid() if which == "relay" else r.cryptod_pid()
		T.alive(r)
		time.sleep(0.2)		# idle in epoll_wait / poll
		S.inject_syscall(pid, "socket", socket.AF_INET, socket.SOCK_DGRAM,
		    0)
		rc = r.wait_exit(5)
		log = r.log()
		t.ok(rc is not None and rc != 0, "%s made to call socket(2): the "
		    "daemon ends, non-zero (%r)" % (which, rc), log[-1500:])
		t.ok("%s terminated by signal %d\n" % (which, signal.SIGSYS) in
		    log, "%s made to call socket(2): killed by SIGSYS, despite "
		    "SWS_SANDBOX_DEBUG=1" % which, log[-1500:])
		t.ok("forbidden system call" not in log, "%s: nothing trapped "
		    "and logged instead" % which)


def sanitizer():
	if not (os.access(SAN_RELAYD, os.X_OK) and os.access(SAN_CRYPTOD,
	    os.X_OK)):
		print("# note: no sanitizer build (make san): control skipped")
		return
	saved = T.RELAYD, T.CRYPTOD
	T.RELAYD, T.CRYPTOD = SAN_RELAYD, SAN_CRYPTOD
	try:
		with T.Relay("") as r:
			children_checks(r, "sanitizer build", True)
			r.stop(check=False)
	finally:
		T.RELAYD, T.CRYPTOD = saved


env = {"SWS_SANDBOX_DEBUG": "1", "SWS_TEST_MARKER": MARKER}
t.parts(("production", lambda: with_env(env, production)),
    ("relay: forbidden call", lambda: with_env(env, lambda:
    forbidden_call("relay"))),
    ("cryptod: forbidden call", lambda: with_env(env, lambda:
    forbidden_call("cryptod"))),
    ("sanitizer build", lambda: with_env(dict(env, ASAN_OPTIONS=
    "detect_leaks=0"), sanitizer)))
t.done()

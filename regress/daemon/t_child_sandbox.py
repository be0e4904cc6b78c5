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

# The children's calls narrowed by argument (relayd(8) and cryptod(8)
# SECURITY), in the filters the running daemon loaded.  The relay: read
# and write on any socket, recvmsg and sendmsg on its channels 3, 4, 5
# and 6 (parent, cryptod, relayd: ca, relayd: cluster) only, setsockopt with TCP_NODELAY, SO_SNDBUF and SO_RCVBUF only, fcntl
# F_SETFL O_NONBLOCK only, no getsockopt, ioctl, prctl, readv or writev.
# cryptod: recvmsg and sendmsg on 3 and 4, write on 2, nothing else of
# the kind.  Both: anonymous memory only, never executable.  The daemon
# still works under them: registration and messages, a reload that adds
# a listener (the relay's fcntl), SIGTERM exits 0.  And forbidden
# arguments made for real: each child, made (ptrace) to call one of them
# while idle, dies of SIGSYS and the daemon ends; the relay made to call
# its own fcntl serves on (control).
# Needs root (exit 77, skipped, otherwise).

import fcntl
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
PROT_READ, PROT_WRITE, PROT_EXEC = 1, 2, 4
MAP_SHARED, MAP_PRIVATE_ANON = 0x01, 0x22
SO_SNDBUFFORCE, SO_ATTACH_FILTER = 32, 26
FIONREAD, FIONBIO = 0x541b, 0x5421
PR_SET_DUMPABLE, PR_SET_NAME = 4, 15
KILL, ALLOW = "kill_process", "allow"
CLIENT = 9			# a client's socket, as the relay numbers them


def common():
	"""What both children's lists say alike."""
	return [
	    ("recvmsg", (3,), ALLOW),
	    ("recvmsg", (4,), ALLOW),
	    ("sendmsg", (3,), ALLOW),
	    ("sendmsg", (4,), ALLOW),
	    ("recvmsg", (CLIENT,), KILL),
	    ("sendmsg", (CLIENT,), KILL),
	    ("sendmsg", (7,), KILL),
	    ("readv", (CLIENT,), KILL),
	    ("writev", (CLIENT,), KILL),
	    ("getsockopt", (CLIENT, socket.SOL_SOCKET, socket.SO_ERROR), KILL),
	    ("ioctl", (CLIENT, FIONREAD), KILL),
	    ("ioctl", (CLIENT, FIONBIO), KILL),
	    ("prctl", (PR_SET_NAME,), KILL),
	    ("prctl", (PR_SET_DUMPABLE, 1), KILL),
	    ("mmap", (0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE_ANON, -1),
	        ALLOW),
	    ("mmap", (0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE_ANON, -1),
	        KILL),
	    ("mmap", (0, 4096, PROT_READ, MAP_SHARED, CLIENT), KILL),
	    ("mmap", (0, 4096, PROT_READ, 0x02, CLIENT), KILL),
	    ("mprotect", (0, 4096, PROT_READ), ALLOW),
	    ("mprotect", (0, 4096, PROT_READ | PROT_EXEC), KILL),
	]


def relay_verdicts():
	return common() + [
	    ("sendmsg", (5,), ALLOW),		# its channel to relayd: ca
	    ("recvmsg", (5,), ALLOW),
	    ("sendmsg", (6,), ALLOW),		# and to relayd: cluster
	    ("recvmsg", (6,), ALLOW),
	    ("read", (CLIENT,), ALLOW),
	    ("write", (CLIENT,), ALLOW),
	    ("write", (2,), ALLOW),
	    ("setsockopt", (CLIENT, socket.IPPROTO_TCP, socket.TCP_NODELAY),
	        ALLOW),
	    ("setsockopt", (CLIENT, socket.SOL_SOCKET, socket.SO_SNDBUF),
	        ALLOW),
	    ("setsockopt", (CLIENT, socket.SOL_SOCKET, socket.SO_RCVBUF),
	        ALLOW),
	    ("setsockopt", (CLIENT, socket.IPPROTO_IP, socket.IP_TOS), KILL),
	    ("setsockopt", (CLIENT, socket.SOL_SOCKET, socket.SO_DEBUG), KILL),
	    ("setsockopt", (CLIENT, socket.IPPROTO_TCP, socket.TCP_SYNCNT),
	        KILL),
	    ("setsockopt", (CLIENT, socket.SOL_SOCKET, SO_SNDBUFFORCE), KILL),
	    ("setsockopt", (CLIENT, socket.SOL_SOCKET, SO_ATTACH_FILTER), KILL),
	    ("setsockopt", (CLIENT, socket.SOL_SOCKET,
	        socket.SO_BINDTODEVICE), KILL),
	    ("setsockopt", (CLIENT, socket.SOL_SOCKET, socket.SO_REUSEADDR),
	        KILL),
	    ("fcntl", (CLIENT, fcntl.F_SETFL, os.O_NONBLOCK), ALLOW),
	    ("fcntl", (CLIENT, fcntl.F_SETFL, os.O_NONBLOCK | os.O_ASYNC),
	        KILL),
	    ("fcntl", (CLIENT, fcntl.F_SETFL, 0), KILL),
	    ("fcntl", (CLIENT, fcntl.F_GETFL), KILL),
	    ("fcntl", (CLIENT, fcntl.F_DUPFD, 0), KILL),
	    ("fcntl", (CLIENT, fcntl.F_SETOWN, 1), KILL),
	    ("fcntl", (CLIENT, fcntl.F_SETFD, 0), KILL),
	]


def cryptod_verdicts():
	return common() + [
	    ("sendmsg", (5,), KILL),
	    ("sendmsg", (6,), KILL),
	    ("write", (2,), ALLOW),
	    ("write", (1,), KILL),
	    ("write", (3,), KILL),
	    ("write", (4,), KILL),
	    ("write", (CLIENT,), KILL),
	    ("read", (3,), KILL),
	    ("read", (0,), KILL),
	    ("setsockopt", (3, socket.IPPROTO_TCP, socket.TCP_NODELAY), KILL),
	    ("fcntl", (3, fcntl.F_SETFL, os.O_NONBLOCK), KILL),
	    ("fcntl", (3, fcntl.F_GETFL), KILL),
	    ("getrandom", (), ALLOW),
	    ("poll", (), ALLOW),
	]


def register(port):
	with T.RawWS(port) as c:
		sk, pk = T.keypair()
		return c.register(sk, pk)["type"]


def structure():
	with T.Relay("") as r:
		for name, pid, table in (("relay", r.relay_pid(),
		    relay_verdicts()), ("cryptod", r.cryptod_pid(),
		    cryptod_verdicts())):
			progs = S.filters(pid)
			t.eq(len(progs), 1, "%s: one filter" % name)
			for call, args, want in table:
				got = S.verdict(progs, call, *args)[0]
				t.eq(got, want, "%s filter: %s%r -> %s" % (name,
				    call, tuple(int(a) for a in args), want))
		t.alive(r, "under the narrowed filters: registration and a "
		    "message")
		q = T.free_port()
		r.reload("listen on 127.0.0.1 port %d\n" % q, settle=0.7)
		try:
			r.wait_ready(q, 3)
			ok = True
		except T.RelayError:
			ok = False
		t.ok(ok, "reload adds a listener (the relay's fcntl O_NONBLOCK)",
		    r.log()[-1500:])
		if ok:
			t.eq(register(q), "REGISTER_SUCCESS", "a client on the new "
			    "listener registers")
		t.alive(r, "after the reload")
		t.ok("forbidden" not in r.log() and "signal %d" % signal.SIGSYS
		    not in r.log(), "nothing trapped, no SIGSYS", r.log()[-1500:])
		t.eq(r.stop(check=False), 0, "SIGTERM exits 0")
		t.eq(r.leftover, [], "no process left")


def inject(pid, call, *args):
	"""inject_syscall, retried until the child is idle in a call."""
	for i in range(10):
		try:
			S.inject_syscall(pid, call, *args)
			return True
		except S.SeccompError:
			time.sleep(0.1)
	return False


def forbidden(which, call, *args):
	if platform.machine() != "x86_64":
		print("# skipped: the injection helper is for x86_64")
		return
	desc = "%s%r" % (call, tuple(int(a) for a in args))
	with T.Relay("") as r:
		T.alive(r)
		pid = r.relay_pid() if which == "relay" else r.cryptod_pid()
		time.sleep(0.2)		# idle in epoll_wait / poll
		t.ok(inject(pid, call, *args), "%s put into the running %s" %
		    (desc, which))
		rc = r.wait_exit(5)
		log = r.log()
		t.ok(rc is not None and rc != 0, "%s made to call %s: the daemon "
		    "ends, non-zero (%r)" % (which, desc, rc), log[-1500:])
		t.ok("%s terminated by signal %d\n" % (which, signal.SIGSYS) in
		    log, "%s made to call %s: killed by SIGSYS" % (which, desc),
		    log[-1500:])


def allowed_control():
	"""The injection alone kills nothing: the relay, made to call its
	own fcntl(3, F_SETFL, O_NONBLOCK) (0, which epoll_wait returns as no
	events), serves on."""
	if platform.machine() != "x86_64":
		print("# skipped: the injection helper is for x86_64")
		return
	with T.Relay("") as r:
		T.alive(r)
		time.sleep(0.2)
		t.ok(inject(r.relay_pid(), "fcntl", 3, fcntl.F_SETFL,
		    os.O_NONBLOCK), "control: fcntl(3, F_SETFL, O_NONBLOCK) put "
		    "into the running relay")
		time.sleep(0.3)
		t.alive(r, "control: the relay made to call an allowed fcntl")
		t.eq(r.stop(check=False), 0, "control: SIGTERM exits 0")


t.parts(("structure", structure), ("control", allowed_control),
    ("relay setsockopt IP_TOS", lambda: forbidden("relay", "setsockopt",
    CLIENT, socket.IPPROTO_IP, socket.IP_TOS, 0, 0)),
    ("relay fcntl F_SETOWN", lambda: forbidden("relay", "fcntl", 3,
    fcntl.F_SETOWN, 1)),
    ("relay ioctl FIONREAD", lambda: forbidden("relay", "ioctl", 3,
    FIONREAD, 0)),
    ("relay recvmsg on a client", lambda: forbidden("relay", "recvmsg",
    CLIENT, 0, 0)),
    ("cryptod write to stdout", lambda: forbidden("cryptod", "write", 1,
    0, 0)),
    ("cryptod read its channel", lambda: forbidden("cryptod", "read", 3,
    0, 0)),
    ("cryptod sendmsg elsewhere", lambda: forbidden("cryptod", "sendmsg",
    0, 0, 0)),
    ("cryptod prctl PR_SET_NAME", lambda: forbidden("cryptod", "prctl",
    PR_SET_NAME, 0)))
t.done()

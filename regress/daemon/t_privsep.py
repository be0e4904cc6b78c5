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

# Privilege separation as seen from /proc (relayd(8), docs/ARCHITECTURE.md "Processes"): a root
# parent, a relay and a cryptod child each unprivileged, chrooted, with
# no_new_privs and a seccomp filter; cryptod without network; the server
# secret key only in cryptod; any child's death ends the daemon; SIGTERM
# ends everything within 2 s with close 1001 to every session.
# Needs root (exit 77, skipped, otherwise).

import asyncio
import os
import pwd
import signal
import socket
import subprocess
import sys
import time

import swstest as T

if os.geteuid() != 0:
	sys.exit(77)

t = T.Tap(limit=150)


def net_inodes():
	"""(unix inodes without a path, unix inodes with a path, inet inodes)"""
	anon, named, inet = set(), set(), set()
	with open("/proc/net/unix") as f:
		next(f)
		for l in f:
			p = l.split()
			if len(p) >= 7:
				(named if len(p) >= 8 else anon).add(p[6])
	for n in ("tcp", "tcp6", "udp", "udp6", "raw", "raw6", "udplite",
	    "udplite6"):
		try:
			with open("/proc/net/" + n) as f:
				next(f)
				for l in f:
					p = l.split()
					if len(p) >= 10:
						inet.add(p[9])
		except OSError:
			pass
	return anon, named, inet


def fd_links(pid):
	out = {}
	try:
		for fd in os.listdir("/proc/%d/fd" % pid):
			try:
				out[int(fd)] = os.readlink("/proc/%d/fd/%s" % (pid, fd))
			except OSError:
				pass
	except OSError:
		pass
	return out


def scan_memory(pid, needles):
	"""Which needles occur in the readable mappings of pid."""
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
			prev = b""
			off = a
			while off < b:
				n = min(1 << 20, b - off)
				try:
					chunk = os.pread(fd, n, off)
				except OSError:
					break
				if not chunk:
					break
				data = prev + chunk
				for nd in needles:
					if nd in data:
						found.add(nd)
				prev = chunk[-(span - 1):] if span > 1 else b""
				off += len(chunk)
	finally:
		os.close(fd)
	return found


def secret_from_keyfile(path, server_pk):
	"""The 32 secret bytes of a key file (one base64url line, see
	common/keyfile.h), checked against the public key cryptod printed."""
	import nacl.bindings as nb
	with open(path, "rb") as f:
		text = f.read()
	sk = T.b64d(text.strip())
	if nb.crypto_scalarmult_base(sk) != server_pk:
		raise T.RelayError("key file does not match the public key")
	return sk, text.strip()


def structure():
	u = pwd.getpwnam(T.USER)
	with T.Relay("") as r:
		st = T.proc_status(r.pid)
		t.eq(st["Uid"].split()[0], "0", "parent runs as uid 0")
		t.eq(T.proc_title(r.pid), "relayd: parent",
		    "parent title relayd: parent")
		rp, cp = r.relay_pid(), r.cryptod_pid()
		t.ok(rp is not None and cp is not None, "relay and cryptod "
		    "children found", repr([(c, T.proc_cmdline(c)) for c in
		    r.children()]))
		ap = r.child_by_title("relayd: ca")
		t.ok(ap is not None, "relayd: ca child found")
		t.eq(len(r.children()), 3, "exactly three children")
		for pid, title in ((rp, "relayd: relay"), (cp, "cryptod"),
		    (ap, "relayd: ca")):
			if pid is None:
				continue
			st = T.proc_status(pid)
			t.eq(T.proc_title(pid), title, "%s: title" % title)
			t.eq(st["Uid"].split(), [str(u.pw_uid)] * 4,
			    "%s: real/effective/saved/fs uid are %s" % (title, T.USER))
			t.eq(st["Gid"].split(), [str(u.pw_gid)] * 4,
			    "%s: all gids are %s's" % (title, T.USER))
			t.ok(set(st.get("Groups", "").split()) <= {str(u.pw_gid)},
			    "%s: no supplementary groups but its own" % title,
			    st.get("Groups"))
			t.eq(os.readlink("/proc/%d/root" % pid), T.CHROOT,
			    "%s: root directory is %s" % (title, T.CHROOT))
			t.eq(os.readlink("/proc/%d/cwd" % pid), T.CHROOT,
			    "%s: working directory is the chroot" % title)
			t.eq(st.get("Seccomp"), "2", "%s: Seccomp: 2 (filter)" % title)
			t.eq(st.get("NoNewPrivs"), "1", "%s: NoNewPrivs: 1" % title)
			t.eq((st.get("CapEff"), st.get("CapPrm")), ("0" * 16,
			    "0" * 16), "%s: no capabilities" % title)
			links = fd_links(pid)
			t.ok(r.keyfile not in links.values(), "%s: key file not "
			    "open" % title, repr(links))
			t.ok(r.conffile not in links.values(), "%s: config file not "
			    "open" % title, repr(links))
		# what ps shows
		for pid, title in ((r.pid, "relayd: parent"), (rp, "relayd: relay"),
		    (cp, "cryptod"), (ap, "relayd: ca")):
			if pid is None:
				continue
			args = subprocess.run(["ps", "-o", "args=", "-p", str(pid)],
			    stdout=subprocess.PIPE, text=True).stdout.strip()
			t.eq(args, title, "ps shows exactly %r" % title)

		# cryptod and ca: only socketpairs
		for kp, kname in ((cp, "cryptod"), (ap, "ca")):
			if kp is None:
				continue
			anon, named, inet = net_inodes()
			links = fd_links(kp)
			socks = [v[len("socket:["):-1] for v in links.values() if
			    v.startswith("socket:[")]
			t.ok(socks and all(s in anon for s in socks),
			    "%s: every socket is an unnamed unix socket (%d)" %
			    (kname, len(socks)), repr(links))
			t.ok(not [s for s in socks if s in inet or s in named],
			    "%s: no inet socket, no named unix socket" % kname)
			others = [v for v in links.values() if not v.startswith(
			    "socket:[") and v not in ("/dev/null",) and not
			    v.startswith(r.tmp)]
			t.ok(not others, "%s: nothing else open" % kname,
			    repr(others))
		if rp is not None:
			anon, named, inet = net_inodes()
			socks = [v[len("socket:["):-1] for v in fd_links(rp).values()
			    if v.startswith("socket:[")]
			t.ok([s for s in socks if s in inet], "relay: holds the "
			    "listening inet socket (passed by the parent)")

		# the secret key lives in cryptod only
		try:
			sk, sktext = secret_from_keyfile(r.keyfile, r.server_pk)
		except Exception as e:
			t.ok(False, "read the secret key from the key file", repr(e))
			sk = None
		if sk is not None:
			# open some sessions first, so the relay has done real work
			T.alive(r)
			T.alive(r, "msgpack")
			marker = os.urandom(32)
			p = subprocess.Popen([sys.executable, "-c", "import sys\n"
			    "x = bytes(sys.stdin.buffer.read(32))\n"
			    "print('ready', flush=True)\nsys.stdin.read()\n"],
			    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
			p.stdin.write(marker)
			p.stdin.flush()
			p.stdout.readline()
			try:
				t.ok(marker in scan_memory(p.pid, [marker]),
				    "memory scanner finds a 32-byte marker in another "
				    "process (control)")
			finally:
				p.kill()
				p.wait()
			needles = [sk, sktext]
			if rp is not None:
				t.eq(scan_memory(rp, needles), set(), "relay memory holds "
				    "neither the secret key nor its base64url text")
			t.eq(scan_memory(r.pid, needles), set(), "parent memory holds "
			    "neither the secret key nor its base64url text")
			if cp is not None:
				f = scan_memory(cp, needles)
				if sk in f:
					t.ok(True, "the secret key is in cryptod's memory "
					    "(scanner sees it where it belongs)")
				else:
					print("# note: secret key not readable in cryptod's "
					    "memory (guarded pages?)")
		t.alive(r, "after the /proc checks")
		t.eq(r.stop(check=False), 0, "exit 0 on SIGTERM")
		t.eq(r.leftover, [], "no process left")


def kill_child(which):
	with T.Relay("") as r:
		pid = r.relay_pid() if which == "relay" else r.cryptod_pid()
		if pid is None:
			t.ok(False, "%s child found" % which)
			return
		others = [c for c in r.children()]
		os.kill(pid, signal.SIGKILL)
		rc = r.wait_exit(5)
		t.ok(rc is not None and rc != 0, "SIGKILL of the %s child ends the "
		    "daemon with a non-zero exit (%r)" % (which, rc),
		    r.log()[-1500:])
		left = r._reap_leftovers(1.0)
		t.eq(left, [], "after SIGKILL of %s no process is left" % which)
		try:
			s = socket.create_connection(("127.0.0.1", r.port), timeout=1)
			s.close()
			t.ok(False, "port %d closed after the daemon ended" % r.port)
		except OSError:
			t.ok(True, "port closed after the daemon ended")


def sigterm():
	with T.Relay('echo path "/echo"') as r:
		async def f():
			a = await T.client(r, "json")
			b = await T.client(r, "msgpack")
			raw = T.RawWS(r.port)
			sk, pk = T.keypair()
			raw.register(sk, pk)
			pending = T.RawWS(r.port)
			pending.recv_msg()		# CHALLENGE, not answered
			echo = T.RawWS(r.port, path="/echo", proto=None)
			r.snapshot_children()
			t0 = time.monotonic()
			stop = asyncio.ensure_future(asyncio.to_thread(r.stop, False,
			    5))
			ca, cb = await asyncio.gather(T.close_code(a, 4),
			    T.close_code(b, 4))
			rc = await stop
			el = r.stop_elapsed
			t.eq(ca[0], 1001, "SIGTERM: JSON session gets close 1001")
			t.eq(cb[0], 1001, "SIGTERM: msgpack session gets close 1001")
			for c, d in ((raw, "raw registered session"),
			    (pending, "connection still registering"),
			    (echo, "echo session")):
				code, reason, before = c.expect_close(2)
				t.eq(code, 1001, "SIGTERM: %s gets close 1001" % d)
				c.close()
			t.eq(rc, 0, "SIGTERM: exit status 0")
			t.ok(el is not None and el <= 2.0, "SIGTERM: daemon gone "
			    "within 2 s (%.2fs)" % (el or -1))
			t.eq(r.leftover, [], "SIGTERM: no process left")
		T.arun(f(), 30)
	with T.Relay("") as r:
		rc = r.stop(check=False)
		t.ok(rc == 0 and r.stop_elapsed < 2.0, "idle daemon: SIGTERM exit "
		    "0 in %.2fs" % r.stop_elapsed)
		t.eq(r.leftover, [], "idle daemon: no process left")


t.parts(("structure", structure),
    ("kill relay", lambda: kill_child("relay")),
    ("kill cryptod", lambda: kill_child("cryptod")),
    ("sigterm", sigterm))
t.done()

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

# libsws's name resolution (evdns) and reconnect, and sws -r, against the
# real daemon and a real DNS server:
#
#   a. obj/reconnecttest (libsws, ASan/UBSan): names through dnsmasq
#      (relay.test; nx.test does not exist and is not retried), localhost
#      without DNS, a silent DNS server (the loop runs on; CLOSED after
#      the timeout), a client freed while its queries are out (nothing
#      leaks); backoff against a port where nothing listens, sws_close()
#      while waiting; two clients in a room while the relay is restarted
#      under them (RECONNECTING 1001, attempts while it is down, READY
#      again, the room joined again by itself, a room left while away not
#      joined again, room and direct messages after); a session replaced
#      by another of its key (4001) is not retried
#   b. sws -r listen survives a restart of the relay: a message sent
#      after it is printed, and stderr says what happened
#
# Skipped (77) when the daemon or dnsmasq is missing.

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import swstest as T

TOP = T.TOP
TEST = os.path.join(TOP, "obj", "reconnecttest")
SWS = os.path.join(TOP, "client", "sws")
DNSMASQ = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"

for p in (T.RELAYD, T.CRYPTOD):
	if not os.access(p, os.X_OK):
		sys.exit(77)
if not os.access(DNSMASQ, os.X_OK):
	print("not ok - dnsmasq is installed (dnsmasq-base; scripts/deps.sh "
	    "test)")
	sys.exit(1)

t = T.Tap(limit=150)
tmp = tempfile.mkdtemp(prefix="t_reconnect.")


def resolv_conf(name, port):
	path = os.path.join(tmp, name)
	with open(path, "w") as f:
		# no search list: a name is asked as it is, once
		f.write("nameserver 127.0.0.1:%d\nsearch .\n"
		    "options ndots:1 randomize-case:0\n" % port)
	return path


def start_dnsmasq():
	"""dnsmasq on a free port; another port when one is taken meanwhile
	(dnsmasq binds TCP too, where the free UDP port may be in use)."""
	for _ in range(5):
		try:
			return start_dnsmasq_on(T.free_port(socket.SOCK_DGRAM))
		except T.RelayError as e:
			why = e
	raise why


def start_dnsmasq_on(port):
	p = subprocess.Popen([DNSMASQ, "-k", "--conf-file=/dev/null",
	    "--no-resolv", "--no-hosts", "--no-poll", "--port=%d" % port,
	    "--listen-address=127.0.0.1", "--bind-interfaces",
	    "--address=/relay.test/127.0.0.1", "--address=/#/",
	    "--user=nobody", "--group=nogroup", "--pid-file=",
	    "--log-facility=%s" % os.path.join(tmp, "dnsmasq.log")],
	    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
	    stderr=subprocess.PIPE)
	# ready once it answers
	q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" \
	    b"\x05relay\x04test\x00\x00\x01\x00\x01"
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.settimeout(0.2)
	for _ in range(50):
		try:
			s.sendto(q, ("127.0.0.1", port))
			if s.recv(512)[:2] == b"\x12\x34":
				break
		except OSError:
			if p.poll() is not None:
				raise T.RelayError("dnsmasq exited: %s" %
				    p.stderr.read().decode(errors="replace"))
	s.close()
	if p.poll() is not None:
		raise T.RelayError("dnsmasq exited: %s" %
		    p.stderr.read().decode(errors="replace"))
	return p, port


def part_library(r):
	dns, dport = start_dnsmasq()
	# a DNS server that reads nothing and answers nothing
	silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	silent.bind(("127.0.0.1", 0))
	dead = T.free_port()
	env = dict(os.environ)
	env.update({
	    "SWS_URL": r.url,
	    "SWS_SERVER_KEY": r.server_pk_b64,
	    "DEAD_URL": "ws://127.0.0.1:%d/" % dead,
	    "DNS_URL": "ws://relay.test:%d/" % r.port,
	    "NX_URL": "ws://nx.test:%d/" % r.port,
	    "LOCAL_URL": "ws://localhost:%d/" % r.port,
	    "DNS_CONF": resolv_conf("dns.conf", dport),
	    "SILENT_CONF": resolv_conf("silent.conf", silent.getsockname()[1]),
	})
	p = subprocess.Popen([TEST], env=env, stdin=subprocess.DEVNULL,
	    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
	try:
		for raw in p.stdout:
			line = raw.decode(errors="replace").rstrip("\n")
			if line == "RESTART":
				r.restart(down=1.5)
				print("# relay restarted after 1.5 s down", flush=True)
				continue
			print(line, flush=True)
			if line.startswith("ok - "):
				t.passed += 1
			elif line.startswith("not ok - "):
				t.failed += 1
		rc = p.wait(timeout=30)
		t.ok(rc == 0, "reconnecttest exits 0 (sanitizers clean)",
		    "exit status %d" % rc)
	finally:
		if p.poll() is None:
			p.kill()
			p.wait()
		dns.terminate()
		dns.wait()
		silent.close()


def part_cli(r):
	home = os.path.join(tmp, "home")
	os.makedirs(home, exist_ok=True)
	env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=home)
	kl, ks = os.path.join(tmp, "l.key"), os.path.join(tmp, "s.key")
	for k in (kl, ks):
		subprocess.run([SWS, "-k", k, "keygen"], env=env, check=True,
		    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
	lpk = subprocess.run([SWS, "-k", kl, "pubkey"], env=env, check=True,
	    stdout=subprocess.PIPE).stdout.decode().strip()
	errf = open(os.path.join(tmp, "listen.err"), "w+b")
	lis = subprocess.Popen([SWS, "-r", "-k", kl, "-u", r.url, "listen"],
	    env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
	    stderr=errf)

	def send(text):
		return subprocess.run([SWS, "-k", ks, "-u", r.url, "send", lpk,
		    text], env=env, stdout=subprocess.PIPE,
		    stderr=subprocess.PIPE, timeout=10)

	def wait_sent(text, secs):
		end = time.monotonic() + secs
		while time.monotonic() < end:
			s = send(text)
			if s.returncode == 0:
				return s
			time.sleep(0.2)
		return s

	try:
		s = wait_sent("one", 5)
		t.ok(s.returncode == 0, "sws send to the listener before the "
		    "restart", s.stderr.decode(errors="replace"))
		r.restart(down=1.0)
		s = wait_sent("two", 8)
		t.ok(s.returncode == 0, "sws send to the listener after the "
		    "restart (it registered again)",
		    s.stderr.decode(errors="replace"))
		lis.terminate()
		out, _ = lis.communicate(timeout=10)
		lines = out.decode(errors="replace").splitlines()
		t.ok(len(lines) == 2 and lines[0].endswith(" one") and
		    lines[1].endswith(" two"), "sws -r listen printed both "
		    "messages", out)
		errf.seek(0)
		err = errf.read().decode(errors="replace")
		t.ok("closed by relay with code 1001" in err and
		    "reconnecting in" in err and "registered as" in err,
		    "its stderr says it lost the relay, reconnected and "
		    "registered again", err)
		t.eq(lis.returncode, 0, "sws -r listen exits 0 on SIGTERM")
		u = subprocess.run([SWS, "-r", "-k", ks, "-u", r.url, "send",
		    lpk, "x"], env=env, stdout=subprocess.PIPE,
		    stderr=subprocess.PIPE, timeout=10)
		t.ok(u.returncode == 1 and b"-r is for listen" in u.stderr,
		    "sws -r send is refused", u.stderr)
	finally:
		if lis.poll() is None:
			lis.kill()
			lis.wait()
		errf.close()


try:
	with T.Relay("max sessions per key 1") as relay:
		t.parts(("libsws", lambda: part_library(relay)),
		    ("sws -r", lambda: part_cli(relay)))
finally:
	shutil.rmtree(tmp, ignore_errors=True)
t.done()

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

# Without -d relayd daemonizes and logs to syslog(3), and the children's
# lines reach syslog through the parent with their priority (relayd(8)).
# Needs to own /dev/log for the test: skipped where a syslog daemon has it.

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import swstest as T

if os.geteuid() != 0 or os.path.exists("/dev/log"):
	sys.exit(77)
t = T.Tap(limit=60)
log = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
log.bind("/dev/log")
log.settimeout(0.2)
tmp = tempfile.mkdtemp(prefix="sws-syslog.")
key = os.path.join(tmp, "server.key")
conf = os.path.join(tmp, "relayd.conf")
lines = []
try:
	subprocess.run([T.CRYPTOD, "-g", key], check=True,
	    stdout=subprocess.DEVNULL)
	port = T.free_port()
	with open(conf, "w") as f:
		f.write('listen on 127.0.0.1 port %d\nkey "%s"\n'
		    'control socket "%s/relayd.sock"\n' % (port, key, tmp))
	r = subprocess.run([T.RELAYD, "-v", "-f", conf], timeout=10)
	t.eq(r.returncode, 0, "relayd without -d returns 0 once daemonized")

	def collect(secs):
		end = time.monotonic() + secs
		while time.monotonic() < end:
			try:
				lines.append(log.recv(4096).decode(errors="replace"))
			except socket.timeout:
				pass

	collect(1.5)
	parent = None
	for l in lines:
		if "started" in l and "relayd[" in l:
			parent = int(l.split("relayd[")[1].split("]")[0])
	t.ok(parent is not None, "the parent logs to syslog",
	    "\n".join(lines))
	t.ok(any("relay: listening on" in l for l in lines),
	    "the relay's lines reach syslog through the parent",
	    "\n".join(lines))
	t.ok(any("cryptod: started" in l and l.startswith("<31>")
	    for l in lines), "cryptod's debug line keeps its priority "
	    "(daemon.debug)", "\n".join(lines))
	if parent is not None:
		os.kill(parent, signal.SIGTERM)
		collect(2.5)
		t.ok(any("stopped" in l for l in lines), "shutdown logged")
		try:
			os.kill(parent, 0)
			gone = False
		except ProcessLookupError:
			gone = True
		t.ok(gone, "the daemon is gone after SIGTERM")
except Exception as e:
	t.ok(False, "syslog (%s: %s)" % (type(e).__name__, e))
finally:
	log.close()
	os.unlink("/dev/log")
	for f in (key, conf, os.path.join(tmp, "relayd.sock")):
		if os.path.exists(f):
			os.unlink(f)
	os.rmdir(tmp)
t.done()

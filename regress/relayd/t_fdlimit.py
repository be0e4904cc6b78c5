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

# Out of descriptors: the relay (started with RLIMIT_NOFILE 48) pauses
# accepting instead of spinning or dying, keeps serving the sessions it
# has, says so once, and accepts again when descriptors come back
# (docs/WIRE.md section 5: bounded by configuration, never by crashing).

import os
import shutil
import socket
import stat
import sys
import tempfile
import time

top = os.environ.get("SWS_TOP") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
if shutil.which("prlimit") is None:
	sys.exit(77)
wrapdir = tempfile.mkdtemp(prefix="sws-fdlimit.")
wrapper = os.path.join(wrapdir, "relayd")
relayd = os.environ.get("SWS_RELAYD") or os.path.join(top, "relayd",
    "relayd")
with open(wrapper, "w") as f:
	f.write("#!/bin/sh\nexec prlimit --nofile=48:48 %s \"$@\"\n" % relayd)
os.chmod(wrapper, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP |
    stat.S_IROTH | stat.S_IXOTH)
os.environ["SWS_RELAYD"] = wrapper
# cryptod is found beside the real relayd
os.environ.setdefault("SWS_CRYPTOD", os.path.join(top, "cryptod",
    "cryptod"))

import swstest as T

t = T.Tap(limit=60)
try:
	with T.Relay("max connections 1000\nmax connections per address "
	    "1000") as r:
		first = T.RawWS(r.port, proto="json")
		sk, pk = T.keypair()
		first.register(sk, pk)
		socks = [socket.create_connection(("127.0.0.1", r.port), 2)
		    for _ in range(80)]
		time.sleep(1.0)
		t.ok(r.running(), "80 connections on 48 descriptors: the "
		    "daemon runs")
		first.send_msg({"type": "SEND", "to": pk, "body": b"x",
		    "id": 1})
		got = sorted(m["type"] for m in (first.recv_msg(3),
		    first.recv_msg(3)))
		t.eq(got, ["ACK", "MESSAGE"], "the registered session is "
		    "still served")
		n = r.log().count("accept (pausing)")
		t.ok(n == 1, "the shortage is logged once (%d)" % n,
		    r.log()[-2000:])
		for s in socks:
			s.close()
		time.sleep(0.5)
		t.alive(r, "after descriptors came back")
		t.ok("accepting again" in r.log(), "the recovery is logged")
		first.close()
		t.eq(r.stop(), 0, "relay exits 0")
except Exception as e:
	t.ok(False, "fd limit (%s: %s)" % (type(e).__name__, e))
finally:
	shutil.rmtree(wrapdir, ignore_errors=True)
t.done()

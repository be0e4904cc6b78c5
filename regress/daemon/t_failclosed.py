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

# Fail closed, and say why (relayd(8)): SIGKILL of one child ends the
# daemon within about a second with exit 1, and the log names the killed
# child with "signal 9" as the cause every time, then the other child's
# own status.  The other child often dies of the first (cryptod exits 0
# when the relay's channel closes) and waitpid(2) may return it first, so
# this is repeated on fresh daemons: 6 times for the relay, 3 for cryptod.
# Needs root (exit 77, skipped, otherwise).

import os
import re
import signal
import sys
import time

import swstest as T

if os.geteuid() != 0:
	sys.exit(77)

t = T.Tap(limit=150)
STATUS = re.compile(r"^relayd: (relay|cryptod) (exited with status \d+|"
    r"terminated by signal \d+)(.*)$")


def once(which, n):
	other = "cryptod" if which == "relay" else "relay"
	label = "kill -9 %s, daemon %d" % (which, n)
	with T.Relay("") as r:
		T.alive(r)
		pid = r.relay_pid() if which == "relay" else r.cryptod_pid()
		if pid is None:
			t.ok(False, "%s: child found" % label)
			return
		t0 = time.monotonic()
		os.kill(pid, signal.SIGKILL)
		rc = r.wait_exit(5)
		el = time.monotonic() - t0
		log = r.log()
		t.ok(rc == 1 and el < 1.5, "%s: the daemon ends with exit 1 in "
		    "%.3fs" % (label, el), "exit %r\n%s" % (rc, log[-1500:]))
		st = [STATUS.match(l) for l in log.splitlines()]
		st = [m for m in st if m is not None]
		t.ok(st and st[0].group(1) == which and st[0].group(2) ==
		    "terminated by signal 9" and st[0].group(3) == "",
		    "%s: the first status logged is \"%s terminated by signal "
		    "9\"" % (label, which), log[-1500:])
		t.ok(len(st) == 2 and st[1].group(1) == other and (
		    st[1].group(3) == " (after the %s)" % which or
		    st[1].group(3) == " (killed by the parent)"),
		    "%s: then %s's own status (%s)" % (label, other,
		    "".join(st[1].groups()[1:]) if len(st) > 1 else "none"),
		    log[-1500:])
		t.ok(log.rstrip().endswith("relayd: a child exited: stopping "
		    "(%s terminated by signal 9)" % which), "%s: the last line "
		    "names the cause again" % label, log[-600:])
		t.eq(r._reap_leftovers(1.0), [], "%s: no process left" % label)


parts = [("relay %d" % i, lambda i=i: once("relay", i)) for i in range(1, 7)]
parts += [("cryptod %d" % i, lambda i=i: once("cryptod", i)) for i in
    range(1, 4)]
t.parts(*parts)
t.done()

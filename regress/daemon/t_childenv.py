#!/usr/bin/python3
# The children run with an empty environment, and nothing in the daemon's
# environment can downgrade a seccomp filter: relayd started with
# SWS_SANDBOX_DEBUG=1 (which once switched every filter to log-only) and a
# marker variable still gives children whose /proc/PID/environ is empty,
# whose filter is on (Seccomp: 2), which log no "debug mode" line, and
# which still serve.  (regress/common/test_sandbox.c shows, with the same
# variable set, that a forbidden call kills.)

import os
import sys

import swstest as T

t = T.Tap(limit=60)


def environ_of(pid):
	with open("/proc/%d/environ" % pid, "rb") as f:
		return f.read()


def main():
	if os.environ.get("SWS_RELAYD"):
		# the sanitizer build logs by design and passes ASAN_OPTIONS
		sys.exit(77)
	saved = dict(os.environ)
	os.environ["SWS_SANDBOX_DEBUG"] = "1"
	os.environ["SWS_MARKER"] = "planted-by-t_childenv"
	try:
		r = T.Relay("")
	finally:
		os.environ.clear()
		os.environ.update(saved)
	with r:
		for title, pid in (("relayd: relay", r.relay_pid()),
		    ("cryptod", r.cryptod_pid())):
			env = environ_of(pid)
			t.eq(env, b"", "%s: empty environment (parent had "
			    "SWS_SANDBOX_DEBUG=1 and a marker)" % title)
			t.eq(T.proc_status(pid).get("Seccomp"), "2",
			    "%s: seccomp filter mode" % title)
		t.alive(r, "children without an environment")
		log = r.log()
		t.ok("debug mode" not in log, "no child says its sandbox is in "
		    "debug mode", log[-2000:])
		t.eq(r.stop(), 0, "relay exits 0")


t.parts(("empty environment", main))
t.done()

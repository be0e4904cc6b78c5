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

# How the children's narrowed seccomp rules (common/sandbox.c, sr_relay
# and sr_cryptod) were measured, to measure them again after a change:
# run a command (by default the relayd tests) and attach strace(1) to
# every relay and cryptod of this tree as it appears, then print, per
# process, each system call made after its filter was loaded with the
# arguments the filter looks at: descriptors of read, write and the
# message calls; level and option of setsockopt and getsockopt; the
# command of fcntl (and F_SETFL's flags); the request of ioctl; the
# option of prctl; the protection and flags of mmap and mprotect.  Any
# SIGSYS is shown too.  As root, from the top of the tree, after make:
#
#	/usr/bin/python3 scripts/trace-children.py [CMD ARGS ...]
#
# CMD defaults to "sh regress/run relayd/".  Attached tracers slow the
# daemon, so timing tests may fail; what matters here is the calls.  The
# tests that read the filters with ptrace (regress/daemon) cannot run
# under it.  The traces stay in obj/trace-children/.
import collections
import os
import re
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(TOP, "obj", "trace-children")
RELAYD = os.path.join(TOP, "relayd", "relayd")
CRYPTOD = os.path.join(TOP, "cryptod", "cryptod")

# calls whose arguments the summary keeps, by argument index
KEEP = {
	"setsockopt": (1, 2), "getsockopt": (1, 2), "fcntl": (1, 2),
	"ioctl": (1,), "prctl": (0,), "mmap": (2, 3, 4), "mprotect": (2,),
}
# calls summarised by descriptor
BY_FD = ("read", "write", "readv", "writev", "recvmsg", "sendmsg",
    "recvfrom", "sendto", "close", "shutdown")


def exe(pid):
	try:
		return os.readlink("/proc/%d/exe" % pid)
	except OSError:
		return None


def ppid(pid):
	try:
		with open("/proc/%d/stat" % pid) as f:
			return int(f.read().rpartition(")")[2].split()[1])
	except (OSError, ValueError, IndexError):
		return None


def cmdline(pid):
	try:
		with open("/proc/%d/cmdline" % pid, "rb") as f:
			return f.read().split(b"\0")
	except OSError:
		return []


def which(pid):
	"""relay, cryptod or None for a process of this tree."""
	e = exe(pid)
	if e == RELAYD and exe(ppid(pid) or 0) == RELAYD:
		return "relay"
	if e == CRYPTOD and b"-g" not in cmdline(pid):
		return "cryptod"
	return None


def split_args(s):
	"""Top-level arguments of a strace call line."""
	args, depth, cur, q = [], 0, "", False
	for i, ch in enumerate(s):
		if q:
			cur += ch
			if ch == '"' and s[i - 1] != "\\":
				q = False
			continue
		if ch == '"':
			q = True
		elif ch in "[{(":
			depth += 1
		elif ch in "]})":
			if depth == 0:
				args.append(cur.strip())
				return args
			depth -= 1
		elif ch == "," and depth == 0:
			args.append(cur.strip())
			cur = ""
			continue
		cur += ch
	args.append(cur.strip())
	return args


def summary(trace):
	calls = collections.OrderedDict()
	sigsys = []
	lines = open(trace, errors="replace").read().splitlines()
	# attached before the filter: only what follows its loading counts
	start = 0
	for i, l in enumerate(lines):
		if "SECCOMP_SET_MODE_FILTER" in l or "PR_SET_SECCOMP" in l:
			start = i + 1
	for l in lines[start:]:
		if "SIGSYS" in l:
			sigsys.append(l)
		m = re.match(r"(\w+)\((.*)", l.strip())
		if m is None:
			continue
		name, args = m.group(1), split_args(m.group(2))
		if name in KEEP:
			shape = ", ".join(args[i] for i in KEEP[name]
			    if i < len(args))
		elif name in BY_FD:
			shape = "fd " + args[0]
		else:
			shape = ""
		calls.setdefault(name, collections.Counter())[shape] += 1
	return calls, sigsys


def main(cmd):
	if os.geteuid() != 0:
		sys.exit("trace-children: run as root")
	os.makedirs(OUT, exist_ok=True)
	for f in os.listdir(OUT):
		os.unlink(os.path.join(OUT, f))
	env = dict(os.environ, SWS_TOP=TOP)
	test = subprocess.Popen(cmd or ["sh", "regress/run", "relayd/"],
	    cwd=TOP, env=env)
	seen, tracers = set(), []
	while test.poll() is None:
		for d in os.listdir("/proc"):
			if not d.isdigit() or int(d) in seen:
				continue
			pid = int(d)
			w = which(pid)
			if w is None:
				continue
			seen.add(pid)
			tracers.append((w, pid, subprocess.Popen(["strace",
			    "-qq", "-s", "0", "-o", os.path.join(OUT,
			    "%s.%d.trace" % (w, pid)), "-p", str(pid)],
			    stderr=subprocess.DEVNULL)))
		time.sleep(0.01)
	for w, pid, p in tracers:
		try:
			p.wait(10)
		except subprocess.TimeoutExpired:
			p.terminate()
			p.wait()
	for w in ("relay", "cryptod"):
		total = collections.OrderedDict()
		n = 0
		for f in sorted(os.listdir(OUT)):
			if not f.startswith(w + "."):
				continue
			n += 1
			calls, sigsys = summary(os.path.join(OUT, f))
			for s in sigsys:
				print("%s: SIGSYS: %s" % (f, s))
			for c, shapes in calls.items():
				total.setdefault(c, collections.Counter()).update(
				    shapes)
		print("\n%s (%d processes), after the filter:" % (w, n))
		for c, shapes in sorted(total.items()):
			print(c)
			for a, k in shapes.most_common(12):
				print("    %7d  %s" % (k, a[:100]))
	return test.returncode


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))

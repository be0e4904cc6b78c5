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

"""
swsseccomp: look at the seccomp filters of a running process from outside
(as root), for the integration tests of the sandbox.

    progs = filters(pid)              # the loaded BPF programs
    verdict(progs, "execve")          # -> ("kill_process", 0)
    verdict(progs, "socket", AF_INET, SOCK_DGRAM)
    inject_syscall(pid, "fork")       # make the process call it (x86_64)

filters() stops the process for an instant with PTRACE_SEIZE and
PTRACE_INTERRUPT and reads its programs with PTRACE_SECCOMP_GET_FILTER.
verdict() runs them in a small classic-BPF interpreter over a seccomp_data
built from the call's number (libseccomp resolves names for this machine)
and arguments, and combines them as the kernel does (the most restrictive
action wins).  inject_syscall() rewinds a process stopped in a system call
onto that syscall instruction with another call number and arguments:
whatever its filter says then happens for real.
"""

import ctypes
import ctypes.util
import errno
import os
import platform
import struct

PTRACE_DETACH = 17
PTRACE_GETREGS = 12
PTRACE_SETREGS = 13
PTRACE_SEIZE = 0x4206
PTRACE_INTERRUPT = 0x4207
PTRACE_SECCOMP_GET_FILTER = 0x420c
WALL = 0x40000000

ACTIONS = {
	0x80000000: "kill_process",
	0x00000000: "kill_thread",
	0x00030000: "trap",
	0x00050000: "errno",
	0x7fc00000: "user_notif",
	0x7ff00000: "trace",
	0x7ffc0000: "log",
	0x7fff0000: "allow",
}

_libc = ctypes.CDLL(None, use_errno=True)
_libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p,
    ctypes.c_void_p]
_libc.ptrace.restype = ctypes.c_long
_scmp = ctypes.CDLL(ctypes.util.find_library("seccomp") or
    "libseccomp.so.2")
_scmp.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
_scmp.seccomp_syscall_resolve_name.restype = ctypes.c_int
_scmp.seccomp_arch_native.restype = ctypes.c_uint32


class SeccompError(Exception):
	pass


def nr(name):
	"""The system call number of name on this machine."""
	n = _scmp.seccomp_syscall_resolve_name(name.encode())
	if n < 0:
		raise SeccompError("no system call %s here" % name)
	return n


def _ptrace(req, pid, addr=None, data=None):
	r = _libc.ptrace(req, pid, addr, data)
	if r == -1:
		e = ctypes.get_errno()
		raise OSError(e, "ptrace %#x: %s" % (req, os.strerror(e)))
	return r


class _Stopped:
	"""PTRACE_SEIZE + PTRACE_INTERRUPT: the process stays stopped inside
	the with block and runs on after it."""

	def __init__(self, pid):
		self.pid = pid

	def __enter__(self):
		_ptrace(PTRACE_SEIZE, self.pid)
		try:
			_ptrace(PTRACE_INTERRUPT, self.pid)
			os.waitpid(self.pid, WALL)
		except BaseException:
			_ptrace(PTRACE_DETACH, self.pid)
			raise
		return self

	def __exit__(self, *a):
		try:
			_ptrace(PTRACE_DETACH, self.pid)
		except OSError:
			pass


def filters(pid):
	"""The seccomp programs of pid, newest first: lists of (code, jt, jf,
	k) instructions."""
	progs = []
	with _Stopped(pid):
		for i in range(64):
			try:
				n = _ptrace(PTRACE_SECCOMP_GET_FILTER, pid, i)
			except OSError as e:
				# ENOENT: no more; EINVAL: not in filter mode
				if e.errno == errno.ENOENT or (i == 0 and
				    e.errno == errno.EINVAL):
					break
				raise
			buf = ctypes.create_string_buffer(8 * n)
			_ptrace(PTRACE_SECCOMP_GET_FILTER, pid, i, buf)
			progs.append([struct.unpack_from("<HBBI", buf.raw, 8 * j)
			    for j in range(n)])
	return progs


def _run(prog, data):
	"""Classic BPF as seccomp allows it; returns the 32-bit verdict."""
	A = X = 0
	mem = [0] * 16
	pc = 0
	M = 0xffffffff
	while True:
		if pc >= len(prog):
			raise SeccompError("program runs off its end")
		code, jt, jf, k = prog[pc]
		pc += 1
		cls = code & 0x07
		if cls in (0x00, 0x01):			# LD, LDX
			mode = code & 0xe0
			if mode == 0x00:
				v = k
			elif mode == 0x20 and cls == 0:
				if k % 4 or k + 4 > len(data):
					raise SeccompError("bad load offset %d" % k)
				v = struct.unpack_from("<I", data, k)[0]
			elif mode == 0x60:
				v = mem[k]
			elif mode == 0x80:
				v = len(data)
			else:
				raise SeccompError("load mode %#x" % code)
			if cls == 0:
				A = v
			else:
				X = v
		elif cls == 0x02:
			mem[k] = A
		elif cls == 0x03:
			mem[k] = X
		elif cls == 0x04:			# ALU
			op = code & 0xf0
			s = X if code & 0x08 else k
			if op == 0x00:
				A = (A + s) & M
			elif op == 0x10:
				A = (A - s) & M
			elif op == 0x20:
				A = (A * s) & M
			elif op == 0x30:
				A = A // s if s else 0
			elif op == 0x40:
				A |= s
			elif op == 0x50:
				A &= s
			elif op == 0x60:
				A = (A << s) & M if s < 32 else 0
			elif op == 0x70:
				A = A >> s if s < 32 else 0
			elif op == 0x80:
				A = (-A) & M
			elif op == 0x90:
				A = A % s if s else 0
			elif op == 0xa0:
				A ^= s
			else:
				raise SeccompError("alu op %#x" % code)
		elif cls == 0x05:			# JMP
			op = code & 0xf0
			s = X if code & 0x08 else k
			if op == 0x00:
				pc += k
				continue
			if op == 0x10:
				c = A == s
			elif op == 0x20:
				c = A > s
			elif op == 0x30:
				c = A >= s
			elif op == 0x40:
				c = (A & s) != 0
			else:
				raise SeccompError("jump op %#x" % code)
			pc += jt if c else jf
		elif cls == 0x06:			# RET
			rv = code & 0x18
			return k if rv == 0 else (A if rv == 0x10 else X)
		elif cls == 0x07:			# MISC
			if code & 0xf8 == 0x80:
				A = X
			else:
				X = A
		else:
			raise SeccompError("class %#x" % code)


def _signed(v):
	return v - (1 << 32) if v & 0x80000000 else v


def verdict(progs, name, *args, arch=None):
	"""(action name, data) of the programs for a call with these
	arguments (integers; pointers are just numbers to seccomp)."""
	if not progs:
		return "allow", 0
	a = [int(x) & 0xffffffffffffffff for x in args] + [0] * (6 - len(args))
	data = struct.pack("<iIQ6Q", nr(name), arch if arch is not None else
	    _scmp.seccomp_arch_native(), 0, *a)
	best = None
	for p in progs:
		r = _run(p, data)
		if best is None or _signed(r & 0xffff0000) < _signed(best &
		    0xffff0000):
			best = r
	return ACTIONS.get(best & 0xffff0000, hex(best)), best & 0xffff


def inject_syscall(pid, name, *args):
	"""Make pid, stopped in a system call (as an idle daemon is, in
	epoll_wait or poll), execute name(args) instead.  x86_64 only."""
	if platform.machine() != "x86_64":
		raise SeccompError("inject_syscall: x86_64 only")
	regs = (ctypes.c_ulonglong * 27)()
	with _Stopped(pid):
		_ptrace(PTRACE_GETREGS, pid, None, ctypes.byref(regs))
		rip = regs[16]
		with open("/proc/%d/mem" % pid, "rb") as f:
			f.seek(rip - 2)
			insn = f.read(2)
		if insn != b"\x0f\x05":
			raise SeccompError("pid %d not stopped after a syscall "
			    "instruction (%r)" % (pid, insn))
		# rdi, rsi, rdx, r10, r8, r9
		for i, v in zip((14, 13, 12, 7, 9, 8), args):
			regs[i] = int(v) & 0xffffffffffffffff
		regs[10] = nr(name)		# rax
		regs[15] = 0xffffffffffffffff	# orig_rax: no restart of the old call
		regs[16] = rip - 2
		_ptrace(PTRACE_SETREGS, pid, None, ctypes.byref(regs))

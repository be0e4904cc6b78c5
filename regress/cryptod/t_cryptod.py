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

# cryptod on its own, driven over its two socketpairs the way a relay
# (honest or compromised) would: the requests of cryptod(8) answered as
# documented, and every request that breaks the rules - a wrong size, a
# session it never issued, a replayed id, a second verify, a descriptor,
# too many challenges, a bad header - ends cryptod with status 1 instead
# of being ignored.

import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

import swstest as T
from nacl.bindings import crypto_box, crypto_box_open

# common/proto.h
CRYPTOD_CONF, CRYPTOD_NAME, CRYPTOD_CONF_END = 7, 8, 9
CHALLENGE_REQ, VERIFY, FORGET = 10, 11, 12
CHALLENGE, VERIFIED, REJECTED = 13, 14, 15
VERIFY_SIZE = 376		# sizeof(struct imsg_verify)
HDR = struct.Struct("=IHHII")	# type, len, flags, peerid, pid

t = T.Tap(limit=120)
if os.geteuid() != 0:
	sys.exit(77)
tmp = tempfile.mkdtemp(prefix="sws-cryptod.")
keyfile = os.path.join(tmp, "server.key")
r = subprocess.run([T.CRYPTOD, "-g", keyfile], stdout=subprocess.PIPE,
    check=True)
server_pk = T.b64d(r.stdout.decode().strip())


def move_fds(a, b):
	"""In the child: a on descriptor 3, b on 4, whatever they were
	(by way of 20 and 21, so neither is clobbered and both are
	inheritable)."""
	os.dup2(a, 20)
	os.dup2(b, 21)
	os.dup2(20, 3)
	os.dup2(21, 4)
	os.close(20)
	os.close(21)


def imsg(mtype, payload=b"", flags=0):
	return HDR.pack(mtype, HDR.size + len(payload), flags, 0, 0) + payload


class Cryptod:
	def __init__(self, names=(), timeout=10, max_pending=8):
		self.parent, p_child = socket.socketpair()
		self.relay, r_child = socket.socketpair()

		def fds():
			move_fds(p_child.fileno(), r_child.fileno())
		# close_fds would run after preexec_fn and close 3 and 4
		self.proc = subprocess.Popen([T.CRYPTOD, "-d", keyfile],
		    close_fds=False, preexec_fn=fds, stderr=subprocess.PIPE)
		p_child.close()
		r_child.close()
		self.buf = b""
		conf = imsg(CRYPTOD_CONF, struct.pack("=II", timeout,
		    max_pending))
		for n in names:
			conf += imsg(CRYPTOD_NAME, n.encode() + b"\0")
		try:
			self.parent.sendall(conf + imsg(CRYPTOD_CONF_END))
		except (BrokenPipeError, ConnectionResetError):
			pass		# it refused to start: exit_status() tells

	def send(self, data):
		self.relay.sendall(data)

	def recv(self, timeout=3):
		self.relay.settimeout(timeout)
		while len(self.buf) < HDR.size or len(self.buf) < \
		    HDR.unpack_from(self.buf)[1]:
			d = self.relay.recv(65536)
			if not d:
				raise EOFError("cryptod closed")
			self.buf += d
		mtype, mlen = HDR.unpack_from(self.buf)[:2]
		payload = self.buf[HDR.size:mlen]
		self.buf = self.buf[mlen:]
		return mtype, payload

	def challenge(self, sid):
		self.send(imsg(CHALLENGE_REQ, struct.pack("=Q", sid)))
		mtype, p = self.recv()
		if mtype != CHALLENGE or len(p) != 72:
			raise RuntimeError("no CHALLENGE: %r" % ((mtype, p),))
		rsid, chal, spk = struct.unpack("=Q32s32s", p)
		return rsid, chal, spk

	def exit_status(self, timeout=3):
		try:
			rc = self.proc.wait(timeout)
		except subprocess.TimeoutExpired:
			self.proc.kill()
			self.proc.wait()
			return None
		return rc

	def close(self):
		self.parent.close()
		self.relay.close()
		rc = self.exit_status()
		self.err = self.proc.stderr.read().decode(errors="replace")
		return rc


def verify_payload(sid, client_pk, nonce, box, box_len=None):
	if box_len is None:
		box_len = len(box)
	return struct.pack("=Q32s24sH303s", sid, client_pk, nonce, box_len,
	    box.ljust(303, b"\0")).ljust(VERIFY_SIZE, b"\0")


def good_verify(c, sid, chal, binding=b"127.0.0.1:8080", sk=None, pk=None):
	if sk is None:
		sk, pk = T.keypair()
	nonce = os.urandom(24)
	box = crypto_box(chal + binding, nonce, server_pk, sk)
	c.send(imsg(VERIFY, verify_payload(sid, pk, nonce, box)))
	return sk, pk


# --- the documented answers ---
c = Cryptod()
sid, chal, spk = c.challenge(1)
t.ok(sid == 1 and spk == server_pk and len(chal) == 32,
    "CHALLENGE_REQ -> CHALLENGE with the session id and the server key")
sk, pk = good_verify(c, 1, chal)
mtype, p = c.recv()
ok = mtype == VERIFIED and len(p) == 112
if ok:
	proof = p[8:]
	plain = crypto_box_open(proof[24:], proof[:24], server_pk, sk)
	ok = plain == chal + pk
t.ok(ok, "VERIFY of a good response -> VERIFIED with a proof that opens "
    "to challenge || client key")
sid2, chal2, _ = c.challenge(2)
t.ok(chal2 != chal, "a fresh challenge per session")
good_verify(c, 2, b"\0" * 32)
mtype, p = c.recv()
t.ok(mtype == REJECTED and struct.unpack("=QI", p[:12]) == (2, 1),
    "a box over the wrong challenge -> REJECTED bad-proof")
c.challenge(3)
c.send(imsg(FORGET, struct.pack("=Q", 3)))
c.challenge(4)
lo = T.b64d(T.load_vectors()["low_order_public_keys"][0])
c.send(imsg(VERIFY, verify_payload(4, lo, b"\1" * 24, b"\2" * 64)))
mtype, p = c.recv()
t.ok(mtype == REJECTED and struct.unpack("=QI", p[:12]) == (4, 1),
    "a low-order client key -> REJECTED bad-proof")
t.eq(c.close(), 0, "cryptod exits 0 when its channels close")

# Challenges and proof nonces come from a pool refilled 4 KiB at a time:
# across several refills every one must still be new.
c = Cryptod()
chals, nonces, good = set(), set(), 0
for sid in range(10, 310):
	_, ch, _ = c.challenge(sid)
	chals.add(ch)
	if sid % 2 == 0:
		c.send(imsg(FORGET, struct.pack("=Q", sid)))
		continue
	sk, pk = good_verify(c, sid, ch)
	mtype, p = c.recv()
	if mtype == VERIFIED and len(p) == 112:
		good += 1
		nonces.add(p[8:32])
t.ok(len(chals) == 300 and len(nonces) == 150 and good == 150,
    "300 challenges and 150 proof nonces over several refills of the "
    "random pool are all different (%d, %d, %d verified)" % (len(chals),
    len(nonces), good))
t.eq(c.close(), 0, "exit 0")

c = Cryptod(names=("relay.example.org",))
_, chal, _ = c.challenge(1)
good_verify(c, 1, chal, b"evil.example.org:8080")
mtype, p = c.recv()
t.ok(mtype == REJECTED and struct.unpack("=QI", p[:12]) == (1, 2),
    "binding of another host -> REJECTED bad-binding")
_, chal, _ = c.challenge(2)
good_verify(c, 2, chal, b"RELAY.example.org:443")
mtype, p = c.recv()
t.eq(mtype, VERIFIED, "binding of the server name, case and port aside "
    "-> VERIFIED")
t.eq(c.close(), 0, "exit 0")

c = Cryptod(timeout=1)
_, chal, _ = c.challenge(1)
time.sleep(1.3)
good_verify(c, 1, chal)
mtype, p = c.recv()
t.ok(mtype == REJECTED and struct.unpack("=QI", p[:12]) == (1, 3),
    "a response after the registration timeout -> REJECTED timeout")
t.eq(c.close(), 0, "exit 0")


# --- what ends cryptod ---
def fatal(desc, steps):
	c = Cryptod(max_pending=4)
	try:
		steps(c)
		rc = c.exit_status(3)
	except (EOFError, BrokenPipeError, ConnectionResetError):
		rc = c.exit_status(3)
	c.parent.close()
	c.relay.close()
	err = c.proc.stderr.read().decode(errors="replace")
	t.ok(rc == 1 and "cryptod:" in err, "%s: cryptod exits 1 (%r)" %
	    (desc, rc), err[-500:])


def wrong_size(c):
	_, chal, _ = c.challenge(1)
	c.send(imsg(VERIFY, verify_payload(1, b"\0" * 32, b"\0" * 24,
	    b"\0" * 48)[:-1]))
	c.recv()


def never_issued(c):
	c.challenge(1)
	good_verify(c, 7, b"\0" * 32)
	c.recv()


def replayed_id(c):
	c.challenge(5)
	c.challenge(5)


def older_id(c):
	c.challenge(5)
	c.challenge(4)


def second_verify(c):
	_, chal, _ = c.challenge(1)
	good_verify(c, 1, chal)
	c.recv()
	good_verify(c, 1, chal)
	c.recv()


def forget_unknown(c):
	c.challenge(1)
	c.send(imsg(FORGET, struct.pack("=Q", 2)))
	c.recv()


def too_many(c):
	for i in range(1, 10):
		c.challenge(i)


def unknown_type(c):
	c.send(imsg(99, b"x"))
	c.recv()


def bad_header(c):
	c.send(HDR.pack(CHALLENGE_REQ, 3, 0, 0, 0))
	c.recv()


def box_len_range(c):
	c.challenge(1)
	c.send(imsg(VERIFY, verify_payload(1, b"\0" * 32, b"\0" * 24,
	    b"\0" * 48, box_len=400)))
	c.recv()


def with_descriptor(c):
	r, w = os.pipe()
	socket.send_fds(c.relay, [imsg(CHALLENGE_REQ, struct.pack("=Q", 1),
	    flags=1)], [r])
	os.close(r)
	os.close(w)
	c.recv()


def unflagged_descriptor(c):
	# a header that does not say so: the descriptor is not held for it
	r, w = os.pipe()
	socket.send_fds(c.relay, [imsg(CHALLENGE_REQ, struct.pack("=Q", 1))],
	    [r])
	os.close(r)
	os.close(w)
	c.recv()


fatal("VERIFY one byte short", wrong_size)
fatal("VERIFY for a session never issued", never_issued)
fatal("a repeated session id", replayed_id)
fatal("a smaller session id", older_id)
fatal("a second VERIFY for one challenge", second_verify)
fatal("FORGET of an unknown session", forget_unknown)
fatal("more challenges than the bound", too_many)
fatal("an unknown message type", unknown_type)
fatal("a header shorter than itself", bad_header)
fatal("box length out of range", box_len_range)
fatal("a descriptor from the relay", with_descriptor)
fatal("a descriptor on a message not flagged for one", unflagged_descriptor)

# a request before the parent's configuration
parent, p_child = socket.socketpair()
relay, r_child = socket.socketpair()


def fds():
	move_fds(p_child.fileno(), r_child.fileno())


proc = subprocess.Popen([T.CRYPTOD, "-d", keyfile], close_fds=False,
    preexec_fn=fds, stderr=subprocess.DEVNULL)
p_child.close()
r_child.close()
relay.sendall(imsg(CHALLENGE_REQ, struct.pack("=Q", 1)))
try:
	rc = proc.wait(3)
except subprocess.TimeoutExpired:
	proc.kill()
	rc = None
t.eq(rc, 1, "a request before the configuration: cryptod exits 1")
parent.close()
relay.close()

# started by hand, without its socketpairs
r = subprocess.run([T.CRYPTOD, keyfile], stderr=subprocess.PIPE,
    stdin=subprocess.DEVNULL, timeout=5)
t.ok(r.returncode == 1 and b"started by relayd" in r.stderr,
    "without its socketpairs cryptod refuses to run")
os.chmod(keyfile, 0o644)
c = Cryptod()
rc = c.exit_status(3)
t.eq(rc, 1, "a key file readable by others: cryptod exits 1")
c.parent.close()
c.relay.close()
os.unlink(keyfile)
os.rmdir(tmp)
t.done()

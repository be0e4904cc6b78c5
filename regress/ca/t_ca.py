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

# relayd: ca on its own, driven over its two socketpairs the way the
# parent and a relay (honest or compromised) would: key sets installed and
# answered with CA_READY, signatures that verify under the public keys
# (an EMSA-PSS block made here, a PKCS#1 DigestInfo, ECDSA digests on
# P-256 and P-384), every request of the wrong shape refused with ok 0
# while ca serves on, a reload that keeps the set before it and drops the
# one before that, and every message that breaks the rules - a wrong
# size, an unknown type, a key ca does not serve, a set out of order -
# ending ca with status 1.  Then ca under its user, chroot and filter.

import hashlib
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

import swsseccomp as S
import swstest as T

try:
	from cryptography.hazmat.primitives import hashes, serialization
	from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
	from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
except ImportError:
	print("# python3-cryptography is missing")
	sys.exit(77)

# common/proto.h
CA_KEYS, CA_KEY_DATA, CA_KEY_END, CA_KEYS_END = 21, 22, 23, 24
CA_SIGN, CA_SIGNATURE, CA_READY = 25, 26, 27
OP_RSA, OP_ECDSA = 1, 2
PKCS1, NOPAD, PSSPAD = 1, 3, 6			# RSA_*_PADDING
CA_IO_MAX = 1024
REQ = struct.Struct("=32sIII%ds" % CA_IO_MAX)	# struct imsg_ca_req
RES = struct.Struct("=II%ds" % CA_IO_MAX)	# struct imsg_ca_res
HDR = struct.Struct("=IHHII")	# type, len, flags, peerid, pid
CHUNK = 16384
PEM_MAX = 64 * 1024

t = T.Tap(limit=240)
if os.geteuid() != 0:
	sys.exit(77)
T.ensure_user()
tmp = tempfile.mkdtemp(prefix="sws-ca.")


def genkey(name, *args):
	path = os.path.join(tmp, name + ".pem")
	subprocess.run(["openssl", "genpkey", "-out", path] + list(args),
	    check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
	with open(path, "rb") as f:
		pem = f.read()
	return path, pem


class Key:
	def __init__(self, name, *args):
		self.path, self.pem = genkey(name, *args)
		try:
			self.key = serialization.load_pem_private_key(self.pem,
			    None)
		except (ValueError, TypeError):
			self.key = None
		if self.key is not None:
			der = self.key.public_key().public_bytes(
			    serialization.Encoding.DER,
			    serialization.PublicFormat.SubjectPublicKeyInfo)
			self.keyid = hashlib.sha256(der).digest()
			self.pub = os.path.join(tmp, name + ".pub")
			with open(self.pub, "wb") as f:
				f.write(self.key.public_key().public_bytes(
				    serialization.Encoding.PEM,
				    serialization.PublicFormat.
				    SubjectPublicKeyInfo))


def rsa_bits(b):
	return ("-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:%d" % b)


def ec_curve(c):
	return ("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + c)


rsa2048 = Key("rsa2048", *rsa_bits(2048))
rsa3072 = Key("rsa3072", *rsa_bits(3072))


def rsa_2049():
	"""A 2049-bit modulus (emBits % 8 == 0), which genpkey rounds
	down: made here of primes from openssl prime."""
	def prime(bits):
		return int(subprocess.run(["openssl", "prime", "-generate",
		    "-bits", str(bits)], stdout=subprocess.PIPE,
		    check=True).stdout)
	e = 65537
	while True:
		p, q = prime(1025), prime(1024)
		n = p * q
		if n.bit_length() == 2049 and (p - 1) % e and (q - 1) % e:
			break
	d = pow(e, -1, (p - 1) * (q - 1))
	key = rsa.RSAPrivateNumbers(p, q, d, rsa.rsa_crt_dmp1(d, p),
	    rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q),
	    rsa.RSAPublicNumbers(e, n)).private_key()
	k = Key.__new__(Key)
	k.pem = key.private_bytes(serialization.Encoding.PEM,
	    serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
	k.key = key
	k.keyid = hashlib.sha256(key.public_key().public_bytes(
	    serialization.Encoding.DER,
	    serialization.PublicFormat.SubjectPublicKeyInfo)).digest()
	return k


rsa2049 = rsa_2049()
p256 = Key("p256", *ec_curve("P-256"))
p384 = Key("p384", *ec_curve("P-384"))
p521 = Key("p521", *ec_curve("P-521"))
rsa1024 = Key("rsa1024", *rsa_bits(1024))
ed25519 = Key("ed25519", "-algorithm", "ed25519")
enc = Key("enc", *(rsa_bits(2048) + ("-aes256", "-pass", "pass:secret")))


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


def key_msgs(pem, chunk=CHUNK):
	out = b""
	for i in range(0, len(pem), chunk):
		out += imsg(CA_KEY_DATA, pem[i:i + chunk])
	return out + imsg(CA_KEY_END)


def keyset(keys, chunk=CHUNK):
	out = imsg(CA_KEYS)
	for k in keys:
		out += key_msgs(k.pem, chunk)
	return out + imsg(CA_KEYS_END)


def req(keyid, op, pad, data, length=None):
	if length is None:
		length = len(data)
	return imsg(CA_SIGN, REQ.pack(keyid, op, pad, length, data))


class CA:
	def __init__(self, keys=None, args=("-d",)):
		self.parent, p_child = socket.socketpair()
		self.relay, r_child = socket.socketpair()

		def fds():
			move_fds(p_child.fileno(), r_child.fileno())
		# close_fds would run after preexec_fn and close 3 and 4
		self.proc = subprocess.Popen([T.CA] + list(args),
		    close_fds=False, preexec_fn=fds, stderr=subprocess.PIPE)
		p_child.close()
		r_child.close()
		self.buf = {self.parent: b"", self.relay: b""}
		if keys is not None:
			self.load(keys)

	def load(self, keys, chunk=CHUNK):
		try:
			self.parent.sendall(keyset(keys, chunk))
		except (BrokenPipeError, ConnectionResetError):
			pass		# it refused: exit_status() tells

	def send(self, data):
		self.relay.sendall(data)

	def recv(self, s=None, timeout=5):
		s = s or self.relay
		s.settimeout(timeout)
		while len(self.buf[s]) < HDR.size or len(self.buf[s]) < \
		    HDR.unpack_from(self.buf[s])[1]:
			d = s.recv(65536)
			if not d:
				raise EOFError("ca closed")
			self.buf[s] += d
		mtype, mlen = HDR.unpack_from(self.buf[s])[:2]
		payload = self.buf[s][HDR.size:mlen]
		self.buf[s] = self.buf[s][mlen:]
		return mtype, payload

	def ready(self):
		try:
			return self.recv(self.parent) == (CA_READY, b"")
		except (EOFError, OSError):
			return False

	def sign(self, keyid, op, pad, data, length=None):
		"""(ok, signature), or None for no CA_SIGNATURE."""
		self.send(req(keyid, op, pad, data, length))
		mtype, p = self.recv()
		if mtype != CA_SIGNATURE or len(p) != RES.size:
			return None
		ok, n, sig = RES.unpack(p)
		if not ok and (n != 0 or sig != b"\0" * CA_IO_MAX):
			return None
		return ok, sig[:n]

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


# --- what the relay's signatures are made of ---
def mgf1(seed, n, h):
	out, c = b"", 0
	while len(out) < n:
		out += hashlib.new(h, seed + struct.pack(">I", c)).digest()
		c += 1
	return out[:n]


def pss_encode(mhash, modbits, h="sha256", slen=None, salt=None):
	"""EMSA-PSS-ENCODE (RFC 8017 9.1.1), padded with a zero byte to the
	modulus' length when emBits is a multiple of 8."""
	hlen = hashlib.new(h).digest_size
	if slen is None:
		slen = hlen
	embits = modbits - 1
	emlen = (embits + 7) // 8
	if salt is None:
		salt = os.urandom(slen)
	hh = hashlib.new(h, b"\0" * 8 + mhash + salt).digest()
	db = b"\0" * (emlen - slen - hlen - 2) + b"\1" + salt
	masked = bytes(a ^ b for a, b in zip(db, mgf1(hh, len(db), h)))
	masked = bytes([masked[0] & (0xff >> (8 * emlen - embits))]) + \
	    masked[1:]
	em = masked + hh + b"\xbc"
	k = (modbits + 7) // 8
	return b"\0" * (k - emlen) + em


DIGESTINFO = {
	"sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
	"sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
	"sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}


def rsa_raw_ok(key, sig, block):
	n = key.key.public_key().public_numbers()
	return pow(int.from_bytes(sig, "big"), n.e, n.n) == \
	    int.from_bytes(block, "big")


def pkeyutl_verify(key, digest, sig):
	"""openssl pkeyutl -verify -pubin of sig over the digest."""
	dp = os.path.join(tmp, "digest")
	sp = os.path.join(tmp, "sig")
	with open(dp, "wb") as f:
		f.write(digest)
	with open(sp, "wb") as f:
		f.write(sig)
	r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin",
	    "-inkey", key.pub, "-in", dp, "-sigfile", sp],
	    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
	return r.returncode == 0 and b"Verified Successfully" in r.stdout


def ecdsa_ok(key, digest, h, sig):
	try:
		key.key.public_key().verify(sig, digest,
		    ec.ECDSA(Prehashed(h)))
		return True
	except Exception:
		return False


def pkcs1_ok(key, msg, h, sig):
	try:
		key.key.public_key().verify(sig, msg, padding.PKCS1v15(), h)
		return True
	except Exception:
		return False


# --- the documented answers ---
c = CA([rsa2048, p256, rsa2049])
t.ok(c.ready(), "a key set of RSA 2048, P-256 and RSA 2049 -> CA_READY "
    "to the parent")

mhash = hashlib.sha256(b"TLS 1.3, server CertificateVerify").digest()
block = pss_encode(mhash, 2048)
r = c.sign(rsa2048.keyid, OP_RSA, NOPAD, block)
t.ok(r is not None and r[0] == 1 and len(r[1]) == 256 and
    rsa_raw_ok(rsa2048, r[1], block), "an EMSA-PSS block (SHA-256, salt "
    "32) with no padding -> a signature whose public operation is the "
    "block")
ok = False
if r is not None and r[0] == 1:
	try:
		rsa2048.key.public_key().verify(r[1], b"TLS 1.3, server "
		    b"CertificateVerify", padding.PSS(padding.MGF1(
		    hashes.SHA256()), 32), hashes.SHA256())
		ok = True
	except Exception:
		pass
t.ok(ok, "... and an RSASSA-PSS signature of the message")

block = pss_encode(hashlib.sha256(b"2049").digest(), 2049)
r = c.sign(rsa2049.keyid, OP_RSA, NOPAD, block)
t.ok(r is not None and r[0] == 1 and rsa_raw_ok(rsa2049, r[1], block),
    "EMSA-PSS for a 2049-bit modulus (a zero byte, then emLen = k - 1)")

msg = b"TLS 1.2, ServerKeyExchange"
di = DIGESTINFO["sha256"] + hashlib.sha256(msg).digest()
r = c.sign(rsa2048.keyid, OP_RSA, PKCS1, di)
t.ok(r is not None and r[0] == 1 and pkcs1_ok(rsa2048, msg,
    hashes.SHA256(), r[1]), "a DigestInfo of SHA-256 with PKCS#1 padding "
    "-> an RSASSA-PKCS1-v1_5 signature that verifies")

digest = hashlib.sha256(b"P-256").digest()
r = c.sign(p256.keyid, OP_ECDSA, 0, digest)
t.ok(r is not None and r[0] == 1 and r[1][0] == 0x30 and
    ecdsa_ok(p256, digest, hashes.SHA256(), r[1]), "ECDSA on P-256 of a "
    "SHA-256 digest -> a DER ECDSA-Sig-Value that verifies")
t.ok(r is not None and r[0] == 1 and pkeyutl_verify(p256, digest, r[1]),
    "... and openssl pkeyutl -verify -pubin agrees")
r2 = c.sign(p256.keyid, OP_ECDSA, 0, digest)
t.ok(r2 is not None and r is not None and r2[0] == 1 and r2[1] != r[1] and
    ecdsa_ok(p256, digest, hashes.SHA256(), r2[1]), "a second signature "
    "of it differs (fresh nonces from the seeded generator)")

d512 = hashlib.sha512(b"P-256").digest()
r = c.sign(p256.keyid, OP_ECDSA, 0, d512)
t.ok(r is not None and r[0] == 1 and ecdsa_ok(p256, d512, hashes.SHA512(),
    r[1]), "ECDSA on P-256 of a SHA-512 digest (64 bytes) verifies")

# --- refusals: answered ok 0, and ca serves on ---
refusals = [
	("an unknown key", (b"\x55" * 32, OP_ECDSA, 0, digest)),
	("an RSA operation on an EC key", (p256.keyid, OP_RSA, PKCS1, di)),
	("an ECDSA operation on an RSA key", (rsa2048.keyid, OP_ECDSA, 0,
	    digest)),
	("ECDSA of 20 bytes (not a SHA-2 digest)", (p256.keyid, OP_ECDSA, 0,
	    digest[:20])),
	("ECDSA with a padding", (p256.keyid, OP_ECDSA, PKCS1, digest)),
	("a length of 0", (p256.keyid, OP_ECDSA, 0, digest, 0)),
	("a length over the data", (p256.keyid, OP_ECDSA, 0, digest, 1025)),
	("an unknown operation", (p256.keyid, 7, 0, digest)),
	("a random block with no padding", (rsa2048.keyid, OP_RSA, NOPAD,
	    b"\x12" + os.urandom(254) + b"\xbc")),
	("a PSS block one byte short", (rsa2048.keyid, OP_RSA, NOPAD,
	    pss_encode(mhash, 2048)[1:])),
	("a PSS block of another modulus size", (rsa2048.keyid, OP_RSA,
	    NOPAD, pss_encode(mhash, 3072))),
	("a PSS block with salt length 0", (rsa2048.keyid, OP_RSA, NOPAD,
	    pss_encode(mhash, 2048, slen=0))),
	("a PSS block over SHA-1", (rsa2048.keyid, OP_RSA, NOPAD,
	    pss_encode(hashlib.sha1(b"x").digest(), 2048, h="sha1"))),
	("a PSS block with its trailer changed", (rsa2048.keyid, OP_RSA,
	    NOPAD, pss_encode(mhash, 2048)[:-1] + b"\xbd")),
	("MD5 and SHA-1, 36 bytes (TLS 1.0 and 1.1)", (rsa2048.keyid, OP_RSA,
	    PKCS1, hashlib.md5(msg).digest() + hashlib.sha1(msg).digest())),
	("PKCS#1 of 51 bytes that are no DigestInfo", (rsa2048.keyid, OP_RSA,
	    PKCS1, b"\x30" + os.urandom(50))),
	("PKCS#1 of a bare SHA-256 digest", (rsa2048.keyid, OP_RSA, PKCS1,
	    hashlib.sha256(msg).digest())),
	("PKCS#1 of a SHA-256 DigestInfo one byte long",
	    (rsa2048.keyid, OP_RSA, PKCS1, di + b"\0")),
	("RSA padding 6 (PSS: the relay pads)", (rsa2048.keyid, OP_RSA,
	    PSSPAD, block)),
	("RSA padding 4 (OAEP)", (rsa2048.keyid, OP_RSA, 4, di)),
]
for desc, a in refusals:
	r = c.sign(*a)
	t.ok(r == (0, b""), "%s -> CA_SIGNATURE ok 0" % desc)
r = c.sign(p256.keyid, OP_ECDSA, 0, digest)
t.ok(r is not None and r[0] == 1, "after %d refusals ca still signs" %
    len(refusals))
t.eq(c.close(), 0, "ca exits 0 when both channels close")
t.ok("unknown key" in c.err and "MD5 and SHA-1" in c.err and
    "EMSA-PSS" in c.err, "the refusals are logged", c.err[-1500:])

# --- the other key types and sizes ---
c = CA()
c.load([rsa3072, p384], chunk=100)
t.ok(c.ready(), "RSA 3072 and P-384, each sent in 100-byte chunks -> "
    "CA_READY")
block = pss_encode(hashlib.sha384(b"x").digest(), 3072, h="sha384")
r = c.sign(rsa3072.keyid, OP_RSA, NOPAD, block)
t.ok(r is not None and r[0] == 1 and len(r[1]) == 384 and
    rsa_raw_ok(rsa3072, r[1], block), "RSA 3072: EMSA-PSS over SHA-384, "
    "salt 48")
block = pss_encode(hashlib.sha512(b"x").digest(), 3072, h="sha512")
r = c.sign(rsa3072.keyid, OP_RSA, NOPAD, block)
t.ok(r is not None and r[0] == 1 and rsa_raw_ok(rsa3072, r[1], block),
    "RSA 3072: EMSA-PSS over SHA-512, salt 64")
di512 = DIGESTINFO["sha512"] + hashlib.sha512(msg).digest()
r = c.sign(rsa3072.keyid, OP_RSA, PKCS1, di512)
t.ok(r is not None and r[0] == 1 and pkcs1_ok(rsa3072, msg,
    hashes.SHA512(), r[1]), "RSA 3072: PKCS#1 DigestInfo of SHA-512")
d384 = hashlib.sha384(b"P-384").digest()
r = c.sign(p384.keyid, OP_ECDSA, 0, d384)
t.ok(r is not None and r[0] == 1 and ecdsa_ok(p384, d384, hashes.SHA384(),
    r[1]) and pkeyutl_verify(p384, d384, r[1]), "ECDSA on P-384 of a "
    "SHA-384 digest verifies (and with openssl pkeyutl)")
t.eq(c.sign(rsa2048.keyid, OP_RSA, PKCS1, di), (0, b""),
    "a key of no set -> ok 0")
t.eq(c.close(), 0, "exit 0")

# --- a reload keeps the set before it, not the one before that ---
c = CA([rsa2048, p256])
t.ok(c.ready(), "set 1: RSA 2048, P-256")
c.load([rsa3072])
t.ok(c.ready(), "set 2: RSA 3072 -> CA_READY")
r = c.sign(rsa2048.keyid, OP_RSA, PKCS1, di)
t.ok(r is not None and r[0] == 1 and pkcs1_ok(rsa2048, msg,
    hashes.SHA256(), r[1]), "after it, a key of set 1 still signs (a "
    "handshake across the reload)")
r = c.sign(rsa3072.keyid, OP_RSA, PKCS1, di)
t.ok(r is not None and r[0] == 1, "a key of set 2 signs")
c.load([p384])
t.ok(c.ready(), "set 3: P-384 -> CA_READY")
t.eq(c.sign(rsa2048.keyid, OP_RSA, PKCS1, di), (0, b""),
    "set 1 is gone: its RSA key is unknown")
t.eq(c.sign(p256.keyid, OP_ECDSA, 0, digest), (0, b""),
    "set 1 is gone: its P-256 key is unknown")
r = c.sign(rsa3072.keyid, OP_RSA, PKCS1, di)
t.ok(r is not None and r[0] == 1, "set 2 still signs")
r = c.sign(p384.keyid, OP_ECDSA, 0, d384)
t.ok(r is not None and r[0] == 1, "set 3 signs")
c.load([])
t.ok(c.ready(), "an empty set -> CA_READY")
t.eq(c.sign(rsa3072.keyid, OP_RSA, PKCS1, di), (0, b""),
    "set 2 is gone after it")
t.eq(c.close(), 0, "exit 0")

# the relay's channel closes first: ca serves the parent until its closes
c = CA([p256])
t.ok(c.ready(), "a set")
c.relay.close()
time.sleep(0.2)
t.eq(c.proc.poll(), None, "the relay's channel closed: ca still runs")
c.load([p384])
t.ok(c.ready(), "... and installs a set from the parent")
c.parent.close()
t.eq(c.exit_status(), 0, "the parent's closed too: exit 0")
c.proc.stderr.close()


# --- what ends ca ---
def fatal(desc, steps, keys=(rsa2048, p256), want=None):
	c = CA(list(keys))
	try:
		if keys:
			c.ready()
		steps(c)
		rc = c.exit_status(3)
	except (EOFError, BrokenPipeError, ConnectionResetError,
	    TimeoutError):
		rc = c.exit_status(3)
	c.parent.close()
	c.relay.close()
	err = c.proc.stderr.read().decode(errors="replace")
	t.ok(rc == 1 and "ca:" in err and (want is None or want in err),
	    "%s: ca exits 1 (%r)" % (desc, rc), err[-500:])


def wrong_size(c):
	c.send(imsg(CA_SIGN, REQ.pack(p256.keyid, OP_ECDSA, 0, 32,
	    digest)[:-1]))
	c.recv()


def wrong_size_long(c):
	c.send(imsg(CA_SIGN, REQ.pack(p256.keyid, OP_ECDSA, 0, 32, digest) +
	    b"\0"))
	c.recv()


def unknown_type(c):
	c.send(imsg(99, b"x"))
	c.recv()


def parent_type_from_relay(c):
	c.send(imsg(CA_KEYS))
	c.recv()


def sign_from_parent(c):
	c.parent.sendall(req(p256.keyid, OP_ECDSA, 0, digest))
	c.recv(c.parent)


def reply_type_from_relay(c):
	c.send(imsg(CA_SIGNATURE, RES.pack(1, 0, b"")))
	c.recv()


def with_descriptor(c):
	r, w = os.pipe()
	socket.send_fds(c.relay, [imsg(CA_SIGN, REQ.pack(p256.keyid,
	    OP_ECDSA, 0, len(digest), digest), flags=1)], [r])
	os.close(r)
	os.close(w)
	c.recv()


def parent_sends(data):
	def steps(c):
		c.parent.sendall(data)
		c.recv(c.parent)
	return steps


fatal("CA_SIGN one byte short", wrong_size, want="expected 1068 bytes")
fatal("CA_SIGN one byte long", wrong_size_long)
fatal("an unknown message type from the relay", unknown_type,
    want="unknown type")
fatal("CA_KEYS from the relay", parent_type_from_relay,
    want="relay may not send it")
fatal("CA_SIGNATURE from the relay", reply_type_from_relay)
fatal("CA_SIGN from the parent", sign_from_parent)
fatal("a descriptor from the relay", with_descriptor)
fatal("CA_KEY_DATA outside a set", parent_sends(imsg(CA_KEY_DATA, b"x")),
    keys=(), want="outside a key set")
fatal("CA_KEY_END outside a set", parent_sends(imsg(CA_KEY_END)), keys=())
fatal("CA_KEYS_END outside a set", parent_sends(imsg(CA_KEYS_END)),
    keys=())
fatal("CA_KEYS inside a set", parent_sends(imsg(CA_KEYS) + imsg(CA_KEYS)),
    keys=())
fatal("CA_KEY_END without data", parent_sends(imsg(CA_KEYS) +
    imsg(CA_KEY_END)), keys=())
fatal("CA_KEYS_END inside a key", parent_sends(imsg(CA_KEYS) +
    imsg(CA_KEY_DATA, p256.pem) + imsg(CA_KEYS_END)), keys=())
fatal("CA_KEY_DATA of 0 bytes", parent_sends(imsg(CA_KEYS) +
    imsg(CA_KEY_DATA)), keys=())
fatal("a key over 64 KiB of PEM", parent_sends(imsg(CA_KEYS) +
    b"".join(imsg(CA_KEY_DATA, b"A" * CHUNK) for i in range(4)) +
    imsg(CA_KEY_DATA, b"A")), keys=(), want="more than 65536 bytes")
fatal("17 keys in a set", parent_sends(imsg(CA_KEYS) +
    key_msgs(p256.pem) * 17 + imsg(CA_KEYS_END)), keys=(),
    want="more than 16 keys")
fatal("a key that is not PEM", parent_sends(imsg(CA_KEYS) +
    key_msgs(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE "
    b"KEY-----\n") + imsg(CA_KEYS_END)), keys=(),
    want="not a PEM private key")
fatal("an encrypted key (no passphrase prompt)", parent_sends(
    imsg(CA_KEYS) + key_msgs(enc.pem) + imsg(CA_KEYS_END)), keys=(),
    want="not a PEM private key")
fatal("RSA 1024", parent_sends(keyset([rsa1024])), keys=(),
    want="RSA of 1024 bits")
fatal("Ed25519", parent_sends(keyset([ed25519])), keys=(),
    want="not RSA or EC")
fatal("EC on P-521", parent_sends(keyset([p521])), keys=(),
    want="not P-256 or P-384")
fatal("a refused key after a good one, in a reload",
    parent_sends(keyset([rsa3072, rsa1024])))

# started by hand, without its socketpairs
r = subprocess.run([T.CA], stderr=subprocess.PIPE,
    stdin=subprocess.DEVNULL, timeout=5)
t.ok(r.returncode == 1 and b"started by relayd" in r.stderr,
    "without its socketpairs ca refuses to run")
r = subprocess.run([T.CA, "keyfile"], stderr=subprocess.PIPE,
    stdin=subprocess.DEVNULL, timeout=5)
t.ok(r.returncode == 1 and b"usage" in r.stderr, "an argument: usage")

# --- under its user, chroot and filter ---
c = CA(args=("-d", "-u", T.USER, "-t", T.CHROOT))
c.load([rsa2048, p384])
t.ok(c.ready(), "with -u and -t: CA_READY (the keys parsed in the "
    "sandbox)")
st = T.proc_status(c.proc.pid) or {}
uid = str(T.pwd.getpwnam(T.USER).pw_uid)
t.eq(st.get("Seccomp"), "2", "Seccomp: 2 (a filter)")
t.ok(st.get("Uid", "").split() == [uid] * 4, "Uid: %s, all four" % uid)
t.eq(os.readlink("/proc/%d/root" % c.proc.pid), T.CHROOT,
    "root: %s" % T.CHROOT)
t.eq(st.get("NoNewPrivs"), "1", "NoNewPrivs: 1")
t.eq(T.proc_title(c.proc.pid), "relayd: ca", "title: relayd: ca")
FUTEX_WAIT_PRIVATE, FUTEX_WAKE_PRIVATE, FUTEX_WAKE = 128, 129, 1
# the sanitizer build traps and logs instead of killing
SAN = "/san/" in T.CA
progs = S.filters(c.proc.pid)
t.eq(len(progs), 1, "one filter")
for call, args, want in () if SAN else (
    ("recvmsg", (3,), "allow"), ("sendmsg", (4,), "allow"),
    ("recvmsg", (5,), "kill_process"), ("sendmsg", (0,), "kill_process"),
    ("write", (2,), "allow"), ("write", (1,), "kill_process"),
    ("write", (3,), "kill_process"), ("read", (3,), "kill_process"),
    ("getrandom", (), "allow"), ("poll", (), "allow"),
    ("futex", (0, FUTEX_WAKE_PRIVATE), "allow"),
    ("futex", (0, FUTEX_WAKE), "kill_process"),
    ("futex", (0, FUTEX_WAIT_PRIVATE), "kill_process"),
    ("mmap", (0, 4096, 3, 0x22, -1), "allow"),
    ("mmap", (0, 4096, 5, 0x22, -1), "kill_process"),
    ("mmap", (0, 4096, 1, 0x02, 3), "kill_process"),
    ("mprotect", (0, 4096, 5), "kill_process"),
    ("openat", (0, 0, 0), "kill_process"),
    ("socket", (1, 1, 0), "kill_process"),
    ("prctl", (4, 1), "kill_process"), ("execve", (), "kill_process")):
	t.eq(S.verdict(progs, call, *args)[0], want, "filter: %s%r -> %s" %
	    (call, args, want))
block = pss_encode(mhash, 2048)
r = c.sign(rsa2048.keyid, OP_RSA, NOPAD, block)
t.ok(r is not None and r[0] == 1 and rsa_raw_ok(rsa2048, r[1], block),
    "RSA under the filter")
r = c.sign(p384.keyid, OP_ECDSA, 0, d384)
t.ok(r is not None and r[0] == 1 and ecdsa_ok(p384, d384, hashes.SHA384(),
    r[1]), "ECDSA under the filter")
t.eq(c.close(), 0, "exit 0")
t.ok("forbidden" not in c.err, "nothing trapped", c.err[-500:])

for f in os.listdir(tmp):
	os.unlink(os.path.join(tmp, f))
os.rmdir(tmp)
t.done()

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

# TLS in the daemon (relayd.conf(5) "TLS"): openssl s_client and Python's
# ssl against `listen ... tls` beside a plain listener; the private keys
# in relayd: ca alone (the relay's memory holds none of their bytes
# after handshakes with RSA, P-256 and P-384); SIGHUP with a new
# certificate and with a broken one; `relayd -n` naming file and line;
# killing ca ends the daemon.

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time

import swstest as T

t = T.Tap(limit=240)
if os.geteuid() != 0:
	raise SystemExit(77)
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
tmp = T.tempfile.mkdtemp(prefix="sws-tls.")
os.chmod(tmp, 0o755)


def sh(*args, **kw):
	return subprocess.run(args, stdout=subprocess.PIPE,
	    stderr=subprocess.STDOUT, timeout=60, **kw)


def path(n):
	return os.path.join(tmp, n)


# A CA, and leaves signed by it: RSA 2048 (the default pair, for
# localhost and 127.0.0.1), P-256 (ec.test), P-384 (p384.test), and a
# second RSA leaf for the reload.
sh(OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt",
    "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("ca.key"), "-out",
    path("ca.pem"), "-subj", "/CN=sws test CA", "-days", "30")


def leaf(name, keyspec, cn, san, days=30):
	key, csr, crt = path(name + ".key"), path(name + ".csr"), \
	    path(name + ".crt")
	sh(OPENSSL, "genpkey", "-out", key, *keyspec)
	os.chmod(key, 0o600)
	sh(OPENSSL, "req", "-new", "-key", key, "-out", csr, "-subj",
	    "/CN=" + cn)
	ext = path(name + ".ext")
	with open(ext, "w") as f:
		f.write("subjectAltName=%s\n" % san)
	sh(OPENSSL, "x509", "-req", "-in", csr, "-CA", path("ca.pem"),
	    "-CAkey", path("ca.key"), "-CAcreateserial", "-out", crt, "-days",
	    str(days), "-extfile", ext)
	return crt, key


RSA = leaf("rsa", ("-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"),
    "localhost", "DNS:localhost,IP:127.0.0.1")
P256 = leaf("p256", ("-algorithm", "EC", "-pkeyopt",
    "ec_paramgen_curve:P-256"), "ec.test", "DNS:ec.test")
P384 = leaf("p384", ("-algorithm", "EC", "-pkeyopt",
    "ec_paramgen_curve:P-384"), "p384.test", "DNS:p384.test")
NEW = leaf("new", ("-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"),
    "localhost", "DNS:localhost,IP:127.0.0.1", days=10)
# The files the configuration names, which the reload replaces.
shutil.copy(RSA[0], path("serve.crt"))
shutil.copy(RSA[1], path("serve.key"))
os.chmod(path("serve.key"), 0o600)

plain_port, tls_port = T.free_port(), T.free_port()
CONF = """listen on 127.0.0.1 port %d
listen on 127.0.0.1 port %d tls
tls certificate "%s"
tls key "%s"
tls keypair certificate "%s" key "%s"
tls keypair certificate "%s" key "%s"
handshake timeout 2
max message size 4K
""" % (plain_port, tls_port, path("serve.crt"), path("serve.key"),
    P256[0], P256[1], P384[0], P384[1])


def s_client(*args, data=b""):
	r = subprocess.run([OPENSSL, "s_client", "-connect",
	    "127.0.0.1:%d" % tls_port, "-CAfile", path("ca.pem"), *args],
	    input=data, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
	    timeout=20)
	return r.stdout.decode(errors="replace")


def negotiated(out):
	m = re.search(r"^New, (\S+), Cipher is (\S+)", out, re.M)
	return (m.group(1).rstrip(","), m.group(2)) if m else (None, None)


def peer_cn(out):
	m = re.search(r"^subject=.*CN ?= ?([^,\n/]+)", out, re.M)
	return m.group(1).strip() if m else None


def tls_ctx():
	ctx = ssl.create_default_context(cafile=path("ca.pem"))
	ctx.set_alpn_protocols(["http/1.1"])
	return ctx


class TLSWS(T.RawWS):
	"""RawWS over TLS (server name sni)."""

	def __init__(self, port, sni="localhost", **kw):
		T.TLS_CTX, T.TLS_SNI = tls_ctx(), sni
		try:
			super().__init__(port, **kw)
		finally:
			T.TLS_CTX = T.TLS_SNI = None


def registered(ws):
	sk, pk = T.keypair()
	ws.register(sk, pk)
	ws.pk = T.b64e(pk)
	return ws


def next_of(ws, mtype, timeout=3):
	"""The next message of type mtype (others skipped), or None."""
	deadline = time.monotonic() + timeout
	while time.monotonic() < deadline:
		try:
			m = ws.recv_msg(max(0.1, deadline - time.monotonic()))
		except Exception:
			return None
		if m.get("type") == mtype:
			return m
	return None


def exchange(a, b, body=b"hello"):
	a.send_msg({"type": "SEND", "to": b.pk, "body": body, "id": 7})
	got = next_of(b, "MESSAGE")
	next_of(a, "ACK")
	if got is None:
		return False
	v = got.get("body")
	return v == body or (isinstance(v, str) and T.b64d(v) == body)


def check_n(conf_text, want, desc):
	f = path("n.conf")
	with open(f, "w") as fh:
		fh.write(conf_text)
	r = sh(T.RELAYD, "-n", "-f", f)
	out = r.stdout.decode(errors="replace")
	t.ok(r.returncode != 0 and re.search(want, out) is not None, desc, out)


def private_numbers(key):
	"""The private numbers of a key file, as big-endian byte strings."""
	out = sh(OPENSSL, "pkey", "-in", key, "-noout", "-text").stdout.decode()
	nums, cur = {}, None
	for line in out.splitlines():
		m = re.match(r"^(\w+):\s*$", line)
		if m:
			cur = m.group(1)
			nums[cur] = ""
		elif cur and re.match(r"^\s+[0-9a-f:]+$", line):
			nums[cur] += line.strip()
		else:
			cur = None
	want = ("privateExponent", "prime1", "prime2", "exponent1",
	    "exponent2", "coefficient", "priv")
	res = []
	for k in want:
		if k in nums:
			b = bytes.fromhex(nums[k].replace(":", ""))
			res.append((k, b.lstrip(b"\0")))
	return res


def memory_holds(pid, needles):
	"""Which needles appear in the process's readable memory."""
	found = set()
	with open("/proc/%d/maps" % pid) as f:
		maps = f.read().splitlines()
	with open("/proc/%d/mem" % pid, "rb", 0) as mem:
		for line in maps:
			parts = line.split()
			lo, hi = (int(x, 16) for x in parts[0].split("-"))
			if "r" not in parts[1] or hi - lo > 1 << 30:
				continue
			try:
				mem.seek(lo)
				chunk = mem.read(hi - lo)
			except OSError:
				continue
			for name, n in needles:
				if n in chunk:
					found.add(name)
	return found


def main():
	# -n: a missing file, a certificate that does not parse, a key that
	# does not match, each with its file and line.
	base = "listen on 127.0.0.1 port %d tls\nkey \"%s\"\n" % (tls_port,
	    path("server.key"))
	sh(T.CRYPTOD, "-g", path("server.key"))
	check_n(base + 'tls certificate "%s"\ntls key "%s"\n' % (
	    path("missing.crt"), RSA[1]), r"n\.conf:3: .*missing\.crt: No such "
	    "file", "-n: a missing certificate file, with file and line")
	check_n(base + 'tls certificate "%s"\ntls key "%s"\n' % (RSA[1], RSA[1]),
	    r"n\.conf:3: certificate .* does not parse",
	    "-n: a certificate that does not parse, with file and line")
	check_n(base + '\ntls certificate "%s"\ntls key "%s"\n' % (RSA[0],
	    P256[1]), r"n\.conf:5: key .* does not match certificate",
	    "-n: a key that does not match its certificate, with file and line")
	check_n(base, r"n\.conf:1: listener .*tls needs",
	    "-n: a tls listener without a certificate")
	check_n(base + 'tls protocols "tlsv1.9"\n', r"n\.conf:3: invalid tls "
	    "protocols", "-n: bad tls protocols")

	r = T.Relay(listen=False, extra=CONF)
	T.TLS_CTX, T.TLS_SNI = tls_ctx(), "localhost"
	try:
		r.wait_ready(tls_port)
	finally:
		T.TLS_CTX = T.TLS_SNI = None
	r.wait_ready(plain_port)
	log = r.log()
	t.ok("rsa" not in log or "serve.crt" in log and "is valid until" in
	    log, "start: the expiry of each certificate is logged", log)

	# s_client: versions, ALPN, SNI.
	for v in ("-tls1", "-tls1_1"):
		out = s_client(v)
		t.ok(negotiated(out)[0] in (None, "(NONE)"), "s_client %s is "
		    "refused" % v, out)
	for v, want in (("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")):
		out = s_client(v, "-servername", "localhost")
		t.eq(negotiated(out)[0], want, "s_client %s is served" % v)
		t.ok("Verify return code: 0 (ok)" in out, "s_client %s: the "
		    "chain verifies" % v, out)
	out = s_client("-alpn", "http/1.1", "-servername", "localhost")
	t.ok("ALPN protocol: http/1.1" in out, "ALPN: http/1.1 is chosen", out)
	for sni, cn, sig in (("ec.test", "ec.test", "ECDSA"),
	    ("p384.test", "p384.test", "ECDSA"), ("localhost", "localhost",
	    "RSA-PSS")):
		out = s_client("-servername", sni)
		t.ok(peer_cn(out) == cn and "Peer signature type: %s" % sig in
		    out, "SNI %s picks its pair (%s)" % (sni, sig), out)
	for v in ("-tls1_2", "-tls1_3"):
		out = s_client(v, "-servername", "p384.test")
		t.ok("Peer signature type: ECDSA" in out and peer_cn(out) ==
		    "p384.test", "P-384 signs over %s" % v, out)
	out = s_client("-tls1_2", "-sigalgs", "RSA+SHA256", "-servername",
	    "localhost")
	t.ok("Peer signature type: RSA\n" in out, "RSA PKCS#1 signs over "
	    "TLS 1.2", out)

	# WebSocket over TLS beside plain TCP.
	a = registered(TLSWS(tls_port))
	b = registered(T.RawWS(plain_port))
	t.ok(exchange(a, b), "a TLS session's message reaches a plain one")
	t.ok(exchange(b, a), "a plain session's message reaches a TLS one")
	e = registered(TLSWS(tls_port, sni="ec.test"))
	t.ok(exchange(e, a), "a session on the P-256 certificate is served")
	# fragmentation
	msg = T.encode_msg("json", {"type": "SEND", "to": b.pk, "body": b"frag",
	    "id": 9}).encode()
	a.send(T.frame(1, msg[:10], fin=False) + T.frame(0, msg[10:20],
	    fin=False) + T.frame(0, msg[20:]))
	got = next_of(b, "MESSAGE")
	next_of(a, "ACK")
	t.ok(got is not None, "a fragmented message over TLS is reassembled")
	# a message over the limit: 1009, as on TCP
	c = registered(TLSWS(tls_port))
	c.send(T.frame(2, b"x" * 8192))
	t.eq(c.expect_close(3)[0], 1009, "over max message size on TLS: 1009")
	# the close handshake
	d = registered(TLSWS(tls_port))
	d.send_close(1000)
	t.eq(d.expect_close(3)[0], 1000, "the close handshake over TLS")
	t.ok(d.eof(3), "after the close, the relay ends the connection")

	# Garbage, and a stall in the middle of a handshake.
	g = socket.create_connection(("127.0.0.1", tls_port), timeout=3)
	g.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + os.urandom(512))
	t.ok(T.wait_eof(g, 3), "plain HTTP on the TLS port is closed")
	g.close()
	st = socket.create_connection(("127.0.0.1", tls_port), timeout=5)
	st.sendall(bytes.fromhex("160301020001"))	# a record header, no more
	t0 = time.monotonic()
	t.ok(exchange(a, b, b"while stalled"), "others are served while a "
	    "handshake stalls")
	eof = T.wait_eof(st, 5)
	t.ok(eof and time.monotonic() - t0 < 4.5, "a stalled handshake is "
	    "closed at the handshake timeout")
	st.close()

	# The private keys are not in the relay's memory.
	needles = []
	for name, (crt, key) in (("rsa", RSA), ("p256", P256), ("p384", P384)):
		for k, v in private_numbers(key):
			# big-endian as printed, and as a BIGNUM's limbs hold it
			needles.append(("%s %s" % (name, k), v))
			needles.append(("%s %s (limbs)" % (name, k), v[::-1]))
		with open(key) as f:
			body = "".join(l for l in f.read().splitlines()
			    if not l.startswith("-----"))
		needles.append(("%s PEM" % name, body[:48].encode()))
	t.ok(len(needles) >= 3 * 2, "private numbers found to look for",
	    needles)
	rpid = r.relay_pid()
	found = memory_holds(rpid, needles)
	t.ok(not found, "the relay's memory holds no private key bytes",
	    sorted(found))
	capid = r.child_by_title("relayd: ca")
	held = memory_holds(capid, needles)
	t.ok(any(n.startswith("rsa ") for n in held) and any(n.startswith(
	    "p256 ") for n in held), "(the search works: ca's memory holds "
	    "the keys)", sorted(held))

	# SIGHUP with a new certificate: new connections get it, sessions go on.
	shutil.copy(NEW[0], path("serve.crt"))
	shutil.copy(NEW[1], path("serve.key"))
	os.kill(r.pid, signal.SIGHUP)
	time.sleep(1.5)
	serial_new = sh(OPENSSL, "x509", "-in", NEW[0], "-noout",
	    "-serial").stdout.decode().strip().split("=")[1]
	out = s_client("-servername", "localhost", "-showcerts")
	got_new = serial_new.lower() in sh(OPENSSL, "x509", "-noout",
	    "-serial", input=out.encode()).stdout.decode().lower()
	t.ok(got_new, "after SIGHUP, new connections get the new certificate",
	    out[:400])
	t.ok(exchange(a, b, b"after reload") and exchange(b, a, b"back"),
	    "an established TLS session goes on across the reload")
	t.ok(re.search(r"new\.crt|serve\.crt.*expires in", r.log()) or
	    "expires in" in r.log(), "the reload logs the expiry (10 days: a "
	    "warning)", r.log()[-600:])
	# a broken certificate leaves the last good one in service
	with open(path("serve.crt"), "w") as f:
		f.write("-----BEGIN CERTIFICATE-----\nnot base64\n")
	os.kill(r.pid, signal.SIGHUP)
	time.sleep(1.5)
	t.ok("does not parse" in r.log(), "a broken certificate on reload is "
	    "logged", r.log()[-600:])
	out = s_client("-servername", "localhost", "-showcerts")
	t.ok(serial_new.lower() in sh(OPENSSL, "x509", "-noout", "-serial",
	    input=out.encode()).stdout.decode().lower(), "and the pair in "
	    "service stays", out[:400])
	t.ok(exchange(a, b, b"still"), "sessions go on after the refused "
	    "reload")

	# ca is killed: the daemon ends (fail closed).
	os.kill(capid, signal.SIGKILL)
	st = r.wait_exit(10)
	t.ok(st is not None and st > 0, "killing relayd: ca ends the daemon "
	    "(status %r)" % st, r.log()[-1500:])
	r.kill_all()


try:
	main()
except T.TestTimeout as e:
	t.ok(False, str(e))
except Exception as e:
	t.fail_all("tls", e)
finally:
	shutil.rmtree(tmp, ignore_errors=True)
t.done()

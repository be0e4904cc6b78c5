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

# make bench-tls: TLS beside plain, one run.
#
#  1. Full TLS 1.3 handshakes per second through relayd: ca, with an
#     ECDSA P-256 and an RSA 2048 certificate (openssl s_time -new, one
#     client on loopback), against the bound `openssl speed` gives for
#     one core: 1 / (1/sign + 2/x25519), the server's signature and its
#     two X25519 operations (key share, shared secret).
#  2. Relay memory per idle connection: N WebSocket sessions on the echo
#     endpoint, over TLS and over TCP, the relay's VmRSS before and after
#     divided by N.
#
# Prints a table; budgets (docs/BENCHMARKS.md): handshakes >= 70% of the
# bound, <= 64 KiB per idle TLS connection.  Environment: BENCH_SECS
# (seconds of s_time and speed, default 5), BENCH_IDLE (connections,
# default 1000).
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
    "..", "regress", "lib"))
import swstest as T

SECS = int(os.environ.get("BENCH_SECS", "5"))
IDLE = int(os.environ.get("BENCH_IDLE", "1000"))
tmp = tempfile.mkdtemp(prefix="sws-bench-tls.")
os.chmod(tmp, 0o755)


def sh(*a, **kw):
	return subprocess.run(a, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
	    check=True, **kw).stdout.decode()


def cert(name, keyspec):
	key, crt = os.path.join(tmp, name + ".key"), os.path.join(tmp,
	    name + ".crt")
	sh("openssl", "req", "-x509", "-newkey", *keyspec, "-nodes", "-keyout",
	    key, "-out", crt, "-days", "2", "-subj", "/CN=localhost", "-addext",
	    "subjectAltName=DNS:localhost,IP:127.0.0.1")
	os.chmod(key, 0o600)
	return crt, key


def relay_for(crt, key):
	port = T.free_port()
	r = T.Relay(extra='listen on 127.0.0.1 port %d tls\ntls certificate '
	    '"%s"\ntls key "%s"\necho path "/echo"\nmax connections 20000\n'
	    'max connections per address 20000\nhandshake rate off\n'
	    'handshake timeout 120\nidle timeout 600\nping interval 300\n' % (
	    port, crt, key))
	time.sleep(0.5)
	return r, port


def speed(alg):
	out = sh("openssl", "speed", "-seconds", str(SECS), alg)
	return out


def sign_rate(kind):
	if kind == "p256":
		out = speed("ecdsap256")
		m = re.search(r"256 bits ecdsa \(nistp256\)\s+\S+s\s+\S+s\s+"
		    r"([\d.]+)", out)
	else:
		out = speed("rsa2048")
		m = re.search(r"rsa 2048 bits\s+\S+s\s+\S+s\s+([\d.]+)", out)
	return float(m.group(1))


def x25519_rate():
	out = speed("ecdhx25519")
	m = re.search(r"253 bits ecdh \(X25519\)\s+\S+s\s+([\d.]+)", out)
	return float(m.group(1))


def handshakes(port):
	out = sh("openssl", "s_time", "-connect", "127.0.0.1:%d" % port, "-new",
	    "-tls1_3", "-time", str(SECS))
	m = re.search(r"(\d+) connections in ([\d.]+)s", out)
	n, real = int(m.group(1)), float(m.group(2))
	return n / real


def rss_kib(pid):
	with open("/proc/%d/status" % pid) as f:
		for l in f:
			if l.startswith("VmRSS:"):
				return int(l.split()[1])
	return 0


def idle_cost(port, tls_port, crt, rpid):
	res = {}
	for kind, p in (("plain", port), ("tls", tls_port)):
		if kind == "tls":
			ctx = ssl.create_default_context(cafile=crt)
			T.TLS_CTX, T.TLS_SNI = ctx, "localhost"
		time.sleep(0.5)
		before = rss_kib(rpid)
		conns = []
		try:
			for _ in range(IDLE):
				conns.append(T.RawWS(p, path="/echo", proto=None))
		finally:
			T.TLS_CTX = T.TLS_SNI = None
		time.sleep(1.0)
		after = rss_kib(rpid)
		res[kind] = (after - before) / IDLE
		for c in conns:
			c.sock.close()
		time.sleep(1.0)
	return res


def main():
	rows = []
	x = x25519_rate()
	for kind, spec in (("p256", ("ec", "-pkeyopt",
	    "ec_paramgen_curve:P-256")), ("rsa2048", ("rsa:2048",))):
		crt, key = cert(kind, spec)
		r, port = relay_for(crt, key)
		try:
			hs = handshakes(port)
			s = sign_rate(kind)
			bound = 1.0 / (1.0 / s + 2.0 / x)
			rows.append(("TLS 1.3 handshakes/s, %s" % kind, "%.0f" % hs,
			    "bound %.0f (sign %.0f/s, x25519 %.0f/s)" % (bound, s, x),
			    "%.0f%%" % (100 * hs / bound), hs >= 0.7 * bound))
			if kind == "p256":
				mem = idle_cost(r.port, port, crt, r.relay_pid())
				rows.append(("memory per idle connection, plain",
				    "%.1f KiB" % mem["plain"], "", "", True))
				rows.append(("memory per idle connection, TLS",
				    "%.1f KiB" % mem["tls"], "budget 64 KiB", "",
				    mem["tls"] <= 64))
		finally:
			r.stop(check=False)
	print("| line | measured | against | ratio | budget |")
	print("|---|---|---|---|---|")
	for name, v, against, ratio, met in rows:
		print("| %s | %s | %s | %s | %s |" % (name, v, against, ratio,
		    "meets" if met else "MISSES"))


main()

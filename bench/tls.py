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
#     ECDSA P-256 and an RSA 2048 certificate (openssl s_time -new, on
#     loopback: one client, then CLIENTS at once), against the bound
#     `openssl speed` gives for one core: 1 / (1/sign + 2/x25519), the
#     server's signature and its two X25519 operations (key share,
#     shared secret).  The clients share the two cores with the server,
#     so the server's own cost is measured too: the CPU time relay and ca
#     took per handshake during the run with CLIENTS, and the handshakes
#     one core would make at that cost; and, for reference, the same of
#     nginx (one worker holding the key, the same OpenSSL) when it is
#     installed.
#  2. Messages per second over TLS against plain: swsbench pairs, 1,000
#     pairs x 16 in flight, 64 B and 1 KiB JSON bodies, on one relay
#     with a plain and a TLS listener.
#  3. Relay memory per idle connection: N WebSocket sessions on the echo
#     endpoint, over TLS and over TCP, the relay's VmRSS before and after
#     divided by N.
#
# Prints a table; budgets (docs/BENCHMARKS.md): handshakes >= 70% of the
# bound, TLS msg/s >= 60% of plain, <= 64 KiB per idle TLS connection.
# Environment: BENCH_SECS (seconds of each run, default 5), BENCH_IDLE
# (connections, default 1000), BENCH_CLIENTS (default 4), SWSBENCH (the
# binary, default obj/bench/swsbench).
import json
import os
import re
import shutil
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
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
SWSBENCH = os.environ.get("SWSBENCH") or os.path.join(os.path.dirname(
    os.path.abspath(__file__)), "..", "obj", "bench", "swsbench")
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
	    'registration rate off\nrate limit 10000000 per second burst '
	    '10000000\nhandshake timeout 120\nidle timeout 600\n'
	    'ping interval 300\n' % (port, crt, key))
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


def cpu_ticks(pids):
	"""utime + stime of the processes, in clock ticks."""
	n = 0
	for pid in pids:
		with open("/proc/%d/stat" % pid) as f:
			fields = f.read().rsplit(")", 1)[1].split()
		n += int(fields[11]) + int(fields[12])
	return n


def handshakes(port, nclients, server_pids):
	"""(handshakes/s of nclients s_time at once, by the wall clock; the
	servers' CPU seconds per handshake, one figure per pid).  s_time's
	own "connections in Xs" counts its user CPU time, not the wall's."""
	t0 = [cpu_ticks([p]) for p in server_pids]
	w0 = time.monotonic()
	ps = [subprocess.Popen(["openssl", "s_time", "-connect",
	    "127.0.0.1:%d" % port, "-new", "-tls1_3", "-time", str(SECS)],
	    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
	    for _ in range(nclients)]
	n = 0
	for p in ps:
		out = p.communicate(timeout=SECS + 30)[0].decode()
		m = re.search(r"(\d+) connections in ", out)
		n += int(m.group(1))
	wall = time.monotonic() - w0
	hz = os.sysconf("SC_CLK_TCK")
	per = [(cpu_ticks([p]) - t) / hz / max(n, 1) for p, t in
	    zip(server_pids, t0)]
	return n / wall, per


NGINX_CONF = """worker_processes 1;
daemon off;
error_log %(d)s/error.log;
pid %(d)s/nginx.pid;
events { worker_connections 4096; }
http {
	access_log off;
	server {
		listen 127.0.0.1:%(port)d ssl;
		ssl_certificate %(crt)s;
		ssl_certificate_key %(key)s;
		ssl_protocols TLSv1.3;
		ssl_session_cache off;
		ssl_session_tickets off;
		location / { return 200 "x"; }
	}
}
"""


def nginx_handshakes(crt, key):
	"""The same clients against nginx with the key in its one worker:
	(handshakes/s, worker CPU seconds per handshake), or None."""
	exe = shutil.which("nginx") or "/usr/sbin/nginx"
	if not os.path.exists(exe):
		return None
	d = tempfile.mkdtemp(prefix="ngx.", dir=tmp)
	port = T.free_port()
	with open(os.path.join(d, "nginx.conf"), "w") as f:
		f.write(NGINX_CONF % dict(d=d, port=port, crt=crt, key=key))
	m = subprocess.Popen([exe, "-c", os.path.join(d, "nginx.conf"), "-p",
	    d], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
	workers = []
	try:
		time.sleep(1.0)
		with open("/proc/%d/task/%d/children" % (m.pid, m.pid)) as f:
			workers = [int(x) for x in f.read().split()]
		if not workers:
			return None
		rate, per = handshakes(port, CLIENTS, workers[:1])
		return rate, per[0]
	finally:
		# SIGTERM: the master ends its workers (SIGKILL would orphan them)
		m.terminate()
		try:
			m.wait(timeout=5)
		except subprocess.TimeoutExpired:
			m.kill()
			m.wait()
		for w in workers:
			try:
				os.kill(w, 9)
			except OSError:
				pass


def msg_rate(url, crt, key_b64, body):
	"""swsbench pairs over url: (msg/s, the relay's CPU seconds per
	message)."""
	p = subprocess.run([SWSBENCH, "-C", crt, "-u", url, "-k", key_b64,
	    "-n", "1000", "-w", "16", "-s", str(body), "-t", str(SECS),
	    "pairs"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
	    timeout=SECS + 120)
	if p.returncode != 0:
		raise RuntimeError("swsbench %s: %s" % (url,
		    p.stderr.decode()[-500:]))
	r = json.loads(p.stdout.decode())
	cpu = (r.get("relay") or {}).get("cpu_s")
	return r["msgs_per_sec"], (cpu / r["messages"] if cpu and
	    r["messages"] else 0)


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
			# first, while the relay's heap has nothing to reuse
			if kind == "p256":
				mem = idle_cost(r.port, port, crt, r.relay_pid())
				rows.append(("memory per idle connection, plain",
				    "%.1f KiB" % mem["plain"], "", "", True))
				rows.append(("memory per idle connection, TLS",
				    "%.1f KiB" % mem["tls"], "budget 64 KiB", "",
				    mem["tls"] <= 64))
			s = sign_rate(kind)
			bound = 1.0 / (1.0 / s + 2.0 / x)
			one, _ = handshakes(port, 1, [])
			pids = [r.relay_pid(), r.child_by_title("relayd: ca")]
			many, per = handshakes(port, CLIENTS, pids)
			rows.append(("TLS 1.3 handshakes/s, %s, 1 client" % kind,
			    "%.0f" % one, "bound %.0f (sign %.0f/s, x25519 "
			    "%.0f/s)" % (bound, s, x), "%.0f%%" % (100 * one /
			    bound), one >= 0.7 * bound))
			rows.append(("TLS 1.3 handshakes/s, %s, %d clients" %
			    (kind, CLIENTS), "%.0f" % many, "bound %.0f" % bound,
			    "%.0f%%" % (100 * many / bound), many >= 0.7 * bound))
			cost = sum(per)
			if cost > 0:
				rows.append(("... one core at the server's CPU per "
				    "handshake (relay %.0f + ca %.0f us)" % (per[0] *
				    1e6, per[1] * 1e6), "%.0f/s" % (1 / cost),
				    "bound %.0f" % bound, "%.0f%%" % (100 / cost /
				    bound), 1 / cost >= 0.7 * bound))
			ngx = nginx_handshakes(crt, key)
			if ngx is not None and ngx[1] > 0:
				rows.append(("... nginx, key in its worker, %d "
				    "clients (%.0f us a handshake)" % (CLIENTS,
				    ngx[1] * 1e6), "%.0f/s; one core %.0f/s" % (ngx[0],
				    1 / ngx[1]), "bound %.0f" % bound, "%.0f%%" % (
				    100 / ngx[1] / bound), None))
			if kind == "p256":
				for body in (64, 1024):
					plain, pc = msg_rate(r.url, crt, r.server_pk_b64,
					    body)
					tls, tc = msg_rate("wss://127.0.0.1:%d/" % port,
					    crt, r.server_pk_b64, body)
					rows.append(("msg/s, 1,000 pairs x %d B JSON, TLS"
					    % body, "%.0f" % tls, "plain %.0f" % plain,
					    "%.0f%%" % (100 * tls / plain),
					    tls >= 0.6 * plain))
					if pc > 0 and tc > 0:
						rows.append(("... the relay's CPU per message, "
						    "%d B: TLS %.2f us, plain %.2f us" % (body,
						    tc * 1e6, pc * 1e6), "%.0f/s a core" %
						    (1 / tc), "plain %.0f/s a core" % (1 / pc),
						    "%.0f%%" % (100 * pc / tc), pc / tc >= 0.6))
		finally:
			r.stop(check=False)
	print("| line | measured | against | ratio | budget |")
	print("|---|---|---|---|---|")
	for name, v, against, ratio, met in rows:
		print("| %s | %s | %s | %s | %s |" % (name, v, against, ratio,
		    "reference" if met is None else "meets" if met else
		    "MISSES"))


main()

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

# The sws command over wss://: nginx terminates TLS on loopback with
# certificates made here (a throwaway CA; a server certificate for
# 127.0.0.1 and localhost; one for another name only; a self-signed one)
# and proxies the WebSocket to a relay that listens in plain ws://.
#
#   a. with -C ca.pem, a listener on wss://127.0.0.1 and a sender on
#      wss://localhost register and exchange a message; the verified
#      certificate and ALPN http/1.1 are reported with -v
#   b. without -C (the system's CA store), the unknown CA is refused with
#      "certificate verify failed: REASON" and exit 1; so are a
#      certificate for another name (localhost, 127.0.0.1) and a
#      self-signed one, and a plain relay behind wss:// fails the handshake
#   c. -C with a missing file or a file without certificates: one line,
#      exit 1; wss:// without a port dials 443
#   d. against a TLS server of this script: SNI is the host name (none
#      for an IP literal), ALPN http/1.1, and the client sends
#      close_notify after the WebSocket close handshake
#
# Skipped (77) when nginx, openssl or the daemon is missing.

import atexit
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

import swstest as T

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl")
SWS = os.path.join(T.TOP, "client", "sws")
for p in (NGINX, OPENSSL, T.RELAYD, T.CRYPTOD):
	if p is None or not os.access(p, os.X_OK):
		sys.exit(77)

t = T.Tap(limit=90)
tmp = tempfile.mkdtemp(prefix="sws-tls.")
os.chmod(tmp, 0o755)		# nginx's workers (nobody) read below
procs = []


def stop_procs():
	for p in procs:
		if p.poll() is None:
			try:
				os.killpg(p.pid, signal.SIGTERM)
			except OSError:
				pass
	for p in procs:
		try:
			p.wait(3)
		except subprocess.TimeoutExpired:
			pass
		try:
			os.killpg(p.pid, signal.SIGKILL)
		except OSError:
			pass
		if p.poll() is None:
			p.wait()
	del procs[:]


def cleanup():
	stop_procs()
	if not os.environ.get("SWS_KEEP"):
		shutil.rmtree(tmp, ignore_errors=True)


atexit.register(cleanup)
_tap_alarm = signal.getsignal(signal.SIGALRM)


def _alarm(sig, frm):
	cleanup()
	_tap_alarm(sig, frm)


signal.signal(signal.SIGALRM, _alarm)


def path(name):
	return os.path.join(tmp, name)


def output(name):
	try:
		with open(path(name), "rb") as f:
			return f.read().decode("utf-8", "replace")[-3000:]
	except OSError:
		return ""


def openssl(*args):
	r = subprocess.run([OPENSSL] + list(args), cwd=tmp,
	    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
	    stderr=subprocess.STDOUT, timeout=30)
	if r.returncode != 0:
		raise RuntimeError("openssl %s: %s" % (" ".join(args),
		    r.stdout.decode(errors="replace")))


EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]


def make_certs():
	"""ca.pem; good.pem (localhost, 127.0.0.1), other.pem (other.example)
	signed by it; self.pem self-signed for 127.0.0.1."""
	openssl("req", "-x509", *EC, "-keyout", "ca.key", "-out", "ca.pem",
	    "-days", "2", "-subj", "/CN=sws regress CA",
	    "-addext", "basicConstraints=critical,CA:TRUE",
	    "-addext", "keyUsage=critical,keyCertSign,cRLSign")
	for name, cn, san in (("good", "localhost",
	    "DNS:localhost,IP:127.0.0.1"), ("other", "other.example",
	    "DNS:other.example")):
		with open(path(name + ".ext"), "w") as f:
			f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\n"
			    "extendedKeyUsage=serverAuth\n" % san)
		openssl("req", *EC, "-keyout", name + ".key", "-out",
		    name + ".csr", "-subj", "/CN=" + cn)
		openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem",
		    "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
		    "-extfile", name + ".ext", "-out", name + ".pem")
	openssl("req", "-x509", *EC, "-keyout", "self.key", "-out",
	    "self.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
	    "-addext", "subjectAltName=IP:127.0.0.1")


def nginx_conf(ports, relay_port):
	servers = ""
	for name, port in ports:
		servers += """	server {
		listen 127.0.0.1:%(port)d ssl;
		ssl_certificate %(tmp)s/%(name)s.pem;
		ssl_certificate_key %(tmp)s/%(name)s.key;
		location / {
			proxy_pass http://127.0.0.1:%(relay)d;
			proxy_http_version 1.1;
			proxy_set_header Upgrade $http_upgrade;
			proxy_set_header Connection "upgrade";
			proxy_set_header Host $http_host;
			proxy_read_timeout 60s;
		}
	}
""" % dict(tmp=tmp, name=name, port=port, relay=relay_port)
	return """pid %(tmp)s/nginx.pid;
error_log %(tmp)s/nginx-error.log info;
worker_processes 1;
events {
	worker_connections 64;
}
http {
	access_log %(tmp)s/nginx-access.log;
	client_body_temp_path %(tmp)s/nginx/body;
	proxy_temp_path %(tmp)s/nginx/proxy;
	fastcgi_temp_path %(tmp)s/nginx/fastcgi;
	uwsgi_temp_path %(tmp)s/nginx/uwsgi;
	scgi_temp_path %(tmp)s/nginx/scgi;
%(servers)s}
""" % dict(tmp=tmp, servers=servers)


def wait_port(port, p, timeout=10):
	deadline = time.monotonic() + timeout
	while time.monotonic() < deadline:
		if p.poll() is not None:
			raise RuntimeError("nginx exited %d:\n%s" % (p.returncode,
			    output("nginx.out") + output("nginx-error.log")))
		try:
			socket.create_connection(("127.0.0.1", port), 0.5).close()
			return
		except OSError:
			time.sleep(0.05)
	raise RuntimeError("nothing on port %d" % port)


def sws(*args, timeout=15):
	"""Run sws; (status, stdout, stderr)."""
	try:
		r = subprocess.run([SWS] + list(args), stdin=subprocess.DEVNULL,
		    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
		    timeout=timeout)
	except subprocess.TimeoutExpired:
		return (124, "", "(still running after %ds)" % timeout)
	return (r.returncode, r.stdout.decode(errors="replace"),
	    r.stderr.decode(errors="replace"))


def wait_for(fn, timeout=5):
	deadline = time.monotonic() + timeout
	while time.monotonic() < deadline:
		if fn():
			return True
		time.sleep(0.05)
	return fn()


def one_line(desc, got, want):
	"""Exit 1 and exactly the line want on stderr."""
	rc, out, err = got
	t.ok(rc == 1 and err == want + "\n" and out == "", desc,
	    "exit %d, stdout %r, stderr %r, want %r" % (rc, out, err, want))


def exchange(port):
	"""(a) listen on wss://127.0.0.1, send from wss://localhost."""
	url_ip = "wss://127.0.0.1:%d/" % port
	url_name = "wss://localhost:%d/" % port
	ka, kb = path("alice"), path("bob")
	A = sws("-k", ka, "keygen")[1].strip()
	B = sws("-k", kb, "keygen")[1].strip()
	bout, berr = open(path("bob.out"), "wb"), open(path("bob.err"), "wb")
	bob = subprocess.Popen([SWS, "-v", "-C", path("ca.pem"), "-u", url_ip,
	    "-k", kb, "listen"], stdin=subprocess.DEVNULL, stdout=bout,
	    stderr=berr)
	bout.close()
	berr.close()
	try:
		reg = "sws: registered as %s with relay %s" % (B,
		    relay.server_pk_b64)
		t.ok(wait_for(lambda: reg in output("bob.err").splitlines()),
		    "wss://127.0.0.1 with -C: the listener registers",
		    output("bob.err"))
		t.ok(re.search(r"^sws: TLSv1\.[23], \S+, certificate verified "
		    r"for 127\.0\.0\.1, ALPN http/1\.1$", output("bob.err"),
		    re.M), "the listener reports TLS 1.2+, the verified "
		    "certificate and ALPN http/1.1", output("bob.err"))
		rc, out, err = sws("-C", path("ca.pem"), "-u", url_name, "-k",
		    ka, "send", B, "hello", "over", "tls")
		t.ok(rc == 0 and out == "" and err == "", "wss://localhost "
		    "with -C: send exits 0 after the ACK",
		    "exit %d, %r, %r" % (rc, out, err))
		line = "%s hello over tls" % A
		t.ok(wait_for(lambda: line in output("bob.out").splitlines()),
		    "the listener prints the message", output("bob.out"))
		bob.send_signal(signal.SIGTERM)
		rc = bob.wait(5)
		t.ok(rc == 0, "the listener closes cleanly on SIGTERM",
		    "exit %d: %s" % (rc, output("bob.err")))
		t.ok(output("bob.out") == line + "\n", "the listener got "
		    "exactly the message", output("bob.out"))
	finally:
		if bob.poll() is None:
			bob.kill()
			bob.wait()
	return ka, B


def refusals(good, other, selfp, ka, B):
	"""(b) and (c)."""
	ca = path("ca.pem")
	fail = "sws: wss://%s: certificate verify failed: %s"
	one_line("no -C: the unknown CA is refused",
	    sws("-u", "wss://127.0.0.1:%d/" % good, "-k", ka, "send", B, "x"),
	    fail % ("127.0.0.1:%d" % good,
	    "unable to get local issuer certificate"))
	one_line("no -C, by name: refused as well",
	    sws("-u", "wss://localhost:%d/" % good, "-k", ka, "send", B,
	    "x"),
	    fail % ("localhost:%d" % good,
	    "unable to get local issuer certificate"))
	one_line("a certificate for another name: wss://localhost refused",
	    sws("-C", ca, "-u", "wss://localhost:%d/" % other, "-k", ka,
	    "send", B, "x"), fail % ("localhost:%d" % other, "hostname mismatch"))
	one_line("a certificate for another name: wss://127.0.0.1 refused",
	    sws("-C", ca, "-u", "wss://127.0.0.1:%d/" % other, "-k", ka,
	    "send", B, "x"), fail % ("127.0.0.1:%d" % other, "IP address mismatch"))
	one_line("a self-signed certificate is refused",
	    sws("-C", ca, "-u", "wss://127.0.0.1:%d/" % selfp, "-k", ka,
	    "send", B, "x"), fail % ("127.0.0.1:%d" % selfp, "self-signed certificate"))
	rc, out, err = sws("-C", ca, "-u", "wss://127.0.0.1:%d/" % relay.port,
	    "-k", ka, "send", B, "x")
	t.ok(rc == 1 and re.fullmatch(r"sws: wss://127\.0\.0\.1:%d: TLS "
	    r"handshake failed: [^\n]+\n" % relay.port, err), "a plain relay "
	    "behind wss://: the handshake fails, one line", "exit %d, %r" %
	    (rc, err))
	one_line("a refused connection: one line", sws("-C", ca, "-u",
	    "wss://127.0.0.1:1/", "-k", ka, "listen"),
	    "sws: cannot connect to 127.0.0.1:1: Connection refused")
	missing = path("missing.pem")
	one_line("-C with a missing file: one line", sws("-C", missing, "-u",
	    "wss://127.0.0.1:%d/" % good, "-k", ka, "send", B, "x"),
	    "sws: %s: cannot load CA file: No such file or directory" % missing)
	with open(path("junk.pem"), "w") as f:
		f.write("not a certificate\n")
	rc, out, err = sws("-C", path("junk.pem"), "-u",
	    "wss://127.0.0.1:%d/" % good, "-k", ka, "send", B, "x")
	t.ok(rc == 1 and err.startswith("sws: %s: cannot load CA file: " %
	    path("junk.pem")) and err.count("\n") == 1, "-C with a file "
	    "without certificates: one line", "exit %d, %r" % (rc, err))
	rc, out, err = sws("-v", "-C", ca, "-u", "wss://127.0.0.1/", "-k", ka,
	    "listen")
	t.ok(rc == 1 and "sws: connecting to 127.0.0.1 port 443\n" in err,
	    "wss:// without a port dials 443", "exit %d, %r" % (rc, err))


class TLSServer:
	"""One connection at a time: the TLS handshake (SNI and ALPN
	recorded), a 101 answer, a close frame 1000; then whether the
	client's close frame came and was followed by close_notify."""

	def __init__(self):
		self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
		self.ctx.load_cert_chain(path("good.pem"), path("good.key"))
		# an EOF without close_notify must be seen as one
		self.ctx.options &= ~getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
		self.ctx.set_alpn_protocols(["http/1.1"])
		self.ctx.sni_callback = self.on_sni
		self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
		self.sock.bind(("127.0.0.1", 0))
		self.sock.listen(4)
		self.sock.settimeout(10)
		self.port = self.sock.getsockname()[1]

	def on_sni(self, sslsock, name, ctx):
		self.sni = name

	def serve(self):
		self.sni = None
		self.result = None
		th = threading.Thread(target=self.one, daemon=True)
		th.start()
		return th

	def one(self):
		r = {}
		try:
			s, _ = self.sock.accept()
			s.settimeout(5)
			ts = self.ctx.wrap_socket(s, server_side=True)
			r["sni"] = self.sni
			r["alpn"] = ts.selected_alpn_protocol()
			r["version"] = ts.version()
			head = b""
			while b"\r\n\r\n" not in head:
				d = ts.recv(4096)
				if not d:
					raise RuntimeError("EOF in the request")
				head += d
			hdr = {}
			for l in head.decode().split("\r\n")[1:]:
				if ":" in l:
					k, v = l.split(":", 1)
					hdr[k.strip().lower()] = v.strip()
			ts.sendall(("HTTP/1.1 101 Switching Protocols\r\n"
			    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
			    "Sec-WebSocket-Accept: %s\r\n"
			    "Sec-WebSocket-Protocol: %s\r\n\r\n" % (
			    T.accept_for(hdr["sec-websocket-key"]),
			    hdr["sec-websocket-protocol"])).encode())
			ts.sendall(T.frame(8, T.close_payload(1000), mask=False))
			got = b""
			while len(got) < 2 or len(got) < 2 + (got[1] & 0x7f) + 4:
				d = ts.recv(4096)
				if not d:
					raise RuntimeError("EOF before the close "
					    "frame")
				got += d
			r["close"] = got[0] == 0x88
			try:
				d = ts.recv(4096)
				r["close_notify"] = d == b""
				if d:
					r["after"] = d
			except ssl.SSLError as e:
				r["close_notify"] = False
				r["eof"] = str(e)
			ts.close()
		except Exception as e:
			r["error"] = "%s: %s" % (type(e).__name__, e)
		self.result = r


def own_server(ka):
	"""(d)"""
	srv = TLSServer()
	ca = path("ca.pem")
	for host, sni in (("localhost", "localhost"), ("127.0.0.1", None)):
		th = srv.serve()
		rc, out, err = sws("-C", ca, "-u", "wss://%s:%d/" % (host,
		    srv.port), "-k", ka, "listen")
		th.join(10)
		r = srv.result or {}
		if "error" in r:
			t.ok(False, "wss://%s: the server's side" % host,
			    "%s\nsws: exit %d, %r" % (r["error"], rc, err))
			continue
		t.eq(r.get("sni"), sni, "wss://%s: SNI %s" % (host,
		    sni if sni else "not sent for an IP literal"))
		t.eq(r.get("alpn"), "http/1.1", "wss://%s: ALPN http/1.1" % host)
		t.ok(r.get("close") and rc == 1 and err == "sws: closed by "
		    "relay with code 1000\n", "wss://%s: the client answers the "
		    "close frame" % host, "%r; exit %d, %r" % (r, rc, err))
		t.ok(r.get("close_notify"), "wss://%s: close_notify after the "
		    "WebSocket close handshake" % host, repr(r))
	srv.sock.close()


relay = None
try:
	if not os.access(SWS, os.X_OK):
		t.ok(False, "client/sws is built (make)")
		t.done()
	make_certs()
	relay = T.Relay()
	relay.wait_ready(relay.port)
	good, other, selfp = (T.free_port() for _ in range(3))
	os.mkdir(path("nginx"))
	with open(path("nginx.conf"), "w") as f:
		f.write(nginx_conf((("good", good), ("other", other),
		    ("self", selfp)), relay.port))
	out = open(path("nginx.out"), "wb")
	np = subprocess.Popen([NGINX, "-e", path("nginx-error.log"), "-c",
	    path("nginx.conf"), "-p", tmp + "/", "-g", "daemon off;"],
	    stdin=subprocess.DEVNULL, stdout=out, stderr=out, cwd=tmp,
	    start_new_session=True)
	out.close()
	procs.append(np)
	for p in (good, other, selfp):
		wait_port(p, np)
	t.ok(True, "nginx terminates TLS in front of a plain relay")
	ka, B = exchange(good)
	refusals(good, other, selfp, ka, B)
	own_server(ka)
	t.ok(np.poll() is None, "nginx still runs", output("nginx-error.log"))
	t.alive(relay, "after the wss:// clients")
except Exception as e:
	t.fail_all("wss://", e, relay)
finally:
	stop_procs()
	if relay is not None:
		relay.stop(check=False)
		relay.cleanup()
t.done()

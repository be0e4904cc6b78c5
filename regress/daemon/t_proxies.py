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

# The relay behind the real proxies Debian ships (issue 15 item 3), each
# started here, in the foreground, from a configuration generated on
# loopback ports; one relayd serves all of them:
#
#   a. haproxy mode tcp, send-proxy-v2     -> relayd "proxy protocol"
#   b. haproxy mode http, option forwardfor -> relayd, trusted proxy
#   c. nginx http (Upgrade, X-Forwarded-For) -> relayd, trusted proxy
#   d. nginx stream, proxy_protocol on (v1)  -> relayd "proxy protocol"
#
# Through each: two clients register and exchange a message; clients
# from 127.0.0.2 and 127.0.0.3 each get their own "max connections per
# address 2" (the third upgrade from 127.0.0.2 is answered 503 with
# Retry-After, passed through by the proxy, and the relay's log names
# 127.0.0.2); an X-Forwarded-For a client makes up does not move it out
# of its own count.  haproxy health-checks the relay with PROXY v2 LOCAL
# headers: the relay logs them, and haproxy keeps the server UP.
#
# Skipped (77) when haproxy, nginx or nginx's stream module is missing
# (scripts/deps.sh test installs them).

import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import swstest as T

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
STREAM_MOD = "/usr/lib/nginx/modules/ngx_stream_module.so"
for p in (HAPROXY, NGINX, STREAM_MOD):
	if not os.path.exists(p):
		sys.exit(77)

t = T.Tap(limit=90)
CAP = 2			# max connections per address
SRC_A = "127.0.0.2"	# the client whose cap is reached
SRC_B = "127.0.0.3"	# the client beside it, with its own count
SRC_SEND = "127.0.0.4"	# the two clients of the message exchange
SRC_RECV = "127.0.0.5"
# Regular expressions, with the client's address put in: the refusal
# line names the client (and its port, when a PROXY header gave one) and
# the listener; one line says both that it is over its cap and the 503.
REFUSED_LINE = (r"relay: %s(:\d+)? on [^:\n]*: (upgrade refused: HTTP 503: )?"
    r"over max connections per address")
ANSWER_LINE = (r"relay: %s(:\d+)? on [^:\n]*: upgrade refused: HTTP 503: "
    r"over max connections per address")
HEALTH_LINE = re.escape("PROXY v2 without a client address (health check)")

tmp = tempfile.mkdtemp(prefix="sws-proxies.")
os.chmod(tmp, 0o755)		# nginx's workers (nobody) use paths below
procs = []			# the proxies, each leading its process group


def stop_proxies():
	"""SIGTERM each proxy's process group, then SIGKILL what is left."""
	for p in procs:
		if p.poll() is None:
			try:
				os.killpg(p.pid, signal.SIGTERM)
			except OSError:
				pass
	deadline = time.monotonic() + 3
	for p in procs:
		try:
			p.wait(max(0.1, deadline - time.monotonic()))
		except subprocess.TimeoutExpired:
			pass
		try:
			os.killpg(p.pid, signal.SIGKILL)	# workers too
		except OSError:
			pass
		if p.poll() is None:
			p.wait()
	del procs[:]


atexit.register(stop_proxies)
# The Tap's time bound leaves with os._exit: stop the proxies first.
_tap_alarm = signal.getsignal(signal.SIGALRM)


def _alarm(sig, frm):
	stop_proxies()
	if not os.environ.get("SWS_KEEP"):
		shutil.rmtree(tmp, ignore_errors=True)
	_tap_alarm(sig, frm)


signal.signal(signal.SIGALRM, _alarm)


def start(name, argv):
	out = open(os.path.join(tmp, name + ".out"), "wb")
	p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
	    stderr=out, cwd=tmp, start_new_session=True)
	out.close()
	procs.append(p)
	return p


def output(name):
	try:
		with open(os.path.join(tmp, name), "rb") as f:
			return f.read().decode("utf-8", "replace")[-3000:]
	except OSError:
		return ""


def wait_port(port, p, name, timeout=10):
	"""Until something accepts on port (p still running)."""
	deadline = time.monotonic() + timeout
	while time.monotonic() < deadline:
		if p.poll() is not None:
			raise T.RelayError("%s exited %d:\n%s" % (name, p.returncode,
			    output(name + ".out")))
		try:
			socket.create_connection(("127.0.0.1", port), 0.5).close()
			return
		except OSError:
			time.sleep(0.05)
	raise T.RelayError("%s not listening on %d:\n%s" % (name, port,
	    output(name + ".out")))


def haproxy_conf(tcp_port, http_port, pp_port, plain_port):
	return """global
	pidfile %(tmp)s/haproxy.pid
	stats socket %(tmp)s/haproxy.sock mode 600 level admin
	log stderr format short local0 info

defaults
	log global
	timeout connect 3s
	timeout client 30s
	timeout server 30s
	# a WebSocket is a tunnel once upgraded
	timeout tunnel 60s

frontend ftcp
	mode tcp
	bind 127.0.0.1:%(tcp_port)d
	default_backend btcp

# Health checks open a connection that starts with a PROXY v2 LOCAL
# header; with fall 1 one failed check would mark the server DOWN.
backend btcp
	mode tcp
	server relay 127.0.0.1:%(pp_port)d send-proxy-v2 check check-send-proxy inter 1s fall 1 rise 1

frontend fhttp
	mode http
	bind 127.0.0.1:%(http_port)d
	option forwardfor
	default_backend bhttp

backend bhttp
	mode http
	server relay 127.0.0.1:%(plain_port)d
""" % dict(tmp=tmp, tcp_port=tcp_port, http_port=http_port,
	    pp_port=pp_port, plain_port=plain_port)


def nginx_conf(http_port, stream_port, pp_port, plain_port):
	return """load_module %(mod)s;
pid %(tmp)s/nginx.pid;
error_log %(tmp)s/nginx-error.log info;
worker_processes 1;
events {
	worker_connections 256;
}
http {
	access_log %(tmp)s/nginx-access.log;
	client_body_temp_path %(tmp)s/nginx/body;
	proxy_temp_path %(tmp)s/nginx/proxy;
	fastcgi_temp_path %(tmp)s/nginx/fastcgi;
	uwsgi_temp_path %(tmp)s/nginx/uwsgi;
	scgi_temp_path %(tmp)s/nginx/scgi;
	server {
		listen 127.0.0.1:%(http_port)d;
		location / {
			proxy_pass http://127.0.0.1:%(plain_port)d;
			proxy_http_version 1.1;
			proxy_set_header Upgrade $http_upgrade;
			proxy_set_header Connection "upgrade";
			proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
			proxy_set_header Host $host;
			proxy_read_timeout 60s;
		}
	}
}
stream {
	server {
		listen 127.0.0.1:%(stream_port)d;
		proxy_pass 127.0.0.1:%(pp_port)d;
		proxy_protocol on;
	}
}
""" % dict(mod=STREAM_MOD, tmp=tmp, http_port=http_port,
	    stream_port=stream_port, pp_port=pp_port, plain_port=plain_port)


def upgrade(port, source, extra=()):
	"""An upgrade request from source to port: (open socket, response
	head as T.HTTPResponse, with .eof)."""
	s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	try:
		s.settimeout(3)
		s.bind((source, 0))
		s.connect(("127.0.0.1", port))
		s.sendall(T.upgrade_request(port,
		    protocols=T.PROTO_NAMES["json"], extra=extra))
		head, _, eof = T._read_head(s, b"", 3)
	except OSError:
		s.close()
		raise
	r = T.HTTPResponse(head)
	r.eof = eof
	return s, r


def log_count(r, line):
	return len(re.findall(line, r.log()))


def wait_log(r, line, more_than, timeout=3):
	"""Until line appears in the relay's log more than more_than times."""
	deadline = time.monotonic() + timeout
	while True:
		n = log_count(r, line)
		if n > more_than or time.monotonic() > deadline:
			return n
		time.sleep(0.05)


def close_all(socks):
	for s in socks:
		try:
			s.close()
		except OSError:
			pass
	del socks[:]


def show(resps):
	return " ".join(str(x.status) for x in resps)


def exchange(name, port):
	"""(i) Two clients through the proxy: A SENDs to B's key, B gets the
	MESSAGE from A with the body, A gets the ACK."""
	url = "ws://127.0.0.1:%d/" % port

	async def run():
		a = await T.client(url, local_addr=(SRC_SEND, 0))
		try:
			b = await T.client(url, local_addr=(SRC_RECV, 0))
			try:
				body = os.urandom(24)
				await T.send_msg(a, {"type": "SEND", "to": b.pk,
				    "body": body, "id": 5})
				m = await T.recv_msg(b, 3)
				ack = await T.recv_msg(a, 3)
				return m, ack, body, a.pk
			finally:
				await b.close()
		finally:
			await a.close()

	try:
		m, ack, body, apk = T.arun(run(), 15)
	except Exception as e:
		t.ok(False, "%s: two clients register through the proxy" % name,
		    "%s: %s" % (type(e).__name__, e))
		return
	t.ok(True, "%s: two clients register through the proxy" % name)
	t.ok(m.get("type") == "MESSAGE" and m.get("body") == body and
	    m.get("from") == apk, "%s: SEND arrives as a MESSAGE from the "
	    "sender with its body" % name, repr(m))
	t.eq(ack, {"type": "ACK", "id": 5}, "%s: the sender gets its ACK" %
	    name)


def counted(port, extras_a, source_b=True):
	"""Upgrades from SRC_A (one per entry of extras_a, each its extra
	header lines), then CAP from SRC_B, all held open; returns the
	responses of each and the numbers of REFUSED_LINE and ANSWER_LINE
	lines for SRC_A logged before the last one from SRC_A.  The sockets
	are closed."""
	socks, ra, rb = [], [], []
	try:
		before = None
		for i, extra in enumerate(extras_a):
			if i == len(extras_a) - 1:
				before = [log_count(relay, l % re.escape(SRC_A)) for l in
				    (REFUSED_LINE, ANSWER_LINE)]
			s, resp = upgrade(port, SRC_A, extra)
			socks.append(s)
			ra.append(resp)
		if source_b:
			for i in range(CAP):
				s, resp = upgrade(port, SRC_B)
				socks.append(s)
				rb.append(resp)
	finally:
		close_all(socks)
	return ra, rb, before


def expected(ra, rb):
	return [x.status for x in ra] == [101] * CAP + [503] and \
	    [x.status for x in rb] == [101] * CAP


def with_retry(fn, good, name):
	"""fn() until good(result), at most 3 times.  A retry is needed only
	when the connections of the previous check were not yet given back
	(the proxy closes its side to the relay after the client's close)."""
	for i in range(3):
		time.sleep(0.3)
		res = fn()
		if good(res) or i == 2:
			return res
		print("# %s: retried after %r" % (name, [show(x) for x in
		    res[:2]]), flush=True)


def limits(name, port):
	"""(ii) per-address caps through the proxy, (iii) the log names the
	client."""
	ra, rb, before = with_retry(lambda: counted(port, [()] * (CAP + 1)),
	    lambda res: expected(res[0], res[1]), name)
	t.eq([x.status for x in ra[:CAP]], [101] * CAP, "%s: %d upgrades "
	    "from %s are accepted (101)" % (name, CAP, SRC_A))
	third = ra[CAP]
	t.ok(third.status == 503 and third.header("Retry-After") is not None
	    and third.header("Retry-After").isdigit(), "%s: the next one "
	    "from %s is refused 503 with Retry-After" % (name, SRC_A),
	    repr(third))
	t.eq([x.status for x in rb], [101] * CAP, "%s: %s still gets %d "
	    "upgrades (101) beside it" % (name, SRC_B, CAP))
	n = wait_log(relay, REFUSED_LINE % re.escape(SRC_A), before[0])
	t.ok(n > before[0], "%s: the relay's log names %s as over its cap" %
	    (name, SRC_A), relay.log()[-1500:])
	# The refusal's own line too names the client, not the proxy.
	n = wait_log(relay, ANSWER_LINE % re.escape(SRC_A), before[1])
	t.ok(n > before[1], "%s: the 503 is logged for %s" % (name, SRC_A),
	    relay.log()[-1500:])
	t.ok(log_count(relay, REFUSED_LINE % re.escape(SRC_B)) == 0 and
	    log_count(relay, ANSWER_LINE % re.escape(SRC_B)) == 0,
	    "%s: nothing refused for %s" % (name, SRC_B))


def spoofing(name, port):
	"""(iv) a client's own X-Forwarded-For does not name it: three
	upgrades from SRC_A claiming three addresses are still counted as
	SRC_A's."""
	fakes = ["198.51.100.%d" % (9 + i) for i in range(CAP + 1)]
	extras = [["X-Forwarded-For: %s" % f] for f in fakes]
	ra, _, before = with_retry(lambda: counted(port, extras, False),
	    lambda res: [x.status for x in res[0]] == [101] * CAP + [503],
	    name + " spoofed")
	t.eq([x.status for x in ra], [101] * CAP + [503], "%s: upgrades from "
	    "%s with made-up X-Forwarded-For still count as %s (third: 503)" %
	    (name, SRC_A, SRC_A))
	n = wait_log(relay, REFUSED_LINE % re.escape(SRC_A), before[0])
	t.ok(n > before[0] and not any(log_count(relay, REFUSED_LINE %
	    re.escape(f)) for f in fakes), "%s: the log names %s, not the made-up address" %
	    (name, SRC_A))


def haproxy_state():
	"""(status, check_status) of backend btcp's server from the stats
	socket ("show stat" CSV), or None."""
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.settimeout(2)
	try:
		s.connect(os.path.join(tmp, "haproxy.sock"))
		s.sendall(b"show stat\n")
		data = b""
		while True:
			d = s.recv(65536)
			if not d:
				break
			data += d
	except OSError:
		return None
	finally:
		s.close()
	lines = data.decode("latin-1").splitlines()
	if not lines or not lines[0].startswith("# "):
		return None
	cols = lines[0][2:].split(",")
	for l in lines[1:]:
		row = dict(zip(cols, l.split(",")))
		if row.get("pxname") == "btcp" and row.get("svname") == "relay":
			return row.get("status"), row.get("check_status")
	return None


def health():
	"""(v) haproxy's checks reach the relay as PROXY v2 LOCAL, are logged
	and closed, and haproxy keeps the server UP."""
	n = wait_log(relay, HEALTH_LINE, 0, timeout=5)
	t.ok(n > 0, "haproxy tcp: the relay logs haproxy's PROXY v2 LOCAL "
	    "health check", relay.log()[-1500:])
	# Two more checks (inter 1s, fall 1): each would mark it DOWN.
	time.sleep(2.2)
	st = haproxy_state()
	t.ok(st is not None and st[0] == "UP" and st[1] == "L4OK",
	    "haproxy tcp: haproxy's check finds the relay UP (L4OK)",
	    "stats: %r\n%s" % (st, output("haproxy.out")))
	t.ok(log_count(relay, HEALTH_LINE) > n, "haproxy tcp: later checks "
	    "are logged too")


relay = None
try:
	pp_port = T.free_port()
	relay = T.Relay("listen on 127.0.0.1 port %d proxy protocol\n"
	    "trusted proxy 127.0.0.1\n"
	    "max connections per address %d\n" % (pp_port, CAP), verbose=True)
	relay.wait_ready(relay.port)
	plain_port = relay.port
	ha_tcp, ha_http, ng_http, ng_stream = (T.free_port() for _ in range(4))
	hconf = os.path.join(tmp, "haproxy.cfg")
	with open(hconf, "w") as f:
		f.write(haproxy_conf(ha_tcp, ha_http, pp_port, plain_port))
	os.mkdir(os.path.join(tmp, "nginx"))
	nconf = os.path.join(tmp, "nginx.conf")
	with open(nconf, "w") as f:
		f.write(nginx_conf(ng_http, ng_stream, pp_port, plain_port))
	hp = start("haproxy", [HAPROXY, "-f", hconf, "-db"])
	np = start("nginx", [NGINX, "-e", os.path.join(tmp, "nginx-error.log"),
	    "-c", nconf, "-p", tmp + "/", "-g", "daemon off;"])
	wait_port(ha_tcp, hp, "haproxy")
	wait_port(ha_http, hp, "haproxy")
	wait_port(ng_http, np, "nginx")
	wait_port(ng_stream, np, "nginx")
	t.ok(True, "haproxy (tcp and http) and nginx (http and stream) run "
	    "in front of the relay")

	setups = [
		("haproxy tcp send-proxy-v2", ha_tcp),
		("haproxy http forwardfor", ha_http),
		("nginx http", ng_http),
		("nginx stream proxy_protocol", ng_stream),
	]
	for name, port in setups:
		for part in (exchange, limits, spoofing):
			try:
				part(name, port)
			except Exception as e:
				t.fail_all("%s: %s" % (name, part.__name__), e, relay)
	try:
		health()
	except Exception as e:
		t.fail_all("haproxy health check", e, relay)
	t.ok(hp.poll() is None and np.poll() is None, "the proxies still run",
	    output("haproxy.out") + output("nginx-error.log"))
	t.ok(log_count(relay, "PROXY header refused") == 0 and
	    log_count(relay, "forwarding headers not used") == 0,
	    "no PROXY header or forwarding header was refused",
	    "\n".join(l for l in relay.log().splitlines() if
	    "refused" in l or "not used" in l)[-1500:])
	t.alive(relay, "after the proxies")
except Exception as e:
	t.fail_all("setup", e, relay)
finally:
	stop_proxies()
	if relay is not None:
		try:
			relay.stop(check=False)
		finally:
			relay.cleanup()
	if os.environ.get("SWS_KEEP"):
		sys.stderr.write("t_proxies: kept %s\n" % tmp)
	else:
		shutil.rmtree(tmp, ignore_errors=True)
t.done()

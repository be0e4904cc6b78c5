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
swstest: harness for the integration tests of relayd (sws/1).

Runs the real daemon (relayd/relayd, cryptod/cryptod from SWS_TOP) on a
free loopback port with a fresh key and a generated configuration, and
gives tests independent client helpers: the sws/1 encodings (JSON with
strict base64url, msgpack), the registration exchange with python3-nacl,
asyncio clients on the `websockets` library, and raw sockets for HTTP
requests and hand-made (also invalid) WebSocket frames.

Command line, used by tests written in other languages:

    /usr/bin/python3 regress/lib/swstest.py run [--conf "extra lines"] \
        -- CMD ARGS...

starts a relay, runs CMD with SWS_URL (ws://127.0.0.1:PORT/; with SWS_TLS
set in the environment, wss:// on a TLS listener with a self-signed
certificate that NODE_EXTRA_CA_CERTS names) and
SWS_SERVER_KEY (base64url) in its environment, stops the relay and exits
with CMD's status.  --conf may be repeated; each value is one or more
configuration lines.  CMD may stop the relay with SIGUSR1 to the harness
(SWS_HARNESS_PID) and start it again, same port and key, with SIGUSR2.

Environment: SWS_TOP (repository root; default: two levels above this
file's directory), SWS_RELAYD / SWS_CRYPTOD / SWS_CA (other binaries,
e.g. the sanitizer build), SWS_KEEP=1 (keep the temporary directory),
SWS_VERBOSE=1 (run the daemon with -v).
"""

import asyncio
import base64
import binascii
import hashlib
import json
import os
import pwd
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

try:
	import msgpack
except ImportError:		# only the CLI works without it
	msgpack = None
try:
	import nacl.public
	import nacl.utils
except ImportError:
	nacl = None

TOP = os.environ.get("SWS_TOP") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
RELAYD = os.environ.get("SWS_RELAYD") or os.path.join(TOP, "relayd", "relayd")
CRYPTOD = os.environ.get("SWS_CRYPTOD") or os.path.join(TOP, "cryptod",
    "cryptod")
CA = os.environ.get("SWS_CA") or os.path.join(TOP, "ca", "relayd-ca")
VECTORS = os.path.join(TOP, "regress", "vectors.json")
if not os.path.exists(VECTORS):
	VECTORS = os.path.join(os.path.dirname(TOP), "shared", "vectors.json")

USER = "_relayd"
CHROOT = "/var/empty"
WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

PROTO_NAMES = {"json": "sws.v1.json", "msgpack": "sws.v1.msgpack"}

# SPEC section 6: fields holding bytes (bin in msgpack, base64url in JSON).
BYTE_FIELDS = ("server", "challenge", "publicKey", "nonce", "box", "proof",
    "to", "from", "body")
TEXT_FIELDS = ("type", "room", "reason", "code", "message", "state")


class RelayError(Exception):
	pass


class TestTimeout(Exception):
	pass


# ---------------------------------------------------------------------
# base64url (RFC 4648 section 5, no padding, strict)

_B64URL = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    b"0123456789-_")


def b64e(b):
	"""bytes -> base64url text without padding."""
	return base64.urlsafe_b64encode(bytes(b)).rstrip(b"=").decode("ascii")


def b64d(s):
	"""Strict base64url decode: no padding, no other alphabet, no
	whitespace, no length 4n+1, no non-zero trailing bits."""
	if isinstance(s, str):
		try:
			s = s.encode("ascii")
		except UnicodeEncodeError:
			raise ValueError("non-ASCII in base64url")
	if any(c not in _B64URL for c in s):
		raise ValueError("bad base64url character")
	if len(s) % 4 == 1:
		raise ValueError("bad base64url length")
	try:
		out = base64.urlsafe_b64decode(s + b"=" * (-len(s) % 4))
	except binascii.Error as e:
		raise ValueError(str(e))
	if b64e(out).encode("ascii") != s:
		raise ValueError("non-canonical base64url (trailing bits)")
	return out


def load_vectors():
	with open(VECTORS) as f:
		return json.load(f)


# ---------------------------------------------------------------------
# sws/1 messages

def proto_of(ws):
	"""'json' or 'msgpack' for a websockets client or a RawWS."""
	sp = getattr(ws, "subprotocol", None)
	return "msgpack" if sp == "sws.v1.msgpack" else "json"


def encode_msg(proto, obj):
	"""Encode a dict whose byte fields hold bytes: JSON text (byte fields
	as base64url) or msgpack bytes (byte fields as bin)."""
	if proto == "msgpack":
		return msgpack.packb(obj, use_bin_type=True)

	def conv(k, v):
		if isinstance(v, (bytes, bytearray)):
			return b64e(v)
		if isinstance(v, list):
			return [b64e(x) if isinstance(x, (bytes, bytearray))
			    else x for x in v]
		if isinstance(v, dict):
			return {kk: conv(kk, vv) for kk, vv in v.items()}
		return v
	return json.dumps({k: conv(k, v) for k, v in obj.items()},
	    separators=(",", ":"), ensure_ascii=False)


def _nodup(pairs):
	d = {}
	for k, v in pairs:
		if k in d:
			raise ValueError("duplicate key %r from relay" % k)
		d[k] = v
	return d


def decode_msg(proto, data):
	"""Decode one server message, checking the frame type (text for
	JSON, binary for msgpack) and the field types of SPEC section 6.
	Byte fields come back as bytes in both encodings."""
	if proto == "msgpack":
		if not isinstance(data, (bytes, bytearray)):
			raise ValueError("text message on msgpack: %r" % data[:200])
		obj = msgpack.unpackb(bytes(data), raw=False,
		    strict_map_key=True)
		if not isinstance(obj, dict):
			raise ValueError("msgpack message is not a map")
		for k in BYTE_FIELDS:
			if k in obj and not isinstance(obj[k], bytes):
				raise ValueError("msgpack field %s not bin: %r"
				    % (k, obj[k]))
		if "members" in obj:
			for m in obj["members"]:
				if not isinstance(m, bytes):
					raise ValueError("msgpack member not bin")
		for k in TEXT_FIELDS:
			if k in obj and not isinstance(obj[k], str):
				raise ValueError("msgpack field %s not str" % k)
		return obj
	if not isinstance(data, str):
		raise ValueError("binary message on JSON: %r" % bytes(data[:200]))
	obj = json.loads(data, object_pairs_hook=_nodup)
	if not isinstance(obj, dict):
		raise ValueError("JSON message is not an object")
	for k in BYTE_FIELDS:
		if k in obj:
			if not isinstance(obj[k], str):
				raise ValueError("JSON field %s not a string" % k)
			obj[k] = b64d(obj[k])
	if "members" in obj:
		obj["members"] = [b64d(m) for m in obj["members"]]
	for k in TEXT_FIELDS:
		if k in obj and not isinstance(obj[k], str):
			raise ValueError("JSON field %s not a string" % k)
	return obj


def keypair():
	"""A fresh X25519 key pair: (secret key bytes, public key bytes)."""
	sk = nacl.public.PrivateKey.generate()
	return bytes(sk), bytes(sk.public_key)


def box(msg, nonce, pk, sk):
	"""crypto_box_easy(msg, nonce, pk, sk): 16-byte tag first."""
	b = nacl.public.Box(nacl.public.PrivateKey(sk), nacl.public.PublicKey(pk))
	return b.encrypt(msg, nonce).ciphertext


def box_open(c, nonce, pk, sk):
	b = nacl.public.Box(nacl.public.PrivateKey(sk), nacl.public.PublicKey(pk))
	return b.decrypt(c, nonce)


def challenge_response(chal, sk, pk, binding, nonce=None):
	"""The CHALLENGE_RESPONSE for a decoded CHALLENGE (SPEC section 3)."""
	if isinstance(binding, str):
		binding = binding.encode("utf-8")
	if nonce is None:
		nonce = os.urandom(24)
	bx = box(chal["challenge"] + binding, nonce, chal["server"], sk)
	return {"type": "CHALLENGE_RESPONSE", "publicKey": pk, "nonce": nonce,
	    "box": bx}


def check_challenge(msg, server_pk=None):
	"""Raise unless msg is a well-formed CHALLENGE."""
	if msg.get("type") != "CHALLENGE":
		raise RelayError("expected CHALLENGE, got %r" % (msg,))
	if msg.get("version") != 1:
		raise RelayError("CHALLENGE version %r" % msg.get("version"))
	if len(msg.get("challenge", b"")) != 32 or len(msg.get("server",
	    b"")) != 32:
		raise RelayError("CHALLENGE with bad sizes: %r" % (msg,))
	if server_pk is not None and msg["server"] != server_pk:
		raise RelayError("CHALLENGE server key is not the relay's")


def verify_proof(reg, challenge, sk, pk, server_pk):
	"""True when REGISTER_SUCCESS's proof opens to challenge || pk."""
	proof = reg.get("proof", b"")
	if len(proof) != 104:
		return False
	try:
		m = box_open(proof[24:], proof[:24], server_pk, sk)
	except Exception:
		return False
	return m == challenge + pk


def max_body(max_message):
	"""SPEC section 3: floor((maxMessage - 512) * 3 / 4)."""
	return (max_message - 512) * 3 // 4


class RegisterFailed(Exception):
	def __init__(self, msg):
		Exception.__init__(self, "registration failed: %r" % (msg,))
		self.msg = msg


# ---------------------------------------------------------------------
# asyncio clients on the websockets library

async def connect(url, proto="json", timeout=5, **kw):
	"""Open a WebSocket.  proto: 'json', 'msgpack', None (offer none) or
	a list of subprotocol names to offer."""
	import websockets
	if proto is None:
		sp = None
	elif isinstance(proto, (list, tuple)):
		sp = list(proto)
	else:
		sp = [PROTO_NAMES[proto]]
	args = dict(subprotocols=sp, open_timeout=timeout, ping_interval=None,
	    close_timeout=2, max_size=2 ** 21, compression=None)
	args.update(kw)
	return await asyncio.wait_for(websockets.connect(url, **args),
	    timeout + 1)


async def recv_msg(ws, timeout=3):
	"""Receive and decode one message in the connection's encoding."""
	data = await asyncio.wait_for(ws.recv(), timeout)
	return decode_msg(proto_of(ws), data)


async def recv_until(ws, pred, timeout=3):
	"""Receive messages until pred(msg); return (msg, skipped list)."""
	skipped = []
	deadline = time.monotonic() + timeout
	while True:
		left = deadline - time.monotonic()
		if left <= 0:
			raise asyncio.TimeoutError("no matching message; got %r"
			    % (skipped,))
		m = await recv_msg(ws, left)
		if pred(m):
			return m, skipped
		skipped.append(m)


async def no_msg(ws, timeout=0.3):
	"""None when nothing arrives within timeout, else what arrived."""
	try:
		data = await asyncio.wait_for(ws.recv(), timeout)
	except asyncio.TimeoutError:
		return None
	try:
		return decode_msg(proto_of(ws), data)
	except Exception:
		return data


async def send_msg(ws, obj):
	await ws.send(encode_msg(proto_of(ws), obj))


async def close_code(ws, timeout=3):
	"""Wait for the connection to end; return (close code or None,
	messages received before).  1006 means no close frame."""
	import websockets
	msgs = []
	deadline = time.monotonic() + timeout
	try:
		while True:
			left = deadline - time.monotonic()
			if left <= 0:
				return None, msgs
			data = await asyncio.wait_for(ws.recv(), left)
			try:
				msgs.append(decode_msg(proto_of(ws), data))
			except Exception:
				msgs.append(data)
	except websockets.ConnectionClosed as e:
		return e.code, msgs
	except asyncio.TimeoutError:
		return None, msgs


async def register(ws, sk, pk, binding=None, nonce=None, server_pk=None,
    timeout=3):
	"""The CHALLENGE / CHALLENGE_RESPONSE exchange on a websockets client
	(JSON or msgpack after its subprotocol).  binding None: host:port of
	the peer, as in ws://127.0.0.1:PORT/.  Returns REGISTER_SUCCESS
	(also kept as ws.reg, the challenge as ws.challenge) or raises
	RegisterFailed."""
	chal = await recv_msg(ws, timeout)
	check_challenge(chal, server_pk)
	if binding is None:
		host, port = ws.remote_address[:2]
		binding = "%s:%d" % (host, port)
	await send_msg(ws, challenge_response(chal, sk, pk, binding, nonce))
	reg = await recv_msg(ws, timeout)
	ws.challenge = chal["challenge"]
	ws.server_key = chal["server"]
	if reg.get("type") != "REGISTER_SUCCESS":
		raise RegisterFailed(reg)
	ws.reg = reg
	ws.sk, ws.pk = sk, pk
	return reg


async def client(relay_or_url, proto="json", sk=None, pk=None, path="",
    **kw):
	"""Connect and register; the returned connection carries .sk, .pk,
	.reg (REGISTER_SUCCESS), .challenge."""
	url = relay_or_url.url if isinstance(relay_or_url, Relay) else \
	    relay_or_url
	if path:
		url = url.rstrip("/") + path
	if sk is None:
		sk, pk = keypair()
	ws = await connect(url, proto, **kw)
	binding = relay_or_url.binding if isinstance(relay_or_url, Relay) \
	    else None
	try:
		await register(ws, sk, pk, binding)
	except BaseException:
		await ws.close()
		raise
	return ws


async def alive_async(relay, proto="json"):
	"""A fresh client registers and gets a SEND to itself back."""
	ws = await client(relay, proto)
	try:
		body = os.urandom(17)
		await send_msg(ws, {"type": "SEND", "to": ws.pk, "body": body,
		    "id": 1})
		got = []
		for _ in range(2):
			got.append(await recv_msg(ws, 3))
		types = sorted(m["type"] for m in got)
		if types != ["ACK", "MESSAGE"]:
			raise RelayError("alive: got %r" % (got,))
		m = [x for x in got if x["type"] == "MESSAGE"][0]
		if m["body"] != body or m["from"] != ws.pk:
			raise RelayError("alive: bad MESSAGE %r" % (m,))
		return True
	finally:
		await ws.close()


# ---------------------------------------------------------------------
# raw sockets

class HTTPResponse:
	def __init__(self, raw):
		self.raw = raw
		head = raw.split(b"\r\n\r\n", 1)[0]
		lines = head.split(b"\r\n")
		self.status_line = lines[0].decode("latin-1") if lines else ""
		parts = self.status_line.split(" ", 2)
		try:
			self.status = int(parts[1])
		except (IndexError, ValueError):
			self.status = None
		self.headers = []
		for l in lines[1:]:
			if b":" in l:
				k, v = l.split(b":", 1)
				self.headers.append((k.decode("latin-1").strip(),
				    v.decode("latin-1").strip()))
		self.complete = b"\r\n\r\n" in raw

	def header(self, name):
		"""Values of a header, comma-joined, or None."""
		v = [b for a, b in self.headers if a.lower() == name.lower()]
		return ", ".join(v) if v else None

	def __repr__(self):
		return "<HTTP %r %r>" % (self.status, self.raw[:300])


def ws_key():
	return base64.b64encode(os.urandom(16)).decode("ascii")


def accept_for(key):
	if isinstance(key, str):
		key = key.encode("ascii")
	return base64.b64encode(hashlib.sha1(key + WS_GUID).digest()).decode()


def upgrade_request(port, path="/", key=None, version="13", protocols=None,
    origin=None, extra=(), method="GET", upgrade="websocket",
    connection="Upgrade", host=None, http="HTTP/1.1"):
	"""Bytes of an upgrade request.  A header given as None is left
	out; extra is a list of raw header lines (str)."""
	if key is None:
		key = ws_key()
	if host is None:
		host = "127.0.0.1:%d" % port
	lines = ["%s %s %s" % (method, path, http)]
	if host is not False:
		lines.append("Host: %s" % host)
	if upgrade is not None:
		lines.append("Upgrade: %s" % upgrade)
	if connection is not None:
		lines.append("Connection: %s" % connection)
	if key is not False:
		lines.append("Sec-WebSocket-Key: %s" % key)
	if version is not None:
		lines.append("Sec-WebSocket-Version: %s" % version)
	if protocols is not None:
		lines.append("Sec-WebSocket-Protocol: %s" % protocols)
	if origin is not None:
		lines.append("Origin: %s" % origin)
	lines.extend(extra)
	return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


# An ssl.SSLContext: when set, the helpers below speak TLS (tests of
# wss://, t_tls.py), with TLS_SNI as the server name.
TLS_CTX = None
TLS_SNI = None


def _sock(port, timeout, source=None):
	s = socket.create_connection(("127.0.0.1", port), timeout=timeout,
	    source_address=(source, 0) if source else None)
	s.settimeout(timeout)
	if TLS_CTX is not None:
		s = TLS_CTX.wrap_socket(s, server_hostname=TLS_SNI)
	return s


def _read_head(s, buf=b"", timeout=3):
	"""Read until the end of an HTTP head, EOF or timeout.  Returns
	(head bytes incl. blank line, rest, eof)."""
	deadline = time.monotonic() + timeout
	while b"\r\n\r\n" not in buf:
		left = deadline - time.monotonic()
		if left <= 0:
			return buf, b"", False
		s.settimeout(left)
		try:
			d = s.recv(65536)
		except socket.timeout:
			return buf, b"", False
		except ConnectionResetError:
			return buf, b"", True
		if not d:
			return buf, b"", True
		buf += d
	i = buf.index(b"\r\n\r\n") + 4
	return buf[:i], buf[i:], False


def http_request(port, data, timeout=3, source=None):
	"""Send raw bytes, read the answer's head.  Returns an HTTPResponse
	(status None when nothing or garbage came back) with .eof telling
	whether the relay then closed the connection (checked briefly)."""
	s = _sock(port, timeout, source)
	try:
		try:
			s.sendall(data)
		except (BrokenPipeError, ConnectionResetError):
			pass
		head, rest, eof = _read_head(s, b"", timeout)
		r = HTTPResponse(head)
		r.rest = rest
		if not eof and r.complete:
			eof = wait_eof(s, 1.0)
		r.eof = eof
		return r
	finally:
		s.close()


def wait_eof(s, timeout):
	"""True when the peer closes (EOF or reset) within timeout; data
	read meanwhile is dropped."""
	deadline = time.monotonic() + timeout
	while True:
		left = deadline - time.monotonic()
		if left <= 0:
			return False
		s.settimeout(left)
		try:
			d = s.recv(65536)
		except socket.timeout:
			return False
		except (ConnectionResetError, BrokenPipeError):
			return True
		if not d:
			return True


def frame(opcode, payload=b"", fin=True, rsv=0, mask=True, maskkey=None,
    length=None, lenform=None):
	"""One WebSocket frame built by hand.  rsv: bits 0..7 (4=RSV1,
	2=RSV2, 1=RSV3); mask False for an unmasked frame; length: the
	declared length when it should differ from the payload's;
	lenform: 7, 16 or 64 to force the length encoding."""
	if isinstance(payload, str):
		payload = payload.encode("utf-8")
	n = len(payload) if length is None else length
	b0 = (0x80 if fin else 0) | ((rsv & 7) << 4) | (opcode & 0x0f)
	mb = 0x80 if mask else 0
	if lenform is None:
		lenform = 7 if n < 126 else (16 if n < 65536 else 64)
	if lenform == 7:
		hdr = struct.pack("!BB", b0, mb | n)
	elif lenform == 16:
		hdr = struct.pack("!BBH", b0, mb | 126, n)
	else:
		hdr = struct.pack("!BBQ", b0, mb | 127, n)
	if not mask:
		return hdr + payload
	if maskkey is None:
		maskkey = os.urandom(4)
	return hdr + maskkey + mask_bytes(payload, maskkey)


def mask_bytes(p, key):
	if not p:
		return b""
	k = (key * (len(p) // 4 + 1))[:len(p)]
	return (int.from_bytes(p, "big") ^ int.from_bytes(k, "big")).to_bytes(
	    len(p), "big")


def close_payload(code, reason=b""):
	if isinstance(reason, str):
		reason = reason.encode("utf-8")
	return struct.pack("!H", code) + reason


class Frame:
	def __init__(self, fin, rsv, opcode, masked, payload):
		self.fin, self.rsv, self.opcode = fin, rsv, opcode
		self.masked, self.payload = masked, payload

	@property
	def close_code(self):
		if len(self.payload) >= 2:
			return struct.unpack("!H", self.payload[:2])[0]
		return None

	def __repr__(self):
		return "<Frame op=%d fin=%d len=%d %r>" % (self.opcode, self.fin,
		    len(self.payload), self.payload[:60])


class RawWS:
	"""A WebSocket client on a plain socket: frames are built and read
	by hand, nothing is answered automatically."""

	def __init__(self, port, path="/", proto="json", timeout=3,
	    request=None, key=None, extra=(), source=None, rcvbuf=None):
		self.port = port
		self.timeout = timeout
		if rcvbuf is None:
			self.sock = _sock(port, timeout, source)
		else:
			# a small receive window, set before the handshake
			self.sock = socket.socket(socket.AF_INET,
			    socket.SOCK_STREAM)
			self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF,
			    rcvbuf)
			if source:
				self.sock.bind((source, 0))
			self.sock.settimeout(timeout)
			self.sock.connect(("127.0.0.1", port))
		self.buf = b""
		self.key = key or ws_key()
		if request is None:
			protos = None
			if isinstance(proto, (list, tuple)):
				protos = ", ".join(proto)
			elif proto is not None:
				protos = PROTO_NAMES[proto]
			request = upgrade_request(port, path, key=self.key,
			    protocols=protos, extra=extra)
		self.sock.sendall(request)
		head, self.buf, eof = _read_head(self.sock, b"", timeout)
		self.response = HTTPResponse(head)
		if self.response.status != 101:
			self.sock.close()
			e = RelayError("upgrade refused (%s): %r" % ("closed" if eof
			    else "open", self.response))
			e.response, e.eof = self.response, eof
			raise e
		self.subprotocol = self.response.header("Sec-WebSocket-Protocol")

	def proto(self):
		return proto_of(self)

	def send(self, data):
		self.sock.sendall(data)

	def send_frame(self, opcode, payload=b"", **kw):
		self.sock.sendall(frame(opcode, payload, **kw))

	def send_text(self, text):
		self.send_frame(0x1, text.encode("utf-8") if isinstance(text,
		    str) else text)

	def send_binary(self, data):
		self.send_frame(0x2, data)

	def send_close(self, code=1000, reason=b""):
		self.send_frame(0x8, close_payload(code, reason) if code
		    is not None else b"")

	def _fill(self, n, deadline):
		while len(self.buf) < n:
			left = deadline - time.monotonic()
			if left <= 0:
				raise socket.timeout("timed out reading frame")
			self.sock.settimeout(left)
			try:
				d = self.sock.recv(max(65536, n - len(self.buf)))
			except ConnectionResetError:
				d = b""
			if not d:
				raise EOFError("connection closed")
			self.buf += d

	def recv_frame(self, timeout=None):
		"""The next frame; raises EOFError on EOF, socket.timeout."""
		deadline = time.monotonic() + (timeout or self.timeout)
		self._fill(2, deadline)
		b0, b1 = self.buf[0], self.buf[1]
		n = b1 & 0x7f
		off = 2
		if n == 126:
			self._fill(4, deadline)
			n = struct.unpack("!H", self.buf[2:4])[0]
			off = 4
		elif n == 127:
			self._fill(10, deadline)
			n = struct.unpack("!Q", self.buf[2:10])[0]
			off = 10
		masked = bool(b1 & 0x80)
		mk = None
		if masked:
			self._fill(off + 4, deadline)
			mk = self.buf[off:off + 4]
			off += 4
		self._fill(off + n, deadline)
		payload = self.buf[off:off + n]
		if masked:
			payload = mask_bytes(payload, mk)
		self.buf = self.buf[off + n:]
		return Frame(bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0x0f, masked,
		    payload)

	def recv_message(self, timeout=None, pong=True):
		"""The next data message, reassembled: (opcode, payload).
		Pings are answered when pong; a close raises EOFError."""
		deadline = time.monotonic() + (timeout or self.timeout)
		op, parts = None, []
		while True:
			f = self.recv_frame(max(0.01, deadline - time.monotonic()))
			if f.opcode == 0x9:
				if pong:
					self.send_frame(0xa, f.payload)
				continue
			if f.opcode == 0xa:
				continue
			if f.opcode == 0x8:
				self.last_close = f
				raise EOFError("close frame %r" % f.close_code)
			if f.opcode in (1, 2):
				op = f.opcode
			parts.append(f.payload)
			if f.fin:
				return op, b"".join(parts)

	def recv_msg(self, timeout=None):
		"""The next sws/1 message, decoded per the subprotocol."""
		op, data = self.recv_message(timeout)
		if op == 1:
			data = data.decode("utf-8")
		return decode_msg(self.proto(), data)

	def send_msg(self, obj):
		data = encode_msg(self.proto(), obj)
		if isinstance(data, str):
			self.send_frame(0x1, data.encode("utf-8"))
		else:
			self.send_frame(0x2, data)

	def expect_close(self, timeout=None):
		"""Read until a close frame: returns (code, reason, frames before).
		code is None for an empty close, -1 for EOF without a close
		frame, -2 for a timeout."""
		deadline = time.monotonic() + (timeout or self.timeout)
		before = []
		while True:
			left = deadline - time.monotonic()
			if left <= 0:
				return -2, b"", before
			try:
				f = self.recv_frame(left)
			except EOFError:
				return -1, b"", before
			except socket.timeout:
				return -2, b"", before
			if f.opcode == 0x8:
				self.last_close = f
				return f.close_code, f.payload[2:], before
			before.append(f)

	def eof(self, timeout=2):
		"""True when the relay closes the TCP connection in time."""
		return wait_eof(self.sock, timeout)

	def register(self, sk, pk, binding=None, server_pk=None):
		"""Registration over raw frames; returns REGISTER_SUCCESS."""
		chal = self.recv_msg()
		check_challenge(chal, server_pk)
		if binding is None:
			binding = "127.0.0.1:%d" % self.port
		self.send_msg(challenge_response(chal, sk, pk, binding))
		reg = self.recv_msg()
		self.challenge = chal["challenge"]
		if reg.get("type") != "REGISTER_SUCCESS":
			raise RegisterFailed(reg)
		self.reg, self.sk, self.pk = reg, sk, pk
		return reg

	def close(self):
		try:
			self.sock.close()
		except OSError:
			pass

	def __enter__(self):
		return self

	def __exit__(self, *a):
		self.close()


def alive(relay, proto="json", port=None):
	"""Synchronous check that a fresh raw client registers and routes a
	message to itself (on relay.port or port); raises on failure."""
	with RawWS(port or relay.port, proto=proto) as c:
		sk, pk = keypair()
		c.register(sk, pk, relay.binding)
		body = os.urandom(9)
		c.send_msg({"type": "SEND", "to": pk, "body": body, "id": 5})
		got = [c.recv_msg(), c.recv_msg()]
		types = sorted(m["type"] for m in got)
		if types != ["ACK", "MESSAGE"]:
			raise RelayError("alive: got %r" % (got,))
		m = [x for x in got if x["type"] == "MESSAGE"][0]
		if m["body"] != body or m["from"] != pk:
			raise RelayError("alive: bad MESSAGE %r" % (m,))
		c.send_close(1000)
		return True


# ---------------------------------------------------------------------
# processes

def free_port(kind=socket.SOCK_STREAM):
	"""A loopback port free now (TCP, or UDP with SOCK_DGRAM)."""
	s = socket.socket(socket.AF_INET, kind)
	s.bind(("127.0.0.1", 0))
	p = s.getsockname()[1]
	s.close()
	return p


def proc_stat(pid):
	"""(state, ppid, starttime) of a process, or None."""
	try:
		with open("/proc/%d/stat" % pid) as f:
			s = f.read()
	except OSError:
		return None
	rest = s[s.rindex(")") + 2:].split()
	return rest[0], int(rest[1]), int(rest[19])


def proc_cmdline(pid):
	try:
		with open("/proc/%d/cmdline" % pid, "rb") as f:
			return f.read().replace(b"\0", b" ").decode(
			    "utf-8", "replace").strip()
	except OSError:
		return None


def proc_title(pid):
	"""The first NUL-separated field of /proc/PID/cmdline."""
	try:
		with open("/proc/%d/cmdline" % pid, "rb") as f:
			return f.read().split(b"\0")[0].decode("utf-8", "replace")
	except OSError:
		return None


def proc_status(pid):
	d = {}
	try:
		with open("/proc/%d/status" % pid) as f:
			for l in f:
				k, _, v = l.partition(":")
				d[k] = v.strip()
	except OSError:
		return None
	return d


def children_of(pid):
	out = []
	for d in os.listdir("/proc"):
		if not d.isdigit():
			continue
		st = proc_stat(int(d))
		if st is not None and st[1] == pid and st[0] != "Z":
			out.append(int(d))
	return sorted(out)


def ensure_user():
	"""As root: make the unprivileged user and the empty chroot."""
	if os.geteuid() != 0:
		return
	try:
		pwd.getpwnam(USER)
	except KeyError:
		subprocess.run(["useradd", "-r", "-d", CHROOT, "-s",
		    "/usr/sbin/nologin", USER], check=True)
	if not os.path.isdir(CHROOT):
		os.makedirs(CHROOT, 0o755)
	os.chown(CHROOT, 0, 0)
	os.chmod(CHROOT, 0o755)


_LIVE = []


class Relay:
	"""The real daemon on a free loopback port.

	    with Relay('max message size 4K\\necho path "/echo"') as r:
	        ... r.port, r.url, r.server_pk ...
	"""

	def __init__(self, extra="", verbose=None, start=True, timeout=10,
	    listen=True):
		self.extra = extra
		self.verbose = verbose if verbose is not None else \
		    bool(os.environ.get("SWS_VERBOSE"))
		self.proc = None
		self.listen = listen
		self.timeout = timeout
		self.known_children = {}
		self.leftover = []
		self.stop_elapsed = None
		self.tmp = tempfile.mkdtemp(prefix="swstest.")
		os.chmod(self.tmp, 0o755)
		self.keyfile = os.path.join(self.tmp, "server.key")
		self.conffile = os.path.join(self.tmp, "relayd.conf")
		self.logfile = os.path.join(self.tmp, "relayd.log")
		# relayctl's socket, here rather than the default in /var/run
		self.ctlsock = os.path.join(self.tmp, "relayd.sock")
		self.port = free_port()
		self.url = "ws://127.0.0.1:%d/" % self.port
		_LIVE.append(self)
		if start:
			try:
				self.start()
			except BaseException:
				self.cleanup()
				raise

	@property
	def binding(self):
		"""A binding the relay accepts: the first `server name` of the
		configuration, else 127.0.0.1:port as dialled."""
		m = re.search(r'^\s*server\s+name\s+"([^"]*)"', self.extra,
		    re.M)
		if m:
			return m.group(1)
		return "127.0.0.1:%d" % self.port

	def genkey(self):
		for p in (RELAYD, CRYPTOD):
			if not os.access(p, os.X_OK):
				raise RelayError("%s not built" % p)
		r = subprocess.run([CRYPTOD, "-g", self.keyfile],
		    stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
		if r.returncode != 0:
			raise RelayError("cryptod -g failed (%d): %s" % (
			    r.returncode, r.stderr.decode(errors="replace")))
		self.server_pk_b64 = r.stdout.decode().strip()
		self.server_pk = b64d(self.server_pk_b64)
		if len(self.server_pk) != 32:
			raise RelayError("cryptod -g printed %r" %
			    self.server_pk_b64)

	def conf_text(self, extra=None):
		if extra is None:
			extra = self.extra
		t = ""
		if self.listen:
			t += "listen on 127.0.0.1 port %d\n" % self.port
		t += 'key "%s"\n' % self.keyfile
		if not re.search(r'^\s*control\s+socket', extra, re.M):
			t += 'control socket "%s"\n' % self.ctlsock
		return t + extra + "\n"

	def write_conf(self, extra=None):
		tmp = self.conffile + ".new"
		with open(tmp, "w") as f:
			f.write(self.conf_text(extra))
		os.chmod(tmp, 0o644)
		os.rename(tmp, self.conffile)

	def start(self, newkey=True):
		ensure_user()
		if newkey or not hasattr(self, "server_pk"):
			self.genkey()
		self.write_conf()
		args = [RELAYD, "-d"]
		if self.verbose:
			# True or 1: -v; 2: -vv
			args.append("-" + "v" * int(self.verbose))
		args += ["-f", self.conffile]
		self.logfd = open(self.logfile, "wb")
		self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
		    stdout=self.logfd, stderr=self.logfd, cwd=self.tmp,
		    start_new_session=True)
		self.pid = self.proc.pid
		if self.listen:
			self.wait_ready(self.port)
		self.snapshot_children()

	def wait_ready(self, port, timeout=None):
		"""Wait until the relay answers HTTP on port."""
		deadline = time.monotonic() + (timeout or self.timeout)
		why = "port never accepted"
		while time.monotonic() < deadline:
			if self.proc.poll() is not None:
				raise RelayError("relayd exited %d before ready:\n%s"
				    % (self.proc.returncode, self.log()))
			try:
				s = _sock(port, 1)
			except OSError:
				time.sleep(0.05)
				continue
			try:
				s.sendall(b"GET /swstest-probe HTTP/1.1\r\n"
				    b"Host: 127.0.0.1\r\n\r\n")
				head, _, _ = _read_head(s, b"", 1)
				if head.startswith(b"HTTP/1.1 "):
					return
				why = "no HTTP answer on port %d (%r)" % (port,
				    head[:100])
			except OSError as e:
				why = str(e)
			finally:
				s.close()
			time.sleep(0.1)
		raise RelayError("relayd not ready: %s\n%s" % (why, self.log()))

	def log(self):
		try:
			with open(self.logfile, "rb") as f:
				return f.read().decode("utf-8", "replace")
		except OSError:
			return ""

	def children(self):
		return children_of(self.pid)

	def snapshot_children(self):
		"""Remember the current children (for the leftover check)."""
		for c in self.children():
			st = proc_stat(c)
			if st is not None:
				self.known_children[c] = st[2]
		return sorted(self.known_children)

	def child_by_title(self, title, timeout=3):
		"""The child whose cmdline starts with title, or None."""
		deadline = time.monotonic() + timeout
		while True:
			for c in self.children():
				cl = proc_cmdline(c) or ""
				if cl.startswith(title):
					return c
			if time.monotonic() > deadline:
				return None
			time.sleep(0.05)

	def relay_pid(self):
		return self.child_by_title("relayd: relay")

	def cryptod_pid(self):
		return self.child_by_title("cryptod")

	def running(self):
		return self.proc is not None and self.proc.poll() is None

	def reload(self, new_extra, settle=1.0):
		"""Rewrite the config with new extra lines and send SIGHUP."""
		self.extra = new_extra
		self.write_conf(new_extra)
		os.kill(self.pid, signal.SIGHUP)
		time.sleep(settle)
		self.snapshot_children()

	def leftovers(self):
		"""Remembered children still alive (not zombies)."""
		left = []
		for c, start in self.known_children.items():
			st = proc_stat(c)
			if st is not None and st[2] == start and st[0] != "Z":
				left.append(c)
		return left

	def wait_exit(self, timeout):
		"""The daemon's exit status, or None if it still runs."""
		try:
			return self.proc.wait(timeout)
		except subprocess.TimeoutExpired:
			return None

	def _reap_leftovers(self, wait=2.0):
		deadline = time.monotonic() + wait
		left = self.leftovers()
		while left and time.monotonic() < deadline:
			time.sleep(0.05)
			left = self.leftovers()
		self.leftover = left
		for c in left:
			try:
				os.kill(c, signal.SIGKILL)
			except OSError:
				pass
		return left

	def restart(self, down=0.0):
		"""Stop the daemon and, after down seconds, start it again on
		the same port with the same key and configuration."""
		self.stop()
		time.sleep(down)
		self.start(newkey=False)

	def stop(self, check=True, timeout=5):
		"""SIGTERM, wait; returns the exit status (negative: signal).
		Children still alive afterwards are killed and listed in
		.leftover; with check, that raises RelayError, as does a daemon
		that does not exit within timeout."""
		if self.proc is None:
			return None
		if self.proc.poll() is None:
			self.snapshot_children()
			t0 = time.monotonic()
			try:
				os.kill(self.pid, signal.SIGTERM)
			except OSError:
				pass
			rc = self.wait_exit(timeout)
			self.stop_elapsed = time.monotonic() - t0
			if rc is None:
				self.snapshot_children()
				try:
					os.killpg(self.pid, signal.SIGKILL)
				except OSError:
					pass
				self.proc.wait()
				self._reap_leftovers(0.5)
				if check:
					raise RelayError("relayd did not exit %ds"
					    " after SIGTERM:\n%s" % (timeout,
					    self.log()))
				return None
		rc = self.proc.returncode
		left = self._reap_leftovers(1.0)
		if left and check:
			raise RelayError("processes left after relayd exited: %r"
			    % left)
		return rc

	def kill_all(self):
		"""SIGKILL the daemon and its children, remove the directory."""
		if self.proc is not None and self.proc.poll() is None:
			self.snapshot_children()
			try:
				os.killpg(self.pid, signal.SIGKILL)
			except OSError:
				pass
		for c in self.leftovers():
			try:
				os.kill(c, signal.SIGKILL)
			except OSError:
				pass
		if not os.environ.get("SWS_KEEP"):
			shutil.rmtree(self.tmp, ignore_errors=True)

	def cleanup(self):
		if self.proc is not None and self.proc.poll() is None:
			try:
				self.stop(check=False)
			except Exception:
				pass
		if getattr(self, "logfd", None) is not None:
			self.logfd.close()
			self.logfd = None
		if os.environ.get("SWS_KEEP"):
			sys.stderr.write("swstest: kept %s\n" % self.tmp)
		else:
			shutil.rmtree(self.tmp, ignore_errors=True)
		if self in _LIVE:
			_LIVE.remove(self)

	def __enter__(self):
		return self

	def __exit__(self, et, ev, tb):
		try:
			if self.proc is not None and self.proc.poll() is None:
				self.stop(check=et is None)
		finally:
			self.cleanup()


# ---------------------------------------------------------------------
# test output

class Tap:
	"""ok / not ok lines, a bound on the whole run, and the exit code."""

	def __init__(self, limit=120):
		self.failed = 0
		self.passed = 0
		self.relays = []
		if limit:
			def alarm(sig, frm):
				# Hard stop: report, kill every daemon still running,
				# leave.  (An exception could be swallowed by asyncio.)
				self.failed += 1
				print("not ok - test exceeded its %ds bound" % limit,
				    flush=True)
				for r in list(_LIVE):
					r.kill_all()
				os._exit(1)
			signal.signal(signal.SIGALRM, alarm)
			signal.alarm(limit)

	def ok(self, cond, desc, diag=None):
		if cond:
			self.passed += 1
			print("ok - %s" % desc, flush=True)
		else:
			self.failed += 1
			print("not ok - %s" % desc, flush=True)
			if diag is not None:
				for l in str(diag).splitlines()[-30:]:
					print("#   %s" % l, flush=True)
		return bool(cond)

	def eq(self, got, want, desc):
		return self.ok(got == want, desc, "got %r, want %r" % (got, want))

	def check(self, desc, fn, *args):
		"""Run fn (plain or coroutine function); ok when it returns a
		true value without raising."""
		try:
			r = fn(*args)
			if asyncio.iscoroutine(r):
				r = asyncio.run(r)
		except TestTimeout:
			raise
		except Exception as e:
			return self.ok(False, desc, "%s: %s" % (type(e).__name__, e))
		return self.ok(r, desc, "returned %r" % (r,))

	def alive(self, relay, desc, proto="json"):
		return self.check("%s: relay still serves a fresh client" %
		    desc, alive, relay, proto)

	def fail_all(self, desc, exc, relay=None):
		log = relay.log() if relay is not None else ""
		self.ok(False, "%s (%s: %s)" % (desc, type(exc).__name__, exc),
		    log[-3000:] if log else None)

	def parts(self, *parts):
		"""Run (name, fn) parts in order: an exception fails its part
		and the next one runs; the run's time bound stops them all."""
		for name, fn in parts:
			try:
				fn()
			except TestTimeout as e:
				self.ok(False, str(e))
				break
			except Exception as e:
				self.fail_all(name, e)

	def done(self):
		signal.alarm(0)
		sys.exit(1 if self.failed else 0)


def arun(coro, timeout=30):
	"""asyncio.run with a bound."""
	async def w():
		return await asyncio.wait_for(coro, timeout)
	return asyncio.run(w())


# ---------------------------------------------------------------------
# command line

def main(argv):
	if len(argv) < 1 or argv[0] != "run":
		sys.stderr.write("usage: swstest.py run [--conf LINES] -- CMD"
		    " [ARG ...]\n")
		return 2
	argv = argv[1:]
	conf = []
	while argv and argv[0] != "--":
		if argv[0] == "--conf" and len(argv) > 1:
			conf.append(argv[1])
			argv = argv[2:]
		elif argv[0].startswith("--conf="):
			conf.append(argv[0][7:])
			argv = argv[1:]
		else:
			sys.stderr.write("swstest: unknown option %s\n" % argv[0])
			return 2
	if not argv or len(argv) < 2:
		sys.stderr.write("swstest: missing -- CMD\n")
		return 2
	cmd = argv[1:]
	tls = None
	if os.environ.get("SWS_TLS"):
		# wss://: a self-signed certificate for 127.0.0.1 and localhost,
		# trusted by node through NODE_EXTRA_CA_CERTS
		tdir = tempfile.mkdtemp(prefix="swstest-tls.")
		os.chmod(tdir, 0o755)
		crt, key = os.path.join(tdir, "tls.crt"), os.path.join(tdir,
		    "tls.key")
		subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
		    "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
		    key, "-out", crt, "-days", "2", "-subj", "/CN=localhost",
		    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
		    check=True, stdout=subprocess.DEVNULL,
		    stderr=subprocess.DEVNULL)
		os.chmod(key, 0o600)
		tls = (free_port(), crt)
		conf.append('listen on 127.0.0.1 port %d tls\ntls certificate '
		    '"%s"\ntls key "%s"' % (tls[0], crt, key))
	try:
		relay = Relay("\n".join(conf))
	except RelayError as e:
		sys.stderr.write("swstest: %s\n" % e)
		return 1
	rc = 1
	try:
		env = dict(os.environ)
		env["SWS_URL"] = relay.url
		env["SWS_SERVER_KEY"] = relay.server_pk_b64
		env["SWS_PORT"] = str(relay.port)
		env["SWS_HARNESS_PID"] = str(os.getpid())

		def stop_relay(signum, frame):
			relay.stop(check=False)

		def start_relay(signum, frame):
			if not relay.running():
				relay.start(newkey=False)
		signal.signal(signal.SIGUSR1, stop_relay)
		signal.signal(signal.SIGUSR2, start_relay)
		if tls is not None:
			env["SWS_URL"] = "wss://127.0.0.1:%d/" % tls[0]
			env["NODE_EXTRA_CA_CERTS"] = tls[1]
			# Chromium trusts it by the SHA-256 of its public key
			pub = subprocess.run(["openssl", "x509", "-in", tls[1],
			    "-pubkey", "-noout"], stdout=subprocess.PIPE,
			    check=True).stdout
			der = subprocess.run(["openssl", "pkey", "-pubin",
			    "-outform", "der"], input=pub, stdout=subprocess.PIPE,
			    check=True).stdout
			env["SWS_TLS_SPKI"] = base64.b64encode(
			    hashlib.sha256(der).digest()).decode()
			# the certificates follow the keys to ca: a moment
			time.sleep(0.5)
		try:
			rc = subprocess.call(cmd, env=env)
		except OSError as e:
			sys.stderr.write("swstest: %s: %s\n" % (cmd[0], e))
			rc = 127
		if rc < 0:
			rc = 128 - rc
	finally:
		try:
			st = relay.stop(check=False)
			if st != 0 or relay.leftover:
				sys.stderr.write("swstest: relayd exit %r, left %r\n"
				    % (st, relay.leftover))
				sys.stderr.write(relay.log()[-2000:])
		finally:
			relay.cleanup()
	return rc


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))

// The relay rules of SPEC.md sections 1 and 3-5 checked from node by a
// second, independent client: the `ws` package and tweetnacl directly, a
// small MessagePack codec of its own, and raw sockets for what `ws` will
// not send (plain HTTP requests, unmasked frames, invalid UTF-8, oversized
// and over-fragmented messages).  It shares no code with js/sws.js.
//
// Without SWS_URL the file starts itself several times under
// regress/lib/swstest.py run, once per relay configuration (parts "main",
// "rate", "binding" and "order"), and exits 77 when relayd is not built.
//
//	node regress/relayd/t_rules_node.mjs		every part
//	node regress/relayd/t_rules_node.mjs rate	one part (still under
//							the harness)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ok, diag, sleep, TOP } from '../js/tap.mjs';

const SELF = fileURLToPath(import.meta.url);
const PY = '/usr/bin/python3';
const HARNESS = path.join(TOP, 'regress', 'lib', 'swstest.py');

// Relay configurations, one harness run each.
const PARTS = {
	main: ['max message size 4K', 'max sessions per key 2',
	    'max rooms per session 2', 'max room members 3',
	    'origin "https://good.example"'].join('\n'),
	rate: 'rate limit 1 per second burst 3',
	binding: 'server name "relay.example.org"',
	order: '',
};

// ---------------------------------------------------------------------
// Parent: one harness per part.

if (!process.env.SWS_URL) {
	for (const f of ['relayd/relayd', 'cryptod/cryptod'])
		if (!existsSync(path.join(TOP, f)))
			process.exit(77);
	if (!existsSync(HARNESS) || !existsSync(PY))
		process.exit(77);
	const want = process.argv.slice(2);
	const names = want.length > 0 ? want : Object.keys(PARTS);
	let current = null;
	let timedOut = false;
	const limit = setTimeout(() => {
		timedOut = true;
		console.log('not ok - t_rules_node exceeded its 150 s bound');
		// SIGINT lets the harness kill its command and stop relayd.
		if (current !== null)
			current.kill('SIGINT');
		setTimeout(() => process.exit(1), 4000).unref();
	}, 150000);
	let bad = 0;
	for (const name of names) {
		if (PARTS[name] === undefined) {
			console.log('not ok - unknown part ' + name);
			bad++;
			continue;
		}
		const child = spawn(PY, [HARNESS, 'run', '--conf', PARTS[name],
		    '--', process.execPath, SELF, name],
		    { cwd: TOP, stdio: ['ignore', 'pipe', 'inherit'] });
		current = child;
		let notok = 0;
		const rl = createInterface({ input: child.stdout });
		rl.on('line', (l) => {
			if (l.startsWith('not ok '))
				notok++;
			console.log(l);
		});
		const code = await new Promise((resolve) => {
			child.on('close', (c, sig) => resolve(c === null ? 128 : c));
			child.on('error', () => resolve(127));
		});
		current = null;
		if (timedOut)
			break;
		if (code !== 0) {
			bad++;
			if (notok === 0)
				console.log('not ok - part ' + name + ' exited ' + code);
		}
	}
	clearTimeout(limit);
	process.exit(bad === 0 && !timedOut ? 0 : 1);
}

// ---------------------------------------------------------------------
// Child: the checks of one part against the relay at SWS_URL.

const nacl = (await import('tweetnacl')).default;
const { WebSocket } = await import('ws');

const PART = process.argv[2] || 'main';
const URL0 = process.env.SWS_URL;
const PORT = Number(process.env.SWS_PORT);
const HOSTPORT = '127.0.0.1:' + PORT;
const open = new Set();		// sockets to destroy at the end
let failures = 0;

function check(cond, what, detail) {
	if (!cond) {
		failures++;
		if (detail !== undefined)
			diag(what + ': ' + detail);
	}
	return ok(cond, what);
}

function show(x) {
	return JSON.stringify(x, (k, v) => v !== null && typeof v ===
	    'object' && v.type === 'Buffer' && Array.isArray(v.data) ?
	    'bytes:' + Buffer.from(v.data).toString('hex').slice(0, 80) : v);
}

function eq(got, want, what) {
	const g = show(got), w = show(want);
	return check(g === w, what, 'got ' + g + ', want ' + w);
}

async function section(name, fn) {
	try {
		await fn();
	} catch (e) {
		check(false, name + ' (exception)', e && e.stack || String(e));
	}
}

setTimeout(() => {
	console.log('not ok - part ' + PART + ' exceeded its 60 s bound');
	process.exit(1);
}, 60000).unref();

// ---------------------------------------------------------------------
// base64url, strict (SPEC 1)

function b64e(b) {
	return Buffer.from(b).toString('base64url');
}

function b64d(s) {
	if (typeof s !== 'string' || !/^[A-Za-z0-9_-]*$/.test(s) ||
	    s.length % 4 === 1)
		throw new Error('bad base64url ' + JSON.stringify(s));
	const b = Buffer.from(s, 'base64url');
	if (b64e(b) !== s)
		throw new Error('non-canonical base64url ' + JSON.stringify(s));
	return b;
}

// ---------------------------------------------------------------------
// MessagePack: the few types sws/1 uses (nil, bool, int, str, bin, array,
// map; float only for a test of a wrong id).

class Pairs {		// a map written as given, duplicates included
	constructor(pairs) {
		this.pairs = pairs;
	}
}

function mpEncode(v) {
	const out = [];
	const put = (bytes) => out.push(Buffer.from(bytes));
	const num = (tag, size, val) => {
		const b = Buffer.alloc(1 + size);
		b[0] = tag;
		if (size === 1)
			b.writeUInt8(val, 1);
		else if (size === 2)
			b.writeUInt16BE(val, 1);
		else if (size === 4)
			b.writeUInt32BE(val, 1);
		else
			b.writeBigUInt64BE(BigInt(val), 1);
		out.push(b);
	};
	const len = (n, fix, fixmax, t8, t16, t32) => {
		if (fix !== null && n <= fixmax)
			put([fix | n]);
		else if (t8 !== null && n < 256)
			num(t8, 1, n);
		else if (n < 65536)
			num(t16, 2, n);
		else
			num(t32, 4, n);
	};
	const enc = (x) => {
		if (x === null || x === undefined) {
			put([0xc0]);
		} else if (x === true || x === false) {
			put([x ? 0xc3 : 0xc2]);
		} else if (typeof x === 'number' && !Number.isInteger(x)) {
			const b = Buffer.alloc(9);
			b[0] = 0xcb;
			b.writeDoubleBE(x, 1);
			out.push(b);
		} else if (typeof x === 'number' || typeof x === 'bigint') {
			const n = BigInt(x);
			if (n >= 0n) {
				if (n < 128n)
					put([Number(n)]);
				else if (n < 256n)
					num(0xcc, 1, Number(n));
				else if (n < 65536n)
					num(0xcd, 2, Number(n));
				else if (n < 4294967296n)
					num(0xce, 4, Number(n));
				else
					num(0xcf, 8, n);
			} else if (n >= -32n) {
				put([Number(n) & 0xff]);
			} else {
				const b = Buffer.alloc(9);
				b[0] = 0xd3;
				b.writeBigInt64BE(n, 1);
				out.push(b);
			}
		} else if (typeof x === 'string') {
			const s = Buffer.from(x, 'utf8');
			len(s.length, 0xa0, 31, 0xd9, 0xda, 0xdb);
			out.push(s);
		} else if (x instanceof Uint8Array) {
			len(x.length, null, 0, 0xc4, 0xc5, 0xc6);
			out.push(Buffer.from(x));
		} else if (Array.isArray(x)) {
			len(x.length, 0x90, 15, null, 0xdc, 0xdd);
			x.forEach(enc);
		} else {
			const pairs = x instanceof Pairs ? x.pairs :
			    Object.entries(x);
			len(pairs.length, 0x80, 15, null, 0xde, 0xdf);
			for (const [k, val] of pairs) {
				enc(k);
				enc(val);
			}
		}
	};
	enc(v);
	return Buffer.concat(out);
}

function mpDecode(buf) {
	let p = 0;
	const need = (n) => {
		if (p + n > buf.length)
			throw new Error('msgpack: truncated');
	};
	const u = (n) => {
		need(n);
		let v;
		if (n === 1)
			v = buf.readUInt8(p);
		else if (n === 2)
			v = buf.readUInt16BE(p);
		else if (n === 4)
			v = buf.readUInt32BE(p);
		else
			v = Number(buf.readBigUInt64BE(p));
		p += n;
		return v;
	};
	const bytes = (n) => {
		need(n);
		const b = buf.subarray(p, p + n);
		p += n;
		return Buffer.from(b);
	};
	const arr = (n) => {
		const a = [];
		for (let i = 0; i < n; i++)
			a.push(dec());
		return a;
	};
	const map = (n) => {
		const o = {};
		for (let i = 0; i < n; i++) {
			const k = dec();
			if (typeof k !== 'string')
				throw new Error('msgpack: map key not str');
			if (Object.prototype.hasOwnProperty.call(o, k))
				throw new Error('msgpack: duplicate key ' + k);
			o[k] = dec();
		}
		return o;
	};
	const dec = () => {
		const t = u(1);
		if (t < 0x80)
			return t;
		if (t >= 0xe0)
			return t - 256;
		if ((t & 0xf0) === 0x80)
			return map(t & 0x0f);
		if ((t & 0xf0) === 0x90)
			return arr(t & 0x0f);
		if ((t & 0xe0) === 0xa0)
			return bytes(t & 0x1f).toString('utf8');
		switch (t) {
		case 0xc0: return null;
		case 0xc2: return false;
		case 0xc3: return true;
		case 0xc4: return bytes(u(1));
		case 0xc5: return bytes(u(2));
		case 0xc6: return bytes(u(4));
		case 0xca: need(4); p += 4; return buf.readFloatBE(p - 4);
		case 0xcb: need(8); p += 8; return buf.readDoubleBE(p - 8);
		case 0xcc: return u(1);
		case 0xcd: return u(2);
		case 0xce: return u(4);
		case 0xcf: return u(8);
		case 0xd0: need(1); p += 1; return buf.readInt8(p - 1);
		case 0xd1: need(2); p += 2; return buf.readInt16BE(p - 2);
		case 0xd2: need(4); p += 4; return buf.readInt32BE(p - 4);
		case 0xd3: need(8); p += 8;
			return Number(buf.readBigInt64BE(p - 8));
		case 0xd9: return bytes(u(1)).toString('utf8');
		case 0xda: return bytes(u(2)).toString('utf8');
		case 0xdb: return bytes(u(4)).toString('utf8');
		case 0xdc: return arr(u(2));
		case 0xdd: return arr(u(4));
		case 0xde: return map(u(2));
		case 0xdf: return map(u(4));
		default: throw new Error('msgpack: type 0x' + t.toString(16));
		}
	};
	const v = dec();
	if (p !== buf.length)
		throw new Error('msgpack: trailing bytes');
	return v;
}

// ---------------------------------------------------------------------
// sws/1 messages in both encodings (SPEC 6)

const BYTE_FIELDS = ['server', 'challenge', 'publicKey', 'nonce', 'box',
    'proof', 'to', 'from', 'body'];
const TEXT_FIELDS = ['type', 'room', 'reason', 'code', 'message', 'state'];
const PROTO = { json: 'sws.v1.json', msgpack: 'sws.v1.msgpack' };

function isUint(v) {
	return Number.isSafeInteger(v) && v >= 0;
}

// One message from the relay, checked against SPEC 6 field types; byte
// fields come back as Buffers in both encodings.
function decodeRelay(proto, data, isBinary) {
	let m;
	if (proto === 'msgpack') {
		if (!isBinary)
			throw new Error('text message on msgpack');
		m = mpDecode(data);
		if (m === null || typeof m !== 'object' || Array.isArray(m) ||
		    Buffer.isBuffer(m))
			throw new Error('msgpack message is not a map');
		for (const k of BYTE_FIELDS)
			if (k in m && !Buffer.isBuffer(m[k]))
				throw new Error('msgpack ' + k + ' is not bin');
		if ('members' in m && !(Array.isArray(m.members) &&
		    m.members.every((x) => Buffer.isBuffer(x))))
			throw new Error('msgpack members are not bin');
	} else {
		if (isBinary)
			throw new Error('binary message on JSON');
		m = JSON.parse(Buffer.from(data).toString('utf8'));
		if (m === null || typeof m !== 'object' || Array.isArray(m))
			throw new Error('JSON message is not an object');
		for (const k of BYTE_FIELDS)
			if (k in m)
				m[k] = b64d(m[k]);
		if ('members' in m) {
			if (!Array.isArray(m.members))
				throw new Error('members is not an array');
			m.members = m.members.map(b64d);
		}
	}
	for (const k of TEXT_FIELDS)
		if (k in m && typeof m[k] !== 'string')
			throw new Error(k + ' is not a string');
	for (const k of ['id', 'version'])
		if (k in m && !isUint(m[k]))
			throw new Error(k + ' is not an unsigned integer');
	if ('limits' in m)
		for (const v of Object.values(m.limits))
			if (!isUint(v))
				throw new Error('limits hold ' + show(m.limits));
	return m;
}

function jsonOf(v) {
	if (v instanceof Uint8Array)
		return b64e(v);
	if (Array.isArray(v))
		return v.map(jsonOf);
	if (v !== null && typeof v === 'object') {
		const o = {};
		for (const [k, x] of Object.entries(v))
			o[k] = jsonOf(x);
		return o;
	}
	return v;
}

function encodeReq(proto, obj) {
	return proto === 'msgpack' ? mpEncode(obj) : JSON.stringify(jsonOf(obj));
}

// ---------------------------------------------------------------------
// A client on `ws`: a queue of decoded messages and the close code.

function keypair() {
	const k = nacl.box.keyPair();
	return { pk: Buffer.from(k.publicKey), sk: Buffer.from(k.secretKey) };
}

class Conn {
	// proto: 'json', 'msgpack', or null to offer no subprotocol.
	static open(proto, opts = {}) {
		return new Promise((resolve, reject) => {
			const ws = new WebSocket(opts.url || URL0,
			    proto === null ? [] : [PROTO[proto]],
			    Object.assign({ perMessageDeflate: false,
			    handshakeTimeout: 3000 }, opts.ws || {}));
			const c = new Conn(ws, proto === null ? 'json' : proto);
			const t = setTimeout(() => {
				ws.terminate();
				reject(new Error('connect timed out'));
			}, 4000);
			ws.once('open', () => {
				clearTimeout(t);
				c.subprotocol = ws.protocol;
				resolve(c);
			});
			ws.once('unexpected-response', (req, res) => {
				clearTimeout(t);
				reject(new Error('upgrade refused: HTTP ' +
				    res.statusCode));
			});
			ws.once('error', (e) => {
				clearTimeout(t);
				reject(e);
			});
		});
	}

	constructor(ws, proto) {
		this.ws = ws;
		this.proto = proto;
		this.queue = [];
		this.wake = null;
		this.code = null;	// close code once closed
		this.done = false;
		open.add(this);
		ws.on('error', () => {});
		ws.on('message', (data, isBinary) => {
			let m;
			try {
				m = decodeRelay(this.proto, data, isBinary);
			} catch (e) {
				m = { type: '(undecodable)', error: e.message };
			}
			this.queue.push(m);
			this.poke();
		});
		ws.on('close', (code) => {
			this.code = code;
			this.done = true;
			open.delete(this);
			this.poke();
		});
	}

	poke() {
		if (this.wake !== null) {
			const w = this.wake;
			this.wake = null;
			w();
		}
	}

	async waitEvent(ms) {
		await new Promise((resolve) => {
			const t = setTimeout(() => {
				this.wake = null;
				resolve();
			}, ms);
			this.wake = () => {
				clearTimeout(t);
				resolve();
			};
		});
	}

	// The next message; throws after ms or when closed.
	async recv(ms = 3000) {
		const end = Date.now() + ms;
		while (this.queue.length === 0) {
			if (this.done)
				throw new Error('closed (' + this.code + ')');
			const left = end - Date.now();
			if (left <= 0)
				throw new Error('no message within ' + ms + ' ms');
			await this.waitEvent(left);
		}
		return this.queue.shift();
	}

	// The next message matching pred (others are dropped, and listed in
	// the error when none comes).
	async until(pred, ms = 3000) {
		const end = Date.now() + ms;
		const skipped = [];
		for (;;) {
			let m;
			try {
				m = await this.recv(Math.max(1, end - Date.now()));
			} catch (e) {
				throw new Error(e.message + '; skipped ' +
				    show(skipped));
			}
			if (pred(m))
				return m;
			skipped.push(m);
		}
	}

	// What arrives within ms (an empty list when nothing does).
	async quiet(ms = 300) {
		await sleep(ms);
		return this.queue.splice(0);
	}

	// The close code, or null when the connection is still open after ms.
	async closed(ms = 3000) {
		const end = Date.now() + ms;
		while (!this.done && Date.now() < end)
			await this.waitEvent(end - Date.now());
		return this.done ? this.code : null;
	}

	send(obj) {
		this.ws.send(encodeReq(this.proto, obj));
	}

	sendRaw(data, binary) {
		this.ws.send(data, { binary });
	}

	close() {
		try {
			this.ws.terminate();
		} catch (e) {
			/* already gone */
		}
	}
}

// The box of a CHALLENGE_RESPONSE (SPEC 3).
function responseFor(chal, keys, binding, opts = {}) {
	const nonce = Buffer.from(nacl.randomBytes(24));
	const challenge = opts.challenge || chal.challenge;
	const msg = Buffer.concat([challenge, Buffer.from(binding, 'utf8')]);
	const box = Buffer.from(nacl.box(msg, nonce, chal.server,
	    opts.boxSk || keys.sk));
	const r = { type: 'CHALLENGE_RESPONSE', publicKey: keys.pk, nonce,
	    box };
	if (opts.id !== undefined)
		r.id = opts.id;
	return r;
}

function proofOk(proof, challenge, keys, serverPk) {
	if (!Buffer.isBuffer(proof) || proof.length !== 24 + 32 + 32 + 16)
		return false;
	const m = nacl.box.open(proof.subarray(24), proof.subarray(0, 24),
	    serverPk, keys.sk);
	return m !== null && Buffer.compare(Buffer.from(m),
	    Buffer.concat([challenge, keys.pk])) === 0;
}

// Connects and registers; throws unless REGISTER_SUCCESS comes back.
async function client(proto, keys = keypair(), binding = HOSTPORT) {
	const c = await Conn.open(proto);
	const chal = await c.recv();
	if (chal.type !== 'CHALLENGE')
		throw new Error('expected CHALLENGE, got ' + show(chal));
	c.send(responseFor(chal, keys, binding));
	const reg = await c.recv();
	if (reg.type !== 'REGISTER_SUCCESS')
		throw new Error('registration: ' + show(reg));
	c.keys = keys;
	c.pk = keys.pk;
	c.reg = reg;
	c.challenge = chal.challenge;
	return c;
}

function sameBytes(a, b) {
	return Buffer.isBuffer(a) && Buffer.isBuffer(b) &&
	    Buffer.compare(a, b) === 0;
}

function keySet(list) {
	return (list || []).map((k) => b64e(k)).sort().join(',');
}

// Sends req (object, or raw string/Buffer) and expects ERROR code with
// id (undefined: the ERROR must carry no id).
async function expectErr(c, what, req, code, id) {
	if (typeof req === 'string')
		c.sendRaw(req, false);
	else if (Buffer.isBuffer(req))
		c.sendRaw(req, true);
	else
		c.send(req);
	let m;
	try {
		m = await c.until((x) => x.type === 'ERROR');
	} catch (e) {
		m = e.message;
	}
	// id {either: N}: the parser may stop before it reads the id
	const either = id !== null && typeof id === 'object';
	const good = m !== null && typeof m === 'object' && m.code === code &&
	    typeof m.message === 'string' && (either ? !('id' in m) ||
	    m.id === id.either : id === undefined ? !('id' in m) :
	    m.id === id);
	return check(good, what + ' -> ERROR ' + code + (either ? '' :
	    id === undefined ? ' without id' : ' id ' + id), 'got ' + show(m));
}

// A SEND to oneself comes back as ACK and MESSAGE: the session is served.
async function alive(c, what) {
	const body = randomBytes(11);
	const id = 900000 + Math.floor(Math.random() * 1000);
	c.send({ type: 'SEND', to: c.pk, body, id });
	const got = [];
	try {
		got.push(await c.recv());
		got.push(await c.recv());
	} catch (e) {
		got.push(e.message);
	}
	const ack = got.find((m) => m.type === 'ACK');
	const msg = got.find((m) => m.type === 'MESSAGE');
	return check(ack !== undefined && ack.id === id && msg !== undefined &&
	    sameBytes(msg.body, body) && sameBytes(msg.from, c.pk),
	    what, show(got));
}

// ---------------------------------------------------------------------
// Raw sockets: HTTP requests and hand-made frames.

class Raw {
	constructor(sock) {
		this.sock = sock;
		this.buf = Buffer.alloc(0);
		this.eof = false;
		this.wake = null;
		sock.on('data', (d) => {
			this.buf = Buffer.concat([this.buf, d]);
			this.poke();
		});
		sock.on('end', () => {
			this.eof = true;
			this.poke();
		});
		sock.on('error', () => {
			this.eof = true;
			this.poke();
		});
		sock.on('close', () => {
			this.eof = true;
			this.poke();
		});
	}

	static connect() {
		return new Promise((resolve, reject) => {
			const s = net.connect(PORT, '127.0.0.1');
			const r = new Raw(s);
			open.add(r);
			s.once('connect', () => resolve(r));
			s.once('error', reject);
			setTimeout(() => reject(new Error('connect timed out')),
			    3000).unref();
		});
	}

	poke() {
		if (this.wake !== null) {
			const w = this.wake;
			this.wake = null;
			w();
		}
	}

	// Waits until have() returns something other than undefined, EOF
	// or ms; returns it, or undefined.
	async wait(have, ms) {
		const end = Date.now() + ms;
		for (;;) {
			const v = have();
			if (v !== undefined || this.eof)
				return v;
			const left = end - Date.now();
			if (left <= 0)
				return undefined;
			await new Promise((resolve) => {
				const t = setTimeout(resolve, left);
				this.wake = () => {
					clearTimeout(t);
					resolve();
				};
			});
		}
	}

	// The HTTP answer's head: {status, headers (lower-case names)}.
	async head(ms = 3000) {
		const i = await this.wait(() => {
			const k = this.buf.indexOf('\r\n\r\n');
			return k < 0 ? undefined : k;
		}, ms);
		if (i === undefined)
			return { status: null, headers: {}, raw:
			    this.buf.toString('latin1') };
		const text = this.buf.subarray(0, i).toString('latin1');
		this.buf = this.buf.subarray(i + 4);
		const lines = text.split('\r\n');
		const st = /^HTTP\/1\.1 (\d{3})/.exec(lines[0]);
		const headers = {};
		for (const l of lines.slice(1)) {
			const c = l.indexOf(':');
			if (c > 0) {
				const k = l.slice(0, c).trim().toLowerCase();
				const v = l.slice(c + 1).trim();
				headers[k] = k in headers ? headers[k] + ', ' + v :
				    v;
			}
		}
		return { status: st ? Number(st[1]) : null, headers, raw: text };
	}

	// The next frame {fin, op, payload}, null on EOF or timeout.
	async frame(ms = 3000) {
		const f = await this.wait(() => {
			const b = this.buf;
			if (b.length < 2)
				return undefined;
			let n = b[1] & 0x7f, off = 2;
			if (n === 126) {
				if (b.length < 4)
					return undefined;
				n = b.readUInt16BE(2);
				off = 4;
			} else if (n === 127) {
				if (b.length < 10)
					return undefined;
				n = Number(b.readBigUInt64BE(2));
				off = 10;
			}
			if (b[1] & 0x80)
				return { error: 'masked frame from the relay' };
			if (b.length < off + n)
				return undefined;
			this.buf = b.subarray(off + n);
			return { fin: (b[0] & 0x80) !== 0, op: b[0] & 0x0f,
			    payload: Buffer.from(b.subarray(off, off + n)) };
		}, ms);
		if (f === undefined || f.error !== undefined)
			return null;
		return f;
	}

	// Reads frames until a close frame: its code (0 when empty), -1 on
	// EOF without one, null on timeout.
	async closeCode(ms = 3000) {
		const end = Date.now() + ms;
		for (;;) {
			const f = await this.frame(Math.max(1, end - Date.now()));
			if (f === null)
				return this.eof ? -1 : null;
			if (f.op === 8)
				return f.payload.length >= 2 ?
				    f.payload.readUInt16BE(0) : 0;
		}
	}

	// One text message (unfragmented), parsed as JSON.
	async json(ms = 3000) {
		const f = await this.frame(ms);
		if (f === null || f.op !== 1)
			throw new Error('expected a text frame, got ' + show(f));
		return decodeRelay('json', f.payload, false);
	}

	write(b) {
		this.sock.write(b);
	}

	close() {
		this.sock.destroy();
		open.delete(this);
	}
}

function frame(op, payload, opts = {}) {
	const p = Buffer.from(payload);
	const fin = opts.fin === false ? 0 : 0x80;
	const mask = opts.mask === false ? 0 : 0x80;
	const n = opts.length !== undefined ? opts.length : p.length;
	let hdr;
	if (n < 126) {
		hdr = Buffer.from([fin | op, mask | n]);
	} else if (n < 65536) {
		hdr = Buffer.alloc(4);
		hdr[0] = fin | op;
		hdr[1] = mask | 126;
		hdr.writeUInt16BE(n, 2);
	} else {
		hdr = Buffer.alloc(10);
		hdr[0] = fin | op;
		hdr[1] = mask | 127;
		hdr.writeBigUInt64BE(BigInt(n), 2);
	}
	if (!mask)
		return Buffer.concat([hdr, p]);
	const key = randomBytes(4);
	const body = Buffer.alloc(p.length);
	for (let i = 0; i < p.length; i++)
		body[i] = p[i] ^ key[i & 3];
	return Buffer.concat([hdr, key, body]);
}

function wsKey() {
	return randomBytes(16).toString('base64');
}

function upgradeText(o = {}) {
	const lines = [(o.method || 'GET') + ' ' + (o.path || '/') +
	    ' HTTP/1.1', 'Host: ' + HOSTPORT];
	if (o.upgrade !== null)
		lines.push('Upgrade: ' + (o.upgrade || 'websocket'));
	if (o.connection !== null)
		lines.push('Connection: ' + (o.connection || 'Upgrade'));
	if (o.key !== null)
		lines.push('Sec-WebSocket-Key: ' + (o.key || wsKey()));
	if (o.version !== null)
		lines.push('Sec-WebSocket-Version: ' + (o.version || '13'));
	if (o.protocols !== undefined)
		lines.push('Sec-WebSocket-Protocol: ' + o.protocols);
	if (o.origin !== undefined)
		lines.push('Origin: ' + o.origin);
	for (const l of o.extra || [])
		lines.push(l);
	return lines.join('\r\n') + '\r\n\r\n';
}

// Sends a request; returns the answer's head (and the open Raw on 101).
async function http(text) {
	const r = await Raw.connect();
	r.write(text);
	const h = await r.head();
	if (h.status !== 101)
		r.close();
	else
		h.raw = r;
	return h;
}

// An upgraded raw connection (JSON subprotocol).
async function rawUpgraded(proto = 'json') {
	const h = await http(upgradeText({ protocols: PROTO[proto] }));
	if (h.status !== 101)
		throw new Error('upgrade refused: ' + h.status);
	return h.raw;
}

// A raw connection registered with JSON.
async function rawRegistered() {
	const r = await rawUpgraded();
	const chal = await r.json();
	const keys = keypair();
	r.write(frame(1, JSON.stringify(jsonOf(responseFor(chal, keys,
	    HOSTPORT)))));
	const reg = await r.json();
	if (reg.type !== 'REGISTER_SUCCESS')
		throw new Error('raw registration: ' + show(reg));
	r.pk = keys.pk;
	return r;
}

function finish() {
	for (const c of Array.from(open))
		c.close();
	process.exit(failures === 0 ? 0 : 1);
}

const SERVER_PK = b64d(process.env.SWS_SERVER_KEY);

// =====================================================================
// Part "main": max message size 4K, max sessions per key 2, max rooms per
// session 2, max room members 3, origin "https://good.example".

async function handshake() {
	let h = await http(upgradeText({ path: '/nowhere' }));
	eq(h.status, 404, 'HTTP: another path -> 404');
	h = await http('GET / HTTP/1.1\r\nHost: ' + HOSTPORT + '\r\n\r\n');
	check(h.status === 426 && /^websocket$/i.test(h.headers.upgrade),
	    'HTTP: the path without Upgrade: websocket -> 426 with ' +
	    'Upgrade: websocket', h.raw);
	h = await http(upgradeText({ version: '8' }));
	check(h.status === 426 && h.headers['sec-websocket-version'] === '13',
	    'HTTP: Sec-WebSocket-Version 8 -> 426 with ' +
	    'Sec-WebSocket-Version: 13', h.raw);
	h = await http(upgradeText({ method: 'POST' }));
	eq(h.status, 400, 'HTTP: upgrade with method POST -> 400');
	h = await http(upgradeText({ key: null }));
	eq(h.status, 400, 'HTTP: upgrade without Sec-WebSocket-Key -> 400');
	h = await http(upgradeText({ key: randomBytes(15).toString('base64') }));
	eq(h.status, 400, 'HTTP: Sec-WebSocket-Key of 15 bytes -> 400');
	h = await http(upgradeText({ connection: null }));
	eq(h.status, 400, 'HTTP: upgrade without Connection: Upgrade -> 400');
	h = await http(upgradeText({ origin: 'https://evil.example' }));
	eq(h.status, 403, 'HTTP: Origin not configured -> 403');
	h = await http(upgradeText({ origin: 'https://good.example/' }));
	eq(h.status, 403, 'HTTP: Origin matched exactly only (trailing /) ' +
	    '-> 403');
	h = await http(upgradeText({ origin: 'https://evil.example',
	    path: '/nowhere' }));
	eq(h.status, 404, 'HTTP: the path is checked before the Origin');
	h = await http(upgradeText({ origin: 'https://evil.example',
	    protocols: 'nothing.known' }));
	eq(h.status, 403, 'HTTP: the Origin is checked before subprotocols');

	const key = wsKey();
	h = await http(upgradeText({ key, origin: 'https://good.example',
	    protocols: PROTO.json }));
	const accept = createHash('sha1').update(key +
	    '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
	check(h.status === 101 && h.headers['sec-websocket-accept'] === accept &&
	    h.headers['sec-websocket-protocol'] === 'sws.v1.json',
	    'HTTP: configured Origin -> 101, Sec-WebSocket-Accept right, ' +
	    'sws.v1.json', h.raw);
	if (h.raw instanceof Raw) {
		const chal = await h.raw.json();
		check(chal.type === 'CHALLENGE', 'the relay speaks first: ' +
		    'CHALLENGE', show(chal));
		h.raw.close();
	}
	h = await http(upgradeText({ extra:
	    ['Sec-WebSocket-Extensions: permessage-deflate'] }));
	check(h.status === 101 && !('sec-websocket-protocol' in h.headers) &&
	    !('sec-websocket-extensions' in h.headers),
	    'HTTP: no Origin, no subprotocol offered -> 101 without ' +
	    'Sec-WebSocket-Protocol, no extension negotiated', h.raw);
	if (h.raw instanceof Raw)
		h.raw.close();
	h = await http(upgradeText({ protocols: 'nothing.known' }));
	eq(h.status, 400, 'HTTP: only unknown subprotocols -> 400');
	h = await http(upgradeText({ protocols: 'x.y, sws.v1.msgpack, ' +
	    'sws.v1.json' }));
	check(h.status === 101 &&
	    h.headers['sec-websocket-protocol'] === 'sws.v1.msgpack',
	    'HTTP: several offered -> the first known (msgpack)', h.raw);
	if (h.raw instanceof Raw)
		h.raw.close();
	h = await http(upgradeText({ path: '/?a=b' }));
	check(h.status === 101, 'HTTP: a query string is ignored', h.raw);
	if (h.raw instanceof Raw)
		h.raw.close();

	// A client offering no subprotocol speaks JSON.
	const c = await Conn.open(null);
	const chal = await c.recv();
	check(chal.type === 'CHALLENGE' && c.subprotocol === '',
	    'no subprotocol: CHALLENGE in JSON', show(chal));
	c.close();
}

async function registration() {
	for (const proto of ['json', 'msgpack']) {
		const keys = keypair();
		const c = await Conn.open(proto);
		eq(c.subprotocol, PROTO[proto], proto + ': subprotocol ' +
		    PROTO[proto] + ' answered');
		const chal = await c.recv();
		check(chal.type === 'CHALLENGE' && chal.version === 1 &&
		    sameBytes(chal.server, SERVER_PK) &&
		    chal.challenge.length === 32,
		    proto + ': CHALLENGE version 1, the relay key, 32 bytes',
		    show(chal));
		// an id in CHALLENGE_RESPONSE is ignored
		c.send(responseFor(chal, keys, HOSTPORT, { id: 5 }));
		c.pk = keys.pk;
		const reg = await c.recv();
		check(reg.type === 'REGISTER_SUCCESS' &&
		    sameBytes(reg.publicKey, keys.pk),
		    proto + ': REGISTER_SUCCESS names the client key',
		    show(reg));
		check(proofOk(reg.proof, chal.challenge, keys, SERVER_PK),
		    proto + ': proof opens to challenge || client pk with the ' +
		    'relay key', show(reg.proof));
		const L = reg.limits || {};
		check(L.maxMessage === 4096 &&
		    L.maxBody === Math.floor((4096 - 512) * 3 / 4) &&
		    L.rooms === 2 && isUint(L.rate) && L.rate > 0 &&
		    isUint(L.burst) && L.burst > 0,
		    proto + ': limits maxMessage 4096, maxBody 2688, rooms 2, ' +
		    'rate, burst', show(L));
		check(!('id' in reg), proto + ': the response id is not ' +
		    'echoed', show(reg));
		await alive(c, proto + ': the registered session is served');
		c.close();
	}
	// Fresh challenges.
	const c1 = await Conn.open('json'), c2 = await Conn.open('json');
	const x1 = await c1.recv(), x2 = await c2.recv();
	check(!sameBytes(x1.challenge, x2.challenge),
	    'every connection gets a fresh challenge');
	c1.close();
	c2.close();
}

async function regFailure(proto, what, make, reason) {
	const c = await Conn.open(proto);
	const chal = await c.recv();
	const req = make(chal);
	if (typeof req === 'string' || Buffer.isBuffer(req))
		c.sendRaw(req, typeof req !== 'string');
	else
		c.send(req);
	let m;
	try {
		m = await c.recv();
	} catch (e) {
		m = e.message;
	}
	check(m.type === 'REGISTER_FAILURE' && m.reason === reason &&
	    typeof m.message === 'string', proto + ': ' + what +
	    ' -> REGISTER_FAILURE ' + reason, show(m));
	eq(await c.closed(), 1008, proto + ': ' + what + ' -> close 1008');
	c.close();
}

async function registrationFailures() {
	const keys = keypair();
	await regFailure('json', 'box of another challenge', (chal) =>
	    responseFor(chal, keys, HOSTPORT, { challenge: randomBytes(32) }),
	    'bad-proof');
	await regFailure('msgpack', 'box made with another secret key',
	    (chal) => responseFor(chal, keys, HOSTPORT,
	    { boxSk: keypair().sk }), 'bad-proof');
	await regFailure('msgpack', 'box for another relay key', (chal) =>
	    responseFor(Object.assign({}, chal, { server: keypair().pk }),
	    keys, HOSTPORT), 'bad-proof');
	await regFailure('json', 'SEND before registration', () =>
	    ({ type: 'SEND', to: keys.pk, body: Buffer.alloc(0), id: 1 }),
	    'malformed');
	await regFailure('json', 'binding of 256 bytes (box of 304)', (chal) =>
	    responseFor(chal, keys, 'a'.repeat(256)), 'malformed');
	await regFailure('json', 'box of 47 bytes', (chal) =>
	    Object.assign(responseFor(chal, keys, HOSTPORT),
	    { box: randomBytes(47) }), 'malformed');
	await regFailure('json', 'invalid JSON', () => '{"type":', 'malformed');
	await regFailure('msgpack', 'publicKey as base64url str', (chal) => {
		const r = responseFor(chal, keys, HOSTPORT);
		return new Pairs([['type', r.type], ['publicKey', b64e(r.publicKey)],
		    ['nonce', r.nonce], ['box', r.box]]);
	}, 'malformed');
	// An empty binding is allowed (0-255 bytes).
	const c = await Conn.open('json');
	const chal = await c.recv();
	c.send(responseFor(chal, keys, ''));
	const reg = await c.recv();
	check(reg.type === 'REGISTER_SUCCESS', 'empty binding (box of 48) ' +
	    'registers when no server name is set', show(reg));
	c.close();
}

async function sendRules() {
	const a = await client('json');
	const b = await client('msgpack');
	try {
		let body = randomBytes(100);
		a.send({ type: 'SEND', to: b.pk, body, id: 7 });
		eq(await a.recv(), { type: 'ACK', id: 7 }, 'SEND id 7 -> ACK id 7');
		eq(await b.recv(), { type: 'MESSAGE', from: a.pk, body },
		    'JSON sender -> msgpack recipient: MESSAGE from the sender ' +
		    'with identical body bytes');
		body = randomBytes(257);
		b.send({ type: 'SEND', to: a.pk, body, id: 8 });
		eq(await b.recv(), { type: 'ACK', id: 8 }, 'msgpack SEND -> ACK');
		eq(await a.recv(), { type: 'MESSAGE', from: b.pk, body },
		    'msgpack sender -> JSON recipient: identical body bytes');

		const forged = keypair().pk;
		a.send({ type: 'SEND', to: b.pk, body: Buffer.alloc(0),
		    from: forged });
		eq(await b.recv(), { type: 'MESSAGE', from: a.pk,
		    body: Buffer.alloc(0) }, 'empty body delivered; a `from` ' +
		    'in SEND is ignored (set by the relay)');
		eq(await a.quiet(), [], 'SEND without id: no ACK');

		const nobody = keypair().pk;
		await expectErr(a, 'SEND to a key with no session',
		    { type: 'SEND', to: nobody, body: randomBytes(5), id: 9 },
		    'offline', 9);
		b.send({ type: 'SEND', to: nobody, body: randomBytes(5) });
		eq(await b.quiet(), [], 'offline SEND without id is silent');

		// Several sessions of one key: each gets its copy.
		const b2 = await client('json', b.keys);
		body = randomBytes(33);
		a.send({ type: 'SEND', to: b.pk, body, id: 10 });
		eq(await a.recv(), { type: 'ACK', id: 10 }, 'SEND to a key ' +
		    'with two sessions -> one ACK');
		const m1 = await b.recv(), m2 = await b2.recv();
		check(sameBytes(m1.body, body) && sameBytes(m2.body, body) &&
		    sameBytes(m1.from, a.pk) && sameBytes(m2.from, a.pk),
		    'both sessions of the key get the MESSAGE',
		    show([m1, m2]));
		b.send({ type: 'SEND', to: b.pk, body, id: 11 });
		const got = [await b.recv(), await b.recv()];
		check(got.some((m) => m.type === 'ACK' && m.id === 11) &&
		    got.some((m) => m.type === 'MESSAGE' &&
		    sameBytes(m.body, body)) && (await b2.recv()).type ===
		    'MESSAGE', 'SEND to one\'s own key reaches all of its ' +
		    'sessions, the sender\'s included', show(got));
		b2.close();
	} finally {
		a.close();
		b.close();
	}
}

async function malformedRules() {
	const a = await client('json');
	const m = await client('msgpack');
	try {
		const to = b64e(m.pk);
		await expectErr(a, 'invalid JSON', '{"type":"SEND",', 'malformed');
		await expectErr(a, 'JSON array', '[1,2]', 'malformed');
		await expectErr(a, 'to with padding', '{"type":"SEND","to":"' +
		    to + '=","body":"","id":12}', 'malformed', 12);
		await expectErr(a, 'body in the standard alphabet',
		    '{"type":"SEND","to":"' + to + '","body":"ab+/","id":13}',
		    'malformed', 13);
		await expectErr(a, 'body with non-zero trailing bits',
		    '{"type":"SEND","to":"' + to + '","body":"AB","id":14}',
		    'malformed', 14);
		await expectErr(a, 'body of length 4n+1',
		    '{"type":"SEND","to":"' + to + '","body":"AAAAA","id":15}',
		    'malformed', 15);
		await expectErr(a, 'to of 31 bytes', '{"type":"SEND","to":"' +
		    b64e(randomBytes(31)) + '","body":"","id":16}', 'malformed',
		    16);
		await expectErr(a, 'body missing', '{"type":"SEND","to":"' +
		    to + '","id":17}', 'malformed', 17);
		for (const [what, id] of [['id 2^53', '9007199254740992'],
		    ['id -1', '-1'], ['id 1.5', '1.5'], ['id 1e3', '1e3'],
		    ['id "7"', '"7"'], ['id 2^64', '18446744073709551616']])
			await expectErr(a, what, '{"type":"SEND","to":"' + to +
			    '","body":"","id":' + id + '}', 'malformed');
		a.send({ type: 'SEND', to: a.pk, body: Buffer.alloc(0),
		    id: 2 ** 53 - 1 });
		const got = [await a.recv(), await a.recv()];
		check(got.some((x) => x.type === 'ACK' && x.id === 2 ** 53 - 1),
		    'id 2^53-1 is accepted and named in the ACK', show(got));
		await expectErr(a, 'duplicate key', '{"type":"SEND","to":"' + to +
		    '","to":"' + to + '","body":"","id":18}', 'malformed',
		    { either: 18 });
		await expectErr(a, 'JSON nested 9 levels', '{"type":"SEND",' +
		    '"to":"' + to + '","body":"","id":19,"x":' + '['.repeat(8) +
		    ']'.repeat(8) + '}', 'malformed', { either: 19 });
		await expectErr(a, 'binary message on the JSON subprotocol',
		    Buffer.from(mpEncode({ type: 'SEND', to: m.pk,
		    body: Buffer.alloc(0), id: 20 })), 'malformed');
		eq(await a.quiet(100), [], 'nothing else for the malformed ' +
		    'JSON requests');

		await expectErr(m, 'msgpack: to as base64url str',
		    { type: 'SEND', to: b64e(a.pk), body: Buffer.alloc(0),
		    id: 21 }, 'malformed', 21);
		await expectErr(m, 'msgpack: body as str',
		    { type: 'SEND', to: a.pk, body: 'text', id: 22 },
		    'malformed', 22);
		await expectErr(m, 'msgpack: id -1', { type: 'SEND', to: a.pk,
		    body: Buffer.alloc(0), id: -1 }, 'malformed');
		await expectErr(m, 'msgpack: id 2^53', { type: 'SEND', to: a.pk,
		    body: Buffer.alloc(0), id: 2 ** 53 }, 'malformed');
		await expectErr(m, 'msgpack: id 1.5', { type: 'SEND', to: a.pk,
		    body: Buffer.alloc(0), id: 1.5 }, 'malformed');
		await expectErr(m, 'msgpack: duplicate key', new Pairs([
		    ['type', 'SEND'], ['to', a.pk], ['body', Buffer.alloc(0)],
		    ['body', Buffer.alloc(1)], ['id', 23]]), 'malformed',
		    { either: 23 });
		await expectErr(m, 'msgpack: map32 declaring 2^32-1 entries',
		    Buffer.from([0xdf, 0xff, 0xff, 0xff, 0xff]), 'malformed');
		await expectErr(m, 'msgpack: text message on the msgpack ' +
		    'subprotocol', '{"type":"SEND"}', 'malformed');
		eq(await a.quiet(100), [], 'the peer got nothing from the ' +
		    'malformed requests');
		await alive(a, 'JSON session still served after malformed input');
		await alive(m, 'msgpack session still served after malformed ' +
		    'input');
	} finally {
		a.close();
		m.close();
	}
}

async function unknownType() {
	const a = await client('json');
	const m = await client('msgpack');
	try {
		await expectErr(a, 'type FOO', { type: 'FOO', id: 3 },
		    'unknown-type', 3);
		await expectErr(a, 'lower-case send', { type: 'send', to: a.pk,
		    body: Buffer.alloc(0), id: 4 }, 'unknown-type', 4);
		await expectErr(m, 'msgpack: server type MESSAGE',
		    { type: 'MESSAGE', from: a.pk, body: Buffer.alloc(0), id: 5 },
		    'unknown-type', 5);
		await expectErr(a, 'ACK from the client', { type: 'ACK', id: 6 },
		    'unknown-type', 6);
		// CHALLENGE_RESPONSE after registration: a type the client
		// may not send (SPEC 3, 4): unknown-type naming its id.
		a.send(responseFor({ challenge: a.challenge, server: SERVER_PK },
		    a.keys, HOSTPORT, { id: 7 }));
		const e = await a.until((x) => x.type === 'ERROR');
		check(e.code === 'unknown-type' && e.id === 7,
		    'CHALLENGE_RESPONSE after registration -> ERROR ' +
		    'unknown-type id 7', show(e));
		eq(await m.quiet(100), [], 'no MESSAGE made from a client ' +
		    'MESSAGE');
		await alive(a, 'session served after unknown types');
	} finally {
		a.close();
		m.close();
	}
}

async function tooLarge() {
	const j = await client('json');
	const m = await client('msgpack');
	try {
		const maxBody = j.reg.limits.maxBody;
		let body = randomBytes(maxBody);
		m.send({ type: 'SEND', to: j.pk, body, id: 30 });
		eq(await m.recv(), { type: 'ACK', id: 30 }, 'msgpack SEND of ' +
		    'maxBody bytes to a JSON recipient -> ACK');
		const got = await j.recv();
		check(got.type === 'MESSAGE' && sameBytes(got.body, body),
		    'JSON recipient gets the maxBody body intact', show(got));
		body = randomBytes(maxBody);
		j.send({ type: 'SEND', to: m.pk, body, id: 31 });
		eq(await j.recv(), { type: 'ACK', id: 31 }, 'JSON SEND of ' +
		    'maxBody bytes to a msgpack recipient -> ACK');
		const got2 = await m.recv();
		check(got2.type === 'MESSAGE' && sameBytes(got2.body, body),
		    'msgpack recipient gets the maxBody body intact');
		// 3050 bytes: the msgpack SEND is ~3.1K, the JSON MESSAGE
		// would need more than 4067 characters for the body alone.
		const big = randomBytes(3050);
		check(mpEncode({ type: 'SEND', to: j.pk, body: big,
		    id: 32 }).length < 4096, 'the msgpack SEND of 3050 bytes ' +
		    'fits in maxMessage');
		await expectErr(m, 'msgpack SEND whose JSON MESSAGE would ' +
		    'exceed 4K', { type: 'SEND', to: j.pk, body: big, id: 32 },
		    'too-large', 32);
		eq(await j.quiet(200), [], 'the JSON recipient gets nothing');
		await alive(m, 'the sender is still served after too-large');
	} finally {
		j.close();
		m.close();
	}
	// The whole message above max message size: close 1009.
	const c = await client('json');
	c.send({ type: 'SEND', to: c.pk, body: randomBytes(3500), id: 33 });
	eq(await c.closed(), 1009, 'a 4.7K JSON message (limit 4K) -> close ' +
	    '1009');
	c.close();
}

async function sessionsPerKey() {
	const keys = keypair();
	const s1 = await client('json', keys);
	const s2 = await client('msgpack', keys);
	const a = await client('json');
	try {
		let body = randomBytes(20);
		a.send({ type: 'SEND', to: keys.pk, body, id: 40 });
		eq(await a.recv(), { type: 'ACK', id: 40 }, 'SEND to a key ' +
		    'with 2 sessions -> ACK');
		const g1 = await s1.recv(), g2 = await s2.recv();
		check(sameBytes(g1.body, body) && sameBytes(g2.body, body),
		    'both sessions of the key get it');
		const s3 = await client('json', keys);
		eq(await s1.closed(), 4001, 'a third session (max 2) displaces ' +
		    'the oldest: close 4001');
		eq(await s2.closed(300), null, 'the second session stays open');
		body = randomBytes(21);
		a.send({ type: 'SEND', to: keys.pk, body, id: 41 });
		eq(await a.recv(), { type: 'ACK', id: 41 }, 'SEND after the ' +
		    'displacement -> ACK');
		const h2 = await s2.recv(), h3 = await s3.recv();
		check(sameBytes(h2.body, body) && sameBytes(h3.body, body),
		    'the two remaining sessions get the next message',
		    show([h2, h3]));
		eq(await s2.quiet(200), [], 'exactly one copy each');
		s3.close();
	} finally {
		s1.close();
		s2.close();
		a.close();
	}
}

function presence(room, pk, state) {
	return { type: 'PRESENCE', room, publicKey: pk, state };
}

async function rooms() {
	const a = await client('json');
	const a2 = await client('msgpack', a.keys);
	const b = await client('msgpack');
	const c = await client('json');
	const all = [a, a2, b, c];
	const R = 'room \u00e9 ' + b64e(randomBytes(6));
	try {
		a.send({ type: 'JOIN', room: R, id: 1 });
		let m = await a.recv();
		check(m.type === 'JOINED' && m.room === R && m.id === 1 &&
		    keySet(m.members) === keySet([a.pk]),
		    'JOIN -> JOINED with the joiner as only member', show(m));
		b.send({ type: 'JOIN', room: R, id: 2 });
		m = await b.recv();
		check(m.type === 'JOINED' && m.id === 2 &&
		    keySet(m.members) === keySet([a.pk, b.pk]),
		    'second JOIN -> JOINED lists both keys', show(m));
		eq(await a.recv(), presence(R, b.pk, 'joined'),
		    'member gets PRESENCE joined');
		eq(await b.quiet(150), [], 'the joiner gets no PRESENCE about ' +
		    'itself');
		a.send({ type: 'JOIN', room: R, id: 3 });
		m = await a.recv();
		check(m.type === 'JOINED' && m.id === 3 &&
		    keySet(m.members) === keySet([a.pk, b.pk]),
		    'repeated JOIN -> JOINED again', show(m));
		eq(await b.quiet(150), [], 'no PRESENCE for a repeated JOIN');
		a2.send({ type: 'JOIN', room: R, id: 4 });
		m = await a2.recv();
		check(m.type === 'JOINED' && m.id === 4 &&
		    keySet(m.members) === keySet([a.pk, b.pk]),
		    'second session of a key joins: members are distinct keys',
		    show(m));
		eq(await b.quiet(150), [], 'no PRESENCE when a key\'s second ' +
		    'session joins');
		eq(await a.quiet(1), [], 'nor to the key\'s first session');

		let body = randomBytes(40);
		a.send({ type: 'PUBLISH', room: R, body, id: 5 });
		eq(await a.recv(), { type: 'ACK', id: 5 }, 'PUBLISH with id -> ACK');
		const want = { type: 'MESSAGE', from: a.pk, room: R, body };
		eq(await b.recv(), want, 'PUBLISH reaches the other member ' +
		    '(msgpack) with from, room and identical body');
		eq(await a2.recv(), want, 'PUBLISH reaches the sender key\'s ' +
		    'other session');
		eq(await a.quiet(150), [], 'the sending session gets no copy');
		body = randomBytes(1);
		b.send({ type: 'PUBLISH', room: R, body });
		eq(await a.recv(), { type: 'MESSAGE', from: b.pk, room: R, body },
		    'msgpack PUBLISH reaches a JSON member');
		await a2.recv();
		eq(await b.quiet(150), [], 'PUBLISH without id: no ACK');

		await expectErr(c, 'PUBLISH to a room not joined',
		    { type: 'PUBLISH', room: R, body, id: 6 }, 'not-member', 6);
		await expectErr(c, 'LEAVE of a room not joined',
		    { type: 'LEAVE', room: R, id: 7 }, 'not-member', 7);
		await expectErr(c, 'JOIN of a room with 3 member sessions ' +
		    '(max room members 3)', { type: 'JOIN', room: R, id: 8 },
		    'room-full', 8);
		eq(await b.quiet(150), [], 'no PRESENCE for a refused JOIN');

		a.send({ type: 'JOIN', room: R + '2', id: 9 });
		m = await a.recv();
		eq([m.type, m.id], ['JOINED', 9], 'a second room (max 2)');
		await expectErr(a, 'a third room (max rooms per session 2)',
		    { type: 'JOIN', room: R + '3', id: 10 }, 'too-many-rooms', 10);

		a2.send({ type: 'LEAVE', room: R, id: 11 });
		eq(await a2.recv(), { type: 'ACK', id: 11 }, 'LEAVE -> ACK');
		eq(await b.quiet(150), [], 'no PRESENCE left while another ' +
		    'session of the key stays');
		a.send({ type: 'LEAVE', room: R, id: 12 });
		eq(await a.recv(), { type: 'ACK', id: 12 }, 'last session of ' +
		    'the key leaves -> ACK');
		eq(await b.recv(), presence(R, a.pk, 'left'), 'members get ' +
		    'PRESENCE left');
		await expectErr(a, 'PUBLISH after LEAVE',
		    { type: 'PUBLISH', room: R, body, id: 13 }, 'not-member', 13);

		c.send({ type: 'JOIN', room: R, id: 14 });
		m = await c.recv();
		check(m.type === 'JOINED' && keySet(m.members) ===
		    keySet([b.pk, c.pk]), 'the room takes a member again ' +
		    'after departures', show(m));
		eq(await b.recv(), presence(R, c.pk, 'joined'),
		    'PRESENCE joined for the newcomer');
		c.close();
		eq(await b.recv(), presence(R, c.pk, 'left'),
		    'a member that disconnects -> PRESENCE left');

		const d = await client('json');
		all.push(d);
		const long = 'x'.repeat(128);
		d.send({ type: 'JOIN', room: long, id: 15 });
		m = await d.recv();
		eq([m.type, m.room], ['JOINED', long], 'a room name of 128 ' +
		    'bytes is accepted');
		await expectErr(d, 'room name of 129 bytes', { type: 'JOIN',
		    room: 'y'.repeat(129), id: 16 }, 'malformed', 16);
		await expectErr(d, 'empty room name', { type: 'JOIN', room: '',
		    id: 17 }, 'malformed', 17);
		await expectErr(d, 'room name with U+0001', { type: 'JOIN',
		    room: 'a\u0001b', id: 18 }, 'malformed', 18);
		await expectErr(d, 'room name with U+007F', { type: 'JOIN',
		    room: 'a\u007f', id: 19 }, 'malformed', 19);
	} finally {
		for (const x of all)
			x.close();
	}
}

async function rawFrames() {
	let r = await rawRegistered();
	r.write(frame(1, JSON.stringify({ type: 'SEND', to: b64e(r.pk),
	    body: '', id: 1 }), { mask: false }));
	eq(await r.closeCode(), 1002, 'unmasked client frame -> close 1002');
	r.close();

	r = await rawRegistered();
	r.write(frame(1, Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])));
	eq(await r.closeCode(), 1007, 'invalid UTF-8 in a text message -> ' +
	    'close 1007');
	r.close();

	r = await rawRegistered();
	r.write(frame(2, Buffer.alloc(0), { length: 5000 }).subarray(0, 8));
	eq(await r.closeCode(), 1009, 'a frame declaring 5000 bytes (limit ' +
	    '4K) -> close 1009 before its payload');
	r.close();

	r = await rawRegistered();
	const text = JSON.stringify({ type: 'SEND', to: b64e(r.pk), body: '',
	    id: 2 });
	const parts = [];
	for (let i = 0; i < 65; i++)
		parts.push(frame(i === 0 ? 1 : 0, i < text.length ?
		    text.slice(i, i + 1) : '', { fin: i === 64 }));
	r.write(Buffer.concat(parts));
	eq(await r.closeCode(), 1009, 'a message in 65 data frames -> close ' +
	    '1009');
	r.close();

	// 64 frames are fine.
	r = await rawRegistered();
	const text64 = JSON.stringify({ type: 'SEND', to: b64e(r.pk),
	    body: '', id: 3 });
	const chunks = [];
	const n = 64;
	const per = Math.ceil(text64.length / n);
	for (let i = 0; i < n; i++)
		chunks.push(frame(i === 0 ? 1 : 0, text64.slice(i * per,
		    (i + 1) * per), { fin: i === n - 1 }));
	r.write(Buffer.concat(chunks));
	const got = [await r.json(), await r.json()];
	check(got.some((x) => x.type === 'ACK' && x.id === 3) &&
	    got.some((x) => x.type === 'MESSAGE' && x.body.length === 0),
	    'a message in 64 data frames is accepted', show(got));
	r.close();

	// Before registration too.
	r = await rawUpgraded();
	await r.json();
	r.write(frame(1, '{}', { mask: false }));
	eq(await r.closeCode(), 1002, 'unmasked frame before registration ' +
	    '-> close 1002');
	r.close();
}

// =====================================================================
// Part "rate": rate limit 1 per second burst 3.

async function rate() {
	const a = await client('json');
	const other = await client('json');
	try {
		eq([a.reg.limits.rate, a.reg.limits.burst], [1, 3],
		    'limits.rate 1 and limits.burst 3 announced');
		const nobody = b64e(keypair().pk);
		const reqs = [];
		for (let id = 1; id <= 4; id++)
			reqs.push('{"type":"SEND","to":"' + nobody +
			    '","body":"","id":' + id + '}');
		for (const q of reqs)
			a.sendRaw(q, false);
		const got = [];
		for (let i = 0; i < 4; i++)
			got.push(await a.recv());
		const codes = got.map((m) => m.id + ':' + m.code).join(' ');
		eq(codes, '1:offline 2:offline 3:offline 4:rate-limited',
		    'a burst of 3 is served, the 4th request -> rate-limited');
		await expectErr(other, 'another session is not limited by it',
		    { type: 'SEND', to: b64e(keypair().pk), body: '', id: 9 },
		    'offline', 9);
		// One refusal so far; three more in a row (4 > burst 3)
		// close the session with 1008.
		for (let id = 5; id <= 7; id++)
			a.sendRaw('{"type":"SEND","to":"' + nobody +
			    '","body":"","id":' + id + '}', false);
		const code = await a.closed(3000);
		const after = a.queue.splice(0);
		check(code === 1008 && after.length >= 2 &&
		    after.slice(0, 2).every((m) => m.code === 'rate-limited'),
		    'more than a full burst of refusals in a row -> ' +
		    'rate-limited, then close 1008', 'close ' + code + ' after ' +
		    show(after));

		// The bucket refills: after 1.2 s one request is served.
		const b = await client('json');
		for (let id = 1; id <= 4; id++)
			b.send({ type: 'SEND', to: b.pk, body: Buffer.alloc(0),
			    id });
		const seen = [];
		for (let i = 0; i < 7; i++)
			seen.push(await b.recv());
		const acks = seen.filter((m) => m.type === 'ACK').length;
		const limited = seen.filter((m) => m.code === 'rate-limited');
		check(acks === 3 && limited.length === 1 && limited[0].id === 4,
		    'SEND to oneself: 3 ACKs then rate-limited', show(seen));
		await sleep(1300);
		b.send({ type: 'SEND', to: nobody, body: '', id: 20 });
		const m = await b.recv();
		eq([m.code, m.id], ['offline', 20], 'after 1.3 s a token is ' +
		    'back and the request is served');
		b.close();
	} finally {
		a.close();
		other.close();
	}
}

// =====================================================================
// Part "binding": server name "relay.example.org".

async function binding() {
	const keys = keypair();
	for (const proto of ['json', 'msgpack'])
		await regFailure(proto, 'binding 127.0.0.1:PORT with server ' +
		    'name relay.example.org', (chal) => responseFor(chal, keys,
		    HOSTPORT), 'bad-binding');
	await regFailure('json', 'binding relay.example.org.evil',
	    (chal) => responseFor(chal, keys, 'relay.example.org.evil'),
	    'bad-binding');
	for (const bd of ['relay.example.org', 'RELAY.Example.ORG:8443',
	    'relay.example.org:' + PORT]) {
		const c = await Conn.open('json');
		const chal = await c.recv();
		c.send(responseFor(chal, keys, bd));
		const reg = await c.recv();
		check(reg.type === 'REGISTER_SUCCESS' && proofOk(reg.proof,
		    chal.challenge, keys, SERVER_PK), 'binding ' + bd +
		    ' matches the server name', show(reg));
		c.close();
	}
}

// =====================================================================
// Part "order": connections that finish their upgrade in another order
// than they were accepted (any two clients dialling at once) are each
// served a fresh CHALLENGE (SPEC 3), and the relay stays up.

async function upgradeOrder() {
	const first = await Raw.connect();
	await sleep(100);
	const second = await Raw.connect();
	await sleep(100);
	second.write(upgradeText({ protocols: PROTO.json }));
	const h2 = await second.head();
	let c2 = null;
	if (h2.status === 101)
		c2 = await second.json().catch((e) => e.message);
	first.write(upgradeText({ protocols: PROTO.json }));
	const h1 = await first.head();
	let c1 = null;
	if (h1.status === 101)
		c1 = await first.json().catch((e) => e.message);
	check(h1.status === 101 && h2.status === 101 &&
	    c1 !== null && c1.type === 'CHALLENGE' &&
	    c2 !== null && c2.type === 'CHALLENGE',
	    'the later-accepted connection upgrades first: both get a ' +
	    'CHALLENGE', show([h2.status, c2, h1.status, c1]));
	first.close();
	second.close();
	try {
		const c = await client('json');
		await alive(c, 'the relay still serves a fresh client after ' +
		    'out-of-order upgrades');
		c.close();
	} catch (e) {
		check(false, 'the relay still serves a fresh client after ' +
		    'out-of-order upgrades', e.message);
	}
}

// =====================================================================

const PLAN = {
	main: [['handshake', handshake], ['registration', registration],
	    ['registration failures', registrationFailures],
	    ['SEND', sendRules], ['malformed', malformedRules],
	    ['unknown-type', unknownType], ['too-large', tooLarge],
	    ['sessions per key', sessionsPerKey], ['rooms', rooms],
	    ['raw frames', rawFrames]],
	rate: [['rate limit', rate]],
	binding: [['binding', binding]],
	order: [['upgrade order', upgradeOrder]],
};

diag('part ' + PART + ' on ' + URL0);
for (const [name, fn] of PLAN[PART] || [])
	await section(name, fn);
finish();

/*
 * Copyright (c) 2026 The sws authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

// What the t_rules_node_*.mjs tests share: the relay rules of docs/WIRE.md
// sections 1 and 3-5 checked from node by a second, independent client:
// the `ws` package and tweetnacl directly, a small MessagePack codec of its
// own, and raw sockets for what `ws` will not send (plain HTTP requests,
// unmasked frames, invalid UTF-8, oversized and over-fragmented messages).
// It shares no code with js/sws.js.
//
// A test file calls runParts() with its relay configurations, then
// runPlan() with the checks of each: without SWS_URL the file starts
// itself once per configuration ("part") under regress/lib/swstest.py
// run, and exits 77 when relayd is not built; under the harness it runs
// the checks of one part against the relay at SWS_URL.
//
//	node regress/relayd/t_rules_node_register.mjs		every part
//	node regress/relayd/t_rules_node_register.mjs binding	one part
//								(still under
//								the harness)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ok, diag, sleep, TOP } from '../js/tap.mjs';

export { sleep };

const PY = '/usr/bin/python3';
const HARNESS = path.join(TOP, 'regress', 'lib', 'swstest.py');

// The relay configuration of part "main", which most files share.
export const MAIN = ['max message size 4K', 'max sessions per key 2',
    'max rooms per session 2', 'max room members 3',
    'origin "https://good.example"'].join('\n');

// ---------------------------------------------------------------------
// Parent: one harness per part (parts: name -> configuration lines).
// Returns only under the harness.

export async function runParts(selfUrl, PARTS) {
	if (process.env.SWS_URL)
		return;
	const SELF = fileURLToPath(selfUrl);
	const base = path.basename(SELF, '.mjs');
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
		console.log('not ok - ' + base + ' exceeded its 150 s bound');
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

let nacl = null;
let WebSocket = null;
export let SERVER_PK = null;

export const PART = process.argv[2] || 'main';
export const URL0 = process.env.SWS_URL;
export const PORT = Number(process.env.SWS_PORT);
export const HOSTPORT = '127.0.0.1:' + PORT;
const open = new Set();		// sockets to destroy at the end
let failures = 0;

export function check(cond, what, detail) {
	if (!cond) {
		failures++;
		if (detail !== undefined)
			diag(what + ': ' + detail);
	}
	return ok(cond, what);
}

export function show(x) {
	return JSON.stringify(x, (k, v) => v !== null && typeof v ===
	    'object' && v.type === 'Buffer' && Array.isArray(v.data) ?
	    'bytes:' + Buffer.from(v.data).toString('hex').slice(0, 80) : v);
}

export function eq(got, want, what) {
	const g = show(got), w = show(want);
	return check(g === w, what, 'got ' + g + ', want ' + w);
}

export async function section(name, fn) {
	try {
		await fn();
	} catch (e) {
		check(false, name + ' (exception)', e && e.stack || String(e));
	}
}

// ---------------------------------------------------------------------
// base64url, strict (SPEC 1)

export function b64e(b) {
	return Buffer.from(b).toString('base64url');
}

export function b64d(s) {
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

export class Pairs {		// a map written as given, duplicates included
	constructor(pairs) {
		this.pairs = pairs;
	}
}

export function mpEncode(v) {
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

export function mpDecode(buf) {
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

export const BYTE_FIELDS = ['server', 'challenge', 'publicKey', 'nonce', 'box',
    'proof', 'to', 'from', 'body'];
export const TEXT_FIELDS = ['type', 'room', 'reason', 'code', 'message', 'state'];
export const PROTO = { json: 'sws.v1.json', msgpack: 'sws.v1.msgpack' };

export function isUint(v) {
	return Number.isSafeInteger(v) && v >= 0;
}

// One message from the relay, checked against SPEC 6 field types; byte
// fields come back as Buffers in both encodings.
export function decodeRelay(proto, data, isBinary) {
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

export function jsonOf(v) {
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

export function encodeReq(proto, obj) {
	return proto === 'msgpack' ? mpEncode(obj) : JSON.stringify(jsonOf(obj));
}

// ---------------------------------------------------------------------
// A client on `ws`: a queue of decoded messages and the close code.

export function keypair() {
	const k = nacl.box.keyPair();
	return { pk: Buffer.from(k.publicKey), sk: Buffer.from(k.secretKey) };
}

export class Conn {
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
export function responseFor(chal, keys, binding, opts = {}) {
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

export function proofOk(proof, challenge, keys, serverPk) {
	if (!Buffer.isBuffer(proof) || proof.length !== 24 + 32 + 32 + 16)
		return false;
	const m = nacl.box.open(proof.subarray(24), proof.subarray(0, 24),
	    serverPk, keys.sk);
	return m !== null && Buffer.compare(Buffer.from(m),
	    Buffer.concat([challenge, keys.pk])) === 0;
}

// Connects and registers; throws unless REGISTER_SUCCESS comes back.
export async function client(proto, keys = keypair(), binding = HOSTPORT) {
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

export function sameBytes(a, b) {
	return Buffer.isBuffer(a) && Buffer.isBuffer(b) &&
	    Buffer.compare(a, b) === 0;
}

export function keySet(list) {
	return (list || []).map((k) => b64e(k)).sort().join(',');
}

// Sends req (object, or raw string/Buffer) and expects ERROR code with
// id (undefined: the ERROR must carry no id).
export async function expectErr(c, what, req, code, id) {
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
export async function alive(c, what) {
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

export class Raw {
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

export function frame(op, payload, opts = {}) {
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

export function wsKey() {
	return randomBytes(16).toString('base64');
}

export function upgradeText(o = {}) {
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
export async function http(text) {
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
export async function rawUpgraded(proto = 'json') {
	const h = await http(upgradeText({ protocols: PROTO[proto] }));
	if (h.status !== 101)
		throw new Error('upgrade refused: ' + h.status);
	return h.raw;
}

// A raw connection registered with JSON.
export async function rawRegistered() {
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

export function finish() {
	for (const c of Array.from(open))
		c.close();
	process.exit(failures === 0 ? 0 : 1);
}

// plan: part -> [[section name, async function], ...]
export async function runPlan(PLAN) {
	nacl = (await import('tweetnacl')).default;
	({ WebSocket } = await import('ws'));
	SERVER_PK = b64d(process.env.SWS_SERVER_KEY);
	setTimeout(() => {
		console.log('not ok - part ' + PART + ' exceeded its 60 s bound');
		process.exit(1);
	}, 60000).unref();
	diag('part ' + PART + ' on ' + URL0);
	for (const [name, fn] of PLAN[PART] || [])
		await section(name, fn);
	finish();
}

// sws.js: JavaScript client of the sws relay (wire sws/1, bodies sws-e2e/1).
//
// One ES module for browsers and node (>= 20), no build step.
//  - Browser: load tweetnacl's nacl-fast.js with a classic <script> before
//    this module (it sets globalThis.nacl); the native WebSocket is used.
//  - Node: tweetnacl and ws are imported from node_modules.
//
// The wire is described in SPEC.md (sections 1-4, 6) and the end-to-end body
// convention in its section 7.  It speaks the JSON subprotocol
// (sws.v1.json) by default, MessagePack (sws.v1.msgpack) on request.

const isNode = typeof process === 'object' && process !== null &&
    typeof process.versions === 'object' && process.versions !== null &&
    typeof process.versions.node === 'string' &&
    typeof window === 'undefined';

let nacl = globalThis.nacl;
if (nacl === undefined || nacl === null || typeof nacl.box !== 'function') {
	if (isNode) {
		const m = await import('tweetnacl');
		nacl = m.default !== undefined ? m.default : m;
	} else {
		throw new Error('sws.js: load tweetnacl (nacl-fast.js) before ' +
		    'this module, so that globalThis.nacl is set');
	}
}
export { nacl };

export const SUBPROTOCOL = 'sws.v1.json';
export const KEY_BYTES = 32;
export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;
export const MAX_BINDING = 255;
export const MAX_RELAY_MESSAGE = 1024 * 1024;	// SPEC 4: accept up to 1 MiB
export const KIND_DATA = 0x00;
export const KIND_SENDER_KEY = 0x01;

// ---------------------------------------------------------------------------
// base64url without padding (RFC 4648 section 5), strict.

const B64U = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64U_VAL = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++)
	B64U_VAL[B64U.charCodeAt(i)] = i;

export function b64uEncode(bytes) {
	if (!(bytes instanceof Uint8Array))
		throw new TypeError('b64uEncode: Uint8Array expected');
	let out = '';
	let i = 0;
	for (; i + 3 <= bytes.length; i += 3) {
		const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
		out += B64U[v >>> 18] + B64U[(v >>> 12) & 63] +
		    B64U[(v >>> 6) & 63] + B64U[v & 63];
	}
	const rest = bytes.length - i;
	if (rest === 1) {
		const v = bytes[i];
		out += B64U[v >>> 2] + B64U[(v & 3) << 4];
	} else if (rest === 2) {
		const v = (bytes[i] << 8) | bytes[i + 1];
		out += B64U[v >>> 10] + B64U[(v >>> 4) & 63] + B64U[(v & 15) << 2];
	}
	return out;
}

// Returns a Uint8Array, or throws a SwsError with code 'malformed'.
export function b64uDecode(text) {
	if (typeof text !== 'string')
		throw new SwsError('malformed', 'base64url: string expected');
	const n = text.length;
	if (n % 4 === 1)
		throw new SwsError('malformed', 'base64url: bad length');
	const vals = new Uint8Array(n);
	for (let i = 0; i < n; i++) {
		const c = text.charCodeAt(i);
		const v = c < 128 ? B64U_VAL[c] : -1;
		if (v < 0)
			throw new SwsError('malformed',
			    'base64url: bad character');
		vals[i] = v;
	}
	const out = new Uint8Array(Math.floor(n * 3 / 4));
	let o = 0, i = 0;
	for (; i + 4 <= n; i += 4) {
		const v = (vals[i] << 18) | (vals[i + 1] << 12) |
		    (vals[i + 2] << 6) | vals[i + 3];
		out[o++] = v >>> 16;
		out[o++] = (v >>> 8) & 255;
		out[o++] = v & 255;
	}
	const rest = n - i;
	if (rest === 2) {
		if ((vals[i + 1] & 15) !== 0)
			throw new SwsError('malformed',
			    'base64url: non-zero trailing bits');
		out[o++] = (vals[i] << 2) | (vals[i + 1] >>> 4);
	} else if (rest === 3) {
		if ((vals[i + 2] & 3) !== 0)
			throw new SwsError('malformed',
			    'base64url: non-zero trailing bits');
		const v = (vals[i] << 10) | (vals[i + 1] << 4) |
		    (vals[i + 2] >>> 2);
		out[o++] = v >>> 8;
		out[o++] = v & 255;
	}
	return out;
}

// ---------------------------------------------------------------------------
// Small helpers.

export class SwsError extends Error {
	constructor(code, message) {
		super(message !== undefined ? message : code);
		this.name = 'SwsError';
		this.code = code;
	}
}

const utf8enc = new TextEncoder();
const utf8dec = new TextDecoder('utf-8', { fatal: true });

export function utf8(s) {
	return utf8enc.encode(s);
}

// Strict UTF-8 decoding: null when the bytes are not valid UTF-8.
export function utf8Text(bytes) {
	try {
		return utf8dec.decode(bytes);
	} catch (e) {
		return null;
	}
}

export function concat(...parts) {
	let n = 0;
	for (const p of parts)
		n += p.length;
	const out = new Uint8Array(n);
	let o = 0;
	for (const p of parts) {
		out.set(p, o);
		o += p.length;
	}
	return out;
}

export function bytesEqual(a, b) {
	if (a.length !== b.length)
		return false;
	let d = 0;
	for (let i = 0; i < a.length; i++)
		d |= a[i] ^ b[i];
	return d === 0;
}

function isZero(a) {
	let d = 0;
	for (let i = 0; i < a.length; i++)
		d |= a[i];
	return d === 0;
}

// A public key given as base64url text or bytes; returns 32 bytes.
export function toKey(k) {
	const b = typeof k === 'string' ? b64uDecode(k) : k;
	if (!(b instanceof Uint8Array) || b.length !== KEY_BYTES)
		throw new SwsError('malformed', 'a key is 32 bytes');
	return b;
}

function toBytes(data) {
	if (typeof data === 'string')
		return utf8(data);
	if (data instanceof Uint8Array)
		return data;
	if (data instanceof ArrayBuffer)
		return new Uint8Array(data);
	throw new TypeError('text or Uint8Array expected');
}

// Room names: 1-128 bytes of UTF-8 without control characters (SPEC 4).
export function validRoomName(name) {
	if (typeof name !== 'string')
		return false;
	const b = utf8(name);
	if (b.length < 1 || b.length > 128)
		return false;
	// A lone surrogate would not survive the UTF-8 round trip.
	if (utf8Text(b) !== name)
		return false;
	for (const c of b)
		if (c < 0x20 || c === 0x7f)
			return false;
	return true;
}

// The binding of SPEC 3: the authority of the URL as dialled, lower case,
// userinfo dropped.
export function bindingOf(url) {
	const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(url);
	if (m === null)
		throw new SwsError('malformed', 'relay URL without authority');
	let auth = m[1];
	const at = auth.lastIndexOf('@');
	if (at >= 0)
		auth = auth.slice(at + 1);
	auth = auth.replace(/[A-Z]/g, (c) => c.toLowerCase());
	const b = utf8(auth);
	if (b.length > MAX_BINDING)
		throw new SwsError('malformed', 'relay authority too long');
	return b;
}

// ---------------------------------------------------------------------------
// Cryptography (SPEC 2, 3, 7).  tweetnacl does not refuse low-order points:
// the X25519 output is checked here, as libsodium does.

// X25519 shared secret check: true when the pair gives an all-zero secret.
export function isLowOrder(pk, sk) {
	return isZero(nacl.scalarMult(sk, pk));
}

// crypto_box_beforenm, refusing low-order keys.
export function sharedKey(pk, sk) {
	if (isLowOrder(pk, sk))
		throw new SwsError('low-order-key',
		    'refused a low-order public key');
	return nacl.box.before(pk, sk);
}

export function registrationBox(challenge, binding, nonce, serverPk, clientSk) {
	const k = sharedKey(serverPk, clientSk);
	return nacl.box.after(concat(challenge, binding), nonce, k);
}

// True when proof = nonce2 || box(challenge || client pk, nonce2, client pk,
// server sk).
export function checkProof(proof, challenge, clientPk, serverPk, clientSk) {
	if (!(proof instanceof Uint8Array) ||
	    proof.length !== NONCE_BYTES + TAG_BYTES + 2 * KEY_BYTES)
		return false;
	let k;
	try {
		k = sharedKey(serverPk, clientSk);
	} catch (e) {
		return false;
	}
	const m = nacl.box.open.after(proof.subarray(NONCE_BYTES),
	    proof.subarray(0, NONCE_BYTES), k);
	return m !== null && bytesEqual(m, concat(challenge, clientPk));
}

export function dataInner(data) {
	return concat(Uint8Array.of(KIND_DATA), toBytes(data));
}

export function senderKeyInner(key, room) {
	return concat(Uint8Array.of(KIND_SENDER_KEY), key, utf8(room));
}

// Direct body: nonce || box(inner, nonce, recipient pk, sender sk).
export function sealDirect(inner, recipientPk, senderSk, nonce) {
	const k = sharedKey(recipientPk, senderSk);
	if (nonce === undefined)
		nonce = nacl.randomBytes(NONCE_BYTES);
	return concat(nonce, nacl.box.after(inner, nonce, k));
}

// Returns the inner bytes, or null when the body does not open.
export function openDirect(body, senderPk, recipientSk) {
	if (body.length < NONCE_BYTES + TAG_BYTES)
		return null;
	const k = sharedKey(senderPk, recipientSk);
	return nacl.box.open.after(body.subarray(NONCE_BYTES),
	    body.subarray(0, NONCE_BYTES), k);
}

// Room body: nonce || secretbox(inner, nonce, sender key).
export function sealRoom(inner, key, nonce) {
	if (nonce === undefined)
		nonce = nacl.randomBytes(NONCE_BYTES);
	return concat(nonce, nacl.secretbox(inner, nonce, key));
}

export function openRoom(body, key) {
	if (body.length < NONCE_BYTES + TAG_BYTES)
		return null;
	return nacl.secretbox.open(body.subarray(NONCE_BYTES),
	    body.subarray(0, NONCE_BYTES), key);
}

// ---------------------------------------------------------------------------
// Key pair storage.  Anything with getItem(name) and setItem(name, value)
// works (localStorage, or MemoryStorage under node).

export class MemoryStorage {
	constructor() {
		this.map = new Map();
	}
	getItem(k) {
		return this.map.has(k) ? this.map.get(k) : null;
	}
	setItem(k, v) {
		this.map.set(k, String(v));
	}
	removeItem(k) {
		this.map.delete(k);
	}
}

function defaultStorage() {
	try {
		if (typeof globalThis.localStorage === 'object' &&
		    globalThis.localStorage !== null)
			return globalThis.localStorage;
	} catch (e) {
		// localStorage may throw when storage is disabled
	}
	return new MemoryStorage();
}

// Loads the key pair stored under name, or makes and stores a new one.
export function loadKeyPair(storage, name) {
	const saved = storage.getItem(name);
	if (saved !== null && saved !== undefined) {
		try {
			const o = JSON.parse(saved);
			const sk = b64uDecode(o.secretKey);
			if (sk.length === KEY_BYTES)
				return nacl.box.keyPair.fromSecretKey(sk);
		} catch (e) {
			// unreadable: replaced below
		}
	}
	const kp = nacl.box.keyPair();
	storage.setItem(name, JSON.stringify({
		publicKey: b64uEncode(kp.publicKey),
		secretKey: b64uEncode(kp.secretKey),
	}));
	return kp;
}

// ---------------------------------------------------------------------------
// Reconnection delay: exponential, capped, with jitter (the delay is drawn
// uniformly from [d/2, d] where d = min(cap, base * 2^attempt)).

export function backoffDelay(attempt, base, cap, rnd = Math.random) {
	const d = Math.min(cap, base * Math.pow(2, Math.min(attempt, 30)));
	return Math.round(d / 2 + rnd() * d / 2);
}

// ---------------------------------------------------------------------------
// Codecs (SPEC 1, 6).  Messages inside the client are objects whose byte
// fields (and the elements of members) hold Uint8Array; the JSON codec
// writes them as base64url text, the msgpack codec as bin.

const BYTE_FIELDS = ['server', 'challenge', 'publicKey', 'nonce', 'box',
    'proof', 'to', 'from', 'body'];

function bytesOut(v, conv) {
	if (v instanceof Uint8Array)
		return conv(v);
	throw new TypeError('byte field expects a Uint8Array');
}

function checkDecoded(msg) {
	if (typeof msg !== 'object' || msg === null || Array.isArray(msg) ||
	    msg instanceof Uint8Array || typeof msg.type !== 'string')
		throw new SwsError('malformed', 'relay message without type');
	return msg;
}

export const jsonCodec = {
	subprotocol: 'sws.v1.json',
	binary: false,
	encode(obj) {
		const o = {};
		for (const [k, v] of Object.entries(obj)) {
			if (BYTE_FIELDS.includes(k))
				o[k] = bytesOut(v, b64uEncode);
			else if (k === 'members')
				o[k] = v.map((x) => bytesOut(x, b64uEncode));
			else
				o[k] = v;
		}
		return JSON.stringify(o);
	},
	decode(data) {
		if (typeof data !== 'string')
			throw new SwsError('malformed',
			    'binary message on the JSON subprotocol');
		let msg;
		try {
			msg = JSON.parse(data);
		} catch (e) {
			throw new SwsError('malformed', 'invalid JSON');
		}
		checkDecoded(msg);
		for (const k of BYTE_FIELDS)
			if (Object.prototype.hasOwnProperty.call(msg, k))
				msg[k] = b64uDecode(msg[k]);
		if (Object.prototype.hasOwnProperty.call(msg, 'members')) {
			if (!Array.isArray(msg.members))
				throw new SwsError('malformed',
				    'members: array expected');
			msg.members = msg.members.map((x) => b64uDecode(x));
		}
		return msg;
	},
};

// MessagePack: the subset sws/1 uses (maps with str keys, str, bin,
// unsigned and signed integers, arrays, nil, booleans, floats; ext values
// are read and ignored).  Decoding is strict: declared sizes never exceed
// the bytes that remain, nesting is at most 8 deep, duplicate keys and
// trailing bytes are malformed, integers beyond 2^53 are malformed.

function mpWrite(out, v) {
	if (v instanceof Uint8Array) {
		const n = v.length;
		if (n < 0x100)
			out.push(Uint8Array.of(0xc4, n));
		else if (n < 0x10000)
			out.push(Uint8Array.of(0xc5, n >>> 8, n & 255));
		else
			out.push(Uint8Array.of(0xc6, n >>> 24, (n >>> 16) & 255,
			    (n >>> 8) & 255, n & 255));
		out.push(v);
	} else if (typeof v === 'string') {
		const b = utf8(v);
		const n = b.length;
		if (n < 32)
			out.push(Uint8Array.of(0xa0 | n));
		else if (n < 0x100)
			out.push(Uint8Array.of(0xd9, n));
		else if (n < 0x10000)
			out.push(Uint8Array.of(0xda, n >>> 8, n & 255));
		else
			out.push(Uint8Array.of(0xdb, n >>> 24, (n >>> 16) & 255,
			    (n >>> 8) & 255, n & 255));
		out.push(b);
	} else if (typeof v === 'number') {
		if (!Number.isSafeInteger(v) || v < 0)
			throw new TypeError('msgpack: unsigned integer expected');
		if (v < 0x80) {
			out.push(Uint8Array.of(v));
		} else if (v < 0x100) {
			out.push(Uint8Array.of(0xcc, v));
		} else if (v < 0x10000) {
			out.push(Uint8Array.of(0xcd, v >>> 8, v & 255));
		} else if (v < 0x100000000) {
			out.push(Uint8Array.of(0xce, v >>> 24, (v >>> 16) & 255,
			    (v >>> 8) & 255, v & 255));
		} else {
			const b = new Uint8Array(9);
			b[0] = 0xcf;
			new DataView(b.buffer).setBigUint64(1, BigInt(v));
			out.push(b);
		}
	} else if (typeof v === 'boolean') {
		out.push(Uint8Array.of(v ? 0xc3 : 0xc2));
	} else if (v === null) {
		out.push(Uint8Array.of(0xc0));
	} else if (Array.isArray(v)) {
		const n = v.length;
		if (n < 16)
			out.push(Uint8Array.of(0x90 | n));
		else if (n < 0x10000)
			out.push(Uint8Array.of(0xdc, n >>> 8, n & 255));
		else
			out.push(Uint8Array.of(0xdd, n >>> 24, (n >>> 16) & 255,
			    (n >>> 8) & 255, n & 255));
		for (const x of v)
			mpWrite(out, x);
	} else if (typeof v === 'object') {
		const ents = Object.entries(v).filter(([, x]) =>
		    x !== undefined);
		const n = ents.length;
		if (n < 16)
			out.push(Uint8Array.of(0x80 | n));
		else
			out.push(Uint8Array.of(0xde, n >>> 8, n & 255));
		for (const [k, x] of ents) {
			mpWrite(out, k);
			mpWrite(out, x);
		}
	} else {
		throw new TypeError('msgpack: cannot encode ' + typeof v);
	}
}

export function msgpackEncode(v) {
	const out = [];
	mpWrite(out, v);
	return concat(...out);
}

function mpBad(what) {
	return new SwsError('malformed', 'msgpack: ' + what);
}

function mpRead(st, depth) {
	const b = st.b;
	const need = (n) => {
		if (n > b.length - st.i)
			throw mpBad('truncated or oversized');
	};
	const be = (n) => {
		need(n);
		let v = 0;
		for (let k = 0; k < n; k++)
			v = v * 256 + b[st.i++];
		return v;
	};
	const take = (n) => {
		need(n);
		const r = b.slice(st.i, st.i + n);
		st.i += n;
		return r;
	};
	const str = (n) => {
		const t = utf8Text(take(n));
		if (t === null)
			throw mpBad('invalid UTF-8 in str');
		return t;
	};
	const arr = (n) => {
		if (depth >= 8)
			throw mpBad('nested too deeply');
		need(n);	// every element takes at least one byte
		const a = [];
		for (let k = 0; k < n; k++)
			a.push(mpRead(st, depth + 1));
		return a;
	};
	const map = (n) => {
		if (depth >= 8)
			throw mpBad('nested too deeply');
		need(2 * n);
		const o = {};
		for (let k = 0; k < n; k++) {
			const key = mpRead(st, depth + 1);
			if (typeof key !== 'string')
				throw mpBad('map key is not a str');
			if (Object.prototype.hasOwnProperty.call(o, key))
				throw mpBad('duplicate key ' + key);
			const val = mpRead(st, depth + 1);
			Object.defineProperty(o, key, { value: val,
			    enumerable: true, writable: true,
			    configurable: true });
		}
		return o;
	};
	const signed = (n) => {
		need(n);
		const dv = new DataView(b.buffer, b.byteOffset + st.i, n);
		st.i += n;
		if (n === 1)
			return dv.getInt8(0);
		if (n === 2)
			return dv.getInt16(0);
		if (n === 4)
			return dv.getInt32(0);
		const v = dv.getBigInt64(0);
		if (v > BigInt(Number.MAX_SAFE_INTEGER) ||
		    v < BigInt(Number.MIN_SAFE_INTEGER))
			throw mpBad('integer out of range');
		return Number(v);
	};
	const ext = (n) => {
		be(1);		// type
		take(n);
		return null;
	};
	need(1);
	const t = b[st.i++];
	if (t < 0x80)
		return t;
	if (t >= 0xe0)
		return t - 0x100;
	if (t >= 0x80 && t <= 0x8f)
		return map(t & 15);
	if (t >= 0x90 && t <= 0x9f)
		return arr(t & 15);
	if (t >= 0xa0 && t <= 0xbf)
		return str(t & 31);
	switch (t) {
	case 0xc0: return null;
	case 0xc2: return false;
	case 0xc3: return true;
	case 0xc4: return take(be(1));
	case 0xc5: return take(be(2));
	case 0xc6: return take(be(4));
	case 0xc7: return ext(be(1));
	case 0xc8: return ext(be(2));
	case 0xc9: return ext(be(4));
	case 0xca: {
		need(4);
		const v = new DataView(b.buffer, b.byteOffset + st.i, 4)
		    .getFloat32(0);
		st.i += 4;
		return v;
	}
	case 0xcb: {
		need(8);
		const v = new DataView(b.buffer, b.byteOffset + st.i, 8)
		    .getFloat64(0);
		st.i += 8;
		return v;
	}
	case 0xcc: return be(1);
	case 0xcd: return be(2);
	case 0xce: return be(4);
	case 0xcf: {
		const v = be(8);
		if (v > Number.MAX_SAFE_INTEGER)
			throw mpBad('integer out of range');
		return v;
	}
	case 0xd0: return signed(1);
	case 0xd1: return signed(2);
	case 0xd2: return signed(4);
	case 0xd3: return signed(8);
	case 0xd4: return ext(1);
	case 0xd5: return ext(2);
	case 0xd6: return ext(4);
	case 0xd7: return ext(8);
	case 0xd8: return ext(16);
	case 0xd9: return str(be(1));
	case 0xda: return str(be(2));
	case 0xdb: return str(be(4));
	case 0xdc: return arr(be(2));
	case 0xdd: return arr(be(4));
	case 0xde: return map(be(2));
	case 0xdf: return map(be(4));
	default:
		throw mpBad('unused type byte 0x' + t.toString(16));
	}
}

export function msgpackDecode(bytes) {
	const st = { b: bytes, i: 0 };
	const v = mpRead(st, 0);
	if (st.i !== bytes.length)
		throw mpBad('trailing bytes');
	return v;
}

export const msgpackCodec = {
	subprotocol: 'sws.v1.msgpack',
	binary: true,
	encode(obj) {
		return msgpackEncode(obj);
	},
	decode(data) {
		if (typeof data === 'string')
			throw new SwsError('malformed',
			    'text message on the msgpack subprotocol');
		const bytes = data instanceof Uint8Array ? data :
		    new Uint8Array(data);
		const msg = checkDecoded(msgpackDecode(bytes));
		for (const k of BYTE_FIELDS)
			if (Object.prototype.hasOwnProperty.call(msg, k) &&
			    !(msg[k] instanceof Uint8Array))
				throw new SwsError('malformed',
				    k + ': bin expected');
		if (Object.prototype.hasOwnProperty.call(msg, 'members') &&
		    (!Array.isArray(msg.members) || !msg.members.every((x) =>
		    x instanceof Uint8Array)))
			throw new SwsError('malformed',
			    'members: array of bin expected');
		return msg;
	},
};

let wsClass = null;

async function webSocketClass() {
	if (wsClass !== null)
		return wsClass;
	if (isNode) {
		const m = await import('ws');
		wsClass = m.WebSocket !== undefined ? m.WebSocket : m.default;
	} else if (typeof globalThis.WebSocket === 'function') {
		wsClass = globalThis.WebSocket;
	} else {
		throw new Error('sws.js: no WebSocket implementation');
	}
	return wsClass;
}

// Fields of decoded relay messages.
function fieldBytes(msg, name) {
	if (!(msg[name] instanceof Uint8Array))
		throw new SwsError('malformed', name + ': bytes expected');
	return msg[name];
}

function fieldKey(msg, name) {
	const k = fieldBytes(msg, name);
	if (k.length !== KEY_BYTES)
		throw new SwsError('malformed', name + ': a key is 32 bytes');
	return k;
}

function fieldString(msg, name) {
	if (typeof msg[name] !== 'string')
		throw new SwsError('malformed', name + ': string expected');
	return msg[name];
}

// ---------------------------------------------------------------------------
// The client.
//
// Events (client.on(name, fn), which returns a function that unsubscribes):
//   state      {state: 'connecting'|'registered'|'reconnecting'|'closed',
//               delay?, error?}
//   registered {publicKey, server, limits}
//   message    {from, data, text}          a direct message (kind 0x00)
//   room       {room, from, data, text, body}  a room message
//   joined     {room, members}             JOINED (also after a re-join)
//   presence   {room, publicKey, state}
//   senderkey  {room, from, key}           a peer's sender key arrived
//   error      SwsError                    bodies that do not open, relay
//                                          ERRORs without id, ...
// Keys in events are base64url strings; data is a Uint8Array; text is the
// data as a string when it is valid UTF-8, else null.

const DEFAULTS = {
	reconnect: true,
	backoffBase: 500,
	backoffCap: 30000,
	requestTimeout: 15000,
	handshakeTimeout: 15000,
	holdMs: 5000,		// room bodies waiting for their sender key
	holdMax: 64,		// per room and sender
	storageKey: 'sws.keypair',
	encoding: 'json',
};

export class SwsClient {
	// options: url (ws:// or wss://), serverKey (pinned, base64url or
	// bytes), keyPair ({publicKey, secretKey}), storage, storageKey,
	// encoding ('json', the default, or 'msgpack'),
	// reconnect, backoffBase, backoffCap, requestTimeout,
	// handshakeTimeout, holdMs, holdMax, WebSocket (a constructor).
	constructor(options = {}) {
		this.opts = Object.assign({}, DEFAULTS, options);
		if (typeof this.opts.url !== 'string')
			throw new TypeError('SwsClient: url required');
		this.url = this.opts.url;
		this.binding = bindingOf(this.url);
		if (this.opts.encoding === 'msgpack')
			this.codec = msgpackCodec;
		else if (this.opts.encoding === 'json')
			this.codec = jsonCodec;
		else
			throw new TypeError('SwsClient: encoding is json or ' +
			    'msgpack');
		this.pinned = this.opts.serverKey !== undefined &&
		    this.opts.serverKey !== null && this.opts.serverKey !== '' ?
		    toKey(this.opts.serverKey) : null;
		if (this.opts.keyPair !== undefined) {
			this.keyPair = this.opts.keyPair;
		} else {
			const st = this.opts.storage !== undefined ?
			    this.opts.storage : defaultStorage();
			this.keyPair = loadKeyPair(st, this.opts.storageKey);
		}
		this.publicKey = b64uEncode(this.keyPair.publicKey);
		this.handlers = new Map();
		this.ws = null;
		this.state = 'closed';
		this.serverKey = null;
		this.limits = null;
		this.nextId = 1;
		this.pending = new Map();	// id -> {resolve, reject, timer}
		this.shared = new Map();	// peer b64 -> box shared key
		this.rooms = new Map();		// name -> room state
		this.wanted = false;		// keep the connection up
		this.attempt = 0;
		this.retryTimer = null;
		this.registeredOnce = false;
	}

	on(name, fn) {
		if (!this.handlers.has(name))
			this.handlers.set(name, new Set());
		this.handlers.get(name).add(fn);
		return () => this.handlers.get(name).delete(fn);
	}

	emit(name, ev) {
		const hs = this.handlers.get(name);
		if (hs === undefined)
			return;
		for (const fn of Array.from(hs)) {
			try {
				fn(ev);
			} catch (e) {
				if (name !== 'error')
					this.emit('error', new SwsError(
					    'handler', String(e)));
			}
		}
	}

	setState(state, extra = {}) {
		this.state = state;
		this.emit('state', Object.assign({ state }, extra));
	}

	get connected() {
		return this.state === 'registered';
	}

	// Connects and registers.  Resolves with {server, limits} once
	// registered; rejects when this first attempt fails.  After a
	// registered connection drops, the client reconnects by itself
	// (option reconnect) until close() is called.
	connect() {
		if (this.state === 'registered')
			return Promise.resolve({ server: this.serverKey,
			    limits: this.limits });
		this.wanted = true;
		this.clearRetry();
		return this.attempt1();
	}

	attempt1() {
		return new Promise((resolve, reject) => {
			this.dial(resolve, reject).catch(reject);
		});
	}

	async dial(resolve, reject) {
		const WS = this.opts.WebSocket !== undefined ?
		    this.opts.WebSocket : await webSocketClass();
		this.setState('connecting');
		let ws;
		try {
			ws = isNode && WS === wsClass ?
			    new WS(this.url, [this.codec.subprotocol], {
				maxPayload: MAX_RELAY_MESSAGE,
				perMessageDeflate: false,
				handshakeTimeout: this.opts.handshakeTimeout,
			    }) : new WS(this.url, [this.codec.subprotocol]);
		} catch (e) {
			this.setState('closed', { error: e });
			reject(new SwsError('connect', String(e.message || e)));
			return;
		}
		ws.binaryType = 'arraybuffer';
		this.ws = ws;
		const conn = { ws, challenge: null, done: false };
		const finish = (err) => {
			if (conn.done)
				return;
			conn.done = true;
			clearTimeout(conn.timer);
			if (err === null) {
				resolve({ server: this.serverKey,
				    limits: this.limits });
			} else {
				reject(err);
			}
		};
		conn.finish = finish;
		conn.timer = setTimeout(() => {
			finish(new SwsError('timeout',
			    'no registration in time'));
			this.abort(ws);
		}, this.opts.handshakeTimeout);
		ws.onopen = () => {
			// No header in the answer means JSON (SPEC 1).
			const p = ws.protocol === '' ? jsonCodec.subprotocol :
			    ws.protocol;
			if (p !== this.codec.subprotocol) {
				finish(new SwsError('protocol',
				    'relay chose subprotocol "' + ws.protocol +
				    '"'));
				this.abort(ws);
			}
		};
		ws.onmessage = (ev) => {
			if (this.ws !== ws)
				return;
			this.onFrame(conn, ev.data);
		};
		ws.onerror = () => {
			// a close event follows
		};
		ws.onclose = (ev) => {
			clearTimeout(conn.timer);
			if (!conn.done)
				finish(new SwsError(conn.failCode || 'connect',
				    conn.failMessage ||
				    'connection closed (' + ev.code + ')'));
			if (this.ws === ws)
				this.onDrop(ev.code, conn);
		};
	}

	abort(ws) {
		try {
			ws.close(1000);
		} catch (e) {
			// already closing
		}
	}

	// Tests use this to cut the connection as a network failure would.
	dropConnection() {
		const ws = this.ws;
		if (ws === null)
			return;
		if (typeof ws.terminate === 'function')
			ws.terminate();
		else
			ws.close(4000, 'dropped');
	}

	onDrop(code, conn) {
		this.ws = null;
		const wasRegistered = conn.registered === true;
		this.failPending(new SwsError('disconnected',
		    'connection closed (' + code + ')'));
		for (const r of this.rooms.values()) {
			r.joined = false;
			r.members.clear();
			r.peerKeys.clear();
			this.dropHeld(r);
		}
		this.limits = null;
		// No reconnection when another session took our place
		// (4001), after a refusal, or before a first registration.
		if (this.wanted && this.opts.reconnect && code !== 4001 &&
		    conn.fatal !== true && (wasRegistered || this.registeredOnce &&
		    this.attempt > 0)) {
			this.scheduleRetry();
		} else {
			this.wanted = false;
			this.setState('closed', { code });
		}
	}

	scheduleRetry() {
		const delay = backoffDelay(this.attempt, this.opts.backoffBase,
		    this.opts.backoffCap);
		this.attempt++;
		this.setState('reconnecting', { delay, attempt: this.attempt });
		this.retryTimer = setTimeout(() => {
			this.retryTimer = null;
			if (!this.wanted)
				return;
			// a failure shows as the next 'reconnecting' or
			// 'closed' state
			this.attempt1().catch(() => {});
		}, delay);
	}

	clearRetry() {
		if (this.retryTimer !== null) {
			clearTimeout(this.retryTimer);
			this.retryTimer = null;
		}
	}

	// Closes the connection for good (no reconnection).
	close() {
		this.wanted = false;
		this.clearRetry();
		const ws = this.ws;
		if (ws !== null) {
			ws.close(1000);
		} else if (this.state !== 'closed') {
			this.setState('closed', {});
		}
	}

	sendMsg(obj) {
		if (this.ws === null || this.state !== 'registered')
			throw new SwsError('disconnected', 'not connected');
		this.ws.send(this.codec.encode(obj));
	}

	// Sends a request with a fresh id; resolves with the ACK or JOINED,
	// rejects with the ERROR's code.
	request(obj) {
		return new Promise((resolve, reject) => {
			const id = this.nextId++;
			obj.id = id;
			const timer = setTimeout(() => {
				this.pending.delete(id);
				reject(new SwsError('timeout',
				    obj.type + ': no answer'));
			}, this.opts.requestTimeout);
			this.pending.set(id, { resolve, reject, timer });
			try {
				this.sendMsg(obj);
			} catch (e) {
				clearTimeout(timer);
				this.pending.delete(id);
				reject(e);
			}
		});
	}

	failPending(err) {
		const all = Array.from(this.pending.values());
		this.pending.clear();
		for (const p of all) {
			clearTimeout(p.timer);
			p.reject(err);
		}
	}

	settle(msg, err) {
		if (typeof msg.id !== 'number')
			return false;
		const p = this.pending.get(msg.id);
		if (p === undefined)
			return false;
		this.pending.delete(msg.id);
		clearTimeout(p.timer);
		if (err !== null)
			p.reject(err);
		else
			p.resolve(msg);
		return true;
	}

	onFrame(conn, data) {
		const size = typeof data === 'string' ? data.length :
		    data.byteLength;
		if (size > MAX_RELAY_MESSAGE) {
			this.emit('error', new SwsError('too-large',
			    'relay message too large'));
			return;
		}
		let msg;
		try {
			msg = this.codec.decode(data);
		} catch (e) {
			this.emit('error', e instanceof SwsError ? e :
			    new SwsError('malformed', String(e)));
			return;
		}
		try {
			if (!conn.registered)
				this.onHandshake(conn, msg);
			else
				this.onMessage(msg);
		} catch (e) {
			const err = e instanceof SwsError ? e :
			    new SwsError('internal', String(e && e.stack || e));
			if (!conn.registered) {
				conn.fatal = true;
				conn.finish(err);
				this.abort(conn.ws);
			} else {
				this.emit('error', err);
			}
		}
	}

	refuse(conn, code, message) {
		conn.fatal = true;
		conn.failCode = code;
		conn.failMessage = message;
		conn.finish(new SwsError(code, message));
		this.abort(conn.ws);
	}

	onHandshake(conn, msg) {
		const sk = this.keyPair.secretKey;
		if (msg.type === 'CHALLENGE' && conn.challenge === null) {
			if (msg.version !== 1)
				return this.refuse(conn, 'version',
				    'relay speaks version ' + msg.version);
			const server = fieldKey(msg, 'server');
			const challenge = fieldBytes(msg, 'challenge');
			if (challenge.length !== 32)
				throw new SwsError('malformed',
				    'challenge is not 32 bytes');
			if (this.pinned !== null &&
			    !bytesEqual(server, this.pinned))
				return this.refuse(conn, 'server-key-mismatch',
				    'the relay key is not the pinned one');
			if (isLowOrder(server, sk))
				return this.refuse(conn, 'low-order-key',
				    'the relay key is a low-order point');
			conn.challenge = challenge;
			conn.server = server;
			const nonce = nacl.randomBytes(NONCE_BYTES);
			const box = registrationBox(challenge, this.binding,
			    nonce, server, sk);
			conn.ws.send(this.codec.encode({
				type: 'CHALLENGE_RESPONSE',
				publicKey: this.keyPair.publicKey,
				nonce, box,
			}));
		} else if (msg.type === 'REGISTER_SUCCESS' &&
		    conn.challenge !== null) {
			const pk = fieldKey(msg, 'publicKey');
			const proof = fieldBytes(msg, 'proof');
			if (!bytesEqual(pk, this.keyPair.publicKey))
				return this.refuse(conn, 'bad-proof',
				    'registered under another key');
			if (!checkProof(proof, conn.challenge,
			    this.keyPair.publicKey, conn.server, sk))
				return this.refuse(conn, 'bad-proof',
				    'the relay proof does not verify');
			const lim = msg.limits;
			const limits = {};
			if (typeof lim === 'object' && lim !== null)
				for (const k of ['maxMessage', 'maxBody',
				    'rate', 'burst', 'rooms'])
					if (Number.isSafeInteger(lim[k]))
						limits[k] = lim[k];
			conn.registered = true;
			this.serverKey = b64uEncode(conn.server);
			this.limits = limits;
			this.attempt = 0;
			this.registeredOnce = true;
			this.setState('registered');
			this.emit('registered', { publicKey: this.publicKey,
			    server: this.serverKey, limits });
			conn.finish(null);
			this.rejoin();
		} else if (msg.type === 'REGISTER_FAILURE') {
			const reason = typeof msg.reason === 'string' ?
			    msg.reason : 'unknown';
			const text = typeof msg.message === 'string' ?
			    msg.message : reason;
			// a timeout or an unavailable cryptod is worth a
			// retry; a refused proof or binding is not.
			if (reason !== 'timeout' && reason !== 'unavailable')
				conn.fatal = true;
			conn.failCode = reason;
			conn.failMessage = text;
			conn.finish(new SwsError(reason, text));
		} else {
			this.refuse(conn, 'malformed',
			    'unexpected ' + msg.type + ' during registration');
		}
	}

	onMessage(msg) {
		switch (msg.type) {
		case 'ACK':
			this.settle(msg, null);
			break;
		case 'ERROR': {
			const code = typeof msg.code === 'string' ?
			    msg.code : 'unknown';
			const err = new SwsError(code,
			    typeof msg.message === 'string' ? msg.message :
			    code);
			if (!this.settle(msg, err))
				this.emit('error', err);
			break;
		}
		case 'MESSAGE':
			if (msg.room !== undefined)
				this.onRoomMessage(msg);
			else
				this.onDirect(msg);
			break;
		case 'JOINED':
			this.onJoined(msg);
			break;
		case 'PRESENCE':
			this.onPresence(msg);
			break;
		default:
			// unknown types are ignored (newer relays)
			break;
		}
	}

	shared1(peerB64, peer) {
		let k = this.shared.get(peerB64);
		if (k === undefined) {
			k = sharedKey(peer, this.keyPair.secretKey);
			if (this.shared.size > 4096)
				this.shared.clear();
			this.shared.set(peerB64, k);
		}
		return k;
	}

	sealFor(peerB64, inner) {
		const peer = toKey(peerB64);
		const k = this.shared1(b64uEncode(peer), peer);
		const nonce = nacl.randomBytes(NONCE_BYTES);
		return concat(nonce, nacl.box.after(inner, nonce, k));
	}

	onDirect(msg) {
		const from = fieldKey(msg, 'from');
		const fromB64 = b64uEncode(from);
		const body = fieldBytes(msg, 'body');
		let k;
		try {
			k = this.shared1(fromB64, from);
		} catch (e) {
			this.emit('error', new SwsError('low-order-key',
			    'message from a low-order key dropped'));
			return;
		}
		const inner = body.length < NONCE_BYTES + TAG_BYTES ? null :
		    nacl.box.open.after(body.subarray(NONCE_BYTES),
		    body.subarray(0, NONCE_BYTES), k);
		if (inner === null || inner.length < 1) {
			this.emit('error', Object.assign(new SwsError(
			    'undecryptable', 'a message from ' + fromB64 +
			    ' does not open'), { from: fromB64 }));
			return;
		}
		const payload = inner.subarray(1);
		if (inner[0] === KIND_DATA) {
			this.emit('message', { from: fromB64, data: payload,
			    text: utf8Text(payload) });
		} else if (inner[0] === KIND_SENDER_KEY) {
			this.onSenderKey(fromB64, payload);
		} else {
			this.emit('error', Object.assign(new SwsError(
			    'unknown-kind', 'a message of kind ' + inner[0] +
			    ' from ' + fromB64 + ' dropped'),
			    { from: fromB64 }));
		}
	}

	onSenderKey(fromB64, payload) {
		const room = payload.length > KEY_BYTES ?
		    utf8Text(payload.subarray(KEY_BYTES)) : null;
		if (room === null || !validRoomName(room)) {
			this.emit('error', new SwsError('malformed',
			    'bad sender key message from ' + fromB64));
			return;
		}
		const r = this.rooms.get(room);
		if (r === undefined) {
			this.emit('error', new SwsError('not-member',
			    'sender key for room ' + room +
			    ' that we are not in'));
			return;
		}
		if (fromB64 === this.publicKey)
			return;		// our own other session
		const key = payload.slice(0, KEY_BYTES);
		// Newest first; a few older ones are kept for bodies that
		// were sealed just before a rotation.
		const list = r.peerKeys.get(fromB64) || [];
		list.unshift(key);
		if (list.length > 3)
			list.length = 3;
		r.peerKeys.set(fromB64, list);
		this.emit('senderkey', { room, from: fromB64, key });
		const held = r.held.get(fromB64);
		if (held !== undefined) {
			r.held.delete(fromB64);
			for (const h of held) {
				clearTimeout(h.timer);
				this.openRoomBody(r, fromB64, h.body, true);
			}
		}
	}

	onRoomMessage(msg) {
		const room = fieldString(msg, 'room');
		const from = fieldKey(msg, 'from');
		const fromB64 = b64uEncode(from);
		const body = fieldBytes(msg, 'body');
		const r = this.rooms.get(room);
		if (r === undefined || !r.joined) {
			this.emit('error', new SwsError('not-member',
			    'message for room ' + room + ' dropped'));
			return;
		}
		this.openRoomBody(r, fromB64, body, false);
	}

	openRoomBody(r, fromB64, body, wasHeld) {
		const keys = r.peerKeys.get(fromB64);
		if (keys === undefined) {
			if (wasHeld)
				return;
			// Hold it briefly: the key may still be on its way.
			let held = r.held.get(fromB64);
			if (held === undefined) {
				held = [];
				r.held.set(fromB64, held);
			}
			if (held.length >= this.opts.holdMax) {
				this.emit('error', Object.assign(new SwsError(
				    'no-sender-key', 'room ' + r.name +
				    ': message from ' + fromB64 +
				    ' without key dropped'), { room: r.name,
				    from: fromB64 }));
				return;
			}
			const h = { body };
			h.timer = setTimeout(() => {
				const i = held.indexOf(h);
				if (i >= 0)
					held.splice(i, 1);
				if (held.length === 0 &&
				    r.held.get(fromB64) === held)
					r.held.delete(fromB64);
				this.emit('error', Object.assign(new SwsError(
				    'no-sender-key', 'room ' + r.name +
				    ': message from ' + fromB64 +
				    ' without key dropped'), { room: r.name,
				    from: fromB64 }));
			}, this.opts.holdMs);
			held.push(h);
			return;
		}
		let inner = null;
		for (const k of keys) {
			inner = openRoom(body, k);
			if (inner !== null)
				break;
		}
		if (inner === null || inner.length < 1 ||
		    inner[0] !== KIND_DATA) {
			this.emit('error', Object.assign(new SwsError(
			    'undecryptable', 'room ' + r.name +
			    ': a message from ' + fromB64 +
			    ' does not open'), { room: r.name,
			    from: fromB64 }));
			return;
		}
		const data = inner.subarray(1);
		this.emit('room', { room: r.name, from: fromB64, data,
		    text: utf8Text(data), body });
	}

	dropHeld(r) {
		for (const held of r.held.values())
			for (const h of held)
				clearTimeout(h.timer);
		r.held.clear();
	}

	// Sends our sender key for room r to one member (kind 0x01).
	giveKey(r, peerB64) {
		if (peerB64 === this.publicKey || r.myKey === null)
			return;
		let body;
		try {
			body = this.sealFor(peerB64,
			    senderKeyInner(r.myKey, r.name));
		} catch (e) {
			this.emit('error', new SwsError(e.code || 'internal',
			    'room ' + r.name + ': cannot give the key to ' +
			    peerB64 + ': ' + e.message));
			return;
		}
		this.request({ type: 'SEND', to: toKey(peerB64),
		    body }).catch((e) => {
			this.emit('error', Object.assign(new SwsError(e.code,
			    'room ' + r.name + ': key to ' + peerB64 +
			    ': ' + e.message), { room: r.name,
			    to: peerB64 }));
		});
	}

	onJoined(msg) {
		const room = fieldString(msg, 'room');
		if (!Array.isArray(msg.members))
			throw new SwsError('malformed', 'JOINED without members');
		const members = msg.members.map((m) =>
		    b64uEncode(toKey(m)));
		msg.memberKeys = members;
		const r = this.rooms.get(room);
		if (r === undefined) {
			this.settle(msg, null);
			return;
		}
		r.joined = true;
		r.everJoined = true;
		r.members = new Set(members);
		r.members.delete(this.publicKey);
		// A fresh sender key for each JOINED, sent to every other
		// member before anything we publish.
		r.myKey = nacl.randomBytes(KEY_BYTES);
		for (const m of r.members)
			this.giveKey(r, m);
		this.settle(msg, null);
		this.emit('joined', { room, members });
	}

	onPresence(msg) {
		const room = fieldString(msg, 'room');
		const who = b64uEncode(fieldKey(msg, 'publicKey'));
		const state = fieldString(msg, 'state');
		const r = this.rooms.get(room);
		if (r === undefined || !r.joined)
			return;
		if (who !== this.publicKey) {
			if (state === 'joined') {
				r.members.add(who);
				this.giveKey(r, who);
			} else if (state === 'left') {
				r.members.delete(who);
				r.peerKeys.delete(who);
				const held = r.held.get(who);
				if (held !== undefined) {
					for (const h of held)
						clearTimeout(h.timer);
					r.held.delete(who);
				}
				// Rotate, so that the one who left cannot
				// read what comes next.
				r.myKey = nacl.randomBytes(KEY_BYTES);
				for (const m of r.members)
					this.giveKey(r, m);
			}
		}
		this.emit('presence', { room, publicKey: who, state });
	}

	rejoin() {
		for (const r of this.rooms.values()) {
			this.request({ type: 'JOIN', room: r.name }).catch((e) => {
				this.emit('error', Object.assign(new SwsError(
				    e.code, 'room ' + r.name + ': re-join: ' +
				    e.message), { room: r.name }));
			});
		}
	}

	// --- public API ----------------------------------------------------

	// Direct message (text or bytes) to a peer key; resolves on ACK,
	// rejects with SwsError (code 'offline', 'busy', ...).
	async send(to, data) {
		const peer = toKey(to);
		const peerB64 = b64uEncode(peer);
		const body = this.sealFor(peerB64, dataInner(data));
		this.checkBody(body);
		await this.request({ type: 'SEND', to: peer, body });
	}

	checkBody(body) {
		if (this.limits !== null && this.limits.maxBody !== undefined &&
		    body.length > this.limits.maxBody)
			throw new SwsError('too-large', 'message too large (' +
			    body.length + ' > ' + this.limits.maxBody + ')');
	}

	// Joins a room; resolves with the member keys (ours included).
	async join(room) {
		if (!validRoomName(room))
			throw new SwsError('malformed', 'bad room name');
		let r = this.rooms.get(room);
		const fresh = r === undefined;
		if (fresh) {
			r = { name: room, joined: false, everJoined: false,
			    members: new Set(), myKey: null,
			    peerKeys: new Map(), held: new Map() };
			this.rooms.set(room, r);
		}
		try {
			const msg = await this.request({ type: 'JOIN', room });
			return msg.memberKeys !== undefined ? msg.memberKeys :
			    msg.members.map((m) => b64uEncode(m));
		} catch (e) {
			if (fresh && !r.everJoined &&
			    this.rooms.get(room) === r) {
				this.dropHeld(r);
				this.rooms.delete(room);
			}
			throw e;
		}
	}

	async leave(room) {
		const r = this.rooms.get(room);
		if (r === undefined)
			throw new SwsError('not-member', 'not in room ' + room);
		this.rooms.delete(room);
		this.dropHeld(r);
		r.peerKeys.clear();
		r.myKey = null;
		if (!this.connected)
			return;
		// Sent even before JOINED came back (a JOIN may be in
		// flight); 'not-member' then only means we were not in.
		try {
			await this.request({ type: 'LEAVE', room });
		} catch (e) {
			if (e.code !== 'not-member' || r.joined)
				throw e;
		}
	}

	async publish(room, data) {
		const r = this.rooms.get(room);
		if (r === undefined || !r.joined || r.myKey === null)
			throw new SwsError('not-member', 'not in room ' + room);
		const body = sealRoom(dataInner(data), r.myKey);
		this.checkBody(body);
		await this.request({ type: 'PUBLISH', room, body });
	}

	joinedRooms() {
		return Array.from(this.rooms.values()).filter((r) =>
		    r.joined).map((r) => r.name);
	}

	roomMembers(room) {
		const r = this.rooms.get(room);
		return r === undefined ? [] : Array.from(r.members);
	}
}

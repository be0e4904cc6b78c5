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

// MessagePack: the subset sws/1 uses (maps with str keys, str, bin,
// unsigned and signed integers, arrays, nil, booleans, floats; ext values
// are read and ignored).  Decoding is strict: declared sizes never exceed
// the bytes that remain, nesting is at most 8 deep, duplicate keys and
// trailing bytes are malformed, integers beyond 2^53 are malformed.

import { SwsError, utf8, utf8Text, concat } from './common.js';

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

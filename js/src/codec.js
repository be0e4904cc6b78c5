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

// Codecs (docs/PROTOCOL.md sections 1.5 and 6).  Messages inside the
// client are objects whose byte fields (and the elements of members) hold
// Uint8Array; the JSON codec writes them as base64url text, the msgpack
// codec as bin.  MessagePack itself is @msgpack/msgpack's; what sws/1
// asks beyond it is checked here: every map key a str, integers within
// 2^53, at most 8 levels of nesting, ext values read as null, byte fields
// bin.  Also the checked reading of the fields of a decoded relay message.

import { Encoder, Decoder } from '@msgpack/msgpack';
import { KEY_BYTES, SwsError } from './common.js';
import { b64uEncode, b64uDecode } from './base64url.js';

const MAX_DEPTH = 8;

function mpBad(what) {
	return new SwsError('malformed', 'msgpack: ' + what);
}

// Shortest forms, keys in the object's order, undefined values left out:
// the layout the relay writes (docs/PROTOCOL.md section 6).
const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder({
	useBigInt64: true,
	mapKeyConverter(key) {
		if (typeof key !== 'string')
			throw mpBad('map key is not a str');
		return key;
	},
});

export function msgpackEncode(value) {
	return encoder.encode(value);
}

// Integers beyond 2^53 are refused; ext values (and timestamps) become null.
function settle(v, depth) {
	if (typeof v === 'bigint') {
		if (v > BigInt(Number.MAX_SAFE_INTEGER) ||
		    v < BigInt(Number.MIN_SAFE_INTEGER))
			throw mpBad('integer out of range');
		return Number(v);
	}
	if (typeof v !== 'object' || v === null || v instanceof Uint8Array)
		return v;
	if (Array.isArray(v)) {
		if (depth >= MAX_DEPTH)
			throw mpBad('nested too deeply');
		for (let i = 0; i < v.length; i++)
			v[i] = settle(v[i], depth + 1);
		return v;
	}
	if (Object.getPrototypeOf(v) !== Object.prototype)
		return null;	// ExtData, Date: an ext value
	if (depth >= MAX_DEPTH)
		throw mpBad('nested too deeply');
	for (const k of Object.keys(v))
		v[k] = settle(v[k], depth + 1);
	return v;
}

// One MessagePack value, strictly: malformed for truncated input, trailing
// bytes, a type byte that is not used (0xc1), a map key that is not a str.
export function msgpackDecode(bytes) {
	let v;
	try {
		v = decoder.decode(bytes);
	} catch (e) {
		if (e instanceof SwsError)
			throw e;
		throw mpBad(String(e && e.message || e));
	}
	return settle(v, 0);
}

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

// Fields of decoded relay messages.
export function fieldBytes(msg, name) {
	if (!(msg[name] instanceof Uint8Array))
		throw new SwsError('malformed', name + ': bytes expected');
	return msg[name];
}

export function fieldKey(msg, name) {
	const k = fieldBytes(msg, name);
	if (k.length !== KEY_BYTES)
		throw new SwsError('malformed', name + ': a key is 32 bytes');
	return k;
}

export function fieldString(msg, name) {
	if (typeof msg[name] !== 'string')
		throw new SwsError('malformed', name + ': string expected');
	return msg[name];
}

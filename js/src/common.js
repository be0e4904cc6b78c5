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

// What every module of the client uses: the sizes of docs/WIRE.md, the error
// that carries a protocol code, and small helpers on bytes and text.

export const SUBPROTOCOL = 'sws.v1.json';
export const KEY_BYTES = 32;
export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;
export const MAX_BINDING = 255;
export const MAX_RELAY_MESSAGE = 1024 * 1024;	// SPEC 4: accept up to 1 MiB
export const KIND_DATA = 0x00;
export const KIND_SENDER_KEY = 0x01;

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

export function isZero(a) {
	let d = 0;
	for (let i = 0; i < a.length; i++)
		d |= a[i];
	return d === 0;
}

export function toBytes(data) {
	if (typeof data === 'string')
		return utf8(data);
	if (data instanceof Uint8Array)
		return data;
	if (data instanceof ArrayBuffer)
		return new Uint8Array(data);
	throw new TypeError('text or Uint8Array expected');
}

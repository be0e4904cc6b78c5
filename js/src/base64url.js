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

// base64url without padding (RFC 4648 section 5), strict: the JSON
// codec's form of every byte field.

import { SwsError } from './common.js';

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

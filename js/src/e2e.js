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

// End-to-end cryptography (SPEC 2, 7): keys, and the direct and room
// bodies of sws-e2e/1.  tweetnacl does not refuse low-order points: the
// X25519 output is checked here, as libsodium does.

import { nacl } from './nacl.js';
import { KEY_BYTES, NONCE_BYTES, TAG_BYTES, KIND_DATA, KIND_SENDER_KEY,
    SwsError, utf8, concat, isZero, toBytes } from './common.js';
import { b64uDecode } from './base64url.js';

// A public key given as base64url text or bytes; returns 32 bytes.
export function toKey(k) {
	const b = typeof k === 'string' ? b64uDecode(k) : k;
	if (!(b instanceof Uint8Array) || b.length !== KEY_BYTES)
		throw new SwsError('malformed', 'a key is 32 bytes');
	return b;
}

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


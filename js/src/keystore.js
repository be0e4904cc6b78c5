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

// Key pair storage.  Anything with getItem(name) and setItem(name, value)
// works (localStorage, or MemoryStorage under node).  The pair is kept as
// JSON with both keys in base64url; an entry that does not read back is
// replaced by a fresh pair.

import { nacl } from './platform.js';
import { KEY_BYTES } from './common.js';
import { b64uEncode, b64uDecode } from './base64url.js';

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

export function defaultStorage() {
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

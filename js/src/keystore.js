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

// Key stores: where a client keeps its X25519 secret key (the public key
// is derived from it).  A key store is any object with
//
//	load()        -> Promise<Uint8Array | null>  the 32-byte secret key,
//	                 or null when there is none yet
//	save(secret)  -> Promise<void>               keep a new one
//
// loadKeyPair() loads the pair, or makes one and saves it.  Here:
// MemoryKeyStore (nothing kept past the process or page) and
// IndexedDBKeyStore (the browser's, per origin).  node.js adds
// FileKeyStore (src/filekeys.js), the key files of the sws command.

import { nacl } from './nacl.js';
import { KEY_BYTES, SwsError } from './common.js';
import { toKey } from './e2e.js';

function secretOf(v, what) {
	if (!(v instanceof Uint8Array) || v.length !== KEY_BYTES)
		throw new SwsError('bad-key', what + ': a secret key is 32 bytes');
	return v;
}

export class MemoryKeyStore {
	constructor(secretKey) {
		this.secretKey = secretKey === undefined || secretKey === null ?
		    null : secretOf(secretKey, 'MemoryKeyStore').slice();
	}

	async load() {
		return this.secretKey === null ? null : this.secretKey.slice();
	}

	async save(secretKey) {
		this.secretKey = secretOf(secretKey, 'MemoryKeyStore').slice();
	}
}

function idbRequest(req) {
	return new Promise((resolve, reject) => {
		req.onsuccess = () => resolve(req.result);
		req.onerror = () => reject(req.error);
	});
}

// One entry (name) of the object store "keys" in the IndexedDB database
// database (default "sws").  The entry holds {secretKey: Uint8Array}.
export class IndexedDBKeyStore {
	constructor(name = 'default', options = {}) {
		if (typeof name !== 'string' || name === '')
			throw new TypeError('IndexedDBKeyStore: name is a ' +
			    'non-empty string');
		this.name = name;
		this.database = options.database !== undefined ?
		    String(options.database) : 'sws';
		this.db = null;
	}

	async open() {
		if (this.db !== null)
			return this.db;
		const idb = globalThis.indexedDB;
		if (typeof idb !== 'object' || idb === null)
			throw new SwsError('unsupported',
			    'IndexedDBKeyStore: no IndexedDB here');
		const req = idb.open(this.database, 1);
		req.onupgradeneeded = () => {
			if (!req.result.objectStoreNames.contains('keys'))
				req.result.createObjectStore('keys');
		};
		try {
			this.db = await idbRequest(req);
		} catch (e) {
			throw new SwsError('key-store', 'IndexedDB ' +
			    this.database + ': ' + (e && e.message || e));
		}
		return this.db;
	}

	async tx(mode, fn) {
		const db = await this.open();
		try {
			const t = db.transaction('keys', mode);
			const r = await idbRequest(fn(t.objectStore('keys')));
			await new Promise((resolve, reject) => {
				t.oncomplete = resolve;
				t.onerror = () => reject(t.error);
				t.onabort = () => reject(t.error);
			});
			return r;
		} catch (e) {
			throw new SwsError('key-store', 'IndexedDB ' +
			    this.database + '/' + this.name + ': ' +
			    (e && e.message || e));
		}
	}

	async load() {
		const v = await this.tx('readonly', (s) => s.get(this.name));
		if (v === undefined || v === null)
			return null;
		if (typeof v !== 'object' || !(v.secretKey instanceof Uint8Array) ||
		    v.secretKey.length !== KEY_BYTES)
			throw new SwsError('bad-key', 'IndexedDB ' + this.database +
			    '/' + this.name + ': not a key entry');
		return v.secretKey;
	}

	async save(secretKey) {
		secretOf(secretKey, 'IndexedDBKeyStore');
		await this.tx('readwrite', (s) => s.put({
		    secretKey: secretKey.slice() }, this.name));
	}

	// Forgets the key (the next loadKeyPair makes a new one).
	async remove() {
		await this.tx('readwrite', (s) => s.delete(this.name));
	}
}

export function keyPairFromSecretKey(secretKey) {
	return nacl.box.keyPair.fromSecretKey(secretOf(secretKey,
	    'keyPairFromSecretKey'));
}

// The pair in store, or a new one, saved there first.
export async function loadKeyPair(store) {
	if (typeof store !== 'object' || store === null ||
	    typeof store.load !== 'function' || typeof store.save !== 'function')
		throw new TypeError('loadKeyPair: a key store has load() and ' +
		    'save()');
	const sk = await store.load();
	if (sk !== null && sk !== undefined)
		return keyPairFromSecretKey(sk);
	const kp = nacl.box.keyPair();
	await store.save(kp.secretKey);
	return kp;
}

// A short fingerprint of a public key for people to compare: the first
// 8 bytes of its SHA-512 in hex, in four groups ("3f2a 91c0 77de 0b14").
// A display aid, not part of the protocol.
export function fingerprint(publicKey) {
	const h = nacl.hash(toKey(publicKey));
	let s = '';
	for (let i = 0; i < 8; i++) {
		s += h[i].toString(16).padStart(2, '0');
		if (i % 2 === 1 && i < 7)
			s += ' ';
	}
	return s;
}

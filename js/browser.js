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

// sws-js in the browser (and for bundlers, through the "browser"
// condition): the WebSocket class is the page's, and a client given no
// key keeps its pair in IndexedDB (IndexedDBKeyStore "default").  Key
// files are node's: FileKeyStore and defaultKeyPath are here only to
// say so.  docs/JS.md is the reference.

import { platform } from './src/platform.js';
import { SwsError } from './src/common.js';
import { IndexedDBKeyStore } from './src/keystore.js';

platform.name = 'browser';
platform.WebSocket = typeof globalThis.WebSocket === 'function' ?
    globalThis.WebSocket : null;
platform.defaultKeyStore = () => new IndexedDBKeyStore();

export * from './src/index.js';

function nodeOnly(what) {
	return new SwsError('unsupported', what + ' is for node (key files); ' +
	    'in the browser use IndexedDBKeyStore');
}

export class FileKeyStore {
	constructor() {
		throw nodeOnly('FileKeyStore');
	}
}

export function defaultKeyPath() {
	throw nodeOnly('defaultKeyPath');
}

export const PLATFORM = 'browser';

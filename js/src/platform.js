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

// What differs between the browser and node: where tweetnacl and the
// WebSocket class come from.  In the browser both are globals (tweetnacl's
// nacl-fast.js is loaded with a classic <script> before the modules, so
// globalThis.nacl is set when this module runs); under node they are
// imported from node_modules.

export const isNode = typeof process === 'object' && process !== null &&
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

export let wsClass = null;

export async function webSocketClass() {
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

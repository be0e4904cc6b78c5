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

// sws.js: JavaScript client of the sws relay (wire sws/1, bodies sws-e2e/1).
//
// ES modules for browsers and node (>= 20), no build step; this file is
// the entry point and re-exports src/index.js, where each concern has its
// module (src/client.js says which).
//  - Browser: load tweetnacl's nacl-fast.js with a classic <script> before
//    this module (it sets globalThis.nacl); the native WebSocket is used.
//  - Node: tweetnacl and ws are imported from node_modules.
//
// The wire is described in docs/WIRE.md (sections 1-4, 6) and the end-to-end body
// convention in its section 7.  It speaks the JSON subprotocol
// (sws.v1.json) by default, MessagePack (sws.v1.msgpack) on request.

export * from './src/index.js';

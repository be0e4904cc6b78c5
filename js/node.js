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

// sws-js under node (>= 20): the WebSocket class is the ws package's, and
// a client given no key uses the key file of the sws command
// (FileKeyStore at defaultKeyPath(), made when missing).  docs/JS.md is
// the reference.

import { WebSocket } from 'ws';
import { platform } from './src/platform.js';
import { MAX_RELAY_MESSAGE } from './src/common.js';
import { FileKeyStore } from './src/filekeys.js';

platform.name = 'node';
platform.WebSocket = WebSocket;
platform.socketOptions = (opts) => ({
	maxPayload: MAX_RELAY_MESSAGE,
	perMessageDeflate: false,
	handshakeTimeout: opts.handshakeTimeout,
});
platform.defaultKeyStore = () => new FileKeyStore();

export * from './src/index.js';
export { FileKeyStore, defaultKeyPath } from './src/filekeys.js';
export const PLATFORM = 'node';

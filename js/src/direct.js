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

// Direct messages (sws-e2e/1, SPEC 7): the methods of SwsClient that seal
// a body for one key and open the direct bodies that come in, data for
// the application or a room sender key for room.js.  The box key shared
// with each peer is computed once and cached.  client.js copies these
// methods onto SwsClient.prototype.

import { nacl } from './nacl.js';
import { NONCE_BYTES, TAG_BYTES, KIND_DATA, KIND_SENDER_KEY, SwsError,
    utf8Text, concat } from './common.js';
import { b64uEncode } from './base64url.js';
import { fieldBytes, fieldKey } from './codec.js';
import { toKey, sharedKey, dataInner } from './e2e.js';

export class DirectMethods {
	shared1(peerB64, peer) {
		let k = this.shared.get(peerB64);
		if (k === undefined) {
			k = sharedKey(peer, this.keyPair.secretKey);
			if (this.shared.size > 4096)
				this.shared.clear();
			this.shared.set(peerB64, k);
		}
		return k;
	}

	sealFor(peerB64, inner) {
		const peer = toKey(peerB64);
		const k = this.shared1(b64uEncode(peer), peer);
		const nonce = nacl.randomBytes(NONCE_BYTES);
		return concat(nonce, nacl.box.after(inner, nonce, k));
	}

	onDirect(msg) {
		const from = fieldKey(msg, 'from');
		const fromB64 = b64uEncode(from);
		const body = fieldBytes(msg, 'body');
		let k;
		try {
			k = this.shared1(fromB64, from);
		} catch (e) {
			this.emit('error', new SwsError('low-order-key',
			    'message from a low-order key dropped'));
			return;
		}
		const inner = body.length < NONCE_BYTES + TAG_BYTES ? null :
		    nacl.box.open.after(body.subarray(NONCE_BYTES),
		    body.subarray(0, NONCE_BYTES), k);
		if (inner === null || inner.length < 1) {
			this.emit('error', Object.assign(new SwsError(
			    'undecryptable', 'a message from ' + fromB64 +
			    ' does not open'), { from: fromB64 }));
			return;
		}
		const payload = inner.subarray(1);
		if (inner[0] === KIND_DATA) {
			this.emit('message', { from: fromB64, data: payload,
			    text: utf8Text(payload) });
		} else if (inner[0] === KIND_SENDER_KEY) {
			this.onSenderKey(fromB64, payload);
		} else {
			this.emit('error', Object.assign(new SwsError(
			    'unknown-kind', 'a message of kind ' + inner[0] +
			    ' from ' + fromB64 + ' dropped'),
			    { from: fromB64 }));
		}
	}

	// --- public API ----------------------------------------------------

	// Direct message (text or bytes) to a peer key; resolves on ACK,
	// rejects with SwsError (code 'offline', 'busy', ...).  While the
	// connection is down it waits in the queue.
	async send(to, data) {
		const peer = toKey(to);
		const inner = dataInner(data);
		await this.whenReady('send', () => this.sendNow(peer, inner));
	}

	sendNow(peer, inner) {
		const body = this.sealFor(b64uEncode(peer), inner);
		this.checkBody(body);
		return this.request({ type: 'SEND', to: peer, body });
	}
}

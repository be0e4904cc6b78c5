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

// Registration (SPEC 3): the binding, the CHALLENGE_RESPONSE box, the
// check of the relay's proof, and the handshake methods of SwsClient
// (client.js copies them onto its prototype).  A refused relay key, proof
// or binding is final; a timeout or an unavailable cryptod is retried.

import { nacl } from './nacl.js';
import { KEY_BYTES, NONCE_BYTES, TAG_BYTES, MAX_BINDING, SwsError, utf8,
    concat, bytesEqual } from './common.js';
import { b64uEncode } from './base64url.js';
import { fieldBytes, fieldKey } from './codec.js';
import { isLowOrder, sharedKey } from './e2e.js';

// The binding of SPEC 3: the authority of the URL as dialled, lower case,
// userinfo dropped.
export function bindingOf(url) {
	const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(url);
	if (m === null)
		throw new SwsError('malformed', 'relay URL without authority');
	let auth = m[1];
	const at = auth.lastIndexOf('@');
	if (at >= 0)
		auth = auth.slice(at + 1);
	auth = auth.replace(/[A-Z]/g, (c) => c.toLowerCase());
	const b = utf8(auth);
	if (b.length > MAX_BINDING)
		throw new SwsError('malformed', 'relay authority too long');
	return b;
}

export function registrationBox(challenge, binding, nonce, serverPk, clientSk) {
	const k = sharedKey(serverPk, clientSk);
	return nacl.box.after(concat(challenge, binding), nonce, k);
}

// True when proof = nonce2 || box(challenge || client pk, nonce2, client pk,
// server sk).
export function checkProof(proof, challenge, clientPk, serverPk, clientSk) {
	if (!(proof instanceof Uint8Array) ||
	    proof.length !== NONCE_BYTES + TAG_BYTES + 2 * KEY_BYTES)
		return false;
	let k;
	try {
		k = sharedKey(serverPk, clientSk);
	} catch (e) {
		return false;
	}
	const m = nacl.box.open.after(proof.subarray(NONCE_BYTES),
	    proof.subarray(0, NONCE_BYTES), k);
	return m !== null && bytesEqual(m, concat(challenge, clientPk));
}

export class RegistrationMethods {
	refuse(conn, code, message) {
		conn.fatal = true;
		conn.failCode = code;
		conn.failMessage = message;
		conn.finish(new SwsError(code, message));
		this.abort(conn.ws);
	}

	onHandshake(conn, msg) {
		const sk = this.keyPair.secretKey;
		if (msg.type === 'CHALLENGE' && conn.challenge === null) {
			if (msg.version !== 1)
				return this.refuse(conn, 'version',
				    'relay speaks version ' + msg.version);
			const server = fieldKey(msg, 'server');
			const challenge = fieldBytes(msg, 'challenge');
			if (challenge.length !== 32)
				throw new SwsError('malformed',
				    'challenge is not 32 bytes');
			if (this.pinned !== null &&
			    !bytesEqual(server, this.pinned))
				return this.refuse(conn, 'server-key-mismatch',
				    'the relay key is not the pinned one');
			if (isLowOrder(server, sk))
				return this.refuse(conn, 'low-order-key',
				    'the relay key is a low-order point');
			conn.challenge = challenge;
			conn.server = server;
			const nonce = nacl.randomBytes(NONCE_BYTES);
			const box = registrationBox(challenge, this.binding,
			    nonce, server, sk);
			conn.ws.send(this.codec.encode({
				type: 'CHALLENGE_RESPONSE',
				publicKey: this.keyPair.publicKey,
				nonce, box,
			}));
		} else if (msg.type === 'REGISTER_SUCCESS' &&
		    conn.challenge !== null) {
			const pk = fieldKey(msg, 'publicKey');
			const proof = fieldBytes(msg, 'proof');
			if (!bytesEqual(pk, this.keyPair.publicKey))
				return this.refuse(conn, 'bad-proof',
				    'registered under another key');
			if (!checkProof(proof, conn.challenge,
			    this.keyPair.publicKey, conn.server, sk))
				return this.refuse(conn, 'bad-proof',
				    'the relay proof does not verify');
			const lim = msg.limits;
			const limits = {};
			if (typeof lim === 'object' && lim !== null)
				for (const k of ['maxMessage', 'maxBody',
				    'rate', 'burst', 'rooms'])
					if (Number.isSafeInteger(lim[k]))
						limits[k] = lim[k];
			conn.registered = true;
			this.serverKey = b64uEncode(conn.server);
			this.limits = limits;
			this.attempt = 0;
			this.registeredOnce = true;
			this.setState('registered');
			this.emit('registered', { publicKey: this.publicKey,
			    server: this.serverKey, limits });
			conn.finish(null);
			this.afterRegistered(conn);
		} else if (msg.type === 'REGISTER_FAILURE') {
			const reason = typeof msg.reason === 'string' ?
			    msg.reason : 'unknown';
			const text = typeof msg.message === 'string' ?
			    msg.message : reason;
			// a timeout or an unavailable cryptod is worth a
			// retry; a refused proof or binding is not.
			if (reason !== 'timeout' && reason !== 'unavailable')
				conn.fatal = true;
			conn.failCode = reason;
			conn.failMessage = text;
			conn.finish(new SwsError(reason, text));
		} else {
			this.refuse(conn, 'malformed',
			    'unexpected ' + msg.type + ' during registration');
		}
	}
}

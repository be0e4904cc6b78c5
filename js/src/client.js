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

// SwsClient: one relay connection and its life (dial, subprotocol,
// frames in, requests and their answers, reconnection with backoff, the
// queue of what is sent while the connection is down).  The methods of
// the other concerns are written in their own modules and joined to the
// class below: registration (register.js), direct messages (direct.js),
// rooms and sender keys (room.js).  The WebSocket class and the default
// key store come from the entry point (platform.js).

import { platform } from './platform.js';
import { MAX_RELAY_MESSAGE, SwsError } from './common.js';
import { b64uEncode } from './base64url.js';
import { jsonCodec, msgpackCodec } from './codec.js';
import { toKey } from './e2e.js';
import { loadKeyPair } from './keystore.js';
import { bindingOf, RegistrationMethods } from './register.js';
import { DirectMethods } from './direct.js';
import { RoomMethods } from './room.js';

// Reconnection delay: exponential, capped, with jitter (the delay is drawn
// uniformly from [d/2, d] where d = min(cap, base * 2^attempt)).

export function backoffDelay(attempt, base, cap, rnd = Math.random) {
	const d = Math.min(cap, base * Math.pow(2, Math.min(attempt, 30)));
	return Math.round(d / 2 + rnd() * d / 2);
}

// Events are dispatched as the browser's WebSocket dispatches its own:
// SwsClient is an EventTarget, and each event an SwsEvent (an Event) that
// carries its fields as properties (docs/JS.md, "Events"):
//   state      {state: 'connecting'|'registered'|'reconnecting'|'closed',
//               delay?, attempt?, code?, error?}
//   registered {publicKey, server, limits}
//   message    {from, data, text}          a direct message (kind 0x00)
//   room       {room, from, data, text, body}  a room message
//   joined     {room, members}             JOINED (also after a re-join)
//   presence   {room, publicKey, state}
//   senderkey  {room, from, key}           a peer's sender key arrived
//   error      {error, code, message, room?, from?, to?}
// Keys in events are base64url strings; data is a Uint8Array; text is the
// data as a string when it is valid UTF-8, else null.

export class SwsEvent extends Event {
	constructor(type, fields) {
		super(type);
		for (const [k, v] of Object.entries(fields))
			Object.defineProperty(this, k, { value: v,
			    enumerable: true });
	}
}

const DEFAULTS = {
	url: undefined,
	serverKey: undefined,
	keyPair: undefined,
	keyStore: undefined,
	encoding: 'json',
	reconnect: true,
	backoffBase: 500,
	backoffCap: 30000,
	requestTimeout: 15000,
	handshakeTimeout: 15000,
	holdMs: 5000,		// room bodies waiting for their sender key
	holdMax: 64,		// per room and sender
	queueMax: 256,		// sends waiting for the connection
	queueTimeout: 30000,
	WebSocket: undefined,
};

const NUMERIC = ['backoffBase', 'backoffCap', 'requestTimeout',
    'handshakeTimeout', 'holdMs', 'holdMax', 'queueMax', 'queueTimeout'];

export class SwsClient extends EventTarget {
	// options: url (ws:// or wss://), serverKey (pinned, base64url or
	// bytes), keyPair ({publicKey, secretKey}) or keyStore, encoding
	// ('json', the default, or 'msgpack'), reconnect, backoffBase,
	// backoffCap, requestTimeout, handshakeTimeout, holdMs, holdMax,
	// queueMax, queueTimeout, WebSocket (a constructor).
	constructor(options = {}) {
		super();
		if (typeof options !== 'object' || options === null)
			throw new TypeError('SwsClient: options object expected');
		for (const k of Object.keys(options))
			if (!Object.prototype.hasOwnProperty.call(DEFAULTS, k))
				throw new TypeError('SwsClient: unknown option ' +
				    k);
		this.opts = Object.assign({}, DEFAULTS);
		for (const [k, v] of Object.entries(options))
			if (v !== undefined)
				this.opts[k] = v;
		if (typeof this.opts.url !== 'string' ||
		    !/^wss?:\/\//i.test(this.opts.url))
			throw new TypeError('SwsClient: url is a ws:// or ' +
			    'wss:// URL');
		for (const k of NUMERIC)
			if (!Number.isSafeInteger(this.opts[k]) ||
			    this.opts[k] < 0)
				throw new TypeError('SwsClient: ' + k + ' is a ' +
				    'non-negative integer');
		this.url = this.opts.url;
		this.binding = bindingOf(this.url);
		if (this.opts.encoding === 'msgpack')
			this.codec = msgpackCodec;
		else if (this.opts.encoding === 'json')
			this.codec = jsonCodec;
		else
			throw new TypeError('SwsClient: encoding is json or ' +
			    'msgpack');
		this.pinned = this.opts.serverKey !== undefined &&
		    this.opts.serverKey !== null && this.opts.serverKey !== '' ?
		    toKey(this.opts.serverKey) : null;
		this.keyPair = null;
		this.publicKey = null;
		this.keyStore = null;
		this.keyLoading = null;
		if (this.opts.keyPair !== undefined) {
			const kp = this.opts.keyPair;
			if (typeof kp !== 'object' || kp === null ||
			    !(kp.secretKey instanceof Uint8Array) ||
			    kp.secretKey.length !== 32)
				throw new TypeError('SwsClient: keyPair is ' +
				    '{publicKey, secretKey}, 32 bytes each');
			this.setKeyPair(kp);
		} else if (this.opts.keyStore !== undefined) {
			this.keyStore = this.opts.keyStore;
		} else {
			if (platform.defaultKeyStore === null)
				throw new TypeError('SwsClient: no key store ' +
				    '(import sws-js, not its files)');
			this.keyStore = platform.defaultKeyStore();
		}
		this.ws = null;
		this.state = 'closed';
		this.serverKey = null;
		this.limits = null;
		this.nextId = 1;
		this.pending = new Map();	// id -> {resolve, reject, timer}
		this.shared = new Map();	// peer b64 -> box shared key
		this.rooms = new Map();		// name -> room state
		this.wanted = false;		// keep the connection up
		this.attempt = 0;
		this.retryTimer = null;
		this.registeredOnce = false;
		this.ready = false;		// registered, rooms re-joined
		this.queue = [];		// waiting for ready
	}

	setKeyPair(kp) {
		this.keyPair = { publicKey: kp.publicKey, secretKey: kp.secretKey };
		this.publicKey = b64uEncode(kp.publicKey);
	}

	// Loads (or makes) the key pair from the key store, once; resolves
	// with the public key in base64url.
	loadKey() {
		if (this.keyPair !== null)
			return Promise.resolve(this.publicKey);
		if (this.keyLoading === null)
			this.keyLoading = loadKeyPair(this.keyStore).then((kp) => {
				this.setKeyPair(kp);
				return this.publicKey;
			}, (e) => {
				this.keyLoading = null;
				throw e instanceof SwsError ? e :
				    new SwsError('key-store', String(e &&
				    e.message || e));
			});
		return this.keyLoading;
	}

	// Subscribes fn to events of one name; returns a function that
	// unsubscribes.  An exception in fn becomes an 'error' event with
	// code 'handler' (addEventListener leaves exceptions to the
	// platform, as for any EventTarget).
	on(name, fn) {
		if (typeof fn !== 'function')
			throw new TypeError('SwsClient.on: a function expected');
		const h = (ev) => {
			try {
				fn(ev);
			} catch (e) {
				if (name !== 'error')
					this.emit('error', new SwsError('handler',
					    String(e && e.message || e)));
			}
		};
		this.addEventListener(name, h);
		return () => this.removeEventListener(name, h);
	}

	emit(name, fields) {
		if (name === 'error') {
			const err = fields;
			fields = { error: err, code: err.code, message: err.message };
			for (const k of ['room', 'from', 'to'])
				if (err[k] !== undefined)
					fields[k] = err[k];
		}
		this.dispatchEvent(new SwsEvent(name, fields));
	}

	setState(state, extra = {}) {
		this.state = state;
		this.emit('state', Object.assign({ state }, extra));
	}

	get connected() {
		return this.state === 'registered';
	}

	// Connects and registers.  Resolves with {server, limits} once
	// registered; rejects when this first attempt fails.  After a
	// registered connection drops, the client reconnects by itself
	// (option reconnect) until close() is called.
	async connect() {
		if (this.state === 'registered')
			return { server: this.serverKey, limits: this.limits };
		this.wanted = true;
		this.clearRetry();
		try {
			await this.loadKey();
		} catch (e) {
			this.giveUp(e);
			throw e;
		}
		if (!this.wanted)
			throw new SwsError('disconnected', 'closed while ' +
			    'connecting');
		return this.attempt1();
	}

	attempt1() {
		return new Promise((resolve, reject) => {
			this.dial(resolve, reject).catch(reject);
		});
	}

	async dial(resolve, reject) {
		const WS = this.opts.WebSocket !== undefined ?
		    this.opts.WebSocket : platform.WebSocket;
		if (typeof WS !== 'function') {
			const err = new SwsError('unsupported',
			    'no WebSocket class (give the WebSocket option)');
			this.giveUp(err);
			reject(err);
			return;
		}
		this.setState('connecting');
		let ws;
		try {
			const extra = WS === platform.WebSocket &&
			    platform.socketOptions !== null ?
			    platform.socketOptions(this.opts) : null;
			ws = extra !== null ?
			    new WS(this.url, [this.codec.subprotocol], extra) :
			    new WS(this.url, [this.codec.subprotocol]);
		} catch (e) {
			const err = new SwsError('connect', String(e.message || e));
			this.giveUp(err, { error: e });
			reject(err);
			return;
		}
		ws.binaryType = 'arraybuffer';
		this.ws = ws;
		const conn = { ws, challenge: null, done: false };
		const finish = (err) => {
			if (conn.done)
				return;
			conn.done = true;
			clearTimeout(conn.timer);
			if (err === null) {
				resolve({ server: this.serverKey,
				    limits: this.limits });
			} else {
				reject(err);
			}
		};
		conn.finish = finish;
		conn.timer = setTimeout(() => {
			finish(new SwsError('timeout',
			    'no registration in time'));
			this.abort(ws);
		}, this.opts.handshakeTimeout);
		ws.onopen = () => {
			// No header in the answer means JSON (SPEC 1).
			const p = ws.protocol === '' ? jsonCodec.subprotocol :
			    ws.protocol;
			if (p !== this.codec.subprotocol) {
				finish(new SwsError('protocol',
				    'relay chose subprotocol "' + ws.protocol +
				    '"'));
				this.abort(ws);
			}
		};
		ws.onmessage = (ev) => {
			if (this.ws !== ws)
				return;
			this.onFrame(conn, ev.data);
		};
		ws.onerror = () => {
			// a close event follows
		};
		ws.onclose = (ev) => {
			clearTimeout(conn.timer);
			if (!conn.done)
				finish(new SwsError(conn.failCode || 'connect',
				    conn.failMessage ||
				    'connection closed (' + ev.code + ')'));
			if (this.ws === ws)
				this.onDrop(ev.code, conn);
		};
	}

	abort(ws) {
		try {
			ws.close(1000);
		} catch (e) {
			// already closing
		}
	}

	// Tests use this to cut the connection as a network failure would.
	dropConnection() {
		const ws = this.ws;
		if (ws === null)
			return;
		if (typeof ws.terminate === 'function')
			ws.terminate();
		else
			ws.close(4000, 'dropped');
	}

	// What one connection held: the answers it owed, the rooms' members
	// and keys (a new connection joins again and gets new ones).
	forgetConnection(code) {
		this.ws = null;
		this.ready = false;
		this.failPending(new SwsError('disconnected',
		    'connection closed (' + code + ')'));
		for (const r of this.rooms.values()) {
			r.joined = false;
			r.members.clear();
			r.peerKeys.clear();
			this.dropHeld(r);
		}
		this.limits = null;
	}

	onDrop(code, conn) {
		const wasRegistered = conn.registered === true;
		this.forgetConnection(code);
		// No reconnection when another session took our place
		// (4001), after a refusal, or before a first registration.
		if (this.wanted && this.opts.reconnect && code !== 4001 &&
		    conn.fatal !== true && (wasRegistered || this.registeredOnce &&
		    this.attempt > 0)) {
			this.scheduleRetry();
		} else {
			this.giveUp(new SwsError(conn.failCode || 'disconnected',
			    conn.failMessage || 'connection closed (' + code +
			    ')'), { code });
		}
	}

	// The end of the connection for good: state closed, and what waits
	// in the queue fails with err.
	giveUp(err, extra = {}) {
		this.wanted = false;
		this.ready = false;
		this.clearRetry();
		const q = this.queue.splice(0);
		for (const it of q) {
			clearTimeout(it.timer);
			it.reject(err);
		}
		if (this.state !== 'closed')
			this.setState('closed', extra);
	}

	// Runs run() now when the connection is ready, else queues it (at
	// most queueMax, for at most queueTimeout ms) until the client has
	// registered again and re-joined its rooms; what was queued goes out
	// in the order it came, before anything sent after it.
	whenReady(what, run) {
		if (this.ready && this.state === 'registered')
			return run();
		if (!this.wanted)
			return Promise.reject(new SwsError('disconnected',
			    what + ': not connected'));
		if (this.queue.length >= this.opts.queueMax)
			return Promise.reject(new SwsError('queue-full', what +
			    ': ' + this.opts.queueMax + ' requests already ' +
			    'wait for the connection'));
		return new Promise((resolve, reject) => {
			const it = { run, resolve, reject };
			it.timer = setTimeout(() => {
				const i = this.queue.indexOf(it);
				if (i >= 0)
					this.queue.splice(i, 1);
				reject(new SwsError('timeout', what + ': no ' +
				    'connection within ' +
				    this.opts.queueTimeout + ' ms'));
			}, this.opts.queueTimeout);
			this.queue.push(it);
		});
	}

	// After a registration: the rooms are joined again, then the queue
	// goes out.
	async afterRegistered(conn) {
		await Promise.allSettled(this.rejoin());
		if (this.ws !== conn.ws || this.state !== 'registered')
			return;		// dropped again: the queue waits on
		const q = this.queue.splice(0);
		this.ready = true;
		for (const it of q) {
			clearTimeout(it.timer);
			let p;
			try {
				p = Promise.resolve(it.run());
			} catch (e) {
				p = Promise.reject(e);
			}
			p.then(it.resolve, it.reject);
		}
	}

	scheduleRetry() {
		const delay = backoffDelay(this.attempt, this.opts.backoffBase,
		    this.opts.backoffCap);
		this.attempt++;
		this.setState('reconnecting', { delay, attempt: this.attempt });
		this.retryTimer = setTimeout(() => {
			this.retryTimer = null;
			if (!this.wanted)
				return;
			// a failure shows as the next 'reconnecting' or
			// 'closed' state
			this.attempt1().catch(() => {});
		}, delay);
	}

	clearRetry() {
		if (this.retryTimer !== null) {
			clearTimeout(this.retryTimer);
			this.retryTimer = null;
		}
	}

	// Closes the connection for good (no reconnection).
	close() {
		const ws = this.ws;
		if (ws !== null)
			this.forgetConnection(1000);
		this.giveUp(new SwsError('disconnected',
		    'closed before it could be sent'), ws !== null ?
		    { code: 1000 } : {});
		if (ws !== null)
			ws.close(1000);
	}

	sendMsg(obj) {
		if (this.ws === null || this.state !== 'registered')
			throw new SwsError('disconnected', 'not connected');
		this.ws.send(this.codec.encode(obj));
	}

	// Sends a request with a fresh id; resolves with the ACK or JOINED,
	// rejects with the ERROR's code.
	request(obj) {
		return new Promise((resolve, reject) => {
			const id = this.nextId++;
			obj.id = id;
			const timer = setTimeout(() => {
				this.pending.delete(id);
				reject(new SwsError('timeout',
				    obj.type + ': no answer'));
			}, this.opts.requestTimeout);
			this.pending.set(id, { resolve, reject, timer });
			try {
				this.sendMsg(obj);
			} catch (e) {
				clearTimeout(timer);
				this.pending.delete(id);
				reject(e);
			}
		});
	}

	failPending(err) {
		const all = Array.from(this.pending.values());
		this.pending.clear();
		for (const p of all) {
			clearTimeout(p.timer);
			p.reject(err);
		}
	}

	settle(msg, err) {
		if (typeof msg.id !== 'number')
			return false;
		const p = this.pending.get(msg.id);
		if (p === undefined)
			return false;
		this.pending.delete(msg.id);
		clearTimeout(p.timer);
		if (err !== null)
			p.reject(err);
		else
			p.resolve(msg);
		return true;
	}

	onFrame(conn, data) {
		const size = typeof data === 'string' ? data.length :
		    data.byteLength;
		if (size > MAX_RELAY_MESSAGE) {
			this.emit('error', new SwsError('too-large',
			    'relay message too large'));
			return;
		}
		let msg;
		try {
			msg = this.codec.decode(data);
		} catch (e) {
			this.emit('error', e instanceof SwsError ? e :
			    new SwsError('malformed', String(e)));
			return;
		}
		try {
			if (!conn.registered)
				this.onHandshake(conn, msg);
			else
				this.onMessage(msg);
		} catch (e) {
			const err = e instanceof SwsError ? e :
			    new SwsError('internal', String(e && e.stack || e));
			if (!conn.registered) {
				conn.fatal = true;
				conn.finish(err);
				this.abort(conn.ws);
			} else {
				this.emit('error', err);
			}
		}
	}

	onMessage(msg) {
		switch (msg.type) {
		case 'ACK':
			this.settle(msg, null);
			break;
		case 'ERROR': {
			const code = typeof msg.code === 'string' ?
			    msg.code : 'unknown';
			const err = new SwsError(code,
			    typeof msg.message === 'string' ? msg.message :
			    code);
			if (!this.settle(msg, err))
				this.emit('error', err);
			break;
		}
		case 'MESSAGE':
			if (msg.room !== undefined)
				this.onRoomMessage(msg);
			else
				this.onDirect(msg);
			break;
		case 'JOINED':
			this.onJoined(msg);
			break;
		case 'PRESENCE':
			this.onPresence(msg);
			break;
		default:
			// unknown types are ignored (newer relays)
			break;
		}
	}

	checkBody(body) {
		if (this.limits !== null && this.limits.maxBody !== undefined &&
		    body.length > this.limits.maxBody)
			throw new SwsError('too-large', 'message too large (' +
			    body.length + ' > ' + this.limits.maxBody + ')');
	}
}

// The other concerns' methods join the class as if written in it (not
// enumerable, like class methods); a name defined twice is a mistake.
for (const part of [RegistrationMethods, DirectMethods, RoomMethods]) {
	for (const name of Object.getOwnPropertyNames(part.prototype)) {
		if (name === 'constructor')
			continue;
		if (Object.prototype.hasOwnProperty.call(SwsClient.prototype,
		    name))
			throw new Error('sws.js: SwsClient.' + name +
			    ' is defined twice');
		Object.defineProperty(SwsClient.prototype, name,
		    Object.getOwnPropertyDescriptor(part.prototype, name));
	}
}

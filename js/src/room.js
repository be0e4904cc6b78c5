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

// Rooms and their sender keys (sws-e2e/1, SPEC 7): the methods of
// SwsClient for JOIN, LEAVE and PUBLISH, and the bookkeeping that keeps
// every member able to read us and no one else.  On JOINED we make a
// fresh sender key and give it to every other member, on PRESENCE joined
// to the newcomer, on PRESENCE left a new one to those who remain.  Room
// bodies from a member whose key has not come yet are held briefly.
// client.js copies these methods onto SwsClient.prototype.

import { nacl } from './nacl.js';
import { KEY_BYTES, KIND_DATA, SwsError, utf8, utf8Text } from './common.js';
import { b64uEncode } from './base64url.js';
import { fieldBytes, fieldKey, fieldString } from './codec.js';
import { toKey, dataInner, senderKeyInner, sealRoom, openRoom }
    from './e2e.js';

// Room names: 1-128 bytes of UTF-8 without control characters (SPEC 4).
export function validRoomName(name) {
	if (typeof name !== 'string')
		return false;
	const b = utf8(name);
	if (b.length < 1 || b.length > 128)
		return false;
	// A lone surrogate would not survive the UTF-8 round trip.
	if (utf8Text(b) !== name)
		return false;
	for (const c of b)
		if (c < 0x20 || c === 0x7f)
			return false;
	return true;
}

export class RoomMethods {
	onSenderKey(fromB64, payload) {
		const room = payload.length > KEY_BYTES ?
		    utf8Text(payload.subarray(KEY_BYTES)) : null;
		if (room === null || !validRoomName(room)) {
			this.emit('error', new SwsError('malformed',
			    'bad sender key message from ' + fromB64));
			return;
		}
		const r = this.rooms.get(room);
		if (r === undefined) {
			this.emit('error', new SwsError('not-member',
			    'sender key for room ' + room +
			    ' that we are not in'));
			return;
		}
		if (fromB64 === this.publicKey)
			return;		// our own other session
		const key = payload.slice(0, KEY_BYTES);
		// Newest first; a few older ones are kept for bodies that
		// were sealed just before a rotation.
		const list = r.peerKeys.get(fromB64) || [];
		list.unshift(key);
		if (list.length > 3)
			list.length = 3;
		r.peerKeys.set(fromB64, list);
		this.emit('senderkey', { room, from: fromB64, key });
		const held = r.held.get(fromB64);
		if (held !== undefined) {
			r.held.delete(fromB64);
			for (const h of held) {
				clearTimeout(h.timer);
				this.openRoomBody(r, fromB64, h.body, true);
			}
		}
	}

	onRoomMessage(msg) {
		const room = fieldString(msg, 'room');
		const from = fieldKey(msg, 'from');
		const fromB64 = b64uEncode(from);
		const body = fieldBytes(msg, 'body');
		const r = this.rooms.get(room);
		if (r === undefined || !r.joined) {
			this.emit('error', new SwsError('not-member',
			    'message for room ' + room + ' dropped'));
			return;
		}
		this.openRoomBody(r, fromB64, body, false);
	}

	openRoomBody(r, fromB64, body, wasHeld) {
		const keys = r.peerKeys.get(fromB64);
		if (keys === undefined) {
			if (wasHeld)
				return;
			// Hold it briefly: the key may still be on its way.
			let held = r.held.get(fromB64);
			if (held === undefined) {
				held = [];
				r.held.set(fromB64, held);
			}
			if (held.length >= this.opts.holdMax) {
				this.emit('error', Object.assign(new SwsError(
				    'no-sender-key', 'room ' + r.name +
				    ': message from ' + fromB64 +
				    ' without key dropped'), { room: r.name,
				    from: fromB64 }));
				return;
			}
			const h = { body };
			h.timer = setTimeout(() => {
				const i = held.indexOf(h);
				if (i >= 0)
					held.splice(i, 1);
				if (held.length === 0 &&
				    r.held.get(fromB64) === held)
					r.held.delete(fromB64);
				this.emit('error', Object.assign(new SwsError(
				    'no-sender-key', 'room ' + r.name +
				    ': message from ' + fromB64 +
				    ' without key dropped'), { room: r.name,
				    from: fromB64 }));
			}, this.opts.holdMs);
			held.push(h);
			return;
		}
		let inner = null;
		for (const k of keys) {
			inner = openRoom(body, k);
			if (inner !== null)
				break;
		}
		if (inner === null || inner.length < 1 ||
		    inner[0] !== KIND_DATA) {
			this.emit('error', Object.assign(new SwsError(
			    'undecryptable', 'room ' + r.name +
			    ': a message from ' + fromB64 +
			    ' does not open'), { room: r.name,
			    from: fromB64 }));
			return;
		}
		const data = inner.subarray(1);
		this.emit('room', { room: r.name, from: fromB64, data,
		    text: utf8Text(data), body });
	}

	dropHeld(r) {
		for (const held of r.held.values())
			for (const h of held)
				clearTimeout(h.timer);
		r.held.clear();
	}

	// Sends our sender key for room r to one member (kind 0x01).
	giveKey(r, peerB64) {
		if (peerB64 === this.publicKey || r.myKey === null)
			return;
		let body;
		try {
			body = this.sealFor(peerB64,
			    senderKeyInner(r.myKey, r.name));
		} catch (e) {
			this.emit('error', new SwsError(e.code || 'internal',
			    'room ' + r.name + ': cannot give the key to ' +
			    peerB64 + ': ' + e.message));
			return;
		}
		this.request({ type: 'SEND', to: toKey(peerB64),
		    body }).catch((e) => {
			this.emit('error', Object.assign(new SwsError(e.code,
			    'room ' + r.name + ': key to ' + peerB64 +
			    ': ' + e.message), { room: r.name,
			    to: peerB64 }));
		});
	}

	onJoined(msg) {
		const room = fieldString(msg, 'room');
		if (!Array.isArray(msg.members))
			throw new SwsError('malformed', 'JOINED without members');
		const members = msg.members.map((m) =>
		    b64uEncode(toKey(m)));
		msg.memberKeys = members;
		const r = this.rooms.get(room);
		if (r === undefined) {
			this.settle(msg, null);
			return;
		}
		r.joined = true;
		r.everJoined = true;
		r.members = new Set(members);
		r.members.delete(this.publicKey);
		// A fresh sender key for each JOINED, sent to every other
		// member before anything we publish.
		r.myKey = nacl.randomBytes(KEY_BYTES);
		for (const m of r.members)
			this.giveKey(r, m);
		this.settle(msg, null);
		this.emit('joined', { room, members });
	}

	onPresence(msg) {
		const room = fieldString(msg, 'room');
		const who = b64uEncode(fieldKey(msg, 'publicKey'));
		const state = fieldString(msg, 'state');
		const r = this.rooms.get(room);
		if (r === undefined || !r.joined)
			return;
		if (who !== this.publicKey) {
			if (state === 'joined') {
				r.members.add(who);
				this.giveKey(r, who);
			} else if (state === 'left') {
				r.members.delete(who);
				r.peerKeys.delete(who);
				const held = r.held.get(who);
				if (held !== undefined) {
					for (const h of held)
						clearTimeout(h.timer);
					r.held.delete(who);
				}
				// Rotate, so that the one who left cannot
				// read what comes next.
				r.myKey = nacl.randomBytes(KEY_BYTES);
				for (const m of r.members)
					this.giveKey(r, m);
			}
		}
		this.emit('presence', { room, publicKey: who, state });
	}

	// JOINs every room again after a registration; returns the promises.
	rejoin() {
		return Array.from(this.rooms.values()).map((r) =>
		    this.request({ type: 'JOIN', room: r.name }).catch((e) => {
			this.emit('error', Object.assign(new SwsError(
			    e.code, 'room ' + r.name + ': re-join: ' +
			    e.message), { room: r.name }));
		    }));
	}

	async joinNow(room) {
		let r = this.rooms.get(room);
		const fresh = r === undefined;
		if (fresh) {
			r = { name: room, joined: false, everJoined: false,
			    members: new Set(), myKey: null,
			    peerKeys: new Map(), held: new Map() };
			this.rooms.set(room, r);
		}
		try {
			const msg = await this.request({ type: 'JOIN', room });
			return msg.memberKeys !== undefined ? msg.memberKeys :
			    msg.members.map((m) => b64uEncode(m));
		} catch (e) {
			if (fresh && !r.everJoined &&
			    this.rooms.get(room) === r) {
				this.dropHeld(r);
				this.rooms.delete(room);
			}
			throw e;
		}
	}

	publishNow(room, inner) {
		const r = this.rooms.get(room);
		if (r === undefined || !r.joined || r.myKey === null)
			throw new SwsError('not-member', 'not in room ' + room);
		const body = sealRoom(inner, r.myKey);
		this.checkBody(body);
		return this.request({ type: 'PUBLISH', room, body });
	}

	// --- public API ----------------------------------------------------

	// Joins a room; resolves with the member keys (ours included).  While
	// the connection is down the JOIN waits in the queue.
	async join(room) {
		if (!validRoomName(room))
			throw new SwsError('malformed', 'bad room name');
		return this.whenReady('join', () => this.joinNow(room));
	}

	async leave(room) {
		const r = this.rooms.get(room);
		if (r === undefined)
			throw new SwsError('not-member', 'not in room ' + room);
		this.rooms.delete(room);
		this.dropHeld(r);
		r.peerKeys.clear();
		r.myKey = null;
		if (!this.connected)
			return;
		// Sent even before JOINED came back (a JOIN may be in
		// flight); 'not-member' then only means we were not in.
		try {
			await this.request({ type: 'LEAVE', room });
		} catch (e) {
			if (e.code !== 'not-member' || r.joined)
				throw e;
		}
	}

	// Seals data for the room's members and publishes it; resolves on
	// ACK.  While the connection is down (a room we are in, waiting to be
	// joined again) it waits in the queue and is sealed once the room is
	// joined anew.
	async publish(room, data) {
		if (!validRoomName(room) || !this.rooms.has(room))
			throw new SwsError('not-member', 'not in room ' + room);
		const inner = dataInner(data);
		await this.whenReady('publish', () => this.publishNow(room,
		    inner));
	}

	joinedRooms() {
		return Array.from(this.rooms.values()).filter((r) =>
		    r.joined).map((r) => r.name);
	}

	roomMembers(room) {
		const r = this.rooms.get(room);
		return r === undefined ? [] : Array.from(r.members);
	}
}

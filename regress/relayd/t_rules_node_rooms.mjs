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

// The relay rules of docs/WIRE.md section 4 from node (rules_node.mjs): rooms,
// JOIN, JOINED, PRESENCE, PUBLISH and LEAVE across encodings and sessions
// of a key, their limits, and room names.
// Run by regress/run; helpers and how a part runs: rules_node.mjs.
import { randomBytes } from 'node:crypto';
import {
	MAIN, runParts, check, show, eq, b64e, client, keySet,
	expectErr, runPlan
} from './rules_node.mjs';

await runParts(import.meta.url, {
	main: MAIN,
});

// =====================================================================
// Part "main": max message size 4K, max sessions per key 2, max rooms per
// session 2, max room members 3, origin "https://good.example".

function presence(room, pk, state) {
	return { type: 'PRESENCE', room, publicKey: pk, state };
}

async function rooms() {
	const a = await client('json');
	const a2 = await client('msgpack', a.keys);
	const b = await client('msgpack');
	const c = await client('json');
	const all = [a, a2, b, c];
	const R = 'room \u00e9 ' + b64e(randomBytes(6));
	try {
		a.send({ type: 'JOIN', room: R, id: 1 });
		let m = await a.recv();
		check(m.type === 'JOINED' && m.room === R && m.id === 1 &&
		    keySet(m.members) === keySet([a.pk]),
		    'JOIN -> JOINED with the joiner as only member', show(m));
		b.send({ type: 'JOIN', room: R, id: 2 });
		m = await b.recv();
		check(m.type === 'JOINED' && m.id === 2 &&
		    keySet(m.members) === keySet([a.pk, b.pk]),
		    'second JOIN -> JOINED lists both keys', show(m));
		eq(await a.recv(), presence(R, b.pk, 'joined'),
		    'member gets PRESENCE joined');
		eq(await b.quiet(150), [], 'the joiner gets no PRESENCE about ' +
		    'itself');
		a.send({ type: 'JOIN', room: R, id: 3 });
		m = await a.recv();
		check(m.type === 'JOINED' && m.id === 3 &&
		    keySet(m.members) === keySet([a.pk, b.pk]),
		    'repeated JOIN -> JOINED again', show(m));
		eq(await b.quiet(150), [], 'no PRESENCE for a repeated JOIN');
		a2.send({ type: 'JOIN', room: R, id: 4 });
		m = await a2.recv();
		check(m.type === 'JOINED' && m.id === 4 &&
		    keySet(m.members) === keySet([a.pk, b.pk]),
		    'second session of a key joins: members are distinct keys',
		    show(m));
		eq(await b.quiet(150), [], 'no PRESENCE when a key\'s second ' +
		    'session joins');
		eq(await a.quiet(1), [], 'nor to the key\'s first session');

		let body = randomBytes(40);
		a.send({ type: 'PUBLISH', room: R, body, id: 5 });
		eq(await a.recv(), { type: 'ACK', id: 5 }, 'PUBLISH with id -> ACK');
		const want = { type: 'MESSAGE', from: a.pk, room: R, body };
		eq(await b.recv(), want, 'PUBLISH reaches the other member ' +
		    '(msgpack) with from, room and identical body');
		eq(await a2.recv(), want, 'PUBLISH reaches the sender key\'s ' +
		    'other session');
		eq(await a.quiet(150), [], 'the sending session gets no copy');
		body = randomBytes(1);
		b.send({ type: 'PUBLISH', room: R, body });
		eq(await a.recv(), { type: 'MESSAGE', from: b.pk, room: R, body },
		    'msgpack PUBLISH reaches a JSON member');
		await a2.recv();
		eq(await b.quiet(150), [], 'PUBLISH without id: no ACK');

		await expectErr(c, 'PUBLISH to a room not joined',
		    { type: 'PUBLISH', room: R, body, id: 6 }, 'not-member', 6);
		await expectErr(c, 'LEAVE of a room not joined',
		    { type: 'LEAVE', room: R, id: 7 }, 'not-member', 7);
		await expectErr(c, 'JOIN of a room with 3 member sessions ' +
		    '(max room members 3)', { type: 'JOIN', room: R, id: 8 },
		    'room-full', 8);
		eq(await b.quiet(150), [], 'no PRESENCE for a refused JOIN');

		a.send({ type: 'JOIN', room: R + '2', id: 9 });
		m = await a.recv();
		eq([m.type, m.id], ['JOINED', 9], 'a second room (max 2)');
		await expectErr(a, 'a third room (max rooms per session 2)',
		    { type: 'JOIN', room: R + '3', id: 10 }, 'too-many-rooms', 10);

		a2.send({ type: 'LEAVE', room: R, id: 11 });
		eq(await a2.recv(), { type: 'ACK', id: 11 }, 'LEAVE -> ACK');
		eq(await b.quiet(150), [], 'no PRESENCE left while another ' +
		    'session of the key stays');
		a.send({ type: 'LEAVE', room: R, id: 12 });
		eq(await a.recv(), { type: 'ACK', id: 12 }, 'last session of ' +
		    'the key leaves -> ACK');
		eq(await b.recv(), presence(R, a.pk, 'left'), 'members get ' +
		    'PRESENCE left');
		await expectErr(a, 'PUBLISH after LEAVE',
		    { type: 'PUBLISH', room: R, body, id: 13 }, 'not-member', 13);

		c.send({ type: 'JOIN', room: R, id: 14 });
		m = await c.recv();
		check(m.type === 'JOINED' && keySet(m.members) ===
		    keySet([b.pk, c.pk]), 'the room takes a member again ' +
		    'after departures', show(m));
		eq(await b.recv(), presence(R, c.pk, 'joined'),
		    'PRESENCE joined for the newcomer');
		c.close();
		eq(await b.recv(), presence(R, c.pk, 'left'),
		    'a member that disconnects -> PRESENCE left');

		const d = await client('json');
		all.push(d);
		const long = 'x'.repeat(128);
		d.send({ type: 'JOIN', room: long, id: 15 });
		m = await d.recv();
		eq([m.type, m.room], ['JOINED', long], 'a room name of 128 ' +
		    'bytes is accepted');
		await expectErr(d, 'room name of 129 bytes', { type: 'JOIN',
		    room: 'y'.repeat(129), id: 16 }, 'malformed', 16);
		await expectErr(d, 'empty room name', { type: 'JOIN', room: '',
		    id: 17 }, 'malformed', 17);
		await expectErr(d, 'room name with U+0001', { type: 'JOIN',
		    room: 'a\u0001b', id: 18 }, 'malformed', 18);
		await expectErr(d, 'room name with U+007F', { type: 'JOIN',
		    room: 'a\u007f', id: 19 }, 'malformed', 19);
	} finally {
		for (const x of all)
			x.close();
	}
}

// =====================================================================

await runPlan({
	main: [['rooms', rooms]],
});

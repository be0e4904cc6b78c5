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

// The relay rules of docs/WIRE.md sections 4 and 5 from node (rules_node.mjs):
// SEND and its answers across encodings, every malformed request with its
// id, unknown types, too-large messages, sessions per key, and the rate
// limit.
// Run by regress/run; helpers and how a part runs: rules_node.mjs.
import { randomBytes } from 'node:crypto';
import {
	MAIN, runParts, SERVER_PK, HOSTPORT, check, show, eq, b64e,
	Pairs, mpEncode, keypair, responseFor, client, sameBytes,
	expectErr, alive, runPlan, sleep
} from './rules_node.mjs';

await runParts(import.meta.url, {
	main: MAIN,
	rate: 'rate limit 1 per second burst 3',
});

// =====================================================================
// Part "main": max message size 4K, max sessions per key 2, max rooms per
// session 2, max room members 3, origin "https://good.example".

async function sendRules() {
	const a = await client('json');
	const b = await client('msgpack');
	try {
		let body = randomBytes(100);
		a.send({ type: 'SEND', to: b.pk, body, id: 7 });
		eq(await a.recv(), { type: 'ACK', id: 7 }, 'SEND id 7 -> ACK id 7');
		eq(await b.recv(), { type: 'MESSAGE', from: a.pk, body },
		    'JSON sender -> msgpack recipient: MESSAGE from the sender ' +
		    'with identical body bytes');
		body = randomBytes(257);
		b.send({ type: 'SEND', to: a.pk, body, id: 8 });
		eq(await b.recv(), { type: 'ACK', id: 8 }, 'msgpack SEND -> ACK');
		eq(await a.recv(), { type: 'MESSAGE', from: b.pk, body },
		    'msgpack sender -> JSON recipient: identical body bytes');

		const forged = keypair().pk;
		a.send({ type: 'SEND', to: b.pk, body: Buffer.alloc(0),
		    from: forged });
		eq(await b.recv(), { type: 'MESSAGE', from: a.pk,
		    body: Buffer.alloc(0) }, 'empty body delivered; a `from` ' +
		    'in SEND is ignored (set by the relay)');
		eq(await a.quiet(), [], 'SEND without id: no ACK');

		const nobody = keypair().pk;
		await expectErr(a, 'SEND to a key with no session',
		    { type: 'SEND', to: nobody, body: randomBytes(5), id: 9 },
		    'offline', 9);
		b.send({ type: 'SEND', to: nobody, body: randomBytes(5) });
		eq(await b.quiet(), [], 'offline SEND without id is silent');

		// Several sessions of one key: each gets its copy.
		const b2 = await client('json', b.keys);
		body = randomBytes(33);
		a.send({ type: 'SEND', to: b.pk, body, id: 10 });
		eq(await a.recv(), { type: 'ACK', id: 10 }, 'SEND to a key ' +
		    'with two sessions -> one ACK');
		const m1 = await b.recv(), m2 = await b2.recv();
		check(sameBytes(m1.body, body) && sameBytes(m2.body, body) &&
		    sameBytes(m1.from, a.pk) && sameBytes(m2.from, a.pk),
		    'both sessions of the key get the MESSAGE',
		    show([m1, m2]));
		b.send({ type: 'SEND', to: b.pk, body, id: 11 });
		const got = [await b.recv(), await b.recv()];
		check(got.some((m) => m.type === 'ACK' && m.id === 11) &&
		    got.some((m) => m.type === 'MESSAGE' &&
		    sameBytes(m.body, body)) && (await b2.recv()).type ===
		    'MESSAGE', 'SEND to one\'s own key reaches all of its ' +
		    'sessions, the sender\'s included', show(got));
		b2.close();
	} finally {
		a.close();
		b.close();
	}
}

async function malformedRules() {
	const a = await client('json');
	const m = await client('msgpack');
	try {
		const to = b64e(m.pk);
		await expectErr(a, 'invalid JSON', '{"type":"SEND",', 'malformed');
		await expectErr(a, 'JSON array', '[1,2]', 'malformed');
		await expectErr(a, 'to with padding', '{"type":"SEND","to":"' +
		    to + '=","body":"","id":12}', 'malformed', 12);
		await expectErr(a, 'body in the standard alphabet',
		    '{"type":"SEND","to":"' + to + '","body":"ab+/","id":13}',
		    'malformed', 13);
		await expectErr(a, 'body with non-zero trailing bits',
		    '{"type":"SEND","to":"' + to + '","body":"AB","id":14}',
		    'malformed', 14);
		await expectErr(a, 'body of length 4n+1',
		    '{"type":"SEND","to":"' + to + '","body":"AAAAA","id":15}',
		    'malformed', 15);
		await expectErr(a, 'to of 31 bytes', '{"type":"SEND","to":"' +
		    b64e(randomBytes(31)) + '","body":"","id":16}', 'malformed',
		    16);
		await expectErr(a, 'body missing', '{"type":"SEND","to":"' +
		    to + '","id":17}', 'malformed', 17);
		for (const [what, id] of [['id 2^53', '9007199254740992'],
		    ['id -1', '-1'], ['id 1.5', '1.5'], ['id 1e3', '1e3'],
		    ['id "7"', '"7"'], ['id 2^64', '18446744073709551616']])
			await expectErr(a, what, '{"type":"SEND","to":"' + to +
			    '","body":"","id":' + id + '}', 'malformed');
		a.send({ type: 'SEND', to: a.pk, body: Buffer.alloc(0),
		    id: 2 ** 53 - 1 });
		const got = [await a.recv(), await a.recv()];
		check(got.some((x) => x.type === 'ACK' && x.id === 2 ** 53 - 1),
		    'id 2^53-1 is accepted and named in the ACK', show(got));
		await expectErr(a, 'duplicate key', '{"type":"SEND","to":"' + to +
		    '","to":"' + to + '","body":"","id":18}', 'malformed',
		    { either: 18 });
		await expectErr(a, 'JSON nested 9 levels', '{"type":"SEND",' +
		    '"to":"' + to + '","body":"","id":19,"x":' + '['.repeat(8) +
		    ']'.repeat(8) + '}', 'malformed', { either: 19 });
		await expectErr(a, 'binary message on the JSON subprotocol',
		    Buffer.from(mpEncode({ type: 'SEND', to: m.pk,
		    body: Buffer.alloc(0), id: 20 })), 'malformed');
		eq(await a.quiet(100), [], 'nothing else for the malformed ' +
		    'JSON requests');

		await expectErr(m, 'msgpack: to as base64url str',
		    { type: 'SEND', to: b64e(a.pk), body: Buffer.alloc(0),
		    id: 21 }, 'malformed', 21);
		await expectErr(m, 'msgpack: body as str',
		    { type: 'SEND', to: a.pk, body: 'text', id: 22 },
		    'malformed', 22);
		await expectErr(m, 'msgpack: id -1', { type: 'SEND', to: a.pk,
		    body: Buffer.alloc(0), id: -1 }, 'malformed');
		await expectErr(m, 'msgpack: id 2^53', { type: 'SEND', to: a.pk,
		    body: Buffer.alloc(0), id: 2 ** 53 }, 'malformed');
		await expectErr(m, 'msgpack: id 1.5', { type: 'SEND', to: a.pk,
		    body: Buffer.alloc(0), id: 1.5 }, 'malformed');
		await expectErr(m, 'msgpack: duplicate key', new Pairs([
		    ['type', 'SEND'], ['to', a.pk], ['body', Buffer.alloc(0)],
		    ['body', Buffer.alloc(1)], ['id', 23]]), 'malformed',
		    { either: 23 });
		await expectErr(m, 'msgpack: map32 declaring 2^32-1 entries',
		    Buffer.from([0xdf, 0xff, 0xff, 0xff, 0xff]), 'malformed');
		await expectErr(m, 'msgpack: text message on the msgpack ' +
		    'subprotocol', '{"type":"SEND"}', 'malformed');
		eq(await a.quiet(100), [], 'the peer got nothing from the ' +
		    'malformed requests');
		await alive(a, 'JSON session still served after malformed input');
		await alive(m, 'msgpack session still served after malformed ' +
		    'input');
	} finally {
		a.close();
		m.close();
	}
}

async function unknownType() {
	const a = await client('json');
	const m = await client('msgpack');
	try {
		await expectErr(a, 'type FOO', { type: 'FOO', id: 3 },
		    'unknown-type', 3);
		await expectErr(a, 'lower-case send', { type: 'send', to: a.pk,
		    body: Buffer.alloc(0), id: 4 }, 'unknown-type', 4);
		await expectErr(m, 'msgpack: server type MESSAGE',
		    { type: 'MESSAGE', from: a.pk, body: Buffer.alloc(0), id: 5 },
		    'unknown-type', 5);
		await expectErr(a, 'ACK from the client', { type: 'ACK', id: 6 },
		    'unknown-type', 6);
		// CHALLENGE_RESPONSE after registration: a type the client
		// may not send (SPEC 3, 4): unknown-type naming its id.
		a.send(responseFor({ challenge: a.challenge, server: SERVER_PK },
		    a.keys, HOSTPORT, { id: 7 }));
		const e = await a.until((x) => x.type === 'ERROR');
		check(e.code === 'unknown-type' && e.id === 7,
		    'CHALLENGE_RESPONSE after registration -> ERROR ' +
		    'unknown-type id 7', show(e));
		eq(await m.quiet(100), [], 'no MESSAGE made from a client ' +
		    'MESSAGE');
		await alive(a, 'session served after unknown types');
	} finally {
		a.close();
		m.close();
	}
}

async function tooLarge() {
	const j = await client('json');
	const m = await client('msgpack');
	try {
		const maxBody = j.reg.limits.maxBody;
		let body = randomBytes(maxBody);
		m.send({ type: 'SEND', to: j.pk, body, id: 30 });
		eq(await m.recv(), { type: 'ACK', id: 30 }, 'msgpack SEND of ' +
		    'maxBody bytes to a JSON recipient -> ACK');
		const got = await j.recv();
		check(got.type === 'MESSAGE' && sameBytes(got.body, body),
		    'JSON recipient gets the maxBody body intact', show(got));
		body = randomBytes(maxBody);
		j.send({ type: 'SEND', to: m.pk, body, id: 31 });
		eq(await j.recv(), { type: 'ACK', id: 31 }, 'JSON SEND of ' +
		    'maxBody bytes to a msgpack recipient -> ACK');
		const got2 = await m.recv();
		check(got2.type === 'MESSAGE' && sameBytes(got2.body, body),
		    'msgpack recipient gets the maxBody body intact');
		// 3050 bytes: the msgpack SEND is ~3.1K, the JSON MESSAGE
		// would need more than 4067 characters for the body alone.
		const big = randomBytes(3050);
		check(mpEncode({ type: 'SEND', to: j.pk, body: big,
		    id: 32 }).length < 4096, 'the msgpack SEND of 3050 bytes ' +
		    'fits in maxMessage');
		await expectErr(m, 'msgpack SEND whose JSON MESSAGE would ' +
		    'exceed 4K', { type: 'SEND', to: j.pk, body: big, id: 32 },
		    'too-large', 32);
		eq(await j.quiet(200), [], 'the JSON recipient gets nothing');
		await alive(m, 'the sender is still served after too-large');
	} finally {
		j.close();
		m.close();
	}
	// The whole message above max message size: close 1009.
	const c = await client('json');
	c.send({ type: 'SEND', to: c.pk, body: randomBytes(3500), id: 33 });
	eq(await c.closed(), 1009, 'a 4.7K JSON message (limit 4K) -> close ' +
	    '1009');
	c.close();
}

async function sessionsPerKey() {
	const keys = keypair();
	const s1 = await client('json', keys);
	const s2 = await client('msgpack', keys);
	const a = await client('json');
	try {
		let body = randomBytes(20);
		a.send({ type: 'SEND', to: keys.pk, body, id: 40 });
		eq(await a.recv(), { type: 'ACK', id: 40 }, 'SEND to a key ' +
		    'with 2 sessions -> ACK');
		const g1 = await s1.recv(), g2 = await s2.recv();
		check(sameBytes(g1.body, body) && sameBytes(g2.body, body),
		    'both sessions of the key get it');
		const s3 = await client('json', keys);
		eq(await s1.closed(), 4001, 'a third session (max 2) displaces ' +
		    'the oldest: close 4001');
		eq(await s2.closed(300), null, 'the second session stays open');
		body = randomBytes(21);
		a.send({ type: 'SEND', to: keys.pk, body, id: 41 });
		eq(await a.recv(), { type: 'ACK', id: 41 }, 'SEND after the ' +
		    'displacement -> ACK');
		const h2 = await s2.recv(), h3 = await s3.recv();
		check(sameBytes(h2.body, body) && sameBytes(h3.body, body),
		    'the two remaining sessions get the next message',
		    show([h2, h3]));
		eq(await s2.quiet(200), [], 'exactly one copy each');
		s3.close();
	} finally {
		s1.close();
		s2.close();
		a.close();
	}
}

// =====================================================================
// Part "rate": rate limit 1 per second burst 3.

async function rate() {
	const a = await client('json');
	const other = await client('json');
	try {
		eq([a.reg.limits.rate, a.reg.limits.burst], [1, 3],
		    'limits.rate 1 and limits.burst 3 announced');
		const nobody = b64e(keypair().pk);
		const reqs = [];
		for (let id = 1; id <= 4; id++)
			reqs.push('{"type":"SEND","to":"' + nobody +
			    '","body":"","id":' + id + '}');
		for (const q of reqs)
			a.sendRaw(q, false);
		const got = [];
		for (let i = 0; i < 4; i++)
			got.push(await a.recv());
		const codes = got.map((m) => m.id + ':' + m.code).join(' ');
		eq(codes, '1:offline 2:offline 3:offline 4:rate-limited',
		    'a burst of 3 is served, the 4th request -> rate-limited');
		await expectErr(other, 'another session is not limited by it',
		    { type: 'SEND', to: b64e(keypair().pk), body: '', id: 9 },
		    'offline', 9);
		// One refusal so far; three more in a row (4 > burst 3)
		// close the session with 1008.
		for (let id = 5; id <= 7; id++)
			a.sendRaw('{"type":"SEND","to":"' + nobody +
			    '","body":"","id":' + id + '}', false);
		const code = await a.closed(3000);
		const after = a.queue.splice(0);
		check(code === 1008 && after.length >= 2 &&
		    after.slice(0, 2).every((m) => m.code === 'rate-limited'),
		    'more than a full burst of refusals in a row -> ' +
		    'rate-limited, then close 1008', 'close ' + code + ' after ' +
		    show(after));

		// The bucket refills: after 1.2 s one request is served.
		const b = await client('json');
		for (let id = 1; id <= 4; id++)
			b.send({ type: 'SEND', to: b.pk, body: Buffer.alloc(0),
			    id });
		const seen = [];
		for (let i = 0; i < 7; i++)
			seen.push(await b.recv());
		const acks = seen.filter((m) => m.type === 'ACK').length;
		const limited = seen.filter((m) => m.code === 'rate-limited');
		check(acks === 3 && limited.length === 1 && limited[0].id === 4,
		    'SEND to oneself: 3 ACKs then rate-limited', show(seen));
		await sleep(1300);
		b.send({ type: 'SEND', to: nobody, body: '', id: 20 });
		const m = await b.recv();
		eq([m.code, m.id], ['offline', 20], 'after 1.3 s a token is ' +
		    'back and the request is served');
		b.close();
	} finally {
		a.close();
		other.close();
	}
}

// =====================================================================

await runPlan({
	main: [['SEND', sendRules], ['malformed', malformedRules],
	    ['unknown-type', unknownType], ['too-large', tooLarge],
	    ['sessions per key', sessionsPerKey]],
	rate: [['rate limit', rate]],
});

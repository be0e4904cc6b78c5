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

// The relay rules of docs/WIRE.md section 3 from node (rules_node.mjs):
// registration in both encodings with the proof checked, every failure
// with REGISTER_FAILURE and close 1008, and the binding to a configured
// server name.
// Run by regress/run; helpers and how a part runs: rules_node.mjs.
import { randomBytes } from 'node:crypto';
import {
	MAIN, runParts, SERVER_PK, PORT, HOSTPORT, check, show, eq,
	b64e, Pairs, PROTO, isUint, keypair, Conn, responseFor, proofOk,
	sameBytes, alive, runPlan
} from './rules_node.mjs';

await runParts(import.meta.url, {
	main: MAIN,
	binding: 'server name "relay.example.org"',
});

// =====================================================================
// Part "main": max message size 4K, max sessions per key 2, max rooms per
// session 2, max room members 3, origin "https://good.example".

async function registration() {
	for (const proto of ['json', 'msgpack']) {
		const keys = keypair();
		const c = await Conn.open(proto);
		eq(c.subprotocol, PROTO[proto], proto + ': subprotocol ' +
		    PROTO[proto] + ' answered');
		const chal = await c.recv();
		check(chal.type === 'CHALLENGE' && chal.version === 1 &&
		    sameBytes(chal.server, SERVER_PK) &&
		    chal.challenge.length === 32,
		    proto + ': CHALLENGE version 1, the relay key, 32 bytes',
		    show(chal));
		// an id in CHALLENGE_RESPONSE is ignored
		c.send(responseFor(chal, keys, HOSTPORT, { id: 5 }));
		c.pk = keys.pk;
		const reg = await c.recv();
		check(reg.type === 'REGISTER_SUCCESS' &&
		    sameBytes(reg.publicKey, keys.pk),
		    proto + ': REGISTER_SUCCESS names the client key',
		    show(reg));
		check(proofOk(reg.proof, chal.challenge, keys, SERVER_PK),
		    proto + ': proof opens to challenge || client pk with the ' +
		    'relay key', show(reg.proof));
		const L = reg.limits || {};
		check(L.maxMessage === 4096 &&
		    L.maxBody === Math.floor((4096 - 512) * 3 / 4) &&
		    L.rooms === 2 && isUint(L.rate) && L.rate > 0 &&
		    isUint(L.burst) && L.burst > 0,
		    proto + ': limits maxMessage 4096, maxBody 2688, rooms 2, ' +
		    'rate, burst', show(L));
		check(!('id' in reg), proto + ': the response id is not ' +
		    'echoed', show(reg));
		await alive(c, proto + ': the registered session is served');
		c.close();
	}
	// Fresh challenges.
	const c1 = await Conn.open('json'), c2 = await Conn.open('json');
	const x1 = await c1.recv(), x2 = await c2.recv();
	check(!sameBytes(x1.challenge, x2.challenge),
	    'every connection gets a fresh challenge');
	c1.close();
	c2.close();
}

async function regFailure(proto, what, make, reason) {
	const c = await Conn.open(proto);
	const chal = await c.recv();
	const req = make(chal);
	if (typeof req === 'string' || Buffer.isBuffer(req))
		c.sendRaw(req, typeof req !== 'string');
	else
		c.send(req);
	let m;
	try {
		m = await c.recv();
	} catch (e) {
		m = e.message;
	}
	check(m.type === 'REGISTER_FAILURE' && m.reason === reason &&
	    typeof m.message === 'string', proto + ': ' + what +
	    ' -> REGISTER_FAILURE ' + reason, show(m));
	eq(await c.closed(), 1008, proto + ': ' + what + ' -> close 1008');
	c.close();
}

async function registrationFailures() {
	const keys = keypair();
	await regFailure('json', 'box of another challenge', (chal) =>
	    responseFor(chal, keys, HOSTPORT, { challenge: randomBytes(32) }),
	    'bad-proof');
	await regFailure('msgpack', 'box made with another secret key',
	    (chal) => responseFor(chal, keys, HOSTPORT,
	    { boxSk: keypair().sk }), 'bad-proof');
	await regFailure('msgpack', 'box for another relay key', (chal) =>
	    responseFor(Object.assign({}, chal, { server: keypair().pk }),
	    keys, HOSTPORT), 'bad-proof');
	await regFailure('json', 'SEND before registration', () =>
	    ({ type: 'SEND', to: keys.pk, body: Buffer.alloc(0), id: 1 }),
	    'malformed');
	await regFailure('json', 'binding of 256 bytes (box of 304)', (chal) =>
	    responseFor(chal, keys, 'a'.repeat(256)), 'malformed');
	await regFailure('json', 'box of 47 bytes', (chal) =>
	    Object.assign(responseFor(chal, keys, HOSTPORT),
	    { box: randomBytes(47) }), 'malformed');
	await regFailure('json', 'invalid JSON', () => '{"type":', 'malformed');
	await regFailure('msgpack', 'publicKey as base64url str', (chal) => {
		const r = responseFor(chal, keys, HOSTPORT);
		return new Pairs([['type', r.type], ['publicKey', b64e(r.publicKey)],
		    ['nonce', r.nonce], ['box', r.box]]);
	}, 'malformed');
	// An empty binding is allowed (0-255 bytes).
	const c = await Conn.open('json');
	const chal = await c.recv();
	c.send(responseFor(chal, keys, ''));
	const reg = await c.recv();
	check(reg.type === 'REGISTER_SUCCESS', 'empty binding (box of 48) ' +
	    'registers when no server name is set', show(reg));
	c.close();
}

// =====================================================================
// Part "binding": server name "relay.example.org".

async function binding() {
	const keys = keypair();
	for (const proto of ['json', 'msgpack'])
		await regFailure(proto, 'binding 127.0.0.1:PORT with server ' +
		    'name relay.example.org', (chal) => responseFor(chal, keys,
		    HOSTPORT), 'bad-binding');
	await regFailure('json', 'binding relay.example.org.evil',
	    (chal) => responseFor(chal, keys, 'relay.example.org.evil'),
	    'bad-binding');
	for (const bd of ['relay.example.org', 'RELAY.Example.ORG:8443',
	    'relay.example.org:' + PORT]) {
		const c = await Conn.open('json');
		const chal = await c.recv();
		c.send(responseFor(chal, keys, bd));
		const reg = await c.recv();
		check(reg.type === 'REGISTER_SUCCESS' && proofOk(reg.proof,
		    chal.challenge, keys, SERVER_PK), 'binding ' + bd +
		    ' matches the server name', show(reg));
		c.close();
	}
}

// =====================================================================

await runPlan({
	main: [['registration', registration],
	    ['registration failures', registrationFailures]],
	binding: [['binding', binding]],
});

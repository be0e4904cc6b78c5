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

// The relay rules of docs/WIRE.md sections 1 and 5 from node (rules_node.mjs):
// the HTTP upgrade (answers and their order, Origin, subprotocols,
// Sec-WebSocket-Accept), hand-made frames that break RFC 6455, and
// upgrades that complete out of accept order.
// Run by regress/run; helpers and how a part runs: rules_node.mjs.
import { createHash, randomBytes } from 'node:crypto';
import {
	MAIN, runParts, HOSTPORT, check, show, eq, b64e, PROTO, Conn,
	client, alive, Raw, frame, wsKey, upgradeText, http,
	rawUpgraded, rawRegistered, runPlan, sleep
} from './rules_node.mjs';

await runParts(import.meta.url, {
	main: MAIN,
	order: '',
});

// =====================================================================
// Part "main": max message size 4K, max sessions per key 2, max rooms per
// session 2, max room members 3, origin "https://good.example".

async function handshake() {
	let h = await http(upgradeText({ path: '/nowhere' }));
	eq(h.status, 404, 'HTTP: another path -> 404');
	h = await http('GET / HTTP/1.1\r\nHost: ' + HOSTPORT + '\r\n\r\n');
	check(h.status === 426 && /^websocket$/i.test(h.headers.upgrade),
	    'HTTP: the path without Upgrade: websocket -> 426 with ' +
	    'Upgrade: websocket', h.raw);
	h = await http(upgradeText({ version: '8' }));
	check(h.status === 426 && h.headers['sec-websocket-version'] === '13',
	    'HTTP: Sec-WebSocket-Version 8 -> 426 with ' +
	    'Sec-WebSocket-Version: 13', h.raw);
	h = await http(upgradeText({ method: 'POST' }));
	eq(h.status, 400, 'HTTP: upgrade with method POST -> 400');
	h = await http(upgradeText({ key: null }));
	eq(h.status, 400, 'HTTP: upgrade without Sec-WebSocket-Key -> 400');
	h = await http(upgradeText({ key: randomBytes(15).toString('base64') }));
	eq(h.status, 400, 'HTTP: Sec-WebSocket-Key of 15 bytes -> 400');
	h = await http(upgradeText({ connection: null }));
	eq(h.status, 400, 'HTTP: upgrade without Connection: Upgrade -> 400');
	h = await http(upgradeText({ origin: 'https://evil.example' }));
	eq(h.status, 403, 'HTTP: Origin not configured -> 403');
	h = await http(upgradeText({ origin: 'https://good.example/' }));
	eq(h.status, 403, 'HTTP: Origin matched exactly only (trailing /) ' +
	    '-> 403');
	h = await http(upgradeText({ origin: 'https://evil.example',
	    path: '/nowhere' }));
	eq(h.status, 404, 'HTTP: the path is checked before the Origin');
	h = await http(upgradeText({ origin: 'https://evil.example',
	    protocols: 'nothing.known' }));
	eq(h.status, 403, 'HTTP: the Origin is checked before subprotocols');

	const key = wsKey();
	h = await http(upgradeText({ key, origin: 'https://good.example',
	    protocols: PROTO.json }));
	const accept = createHash('sha1').update(key +
	    '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
	check(h.status === 101 && h.headers['sec-websocket-accept'] === accept &&
	    h.headers['sec-websocket-protocol'] === 'sws.v1.json',
	    'HTTP: configured Origin -> 101, Sec-WebSocket-Accept right, ' +
	    'sws.v1.json', h.raw);
	if (h.raw instanceof Raw) {
		const chal = await h.raw.json();
		check(chal.type === 'CHALLENGE', 'the relay speaks first: ' +
		    'CHALLENGE', show(chal));
		h.raw.close();
	}
	h = await http(upgradeText({ extra:
	    ['Sec-WebSocket-Extensions: permessage-deflate'] }));
	check(h.status === 101 && !('sec-websocket-protocol' in h.headers) &&
	    !('sec-websocket-extensions' in h.headers),
	    'HTTP: no Origin, no subprotocol offered -> 101 without ' +
	    'Sec-WebSocket-Protocol, no extension negotiated', h.raw);
	if (h.raw instanceof Raw)
		h.raw.close();
	h = await http(upgradeText({ protocols: 'nothing.known' }));
	eq(h.status, 400, 'HTTP: only unknown subprotocols -> 400');
	h = await http(upgradeText({ protocols: 'x.y, sws.v1.msgpack, ' +
	    'sws.v1.json' }));
	check(h.status === 101 &&
	    h.headers['sec-websocket-protocol'] === 'sws.v1.msgpack',
	    'HTTP: several offered -> the first known (msgpack)', h.raw);
	if (h.raw instanceof Raw)
		h.raw.close();
	h = await http(upgradeText({ path: '/?a=b' }));
	check(h.status === 101, 'HTTP: a query string is ignored', h.raw);
	if (h.raw instanceof Raw)
		h.raw.close();

	// A client offering no subprotocol speaks JSON.
	const c = await Conn.open(null);
	const chal = await c.recv();
	check(chal.type === 'CHALLENGE' && c.subprotocol === '',
	    'no subprotocol: CHALLENGE in JSON', show(chal));
	c.close();
}

async function rawFrames() {
	let r = await rawRegistered();
	r.write(frame(1, JSON.stringify({ type: 'SEND', to: b64e(r.pk),
	    body: '', id: 1 }), { mask: false }));
	eq(await r.closeCode(), 1002, 'unmasked client frame -> close 1002');
	r.close();

	r = await rawRegistered();
	r.write(frame(1, Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])));
	eq(await r.closeCode(), 1007, 'invalid UTF-8 in a text message -> ' +
	    'close 1007');
	r.close();

	r = await rawRegistered();
	r.write(frame(2, Buffer.alloc(0), { length: 5000 }).subarray(0, 8));
	eq(await r.closeCode(), 1009, 'a frame declaring 5000 bytes (limit ' +
	    '4K) -> close 1009 before its payload');
	r.close();

	r = await rawRegistered();
	const text = JSON.stringify({ type: 'SEND', to: b64e(r.pk), body: '',
	    id: 2 });
	const parts = [];
	for (let i = 0; i < 65; i++)
		parts.push(frame(i === 0 ? 1 : 0, i < text.length ?
		    text.slice(i, i + 1) : '', { fin: i === 64 }));
	r.write(Buffer.concat(parts));
	eq(await r.closeCode(), 1009, 'a message in 65 data frames -> close ' +
	    '1009');
	r.close();

	// 64 frames are fine.
	r = await rawRegistered();
	const text64 = JSON.stringify({ type: 'SEND', to: b64e(r.pk),
	    body: '', id: 3 });
	const chunks = [];
	const n = 64;
	const per = Math.ceil(text64.length / n);
	for (let i = 0; i < n; i++)
		chunks.push(frame(i === 0 ? 1 : 0, text64.slice(i * per,
		    (i + 1) * per), { fin: i === n - 1 }));
	r.write(Buffer.concat(chunks));
	const got = [await r.json(), await r.json()];
	check(got.some((x) => x.type === 'ACK' && x.id === 3) &&
	    got.some((x) => x.type === 'MESSAGE' && x.body.length === 0),
	    'a message in 64 data frames is accepted', show(got));
	r.close();

	// Before registration too.
	r = await rawUpgraded();
	await r.json();
	r.write(frame(1, '{}', { mask: false }));
	eq(await r.closeCode(), 1002, 'unmasked frame before registration ' +
	    '-> close 1002');
	r.close();
}

// =====================================================================
// Part "order": connections that finish their upgrade in another order
// than they were accepted (any two clients dialling at once) are each
// served a fresh CHALLENGE (SPEC 3), and the relay stays up.

async function upgradeOrder() {
	const first = await Raw.connect();
	await sleep(100);
	const second = await Raw.connect();
	await sleep(100);
	second.write(upgradeText({ protocols: PROTO.json }));
	const h2 = await second.head();
	let c2 = null;
	if (h2.status === 101)
		c2 = await second.json().catch((e) => e.message);
	first.write(upgradeText({ protocols: PROTO.json }));
	const h1 = await first.head();
	let c1 = null;
	if (h1.status === 101)
		c1 = await first.json().catch((e) => e.message);
	check(h1.status === 101 && h2.status === 101 &&
	    c1 !== null && c1.type === 'CHALLENGE' &&
	    c2 !== null && c2.type === 'CHALLENGE',
	    'the later-accepted connection upgrades first: both get a ' +
	    'CHALLENGE', show([h2.status, c2, h1.status, c1]));
	first.close();
	second.close();
	try {
		const c = await client('json');
		await alive(c, 'the relay still serves a fresh client after ' +
		    'out-of-order upgrades');
		c.close();
	} catch (e) {
		check(false, 'the relay still serves a fresh client after ' +
		    'out-of-order upgrades', e.message);
	}
}

// =====================================================================

await runPlan({
	main: [['handshake', handshake], ['raw frames', rawFrames]],
	order: [['upgrade order', upgradeOrder]],
});

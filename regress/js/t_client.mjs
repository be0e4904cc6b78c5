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

// The JavaScript client under node against the real relay: direct
// messages, rooms with sender keys (a member who left cannot open what comes
// after), pinned server key, offline, and reconnection after a drop.
//
// Without SWS_URL this file runs itself under regress/lib/swstest.py, which
// starts relayd on a free loopback port (exit 77 when it is not built).
import net from 'node:net';
import { ok, check, rejects, done, diag, globalTimeout, sleep, until,
    underRelay, loadSws } from './tap.mjs';

globalTimeout(90000);
await underRelay(import.meta.url);
const sws = await loadSws();
const { nacl, SwsClient, MemoryKeyStore, b64uEncode: enc,
    b64uDecode: dec } = sws;

const URL0 = process.env.SWS_URL;
const SERVER = process.env.SWS_SERVER_KEY;
diag('relay ' + URL0 + ' key ' + SERVER);

const clients = [];

function mk(extra = {}) {
	const c = new SwsClient(Object.assign({
		url: URL0, serverKey: SERVER, keyStore: new MemoryKeyStore(),
		backoffBase: 100, backoffCap: 800, requestTimeout: 5000,
		handshakeTimeout: 5000, holdMs: 2000,
	}, extra));
	c.log = { message: [], room: [], error: [], state: [], presence: [],
	    joined: [], senderkey: [] };
	for (const ev of Object.keys(c.log))
		c.on(ev, (x) => c.log[ev].push(x));
	clients.push(c);
	return c;
}

function closeAll() {
	for (const c of clients)
		c.close();
}

// Every room member holds the sender key of every other member.
function keysSettled(room, cs) {
	for (const c of cs)
		for (const d of cs)
			if (c !== d && !c.log.senderkey.some((k) =>
			    k.room === room && k.from === d.publicKey))
				return false;
	return true;
}

const a = mk(), b = mk();

await check('two clients register with the pinned relay key', async () => {
	const [ra, rb] = await Promise.all([a.connect(), b.connect()]);
	return ra.server === SERVER && rb.server === SERVER && a.connected &&
	    b.connected && Number.isSafeInteger(ra.limits.maxBody) &&
	    ra.limits.maxBody > 0;
});
if (!a.connected || !b.connected) {
	closeAll();
	done();
}

await check('direct message a -> b (ACK, decrypted text, from set by ' +
    'the relay)', async () => {
	await a.send(b.publicKey, 'hello b, from a');
	await until(() => b.log.message.length >= 1, 5000, 'message');
	const m = b.log.message[0];
	return m.from === a.publicKey && m.text === 'hello b, from a';
});

await check('binary direct message b -> a', async () => {
	const data = nacl.randomBytes(300);
	data[0] = 0xff;		// not UTF-8
	await b.send(a.publicKey, data);
	await until(() => a.log.message.length >= 1, 5000, 'message');
	const m = a.log.message[0];
	return m.from === b.publicKey && m.text === null &&
	    Buffer.compare(Buffer.from(m.data), Buffer.from(data)) === 0;
});

await check('a body that does not open is an error, never a message',
    async () => {
	const n0 = b.log.message.length;
	const e0 = b.log.error.length;
	await a.request({ type: 'SEND', to: dec(b.publicKey),
	    body: nacl.randomBytes(60) });
	await until(() => b.log.error.length > e0, 5000, 'error');
	await sleep(50);
	return b.log.message.length === n0 &&
	    b.log.error[e0].code === 'undecryptable';
});

await rejects('SEND to a key with no session is offline',
    a.send(enc(nacl.box.keyPair().publicKey), 'anyone?'), 'offline');

await rejects('SEND to a low-order key refused by the client',
    a.send('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'x'),
    'low-order-key');

await rejects('pinned key mismatch refused',
    mk({ serverKey: enc(nacl.box.keyPair().publicKey), reconnect: true })
    .connect(), 'server-key-mismatch');

await check('no pin: the relay key is learnt and the proof checked',
    async () => {
	const c = mk({ serverKey: undefined });
	const r = await c.connect();
	c.close();
	return r.server === SERVER;
});

await check('same key on two sessions: both get the message', async () => {
	const kp = nacl.box.keyPair();
	const s1 = mk({ keyPair: kp }), s2 = mk({ keyPair: kp });
	await s1.connect();
	await s2.connect();
	await a.send(s1.publicKey, 'to both');
	await until(() => s1.log.message.length === 1 &&
	    s2.log.message.length === 1, 5000, 'both sessions');
	s1.close();
	s2.close();
	return s1.log.message[0].text === 'to both' &&
	    s2.log.message[0].text === 'to both';
});

await check('a msgpack client and a JSON client talk, directly and in ' +
    'a room', async () => {
	const m = mk({ encoding: 'msgpack' });
	const r = await m.connect();
	if (r.server !== SERVER || m.ws.protocol !== 'sws.v1.msgpack')
		return false;
	await m.send(a.publicKey, 'from msgpack');
	await a.send(m.publicKey, 'to msgpack');
	await until(() => m.log.message.length === 1 && a.log.message.some(
	    (x) => x.text === 'from msgpack'), 5000, 'direct messages');
	await a.join('mp-room');
	await m.join('mp-room');
	await until(() => keysSettled('mp-room', [a, m]), 5000, 'keys');
	await m.publish('mp-room', 'room from msgpack');
	await a.publish('mp-room', 'room to msgpack');
	await until(() => m.log.room.length === 1 && a.log.room.length === 1,
	    5000, 'room messages');
	await a.leave('mp-room');
	m.close();
	return m.log.message[0].text === 'to msgpack' &&
	    m.log.room[0].text === 'room to msgpack' &&
	    a.log.room[0].text === 'room from msgpack';
});
a.log.room.length = 0;

// --- rooms
const c = mk();
await c.connect();
const ROOM = 'js-room';

await check('three members join; JOINED lists them', async () => {
	const ma = await a.join(ROOM);
	const mb = await b.join(ROOM);
	const mc = await c.join(ROOM);
	return ma.length === 1 && mb.length === 2 && mc.length === 3 &&
	    mc.includes(a.publicKey) && mc.includes(b.publicKey) &&
	    mc.includes(c.publicKey);
});

await check('sender keys reach every member', async () => {
	await until(() => keysSettled(ROOM, [a, b, c]), 5000, 'sender keys');
	return true;
});

await check('a publishes: b and c read it, a does not get it back',
    async () => {
	await a.publish(ROOM, 'first to the room');
	await until(() => b.log.room.length === 1 && c.log.room.length === 1,
	    5000, 'room message');
	await sleep(50);
	return b.log.room[0].text === 'first to the room' &&
	    c.log.room[0].text === 'first to the room' &&
	    b.log.room[0].from === a.publicKey && a.log.room.length === 0;
});

// c keeps every sender key it ever learnt, as a member who left would.
const cKnew = c.log.senderkey.filter((k) => k.from === a.publicKey)
    .map((k) => k.key);
const aKeysAtB = () => b.log.senderkey.filter((k) => k.from === a.publicKey)
    .length;
const before = aKeysAtB();

await check('c leaves: the others see PRESENCE left and a rotates its key',
    async () => {
	await c.leave(ROOM);
	await until(() => a.log.presence.some((p) => p.room === ROOM &&
	    p.publicKey === c.publicKey && p.state === 'left') &&
	    aKeysAtB() > before, 5000, 'presence left and new key');
	const newKey = b.log.senderkey.filter((k) => k.from ===
	    a.publicKey).pop().key;
	return !cKnew.some((k) => enc(k) === enc(newKey));
});

await check('after c left: b reads what a publishes, c cannot open it',
    async () => {
	const nb = b.log.room.length, nc = c.log.room.length;
	await a.publish(ROOM, 'after c left');
	await until(() => b.log.room.length > nb, 5000, 'room message');
	await sleep(100);
	const m = b.log.room[nb];
	const opened = cKnew.map((k) => sws.openRoom(m.body, k));
	return m.text === 'after c left' && c.log.room.length === nc &&
	    cKnew.length >= 1 && opened.every((x) => x === null);
});

await rejects('PUBLISH to a room one has left is refused',
    c.publish(ROOM, 'x'), 'not-member');
await rejects('the relay answers not-member for a room not joined',
    c.request({ type: 'PUBLISH', room: ROOM, body: new Uint8Array(0) }),
    'not-member');

// --- reconnection: through a TCP proxy that the test cuts.
const relay = new URL(URL0);
const socks = new Set();
const proxy = net.createServer((down) => {
	const up = net.connect(Number(relay.port), relay.hostname);
	socks.add(down);
	socks.add(up);
	down.pipe(up);
	up.pipe(down);
	const end = () => {
		down.destroy();
		up.destroy();
		socks.delete(down);
		socks.delete(up);
	};
	down.on('error', end);
	up.on('error', end);
	down.on('close', end);
	up.on('close', end);
});
await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
const purl = relay.protocol + '//127.0.0.1:' + proxy.address().port + '/';

const d = mk({ url: purl });
await check('d connects through the proxy and joins the room', async () => {
	await d.connect();
	await d.join(ROOM);
	await until(() => keysSettled(ROOM, [a, b, d]), 5000, 'sender keys');
	await a.publish(ROOM, 'before the drop');
	await until(() => d.log.room.some((m) => m.text ===
	    'before the drop'), 5000, 'room message');
	return true;
});

await check('the connection drops: d reconnects with backoff and re-joins',
    async () => {
	const j0 = d.log.joined.length;
	const s0 = d.log.state.length;
	for (const s of socks)
		s.destroy();
	await until(() => d.log.state.slice(s0).some((s) =>
	    s.state === 'reconnecting'), 5000, 'reconnecting');
	await until(() => d.connected && d.log.joined.length > j0, 10000,
	    're-join');
	const r = d.log.state.slice(s0).find((s) => s.state ===
	    'reconnecting');
	return r.delay >= 50 && r.delay <= 100 &&
	    d.joinedRooms().includes(ROOM);
});

await check('after the reconnection: direct and room messages reach d',
    async () => {
	// a saw d leave and join again, and sent its key anew
	await until(() => a.log.presence.filter((p) => p.publicKey ===
	    d.publicKey && p.state === 'joined').length >= 2 &&
	    keysSettled(ROOM, [a, d]), 5000, 'presence and keys');
	await a.send(d.publicKey, 'direct after reconnect');
	await a.publish(ROOM, 'room after reconnect');
	await until(() => d.log.message.some((m) => m.text ===
	    'direct after reconnect') && d.log.room.some((m) => m.text ===
	    'room after reconnect'), 5000, 'messages');
	await d.publish(ROOM, 'd is back');
	await until(() => a.log.room.some((m) => m.text === 'd is back') &&
	    b.log.room.some((m) => m.text === 'd is back'), 5000,
	    'room message from d');
	return true;
});

await check('close() ends the session for good', async () => {
	const s0 = d.log.state.length;
	d.close();
	await until(() => d.log.state.slice(s0).some((s) =>
	    s.state === 'closed'), 5000, 'closed');
	await sleep(300);
	return !d.connected && !d.log.state.slice(s0).some((s) =>
	    s.state === 'reconnecting');
});

await rejects('SEND while closed is refused at once',
    d.send(a.publicKey, 'x'), 'disconnected');

ok(!clients.some((x) => x.log.room.some((m) => m.text === null)),
    'no room message shown without text');
for (const x of [a, b, c])
	if (x.log.error.length > 0)
		diag('errors seen: ' + x.log.error.map((e) => e.code + ': ' +
		    e.message).join('; '));
ok(!a.log.error.length && !c.log.error.length &&
    b.log.error.length === 1, 'no unexpected client errors');

closeAll();
proxy.close();
for (const s of socks)
	s.destroy();
done();

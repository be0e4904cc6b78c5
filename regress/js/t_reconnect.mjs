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

// The relay restarts under running clients: what they send and publish
// meanwhile waits in each client's queue (bounded: beyond queueMax a send
// fails at once with queue-full) and goes out, in order, once the client
// has registered again and re-joined its rooms.  a reconnects by itself;
// b's backoff is long, and the test calls b.connect() once a is back in
// the room, so that a is a member when b's publishes arrive.
//
// Without SWS_URL this file runs itself under regress/lib/swstest.py; the
// relay is stopped and started again through the harness (SIGUSR1, SIGUSR2
// to SWS_HARNESS_PID: same port, same key).
import { ok, check, done, diag, globalTimeout, sleep, until, underRelay,
    loadSws } from './tap.mjs';

globalTimeout(60000);
await underRelay(import.meta.url);
const { SwsClient, MemoryKeyStore } = await loadSws();

const URL0 = process.env.SWS_URL;
const SERVER = process.env.SWS_SERVER_KEY;
const HARNESS = Number(process.env.SWS_HARNESS_PID);
const ROOM = 'restart-room';

function mk(extra) {
	const c = new SwsClient(Object.assign({ url: URL0, serverKey: SERVER,
	    keyStore: new MemoryKeyStore(), requestTimeout: 5000,
	    handshakeTimeout: 5000, holdMs: 3000 }, extra));
	c.log = { in: [], state: [], error: [], joined: [], senderkey: [] };
	c.on('message', (m) => c.log.in.push('direct ' + m.text));
	c.on('room', (m) => c.log.in.push('room ' + m.text));
	for (const ev of ['state', 'error', 'joined', 'senderkey'])
		c.on(ev, (x) => c.log[ev].push(x));
	return c;
}

const a = mk({ backoffBase: 50, backoffCap: 200 });
const b = mk({ backoffBase: 60000, backoffCap: 60000, queueMax: 4 });

await check('a and b register and join the room', async () => {
	await a.connect();
	await b.connect();
	await a.join(ROOM);
	await b.join(ROOM);
	await until(() => a.log.senderkey.some((k) => k.from === b.publicKey),
	    5000, 'b\'s sender key at a');
	return true;
});

if (!ok(Number.isSafeInteger(HARNESS) && HARNESS > 1,
    'the harness can restart the relay (SWS_HARNESS_PID)')) {
	a.close();
	b.close();
	done();
}

process.kill(HARNESS, 'SIGUSR1');
await check('the relay stops: both clients are reconnecting', async () => {
	await until(() => a.state === 'reconnecting' &&
	    b.state === 'reconnecting', 10000, 'reconnecting');
	return !a.connected && !b.connected;
});

// a: a publish while the relay is down
const aPub = a.publish(ROOM, 'a, queued').then(() => 'ack', (e) => e.code);
// b: four in the queue, a fifth beyond queueMax
const order = ['direct b1', 'room b2', 'direct b3', 'room b4'];
const bSent = [
	b.send(a.publicKey, 'b1'),
	b.publish(ROOM, 'b2'),
	b.send(a.publicKey, 'b3'),
	b.publish(ROOM, 'b4'),
].map((p) => p.then(() => 'ack', (e) => e.code));
let fifth = null;
try {
	await b.send(a.publicKey, 'b5');
	fifth = 'sent';
} catch (e) {
	fifth = e;
}
ok(fifth !== 'sent' && fifth.code === 'queue-full' &&
    /4 requests already wait/.test(fifth.message),
    'beyond queueMax a send fails at once: queue-full');
ok(b.queue.length === 4 && a.queue.length === 1,
    'the others wait in the queues');

process.kill(HARNESS, 'SIGUSR2');
await check('the relay is back: a reconnects by itself, re-joins, and ' +
    'its queued publish goes out (ACK)', async () => {
	await until(() => a.connected && a.joinedRooms().includes(ROOM),
	    15000, 'a back in the room');
	return await aPub === 'ack';
});

await check('b reconnects: its queue goes out after the re-join, in ' +
    'order, and a reads it in that order', async () => {
	const j0 = b.log.joined.length;
	await b.connect();
	const res = await Promise.all(bSent);
	await until(() => order.every((t) => a.log.in.includes(t)), 5000,
	    'b\'s messages at a');
	const got = a.log.in.filter((t) => order.includes(t));
	diag('a read: ' + got.join(', '));
	return res.every((r) => r === 'ack') && b.log.joined.length > j0 &&
	    got.join() === order.join();
});

await check('after the flush, new sends go straight out', async () => {
	await b.send(a.publicKey, 'after');
	await until(() => a.log.in.includes('direct after'), 5000, 'after');
	return b.queue.length === 0;
});

for (const c of [a, b])
	for (const e of c.log.error)
		diag('error: ' + e.code + ': ' + e.message);
a.close();
b.close();
await sleep(50);
done();

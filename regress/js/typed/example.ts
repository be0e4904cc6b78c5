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

// A typed user of sws-js: t_package.mjs checks it with tsc --noEmit, so
// that the declarations (js/sws.d.ts) cover what a program uses, and
// refuse what it must not do (the @ts-expect-error lines).
import {
	SwsClient, SwsError, SwsEvent, MemoryKeyStore, FileKeyStore,
	IndexedDBKeyStore, loadKeyPair, fingerprint, defaultKeyPath,
	b64uEncode, msgpackEncode, msgpackDecode, PLATFORM,
} from 'sws-js';
import type { KeyStore, KeyPair, ClientOptions, EventMap, State,
    ErrorCode } from 'sws-js';

export async function demo(url: string, peer: string): Promise<void> {
	const store: KeyStore = PLATFORM === 'node' ? new FileKeyStore() :
	    new IndexedDBKeyStore('me');
	const kp: KeyPair = await loadKeyPair(store);
	const opts: ClientOptions = { url, keyPair: kp, encoding: 'msgpack',
	    queueMax: 64, queueTimeout: 10000 };
	const c = new SwsClient(opts);
	const stop = c.on('message', (ev) => {
		const from: string = ev.from;
		const text: string | null = ev.text;
		const data: Uint8Array = ev.data;
		console.log(fingerprint(from), text ?? data.length);
	});
	c.addEventListener('room', (ev) => {
		const room: string = ev.room;
		console.log(room, ev.text);
	});
	c.addEventListener('error', (ev) => {
		const code: ErrorCode = ev.code;
		const err: SwsError = ev.error;
		console.log(code, err.message, ev.room);
	});
	c.addEventListener('state', (ev: EventMap['state']) => {
		const s: State = ev.state;
		if (s === 'reconnecting')
			console.log('again in', ev.delay);
	});
	const { server, limits } = await c.connect();
	console.log(server, limits.maxBody, c.publicKey, c.connected);
	await c.send(peer, 'hello');
	await c.send(peer, new Uint8Array([1, 2, 3]));
	const members: string[] = await c.join('lobby');
	await c.publish('lobby', 'hi all ' + members.length);
	await c.leave('lobby');
	stop();
	c.close();
	try {
		await c.send(peer, 'x');
	} catch (e) {
		if (e instanceof SwsError && e.code === 'disconnected')
			console.log('closed');
	}
	const ev: Event = new SwsEvent('custom', { n: 1 });
	console.log(ev.type, defaultKeyPath({ HOME: '/home/x' }),
	    b64uEncode(msgpackEncode({ type: 'ACK', id: 1 })),
	    msgpackDecode(new Uint8Array([0x80])));
	const m = new MemoryKeyStore(kp.secretKey);
	console.log(await m.load());

	// @ts-expect-error: url is required
	new SwsClient({ keyPair: kp });
	// @ts-expect-error: encoding is json or msgpack
	new SwsClient({ url, encoding: 'xml' });
	// @ts-expect-error: no such event field
	c.on('message', (e) => e.room);
	// @ts-expect-error: send takes text or bytes
	await c.send(peer, 42);
}

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

// The JavaScript client reproduces /work/shared/vectors.json (SPEC 8) and
// refuses low-order keys.  No relay needed: the client-level checks use an
// in-process fake WebSocket that plays the relay's registration.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ok, check, done, diag, globalTimeout, sleep, until, loadSws, TOP }
    from './tap.mjs';

globalTimeout(30000);
const sws = await loadSws();

const { nacl, b64uEncode: enc, b64uDecode: dec } = sws;

function findVectors() {
	const cands = [];
	if (process.env.SWS_VECTORS)
		cands.push(process.env.SWS_VECTORS);
	cands.push(path.join(TOP, '..', 'shared', 'vectors.json'),
	    path.join(TOP, 'shared', 'vectors.json'),
	    path.join(TOP, 'regress', 'vectors.json'),
	    '/work/shared/vectors.json');
	for (const c of cands)
		if (existsSync(c))
			return c;
	return null;
}

const vfile = findVectors();
if (vfile === null) {
	console.log('not ok - vectors.json not found');
	process.exit(1);
}
const V = JSON.parse(readFileSync(vfile, 'utf8'));
const hex = (b) => Buffer.from(b).toString('hex');
const same = (a, b) => a instanceof Uint8Array && b instanceof Uint8Array &&
    hex(a) === hex(b);

// --- keys
for (const who of ['server', 'alice', 'bob']) {
	const kp = nacl.box.keyPair.fromSecretKey(dec(V[who].secretKey));
	ok(enc(kp.publicKey) === V[who].publicKey,
	    who + ' public key from its secret key');
}
const serverPk = dec(V.server.publicKey), serverSk = dec(V.server.secretKey);
const alicePk = dec(V.alice.publicKey), aliceSk = dec(V.alice.secretKey);
const bobPk = dec(V.bob.publicKey), bobSk = dec(V.bob.secretKey);

// --- registration (alice is the client)
{
	const R = V.registration;
	const challenge = dec(R.challenge);
	ok(hex(sws.bindingOf('ws://' + R.binding + '/')) ===
	    hex(sws.utf8(R.binding)), 'binding of ws://' + R.binding + '/');
	ok(hex(sws.bindingOf('wss://User@RELAY.Example.ORG:8080/x?y#z')) ===
	    hex(sws.utf8(R.binding)),
	    'binding is lower case, without userinfo, path or query');
	ok(sws.bindingOf('ws://[::1]:9/').length === 7 &&
	    new TextDecoder().decode(sws.bindingOf('ws://[::1]:9/')) ===
	    '[::1]:9', 'binding keeps IPv6 brackets');
	const box = sws.registrationBox(challenge, sws.utf8(R.binding),
	    dec(R.nonce), serverPk, aliceSk);
	ok(enc(box) === R.box, 'registration box matches the vector');
	const proof = dec(R.proof);
	ok(enc(proof.subarray(0, 24)) === R.nonce2,
	    'proof starts with nonce2');
	ok(enc(sws.concat(dec(R.nonce2), nacl.box(sws.concat(challenge,
	    alicePk), dec(R.nonce2), alicePk, serverSk))) === R.proof,
	    'proof recomputed from the server key matches the vector');
	ok(sws.checkProof(proof, challenge, alicePk, serverPk, aliceSk),
	    'proof verifies');
	const bad = proof.slice();
	bad[50] ^= 1;
	ok(!sws.checkProof(bad, challenge, alicePk, serverPk, aliceSk),
	    'tampered proof refused');
	const ch2 = challenge.slice();
	ch2[0] ^= 1;
	ok(!sws.checkProof(proof, ch2, alicePk, serverPk, aliceSk),
	    'proof for another challenge refused');
	ok(!sws.checkProof(proof, challenge, alicePk, bobPk, aliceSk),
	    'proof from another server key refused');
	ok(!sws.checkProof(proof.subarray(0, 103), challenge, alicePk,
	    serverPk, aliceSk), 'short proof refused');
}

// --- direct body alice -> bob
{
	const M = V.message;
	const inner = sws.dataInner(M.text);
	ok(enc(inner) === M.inner, 'direct inner (kind 0x00 + text)');
	const body = sws.sealDirect(inner, bobPk, aliceSk, dec(M.nonce));
	ok(enc(body) === M.body, 'direct body matches the vector');
	const opened = sws.openDirect(dec(M.body), alicePk, bobSk);
	ok(opened !== null && enc(opened) === M.inner,
	    'bob opens the direct body');
	ok(sws.openDirect(dec(M.body), bobPk, bobSk) === null,
	    'body does not open under the wrong sender key');
	const t = dec(M.body);
	t[t.length - 1] ^= 0x80;
	ok(sws.openDirect(t, alicePk, bobSk) === null,
	    'tampered direct body does not open');
}

// --- room: sender key and room body
{
	const E = V.e2e;
	const key = dec(E.senderKey);
	const kinner = sws.senderKeyInner(key, E.room);
	ok(enc(kinner) === E.keyInner, 'sender key inner (kind 0x01)');
	ok(enc(sws.sealDirect(kinner, bobPk, aliceSk, dec(E.keyNonce))) ===
	    E.keyBody, 'sender key body matches the vector');
	const rinner = sws.dataInner(E.text);
	ok(enc(rinner) === E.roomInner, 'room inner');
	ok(enc(sws.sealRoom(rinner, key, dec(E.roomNonce))) === E.roomBody,
	    'room body matches the vector');
	const o = sws.openRoom(dec(E.roomBody), key);
	ok(o !== null && enc(o) === E.roomInner, 'room body opens');
	ok(sws.openRoom(dec(E.roomBody), nacl.randomBytes(32)) === null,
	    'room body does not open under another key');
}

// --- base64url
for (const c of V.base64url) {
	ok(enc(Buffer.from(c.bytes_hex, 'hex')) === c.text,
	    'encode ' + JSON.stringify(c.bytes_hex));
	let d = null;
	try {
		d = dec(c.text);
	} catch (e) {
		diag(e.message);
	}
	ok(d !== null && hex(d) === c.bytes_hex,
	    'decode ' + JSON.stringify(c.text));
}
const invalid = V.base64url_invalid.concat(['AAA=', 'AA==', 'AAAAA',
    'AA\n', ' AA', 'AB/D', 'AB+D', 'Aé', 'AAB', '-x']);
for (const s of invalid) {
	let threw = false;
	try {
		dec(s);
	} catch (e) {
		threw = e.code === 'malformed';
	}
	ok(threw, 'refuse ' + JSON.stringify(s));
}
{
	let good = true;
	for (let n = 0; n < 70 && good; n++) {
		const b = nacl.randomBytes(n);
		const t = enc(b);
		good = t.length === Math.ceil(n * 4 / 3) && /^[\w-]*$/.test(t) &&
		    hex(dec(t)) === hex(b) &&
		    t === Buffer.from(b).toString('base64url');
	}
	ok(good, 'round trip of 0..69 random bytes, same as node base64url');
	ok(enc(serverPk).length === 43, 'a key is 43 characters');
}

// --- low-order keys
for (const lk of V.low_order_public_keys) {
	const pk = dec(lk);
	ok(sws.isLowOrder(pk, serverSk) && sws.isLowOrder(pk, aliceSk),
	    'low-order key detected: ' + lk.slice(0, 8));
	let code = null;
	try {
		sws.sealDirect(sws.dataInner('x'), pk, aliceSk);
	} catch (e) {
		code = e.code;
	}
	ok(code === 'low-order-key', 'no body sealed for low-order key ' +
	    lk.slice(0, 8));
	code = null;
	try {
		sws.registrationBox(nacl.randomBytes(32), sws.utf8('a'),
		    nacl.randomBytes(24), pk, aliceSk);
	} catch (e) {
		code = e.code;
	}
	ok(code === 'low-order-key', 'no registration box for low-order ' +
	    'server key ' + lk.slice(0, 8));
}
ok(!sws.isLowOrder(bobPk, aliceSk), 'ordinary key is not low-order');

// --- room names
ok(sws.validRoomName('lobby') && sws.validRoomName('x'.repeat(128)) &&
    sws.validRoomName('café'), 'valid room names');
ok(!sws.validRoomName('') && !sws.validRoomName('x'.repeat(129)) &&
    !sws.validRoomName('a\nb') && !sws.validRoomName('a\x7fb') &&
    !sws.validRoomName('\ud800'), 'invalid room names refused');

// --- backoff
{
	const lo = sws.backoffDelay(0, 500, 30000, () => 0);
	const hi = sws.backoffDelay(0, 500, 30000, () => 1);
	const cap = sws.backoffDelay(40, 500, 30000, () => 1);
	const d3 = sws.backoffDelay(3, 500, 30000, () => 1);
	ok(lo === 250 && hi === 500 && d3 === 4000 && cap === 30000,
	    'backoff doubles, is capped and jittered in [d/2, d]');
}

// --- codecs
{
	const zeros = new Uint8Array(32);
	const want = '84a474797065a453454e44a2746fc420' + '00'.repeat(32) +
	    'a4626f6479c400a2696407';
	const got = sws.msgpackEncode({ type: 'SEND', to: zeros,
	    body: new Uint8Array(0), id: 7 });
	ok(hex(got) === want, 'msgpack encoding of a SEND');
	const m = sws.msgpackCodec.decode(got.buffer.slice(0));
	ok(m.type === 'SEND' && m.id === 7 && m.to instanceof Uint8Array &&
	    m.to.length === 32 && m.body.length === 0,
	    'msgpack decoding of a SEND');
	const big = sws.msgpackEncode({ type: 'X', n: 2 ** 40, s: 'é'.repeat(40),
	    b: new Uint8Array(300), a: [1, 2, 3], t: true, z: null });
	const d = sws.msgpackDecode(big);
	ok(d.n === 2 ** 40 && d.s === 'é'.repeat(40) && d.b.length === 300 &&
	    d.a.join() === '1,2,3' && d.t === true && d.z === null,
	    'msgpack round trip of larger values');
	const bad = {
		'str in a byte field': '82a474797065a44d455353a4626f6479a141',
		'array size beyond the bytes': '81a474797065dd7fffffff',
		'map size beyond the bytes': 'df7fffffff',
		'nesting deeper than 8': '81a161' + '91'.repeat(9) + '00',
		'trailing bytes': '81a474797065a14100',
		'unused type 0xc1': '81a474797065c1',
		'uint64 above 2^53': '82a474797065a141a16ecf0020000000000001',
		'not a map': '93010203',
		'non-str key': '8101a141',
	};
	for (const [what, h] of Object.entries(bad)) {
		let code = null;
		try {
			sws.msgpackCodec.decode(new Uint8Array(Buffer.from(h,
			    'hex')));
		} catch (e) {
			code = e.code;
		}
		ok(code === 'malformed', 'msgpack refuses ' + what);
	}
	ok(hex(sws.msgpackEncode({ type: 'ACK', id: 7 })) ===
	    '82a474797065a341434ba2696407', 'msgpack: the ACK of ' +
	    'docs/PROTOCOL.md section 6, byte for byte');
	ok(hex(sws.msgpackEncode({ type: 'JOIN', room: 'r', id: undefined,
	    members: [Uint8Array.of(1)] })) ===
	    '83a474797065a44a4f494ea4726f6f6da172a76d656d6265727391c40101',
	    'msgpack: undefined left out, bytes as bin 8, arrays as fixarray');
	{
		const d = sws.msgpackDecode(Buffer.from('83a474797065a141' +
		    'a165d6ff00000001a166c70205aabb', 'hex'));
		ok(d.type === 'A' && d.e === null && d.f === null,
		    'msgpack: ext values (a timestamp too) read as null');
		const dup = sws.msgpackDecode(Buffer.from(
		    '82a474797065a141a474797065a142', 'hex'));
		ok(dup.type === 'B', 'msgpack: of a duplicate key the last ' +
		    'value is kept (as JSON.parse does)');
		const n = sws.msgpackDecode(Buffer.from(
		    '83a16ecf0000000000000005a16dd3fffffffffffffffba166cb' +
		    '3ff8000000000000', 'hex'));
		ok(n.n === 5 && n.m === -5 && n.f === 1.5, 'msgpack: 64-bit ' +
		    'integer forms within 2^53 read as numbers, floats read');
	}
	let code = null;
	try {
		sws.msgpackCodec.decode('{"type":"ACK"}');
	} catch (e) {
		code = e.code;
	}
	ok(code === 'malformed', 'msgpack refuses a text message');
	const j = sws.jsonCodec.encode({ type: 'SEND', to: zeros,
	    body: Uint8Array.of(0xfb), id: 1 });
	ok(j === '{"type":"SEND","to":"' + 'A'.repeat(43) +
	    '","body":"-w","id":1}', 'JSON encoding of a SEND');
	const jd = sws.jsonCodec.decode('{"type":"JOINED","room":"r",' +
	    '"members":["' + 'A'.repeat(43) + '"],"id":3}');
	ok(jd.members[0].length === 32 && jd.id === 3,
	    'JSON decoding of JOINED');
	for (const [what, t] of Object.entries({
		'bad base64url in a byte field': '{"type":"MESSAGE","body":"a="}',
		'a number in a byte field': '{"type":"MESSAGE","body":5}',
		'members not an array': '{"type":"JOINED","members":"x"}',
		'no type': '{"id":1}',
		'invalid JSON': '{"type":',
		'a binary message': new Uint8Array(4),
	})) {
		code = null;
		try {
			sws.jsonCodec.decode(t);
		} catch (e) {
			code = e.code;
		}
		ok(code === 'malformed', 'JSON codec refuses ' + what);
	}
}

// --- client-level: a fake relay plays the registration with the vector
// server key.

class FakeWS {
	constructor(url, protocols) {
		this.url = url;
		this.protocols = protocols;
		this.protocol = '';
		this.sent = [];
		this.closed = false;
		FakeWS.last = this;
		setTimeout(() => {
			this.protocol = protocols[0];
			this.onopen && this.onopen({});
			FakeWS.script(this);
		}, 1);
	}
	send(s) {
		this.sent.push(JSON.parse(s));
		if (this.onsend)
			this.onsend(this.sent[this.sent.length - 1]);
	}
	deliver(obj) {
		this.onmessage && this.onmessage({ data: JSON.stringify(obj) });
	}
	close(code) {
		if (this.closed)
			return;
		this.closed = true;
		setTimeout(() => this.onclose && this.onclose({ code: code ||
		    1005 }), 1);
	}
}

function relayScript(serverPkUse, opts = {}) {
	return (ws) => {
		const challenge = nacl.randomBytes(32);
		ws.onsend = (m) => {
			if (m.type !== 'CHALLENGE_RESPONSE') {
				if (opts.answer !== undefined)
					opts.answer(ws, m);
				return;
			}
			ws.response = m;
			const cpk = dec(m.publicKey);
			const opened = nacl.box.open(dec(m.box), dec(m.nonce),
			    cpk, serverSk);
			ws.opened = opened;
			const n2 = nacl.randomBytes(24);
			let proof = sws.concat(n2, nacl.box(sws.concat(
			    challenge, cpk), n2, cpk, serverSk));
			if (opts.badProof)
				proof[30] ^= 1;
			ws.deliver({ type: 'REGISTER_SUCCESS',
			    publicKey: m.publicKey, proof: enc(proof),
			    limits: { maxMessage: 65536, maxBody: 48768,
			    rate: 50, burst: 100, rooms: 16 } });
		};
		ws.challenge = challenge;
		ws.deliver({ type: 'CHALLENGE', version: 1,
		    server: enc(serverPkUse), challenge: enc(challenge) });
	};
}

function client(extra = {}) {
	return new sws.SwsClient(Object.assign({
		url: 'ws://Relay.Example.org:8080/',
		WebSocket: FakeWS, keyStore: new sws.MemoryKeyStore(),
		reconnect: false, handshakeTimeout: 2000,
	}, extra));
}

await check('client registers with a fake relay, binding and box right',
    async () => {
	FakeWS.script = relayScript(serverPk);
	const c = client({ serverKey: V.server.publicKey });
	const r = await c.connect();
	const ws = FakeWS.last;
	const want = sws.concat(ws.challenge, sws.utf8('relay.example.org:8080'));
	return r.server === V.server.publicKey && c.connected &&
	    ws.opened !== null && hex(ws.opened) === hex(want) &&
	    ws.response.publicKey === c.publicKey &&
	    dec(ws.response.nonce).length === 24 &&
	    ws.protocols.length === 1 && ws.protocols[0] === 'sws.v1.json' &&
	    r.limits.maxBody === 48768;
});

{
	FakeWS.script = relayScript(serverPk, { badProof: true });
	const c = client();
	let code = null;
	try {
		await c.connect();
	} catch (e) {
		code = e.code;
	}
	ok(code === 'bad-proof' && !c.connected && FakeWS.last.closed,
	    'bad proof refused and connection closed');
}

{
	FakeWS.script = relayScript(serverPk);
	const c = client({ serverKey: V.bob.publicKey });
	let code = null;
	try {
		await c.connect();
	} catch (e) {
		code = e.code;
	}
	ok(code === 'server-key-mismatch' && FakeWS.last.sent.length === 0,
	    'pinned key mismatch refused before any response is sent');
}

for (const lk of V.low_order_public_keys) {
	FakeWS.script = relayScript(dec(lk));
	const c = client();
	let code = null;
	try {
		await c.connect();
	} catch (e) {
		code = e.code;
	}
	ok(code === 'low-order-key' && FakeWS.last.sent.length === 0,
	    'low-order server key refused: ' + lk.slice(0, 8));
}

await check('low-order peer: no SEND, and its MESSAGE dropped', async () => {
	FakeWS.script = relayScript(serverPk);
	const c = client();
	await c.connect();
	const ws = FakeWS.last;
	const errors = [];
	const msgs = [];
	c.on('error', (e) => errors.push(e.code));
	c.on('message', (m) => msgs.push(m));
	let code = null;
	try {
		await c.send(V.low_order_public_keys[0], 'hi');
	} catch (e) {
		code = e.code;
	}
	const nsent = ws.sent.length;
	// A body that a low-order sender "sealed": with an all-zero
	// X25519 output every party computes the same box key.
	const zeroK = nacl.box.before(dec(V.low_order_public_keys[0]),
	    aliceSk);
	const n = nacl.randomBytes(24);
	ws.deliver({ type: 'MESSAGE', from: V.low_order_public_keys[0],
	    body: enc(sws.concat(n, nacl.box.after(sws.dataInner('evil'), n,
	    zeroK))) });
	await sleep(5);
	return code === 'low-order-key' && nsent === 1 && msgs.length === 0 &&
	    errors.includes('low-order-key');
});

await check('direct message opens; a bad body is an error, never shown',
    async () => {
	FakeWS.script = relayScript(serverPk);
	const c = client({ keyPair: nacl.box.keyPair.fromSecretKey(bobSk) });
	await c.connect();
	const ws = FakeWS.last;
	const errors = [], msgs = [];
	c.on('error', (e) => errors.push(e.code));
	c.on('message', (m) => msgs.push(m));
	ws.deliver({ type: 'MESSAGE', from: V.alice.publicKey,
	    body: V.message.body });
	const bad = dec(V.message.body);
	bad[30] ^= 4;
	ws.deliver({ type: 'MESSAGE', from: V.alice.publicKey,
	    body: enc(bad) });
	ws.deliver({ type: 'MESSAGE', from: V.alice.publicKey, body: '' });
	return msgs.length === 1 && msgs[0].text === 'hello bob' &&
	    msgs[0].from === V.alice.publicKey &&
	    errors.filter((x) => x === 'undecryptable').length === 2;
});

await check('room: key via 0x01, held body shown after its key arrives, ' +
    'keyless body dropped', async () => {
	FakeWS.script = relayScript(serverPk);
	const c = client({ keyPair: nacl.box.keyPair.fromSecretKey(bobSk),
	    holdMs: 200 });
	await c.connect();
	const ws = FakeWS.last;
	const errors = [], rooms = [];
	c.on('error', (e) => errors.push(e.code));
	c.on('room', (m) => rooms.push(m));
	ws.onsend = (m) => {
		if (m.type === 'JOIN')
			ws.deliver({ type: 'JOINED', room: m.room,
			    members: [V.bob.publicKey], id: m.id });
	};
	const members = await c.join('lobby');
	const E = V.e2e;
	// the room body arrives before the sender key: held
	ws.deliver({ type: 'MESSAGE', from: V.alice.publicKey, room: 'lobby',
	    body: E.roomBody });
	await sleep(20);
	const before = rooms.length;
	ws.deliver({ type: 'MESSAGE', from: V.alice.publicKey,
	    body: E.keyBody });
	await sleep(5);
	const after = rooms.length;
	// a body from a key that never sends its sender key
	ws.deliver({ type: 'MESSAGE', from: V.server.publicKey,
	    room: 'lobby', body: E.roomBody });
	await sleep(300);
	return members.length === 1 && before === 0 && after === 1 &&
	    rooms[0].text === 'hello room' &&
	    rooms[0].from === V.alice.publicKey && rooms.length === 1 &&
	    errors.includes('no-sender-key');
});

await check('JOINED sends a fresh sender key to every other member; ' +
    'PRESENCE joined gives it to the newcomer; PRESENCE left rotates',
    async () => {
	FakeWS.script = relayScript(serverPk);
	const c = client({ keyPair: nacl.box.keyPair.fromSecretKey(aliceSk) });
	await c.connect();
	const ws = FakeWS.last;
	const carol = nacl.box.keyPair();
	ws.onsend = (m) => {
		if (m.type === 'JOIN')
			ws.deliver({ type: 'JOINED', room: m.room,
			    members: [V.alice.publicKey, V.bob.publicKey],
			    id: m.id });
		else if (m.type === 'SEND' || m.type === 'PUBLISH')
			ws.deliver({ type: 'ACK', id: m.id });
	};
	const keyOf = (m, sk) => {
		const inner = sws.openDirect(dec(m.body), alicePk, sk);
		return inner !== null && inner[0] === 1 &&
		    new TextDecoder().decode(inner.subarray(33)) === 'lobby' ?
		    enc(inner.subarray(1, 33)) : null;
	};
	await c.join('lobby');
	const s1 = ws.sent.filter((m) => m.type === 'SEND');
	const k1 = s1.length === 1 && s1[0].to === V.bob.publicKey ?
	    keyOf(s1[0], bobSk) : null;
	await c.publish('lobby', 'one');
	const p1 = ws.sent.filter((m) => m.type === 'PUBLISH')[0];
	const o1 = sws.openRoom(dec(p1.body), dec(k1));
	ws.deliver({ type: 'PRESENCE', room: 'lobby',
	    publicKey: enc(carol.publicKey), state: 'joined' });
	const s2 = ws.sent.filter((m) => m.type === 'SEND').slice(1);
	const k2 = s2.length === 1 && s2[0].to === enc(carol.publicKey) ?
	    keyOf(s2[0], carol.secretKey) : null;
	ws.deliver({ type: 'PRESENCE', room: 'lobby',
	    publicKey: enc(carol.publicKey), state: 'left' });
	const s3 = ws.sent.filter((m) => m.type === 'SEND').slice(2);
	const k3 = s3.length === 1 && s3[0].to === V.bob.publicKey ?
	    keyOf(s3[0], bobSk) : null;
	await c.publish('lobby', 'two');
	const p2 = ws.sent.filter((m) => m.type === 'PUBLISH')[1];
	return k1 !== null && o1 !== null &&
	    new TextDecoder().decode(o1) === '\0one' && k2 === k1 &&
	    k3 !== null && k3 !== k1 &&
	    sws.openRoom(dec(p2.body), dec(k1)) === null &&
	    sws.openRoom(dec(p2.body), dec(k3)) !== null;
});

await check('ERROR with id rejects the request with its code', async () => {
	FakeWS.script = relayScript(serverPk);
	const c = client();
	await c.connect();
	const ws = FakeWS.last;
	ws.onsend = (m) => ws.deliver({ type: 'ERROR', id: m.id,
	    code: 'offline', message: 'nobody' });
	let code = null;
	try {
		await c.send(V.bob.publicKey, 'x');
	} catch (e) {
		code = e.code;
	}
	return code === 'offline' && c.pending.size === 0;
});

await check('a drop reconnects and re-joins; close 4001 (replaced) does ' +
    'not reconnect', async () => {
	FakeWS.script = relayScript(serverPk);
	const c = client({ reconnect: true, backoffBase: 20, backoffCap: 40 });
	const states = [];
	c.on('state', (s) => states.push(s.state));
	await c.connect();
	const ws1 = FakeWS.last;
	ws1.onsend = (m) => {
		if (m.type === 'JOIN')
			ws1.deliver({ type: 'JOINED', room: m.room,
			    members: [c.publicKey], id: m.id });
	};
	await c.join('lobby');
	// the connection drops (no close frame: 1006)
	ws1.close(1006);
	for (let i = 0; i < 50 && (FakeWS.last === ws1 || !c.connected); i++)
		await sleep(10);
	const ws2 = FakeWS.last;
	await sleep(5);
	const rejoined = ws2 !== ws1 && c.connected &&
	    ws2.sent.some((m) => m.type === 'JOIN' && m.room === 'lobby');
	ws2.close(4001);
	await sleep(150);
	return rejoined && FakeWS.last === ws2 && !c.connected &&
	    states.includes('reconnecting') &&
	    states[states.length - 1] === 'closed';
});

await check('a failed first connection is not retried', async () => {
	FakeWS.script = (ws) => ws.close(1006);
	const c = client({ reconnect: true, backoffBase: 10 });
	const states = [];
	c.on('state', (s) => states.push(s.state));
	let code = null;
	try {
		await c.connect();
	} catch (e) {
		code = e.code;
	}
	const last = FakeWS.last;
	await sleep(100);
	return code === 'connect' && FakeWS.last === last &&
	    !states.includes('reconnecting');
});

await check('key pair kept in a key store; no key store, no option',
    async () => {
	const st = new sws.MemoryKeyStore();
	const a = new sws.SwsClient({ url: 'ws://h/', keyStore: st });
	const b = new sws.SwsClient({ url: 'ws://h/', keyStore: st });
	const c = new sws.SwsClient({ url: 'ws://h/',
	    keyStore: new sws.MemoryKeyStore() });
	const pa = await a.loadKey(), pb = await b.loadKey();
	const pc = await c.loadKey();
	let unknown = null;
	try {
		new sws.SwsClient({ url: 'ws://h/', storage: st });
	} catch (e) {
		unknown = e.message;
	}
	let badUrl = null;
	try {
		new sws.SwsClient({ url: 'http://h/', keyStore: st });
	} catch (e) {
		badUrl = e.message;
	}
	return pa === pb && pa !== pc && a.publicKey === pa &&
	    dec(pa).length === 32 &&
	    unknown === 'SwsClient: unknown option storage' &&
	    /ws:\/\/ or wss:\/\//.test(badUrl);
});

ok(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/.test(sws.fingerprint(V.alice.publicKey)) &&
    sws.fingerprint(V.alice.publicKey) === Buffer.from(nacl.hash(
    dec(V.alice.publicKey))).toString('hex', 0, 8).replace(/(.{4})(?!$)/g,
    '$1 '), 'fingerprint: the first 8 bytes of SHA-512, in four groups');

await check('while reconnecting, sends wait in the queue and go out in ' +
    'order after the re-join; beyond queueMax they fail', async () => {
	const answer = (ws, m) => {
		if (m.type === 'JOIN')
			setTimeout(() => ws.deliver({ type: 'JOINED',
			    room: m.room, members: [c.publicKey], id: m.id }), 20);
		else if (m.type === 'SEND' || m.type === 'PUBLISH')
			ws.deliver({ type: 'ACK', id: m.id });
	};
	FakeWS.script = relayScript(serverPk, { answer });
	const c = client({ reconnect: true, backoffBase: 200, backoffCap: 200,
	    queueMax: 3 });
	await c.connect();
	await c.join('q-room');
	const ws1 = FakeWS.last;
	ws1.close(1006);
	await until(() => c.state === 'reconnecting', 1000, 'reconnecting');
	const p1 = c.send(V.bob.publicKey, 'one');
	const p2 = c.publish('q-room', 'two');
	const p3 = c.send(V.bob.publicKey, 'three');
	let full = null;
	try {
		await c.send(V.bob.publicKey, 'four');
	} catch (e) {
		full = e.code;
	}
	await Promise.all([p1, p2, p3]);
	const ws2 = FakeWS.last;
	const kinds = ws2.sent.map((m) => m.type).filter((t) =>
	    t !== 'CHALLENGE_RESPONSE');
	c.close();
	let closed = null;
	try {
		await c.send(V.bob.publicKey, 'five');
	} catch (e) {
		closed = e.code;
	}
	return full === 'queue-full' && ws2 !== ws1 &&
	    kinds.join() === 'JOIN,SEND,PUBLISH,SEND' &&
	    closed === 'disconnected';
});

await check('close() fails what waits in the queue', async () => {
	FakeWS.script = (ws) => {};	// never answers: stays connecting
	const c = client({ handshakeTimeout: 5000 });
	const conn = c.connect().catch((e) => e.code);
	await sleep(10);
	const p = c.send(V.bob.publicKey, 'never').catch((e) => e.code);
	c.close();
	return await p === 'disconnected' && await conn !== undefined;
});

done();

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

// The C client (client/sws) and the JavaScript client (js/sws.js under
// node) talk to each other through one real relay: direct messages both
// ways in JSON and in msgpack (sws -m, SwsClient encoding 'msgpack'),
// the exact output line of `sws listen` (`SENDER-KEY TEXT`), and a room
// with one C member (`sws room`) and two JS members exchanging room
// messages both ways with sws-e2e/1 sender keys (SPEC 7), including the
// new sender keys after a member leaves.
//
// Without SWS_URL the file runs itself under regress/lib/swstest.py run,
// which starts relayd on a free loopback port (exit 77 when it is not
// built).
//
// Connections: every client connects only once the one before it has
// registered, so the output of each step is in a known order.
// (Upgrades completing out of accept order are covered by
// regress/relayd/t_rules_node_upgrade.mjs, part "order".)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import os from 'node:os';
import path from 'node:path';
import { ok, diag, sleep, TOP, loadSws } from '../js/tap.mjs';

const SELF = fileURLToPath(import.meta.url);
const PY = '/usr/bin/python3';
const HARNESS = path.join(TOP, 'regress', 'lib', 'swstest.py');
const SWS = path.join(TOP, 'client', 'sws');

// ---------------------------------------------------------------------
// Without a relay: start one with the harness and run this file under it.

if (!process.env.SWS_URL) {
	for (const f of ['relayd/relayd', 'cryptod/cryptod'])
		if (!existsSync(path.join(TOP, f)))
			process.exit(77);
	if (!existsSync(HARNESS) || !existsSync(PY))
		process.exit(77);
	if (!existsSync(SWS)) {
		console.log('not ok - client/sws is built (make client/sws)');
		process.exit(1);
	}
	const child = spawn(PY, [HARNESS, 'run', '--', process.execPath, SELF],
	    { cwd: TOP, stdio: ['ignore', 'inherit', 'inherit'] });
	const limit = setTimeout(() => {
		console.log('not ok - t_interop exceeded its 100 s bound');
		// SIGINT lets the harness kill its command and stop relayd.
		child.kill('SIGINT');
		setTimeout(() => process.exit(1), 4000).unref();
	}, 100000);
	const code = await new Promise((resolve) => {
		child.on('exit', (c) => resolve(c === null ? 128 : c));
		child.on('error', () => resolve(127));
	});
	clearTimeout(limit);
	process.exit(code);
}

// ---------------------------------------------------------------------
// Under the relay.

const URL0 = process.env.SWS_URL;
const SERVER = process.env.SWS_SERVER_KEY;
const tmp = mkdtempSync(path.join(os.tmpdir(), 't_interop.'));
const procs = new Set();
const jsClients = [];
let failures = 0;

function check(cond, what, detail) {
	if (!cond) {
		failures++;
		if (detail !== undefined)
			for (const l of String(detail).split('\n').slice(-20))
				diag('  ' + l);
	}
	return ok(cond, what);
}

function cleanup() {
	for (const p of procs)
		p.kill('SIGKILL');
	for (const c of jsClients)
		c.close();
	rmSync(tmp, { recursive: true, force: true });
}

function finish() {
	cleanup();
	process.exit(failures === 0 ? 0 : 1);
}

setTimeout(() => {
	console.log('not ok - t_interop exceeded its 80 s bound');
	cleanup();
	process.exit(1);
}, 80000).unref();

async function section(name, fn) {
	try {
		await fn();
	} catch (e) {
		check(false, name + ' (exception)', e && e.stack || String(e));
	}
}

// Polls cond() until true or ms pass.
async function until(cond, ms = 5000) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (cond())
			return true;
		await sleep(20);
	}
	return cond();
}

// ---------------------------------------------------------------------
// The C client.

function keygen(name) {
	const file = path.join(tmp, name);
	const r = spawnSync(SWS, ['-k', file, 'keygen'], { encoding: 'utf8',
	    timeout: 5000 });
	const key = (r.stdout || '').trim();
	if (r.status !== 0 || !/^[A-Za-z0-9_-]{43}$/.test(key))
		throw new Error('sws keygen: ' + r.status + ' ' + r.stderr);
	return { file, key };
}

// A running sws: its stdout and stderr lines, its exit status.
function swsStart(args, opts = {}) {
	const p = spawn(SWS, ['-u', URL0, '-s', SERVER].concat(args),
	    { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
	procs.add(p);
	const r = { proc: p, out: [], err: [], status: undefined };
	createInterface({ input: p.stdout }).on('line', (l) => r.out.push(l));
	createInterface({ input: p.stderr }).on('line', (l) => r.err.push(l));
	r.exited = new Promise((resolve) => {
		p.on('close', (code, sig) => {
			procs.delete(p);
			r.status = code === null ? 'signal ' + sig : code;
			resolve(r.status);
		});
	});
	return r;
}

// Runs sws to its end (at most ms); resolves with the record.
async function swsRun(args, ms = 8000) {
	const r = swsStart(args);
	const t = setTimeout(() => r.proc.kill('SIGKILL'), ms);
	await r.exited;
	clearTimeout(t);
	return r;
}

function show(r) {
	return 'status ' + r.status + '\nstdout:\n' + r.out.join('\n') +
	    '\nstderr:\n' + r.err.join('\n');
}

async function hasLine(r, stream, line, ms = 5000) {
	return until(() => r[stream].includes(line), ms);
}

async function exitWithin(r, ms = 5000) {
	const t = setTimeout(() => r.proc.kill('SIGKILL'), ms);
	await r.exited;
	clearTimeout(t);
	return r.status;
}

// ---------------------------------------------------------------------
// The JavaScript client.

const sws = await loadSws();
const { SwsClient, MemoryKeyStore } = sws;

function jsClient(encoding) {
	const c = new SwsClient({ url: URL0, serverKey: SERVER, encoding,
	    keyStore: new MemoryKeyStore(), reconnect: false,
	    requestTimeout: 5000, handshakeTimeout: 5000, holdMs: 3000 });
	c.log = { message: [], room: [], error: [], senderkey: [],
	    presence: [] };
	for (const ev of Object.keys(c.log))
		c.on(ev, (x) => c.log[ev].push(x));
	jsClients.push(c);
	return c;
}

function textOf(data) {
	return Buffer.from(data).toString('utf8');
}

// The C output line's escaping of text (sws(1), Output).
function escaped(text) {
	return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
	    .replace(/\t/g, '\\t').replace(/\r/g, '\\r');
}

// =====================================================================

const ck = keygen('c_json');	// C, JSON
const cm = keygen('c_msgpack');	// C, msgpack
const j1 = jsClient('json');
const j2 = jsClient('msgpack');
diag('relay ' + URL0 + '; C keys ' + ck.key + ' ' + cm.key);

await section('registration', async () => {
	// One after the other: see "Connections" in the header.
	await j1.connect();
	await j2.connect();
	check(j1.connected && j2.connected && j1.codec.subprotocol ===
	    'sws.v1.json' && j2.codec.subprotocol === 'sws.v1.msgpack',
	    'two JS clients registered, one JSON and one msgpack');
});
if (!j1.connected || !j2.connected)
	finish();

let lj, lm;
await section('C listeners', async () => {
	lj = swsStart(['-v', '-k', ck.file, 'listen']);
	check(await hasLine(lj, 'err', 'sws: registered as ' + ck.key +
	    ' with relay ' + SERVER), 'C listener (JSON) registered', show(lj));
	lm = swsStart(['-m', '-v', '-k', cm.file, 'listen']);
	check(await hasLine(lm, 'err', 'sws: registered as ' + cm.key +
	    ' with relay ' + SERVER), 'C listener (msgpack, -m) registered',
	    show(lm));
});

// JS -> C: `sws listen` prints "SENDER-KEY TEXT".
async function jsToC(js, jsName, l, lName, text) {
	const target = l === lj ? ck.key : cm.key;
	await js.send(target, text);
	const line = js.publicKey + ' ' + escaped(text);
	check(await hasLine(l, 'out', line), 'JS ' + jsName + ' -> C ' +
	    lName + ': sws listen prints "SENDER-KEY ' + escaped(text) +
	    '" with the JS key', show(l));
}

await section('JS to C', async () => {
	await jsToC(j1, 'JSON', lj, 'JSON', 'hello C, from JS over JSON');
	await jsToC(j2, 'msgpack', lm, 'msgpack', 'hello C, from JS over ' +
	    'msgpack');
	await jsToC(j1, 'JSON', lm, 'msgpack', 'JSON to msgpack: caf\u00e9 ' +
	    '\u2713');
	await jsToC(j2, 'msgpack', lj, 'JSON', 'tab\there, back\\slash');
	check(lj.out.length === 2 && lm.out.length === 2,
	    'each C listener printed exactly the two lines sent to it',
	    show(lj) + '\n' + show(lm));
});

// C -> JS: `sws send KEY TEXT`, decrypted by SwsClient to the exact text.
async function cToJs(c, cName, extra, js, jsName, text) {
	const before = js.log.message.length;
	const r = await swsRun(extra.concat(['-k', c.file, 'send',
	    js.publicKey]).concat(text.split(' ')));
	check(r.status === 0 && r.err.length === 0, 'C ' + cName + ' send ' +
	    '-> JS ' + jsName + ': sws exits 0 once accepted', show(r));
	await until(() => js.log.message.length > before);
	const m = js.log.message[before];
	check(m !== undefined && m.from === c.key && m.text === text &&
	    textOf(m.data) === text && js.log.message.length === before + 1,
	    'C ' + cName + ' -> JS ' + jsName + ': decrypted to the exact ' +
	    'text, from the C key', JSON.stringify(m && { from: m.from,
	    text: m.text }) + ' errors ' + JSON.stringify(js.log.error));
}

await section('C to JS', async () => {
	await cToJs(ck, 'JSON', [], j1, 'JSON', 'hello JS from C over JSON');
	await cToJs(cm, 'msgpack', ['-m'], j2, 'msgpack', 'hello JS from C ' +
	    'over msgpack');
	await cToJs(cm, 'msgpack', ['-m'], j1, 'JSON', 'C msgpack to JS ' +
	    'JSON: na\u00efve \u00fcber');
	await cToJs(ck, 'JSON', [], j2, 'msgpack', 'C JSON to JS msgpack');
	check(j1.log.error.length === 0 && j2.log.error.length === 0,
	    'no JS client reported an error', JSON.stringify(
	    j1.log.error.concat(j2.log.error).map((e) => e.message)));
});

await section('C listeners stop', async () => {
	for (const [l, name] of [[lj, 'JSON'], [lm, 'msgpack']]) {
		l.proc.kill('SIGTERM');
		check(await exitWithin(l) === 0, 'C listener (' + name +
		    ') exits 0 on SIGTERM', show(l));
	}
});

// ---------------------------------------------------------------------
// A room: C (JSON) + JS j1 (JSON) + JS j2 (msgpack).

const ROOM = 'inter op \u00e9';
const LABEL = '#inter\\x20op\\x20\u00e9';

function keysFrom(js, fromKey) {
	return js.log.senderkey.filter((k) => k.room === ROOM &&
	    k.from === fromKey);
}

function roomMsgs(js, fromKey) {
	return js.log.room.filter((m) => m.room === ROOM && m.from === fromKey);
}

function errCount(r, prefix) {
	return r.err.filter((l) => l === prefix).length;
}

await section('room', async () => {
	const cr = swsStart(['-v', '-k', ck.file, 'room', ROOM],
	    { stdin: true });
	check(await hasLine(cr, 'err', 'sws: joined ' + LABEL +
	    ' with 1 members'), 'C joins the room (sws room)', show(cr));

	let members = await j1.join(ROOM);
	check(members.length === 2 && members.includes(ck.key) &&
	    members.includes(j1.publicKey), 'JS (JSON) joins: members are ' +
	    'the C and JS keys', JSON.stringify(members));
	members = await j2.join(ROOM);
	check(members.length === 3 && members.includes(j2.publicKey),
	    'JS (msgpack) joins: three members', JSON.stringify(members));

	const keyLine = (k) => 'sws: room key from ' + k + ' for ' + LABEL;
	check(await hasLine(cr, 'err', keyLine(j1.publicKey)) &&
	    await hasLine(cr, 'err', keyLine(j2.publicKey)),
	    'C holds the sender keys of both JS members', show(cr));
	check(await until(() => keysFrom(j1, ck.key).length === 1 &&
	    keysFrom(j2, ck.key).length === 1 &&
	    keysFrom(j1, j2.publicKey).length >= 1 &&
	    keysFrom(j2, j1.publicKey).length >= 1),
	    'each JS member holds the C sender key (sent on PRESENCE ' +
	    'joined and on JOINED) and the other JS key',
	    JSON.stringify([j1.log.senderkey, j2.log.senderkey]));

	// JS -> C and JS
	await j1.publish(ROOM, 'from JS json to the room');
	check(await hasLine(cr, 'out', LABEL + ' ' + j1.publicKey +
	    ' from JS json to the room'), 'JS (JSON) publishes: C prints ' +
	    '"#ROOM SENDER-KEY TEXT"', show(cr));
	await j2.publish(ROOM, 'from JS msgpack\tto the room');
	check(await hasLine(cr, 'out', LABEL + ' ' + j2.publicKey +
	    ' from JS msgpack\\tto the room'), 'JS (msgpack) publishes: C ' +
	    'prints it', show(cr));
	check(await until(() => roomMsgs(j1, j2.publicKey).length === 1 &&
	    roomMsgs(j2, j1.publicKey).length === 1) &&
	    roomMsgs(j1, j2.publicKey)[0].text ===
	    'from JS msgpack\tto the room', 'the JS members read each other');

	// C -> JS
	cr.proc.stdin.write('from C to the room\n');
	check(await until(() => roomMsgs(j1, ck.key).length === 1 &&
	    roomMsgs(j2, ck.key).length === 1) &&
	    roomMsgs(j1, ck.key)[0].text === 'from C to the room' &&
	    roomMsgs(j2, ck.key)[0].text === 'from C to the room',
	    'C publishes a line: both JS members decrypt the exact text',
	    JSON.stringify([j1.log.room, j2.log.room, j1.log.error,
	    j2.log.error].map((a) => a.map((m) => m.text || m.message))));
	check(cr.out.length === 2, 'C printed only the two JS messages ' +
	    '(not its own)', show(cr));

	// j2 leaves: C and j1 make new sender keys for the remaining member.
	const c1 = keysFrom(j1, ck.key).length;
	const j1keysAtC = errCount(cr, keyLine(j1.publicKey));
	await j2.leave(ROOM);
	check(await hasLine(cr, 'err', 'sws: ' + j2.publicKey + ' left ' +
	    LABEL), 'C sees the msgpack member leave', show(cr));
	check(await until(() => keysFrom(j1, ck.key).length === c1 + 1) &&
	    Buffer.compare(Buffer.from(keysFrom(j1, ck.key)[c1].key),
	    Buffer.from(keysFrom(j1, ck.key)[0].key)) !== 0,
	    'C sends a new sender key to the remaining JS member after a ' +
	    'departure', JSON.stringify(keysFrom(j1, ck.key).length));
	check(await until(() => errCount(cr, keyLine(j1.publicKey)) ===
	    j1keysAtC + 1), 'the JS member sends C a new sender key after ' +
	    'the departure', show(cr));
	cr.proc.stdin.write('after the departure\n');
	check(await until(() => roomMsgs(j1, ck.key).length === 2) &&
	    roomMsgs(j1, ck.key)[1].text === 'after the departure',
	    'JS reads C\'s message under the new sender key');
	await j1.publish(ROOM, 'JS after the departure');
	check(await hasLine(cr, 'out', LABEL + ' ' + j1.publicKey +
	    ' JS after the departure'), 'C reads JS\'s message under ' +
	    'its new sender key', show(cr));
	check(roomMsgs(j2, ck.key).length === 1, 'the member who left ' +
	    'got nothing more');

	cr.proc.stdin.end();
	check(await exitWithin(cr) === 0, 'sws room exits 0 at the end of ' +
	    'its input', show(cr));
	check(!cr.err.some((l) => /dropped|failed|error/.test(l)),
	    'C reported no dropped message or error', show(cr));
	check(j1.log.error.length === 0 && j2.log.error.length === 0,
	    'no JS client reported an error', JSON.stringify(
	    j1.log.error.concat(j2.log.error).map((e) => e.message)));
});

finish();

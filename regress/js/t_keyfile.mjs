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

// Key files shared by the C client and the JavaScript one: a key made by
// `sws keygen` (the real client/sws) is the identity of a FileKeyStore,
// and one that FileKeyStore made is the identity of `sws` (pubkey, and a
// send through the real relay that the JS side reads).  Every refusal of
// the C client is one of FileKeyStore too, in the same words: group or
// other permission bits, a symbolic link, a file that is not one key line,
// a missing key.
//
// Exit 77 when client/sws is not built; runs itself under the relay
// harness when SWS_URL is unset.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ok, check, done, diag, globalTimeout, until, underRelay, loadSws,
    TOP } from './tap.mjs';

const SWS = path.join(TOP, 'client', 'sws');
if (!fs.existsSync(SWS))
	process.exit(77);
globalTimeout(30000);
await underRelay(import.meta.url);
const { SwsClient, FileKeyStore, MemoryKeyStore, loadKeyPair,
    defaultKeyPath } = await loadSws();

const URL0 = process.env.SWS_URL;
const SERVER = process.env.SWS_SERVER_KEY;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sws-keyfile.'));

function sws(args, env = {}) {
	const r = spawnSync(SWS, ['-u', URL0, '-s', SERVER].concat(args), {
	    encoding: 'utf8', timeout: 10000,
	    env: Object.assign({}, process.env, env) });
	return { status: r.status, out: (r.stdout || '').trim(),
	    err: (r.stderr || '').trim() };
}

async function jsRefusal(file, options) {
	try {
		await loadKeyPair(new FileKeyStore(file, options));
		return null;
	} catch (e) {
		return e;
	}
}

const listener = new SwsClient({ url: URL0, serverKey: SERVER,
    keyStore: new MemoryKeyStore(), reconnect: false });
const heard = [];
listener.on('message', (m) => heard.push(m));
await listener.connect();

// --- sws keygen -> JS
const f1 = path.join(tmp, 'c.key');
const kg = sws(['-k', f1, 'keygen']);
ok(kg.status === 0 && /^[A-Za-z0-9_-]{43}$/.test(kg.out),
    'sws keygen makes a key file');

await check('a key made by sws keygen is the FileKeyStore identity, and ' +
    'registers and sends from JS', async () => {
	const c = new SwsClient({ url: URL0, serverKey: SERVER,
	    keyStore: new FileKeyStore(f1), reconnect: false });
	await c.connect();
	await c.send(listener.publicKey, 'from JS, key by sws keygen');
	await until(() => heard.length === 1, 5000, 'the message');
	c.close();
	return c.publicKey === kg.out && heard[0].from === kg.out &&
	    heard[0].text === 'from JS, key by sws keygen';
});

// --- JS -> sws
const f2 = path.join(tmp, 'js.key');
await check('FileKeyStore makes a key file as sws keygen does (mode 0600, ' +
    'one base64url line), and sws reads it: pubkey and a send',
    async () => {
	const kp = await loadKeyPair(new FileKeyStore(f2));
	const st = fs.statSync(f2);
	const text = fs.readFileSync(f2, 'latin1');
	const pub = sws(['-k', f2, 'pubkey']);
	const sent = sws(['-k', f2, 'send', listener.publicKey, 'from', 'C,',
	    'key', 'by', 'JS']);
	await until(() => heard.length === 2, 5000, 'the message');
	const jsKey = Buffer.from(kp.publicKey).toString('base64url');
	return (st.mode & 0o777) === 0o600 && /^[A-Za-z0-9_-]{43}\n$/.test(text) &&
	    pub.status === 0 && pub.out === jsKey && sent.status === 0 &&
	    heard[1].from === jsKey && heard[1].text === 'from C, key by JS';
});

await check('a second FileKeyStore on the file reads the same key; ' +
    'an existing file is never overwritten', async () => {
	const before = fs.readFileSync(f2, 'latin1');
	const again = await loadKeyPair(new FileKeyStore(f2));
	let e = null;
	try {
		await new FileKeyStore(f2).save(new Uint8Array(32));
	} catch (x) {
		e = x;
	}
	const c = sws(['-k', f2, 'keygen']);
	return Buffer.from(again.publicKey).toString('base64url') ===
	    sws(['-k', f2, 'pubkey']).out && e !== null &&
	    e.code === 'key-file' && e.message === f2 +
	    ' exists; not overwriting it' && c.status !== 0 &&
	    c.err === 'sws: ' + e.message &&
	    fs.readFileSync(f2, 'latin1') === before;
});

// --- refusals: the C client's and the JS one's, word for word
async function sameRefusal(what, file, code, mode) {
	if (mode !== undefined)
		fs.chmodSync(file, mode);
	const e = await jsRefusal(file, { create: false });
	const c = sws(['-k', file, 'pubkey']);
	if (e === null || c.status === 0 || c.err !== 'sws: ' + e.message)
		diag(what + ': JS ' + (e && e.code + ' ' + e.message) +
		    ' | C ' + c.status + ' ' + c.err);
	return ok(e !== null && e.code === code && c.status !== 0 &&
	    c.err === 'sws: ' + e.message, what + ': both refuse (' +
	    (e && e.message) + ')');
}

await sameRefusal('mode 0644', f1, 'key-file', 0o644);
await sameRefusal('mode 0640', f1, 'key-file', 0o640);
await sameRefusal('mode 0602', f1, 'key-file', 0o602);
await sameRefusal('mode 0610', f1, 'key-file', 0o610);
fs.chmodSync(f1, 0o600);
if (process.geteuid() === 0) {
	fs.chownSync(f1, 65534, 65534);
	await sameRefusal('owned by another user', f1, 'key-file');
	fs.chownSync(f1, 0, 0);
}
ok((await jsRefusal(f1, { create: false })) === null &&
    sws(['-k', f1, 'pubkey']).status === 0, 'mode 0600 again: both read it');

const bad = path.join(tmp, 'bad.key');
fs.writeFileSync(bad, 'not a key\n', { mode: 0o600 });
await sameRefusal('not one key line', bad, 'key-file');
fs.writeFileSync(bad, kg.out.slice(0, 42) + 'B\n', { mode: 0o600 });
await sameRefusal('a key with non-zero trailing bits', bad, 'key-file');
fs.writeFileSync(bad, Buffer.from(fs.readFileSync(f2, 'latin1') + '\n'),
    { mode: 0o600 });
await sameRefusal('two newlines', bad, 'key-file');
fs.rmSync(bad);
await sameRefusal('missing (no create)', bad, 'no-key');
fs.mkdirSync(bad);
await sameRefusal('a directory', bad, 'key-file');

const link = path.join(tmp, 'link.key');
fs.symlinkSync(f2, link);
{
	const e = await jsRefusal(link, { create: false });
	const c = sws(['-k', link, 'pubkey']);
	ok(e !== null && e.code === 'key-file' && /symbolic link/.test(
	    e.message) && c.status !== 0, 'a symbolic link: both refuse (' +
	    (e && e.message) + ' | ' + c.err + ')');
}

await check('the default path is sws\'s: $XDG_CONFIG_HOME/sws/key, made ' +
    'with its folders when missing', async () => {
	const xdg = path.join(tmp, 'xdg');
	const env = { XDG_CONFIG_HOME: xdg, HOME: '/nonexistent' };
	const p = defaultKeyPath(env);
	const home = defaultKeyPath({ HOME: '/home/someone' });
	process.env.XDG_CONFIG_HOME = xdg;
	const kp = await loadKeyPair(new FileKeyStore());
	const pub = sws(['pubkey'], env);
	return p === path.join(xdg, 'sws', 'key') &&
	    home === '/home/someone/.config/sws/key' &&
	    (fs.statSync(path.join(xdg, 'sws')).mode & 0o777) === 0o700 &&
	    pub.status === 0 &&
	    pub.out === Buffer.from(kp.publicKey).toString('base64url');
});

listener.close();
fs.rmSync(tmp, { recursive: true, force: true });
done();

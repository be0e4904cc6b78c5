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

// The browser demo in headless Chromium (Debian's /usr/bin/chromium driven
// by playwright-core, which downloads nothing): two pages, each with its
// own browser context (own localStorage, so own key pair), talk through the
// real relay, directly and in a room.  Screenshots go to obj/.
//
// Skipped (77) without /usr/bin/chromium; runs itself under the relay
// harness when SWS_URL is unset.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ok, check, done, diag, globalTimeout, track, underRelay, TOP }
    from './tap.mjs';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM))
	process.exit(77);
globalTimeout(120000);
await underRelay(import.meta.url);

let chromium;
try {
	({ chromium } = await import('playwright-core'));
} catch (e) {
	console.log('not ok - cannot load playwright-core (run npm ci at ' +
	    'the top): ' + e.message);
	process.exit(1);
}

const RELAY = process.env.SWS_URL;
const SERVER = process.env.SWS_SERVER_KEY;
const OBJ = path.join(TOP, 'obj');
mkdirSync(OBJ, { recursive: true });

// The demo's static server on a free port.
const server = track(spawn(process.execPath,
    [path.join(TOP, 'js', 'serve.mjs'), '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] }));
const base = await new Promise((resolve, reject) => {
	let out = '';
	server.stdout.on('data', (d) => {
		out += d;
		const m = /serving (http:\/\/127\.0\.0\.1:\d+\/)demo\//.exec(out);
		if (m !== null)
			resolve(m[1]);
	});
	server.on('exit', () => reject(new Error('serve.mjs exited')));
});
diag('demo at ' + base + 'demo/, relay ' + RELAY);

let browser = null;
const pageErrors = [];

async function cleanup() {
	if (browser !== null)
		await browser.close().catch(() => {});
	server.kill('SIGTERM');
}

async function newPage(name) {
	const ctx = await browser.newContext({ viewport: { width: 1000,
	    height: 760 } });
	const page = await ctx.newPage();
	page.setDefaultTimeout(10000);
	page.on('pageerror', (e) => pageErrors.push(name + ': ' + e.message));
	page.on('console', (m) => {
		if (m.type() === 'error')
			pageErrors.push(name + ' console: ' + m.text());
	});
	const q = new URLSearchParams({ relay: RELAY, key: SERVER });
	await page.goto(base + 'demo/?' + q.toString());
	return page;
}

async function logTexts(page) {
	return page.$$eval('#log li .body', (els) =>
	    els.map((e) => e.textContent));
}

async function waitLog(page, text) {
	await page.waitForFunction((t) => Array.from(
	    document.querySelectorAll('#log li .body')).some((e) =>
	    e.textContent === t), text);
}

async function openConv(page, id) {
	const sel = '#convs button[data-conv="' + id + '"]';
	await page.waitForSelector(sel);
	await page.click(sel);
}

async function say(page, text) {
	await page.fill('#text', text);
	await page.click('#send');
	// the line gets its mark once the relay acknowledged it
	await page.waitForFunction((t) => Array.from(
	    document.querySelectorAll('#log li.out')).some((li) =>
	    li.querySelector('.body').textContent === t &&
	    li.querySelector('.mark').textContent === '✓'), text);
}

try {
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--headless', '--disable-gpu',
		    '--disable-background-networking',
		    '--disable-component-update', '--disable-sync',
		    '--no-first-run'].concat(process.env.SWS_TLS_SPKI ?
		    // wss://: the relay's self-signed certificate, by its key
		    ['--ignore-certificate-errors-spki-list=' +
		    process.env.SWS_TLS_SPKI] : []),
		timeout: 30000,
	});
	const A = await newPage('A');
	const B = await newPage('B');

	await check('both pages connect and register', async () => {
		for (const p of [A, B])
			await p.waitForFunction(() => document.getElementById(
			    'status').textContent === 'connected');
		return true;
	});

	const keyA = (await A.textContent('#my-key')).trim();
	const keyB = (await B.textContent('#my-key')).trim();
	ok(/^[A-Za-z0-9_-]{43}$/.test(keyA) && /^[A-Za-z0-9_-]{43}$/.test(keyB) &&
	    keyA !== keyB, 'each page shows its own public key');

	await check('A opens a chat with B\'s key and sends; B shows it',
	    async () => {
		await A.fill('#peer-key', keyB);
		await A.click('#open-chat');
		await say(A, 'Hello B, this is A');
		await openConv(B, 'peer:' + keyA);
		await waitLog(B, 'Hello B, this is A');
		return true;
	});

	await check('B answers; A shows it', async () => {
		await say(B, 'Hi A! B here.');
		await waitLog(A, 'Hi A! B here.');
		const a = await logTexts(A);
		return a.includes('Hello B, this is A') &&
		    a.includes('Hi A! B here.');
	});

	await check('both join room "lobby"; A sees B arrive', async () => {
		await A.fill('#room-name', 'lobby');
		await A.click('#join-room');
		await A.waitForFunction(() => !document.getElementById('text')
		    .disabled && document.getElementById('chat-title')
		    .textContent === 'Room lobby');
		await B.fill('#room-name', 'lobby');
		await B.click('#join-room');
		await waitLog(B, 'joined; 2 members including you');
		await waitLog(A, keyB.slice(0, 10) + '… joined');
		return true;
	});

	await check('A publishes in the room; B reads it', async () => {
		await say(A, 'Room message from A');
		await waitLog(B, 'Room message from A');
		return true;
	});

	await check('B publishes in the room; A reads it', async () => {
		await say(B, 'Room reply from B');
		await waitLog(A, 'Room reply from B');
		const a = await logTexts(A);
		return a.includes('Room message from A');
	});

	await check('B\'s direct conversation still holds its messages',
	    async () => {
		await openConv(B, 'peer:' + keyA);
		const b = await logTexts(B);
		return b.includes('Hello B, this is A') &&
		    b.includes('Hi A! B here.') &&
		    !b.includes('Room message from A');
	});

	await openConv(B, 'room:lobby');
	await A.screenshot({ path: path.join(OBJ, 'js-demo-A.png') });
	await B.screenshot({ path: path.join(OBJ, 'js-demo-B.png') });
	ok(existsSync(path.join(OBJ, 'js-demo-A.png')) &&
	    existsSync(path.join(OBJ, 'js-demo-B.png')),
	    'screenshots in obj/js-demo-A.png and obj/js-demo-B.png');

	for (const e of pageErrors)
		diag(e);
	ok(pageErrors.length === 0, 'no script errors on the pages');
} catch (e) {
	diag(e && e.stack || e);
	ok(false, 'browser session');
}
await cleanup();
done();

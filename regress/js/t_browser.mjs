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
// own browser context (own IndexedDB, so own key pair and history), load
// sws-js through the page's import map and talk through the real relay,
// directly and in a room; a key gets a local name, a long word wraps, a
// reload keeps the identity, the names and the history.  Then the demo
// bundled by esbuild (the package's "browser" condition, no import map)
// talks to the first page.  Screenshots go to obj/.
//
// Skipped (77) without /usr/bin/chromium; runs itself under the relay
// harness when SWS_URL is unset.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ok, check, done, diag, globalTimeout, track, underRelay, TOP }
    from './tap.mjs';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM))
	process.exit(77);
globalTimeout(120000);
await underRelay(import.meta.url);

let chromium, esbuild;
try {
	({ chromium } = await import('playwright-core'));
	esbuild = await import('esbuild');
} catch (e) {
	console.log('not ok - cannot load playwright-core or esbuild (run ' +
	    'npm ci at the top): ' + e.message);
	process.exit(1);
}
const { relayFromLocation } = await import('../../js/demo/relay-url.js');

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

async function newPage(name, opts = {}) {
	const ctx = await browser.newContext({ viewport: { width: 1000,
	    height: 760 } });
	const page = await ctx.newPage();
	page.setDefaultTimeout(10000);
	page.on('pageerror', (e) => pageErrors.push(name + ': ' + e.message));
	page.on('console', (m) => {
		if (m.type() === 'error' && opts.quiet !== true)
			pageErrors.push(name + ' console: ' + m.text());
	});
	if (opts.route !== undefined)
		await page.route(opts.route.pattern, opts.route.fn);
	const q = new URLSearchParams({ relay: RELAY, key: SERVER });
	await page.goto((opts.base || base + 'demo/') +
	    (opts.noRelay ? '' : '?' + q.toString()));
	return page;
}

async function connected(page) {
	await page.waitForFunction(() => document.getElementById('status')
	    .textContent === 'connected');
}

// No line of the log is wider than the log (long words wrap).
async function noOverflow(page) {
	return page.$eval('#log', (log) => log.scrollWidth <= log.clientWidth &&
	    Array.from(log.querySelectorAll('li')).every((li) =>
	    li.getBoundingClientRect().right <=
	    log.getBoundingClientRect().right + 1));
}

async function count(page, text) {
	return page.$$eval('#log li .body', (els, t) => els.filter((e) =>
	    e.textContent === t).length, text);
}

// The demo bundled by esbuild, as a user of the package would bundle it.
async function bundleDemo() {
	const out = path.join(OBJ, 'js-demo-bundle');
	mkdirSync(out, { recursive: true });
	await esbuild.build({
		entryPoints: [path.join(TOP, 'js', 'demo', 'app.js')],
		bundle: true, format: 'esm', platform: 'browser',
		outfile: path.join(out, 'app.js'), logLevel: 'silent',
	});
	const html = readFileSync(path.join(TOP, 'js', 'demo', 'index.html'),
	    'utf8').replace(/<script type="importmap">[\s\S]*?<\/script>\n/,
	    '');
	return {
		'/': html,
		'/app.js': readFileSync(path.join(out, 'app.js'), 'utf8'),
		'/style.css': readFileSync(path.join(TOP, 'js', 'demo',
		    'style.css'), 'utf8'),
	};
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
			await connected(p);
		return true;
	});

	const keyA = (await A.textContent('#my-key')).trim();
	const keyB = (await B.textContent('#my-key')).trim();
	const fpB = (await B.textContent('#my-fp')).trim();
	ok(/^[A-Za-z0-9_-]{43}$/.test(keyA) && /^[A-Za-z0-9_-]{43}$/.test(keyB) &&
	    keyA !== keyB, 'each page has its own public key');
	ok(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/.test(fpB) &&
	    !(await B.isVisible('#my-key')), 'a page shows its fingerprint, ' +
	    'the full key only on request');

	const bob = 'Bob (' + fpB.slice(0, 9) + ')';
	await check('A opens a chat with B\'s key, naming it Bob, and sends; ' +
	    'B shows it', async () => {
		await A.fill('#peer-key', keyB);
		await A.fill('#peer-name', 'Bob');
		await A.click('#open-chat');
		await say(A, 'Hello B, this is A');
		await openConv(B, 'peer:' + keyA);
		await waitLog(B, 'Hello B, this is A');
		const title = await A.textContent('#convs button[data-conv="peer:' +
		    keyB + '"]');
		return title === bob && !(await A.textContent('body'))
		    .includes(keyB.slice(0, 20));
	});

	await check('B answers; A shows it', async () => {
		await say(B, 'Hi A! B here.');
		await waitLog(A, 'Hi A! B here.');
		const a = await logTexts(A);
		return a.includes('Hello B, this is A') &&
		    a.includes('Hi A! B here.');
	});

	const long = 'w'.repeat(600);
	await check('a long word wraps in both pages', async () => {
		await say(A, long);
		await waitLog(B, long);
		return await noOverflow(A) && await noOverflow(B);
	});

	await check('both join room "lobby"; A sees Bob arrive', async () => {
		await A.fill('#room-name', 'lobby');
		await A.click('#join-room');
		await A.waitForFunction(() => !document.getElementById('text')
		    .disabled && document.getElementById('chat-title')
		    .textContent === 'Room lobby');
		await B.fill('#room-name', 'lobby');
		await B.click('#join-room');
		await waitLog(B, 'joined; 2 members including you');
		await waitLog(A, bob + ' joined');
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

	await check('B reloads: same key, its conversations and their lines ' +
	    'are back, the room is joined again', async () => {
		await B.reload();
		await connected(B);
		await openConv(B, 'peer:' + keyA);
		await waitLog(B, 'Hi A! B here.');
		const b = await logTexts(B);
		const key = (await B.textContent('#my-key')).trim();
		await openConv(B, 'room:lobby');
		await B.waitForFunction(() => !document.getElementById('text')
		    .disabled);
		const r = await logTexts(B);
		return key === keyB && b.includes('Hello B, this is A') &&
		    b.includes(long) && r.includes('Room message from A') &&
		    r.includes('Room reply from B');
	});

	await check('after B\'s reload: A publishes, B reads it', async () => {
		await openConv(A, 'room:lobby');
		await A.waitForFunction((t) => Array.from(document
		    .querySelectorAll('#log li .body')).filter((e) =>
		    e.textContent === t).length >= 2, bob + ' joined');
		await say(A, 'After the reload');
		await waitLog(B, 'After the reload');
		return true;
	});

	await check('A reloads: Bob is still Bob, the history is there',
	    async () => {
		await A.reload();
		await connected(A);
		await openConv(A, 'peer:' + keyB);
		await waitLog(A, 'Hi A! B here.');
		const title = await A.textContent('#convs button[data-conv="peer:' +
		    keyB + '"]');
		const who = await A.$$eval('#log li.in .who', (els) =>
		    els.map((e) => e.textContent));
		return title === bob && who.length > 0 &&
		    who.every((w) => w.startsWith(bob + ' · ')) &&
		    await count(A, 'Hello B, this is A') === 1;
	});

	await check('without ?relay= the relay URL is the page\'s own host ' +
	    '(ws:// for http, wss:// for https)', async () => {
		const C = await newPage('C', { noRelay: true, quiet: true });
		await C.waitForSelector('body[data-ready="1"]');
		const v = await C.inputValue('#relay-url');
		await C.context().close();
		const u = new URL(base);
		return v === 'ws://' + u.host + '/' &&
		    relayFromLocation({ protocol: 'https:',
		    host: 'chat.example.org' }) === 'wss://chat.example.org/' &&
		    relayFromLocation({ protocol: 'http:', host: 'h:81' }) ===
		    'ws://h:81/';
	});

	await check('the demo bundled by esbuild (no import map) connects ' +
	    'and sends to A', async () => {
		const files = await bundleDemo();
		// served by the test itself, on a loopback port of its own
		const http = await import('node:http');
		const srv = http.createServer((req, res) => {
			const p = new URL(req.url, 'http://x').pathname;
			const body = files[p];
			res.writeHead(body === undefined ? 404 : 200, {
			    'Content-Type': p.endsWith('.js') ? 'text/javascript' :
			    p.endsWith('.css') ? 'text/css' : 'text/html' });
			res.end(body === undefined ? '' : body);
		});
		await new Promise((r) => srv.listen(0, '127.0.0.1', r));
		const D = await newPage('D', { base: 'http://127.0.0.1:' +
		    srv.address().port + '/' });
		await connected(D);
		await D.fill('#peer-key', keyA);
		await D.click('#open-chat');
		await say(D, 'Hello A, from the bundle');
		const keyD = (await D.textContent('#my-key')).trim();
		await openConv(A, 'peer:' + keyD);
		await waitLog(A, 'Hello A, from the bundle');
		await D.context().close();
		srv.close();
		return files['/app.js'].length > 10000 &&
		    !files['/'].includes('importmap');
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

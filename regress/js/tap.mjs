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

// Shared helpers of the JavaScript tests: TAP-style lines, a global
// timeout, and re-running a test under the relay harness.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const TOP = path.resolve(path.dirname(fileURLToPath(import.meta.url)),
    '..', '..');

const children = new Set();
let failed = 0;
let passed = 0;

export function ok(cond, what) {
	if (cond) {
		passed++;
		console.log('ok - ' + what);
	} else {
		failed++;
		console.log('not ok - ' + what);
	}
	return cond;
}

export function diag(...args) {
	console.log('# ' + args.join(' '));
}

// Runs fn; an exception is one failed check.
export async function check(what, fn) {
	try {
		const r = await fn();
		return ok(r !== false, what);
	} catch (e) {
		diag(what + ': ' + (e && e.stack || e));
		return ok(false, what);
	}
}

export async function rejects(what, promise, code) {
	try {
		await promise;
		diag(what + ': resolved');
		return ok(false, what);
	} catch (e) {
		if (code !== undefined && e.code !== code)
			diag(what + ': got ' + e.code + ' ' + e.message);
		return ok(code === undefined || e.code === code, what);
	}
}

export function done() {
	if (passed + failed === 0) {
		console.log('not ok - no check ran');
		process.exit(1);
	}
	process.exit(failed === 0 ? 0 : 1);
}

// Fails the whole test after ms.
// Kills the child when the test times out.
export function track(child) {
	children.add(child);
	child.on('exit', () => children.delete(child));
	return child;
}

export function globalTimeout(ms) {
	const t = setTimeout(() => {
		console.log('not ok - test timed out after ' + ms + ' ms');
		for (const c of children)
			c.kill('SIGTERM');
		process.exit(1);
	}, ms);
	t.unref();
}

export function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

// Waits until cond() is true (polling), or fails with what.
export async function until(cond, ms, what) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (cond())
			return true;
		await sleep(20);
	}
	throw new Error('timed out waiting for ' + what);
}

// When SWS_URL is unset, runs this same file under the relay harness
// (which starts a real relayd and sets SWS_URL and SWS_SERVER_KEY) and
// exits with its status; exits 77 when the relay or the harness is missing.
export async function underRelay(file, conf) {
	if (process.env.SWS_URL)
		return;
	const harness = path.join(TOP, 'regress', 'lib', 'swstest.py');
	const relayd = path.join(TOP, 'relayd', 'relayd');
	if (!existsSync(harness) || !existsSync(relayd) ||
	    !existsSync('/usr/bin/python3'))
		process.exit(77);
	const args = [harness, 'run'];
	if (conf !== undefined)
		args.push('--conf', conf);
	args.push('--', process.execPath, fileURLToPath(file));
	const child = spawn('/usr/bin/python3', args,
	    { cwd: TOP, stdio: 'inherit' });
	children.add(child);
	const code = await new Promise((resolve) => {
		child.on('exit', (c, sig) => resolve(c === null ? 1 : c));
		child.on('error', () => resolve(1));
	});
	process.exit(code);
}

// Imports the package sws-js (js/, a workspace of the top package.json:
// npm ci links node_modules/sws-js to it), as its users do; a missing
// node_modules (npm ci not run) is a failure with a clear message.
export async function loadSws() {
	try {
		return await import('sws-js');
	} catch (e) {
		console.log('not ok - cannot load sws-js (is node_modules ' +
		    'installed? run npm ci at the top): ' + e.message);
		process.exit(1);
	}
}

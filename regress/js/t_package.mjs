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

// js/ as the npm package sws-js: its manifest (name, VERSION's version,
// ISC, exports with browser and node conditions, runtime dependencies as
// dependencies), what `npm pack` puts in it (the library, its types and
// docs; nothing else), that the packed files alone import under node,
// that the declarations name exactly what the entries export, and that a
// typed program checks with tsc --noEmit (typescript from the lock file).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ok, check, done, diag, globalTimeout, TOP } from './tap.mjs';

globalTimeout(60000);
const JS = path.join(TOP, 'js');
const pj = JSON.parse(fs.readFileSync(path.join(JS, 'package.json'), 'utf8'));
const version = fs.readFileSync(path.join(TOP, 'VERSION'), 'utf8').trim();

ok(pj.name === 'sws-js' && pj.version === version && pj.license === 'ISC' &&
    pj.type === 'module' && pj.private !== true,
    'js/package.json: sws-js ' + version + ', ISC, ES modules, publishable');
const dot = pj.exports && pj.exports['.'];
ok(dot !== undefined && dot.types === './sws.d.ts' &&
    dot.browser === './browser.js' && dot.node === './node.js' &&
    dot.default === './browser.js' && Object.keys(dot)[0] === 'types',
    'exports: types, then browser and node conditions');
ok(['tweetnacl', 'ws', '@msgpack/msgpack'].every((d) =>
    pj.dependencies && typeof pj.dependencies[d] === 'string') &&
    pj.devDependencies === undefined,
    'runtime dependencies are dependencies (tweetnacl, ws, @msgpack/msgpack)');
ok(fs.readFileSync(path.join(JS, 'LICENSE'), 'utf8') ===
    fs.readFileSync(path.join(TOP, 'LICENSE'), 'utf8'),
    'js/LICENSE is the project\'s LICENSE');

const lock = JSON.parse(fs.readFileSync(path.join(TOP, 'package-lock.json'),
    'utf8'));
ok(['node_modules/typescript', 'node_modules/esbuild',
    'node_modules/@esbuild/linux-x64', 'node_modules/@msgpack/msgpack']
    .every((p) => lock.packages[p] && lock.packages[p].version &&
    lock.packages[p].integrity), 'the lock file pins typescript, esbuild ' +
    '(and its linux-x64 binary) and @msgpack/msgpack');

// --- npm pack
const npm = spawnSync('npm', ['pack', '--dry-run', '--json'], { cwd: JS,
    encoding: 'utf8', timeout: 30000 });
let pack = null;
try {
	pack = JSON.parse(npm.stdout)[0];
} catch (e) {
	diag('npm pack: ' + npm.status + ' ' + npm.stderr);
}
const ALLOWED = /^(browser\.js|node\.js|sws\.d\.ts|package\.json|README\.md|LICENSE|src\/[a-z0-9]+\.js)$/;
if (ok(pack !== null, 'npm pack --dry-run runs')) {
	const files = pack.files.map((f) => f.path).sort();
	diag('npm pack: ' + pack.entryCount + ' files, ' + pack.size +
	    ' bytes packed, ' + pack.unpackedSize + ' unpacked');
	const extra = files.filter((f) => !ALLOWED.test(f));
	const src = fs.readdirSync(path.join(JS, 'src')).filter((f) =>
	    f.endsWith('.js')).map((f) => 'src/' + f);
	ok(extra.length === 0 && src.every((f) => files.includes(f)) &&
	    ['browser.js', 'node.js', 'sws.d.ts', 'README.md', 'LICENSE']
	    .every((f) => files.includes(f)), 'the package holds the library, ' +
	    'its types and docs, and nothing else' + (extra.length ?
	    ' (also: ' + extra.join(' ') + ')' : ''));
	ok(pack.entryCount <= 25 && pack.unpackedSize < 200000,
	    'the package is small: ' + pack.entryCount + ' files, ' +
	    pack.unpackedSize + ' bytes');
}

// --- the packed files alone, installed beside their dependencies
await check('the packed package imports under node on its own', async () => {
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sws-pack.'));
	try {
		const r = spawnSync('npm', ['pack', '--pack-destination', tmp],
		    { cwd: JS, encoding: 'utf8', timeout: 30000 });
		const tgz = (r.stdout || '').trim().split('\n').pop();
		const nm = path.join(tmp, 'node_modules');
		fs.mkdirSync(path.join(nm, 'sws-js'), { recursive: true });
		fs.mkdirSync(path.join(nm, '@msgpack'));
		spawnSync('tar', ['-xzf', path.join(tmp, tgz), '-C',
		    path.join(nm, 'sws-js'), '--strip-components=1']);
		for (const d of ['tweetnacl', 'ws', '@msgpack/msgpack'])
			fs.symlinkSync(path.join(TOP, 'node_modules', d),
			    path.join(nm, d));
		fs.writeFileSync(path.join(tmp, 'use.mjs'),
		    "import * as s from 'sws-js';\n" +
		    "const kp = await s.loadKeyPair(new s.MemoryKeyStore());\n" +
		    "const c = new s.SwsClient({ url: 'ws://h/', keyPair: kp });\n" +
		    "const m = s.msgpackDecode(s.msgpackEncode({ type: 'ACK', " +
		    "id: 1 }));\n" +
		    "console.log(s.PLATFORM, c.publicKey.length, m.type, " +
		    "c instanceof EventTarget);\n");
		const u = spawnSync(process.execPath, ['use.mjs'], { cwd: tmp,
		    encoding: 'utf8', timeout: 10000 });
		if (u.status !== 0)
			diag(u.stderr);
		return u.status === 0 && u.stdout.trim() === 'node 43 ACK true';
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
});

// --- the declarations and the exports
const dts = fs.readFileSync(path.join(JS, 'sws.d.ts'), 'utf8');
const declared = new Set(Array.from(dts.matchAll(
    /^export (?:declare )?(?:class|function|const) (\w+)/gm), (m) => m[1]));
const nodeEntry = await import('sws-js');
const nodeNames = Object.keys(nodeEntry).sort();
ok(nodeEntry.PLATFORM === 'node', 'import \'sws-js\' in node is the node ' +
    'entry');
const missing = nodeNames.filter((n) => !declared.has(n));
const stale = Array.from(declared).filter((n) => !nodeNames.includes(n));
ok(missing.length === 0 && stale.length === 0, 'sws.d.ts declares what the ' +
    'package exports, no more' + (missing.length + stale.length ?
    ' (undeclared: ' + missing.join(' ') + '; not exported: ' +
    stale.join(' ') + ')' : ''));

const tsc = path.join(TOP, 'node_modules', '.bin', 'tsc');
await check('tsc --noEmit checks a typed program against the declarations',
    async () => {
	const r = spawnSync(tsc, ['--noEmit', '-p', path.join(TOP, 'regress',
	    'js', 'typed')], { encoding: 'utf8', timeout: 30000 });
	if (r.status !== 0)
		diag((r.stdout || '') + (r.stderr || ''));
	const v = spawnSync(tsc, ['--version'], { encoding: 'utf8' });
	diag((v.stdout || '').trim());
	return r.status === 0;
});

// last: the browser entry replaces the platform of this process
const browserEntry = await import(path.join(JS, 'browser.js'));
ok(browserEntry.PLATFORM === 'browser' && Object.keys(browserEntry).sort()
    .join() === nodeNames.join(), 'the browser entry exports the same names');
let nodeOnly = null;
try {
	new browserEntry.FileKeyStore('/x');
} catch (e) {
	nodeOnly = e.code;
}
ok(nodeOnly === 'unsupported', 'FileKeyStore in the browser entry: ' +
    'unsupported');
done();

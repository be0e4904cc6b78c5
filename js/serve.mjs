#!/usr/bin/env node
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

// serve.mjs: a small static file server for the browser demo.
//
//   node js/serve.mjs [PORT]      (default 8000; 0 picks a free port)
//
// Serves the files of js/ (this file's folder: the demo and the package's
// browser entry) and, under /vendor/, the two packages the page's import
// map names: tweetnacl and @msgpack/msgpack's ES modules, from wherever
// node resolves them.  On 127.0.0.1 only; no dependencies but node itself.
// The page's inline import map is allowed by its hash in the
// Content-Security-Policy.  Prints "serving http://127.0.0.1:PORT/demo/"
// once listening.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const ROOT = path.dirname(fileURLToPath(import.meta.url));
// The folder of an npm package, from where node resolves it.
function packageDir(name) {
	let d;
	try {
		d = path.dirname(fileURLToPath(import.meta.resolve(name)));
	} catch (e) {
		return null;
	}
	for (; d !== path.dirname(d); d = path.dirname(d)) {
		try {
			const pj = JSON.parse(fs.readFileSync(path.join(d,
			    'package.json'), 'utf8'));
			if (pj.name === name)
				return d;
		} catch (e) {
			// not the package's own folder yet
		}
	}
	return null;
}
const VENDOR = {
	'/vendor/tweetnacl/': packageDir('tweetnacl'),
	'/vendor/msgpack/': packageDir('@msgpack/msgpack'),
};

// The hash of each inline <script type="importmap"> of the demo page.
function importMapHashes() {
	let html;
	try {
		html = fs.readFileSync(path.join(ROOT, 'demo', 'index.html'),
		    'utf8');
	} catch (e) {
		return [];
	}
	const re = /<script type="importmap">([\s\S]*?)<\/script>/g;
	const out = [];
	for (const m of html.matchAll(re))
		out.push("'sha256-" + crypto.createHash('sha256').update(m[1])
		    .digest('base64') + "'");
	return out;
}
const TYPES = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.ico': 'image/x-icon',
	'.txt': 'text/plain; charset=utf-8',
};
const HEADERS = {
	'Cache-Control': 'no-store',
	'X-Content-Type-Options': 'nosniff',
	'Referrer-Policy': 'no-referrer',
	'X-Frame-Options': 'DENY',
	// Scripts only from this server; the relay may be on any ws/wss URL.
	'Content-Security-Policy': "default-src 'self'; script-src 'self' " +
	    importMapHashes().join(' ') + "; " +
	    "style-src 'self'; connect-src 'self' ws: wss:; img-src 'self' " +
	    "data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

function usage() {
	process.stderr.write('usage: node js/serve.mjs [PORT]\n');
	process.exit(2);
}

let portArg = process.argv[2] !== undefined ? process.argv[2] :
    process.env.PORT !== undefined ? process.env.PORT : '8000';
if (portArg === '-h' || portArg === '--help')
	usage();
if (!/^[0-9]{1,5}$/.test(portArg) || Number(portArg) > 65535)
	usage();
const port = Number(portArg);

function answer(res, code, text, extra = {}) {
	res.writeHead(code, Object.assign({
		'Content-Type': 'text/plain; charset=utf-8',
	}, HEADERS, extra));
	res.end(text + '\n');
}

// Maps a URL path to a file under ROOT, or null.
function resolve(urlPath) {
	let root = ROOT;
	for (const [prefix, dir] of Object.entries(VENDOR)) {
		if (urlPath.startsWith(prefix)) {
			if (dir === null)
				return null;
			root = dir;
			urlPath = urlPath.slice(prefix.length - 1);
			break;
		}
	}
	let p;
	try {
		p = decodeURIComponent(urlPath);
	} catch (e) {
		return null;
	}
	if (p.includes('\0') || p.includes('\\'))
		return null;
	const segs = p.split('/');
	for (const s of segs)
		if (s === '..' || s.startsWith('.') && s !== '')
			return null;
	const f = path.join(root, ...segs);
	if (f !== root && !f.startsWith(root + path.sep))
		return null;
	return f;
}

const server = http.createServer((req, res) => {
	if (req.method !== 'GET' && req.method !== 'HEAD') {
		answer(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
		return;
	}
	const q = req.url.indexOf('?');
	const urlPath = q >= 0 ? req.url.slice(0, q) : req.url;
	if (!urlPath.startsWith('/')) {
		answer(res, 400, 'bad request');
		return;
	}
	if (urlPath === '/') {
		answer(res, 302, 'see /demo/', { Location: '/demo/' });
		return;
	}
	let f = resolve(urlPath);
	if (f === null) {
		answer(res, 404, 'not found');
		return;
	}
	fs.stat(f, (err, st) => {
		if (err === null && st.isDirectory()) {
			if (!urlPath.endsWith('/')) {
				answer(res, 301, 'moved', { Location:
				    urlPath + '/' + (q >= 0 ?
				    req.url.slice(q) : '') });
				return;
			}
			f = path.join(f, 'index.html');
			try {
				st = fs.statSync(f);
			} catch (e) {
				err = e;
			}
		}
		if (err !== null || !st.isFile()) {
			answer(res, 404, 'not found');
			return;
		}
		const type = TYPES[path.extname(f)];
		if (type === undefined) {
			answer(res, 404, 'not found');
			return;
		}
		res.writeHead(200, Object.assign({ 'Content-Type': type,
		    'Content-Length': st.size }, HEADERS));
		if (req.method === 'HEAD') {
			res.end();
			return;
		}
		const s = fs.createReadStream(f);
		s.on('error', () => res.destroy());
		s.pipe(res);
	});
});

server.on('error', (e) => {
	process.stderr.write('serve.mjs: ' + e.message + '\n');
	process.exit(1);
});
server.listen(port, '127.0.0.1', () => {
	const p = server.address().port;
	process.stdout.write('serving http://127.0.0.1:' + p + '/demo/\n');
});
for (const sig of ['SIGINT', 'SIGTERM'])
	process.on(sig, () => {
		server.close();
		server.closeAllConnections();
		process.exit(0);
	});

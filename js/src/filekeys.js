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

// FileKeyStore (node only): the key files of the sws command (sws(1),
// "keygen"), so that one identity serves both.  The file is one line, the
// 32-byte secret key in base64url (43 characters) and a newline, mode
// 0600.  Reading refuses what the C client refuses, with its words: a
// file that is not regular (a symbolic link included), that group or
// others may read, write or execute, that belongs to someone other than
// root or this user ("owned by uid N, not by root"), or that is not
// exactly one key line.  The checks are
// made on the open descriptor, so the file checked is the file read.

import fs from 'node:fs';
import path from 'node:path';
import { KEY_BYTES, SwsError } from './common.js';
import { b64uEncode, b64uDecode } from './base64url.js';

const TEXT_MAX = 128;

function keyFileError(message) {
	return new SwsError('key-file', message);
}

// $XDG_CONFIG_HOME/sws/key when that is an absolute path, else
// $HOME/.config/sws/key: where sws looks when not given -k.
export function defaultKeyPath(env = process.env) {
	const xdg = env.XDG_CONFIG_HOME;
	if (typeof xdg === 'string' && xdg.startsWith('/'))
		return path.join(xdg, 'sws', 'key');
	const home = env.HOME;
	if (typeof home === 'string' && home.startsWith('/'))
		return path.join(home, '.config', 'sws', 'key');
	throw keyFileError('neither XDG_CONFIG_HOME nor HOME is set; ' +
	    'give FileKeyStore a path');
}

export class FileKeyStore {
	// path: the key file (default defaultKeyPath()); options.create
	// (default true): make a key when the file does not exist, as
	// sws keygen would.
	constructor(file, options = {}) {
		if (file !== undefined && (typeof file !== 'string' || file === ''))
			throw new TypeError('FileKeyStore: path is a non-empty ' +
			    'string');
		this.path = file !== undefined ? file : defaultKeyPath();
		this.create = options.create !== false;
		this.defaultPath = file === undefined;
	}

	async load() {
		const p = this.path;
		let fd;
		try {
			fd = fs.openSync(p, fs.constants.O_RDONLY |
			    fs.constants.O_NOFOLLOW);
		} catch (e) {
			if (e.code === 'ENOENT') {
				if (this.create)
					return null;
				throw new SwsError('no-key', p +
				    ': no key; make one with sws keygen');
			}
			if (e.code === 'ELOOP')
				throw keyFileError(p + ': not a regular file ' +
				    '(a symbolic link)');
			throw keyFileError(p + ': ' + e.message);
		}
		try {
			const st = fs.fstatSync(fd);
			if (!st.isFile())
				throw keyFileError(p + ': not a regular file');
			if ((st.mode & 0o077) !== 0)
				throw keyFileError(p + ': readable or writable ' +
				    'by group or others (mode ' + (st.mode &
				    0o7777).toString(8).padStart(4, '0') +
				    '); chmod 600 it');
			const me = typeof process.geteuid === 'function' ?
			    process.geteuid() : st.uid;
			if (st.uid !== 0 && st.uid !== me)
				throw keyFileError(p + ': owned by uid ' + st.uid +
				    ', not by root');
			const buf = Buffer.alloc(TEXT_MAX);
			const n = fs.readSync(fd, buf, 0, TEXT_MAX, 0);
			let text = buf.toString('latin1', 0, n);
			buf.fill(0);
			if (text.endsWith('\n'))
				text = text.slice(0, -1);
			let sk = null;
			try {
				if (text.length === 43)
					sk = b64uDecode(text);
			} catch (e) {
				sk = null;
			}
			if (sk === null || sk.length !== KEY_BYTES)
				throw keyFileError(p + ': not a key file (one ' +
				    'line, the secret key in base64url)');
			return sk;
		} finally {
			fs.closeSync(fd);
		}
	}

	// Writes a new key file; never replaces one.
	async save(secretKey) {
		if (!(secretKey instanceof Uint8Array) ||
		    secretKey.length !== KEY_BYTES)
			throw new SwsError('bad-key', 'FileKeyStore: a secret ' +
			    'key is 32 bytes');
		const p = this.path;
		if (this.defaultPath) {
			// ~/.config and ~/.config/sws, as sws keygen makes them
			for (const d of [path.dirname(path.dirname(p)),
			    path.dirname(p)]) {
				try {
					fs.mkdirSync(d, 0o700);
				} catch (e) {
					if (e.code !== 'EEXIST')
						throw keyFileError(d + ': ' +
						    e.message);
				}
			}
		}
		let fd;
		try {
			fd = fs.openSync(p, fs.constants.O_WRONLY |
			    fs.constants.O_CREAT | fs.constants.O_EXCL |
			    fs.constants.O_NOFOLLOW, 0o600);
		} catch (e) {
			if (e.code === 'EEXIST')
				throw keyFileError(p + ' exists; not ' +
				    'overwriting it');
			throw keyFileError(p + ': ' + e.message);
		}
		const text = Buffer.from(b64uEncode(secretKey) + '\n', 'latin1');
		let failed = null;
		try {
			fs.writeSync(fd, text);
			fs.fsyncSync(fd);
		} catch (e) {
			failed = e;
		} finally {
			text.fill(0);
			fs.closeSync(fd);
		}
		if (failed !== null) {
			fs.rmSync(p, { force: true });
			throw keyFileError(p + ': ' + failed.message);
		}
	}
}

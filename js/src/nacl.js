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

// tweetnacl, however it was loaded.  It is a CommonJS file: node and
// bundlers give its exports as the default export; a browser that loads
// it as a module through an import map runs it as a plain script, and the
// file then sets globalThis.nacl.  No <script> tag is needed in any case.

import * as tweetnacl from 'tweetnacl';

function usable(n) {
	return typeof n === 'object' && n !== null &&
	    typeof n.box === 'function' && typeof n.secretbox === 'function';
}

const found = [tweetnacl.default, tweetnacl, globalThis.nacl].find(usable);
if (found === undefined)
	throw new Error('sws-js: tweetnacl did not load (map "tweetnacl" to ' +
	    'tweetnacl/nacl-fast.js)');

export const nacl = found;

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

// The demo's default relay URL: the page's own host and port, ws:// for an
// http page and wss:// for an https one (a page served by https may only
// open wss://).  Used when neither ?relay= nor a saved URL says otherwise,
// that is when one server (a reverse proxy in front of relayd, say)
// serves both the page and the relay.

export function relayFromLocation(loc) {
	const scheme = loc.protocol === 'https:' ? 'wss://' : 'ws://';
	const host = typeof loc.host === 'string' && loc.host !== '' ?
	    loc.host : '127.0.0.1';
	return scheme + host + '/';
}

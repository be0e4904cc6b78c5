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

/*
 * RFC 6455 framing, the builders: ws_header and ws_header_masked, ws_mask
 * from any offset, ws_accept, the samples of the RFC through the parser,
 * and what the builders write read back by the parser.  Helpers in
 * test_ws.h.
 */
#include "test_ws.h"

static void
test_builders(void)
{
	static const struct {
		uint64_t	 len;
		size_t		 hlen;
		uint8_t		 b[10];
	} h[] = {
		{ 0, 2, { 0x82, 0x00 } },
		{ 125, 2, { 0x82, 0x7d } },
		{ 126, 4, { 0x82, 0x7e, 0x00, 0x7e } },
		{ 65535, 4, { 0x82, 0x7e, 0xff, 0xff } },
		{ 65536, 10, { 0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0 } },
		{ 0x0123456789ULL, 10, { 0x82, 0x7f, 0, 0, 0, 0x01, 0x23,
		    0x45, 0x67, 0x89 } },
	};
	uint8_t		 out[WS_MAX_HEADER];
	size_t		 i, n;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		memset(out, 0xaa, sizeof(out));
		n = ws_header(out, WS_OP_BINARY, h[i].len);
		ok(n == h[i].hlen && memcmp(out, h[i].b, n) == 0,
		    "ws_header for length %llu is %zu exact bytes",
		    (unsigned long long)h[i].len, h[i].hlen);
		memset(out, 0xaa, sizeof(out));
		n = ws_header_masked(out, WS_OP_BINARY, h[i].len, tkey);
		ok(n == h[i].hlen + 4 && out[0] == h[i].b[0] &&
		    out[1] == (h[i].b[1] | 0x80) &&
		    memcmp(out + 2, h[i].b + 2, h[i].hlen - 2) == 0 &&
		    memcmp(out + h[i].hlen, tkey, 4) == 0,
		    "ws_header_masked for length %llu is %zu exact bytes",
		    (unsigned long long)h[i].len, h[i].hlen + 4);
	}
	n = ws_header(out, WS_OP_TEXT, 5);
	ok(n == 2 && out[0] == 0x81 && out[1] == 0x05,
	    "text header 81 05 (RFC 6455 5.7)");
	n = ws_header(out, WS_OP_CLOSE, 2);
	ok(n == 2 && out[0] == 0x88 && out[1] == 0x02, "close header 88 02");
}

static void
test_mask(void)
{
	uint8_t		 a[64], b[64], c[64];
	size_t		 len, split, off, i, bad = 0;

	for (i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)(i * 7 + 3);
	for (len = 0; len <= 40; len++)
		for (off = 0; off < 4; off++) {
			memcpy(b, a, len);
			ws_mask(b, len, tkey, off);
			for (i = 0; i < len; i++)
				if (b[i] != (a[i] ^ tkey[(off + i) & 3]))
					bad++;
			for (split = 0; split <= len; split++) {
				memcpy(c, a, len);
				ws_mask(c, split, tkey, off);
				ws_mask(c + split, len - split, tkey,
				    (off + split) & 3);
				if (memcmp(b, c, len) != 0)
					bad++;
			}
		}
	ok(bad == 0, "ws_mask XORs the key from any offset, in one go or in "
	    "pieces (%zu wrong)", bad);
}

/* RFC 6455 section 1.3: the sample key and its accept value. */
static void
test_accept(void)
{
	char	 out[WS_ACCEPT_LEN + 1];

	memset(out, 'x', sizeof(out));
	ws_accept(out, "dGhlIHNhbXBsZSBub25jZQ==", 24);
	ok(strcmp(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0,
	    "ws_accept of the RFC 6455 sample key (%s)", out);
}

static void
test_rfc_samples(void)
{
	/* RFC 6455 section 5.7. */
	uint8_t		 unmasked[] = { 0x81, 0x05, 'H', 'e', 'l', 'l', 'o' };
	uint8_t		 masked[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
			    0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	uint8_t		 frag[] = { 0x01, 0x03, 'H', 'e', 'l',
			    0x80, 0x02, 'l', 'o' };
	uint8_t		 ping[] = { 0x89, 0x05, 'H', 'e', 'l', 'l', 'o' };
	uint8_t		 b256[4 + 256], b64k[10 + 65536];
	struct ws_rx	 rx;
	struct rec	 r;
	ssize_t		 n;
	int		 code = 0;

	ws_rx_init(&rx, 0);
	rec_init(&r, &rx);
	n = ws_rx_feed(&rx, 1 << 20, unmasked, sizeof(unmasked), collect, &r,
	    &code);
	ok(n == (ssize_t)sizeof(unmasked) && r.n == 1 &&
	    rec_is(&r, 0, WS_OP_TEXT, "Hello", 5),
	    "unmasked server text frame \"Hello\"");
	n = ws_rx_feed(&rx, 1 << 20, frag, sizeof(frag), collect, &r, &code);
	ok(n == (ssize_t)sizeof(frag) && r.n == 2 &&
	    rec_is(&r, 1, WS_OP_TEXT, "Hello", 5),
	    "fragmented unmasked text \"Hel\" + \"lo\"");
	n = ws_rx_feed(&rx, 1 << 20, ping, sizeof(ping), collect, &r, &code);
	ok(n == (ssize_t)sizeof(ping) && r.n == 3 &&
	    rec_is(&r, 2, WS_OP_PING, "Hello", 5), "unmasked ping \"Hello\"");

	memset(b256, 0x5a, sizeof(b256));
	b256[0] = 0x82;
	b256[1] = 0x7e;
	b256[2] = 0x01;
	b256[3] = 0x00;
	n = ws_rx_feed(&rx, 1 << 20, b256, sizeof(b256), collect, &r, &code);
	ok(n == (ssize_t)sizeof(b256) && r.n == 4 && r.op[3] == WS_OP_BINARY &&
	    r.len[3] == 256, "256-byte binary, 16-bit length");
	memset(b64k, 0xa5, sizeof(b64k));
	memcpy(b64k, "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10);
	n = ws_rx_feed(&rx, 1 << 20, b64k, sizeof(b64k), collect, &r, &code);
	ok(n == (ssize_t)sizeof(b64k) && r.n == 5 && r.op[4] == WS_OP_BINARY &&
	    r.len[4] == 65536 && r.data[r.at[4] + 65535] == 0xa5,
	    "64 KiB binary, 64-bit length");
	ws_rx_free(&rx);
	rec_free(&r);

	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	n = ws_rx_feed(&rx, 1 << 20, masked, sizeof(masked), collect, &r,
	    &code);
	ok(n == (ssize_t)sizeof(masked) && r.n == 1 &&
	    rec_is(&r, 0, WS_OP_TEXT, "Hello", 5),
	    "masked client text frame \"Hello\" is unmasked");
	ok(r.ptr[0] == masked + 6 && memcmp(masked + 6, "Hello", 5) == 0,
	    "it was unmasked in place in the caller's buffer");
	ws_rx_free(&rx);
	rec_free(&r);
}

/* What the builders write, the parser reads back, both directions. */
static void
test_roundtrip(void)
{
	static const size_t lens[] = { 0, 1, 5, 125, 126, 127, 1000, 65535,
	    65536, 100000 };
	static const uint8_t key[4] = { 0x00, 0xff, 0x5a, 0xa5 };
	uint8_t		*buf, *pl;
	struct ws_rx	 rx;
	struct rec	 r;
	size_t		 i, h, bad = 0;
	ssize_t		 got;
	int		 m, op, code;

	if ((buf = malloc(100000 + WS_MAX_HEADER)) == NULL ||
	    (pl = malloc(100000)) == NULL)
		abort();
	for (i = 0; i < 100000; i++)
		pl[i] = (uint8_t)('!' + i % 90);
	for (m = 0; m <= 1; m++)
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
			for (op = WS_OP_TEXT; op <= WS_OP_PONG; op++) {
				if (op > WS_OP_BINARY && op < WS_OP_CLOSE)
					continue;
				if (op >= WS_OP_CLOSE && lens[i] > 125)
					continue;
				if (op == WS_OP_CLOSE && lens[i] != 0)
					continue;
				if (m) {
					h = ws_header_masked(buf, op, lens[i],
					    key);
					memcpy(buf + h, pl, lens[i]);
					ws_mask(buf + h, lens[i], key, 0);
				} else {
					h = ws_header(buf, op, lens[i]);
					memcpy(buf + h, pl, lens[i]);
				}
				ws_rx_init(&rx, m);
				rec_init(&r, &rx);
				code = 0;
				got = ws_rx_feed(&rx, 100000, buf, h + lens[i],
				    collect, &r, &code);
				if (got != (ssize_t)(h + lens[i]) ||
				    !rec_is(&r, 0, op, pl, lens[i]) ||
				    r.ptr[0] != buf + h)
					bad++;
				ws_rx_free(&rx);
				rec_free(&r);
			}
	ok(bad == 0, "frames built by ws_header and ws_header_masked parse "
	    "back to the same opcode and payload (%zu wrong)", bad);
	free(buf);
	free(pl);
}

int
main(void)
{
	test_builders();
	test_mask();
	test_accept();
	test_rfc_samples();
	test_roundtrip();
	return tap_done();
}

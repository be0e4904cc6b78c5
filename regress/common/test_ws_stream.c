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
 * RFC 6455 framing, the receive parser on good streams: fed whole, byte by
 * byte and in random pieces, delivered in place, and stopped and resumed
 * from the callback.  Helpers in test_ws.h.
 */
#include "test_ws.h"

static int
rec_same(const struct rec *a, const struct rec *b)
{
	int	 i;

	if (a->n != b->n || a->datalen != b->datalen)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->op[i] != b->op[i] || a->len[i] != b->len[i])
			return 0;
	return a->datalen == 0 || memcmp(a->data, b->data, a->datalen) == 0;
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Feed buf in pieces of 1..maxchunk bytes (all at once when maxchunk is
 * 0), feeding again what a stopping callback left.  Returns 0, or the
 * close code of a violation.
 */
static int
feed_pieces(struct ws_rx *rx, size_t max, uint8_t *buf, size_t len,
    struct rec *r, size_t maxchunk, uint64_t seed)
{
	size_t	 off = 0, c, done;
	ssize_t	 n;
	int	 code = 0;

	while (off < len) {
		c = maxchunk == 0 ? len - off : 1 + rnd(&seed) % maxchunk;
		if (c > len - off)
			c = len - off;
		for (done = 0; done < c; done += (size_t)n) {
			n = ws_rx_feed(rx, max, buf + off + done, c - done,
			    collect, r, &code);
			if (n < 0)
				return code;
			if (n == 0)
				return -2;	/* no progress: a bug */
		}
		off += c;
	}
	return 0;
}

#define EURO_ETC	"\xe2\x82\xac \xf0\x9f\x98\x80 \xc3\xa9t\xc3\xa9"

/*
 * Everything the parser should handle, in one stream of twelve messages
 * and control frames.
 */
static size_t
mkstream(uint8_t *s, int masked)
{
	static uint8_t	 big[70000];
	size_t		 n = 0, i;
	int		 m = masked;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 31 + (i >> 8));
	n += mkframe(s + n, FIN | WS_OP_TEXT, "hello", 5, m);
	n += mkframe(s + n, FIN | WS_OP_TEXT, "", 0, m);
	n += mkframe(s + n, FIN | WS_OP_TEXT, EURO_ETC, sizeof(EURO_ETC) - 1, m);
	n += mkframe(s + n, WS_OP_BINARY, big, 100, m);
	n += mkframe(s + n, FIN | WS_OP_PING, "are you there", 13, m);
	n += mkframe(s + n, WS_OP_CONT, big + 100, 0, m);
	n += mkframe(s + n, FIN | WS_OP_PONG, big, 125, m);
	n += mkframe(s + n, FIN | WS_OP_CONT, big + 100, 300, m);
	n += mkframe(s + n, FIN | WS_OP_BINARY, big, 126, m);
	n += mkframe(s + n, FIN | WS_OP_BINARY, big, 65535, m);
	n += mkframe(s + n, FIN | WS_OP_BINARY, big, sizeof(big), m);
	n += mkframe(s + n, WS_OP_TEXT, "\xf0\x9f", 2, m);
	n += mkframe(s + n, WS_OP_CONT, "\x98", 1, m);
	n += mkframe(s + n, WS_OP_CONT, "", 0, m);
	n += mkframe(s + n, FIN | WS_OP_CONT, "\x80!", 2, m);
	n += mkframe(s + n, WS_OP_BINARY, "", 0, m);
	n += mkframe(s + n, FIN | WS_OP_CONT, "", 0, m);
	n += mkframe(s + n, FIN | WS_OP_CLOSE, "\x03\xe8" "bye \xe2\x82\xac",
	    9, m);
	return n;
}

#define STREAM_MAX	(80000 + 2 * 65535 + 1024)

static void
test_chunking(void)
{
	static uint8_t	 orig[STREAM_MAX], s[STREAM_MAX];
	static const size_t maxchunks[] = { 1, 2, 3, 7, 16, 150, 4096, 70001 };
	struct ws_rx	 rx;
	struct rec	 whole, r;
	size_t		 n, i, k;
	uint64_t	 seed;
	int		 m, code, same;

	for (m = 0; m <= 1; m++) {
		n = mkstream(orig, m);
		memcpy(s, orig, n);
		ws_rx_init(&rx, m);
		rec_init(&whole, &rx);
		code = feed_pieces(&rx, 100000, s, n, &whole, 0, 0);
		ok(code == 0 && whole.n == 12 && rx.closed,
		    "%s stream in one feed: 12 messages and frames, closed "
		    "(code %d, n %d)", m ? "masked" : "unmasked", code,
		    whole.n);
		ok(rec_is(&whole, 0, WS_OP_TEXT, "hello", 5) &&
		    rec_is(&whole, 1, WS_OP_TEXT, "", 0) &&
		    rec_is(&whole, 2, WS_OP_TEXT, EURO_ETC,
		    sizeof(EURO_ETC) - 1) &&
		    rec_is(&whole, 3, WS_OP_PING, "are you there", 13) &&
		    whole.op[4] == WS_OP_PONG && whole.len[4] == 125 &&
		    whole.op[5] == WS_OP_BINARY && whole.len[5] == 400 &&
		    whole.len[6] == 126 && whole.len[7] == 65535 &&
		    whole.len[8] == 70000 &&
		    rec_is(&whole, 9, WS_OP_TEXT, "\xf0\x9f\x98\x80!", 5) &&
		    rec_is(&whole, 10, WS_OP_BINARY, "", 0) &&
		    rec_is(&whole, 11, WS_OP_CLOSE, "\x03\xe8" "bye \xe2\x82\xac",
		    9), "%s stream: the expected messages in order",
		    m ? "masked" : "unmasked");
		ok(whole.ptr[0] >= s && whole.ptr[0] < s + n &&
		    whole.ptr[8] >= s && whole.ptr[8] < s + n && whole.idle[8],
		    "whole frames were delivered in place");
		ws_rx_free(&rx);

		for (k = 0; k < sizeof(maxchunks) / sizeof(maxchunks[0]); k++) {
			same = 1;
			for (i = 0; i < (maxchunks[k] == 1 ? 1 : 8); i++) {
				memcpy(s, orig, n);
				seed = 0x9e3779b97f4a7c15ULL * (i + 1) + k;
				ws_rx_init(&rx, m);
				rec_init(&r, &rx);
				code = feed_pieces(&rx, 100000, s, n, &r,
				    maxchunks[k], seed);
				if (code != 0 || !rec_same(&whole, &r))
					same = 0;
				ws_rx_free(&rx);
				rec_free(&r);
			}
			ok(same, "%s stream in pieces of 1..%zu bytes gives the "
			    "same messages", m ? "masked" : "unmasked",
			    maxchunks[k]);
		}

		/* Callback stops at every message; feed the rest again. */
		memcpy(s, orig, n);
		ws_rx_init(&rx, m);
		rec_init(&r, &rx);
		r.stop_all = 1;
		code = feed_pieces(&rx, 100000, s, n, &r, 4096, 42);
		ok(code == 0 && rec_same(&whole, &r),
		    "%s stream with a callback that stops every time, resumed, "
		    "gives the same messages", m ? "masked" : "unmasked");
		ws_rx_free(&rx);
		rec_free(&r);
		rec_free(&whole);
	}
}

static void
test_zero_copy(void)
{
	uint8_t		 s[512], p[300];
	struct ws_rx	 rx;
	struct rec	 r;
	size_t		 n, i;
	ssize_t		 got;
	int		 code = 0;

	for (i = 0; i < sizeof(p); i++)
		p[i] = 'a' + i % 26;
	n = mkframe(s, FIN | WS_OP_TEXT, p, 300, 1);
	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	got = ws_rx_feed(&rx, 1000, s, n, collect, &r, &code);
	ok(got == (ssize_t)n && r.n == 1 && r.ptr[0] == s + 8 &&
	    memcmp(s + 8, p, 300) == 0 && r.idle[0] && rx.msg == NULL,
	    "a whole frame is delivered at its place in buf, unmasked, with "
	    "no reassembly buffer");

	/* The header in one read, the whole payload in the next. */
	n = mkframe(s, FIN | WS_OP_BINARY, p, 300, 1);
	got = ws_rx_feed(&rx, 1000, s, 8, collect, &r, &code);
	ok(got == 8 && r.n == 1, "a header alone is taken, nothing delivered");
	got = ws_rx_feed(&rx, 1000, s + 8, n - 8, collect, &r, &code);
	ok(got == (ssize_t)(n - 8) && r.n == 2 && r.ptr[1] == s + 8 &&
	    r.idle[1], "its payload, whole in the next read, is delivered "
	    "in place");

	/* Cut inside the payload: gathered, then handed out of rx->msg. */
	n = mkframe(s, FIN | WS_OP_BINARY, p, 300, 1);
	got = ws_rx_feed(&rx, 1000, s, 100, collect, &r, &code);
	ok(got == 100 && r.n == 2 && rx.msg != NULL && rx.msg_cap <= 300,
	    "a frame cut by the read is gathered (buffer %u bytes, at most "
	    "the frame)", rx.msg_cap);
	got = ws_rx_feed(&rx, 1000, s + 100, n - 100, collect, &r, &code);
	ok(got == (ssize_t)(n - 100) && r.n == 3 &&
	    rec_is(&r, 2, WS_OP_BINARY, p, 300) &&
	    (r.ptr[2] < s || r.ptr[2] >= s + n) && rx.msg == NULL,
	    "and delivered whole from the reassembly buffer, then released");

	/*
	 * A control frame cut by the read is gathered in rx->ctl, allocated
	 * for it and released once it is delivered (idle sessions hold no
	 * control buffer).
	 */
	n = mkframe(s, FIN | WS_OP_PING, p, 100, 1);
	got = ws_rx_feed(&rx, 1000, s, 50, collect, &r, &code);
	ok(got == 50 && r.n == 3 && rx.ctl != NULL, "half a ping is taken "
	    "into rx->ctl");
	got = ws_rx_feed(&rx, 1000, s + 50, n - 50, collect, &r, &code);
	ok(got == (ssize_t)(n - 50) && r.n == 4 &&
	    rec_is(&r, 3, WS_OP_PING, p, 100) &&
	    (r.ptr[3] < s || r.ptr[3] >= s + n) && rx.ctl == NULL &&
	    rx.msg == NULL,
	    "the ping arrives whole, gathered, and the buffer is released");
	ws_rx_free(&rx);
	rec_free(&r);
}

static void
test_stop_resume(void)
{
	uint8_t		 s[512], orig[512];
	struct ws_rx	 rx;
	struct rec	 r;
	size_t		 n = 0, a, b, c;
	ssize_t		 got;
	int		 code = 0;

	memset(s, 0, sizeof(s));
	n += mkframe(s + n, FIN | WS_OP_TEXT, "one", 3, 1);
	a = n;
	n += mkframe(s + n, WS_OP_BINARY, "tw", 2, 1);
	n += mkframe(s + n, FIN | WS_OP_PING, "x", 1, 1);
	b = n;
	n += mkframe(s + n, FIN | WS_OP_CONT, "o", 1, 1);
	c = n;
	n += mkframe(s + n, FIN | WS_OP_CLOSE, "\x03\xe8", 2, 1);
	n += 5;		/* bytes after the close are ignored */
	memcpy(orig, s, n);

	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	r.stop_on = WS_OP_TEXT;
	got = ws_rx_feed(&rx, 1000, s, n, collect, &r, &code);
	ok(got == (ssize_t)a && r.n == 1 && rec_is(&r, 0, WS_OP_TEXT, "one", 3),
	    "a stop after the first message returns the bytes through it");
	ok(memcmp(s + a, orig + a, n - a) == 0,
	    "the bytes not consumed are untouched");
	r.stop_on = WS_OP_PING;
	got = ws_rx_feed(&rx, 1000, s + a, n - a, collect, &r, &code);
	ok(got == (ssize_t)(b - a) && r.n == 2 &&
	    rec_is(&r, 1, WS_OP_PING, "x", 1),
	    "a stop on a ping inside a fragmented message returns through "
	    "the ping");
	ok(memcmp(s + b, orig + b, n - b) == 0,
	    "the bytes not consumed are untouched");
	r.stop_on = WS_OP_BINARY;
	got = ws_rx_feed(&rx, 1000, s + b, n - b, collect, &r, &code);
	ok(got == (ssize_t)(c - b) && r.n == 3 &&
	    rec_is(&r, 2, WS_OP_BINARY, "two", 3),
	    "resuming completes the fragmented message, and stops after it");
	r.stop_on = -1;
	got = ws_rx_feed(&rx, 1000, s + c, n - c, collect, &r, &code);
	ok(got == (ssize_t)(n - c) && r.n == 4 && rx.closed &&
	    rec_is(&r, 3, WS_OP_CLOSE, "\x03\xe8", 2),
	    "the close is delivered and the bytes after it consumed");
	got = ws_rx_feed(&rx, 1000, (uint8_t *)orig, 7, collect, &r, &code);
	ok(got == 7 && r.n == 4, "after the close, input is ignored");
	ws_rx_free(&rx);
	rec_free(&r);

	/* A stop on the close itself. */
	n = mkframe(s, FIN | WS_OP_CLOSE, "", 0, 0);
	memcpy(s + n, "junk", 4);
	ws_rx_init(&rx, 0);
	rec_init(&r, &rx);
	r.stop_all = 1;
	got = ws_rx_feed(&rx, 1000, s, n + 4, collect, &r, &code);
	ok(got == (ssize_t)n && rx.closed && r.n == 1 && r.len[0] == 0,
	    "a stop on an empty close returns through it, closed is set");
	got = ws_rx_feed(&rx, 1000, s + n, 4, collect, &r, &code);
	ok(got == 4 && r.n == 1, "and the rest is ignored when fed again");
	ws_rx_free(&rx);
	rec_free(&r);
}

int
main(void)
{
	test_chunking();
	test_zero_copy();
	test_stop_resume();
	return tap_done();
}

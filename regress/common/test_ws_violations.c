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
 * RFC 6455 framing, the violations: every one with its exact close code,
 * the limit of 64 fragments, control frames between fragments, invalid
 * UTF-8 failing the read that carries it, and nothing read after a
 * violation.  Helpers in test_ws.h.
 */
#include "test_ws.h"

/* A whole stream, fed at once, must fail with this close code. */
static int
fails_with(int expect_mask, size_t max, const uint8_t *bytes, size_t len)
{
	struct ws_rx	 rx;
	struct rec	 r;
	uint8_t		*b;
	ssize_t		 n;
	int		 code = 0;

	if ((b = malloc(len + 1)) == NULL)
		abort();
	memcpy(b, bytes, len);
	ws_rx_init(&rx, expect_mask);
	rec_init(&r, &rx);
	n = ws_rx_feed(&rx, max, b, len, collect, &r, &code);
	ws_rx_free(&rx);
	rec_free(&r);
	free(b);
	return n == -1 ? code : 0;
}

static void
test_violations(void)
{
	uint8_t		 f[200], big[300];
	size_t		 n, i;
	int		 op;
	char		 desc[80];
	static const struct {
		unsigned int	 code;
		int		 result;
	} closes[] = {
		{ 0, 1002 }, { 999, 1002 }, { 1000, 0 }, { 1001, 0 },
		{ 1002, 0 }, { 1003, 0 }, { 1004, 1002 }, { 1005, 1002 },
		{ 1006, 1002 }, { 1007, 0 }, { 1008, 0 }, { 1009, 0 },
		{ 1010, 0 }, { 1011, 0 }, { 1012, 0 }, { 1013, 0 },
		{ 1014, 0 }, { 1015, 1002 }, { 1016, 1002 }, { 1100, 1002 },
		{ 2000, 1002 }, { 2999, 1002 }, { 3000, 0 }, { 3999, 0 },
		{ 4000, 0 }, { 4999, 0 }, { 5000, 1002 }, { 65535, 1002 },
	};

	/* Reserved bits. */
	n = mkframe(f, FIN | 0x40 | WS_OP_TEXT, "a", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002, "RSV1 set: 1002");
	n = mkframe(f, FIN | 0x20 | WS_OP_BINARY, "a", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002, "RSV2 set: 1002");
	n = mkframe(f, FIN | 0x10 | WS_OP_PING, "a", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002, "RSV3 set: 1002");
	ok(fails_with(1, 1000, (const uint8_t *)"\xc1\x81", 2) == 1002,
	    "RSV1 refused from the first two bytes alone");

	/* Unknown opcodes. */
	for (op = 3; op <= 0xf; op++) {
		if (op >= WS_OP_CLOSE && op <= WS_OP_PONG)
			continue;
		n = mkframe(f, FIN | op, "", 0, 1);
		snprintf(desc, sizeof(desc), "opcode 0x%x: 1002", op);
		ok(fails_with(1, 1000, f, n) == 1002, "%s", desc);
	}

	/* Masking. */
	n = mkframe(f, FIN | WS_OP_TEXT, "a", 1, 0);
	ok(fails_with(1, 1000, f, n) == 1002, "unmasked frame to a server: 1002");
	n = mkframe(f, FIN | WS_OP_PING, "", 0, 0);
	ok(fails_with(1, 1000, f, n) == 1002, "unmasked ping to a server: 1002");
	n = mkframe(f, FIN | WS_OP_TEXT, "a", 1, 1);
	ok(fails_with(0, 1000, f, n) == 1002, "masked frame to a client: 1002");

	/* Control frames. */
	n = mkframe(f, WS_OP_PING, "a", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002, "ping without FIN: 1002");
	n = mkframe(f, WS_OP_CLOSE, "", 0, 1);
	ok(fails_with(1, 1000, f, n) == 1002, "close without FIN: 1002");
	memset(big, 'p', sizeof(big));
	n = mkframe(f, FIN | WS_OP_PING, big, 126, 1);
	ok(fails_with(1, 1000, f, n) == 1002, "ping of 126 bytes: 1002");
	n = mkframe(f, FIN | WS_OP_PONG, big, 125, 1);
	ok(fails_with(1, 1000, f, n) == 0, "pong of 125 bytes is fine");
	n = mkframe(f, FIN | WS_OP_CLOSE, big, 126, 0);
	ok(fails_with(0, 1000, f, n) == 1002, "close of 126 bytes: 1002");

	/* Lengths. */
	ok(fails_with(0, SIZE_MAX,
	    (const uint8_t *)"\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x00", 10) ==
	    1002, "64-bit length with the top bit set: 1002");
	ok(fails_with(0, SIZE_MAX,
	    (const uint8_t *)"\x82\x7e\x00\x7d", 4) == 1002,
	    "125 in the 16-bit form: 1002");
	ok(fails_with(0, SIZE_MAX,
	    (const uint8_t *)"\x82\x7e\x00\x00", 4) == 1002,
	    "0 in the 16-bit form: 1002");
	ok(fails_with(0, SIZE_MAX,
	    (const uint8_t *)"\x82\x7f\x00\x00\x00\x00\x00\x00\xff\xff", 10) ==
	    1002, "65535 in the 64-bit form: 1002");
	ok(fails_with(0, SIZE_MAX,
	    (const uint8_t *)"\x82\x7f\x00\x00\x00\x00\x00\x00\x00\x05", 10) ==
	    1002, "5 in the 64-bit form: 1002");
	ok(fails_with(0, SIZE_MAX,
	    (const uint8_t *)"\x82\x7e\x00\x7e", 4) == 0,
	    "126 in the 16-bit form is fine (payload pending)");
	ok(fails_with(0, SIZE_MAX,
	    (const uint8_t *)"\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10) ==
	    0, "65536 in the 64-bit form is fine (payload pending)");

	/* Sequence. */
	n = mkframe(f, FIN | WS_OP_CONT, "a", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002,
	    "continuation without a message: 1002");
	n = mkframe(f, WS_OP_CONT, "a", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002,
	    "non-final continuation without a message: 1002");
	n = mkframe(f, WS_OP_TEXT, "a", 1, 1);
	n += mkframe(f + n, FIN | WS_OP_TEXT, "b", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002,
	    "text inside a fragmented message: 1002");
	n = mkframe(f, WS_OP_BINARY, "a", 1, 1);
	n += mkframe(f + n, WS_OP_BINARY, "b", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002,
	    "binary inside a fragmented message: 1002");
	n = mkframe(f, WS_OP_TEXT, "a", 1, 1);
	n += mkframe(f + n, FIN | WS_OP_CONT, "b", 1, 1);
	n += mkframe(f + n, FIN | WS_OP_CONT, "c", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002,
	    "continuation after the final fragment: 1002");

	/* UTF-8. */
	n = mkframe(f, FIN | WS_OP_TEXT, "ab\xc0\xafz", 5, 1);
	ok(fails_with(1, 1000, f, n) == 1007, "overlong in a text frame: 1007");
	n = mkframe(f, FIN | WS_OP_TEXT, "ab\xe2\x82", 4, 1);
	ok(fails_with(1, 1000, f, n) == 1007,
	    "text frame ending inside a character: 1007");
	n = mkframe(f, WS_OP_TEXT, "ab\xe2", 3, 1);
	n += mkframe(f + n, FIN | WS_OP_CONT, "\x82", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1007,
	    "fragmented text ending inside a character: 1007");
	n = mkframe(f, WS_OP_TEXT, "ab\xe2", 3, 1);
	n += mkframe(f + n, FIN | WS_OP_CONT, "\x82\xac", 2, 1);
	ok(fails_with(1, 1000, f, n) == 0,
	    "a character split between fragments is fine");
	n = mkframe(f, FIN | WS_OP_BINARY, "\xff\xc0", 2, 1);
	ok(fails_with(1, 1000, f, n) == 0, "binary is not UTF-8 checked");
	n = mkframe(f, FIN | WS_OP_PING, "\xff", 1, 1);
	ok(fails_with(1, 1000, f, n) == 0, "ping payload is not UTF-8 checked");

	/* Close payloads. */
	n = mkframe(f, FIN | WS_OP_CLOSE, "\x03", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002, "close payload of 1 byte: 1002");
	ok(fails_with(0, 1000, (const uint8_t *)"\x88\x01", 2) == 1002,
	    "close payload of 1 byte refused from the two header bytes");
	for (i = 0; i < sizeof(closes) / sizeof(closes[0]); i++) {
		uint8_t	 pl[2] = { (uint8_t)(closes[i].code >> 8),
			    (uint8_t)closes[i].code };

		n = mkframe(f, FIN | WS_OP_CLOSE, pl, 2, 1);
		ok(fails_with(1, 1000, f, n) == closes[i].result,
		    "close frame with code %u: %d", closes[i].code,
		    closes[i].result);
		ok(ws_close_code_valid(closes[i].code) ==
		    (closes[i].result == 0),
		    "ws_close_code_valid(%u) is %d", closes[i].code,
		    closes[i].result == 0);
	}
	n = mkframe(f, FIN | WS_OP_CLOSE, "\x03\xe8" "bye\xed\xa0\x80", 8, 1);
	ok(fails_with(1, 1000, f, n) == 1007,
	    "close reason with a surrogate: 1007");
	n = mkframe(f, FIN | WS_OP_CLOSE, "\x03\xe8" "\xc3", 3, 0);
	ok(fails_with(0, 1000, f, n) == 1007,
	    "close reason cut inside a character: 1007");

	/* Sizes. */
	ok(fails_with(1, 1000, (const uint8_t *)"\x82\xfe\x03\xe9", 4) == 1009,
	    "declared length 1001 over max 1000: 1009 from the header alone");
	ok(fails_with(1, 1000, (const uint8_t *)"\x82\xfe\x03\xe8", 4) == 0,
	    "declared length 1000 at max 1000 is fine");
	ok(fails_with(1, 1 << 30,
	    (const uint8_t *)"\x82\xff\x7f\xff\xff\xff\xff\xff\xff\xff\0\0\0\0",
	    14) == 1009, "declared length 2^63-1: 1009 before any allocation");
	memset(big, 'x', sizeof(big));
	n = mkframe(f, WS_OP_TEXT, big, 60, 1);
	n += mkframe(f + n, FIN | WS_OP_CONT, big, 41, 1);
	ok(fails_with(1, 100, f, n) == 1009,
	    "fragments adding up to 101 over max 100: 1009");
	n = mkframe(f, WS_OP_TEXT, big, 60, 1);
	n += mkframe(f + n, FIN | WS_OP_CONT, big, 40, 1);
	ok(fails_with(1, 100, f, n) == 0, "fragments adding up to max are fine");
	n = mkframe(f, FIN | WS_OP_PING, big, 125, 1);
	ok(fails_with(1, 10, f, n) == 0,
	    "control frames do not count against max_message");
	n = mkframe(f, FIN | WS_OP_BINARY, "", 0, 1);
	ok(fails_with(1, 0, f, n) == 0, "an empty message fits max 0");
}

/* 64 data frames make a message; the 65th is refused. */
static void
test_fragment_limit(void)
{
	uint8_t		*s;
	struct ws_rx	 rx;
	struct rec	 r;
	size_t		 n, i, last;
	ssize_t		 got;
	int		 code = 0;

	if ((s = malloc(70 * 16)) == NULL)
		abort();
	n = mkframe(s, WS_OP_BINARY, "f", 1, 1);
	for (i = 1; i < 63; i++)
		n += mkframe(s + n, WS_OP_CONT, "f", 1, 1);
	n += mkframe(s + n, FIN | WS_OP_PING, "", 0, 1); /* not counted */
	n += mkframe(s + n, FIN | WS_OP_CONT, "F", 1, 1);
	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	got = ws_rx_feed(&rx, 1000, s, n, collect, &r, &code);
	ok(got == (ssize_t)n && r.n == 2 && r.op[0] == WS_OP_PING &&
	    r.op[1] == WS_OP_BINARY && r.len[1] == 64 &&
	    r.data[r.at[1] + 63] == 'F',
	    "64 data frames (and a ping among them) make one message");
	ws_rx_free(&rx);
	rec_free(&r);

	n = mkframe(s, WS_OP_BINARY, "f", 1, 1);
	for (i = 1; i < 64; i++)
		n += mkframe(s + n, WS_OP_CONT, "f", 1, 1);
	last = n;
	n += mkframe(s + n, FIN | WS_OP_CONT, "F", 1, 1);
	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	got = ws_rx_feed(&rx, 1000, s, last, collect, &r, &code);
	ok(got == (ssize_t)last && r.n == 0, "64 non-final fragments are taken");
	got = ws_rx_feed(&rx, 1000, s + last, 2, collect, &r, &code);
	ok(got == -1 && code == 1009 && r.n == 0,
	    "the 65th data frame is refused with 1009 from its header");
	ws_rx_free(&rx);
	rec_free(&r);
	free(s);

	/* Without the cap (the echo service): 300 frames, no wrap. */
	if ((s = malloc(301 * 16)) == NULL)
		abort();
	n = mkframe(s, WS_OP_TEXT, "g", 1, 1);
	for (i = 1; i < 299; i++)
		n += mkframe(s + n, WS_OP_CONT, "g", 1, 1);
	n += mkframe(s + n, FIN | WS_OP_CONT, "G", 1, 1);
	ws_rx_init(&rx, 1);
	ws_rx_any_fragments(&rx);
	rec_init(&r, &rx);
	got = ws_rx_feed(&rx, 1000, s, n, collect, &r, &code);
	ok(got == (ssize_t)n && r.n == 1 && r.op[0] == WS_OP_TEXT &&
	    r.len[0] == 300 && r.data[r.at[0] + 299] == 'G',
	    "with ws_rx_any_fragments 300 data frames make one message");
	rec_free(&r);
	rec_init(&r, &rx);
	n = mkframe(s, WS_OP_BINARY, "h", 1, 1);
	for (i = 1; i < 299; i++)
		n += mkframe(s + n, WS_OP_CONT, "h", 1, 1);
	n += mkframe(s + n, FIN | WS_OP_CONT, "h", 1, 1);
	got = ws_rx_feed(&rx, 200, s, n, collect, &r, &code);
	ok(got == -1 && code == 1009 && r.n == 0,
	    "... and max_message still bounds such a message (1009)");
	ws_rx_free(&rx);
	rec_free(&r);
	free(s);
}

static void
test_interleaved(void)
{
	uint8_t		 s[256];
	struct ws_rx	 rx;
	struct rec	 r;
	size_t		 n = 0;
	ssize_t		 got;
	int		 code = 0;

	n += mkframe(s + n, WS_OP_TEXT, "Hel", 3, 1);
	n += mkframe(s + n, FIN | WS_OP_PING, "p", 1, 1);
	n += mkframe(s + n, WS_OP_CONT, "lo ", 3, 1);
	n += mkframe(s + n, FIN | WS_OP_PONG, "", 0, 1);
	n += mkframe(s + n, FIN | WS_OP_CONT, "w\xc3\xb6rld", 6, 1);
	n += mkframe(s + n, FIN | WS_OP_BINARY, "\x00\x01", 2, 1);
	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	got = ws_rx_feed(&rx, 1000, s, n, collect, &r, &code);
	ok(got == (ssize_t)n && r.n == 4 &&
	    rec_is(&r, 0, WS_OP_PING, "p", 1) &&
	    rec_is(&r, 1, WS_OP_PONG, "", 0) &&
	    rec_is(&r, 2, WS_OP_TEXT, "Hello w\xc3\xb6rld", 12) &&
	    rec_is(&r, 3, WS_OP_BINARY, "\x00\x01", 2),
	    "fragmented text with ping and pong in between: ping, pong, "
	    "text, then the next message");
	ok(rx.msg == NULL && rx.msg_opcode == 0 && rx.nfrag == 0,
	    "the reassembly buffer is released after the message");
	ws_rx_free(&rx);
	rec_free(&r);
}

/* Invalid UTF-8 fails the feed that carries it, not the final one. */
static void
test_failfast(void)
{
	uint8_t		 f1[32], f2[32], f3[32], f4[32], big[200], fb[200];
	size_t		 n1, n2, n3, n4, n;
	struct ws_rx	 rx;
	struct rec	 r;
	ssize_t		 got;
	int		 code = 0;

	n1 = mkframe(f1, WS_OP_TEXT, "ab\xe2", 3, 1);
	n2 = mkframe(f2, WS_OP_CONT, "\x82\xac ok", 5, 1);
	n3 = mkframe(f3, WS_OP_CONT, "x\xc0y", 3, 1);
	n4 = mkframe(f4, FIN | WS_OP_CONT, "end", 3, 1);
	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	got = ws_rx_feed(&rx, 1000, f1, n1, collect, &r, &code);
	ok(got == (ssize_t)n1, "first fragment, ending inside a character");
	got = ws_rx_feed(&rx, 1000, f2, n2, collect, &r, &code);
	ok(got == (ssize_t)n2, "second fragment completes the character");
	got = ws_rx_feed(&rx, 1000, f3, n3, collect, &r, &code);
	ok(got == -1 && code == 1007 && r.n == 0,
	    "third fragment with C0 fails with 1007 before the final one");
	(void)n4;
	ws_rx_free(&rx);
	rec_free(&r);

	/* Inside one frame: the bad byte arrives, the rest never does. */
	memset(big, 'a', sizeof(big));
	big[10] = 0xff;
	n = mkframe(fb, FIN | WS_OP_TEXT, big, 150, 1);
	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	got = ws_rx_feed(&rx, 1000, fb, 8 + 5, collect, &r, &code);
	ok(got == 13 && n == 158,
	    "header and 5 good bytes of a 150-byte text frame");
	code = 0;
	got = ws_rx_feed(&rx, 1000, fb + 13, 7, collect, &r, &code);
	ok(got == -1 && code == 1007 && r.n == 0,
	    "the read holding the bad byte fails with 1007, 140 bytes early");
	ws_rx_free(&rx);
	rec_free(&r);
}

/*
 * After a violation the parser is done: what follows the refused bytes
 * is not read as frames.  The relay reads on after its close (to find
 * the client's), so a header whose first check failed must not be
 * finished later: a ping announcing 300 bytes would fill the 125 bytes
 * of rx->ctl past their end.
 */
static void
test_after_violation(void)
{
	struct ws_rx	 rx;
	struct rec	 r;
	uint8_t		 f[400], pl[300];
	size_t		 n;
	ssize_t		 got;
	int		 code;

	memset(pl, 'p', sizeof(pl));
	n = mkframe(f, FIN | WS_OP_PING, pl, sizeof(pl), 1);
	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	code = 0;
	got = ws_rx_feed(&rx, 1000, f, 2, collect, &r, &code);
	ok(got == -1 && code == 1002, "a ping of 300 bytes: 1002 from its "
	    "first two bytes");
	/* the rest of the header, then the payload: into rx->ctl */
	code = 0;
	got = ws_rx_feed(&rx, 1000, f + 2, 6, collect, &r, &code);
	ok(got == -1 && code == 1002, "the rest of its header is refused");
	code = 0;
	got = ws_rx_feed(&rx, 1000, f + 8, 100, collect, &r, &code);
	ok(got == -1 && code == 1002, "so is the start of its payload");
	code = 0;
	got = ws_rx_feed(&rx, 1000, f + 108, n - 108, collect, &r, &code);
	ok(got == -1 && code == 1002 && r.n == 0, "and the rest, and nothing "
	    "is delivered");
	n = mkframe(f, FIN | WS_OP_TEXT, "ok", 2, 1);
	code = 0;
	got = ws_rx_feed(&rx, 1000, f, n, collect, &r, &code);
	ok(got == -1 && code == 1002 && r.n == 0, "so is a good frame after "
	    "it");
	ws_rx_free(&rx);
	rec_free(&r);

	/* The same for a length over the limit, checked before the mask. */
	n = mkframe(f, FIN | WS_OP_BINARY, pl, sizeof(pl), 1);
	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	code = 0;
	got = ws_rx_feed(&rx, 100, f, 4, collect, &r, &code);
	ok(got == -1 && code == 1009, "300 bytes over a limit of 100: 1009 "
	    "from the length");
	code = 0;
	got = ws_rx_feed(&rx, 100, f + 4, n - 4, collect, &r, &code);
	ok(got == -1 && code == 1009 && r.n == 0 && rx.msg == NULL,
	    "the payload after it is refused with the same code, nothing "
	    "buffered");
	ws_rx_free(&rx);
	rec_free(&r);
}

int
main(void)
{
	test_violations();
	test_fragment_limit();
	test_interleaved();
	test_failfast();
	test_after_violation();
	return tap_done();
}

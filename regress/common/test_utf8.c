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
 * Unit tests of the UTF-8 automaton: named valid and invalid sequences, an
 * exhaustive comparison with a plain decoder written from RFC 3629 over
 * every short sequence of boundary bytes, and the same verdict however
 * the input is split.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "regress/lib/tap.h"
#include "utf8.h"
#include "regress/lib/utf8_ref.h"

/* Verdict when fed in two pieces at every split point, and byte by byte. */
static int
split_agrees(const uint8_t *p, size_t n)
{
	uint32_t	 whole, s;
	size_t		 i;

	whole = utf8_step(UTF8_ACCEPT, p, n);
	for (i = 0; i <= n; i++) {
		s = utf8_step(utf8_step(UTF8_ACCEPT, p, i), p + i, n - i);
		if (s != whole)
			return 0;
	}
	s = UTF8_ACCEPT;
	for (i = 0; i < n; i++)
		s = utf8_step(s, p + i, 1);
	return s == whole;
}

struct vec {
	const char	*name;
	const char	*bytes;
	size_t		 len;
	int		 valid;
};

#define V(name, s, valid)	{ name, s, sizeof(s) - 1, valid }

static const struct vec vecs[] = {
	V("empty", "", 1),
	V("ascii", "hello, world", 1),
	V("ascii with NUL", "a\0b", 1),
	V("U+0080", "\xc2\x80", 1),
	V("U+07FF", "\xdf\xbf", 1),
	V("U+0800", "\xe0\xa0\x80", 1),
	V("U+20AC euro", "\xe2\x82\xac", 1),
	V("U+D7FF", "\xed\x9f\xbf", 1),
	V("U+E000", "\xee\x80\x80", 1),
	V("U+FFFD", "\xef\xbf\xbd", 1),
	V("U+FFFF", "\xef\xbf\xbf", 1),
	V("U+10000", "\xf0\x90\x80\x80", 1),
	V("U+1D11E", "\xf0\x9d\x84\x9e", 1),
	V("U+10FFFF", "\xf4\x8f\xbf\xbf", 1),
	V("mixed text", "Gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac \xf0\x9f\x98\x80!", 1),
	V("overlong 2-byte C0 80", "\xc0\x80", 0),
	V("overlong 2-byte C1 BF", "\xc1\xbf", 0),
	V("overlong 3-byte E0 80 80", "\xe0\x80\x80", 0),
	V("overlong 3-byte E0 9F BF", "\xe0\x9f\xbf", 0),
	V("overlong 4-byte F0 80 80 80", "\xf0\x80\x80\x80", 0),
	V("overlong 4-byte F0 8F BF BF", "\xf0\x8f\xbf\xbf", 0),
	V("surrogate U+D800", "\xed\xa0\x80", 0),
	V("surrogate U+DBFF", "\xed\xaf\xbf", 0),
	V("surrogate U+DC00", "\xed\xb0\x80", 0),
	V("surrogate U+DFFF", "\xed\xbf\xbf", 0),
	V("surrogate pair as CESU", "\xed\xa0\xbd\xed\xb8\x80", 0),
	V("U+110000", "\xf4\x90\x80\x80", 0),
	V("F5 lead", "\xf5\x80\x80\x80", 0),
	V("F7 BF BF BF", "\xf7\xbf\xbf\xbf", 0),
	V("FF byte", "a\xff", 0),
	V("FE byte", "\xfe", 0),
	V("5-byte lead", "\xf8\x88\x80\x80\x80", 0),
	V("6-byte lead", "\xfc\x84\x80\x80\x80\x80", 0),
	V("truncated 2-byte", "\xc3", 0),
	V("truncated 3-byte", "\xe2\x82", 0),
	V("truncated 4-byte", "\xf0\x9f\x98", 0),
	V("truncated then ascii", "\xe2\x82" "a", 0),
	V("lone continuation 80", "\x80", 0),
	V("lone continuation BF", "a\xbf" "b", 0),
	V("extra continuation", "\xc3\xbc\x80", 0),
	V("lead after lead", "\xc3\xc3\xbc", 0),
};

/* Bytes at every class boundary the automaton cares about. */
static const uint8_t edge[] = {
	0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1,
	0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3,
	0xf4, 0xf5, 0xf8, 0xff,
};
#define NEDGE	(sizeof(edge) / sizeof(edge[0]))

int
main(void)
{
	const struct vec	*v;
	uint8_t			 b[80];
	size_t			 i, j, k, l, pos, bad, n;
	uint32_t		 s;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		v = &vecs[i];
		ok(utf8_valid((const uint8_t *)v->bytes, v->len) == v->valid,
		    "%s is %s", v->name, v->valid ? "valid" : "invalid");
		ok(ref_valid((const uint8_t *)v->bytes, v->len) == v->valid,
		    "%s: reference decoder agrees", v->name);
		ok(split_agrees((const uint8_t *)v->bytes, v->len),
		    "%s: same verdict at every split", v->name);
	}

	s = utf8_step(UTF8_ACCEPT, (const uint8_t *)"\xe2\x82", 2);
	ok(s != UTF8_ACCEPT && s != UTF8_REJECT,
	    "inside a character is neither accept nor reject");
	ok(utf8_step(s, (const uint8_t *)"\xac", 1) == UTF8_ACCEPT,
	    "the last byte completes it");
	ok(utf8_step(UTF8_REJECT, (const uint8_t *)"abc", 3) == UTF8_REJECT,
	    "reject is sticky");
	ok(utf8_step(UTF8_ACCEPT, (const uint8_t *)"\x80" "aaaaaaaaaaaaaaaa",
	    17) == UTF8_REJECT, "reject stays after ASCII that follows");
	ok(utf8_step(1000, (const uint8_t *)"a", 1) == UTF8_REJECT,
	    "an unknown state is a rejection");
	ok(utf8_step(UTF8_ACCEPT, NULL, 0) == UTF8_ACCEPT,
	    "nothing leaves accept as is");

	/* Every sequence of up to four boundary bytes against the reference. */
	bad = 0;
	n = 0;
	for (l = 1; l <= 4; l++) {
		size_t	 idx[4] = { 0, 0, 0, 0 }, total = 1;

		for (k = 0; k < l; k++)
			total *= NEDGE;
		for (j = 0; j < total; j++) {
			size_t	 x = j;

			for (k = 0; k < l; k++) {
				idx[k] = x % NEDGE;
				x /= NEDGE;
				b[k] = edge[idx[k]];
			}
			if (utf8_valid(b, l) != ref_valid(b, l))
				bad++;
			n++;
		}
	}
	ok(bad == 0, "%zu sequences of 1-4 boundary bytes match the reference "
	    "(%zu differ)", n, bad);

	/* Every two-byte sequence, and every lead with every second byte. */
	bad = 0;
	for (i = 0; i < 256; i++)
		for (j = 0; j < 256; j++) {
			b[0] = (uint8_t)i;
			b[1] = (uint8_t)j;
			b[2] = 0x80;
			b[3] = 0x80;
			if (utf8_valid(b, 2) != ref_valid(b, 2) ||
			    utf8_valid(b, 3) != ref_valid(b, 3) ||
			    utf8_valid(b, 4) != ref_valid(b, 4))
				bad++;
		}
	ok(bad == 0, "all 65536 byte pairs (plus continuations) match the "
	    "reference (%zu differ)", bad);

	/* The eight-byte ASCII skip must not jump over a bad byte anywhere. */
	bad = 0;
	for (pos = 0; pos < 64; pos++) {
		memset(b, 'a', 64);
		b[pos] = 0x80;
		if (utf8_valid(b, 64) || utf8_valid(b + 1, 63) != (pos == 0))
			bad++;
		memset(b, 'a', 64);
		if (pos <= 61) {
			memcpy(b + pos, "\xe2\x82\xac", 3);
			if (!utf8_valid(b, 64))
				bad++;
		}
		memset(b, 'a', 64);
		b[pos] = 0xe2;		/* truncated lead, ASCII after it */
		if (utf8_valid(b, 64))
			bad++;
	}
	ok(bad == 0, "a bad byte or good character at every offset of a long "
	    "ASCII run is judged right (%zu wrong)", bad);

	memset(b, 'a', sizeof(b));
	memcpy(b + 70, "\xf0\x9f", 2);
	s = utf8_step(UTF8_ACCEPT, b, 72);
	ok(s != UTF8_ACCEPT && s != UTF8_REJECT && utf8_step(s,
	    (const uint8_t *)"\x98\x80", 2) == UTF8_ACCEPT && split_agrees(b, 72),
	    "a character cut after a long ASCII run continues in the next call");

	return tap_done();
}

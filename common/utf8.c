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
 * Strict UTF-8 validation (RFC 3629) as a deterministic automaton: every
 * byte is mapped to one of twelve classes, and a small transition table
 * moves between "between characters", "rejected" and seven states inside a
 * multi-byte character.  The states remember just enough of the lead byte
 * to refuse overlong forms, UTF-16 surrogates and code points above
 * U+10FFFF at the second byte, so a text message split anywhere is judged
 * the same as in one piece.  Runs of ASCII, the common case, are skipped a
 * word at a time.
 */
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "utf8.h"

/*
 * Byte classes.  The second byte of a sequence is only ever compared
 * against the ranges 80-8F, 90-9F and A0-BF, so those are the three
 * continuation classes; leads are split by how they narrow their second
 * byte.
 */
enum {
	C_ASCII,	/* 00-7F */
	C_CONT_LO,	/* 80-8F */
	C_CONT_MID,	/* 90-9F */
	C_CONT_HI,	/* A0-BF */
	C_BAD,		/* C0-C1 (always overlong), F5-FF (above U+10FFFF) */
	C_LEAD2,	/* C2-DF */
	C_E0,		/* E0: second byte A0-BF, else overlong */
	C_LEAD3,	/* E1-EC, EE-EF */
	C_ED,		/* ED: second byte 80-9F, else a surrogate */
	C_F0,		/* F0: second byte 90-BF, else overlong */
	C_LEAD4,	/* F1-F3 */
	C_F4,		/* F4: second byte 80-8F, else above U+10FFFF */
	NCLASS
};

static const uint8_t byteclass[256] = {
	[0x00 ... 0x7f] = C_ASCII,
	[0x80 ... 0x8f] = C_CONT_LO,
	[0x90 ... 0x9f] = C_CONT_MID,
	[0xa0 ... 0xbf] = C_CONT_HI,
	[0xc0 ... 0xc1] = C_BAD,
	[0xc2 ... 0xdf] = C_LEAD2,
	[0xe0]		= C_E0,
	[0xe1 ... 0xec] = C_LEAD3,
	[0xed]		= C_ED,
	[0xee ... 0xef] = C_LEAD3,
	[0xf0]		= C_F0,
	[0xf1 ... 0xf3] = C_LEAD4,
	[0xf4]		= C_F4,
	[0xf5 ... 0xff] = C_BAD,
};

/* States; UTF8_ACCEPT (0) and UTF8_REJECT (1) are fixed by utf8.h. */
enum {
	S_OK = UTF8_ACCEPT,
	S_NO = UTF8_REJECT,
	S_1,		/* one continuation byte (80-BF) left */
	S_2,		/* two left, any continuation next */
	S_2_E0,		/* two left, next A0-BF */
	S_2_ED,		/* two left, next 80-9F */
	S_3,		/* three left, any continuation next */
	S_3_F0,		/* three left, next 90-BF */
	S_3_F4,		/* three left, next 80-8F */
	NSTATE
};

/* Columns in byte class order: ASCII, 80-8F, 90-9F, A0-BF, then leads. */
static const uint8_t transition[NSTATE][NCLASS] = {
	/*	   ASC   LO    MID   HI    BAD   L2    E0      L3   ED      F0      L4   F4 */
	[S_OK] =   { S_OK, S_NO, S_NO, S_NO, S_NO, S_1,  S_2_E0, S_2, S_2_ED, S_3_F0, S_3, S_3_F4 },
	[S_NO] =   { S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO,   S_NO, S_NO,  S_NO,   S_NO, S_NO },
	[S_1] =    { S_NO, S_OK, S_OK, S_OK, S_NO, S_NO, S_NO,   S_NO, S_NO,  S_NO,   S_NO, S_NO },
	[S_2] =    { S_NO, S_1,  S_1,  S_1,  S_NO, S_NO, S_NO,   S_NO, S_NO,  S_NO,   S_NO, S_NO },
	[S_2_E0] = { S_NO, S_NO, S_NO, S_1,  S_NO, S_NO, S_NO,   S_NO, S_NO,  S_NO,   S_NO, S_NO },
	[S_2_ED] = { S_NO, S_1,  S_1,  S_NO, S_NO, S_NO, S_NO,   S_NO, S_NO,  S_NO,   S_NO, S_NO },
	[S_3] =    { S_NO, S_2,  S_2,  S_2,  S_NO, S_NO, S_NO,   S_NO, S_NO,  S_NO,   S_NO, S_NO },
	[S_3_F0] = { S_NO, S_NO, S_2,  S_2,  S_NO, S_NO, S_NO,   S_NO, S_NO,  S_NO,   S_NO, S_NO },
	[S_3_F4] = { S_NO, S_2,  S_NO, S_NO, S_NO, S_NO, S_NO,   S_NO, S_NO,  S_NO,   S_NO, S_NO },
};

#define HIGH_BITS	0x8080808080808080ULL

uint32_t
utf8_step(uint32_t state, const uint8_t *p, size_t len)
{
	const uint8_t	*end;
	uint64_t	 w;

	/* A state we never hand out is treated as a rejection. */
	if (state >= NSTATE)
		return UTF8_REJECT;
	/* Empty input may come as a NULL pointer. */
	if (len == 0)
		return state;
	end = p + len;
	while (p < end) {
		if (state == S_OK) {
			/* Between characters: ASCII bytes cannot change that. */
#ifdef __SSE2__
			while (end - p >= 16 && _mm_movemask_epi8(
			    _mm_loadu_si128((const __m128i *)(const void *)p))
			    == 0)
				p += 16;
#endif
			while (end - p >= 8) {
				memcpy(&w, p, sizeof(w));
				if ((w & HIGH_BITS) != 0)
					break;
				p += 8;
			}
			while (p < end && *p < 0x80)
				p++;
			if (p == end)
				break;
		} else if (state == S_NO)
			break;
		state = transition[state][byteclass[*p++]];
	}
	return state;
}

int
utf8_valid(const uint8_t *p, size_t len)
{
	return utf8_step(UTF8_ACCEPT, p, len) == UTF8_ACCEPT;
}

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
 * Strict base64url without padding (RFC 4648 section 5).
 *
 * The design would use libsodium's codec for this.  libsodium's is written to
 * run in constant time, for secrets; the relay encodes and decodes only
 * public data (keys, nonces, ciphertext bodies) on every message, and a
 * profile of the relay under load put 44% of its time in libsodium's
 * codec.  This table-driven one is several times faster; a libFuzzer
 * target (regress/fuzz/fuzz_b64diff.c) holds it to libsodium's answers
 * on every input, and the vectors of docs/WIRE.md section 8 are unit-tested.
 * That target also found libsodium 1.0.18 taking bytes 0x80-0xff for
 * letters of the alphabet; this decoder refuses them.
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "b64.h"

static const char b64_alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#define XX	0xff
/* The value of each character, XX for what is not in the alphabet. */
static const uint8_t b64_value[256] = {
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, 62, XX, XX,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, XX, XX, XX, XX, XX, XX,
	XX,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, XX, XX, XX, XX, 63,
	XX, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
};
#undef XX

size_t
b64url_encode(char *out, size_t outlen, const uint8_t *in, size_t len)
{
	size_t		 n = B64_ENCODED_LEN(len), i, o = 0;
	uint32_t	 v;

	if (outlen < n + 1)
		return 0;
	for (i = 0; i + 3 <= len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	switch (len - i) {
	case 1:
		v = (uint32_t)in[i] << 16;
		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		break;
	case 2:
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		break;
	}
	out[o] = '\0';
	return n;
}

/*
 * The value of each character already in place for each of the four
 * positions of a group, with bit 31 set for what is not in the alphabet:
 * a group is four lookups and three ORs, checked once.
 */
static uint32_t	b64_d0[256], b64_d1[256], b64_d2[256], b64_d3[256];
static int	b64_tables;

static void
b64_init(void)
{
	uint32_t	 v;
	int		 c;

	for (c = 0; c < 256; c++) {
		v = b64_value[c];
		if (v == 0xff) {
			b64_d0[c] = b64_d1[c] = b64_d2[c] = b64_d3[c] =
			    UINT32_C(1) << 31;
			continue;
		}
		b64_d0[c] = v << 18;
		b64_d1[c] = v << 12;
		b64_d2[c] = v << 6;
		b64_d3[c] = v;
	}
	b64_tables = 1;
}

/*
 * The last 2 or 3 characters (tail) of a text: their bits at the top of
 * 24, or -1 when they are not canonical (a character outside the
 * alphabet, or set bits after the last whole byte).
 */
static long
b64_tail(const uint8_t *p, size_t tail)
{
	uint32_t	 a = b64_value[p[0]], b = b64_value[p[1]];
	uint32_t	 c = tail == 3 ? b64_value[p[2]] : 0;

	if ((a | b | c) & 0x80)
		return -1;
	if (tail == 2 ? (b & 0x0f) != 0 : (c & 0x03) != 0)
		return -1;
	return (long)(a << 18 | b << 12 | c << 6);
}

long
b64url_decode(uint8_t *out, size_t outlen, const char *in, size_t len)
{
	const uint8_t	*p = (const uint8_t *)in;
	size_t		 i, o = 0, tail = len % 4;
	uint32_t	 v;
	long		 t;

	/* No byte string encodes to 4n+1 characters. */
	if (tail == 1)
		return -1;
	if (B64_DECODED_MAX(len) > outlen)
		return -1;
	if (!b64_tables)
		b64_init();
	for (i = 0; i + 4 <= len; i += 4) {
		v = b64_d0[p[i]] | b64_d1[p[i + 1]] | b64_d2[p[i + 2]] |
		    b64_d3[p[i + 3]];
		if (v >> 31)
			return -1;
		out[o] = (uint8_t)(v >> 16);
		out[o + 1] = (uint8_t)(v >> 8);
		out[o + 2] = (uint8_t)v;
		o += 3;
	}
	if (tail > 0) {
		if ((t = b64_tail(p + i, tail)) < 0)
			return -1;
		out[o++] = (uint8_t)(t >> 16);
		if (tail == 3)
			out[o++] = (uint8_t)(t >> 8);
	}
	return (long)o;
}

#ifdef __SSE2__
/*
 * Sixteen characters at once (SSE2): all letters (byte | 0x20 within
 * a-z), digits, '-' or '_'?  The comparisons are signed, so bytes from
 * 0x80 up, negative, fall outside every range.
 */
static int
sse_b64_block(const uint8_t *p)
{
	__m128i	 v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i	 l = _mm_or_si128(v, _mm_set1_epi8(0x20));
	__m128i	 ok;

	ok = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('a' - 1)),
	    _mm_cmplt_epi8(l, _mm_set1_epi8('z' + 1)));
	ok = _mm_or_si128(ok, _mm_and_si128(_mm_cmpgt_epi8(v,
	    _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1))));
	ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, _mm_set1_epi8('-')));
	ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
	return _mm_movemask_epi8(ok) == 0xffff;
}
#endif

long
b64url_check(const char *in, size_t len)
{
	const uint8_t	*p = (const uint8_t *)in;
	size_t		 i, full = len - len % 4, tail = len % 4;
	uint8_t		 acc0 = 0, acc1 = 0;

	if (tail == 1)
		return -1;
	/*
	 * An invalid character has the top bit of its value set: no branch
	 * and no store per character.  (Eight-byte SWAR range tests were
	 * tried: no faster than these loads.)
	 */
	i = 0;
#ifdef __SSE2__
	for (; i + 16 <= full; i += 16)
		if (!sse_b64_block(p + i))
			return -1;
#endif
	for (; i + 8 <= full; i += 8) {
		acc0 |= b64_value[p[i]] | b64_value[p[i + 1]] |
		    b64_value[p[i + 2]] | b64_value[p[i + 3]];
		acc1 |= b64_value[p[i + 4]] | b64_value[p[i + 5]] |
		    b64_value[p[i + 6]] | b64_value[p[i + 7]];
	}
	for (; i < full; i++)
		acc0 |= b64_value[p[i]];
	if ((acc0 | acc1) & 0x80)
		return -1;
	if (tail > 0 && b64_tail(p + i, tail) < 0)
		return -1;
	return (long)(full / 4 * 3 + (tail ? tail - 1 : 0));
}

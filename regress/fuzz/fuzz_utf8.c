/*
 * libFuzzer target for the UTF-8 automaton: the verdict on the whole input
 * must match a plain decoder written from RFC 3629, and the state reached
 * must not depend on how the input is cut (cuts derived from the input).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

static int
ref_valid(const uint8_t *p, size_t n)
{
	size_t		 i = 0, k, j;
	uint32_t	 cp, min;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			k = 1;
			cp = p[i] & 0x1f;
			min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			k = 2;
			cp = p[i] & 0x0f;
			min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			k = 3;
			cp = p[i] & 0x07;
			min = 0x10000;
		} else
			return 0;
		if (n - i - 1 < k)
			return 0;
		for (j = 1; j <= k; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t	 whole, s = UTF8_ACCEPT;
	size_t		 off = 0, c, k = 0;

	whole = utf8_step(UTF8_ACCEPT, data, size);
	if ((whole == UTF8_ACCEPT) != ref_valid(data, size))
		abort();
	if (utf8_valid(data, size) != (whole == UTF8_ACCEPT))
		abort();
	while (off < size) {
		/* Cut sizes 1..16 read from the input, cycling through it. */
		c = 1 + (data[k++ % size] & 0x0f);
		if (c > size - off)
			c = size - off;
		s = utf8_step(s, data + off, c);
		off += c;
	}
	if (s != whole)
		abort();
	return 0;
}

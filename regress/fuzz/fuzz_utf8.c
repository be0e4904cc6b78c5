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
 * libFuzzer target for the UTF-8 automaton: the verdict on the whole input
 * must match a plain decoder written from RFC 3629, and the state reached
 * must not depend on how the input is cut (cuts derived from the input).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "regress/lib/utf8_ref.h"

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

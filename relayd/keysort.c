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
 * Whether the keys of one map are distinct, for the relay's readers of
 * JSON (json.c) and msgpack (mpread.c), which call it for maps too large
 * to compare pairwise: the keys' offsets are sorted in place by the
 * reader's own order (heapsort: no allocation, n log n whatever the
 * input) and neighbours compared.
 */
#include <stddef.h>
#include <stdint.h>

#include "keysort.h"

static void
sift(uint32_t *k, size_t i, size_t n, keysort_cmp cmp, const void *arg)
{
	size_t		 c;
	uint32_t	 t;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && cmp(arg, k[c], k[c + 1]) < 0)
			c++;
		if (cmp(arg, k[i], k[c]) >= 0)
			return;
		t = k[i];
		k[i] = k[c];
		k[c] = t;
		i = c;
	}
}

int
keys_distinct(uint32_t *k, size_t n, keysort_cmp cmp, const void *arg)
{
	size_t		 i;
	uint32_t	 t;

	for (i = n / 2; i-- > 0;)
		sift(k, i, n, cmp, arg);
	for (i = n; i-- > 1;) {
		t = k[0];
		k[0] = k[i];
		k[i] = t;
		sift(k, 0, i, cmp, arg);
	}
	for (i = 1; i < n; i++) {
		if (cmp(arg, k[i - 1], k[i]) == 0)
			return 0;
	}
	return 1;
}
